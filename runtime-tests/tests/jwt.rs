//! The JWT authenticator (jwt.rs), asked through the `Authenticate` trait
//! as the server asks it: tokens of every kind of key, each check that
//! refuses one, and a key set (JWKS) served by a local axum server that
//! counts its fetches.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};
use uniapi_runtime_tests::runtime::auth::{
    Authenticate as _, Credential, Presented, Principal, Refusal, Scopes,
};
use uniapi_runtime_tests::runtime::jwt::{Algorithm, Jwk, Jwt, JwtKey};

const RSA: &[u8] = include_bytes!("keys/rsa.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("keys/rsa.pub.pem");
const RSA_OTHER: &[u8] = include_bytes!("keys/rsa-other.pem");
const EC: &[u8] = include_bytes!("keys/ec.pem");
const EC_PUBLIC: &[u8] = include_bytes!("keys/ec.pub.pem");
const ED: &[u8] = include_bytes!("keys/ed25519.pem");
const ED_PUBLIC: &[u8] = include_bytes!("keys/ed25519.pub.pem");
const SECRET: &[u8] = b"a secret of thirty-two bytes, ok";

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Claims of a token valid for ten minutes more.
fn claims() -> Value {
    json!({ "sub": "alice", "exp": now() + 600 })
}

/// `claims` signed with `key` for `alg`, naming `kid`.
fn sign(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).unwrap()
}

fn hs256(claims: &Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(SECRET).unwrap(),
        None,
        claims,
    )
}

fn ed_key() -> EncodingKey {
    EncodingKey::from_ed_pem(ED).unwrap()
}

/// Asks `jwt` about `token` as a bearer token, over the trait.
async fn check(jwt: &Jwt, token: &str) -> Result<Principal, Refusal> {
    present(jwt, Credential::Bearer(token)).await
}

async fn present(jwt: &Jwt, credential: Credential<'_>) -> Result<Principal, Refusal> {
    let (request, ()) = http::Request::get("/puppies?page=2")
        .header("authorization", "Bearer whatever")
        .body(())
        .unwrap()
        .into_parts();
    let presented = Presented {
        scheme: "bearer",
        credential,
        scopes: &["puppies:read"],
        request: &request,
    };
    jwt.authenticate(&presented).await
}

/// Asserts a 401 whose detail has `words`, and not the token.
#[track_caller]
fn refused(result: Result<Principal, Refusal>, token: &str, words: &str) {
    let refusal = result.expect_err("the token should be refused");
    assert_eq!(refusal.status, http::StatusCode::UNAUTHORIZED, "{refusal}");
    assert!(
        refusal.detail.contains(words),
        "`{}` does not say `{words}`",
        refusal.detail
    );
    if token.len() > 8 {
        assert!(
            !refusal.detail.contains(token),
            "the detail echoes the token"
        );
    }
}

/// `check` of the token `make` makes of the time now, all within one
/// second of the clock (so that a bound is tested at its very second).
async fn within_a_second(jwt: &Jwt, make: impl Fn(u64) -> String) -> Result<Principal, Refusal> {
    for _ in 0..5 {
        let before = now();
        let result = check(jwt, &make(before)).await;
        if now() == before {
            return result;
        }
    }
    panic!("the clock turned a second five times running");
}

#[tokio::test]
async fn good_tokens_of_every_kind_of_key_are_let_in() {
    let jwt = Jwt::hs256(SECRET).unwrap();
    let principal = check(&jwt, &hs256(&claims())).await.unwrap();
    assert_eq!(principal.subject.as_deref(), Some("alice"));
    assert_eq!(principal.claims["sub"], "alice");
    assert!(principal.claims["exp"].is_u64());

    let jwt = Jwt::new().key(JwtKey::rsa_pem(RSA_PUBLIC).unwrap());
    let rsa = EncodingKey::from_rsa_pem(RSA).unwrap();
    let token = sign(Algorithm::RS256, &rsa, None, &claims());
    assert!(check(&jwt, &token).await.is_ok());
    let token = sign(Algorithm::PS256, &rsa, None, &claims());
    assert!(check(&jwt, &token).await.is_ok());

    let jwt = Jwt::new().key(JwtKey::ec_pem(EC_PUBLIC).unwrap());
    let ec = EncodingKey::from_ec_pem(EC).unwrap();
    let token = sign(Algorithm::ES256, &ec, None, &claims());
    assert_eq!(
        check(&jwt, &token).await.unwrap().subject.as_deref(),
        Some("alice")
    );

    let jwt = Jwt::new().key(JwtKey::ed25519_pem(ED_PUBLIC).unwrap());
    let token = sign(Algorithm::EdDSA, &ed_key(), None, &claims());
    assert!(check(&jwt, &token).await.is_ok());
}

