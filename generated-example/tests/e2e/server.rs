//! The server against what a well-behaved client never sends, over raw
//! TCP: each bad request gets the right 4xx (a problem+json where the
//! request reaches axum), and the server still answers afterwards. Also
//! panics, 405, the body limit, conditional requests, HEAD, request ids,
//! the optional routes and graceful shutdown.

use std::time::Duration;

use puppy_shop::server::{self, Options};
use puppy_shop::{api, Api, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::shop::Shop;

/// The shop, except that `getPuppy` of puppy 13 panics.
struct Panicky(Shop);

impl api::Authenticate for Panicky {
    async fn authenticate(
        &self,
        presented: &api::Presented<'_>,
    ) -> Result<api::Principal, api::Refusal> {
        self.0.authenticate(presented).await
    }
}

impl Api for Panicky {
    async fn list_puppies(
        &self,
        r: api::ListPuppiesRequest,
    ) -> Result<api::ListPuppiesResponse, Error> {
        self.0.list_puppies(r).await
    }
    async fn get_puppy(&self, r: api::GetPuppyRequest) -> Result<api::GetPuppyResponse, Error> {
        assert_ne!(r.puppy_id, 13, "puppy 13 is unlucky");
        self.0.get_puppy(r).await
    }
    async fn adopt_puppy(
        &self,
        r: api::AdoptPuppyRequest,
    ) -> Result<api::AdoptPuppyResponse, Error> {
        self.0.adopt_puppy(r).await
    }
    async fn get_cart(&self, r: api::GetCartRequest) -> Result<api::GetCartResponse, Error> {
        self.0.get_cart(r).await
    }
    async fn add_cart_item(
        &self,
        r: api::AddCartItemRequest,
    ) -> Result<api::AddCartItemResponse, Error> {
        self.0.add_cart_item(r).await
    }
    async fn remove_cart_item(
        &self,
        r: api::RemoveCartItemRequest,
    ) -> Result<api::RemoveCartItemResponse, Error> {
        self.0.remove_cart_item(r).await
    }
}

/// Serves the (panicky) shop under `/v1` with `options`; the address.
async fn serve(options: Options) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    let app = axum::Router::new().nest(
        "/v1",
        server::router_with(Panicky(Shop::with_sample_puppies()), options),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

/// An answer read off the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// A refusal with this status: a problem+json, or the spec's `Error`
    /// where the operation documents the status.
    fn assert_problem(&self, status: u16, what: &str) {
        assert_eq!(self.status, status, "{what}: {self:?}");
        let body: serde_json::Value = serde_json::from_slice(&self.body).expect("JSON");
        match self.header("content-type") {
            Some("application/problem+json") => {
                assert_eq!(body["status"], status, "{what}");
                assert!(body["detail"].is_string(), "{what}");
            }
            Some("application/json") => {
                assert!(body["code"].is_string(), "{what}: {body}");
                assert!(body["message"].is_string(), "{what}: {body}");
            }
            other => panic!("{what}: content type {other:?}"),
        }
    }
}

/// Writes `request` while reading the answer (the server may answer, and
/// close, before it has read everything); `None` when the server closed
/// without an answer. With `half_close`, the write side is shut after the
/// request, as a client that gave up would.
async fn exchange(addr: &str, request: &[u8], half_close: bool) -> Option<Answer> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let request = request.to_vec();
    let writing = tokio::spawn(async move {
        for chunk in request.chunks(64 * 1024) {
            if writer.write_all(chunk).await.is_err() {
                return writer;
            }
        }
        if half_close {
            let _ = writer.shutdown().await;
        }
        writer
    });
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut bytes))
        .await
        .expect("the server answers in time");
    drop(writing.await);
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Answer {
        status,
        head,
        body: bytes[end + 4..].to_vec(),
    })
}

async fn send(addr: &str, request: &[u8]) -> Option<Answer> {
    exchange(addr, request, false).await
}

/// A request with `Connection: close` and, if any, a body with its length.
fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        out.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// The server still serves an ordinary request.
async fn still_serving(addr: &str, after: &str) {
    let answer = send(addr, &request("GET", "/v1/puppies", &[], b""))
        .await
        .unwrap_or_else(|| panic!("no answer after {after}"));
    assert_eq!(answer.status, 200, "after {after}: {answer:?}");
}

