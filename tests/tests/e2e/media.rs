//! Bodies in several media types (`specs/features/uniapi/media.yaml`): a
//! request body is an enum, the client sends each variant in its media
//! type, the server reads the variant that `Content-Type` names and answers
//! 415 to others; a response body is an enum too, which the handler picks by
//! `Accept` (406 before it runs when `Accept` takes none) and the client
//! reads by `Content-Type`.

use feature_uniapi_media::{Api, Client, Error, api, types};

/// Tells what arrived: the variant, and the note's text.
struct Echo;

fn received(media: &str, text: Option<String>) -> types::Received {
    types::Received {
        media: media.to_owned(),
        text,
    }
}

impl Api for Echo {
    async fn post_note(&self, r: api::PostNoteRequest) -> Result<api::PostNoteResponse, Error> {
        let answer = match r.body {
            api::PostNoteBody::Json(note) => received("json", Some(note.text)),
            api::PostNoteBody::Form(note) => received("form", Some(note.text)),
            api::PostNoteBody::Text(text) => received("text", Some(text)),
            api::PostNoteBody::Xml(stream) => {
                let bytes = stream.into_bytes().await.map_err(Error::other)?;
                received("xml", Some(String::from_utf8_lossy(&bytes).into_owned()))
            }
        };
        Ok(api::PostNoteResponse::Ok(answer))
    }

    async fn put_note(&self, r: api::PutNoteRequest) -> Result<api::PutNoteResponse, Error> {
        let answer = match r.body {
            None => received("none", None),
            Some(api::PutNoteBody::Json(note)) => received("json", Some(note.text)),
            Some(api::PutNoteBody::VndNoteJson(note)) => received("vnd", Some(note.text)),
            Some(api::PutNoteBody::Image(stream)) => {
                let bytes = stream.into_bytes().await.map_err(Error::other)?;
                received("image", Some(bytes.len().to_string()))
            }
        };
        Ok(api::PutNoteResponse::Ok(answer))
    }

    /// Answers in the first media type the caller's `Accept` takes.
    async fn get_note(&self, r: api::GetNoteRequest) -> Result<api::GetNoteResponse, Error> {
        let body = if r.context.accepts("application/json") {
            api::GetNoteOkBody::Json(note(&r.id))
        } else if r.context.accepts("text/plain") {
            api::GetNoteOkBody::Text(format!("note {}", r.id))
        } else {
            let xml = format!("<note><text>{}</text></note>", r.id);
            api::GetNoteOkBody::Xml(xml.into())
        };
        Ok(api::GetNoteResponse::Ok(body))
    }
}

fn note(text: &str) -> types::Note {
    types::Note {
        text: text.to_owned(),
        pinned: Some(true),
    }
}

#[tokio::test]
async fn each_variant_travels_in_its_media_type() {
    let base = crate::serve(feature_uniapi_media::router(Echo)).await;
    let client = Client::new(&base);
    for (body, media, text) in [
        (api::PostNoteBody::Json(note("a")), "json", "a"),
        (api::PostNoteBody::Form(note("b c")), "form", "b c"),
        (api::PostNoteBody::Text("d\ne".into()), "text", "d\ne"),
        (
            api::PostNoteBody::Xml(b"<note><text>f</text></note>"[..].into()),
            "xml",
            "<note><text>f</text></note>",
        ),
    ] {
        let api::PostNoteResponse::Ok(got) = client
            .post_note(api::PostNoteRequest::new(body))
            .await
            .unwrap();
        assert_eq!(got, received(media, Some(text.into())));
    }
    for (body, media, text) in [
        (None, "none", None),
        (Some(api::PutNoteBody::Json(note("g"))), "json", Some("g")),
        (
            Some(api::PutNoteBody::VndNoteJson(note("h"))),
            "vnd",
            Some("h"),
        ),
        (
            Some(api::PutNoteBody::Image(vec![0x89, b'P', b'N', b'G'].into())),
            "image",
            Some("4"),
        ),
    ] {
        let mut request = api::PutNoteRequest::new();
        request.body = body;
        let api::PutNoteResponse::Ok(got) = client.put_note(request).await.unwrap();
        assert_eq!(got, received(media, text.map(str::to_owned)));
    }
}

