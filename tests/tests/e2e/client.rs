//! The production client over real sockets on 127.0.0.1: retries (dropped
//! connections, 503 with `Retry-After`), the HTTP cache (304
//! revalidation, `max-age`, credentials apart), timeouts, the user agent,
//! request ids, errors that keep the response, and requests built by
//! their setters.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use puppy_shop::client::{Cache, Retry};
use puppy_shop::{Api, Client, Credentials, Error, api};

/// What a test server saw.
#[derive(Default)]
struct Seen {
    calls: AtomicUsize,
    headers: Mutex<Vec<HeaderMap>>,
}

impl Seen {
    fn record(&self, headers: &HeaderMap) -> usize {
        self.headers.lock().unwrap().push(headers.clone());
        self.calls.fetch_add(1, Ordering::SeqCst) + 1
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn header(&self, call: usize, name: &str) -> Option<String> {
        let headers = self.headers.lock().unwrap();
        headers[call]
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

async fn listen() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    (listener, base)
}

async fn serve(app: axum::Router) -> String {
    let (listener, base) = listen().await;
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    base
}

/// Serves `app` behind a TCP front that closes its first `drop` connections
/// as soon as they are accepted, before any answer.
async fn serve_dropping(app: axum::Router, drop: usize) -> (String, Arc<AtomicUsize>) {
    let upstream = serve(app).await;
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let (front, base) = listen().await;
    let dropped = Arc::new(AtomicUsize::new(0));
    let counter = dropped.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = front.accept().await else {
                return;
            };
            if counter.load(Ordering::SeqCst) < drop {
                counter.fetch_add(1, Ordering::SeqCst);
                // Wait for the request, then hang up without answering.
                let mut buffer = [0u8; 1024];
                let _ = tokio::io::AsyncReadExt::read(&mut inbound, &mut buffer).await;
                continue;
            }
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (base, dropped)
}

fn puppy_json(id: i64) -> serde_json::Value {
    serde_json::json!({
        "id": id, "name": "Rex", "breed": "Beagle", "size": "small",
        "priceCents": 30000, "adopted": false
    })
}

/// A JSON body (the crate builds axum without its `json` feature).
struct Json(serde_json::Value);

impl IntoResponse for Json {
    fn into_response(self) -> Response {
        ([("content-type", "application/json")], self.0.to_string()).into_response()
    }
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn fast_retry() -> Retry {
    Retry::default()
        .max_attempts(4)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_secs(5))
}

#[tokio::test]
async fn retries_a_dropped_connection_and_a_503_with_retry_after() {
    let seen = Arc::new(Seen::default());
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/puppies/{id}",
        get(move |headers: HeaderMap| async move {
            match state.record(&headers) {
                1 => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [("retry-after", "1")],
                    "busy",
                )
                    .into_response(),
                _ => json(StatusCode::OK, puppy_json(7)),
            }
        }),
    );
    let (base, dropped) = serve_dropping(app, 1).await;
    let client = Client::builder(&base).retry(fast_retry()).build().unwrap();

    let started = Instant::now();
    let response = client
        .get_puppy(api::GetPuppyRequest::new(7))
        .await
        .expect("the third attempt succeeds");
    let api::GetPuppyResponse::Ok(puppy) = response else {
        panic!("not 200: {response:?}")
    };
    assert_eq!(puppy.id, 7);
    assert_eq!(dropped.load(Ordering::SeqCst), 1, "one connection dropped");
    assert_eq!(seen.calls(), 2, "one 503, then 200");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as Retry-After said: {:?}",
        started.elapsed()
    );
    // Every attempt of one call carries the same request id.
    assert_eq!(
        seen.header(0, "x-request-id"),
        seen.header(1, "x-request-id")
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_and_the_limit_of_attempts() {
    let seen = Arc::new(Seen::default());
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/puppies/{id}",
        get(move |headers: HeaderMap| async move {
            state.record(&headers);
            // A date in the past: try again at once.
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")],
                "slow down",
            )
                .into_response()
        }),
    );
    let base = serve(app).await;
    let client = Client::builder(&base).retry(fast_retry()).build().unwrap();
    let error = client
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .expect_err("429 is not documented");
    assert_eq!(seen.calls(), 4, "max_attempts(4)");
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));

    // A Retry-After beyond max_delay gives the answer back at once.
    let seen = Arc::new(Seen::default());
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/puppies/{id}",
        get(move |headers: HeaderMap| async move {
            state.record(&headers);
            (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "3600")]).into_response()
        }),
    );
    let base = serve(app).await;
    let client = Client::builder(&base).retry(fast_retry()).build().unwrap();
    let error = client
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(seen.calls(), 1);
}

