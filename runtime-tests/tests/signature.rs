//! Tests of webhook signatures (`signature.rs`): each scheme against its
//! published test vector, every way a request is refused, rotation; then
//! the hooks that use them, `server::Options::verify` through
//! `tower::Service`, and `client::ClientBuilder::sign` (with
//! `Retry::any_failure` and `Client::with_base_url`) over real sockets.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use tower::ServiceExt as _;
use uniapi_runtime_tests::runtime::signature::{
    self, GitHub, Refused, Sign as _, StandardWebhooks, Stripe, Unsigned, Verify as _,
};
use uniapi_runtime_tests::runtime::{api, client, server};

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

/// The message of a refusal that `outcome` must be.
fn refused(outcome: Result<(), Refused>) -> String {
    let refused = outcome.expect_err("refused");
    assert_eq!(refused.to_string(), refused.message());
    refused.message().to_owned()
}

/// Asserts that `messages` are all different, and each starts as said.
fn distinct(messages: &[(String, &str)]) {
    for (message, start) in messages {
        assert!(
            message.starts_with(start),
            "`{message}` starts with `{start}`"
        );
    }
    let set: BTreeSet<&String> = messages.iter().map(|(message, _)| message).collect();
    assert_eq!(set.len(), messages.len(), "{messages:#?}");
}

// ---------------------------------------------------------------------------
// Standard Webhooks
// ---------------------------------------------------------------------------

const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SW_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SW_TIME: u64 = 1_614_265_330;
const SW_BODY: &[u8] = br#"{"test": 2432232314}"#;
const SW_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/// The headers of the official test vector, with `signature`.
fn sw_headers(signature: &str) -> HeaderMap {
    headers(&[
        ("webhook-id", SW_ID),
        ("webhook-timestamp", &SW_TIME.to_string()),
        ("webhook-signature", signature),
    ])
}

#[test]
fn standard_webhooks_verifies_and_signs_the_official_vector() {
    let scheme = StandardWebhooks::new(SW_SECRET).unwrap();
    scheme
        .verify_at(&sw_headers(SW_SIGNATURE), SW_BODY, SW_TIME)
        .unwrap();
    // The secret without its prefix is the same key.
    let bare = StandardWebhooks::new(SW_SECRET.trim_start_matches("whsec_")).unwrap();
    bare.verify_at(&sw_headers(SW_SIGNATURE), SW_BODY, SW_TIME)
        .unwrap();

    let mut signed = headers(&[("webhook-id", SW_ID)]);
    scheme.sign_at(&mut signed, SW_BODY, SW_TIME).unwrap();
    assert_eq!(signed["webhook-id"], SW_ID, "the id is kept");
    assert_eq!(signed["webhook-timestamp"], "1614265330");
    assert_eq!(signed["webhook-signature"], SW_SIGNATURE);
}

#[test]
fn standard_webhooks_finds_its_signature_among_others() {
    let scheme = StandardWebhooks::new(SW_SECRET).unwrap();
    let others = format!(
        "v1,bm90IGl0 v1a,xyz v2,{} {SW_SIGNATURE}",
        &SW_SIGNATURE[3..]
    );
    scheme
        .verify_at(&sw_headers(&others), SW_BODY, SW_TIME)
        .unwrap();
    // One per header line works too.
    let mut lines = sw_headers("v1,bm90IGl0");
    lines.append("webhook-signature", HeaderValue::from_static(SW_SIGNATURE));
    scheme.verify_at(&lines, SW_BODY, SW_TIME).unwrap();
}

