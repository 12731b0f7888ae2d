//! `cargo run --release -p xtask -- bench TASK`: whole-process and load
//! comparisons, side by side on one machine in one run (see BENCHMARKS.md).
//!
//! - `generate`: uniapi on GitHub's spec and graph-beta (wall, CPU, peak
//!   memory), and on median-sized corpus specs against progenitor.
//! - `scale`: generation and `cargo check` time over a spread of specs.
//! - `compile`: `cargo check` of the generated GitHub crate (both sides,
//!   client only, server only) against OpenAPI Generator's `rust` client.
//! - `config`: one tag of graph-beta generated and checked (`[select]`);
//!   GitHub's crate checked with one tag's feature against all of them.
//! - `serve`: the generated puppy-shop server against a hand-written axum
//!   one, under `wrk`.
//! - `client`: the generated client against raw reqwest.
//! - `events`: server-sent events per second, the generated server and
//!   client against axum's `Sse` and a hand-written parser.
//!
//! Runs alternate between the things compared (A B B A ...), each figure
//! is a median with its spread, and every comparison prints a ratio.

mod compile;
mod config;
mod events;
mod generate;
mod measure;
mod serve;
mod tools;

use std::path::{Path, PathBuf};

pub use measure::Sample;

/// `xtask bench --help` lists the tasks.
#[derive(Debug, clap::Args)]
pub struct Options {
    #[command(subcommand)]
    pub task: Task,
    /// Tools, generated crates and cargo target dirs [default: $HOME/.cache/uniapi-bench]
    #[arg(long, global = true)]
    pub cache: Option<PathBuf>,
    /// The corpus (fetched as `xtask corpus` does) [default: $HOME/.cache/uniapi-corpus]
    #[arg(long, global = true)]
    pub corpus: Option<PathBuf>,
    /// Measured runs of each thing compared
    #[arg(long, global = true, default_value_t = 5)]
    pub runs: usize,
}

#[derive(Debug, clap::Subcommand)]
pub enum Task {
    /// Generation time and memory: GitHub, graph-beta, median specs vs progenitor.
    Generate,
    /// Generation and compile time against spec size, over a spread of corpus specs.
    Scale {
        /// How many specs, spread evenly over the sizes of the corpus
        #[arg(long, default_value_t = 10)]
        specs: usize,
    },
    /// `cargo check` of the generated GitHub crate vs OpenAPI Generator `rust`.
    Compile {
        /// Skip OpenAPI Generator (uniapi's crate only)
        #[arg(long)]
        no_peer: bool,
    },
    /// One tag of graph-beta (`[select]`); GitHub with one tag's feature vs all.
    Config,
    /// Generated server vs hand-written axum, loaded by `wrk`.
    Serve {
        /// Seconds of load per measurement
        #[arg(long, default_value_t = 8)]
        seconds: u32,
        /// Open connections
        #[arg(long, default_value_t = 32)]
        connections: u32,
    },
    /// Generated client vs raw reqwest making the same calls.
    Client,
    /// Server-sent events per second: generated server and client vs axum `Sse` and a hand parser.
    Events {
        /// Events per measured stream
        #[arg(long, default_value_t = 500_000)]
        events: u64,
        /// Only the generated pair and the hand-written pair, not the mixed ones
        #[arg(long)]
        no_mixed: bool,
        /// The clients' tokio runtime
        #[arg(long, value_enum, default_value_t = events::Runtime::Both)]
        runtime: events::Runtime,
    },
    /// Internal: runs a command and prints what it cost.
    #[command(hide = true)]
    Exec {
        program: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Runs a task; its report goes to stdout and to `CACHE/results/TASK.md`.
pub fn run(options: &Options) -> Result<(), String> {
    if let Task::Exec { program, args } = &options.task {
        return measure::exec(program, args);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cache = options
        .cache
        .clone()
        .unwrap_or_else(|| home.join(".cache").join("uniapi-bench"));
    let corpus = options
        .corpus
        .clone()
        .unwrap_or_else(|| home.join(".cache").join("uniapi-corpus"));
    std::fs::create_dir_all(cache.join("results"))
        .map_err(|e| format!("cannot make {}: {e}", cache.display()))?;
    let runs = options.runs.max(1);
    let (name, report) = match &options.task {
        Task::Generate => ("generate", generate::generate(&cache, &corpus, runs)?),
        Task::Scale { specs } => ("scale", generate::scale(&cache, &corpus, runs, *specs)?),
        Task::Compile { no_peer } => (
            "compile",
            compile::compile(&cache, &corpus, runs, !no_peer)?,
        ),
        Task::Serve {
            seconds,
            connections,
        } => ("serve", serve::serve(&cache, runs, *seconds, *connections)?),
        Task::Config => ("config", config::config(&cache, &corpus, runs)?),
        Task::Client => ("client", serve::client(runs)?),
        Task::Events {
            events,
            no_mixed,
            runtime,
        } => (
            "events",
            events::events(runs, (*events).max(1), !no_mixed, *runtime)?,
        ),
        Task::Exec { .. } => unreachable!("handled above"),
    };
    let header = format!(
        "<!-- xtask bench {name}, {} runs, {} -->\n\n",
        runs,
        machine()
    );
    let path = cache.join("results").join(format!("{name}.md"));
    std::fs::write(&path, format!("{header}{report}"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("{report}");
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Cores, memory and load, for the report's header.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    format!("{cores} cores, load average {load} at the end")
}

/// Removes `dir` if it exists, then makes it.
fn fresh_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))
}

/// Lines of the `.rs` files under `dir/src`.
fn rust_lines(dir: &Path) -> usize {
    let mut total = 0;
    let mut folders = vec![dir.join("src")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                total += std::fs::read_to_string(&path).map_or(0, |s| s.lines().count());
            }
        }
    }
    total
}

/// Operations and component schemas of a spec.
fn spec_size(spec: &Path) -> (usize, usize) {
    let Ok(text) = std::fs::read(spec) else {
        return (0, 0);
    };
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return (0, 0);
    };
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let operations = doc["paths"].as_object().map_or(0, |paths| {
        paths
            .values()
            .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
            .sum()
    });
    let schemas = doc["components"]["schemas"]
        .as_object()
        .map_or(0, |s| s.len());
    (operations, schemas)
}

fn mb(bytes: u64) -> String {
    format!("{} MB", bytes / 1_000_000)
}
