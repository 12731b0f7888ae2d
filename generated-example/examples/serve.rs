//! Serves the puppy shop from memory: `cargo run -p puppy-shop --example serve`.
//!
//! Listens on 127.0.0.1:8080 (or `$PORT`) under `/v1`, the base path of the
//! spec's server, so `puppy_shop::Client::default()` can call it. Stops
//! gracefully on Ctrl-C or SIGTERM. With `WEBHOOK_URL` (and
//! `WEBHOOK_SECRET`, a `whsec_...` secret) set, each adoption is announced
//! there: `cargo run -p puppy-shop --example receive` listens for it.

mod shop;

use puppy_shop::server;

/// The secret of `--example receive` when `WEBHOOK_SECRET` is not set.
const DEMO_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080u16);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    // The spec at /v1/openapi.json, a liveness probe at /v1/healthz.
    let options = server::Options::new()
        .spec("/openapi.json")
        .health("/healthz");
    let mut shop = shop::Shop::with_sample_puppies();
    if let Ok(url) = std::env::var("WEBHOOK_URL") {
        let secret = std::env::var("WEBHOOK_SECRET").unwrap_or_else(|_| DEMO_SECRET.to_owned());
        shop = shop
            .with_subscriber(&url, &secret)
            .map_err(std::io::Error::other)?;
        println!("adoptions are announced to {url}");
    }
    let app = axum::Router::new().nest("/v1", server::router_with(shop, options));
    println!(
        "the puppy shop listens on http://{}/v1",
        listener.local_addr()?
    );
    println!(
        "try: curl http://{}/v1/puppies?breed=Beagle",
        listener.local_addr()?
    );
    // Until Ctrl-C or SIGTERM; requests in flight finish first.
    server::serve_until(listener, app, server::shutdown_signal()).await
}
