//! `multipart/form-data` request bodies (`specs/features/uniapi/multipart.yaml`):
//! the generated client writes each property as its part (text, JSON, files,
//! bytes, repeated parts, `encoding` content types) and the generated server
//! reads them back into the body's struct, exactly; hand-written bodies in
//! the wire form are read too; a missing required part is a 400 naming it,
//! another content type a 415, a body over the limit a 413.

use std::sync::{Arc, Mutex};

use feature_uniapi_multipart::{Api, Client, Error, api, types};

/// Keeps every body that arrived.
#[derive(Clone, Default)]
struct Keep(Arc<Mutex<Vec<types::Upload>>>);

impl Api for Keep {
    async fn upload(&self, r: api::UploadRequest) -> Result<api::UploadResponse, Error> {
        self.0.lock().unwrap().push(r.body);
        Ok(api::UploadResponse::Ok(types::Stored { parts: 1 }))
    }

    async fn put_avatar(&self, r: api::PutAvatarRequest) -> Result<api::PutAvatarResponse, Error> {
        match r.body {
            Some(api::PutAvatarBody::Multipart(body))
                if body.image.as_ref().map(|f| f.bytes.as_slice()) == Some(b"\x89PNG") =>
            {
                Ok(api::PutAvatarResponse::NoContent)
            }
            Some(api::PutAvatarBody::Json(_)) | None => Ok(api::PutAvatarResponse::NoContent),
            other => Err(Error::other(std::io::Error::other(format!("{other:?}")))),
        }
    }
}

/// Every property set; file bytes that are not UTF-8 and hold CR LF and
/// dashes, a file name with a quote.
fn full() -> types::Upload {
    types::Upload {
        title: "Grüße, \"world\"\r\n--".into(),
        count: Some(-42),
        ratio: Some(0.1),
        public: Some(false),
        kind: Some(types::UploadKind::Scan),
        when: Some("2024-05-06T07:08:09.123Z".parse().unwrap()),
        note: "a note".into(),
        tags: Some(vec!["a".into(), "b, c".into(), String::new()]),
        meta: Some(types::Meta {
            author: Some("Ann".into()),
            pages: Some(3),
        }),
        document: types::FilePart::new(b"\x00\xff\r\n--x\r\n\r\n%PDF".to_vec())
            .with_filename("report \"final\".pdf")
            .with_content_type("application/pdf"),
        attachments: Some(vec![
            types::FilePart::new(vec![0u8; 70_000])
                .with_filename("zeros.bin")
                .with_content_type("application/octet-stream"),
            types::FilePart::new(b"second".to_vec())
                .with_filename("b.txt")
                .with_content_type("text/plain"),
        ]),
        checksum: Some(types::Base64(vec![1, 2, 3, 250])),
    }
}

