//! An independent peer: the generated clients against Prism
//! (`@stoplight/prism-cli`, pinned), a mock server that validates every
//! request against the spec and lists what is wrong in `sl-violations`.
//!
//! Each operation's request is made by the generated client itself: a raw
//! request synthesized from the spec goes to a gateway,
//! `router(Client::new(recorder))`, whose server parses it into the typed
//! request and whose client sends it on through a recorder to Prism. The
//! same raw request also goes to Prism directly: when Prism accepts that
//! one, it must accept the client's too. (A raw request Prism rejects, say
//! a string that is not an `email`, says nothing about the client; those
//! operations are counted, not failed.)
//!
//! Prism is installed by `npm` into `$HOME/.cache/uniapi-prism` the first
//! time (or set `UNIAPI_PRISM` to a `prism` binary). Without npm the tests
//! fail; `UNIAPI_SKIP_PRISM=1` skips them on purpose.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uniapi::ir::{self, Location, MediaKind, PathSegment, Prim, SchemeKind, Style, Ty, TypeKind};

const PRISM_PACKAGE: &str = "@stoplight/prism-cli@5.16.0";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository")
        .to_path_buf()
}

/// The `prism` binary; `None` only when `UNIAPI_SKIP_PRISM=1`.
fn prism() -> Option<PathBuf> {
    if std::env::var_os("UNIAPI_SKIP_PRISM").is_some_and(|v| v == "1") {
        eprintln!("UNIAPI_SKIP_PRISM=1: the Prism peer tests are skipped");
        return None;
    }
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let installed = INSTALLED.get_or_init(|| {
        if let Some(path) = std::env::var_os("UNIAPI_PRISM") {
            return Ok(PathBuf::from(path));
        }
        let home = std::env::var_os("HOME").ok_or("HOME is not set")?;
        let cache = PathBuf::from(home).join(".cache/uniapi-prism");
        let bin = cache.join("node_modules/.bin/prism");
        let marker = cache.join(format!(
            "installed-{}",
            PRISM_PACKAGE.replace(['@', '/'], "_")
        ));
        if bin.is_file() && marker.is_file() {
            return Ok(bin);
        }
        std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
        eprintln!("installing {PRISM_PACKAGE} into {}", cache.display());
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&cache)
            .arg(PRISM_PACKAGE)
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run npm (is Node.js installed?): {e}"))?;
        if !status.success() || !bin.is_file() {
            return Err(format!("`npm install {PRISM_PACKAGE}` failed ({status})"));
        }
        std::fs::write(&marker, "").map_err(|e| e.to_string())?;
        Ok(bin)
    });
    match installed {
        Ok(bin) => Some(bin.clone()),
        Err(e) => panic!(
            "Prism is needed for these tests: {e}. Install Node.js and npm, set UNIAPI_PRISM, \
             or set UNIAPI_SKIP_PRISM=1 to skip them locally"
        ),
    }
}

