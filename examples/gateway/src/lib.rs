//! A gateway in front of a puppy shop, with no code of its own: the
//! generated `router` serves the API, and the generated `Client`, which
//! implements the same trait, answers every call by calling the upstream.
//!
//! The gateway's callers' credentials reach the upstream (the router puts
//! them into `request.context`, the client sends them), so do their
//! `x-request-id`s and other headers; typed bodies and documented statuses
//! come back as they were. An upstream answer the spec does not document, or
//! none, is the client's `Err`, which the router turns into a 502 Bad
//! Gateway (504 Gateway Timeout when the upstream took too long).

use std::time::Duration;

use puppy_shop::client::Retry;
use puppy_shop::{Client, Error};

/// The gateway's router: the API under `/v1`, answered by `upstream` (the
/// upstream's base URL, with its `/v1`).
pub fn gateway(upstream: &str) -> Result<axum::Router, Error> {
    let client = Client::builder(upstream)
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(30))
        .retry(Retry::default().max_attempts(2))
        .build()?;
    Ok(axum::Router::new().nest("/v1", puppy_shop::router(client)))
}
