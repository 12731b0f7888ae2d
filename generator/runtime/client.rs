//! The client's runtime: [`Client`] over reqwest, its builder, [`Retry`]
//! and [`Cache`], [`Hook`]s and [`TokenProvider`]s, the one way every call
//! is sent ([`Client::send`]: headers, request ids, idempotency keys, the
//! cache, tokens, hooks, retries, a `tracing` span), [`Raw`] responses, and
//! the helpers that an operation's method calls to write its request and
//! read its response.
//!
//! The order of what happens to one call, documented on
//! [`ClientBuilder::hook`]:
//!
//! 1. the operation's method writes the request (parameters, body,
//!    credentials);
//! 2. `send` adds the context's and the default headers, a request id, an
//!    idempotency key, and signs it;
//! 3. the cache answers it or adds its validators;
//! 4. a bearer token comes from the [`TokenProvider`], where the call
//!    needs one and no credential was given;
//! 5. each attempt: the hooks' [`Hook::before`] in the order they were
//!    added, the network (unless a hook answered), the hooks'
//!    [`Hook::after`] in the reverse order; then [`Retry`] decides, and a
//!    `401` to a provider's token is tried once more with a fresh one;
//! 6. the cache stores the answer, and the method reads it.
//!
//! `Client<C>` is generic over the crate's credentials (`api::Credentials`,
//! which the spec's security schemes decide); the crate's `client` module
//! names `Client<api::Credentials>` `Client` and implements its `Api` for
//! it.

/// A client of the API. It implements [`Api`], so it can stand wherever
/// a server implementation can (for example behind `server::router`,
/// as a gateway). Cloning is cheap: clones share one connection pool,
/// one configuration and one cache.
///
/// [`Client::new`] takes the defaults; [`Client::builder`] sets
/// timeouts, retries, a cache, default headers and credentials.
#[derive(Debug, Clone)]
pub struct Client<C> {
    base_url: String,
    http: reqwest::Client,
    credentials: C,
    settings: std::sync::Arc<Settings>,
}

/// What a [`ClientBuilder`] set, shared by the clones of a client.
#[derive(Debug)]
struct Settings {
    headers: reqwest::header::HeaderMap,
    timeout: Option<std::time::Duration>,
    retry: Retry,
    cache: Option<Cache>,
    request_ids: bool,
    reconnect: Option<Reconnect>,
    signer: Option<Signer>,
    hooks: Vec<std::sync::Arc<dyn Hook>>,
    tokens: Option<std::sync::Arc<dyn TokenProvider>>,
}

impl std::fmt::Debug for dyn Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hook(..)")
    }
}

impl std::fmt::Debug for dyn TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenProvider(..)")
    }
}

/// Sees and changes every attempt of every call of a [`Client`]:
/// logging, metrics, signing, or a test double that answers instead of
/// the network. Added with [`ClientBuilder::hook`]; both methods do
/// nothing unless implemented.
///
/// ```rust,ignore
/// struct Count(std::sync::atomic::AtomicUsize);
///
/// impl Hook for Count {
///     fn after(&self, _: &Attempt, outcome: Result<&reqwest::Response, &Error>) {
///         if outcome.is_err() {
///             self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         }
///     }
/// }
/// ```
pub trait Hook: Send + Sync + 'static {
    /// Before each attempt is sent, with everything set (headers,
    /// credentials, body): may change the request, fail the call with
    /// an `Err`, or answer the attempt with `Ok(Some(response))` (the
    /// later hooks' `before` and the network are then skipped).
    fn before(
        &self,
        attempt: &Attempt,
        request: &mut reqwest::Request,
    ) -> Result<Option<reqwest::Response>, super::api::Error> {
        let _ = (attempt, request);
        Ok(None)
    }

    /// After each attempt, with its response or why none came.
    fn after(&self, attempt: &Attempt, outcome: Result<&reqwest::Response, &super::api::Error>) {
        let _ = (attempt, outcome);
    }
}

/// One attempt of a call, as a [`Hook`] sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Attempt {
    /// The operation's id (or its method's name).
    pub operation: &'static str,
    /// The path as the spec writes it (`/puppies/{puppyId}`).
    pub template: &'static str,
    /// Which attempt of the call this is, from 1.
    pub number: u32,
    /// When it started (before the hooks' `before`).
    pub started: std::time::Instant,
}

/// What a [`TokenProvider`] gives: a boxed future, so that the trait can
/// be a `dyn` one.
pub type TokenFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<String, super::api::Error>> + Send + 'a>,
>;

/// Bearer tokens on demand, for calls whose security scheme takes a bearer
/// token (OAuth2, OpenID Connect, HTTP `bearer`) when no credential for it
/// was given (neither in the call's context nor the client's). The
/// crate's `OAuth2` is one; implement it for anything else (a vault, a
/// token that a platform hands out). Set with
/// [`ClientBuilder::token_provider`].
pub trait TokenProvider: Send + Sync + 'static {
    /// A token for a call that asks for `scopes` (the operation's, from
    /// the spec; often empty). Called once per call, before its first
    /// attempt: a provider keeps its tokens and refreshes them itself.
    fn token<'a>(&'a self, scopes: &'a [&'static str]) -> TokenFuture<'a>;

    /// The server answered `401` to `token`: the provider forgets it, so
    /// that the next [`TokenProvider::token`] gives another. The call is
    /// then tried once more, with that one.
    fn refused(&self, token: &str) {
        let _ = token;
    }
}

/// What [`ClientBuilder::sign`] was given: signs a request's headers and
/// body.
type SignFn = dyn Fn(&mut reqwest::header::HeaderMap, &[u8]) -> Result<(), String> + Send + Sync;

struct Signer(Box<SignFn>);

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

/// How long one attempt of a [`Client::deliverer`]'s call may take.
pub const DELIVERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How many times a [`Client::deliverer`] tries a call in all.
pub const DELIVERY_ATTEMPTS: u32 = 4;

/// The `User-Agent` sent unless one is configured: the crate that
/// holds this code, and its version.
pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

impl<C: Default> Client<C> {
    /// A client of the server at `base_url` (with the servers' base
    /// path, if any: `https://api.example.com/v1`), with the defaults
    /// of [`ClientBuilder`].
    pub fn new(base_url: impl Into<String>) -> Self {
        Client::builder(base_url).finish(reqwest::Client::new())
    }

