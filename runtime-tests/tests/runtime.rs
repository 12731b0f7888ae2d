//! Unit tests of the runtime files: each rule as a function call, and the
//! middleware through `tower::Service` with no socket.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use tower::ServiceExt as _;
use uniapi_runtime_tests::runtime::{api, problem, request, server, violations};

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

async fn body_json(response: axum::response::Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn accept_follows_rfc_9110() {
    assert!(
        api::accepts(&headers(&[]), "application/json"),
        "no Accept takes anything"
    );
    assert!(api::accepts(&headers(&[("accept", " ")]), "text/plain"));
    assert!(api::accepts(&headers(&[("accept", "*/*")]), "image/png"));
    assert!(api::accepts(&headers(&[("accept", "text/*")]), "text/csv"));
    assert!(!api::accepts(
        &headers(&[("accept", "text/*")]),
        "application/json"
    ));
    assert!(api::accepts(
        &headers(&[("accept", "Application/JSON; charset=utf-8")]),
        "application/json"
    ));
    assert!(!api::accepts(
        &headers(&[("accept", "application/json;q=0")]),
        "application/json"
    ));
    assert!(api::accepts(
        &headers(&[("accept", "text/html, application/json;q=0.5")]),
        "application/json"
    ));
}

#[test]
fn error_keeps_the_response_it_came_with() {
    let error = api::Error::UnexpectedStatus {
        status: StatusCode::IM_A_TEAPOT,
        headers: Box::default(),
        body: b"short and stout".to_vec(),
    };
    assert_eq!(error.status(), Some(StatusCode::IM_A_TEAPOT));
    assert_eq!(error.body(), Some(&b"short and stout"[..]));
    assert_eq!(
        error.to_string(),
        "undocumented response status 418 I'm a teapot"
    );
    let other = api::Error::other("boom");
    assert_eq!(other.status(), None);
    assert!(std::error::Error::source(&other).is_some());
}

#[test]
fn strong_etags_are_stable_and_tell_bodies_apart() {
    let a = server::strong_etag(b"{\"id\":1}");
    assert_eq!(a, server::strong_etag(b"{\"id\":1}"));
    assert_ne!(a, server::strong_etag(b"{\"id\":2}"));
    // Same words, other length: the tail and the length both count.
    assert_ne!(
        server::strong_etag(b"12345678"),
        server::strong_etag(b"12345678\0")
    );
    assert_eq!(a.len(), 18);
    assert!(a.starts_with('"') && a.ends_with('"'));
    assert_eq!(server::json_etag(&serde_json::json!({"id": 1})), a);
}

#[test]
fn conditions_are_compared_as_rfc_9110_says() {
    let response = headers(&[
        ("etag", "\"abc\""),
        ("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
    ]);
    let matches = |inm: Option<&str>, ims: Option<&str>| {
        let inm = inm.map(|v| HeaderValue::from_str(v).unwrap());
        let ims = ims.map(|v| HeaderValue::from_str(v).unwrap());
        server::not_modified(inm.as_ref(), ims.as_ref(), &response)
    };
    assert!(matches(Some("\"abc\""), None));
    assert!(matches(Some("W/\"abc\""), None), "weak comparison");
    assert!(matches(Some("\"x\", \"abc\""), None));
    assert!(matches(Some("*"), None));
    assert!(
        !matches(Some("\"x\""), Some("Wed, 21 Oct 2015 07:28:00 GMT")),
        "If-None-Match decides"
    );
    assert!(matches(None, Some("Wed, 21 Oct 2015 07:28:00 GMT")));
    assert!(!matches(None, Some("Tue, 20 Oct 2015 07:28:00 GMT")));
    assert!(!matches(None, Some("not a date")));
    assert!(!matches(None, None));
}

const OPERATIONS: &[server::Operation] = &[
    server::Operation {
        method: "GET",
        route: "/a",
        id: "getA",
        streamed: false,
    },
    server::Operation {
        method: "POST",
        route: "/a",
        id: "postA",
        streamed: false,
    },
    server::Operation {
        method: "PUT",
        route: "/a/{id}",
        id: "putA",
        streamed: true,
    },
    server::Operation {
        method: "GET",
        route: "/b",
        id: "getB",
        streamed: false,
    },
];

#[test]
fn operations_are_found_by_route_and_method() {
    let id =
        |method: Method, route: &str| server::operation(OPERATIONS, &method, route).map(|op| op.id);
    assert_eq!(id(Method::GET, "/a"), Some("getA"));
    assert_eq!(
        id(Method::HEAD, "/a"),
        Some("getA"),
        "HEAD is served by GET"
    );
    assert_eq!(id(Method::POST, "/a"), Some("postA"));
    assert_eq!(
        id(Method::PUT, "/v1/a/{id}"),
        Some("putA"),
        "nested under a prefix"
    );
    assert_eq!(id(Method::DELETE, "/a"), None);
    assert_eq!(id(Method::GET, "/c"), None);
    let mut sorted = OPERATIONS.to_vec();
    sorted.sort_by_key(|op| (op.route, op.method));
    assert_eq!(
        sorted.iter().map(|op| op.id).collect::<Vec<_>>(),
        ["getA", "postA", "putA", "getB"]
    );
}

#[test]
fn request_ids_are_kept_when_sane_and_made_otherwise() {
    let kept = server::request_id(&headers(&[("x-request-id", "abc-123")]));
    assert_eq!(kept, "abc-123");
    let long = "x".repeat(201);
    for bad in ["", long.as_str()] {
        let made = server::request_id(&headers(&[("x-request-id", bad)]));
        assert_eq!(made.len(), 32);
    }
    let (a, b) = (
        server::request_id(&HeaderMap::new()),
        server::request_id(&HeaderMap::new()),
    );
    assert_ne!(a, b);
    assert!(a.to_str().unwrap().bytes().all(|c| c.is_ascii_hexdigit()));
}

fn error_body(problem: &problem::Problem) -> serde_json::Value {
    serde_json::json!({ "code": problem.status.as_u16(), "message": problem.detail })
}

#[tokio::test]
async fn problems_take_the_spec_shape_of_their_status_or_its_range() {
    let shapes: &[(u16, problem::ErrorShape)] = &[(4, ("application/json", error_body))];
    let mut problem = problem::Problem::new(StatusCode::BAD_REQUEST, "the body does not match");
    problem.errors.push(problem::Violation {
        pointer: "/name".into(),
        detail: "is required".into(),
    });
    let response = problem.answer(shapes);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        body_json(response).await,
        serde_json::json!({ "code": 400, "message": "the body does not match; /name: is required" })
    );

    let response = problem::Problem::new(StatusCode::NOT_FOUND, "gone")
        .answer(&[(500, ("application/json", error_body))]);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(
        body_json(response).await,
        serde_json::json!({ "type": "about:blank", "title": "Not Found", "status": 404, "detail": "gone" })
    );
}

#[tokio::test]
async fn bad_parameters_are_each_named() {
    let bad = |detail: &str| Some(problem::Problem::new(StatusCode::BAD_REQUEST, detail));
    let one = request::bad_parameters([("limit", bad("too big")), ("offset", None)]);
    assert_eq!(one.detail, "parameter `limit`: too big");
    let two = request::bad_parameters([("limit", bad("too big")), ("offset", bad("negative"))]);
    assert_eq!(two.detail, "2 parameters are not valid");
    let body = body_json(two.answer(&[])).await;
    assert_eq!(
        body["errors"][1],
        serde_json::json!({ "parameter": "offset", "detail": "negative" })
    );
}

#[test]
fn parameters_are_read_in_their_styles() {
    assert_eq!(request::parse::<i64>("42").unwrap(), 42);
    assert_eq!(
        request::parse::<i64>("4x").unwrap_err().status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(request::parse_each::<u8>(vec!["1", "2"]).unwrap(), [1, 2]);
    assert_eq!(request::strip_lead(";id=5", ";id=").unwrap(), "5");
    assert_eq!(
        request::strip_lead(";id", ";id=").unwrap(),
        "",
        "`;name` alone is empty"
    );
    assert!(request::strip_lead("5", ".").is_err());
    assert_eq!(request::unstyle(".a.b", ".", "", ".").unwrap(), ["a", "b"]);
    assert_eq!(request::unstyle("a,b", "", "", ",").unwrap(), ["a", "b"]);
    assert_eq!(
        request::unstyle(";id=3;id=4", "", ";id=", "").unwrap(),
        ["3", "4"]
    );
    assert!(request::unstyle("x;id=3", "", ";id=", "").is_err());
    assert_eq!(
        request::unstyle("", "", "", ",").unwrap(),
        Vec::<&str>::new()
    );
    assert_eq!(
        request::pairs(vec!["a", "1", "b", "2"], false).unwrap(),
        [("a", "1"), ("b", "2")]
    );
    assert_eq!(
        request::pairs(vec!["a=1", "b=2"], true).unwrap(),
        [("a", "1"), ("b", "2")]
    );
    assert!(request::pairs(vec!["a", "1", "b"], false).is_err());
    assert_eq!(
        request::split_segment("v1.2-beta", &["v", ".", "-", ""], 3).unwrap(),
        ["1", "2", "beta"]
    );
    assert_eq!(
        request::split_segment("x1", &["v", ""], 1)
            .unwrap_err()
            .status,
        StatusCode::NOT_FOUND
    );
    let query = vec![
        ("filter[name]".to_owned(), "rex".to_owned()),
        ("filter[age]".to_owned(), "3".to_owned()),
        ("tag".to_owned(), "a".to_owned()),
        ("tag".to_owned(), "b".to_owned()),
    ];
    assert_eq!(
        request::deep_object(&query, "filter").unwrap(),
        [("name", "rex"), ("age", "3")]
    );
    assert_eq!(request::query_values(&query, "tag").unwrap(), ["a", "b"]);
    assert_eq!(request::query_value(&query, "tag"), Some("a"));
    assert_eq!(request::query_value(&query, "none"), None);
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Filter {
        name: String,
        age: u8,
    }
    let filter: Filter = request::object_param(vec![("name", "rex"), ("age", "3")]).unwrap();
    assert_eq!(
        filter,
        Filter {
            name: "rex".into(),
            age: 3
        }
    );
    assert!(request::object_param::<Filter>(vec![("name", "rex"), ("age", "old")]).is_err());
    let cookies = request::cookies(&headers(&[("cookie", "a=1; b=2"), ("cookie", "c=3")]));
    assert_eq!(request::cookie_value(&cookies, "c"), Some("3"));
    assert_eq!(request::cookie_value(&cookies, "b"), Some("2"));
    let missing = request::required::<u8>(None, "query", "limit").unwrap_err();
    assert_eq!(missing.detail, "missing required query parameter `limit`");
    assert_eq!(
        request::required::<u8>(None, "body", "")
            .unwrap_err()
            .detail,
        "the request body is required"
    );
    assert!(request::header_value(&headers(&[("x-v", " 7 ")]), "x-v").unwrap() == Some("7"));
}

struct Pet;

impl violations::Violations for Pet {
    fn violations(value: &serde_json::Value, at: &mut String, out: &mut Vec<problem::Violation>) {
        let Some(object) = violations::members(value, at, out) else {
            return;
        };
        violations::property::<Text>(object, "name", true, at, out);
        violations::property::<Vec<Text>>(object, "a/b~c", false, at, out);
    }
}

/// A string property, as a generated crate's impl for `String` reads it.
struct Text;

impl violations::Violations for Text {
    fn violations(value: &serde_json::Value, at: &mut String, out: &mut Vec<problem::Violation>) {
        violations::leaf::<String>(value, at, out)
    }
}

#[test]
fn every_violation_of_a_json_body_is_listed_with_its_pointer() {
    let bytes = br#"{"a/b~c": ["x", 3]}"#;
    let error = serde_json::from_slice::<serde_json::Value>(b"{").unwrap_err();
    let problem = request::invalid_json(bytes, error, <Pet as violations::Violations>::violations);
    let found: Vec<(&str, &str)> = problem
        .errors
        .iter()
        .map(|v| (v.pointer.as_str(), v.detail.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0], ("/name", "is required"));
    assert_eq!(found[1].0, "/a~1b~0c/1");
    let not_json = request::invalid_json(
        b"{",
        serde_json::from_slice::<serde_json::Value>(b"{").unwrap_err(),
        <Pet as violations::Violations>::violations,
    );
    assert!(not_json.detail.starts_with("the body is not JSON"));
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_wherever_its_error_goes() {
    let limited = Body::new(http_body_util::Limited::new(Body::from("xx"), 1));
    let read = axum::body::to_bytes(limited, usize::MAX).await.unwrap_err();
    let wrapped = api::Error::other(read);
    assert!(request::over_limit(&wrapped));
    assert!(!request::over_limit(&api::Error::other("other")));
    let response = request::respond::<StatusCode>(Err(wrapped), &[]);
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = request::respond::<StatusCode>(Err(api::Error::other("boom")), &[]);
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

/// A handler that reads its body as generated parsers do.
async fn length(request: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    match request::read_body(request.into_body()).await {
        Ok(body) => body.map_or(0, |b| b.len()).to_string().into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn buggy() -> &'static str {
    panic!("handler bug")
}

/// A router as a generated crate makes it: the spec's routes, then
/// `finish`.
fn router() -> axum::Router {
    let routes = axum::Router::new()
        .route(
            "/a",
            axum::routing::get(|| async { ([(header::ETAG, "\"v1\"")], "hello") }),
        )
        .route("/a", axum::routing::post(length))
        .route("/b", axum::routing::get(buggy));
    let options = server::Options::new()
        .body_limit(16)
        .spec("/openapi.json")
        .health("/healthz");
    server::finish(routes, options, OPERATIONS, r#"{"openapi":"3.0.3"}"#)
}

async fn call(request: Request<Body>) -> axum::response::Response {
    router().oneshot(request).await.unwrap()
}

#[tokio::test]
async fn the_middleware_ids_bounds_and_guards_every_request() {
    let response = call(
        Request::get("/a")
            .header("x-request-id", "r-1")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "r-1");

    let response = call(
        Request::get("/a")
            .header("if-none-match", "W/\"v1\"")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);

    let response = call(
        Request::post("/a")
            .body(Body::from("x".repeat(16)))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "at the limit");
    let response = call(
        Request::post("/a")
            .body(Body::from("x".repeat(17)))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );

    let response = call(Request::get("/b").body(Body::empty()).unwrap()).await;
    assert_eq!(
        response.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "a panic is a 500"
    );

    let response = call(Request::delete("/a").body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "GET,HEAD,POST");

    let response = call(Request::get("/nothing").body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_json(response).await["detail"], "no such resource");

    let response = call(Request::get("/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(
        body_json(response).await,
        serde_json::json!({"openapi": "3.0.3"})
    );
    let response = call(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn bodies_are_checked_before_they_are_read() {
    let patch = headers(&[("content-type", "application/merge-patch+json")]);
    let json = request::json_body::<serde_json::Value>(&patch, Body::from("{}")).await;
    assert_eq!(json.unwrap(), Some(serde_json::json!({})));
    let plain = headers(&[("content-type", "text/plain")]);
    let wrong = request::json_body::<serde_json::Value>(&plain, Body::from("{}")).await;
    assert_eq!(
        wrong.unwrap_err().status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let none = HeaderMap::new();
    let empty = request::json_body::<serde_json::Value>(&none, Body::empty()).await;
    assert_eq!(empty.unwrap(), None);
    let text = request::text_body(&plain, Body::from(vec![0xff]), "text/plain").await;
    assert_eq!(text.unwrap_err().status, StatusCode::BAD_REQUEST);
    let form = headers(&[(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    )]);
    let read = request::form_body::<Vec<(String, String)>>(&form, Body::from("a=1&b=x+y")).await;
    assert_eq!(
        read.unwrap().unwrap()[1],
        ("b".to_owned(), "x y".to_owned())
    );
    assert!(
        request::check_accept(&headers(&[("accept", "text/html")]), &["application/json"]).is_err()
    );
    assert!(request::check_accept(&headers(&[("accept", "*/*")]), &["application/json"]).is_ok());
    assert_eq!(
        request::media_type(&headers(&[("content-type", "Text/Plain; q=1")])),
        "text/plain"
    );
}
