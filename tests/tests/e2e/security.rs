//! Security requirements as OR of ANDs (`specs/features/3.0/security-multiple.yaml`):
//! the server answers 401 before the handler when no requirement is met,
//! and otherwise tells the handler which one was, with its scopes.

use std::sync::{Arc, Mutex};

use feature_3_0_security_multiple::{Api, Client, Credentials, Error, api};

/// Records the requirement each call met.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<api::Requirement>>>);

impl Seen {
    fn record(&self, context: &api::Context) {
        self.0.lock().unwrap().push(context.requirement);
    }
    fn take(&self) -> Vec<api::Requirement> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Api for Seen {
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
    let seen = Seen::default();
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
