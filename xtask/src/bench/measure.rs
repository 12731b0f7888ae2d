//! Running a child process and measuring it: wall time, CPU time, and the
//! peak resident memory of it and its descendants.
//!
//! The memory figure comes from `getrusage(RUSAGE_CHILDREN)`, which covers
//! every child a process has waited for, so each measured command runs
//! under a fresh `xtask bench exec` of this same binary that runs only it
//! and prints its figures (no `unsafe`, no dependence on GNU `time`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run of a command cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub wall: Duration,
    /// User plus system CPU time of the process and its descendants.
    pub cpu: Duration,
    /// Peak resident set size of the process or its largest descendant, in bytes.
    pub max_rss: u64,
    pub success: bool,
}

/// Runs `program args` to its end in `dir`, its output appended to `log`
/// (or dropped), and measures it.
pub fn run(
    program: &Path,
    args: &[&str],
    dir: &Path,
    envs: &[(&str, &str)],
    log: Option<&Path>,
) -> Result<Sample, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?;
    let mut command = Command::new(me);
    command
        .args(["bench", "exec", "--"])
        .arg(program)
        .args(args)
        .current_dir(dir)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    match log {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            command.stderr(file);
        }
        None => {
            command.stderr(Stdio::null());
        }
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or_default();
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [wall, cpu, rss, ok] = fields[..] else {
        return Err(format!("`xtask bench exec` printed {line:?}"));
    };
    let secs = |s: &str| {
        s.parse::<f64>()
            .map(Duration::from_secs_f64)
            .unwrap_or_default()
    };
    Ok(Sample {
        wall: secs(wall),
        cpu: secs(cpu),
        max_rss: rss.parse().unwrap_or(0),
        success: ok == "ok",
    })
}

/// `xtask bench exec -- PROGRAM ARGS...`: runs the program with its
/// stdout sent to our stderr, then prints `wall cpu max_rss ok|failed`
/// (seconds, seconds, bytes) as our only stdout line.
pub fn exec(program: &str, args: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let wall = start.elapsed();
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map_err(|e| format!("getrusage: {e}"))?;
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::new(t.tv_sec().max(0) as u64, t.tv_usec().max(0) as u32 * 1000)
    };
    let cpu = tv(usage.user_time()) + tv(usage.system_time());
    println!(
        "{:.4} {:.4} {} {}",
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        usage.max_rss().max(0) as u64 * 1024,
        if status.success() { "ok" } else { "failed" }
    );
    Ok(())
}

/// The median of `values` (the upper one of an even count), and the
/// smallest and largest.
pub fn median<T: Copy + PartialOrd>(values: &[T]) -> Option<(T, T, T)> {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Some((*v.get(v.len() / 2)?, *v.first()?, *v.last()?))
}

/// `1.23 s (1.10–1.40)`: the median and spread of durations.
pub fn secs_summary(values: &[Duration]) -> String {
    match median(values) {
        Some((m, lo, hi)) => format!(
            "{:.2} s ({:.2}–{:.2})",
            m.as_secs_f64(),
            lo.as_secs_f64(),
            hi.as_secs_f64()
        ),
        None => "–".into(),
    }
}

/// The median of `values` in seconds (0 when empty).
pub fn median_secs(values: &[Duration]) -> f64 {
    median(values).map_or(0.0, |(m, _, _)| m.as_secs_f64())
}
