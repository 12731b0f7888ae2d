//! `bench compile`: `cargo check` of the crate generated from GitHub's spec,
//! uniapi's (both sides, client only, server only) against OpenAPI
//! Generator's `rust` client, in one cargo target dir, runs rotated.

use std::fmt::Write as _;
use std::path::Path;

use super::measure::{self, Sample, median_secs, secs_summary};
use super::{mb, rust_lines, tools};
use crate::corpus::{build_uniapi, fetch};

const GITHUB: &str = "github.com/api.github.com.json";

/// How one crate is checked.
pub struct CheckOptions<'a> {
    /// The cargo target dir (shared, so dependencies build once).
    pub target: &'a Path,
    /// `Some(features)`: `--no-default-features --features features`.
    pub features: Option<&'a str>,
}

/// Touches `dir/src/lib.rs`, empties the target dir's incremental caches
/// and runs `cargo check --lib` in `dir`: with the dependencies built, this
/// measures a cold check of the crate itself, as after a change of the
/// spec (with its cache kept, a check of unchanged code is a no-op).
pub fn cargo_check(dir: &Path, options: &CheckOptions<'_>) -> Result<Sample, String> {
    let incremental = options.target.join("debug").join("incremental");
    if incremental.is_dir() {
        std::fs::remove_dir_all(&incremental)
            .map_err(|e| format!("cannot empty {}: {e}", incremental.display()))?;
    }
    let lib = dir.join("src").join("lib.rs");
    let file = std::fs::File::options()
        .append(true)
        .open(&lib)
        .map_err(|e| format!("cannot open {}: {e}", lib.display()))?;
    file.set_modified(std::time::SystemTime::now())
        .map_err(|e| format!("cannot touch {}: {e}", lib.display()))?;
    let mut args = vec!["check", "--lib", "--quiet"];
    if let Some(features) = options.features {
        args.extend(["--no-default-features", "--features", features]);
    }
    let target = options.target.to_string_lossy();
    let log = dir.join("check.log");
    let _ = std::fs::remove_file(&log);
    measure::run(
        Path::new("cargo"),
        &args,
        dir,
        &[("CARGO_TARGET_DIR", &target)],
        Some(&log),
    )
}

/// Builds what the crate in `dir` depends on, not the crate: its `lib.rs`
/// is emptied for the check and put back after.
pub fn warm_dependencies(dir: &Path, options: &CheckOptions<'_>) -> Result<Sample, String> {
    let lib = dir.join("src").join("lib.rs");
    let kept = dir.join("src").join("lib.rs.kept");
    std::fs::rename(&lib, &kept).map_err(|e| format!("cannot move {}: {e}", lib.display()))?;
    let result = std::fs::write(&lib, "")
        .map_err(|e| format!("cannot write {}: {e}", lib.display()))
        .and_then(|()| cargo_check(dir, options));
    std::fs::rename(&kept, &lib).map_err(|e| format!("cannot restore {}: {e}", lib.display()))?;
    result
}

