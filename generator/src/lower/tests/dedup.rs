//! `lower/dedup.rs`: identical hoisted types merge into the first copy in
//! document order; the others become aliases of it, and every use points
//! at it. Types are found by the schema they came from, not by name.

use super::{at, field, lowered, op};
use crate::ir::{Literal, Ty, TypeId, TypeKind};

/// Whether the type at `origin` is an alias of `target` (a merged copy).
fn alias_of(api: &crate::ir::Api, origin: &str, target: TypeId) -> bool {
    matches!(at(api, origin).1.kind, TypeKind::Alias(Ty::Named(t)) if t == target)
}

fn is_struct(api: &crate::ir::Api, origin: &str) -> bool {
    matches!(at(api, origin).1.kind, TypeKind::Struct(_))
}

const A_BODY: &str = "/paths/~1a/get/responses/200/content/application~1json/schema";
const B_BODY: &str = "/paths/~1b/get/responses/200/content/application~1json/schema";

#[test]
fn identical_inline_bodies_merge_into_the_first() {
    let body = "{description: ok, content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}}}}";
    let (api, _) = lowered(&format!(
        "
paths:
  /a: {{get: {{operationId: a, responses: {{'200': {body}}}}}}}
  /b: {{get: {{operationId: b, responses: {{'200': {body}}}}}}}
"
    ));
    let (first, _) = at(&api, A_BODY);
    assert!(is_struct(&api, A_BODY));
    assert!(alias_of(&api, B_BODY, first));
    // The operation's use points at the first copy, not at the alias.
    assert_eq!(op(&api, "b").responses[0].bodies[0].ty, Ty::Named(first));
}

#[test]
fn component_schemas_are_never_merged() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Cat: {type: object, properties: {name: {type: string}}}
    Dog: {type: object, properties: {name: {type: string}}}
",
    );
    assert!(is_struct(&api, "/components/schemas/Cat"));
    assert!(is_struct(&api, "/components/schemas/Dog"));
}

#[test]
fn nested_copies_merge_from_the_leaves_up() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Cat:
      type: object
      properties:
        owner: {type: object, properties: {name: {type: string}, address: {type: object, properties: {city: {type: string}}}}}
    Dog:
      type: object
      properties:
        owner: {type: object, properties: {name: {type: string}, address: {type: object, properties: {city: {type: string}}}}}
",
    );
    let cat_owner = "/components/schemas/Cat/properties/owner";
    let dog_owner = "/components/schemas/Dog/properties/owner";
    let (owner, _) = at(&api, cat_owner);
    let (address, _) = at(&api, &format!("{cat_owner}/properties/address"));
    assert!(alias_of(&api, dog_owner, owner));
    assert!(alias_of(
        &api,
        &format!("{dog_owner}/properties/address"),
        address
    ));
    // The first owner's field is the first address; the dog's field is the
    // first owner.
    assert_eq!(
        field(at(&api, cat_owner).1, "address").ty,
        Ty::Named(address)
    );
    let (_, dog) = at(&api, "/components/schemas/Dog");
    assert_eq!(field(dog, "owner").ty, Ty::Named(owner));
}

#[test]
fn copies_that_differ_in_docs_or_rules_stay_apart() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Cat:
      type: object
      properties:
        a: {type: object, properties: {id: {type: integer}}}
        b: {type: object, description: other, properties: {id: {type: integer}}}
        c: {type: object, properties: {id: {type: integer, format: int32}}}
        d: {type: object, required: [id], properties: {id: {type: integer}}}
",
    );
    for property in ["a", "b", "c", "d"] {
        let origin = format!("/components/schemas/Cat/properties/{property}");
        assert!(is_struct(&api, &origin), "{property}");
    }
}

#[test]
fn the_first_copy_in_document_order_stays_whatever_the_graph_order() {
    // The walk meets `Gamma`'s copy first (it starts from `Alpha`, which
    // leads there); `Beta`'s copy comes first in the document.
    let (api, _) = lowered(
        "
components:
  schemas:
    Alpha: {type: object, properties: {g: {$ref: '#/components/schemas/Gamma'}}}
    Beta: {type: object, properties: {x: {type: object, properties: {id: {type: string}}}}}
    Gamma: {type: object, properties: {y: {type: object, properties: {id: {type: string}}}}}
",
    );
    let beta_x = "/components/schemas/Beta/properties/x";
    let gamma_y = "/components/schemas/Gamma/properties/y";
    let (first, _) = at(&api, beta_x);
    assert!(is_struct(&api, beta_x));
    assert!(alias_of(&api, gamma_y, first));
    // The alias keeps its own name, so code that names it compiles.
    assert_eq!(at(&api, gamma_y).1.name, "GammaY");
}

#[test]
fn copies_on_a_cycle_are_left_as_they_are() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Node:
      type: object
      properties:
        left: {type: object, properties: {node: {$ref: '#/components/schemas/Node'}}}
        right: {type: object, properties: {node: {$ref: '#/components/schemas/Node'}}}
",
    );
    for side in ["left", "right"] {
        let origin = format!("/components/schemas/Node/properties/{side}");
        assert!(is_struct(&api, &origin), "{side}");
        assert!(field(at(&api, &origin).1, "node").boxed, "{side}");
    }
}

#[test]
fn parameters_and_their_defaults_point_at_the_first_copy() {
    let param = "{name: sort, in: query, schema: {type: string, enum: [asc, desc], default: desc}}";
    let (api, _) = lowered(&format!(
        "
paths:
  /a: {{get: {{operationId: a, parameters: [{param}], responses: {{'204': {{description: ok}}}}}}}}
  /b: {{get: {{operationId: b, parameters: [{param}], responses: {{'204': {{description: ok}}}}}}}}
"
    ));
    let (first, _) = at(&api, "/paths/~1a/get/parameters/0/schema");
    assert!(alias_of(&api, "/paths/~1b/get/parameters/0/schema", first));
    let sort = &op(&api, "b").params[0];
    assert_eq!(sort.ty, Ty::Named(first));
    assert_eq!(sort.default, Some(Literal::Variant(first, 1)));
}
