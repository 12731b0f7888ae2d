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

/// Serves the shop at `prefix` (nested under it, or at the root).
async fn serve(prefix: &'static str) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let router = puppy_shop::router(shop::Shop::with_sample_puppies());
    let app = if prefix.is_empty() {
        router
    } else {
        axum::Router::new().nest(prefix, router)
    };
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Client::new(format!("http://{addr}{prefix}")).with_credentials(Credentials {
        bearer_auth: Some("alice".into()),
        ..Credentials::default()
    })
}

#[tokio::test]
async fn each_request_has_a_span_with_operation_route_status_and_latency() {
    let spans = Spans::default();
    tracing::subscriber::set_global_default(spans.clone()).expect("the only subscriber");
    // At the root the route is found by its exact path; nested under a
    // prefix, by the route that ends it.
    for prefix in ["", "/v1"] {
        let client = serve(prefix).await;
        let mut context = api::Context::default();
        context
            .headers
            .insert("x-request-id", http::HeaderValue::from_static("span-1"));
        spans.0.lock().unwrap().clear();
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
        assert_eq!(fields["route"], format!("{prefix}/puppies/{{puppyId}}"));
        assert_eq!(fields["request_id"], "span-1");
        assert_eq!(fields["status"], "200");
        assert!(fields["latency_ms"].parse::<f64>().is_ok(), "{fields:?}");

        spans.0.lock().unwrap().clear();
        let answer = client.list_puppies(api::ListPuppiesRequest::new()).await;
        assert!(
            matches!(answer, Ok(api::ListPuppiesResponse::Ok { .. })),
            "{answer:?}"
        );
        let fields: std::collections::BTreeMap<String, String> =
            spans.0.lock().unwrap().iter().cloned().collect();
        assert_eq!(fields["operation"], "listPuppies", "{fields:?}");
        assert_eq!(fields["route"], format!("{prefix}/puppies"));
    }
}
