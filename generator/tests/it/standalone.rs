//! A newcomer's path: `uniapi new` a crate outside this workspace, then
//! build it with cargo as it is, warnings denied; also client-only and
//! server-only, which must not pull in the other side's HTTP stack.

use std::path::Path;
use std::process::Command;

use crate::root;

fn cargo(dir: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        // One target dir for every run, outside the workspace's (whose lock
        // the running `cargo test` may hold).
        .env("CARGO_TARGET_DIR", root().join("target/standalone"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn new_crate_builds_as_it_is_and_sides_stay_apart() {
    builds_as_it_is_and_sides_stay_apart("specs/petstore.yaml", "petstore");
    // Binary bodies: `api::ByteStream` is shared by both sides, so `api`
    // must build with either alone (and with neither).
    builds_as_it_is_and_sides_stay_apart("specs/features/uniapi/streams.yaml", "streams");
}

fn builds_as_it_is_and_sides_stay_apart(spec: &str, name: &str) {
    let dir = std::env::temp_dir().join(format!("uniapi-standalone-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let spec = root().join(spec);
    let status = Command::new(env!("CARGO_BIN_EXE_uniapi"))
        .args(["new", spec.to_str().unwrap(), "-o", dir.to_str().unwrap()])
        .status()
        .expect("uniapi runs");
    assert!(status.success());

    let (ok, text) = cargo(&dir, &["build"]);
    assert!(ok, "cargo build of a new crate failed:\n{text}");
    assert!(!text.contains("warning"), "warnings:\n{text}");

    let (ok, text) = cargo(
        &dir,
        &["build", "--no-default-features", "--features", "client"],
    );
    assert!(ok, "client-only build failed:\n{text}");
    let (ok, text) = cargo(
        &dir,
        &["build", "--no-default-features", "--features", "server"],
    );
    assert!(ok, "server-only build failed:\n{text}");
    let (ok, text) = cargo(&dir, &["build", "--no-default-features"]);
    assert!(ok, "a build with neither side failed:\n{text}");

    let tree = |features: &str| {
        let (ok, text) = cargo(
            &dir,
            &[
                "tree",
                "--no-default-features",
                "--features",
                features,
                "-e",
                "normal",
                "--prefix",
                "none",
            ],
        );
        assert!(ok, "{text}");
        text
    };
    let client_only = tree("client");
    assert!(
        client_only.contains("reqwest") && !client_only.contains("axum"),
        "{client_only}"
    );
    let server_only = tree("server");
    assert!(
        server_only.contains("axum") && !server_only.contains("reqwest"),
        "{server_only}"
    );

    let _ = std::fs::remove_dir_all(&dir);
}
