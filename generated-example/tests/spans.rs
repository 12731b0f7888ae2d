//! Each request's `tracing` span carries the operationId, method, route,
//! request id, status and latency.
//!
//! A test binary of its own: the subscriber is the process's global one, so
//! no other test's thread can race it for the callsite's interest (with
//! `set_default` beside parallel tests, the span was sometimes never
//! enabled).

use std::sync::{Arc, Mutex};

use puppy_shop::{api, Api, Client, Credentials};

#[path = "../examples/shop/mod.rs"]
mod shop;

/// Fields of the server's `request` spans, as a subscriber sees them.
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

/// Span ids: 1 for the server's `request` spans, 2 for any other.
impl tracing::Subscriber for Spans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if span.metadata().name() == "request" {
            span.record(&mut self.clone());
            tracing::span::Id::from_u64(1)
        } else {
            tracing::span::Id::from_u64(2)
        }
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        if id.into_u64() == 1 {
            values.record(&mut self.clone());
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn each_request_has_a_span_with_operation_route_status_and_latency() {
    let spans = Spans::default();
    tracing::subscriber::set_global_default(spans.clone()).expect("the only subscriber");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let app =
        axum::Router::new().nest("/v1", puppy_shop::router(shop::Shop::with_sample_puppies()));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

    let client = Client::new(format!("http://{addr}/v1")).with_credentials(Credentials {
        bearer_auth: Some("alice".into()),
        ..Credentials::default()
    });
    let mut context = api::Context::default();
    context
        .headers
        .insert("x-request-id", http::HeaderValue::from_static("span-1"));
    let answer = client
        .get_puppy(api::GetPuppyRequest {
            puppy_id: 12345,
            context,
        })
        .await;
    assert!(
        matches!(answer, Ok(api::GetPuppyResponse::Ok(_))),
        "{answer:?}"
    );
    let fields: std::collections::BTreeMap<String, String> =
        spans.0.lock().unwrap().iter().cloned().collect();
    assert_eq!(fields["operation"], "getPuppy", "{fields:?}");
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["route"], "/v1/puppies/{puppyId}");
    assert_eq!(fields["request_id"], "span-1");
    assert_eq!(fields["status"], "200");
    assert!(fields["latency_ms"].parse::<f64>().is_ok(), "{fields:?}");
}
