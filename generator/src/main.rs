//! The `uniapi` command: parses arguments and calls the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate one Rust crate with a stateless axum server and a typed reqwest
/// client, sharing one trait, from an OpenAPI document (3.0, 3.1, 3.2, or
/// Swagger 2.0).
#[derive(Parser)]
#[command(name = "uniapi", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new crate for SPEC into DIR (which must be empty or absent).
    New {
        /// The OpenAPI document (JSON or YAML).
        spec: PathBuf,
        /// The crate's directory.
        #[arg(short, long)]
        out: PathBuf,
        /// The crate's name (default: from the spec's title).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        sides: Sides,
    },
    /// Rewrite the generated files of the crate in DIR; the user's own
    /// files, and `Cargo.toml`, are left alone. Only changed files are written.
    Generate {
        /// The OpenAPI document (JSON or YAML).
        spec: PathBuf,
        /// The crate's directory.
        #[arg(short, long)]
        out: PathBuf,
        #[command(flatten)]
        sides: Sides,
    },
    /// Exit 0 if DIR holds exactly what `generate` would write, 1 (listing
    /// the stale files) otherwise.
    Check {
        /// The OpenAPI document (JSON or YAML).
        spec: PathBuf,
        /// The crate's directory.
        #[arg(short, long)]
        out: PathBuf,
        #[command(flatten)]
        sides: Sides,
    },
    /// Print the spec's diagnostics; exit 1 if any is an error.
    Lint {
        /// The OpenAPI document (JSON or YAML).
        spec: PathBuf,
        /// The configuration (default: `uniapi.toml` beside the spec, if
        /// there is one).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Write a commented `uniapi.toml` with every setting (to FILE, or
    /// beside SPEC); never overwrites one.
    Init {
        /// The spec the configuration is for: it is written beside it.
        spec: Option<PathBuf>,
        /// Where to write it instead.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct Sides {
    /// The configuration (default: `uniapi.toml` beside the spec, if there
    /// is one).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Leave the server out.
    #[arg(long)]
    no_server: bool,
    /// Leave the client out.
    #[arg(long)]
    no_client: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::New {
            spec,
            out,
            name,
            sides,
        } => {
            let Some(config) = config(name, &sides, &spec) else {
                return ExitCode::FAILURE;
            };
            let Some(generated) = generate(&spec, &config) else {
                return ExitCode::FAILURE;
            };
            match generated.krate.write_new(&out) {
                Ok(files) => {
                    eprintln!(
                        "wrote crate `{}` ({} files) to {}",
                        generated.krate.name,
                        files.len(),
                        out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            }
        }
        Command::Generate { spec, out, sides } => {
            let Some(name) = crate_name_in(&out) else {
                return fail(&format!(
                    "{} holds no crate (no Cargo.toml with a package name); create one with `uniapi new`",
                    out.display()
                ));
            };
            let Some(config) = config(Some(name), &sides, &spec) else {
                return ExitCode::FAILURE;
            };
            let Some(generated) = generate(&spec, &config) else {
                return ExitCode::FAILURE;
            };
            warn_missing_features(&generated.krate, &out);
            match generated.krate.write_generated(&out) {
                Ok(files) if files.is_empty() => {
                    eprintln!("{} is up to date", out.display());
                    ExitCode::SUCCESS
                }
                Ok(files) => {
                    for file in files {
                        eprintln!("wrote {}", file.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            }
        }
        Command::Check { spec, out, sides } => {
            let name = crate_name_in(&out);
            let Some(config) = config(name, &sides, &spec) else {
                return ExitCode::FAILURE;
            };
            let Some(generated) = generate(&spec, &config) else {
                return ExitCode::FAILURE;
            };
            let report = generated.krate.check(&out);
            if warn_missing_features(&generated.krate, &out) {
                return ExitCode::FAILURE;
            }
            if report.is_fresh() {
                eprintln!("{} is up to date", out.display());
                return ExitCode::SUCCESS;
            }
            for path in &report.stale {
                println!("stale: {}", out.join(path).display());
            }
            for path in &report.missing {
                println!("missing: {}", out.join(path).display());
            }
            eprintln!(
                "run `uniapi generate {} -o {}` to update",
                spec.display(),
                out.display()
            );
            ExitCode::FAILURE
        }
        Command::Lint { spec, config } => {
            let sides = Sides {
                config,
                no_server: false,
                no_client: false,
            };
            let Some(config) = self::config(None, &sides, &spec) else {
                return ExitCode::FAILURE;
            };
            let diagnostics = uniapi::lint_with(&spec, &config);
            for d in diagnostics.iter() {
                println!("{d}");
            }
            println!(
                "{} error(s), {} warning(s)",
                diagnostics.errors().count(),
                diagnostics.warnings().count()
            );
            if diagnostics.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Init { spec, out } => {
            let path = match (out, spec) {
                (Some(out), _) => out,
                (None, Some(spec)) => beside(&spec),
                (None, None) => PathBuf::from(uniapi::config::FILE_NAME),
            };
            if path.exists() {
                return fail(&format!("{} exists; it is left as it is", path.display()));
            }
            match std::fs::write(&path, uniapi::config::TEMPLATE) {
                Ok(()) => {
                    eprintln!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("cannot write {}: {e}", path.display())),
            }
        }
    }
}

/// Warns of Cargo features the generated code uses that `DIR/Cargo.toml`
/// lacks (`generate` never writes it); whether there were any.
fn warn_missing_features(krate: &uniapi::Crate, dir: &Path) -> bool {
    let missing = krate.missing_features(dir);
    if !missing.is_empty() {
        eprintln!(
            "warning: {} lacks the features {} that the generated code uses\n  = hint: add them to its [features] as `uniapi new` writes them (`name = []`)",
            dir.join("Cargo.toml").display(),
            missing.join(", ")
        );
    }
    !missing.is_empty()
}

/// `uniapi.toml` in the spec's directory.
fn beside(spec: &Path) -> PathBuf {
    spec.parent()
        .unwrap_or(Path::new(""))
        .join(uniapi::config::FILE_NAME)
}

/// The configuration: the file's (`--config`, else `uniapi.toml` beside
/// the spec), then the command line's; `None` (printed) on mistakes.
fn config(name: Option<String>, sides: &Sides, spec: &Path) -> Option<uniapi::Config> {
    let mut config = uniapi::Config::default();
    let file = sides
        .config
        .clone()
        .or_else(|| Some(beside(spec)).filter(|p| p.is_file()));
    if let Some(file) = file {
        if let Err(diagnostics) = uniapi::config::read(&file, &mut config) {
            eprintln!("{diagnostics}");
            return None;
        }
    }
    if name.is_some() {
        config.crate_name = name;
    }
    config.server &= !sides.no_server;
    config.client &= !sides.no_client;
    Some(config)
}

/// Runs the pipeline, printing diagnostics; `None` on errors.
fn generate(spec: &Path, config: &uniapi::Config) -> Option<uniapi::Generated> {
    match uniapi::generate(spec, config) {
        Ok(generated) => {
            for warning in generated.warnings.iter() {
                eprintln!("{warning}");
            }
            Some(generated)
        }
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            None
        }
    }
}

/// The package name in `DIR/Cargo.toml`, so that `generate` and `check`
/// write what `new --name` wrote.
fn crate_name_in(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line
                .strip_prefix("name")
                .map(str::trim_start)
                .and_then(|l| l.strip_prefix('='))
            {
                return Some(value.trim().trim_matches('"').to_owned());
            }
        }
    }
    None
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
