//! The puppy shop's `adoption.approved` webhook over real TCP: the
//! generated sender delivers it signed (Standard Webhooks), the generated
//! receiver checks the signature before its handler runs. The handler
//! counts its calls, so a refused delivery is seen not to reach it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use puppy_shop::types;
use puppy_shop::webhooks::{self, api, Sign as _, StandardWebhooks, Webhooks};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_dGhlIG90aGVyIHNlY3JldCBvZiB0aGUgc2hvcA==";

/// A subscriber: keeps what it was given.
#[derive(Clone, Default)]
struct Subscriber {
    calls: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<types::AdoptionApproved>>>,
}

impl Webhooks for Subscriber {
    async fn adoption_approved(
        &self,
        request: api::AdoptionApprovedRequest,
    ) -> Result<api::AdoptionApprovedResponse, webhooks::Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.received.lock().unwrap().push(request.body);
        Ok(api::AdoptionApprovedResponse::NoContent)
    }
}

/// Serves `router` under `/hooks` on 127.0.0.1:0; returns the base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let app = axum::Router::new().nest("/hooks", router);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}/hooks")
}

fn event() -> types::AdoptionApproved {
    types::AdoptionApproved {
        adoption_id: "ad_1".into(),
        puppy_id: 12345,
        name: "Fido Lava".into(),
        approved_at: "2026-05-04T10:00:00Z".parse().unwrap(),
    }
}

fn scheme(secret: &str) -> StandardWebhooks {
    StandardWebhooks::new(secret).expect("a valid secret")
}

/// Posts `body` with `headers` as the receiver's URL of the webhook.
async fn post(url: &str, headers: http::HeaderMap, body: &[u8]) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .headers(headers)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn a_signed_delivery_reaches_the_handler_typed() {
    let subscriber = Subscriber::default();
    let base = serve(webhooks::router(subscriber.clone(), scheme(SECRET))).await;
    let sender = webhooks::sender(scheme(SECRET)).expect("a sender");

    let answer = sender
        .with_base_url(format!("{base}/adoption.approved"))
        .adoption_approved(api::AdoptionApprovedRequest::new(event()))
        .await;

    assert!(
        matches!(answer, Ok(api::AdoptionApprovedResponse::NoContent)),
        "{answer:?}"
    );
    assert_eq!(subscriber.calls.load(Ordering::SeqCst), 1);
    assert_eq!(subscriber.received.lock().unwrap()[0], event());
}

