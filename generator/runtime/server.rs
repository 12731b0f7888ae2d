//! How a router serves: [`Options`], the middleware around every request
//! (request id, `tracing` span, limits on the head, the body, the time to
//! answer and the requests in flight, a panicking handler's 500,
//! conditional `GET`s), 405 with `Allow`, [`Cors`] for browsers, the
//! optional spec and liveness routes, `serve` with graceful shutdown, and
//! the ETag helpers.
//!
//! Nothing here depends on the spec but the two tables that the crate's
//! `server` module passes to [`finish`]: its operations and its document.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::problem::Problem;

/// The largest request body read whole by default (JSON, forms, text), in
/// bytes; larger ones get 413 ([`Options::body_limit`] sets another).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The largest binary request body by default, in bytes: these stream to
/// the handler, so the limit bounds traffic, not memory
/// ([`Options::stream_limit`] sets another).
pub const STREAM_LIMIT: usize = 1024 * 1024 * 1024;

/// The request header that carries a request's id; one is made when the
/// request has none, and it is echoed on the response.
pub const REQUEST_ID: &str = "x-request-id";

/// How long an event stream may be silent before the server sends a
/// keep-alive comment (`:`), unless [`Options::keep_alive`] says otherwise.
pub const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// The most bytes of header names and values a request may carry by
/// default ([`Options::header_limit`]); more get a 431 problem.
///
/// 64 KiB is the total that AWS's load balancers accept, and twice nginx's
/// default (four 8 KiB buffers): a client that gets through common proxies
/// is not refused here, while a request cannot make the server hold a head
/// of the several hundred KiB that hyper itself reads (it refuses only
/// above about 400 KiB). Large cookies and tokens fit easily.
pub const HEADER_LIMIT: usize = 64 * 1024;

/// The most header fields a request may carry by default
/// ([`Options::header_count_limit`]); more get a 431 problem.
///
/// 100 is Apache's `LimitRequestFields` and hyper's own limit: the HTTP/1
/// server that `axum::serve` runs refuses more than 100 itself, before the
/// router, with an empty 431, so this one answers for servers set up with
/// more (or a lower limit set here).
pub const HEADER_COUNT_LIMIT: usize = 100;

/// The longest URL (path and query, as the request line carries it) by
/// default, in bytes ([`Options::url_limit`]); a longer one gets a 414
/// problem.
///
/// 8 KiB is what nginx (8 KiB request line) and Apache (`LimitRequestLine`
/// 8190) accept, and covers the 8,000 bytes RFC 9110 §4.1 asks every
/// server to support. Without it hyper answers 414 only above 64 KiB.
pub const URL_LIMIT: usize = 8 * 1024;

/// How long a handler may take to produce its response's head by default
/// ([`Options::request_timeout`]); later, the request gets a 408 problem.
///
/// 30 s is far beyond what a healthy handler takes, and under the 60 s
/// after which common proxies (nginx's `proxy_read_timeout`, AWS's load
/// balancers) give up on the server with a 504 of their own: the client
/// gets the server's answer, and the server stops the work that nobody
/// waits for. A 2 MiB body ([`BODY_LIMIT`]) arrives within it at 70 KB/s.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How many requests may be at work at once by default
/// ([`Options::in_flight_limit`]); over it, a request gets a 503 problem
/// with `Retry-After` at once.
///
/// 1024 is far more than a healthy service has at work (at 10 ms a
/// request, 1024 at once is 100,000 requests a second) and nginx's usual
/// connections per worker; it bounds what a flood can make the server hold
/// (each at most [`BODY_LIMIT`] of body read whole) to a known amount.
pub const IN_FLIGHT_LIMIT: usize = 1024;

/// The `Retry-After` of the 503 over [`Options::in_flight_limit`], in
/// seconds: a moment, as requests at work end quickly.
pub const BUSY_RETRY_AFTER: u64 = 1;

/// One operation as the middleware sees it.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The route as axum matches it (and reports it in `MatchedPath`).
    pub route: &'static str,
    /// The operationId, for the request span.
    pub id: &'static str,
    /// Whether its request body streams to the handler (binary: bounded by
    /// [`Options::stream_limit`]).
    pub streamed: bool,
}

/// How `router_with` serves. `Options::default()` is what `router` uses:
/// body limits of [`BODY_LIMIT`] and [`STREAM_LIMIT`], head limits of
/// [`HEADER_LIMIT`], [`HEADER_COUNT_LIMIT`] and [`URL_LIMIT`], a
/// [`REQUEST_TIMEOUT`], at most [`IN_FLIGHT_LIMIT`] requests at work, no
/// CORS, no extra routes. Every limit is answered with a problem
/// (`application/problem+json`) before the handler runs.
///
/// ```rust,ignore
/// let options = Options::new()
///     .body_limit(64 * 1024)
///     .request_timeout(Some(Duration::from_secs(10)))
///     .in_flight_limit(Some(256))
///     .spec("/openapi.json")
///     .health("/healthz");
/// let app = router_with(MyApi, options);
/// ```
#[derive(Debug, Clone)]
pub struct Options {
    body_limit: usize,
    stream_limit: usize,
    header_limit: Option<usize>,
    header_count_limit: Option<usize>,
    url_limit: Option<usize>,
    request_timeout: Option<std::time::Duration>,
    in_flight_limit: Option<usize>,
    cors: Option<Cors>,
    spec: Option<String>,
    health: Option<String>,
    keep_alive: Option<std::time::Duration>,
    verify: Option<Check>,
}

