//! The performance regression guard: robust to a noisy machine, so it
//! measures nothing in seconds.
//!
//! - **Compile-time budget.** What the compiler spends its time on in a
//!   generated crate is items and bodies: types, impls, derives, serde
//!   attributes, functions, lines. For a fixed spec made here (a small API
//!   that repeats its inline schemas as real specs do), each count must stay
//!   within 2% of `budget.txt`. More code means a slower `cargo check` for
//!   every user; if the growth is intended, `UPDATE_SNAPSHOTS=1 cargo test
//!   -p uniapi` rewrites the budget, and the diff shows it in review.
//! - **Generation speed, as a ratio.** Loading, lowering and emitting the
//!   same spec (the single-threaded stages) is timed against a fixed
//!   reference workload in the same process (parsing and printing the
//!   spec's JSON with serde_json), each the fastest of several interleaved
//!   runs. The ratio must stay under `max_time_ratio` of the
//!   budget, which has headroom for noise but not for an accidentally
//!   quadratic pass.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uniapi::emit::Split as _;

/// How far above its budget a count may go.
const TOLERANCE: f64 = 0.02;

fn budget_file() -> PathBuf {
    super::root().join("generator/tests/it/budget.txt")
}

/// A spec shaped like the ones that make big crates: operations whose inline
/// response and request schemas repeat the same `owner`, `labels` and
/// `permissions` objects, and event schemas that repeat them again.
fn spec() -> Value {
    let owner = json!({
        "type": "object",
        "required": ["login", "id"],
        "properties": {
            "login": {"type": "string"},
            "id": {"type": "integer", "format": "int64"},
            "type": {"type": "string", "enum": ["User", "Organization", "Bot"]},
            "site_admin": {"type": "boolean"},
            "permissions": {
                "type": "object",
                "properties": {
                    "admin": {"type": "boolean"},
                    "push": {"type": "boolean"},
                    "pull": {"type": "boolean"}
                }
            }
        }
    });
    let thing = json!({
        "type": "object",
        "required": ["id", "name", "owner"],
        "properties": {
            "id": {"type": "integer", "format": "int64"},
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "state": {"type": "string", "enum": ["open", "closed"]},
            "owner": owner,
            "labels": {"type": "array", "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "color": {"type": "string"}}
            }},
            "created_at": {"type": "string", "format": "date-time"},
            "score": {"type": "number"},
            "extra": {"type": "object", "additionalProperties": {"type": "string"}}
        }
    });
    let mut paths = serde_json::Map::new();
    for i in 0..20 {
        paths.insert(
            format!("/things{i}/{{id}}"),
            json!({
                "parameters": [{"name": "id", "in": "path", "required": true,
                                "schema": {"type": "integer", "format": "int64"}}],
                "get": {
                    "operationId": format!("getThing{i}"),
                    "parameters": [
                        {"name": "limit", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 30}},
                        {"name": "state", "in": "query",
                         "schema": {"type": "string", "enum": ["open", "closed", "all"]}}
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": thing}}},
                        "404": {"description": "missing", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"}}}}
                    }
                },
                "post": {
                    "operationId": format!("updateThing{i}"),
                    "security": [{"bearer": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string", "minLength": 1},
                            "state": {"type": "string", "enum": ["open", "closed"]},
                            "labels": {"type": "array", "items": {"type": "string"}}
                        }
                    }}}},
                    "responses": {
                        "201": {"description": "made", "content": {"application/json": {"schema": thing}}},
                        "default": {"description": "error", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"}}}}
                    }
                }
            }),
        );
    }
    let mut schemas = serde_json::Map::new();
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "required": ["message"],
               "properties": {"message": {"type": "string"}, "code": {"type": "integer"}}}),
    );
    for i in 0..20 {
        schemas.insert(
            format!("event-{i}"),
            json!({"type": "object", "required": ["action", "sender"], "properties": {
                "action": {"type": "string", "enum": ["created", "deleted"]},
                "sender": owner,
                "thing": thing,
                "oneof": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
            }}),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Budget", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}

/// Counts of what the compiler works through in the generated `.rs` files.
fn counts(krate: &uniapi::Crate) -> BTreeMap<&'static str, usize> {
    let mut c = BTreeMap::new();
    for file in &krate.files {
        if file.path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = &file.contents;
        let mut add = |k: &'static str, n: usize| *c.entry(k).or_insert(0) += n;
        add("lines", text.lines().count());
        add("bytes", text.len());
        for line in text.lines() {
            let line = line.trim_start();
            let starts = |p: &str| line.starts_with(p) || line.starts_with(&format!("pub {p}"));
            add("structs", usize::from(starts("struct ")));
            add("enums", usize::from(starts("enum ")));
            add("type aliases", usize::from(starts("type ")));
            add("impls", usize::from(line.starts_with("impl")));
            add("fns", line.matches("fn ").count());
            add(
                "serde attributes",
                usize::from(line.starts_with("#[serde(")),
            );
            if let Some(list) = line.strip_prefix("#[derive(") {
                add(
                    "derived traits",
                    list.split(',').filter(|s| !s.trim().is_empty()).count(),
                );
            }
        }
    }
    c
}

fn read_budget() -> BTreeMap<String, f64> {
    std::fs::read_to_string(budget_file())
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            Some((k.trim().to_owned(), v.trim().parse().ok()?))
        })
        .collect()
}

