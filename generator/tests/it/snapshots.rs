//! Generated code is compared byte for byte with committed snapshots
//! (`tests/snapshots/<spec>/`, workspace members, so they are compiled and
//! linted with the workspace), and `generated-example/` with what `uniapi
//! new specs/puppy-shop.yaml` writes. `UPDATE_SNAPSHOTS=1 cargo test`
//! rewrites both.

use std::path::Path;

use crate::{blessing, diff, feature_specs, rebless, root, specs};

fn generate(spec: &Path, name: &str) -> uniapi::Crate {
    let config = uniapi::Config {
        crate_name: Some(name.to_owned()),
        ..uniapi::Config::default()
    };
    match uniapi::generate(spec, &config) {
        Ok(generated) => generated.krate,
        Err(diagnostics) => panic!("{} does not generate:\n{diagnostics}", spec.display()),
    }
}

/// Compares every file of `krate` with `dir` (or writes them when
/// blessing); returns the differences.
fn compare(krate: &uniapi::Crate, dir: &Path) -> Vec<String> {
    let mut differences = Vec::new();
    for file in &krate.files {
        let path = dir.join(&file.path);
        if blessing() {
            uniapi::write::write_if_changed(&path, &file.contents).expect("writing a snapshot");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(old) if old == file.contents => {}
            Ok(old) => differences.push(format!(
                "{} differs:\n{}",
                path.display(),
                diff(&path, &old, &file.contents)
            )),
            Err(_) => differences.push(format!("{} is missing", path.display())),
        }
    }
    differences
}

#[test]
fn snapshots_match() {
    let mut differences = Vec::new();
    for spec in specs() {
        let stem = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 name");
        let krate = generate(&spec, &format!("snapshot-{stem}"));
        differences.extend(compare(&krate, &root().join("tests/snapshots").join(stem)));
    }
    assert!(
        differences.is_empty(),
        "generated code changed:\n{}\n{}",
        differences.join("\n"),
        rebless("snapshots::snapshots_match")
    );
}

#[test]
fn feature_snapshots_match() {
    let mut differences = Vec::new();
    for (spec, dir) in feature_specs() {
        let krate = generate(&spec, &feature_crate_name(&dir));
        differences.extend(compare(
            &krate,
            &root().join("tests/snapshots/features").join(&dir),
        ));
    }
    assert!(
        differences.is_empty(),
        "generated code changed:\n{}\n{}",
        differences.join("\n"),
        rebless("snapshots::feature_snapshots_match")
    );
}

/// `3.0-petstore` → `feature-3-0-petstore`.
fn feature_crate_name(dir: &str) -> String {
    format!("feature-{}", dir.replace('.', "-"))
}

/// The feature snapshots are a workspace of their own (so that `cargo test
/// --workspace` does not build and doc-test 52 crates); this lints all of
/// them, server and client, with warnings denied.
#[test]
fn feature_snapshots_compile_warning_free() {
    let dir = root().join("tests/snapshots/features");
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", root().join("target/features"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the generated crates of specs/features do not build warning-free:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Each feature crate's own tests, with every feature on: that the
/// spec's examples (those that fit their schemas; `lower` warns about the
/// others) read as their types, and that `router(MockApi::new())`, called
/// by the generated client over TCP, answers every operation as the spec
/// documents it.
#[test]
fn feature_crates_own_tests_pass() {
    let dir = root().join("tests/snapshots/features");
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "test",
            "--workspace",
            "--all-features",
            "--lib",
            "--no-fail-fast",
        ])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", root().join("target/features"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the feature crates' own tests fail:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let count = |needle: &str| {
        feature_specs()
            .iter()
            .filter(|(_, dir)| {
                let file = root()
                    .join("tests/snapshots/features")
                    .join(dir)
                    .join(needle);
                std::fs::read_to_string(file)
                    .is_ok_and(|t| t.contains("#[test]") || t.contains("#[tokio::test]"))
            })
            .count()
    };
    let (examples, mocks) = (count("src/types.rs"), count("src/mock.rs"));
    assert!(
        examples >= 10,
        "only {examples} feature crates have example tests"
    );
    assert!(mocks >= 40, "only {mocks} feature crates have mock tests");
    assert_eq!(
        stdout
            .matches("spec_examples_read_as_their_types ... ok")
            .count(),
        examples,
        "not every example test ran:\n{stdout}"
    );
    assert_eq!(
        stdout
            .matches("every_operation_answers_as_documented ... ok")
            .count(),
        mocks,
        "not every mock test ran:\n{stdout}"
    );
}

#[test]
fn generated_example_is_fresh() {
    let krate = generate(&root().join("specs/puppy-shop.yaml"), "puppy-shop");
    let differences = compare(&krate, &root().join("generated-example"));
    assert!(
        differences.is_empty(),
        "generated-example/ is stale:\n{}\n{} (Or run `cargo run -p uniapi -- generate specs/puppy-shop.yaml -o generated-example`.)",
        differences.join("\n"),
        rebless("snapshots::generated_example_is_fresh")
    );
}

#[test]
fn generation_is_deterministic() {
    for spec in specs()
        .into_iter()
        .chain(feature_specs().into_iter().map(|(spec, _)| spec))
    {
        let first = generate(&spec, "determinism");
        for _ in 0..3 {
            let again = generate(&spec, "determinism");
            assert_eq!(
                first.files,
                again.files,
                "{} generated differently twice",
                spec.display()
            );
        }
    }
}

#[test]
fn generated_files_say_so() {
    for spec in specs() {
        let krate = generate(&spec, "header");
        for file in krate
            .files
            .iter()
            .filter(|f| f.path.extension().is_some_and(|e| e == "rs"))
        {
            assert!(
                file.contents
                    .starts_with("// This file is @generated by uniapi"),
                "{} lacks the @generated header",
                file.path.display()
            );
        }
    }
}

/// A mismatch prints a unified diff that names the snapshot, with three
/// lines of context, cut after `DIFF_LINES` lines.
#[test]
fn a_mismatch_reads_as_a_unified_diff() {
    let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    let new = old.replace("line 10\n", "line ten\n");
    let text = diff(Path::new("tests/snapshots/x/src/types.rs"), &old, &new);
    let want = "\
--- tests/snapshots/x/src/types.rs
+++ generated now
@@ -7,7 +7,7 @@
 line 7
 line 8
 line 9
-line 10
+line ten
 line 11
 line 12
 line 13
";
    assert_eq!(text, want);

    let old: String = (0..1_000).map(|i| format!("old {i}\n")).collect();
    let new: String = (0..1_000).map(|i| format!("new {i}\n")).collect();
    let text = diff(Path::new("big.rs"), &old, &new);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 201, "{text}");
    assert_eq!(lines[200], "... 1803 more lines of diff in big.rs");
}
