//! Unit tests of the runtime files: each rule as a function call, and the
//! middleware through `tower::Service` with no socket.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
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

mod types {
    //! A struct as a generated `types` module writes its serde impls.
    use uniapi_runtime_tests::runtime::object;

    #[derive(Debug, PartialEq)]
    pub struct Pet {
        pub name: String,
        pub age: i64,
        pub tag: Option<String>,
        pub extra: std::collections::BTreeMap<String, serde_json::Value>,
    }

    impl serde::Serialize for Pet {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = object::Writer::new(serializer)?;
            map.entry("name", &self.name);
            map.entry("age", &self.age);
            map.optional("tag", &self.tag);
            for (key, value) in &self.extra {
                map.entry(key, value);
            }
            map.end()
        }
    }

    impl<'de> serde::Deserialize<'de> for Pet {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_map(object::Visitor::<Self>::new())
        }
    }

    impl<'de> object::Read<'de> for Pet {
        const EXPECTING: &'static str = "a Pet object";

        fn read<M: serde::de::MapAccess<'de>>(mut map: M) -> Result<Self, M::Error> {
            let (mut name, mut age, mut tag) = (None, None, None);
            let mut extra = std::collections::BTreeMap::new();
            while let Some(key) = map.next_key::<object::Key<'de>>()? {
                match key.as_str() {
                    "name" => object::field(&mut map, &mut name, "name"),
                    "age" => object::field(&mut map, &mut age, "age"),
                    "tag" => object::field(&mut map, &mut tag, "tag"),
                    _ => object::other(&mut map, &mut extra, key),
                }?;
            }
            let absent = object::absent(&[("name", name.is_none()), ("age", age.is_none())]);
            match (name, age) {
                (Some(name), Some(age)) => Ok(Pet {
                    name,
                    age,
                    tag,
                    extra,
                }),
                _ => Err(object::missing(absent)),
            }
        }
    }
}

