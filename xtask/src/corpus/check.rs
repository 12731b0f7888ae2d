//! The compile check: `cargo check` over a workspace of the sampled
//! crates, once with their default features and once with all of them,
//! its messages attributed to crates by path.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;

use super::{Compiled, Outcome, SpecResult, cargo};

/// The feature sets each sampled crate is checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Features {
    /// `client`, `server`, `tls`.
    Default,
    /// `--all-features`: `mock` too.
    All,
}

impl Features {
    pub const BOTH: [Features; 2] = [Features::Default, Features::All];

    /// For people: `default features`, `all features`.
    pub fn label(self) -> &'static str {
        match self {
            Features::Default => "default features",
            Features::All => "all features",
        }
    }

    /// The log file of the pass.
    pub fn log_name(self) -> &'static str {
        match self {
            Features::Default => "check.log",
            Features::All => "check-all-features.log",
        }
    }

    fn args(self) -> &'static [&'static str] {
        match self {
            Features::Default => &[],
            Features::All => &["--all-features"],
        }
    }
}

/// What `cargo check` said about one crate.
#[derive(Debug, Default)]
pub struct CrateCheck {
    pub errors: usize,
    pub warnings: usize,
    pub first_error: Option<String>,
    pub first_warning: Option<String>,
}

impl CrateCheck {
    /// Compiled with no errors and no warnings.
    pub fn is_clean(&self) -> bool {
        self.errors == 0 && self.warnings == 0
    }

    /// The message that best says why it is not clean.
    pub fn first_message(&self) -> Option<&str> {
        self.first_error
            .as_deref()
            .or(self.first_warning.as_deref())
    }
}

#[derive(Debug, Default)]
pub struct Checked {
    /// One entry per member crate.
    pub crates: BTreeMap<String, CrateCheck>,
    /// Set when cargo failed for a reason outside the member crates (a
    /// dependency did not build, the registry could not be reached): the
    /// per-crate results then say nothing.
    pub problem: Option<String>,
}

/// Writes `DIR/Cargo.toml`: a workspace of `members` (folders of `DIR`
/// named like their crates).
pub fn write_workspace(dir: &Path, members: &[String]) -> Result<(), String> {
    let list: Vec<String> = members.iter().map(|m| format!("    \"{m}\",\n")).collect();
    let manifest = format!(
        "# Written by `cargo run -p xtask -- corpus` on every run.\n\
         [workspace]\nresolver = \"2\"\nmembers = [\n{}]\n",
        list.concat()
    );
    super::write(&dir.join("Cargo.toml"), &manifest)
}

