//! What a handler's parser and response writer call: parameters in their
//! styles, credentials' places, bodies read whole and checked, and responses
//! encoded. Each answers a bad request with a [`Problem`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::problem::{BadParameter, ErrorShape, Problem, Violation};
use super::violations::Violations;

/// Turns a handler's result into the HTTP response: an `Err` is a logged
/// 500, or a 413 when it comes from a streamed body that went over the
/// limit, or a 400 for a malformed item of the request's stream (a handler
/// that gives the stream's error back gets that without any code of its
/// own).
pub fn respond<R: IntoResponse>(
    result: Result<R, super::api::Error>,
    errors: &[(u16, ErrorShape)],
) -> Response {
    match result {
        Ok(response) => response.into_response(),
        Err(error) if over_limit(&error) => over_limit_problem().into_response(),
        Err(super::api::Error::Item { index, message }) => Problem::new(
            StatusCode::BAD_REQUEST,
            format!("item {index} of the request body (counted from 0) is malformed: {message}"),
        )
        .answer(errors),
        Err(error) => {
            tracing::error!("handler failed: {error}");
            let (status, detail) = failure(&error);
            Problem::new(status, detail).answer(errors)
        }
    }
}

/// The status and detail of a handler's `Err`. The errors a call to
/// another server makes (a gateway's, or a handler's that passes on a
/// generated client's error) are that server's failure: 504 when it did
/// not answer in time, 502 when it could not be reached or answered
/// what its spec does not allow. Anything else is this server's: 500.
fn failure(error: &super::api::Error) -> (StatusCode, &'static str) {
    use super::api::Error;
    match error {
        Error::Timeout(_) => (
            StatusCode::GATEWAY_TIMEOUT,
            "the upstream server did not answer in time",
        ),
        Error::Transport(_) => (
            StatusCode::BAD_GATEWAY,
            "the upstream server could not be reached",
        ),
        Error::Decode { .. } | Error::UnexpectedStatus { .. } => (
            StatusCode::BAD_GATEWAY,
            "the upstream server's answer does not match its spec",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server could not answer",
        ),
    }
}

/// Parses one parameter value.
pub fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, Problem>
where
    T::Err: std::fmt::Display,
{
    raw.parse().map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("invalid value `{raw}`: {e}"),
        )
    })
}

/// Parses repeated values (`name=a&name=b`).
pub fn parse_each<T: std::str::FromStr>(raw: Vec<&str>) -> Result<Vec<T>, Problem>
where
    T::Err: std::fmt::Display,
{
    raw.into_iter().map(parse).collect()
}

/// A parameter given as JSON text (`content: application/json`).
pub fn json_param<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, Problem> {
    serde_json::from_str(raw).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("invalid JSON value `{raw}`: {e}"),
        )
    })
}

/// A `label` or `matrix` value without its lead (`.`, `;name=`).
pub fn strip_lead<'a>(raw: &'a str, lead: &str) -> Result<&'a str, Problem> {
    if let Some(rest) = raw.strip_prefix(lead) {
        return Ok(rest);
    }
    // `;name` alone is the empty value.
    match lead.strip_suffix('=') {
        Some(bare) if raw == bare => Ok(""),
        _ => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            format!("`{raw}` does not start with `{lead}`"),
        )),
    }
}

/// The parts of an array or object value: after `lead`, split at `sep`, or,
/// where `sep` is empty, each part after `prefix`.
pub fn unstyle<'a>(
    raw: &'a str,
    lead: &str,
    prefix: &str,
    sep: &str,
) -> Result<Vec<&'a str>, Problem> {
    let bad = || {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("`{raw}` is not in the parameter's style"),
        )
    };
    let rest = if lead.is_empty() {
        raw
    } else {
        raw.strip_prefix(lead).ok_or_else(bad)?
    };
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    if sep.is_empty() {
        let mut parts = rest.split(prefix);
        if parts.next() != Some("") {
            return Err(bad());
        }
        Ok(parts.collect())
    } else {
        Ok(rest.split(sep).collect())
    }
}

/// An object's properties from `k=v` parts (`explode`) or from alternating
/// `k`, `v` parts.
pub fn pairs(parts: Vec<&str>, explode: bool) -> Result<Vec<(&str, &str)>, Problem> {
    let bad = || {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "an object parameter is not in `key,value` pairs",
        )
    };
    if explode {
        parts
            .into_iter()
            .map(|part| part.split_once('=').ok_or_else(bad))
            .collect()
    } else if parts.len().is_multiple_of(2) {
        Ok(parts.chunks(2).map(|pair| (pair[0], pair[1])).collect())
    } else {
        Err(bad())
    }
}