/// A check of every request's headers and whole body
/// ([`Options::verify`]).
type CheckFn = dyn Fn(&axum::http::HeaderMap, &[u8]) -> Result<(), String> + Send + Sync;

/// A [`CheckFn`], shared by the clones of [`Options`].
#[derive(Clone)]
struct Check(std::sync::Arc<CheckFn>);

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Check(..)")
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            body_limit: BODY_LIMIT,
            stream_limit: STREAM_LIMIT,
            header_limit: Some(HEADER_LIMIT),
            header_count_limit: Some(HEADER_COUNT_LIMIT),
            url_limit: Some(URL_LIMIT),
            request_timeout: Some(REQUEST_TIMEOUT),
            in_flight_limit: Some(IN_FLIGHT_LIMIT),
            cors: None,
            spec: None,
            health: None,
            keep_alive: Some(KEEP_ALIVE),
            verify: None,
        }
    }
}

impl Options {
    /// The defaults: see [`Options`].
    pub fn new() -> Self {
        Options::default()
    }

    /// The largest request body read whole (JSON, forms, text), in bytes; a
    /// larger one gets a 413 problem.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The largest binary request body, in bytes. These are not read whole
    /// but streamed to the handler, so the limit bounds traffic, not memory.
    /// A body that declares a larger `Content-Length` gets a 413 problem
    /// before the handler runs; a chunked one that grows larger ends the
    /// handler's stream with an error, which the handler's `Err`
    /// (`api::Error::other(error)`) turns into a 413.
    pub fn stream_limit(mut self, bytes: usize) -> Self {
        self.stream_limit = bytes;
        self
    }

    /// The most bytes of header names and values (together, as they come)
    /// a request may carry; more get a 431 problem. `None` checks none here
    /// (hyper still refuses a head above about 400 KiB). Default:
    /// [`HEADER_LIMIT`].
    pub fn header_limit(mut self, bytes: Option<usize>) -> Self {
        self.header_limit = bytes;
        self
    }

    /// The most header fields a request may carry (a name sent twice
    /// counts twice); more get a 431 problem. `None` checks none here.
    /// Default: [`HEADER_COUNT_LIMIT`], which is also where the HTTP/1
    /// server of `axum::serve` stops (with an empty 431): a higher limit
    /// matters only for servers set up with more.
    pub fn header_count_limit(mut self, count: Option<usize>) -> Self {
        self.header_count_limit = count;
        self
    }

    /// The longest URL, in bytes: path and query as the request line
    /// carries them (and scheme and authority if it carries those); a
    /// longer one gets a 414 problem. `None` checks none here (hyper still
    /// refuses one above 64 KiB, with an empty 414). Default:
    /// [`URL_LIMIT`].
    pub fn url_limit(mut self, bytes: Option<usize>) -> Self {
        self.url_limit = bytes;
        self
    }

    /// How long a request may take until its handler has produced the
    /// response's head, reading of the request body included; after that
    /// the handler is stopped (its future dropped) and the client gets a
    /// 408 problem with `Connection: close`. Once the head is out the body
    /// is not timed: a stream of server-sent events or a large download
    /// runs as long as it runs. A request whose binary body streams to the
    /// handler ([`Options::stream_limit`]) is not timed at all, as its
    /// upload may rightly take longer; its handler bounds it. `None` times
    /// nothing. Default: [`REQUEST_TIMEOUT`].
    pub fn request_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How many requests may be at work at once, from the check of their
    /// head until their handler has produced the response's head (a body
    /// streamed after that, server-sent events for one, no longer counts,
    /// so long streams do not crowd out short requests). One more is not
    /// queued but answered at once with a 503 problem and `Retry-After:
    /// 1` ([`BUSY_RETRY_AFTER`]), which the generated client waits for and
    /// tries again. `None` admits any number. Default: [`IN_FLIGHT_LIMIT`].
    pub fn in_flight_limit(mut self, count: Option<usize>) -> Self {
        self.in_flight_limit = count;
        self
    }

    /// Lets web pages of other origins call the API from a browser: see
    /// [`Cors`]. Off by default, which browsers read as "same origin
    /// only".
    pub fn cors(mut self, cors: Cors) -> Self {
        self.cors = Some(cors);
        self
    }

    /// Serves the spec at `path`, for example `/openapi.json`. A path the
    /// spec itself uses, or one that is not a plain path (`{`, `}`, `*`), is
    /// left out with a warning.
    pub fn spec(mut self, path: impl Into<String>) -> Self {
        self.spec = Some(path.into());
        self
    }

