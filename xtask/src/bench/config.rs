//! `bench config`: what a configuration saves. One tag of graph-beta
//! (`[select]`): generation time and memory, and a `cargo check` of the
//! crate; GitHub's crate with a feature per tag (`features.per-tag`):
//! `cargo check` with one tag's feature against all of them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::compile::{CheckOptions, cargo_check, warm_dependencies};
use super::measure::{self, Sample, median_secs, secs_summary};
use super::{fresh_dir, mb, rust_lines};
use crate::corpus::{build_uniapi, fetch};

const GRAPH_BETA: &str = "microsoft.com/graph-beta.json";
const GITHUB: &str = "github.com/api.github.com.json";

/// graph-beta's tags measured: one that reaches most of its entity
/// types, and one that reaches few.
const GRAPH_TAGS: [&str; 2] = ["me.user", "admin.Functions"];

/// GitHub's crate is checked with these features (each with `client`):
/// a small tag, the largest, and every tag (`unused-schemas` turns them
/// all on).
const GITHUB_FEATURES: [&str; 3] = ["emojis", "repos", "unused-schemas"];

pub fn config(cache: &Path, corpus: &Path, runs: usize) -> Result<String, String> {
    let uniapi = build_uniapi()?;
    let api = fetch::fetch(corpus)?;
    let work = cache.join("config");
    let target = cache.join("target-config");
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot make {}: {e}", work.display()))?;
    let mut out = String::new();

    writeln!(out, "## One tag of graph-beta (`[select]`)\n").ok();
    writeln!(
        out,
        "`uniapi new` of `{GRAPH_BETA}` with `[select] tags = [TAG]`, median (spread) of {runs} runs; then `cargo check` of the crate (its dependencies built before).\n"
    )
    .ok();
    writeln!(
        out,
        "| tag | operations | schemas kept | lines | generation wall | peak RSS | `cargo check` wall | check peak RSS |"
    )
    .ok();
    writeln!(
        out,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    .ok();
    let spec = api.join(GRAPH_BETA);
    for tag in GRAPH_TAGS {
        let dir = work.join(format!("graph-{}", tag.replace('.', "-")));
        let toml = work.join(format!("graph-{tag}.toml"));
        std::fs::write(&toml, format!("[select]\ntags = [{tag:?}]\n"))
            .map_err(|e| format!("cannot write {}: {e}", toml.display()))?;
        let mut samples = Vec::new();
        for r in 0..runs {
            fresh_dir(&dir)?;
            std::fs::remove_dir(&dir).ok();
            let sample = generate(&uniapi, &spec, &dir, &toml, &work)?;
            eprintln!(
                "graph-beta {tag}, run {}/{runs}: {:.2} s, {}",
                r + 1,
                sample.wall.as_secs_f64(),
                mb(sample.max_rss)
            );
            samples.push(sample);
        }
        let check = CheckOptions {
            target: &target,
            features: None,
        };
        let warm = warm_dependencies(&dir, &check)?;
        if !warm.success {
            return Err(format!(
                "the dependencies of {} do not build",
                dir.display()
            ));
        }
        let checked = cargo_check(&dir, &check)?;
        if !checked.success {
            return Err(format!(
                "`cargo check` of graph-beta's {tag} failed; see {}",
                dir.join("check.log").display()
            ));
        }
        let (operations, schemas) = kept(&dir)?;
        let walls: Vec<_> = samples.iter().map(|s| s.wall).collect();
        let rss = samples.iter().map(|s| s.max_rss).max().unwrap_or(0);
        writeln!(
            out,
            "| `{tag}` | {operations} | {schemas} | {} | {} | {} | {:.1} s | {} |",
            rust_lines(&dir),
            secs_summary(&walls),
            mb(rss),
            checked.wall.as_secs_f64(),
            mb(checked.max_rss)
        )
        .ok();
    }

    writeln!(out, "\n## GitHub's crate with a feature per tag\n").ok();
    writeln!(
        out,
        "`uniapi new` of `{GITHUB}` with `[features] per-tag = true`, then `cargo check --lib --no-default-features --features client,FEATURE` of the crate alone (dependencies built before), median (spread) of {runs} runs, rotated. `unused-schemas` turns every tag's feature on.\n"
    )
    .ok();
    let dir = work.join("github-per-tag");
    let toml = work.join("github.toml");
    std::fs::write(&toml, "[features]\nper-tag = true\n")
        .map_err(|e| format!("cannot write {}: {e}", toml.display()))?;
    fresh_dir(&dir)?;
    std::fs::remove_dir(&dir).ok();
    let generated = generate(&uniapi, &api.join(GITHUB), &dir, &toml, &work)?;
    let features: Vec<String> = GITHUB_FEATURES
        .iter()
        .map(|f| format!("client,{f}"))
        .collect();
    for f in &features {
        let check = CheckOptions {
            target: &target,
            features: Some(f),
        };
        if !warm_dependencies(&dir, &check)?.success {
            return Err(format!(
                "the dependencies of GitHub's crate ({f}) do not build"
            ));
        }
    }
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); features.len()];
    for r in 0..runs {
        for k in 0..features.len() {
            let v = (k + r) % features.len();
            let check = CheckOptions {
                target: &target,
                features: Some(&features[v]),
            };
            let sample = cargo_check(&dir, &check)?;
            if !sample.success {
                return Err(format!(
                    "`cargo check` of GitHub's crate with {} failed; see {}",
                    features[v],
                    dir.join("check.log").display()
                ));
            }
            eprintln!(
                "GitHub {}, run {}/{runs}: {:.1} s",
                features[v],
                r + 1,
                sample.wall.as_secs_f64()
            );
            samples[v].push(sample);
        }
    }
    writeln!(
        out,
        "Generated in {:.2} s ({} lines).\n",
        generated.wall.as_secs_f64(),
        rust_lines(&dir)
    )
    .ok();
    writeln!(
        out,
        "| features | wall | CPU | peak RSS | wall / all tags' |"
    )
    .ok();
    writeln!(out, "| --- | ---: | ---: | ---: | ---: |").ok();
    let all = median_secs(
        &samples[features.len() - 1]
            .iter()
            .map(|s| s.wall)
            .collect::<Vec<_>>(),
    );
    for (f, s) in features.iter().zip(&samples) {
        let walls: Vec<_> = s.iter().map(|s| s.wall).collect();
        let cpus: Vec<_> = s.iter().map(|s| s.cpu).collect();
        let rss = s.iter().map(|s| s.max_rss).max().unwrap_or(0);
        writeln!(
            out,
            "| `{f}` | {} | {} | {} | {:.2} |",
            secs_summary(&walls),
            secs_summary(&cpus),
            mb(rss),
            median_secs(&walls) / all
        )
        .ok();
    }
    Ok(out)
}

