//! Examples against the types they illustrate. An example that does not
//! fit its schema is a mistake in the spec: it gets a warning, and is left
//! out of the model (so the generated test that examples deserialize, and
//! anything that serves examples, sees only the ones that fit). The check
//! follows what the generated serde code accepts.

use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics, join};
use crate::ir::{self, Literal, Prim, Ty, TypeKind};

/// Drops, with a warning, the examples in `api` that do not fit.
pub(super) fn check(api: &mut ir::Api, diags: &mut Diagnostics) {
    let mut keep = Vec::with_capacity(api.types.len());
    for (i, def) in api.types.iter().enumerate() {
        keep.push(match &def.example {
            Some(example) => fits(api, &Ty::Named(ir::TypeId(i)), example, &def.origin, diags),
            None => true,
        });
    }
    for (def, keep) in api.types.iter_mut().zip(keep) {
        if !keep {
            def.example = None;
        }
    }
    let mut operations = std::mem::take(&mut api.operations);
    let mut webhooks = std::mem::take(&mut api.webhooks);
    let mut callbacks = std::mem::take(&mut api.callbacks);
    for op in operations
        .iter_mut()
        .chain(&mut webhooks)
        .chain(&mut callbacks)
    {
        for body in op
            .bodies
            .iter_mut()
            .filter(|b| matches!(b.media, ir::MediaKind::Json | ir::MediaKind::Sequence(_)))
        {
            let ty = body.ty.clone();
            body.examples.retain(|(at, v)| fits(api, &ty, v, at, diags));
        }
        for response in &mut op.responses {
            for body in response
                .bodies
                .iter_mut()
                .filter(|b| matches!(b.media, ir::MediaKind::Json | ir::MediaKind::Sequence(_)))
            {
                let ty = body.ty.clone();
                body.examples.retain(|(at, v)| fits(api, &ty, v, at, diags));
            }
        }
    }
    api.operations = operations;
    api.webhooks = webhooks;
    api.callbacks = callbacks;
}

fn fits(api: &ir::Api, ty: &Ty, value: &Value, at: &str, diags: &mut Diagnostics) -> bool {
    let mut wrong = Vec::new();
    walk(api, ty, value, "", 0, &mut wrong);
    match wrong.first() {
        None => true,
        Some((pointer, what)) => {
            let place = if pointer.is_empty() {
                String::new()
            } else {
                format!(" at `{pointer}`")
            };
            diags.push(
                Diagnostic::warning(
                    at,
                    format!("example does not fit its schema{place}: {what}"),
                )
                .with_hint(
                    "fix the example or the schema; the example is left out of the generated test",
                ),
            );
            false
        }
    }
}

