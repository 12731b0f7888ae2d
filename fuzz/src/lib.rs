//! What the fuzz target `router` does with one input, shared with the replay
//! of the seed corpus (`tests/seeds.rs`).
//!
//! An input is a raw HTTP/1 request. [`parse`] reads it as hyper's server
//! would (httparse for the head, then the body as `Content-Length` or
//! `Transfer-Encoding: chunked` frames it); an input hyper would refuse
//! before any router sees it is skipped, not a failure. [`run`] sends the
//! request with `tower::ServiceExt::oneshot` into
//! `puppy_shop::server::router(MockApi::new())`, reads the whole answer and
//! [`check`]s it:
//!
//! - no 5xx, but a 503 that carries `Retry-After`;
//! - every 4xx has a body in `application/problem+json` (an RFC 9457 object
//!   whose `status` is the answer's) or in the spec's documented error shape
//!   (`application/json`, `{"code": .., "message": ..}`); a `HEAD` answer
//!   may have no body;
//! - a 401 has `WWW-Authenticate`, a 405 has `Allow` (RFC 9110 says must);
//! - the answer comes within [`ANSWER_TIME`], with a body of at most
//!   [`ANSWER_LIMIT`] bytes.
//!
//! A panic anywhere is a failure too: it unwinds out of [`run`].

#![forbid(unsafe_code)]

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri, Version};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

/// The most headers a request may have (hyper's default).
const MAX_HEADERS: usize = 100;

/// The longest request target (hyper's limit).
const MAX_URI_LEN: usize = (u16::MAX - 1) as usize;

/// The most of an answer's body that is read: a larger body is a failure.
pub const ANSWER_LIMIT: usize = 1 << 20;

/// How long an answer, and then its body, may take.
pub const ANSWER_TIME: Duration = Duration::from_secs(10);

/// What became of an input that kept the property.
#[derive(Debug)]
pub enum Outcome {
    /// hyper would have refused it before the router: why.
    Skipped(&'static str),
    /// The router's answer.
    Answered(Answer),
}

/// An answer, its body read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An input that broke the property: why, and the answer if there was one.
#[derive(Debug)]
pub struct Failure {
    pub reason: String,
    pub answer: Option<Box<Answer>>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)?;
        if let Some(answer) = &self.answer {
            write!(f, "\nanswer: {}", answer.status)?;
            for (name, value) in &answer.headers {
                write!(f, "\n{name}: {}", String::from_utf8_lossy(value.as_bytes()))?;
            }
            let body = String::from_utf8_lossy(&answer.body);
            let cut = body.char_indices().nth(2000).map_or(body.len(), |(i, _)| i);
            write!(f, "\n\n{}", &body[..cut])?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// Runs one input: parses it, and if it is a request that hyper would pass
/// on, has the router answer it and checks the answer.
pub fn run(data: &[u8]) -> Result<Outcome, Failure> {
    let request = match parse(data) {
        Ok(request) => request,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let method = request.method().clone();
    let answer = runtime()
        .block_on(answer(request))
        .map_err(|reason| Failure {
            reason,
            answer: None,
        })?;
    match check(&method, &answer) {
        Ok(()) => Ok(Outcome::Answered(answer)),
        Err(reason) => Err(Failure {
            reason,
            answer: Some(Box::new(answer)),
        }),
    }
}

/// The current-thread runtime that every input runs on, made once.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread runtime")
    })
}

/// The router under test, made once (it keeps no state between requests)
/// and cloned for each.
fn router() -> axum::Router {
    static ROUTER: OnceLock<axum::Router> = OnceLock::new();
    ROUTER
        .get_or_init(|| puppy_shop::server::router(puppy_shop::mock::MockApi::new()))
        .clone()
}

/// The router's answer to `request`, its body read whole.
async fn answer(request: Request<axum::body::Body>) -> Result<Answer, String> {
    let response = tokio::time::timeout(ANSWER_TIME, router().oneshot(request))
        .await
        .map_err(|_| format!("no answer within {ANSWER_TIME:?}"))?
        .unwrap_or_else(|never| match never {});
    let (parts, body) = response.into_parts();
    let status = parts.status;
    let body = tokio::time::timeout(
        ANSWER_TIME,
        http_body_util::Limited::new(body, ANSWER_LIMIT).collect(),
    )
    .await
    .map_err(|_| format!("the body of a {status} did not end within {ANSWER_TIME:?}"))?
    .map_err(|e| format!("the body of a {status} could not be read: {e}"))?
    .to_bytes();
    Ok(Answer {
        status,
        headers: parts.headers,
        body,
    })
}

