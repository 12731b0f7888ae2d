//! `server.rs`: `router(impl Api) -> axum::Router`.
//!
//! Per operation there is one small generic handler (it only calls the
//! trait) and one non-generic function that parses the request, so that the
//! compiler builds the parsing once whatever the `Api` type. Helpers are
//! emitted once, and only those some operation uses.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::api::{Shape, shape};
use super::parts::{Place, Split, gated, marker};
use super::{cfg, ident, lit};

mod errors;
mod runtime;
use crate::ir::{self, Location, MediaKind, Operation, SchemeKind, StatusMatch, UrlSegment};

/// Helpers the server may need; each is emitted once if used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Helper {
    Respond,
    Parse,
    ParseEach,
    JsonParam,
    StripLead,
    Unstyle,
    Pairs,
    Object,
    QueryFields,
    DeepObject,
    Required,
    PathParams,
    PathParam,
    SplitSegment,
    QueryPairs,
    QueryText,
    QueryValue,
    QueryValues,
    HeaderValue,
    Cookies,
    CookieValue,
    Authorize,
    BadParameters,
    Accept,
    ReadBody,
    MediaType,
    Unsupported,
    OverLimit,
    ContentType,
    JsonBody,
    FormBody,
    CallbackUrl,
    TextBody,
    MultipartBody,
    /// From `runtime::stream_server`, as are the next three.
    StreamBody,
    Binary,
    ItemsBody,
    ItemsResponse,
    Json,
    Form,
    Text,
    Encoded,
    SetHeader,
    Status,
}

impl Helper {
    /// Whether it is in `runtime::stream_server`.
    fn streams(self) -> bool {
        matches!(
            self,
            Helper::StreamBody | Helper::Binary | Helper::ItemsBody | Helper::ItemsResponse
        )
    }
}

/// `server.rs`: runs of the handlers and of the response writers, in a
/// frame of the router, the runtime and the helpers the runs use.
pub(super) struct Module<'a> {
    api: &'a ir::Api,
    shapes: errors::Shapes,
    /// The spec as a literal, not read from `openapi.json` (one-file output).
    inline: bool,
    /// Re-exports the runtime's JWT authenticator.
    jwt: bool,
}

impl<'a> Module<'a> {
    pub(super) fn new(api: &'a ir::Api, inline: bool, jwt: bool) -> Self {
        Module {
            api,
            shapes: errors::Shapes::new(api),
            inline,
            jwt,
        }
    }
}

impl Split for Module<'_> {
    type Notes = BTreeSet<Helper>;

    fn runs(&self) -> Vec<(Place, usize)> {
        let n = self.api.operations.len();
        vec![(Place::Top, n), (Place::Top, n)]
    }

    fn part(&self, run: usize, units: Range<usize>, helpers: &mut BTreeSet<Helper>) -> TokenStream {
        let ops = self.api.operations[units.clone()].iter().zip(units);
        let gate = |op: &Operation, items| gated(Place::Top, &cfg(self.api, &op.gate), items);
        match run {
            0 => ops
                .map(|(op, i)| gate(op, handler(self.api, op, &self.shapes, i, helpers)))
                .collect(),
            _ => ops
                .map(|(op, _)| gate(op, into_response(op, helpers)))
                .collect(),
        }
    }

    fn frame(&self, helpers: BTreeSet<Helper>) -> TokenStream {
        frame(self.api, &self.shapes, &helpers, self.inline, self.jwt)
    }
}

