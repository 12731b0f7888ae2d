//! The puppy shop written by hand over plain axum extractors: the same
//! logic as `generated-example/examples/shop` and the same JSON as the
//! generated server, for the operations the benchmarks load (list, get,
//! add to cart) and the cart.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::{SEEDED, seed};

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Size {
    Small,
    Medium,
    Large,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Puppy {
    id: i64,
    name: String,
    breed: String,
    size: Size,
    price_cents: i64,
    adopted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
}

#[derive(Serialize)]
struct PuppyPage {
    items: Vec<Puppy>,
    total: i64,
    next: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CartItemInput {
    puppy_id: i64,
    note: Option<String>,
}

#[derive(Clone, Serialize)]
struct CartItem {
    puppy: Puppy,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Cart {
    items: Vec<CartItem>,
    total_cents: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    breed: Option<String>,
    size: Option<Size>,
    max_price_cents: Option<i64>,
    limit: Option<i32>,
    offset: Option<i32>,
}

struct Shop {
    puppies: Mutex<BTreeMap<i64, Puppy>>,
    carts: Mutex<HashMap<String, Vec<CartItem>>>,
}

type Shared = State<Arc<Shop>>;

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(serde_json::json!({ "code": code, "message": message })),
    )
        .into_response()
}

/// A 4xx `application/problem+json` answer, as the generated server gives.
fn problem(status: StatusCode, detail: String) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

fn etag<T: Serialize>(body: &T) -> String {
    let mut hasher = DefaultHasher::new();
    serde_json::to_vec(body)
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .map(|(_, token)| token.trim().to_owned())
}

fn unauthorized() -> Response {
    let mut response = problem(
        StatusCode::UNAUTHORIZED,
        "credentials are missing or malformed".into(),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

fn cart_of(items: &[CartItem]) -> Cart {
    Cart {
        total_cents: items.iter().map(|i| i.puppy.price_cents).sum(),
        items: items.to_vec(),
    }
}

async fn list_puppies(
    State(shop): Shared,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return problem(StatusCode::BAD_REQUEST, "invalid query".into());
    };
    let limit = q.limit.unwrap_or(20);
    let offset = q.offset.unwrap_or(0);
    if !(1..=100).contains(&limit) || offset < 0 || q.max_price_cents.is_some_and(|m| m < 0) {
        return problem(
            StatusCode::BAD_REQUEST,
            "a parameter is out of range".into(),
        );
    }
    let (limit, offset) = (limit as usize, offset as usize);
    let Ok(puppies) = shop.puppies.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let matching: Vec<&Puppy> = puppies
        .values()
        .filter(|p| q.breed.as_ref().is_none_or(|b| &p.breed == b))
        .filter(|p| {
            q.size
                .as_ref()
                .is_none_or(|s| std::mem::discriminant(&p.size) == std::mem::discriminant(s))
        })
        .filter(|p| q.max_price_cents.is_none_or(|max| p.price_cents <= max))
        .collect();
    let items: Vec<Puppy> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|p| (*p).clone())
        .collect();
    let next = (offset + limit < matching.len())
        .then(|| format!("offset={}&limit={limit}", offset + limit));
    let body = PuppyPage {
        items,
        total: matching.len() as i64,
        next,
    };
    let tag = etag(&body);
    (
        [
            (header::ETAG, tag),
            (header::CACHE_CONTROL, "public, max-age=60".to_owned()),
        ],
        Json(body),
    )
        .into_response()
}

async fn get_puppy(
    State(shop): Shared,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return problem(StatusCode::BAD_REQUEST, "invalid puppyId".into());
    };
    let Ok(puppies) = shop.puppies.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match puppies.get(&id) {
        Some(puppy) => Json(puppy.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "not_found", format!("no puppy {id}")),
    }
}

async fn get_cart(State(shop): Shared, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return unauthorized();
    };
    let Ok(carts) = shop.carts.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    Json(cart_of(
        carts.get(&token).map(Vec::as_slice).unwrap_or_default(),
    ))
    .into_response()
}

async fn add_cart_item(
    State(shop): Shared,
    headers: HeaderMap,
    body: Result<Json<CartItemInput>, JsonRejection>,
) -> Response {
    let Some(token) = bearer(&headers) else {
        return unauthorized();
    };
    let input = match body {
        Ok(Json(input)) => input,
        Err(rejection) => return problem(StatusCode::BAD_REQUEST, rejection.body_text()),
    };
    let puppy = {
        let Ok(puppies) = shop.puppies.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        match puppies.get(&input.puppy_id) {
            Some(p) => p.clone(),
            None => {
                let message = format!("no puppy {}", input.puppy_id);
                return error(StatusCode::NOT_FOUND, "not_found", message);
            }
        }
    };
    let Ok(mut carts) = shop.carts.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let items = carts.entry(token).or_default();
    if items.iter().any(|i| i.puppy.id == puppy.id) {
        return error(
            StatusCode::BAD_REQUEST,
            "duplicate",
            "the puppy is in the cart already".into(),
        );
    }
    items.push(CartItem {
        puppy,
        note: input.note,
    });
    (StatusCode::CREATED, Json(cart_of(items))).into_response()
}

/// The hand-written server's router, seeded with [`SEEDED`] puppies.
pub fn router() -> Router {
    let sizes = [Size::Small, Size::Medium, Size::Large];
    let puppies = seed(SEEDED)
        .map(|(id, name, breed, size, price_cents)| {
            let puppy = Puppy {
                id,
                name,
                breed: breed.to_owned(),
                size: sizes[size].clone(),
                price_cents,
                adopted: false,
                tags: Some(vec!["vaccinated".into()]),
            };
            (id, puppy)
        })
        .collect();
    let shop = Arc::new(Shop {
        puppies: Mutex::new(puppies),
        carts: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/puppies", get(list_puppies))
        .route("/puppies/{puppyId}", get(get_puppy))
        .route("/cart", get(get_cart))
        .route("/cart/items", post(add_cart_item))
        .with_state(shop)
}