#[test]
fn standard_webhooks_refuses_each_wrong_request_for_its_reason() {
    let scheme = StandardWebhooks::new(SW_SECRET).unwrap();
    let good = sw_headers(SW_SIGNATURE);
    let at = |headers: &HeaderMap, body: &[u8], now: u64| scheme.verify_at(headers, body, now);

    let tampered = refused(at(&good, br#"{"test": 2432232315}"#, SW_TIME));
    let wrong_secret = refused(
        StandardWebhooks::new("whsec_c2VjcmV0IG9mIHNvbWVvbmUgZWxzZQ==")
            .unwrap()
            .verify_at(&good, SW_BODY, SW_TIME),
    );
    assert_eq!(tampered, wrong_secret, "both are a bad signature");
    let mut messages = vec![(tampered, "bad signature")];
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut missing = good.clone();
        missing.remove(name);
        messages.push((refused(at(&missing, SW_BODY, SW_TIME)), "missing header"));
    }
    let mut no_time = good.clone();
    no_time.insert("webhook-timestamp", HeaderValue::from_static("yesterday"));
    messages.push((refused(at(&no_time, SW_BODY, SW_TIME)), "malformed header"));
    messages.push((
        refused(at(&sw_headers("v2,abc"), SW_BODY, SW_TIME)),
        "malformed header",
    ));
    let mut not_ascii = good.clone();
    not_ascii.insert("webhook-id", HeaderValue::from_bytes(b"msg_\xff").unwrap());
    messages.push((
        refused(at(&not_ascii, SW_BODY, SW_TIME)),
        "malformed header",
    ));
    messages.push((
        refused(at(&good, SW_BODY, SW_TIME + 301)),
        "stale timestamp: 301 s old",
    ));
    messages.push((
        refused(at(&good, SW_BODY, SW_TIME - 301)),
        "stale timestamp: 301 s in the future",
    ));
    distinct(&messages);

    // At the tolerance, either way, it passes; a tolerance of one's own.
    at(&good, SW_BODY, SW_TIME + 300).unwrap();
    at(&good, SW_BODY, SW_TIME - 300).unwrap();
    let strict = StandardWebhooks::new(SW_SECRET)
        .unwrap()
        .tolerance(Duration::from_secs(10));
    strict.verify_at(&good, SW_BODY, SW_TIME + 10).unwrap();
    assert!(strict.verify_at(&good, SW_BODY, SW_TIME + 11).is_err());
}

#[test]
fn standard_webhooks_secrets_must_be_base64() {
    for secret in ["whsec_not base64!", "", "whsec_"] {
        let message = refused(StandardWebhooks::new(secret).map(|_| ()));
        assert!(message.starts_with("malformed secret"), "{message}");
    }
    let scheme = StandardWebhooks::new(SW_SECRET).unwrap();
    assert!(scheme.secret("whsec_%%%").is_err());
    // Padding may be left out.
    StandardWebhooks::new("whsec_c2VjcmV0").unwrap();
    StandardWebhooks::new("whsec_c2VjcmV0IQ").unwrap();
    // Debug shows no secret.
    let debug = format!("{:?}", StandardWebhooks::new(SW_SECRET).unwrap());
    assert!(!debug.contains("MfKQ"), "{debug}");
}

#[test]
fn standard_webhooks_rotates_secrets_and_round_trips() {
    const NEW: &str = "whsec_bmV3IHNlY3JldCBmb3IgdGhlIHdlYmhvb2tz";
    let old = StandardWebhooks::new(SW_SECRET).unwrap();
    let new = StandardWebhooks::new(NEW).unwrap();
    let both = StandardWebhooks::new(NEW)
        .unwrap()
        .secret(SW_SECRET)
        .unwrap();
    let body = b"{\"event\":\"paid\"}";
    for signer in [&old, &new, &both] {
        let mut signed = HeaderMap::new();
        signer.sign(&mut signed, body).unwrap();
        both.verify(&signed, body).unwrap();
    }
    // The rotated scheme signs with its first secret: the new one.
    let mut signed = HeaderMap::new();
    both.sign(&mut signed, body).unwrap();
    new.verify(&signed, body).unwrap();
    assert!(old.verify(&signed, body).is_err());

    // A new id each time: `msg_` and 32 hex digits.
    let id = signed["webhook-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "{id}");
    assert!(id.starts_with("msg_"));
    assert!(id[4..].chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    let mut again = HeaderMap::new();
    both.sign(&mut again, body).unwrap();
    assert_ne!(again["webhook-id"], id);
    let now: u64 = signed["webhook-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(now.abs_diff(api::now()) <= 1);
}

// ---------------------------------------------------------------------------
// GitHub
// ---------------------------------------------------------------------------

const GH_SECRET: &str = "It's a Secret to Everybody";
const GH_BODY: &[u8] = b"Hello, World!";
const GH_SIGNATURE: &str =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

#[test]
fn github_verifies_and_signs_its_documented_vector() {
    let scheme = GitHub::new(GH_SECRET).unwrap();
    let mut signed = HeaderMap::new();
    scheme.sign(&mut signed, GH_BODY).unwrap();
    assert_eq!(signed["x-hub-signature-256"], GH_SIGNATURE);
    scheme
        .verify(&headers(&[("X-Hub-Signature-256", GH_SIGNATURE)]), GH_BODY)
        .unwrap();
    // Hex digits in upper case are the same bytes.
    let upper = format!("sha256={}", GH_SIGNATURE[7..].to_ascii_uppercase());
    scheme
        .verify(&headers(&[("x-hub-signature-256", &upper)]), GH_BODY)
        .unwrap();
}

#[test]
fn github_refuses_each_wrong_request_for_its_reason() {
    let scheme = GitHub::new(GH_SECRET).unwrap();
    let good = headers(&[("x-hub-signature-256", GH_SIGNATURE)]);
    let tampered = refused(scheme.verify(&good, b"Hello, World?"));
    let wrong_secret = refused(GitHub::new("another").unwrap().verify(&good, GH_BODY));
    assert_eq!(tampered, wrong_secret);
    let sha1 = headers(&[(
        "x-hub-signature",
        "sha1=0123456789abcdef0123456789abcdef01234567",
    )]);
    let missing = refused(scheme.verify(&sha1, GH_BODY));
    let malformed =
        |value: &str| refused(scheme.verify(&headers(&[("x-hub-signature-256", value)]), GH_BODY));
    let not_hex = malformed("sha256=zz");
    assert_eq!(malformed("sha1=00"), not_hex);
    assert_eq!(malformed("sha256=abc"), not_hex, "an odd number of digits");
    distinct(&[
        (tampered, "bad signature"),
        (missing, "missing header `x-hub-signature-256`"),
        (not_hex, "malformed header `x-hub-signature-256`"),
    ]);
    assert!(GitHub::new("").is_err(), "an empty secret is refused");
}

#[test]
fn github_rotates_secrets_and_round_trips() {
    let old = GitHub::new(GH_SECRET).unwrap();
    let new = GitHub::new("the new secret").unwrap();
    let both = GitHub::new("the new secret")
        .unwrap()
        .secret(GH_SECRET)
        .unwrap();
    for signer in [&old, &new, &both] {
        let mut signed = HeaderMap::new();
        signer.sign(&mut signed, GH_BODY).unwrap();
        both.verify(&signed, GH_BODY).unwrap();
    }
    let mut signed = HeaderMap::new();
    both.sign(&mut signed, GH_BODY).unwrap();
    new.verify(&signed, GH_BODY).unwrap();
    assert!(old.verify(&signed, GH_BODY).is_err());
}

// ---------------------------------------------------------------------------
// Stripe
// ---------------------------------------------------------------------------

const ST_SECRET: &str = "whsec_test_secret";
const ST_TIME: u64 = 1_700_000_000;
const ST_BODY: &[u8] = br#"{"id":"evt_1","type":"charge.succeeded"}"#;

/// The `v1` signature that `scheme` makes of `body` at `time`.
fn stripe_v1(scheme: &Stripe, body: &[u8], time: u64) -> String {
    let mut signed = HeaderMap::new();
    scheme.sign_at(&mut signed, body, time).unwrap();
    let value = signed["stripe-signature"].to_str().unwrap().to_owned();
    let (t, v1) = value.split_once(',').unwrap();
    assert_eq!(t, format!("t={time}"));
    let v1 = v1.strip_prefix("v1=").unwrap();
    assert_eq!(v1.len(), 64);
    v1.to_owned()
}

#[test]
fn stripe_round_trips_and_finds_its_signature_among_others() {
    let scheme = Stripe::new(ST_SECRET).unwrap();
    let mut signed = HeaderMap::new();
    scheme.sign_at(&mut signed, ST_BODY, ST_TIME).unwrap();
    scheme.verify_at(&signed, ST_BODY, ST_TIME).unwrap();

    let v1 = stripe_v1(&scheme, ST_BODY, ST_TIME);
    let other = stripe_v1(&Stripe::new("whsec_other").unwrap(), ST_BODY, ST_TIME);
    let several = format!("t={ST_TIME},v1={other},v1={v1},v0=6ffbb59b2300aae63f27240ed1");
    scheme
        .verify_at(
            &headers(&[("Stripe-Signature", &several)]),
            ST_BODY,
            ST_TIME,
        )
        .unwrap();
    // Spaces around the entries, and the schemes in another order.
    let spaced = format!("v0=00, v1={v1} , t={ST_TIME}");
    scheme
        .verify_at(&headers(&[("stripe-signature", &spaced)]), ST_BODY, ST_TIME)
        .unwrap();
    // With the clock.
    let mut now = HeaderMap::new();
    scheme.sign(&mut now, ST_BODY).unwrap();
    scheme.verify(&now, ST_BODY).unwrap();
}

#[test]
fn stripe_refuses_each_wrong_request_for_its_reason() {
    let scheme = Stripe::new(ST_SECRET).unwrap();
    let v1 = stripe_v1(&scheme, ST_BODY, ST_TIME);
    let header = |value: &str| headers(&[("stripe-signature", value)]);
    let good = header(&format!("t={ST_TIME},v1={v1}"));
    let at = |headers: &HeaderMap, body: &[u8], now: u64| scheme.verify_at(headers, body, now);

    let tampered = refused(at(&good, b"{}", ST_TIME));
    let wrong_secret = refused(
        Stripe::new("whsec_other")
            .unwrap()
            .verify_at(&good, ST_BODY, ST_TIME),
    );
    assert_eq!(tampered, wrong_secret);
    // A signature made at another time is not this one's.
    let moved = header(&format!("t={},v1={v1}", ST_TIME + 1));
    assert_eq!(refused(at(&moved, ST_BODY, ST_TIME)), tampered);
    distinct(&[
        (tampered, "bad signature"),
        (
            refused(at(&HeaderMap::new(), ST_BODY, ST_TIME)),
            "missing header `stripe-signature`",
        ),
        (
            refused(at(&header(&format!("v1={v1}")), ST_BODY, ST_TIME)),
            "malformed header",
        ),
        (
            refused(at(&header(&format!("t=noon,v1={v1}")), ST_BODY, ST_TIME)),
            "malformed header",
        ),
        (
            refused(at(
                &header(&format!("t={ST_TIME},v0={v1}")),
                ST_BODY,
                ST_TIME,
            )),
            "malformed header",
        ),
        (
            refused(at(&good, ST_BODY, ST_TIME + 301)),
            "stale timestamp: 301 s old",
        ),
        (
            refused(at(&good, ST_BODY, ST_TIME - 301)),
            "stale timestamp: 301 s in the future",
        ),
    ]);
    at(&good, ST_BODY, ST_TIME + 300).unwrap();
    let lenient = Stripe::new(ST_SECRET)
        .unwrap()
        .tolerance(Duration::from_secs(3600));
    lenient.verify_at(&good, ST_BODY, ST_TIME + 3600).unwrap();
    assert!(Stripe::new("").is_err(), "an empty secret is refused");
}

#[test]
fn stripe_rotates_secrets() {
    let old = Stripe::new(ST_SECRET).unwrap();
    let new = Stripe::new("whsec_new").unwrap();
    let both = Stripe::new("whsec_new").unwrap().secret(ST_SECRET).unwrap();
    for signer in [&old, &new, &both] {
        let mut signed = HeaderMap::new();
        signer.sign_at(&mut signed, ST_BODY, ST_TIME).unwrap();
        both.verify_at(&signed, ST_BODY, ST_TIME).unwrap();
    }
    let mut signed = HeaderMap::new();
    both.sign_at(&mut signed, ST_BODY, ST_TIME).unwrap();
    new.verify_at(&signed, ST_BODY, ST_TIME).unwrap();
    assert!(old.verify_at(&signed, ST_BODY, ST_TIME).is_err());
}

#[test]
fn unsigned_lets_everything_through() {
    Unsigned.verify(&HeaderMap::new(), b"anything").unwrap();
    let check = signature::check(Unsigned);
    assert_eq!(check(&HeaderMap::new(), b""), Ok(()));
}

// ---------------------------------------------------------------------------
// The server's hook: `Options::verify`.
// ---------------------------------------------------------------------------

const OPERATIONS: &[server::Operation] = &[
    server::Operation {
        method: "POST",
        route: "/hook",
        id: "hook",
        streamed: false,
    },
    server::Operation {
        method: "PUT",
        route: "/upload",
        id: "upload",
        streamed: true,
    },
];

/// A router whose handlers echo their bodies and count their calls,
/// behind `options`.
fn echo(options: server::Options) -> (axum::Router, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let handler = {
        let calls = calls.clone();
        move |body: axum::body::Bytes| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { body }
        }
    };
    let routes = axum::Router::new()
        .route("/hook", axum::routing::post(handler.clone()))
        .route("/upload", axum::routing::put(handler));
    (server::finish(routes, options, OPERATIONS, "{}"), calls)
}

async fn body_bytes(response: axum::response::Response) -> axum::body::Bytes {
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
}

/// A POST of `body` to `/hook`, signed as GitHub signs with `secret`.
fn github_post(secret: &str, body: &'static [u8]) -> Request<Body> {
    let mut signed = HeaderMap::new();
    GitHub::new(secret)
        .unwrap()
        .sign(&mut signed, body)
        .unwrap();
    let mut request = Request::post("/hook").body(Body::from(body)).unwrap();
    request.headers_mut().extend(signed);
    request
}

#[tokio::test]
async fn a_failed_check_is_a_401_and_the_handler_does_not_run() {
    let options = server::Options::new().verify(signature::check(GitHub::new("s3cret").unwrap()));
    let (router, calls) = echo(options);

    let unsigned = Request::post("/hook").body(Body::from("{}")).unwrap();
    let response = router.clone().oneshot(unsigned).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert!(response.headers().contains_key("x-request-id"));
    let problem: serde_json::Value = serde_json::from_slice(&body_bytes(response).await).unwrap();
    assert_eq!(problem["status"], 401);
    assert_eq!(problem["detail"], "missing header `x-hub-signature-256`");

    let forged = github_post("guessed", b"{}");
    let response = router.clone().oneshot(forged).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let problem: serde_json::Value = serde_json::from_slice(&body_bytes(response).await).unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("bad signature"),
        "{problem}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the handler never ran");
}

#[tokio::test]
async fn a_passed_check_gives_the_handler_the_same_bytes() {
    let options = server::Options::new().verify(signature::check(GitHub::new("s3cret").unwrap()));
    let (router, calls) = echo(options);
    let body: &[u8] = b"{\"zen\": \"Design for failure.\"}\n\xff";
    let response = router.oneshot(github_post("s3cret", body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_bytes(response).await, body);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_check_sees_the_headers_and_an_empty_body_when_there_is_none() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let options = server::Options::new().verify({
        let seen = seen.clone();
        move |headers: &HeaderMap, body: &[u8]| {
            let token = headers.get("x-token").map(|v| v.as_bytes().to_vec());
            seen.lock().unwrap().push((token.clone(), body.to_vec()));
            match token.as_deref() {
                Some(b"ok") => Ok(()),
                _ => Err("no token".to_owned()),
            }
        }
    });
    let (router, calls) = echo(options);
    let empty = Request::post("/hook")
        .header("x-token", "ok")
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(empty).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body_bytes(response).await.is_empty());
    let refused = Request::post("/hook").body(Body::from("x")).unwrap();
    let response = router.oneshot(refused).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        *seen.lock().unwrap(),
        [(Some(b"ok".to_vec()), Vec::new()), (None, b"x".to_vec())]
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_checked_body_over_the_limit_is_a_413() {
    let options = server::Options::new()
        .body_limit(16)
        .verify(signature::check(Unsigned));
    let (router, calls) = echo(options);
    let response = router
        .clone()
        .oneshot(
            Request::post("/hook")
                .body(Body::from("x".repeat(16)))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "at the limit");

    // Without a `Content-Length`: found out while reading.
    let response = router
        .clone()
        .oneshot(
            Request::post("/hook")
                .body(Body::from("x".repeat(17)))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    // With one: before reading.
    let declared = Request::post("/hook")
        .header(header::CONTENT_LENGTH, "17")
        .body(Body::from("x".repeat(17)))
        .unwrap();
    let response = router.clone().oneshot(declared).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A streamed operation's body is read whole too: the body limit
    // bounds it, not the stream limit.
    let upload = Request::put("/upload")
        .body(Body::from("x".repeat(17)))
        .unwrap();
    let response = router.oneshot(upload).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_panicking_check_is_a_500() {
    let options = server::Options::new().verify(|_: &HeaderMap, _: &[u8]| panic!("check bug"));
    let (router, calls) = echo(options);
    let response = router
        .oneshot(Request::post("/hook").body(Body::from("{}")).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let options = server::Options::new().verify(|_: &HeaderMap, _: &[u8]| Ok(()));
    let debug = format!("{options:?}");
    assert!(debug.contains("verify: Some(Check(..))"), "{debug}");
}

// ---------------------------------------------------------------------------
// The client's hooks: `ClientBuilder::sign`, `Retry::any_failure`,
// `Client::with_base_url`.
// ---------------------------------------------------------------------------

/// What a receiver saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    headers: HeaderMap,
    body: axum::body::Bytes,
}

/// A receiver on a port of its own that answers `statuses` in turn (then
/// 200), each after `delays` (then none); its base URL and what it saw.
async fn receiver(statuses: &[u16], delays: &[Duration]) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let statuses = Arc::new(statuses.to_vec());
    let delays = Arc::new(delays.to_vec());
    let handler = {
        let seen = seen.clone();
        move |headers: HeaderMap, body: axum::body::Bytes| {
            let seen = seen.clone();
            let statuses = statuses.clone();
            let delays = delays.clone();
            async move {
                let n = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(Seen { headers, body });
                    seen.len() - 1
                };
                if let Some(delay) = delays.get(n) {
                    tokio::time::sleep(*delay).await;
                }
                let status = statuses.get(n).copied().unwrap_or(200);
                StatusCode::from_u16(status).unwrap()
            }
        }
    };
    let router = axum::Router::new().route("/hook", axum::routing::any(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, seen)
}

type Client = client::Client<()>;

/// Sends `body` to `/hook` as a generated method does.
async fn deliver(
    client: &Client,
    method: reqwest::Method,
    body: Option<reqwest::Body>,
) -> Result<reqwest::Response, api::Error> {
    let context = uniapi_runtime_tests::Context::default();
    let call = client::Call {
        operation: "hook",
        template: "/hook",
        method,
        url: format!("{}/hook", client.base_url()),
        query: String::new(),
        headers: reqwest::header::HeaderMap::new(),
        cookies: String::new(),
        body: body.map(|body| ("application/json", body)),
        streams: false,
        token: None,
        idempotency_key: None,
        context: &context,
    };
    tokio::time::timeout(Duration::from_secs(10), client.send(call))
        .await
        .expect("an answer in time")
}

fn webhooks() -> StandardWebhooks {
    StandardWebhooks::new(SW_SECRET).unwrap()
}

#[tokio::test]
async fn a_signed_call_carries_its_signature_to_the_receiver() {
    let (url, seen) = receiver(&[], &[]).await;
    let client = Client::builder(url)
        .sign(signature::signer(webhooks()))
        .build()
        .unwrap();
    let body = br#"{"type":"invoice.paid"}"#;
    let response = deliver(&client, reqwest::Method::POST, Some(body.to_vec().into()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // No body: the empty one is signed.
    let response = deliver(&client, reqwest::Method::GET, None).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, &body[..]);
    assert_eq!(seen[0].headers["content-type"], "application/json");
    webhooks().verify(&seen[0].headers, &seen[0].body).unwrap();
    assert!(seen[1].body.is_empty());
    webhooks().verify(&seen[1].headers, b"").unwrap();
    assert_ne!(seen[0].headers["webhook-id"], seen[1].headers["webhook-id"]);
}

#[tokio::test]
async fn signing_fails_for_a_streamed_body_and_when_the_signer_fails() {
    let (url, seen) = receiver(&[], &[]).await;
    let client = Client::builder(url.clone())
        .sign(signature::signer(webhooks()))
        .build()
        .unwrap();
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("{}"))]);
    let error = deliver(
        &client,
        reqwest::Method::POST,
        Some(reqwest::Body::wrap_stream(chunks)),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, api::Error::Encode(m) if m == "a streamed body cannot be signed"),
        "{error:?}"
    );
    let failing = Client::builder(url)
        .sign(|_: &mut reqwest::header::HeaderMap, _: &[u8]| Err("no key today".to_owned()))
        .build()
        .unwrap();
    let error = deliver(&failing, reqwest::Method::POST, Some("{}".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, api::Error::Encode(m) if m == "no key today"),
        "{error:?}"
    );
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn any_failure_sends_a_post_again_with_the_same_signature() {
    let (url, seen) = receiver(&[500], &[]).await;
    let client = Client::builder(url)
        .sign(signature::signer(webhooks()))
        .retry(
            client::Retry::default()
                .any_failure(true)
                .base_delay(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let response = deliver(&client, reqwest::Method::POST, Some("{\"n\":1}".into()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "tried twice");
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        assert_eq!(seen[0].headers[name], seen[1].headers[name], "{name}");
    }
    assert_eq!(
        seen[0].headers["x-request-id"],
        seen[1].headers["x-request-id"]
    );
    webhooks().verify(&seen[1].headers, &seen[1].body).unwrap();
}

#[tokio::test]
async fn without_any_failure_a_500_is_the_answer() {
    let (url, seen) = receiver(&[500, 500], &[]).await;
    let client = Client::builder(url)
        .retry(client::Retry::default().base_delay(Duration::from_millis(5)))
        .build()
        .unwrap();
    let response = deliver(&client, reqwest::Method::POST, Some("{}".into()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let response = deliver(&client, reqwest::Method::GET, None).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(seen.lock().unwrap().len(), 2, "each tried once");
}

#[tokio::test]
async fn any_failure_tries_a_timed_out_call_again() {
    let (url, seen) = receiver(&[], &[Duration::from_secs(5)]).await;
    let client = Client::builder(url)
        .timeout(Duration::from_millis(300))
        .retry(
            client::Retry::default()
                .any_failure(true)
                .base_delay(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let response = deliver(&client, reqwest::Method::POST, Some("{}".into()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(seen.lock().unwrap().len(), 2);

    // Without it, the timeout is the error.
    let (url, _) = receiver(&[], &[Duration::from_secs(5)]).await;
    let client = Client::builder(url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = deliver(&client, reqwest::Method::GET, None)
        .await
        .unwrap_err();
    assert!(matches!(error, api::Error::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn any_failure_keeps_to_retry_after() {
    // A 503 that asks for more than `max_delay` is the answer.
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(|| async {
            (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "60")])
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = Client::builder(url)
        .retry(
            client::Retry::default()
                .any_failure(true)
                .max_delay(Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    let response = deliver(&client, reqwest::Method::POST, Some("{}".into()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn with_base_url_sends_the_same_client_elsewhere() {
    let (first, first_seen) = receiver(&[], &[]).await;
    let (second, second_seen) = receiver(&[], &[]).await;
    let client = Client::builder(format!("{first}/"))
        .header("x-sender", "billing")
        .sign(signature::signer(webhooks()))
        .build()
        .unwrap();
    assert_eq!(client.base_url(), first);
    let other = client.with_base_url(format!("{second}//"));
    assert_eq!(other.base_url(), second, "trailing `/`s trimmed");
    assert_eq!(client.base_url(), first, "the original stays");

    deliver(&other, reqwest::Method::POST, Some("{}".into()))
        .await
        .unwrap();
    assert!(first_seen.lock().unwrap().is_empty());
    let seen = second_seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].headers["x-sender"], "billing", "same settings");
    webhooks().verify(&seen[0].headers, &seen[0].body).unwrap();

    deliver(&client, reqwest::Method::POST, Some("{}".into()))
        .await
        .unwrap();
    assert_eq!(first_seen.lock().unwrap().len(), 1);
}

#[test]
fn a_deliverer_signs_times_out_and_retries_any_failure() {
    let scheme = StandardWebhooks::new(SW_SECRET).unwrap();
    let deliverer: client::Client<()> =
        client::Client::deliverer(signature::signer(scheme)).unwrap();
    assert_eq!(deliverer.timeout(), Some(client::DELIVERY_TIMEOUT));
    assert_eq!(deliverer.retry().attempts(), client::DELIVERY_ATTEMPTS);
    assert_eq!(
        deliverer.retry(),
        &client::Retry::default()
            .any_failure(true)
            .max_attempts(client::DELIVERY_ATTEMPTS)
            .base_delay(Duration::from_secs(1))
    );
}
