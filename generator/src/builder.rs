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
//! The settings of `uniapi.toml` (see `uniapi init`) are read with
//! [`Builder::config`], or set one by one:
//!
//! ```no_run
//! # fn main() -> Result<(), uniapi::BuildError> {
//! uniapi::configure()
//!     .config("uniapi.toml")
//!     .tag("pets")
//!     .exclude_operation("deletePet")
//!     .date_time(uniapi::config::TimeCrate::Jiff)
//!     .derive("*", "Hash")
//!     .replace("Owner", "crate::people::Owner")
//!     .rename(uniapi::config::RenameKind::Type, "Pet", "Animal")
//!     .compile("openapi.yaml")?;
//! # Ok(())
//! # }
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
//! `chrono` (`date`, `date-time`; `jiff` where configured so), `uuid`, `base64` (`byte`, HTTP basic),
//! `regex` (`pattern`), and for bodies that stream (`api::ByteStream`,
//! `api::Items`) `bytes`, `futures-core` and reqwest's feature `stream`. `uniapi new` writes a
//! `Cargo.toml` with exactly these. The client's default `User-Agent` is the including crate's
//! name and version (`CARGO_PKG_NAME`/`CARGO_PKG_VERSION` where the code is
//! compiled).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::config::{
    self, DecimalType, Extra, Int64Wire, Origin, Rename, RenameKind, Replace, Rule, Set, TimeCrate,
    UuidType,
};
use crate::{Config, Diagnostics, emit, write};

