//! What `lower/client.rs` finds: pagination detected from parameters,
//! bodies and headers, declared by `x-pagination`,
//! `x-speakeasy-pagination` or the configuration, and idempotency keys.

use super::config::configured;
use super::{lowered, lowering_errors, op};
use crate::diag::Severity;
use crate::ir::{self, FieldStep, PageKind, Prim, Ty};

/// A `GET /things` with these query parameters (`name: type`), this
/// response body schema and these response headers.
fn list(params: &str, body: &str, headers: &str) -> String {
    let params: Vec<String> = params
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, ty) = p.split_once(':').unwrap();
            format!(
                "{{name: {}, in: query, schema: {{type: {}}}}}",
                name.trim(),
                ty.trim()
            )
        })
        .collect();
    format!(
        "
paths:
  /things:
    get:
      operationId: listThings
      parameters: [{}]
      responses:
        '200':
          description: ok
          headers: {{{headers}}}
          content:
            application/json:
              schema: {body}
",
        params.join(", ")
    )
}

fn step(field: &str, options: u8) -> FieldStep {
    FieldStep {
        field: field.into(),
        options,
        boxed: false,
    }
}

#[test]
fn each_pattern_is_detected() {
    let items = "{type: array, items: {type: string}}";
    // GitHub: a list, and a documented `Link` header.
    let (api, _) = lowered(&list(
        "page: integer, per_page: integer",
        items,
        "Link: {schema: {type: string}}",
    ));
    let p = op(&api, "listThings").pagination.clone().expect("paged");
    assert_eq!(p.kind, PageKind::Link);
    assert!(p.items.0.is_empty());
    assert_eq!(p.item, Ty::Prim(Prim::String));

    let (api, _) = lowered(&list(
        "pageToken: string, pageSize: integer",
        &format!(
            "{{type: object, properties: {{things: {items}, nextPageToken: {{type: string}}}}}}"
        ),
        "",
    ));
    let p = op(&api, "listThings").pagination.clone().expect("paged");
    assert_eq!(
        p.kind,
        PageKind::Cursor {
            param: "pageToken".into(),
            cursor: ir::FieldPath(vec![step("next_page_token", 1)])
        }
    );
    assert_eq!(p.items.0, [step("things", 1)]);

    // Azure: `value` and `nextLink`.
    let (api, _) = lowered(&list(
        "",
        &format!(
            "{{type: object, required: [value], properties: {{value: {items}, nextLink: {{type: string, nullable: true}}}}}}"
        ),
        "",
    ));
    let p = op(&api, "listThings").pagination.clone().expect("paged");
    assert_eq!(
        p.kind,
        PageKind::NextUrl {
            // Optional and nullable: absent is not `null`.
            next: ir::FieldPath(vec![step("next_link", 2)])
        }
    );
    assert_eq!(p.items.0, [step("value", 0)]);

    let (api, _) = lowered(&list(
        "offset: integer, limit: integer",
        &format!(
            "{{type: object, required: [total], properties: {{data: {items}, total: {{type: integer}}}}}}"
        ),
        "",
    ));
    let p = op(&api, "listThings").pagination.clone().expect("paged");
    assert_eq!(
        p.kind,
        PageKind::Offset {
            offset: "offset".into(),
            limit: Some("limit".into()),
            total: Some(ir::FieldPath(vec![step("total", 0)]))
        }
    );

    let (api, _) = lowered(&list("page: integer, per_page: integer", items, ""));
    let p = op(&api, "listThings").pagination.clone().expect("paged");
    assert_eq!(
        p.kind,
        PageKind::Page {
            page: "page".into(),
            first: 1,
            size: Some("per_page".into()),
            pages: None
        }
    );
}

#[test]
fn nothing_is_detected_where_nothing_pages() {
    // No page parameter, no next URL: an ordinary list.
    let (api, warnings) = lowered(&list(
        "q: string",
        "{type: array, items: {type: string}}",
        "",
    ));
    assert!(op(&api, "listThings").pagination.is_none());
    assert!(warnings.is_empty(), "{warnings}");
    // A page parameter of text is not a page number.
    let (api, _) = lowered(&list(
        "page: string",
        "{type: array, items: {type: string}}",
        "",
    ));
    assert!(op(&api, "listThings").pagination.is_none());
}

#[test]
fn unsure_detection_is_a_warning_and_no_pages() {
    let (api, warnings) = lowered(&list(
        "offset: integer",
        "{type: object, properties: {a: {type: array, items: {type: string}}, b: {type: array, items: {type: integer}}}}",
        "",
    ));
    assert!(op(&api, "listThings").pagination.is_none());
    let warning = warnings.warnings().next().expect("a warning");
    assert_eq!(warning.pointer, "/paths/~1things/get/responses");
    assert!(warning.message.contains("2 lists"), "{}", warning.message);

    let (api, warnings) = lowered(&list(
        "cursor: string",
        "{type: object, properties: {items: {type: array, items: {type: string}}}}",
        "",
    ));
    assert!(op(&api, "listThings").pagination.is_none());
    assert!(
        warnings
            .warnings()
            .any(|w| w.message.contains("takes a cursor")),
        "{warnings}"
    );
}

