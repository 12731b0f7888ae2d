//! `bench events`: server-sent events per second, the generated server
//! read by the generated client against axum's `Sse` read by a
//! hand-written parser (`bench/src/events.rs`), and the two mixed
//! pairings, so that each side's cost shows.
//!
//! Each run starts a fresh server process (`events-generated` or
//! `events-baseline`), reads a warm-up stream of a tenth of the events
//! with a first `events-client` process, then the measured stream with a
//! second; the client times the stream from its request to the last event
//! and reports its own CPU time, the server's is read from
//! `/proc/PID/stat` before and after.
//!
//! The client runs on tokio's multi-thread runtime (what `#[tokio::main]`
//! makes), on the current-thread one, or both. Each chunk hyper decodes
//! (one an event here) goes from its connection task to the reader over a
//! channel: on the multi-thread runtime, often to another thread, a
//! wake-up each, which is most of the client's time and most of the
//! noise; on the current-thread one the readers' own costs show.

use std::fmt::Write as _;
use std::process::{Command, Stdio};

use super::measure;
use super::serve::{Server, build_bins};

/// A server and a reader of its stream.
#[derive(Clone, Copy)]
struct Pairing {
    label: &'static str,
    server: &'static str,
    server_label: &'static str,
    client: &'static str,
    client_label: &'static str,
}

/// The generated pair (A), the hand-written pair (B), then the mixed ones.
const PAIRINGS: [Pairing; 4] = [
    Pairing {
        label: "**A: generated**",
        server: "events-generated",
        server_label: "generated",
        client: "generated",
        client_label: "generated",
    },
    Pairing {
        label: "**B: hand-written**",
        server: "events-baseline",
        server_label: "axum `Sse`",
        client: "hand",
        client_label: "hand parser",
    },
    Pairing {
        label: "generated server",
        server: "events-generated",
        server_label: "generated",
        client: "hand",
        client_label: "hand parser",
    },
    Pairing {
        label: "generated client",
        server: "events-baseline",
        server_label: "axum `Sse`",
        client: "generated",
        client_label: "generated",
    },
];

/// What one run measured.
#[derive(Clone, Copy)]
struct Run {
    /// Events per second, request to last event.
    rate: f64,
    /// CPU seconds per event of the client and of the server.
    client_cpu: f64,
    server_cpu: f64,
}

/// Reads `count` events from `base` with `client` on a `flavor` runtime:
/// (seconds, client CPU seconds).
fn read(
    bins: &std::path::Path,
    client: &str,
    flavor: &str,
    base: &str,
    count: u64,
) -> Result<(f64, f64), String> {
    let output = Command::new(bins.join("events-client"))
        .args([client, base, &count.to_string(), flavor])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run events-client: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "events-client {client} {base} {count} {flavor} failed: {}{text}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let fields: Vec<f64> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields[..] {
        [read, wall, cpu] if read as u64 == count && wall > 0.0 => Ok((wall, cpu)),
        _ => Err(format!("events-client printed {text:?}")),
    }
}

fn one_run(
    bins: &std::path::Path,
    pairing: Pairing,
    flavor: &str,
    count: u64,
) -> Result<Run, String> {
    let server = Server::start(&bins.join(pairing.server))?;
    let base = format!("http://{}", server.1);
    read(bins, pairing.client, flavor, &base, (count / 10).max(1))?;
    let pid = server.0.id().to_string();
    let cpu = |pid: &str| cpu_seconds(pid).ok_or_else(|| format!("cannot read /proc/{pid}/stat"));
    let before = cpu(&pid)?;
    let (wall, client_cpu) = read(bins, pairing.client, flavor, &base, count)?;
    let server_cpu = cpu(&pid)? - before;
    Ok(Run {
        rate: count as f64 / wall,
        client_cpu: client_cpu / count as f64,
        server_cpu: server_cpu / count as f64,
    })
}

/// User plus system CPU seconds of process `pid`, every thread
/// (`/proc/PID/stat`, fields 14 and 15, in ticks of 1/100 s).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i - 3)?.parse::<u64>().ok();
    Some((ticks(14)? + ticks(15)?) as f64 / 100.0)
}

