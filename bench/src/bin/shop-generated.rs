//! The generated puppy-shop server over the in-memory shop of
//! `generated-example/examples/shop`, seeded with [`uniapi_bench::SEEDED`]
//! puppies. Prints its address, then serves until killed.

#[path = "../../../generated-example/examples/shop/mod.rs"]
#[allow(dead_code)]
mod shop;

use puppy_shop::types;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let sizes = [types::Size::Small, types::Size::Medium, types::Size::Large];
    let puppies =
        uniapi_bench::seed(uniapi_bench::SEEDED).map(|(id, name, breed, size, price_cents)| {
            types::Puppy {
                id,
                name,
                breed: breed.to_owned(),
                size: sizes[size].clone(),
                price_cents,
                adopted: false,
                tags: Some(vec!["vaccinated".into()]),
            }
        });
    let listener = tokio::net::TcpListener::bind(uniapi_bench::listen_addr()).await?;
    println!("{}", listener.local_addr()?);
    axum::serve(listener, puppy_shop::router(shop::Shop::new(puppies))).await
}
