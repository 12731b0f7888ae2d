//! Generating one crate per spec, each in a child `uniapi new` process with
//! a timeout, a few at a time.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::vocabulary::{Signature, Vocabulary};

/// How one generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Exit 0: the crate was written.
    Generated,
    /// Exit 1: uniapi reported errors (or could not write).
    Rejected,
    /// Exit 101: a Rust panic.
    Panicked,
    /// Killed after the timeout.
    TimedOut,
    /// Any other end: a signal (stack overflow, out of memory), an odd exit
    /// code, or a process that could not be started.
    Crashed,
}

impl Outcome {
    /// The `generated` column of `corpus.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Generated => "yes",
            Outcome::Rejected => "no",
            Outcome::Panicked => "panic",
            Outcome::TimedOut => "timeout",
            Outcome::Crashed => "crash",
        }
    }
}

/// One spec to generate.
#[derive(Debug)]
pub struct Job {
    pub spec: PathBuf,
    /// The spec's path below the package's `api/` folder, for people.
    pub label: String,
    /// The crate's name, also the last part of `dir`.
    pub name: String,
    /// Where `uniapi new` writes the crate.
    pub dir: PathBuf,
    /// Where its stdout and stderr go.
    pub log: PathBuf,
    /// Whether the crate stays on disk after it is generated.
    pub keep: Keep,
}

/// What happens to a generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Removed once generated (and read, for its signature).
    No,
    /// Kept for the compile check.
    Yes,
    /// Kept when its `src/` holds at most this many bytes: a candidate for
    /// the coverage slice, which is chosen once every spec is generated.
    UpTo(u64),
}

/// What one generation produced.
#[derive(Debug)]
pub struct Generation {
    pub outcome: Outcome,
    pub diagnostics: usize,
    pub seconds: f64,
    pub first_error: Option<String>,
    /// For a generated crate, when a vocabulary was given: what it holds of it.
    pub signature: Option<Signature>,
    /// Whether the crate is still on disk.
    pub kept: bool,
}

/// Runs every job, `parallel` at a time, and returns their results in the
/// jobs' order. Fails only if the runner itself cannot go on.
pub fn generate_all(
    uniapi: &Path,
    jobs: &[Job],
    parallel: usize,
    timeout: Duration,
    vocabulary: Option<&Vocabulary>,
) -> Result<Vec<Generation>, String> {
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    let mut results: Vec<Option<Generation>> = jobs.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..parallel {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else { break };
                    if sender
                        .send((index, generate(uniapi, job, timeout, vocabulary)))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (done, (index, generation)) in receiver.into_iter().enumerate() {
            progress(done + 1, jobs.len(), &jobs[index], &generation);
            results[index] = Some(generation);
        }
    });
    let results: Vec<Generation> = results.into_iter().flatten().collect();
    if results.len() == jobs.len() {
        Ok(results)
    } else {
        Err("a generation worker stopped early".into())
    }
}

/// Reports failures that point at a bug as they happen, and a count every
/// 100 specs.
fn progress(done: usize, total: usize, job: &Job, generation: &Generation) {
    if matches!(
        generation.outcome,
        Outcome::Panicked | Outcome::TimedOut | Outcome::Crashed
    ) {
        eprintln!(
            "  {}: {} {} ({})",
            job.name,
            generation.outcome.as_str(),
            job.label,
            generation.first_error.as_deref().unwrap_or("no message")
        );
    }
    if done % 100 == 0 || done == total {
        eprintln!("  {done}/{total} specs done");
    }
}

