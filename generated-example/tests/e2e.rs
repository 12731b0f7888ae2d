//! End to end over real TCP: the generated server with the in-memory shop,
//! driven by the generated client, through every operation; plus raw HTTP
//! for what the client would never send (no token, malformed bodies).

#[path = "../examples/shop/mod.rs"]
mod shop;

/// Bad input, limits, panics, conditional requests, the runtime's options.
#[path = "e2e/server.rs"]
mod server;

use puppy_shop::{api, types, Api, Client, Credentials};

/// Serves a fresh shop on 127.0.0.1:0 under `/v1`; returns the base URL.
async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let app =
        axum::Router::new().nest("/v1", puppy_shop::router(shop::Shop::with_sample_puppies()));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}/v1")
}

fn client(base: &str, token: &str) -> Client {
    Client::new(base).with_credentials(Credentials {
        bearer_auth: Some(token.into()),
        ..Credentials::default()
    })
}

#[tokio::test]
async fn list_filters_pages_and_marks_cacheable() {
    let base = serve().await;
    let client = Client::new(&base);

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
    assert!(body.items.iter().all(|p| p.breed == "Beagle"));
    assert!(
        etag.as_deref()
            .is_some_and(|e| e.starts_with('"') && e.len() > 2),
        "{etag:?}"
    );
    assert_eq!(cache_control.as_deref(), Some("public, max-age=60"));

    let request = api::ListPuppiesRequest::new()
        .size(types::Size::Small)
        .max_price_cents(30_000)
        .unwrap();
    let api::ListPuppiesResponse::Ok { body, .. } = client.list_puppies(request).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(
        body.items
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Bella"]
    );

    let request = api::ListPuppiesRequest::new()
        .limit(2)
        .and_then(|r| r.offset(1))
        .unwrap();
    let api::ListPuppiesResponse::Ok { body, .. } = client.list_puppies(request).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(body.items.len(), 2);
    assert_eq!(body.total, 5);
    assert_eq!(body.next, Some(Some("offset=3&limit=2".to_owned())));

    // Without `limit` on the wire, the server applies the spec's default (20).
    let raw = reqwest::get(format!("{base}/puppies")).await.unwrap();
    assert_eq!(raw.status(), 200);
    let page: serde_json::Value = serde_json::from_slice(&raw.bytes().await.unwrap()).unwrap();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(5), "{page}");

    // The client cannot make a limit outside 1 to 100, and the server
    // refuses one before the handler runs.
    assert!(types::ListPuppiesLimit::try_from(0).is_err());
    let raw = reqwest::get(format!("{base}/puppies?limit=0"))
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let error: serde_json::Value = serde_json::from_slice(&raw.bytes().await.unwrap()).unwrap();
    assert_eq!(
        error["message"],
        "parameter `limit`: invalid value `0`: 0 is less than the minimum of 1",
    );
    // Two bad parameters: both named, in the spec's `Error` shape.
    let raw = reqwest::get(format!("{base}/puppies?limit=0&size=huge"))
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let error: serde_json::Value = serde_json::from_slice(&raw.bytes().await.unwrap()).unwrap();
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("2 parameters are not valid; `size`: ")
            && message.contains("; `limit`: invalid value `0`"),
        "{message}"
    );
}

#[tokio::test]
async fn get_one_and_404() {
    let base = serve().await;
    let client = Client::new(&base);
    let response = client
        .get_puppy(api::GetPuppyRequest::new(12346))
        .await
        .unwrap();
    assert!(
        matches!(response, api::GetPuppyResponse::Ok(ref p) if p.name == "Rex" && p.size == types::Size::Large)
    );
    let response = client
        .get_puppy(api::GetPuppyRequest::new(1))
        .await
        .unwrap();
    assert!(
        matches!(response, api::GetPuppyResponse::NotFound(ref e) if e.code == "not_found"),
        "{response:?}"
    );
}

#[tokio::test]
async fn adopt_with_a_form_and_either_credential() {
    let base = serve().await;
    let form = |id, name: &str| {
        api::AdoptPuppyRequest::new(types::AdoptionForm {
            puppy_id: id,
            name: name.into(),
            callback_url: None,
        })
    };

    // With a bearer token.
    let response = client(&base, "alice")
        .adopt_puppy(form(12345, "Fido Lava"))
        .await
        .unwrap();
    assert!(
        matches!(response, api::AdoptPuppyResponse::Created(ref a) if a.puppy_id == 12345 && a.name == "Fido Lava"),
        "{response:?}"
    );
    // The name with a space went through the form encoding intact.
    let response = Client::new(&base)
        .get_puppy(api::GetPuppyRequest::new(12345))
        .await
        .unwrap();
    assert!(
        matches!(response, api::GetPuppyResponse::Ok(ref p) if p.adopted && p.name == "Fido Lava")
    );

    // With the partner key instead (the other requirement).
    let partner = Client::new(&base).with_credentials(Credentials {
        shop_key: Some("shelter-7".into()),
        ..Credentials::default()
    });
    let response = partner.adopt_puppy(form(12346, "Rex")).await.unwrap();
    assert!(
        matches!(response, api::AdoptPuppyResponse::Created(_)),
        "{response:?}"
    );

    // Documented outcomes of the handler.
    let response = partner.adopt_puppy(form(12346, "Rex")).await.unwrap();
    assert!(
        matches!(response, api::AdoptPuppyResponse::Conflict(_)),
        "{response:?}"
    );
    let response = partner.adopt_puppy(form(99, "Nobody")).await.unwrap();
    assert!(
        matches!(response, api::AdoptPuppyResponse::NotFound(_)),
        "{response:?}"
    );

    // The exact wire form of the body.
    let raw = reqwest::Client::new()
        .post(format!("{base}/adoptions"))
        .header("authorization", "Bearer bob")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("puppyId=12347&name=Fido+Lava")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 201);
    assert_eq!(
        raw.text().await.unwrap(),
        r#"{"puppyId":12347,"name":"Fido Lava"}"#
    );
}

