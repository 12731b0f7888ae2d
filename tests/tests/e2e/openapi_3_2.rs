//! OpenAPI 3.2 over TCP: `QUERY` and `additionalOperations` routed beside
//! the fixed methods (`specs/features/uniapi/methods-3.2.yaml`), the whole
//! query string as a form, and a discriminator's `defaultMapping`
//! (`additions-3.2.yaml`), each sent by the generated client and by hand.

use std::sync::{Arc, Mutex};

use additions::Api as _;
use feature_uniapi_additions_3_2 as additions;
use feature_uniapi_methods_3_2 as methods;
use methods::Api as _;

/// A library of two books that records the `Link` headers it is sent.
#[derive(Clone, Default)]
struct Library {
    links: Arc<Mutex<Vec<(i64, String)>>>,
}

fn books() -> Vec<methods::types::Book> {
    [(1, "Dune"), (2, "Dune Messiah"), (3, "Emma")]
        .into_iter()
        .map(|(id, title)| methods::types::Book {
            id,
            title: title.into(),
        })
        .collect()
}

impl methods::Api for Library {
    async fn list_books(
        &self,
        _: methods::api::ListBooksRequest,
    ) -> Result<methods::api::ListBooksResponse, methods::Error> {
        Ok(methods::api::ListBooksResponse::Ok(books()))
    }
    async fn search_books(
        &self,
        r: methods::api::SearchBooksRequest,
    ) -> Result<methods::api::SearchBooksResponse, methods::Error> {
        let title = r.body.title.unwrap_or_default();
        let found = books()
            .into_iter()
            .filter(|b| b.title.contains(&title))
            .take(*r.body.limit as usize)
            .collect();
        Ok(methods::api::SearchBooksResponse::Ok(found))
    }
    async fn link_book(
        &self,
        r: methods::api::LinkBookRequest,
    ) -> Result<methods::api::LinkBookResponse, methods::Error> {
        self.links.lock().unwrap().push((r.id, r.link));
        Ok(methods::api::LinkBookResponse::NoContent)
    }
    async fn purge_book(
        &self,
        _: methods::api::PurgeBookRequest,
    ) -> Result<methods::api::PurgeBookResponse, methods::Error> {
        Ok(methods::api::PurgeBookResponse::Accepted)
    }
    async fn purge_cache(
        &self,
        _: methods::api::PurgeCacheRequest,
    ) -> Result<methods::api::PurgeCacheResponse, methods::Error> {
        Ok(methods::api::PurgeCacheResponse::NoContent)
    }
}

fn method(name: &str) -> reqwest::Method {
    reqwest::Method::from_bytes(name.as_bytes()).unwrap()
}

#[tokio::test]
async fn query_and_other_methods_are_served_beside_the_fixed_ones() {
    let library = Library::default();
    let base = crate::serve(methods::router(library.clone())).await;
    let client = methods::Client::new(&base);

    // QUERY with a body, through the client.
    let search = serde_json::from_value(serde_json::json!({"title": "Dune", "limit": 1})).unwrap();
    let found = client
        .search_books(methods::api::SearchBooksRequest::new(search))
        .await
        .unwrap();
    let methods::api::SearchBooksResponse::Ok(found) = found;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].title, "Dune");
    // GET on the same path still lists.
    let methods::api::ListBooksResponse::Ok(all) = client
        .list_books(methods::api::ListBooksRequest::new())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);

    // LINK and PURGE, with a path parameter and a header.
    client
        .link_book(methods::api::LinkBookRequest::new(
            2,
            "</books/1>; rel=\"prequel\"".into(),
        ))
        .await
        .unwrap();
    assert_eq!(
        *library.links.lock().unwrap(),
        [(2, "</books/1>; rel=\"prequel\"".to_owned())]
    );
    assert!(matches!(
        client
            .purge_book(methods::api::PurgeBookRequest::new(2))
            .await,
        Ok(methods::api::PurgeBookResponse::Accepted)
    ));
    assert!(matches!(
        client
            .purge_cache(methods::api::PurgeCacheRequest::new())
            .await,
        Ok(methods::api::PurgeCacheResponse::NoContent)
    ));

    // By hand: QUERY's body is checked as any body is.
    let http = reqwest::Client::new();
    let bad = http
        .request(method("QUERY"), format!("{base}/books"))
        .header("content-type", "application/json")
        .body(r#"{"limit": 0}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");

    // A method the path does not have: 405, `Allow` naming every one.
    for (verb, path, allow) in [
        ("DELETE", "/books", "GET, HEAD, QUERY"),
        ("PURGE", "/books", "GET, HEAD, QUERY"),
        ("GET", "/books/1", "LINK, PURGE"),
        ("COPY", "/books/1", "LINK, PURGE"),
        ("GET", "/cache", "PURGE"),
    ] {
        let refused = http
            .request(method(verb), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 405, "{verb} {path}");
        assert_eq!(refused.headers()["allow"], allow, "{verb} {path}");
        assert_eq!(
            refused.headers()["content-type"],
            "application/problem+json"
        );
    }
}

/// A shop whose `findPets` and `searchPets` record the query they were
/// given, and whose `addPet` echoes the pet.
#[derive(Clone, Default)]
struct Shop {
    filters: Arc<Mutex<Vec<Option<additions::types::PetFilter>>>>,
    queries: Arc<Mutex<Vec<additions::types::PetQuery>>>,
}

impl additions::api::InsecureAcceptAnyCredential for Shop {}