#[tokio::test]
async fn scopes_come_from_scope_and_scp() {
    let jwt = Jwt::hs256(SECRET).unwrap();
    let exp = now() + 600;
    let granted = |principal: Principal| match principal.scopes {
        Scopes::Granted(scopes) => scopes.into_iter().collect::<Vec<_>>(),
        Scopes::Any => panic!("a token grants the scopes it names only"),
    };

    let token = hs256(&json!({ "exp": exp, "scope": "puppies:read  puppies:write" }));
    let principal = check(&jwt, &token).await.unwrap();
    assert_eq!(principal.subject, None);
    assert_eq!(granted(principal), ["puppies:read", "puppies:write"]);

    let token = hs256(&json!({ "exp": exp, "scp": ["puppies:read", "orders"] }));
    assert_eq!(
        granted(check(&jwt, &token).await.unwrap()),
        ["orders", "puppies:read"]
    );

    let token = hs256(&json!({ "exp": exp, "scp": "a b", "scope": "c" }));
    assert_eq!(granted(check(&jwt, &token).await.unwrap()), ["a", "b", "c"]);

    let token = hs256(&json!({ "exp": exp }));
    assert_eq!(
        granted(check(&jwt, &token).await.unwrap()),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let jwt = Jwt::hs256(SECRET).unwrap();
    let token = hs256(&json!({ "sub": "alice", "exp": now() - 3600 }));
    refused(check(&jwt, &token).await, &token, "expired");

    let token = hs256(&json!({ "exp": now() + 7200, "nbf": now() + 3600 }));
    refused(check(&jwt, &token).await, &token, "not yet valid");

    let token = hs256(&json!({ "sub": "alice" }));
    refused(check(&jwt, &token).await, &token, "no expiry");
    let lax = Jwt::hs256(SECRET).unwrap().require_exp(false);
    assert!(check(&lax, &token).await.is_ok());

    let token = hs256(&json!({ "exp": "tomorrow" }));
    refused(check(&jwt, &token).await, &token, "malformed");
}

#[tokio::test]
async fn leeway_holds_at_its_bound_and_not_beyond() {
    let jwt = Jwt::hs256(SECRET).unwrap().leeway(Duration::from_secs(10));
    let expired = |by: u64| move |now: u64| hs256(&json!({ "exp": now - by }));
    assert!(within_a_second(&jwt, expired(10)).await.is_ok());
    refused(within_a_second(&jwt, expired(11)).await, "", "expired");

    let early = |by: u64| move |now: u64| hs256(&json!({ "exp": now + 600, "nbf": now + by }));
    assert!(within_a_second(&jwt, early(10)).await.is_ok());
    refused(within_a_second(&jwt, early(11)).await, "", "not yet valid");

    // The default is a minute.
    let jwt = Jwt::hs256(SECRET).unwrap();
    assert!(within_a_second(&jwt, expired(60)).await.is_ok());
    refused(within_a_second(&jwt, expired(61)).await, "", "expired");
}

#[tokio::test]
async fn audience_and_issuer_must_be_ones_accepted() {
    let jwt = Jwt::hs256(SECRET)
        .unwrap()
        .audience("shop")
        .audience("kennel")
        .issuer("https://issuer.example/");
    let exp = now() + 600;
    let iss = "https://issuer.example/";

    for aud in [json!("kennel"), json!(["other", "shop"])] {
        let token = hs256(&json!({ "exp": exp, "iss": iss, "aud": aud }));
        assert!(check(&jwt, &token).await.is_ok(), "{aud}");
    }
    for aud in [json!("other"), json!(["other"]), json!(7), Value::Null] {
        let token = hs256(&json!({ "exp": exp, "iss": iss, "aud": aud }));
        refused(check(&jwt, &token).await, &token, "wrong audience");
    }
    let token = hs256(&json!({ "exp": exp, "iss": iss }));
    refused(check(&jwt, &token).await, &token, "wrong audience");

    for iss in [
        json!("https://evil.example/"),
        json!(["https://issuer.example/"]),
    ] {
        let token = hs256(&json!({ "exp": exp, "iss": iss, "aud": "shop" }));
        refused(check(&jwt, &token).await, &token, "wrong issuer");
    }
    let token = hs256(&json!({ "exp": exp, "aud": "shop" }));
    refused(check(&jwt, &token).await, &token, "wrong issuer");

    // Neither is checked when none is configured.
    let open = Jwt::hs256(SECRET).unwrap();
    let token = hs256(&json!({ "exp": exp, "iss": "anyone", "aud": "anything" }));
    assert!(check(&open, &token).await.is_ok());
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let jwt = Jwt::hs256(SECRET).unwrap();
    let other = EncodingKey::from_secret(b"another secret, just as long....").unwrap();
    let token = sign(Algorithm::HS256, &other, None, &claims());
    refused(check(&jwt, &token).await, &token, "signature");

    let jwt = Jwt::new().key(JwtKey::rsa_pem(RSA_PUBLIC).unwrap());
    let other = EncodingKey::from_rsa_pem(RSA_OTHER).unwrap();
    let token = sign(Algorithm::RS256, &other, None, &claims());
    refused(check(&jwt, &token).await, &token, "signature");

    // Claims changed after signing.
    let good = hs256(&claims());
    let jwt = Jwt::hs256(SECRET).unwrap();
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({ "sub": "root", "exp": now() + 600 }).to_string());
    parts[1] = &forged;
    let token = parts.join(".");
    refused(check(&jwt, &token).await, &token, "signature");
}

