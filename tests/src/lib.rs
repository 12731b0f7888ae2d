//! End-to-end tests of generated crates live in `tests/e2e/`; this library
//! is empty. The committed snapshots under `snapshots/` are workspace
//! members, so every build compiles and lints them.
