//! The rules of `load`: each 3.1 or sloppy construct it normalizes, fragment
//! decoding, `line_of`, and the errors that stop loading. Each test starts
//! from a small inline spec through [`load_yaml`] and looks at the document
//! as normalized (`Loaded::raw`) or at the diagnostics.

mod bundle;
mod swagger2;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Loaded, decode_fragment, line_of, load_str};
use crate::diag::{Diagnostics, Severity};

/// Loads `yaml` as the file `spec.yaml`.
pub(super) fn load_yaml(yaml: &str) -> Result<Loaded, Diagnostics> {
    load_str("spec.yaml", yaml.to_owned(), Path::new("spec.yaml"))
}

/// Loads `yaml`, which must load.
pub(super) fn loaded(yaml: &str) -> Loaded {
    load_yaml(yaml).unwrap_or_else(|d| panic!("the spec does not load:\n{d}"))
}

/// The normalized document's value at `pointer`.
pub(super) fn raw_at(loaded: &Loaded, pointer: &str) -> Value {
    loaded
        .raw
        .pointer(pointer)
        .unwrap_or_else(|| panic!("nothing at {pointer} in {:#}", loaded.raw))
        .clone()
}

/// A schema of `components/schemas` after normalization.
fn schema(yaml_schema: &str) -> Value {
    let spec = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\ncomponents:\n  schemas:\n    S: {yaml_schema}\n"
    );
    raw_at(&loaded(&spec), "/components/schemas/S")
}

/// A directory of files under the system's temporary directory, removed
/// when dropped.
pub(super) struct TempDir(PathBuf);

