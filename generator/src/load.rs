//! Stage 1: read a document (JSON or YAML), bring OpenAPI 3.1 and sloppy
//! specs into the 3.0 form that `openapiv3` models, and parse it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::config::Select;
use crate::diag::{Diagnostic, Diagnostics};

mod bundle;
mod select;
mod shape;
pub mod swagger2;
#[cfg(test)]
mod tests;

/// A parsed document and what it was made from.
#[derive(Debug)]
pub struct Loaded {
    /// The file as the user named it (for diagnostics).
    pub file: String,
    /// Every file that was read, for `cargo:rerun-if-changed`.
    pub sources: Vec<PathBuf>,
    pub text: String,
    /// The raw document after normalization: `$ref`s that `openapiv3` does
    /// not model are resolved against it.
    pub raw: Value,
    /// The document as written (before normalization and bundling), as
    /// compact JSON: what the generated server serves as its spec. A
    /// Swagger 2.0 document is served as converted (OpenAPI 3.0.3): the
    /// paths, bodies and media types the server takes are the converted
    /// document's, and the tools that read `/openapi.json` (documentation
    /// pages, client generators, Prism) read 3.x.
    pub document: String,
    pub doc: openapiv3::OpenAPI,
    /// `openapi` as the document declared it (`3.0.3`, `3.1.0`), or `2.0`
    /// for a Swagger 2.0 document.
    pub declared_version: String,
    /// For a Swagger 2.0 document, where each place of the converted
    /// document came from: diagnostics point into the 2.0 document.
    pub origins: Option<swagger2::Origins>,
    /// Diagnostics of loading that did not stop it.
    pub diagnostics: Diagnostics,
}

/// Reads and parses `path`.
pub fn load(path: &Path) -> Result<Loaded, Diagnostics> {
    load_selected(path, &Select::default())
}

/// Reads and parses `path`, keeping only the operations `select` chooses
/// and what they reach.
pub fn load_selected(path: &Path, select: &Select) -> Result<Loaded, Diagnostics> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        one(
            &file,
            Diagnostic::error("", format!("cannot read the spec: {e}"))
                .with_hint("check the path and that the file is UTF-8 text"),
        )
    })?;
    load_str_selected(&file, text, path, select)
}

/// Parses a document held in memory; `file` names it in diagnostics, and
/// `path` is where its relative `$ref`s are read from.
pub fn load_str(file: &str, text: String, path: &Path) -> Result<Loaded, Diagnostics> {
    load_str_selected(file, text, path, &Select::default())
}