#[tokio::test]
async fn unsigned_tokens_are_refused() {
    let jwt = Jwt::hs256(SECRET).unwrap();
    let part =
        |value: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
    let body = part(json!({ "sub": "root", "exp": now() + 600 }));
    for alg in ["none", "None", "NONE"] {
        let head = part(json!({ "alg": alg, "typ": "JWT" }));
        let token = format!("{head}.{body}.");
        refused(check(&jwt, &token).await, &token, "algorithm `none`");
    }
    let head = part(json!({ "alg": "HS257" }));
    let token = format!("{head}.{body}.c2ln");
    refused(check(&jwt, &token).await, &token, "algorithm");
}

#[tokio::test]
async fn an_hmac_token_signed_with_the_rsa_public_key_is_refused() {
    // The alg-confusion attack: the public key, known to all, as the
    // secret of an HS256 token.
    let jwt = Jwt::new().key(JwtKey::rsa_pem(RSA_PUBLIC).unwrap().kid("rsa"));
    for kid in [None, Some("rsa")] {
        let token = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(RSA_PUBLIC).unwrap(),
            kid,
            &claims(),
        );
        refused(check(&jwt, &token).await, &token, "algorithm HS256");
    }
    // A key narrowed to one algorithm refuses the others of its kind.
    let jwt = Jwt::new().key(
        JwtKey::rsa_pem(RSA_PUBLIC)
            .unwrap()
            .algorithms([Algorithm::PS256]),
    );
    let rsa = EncodingKey::from_rsa_pem(RSA).unwrap();
    let token = sign(Algorithm::RS256, &rsa, None, &claims());
    refused(check(&jwt, &token).await, &token, "algorithm RS256");
}