    /// A client that sends its requests with `http`, configured as the
    /// caller likes (proxies, TLS); otherwise the defaults.
    pub fn with_http_client(base_url: impl Into<String>, http: reqwest::Client) -> Self {
        Client::builder(base_url).finish(http)
    }

    /// A client that delivers webhooks or callbacks, each call to the URL
    /// set with [`Client::with_base_url`]: it signs each call with `sign`
    /// (see [`ClientBuilder::sign`]: one signature for every attempt),
    /// gives an attempt [`DELIVERY_TIMEOUT`], and tries a call up to
    /// [`DELIVERY_ATTEMPTS`] times, from 1 s apart, on any failure
    /// ([`Retry::any_failure`]).
    pub fn deliverer(
        sign: impl Fn(&mut reqwest::header::HeaderMap, &[u8]) -> Result<(), String>
            + Send
            + Sync
            + 'static,
    ) -> Result<Self, super::api::Error> {
        let retry = Retry::default()
            .any_failure(true)
            .max_attempts(DELIVERY_ATTEMPTS)
            .base_delay(std::time::Duration::from_secs(1));
        Client::builder("")
            .timeout(DELIVERY_TIMEOUT)
            .retry(retry)
            .sign(sign)
            .build()
    }

    /// Configures a client of the server at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder<C> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::USER_AGENT,
            reqwest::header::HeaderValue::from_static(USER_AGENT),
        );
        ClientBuilder {
            base_url: base_url.into(),
            http: None,
            connect_timeout: None,
            credentials: C::default(),
            settings: Settings {
                headers,
                timeout: None,
                retry: Retry::default(),
                cache: None,
                request_ids: true,
                reconnect: None,
                signer: None,
                hooks: Vec::new(),
                tokens: None,
            },
            invalid: None,
        }
    }

    /// Sends `credentials` with every call that needs them (a call's
    /// `context.credentials` take precedence).
    pub fn with_credentials(mut self, credentials: C) -> Self {
        self.credentials = credentials;
        self
    }

    /// The credentials sent with calls that need them.
    pub fn credentials(&self) -> &C {
        &self.credentials
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The underlying reqwest client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// Headers sent with every call (`User-Agent` among them).
    pub fn default_headers(&self) -> &reqwest::header::HeaderMap {
        &self.settings.headers
    }

    /// The time one attempt of a call may take, if limited.
    pub fn timeout(&self) -> Option<std::time::Duration> {
        self.settings.timeout
    }

    /// When calls are tried again.
    pub fn retry(&self) -> &Retry {
        &self.settings.retry
    }

    /// The HTTP cache, if one was configured.
    pub fn cache(&self) -> Option<&Cache> {
        self.settings.cache.as_ref()
    }

    /// Whether calls without an `x-request-id` header get a new one.
    pub fn sends_request_ids(&self) -> bool {
        self.settings.request_ids
    }

    /// Where bearer tokens come from when a call has none, if set.
    pub fn token_provider(&self) -> Option<&dyn TokenProvider> {
        self.settings.tokens.as_deref()
    }
}

/// Configures a [`Client`]: `Client::builder(url).timeout(..).retry(..).build()`.
///
/// Defaults: no timeouts, [`Retry::default`] (3 attempts of idempotent
/// calls), no cache, `User-Agent` [`USER_AGENT`], a new `x-request-id`
/// for each call that has none, no signature.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder<C> {
    base_url: String,
    http: Option<reqwest::Client>,
    connect_timeout: Option<std::time::Duration>,
    credentials: C,
    settings: Settings,
    invalid: Option<String>,
}

impl<C> ClientBuilder<C> {
    /// Sends requests with `http` (proxies, TLS, pools as the caller
    /// likes). `connect_timeout` is then `http`'s own.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Limits each attempt of a call, from sending to the last byte of
    /// the response: a call that takes longer fails with
    /// [`super::api::Error::Timeout`].
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.settings.timeout = Some(timeout);
        self
    }

    /// Limits connecting (TCP and TLS).
    pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default: [`USER_AGENT`]).
    pub fn user_agent(self, user_agent: &str) -> Self {
        self.header("user-agent", user_agent)
    }

    /// A header sent with every call (a call's own headers win).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            reqwest::header::HeaderName::try_from(name),
            reqwest::header::HeaderValue::try_from(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.settings.headers.insert(name, value);
            }
            _ => self.invalid = Some(format!("`{name}` cannot be a header")),
        }
        self
    }

    /// Credentials sent with every call that needs them (a call's
    /// `context.credentials` take precedence).
    pub fn credentials(mut self, credentials: C) -> Self {
        self.credentials = credentials;
        self
    }

    /// When calls are tried again ([`Retry::none`] turns retries off).
    pub fn retry(mut self, retry: Retry) -> Self {
        self.settings.retry = retry;
        self
    }

    /// Caches `GET` responses in `cache` (shared by the clones of the
    /// client, and by other clients given the same cache).
    pub fn cache(mut self, cache: Cache) -> Self {
        self.settings.cache = Some(cache);
        self
    }

    /// Whether a call without an `x-request-id` header gets a new one
    /// (default `true`). A call's own, for example one that a gateway
    /// received, is always sent on.
    pub fn request_ids(mut self, on: bool) -> Self {
        self.settings.request_ids = on;
        self
    }

    /// Reconnects a stream of server-sent events whose connection
    /// breaks, as [`Reconnect`] says; off by default.
    pub fn reconnect(mut self, reconnect: Reconnect) -> Self {
        self.settings.reconnect = Some(reconnect);
        self
    }

    /// Signs every call, for example a webhook delivery: `signer` gets
    /// the call's headers, all of them set, and its body (empty when it
    /// has none), and adds its signature to the headers; an `Err` fails
    /// the call with [`super::api::Error::Encode`]. A call is signed
    /// once: its retries carry the same signature (and id, in schemes
    /// that have one). A call whose body is a stream cannot be signed,
    /// and fails.
    ///
    /// ```rust,ignore
    /// let webhooks = StandardWebhooks::new(&secret)?;
    /// let client = Client::builder(url)
    ///     .sign(move |headers, body| webhooks.sign(headers, body).map_err(|e| e.to_string()))
    ///     .retry(Retry::default().any_failure(true))
    ///     .build()?;
    /// ```
    pub fn sign(
        mut self,
        signer: impl Fn(&mut reqwest::header::HeaderMap, &[u8]) -> Result<(), String>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.settings.signer = Some(Signer(Box::new(signer)));
        self
    }

    /// Adds a hook around every attempt of every call. Hooks run in the
    /// order they were added before an attempt, and in the reverse order
    /// after it (the first added is the outermost):
    ///
    /// - inside the cache: a fresh cached answer runs no hook;
    /// - inside retries: each attempt runs every hook again, the
    ///   retries after a `429` or a `503` and the one after a refused
    ///   token included;
    /// - after the signature and the idempotency key (set once per
    ///   call) and after the bearer token: a hook sees the request as
    ///   it goes out, and what it changes is not signed.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.settings.hooks.push(std::sync::Arc::new(hook));
        self
    }

    /// Where a bearer token comes from for a call that needs one and was
    /// given none (see [`TokenProvider`]); for example the crate's
    /// `OAuth2`.
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.settings.tokens = Some(std::sync::Arc::new(provider));
        self
    }

    /// The client; fails when a header was invalid or reqwest cannot
    /// make a client (its TLS backend did not start).
    pub fn build(self) -> Result<Client<C>, super::api::Error> {
        if let Some(message) = self.invalid {
            return Err(super::api::Error::Encode(message));
        }
        let http = match self.http.clone() {
            Some(http) => http,
            None => {
                let mut http = reqwest::Client::builder();
                if let Some(timeout) = self.connect_timeout {
                    http = http.connect_timeout(timeout);
                }
                http.build()
                    .map_err(|e| super::api::Error::Transport(e.into()))?
            }
        };
        Ok(self.finish(http))
    }

    fn finish(self, http: reqwest::Client) -> Client<C> {
        Client {
            base_url: trim_base_url(self.base_url),
            http,
            credentials: self.credentials,
            settings: std::sync::Arc::new(self.settings),
        }
    }
}

