//! The limits of `server.rs` ([`server::Options`]: head size, header count,
//! URL length, request timeout, requests in flight) and its CORS, over real
//! sockets: `axum::serve` (hyper) on 127.0.0.1 with a `finish`ed router,
//! and a client that writes HTTP/1.1 by hand, so that each request carries
//! exactly the headers a test counts.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::response::IntoResponse as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use uniapi_runtime_tests::runtime::{request, server, stream_server};

/// Sorted by route, then method.
const OPERATIONS: &[server::Operation] = &[
    operation("POST", "/echo", "echo", false),
    operation("GET", "/events", "events", false),
    operation("GET", "/hold", "hold", false),
    operation("DELETE", "/ok", "deleteOk", false),
    operation("GET", "/ok", "ok", false),
    operation("GET", "/slow", "slow", false),
    operation("POST", "/upload", "upload", true),
];

const fn operation(
    method: &'static str,
    route: &'static str,
    id: &'static str,
    streamed: bool,
) -> server::Operation {
    server::Operation {
        method,
        route,
        id,
        streamed,
    }
}

/// What the handlers share with a test.
struct Shared {
    /// Requests that have reached `/hold`.
    held: AtomicUsize,
    /// `/hold` waits for a permit of this (none at first).
    gate: tokio::sync::Semaphore,
    /// Set when a `/slow` handler is dropped before it is done.
    stopped: AtomicBool,
}

/// Sets [`Shared::stopped`] unless defused.
struct Stopped(Arc<Shared>, bool);

impl Drop for Stopped {
    fn drop(&mut self) {
        if !self.1 {
            self.0.stopped.store(true, Ordering::SeqCst);
        }
    }
}

/// The number after `ms=` in the query, or 0.
fn millis(request: &axum::extract::Request) -> u64 {
    request
        .uri()
        .query()
        .and_then(|q| q.strip_prefix("ms="))
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(0)
}

/// The spec's routes, as generated: `/ok` answers at once, `/slow?ms=N`
/// after N ms, `/hold` when the test opens the gate, `/events` streams
/// three events 100 ms apart (the second one only once the gate opens if
/// `?gate`), `/echo` and `/upload` (streamed) answer their body's length.
fn routes(shared: &Arc<Shared>) -> axum::Router {
    let hold = shared.clone();
    let slow = shared.clone();
    let events = shared.clone();
    axum::Router::new()
        .route(
            "/ok",
            axum::routing::get(|| async { "ok" }).delete(|| async { "deleted" }),
        )
        .route(
            "/slow",
            axum::routing::get(move |request: axum::extract::Request| {
                let shared = slow.clone();
                async move {
                    let mut guard = Stopped(shared, false);
                    tokio::time::sleep(Duration::from_millis(millis(&request))).await;
                    guard.1 = true;
                    "slept"
                }
            }),
        )
        .route(
            "/hold",
            axum::routing::get(move || {
                let shared = hold.clone();
                async move {
                    shared.held.fetch_add(1, Ordering::SeqCst);
                    shared.gate.acquire().await.unwrap().forget();
                    "held"
                }
            }),
        )
        .route(
            "/events",
            axum::routing::get(move |request: axum::extract::Request| {
                let shared = events.clone();
                let gated = request.uri().query() == Some("gate");
                async move {
                    let events = futures_util::stream::unfold(0, move |n| {
                        let shared = shared.clone();
                        async move {
                            if n == 3 {
                                return None;
                            }
                            if n > 0 {
                                tokio::time::sleep(Duration::from_millis(100)).await;
                            }
                            if n == 1 && gated {
                                shared.gate.acquire().await.unwrap().forget();
                            }
                            let event = bytes::Bytes::from(format!("data: {n}\n\n"));
                            Some((Ok::<_, std::convert::Infallible>(event), n + 1))
                        }
                    });
                    (
                        [(axum::http::header::CONTENT_TYPE, "text/event-stream")],
                        axum::body::Body::from_stream(events),
                    )
                }
            }),
        )
        .route("/echo", axum::routing::post(length))
        .route(
            "/upload",
            axum::routing::post(|request: axum::extract::Request| async move {
                use futures_util::StreamExt as _;
                let mut total = 0;
                if let Some(mut body) = stream_server::stream_body(request.into_body()) {
                    while let Some(Ok(chunk)) = body.next().await {
                        total += chunk.len();
                    }
                }
                total.to_string()
            }),
        )
}