/// Whether `answer`, to a request with `method`, keeps the property (see the
/// crate's documentation); why not.
pub fn check(method: &Method, answer: &Answer) -> Result<(), String> {
    let status = answer.status;
    let has = |name: http::header::HeaderName| answer.headers.contains_key(name);
    if status.is_server_error() {
        if status == StatusCode::SERVICE_UNAVAILABLE && has(http::header::RETRY_AFTER) {
            return Ok(());
        }
        return Err(format!("a server error: {status}"));
    }
    if !status.is_client_error() {
        return Ok(());
    }
    if status == StatusCode::UNAUTHORIZED && !has(http::header::WWW_AUTHENTICATE) {
        return Err("a 401 without WWW-Authenticate".into());
    }
    if status == StatusCode::METHOD_NOT_ALLOWED && !has(http::header::ALLOW) {
        return Err("a 405 without Allow".into());
    }
    let media = answer
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let problem = match media.as_str() {
        "application/problem+json" => true,
        // The spec's `Error` schema, which its operations document for 4xx.
        "application/json" => false,
        _ => {
            return Err(format!(
                "a {status} in `{media}`: neither a problem nor the spec's error"
            ));
        }
    };
    if answer.body.is_empty() {
        if method == Method::HEAD {
            return Ok(());
        }
        return Err(format!("a {status} without a body"));
    }
    let body = match serde_json::from_slice::<serde_json::Value>(&answer.body) {
        Ok(body) => body,
        Err(e) => return Err(format!("a {status} whose `{media}` body is not JSON: {e}")),
    };
    let string = |name: &str| body.get(name).is_some_and(serde_json::Value::is_string);
    let fits = if problem {
        body.get("status") == Some(&status.as_u16().into()) && string("title") && string("type")
    } else {
        string("code") && string("message")
    };
    if fits {
        Ok(())
    } else {
        Err(format!("a {status} whose `{media}` body lacks members"))
    }
}

/// The request in `data` as hyper's HTTP/1 server would pass it to the
/// router, or why hyper would refuse it first. The head is parsed by
/// httparse, as hyper does; bytes past the body are left (a pipelined
/// request), and a body shorter than it says ends with an error, as a
/// connection closed early does.
pub fn parse(data: &[u8]) -> Result<Request<axum::body::Body>, &'static str> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Request::new(&mut headers);
    let length = match head.parse(data) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Err("the head does not end"),
        Err(_) => return Err("the head is not HTTP/1"),
    };
    let rest = &data[length..];
    let path = head.path.unwrap_or_default();
    if path.len() > MAX_URI_LEN {
        return Err("the target is too long");
    }
    let method = Method::from_bytes(head.method.unwrap_or_default().as_bytes())
        .map_err(|_| "not a method")?;
    let uri = Uri::try_from(path).map_err(|_| "not a URI")?;
    let version = match head.version {
        Some(1) => Version::HTTP_11,
        _ => Version::HTTP_10,
    };
    let mut map = HeaderMap::new();
    // As hyper has it: `Transfer-Encoding` wins over `Content-Length` (and
    // removes it), whose values must agree.
    let mut chunked = None;
    let mut declared = None;
    for header in head.headers.iter() {
        let name = HeaderName::from_bytes(header.name.as_bytes()).map_err(|_| "a header name")?;
        let value = HeaderValue::from_bytes(header.value).map_err(|_| "a header value")?;
        if name == TRANSFER_ENCODING {
            if version == Version::HTTP_10 {
                return Err("Transfer-Encoding in HTTP/1.0");
            }
            chunked = Some(is_chunked(&value));
            declared = None;
            map.remove(CONTENT_LENGTH);
        } else if name == CONTENT_LENGTH {
            if chunked.is_some() {
                continue;
            }
            let length = digits(value.as_bytes()).ok_or("an invalid Content-Length")?;
            match declared {
                Some(first) if first != length => return Err("Content-Lengths that differ"),
                Some(_) => continue,
                None => declared = Some(length),
            }
        }
        map.append(name, value);
    }
    let body = match (chunked, declared) {
        (Some(false), _) => return Err("Transfer-Encoding whose last coding is not chunked"),
        (Some(true), _) => Frames::chunked(rest),
        (None, Some(length)) => Frames::sized(rest, length),
        (None, None) => Frames::default(),
    };
    let mut request = Request::new(axum::body::Body::new(body));
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.version_mut() = version;
    *request.headers_mut() = map;
    Ok(request)
}