/// An object parameter from its properties, each parsed as its field's type
/// (as a form body would be).
pub fn object_param<T: serde::de::DeserializeOwned>(
    pairs: Vec<(&str, &str)>,
) -> Result<T, Problem> {
    let bad = |e: String| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("invalid object parameter: {e}"),
        )
    };
    let form = serde_urlencoded::to_string(&pairs).map_err(|e| bad(e.to_string()))?;
    serde_urlencoded::from_str(&form).map_err(|e| bad(e.to_string()))
}

/// The query parameters that `takes` claims (an exploded object's
/// properties); `None` when there is none.
pub fn query_fields(
    query: &[(String, String)],
    takes: impl Fn(&str) -> bool,
) -> Option<Vec<(&str, &str)>> {
    let pairs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(key, _)| takes(key))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if pairs.is_empty() {
        None
    } else {
        Some(pairs)
    }
}

/// The properties of `name[key]=value` query parameters; `None` when there
/// is none.
pub fn deep_object<'a>(
    query: &'a [(String, String)],
    name: &str,
) -> Option<Vec<(&'a str, &'a str)>> {
    let pairs: Vec<(&str, &str)> = query
        .iter()
        .filter_map(|(key, value)| {
            let key = key
                .strip_prefix(name)?
                .strip_prefix('[')?
                .strip_suffix(']')?;
            Some((key, value.as_str()))
        })
        .collect();
    if pairs.is_empty() {
        None
    } else {
        Some(pairs)
    }
}

/// A required part, or 400 naming it.
pub fn required<T>(value: Option<T>, location: &str, name: &str) -> Result<T, Problem> {
    value.ok_or_else(|| {
        let detail = if location == "body" {
            "the request body is required".to_owned()
        } else {
            format!("missing required {location} parameter `{name}`")
        };
        Problem::new(StatusCode::BAD_REQUEST, detail)
    })
}

/// The path parameters, percent-decoded, in route order.
pub async fn path_params(parts: &mut axum::http::request::Parts) -> Result<Vec<String>, Problem> {
    use axum::extract::FromRequestParts as _;
    let params = axum::extract::RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    Ok(params.iter().map(|(_, value)| value.to_owned()).collect())
}

/// The path parameter at `index`, or 400 naming it.
pub fn path_param<'a>(path: &'a [String], index: usize, name: &str) -> Result<&'a str, Problem> {
    path.get(index).map(String::as_str).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("missing path parameter `{name}`"),
        )
    })
}

/// Splits a path segment that holds several parameters at the literal text
/// between them (`literals`: prefix, separators, suffix).
pub fn split_segment<'a>(
    segment: &'a str,
    literals: &[&str],
    count: usize,
) -> Result<Vec<&'a str>, Problem> {
    let bad = || Problem::new(StatusCode::NOT_FOUND, "no such resource");
    let (first, rest) = literals.split_first().ok_or_else(bad)?;
    let (last, separators) = rest.split_last().ok_or_else(bad)?;
    let mut inner = segment
        .strip_prefix(first)
        .and_then(|s| s.strip_suffix(last))
        .ok_or_else(bad)?;
    let mut values = Vec::with_capacity(count);
    for separator in separators {
        let (value, tail) = inner.split_once(separator).ok_or_else(bad)?;
        values.push(value);
        inner = tail;
    }
    values.push(inner);
    Ok(values)
}

/// The query's name-value pairs, percent-decoded.
pub fn query_pairs(parts: &axum::http::request::Parts) -> Result<Vec<(String, String)>, Problem> {
    serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("invalid query string: {e}"),
        )
    })
}

/// The whole query string, percent-decoded (`+` stays a plus): 3.2's
/// `in: querystring` as JSON. `None` when the URL has no query or an
/// empty one.
pub fn query_text(parts: &axum::http::request::Parts) -> Result<Option<String>, Problem> {
    let Some(raw) = parts.uri.query().filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map(Some).map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "the query string is not UTF-8 once percent-decoded",
        )
    })
}

/// The first value of the query parameter `name`.
pub fn query_value<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Every value of a repeated query parameter; `None` if it is absent.
pub fn query_values<'a>(query: &'a [(String, String)], name: &str) -> Option<Vec<&'a str>> {
    let values: Vec<&str> = query
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .collect();
    if values.is_empty() {
        None
    } else {
        Some(values)
    }
}

