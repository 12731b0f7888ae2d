//! Webhook signatures: [`Sign`] on the sending side, [`Verify`] on the
//! receiving side, and the schemes webhooks use: [`StandardWebhooks`]
//! (Svix's), [`GitHub`]'s and [`Stripe`]'s, each an HMAC-SHA256 of the
//! body with a shared secret. [`Unsigned`] checks nothing.
//!
//! A scheme with a timestamp refuses one older, or further in the future,
//! than its tolerance (default [`TOLERANCE`]), so that a request caught
//! on the way cannot be sent again later. Every scheme takes more than one
//! secret, for rotation: verification accepts a signature made with any of
//! them, signing uses the first.
//!
//! ```rust,ignore
//! let scheme = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//! scheme.verify(&headers, &body)?;
//! ```

use base64::Engine as _;
use hmac::Mac as _;

/// How far a timestamp may be from now, either way, by default.
pub const TOLERANCE: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Checks a received request's signature.
pub trait Verify: Send + Sync + 'static {
    /// `Ok` when `headers` carry a valid signature of `body`.
    fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<(), Refused>;
}

/// Signs a request before it is sent.
pub trait Sign: Send + Sync + 'static {
    /// Adds the signature of `body` (and what else the scheme needs) to
    /// `headers`.
    fn sign(&self, headers: &mut http::HeaderMap, body: &[u8]) -> Result<(), Refused>;
}

/// Why a signature was refused, or could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    message: String,
}

impl Refused {
    /// A refusal that says why.
    pub fn new(message: impl Into<String>) -> Self {
        Refused {
            message: message.into(),
        }
    }

    /// Why.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refused {}

/// A check of a request's headers and body made of `verifier`, as
/// `server::Options::verify` takes it.
pub fn check(
    verifier: impl Verify,
) -> impl Fn(&http::HeaderMap, &[u8]) -> Result<(), String> + Send + Sync + 'static {
    move |headers: &http::HeaderMap, body: &[u8]| {
        verifier.verify(headers, body).map_err(|e| e.message)
    }
}

/// A signer made of `signer`, as `client::ClientBuilder::sign` takes it.
pub fn signer(
    signer: impl Sign,
) -> impl Fn(&mut http::HeaderMap, &[u8]) -> Result<(), String> + Send + Sync + 'static {
    move |headers: &mut http::HeaderMap, body: &[u8]| {
        signer.sign(headers, body).map_err(|e| e.message)
    }
}

/// The Standard Webhooks scheme (<https://www.standardwebhooks.com/>, as
/// Svix signs): `webhook-id`, `webhook-timestamp` (Unix seconds) and
/// `webhook-signature`, a space-separated list of `v1,<signature>`, each
/// the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`. Secrets are
/// `whsec_` and the key in base64 (or the base64 alone).
#[derive(Clone)]
pub struct StandardWebhooks {
    keys: Vec<Vec<u8>>,
    tolerance: std::time::Duration,
}

/// The message's id (`msg_...`), the same on every delivery of it.
pub const WEBHOOK_ID: &str = "webhook-id";
/// When the message was signed, in Unix seconds.
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
/// The signatures: `v1,<base64>`, space-separated.
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";

impl StandardWebhooks {
    /// The scheme with `secret` (`whsec_<base64>`, or the base64 alone);
    /// fails when it is not base64, or empty.
    pub fn new(secret: &str) -> Result<Self, Refused> {
        Ok(StandardWebhooks {
            keys: vec![standard_key(secret)?],
            tolerance: TOLERANCE,
        })
    }

    /// Accepts signatures made with `other` too (rotation); signing still
    /// uses the first secret.
    pub fn secret(mut self, other: &str) -> Result<Self, Refused> {
        self.keys.push(standard_key(other)?);
        Ok(self)
    }

