//! `lower/schema.rs`: read-only and write-only properties, the names of
//! hoisted (inline) types, `$ref`s to any place, `allOf` merging, defaults.

use super::{at, field, lowered, named, one_at, op};
use crate::ir::{Literal, OneWay, Prim, Ty, TypeKind};

#[test]
fn read_only_and_write_only_properties_are_optional_and_say_so() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    User:
      type: object
      required: [id, password, name]
      properties:
        id: {type: integer, readOnly: true, description: Given by the server.}
        password: {type: string, writeOnly: true}
        name: {type: string}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let (_, user) = at(&api, "/components/schemas/User");
    let id = field(user, "id");
    assert_eq!(id.one_way, Some(OneWay::Responses));
    // `required` holds in the one direction it travels; one struct serves
    // both.
    assert!(!id.required);
    assert_eq!(
        id.docs.description.as_deref(),
        Some("Given by the server.\n\nRead-only: the server sends it; requests leave it out.")
    );
    let password = field(user, "password");
    assert_eq!(password.one_way, Some(OneWay::Requests));
    assert!(!password.required);
    assert_eq!(
        password.docs.description.as_deref(),
        Some("Write-only: requests send it; responses leave it out.")
    );
    let name = field(user, "name");
    assert_eq!(name.one_way, None);
    assert!(name.required);
    assert_eq!(name.docs.description, None);
}

#[test]
fn hoisted_types_are_named_after_their_owner_and_place() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Pet:
      type: object
      properties:
        owner: {type: object, properties: {name: {type: string}}}
        status: {type: string, enum: [available, sold]}
        tags: {type: array, items: {type: object, properties: {label: {type: string}}}}
        extras: {type: object, additionalProperties: {type: object, properties: {n: {type: integer}}}}
        size: {type: integer, minimum: 1}
        kind:
          oneOf:
            - {type: object, properties: {a: {type: string}}}
            - {type: object, properties: {b: {type: string}}}
",
    );
    let pet = "/components/schemas/Pet/properties";
    let name_at = |origin: String| at(&api, &origin).1.name.clone();
    assert_eq!(name_at(format!("{pet}/owner")), "PetOwner");
    assert_eq!(name_at(format!("{pet}/status")), "PetStatus");
    assert_eq!(name_at(format!("{pet}/tags/items")), "PetTagsItem");
    assert_eq!(
        name_at(format!("{pet}/extras/additionalProperties")),
        "PetExtrasValue"
    );
    assert_eq!(name_at(format!("{pet}/size")), "PetSize");
    assert_eq!(name_at(format!("{pet}/kind")), "PetKind");
    assert_eq!(name_at(format!("{pet}/kind/oneOf/0")), "PetKindVariant0");
    assert_eq!(name_at(format!("{pet}/kind/oneOf/1")), "PetKindVariant1");
    let (_, pet) = at(&api, "/components/schemas/Pet");
    let (owner, _) = named(&api, "PetOwner");
    assert_eq!(field(pet, "owner").ty, Ty::Named(owner));
    let (item, _) = named(&api, "PetTagsItem");
    assert_eq!(field(pet, "tags").ty, Ty::List(Box::new(Ty::Named(item))));
}

#[test]
fn hoisted_types_of_operations_are_named_after_the_operation() {
    let (api, _) = lowered(
        "
paths:
  /pets:
    post:
      operationId: createPet
      parameters:
        - {name: mode, in: query, schema: {type: string, enum: [fast, safe]}}
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
      responses:
        '201':
          description: created
          headers:
            X-Rate: {schema: {type: integer, maximum: 100}}
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
",
    );
    let create = "/paths/~1pets/post";
    let name_at = |origin: String| at(&api, &origin).1.name.clone();
    assert_eq!(
        name_at(format!("{create}/parameters/0/schema")),
        "CreatePetMode"
    );
    assert_eq!(
        name_at(format!(
            "{create}/requestBody/content/application~1json/schema"
        )),
        "CreatePetBody"
    );
    assert_eq!(
        name_at(format!(
            "{create}/responses/201/content/application~1json/schema"
        )),
        "CreatePetCreatedBody"
    );
    assert_eq!(
        name_at(format!("{create}/responses/201/headers/X-Rate/schema")),
        "CreatePetCreatedXRate"
    );
}