    /// How long a response of server-sent events may be silent before a
    /// keep-alive comment goes out (proxies close connections that are
    /// idle); `None` sends none. Default: [`KEEP_ALIVE`].
    pub fn keep_alive(mut self, interval: Option<std::time::Duration>) -> Self {
        self.keep_alive = interval;
        self
    }

    /// Answers `GET path` with 200 `ok`, a liveness probe, for example at
    /// `/healthz` (same rules for `path` as [`Options::spec`]).
    pub fn health(mut self, path: impl Into<String>) -> Self {
        self.health = Some(path.into());
        self
    }

    /// Checks every request before its handler runs, for example a
    /// webhook's signature: `check` gets the request's headers and its
    /// whole body (empty when it has none), and an `Err` is answered with
    /// a 401 problem whose detail is its message, without running the
    /// handler. Otherwise the handler gets the same bytes.
    ///
    /// The body is read whole for the check, so every body, streamed
    /// (binary) ones too, is bounded by [`Options::body_limit`]: a larger
    /// one gets the 413 problem. The check applies to every route of the
    /// router; serve routes that need none from another router.
    ///
    /// ```rust,ignore
    /// let webhooks = StandardWebhooks::new(&secret)?;
    /// let options = Options::new().verify(move |headers, body| {
    ///     webhooks.verify(headers, body).map_err(|refused| refused.to_string())
    /// });
    /// ```
    pub fn verify(
        mut self,
        check: impl Fn(&axum::http::HeaderMap, &[u8]) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.verify = Some(Check(std::sync::Arc::new(check)));
        self
    }
}

/// Which web pages of other origins may call the API from a browser
/// (CORS), for [`Options::cors`]: the origins, whether with credentials
/// (cookies, `Authorization`), and what the browser may send and read.
///
/// A page's `fetch` to another origin is let through by the browser only
/// when the answer names the page's origin in
/// `Access-Control-Allow-Origin`; before a request that is not "simple"
/// (a `PUT`, `PATCH` or `DELETE`, a JSON body, an `Authorization` header)
/// the browser asks with an `OPTIONS` preflight, which is answered here
/// before routing, without a handler (so with CORS on, every `OPTIONS`
/// request is taken as a preflight). Requests from origins not listed get
/// no CORS headers, so their pages cannot read the answers. The CORS layer
/// runs outside the middleware: every answer, the middleware's refusals
/// too, carries the headers, and preflights are answered without a request
/// id, span or limits (but hyper's). It costs about 0.9 µs a request, so it
/// is off unless set.
///
/// The defaults besides the origins: no credentials; the methods of the
/// spec's operations; any request header the preflight asks for;
/// responses' headers all readable (without credentials), or with
/// credentials `x-request-id`, `ETag`, `Location`, `Retry-After`,
/// `WWW-Authenticate` and `Link` (and those every response may show:
/// `Content-Type`, `Cache-Control`, `Last-Modified`, ...); preflights
/// cached for 10 minutes.
///
/// ```rust,ignore
/// // The single-page app at https://app.example.com signs in with a cookie:
/// let options = Options::new().cors(
///     Cors::origins(["https://app.example.com", "http://localhost:5173"]).credentials(true),
/// );
/// // Its page then calls, with the cookie:
/// //     fetch("https://api.example.com/pets", { credentials: "include" })
///
/// // A public, read-only API that any page may call without credentials:
/// let options = Options::new().cors(Cors::any_origin());
/// ```
#[derive(Debug, Clone)]
pub struct Cors {
    /// `None` for any origin.
    origins: Option<Vec<axum::http::HeaderValue>>,
    credentials: bool,
    methods: Option<Vec<axum::http::Method>>,
    headers: Option<Vec<axum::http::HeaderName>>,
    expose: Option<Vec<axum::http::HeaderName>>,
    max_age: Option<std::time::Duration>,
}

/// The response headers a page may read when credentials are allowed (and
/// `*` may not be sent), besides those every response may show.
const EXPOSED: [&str; 6] = [
    REQUEST_ID,
    "etag",
    "location",
    "retry-after",
    "www-authenticate",
    "link",
];

impl Cors {
    /// Pages of these origins, each a scheme, host and port as the browser
    /// sends it in `Origin`: `https://app.example.com`,
    /// `http://localhost:3000` (a trailing `/` is dropped, letters are
    /// made lower case). One that cannot be a header value is left out with
    /// a warning; `*` means any origin ([`Cors::any_origin`]).
    pub fn origins<S: AsRef<str>>(origins: impl IntoIterator<Item = S>) -> Self {
        let mut list = Vec::new();
        for origin in origins {
            let origin = origin.as_ref().trim().trim_end_matches('/');
            if origin == "*" {
                return Cors::any_origin();
            }
            match axum::http::HeaderValue::try_from(origin.to_ascii_lowercase()) {
                Ok(value) => list.push(value),
                Err(_) => tracing::warn!("CORS: `{origin}` is not an origin; left out"),
            }
        }
        Cors {
            origins: Some(list),
            ..Cors::any_origin()
        }
    }