    /// How far `webhook-timestamp` may be from now, either way (default
    /// [`TOLERANCE`]).
    #[must_use]
    pub fn tolerance(mut self, tolerance: std::time::Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// [`Verify::verify`] as if it were `now` (Unix seconds).
    pub fn verify_at(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        now: u64,
    ) -> Result<(), Refused> {
        let id = text(headers, WEBHOOK_ID)?;
        let timestamp = timestamp(text(headers, WEBHOOK_TIMESTAMP)?, WEBHOOK_TIMESTAMP)?;
        let mut signatures = Vec::new();
        for value in headers.get_all(WEBHOOK_SIGNATURE) {
            let value = value.to_str().map_err(|_| malformed(WEBHOOK_SIGNATURE))?;
            for entry in value.split(' ').filter(|entry| !entry.is_empty()) {
                if let Some(("v1", signature)) = entry.split_once(',') {
                    // One that is not base64 matches nothing.
                    if let Ok(signature) =
                        base64::engine::general_purpose::STANDARD.decode(signature)
                    {
                        signatures.push(signature);
                    }
                }
            }
        }
        if signatures.is_empty() {
            return Err(if headers.contains_key(WEBHOOK_SIGNATURE) {
                Refused::new(format!(
                    "malformed header `{WEBHOOK_SIGNATURE}`: no `v1,` signature in base64"
                ))
            } else {
                missing(WEBHOOK_SIGNATURE)
            });
        }
        let stamp = timestamp.to_string();
        let content: [&[u8]; 5] = [id.as_bytes(), b".", stamp.as_bytes(), b".", body];
        matches(&self.keys, &content, &signatures)?;
        fresh(timestamp, now, self.tolerance)
    }

    /// [`Sign::sign`] as if it were `now` (Unix seconds). A `webhook-id`
    /// already in `headers` is kept (every delivery of a message carries
    /// the same), otherwise a new one is made.
    pub fn sign_at(
        &self,
        headers: &mut http::HeaderMap,
        body: &[u8],
        now: u64,
    ) -> Result<(), Refused> {
        let id = match headers.get(WEBHOOK_ID) {
            Some(id) => id.to_str().map_err(|_| malformed(WEBHOOK_ID))?.to_owned(),
            None => {
                let id = format!(
                    "msg_{:016x}{:016x}",
                    super::api::random(),
                    super::api::random()
                );
                headers.insert(WEBHOOK_ID, header_value(&id)?);
                id
            }
        };
        let timestamp = now.to_string();
        let content: [&[u8]; 5] = [id.as_bytes(), b".", timestamp.as_bytes(), b".", body];
        let signature =
            base64::engine::general_purpose::STANDARD.encode(first_mac(&self.keys, &content)?);
        headers.insert(WEBHOOK_TIMESTAMP, header_value(&timestamp)?);
        headers.insert(WEBHOOK_SIGNATURE, header_value(&format!("v1,{signature}"))?);
        Ok(())
    }
}

impl Verify for StandardWebhooks {
    fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<(), Refused> {
        self.verify_at(headers, body, super::api::now())
    }
}

impl Sign for StandardWebhooks {
    fn sign(&self, headers: &mut http::HeaderMap, body: &[u8]) -> Result<(), Refused> {
        self.sign_at(headers, body, super::api::now())
    }
}

impl std::fmt::Debug for StandardWebhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandardWebhooks")
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// A Standard Webhooks secret's key: its base64 decoded, after `whsec_`.
fn standard_key(secret: &str) -> Result<Vec<u8>, Refused> {
    const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let encoded = secret.trim();
    let encoded = encoded.strip_prefix("whsec_").unwrap_or(encoded);
    let key = BASE64
        .decode(encoded)
        .map_err(|_| Refused::new("malformed secret: not `whsec_` and base64"))?;
    if key.is_empty() {
        return Err(empty_secret());
    }
    Ok(key)
}

/// GitHub's scheme: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256
/// of the body with the secret (its UTF-8 bytes). It has no timestamp: a
/// delivery caught on the way verifies when sent again (GitHub's
/// `X-GitHub-Delivery` id lets a receiver drop repeats).
#[derive(Clone)]
pub struct GitHub {
    keys: Vec<Vec<u8>>,
}

/// GitHub's signature header.
pub const X_HUB_SIGNATURE_256: &str = "x-hub-signature-256";

impl GitHub {
    /// The scheme with `secret`; fails when it is empty.
    pub fn new(secret: &str) -> Result<Self, Refused> {
        Ok(GitHub {
            keys: vec![raw_key(secret)?],
        })
    }