/// Reads the body whole, as generated parsers do, and answers its length.
async fn length(request: axum::extract::Request) -> axum::response::Response {
    match request::read_body(request.into_body()).await {
        Ok(body) => body.map_or(0, |b| b.len()).to_string().into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// Serves the routes, `finish`ed with `options`, on a fresh port.
async fn serve(options: server::Options) -> (SocketAddr, Arc<Shared>) {
    let shared = Arc::new(Shared {
        held: AtomicUsize::new(0),
        gate: tokio::sync::Semaphore::new(0),
        stopped: AtomicBool::new(false),
    });
    let app = server::finish(routes(&shared), options, OPERATIONS, "{}");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, shared)
}

/// A response as read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body of a problem, checked to be one of `status`.
    fn problem(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(self.header("x-content-type-options"), Some("nosniff"));
        let body: serde_json::Value = serde_json::from_str(&self.body).unwrap();
        assert_eq!(body["status"], status);
        body
    }
}

/// A request's head: the request line, `host`, then `headers`.
fn head(line: &str, headers: &[(&str, &str)]) -> String {
    let mut head = format!("{line} HTTP/1.1\r\nhost: t\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Reads one response with a `Content-Length` (or none, for an empty body).
async fn read_answer(socket: &mut TcpStream) -> Answer {
    let mut buf = Vec::new();
    let end = read_until(socket, &mut buf, b"\r\n\r\n").await;
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse::<usize>().unwrap());
    let mut chunk = [0u8; 4096];
    while buf.len() < end + length {
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the connection closed within the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[end..end + length]).into_owned();
    Answer {
        status,
        headers,
        body,
    }
}

/// Reads into `buf` until it holds `marker`; the index just after it.
async fn read_until(socket: &mut TcpStream, buf: &mut Vec<u8>, marker: &[u8]) -> usize {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(at) = buf.windows(marker.len()).position(|w| w == marker) {
            return at + marker.len();
        }
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "closed before {:?}: {:?}",
            String::from_utf8_lossy(marker),
            String::from_utf8_lossy(buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Sends `head` on a new connection and reads the answer.
async fn send(addr: SocketAddr, head: &str) -> Answer {
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket.write_all(head.as_bytes()).await.unwrap();
    read_answer(&mut socket).await
}

/// `GET /ok` is answered: the server still serves after a refusal.
async fn still_serves(addr: SocketAddr) {
    let answer = send(addr, &head("GET /ok", &[])).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "ok"));
}

/// Whether the server closes `socket` (within a second).
async fn closed(socket: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(Duration::from_secs(1), socket.read(&mut byte)).await,
        Ok(Ok(0) | Err(_))
    )
}

/// `count` headers `x-fN: 1` beside `host`.
fn fields(count: usize) -> Vec<(String, &'static str)> {
    (0..count).map(|i| (format!("x-f{i}"), "1")).collect()
}