pub fn compile(cache: &Path, corpus: &Path, runs: usize, peer: bool) -> Result<String, String> {
    let uniapi = build_uniapi()?;
    let spec = fetch::fetch(corpus)?.join(GITHUB);
    let work = cache.join("compile");
    let target = cache.join("target-compile");
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot make {}: {e}", work.display()))?;

    let ours = work.join("uniapi-github");
    if ours.exists() {
        std::fs::remove_dir_all(&ours)
            .map_err(|e| format!("cannot remove {}: {e}", ours.display()))?;
    }
    let generated = measure::run(
        &uniapi,
        &[
            "new",
            &spec.to_string_lossy(),
            "-o",
            &ours.to_string_lossy(),
            "--name",
            "github",
        ],
        &work,
        &[],
        None,
    )?;
    if !generated.success {
        return Err("uniapi could not generate GitHub's crate".into());
    }
    let mut variants: Vec<(String, &Path, Option<&str>)> = vec![
        ("uniapi, server and client".into(), &ours, None),
        ("uniapi, client only".into(), &ours, Some("client")),
        ("uniapi, server only".into(), &ours, Some("server")),
    ];
    let theirs = work.join("openapi-generator-github");
    let mut peer_generation = None;
    if peer {
        let ogen = tools::openapi_generator(cache)?;
        if theirs.exists() {
            std::fs::remove_dir_all(&theirs)
                .map_err(|e| format!("cannot remove {}: {e}", theirs.display()))?;
        }
        let sample = measure::run(
            &ogen,
            &[
                "generate",
                "-g",
                "rust",
                "-i",
                &spec.to_string_lossy(),
                "-o",
                &theirs.to_string_lossy(),
                "--additional-properties=packageName=github_ogen,packageVersion=0.1.0",
                "--skip-validate-spec",
            ],
            &work,
            &[],
            Some(&work.join("openapi-generator.log")),
        )?;
        if !sample.success {
            return Err(format!(
                "OpenAPI Generator failed; see {}",
                work.join("openapi-generator.log").display()
            ));
        }
        peer_generation = Some(sample);
        variants.insert(
            1,
            (
                format!(
                    "OpenAPI Generator {} `rust` (a client)",
                    tools::OPENAPI_GENERATOR_VERSION
                ),
                &theirs,
                None,
            ),
        );
    }

    // Build every dependency first, then measure the crates alone.
    for (name, dir, features) in &variants {
        eprintln!("building the dependencies of: {name}");
        let check = CheckOptions {
            target: &target,
            features: *features,
        };
        let sample = warm_dependencies(dir, &check)?;
        if !sample.success {
            return Err(format!(
                "`cargo check` of the dependencies of {name} failed; see {}",
                dir.join("check.log").display()
            ));
        }
    }
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); variants.len()];
    for r in 0..runs {
        // Rotate the order, so that no variant always runs first.
        for k in 0..variants.len() {
            let v = (k + r) % variants.len();
            let (name, dir, features) = &variants[v];
            eprintln!("run {}/{runs}: {name}", r + 1);
            let check = CheckOptions {
                target: &target,
                features: *features,
            };
            let sample = cargo_check(dir, &check)?;
            if !sample.success {
                return Err(format!(
                    "`cargo check` of {name} failed; see {}",
                    dir.join("check.log").display()
                ));
            }
            eprintln!(
                "  {:.1} s wall, {:.1} s CPU, {} peak",
                sample.wall.as_secs_f64(),
                sample.cpu.as_secs_f64(),
                mb(sample.max_rss)
            );
            samples[v].push(sample);
        }
    }

    let mut out = String::new();
    writeln!(
        out,
        "## `cargo check` of the crate generated from GitHub's spec\n"
    )
    .ok();
    writeln!(out, "Each figure is the crate alone (its dependencies built before), median (spread) of {runs} runs.\n").ok();
    writeln!(
        out,
        "| crate | lines | wall | CPU | peak RSS | wall / OpenAPI Generator's |"
    )
    .ok();
    writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: |").ok();
    let peer_wall =
        peer.then(|| median_secs(&samples[1].iter().map(|s| s.wall).collect::<Vec<_>>()));
    for ((name, dir, _), s) in variants.iter().zip(&samples) {
        let walls: Vec<_> = s.iter().map(|s| s.wall).collect();
        let cpus: Vec<_> = s.iter().map(|s| s.cpu).collect();
        let ratio = peer_wall.map_or("–".into(), |p| {
            format!("{:.2}", median_secs(&walls) / p.max(1e-9))
        });
        writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {ratio} |",
            rust_lines(dir),
            secs_summary(&walls),
            secs_summary(&cpus),
            mb(s.iter().map(|s| s.max_rss).max().unwrap_or(0)),
        )
        .ok();
    }
    writeln!(
        out,
        "\nGeneration of these crates: uniapi {:.2} s wall{}.",
        generated.wall.as_secs_f64(),
        peer_generation.map_or(String::new(), |s| format!(
            ", OpenAPI Generator {:.2} s wall",
            s.wall.as_secs_f64()
        ))
    )
    .ok();
    Ok(out)
}