const TOKEN: (&str, &str) = ("authorization", "Bearer alice");
const JSON: (&str, &str) = ("content-type", "application/json");

#[tokio::test]
async fn bad_input_gets_4xx_problems_and_the_server_keeps_serving() {
    let addr = serve(Options::new()).await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let huge = vec![b'1'; server::BODY_LIMIT + 1];
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "truncated JSON",
            request("POST", "/v1/cart/items", &[TOKEN, JSON], b"{\"puppyId\":"),
            400,
        ),
        (
            "invalid UTF-8 in JSON",
            request(
                "POST",
                "/v1/cart/items",
                &[TOKEN, JSON],
                b"{\"puppyId\":\"\xff\xfe\"}",
            ),
            400,
        ),
        (
            "deeply nested JSON",
            request("POST", "/v1/cart/items", &[TOKEN, JSON], deep.as_bytes()),
            400,
        ),
        (
            "a body larger than the limit",
            request("POST", "/v1/cart/items", &[TOKEN, JSON], &huge),
            413,
        ),
        (
            "a wrong content type",
            request(
                "POST",
                "/v1/cart/items",
                &[TOKEN, ("content-type", "text/xml")],
                b"<puppyId>1</puppyId>",
            ),
            415,
        ),
        (
            "a form where JSON is expected",
            request(
                "POST",
                "/v1/cart/items",
                &[TOKEN, ("content-type", "application/x-www-form-urlencoded")],
                b"puppyId=1",
            ),
            415,
        ),
        (
            "JSON where a form is expected",
            request(
                "POST",
                "/v1/adoptions",
                &[TOKEN, JSON],
                b"{\"puppyId\":1,\"name\":\"x\"}",
            ),
            415,
        ),
        (
            "an unknown method",
            request("BREW", "/v1/puppies", &[], b""),
            405,
        ),
        (
            "a method the path does not have",
            request("DELETE", "/v1/puppies", &[], b""),
            405,
        ),
        (
            "an unknown path",
            request("GET", "/v1/kittens", &[], b""),
            404,
        ),
        (
            "a path parameter that is not a number",
            request("GET", "/v1/puppies/twelve", &[], b""),
            400,
        ),
        (
            "a path parameter that is not UTF-8",
            request("GET", "/v1/puppies/%FF%FE", &[], b""),
            400,
        ),
        (
            "a query value out of range",
            request("GET", "/v1/puppies?limit=100000000000000000000", &[], b""),
            400,
        ),
        (
            "a long header (8 KiB) that the handler does not read",
            request(
                "GET",
                "/v1/puppies/twelve",
                &[("x-padding", &"a".repeat(8 * 1024))],
                b"",
            ),
            400,
        ),
    ];
    // A query (or form body) that is not UTF-8 is read lossily (U+FFFD),
    // as `serde_urlencoded` does: no puppy has that breed.
    let answer = send(&addr, &request("GET", "/v1/puppies?breed=%FF", &[], b""))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(String::from_utf8_lossy(&answer.body).contains("\"total\":0"));
    for (what, bytes, status) in cases {
        let answer = send(&addr, &bytes)
            .await
            .unwrap_or_else(|| panic!("no answer to {what}"));
        answer.assert_problem(status, what);
        if status == 405 {
            assert_eq!(answer.header("allow"), Some("GET,HEAD"), "{what}");
        }
        still_serving(&addr, what).await;
    }
}

/// What hyper refuses before axum sees the request: a plain 4xx (431, 414
/// or 400), never a 5xx, or a closed connection; and the server goes on.
#[tokio::test]
async fn oversized_heads_are_refused_by_hyper() {
    let addr = serve(Options::new()).await;
    let long_header = "a".repeat(1024 * 1024);
    let long_path = format!("/v1/puppies/{}", "1".repeat(70_000));
    let many: Vec<(String, &str)> = (0..200).map(|i| (format!("x-h{i}"), "v")).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let cases = [
        (
            "a 1 MiB header",
            request("GET", "/v1/puppies", &[("x-big", &long_header)], b""),
        ),
        ("a 70 kB path", request("GET", &long_path, &[], b"")),
        ("200 headers", request("GET", "/v1/puppies", &many, b"")),
        (
            "not HTTP",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(),
        ),
    ];
    for (what, bytes) in cases {
        if let Some(answer) = send(&addr, &bytes).await {
            assert!(
                (400..500).contains(&answer.status),
                "{what}: {}",
                answer.head
            );
        }
        still_serving(&addr, what).await;
    }
}

