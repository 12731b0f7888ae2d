//! OpenAPI 3.2's additions, read wherever 3.0 and 3.1 are: `query` and
//! `additionalOperations`, `in: querystring`, a discriminator's
//! `defaultMapping`, `deprecated` security schemes, examples'
//! `dataValue` and `serializedValue`, `$self`; and path item fields that
//! no version defines, reported.

use super::{at, lowered, named, one_at, op};
use crate::ir::{Location, Method, Style, TypeKind};

#[test]
fn query_and_additional_operations_are_operations_of_their_method() {
    let (api, warnings) = lowered(
        "
paths:
  /books:
    get: {operationId: list, responses: {'204': {description: ok}}}
    query:
      requestBody:
        content: {application/json: {schema: {type: object}}}
      responses: {'204': {description: ok}}
    additionalOperations:
      LINK: {operationId: link, responses: {'204': {description: ok}}}
      purge: {operationId: purge, responses: {'204': {description: ok}}}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let methods: Vec<(&str, &Method, &str)> = api
        .operations
        .iter()
        .map(|o| (o.name.as_str(), &o.method, o.origin.as_str()))
        .collect();
    assert_eq!(
        methods,
        [
            ("list", &Method::Get, "/paths/~1books/get"),
            // Named from the method and path, as the fixed methods are.
            ("query_books", &Method::Query, "/paths/~1books/query"),
            (
                "link",
                &Method::Other("LINK".into()),
                "/paths/~1books/additionalOperations/LINK"
            ),
            (
                "purge",
                &Method::Other("purge".into()),
                "/paths/~1books/additionalOperations/purge"
            ),
        ]
    );
    assert!(op(&api, "link").body().is_none());
    assert!(api.operations[1].body().is_some());
}

#[test]
fn additional_operations_that_cannot_be_sent_are_left_out_with_a_warning() {
    let (api, warnings) = lowered(
        "
paths:
  /a:
    additionalOperations:
      GET: {operationId: get, responses: {'204': {description: ok}}}
      'NOT A TOKEN': {operationId: spaced, responses: {'204': {description: ok}}}
      BROKEN: {operationId: broken, parameters: 7, responses: {'204': {description: ok}}}
      COPY: {operationId: copy, responses: {'204': {description: ok}}}
    connect: {operationId: connect, responses: {'204': {description: ok}}}
",
    );
    let ids: Vec<&str> = api
        .operations
        .iter()
        .filter_map(|o| o.operation_id.as_deref())
        .collect();
    assert_eq!(ids, ["copy"]);
    for (pointer, message) in [
        (
            "/paths/~1a/additionalOperations/GET",
            "`GET` has a field of its own in a path item; this operation is left out",
        ),
        (
            "/paths/~1a/additionalOperations/NOT A TOKEN",
            "`NOT A TOKEN` cannot be an HTTP method; this operation is left out",
        ),
        (
            "/paths/~1a/connect",
            "`connect` is not a field of a path item; it is left out",
        ),
    ] {
        assert_eq!(one_at(&warnings, pointer).message, message);
    }
    let broken = one_at(&warnings, "/paths/~1a/additionalOperations/BROKEN");
    assert!(
        broken.message.starts_with("this operation is left out: "),
        "{}",
        broken.message
    );
    assert_eq!(warnings.len(), 4, "{warnings}");
}

#[test]
fn a_querystring_is_an_exploded_form_object_or_json_text() {
    let (api, warnings) = lowered(
        "
paths:
  /search:
    get:
      operationId: search
      parameters:
        - name: filter
          in: querystring
          content:
            application/x-www-form-urlencoded:
              schema:
                type: object
                properties: {q: {type: string}, page: {type: integer}}
      responses: {'204': {description: ok}}
  /json:
    get:
      operationId: json
      parameters:
        - {name: f, in: querystring, content: {application/json: {schema: {type: array, items: {type: integer}}}}}
      responses: {'204': {description: ok}}
  /text:
    get:
      operationId: text
      parameters:
        - {name: f, in: querystring, content: {text/plain: {schema: {type: string}}}}
      responses: {'204': {description: ok}}
  /scalar:
    get:
      operationId: scalar
      parameters:
        - {name: f, in: querystring, content: {application/x-www-form-urlencoded: {schema: {type: string}}}}
      responses: {'204': {description: ok}}
",
    );
    let [filter] = &op(&api, "search").params[..] else {
        panic!("{:?}", op(&api, "search").params)
    };
    assert_eq!(filter.location, Location::Query);
    assert!(filter.querystring);
    assert_eq!((filter.style, filter.explode), (Style::Form, true));
    assert_eq!(
        filter.object_fields.as_deref(),
        Some(&["q".to_owned(), "page".to_owned()][..])
    );
    // As JSON, any type: the query string is its text.
    let [json] = &op(&api, "json").params[..] else {
        panic!("{:?}", op(&api, "json").params)
    };
    assert!(json.querystring);
    assert_eq!(json.style, Style::Json);
    assert!(op(&api, "text").params.is_empty());
    assert!(op(&api, "scalar").params.is_empty());
    assert_eq!(
        one_at(&warnings, "/paths/~1text/get/parameters/0").message,
        "a `querystring` parameter is read as a form or as JSON; this one is left out"
    );
    assert_eq!(
        one_at(&warnings, "/paths/~1scalar/get/parameters/0").message,
        "a `querystring` form must be an object; this parameter is left out"
    );
}

const PETS: &str = "
    Cat: {type: object, required: [kind], properties: {kind: {type: string}, lives: {type: integer}}}
    Dog: {type: object, required: [kind], properties: {kind: {type: string}}}
    Other: {type: object, required: [kind], properties: {kind: {type: string}}}
";

#[test]
fn default_mapping_names_the_variant_of_unknown_tags() {
    let yaml = format!(
        "
components:
  schemas:
    Pet:
      oneOf: [$ref: '#/components/schemas/Cat', $ref: '#/components/schemas/Dog', $ref: '#/components/schemas/Other']
      discriminator: {{propertyName: kind, defaultMapping: '#/components/schemas/Other'}}
    Lost:
      oneOf: [$ref: '#/components/schemas/Cat', $ref: '#/components/schemas/Dog']
      discriminator: {{propertyName: kind, defaultMapping: Other}}
{PETS}"
    );
    let (api, warnings) = lowered(&yaml);
    let TypeKind::Union(pet) = &named(&api, "Pet").1.kind else {
        panic!("Pet is not a union")
    };
    assert_eq!(pet.tag.as_deref(), Some("kind"));
    assert_eq!(
        pet.default.map(|i| pet.variants[i].name.as_str()),
        Some("Other")
    );
    let TypeKind::Union(lost) = &at(&api, "/components/schemas/Lost").1.kind else {
        panic!("Lost is not a union")
    };
    assert_eq!(lost.default, None);
    assert_eq!(
        one_at(
            &warnings,
            "/components/schemas/Lost/discriminator/defaultMapping"
        )
        .message,
        "`defaultMapping` names `Other`, which is not one of the variants; values without a known tag are refused"
    );
}

#[test]
fn examples_take_their_data_value_or_serialized_value() {
    let yaml = format!(
        "
paths:
  /pets:
    post:
      operationId: add
      requestBody:
        content:
          application/json:
            schema:
              oneOf: [$ref: '#/components/schemas/Cat', $ref: '#/components/schemas/Other']
              discriminator: {{propertyName: kind, mapping: {{cat: Cat}}, defaultMapping: Other}}
            examples:
              data: {{dataValue: {{kind: cat, lives: 9}}}}
              serialized: {{serializedValue: '{{\"kind\": \"parrot\"}}'}}
              wrong: {{dataValue: {{lives: 9}}}}
      responses: {{'204': {{description: ok}}}}
components:
  schemas:
{PETS}"
    );
    let (api, warnings) = lowered(&yaml);
    let body = op(&api, "add").body().expect("a body");
    let kept: Vec<&str> = body.examples.iter().map(|(at, _)| at.as_str()).collect();
    // `parrot` is no mapped tag: the default variant reads it.
    assert_eq!(
        kept,
        [
            "/paths/~1pets/post/requestBody/content/application~1json/examples/data",
            "/paths/~1pets/post/requestBody/content/application~1json/examples/serialized",
        ]
    );
    assert_eq!(body.examples[1].1["kind"], "parrot");
    // Without a tag, the default variant needs one all the same.
    one_at(
        &warnings,
        "/paths/~1pets/post/requestBody/content/application~1json/examples/wrong",
    );
}

#[test]
fn a_deprecated_scheme_says_so() {
    let (api, warnings) = lowered(
        "
components:
  securitySchemes:
    old: {type: apiKey, in: header, name: X-Old, deprecated: true}
    new: {type: http, scheme: bearer}
    device:
      type: oauth2
      flows:
        deviceAuthorization:
          deviceAuthorizationUrl: https://example.com/device
          tokenUrl: https://example.com/token
          scopes: {}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let deprecated: Vec<(&str, bool)> = api
        .security_schemes
        .iter()
        .map(|s| (s.key.as_str(), s.deprecated))
        .collect();
    assert_eq!(
        deprecated,
        [("old", true), ("new", false), ("device", false)]
    );
}

#[test]
fn self_makes_references_to_the_document_local() {
    let (api, warnings) = lowered(
        "
$self: https://example.com/specs/api.yaml
paths:
  /a:
    get:
      operationId: a
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'https://example.com/specs/api.yaml#/components/schemas/Thing'}
components:
  schemas:
    Thing: {type: object, properties: {id: {type: integer}}}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let (thing, _) = named(&api, "Thing");
    let response = &op(&api, "a").responses[0];
    assert_eq!(response.bodies[0].ty, crate::ir::Ty::Named(thing));
}

#[test]
fn tags_are_breadcrumbs_of_their_parents_summaries() {
    let (api, warnings) = lowered(
        "
tags:
  - {name: pets, summary: Pets}
  - {name: cats, summary: Cats, parent: pets, kind: nav}
  - {name: kittens, parent: cats}
  - {name: lost, parent: nowhere}
  - {name: a, parent: b}
  - {name: b, parent: a}
paths:
  /kittens:
    get:
      operationId: kittens
      tags: [kittens, undeclared]
      responses: {'204': {description: ok}}
  /loop:
    get: {operationId: loop, tags: [a, lost], responses: {'204': {description: ok}}}
",
    );
    assert_eq!(
        op(&api, "kittens").tags,
        ["Pets › Cats › kittens", "undeclared"]
    );
    assert_eq!(op(&api, "loop").tags, ["b › a", "lost"]);
    assert_eq!(
        one_at(&warnings, "/tags/3/parent").message,
        "tag `lost` has parent `nowhere`, which is not declared; it is shown at the top"
    );
    for pointer in ["/tags/4/parent", "/tags/5/parent"] {
        assert!(
            one_at(&warnings, pointer)
                .message
                .contains("is its own ancestor"),
            "{warnings}"
        );
    }
    assert_eq!(warnings.len(), 3, "{warnings}");
}

#[test]
fn callbacks_have_the_new_methods_too() {
    let (api, warnings) = lowered(
        "
paths:
  /subscribe:
    post:
      operationId: subscribe
      parameters: [{name: url, in: query, required: true, schema: {type: string}}]
      callbacks:
        changed:
          '{$request.query.url}':
            query: {operationId: askBack, responses: {'204': {description: ok}}}
            connect: {responses: {'204': {description: ok}}}
      responses: {'204': {description: ok}}
",
    );
    let methods: Vec<&Method> = api.callbacks.iter().map(|c| &c.method).collect();
    assert_eq!(methods, [&Method::Query]);
    assert_eq!(
        one_at(
            &warnings,
            "/paths/~1subscribe/post/callbacks/changed/{$request.query.url}/connect"
        )
        .message,
        "`connect` is not a field of a path item; it is left out"
    );
}
