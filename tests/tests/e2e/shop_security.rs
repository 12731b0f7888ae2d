//! What stands in front of the puppy shop's handlers, over TCP: its own
//! authenticator, the limits of `server::Options`, CORS for browsers, and a
//! rate limit from tower_governor (429 with `Retry-After`, which the
//! generated client waits out).

use std::sync::Arc;
use std::time::{Duration, Instant};

use puppy_shop::server::{self, Cors, Options};
use puppy_shop::{Api, Client, Credentials, api};
use tower_governor::GovernorError;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::GlobalKeyExtractor;

use crate::shop::Shop;

/// Serves `router` under `/v1` on 127.0.0.1:0; the base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().nest("/v1", router);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn the_shop_judges_its_callers() {
    let base = serve(server::router(Shop::with_sample_puppies())).await;
    let http = reqwest::Client::new();
    // A token that is not a caller's name, and a partner key the shop does
    // not know: 401 before the handler.
    let bad_token = http
        .get(format!("{base}/cart"))
        .bearer_auth("not a name!")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status(), 401);
    assert_eq!(
        bad_token.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    let stranger = Client::new(&base).with_credentials(Credentials {
        shop_key: Some("shelter-99".into()),
        ..Credentials::default()
    });
    let form = api::AdoptPuppyRequest::new(puppy_shop::types::AdoptionForm {
        puppy_id: 12346,
        name: "Rex".into(),
        callback_url: None,
    });
    let refused = stranger.adopt_puppy(form.clone()).await.unwrap();
    assert!(
        matches!(refused, api::AdoptPuppyResponse::Unauthorized(_)),
        "{refused:?}"
    );
    // The partner the shop knows adopts.
    let partner = Client::new(&base).with_credentials(Credentials {
        shop_key: Some("shelter-7".into()),
        ..Credentials::default()
    });
    let adopted = partner.adopt_puppy(form).await.unwrap();
    assert!(
        matches!(adopted, api::AdoptPuppyResponse::Created(_)),
        "{adopted:?}"
    );
}

#[tokio::test]
async fn a_huge_header_is_431_and_the_server_goes_on() {
    let base = serve(server::router(Shop::with_sample_puppies())).await;
    let http = reqwest::Client::new();
    let huge = http
        .get(format!("{base}/puppies"))
        .header("x-padding", "a".repeat(200 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 431);
    assert_eq!(huge.headers()["content-type"], "application/problem+json");
    let next = http.get(format!("{base}/puppies")).send().await.unwrap();
    assert_eq!(next.status(), 200);
}

#[tokio::test]
async fn a_browser_on_an_allowed_origin_may_call() {
    let options = Options::new().cors(Cors::origins(["https://app.example"]).credentials(true));
    let base = serve(server::router_with(Shop::with_sample_puppies(), options)).await;
    let http = reqwest::Client::new();
    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{base}/cart"))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert!(
        headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let other = http
        .request(reqwest::Method::OPTIONS, format!("{base}/cart"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
}

/// A 429 problem. tower_governor's own answer is text, and its
/// `Retry-After` is the wait cut to whole seconds (often 0, which sends
/// clients straight back): this rounds it up.
fn too_many_requests(error: GovernorError) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let (status, wait) = match error {
        GovernorError::TooManyRequests { wait_time, .. } => (429, wait_time + 1),
        _ => (500, 0),
    };
    let status = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason(),
        "status": status.as_u16(),
        "detail": format!("too many requests: try again in {wait} s"),
    });
    let mut response = (
        status,
        [("content-type", "application/problem+json")],
        body.to_string(),
    )
        .into_response();
    if wait > 0 {
        response.headers_mut().insert("retry-after", wait.into());
    }
    response
}

#[tokio::test]
async fn a_rate_limit_answers_429_which_the_client_waits_out() {
    // Bursts of 2, then one request every 2 s, for all callers together.
    let config = Arc::new(
        GovernorConfigBuilder::default()
            .period(Duration::from_secs(2))
            .burst_size(2)
            .key_extractor(GlobalKeyExtractor)
            .finish()
            .unwrap(),
    );
    let limit = GovernorLayer::new(config).error_handler(too_many_requests);
    let router = server::router(Shop::with_sample_puppies()).layer(limit);
    let base = serve(router).await;
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let ok = http.get(format!("{base}/puppies")).send().await.unwrap();
        assert_eq!(ok.status(), 200);
    }
    let limited = http.get(format!("{base}/puppies")).send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(
        limited.headers()["content-type"],
        "application/problem+json"
    );
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3).contains(&wait), "Retry-After: {wait}");

    // The generated client retries a 429 after `Retry-After`.
    let started = Instant::now();
    let response = Client::new(&base)
        .list_puppies(api::ListPuppiesRequest::new())
        .await
        .unwrap();
    assert!(
        matches!(response, api::ListPuppiesResponse::Ok { .. }),
        "{response:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(500));
}