/// A client that sends less body than it announced and hangs up gets no
/// answer (there is no one to answer), and the server goes on.
#[tokio::test]
async fn truncated_bodies_leave_the_server_serving() {
    let addr = serve(Options::new()).await;
    let mut bytes = request(
        "POST",
        "/v1/cart/items",
        &[TOKEN, JSON],
        b"{\"puppyId\": 12345}",
    );
    let cut = bytes.len() - 8;
    bytes.truncate(cut);
    if let Some(answer) = exchange(&addr, &bytes, true).await {
        assert!((400..500).contains(&answer.status), "{}", answer.head);
    }
    still_serving(&addr, "a truncated body").await;
}

#[tokio::test]
async fn chunked_bodies_are_bounded_too() {
    let addr = serve(Options::new().body_limit(1024)).await;
    let mut bytes = b"POST /v1/cart/items HTTP/1.1\r\nhost: test\r\nconnection: close\r\nauthorization: Bearer alice\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..4 {
        bytes.extend_from_slice(b"200\r\n");
        bytes.extend_from_slice(&[b' '; 0x200]);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    let answer = send(&addr, &bytes).await.expect("an answer");
    answer.assert_problem(413, "a chunked body over the limit");

    // The limit is the one set, both ways: 1 KiB with a length is refused...
    let body = format!("{{\"puppyId\":1{}}}", " ".repeat(1100));
    let answer = send(
        &addr,
        &request("POST", "/v1/cart/items", &[TOKEN, JSON], body.as_bytes()),
    )
    .await
    .expect("an answer");
    answer.assert_problem(413, "a body over a set limit");
    // ...and a body over the default limit passes when the limit is higher.
    let addr = serve(Options::new().body_limit(4 * server::BODY_LIMIT)).await;
    let body = format!("{{\"puppyId\":1{}}}", " ".repeat(server::BODY_LIMIT + 10));
    let answer = send(
        &addr,
        &request("POST", "/v1/cart/items", &[TOKEN, JSON], body.as_bytes()),
    )
    .await
    .expect("an answer");
    assert_ne!(answer.status, 413, "{}", answer.head);
    assert!(answer.status < 500, "{}", answer.head);
}

/// `Accept` is honoured: 406 when it takes none of the operation's media
/// types (the shop answers with `application/json` only).
#[tokio::test]
async fn accept_headers_that_take_no_answer_get_406() {
    let addr = serve(Options::new()).await;
    for (accept, status) in [
        ("application/json", 200),
        ("application/json; charset=utf-8", 200),
        ("*/*", 200),
        ("application/*", 200),
        ("text/html, application/json;q=0.5", 200),
        ("APPLICATION/JSON", 200),
        ("", 200),
        ("text/html", 406),
        ("image/*, text/*", 406),
        ("application/json;q=0", 406),
        ("application/xml, */*;q=0", 406),
    ] {
        let answer = send(
            &addr,
            &request("GET", "/v1/puppies", &[("accept", accept)], b""),
        )
        .await
        .expect("an answer");
        if status == 200 {
            assert_eq!(answer.status, 200, "{accept}: {answer:?}");
        } else {
            answer.assert_problem(status, accept);
        }
    }
    still_serving(&addr, "406s").await;
}

#[tokio::test]
async fn a_panicking_handler_gets_500_and_the_server_keeps_serving() {
    let addr = serve(Options::new()).await;
    for _ in 0..3 {
        let answer = send(&addr, &request("GET", "/v1/puppies/13", &[], b""))
            .await
            .expect("an answer");
        answer.assert_problem(500, "a panic");
        let body = String::from_utf8_lossy(&answer.body);
        assert!(!body.contains("unlucky"), "the panic leaks: {body}");
        still_serving(&addr, "a panic").await;
    }
}

