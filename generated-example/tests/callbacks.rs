//! The puppy shop's `adoptionDecided` callback over real TCP: the adopter
//! names a URL in its adoption form, the server reads it out of the body,
//! and the shop's handler calls back there, signed, through the generated
//! callback sender; the adopter receives it with the generated router.

#[path = "../examples/shop/mod.rs"]
mod shop;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use puppy_shop::callbacks::{self, api, Callbacks, StandardWebhooks};
use puppy_shop::{types, Api as _, Client, Credentials};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The adopter's side: keeps what it was told.
#[derive(Clone, Default)]
struct Adopter {
    calls: Arc<AtomicUsize>,
    decisions: Arc<Mutex<Vec<types::AdoptionApproved>>>,
}

impl Callbacks for Adopter {
    async fn adoption_decided(
        &self,
        request: api::AdoptionDecidedRequest,
    ) -> Result<api::AdoptionDecidedResponse, callbacks::Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.decisions.lock().unwrap().push(request.body);
        Ok(api::AdoptionDecidedResponse::NoContent)
    }
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_url_in_the_form_is_called_back_once_after_a_503() {
    let adopter = Adopter::default();
    let attempts = Arc::new(AtomicUsize::new(0));
    let seen = attempts.clone();
    // The adopter's proxy is down for the first attempt.
    let flaky = callbacks::router(adopter.clone(), StandardWebhooks::new(SECRET).unwrap()).layer(
        axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let first = seen.fetch_add(1, Ordering::SeqCst) == 0;
                async move {
                    if first {
                        return axum::response::IntoResponse::into_response(
                            http::StatusCode::SERVICE_UNAVAILABLE,
                        );
                    }
                    next.run(request).await
                }
            },
        ),
    );
    let adopter_base = serve(axum::Router::new().nest("/calls", flaky)).await;
    let shop = shop::Shop::with_sample_puppies()
        .with_callbacks(SECRET)
        .expect("a callback sender");
    let shop_base = serve(puppy_shop::router(shop)).await;
    let client = Client::new(shop_base).with_credentials(Credentials {
        bearer_auth: Some("token".into()),
        ..Credentials::default()
    });

    let form = types::AdoptionForm {
        puppy_id: 12345,
        name: "Rex".into(),
        callback_url: Some(format!("{adopter_base}/calls/adoption_decided")),
    };
    let answer = client
        .adopt_puppy(puppy_shop::api::AdoptPuppyRequest::new(form))
        .await;
    assert!(
        matches!(answer, Ok(puppy_shop::api::AdoptPuppyResponse::Created(_))),
        "{answer:?}"
    );

    // The shop calls back on a task of its own, the retry 0.5-1 s later.
    for _ in 0..500 {
        if adopter.calls.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        2,
        "a 503, then the delivery"
    );
    assert_eq!(adopter.calls.load(Ordering::SeqCst), 1, "delivered once");
    let decisions = adopter.decisions.lock().unwrap();
    assert_eq!(decisions[0].puppy_id, 12345);
    assert_eq!(decisions[0].name, "Rex");
}
