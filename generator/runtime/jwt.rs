//! The JWT authenticator: [`Jwt`] judges bearer tokens that are JSON Web
//! Tokens, signed with keys it is given ([`JwtKey`]) or fetches from an
//! issuer's key set (JWKS).
//!
//! A token is let in when its signature verifies with a key that allows
//! its algorithm, it has not expired (`exp`, required unless told
//! otherwise), it is already valid (`nbf`), and it names an audience
//! (`aud`) and an issuer (`iss`) that the authenticator accepts, where it
//! was told which. Clocks may differ by the leeway (default [`LEEWAY`]).
//! The principal is the token's `sub`, granted the scopes of its `scope`
//! and `scp` claims, with every claim in [`Principal::claims`].
//!
//! ```rust,ignore
//! // An issuer's key set, fetched and cached.
//! let jwt = Jwt::jwks("https://issuer.example/.well-known/jwks.json")?
//!     .issuer("https://issuer.example/")
//!     .audience("https://api.example/");
//! // Or keys of one's own, two at once while one is rotated out.
//! let jwt = Jwt::new()
//!     .key(JwtKey::rsa_pem(include_bytes!("old.pub.pem"))?.kid("2024"))
//!     .key(JwtKey::rsa_pem(include_bytes!("new.pub.pem"))?.kid("2025"));
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::auth::{Authenticate, Credential, Presented, Principal, Refusal};

pub use jsonwebtoken::jwk::Jwk;
pub use jsonwebtoken::Algorithm;

/// How far the clocks of the issuer and this server may differ, by
/// default: `exp` and `nbf` are this much lenient.
pub const LEEWAY: Duration = Duration::from_secs(60);

/// How long a fetched key set is used before it is fetched again, by
/// default.
pub const JWKS_TTL: Duration = Duration::from_secs(10 * 60);

/// The least time between two fetches of a key set, by default: a token
/// that names a key the set does not hold makes it fetched again, but not
/// sooner than this after the last fetch.
pub const JWKS_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// How long a fetch of a key set may take.
const JWKS_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest key set read, in bytes.
const JWKS_MAX_BYTES: usize = 1 << 20;

/// The algorithms of the HMAC family.
const HMAC: &[Algorithm] = &[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// The algorithms of the RSA family.
const RSA: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// Why a key or a key set's address could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtConfigError {
    message: String,
}

impl JwtConfigError {
    fn new(message: impl Into<String>) -> Self {
        JwtConfigError {
            message: message.into(),
        }
    }

    /// Why.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for JwtConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JwtConfigError {}

/// A key that verifies tokens: a secret (HMAC) or a public key (RSA, EC,
/// Ed25519), the algorithms it allows, and its key id (`kid`), if any.
///
/// A key allows the algorithms of its kind only, so that a token cannot
/// choose another (an HMAC token checked with an RSA public key as its
/// secret, say).
#[derive(Clone)]
pub struct JwtKey {
    key: jsonwebtoken::DecodingKey,
    algorithms: Vec<Algorithm>,
    kid: Option<String>,
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKey")
            .field("kid", &self.kid)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

impl JwtKey {
    /// A shared secret, for HS256, HS384 and HS512; fails when it is
    /// empty. It should be at least as long as the hash (32 bytes for
    /// HS256).
    pub fn hmac(secret: impl AsRef<[u8]>) -> Result<Self, JwtConfigError> {
        let key = jsonwebtoken::DecodingKey::from_secret(secret.as_ref())
            .map_err(|_| JwtConfigError::new("the HMAC secret is empty"))?;
        Ok(JwtKey::of(key, HMAC))
    }

    /// An RSA public key in PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`), for
    /// RS256, RS384, RS512, PS256, PS384 and PS512.
    pub fn rsa_pem(pem: impl AsRef<[u8]>) -> Result<Self, JwtConfigError> {
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_ref())
            .ok()
            // Parses the key, which the line above does not.
            .filter(|key| Jwk::from_decoding_key(key, None).is_ok())
            .ok_or_else(|| JwtConfigError::new("the key is not an RSA public key in PEM"))?;
        Ok(JwtKey::of(key, RSA))
    }

