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
        &["init", "--help"],
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

/// `uniapi init` writes the commented configuration, which reads as the
/// defaults, and never overwrites one.
#[test]
fn init_writes_a_configuration_once() {
    let dir = temp_dir("init");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("openapi.yaml");
    std::fs::copy(root().join("specs/petstore.yaml"), &spec).expect("copy");
    let output = uniapi(&["init", spec.to_str().expect("UTF-8")]);
    assert!(output.status.success(), "{}", text(&output));
    let written = std::fs::read_to_string(dir.join("uniapi.toml")).expect("written");
    assert_eq!(written, uniapi::config::TEMPLATE);
    let again = uniapi(&["init", spec.to_str().expect("UTF-8")]);
    assert!(!again.status.success());
    assert!(text(&again).contains("exists"), "{}", text(&again));
    // Found beside the spec: the same crate as with no configuration.
    let out = dir.join("crate");
    let output = uniapi(&[
        "new",
        spec.to_str().expect("UTF-8"),
        "-o",
        out.to_str().expect("UTF-8"),
    ]);
    assert!(output.status.success(), "{}", text(&output));
}

/// A configuration's mistakes stop the CLI with their file, key and line;
/// `uniapi.toml` beside the spec is read without `--config`.
#[test]
fn configuration_mistakes_are_diagnostics() {
    let dir = temp_dir("config-mistakes");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("petstore.yaml");
    std::fs::copy(root().join("specs/petstore.yaml"), &spec).expect("copy");
    let config = dir.join("uniapi.toml");
    std::fs::write(&config, "[select]\ntags = [\"pets\", \"toys\"]\n").expect("write");
    let out = dir.join("crate");
    let output = uniapi(&[
        "new",
        spec.to_str().expect("UTF-8"),
        "-o",
        out.to_str().expect("UTF-8"),
    ]);
    assert!(!output.status.success());
    let said = text(&output);
    assert!(
        said.contains("error: no operation has the tag `toys`")
            && said.contains("uniapi.toml#/select/tags/1 (line 2)"),
        "{said}"
    );
    assert!(!out.exists(), "nothing is written");
    std::fs::write(&config, "[typess]\n").expect("write");
    let output = uniapi(&["lint", spec.to_str().expect("UTF-8")]);
    assert!(!output.status.success());
    assert!(
        text(&output).contains("unknown field `typess`"),
        "{}",
        text(&output)
    );
}

/// The same configuration through the CLI, through `build.rs` reading the
/// file, and through the builder's methods gives the same code.
#[test]
fn one_configuration_three_ways_same_bytes() {
    let spec = root().join("specs/features/config/types.yaml");
    let file = root().join("specs/features/config/types.toml");
    let dir = temp_dir("three-ways");
    let from_file = uniapi::configure()
        .config(&file)
        .out_dir(dir.join("file"))
        .compile(&spec)
        .expect("generates");
    let from_methods = uniapi::configure()
        .date_time(uniapi::config::TimeCrate::Jiff)
        .date(uniapi::config::TimeCrate::String)
        .uuid(uniapi::config::UuidType::String)
        .int64(uniapi::config::Int64Wire::String)
        .decimal(uniapi::config::DecimalType::RustDecimal)
        .derive("*", "Hash")
        .derive("*", "Eq")
        .derive("Visit", "PartialOrd")
        .derive("Visit", "Ord")
        .attribute("Pet", "#[non_exhaustive]")
        .replace("Labels", "serde_json::Map<String, serde_json::Value>")
        .out_dir(dir.join("methods"))
        .compile(&spec)
        .expect("generates");
    let read = |p: &Path| std::fs::read_to_string(p).expect("written");
    assert!(
        read(&from_file) == read(&from_methods),
        "the file and the methods generate differently"
    );
    assert!(
        read(&from_file).contains("pub type Labels = serde_json::Map<String, serde_json::Value>;")
    );
    // The CLI's crate holds the same types module as the library makes.
    let out = dir.join("crate");
    let output = uniapi(&[
        "new",
        spec.to_str().expect("UTF-8"),
        "-o",
        out.to_str().expect("UTF-8"),
        "--name",
        "feature-config-types",
        "--config",
        file.to_str().expect("UTF-8"),
    ]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        read(&out.join("src/types.rs"))
            == read(&root().join("tests/snapshots/features/config-types/src/types.rs")),
        "the CLI's types.rs is not the snapshot's"
    );
    // A mistake in a builder method stops `compile`.
    let mistake = uniapi::configure()
        .derive("*", "not a path")
        .out_dir(dir.join("mistake"))
        .compile(&spec)
        .expect_err("a mistake");
    assert!(
        mistake
            .to_string()
            .contains("is not the path of a derive macro"),
        "{mistake}"
    );
}

/// `generate` never writes `Cargo.toml`: turning features per tag on for a
/// crate `new` made without them is a warning naming the missing
/// features, and `check` fails on it.
#[test]
fn features_cargo_toml_lacks_are_reported() {
    let dir = temp_dir("missing-features");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("crate");
    let out = out.to_str().expect("UTF-8");
    let output = uniapi(&["new", "specs/petstore.yaml", "-o", out]);
    assert!(output.status.success(), "{}", text(&output));
    let config = dir.join("per-tag.toml");
    std::fs::write(&config, "[features]\nper-tag = true\n").expect("write");
    let config = config.to_str().expect("UTF-8");
    let output = uniapi(&[
        "generate",
        "specs/petstore.yaml",
        "-o",
        out,
        "--config",
        config,
    ]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("lacks the features pets that the generated code uses"),
        "{}",
        text(&output)
    );
    let output = uniapi(&[
        "check",
        "specs/petstore.yaml",
        "-o",
        out,
        "--config",
        config,
    ]);
    assert!(!output.status.success(), "{}", text(&output));
}
