//! Security requirements as OR of ANDs (`specs/features/3.0/security-multiple.yaml`):
//! the server asks the authenticator before the handler, answers 401 when
//! no requirement is met (403 `insufficient_scope` when the scopes fall
//! short), and otherwise tells the handler which one was, with its scopes
//! and the principal.

use std::sync::{Arc, Mutex};

use feature_3_0_security_multiple::{Api, Client, Credentials, Error, api};

/// The spec's API behind `authenticator`: each handler records the
/// requirement its call met and who called, and answers its documented 401.
#[derive(Clone)]
pub struct Seen<A> {
    authenticator: A,
    requirements: Arc<Mutex<Vec<api::Requirement>>>,
    callers: Arc<Mutex<Vec<String>>>,
}

impl<A> Seen<A> {
    pub fn new(authenticator: A) -> Self {
        Seen {
            authenticator,
            requirements: Arc::default(),
            callers: Arc::default(),
        }
    }
    fn record(&self, context: &api::Context) {
        self.requirements.lock().unwrap().push(context.requirement);
        let who = context.principal.subject.clone().unwrap_or_default();
        self.callers.lock().unwrap().push(who);
    }
    /// The requirements met since the last `take`.
    pub fn take(&self) -> Vec<api::Requirement> {
        std::mem::take(&mut *self.requirements.lock().unwrap())
    }
    /// Who called, every call so far.
    pub fn callers(&self) -> Vec<String> {
        self.callers.lock().unwrap().clone()
    }
    /// How many calls reached a handler.
    pub fn calls(&self) -> usize {
        self.callers.lock().unwrap().len()
    }
}

impl<A: api::Authenticate> api::Authenticate for Seen<A> {
    async fn authenticate(
        &self,
        presented: &api::Presented<'_>,
    ) -> Result<api::Principal, api::Refusal> {
        api::Authenticate::authenticate(&self.authenticator, presented).await
    }
}

/// The tokens and keys these tests' server knows: `token` and `other`
/// grant `write:things`, `weak` grants nothing, `key` is an API key.
fn known() -> api::Tokens {
    api::Tokens::new()
        .grant(
            "token",
            api::Principal::new("alice").with_scopes(["write:things"]),
        )
        .grant(
            "other",
            api::Principal::new("bob").with_scopes(["write:things"]),
        )
        .grant("weak", api::Principal::new("carol"))
        .grant("key", api::Principal::new("partner"))
}

impl<A: Send + Sync> Api for Seen<A> {
    async fn post_anything_and(
        &self,
        r: api::PostAnythingAndRequest,
    ) -> Result<api::PostAnythingAndResponse, Error> {
        self.record(&r.context);
        Ok(api::PostAnythingAndResponse::Unauthorized)
    }
    async fn post_anything_or(
        &self,
        r: api::PostAnythingOrRequest,
    ) -> Result<api::PostAnythingOrResponse, Error> {
        self.record(&r.context);
        Ok(api::PostAnythingOrResponse::Unauthorized)
    }
    async fn post_anything_and_or(
        &self,
        r: api::PostAnythingAndOrRequest,
    ) -> Result<api::PostAnythingAndOrResponse, Error> {
        self.record(&r.context);
        Ok(api::PostAnythingAndOrResponse::Unauthorized)
    }
    async fn post_anything_many_and_or(
        &self,
        r: api::PostAnythingManyAndOrRequest,
    ) -> Result<api::PostAnythingManyAndOrResponse, Error> {
        self.record(&r.context);
        Ok(api::PostAnythingManyAndOrResponse::Unauthorized)
    }
}

use api::Scheme::{ApiKeyHeader, Oauth2, Oauth2Alternate};

#[tokio::test]
async fn the_handler_sees_which_requirement_was_met_and_its_scopes() {
    let seen = Seen::new(known());
    let base = crate::serve(feature_3_0_security_multiple::router(seen.clone())).await;
    let with = |credentials: Credentials| Client::new(&base).with_credentials(credentials);
    let oauth = || Credentials {
        oauth2: Some("token".into()),
        ..Credentials::default()
    };
    let key = || Credentials {
        api_key_header: Some("key".into()),
        ..Credentials::default()
    };

    // OR: either requirement; the handler is told which.
    with(oauth())
        .post_anything_or(api::PostAnythingOrRequest::new())
        .await
        .unwrap();
    with(key())
        .post_anything_or(api::PostAnythingOrRequest::new())
        .await
        .unwrap();
    assert_eq!(
        seen.take(),
        vec![
            &[(Oauth2, &["write:things"][..])][..],
            &[(ApiKeyHeader, &[][..])][..],
        ]
    );

    // AND: both schemes of the first requirement, the scopes with the one
    // that has them. (`/anything/and` wants basic and oauth2 at once, which
    // both travel in `Authorization`: no request can meet it.)
    let both = Credentials {
        oauth2: Some("token".into()),
        ..key()
    };
    with(both)
        .post_anything_and_or(api::PostAnythingAndOrRequest::new())
        .await
        .unwrap();
    assert_eq!(
        seen.take(),
        vec![&[(Oauth2, &["write:things"][..]), (ApiKeyHeader, &[][..])][..]]
    );

    // AND-OR: the second requirement, when the first is not met.
    let alternate = Credentials {
        oauth2_alternate: Some("other".into()),
        ..Credentials::default()
    };
    with(alternate)
        .post_anything_and_or(api::PostAnythingAndOrRequest::new())
        .await
        .unwrap();
    assert_eq!(
        seen.take(),
        vec![&[(Oauth2Alternate, &["write:things"][..])][..]]
    );

    // Half of an AND is not enough: 401 before the handler.
    let half = with(oauth())
        .post_anything_and(api::PostAnythingAndRequest::new())
        .await;
    assert!(
        matches!(half, Ok(api::PostAnythingAndResponse::Unauthorized)),
        "{half:?}"
    );
    let raw = reqwest::Client::new()
        .post(format!("{base}/anything/and"))
        .header("x-api-key", "key")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 401);
    assert!(raw.headers().contains_key("www-authenticate"));
    assert!(seen.take().is_empty(), "no handler ran");
}

#[tokio::test]
async fn refused_credentials_never_reach_the_handler() {
    let seen = Seen::new(known());
    let base = crate::serve(feature_3_0_security_multiple::router(seen.clone())).await;
    let post = |token: &str| {
        reqwest::Client::new()
            .post(format!("{base}/anything/or"))
            .bearer_auth(token)
            .send()
    };

    // A token the authenticator does not know: 401, `invalid_token`.
    let refused = post("forged").await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    assert_eq!(refused.headers()["cache-control"], "no-store");
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );

    // A known token without the scope: 403 naming it.
    let short = post("weak").await.unwrap();
    assert_eq!(short.status(), 403);
    assert_eq!(
        short.headers()["www-authenticate"],
        r#"Bearer error="insufficient_scope", scope="write:things""#
    );
    let problem: serde_json::Value = serde_json::from_slice(&short.bytes().await.unwrap()).unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("write:things"),
        "{problem}"
    );

    // A known key that is not the one its scheme was given for: refused too.
    let wrong_key = reqwest::Client::new()
        .post(format!("{base}/anything/or"))
        .header("x-api-key", "token-guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status(), 401);
    assert!(
        seen.take().is_empty(),
        "no refused call reached the handler"
    );

    // The good token gets in, and the handler learns who called.
    assert_eq!(
        post("token").await.unwrap().status(),
        401,
        "the handler's own answer"
    );
    assert_eq!(seen.take().len(), 1);
    assert_eq!(seen.callers(), ["alice"]);
}
