//! `bench serve` and `bench client`: the generated puppy-shop server
//! against the hand-written axum one (`bench/src/bin/shop-baseline.rs`)
//! under `wrk`, and the generated client against raw reqwest.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::measure;
use crate::corpus::{cargo, workspace_root};

/// What `wrk` loads, with its Lua script (if any).
const LOADS: [(&str, &str, Option<&str>); 3] = [
    ("small GET", "/puppies/7", None),
    ("GET of a 100-item list", "/puppies?limit=100", None),
    (
        "JSON POST (checked body, bearer token)",
        "/cart/items",
        Some(POST_SCRIPT),
    ),
];

/// A new cart per request (a fresh token), so every answer is a 201; the
/// tokens of each `wrk` run begin with its first argument.
const POST_SCRIPT: &str = r#"wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"puppyId": 7, "note": "a good dog"}'
local prefix = "t"
local n = 0
init = function(args)
  prefix = args[1] or "t"
end
request = function()
  n = n + 1
  wrk.headers["Authorization"] = "Bearer " .. prefix .. n
  return wrk.format()
end
"#;

const SERVERS: [&str; 2] = ["shop-generated", "shop-baseline"];

/// Builds the benchmark binaries in release and returns their folder.
pub(super) fn build_bins() -> Result<PathBuf, String> {
    eprintln!("building: cargo build --release -p uniapi-bench");
    let status = cargo()
        .current_dir(workspace_root())
        .args(["build", "--release", "-p", "uniapi-bench"])
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("`cargo build --release -p uniapi-bench` failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    Ok(target.join("release"))
}

/// A server process, killed when dropped.
pub(super) struct Server(pub(super) Child, pub(super) String);

impl Server {
    pub(super) fn start(bin: &Path) -> Result<Server, String> {
        let mut child = Command::new(bin)
            .arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            BufReader::new(out)
                .read_line(&mut line)
                .map_err(|e| format!("no address from {}: {e}", bin.display()))?;
        }
        Ok(Server(child, line.trim().to_owned()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Requests per second, p99 latency in ms, and non-2xx answers of a `wrk` run.
fn wrk(
    url: &str,
    script: Option<&Path>,
    tag: &str,
    seconds: u32,
    connections: u32,
) -> Result<(f64, f64, u64), String> {
    let mut command = Command::new("wrk");
    command.args([
        "-t1",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command
        .arg(url)
        .args(["--", tag])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run wrk (apt-get install wrk): {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("wrk printed no Requests/sec:\n{text}"))?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| millis(v.trim()))
        .ok_or_else(|| format!("wrk printed no 99% latency:\n{text}"))?;
    let errors = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    Ok((rps, p99, errors))
}

/// `812.00us`, `1.23ms`, `2.00s` in milliseconds.
fn millis(v: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

pub fn serve(cache: &Path, runs: usize, seconds: u32, connections: u32) -> Result<String, String> {
    let bins = build_bins()?;
    let script = cache.join("post.lua");
    std::fs::write(&script, POST_SCRIPT)
        .map_err(|e| format!("cannot write {}: {e}", script.display()))?;
    let mut out = String::new();
    writeln!(
        out,
        "## Server overhead: generated puppy-shop server vs hand-written axum\n\n\
         `wrk -t1 -c{connections} -d{seconds}s --latency`, a fresh server process per run \
         (seeded with 1,000 puppies), runs alternating A B B A; median (spread) of {runs}.\n"
    )
    .ok();
    writeln!(out, "| load | generated req/s | hand-written req/s | throughput ratio | generated p99 | hand-written p99 | p99 ratio |").ok();
    writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |").ok();
    for (label, path, lua) in LOADS {
        let mut results: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
        for r in 0..runs * 2 {
            // A B B A B A A B ...
            let which = (r % 2) ^ ((r / 2) % 2);
            let server = Server::start(&bins.join(SERVERS[which]))?;
            let url = format!("http://{}{path}", server.1);
            let script = lua.map(|_| script.as_path());
            wrk(&url, script, "warm", 1, connections)?;
            let (rps, p99, errors) = wrk(&url, script, "run", seconds, connections)?;
            if errors > 0 {
                return Err(format!(
                    "{}: {errors} answers were not 2xx for {label}",
                    SERVERS[which]
                ));
            }
            results[which].push((rps, p99));
        }
        let rps = |v: &[(f64, f64)]| v.iter().map(|x| x.0).collect::<Vec<_>>();
        let p99 = |v: &[(f64, f64)]| v.iter().map(|x| x.1).collect::<Vec<_>>();
        let summary = |v: Vec<f64>, digits: usize| match measure::median(&v) {
            Some((m, lo, hi)) => (m, format!("{m:.digits$} ({lo:.digits$}–{hi:.digits$})")),
            None => (0.0, "–".into()),
        };
        let (g_rps, g_rps_s) = summary(rps(&results[0]), 0);
        let (b_rps, b_rps_s) = summary(rps(&results[1]), 0);
        let (g_p99, g_p99_s) = summary(p99(&results[0]), 2);
        let (b_p99, b_p99_s) = summary(p99(&results[1]), 2);
        writeln!(
            out,
            "| {label} | {g_rps_s} | {b_rps_s} | {:.3} | {g_p99_s} ms | {b_p99_s} ms | {:.3} |",
            g_rps / b_rps.max(1e-9),
            g_p99 / b_p99.max(1e-9),
        )
        .ok();
    }
    Ok(out)
}

pub fn client(runs: usize) -> Result<String, String> {
    let bins = build_bins()?;
    let output = Command::new(bins.join("client-bench"))
        .args([runs.max(3).to_string(), "400".into()])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run client-bench: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "client-bench failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut out = String::new();
    writeln!(
        out,
        "## Client overhead: generated client vs raw reqwest\n\n\
         Sequential calls to the generated shop server in the same process, rounds \
         alternating A B B A; median time per call (spread over rounds).\n"
    )
    .ok();
    writeln!(
        out,
        "| calls | generated client | raw reqwest | throughput ratio (generated / raw) |"
    )
    .ok();
    writeln!(out, "| --- | ---: | ---: | ---: |").ok();
    for line in String::from_utf8_lossy(&output.stdout).lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if let [kind, g, r, ratio, sg, sr] = f[..] {
            writeln!(out, "| {kind} | {g} µs ({sg}) | {r} µs ({sr}) | {ratio} |").ok();
        }
    }
    Ok(out)
}
