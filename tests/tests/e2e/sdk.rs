//! The client as an SDK, against the generated server over real sockets
//! (`specs/features/uniapi/sdk.yaml`): lists read in pages by `Link`
//! header, cursor, offset, page number (declared as Speakeasy does) and
//! next URL; OAuth2 client-credentials tokens from a token endpoint
//! (cached, refreshed before expiry, one retry on a 401, one request
//! under concurrency); hooks around each attempt, in order, with retries;
//! one idempotency key across attempts; raw status, headers and URL.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use feature_uniapi_sdk::client::{Attempt, Hook, OAuth2, Retry};
use feature_uniapi_sdk::{Api, Client, Error, api, server, types};
use futures_util::StreamExt as _;

/// The server: 95 repositories, events, users, orders and a feed, each
/// served in pages; payments that fail with 503 `fail` times first; the
/// tokens it takes.
#[derive(Clone, Default)]
pub(crate) struct Shop {
    pub(crate) pages: Arc<AtomicUsize>,
    pub(crate) payments: Arc<Mutex<Vec<Option<String>>>>,
    pub(crate) fail: Arc<AtomicUsize>,
    /// The tokens the server takes; a token endpoint adds to it.
    pub(crate) tokens: Arc<Mutex<Vec<String>>>,
    /// Refuse every token.
    pub(crate) refuse: Arc<std::sync::atomic::AtomicBool>,
}

const REPOS: i64 = 95;

fn page_of(start: i64, size: i64, all: i64) -> std::ops::Range<i64> {
    start.min(all)..(start + size).min(all)
}

impl Api for Shop {
    async fn list_repos(
        &self,
        request: api::ListReposRequest,
    ) -> Result<api::ListReposResponse, Error> {
        self.pages.fetch_add(1, Ordering::SeqCst);
        let (page, size) = (*request.page, *request.per_page);
        let ids = page_of((page - 1) * size, size, REPOS);
        let last = (REPOS + size - 1) / size;
        // Relative and absolute targets both, as servers write them.
        let link = (page < last).then(|| {
            format!(
                "</repos?per_page={size}&page={}>; rel=\"next\", </repos?page={last}>; rel=\"last\"",
                page + 1
            )
        });
        let body = ids
            .map(|id| types::Repo {
                id,
                name: format!("repo-{id}"),
            })
            .collect();
        Ok(api::ListReposResponse::Ok { body, link })
    }

    async fn list_events(
        &self,
        request: api::ListEventsRequest,
    ) -> Result<api::ListEventsResponse, Error> {
        self.pages.fetch_add(1, Ordering::SeqCst);
        let start = match request.cursor.as_deref() {
            None => 0,
            Some(cursor) => match cursor.strip_prefix("after-").and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => {
                    return Ok(api::ListEventsResponse::BadRequest(types::Problem {
                        detail: Some("not a cursor".into()),
                    }));
                }
            },
        };
        let ids = page_of(start, request.limit, 25);
        let end = ids.end;
        Ok(api::ListEventsResponse::Ok(types::ListEventsOkBody {
            data: ids.map(|id| types::Event { id }).collect(),
            next_cursor: Some((end < 25).then(|| format!("after-{end}"))),
        }))
    }

    async fn list_users(
        &self,
        request: api::ListUsersRequest,
    ) -> Result<api::ListUsersResponse, Error> {
        self.pages.fetch_add(1, Ordering::SeqCst);
        let users = page_of(*request.offset, *request.limit, 47)
            .map(|id| types::User {
                id,
                name: format!("user-{id}"),
            })
            .collect();
        Ok(api::ListUsersResponse::Ok(types::ListUsersOkBody {
            users,
            total: 47,
        }))
    }

    async fn list_orders(
        &self,
        request: api::ListOrdersRequest,
    ) -> Result<api::ListOrdersResponse, Error> {
        self.pages.fetch_add(1, Ordering::SeqCst);
        let (page, size) = (request.p.unwrap_or(1), request.size.unwrap_or(4));
        // 3 pages of `size`: the last one is as long as the others, so
        // only the page count ends the list.
        let orders = page_of((page - 1) * size, size, 3 * size)
            .map(|id| types::Order { id })
            .collect();
        Ok(api::ListOrdersResponse::Ok(types::ListOrdersOkBody {
            result: Some(types::ListOrdersOkBodyResult {
                orders,
                pages: Some(3),
            }),
        }))
    }

    async fn read_feed(
        &self,
        request: api::ReadFeedRequest,
    ) -> Result<api::ReadFeedResponse, Error> {
        self.pages.fetch_add(1, Ordering::SeqCst);
        let at: usize = request.since.as_deref().map_or(0, |s| s.parse().unwrap());
        let items = ["a", "b", "c", "d", "e"].map(String::from);
        let end = (at + 2).min(items.len());
        Ok(api::ReadFeedResponse::Ok(types::ReadFeedOkBody {
            items: items[at..end].to_vec(),
            next: (end < items.len()).then(|| format!("/feed?since={end}")),
        }))
    }

    async fn list_tags(
        &self,
        _request: api::ListTagsRequest,
    ) -> Result<api::ListTagsResponse, Error> {
        Ok(api::ListTagsResponse::Ok(types::ListTagsOkBody {
            items: Some(vec!["one".into()]),
            next_cursor: None,
        }))
    }

    async fn create_payment(
        &self,
        request: api::CreatePaymentRequest,
    ) -> Result<api::CreatePaymentResponse, Error> {
        self.payments
            .lock()
            .unwrap()
            .push(request.idempotency_key.clone());
        if self.fail.load(Ordering::SeqCst) > 0 {
            self.fail.fetch_sub(1, Ordering::SeqCst);
            return Ok(api::CreatePaymentResponse::ServiceUnavailable);
        }
        Ok(api::CreatePaymentResponse::Created(types::Payment {
            id: 1,
            cents: request.body.cents,
            key: request.idempotency_key.unwrap_or_default(),
        }))
    }

    async fn who_am_i(&self, request: api::WhoAmIRequest) -> Result<api::WhoAmIResponse, Error> {
        Ok(api::WhoAmIResponse::Ok(types::User {
            id: 1,
            name: request
                .context
                .principal
                .subject
                .clone()
                .unwrap_or_default(),
        }))
    }
}