    /// An elliptic curve public key in PEM (`PUBLIC KEY`): on P-256 for
    /// ES256, on P-384 for ES384.
    pub fn ec_pem(pem: impl AsRef<[u8]>) -> Result<Self, JwtConfigError> {
        let invalid = || JwtConfigError::new("the key is not a P-256 or P-384 public key in PEM");
        let key = jsonwebtoken::DecodingKey::from_ec_pem(pem.as_ref()).map_err(|_| invalid())?;
        let algorithm = match Jwk::from_decoding_key(&key, None).map(|jwk| jwk.algorithm) {
            Ok(jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(params)) => {
                curve_algorithm(&params.curve)
            }
            _ => None,
        };
        let algorithm = algorithm.ok_or_else(invalid)?;
        Ok(JwtKey::of(key, &[algorithm]))
    }

    /// An Ed25519 public key in PEM (`PUBLIC KEY`), for EdDSA.
    pub fn ed25519_pem(pem: impl AsRef<[u8]>) -> Result<Self, JwtConfigError> {
        let key = jsonwebtoken::DecodingKey::from_ed_pem(pem.as_ref())
            .ok()
            .filter(|key| Jwk::from_decoding_key(key, None).is_ok())
            .ok_or_else(|| JwtConfigError::new("the key is not an Ed25519 public key in PEM"))?;
        Ok(JwtKey::of(key, &[Algorithm::EdDSA]))
    }

    /// A key as a JSON Web Key (RFC 7517): RSA, EC on P-256 or P-384,
    /// Ed25519, or a secret (`oct`). Its `kid` is the key's, and its `alg`,
    /// if any, the one algorithm it allows. Fails for a key meant for
    /// encryption, or of a kind or curve that is not supported.
    pub fn jwk(jwk: &Jwk) -> Result<Self, JwtConfigError> {
        JwtKey::from_jwk(jwk, true)
    }

    /// The key with the key id `kid`: a token that names a key id is
    /// checked with the keys of that id, and keys without one.
    #[must_use]
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The key, allowing only those of `algorithms` that it allowed.
    #[must_use]
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        let wanted: Vec<Algorithm> = algorithms.into_iter().collect();
        self.algorithms
            .retain(|algorithm| wanted.contains(algorithm));
        self
    }

    /// The key id, if any.
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Whether the key allows `algorithm`.
    pub fn allows(&self, algorithm: Algorithm) -> bool {
        self.algorithms.contains(&algorithm)
    }

    fn of(key: jsonwebtoken::DecodingKey, algorithms: &[Algorithm]) -> Self {
        JwtKey {
            key,
            algorithms: algorithms.to_vec(),
            kid: None,
        }
    }

    /// The key `jwk`; a secret one only where `secrets` (a key set fetched
    /// from an address holds public keys).
    fn from_jwk(jwk: &Jwk, secrets: bool) -> Result<Self, JwtConfigError> {
        use jsonwebtoken::jwk::{AlgorithmParameters, KeyOperations, PublicKeyUse};
        let unsupported = |why: &str| JwtConfigError::new(format!("the JWK {why}"));
        if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
            return Err(unsupported("is for encryption"));
        }
        if let Some(operations) = &jwk.common.key_operations {
            if !operations.contains(&KeyOperations::Verify) {
                return Err(unsupported("is not for verifying"));
            }
        }
        let algorithms: Vec<Algorithm> = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => RSA.to_vec(),
            AlgorithmParameters::EllipticCurve(params) => curve_algorithm(&params.curve)
                .map(|algorithm| vec![algorithm])
                .ok_or_else(|| unsupported("is on a curve that is not supported"))?,
            AlgorithmParameters::OctetKeyPair(params)
                if params.curve == jsonwebtoken::jwk::EllipticCurve::Ed25519 =>
            {
                vec![Algorithm::EdDSA]
            }
            AlgorithmParameters::OctetKey(_) if secrets => HMAC.to_vec(),
            _ => return Err(unsupported("is of a kind that is not supported")),
        };
        let algorithms = match jwk.common.key_algorithm {
            None => algorithms,
            Some(named) => match Algorithm::try_from(named) {
                Ok(algorithm) if algorithms.contains(&algorithm) => vec![algorithm],
                _ => return Err(unsupported("names an algorithm its kind does not allow")),
            },
        };
        let key = jsonwebtoken::DecodingKey::from_jwk(jwk)
            .map_err(|_| unsupported("is not a valid key"))?;
        Ok(JwtKey {
            key,
            algorithms,
            kid: jwk.common.key_id.clone(),
        })
    }
}

