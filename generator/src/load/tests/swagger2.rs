//! Swagger 2.0 read natively: one test per construct that the converter
//! (`load/swagger2.rs`) moves, each from a small inline 2.0 spec, looking
//! at the converted document (`Loaded::raw`), at where its places came
//! from, or at the diagnostics.

use serde_json::{Value, json};

use super::{TempDir, load_yaml, loaded, raw_at};
use crate::diag::Severity;
use crate::load::Loaded;

/// A 2.0 spec of `rest` (YAML, at the top level, after `info`).
fn spec(rest: &str) -> Loaded {
    loaded(&format!(
        "swagger: '2.0'\ninfo: {{title: t, version: '1'}}\n{rest}"
    ))
}

/// The warnings of loading `rest`, as (pointer, message).
fn warnings(rest: &str) -> Vec<(String, String)> {
    spec(rest)
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (d.pointer.clone(), d.message.clone()))
        .collect()
}

#[test]
fn a_2_0_document_is_read_as_3_0_and_remembered_as_2_0() {
    let loaded = spec("paths: {}\n");
    assert_eq!(loaded.declared_version, "2.0");
    assert_eq!(loaded.raw["openapi"], "3.0.3");
    assert!(loaded.raw.get("swagger").is_none());
    // The server serves the converted document.
    let served: Value = serde_json::from_str(&loaded.document).expect("JSON");
    assert_eq!(served["openapi"], "3.0.3");
}

#[test]
fn definitions_become_component_schemas_and_refs_follow() {
    let loaded = spec(
        "paths: {}
definitions:
  Pet:
    type: object
    properties:
      owner: {$ref: '#/definitions/Person'}
  Person: {type: string}
",
    );
    assert_eq!(
        raw_at(&loaded, "/components/schemas/Pet/properties/owner"),
        json!({"$ref": "#/components/schemas/Person"})
    );
    assert!(loaded.raw.get("definitions").is_none());
}

#[test]
fn global_parameters_become_components_with_their_type_under_schema() {
    let loaded = spec(
        "paths:
  /pets:
    get:
      parameters: [{$ref: '#/parameters/limit'}]
      responses: {'200': {description: ok}}
parameters:
  limit: {name: limit, in: query, type: integer, format: int32, minimum: 1, default: 20, description: how many}
",
    );
    assert_eq!(
        raw_at(&loaded, "/components/parameters/limit"),
        json!({
            "name": "limit", "in": "query", "description": "how many",
            "schema": {"type": "integer", "format": "int32", "minimum": 1, "default": 20}
        })
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1pets/get/parameters/0"),
        json!({"$ref": "#/components/parameters/limit"})
    );
}

#[test]
fn global_body_and_form_parameters_are_inlined_into_request_bodies() {
    let loaded = spec(
        "paths:
  /pets:
    post:
      parameters: [{$ref: '#/parameters/pet'}, {$ref: '#/parameters/trace'}]
      responses: {'200': {description: ok}}
parameters:
  pet: {name: pet, in: body, required: true, schema: {$ref: '#/definitions/Pet'}}
  trace: {name: X-Trace, in: header, type: string}
definitions:
  Pet: {type: object}
",
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1pets/post/requestBody"),
        json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}})
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1pets/post/parameters"),
        json!([{"$ref": "#/components/parameters/trace"}])
    );
    assert!(loaded.raw.pointer("/components/parameters/pet").is_none());
}

#[test]
fn global_responses_become_components_with_content_per_produces() {
    let loaded = spec(
        "produces: [application/json, application/xml]
paths:
  /pets:
    get:
      responses: {default: {$ref: '#/responses/Error'}}
responses:
  Error:
    description: failed
    schema: {type: string}
    headers:
      X-Rate: {type: integer, description: left}
",
    );
    assert_eq!(
        raw_at(&loaded, "/components/responses/Error"),
        json!({
            "description": "failed",
            "headers": {"X-Rate": {"description": "left", "schema": {"type": "integer"}}},
            "content": {
                "application/json": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}}
            }
        })
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1pets/get/responses/default"),
        json!({"$ref": "#/components/responses/Error"})
    );
}