fn borrowed<'a>(fields: &'a [(String, &'static str)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(n, v)| (n.as_str(), *v)).collect()
}

#[tokio::test]
async fn headers_are_counted_and_measured() {
    let options = server::Options::new()
        .header_count_limit(Some(10))
        .header_limit(Some(1000));
    let (addr, _) = serve(options).await;

    // `host` and 9 more: 10 fields.
    let at = fields(9);
    let answer = send(addr, &head("GET /ok", &borrowed(&at))).await;
    assert_eq!(answer.status, 200, "10 fields are at the limit");
    let over = fields(10);
    let answer = send(addr, &head("GET /ok", &borrowed(&over))).await;
    let problem = answer.problem(431);
    assert_eq!(
        problem["detail"],
        "the request has more than 10 header fields"
    );
    assert!(answer.header("x-request-id").is_some());
    still_serves(addr).await;

    // `host: t` is 5 bytes of name and value, `x-fill` 6 more.
    let fill = "v".repeat(1000 - 5 - 6);
    let answer = send(addr, &head("GET /ok", &[("x-fill", &fill)])).await;
    assert_eq!(answer.status, 200, "1000 bytes are at the limit");
    let fill = "v".repeat(1000 - 5 - 6 + 1);
    let answer = send(addr, &head("GET /ok", &[("x-fill", &fill)])).await;
    let problem = answer.problem(431);
    assert_eq!(
        problem["detail"],
        "the request's header fields are larger than 1000 bytes"
    );
    still_serves(addr).await;
}

#[tokio::test]
async fn the_default_limits_refuse_a_200_kb_header_and_a_long_url() {
    let (addr, _) = serve(server::Options::new()).await;

    let fill = "v".repeat(200_000);
    let answer = send(addr, &head("GET /ok", &[("cookie", &fill)])).await;
    answer.problem(431);
    still_serves(addr).await;
    let fill = "v".repeat(server::HEADER_LIMIT - 5 - "cookie".len());
    let answer = send(addr, &head("GET /ok", &[("cookie", &fill)])).await;
    assert_eq!(answer.status, 200, "64 KiB are at the limit");

    // The URL: path and query.
    let query = "q".repeat(server::URL_LIMIT - "/ok?".len());
    let answer = send(addr, &head(&format!("GET /ok?{query}"), &[])).await;
    assert_eq!(answer.status, 200, "8 KiB are at the limit");
    let answer = send(addr, &head(&format!("GET /ok?{query}q"), &[])).await;
    let problem = answer.problem(414);
    assert_eq!(problem["detail"], "the URL is longer than 8192 bytes");
    still_serves(addr).await;

    // 100 fields pass; hyper itself refuses more, before the router.
    let at = fields(server::HEADER_COUNT_LIMIT - 1);
    let answer = send(addr, &head("GET /ok", &borrowed(&at))).await;
    assert_eq!(answer.status, 200, "100 fields are at the limit");
    let over = fields(server::HEADER_COUNT_LIMIT);
    let answer = send(addr, &head("GET /ok", &borrowed(&over))).await;
    assert_eq!(answer.status, 431);
    still_serves(addr).await;
}

#[tokio::test]
async fn head_limits_of_none_check_nothing() {
    let options = server::Options::new()
        .header_limit(None)
        .header_count_limit(None)
        .url_limit(None);
    let (addr, _) = serve(options).await;
    let fill = "v".repeat(200_000);
    let answer = send(addr, &head("GET /ok", &[("cookie", &fill)])).await;
    assert_eq!(answer.status, 200);
    let query = "q".repeat(20_000);
    let answer = send(addr, &head(&format!("GET /ok?{query}"), &[])).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn urls_are_measured_with_their_query() {
    let (addr, _) = serve(server::Options::new().url_limit(Some(100))).await;
    let query = "q".repeat(100 - "/ok?".len());
    let answer = send(addr, &head(&format!("GET /ok?{query}"), &[])).await;
    assert_eq!(answer.status, 200, "100 bytes are at the limit");
    let answer = send(addr, &head(&format!("GET /ok?{query}q"), &[])).await;
    answer.problem(414);
    still_serves(addr).await;
}

#[tokio::test]
async fn a_handler_too_slow_for_its_head_gets_408_but_streams_are_not_cut() {
    let options = server::Options::new().request_timeout(Some(Duration::from_millis(150)));
    let (addr, shared) = serve(options).await;

    let answer = send(addr, &head("GET /slow?ms=20", &[])).await;
    assert_eq!(answer.status, 200, "within the timeout");

    let started = Instant::now();
    let mut socket = TcpStream::connect(addr).await.unwrap();
    let request = head("GET /slow?ms=1000", &[]);
    socket.write_all(request.as_bytes()).await.unwrap();
    let answer = read_answer(&mut socket).await;
    let problem = answer.problem(408);
    assert_eq!(
        problem["detail"],
        "the request was not answered within 150 ms"
    );
    assert!(started.elapsed() < Duration::from_millis(900));
    assert_eq!(answer.header("connection"), Some("close"));
    assert!(closed(&mut socket).await, "the connection is closed");
    assert!(shared.stopped.load(Ordering::SeqCst), "the handler stopped");
    still_serves(addr).await;

    // Its head out at once, the stream goes on for 200 ms more.
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(head("GET /events", &[]).as_bytes())
        .await
        .unwrap();
    let mut buf = Vec::new();
    read_until(&mut socket, &mut buf, b"data: 2\n\n").await;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");

    // Reading the body counts: one that does not come gets 408 too.
    let mut socket = TcpStream::connect(addr).await.unwrap();
    let request = head("POST /echo", &[("content-length", "5")]);
    socket.write_all(request.as_bytes()).await.unwrap();
    read_answer(&mut socket).await.problem(408);

    // A streamed upload is not timed.
    let mut socket = TcpStream::connect(addr).await.unwrap();
    let request = head("POST /upload", &[("content-length", "5")]);
    socket.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    socket.write_all(b"hello").await.unwrap();
    let answer = read_answer(&mut socket).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "5"));
}