/// The header `name`, trimmed; 400 when it is not visible ASCII.
pub fn header_value<'a>(
    headers: &'a axum::http::HeaderMap,
    name: &str,
) -> Result<Option<&'a str>, Problem> {
    headers
        .get(name)
        .map(|value| {
            value.to_str().map(str::trim).map_err(|_| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    format!("header `{name}` is not visible ASCII"),
                )
            })
        })
        .transpose()
}

/// The request's cookies, as name and value.
pub fn cookies(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// The value of the cookie `name`.
pub fn cookie_value<'a>(cookies: &'a [(String, String)], name: &str) -> Option<&'a str> {
    cookies
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The 400 for the parameters that did not parse, each named (`found`:
/// every parameter's name, and its problem if any).
pub fn bad_parameters<const N: usize>(found: [(&'static str, Option<Problem>); N]) -> Problem {
    let parameters: Vec<BadParameter> = found
        .into_iter()
        .filter_map(|(parameter, problem)| {
            problem.map(|p| BadParameter {
                parameter,
                detail: p.detail,
            })
        })
        .collect();
    let detail = match parameters.as_slice() {
        [one] => format!("parameter `{}`: {}", one.parameter, one.detail),
        many => format!("{} parameters are not valid", many.len()),
    };
    Problem {
        parameters,
        ..Problem::new(StatusCode::BAD_REQUEST, detail)
    }
}

/// 406 when the request's `Accept` takes none of `produces`, the media types
/// the operation answers with. Error answers are sent whatever it says.
pub fn check_accept(headers: &axum::http::HeaderMap, produces: &[&str]) -> Result<(), Problem> {
    if produces.iter().any(|m| super::api::accepts(headers, m)) {
        return Ok(());
    }
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Err(Problem::new(
        StatusCode::NOT_ACCEPTABLE,
        format!("`Accept: {accept}` takes none of {}", produces.join(", ")),
    ))
}

/// The whole body (the middleware bounds it); `None` when it is empty.
pub async fn read_body(body: axum::body::Body) -> Result<Option<axum::body::Bytes>, Problem> {
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) if bytes.is_empty() => Ok(None),
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) => Err(body_error(&error)),
    }
}

/// 413 when the body went over the limit, else 400.
pub fn body_error(error: &(dyn std::error::Error + 'static)) -> Problem {
    if over_limit(error) {
        return over_limit_problem();
    }
    Problem::new(
        StatusCode::BAD_REQUEST,
        "the request body could not be read",
    )
}

/// Whether `error`, or an error it wraps, is a request body going over the
/// limit (the middleware bounds every body).
pub fn over_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// The 413 for a body that went over the server's limit.
pub fn over_limit_problem() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the request body is larger than the server's limit",
    )
}

/// The request's `Content-Type` without parameters, in lower case; empty
/// when there is none.
pub fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// A body in a media type the operation does not take: 415, unless there
/// is no body at all.
pub async fn unsupported<T>(body: axum::body::Body, expected: &str) -> Result<Option<T>, Problem> {
    match read_body(body).await? {
        None => Ok(None),
        Some(_) => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected {expected}"),
        )),
    }
}

/// Checks the request's `Content-Type` (415 when it does not fit).
pub fn check_content_type(
    headers: &axum::http::HeaderMap,
    fits: impl Fn(&str) -> bool,
    expected: &str,
) -> Result<(), Problem> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    match content_type {
        Some(ct) if fits(&ct) => Ok(()),
        _ => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected a body of `{expected}`"),
        )),
    }
}

/// A JSON body; 400 listing every violation when it does not fit `T`.
pub async fn json_body<T: serde::de::DeserializeOwned + Violations>(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Option<T>, Problem> {
    let Some(bytes) = read_body(body).await? else {
        return Ok(None);
    };
    check_content_type(
        headers,
        |ct| ct == "application/json" || ct.ends_with("+json"),
        "application/json",
    )?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| invalid_json(&bytes, e, T::violations))
}

/// 400 for a JSON body that did not deserialize, listing every violation
/// that `violations` finds (serde stops at the first).
pub fn invalid_json(
    bytes: &[u8],
    error: serde_json::Error,
    violations: fn(&serde_json::Value, &mut String, &mut Vec<Violation>),
) -> Problem {
    let value = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => value,
        // serde_json reads at most 128 levels deep.
        Err(again) if again.to_string().starts_with("recursion limit exceeded") => {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                "the body nests deeper than 128 levels, which the server does not read",
            );
        }
        Err(_) => {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                format!("the body is not JSON: {error}"),
            );
        }
    };
    let mut errors = Vec::new();
    violations(&value, &mut String::new(), &mut errors);
    if errors.is_empty() {
        errors.push(Violation {
            pointer: String::new(),
            detail: error.to_string(),
        });
    }
    let mut problem = Problem::new(
        StatusCode::BAD_REQUEST,
        "the body does not match its schema",
    );
    problem.errors = errors;
    problem
}

