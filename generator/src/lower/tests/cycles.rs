//! `lower/cycles.rs`: exactly the fields and variants on a cycle are boxed;
//! aliases on an alias cycle become newtypes; a required field that leads
//! back to its own type becomes optional, with a warning.

use super::{at, field, lowered};
use crate::ir::{Ty, TypeKind};

/// The fields of the struct at `origin` that are boxed, by wire name.
fn boxed(api: &crate::ir::Api, origin: &str) -> Vec<String> {
    let (_, def) = at(api, origin);
    let TypeKind::Struct(s) = &def.kind else {
        panic!("{} is not a struct", def.name);
    };
    s.fields
        .iter()
        .filter(|f| f.boxed)
        .map(|f| f.wire.clone())
        .collect()
}

#[test]
fn a_self_reference_is_boxed_and_collections_of_it_are_not() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Node:
      type: object
      properties:
        name: {type: string}
        next: {$ref: '#/components/schemas/Node'}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        byName: {type: object, additionalProperties: {$ref: '#/components/schemas/Node'}}
        meta: {$ref: '#/components/schemas/Meta'}
    Meta:
      type: object
      properties:
        owner: {$ref: '#/components/schemas/Node'}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    // `meta` → Meta → `owner` → Node is a cycle too.
    assert_eq!(boxed(&api, "/components/schemas/Node"), ["next", "meta"]);
    assert_eq!(boxed(&api, "/components/schemas/Meta"), ["owner"]);
}

#[test]
fn only_the_edges_inside_the_cycle_are_boxed() {
    // A → B → C → A is a cycle; D → A and A → E are not on it.
    let (api, _) = lowered(
        "
components:
  schemas:
    A:
      type: object
      properties:
        b: {$ref: '#/components/schemas/B'}
        e: {$ref: '#/components/schemas/E'}
    B:
      type: object
      properties:
        c: {$ref: '#/components/schemas/C'}
    C:
      type: object
      properties:
        a: {nullable: true, allOf: [{$ref: '#/components/schemas/A'}]}
    D:
      type: object
      properties:
        a: {$ref: '#/components/schemas/A'}
    E:
      type: object
      properties:
        x: {type: string}
",
    );
    assert_eq!(boxed(&api, "/components/schemas/A"), ["b"]);
    assert_eq!(boxed(&api, "/components/schemas/B"), ["c"]);
    // Through `null` too: an `Option<A>` holds an `A`.
    let (_, c) = at(&api, "/components/schemas/C");
    assert!(matches!(field(c, "a").ty, Ty::Nullable(_)));
    assert_eq!(boxed(&api, "/components/schemas/C"), ["a"]);
    assert!(boxed(&api, "/components/schemas/D").is_empty());
    assert!(boxed(&api, "/components/schemas/E").is_empty());
}

#[test]
fn a_union_on_a_cycle_boxes_the_variant_that_leads_back() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Expr:
      oneOf:
        - {$ref: '#/components/schemas/Literal'}
        - {$ref: '#/components/schemas/Negation'}
    Literal:
      type: object
      required: [value]
      properties:
        value: {type: number}
    Negation:
      type: object
      required: [inner]
      properties:
        inner: {$ref: '#/components/schemas/Expr'}
",
    );
    let (_, expr) = at(&api, "/components/schemas/Expr");
    let TypeKind::Union(u) = &expr.kind else {
        panic!("{:?}", expr.kind)
    };
    let boxed: Vec<(&str, bool)> = u
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.boxed))
        .collect();
    assert_eq!(boxed, [("Literal", false), ("Negation", true)]);
    let (_, negation) = at(&api, "/components/schemas/Negation");
    assert!(field(negation, "inner").boxed);
    // A literal ends the recursion: the required field stays required.
    assert!(field(negation, "inner").required);
}