#[tokio::test]
async fn a_timeout_of_none_waits_for_the_handler() {
    let (addr, _) = serve(server::Options::new().request_timeout(None)).await;
    let answer = send(addr, &head("GET /slow?ms=300", &[])).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "slept"));
    // One too long to add to an instant is none either.
    let options = server::Options::new().request_timeout(Some(Duration::MAX));
    let (addr, _) = serve(options).await;
    let answer = send(addr, &head("GET /slow?ms=10", &[])).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "slept"));
}

/// Waits until `count` requests have reached `/hold`.
async fn held(shared: &Shared, count: usize) {
    let waited = Instant::now();
    while shared.held.load(Ordering::SeqCst) < count {
        assert!(waited.elapsed() < Duration::from_secs(5), "not held");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn requests_over_the_limit_in_flight_get_503_at_once() {
    let (addr, shared) = serve(server::Options::new().in_flight_limit(Some(2))).await;
    let holding: Vec<_> = (0..2)
        .map(|_| tokio::spawn(async move { send(addr, &head("GET /hold", &[])).await }))
        .collect();
    held(&shared, 2).await;

    let started = Instant::now();
    let answer = send(addr, &head("GET /ok", &[])).await;
    assert!(started.elapsed() < Duration::from_millis(500), "not queued");
    let problem = answer.problem(503);
    assert_eq!(problem["detail"], "the server is busy; try again shortly");
    assert_eq!(answer.header("retry-after"), Some("1"));

    shared.gate.add_permits(2);
    for answer in holding {
        let answer = answer.await.unwrap();
        assert_eq!((answer.status, answer.body.as_str()), (200, "held"));
    }
    still_serves(addr).await;
}

#[tokio::test]
async fn a_stream_counts_in_flight_only_until_its_head_is_out() {
    let (addr, shared) = serve(server::Options::new().in_flight_limit(Some(1))).await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(head("GET /events?gate", &[]).as_bytes())
        .await
        .unwrap();
    let mut buf = Vec::new();
    read_until(&mut socket, &mut buf, b"data: 0\n\n").await;
    // The stream waits at the gate.
    still_serves(addr).await;
    shared.gate.add_permits(1);
    read_until(&mut socket, &mut buf, b"data: 2\n\n").await;
}

#[tokio::test]
async fn no_limit_in_flight_admits_any_number() {
    let (addr, shared) = serve(server::Options::new().in_flight_limit(None)).await;
    let holding: Vec<_> = (0..3)
        .map(|_| tokio::spawn(async move { send(addr, &head("GET /hold", &[])).await }))
        .collect();
    held(&shared, 3).await;
    still_serves(addr).await;
    shared.gate.add_permits(3);
    for answer in holding {
        assert_eq!(answer.await.unwrap().status, 200);
    }
}

const APP: &str = "https://app.example";

#[tokio::test]
async fn cors_answers_preflights_from_listed_origins() {
    let cors = server::Cors::origins(["https://App.example/"]).credentials(true);
    let (addr, _) = serve(server::Options::new().cors(cors)).await;

    let preflight = |origin: &'static str| {
        head(
            "OPTIONS /ok",
            &[
                ("origin", origin),
                ("access-control-request-method", "DELETE"),
                (
                    "access-control-request-headers",
                    "authorization,content-type",
                ),
            ],
        )
    };
    let answer = send(addr, &preflight(APP)).await;
    assert_eq!(answer.status, 200, "before the 405 of routing");
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        answer.header("access-control-allow-credentials"),
        Some("true")
    );
    let methods = answer.header("access-control-allow-methods").unwrap();
    let methods: Vec<&str> = methods.split(',').map(str::trim).collect();
    assert_eq!(methods, ["POST", "GET", "DELETE"], "the spec's methods");
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("authorization,content-type")
    );
    assert_eq!(answer.header("access-control-max-age"), Some("600"));
    assert!(answer.header("vary").unwrap().contains("origin"));

    let answer = send(addr, &preflight("https://evil.example")).await;
    assert_eq!(answer.header("access-control-allow-origin"), None);

    let answer = send(addr, &head("GET /ok", &[("origin", APP)])).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "ok"));
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        answer.header("access-control-allow-credentials"),
        Some("true")
    );
    let exposed = answer.header("access-control-expose-headers").unwrap();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert!(exposed.contains("retry-after"), "{exposed}");

    let answer = send(
        addr,
        &head("GET /ok", &[("origin", "https://evil.example")]),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), None);

    // The middleware's refusals carry them too, for the page to read.
    let query = "q".repeat(server::URL_LIMIT);
    let answer = send(addr, &head(&format!("GET /ok?{query}"), &[("origin", APP)])).await;
    answer.problem(414);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
}