/// [`load_str`], keeping only what `select` chooses.
pub fn load_str_selected(
    file: &str,
    text: String,
    path: &Path,
    select: &Select,
) -> Result<Loaded, Diagnostics> {
    let mut raw = parse_text(file, &text)?;
    let mut diagnostics = Diagnostics::default();
    let mut origins = None;
    let declared_version = match (raw.get("openapi"), raw.get("swagger")) {
        (Some(Value::String(v)), _) => v.clone(),
        (Some(Value::Number(n)), _) => n.to_string(),
        (None, Some(v)) if version_text(v) == "2.0" => {
            let converted = swagger2::convert(&raw);
            raw = converted.doc;
            origins = Some(converted.origins);
            let mut found = converted.diagnostics;
            found.locate(file, |p| line_of(&text, p));
            diagnostics.extend(found);
            "2.0".to_owned()
        }
        (None, Some(v)) => {
            let mut d = Diagnostics::default();
            d.push(
                Diagnostic::error(
                    "/swagger",
                    format!("Swagger {} is not supported", version_text(v)),
                )
                .with_hint("uniapi reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2"),
            );
            d.locate(file, |p| line_of(&text, p));
            return Err(d);
        }
        _ => {
            let mut d = Diagnostics::default();
            d.push(
                Diagnostic::error(
                    "/openapi",
                    "not an OpenAPI document: `openapi` (or `swagger`) is missing",
                )
                .with_hint(if raw.get("swaggerVersion").is_some() {
                    "this is a Swagger 1.2 document, which uniapi does not read: convert it to OpenAPI 3 first"
                } else {
                    "an OpenAPI document starts with `openapi: 3.0.3` or `openapi: 3.1.0` (`swagger: '2.0'` for Swagger 2.0)"
                }),
            );
            d.locate(file, |p| line_of(&text, p));
            return Err(d);
        }
    };
    if !declared_version.starts_with("3.") && origins.is_none() {
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error(
                "/openapi",
                format!("OpenAPI {declared_version} is not supported"),
            )
            .with_hint("uniapi reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2"),
        );
        d.locate(file, |p| line_of(&text, p));
        return Err(d);
    }
    let selected = select::apply(&mut raw, select);
    if selected.has_errors() {
        return Err(selected);
    }
    let document = raw.to_string();
    resolve_self(&mut raw);
    normalize(&mut raw);
    let mut sources = vec![path.to_path_buf()];
    if bundle::has_external_refs(&raw) {
        sources.extend(bundle::bundle(&mut raw, path, &mut diagnostics));
        // What a 2.0 document refers to in other files is 2.0 too: its
        // schemas say `x-nullable`, `type: file` and `discriminator: name`.
        let copies = raw
            .pointer_mut(&format!("/components/{}", bundle::EXTERNAL))
            .and_then(Value::as_object_mut)
            .filter(|_| origins.is_some());
        for copy in copies.into_iter().flat_map(|c| c.values_mut()) {
            swagger2::fix_schema(copy, 0);
        }
    }
    if diagnostics.has_errors() {
        locate(&mut diagnostics, file, &text, origins.as_ref());
        return Err(diagnostics);
    }
    // The plain parse is the fast path; only a failure is parsed again with
    // the path tracking that locates it.
    let parsed = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&raw)
        .or_else(|_| serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&raw));
    let doc: openapiv3::OpenAPI = match parsed {
        Ok(doc) => doc,
        Err(e) => {
            let (pointer, message) =
                shape::locate(&raw, path_to_pointer(e.path()), e.inner().to_string());
            let mut d = Diagnostics::default();
            d.push(
                Diagnostic::error(
                    pointer,
                    format!("the document does not match OpenAPI 3: {message}"),
                )
                .with_hint("fix the value at this place; `uniapi lint` lists every problem found"),
            );
            locate(&mut d, file, &text, origins.as_ref());
            return Err(d);
        }
    };
    locate(&mut diagnostics, file, &text, origins.as_ref());
    Ok(Loaded {
        file: file.to_owned(),
        sources,
        text,
        raw,
        document,
        doc,
        declared_version,
        origins,
        diagnostics,
    })
}

impl Loaded {
    /// Fills in the file, the pointer as the document was written (a
    /// Swagger 2.0 document's own) and the line of the diagnostics not
    /// located yet.
    pub(crate) fn locate(&self, diagnostics: &mut Diagnostics) {
        locate(diagnostics, &self.file, &self.text, self.origins.as_ref());
    }
}

/// [`Loaded::locate`] before there is a `Loaded`.
fn locate(
    diagnostics: &mut Diagnostics,
    file: &str,
    text: &str,
    origins: Option<&swagger2::Origins>,
) {
    if let Some(origins) = origins {
        diagnostics.map_unlocated(|d| origins.restate(d));
    }
    diagnostics.locate(file, |p| line_of(text, p));
}

/// `swagger: 2.0` or `swagger: "2.0"` as text.
fn version_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn one(file: &str, d: Diagnostic) -> Diagnostics {
    let mut ds = Diagnostics::default();
    ds.push(d);
    ds.locate(file, |_| None);
    ds
}

/// A syntax error in a document.
struct SyntaxError {
    message: String,
    line: Option<usize>,
}

/// Parses JSON or YAML text into a value: the root document and every
/// file it refers to.
fn parse_value(text: &str) -> Result<Value, SyntaxError> {
    // A byte order mark (Windows tools write one: Azure's AutoRest specs
    // start with it) is no part of the document.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| SyntaxError {
            message: format!("invalid JSON: {e}"),
            line: Some(e.line()),
        })
    } else {
        serde_saphyr::from_str_with_options::<Value>(text, yaml_options(text)).map_err(|e| {
            SyntaxError {
                message: format!("invalid YAML: {e}"),
                line: None,
            }
        })
    }
}

