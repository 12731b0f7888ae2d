//! Who may call: the [`Authenticate`] trait that the server asks before a
//! secured operation's handler runs, what it is asked about
//! ([`Presented`], [`Credential`]) and what it answers ([`Principal`] or
//! [`Refusal`]); [`Tokens`], a fixed set of secrets; and the explicit,
//! loudly named opt-out [`InsecureAcceptAnyCredential`].
//!
//! The server reads the credentials of the schemes an operation declares,
//! asks the authenticator about each one of a requirement, and checks the
//! requirement's scopes against what the principal is granted: a refusal
//! is a 401 (with `error="invalid_token"` for a bearer token), missing
//! scopes a 403 `insufficient_scope` that names them. Neither reaches the
//! handler.

use std::collections::BTreeSet;

/// A credential as the request presented it, already well formed: a
/// bearer token (OAuth2 and OpenID Connect too), a user and password
/// (HTTP Basic), an API key, the credentials of another HTTP scheme
/// (`Digest`, ...), or a TLS client certificate that the connection
/// carried. `Debug` does not show the secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    /// The token of `Authorization: Bearer <token>`.
    Bearer(&'a str),
    /// The pair of `Authorization: Basic <base64>`.
    Basic {
        /// The user name.
        username: &'a str,
        /// The password.
        password: &'a str,
    },
    /// An API key, from the header, query parameter or cookie the scheme
    /// names.
    ApiKey(&'a str),
    /// `Authorization: <scheme> <value>` of an HTTP scheme other than
    /// Bearer and Basic (`Digest`, `Negotiate`, ...), for the authenticator
    /// to parse and judge.
    Other {
        /// The scheme's name, as the spec spells it.
        scheme: &'a str,
        /// What follows the scheme's name, trimmed.
        value: &'a str,
    },
    /// OpenAPI's `mutualTLS`: the client certificate is the TLS layer's to
    /// verify, so nothing is read from the request. The authenticator
    /// judges it by what that layer left: a request extension set by a TLS
    /// acceptor, or a header set by a terminating proxy that it trusts.
    /// Nothing in the request means no certificate: refuse.
    MutualTls,
}

impl Credential<'_> {
    /// The kind, as HTTP authentication schemes are named (`Bearer`,
    /// `Basic`, `ApiKey`, the other scheme's own name, `mutualTLS`).
    pub fn kind(&self) -> &str {
        match self {
            Credential::Bearer(_) => "Bearer",
            Credential::Basic { .. } => "Basic",
            Credential::ApiKey(_) => "ApiKey",
            Credential::Other { scheme, .. } => scheme,
            Credential::MutualTls => "mutualTLS",
        }
    }

    /// Whether the credential's secret is `secret`: the token, the key,
    /// `username:password`, or another scheme's value, compared in time
    /// that does not depend on where they differ. A client certificate is
    /// no secret to compare: never.
    pub fn is(&self, secret: &str) -> bool {
        match self {
            Credential::Bearer(value)
            | Credential::ApiKey(value)
            | Credential::Other { value, .. } => {
                constant_time_eq(value.as_bytes(), secret.as_bytes())
            }
            Credential::MutualTls => false,
            Credential::Basic { username, password } => match secret.split_once(':') {
                Some((user, pass)) => {
                    // Both halves are compared, whatever the first gives.
                    let user_ok = constant_time_eq(username.as_bytes(), user.as_bytes());
                    let pass_ok = constant_time_eq(password.as_bytes(), pass.as_bytes());
                    user_ok & pass_ok
                }
                None => false,
            },
        }
    }
}

impl std::fmt::Debug for Credential<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credential::MutualTls => f.write_str("MutualTls"),
            other => write!(f, "{}(<redacted>)", other.kind()),
        }
    }
}

