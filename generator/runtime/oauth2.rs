//! OAuth 2.0 tokens for the client (RFC 6749): [`OAuth2`] gets them from a
//! token endpoint by the client-credentials grant or a refresh token, keeps
//! one, refreshes it before it expires, and gets a fresh one when the
//! server refuses it.

use super::client::{TokenFuture, TokenProvider};

/// How long before its expiry a token is refreshed, at most (a tenth of
/// its lifetime when that is shorter).
pub const REFRESH_MARGIN: std::time::Duration = std::time::Duration::from_secs(30);

/// A [`TokenProvider`] that gets tokens from an OAuth 2.0 token endpoint.
///
/// It keeps one token for all the calls of the clients it is given to,
/// asks for a new one a little before the token expires
/// ([`REFRESH_MARGIN`]), with the refresh token when the endpoint gave
/// one, and forgets a token that a server refuses with `401`. Concurrent
/// calls that find no valid token wait for one request to the endpoint,
/// not one each.
///
/// The client authenticates to the endpoint with HTTP Basic
/// (`client_secret_basic`), or in the form ([`OAuth2::secret_in_body`]).
///
/// ```rust,ignore
/// let tokens = OAuth2::client_credentials(Client::PETSTORE_AUTH_TOKEN_URL, "id", "secret")
///     .scopes(["read:pets"]);
/// let client = Client::builder(url).token_provider(tokens).build()?;
/// ```
pub struct OAuth2 {
    token_url: String,
    client_id: String,
    client_secret: Option<String>,
    scopes: Vec<String>,
    secret_in_body: bool,
    http: reqwest::Client,
    state: std::sync::Mutex<State>,
    /// Held while one request to the endpoint is in flight.
    fetching: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for OAuth2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    /// The token and when it is to be refreshed (`None`: when refused).
    token: Option<(String, Option<std::time::Instant>)>,
    /// The refresh token, where there is one.
    refresh: Option<String>,
    /// Whether a grant of the client's own credentials can get a token
    /// (not where only a refresh token was given).
    client_credentials: bool,
}

/// The token endpoint's answer (RFC 6749 §5.1).
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl OAuth2 {
    /// Tokens by the client-credentials grant (RFC 6749 §4.4), from
    /// `token_url`.
    pub fn client_credentials(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        OAuth2::new(
            token_url.into(),
            client_id.into(),
            Some(client_secret.into()),
            State {
                client_credentials: true,
                ..State::default()
            },
        )
    }

    /// Tokens by the refresh-token grant (RFC 6749 §6), from `token_url`,
    /// starting with `refresh_token` (for example one that an
    /// authorization-code flow gave); a new refresh token from the
    /// endpoint replaces it. A public client has no secret.
    pub fn refresh_token(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Option<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        OAuth2::new(
            token_url.into(),
            client_id.into(),
            client_secret,
            State {
                refresh: Some(refresh_token.into()),
                ..State::default()
            },
        )
    }

    fn new(
        token_url: String,
        client_id: String,
        client_secret: Option<String>,
        state: State,
    ) -> Self {
        OAuth2 {
            token_url,
            client_id,
            client_secret,
            scopes: Vec::new(),
            secret_in_body: false,
            http: reqwest::Client::new(),
            state: std::sync::Mutex::new(state),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The scopes to ask for (default: none, the endpoint's default).
    #[must_use]
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sends the client's id and secret in the form
    /// (`client_secret_post`) instead of HTTP Basic.
    #[must_use]
    pub fn secret_in_body(mut self, on: bool) -> Self {
        self.secret_in_body = on;
        self
    }

    /// Asks the endpoint with `http` (proxies, TLS, timeouts).
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The kept token, while it is not yet to be refreshed.
    fn valid(&self) -> Option<String> {
        match &self.lock().token {
            Some((token, until)) if until.is_none_or(|t| std::time::Instant::now() < t) => {
                Some(token.clone())
            }
            _ => None,
        }
    }

    /// A new token from the endpoint: by the refresh token where there
    /// is one (and, when that fails, by the client's credentials where
    /// it may), else by the client's credentials.
    async fn fetch(&self) -> Result<String, super::api::Error> {
        let (refresh, client_credentials) = {
            let state = self.lock();
            (state.refresh.clone(), state.client_credentials)
        };
        let answer = match refresh {
            Some(refresh) => match self
                .grant(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
                .await
            {
                Err(_) if client_credentials => {
                    self.lock().refresh = None;
                    self.grant(&[("grant_type", "client_credentials")]).await
                }
                other => other,
            },
            None => self.grant(&[("grant_type", "client_credentials")]).await,
        }?;
        let now = std::time::Instant::now();
        // No expiry, or one too far to count: kept until refused.
        let until = answer.expires_in.and_then(|seconds| {
            let lifetime = std::time::Duration::from_secs(seconds);
            now.checked_add(lifetime - REFRESH_MARGIN.min(lifetime / 10))
        });
        let mut state = self.lock();
        state.token = Some((answer.access_token.clone(), until));
        if answer.refresh_token.is_some() {
            state.refresh = answer.refresh_token;
        }
        Ok(answer.access_token)
    }

    /// One request to the token endpoint.
    async fn grant(&self, grant: &[(&str, &str)]) -> Result<TokenResponse, super::api::Error> {
        let scope = self.scopes.join(" ");
        let mut form: Vec<(&str, &str)> = grant.to_vec();
        if !scope.is_empty() {
            form.push(("scope", &scope));
        }
        let mut request = self
            .http
            .post(&self.token_url)
            .header(reqwest::header::ACCEPT, "application/json");
        match (&self.client_secret, self.secret_in_body) {
            (Some(secret), false) => {
                request = request.basic_auth(
                    form_urlencode(&self.client_id),
                    Some(form_urlencode(secret)),
                );
            }
            (Some(secret), true) => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", secret));
            }
            (None, _) => form.push(("client_id", &self.client_id)),
        }
        let body = serde_urlencoded::to_string(&form)
            .map_err(|e| super::api::Error::Encode(e.to_string()))?;
        let response = request
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| super::api::Error::Transport(e.into()))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| super::api::Error::Transport(e.into()))?;
        if !status.is_success() {
            return Err(super::api::Error::UnexpectedStatus {
                status,
                headers: Box::new(headers),
                body: bytes.into(),
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| super::api::Error::Decode {
            status,
            headers: Box::new(headers),
            body: bytes.into(),
            path: None,
            message: format!("not a token response: {e}"),
        })
    }
}

impl TokenProvider for OAuth2 {
    fn token<'a>(&'a self, _scopes: &'a [&'static str]) -> TokenFuture<'a> {
        Box::pin(async move {
            if let Some(token) = self.valid() {
                return Ok(token);
            }
            // One request at a time; those that waited find its token.
            let _fetching = self.fetching.lock().await;
            if let Some(token) = self.valid() {
                return Ok(token);
            }
            self.fetch().await
        })
    }

    fn refused(&self, token: &str) {
        let mut state = self.lock();
        if state.token.as_ref().is_some_and(|(kept, _)| kept == token) {
            state.token = None;
        }
    }
}

/// RFC 6749 §2.3.1: the id and secret are form-encoded before they go
/// into HTTP Basic.
fn form_urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|pair| pair[1..].to_owned())
        .unwrap_or_default()
}
