//! CI's verdict on a corpus run (`xtask corpus --guard`): every spec
//! generated, and every checked crate free of errors and warnings with
//! the default features and with all features.

use super::{Outcome, Report, SpecResult};

/// What fails the guard, one line each; empty when it passes.
pub fn failures(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for r in &report.results {
        if r.outcome != Outcome::Generated {
            out.push(format!(
                "{} ({}): {}: {}",
                r.spec,
                r.name,
                describe(r.outcome),
                first_error(r)
            ));
        }
    }
    if let Some(problem) = &report.check_problem {
        out.push(format!("the compile check did not complete: {problem}"));
        return out;
    }
    let checked: Vec<&SpecResult> = report.results.iter().filter(|r| r.sampled).collect();
    if checked.is_empty() {
        out.push("no crate was compile-checked".into());
    }
    for r in checked {
        match r.compiled {
            Some(compiled) if compiled.clean() => {}
            Some(compiled) => out.push(format!(
                "{} ({}): not clean with {}: {}",
                r.spec,
                r.name,
                match compiled.failed() {
                    "default" => "default features",
                    "all" => "all features",
                    _ => "default and all features",
                },
                first_error(r)
            )),
            None if r.outcome == Outcome::Generated => {
                out.push(format!("{} ({}): was not checked", r.spec, r.name));
            }
            None => {}
        }
    }
    out
}

fn describe(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Generated => "generated",
        Outcome::Rejected => "rejected",
        Outcome::Panicked => "panicked",
        Outcome::TimedOut => "timed out",
        Outcome::Crashed => "crashed",
    }
}

fn first_error(r: &SpecResult) -> &str {
    r.first_error.as_deref().unwrap_or("no message")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::Compiled;
    use super::*;

    fn result(name: &str, outcome: Outcome, compiled: Option<(bool, bool)>) -> SpecResult {
        SpecResult {
            spec: format!("{name}.json"),
            name: name.into(),
            outcome,
            diagnostics: 0,
            seconds: 0.1,
            first_error: (outcome != Outcome::Generated
                || compiled.is_some_and(|c| c != (true, true)))
            .then(|| format!("{name} failed")),
            sampled: compiled.is_some(),
            compiled: compiled.map(|(d, a)| Compiled {
                default_features: d,
                all_features: a,
            }),
        }
    }

    fn report(results: Vec<SpecResult>, check_problem: Option<&str>) -> Report {
        Report {
            results,
            check_problem: check_problem.map(str::to_owned),
            summary: String::new(),
            csv: PathBuf::new(),
            summary_md: PathBuf::new(),
        }
    }

    #[test]
    fn a_clean_run_passes() {
        let run = report(
            vec![
                result("c0000", Outcome::Generated, Some((true, true))),
                result("c0001", Outcome::Generated, None),
            ],
            None,
        );
        assert_eq!(failures(&run), Vec::<String>::new());
    }

    #[test]
    fn every_spec_must_generate_and_every_checked_crate_be_clean() {
        let run = report(
            vec![
                result("c0000", Outcome::Generated, Some((true, false))),
                result("c0001", Outcome::Panicked, None),
                result("c0002", Outcome::Rejected, None),
                result("c0003", Outcome::Generated, Some((false, false))),
                result("c0004", Outcome::Generated, Some((false, true))),
                result("c0005", Outcome::Generated, Some((true, true))),
            ],
            None,
        );
        assert_eq!(
            failures(&run),
            [
                "c0001.json (c0001): panicked: c0001 failed",
                "c0002.json (c0002): rejected: c0002 failed",
                "c0000.json (c0000): not clean with all features: c0000 failed",
                "c0003.json (c0003): not clean with default and all features: c0003 failed",
                "c0004.json (c0004): not clean with default features: c0004 failed",
            ]
        );
    }

    #[test]
    fn an_incomplete_or_empty_check_fails() {
        let mut unchecked = result("c0000", Outcome::Generated, None);
        unchecked.sampled = true;
        assert_eq!(
            failures(&report(vec![unchecked.clone()], Some("`ring` failed"))),
            ["the compile check did not complete: `ring` failed"]
        );
        assert_eq!(
            failures(&report(vec![unchecked], None)),
            ["c0000.json (c0000): was not checked"]
        );
        assert_eq!(
            failures(&report(
                vec![result("c0000", Outcome::Generated, None)],
                None
            )),
            ["no crate was compile-checked"]
        );
    }
}
