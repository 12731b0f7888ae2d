//! The JWT authenticator (`server::Jwt`, feature `jwt`) in front of a
//! generated router, over TCP: each bad token is refused with its 401 (or
//! 403 for a missing scope) before the handler, whose call count stays at
//! zero; a good token gets in, and the handler learns who called. The spec
//! is `specs/features/3.0/security-multiple.yaml`, whose `/anything/or`
//! asks for an OAuth2 bearer token with scope `write:things` (or an API
//! key, which a JWT authenticator refuses).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use feature_3_0_security_multiple::server::Jwt;

use crate::security::Seen;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

const SECRET: &[u8] = b"a secret of the API and its token issuer";
const RSA: &[u8] = include_bytes!("../../../runtime-tests/tests/keys/rsa.pem");

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims that pass every check, with `changes` merged in.
fn claims(changes: Value) -> Value {
    let mut claims = json!({
        "sub": "alice",
        "aud": "things-api",
        "iss": "https://issuer.test/",
        "exp": now() + 600,
        "scope": "read:things write:things",
    });
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret).unwrap(),
    )
    .unwrap()
}

/// Posts to `/anything/or` with `token`: the status, `WWW-Authenticate`
/// and the problem's detail.
async fn post(base: &str, token: &str) -> (u16, String, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}/anything/or"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
    let detail = body["detail"].as_str().unwrap_or_default().to_owned();
    (status, challenge, detail)
}

/// The spec's API behind `jwt`, which counts its handlers' calls and
/// keeps who called.
async fn serve(jwt: Jwt) -> (String, Seen<Jwt>) {
    let guarded = Seen::new(jwt);
    let base = crate::serve(feature_3_0_security_multiple::router(guarded.clone())).await;
    (base, guarded)
}

#[tokio::test]
async fn bad_tokens_never_reach_the_handler() {
    let jwt = Jwt::hs256(SECRET)
        .unwrap()
        .audience("things-api")
        .issuer("https://issuer.test/");
    let (base, guarded) = serve(jwt).await;

    let none = {
        use base64::Engine as _;
        let part =
            |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.",
            part(json!({"alg": "none", "typ": "JWT"})),
            part(claims(json!({})))
        )
    };
    let refused = [
        (
            "expired",
            hs256(&claims(json!({"exp": now() - 3600})), SECRET),
        ),
        (
            "not yet valid",
            hs256(&claims(json!({"nbf": now() + 3600})), SECRET),
        ),
        (
            "wrong audience",
            hs256(&claims(json!({"aud": "another-api"})), SECRET),
        ),
        (
            "wrong issuer",
            hs256(&claims(json!({"iss": "https://evil.test/"})), SECRET),
        ),
        (
            "wrong key",
            hs256(&claims(json!({})), b"a secret someone guessed"),
        ),
        ("alg none", none),
        ("not a JWT", "opaque-token".to_owned()),
    ];
    for (case, token) in &refused {
        let (status, challenge, detail) = post(&base, token).await;
        assert_eq!(status, 401, "{case}: {detail}");
        assert_eq!(challenge, r#"Bearer error="invalid_token""#, "{case}");
        assert!(!detail.is_empty(), "{case}: the problem says why");
        assert!(!detail.contains(token.as_str()), "{case}: no token echoed");
    }

    // A valid token without the operation's scope: 403, naming it.
    let (status, challenge, detail) = post(
        &base,
        &hs256(&claims(json!({"scope": "read:things"})), SECRET),
    )
    .await;
    assert_eq!(status, 403, "{detail}");
    assert_eq!(
        challenge,
        r#"Bearer error="insufficient_scope", scope="write:things""#
    );
    assert!(detail.contains("write:things"), "{detail}");
    assert_eq!(guarded.calls(), 0, "no refused request reached a handler");

    // The good token (scopes in `scp` work too) gets in, as its subject.
    let good = hs256(&claims(json!({})), SECRET);
    assert_eq!(
        post(&base, &good).await.0,
        401,
        "the handler's own documented answer"
    );
    let scp = hs256(
        &claims(json!({"scope": null, "scp": ["write:things"], "sub": "bob"})),
        SECRET,
    );
    post(&base, &scp).await;
    assert_eq!(guarded.calls(), 2);
    assert_eq!(guarded.callers(), ["alice", "bob"]);
}

/// A key set served at `/jwks.json` that counts its fetches.
async fn key_set(keys: Arc<Mutex<Value>>, fetches: Arc<AtomicUsize>) -> String {
    let route = axum::routing::get(move || {
        let keys = keys.clone();
        let fetches = fetches.clone();
        async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            let body = keys.lock().unwrap().to_string();
            ([("content-type", "application/json")], body)
        }
    });
    let base = crate::serve(axum::Router::new().route("/jwks.json", route)).await;
    format!("{base}/jwks.json")
}

#[tokio::test]
async fn an_unknown_key_id_fetches_the_key_set_once() {
    let key = EncodingKey::from_rsa_pem(RSA).unwrap();
    let jwk = |kid: &str| {
        let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap();
        jwk.common.key_id = Some(kid.to_owned());
        serde_json::to_value(jwk).unwrap()
    };
    let keys = Arc::new(Mutex::new(json!({ "keys": [jwk("2025")] })));
    let fetches = Arc::new(AtomicUsize::new(0));
    let url = key_set(keys.clone(), fetches.clone()).await;
    let jwt = Jwt::jwks(&url)
        .unwrap()
        .audience("things-api")
        .jwks_refetch_interval(Duration::ZERO);
    let (base, guarded) = serve(jwt).await;
    let rs256 = |kid: &str| {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        encode(&header, &claims(json!({})), &key).unwrap()
    };

    assert_eq!(post(&base, &rs256("2025")).await.0, 401, "let in");
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "fetched on first use");
    assert_eq!(guarded.calls(), 1);

    // The issuer rotates: a token of the new key makes the server fetch
    // the set once more, and it is let in.
    *keys.lock().unwrap() = json!({ "keys": [jwk("2025"), jwk("2026")] });
    assert_eq!(post(&base, &rs256("2026")).await.0, 401, "let in");
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "refreshed once");
    assert_eq!(guarded.calls(), 2);

    // A key id the set does not have: one more fetch, then refused.
    let (status, _, detail) = post(&base, &rs256("forged")).await;
    assert_eq!(status, 401, "{detail}");
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
    assert_eq!(guarded.calls(), 2);

    // A JWT authenticator refuses an API key, whatever it is.
    let key_only = reqwest::Client::new()
        .post(format!("{base}/anything/or"))
        .header("x-api-key", "key")
        .send()
        .await
        .unwrap();
    assert_eq!(key_only.status(), 401);
    assert_eq!(guarded.calls(), 2);
}
