//! `lower/examples.rs`: an example that does not fit its schema is warned
//! about and left out; those that fit are kept.

use serde_json::json;

use super::{at, lowered, one_at, op};

#[test]
fn a_schema_example_that_fits_is_kept() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        born: {type: string, format: date}
        tags: {type: array, items: {type: string, maxLength: 3}}
      example: {name: Rex, born: '2020-02-29', tags: [old], extra: ignored}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    assert_eq!(
        at(&api, "/components/schemas/Pet").1.example,
        Some(json!({"name": "Rex", "born": "2020-02-29", "tags": ["old"], "extra": "ignored"}))
    );
}

#[test]
fn a_schema_example_that_does_not_fit_is_warned_about_and_left_out() {
    let cases = [
        (
            "{name: Rex, age: old}",
            " at `/age`: \"old\" is not an integer",
        ),
        ("{age: 3}", " at `/name`: a required property is missing"),
        (
            "{name: Rex, kind: bird}",
            " at `/kind`: \"bird\" is not one of the enum's values",
        ),
        (
            "{name: Rex, code: toolong}",
            " at `/code`: \"toolong\" breaks `length`",
        ),
        (
            "{name: Rex, born: yesterday}",
            " at `/born`: \"yesterday\" is not a date (YYYY-MM-DD)",
        ),
        ("[Rex]", ": expected an object"),
    ];
    for (example, what) in cases {
        let (api, warnings) = lowered(&format!(
            "
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {{type: string}}
        age: {{type: integer}}
        kind: {{type: string, enum: [cat, dog]}}
        code: {{type: string, maxLength: 3}}
        born: {{type: string, format: date}}
      example: {example}
"
        ));
        assert_eq!(
            at(&api, "/components/schemas/Pet").1.example,
            None,
            "{example}"
        );
        let d = one_at(&warnings, "/components/schemas/Pet");
        assert_eq!(
            d.message,
            format!("example does not fit its schema{what}"),
            "{example}"
        );
    }
}

#[test]
fn the_first_of_3_1_examples_stands_for_the_schema() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Age: {type: integer, examples: [3, 4]}
",
    );
    assert_eq!(
        at(&api, "/components/schemas/Age").1.example,
        Some(json!(3))
    );
}

#[test]
fn media_examples_that_do_not_fit_are_left_out_of_the_body() {
    let (api, warnings) = lowered(
        r#"
paths:
  /pets:
    post:
      operationId: addPet
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
            example: {name: 7}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: integer}}
              examples:
                good: {value: [1, 2]}
                bad: {value: [1, two]}
                text: {value: '[3]'}
            text/plain:
              schema: {type: string}
              example: 5
"#,
    );
    let add = op(&api, "addPet");
    assert!(add.bodies[0].examples.is_empty());
    let d = one_at(
        &warnings,
        "/paths/~1pets/post/requestBody/content/application~1json/example",
    );
    assert_eq!(
        d.message,
        "example does not fit its schema at `/name`: 7 is not a string"
    );
    let json_examples: Vec<&str> = add.responses[0].bodies[0]
        .examples
        .iter()
        .map(|(at, _)| at.rsplit('/').next().unwrap_or(""))
        .collect();
    // JSON written as text stands for the JSON it holds.
    assert_eq!(json_examples, ["good", "text"]);
    assert_eq!(add.responses[0].bodies[0].examples[1].1, json!([3]));
    one_at(
        &warnings,
        "/paths/~1pets/post/responses/200/content/application~1json/examples/bad",
    );
    // Only JSON bodies are checked.
    assert_eq!(add.responses[0].bodies[1].examples.len(), 1);
    assert_eq!(warnings.len(), 2, "{warnings}");
}

#[test]
fn null_fits_optional_and_nullable_places_only() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Fine:
      type: object
      required: [a]
      properties:
        a: {type: string, nullable: true}
        b: {type: string}
      example: {a: null, b: null}
    Wrong:
      type: object
      required: [a]
      properties:
        a: {type: string}
      example: {a: null}
",
    );
    assert!(at(&api, "/components/schemas/Fine").1.example.is_some());
    assert_eq!(at(&api, "/components/schemas/Wrong").1.example, None);
    let d = one_at(&warnings, "/components/schemas/Wrong");
    assert_eq!(
        d.message,
        "example does not fit its schema at `/a`: null is not a string"
    );
}

#[test]
fn a_union_example_fits_when_one_variant_takes_it() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Cat: {type: object, required: [meow], properties: {meow: {type: boolean}}}
    Dog: {type: object, required: [bark], properties: {bark: {type: boolean}}}
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator: {propertyName: kind}
      example: {kind: Dog, bark: true}
    Mismatch:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator: {propertyName: kind}
      example: {kind: Cat, bark: true}
",
    );
    assert!(at(&api, "/components/schemas/Pet").1.example.is_some());
    assert_eq!(at(&api, "/components/schemas/Mismatch").1.example, None);
    let d = one_at(&warnings, "/components/schemas/Mismatch");
    assert_eq!(
        d.message,
        "example does not fit its schema: fits none of the variants"
    );
}