impl additions::Api for Shop {
    async fn find_pets(
        &self,
        r: additions::api::FindPetsRequest,
    ) -> Result<additions::api::FindPetsResponse, additions::Error> {
        self.filters.lock().unwrap().push(r.filter);
        Ok(additions::api::FindPetsResponse::Ok(Vec::new()))
    }
    async fn search_pets(
        &self,
        r: additions::api::SearchPetsRequest,
    ) -> Result<additions::api::SearchPetsResponse, additions::Error> {
        self.queries.lock().unwrap().push(r.query);
        Ok(additions::api::SearchPetsResponse::Ok(Vec::new()))
    }
    async fn add_pet(
        &self,
        r: additions::api::AddPetRequest,
    ) -> Result<additions::api::AddPetResponse, additions::Error> {
        Ok(additions::api::AddPetResponse::Created(r.body))
    }
}

#[tokio::test]
async fn the_whole_query_string_is_one_form_parameter() {
    let shop = Shop::default();
    let base = crate::serve(additions::router(shop.clone())).await;
    let client = additions::Client::new(&base);

    let filter = additions::types::PetFilter {
        kind: Some("cat".into()),
        name: Some("Tom & Jerry".into()),
        limit: Some(2.try_into().unwrap()),
        // A key the schema does not name (it allows any) travels too.
        additional_properties: [("colour".to_owned(), serde_json::json!("grey"))].into(),
    };
    let request = additions::api::FindPetsRequest::new().filter(filter.clone());
    client.find_pets(request).await.unwrap();
    client
        .find_pets(additions::api::FindPetsRequest::new())
        .await
        .unwrap();

    // By hand: the keys are the form's, not the parameter's name.
    let http = reqwest::Client::new();
    let ok = http
        .get(format!("{base}/pets?kind=dog&limit=5&colour=red"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let bad = http
        .get(format!("{base}/pets?limit=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let seen = shop.filters.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0].as_ref(), Some(&filter));
    // No keys at all: the optional form is absent or empty.
    assert!(
        seen[1]
            .as_ref()
            .is_none_or(|f| f.kind.is_none() && f.name.is_none() && f.limit.is_none()),
        "{:?}",
        seen[1]
    );
    let by_hand = seen[2].as_ref().expect("a filter");
    assert_eq!(by_hand.kind.as_deref(), Some("dog"));
    assert_eq!(by_hand.limit.as_ref().map(|l| **l), Some(5));
    assert_eq!(
        by_hand.additional_properties,
        [("colour".to_owned(), serde_json::json!("red"))].into()
    );
}

#[tokio::test]
async fn a_tag_no_mapping_names_reads_as_the_default_variant() {
    use additions::types::{AnyPet, Cat, Pet};
    let base = crate::serve(additions::router(Shop::default())).await;
    let client = additions::Client::new(&base).with_credentials(additions::Credentials {
        device: Some("token".into()),
        ..additions::Credentials::default()
    });
    let add = |pet: Pet| client.add_pet(additions::api::AddPetRequest::new(pet));

    let parrot = Pet::AnyPet(AnyPet {
        kind: "parrot".into(),
        name: "Polly".into(),
    });
    let additions::api::AddPetResponse::Created(back) = add(parrot.clone()).await.unwrap();
    assert_eq!(back, parrot, "the default variant keeps its own tag");
    let cat = Pet::Cat(Cat {
        kind: "cat".into(),
        name: "Tom".into(),
        lives: Some(9),
    });
    let additions::api::AddPetResponse::Created(back) = add(cat.clone()).await.unwrap();
    assert_eq!(back, cat);

    // By hand: an unknown tag is the default variant; a known one whose
    // body does not fit is refused, not read as the default.
    let post = |body: &'static str| {
        reqwest::Client::new()
            .post(format!("{base}/pets"))
            .bearer_auth("token")
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let unknown = post(r#"{"kind": "axolotl", "name": "Ax"}"#).await.unwrap();
    assert_eq!(unknown.status(), 201);
    let echoed: serde_json::Value =
        serde_json::from_slice(&unknown.bytes().await.unwrap()).unwrap();
    assert_eq!(echoed["kind"], "axolotl");
    let broken_cat = post(r#"{"kind": "cat"}"#).await.unwrap();
    assert_eq!(broken_cat.status(), 400);
}

#[tokio::test]
async fn the_whole_query_string_is_one_json_value() {
    let shop = Shop::default();
    let base = crate::serve(additions::router(shop.clone())).await;
    let query: additions::types::PetQuery = serde_json::from_value(serde_json::json!({
        "kinds": ["cat", "dog & co"],
        "names": {"Tom": true}
    }))
    .unwrap();
    additions::Client::new(&base)
        .search_pets(additions::api::SearchPetsRequest::new(query.clone()))
        .await
        .unwrap();

    // By hand: the JSON text, percent-encoded, is the query.
    let http = reqwest::Client::new();
    let get = |q: &str| http.get(format!("{base}/pets/search?{q}")).send();
    let ok = get("%7B%22kinds%22%3A%5B%22parrot%22%5D%7D").await.unwrap();
    assert_eq!(ok.status(), 200);
    for bad in ["", "kinds=cat", "%7B%22kinds%22%3A1%7D", "%FF"] {
        let refused = get(bad).await.unwrap();
        assert_eq!(refused.status(), 400, "?{bad}");
        assert_eq!(
            refused.headers()["content-type"],
            "application/problem+json"
        );
    }
    let seen = shop.queries.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0], query);
    assert_eq!(seen[1].kinds, ["parrot"]);
}