#[tokio::test]
async fn malformed_tokens_are_refused_without_echoing_them() {
    let jwt = Jwt::hs256(SECRET).unwrap();
    let good = hs256(&claims());
    let (head, _) = good.split_once('.').unwrap();
    let encoded = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    // Signed with the right key, so that the claims are read.
    let signed = |claims: &str| {
        let message = format!("{head}.{claims}");
        let key = EncodingKey::from_secret(SECRET).unwrap();
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256).unwrap();
        format!("{message}.{signature}")
    };
    for token in [
        String::new(),
        "not-a-token-at-all".to_owned(),
        format!("{good}.extra"),
        "a.b".to_owned(),
        "!!!!.e30.sig".to_owned(),
        format!("{}.e30.sig", encoded("[1,2]")),
        format!("{}.e30.sig", encoded(r#"{"alg":"HS256","kid":7}"#)),
        format!("{head}.e30.***"),
        signed("%%%%"),
        signed(&encoded("[1,2]")),
        signed(&encoded("{\"exp\":")),
        hs256(&json!({ "sub": 7, "exp": now() + 600 })),
    ] {
        refused(check(&jwt, &token).await, &token, "malformed");
    }
    // Claims are not read before the signature verifies.
    let token = format!("{head}.%%%%.c2ln");
    refused(check(&jwt, &token).await, &token, "signature");
}

#[tokio::test]
async fn other_credentials_are_refused() {
    let jwt = Jwt::hs256(SECRET).unwrap();
    let token = hs256(&claims());
    refused(
        present(&jwt, Credential::ApiKey(&token)).await,
        &token,
        "bearer",
    );
    refused(
        present(
            &jwt,
            Credential::Basic {
                username: "alice",
                password: &token,
            },
        )
        .await,
        &token,
        "bearer",
    );
}

#[tokio::test]
async fn keys_rotate_by_key_id() {
    let old = b"the old secret, thirty-two bytes";
    let new = b"the new secret, thirty-two bytes";
    let jwt = Jwt::new()
        .key(JwtKey::hmac(old).unwrap().kid("2024"))
        .key(JwtKey::hmac(new).unwrap().kid("2025"))
        .key(JwtKey::ed25519_pem(ED_PUBLIC).unwrap());
    let old_key = EncodingKey::from_secret(old).unwrap();
    let new_key = EncodingKey::from_secret(new).unwrap();
    for (key, kid) in [
        (&old_key, Some("2024")),
        (&new_key, Some("2025")),
        (&new_key, None),
    ] {
        let token = sign(Algorithm::HS512, key, kid, &claims());
        assert!(check(&jwt, &token).await.is_ok(), "{kid:?}");
    }
    // A key id names the key: the other one's does not verify.
    let token = sign(Algorithm::HS256, &old_key, Some("2025"), &claims());
    refused(check(&jwt, &token).await, &token, "signature");
    // A key without an id is tried whatever the token names.
    let token = sign(Algorithm::EdDSA, &ed_key(), Some("unheard"), &claims());
    assert!(check(&jwt, &token).await.is_ok());

    let jwt = Jwt::new().key(JwtKey::hmac(old).unwrap().kid("2024"));
    let token = sign(Algorithm::HS256, &old_key, Some("2023"), &claims());
    refused(check(&jwt, &token).await, &token, "unknown key id");
    refused(check(&Jwt::new(), &token).await, &token, "unknown key id");
}

#[test]
fn keys_that_cannot_be_used_are_errors_not_panics() {
    assert!(JwtKey::hmac(b"").is_err());
    assert!(Jwt::hs256("").is_err());
    for input in [&b""[..], b"not a pem", RSA, EC_PUBLIC, ED_PUBLIC] {
        assert!(JwtKey::rsa_pem(input).is_err());
    }
    for input in [
        &b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"[..],
        EC,
        RSA_PUBLIC,
        ED_PUBLIC,
    ] {
        assert!(JwtKey::ec_pem(input).is_err());
    }
    for input in [&b"\xff\xfe"[..], ED, RSA_PUBLIC, EC_PUBLIC] {
        assert!(JwtKey::ed25519_pem(input).is_err());
    }
    let error = JwtKey::rsa_pem(b"nope").unwrap_err();
    assert_eq!(error.to_string(), "the key is not an RSA public key in PEM");
    assert!(JwtKey::rsa_pem(RSA_PUBLIC)
        .unwrap()
        .allows(Algorithm::PS512));
    let ec = JwtKey::ec_pem(EC_PUBLIC).unwrap().kid("p");
    assert!(ec.allows(Algorithm::ES256) && !ec.allows(Algorithm::ES384));
    assert_eq!(ec.key_id(), Some("p"));

    assert!(Jwt::jwks("not a url").is_err());
    assert!(Jwt::jwks("/relative/jwks.json").is_err());

    let jwk = |value: Value| serde_json::from_value::<Jwk>(value).unwrap();
    let encryption = jwk(json!({ "kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB" }));
    assert!(JwtKey::jwk(&encryption).is_err());
    let confused = jwk(json!({ "kty": "RSA", "alg": "HS256", "n": "AQAB", "e": "AQAB" }));
    assert!(JwtKey::jwk(&confused).is_err());
    let secret = jwk(json!({ "kty": "oct", "k": "c2VjcmV0", "kid": "s" }));
    assert!(JwtKey::jwk(&secret).unwrap().allows(Algorithm::HS384));
}

/// A key set served over HTTP on 127.0.0.1, counting its fetches.
struct KeySet {
    keys: Mutex<Vec<Value>>,
    fetches: AtomicUsize,
    failing: AtomicBool,
    delay: Duration,
    url: String,
}

impl KeySet {
    async fn serve(keys: Vec<Value>, delay: Duration) -> Arc<KeySet> {
        use axum::response::IntoResponse as _;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let set = Arc::new(KeySet {
            keys: Mutex::new(keys),
            fetches: AtomicUsize::new(0),
            failing: AtomicBool::new(false),
            delay,
            url,
        });
        let served = Arc::clone(&set);
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let set = Arc::clone(&served);
                async move {
                    set.fetches.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(set.delay).await;
                    if set.failing.load(Ordering::SeqCst) {
                        return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
                    }
                    let body = json!({ "keys": *set.keys.lock().unwrap() }).to_string();
                    ([(http::header::CONTENT_TYPE, "application/json")], body).into_response()
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        set
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    fn set(&self, keys: Vec<Value>) {
        *self.keys.lock().unwrap() = keys;
    }
}

/// The public JWK of `key` for `alg`, with the key id `kid`.
fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> Value {
    let mut jwk = Jwk::from_encoding_key(key, alg).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    serde_json::to_value(jwk).unwrap()
}

#[tokio::test]
async fn an_unknown_key_id_refetches_the_key_set_once_per_interval() {
    let ed = ed_key();
    let ec = EncodingKey::from_ec_pem(EC).unwrap();
    let set = KeySet::serve(vec![jwk(&ed, Algorithm::EdDSA, "a")], Duration::ZERO).await;
    let interval = Duration::from_millis(300);
    let jwt = Jwt::jwks(&set.url)
        .unwrap()
        .jwks_refetch_interval(interval)
        .audience("shop");
    let token = |key: &EncodingKey, alg, kid| {
        let claims = json!({ "sub": "alice", "aud": "shop", "exp": now() + 600 });
        sign(alg, key, Some(kid), &claims)
    };

    let a = token(&ed, Algorithm::EdDSA, "a");
    assert!(check(&jwt, &a).await.is_ok());
    assert!(check(&jwt, &a).await.is_ok());
    assert_eq!(
        set.fetches(),
        1,
        "the first token fetches, the next ones do not"
    );

    // The issuer adds a key; a token naming it comes too soon after the
    // last fetch.
    set.set(vec![
        jwk(&ed, Algorithm::EdDSA, "a"),
        jwk(&ec, Algorithm::ES256, "b"),
    ]);
    let b = token(&ec, Algorithm::ES256, "b");
    refused(check(&jwt, &b).await, &b, "unknown key id");
    assert_eq!(set.fetches(), 1);

    tokio::time::sleep(interval).await;
    assert!(check(&jwt, &b).await.is_ok());
    assert_eq!(set.fetches(), 2, "the unknown key id refetched once");

    // Another unknown one within the interval does not refetch.
    let c = token(&ec, Algorithm::ES256, "c");
    refused(check(&jwt, &c).await, &c, "unknown key id");
    assert!(check(&jwt, &b).await.is_ok());
    assert_eq!(set.fetches(), 2);

    // Past it, many at once fetch once between them.
    tokio::time::sleep(interval).await;
    let d = token(&ec, Algorithm::ES256, "d");
    let results = futures_util::future::join_all((0..8).map(|_| check(&jwt, &d))).await;
    for result in results {
        refused(result, &d, "unknown key id");
    }
    assert_eq!(set.fetches(), 3);
}

#[tokio::test]
async fn concurrent_first_tokens_fetch_the_key_set_once() {
    let ed = ed_key();
    let set = KeySet::serve(
        vec![jwk(&ed, Algorithm::EdDSA, "a")],
        Duration::from_millis(100),
    )
    .await;
    let jwt = Jwt::jwks(&set.url).unwrap();
    let token = sign(Algorithm::EdDSA, &ed, Some("a"), &claims());
    let results = futures_util::future::join_all((0..8).map(|_| check(&jwt, &token))).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(set.fetches(), 1);
}

#[tokio::test]
async fn a_key_set_that_cannot_be_fetched() {
    // Nothing listens there: no keys, so 503.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    drop(listener);
    let jwt = Jwt::jwks(&url).unwrap();
    let ed = ed_key();
    let token = sign(Algorithm::EdDSA, &ed, Some("a"), &claims());
    let refusal = check(&jwt, &token).await.unwrap_err();
    assert_eq!(refusal, Refusal::unavailable(refusal.detail.clone()));
    assert!(refusal.detail.contains("cannot be fetched"), "{refusal}");

    // A server that fails from the start: 503 too.
    let set = KeySet::serve(vec![jwk(&ed, Algorithm::EdDSA, "a")], Duration::ZERO).await;
    set.failing.store(true, Ordering::SeqCst);
    let jwt = Jwt::jwks(&set.url).unwrap();
    let refusal = check(&jwt, &token).await.unwrap_err();
    assert_eq!(refusal.status, http::StatusCode::SERVICE_UNAVAILABLE);

    // With keys fetched before, they are still used.
    set.failing.store(false, Ordering::SeqCst);
    let ttl = Duration::from_millis(100);
    let jwt = Jwt::jwks(&set.url)
        .unwrap()
        .jwks_ttl(ttl)
        .jwks_refetch_interval(Duration::from_secs(600));
    let before = set.fetches();
    assert!(check(&jwt, &token).await.is_ok());
    set.failing.store(true, Ordering::SeqCst);
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    assert!(check(&jwt, &token).await.is_ok());
    assert_eq!(set.fetches(), before + 2, "the stale set was fetched again");
    // The failed fetch is not tried again within the interval.
    assert!(check(&jwt, &token).await.is_ok());
    assert_eq!(set.fetches(), before + 2);
}

#[tokio::test]
async fn a_stale_key_set_is_fetched_again() {
    let ed = ed_key();
    let ec = EncodingKey::from_ec_pem(EC).unwrap();
    let set = KeySet::serve(vec![jwk(&ed, Algorithm::EdDSA, "a")], Duration::ZERO).await;
    let ttl = Duration::from_millis(200);
    // A long refetch interval: only the TTL can make it fetch again.
    let jwt = Jwt::jwks(&set.url)
        .unwrap()
        .jwks_ttl(ttl)
        .jwks_refetch_interval(Duration::from_secs(600));
    let a = sign(Algorithm::EdDSA, &ed, Some("a"), &claims());
    assert!(check(&jwt, &a).await.is_ok());
    assert!(check(&jwt, &a).await.is_ok());
    assert_eq!(set.fetches(), 1);

    // The issuer rotates to another key and drops the first.
    set.set(vec![jwk(&ec, Algorithm::ES256, "b")]);
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    let b = sign(Algorithm::ES256, &ec, Some("b"), &claims());
    assert!(check(&jwt, &b).await.is_ok());
    assert_eq!(set.fetches(), 2);
    refused(check(&jwt, &a).await, &a, "unknown key id");
    assert_eq!(set.fetches(), 2);
}

#[tokio::test]
async fn a_key_set_lends_no_secrets() {
    // An `oct` key published in a key set is left out: HMAC tokens would
    // otherwise verify with whatever the set says.
    let ed = ed_key();
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(SECRET);
    let set = KeySet::serve(
        vec![
            json!({ "kty": "oct", "k": secret, "kid": "s" }),
            jwk(&ed, Algorithm::EdDSA, "a"),
        ],
        Duration::ZERO,
    )
    .await;
    let jwt = Jwt::jwks(&set.url).unwrap();
    let hs = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(SECRET).unwrap(),
        Some("s"),
        &claims(),
    );
    refused(check(&jwt, &hs).await, &hs, "unknown key id");
    // Nor does a token without a key id find an HMAC key there.
    let hs = hs256(&claims());
    refused(check(&jwt, &hs).await, &hs, "algorithm HS256");
    let token = sign(Algorithm::EdDSA, &ed, None, &claims());
    assert!(check(&jwt, &token).await.is_ok());
}