/// The algorithm of an elliptic curve key on `curve`.
fn curve_algorithm(curve: &jsonwebtoken::jwk::EllipticCurve) -> Option<Algorithm> {
    match curve {
        jsonwebtoken::jwk::EllipticCurve::P256 => Some(Algorithm::ES256),
        jsonwebtoken::jwk::EllipticCurve::P384 => Some(Algorithm::ES384),
        _ => None,
    }
}

/// Judges bearer tokens that are JWTs: see the [module](self).
///
/// Clones share the cache of the key set.
#[derive(Clone)]
pub struct Jwt {
    keys: Vec<JwtKey>,
    jwks: Option<Jwks>,
    audiences: Vec<String>,
    issuers: Vec<String>,
    leeway: Duration,
    require_exp: bool,
}

impl Default for Jwt {
    fn default() -> Self {
        Jwt::new()
    }
}

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt")
            .field("keys", &self.keys)
            .field("jwks", &self.jwks.as_ref().map(|jwks| jwks.url.as_str()))
            .field("audiences", &self.audiences)
            .field("issuers", &self.issuers)
            .field("leeway", &self.leeway)
            .field("require_exp", &self.require_exp)
            .finish()
    }
}

impl Jwt {
    /// An authenticator with no keys yet: it refuses every token until
    /// given some ([`Jwt::key`]).
    pub fn new() -> Self {
        Jwt {
            keys: Vec::new(),
            jwks: None,
            audiences: Vec::new(),
            issuers: Vec::new(),
            leeway: LEEWAY,
            require_exp: true,
        }
    }

    /// An authenticator of HS256 tokens signed with `secret`; fails when
    /// it is empty.
    pub fn hs256(secret: impl AsRef<[u8]>) -> Result<Self, JwtConfigError> {
        let key = JwtKey::hmac(secret)?.algorithms([Algorithm::HS256]);
        Ok(Jwt::new().key(key))
    }

    /// An authenticator of tokens signed with the keys of the key set
    /// (JWKS) at `url`, such as an OpenID provider's `jwks_uri`.
    ///
    /// The set is fetched with the first token, then again once it is
    /// older than [`Jwt::jwks_ttl`], or when a token names a key id it does
    /// not hold (but not sooner than [`Jwt::jwks_refetch_interval`] after
    /// the last fetch). A set that cannot be fetched leaves the keys of the
    /// last one in use; with none yet, tokens are answered 503. Its secret
    /// keys (`oct`), keys for encryption and keys of other kinds are left
    /// out. Fails when `url` is not an absolute URL.
    pub fn jwks(url: &str) -> Result<Self, JwtConfigError> {
        let url = reqwest::Url::parse(url)
            .map_err(|error| JwtConfigError::new(format!("the JWKS URL is not valid: {error}")))?;
        let client = reqwest::Client::builder()
            .build()
            .map_err(|error| JwtConfigError::new(format!("no HTTP client: {error}")))?;
        let mut jwt = Jwt::new();
        jwt.jwks = Some(Jwks {
            url,
            client,
            ttl: JWKS_TTL,
            refetch_interval: JWKS_REFETCH_INTERVAL,
            cache: Arc::default(),
        });
        Ok(jwt)
    }

    /// Also verifies tokens with `key` (more than one key, for rotation).
    #[must_use]
    pub fn key(mut self, key: JwtKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Accepts tokens for `audience` (their `aud`, or one of it). Called
    /// more than once, accepts any of them. Without it, `aud` is not
    /// checked: set it where the issuer makes tokens for other APIs too.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accepts tokens from `issuer` (their `iss`). Called more than once,
    /// accepts any of them. Without it, `iss` is not checked.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// How far the issuer's clock may differ from this server's (default
    /// [`LEEWAY`]), in whole seconds.
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Whether a token must have an `exp` (default: it must).
    #[must_use]
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = required;
        self
    }

    /// How long a fetched key set is used before it is fetched again
    /// (default [`JWKS_TTL`]). Only with [`Jwt::jwks`].
    #[must_use]
    pub fn jwks_ttl(mut self, ttl: Duration) -> Self {
        if let Some(jwks) = &mut self.jwks {
            jwks.ttl = ttl;
        }
        self
    }

