//! Bad specs give located diagnostics with hints, never a panic.

use crate::root;

fn lint(name: &str) -> uniapi::Diagnostics {
    uniapi::lint(&root().join("specs/invalid").join(name))
}

#[test]
fn broken_references_are_all_reported() {
    let diagnostics = lint("broken-refs.yaml");
    let errors: Vec<_> = diagnostics.errors().collect();
    let pointers: Vec<&str> = errors.iter().map(|d| d.pointer.as_str()).collect();
    assert!(
        pointers
            .contains(&"/paths/~1things~1{id}/get/responses/200/content/application~1json/schema"),
        "{diagnostics}"
    );
    assert!(
        pointers.contains(&"/components/schemas/Thing/properties/owner"),
        "{diagnostics}"
    );
    for d in &errors {
        assert!(d.hint.is_some(), "no hint: {d}");
        assert!(d.file.ends_with("broken-refs.yaml"), "no file: {d}");
        assert!(d.line.is_some(), "no line: {d}");
    }
    // No request can meet an undeclared scheme: a warning that says so.
    let security = diagnostics
        .warnings()
        .find(|d| d.pointer == "/paths/~1things~1{id}/get/security/0");
    assert!(
        security.is_some_and(|d| d.message.contains("no request can meet")),
        "{diagnostics}"
    );
    // The undeclared path parameter is a warning, not an error.
    assert!(
        diagnostics
            .warnings()
            .any(|d| d.message.contains("path parameter `id` is not declared")),
        "{diagnostics}"
    );
}

#[test]
fn swagger_1_2_is_explained() {
    let diagnostics = lint("not-openapi.yaml");
    let error = diagnostics.errors().next().expect("an error");
    assert_eq!(error.pointer, "/openapi");
    assert!(
        error.hint.as_deref().unwrap_or("").contains("Swagger 1.2"),
        "{error}"
    );
}

/// A Swagger 2.0 document's diagnostics are those of its 3.0 form, with
/// the 2.0 document's own pointers and lines.
#[test]
fn swagger_2_diagnostics_point_into_the_2_0_document() {
    let diagnostics = lint("broken-refs-2.0.yaml");
    let located: Vec<(&str, Option<usize>)> = diagnostics
        .iter()
        .map(|d| (d.pointer.as_str(), d.line))
        .collect();
    for (pointer, line) in [
        ("/paths/~1things~1{id}/get/responses/200/schema", 14),
        ("/definitions/Thing/properties/owner", 32),
        ("/paths/~1things~1{id}/get/security/0", 9),
        ("/paths/~1things/post/parameters/1", 19),
    ] {
        assert!(
            located.contains(&(pointer, Some(line))),
            "{pointer} (line {line}) is not reported:\n{diagnostics}"
        );
    }
    // Said in the 2.0 document's terms.
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.contains("`$ref: #/definitions/Missing`")),
        "{diagnostics}"
    );
    for d in diagnostics.iter() {
        assert!(d.file.ends_with("broken-refs-2.0.yaml"), "no file: {d}");
        assert!(d.hint.is_some(), "no hint: {d}");
    }
}

#[test]
fn syntax_errors_are_located() {
    let diagnostics = lint("bad-yaml.yaml");
    let error = diagnostics.errors().next().expect("an error");
    assert!(error.message.starts_with("invalid YAML"), "{error}");
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let diagnostics = lint("no-such-file.yaml");
    assert!(diagnostics.has_errors());
}

#[test]
fn displayed_like_a_compiler() {
    let diagnostics = lint("broken-refs.yaml");
    let text = diagnostics.to_string();
    assert!(text.contains("error: "), "{text}");
    assert!(text.contains("  --> "), "{text}");
    assert!(text.contains("= hint: "), "{text}");
}

#[test]
fn a_missing_referenced_file_is_located() {
    let diagnostics = lint("missing-file.yaml");
    let error = diagnostics.errors().next().expect("an error");
    assert_eq!(
        error.pointer, "/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
        "{error}"
    );
    assert!(error.message.contains("nowhere/thing.yaml"), "{error}");
    assert!(error.hint.is_some());
}