    /// Accepts signatures made with `other` too (rotation); signing still
    /// uses the first secret.
    pub fn secret(mut self, other: &str) -> Result<Self, Refused> {
        self.keys.push(raw_key(other)?);
        Ok(self)
    }
}

impl Verify for GitHub {
    fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<(), Refused> {
        let value = text(headers, X_HUB_SIGNATURE_256)?;
        let signature = value
            .trim()
            .strip_prefix("sha256=")
            .and_then(unhex)
            .ok_or_else(|| {
                Refused::new(format!(
                    "malformed header `{X_HUB_SIGNATURE_256}`: not `sha256=` and hex digits"
                ))
            })?;
        matches(&self.keys, &[body], &[signature])
    }
}

impl Sign for GitHub {
    fn sign(&self, headers: &mut http::HeaderMap, body: &[u8]) -> Result<(), Refused> {
        let signature = hex(&first_mac(&self.keys, &[body])?);
        headers.insert(
            X_HUB_SIGNATURE_256,
            header_value(&format!("sha256={signature}"))?,
        );
        Ok(())
    }
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("secrets", &self.keys.len())
            .finish()
    }
}

/// Stripe's scheme: `Stripe-Signature: t=<Unix seconds>,v1=<hex>`, the
/// HMAC-SHA256 of `{t}.{body}` with the secret (its UTF-8 bytes, the
/// `whsec_...` string as it is). The header may hold several `v1` (any
/// may match) and other schemes (`v0`), which are ignored.
#[derive(Clone)]
pub struct Stripe {
    keys: Vec<Vec<u8>>,
    tolerance: std::time::Duration,
}

/// Stripe's signature header.
pub const STRIPE_SIGNATURE: &str = "stripe-signature";

impl Stripe {
    /// The scheme with `secret`; fails when it is empty.
    pub fn new(secret: &str) -> Result<Self, Refused> {
        Ok(Stripe {
            keys: vec![raw_key(secret)?],
            tolerance: TOLERANCE,
        })
    }

    /// Accepts signatures made with `other` too (rotation); signing still
    /// uses the first secret.
    pub fn secret(mut self, other: &str) -> Result<Self, Refused> {
        self.keys.push(raw_key(other)?);
        Ok(self)
    }

    /// How far `t` may be from now, either way (default [`TOLERANCE`]).
    #[must_use]
    pub fn tolerance(mut self, tolerance: std::time::Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// [`Verify::verify`] as if it were `now` (Unix seconds).
    pub fn verify_at(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        now: u64,
    ) -> Result<(), Refused> {
        let value = text(headers, STRIPE_SIGNATURE)?;
        let mut time = None;
        let mut signatures = Vec::new();
        for entry in value.split(',') {
            match entry.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("t", t)) if time.is_none() => time = Some(t),
                // One that is not hex matches nothing.
                Some(("v1", signature)) => signatures.extend(unhex(signature)),
                _ => {}
            }
        }
        let time = time.ok_or_else(|| {
            Refused::new(format!("malformed header `{STRIPE_SIGNATURE}`: no `t=`"))
        })?;
        let timestamp = timestamp(time, STRIPE_SIGNATURE)?;
        if signatures.is_empty() {
            return Err(Refused::new(format!(
                "malformed header `{STRIPE_SIGNATURE}`: no `v1=` signature in hex"
            )));
        }
        let stamp = timestamp.to_string();
        let content: [&[u8]; 3] = [stamp.as_bytes(), b".", body];
        matches(&self.keys, &content, &signatures)?;
        fresh(timestamp, now, self.tolerance)
    }

    /// [`Sign::sign`] as if it were `now` (Unix seconds).
    pub fn sign_at(
        &self,
        headers: &mut http::HeaderMap,
        body: &[u8],
        now: u64,
    ) -> Result<(), Refused> {
        let timestamp = now.to_string();
        let signature = hex(&first_mac(&self.keys, &[timestamp.as_bytes(), b".", body])?);
        headers.insert(
            STRIPE_SIGNATURE,
            header_value(&format!("t={timestamp},v1={signature}"))?,
        );
        Ok(())
    }
}

impl Verify for Stripe {
    fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<(), Refused> {
        self.verify_at(headers, body, super::api::now())
    }
}