/// How YAML text is read.
fn yaml_options(text: &str) -> serde_saphyr::Options {
    // The parser's default budget (250,000 nodes, 64 levels) refuses large
    // specs that load as JSON. No node is made of less than a byte of text
    // but by an alias, which the budget still limits, so bounds of the
    // text's size bind no real spec; depth goes to JSON's limit.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(text.len());
    budget.max_events = budget.max_events.max(text.len().saturating_mul(2));
    budget.max_depth = 128;
    // YAML 1.2, as OpenAPI asks: `yes`, `no`, `on`, `off`, `y` and `n` are
    // strings (YAML 1.1 made them booleans: `enum: [yes, no]`).
    serde_saphyr::options! {
        strict_booleans: true,
        budget: Some(budget),
    }
}

/// The schema-level rewrites of [`normalize`], for a referenced file.
fn normalize_schemas(value: &mut Value) {
    walk(value, 0, Shape::Plain);
}

/// A `$ref` fragment as a plain JSON pointer (percent-decoded when it is
/// valid percent-encoding, as is otherwise).
pub fn decode_fragment(fragment: &str) -> std::borrow::Cow<'_, str> {
    match percent_decode(fragment) {
        Some(decoded) => std::borrow::Cow::Owned(decoded),
        None => std::borrow::Cow::Borrowed(fragment),
    }
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn parse_text(file: &str, text: &str) -> Result<Value, Diagnostics> {
    parse_value(text).map_err(|e| {
        let mut d = one(
            file,
            Diagnostic::error("", e.message).with_hint("fix the syntax error"),
        );
        d.0[0].line = e.line;
        d
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out = format!("{out}/{index}"),
            Segment::Map { key } => out = crate::diag::join(&out, key),
            Segment::Enum { variant } => out = crate::diag::join(&out, variant),
            Segment::Unknown => {}
        }
    }
    out
}

/// Rewrites OpenAPI 3.1 constructs and common sloppiness into the 3.0 form
/// that `openapiv3` parses, in place.
fn normalize(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    if root
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1"))
    {
        root.insert("openapi".into(), Value::String("3.0.3".into()));
    }
    if let Some(Value::Number(n)) = root.get("openapi") {
        let v = n.to_string();
        root.insert("openapi".into(), Value::String(v));
    }
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        for key in ["title", "version"] {
            match info.get(key) {
                Some(Value::String(_)) => {}
                Some(other) => {
                    let s = other.to_string();
                    info.insert(key.into(), Value::String(s));
                }
                None => {
                    info.insert(key.into(), Value::String(String::new()));
                }
            }
        }
    }
    // Scheme types that `openapiv3` does not know (3.1's `mutualTLS`) become
    // an HTTP scheme marked with the type, which `lower` reads back.
    if let Some(schemes) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("securitySchemes"))
        .and_then(Value::as_object_mut)
    {
        for (_, scheme) in schemes.iter_mut() {
            let Some(kind) = scheme.get("type").and_then(Value::as_str) else {
                continue;
            };
            if !matches!(kind, "apiKey" | "http" | "oauth2" | "openIdConnect") {
                let kind = kind.to_owned();
                let mut http =
                    serde_json::json!({ "type": "http", "scheme": kind, TYPE_MARK: kind });
                if let Some(description) = scheme.get("description").filter(|d| d.is_string()) {
                    http["description"] = description.clone();
                }
                *scheme = http;
            }
        }
    }
    if let Some(Value::Object(parameters)) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("parameters"))
    {
        parameters.values_mut().for_each(querystring_param);
    }
    for items in ["paths", "webhooks"] {
        if let Some(items) = root.get_mut(items).and_then(Value::as_object_mut) {
            for item in items.values_mut().filter_map(Value::as_object_mut) {
                normalize_path_item(item, 0);
            }
        }
    }
    walk(doc, 0, Shape::Plain);
}

