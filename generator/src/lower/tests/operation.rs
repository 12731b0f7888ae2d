//! `lower/operation.rs`: parameters (path-level merged), the path template,
//! bodies, responses, headers and security requirements.

use super::{lowered, one_at, op};
use crate::ir::{
    Literal, Location, MediaKind, Method, PathSegment, Prim, Requirement, StatusMatch, Style, Ty,
};

#[test]
fn path_level_parameters_are_merged_and_overridden_by_name_and_place() {
    let (api, warnings) = lowered(
        "
paths:
  /pets/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      - {name: verbose, in: query, schema: {type: boolean}}
      - {name: trace, in: header, schema: {type: string}}
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, format: int64}}
        - {name: trace, in: query, schema: {type: string}}
      responses: {'204': {description: ok}}
    delete:
      operationId: deletePet
      responses: {'204': {description: ok}}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let params = |id: &str| -> Vec<(String, Location, Ty)> {
        op(&api, id)
            .params
            .iter()
            .map(|p| (p.wire.clone(), p.location, p.ty.clone()))
            .collect()
    };
    let string = Ty::Prim(Prim::String);
    // The operation's own `id` replaces the path's; `trace` in another
    // place is another parameter.
    assert_eq!(
        params("getPet"),
        [
            ("verbose".into(), Location::Query, Ty::Prim(Prim::Bool)),
            ("trace".into(), Location::Header, string.clone()),
            ("id".into(), Location::Path, Ty::Prim(Prim::I64)),
            ("trace".into(), Location::Query, string.clone()),
        ]
    );
    assert_eq!(
        params("deletePet"),
        [
            ("id".into(), Location::Path, string.clone()),
            ("verbose".into(), Location::Query, Ty::Prim(Prim::Bool)),
            ("trace".into(), Location::Header, string),
        ]
    );
    // Names are unique among an operation's parameters.
    let names: Vec<&str> = op(&api, "getPet")
        .params
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["verbose", "trace", "id", "trace_2"]);
}

#[test]
fn the_path_template_becomes_segments() {
    let (api, _) = lowered(
        "
paths:
  /files/{dir}/{name}.{ext}:
    get:
      operationId: getFile
      parameters:
        - {name: ext, in: path, schema: {type: string}}
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: dir, in: path, required: true, schema: {type: integer}}
      responses: {'204': {description: ok}}
",
    );
    let get = op(&api, "getFile");
    assert_eq!(get.method, Method::Get);
    assert_eq!(get.origin, "/paths/~1files~1{dir}~1{name}.{ext}/get");
    assert_eq!(
        get.segments,
        [
            PathSegment::Literal("/files/".into()),
            PathSegment::Param(2),
            PathSegment::Literal("/".into()),
            PathSegment::Param(1),
            PathSegment::Literal(".".into()),
            PathSegment::Param(0),
        ]
    );
    // A path parameter is required, whatever the spec says.
    assert!(get.params.iter().all(|p| p.required));
}

#[test]
fn path_parameters_and_the_template_are_checked_against_each_other() {
    let (api, warnings) = lowered(
        "
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
      responses: {'204': {description: ok}}
",
    );
    let get = op(&api, "getPet");
    let id = &get.params[1];
    assert_eq!((id.wire.as_str(), &id.ty), ("id", &Ty::Prim(Prim::String)));
    assert!(id.required);
    assert_eq!(get.segments[1], PathSegment::Param(1));
    // The declared one stays in the request, though nothing sends it:
    // optional, so that the server can make a request without it.
    assert_eq!(get.params[0].wire, "petId");
    assert!(!get.params[0].required);
    let messages: Vec<&str> = warnings
        .iter()
        .filter(|d| d.pointer == "/paths/~1pets~1{id}/get")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "path parameter `id` is not declared; taken as a string",
            "path parameter `petId` is not in the path `/pets/{id}`",
        ]
    );
}

