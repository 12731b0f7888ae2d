//! The runtime files of `generator/runtime/`, compiled as a crate of their
//! own: what uniapi copies byte for byte into every generated crate as
//! `src/runtime/`. Here they are linted with the workspace's lints and
//! unit-tested (`tests/`), once, instead of in every crate.

pub mod runtime;
