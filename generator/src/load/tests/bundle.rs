//! Multi-file specs (`load/bundle.rs`), written to a temporary directory:
//! each external target copied once under `components/x-uniapi-external`,
//! chains and cycles across files, YAML and JSON, fragments.

use serde_json::{Value, json};

use super::TempDir;
use crate::diag::{Diagnostics, Severity};
use crate::load::{Loaded, load};

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

/// Loads `root.yaml` of `files` (its text prefixed with [`HEAD`]).
fn bundled(files: &[(&str, &str)]) -> (TempDir, Result<Loaded, Diagnostics>) {
    let files: Vec<(&str, String)> = files
        .iter()
        .map(|(path, text)| {
            let text = if *path == "root.yaml" {
                format!("{HEAD}{text}")
            } else {
                (*text).to_owned()
            };
            (*path, text)
        })
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = TempDir::with(&files);
    let loaded = load(&dir.path("root.yaml"));
    (dir, loaded)
}

fn ok(loaded: Result<Loaded, Diagnostics>) -> Loaded {
    loaded.unwrap_or_else(|d| panic!("the spec does not load:\n{d}"))
}

/// The copies under `components/x-uniapi-external`.
fn external(loaded: &Loaded) -> &serde_json::Map<String, Value> {
    loaded.raw["components"]["x-uniapi-external"]
        .as_object()
        .unwrap_or_else(|| panic!("no copies in {:#}", loaded.raw))
}

/// The names of the files read, after the root.
fn read(loaded: &Loaded, dir: &TempDir) -> Vec<String> {
    assert_eq!(loaded.sources[0], dir.path("root.yaml"));
    loaded.sources[1..]
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path(""))
                .unwrap_or(p)
                .display()
                .to_string()
        })
        .collect()
}

#[test]
fn a_fragment_of_a_json_file_is_copied_once() {
    let (dir, loaded) = bundled(&[
        (
            "root.yaml",
            "
paths:
  /a:
    get:
      responses:
        '400': {description: bad, content: {application/json: {schema: {$ref: 'common.json#/schemas/Error'}}}}
        '500': {description: bad, content: {application/json: {schema: {$ref: './common.json#/schemas/Error'}}}}
",
        ),
        (
            "common.json",
            r#"{"schemas": {"Error": {"type": "object", "properties": {"code": {"type": "integer"}}}}}"#,
        ),
    ]);
    let loaded = ok(loaded);
    assert_eq!(
        external(&loaded).clone(),
        json!({"Error": {"type": "object", "properties": {"code": {"type": "integer"}}}})
            .as_object()
            .cloned()
            .expect("an object")
    );
    let responses = &loaded.raw["paths"]["/a"]["get"]["responses"];
    for status in ["400", "500"] {
        assert_eq!(
            responses[status]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/x-uniapi-external/Error"})
        );
    }
    // Read once, though two references lead to it.
    assert_eq!(read(&loaded, &dir), ["common.json"]);
}

#[test]
fn a_whole_file_is_named_by_its_stem() {
    let (_dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components: {schemas: {Owner: {type: object, properties: {pet: {$ref: 'schemas/pet.yaml'}}}}}",
        ),
        (
            "schemas/pet.yaml",
            "type: object\nproperties: {name: {type: string}}\n",
        ),
    ]);
    let loaded = ok(loaded);
    assert_eq!(
        loaded.raw["components"]["schemas"]["Owner"]["properties"]["pet"],
        json!({"$ref": "#/components/x-uniapi-external/pet"})
    );
    assert_eq!(
        external(&loaded)["pet"],
        json!({"type": "object", "properties": {"name": {"type": "string"}}})
    );
}

#[test]
fn references_in_a_copy_are_read_relative_to_its_file() {
    let (dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components: {schemas: {Pet: {$ref: 'schemas/pet.yaml'}}}",
        ),
        (
            "schemas/pet.yaml",
            "type: object\nproperties:\n  tag: {$ref: 'tag.json'}\n",
        ),
        (
            "schemas/tag.json",
            r#"{"type": "object", "properties": {"id": {"$ref": "../common/ids.yaml#/Id"}}}"#,
        ),
        ("common/ids.yaml", "Id: {type: integer, format: int64}\n"),
    ]);
    let loaded = ok(loaded);
    let copies = external(&loaded);
    assert_eq!(
        copies["pet"]["properties"]["tag"],
        json!({"$ref": "#/components/x-uniapi-external/tag"})
    );
    assert_eq!(
        copies["tag"]["properties"]["id"],
        json!({"$ref": "#/components/x-uniapi-external/Id"})
    );
    assert_eq!(copies["Id"], json!({"type": "integer", "format": "int64"}));
    // Sorted by name, whatever the order of work.
    assert_eq!(copies.keys().collect::<Vec<_>>(), ["Id", "pet", "tag"]);
    assert_eq!(
        read(&loaded, &dir),
        ["schemas/pet.yaml", "schemas/tag.json", "common/ids.yaml"]
    );
}

