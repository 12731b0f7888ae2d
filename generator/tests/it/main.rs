//! The generator's tests: snapshots, freshness of `generated-example/`,
//! determinism, diagnostics and the CLI. One binary (see STYLE.md).

mod budget;
mod cli;
mod diagnostics;
mod names;
mod snapshots;
mod standalone;
mod swagger2;

use std::path::{Path, PathBuf};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ has a parent")
        .to_path_buf()
}

/// The specs under `specs/` (not its subfolders), sorted.
pub fn specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("specs"))
        .expect("specs/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    specs.sort();
    specs
}

/// The feature specs (`specs/features/{2.0,3.0,3.1,uniapi,config}/*.yaml`),
/// sorted, each with its snapshot's directory name (`3.0-petstore`). A
/// spec of `config/` is generated with the configuration beside it
/// (`select.yaml`, `select.toml`).
pub fn feature_specs() -> Vec<(PathBuf, String)> {
    let mut specs = Vec::new();
    for version in ["2.0", "3.0", "3.1", "uniapi", "config"] {
        let dir = root().join("specs/features").join(version);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("specs/features/<version> exists")
            .map(|e| e.expect("readable").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for file in files {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("UTF-8 name")
                .to_owned();
            specs.push((file, format!("{version}-{stem}")));
        }
    }
    specs
}

/// How many lines of one file's diff a failure prints.
const DIFF_LINES: usize = 200;

/// A unified diff of a snapshot (`old`, at `path`, named relative to the
/// repository) and what was generated now (`new`): three lines of context,
/// at most [`DIFF_LINES`] lines.
pub fn diff(path: &Path, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::configure()
        // Bounded on huge files that differ throughout: past this the
        // diff is coarser, not slower.
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(old, new);
    let snapshot = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&snapshot, "generated now")
        .to_string();
    let total = text.lines().count();
    let mut out: String = text
        .lines()
        .take(DIFF_LINES)
        .flat_map(|l| [l, "\n"])
        .collect();
    if total > DIFF_LINES {
        out.push_str(&format!(
            "... {} more lines of diff in {snapshot}\n",
            total - DIFF_LINES
        ));
    }
    out
}

/// What a failed comparison of the test `test` (`snapshots::snapshots_match`)
/// prints after the differences: the command that rewrites its snapshots.
pub fn rebless(test: &str) -> String {
    format!(
        "If the change is intended, run `UPDATE_SNAPSHOTS=1 cargo test -p uniapi --test it {test}` and commit the result."
    )
}

/// Whether to rewrite snapshots instead of comparing with them.
pub fn blessing() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v != "0")
}