/// A base URL without its trailing `/`s.
fn trim_base_url(mut base_url: String) -> String {
    while base_url.ends_with('/') {
        base_url.pop();
    }
    base_url
}

/// How a stream of server-sent events reconnects when its connection
/// breaks (not when it ends): the call is sent again with
/// `Last-Event-ID`, the id of the last event that came, after the
/// stream's own `retry:` time or [`Reconnect::delay`], up to
/// [`Reconnect::max_attempts`] times in a row. A call whose body is a
/// stream cannot be sent again, and does not reconnect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Reconnect {
    max_attempts: u32,
    delay: std::time::Duration,
}

impl Default for Reconnect {
    /// Up to 5 attempts in a row, 3 s apart unless the stream says
    /// otherwise.
    fn default() -> Self {
        Reconnect {
            max_attempts: 5,
            delay: std::time::Duration::from_secs(3),
        }
    }
}

impl Reconnect {
    /// The defaults of [`Reconnect::default`].
    pub fn new() -> Self {
        Reconnect::default()
    }

    /// How many reconnects in a row are tried before the break is
    /// the stream's error.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The wait before each, unless the stream sent `retry:`.
    pub fn delay(mut self, delay: std::time::Duration) -> Self {
        self.delay = delay;
        self
    }

    /// How many reconnects in a row are tried.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before each, unless the stream sent `retry:`.
    pub fn wait(&self) -> std::time::Duration {
        self.delay
    }
}

/// The call that a stream's response came from, kept in the response's
/// extensions where the client reconnects streams.
#[derive(Debug, Clone)]
pub struct Resend {
    /// The request, to be sent again.
    pub request: std::sync::Arc<std::sync::Mutex<reqwest::RequestBuilder>>,
    /// How.
    pub reconnect: Reconnect,
}

/// When a call is tried again: on a connection error, `429 Too Many
/// Requests` or `503 Service Unavailable`, for idempotent methods
/// (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`, `TRACE`, `QUERY`) unless
/// [`Retry::all_methods`] is set; with [`Retry::any_failure`], also on
/// a timeout and on every `5xx` status, for every method. It waits as
/// `Retry-After` says (seconds or an HTTP date), otherwise
/// exponentially longer with jitter; when `Retry-After` asks for more
/// than `max_delay`, the response is returned instead. A call whose
/// body is a stream is tried once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Retry {
    max_attempts: u32,
    base_delay: std::time::Duration,
    max_delay: std::time::Duration,
    all_methods: bool,
    any_failure: bool,
}

impl Default for Retry {
    /// Up to 3 attempts, waits from 100 ms, at most 10 s; idempotent
    /// methods only, on connection errors, 429 and 503 only.
    fn default() -> Self {
        Retry {
            max_attempts: 3,
            base_delay: std::time::Duration::from_millis(100),
            max_delay: std::time::Duration::from_secs(10),
            all_methods: false,
            any_failure: false,
        }
    }
}

impl Retry {
    /// Every call is tried once.
    pub fn none() -> Self {
        Retry {
            max_attempts: 1,
            ..Retry::default()
        }
    }