#[tokio::test]
async fn every_field_and_file_arrives_exactly() {
    let keep = Keep::default();
    let base = crate::serve(feature_uniapi_multipart::router(keep.clone())).await;
    let client = Client::new(&base);
    let sent = full();
    let answer = client
        .upload(api::UploadRequest::new(sent.clone()))
        .await
        .unwrap();
    assert!(matches!(answer, api::UploadResponse::Ok(_)));
    // Only the required ones: the default fills `note`; files without a
    // name or type get the property's name and the `encoding`'s type.
    let minimal = types::Upload {
        title: "t".into(),
        count: None,
        ratio: None,
        public: None,
        kind: None,
        when: None,
        note: "none".into(),
        tags: None,
        meta: None,
        document: types::FilePart::new(b"doc".to_vec()),
        attachments: None,
        checksum: None,
    };
    client
        .upload(api::UploadRequest::new(minimal.clone()))
        .await
        .unwrap();
    let got = keep.0.lock().unwrap().clone();
    assert_eq!(got[0], sent);
    let expected = types::Upload {
        document: types::FilePart::new(b"doc".to_vec())
            .with_filename("document")
            .with_content_type("application/pdf"),
        ..minimal
    };
    assert_eq!(got[1], expected);

    // A body of several media types: the multipart variant, and none.
    let avatar = api::PutAvatarBody::Multipart(types::PutAvatarMultipartBody {
        name: Some("me".into()),
        image: Some(types::FilePart::new(b"\x89PNG".to_vec())),
    });
    let answer = client
        .put_avatar(api::PutAvatarRequest {
            body: Some(avatar),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(matches!(answer, api::PutAvatarResponse::NoContent));
}

async fn post(base: &str, content_type: &str, body: &'static [u8]) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}/uploads"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_hand_written_body_is_read() {
    let keep = Keep::default();
    let base = crate::serve(feature_uniapi_multipart::router(keep.clone())).await;
    // A preamble, parts out of order, an unknown part, a part without a
    // content type, repeated parts, a quoted boundary, an escaped quote.
    let body = b"preamble\r\n\
--XyZ\r\n\
Content-Disposition: form-data; name=\"unknown\"\r\n\
\r\n\
ignored\r\n\
--XyZ\r\n\
Content-Disposition: form-data; name=\"document\"; filename=\"a \\\"b\\\".pdf\"\r\n\
Content-Type: application/pdf\r\n\
\r\n\
%PDF\x00\xff\r\n\
--XyZ\r\n\
content-disposition: form-data; name=title\r\n\
\r\n\
Hello\r\n\
--XyZ\r\n\
Content-Disposition: form-data; name=\"count\"\r\n\
Content-Type: text/plain\r\n\
\r\n\
7\r\n\
--XyZ\r\n\
Content-Disposition: form-data; name=\"tags\"\r\n\
\r\n\
x\r\n\
--XyZ\r\n\
Content-Disposition: form-data; name=\"tags\"\r\n\
\r\n\
y\r\n\
--XyZ\r\n\
Content-Disposition: form-data; name=\"meta\"\r\n\
Content-Type: application/json\r\n\
\r\n\
{\"author\":\"Bo\"}\r\n\
--XyZ\r\n\
Content-Disposition: form-data; name=\"public\"\r\n\
\r\n\
true\r\n\
--XyZ--\r\n\
epilogue";
    let (status, text) = post(&base, "multipart/form-data; boundary=\"XyZ\"", body).await;
    assert_eq!(status, 200, "{text}");
    let got = keep.0.lock().unwrap().pop().unwrap();
    assert_eq!(got.title, "Hello");
    assert_eq!(got.count, Some(7));
    assert_eq!(got.public, Some(true));
    assert_eq!(got.tags, Some(vec!["x".into(), "y".into()]));
    assert_eq!(got.note, "none");
    assert_eq!(
        got.meta,
        Some(types::Meta {
            author: Some("Bo".into()),
            pages: None
        })
    );
    assert_eq!(
        got.document,
        types::FilePart::new(b"%PDF\x00\xff".to_vec())
            .with_filename("a \"b\".pdf")
            .with_content_type("application/pdf")
    );
}

#[tokio::test]
async fn bad_bodies_are_refused() {
    let base = crate::serve(feature_uniapi_multipart::router(Keep::default())).await;
    // The required file is missing.
    let missing = b"--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT\r\n--b--\r\n";
    let (status, text) = post(&base, "multipart/form-data; boundary=b", missing).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("document"), "{text}");
    // A number that is not one.
    let bad = b"--b\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\nmany\r\n--b--\r\n";
    let (status, text) = post(&base, "multipart/form-data; boundary=b", bad).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("count"), "{text}");
    // No boundary, or one the body does not have.
    let (status, _) = post(&base, "multipart/form-data", missing).await;
    assert_eq!(status, 400);
    let (status, _) = post(&base, "multipart/form-data; boundary=zz", missing).await;
    assert_eq!(status, 400);
    // Another media type.
    let (status, text) = post(&base, "application/json", b"{\"title\":\"T\"}").await;
    assert_eq!(status, 415, "{text}");
    assert!(text.contains("multipart/form-data"), "{text}");
}

