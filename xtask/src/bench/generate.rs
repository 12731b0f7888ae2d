//! `bench generate` and `bench scale`: generation time, memory and the
//! compile time of what was generated, against the size of the spec.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::measure::{self, Sample, median_secs, secs_summary};
use super::{fresh_dir, mb, rust_lines, spec_size, tools};
use crate::corpus::{build_uniapi, fetch};

/// How many median-sized specs are compared with progenitor.
const MEDIAN_SPECS: usize = 5;

pub fn generate(cache: &Path, corpus: &Path, runs: usize) -> Result<String, String> {
    let uniapi = build_uniapi()?;
    let api = fetch::fetch(corpus)?;
    let progenitor = tools::progenitor(cache)?;
    let work = cache.join("generate");
    let mut out = String::new();

    writeln!(out, "## Generation: big specs (uniapi, release build)\n").ok();
    writeln!(
        out,
        "| spec | operations | schemas | wall | CPU | peak RSS | lines |"
    )
    .ok();
    writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |").ok();
    for (spec, big_runs) in [
        ("github.com/api.github.com.json", runs),
        ("microsoft.com/graph-beta.json", runs.min(3)),
    ] {
        let path = api.join(spec);
        let dir = work.join("big");
        let mut samples = Vec::new();
        for _ in 0..big_runs {
            samples.push(uniapi_new(&uniapi, &path, &dir, "big")?);
        }
        let (ops, schemas) = spec_size(&path);
        writeln!(
            out,
            "| `{spec}` | {ops} | {schemas} | {} | {} | {} | {} |",
            secs_summary(&samples.iter().map(|s| s.wall).collect::<Vec<_>>()),
            secs_summary(&samples.iter().map(|s| s.cpu).collect::<Vec<_>>()),
            mb(samples.iter().map(|s| s.max_rss).max().unwrap_or(0)),
            rust_lines(&dir),
        )
        .ok();
    }

    // Median-sized specs that progenitor can generate.
    let mut specs: Vec<(u64, PathBuf)> = fetch::list_specs(&api)?
        .into_iter()
        .map(|p| {
            let full = api.join(&p);
            (std::fs::metadata(&full).map_or(0, |m| m.len()), full)
        })
        .collect();
    specs.sort();
    let middle = specs.len() / 2;
    let mut picked = Vec::new();
    for offset in 0..60usize {
        if picked.len() == MEDIAN_SPECS {
            break;
        }
        let i = if offset % 2 == 0 {
            middle + offset / 2
        } else {
            middle.saturating_sub(offset / 2 + 1)
        };
        let Some((_, spec)) = specs.get(i) else {
            continue;
        };
        let p = run_progenitor(&progenitor, spec, &work.join("progenitor"))?;
        let u = uniapi_new(&uniapi, spec, &work.join("uniapi"), "median")?;
        if p.success && u.success {
            picked.push(spec.clone());
        }
    }
    writeln!(
        out,
        "\n## Generation: median-sized corpus specs, uniapi vs progenitor {} (process start included)\n",
        tools::PROGENITOR_VERSION
    )
    .ok();
    writeln!(
        out,
        "| spec | KB | operations | schemas | uniapi wall | progenitor wall | progenitor / uniapi |"
    )
    .ok();
    writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |").ok();
    let mut ratios = Vec::new();
    for spec in &picked {
        let (mut u, mut p) = (Vec::new(), Vec::new());
        for r in 0..runs {
            // A B, then B A: neither always goes first.
            if r % 2 == 0 {
                u.push(uniapi_new(&uniapi, spec, &work.join("uniapi"), "median")?.wall);
                p.push(run_progenitor(&progenitor, spec, &work.join("progenitor"))?.wall);
            } else {
                p.push(run_progenitor(&progenitor, spec, &work.join("progenitor"))?.wall);
                u.push(uniapi_new(&uniapi, spec, &work.join("uniapi"), "median")?.wall);
            }
        }
        let ratio = median_secs(&p) / median_secs(&u).max(1e-9);
        ratios.push(ratio);
        let (ops, schemas) = spec_size(spec);
        writeln!(
            out,
            "| `{}` | {} | {ops} | {schemas} | {} | {} | {ratio:.2} |",
            label(&api, spec),
            std::fs::metadata(spec).map_or(0, |m| m.len()) / 1000,
            secs_summary(&u),
            secs_summary(&p),
        )
        .ok();
    }
    if let Some((m, _, _)) = measure::median(&ratios) {
        writeln!(
            out,
            "\nMedian ratio progenitor / uniapi: **{m:.2}** (above 1: uniapi is faster)."
        )
        .ok();
    }
    Ok(out)
}

