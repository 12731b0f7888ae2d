//! Sequential media types (server-sent events, JSON Lines, JSON text
//! sequences): the type of one item, its examples, and the sentinel that
//! ends a stream of events.
//!
//! Which schema describes an item:
//!
//! - `itemSchema` (OpenAPI 3.2; taken from any version), which `load` keeps
//!   as `x-uniapi-item-schema`;
//! - else, in a 3.2 document, `schema` describes the whole stream as an
//!   array: its `items`;
//! - else (3.0 and 3.1, where real specs describe one event or line with
//!   `schema`) `schema` itself. An array there is ambiguous (an item that
//!   is an array, or the whole stream?): it is read as one item, with a
//!   warning.
//!
//! An event's item schema in the 3.2 style is an object of `data`,
//! `event`, `id` and `retry`; the type of the data is then `data`'s
//! `contentSchema`, or `data`'s own schema (a string: the data is text).
//! Any other schema is the data's (3.0 style). Without a schema, data is
//! text and a line or a record any JSON value.

use openapiv3::{ReferenceOr, Schema};
use serde_json::Value;

use super::schema::{SchemaRef, Schemas};
use crate::diag::{Diagnostic, join};
use crate::ir::{Prim, Sequence, Ty};
use crate::load::Loaded;

/// Where `load` keeps a media type's `itemSchema` (which `openapiv3`
/// would drop) and a copy of a sequential one's `schema` as written.
pub(crate) const ITEM_SCHEMA: &str = "x-uniapi-item-schema";
pub(crate) const SCHEMA: &str = "x-uniapi-schema";

/// The extension a spec names an event stream's end with (Speakeasy's).
const SENTINEL: &str = "x-speakeasy-sse-sentinel";

/// The sentinel OpenAI-style streams end with.
const DONE: &str = "[DONE]";

/// The framing of a sequential media type, by its essence.
pub(crate) fn sequence(essence: &str) -> Option<Sequence> {
    match essence {
        "text/event-stream" => Some(Sequence::Events),
        "application/jsonl"
        | "application/x-jsonl"
        | "application/jsonlines"
        | "application/x-jsonlines"
        | "application/json-lines"
        | "application/x-json-lines"
        | "application/x-ndjson"
        | "application/ndjson" => Some(Sequence::Lines),
        "application/json-seq" => Some(Sequence::Records),
        _ => None,
    }
}

/// One item of a sequential body, as the spec describes it.
pub(super) struct Item {
    pub ty: Ty,
    /// The examples, one item each.
    pub examples: Vec<(String, Value)>,
    /// For events, the data that ends the stream.
    pub sentinel: Option<String>,
}

/// A sequential media type of a body.
pub(super) struct Media<'m> {
    pub sequence: Sequence,
    pub media: &'m openapiv3::MediaType,
    /// Where it is.
    pub pointer: &'m str,
    /// The words its hoisted types are named from.
    pub hint: &'m str,
}

/// The item of `media`. `examples` are the media type's; `description`
/// the response's.
pub(super) fn item(
    loaded: &Loaded,
    schemas: &mut Schemas<'_>,
    media: Media<'_>,
    examples: Vec<(String, Value)>,
    description: Option<&str>,
) -> Item {
    let Media {
        sequence,
        media,
        pointer,
        hint,
    } = media;
    let raw = &loaded.raw;
    let version_3_2 = loaded.declared_version.starts_with("3.2");
    let mut whole_stream = false;
    let schema = match (
        media.extensions.get(ITEM_SCHEMA),
        media.extensions.get(SCHEMA),
    ) {
        (Some(item), _) => Some((item, join(pointer, "itemSchema"))),
        (None, Some(schema)) => {
            let at = join(pointer, "schema");
            let array = follow(raw, schema)
                .get("items")
                .filter(|_| is_array(raw, schema));
            match array {
                Some(items) if version_3_2 => {
                    whole_stream = true;
                    Some((items, join(&at, "items")))
                }
                _ => {
                    if version_3_2 || array.is_some() {
                        schemas.diags.push(
                            Diagnostic::warning(
                                &at,
                                if version_3_2 {
                                    "the `schema` of a sequential media type describes the whole stream, as an array; this one is not an array, so it is read as one item"
                                } else {
                                    "an array `schema` of a sequential media type is ambiguous (each item an array, or the whole stream?); it is read as one item"
                                },
                            )
                            .with_hint("describe one item with `itemSchema` (OpenAPI 3.2)"),
                        );
                    }
                    Some((schema, at))
                }
            }
        }
        (None, None) => None,
    };
    let mut text = false;
    let ty = match (sequence, schema) {
        (Sequence::Events, None) => {
            text = true;
            Ty::Prim(Prim::String)
        }
        (_, None) => Ty::Any,
        (Sequence::Events, Some((schema, at))) => match event_data(raw, schema) {
            Some(Data::Content(content)) => {
                let at = join(&join(&join(&at, "properties"), "data"), "contentSchema");
                ty_of(schemas, content, &at, hint)
            }
            Some(Data::Own(data)) => {
                let at = join(&join(&at, "properties"), "data");
                text = is_string(raw, data);
                ty_of(schemas, data, &at, hint)
            }
            Some(Data::Absent) => {
                text = true;
                Ty::Prim(Prim::String)
            }
            None => {
                text = is_string(raw, schema);
                ty_of(schemas, schema, &at, hint)
            }
        },
        (_, Some((schema, at))) => ty_of(schemas, schema, &at, hint),
    };
    let examples = examples
        .into_iter()
        .flat_map(|(at, value)| items_of(sequence, text, whole_stream || !is_list(&ty), at, value))
        .collect();
    let sentinel = (sequence == Sequence::Events)
        .then(|| sentinel(media, schema_description(raw, media), description))
        .flatten();
    Item {
        ty,
        examples,
        sentinel,
    }
}