fn adoption_request() -> api::AdoptPuppyRequest {
    let mut request = api::AdoptPuppyRequest::new(puppy_shop::types::AdoptionForm {
        puppy_id: 7,
        name: "Fido".into(),
        callback_url: None,
    });
    request.context.credentials.bearer_auth = Some("token".into());
    request
}

#[tokio::test]
async fn post_is_not_retried_unless_asked() {
    let seen = Arc::new(Seen::default());
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/adoptions",
        post(move |headers: HeaderMap| async move {
            state.record(&headers);
            (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "0")]).into_response()
        }),
    );
    let base = serve(app).await;

    let client = Client::builder(&base).retry(fast_retry()).build().unwrap();
    let error = client.adopt_puppy(adoption_request()).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(seen.calls(), 1, "POST is tried once");

    let client = Client::builder(&base)
        .retry(fast_retry().all_methods(true))
        .build()
        .unwrap();
    client.adopt_puppy(adoption_request()).await.unwrap_err();
    assert_eq!(seen.calls(), 1 + 4, "asked: POST is tried 4 times");

    // A POST whose connection drops is not sent again either.
    let app = axum::Router::new().route("/adoptions", post(|| async { StatusCode::CREATED }));
    let (base, dropped) = serve_dropping(app, 1).await;
    let client = Client::builder(&base).retry(fast_retry()).build().unwrap();
    let error = client.adopt_puppy(adoption_request()).await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
}

/// A list endpoint that answers `If-None-Match` with 304.
fn cacheable(seen: Arc<Seen>, cache_control: &'static str) -> axum::Router {
    axum::Router::new().route(
        "/puppies",
        get(move |headers: HeaderMap| async move {
            seen.record(&headers);
            if headers.get("if-none-match").is_some_and(|v| v == "\"v1\"") {
                return (StatusCode::NOT_MODIFIED, [("etag", "\"v1\"")]).into_response();
            }
            let page = serde_json::json!({ "items": [puppy_json(1)], "total": 1 });
            (
                [("etag", "\"v1\""), ("cache-control", cache_control)],
                Json(page),
            )
                .into_response()
        }),
    )
}

#[tokio::test]
async fn a_second_get_is_revalidated_and_served_from_the_cache_on_304() {
    let seen = Arc::new(Seen::default());
    let base = serve(cacheable(seen.clone(), "no-cache")).await;
    let client = Client::builder(&base)
        .cache(Cache::new(16))
        .build()
        .unwrap();

    let first = client
        .list_puppies(api::ListPuppiesRequest::new())
        .await
        .unwrap();
    // A clone shares the cache.
    let second = client
        .clone()
        .list_puppies(api::ListPuppiesRequest::new())
        .await
        .unwrap();
    let (
        api::ListPuppiesResponse::Ok { body: a, etag, .. },
        api::ListPuppiesResponse::Ok { body: b, .. },
    ) = (first, second)
    else {
        panic!("not 200")
    };
    assert_eq!(etag.as_deref(), Some("\"v1\""));
    assert_eq!(a, b, "the cached body");
    assert_eq!(b.items[0].id, 1);
    assert_eq!(seen.calls(), 2, "no-cache: revalidated each time");
    assert_eq!(seen.header(0, "if-none-match"), None);
    assert_eq!(seen.header(1, "if-none-match").as_deref(), Some("\"v1\""));
    assert_eq!(client.cache().unwrap().len(), 1);
}

#[tokio::test]
async fn a_fresh_response_is_served_without_a_request_and_credentials_are_kept_apart() {
    let seen = Arc::new(Seen::default());
    let base = serve(cacheable(seen.clone(), "max-age=60")).await;
    let cache = Cache::new(16);
    let client = Client::builder(&base).cache(cache.clone()).build().unwrap();
    for _ in 0..3 {
        client
            .list_puppies(api::ListPuppiesRequest::new())
            .await
            .unwrap();
    }
    assert_eq!(seen.calls(), 1, "max-age=60: fresh, no request");

    // Any header sent is part of the key (credentials are tested below).
    let mut request = api::ListPuppiesRequest::new();
    request
        .context
        .headers
        .insert("x-user", HeaderValue::from_static("other"));
    client.list_puppies(request).await.unwrap();
    assert_eq!(seen.calls(), 2);
    assert_eq!(cache.len(), 2);

    // no-store is never kept.
    let seen = Arc::new(Seen::default());
    let base = serve(cacheable(seen.clone(), "no-store")).await;
    let client = Client::builder(&base)
        .cache(Cache::new(16))
        .build()
        .unwrap();
    for _ in 0..2 {
        client
            .list_puppies(api::ListPuppiesRequest::new())
            .await
            .unwrap();
    }
    assert_eq!(seen.calls(), 2);
    assert_eq!(seen.header(1, "if-none-match"), None);
    assert!(client.cache().unwrap().is_empty());
}

