//! `uniapi.toml`: one configuration, which the CLI reads from a file and
//! `build.rs` from a file or builder methods, into one [`Config`].
//!
//! Every setting keeps where it was written ([`Origin`]), so a mistake
//! found later (a tag that no operation has, a schema that is not there)
//! is a diagnostic at its file, key and line, like one in the spec.

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, join};

/// What to generate and how. The defaults give a crate with both sides
/// and every operation, types as the spec has them.
#[derive(Debug, Clone)]
pub struct Config {
    /// Crate name; `None` derives one from the spec's title.
    pub crate_name: Option<String>,
    /// Generate the server (`router`).
    pub server: bool,
    /// Generate the client (`Client`).
    pub client: bool,
    /// `build.rs` only: generate `mock::MockApi` too (a crate always has
    /// it, behind its feature `mock`).
    pub mock: bool,
    /// `build.rs` only: generate the JWT authenticator `server::Jwt` too,
    /// where the spec has bearer tokens (a crate always has it, behind its
    /// feature `jwt`); the crate then needs `jsonwebtoken`.
    pub jwt: bool,
    /// Which operations to generate.
    pub select: Select,
    /// How schemas become Rust types.
    pub types: Types,
    /// Names chosen instead of those made from the spec.
    pub renames: Vec<Set<Rename>>,
    /// Crate layout only: each tag's operations (and the types only they
    /// use) behind a Cargo feature of the tag's name.
    pub features_per_tag: bool,
    /// What only the client uses: pagination and idempotency keys.
    pub calls: ClientSettings,
}

/// The `[client]` table: how the client reads lists in pages, and which
/// calls carry idempotency keys.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Detect the pagination of list operations (`pagination =
    /// "detect"`, the default); else only declared ones have it.
    pub detect_pagination: bool,
    /// A header that carries an idempotency key on every `POST` and
    /// `PATCH` (besides operations that declare an `Idempotency-Key`
    /// header).
    pub idempotency_key: Option<Set<String>>,
    /// Pagination declared by operationId, as `x-pagination` says it
    /// (`false` turns it off).
    pub pages: Vec<(Set<String>, serde_json::Value)>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            detect_pagination: true,
            idempotency_key: None,
            pages: Vec::new(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            crate_name: None,
            server: true,
            client: true,
            mock: false,
            jwt: false,
            select: Select::default(),
            types: Types::default(),
            renames: Vec::new(),
            features_per_tag: false,
            calls: ClientSettings::default(),
        }
    }
}

/// Where a setting was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The configuration file, or `build.rs` for a builder method.
    pub file: String,
    /// A JSON pointer to the setting in that file (`/select/tags/0`).
    pub pointer: String,
    pub line: Option<usize>,
}

impl Origin {
    /// A setting made by a builder method (`build.rs`).
    pub fn builder(pointer: String) -> Self {
        Origin {
            file: "build.rs".to_owned(),
            pointer,
            line: None,
        }
    }

    /// An error about the setting, at its place.
    pub fn error(&self, message: impl Into<String>, hint: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::error(self.pointer.clone(), message).with_hint(hint);
        d.file = self.file.clone();
        d.line = self.line;
        d
    }
}

/// A setting and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set<T> {
    pub value: T,
    pub origin: Origin,
}

/// Which operations to generate: those that match any `include` rule (all
/// when there is none), less those that match any `exclude` rule. Only
/// the types they reach are generated.
#[derive(Debug, Clone, Default)]
pub struct Select {
    pub include: Vec<Set<Rule>>,
    pub exclude: Vec<Set<Rule>>,
}

impl Select {
    pub fn is_all(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }
}

/// One way of naming operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Operations with this tag.
    Tag(String),
    /// Operations at paths this pattern matches: `*` stands for any text
    /// within a segment, a segment `**` for any number of segments.
    Path(String),
    /// The operation with this `operationId`.
    Operation(String),
}