/// Whether `a` and `b` are equal, in time that depends on their lengths
/// only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the authenticator is asked about: one credential of one scheme,
/// the scopes that the operation's requirement asks of it, and the
/// request it came with (method, URI, headers and the extensions tower
/// layers set, such as the peer's address).
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    /// The scheme's key under `components/securitySchemes`.
    pub scheme: &'static str,
    /// The credential.
    pub credential: Credential<'a>,
    /// The scopes the requirement asks of this scheme (checked by the
    /// server against [`Principal::scopes`] after the authenticator
    /// answers).
    pub scopes: &'static [&'static str],
    /// The request, without its body.
    pub request: &'a http::request::Parts,
}

/// The scopes a principal is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scopes {
    /// These scopes.
    Granted(BTreeSet<String>),
    /// Every scope: for a principal whose scopes someone else judges (a
    /// gateway's upstream) or that nobody judges (mocks, the insecure
    /// opt-out).
    Any,
}

impl Default for Scopes {
    fn default() -> Self {
        Scopes::Granted(BTreeSet::new())
    }
}

impl Scopes {
    /// Whether `scope` is granted.
    pub fn grants(&self, scope: &str) -> bool {
        match self {
            Scopes::Granted(scopes) => scopes.contains(scope),
            Scopes::Any => true,
        }
    }

    /// Both sets: what either grants.
    fn union(self, other: Scopes) -> Scopes {
        match (self, other) {
            (Scopes::Granted(mut a), Scopes::Granted(b)) => {
                a.extend(b);
                Scopes::Granted(a)
            }
            _ => Scopes::Any,
        }
    }
}

/// Who the caller is, as the authenticator found: what the handler gets
/// in `request.context.principal`.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    /// The caller's identity (a token's `sub`, a user name), if known.
    pub subject: Option<String>,
    /// The scopes the credentials grant.
    pub scopes: Scopes,
    /// A token's claims (the JWT authenticator fills them).
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// Anything else the authenticator wants the handler to have, such as
    /// a user record: `principal.extensions.get::<User>()`.
    pub extensions: http::Extensions,
}

impl Principal {
    /// A principal named `subject`, granted no scopes.
    pub fn new(subject: impl Into<String>) -> Self {
        Principal {
            subject: Some(subject.into()),
            ..Principal::default()
        }
    }

    /// An unnamed principal granted every scope: one nobody judged here.
    pub fn anyone() -> Self {
        Principal {
            scopes: Scopes::Any,
            ..Principal::default()
        }
    }

    /// The principal, granted `scopes` as well.
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        let granted = Scopes::Granted(scopes.into_iter().map(Into::into).collect());
        self.scopes = std::mem::take(&mut self.scopes).union(granted);
        self
    }

    /// Whether `scope` is granted.
    pub fn grants(&self, scope: &str) -> bool {
        self.scopes.grants(scope)
    }

    /// The principal that met a requirement of two or more schemes: the
    /// first one's identity, claims and extensions, both one's scopes.
    pub fn and(mut self, other: Principal) -> Self {
        self.scopes = std::mem::take(&mut self.scopes).union(other.scopes);
        if self.subject.is_none() {
            self.subject = other.subject;
        }
        self
    }
}

/// Why the authenticator turned a credential away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The answer's status: 401 (not valid), 403 (valid, but not let in)
    /// or 503 (cannot judge now, say a key set that cannot be fetched).
    pub status: http::StatusCode,
    /// Why, for the caller: it goes into the problem's `detail`.
    pub detail: String,
}

impl Refusal {
    /// The credential is not valid (expired, unknown, bad signature): 401.
    pub fn invalid(detail: impl Into<String>) -> Self {
        Refusal {
            status: http::StatusCode::UNAUTHORIZED,
            detail: detail.into(),
        }
    }

    /// The credential is valid but its holder may not call: 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Refusal {
            status: http::StatusCode::FORBIDDEN,
            detail: detail.into(),
        }
    }

    /// The credential cannot be judged now: 503, with `Retry-After`.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Refusal {
            status: http::StatusCode::SERVICE_UNAVAILABLE,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Refusal {}