#[test]
fn a_hoisted_name_taken_by_a_component_gets_a_suffix() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Pet:
      type: object
      properties:
        owner: {type: object, properties: {name: {type: string}}}
    PetOwner: {type: string}
",
    );
    // Components are named first: the spec chose their names.
    assert_eq!(at(&api, "/components/schemas/PetOwner").1.name, "PetOwner");
    assert_eq!(
        at(&api, "/components/schemas/Pet/properties/owner").1.name,
        "PetOwner2"
    );
}

#[test]
fn references_are_decoded_and_reach_one_type_per_schema() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    a/b: {type: object, properties: {x: {type: string}}}
    c~d: {type: object, properties: {x: {type: integer}}}
    '{id}': {type: object, properties: {x: {type: boolean}}}
    Uses:
      type: object
      properties:
        slash: {$ref: '#/components/schemas/a~1b'}
        tilde: {$ref: '#/components/schemas/c~0d'}
        braces: {$ref: '#/components/schemas/%7Bid%7D'}
        inner: {$ref: '#/components/schemas/Deep/properties/owner'}
    Deep:
      type: object
      properties:
        owner: {type: object, properties: {name: {type: string}}}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let (_, uses) = at(&api, "/components/schemas/Uses");
    let (slash, _) = at(&api, "/components/schemas/a~1b");
    let (tilde, _) = at(&api, "/components/schemas/c~0d");
    let (braces, _) = at(&api, "/components/schemas/{id}");
    assert_eq!(field(uses, "slash").ty, Ty::Named(slash));
    assert_eq!(field(uses, "tilde").ty, Ty::Named(tilde));
    assert_eq!(field(uses, "braces").ty, Ty::Named(braces));
    // A reference into another schema and that schema's own use meet at
    // one type (`at` checks there is one), named from the reference.
    let (owner, def) = at(&api, "/components/schemas/Deep/properties/owner");
    assert_eq!(field(uses, "inner").ty, Ty::Named(owner));
    assert_eq!(def.name, "Owner");
    let (_, deep) = at(&api, "/components/schemas/Deep");
    assert_eq!(field(deep, "owner").ty, Ty::Named(owner));
}

#[test]
fn a_reference_to_nothing_is_an_error_and_to_a_non_schema_a_warning() {
    let yaml = "
paths:
  /a:
    get:
      operationId: a
      responses: {'204': {description: ok}}
components:
  schemas:
    Uses:
      type: object
      properties:
        gone: {$ref: '#/components/schemas/Gone'}
        odd: {$ref: '#/paths/~1a/get/operationId'}
";
    let errors = super::lowering_errors(yaml);
    let gone = one_at(&errors, "/components/schemas/Uses/properties/gone");
    assert!(gone.is_error());
    assert_eq!(
        gone.message,
        "`$ref: #/components/schemas/Gone` does not point at a schema"
    );
    let odd = one_at(&errors, "/components/schemas/Uses/properties/odd");
    assert!(!odd.is_error());
    assert!(
        odd.message
            .ends_with("points at something that is not a schema; taken as any JSON value"),
        "{odd}"
    );
}

#[test]
fn all_of_merges_the_properties_of_every_part() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Base:
      type: object
      required: [id]
      properties:
        id: {type: integer}
        name: {type: integer}
    Pet:
      allOf:
        - {$ref: '#/components/schemas/Base'}
        - type: object
          required: [name]
          properties:
            name: {type: string}
            owner: {type: object, properties: {n: {type: string}}}
",
    );
    let (_, pet) = at(&api, "/components/schemas/Pet");
    let TypeKind::Struct(s) = &pet.kind else {
        panic!("{:?}", pet.kind)
    };
    let fields: Vec<(&str, bool)> = s
        .fields
        .iter()
        .map(|f| (f.wire.as_str(), f.required))
        .collect();
    // A later part's property replaces an earlier one of the same name.
    assert_eq!(fields, [("id", true), ("name", true), ("owner", false)]);
    assert_eq!(field(pet, "name").ty, Ty::Prim(Prim::String));
    // An inline type is lowered where it is written.
    let (owner, _) = at(&api, "/components/schemas/Pet/allOf/1/properties/owner");
    assert_eq!(field(pet, "owner").ty, Ty::Named(owner));
}