#[tokio::test]
async fn cached_entries_are_per_token() {
    let seen = Arc::new(Seen::default());
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/cart",
        get(move |headers: HeaderMap| async move {
            state.record(&headers);
            let token = headers["authorization"].to_str().unwrap().to_owned();
            let cents = if token == "Bearer alice" { 1 } else { 2 };
            (
                [("cache-control", "private, max-age=60")],
                Json(serde_json::json!({ "items": [], "totalCents": cents })),
            )
                .into_response()
        }),
    );
    let base = serve(app).await;
    let client = Client::builder(&base)
        .cache(Cache::new(16))
        .build()
        .unwrap();
    let cart = |token: &str| {
        let mut request = api::GetCartRequest::new();
        request.context.credentials = Credentials {
            bearer_auth: Some(token.into()),
            ..Credentials::default()
        };
        let client = client.clone();
        async move {
            match client.get_cart(request).await.unwrap() {
                api::GetCartResponse::Ok(cart) => cart.total_cents,
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(cart("alice").await, 1);
    assert_eq!(cart("bob").await, 2, "not alice's cached cart");
    assert_eq!(cart("alice").await, 1);
    assert_eq!(seen.calls(), 2);
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let app = axum::Router::new().route(
        "/puppies/{id}",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            json(StatusCode::OK, puppy_json(1))
        }),
    );
    let base = serve(app).await;
    let client = Client::builder(&base)
        .timeout(Duration::from_millis(200))
        .connect_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not retried: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn user_agent_default_headers_and_request_ids() {
    let seen = Arc::new(Seen::default());
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/puppies/{id}",
        get(move |headers: HeaderMap| async move {
            state.record(&headers);
            json(StatusCode::OK, puppy_json(1))
        }),
    );
    let base = serve(app).await;

    let client = Client::new(&base);
    client
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .unwrap();
    let mut request = api::GetPuppyRequest::new(1);
    request
        .context
        .headers
        .insert("x-request-id", HeaderValue::from_static("caller-42"));
    client.get_puppy(request).await.unwrap();
    assert_eq!(
        seen.header(0, "user-agent").as_deref(),
        Some("puppy-shop/0.1.0")
    );
    assert_eq!(puppy_shop::client::USER_AGENT, "puppy-shop/0.1.0");
    let generated = seen.header(0, "x-request-id").unwrap();
    assert!(
        generated.len() == 32 && generated.chars().all(|c| c.is_ascii_hexdigit()),
        "{generated}"
    );
    assert_eq!(seen.header(1, "x-request-id").as_deref(), Some("caller-42"));

    let client = Client::builder(&base)
        .user_agent("my-app/2.0")
        .header("x-tenant", "blue")
        .request_ids(false)
        .build()
        .unwrap();
    client
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .unwrap();
    assert_eq!(seen.header(2, "user-agent").as_deref(), Some("my-app/2.0"));
    assert_eq!(seen.header(2, "x-tenant").as_deref(), Some("blue"));
    assert_eq!(seen.header(2, "x-request-id"), None);

    assert!(
        Client::builder(&base)
            .header("bad name", "x")
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn a_decode_error_names_the_json_path_and_keeps_the_response() {
    let app = axum::Router::new().route(
        "/puppies",
        get(|| async {
            let mut wrong = puppy_json(2);
            wrong["priceCents"] = serde_json::json!("cheap");
            (
                [("x-trace", "abc")],
                Json(serde_json::json!({ "items": [puppy_json(1), wrong], "total": 2 })),
            )
        }),
    );
    let base = serve(app).await;
    let error = Client::new(&base)
        .list_puppies(api::ListPuppiesRequest::new())
        .await
        .unwrap_err();
    let Error::Decode {
        status,
        ref headers,
        ref body,
        ref path,
        ..
    } = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(path.as_deref(), Some("items[1].priceCents"));
    assert_eq!(headers["x-trace"], "abc");
    assert!(String::from_utf8_lossy(body).contains("cheap"));
    assert!(error.to_string().contains("items[1].priceCents"), "{error}");
}

#[tokio::test]
async fn an_undocumented_status_keeps_status_headers_and_body() {
    let app = axum::Router::new().route(
        "/puppies/{id}",
        get(|| async {
            (
                StatusCode::IM_A_TEAPOT,
                [("x-why", "teapot")],
                "short and stout",
            )
        }),
    );
    let base = serve(app).await;
    let error = Client::new(&base)
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UnexpectedStatus { .. }), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::IM_A_TEAPOT));
    assert_eq!(error.headers().unwrap()["x-why"], "teapot");
    assert_eq!(error.body(), Some(&b"short and stout"[..]));
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_after_retries() {
    // Bound and dropped: nothing listens there any more.
    let (listener, base) = listen().await;
    drop(listener);
    let started = Instant::now();
    let error = Client::builder(&base)
        .retry(fast_retry())
        .build()
        .unwrap()
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    // Three waits of 5..10, 10..20 and 20..40 ms.
    assert!(started.elapsed() >= Duration::from_millis(35));
}