/// The fastest of `n` runs of `f`.
fn fastest(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn generated_code_and_generation_time_stay_within_budget() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("budget");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec_path = dir.join("budget.json");
    let text = serde_json::to_string_pretty(&spec()).expect("JSON");
    std::fs::write(&spec_path, &text).expect("write spec");
    let generated = uniapi::generate(&spec_path, &uniapi::Config::default())
        .unwrap_or_else(|d| panic!("the budget spec does not generate:\n{d:?}"));
    let counts = counts(&generated.krate);

    // Timed: the single-threaded stages (load, lower, emit), as rendering
    // formats on two threads, which a busy machine may not give it.
    let pipeline = || {
        let loaded = uniapi::load::load(&spec_path).expect("loads");
        let (api, _) = uniapi::lower::lower(&loaded).expect("lowers");
        (
            uniapi::emit::types(&api, false).tokens(),
            uniapi::emit::api(&api).tokens(),
            uniapi::emit::server(&api, false, false).tokens(),
            uniapi::emit::client(&api).tokens(),
        )
    };

    // The reference: as much JSON work as takes about as long, repeated.
    let reference = || {
        for _ in 0..8 {
            let value: Value = serde_json::from_str(&text).expect("JSON");
            std::hint::black_box(serde_json::to_string(&value).expect("JSON"));
        }
    };
    let (mut gen_times, mut ref_times) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        gen_times.push(fastest(1, || {
            std::hint::black_box(pipeline());
        }));
        ref_times.push(fastest(1, reference));
    }
    eprintln!("budget timing: generation {gen_times:?}, reference {ref_times:?}");
    let ratio = gen_times.iter().min().expect("runs").as_secs_f64()
        / ref_times
            .iter()
            .min()
            .expect("runs")
            .as_secs_f64()
            .max(1e-9);

    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        let mut out = String::from(
            "# Written by `UPDATE_SNAPSHOTS=1 cargo test -p uniapi` (generator/tests/it/budget.rs).\n\
             # Counts in the crate generated from the budget spec may grow by 2% at most;\n\
             # max_time_ratio is 3 times the generation/reference time ratio measured when written.\n",
        );
        for (k, v) in &counts {
            writeln!(out, "{k} {v}").ok();
        }
        // The time ratio is noisy: keep an existing bound unless the
        // measurement now needs more.
        let old = read_budget().get("max_time_ratio").copied().unwrap_or(0.0);
        writeln!(out, "max_time_ratio {:.2}", old.max(3.0 * ratio)).ok();
        std::fs::write(budget_file(), out).expect("write the budget");
        return;
    }

    let budget = read_budget();
    let mut over = Vec::new();
    for (k, v) in &counts {
        match budget.get(*k) {
            Some(b) if (*v as f64) <= b * (1.0 + TOLERANCE) => {}
            Some(b) => over.push(format!(
                "{k}: {v}, budget {b} (+{:.1}%)",
                (*v as f64 / b - 1.0) * 100.0
            )),
            None => over.push(format!("{k}: {v}, no budget")),
        }
    }
    let max_ratio = budget.get("max_time_ratio").copied().unwrap_or(0.0);
    if ratio > max_ratio {
        over.push(format!(
            "generation took {ratio:.2} times the reference workload, more than the budget's {max_ratio:.2}"
        ));
    }
    assert!(
        over.is_empty(),
        "over budget:\n  {}\nGenerated code grew or generation slowed down. If that is intended, \
         run `UPDATE_SNAPSHOTS=1 cargo test -p uniapi` and commit generator/tests/it/budget.txt.",
        over.join("\n  ")
    );
}
