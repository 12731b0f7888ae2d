use super::*;

fn parsed(text: &str) -> Result<Config, Diagnostics> {
    let mut config = Config::default();
    parse("uniapi.toml", text, &mut config).map(|()| config)
}

/// The one diagnostic of `text`, as the CLI prints it.
fn mistake(text: &str) -> String {
    let diagnostics = parsed(text).expect_err("a mistake");
    assert_eq!(diagnostics.len(), 1, "{diagnostics}");
    diagnostics.0[0].to_string()
}

#[test]
fn the_template_reads_as_the_defaults() {
    let config = parsed(TEMPLATE).expect("the template reads");
    let default = Config::default();
    assert_eq!(config.crate_name, default.crate_name);
    assert!(config.server && config.client && !config.mock);
    assert!(config.select.is_all());
    assert!(config.types.extras.is_empty() && config.types.replace.is_empty());
    assert!(config.renames.is_empty());
    assert!(!config.features_per_tag);
    assert!(config.calls.detect_pagination);
    assert!(config.calls.idempotency_key.is_none() && config.calls.pages.is_empty());
}

#[test]
fn the_client_table_is_read_and_its_mistakes_found() {
    let config = parsed(
        r#"
[client]
pagination = "declared"
idempotency-key = "Idempotency-Key"

[client.pages]
listPets = { type = "link" }
"#,
    )
    .expect("reads");
    assert!(!config.calls.detect_pagination);
    let key = config.calls.idempotency_key.expect("a key");
    assert_eq!(key.value, "Idempotency-Key");
    assert_eq!(
        (key.origin.pointer.as_str(), key.origin.line),
        ("/client/idempotency-key", Some(4))
    );
    let (id, value) = &config.calls.pages[0];
    assert_eq!(id.value, "listPets");
    assert_eq!(id.origin.pointer, "/client/pages/listPets");
    assert_eq!(value, &serde_json::json!({"type": "link"}));

    let message = mistake("[client]\npagination = \"guess\"\n");
    assert!(
        message.contains("`guess` is not a choice for `client.pagination`"),
        "{message}"
    );
    let message = mistake("[client]\nidempotency-key = \"a key\"\n");
    assert!(
        message.contains("cannot be the name of a header"),
        "{message}"
    );
    let message = mistake("[client]\npages = 3\n");
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn every_setting_is_read_with_its_place() {
    let config = parsed(
        r##"
[crate]
name = "pets"
server = false

[select]
tags = ["pets"]
exclude-operations = ["deletePet"]

[features]
per-tag = true

[types]
date-time = "jiff"
date = "string"
uuid = "string"
int64 = "string"
decimal = "rust_decimal"

[types.derives]
"*" = ["Hash"]
Pet = ["PartialOrd", "schemars::JsonSchema"]

[types.attributes]
Pet = ["#[non_exhaustive]"]

[types.replace]
Owner = "crate::Owner"

[names.types]
Pet = "Animal"

[names.fields]
"Pet.name" = "title"
"##,
    )
    .expect("reads");
    assert_eq!(config.crate_name.as_deref(), Some("pets"));
    assert!(!config.server && config.client);
    assert_eq!(config.select.include[0].value, Rule::Tag("pets".into()));
    assert_eq!(config.select.include[0].origin.pointer, "/select/tags/0");
    assert_eq!(config.select.include[0].origin.line, Some(7));
    assert_eq!(
        config.select.exclude[0].value,
        Rule::Operation("deletePet".into())
    );
    assert!(config.features_per_tag);
    assert_eq!(config.types.date_time.value, TimeCrate::Jiff);
    assert_eq!(config.types.date.value, TimeCrate::String);
    assert_eq!(config.types.uuid.value, UuidType::String);
    assert_eq!(config.types.int64.value, Int64Wire::String);
    assert_eq!(config.types.decimal.value, DecimalType::RustDecimal);
    let pet = &config.types.extras[1].value;
    assert_eq!(pet.target, Target::Schema("Pet".into()));
    assert_eq!(pet.derives, ["PartialOrd", "schemars::JsonSchema"]);
    assert_eq!(pet.attributes, ["#[non_exhaustive]"]);
    assert_eq!(config.types.extras[0].value.target, Target::All);
    assert_eq!(config.types.replace[0].value.with, "crate::Owner");
    assert_eq!(config.renames.len(), 2);
    assert_eq!(config.renames[1].value.kind, RenameKind::Field);
    assert_eq!(config.renames[1].origin.pointer, "/names/fields/Pet.name");
    assert_eq!(config.renames[1].origin.line, Some(34));
}

#[test]
fn unknown_keys_are_mistakes_at_their_line() {
    assert_eq!(
        mistake("[select]\ntags = []\ntag = [\"pets\"]\n"),
        "error: the configuration is not valid: unknown field `tag`, expected one of `tags`, `paths`, `operations`, `exclude-tags`, `exclude-paths`, `exclude-operations`\n  --> uniapi.toml# (line 3)\n  = hint: see docs/configuration.md for every key and its values"
    );
    assert!(mistake("[selection]\n").contains("unknown field `selection`"));
    assert!(mistake("[types]\ndate-time = 3\n").contains("(line 2)"));
}

#[test]
fn bad_values_are_mistakes_at_their_key() {
    assert_eq!(
        mistake("[types]\n\ndate-time = \"time\"\n"),
        "error: `time` is not a choice for `types.date-time`\n  --> uniapi.toml#/types/date-time (line 3)\n  = hint: choose `chrono`, `jiff` or `string`"
    );
    assert!(mistake("[types]\nuuid = \"guid\"\n").contains("#/types/uuid (line 2)"));
    assert!(mistake("[types]\nint64 = \"bigint\"\n").contains("choose `number` or `string`"));
    assert!(mistake("[types]\ndecimal = \"f64\"\n").contains("#/types/decimal"));
    assert!(mistake("[crate]\nname = \"my api\"\n").contains("cannot be a crate's name"));
    assert!(mistake("[select]\npaths = [\"pets/*\"]\n").contains("#/select/paths/0 (line 2)"));
    assert!(mistake("[types.derives]\nPet = [\"Hash(\"]\n").contains("#/types/derives/Pet/0"));
    assert!(
        mistake("[types.attributes]\nPet = [\"non_exhaustive\"]\n")
            .contains("is not an outer attribute")
    );
    assert!(mistake("[types.replace]\nPet = \"crate::Pet<\"\n").contains("is not a Rust type"));
}

#[test]
fn path_patterns_match_segment_by_segment() {
    let cases = [
        ("/pets", "/pets", true),
        ("/pets", "/pets/{id}", false),
        ("/pets/*", "/pets/{id}", true),
        ("/pets/*", "/pets", false),
        ("/pets/*", "/pets/{id}/toys", false),
        ("/pets/**", "/pets", true),
        ("/pets/**", "/pets/{id}/toys", true),
        ("/**/toys", "/pets/{id}/toys", true),
        ("/**", "/anything/at/all", true),
        ("/pets/{id}", "/pets/{id}", true),
        ("/pets/{*}", "/pets/{id}", true),
        ("/v*/pets", "/v2/pets", true),
        ("/v*/pets", "/x2/pets", false),
        ("/a*b*c", "/abc", true),
        ("/a*b*c", "/acb", false),
        ("/*.json", "/openapi.json", true),
    ];
    for (pattern, path, expected) in cases {
        assert_eq!(path_matches(pattern, path), expected, "{pattern} {path}");
    }
}