impl Sign for Stripe {
    fn sign(&self, headers: &mut http::HeaderMap, body: &[u8]) -> Result<(), Refused> {
        self.sign_at(headers, body, super::api::now())
    }
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe")
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// **Checks nothing: every request passes**, signed or not, by anyone.
/// Only for tests, or behind something that has checked the signature
/// already (a gateway); a receiver open to the internet that uses it
/// acts on forged requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unsigned;

impl Verify for Unsigned {
    fn verify(&self, _headers: &http::HeaderMap, _body: &[u8]) -> Result<(), Refused> {
        Ok(())
    }
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The HMAC of the concatenated `content` with `key`.
fn mac(key: &[u8], content: &[&[u8]]) -> Result<HmacSha256, Refused> {
    let mut mac = <HmacSha256 as hmac::Mac>::new_from_slice(key)
        .map_err(|_| Refused::new("malformed secret: not a key for HMAC-SHA256"))?;
    for part in content {
        mac.update(part);
    }
    Ok(mac)
}

/// The signature with the first key, which signs.
fn first_mac(keys: &[Vec<u8>], content: &[&[u8]]) -> Result<Vec<u8>, Refused> {
    let key = keys.first().ok_or_else(empty_secret)?;
    Ok(mac(key, content)?.finalize().into_bytes().to_vec())
}

/// `Ok` when one of `signatures` is that of `content` with one of `keys`,
/// compared in constant time.
fn matches(keys: &[Vec<u8>], content: &[&[u8]], signatures: &[Vec<u8>]) -> Result<(), Refused> {
    for key in keys {
        let mac = mac(key, content)?;
        if signatures
            .iter()
            .any(|signature| mac.clone().verify_slice(signature).is_ok())
        {
            return Ok(());
        }
    }
    Err(Refused::new(
        "bad signature: none matches the body with the secret",
    ))
}

/// `Ok` when `timestamp` is within `tolerance` of `now`, either way.
fn fresh(timestamp: u64, now: u64, tolerance: std::time::Duration) -> Result<(), Refused> {
    let tolerance = tolerance.as_secs();
    let old = now.saturating_sub(timestamp);
    if old > tolerance {
        return Err(Refused::new(format!(
            "stale timestamp: {old} s old, more than the tolerance of {tolerance} s"
        )));
    }
    let ahead = timestamp.saturating_sub(now);
    if ahead > tolerance {
        return Err(Refused::new(format!(
            "stale timestamp: {ahead} s in the future, more than the tolerance of {tolerance} s"
        )));
    }
    Ok(())
}

/// A secret's UTF-8 bytes as the key.
fn raw_key(secret: &str) -> Result<Vec<u8>, Refused> {
    if secret.is_empty() {
        return Err(empty_secret());
    }
    Ok(secret.as_bytes().to_vec())
}

fn empty_secret() -> Refused {
    Refused::new("malformed secret: empty")
}

/// A header's value as text, or why not.
fn text<'h>(headers: &'h http::HeaderMap, name: &str) -> Result<&'h str, Refused> {
    headers
        .get(name)
        .ok_or_else(|| missing(name))?
        .to_str()
        .map_err(|_| malformed(name))
}

/// A timestamp in Unix seconds, from header `name`.
fn timestamp(text: &str, name: &str) -> Result<u64, Refused> {
    text.trim().parse().map_err(|_| {
        Refused::new(format!(
            "malformed header `{name}`: the timestamp is not Unix seconds"
        ))
    })
}

fn missing(name: &str) -> Refused {
    Refused::new(format!("missing header `{name}`"))
}

fn malformed(name: &str) -> Refused {
    Refused::new(format!("malformed header `{name}`: not visible ASCII"))
}

fn header_value(text: &str) -> Result<http::HeaderValue, Refused> {
    http::HeaderValue::try_from(text)
        .map_err(|_| Refused::new(format!("`{text}` cannot be a header value")))
}

/// Lower-case hex digits.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

/// Hex digits (either case) as bytes; `None` for anything else.
fn unhex(text: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| match pair {
            [high, low] => Some((digit(*high)? << 4) | digit(*low)?),
            _ => None,
        })
        .collect()
}