    /// Tries a call up to `attempts` times in all (at least once).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the second attempt; each later one doubles it.
    pub fn base_delay(mut self, delay: std::time::Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait, between attempts and from `Retry-After`.
    pub fn max_delay(mut self, delay: std::time::Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Tries `POST` and `PATCH` calls again too: only for servers
    /// that make them safe to repeat (idempotency keys).
    pub fn all_methods(mut self, on: bool) -> Self {
        self.all_methods = on;
        self
    }

    /// Tries a call again on any failure: a timeout and every `5xx`
    /// status too, for every method (as [`Retry::all_methods`]). What a
    /// sender of webhooks wants: a delivery carries an id by which its
    /// receiver drops repeats, so it is safe to send again, and a
    /// receiver's 500 is often passing.
    pub fn any_failure(mut self, on: bool) -> Self {
        self.any_failure = on;
        self
    }

    /// How many times a call is tried in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait after attempt `attempt` (from 1): the base delay
    /// doubled per attempt, capped, then between half and all of it.
    pub fn delay(&self, attempt: u32) -> std::time::Duration {
        let exponential = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exponential.min(self.max_delay);
        let half = capped / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        half + std::time::Duration::from_nanos(super::api::random() % nanos.saturating_add(1))
    }

    /// Whether an answer with `status` is tried again.
    fn retries_status(&self, status: reqwest::StatusCode) -> bool {
        matches!(status.as_u16(), 429 | 503) || (self.any_failure && status.is_server_error())
    }

    fn applies_to(&self, method: &reqwest::Method) -> bool {
        self.all_methods
            || self.any_failure
            || matches!(
                method.as_str(),
                "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE" | "QUERY"
            )
    }
}

/// An HTTP cache of `GET` responses, in memory, shared by its clones.
///
/// It stores `200` responses that allow it (`Cache-Control` without
/// `no-store`, and a `max-age` or a validator: `ETag`,
/// `Last-Modified`). A fresh response (within `max-age`) is answered
/// without a request; a stale one, or one marked `no-cache`, is
/// revalidated with `If-None-Match` / `If-Modified-Since`, and a `304`
/// answer gives the stored body.
///
/// Entries are keyed by the URL and every header sent except
/// `x-request-id`: credentials (`Authorization`, API keys, cookies)
/// are part of the key, so one caller's response is never given to
/// another. When it is full, the oldest entry goes.
#[derive(Clone)]
pub struct Cache {
    store: std::sync::Arc<std::sync::Mutex<CacheStore>>,
}

struct CacheStore {
    max_entries: usize,
    max_body: usize,
    entries: std::collections::HashMap<String, CacheEntry>,
    /// Keys, oldest first.
    order: std::collections::VecDeque<String>,
}

struct CacheEntry {
    headers: reqwest::header::HeaderMap,
    body: bytes::Bytes,
    /// `None`: revalidate every time (`no-cache`, or no `max-age`).
    fresh_until: Option<std::time::Instant>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("entries", &self.len())
            .finish()
    }
}

impl Cache {
    /// A cache of up to `max_entries` responses of up to 1 MiB each.
    pub fn new(max_entries: usize) -> Self {
        Cache {
            store: std::sync::Arc::new(std::sync::Mutex::new(CacheStore {
                max_entries,
                max_body: 1 << 20,
                entries: std::collections::HashMap::new(),
                order: std::collections::VecDeque::new(),
            })),
        }
    }

    /// Responses with larger bodies are not stored.
    #[must_use]
    pub fn max_body(self, bytes: usize) -> Self {
        self.lock().max_body = bytes;
        self
    }

    /// How many responses it holds.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every response.
    pub fn clear(&self) {
        let mut store = self.lock();
        store.entries.clear();
        store.order.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheStore> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One call as an operation's method makes it, for [`Client::send`].
#[derive(Debug)]
pub struct Call<'a> {
    /// The operationId, for the span.
    pub operation: &'static str,
    /// The path as the spec writes it, for the span.
    pub template: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The URL without the query.
    pub url: String,
    /// The query, encoded; empty for none.
    pub query: String,
    /// The operation's own headers (parameters, credentials).
    pub headers: reqwest::header::HeaderMap,
    /// The `Cookie` header's value, encoded; empty for none.
    pub cookies: String,
    /// The body and its media type.
    pub body: Option<(&'static str, reqwest::Body)>,
    /// Whether the response may be a binary stream, which the cache stores
    /// only when its `Content-Length` is within its `max_body` (it does not
    /// read a stream of unknown length).
    pub streams: bool,
    /// Where the call needs a bearer token that no credential gave: the
    /// scopes to ask the [`TokenProvider`] for.
    pub token: Option<&'static [&'static str]>,
    /// The header that carries the call's idempotency key, where the
    /// operation has one: a call without it gets a new key, the same on
    /// every attempt, and is tried again like an idempotent one.
    pub idempotency_key: Option<&'static str>,
    /// The call's context: its headers are sent on but for
    /// [`NOT_FORWARDED`]; a [`NextPage`] among its extensions sends the
    /// call to that URL.
    pub context: &'a dyn CallContext,
}

/// What [`Client::send`] reads of a call's context (the crate's
/// `api::Context`).
pub trait CallContext: Sync + std::fmt::Debug {
    /// Headers to send as well.
    fn headers(&self) -> &http::HeaderMap;
    /// The context's extensions (a [`NextPage`], for one).
    fn extensions(&self) -> &http::Extensions;
}

/// Sends a call to this URL, its query included, in place of the path
/// and query that its parameters make (its headers, credentials and
/// body are as they are): how a page after the first is fetched, at the
/// URL that the page before it gave. Put it among the call's
/// `context.extensions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextPage(pub String);

/// A call's typed response with the status, the headers and the final
/// URL (after redirects) of the HTTP response it was read from: what the
/// client's `raw()` calls give.
#[derive(Debug, Clone)]
pub struct Raw<T> {
    /// The status.
    pub status: reqwest::StatusCode,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The URL that answered.
    pub url: reqwest::Url,
    /// The typed response (the operation's response enum).
    pub value: T,
}

impl<T> Raw<T> {
    /// The typed response alone.
    pub fn into_value(self) -> T {
        self.value
    }
}

impl Raw<()> {
    /// The status, the headers and the URL of `response` (read before its
    /// body is), around the value to come.
    pub fn of(response: &reqwest::Response) -> Self {
        Raw {
            status: response.status(),
            headers: response.headers().clone(),
            url: response.url().clone(),
            value: (),
        }
    }

    /// These parts around `value`.
    pub fn with<T>(self, value: T) -> Raw<T> {
        Raw {
            status: self.status,
            headers: self.headers,
            url: self.url,
            value,
        }
    }
}

/// A client's calls that give [`Raw`] responses: `client.raw().get_pet(request)`.
#[derive(Debug)]
pub struct RawCalls<'a, C>(&'a Client<C>);

impl<C> Clone for RawCalls<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for RawCalls<'_, C> {}

impl<C> std::ops::Deref for RawCalls<'_, C> {
    type Target = Client<C>;

    fn deref(&self) -> &Client<C> {
        self.0
    }
}