/// Reads `$ref`s by 3.2's `$self`, the document's own URI: a reference to
/// the document itself (`$self#/components/...`) becomes local, and one
/// to a document beside it (`https://example.com/specs/common.yaml` for a
/// `$self` of `https://example.com/specs/api.yaml`) a relative one, read
/// from beside the file as any relative reference is. A relative `$self`
/// changes nothing: references are read relative to the file already.
fn resolve_self(doc: &mut Value) {
    let Some(own) = doc.get("$self").and_then(Value::as_str) else {
        return;
    };
    let absolute = own.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    if !absolute {
        return;
    }
    let base = own.split_once('#').map_or(own, |(base, _)| base).to_owned();
    let Some(dir_end) = base.rfind('/') else {
        return;
    };
    let dir = base[..=dir_end].to_owned();
    let mut stack = vec![&mut *doc];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get_mut("$ref") {
                    let (target, fragment) = reference
                        .split_once('#')
                        .map_or((reference.as_str(), None), |(t, f)| (t, Some(f)));
                    let fragment = fragment.map_or(String::new(), |f| format!("#{f}"));
                    if target == base {
                        *reference = if fragment.is_empty() {
                            "#".to_owned()
                        } else {
                            fragment
                        };
                    } else if let Some(relative) = target.strip_prefix(&dir) {
                        *reference = format!("{relative}{fragment}");
                    }
                }
                stack.extend(map.values_mut());
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Gives the 3.2 Example Objects of `map`'s `examples` the `value` that
/// `openapiv3` reads: their `dataValue`, or their `serializedValue` read as
/// JSON (or kept as a string when it is not JSON), where `value` is
/// absent.
fn example_values(map: &mut Map<String, Value>) {
    let Some(Value::Object(examples)) = map.get_mut("examples") else {
        return;
    };
    for example in examples.values_mut().filter_map(Value::as_object_mut) {
        if example.contains_key("value") {
            continue;
        }
        if let Some(data) = example.get("dataValue").cloned() {
            example.insert("value".into(), data);
        } else if let Some(Value::String(serialized)) = example.get("serializedValue") {
            let read = serde_json::from_str(serialized)
                .unwrap_or_else(|_| Value::String(serialized.clone()));
            example.insert("value".into(), read);
        }
    }
}

/// Gives each operation of a path item the `responses` `openapiv3` wants,
/// and keeps what it would drop: operations' `callbacks`, and 3.2's
/// `query` and `additionalOperations`, under names it keeps as they are.
fn normalize_path_item(item: &mut Map<String, Value>, depth: usize) {
    if depth > 64 {
        return;
    }
    querystring_params(item.get_mut("parameters"));
    if let Some(query) = item.remove("query") {
        item.insert(QUERY.to_owned(), query);
    }
    if let Some(others) = item.remove("additionalOperations") {
        item.insert(ADDITIONAL_OPERATIONS.to_owned(), others);
    }
    let mut operations: Vec<&mut Value> = Vec::new();
    for (key, value) in item.iter_mut() {
        if METHOD_FIELDS.contains(&key.as_str()) || key == QUERY {
            operations.push(value);
        } else if key == ADDITIONAL_OPERATIONS {
            if let Some(others) = value.as_object_mut() {
                operations.extend(others.values_mut());
            }
        }
    }
    for op in operations.into_iter().filter_map(Value::as_object_mut) {
        querystring_params(op.get_mut("parameters"));
        op.entry("responses")
            .or_insert_with(|| Value::Object(Map::new()));
        // Callbacks are kept, under a name `openapiv3` keeps as it is (its
        // own model of them refuses `$ref`s), for `lower`.
        if let Some(mut callbacks) = op.remove("callbacks") {
            // A callback's path items, under each URL expression.
            let items = callbacks
                .as_object_mut()
                .into_iter()
                .flat_map(|c| c.values_mut())
                .filter_map(Value::as_object_mut)
                .flat_map(|c| c.values_mut())
                .filter_map(Value::as_object_mut);
            for item in items {
                normalize_path_item(item, depth + 1);
            }
            op.insert(CALLBACKS.to_owned(), callbacks);
        }
    }
}

/// 3.2's `in: querystring` parameters (the whole query string, described
/// by `content`) become query parameters marked with [`QUERYSTRING`],
/// which `openapiv3` reads and `lower` tells apart.
fn querystring_params(parameters: Option<&mut Value>) {
    if let Some(Value::Array(parameters)) = parameters {
        parameters.iter_mut().for_each(querystring_param);
    }
}

fn querystring_param(p: &mut Value) {
    if let Some(p) = p.as_object_mut() {
        if p.get("in").and_then(Value::as_str) == Some("querystring") {
            p.insert("in".into(), Value::String("query".into()));
            p.insert(QUERYSTRING.into(), Value::Bool(true));
        }
    }
}

/// Marks a query parameter that was 3.2's `in: querystring`.
pub const QUERYSTRING: &str = "x-uniapi-querystring";

/// Where `load` keeps an operation's `callbacks`.
pub const CALLBACKS: &str = "x-uniapi-callbacks";

/// The extension that marks a security scheme of a type `openapiv3` does
/// not know, rewritten as an HTTP scheme: its value is the type.
pub(crate) const TYPE_MARK: &str = "x-uniapi-type";

/// Where `load` keeps a discriminator's `defaultMapping` (OpenAPI 3.2).
pub const DEFAULT_MAPPING: &str = "x-uniapi-default-mapping";

/// The fields of a path item that are operations of their method, in the
/// order of `openapiv3::PathItem` (3.2's `query` aside: [`QUERY`]).
pub const METHOD_FIELDS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where `load` keeps a path item's `query` operation (OpenAPI 3.2).
pub const QUERY: &str = "x-uniapi-query";

/// Where `load` keeps a path item's `additionalOperations` (OpenAPI 3.2).
pub const ADDITIONAL_OPERATIONS: &str = "x-uniapi-additional-operations";

/// Keys whose value maps names to schemas (or to other named things):
/// their keys are names, never keywords.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "schemas",
    "paths",
    "responses",
    "parameters",
    "headers",
    "content",
    "securitySchemes",
    "examples",
    "requestBodies",
    "callbacks",
    "links",
    "mapping",
    "variables",
    "encoding",
    "scopes",
];

