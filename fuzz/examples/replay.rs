//! Replays inputs through the fuzz target's code on stable, without
//! libFuzzer, and prints what became of each: for a crash that libFuzzer
//! saved, or to see what a corpus reaches.
//!
//! ```text
//! cargo run --example replay -- artifacts/router/crash-… corpus/router
//! ```
//!
//! Each argument is a file or a directory of them. Prints one line per
//! input, then the counts; exits with 1 if an input broke the property (a
//! panic unwinds as it would in the fuzzer). `-v` prints each answer's body
//! too.

use std::collections::BTreeMap;
use std::path::PathBuf;

use uniapi_fuzz::Outcome;

fn main() {
    let mut verbose = false;
    let mut paths = Vec::new();
    for arg in std::env::args_os().skip(1) {
        if arg == "-v" {
            verbose = true;
            continue;
        }
        let path = PathBuf::from(arg);
        match std::fs::read_dir(&path) {
            Ok(entries) => {
                let mut files: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
                files.sort();
                paths.extend(files);
            }
            Err(_) => paths.push(path),
        }
    }
    let mut counts = BTreeMap::<String, usize>::new();
    let mut failed = 0;
    for path in &paths {
        let data = match std::fs::read(path) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                std::process::exit(2);
            }
        };
        let (line, count) = match uniapi_fuzz::run(&data) {
            Ok(Outcome::Skipped(why)) => (format!("skipped: {why}"), "skipped".to_owned()),
            Ok(Outcome::Answered(answer)) => {
                let status = answer.status.as_u16().to_string();
                let body = String::from_utf8_lossy(&answer.body);
                let line = match verbose {
                    true => format!("{status} {body}"),
                    false => status.clone(),
                };
                (line, status)
            }
            Err(failure) => {
                failed += 1;
                (format!("FAILED: {failure}"), "failed".to_owned())
            }
        };
        println!("{}: {line}", path.display());
        *counts.entry(count).or_default() += 1;
    }
    let counts: Vec<_> = counts.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    println!("{} inputs; {}", paths.len(), counts.join(", "));
    if failed > 0 {
        std::process::exit(1);
    }
}