#[test]
fn a_cycle_across_files_meets_the_copy_already_named() {
    let (dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components: {schemas: {Forest: {type: array, items: {$ref: 'tree.yaml#/Tree'}}}}",
        ),
        (
            "tree.yaml",
            "Tree:\n  type: object\n  properties:\n    root: {$ref: 'node.yaml#/Node'}\n",
        ),
        (
            "node.yaml",
            "Node:\n  type: object\n  properties:\n    children: {type: array, items: {$ref: 'tree.yaml#/Tree'}}\n    parent: {$ref: '#/Node'}\n",
        ),
    ]);
    let loaded = ok(loaded);
    let copies = external(&loaded);
    assert_eq!(copies.len(), 2, "{copies:#?}");
    assert_eq!(
        copies["Tree"]["properties"]["root"],
        json!({"$ref": "#/components/x-uniapi-external/Node"})
    );
    assert_eq!(
        copies["Node"]["properties"]["children"]["items"],
        json!({"$ref": "#/components/x-uniapi-external/Tree"})
    );
    // A local reference inside a copied file is one to that file.
    assert_eq!(
        copies["Node"]["properties"]["parent"],
        json!({"$ref": "#/components/x-uniapi-external/Node"})
    );
    assert_eq!(read(&loaded, &dir), ["tree.yaml", "node.yaml"]);
}

#[test]
fn local_references_of_another_file_bring_their_targets() {
    let (_dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components: {schemas: {Pet: {$ref: 'other.yaml#/Pet'}}}",
        ),
        (
            "other.yaml",
            "Pet: {type: object, properties: {tag: {$ref: '#/Tag'}}}\nTag: {type: string}\nUnused: {type: integer}\n",
        ),
    ]);
    let loaded = ok(loaded);
    let copies = external(&loaded);
    assert_eq!(copies.keys().collect::<Vec<_>>(), ["Pet", "Tag"]);
    assert_eq!(copies["Tag"], json!({"type": "string"}));
}

#[test]
fn references_back_into_the_root_stay_local() {
    let (dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components:\n  schemas:\n    Id: {type: string}\n    Pet: {$ref: 'schemas/pet.yaml'}\n",
        ),
        (
            "schemas/pet.yaml",
            "type: object\nproperties: {id: {$ref: '../root.yaml#/components/schemas/Id'}}\n",
        ),
    ]);
    let loaded = ok(loaded);
    assert_eq!(
        external(&loaded)["pet"]["properties"]["id"],
        json!({"$ref": "#/components/schemas/Id"})
    );
    // The root is not read again.
    assert_eq!(read(&loaded, &dir), ["schemas/pet.yaml"]);
}

#[test]
fn targets_with_one_name_get_distinct_names() {
    let (_dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components: {schemas: {Cat: {$ref: 'cats.yaml#/Pet'}, Dog: {$ref: 'dogs.yaml#/Pet'}}}",
        ),
        ("cats.yaml", "Pet: {type: string, description: a cat}\n"),
        ("dogs.yaml", "Pet: {type: string, description: a dog}\n"),
    ]);
    let loaded = ok(loaded);
    let copies = external(&loaded);
    assert_eq!(copies.keys().collect::<Vec<_>>(), ["Pet", "Pet2"]);
    let copy_of = |schema: &str| {
        let reference = loaded.raw["components"]["schemas"][schema]["$ref"]
            .as_str()
            .expect("a reference");
        let name = reference
            .strip_prefix("#/components/x-uniapi-external/")
            .expect("to a copy");
        copies[name]["description"].clone()
    };
    assert_eq!(copy_of("Cat"), "a cat");
    assert_eq!(copy_of("Dog"), "a dog");
}