    /// Pages of any origin (`Access-Control-Allow-Origin: *`), for a
    /// public API. Browsers send no credentials to such an API, so
    /// [`Cors::credentials`] is ignored (with a warning) for it.
    pub fn any_origin() -> Self {
        Cors {
            origins: None,
            credentials: false,
            methods: None,
            headers: None,
            expose: None,
            max_age: Some(std::time::Duration::from_secs(600)),
        }
    }

    /// Whether pages may send credentials (cookies, HTTP authentication,
    /// client certificates) and read the answers to such requests
    /// (`Access-Control-Allow-Credentials: true`); only for listed origins.
    /// Default: no.
    pub fn credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// The methods pages may use, for example `["GET", "POST"]`, instead
    /// of those of the spec's operations. One that is not a method is left
    /// out with a warning.
    pub fn methods<S: AsRef<str>>(mut self, methods: impl IntoIterator<Item = S>) -> Self {
        self.methods = Some(parsed(methods, |m| {
            axum::http::Method::from_bytes(m.as_bytes())
        }));
        self
    }

    /// The request headers pages may send, for example `["authorization",
    /// "content-type"]`, instead of any that the preflight asks for.
    pub fn headers<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.headers = Some(parsed(names, |n| {
            axum::http::HeaderName::from_bytes(n.as_bytes())
        }));
        self
    }

    /// The response headers pages may read (besides those every response
    /// may show), for example `["x-request-id", "x-rate-limit-remaining"]`,
    /// instead of the default (see [`Cors`]).
    pub fn expose<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.expose = Some(parsed(names, |n| {
            axum::http::HeaderName::from_bytes(n.as_bytes())
        }));
        self
    }

    /// How long a browser may keep a preflight's answer
    /// (`Access-Control-Max-Age`; browsers cap it, Chromium at 2 hours);
    /// `None` sends none, so browsers keep it for 5 seconds. Default: 10
    /// minutes.
    pub fn max_age(mut self, age: Option<std::time::Duration>) -> Self {
        self.max_age = age;
        self
    }

    /// The layer for a router of these operations.
    fn layer(&self, operations: &[Operation]) -> tower_http::cors::CorsLayer {
        use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer, ExposeHeaders};
        // `*` may not go with credentials (browsers refuse it, and
        // tower-http panics).
        let credentials = self.credentials && self.origins.is_some();
        if self.credentials && !credentials {
            tracing::warn!("CORS: credentials are not allowed for any origin; list the origins");
        }
        if operations.iter().any(|op| op.method == "OPTIONS") {
            tracing::warn!("CORS: the spec's OPTIONS operations are answered as preflights");
        }
        let origins = match &self.origins {
            Some(origins) => AllowOrigin::list(origins.iter().cloned()),
            None => AllowOrigin::any(),
        };
        let mut methods = self.methods.clone().unwrap_or_else(|| {
            let mut methods: Vec<axum::http::Method> = Vec::new();
            for op in operations {
                if let Ok(method) = axum::http::Method::from_bytes(op.method.as_bytes()) {
                    if !methods.contains(&method) {
                        methods.push(method);
                    }
                }
            }
            methods
        });
        let mut headers = self.headers.clone();
        let mut expose = self.expose.clone();
        if credentials {
            // Nor may a `*` in a list, which tower-http sends as the
            // wildcard.
            let star = |name: &str| {
                let star = name == "*";
                if star {
                    tracing::warn!("CORS: `*` is not allowed with credentials; left out");
                }
                !star
            };
            methods.retain(|m| star(m.as_str()));
            for names in [&mut headers, &mut expose].into_iter().flatten() {
                names.retain(|n| star(n.as_str()));
            }
        }
        let headers = match headers {
            Some(names) => AllowHeaders::list(names),
            None => AllowHeaders::mirror_request(),
        };
        let expose = match expose {
            Some(names) => ExposeHeaders::list(names),
            None if credentials => {
                ExposeHeaders::list(EXPOSED.map(axum::http::HeaderName::from_static))
            }
            None => ExposeHeaders::any(),
        };
        let layer = CorsLayer::new()
            .allow_origin(origins)
            .allow_credentials(credentials)
            .allow_methods(methods)
            .allow_headers(headers)
            .expose_headers(expose);
        match self.max_age {
            Some(age) => layer.max_age(age),
            None => layer,
        }
    }
}