/// Whether a `Transfer-Encoding` value ends with `chunked`.
fn is_chunked(value: &HeaderValue) -> bool {
    value
        .to_str()
        .ok()
        .and_then(|v| v.rsplit(',').next())
        .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
}

/// A `Content-Length`: decimal digits only, as hyper takes it.
fn digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then_some(())?;
        n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// A request body as hyper hands it over: its data frames, then an error if
/// the connection closed before the body's end.
#[derive(Debug, Default)]
struct Frames {
    frames: VecDeque<Bytes>,
    incomplete: bool,
    /// Whether `Content-Length` gave the size (hyper then knows what is
    /// left).
    sized: bool,
}

impl Frames {
    /// The first `length` bytes of `rest`.
    fn sized(rest: &[u8], length: u64) -> Self {
        let available = usize::try_from(length).map_or(rest.len(), |n| n.min(rest.len()));
        let mut frames = Frames {
            sized: true,
            incomplete: (available as u64) < length,
            ..Frames::default()
        };
        frames.push(&rest[..available]);
        frames
    }

    /// `rest` decoded from `chunked`, a frame for each chunk, leniently as
    /// hyper does (extensions and trailers are skipped). Where it stops
    /// being chunked, or ends before the last chunk, the body is
    /// incomplete.
    fn chunked(mut rest: &[u8]) -> Self {
        let mut frames = Frames::default();
        loop {
            let Some(line) = take_line(&mut rest) else {
                frames.incomplete = true;
                return frames;
            };
            let size = line.split(|&b| b == b';').next().unwrap_or_default();
            let size = size.trim_ascii();
            let size = (!size.is_empty() && size.len() <= 16)
                .then(|| std::str::from_utf8(size).ok())
                .flatten()
                .and_then(|hex| u64::from_str_radix(hex, 16).ok());
            let Some(size) = size else {
                frames.incomplete = true;
                return frames;
            };
            if size == 0 {
                // Trailers, up to an empty line.
                loop {
                    match take_line(&mut rest) {
                        Some([]) => return frames,
                        Some(_) => {}
                        None => {
                            frames.incomplete = true;
                            return frames;
                        }
                    }
                }
            }
            let available = usize::try_from(size).map_or(rest.len(), |n| n.min(rest.len()));
            frames.push(&rest[..available]);
            rest = &rest[available..];
            if (available as u64) < size || !rest.starts_with(b"\r\n") {
                frames.incomplete = true;
                return frames;
            }
            rest = &rest[2..];
        }
    }

    fn push(&mut self, data: &[u8]) {
        if !data.is_empty() {
            self.frames.push_back(Bytes::copy_from_slice(data));
        }
    }
}

/// The line at the start of `rest`, without its CRLF; `None` when no CRLF
/// ends one.
fn take_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let end = rest.windows(2).position(|pair| pair == b"\r\n")?;
    let line = &rest[..end];
    *rest = &rest[end + 2..];
    Some(line)
}

impl http_body::Body for Frames {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        if let Some(data) = self.frames.pop_front() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(data))));
        }
        if std::mem::take(&mut self.incomplete) {
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection closed before the body's end",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty() && !self.incomplete
    }

    fn size_hint(&self) -> http_body::SizeHint {
        if self.sized && !self.incomplete {
            http_body::SizeHint::with_exact(self.frames.iter().map(|f| f.len() as u64).sum())
        } else {
            http_body::SizeHint::default()
        }
    }
}