/// A running `prism mock`, killed when dropped.
struct Prism {
    child: Child,
    base: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prism(bin: &Path, spec: &Path) -> Prism {
    start_prism_as(bin, spec, None)
}

/// `prism mock`, or with an `upstream` `prism proxy --errors`: a
/// validating proxy that answers a request or a response that breaks the
/// spec with an error of its own.
fn start_prism_as(bin: &Path, spec: &Path, upstream: Option<&str>) -> Prism {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mode: &[&str] = match upstream {
        None => &["mock"],
        Some(_) => &["proxy", "--errors"],
    };
    let child = Command::new(bin)
        .args(mode)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(spec)
        .args(upstream)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prism starts");
    let prism = Prism {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "prism did not listen on {port} for {}",
            spec.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    prism
}

/// A request as the recorder passed it to Prism, and Prism's verdict.
#[derive(Debug, Clone)]
struct Seen {
    request: String,
    violations: Vec<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// An HTTP server that forwards everything to Prism and logs each request
/// with the request violations Prism reports.
async fn recorder(prism: String, log: Log) -> String {
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (http, prism, log) = (http.clone(), prism.clone(), log.clone());
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 24)
                .await
                .unwrap_or_default();
            let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let mut headers = parts.headers.clone();
            headers.remove("host");
            // The body goes on whole (a streamed one came chunked).
            headers.remove("transfer-encoding");
            // Prism (Node) closes idle keep-alive connections and some
            // requests' connections (matrix and label paths); a loaded machine
            // turns the first into a race, so a transport error is tried
            // again. If none gets through, nothing is recorded and the
            // operation counts as refused.
            let mut response = None;
            for _ in 0..3 {
                let attempt = http
                    .request(parts.method.clone(), format!("{prism}{target}"))
                    .headers(headers.clone())
                    .body(body.clone())
                    .send()
                    .await;
                match attempt {
                    Ok(r) => {
                        response = Some(r);
                        break;
                    }
                    Err(e) => eprintln!("recorder: {} {target} to Prism: {e}", parts.method),
                }
            }
            let Some(response) = response else {
                return axum::response::IntoResponse::into_response(http::StatusCode::BAD_GATEWAY);
            };
            let violations = request_violations(response.headers());
            log.lock().unwrap().push(Seen {
                request: describe(&parts.method, target, &parts.headers, &body),
                violations,
            });
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap_or_default();
            let mut answer = axum::response::Response::new(axum::body::Body::from(bytes));
            *answer.status_mut() = status;
            *answer.headers_mut() = headers;
            answer.headers_mut().remove("transfer-encoding");
            answer
        }
    });
    crate::serve(app).await
}

fn describe(method: &http::Method, target: &str, headers: &http::HeaderMap, body: &[u8]) -> String {
    let headers: Vec<String> = headers
        .iter()
        .filter(|(n, _)| {
            !matches!(
                n.as_str(),
                "user-agent" | "x-request-id" | "accept" | "host"
            )
        })
        .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(v.as_bytes())))
        .collect();
    format!(
        "{method} {target} [{}] {}",
        headers.join("; "),
        String::from_utf8_lossy(&body[..body.len().min(300)])
    )
}