    /// The least time between two fetches of the key set (default
    /// [`JWKS_REFETCH_INTERVAL`]), so that tokens naming made-up key ids
    /// cannot make this server hammer the issuer. Only with [`Jwt::jwks`].
    #[must_use]
    pub fn jwks_refetch_interval(mut self, interval: Duration) -> Self {
        if let Some(jwks) = &mut self.jwks {
            jwks.refetch_interval = interval;
        }
        self
    }

    /// Fetches the key set with `client` (for a proxy, other root
    /// certificates, or timeouts of one's own). Only with [`Jwt::jwks`].
    #[must_use]
    pub fn jwks_client(mut self, client: reqwest::Client) -> Self {
        if let Some(jwks) = &mut self.jwks {
            jwks.client = client;
        }
        self
    }

    /// The principal that `token` names, or why it may not call: what
    /// [`Authenticate::authenticate`] answers for a bearer token.
    pub async fn verify(&self, token: &str) -> Result<Principal, Refusal> {
        let header = Header::parse(token)?;
        let kid = header.kid.as_deref();
        let unknown =
            kid.filter(|kid| !self.keys.iter().any(|key| key.kid.as_deref() == Some(*kid)));
        let fetched = match &self.jwks {
            Some(jwks) => jwks.keys(unknown).await,
            None => Ok(Arc::default()),
        };
        let published: &[JwtKey] = match &fetched {
            Ok(keys) => keys,
            Err(_) => &[],
        };
        let named: Vec<&JwtKey> = self
            .keys
            .iter()
            .chain(published)
            .filter(|key| kid.is_none() || key.kid.is_none() || key.kid.as_deref() == kid)
            .collect();
        if named.is_empty() {
            return Err(match (fetched, kid) {
                (Err(refusal), _) => refusal,
                (Ok(_), Some(_)) => Refusal::invalid("the token names an unknown key id"),
                (Ok(_), None) => Refusal::invalid("no key to verify the token with"),
            });
        }
        let candidates: Vec<&JwtKey> = named
            .into_iter()
            .filter(|key| key.allows(header.alg))
            .collect();
        if candidates.is_empty() {
            return Err(Refusal::invalid(format!(
                "the token's algorithm {:?} is not one its key allows",
                header.alg
            )));
        }
        let mut validation = jsonwebtoken::Validation::new(header.alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let mut claims = None;
        for key in candidates {
            match jsonwebtoken::decode::<Claims>(token, &key.key, &validation) {
                Ok(data) => {
                    claims = Some(data.claims);
                    break;
                }
                Err(error) => {
                    use jsonwebtoken::errors::ErrorKind;
                    match error.kind() {
                        // The next key may be the one.
                        ErrorKind::InvalidSignature
                        | ErrorKind::InvalidKeyFormat
                        | ErrorKind::InvalidEcdsaKey
                        | ErrorKind::InvalidEddsaKey
                        | ErrorKind::InvalidRsaKey(_)
                        | ErrorKind::Provider(_) => {}
                        ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => {
                            return Err(Refusal::invalid("the token's algorithm is not supported"));
                        }
                        ErrorKind::Json(_) => {
                            return Err(malformed(
                                "its header or claims are not the JSON of a JWT",
                            ));
                        }
                        _ => return Err(malformed("it is not a valid signed JWT")),
                    }
                }
            }
        }
        let claims =
            claims.ok_or_else(|| Refusal::invalid("the token's signature does not verify"))?;
        self.principal(claims.0, super::api::now())
    }

    /// The principal of verified `claims`, checked as of `now` (Unix
    /// seconds).
    fn principal(
        &self,
        claims: serde_json::Map<String, serde_json::Value>,
        now: u64,
    ) -> Result<Principal, Refusal> {
        let leeway = self.leeway.as_secs();
        match numeric_date(&claims, "exp")? {
            Some(exp) if now > exp.saturating_add(leeway) => {
                return Err(Refusal::invalid("the token expired"));
            }
            None if self.require_exp => {
                return Err(Refusal::invalid("the token has no expiry (`exp`)"));
            }
            _ => {}
        }
        if let Some(nbf) = numeric_date(&claims, "nbf")? {
            if nbf > now.saturating_add(leeway) {
                return Err(Refusal::invalid("the token is not yet valid"));
            }
        }
        if !self.issuers.is_empty() {
            let trusted = match claims.get("iss") {
                Some(serde_json::Value::String(iss)) => self.issuers.contains(iss),
                _ => false,
            };
            if !trusted {
                return Err(Refusal::invalid("the token is from a wrong issuer"));
            }
        }
        if !self.audiences.is_empty() {
            let ours = |aud: &serde_json::Value| match aud {
                serde_json::Value::String(aud) => self.audiences.contains(aud),
                _ => false,
            };
            let meant = match claims.get("aud") {
                Some(serde_json::Value::Array(auds)) => auds.iter().any(ours),
                Some(aud) => ours(aud),
                None => false,
            };
            if !meant {
                return Err(Refusal::invalid("the token is for a wrong audience"));
            }
        }
        let mut principal = match claims.get("sub") {
            Some(serde_json::Value::String(sub)) => Principal::new(sub.clone()),
            None => Principal::default(),
            Some(_) => return Err(malformed("its `sub` claim is not a string")),
        };
        let mut scopes: Vec<String> = Vec::new();
        for name in ["scope", "scp"] {
            match claims.get(name) {
                Some(serde_json::Value::String(list)) => {
                    scopes.extend(list.split_whitespace().map(str::to_owned));
                }
                Some(serde_json::Value::Array(items)) => scopes.extend(
                    items
                        .iter()
                        .filter_map(serde_json::Value::as_str)
                        .flat_map(str::split_whitespace)
                        .map(str::to_owned),
                ),
                _ => {}
            }
        }
        principal = principal.with_scopes(scopes);
        principal.claims = claims;
        Ok(principal)
    }
}

impl Authenticate for Jwt {
    async fn authenticate(&self, presented: &Presented<'_>) -> Result<Principal, Refusal> {
        match presented.credential {
            Credential::Bearer(token) => self.verify(token).await,
            Credential::Basic { .. } => Err(Refusal::invalid(
                "the scheme takes a bearer JWT, not a user and password",
            )),
            Credential::ApiKey(_) => Err(Refusal::invalid(
                "the scheme takes a bearer JWT, not an API key",
            )),
            Credential::Other { .. } | Credential::MutualTls => Err(Refusal::invalid(
                "the scheme takes a bearer JWT, not the credentials of another scheme",
            )),
        }
    }
}

/// A token's claims, whatever they are (an object).
#[derive(serde::Deserialize)]
struct Claims(serde_json::Map<String, serde_json::Value>);

/// What the authenticator reads of a token's header before it picks a
/// key.
struct Header {
    alg: Algorithm,
    kid: Option<String>,
}

impl Header {
    fn parse(token: &str) -> Result<Header, Refusal> {
        let mut parts = token.split('.');
        let (Some(header), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("it is not three parts separated by dots"));
        };
        let header = base64url(header).ok_or_else(|| malformed("its header is not base64url"))?;
        let header: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&header)
            .map_err(|_| malformed("its header is not a JSON object"))?;
        let alg = match header.get("alg") {
            Some(serde_json::Value::String(alg)) => alg,
            _ => return Err(malformed("its header has no `alg`")),
        };
        if alg.eq_ignore_ascii_case("none") {
            return Err(Refusal::invalid(
                "the token's algorithm `none` is not supported: it must be signed",
            ));
        }
        let alg: Algorithm = alg
            .parse()
            .map_err(|_| Refusal::invalid("the token's algorithm is not supported"))?;
        let kid = match header.get("kid") {
            Some(serde_json::Value::String(kid)) => Some(kid.clone()),
            None => None,
            Some(_) => return Err(malformed("its key id (`kid`) is not a string")),
        };
        Ok(Header { alg, kid })
    }
}

