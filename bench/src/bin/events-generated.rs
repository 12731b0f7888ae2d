//! The generated events server (`uniapi_bench::events::generated_router`):
//! `GET /events?limit=N` streams N log entries. Prints its address, then
//! serves until killed.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(uniapi_bench::listen_addr()).await?;
    println!("{}", listener.local_addr()?);
    axum::serve(listener, uniapi_bench::events::generated_router()).await
}