#[test]
fn every_file_read_is_a_source() {
    let spec = root().join("specs/features/uniapi/multi-file.yaml");
    let generated = uniapi::generate(&spec, &uniapi::Config::default()).expect("generates");
    let names: Vec<String> = generated
        .sources
        .iter()
        .map(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    for file in [
        "multi-file.yaml",
        "pets.yaml",
        "pet.yaml",
        "tree.yaml",
        "node.yaml",
        "common.json",
    ] {
        assert!(
            names.iter().any(|n| n == file),
            "{file} not among {names:?}"
        );
    }
    // Each file once, though several references lead to it.
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}

/// `uniapi lint` of every spec in `specs/invalid/`, as a person reads it,
/// compared with `tests/snapshots/diagnostics/<spec>.txt`
/// (`UPDATE_SNAPSHOTS=1` rewrites them).
#[test]
fn diagnostics_snapshots() {
    let mut specs: Vec<_> = std::fs::read_dir(root().join("specs/invalid"))
        .expect("specs/invalid exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    let mut differences = Vec::new();
    for spec in specs {
        let text = uniapi::lint(&spec).to_string();
        // Machine-independent: paths relative to the repository.
        let text = text.replace(&format!("{}/", root().display()), "") + "\n";
        let stem = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 name");
        let snapshot = root()
            .join("tests/snapshots/diagnostics")
            .join(format!("{stem}.txt"));
        if crate::blessing() {
            uniapi::write::write_if_changed(&snapshot, &text).expect("writing a snapshot");
        } else {
            match std::fs::read_to_string(&snapshot) {
                Ok(old) if old == text => {}
                Ok(old) => differences.push(format!(
                    "{} differs:\n{}",
                    snapshot.display(),
                    crate::diff(&snapshot, &old, &text)
                )),
                Err(_) => differences.push(format!("{} is missing:\n{text}", snapshot.display())),
            }
        }
    }
    assert!(
        differences.is_empty(),
        "diagnostics changed:\n{}\n{}",
        differences.join("\n"),
        crate::rebless("diagnostics::diagnostics_snapshots")
    );
}

/// A `multipart/form-data` body with an object schema is parsed (also
/// through a `$ref`'d request body), each property's part as `encoding`
/// or OpenAPI's defaults say; one without an object schema stays bytes,
/// with a warning.
#[test]
fn multipart_bodies_are_lowered_by_their_parts() {
    use uniapi::ir::{MediaKind, PartKind};
    let spec = r#"
openapi: 3.0.3
info: {title: Parts, version: "1"}
paths:
  /ref:
    post:
      requestBody: {$ref: '#/components/requestBodies/Up'}
      responses: {'204': {description: ok}}
  /raw:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {type: string, format: binary}
      responses: {'204': {description: ok}}
components:
  requestBodies:
    Up:
      content:
        multipart/form-data:
          schema:
            type: object
            properties:
              file: {type: string, format: binary}
              files: {type: array, items: {type: string, format: binary}}
              n: {type: integer}
              s: {type: string}
              o: {type: object, properties: {a: {type: string}}}
              j: {type: integer}
          encoding:
            file: {contentType: 'image/png, image/jpeg'}
            j: {contentType: application/json}
"#;
    let path = std::env::temp_dir().join(format!("uniapi-multipart-{}.yaml", std::process::id()));
    std::fs::write(&path, spec).expect("temp file");
    let loaded = uniapi::load::load(&path).expect("loads");
    let (api, diagnostics) = uniapi::lower::lower(&loaded).expect("lowers");
    std::fs::remove_file(&path).ok();
    let body = |path: &str| {
        api.operations
            .iter()
            .find(|op| op.path == path)
            .and_then(|op| op.body().cloned())
            .expect("a body")
    };
    let parsed = body("/ref");
    assert_eq!(parsed.media, MediaKind::Multipart);
    let parts: Vec<(&str, PartKind, &str, bool)> = parsed
        .parts
        .iter()
        .map(|p| (p.wire.as_str(), p.kind, p.content_type.as_str(), p.repeated))
        .collect();
    assert_eq!(
        parts,
        [
            ("file", PartKind::File, "image/png", false),
            ("files", PartKind::File, "application/octet-stream", true),
            ("n", PartKind::Text { quoted: false }, "text/plain", false),
            ("s", PartKind::Text { quoted: true }, "text/plain", false),
            ("o", PartKind::Json, "application/json", false),
            ("j", PartKind::Json, "application/json", false),
        ]
    );
    assert_eq!(body("/raw").media, MediaKind::Binary);
    let warnings: Vec<_> = diagnostics
        .warnings()
        .filter(|d| d.message.contains("multipart"))
        .map(|d| d.pointer.as_str())
        .collect();
    assert_eq!(
        warnings,
        ["/paths/~1raw/post/requestBody/content/multipart~1form-data"]
    );
}

/// A bad example of a response body with several media types is reported
/// once (the preferred media type is one of the bodies, not a copy of it).
#[test]
fn a_bad_example_of_several_media_types_is_reported_once() {
    let spec = r#"
openapi: 3.0.3
info: {title: Media, version: "1"}
paths:
  /n:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: integer}
              example: "not a number"
            text/plain:
              schema: {type: string}
"#;
    let path = std::env::temp_dir().join(format!("uniapi-media-{}.yaml", std::process::id()));
    std::fs::write(&path, spec).expect("temp file");
    let loaded = uniapi::load::load(&path).expect("loads");
    let (api, diagnostics) = uniapi::lower::lower(&loaded).expect("lowers");
    std::fs::remove_file(&path).ok();
    let fits = diagnostics
        .warnings()
        .filter(|d| d.message.contains("example does not fit"))
        .count();
    assert_eq!(fits, 1);
    let response = &api.operations[0].responses[0];
    assert_eq!(response.body_choices().len(), 2);
    assert!(response.bodies.iter().all(|b| b.examples.is_empty()));
}
