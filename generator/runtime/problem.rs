//! RFC 9457 problems: the server's answer to a request it cannot serve,
//! in `application/problem+json` or in the shape of an error body that the
//! operation documents.

// What every handler's parser and response writer names; the crate's
// `server` module imports this module whole.
pub use axum::http::StatusCode;
pub use axum::response::{IntoResponse, Response};

/// An RFC 9457 problem: the answer to a request that cannot be served.
#[derive(Debug)]
pub struct Problem {
    /// The answer's status.
    pub status: StatusCode,
    /// What went wrong, for people.
    pub detail: String,
    /// What is wrong with the body, each with its JSON pointer.
    pub errors: Vec<Violation>,
    /// The parameters that are not valid, each named.
    pub parameters: Vec<BadParameter>,
    /// The `WWW-Authenticate` challenge of a 401 or 403.
    pub challenge: Option<std::borrow::Cow<'static, str>>,
    /// The `Retry-After` of a 503 or 429, in seconds.
    pub retry_after: Option<u64>,
}

/// One thing wrong with a request body: where (a JSON pointer into it) and
/// what.
#[derive(Debug, serde::Serialize)]
pub struct Violation {
    /// Where, as a JSON pointer into the body.
    pub pointer: String,
    /// What is wrong there.
    pub detail: String,
}

/// A parameter that is not valid: its name, as the spec writes it, and what
/// is wrong.
#[derive(Debug, serde::Serialize)]
pub struct BadParameter {
    /// The parameter's name in the spec.
    pub parameter: &'static str,
    /// What is wrong with it.
    pub detail: String,
}

/// An error body as the spec documents it for an operation: its media type,
/// and how a problem fills it.
pub type ErrorShape = (&'static str, fn(&Problem) -> serde_json::Value);

impl Problem {
    /// A problem with `status` and `detail`, and nothing else.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            status,
            detail: detail.into(),
            errors: Vec::new(),
            parameters: Vec::new(),
            challenge: None,
            retry_after: None,
        }
    }

    /// The answer: in the shape that `errors` gives for the status (keyed by
    /// the code, by its first digit for a range such as `4XX`, or 0 for
    /// `default`), else as `application/problem+json`.
    pub fn answer(mut self, errors: &[(u16, ErrorShape)]) -> Response {
        let code = self.status.as_u16();
        let shape = [code, code / 100, 0]
            .into_iter()
            .find_map(|key| errors.iter().find(|(k, _)| *k == key));
        let (content_type, body) = match shape {
            Some((_, (content_type, body))) => {
                // The spec's shape has no place for the lists: the detail
                // names each violation (one bad parameter is named in it
                // already).
                for v in self.errors.drain(..) {
                    self.detail
                        .push_str(&format!("; {}: {}", v.pointer, v.detail));
                }
                if self.parameters.len() > 1 {
                    for p in self.parameters.drain(..) {
                        self.detail
                            .push_str(&format!("; `{}`: {}", p.parameter, p.detail));
                    }
                }
                (*content_type, body(&self))
            }
            None => {
                let mut body = serde_json::json!({
                    "type": "about:blank",
                    "title": self.status.canonical_reason().unwrap_or("Error"),
                    "status": self.status.as_u16(),
                    "detail": self.detail,
                });
                if !self.errors.is_empty() {
                    body["errors"] = serde_json::json!(self.errors);
                }
                if !self.parameters.is_empty() {
                    body["errors"] = serde_json::json!(self.parameters);
                }
                ("application/problem+json", body)
            }
        };
        let mut response = (
            self.status,
            [(axum::http::header::CONTENT_TYPE, content_type)],
            body.to_string(),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(
            axum::http::header::X_CONTENT_TYPE_OPTIONS,
            axum::http::HeaderValue::from_static("nosniff"),
        );
        if let Some(challenge) = self
            .challenge
            .and_then(|c| axum::http::HeaderValue::try_from(c.into_owned()).ok())
        {
            headers.insert(axum::http::header::WWW_AUTHENTICATE, challenge);
        }
        if matches!(self.status.as_u16(), 401 | 403) {
            // What a refusal says about credentials is not for caches.
            headers.insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        self.answer(&[])
    }
}
