//! schemathesis (a property-based API tester from PyPI, pinned in
//! `.ci/install-schemathesis`) against generated servers: the puppy shop,
//! and `router(MockApi::new())` of a few feature specs. Positive and
//! negative data, a fixed seed and example count, one worker: the run is
//! reproducible and takes a few minutes.
//!
//! Checks: not_a_server_error, status_code_conformance,
//! content_type_conformance, response_headers_conformance,
//! response_schema_conformance. What the server does on purpose and the spec
//! does not say (a 400 or 401 answered as `application/problem+json` where
//! the spec documents another body, a 400 the spec does not list) is
//! accepted per operation in `tests/schemathesis/<spec>.json`, a
//! schemathesis baseline: any other failure fails the test.
//! `UPDATE_SNAPSHOTS=1` rewrites the baselines.
//!
//! Without schemathesis the test fails, naming the script that installs
//! it; `UNIAPI_SKIP_SCHEMATHESIS=1` skips it (locally, never in CI).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The version `.ci/install-schemathesis` installs.
const VERSION: &str = "4.32.5";
const SEED: &str = "1";
const EXAMPLES: &str = "30";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

/// The installed schemathesis, or a loud failure.
fn schemathesis() -> PathBuf {
    let venv = std::env::var_os("UNIAPI_SCHEMATHESIS_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/uniapi-schemathesis"))
        })
        .expect("HOME is set");
    let bin = venv.join("bin/schemathesis");
    let version = Command::new(&bin).arg("--version").output();
    match version {
        Ok(out) if String::from_utf8_lossy(&out.stdout).contains(VERSION) => bin,
        _ => panic!(
            "schemathesis {VERSION} is not installed at {}: run `.ci/install-schemathesis` \
             (or set UNIAPI_SKIP_SCHEMATHESIS=1 to skip this test locally)",
            bin.display()
        ),
    }
}

/// One run's summary.
struct Summary {
    spec: &'static str,
    operations: String,
    generated: String,
    known: String,
    ok: bool,
    output: String,
}

/// Runs schemathesis against `base` for `spec` (relative to `specs/`).
fn run(bin: &Path, name: &'static str, spec: &str, base: &str, headers: &[&str]) -> Summary {
    let baseline = root()
        .join("tests/schemathesis")
        .join(format!("{name}.json"));
    let mut command = Command::new(bin);
    command
        .arg("run")
        .arg(root().join("specs").join(spec))
        .args(["--url", base, "--checks", CHECKS, "--mode", "all"])
        .args(["--max-examples", EXAMPLES, "--seed", SEED, "--workers", "1"])
        .args([
            "--no-color",
            "--request-timeout",
            "10",
            "--continue-on-failure",
        ])
        .current_dir(std::env::temp_dir());
    for header in headers {
        command.args(["--header", header]);
    }
    let bless = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    if bless {
        let _ = std::fs::remove_file(&baseline);
        command
            .arg("--baseline")
            .arg(&baseline)
            .arg("--baseline-update");
    } else if baseline.exists() {
        command.arg("--baseline").arg(&baseline);
    }
    let out = command.output().expect("schemathesis runs");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let after = |label: &str| {
        output
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(label))
            .nth(1)
            .map(|l| l.trim().to_owned())
            .unwrap_or_default()
    };
    let line = |label: &str| {
        output
            .lines()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
            .unwrap_or_default()
    };
    Summary {
        spec: name,
        operations: line("Tested:"),
        generated: after("Test cases:"),
        known: line("Known failures:"),
        ok: out.status.success() || bless,
        output,
    }
}

/// Serves `router` on 127.0.0.1:0 on its own runtime thread.
fn serve(router: axum::Router) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                axum::serve(listener, router).await.expect("serve");
            });
    });
    format!("http://{addr}")
}

// Formatted as part of `puppy-shop` (edition 2021), not here.
#[path = "../../../generated-example/examples/shop/mod.rs"]
#[allow(dead_code)]
#[rustfmt::skip]
mod shop;

#[test]
fn schemathesis_finds_no_new_failures() {
    if std::env::var_os("UNIAPI_SKIP_SCHEMATHESIS").is_some_and(|v| v == "1") {
        eprintln!("schemathesis skipped (UNIAPI_SKIP_SCHEMATHESIS=1)");
        return;
    }
    let bin = schemathesis();
    let shop = serve(
        axum::Router::new().nest("/v1", puppy_shop::router(shop::Shop::with_sample_puppies())),
    );
    let bearer = "Authorization: Bearer alice";
    let runs = [
        (
            "puppy-shop",
            "puppy-shop.yaml",
            format!("{shop}/v1"),
            vec![bearer],
        ),
        (
            "3.0-petstore-expanded",
            "features/3.0/petstore-expanded.yaml",
            serve(feature_3_0_petstore_expanded::router(
                feature_3_0_petstore_expanded::mock::MockApi::new(),
            )),
            vec![],
        ),
        (
            "3.0-parameters-style",
            "features/3.0/parameters-style.yaml",
            serve(feature_3_0_parameters_style::router(
                feature_3_0_parameters_style::mock::MockApi::new(),
            )),
            vec![],
        ),
        (
            "uniapi-constraints",
            "features/uniapi/constraints.yaml",
            serve(feature_uniapi_constraints::router(
                feature_uniapi_constraints::mock::MockApi::new(),
            )),
            vec![],
        ),
        (
            "3.1-train-travel",
            "features/3.1/train-travel.yaml",
            serve(feature_3_1_train_travel::router(
                feature_3_1_train_travel::mock::MockApi::new(),
            )),
            vec![bearer],
        ),
    ];
    let mut report = String::from(
        "| spec | operations | test cases | known failures |\n| --- | --- | --- | --- |\n",
    );
    let mut failed = Vec::new();
    for (name, spec, base, headers) in &runs {
        let summary = run(&bin, name, spec, base, headers);
        report.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            summary.spec,
            summary.operations,
            summary.generated,
            if summary.known.is_empty() {
                "0"
            } else {
                &summary.known
            }
        ));
        if !summary.ok {
            failed.push(format!("--- {name} ---\n{}", summary.output));
        }
    }
    println!("schemathesis {VERSION}, seed {SEED}, {EXAMPLES} examples per operation:\n{report}");
    let _ = std::fs::write(root().join("target/schemathesis-summary.md"), &report);
    assert!(
        failed.is_empty(),
        "schemathesis found failures not in tests/schemathesis/*.json:\n{}\n{report}",
        failed.join("\n")
    );
}
