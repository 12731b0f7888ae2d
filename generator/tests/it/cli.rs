//! The `uniapi` command, run as a user would.

use std::path::Path;
use std::process::{Command, Output};

use crate::root;

fn uniapi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uniapi"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("uniapi runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("uniapi-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        &["--help"][..],
        &["new", "--help"],
        &["generate", "--help"],
        &["check", "--help"],
        &["lint", "--help"],
    ] {
        let output = uniapi(sub);
        assert!(output.status.success(), "{sub:?}: {}", text(&output));
        assert!(
            text(&output).contains("Usage: uniapi"),
            "{sub:?}: {}",
            text(&output)
        );
    }
}

#[test]
fn new_then_generate_then_check() {
    let dir = temp_dir("cycle");
    let out = dir.to_str().expect("UTF-8 temp dir");
    let spec = "specs/puppy-shop.yaml";

    let output = uniapi(&["new", spec, "-o", out, "--name", "my-shop"]);
    assert!(output.status.success(), "{}", text(&output));
    let cargo_toml = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml written");
    assert!(cargo_toml.contains("name = \"my-shop\""), "{cargo_toml}");

    // `new` refuses a directory that is not empty.
    let output = uniapi(&["new", spec, "-o", out]);
    assert!(!output.status.success());
    assert!(text(&output).contains("not empty"), "{}", text(&output));

    // A fresh crate checks clean, under the name it was made with.
    let output = uniapi(&["check", spec, "-o", out]);
    assert!(output.status.success(), "{}", text(&output));

    // The user's own files and edits to Cargo.toml survive `generate`;
    // unchanged generated files are not rewritten.
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    std::fs::write(dir.join("examples/mine.rs"), "fn main() {}\n").unwrap();
    let edited_toml = format!("{cargo_toml}\n# my edit\n");
    std::fs::write(dir.join("Cargo.toml"), &edited_toml).unwrap();
    let api_rs = dir.join("src/api.rs");
    let modified = std::fs::metadata(&api_rs).unwrap().modified().unwrap();
    let output = uniapi(&["generate", spec, "-o", out]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("up to date"), "{}", text(&output));
    assert_eq!(
        std::fs::metadata(&api_rs).unwrap().modified().unwrap(),
        modified
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("examples/mine.rs")).unwrap(),
        "fn main() {}\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
        edited_toml
    );

    // An edited generated file makes `check` fail and name it ...
    let types_rs = dir.join("src/types.rs");
    let original = std::fs::read_to_string(&types_rs).unwrap();
    std::fs::write(&types_rs, format!("{original}\n// hand edit\n")).unwrap();
    let output = uniapi(&["check", spec, "-o", out]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("stale:") && text(&output).contains("types.rs"),
        "{}",
        text(&output)
    );

    // ... and `generate` restores exactly that file.
    let output = uniapi(&["generate", spec, "-o", out]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("types.rs"), "{}", text(&output));
    assert!(!text(&output).contains("api.rs"), "{}", text(&output));
    assert_eq!(std::fs::read_to_string(&types_rs).unwrap(), original);
    assert!(uniapi(&["check", spec, "-o", out]).status.success());

    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_needs_a_crate() {
    let dir = temp_dir("nocrate");
    let output = uniapi(&[
        "generate",
        "specs/petstore.yaml",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(text(&output).contains("uniapi new"), "{}", text(&output));
}

#[test]
fn check_of_the_committed_example_passes() {
    let output = uniapi(&["check", "specs/puppy-shop.yaml", "-o", "generated-example"]);
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn lint_exit_codes() {
    let output = uniapi(&["lint", "specs/petstore.yaml"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("0 error(s)"), "{}", text(&output));

    let output = uniapi(&["lint", "specs/invalid/broken-refs.yaml"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("#/components/schemas/Thing/properties/owner"),
        "{}",
        text(&output)
    );
}

#[test]
fn bad_spec_fails_new_without_writing() {
    let dir = temp_dir("bad");
    let output = uniapi(&[
        "new",
        "specs/invalid/broken-refs.yaml",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(!Path::new(&dir).exists());
}
