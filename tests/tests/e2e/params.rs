//! Parameter styles (`specs/features/3.0/parameters-style.yaml`): the
//! generated client writes each value as OpenAPI's style tables say (the
//! raw URL and headers are asserted), and the generated server reads it
//! back unchanged.

use std::sync::{Arc, Mutex};

use feature_3_0_parameters_style::{Api, Client, Error, api, types};

/// What the handlers saw, and the raw requests that reached the server.
#[derive(Default)]
struct Seen {
    values: Mutex<Vec<String>>,
    wire: Mutex<Vec<String>>,
}

#[derive(Clone, Default)]
struct Echo(Arc<Seen>);

macro_rules! record {
    ($($method:ident($request:ident) -> $response:ident: $($field:ident),*;)*) => {
        $(
            async fn $method(&self, request: api::$request) -> Result<api::$response, Error> {
                let fields: Vec<String> = vec![$(format!("{:?}", request.$field)),*];
                self.0.values.lock().unwrap().push(fields.join(" "));
                Ok(api::$response::Ok)
            }
        )*
    };
}

impl Api for Echo {
    record! {
        cookies_standard(CookiesStandardRequest) -> CookiesStandardResponse: primitive, array, object;
        cookies_form_non_exploded(CookiesFormNonExplodedRequest) -> CookiesFormNonExplodedResponse: primitive, array, object;
        cookies_form_exploded(CookiesFormExplodedRequest) -> CookiesFormExplodedResponse: primitive, array, object;
        headers_standard(HeadersStandardRequest) -> HeadersStandardResponse: primitive, array, object;
        headers_simple_non_exploded(HeadersSimpleNonExplodedRequest) -> HeadersSimpleNonExplodedResponse: primitive, array, object;
        headers_simple_exploded(HeadersSimpleExplodedRequest) -> HeadersSimpleExplodedResponse: primitive, array, object;
        paths_standard(PathsStandardRequest) -> PathsStandardResponse: primitive, array, object;
        paths_matrix_non_exploded(PathsMatrixNonExplodedRequest) -> PathsMatrixNonExplodedResponse: primitive, array, object;
        paths_matrix_exploded(PathsMatrixExplodedRequest) -> PathsMatrixExplodedResponse: primitive, array, object;
        paths_label_non_exploded(PathsLabelNonExplodedRequest) -> PathsLabelNonExplodedResponse: primitive, array, object;
        paths_label_exploded(PathsLabelExplodedRequest) -> PathsLabelExplodedResponse: primitive, array, object;
        paths_simple_non_exploded(PathsSimpleNonExplodedRequest) -> PathsSimpleNonExplodedResponse: primitive, array, object;
        paths_simple_exploded(PathsSimpleExplodedRequest) -> PathsSimpleExplodedResponse: primitive, array, object;
        query_standard(QueryStandardRequest) -> QueryStandardResponse: primitive, array, object;
        query_form_non_exploded(QueryFormNonExplodedRequest) -> QueryFormNonExplodedResponse: primitive, array, object;
        query_form_exploded(QueryFormExplodedRequest) -> QueryFormExplodedResponse: primitive, array, object;
        query_space_delimited_non_exploded(QuerySpaceDelimitedNonExplodedRequest) -> QuerySpaceDelimitedNonExplodedResponse: array, object;
        query_pipe_delimited_non_exploded(QueryPipeDelimitedNonExplodedRequest) -> QueryPipeDelimitedNonExplodedResponse: array, object;
        query_deep_object_non_exploded(QueryDeepObjectNonExplodedRequest) -> QueryDeepObjectNonExplodedResponse: object;
        form_data_standard(FormDataStandardRequest) -> FormDataStandardResponse: body;
        form_data_form_exploded(FormDataFormExplodedRequest) -> FormDataFormExplodedResponse: body;
        form_data_form_non_exploded(FormDataFormNonExplodedRequest) -> FormDataFormNonExplodedResponse: body;
        form_data_space_delimited_non_exploded(FormDataSpaceDelimitedNonExplodedRequest) -> FormDataSpaceDelimitedNonExplodedResponse: body;
        form_data_pipe_delimited_non_exploded(FormDataPipeDelimitedNonExplodedRequest) -> FormDataPipeDelimitedNonExplodedResponse: body;
        form_data_deep_object_exploded(FormDataDeepObjectExplodedRequest) -> FormDataDeepObjectExplodedResponse: body;
    }
}