/// `items` parsed by `parse`; those that fail are left out with a warning.
fn parsed<S: AsRef<str>, T, E>(
    items: impl IntoIterator<Item = S>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Vec<T> {
    let mut list = Vec::new();
    for item in items {
        match parse(item.as_ref().trim()) {
            Ok(value) => list.push(value),
            Err(_) => tracing::warn!("CORS: `{}` is not valid here; left out", item.as_ref()),
        }
    }
    list
}

/// What the middleware knows of the router it runs in (shared: one
/// reference count a request).
#[derive(Debug)]
struct Served {
    body_limit: usize,
    stream_limit: usize,
    /// The head's limits; `usize::MAX` for none.
    header_limit: usize,
    header_count_limit: usize,
    url_limit: usize,
    request_timeout: Option<std::time::Duration>,
    /// A permit for each request at work.
    in_flight: Option<std::sync::Arc<tokio::sync::Semaphore>>,
    keep_alive: Option<std::time::Duration>,
    verify: Option<Check>,
    /// Sorted by route, then method.
    operations: &'static [Operation],
}

/// What every route shares: the extra routes, 404 and 405 problems,
/// [`serve_request`] around each request, and the CORS layer around that if
/// [`Options::cors`] is set. `operations` must be sorted by route, then
/// method; `document` is the spec as JSON.
pub fn finish(
    mut router: axum::Router,
    options: Options,
    operations: &'static [Operation],
    document: &'static str,
) -> axum::Router {
    if let Some(path) = extra_route(options.spec.as_deref(), operations) {
        let spec = move || async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                document,
            )
                .into_response()
        };
        router = router.route(path, axum::routing::get(spec));
    }
    if let Some(path) = extra_route(options.health.as_deref(), operations) {
        router = router.route(path, axum::routing::get(health));
    }
    let cors = options.cors.map(|cors| cors.layer(operations));
    let served = Served {
        body_limit: options.body_limit,
        stream_limit: options.stream_limit,
        header_limit: options.header_limit.unwrap_or(usize::MAX),
        header_count_limit: options.header_count_limit.unwrap_or(usize::MAX),
        url_limit: options.url_limit.unwrap_or(usize::MAX),
        request_timeout: options.request_timeout,
        in_flight: options.in_flight_limit.map(|count| {
            let count = count.min(tokio::sync::Semaphore::MAX_PERMITS);
            std::sync::Arc::new(tokio::sync::Semaphore::new(count))
        }),
        keep_alive: options.keep_alive,
        verify: options.verify,
        operations,
    };
    let router = router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(served),
            serve_request,
        ));
    // Outermost: a preflight is answered before routing (no 405), and
    // every answer, refusals by the middleware too, carries the CORS
    // headers that let the page read it.
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// `path` if an extra route may be served there.
fn extra_route<'p>(path: Option<&'p str>, operations: &[Operation]) -> Option<&'p str> {
    let path = path?;
    let plain = path.starts_with('/') && !path.contains(['{', '}', '*']);
    if !plain || operations.iter().any(|op| op.route == path) {
        tracing::warn!("not serving `{path}`: the spec uses it, or it is not a plain path");
        return None;
    }
    Some(path)
}

async fn health() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        "ok",
    )
        .into_response()
}

async fn not_found() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "no such resource").into_response()
}

/// axum adds the `Allow` header.
async fn method_not_allowed() -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "the resource does not allow this method",
    )
    .into_response()
}

/// The 405 of a route with methods that axum has no filter for (3.2's
/// `QUERY`, `additionalOperations`), whose generated fallback knows them
/// all: `allow` lists them.
pub async fn method_not_allowed_of(allow: &'static str) -> Response {
    let mut response = method_not_allowed().await;
    response.headers_mut().insert(
        axum::http::header::ALLOW,
        axum::http::HeaderValue::from_static(allow),
    );
    response
}

/// The operation of a matched route: found by binary search, or, for a
/// router nested under a prefix, as the longest route that ends the matched
/// one.
pub fn operation<'o>(
    operations: &'o [Operation],
    method: &axum::http::Method,
    route: &str,
) -> Option<&'o Operation> {
    let method = if method == axum::http::Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    match operations.binary_search_by(|op| (op.route, op.method).cmp(&(route, method))) {
        Ok(index) => operations.get(index),
        Err(_) => operations
            .iter()
            .filter(|op| op.method == method && route.ends_with(op.route))
            .max_by_key(|op| op.route.len()),
    }
}

/// The request's id: its `x-request-id` if that is visible ASCII of at most
/// 200 bytes, else a new random one.
pub fn request_id(headers: &axum::http::HeaderMap) -> axum::http::HeaderValue {
    use std::hash::BuildHasher as _;

    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if let Some(id) = headers
        .get(REQUEST_ID)
        .filter(|id| !id.is_empty() && id.len() <= 200 && id.to_str().is_ok())
    {
        return id.clone();
    }
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let random = std::collections::hash_map::RandomState::new();
    let bits = (u128::from(random.hash_one(n)) << 64) | u128::from(random.hash_one(!n));
    // 32 hex digits, written without `format!` (this runs for every request).
    let mut id = [0u8; 32];
    for (i, digit) in id.iter_mut().enumerate() {
        *digit = b"0123456789abcdef"[((bits >> (124 - 4 * i)) & 0xf) as usize];
    }
    axum::http::HeaderValue::from_bytes(&id).unwrap_or(axum::http::HeaderValue::from_static("-"))
}

