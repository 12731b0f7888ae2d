//! Names from anywhere: specs written from random names (keywords, leading
//! digits, punctuation, unicode, names equal after case conversion, names
//! of what uniapi generates) as operationIds, parameters of every
//! location, properties, schemas, enum values, media types, tags, header
//! and security scheme names. Each must generate without a panic and
//! without an error, and a sample must build warning-free (clippy, with
//! the default features and with all of them).
//!
//! `cargo test` runs a bounded, seeded sample. A long run:
//! `UNIAPI_NAMES_CASES=10000 UNIAPI_NAMES_COMPILE=200 cargo test -p uniapi
//! --test it names -- --nocapture` (`UNIAPI_NAMES_SEED` picks another
//! seed). A failing case's spec is kept in `target/names/failed/`.

mod spec;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use crate::root;

/// Cases generated, and crates of them compiled, by default (CI).
const CASES: usize = 200;
const COMPILED: usize = 8;
const SEED: u64 = 0x6e61_6d65_7331;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_names_generate_and_compile() {
    let seed = env_or("UNIAPI_NAMES_SEED", SEED);
    // `UNIAPI_NAMES_CASE=17,40`: those cases only, each compiled.
    let (cases, compiled): (Vec<usize>, Vec<usize>) = match std::env::var("UNIAPI_NAMES_CASE") {
        Ok(list) => {
            let cases: Vec<usize> = list
                .split(',')
                .filter_map(|c| c.trim().parse().ok())
                .collect();
            (cases.clone(), cases)
        }
        Err(_) => {
            let count = env_or("UNIAPI_NAMES_CASES", CASES as u64) as usize;
            let compile = env_or("UNIAPI_NAMES_COMPILE", COMPILED as u64) as usize;
            // Every `step`th case is compiled.
            let step = count.div_ceil(compile.max(1)).max(1);
            let compiled = (0..count).step_by(step).take(compile).collect();
            ((0..count).collect(), compiled)
        }
    };
    let dir = root().join("target/names");
    let specs = dir.join("specs");
    let failed = dir.join("failed");
    let _ = std::fs::remove_dir_all(&failed);
    std::fs::create_dir_all(&specs).expect("target/names/specs");

    let started = Instant::now();
    // The cases on every core, each worker every `workers`th one.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut outcomes: Vec<(usize, Outcome)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..workers)
            .map(|first| {
                let (specs, cases, compiled) = (&specs, &cases, &compiled);
                s.spawn(move || {
                    cases
                        .iter()
                        .skip(first)
                        .step_by(workers)
                        .map(|&case| {
                            let keep = compiled.contains(&case);
                            (case, generate(seed, case, specs, keep))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker"))
            .collect()
    });
    outcomes.sort_by_key(|(case, _)| *case);
    let mut failures = Vec::new();
    let mut crates = Vec::new();
    for (case, outcome) in outcomes {
        match outcome {
            Outcome::Generated(Some(krate)) => crates.push((case, krate)),
            Outcome::Generated(None) => {}
            Outcome::Failed(problem) => {
                keep(&failed, &specs, case);
                failures.push(format!("case {case}: {problem}"));
            }
        }
    }
    let generated = started.elapsed();
    let (broken, cargo) = compile(&dir.join("workspace"), &crates, &specs, &failed);
    println!(
        "random names (seed {seed:#x}): {} specs generated in {generated:.1?}, {} failed; \
         {} crates compiled in {:.1?}, {} failed",
        cases.len(),
        failures.len(),
        crates.len(),
        started.elapsed() - generated,
        broken.len(),
    );
    failures.extend(
        broken
            .iter()
            .map(|case| format!("case {case} does not build")),
    );
    failures.extend(cargo);
    assert!(
        failures.is_empty(),
        "random-name specs fail (specs in {}):\n{}",
        failed.display(),
        failures.join("\n")
    );
}

enum Outcome {
    /// Generated, with the crate where it is to be compiled.
    Generated(Option<uniapi::Crate>),
    /// Why not.
    Failed(String),
}

/// Writes case `case`'s spec into `specs` and generates it.
fn generate(seed: u64, case: usize, specs: &Path, keep: bool) -> Outcome {
    let path = specs.join(format!("case-{case}.json"));
    std::fs::write(&path, spec::write(seed, case as u64)).expect("writing a spec");
    let config = uniapi::Config {
        crate_name: Some(format!("names-{case}")),
        ..uniapi::Config::default()
    };
    match std::panic::catch_unwind(|| uniapi::generate(&path, &config)) {
        Ok(Ok(generated)) if !generated.warnings.has_errors() => {
            Outcome::Generated(keep.then_some(generated.krate))
        }
        Ok(Ok(generated)) => Outcome::Failed(format!("errors:\n{}", generated.warnings)),
        Ok(Err(diagnostics)) => Outcome::Failed(format!("does not generate:\n{diagnostics}")),
        Err(panic) => Outcome::Failed(format!("panics: {}", panic_message(&*panic))),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// Copies case `case`'s spec into `failed`.
fn keep(failed: &Path, specs: &Path, case: usize) {
    let name = format!("case-{case}.json");
    std::fs::create_dir_all(failed).expect("target/names/failed");
    std::fs::copy(specs.join(&name), failed.join(&name)).expect("keeping a spec");
}

/// Writes `crates` as one workspace in `dir` (dependencies built once, in
/// the target directory the feature snapshots use) and lints it with
/// warnings denied, with the default features and with all of them: the
/// cases that fail, and cargo's words.
fn compile(
    dir: &Path,
    crates: &[(usize, uniapi::Crate)],
    specs: &Path,
    failed: &Path,
) -> (BTreeSet<usize>, Vec<String>) {
    let mut broken = BTreeSet::new();
    let mut cargo = Vec::new();
    if crates.is_empty() {
        return (broken, cargo);
    }
    let _ = std::fs::remove_dir_all(dir);
    let mut members = String::new();
    for (case, krate) in crates {
        let _ = write!(members, "\"case-{case}\", ");
        for file in &krate.files {
            uniapi::write::write_if_changed(
                &dir.join(format!("case-{case}")).join(&file.path),
                &file.contents,
            )
            .expect("writing a crate");
        }
    }
    // The feature snapshots' workspace's profile and lock file, so that
    // their dependencies, built already, serve here too.
    let features = root().join("tests/snapshots/features");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{members}]\n\n\
             [profile.dev]\ndebug = \"line-tables-only\"\nincremental = false\n"
        ),
    )
    .expect("writing the workspace");
    std::fs::copy(features.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copying Cargo.lock");
    for features in [&[][..], &["--all-features"][..]] {
        let output = std::process::Command::new(env!("CARGO"))
            .args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--keep-going",
                "--quiet",
            ])
            .args(features)
            .args(["--", "-D", "warnings"])
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", root().join("target/features"))
            .output()
            .expect("cargo runs");
        if output.status.success() {
            continue;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        for (case, _) in crates {
            if stderr.contains(&format!("`names-{case}`")) && broken.insert(*case) {
                keep(failed, specs, *case);
            }
        }
        // Always (also when it names no crate): the test fails on it.
        cargo.push(format!("cargo clippy {features:?}:\n{stderr}"));
    }
    (broken, cargo)
}
