//! Client → gateway → upstream over real TCP on 127.0.0.1: credentials,
//! typed bodies, statuses and request ids pass through the gateway.

#[path = "../../../generated-example/examples/shop/mod.rs"]
mod shop;

use std::sync::{Arc, Mutex};

use puppy_shop::{api, types, Api, Client, Credentials};

/// Requests' `x-request-id`s as the upstream saw them.
type Seen = Arc<Mutex<Vec<Option<String>>>>;

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}/v1")
}

/// The shop, recording the request ids it is sent.
async fn upstream(seen: Seen) -> String {
    let app = axum::Router::new()
        .nest("/v1", puppy_shop::router(shop::Shop::with_sample_puppies()))
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                seen.lock().unwrap().push(id);
                next.run(request)
            },
        ));
    serve(app).await
}

#[tokio::test]
async fn client_gateway_upstream() {
    let seen = Seen::default();
    let upstream = upstream(seen.clone()).await;
    let gateway = serve(gateway_example::gateway(&upstream).expect("gateway")).await;
    let client = Client::new(&gateway).with_credentials(Credentials {
        bearer_auth: Some("alice".into()),
        ..Credentials::default()
    });

    // A typed body with documented headers.
    let request = api::ListPuppiesRequest::new().breed("Beagle");
    let api::ListPuppiesResponse::Ok {
        body,
        etag,
        cache_control,
    } = client.list_puppies(request).await.unwrap()
    else {
        panic!("not 200")
    };
    assert_eq!(body.total, 2);
    assert!(etag.is_some());
    assert_eq!(cache_control.as_deref(), Some("public, max-age=60"));

    // A documented error status, and its body.
    let response = client
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .unwrap();
    let api::GetPuppyResponse::NotFound(problem) = response else {
        panic!("not 404: {response:?}")
    };
    assert_eq!(problem.code, "not_found");
    assert!(
        problem.message.contains("no puppy 1"),
        "{}",
        problem.message
    );

    // Credentials reach the upstream: carts are per token.
    let created = client
        .add_cart_item(api::AddCartItemRequest::new(types::CartItemInput {
            puppy_id: 12345,
            note: None,
        }))
        .await
        .unwrap();
    assert!(
        matches!(created, api::AddCartItemResponse::Created(_)),
        "{created:?}"
    );
    let api::GetCartResponse::Ok(cart) = client.get_cart(api::GetCartRequest::new()).await.unwrap()
    else {
        panic!("alice has a cart")
    };
    assert_eq!(cart.items.len(), 1);
    let mut bob = api::GetCartRequest::new();
    bob.context.credentials.bearer_auth = Some("bob".into());
    let api::GetCartResponse::Ok(cart) = client.get_cart(bob).await.unwrap() else {
        panic!("bob has a cart")
    };
    assert!(cart.items.is_empty(), "bob's cart is his own");

    // No credentials: the gateway's own router answers 401 before calling
    // the upstream, in the spec's `Error` shape, so the client reads it as
    // the documented response.
    let anonymous = Client::new(&gateway);
    let answer = anonymous
        .get_cart(api::GetCartRequest::new())
        .await
        .unwrap();
    let api::GetCartResponse::Unauthorized(error) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(error.code, "unauthorized");

    // The caller's request id reaches the upstream.
    let mut request = api::GetPuppyRequest::new(12345);
    request.context.headers.insert(
        "x-request-id",
        http::HeaderValue::from_static("trace-me-123"),
    );
    let response = client.get_puppy(request).await.unwrap();
    assert!(matches!(response, api::GetPuppyResponse::Ok(ref p) if p.name == "Fido"));
    assert_eq!(
        seen.lock().unwrap().last().cloned().flatten().as_deref(),
        Some("trace-me-123")
    );
    // Every call the upstream saw carried one.
    assert!(seen.lock().unwrap().iter().all(Option::is_some));
}

/// The raw answer to `GET path` (HTTP/1.1, the connection closed after).
async fn raw_get(base: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("an address");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

/// An upstream that cannot be reached is the gateway's 502, one that does
/// not answer in time its 504, both as problems: what failed is upstream.
#[tokio::test]
async fn upstream_failures_are_502_and_504() {
    // Nothing listens at a port that was bound and let go.
    let gone = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = gone.local_addr().expect("address");
    drop(gone);
    let gateway =
        serve(gateway_example::gateway(&format!("http://{address}/v1")).expect("gateway")).await;
    let answer = raw_get(&gateway, "/v1/puppies/12345").await;
    assert!(answer.starts_with("HTTP/1.1 502"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("could not be reached"), "{answer}");

    // An upstream that takes the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = silent.local_addr().expect("address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let client = Client::builder(format!("http://{address}/v1"))
        .timeout(std::time::Duration::from_millis(200))
        .retry(puppy_shop::client::Retry::default().max_attempts(1))
        .build()
        .expect("client");
    let gateway = serve(axum::Router::new().nest("/v1", puppy_shop::router(client))).await;
    let answer = raw_get(&gateway, "/v1/puppies/12345").await;
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
    assert!(answer.contains("did not answer in time"), "{answer}");
}