fn walk(
    api: &ir::Api,
    ty: &Ty,
    value: &Value,
    at: &str,
    depth: usize,
    wrong: &mut Vec<(String, String)>,
) {
    if depth > 64 || !wrong.is_empty() {
        return;
    }
    let mut fail = |what: String| wrong.push((at.to_owned(), what));
    match ty {
        Ty::Any => {}
        Ty::Nullable(inner) => {
            if !value.is_null() {
                walk(api, inner, value, at, depth + 1, wrong);
            }
        }
        Ty::List(inner) => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(api, inner, item, &format!("{at}/{i}"), depth + 1, wrong);
                }
            }
            None => fail("expected an array".into()),
        },
        Ty::Map(inner) => match value.as_object() {
            Some(map) => {
                for (k, v) in map {
                    walk(api, inner, v, &join(at, k), depth + 1, wrong);
                }
            }
            None => fail("expected an object".into()),
        },
        Ty::Prim(p) => {
            if let Err(what) = prim(*p, value) {
                fail(what);
            }
        }
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct(s) => {
                let Some(map) = value.as_object() else {
                    return fail("expected an object".into());
                };
                for f in &s.fields {
                    let at = join(at, &f.wire);
                    match map.get(&f.wire) {
                        // `null` for an optional field reads as `None`.
                        Some(Value::Null) if !f.required && f.default.is_none() => {}
                        Some(v) => walk(api, &f.ty, v, &at, depth + 1, wrong),
                        None if f.required && f.default.is_none() => {
                            wrong.push((at, "a required property is missing".into()));
                        }
                        None => {}
                    }
                    if !wrong.is_empty() {
                        return;
                    }
                }
            }
            TypeKind::Enum(e) => {
                let wire = if e.integer {
                    value.as_i64().map(|i| i.to_string())
                } else {
                    value.as_str().map(str::to_owned)
                };
                if !wire.is_some_and(|w| e.variants.iter().any(|v| v.wire == w)) {
                    fail(format!("{value} is not one of the enum's values"));
                }
            }
            TypeKind::Union(u) => {
                let variant_fits = |v: &ir::UnionVariant| {
                    let mut inner = Vec::new();
                    walk(api, &v.ty, value, at, depth + 1, &mut inner);
                    inner.is_empty()
                };
                let ok = match &u.tag {
                    Some(tag) => {
                        // As the generated code reads it: the variant the
                        // tag names, else the `defaultMapping` one.
                        let t = value.get(tag).and_then(Value::as_str);
                        u.variants
                            .iter()
                            .find(|v| t.is_some_and(|t| v.tags.iter().any(|x| x == t)))
                            .or_else(|| u.default.and_then(|i| u.variants.get(i)))
                            .is_some_and(variant_fits)
                    }
                    None => u.variants.iter().any(variant_fits),
                };
                if !ok {
                    fail("fits none of the variants".into());
                }
            }
            TypeKind::Alias(inner) | TypeKind::Newtype(inner) => {
                walk(api, inner, value, at, depth + 1, wrong)
            }
            TypeKind::Constrained(inner, rules) => {
                walk(api, inner, value, at, depth + 1, wrong);
                if !wrong.is_empty() {
                    return;
                }
                let literal = match value {
                    Value::String(s) => Some(Literal::String(s.clone())),
                    Value::Number(n) => n
                        .as_i64()
                        .map(Literal::Int)
                        .or(n.as_f64().map(Literal::Float)),
                    _ => None,
                };
                let mut broken = literal.map(|l| rules.violations(&l)).unwrap_or_default();
                if let Some(items) = value.as_array() {
                    let n = items.len() as u64;
                    if rules.min_items.is_some_and(|m| n < m)
                        || rules.max_items.is_some_and(|m| n > m)
                    {
                        broken.push("minItems/maxItems".into());
                    }
                    if rules.unique_items
                        && items
                            .iter()
                            .enumerate()
                            .any(|(i, x)| items[..i].contains(x))
                    {
                        broken.push("uniqueItems".into());
                    }
                }
                if let Some(rule) = broken.first() {
                    wrong.push((at.to_owned(), format!("{value} breaks `{rule}`")));
                }
            }
        },
    }
}

fn prim(p: Prim, value: &Value) -> Result<(), String> {
    let ok = match p {
        Prim::String => value.is_string(),
        Prim::Bool => value.is_boolean(),
        Prim::I64 => value.is_i64() || value.is_u64() && value.as_i64().is_some(),
        Prim::I32 => value.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        Prim::F32 | Prim::F64 => value.is_number(),
        Prim::Bytes => true,
        Prim::File => value.is_object(),
        Prim::DateTime => value.as_str().is_some_and(is_date_time),
        Prim::Date => value.as_str().is_some_and(is_date),
        Prim::Uuid => value.as_str().is_some_and(is_uuid),
        Prim::Base64 => value.as_str().is_some_and(is_base64),
        Prim::Int64Text => {
            value.as_i64().is_some() || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
        }
        Prim::Decimal => value.as_str().is_some_and(is_decimal) || value.is_number(),
    };
    if ok {
        Ok(())
    } else {
        let expected = match p {
            Prim::String => "a string",
            Prim::Bool => "a boolean",
            Prim::I32 => "a 32-bit integer",
            Prim::I64 => "an integer",
            Prim::F32 | Prim::F64 => "a number",
            Prim::Bytes => "bytes",
            Prim::File => "a file",
            Prim::DateTime => "an RFC 3339 date-time",
            Prim::Date => "a date (YYYY-MM-DD)",
            Prim::Uuid => "a UUID",
            Prim::Base64 => "base64 text",
            Prim::Int64Text => "a 64-bit integer (or its text)",
            Prim::Decimal => "a decimal number's text",
        };
        Err(format!("{value} is not {expected}"))
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_date_time(s: &str) -> bool {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
        )
        .ok()
    });
    RE.as_ref().is_some_and(|re| re.is_match(s))
}

fn is_uuid(s: &str) -> bool {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    (s.len() == 36 || s.len() == 32)
        && hex.len() == 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn is_base64(s: &str) -> bool {
    s.len() % 4 == 0
        && s.trim_end_matches('=').len() + 2 >= s.len()
        && s.trim_end_matches('=')
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// Whether `s` is a decimal number as `rust_decimal` reads it: a sign,
/// digits and at most one point (or an exponent).
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (digits, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && exponent.is_none_or(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()))
}
