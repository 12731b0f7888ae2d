//! The same events by hand over axum's `Sse`
//! (`uniapi_bench::events::baseline_router`). Prints its address, then
//! serves until killed.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(uniapi_bench::listen_addr()).await?;
    println!("{}", listener.local_addr()?);
    axum::serve(listener, uniapi_bench::events::baseline_router()).await
}