#[test]
fn aliases_on_an_alias_cycle_become_newtypes() {
    let (api, _) = lowered(
        "
components:
  schemas:
    Forest: {$ref: '#/components/schemas/Trees'}
    Trees: {type: array, items: {$ref: '#/components/schemas/Forest'}}
    Wood: {$ref: '#/components/schemas/Forest'}
",
    );
    let (forest, def) = at(&api, "/components/schemas/Forest");
    let (trees, _) = at(&api, "/components/schemas/Trees");
    assert!(
        matches!(&def.kind, TypeKind::Newtype(Ty::Named(t)) if *t == trees),
        "{:?}",
        def.kind
    );
    let (_, def) = at(&api, "/components/schemas/Trees");
    assert!(
        matches!(&def.kind, TypeKind::Newtype(Ty::List(item)) if **item == Ty::Named(forest)),
        "{:?}",
        def.kind
    );
    // An alias that leads into the cycle is not on it.
    let (_, wood) = at(&api, "/components/schemas/Wood");
    assert!(
        matches!(&wood.kind, TypeKind::Alias(Ty::Named(t)) if *t == forest),
        "{:?}",
        wood.kind
    );
}

#[test]
fn a_required_field_that_leads_back_becomes_optional_with_a_warning() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Chain:
      type: object
      required: [name, next]
      properties:
        name: {type: string}
        next: {$ref: '#/components/schemas/Chain'}
",
    );
    let (_, chain) = at(&api, "/components/schemas/Chain");
    assert!(field(chain, "name").required);
    assert!(!field(chain, "next").required);
    assert!(field(chain, "next").boxed);
    let [warning] = &warnings.0[..] else {
        panic!("{warnings}")
    };
    assert_eq!(warning.pointer, "/components/schemas/Chain");
    assert_eq!(
        warning.message,
        "`next` is required but leads back to `Chain`: no finite value has it, so it is optional here"
    );
    assert_eq!(warning.line, Some(6));
}

#[test]
fn every_required_field_into_a_type_without_finite_values_is_relaxed() {
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Egg:
      type: object
      required: [hen]
      properties:
        hen: {$ref: '#/components/schemas/Hen'}
    Hen:
      type: object
      required: [egg]
      properties:
        egg: {$ref: '#/components/schemas/Egg'}
",
    );
    let (_, egg) = at(&api, "/components/schemas/Egg");
    let (_, hen) = at(&api, "/components/schemas/Hen");
    assert!(!field(egg, "hen").required);
    assert!(!field(hen, "egg").required);
    let pointers: Vec<&str> = warnings.iter().map(|d| d.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["/components/schemas/Egg", "/components/schemas/Hen"]
    );
}

#[test]
fn required_fields_that_can_end_stay_required() {
    // A list, `null`, or another variant of a union ends the recursion.
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Tree:
      type: object
      required: [children, parent, either]
      properties:
        children: {type: array, items: {$ref: '#/components/schemas/Tree'}}
        parent: {nullable: true, allOf: [{$ref: '#/components/schemas/Tree'}]}
        either:
          oneOf:
            - {$ref: '#/components/schemas/Tree'}
            - {type: string}
",
    );
    assert!(warnings.is_empty(), "{warnings}");
    let (_, tree) = at(&api, "/components/schemas/Tree");
    for wire in ["children", "parent", "either"] {
        assert!(field(tree, wire).required, "{wire}");
    }
}

#[test]
fn aliases_that_lead_only_to_each_other_are_any_value_with_a_warning() {
    // No schema says what a value is, and no Rust type has such a value:
    // `struct Me(pub Me)` has no size.
    let (api, warnings) = lowered(
        "
components:
  schemas:
    Me: {$ref: '#/components/schemas/Me'}
    Ping: {$ref: '#/components/schemas/Pong'}
    Pong: {$ref: '#/components/schemas/Ping'}
    Pang: {$ref: '#/components/schemas/Ping'}
",
    );
    for schema in ["Me", "Ping", "Pong"] {
        let origin = format!("/components/schemas/{schema}");
        let (_, def) = at(&api, &origin);
        assert!(
            matches!(def.kind, TypeKind::Alias(Ty::Any)),
            "{schema}: {:?}",
            def.kind
        );
        let d = super::one_at(&warnings, &origin);
        assert_eq!(
            d.message,
            format!(
                "`{schema}` is only `$ref`s that lead back to it, with no schema between them; taken as any JSON value"
            )
        );
    }
    // An alias that leads into the loop is an alias of what the loop is.
    let (ping, _) = at(&api, "/components/schemas/Ping");
    let (_, pang) = at(&api, "/components/schemas/Pang");
    assert!(
        matches!(&pang.kind, TypeKind::Alias(Ty::Named(t)) if *t == ping),
        "{:?}",
        pang.kind
    );
    assert_eq!(warnings.len(), 3, "{warnings}");
}
