//! What the benchmarks compare against, fetched once into the cache at
//! pinned versions: progenitor from crates.io, OpenAPI Generator from PyPI.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `cargo-progenitor` from crates.io.
pub const PROGENITOR_VERSION: &str = "0.15.1";
/// `openapi-generator-cli` from PyPI (it ships the jar; needs Java 11+).
pub const OPENAPI_GENERATOR_VERSION: &str = "7.26.0";

/// `CACHE/tools/progenitor-V/bin/cargo-progenitor`, installed with
/// `cargo install --locked` when missing.
pub fn progenitor(cache: &Path) -> Result<PathBuf, String> {
    let root = cache
        .join("tools")
        .join(format!("progenitor-{PROGENITOR_VERSION}"));
    let bin = root.join("bin").join("cargo-progenitor");
    if !bin.is_file() {
        eprintln!(
            "installing cargo-progenitor {PROGENITOR_VERSION} into {}",
            root.display()
        );
        run(crate::corpus::cargo()
            .args(["install", "cargo-progenitor", "--locked", "--version"])
            .arg(PROGENITOR_VERSION)
            .arg("--root")
            .arg(&root))?;
    }
    Ok(bin)
}

/// `CACHE/tools/openapi-generator-V/bin/openapi-generator-cli`, a Python
/// virtual environment made with `python3 -m venv` and `pip install`.
pub fn openapi_generator(cache: &Path) -> Result<PathBuf, String> {
    let venv = cache
        .join("tools")
        .join(format!("openapi-generator-{OPENAPI_GENERATOR_VERSION}"));
    let bin = venv.join("bin").join("openapi-generator-cli");
    if !bin.is_file() {
        eprintln!(
            "installing openapi-generator-cli {OPENAPI_GENERATOR_VERSION} into {}",
            venv.display()
        );
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin").join("pip")).args([
            "install",
            "--quiet",
            &format!("openapi-generator-cli=={OPENAPI_GENERATOR_VERSION}"),
        ]))?;
    }
    Ok(bin)
}

fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}