/// Judges credentials before a secured operation's handler runs: turns a
/// [`Presented`] credential into a [`Principal`], or refuses it.
///
/// The server asks once per scheme of the requirement it tries (a
/// requirement of two schemes is asked about both), then checks the
/// requirement's scopes against the principal's. Implement it on the type
/// that implements the API, or delegate to a ready one:
///
/// ```rust,ignore
/// impl api::Authenticate for Shop {
///     async fn authenticate(&self, presented: &Presented<'_>) -> Result<Principal, Refusal> {
///         self.jwt.authenticate(presented).await
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not say who may call the API's secured operations",
    label = "no authenticator",
    note = "implement `Authenticate` for `{Self}` (a JWT one is ready behind the crate's `jwt` feature), or, to let every well-formed credential in without judging it, `impl InsecureAcceptAnyCredential for {Self} {{}}`"
)]
pub trait Authenticate: Send + Sync + 'static {
    /// The principal that `presented` names, or why it may not call.
    fn authenticate(
        &self,
        presented: &Presented<'_>,
    ) -> impl std::future::Future<Output = Result<Principal, Refusal>> + Send;
}

/// The explicit opt-out of authentication: a type that implements it
/// lets every well-formed credential in, unjudged, as a principal granted
/// every scope ([`Principal::anyone`]). Credentials must still be present
/// where an operation asks for them.
///
/// ```rust,ignore
/// // Anyone who sends some token gets in: for tests and demos only.
/// impl api::InsecureAcceptAnyCredential for Shop {}
/// ```
pub trait InsecureAcceptAnyCredential {}

impl<T: InsecureAcceptAnyCredential + Send + Sync + 'static> Authenticate for T {
    async fn authenticate(&self, _presented: &Presented<'_>) -> Result<Principal, Refusal> {
        Ok(Principal::anyone())
    }
}

/// A fixed set of secrets, each naming a principal: static API keys,
/// service tokens (bearer or another HTTP scheme's value), or
/// `username:password` pairs for HTTP Basic. Any other credential, and
/// every TLS client certificate, is refused.
///
/// ```rust,ignore
/// let tokens = Tokens::new()
///     .grant("s3cret", Principal::new("ci").with_scopes(["puppies:write"]))
///     .grant("alice:wonderland", Principal::new("alice"));
/// ```
#[derive(Clone, Default)]
pub struct Tokens {
    secrets: Vec<(String, Principal)>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.secrets.iter().map(|(_, principal)| principal))
            .finish()
    }
}

impl Tokens {
    /// No secrets yet: refuses everything.
    pub fn new() -> Self {
        Tokens::default()
    }

    /// Lets `secret` in as `principal`.
    pub fn grant(mut self, secret: impl Into<String>, principal: Principal) -> Self {
        self.secrets.push((secret.into(), principal));
        self
    }

    /// The principal that `credential` names, comparing it with every
    /// secret (so the time taken does not say which one came close).
    pub fn find(&self, credential: &Credential<'_>) -> Option<&Principal> {
        let mut found = None;
        for (secret, principal) in &self.secrets {
            if credential.is(secret) && found.is_none() {
                found = Some(principal);
            }
        }
        found
    }
}

impl Authenticate for Tokens {
    async fn authenticate(&self, presented: &Presented<'_>) -> Result<Principal, Refusal> {
        self.find(&presented.credential)
            .cloned()
            .ok_or_else(|| Refusal::invalid("the credential is not one this server knows"))
    }
}

/// [`Authenticate`] as an object, so that the server's non-generic
/// request parsers can ask it.
#[doc(hidden)]
pub trait DynAuthenticate: Send + Sync {
    /// [`Authenticate::authenticate`], boxed.
    fn authenticate_boxed<'a>(
        &'a self,
        presented: &'a Presented<'a>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Principal, Refusal>> + Send + 'a>>;
}

impl<T: Authenticate> DynAuthenticate for T {
    fn authenticate_boxed<'a>(
        &'a self,
        presented: &'a Presented<'a>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Principal, Refusal>> + Send + 'a>>
    {
        Box::pin(self.authenticate(presented))
    }
}