#[test]
fn all_of_a_non_object_is_any_value_with_a_warning() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Odd:
      allOf:
        - {type: object, properties: {a: {type: string}}}
        - {type: string}
",
    );
    assert!(matches!(
        at(&api, "/components/schemas/Odd").1.kind,
        TypeKind::Alias(Ty::Any)
    ));
    let d = one_at(&warnings, "/components/schemas/Odd/allOf/1");
    assert_eq!(
        d.message,
        "`allOf` of a schema that is not an object; the type is any JSON value"
    );
}

#[test]
fn defaults_that_fit_are_kept_and_others_are_dropped_with_a_warning() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Query:
      type: object
      properties:
        limit: {type: integer, default: 10}
        order: {type: string, enum: [asc, desc], default: desc}
        name: {type: string, maxLength: 3, default: long}
        ratio: {type: number, default: nope}
",
    );
    let (_, query) = at(&api, "/components/schemas/Query");
    assert_eq!(field(query, "limit").default, Some(Literal::Int(10)));
    let (order, _) = at(&api, "/components/schemas/Query/properties/order");
    assert_eq!(
        field(query, "order").default,
        Some(Literal::Variant(order, 1))
    );
    assert_eq!(field(query, "name").default, None);
    assert_eq!(field(query, "ratio").default, None);
    let d = one_at(&warnings, "/components/schemas/Query/properties/name");
    assert_eq!(d.message, "default `\"long\"` is not applied");
    one_at(&warnings, "/components/schemas/Query/properties/ratio");
    assert_eq!(warnings.len(), 2, "{warnings}");
}

#[test]
fn untagged_variants_are_tried_most_specific_first() {
    let (api, _) = lowered(
        "
paths:
  /a:
    get:
      operationId: a
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                anyOf:
                  - {type: string}
                  - {type: number}
                  - {type: array, items: {type: string}}
                  - {type: object, required: [a], properties: {a: {type: string}}}
                  - {type: object, required: [a, b], properties: {a: {type: string}, b: {type: string}}}
",
    );
    let body = &op(&api, "a").responses[0].bodies[0].ty;
    let Ty::Named(id) = body else {
        panic!("{body:?}")
    };
    let TypeKind::Union(u) = &api.ty(*id).kind else {
        panic!("not a union")
    };
    assert_eq!(u.tag, None);
    let order: Vec<&str> = u.variants.iter().map(|v| v.name.as_str()).collect();
    // Structs first, more required fields before fewer; strings last.
    assert_eq!(
        order,
        [
            "AOkBodyVariant4",
            "AOkBodyVariant3",
            "Array",
            "Number",
            "String"
        ]
    );
}

/// The type of the property `wire` of the component `Holder`.
fn property_ty(yaml_properties: &str, wire: &str) -> (crate::ir::Api, Ty) {
    let (api, _) = lowered(&format!(
        "components:\n  schemas:\n    Holder:\n      type: object\n      properties: {yaml_properties}\n"
    ));
    let ty = field(at(&api, "/components/schemas/Holder").1, wire)
        .ty
        .clone();
    (api, ty)
}

#[test]
fn string_formats_become_their_types() {
    let cases = [
        ("{type: string, format: date-time}", Prim::DateTime),
        ("{type: string, format: date}", Prim::Date),
        ("{type: string, format: uuid}", Prim::Uuid),
        ("{type: string, format: byte}", Prim::Base64),
        ("{type: string, format: email}", Prim::String),
        ("{type: integer, format: int32}", Prim::I32),
        ("{type: integer}", Prim::I64),
        ("{type: number, format: float}", Prim::F32),
        ("{type: number}", Prim::F64),
        ("{type: boolean}", Prim::Bool),
    ];
    for (schema, prim) in cases {
        let (_, ty) = property_ty(&format!("{{p: {schema}}}"), "p");
        assert_eq!(ty, Ty::Prim(prim), "{schema}");
    }
    let (_, ty) = property_ty("{p: {type: object}}", "p");
    assert_eq!(ty, Ty::Map(Box::new(Ty::Any)));
    let (_, ty) = property_ty("{p: {type: array}}", "p");
    assert_eq!(ty, Ty::List(Box::new(Ty::Any)));
    let (_, ty) = property_ty("{p: {}}", "p");
    assert_eq!(ty, Ty::Any);
}