/// How schemas become Rust types.
#[derive(Debug, Clone, Default)]
pub struct Types {
    /// `format: date-time`.
    pub date_time: Set<TimeCrate>,
    /// `format: date`.
    pub date: Set<TimeCrate>,
    /// `format: uuid`.
    pub uuid: Set<UuidType>,
    /// `format: int64`: a JSON number, or a string.
    pub int64: Set<Int64Wire>,
    /// `type: string, format: decimal`.
    pub decimal: Set<DecimalType>,
    /// Derives and attributes added to types.
    pub extras: Vec<Set<Extra>>,
    /// Schemas generated as the user's own types.
    pub replace: Vec<Set<Replace>>,
}

impl<T: Default> Default for Set<T> {
    fn default() -> Self {
        Set {
            value: T::default(),
            origin: Origin::default(),
        }
    }
}

/// The Rust type of dates and times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeCrate {
    /// `chrono::DateTime<chrono::Utc>`, `chrono::NaiveDate`.
    #[default]
    Chrono,
    /// `jiff::Timestamp`, `jiff::civil::Date`.
    Jiff,
    /// `String`, as written.
    String,
}

/// The Rust type of `format: uuid`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UuidType {
    /// `uuid::Uuid`.
    #[default]
    Uuid,
    /// `String`, as written.
    String,
}

/// How `format: int64` travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Int64Wire {
    /// `type: integer` as a JSON number, `i64`; `type: string` as text,
    /// `String`.
    #[default]
    Number,
    /// Both as a JSON string (as JavaScript-safe APIs send them), read
    /// from a string or a number: `types::Int64`, an `i64`.
    String,
}

/// The Rust type of `type: string, format: decimal`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DecimalType {
    /// `String`, as written.
    #[default]
    String,
    /// `rust_decimal::Decimal`.
    RustDecimal,
}

/// Derives and attributes for the types a target names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra {
    pub target: Target,
    /// Paths of derive macros (`Hash`, `schemars::JsonSchema`).
    pub derives: Vec<String>,
    /// Outer attributes, as written (`#[non_exhaustive]`).
    pub attributes: Vec<String>,
}

/// Which types a setting is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every struct and enum (`"*"`); derives that need every field to
    /// have them (`Eq`, `Hash`, `PartialOrd`, `Ord`) go where they can.
    All,
    /// The type of one schema: its name under `components/schemas`, or a
    /// JSON pointer (`#/components/schemas/Pet`).
    Schema(String),
}

/// A schema generated as the user's type: `types::Pet` becomes `pub type
/// Pet = with;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// Its name under `components/schemas`, or a JSON pointer.
    pub schema: String,
    /// A Rust type path (`crate::pets::Pet`).
    pub with: String,
}

/// A name chosen for something the spec names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub kind: RenameKind,
    /// What the spec calls it: a schema's name (or pointer), an
    /// operationId, `Schema.property`, `Schema.value`.
    pub from: String,
    /// The Rust name, in the case the item takes.
    pub to: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RenameKind {
    Type,
    Operation,
    Field,
    Variant,
}

impl RenameKind {
    /// Its table in `uniapi.toml` (`[names.types]`).
    pub fn key(self) -> &'static str {
        match self {
            RenameKind::Type => "types",
            RenameKind::Operation => "operations",
            RenameKind::Field => "fields",
            RenameKind::Variant => "variants",
        }
    }
}

/// The name of the file looked for beside the spec.
pub const FILE_NAME: &str = "uniapi.toml";

/// The configuration `uniapi init` writes: every key, commented.
pub const TEMPLATE: &str = include_str!("../../templates/uniapi.toml");

/// Reads `path` into `config` (whose other settings stay as they are).
pub fn read(path: &Path, config: &mut Config) -> Result<(), Diagnostics> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        let mut d = Diagnostics::default();
        let origin = Origin {
            file: file.clone(),
            ..Origin::default()
        };
        d.push(origin.error(
            format!("cannot read the configuration: {e}"),
            "check the path and that the file is UTF-8 text",
        ));
        d
    })?;
    parse(&file, &text, config)
}

/// Parses the text of a configuration file named `file` into `config`.
pub fn parse(file: &str, text: &str, config: &mut Config) -> Result<(), Diagnostics> {
    let parsed: FileConfig = match toml::from_str(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let line = e.span().map(|span| line_at(text, span.start));
            let mut d = Diagnostics::default();
            let origin = Origin {
                file: file.to_owned(),
                pointer: String::new(),
                line,
            };
            d.push(origin.error(
                format!("the configuration is not valid: {}", e.message().trim_end()),
                "see docs/configuration.md for every key and its values",
            ));
            return Err(d);
        }
    };
    let mut reader = Reader {
        file,
        text,
        diags: Diagnostics::default(),
    };
    reader.apply(parsed, config);
    if reader.diags.is_empty() {
        Ok(())
    } else {
        Err(reader.diags)
    }
}

