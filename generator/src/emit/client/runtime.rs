//! The client's runtime, emitted once per crate: configuration
//! (`ClientBuilder`), retries (`Retry`), the HTTP cache (`Cache`), and
//! `Client::send`, which every operation calls.
//!
//! All of it is non-generic code that does not depend on the spec, except
//! for the cookie header (only APIs with cookies send one), so its compile
//! time is paid once, not per operation.

use proc_macro2::TokenStream;
use quote::quote;

/// `Client`, `ClientBuilder`, `Retry` and `Cache`: the public configuration.
/// Always emitted with the client.
pub(super) fn config(default_base: Option<&str>) -> TokenStream {
    let default = default_base.map(|url| {
        quote! {
            impl Client {
                /// The spec's first server (its variables set to their defaults).
                pub const DEFAULT_BASE_URL: &'static str = #url;
            }

            impl Default for Client {
                /// A client of the spec's first server.
                fn default() -> Self {
                    Client::new(Self::DEFAULT_BASE_URL)
                }
            }
        }
    });
    quote! {
        /// A client of the API. It implements [`Api`], so it can stand wherever
        /// a server implementation can (for example behind `server::router`,
        /// as a gateway). Cloning is cheap: clones share one connection pool,
        /// one configuration and one cache.
        ///
        /// [`Client::new`] takes the defaults; [`Client::builder`] sets
        /// timeouts, retries, a cache, default headers and credentials.
        #[derive(Debug, Clone)]
        pub struct Client {
            base_url: String,
            http: reqwest::Client,
            credentials: api::Credentials,
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
        }

        /// The `User-Agent` sent unless one is configured: the crate that
        /// holds this code, and its version.
        pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

        impl Client {
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

            /// Configures a client of the server at `base_url`.
            pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert(reqwest::header::USER_AGENT, reqwest::header::HeaderValue::from_static(USER_AGENT));
                ClientBuilder {
                    base_url: base_url.into(),
                    http: None,
                    connect_timeout: None,
                    credentials: api::Credentials::default(),
                    settings: Settings { headers, timeout: None, retry: Retry::default(), cache: None, request_ids: true },
                    invalid: None,
                }
            }

            /// Sends `credentials` with every call that needs them (a call's
            /// `context.credentials` take precedence).
            pub fn with_credentials(mut self, credentials: api::Credentials) -> Self {
                self.credentials = credentials;
                self
            }

            /// The credentials sent with calls that need them.
            pub fn credentials(&self) -> &api::Credentials {
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
        }

        #default

        /// Configures a [`Client`]: `Client::builder(url).timeout(..).retry(..).build()`.
        ///
        /// Defaults: no timeouts, [`Retry::default`] (3 attempts of idempotent
        /// calls), no cache, `User-Agent` [`USER_AGENT`], a new `x-request-id`
        /// for each call that has none.
        #[derive(Debug)]
        #[must_use]
        pub struct ClientBuilder {
            base_url: String,
            http: Option<reqwest::Client>,
            connect_timeout: Option<std::time::Duration>,
            credentials: api::Credentials,
            settings: Settings,
            invalid: Option<String>,
        }

        impl ClientBuilder {
            /// Sends requests with `http` (proxies, TLS, pools as the caller
            /// likes). `connect_timeout` is then `http`'s own.
            pub fn http_client(mut self, http: reqwest::Client) -> Self {
                self.http = Some(http);
                self
            }

            /// Limits each attempt of a call, from sending to the last byte of
            /// the response: a call that takes longer fails with
            /// [`api::Error::Timeout`].
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
                match (reqwest::header::HeaderName::try_from(name), reqwest::header::HeaderValue::try_from(value)) {
                    (Ok(name), Ok(value)) => {
                        self.settings.headers.insert(name, value);
                    }
                    _ => self.invalid = Some(format!("`{name}` cannot be a header")),
                }
                self
            }

            /// Credentials sent with every call that needs them (a call's
            /// `context.credentials` take precedence).
            pub fn credentials(mut self, credentials: api::Credentials) -> Self {
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

            /// The client; fails when a header was invalid or reqwest cannot
            /// make a client (its TLS backend did not start).
            pub fn build(self) -> Result<Client, api::Error> {
                if let Some(message) = self.invalid {
                    return Err(api::Error::Encode(message));
                }
                let http = match self.http.clone() {
                    Some(http) => http,
                    None => {
                        let mut http = reqwest::Client::builder();
                        if let Some(timeout) = self.connect_timeout {
                            http = http.connect_timeout(timeout);
                        }
                        http.build().map_err(|e| api::Error::Transport(e.into()))?
                    }
                };
                Ok(self.finish(http))
            }

            fn finish(self, http: reqwest::Client) -> Client {
                let mut base_url = self.base_url;
                while base_url.ends_with('/') {
                    base_url.pop();
                }
                Client { base_url, http, credentials: self.credentials, settings: std::sync::Arc::new(self.settings) }
            }
        }

        /// When a call is tried again: on a connection error, `429 Too Many
        /// Requests` or `503 Service Unavailable`, for idempotent methods
        /// (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`, `TRACE`) unless
        /// [`Retry::all_methods`] is set. It waits as `Retry-After` says
        /// (seconds or an HTTP date), otherwise exponentially longer with
        /// jitter; when `Retry-After` asks for more than `max_delay`, the
        /// response is returned instead.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[must_use]
        pub struct Retry {
            max_attempts: u32,
            base_delay: std::time::Duration,
            max_delay: std::time::Duration,
            all_methods: bool,
        }

        impl Default for Retry {
            /// Up to 3 attempts, waits from 100 ms, at most 10 s; idempotent
            /// methods only.
            fn default() -> Self {
                Retry {
                    max_attempts: 3,
                    base_delay: std::time::Duration::from_millis(100),
                    max_delay: std::time::Duration::from_secs(10),
                    all_methods: false,
                }
            }
        }

        impl Retry {
            /// Every call is tried once.
            pub fn none() -> Self {
                Retry { max_attempts: 1, ..Retry::default() }
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

            /// How many times a call is tried in all.
            pub fn attempts(&self) -> u32 {
                self.max_attempts
            }

            /// The wait after attempt `attempt` (from 1): the base delay
            /// doubled per attempt, capped, then between half and all of it.
            pub fn delay(&self, attempt: u32) -> std::time::Duration {
                let exponential = self.base_delay.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
                let capped = exponential.min(self.max_delay);
                let half = capped / 2;
                let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
                half + std::time::Duration::from_nanos(random() % nanos.saturating_add(1))
            }

            fn applies_to(&self, method: &reqwest::Method) -> bool {
                self.all_methods
                    || matches!(method.as_str(), "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE")
            }
        }

        /// A cheap random number: std's randomly keyed hasher, with the time
        /// and a counter.
        fn random() -> u64 {
            use std::hash::{BuildHasher as _, Hasher as _};
            static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
                hasher.write_u128(now.as_nanos());
            }
            hasher.finish()
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
                f.debug_struct("Cache").field("entries", &self.len()).finish()
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
                // A panic elsewhere leaves the map whole: keep using it.
                self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
            }
        }
    }
}