#[test]
fn security_definitions_become_security_schemes() {
    let loaded = spec(
        "paths: {}
securityDefinitions:
  basic: {type: basic, description: who}
  key: {type: apiKey, in: header, name: X-Key}
  implicit: {type: oauth2, flow: implicit, authorizationUrl: 'https://a.example/auth?x=1', scopes: {read: r}}
  password: {type: oauth2, flow: password, tokenUrl: 'https://a.example/token', scopes: {}}
  application: {type: oauth2, flow: application, tokenUrl: 'https://a.example/token', scopes: {}}
  accessCode: {type: oauth2, flow: accessCode, authorizationUrl: 'https://a.example/auth', tokenUrl: 'https://a.example/token', scopes: {write: w}}
security: [{basic: []}]
",
    );
    let schemes = raw_at(&loaded, "/components/securitySchemes");
    assert_eq!(
        schemes["basic"],
        json!({"type": "http", "scheme": "basic", "description": "who"})
    );
    assert_eq!(
        schemes["key"],
        json!({"type": "apiKey", "name": "X-Key", "in": "header"})
    );
    assert_eq!(
        schemes["implicit"]["flows"],
        json!({"implicit": {"authorizationUrl": "https://a.example/auth", "scopes": {"read": "r"}}})
    );
    assert_eq!(
        schemes["password"]["flows"],
        json!({"password": {"tokenUrl": "https://a.example/token", "scopes": {}}})
    );
    assert_eq!(
        schemes["application"]["flows"],
        json!({"clientCredentials": {"tokenUrl": "https://a.example/token", "scopes": {}}})
    );
    assert_eq!(
        schemes["accessCode"]["flows"],
        json!({"authorizationCode": {
            "authorizationUrl": "https://a.example/auth",
            "tokenUrl": "https://a.example/token",
            "scopes": {"write": "w"}
        }})
    );
    assert_eq!(loaded.raw["security"], json!([{"basic": []}]));
    assert_eq!(
        loaded
            .doc
            .components
            .expect("components")
            .security_schemes
            .len(),
        6
    );
}

#[test]
fn a_body_parameter_is_a_request_body_of_each_consumed_media_type() {
    let loaded = spec(
        "consumes: [application/json]
paths:
  /a:
    post:
      parameters: [{name: b, in: body, description: the thing, schema: {type: object}}]
      responses: {'200': {description: ok}}
  /b:
    post:
      consumes: [application/json, text/plain]
      parameters: [{name: b, in: body, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
",
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1a/post/requestBody"),
        json!({"description": "the thing", "content": {"application/json": {"schema": {"type": "object"}}}})
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1b/post/requestBody"),
        json!({"required": true, "content": {
            "application/json": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}}
        }})
    );
    // Without `consumes`, JSON.
    let loaded = spec(
        "paths:
  /a:
    put:
      parameters: [{name: b, in: body, schema: {type: object}}]
      responses: {'200': {description: ok}}
",
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1a/put/requestBody/content"),
        json!({"application/json": {"schema": {"type": "object"}}})
    );
}

#[test]
fn form_data_parameters_are_one_urlencoded_or_multipart_body() {
    let loaded = spec(
        "paths:
  /form:
    post:
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: name, in: formData, type: string, required: true, description: who}
        - {name: tags, in: formData, type: array, items: {type: string}, collectionFormat: multi}
      responses: {'200': {description: ok}}
  /upload:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: id, in: path, type: integer, required: true}
        - {name: file, in: formData, type: file, required: true}
        - {name: note, in: formData, type: string, x-example: hello}
      responses: {'200': {description: ok}}
",
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1form/post/requestBody"),
        json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "properties": {
                "name": {"description": "who", "type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["name"]
        }}}})
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1upload/post/requestBody"),
        json!({"required": true, "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "note": {"example": "hello", "type": "string"}
            },
            "required": ["file"]
        }}}})
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1upload/post/parameters/0/name"),
        json!("id")
    );
    // Without `consumes`, a form is urlencoded.
    let loaded = spec(
        "paths:
  /form:
    post:
      parameters: [{name: a, in: formData, type: string}]
      responses: {'200': {description: ok}}
",
    );
    assert!(
        loaded
            .raw
            .pointer("/paths/~1form/post/requestBody/content/application~1x-www-form-urlencoded")
            .is_some()
    );
}

