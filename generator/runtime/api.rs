//! What every crate's `api` module shares: [`Error`], the `Err` of every
//! call and handler, and [`accepts`], the `Accept` matching that the server
//! and handlers use; and [`random`], which the other runtime files share.

/// Whether `Accept` in `headers` takes `media_type` (lower case,
/// without parameters): `*/*`, `type/*` and `q=0` as RFC 9110 says;
/// no `Accept`, or an empty one, takes anything.
pub fn accepts(headers: &http::HeaderMap, media_type: &str) -> bool {
    let Some(accept) = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let kind = media_type.split('/').next().unwrap_or("");
    accept.trim().is_empty()
        || accept.split(',').any(|range| {
            let mut params = range.split(';');
            let range = params.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = params.any(|p| {
                let (name, value) = p.split_once('=').unwrap_or((p, ""));
                name.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>() == Ok(0.0)
            });
            !refused
                && (range == "*/*" || range == media_type || range.strip_suffix("/*") == Some(kind))
        })
}

/// Why a call failed: what the spec does not model.
///
/// Documented responses, errors included, are variants of the
/// operation's response enum, not this. Where a response came, the
/// error keeps its status, headers and body ([`Error::status`],
/// [`Error::headers`], [`Error::body`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent, or no response came back (a handler
    /// returning it makes the server answer 502 Bad Gateway).
    Transport(Box<dyn std::error::Error + Send + Sync>),
    /// No response came in the configured time (from a handler: 504
    /// Gateway Timeout).
    Timeout(Box<dyn std::error::Error + Send + Sync>),
    /// A value could not be put into the request.
    Encode(String),
    /// A value breaks a constraint of the spec.
    Validation(String),
    /// The response did not match the spec.
    Decode {
        /// The response's status.
        status: http::StatusCode,
        /// The response's headers (boxed: errors stay small).
        headers: Box<http::HeaderMap>,
        /// The response's body (empty when a header was wrong).
        body: Vec<u8>,
        /// Where in the JSON body it failed (`items[0].price`), when known.
        path: Option<String>,
        /// What did not match.
        message: String,
    },
    /// The server answered with a status the spec does not document.
    UnexpectedStatus {
        /// The response's status.
        status: http::StatusCode,
        /// The response's headers (boxed: errors stay small).
        headers: Box<http::HeaderMap>,
        /// The response's body.
        body: Vec<u8>,
    },
    /// An item of a stream (an event, a line, a record) did not match the
    /// spec; the items before it were delivered. A handler that returns it
    /// from its request's stream makes the server answer 400.
    Item {
        /// How many items came before it.
        index: u64,
        /// What did not match.
        message: String,
    },
    /// Anything else; a handler returning it makes the server answer 500.
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// Wraps any error (for handlers: the server answers 500 and logs it).
    pub fn other(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Other(error.into())
    }

    /// The status of the response that caused the error, if one came.
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            Error::Decode { status, .. } | Error::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The headers of the response that caused the error, if one came.
    pub fn headers(&self) -> Option<&http::HeaderMap> {
        match self {
            Error::Decode { headers, .. } | Error::UnexpectedStatus { headers, .. } => {
                Some(&**headers)
            }
            _ => None,
        }
    }

    /// The body of the response that caused the error, if one came.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Error::Decode { body, .. } | Error::UnexpectedStatus { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether no response came in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Timeout(e) => write!(f, "timed out: {e}"),
            Error::Encode(e) => write!(f, "cannot encode the request: {e}"),
            Error::Validation(e) => write!(f, "invalid value: {e}"),
            Error::Decode {
                status,
                path: Some(path),
                message,
                ..
            } => {
                write!(
                    f,
                    "cannot decode the {status} response at `{path}`: {message}"
                )
            }
            Error::Decode {
                status, message, ..
            } => {
                write!(f, "cannot decode the {status} response: {message}")
            }
            Error::UnexpectedStatus { status, .. } => {
                write!(f, "undocumented response status {status}")
            }
            Error::Item { index, message } => {
                write!(
                    f,
                    "item {index} of the stream (counted from 0) is malformed: {message}"
                )
            }
            Error::Other(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) | Error::Timeout(e) | Error::Other(e) => Some(&**e),
            _ => None,
        }
    }
}

/// The time now, in seconds since the Unix epoch (0 for a clock set before
/// it): what signatures and tokens are dated by.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// A cheap random number, for jitter and ids (no `rand` crate): std's
/// randomly keyed hasher, with the time and a counter.
pub fn random() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};

    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    hasher.finish()
}
