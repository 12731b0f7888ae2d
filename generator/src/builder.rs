//! The `build.rs` way: generate into `OUT_DIR` and `include!` the result.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), uniapi::BuildError> {
//!     uniapi::configure().server(true).client(true).compile("openapi.yaml")?;
//!     Ok(())
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! include!(concat!(env!("OUT_DIR"), "/openapi.rs"));
//! ```
//!
//! The included code needs, in the including crate's `[dependencies]`:
//! `http`, `serde` (with `derive`), `serde_json`; for the server `axum`
//! (with `matched-path`), `serde_urlencoded`, `tracing`, `tokio` (with `net`,
//! `signal`), `http-body`, `http-body-util`, `httpdate`; for the client `reqwest`,
//! `serde_urlencoded`, `percent-encoding`, `bytes`, `httpdate`,
//! `serde_path_to_error`, `tracing` and `tokio` (with `time`); and, when the spec uses them,
//! `chrono` (`date`, `date-time`), `uuid`, `base64` (`byte`, HTTP basic),
//! `regex` (`pattern`), and for bodies that stream (`api::ByteStream`,
//! `api::Items`) `bytes`, `futures-core` and reqwest's feature `stream`. `uniapi new` writes a
//! `Cargo.toml` with exactly these. The client's default `User-Agent` is the including crate's
//! name and version (`CARGO_PKG_NAME`/`CARGO_PKG_VERSION` where the code is
//! compiled).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Config, Diagnostics, emit, write};

/// Starts a [`Builder`] with both sides on.
pub fn configure() -> Builder {
    Builder {
        config: Config::default(),
        out_dir: None,
        file_name: None,
        warnings_as_errors: false,
    }
}

/// Configures what `build.rs` generates; see [`configure`].
#[derive(Debug, Clone)]
#[must_use]
pub struct Builder {
    config: Config,
    out_dir: Option<PathBuf>,
    file_name: Option<String>,
    warnings_as_errors: bool,
}

impl Builder {
    /// Generate the server (`router`). On by default.
    pub fn server(mut self, enable: bool) -> Self {
        self.config.server = enable;
        self
    }

    /// Generate the client (`Client`). On by default.
    pub fn client(mut self, enable: bool) -> Self {
        self.config.client = enable;
        self
    }

    /// Generate `mock::MockApi`, which answers every operation with the
    /// spec's examples or values made to fit. Off by default.
    pub fn mock(mut self, enable: bool) -> Self {
        self.config.mock = enable;
        self
    }

    /// Generate the JWT authenticator `server::Jwt`, where the spec has
    /// bearer tokens. Off by default: it needs `jsonwebtoken` (with
    /// features `use_pem` and `rust_crypto`), `reqwest` and tokio's `sync`.
    pub fn jwt(mut self, enable: bool) -> Self {
        self.config.jwt = enable;
        self
    }

    /// Where to write; `OUT_DIR` by default.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The file's name; the spec's file stem plus `.rs` by default.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Fail the build on warnings too.
    pub fn warnings_as_errors(mut self, enable: bool) -> Self {
        self.warnings_as_errors = enable;
        self
    }

    /// Generates the code for `spec` into one file and returns its path.
    /// Prints `cargo:rerun-if-changed` for every file read and each warning
    /// as a `cargo:warning`.
    pub fn compile(self, spec: impl AsRef<Path>) -> Result<PathBuf, BuildError> {
        let spec = spec.as_ref();
        println!("cargo:rerun-if-changed={}", spec.display());
        let out_dir = match self.out_dir {
            Some(dir) => dir,
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };
        let (code, warnings, sources) = crate::on_big_stack(|| -> Result<_, Diagnostics> {
            let lowered = crate::lowered(spec)?;
            let options = emit::Options::from(&self.config);
            let code = write::render_single_file(&lowered.api, &options, &crate::spec_name(spec));
            Ok((code, lowered.warnings, lowered.sources))
        })?;
        for source in &sources {
            println!("cargo:rerun-if-changed={}", source.display());
        }
        for warning in warnings.iter() {
            for line in warning.to_string().lines() {
                println!("cargo:warning={line}");
            }
        }
        if self.warnings_as_errors && !warnings.is_empty() {
            return Err(BuildError::Diagnostics(warnings));
        }
        let stem = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("openapi");
        let path = out_dir.join(self.file_name.unwrap_or_else(|| format!("{stem}.rs")));
        write::write_if_changed(&path, &code).map_err(|e| BuildError::Io(path.clone(), e))?;
        Ok(path)
    }
}

/// Why `build.rs` generation failed. `Debug` shows the diagnostics as a
/// compiler would, so `fn main() -> Result<(), BuildError>` reads well.
pub enum BuildError {
    /// The spec has errors (or warnings, with `warnings_as_errors`).
    Diagnostics(Diagnostics),
    /// `OUT_DIR` is not set: not running under cargo, and no `out_dir` given.
    NoOutDir,
    /// The file could not be written.
    Io(PathBuf, std::io::Error),
}

impl From<Diagnostics> for BuildError {
    fn from(d: Diagnostics) -> Self {
        BuildError::Diagnostics(d)
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Diagnostics(d) => write!(f, "{d}"),
            BuildError::NoOutDir => write!(
                f,
                "OUT_DIR is not set; call `out_dir` when not running in build.rs"
            ),
            BuildError::Io(path, e) => write!(f, "cannot write {}: {e}", path.display()),
        }
    }
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for BuildError {}
