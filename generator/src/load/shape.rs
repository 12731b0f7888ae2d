//! Where a document that does not match OpenAPI 3 goes wrong.
//!
//! `serde_path_to_error` follows the parse into every field, but not into
//! what `openapiv3` parses through a buffer: `ReferenceOr` (an untagged
//! enum inside), the flattened maps `paths` and an operation's
//! `responses`, and the flattened halves of a schema, a parameter or a
//! header. The path it gives stops at the first of those. From there,
//! [`locate`] parses the value again as what its place holds, which takes
//! the path past that boundary, and so on to the value that is wrong.

use indexmap::IndexMap;
use openapiv3::{
    AnySchema, Example, Header, Link, MediaType, Parameter, PathItem, ReferenceOr, RequestBody,
    Response, Schema, SchemaData, SecurityScheme,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a place of the document holds, where the parse loses its path.
#[derive(Debug, Clone, Copy)]
enum Place {
    Paths,
    PathItem,
    Responses,
    Response,
    Parameter,
    Header,
    RequestBody,
    Schema,
    Example,
    Link,
    SecurityScheme,
}

/// The pointer and message of a shape error, from where the path-tracking
/// parse stopped (`pointer`, with its `message`) down to the value that is
/// wrong.
pub(super) fn locate(raw: &Value, mut pointer: String, mut message: String) -> (String, String) {
    // Each step goes at least one level down; real documents are far
    // shallower than this.
    for _ in 0..256 {
        let (Some(value), Some(place)) = (raw.pointer(&pointer), place_at(&pointer)) else {
            break;
        };
        match inside(place, value) {
            Some((path, inner)) if !path.is_empty() => {
                pointer.push_str(&path);
                message = inner;
            }
            _ => break,
        }
    }
    (pointer, message)
}

/// What the place at `pointer` holds, judged by the keys that lead there.
fn place_at(pointer: &str) -> Option<Place> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let n = tokens.len();
    let last = tokens.last()?.as_str();
    let parent = n.checked_sub(2).map_or("", |i| tokens[i].as_str());
    let top = tokens[0].as_str();
    Some(match (top, n) {
        ("paths", 1) => Place::Paths,
        ("paths", 2) => Place::PathItem,
        ("components", 3) => match parent {
            "schemas" => Place::Schema,
            "responses" => Place::Response,
            "parameters" => Place::Parameter,
            "examples" => Place::Example,
            "requestBodies" => Place::RequestBody,
            "headers" => Place::Header,
            "securitySchemes" => Place::SecurityScheme,
            "links" => Place::Link,
            _ => return None,
        },
        // Schemas first: a property may be called `responses`.
        _ if matches!(parent, "properties" | "allOf" | "oneOf" | "anyOf")
            || matches!(last, "schema" | "items" | "not" | "additionalProperties") =>
        {
            Place::Schema
        }
        ("paths", 4) if last == "responses" => Place::Responses,
        _ if last == "requestBody" => Place::RequestBody,
        _ => match parent {
            "parameters" => Place::Parameter,
            "responses" => Place::Response,
            "headers" => Place::Header,
            "examples" => Place::Example,
            "links" => Place::Link,
            _ => return None,
        },
    })
}

/// Where in `value`, which `place` holds, the parse fails, and why
/// (`None` if it does not, or if `value` is a reference).
fn inside(place: Place, value: &Value) -> Option<(String, String)> {
    if value.get("$ref").is_some_and(Value::is_string) {
        return None;
    }
    match place {
        Place::Paths => first_entry::<PathItem>(value),
        Place::Responses => first_entry::<Response>(value),
        Place::PathItem => tracked::<PathItem>(value),
        Place::Response => tracked::<Response>(value),
        Place::RequestBody => tracked::<RequestBody>(value),
        Place::Example => tracked::<Example>(value),
        Place::Link => tracked::<Link>(value),
        Place::SecurityScheme => tracked::<SecurityScheme>(value),
        Place::Parameter => schema_or_content(value).or_else(|| tracked::<Parameter>(value)),
        Place::Header => schema_or_content(value).or_else(|| tracked::<Header>(value)),
        Place::Schema => tracked::<SchemaData>(value)
            .or_else(|| tracked::<AnySchema>(value))
            .or_else(|| tracked::<Schema>(value)),
    }
}

/// The parse of `value` as `T`, with the path of its failure.
fn tracked<T: DeserializeOwned>(value: &Value) -> Option<(String, String)> {
    serde_path_to_error::deserialize::<_, T>(value)
        .err()
        .map(|e| (super::path_to_pointer(e.path()), e.inner().to_string()))
}

/// The first entry of a map of `T`s (extensions aside) that does not parse.
fn first_entry<T: DeserializeOwned>(value: &Value) -> Option<(String, String)> {
    value
        .as_object()?
        .iter()
        .filter(|(key, _)| !key.starts_with("x-"))
        .find_map(|(key, entry)| {
            ReferenceOr::<T>::deserialize(entry)
                .err()
                .map(|e| (crate::diag::join("", key), e.to_string()))
        })
}

/// A parameter's or header's `schema` or `content`, which `openapiv3`
/// parses flattened.
fn schema_or_content(value: &Value) -> Option<(String, String)> {
    if let Some(schema) = value.get("schema") {
        if let Err(e) = ReferenceOr::<Schema>::deserialize(schema) {
            return Some(("/schema".to_owned(), e.to_string()));
        }
    }
    let content = value.get("content")?;
    tracked::<IndexMap<String, MediaType>>(content)
        .map(|(path, message)| (format!("/content{path}"), message))
}
