//! The rules of `lower`, one test each, from a small inline spec through
//! one helper ([`lower_yaml`]) to the IR and the diagnostics. The tests of
//! each module of `lower/` are in the module of the same name here; this
//! file holds the helpers and the tests of `lower/mod.rs` (security
//! schemes, servers, `$ref`s of other objects).

mod config;
mod cycles;
mod dedup;
mod examples;
mod openapi_3_2;
mod operation;
mod pages;
mod schema;

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::ir::{self, Field, Location, Operation, SchemeKind, TypeDef, TypeId, TypeKind};

/// `openapi` and `info`, which every spec of these tests starts with.
pub(super) const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

/// Loads and lowers `HEAD` followed by `yaml`. Loading must succeed.
pub(super) fn lower_yaml(yaml: &str) -> Result<(ir::Api, Diagnostics), Diagnostics> {
    let text = format!("{HEAD}{yaml}");
    let loaded = crate::load::load_str("spec.yaml", text, Path::new("spec.yaml"))
        .unwrap_or_else(|d| panic!("the spec does not load:\n{d}"));
    super::lower(&loaded)
}

/// The IR and the warnings of a spec that lowers.
pub(super) fn lowered(yaml: &str) -> (ir::Api, Diagnostics) {
    lower_yaml(yaml).unwrap_or_else(|d| panic!("the spec does not lower:\n{d}"))
}

/// The diagnostics of a spec that does not lower.
pub(super) fn lowering_errors(yaml: &str) -> Diagnostics {
    match lower_yaml(yaml) {
        Ok((_, warnings)) => panic!("the spec lowers, with:\n{warnings}"),
        Err(diagnostics) => diagnostics,
    }
}

/// The type made from the schema at `origin`.
pub(super) fn at<'a>(api: &'a ir::Api, origin: &str) -> (TypeId, &'a TypeDef) {
    let mut found = api
        .types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.origin == origin);
    let Some((i, def)) = found.next() else {
        let origins: Vec<&str> = api.types.iter().map(|t| t.origin.as_str()).collect();
        panic!("no type from {origin} among {origins:#?}");
    };
    assert!(found.next().is_none(), "two types from {origin}");
    (TypeId(i), def)
}

/// The type named `name`.
pub(super) fn named<'a>(api: &'a ir::Api, name: &str) -> (TypeId, &'a TypeDef) {
    match api.types.iter().position(|t| t.name == name) {
        Some(i) => (TypeId(i), &api.types[i]),
        None => {
            let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
            panic!("no type {name} among {names:?}");
        }
    }
}

/// The field of struct `def` whose wire name is `wire`.
pub(super) fn field<'a>(def: &'a TypeDef, wire: &str) -> &'a Field {
    let TypeKind::Struct(s) = &def.kind else {
        panic!("{} is not a struct: {:?}", def.name, def.kind);
    };
    s.fields
        .iter()
        .find(|f| f.wire == wire)
        .unwrap_or_else(|| panic!("{} has no field {wire}", def.name))
}

/// The operation whose `operationId` is `id`.
pub(super) fn op<'a>(api: &'a ir::Api, id: &str) -> &'a Operation {
    api.operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no operation {id}"))
}

/// The one diagnostic at `pointer`.
pub(super) fn one_at<'a>(diagnostics: &'a Diagnostics, pointer: &str) -> &'a Diagnostic {
    let mut found = diagnostics.iter().filter(|d| d.pointer == pointer);
    match (found.next(), found.next()) {
        (Some(d), None) => d,
        _ => panic!("not one diagnostic at {pointer}:\n{diagnostics}"),
    }
}

