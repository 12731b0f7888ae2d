//! Serves the puppy shop from memory: `cargo run -p puppy-shop --example serve`.
//!
//! Listens on 127.0.0.1:8080 (or `$PORT`) under `/v1`, the base path of the
//! spec's server, so `puppy_shop::Client::default()` can call it.

mod shop;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080u16);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let app =
        axum::Router::new().nest("/v1", puppy_shop::router(shop::Shop::with_sample_puppies()));
    println!(
        "the puppy shop listens on http://{}/v1",
        listener.local_addr()?
    );
    println!(
        "try: curl http://{}/v1/puppies?breed=Beagle",
        listener.local_addr()?
    );
    axum::serve(listener, app).await
}