/// Runs around every request: gives it an id (echoed as `x-request-id`)
/// and a `tracing` span (operation, method, route, request id, then status
/// and latency), refuses a head over its limits (431, 414), a request over
/// the limit in flight (503), bounds its body, answers 408 when the
/// handler takes too long, turns a panicking handler into a 500 problem,
/// and answers a conditional `GET`/`HEAD` whose validators match with 304.
async fn serve_request(
    axum::extract::State(served): axum::extract::State<std::sync::Arc<Served>>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let over = Over::head(&served, &request);
    let id = request_id(request.headers());
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let method = request.method().clone();
    let matched = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let route = matched.as_ref().map_or("", |route| route.as_str());
    let found = operation(served.operations, &method, route);
    let (operation, streamed) = found.map_or(("", false), |op| (op.id, op.streamed));
    let span = tracing::info_span!(
        "request",
        operation,
        method = %method,
        route = %route,
        request_id = id.to_str().unwrap_or(""),
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let conditional = (method == axum::http::Method::GET || method == axum::http::Method::HEAD)
        .then(|| {
            let headers = request.headers();
            (
                headers.get(axum::http::header::IF_NONE_MATCH).cloned(),
                headers.get(axum::http::header::IF_MODIFIED_SINCE).cloned(),
            )
        });
    // A checked body is read whole: it is bounded as one.
    let streams = streamed && served.verify.is_none();
    let limit = if streams {
        served.stream_limit
    } else {
        served.body_limit
    };
    let check = served.verify.as_ref();
    // A streamed upload may rightly take longer than the timeout.
    let timeout = served.request_timeout.filter(|_| !streams);
    let mut response = match over {
        Some(over) => over.problem(&served).into_response(),
        None => match served
            .in_flight
            .as_deref()
            .map(tokio::sync::Semaphore::try_acquire)
        {
            // Logged as answered with 503 (no more: the server is busy).
            Some(Err(_)) => {
                let mut problem = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is busy; try again shortly",
                );
                problem.retry_after = Some(BUSY_RETRY_AFTER);
                problem.into_response()
            }
            // Held until the handler has produced the response's head.
            _permit => {
                let answer =
                    tracing::Instrument::instrument(run(request, next, limit, check), span.clone());
                match timeout.and_then(|t| Some((t, started.checked_add(t)?))) {
                    Some((timeout, deadline)) => {
                        within(deadline, answer).await.unwrap_or_else(|| {
                            tracing::warn!(parent: &span, "no response within {timeout:?}");
                            timed_out(timeout)
                        })
                    }
                    None => answer.await,
                }
            }
        },
    };
    if let Some((if_none_match, if_modified_since)) = conditional {
        if response.status() == StatusCode::OK
            && not_modified(
                if_none_match.as_ref(),
                if_modified_since.as_ref(),
                response.headers(),
            )
        {
            let (mut parts, _) = response.into_parts();
            parts.status = StatusCode::NOT_MODIFIED;
            parts.headers.remove(axum::http::header::CONTENT_TYPE);
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            response = Response::from_parts(parts, axum::body::Body::empty());
        }
    }
    if let Some(interval) = served.keep_alive.filter(|_| is_event_stream(&response)) {
        response = response.map(|inner| axum::body::Body::new(KeepAlive::new(inner, interval)));
    }
    response.headers_mut().insert(REQUEST_ID, id);
    span.record("status", response.status().as_u16());
    span.record("latency_ms", started.elapsed().as_secs_f64() * 1000.0);
    tracing::info!(parent: &span, "answered");
    response
}

/// A limit on the request's head that a request is over.
#[derive(Debug, Clone, Copy)]
enum Over {
    HeaderCount,
    HeaderSize,
    Url,
}

impl Over {
    /// The limit `request`'s head is over, if any. Allocates nothing.
    fn head(served: &Served, request: &axum::extract::Request) -> Option<Over> {
        let headers = request.headers();
        if headers.len() > served.header_count_limit {
            return Some(Over::HeaderCount);
        }
        if served.header_limit != usize::MAX {
            let size = headers.iter().fold(0usize, |size, (name, value)| {
                size.saturating_add(name.as_str().len() + value.len())
            });
            if size > served.header_limit {
                return Some(Over::HeaderSize);
            }
        }
        let uri = request.uri();
        let length = uri.path_and_query().map_or(0, |p| p.as_str().len())
            + uri.authority().map_or(0, |a| a.as_str().len())
            + uri.scheme_str().map_or(0, |s| s.len() + "://".len());
        (length > served.url_limit).then_some(Over::Url)
    }

    /// The answer: 431 or 414.
    fn problem(self, served: &Served) -> Problem {
        let (status, detail) = match self {
            Over::HeaderCount => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                format!(
                    "the request has more than {} header fields",
                    served.header_count_limit
                ),
            ),
            Over::HeaderSize => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                format!(
                    "the request's header fields are larger than {} bytes",
                    served.header_limit
                ),
            ),
            Over::Url => (
                StatusCode::URI_TOO_LONG,
                format!("the URL is longer than {} bytes", served.url_limit),
            ),
        };
        Problem::new(status, detail)
    }
}

