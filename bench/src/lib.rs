//! Shared by the benchmark binaries and the router bench: the two shop
//! servers' routers (generated and hand-written), the puppies both are
//! seeded with, and the address argument; the two event streams
//! ([`events`]) and a process's CPU time.

pub mod baseline;
pub mod events;

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

/// User plus system CPU time, in seconds, of every thread of process
/// `pid` (`"self"` for this one) so far: fields 14 and 15 of
/// `/proc/PID/stat`, in clock ticks of 1/100 s (Linux's `USER_HZ`).
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // Field 3 (the state) is the first after the name.
    Some((ticks(14 - 3)? + ticks(15 - 3)?) as f64 / 100.0)
}
