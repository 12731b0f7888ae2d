//! The puppy shop written by hand over plain axum (`uniapi_bench::baseline`),
//! seeded like `shop-generated`. Prints its address, then serves until
//! killed.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(uniapi_bench::listen_addr()).await?;
    println!("{}", listener.local_addr()?);
    axum::serve(listener, uniapi_bench::baseline::router()).await
}