impl api::Authenticate for Shop {
    async fn authenticate(
        &self,
        presented: &api::Presented<'_>,
    ) -> Result<api::Principal, api::Refusal> {
        match presented.credential {
            _ if self.refuse.load(Ordering::SeqCst) => {
                Err(api::Refusal::invalid("no tokens today"))
            }
            api::Credential::Bearer(token)
                if self.tokens.lock().unwrap().iter().any(|t| t == token) =>
            {
                Ok(api::Principal::new(token).with_scopes(["read", "payments"]))
            }
            _ => Err(api::Refusal::invalid("unknown token")),
        }
    }
}

/// A token endpoint (RFC 6749 §4.4): checks the client's Basic
/// credentials and grant, counts its requests, and issues `token-N`
/// that lives `lifetime` seconds (the shop takes it for that long).
fn token_endpoint(shop: &Shop, issued: Arc<AtomicUsize>, lifetime: u64) -> axum::Router {
    let tokens = shop.tokens.clone();
    axum::Router::new().route(
        "/oauth/token",
        post(move |headers: axum::http::HeaderMap, form: String| {
            let tokens = tokens.clone();
            let issued = issued.clone();
            async move {
                use base64::Engine as _;
                let basic = base64::engine::general_purpose::STANDARD.encode("app:s3cret");
                let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
                    == Some(&format!("Basic {basic}"));
                if !authorized || !form.contains("grant_type=client_credentials") {
                    return (axum::http::StatusCode::UNAUTHORIZED, String::new());
                }
                // A slow endpoint: concurrent callers would each ask.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                let token = format!("token-{n}");
                tokens.lock().unwrap().push(token.clone());
                let tokens = tokens.clone();
                let expired = token.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(lifetime)).await;
                    tokens.lock().unwrap().retain(|t| *t != expired);
                });
                let body = serde_json::json!({
                    "access_token": token, "token_type": "Bearer", "expires_in": lifetime,
                });
                (axum::http::StatusCode::OK, body.to_string())
            }
        }),
    )
}

pub(crate) async fn shop() -> (Shop, String) {
    let shop = Shop::default();
    shop.tokens.lock().unwrap().push("static".into());
    let base = crate::serve(server::router(shop.clone())).await;
    (shop, base)
}

fn client(base: &str) -> Client {
    Client::new(base).with_credentials(api::Credentials {
        oauth: Some("static".into()),
    })
}