#[test]
fn fragments_are_decoded_and_names_escaped_again() {
    let (_dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components:
  schemas:
    Slash: {$ref: 'defs.yaml#/schemas/a~1b'}
    Tilde: {$ref: 'defs.yaml#/schemas/x~0y'}
    Braces: {$ref: 'defs.yaml#/schemas/%7Bid%7D'}
",
        ),
        (
            "defs.yaml",
            "schemas:\n  a/b: {type: string}\n  x~y: {type: integer}\n  '{id}': {type: boolean}\n",
        ),
    ]);
    let loaded = ok(loaded);
    let schemas = &loaded.raw["components"]["schemas"];
    assert_eq!(
        schemas["Slash"]["$ref"],
        "#/components/x-uniapi-external/a~1b"
    );
    assert_eq!(
        schemas["Tilde"]["$ref"],
        "#/components/x-uniapi-external/x~0y"
    );
    assert_eq!(
        schemas["Braces"]["$ref"],
        "#/components/x-uniapi-external/{id}"
    );
    let copies = external(&loaded);
    assert_eq!(copies["a/b"], json!({"type": "string"}));
    assert_eq!(copies["x~y"], json!({"type": "integer"}));
    assert_eq!(copies["{id}"], json!({"type": "boolean"}));
}

#[test]
fn a_referenced_file_is_normalized_too() {
    let (_dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components: {schemas: {Name: {$ref: 'name.yaml'}}}",
        ),
        ("name.yaml", "type: [string, 'null']\nconst: rex\n"),
    ]);
    let loaded = ok(loaded);
    assert_eq!(
        external(&loaded)["name"],
        json!({"type": "string", "nullable": true, "enum": ["rex"]})
    );
}

#[test]
fn examples_are_values_not_references() {
    let (dir, loaded) = bundled(&[(
        "root.yaml",
        "components: {schemas: {Ref: {type: object, example: {$ref: 'elsewhere.yaml'}}}}",
    )]);
    let loaded = ok(loaded);
    assert_eq!(
        loaded.raw["components"]["schemas"]["Ref"]["example"],
        json!({"$ref": "elsewhere.yaml"})
    );
    assert!(loaded.raw["components"].get("x-uniapi-external").is_none());
    assert!(read(&loaded, &dir).is_empty());
}

#[test]
fn a_missing_file_or_fragment_is_an_error_at_the_reference() {
    let (_dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components:
  schemas:
    Gone: {$ref: 'missing.yaml'}
    Nowhere: {$ref: 'defs.yaml#/Nope'}
    Broken: {$ref: 'broken.yaml#/A'}
",
        ),
        ("defs.yaml", "Yes: {type: string}\n"),
        ("broken.yaml", "A: [\n"),
    ]);
    let errors = loaded.expect_err("missing targets do not load");
    let at = |pointer: &str| {
        errors
            .iter()
            .find(|d| d.pointer == pointer)
            .unwrap_or_else(|| panic!("nothing at {pointer}:\n{errors}"))
    };
    let gone = at("/components/schemas/Gone/$ref");
    assert_eq!(gone.severity, Severity::Error);
    assert!(
        gone.message
            .starts_with("`$ref: missing.yaml`: cannot read "),
        "{gone}"
    );
    assert!(
        gone.hint
            .as_deref()
            .unwrap_or("")
            .contains("relative to the file")
    );
    assert!(gone.file.ends_with("root.yaml"), "{gone}");
    assert_eq!(gone.line, Some(5));
    let nowhere = at("/components/schemas/Nowhere/$ref");
    assert!(
        nowhere
            .message
            .starts_with("`$ref: defs.yaml#/Nope`: `#/Nope` is not in "),
        "{nowhere}"
    );
    let broken = at("/components/schemas/Broken/$ref");
    assert!(broken.message.contains("invalid YAML"), "{broken}");
    assert_eq!(errors.len(), 3, "{errors}");
}