/// 1-based line of byte `offset`.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(rename = "crate")]
    krate: Option<CrateTable>,
    select: Option<SelectTable>,
    types: Option<TypesTable>,
    names: Option<NamesTable>,
    features: Option<FeaturesTable>,
    client: Option<ClientTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ClientTable {
    pagination: Option<Spanned<String>>,
    idempotency_key: Option<Spanned<String>>,
    #[serde(default)]
    pages: IndexMap<Spanned<String>, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrateTable {
    name: Option<Spanned<String>>,
    server: Option<bool>,
    client: Option<bool>,
    mock: Option<bool>,
    jwt: Option<bool>,
}

type Names = Vec<Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SelectTable {
    #[serde(default)]
    tags: Names,
    #[serde(default)]
    paths: Names,
    #[serde(default)]
    operations: Names,
    #[serde(default)]
    exclude_tags: Names,
    #[serde(default)]
    exclude_paths: Names,
    #[serde(default)]
    exclude_operations: Names,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TypesTable {
    date_time: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
    uuid: Option<Spanned<String>>,
    int64: Option<Spanned<String>>,
    decimal: Option<Spanned<String>>,
    #[serde(default)]
    derives: IndexMap<Spanned<String>, Names>,
    #[serde(default)]
    attributes: IndexMap<Spanned<String>, Names>,
    #[serde(default)]
    replace: IndexMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesTable {
    #[serde(default)]
    types: IndexMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    operations: IndexMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    fields: IndexMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    variants: IndexMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FeaturesTable {
    per_tag: Option<bool>,
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    diags: Diagnostics,
}

impl Reader<'_> {
    fn origin<T>(&self, pointer: String, at: &Spanned<T>) -> Origin {
        Origin {
            file: self.file.to_owned(),
            pointer,
            line: Some(line_at(self.text, at.span().start)),
        }
    }

    fn set<T>(&self, value: T, pointer: String, at: &Spanned<String>) -> Set<T> {
        Set {
            value,
            origin: self.origin(pointer, at),
        }
    }

    fn apply(&mut self, file: FileConfig, config: &mut Config) {
        if let Some(krate) = file.krate {
            if let Some(name) = krate.name {
                if is_crate_name(name.get_ref()) {
                    config.crate_name = Some(name.get_ref().clone());
                } else {
                    let origin = self.origin("/crate/name".into(), &name);
                    self.diags.push(origin.error(
                        format!("`{}` cannot be a crate's name", name.get_ref()),
                        "use ASCII letters, digits, `-` and `_`, starting with a letter",
                    ));
                }
            }
            let sides = [
                (krate.server, &mut config.server),
                (krate.client, &mut config.client),
                (krate.mock, &mut config.mock),
                (krate.jwt, &mut config.jwt),
            ];
            for (value, setting) in sides {
                if let Some(value) = value {
                    *setting = value;
                }
            }
        }
        if let Some(select) = file.select {
            self.select(select, &mut config.select);
        }
        if let Some(types) = file.types {
            self.types(types, &mut config.types);
        }
        if let Some(names) = file.names {
            let tables = [
                (RenameKind::Type, names.types),
                (RenameKind::Operation, names.operations),
                (RenameKind::Field, names.fields),
                (RenameKind::Variant, names.variants),
            ];
            for (kind, table) in tables {
                for (from, to) in table {
                    let pointer = join(&format!("/names/{}", kind.key()), from.get_ref());
                    let rename = Rename {
                        kind,
                        from: from.get_ref().clone(),
                        to: to.get_ref().clone(),
                    };
                    config.renames.push(self.set(rename, pointer, &to));
                }
            }
        }
        if let Some(per_tag) = file.features.and_then(|f| f.per_tag) {
            config.features_per_tag = per_tag;
        }
        if let Some(client) = file.client {
            self.client(client, &mut config.calls);
        }
    }

    fn client(&mut self, table: ClientTable, client: &mut ClientSettings) {
        if let Some(mode) = table.pagination {
            match mode.get_ref().as_str() {
                "detect" => client.detect_pagination = true,
                "declared" => client.detect_pagination = false,
                other => {
                    let origin = self.origin("/client/pagination".into(), &mode);
                    self.diags.push(origin.error(
                        format!("`{other}` is not a choice for `client.pagination`"),
                        "choose `detect` or `declared`",
                    ));
                }
            }
        }
        if let Some(name) = table.idempotency_key {
            if crate::lower::is_token(name.get_ref()) {
                let set = self.set(
                    name.get_ref().clone(),
                    "/client/idempotency-key".into(),
                    &name,
                );
                client.idempotency_key = Some(set);
            } else {
                let origin = self.origin("/client/idempotency-key".into(), &name);
                self.diags.push(origin.error(
                    format!("`{}` cannot be the name of a header", name.get_ref()),
                    "name it with letters, digits and `!#$%&'*+-.^_`|~`, as `Idempotency-Key`",
                ));
            }
        }
        for (id, value) in table.pages {
            let pointer = join("/client/pages", id.get_ref());
            match serde_json::to_value(value.get_ref()) {
                Ok(json) => client
                    .pages
                    .push((self.set(id.get_ref().clone(), pointer, &id), json)),
                Err(e) => {
                    let origin = self.origin(pointer, &value);
                    self.diags.push(origin.error(
                        format!("this pagination cannot be read: {e}"),
                        "write it as `x-pagination` is written",
                    ));
                }
            }
        }
    }

    fn select(&mut self, table: SelectTable, select: &mut Select) {
        let lists = [
            ("tags", table.tags, Rule::Tag as fn(String) -> Rule, true),
            ("paths", table.paths, Rule::Path, true),
            ("operations", table.operations, Rule::Operation, true),
            ("exclude-tags", table.exclude_tags, Rule::Tag, false),
            ("exclude-paths", table.exclude_paths, Rule::Path, false),
            (
                "exclude-operations",
                table.exclude_operations,
                Rule::Operation,
                false,
            ),
        ];
        for (key, names, rule, include) in lists {
            for (i, name) in names.into_iter().enumerate() {
                let set = self.set(
                    rule(name.get_ref().clone()),
                    format!("/select/{key}/{i}"),
                    &name,
                );
                if let Rule::Path(pattern) = &set.value {
                    if !pattern.starts_with('/') {
                        self.diags.push(set.origin.error(
                            format!("the path pattern `{pattern}` does not start with `/`"),
                            "write it as the spec writes paths: `/pets/{petId}`, `/pets/*`, `/store/**`",
                        ));
                        continue;
                    }
                }
                if include {
                    select.include.push(set);
                } else {
                    select.exclude.push(set);
                }
            }
        }
    }

    /// Sets `setting` to the choice `value` names, if it names one of
    /// `choices`; else a mistake at `/types/{key}`.
    fn choice<T: Copy>(
        &mut self,
        key: &str,
        value: Option<Spanned<String>>,
        choices: &[(&str, T)],
        setting: &mut Set<T>,
    ) {
        let Some(value) = value else { return };
        let pointer = format!("/types/{key}");
        match choices.iter().find(|(name, _)| name == value.get_ref()) {
            Some((_, choice)) => *setting = self.set(*choice, pointer, &value),
            None => {
                let names: Vec<String> = choices.iter().map(|(n, _)| format!("`{n}`")).collect();
                let origin = self.origin(pointer, &value);
                self.diags.push(origin.error(
                    format!("`{}` is not a choice for `types.{key}`", value.get_ref()),
                    format!("choose {}", or_list(&names)),
                ));
            }
        }
    }

    fn types(&mut self, table: TypesTable, types: &mut Types) {
        let times = [
            ("chrono", TimeCrate::Chrono),
            ("jiff", TimeCrate::Jiff),
            ("string", TimeCrate::String),
        ];
        self.choice("date-time", table.date_time, &times, &mut types.date_time);
        self.choice("date", table.date, &times, &mut types.date);
        let uuids = [("uuid", UuidType::Uuid), ("string", UuidType::String)];
        self.choice("uuid", table.uuid, &uuids, &mut types.uuid);
        let int64s = [("number", Int64Wire::Number), ("string", Int64Wire::String)];
        self.choice("int64", table.int64, &int64s, &mut types.int64);
        let decimals = [
            ("string", DecimalType::String),
            ("rust_decimal", DecimalType::RustDecimal),
        ];
        self.choice("decimal", table.decimal, &decimals, &mut types.decimal);
        let mut extras: IndexMap<String, (Target, Vec<String>, Vec<String>, Origin)> =
            IndexMap::new();
        for (table_key, table, derives) in [
            ("derives", table.derives, true),
            ("attributes", table.attributes, false),
        ] {
            for (target, list) in table {
                let pointer = join(&format!("/types/{table_key}"), target.get_ref());
                let origin = self.origin(pointer.clone(), &target);
                let entry = extras.entry(target.get_ref().clone()).or_insert_with(|| {
                    (target_of(target.get_ref()), Vec::new(), Vec::new(), origin)
                });
                for (i, item) in list.into_iter().enumerate() {
                    let at = self.origin(format!("{pointer}/{i}"), &item);
                    let text = item.into_inner();
                    match check_extra(&text, derives, &at) {
                        Some(mistake) => self.diags.push(mistake),
                        None if derives => entry.1.push(text),
                        None => entry.2.push(text),
                    }
                }
            }
        }
        for (_, (target, derives, attributes, origin)) in extras {
            types.extras.push(Set {
                value: Extra {
                    target,
                    derives,
                    attributes,
                },
                origin,
            });
        }
        for (schema, with) in table.replace {
            let pointer = join("/types/replace", schema.get_ref());
            if let Some(mistake) = check_type(with.get_ref(), &self.origin(pointer.clone(), &with))
            {
                self.diags.push(mistake);
                continue;
            }
            let replace = Replace {
                schema: schema.get_ref().clone(),
                with: with.get_ref().clone(),
            };
            types.replace.push(self.set(replace, pointer, &with));
        }
    }
}

/// The mistake in a derive's path (`derive`) or an attribute, if any.
pub(crate) fn check_extra(text: &str, derive: bool, at: &Origin) -> Option<Diagnostic> {
    if derive && syn::parse_str::<syn::Path>(text).is_err() {
        return Some(at.error(
            format!("`{text}` is not the path of a derive macro"),
            "write the macro's path, as in `#[derive(...)]`: `Hash`, `schemars::JsonSchema`",
        ));
    }
    if !derive && !is_outer_attribute(text) {
        return Some(at.error(
            format!("`{text}` is not an outer attribute"),
            "write the whole attribute: `#[non_exhaustive]`",
        ));
    }
    None
}

/// The mistake in a replacement type, if any.
pub(crate) fn check_type(text: &str, at: &Origin) -> Option<Diagnostic> {
    syn::parse_str::<syn::Type>(text).is_err().then(|| {
        at.error(
            format!("`{text}` is not a Rust type"),
            "write a type's path, as in your code: `crate::pets::Pet`, `my_types::Pet`",
        )
    })
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// `"*"` → every type; else a schema.
pub(crate) fn target_of(key: &str) -> Target {
    if key == "*" {
        Target::All
    } else {
        Target::Schema(key.to_owned())
    }
}

/// Whether `text` is one outer attribute (`#[...]`).
fn is_outer_attribute(text: &str) -> bool {
    struct Outer;
    impl syn::parse::Parse for Outer {
        fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
            let attrs = input.call(syn::Attribute::parse_outer)?;
            if attrs.len() == 1 && input.is_empty() {
                Ok(Outer)
            } else {
                Err(input.error("one attribute"))
            }
        }
    }
    syn::parse_str::<Outer>(text).is_ok()
}

/// Whether cargo takes `name` as a package name.
fn is_crate_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether `pattern` matches `path`: segment by segment, `*` any text
/// within a segment, a segment `**` any number of segments.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, others)) => {
                segment_matches(first, segment) && segments_match(rest, others)
            }
            None => false,
        },
    }
}

/// One segment against a pattern where `*` stands for any text.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = segment.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests;
