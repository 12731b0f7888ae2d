//! Validation keywords at run time (`specs/features/uniapi/constraints*.yaml`):
//! constrained newtypes refuse invalid values on both sides, the server
//! lists every violation of a body with its JSON pointer, and the client
//! reads enum values that the spec does not list.

use std::sync::atomic::{AtomicUsize, Ordering};

use feature_uniapi_constraints::{Api, Client, Error, api, types};
use feature_uniapi_constraints_3_1::types as types31;
use proptest::prelude::*;
use serde_json::json;

fn broken<T: std::fmt::Debug>(result: Result<T, types::Invalid>) -> Vec<String> {
    result.expect_err("the value should be refused").0
}

#[test]
fn each_keyword_refuses_what_it_forbids() {
    // Two rules broken at once: both are named.
    let username = broken(types::Username::try_from("A".to_owned()));
    assert_eq!(username.len(), 2, "{username:?}");
    assert!(
        username[0].contains("fewer than the minimum of 3"),
        "{username:?}"
    );
    assert!(
        username[1].contains("does not match the pattern"),
        "{username:?}"
    );
    assert!(types::Username::try_from("rex_99".to_owned()).is_ok());
    // Lengths count characters, not bytes.
    assert!(types::Username::try_from("ab".to_owned() + &"c".repeat(14)).is_ok());
    assert!(types::AccountNickname::try_from("ünïcödé!".to_owned()).is_ok());
    assert!(types::AccountNickname::try_from("ünïcödé!!".to_owned()).is_err());

    assert!(broken(types::AccountAge::try_from(151))[0].contains("more than the maximum of 150"));
    assert!(types::AccountAge::try_from(150).is_ok());
    assert!(types::AccountAge::try_from(-1).is_err());
    // exclusiveMinimum (3.0 boolean form).
    assert!(broken(types::AccountScore::try_from(0.0))[0].contains("not greater than 0"));
    assert!(types::AccountScore::try_from(1.0).is_ok());
    assert!(types::AccountStep::try_from(7).is_err());
    assert!(types::AccountStep::try_from(-15).is_ok());
    assert!(types::AccountRatio::try_from(0.3).is_err());
    assert!(types::AccountRatio::try_from(0.75).is_ok());

    let tag = |s: &str| types::AccountTagsItem::try_from(s.to_owned()).unwrap();
    assert!(types::AccountTagsItem::try_from("x".repeat(11)).is_err());
    assert!(
        broken(types::AccountTags::try_from(vec![]))[0].contains("fewer than the minimum of 1")
    );
    assert!(types::AccountTags::try_from(vec![tag("a"), tag("b"), tag("c"), tag("d")]).is_err());
    assert!(broken(types::AccountTags::try_from(vec![tag("a"), tag("a")]))[0].contains("unique"));
    assert!(types::AccountTags::try_from(vec![tag("a"), tag("b")]).is_ok());

    // OpenAPI 3.1: numeric exclusive bounds, `type: [string, "null"]`, `const`.
    assert!(types31::ReadingValue::try_from(-273.15).is_err());
    assert!(types31::ReadingValue::try_from(-273.14).is_ok());
    assert!(types31::ReadingValue::try_from(1000.0).is_err());
    assert!(types31::ReadingSamplesItem::try_from(4096).is_err());
    let reading: types31::Reading = serde_json::from_value(
        json!({"sensor": "t1", "value": 21.5, "unit": "celsius", "note": null}),
    )
    .unwrap();
    assert_eq!(reading.unit, types31::ReadingUnit::Celsius);
    assert_eq!(reading.note, Some(None), "null, not absent");
    assert!(
        serde_json::from_value::<types31::Reading>(
            json!({"sensor": "t1", "value": 21.5, "unit": "kelvin"})
        )
        .is_err()
    );
}