/// Runs `cargo check` with `features` over the workspace in `dir` (see
/// [`write_workspace`]) with `target_dir`, copies its output to `log` and
/// attributes each message to its crate.
pub fn check(
    dir: &Path,
    members: &[String],
    features: Features,
    target_dir: &Path,
    log: &Path,
) -> Result<Checked, String> {
    let mut log_file =
        File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let mut child = cargo()
        .current_dir(dir)
        .args(["check", "--workspace", "--keep-going"])
        // A one-shot check gains nothing from incremental caches, which
        // are most of what a run of hundreds of crates writes to disk.
        .env("CARGO_INCREMENTAL", "0")
        .args(features.args())
        .args(["--message-format", "short", "--color", "never"])
        .arg("--target-dir")
        .arg(target_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo check: {e}"))?;
    eprintln!("  cargo check's output goes to {}", log.display());

    let mut attributor = Attributor::new(members);
    let mut units = 0;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let line = line.map_err(|e| format!("cannot read cargo's output: {e}"))?;
            writeln!(log_file, "{line}").map_err(|e| format!("cannot write the log: {e}"))?;
            let trimmed = line.trim_start();
            if trimmed.starts_with("Compiling ") || trimmed.starts_with("Checking ") {
                units += 1;
                if units % 25 == 0 {
                    eprintln!("  {units} crates built or checked");
                }
            }
            attributor.line(&line);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for cargo check: {e}"))?;
    eprintln!("  cargo check finished ({status})");
    Ok(attributor.finish(status.success()))
}

/// Compile-checks the sampled crates that were generated, with the default
/// features and with all, and fills in their `compiled` (and, if not
/// clean, `first_error`). Returns why, if cargo failed outside those crates.
pub fn check_sample(
    results: &mut [SpecResult],
    crates: &Path,
    cache: &Path,
    out: &Path,
    phases: &mut super::Phases,
) -> Result<Option<String>, String> {
    let members: Vec<String> = results
        .iter()
        .filter(|r| r.sampled && r.outcome == Outcome::Generated)
        .map(|r| r.name.clone())
        .collect();
    if members.is_empty() {
        return Ok(None);
    }
    write_workspace(crates, &members)?;
    let mut passes = Vec::new();
    for features in Features::BOTH {
        eprintln!(
            "checking {} generated crates with {}",
            members.len(),
            features.label()
        );
        let checked = check(
            crates,
            &members,
            features,
            &cache.join("target"),
            &out.join(features.log_name()),
        )?;
        phases.end(&format!("check, {}", features.label()));
        prune(&cache.join("target"), &members)?;
        if let Some(problem) = checked.problem {
            return Ok(Some(format!("with {}: {problem}", features.label())));
        }
        passes.push(checked);
    }
    let [default, all] = passes.as_slice() else {
        return Err("the compile check ran an unexpected number of passes".into());
    };
    for result in results {
        let (Some(d), Some(a)) = (
            default.crates.get(&result.name),
            all.crates.get(&result.name),
        ) else {
            continue;
        };
        let compiled = Compiled {
            default_features: d.is_clean(),
            all_features: a.is_clean(),
        };
        result.compiled = Some(compiled);
        let first = if !d.is_clean() { d } else { a };
        if !compiled.clean() {
            result.first_error = first.first_message().map(str::to_owned);
        }
    }
    Ok(None)
}

/// Deletes what checking `members` left in `target_dir` (their metadata
/// and fingerprints), keeping their dependencies' builds. The next pass
/// builds the members again anyway, with other features; without this a
/// full run's target dir outgrows the disk.
pub fn prune(target_dir: &Path, members: &[String]) -> Result<(), String> {
    let stems: Vec<String> = members.iter().map(|m| m.replace('-', "_")).collect();
    let debug = target_dir.join("debug");
    for (folder, underscores) in [("deps", true), (".fingerprint", false)] {
        let Ok(entries) = std::fs::read_dir(debug.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let bare = name.strip_prefix("lib").unwrap_or(&name);
            let Some((stem, _hash)) = bare.rsplit_once('-') else {
                continue;
            };
            let ours = if underscores {
                stems.iter().any(|s| s == stem)
            } else {
                members.iter().any(|m| m == stem)
            };
            if !ours {
                continue;
            }
            let path = entry.path();
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed.map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Reads `cargo check --message-format short` output line by line.
struct Attributor {
    checked: Checked,
    first_other_error: Option<String>,
}

impl Attributor {
    fn new(members: &[String]) -> Self {
        let crates = members
            .iter()
            .map(|m| (m.clone(), CrateCheck::default()))
            .collect();
        Attributor {
            checked: Checked {
                crates,
                problem: None,
            },
            first_other_error: None,
        }
    }

    fn line(&mut self, line: &str) {
        // `c0010/src/types.rs:12:5: error[E0425]: cannot find ...`
        if let Some((krate, rest)) = line.split_once('/') {
            if let Some(check) = self.checked.crates.get_mut(krate) {
                match severity(rest) {
                    Some(Severity::Error) => {
                        check.errors += 1;
                        check.first_error.get_or_insert_with(|| line.to_owned());
                    }
                    Some(Severity::Warning) => {
                        check.warnings += 1;
                        check.first_warning.get_or_insert_with(|| line.to_owned());
                    }
                    None => {}
                }
                return;
            }
        }
        // `error: could not compile `c0010` (lib) due to 3 previous errors`:
        // catches errors that carry no path.
        if let Some(name) = between(line, "error: could not compile `", "`") {
            match self.checked.crates.get_mut(name) {
                Some(check) => {
                    if check.errors == 0 {
                        check.errors = 1;
                        check.first_error = Some(line.to_owned());
                    }
                }
                None => {
                    self.checked.problem.get_or_insert_with(|| line.to_owned());
                }
            }
            return;
        }
        // `warning: `c0010` (lib) generated 2 warnings`
        if let Some(name) = between(line, "warning: `", "`") {
            if let Some(check) = self.checked.crates.get_mut(name) {
                if check.warnings == 0 && line.contains(" generated ") {
                    check.warnings = 1;
                    check.first_warning = Some(line.to_owned());
                }
            }
            return;
        }
        if line.starts_with("error") && self.first_other_error.is_none() {
            self.first_other_error = Some(line.to_owned());
        }
    }

    fn finish(mut self, success: bool) -> Checked {
        let member_failed = self.checked.crates.values().any(|c| c.errors > 0);
        if !success && !member_failed && self.checked.problem.is_none() {
            self.checked.problem = Some(
                self.first_other_error
                    .unwrap_or_else(|| "cargo check failed without naming a crate".into()),
            );
        }
        self.checked
    }
}

enum Severity {
    Error,
    Warning,
}

/// Whether `src/x.rs:1:2: error...` (after the crate folder) is an error
/// or a warning: whichever word follows the location first.
fn severity(rest: &str) -> Option<Severity> {
    let error = rest.find(": error");
    let warning = rest.find(": warning");
    match (error, warning) {
        (Some(e), Some(w)) if w < e => Some(Severity::Warning),
        (Some(_), _) => Some(Severity::Error),
        (None, Some(_)) => Some(Severity::Warning),
        (None, None) => None,
    }
}

/// The text between `start` (at the start of `line`) and the next `end`.
fn between<'a>(line: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(start)?;
    rest.split_once(end).map(|(inside, _)| inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(lines: &str, success: bool) -> Checked {
        let mut attributor = Attributor::new(&["c0000".into(), "c0010".into(), "c0020".into()]);
        for line in lines.lines() {
            attributor.line(line);
        }
        attributor.finish(success)
    }

    #[test]
    fn pruning_removes_the_members_builds_and_keeps_the_rest() {
        let target = std::env::temp_dir().join(format!("uniapi-prune-{}", std::process::id()));
        let debug = target.join("debug");
        let files = [
            "deps/libc0010-0123abcd.rmeta",
            "deps/c0010-0123abcd.d",
            "deps/libserde-99aa.rmeta",
            "deps/serde-99aa.d",
            "deps/libc00100-77.rmeta",
        ];
        for file in files {
            let path = debug.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
        for dir in ["c0010-0123abcd", "serde-99aa"] {
            std::fs::create_dir_all(debug.join(".fingerprint").join(dir)).unwrap();
        }
        prune(&target, &["c0010".into()]).unwrap();
        let left = |folder: &str| {
            let mut names: Vec<String> = std::fs::read_dir(debug.join(folder))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(
            left("deps"),
            ["libc00100-77.rmeta", "libserde-99aa.rmeta", "serde-99aa.d"]
        );
        assert_eq!(left(".fingerprint"), ["serde-99aa"]);
        std::fs::remove_dir_all(&target).unwrap();
    }

    #[test]
    fn messages_go_to_their_crates() {
        let checked = attribute(
            "   Checking c0000 v0.1.0 (/x/c0000)\n\
             c0010/src/types.rs:12:5: error[E0425]: cannot find value `a` in this scope\n\
             c0010/src/api.rs:1:1: warning: unused import: `b`\n\
             warning: `c0010` (lib) generated 1 warning\n\
             error: could not compile `c0010` (lib) due to 1 previous error; 1 warning emitted\n\
             c0020/src/lib.rs:3:1: warning: missing docs\n\
             warning: `c0020` (lib) generated 1 warning\n",
            false,
        );
        assert!(checked.problem.is_none());
        assert!(checked.crates["c0000"].is_clean());
        let c0010 = &checked.crates["c0010"];
        assert_eq!((c0010.errors, c0010.warnings), (1, 1));
        assert_eq!(
            c0010.first_message(),
            Some("c0010/src/types.rs:12:5: error[E0425]: cannot find value `a` in this scope")
        );
        let c0020 = &checked.crates["c0020"];
        assert_eq!((c0020.errors, c0020.warnings), (0, 1));
    }

    #[test]
    fn an_error_without_a_path_still_fails_its_crate() {
        let checked = attribute(
            "error: something without a span\n\
             error: could not compile `c0020` (lib) due to 1 previous error\n",
            false,
        );
        assert!(checked.problem.is_none());
        assert_eq!(checked.crates["c0020"].errors, 1);
    }

    #[test]
    fn a_failure_outside_the_members_is_a_problem() {
        let checked = attribute(
            "error: could not compile `ring` (build script) due to 1 previous error\n",
            false,
        );
        assert!(checked.problem.is_some_and(|p| p.contains("`ring`")));

        let checked = attribute(
            "error: failed to get `axum` as a dependency of package `c0000`\n",
            false,
        );
        assert!(checked.problem.is_some_and(|p| p.contains("failed to get")));
    }
}