#[test]
fn path_level_body_parameters_go_into_each_operation_that_has_none() {
    let loaded = spec(
        "paths:
  /a:
    parameters:
      - {name: b, in: body, schema: {type: string}}
      - {name: id, in: query, type: string}
    put:
      responses: {'200': {description: ok}}
    post:
      parameters: [{name: b, in: body, schema: {type: integer}}]
      responses: {'200': {description: ok}}
",
    );
    assert_eq!(
        raw_at(
            &loaded,
            "/paths/~1a/put/requestBody/content/application~1json/schema"
        ),
        json!({"type": "string"})
    );
    assert_eq!(
        raw_at(
            &loaded,
            "/paths/~1a/post/requestBody/content/application~1json/schema"
        ),
        json!({"type": "integer"})
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1a/parameters"),
        json!([{"name": "id", "in": "query", "schema": {"type": "string"}}])
    );
}

#[test]
fn produces_are_the_media_types_of_responses_operations_first() {
    let loaded = spec(
        "produces: [application/json]
paths:
  /a:
    get:
      responses: {'200': {description: ok, schema: {type: string}}}
  /b:
    get:
      produces: [text/plain, text/csv]
      responses: {'200': {description: ok, schema: {type: string}}, '204': {description: none}}
",
    );
    let media = |pointer: &str| -> Vec<String> {
        raw_at(&loaded, pointer)
            .as_object()
            .expect("content")
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        media("/paths/~1a/get/responses/200/content"),
        ["application/json"]
    );
    assert_eq!(
        media("/paths/~1b/get/responses/200/content"),
        ["text/plain", "text/csv"]
    );
    assert!(
        loaded
            .raw
            .pointer("/paths/~1b/get/responses/204/content")
            .is_none()
    );
    // Without `produces`, any media type.
    let loaded = spec(
        "paths:
  /a:
    get:
      responses: {'200': {description: ok, schema: {type: file}}}
",
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1a/get/responses/200/content"),
        json!({"*/*": {"schema": {"type": "string", "format": "binary"}}})
    );
}

#[test]
fn host_base_path_and_schemes_become_servers() {
    let servers = |rest: &str| spec(&format!("{rest}paths: {{}}\n")).raw["servers"].clone();
    assert_eq!(
        servers("host: api.example.com\nbasePath: /v1/\nschemes: [http, https]\n"),
        json!([{"url": "http://api.example.com/v1"}, {"url": "https://api.example.com/v1"}])
    );
    assert_eq!(
        servers("host: api.example.com\n"),
        json!([{"url": "https://api.example.com"}])
    );
    assert_eq!(servers("basePath: /v2\n"), json!([{"url": "/v2"}]));
    assert_eq!(servers(""), Value::Null);
}

#[test]
fn collection_formats_become_styles() {
    let loaded = spec(
        "paths:
  /a/{p}:
    get:
      parameters:
        - {name: p, in: path, type: array, items: {type: string}}
        - {name: csv, in: query, type: array, items: {type: string}}
        - {name: ssv, in: query, type: array, items: {type: string}, collectionFormat: ssv}
        - {name: tsv, in: query, type: array, items: {type: string}, collectionFormat: tsv}
        - {name: pipes, in: query, type: array, items: {type: string}, collectionFormat: pipes}
        - {name: multi, in: query, type: array, items: {type: string}, collectionFormat: multi}
        - {name: X-List, in: header, type: array, items: {type: integer}}
      responses: {'200': {description: ok}}
",
    );
    let param = |i: usize| raw_at(&loaded, &format!("/paths/~1a~1{{p}}/get/parameters/{i}"));
    let style = |i: usize| (param(i)["style"].clone(), param(i)["explode"].clone());
    assert_eq!(style(0), (json!("simple"), Value::Null));
    assert_eq!(param(0)["required"], json!(true));
    assert_eq!(style(1), (json!("form"), json!(false)));
    assert_eq!(style(2), (json!("spaceDelimited"), Value::Null));
    assert_eq!(style(3), (json!("form"), json!(false)));
    assert_eq!(param(3)["x-collectionFormat"], json!("tsv"));
    assert_eq!(style(4), (json!("pipeDelimited"), Value::Null));
    assert_eq!(style(5), (Value::Null, json!(true)));
    assert_eq!(style(6), (json!("simple"), Value::Null));
    assert_eq!(
        param(6)["schema"],
        json!({"type": "array", "items": {"type": "integer"}})
    );
}