fn frame(
    api: &ir::Api,
    shapes: &errors::Shapes,
    helpers: &BTreeSet<Helper>,
    inline: bool,
    jwt: bool,
) -> TokenStream {
    let (routes, dispatchers) = routes(api);
    let handlers = marker(0);
    let error_bodies = shapes.functions();
    let responses = marker(1);
    let helper_fns = helpers.iter().filter_map(|h| helper(api, *h));
    let violations = super::violations::needed(api)
        .then(|| super::violations::emit(api))
        .filter(|impls| !impls.is_empty());
    // Defaults of enum or constrained type name it, and so do the walks
    // over JSON bodies of named types.
    let uses_types = (violations.is_some() && super::violations::names_types(api)
        || api.operations.iter().flat_map(|op| &op.params).any(|p| {
            matches!(
                p.default,
                Some(ir::Literal::Variant(..) | ir::Literal::Constrained(..))
            )
        }))
    .then(|| {
        quote!(
            use super::types;
        )
    });
    // What the handlers and response writers use of the runtime (`problem`
    // re-exports axum's `StatusCode`, `Response` and `IntoResponse`), imported
    // only where some operation uses it.
    // (`Violation`, which the walks' impls name, comes with it: they may
    // be there for the webhooks' bodies alone.)
    let operations = (!api.operations.is_empty() || violations.is_some()).then(|| {
        quote!(
            use super::runtime::problem::*;
        )
    });
    let request = helpers
        .iter()
        .any(|h| !h.streams() && helper(api, *h).is_none())
        .then(|| {
            quote!(
                use super::runtime::request::*;
            )
        });
    let streams = helpers.iter().any(|h| h.streams()).then(|| {
        quote!(
            use super::runtime::stream_server::*;
        )
    });
    let walks = violations.is_some().then(|| {
        quote!(
            use super::runtime::violations::*;
        )
    });
    // The spec: read from the crate's `src/openapi.json` (the webhooks'
    // module is a folder below it), or a literal in the one-file output.
    let document = match (inline, api.role) {
        (true, _) => lit(&api.document),
        (false, ir::Role::Api) => quote!(include_str!("openapi.json")),
        (false, ir::Role::Webhooks | ir::Role::Callbacks) => {
            quote!(include_str!("../openapi.json"))
        }
    };
    let tables = runtime::emit(&runtime_routes(api), document);
    // rustc overflows its stack on a chain of thousands of calls (7,274
    // routes of `microsoft.com/graph.json`): a large router is built by
    // statements of `ROUTES_PER_STATEMENT` routes each.
    let build = if !api.features.is_empty() {
        // Behind features, each route is a statement of its own.
        quote! {
            let router: axum::Router<std::sync::Arc<A>> = axum::Router::new();
            #(#routes)*
            let router = router.with_state(std::sync::Arc::new(api));
        }
    } else if routes.len() <= ROUTES_PER_STATEMENT {
        quote! {
            let router = axum::Router::new()
                #(#routes)*
                .with_state(std::sync::Arc::new(api));
        }
    } else {
        let mut chunks = routes.chunks(ROUTES_PER_STATEMENT);
        let first = chunks.next().unwrap_or_default();
        let rest = chunks.map(|chunk| quote!(let router = router #(#chunk)*;));
        quote! {
            let router: axum::Router<std::sync::Arc<A>> = axum::Router::new() #(#first)*;
            #(#rest)*
            let router = router.with_state(std::sync::Arc::new(api));
        }
    };
    // A router for secured operations needs an authenticator: the API's
    // implementation is one (`api::Authenticate`).
    let bound = if api.secured() {
        quote!(api::Api + api::Authenticate + 'static)
    } else {
        quote!(api::Api + 'static)
    };
    let router = match api.role {
        ir::Role::Api => quote! {
            /// An axum router that serves `api` at the spec's paths (without the
            /// servers' base path: add one with `Router::nest`), with the
            /// default [`Options`].
            pub fn router<A: #bound>(api: A) -> axum::Router {
                router_with(api, Options::default())
            }
        },
        ir::Role::Webhooks | ir::Role::Callbacks => quote! {
            /// An axum router that receives what `api` implements, each at
            /// its path (mount it with `Router::nest`), with the default
            /// [`Options`]. `verifier` checks each delivery's signature
            /// before its handler runs: a missing, bad or stale one is
            /// answered 401 and never reaches `api`.
            pub fn router<A: #bound>(
                api: A,
                verifier: impl super::runtime::signature::Verify,
            ) -> axum::Router {
                let check = super::runtime::signature::check(verifier);
                router_with(api, Options::default().verify(check))
            }
        },
    };
    let jwt = jwt.then(|| {
        let gate = (!inline).then(|| quote!(#[cfg(feature = "jwt")]));
        quote! {
            #gate
            pub use super::runtime::jwt::{Algorithm, Jwk, Jwt, JwtConfigError, JwtKey};
        }
    });
    let allows = super::module_allows(api);
    quote! {
        #allows
        //! The server: [`router`] serves an [`api::Api`] implementation with
        //! axum; [`router_with`] takes [`Options`], and [`serve`] runs a
        //! router until SIGINT or SIGTERM.
        //!
        //! Requests are parsed and checked before the handler runs: a bad
        //! request gets a 4xx `application/problem+json` answer (or the
        //! spec's own error body, where the operation documents one);
        //! credentials that are missing, or that the API's authenticator
        //! refuses, a 401 with `WWW-Authenticate` (403 when their scopes fall
        //! short); a method the path does not have a 405 with `Allow`; a
        //! head, URL or wait over the [`Options`] limits a 431, 414 or 408,
        //! and too many requests at once a 503. A handler's `Err`, or a panic,
        //! is a 500 (an upstream's failure that it passes on, a 502 or 504). Each request gets an id (`x-request-id`) and a `tracing`
        //! span; a conditional `GET` whose `ETag` or `Last-Modified` matches
        //! gets 304. The server keeps no state between requests.

        #operations
        #request
        #streams
        #walks
        use super::api;
        #uses_types

        pub use super::runtime::server::{
            json_etag, serve, serve_until, shutdown_signal, strong_etag, Cors, Options, BODY_LIMIT,
            HEADER_COUNT_LIMIT, HEADER_LIMIT, IN_FLIGHT_LIMIT, REQUEST_ID, REQUEST_TIMEOUT, STREAM_LIMIT,
            URL_LIMIT,
        };
        #jwt

        #router

        /// [`router`] with `options`: the body limit, and optional routes
        /// for the spec and a liveness probe.
        pub fn router_with<A: #bound>(api: A, options: Options) -> axum::Router {
            #build
            super::runtime::server::finish(router, options, OPERATIONS, OPENAPI_JSON)
        }

        #tables
        #error_bodies
        #(#dispatchers)*
        #handlers
        #responses
        #(#helper_fns)*
        #violations
    }
}

/// Each operation's method, route and operationId, for the request span.
fn runtime_routes(api: &ir::Api) -> Vec<runtime::Route> {
    api.operations
        .iter()
        .map(|op| runtime::Route {
            method: op.method.as_str().to_owned(),
            route: route_path(op),
            operation_id: op.operation_id.clone().unwrap_or_else(|| op.name.clone()),
            streamed: op.body().is_some_and(|b| b.media.streams()),
        })
        .collect()
}

/// The routes of one statement of `router_with` (see `frame`).
const ROUTES_PER_STATEMENT: usize = 100;

/// One `.route(..)` per path shape, with every method of it: those axum
/// has a filter for by it (`get(..)`, `.post(..)`), the others (3.2's
/// `QUERY`, `additionalOperations`) by the route's fallback, a
/// [`dispatcher`], returned beside the routes.
fn routes(api: &ir::Api) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut by_shape: BTreeMap<String, (usize, String, Vec<&Operation>)> = BTreeMap::new();
    for (i, op) in api.operations.iter().enumerate() {
        let entry = by_shape
            .entry(op.route_shape())
            .or_insert_with(|| (i, route_path(op), Vec::new()));
        entry.2.push(op);
    }
    let mut shapes: Vec<_> = by_shape.into_values().collect();
    shapes.sort_by_key(|(first, _, _)| *first);
    let gated = !api.features.is_empty();
    let (mut routes, mut dispatchers) = (Vec::new(), Vec::new());
    for (_, path, ops) in shapes {
        let lit_path = lit(&path);
        let mut methods = Vec::new();
        for op in ops.iter().filter(|op| op.method.is_standard()) {
            let method = format_ident!("{}", op.method.as_str().to_ascii_lowercase());
            let handler = ident(&op.server.handler);
            if gated {
                // One statement each, behind its operation's features:
                // axum merges the methods of routes at one path.
                let cfg = cfg(api, &op.gate);
                routes.push(quote! {
                    #cfg
                    let router = router.route(#lit_path, axum::routing::#method(#handler::<A>));
                });
            } else if methods.is_empty() {
                methods.push(quote!(axum::routing::#method(#handler::<A>)));
            } else {
                methods.push(quote!(.#method(#handler::<A>)));
            }
        }
        if ops.iter().any(|op| !op.method.is_standard()) {
            // Positional, as no name from the spec can be (the server's
            // functions from the spec are `handle_*` and `request_*`).
            let name = format_ident!("other_methods_{}", dispatchers.len());
            if methods.is_empty() {
                methods.push(quote!(axum::routing::MethodRouter::new()));
            }
            methods.push(quote!(.fallback(#name::<A>)));
            dispatchers.push(dispatcher(api, &name, &path, &ops));
        }
        if gated && !methods.is_empty() {
            routes.push(quote!(let router = router.route(#lit_path, #(#methods)*);));
        } else if !methods.is_empty() {
            routes.push(quote!(.route(#lit_path, #(#methods)*)));
        }
    }
    (routes, dispatchers)
}

/// The fallback `name` of route `path` whose `ops` include methods axum
/// has no filter for: it hands each of them to its handler and answers
/// any other method 405 with `Allow` listing all of the route's.
fn dispatcher(
    api: &ir::Api,
    name: &proc_macro2::Ident,
    path: &str,
    ops: &[&Operation],
) -> TokenStream {
    let others = || ops.iter().filter(|op| !op.method.is_standard());
    let bound = if others().any(|op| op.security.is_some()) {
        quote!(api::Api + api::Authenticate)
    } else {
        quote!(api::Api)
    };
    let arms = others().map(|op| {
        let method = lit(op.method.as_str());
        let handler = ident(&op.server.handler);
        let cfg = cfg(api, &op.gate);
        quote!(#cfg #method => #handler::<A>(state, request).await,)
    });
    let mut allow: Vec<&str> = Vec::new();
    for op in ops {
        allow.push(op.method.as_str());
        if op.method == ir::Method::Get {
            allow.push("HEAD");
        }
    }
    let allow = lit(&allow.join(", "));
    let doc = format!(" The methods of `{path}` that axum has no filter for.");
    quote! {
        #[doc = #doc]
        async fn #name<A: #bound>(
            state: axum::extract::State<std::sync::Arc<A>>,
            request: axum::extract::Request,
        ) -> Response {
            match request.method().as_str() {
                #(#arms)*
                _ => super::runtime::server::method_not_allowed_of(#allow).await,
            }
        }
    }
}

/// The route as axum (matchit) reads it; parameters that are not plain
/// names, and mixed segments, get positional names.
fn route_path(op: &Operation) -> String {
    let mut names = BTreeSet::new();
    let segments: Vec<String> = op
        .url_segments()
        .iter()
        .enumerate()
        .map(|(n, s)| match s {
            UrlSegment::Literal(t) => super::style::encode_path_literal(t)
                .replace('{', "{{")
                .replace('}', "}}"),
            UrlSegment::Param(i) => {
                let wire = &op.params[*i].wire;
                let plain =
                    !wire.is_empty() && wire.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if plain && names.insert(wire.clone()) {
                    format!("{{{wire}}}")
                } else {
                    format!("{{p{n}}}")
                }
            }
            UrlSegment::Mixed(_) => format!("{{segment{n}}}"),
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// `i`: the operation's index, for its error shapes.
fn handler(
    api: &ir::Api,
    op: &Operation,
    shapes: &errors::Shapes,
    i: usize,
    helpers: &mut BTreeSet<Helper>,
) -> TokenStream {
    helpers.insert(Helper::Respond);
    let name = ident(&op.name);
    let handle = ident(&op.server.handler);
    let parse = ident(&op.server.parser);
    let (errors_const, errors) = shapes.of(i, &ident(&op.server.errors));
    let request_type = ident(&op.request_type);
    let body = parse_body(api, op, helpers);
    let doc = format!(" `{} {}`", op.method.as_str(), op.path);
    // A secured operation's parser asks the API's authenticator, as an
    // object (the parsers are not generic).
    let (bound, authenticator, param) = if op.security.is_some() {
        (
            quote!(api::Api + api::Authenticate),
            quote!(, &*api),
            quote!(, authenticator: &dyn super::runtime::auth::DynAuthenticate),
        )
    } else {
        (quote!(api::Api), quote!(), quote!())
    };
    quote! {
        #errors_const
        #[doc = #doc]
        async fn #handle<A: #bound>(
            axum::extract::State(api): axum::extract::State<std::sync::Arc<A>>,
            request: axum::extract::Request,
        ) -> Response {
            match #parse(request #authenticator).await {
                Ok(request) => respond(api.#name(request).await, #errors),
                Err(problem) => problem.answer(#errors),
            }
        }

        async fn #parse(request: axum::extract::Request #param) -> Result<api::#request_type, Problem> {
            #body
        }
    }
}

/// The media types `op` answers with (lower case, without parameters), for
/// the `Accept` check; `None` when it answers with no body or with a range
/// such as `image/*` (whose answers no list can name).
fn produces(op: &Operation) -> Option<BTreeSet<String>> {
    let produces: BTreeSet<String> = op
        .responses
        .iter()
        .flat_map(|r| r.bodies.iter())
        .map(|b| ir::essence(&b.content_type))
        .collect();
    (!produces.is_empty() && produces.iter().all(|m| !m.contains('*'))).then_some(produces)
}

fn parse_body(api: &ir::Api, op: &Operation, helpers: &mut BTreeSet<Helper>) -> TokenStream {
    let request_type = ident(&op.request_type);
    let mut stmts = Vec::new();
    let has = |loc: Location| {
        op.params
            .iter()
            .any(|p| p.location == loc && !json_querystring(p))
    };
    let schemes_in = |loc: Location| {
        op.security.iter().flatten().flat_map(|r| &r.0).any(|(s, _)| {
            matches!(&api.security_schemes[*s].kind, SchemeKind::ApiKey { location, .. } if *location == loc)
        })
    };
    let (query_scheme, cookie_scheme) = (schemes_in(Location::Query), schemes_in(Location::Cookie));
    let body_binding = if op.body().is_some() {
        quote!(body)
    } else {
        quote!(_body)
    };
    // Path parameters are read where the path holds some (a declared one
    // that it does not hold is `None`).
    let in_path = op
        .segments
        .iter()
        .any(|s| matches!(s, ir::PathSegment::Param(_)));
    let parts_mut = in_path.then(|| quote!(mut));
    stmts.push(quote!(let (#parts_mut parts, #body_binding) = request.into_parts();));
    if in_path {
        helpers.insert(Helper::PathParams);
        stmts.push(quote!(let path = path_params(&mut parts).await?;));
    }
    if has(Location::Query) || query_scheme {
        helpers.insert(Helper::QueryPairs);
        stmts.push(quote!(let query = query_pairs(&parts)?;));
    }
    if has(Location::Cookie) || cookie_scheme {
        helpers.insert(Helper::Cookies);
        stmts.push(quote!(let cookies = cookies(&parts.headers);));
    }
    if let Some(requirements) = &op.security {
        helpers.insert(Helper::Authorize);
        let table = super::requirements_table(api, requirements);
        let challenge = lit(&challenge(api, requirements));
        let query = if query_scheme {
            quote!(&query)
        } else {
            quote!(&[])
        };
        let cookies = if cookie_scheme {
            quote!(&cookies)
        } else {
            quote!(&[])
        };
        stmts.push(quote! {
            let (credentials, requirement, principal) =
                authorize(&parts, #query, #cookies, authenticator, #table, #challenge).await?;
        });
    }
    if let Some(produces) = produces(op) {
        helpers.insert(Helper::Accept);
        let produces = produces.iter().map(|m| lit(m));
        stmts.push(quote!(check_accept(&parts.headers, &[#(#produces),*])?;));
    }
    // Where each path parameter's raw text is: its first place in the route.
    let mut path_source: Vec<Option<TokenStream>> = vec![None; op.params.len()];
    for (route_index, segment) in op
        .url_segments()
        .into_iter()
        .filter(|s| !matches!(s, UrlSegment::Literal(_)))
        .enumerate()
    {
        match segment {
            UrlSegment::Param(i) => {
                helpers.insert(Helper::PathParam);
                let wire = lit(&op.params[i].wire);
                path_source[i].get_or_insert({
                    let route_index = super::num(route_index as u64);
                    quote!(path_param(&path, #route_index, #wire)?)
                });
            }
            UrlSegment::Mixed(pieces) => {
                helpers.extend([Helper::SplitSegment, Helper::PathParam]);
                let literals = split_literals(&pieces).into_iter().map(|l| lit(&l));
                let params: Vec<usize> = pieces
                    .iter()
                    .filter_map(|p| {
                        if let ir::PathSegment::Param(i) = p {
                            Some(*i)
                        } else {
                            None
                        }
                    })
                    .collect();
                let count = super::num(params.len() as u64);
                let local = format_ident!("segment{route_index}");
                let index = super::num(route_index as u64);
                let name = lit(&format!("{{segment{route_index}}}"));
                stmts.push(quote! {
                    let #local = split_segment(path_param(&path, #index, #name)?, &[#(#literals),*], #count)?;
                });
                for (k, i) in params.into_iter().enumerate() {
                    path_source[i].get_or_insert(quote!(#local[#k]));
                }
            }
            UrlSegment::Literal(_) => {}
        }
    }
    // Each parameter into a local `p<i>` (not its own name, which could
    // shadow `query` or `path`), so that all bad ones are reported at once.
    let mut fields = Vec::new();
    let mut checks = Vec::new();
    for (i, p) in op.params.iter().enumerate() {
        let field = ident(&p.name);
        let local = format_ident!("p{i}");
        let value = param_value(api, op, p, path_source[i].take(), helpers);
        let wire = lit(&p.wire);
        stmts.push(quote!(let #local = #value;));
        checks.push((quote!(#local.is_err()), quote!((#wire, #local.err()))));
        fields.push(quote!(#field: #local?));
    }
    if !checks.is_empty() {
        helpers.insert(Helper::BadParameters);
        let (failed, found): (Vec<_>, Vec<_>) = checks.into_iter().unzip();
        stmts.push(quote! {
            if #(#failed)||* {
                return Err(bad_parameters([#(#found),*]));
            }
        });
    }
    if let Some(body) = op.body() {
        // `read_body` (and, for a stream, `respond`) tells a body over the
        // limit apart.
        helpers.insert(Helper::OverLimit);
        let read = match &op.body_type {
            None => body_reader(body, helpers),
            Some(body_type) => choose_body(op, body_type, helpers),
        };
        let read = if body.required {
            helpers.insert(Helper::Required);
            quote!(required(#read, "body", "")?)
        } else {
            read
        };
        stmts.push(quote!(let body = #read;));
        fields.push(quote!(body));
    }
    if !op.callback_urls.is_empty() {
        helpers.insert(Helper::CallbackUrl);
        callback_urls(op, &mut stmts, &mut fields);
    }
    let credentials = match (&op.security, api.authenticates()) {
        (Some(_), _) => quote!(credentials, requirement, principal),
        (None, false) => quote!(credentials: api::Credentials::default()),
        (None, true) => quote!(
            credentials: api::Credentials::default(),
            requirement: &[],
            principal: api::Principal::default()
        ),
    };
    quote! {
        #(#stmts)*
        Ok(api::#request_type {
            #(#fields,)*
            context: api::Context { #credentials, headers: parts.headers, extensions: parts.extensions },
        })
    }
}

/// The request's fields of the URLs of `op`'s callbacks, each evaluated
/// against the request (`parts`, and the body as JSON where a URL reads
/// it: a body of one JSON or form media type).
fn callback_urls(op: &Operation, stmts: &mut Vec<TokenStream>, fields: &mut Vec<TokenStream>) {
    use ir::{Expression, UrlPart};
    let reads_body = op.callback_urls.iter().any(|c| {
        c.url
            .iter()
            .any(|p| matches!(p, UrlPart::Expression(Expression::Body(_))))
    });
    let typed_body = op.body_type.is_none()
        && op
            .body()
            .is_some_and(|b| matches!(b.media, MediaKind::Json | MediaKind::Form));
    let body = if reads_body && typed_body {
        stmts.push(quote!(let body_value = serde_json::to_value(&body).ok();));
        quote!(body_value.as_ref())
    } else {
        quote!(None)
    };
    for c in &op.callback_urls {
        let field = ident(&c.field);
        let pieces = c.url.iter().map(|piece| match piece {
            UrlPart::Text(text) => quote!(UrlPiece::Text(#text)),
            UrlPart::Expression(Expression::Url) => quote!(UrlPiece::Url),
            UrlPart::Expression(Expression::Method) => quote!(UrlPiece::Method),
            UrlPart::Expression(Expression::Query(name)) => quote!(UrlPiece::Query(#name)),
            UrlPart::Expression(Expression::Header(name)) => quote!(UrlPiece::Header(#name)),
            UrlPart::Expression(Expression::Body(pointer)) => quote!(UrlPiece::Body(#pointer)),
        });
        fields.push(quote!(#field: callback_url(&parts, #body, &[#(#pieces),*])));
    }
}

/// The expression that reads a body of one media type: `Option<T>`
/// (`None` when the request has no body), 415 for another content type.
fn body_reader(body: &ir::Body, helpers: &mut BTreeSet<Helper>) -> TokenStream {
    let content_type = lit(&body.content_type);
    match body.media {
        MediaKind::Json => {
            helpers.extend([Helper::JsonBody, Helper::ContentType, Helper::ReadBody]);
            quote!(json_body(&parts.headers, body).await?)
        }
        MediaKind::Form => {
            helpers.extend([Helper::FormBody, Helper::ContentType, Helper::ReadBody]);
            quote!(form_body(&parts.headers, body).await?)
        }
        MediaKind::Text => {
            helpers.extend([Helper::TextBody, Helper::ContentType, Helper::ReadBody]);
            quote!(text_body(&parts.headers, body, #content_type).await?)
        }
        MediaKind::Multipart => {
            helpers.extend([Helper::MultipartBody, Helper::ContentType, Helper::ReadBody]);
            let table = parts_table(body);
            quote!(multipart_body(&parts.headers, body, #table).await?)
        }
        // Not read here: the handler gets it as it arrives.
        MediaKind::Binary => {
            helpers.insert(Helper::StreamBody);
            quote!(stream_body(body))
        }
        MediaKind::Sequence(sequence) => {
            helpers.insert(Helper::ItemsBody);
            let decode = super::item_codec(sequence, &body.ty).1;
            match sequence {
                ir::Sequence::Events => quote!(events_from_body(body, #decode)),
                _ => {
                    let framing = super::framing(sequence);
                    quote!(items_from_body(body, #framing, #decode))
                }
            }
        }
    }
}

/// How each property of a multipart body travels, for `multipart_body`
/// and `encode_multipart`: `&[(wire name, kind, repeated, content type)]`,
/// kind one of `text` (JSON of a number or a boolean), `quoted` (a string),
/// `json`, `file` (`types::FilePart`) and `bytes` (`types::Base64`).
pub(super) fn parts_table(body: &ir::Body) -> TokenStream {
    let rows = body.parts.iter().map(|p| {
        let wire = lit(&p.wire);
        let kind = lit(match p.kind {
            ir::PartKind::Text { quoted: false } => "text",
            ir::PartKind::Text { quoted: true } => "quoted",
            ir::PartKind::Json => "json",
            ir::PartKind::File => "file",
            ir::PartKind::Bytes => "bytes",
        });
        let repeated = p.repeated;
        let content_type = lit(&p.content_type);
        quote!((#wire, #kind, #repeated, #content_type))
    });
    quote!(&[#(#rows),*])
}

/// The expression that reads a body of several media types into its enum,
/// by the request's `Content-Type`: exact media types first, then JSON's
/// `+json` family and ranges (`image/*`), then `*/*`; 415 for others.
fn choose_body(op: &Operation, body_type: &str, helpers: &mut BTreeSet<Helper>) -> TokenStream {
    helpers.insert(Helper::MediaType);
    let body_type = ident(body_type);
    let arms = op.body_choices().iter().map(|b| {
        let variant = ident(&b.variant);
        let read = body_reader(b, helpers);
        (
            b.content_type.as_str(),
            quote!(#read.map(api::#body_type::#variant)),
        )
    });
    let (exact, ranges, any) = super::media_arms(arms.collect::<Vec<_>>());
    let fallback = any.unwrap_or_else(|| {
        helpers.extend([Helper::Unsupported, Helper::ReadBody]);
        let expected: Vec<String> = op
            .body_choices()
            .iter()
            .map(|b| format!("`{}`", b.content_type))
            .collect();
        let expected = lit(&format!("a body of {}", expected.join(" or ")));
        quote!(unsupported(body, #expected).await?)
    });
    quote! {
        match media_type(&parts.headers).as_str() {
            #(#exact)*
            #(#ranges)*
            _ => #fallback,
        }
    }
}

/// `unwrap_or(v)` for a default that costs nothing to make, else
/// `unwrap_or_else(|| v)`.
fn default_fallback(api: &ir::Api, value: &ir::Literal) -> TokenStream {
    let expr = super::literal(api, value, super::Scope::Outside);
    fn allocates(value: &ir::Literal) -> bool {
        match value {
            ir::Literal::String(_) => true,
            ir::Literal::Constrained(_, inner) => allocates(inner),
            _ => false,
        }
    }
    if allocates(value) {
        quote!(unwrap_or_else(|| #expr))
    } else {
        quote!(unwrap_or(#expr))
    }
}

/// The expression that reads and parses one parameter into a
/// `Result<T, Problem>`: where its raw value is (`source`, an `Option`),
/// and how it becomes the field's type (`decode`, a function of that
/// value), after `emit::style`.
fn param_value(
    api: &ir::Api,
    op: &Operation,
    p: &ir::Param,
    path_source: Option<TokenStream>,
    helpers: &mut BTreeSet<Helper>,
) -> TokenStream {
    use super::style::{Special, layout, special};
    let wire = lit(&p.wire);
    let location = lit(p.location.as_str());
    let shape = p.shape();
    let (source, decode) = match special(p) {
        Some(Special::Json) if p.querystring => {
            helpers.extend([Helper::JsonParam, Helper::QueryText]);
            (
                Some(quote!(query_text(&parts)?.as_deref())),
                Decode::function(quote!(json_param)),
            )
        }
        Some(Special::Json) => {
            helpers.insert(Helper::JsonParam);
            (None, Decode::function(quote!(json_param)))
        }
        Some(Special::RepeatedQuery) => {
            helpers.extend([Helper::QueryValues, Helper::ParseEach, Helper::Parse]);
            (
                Some(quote!(query_values(&query, #wire))),
                Decode::function(quote!(parse_each)),
            )
        }
        Some(Special::ExplodedObject) => {
            helpers.extend([Helper::QueryFields, Helper::Object]);
            let open = match &p.ty {
                ir::Ty::Named(id) => matches!(
                    &api.ty(*id).kind,
                    ir::TypeKind::Struct(s) if s.additional.is_some()
                ),
                _ => false,
            };
            let source = match &p.object_fields {
                Some(fields) if !open => {
                    let fields = fields.iter().map(|f| lit(f));
                    quote!(query_fields(&query, |key| [#(#fields),*].contains(&key)))
                }
                // A map, or a struct that keeps the properties it does not
                // name, takes every query parameter the operation does not
                // name otherwise: the other parameters, the properties of
                // another exploded object, the `name[key]` of a deepObject.
                _ => {
                    let mut others: Vec<&str> = Vec::new();
                    let mut deep = Vec::new();
                    for o in &op.params {
                        if o.location != Location::Query || o.wire == p.wire {
                            continue;
                        }
                        let mut names = vec![o.wire.as_str()];
                        match special(o) {
                            Some(Special::ExplodedObject) => {
                                names.extend(o.object_fields.iter().flatten().map(String::as_str));
                            }
                            Some(Special::DeepObject) => deep.push(lit(&format!("{}[", o.wire))),
                            _ => {}
                        }
                        for name in names {
                            if !others.contains(&name) {
                                others.push(name);
                            }
                        }
                    }
                    let others = others.into_iter().map(lit);
                    if deep.is_empty() {
                        quote!(query_fields(&query, |key| ![#(#others),*].contains(&key)))
                    } else {
                        quote!(query_fields(&query, |key| {
                            ![#(#others),*].contains(&key)
                                && ![#(#deep),*].iter().any(|prefix| key.starts_with(prefix))
                        }))
                    }
                }
            };
            (Some(source), Decode::function(quote!(object_param)))
        }
        Some(Special::DeepObject) => {
            helpers.extend([Helper::DeepObject, Helper::Object]);
            (
                Some(quote!(deep_object(&query, #wire))),
                Decode::function(quote!(object_param)),
            )
        }
        None => {
            helpers.insert(Helper::Parse);
            let l = layout(p, true);
            let decode = match shape {
                ir::Shape::Scalar if l.lead.is_empty() => Decode::function(quote!(parse)),
                ir::Shape::Scalar => {
                    helpers.insert(Helper::StripLead);
                    let lead = lit(&l.lead);
                    Decode::expression(move |v| quote!(strip_lead(#v, #lead).and_then(parse)))
                }
                ir::Shape::List | ir::Shape::Object => {
                    helpers.insert(Helper::Unstyle);
                    let (lead, prefix, sep) = (lit(&l.lead), lit(&l.prefix), lit(l.sep));
                    let parts = move |v: TokenStream| quote!(unstyle(#v, #lead, #prefix, #sep));
                    if shape == ir::Shape::List {
                        helpers.insert(Helper::ParseEach);
                        Decode::expression(move |v| {
                            let parts = parts(v);
                            quote!(#parts.and_then(parse_each))
                        })
                    } else {
                        helpers.extend([Helper::Pairs, Helper::Object]);
                        let explode = p.explode;
                        Decode::expression(move |v| {
                            let parts = parts(v);
                            quote!(#parts.and_then(|parts| pairs(parts, #explode)).and_then(object_param))
                        })
                    }
                }
            };
            (None, decode)
        }
    };
    if p.location == Location::Path {
        // A declared path parameter that the path does not hold is absent
        // (`lower` made it optional).
        return match path_source {
            Some(raw) => decode.call(raw),
            None => quote!(Ok(None)),
        };
    }
    let source = source.unwrap_or_else(|| match p.location {
        Location::Query | Location::Path => {
            helpers.insert(Helper::QueryValue);
            quote!(query_value(&query, #wire))
        }
        Location::Header => {
            helpers.insert(Helper::HeaderValue);
            let wire = lit(&p.wire.to_ascii_lowercase());
            quote!(header_value(&parts.headers, #wire)?)
        }
        Location::Cookie => {
            helpers.insert(Helper::CookieValue);
            quote!(cookie_value(&cookies, #wire))
        }
    });
    match &p.default {
        _ if p.required => {
            helpers.insert(Helper::Required);
            let decode = decode.as_fn();
            quote!(required(#source, #location, #wire).and_then(#decode))
        }
        Some(value) => {
            let fallback = default_fallback(api, value);
            let decode = decode.as_fn();
            quote!(#source.map(#decode).transpose().map(|v| v.#fallback))
        }
        None => {
            let decode = decode.as_fn();
            quote!(#source.map(#decode).transpose())
        }
    }
}

/// Whether `p` is 3.2's whole query string as JSON, read from the raw
/// query rather than from its pairs.
fn json_querystring(p: &ir::Param) -> bool {
    p.querystring && p.style == ir::Style::Json
}

/// How a raw parameter value becomes its type: a helper's name, or an
/// expression of the value.
enum Decode {
    Function(TokenStream),
    Expression(Box<dyn Fn(TokenStream) -> TokenStream>),
}

impl Decode {
    fn function(path: TokenStream) -> Self {
        Decode::Function(path)
    }

    fn expression(f: impl Fn(TokenStream) -> TokenStream + 'static) -> Self {
        Decode::Expression(Box::new(f))
    }

    /// The decoding of `input`.
    fn call(&self, input: TokenStream) -> TokenStream {
        match self {
            Decode::Function(f) => quote!(#f(#input)),
            Decode::Expression(e) => e(input),
        }
    }

    /// Something to pass to `Option::map`.
    fn as_fn(&self) -> TokenStream {
        match self {
            Decode::Function(f) => f.clone(),
            Decode::Expression(_) => {
                let body = self.call(quote!(v));
                quote!(|v| #body)
            }
        }
    }
}

/// The literal pieces around the parameters of a mixed segment: `prefix`,
/// the separators between parameters, and `suffix` (each maybe empty).
fn split_literals(pieces: &[ir::PathSegment]) -> Vec<String> {
    let mut literals = vec![String::new()];
    for piece in pieces {
        match piece {
            ir::PathSegment::Literal(t) => literals.last_mut().expect("never empty").push_str(t),
            ir::PathSegment::Param(_) => literals.push(String::new()),
        }
    }
    literals
}

/// `WWW-Authenticate` for an operation: one challenge per kind of
/// credential it accepts (two bearer schemes ask once), `Bearer` where no
/// scheme can be met.
fn challenge(api: &ir::Api, requirements: &[ir::Requirement]) -> String {
    let mut out: Vec<String> = Vec::new();
    for (s, _) in requirements.iter().flat_map(|r| &r.0) {
        let challenge = match &api.security_schemes[*s].kind {
            SchemeKind::Bearer => "Bearer".to_owned(),
            SchemeKind::Basic => "Basic realm=\"api\"".to_owned(),
            SchemeKind::ApiKey { location, name } => {
                let name: String = name
                    .chars()
                    .filter(|c| c.is_ascii_graphic() && *c != '"')
                    .collect();
                format!("ApiKey in=\"{}\", name=\"{name}\"", location.as_str())
            }
            // `lower` keeps only schemes whose names are tokens.
            SchemeKind::Http { scheme } => scheme.clone(),
            // No registered HTTP scheme asks for a client certificate; a
            // token that names what is missing does.
            SchemeKind::MutualTls => "mutualTLS".to_owned(),
        };
        if !out.contains(&challenge) {
            out.push(challenge);
        }
    }
    if out.is_empty() {
        "Bearer".to_owned()
    } else {
        out.join(", ")
    }
}

fn into_response(op: &Operation, helpers: &mut BTreeSet<Helper>) -> TokenStream {
    let response_type = ident(&op.response_type);
    let arms = op.responses.iter().map(|r| {
        let variant = ident(&r.variant);
        let status = match r.status {
            StatusMatch::Code(c) => {
                helpers.insert(Helper::Status);
                let c = super::num(c);
                quote!(status(#c))
            }
            _ => quote!(status),
        };
        let body_expr =
            |body: TokenStream, helpers: &mut BTreeSet<Helper>| match (r.body(), &r.body_type) {
                (None, _) => quote!(#status.into_response()),
                (Some(b), None) => write_body(b, &status, body, helpers),
                (Some(_), Some(body_type)) => {
                    let body_type = ident(body_type);
                    let arms = r.body_choices().iter().map(|c| {
                        let variant = ident(&c.variant);
                        let write = write_body(c, &status, quote!(body), helpers);
                        quote!(api::#body_type::#variant(body) => #write,)
                    });
                    quote!(match #body { #(#arms)* })
                }
            };
        match shape(r) {
            Shape::Unit => {
                let expr = body_expr(quote!(), helpers);
                quote!(Self::#variant => #expr,)
            }
            Shape::Tuple => {
                let expr = body_expr(quote!(body), helpers);
                quote!(Self::#variant(body) => #expr,)
            }
            Shape::Struct {
                status: has_status,
                body: has_body,
            } => {
                let status_binding = has_status.then(|| quote!(status,));
                let body_binding = has_body.then(|| quote!(body,));
                // Each header in a local clear of `response` and of the
                // helpers (`naming::RESPONSE_WRITER_LOCALS`).
                let header_bindings = r.headers.iter().map(|h| {
                    let (field, local) = (ident(&h.name), ident(&h.local));
                    if field == local {
                        quote!(#field)
                    } else {
                        quote!(#field: #local)
                    }
                });
                let expr = body_expr(quote!(body), helpers);
                let sets = r.headers.iter().map(|h| {
                    helpers.insert(Helper::SetHeader);
                    let local = ident(&h.local);
                    let wire = lit(&h.wire);
                    if h.required {
                        quote!(set_header(&mut response, #wire, Some(&#local));)
                    } else {
                        quote!(set_header(&mut response, #wire, #local.as_ref());)
                    }
                });
                if r.headers.is_empty() {
                    return quote!(Self::#variant { #status_binding #body_binding } => #expr,);
                }
                quote! {
                    Self::#variant { #status_binding #body_binding #(#header_bindings,)* } => {
                        let mut response = #expr;
                        #(#sets)*
                        response
                    }
                }
            }
        }
    });
    quote! {
        impl IntoResponse for api::#response_type {
            fn into_response(self) -> Response {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

/// The expression that writes `body`, of one media type, with `status`.
fn write_body(
    b: &ir::ResponseBody,
    status: &TokenStream,
    body: TokenStream,
    helpers: &mut BTreeSet<Helper>,
) -> TokenStream {
    let content_type = lit(&b.content_type);
    let f = match b.media {
        MediaKind::Sequence(sequence) => {
            helpers.insert(Helper::ItemsResponse);
            let encode = super::item_codec(sequence, &b.ty).0;
            return match sequence {
                ir::Sequence::Events => {
                    let sentinel = super::sentinel(b);
                    quote!(events_response(#status, #body, #encode, #sentinel))
                }
                _ => {
                    let framing = super::framing(sequence);
                    quote!(items_response(#status, #content_type, #body, #framing, #encode))
                }
            };
        }
        MediaKind::Json => {
            helpers.extend([Helper::Json, Helper::Encoded]);
            quote!(json)
        }
        MediaKind::Form => {
            helpers.extend([Helper::Form, Helper::Encoded]);
            quote!(form)
        }
        MediaKind::Text => {
            helpers.extend([Helper::Text, Helper::Encoded]);
            quote!(text)
        }
        // Responses are never multipart (`lower` makes them bytes).
        MediaKind::Binary | MediaKind::Multipart => {
            helpers.insert(Helper::Binary);
            quote!(binary)
        }
    };
    quote!(#f(#status, #content_type, #body))
}

/// The helper's code, where the spec decides it; `None` for the helpers
/// that the runtime's `request` module has (imported with it).
fn helper(api: &ir::Api, h: Helper) -> Option<TokenStream> {
    Some(match h {
        Helper::Authorize => authorize(api),
        Helper::MultipartBody => multipart_body(api),
        _ => return None,
    })
}

/// What follows `<scheme> ` in `Authorization` (the scheme's name in any
/// case), when there is something.
fn authorization(scheme: &str) -> TokenStream {
    let scheme = lit(scheme);
    quote! {
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, value)| scheme.eq_ignore_ascii_case(#scheme) && !value.trim().is_empty())
            .map(|(_, value)| value.trim().to_owned())
    }
}

/// `authorize`: reads the credentials of the schemes an operation accepts,
/// then has the runtime's `authenticate` ask the authenticator.
fn authorize(api: &ir::Api) -> TokenStream {
    let extract = api.security_schemes.iter().map(|s| {
        let variant = ident(&s.variant);
        let field = ident(&s.field);
        let read = match &s.kind {
            SchemeKind::Bearer => authorization("bearer"),
            SchemeKind::Basic => quote! {
                headers
                    .get(axum::http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split_once(' '))
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
                    .and_then(|(_, encoded)| {
                        use base64::Engine as _;
                        base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()
                    })
                    .and_then(|decoded| String::from_utf8(decoded).ok())
                    .and_then(|pair| {
                        pair.split_once(':').map(|(username, password)| api::BasicAuth {
                            username: username.to_owned(),
                            password: password.to_owned(),
                        })
                    })
            },
            SchemeKind::ApiKey {
                location: Location::Header,
                name,
            } => {
                let name = lit(&name.to_ascii_lowercase());
                quote! {
                    headers
                        .get(#name)
                        .and_then(|v| v.to_str().ok())
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                }
            }
            // An empty key is no key, as an empty bearer token is no token.
            SchemeKind::ApiKey {
                location: Location::Query,
                name,
            } => {
                let name = lit(name);
                quote! {
                    query
                        .iter()
                        .find(|(key, value)| key == #name && !value.is_empty())
                        .map(|(_, value)| value.clone())
                }
            }
            SchemeKind::ApiKey { location: _, name } => {
                let name = lit(name);
                quote! {
                    cookies
                        .iter()
                        .find(|(key, value)| key == #name && !value.is_empty())
                        .map(|(_, value)| value.clone())
                }
            }
            SchemeKind::Http { scheme } => authorization(scheme),
            // Nothing to read: the TLS layer verified the certificate.
            SchemeKind::MutualTls => return quote!(api::Scheme::#variant => {}),
        };
        quote!(api::Scheme::#variant => credentials.#field = #read,)
    });
    let present = api.security_schemes.iter().map(|s| {
        let variant = ident(&s.variant);
        let field = ident(&s.field);
        let key = lit(&s.key);
        let credential = match &s.kind {
            SchemeKind::Bearer => {
                quote!(credentials.#field.as_deref().map(api::Credential::Bearer))
            }
            SchemeKind::Basic => quote! {
                credentials.#field.as_ref().map(|basic| api::Credential::Basic {
                    username: &basic.username,
                    password: &basic.password,
                })
            },
            SchemeKind::ApiKey { .. } => {
                quote!(credentials.#field.as_deref().map(api::Credential::ApiKey))
            }
            SchemeKind::Http { scheme } => {
                let scheme = lit(scheme);
                quote!(credentials.#field.as_deref().map(|value| api::Credential::Other { scheme: #scheme, value }))
            }
            SchemeKind::MutualTls => quote!(Some(api::Credential::MutualTls)),
        };
        quote!(api::Scheme::#variant => #credential.map(|credential| (#key, credential)),)
    });
    // Where no scheme carries a credential (only client certificates, or
    // no scheme that a request can meet), nothing is read, and the
    // credentials borrow nothing.
    let (read, present) = if api
        .security_schemes
        .iter()
        .any(|s| s.kind.carries_credential())
    {
        (
            quote! {
                let mut credentials = api::Credentials::default();
                for (scheme, _) in requirements.iter().flat_map(|requirement| requirement.iter()) {
                    match scheme {
                        #(#extract)*
                    }
                }
            },
            quote!(|scheme: api::Scheme| match scheme { #(#present)* }),
        )
    } else {
        (
            quote!(let credentials = api::Credentials::default();),
            quote! {
                |scheme: api::Scheme| -> Option<(&'static str, api::Credential<'static>)> {
                    match scheme { #(#present)* }
                }
            },
        )
    };
    quote! {
        /// Reads the credentials of every scheme in `requirements`, then
        /// has `authenticator` judge those of the first requirement that
        /// they meet (see `authenticate`): the credentials, the requirement
        /// met and who the caller is, or a 401, 403 or 503 problem.
        async fn authorize(
            parts: &axum::http::request::Parts,
            query: &[(String, String)],
            cookies: &[(String, String)],
            authenticator: &dyn super::runtime::auth::DynAuthenticate,
            requirements: &[api::Requirement],
            challenge: &'static str,
        ) -> Result<(api::Credentials, api::Requirement, api::Principal), Problem> {
            let headers = &parts.headers;
            // Not every API has schemes of every location.
            let _ = (headers, query, cookies);
            #read
            let present = #present;
            let (requirement, principal) =
                authenticate(authenticator, parts, requirements, present, challenge).await?;
            Ok((credentials, requirement, principal))
        }
    }
}

/// The server's multipart reader (RFC 7578), over the whole body (read
/// within `Options::body_limit`): the parts of the operation's properties
/// become a JSON object, which serde reads into the body's struct, so that
/// defaults, optional and nullable fields and checked types work as in a
/// JSON body. Other parts are ignored.
fn multipart_body(api: &ir::Api) -> TokenStream {
    let binary = api.uses(ir::Prim::File) || api.uses(ir::Prim::Base64);
    let binary_arms = binary.then(|| {
        quote! {
            match kind {
            "file" => {
                use base64::Engine as _;
                let mut file = serde_json::Map::new();
                file.insert("bytes".to_owned(), serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(&part.body)));
                if let Some(filename) = &part.filename {
                    file.insert("filename".to_owned(), serde_json::Value::String(filename.clone()));
                }
                if let Some(content_type) = &part.content_type {
                    file.insert("content_type".to_owned(), serde_json::Value::String(content_type.clone()));
                }
                return Ok(serde_json::Value::Object(file));
            }
            "bytes" => {
                use base64::Engine as _;
                return Ok(serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(&part.body)));
            }
            _ => {}
            }
        }
    });
    // Without files, only the names and bodies of parts are read.
    let unread = (!binary).then(|| quote!(#[allow(dead_code)]));
    quote! {
        /// One part of a `multipart/form-data` body.
        #unread
        struct FormPart {
            name: String,
            filename: Option<String>,
            content_type: Option<String>,
            body: axum::body::Bytes,
        }

        /// A `multipart/form-data` body read into `T`: each of `properties`
        /// (wire name, kind, repeated, content type) from its part, or its
        /// parts when repeated; other parts are ignored. 400 naming the part
        /// for a value that does not parse or a required part that is missing.
        async fn multipart_body<T: serde::de::DeserializeOwned>(
            headers: &axum::http::HeaderMap,
            body: axum::body::Body,
            properties: &[(&str, &str, bool, &str)],
        ) -> Result<Option<T>, Problem> {
            let Some(bytes) = read_body(body).await? else {
                return Ok(None);
            };
            check_content_type(headers, |ct| ct == "multipart/form-data", "multipart/form-data")?;
            let boundary = headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| header_params(v).into_iter().find(|(name, _)| name.eq_ignore_ascii_case("boundary")))
                .map(|(_, value)| value)
                .filter(|b| !b.is_empty())
                .ok_or_else(|| Problem::new(StatusCode::BAD_REQUEST, "the multipart body's `Content-Type` has no boundary"))?;
            let parts = split_multipart(&bytes, &boundary)
                .ok_or_else(|| Problem::new(StatusCode::BAD_REQUEST, "the body is not valid multipart/form-data"))?;
            let mut object = serde_json::Map::new();
            for &(name, kind, repeated, _) in properties {
                let mut values = Vec::new();
                for part in parts.iter().filter(|p| p.name == name) {
                    let value = part_value(part, kind)
                        .map_err(|detail| Problem::new(StatusCode::BAD_REQUEST, format!("part `{name}`: {detail}")))?;
                    values.push(value);
                    if !repeated {
                        break;
                    }
                }
                if repeated {
                    if !values.is_empty() {
                        object.insert(name.to_owned(), serde_json::Value::Array(values));
                    }
                } else if let Some(value) = values.pop() {
                    object.insert(name.to_owned(), value);
                }
            }
            serde_json::from_value(serde_json::Value::Object(object))
                .map(Some)
                .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, format!("the multipart body does not match its schema: {e}")))
        }

        /// A part's value in JSON, as `kind` says it travels.
        fn part_value(part: &FormPart, kind: &str) -> Result<serde_json::Value, String> {
                #binary_arms
            let text = std::str::from_utf8(&part.body).map_err(|_| "the part is not UTF-8 text".to_owned())?;
            match kind {
                "quoted" => Ok(serde_json::Value::String(text.to_owned())),
                "json" => serde_json::from_str(text).map_err(|e| format!("the part is not JSON: {e}")),
                _ => match serde_json::from_str::<serde_json::Value>(text.trim()) {
                    Ok(value) if value.is_number() || value.is_boolean() => Ok(value),
                    _ => Err(format!("`{text}` is not a number or a boolean")),
                },
            }
        }

        /// The parts of a multipart body; `None` when it is malformed.
        fn split_multipart(body: &[u8], boundary: &str) -> Option<Vec<FormPart>> {
            fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
                haystack.windows(needle.len()).position(|w| w == needle)
            }
            let delimiter = format!("\r\n--{boundary}").into_bytes();
            // The first delimiter may open the body, without the line break.
            let start = if body.starts_with(&delimiter[2..]) {
                delimiter.len() - 2
            } else {
                find(body, &delimiter)? + delimiter.len()
            };
            let mut rest = &body[start..];
            let mut parts = Vec::new();
            loop {
                if rest.starts_with(b"--") {
                    return Some(parts);
                }
                // Transport padding, then the line break.
                rest = &rest[find(rest, b"\r\n")? + 2..];
                let end = find(rest, &delimiter)?;
                let part = &rest[..end];
                rest = &rest[end + delimiter.len()..];
                let (head, content) = if part.starts_with(b"\r\n") {
                    (&part[..0], &part[2..])
                } else {
                    let split = find(part, b"\r\n\r\n")?;
                    (&part[..split], &part[split + 4..])
                };
                let head = String::from_utf8_lossy(head);
                let mut name = None;
                let mut filename = None;
                let mut content_type = None;
                for line in head.split("\r\n") {
                    let Some((header, value)) = line.split_once(':') else {
                        continue;
                    };
                    if header.trim().eq_ignore_ascii_case("content-disposition") {
                        for (key, value) in header_params(value) {
                            if key.eq_ignore_ascii_case("name") {
                                name = Some(value);
                            } else if key.eq_ignore_ascii_case("filename") {
                                filename = Some(value);
                            }
                        }
                    } else if header.trim().eq_ignore_ascii_case("content-type") {
                        content_type = Some(value.trim().to_owned());
                    }
                }
                if let Some(name) = name {
                    parts.push(FormPart {
                        name,
                        filename,
                        content_type,
                        body: axum::body::Bytes::copy_from_slice(content),
                    });
                }
            }
        }

        /// The `key=value` parameters after a header value's first `;`,
        /// quoted values unquoted (`\` escapes the next character).
        fn header_params(value: &str) -> Vec<(String, String)> {
            let mut out = Vec::new();
            let mut chars = value.chars().skip_while(|c| *c != ';').peekable();
            while chars.next().is_some() {
                let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
                let mut value = String::new();
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if chars.peek() == Some(&'"') {
                    chars.next();
                    while let Some(c) = chars.next() {
                        match c {
                            '"' => break,
                            '\\' => value.extend(chars.next()),
                            c => value.push(c),
                        }
                    }
                    while chars.peek().is_some_and(|c| *c != ';') {
                        chars.next();
                    }
                } else {
                    while let Some(c) = chars.peek().copied().filter(|c| *c != ';') {
                        value.push(c);
                        chars.next();
                    }
                }
                out.push((key.trim().to_owned(), value.trim().to_owned()));
            }
            out
        }
    }
}
