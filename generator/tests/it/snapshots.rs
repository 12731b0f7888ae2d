//! Generated code is compared byte for byte with committed snapshots
//! (`tests/snapshots/<spec>/`, workspace members, so they are compiled and
//! linted with the workspace), and `generated-example/` with what `uniapi
//! new specs/puppy-shop.yaml` writes. `UPDATE_SNAPSHOTS=1 cargo test`
//! rewrites both.

use std::path::Path;

use crate::{blessing, diff, feature_specs, rebless, root, specs};

fn generate(spec: &Path, name: &str) -> uniapi::Crate {
    let mut config = uniapi::Config::default();
    let file = spec.with_extension("toml");
    if file.exists() {
        uniapi::config::read(&file, &mut config).expect("the configuration reads");
    }
    config.crate_name = Some(name.to_owned());
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

/// Behind features per tag (`specs/features/config/features.toml`), the
/// crate builds warning-free with any one tag's feature, with none, and its
/// own tests pass with one: each compiles only what it needs.
#[test]
fn feature_per_tag_crate_builds_with_one_tag() {
    let dir = root().join("tests/snapshots/features");
    for features in [
        "client,server,mock,pets",
        "client,server,mock,store",
        "client,server,mock",
        "client",
    ] {
        for command in ["clippy", "test"] {
            let mut args = vec![
                command,
                "--package",
                "feature-config-features",
                "--no-default-features",
                "--features",
                features,
                "--quiet",
            ];
            if command == "clippy" {
                args.extend(["--all-targets", "--", "-D", "warnings"]);
            } else {
                args.push("--lib");
            }
            let output = std::process::Command::new(env!("CARGO"))
                .args(&args)
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", root().join("target/features"))
                .output()
                .expect("cargo runs");
            assert!(
                output.status.success(),
                "`cargo {command}` with features {features} fails:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let cargo_toml = std::fs::read_to_string(dir.join("config-features/Cargo.toml"))
        .expect("the crate has a Cargo.toml");
    for feature in [
        "pets = []",
        "store = []",
        "unused-schemas = [\"pets\", \"store\"]",
    ] {
        assert!(cargo_toml.contains(feature), "{feature} is missing");
    }
}

/// Every feature spec, generated with a feature per tag and built with no
/// tag's feature on (the mock and its test included): whatever a build
/// leaves out, what it keeps compiles warning-free.
#[test]
fn every_feature_spec_builds_with_features_per_tag_and_none_on() {
    let dir = root().join("target/per-tag");
    let _ = std::fs::remove_dir_all(&dir);
    let mut members = Vec::new();
    for (spec, name) in feature_specs() {
        let mut config = uniapi::Config {
            features_per_tag: true,
            ..uniapi::Config::default()
        };
        let file = spec.with_extension("toml");
        if file.exists() {
            uniapi::config::read(&file, &mut config).expect("the configuration reads");
            config.features_per_tag = true;
        }
        config.crate_name = Some(format!("per-tag-{}", name.replace('.', "-")));
        let krate = match uniapi::generate(&spec, &config) {
            Ok(generated) => generated.krate,
            Err(diagnostics) => panic!("{} does not generate:\n{diagnostics}", spec.display()),
        };
        krate.write_new(&dir.join(&name)).expect("writes");
        members.push(format!("{name:?}"));
    }
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("writes the workspace");
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--no-default-features",
            "--features",
            "client,server,mock",
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
        "with features per tag and none on, the feature crates do not build warning-free:\n{}",
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
    // A crate with webhooks or callbacks has another mock for each, with
    // a test of its own.
    let webhook_mocks = count("src/webhooks/mock.rs") + count("src/callbacks/mock.rs");
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
        mocks + webhook_mocks,
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

/// Every crate generated from `specs/` and `specs/features/` as committed
/// (and the puppy shop's example), each `.rs` file under `src/`.
fn committed_sources() -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("target") {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.components().any(|c| c.as_os_str() == "src")
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("tests/snapshots"), &mut out);
    walk(&root().join("generated-example/src"), &mut out);
    out.sort();
    out
}

#[test]
fn runtime_files_are_the_same_in_every_crate() {
    let mut checked = 0;
    for path in committed_sources() {
        let Some(dir) = path.parent().filter(|d| d.ends_with("src/runtime")) else {
            continue;
        };
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if name == "mod" {
            continue;
        }
        let file = uniapi::runtime::FILES
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{} is no runtime file", path.display()));
        let contents = std::fs::read_to_string(&path).expect("reading a runtime file");
        assert!(
            contents == file.contents(),
            "{} is not generator/runtime/{name}.rs (in {}):\n{}{}",
            path.display(),
            dir.display(),
            diff(&path, &contents, &file.contents()),
            // The copies are in every kind of snapshot.
            rebless("-- snapshots_match generated_example_is_fresh")
        );
        checked += 1;
    }
    // Petstore, the puppy shop twice, and the feature crates with servers.
    assert!(checked >= 5 * 40, "only {checked} runtime files found");
}

/// A line's length without what the spec wrote into it: the contents of
/// string literals, and identifiers made from long names (30 characters or
/// more). Comments (descriptions) count as the spec's.
fn own_length(line: &str) -> usize {
    if line.trim_start().starts_with("//") {
        return 0;
    }
    let mut own = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        own.push(c);
        if c == '"' {
            // Skip to the closing quote; escapes hold the next character.
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        own.push('"');
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    own.split_inclusive(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .map(|piece| {
            let word = piece.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
            if word.len() >= 30 {
                piece.len() - word.len()
            } else {
                piece.chars().count()
            }
        })
        .sum()
}

#[test]
fn own_length_leaves_out_what_the_spec_wrote() {
    assert_eq!(
        own_length(r#"    f("abc\"def", x);"#),
        r#"    f("", x);"#.len()
    );
    assert_eq!(own_length("/// a very long description"), 0);
    let long = format!("let {} = 1;", "a".repeat(40));
    assert_eq!(own_length(&long), "let  = 1;".len());
    assert_eq!(own_length("let short = 1;"), 14);
}

/// No generated line is longer than 120 characters unless what the spec
/// wrote into it (strings, long names, descriptions) makes it so.
#[test]
fn generated_lines_are_at_most_120_characters() {
    let mut long = Vec::new();
    for path in committed_sources() {
        let text = std::fs::read_to_string(&path).expect("reading a snapshot");
        for (i, line) in text.lines().enumerate() {
            if own_length(line) > 120 {
                long.push(format!("{}:{}: {line}", path.display(), i + 1));
            }
        }
    }
    assert!(
        long.is_empty(),
        "lines over 120 characters:\n{}",
        long.join("\n")
    );
}