#[test]
fn headers_that_openapi_describes_otherwise_are_ignored() {
    let (api, warnings) = lowered(
        "
paths:
  /a:
    get:
      operationId: a
      parameters:
        - {name: Accept, in: header, schema: {type: string}}
        - {name: content-type, in: header, schema: {type: string}}
        - {name: Authorization, in: header, schema: {type: string}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses: {'204': {description: ok}}
",
    );
    let params: Vec<(&str, &str)> = op(&api, "a")
        .params
        .iter()
        .map(|p| (p.wire.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(params, [("X-Trace", "x_trace")]);
    for (i, name) in ["Accept", "content-type", "Authorization"]
        .iter()
        .enumerate()
    {
        let d = one_at(&warnings, &format!("/paths/~1a/get/parameters/{i}"));
        assert_eq!(d.message, format!("header parameter `{name}` is ignored"));
    }
}

#[test]
fn parameter_types_styles_and_defaults() {
    let (api, warnings) = lowered(
        "
paths:
  /a:
    get:
      operationId: a
      parameters:
        - {name: limit, in: query, schema: {type: integer, format: int32, default: 20}}
        - {name: tags, in: query, style: pipeDelimited, schema: {type: array, items: {type: string}}}
        - {name: filter, in: query, content: {application/json: {schema: {type: object, properties: {a: {type: object, properties: {b: {type: string}}}}}}}}
        - {name: nested, in: query, schema: {type: object, properties: {a: {type: object, properties: {b: {type: string}}}}}}
        - {name: maybe, in: query, schema: {type: string, nullable: true}}
        - {name: xml, in: query, content: {application/xml: {schema: {type: string}}}}
        - {name: session, in: cookie, schema: {type: string}}
      responses: {'204': {description: ok}}
",
    );
    let a = op(&api, "a");
    let param = |wire: &str| {
        a.params
            .iter()
            .find(|p| p.wire == wire)
            .unwrap_or_else(|| panic!("no {wire}"))
    };
    let limit = param("limit");
    assert_eq!(limit.ty, Ty::Prim(Prim::I32));
    assert_eq!(limit.default, Some(Literal::Int(20)));
    assert!(!limit.required);
    assert!(limit.always_present());
    assert_eq!((limit.style, limit.explode), (Style::Form, true));
    let tags = param("tags");
    assert_eq!(tags.ty, Ty::List(Box::new(Ty::Prim(Prim::String))));
    assert_eq!((tags.style, tags.explode), (Style::PipeDelimited, false));
    // JSON in a parameter can be anything; a style cannot write nesting.
    assert_eq!(param("filter").style, Style::Json);
    assert!(matches!(param("filter").ty, Ty::Named(_)));
    assert_eq!(param("nested").ty, Ty::Prim(Prim::String));
    one_at(&warnings, "/paths/~1a/get/parameters/3");
    // `null` is absence in a parameter.
    assert_eq!(param("maybe").ty, Ty::Prim(Prim::String));
    assert_eq!(param("xml").ty, Ty::Prim(Prim::String));
    let xml = one_at(&warnings, "/paths/~1a/get/parameters/5");
    assert!(
        xml.message
            .contains("other than JSON is passed as a string"),
        "{xml}"
    );
    assert_eq!(
        (param("session").location, param("session").style),
        (Location::Cookie, Style::Form)
    );
    assert_eq!(warnings.len(), 2, "{warnings}");
}

#[test]
fn bodies_keep_the_spec_order_and_prefer_json() {
    let (api, _) = lowered(
        "
paths:
  /notes:
    post:
      operationId: addNote
      requestBody:
        required: true
        description: the note
        content:
          text/plain: {schema: {type: string}}
          application/octet-stream: {schema: {type: string, format: binary}}
          application/merge-patch+json: {schema: {type: object, properties: {a: {type: string}}}}
          application/x-www-form-urlencoded: {schema: {type: object, properties: {a: {type: string}}}}
      responses: {'204': {description: ok}}
",
    );
    let add = op(&api, "addNote");
    let bodies: Vec<(&str, MediaKind, &str)> = add
        .bodies
        .iter()
        .map(|b| (b.content_type.as_str(), b.media, b.variant.as_str()))
        .collect();
    assert_eq!(
        bodies,
        [
            ("text/plain", MediaKind::Text, "Text"),
            ("application/octet-stream", MediaKind::Binary, "Binary"),
            (
                "application/merge-patch+json",
                MediaKind::Json,
                "MergePatchJson"
            ),
            ("application/x-www-form-urlencoded", MediaKind::Form, "Form"),
        ]
    );
    assert_eq!(add.preferred_body, 2);
    assert_eq!(add.body().map(|b| b.media), Some(MediaKind::Json));
    assert_eq!(add.bodies[1].ty, Ty::Prim(Prim::Bytes));
    assert!(add.bodies.iter().all(|b| b.required));
    assert_eq!(add.bodies[0].docs.description.as_deref(), Some("the note"));
}

#[test]
fn responses_by_code_range_and_default() {
    let (api, warnings) = lowered(
        "
paths:
  /a:
    get:
      operationId: a
      responses:
        '200':
          description: fine
          headers:
            ETag: {schema: {type: string}}
            Content-Type: {schema: {type: string}}
            X-Rate-Limit: {required: true, schema: {type: integer}}
          content: {application/json: {schema: {type: string}}}
        '4XX': {description: client error}
        '999': {description: not a status}
        default: {description: anything else}
",
    );
    let a = op(&api, "a");
    let statuses: Vec<(StatusMatch, &str)> = a
        .responses
        .iter()
        .map(|r| (r.status, r.variant.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            (StatusMatch::Code(200), "Ok"),
            (StatusMatch::Range(4), "ClientError"),
            (StatusMatch::Default, "Default"),
        ]
    );
    let d = one_at(&warnings, "/paths/~1a/get/responses/999");
    assert_eq!(d.message, "status 999 is not an HTTP status; left out");
    // Header names are case-insensitive: lower case, and `Content-Type`
    // is the body's.
    let headers: Vec<(&str, &str, bool)> = a.responses[0]
        .headers
        .iter()
        .map(|h| (h.wire.as_str(), h.name.as_str(), h.required))
        .collect();
    assert_eq!(
        headers,
        [
            ("etag", "etag", false),
            ("x-rate-limit", "x_rate_limit", true)
        ]
    );
    assert_eq!(a.responses[0].docs.description.as_deref(), Some("fine"));
}

#[test]
fn an_operation_without_responses_answers_anything() {
    let (api, warnings) = lowered(
        "
paths:
  /a:
    get: {operationId: a}
",
    );
    let a = op(&api, "a");
    let [response] = &a.responses[..] else {
        panic!("{:?}", a.responses)
    };
    assert_eq!(response.status, StatusMatch::Default);
    assert_eq!(response.bodies[0].ty, Ty::Any);
    assert_eq!(response.bodies[0].content_type, "application/json");
    let d = one_at(&warnings, "/paths/~1a/get/responses");
    assert_eq!(
        d.message,
        "operation documents no responses; any status with any JSON body is allowed"
    );
}

#[test]
fn security_requirements_of_the_operation_replace_the_document_s() {
    let (api, warnings) = lowered(
        "
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
    oauth: {type: oauth2, flows: {}}
paths:
  /inherits:
    get: {operationId: inherits, responses: {'204': {description: ok}}}
  /own:
    get:
      operationId: own
      security: [{oauth: [read, write]}, {key: [], oauth: []}]
      responses: {'204': {description: ok}}
  /open:
    get: {operationId: open, security: [], responses: {'204': {description: ok}}}
  /optional:
    get: {operationId: optional, security: [{}], responses: {'204': {description: ok}}}
  /undeclared:
    get: {operationId: undeclared, security: [{nope: []}, {key: []}], responses: {'204': {description: ok}}}
",
    );
    let security = |id: &str| op(&api, id).security.clone();
    assert_eq!(
        security("inherits"),
        Some(vec![Requirement(vec![(0, vec![])])])
    );
    assert_eq!(
        security("own"),
        Some(vec![
            Requirement(vec![(1, vec!["read".into(), "write".into()])]),
            Requirement(vec![(0, vec![]), (1, vec![])]),
        ])
    );
    assert_eq!(security("open"), None);
    assert_eq!(security("optional"), None);
    // A requirement naming an undeclared scheme cannot be met as written.
    assert_eq!(
        security("undeclared"),
        Some(vec![Requirement(vec![(0, vec![])])])
    );
    let d = one_at(&warnings, "/paths/~1undeclared/get/security/0");
    assert_eq!(
        d.message,
        "security scheme `nope` is not declared; no request can meet this requirement"
    );
    assert_eq!(warnings.len(), 1, "{warnings}");
}

#[test]
fn operations_keep_their_id_docs_and_document_order() {
    let (api, _) = lowered(
        "
paths:
  /b:
    post:
      operationId: makeB
      summary: Makes a b.
      description: Longer.
      deprecated: true
      responses: {'204': {description: ok}}
    get: {operationId: getB, responses: {'204': {description: ok}}}
  /a:
    get: {responses: {'204': {description: ok}}}
",
    );
    let order: Vec<(Method, &str, Option<&str>)> = api
        .operations
        .iter()
        .map(|o| (o.method.clone(), o.path.as_str(), o.operation_id.as_deref()))
        .collect();
    // Paths in document order; within one, the methods in a fixed order.
    assert_eq!(
        order,
        [
            (Method::Get, "/b", Some("getB")),
            (Method::Post, "/b", Some("makeB")),
            (Method::Get, "/a", None),
        ]
    );
    let make = op(&api, "makeB");
    assert_eq!(make.docs.title.as_deref(), Some("Makes a b."));
    assert_eq!(make.docs.description.as_deref(), Some("Longer."));
    assert!(make.docs.deprecated);
}

#[test]
fn webhooks_are_operations_of_their_own_named_by_their_key() {
    let (api, warnings) = lowered(
        "
security: [{key: []}]
components:
  securitySchemes:
    other: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
webhooks:
  pet.adopted:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {id: {type: integer}}}
      responses: {'204': {description: ok}}
  newPet:
    post:
      responses: {'200': {description: ok}}
    delete:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: reason, in: query, schema: {type: string}}
      responses: {'204': {description: ok}}
  signed:
    put:
      operationId: putSigned
      security: [{key: []}]
      responses: {'204': {description: ok}}
",
    );
    assert!(api.operations.is_empty());
    let names: Vec<(&str, &str)> = api
        .webhooks
        .iter()
        .map(|w| (w.name.as_str(), w.path.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("pet_adopted", "/pet.adopted"),
            ("post_new_pet", "/newPet"),
            ("delete_new_pet", "/newPet"),
            ("put_signed", "/signed"),
        ]
    );
    // The document's `security` is the API's, not its webhooks'.
    assert_eq!(api.webhooks[0].security, None);
    assert!(api.webhooks[3].security.is_some());
    // A webhook has no path: its path parameters are left out, warned.
    let delete = &api.webhooks[2];
    assert_eq!(delete.params.len(), 1);
    assert_eq!(delete.params[0].wire, "reason");
    let warning = one_at(&warnings, "/webhooks/newPet/delete");
    assert!(warning.message.contains("`id`"), "{}", warning.message);
    // The webhooks' API keeps the schemes they use, renumbered.
    let hooks = api.webhooks_api().unwrap();
    assert_eq!(hooks.operations.len(), 4);
    assert_eq!(hooks.security_schemes.len(), 1);
    assert_eq!(hooks.security_schemes[0].key, "key");
    assert_eq!(
        hooks.operations[3].security,
        Some(vec![Requirement(vec![(0, vec![])])])
    );
}

#[test]
fn a_webhook_that_is_no_path_item_is_an_error_at_its_pointer() {
    let errors = super::lowering_errors(
        "
webhooks:
  broken: [1, 2]
",
    );
    let error = one_at(&errors, "/webhooks/broken");
    assert!(error.message.contains("path item"), "{}", error.message);
}

#[test]
fn callbacks_are_operations_of_their_own_with_their_url_on_the_request() {
    let (api, warnings) = lowered(
        "
paths:
  /subscriptions:
    post:
      operationId: subscribe
      parameters:
        - {name: onEventUrl, in: query, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {callbackUrl: {type: string}}}
      responses: {'201': {description: ok}}
      callbacks:
        onEvent:
          '{$request.body#/callbackUrl}/events':
            post:
              responses: {'204': {description: ok}}
        shared:
          $ref: '#/components/callbacks/Shared'
        later:
          '{$response.body#/url}':
            post:
              responses: {'204': {description: ok}}
components:
  callbacks:
    Shared:
      '{$request.header.X-Hook}':
        put:
          operationId: sharedPut
          responses: {'204': {description: ok}}
",
    );
    let names: Vec<(&str, &str)> = api
        .callbacks
        .iter()
        .map(|c| (c.name.as_str(), c.path.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("on_event", "/on_event/events"),
            ("shared_put", "/shared_put")
        ]
    );
    let of = api.callbacks[0].callback.as_ref().unwrap();
    assert_eq!((of.operation, of.name.as_str()), (0, "onEvent"));
    // The URL is a field of the owner's request, clear of its parameters.
    let fields: Vec<(&str, &str)> = api.operations[0]
        .callback_urls
        .iter()
        .map(|u| (u.field.as_str(), u.expression.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("on_event_url_2", "{$request.body#/callbackUrl}/events"),
            ("shared_url", "{$request.header.X-Hook}")
        ]
    );
    // A URL from the response cannot be read from the request.
    let warning = one_at(
        &warnings,
        "/paths/~1subscriptions/post/callbacks/later/{$response.body#~1url}",
    );
    assert!(warning.message.contains("left out"), "{}", warning.message);
    assert_eq!(api.callbacks_api().unwrap().operations.len(), 2);
}