#[test]
fn a_nullable_component_is_optional_where_it_is_used() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Name: {type: string, nullable: true, maxLength: 9}
    Holder:
      type: object
      required: [name]
      properties:
        name: {$ref: '#/components/schemas/Name'}
        note: {type: string, nullable: true}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let (name, _) = at(&api, "/components/schemas/Name");
    let (_, holder) = at(&api, "/components/schemas/Holder");
    assert_eq!(
        field(holder, "name").ty,
        Ty::Nullable(Box::new(Ty::Named(name)))
    );
    assert_eq!(
        field(holder, "note").ty,
        Ty::Nullable(Box::new(Ty::Prim(Prim::String)))
    );
}

#[test]
fn enums_keep_each_value_once_and_leave_unknown_free() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Status: {type: string, enum: [on, 'off', on, Unknown, '+1', '']}
    Level: {type: integer, enum: [1, -2]}
",
    );
    let variants = |origin: &str| match &at(&api, origin).1.kind {
        TypeKind::Enum(e) => (
            e.integer,
            e.variants
                .iter()
                .map(|v| (v.name.clone(), v.wire.clone()))
                .collect::<Vec<_>>(),
        ),
        other => panic!("{other:?}"),
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(n, w)| ((*n).to_owned(), (*w).to_owned()))
            .collect()
    };
    // `Unknown` is the variant for values the spec does not list.
    assert_eq!(
        variants("/components/schemas/Status"),
        (
            false,
            pairs(&[
                ("On", "on"),
                ("Off", "off"),
                ("Unknown2", "Unknown"),
                ("Plus1", "+1"),
                ("Empty", ""),
            ])
        )
    );
    assert_eq!(
        variants("/components/schemas/Level"),
        (true, pairs(&[("V1", "1"), ("Minus2", "-2")]))
    );
}

#[test]
fn validation_keywords_make_a_constrained_type_of_what_applies() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Code: {type: string, minLength: 2, maxLength: 4, pattern: '^[A-Z]+$'}
    Day: {type: string, format: date, maxLength: 10}
    Even: {type: integer, minimum: 0, exclusiveMaximum: true, maximum: 100, multipleOf: 2}
    Free: {type: string, minLength: 0}
    Tags: {type: array, items: {type: string}, minItems: 1, uniqueItems: true}
    Look: {type: string, pattern: '(?=a)b'}
",
    );
    let kind = |schema: &str| {
        at(&api, &format!("/components/schemas/{schema}"))
            .1
            .kind
            .clone()
    };
    let TypeKind::Constrained(Ty::Prim(Prim::String), code) = kind("Code") else {
        panic!("{:?}", kind("Code"))
    };
    assert_eq!((code.min_length, code.max_length), (Some(2), Some(4)));
    assert_eq!(code.pattern.as_deref(), Some("^[A-Z]+$"));
    // A length of a date is not a rule of Rust's date type.
    assert!(matches!(kind("Day"), TypeKind::Alias(Ty::Prim(Prim::Date))));
    let TypeKind::Constrained(Ty::Prim(Prim::I64), even) = kind("Even") else {
        panic!("{:?}", kind("Even"))
    };
    assert_eq!(
        (even.minimum, even.maximum, even.multiple_of),
        (
            Some(crate::ir::Bound {
                value: 0.0,
                exclusive: false
            }),
            Some(crate::ir::Bound {
                value: 100.0,
                exclusive: true
            }),
            Some(2.0)
        )
    );
    // Keywords that allow everything are no rule.
    assert!(matches!(
        kind("Free"),
        TypeKind::Alias(Ty::Prim(Prim::String))
    ));
    let TypeKind::Constrained(Ty::List(_), tags) = kind("Tags") else {
        panic!("{:?}", kind("Tags"))
    };
    assert_eq!((tags.min_items, tags.unique_items), (Some(1), true));
    // A pattern the `regex` crate cannot run is left out, with a warning.
    assert!(matches!(
        kind("Look"),
        TypeKind::Alias(Ty::Prim(Prim::String))
    ));
    let d = one_at(&warnings, "/components/schemas/Look/pattern");
    assert!(
        d.message.starts_with("pattern `(?=a)b` is not checked: "),
        "{d}"
    );
    assert_eq!(warnings.len(), 1, "{warnings}");
}

