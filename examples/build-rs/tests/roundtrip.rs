//! The code that build.rs generated serves and calls, end to end.

use build_rs_example::{Api, Client, Error, api, types};

struct OnePet;

impl Api for OnePet {
    async fn list_pets(&self, _: api::ListPetsRequest) -> Result<api::ListPetsResponse, Error> {
        let pet = types::Pet {
            id: 7,
            name: "Built".into(),
            tag: None,
        };
        Ok(api::ListPetsResponse::Ok {
            body: vec![pet].try_into().unwrap(),
            x_next: None,
        })
    }

    async fn create_pets(
        &self,
        _: api::CreatePetsRequest,
    ) -> Result<api::CreatePetsResponse, Error> {
        Ok(api::CreatePetsResponse::Created)
    }

    async fn show_pet_by_id(
        &self,
        request: api::ShowPetByIdRequest,
    ) -> Result<api::ShowPetByIdResponse, Error> {
        Err(Error::other(format!(
            "no pet store behind {}",
            request.pet_id
        )))
    }
}

#[tokio::test]
async fn generated_at_build_time_and_working() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, build_rs_example::router(OnePet))
            .await
            .unwrap()
    });
    let client = Client::new(&base);

    let response = client.list_pets(api::ListPetsRequest::new()).await.unwrap();
    assert!(
        matches!(response, api::ListPetsResponse::Ok { ref body, .. } if body[0].name == "Built"),
        "{response:?}"
    );

    // A handler's `Err` is a 500 problem that does not leak the message.
    let raw = reqwest::get(format!("{base}/pets/1")).await.unwrap();
    assert_eq!(raw.status(), 500);
    let body = raw.text().await.unwrap();
    assert!(!body.contains("no pet store"), "{body}");
}