/// An `application/x-www-form-urlencoded` body.
pub async fn form_body<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Option<T>, Problem> {
    let Some(bytes) = read_body(body).await? else {
        return Ok(None);
    };
    check_content_type(
        headers,
        |ct| ct == "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded",
    )?;
    serde_urlencoded::from_bytes(&bytes)
        .map(Some)
        .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, format!("invalid form body: {e}")))
}

/// A `text/*` body, which must be UTF-8.
pub async fn text_body(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
    content_type: &str,
) -> Result<Option<String>, Problem> {
    let Some(bytes) = read_body(body).await? else {
        return Ok(None);
    };
    check_content_type(headers, |ct| ct.starts_with("text/"), content_type)?;
    String::from_utf8(bytes.to_vec())
        .map(Some)
        .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "the body is not UTF-8 text"))
}

/// A JSON response.
pub fn json<T: serde::Serialize>(
    status: StatusCode,
    content_type: &'static str,
    body: T,
) -> Response {
    encoded(
        status,
        content_type,
        serde_json::to_vec(&body).map_err(|e| e.to_string()),
    )
}

/// A form-encoded response.
pub fn form<T: serde::Serialize>(
    status: StatusCode,
    content_type: &'static str,
    body: T,
) -> Response {
    let bytes = serde_urlencoded::to_string(&body)
        .map(String::into_bytes)
        .map_err(|e| e.to_string());
    encoded(status, content_type, bytes)
}

/// A text response.
pub fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    encoded(status, content_type, Ok(body.into_bytes()))
}

/// A response with an encoded body, or a 500 when encoding failed.
pub fn encoded(
    status: StatusCode,
    content_type: &'static str,
    body: Result<Vec<u8>, String>,
) -> Response {
    match body {
        Ok(bytes) => (
            status,
            [(axum::http::header::CONTENT_TYPE, content_type)],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!("cannot encode the response: {error}");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server could not answer",
            )
            .into_response()
        }
    }
}

/// Sets a documented response header when there is a value (values that
/// cannot be a header are logged and left out).
pub fn set_header(
    response: &mut Response,
    name: &'static str,
    value: Option<&impl std::fmt::Display>,
) {
    let Some(value) = value else { return };
    match axum::http::HeaderValue::try_from(value.to_string()) {
        Ok(value) => {
            response.headers_mut().insert(name, value);
        }
        Err(error) => tracing::warn!("response header `{name}` left out: {error}"),
    }
}