#[tokio::test]
async fn the_body_limit_holds() {
    let options = feature_uniapi_multipart::server::Options::new().body_limit(1024);
    let base = crate::serve(feature_uniapi_multipart::server::router_with(
        Keep::default(),
        options,
    ))
    .await;
    let mut body = full();
    body.attachments = None;
    body.document = types::FilePart::new(vec![7u8; 4096]);
    let error = Client::new(&base)
        .upload(api::UploadRequest::new(body))
        .await
        .unwrap_err();
    assert!(format!("{error:?}").contains("413"), "{error:?}");
}

mod file_uploads {
    //! `specs/features/3.0/file-uploads.yaml`: a file beside integer fields,
    //! and an array of files (repeated parts of one name).

    use std::sync::{Arc, Mutex};

    use feature_3_0_file_uploads::{Api, Client, Error, api, types};

    #[derive(Clone, Default)]
    struct Keep {
        single: Arc<Mutex<Vec<Option<types::PostAnythingMultipartFormdataBody>>>>,
        multiple: Arc<Mutex<Vec<Option<types::PutAnythingMultipartFormdataBody>>>>,
    }

    impl Api for Keep {
        async fn post_anything_image_png(
            &self,
            _: api::PostAnythingImagePngRequest,
        ) -> Result<api::PostAnythingImagePngResponse, Error> {
            Ok(api::PostAnythingImagePngResponse::Ok)
        }

        async fn put_anything_multipart_formdata(
            &self,
            r: api::PutAnythingMultipartFormdataRequest,
        ) -> Result<api::PutAnythingMultipartFormdataResponse, Error> {
            self.multiple.lock().unwrap().push(r.body);
            Ok(api::PutAnythingMultipartFormdataResponse::Ok)
        }

        async fn post_anything_multipart_formdata(
            &self,
            r: api::PostAnythingMultipartFormdataRequest,
        ) -> Result<api::PostAnythingMultipartFormdataResponse, Error> {
            self.single.lock().unwrap().push(r.body);
            Ok(api::PostAnythingMultipartFormdataResponse::Ok)
        }
    }

    #[tokio::test]
    async fn files_and_fields_arrive_exactly() {
        let keep = Keep::default();
        let base = crate::serve(feature_3_0_file_uploads::router(keep.clone())).await;
        let client = Client::new(&base);
        let single = types::PostAnythingMultipartFormdataBody {
            order_id: Some(i64::MAX),
            user_id: Some(-1),
            document_file: Some(
                types::FilePart::new((0..=255u8).collect::<Vec<_>>())
                    .with_filename("all bytes.bin")
                    .with_content_type("application/x-test"),
            ),
        };
        client
            .post_anything_multipart_formdata(api::PostAnythingMultipartFormdataRequest {
                body: Some(single.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        let files: Vec<types::FilePart> = ["a", "b", "c"]
            .iter()
            .map(|name| {
                types::FilePart::new(format!("file {name}\r\n").into_bytes())
                    .with_filename(format!("{name}.txt"))
                    .with_content_type("text/plain")
            })
            .collect();
        let multiple = types::PutAnythingMultipartFormdataBody {
            filename: Some(files),
        };
        client
            .put_anything_multipart_formdata(api::PutAnythingMultipartFormdataRequest {
                body: Some(multiple.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        // No body at all is no body (the body is optional).
        client
            .put_anything_multipart_formdata(api::PutAnythingMultipartFormdataRequest::new())
            .await
            .unwrap();
        assert_eq!(*keep.single.lock().unwrap(), [Some(single)]);
        assert_eq!(*keep.multiple.lock().unwrap(), [Some(multiple), None]);
    }
}