#[tokio::test]
async fn carts_belong_to_tokens() {
    let base = serve().await;
    let (alice, bob) = (client(&base, "alice"), client(&base, "bob"));

    let item = |id| {
        api::AddCartItemRequest::new(types::CartItemInput {
            puppy_id: id,
            note: None,
        })
    };
    let response = alice.add_cart_item(item(12345)).await.unwrap();
    assert!(
        matches!(response, api::AddCartItemResponse::Created(ref c) if c.items.len() == 1 && c.total_cents == 25_000)
    );
    let response = alice.add_cart_item(item(12347)).await.unwrap();
    assert!(
        matches!(response, api::AddCartItemResponse::Created(ref c) if c.total_cents == 55_000)
    );
    let response = alice.add_cart_item(item(4)).await.unwrap();
    assert!(
        matches!(response, api::AddCartItemResponse::NotFound(_)),
        "{response:?}"
    );

    // Bob's token names another cart.
    let response = bob.get_cart(api::GetCartRequest::new()).await.unwrap();
    assert!(
        matches!(response, api::GetCartResponse::Ok(ref c) if c.items.is_empty()),
        "{response:?}"
    );

    // A per-call credential overrides the client's own.
    let mut request = api::GetCartRequest::new();
    request.context.credentials.bearer_auth = Some("alice".into());
    let response = bob.get_cart(request).await.unwrap();
    assert!(
        matches!(response, api::GetCartResponse::Ok(ref c) if c.items.len() == 2),
        "{response:?}"
    );

    let response = alice
        .remove_cart_item(api::RemoveCartItemRequest::new(12345))
        .await
        .unwrap();
    assert!(
        matches!(response, api::RemoveCartItemResponse::NoContent),
        "{response:?}"
    );
    let response = alice
        .remove_cart_item(api::RemoveCartItemRequest::new(12345))
        .await
        .unwrap();
    assert!(
        matches!(response, api::RemoveCartItemResponse::NotFound(_)),
        "{response:?}"
    );
    let response = alice.get_cart(api::GetCartRequest::new()).await.unwrap();
    assert!(
        matches!(response, api::GetCartResponse::Ok(ref c) if c.items.len() == 1 && c.total_cents == 30_000)
    );
}

#[tokio::test]
async fn no_token_gets_401_before_the_handler() {
    let base = serve().await;
    let http = reqwest::Client::new();
    for (method, path) in [
        ("GET", "/cart"),
        ("POST", "/cart/items"),
        ("DELETE", "/cart/items/12345"),
        ("POST", "/adoptions"),
    ] {
        let response = http
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{method} {path}");
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        // Each of these documents its 401 as the spec's `Error`.
        assert_eq!(response.headers()["content-type"], "application/json");
        let error: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(error["code"], "unauthorized", "{error}");
    }
    // Both accepted schemes are named for the adoption.
    let response = http.post(format!("{base}/adoptions")).send().await.unwrap();
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer, ApiKey in="header", name="X-Shop-Key""#
    );
    // A malformed Authorization header is no credential either.
    let response = http
        .get(format!("{base}/cart"))
        .header("authorization", "Bearer")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    // The generated client without credentials reports the status.
    let error = Client::new(&base)
        .get_cart(api::GetCartRequest::new())
        .await;
    match error {
        Err(e) => assert_eq!(e.status(), Some(http::StatusCode::UNAUTHORIZED), "{e}"),
        Ok(api::GetCartResponse::Unauthorized(_)) => {}
        Ok(other) => panic!("{other:?}"),
    }
}

/// Where the operation documents the status, the spec's own `Error`
/// (`{code, message}`, the message naming each violation); elsewhere an
/// RFC 9457 problem.
#[tokio::test]
async fn bad_requests_get_errors_in_the_specs_shape() {
    let base = serve().await;
    let http = reqwest::Client::new();
    let post = |body: &'static str, content_type: &'static str| {
        http.post(format!("{base}/cart/items"))
            .header("authorization", "Bearer alice")
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for (body, says) in [
        ("{\"puppyId\":", "JSON"),
        ("{\"puppyId\":\"twelve\"}", "/puppyId"),
        ("{}", "/puppyId"),
        ("", "body"),
    ] {
        let response = post(body, "application/json").await.unwrap();
        assert_eq!(response.status(), 400, "{body:?}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let error: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(error["code"], "bad_request", "{error}");
        assert!(
            error["message"].as_str().is_some_and(|m| m.contains(says)),
            "{body:?}: {error}"
        );
    }
    // `addCartItem` documents no 415.
    let response = post("{\"puppyId\":12345}", "text/plain").await.unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(problem["status"], 415);
    assert!(problem["detail"].is_string(), "{problem}");
    // Path and query parameters of the wrong type.
    let response = http
        .get(format!("{base}/puppies/abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = http
        .get(format!("{base}/puppies?size=huge"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert!(
        error["message"].as_str().unwrap().contains("huge"),
        "{error}"
    );
    // A form without a required field.
    let response = http
        .post(format!("{base}/adoptions"))
        .header("authorization", "Bearer bob")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Fido")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Unknown paths and methods.
    let response = http.get(format!("{base}/kittens")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let response = http.put(format!("{base}/puppies")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    // And the server still answers.
    let response = http
        .get(format!("{base}/puppies/12345"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