/// Keys whose value is a list of name maps: security requirements, keyed
/// by scheme names.
const NAME_MAP_LISTS: &[&str] = &["security"];

/// What a value of the document is, as far as [`walk`] goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// An object that may be a schema.
    Plain,
    /// An object whose keys are names ([`NAME_MAPS`]), never keywords.
    Names,
    /// A list of such objects ([`NAME_MAP_LISTS`]).
    ListOfNames,
}

/// Schema-level rewrites, applied to every object of the document. They only
/// touch keywords in shapes that cannot be anything but a 3.1 schema.
fn walk(value: &mut Value, depth: usize, shape: Shape) {
    // Deeper than any real spec; the guard keeps a hostile one from
    // exhausting the stack.
    if depth > 2_000 {
        return;
    }
    match value {
        Value::Object(map) => {
            let name_map = shape != Shape::Plain;
            if !name_map {
                normalize_schema_keywords(map);
                example_values(map);
                if let Some(Value::Object(content)) = map.get_mut("content") {
                    keep_item_schemas(content);
                }
            }
            for (key, child) in map.iter_mut() {
                if !name_map
                    && matches!(
                        key.as_str(),
                        "example" | "examples" | "default" | "enum" | "const"
                    )
                {
                    continue;
                }
                let shape = match key.as_str() {
                    _ if name_map => Shape::Plain,
                    key if NAME_MAPS.contains(&key) => Shape::Names,
                    key if NAME_MAP_LISTS.contains(&key) => Shape::ListOfNames,
                    _ => Shape::Plain,
                };
                walk(child, depth + 1, shape);
            }
        }
        Value::Array(items) => {
            let shape = if shape == Shape::ListOfNames {
                Shape::Names
            } else {
                Shape::Plain
            };
            for item in items {
                walk(item, depth + 1, shape);
            }
        }
        _ => {}
    }
}

/// Keeps what `openapiv3` would drop of the sequential media types of a
/// `content` map: 3.2's `itemSchema`, and `schema` as written, for
/// `lower::sequence` to read.
fn keep_item_schemas(content: &mut Map<String, Value>) {
    for (media_type, media) in content.iter_mut() {
        let essence = crate::ir::essence(media_type);
        let Some(media) = media.as_object_mut() else {
            continue;
        };
        if let Some(item) = media.remove("itemSchema") {
            media.insert(crate::lower::ITEM_SCHEMA.into(), item);
        }
        if crate::lower::sequence(&essence).is_some() {
            if let Some(schema) = media.get("schema").cloned() {
                media.insert(crate::lower::SCHEMA.into(), schema);
            }
        }
    }
}