#[tokio::test]
async fn cors_for_any_origin_sends_no_credentials() {
    let cors = server::Cors::any_origin()
        .credentials(true)
        .methods(["GET"])
        .headers(["Authorization"])
        .max_age(None);
    let (addr, _) = serve(server::Options::new().cors(cors)).await;
    let answer = send(addr, &head("GET /ok", &[("origin", APP)])).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.header("access-control-allow-credentials"), None);
    assert_eq!(answer.header("access-control-expose-headers"), Some("*"));

    let request = head(
        "OPTIONS /ok",
        &[("origin", APP), ("access-control-request-method", "GET")],
    );
    let answer = send(addr, &request).await;
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.header("access-control-allow-methods"), Some("GET"));
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("authorization")
    );
    assert_eq!(answer.header("access-control-max-age"), None);
}

#[tokio::test]
async fn cors_with_credentials_leaves_out_wildcards() {
    let cors = server::Cors::origins([APP])
        .credentials(true)
        .methods(["*", "PUT"])
        .headers(["*"])
        .expose(["*", "x-request-id"]);
    let (addr, _) = serve(server::Options::new().cors(cors)).await;
    let request = head(
        "OPTIONS /ok",
        &[
            ("origin", APP),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "authorization"),
        ],
    );
    let answer = send(addr, &request).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(answer.header("access-control-allow-methods"), Some("PUT"));
    assert_eq!(
        answer.header("access-control-allow-headers"),
        None,
        "authorization is not allowed"
    );
    let answer = send(addr, &head("GET /ok", &[("origin", APP)])).await;
    assert_eq!(
        answer.header("access-control-expose-headers"),
        Some("x-request-id")
    );

    // `*` among the origins is any origin, without credentials.
    let cors = server::Cors::origins(["https://a.example", "*"]).credentials(true);
    let (addr, _) = serve(server::Options::new().cors(cors)).await;
    let answer = send(addr, &head("GET /ok", &[("origin", APP)])).await;
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.header("access-control-allow-credentials"), None);
}

#[tokio::test]
async fn without_cors_a_preflight_is_a_405() {
    let (addr, _) = serve(server::Options::new()).await;
    let request = head(
        "OPTIONS /ok",
        &[("origin", APP), ("access-control-request-method", "DELETE")],
    );
    let answer = send(addr, &request).await;
    answer.problem(405);
    assert_eq!(answer.header("access-control-allow-origin"), None);
}