impl<C> Client<C> {
    /// The same calls, each giving the response's status, headers and
    /// URL with its typed value ([`Raw`]).
    pub fn raw(&self) -> RawCalls<'_, C> {
        RawCalls(self)
    }

    /// The same client at another base URL (its trailing `/` trimmed):
    /// the same connection pool, settings, credentials and cache. Cheap,
    /// for example for a sender of webhooks to each subscriber's URL.
    pub fn with_base_url(&self, base_url: impl Into<String>) -> Self
    where
        C: Clone,
    {
        Client {
            base_url: trim_base_url(base_url.into()),
            http: self.http.clone(),
            credentials: self.credentials.clone(),
            settings: std::sync::Arc::clone(&self.settings),
        }
    }

    /// Sends one call: the query, the cookies, the context's and the
    /// default headers, a request id, an idempotency key, the signature,
    /// then the cache, the token and the attempts, in a `tracing` span
    /// that records the status, latency and retries.
    pub async fn send(&self, call: Call<'_>) -> Result<reqwest::Response, super::api::Error> {
        let Call {
            operation,
            template,
            method,
            mut url,
            query,
            mut headers,
            cookies,
            body,
            streams,
            token,
            idempotency_key,
            context,
        } = call;
        use tracing::Instrument as _;
        if let Some(NextPage(next)) = context.extensions().get::<NextPage>() {
            url.clone_from(next);
        } else if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        if !cookies.is_empty() {
            let value = reqwest::header::HeaderValue::try_from(cookies)
                .map_err(|_| super::api::Error::Encode("cookies cannot form a header".into()))?;
            headers.insert(reqwest::header::COOKIE, value);
        }
        for (name, value) in context.headers() {
            if !NOT_FORWARDED.contains(&name.as_str()) && !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        for (name, value) in &self.settings.headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        if let Some((content_type, _)) = &body {
            let value = reqwest::header::HeaderValue::try_from(*content_type).map_err(|_| {
                super::api::Error::Encode(format!("`{content_type}` cannot be a content type"))
            })?;
            headers.insert(reqwest::header::CONTENT_TYPE, value);
        }
        if self.settings.request_ids && !headers.contains_key(X_REQUEST_ID) {
            if let Ok(value) = reqwest::header::HeaderValue::try_from(new_request_id()) {
                headers.insert(X_REQUEST_ID, value);
            }
        }
        // One key for every attempt: what lets the server drop repeats.
        let keyed = match idempotency_key {
            Some(name) if !headers.contains_key(name) => {
                if let Ok(value) = reqwest::header::HeaderValue::try_from(new_request_id()) {
                    headers.insert(name, value);
                }
                true
            }
            Some(_) => true,
            None => false,
        };
        if let Some(signer) = &self.settings.signer {
            let bytes = match &body {
                Some((_, body)) => body.as_bytes().ok_or_else(|| {
                    super::api::Error::Encode("a streamed body cannot be signed".into())
                })?,
                None => &[],
            };
            (signer.0)(&mut headers, bytes).map_err(super::api::Error::Encode)?;
        }
        let request_id = headers
            .get(X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let span = tracing::info_span!(
            "call", operation, method = % method, url.template = template, request_id,
            status = tracing::field::Empty, latency_ms = tracing::field::Empty, retries =
            tracing::field::Empty, cache = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let attempt = Attempt {
            operation,
            template,
            number: 1,
            started,
        };
        let sending = Sending {
            method,
            url,
            headers,
            body,
            streams,
            token: token.filter(|_| self.settings.tokens.is_some()),
            keyed,
        };
        let result = self
            .execute(sending, attempt, &span)
            .instrument(span.clone())
            .await;
        span.record(
            "latency_ms",
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        );
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
            }
            Err(error) => tracing::debug!(parent : & span, % error, "call failed"),
        }
        result
    }

    /// The cache, the token, then attempts until one gives an answer that
    /// is not to be retried (a streamed body cannot be sent twice:
    /// reqwest's `try_clone` gives none, so such a call is tried once).
    async fn execute(
        &self,
        sending: Sending,
        mut attempt: Attempt,
        span: &tracing::Span,
    ) -> Result<reqwest::Response, super::api::Error> {
        let Sending {
            method,
            url,
            mut headers,
            body,
            streams,
            token,
            keyed,
        } = sending;
        let settings = &*self.settings;
        let cached = match &settings.cache {
            Some(cache) if method == reqwest::Method::GET => {
                let key = cache_key(&url, &headers);
                match cache.lookup(&key) {
                    Lookup::Fresh(response) => {
                        span.record("cache", "hit");
                        return Ok(response);
                    }
                    Lookup::Stale {
                        etag,
                        last_modified,
                    } => {
                        span.record("cache", "stale");
                        if let Some(etag) = etag {
                            headers
                                .entry(reqwest::header::IF_NONE_MATCH)
                                .or_insert(etag);
                        }
                        if let Some(date) = last_modified {
                            headers
                                .entry(reqwest::header::IF_MODIFIED_SINCE)
                                .or_insert(date);
                        }
                    }
                    Lookup::Miss => {
                        span.record("cache", "miss");
                    }
                }
                Some((cache, key))
            }
            _ => None,
        };
        // The provider's token, and its scopes for a fresh one after a 401.
        let mut bearer = match (token, &settings.tokens) {
            (Some(scopes), Some(provider)) => {
                let token = provider.token(scopes).await?;
                headers.insert(reqwest::header::AUTHORIZATION, bearer_header(&token)?);
                Some((scopes, provider, token))
            }
            _ => None,
        };
        let mut builder = self.http.request(method.clone(), url).headers(headers);
        // A stream's body may take any time: only its headers are timed.
        let headers_timeout = settings.timeout.filter(|_| streams);
        if let Some(timeout) = settings.timeout.filter(|_| !streams) {
            builder = builder.timeout(timeout);
        }
        if let Some((_, body)) = body {
            builder = builder.body(body);
        }
        let resend = match &settings.reconnect {
            Some(reconnect) if streams => builder.try_clone().map(|request| Resend {
                request: std::sync::Arc::new(std::sync::Mutex::new(request)),
                reconnect: reconnect.clone(),
            }),
            _ => None,
        };
        let mut request = builder.build().map_err(transport)?;
        let retry = &settings.retry;
        let retried = keyed || retry.applies_to(&method);
        // Attempts that count against `retry` (a refused token's does not).
        let mut tries = 1;
        let response = loop {
            let next = if (retried && tries < retry.max_attempts) || bearer.is_some() {
                request.try_clone()
            } else {
                None
            };
            let outcome = self.attempt(request, &attempt, headers_timeout).await;
            let refused = matches!(&outcome, Ok(response) if response.status() == reqwest::StatusCode::UNAUTHORIZED);
            let next = match (refused, bearer.take(), next) {
                (true, Some((scopes, provider, token)), Some(mut next)) => {
                    // Once: the next 401 is the caller's answer.
                    provider.refused(&token);
                    let fresh = provider.token(scopes).await?;
                    next.headers_mut()
                        .insert(reqwest::header::AUTHORIZATION, bearer_header(&fresh)?);
                    tracing::debug!(
                        attempt = attempt.number,
                        "token refused; trying a fresh one"
                    );
                    drop(outcome);
                    request = next;
                    attempt.number += 1;
                    continue;
                }
                (_, kept, next) => {
                    bearer = kept;
                    next
                }
            };
            let wait = match (&outcome, &next) {
                (_, None) => None,
                _ if !retried || tries >= retry.max_attempts => None,
                (Ok(response), Some(_)) if retry.retries_status(response.status()) => {
                    Some(retry_after(response.headers()).unwrap_or_else(|| retry.delay(tries)))
                }
                (Err(failure), Some(_)) if failure.retryable(retry) => Some(retry.delay(tries)),
                _ => None,
            };
            match (wait, next) {
                (Some(wait), Some(next)) if wait <= retry.max_delay => {
                    tracing::debug!(
                        attempt = attempt.number,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "trying again"
                    );
                    drop(outcome);
                    tokio::time::sleep(wait).await;
                    request = next;
                    tries += 1;
                    attempt.number += 1;
                }
                _ => break outcome.map_err(|failure| failure.error)?,
            }
        };
        span.record("retries", attempt.number - 1);
        let mut response = response;
        if let Some(resend) = resend {
            response.extensions_mut().insert(resend);
        }
        let Some((cache, key)) = cached else {
            return Ok(response);
        };
        match response.status() {
            reqwest::StatusCode::NOT_MODIFIED => {
                match cache.revalidated(&key, response.headers()) {
                    Some(stored) => {
                        span.record("cache", "revalidated");
                        Ok(stored)
                    }
                    None => Ok(response),
                }
            }
            reqwest::StatusCode::OK => cache.store(key, response, streams).await,
            _ => Ok(response),
        }
    }

    /// One attempt: the hooks' `before`, the network (unless a hook
    /// answered; `headers_timeout` limits the wait for a stream's
    /// headers), the hooks' `after`.
    async fn attempt(
        &self,
        mut request: reqwest::Request,
        attempt: &Attempt,
        headers_timeout: Option<std::time::Duration>,
    ) -> Result<reqwest::Response, Failure> {
        let hooks = &self.settings.hooks;
        let mut answered = None;
        let mut ran = 0;
        for hook in hooks {
            ran += 1;
            match hook.before(attempt, &mut request) {
                Ok(None) => {}
                Ok(Some(response)) => {
                    answered = Some(Ok(response));
                    break;
                }
                Err(error) => {
                    answered = Some(Err(Failure {
                        error,
                        retryable: Retryable::No,
                    }));
                    break;
                }
            }
        }
        let outcome = match answered {
            Some(outcome) => outcome,
            None => {
                let sent = self.http.execute(request);
                let outcome = match headers_timeout {
                    Some(timeout) => tokio::time::timeout(timeout, sent).await.ok(),
                    None => Some(sent.await),
                };
                match outcome {
                    Some(Ok(response)) => Ok(response),
                    Some(Err(error)) => Err(Failure {
                        retryable: if error.is_timeout() {
                            Retryable::OnAnyFailure
                        } else if error.is_connect() || error.is_request() {
                            Retryable::Yes
                        } else {
                            Retryable::No
                        },
                        error: transport(error),
                    }),
                    None => {
                        let ms = headers_timeout.unwrap_or_default().as_millis();
                        Err(Failure {
                            error: super::api::Error::Timeout(
                                format!("no response in {ms} ms").into(),
                            ),
                            retryable: Retryable::OnAnyFailure,
                        })
                    }
                }
            }
        };
        for hook in hooks[..ran].iter().rev() {
            hook.after(attempt, outcome.as_ref().map_err(|failure| &failure.error));
        }
        outcome
    }
}

