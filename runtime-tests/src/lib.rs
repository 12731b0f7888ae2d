//! The runtime files of `generator/runtime/`, compiled as a crate of their
//! own: what uniapi copies byte for byte into every generated crate as
//! `src/runtime/`. Here they are linted with the workspace's lints and
//! unit-tested (`tests/`), once, instead of in every crate.

pub mod runtime;

/// What a generated crate's `api::Context` gives the client's `send`:
/// headers to send as well, and extensions.
#[derive(Debug, Default)]
pub struct Context {
    pub headers: http::HeaderMap,
    pub extensions: http::Extensions,
}

impl runtime::client::CallContext for Context {
    fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }

    fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }
}