/// Serves the API behind a layer that records each request's path and
/// query and its parameter headers, as they came over the wire.
async fn serve() -> (Client, Arc<Seen>) {
    let echo = Echo::default();
    let seen = echo.0.clone();
    let wire = seen.clone();
    let router = feature_3_0_parameters_style::server::router(echo).layer(
        axum::middleware::map_request(move |request: axum::extract::Request| {
            let mut line = request
                .uri()
                .path_and_query()
                .map(ToString::to_string)
                .unwrap_or_default();
            for name in ["primitive", "array", "object", "cookie"] {
                if let Some(value) = request.headers().get(name) {
                    line.push_str(&format!(" {name}: {}", value.to_str().unwrap()));
                }
            }
            wire.wire.lock().unwrap().push(line);
            async move { request }
        }),
    );
    let base = crate::serve(router).await;
    (Client::new(&base), seen)
}

fn array() -> Vec<String> {
    vec!["blue".into(), "black".into(), "brown".into()]
}

const SEEN: &str = r#"Some("blue") Some(["blue", "black", "brown"]) Some(Object { name: Some("R"), description: Some("G"), additional_properties: {} })"#;
const SEEN_REQUIRED: &str = r#""blue" ["blue", "black", "brown"] Object { name: Some("R"), description: Some("G"), additional_properties: {} }"#;

/// The last request's wire form and what its handler saw, with the type
/// name of the object left out.
fn last(seen: &Seen) -> (String, String) {
    let wire = seen.wire.lock().unwrap().last().cloned().unwrap();
    let value = seen.values.lock().unwrap().last().cloned().unwrap();
    let value = regex_lite_object(&value);
    (wire, value)
}