/// Fields of `call` spans, as a subscriber sees them.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<(String, String)>>>);

impl tracing::field::Visit for Spans {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .lock()
            .unwrap()
            .push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0
            .lock()
            .unwrap()
            .push((field.name().to_owned(), value.to_owned()));
    }
}

impl tracing::Subscriber for Spans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if span.metadata().name() == "call" {
            span.record(&mut self.clone());
        }
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut self.clone());
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn each_call_has_a_span_with_operation_status_latency_and_retries() {
    let seen = Arc::new(Seen::default());
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/puppies/{id}",
        get(move |headers: HeaderMap| async move {
            match state.record(&headers) {
                1 => (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "0")]).into_response(),
                _ => json(StatusCode::OK, puppy_json(3)),
            }
        }),
    );
    let base = serve(app).await;
    let spans = Spans::default();
    // The test's runtime has one thread: the client's future runs on it.
    let _guard = tracing::subscriber::set_default(spans.clone());
    Client::builder(&base)
        .retry(fast_retry())
        .build()
        .unwrap()
        .get_puppy(api::GetPuppyRequest::new(3))
        .await
        .unwrap();
    let fields: std::collections::BTreeMap<String, String> =
        spans.0.lock().unwrap().iter().cloned().collect();
    assert_eq!(fields["operation"], "getPuppy");
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["url.template"], "/puppies/{puppyId}");
    assert_eq!(fields["status"], "200");
    assert_eq!(fields["retries"], "1");
    assert!(fields["latency_ms"].parse::<u64>().is_ok());
    assert_eq!(
        Some(&fields["request_id"]),
        seen.header(1, "x-request-id").as_ref()
    );
}

/// A request built by its setters: chained, a constrained value checked
/// before anything is sent (`limit` is 1 to 100), and the generated
/// server gets what they set.
#[tokio::test]
async fn setters_build_a_request_and_check_constrained_values() {
    let refused = api::ListPuppiesRequest::new().breed("Beagle").limit(101);
    assert!(
        matches!(refused, Err(Error::Validation(ref m)) if m.contains("maximum of 100")),
        "{refused:?}"
    );

    let queries = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = queries.clone();
    let shop = puppy_shop::server::router(crate::shop::Shop::with_sample_puppies()).layer(
        axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let query = request.uri().query().unwrap_or_default().to_owned();
                seen.lock().unwrap().push(query);
                next.run(request)
            },
        ),
    );
    let base = serve(shop).await;
    let request = api::ListPuppiesRequest::new()
        .breed("Beagle")
        .size(puppy_shop::types::Size::Medium)
        .limit(1)
        .unwrap();
    assert_eq!(request.breed.as_deref(), Some("Beagle"));
    let api::ListPuppiesResponse::Ok { body, .. } =
        Client::new(&base).list_puppies(request).await.unwrap()
    else {
        panic!("not 200")
    };
    let names: Vec<&str> = body.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!((body.total, names), (2, vec!["Fido"]));
    assert_eq!(
        *queries.lock().unwrap(),
        ["breed=Beagle&size=medium&limit=1&offset=0"]
    );
}