#[test]
fn a_discriminator_tags_variants_by_mapping_or_schema_name() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Cat: {type: object, properties: {kind: {type: string}}}
    Dog: {type: object, properties: {kind: {type: string}}}
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator:
        propertyName: kind
        mapping: {kitty: '#/components/schemas/Cat', puss: Cat}
    Inline:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {type: object, properties: {kind: {type: string}}}]
      discriminator: {propertyName: kind}
",
    );
    let TypeKind::Union(pet) = &at(&api, "/components/schemas/Pet").1.kind else {
        panic!("not a union")
    };
    assert_eq!(pet.tag.as_deref(), Some("kind"));
    let tags: Vec<(&str, Vec<&str>)> = pet
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.tags.iter().map(String::as_str).collect()))
        .collect();
    // Mapped values (by pointer or by name), else the schema's name.
    assert_eq!(tags, [("Cat", vec!["kitty", "puss"]), ("Dog", vec!["Dog"])]);
    // Inline variants have no name to be told by: told apart by shape.
    let TypeKind::Union(inline) = &at(&api, "/components/schemas/Inline").1.kind else {
        panic!("not a union")
    };
    assert_eq!(inline.tag, None);
    let d = one_at(&warnings, "/components/schemas/Inline/oneOf");
    assert_eq!(
        d.message,
        "discriminator with inline variants; values are told apart by shape instead"
    );
}

#[test]
fn schemas_nested_beyond_the_limit_are_any_value_with_a_warning() {
    // A chain of 80 schemas, each the items of the one before, through
    // references outside `components/schemas` (so that each is made
    // inside the one before).
    let mut chain = String::new();
    for i in 0..80 {
        chain.push_str(&format!(
            "  - {{type: array, items: {{$ref: '#/x-chain/{}'}}}}\n",
            i + 1
        ));
    }
    chain.push_str("  - {type: string}\n");
    let (api, warnings) = lowered(&format!(
        "components:\n  schemas:\n    Holder: {{type: object, properties: {{deep: {{$ref: '#/x-chain/0'}}}}}}\nx-chain:\n{chain}"
    ));
    // Somewhere down the chain, the type is `Value`, and a warning says so.
    let any = api
        .types
        .iter()
        .find(|t| matches!(t.kind, TypeKind::Alias(Ty::Any)))
        .unwrap_or_else(|| panic!("no type is any value"));
    let d = one_at(&warnings, &any.origin);
    assert_eq!(
        d.message,
        "schema nested too deeply; taken as any JSON value"
    );
    assert_eq!(warnings.len(), 1, "{warnings}");
}

#[test]
fn a_discriminator_value_names_one_variant_and_a_variant_is_listed_once() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Any: {type: object, properties: {type: {type: string}}}
    Box:
      type: object
      properties:
        Any: {type: object, properties: {type: {type: string}, size: {type: integer}}}
    Created: {type: object, properties: {type: {type: string}}}
    Event:
      oneOf:
        - {$ref: '#/components/schemas/Any'}
        - {$ref: '#/components/schemas/Any'}
        - {$ref: '#/components/schemas/Box/properties/Any'}
        - {$ref: '#/components/schemas/Created'}
      discriminator:
        propertyName: type
        mapping:
          any: Any
          custom: Any
          created: '#/components/schemas/Created'
",
    );
    let TypeKind::Union(event) = &at(&api, "/components/schemas/Event").1.kind else {
        panic!("not a union")
    };
    let tags: Vec<(&str, Vec<&str>)> = event
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.tags.iter().map(String::as_str).collect()))
        .collect();
    // The second `Any` (by name) is named by what the first claimed.
    assert_eq!(
        tags,
        [("Any", vec!["any", "custom"]), ("Created", vec!["created"])]
    );
    assert!(
        one_at(&warnings, "/components/schemas/Event/oneOf/1")
            .message
            .contains("listed twice")
    );
    assert!(
        one_at(&warnings, "/components/schemas/Event/oneOf/2")
            .message
            .contains("names an earlier one")
    );
}