const DECLARED: &str = "
paths:
  /orders:
    get:
      operationId: listOrders
      parameters:
        - {name: p, in: query, schema: {type: integer, default: 0}}
        - {name: n, in: query, schema: {type: integer}}
      x-speakeasy-pagination:
        type: offsetLimit
        inputs:
          - {name: p, in: parameters, type: page}
          - {name: n, in: parameters, type: limit}
        outputs:
          results: $.result.orders
          numPages: $.result.pages
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  result:
                    type: object
                    properties:
                      orders: {type: array, items: {type: integer}}
                      pages: {type: integer}
";

#[test]
fn speakeasy_declarations_are_read_with_nested_paths() {
    let (api, _) = lowered(DECLARED);
    let p = op(&api, "listOrders").pagination.clone().expect("paged");
    assert!(p.declared);
    assert_eq!(
        p.kind,
        PageKind::Page {
            page: "p".into(),
            first: 0,
            size: Some("n".into()),
            pages: Some(ir::FieldPath(vec![step("result", 1), step("pages", 1)]))
        }
    );
    assert_eq!(p.items.0, [step("result", 1), step("orders", 1)]);
    assert_eq!(p.item, Ty::Prim(Prim::I64));
}

#[test]
fn a_declaration_that_does_not_fit_is_an_error_at_its_place() {
    let cases = [
        ("$.result.orders", "$.result.nope", "no property `nope`"),
        (
            "$.result.pages",
            "$.result.pages",
            "`outputs.results` is not a list",
        ),
        ("$.result.orders", "result.pages", "does not start with `$`"),
    ];
    for (results, pages, message) in cases {
        let yaml = DECLARED
            .replace("results: $.result.orders", &format!("results: {results}"))
            .replace("numPages: $.result.pages", &format!("numPages: {pages}"));
        let errors = lowering_errors(&yaml);
        let error = errors.errors().next().expect("an error");
        assert_eq!(error.pointer, "/paths/~1orders/get/x-speakeasy-pagination");
        assert!(error.message.contains(message), "{}", error.message);
    }
    let errors =
        lowering_errors(&DECLARED.replace("name: p, in: parameters", "name: q, in: parameters"));
    assert!(
        errors.to_string().contains("no query parameter `q`"),
        "{errors}"
    );
    let errors = lowering_errors(&DECLARED.replace("type: offsetLimit", "type: sideways"));
    assert!(
        errors.to_string().contains("`sideways` is not a type"),
        "{errors}"
    );
}

#[test]
fn the_configuration_declares_turns_off_and_stops_detection() {
    let spec = list("page: integer", "{type: array, items: {type: string}}", "");
    let (api, _) = configured(&spec, "[client]\npagination = \"declared\"\n").unwrap();
    assert!(op(&api, "listThings").pagination.is_none());
    let (api, _) = configured(&spec, "[client.pages]\nlistThings = false\n").unwrap();
    assert!(op(&api, "listThings").pagination.is_none());
    let (api, _) = configured(&spec, "[client.pages]\nlistThings = { type = \"link\" }\n").unwrap();
    let p = op(&api, "listThings").pagination.clone().expect("paged");
    assert_eq!((p.kind, p.declared), (PageKind::Link, true));

    let errors = configured(&spec, "\n[client.pages]\nlistThing = { type = \"link\" }\n")
        .expect_err("no such operation");
    let error = errors.errors().next().expect("an error");
    assert_eq!(
        (error.file.as_str(), error.pointer.as_str(), error.line),
        ("uniapi.toml", "/client/pages/listThing", Some(3))
    );
    let errors = configured(
        &spec,
        "[client.pages]\nlistThings = { type = \"cursor\" }\n",
    )
    .expect_err("no cursor");
    let error = errors.errors().next().expect("an error");
    assert_eq!(error.file, "uniapi.toml");
    assert_eq!(error.severity, Severity::Error);
    assert!(error.message.contains("cursor"), "{}", error.message);
}

#[test]
fn idempotency_keys_come_from_the_spec_or_the_configuration() {
    let spec = "
paths:
  /pay:
    post:
      operationId: pay
      parameters: [{name: Idempotency-Key, in: header, schema: {type: string}}]
      responses: {'204': {description: ok}}
  /refund:
    post:
      operationId: refund
      responses: {'204': {description: ok}}
  /status:
    get:
      operationId: status
      responses: {'204': {description: ok}}
";
    let (api, _) = lowered(spec);
    assert_eq!(
        op(&api, "pay").idempotency_key.as_deref(),
        Some("idempotency-key")
    );
    assert_eq!(op(&api, "refund").idempotency_key, None);
    let (api, _) = configured(spec, "[client]\nidempotency-key = \"X-Once\"\n").unwrap();
    assert_eq!(
        op(&api, "pay").idempotency_key.as_deref(),
        Some("idempotency-key")
    );
    assert_eq!(
        op(&api, "refund").idempotency_key.as_deref(),
        Some("x-once")
    );
    assert_eq!(op(&api, "status").idempotency_key, None);
}
