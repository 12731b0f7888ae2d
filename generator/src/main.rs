//! The `uniapi` command: parses arguments and calls the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate one Rust crate with a stateless axum server and a typed reqwest
/// client, sharing one trait, from an OpenAPI 3.0 or 3.1 document.
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
    },
}

#[derive(clap::Args)]
struct Sides {
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
            let config = config(name, &sides);
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
            let config = config(Some(name), &sides);
            let Some(generated) = generate(&spec, &config) else {
                return ExitCode::FAILURE;
            };
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
            let config = config(name, &sides);
            let Some(generated) = generate(&spec, &config) else {
                return ExitCode::FAILURE;
            };
            let report = generated.krate.check(&out);
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
        Command::Lint { spec } => {
            let diagnostics = uniapi::lint(&spec);
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
    }
}

fn config(name: Option<String>, sides: &Sides) -> uniapi::Config {
    uniapi::Config {
        crate_name: name,
        server: !sides.no_server,
        client: !sides.no_client,
        ..uniapi::Config::default()
    }
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