/// The client's tokio runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Runtime {
    /// `#[tokio::main]`'s multi-thread runtime: each chunk goes from
    /// hyper's connection task to the reader, often across threads.
    Multi,
    /// The current-thread runtime: one thread, no handover.
    Current,
    /// Both, side by side.
    Both,
}

pub fn events(runs: usize, count: u64, mixed: bool, runtime: Runtime) -> Result<String, String> {
    let bins = build_bins()?;
    let pairings = if mixed { &PAIRINGS[..] } else { &PAIRINGS[..2] };
    let flavors: &[&str] = match runtime {
        Runtime::Multi => &["multi"],
        Runtime::Current => &["current"],
        Runtime::Both => &["current", "multi"],
    };
    // Every (runtime, pairing) measured, A and B of a runtime side by side.
    let cases: Vec<(&str, Pairing)> = flavors
        .iter()
        .flat_map(|flavor| pairings.iter().map(move |p| (*flavor, *p)))
        .collect();
    let mut results: Vec<Vec<Run>> = vec![Vec::new(); cases.len()];
    let load_before = load_average();
    for round in 0..runs {
        // Rotated by one each round, and reversed every other round: A B
        // B A with two, and no case always first or after the same one.
        let mut order: Vec<usize> = (0..cases.len())
            .map(|i| (i + round) % cases.len())
            .collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for which in order {
            let (flavor, pairing) = cases[which];
            let run = one_run(&bins, pairing, flavor, count)?;
            eprintln!(
                "round {}: {flavor} {} {:.0} events/s",
                round + 1,
                pairing.label,
                run.rate
            );
            results[which].push(run);
        }
    }
    let mut out = String::new();
    writeln!(
        out,
        "## Server-sent events: generated server and client vs axum `Sse` and a hand-written parser\n\n\
         `GET /events?limit={count}`: {count} events of a log entry `{{\"seq\", \"message\"}}` \
         (a 100-byte message, 140 bytes an event on the wire), over TCP on 127.0.0.1, one frame \
         an event, keep-alive on; a fresh server process per run (tokio's multi-thread runtime), \
         a warm-up stream of a tenth first; the client, a process of its own on the runtime \
         shown, times the stream from its request to the last event and checks every event's \
         order. Runs rotating over the cases; median (min–max) of {runs}; CPU is user + system \
         time per event of each process. Load average {load_before} before, {} after.\n",
        load_average(),
    )
    .ok();
    writeln!(
        out,
        "| client runtime | pairing | server | client | events/s | vs B | server CPU µs/event | client CPU µs/event |"
    )
    .ok();
    writeln!(out, "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |").ok();
    let median = |v: Vec<f64>| measure::median(&v).unwrap_or((0.0, 0.0, 0.0));
    let rate = |i: usize| median(results[i].iter().map(|r| r.rate).collect()).0;
    let mut ratios = Vec::new();
    for (f, flavor) in flavors.iter().enumerate() {
        let first = f * pairings.len();
        let baseline = rate(first + 1);
        for (i, pairing) in pairings.iter().enumerate() {
            let runs = &results[first + i];
            let (rate, lo, hi) = median(runs.iter().map(|r| r.rate).collect());
            let server = median(runs.iter().map(|r| r.server_cpu * 1e6).collect()).0;
            let client = median(runs.iter().map(|r| r.client_cpu * 1e6).collect()).0;
            writeln!(
                out,
                "| {flavor}-thread | {} | {} | {} | {rate:.0} ({lo:.0}–{hi:.0}) | {:.3} | {server:.2} | {client:.2} |",
                pairing.label,
                pairing.server_label,
                pairing.client_label,
                rate / baseline.max(1e-9),
            )
            .ok();
        }
        ratios.push(format!(
            "**{:.3}** ({flavor}-thread client)",
            rate(first) / baseline.max(1e-9)
        ));
    }
    writeln!(
        out,
        "\nThroughput ratio generated / hand-written (A / B): {}.",
        ratios.join(", ")
    )
    .ok();
    Ok(out)
}

/// The load average over 1, 5 and 15 minutes.
fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