/// `Client::send` and what it alone uses: emitted when some operation calls
/// it. `cookies`: whether the API sends cookies (then `send` takes them).
/// `streams`: whether some `GET` has a binary response (then `send` is told
/// which calls may return one, which the cache does not read whole).
pub(super) fn send(cookies: bool, streams: bool) -> TokenStream {
    let cookie_param = cookies.then(|| quote!(cookies: String,));
    let (streams_param, streams_arg, streams_doc) = if streams {
        (
            quote!(streams: bool,),
            quote!(streams),
            quote! {
                /// `streams`: the response may be a binary stream, which the
                /// cache stores only when its `Content-Length` is within
                /// `max_body` (it does not read a stream of unknown length).
            },
        )
    } else {
        (quote!(), quote!(false), quote!())
    };
    let cookie_header = cookies.then(|| {
        quote! {
            if !cookies.is_empty() {
                let value = reqwest::header::HeaderValue::try_from(cookies)
                    .map_err(|_| api::Error::Encode("cookies cannot form a header".into()))?;
                headers.insert(reqwest::header::COOKIE, value);
            }
        }
    });
    quote! {
        impl Client {
            /// Sends one call: the query, the context's and the default
            /// headers, a request id, then [`Client::execute`] in a `tracing`
            /// span that records the status, latency and retries.
            #streams_doc
            async fn send(
                &self,
                operation: &'static str,
                template: &'static str,
                method: reqwest::Method,
                mut url: String,
                query: String,
                mut headers: reqwest::header::HeaderMap,
                #cookie_param
                body: Option<(&'static str, reqwest::Body)>,
                #streams_param
                context: &api::Context,
            ) -> Result<reqwest::Response, api::Error> {
                use tracing::Instrument as _;
                if !query.is_empty() {
                    url.push('?');
                    url.push_str(&query);
                }
                #cookie_header
                for (name, value) in &context.headers {
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
                    let value = reqwest::header::HeaderValue::try_from(*content_type)
                        .map_err(|_| api::Error::Encode(format!("`{content_type}` cannot be a content type")))?;
                    headers.insert(reqwest::header::CONTENT_TYPE, value);
                }
                if self.settings.request_ids && !headers.contains_key(X_REQUEST_ID) {
                    if let Ok(value) = reqwest::header::HeaderValue::try_from(new_request_id()) {
                        headers.insert(X_REQUEST_ID, value);
                    }
                }
                let request_id = headers.get(X_REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default();
                let span = tracing::info_span!(
                    "call",
                    operation,
                    method = %method,
                    url.template = template,
                    request_id,
                    status = tracing::field::Empty,
                    latency_ms = tracing::field::Empty,
                    retries = tracing::field::Empty,
                    cache = tracing::field::Empty,
                );
                let started = std::time::Instant::now();
                let result = self.execute(method, url, headers, body, #streams_arg, &span).instrument(span.clone()).await;
                span.record("latency_ms", u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
                match &result {
                    Ok(response) => {
                        span.record("status", response.status().as_u16());
                    }
                    Err(error) => tracing::debug!(parent: &span, %error, "call failed"),
                }
                result
            }

            /// The cache, then attempts until one gives an answer that is not
            /// to be retried (a streamed body cannot be sent twice: reqwest's
            /// `try_clone` gives none, so such a call is tried once).
            async fn execute(
                &self,
                method: reqwest::Method,
                url: String,
                mut headers: reqwest::header::HeaderMap,
                body: Option<(&'static str, reqwest::Body)>,
                streams: bool,
                span: &tracing::Span,
            ) -> Result<reqwest::Response, api::Error> {
                let settings = &*self.settings;
                let cached = match &settings.cache {
                    Some(cache) if method == reqwest::Method::GET => {
                        let key = cache_key(&url, &headers);
                        match cache.lookup(&key) {
                            Lookup::Fresh(response) => {
                                span.record("cache", "hit");
                                return Ok(response);
                            }
                            Lookup::Stale { etag, last_modified } => {
                                span.record("cache", "stale");
                                if let Some(etag) = etag {
                                    headers.entry(reqwest::header::IF_NONE_MATCH).or_insert(etag);
                                }
                                if let Some(date) = last_modified {
                                    headers.entry(reqwest::header::IF_MODIFIED_SINCE).or_insert(date);
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
                let mut request = self.http.request(method.clone(), url).headers(headers);
                if let Some(timeout) = settings.timeout {
                    request = request.timeout(timeout);
                }
                if let Some((_, body)) = body {
                    request = request.body(body);
                }
                let retry = &settings.retry;
                let retried = retry.applies_to(&method);
                let mut attempt = 1;
                let response = loop {
                    let next = if retried && attempt < retry.max_attempts { request.try_clone() } else { None };
                    let outcome = request.send().await;
                    let wait = match (&outcome, &next) {
                        (_, None) => None,
                        (Ok(response), Some(_)) if matches!(response.status().as_u16(), 429 | 503) => {
                            Some(retry_after(response.headers()).unwrap_or_else(|| retry.delay(attempt)))
                        }
                        // No answer came (refused, reset, closed early); a
                        // timeout is not retried: the next would likely wait as long.
                        (Err(e), Some(_)) if !e.is_timeout() && (e.is_connect() || e.is_request()) => Some(retry.delay(attempt)),
                        _ => None,
                    };
                    match (wait, next) {
                        (Some(wait), Some(next)) if wait <= retry.max_delay => {
                            tracing::debug!(attempt, wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX), "trying again");
                            drop(outcome);
                            tokio::time::sleep(wait).await;
                            request = next;
                            attempt += 1;
                        }
                        _ => break outcome.map_err(transport)?,
                    }
                };
                span.record("retries", attempt - 1);
                let Some((cache, key)) = cached else {
                    return Ok(response);
                };
                match response.status() {
                    reqwest::StatusCode::NOT_MODIFIED => match cache.revalidated(&key, response.headers()) {
                        Some(stored) => {
                            span.record("cache", "revalidated");
                            Ok(stored)
                        }
                        None => Ok(response),
                    },
                    reqwest::StatusCode::OK => cache.store(key, response, streams).await,
                    _ => Ok(response),
                }
            }
        }

        /// Headers of a context that describe its own connection, body
        /// or credentials, not the call: never copied into a request.
        const NOT_FORWARDED: &[&str] = &[
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
            "transfer-encoding", "upgrade", "host", "content-length", "content-type", "accept-encoding",
            "authorization", "cookie", "if-none-match", "if-modified-since",
        ];

        /// Sent with every call, and sent on from a call's context (a
        /// gateway's callers' ids reach the upstream).
        const X_REQUEST_ID: &str = "x-request-id";

        /// 32 hex digits.
        fn new_request_id() -> String {
            format!("{:016x}{:016x}", random(), random())
        }

        /// `Retry-After`: seconds, or an HTTP date.
        fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<std::time::Duration> {
            let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
            if let Ok(seconds) = value.parse::<u64>() {
                return Some(std::time::Duration::from_secs(seconds));
            }
            let date = httpdate::parse_http_date(value).ok()?;
            Some(date.duration_since(std::time::SystemTime::now()).unwrap_or_default())
        }

        fn transport(error: reqwest::Error) -> api::Error {
            if error.is_timeout() {
                api::Error::Timeout(error.into())
            } else {
                api::Error::Transport(error.into())
            }
        }

        /// The URL and every header but the request id, in a fixed order.
        fn cache_key(url: &str, headers: &reqwest::header::HeaderMap) -> String {
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
                            "max-age" => control.max_age = argument.trim().trim_matches('"').parse().ok(),
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
            Stale { etag: Option<reqwest::header::HeaderValue>, last_modified: Option<reqwest::header::HeaderValue> },
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
                if entry.fresh_until.is_some_and(|until| until > std::time::Instant::now()) {
                    return Lookup::Fresh(entry.response());
                }
                Lookup::Stale {
                    etag: entry.headers.get(reqwest::header::ETAG).cloned(),
                    last_modified: entry.headers.get(reqwest::header::LAST_MODIFIED).cloned(),
                }
            }

            /// A `304` came: the stored response, its headers updated by the 304's.
            fn revalidated(&self, key: &str, headers: &reqwest::header::HeaderMap) -> Option<reqwest::Response> {
                let mut store = self.lock();
                let entry = store.entries.get_mut(key)?;
                for name in [reqwest::header::CACHE_CONTROL, reqwest::header::ETAG, reqwest::header::LAST_MODIFIED, reqwest::header::EXPIRES, reqwest::header::DATE] {
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
            async fn store(&self, key: String, mut response: reqwest::Response, streams: bool) -> Result<reqwest::Response, api::Error> {
                let control = CacheControl::of(response.headers());
                let validated = response.headers().contains_key(reqwest::header::ETAG)
                    || response.headers().contains_key(reqwest::header::LAST_MODIFIED);
                let varies = response.headers().get_all(reqwest::header::VARY).iter().any(|v| v.as_bytes().trim_ascii() == b"*");
                let max_body = self.lock().max_body;
                let too_large = response.content_length().map_or(streams, |n| n > max_body as u64);
                if control.no_store || varies || too_large || !(validated || control.max_age.is_some()) {
                    return Ok(response);
                }
                let headers = std::mem::take(response.headers_mut());
                let body = response.bytes().await.map_err(transport)?;
                let entry = CacheEntry { fresh_until: control.fresh_until(&headers), headers, body };
                let answer = entry.response();
                if entry.body.len() <= max_body {
                    let mut store = self.lock();
                    if store.entries.insert(key.clone(), entry).is_none() {
                        store.order.push_back(key);
                    }
                    while store.entries.len() > store.max_entries {
                        let Some(oldest) = store.order.pop_front() else { break };
                        store.entries.remove(&oldest);
                    }
                }
                Ok(answer)
            }
        }
    }
}