#[tokio::test]
async fn conditional_requests_get_304_and_head_works() {
    let addr = serve(Options::new()).await;
    let get = |headers: &'static [(&'static str, &'static str)]| {
        let addr = addr.clone();
        async move {
            send(&addr, &request("GET", "/v1/puppies", headers, b""))
                .await
                .expect("an answer")
        }
    };
    let first = get(&[]).await;
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    // The helper the shop uses is the hash of the body as sent.
    assert_eq!(etag, server::strong_etag(&first.body));

    let etag: &'static str = Box::leak(etag.into_boxed_str());
    let weak: &'static str = Box::leak(format!("W/{etag}").into_boxed_str());
    let listed: &'static str = Box::leak(format!("\"other\", {etag}").into_boxed_str());
    for condition in [etag, weak, listed, "*"] {
        let answer = get(Box::leak(Box::new([("if-none-match", condition)]))).await;
        assert_eq!(answer.status, 304, "If-None-Match: {condition}");
        assert!(answer.body.is_empty(), "a 304 has no body");
        assert_eq!(answer.header("etag"), Some(etag));
        assert_eq!(answer.header("cache-control"), Some("public, max-age=60"));
        assert_eq!(answer.header("content-type"), None);
    }
    let answer = get(&[("if-none-match", "\"stale\"")]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, first.body);
    // Without a Last-Modified, If-Modified-Since changes nothing.
    let answer = get(&[("if-modified-since", "Sun, 06 Nov 2094 08:49:37 GMT")]).await;
    assert_eq!(answer.status, 200);

    // HEAD: GET's status and headers, no body.
    let head = send(&addr, &request("HEAD", "/v1/puppies", &[], b""))
        .await
        .expect("an answer");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), Some(etag));
    assert_eq!(head.header("content-type"), Some("application/json"));
    let head = send(
        &addr,
        &request("HEAD", "/v1/puppies", &[("if-none-match", etag)], b""),
    )
    .await
    .expect("an answer");
    assert_eq!(head.status, 304);
    let head = send(&addr, &request("HEAD", "/v1/puppies/12345", &[], b""))
        .await
        .expect("an answer");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    // Not for other methods, nor for other statuses.
    let answer = send(
        &addr,
        &request("GET", "/v1/puppies/999999", &[("if-none-match", "*")], b""),
    )
    .await
    .expect("an answer");
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn request_ids_are_kept_or_made_and_echoed() {
    let addr = serve(Options::new()).await;
    let answer = send(
        &addr,
        &request("GET", "/v1/puppies", &[("x-request-id", "trace-42")], b""),
    )
    .await
    .expect("an answer");
    assert_eq!(answer.header("x-request-id"), Some("trace-42"));
    let mut seen = std::collections::BTreeSet::new();
    for path in [
        "/v1/puppies",
        "/v1/puppies",
        "/v1/nowhere",
        "/v1/puppies/13",
    ] {
        let answer = send(&addr, &request("GET", path, &[], b""))
            .await
            .expect("an answer");
        let id = answer.header("x-request-id").expect("an id").to_owned();
        assert_eq!(id.len(), 32, "{id}");
        assert!(seen.insert(id), "ids repeat");
    }
}

#[tokio::test]
async fn the_spec_and_a_liveness_probe_on_request() {
    let addr = serve(Options::new().spec("/openapi.json").health("/healthz")).await;
    let answer = send(&addr, &request("GET", "/v1/openapi.json", &[], b""))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let spec: serde_json::Value = serde_json::from_slice(&answer.body).expect("JSON");
    assert_eq!(spec["info"]["title"], "Puppy Shop");
    assert!(spec["paths"]["/puppies"]["get"].is_object());
    let answer = send(&addr, &request("GET", "/v1/healthz", &[], b""))
        .await
        .expect("an answer");
    assert_eq!((answer.status, answer.body.as_slice()), (200, &b"ok"[..]));
    // Off by default; and never over a path of the spec.
    let addr = serve(Options::new().spec("/puppies").health("no-slash")).await;
    let answer = send(&addr, &request("GET", "/v1/openapi.json", &[], b""))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 404);
    still_serving(&addr, "a spec route the spec uses").await;
}

#[tokio::test]
async fn serve_until_stops_gracefully() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let app = axum::Router::new().nest("/v1", puppy_shop::router(Shop::with_sample_puppies()));
    let running = tokio::spawn(server::serve_until(listener, app, async move {
        while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }));
    still_serving(&addr, "starting").await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("stops in time")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err());
}
