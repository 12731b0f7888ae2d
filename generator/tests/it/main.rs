//! The generator's tests: snapshots, freshness of `generated-example/`,
//! determinism, diagnostics and the CLI. One binary (see STYLE.md).

mod budget;
mod cli;
mod diagnostics;
mod names;
mod snapshots;
mod standalone;

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

/// The feature specs (`specs/features/{3.0,3.1,uniapi}/*.yaml`), sorted, each with
/// its snapshot's directory name (`3.0-petstore`).
pub fn feature_specs() -> Vec<(PathBuf, String)> {
    let mut specs = Vec::new();
    for version in ["3.0", "3.1", "uniapi"] {
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

/// Whether to rewrite snapshots instead of comparing with them.
pub fn blessing() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v != "0")
}
