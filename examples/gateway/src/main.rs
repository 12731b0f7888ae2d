//! `cargo run -p gateway-example -- http://127.0.0.1:8080/v1` serves the
//! puppy shop's API on 127.0.0.1:8081/v1 (or `$PORT`), in front of the shop
//! at the given URL (start one with `cargo run -p puppy-shop --example serve`).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let upstream = std::env::args()
        .nth(1)
        .unwrap_or_else(|| puppy_shop::Client::DEFAULT_BASE_URL.to_owned());
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8081u16);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "the gateway listens on http://{}/v1, in front of {upstream}",
        listener.local_addr()?
    );
    axum::serve(listener, gateway_example::gateway(&upstream)?).await?;
    Ok(())
}
