//! The generated puppy-shop router against the hand-written one, in
//! process: the same requests through each router's `tower::Service`, with
//! no socket, so that what is measured is routing, parsing, the handler,
//! serialization and (for the generated one) its middleware. `xtask bench
//! serve` measures the same servers over TCP under `wrk`.
//!
//! `cargo bench -p uniapi-bench`

use std::time::{Duration, Instant};

use axum::body::Body;
use criterion::{Criterion, criterion_group, criterion_main};

/// One request through `router`, its body read whole.
async fn call(router: &mut axum::routing::RouterIntoService<Body>, uri: &'static str) {
    let request = axum::http::Request::get(uri)
        .header("host", "bench")
        .body(Body::empty())
        .expect("a request");
    let response = tower_service::Service::call(router, request)
        .await
        .expect("infallible");
    assert!(
        response.status().is_success(),
        "{uri}: {}",
        response.status()
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body");
    std::hint::black_box(body);
}

fn routers(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let sides = [
        ("generated", uniapi_bench::generated_router()),
        ("hand-written", uniapi_bench::baseline::router()),
    ];
    for (load, uri) in [
        ("small GET", "/puppies/7"),
        ("GET of a 100-item list", "/puppies?limit=100"),
    ] {
        let mut group = c.benchmark_group(load);
        group.measurement_time(Duration::from_secs(3));
        for (side, router) in &sides {
            let mut service = router.clone().into_service::<Body>();
            group.bench_function(*side, |b| {
                b.iter_custom(|iters| {
                    runtime.block_on(async {
                        let start = Instant::now();
                        for _ in 0..iters {
                            call(&mut service, uri).await;
                        }
                        start.elapsed()
                    })
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, routers);
criterion_main!(benches);