/// How an event schema in the 3.2 style types its data.
enum Data<'v> {
    /// `data` has a `contentSchema`: JSON of that schema.
    Content(&'v Value),
    /// `data`'s own schema.
    Own(&'v Value),
    /// No `data` property: text.
    Absent,
}

/// The data of an event schema in the 3.2 style (an object whose
/// properties are among `data`, `event`, `id` and `retry`, `data` one of
/// them); `None` for any other schema.
fn event_data<'v>(raw: &'v Value, schema: &'v Value) -> Option<Data<'v>> {
    let properties = follow(raw, schema).get("properties")?.as_object()?;
    let framing = properties
        .keys()
        .all(|k| matches!(k.as_str(), "data" | "event" | "id" | "retry"));
    if !framing || !properties.contains_key("data") {
        return None;
    }
    Some(match properties.get("data") {
        Some(data) => match follow(raw, data).get("contentSchema") {
            Some(content) => Data::Content(content),
            None => Data::Own(data),
        },
        None => Data::Absent,
    })
}

/// The type of a schema written as JSON (`load` normalized it).
fn ty_of(schemas: &mut Schemas<'_>, schema: &Value, at: &str, hint: &str) -> Ty {
    match serde_json::from_value::<ReferenceOr<Schema>>(schema.clone()) {
        Ok(schema) => schemas.ty(SchemaRef::from(&schema), at, hint),
        Err(e) => {
            schemas.diags.push(
                Diagnostic::warning(at, format!("item schema cannot be read: {e}"))
                    .with_hint("fix the schema; its items are taken as any JSON value"),
            );
            Ty::Any
        }
    }
}

/// `value`, or what its `$ref`s lead to in `raw`.
fn follow<'v>(raw: &'v Value, mut value: &'v Value) -> &'v Value {
    for _ in 0..16 {
        let Some(target) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|fragment| raw.pointer(&crate::load::decode_fragment(fragment)))
        else {
            break;
        };
        value = target;
    }
    value
}

fn is_array(raw: &Value, schema: &Value) -> bool {
    follow(raw, schema).get("type").and_then(Value::as_str) == Some("array")
}

/// A plain string schema (not JSON in a string).
fn is_string(raw: &Value, schema: &Value) -> bool {
    let schema = follow(raw, schema);
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("enum").is_none()
        && schema.get("format").is_none()
        && !schema
            .get("contentMediaType")
            .and_then(Value::as_str)
            .is_some_and(|m| m.contains("json"))
}

fn is_list(ty: &Ty) -> bool {
    matches!(ty, Ty::List(_))
}

/// The description of the item's schema, where there is one.
fn schema_description<'v>(raw: &'v Value, media: &'v openapiv3::MediaType) -> Option<&'v str> {
    let schema = media
        .extensions
        .get(ITEM_SCHEMA)
        .or(media.extensions.get(SCHEMA))?;
    follow(raw, schema).get("description")?.as_str()
}

/// The data that ends a stream of events: the media type's
/// `x-speakeasy-sse-sentinel`, else `[DONE]` where a description of the
/// response or of its item names it.
fn sentinel(
    media: &openapiv3::MediaType,
    schema: Option<&str>,
    response: Option<&str>,
) -> Option<String> {
    if let Some(given) = media.extensions.get(SENTINEL).and_then(Value::as_str) {
        return Some(given.to_owned());
    }
    [schema, response]
        .into_iter()
        .flatten()
        .any(|d| d.contains(DONE))
        .then(|| DONE.to_owned())
}

/// The items an example of a sequential body stands for: the events or
/// lines of an example written as the wire's text, the elements of an
/// array where items are not arrays (or `schema` describes the whole
/// stream), else the example itself.
fn items_of(
    sequence: Sequence,
    text: bool,
    array_is_stream: bool,
    at: String,
    value: Value,
) -> Vec<(String, Value)> {
    let parse = |data: &str| -> Option<Value> {
        if text {
            Some(Value::String(data.to_owned()))
        } else {
            serde_json::from_str(data).ok()
        }
    };
    match value {
        Value::String(wire) if sequence == Sequence::Events && wire.contains("data:") => {
            event_data_of(&wire)
                .iter()
                .filter(|data| data.as_str() != DONE)
                .filter_map(|data| parse(data))
                .map(|v| (at.clone(), v))
                .collect()
        }
        Value::String(wire) if sequence != Sequence::Events => wire
            .split(['\n', '\u{1e}'])
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .filter_map(|line| serde_json::from_str(line).ok())
            .map(|v| (at.clone(), v))
            .collect(),
        Value::Array(items) if array_is_stream => {
            items.into_iter().map(|v| (at.clone(), v)).collect()
        }
        value => vec![(at, value)],
    }
}

/// The data of each event in the text of an event stream.
fn event_data_of(wire: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut data: Option<String> = None;
    for line in wire.lines().chain([""]) {
        if line.trim().is_empty() {
            out.extend(data.take());
        } else if let Some(value) = line.strip_prefix("data:") {
            let value = value.strip_prefix(' ').unwrap_or(value);
            match &mut data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => data = Some(value.to_owned()),
            }
        }
    }
    out
}
