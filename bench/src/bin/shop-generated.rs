//! The generated puppy-shop server over the in-memory shop of
//! `generated-example/examples/shop` (`uniapi_bench::generated_router`).
//! Prints its address, then serves until killed.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(uniapi_bench::listen_addr()).await?;
    println!("{}", listener.local_addr()?);
    axum::serve(listener, uniapi_bench::generated_router()).await
}
