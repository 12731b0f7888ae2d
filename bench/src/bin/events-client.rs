//! Reads a stream of events from a server of `bench/src/bin/events-*.rs`:
//! `events-client generated|hand BASE_URL COUNT [multi|current]`.
//! `generated` reads with the generated client, `hand` with the
//! hand-written parser (`uniapi_bench::events`); on tokio's multi-thread
//! runtime (the default, as `#[tokio::main]` makes) or its current-thread
//! one. Prints `events seconds cpu_seconds`: how many arrived (all, in
//! order, or it fails), the wall time from the request to the last, and
//! this process's CPU time over the same span (Linux).

use std::time::Instant;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (reader, base, count, flavor) = match &args[..] {
        [reader, base, count] => (reader, base, count, "multi"),
        [reader, base, count, flavor] => (reader, base, count, flavor.as_str()),
        _ => {
            return Err(
                "usage: events-client generated|hand BASE_URL COUNT [multi|current]".into(),
            );
        }
    };
    let count: i64 = count.parse().map_err(|e| format!("COUNT: {e}"))?;
    let runtime = match flavor {
        "multi" => tokio::runtime::Builder::new_multi_thread(),
        "current" => tokio::runtime::Builder::new_current_thread(),
        other => return Err(format!("no runtime {other:?}: multi or current")),
    }
    .enable_all()
    .build()
    .map_err(|e| format!("a runtime: {e}"))?;
    let cpu = cpu_seconds();
    let start = Instant::now();
    let read = runtime.block_on(async {
        match reader.as_str() {
            "generated" => uniapi_bench::events::read_generated(base, count).await,
            "hand" => uniapi_bench::events::read_by_hand(base, count).await,
            other => Err(format!("no reader {other:?}: generated or hand")),
        }
    })?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    if read != count {
        return Err(format!("{read} events of {count}"));
    }
    println!("{read} {wall:.4} {cpu:.3}");
    Ok(())
}

/// User and system CPU time of this process so far, every thread.
fn cpu_seconds() -> f64 {
    uniapi_bench::cpu_seconds("self").unwrap_or(0.0)
}