/// Prism's `sl-violations` about the request, errors only.
fn request_violations(headers: &http::HeaderMap) -> Vec<String> {
    let Some(value) = headers.get("sl-violations") else {
        return Vec::new();
    };
    let list: Vec<Value> = serde_json::from_slice(value.as_bytes()).unwrap_or_default();
    list.into_iter()
        .filter(|v| v["severity"] == "Error" && v["location"][0] == "request")
        .map(|v| v["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A raw request, synthesized from the spec.
struct Raw {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
}

fn lower(spec: &Path) -> ir::Api {
    let loaded = uniapi::load::load(spec).unwrap_or_else(|d| panic!("{}: {d}", spec.display()));
    let (api, _) = uniapi::lower::lower(&loaded).unwrap_or_else(|d| panic!("{d}"));
    api
}

/// A value of `ty` that a schema without further constraints accepts.
fn value(api: &ir::Api, ty: &Ty, depth: usize) -> Value {
    match ty {
        Ty::Prim(p) => match p {
            Prim::String => json!("abc"),
            Prim::Bool => json!(true),
            Prim::I32 | Prim::I64 => json!(1),
            Prim::F32 | Prim::F64 => json!(1.5),
            Prim::Bytes => json!("bytes"),
            Prim::DateTime => json!("2024-01-02T03:04:05Z"),
            Prim::Date => json!("2024-01-02"),
            Prim::Uuid => json!("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
            Prim::Base64 => json!("aGVsbG8="),
            Prim::File => json!("file"),
            Prim::Int64Text => json!("1"),
            Prim::Decimal => json!("1.5"),
        },
        Ty::Named(id) => match &api.types[id.0].kind {
            _ if depth > 6 => json!({}),
            TypeKind::Struct(s) => Value::Object(
                s.fields
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| (f.wire.clone(), value(api, &f.ty, depth + 1)))
                    .collect(),
            ),
            TypeKind::Enum(e) => match e.variants.first() {
                Some(v) if e.integer => json!(v.wire.parse::<i64>().unwrap_or(0)),
                Some(v) => json!(v.wire),
                None => json!("abc"),
            },
            TypeKind::Union(u) => {
                let Some(first) = u.variants.first() else {
                    return json!({});
                };
                let mut v = value(api, &first.ty, depth + 1);
                if let (Some(tag), Some(name), Value::Object(map)) =
                    (&u.tag, first.tags.first(), &mut v)
                {
                    map.insert(tag.clone(), json!(name));
                }
                v
            }
            TypeKind::Alias(t) | TypeKind::Newtype(t) => value(api, t, depth + 1),
            TypeKind::Constrained(t, rules) => constrained(api, t, rules, depth),
        },
        Ty::List(inner) => json!([value(api, inner, depth + 1)]),
        Ty::Map(_) | Ty::Any => json!({}),
        Ty::Nullable(inner) => value(api, inner, depth),
    }
}

/// A value within the lengths and bounds of `rules` (a `pattern` is not
/// met on purpose: Prism then rejects the raw request, and the operation
/// is counted as not synthesized).
fn constrained(api: &ir::Api, ty: &Ty, rules: &ir::Rules, depth: usize) -> Value {
    match value(api, ty, depth + 1) {
        Value::String(_) => {
            let length = rules
                .min_length
                .unwrap_or(3)
                .max(1)
                .min(rules.max_length.unwrap_or(u64::MAX));
            json!("a".repeat(length as usize))
        }
        Value::Number(n) => {
            let mut v = n.as_f64().unwrap_or(1.0);
            if let Some(min) = rules.minimum {
                v = v.max(min.value + if min.exclusive { 1.0 } else { 0.0 });
            }
            if let Some(max) = rules.maximum {
                v = v.min(max.value - if max.exclusive { 1.0 } else { 0.0 });
            }
            if let Some(m) = rules.multiple_of.filter(|m| *m > 0.0) {
                v = (v / m).ceil() * m;
            }
            if n.is_f64() {
                json!(v)
            } else {
                json!(v as i64)
            }
        }
        Value::Array(items) => {
            let n = rules.min_items.unwrap_or(1).max(1) as usize;
            let item = items.into_iter().next().unwrap_or(Value::Null);
            // Unique items: numbers 1, 2, 3... or strings a, aa, aaa...
            Value::Array(
                (0..n)
                    .map(|i| match &item {
                        Value::Number(_) => json!(i as i64 + 1),
                        Value::String(_) => json!("a".repeat(i + 1)),
                        other => other.clone(),
                    })
                    .collect(),
            )
        }
        other => other,
    }
}

/// A parameter's value; objects get every property, so that their wire
/// form is not empty.
fn param_value(api: &ir::Api, p: &ir::Param) -> Value {
    let mut v = value(api, &p.ty, 0);
    if let (Ty::Named(id), Value::Object(map)) = (&p.ty, &mut v) {
        if let TypeKind::Struct(s) = &api.types[id.0].kind {
            for f in &s.fields {
                map.entry(f.wire.clone())
                    .or_insert_with(|| value(api, &f.ty, 1));
            }
        }
    }
    v
}

/// One value in a parameter's style (the forms that are one string:
/// Prism does not take matrix and label paths, so those are not made).
fn styled(p: &ir::Param, v: &Value) -> String {
    let sep = match p.style {
        Style::SpaceDelimited => " ",
        Style::PipeDelimited => "|",
        _ => ",",
    };
    match v {
        _ if p.style == Style::Json => v.to_string(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(sep),
        Value::Object(map) if p.explode => map
            .iter()
            .map(|(k, v)| format!("{k}={}", scalar(v)))
            .collect::<Vec<_>>()
            .join(sep),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [k.clone(), scalar(v)])
            .collect::<Vec<_>>()
            .join(sep),
        other => scalar(other),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The raw request of `op`, with every parameter or only the required ones.
fn raw(api: &ir::Api, op: &ir::Operation, optional: bool) -> Raw {
    let values: Vec<Option<Value>> = op
        .params
        .iter()
        .map(|p| (p.required || optional).then(|| param_value(api, p)))
        .collect();
    let mut target = String::new();
    for segment in &op.segments {
        match segment {
            PathSegment::Literal(text) => target.push_str(text),
            PathSegment::Param(i) => target.push_str(&encode(&styled(
                &op.params[*i],
                values[*i].as_ref().unwrap_or(&json!("abc")),
            ))),
        }
    }
    let mut query: Vec<(String, String)> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    for (p, v) in op.params.iter().zip(&values) {
        let Some(v) = v else { continue };
        match p.location {
            Location::Path => {}
            Location::Query => match (v, p.style) {
                (Value::Array(items), Style::Form) if p.explode => {
                    query.extend(items.iter().map(|i| (p.wire.clone(), scalar(i))))
                }
                (Value::Object(map), Style::Form) if p.explode => {
                    query.extend(map.iter().map(|(k, v)| (k.clone(), scalar(v))))
                }
                (Value::Object(map), Style::DeepObject) => query.extend(
                    map.iter()
                        .map(|(k, v)| (format!("{}[{k}]", p.wire), scalar(v))),
                ),
                (v, _) => query.push((p.wire.clone(), styled(p, v))),
            },
            Location::Header => headers.push((p.wire.clone(), styled(p, v))),
            Location::Cookie => cookies.push(format!("{}={}", p.wire, styled(p, v))),
        }
    }
    if let Some(requirement) = op.security.as_ref().and_then(|r| r.first()) {
        for (scheme, _) in &requirement.0 {
            match &api.security_schemes[*scheme].kind {
                SchemeKind::Bearer => headers.push(("authorization".into(), "Bearer token".into())),
                SchemeKind::Basic => {
                    // base64("user:pass")
                    headers.push(("authorization".into(), "Basic dXNlcjpwYXNz".into()))
                }
                SchemeKind::ApiKey { location, name } => match location {
                    Location::Query => query.push((name.clone(), "key".into())),
                    Location::Cookie => cookies.push(format!("{name}=key")),
                    _ => headers.push((name.clone(), "key".into())),
                },
                SchemeKind::Http { scheme } => {
                    headers.push(("authorization".into(), format!("{scheme} credentials")))
                }
                // The TLS layer's: nothing to send.
                SchemeKind::MutualTls => {}
            }
        }
    }
    if !cookies.is_empty() {
        headers.push(("cookie".into(), cookies.join("; ")));
    }
    if !query.is_empty() {
        let pairs: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        target.push('?');
        target.push_str(&pairs.join("&"));
    }
    let body = op.body().filter(|b| b.required || optional).map(|b| {
        if b.media == MediaKind::Multipart {
            return multipart(api, b);
        }
        let bytes = match b.media {
            MediaKind::Json => value(api, &b.ty, 0).to_string().into_bytes(),
            MediaKind::Form => match value(api, &b.ty, 0) {
                Value::Object(map) => map
                    .iter()
                    .map(|(k, v)| format!("{}={}", encode(k), encode(&scalar(v))))
                    .collect::<Vec<_>>()
                    .join("&")
                    .into_bytes(),
                _ => Vec::new(),
            },
            MediaKind::Text => b"hello".to_vec(),
            MediaKind::Binary => b"\x00\x01binary".to_vec(),
            // One item, framed.
            MediaKind::Sequence(ir::Sequence::Events) => {
                format!("data: {}\n\n", value(api, &b.ty, 0)).into_bytes()
            }
            MediaKind::Sequence(ir::Sequence::Lines) => {
                format!("{}\n", value(api, &b.ty, 0)).into_bytes()
            }
            MediaKind::Sequence(ir::Sequence::Records) => {
                format!("\u{1e}{}\n", value(api, &b.ty, 0)).into_bytes()
            }
            MediaKind::Multipart => unreachable!("written above"),
        };
        (b.content_type.clone(), bytes)
    });
    Raw {
        method: op.method.as_str().to_owned(),
        target,
        headers,
        body,
    }
}

/// A `multipart/form-data` body of the required properties, each part
/// as `b.parts` says it travels, and its content type.
fn multipart(api: &ir::Api, b: &ir::Body) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "prism-peer-boundary";
    let value = value(api, &b.ty, 0);
    let mut out = Vec::new();
    for part in &b.parts {
        let Some(v) = value.get(&part.wire) else {
            continue;
        };
        let items = match v {
            Value::Array(items) if part.repeated => items.clone(),
            v => vec![v.clone()],
        };
        for item in items {
            let (filename, bytes) = match part.kind {
                ir::PartKind::File | ir::PartKind::Bytes => {
                    ("; filename=\"file.bin\"", b"file content".to_vec())
                }
                ir::PartKind::Text { .. } => ("", scalar(&item).into_bytes()),
                ir::PartKind::Json => ("", item.to_string().into_bytes()),
            };
            out.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"{filename}\r\nContent-Type: {}\r\n\r\n",
                    part.wire, part.content_type
                )
                .as_bytes(),
            );
            out.extend_from_slice(&bytes);
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("{}; boundary={BOUNDARY}", b.content_type), out)
}

/// `None` when the connection failed (Prism closes some, for example on
/// matrix-style paths).
async fn send(http: &reqwest::Client, base: &str, raw: &Raw) -> Option<reqwest::Response> {
    let mut request = http.request(
        raw.method.parse().expect("a method"),
        format!("{base}{}", raw.target),
    );
    for (name, value) in &raw.headers {
        request = request.header(name, value);
    }
    if let Some((content_type, bytes)) = &raw.body {
        request = request
            .header("content-type", content_type)
            .body(bytes.clone());
    }
    request.send().await.ok()
}

/// Drives every operation of `spec` through the client that `gateway`
/// wraps (given the upstream's URL), and fails on any request of the
/// client's that Prism rejects.
async fn check(spec: &str, gateway: impl FnOnce(&str) -> axum::Router) {
    let Some(bin) = prism() else { return };
    let spec = root().join(spec);
    let api = lower(&spec);
    let prism = start_prism(&bin, &spec);
    let log = Log::default();
    let upstream = recorder(prism.base.clone(), log.clone()).await;
    let gateway = crate::serve(gateway(&upstream)).await;
    let http = reqwest::Client::new();

    let (mut sent, mut unsynthesized, mut refused) = (0, Vec::new(), Vec::new());
    let (mut rejected, mut closed) = (Vec::new(), 0);
    for op in &api.operations {
        // Every requirement names a scheme no request can meet (one the
        // spec does not declare): the gateway's server lets nobody in.
        if op.security.as_ref().is_some_and(|r| r.is_empty()) {
            let raw = raw(&api, op, false);
            let answer = send(&http, &gateway, &raw)
                .await
                .map(|a| a.status().as_u16());
            assert_eq!(answer, Some(401), "{} {}", op.method.as_str(), raw.target);
            closed += 1;
            continue;
        }
        // Every parameter if Prism takes that, else only the required ones.
        let mut chosen = None;
        for optional in [true, false] {
            let raw = raw(&api, op, optional);
            let direct = send(&http, &prism.base, &raw).await;
            if direct.is_some_and(|d| request_violations(d.headers()).is_empty()) {
                chosen = Some(raw);
                break;
            }
        }
        let Some(raw) = chosen else {
            unsynthesized.push(format!("{} {}", op.method.as_str(), op.path));
            continue;
        };
        log.lock().unwrap().clear();
        let answer = send(&http, &gateway, &raw).await;
        let seen = std::mem::take(&mut *log.lock().unwrap());
        if seen.is_empty() {
            // The gateway's server did not take the raw request (a 4xx).
            let answer = match answer {
                Some(a) => format!("{} {}", a.status(), a.text().await.unwrap_or_default()),
                None => "no answer".to_owned(),
            };
            refused.push(format!("{} {} → {answer}", op.method.as_str(), raw.target));
            continue;
        }
        sent += 1;
        for s in seen.into_iter().filter(|s| !s.violations.is_empty()) {
            rejected.push(format!("{}: {:?}", s.request, s.violations));
        }
    }
    eprintln!(
        "{}: {} operations, {closed} closed to everyone, {sent} sent by the client, {} not synthesized {:?}, {} refused by the gateway's server {:?}",
        spec.display(),
        api.operations.len(),
        unsynthesized.len(),
        unsynthesized,
        refused.len(),
        refused
    );
    assert!(
        rejected.is_empty(),
        "Prism rejected requests of the generated client for {}:\n{}",
        spec.display(),
        rejected.join("\n")
    );
    assert!(
        sent > 0 || closed == api.operations.len(),
        "no operation of {} reached Prism through the client",
        spec.display()
    );
}

/// One test per spec: `peer!(test_name, crate, "specs/...")`.
macro_rules! peer {
    ($($test:ident: $krate:ident, $spec:literal;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            check($spec, |upstream| {
                let client = $krate::Client::builder(upstream)
                    .retry($krate::client::Retry::none())
                    .build()
                    .expect("a client");
                $krate::router(client)
            })
            .await;
        }
    )*};
}

peer! {
    petstore: snapshot_petstore, "specs/petstore.yaml";
    puppy_shop: puppy_shop, "specs/puppy-shop.yaml";
    feature_3_0_callbacks: feature_3_0_callbacks, "specs/features/3.0/callbacks.yaml";
    feature_3_0_circular_paths: feature_3_0_circular_paths, "specs/features/3.0/circular-paths.yaml";
    feature_3_0_circular_request_bodies: feature_3_0_circular_request_bodies, "specs/features/3.0/circular-request-bodies.yaml";
    feature_3_0_circular: feature_3_0_circular, "specs/features/3.0/circular.yaml";
    feature_3_0_complex_nesting: feature_3_0_complex_nesting, "specs/features/3.0/complex-nesting.yaml";
    feature_3_0_discriminators: feature_3_0_discriminators, "specs/features/3.0/discriminators.yaml";
    feature_3_0_file_uploads: feature_3_0_file_uploads, "specs/features/3.0/file-uploads.yaml";
    feature_3_0_form_data: feature_3_0_form_data, "specs/features/3.0/form-data.yaml";
    feature_3_0_http_status_codes: feature_3_0_http_status_codes, "specs/features/3.0/http-status-codes.yaml";
    feature_3_0_link_example: feature_3_0_link_example, "specs/features/3.0/link-example.yaml";
    feature_3_0_parameters_common: feature_3_0_parameters_common, "specs/features/3.0/parameters-common.yaml";
    feature_3_0_parameters_cookies: feature_3_0_parameters_cookies, "specs/features/3.0/parameters-cookies.yaml";
    feature_3_0_parameters_extreme: feature_3_0_parameters_extreme, "specs/features/3.0/parameters-extreme.yaml";
    feature_3_0_parameters_style: feature_3_0_parameters_style, "specs/features/3.0/parameters-style.yaml";
    feature_3_0_petstore_expanded: feature_3_0_petstore_expanded, "specs/features/3.0/petstore-expanded.yaml";
    feature_3_0_petstore_simple_no_tags: feature_3_0_petstore_simple_no_tags, "specs/features/3.0/petstore-simple-no-tags.yaml";
    feature_3_0_petstore_simple: feature_3_0_petstore_simple, "specs/features/3.0/petstore-simple.yaml";
    feature_3_0_petstore: feature_3_0_petstore, "specs/features/3.0/petstore.yaml";
    feature_3_0_polymorphism: feature_3_0_polymorphism, "specs/features/3.0/polymorphism.yaml";
    feature_3_0_readme_extensions: feature_3_0_readme_extensions, "specs/features/3.0/readme-extensions.yaml";
    feature_3_0_readme_legacy: feature_3_0_readme_legacy, "specs/features/3.0/readme-legacy.yaml";
    feature_3_0_request_examples: feature_3_0_request_examples, "specs/features/3.0/request-examples.yaml";
    feature_3_0_response_examples: feature_3_0_response_examples, "specs/features/3.0/response-examples.yaml";
    feature_3_0_response_http_behavior: feature_3_0_response_http_behavior, "specs/features/3.0/response-http-behavior.yaml";
    feature_3_0_response_multiple_mediatypes: feature_3_0_response_multiple_mediatypes, "specs/features/3.0/response-multiple-mediatypes.yaml";
    feature_3_0_response_schemas: feature_3_0_response_schemas, "specs/features/3.0/response-schemas.yaml";
    feature_3_0_schema_additional_properties: feature_3_0_schema_additional_properties, "specs/features/3.0/schema-additional-properties.yaml";
    feature_3_0_schema_circular: feature_3_0_schema_circular, "specs/features/3.0/schema-circular.yaml";
    feature_3_0_schema_deprecated: feature_3_0_schema_deprecated, "specs/features/3.0/schema-deprecated.yaml";
    feature_3_0_schema_encoding_style: feature_3_0_schema_encoding_style, "specs/features/3.0/schema-encoding-style.yaml";
    feature_3_0_schema_enums: feature_3_0_schema_enums, "specs/features/3.0/schema-enums.yaml";
    feature_3_0_schema_types: feature_3_0_schema_types, "specs/features/3.0/schema-types.yaml";
    feature_3_0_schema_validation: feature_3_0_schema_validation, "specs/features/3.0/schema-validation.yaml";
    feature_3_0_schema_visibility: feature_3_0_schema_visibility, "specs/features/3.0/schema-visibility.yaml";
    feature_3_0_security_multiple: feature_3_0_security_multiple, "specs/features/3.0/security-multiple.yaml";
    feature_3_0_security: feature_3_0_security, "specs/features/3.0/security.yaml";
    feature_3_0_server_path_level: feature_3_0_server_path_level, "specs/features/3.0/server-path-level.yaml";
    feature_3_0_server_variables: feature_3_0_server_variables, "specs/features/3.0/server-variables.yaml";
    feature_3_0_star_trek: feature_3_0_star_trek, "specs/features/3.0/star-trek.yaml";
    feature_3_0_uspto: feature_3_0_uspto, "specs/features/3.0/uspto.yaml";
    feature_3_1_parameters_style: feature_3_1_parameters_style, "specs/features/3.1/parameters-style.yaml";
    feature_3_1_petstore_simple: feature_3_1_petstore_simple, "specs/features/3.1/petstore-simple.yaml";
    feature_3_1_petstore: feature_3_1_petstore, "specs/features/3.1/petstore.yaml";
    feature_3_1_readme_extensions: feature_3_1_readme_extensions, "specs/features/3.1/readme-extensions.yaml";
    feature_3_1_readme: feature_3_1_readme, "specs/features/3.1/readme.yaml";
    feature_3_1_schema_encoding_style: feature_3_1_schema_encoding_style, "specs/features/3.1/schema-encoding-style.yaml";
    feature_3_1_schema_types: feature_3_1_schema_types, "specs/features/3.1/schema-types.yaml";
    feature_3_1_schema_validation_local: feature_3_1_schema_validation_local, "specs/features/3.1/schema-validation-local.yaml";
    feature_3_1_schema_validation_top_level: feature_3_1_schema_validation_top_level, "specs/features/3.1/schema-validation-top-level.yaml";
    feature_3_1_security: feature_3_1_security, "specs/features/3.1/security.yaml";
    feature_3_1_train_travel: feature_3_1_train_travel, "specs/features/3.1/train-travel.yaml";
    feature_uniapi_constraints: feature_uniapi_constraints, "specs/features/uniapi/constraints.yaml";
    feature_uniapi_constraints_3_1: feature_uniapi_constraints_3_1, "specs/features/uniapi/constraints-3.1.yaml";
    feature_uniapi_events: feature_uniapi_events, "specs/features/uniapi/events.yaml";
    feature_uniapi_formats: feature_uniapi_formats, "specs/features/uniapi/formats.yaml";
    feature_uniapi_items_3_2: feature_uniapi_items_3_2, "specs/features/uniapi/items-3.2.yaml";
    feature_uniapi_multi_file: feature_uniapi_multi_file, "specs/features/uniapi/multi-file.yaml";
    feature_uniapi_multipart: feature_uniapi_multipart, "specs/features/uniapi/multipart.yaml";
    feature_uniapi_names: feature_uniapi_names, "specs/features/uniapi/names.yaml";
    feature_uniapi_streams: feature_uniapi_streams, "specs/features/uniapi/streams.yaml";
    feature_uniapi_types: feature_uniapi_types, "specs/features/uniapi/types.yaml";
    feature_uniapi_sdk: feature_uniapi_sdk, "specs/features/uniapi/sdk.yaml";
}

/// Prism's `sl-violations` of every attempt the client makes.
#[derive(Default, Clone)]
struct Violations(Arc<Mutex<Vec<String>>>);

impl feature_uniapi_sdk::client::Hook for Violations {
    fn after(
        &self,
        attempt: &feature_uniapi_sdk::client::Attempt,
        outcome: Result<&reqwest::Response, &feature_uniapi_sdk::Error>,
    ) {
        match outcome {
            Ok(response) => {
                let violations = response_violations(response);
                if !violations.is_empty() {
                    self.0
                        .lock()
                        .unwrap()
                        .push(format!("{}: {violations:?}", attempt.operation));
                }
                // Prism's own answers to what breaks the spec (the
                // server's documented 503s pass through).
                if matches!(response.status().as_u16(), 422 | 500) {
                    self.0.lock().unwrap().push(format!(
                        "{}: Prism answered {}",
                        attempt.operation,
                        response.status()
                    ));
                }
            }
            Err(error) => self
                .0
                .lock()
                .unwrap()
                .push(format!("{}: {error}", attempt.operation)),
        }
    }
}

/// `sl-violations` as Prism writes it: a JSON list.
fn response_violations(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("sl-violations")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .filter(|v| v != "[]")
        .collect()
}

/// Pages through Prism's validating proxy, in front of the generated
/// server: every page request the client makes (the first from the typed
/// request, the others from `Link` headers and cursors) and every page the
/// server answers must satisfy the spec.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_pass_prism_s_validating_proxy() {
    use feature_uniapi_sdk::{Client, api};
    use futures_util::StreamExt as _;

    let Some(bin) = prism() else { return };
    let (shop, upstream) = crate::sdk::shop().await;
    let prism = start_prism_as(
        &bin,
        &root().join("specs/features/uniapi/sdk.yaml"),
        Some(&upstream),
    );
    let violations = Violations::default();
    let client = Client::builder(&prism.base)
        .credentials(api::Credentials {
            oauth: Some("static".into()),
        })
        .hook(violations.clone())
        .build()
        .unwrap();
    let repos = api::ListReposRequest::new().per_page(20).unwrap();
    let repos: Vec<_> = client.paginate().list_repos(repos).collect().await;
    assert_eq!(repos.len(), 95);
    assert!(repos.iter().all(Result::is_ok));
    let events: Vec<_> = client
        .paginate()
        .list_events(api::ListEventsRequest::new())
        .collect()
        .await;
    assert_eq!(events.len(), 25);
    let users: Vec<_> = client
        .paginate()
        .list_users(api::ListUsersRequest::new())
        .collect()
        .await;
    assert_eq!(users.len(), 47);

    // A payment retried twice through the proxy: one key on every
    // attempt, and the raw status and URL of the answer.
    shop.fail.store(2, std::sync::atomic::Ordering::SeqCst);
    let payment =
        api::CreatePaymentRequest::new(feature_uniapi_sdk::types::PaymentInput { cents: 250 });
    let answer = client.raw().create_payment(payment).await.unwrap();
    assert_eq!(answer.status, 201);
    assert_eq!(answer.url.as_str(), format!("{}/payments", prism.base));
    let keys = shop.payments.lock().unwrap().clone();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.iter().all(|k| k.is_some() && *k == keys[0]),
        "{keys:?}"
    );
    assert!(
        violations.0.lock().unwrap().is_empty(),
        "{:?}",
        violations.0.lock().unwrap()
    );
}

/// The check above can fail: Prism does report a request that breaks the spec.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prism_reports_an_invalid_request() {
    let Some(bin) = prism() else { return };
    let prism = start_prism(&bin, &root().join("specs/petstore.yaml"));
    let raw = Raw {
        method: "GET".into(),
        target: "/pets?limit=many".into(),
        headers: Vec::new(),
        body: None,
    };
    let response = send(&reqwest::Client::new(), &prism.base, &raw)
        .await
        .expect("prism answers");
    assert_eq!(
        request_violations(response.headers()),
        ["Request query parameter limit must be integer"]
    );
}
