//! The OpenAPI Initiative's petstore, every operation, through the client.

use std::sync::Mutex;

use snapshot_petstore::{Api, Client, Error, api, types};

#[derive(Default)]
struct Store {
    pets: Mutex<Vec<types::Pet>>,
}

fn error(code: i32, message: &str) -> types::Error {
    types::Error {
        code,
        message: message.into(),
    }
}

impl Api for Store {
    async fn list_pets(
        &self,
        request: api::ListPetsRequest,
    ) -> Result<api::ListPetsResponse, Error> {
        let pets = self.pets.lock().unwrap();
        // The server has refused limits outside 0..=100 (`maximum: 100`).
        let limit = request.limit.map_or(100, |limit| *limit as usize);
        let page: Vec<types::Pet> = pets.iter().take(limit).cloned().collect();
        let x_next = (page.len() < pets.len()).then(|| format!("/pets?offset={}", page.len()));
        let body = types::Pets::try_from(page).map_err(Error::other)?;
        Ok(api::ListPetsResponse::Ok { body, x_next })
    }

    async fn create_pets(
        &self,
        request: api::CreatePetsRequest,
    ) -> Result<api::CreatePetsResponse, Error> {
        let mut pets = self.pets.lock().unwrap();
        if pets.iter().any(|p| p.id == request.body.id) {
            let status = http::StatusCode::CONFLICT;
            return Ok(api::CreatePetsResponse::Default {
                status,
                body: error(409, "the id is taken"),
            });
        }
        pets.push(request.body);
        Ok(api::CreatePetsResponse::Created)
    }

    async fn show_pet_by_id(
        &self,
        request: api::ShowPetByIdRequest,
    ) -> Result<api::ShowPetByIdResponse, Error> {
        let pets = self.pets.lock().unwrap();
        Ok(
            match pets.iter().find(|p| p.id.to_string() == request.pet_id) {
                Some(pet) => api::ShowPetByIdResponse::Ok(pet.clone()),
                None => api::ShowPetByIdResponse::Default {
                    status: http::StatusCode::NOT_FOUND,
                    body: error(404, &format!("no pet {}", request.pet_id)),
                },
            },
        )
    }
}

fn pet(id: i64, name: &str, tag: Option<&str>) -> types::Pet {
    types::Pet {
        id,
        name: name.into(),
        tag: tag.map(Into::into),
    }
}

#[tokio::test]
async fn every_operation_through_the_client() {
    let base = crate::serve(snapshot_petstore::router(Store::default())).await;
    let client = Client::new(&base);

    for p in [
        pet(1, "Tom", Some("cat")),
        pet(2, "Jerry", None),
        pet(3, "Spike", Some("dog")),
    ] {
        let response = client
            .create_pets(api::CreatePetsRequest::new(p))
            .await
            .unwrap();
        assert!(
            matches!(response, api::CreatePetsResponse::Created),
            "{response:?}"
        );
    }
    let response = client
        .create_pets(api::CreatePetsRequest::new(pet(1, "Tom again", None)))
        .await
        .unwrap();
    assert!(
        matches!(response, api::CreatePetsResponse::Default { status, ref body } if status == 409 && body.code == 409),
        "{response:?}"
    );

    let api::ListPetsResponse::Ok { body, x_next } =
        client.list_pets(api::ListPetsRequest::new()).await.unwrap()
    else {
        panic!("not 200")
    };
    assert_eq!(
        *body,
        vec![
            pet(1, "Tom", Some("cat")),
            pet(2, "Jerry", None),
            pet(3, "Spike", Some("dog"))
        ]
    );
    assert_eq!(x_next, None);

    let request = api::ListPetsRequest::new().limit(2).unwrap();
    let api::ListPetsResponse::Ok { body, x_next } = client.list_pets(request).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(body.len(), 2);
    assert_eq!(x_next.as_deref(), Some("/pets?offset=2"));

    let response = client
        .show_pet_by_id(api::ShowPetByIdRequest::new("2".into()))
        .await
        .unwrap();
    assert!(
        matches!(response, api::ShowPetByIdResponse::Ok(ref p) if p.name == "Jerry"),
        "{response:?}"
    );

    let response = client
        .show_pet_by_id(api::ShowPetByIdRequest::new("42".into()))
        .await
        .unwrap();
    assert!(
        matches!(response, api::ShowPetByIdResponse::Default { status, ref body } if status == 404 && body.code == 404),
        "{response:?}"
    );
}

#[tokio::test]
async fn path_parameters_arrive_unchanged() {
    let base = crate::serve(snapshot_petstore::router(Store::default())).await;
    let client = Client::new(&base);
    // Awkward ids travel percent-encoded and reach the handler as sent.
    for id in ["a/b", "100%", "what?", "with space", "ünïcödé", "#hash"] {
        let response = client
            .show_pet_by_id(api::ShowPetByIdRequest::new(id.into()))
            .await
            .unwrap();
        let api::ShowPetByIdResponse::Default { body, .. } = response else {
            panic!("{response:?}")
        };
        assert_eq!(body.message, format!("no pet {id}"));
    }
}

#[tokio::test]
async fn malformed_bodies_and_parameters_get_400() {
    let base = crate::serve(snapshot_petstore::router(Store::default())).await;
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{base}/pets"))
        .header("content-type", "application/json")
        .body(r#"{"id": "one", "name": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Petstore documents `default` as its `Error {code: int32, message}`:
    // the refusal takes that shape, its message naming both violations.
    assert_eq!(response.headers()["content-type"], "application/json");
    let error: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(error["code"], 400, "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("/id") && message.contains("/name"),
        "{message}"
    );

    let response = http
        .get(format!("{base}/pets?limit=many"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let response = http
        .get(format!("{base}/pets?limit=101"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        400,
        "the handler's documented error, with its status"
    );
}

#[tokio::test]
async fn undocumented_statuses_are_errors_not_panics() {
    // A server that answers 418 to everything.
    let teapot = axum::Router::new()
        .fallback(|| async { (http::StatusCode::IM_A_TEAPOT, "short and stout") });
    let base = crate::serve(teapot).await;
    let client = Client::new(&base);
    let error = client
        .show_pet_by_id(api::ShowPetByIdRequest::new("1".into()))
        .await;
    // `default` is documented, so 418 decodes as it; its body is no Error.
    assert!(
        matches!(error, Err(Error::Decode { status, .. }) if status == 418),
        "{error:?}"
    );

    // Nothing listening: a transport error.
    let client = Client::new("http://127.0.0.1:9");
    let error = client.list_pets(api::ListPetsRequest::new()).await;
    assert!(matches!(error, Err(Error::Transport(_))), "{error:?}");
}