/// A call as `send` hands it to `execute`.
struct Sending {
    method: reqwest::Method,
    url: String,
    headers: reqwest::header::HeaderMap,
    body: Option<(&'static str, reqwest::Body)>,
    streams: bool,
    /// The scopes of a token to get from the provider (which is set).
    token: Option<&'static [&'static str]>,
    /// Whether it carries an idempotency key.
    keyed: bool,
}

/// An attempt that got no response, and whether to try again.
#[derive(Debug)]
struct Failure {
    error: super::api::Error,
    retryable: Retryable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retryable {
    /// A connection that failed: as [`Retry`] says.
    Yes,
    /// A timeout: under [`Retry::any_failure`] only.
    OnAnyFailure,
    /// Anything else (a hook's `Err`, a body that failed).
    No,
}

impl Failure {
    fn retryable(&self, retry: &Retry) -> bool {
        match self.retryable {
            Retryable::Yes => true,
            Retryable::OnAnyFailure => retry.any_failure,
            Retryable::No => false,
        }
    }
}

/// `Authorization: Bearer <token>`.
fn bearer_header(token: &str) -> Result<reqwest::header::HeaderValue, super::api::Error> {
    reqwest::header::HeaderValue::try_from(format!("Bearer {token}"))
        .map_err(|_| super::api::Error::Encode("the bearer token cannot form a header".into()))
}

/// Headers of a context that describe its own connection, body
/// or credentials, not the call: never copied into a request.
pub const NOT_FORWARDED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "content-type",
    "accept-encoding",
    "authorization",
    "cookie",
    "if-none-match",
    "if-modified-since",
];

/// Sent with every call, and sent on from a call's context (a
/// gateway's callers' ids reach the upstream).
const X_REQUEST_ID: &str = "x-request-id";