/// The refusal of a token that is not a well-formed JWT, saying why
/// (never echoing the token).
fn malformed(why: &str) -> Refusal {
    Refusal::invalid(format!("the token is malformed: {why}"))
}

/// The claim `name` as a date (Unix seconds), if present; a refusal when
/// it is not a number.
fn numeric_date(
    claims: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<Option<u64>, Refusal> {
    match claims.get(name) {
        None => Ok(None),
        // Negative dates are long past, fractions of seconds dropped.
        Some(serde_json::Value::Number(number)) => Ok(number
            .as_u64()
            .or_else(|| number.as_f64().map(|seconds| seconds as u64))),
        Some(_) => Err(malformed(&format!("its `{name}` claim is not a number"))),
    }
}

/// Base64url without padding (RFC 7515's encoding of a token's parts).
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for digit in text.bytes() {
        let value = match digit {
            b'A'..=b'Z' => digit - b'A',
            b'a'..=b'z' => digit - b'a' + 26,
            b'0'..=b'9' => digit - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // A single digit left over is not a byte.
    (bits < 6).then_some(bytes)
}

/// A key set (JWKS) at an address, and its cache.
#[derive(Clone)]
struct Jwks {
    url: reqwest::Url,
    client: reqwest::Client,
    ttl: Duration,
    refetch_interval: Duration,
    cache: Arc<JwksCache>,
}

/// What was fetched, shared by the clones of a [`Jwt`].
#[derive(Default)]
struct JwksCache {
    state: Mutex<Fetched>,
    /// Held by the one request that fetches, so that the others wait for
    /// its keys instead of fetching too.
    fetching: tokio::sync::Mutex<()>,
}

/// The keys of the last good fetch, and when fetches were made.
#[derive(Default)]
struct Fetched {
    keys: Arc<[JwtKey]>,
    /// When the last good fetch ended.
    good: Option<Instant>,
    /// When the last fetch ended, good or not.
    last: Option<Instant>,
    /// Whether the last fetch failed.
    failed: bool,
}

impl Fetched {
    /// Whether to fetch at `now`, for a token naming `kid` that no key
    /// given by hand has.
    fn due(&self, now: Instant, kid: Option<&str>, jwks: &Jwks) -> bool {
        let Some(last) = self.last else {
            return true;
        };
        let may_refetch = now.saturating_duration_since(last) >= jwks.refetch_interval;
        let stale = self
            .good
            .is_none_or(|good| now.saturating_duration_since(good) >= jwks.ttl);
        let unknown =
            kid.is_some_and(|kid| !self.keys.iter().any(|key| key.kid.as_deref() == Some(kid)));
        (stale && (may_refetch || !self.failed)) || (unknown && may_refetch)
    }
}

impl Jwks {
    fn state(&self) -> std::sync::MutexGuard<'_, Fetched> {
        self.cache
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The keys of the set, fetched first when they are stale or do not
    /// have `kid`; a 503 refusal when none could ever be fetched.
    async fn keys(&self, kid: Option<&str>) -> Result<Arc<[JwtKey]>, Refusal> {
        let asked = Instant::now();
        if self.state().due(asked, kid, self) {
            let _fetching = self.cache.fetching.lock().await;
            // Another request may have fetched while this one waited.
            let due = {
                let state = self.state();
                state.last.is_none_or(|last| last < asked) && state.due(Instant::now(), kid, self)
            };
            if due {
                let fetched = self.fetch().await;
                let mut state = self.state();
                let now = Instant::now();
                state.last = Some(now);
                match fetched {
                    Ok(keys) => {
                        state.keys = keys.into();
                        state.good = Some(now);
                        state.failed = false;
                    }
                    Err(error) => {
                        tracing::warn!(url = %self.url, %error, "the JWKS could not be fetched");
                        state.failed = true;
                    }
                }
            }
        }
        let state = self.state();
        if state.good.is_none() {
            return Err(Refusal::unavailable(
                "the keys that verify tokens cannot be fetched now",
            ));
        }
        Ok(state.keys.clone())
    }

    /// The usable keys of the set at the address.
    async fn fetch(&self) -> Result<Vec<JwtKey>, String> {
        let mut response = self
            .client
            .get(self.url.clone())
            .header(http::header::ACCEPT, "application/json")
            .timeout(JWKS_TIMEOUT)
            .send()
            .await
            .map_err(|error| error.to_string())?;
        if !response.status().is_success() {
            return Err(format!("the answer was {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| error.to_string())? {
            if body.len() + chunk.len() > JWKS_MAX_BYTES {
                return Err(format!("the key set is over {JWKS_MAX_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        #[derive(serde::Deserialize)]
        struct Set {
            keys: Vec<serde_json::Value>,
        }
        let set: Set = serde_json::from_slice(&body)
            .map_err(|error| format!("the key set is not a JWKS: {error}"))?;
        // A key this authenticator cannot use is left out, not an error.
        let keys: Vec<JwtKey> = set
            .keys
            .into_iter()
            .filter_map(|key| serde_json::from_value::<Jwk>(key).ok())
            .filter_map(|jwk| JwtKey::from_jwk(&jwk, false).ok())
            .collect();
        if keys.is_empty() {
            return Err("the key set has no key that verifies tokens".to_owned());
        }
        Ok(keys)
    }
}