#[tokio::test]
async fn the_server_dispatches_on_content_type() {
    let base = crate::serve(feature_uniapi_media::router(Echo)).await;
    let http = reqwest::Client::new();
    let send = |method: &str, content_type: Option<&str>, body: &'static [u8]| {
        let mut request = http.request(method.parse().unwrap(), format!("{base}/notes"));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.body(body).send()
    };
    let json = br#"{"text":"x"}"#;
    for (method, content_type, body, media) in [
        ("POST", "application/json", &json[..], "json"),
        ("POST", "application/json; charset=utf-8", json, "json"),
        ("POST", "Application/JSON", json, "json"),
        (
            "POST",
            "application/x-www-form-urlencoded",
            b"text=x",
            "form",
        ),
        ("POST", "text/plain; charset=utf-8", b"x", "text"),
        ("POST", "application/xml", b"<x/>", "xml"),
        ("PUT", "application/vnd.note+json", json, "vnd"),
        ("PUT", "application/problem+json", json, "json"),
        ("PUT", "image/png", b"\x89PNG", "image"),
        ("PUT", "image/svg+xml", b"<svg/>", "image"),
    ] {
        let response = send(method, Some(content_type), body).await.unwrap();
        assert_eq!(response.status(), 200, "{method} {content_type}");
        let got: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(got["media"], media, "{method} {content_type}");
    }
    // Others get 415, naming what the operation takes.
    for (method, content_type) in [
        ("POST", Some("text/csv")),
        ("POST", Some("application/octet-stream")),
        ("POST", None),
        ("PUT", Some("text/plain")),
    ] {
        let response = send(method, content_type, b"x").await.unwrap();
        assert_eq!(response.status(), 415, "{method} {content_type:?}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("`application/json`"), "{detail}");
    }
    // A required body that is absent is a 400; an optional one is `None`.
    let response = send("POST", None, b"").await.unwrap();
    assert_eq!(response.status(), 400);
    let response = send("PUT", None, b"").await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn responses_follow_accept_and_are_read_by_content_type() {
    let base = crate::serve(feature_uniapi_media::router(Echo)).await;
    let client = Client::new(&base);
    let get = |accept: Option<&'static str>| {
        let mut request = api::GetNoteRequest::new("n1".into());
        if let Some(accept) = accept {
            request
                .context
                .headers
                .insert("accept", http::HeaderValue::from_static(accept));
        }
        client.get_note(request)
    };
    let api::GetNoteResponse::Ok(body) = get(None).await.unwrap();
    assert!(
        matches!(body, api::GetNoteOkBody::Json(ref n) if n.text == "n1"),
        "{body:?}"
    );
    let api::GetNoteResponse::Ok(body) = get(Some("text/plain")).await.unwrap();
    assert!(
        matches!(body, api::GetNoteOkBody::Text(ref t) if t == "note n1"),
        "{body:?}"
    );
    let api::GetNoteResponse::Ok(body) = get(Some("application/xml, application/json;q=0"))
        .await
        .unwrap();
    let api::GetNoteOkBody::Xml(xml) = body else {
        panic!("{body:?}")
    };
    assert_eq!(
        &xml.into_bytes().await.unwrap()[..],
        b"<note><text>n1</text></note>"
    );

    // An `Accept` that takes none of the three: 406 before the handler.
    let response = reqwest::Client::new()
        .get(format!("{base}/notes/n1"))
        .header("accept", "image/png")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 406);
    let problem: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("application/json") && detail.contains("text/plain"),
        "{detail}"
    );
}