/// The status of a documented code (a `default` or range variant's).
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A piece of a callback's URL (a callback the operation declares), as
/// the server evaluates it against the request.
#[derive(Debug, Clone, Copy)]
pub enum UrlPiece<'a> {
    /// Text as written.
    Text(&'a str),
    /// `$url`: the request's URI.
    Url,
    /// `$method`.
    Method,
    /// `$request.query.name`: the query parameter's first value.
    Query(&'a str),
    /// `$request.header.name`.
    Header(&'a str),
    /// `$request.body#/pointer`: the value at the JSON pointer (a string
    /// as it is, anything else as JSON).
    Body(&'a str),
}

/// A callback's URL, its pieces evaluated against the request (`parts`,
/// and `body` as JSON where a piece reads it); `None` where the request
/// does not have a piece (the caller gave no URL there).
pub fn callback_url(
    parts: &axum::http::request::Parts,
    body: Option<&serde_json::Value>,
    pieces: &[UrlPiece<'_>],
) -> Option<String> {
    let mut url = String::new();
    for piece in pieces {
        match piece {
            UrlPiece::Text(text) => url.push_str(text),
            UrlPiece::Url => url.push_str(&parts.uri.to_string()),
            UrlPiece::Method => url.push_str(parts.method.as_str()),
            UrlPiece::Query(name) => {
                let pairs: Vec<(String, String)> =
                    serde_urlencoded::from_str(parts.uri.query()?).ok()?;
                let (_, value) = pairs.into_iter().find(|(n, _)| n == name)?;
                url.push_str(&value);
            }
            UrlPiece::Header(name) => url.push_str(parts.headers.get(*name)?.to_str().ok()?),
            UrlPiece::Body(pointer) => match body?.pointer(pointer)? {
                serde_json::Value::String(text) => url.push_str(text),
                serde_json::Value::Null => return None,
                other => url.push_str(&other.to_string()),
            },
        }
    }
    Some(url)
}

/// One security requirement of an operation: schemes that must all be
/// met, each with the scopes it asks for (`S` is the crate's `Scheme`).
pub type Requirement<S> = &'static [(S, &'static [&'static str])];

/// Decides whether the request may reach a secured operation's handler:
/// the first of `requirements` (in the spec's order) whose credentials are
/// all present is judged by `authenticator`, scheme by scheme, and its
/// scopes checked; a refused or short one gives way to the next present
/// one. `present` gives a scheme's key and credential, if the request
/// holds it well formed.
///
/// The answer is the requirement met and the principal, or a problem:
/// 401 with `challenge` when no requirement's credentials are all
/// present; the first refusal (401 with `error="invalid_token"` for a
/// bearer token, or its own 403 or 503) when none is met; else 403
/// `insufficient_scope` naming the scopes the first authenticated
/// requirement misses. An empty requirement (`{}`) lets a caller in as an
/// unnamed principal granted no scopes when no other requirement is met,
/// but does not excuse credentials that are presented and refused.
pub async fn authenticate<'c, S: Copy + Send + Sync + 'static>(
    authenticator: &dyn super::auth::DynAuthenticate,
    request: &axum::http::request::Parts,
    requirements: &[Requirement<S>],
    present: impl Fn(S) -> Option<(&'static str, super::auth::Credential<'c>)>,
    challenge: &'static str,
) -> Result<(Requirement<S>, super::auth::Principal), Problem> {
    let mut refused: Option<(super::auth::Credential<'c>, super::auth::Refusal)> = None;
    let mut short: Option<Vec<&'static str>> = None;
    let mut anonymous = None;
    'requirements: for requirement in requirements {
        if requirement.is_empty() {
            anonymous.get_or_insert(*requirement);
            continue;
        }
        let Some(credentials) = requirement
            .iter()
            .map(|(scheme, _)| present(*scheme))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let mut met: Option<super::auth::Principal> = None;
        for ((_, scopes), (scheme, credential)) in requirement.iter().zip(credentials) {
            let presented = super::auth::Presented {
                scheme,
                credential,
                scopes,
                request,
            };
            match authenticator.authenticate_boxed(&presented).await {
                Ok(principal) => {
                    let missing: Vec<&'static str> = scopes
                        .iter()
                        .copied()
                        .filter(|scope| !principal.grants(scope))
                        .collect();
                    if !missing.is_empty() {
                        short.get_or_insert(missing);
                        continue 'requirements;
                    }
                    met = Some(match met {
                        Some(first) => first.and(principal),
                        None => principal,
                    });
                }
                Err(refusal) => {
                    refused.get_or_insert((credential, refusal));
                    continue 'requirements;
                }
            }
        }
        if let Some(principal) = met {
            return Ok((*requirement, principal));
        }
    }
    if let Some((credential, refusal)) = refused {
        let mut problem = Problem::new(refusal.status, refusal.detail);
        match refusal.status.as_u16() {
            401 => {
                problem.challenge = Some(
                    if matches!(credential, super::auth::Credential::Bearer(_)) {
                        std::borrow::Cow::Borrowed("Bearer error=\"invalid_token\"")
                    } else {
                        std::borrow::Cow::Borrowed(challenge)
                    },
                );
            }
            503 => problem.retry_after = Some(5),
            _ => {}
        }
        return Err(problem);
    }
    if let Some(requirement) = anonymous {
        return Ok((requirement, super::auth::Principal::default()));
    }
    if let Some(missing) = short {
        let scope = missing.join(" ");
        let mut problem = Problem::new(
            StatusCode::FORBIDDEN,
            format!("the credentials do not grant the scopes `{scope}`"),
        );
        let quoted: String = scope.chars().filter(|c| *c != '"' && *c != '\\').collect();
        problem.challenge = Some(std::borrow::Cow::Owned(format!(
            "Bearer error=\"insufficient_scope\", scope=\"{quoted}\""
        )));
        return Err(problem);
    }
    let mut problem = Problem::new(
        StatusCode::UNAUTHORIZED,
        "credentials are missing or malformed",
    );
    problem.challenge = Some(std::borrow::Cow::Borrowed(challenge));
    Err(problem)
}