#[test]
fn serde_reads_through_the_rules_and_applies_checked_defaults() {
    let account: types::Account =
        serde_json::from_value(json!({"username": "rex", "age": 3, "email": "r@x"})).unwrap();
    assert_eq!(*account.level, 5, "default applied when absent");
    let error = serde_json::from_value::<types::Account>(
        json!({"username": "rex", "age": 300, "email": "r@x"}),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("more than the maximum of 150"),
        "{error}"
    );
    // Parameters parse through the same rules.
    assert!("101".parse::<types::ListAccountsLimit>().is_err());
    assert!("ten".parse::<types::ListAccountsLimit>().is_err());
    assert_eq!(*"10".parse::<types::ListAccountsLimit>().unwrap(), 10);
}

#[test]
fn enums_refuse_unlisted_values_unless_read_leniently() {
    let strict = serde_json::from_value::<types::AccountRole>(json!("owner"));
    let message = strict.unwrap_err().to_string();
    assert!(
        message.contains("owner") && message.contains("admin"),
        "{message}"
    );
    let lenient: types::AccountRole =
        types::lenient(|| serde_json::from_value(json!("owner"))).unwrap();
    assert_eq!(lenient, types::AccountRole::Unknown("owner".into()));
    assert_eq!(serde_json::to_value(&lenient).unwrap(), json!("owner"));
    // The flag is set only inside `lenient`.
    assert!(serde_json::from_value::<types::AccountRole>(json!("owner")).is_err());
}

fn account(username: &str, age: i32) -> types::Account {
    types::Account {
        username: username.to_owned().try_into().unwrap(),
        age: age.try_into().unwrap(),
        email: "a@b".to_owned().try_into().unwrap(),
        score: None,
        step: None,
        ratio: None,
        tags: None,
        nickname: None,
        level: 5.try_into().unwrap(),
        motto: None,
        role: Some(types::AccountRole::Member),
        prefs: None,
    }
}

#[derive(Default)]
struct Accounts {
    calls: AtomicUsize,
}

impl Api for Accounts {
    async fn list_accounts(
        &self,
        request: api::ListAccountsRequest,
    ) -> Result<api::ListAccountsResponse, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let n = *request.limit as usize;
        let all: Vec<_> = (0..n.min(3))
            .map(|i| account(&format!("user{i}"), i as i32))
            .collect();
        Ok(api::ListAccountsResponse::Ok(
            all.try_into().map_err(Error::other)?,
        ))
    }

    async fn create_account(
        &self,
        request: api::CreateAccountRequest,
    ) -> Result<api::CreateAccountResponse, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(api::CreateAccountResponse::Created(request.body))
    }
}