/// `uniapi new SPEC -o DIR --config TOML`, measured.
fn generate(
    uniapi: &Path,
    spec: &Path,
    dir: &Path,
    toml: &Path,
    work: &Path,
) -> Result<Sample, String> {
    let sample = measure::run(
        uniapi,
        &[
            "new",
            &spec.to_string_lossy(),
            "-o",
            &dir.to_string_lossy(),
            "--config",
            &toml.to_string_lossy(),
        ],
        work,
        &[],
        Some(&work.join("uniapi.log")),
    )?;
    if sample.success {
        Ok(sample)
    } else {
        Err(format!(
            "uniapi could not generate {}; see {}",
            spec.display(),
            work.join("uniapi.log").display()
        ))
    }
}

/// The operations and schemas of the generated crate's served spec.
fn kept(dir: &Path) -> Result<(usize, usize), String> {
    let path: PathBuf = dir.join("src").join("openapi.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let operations = doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .values()
                .filter_map(|item| item.as_object())
                .map(|item| {
                    item.keys()
                        .filter(|k| {
                            [
                                "get", "put", "post", "delete", "options", "head", "patch", "trace",
                            ]
                            .contains(&k.as_str())
                        })
                        .count()
                })
                .sum()
        })
        .unwrap_or(0);
    let schemas = doc["components"]["schemas"]
        .as_object()
        .map_or(0, serde_json::Map::len);
    Ok((operations, schemas))
}