fn normalize_schema_keywords(map: &mut Map<String, Value>) {
    // 3.2's `discriminator.defaultMapping`, kept where `openapiv3` keeps
    // extensions.
    if let Some(Value::Object(discriminator)) = map.get_mut("discriminator") {
        if let Some(default) = discriminator.remove("defaultMapping") {
            discriminator.insert(DEFAULT_MAPPING.to_owned(), default);
        }
    }
    // `type: [T, "null"]` → `type: T, nullable: true`; several non-null
    // types become `anyOf`.
    if let Some(Value::Array(types)) = map.get("type") {
        let mut names: Vec<String> = types
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
        let nullable = names.iter().any(|t| t == "null");
        names.retain(|t| t != "null");
        map.remove("type");
        match names.len() {
            0 => {}
            1 => {
                map.insert("type".into(), Value::String(names.remove(0)));
            }
            _ => {
                let any_of = names
                    .into_iter()
                    .map(|t| serde_json::json!({ "type": t }))
                    .collect();
                map.insert("anyOf".into(), Value::Array(any_of));
            }
        }
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
    } else if map.get("type").and_then(Value::as_str) == Some("null") {
        map.remove("type");
        map.insert("nullable".into(), Value::Bool(true));
    }
    // Numeric exclusive bounds (3.1) → the 3.0 boolean form. Beside an
    // inclusive bound of its own, the stricter of the two holds.
    for (exclusive, bound, lower) in [
        ("exclusiveMinimum", "minimum", true),
        ("exclusiveMaximum", "maximum", false),
    ] {
        if let Some(Value::Number(n)) = map.get(exclusive) {
            let n = n.clone();
            let inclusive_is_stricter = match (map.get(bound).and_then(Value::as_f64), n.as_f64()) {
                (Some(inclusive), Some(exclusive)) if lower => inclusive > exclusive,
                (Some(inclusive), Some(exclusive)) => inclusive < exclusive,
                _ => false,
            };
            if inclusive_is_stricter {
                map.shift_remove(exclusive);
            } else {
                map.insert(bound.into(), Value::Number(n));
                map.insert(exclusive.into(), Value::Bool(true));
            }
        }
    }
    // `const: v` → `enum: [v]`.
    if let Some(c) = map.remove("const") {
        map.entry("enum").or_insert_with(|| Value::Array(vec![c]));
    }
    // Boolean schemas in the places a schema map holds them.
    for key in ["properties", "patternProperties", "$defs"] {
        if let Some(Value::Object(props)) = map.get_mut(key) {
            for (_, p) in props.iter_mut() {
                if let Value::Bool(b) = p {
                    *p = bool_schema(*b);
                }
            }
        }
    }
    for key in ["items", "not"] {
        if let Some(Value::Bool(b)) = map.get(key) {
            let s = bool_schema(*b);
            map.insert(key.into(), s);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            for item in items.iter_mut() {
                if let Value::Bool(b) = item {
                    *item = bool_schema(*b);
                }
            }
        }
    }
    // Numbers where openapiv3 wants strings.
    for key in ["description", "title", "pattern", "format"] {
        if let Some(v @ (Value::Number(_) | Value::Bool(_))) = map.get(key) {
            let s = v.to_string();
            map.insert(key.into(), Value::String(s));
        }
    }
}

fn bool_schema(accept: bool) -> Value {
    if accept {
        serde_json::json!({})
    } else {
        serde_json::json!({ "not": {} })
    }
}

/// Finds the 1-based line where `pointer` leads in the source text, by
/// looking for each key in turn. Good for diagnostics, not for parsing.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    // A one-line (minified) document has no useful line to point at.
    if pointer.is_empty() || !text.trim_end().contains('\n') {
        return None;
    }
    let mut pos = 0;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token.parse::<usize>().is_ok() {
            continue;
        }
        let candidates = [
            format!("\"{token}\""),
            format!("{token}:"),
            format!("'{token}'"),
        ];
        let found = candidates
            .iter()
            .filter_map(|c| text[pos..].find(c.as_str()))
            .min()?;
        pos += found + 1;
    }
    Some(text[..pos].matches('\n').count() + 1)
}