#[tokio::test]
async fn server_lists_every_violation_with_its_pointer() {
    let accounts = std::sync::Arc::new(Accounts::default());
    let base = crate::serve(feature_uniapi_constraints::server::router(SharedAccounts(
        accounts.clone(),
    )))
    .await;
    let http = reqwest::Client::new();
    let post = |body: serde_json::Value| {
        http.post(format!("{base}/accounts"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };

    let response = post(json!({
        "username": "A",
        "age": 200,
        "email": "nope",
        "tags": ["ok", "much-too-long-tag"],
        "role": "owner",
    }))
    .await
    .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "/username",
            "/username",
            "/age",
            "/email",
            "/tags/1",
            "/role"
        ],
        "{problem}"
    );
    assert_eq!(accounts.calls.load(Ordering::SeqCst), 0, "handler not run");

    // Missing and mistyped properties are listed the same way.
    let response = post(json!({"username": 7, "age": "old"})).await.unwrap();
    assert_eq!(response.status(), 400);
    let problem: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let errors = problem["errors"].as_array().unwrap();
    let pointers: Vec<&str> = errors
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/username", "/age", "/email"], "{problem}");
    assert_eq!(errors[2]["detail"], "is required");

    // A parameter outside its bounds: 400 naming the rule.
    let response = http
        .get(format!("{base}/accounts?limit=101"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("maximum of 100"));
    assert_eq!(accounts.calls.load(Ordering::SeqCst), 0);

    // Every bad parameter at once, each named.
    let response = http
        .get(format!(
            "{base}/accounts?limit=0&prefix=a&tag=short&tag=much-too-long"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let named: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["parameter"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["limit", "prefix", "tag"], "{problem}");
    assert_eq!(problem["detail"], "3 parameters are not valid");
    assert_eq!(accounts.calls.load(Ordering::SeqCst), 0);

    // A valid body passes, through the client.
    let client = Client::new(&base);
    let created = client
        .create_account(api::CreateAccountRequest::new(account("rex", 3)))
        .await
        .unwrap();
    assert!(
        matches!(&created, api::CreateAccountResponse::Created(a) if a.username.as_str() == "rex")
    );
    let answer = client
        .list_accounts(api::ListAccountsRequest::new())
        .await
        .unwrap();
    let api::ListAccountsResponse::Ok(list) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(list.len(), 3, "the default limit (20) reached the handler");
}

/// An `Arc` of the implementation, so the test can count its calls.
struct SharedAccounts(std::sync::Arc<Accounts>);

impl Api for SharedAccounts {
    async fn list_accounts(
        &self,
        request: api::ListAccountsRequest,
    ) -> Result<api::ListAccountsResponse, Error> {
        self.0.list_accounts(request).await
    }

    async fn create_account(
        &self,
        request: api::CreateAccountRequest,
    ) -> Result<api::CreateAccountResponse, Error> {
        self.0.create_account(request).await
    }
}

#[tokio::test]
async fn client_reads_values_the_spec_does_not_list() {
    // A server that has learnt a new role.
    let router = axum::Router::new().route(
        "/accounts",
        axum::routing::get(|| async {
            (
                [("content-type", "application/json")],
                json!([{"username": "rex", "age": 3, "email": "r@x", "role": "owner"}]).to_string(),
            )
        }),
    );
    let base = crate::serve(router).await;
    let answer = Client::new(&base)
        .list_accounts(api::ListAccountsRequest::new())
        .await
        .unwrap();
    let api::ListAccountsResponse::Ok(list) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(
        list[0].role,
        Some(types::AccountRole::Unknown("owner".into()))
    );
}

fn valid_account() -> impl Strategy<Value = types::Account> {
    (
        "[a-z][a-z0-9_]{2,15}",
        0..=150i32,
        "[a-z]{1,8}@[a-z]{1,8}",
        proptest::option::of(0.001f64..=1.0),
        proptest::option::of((-1000i64..1000).prop_map(|n| n * 5)),
        proptest::option::of(proptest::collection::btree_set("[a-z]{1,10}", 1..=3)),
        proptest::option::of(proptest::option::of("\\PC{0,8}")),
        1..=10i64,
        proptest::option::of(prop_oneof![
            Just(types::AccountRole::Admin),
            Just(types::AccountRole::Member)
        ]),
    )
        .prop_map(
            |(username, age, email, score, step, tags, nickname, level, role)| types::Account {
                username: username.try_into().unwrap(),
                age: age.try_into().unwrap(),
                email: email.try_into().unwrap(),
                score: score.map(|s| s.try_into().unwrap()),
                step: step.map(|s| s.try_into().unwrap()),
                ratio: None,
                tags: tags.map(|t| {
                    t.into_iter()
                        .map(|t| t.try_into().unwrap())
                        .collect::<Vec<_>>()
                        .try_into()
                        .unwrap()
                }),
                nickname: nickname.map(|n| n.map(|n| n.try_into().unwrap())),
                level: level.try_into().unwrap(),
                motto: None,
                role,
                prefs: None,
            },
        )
}

proptest! {
    #[test]
    fn valid_accounts_round_trip(account in valid_account()) {
        let json = serde_json::to_string(&account).unwrap();
        let back: types::Account = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, account);
    }
}