#[tokio::test]
async fn pages_by_link_header_until_the_last_one_fetched_lazily() {
    let (shop, base) = shop().await;
    let client = client(&base);
    let request = api::ListReposRequest::new().per_page(20).unwrap();
    let repos: Vec<types::Repo> = client
        .paginate()
        .list_repos(request.clone())
        .map(|r| r.expect("a repo"))
        .collect()
        .await;
    assert_eq!(repos.len(), REPOS as usize);
    assert!(repos.iter().enumerate().all(|(i, r)| r.id == i as i64));
    assert_eq!(shop.pages.load(Ordering::SeqCst), 5, "95 in pages of 20");

    // One page in flight: taking 25 items fetches two pages, not five.
    shop.pages.store(0, Ordering::SeqCst);
    let first: Vec<_> = client
        .paginate()
        .list_repos(request)
        .take(25)
        .collect()
        .await;
    assert_eq!(first.len(), 25);
    assert_eq!(shop.pages.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn pages_by_cursor_offset_page_number_and_next_url() {
    let (shop, base) = shop().await;
    let client = client(&base);

    let ids: Vec<i64> = client
        .paginate()
        .list_events(api::ListEventsRequest::new().limit(10))
        .map(|e| e.expect("an event").id)
        .collect()
        .await;
    assert_eq!(ids, (0..25).collect::<Vec<_>>());
    assert_eq!(shop.pages.swap(0, Ordering::SeqCst), 3);

    // 47 users by 20: a short last page ends it (and the total agrees).
    let users: Vec<_> = client
        .paginate()
        .list_users(api::ListUsersRequest::new())
        .collect()
        .await;
    assert_eq!(users.len(), 47);
    assert_eq!(shop.pages.swap(0, Ordering::SeqCst), 3);

    // Declared with `x-speakeasy-pagination`: the count of pages ends it.
    let orders: Vec<i64> = client
        .paginate()
        .list_orders(api::ListOrdersRequest::new().size(4))
        .map(|o| o.expect("an order").id)
        .collect()
        .await;
    assert_eq!(orders, (0..12).collect::<Vec<_>>());
    assert_eq!(shop.pages.swap(0, Ordering::SeqCst), 3);

    let feed: Vec<String> = client
        .paginate()
        .read_feed(api::ReadFeedRequest::new())
        .map(|i| i.expect("an item"))
        .collect()
        .await;
    assert_eq!(feed, ["a", "b", "c", "d", "e"]);
    assert_eq!(shop.pages.swap(0, Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_documented_error_ends_the_pages_with_its_status() {
    let (_shop, base) = shop().await;
    let client = client(&base);
    let request = api::ListEventsRequest::new().cursor("bogus");
    let got: Vec<_> = client.paginate().list_events(request).collect().await;
    assert_eq!(got.len(), 1);
    match &got[0] {
        Err(e) => assert_eq!(e.status(), Some(http::StatusCode::BAD_REQUEST)),
        Ok(_) => panic!("a page of events from a bad cursor"),
    }
}

#[tokio::test]
async fn oauth2_tokens_are_fetched_once_refreshed_and_retried_on_401() {
    let (shop, base) = shop().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let endpoint = crate::serve(token_endpoint(&shop, issued.clone(), 2)).await;
    assert_eq!(
        Client::OAUTH_TOKEN_URL,
        "https://auth.example.com/oauth/token"
    );
    let tokens = OAuth2::client_credentials(format!("{endpoint}/oauth/token"), "app", "s3cret")
        .scopes(["read"]);
    let client = Client::builder(&base)
        .token_provider(tokens)
        .build()
        .unwrap();

    // 40 calls at once: one request to the endpoint.
    let calls = (0..40).map(|_| client.who_am_i(api::WhoAmIRequest::new()));
    for answer in futures_util::future::join_all(calls).await {
        match answer.unwrap() {
            api::WhoAmIResponse::Ok(user) => assert_eq!(user.name, "token-1"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);

    // Refreshed before it expires (2 s; refreshed from 1.8 s).
    tokio::time::sleep(Duration::from_millis(1900)).await;
    match client.who_am_i(api::WhoAmIRequest::new()).await.unwrap() {
        api::WhoAmIResponse::Ok(user) => assert_eq!(user.name, "token-2"),
        other => panic!("{other:?}"),
    }
    assert_eq!(issued.load(Ordering::SeqCst), 2);

    // A token the server stops taking: 401, a fresh token, one retry.
    shop.tokens.lock().unwrap().retain(|t| t != "token-2");
    match client.who_am_i(api::WhoAmIRequest::new()).await.unwrap() {
        api::WhoAmIResponse::Ok(user) => assert_eq!(user.name, "token-3"),
        other => panic!("{other:?}"),
    }
    assert_eq!(issued.load(Ordering::SeqCst), 3);

    // Only once: a server that refuses every token gets two tries.
    shop.refuse.store(true, Ordering::SeqCst);
    match client.who_am_i(api::WhoAmIRequest::new()).await.unwrap() {
        api::WhoAmIResponse::Unauthorized => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(issued.load(Ordering::SeqCst), 4);
    shop.refuse.store(false, Ordering::SeqCst);

    // A credential given for the call wins over the provider.
    shop.tokens.lock().unwrap().push("mine".into());
    let mut request = api::WhoAmIRequest::new();
    request.context.credentials.oauth = Some("mine".into());
    match client.who_am_i(request).await.unwrap() {
        api::WhoAmIResponse::Ok(user) => assert_eq!(user.name, "mine"),
        other => panic!("{other:?}"),
    }
    assert_eq!(issued.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_token_endpoint_that_refuses_the_client_fails_the_call() {
    let (shop, base) = shop().await;
    let endpoint = crate::serve(token_endpoint(&shop, Arc::default(), 60)).await;
    let tokens = OAuth2::client_credentials(format!("{endpoint}/oauth/token"), "app", "wrong");
    let client = Client::builder(&base)
        .token_provider(tokens)
        .build()
        .unwrap();
    let error = client
        .who_am_i(api::WhoAmIRequest::new())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::UNAUTHORIZED));
}

/// Records what it sees, as `name`.
struct Record {
    name: &'static str,
    log: Arc<Mutex<Vec<String>>>,
}

impl Hook for Record {
    fn before(
        &self,
        attempt: &Attempt,
        request: &mut reqwest::Request,
    ) -> Result<Option<reqwest::Response>, Error> {
        self.log.lock().unwrap().push(format!(
            "{} before {} #{}",
            self.name, attempt.operation, attempt.number
        ));
        request
            .headers_mut()
            .append("x-hooks", self.name.parse().unwrap());
        Ok(None)
    }

    fn after(&self, attempt: &Attempt, outcome: Result<&reqwest::Response, &Error>) {
        let status = outcome.map_or(0, |r| r.status().as_u16());
        self.log
            .lock()
            .unwrap()
            .push(format!("{} after #{} {status}", self.name, attempt.number));
    }
}

fn payment() -> api::CreatePaymentRequest {
    api::CreatePaymentRequest::new(types::PaymentInput { cents: 500 })
}

#[tokio::test]
async fn hooks_run_in_order_around_each_attempt_and_one_key_spans_the_retries() {
    let (shop, base) = shop().await;
    shop.fail.store(2, Ordering::SeqCst);
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder(&base)
        .credentials(api::Credentials {
            oauth: Some("static".into()),
        })
        .retry(Retry::default().base_delay(Duration::from_millis(5)))
        .hook(Record {
            name: "outer",
            log: log.clone(),
        })
        .hook(Record {
            name: "inner",
            log: log.clone(),
        })
        .build()
        .unwrap();
    // A POST is retried because it carries an idempotency key.
    let answer = client.raw().create_payment(payment()).await.unwrap();
    let api::CreatePaymentResponse::Created(made) = answer.value else {
        panic!("{:?}", answer.value)
    };
    let keys = shop.payments.lock().unwrap().clone();
    assert_eq!(keys.len(), 3, "two 503s, then 201");
    assert!(
        keys.iter().all(|k| k.is_some() && *k == keys[0]),
        "{keys:?}"
    );
    assert_eq!(Some(made.key), keys[0]);
    let mut expected = Vec::new();
    for (n, status) in [(1, 503), (2, 503), (3, 201)] {
        expected.extend([
            format!("outer before createPayment #{n}"),
            format!("inner before createPayment #{n}"),
            format!("inner after #{n} {status}"),
            format!("outer after #{n} {status}"),
        ]);
    }
    assert_eq!(*log.lock().unwrap(), expected);
    // Raw access: the status, the headers and the URL with the value.
    assert_eq!(answer.status, http::StatusCode::CREATED);
    assert_eq!(answer.url.path(), "/payments");
    assert_eq!(answer.headers["content-type"], "application/json");

    // The caller's own key is kept.
    shop.payments.lock().unwrap().clear();
    client
        .create_payment(payment().idempotency_key("mine"))
        .await
        .unwrap();
    assert_eq!(*shop.payments.lock().unwrap(), [Some("mine".to_owned())]);
}

/// Answers every attempt itself: a test double, no network.
struct Double;

impl Hook for Double {
    fn before(
        &self,
        _attempt: &Attempt,
        _request: &mut reqwest::Request,
    ) -> Result<Option<reqwest::Response>, Error> {
        let response = http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(r#"{"id": 7, "name": "double"}"#)
            .unwrap();
        Ok(Some(reqwest::Response::from(response)))
    }
}

#[tokio::test]
async fn a_hook_can_answer_instead_of_the_network() {
    // Nothing listens at this port.
    let client = Client::builder("http://127.0.0.1:9")
        .credentials(api::Credentials {
            oauth: Some("static".into()),
        })
        .hook(Double)
        .build()
        .unwrap();
    match client.who_am_i(api::WhoAmIRequest::new()).await.unwrap() {
        api::WhoAmIResponse::Ok(user) => assert_eq!(user.name, "double"),
        other => panic!("{other:?}"),
    }
}