/// Runs `uniapi new SPEC -o DIR --name NAME` and classifies how it ended;
/// with a vocabulary, reads a generated crate's signature.
fn generate(
    uniapi: &Path,
    job: &Job,
    timeout: Duration,
    vocabulary: Option<&Vocabulary>,
) -> Generation {
    let started = Instant::now();
    let ended = run_with_timeout(uniapi, job, timeout);
    let seconds = started.elapsed().as_secs_f64();
    let log = std::fs::read(&job.log).unwrap_or_default();
    let log = String::from_utf8_lossy(&log);
    let generated = matches!(ended, Ok(Some(status)) if status.code() == Some(0));
    let mut signature = None;
    let mut unreadable = None;
    if let (true, Some(vocabulary)) = (generated, vocabulary) {
        match vocabulary.signature_of(&job.dir) {
            Ok(read) => signature = Some(read),
            Err(e) => unreadable = Some(e),
        }
    }
    let kept = match job.keep {
        Keep::Yes => true,
        Keep::No => false,
        Keep::UpTo(bytes) => signature.as_ref().is_some_and(|s| s.bytes <= bytes),
    };
    if !kept {
        if let Err(e) = std::fs::remove_dir_all(&job.dir) {
            if e.kind() != std::io::ErrorKind::NotFound {
                eprintln!("warning: cannot remove {}: {e}", job.dir.display());
            }
        }
    }
    if let Some(e) = unreadable {
        // uniapi said it wrote the crate, but it cannot be read back.
        return Generation {
            outcome: Outcome::Crashed,
            diagnostics: 0,
            seconds,
            first_error: Some(format!("generated, but {e}")),
            signature: None,
            kept,
        };
    }
    let diagnostics = log
        .lines()
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        .count();
    let (outcome, first_error) = match ended {
        Err(message) => (Outcome::Crashed, Some(message)),
        Ok(None) => (
            Outcome::TimedOut,
            Some(format!("timed out after {} s", timeout.as_secs())),
        ),
        Ok(Some(status)) => match status.code() {
            Some(0) => (Outcome::Generated, None),
            Some(1) => (
                Outcome::Rejected,
                Some(first_line_with(&log, "error: ").unwrap_or_else(|| "exit 1".into())),
            ),
            Some(101) => (Outcome::Panicked, Some(panic_message(&log))),
            _ => (Outcome::Crashed, Some(crash_message(status, &log))),
        },
    };
    Generation {
        outcome,
        diagnostics,
        seconds,
        first_error,
        signature,
        kept,
    }
}

/// `Ok(Some(status))` when the child ended, `Ok(None)` when it was killed
/// after `timeout`, `Err` when it could not be run.
fn run_with_timeout(
    uniapi: &Path,
    job: &Job,
    timeout: Duration,
) -> Result<Option<ExitStatus>, String> {
    let log =
        File::create(&job.log).map_err(|e| format!("cannot create {}: {e}", job.log.display()))?;
    let log_too = log
        .try_clone()
        .map_err(|e| format!("cannot share {}: {e}", job.log.display()))?;
    let mut child = Command::new(uniapi)
        .arg("new")
        .arg(&job.spec)
        .arg("-o")
        .arg(&job.dir)
        .arg("--name")
        .arg(&job.name)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_too)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", uniapi.display()))?;
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(Some(status)),
            Ok(None) if Instant::now() >= deadline => {
                // Already ended, or cannot be killed: wait() below says which.
                let _ = child.kill();
                return match child.wait() {
                    Ok(_) => Ok(None),
                    Err(e) => Err(format!("cannot reap a timed-out uniapi: {e}")),
                };
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("cannot wait for uniapi: {e}")),
        }
    }
}

/// The first line starting with `prefix`, without it.
fn first_line_with(log: &str, prefix: &str) -> Option<String> {
    log.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|l| l.trim().to_owned())
}

/// `panic: MESSAGE (at FILE:LINE:COL)` from Rust's panic report:
/// `thread 'uniapi' panicked at FILE:LINE:COL:` and the message below it.
fn panic_message(log: &str) -> String {
    let mut lines = log.lines();
    while let Some(line) = lines.next() {
        if let Some((_, place)) = line.split_once(" panicked at ") {
            let place = place.trim_end_matches(':');
            let message = lines.next().unwrap_or("").trim();
            return format!("panic: {message} (at {place})");
        }
    }
    "panic (exit 101) without a panic message".into()
}

/// What ended the process, with the runtime's last words if it left any
/// (`thread '...' has overflowed its stack`, `memory allocation ... failed`).
fn crash_message(status: ExitStatus, log: &str) -> String {
    let last_words = log
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| format!(": {}", l.trim()))
        .unwrap_or_default();
    let how = match status.code() {
        Some(code) => format!("exit {code}"),
        None => signal(status),
    };
    format!("crash ({how}){last_words}")
}

#[cfg(unix)]
fn signal(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(signal) => format!("signal {signal}"),
        None => status.to_string(),
    }
}

#[cfg(not(unix))]
fn signal(status: ExitStatus) -> String {
    status.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_message_takes_the_line_after_the_location() {
        let log = "warning: x\n  --> a.json#/b\nthread 'uniapi' panicked at generator/src/lower/schema.rs:120:9:\nindex out of bounds\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            panic_message(log),
            "panic: index out of bounds (at generator/src/lower/schema.rs:120:9)"
        );
        assert_eq!(
            panic_message("nothing"),
            "panic (exit 101) without a panic message"
        );
    }

    #[test]
    fn first_error_is_the_first_error_line() {
        let log = "warning: w\n  --> f#\nerror: `$ref: #/x` points at nothing\n  --> f#/y\nerror: second\n2 error(s), 1 warning(s)\n";
        assert_eq!(
            first_line_with(log, "error: ").as_deref(),
            Some("`$ref: #/x` points at nothing")
        );
    }
}