/// 32 hex digits.
pub fn new_request_id() -> String {
    format!("{:016x}{:016x}", super::api::random(), super::api::random())
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<std::time::Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(std::time::Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

fn transport(error: reqwest::Error) -> super::api::Error {
    if error.is_timeout() {
        super::api::Error::Timeout(error.into())
    } else {
        super::api::Error::Transport(error.into())
    }
}

/// The URL and every header but the request id, in a fixed order.
pub fn cache_key(url: &str, headers: &reqwest::header::HeaderMap) -> String {
    let mut lines: Vec<(&str, &[u8])> = headers
        .iter()
        .filter(|(name, _)| name.as_str() != X_REQUEST_ID)
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    lines.sort_unstable();
    let mut key = url.to_owned();
    for (name, value) in lines {
        key.push('\n');
        key.push_str(name);
        key.push_str(": ");
        key.push_str(&String::from_utf8_lossy(value));
    }
    key
}

/// What `Cache-Control` says.
#[derive(Default)]
struct CacheControl {
    no_store: bool,
    no_cache: bool,
    max_age: Option<u64>,
}

impl CacheControl {
    fn of(headers: &reqwest::header::HeaderMap) -> Self {
        let mut control = CacheControl::default();
        for value in headers.get_all(reqwest::header::CACHE_CONTROL) {
            for directive in value.to_str().unwrap_or_default().split(',') {
                let directive = directive.trim();
                let (name, argument) = directive.split_once('=').unwrap_or((directive, ""));
                match name.trim().to_ascii_lowercase().as_str() {
                    "no-store" => control.no_store = true,
                    "no-cache" => control.no_cache = true,
                    "max-age" => {
                        control.max_age = argument.trim().trim_matches('"').parse().ok();
                    }
                    _ => {}
                }
            }
        }
        control
    }

    /// Until when a response with `headers` is fresh.
    fn fresh_until(&self, headers: &reqwest::header::HeaderMap) -> Option<std::time::Instant> {
        if self.no_cache {
            return None;
        }
        let age = headers
            .get(reqwest::header::AGE)
            .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let left = self.max_age?.checked_sub(age).filter(|left| *left > 0)?;
        std::time::Instant::now().checked_add(std::time::Duration::from_secs(left))
    }
}

enum Lookup {
    Fresh(reqwest::Response),
    Stale {
        etag: Option<reqwest::header::HeaderValue>,
        last_modified: Option<reqwest::header::HeaderValue>,
    },
    Miss,
}

impl CacheEntry {
    fn response(&self) -> reqwest::Response {
        let mut response = http::Response::new(reqwest::Body::from(self.body.clone()));
        *response.headers_mut() = self.headers.clone();
        reqwest::Response::from(response)
    }
}

impl Cache {
    fn lookup(&self, key: &str) -> Lookup {
        let store = self.lock();
        let Some(entry) = store.entries.get(key) else {
            return Lookup::Miss;
        };
        if entry
            .fresh_until
            .is_some_and(|until| until > std::time::Instant::now())
        {
            return Lookup::Fresh(entry.response());
        }
        Lookup::Stale {
            etag: entry.headers.get(reqwest::header::ETAG).cloned(),
            last_modified: entry.headers.get(reqwest::header::LAST_MODIFIED).cloned(),
        }
    }

    /// A `304` came: the stored response, its headers updated by the 304's.
    fn revalidated(
        &self,
        key: &str,
        headers: &reqwest::header::HeaderMap,
    ) -> Option<reqwest::Response> {
        let mut store = self.lock();
        let entry = store.entries.get_mut(key)?;
        for name in [
            reqwest::header::CACHE_CONTROL,
            reqwest::header::ETAG,
            reqwest::header::LAST_MODIFIED,
            reqwest::header::EXPIRES,
            reqwest::header::DATE,
        ] {
            if let Some(value) = headers.get(&name) {
                entry.headers.insert(name, value.clone());
            }
        }
        entry.fresh_until = CacheControl::of(&entry.headers).fresh_until(headers);
        Some(entry.response())
    }

    /// Stores a `200` response if it may be, and gives it back. One
    /// that `streams` (binary) is stored only when its length is known
    /// and small enough: it is not read whole to find out.
    async fn store(
        &self,
        key: String,
        mut response: reqwest::Response,
        streams: bool,
    ) -> Result<reqwest::Response, super::api::Error> {
        let control = CacheControl::of(response.headers());
        let validated = response.headers().contains_key(reqwest::header::ETAG)
            || response
                .headers()
                .contains_key(reqwest::header::LAST_MODIFIED);
        let varies = response
            .headers()
            .get_all(reqwest::header::VARY)
            .iter()
            .any(|v| v.as_bytes().trim_ascii() == b"*");
        let max_body = self.lock().max_body;
        let too_large = response
            .content_length()
            .map_or(streams, |n| n > max_body as u64);
        if control.no_store || varies || too_large || !(validated || control.max_age.is_some()) {
            return Ok(response);
        }
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(transport)?;
        let entry = CacheEntry {
            fresh_until: control.fresh_until(&headers),
            headers,
            body,
        };
        let answer = entry.response();
        if entry.body.len() <= max_body {
            let mut store = self.lock();
            if store.entries.insert(key.clone(), entry).is_none() {
                store.order.push_back(key);
            }
            while store.entries.len() > store.max_entries {
                let Some(oldest) = store.order.pop_front() else {
                    break;
                };
                store.entries.remove(&oldest);
            }
        }
        Ok(answer)
    }
}

/// A parameter's value as JSON text (a parameter with JSON `content`).
pub fn json_text<T: serde::Serialize>(value: &T) -> Result<String, super::api::Error> {
    serde_json::to_string(value).map_err(|e| super::api::Error::Encode(e.to_string()))
}

/// A JSON request body.
pub fn encode_json<T: serde::Serialize>(body: &T) -> Result<reqwest::Body, super::api::Error> {
    serde_json::to_vec(body)
        .map(reqwest::Body::from)
        .map_err(|e| super::api::Error::Encode(e.to_string()))
}

pub fn encode_form<T: serde::Serialize>(body: &T) -> Result<reqwest::Body, super::api::Error> {
    serde_urlencoded::to_string(body)
        .map(reqwest::Body::from)
        .map_err(|e| super::api::Error::Encode(e.to_string()))
}

/// The response's status, headers and whole body.
pub async fn read(
    mut response: reqwest::Response,
) -> Result<
    (
        reqwest::StatusCode,
        reqwest::header::HeaderMap,
        bytes::Bytes,
    ),
    super::api::Error,
> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let bytes = response.bytes().await.map_err(transport)?;
    Ok((status, headers, bytes))
}

/// A response that does not match the spec, kept whole.
pub fn decode_error(
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
    path: Option<String>,
    message: String,
) -> super::api::Error {
    super::api::Error::Decode {
        status,
        headers: Box::new(headers),
        body,
        path,
        message,
    }
}

pub async fn decode_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, super::api::Error> {
    let (status, headers, bytes) = read(response).await?;
    match super::values::lenient(|| serde_json::from_slice(&bytes)) {
        Ok(value) => Ok(value),
        Err(error) => {
            let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
            let path = super::values::lenient(|| {
                serde_path_to_error::deserialize::<_, T>(&mut deserializer)
            })
            .err()
            .map(|e| e.path().to_string());
            Err(decode_error(
                status,
                headers,
                bytes.into(),
                path,
                error.to_string(),
            ))
        }
    }
}

/// A documented response header, parsed.
pub fn response_header<T: std::str::FromStr>(
    response: &reqwest::Response,
    name: &str,
) -> Result<Option<T>, super::api::Error>
where
    T::Err: std::fmt::Display,
{
    let Some(value) = response.headers().get(name) else {
        return Ok(None);
    };
    let decode = |message: String| {
        decode_error(
            response.status(),
            response.headers().clone(),
            Vec::new(),
            None,
            message,
        )
    };
    let value = value
        .to_str()
        .map_err(|_| decode(format!("header `{name}` is not visible ASCII")))?;
    value
        .trim()
        .parse()
        .map(Some)
        .map_err(|e| decode(format!("header `{name}`: {e}")))
}

/// The error for a status the spec does not document.
pub async fn unexpected(mut response: reqwest::Response) -> super::api::Error {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response.bytes().await.map(Vec::from).unwrap_or_default();
    super::api::Error::UnexpectedStatus {
        status,
        headers: Box::new(headers),
        body,
    }
}

/// A path or query value, percent-encoded: all but RFC 3986
/// unreserved characters, so it stays one segment or one value.
pub fn percent_encode(value: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
}

/// Appends `name=value` (both encoded already) to a query string.
pub fn push_query(query: &mut String, name: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str(name);
    query.push('=');
    query.push_str(value);
}

/// Decodes a form-encoded response body.
pub async fn decode_form<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, super::api::Error> {
    let (status, headers, bytes) = read(response).await?;
    serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| decode_error(status, headers, bytes.to_vec(), None, e.to_string()))
}

