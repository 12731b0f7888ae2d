//! Callbacks' URLs: the runtime expressions of a callback's key
//! (`{$request.body#/callbackUrl}/data`), read into [`ir::UrlPart`]s.

use crate::ir::{Expression, UrlPart};

/// The parts of a callback's key, or why it cannot be evaluated against
/// the request (a `$response` expression, a malformed one).
pub(super) fn url(key: &str) -> Result<Vec<UrlPart>, String> {
    // A key that starts with `$` is one expression, without braces.
    if key.starts_with('$') {
        return Ok(vec![UrlPart::Expression(expression(key)?)]);
    }
    let mut parts = Vec::new();
    let mut rest = key;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(UrlPart::Text(rest[..open].to_owned()));
        }
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| format!("`{{` without `}}` in `{key}`"))?;
        parts.push(UrlPart::Expression(expression(&rest[open + 1..close])?));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(UrlPart::Text(rest.to_owned()));
    }
    if !parts.iter().any(|p| matches!(p, UrlPart::Expression(_))) {
        return Err(format!(
            "`{key}` has no runtime expression: where does the caller say its URL?"
        ));
    }
    Ok(parts)
}

/// One runtime expression (OpenAPI 3.x, "Runtime Expressions"). Path
/// parameters (`$request.path.name`) are not read: a URL is given in the
/// body, the query or a header.
fn expression(text: &str) -> Result<Expression, String> {
    let text = text.trim();
    let unsupported = || format!("`{text}` cannot be evaluated against the request");
    match text {
        "$url" => return Ok(Expression::Url),
        "$method" => return Ok(Expression::Method),
        _ => {}
    }
    let Some(source) = text.strip_prefix("$request.") else {
        return Err(unsupported());
    };
    if let Some(body) = source.strip_prefix("body") {
        return match body {
            "" => Ok(Expression::Body(String::new())),
            _ => match body.strip_prefix('#') {
                Some(pointer) if pointer.is_empty() || pointer.starts_with('/') => {
                    Ok(Expression::Body(pointer.to_owned()))
                }
                _ => Err(unsupported()),
            },
        };
    }
    let (kind, name) = source.split_once('.').ok_or_else(unsupported)?;
    if name.is_empty() {
        return Err(unsupported());
    }
    match kind {
        "query" => Ok(Expression::Query(name.to_owned())),
        "header" => Ok(Expression::Header(name.to_ascii_lowercase())),
        _ => Err(unsupported()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_as_text_and_expressions() {
        let cases: &[(&str, Vec<UrlPart>)] = &[
            (
                "{$request.query.callbackUrl}/data",
                vec![
                    UrlPart::Expression(Expression::Query("callbackUrl".into())),
                    UrlPart::Text("/data".into()),
                ],
            ),
            (
                "{$request.body#/callbackUrl}",
                vec![UrlPart::Expression(Expression::Body("/callbackUrl".into()))],
            ),
            (
                "$request.body",
                vec![UrlPart::Expression(Expression::Body(String::new()))],
            ),
            (
                "https://hooks.example/{$request.query.id}?from={$method}&u={$url}",
                vec![
                    UrlPart::Text("https://hooks.example/".into()),
                    UrlPart::Expression(Expression::Query("id".into())),
                    UrlPart::Text("?from=".into()),
                    UrlPart::Expression(Expression::Method),
                    UrlPart::Text("&u=".into()),
                    UrlPart::Expression(Expression::Url),
                ],
            ),
            (
                "{$request.header.X-Hook}",
                vec![UrlPart::Expression(Expression::Header("x-hook".into()))],
            ),
        ];
        for (key, parts) in cases {
            assert_eq!(url(key).as_ref(), Ok(parts), "{key}");
        }
    }

    #[test]
    fn what_the_request_cannot_give_is_refused() {
        for key in [
            "{$response.body#/url}",
            "{$statusCode}",
            "{$request.cookie.a}",
            "{$request.path.id}",
            "{$request.query.}",
            "{$request.body#url}",
            "{$request.query.a",
            "https://fixed.example/hook",
        ] {
            assert!(url(key).is_err(), "{key}");
        }
    }
}
