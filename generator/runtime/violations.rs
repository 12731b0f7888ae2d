//! The server's second look at a JSON body that did not deserialize: a walk
//! over the body as a `serde_json::Value` that lists every violation (wrong
//! types, missing properties, values outside their rules, unknown enum
//! values) with its JSON pointer, where serde stops at the first. It runs
//! only on the error path, so a good request pays nothing for it.
//!
//! The crate's `server` module implements [`Violations`] for the types that
//! its request bodies reach.

use super::problem::Violation;

/// Lists what is wrong with a JSON value that did not deserialize as
/// `Self`, each with the JSON pointer `at` extended to it.
pub trait Violations {
    /// Pushes onto `out` what is wrong with `value`, found at `at`.
    fn violations(value: &serde_json::Value, at: &mut String, out: &mut Vec<Violation>);
}

/// Extends the JSON pointer `at` by one reference token.
pub fn push_token(at: &mut String, token: &str) {
    at.push('/');
    at.push_str(&token.replace('~', "~0").replace('/', "~1"));
}

/// A value whose type has no parts: checked by deserializing it.
pub fn leaf<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    at: &str,
    out: &mut Vec<Violation>,
) {
    if let Err(error) = T::deserialize(value) {
        out.push(Violation {
            pointer: at.to_owned(),
            detail: error.to_string(),
        });
    }
}

impl Violations for serde_json::Value {
    fn violations(_: &serde_json::Value, _: &mut String, _: &mut Vec<Violation>) {}
}

impl<T: Violations> Violations for Option<T> {
    fn violations(value: &serde_json::Value, at: &mut String, out: &mut Vec<Violation>) {
        if !value.is_null() {
            T::violations(value, at, out);
        }
    }
}

impl<T: Violations> Violations for Vec<T> {
    fn violations(value: &serde_json::Value, at: &mut String, out: &mut Vec<Violation>) {
        let Some(items) = value.as_array() else {
            out.push(Violation {
                pointer: at.clone(),
                detail: "must be an array".to_owned(),
            });
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let len = at.len();
            push_token(at, &i.to_string());
            T::violations(item, at, out);
            at.truncate(len);
        }
    }
}

impl<T: Violations> Violations for std::collections::BTreeMap<String, T> {
    fn violations(value: &serde_json::Value, at: &mut String, out: &mut Vec<Violation>) {
        let Some(object) = value.as_object() else {
            out.push(Violation {
                pointer: at.clone(),
                detail: "must be an object".to_owned(),
            });
            return;
        };
        for (key, item) in object {
            let len = at.len();
            push_token(at, key);
            T::violations(item, at, out);
            at.truncate(len);
        }
    }
}

/// The object's members, or a violation when it is none.
pub fn members<'v>(
    value: &'v serde_json::Value,
    at: &str,
    out: &mut Vec<Violation>,
) -> Option<&'v serde_json::Map<String, serde_json::Value>> {
    let object = value.as_object();
    if object.is_none() {
        out.push(Violation {
            pointer: at.to_owned(),
            detail: "must be an object".to_owned(),
        });
    }
    object
}

/// Checks the property `name` of `object`.
pub fn property<T: Violations>(
    object: &serde_json::Map<String, serde_json::Value>,
    name: &str,
    required: bool,
    at: &mut String,
    out: &mut Vec<Violation>,
) {
    let len = at.len();
    push_token(at, name);
    match object.get(name) {
        Some(value) => T::violations(value, at, out),
        None if required => out.push(Violation {
            pointer: at.clone(),
            detail: "is required".to_owned(),
        }),
        None => {}
    }
    at.truncate(len);
}