#[test]
fn an_error_in_a_referenced_file_is_located_in_that_file() {
    let (_dir, loaded) = bundled(&[
        (
            "root.yaml",
            "components:\n  schemas:\n    Pet: {$ref: 'schemas/pets.yaml#/Pet'}\n    Tag: {$ref: 'tag.yaml'}\n",
        ),
        (
            "schemas/pets.yaml",
            "Cat: {type: string}\nPet:\n  type: object\n  properties:\n    name: {type: string}\n    tag: {$ref: 'tag.yaml'}\n",
        ),
        (
            "tag.yaml",
            "type: object\nproperties:\n  label: {$ref: 'label.json'}\n",
        ),
    ]);
    let errors = loaded.expect_err("two files are missing");
    let mut errors: Vec<_> = errors.into_iter().collect();
    errors.sort_by(|a, b| a.file.cmp(&b.file));
    let [pets, tag] = &errors[..] else {
        panic!("{errors:#?}")
    };
    // Where the reference is written: the file, the pointer in it (below
    // the fragment that was copied), and the line.
    assert!(pets.file.ends_with("schemas/pets.yaml"), "{pets}");
    assert_eq!(pets.pointer, "/Pet/properties/tag/$ref");
    assert_eq!(pets.line, Some(6), "{pets}");
    assert!(
        pets.message.starts_with("`$ref: tag.yaml`: cannot read "),
        "{pets}"
    );
    assert!(tag.file.ends_with("tag.yaml"), "{tag}");
    assert_eq!(tag.pointer, "/properties/label/$ref");
    assert_eq!(tag.line, Some(3), "{tag}");
}

#[test]
fn example_objects_in_other_files_are_brought_in() {
    let (_dir, loaded) = bundled(&[
        (
            "root.yaml",
            "
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
              examples:
                two: {$ref: 'examples/two.yaml'}
                shared: {$ref: '#/components/examples/Shared'}
                inline: {value: {$ref: 'not/a/file.yaml'}}
components:
  examples:
    Shared: {$ref: 'examples/two.yaml'}
  schemas:
    Report:
      type: object
      example: {$ref: 'not/a/file.yaml'}
      examples: [{$ref: 'not/a/file.yaml'}]
      properties:
        examples: {$ref: 'schemas.yaml#/Names'}
        example: {type: array, items: {$ref: 'schemas.yaml#/Names'}}
",
        ),
        (
            "examples/two.yaml",
            "summary: two pets\nvalue: [rex, tom]\n",
        ),
        (
            "schemas.yaml",
            "Names: {type: array, items: {type: string}}\n",
        ),
    ]);
    let loaded = ok(loaded);
    let media =
        &loaded.raw["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"];
    assert_eq!(
        media["examples"]["two"],
        json!({"$ref": "#/components/x-uniapi-external/two"})
    );
    assert_eq!(
        loaded.raw["components"]["examples"]["Shared"],
        json!({"$ref": "#/components/x-uniapi-external/two"})
    );
    assert_eq!(
        external(&loaded)["two"],
        json!({"summary": "two pets", "value": ["rex", "tom"]})
    );
    // An example's value is a value, whatever it holds.
    assert_eq!(
        media["examples"]["inline"],
        json!({"value": {"$ref": "not/a/file.yaml"}})
    );
    // Properties called `examples` and `example` are schemas.
    let report = &loaded.raw["components"]["schemas"]["Report"];
    assert_eq!(
        report["properties"]["examples"],
        json!({"$ref": "#/components/x-uniapi-external/Names"})
    );
    assert_eq!(
        report["properties"]["example"]["items"],
        json!({"$ref": "#/components/x-uniapi-external/Names"})
    );
    assert_eq!(report["example"], json!({"$ref": "not/a/file.yaml"}));
    assert_eq!(report["examples"], json!([{"$ref": "not/a/file.yaml"}]));
    // And the operation has the examples.
    let (api, _) = crate::lower::lower(&loaded).unwrap_or_else(|d| panic!("{d}"));
    let values: Vec<&Value> = api.operations[0].responses[0].bodies[0]
        .examples
        .iter()
        .map(|(_, v)| v)
        .collect();
    let two = json!(["rex", "tom"]);
    assert_eq!(values, [&two, &two]);
}

#[test]
fn references_inside_extensions_are_not_followed() {
    // AutoRest's `x-ms-examples` name files of examples that a package may
    // not ship; uniapi reads no such extension.
    let (_dir, loaded) = bundled(&[(
        "root.yaml",
        "paths:
  /a:
    get:
      x-ms-examples:
        one: {$ref: ./examples/missing.json}
      responses: {'200': {description: ok}}
",
    )]);
    let loaded = ok(loaded);
    assert_eq!(
        loaded.raw["paths"]["/a"]["get"]["x-ms-examples"]["one"]["$ref"],
        "./examples/missing.json"
    );
}