/// Starts a [`Builder`] with both sides on.
pub fn configure() -> Builder {
    Builder {
        config: Config::default(),
        mistakes: Diagnostics::default(),
        config_files: Vec::new(),
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
    /// Mistakes in the configuration, reported by `compile`.
    mistakes: Diagnostics,
    /// Configuration files read, for `cargo:rerun-if-changed`.
    config_files: Vec<PathBuf>,
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

    /// Reads a configuration file (`uniapi.toml`, see `uniapi init`); the
    /// builder's methods called after it change what it set. Its mistakes
    /// are reported by [`Builder::compile`]. `features.per-tag` does not
    /// apply here: the one file has no features.
    pub fn config(mut self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        if let Err(mistakes) = config::read(path, &mut self.config) {
            self.mistakes.extend(mistakes);
        }
        self.config_files.push(path.to_path_buf());
        self
    }

    fn rule(mut self, include: bool, rule: Rule) -> Self {
        let list = if include {
            &mut self.config.select.include
        } else {
            &mut self.config.select.exclude
        };
        let key = match (&rule, include) {
            (Rule::Tag(_), true) => "tags",
            (Rule::Path(_), true) => "paths",
            (Rule::Operation(_), true) => "operations",
            (Rule::Tag(_), false) => "exclude-tags",
            (Rule::Path(_), false) => "exclude-paths",
            (Rule::Operation(_), false) => "exclude-operations",
        };
        let origin = Origin::builder(format!("/select/{key}/{}", list.len()));
        list.push(Set {
            value: rule,
            origin,
        });
        self
    }

    /// Generate the operations with this tag (and any others chosen).
    pub fn tag(self, tag: impl Into<String>) -> Self {
        self.rule(true, Rule::Tag(tag.into()))
    }

    /// Generate the operations at paths `pattern` matches (`/pets/*`,
    /// `/store/**`).
    pub fn path(self, pattern: impl Into<String>) -> Self {
        self.rule(true, Rule::Path(pattern.into()))
    }

    /// Generate the operation with this `operationId`.
    pub fn operation(self, id: impl Into<String>) -> Self {
        self.rule(true, Rule::Operation(id.into()))
    }

    /// Leave out the operations with this tag.
    pub fn exclude_tag(self, tag: impl Into<String>) -> Self {
        self.rule(false, Rule::Tag(tag.into()))
    }

    /// Leave out the operations at paths `pattern` matches.
    pub fn exclude_path(self, pattern: impl Into<String>) -> Self {
        self.rule(false, Rule::Path(pattern.into()))
    }

    /// Leave out the operation with this `operationId`.
    pub fn exclude_operation(self, id: impl Into<String>) -> Self {
        self.rule(false, Rule::Operation(id.into()))
    }

    /// The Rust type of `format: date-time`.
    pub fn date_time(mut self, krate: TimeCrate) -> Self {
        self.config.types.date_time = built(krate, "/types/date-time");
        self
    }

    /// The Rust type of `format: date`.
    pub fn date(mut self, krate: TimeCrate) -> Self {
        self.config.types.date = built(krate, "/types/date");
        self
    }

    /// The Rust type of `format: uuid`.
    pub fn uuid(mut self, ty: UuidType) -> Self {
        self.config.types.uuid = built(ty, "/types/uuid");
        self
    }

    /// How `format: int64` travels: a JSON number, or a string.
    pub fn int64(mut self, wire: Int64Wire) -> Self {
        self.config.types.int64 = built(wire, "/types/int64");
        self
    }

    /// The Rust type of `type: string, format: decimal`.
    pub fn decimal(mut self, ty: DecimalType) -> Self {
        self.config.types.decimal = built(ty, "/types/decimal");
        self
    }

    /// Adds a derive to the type of `schema` (its name or JSON pointer), or
    /// to every type with `"*"`.
    pub fn derive(self, schema: &str, derive: &str) -> Self {
        self.extra(schema, "derives", derive, true)
    }

    /// Adds an outer attribute (`#[non_exhaustive]`) to the type of
    /// `schema`, or to every type with `"*"`.
    pub fn attribute(self, schema: &str, attribute: &str) -> Self {
        self.extra(schema, "attributes", attribute, false)
    }

    fn extra(mut self, schema: &str, key: &str, text: &str, derive: bool) -> Self {
        let origin = Origin::builder(crate::diag::join(&format!("/types/{key}"), schema));
        if let Some(mistake) = config::check_extra(text, derive, &origin) {
            self.mistakes.push(mistake);
            return self;
        }
        let (derives, attributes) = if derive {
            (vec![text.to_owned()], Vec::new())
        } else {
            (Vec::new(), vec![text.to_owned()])
        };
        let value = Extra {
            target: config::target_of(schema),
            derives,
            attributes,
        };
        self.config.types.extras.push(Set { value, origin });
        self
    }

    /// Generates `schema` (its name or JSON pointer) as `with`, a type of
    /// yours that serializes as the schema says.
    pub fn replace(mut self, schema: &str, with: &str) -> Self {
        let origin = Origin::builder(crate::diag::join("/types/replace", schema));
        if let Some(mistake) = config::check_type(with, &origin) {
            self.mistakes.push(mistake);
            return self;
        }
        let value = Replace {
            schema: schema.to_owned(),
            with: with.to_owned(),
        };
        self.config.types.replace.push(Set { value, origin });
        self
    }

    /// Names something the spec names (a schema, an operationId,
    /// `Schema.property`, `Schema.value`) `to` in Rust.
    pub fn rename(mut self, kind: RenameKind, from: &str, to: &str) -> Self {
        let origin = Origin::builder(crate::diag::join(&format!("/names/{}", kind.key()), from));
        let value = Rename {
            kind,
            from: from.to_owned(),
            to: to.to_owned(),
        };
        self.config.renames.push(Set { value, origin });
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
        for file in &self.config_files {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        if !self.mistakes.is_empty() {
            return Err(BuildError::Diagnostics(self.mistakes));
        }
        let mut config = self.config;
        config.features_per_tag = false;
        let out_dir = match self.out_dir {
            Some(dir) => dir,
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };
        let (code, warnings, sources) = crate::on_big_stack(|| -> Result<_, Diagnostics> {
            let lowered = crate::lowered(spec, &config)?;
            let options = emit::Options::from(&config);
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

/// A setting made by a builder method, at `pointer`.
fn built<T>(value: T, pointer: &str) -> Set<T> {
    Set {
        value,
        origin: Origin::builder(pointer.to_owned()),
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
