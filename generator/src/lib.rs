//! uniapi reads an OpenAPI document and writes one Rust crate holding a
//! stateless axum server and a typed reqwest client that share one trait.
//!
//! The pipeline runs one way: [`load`] → [`lower`] (into [`ir`]) → [`emit`]
//! → [`write`]. The CLI and `build.rs` ([`configure`]) call the same path.

pub mod builder;
pub mod config;
pub mod diag;
pub mod emit;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod runtime;
pub mod write;

use std::path::Path;

pub use builder::{BuildError, Builder, configure};
pub use config::Config;
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use write::{CheckReport, Crate, File, FileKind};

/// Everything one run produced: the files (nothing written yet), the
/// warnings, and the files that were read.
#[derive(Debug)]
pub struct Generated {
    pub krate: Crate,
    pub warnings: Diagnostics,
    /// Files read, for `cargo:rerun-if-changed`.
    pub sources: Vec<std::path::PathBuf>,
}

/// Lints a spec: every diagnostic, errors and warnings, nothing generated.
pub fn lint(spec: &Path) -> Diagnostics {
    lint_with(spec, &Config::default())
}

/// Lints a spec as `config` selects and names it.
pub fn lint_with(spec: &Path, config: &Config) -> Diagnostics {
    on_big_stack(|| match lowered(spec, config) {
        Ok(lowered) => lowered.warnings,
        Err(diagnostics) => diagnostics,
    })
}

/// Runs the whole pipeline for `spec` and returns the crate's files.
pub fn generate(spec: &Path, config: &Config) -> Result<Generated, Diagnostics> {
    on_big_stack(|| {
        let lowered = lowered(spec, config)?;
        let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("api");
        let crate_name = config
            .crate_name
            .clone()
            .unwrap_or_else(|| naming::crate_name(&lowered.api.title, stem));
        let krate = write::render_crate(
            &lowered.api,
            &emit::Options::from(config),
            &crate_name,
            &spec_name(spec),
        );
        lowered.lap("render");
        Ok(Generated {
            krate,
            warnings: lowered.warnings,
            sources: lowered.sources,
        })
    })
}

/// The shared first half of the pipeline (the CLI and `build.rs` both call
/// it): load and lower, on the caller's (large) stack.
pub(crate) struct Lowered {
    pub api: ir::Api,
    pub warnings: Diagnostics,
    pub sources: Vec<std::path::PathBuf>,
    /// `UNIAPI_TIMINGS=1`: print the time of each stage.
    timings: Option<std::time::Instant>,
}

impl Lowered {
    /// Prints the time since loading began, under `UNIAPI_TIMINGS=1`.
    pub fn lap(&self, stage: &str) {
        if let Some(start) = self.timings {
            eprintln!("{stage}: {:?}", start.elapsed());
        }
    }
}

pub(crate) fn lowered(spec: &Path, config: &Config) -> Result<Lowered, Diagnostics> {
    let timings = std::env::var_os("UNIAPI_TIMINGS")
        .is_some()
        .then(std::time::Instant::now);
    let loaded = load::load_selected(spec, &config.select)?;
    let (api, warnings) = lower::lower_with(&loaded, config)?;
    let lowered = Lowered {
        api,
        warnings,
        sources: loaded.sources,
        timings,
    };
    lowered.lap("load and lower");
    Ok(lowered)
}

/// The spec's file name, as generated files name their source.
pub(crate) fn spec_name(spec: &Path) -> String {
    spec.file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("openapi")
        .to_owned()
}

/// Runs `f` on a thread with a large stack: real specs nest deeply and the
/// stages recurse over them. The stack is only reserved, not committed.
pub(crate) fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("uniapi".into())
            .stack_size(256 << 20)
            .spawn_scoped(s, f)
            .expect("spawning a thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
