//! The two tables that the runtime's server (`runtime/server.rs`) takes
//! from the spec: each operation's method, route, operationId and whether
//! its body streams, and the spec itself.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::lit;

/// One operation as the request span names it.
pub(super) struct Route {
    pub method: String,
    /// As axum matches it (and reports it in `MatchedPath`).
    pub route: String,
    pub operation_id: String,
    /// Whether its request body streams to the handler (binary).
    pub streamed: bool,
}

/// `OPERATIONS` (sorted by route, then method, for the runtime's binary
/// search) and `OPENAPI_JSON`, whose value is `document`.
pub(super) fn emit(routes: &[Route], document: TokenStream) -> TokenStream {
    let mut routes: Vec<&Route> = routes.iter().collect();
    routes.sort_by(|a, b| (&a.route, &a.method).cmp(&(&b.route, &b.method)));
    let rows: Vec<TokenStream> = routes
        .iter()
        .map(|r| {
            let (method, route, id, streamed) = (
                lit(&r.method),
                lit(&r.route),
                lit(&r.operation_id),
                r.streamed,
            );
            quote! {
                Operation { method: #method, route: #route, id: #id, streamed: #streamed }
            }
        })
        .collect();
    // The rows name the type by its last segment, imported in a block
    // (an empty table needs neither).
    let table = if rows.is_empty() {
        quote!(&[])
    } else {
        quote!({
            use super::runtime::server::Operation;
            &[#(#rows),*]
        })
    };
    quote! {
        /// The spec this crate was generated from, as JSON (served at the
        /// path given to [`Options::spec`]).
        pub const OPENAPI_JSON: &str = #document;

        /// Each operation's method, route (as axum matches it),
        /// operationId (for the request span), and whether its request body
        /// streams (binary: bounded by [`Options::stream_limit`]); sorted by
        /// route, then method.
        const OPERATIONS: &[super::runtime::server::Operation] = #table;
    }
}