#[test]
fn tsv_is_lowered_as_a_tab_delimited_query_list() {
    let loaded = spec(
        "paths:
  /a:
    get:
      operationId: list
      parameters:
        - {name: tsv, in: query, type: array, items: {type: string}, collectionFormat: tsv}
      responses: {'200': {description: ok}}
",
    );
    let (api, _) = crate::lower::lower(&loaded).expect("lowers");
    let param = &api.operations[0].params[0];
    assert_eq!(
        (param.style, param.explode),
        (crate::ir::Style::TabDelimited, false)
    );
}

#[test]
fn delimiters_3_0_has_not_outside_the_query_are_warned_about() {
    let found = warnings(
        "paths:
  /a:
    get:
      parameters:
        - {name: X-Tabs, in: header, type: array, items: {type: string}, collectionFormat: tsv}
      responses: {'200': {description: ok}}
",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/paths/~1a/get/parameters/0/collectionFormat");
    assert!(
        found[0].1.contains("`collectionFormat: tsv` of `X-Tabs`"),
        "{found:?}"
    );
}

#[test]
fn x_nullable_and_x_isnullable_become_nullable() {
    let loaded = spec(
        "paths: {}
definitions:
  A:
    type: object
    properties:
      a: {type: string, x-nullable: true}
      b: {type: integer, x-isnullable: true}
      c: {type: array, items: {type: string, x-nullable: true}}
",
    );
    let props = raw_at(&loaded, "/components/schemas/A/properties");
    assert_eq!(props["a"], json!({"type": "string", "nullable": true}));
    assert_eq!(props["b"], json!({"type": "integer", "nullable": true}));
    assert_eq!(
        props["c"]["items"],
        json!({"type": "string", "nullable": true})
    );
}

#[test]
fn a_discriminator_names_a_property() {
    let loaded = spec(
        "paths: {}
definitions:
  Pet:
    type: object
    discriminator: petType
    required: [petType]
    properties: {petType: {type: string}}
",
    );
    assert_eq!(
        raw_at(&loaded, "/components/schemas/Pet/discriminator"),
        json!({"propertyName": "petType"})
    );
}

#[test]
fn response_examples_are_kept_by_media_type() {
    let loaded = spec(
        "produces: [application/json]
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          schema: {type: object}
          examples:
            application/json: {a: 1}
            text/plain: one
",
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1a/get/responses/200/content"),
        json!({
            "application/json": {"schema": {"type": "object"}, "examples": {"response": {"value": {"a": 1}}}},
            "text/plain": {"examples": {"response": {"value": "one"}}}
        })
    );
}

#[test]
fn allow_empty_value_stays_on_query_parameters() {
    let loaded = spec(
        "paths:
  /a:
    get:
      parameters: [{name: flag, in: query, type: string, allowEmptyValue: true}]
      responses: {'200': {description: ok}}
",
    );
    assert_eq!(
        raw_at(&loaded, "/paths/~1a/get/parameters/0"),
        json!({"name": "flag", "in": "query", "allowEmptyValue": true, "schema": {"type": "string"}})
    );
}

#[test]
fn an_operation_without_responses_gets_a_default_one() {
    let loaded = spec("paths:\n  /a:\n    get: {operationId: a}\n");
    assert_eq!(
        raw_at(&loaded, "/paths/~1a/get/responses"),
        json!({"default": {"description": "Default response"}})
    );
}