#[tokio::test]
async fn bad_deliveries_are_refused_before_the_handler() {
    let subscriber = Subscriber::default();
    let base = serve(webhooks::router(subscriber.clone(), scheme(SECRET))).await;
    let url = format!("{base}/adoption.approved");
    let body = serde_json::to_vec(&event()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();

    let mut signed = http::HeaderMap::new();
    scheme(SECRET).sign_at(&mut signed, &body, now).unwrap();
    let mut stale = http::HeaderMap::new();
    scheme(SECRET)
        .sign_at(&mut stale, &body, now - 3600)
        .unwrap();
    let mut wrong_secret = http::HeaderMap::new();
    scheme(OTHER_SECRET).sign(&mut wrong_secret, &body).unwrap();
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'F').unwrap();
    tampered[at] = b'G';

    let cases: [(&str, http::HeaderMap, &[u8]); 4] = [
        ("tampered body", signed.clone(), &tampered),
        ("stale timestamp", stale, &body),
        ("wrong secret", wrong_secret, &body),
        ("no signature", http::HeaderMap::new(), &body),
    ];
    for (case, headers, body) in cases {
        let response = post(&url, headers, body).await;
        assert_eq!(response.status(), 401, "{case}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{case}"
        );
    }
    assert_eq!(subscriber.calls.load(Ordering::SeqCst), 0);

    // The same signed headers with the body they were made for pass.
    assert_eq!(post(&url, signed, &body).await.status(), 204);
    assert_eq!(subscriber.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_rotated_secret_is_accepted_beside_the_new_one() {
    let subscriber = Subscriber::default();
    let rotating = scheme(OTHER_SECRET).secret(SECRET).expect("a valid secret");
    let base = serve(webhooks::router(subscriber.clone(), rotating)).await;
    let url = format!("{base}/adoption.approved");

    for secret in [SECRET, OTHER_SECRET] {
        let sender = webhooks::sender(scheme(secret)).expect("a sender");
        let answer = sender
            .with_base_url(&url)
            .adoption_approved(api::AdoptionApprovedRequest::new(event()))
            .await;
        assert!(answer.is_ok(), "{answer:?}");
    }
    assert_eq!(subscriber.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_503_is_retried_and_the_event_delivered_once() {
    let subscriber = Subscriber::default();
    let attempts = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = attempts.clone();
    // The subscriber's proxy is down for the first attempt.
    let flaky =
        webhooks::router(subscriber.clone(), scheme(SECRET)).layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let seen = seen.clone();
                async move {
                    let id = request.headers()["webhook-id"].to_str().unwrap().to_owned();
                    let first = {
                        let mut seen = seen.lock().unwrap();
                        seen.push(id);
                        seen.len() == 1
                    };
                    if first {
                        return axum::response::IntoResponse::into_response(
                            http::StatusCode::SERVICE_UNAVAILABLE,
                        );
                    }
                    next.run(request).await
                }
            },
        ));
    let base = serve(flaky).await;
    let sender = webhooks::Sender::builder("")
        .retry(
            puppy_shop::client::Retry::default()
                .any_failure(true)
                .base_delay(std::time::Duration::from_millis(10)),
        )
        .sign(move |headers, body| {
            scheme(SECRET)
                .sign(headers, body)
                .map_err(|e| e.to_string())
        })
        .build()
        .expect("a sender");

    let answer = sender
        .with_base_url(format!("{base}/adoption.approved"))
        .adoption_approved(api::AdoptionApprovedRequest::new(event()))
        .await;

    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(subscriber.calls.load(Ordering::SeqCst), 1);
    let attempts = attempts.lock().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(
        attempts[0], attempts[1],
        "one delivery id for every attempt"
    );
}

#[cfg(feature = "mock")]
#[tokio::test]
async fn the_mock_fires_the_spec_examples_at_a_receiver() {
    let subscriber = Subscriber::default();
    let base = serve(webhooks::router(subscriber.clone(), scheme(SECRET))).await;
    let sender = webhooks::sender(scheme(SECRET)).expect("a sender");

    let fired = webhooks::mock::fire(&sender, &base).await;

    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].0, "adoption_approved");
    assert!(fired[0].1.is_ok(), "{:?}", fired[0].1);
    let received = subscriber.received.lock().unwrap();
    assert_eq!(received[0].name, "Fido Lava", "the spec's example");
    assert_eq!(received[0].adoption_id, "ad_4711");
}

#[path = "../examples/shop/mod.rs"]
mod shop;

#[tokio::test]
async fn the_shop_announces_an_adoption_to_its_subscriber() {
    let subscriber = Subscriber::default();
    let hooks = serve(webhooks::router(subscriber.clone(), scheme(SECRET))).await;
    let shop = shop::Shop::with_sample_puppies()
        .with_subscriber(&format!("{hooks}/adoption.approved"), SECRET)
        .expect("a subscriber");
    let shop_base = serve(puppy_shop::router(shop)).await;
    let client = puppy_shop::Client::new(shop_base).with_credentials(puppy_shop::Credentials {
        bearer_auth: Some("token".into()),
        ..puppy_shop::Credentials::default()
    });

    let form = types::AdoptionForm {
        puppy_id: 12345,
        name: "Rex".into(),
        callback_url: None,
    };
    let answer =
        puppy_shop::Api::adopt_puppy(&client, puppy_shop::api::AdoptPuppyRequest::new(form)).await;
    assert!(
        matches!(answer, Ok(puppy_shop::api::AdoptPuppyResponse::Created(_))),
        "{answer:?}"
    );

    // The shop delivers on a task of its own.
    for _ in 0..200 {
        if subscriber.calls.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let received = subscriber.received.lock().unwrap();
    assert_eq!(received.len(), 1, "one delivery");
    assert_eq!(received[0].puppy_id, 12345);
    assert_eq!(received[0].name, "Rex");
    assert_eq!(received[0].adoption_id, "ad_12345");
}
