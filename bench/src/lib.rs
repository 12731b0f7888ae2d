//! Shared by the benchmark binaries and the router bench: the two shop
//! servers' routers (generated and hand-written), the puppies both are
//! seeded with, and the address argument.

pub mod baseline;

#[path = "../../generated-example/examples/shop/mod.rs"]
#[allow(dead_code)]
mod shop;

/// The generated server's router over the in-memory shop of
/// `generated-example/examples/shop`, seeded with [`SEEDED`] puppies.
pub fn generated_router() -> axum::Router {
    use puppy_shop::types;
    let sizes = [types::Size::Small, types::Size::Medium, types::Size::Large];
    let puppies = seed(SEEDED).map(|(id, name, breed, size, price_cents)| types::Puppy {
        id,
        name,
        breed: breed.to_owned(),
        size: sizes[size].clone(),
        price_cents,
        adopted: false,
        tags: Some(vec!["vaccinated".into()]),
    });
    puppy_shop::router(shop::Shop::new(puppies))
}

/// One seeded puppy: `(id, name, breed, size, price_cents)`. Ids run from
/// 1 to `count`; sizes cycle `small`, `medium`, `large`.
pub fn seed(count: i64) -> impl Iterator<Item = (i64, String, &'static str, usize, i64)> {
    const BREEDS: [&str; 5] = ["Beagle", "Great Dane", "Chihuahua", "Poodle", "Collie"];
    (1..=count).map(|id| {
        (
            id,
            format!("Puppy {id}"),
            BREEDS[(id % 5) as usize],
            (id % 3) as usize,
            20_000 + (id % 7) * 2_500,
        )
    })
}

/// How many puppies the servers hold: more than the 100 a list returns.
pub const SEEDED: i64 = 1_000;

/// The address to listen on: the first argument, else `127.0.0.1:0`.
/// The servers print the address they took as their first line.
pub fn listen_addr() -> String {
    std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned())
}