/// `answer`, or `None` if it is not ready by `deadline` (it is dropped
/// then). The timer (one small allocation) is set only when `answer` is
/// not ready at its first poll: a handler that waits on nothing costs no
/// timer, and the future stays small (measured: the timer inline cost
/// every request about 50 ns, as much as all the other limits together).
async fn within(
    deadline: std::time::Instant,
    answer: impl std::future::Future<Output = Response>,
) -> Option<Response> {
    use std::future::Future as _;
    let mut answer = std::pin::pin!(answer);
    let mut timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(response) = answer.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(response));
        }
        let deadline = tokio::time::Instant::from_std(deadline);
        timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)))
            .as_mut()
            .poll(cx)
            .map(|()| None)
    })
    .await
}

/// The 408 problem for a request not answered within `timeout`; the
/// connection is closed after it (the request body may be cut off).
fn timed_out(timeout: std::time::Duration) -> Response {
    let mut response = Problem::new(
        StatusCode::REQUEST_TIMEOUT,
        format!(
            "the request was not answered within {} ms",
            timeout.as_millis()
        ),
    )
    .into_response();
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// The handler, with its body bounded to `body_limit` bytes (413), checked
/// by `check` if any (401), and a panic in it turned into a 500 problem.
async fn run(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
    body_limit: usize,
    check: Option<&Check>,
) -> Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = declared.filter(|length| *length > body_limit as u64) {
        // Read what the client sends before answering, so that it reads the
        // 413 instead of a reset.
        if length <= DRAIN as u64 {
            let mut body = request.into_body();
            while let Some(Ok(_)) = http_body_util::BodyExt::frame(&mut body).await {}
        }
        return too_large(body_limit).into_response();
    }
    // An empty body needs no bound (and no wrapper).
    if !http_body::Body::is_end_stream(request.body()) {
        request = request.map(|body| {
            let draining = Draining {
                inner: body,
                limit: body_limit,
                seen: 0,
                crossing: None,
            };
            axum::body::Body::new(http_body_util::Limited::new(draining, body_limit))
        });
    }
    if let Some(check) = check {
        request = match checked(request, check).await {
            Ok(request) => request,
            Err(response) => return response,
        };
    }
    let mut handler = std::pin::pin!(next.run(request));
    let outcome = std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            std::future::Future::poll(handler.as_mut(), cx)
        })) {
            Ok(std::task::Poll::Ready(response)) => std::task::Poll::Ready(Ok(response)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(panic) => std::task::Poll::Ready(Err(panic)),
        }
    })
    .await;
    outcome.unwrap_or_else(|panic| panicked("handler", panic.as_ref()))
}

/// The 500 problem for a panic in `what`, logged.
fn panicked(what: &str, panic: &(dyn std::any::Any + Send)) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic");
    tracing::error!("{what} panicked: {message}");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the server could not answer",
    )
    .into_response()
}

/// `request` with its body read whole and passed by `check`, or the
/// answer: 413 over the limit, 400 for a body that could not be read, 401
/// when the check fails, 500 when it panics.
async fn checked(
    request: axum::extract::Request,
    check: &Check,
) -> Result<axum::extract::Request, Response> {
    let (parts, body) = request.into_parts();
    // Over the limit (the middleware bounded the body) is a 413.
    let bytes = super::request::read_body(body)
        .await
        .map_err(IntoResponse::into_response)?
        .unwrap_or_default();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (check.0)(&parts.headers, &bytes)
    }))
    .map_err(|panic| panicked("request check", panic.as_ref()))?;
    if let Err(message) = outcome {
        tracing::info!("request refused: {message}");
        return Err(Problem::new(StatusCode::UNAUTHORIZED, message).into_response());
    }
    Ok(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
}

/// How much more than its limit of a request body is read (and dropped)
/// before the 413.
const DRAIN: usize = 4 << 20;

/// A request body that, once more than `limit` bytes have come, reads and
/// drops up to [`DRAIN`] more bytes before it passes on the frame that
/// crossed the limit (which `Limited` turns into the 413). A connection
/// whose request was not read to its end is closed under the client, which
/// then often sees a reset instead of the answer.
struct Draining {
    inner: axum::body::Body,
    limit: usize,
    seen: usize,
    crossing: Option<http_body::Frame<axum::body::Bytes>>,
}

impl http_body::Body for Draining {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        loop {
            let std::task::Poll::Ready(next) = std::pin::Pin::new(&mut this.inner).poll_frame(cx)
            else {
                return std::task::Poll::Pending;
            };
            let size = match &next {
                Some(Ok(frame)) => frame.data_ref().map_or(0, |data| data.len()),
                _ => 0,
            };
            this.seen = this.seen.saturating_add(size);
            match (next, this.crossing.is_some()) {
                (Some(Ok(frame)), false) if this.seen > this.limit => {
                    this.crossing = Some(frame);
                }
                (next, false) => return std::task::Poll::Ready(next),
                (Some(Ok(_)), true) if this.seen <= this.limit.saturating_add(DRAIN) => {}
                (_, true) => return std::task::Poll::Ready(this.crossing.take().map(Ok)),
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.crossing.is_none() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.crossing {
            Some(_) => http_body::SizeHint::default(),
            None => self.inner.size_hint(),
        }
    }
}

/// Whether a response is a stream of server-sent events.
fn is_event_stream(response: &Response) -> bool {
    response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("text/event-stream")
        })
}