#[test]
fn security_schemes_become_kinds_in_document_order() {
    let (api, warnings) = lowered(
        "
components:
  securitySchemes:
    bearer: {type: http, scheme: Bearer}
    basic: {type: http, scheme: basic}
    key: {type: apiKey, in: cookie, name: session, description: the session}
    oauth: {type: oauth2, flows: {}}
    oidc: {type: openIdConnect, openIdConnectUrl: 'https://example.com/.well-known'}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let kinds: Vec<(&str, &SchemeKind)> = api
        .security_schemes
        .iter()
        .map(|s| (s.key.as_str(), &s.kind))
        .collect();
    let cookie = SchemeKind::ApiKey {
        location: Location::Cookie,
        name: "session".into(),
    };
    assert_eq!(
        kinds,
        [
            ("bearer", &SchemeKind::Bearer),
            ("basic", &SchemeKind::Basic),
            ("key", &cookie),
            ("oauth", &SchemeKind::Bearer),
            ("oidc", &SchemeKind::Bearer),
        ]
    );
    assert_eq!(
        api.security_schemes[2].description.as_deref(),
        Some("the session")
    );
}

#[test]
fn every_http_scheme_and_mutual_tls_are_checked() {
    let yaml = "
components:
  securitySchemes:
    digest: {type: http, scheme: Digest}
    tls: {type: mutualTLS}
    bearer: {type: http, scheme: bearer}
paths:
  /a:
    get:
      operationId: a
      security: [{tls: []}, {digest: []}]
      responses: {'204': {description: ok}}
";
    let (api, warnings) = lowered(&yaml.replace("3.0.3", "3.1.0"));
    assert!(warnings.is_empty(), "{warnings}");
    let kinds: Vec<&SchemeKind> = api.security_schemes.iter().map(|s| &s.kind).collect();
    assert_eq!(
        kinds,
        [
            &SchemeKind::Http {
                scheme: "Digest".into()
            },
            &SchemeKind::MutualTls,
            &SchemeKind::Bearer,
        ]
    );
    assert_eq!(
        op(&api, "a").security,
        Some(vec![
            ir::Requirement(vec![(1, vec![])]),
            ir::Requirement(vec![(0, vec![])]),
        ])
    );
}

#[test]
fn requirements_no_request_can_meet_let_nobody_in() {
    let yaml = "
components:
  securitySchemes:
    pigeon: {type: carrierPigeon}
    spaced: {type: apiKey, in: header, name: 'X Key'}
    odd: {type: http, scheme: 'two words'}
    bearer: {type: http, scheme: bearer}
paths:
  /nobody:
    get:
      operationId: nobody
      security: [{pigeon: []}, {spaced: []}, {odd: []}, {undeclared: []}]
      responses: {'204': {description: ok}}
  /some:
    get:
      operationId: some
      security: [{undeclared: []}, {bearer: []}]
      responses: {'204': {description: ok}}
  /anyone:
    get:
      operationId: anyone
      security: [{pigeon: []}, {}]
      responses: {'204': {description: ok}}
  /open:
    get:
      operationId: open
      security: []
      responses: {'204': {description: ok}}
";
    let (api, warnings) = lowered(&yaml.replace("3.0.3", "3.1.0"));
    let keys: Vec<&str> = api
        .security_schemes
        .iter()
        .map(|s| s.key.as_str())
        .collect();
    assert_eq!(keys, ["bearer"]);
    for (at, message) in [
        (
            "/components/securitySchemes/pigeon/type",
            "`carrierPigeon` is not a type of security scheme; no request can meet it",
        ),
        (
            "/components/securitySchemes/spaced/name",
            "`X Key` cannot be the name of a key; no request can meet the scheme",
        ),
        (
            "/components/securitySchemes/odd/scheme",
            "`two words` cannot be the name of an HTTP authentication scheme; no request can meet it",
        ),
        (
            "/paths/~1nobody/get/security/3",
            "security scheme `undeclared` is not declared; no request can meet this requirement",
        ),
    ] {
        assert_eq!(one_at(&warnings, at).message, message);
    }
    // Secured, by nothing that can be met: nobody may call.
    assert_eq!(op(&api, "nobody").security, Some(vec![]));
    assert_eq!(
        op(&api, "some").security,
        Some(vec![ir::Requirement(vec![(0, vec![])])])
    );
    // An empty requirement lets anyone in; so does an empty list.
    assert_eq!(op(&api, "anyone").security, None);
    assert_eq!(op(&api, "open").security, None);
}

#[test]
fn server_variables_take_their_defaults() {
    let (api, _) = lowered(
        "
servers:
  - url: 'https://{region}.example.com/{version}'
    variables:
      region: {default: eu, enum: [eu, us]}
      version: {default: v2}
  - url: /relative
",
    );
    assert_eq!(api.servers, ["https://eu.example.com/v2", "/relative"]);
}

#[test]
fn references_of_other_objects_are_followed_through_chains() {
    let (api, warnings) = lowered(
        "
paths:
  /a:
    get:
      operationId: a
      parameters: [{$ref: '#/components/parameters/Limit'}]
      responses:
        '200': {$ref: '#/components/responses/Fine'}
components:
  parameters:
    Limit: {$ref: '#/components/parameters/RealLimit'}
    RealLimit: {name: limit, in: query, schema: {type: integer}}
  responses:
    Fine: {description: fine}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let a = op(&api, "a");
    assert_eq!(a.params[0].wire, "limit");
    assert_eq!(a.responses[0].docs.description.as_deref(), Some("fine"));
}

#[test]
fn references_that_cannot_be_followed_are_errors_at_their_place() {
    let errors = lowering_errors(
        "
paths:
  /a:
    get:
      operationId: a
      parameters:
        - {$ref: '#/components/parameters/Loop'}
        - {$ref: '#/components/parameters/Missing'}
        - {$ref: '#/components/schemas/NotAParameter'}
      responses: {'204': {description: ok}}
components:
  parameters:
    Loop: {$ref: '#/components/parameters/Loop2'}
    Loop2: {$ref: '#/components/parameters/Loop'}
  schemas:
    NotAParameter: {type: integer}
",
    );
    let message = |i: usize| {
        let d = one_at(&errors, &format!("/paths/~1a/get/parameters/{i}"));
        assert_eq!(d.severity, Severity::Error);
        assert!(d.hint.is_some(), "{d}");
        d.message.clone()
    };
    assert_eq!(message(0), "`$ref` chain too long or circular");
    assert_eq!(
        message(1),
        "`$ref: #/components/parameters/Missing` points at nothing"
    );
    assert!(
        message(2).starts_with(
            "`$ref: #/components/schemas/NotAParameter` points at something of the wrong kind: "
        ),
        "{errors}"
    );
}