#[test]
fn structs_read_and_write_objects_property_by_property() {
    let pet: types::Pet =
        serde_json::from_str(r#"{"age": 3, "name": "Rex", "colour": "brown"}"#).unwrap();
    assert_eq!(pet.tag, None);
    assert_eq!(pet.extra["colour"], "brown");
    assert_eq!(
        serde_json::to_string(&pet).unwrap(),
        r#"{"name":"Rex","age":3,"colour":"brown"}"#,
        "an absent optional property is left out"
    );
    let missing = serde_json::from_str::<types::Pet>(r#"{"age": 3}"#).unwrap_err();
    assert!(
        missing.to_string().contains("missing field `name`"),
        "{missing}"
    );
    let twice =
        serde_json::from_str::<types::Pet>(r#"{"name": "a", "name": "b", "age": 1}"#).unwrap_err();
    assert!(
        twice.to_string().contains("duplicate field `name`"),
        "{twice}"
    );
    let wrong = serde_json::from_str::<types::Pet>("[]").unwrap_err();
    assert!(wrong.to_string().contains("a Pet object"), "{wrong}");
}

#[test]
fn unknown_enum_values_are_errors_unless_read_leniently() {
    use uniapi_runtime_tests::runtime::values;
    let strict = values::unknown("purple", || "Unknown");
    assert_eq!(strict.unwrap_err().to_string(), "unknown value `purple`");
    let lenient = values::lenient(|| values::unknown("purple", || "Unknown"));
    assert_eq!(lenient, Ok("Unknown"));
    // Only inside `lenient`, and nested calls restore what was before.
    values::lenient(|| values::lenient(|| ()));
    assert!(values::unknown("purple", || ()).is_err());
}

/// An int64 that travels as text: written as a string, read from a
/// string or a number, and refused past the range of `i64`.
#[test]
fn int64_text_round_trips_as_a_string() {
    use uniapi_runtime_tests::runtime::int64::Int64;
    let big = Int64(9_007_199_254_740_993);
    assert_eq!(serde_json::to_string(&big).unwrap(), "\"9007199254740993\"");
    assert_eq!(
        serde_json::from_str::<Int64>("\"9007199254740993\"").unwrap(),
        big
    );
    assert_eq!(serde_json::from_str::<Int64>("-42").unwrap(), Int64(-42));
    assert!(serde_json::from_str::<Int64>("\"12.5\"").is_err());
    assert!(serde_json::from_str::<Int64>("9223372036854775808").is_err());
    assert!(serde_json::from_str::<Int64>("true").is_err());
    assert_eq!("7".parse::<Int64>().unwrap().to_string(), "7");
    assert_eq!(*Int64::from(3), 3);
}

mod client {
    //! The client's runtime against a real server on 127.0.0.1.
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use uniapi_runtime_tests::runtime::client::{self, Cache, Call, Client, Retry};
    use uniapi_runtime_tests::Context;

    #[test]
    fn retry_delays_grow_with_jitter_up_to_the_cap() {
        let retry = Retry::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        for attempt in 1..=8 {
            let full =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_secs(1));
            let delay = retry.delay(attempt);
            assert!(
                delay >= full / 2 && delay <= full,
                "attempt {attempt}: {delay:?} not in [{:?}, {full:?}]",
                full / 2
            );
        }
        assert_eq!(Retry::none().attempts(), 1);
        assert_eq!(
            Retry::default().max_attempts(0).attempts(),
            1,
            "at least once"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", " 7 ".parse().unwrap());
        assert_eq!(client::retry_after(&headers), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        headers.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let wait = client::retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        headers.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(
            client::retry_after(&headers),
            Some(Duration::ZERO),
            "a past date waits not at all"
        );
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(client::retry_after(&headers), None);
    }

    #[test]
    fn cache_keys_hold_every_header_but_the_request_id() {
        let mut a = reqwest::header::HeaderMap::new();
        a.insert("authorization", "Bearer one".parse().unwrap());
        a.insert("x-request-id", "1".parse().unwrap());
        let mut b = a.clone();
        b.insert("x-request-id", "2".parse().unwrap());
        assert_eq!(
            client::cache_key("http://h/a", &a),
            client::cache_key("http://h/a", &b)
        );
        b.insert("authorization", "Bearer two".parse().unwrap());
        assert_ne!(
            client::cache_key("http://h/a", &a),
            client::cache_key("http://h/a", &b),
            "callers never share"
        );
    }

    #[test]
    fn parameters_are_written_in_their_styles() {
        assert_eq!(client::percent_encode("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(client::encode_reserved("a/b?c&d#e"), "a/b?c%26d%23e");
        let parts = client::parts(&[1, 2, 3], client::verbatim);
        assert_eq!(client::styled(&parts, ".", "", "."), ".1.2.3");
        assert_eq!(client::styled(&parts, "", ";id=", ""), ";id=1;id=2;id=3");
        let pairs = vec![
            ("a".to_owned(), "x y".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ];
        assert_eq!(
            client::object_parts(pairs.clone(), true, client::percent_encode),
            ["a=x%20y", "b=2"]
        );
        assert_eq!(
            client::object_parts(pairs, false, client::verbatim),
            ["a", "x y", "b", "2"]
        );
        let mut query = String::new();
        client::push_query(&mut query, "a", "1");
        client::push_query(&mut query, "b", "2");
        assert_eq!(query, "a=1&b=2");
        let mut cookies = String::new();
        client::push_cookie(&mut cookies, "s", &1);
        client::push_cookie(&mut cookies, "t", &"x");
        assert_eq!(cookies, "s=1; t=x");
    }

    /// A server that answers 503 (`Retry-After: 0`) to its first
    /// `failures` requests, then 200 with a cacheable body, counting all.
    async fn server(failures: usize) -> (String, Arc<AtomicUsize>) {
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let app = axum::Router::new().route(
            "/thing",
            axum::routing::get(move |headers: axum::http::HeaderMap| {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                async move {
                    use axum::response::IntoResponse as _;
                    if n < failures {
                        return (
                            axum::http::StatusCode::SERVICE_UNAVAILABLE,
                            [("retry-after", "0")],
                            "busy",
                        )
                            .into_response();
                    }
                    let id = headers
                        .get("x-request-id")
                        .map(|v| v.to_str().unwrap_or("").len())
                        .unwrap_or(0);
                    (
                        [("cache-control", "max-age=60"), ("etag", "\"1\"")],
                        id.to_string(),
                    )
                        .into_response()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, seen)
    }

    fn get<'a>(client: &Client<()>, context: &'a Context) -> Call<'a> {
        Call {
            operation: "getThing",
            template: "/thing",
            method: reqwest::Method::GET,
            url: format!("{}/thing", client.base_url()),
            query: String::new(),
            headers: reqwest::header::HeaderMap::new(),
            cookies: String::new(),
            body: None,
            streams: false,
            token: None,
            idempotency_key: None,
            context,
        }
    }

    #[tokio::test]
    async fn a_busy_server_is_tried_again_and_a_fresh_answer_comes_from_the_cache() {
        let (url, seen) = server(2).await;
        let client: Client<()> = Client::builder(format!("{url}/"))
            .cache(Cache::new(10))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), url, "no trailing slash");
        let context = Context::default();
        let response = client.send(get(&client, &context)).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.text().await.unwrap(),
            "32",
            "a request id of 32 digits was sent"
        );
        assert_eq!(seen.load(Ordering::SeqCst), 3, "two 503s, then the answer");
        let again = client.send(get(&client, &context)).await.unwrap();
        assert_eq!(again.status(), 200);
        assert_eq!(
            seen.load(Ordering::SeqCst),
            3,
            "the second call is answered by the cache"
        );
        assert_eq!(client.cache().map(Cache::len), Some(1));
    }

    #[tokio::test]
    async fn retries_stop_at_the_last_attempt() {
        let (url, seen) = server(usize::MAX).await;
        let client: Client<()> = Client::builder(url)
            .retry(Retry::default().max_attempts(2))
            .build()
            .unwrap();
        let context = Context::default();
        let response = client.send(get(&client, &context)).await.unwrap();
        assert_eq!(response.status(), 503, "the last answer is returned");
        assert_eq!(seen.load(Ordering::SeqCst), 2);
        let error = client::unexpected(response).await;
        assert_eq!(error.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(error.body(), Some(&b"busy"[..]));
    }
}

#[test]
fn callback_urls_are_read_from_the_request() {
    use request::UrlPiece as P;
    let (parts, ()) = Request::builder()
        .method(Method::POST)
        .uri("/streams?url=http%3A%2F%2Fcaller.example%2Fhooks&n=1")
        .header("x-hook", "http://header.example")
        .body(())
        .unwrap()
        .into_parts();
    let body = serde_json::json!({"cb": {"url": "http://body.example"}, "n": 5, "none": null});
    let url = |pieces: &[P<'_>]| request::callback_url(&parts, Some(&body), pieces);

    assert_eq!(
        url(&[P::Query("url"), P::Text("/data")]).as_deref(),
        Some("http://caller.example/hooks/data")
    );
    assert_eq!(
        url(&[P::Header("x-hook")]).as_deref(),
        Some("http://header.example")
    );
    assert_eq!(
        url(&[P::Body("/cb/url"), P::Text("?n="), P::Body("/n")]).as_deref(),
        Some("http://body.example?n=5")
    );
    assert_eq!(
        url(&[P::Text("http://x.example/"), P::Method, P::Url]).as_deref(),
        Some("http://x.example/POST/streams?url=http%3A%2F%2Fcaller.example%2Fhooks&n=1")
    );
    // What the request does not have gives no URL.
    for missing in [
        P::Query("nope"),
        P::Header("x-nope"),
        P::Body("/nope"),
        P::Body("/none"),
    ] {
        assert_eq!(url(&[missing]), None, "{missing:?}");
    }
    assert_eq!(
        request::callback_url(&parts, None, &[P::Body("/cb/url")]),
        None
    );
}

mod pages {
    //! Where the next page is, by each pattern, and the stream of items.

    use futures_util::StreamExt as _;
    use uniapi_runtime_tests::runtime::pages::{
        next_cursor, next_link, next_offset, next_page_number, next_url, with_query, Page, Pages,
    };

    fn url(text: &str) -> reqwest::Url {
        reqwest::Url::parse(text).unwrap()
    }

    #[test]
    fn a_query_parameter_is_set_and_the_others_kept_byte_for_byte() {
        let page = url("https://x.test/a?tags=a,b&offset=20&q=caf%C3%A9");
        assert_eq!(
            with_query(&page, "offset", "40"),
            "https://x.test/a?tags=a,b&offset=40&q=caf%C3%A9"
        );
        assert_eq!(
            with_query(&url("https://x.test/a"), "page token", "a/b"),
            "https://x.test/a?page%20token=a%2Fb"
        );
    }

    #[test]
    fn offsets_stop_at_an_empty_or_short_page_or_the_total() {
        let page = url("https://x.test/u?offset=20&limit=10");
        assert_eq!(
            next_offset(&page, "offset", Some("limit"), 10, None).as_deref(),
            Some("https://x.test/u?offset=30&limit=10")
        );
        assert_eq!(next_offset(&page, "offset", Some("limit"), 9, None), None);
        assert_eq!(next_offset(&page, "offset", Some("limit"), 0, None), None);
        assert_eq!(
            next_offset(&page, "offset", Some("limit"), 10, Some(30)),
            None
        );
        // No offset yet, no limit asked: from 0, until an empty page.
        assert_eq!(
            next_offset(&url("https://x.test/u"), "skip", None, 3, None).as_deref(),
            Some("https://x.test/u?skip=3")
        );
    }

    #[test]
    fn page_numbers_start_where_the_api_does_and_stop_at_the_count() {
        let first = url("https://x.test/o?size=2");
        assert_eq!(
            next_page_number(&first, "p", 0, Some("size"), 2, None).as_deref(),
            Some("https://x.test/o?size=2&p=1")
        );
        let third = url("https://x.test/o?p=3&size=2");
        assert_eq!(
            next_page_number(&third, "p", 1, Some("size"), 2, Some(3)),
            None
        );
        assert_eq!(
            next_page_number(&third, "p", 1, Some("size"), 1, None),
            None
        );
    }

    #[test]
    fn cursors_and_next_urls_end_where_there_are_none() {
        let page = url("https://x.test/e?cursor=a&limit=5");
        assert_eq!(
            next_cursor(&page, "cursor", Some("b c".into())).as_deref(),
            Some("https://x.test/e?cursor=b%20c&limit=5")
        );
        assert_eq!(next_cursor(&page, "cursor", Some(String::new())), None);
        assert_eq!(next_cursor(&page, "cursor", None), None);
        assert_eq!(
            next_url(&page, Some("/e?since=9".into())).as_deref(),
            Some("https://x.test/e?since=9")
        );
        assert_eq!(
            next_url(&page, Some("https://y.test/e?p=2".into())).as_deref(),
            Some("https://y.test/e?p=2")
        );
        assert_eq!(next_url(&page, None), None);
    }

    #[test]
    fn the_link_header_s_next_is_found_among_others() {
        let page = url("https://api.test/repos?page=1");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "link",
            "<https://api.test/repos?page=9>; rel=\"last\", <https://api.test/repos?page=2&q=a,b>; rel=\"next prefetch\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&page, &headers).as_deref(),
            Some("https://api.test/repos?page=2&q=a,b")
        );
        headers.insert(
            "link",
            "</repos?page=3>; title=\"a, b\"; REL=next".parse().unwrap(),
        );
        assert_eq!(
            next_link(&page, &headers).as_deref(),
            Some("https://api.test/repos?page=3")
        );
        headers.insert(
            "link",
            "<https://api.test/repos?page=1>; rel=prev".parse().unwrap(),
        );
        assert_eq!(next_link(&page, &headers), None);
    }

    #[tokio::test]
    async fn pages_are_fetched_one_at_a_time_until_the_last_or_a_loop() {
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = asked.clone();
        let pages = Pages::new(move |next: Option<String>| {
            log.lock().unwrap().push(next.clone());
            Box::pin(async move {
                let n: usize = next.as_deref().map_or(0, |n| n.parse().unwrap());
                // Page 3 points back to page 1: the list ends there.
                let next = match n {
                    0 => Some("1".to_owned()),
                    1 => Some("2".to_owned()),
                    _ => Some("1".to_owned()),
                };
                Ok(Page {
                    items: vec![n * 10, n * 10 + 1],
                    next,
                })
            })
        });
        let items: Vec<usize> = pages.map(Result::unwrap).collect().await;
        assert_eq!(items, [0, 1, 10, 11, 20, 21]);
        assert_eq!(
            *asked.lock().unwrap(),
            [None, Some("1".to_owned()), Some("2".to_owned())]
        );
    }

    #[tokio::test]
    async fn an_error_ends_the_stream() {
        let mut pages = Pages::<u8>::new(|next: Option<String>| {
            Box::pin(async move {
                match next {
                    None => Ok(Page {
                        items: vec![1],
                        next: Some("x".into()),
                    }),
                    Some(_) => Err(uniapi_runtime_tests::runtime::api::Error::Validation(
                        "no".into(),
                    )),
                }
            })
        });
        assert_eq!(pages.next().await.unwrap().unwrap(), 1);
        assert!(pages.next().await.unwrap().is_err());
        assert!(pages.next().await.is_none());
    }
}