impl TempDir {
    /// Writes `files` (relative path, text) into a new directory.
    pub(super) fn with(files: &[(&str, &str)]) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "uniapi-load-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("a file has a parent"))
                .expect("creating a temporary directory");
            std::fs::write(&path, text).expect("writing a temporary file");
        }
        TempDir(dir)
    }

    pub(super) fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn openapi_3_1_is_read_as_3_0_and_remembered_as_declared() {
    let loaded = loaded("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert_eq!(loaded.raw["openapi"], "3.0.3");
    assert_eq!(loaded.declared_version, "3.1.0");
    // What the server serves is the document as written.
    assert!(
        loaded.document.contains(r#""openapi":"3.1.0""#),
        "{}",
        loaded.document
    );
}

#[test]
fn a_numeric_openapi_version_becomes_a_string() {
    let loaded = loaded("openapi: 3.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert_eq!(loaded.raw["openapi"], "3.0");
    assert_eq!(loaded.declared_version, "3.0");
}

#[test]
fn missing_paths_become_empty() {
    let loaded = loaded("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n");
    assert_eq!(loaded.raw["paths"], json!({}));
    assert!(loaded.doc.paths.paths.is_empty());
}

#[test]
fn info_title_and_version_become_strings() {
    let loaded = loaded("openapi: 3.0.3\ninfo: {version: 2}\n");
    assert_eq!(loaded.doc.info.version, "2");
    assert_eq!(loaded.doc.info.title, "");
}

#[test]
fn unknown_security_scheme_types_become_marked_http_schemes() {
    let loaded = loaded(
        "openapi: 3.1.0
info: {title: t, version: '1'}
components:
  securitySchemes:
    tls: {type: mutualTLS, description: client certificates}
    key: {type: apiKey, in: header, name: X-Key}
",
    );
    assert_eq!(
        raw_at(&loaded, "/components/securitySchemes/tls"),
        json!({
            "type": "http",
            "scheme": "mutualTLS",
            "x-uniapi-type": "mutualTLS",
            "description": "client certificates",
        })
    );
    assert_eq!(
        raw_at(&loaded, "/components/securitySchemes/key"),
        json!({"type": "apiKey", "in": "header", "name": "X-Key"})
    );
}

#[test]
fn operations_without_responses_get_empty_ones() {
    let loaded = loaded(
        "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get: {operationId: a}
",
    );
    assert_eq!(raw_at(&loaded, "/paths/~1a/get/responses"), json!({}));
}

#[test]
fn callbacks_are_kept_where_openapiv3_does_not_parse_them() {
    let loaded = loaded(
        "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /subscribe:
    post:
      callbacks:
        onEvent:
          $ref: '#/components/callbacks/Event'
      responses: {'201': {description: subscribed}}
components:
  callbacks:
    Event:
      '{$request.body#/url}':
        post: {responses: {'200': {description: ok}}}
",
    );
    assert!(loaded.diagnostics.0.is_empty(), "{}", loaded.diagnostics);
    let op = raw_at(&loaded, "/paths/~1subscribe/post");
    assert!(op.get("callbacks").is_none());
    assert!(op.get(crate::load::CALLBACKS).is_some());
}

#[test]
fn webhooks_are_kept_for_lower() {
    let loaded = loaded(
        "openapi: 3.1.0
info: {title: t, version: '1'}
webhooks:
  newPet:
    post: {responses: {'200': {description: ok}}}
",
    );
    assert!(loaded.diagnostics.0.is_empty(), "{}", loaded.diagnostics);
    assert!(loaded.raw.pointer("/webhooks/newPet/post").is_some());
}

#[test]
fn a_type_and_null_become_a_nullable_type() {
    assert_eq!(
        schema("{type: [string, 'null'], maxLength: 3}"),
        json!({"type": "string", "nullable": true, "maxLength": 3})
    );
}

#[test]
fn several_types_become_any_of() {
    assert_eq!(
        schema("{type: [string, integer]}"),
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
    );
    assert_eq!(
        schema("{type: ['null', string, integer]}"),
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
    );
}

#[test]
fn type_null_becomes_nullable_without_a_type() {
    assert_eq!(schema("{type: 'null'}"), json!({"nullable": true}));
    assert_eq!(schema("{type: ['null']}"), json!({"nullable": true}));
}

#[test]
fn numeric_exclusive_bounds_become_the_boolean_form() {
    assert_eq!(
        schema("{type: integer, exclusiveMinimum: 0, exclusiveMaximum: 10}"),
        json!({
            "type": "integer",
            "exclusiveMinimum": true,
            "minimum": 0,
            "exclusiveMaximum": true,
            "maximum": 10,
        })
    );
    // Beside a bound of its own, the stricter of the two holds.
    assert_eq!(
        schema("{type: number, minimum: 10, exclusiveMinimum: 5, maximum: 1, exclusiveMaximum: 1}"),
        json!({"type": "number", "minimum": 10, "maximum": 1, "exclusiveMaximum": true})
    );
    assert_eq!(
        schema("{type: number, minimum: 1, exclusiveMinimum: 5}"),
        json!({"type": "number", "minimum": 5, "exclusiveMinimum": true})
    );
    // The 3.0 form is left as it is.
    assert_eq!(
        schema("{type: number, minimum: 1.5, exclusiveMinimum: true}"),
        json!({"type": "number", "minimum": 1.5, "exclusiveMinimum": true})
    );
}

#[test]
fn const_becomes_an_enum_of_one() {
    assert_eq!(
        schema("{type: string, const: cat}"),
        json!({"type": "string", "enum": ["cat"]})
    );
    // An `enum` beside it wins.
    assert_eq!(
        schema("{type: string, const: cat, enum: [dog]}"),
        json!({"type": "string", "enum": ["dog"]})
    );
}

#[test]
fn boolean_schemas_become_objects() {
    let s = schema(
        "
      type: object
      properties: {any: true, none: false}
      patternProperties: {'^x-': false}
      $defs: {Free: true}
      items: false
      not: true
      allOf: [true, {type: object}]
      oneOf: [false]
      anyOf: [true]",
    );
    assert_eq!(s["properties"], json!({"any": {}, "none": {"not": {}}}));
    assert_eq!(s["patternProperties"], json!({"^x-": {"not": {}}}));
    assert_eq!(s["$defs"], json!({"Free": {}}));
    assert_eq!(s["items"], json!({"not": {}}));
    assert_eq!(s["not"], json!({}));
    assert_eq!(s["allOf"], json!([{}, {"type": "object"}]));
    assert_eq!(s["oneOf"], json!([{"not": {}}]));
    assert_eq!(s["anyOf"], json!([{}]));
}

#[test]
fn numbers_where_strings_belong_become_strings() {
    assert_eq!(
        schema("{type: string, title: 1, description: 2.5, pattern: 7, format: true}"),
        json!({"type": "string", "title": "1", "description": "2.5", "pattern": "7", "format": "true"})
    );
}

#[test]
fn values_and_names_are_not_taken_for_keywords() {
    let s = schema(
        "
      type: object
      properties:
        const: {type: string}
        type: {type: [integer, 'null']}
      example: {type: [a, 'null'], const: 1}
      default: {exclusiveMinimum: 1}
      enum: [{const: 2}]",
    );
    // Property names are names, even `const` and `type`.
    assert_eq!(s["properties"]["const"], json!({"type": "string"}));
    // The schemas under them are still schemas.
    assert_eq!(
        s["properties"]["type"],
        json!({"type": "integer", "nullable": true})
    );
    // Values are values.
    assert_eq!(s["example"], json!({"type": ["a", "null"], "const": 1}));
    assert_eq!(s["default"], json!({"exclusiveMinimum": 1}));
    assert_eq!(s["enum"], json!([{"const": 2}]));
}

#[test]
fn nesting_deeper_than_the_guard_is_left_as_written() {
    // No parser reads a document this deep; the guard is for the walk.
    let depth = 2_100;
    let mut schema = json!({"type": ["string", "null"]});
    for _ in 0..depth {
        // Not `json!`, which would copy `schema` each time.
        let mut outer = json!({"type": "array"});
        outer["items"] = schema;
        schema = outer;
    }
    let schema = crate::on_big_stack(move || {
        super::normalize_schemas(&mut schema);
        schema
    });
    let mut innermost = &schema;
    for _ in 0..depth {
        innermost = &innermost["items"];
    }
    assert_eq!(innermost, &json!({"type": ["string", "null"]}));
    // Within the guard, the same keyword is normalized.
    let mut shallow = json!({"type": "array", "items": {"type": ["string", "null"]}});
    super::normalize_schemas(&mut shallow);
    assert_eq!(
        shallow["items"],
        json!({"type": "string", "nullable": true})
    );
    crate::on_big_stack(move || drop(schema));
}

#[test]
fn fragments_are_percent_decoded_and_keep_pointer_escapes() {
    assert_eq!(
        decode_fragment("/paths/~1pets~1%7Bid%7D"),
        "/paths/~1pets~1{id}"
    );
    assert_eq!(
        decode_fragment("/components/schemas/a~0b~1c"),
        "/components/schemas/a~0b~1c"
    );
    assert_eq!(
        decode_fragment("/components/schemas/caf%C3%A9"),
        "/components/schemas/café"
    );
    assert_eq!(decode_fragment("/a%20b"), "/a b");
}

#[test]
fn fragments_that_are_not_percent_encoding_are_kept_as_written() {
    assert!(matches!(
        decode_fragment("/plain"),
        std::borrow::Cow::Borrowed("/plain")
    ));
    // Not hex digits, cut short, or not UTF-8 once decoded.
    for fragment in ["/a%zzb", "/a%4", "/a%", "/a%FF"] {
        assert_eq!(decode_fragment(fragment), fragment);
    }
}

#[test]
fn line_of_follows_the_pointer_key_by_key() {
    let yaml = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets/{id}:
    get:
      parameters:
        - name: id
          in: path
      responses:
        '200': {description: ok}
components:
  schemas:
    get: {type: string}
";
    assert_eq!(line_of(yaml, "/paths/~1pets~1{id}/get"), Some(5));
    // Array indexes are skipped: the line is that of the next key.
    assert_eq!(
        line_of(yaml, "/paths/~1pets~1{id}/get/parameters/0/in"),
        Some(8)
    );
    // So are numeric keys: a status code's line is that of `responses`.
    assert_eq!(
        line_of(yaml, "/paths/~1pets~1{id}/get/responses/200"),
        Some(9)
    );
    // Each key is looked for after the one before.
    assert_eq!(line_of(yaml, "/components/schemas/get"), Some(13));
    assert_eq!(line_of(yaml, "/components/schemas/put"), None);
    assert_eq!(line_of(yaml, ""), None);
}

#[test]
fn line_of_reads_json_and_finds_no_line_in_one_line_documents() {
    let json = "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/a~b\": {}\n  }\n}\n";
    assert_eq!(line_of(json, "/paths/~1a~0b"), Some(4));
    assert_eq!(line_of(json, "/paths"), Some(3));
    let json = "{\n  \"paths\": {\n    \"/a/b\": {}\n  }\n}\n";
    assert_eq!(line_of(json, "/paths/~1a~1b"), Some(3));
    let minified = r#"{"openapi": "3.0.3", "paths": {"/a": {}}}"#;
    assert_eq!(line_of(minified, "/paths/~1a"), None);
}

#[test]
fn a_shape_error_has_a_pointer_and_a_line() {
    let error = load_yaml(
        "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters: 5
      responses: {'200': {description: ok}}
",
    )
    .expect_err("parameters must be a list");
    let [d] = &error.0[..] else { panic!("{error}") };
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.pointer, "/paths/~1a/get/parameters");
    assert!(
        d.message
            .starts_with("the document does not match OpenAPI 3: "),
        "{d}"
    );
    assert_eq!(d.line, Some(6));
    assert!(d.hint.is_some());
}

#[test]
fn a_shape_error_is_located_past_references_schemas_and_parameters() {
    let cases = [
        (
            "components: {schemas: {A: {type: object, properties: {x: {type: string, maxLength: -1}}}}}",
            "/components/schemas/A/properties/x/maxLength",
            "invalid value: integer `-1`, expected usize",
        ),
        (
            "components: {schemas: {A: {type: array, items: {allOf: [{type: 5}]}}}}",
            "/components/schemas/A/items/allOf/0/type",
            "invalid type: integer `5`, expected a string",
        ),
        (
            "paths: {/a: {get: {parameters: [{name: q, in: query, schema: {type: array, minItems: x}}], responses: {}}}}",
            "/paths/~1a/get/parameters/0/schema/minItems",
            "invalid type: string \"x\", expected usize",
        ),
        (
            "paths: {/a: {get: {responses: {'200': {description: ok, headers: {X-A: {required: 3, schema: {type: string}}}}}}}}",
            "/paths/~1a/get/responses/200/headers/X-A/required",
            "invalid type: integer `3`, expected a boolean",
        ),
        (
            "paths: {/a: {post: {requestBody: {content: {application/json: {schema: {properties: {a: {readOnly: 2}}}}}}, responses: {}}}}",
            "/paths/~1a/post/requestBody/content/application~1json/schema/properties/a/readOnly",
            "invalid type: integer `2`, expected a boolean",
        ),
    ];
    for (yaml, pointer, message) in cases {
        let error = load_yaml(&format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\n{yaml}\n"
        ))
        .expect_err(yaml);
        let [d] = &error.0[..] else { panic!("{error}") };
        assert_eq!(d.pointer, pointer, "{yaml}");
        assert_eq!(
            d.message,
            format!("the document does not match OpenAPI 3: {message}"),
            "{yaml}"
        );
    }
}

#[test]
fn yaml_is_read_as_yaml_1_2_where_only_true_and_false_are_booleans() {
    let s = schema(
        "
      type: object
      properties:
        on: {type: string, enum: [on, off, yes, no, y, n, True]}
        n: {type: boolean, default: false, example: TRUE}
      description: yes",
    );
    assert_eq!(
        s["properties"]["on"]["enum"],
        json!(["on", "off", "yes", "no", "y", "n", true])
    );
    assert_eq!(s["properties"]["n"]["default"], json!(false));
    assert_eq!(s["properties"]["n"]["example"], json!(true));
    assert_eq!(s["description"], "yes");
}

#[test]
fn large_and_deep_yaml_loads_as_json_of_the_same_shape_does() {
    // Reading 300,000 nodes (more than serde-saphyr's default budget of
    // 250,000) takes seconds in a debug build: the budget is checked here,
    // and holds 600 kB of them.
    let items = format!("x: [{}]", "0,".repeat(300_000));
    let budget = super::yaml_options(&items).budget.expect("a budget");
    assert!(budget.max_nodes >= 300_000 && budget.max_events >= 600_000);
    // 100 levels (JSON's limit is 128; the default budget's 64), on the
    // large stack that the pipeline runs on.
    let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    let spec = format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nx-deep: {deep}\n");
    let deep = crate::on_big_stack(|| loaded(&spec).raw);
    let mut inner = &deep["x-deep"];
    for _ in 0..99 {
        inner = &inner[0];
    }
    assert_eq!(inner, &json!([1]));
}

#[test]
fn swagger_1_2_and_other_versions_are_refused_with_a_hint() {
    let error = load_yaml("swaggerVersion: '1.2'\napis: []\n").expect_err("1.2");
    assert_eq!(error.0[0].pointer, "/openapi");
    assert!(
        error.0[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("Swagger 1.2"),
        "{error}"
    );
    let error = load_yaml("swagger: '3.0'\ninfo: {title: t, version: '1'}\n").expect_err("3.0");
    assert_eq!(error.0[0].pointer, "/swagger");
    assert_eq!(error.0[0].message, "Swagger 3.0 is not supported");
    let error = load_yaml("info: {title: t, version: '1'}\n").expect_err("no version");
    assert!(
        error.0[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("openapi: 3.0.3"),
        "{error}"
    );
    let error = load_yaml("openapi: 4.0.0\ninfo: {title: t, version: '1'}\n").expect_err("4.0");
    assert_eq!(error.0[0].message, "OpenAPI 4.0.0 is not supported");
    assert_eq!(error.0[0].line, Some(1));
}

#[test]
fn a_byte_order_mark_is_no_part_of_the_document() {
    let json = loaded(
        "\u{feff}{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\"}}",
    );
    assert_eq!(json.doc.info.title, "t");
    let yaml = loaded("\u{feff}openapi: 3.0.3\ninfo: {title: t, version: '1'}\n");
    assert_eq!(yaml.doc.info.title, "t");
}

#[test]
fn syntax_errors_say_which_language() {
    let error = load_yaml("{\"openapi\": \"3.0.3\",\n\"info\": }\n").expect_err("bad JSON");
    assert!(error.0[0].message.starts_with("invalid JSON: "), "{error}");
    assert_eq!(error.0[0].line, Some(2));
    let error = load_yaml("openapi: 3.0.3\ninfo: [\n").expect_err("bad YAML");
    assert!(error.0[0].message.starts_with("invalid YAML: "), "{error}");
    assert_eq!(error.0[0].file, "spec.yaml");
}

#[test]
fn self_turns_references_to_the_document_and_beside_it_relative() {
    let mut doc = json!({
        "$self": "https://example.com/specs/api.yaml",
        "a": {"$ref": "https://example.com/specs/api.yaml#/components/schemas/A"},
        "b": [{"$ref": "https://example.com/specs/common/b.yaml#/B"}],
        "c": {"$ref": "https://elsewhere.example/c.yaml"},
        "d": {"$ref": "#/components/schemas/D"},
    });
    super::resolve_self(&mut doc);
    assert_eq!(doc["a"]["$ref"], "#/components/schemas/A");
    assert_eq!(doc["b"][0]["$ref"], "common/b.yaml#/B");
    assert_eq!(doc["c"]["$ref"], "https://elsewhere.example/c.yaml");
    assert_eq!(doc["d"]["$ref"], "#/components/schemas/D");
    // A relative `$self` changes nothing.
    let mut relative = json!({"$self": "/specs/api.yaml", "a": {"$ref": "/specs/api.yaml#/X"}});
    super::resolve_self(&mut relative);
    assert_eq!(relative["a"]["$ref"], "/specs/api.yaml#/X");
}