/// A text response body (invalid UTF-8 replaced).
pub async fn decode_text(response: reqwest::Response) -> Result<String, super::api::Error> {
    let (_, _, bytes) = read(response).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The response's `Content-Type` without parameters, in lower case; empty
/// when there is none.
pub fn media_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
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

/// A required response header, or the decode error naming it.
pub fn required_header<T>(
    response: &reqwest::Response,
    value: Option<T>,
    name: &str,
) -> Result<T, super::api::Error> {
    value.ok_or_else(|| {
        decode_error(
            response.status(),
            response.headers().clone(),
            Vec::new(),
            None,
            format!("header `{name}` is missing"),
        )
    })
}

/// Sets a header parameter.
pub fn insert_header(
    headers: &mut reqwest::header::HeaderMap,
    name: &'static str,
    value: &impl std::fmt::Display,
) -> Result<(), super::api::Error> {
    let value = reqwest::header::HeaderValue::try_from(value.to_string())
        .map_err(|_| super::api::Error::Encode(format!("header `{name}` cannot hold `{value}`")))?;
    headers.insert(name, value);
    Ok(())
}

/// Appends `name=value` to a `Cookie` header's value.
pub fn push_cookie(cookies: &mut String, name: &str, value: &impl std::fmt::Display) {
    if !cookies.is_empty() {
        cookies.push_str("; ");
    }
    cookies.push_str(name);
    cookies.push('=');
    cookies.push_str(&value.to_string());
}

/// A query value with `allowReserved`: RFC 3986 reserved characters stay
/// as they are, except `&` and `#`, which would end it.
pub fn encode_reserved(value: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b':')
        .remove(b'/')
        .remove(b'?')
        .remove(b'[')
        .remove(b']')
        .remove(b'@')
        .remove(b'!')
        .remove(b'$')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')')
        .remove(b'*')
        .remove(b'+')
        .remove(b',')
        .remove(b';')
        .remove(b'=');
    percent_encoding::utf8_percent_encode(value, KEEP).to_string()
}

/// Header and cookie values go as they are.
pub fn verbatim(value: &str) -> String {
    value.to_owned()
}

/// The items of an array parameter, each encoded.
pub fn parts<T: std::fmt::Display>(items: &[T], encode: fn(&str) -> String) -> Vec<String> {
    items.iter().map(|item| encode(&item.to_string())).collect()
}

/// An object parameter's properties as text, in field order (unset ones
/// left out), as a form body would hold them.
pub fn object_pairs<T: serde::Serialize>(
    value: &T,
) -> Result<Vec<(String, String)>, super::api::Error> {
    let form =
        serde_urlencoded::to_string(value).map_err(|e| super::api::Error::Encode(e.to_string()))?;
    serde_urlencoded::from_str(&form).map_err(|e| super::api::Error::Encode(e.to_string()))
}

/// An object's properties as parts: `k=v` each (`explode`), or `k`, `v` in
/// turn; keys and values encoded.
pub fn object_parts(
    pairs: Vec<(String, String)>,
    explode: bool,
    encode: fn(&str) -> String,
) -> Vec<String> {
    if explode {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect()
    } else {
        pairs
            .iter()
            .flat_map(|(k, v)| [encode(k), encode(v)])
            .collect()
    }
}

/// Parts laid out as a style says: `lead`, then each part after `prefix`,
/// with `sep` between them.
pub fn styled(parts: &[String], lead: &str, prefix: &str, sep: &str) -> String {
    let mut out = String::from(lead);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(prefix);
        out.push_str(part);
    }
    out
}