/// `PathsLabelExplodedObject { .. }` → `Object { .. }`.
fn regex_lite_object(value: &str) -> String {
    value
        .split(' ')
        .map(|word| match word.strip_prefix("Some(") {
            Some(inner) if inner.ends_with("Object") => "Some(Object",
            None if word.ends_with("Object") => "Object",
            _ => word,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

macro_rules! path_case {
    ($client:expr, $seen:expr, $method:ident, $request:ident, $object:ident, $wire:expr) => {{
        let object = types::$object {
            name: Some("R".into()),
            description: Some("G".into()),
            additional_properties: Default::default(),
        };
        let request = api::$request::new("blue".into(), array(), object);
        $client.$method(request).await.unwrap();
        let (wire, value) = last(&$seen);
        assert_eq!(wire, $wire, "{}", stringify!($method));
        assert_eq!(value, SEEN_REQUIRED, "{}", stringify!($method));
    }};
}

#[tokio::test]
async fn path_styles() {
    let (client, seen) = serve().await;
    path_case!(
        client,
        seen,
        paths_standard,
        PathsStandardRequest,
        PathsStandardObject,
        "/anything/path/blue/blue,black,brown/name,R,description,G"
    );
    path_case!(
        client,
        seen,
        paths_simple_non_exploded,
        PathsSimpleNonExplodedRequest,
        PathsSimpleNonExplodedObject,
        "/anything/path/simple/blue/blue,black,brown/name,R,description,G"
    );
    path_case!(
        client,
        seen,
        paths_simple_exploded,
        PathsSimpleExplodedRequest,
        PathsSimpleExplodedObject,
        "/anything/path/simple/blue/blue,black,brown/name=R,description=G"
    );
    path_case!(
        client,
        seen,
        paths_label_non_exploded,
        PathsLabelNonExplodedRequest,
        PathsLabelNonExplodedObject,
        "/anything/path/label/.blue/.blue,black,brown/.name,R,description,G"
    );
    path_case!(
        client,
        seen,
        paths_label_exploded,
        PathsLabelExplodedRequest,
        PathsLabelExplodedObject,
        "/anything/path/label/.blue/.blue.black.brown/.name=R.description=G"
    );
    path_case!(
        client,
        seen,
        paths_matrix_non_exploded,
        PathsMatrixNonExplodedRequest,
        PathsMatrixNonExplodedObject,
        "/anything/path/matrix/;primitive=blue/;array=blue,black,brown/;object=name,R,description,G"
    );
    path_case!(
        client,
        seen,
        paths_matrix_exploded,
        PathsMatrixExplodedRequest,
        PathsMatrixExplodedObject,
        "/anything/path/matrix/;primitive=blue/;array=blue;array=black;array=brown/;name=R;description=G"
    );
}

macro_rules! optional_case {
    ($client:expr, $seen:expr, $method:ident, $request:ident, $object:ident, $wire:expr) => {{
        let mut request = api::$request::new();
        request.primitive = Some("blue".into());
        request.array = Some(array());
        request.object = Some(types::$object {
            name: Some("R".into()),
            description: Some("G".into()),
            additional_properties: Default::default(),
        });
        $client.$method(request).await.unwrap();
        let (wire, value) = last(&$seen);
        assert_eq!(wire, $wire, "{}", stringify!($method));
        assert_eq!(value, SEEN, "{}", stringify!($method));
    }};
}

macro_rules! delimited_case {
    ($client:expr, $seen:expr, $method:ident, $request:ident, $object:ident, $wire:expr) => {{
        let mut request = api::$request::new();
        request.array = Some(array());
        request.object = Some(types::$object {
            name: Some("R".into()),
            description: Some("G".into()),
            additional_properties: Default::default(),
        });
        $client.$method(request).await.unwrap();
        let (wire, value) = last(&$seen);
        assert_eq!(wire, $wire, "{}", stringify!($method));
        assert_eq!(
            value,
            SEEN.trim_start_matches(r#"Some("blue") "#),
            "{}",
            stringify!($method)
        );
    }};
}

#[tokio::test]
async fn query_styles() {
    let (client, seen) = serve().await;
    optional_case!(
        client,
        seen,
        query_standard,
        QueryStandardRequest,
        QueryStandardObject,
        "/anything/query?primitive=blue&array=blue&array=black&array=brown&name=R&description=G"
    );
    optional_case!(
        client,
        seen,
        query_form_exploded,
        QueryFormExplodedRequest,
        QueryFormExplodedObject,
        "/anything/query/form?primitive=blue&array=blue&array=black&array=brown&name=R&description=G"
    );
    optional_case!(
        client,
        seen,
        query_form_non_exploded,
        QueryFormNonExplodedRequest,
        QueryFormNonExplodedObject,
        "/anything/query/form?primitive=blue&array=blue,black,brown&object=name,R,description,G"
    );
    delimited_case!(
        client,
        seen,
        query_space_delimited_non_exploded,
        QuerySpaceDelimitedNonExplodedRequest,
        QuerySpaceDelimitedNonExplodedObject,
        "/anything/query/spaceDelimited?array=blue%20black%20brown&object=name%20R%20description%20G"
    );
    delimited_case!(
        client,
        seen,
        query_pipe_delimited_non_exploded,
        QueryPipeDelimitedNonExplodedRequest,
        QueryPipeDelimitedNonExplodedObject,
        "/anything/query/pipeDelimited?array=blue|black|brown&object=name|R|description|G"
    );

    let mut request = api::QueryDeepObjectNonExplodedRequest::new();
    request.object = Some(types::QueryDeepObjectNonExplodedObject {
        name: Some("R".into()),
        description: Some("G".into()),
        additional_properties: Default::default(),
    });
    client
        .query_deep_object_non_exploded(request)
        .await
        .unwrap();
    let (wire, value) = last(&seen);
    assert_eq!(
        wire,
        "/anything/query/deepObject?object[name]=R&object[description]=G"
    );
    assert_eq!(
        value,
        r#"Some(Object { name: Some("R"), description: Some("G"), additional_properties: {} })"#
    );

    // Absent optional parameters stay absent.
    client
        .query_form_exploded(api::QueryFormExplodedRequest::new())
        .await
        .unwrap();
    let (wire, value) = last(&seen);
    assert_eq!(wire, "/anything/query/form");
    assert_eq!(value, "None None None");
}

#[tokio::test]
async fn header_and_cookie_styles() {
    let (client, seen) = serve().await;
    optional_case!(
        client,
        seen,
        headers_standard,
        HeadersStandardRequest,
        HeadersStandardObject,
        "/anything/headers primitive: blue array: blue,black,brown object: name,R,description,G"
    );
    optional_case!(
        client,
        seen,
        headers_simple_exploded,
        HeadersSimpleExplodedRequest,
        HeadersSimpleExplodedObject,
        "/anything/headers/simple primitive: blue array: blue,black,brown object: name=R,description=G"
    );
    optional_case!(
        client,
        seen,
        cookies_standard,
        CookiesStandardRequest,
        CookiesStandardObject,
        "/cookies cookie: primitive=blue; array=blue,black,brown; object=name=R,description=G"
    );
    // `/cookies#formNonExploded`: the `#` is part of the path, encoded.
    optional_case!(
        client,
        seen,
        cookies_form_non_exploded,
        CookiesFormNonExplodedRequest,
        CookiesFormNonExplodedObject,
        "/cookies%23formNonExploded cookie: primitive=blue; array=blue,black,brown; object=name,R,description,G"
    );
}

#[tokio::test]
async fn awkward_values_arrive_unchanged() {
    let (client, seen) = serve().await;
    let object = types::PathsLabelExplodedObject {
        name: Some("a b/ü".into()),
        description: None,
        additional_properties: Default::default(),
    };
    let request = api::PathsLabelExplodedRequest::new(
        "100% & more?".into(),
        vec!["x y".into(), "ü".into()],
        object,
    );
    client.paths_label_exploded(request).await.unwrap();
    let (wire, value) = last(&seen);
    assert_eq!(
        wire,
        "/anything/path/label/.100%25%20%26%20more%3F/.x%20y.%C3%BC/.name=a%20b%2F%C3%BC"
    );
    assert_eq!(
        value,
        r#""100% & more?" ["x y", "ü"] Object { name: Some("a b/ü"), description: None, additional_properties: {} }"#
    );

    let request = api::QueryFormNonExplodedRequest::new()
        .primitive("a&b=c+d")
        .array(vec!["1+1".to_owned(), "ü".to_owned()]);
    client.query_form_non_exploded(request).await.unwrap();
    let (wire, value) = last(&seen);
    assert_eq!(
        wire,
        "/anything/query/form?primitive=a%26b%3Dc%2Bd&array=1%2B1,%C3%BC"
    );
    assert_eq!(value, r#"Some("a&b=c+d") Some(["1+1", "ü"]) None"#);

    // A matrix value without its lead is refused.
    let response = reqwest::get(format!(
        "{}/anything/path/matrix/blue/;array=a/;object=name,R",
        client.base_url()
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), 400);
}

/// A raw request: method, path and query, headers.
type Raw = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Issue 19: whatever the server accepts, the client can send. Each
/// request (method, path and query, headers) carries object parameters
/// with properties their schemas do not name (which `additionalProperties`,
/// absent, allows), in every style and location of the spec.
const UNNAMED_PROPERTIES: &[Raw] = &[
    ("GET", "/anything/path/a/b/zz,x", &[]),
    ("GET", "/anything/path/a/b/name,R,zz,x", &[]),
    ("GET", "/anything/path/simple/a/b/zz,x", &[]),
    ("GET", "/anything/path/simple/a/b/name,R,zz,x,aa,y", &[]),
    ("POST", "/anything/path/simple/a/b/zz=x", &[]),
    ("POST", "/anything/path/simple/a/b/name=R,zz=x", &[]),
    ("GET", "/anything/path/label/.a/.b/.zz,x", &[]),
    ("GET", "/anything/path/label/.a/.b/.name,R,zz,x", &[]),
    ("POST", "/anything/path/label/.a/.b/.zz=x", &[]),
    ("POST", "/anything/path/label/.a/.b/.name=R.zz=x", &[]),
    (
        "GET",
        "/anything/path/matrix/;primitive=a/;array=b/;object=zz,x",
        &[],
    ),
    (
        "GET",
        "/anything/path/matrix/;primitive=a/;array=b/;object=name,R,zz,x",
        &[],
    ),
    (
        "POST",
        "/anything/path/matrix/;primitive=a/;array=b/;zz=x",
        &[],
    ),
    (
        "POST",
        "/anything/path/matrix/;primitive=a/;array=b/;name=R;zz=x",
        &[],
    ),
    ("GET", "/anything/query?primitive=a&name=R&zz=x", &[]),
    ("GET", "/anything/query?zz=x", &[]),
    ("GET", "/anything/query/form?object=zz,x", &[]),
    (
        "GET",
        "/anything/query/form?primitive=a&object=name,R,zz,x",
        &[],
    ),
    ("POST", "/anything/query/form?zz=x", &[]),
    ("POST", "/anything/query/form?array=b&name=R&zz=x", &[]),
    ("GET", "/anything/query/spaceDelimited?object=zz%20x", &[]),
    (
        "GET",
        "/anything/query/spaceDelimited?object=name%20R%20zz%20x",
        &[],
    ),
    ("GET", "/anything/query/pipeDelimited?object=zz|x", &[]),
    (
        "GET",
        "/anything/query/pipeDelimited?object=name|R|zz|x",
        &[],
    ),
    ("GET", "/anything/query/deepObject?object[zz]=x", &[]),
    (
        "GET",
        "/anything/query/deepObject?object[name]=R&object[zz]=x",
        &[],
    ),
    ("GET", "/anything/headers", &[("object", "zz,x")]),
    ("GET", "/anything/headers", &[("object", "name,R,zz,x")]),
    ("GET", "/anything/headers/simple", &[("object", "zz,x")]),
    (
        "GET",
        "/anything/headers/simple",
        &[("object", "name,R,zz,x")],
    ),
    ("POST", "/anything/headers/simple", &[("object", "zz=x")]),
    (
        "POST",
        "/anything/headers/simple",
        &[("object", "name=R,zz=x")],
    ),
    ("GET", "/cookies", &[("cookie", "object=zz=x")]),
    ("GET", "/cookies", &[("cookie", "object=name=R,zz=x")]),
    (
        "GET",
        "/cookies%23formNonExploded",
        &[("cookie", "object=zz,x")],
    ),
    (
        "GET",
        "/cookies%23formNonExploded",
        &[("cookie", "object=name,R,zz,x")],
    ),
    (
        "GET",
        "/cookies%23formExploded",
        &[("cookie", "object=zz=x")],
    ),
    (
        "GET",
        "/cookies%23formExploded",
        &[("cookie", "object=name=R,zz=x")],
    ),
];

/// Empty objects, where a style can write one.
const EMPTY_OBJECTS: &[Raw] = &[
    ("GET", "/anything/path/label/.a/.b/.", &[]),
    (
        "GET",
        "/anything/path/matrix/;primitive=a/;array=b/;object=",
        &[],
    ),
    (
        "GET",
        "/anything/path/matrix/;primitive=a/;array=b/;object",
        &[],
    ),
    ("GET", "/anything/query/form?object=", &[]),
    ("GET", "/anything/query/pipeDelimited?object=", &[]),
    ("GET", "/anything/headers/simple", &[("object", "")]),
    (
        "GET",
        "/cookies%23formNonExploded",
        &[("cookie", "object=")],
    ),
];

/// One raw request: its status, its body, and what the handler behind
/// `seen` got from it (`None` when no handler ran).
async fn raw(
    base: &str,
    seen: &Seen,
    (method, target, headers): Raw,
) -> (u16, String, Option<String>) {
    let before = seen.values.lock().unwrap().len();
    let mut request = reqwest::Client::new().request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{base}{target}"),
    );
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    let values = seen.values.lock().unwrap();
    let value = (values.len() > before).then(|| regex_lite_object(values.last().unwrap()));
    (status, body, value)
}

#[tokio::test]
async fn the_gateway_passes_on_what_its_server_accepts() {
    let echo = Echo::default();
    let seen = echo.0.clone();
    let upstream = crate::serve(feature_3_0_parameters_style::server::router(echo)).await;
    let gateway = crate::serve(feature_3_0_parameters_style::server::router(Client::new(
        &upstream,
    )))
    .await;
    let mut failures = Vec::new();
    for &case in UNNAMED_PROPERTIES {
        let direct = raw(&upstream, &seen, case).await;
        assert_eq!(direct.0, 200, "{case:?}: {direct:?}");
        if !direct.2.as_deref().unwrap().contains("zz") {
            failures.push(format!("{case:?}: the handler lost `zz`: {direct:?}"));
        }
        let through = raw(&gateway, &seen, case).await;
        if through != direct {
            failures.push(format!(
                "{case:?}\n  direct:  {direct:?}\n  gateway: {through:?}"
            ));
        }
    }
    for &case in EMPTY_OBJECTS {
        let direct = raw(&upstream, &seen, case).await;
        let through = raw(&gateway, &seen, case).await;
        if through != direct {
            failures.push(format!(
                "{case:?}\n  direct:  {direct:?}\n  gateway: {through:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Through the client: an object with properties its schema does not name
/// reaches the handler whole, in every style of a path or query object.
/// (Values that hold their style's separators, `,` `.` `;` `|` or a space,
/// do not: the server splits values after percent-decoding them.)
#[tokio::test]
async fn unnamed_properties_arrive_unchanged() {
    let (client, seen) = serve().await;
    let object = || types::CookiesStandardObject {
        name: Some("R".into()),
        description: None,
        additional_properties: [
            ("zz".to_owned(), serde_json::json!("ü/x&y")),
            ("b-c".to_owned(), serde_json::json!("1")),
        ]
        .into(),
    };
    let want = r#"Object { name: Some("R"), description: None, additional_properties: {"b-c": String("1"), "zz": String("ü/x&y")} }"#;
    macro_rules! path {
        ($($method:ident($request:ident);)*) => {$(
            let request = api::$request::new("a".into(), vec!["b".into()], object());
            client.$method(request).await.unwrap();
            let (wire, value) = last(&seen);
            assert!(value.ends_with(want), "{}: {wire} gave {value}", stringify!($method));
        )*};
    }
    macro_rules! optional {
        ($($method:ident($request:ident);)*) => {$(
            let mut request = api::$request::new();
            request.object = Some(object());
            client.$method(request).await.unwrap();
            let (wire, value) = last(&seen);
            assert!(value.ends_with(&format!("Some({want})")), "{}: {wire} gave {value}", stringify!($method));
        )*};
    }
    path! {
        paths_standard(PathsStandardRequest);
        paths_simple_non_exploded(PathsSimpleNonExplodedRequest);
        paths_simple_exploded(PathsSimpleExplodedRequest);
        paths_label_non_exploded(PathsLabelNonExplodedRequest);
        paths_label_exploded(PathsLabelExplodedRequest);
        paths_matrix_non_exploded(PathsMatrixNonExplodedRequest);
        paths_matrix_exploded(PathsMatrixExplodedRequest);
    }
    optional! {
        query_standard(QueryStandardRequest);
        query_form_non_exploded(QueryFormNonExplodedRequest);
        query_form_exploded(QueryFormExplodedRequest);
        query_space_delimited_non_exploded(QuerySpaceDelimitedNonExplodedRequest);
        query_pipe_delimited_non_exploded(QueryPipeDelimitedNonExplodedRequest);
        query_deep_object_non_exploded(QueryDeepObjectNonExplodedRequest);
    }
}