pub fn scale(cache: &Path, corpus: &Path, runs: usize, count: usize) -> Result<String, String> {
    let uniapi = build_uniapi()?;
    let api = fetch::fetch(corpus)?;
    let work = cache.join("scale");
    let mut specs: Vec<(u64, PathBuf)> = fetch::list_specs(&api)?
        .into_iter()
        .map(|p| {
            let full = api.join(&p);
            (std::fs::metadata(&full).map_or(0, |m| m.len()), full)
        })
        .collect();
    specs.sort();
    // Evenly spread over the sorted sizes up to 3 MB (GitHub's 5.7 MB crate
    // is `bench compile`'s; the bigger ones take long to check).
    let usable: Vec<&(u64, PathBuf)> = specs
        .iter()
        .filter(|(size, _)| *size <= 3_000_000)
        .collect();
    let count = count.max(2);
    let mut picked: Vec<PathBuf> = (0..count)
        .map(|k| usable[(usable.len() - 1) * (k + 1) / count].1.clone())
        .collect();
    picked.dedup();

    let mut out = String::new();
    writeln!(
        out,
        "## Scaling: generation and `cargo check` against spec size\n"
    )
    .ok();
    writeln!(
        out,
        "| spec | KB | operations | schemas | generated lines | generate (wall) | `cargo check` of the crate (wall) | peak RSS of the check |"
    )
    .ok();
    writeln!(
        out,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    .ok();
    let target = cache.join("target-scale");
    for (i, spec) in picked.iter().enumerate() {
        let dir = work.join(format!("s{i:02}"));
        let mut generate = Vec::new();
        for _ in 0..runs {
            generate.push(uniapi_new(&uniapi, spec, &dir, &format!("s{i:02}"))?.wall);
        }
        // What the crate depends on is built first; then only the crate
        // is measured.
        let check = super::compile::CheckOptions {
            target: &target,
            features: None,
        };
        super::compile::warm_dependencies(&dir, &check)?;
        let mut checks: Vec<Sample> = Vec::new();
        let mut compiled = true;
        for _ in 0..runs.min(3) {
            let sample = super::compile::cargo_check(&dir, &check)?;
            compiled &= sample.success;
            checks.push(sample);
        }
        let (ops, schemas) = spec_size(spec);
        writeln!(
            out,
            "| `{}` | {} | {ops} | {schemas} | {} | {} | {} | {} |",
            label(&api, spec),
            std::fs::metadata(spec).map_or(0, |m| m.len()) / 1000,
            rust_lines(&dir),
            secs_summary(&generate),
            if compiled {
                secs_summary(&checks.iter().map(|s| s.wall).collect::<Vec<_>>())
            } else {
                "did not compile".into()
            },
            mb(checks.iter().map(|s| s.max_rss).max().unwrap_or(0)),
        )
        .ok();
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(out)
}

/// `uniapi new SPEC -o DIR --name NAME` into an emptied `DIR`.
fn uniapi_new(uniapi: &Path, spec: &Path, dir: &Path, name: &str) -> Result<Sample, String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    let spec = spec.to_string_lossy();
    let out = dir.to_string_lossy();
    let parent = dir.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot make {}: {e}", parent.display()))?;
    measure::run(
        uniapi,
        &["new", &spec, "-o", &out, "--name", name],
        parent,
        &[],
        None,
    )
}

/// `cargo progenitor -i SPEC -o DIR -n NAME -v 0.1.0` into an emptied `DIR`.
fn run_progenitor(progenitor: &Path, spec: &Path, dir: &Path) -> Result<Sample, String> {
    fresh_dir(dir)?;
    let spec = spec.to_string_lossy();
    let out = dir.to_string_lossy();
    measure::run(
        progenitor,
        &[
            "progenitor",
            "-i",
            &spec,
            "-o",
            &out,
            "-n",
            "peer",
            "-v",
            "0.1.0",
        ],
        dir,
        &[],
        None,
    )
}

fn label(api: &Path, spec: &Path) -> String {
    spec.strip_prefix(api)
        .unwrap_or(spec)
        .to_string_lossy()
        .into_owned()
}
