//! Schemes beyond bearer, basic and API keys
//! (`specs/features/uniapi/security-edges.yaml`), and requirements that no
//! request can meet (`security-undeclared.yaml`): every secured operation
//! is judged before its handler, whatever its schemes.

use std::sync::{Arc, Mutex};

use feature_uniapi_security_edges::{Api, Client, Credentials, Error, api};

/// What a TLS acceptor in front of the router would leave in the request:
/// the verified client certificate's subject.
#[derive(Clone)]
struct PeerCertificate(&'static str);

/// Judges each kind of credential the spec declares; records who reached
/// which handler.
#[derive(Clone, Default)]
struct Edges {
    calls: Arc<Mutex<Vec<(&'static str, String)>>>,
}

impl Edges {
    fn record(&self, operation: &'static str, context: &api::Context) {
        let who = context.principal.subject.clone().unwrap_or_default();
        self.calls.lock().unwrap().push((operation, who));
    }
    fn take(&self) -> Vec<(&'static str, String)> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

fn tokens() -> api::Tokens {
    api::Tokens::new()
        .grant("t0ken", api::Principal::new("token-holder"))
        .grant("key", api::Principal::new("key-holder"))
        .grant(
            "bearer",
            api::Principal::new("bearer-holder").with_scopes(["read"]),
        )
}

impl api::Authenticate for Edges {
    async fn authenticate(
        &self,
        presented: &api::Presented<'_>,
    ) -> Result<api::Principal, api::Refusal> {
        match presented.credential {
            // A real server would check the digest's response; the test
            // needs only to see the scheme's value reach it.
            api::Credential::Other {
                scheme: "Digest",
                value,
            } if value.starts_with(r#"username="alice""#) => Ok(api::Principal::new("alice")),
            api::Credential::MutualTls => presented
                .request
                .extensions
                .get::<PeerCertificate>()
                .map(|cert| api::Principal::new(cert.0))
                .ok_or_else(|| api::Refusal::invalid("no client certificate")),
            _ => api::Authenticate::authenticate(&tokens(), presented).await,
        }
    }
}

macro_rules! handlers {
    ($($operation:ident: $request:ident => $response:ident),* $(,)?) => {
        impl Api for Edges {
            $(
                async fn $operation(&self, r: api::$request) -> Result<api::$response, Error> {
                    self.record(stringify!($operation), &r.context);
                    Ok(api::$response::NoContent)
                }
            )*
        }
    };
}

handlers! {
    digest: DigestRequest => DigestResponse,
    token: TokenRequest => TokenResponse,
    certificate: CertificateRequest => CertificateResponse,
    certificate_and_key: CertificateAndKeyRequest => CertificateAndKeyResponse,
    nobody: NobodyRequest => NobodyResponse,
    nobody_or_token: NobodyOrTokenRequest => NobodyOrTokenResponse,
    anyone: AnyoneRequest => AnyoneResponse,
}

/// The router, behind a layer that plays the TLS acceptor: it leaves a
/// certificate in every request.
fn with_certificate(edges: Edges) -> axum::Router {
    feature_uniapi_security_edges::router(edges).layer(axum::middleware::map_request(
        |mut request: axum::extract::Request| async move {
            request
                .extensions_mut()
                .insert(PeerCertificate("client.example"));
            request
        },
    ))
}

async fn get(url: String, authorization: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(url);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn other_http_schemes_reach_the_authenticator_with_their_value() {
    let edges = Edges::default();
    let base = crate::serve(feature_uniapi_security_edges::router(edges.clone())).await;

    // The client sends `Digest <value>`; the authenticator sees the value.
    let alice = Client::new(&base).with_credentials(Credentials {
        digest: Some(r#"username="alice", realm="edges", response="6629fae4""#.into()),
        ..Credentials::default()
    });
    alice.digest(api::DigestRequest::new()).await.unwrap();
    assert_eq!(edges.take(), [("digest", "alice".to_owned())]);

    // Refused or missing: 401 asking for Digest, no handler.
    for authorization in [
        Some(r#"Digest username="mallory""#),
        Some("Bearer bearer"),
        None,
    ] {
        let refused = get(format!("{base}/digest"), authorization).await;
        assert_eq!(refused.status(), 401, "{authorization:?}");
        assert_eq!(refused.headers()["www-authenticate"], "Digest");
    }
    assert!(edges.take().is_empty());

    // `Tokens` judges another scheme's value as it judges a bearer token;
    // the scheme's name is matched in any case.
    let holder = Client::new(&base).with_credentials(Credentials {
        token: Some("t0ken".into()),
        ..Credentials::default()
    });
    holder.token(api::TokenRequest::new()).await.unwrap();
    assert_eq!(
        get(format!("{base}/token"), Some("token t0ken"))
            .await
            .status(),
        204
    );
    assert_eq!(
        get(format!("{base}/token"), Some("Token guess"))
            .await
            .status(),
        401
    );
    // Two bearer schemes (`bearer`, `oauth`) ask once.
    let missing = get(format!("{base}/token"), None).await;
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Token, Bearer");
    assert_eq!(
        edges.take(),
        [
            ("token", "token-holder".to_owned()),
            ("token", "token-holder".to_owned())
        ]
    );
}

#[tokio::test]
async fn client_certificates_are_judged_by_what_the_tls_layer_left() {
    let edges = Edges::default();
    let key = || Credentials {
        key: Some("key".into()),
        ..Credentials::default()
    };

    // Behind a TLS acceptor: the certificate's subject is the caller.
    let base = crate::serve(with_certificate(edges.clone())).await;
    let client = Client::new(&base);
    client
        .certificate(api::CertificateRequest::new())
        .await
        .unwrap();
    // Certificate AND key: both are judged; the first names the caller.
    let with_key = Client::new(&base).with_credentials(key());
    with_key
        .certificate_and_key(api::CertificateAndKeyRequest::new())
        .await
        .unwrap();
    let no_key = get(format!("{base}/certificate-and-key"), None).await;
    assert_eq!(no_key.status(), 401);
    assert_eq!(
        edges.take(),
        [
            ("certificate", "client.example".to_owned()),
            ("certificate_and_key", "client.example".to_owned()),
        ]
    );

    // Without one, the authenticator finds nothing: 401, and the
    // challenge names what is missing.
    let bare = crate::serve(feature_uniapi_security_edges::router(edges.clone())).await;
    let refused = get(format!("{bare}/certificate"), None).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "mutualTLS");
    let refused = Client::new(&bare)
        .with_credentials(key())
        .certificate_and_key(api::CertificateAndKeyRequest::new())
        .await;
    assert!(
        matches!(refused, Err(Error::UnexpectedStatus { status, .. }) if status == 401),
        "{refused:?}"
    );
    assert!(edges.take().is_empty());

    // `Tokens` has no secret to compare a certificate with: it refuses.
    let strict = feature_uniapi_security_edges::mock::MockApi::new().with_tokens(tokens());
    let base = crate::serve(feature_uniapi_security_edges::router(strict).layer(
        axum::middleware::map_request(|mut request: axum::extract::Request| async move {
            request.extensions_mut().insert(PeerCertificate("x"));
            request
        }),
    ))
    .await;
    assert_eq!(get(format!("{base}/certificate"), None).await.status(), 401);
}

#[tokio::test]
async fn requirements_no_request_can_meet_let_nobody_in() {
    let edges = Edges::default();
    let base = crate::serve(with_certificate(edges.clone())).await;

    // `/nobody` names an undeclared scheme, one of an unknown type and a
    // key whose name cannot be a header's: whatever is sent, 401.
    for authorization in [None, Some("Bearer bearer"), Some("Token t0ken")] {
        let refused = get(format!("{base}/nobody"), authorization).await;
        assert_eq!(refused.status(), 401, "{authorization:?}");
        assert!(refused.headers().contains_key("www-authenticate"));
    }
    let everything = Client::new(&base).with_credentials(Credentials {
        digest: Some(r#"username="alice""#.into()),
        token: Some("t0ken".into()),
        bearer: Some("bearer".into()),
        oauth: Some("bearer".into()),
        key: Some("key".into()),
    });
    let refused = everything.nobody(api::NobodyRequest::new()).await;
    assert!(
        matches!(refused, Err(Error::UnexpectedStatus { status, .. }) if status == 401),
        "{refused:?}"
    );

    // The requirement that can be met still lets its caller in.
    everything
        .nobody_or_token(api::NobodyOrTokenRequest::new())
        .await
        .unwrap();
    assert_eq!(
        get(format!("{base}/nobody-or-token"), None).await.status(),
        401
    );

    // An empty requirement beside it lets anyone in.
    assert_eq!(get(format!("{base}/anyone"), None).await.status(), 204);
    assert_eq!(
        edges.take(),
        [
            ("nobody_or_token", "token-holder".to_owned()),
            ("anyone", String::new()),
        ]
    );
}

#[tokio::test]
async fn an_api_whose_schemes_are_all_undeclared_is_closed_where_secured() {
    use feature_uniapi_security_undeclared::{mock::MockApi, router};
    let base = crate::serve(router(MockApi::new())).await;
    let refused = get(format!("{base}/secret"), Some("Bearer anything")).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(get(format!("{base}/open"), None).await.status(), 204);
}
