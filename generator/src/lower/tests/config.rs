//! What a configuration asks of `load` and `lower`: selections, names,
//! types, features per tag, and the settings that name nothing.

use std::path::Path;

use super::{HEAD, at, field, named, op};
use crate::config::{self, Config};
use crate::diag::{Diagnostics, Severity};
use crate::ir::{self, Prim, Ty};

/// Loads and lowers `HEAD` + `yaml` with the configuration `toml`.
pub(super) fn configured(yaml: &str, toml: &str) -> Result<(ir::Api, Diagnostics), Diagnostics> {
    let mut config = Config::default();
    config::parse("uniapi.toml", toml, &mut config).expect("the configuration reads");
    let text = format!("{HEAD}{yaml}");
    let loaded =
        crate::load::load_str_selected("spec.yaml", text, Path::new("spec.yaml"), &config.select)?;
    crate::lower::lower_with(&loaded, &config)
}

const SHOP: &str = "
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
  /pets/{id}:
    delete:
      operationId: deletePet
      tags: [pets]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: gone}}
  /orders:
    post:
      operationId: order
      tags: [store, pets]
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Order'}
      responses: {'204': {description: ok}}
  /health:
    get:
      operationId: health
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Health'}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string}
        born: {type: string, format: date-time}
        status: {type: string, enum: [available, on-hold]}
    Order:
      type: object
      properties:
        pet: {$ref: '#/components/schemas/Pet'}
        total: {type: number}
    Health:
      type: object
      properties:
        id: {type: string, format: uuid}
    Unused:
      type: object
      properties:
        order: {$ref: '#/components/schemas/Order'}
";

fn names(api: &ir::Api) -> Vec<&str> {
    api.types.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn a_selection_keeps_its_operations_and_the_types_they_reach() {
    let (api, _) = configured(SHOP, "[select]\ntags = ['store']\n").expect("lowers");
    let ops: Vec<&str> = api.operations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(ops, ["order"]);
    assert!(names(&api).contains(&"Order") && names(&api).contains(&"Pet"));
    assert!(!names(&api).contains(&"Health") && !names(&api).contains(&"Unused"));
    // The served document is the subset too.
    assert!(!api.document.contains("Unused") && !api.document.contains("/health"));

    let (api, _) = configured(
        SHOP,
        "[select]\ntags = ['pets']\npaths = ['/health']\nexclude-operations = ['deletePet']\n",
    )
    .expect("lowers");
    let ops: Vec<&str> = api.operations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(ops, ["list_pets", "order", "health"]);
}

#[test]
fn selection_rules_that_match_nothing_are_errors_in_the_configuration() {
    let errors = configured(
        SHOP,
        "[select]\ntags = ['pets', 'toys']\n\nexclude-paths = ['/nowhere/**']\noperations = ['nope']\n",
    )
    .expect_err("errors");
    let found: Vec<(String, Option<usize>, String)> = errors
        .iter()
        .map(|d| (d.pointer.clone(), d.line, d.message.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "/select/tags/1".into(),
                Some(2),
                "no operation has the tag `toys`".into()
            ),
            (
                "/select/operations/0".into(),
                Some(5),
                "no operation has the operationId `nope`".into()
            ),
            (
                "/select/exclude-paths/0".into(),
                Some(4),
                "the path pattern `/nowhere/**` matches no operation's path".into()
            ),
        ]
    );
    assert!(errors.iter().all(|d| d.file == "uniapi.toml"));
    let none = configured(
        SHOP,
        "[select]\nexclude-tags = ['pets']\nexclude-paths = ['/health']\n",
    )
    .expect_err("nothing left");
    assert!(none.0[0].message.contains("leaves no operation"), "{none}");
}

#[test]
fn names_come_from_the_configuration_then_the_spec() {
    let spec = SHOP
        .replace(
            "operationId: health",
            "operationId: health\n      x-rust-name: ping",
        )
        .replace(
            "    Health:\n      type: object",
            "    Health:\n      type: object\n      x-rust-name: Status",
        )
        .replace(
            "status: {type: string, enum: [available, on-hold]}",
            "status: {type: string, enum: [available, on-hold], x-enum-varnames: [Free, Held]}",
        );
    let (api, _) = configured(
        &spec,
        "[names.types]\nPet = 'Animal'\n[names.operations]\nlistPets = 'all_animals'\n\
         [names.fields]\n'Pet.name' = 'title'\n[names.variants]\n'#/components/schemas/Pet/properties/status.available' = 'InStock'\n",
    )
    .expect("lowers");
    let (_, pet) = at(&api, "/components/schemas/Pet");
    assert_eq!(pet.name, "Animal");
    assert_eq!(field(pet, "name").name, "title");
    assert_eq!(op(&api, "listPets").name, "all_animals");
    assert_eq!(op(&api, "health").name, "ping");
    named(&api, "Status");
    let (_, status) = at(&api, "/components/schemas/Pet/properties/status");
    let ir::TypeKind::Enum(e) = &status.kind else {
        panic!("an enum")
    };
    let variants: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(variants, ["InStock", "Held"]);
}