#[test]
fn converted_places_map_back_to_where_they_were_written() {
    let loaded = spec(
        "paths:
  /pets:
    post:
      parameters:
        - {name: X-A, in: header, type: string}
        - {name: pet, in: body, schema: {type: object}}
        - {name: limit, in: query, type: integer}
      responses:
        '200': {description: ok, schema: {type: string}, headers: {X-B: {type: string}}}
definitions:
  Pet: {type: object}
parameters:
  p: {name: p, in: query, type: string}
responses:
  r: {description: r, schema: {type: string}}
securityDefinitions:
  o: {type: oauth2, flow: implicit, authorizationUrl: 'https://a.example', scopes: {}}
host: a.example
",
    );
    let origins = loaded.origins.as_ref().expect("2.0");
    for (converted, original) in [
        ("/components/schemas/Pet/type", "/definitions/Pet/type"),
        ("/components/parameters/p/schema/type", "/parameters/p/type"),
        ("/components/parameters/p/name", "/parameters/p/name"),
        (
            "/components/responses/r/content/*~1*/schema",
            "/responses/r/schema",
        ),
        (
            "/components/securitySchemes/o/flows/implicit",
            "/securityDefinitions/o",
        ),
        ("/servers/0/url", "/host"),
        (
            "/paths/~1pets/post/parameters/0",
            "/paths/~1pets/post/parameters/0",
        ),
        (
            "/paths/~1pets/post/parameters/1/schema",
            "/paths/~1pets/post/parameters/2",
        ),
        (
            "/paths/~1pets/post/requestBody",
            "/paths/~1pets/post/parameters/1",
        ),
        (
            "/paths/~1pets/post/requestBody/content/application~1json/schema/type",
            "/paths/~1pets/post/parameters/1/schema/type",
        ),
        (
            "/paths/~1pets/post/responses/200/content/*~1*/schema",
            "/paths/~1pets/post/responses/200/schema",
        ),
        (
            "/paths/~1pets/post/responses/200/headers/X-B/schema",
            "/paths/~1pets/post/responses/200/headers/X-B",
        ),
        ("/info/title", "/info/title"),
    ] {
        assert_eq!(origins.original(converted), original, "{converted}");
    }
}

#[test]
fn diagnostics_of_lower_point_into_the_2_0_document() {
    let loaded = spec(
        "paths:
  /a:
    get:
      responses:
        '200': {description: ok, schema: {$ref: '#/definitions/Nope'}}
",
    );
    let error = crate::lower::lower(&loaded).expect_err("a broken $ref");
    let d = error.errors().next().expect("an error");
    assert_eq!(d.pointer, "/paths/~1a/get/responses/200/schema");
    assert_eq!(d.line, Some(7));
    assert!(d.message.contains("#/definitions/Nope"), "{d}");
}

#[test]
fn what_cannot_be_converted_is_a_warning_never_dropped_in_silence() {
    let found = warnings(
        "paths:
  /a:
    post:
      parameters:
        - {name: a, in: body, schema: {type: object}}
        - {name: b, in: formData, type: string}
        - {name: c, in: cookie, type: string}
        - {name: d, in: query, type: array, items: {type: string}, collectionFormat: pipes}
      responses: {'200': {description: ok}}
  /form:
    post:
      parameters:
        - {name: e, in: formData, type: array, items: {type: string}, collectionFormat: csv}
      responses:
        default: {$ref: '#/definitions/E'}
x-ms-paths:
  /a?op=b: {get: {responses: {'200': {description: ok}}}}
definitions:
  E: {type: object}
",
    );
    let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/x-ms-paths",
            "/paths/~1a/post/parameters/1",
            "/paths/~1a/post/parameters/2/in",
            "/paths/~1form/post/parameters/0/collectionFormat",
            "/paths/~1form/post/responses/default/$ref",
        ],
        "{found:?}"
    );
}

#[test]
fn swagger_2_with_a_numeric_version_is_read() {
    let loaded =
        load_yaml("swagger: 2.0\ninfo: {title: t, version: '1'}\npaths: {}\n").expect("loads");
    assert_eq!(loaded.declared_version, "2.0");
}

#[test]
fn schemas_in_other_files_of_a_2_0_document_are_read_as_2_0() {
    let dir = TempDir::with(&[
        (
            "root.yaml",
            "swagger: '2.0'
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200': {description: ok, schema: {$ref: 'models.yaml#/Pet'}}
",
        ),
        (
            "models.yaml",
            "Pet:\n  type: object\n  discriminator: kind\n  properties:\n    kind: {type: string}\n    tag: {type: string, x-nullable: true}\n",
        ),
    ]);
    let loaded = crate::load::load(&dir.path("root.yaml")).expect("loads");
    let pet = &loaded.raw["components"][super::super::bundle::EXTERNAL]["Pet"];
    assert_eq!(pet["discriminator"], json!({"propertyName": "kind"}));
    assert_eq!(
        pet["properties"]["tag"],
        json!({"type": "string", "nullable": true})
    );
}
