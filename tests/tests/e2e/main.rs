//! End to end over real TCP on 127.0.0.1:0: generated servers with
//! in-memory implementations, driven by the generated clients; the
//! client's retries, cache, timeouts and errors against test servers; the
//! generated clients against Prism, a validating mock server.

mod client;
mod constraints;
mod events;
mod jwt;
mod media;
mod multipart;
mod openapi_3_2;
mod params;
mod petstore;
mod prism;
mod schemathesis;
mod sdk;
mod security;
mod security_edges;
mod shop_security;
mod streams;
mod types;

/// The puppy shop of `generated-example/examples/`.
// Formatted as part of `puppy-shop` (edition 2021), not here.
#[path = "../../../generated-example/examples/shop/mod.rs"]
#[allow(dead_code)]
#[rustfmt::skip]
mod shop;

/// Serves `router` on 127.0.0.1:0; returns `http://addr`.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    format!("http://{addr}")
}