/// An event stream's body with a comment (`:`) sent after each
/// `interval` without a frame. Frames are whole events, so a comment
/// never falls inside one.
struct KeepAlive {
    inner: axum::body::Body,
    interval: std::time::Duration,
    /// When the last frame went out.
    last: tokio::time::Instant,
    /// Due when the silence may have lasted `interval`: it is moved on
    /// only when it fires (cheaper than at every frame).
    silence: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl KeepAlive {
    fn new(inner: axum::body::Body, interval: std::time::Duration) -> Self {
        KeepAlive {
            inner,
            interval,
            last: tokio::time::Instant::now(),
            silence: Box::pin(tokio::time::sleep(interval)),
        }
    }
}

impl http_body::Body for KeepAlive {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::future::Future as _;
        use std::task::Poll;
        let this = self.get_mut();
        if let Poll::Ready(frame) = std::pin::Pin::new(&mut this.inner).poll_frame(cx) {
            this.last = tokio::time::Instant::now();
            return Poll::Ready(frame);
        }
        while this.silence.as_mut().poll(cx).is_ready() {
            let now = tokio::time::Instant::now();
            let due = this.last + this.interval;
            if due > now {
                this.silence.as_mut().reset(due);
                continue;
            }
            this.last = now;
            this.silence.as_mut().reset(now + this.interval);
            let comment = axum::body::Bytes::from_static(b":\n\n");
            return Poll::Ready(Some(Ok(http_body::Frame::data(comment))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// 413 for a body above `limit` bytes.
fn too_large(limit: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {limit} bytes"),
    )
}

/// Whether a `200` with `response`'s headers is not modified for a request
/// with these conditions (RFC 9110 §13.1.2, §13.1.3): `If-None-Match` (weak
/// comparison, `*`) decides when present; else `If-Modified-Since` against
/// `Last-Modified`.
pub fn not_modified(
    if_none_match: Option<&axum::http::HeaderValue>,
    if_modified_since: Option<&axum::http::HeaderValue>,
    response: &axum::http::HeaderMap,
) -> bool {
    if let Some(tags) = if_none_match {
        let tags = tags.to_str().unwrap_or("").trim();
        if tags == "*" {
            return true;
        }
        let Some(etag) = response
            .get(axum::http::header::ETAG)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
        let etag = opaque(etag);
        return tags.split(',').any(|tag| opaque(tag) == etag);
    }
    let date = |value: Option<&axum::http::HeaderValue>| {
        value
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
    };
    match (
        date(if_modified_since),
        date(response.get(axum::http::header::LAST_MODIFIED)),
    ) {
        (Some(since), Some(modified)) => modified <= since,
        _ => false,
    }
}

/// A strong `ETag` for a response body: a quoted 64-bit hash of its bytes,
/// the same on every machine and run (fast, not cryptographic). Set it as
/// the response's documented `ETag` header, and a `GET` with a matching
/// `If-None-Match` gets 304.
pub fn strong_etag(bytes: &[u8]) -> String {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |hash: u64, word: [u8; 8]| {
        (hash ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(31)
    };
    let mut words = bytes.chunks_exact(8);
    let hash = words.by_ref().fold(bytes.len() as u64, |hash, word| {
        step(hash, word.try_into().unwrap_or_default())
    });
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    let mut hash = step(hash, tail);
    // murmur3's final mix.
    hash = (hash ^ (hash >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash = (hash ^ (hash >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    format!("\"{hash:016x}\"")
}

/// [`strong_etag`] of `body` as the server sends it in JSON.
pub fn json_etag<T: serde::Serialize>(body: &T) -> String {
    strong_etag(&serde_json::to_vec(body).unwrap_or_default())
}

/// Serves `router` on `addr` until SIGINT (Ctrl-C) or SIGTERM, then lets the
/// requests in flight finish.
///
/// ```rust,ignore
/// server::serve(router_with(MyApi, Options::new().health("/healthz")), "0.0.0.0:8080").await?;
/// ```
pub async fn serve(
    router: axum::Router,
    addr: impl tokio::net::ToSocketAddrs,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on {}", listener.local_addr()?);
    serve_until(listener, router, shutdown_signal()).await
}

/// Serves `router` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let mut interrupt = std::pin::pin!(interrupt);
    let mut terminate = std::pin::pin!(terminate);
    std::future::poll_fn(|cx| {
        if std::future::Future::poll(interrupt.as_mut(), cx).is_ready()
            || std::future::Future::poll(terminate.as_mut(), cx).is_ready()
        {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}