#[test]
fn settings_that_name_nothing_are_errors_or_with_a_selection_warnings() {
    let toml = "[names.types]\nPett = 'Animal'\n[types.replace]\nOwner = 'crate::Owner'\n[types.derives]\nPets = ['Hash']\n";
    let errors = configured(SHOP, toml).expect_err("errors");
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "no schema `Owner` in the spec",
            "no schema `Pets` in the spec",
            "no schema `Pett` in the spec"
        ]
    );
    assert_eq!(errors.0[0].line, Some(4));
    let (_, warnings) =
        configured(SHOP, &format!("[select]\ntags = ['store']\n{toml}")).expect("lowers");
    assert_eq!(
        warnings
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count(),
        3
    );
}

#[test]
fn formats_map_to_the_chosen_types() {
    let (api, _) =
        configured(SHOP, "[types]\ndate-time = 'string'\nuuid = 'string'\n").expect("lowers");
    let (_, pet) = at(&api, "/components/schemas/Pet");
    assert_eq!(field(pet, "born").ty, Ty::Prim(Prim::String));
    let (_, health) = at(&api, "/components/schemas/Health");
    assert_eq!(field(health, "id").ty, Ty::Prim(Prim::String));
    let (api, _) = configured(SHOP, "[types]\ndate-time = 'jiff'\n").expect("lowers");
    assert_eq!(api.times.date_time, config::TimeCrate::Jiff);
    let (_, pet) = at(&api, "/components/schemas/Pet");
    assert_eq!(field(pet, "born").ty, Ty::Prim(Prim::DateTime));
}

#[test]
fn derives_for_all_go_where_every_field_has_them() {
    let (api, _) = configured(
        SHOP,
        "[types.derives]\n'*' = ['Hash', 'schemars::JsonSchema']\nOrder = ['PartialOrd']\n\
         [types.attributes]\nOrder = ['#[non_exhaustive]']\n[types.replace]\nHealth = 'my::Health'\n",
    )
    .expect("lowers");
    let (_, pet) = at(&api, "/components/schemas/Pet");
    assert_eq!(pet.derives, ["Hash", "schemars::JsonSchema"]);
    // A float has no `Hash`, so neither has what holds one.
    let (_, order) = at(&api, "/components/schemas/Order");
    assert_eq!(order.derives, ["schemars::JsonSchema", "PartialOrd"]);
    assert_eq!(order.attributes, ["#[non_exhaustive]"]);
    // The user's type takes no derives of ours, and holds none of them
    // back from what holds it (`Unused` holds an `Order`).
    let (_, health) = at(&api, "/components/schemas/Health");
    assert_eq!(health.replaced.as_deref(), Some("my::Health"));
    assert!(health.derives.is_empty());
}

#[test]
fn features_per_tag_gate_operations_and_the_types_they_reach() {
    let (api, _) = configured(SHOP, "[features]\nper-tag = true\n").expect("lowers");
    let features: Vec<&str> = api.features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(features, ["pets", "store", "unused-schemas"]);
    let gate = |origin: &str| at(&api, origin).1.gate.0.clone();
    assert_eq!(op(&api, "listPets").gate.0, [0]);
    assert_eq!(op(&api, "order").gate.0, [0, 1]);
    assert!(op(&api, "health").gate.is_open());
    assert_eq!(gate("/components/schemas/Pet"), [0, 1]);
    assert_eq!(gate("/components/schemas/Order"), [0, 1]);
    assert!(gate("/components/schemas/Health").is_empty());
    assert_eq!(gate("/components/schemas/Unused"), [2]);
}

#[test]
fn rust_text_of_a_config_made_by_hand_is_checked_too() {
    let mut config = Config::default();
    config.types.replace.push(config::Set {
        value: config::Replace {
            schema: "Pet".into(),
            with: "not a type <".into(),
        },
        origin: config::Origin::builder("/types/replace/Pet".into()),
    });
    let text = format!("{HEAD}{SHOP}");
    let loaded = crate::load::load_str("spec.yaml", text, Path::new("spec.yaml")).expect("loads");
    let errors = crate::lower::lower_with(&loaded, &config).expect_err("refused");
    assert!(
        errors.0[0].message.contains("is not a Rust type"),
        "{errors}"
    );
}
