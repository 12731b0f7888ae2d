//! `client.rs`: `Client`, which implements the trait over HTTP with reqwest.
//!
//! Each operation encodes its request and matches the response status;
//! sending, decoding and credentials are shared, non-generic helpers,
//! emitted once and only when some operation uses them.

use std::collections::BTreeSet;
use std::ops::Range;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::api::{Shape, shape};
use super::parts::{Place, Split, gated, marker};
use super::{cfg, ident, lit};

mod pages;
mod params;
use crate::ir::{self, Location, MediaKind, Operation, SchemeKind, StatusMatch, Ty, UrlSegment};

/// Helpers the client may need; each is emitted once if used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Helper {
    Send,
    Authorize,
    EncodeJson,
    EncodeForm,
    EncodeMultipart,
    Read,
    DecodeJson,
    DecodeForm,
    DecodeText,
    /// From `runtime::stream_client`, as are the next three.
    StreamBody,
    DecodeStream,
    ItemsBody,
    DecodeItems,
    MediaType,
    ResponseHeader,
    RequiredHeader,
    Unexpected,
    InsertHeader,
    PushCookie,
    PercentEncode,
    EncodeReserved,
    Verbatim,
    PushQuery,
    Parts,
    ObjectPairs,
    ObjectParts,
    Styled,
    DateTime,
}

/// `client.rs`: a run of the trait's methods, in a frame of the client's
/// runtime and the helpers the methods use.
pub(super) struct Module<'a> {
    api: &'a ir::Api,
    calls: Calls,
}

/// What every call of `send` passes, the same for all operations (found
/// once, not per operation).
#[derive(Debug, Clone, Copy)]
struct Calls {
    /// The API sends cookies somewhere: every call passes its own.
    cookies: bool,
    /// Some `GET` has a binary response: every call says whether its
    /// response may stream.
    streams: bool,
}

impl<'a> Module<'a> {
    pub(super) fn new(api: &'a ir::Api) -> Self {
        let calls = Calls {
            cookies: api_has_cookies(api),
            streams: streams_get_responses(api),
        };
        Module { api, calls }
    }
}

impl Split for Module<'_> {
    type Notes = BTreeSet<Helper>;

    fn runs(&self) -> Vec<(Place, usize)> {
        let n = self.api.operations.len();
        vec![(Place::Impl, n), (Place::Impl, n), (Place::Impl, n)]
    }

    fn part(&self, run: usize, units: Range<usize>, helpers: &mut BTreeSet<Helper>) -> TokenStream {
        self.api.operations[units]
            .iter()
            .map(|op| {
                let items = match run {
                    0 => trait_method(op),
                    1 => method(self.api, op, self.calls, helpers),
                    _ => match &op.pagination {
                        Some(p) => pages::method(self.api, op, p),
                        None => return TokenStream::new(),
                    },
                };
                gated(Place::Impl, &cfg(self.api, &op.gate), items)
            })
            .collect()
    }

    fn frame(&self, helpers: BTreeSet<Helper>) -> TokenStream {
        frame(self.api, &helpers)
    }
}

fn frame(api: &ir::Api, helpers: &BTreeSet<Helper>) -> TokenStream {
    let allows = super::module_allows(api);
    // An empty impl is `{}`, with no marker between the braces.
    let methods = (!api.operations.is_empty()).then(|| marker(0));
    let raw_calls = (!api.operations.is_empty()).then(|| {
        let calls = marker(1);
        quote! {
            /// The calls of [`Client::raw`]: each gives its typed response
            /// with the HTTP response's status, headers and URL.
            impl RawCalls<'_, api::Credentials> {
                #calls
            }
        }
    });
    let paginate = api.paginates().then(|| {
        let lists = marker(2);
        quote! {
            /// The calls of [`Client::paginate`]: each list operation read
            /// to its end, as a stream of its items.
            impl Paginate<'_, api::Credentials> {
                #lists
            }
        }
    });
    let call_context = (!api.operations.is_empty()).then(|| {
        quote! {
            impl CallContext for api::Context {
                fn headers(&self) -> &http::HeaderMap {
                    &self.headers
                }

                fn extensions(&self) -> &http::Extensions {
                    &self.extensions
                }
            }
        }
    });
    let default_base = api
        .servers
        .first()
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
        .map(|url| url.trim_end_matches('/'));
    let token_urls: Vec<TokenStream> = api
        .security_schemes
        .iter()
        .filter_map(|s| {
            let url = s.token_url.as_ref()?;
            let name = format_ident!(
                "{}_TOKEN_URL",
                crate::naming::unraw(&s.field).to_ascii_uppercase()
            );
            let doc = format!(
                " The token endpoint of `{}`, as the spec gives it: for\n [`OAuth2::client_credentials`] and [`OAuth2::refresh_token`].",
                s.key.replace('`', "'")
            );
            Some(quote! {
                #[doc = #doc]
                pub const #name: &'static str = #url;
            })
        })
        .collect();
    let token_urls = (!token_urls.is_empty()).then(|| {
        quote! {
            impl Client {
                #(#token_urls)*
            }
        }
    });
    let default = default_base.map(|url| {
        quote! {
            impl Client {
                /// The spec's first server (its variables set to their defaults).
                pub const DEFAULT_BASE_URL: &'static str = #url;
            }

            impl Default for Client {
                /// A client of the spec's first server.
                fn default() -> Self {
                    Client::new(Self::DEFAULT_BASE_URL)
                }
            }
        }
    });
    // What the methods use of the runtime, imported where some operation
    // uses it (every method calls `send`).
    let runtime = (!api.operations.is_empty()).then(|| {
        quote!(
            use super::runtime::client::*;
        )
    });
    let oauth2 = api.bearer().then(|| {
        quote!(
            pub use super::runtime::oauth2::OAuth2;
        )
    });
    let pages_api = api.paginates().then(|| {
        quote!(
            pub use super::runtime::pages::{Pages, Paginate};
        )
    });
    // The items' types are named `types::X`, where some are the spec's.
    let named_items = api.operations.iter().any(|op| {
        let mut named = false;
        if let Some(p) = &op.pagination {
            p.item.each_named(&mut |_| named = true);
        }
        named
    });
    let types = named_items.then(|| {
        quote!(
            use super::types;
        )
    });
    let pages = api.paginates().then(|| {
        quote!(
            use super::runtime::pages::*;
            #types
        )
    });
    let streams = helpers
        .iter()
        .any(|h| {
            matches!(
                h,
                Helper::StreamBody | Helper::DecodeStream | Helper::ItemsBody | Helper::DecodeItems
            )
        })
        .then(|| {
            quote!(
                use super::runtime::stream_client::*;
            )
        });
    let helper_fns: Vec<TokenStream> = helpers.iter().filter_map(|h| helper(api, *h)).collect();
    // Behind `server::router`, a client is a gateway: the upstream judges
    // the credentials it passes on.
    let authenticate = api.secured().then(|| {
        quote! {
            /// A gateway (`server::router(Client::new(upstream))`) lets every
            /// well-formed credential through, granted every scope: the
            /// client passes the caller's credentials on, and the upstream
            /// judges them.
            impl api::Authenticate for Client {
                async fn authenticate(
                    &self,
                    _presented: &api::Presented<'_>,
                ) -> Result<api::Principal, api::Refusal> {
                    Ok(api::Principal::anyone())
                }
            }
        }
    });
    quote! {
        #allows
        //! The client: [`Client`] calls a server of this API over HTTP, with
        //! timeouts, retries, an optional HTTP cache and a `tracing` span per
        //! call.

        use super::api::{self, Api};
        #runtime
        #pages
        #streams

        pub use super::runtime::client::{
            Attempt, Cache, Hook, Raw, RawCalls, Reconnect, Retry, TokenFuture, TokenProvider, USER_AGENT,
        };
        #oauth2
        #pages_api

        /// A client of the API. It implements [`Api`], so it can stand wherever
        /// a server implementation can (for example behind `server::router`,
        /// as a gateway). Cloning is cheap: clones share one connection pool,
        /// one configuration and one cache.
        ///
        /// `Client::new` takes the defaults; `Client::builder` sets
        /// timeouts, retries, a cache, default headers and credentials.
        pub type Client = super::runtime::client::Client<api::Credentials>;

        /// Configures a [`Client`]: `Client::builder(url).timeout(..).retry(..).build()`.
        pub type ClientBuilder = super::runtime::client::ClientBuilder<api::Credentials>;

        #default

        #token_urls

        impl Api for Client {
            #methods
        }

        #raw_calls

        #paginate

        #call_context

        #authenticate

        #(#helper_fns)*
    }
}

/// The helper's code, where the spec decides it; `None` for the helpers
/// that the runtime's `client` module has (imported with it).
fn helper(api: &ir::Api, h: Helper) -> Option<TokenStream> {
    Some(match h {
        Helper::Authorize => authorize(api),
        Helper::EncodeMultipart => encode_multipart(api),
        Helper::DateTime if api.times.date_time == crate::config::TimeCrate::Jiff => quote! {
            /// A `date-time` parameter as RFC 3339 (`2024-01-02T03:04:05Z`).
            fn date_time(value: &jiff::Timestamp) -> String {
                value.to_string()
            }
        },
        Helper::DateTime => quote! {
            /// A `date-time` parameter as RFC 3339 (`2024-01-02T03:04:05Z`),
            /// not as `Display` writes it.
            fn date_time(value: &chrono::DateTime<chrono::Utc>) -> String {
                value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            }
        },
        _ => return None,
    })
}

fn method(
    api: &ir::Api,
    op: &Operation,
    calls: Calls,
    helpers: &mut BTreeSet<Helper>,
) -> TokenStream {
    let any_cookie = calls.cookies;
    let name = ident(&op.name);
    let request_type = ident(&op.request_type);
    let response_type = ident(&op.response_type);
    let mut stmts = Vec::new();
    // The URL, segment by segment; fields are read from `request.` so that a
    // parameter's name never meets a local's.
    // A webhook goes to the URL its subscriber gave, as it is.
    let segments = match api.role {
        ir::Role::Api => op.url_segments(),
        ir::Role::Webhooks | ir::Role::Callbacks => Vec::new(),
    };
    let url_mut = (!segments.is_empty()).then(|| quote!(mut));
    stmts.push(quote!(let #url_mut url = self.base_url().to_owned();));
    let mut literal = String::new();
    let flush = |literal: &mut String, stmts: &mut Vec<TokenStream>| {
        *literal = super::style::encode_path_literal(literal);
        if literal.chars().count() == 1 {
            let c = literal.chars().next().expect("one char");
            stmts.push(quote!(url.push(#c);));
        } else if !literal.is_empty() {
            let l = lit(literal);
            stmts.push(quote!(url.push_str(#l);));
        }
        literal.clear();
    };
    let push_param = |p: &ir::Param, helpers: &mut BTreeSet<Helper>| {
        let field = ident(&p.name);
        let put = params::put(p, helpers);
        quote!({ let v = &request.#field; #put })
    };
    for segment in segments {
        literal.push('/');
        let pieces = match segment {
            UrlSegment::Literal(text) => vec![ir::PathSegment::Literal(text)],
            UrlSegment::Param(i) => vec![ir::PathSegment::Param(i)],
            UrlSegment::Mixed(pieces) => pieces,
        };
        for piece in pieces {
            match piece {
                ir::PathSegment::Literal(text) => literal.push_str(&text),
                ir::PathSegment::Param(i) => {
                    flush(&mut literal, &mut stmts);
                    stmts.push(push_param(&op.params[i], helpers));
                }
            }
        }
    }
    flush(&mut literal, &mut stmts);
    let has = |loc: Location| op.params.iter().any(|p| p.location == loc);
    let query_mut = (has(Location::Query) || op.security.is_some()).then(|| quote!(mut));
    stmts.push(quote!(let #query_mut query = String::new();));
    let headers_mut = (has(Location::Header) || op.security.is_some()).then(|| quote!(mut));
    stmts.push(quote!(let #headers_mut headers = reqwest::header::HeaderMap::new();));
    if any_cookie {
        let cookies_mut = (has(Location::Cookie) || op.security.is_some()).then(|| quote!(mut));
        stmts.push(quote!(let #cookies_mut cookies = String::new();));
    }
    for p in &op.params {
        if p.location == Location::Path {
            continue;
        }
        let field = ident(&p.name);
        let stmt = params::put(p, helpers);
        if p.always_present() {
            stmts.push(quote!({ let v = &request.#field; #stmt }));
        } else {
            stmts.push(quote!(if let Some(v) = &request.#field { #stmt }));
        }
    }
    if let Some(requirements) = &op.security {
        helpers.insert(Helper::Authorize);
        let query_key = api.security_schemes.iter().any(|s| {
            matches!(
                s.kind,
                SchemeKind::ApiKey {
                    location: Location::Query,
                    ..
                }
            )
        });
        if query_key {
            helpers.extend([Helper::PushQuery, Helper::PercentEncode]);
        }
        if any_cookie {
            helpers.insert(Helper::PushCookie);
        }
        let table = super::requirements_table(api, requirements);
        let cookies = any_cookie.then(|| quote!(&mut cookies,));
        stmts.push(
            quote!(let token = self.authorize(&request.context, #table, &mut query, &mut headers, #cookies)?;),
        );
    }
    let token = if op.security.is_some() {
        quote!(token)
    } else {
        quote!(token: None)
    };
    let idempotency_key = match &op.idempotency_key {
        Some(name) => {
            let name = lit(name);
            quote!(Some(#name))
        }
        None => quote!(None),
    };
    let body = match (op.body(), &op.body_type) {
        (None, _) => quote!(None),
        (Some(b), None) => {
            let content_type = lit(&b.content_type);
            match (b.required, body_encoder(b, helpers)) {
                (true, Encoder::Borrow(encode)) => {
                    quote!(Some((#content_type, #encode(&request.body)?)))
                }
                (true, Encoder::Move(encode, args)) => {
                    quote!(Some((#content_type, #encode(request.body #args))))
                }
                (false, Encoder::Borrow(encode)) => quote! {
                    match &request.body { Some(body) => Some((#content_type, #encode(body)?)), None => None }
                },
                (false, Encoder::Move(encode, args)) => {
                    quote!(request.body.map(|body| (#content_type, #encode(body #args))))
                }
                (true, Encoder::Pair(encode, table)) => {
                    quote!(Some(#encode(&request.body, #table)?))
                }
                (false, Encoder::Pair(encode, table)) => quote! {
                    match &request.body { Some(body) => Some(#encode(body, #table)?), None => None }
                },
            }
        }
        (Some(b), Some(body_type)) => {
            let body_type = ident(body_type);
            let arms = op.body_choices().iter().map(|c| {
                let variant = ident(&c.variant);
                let content_type = lit(&c.content_type);
                let value = match body_encoder(c, helpers) {
                    Encoder::Borrow(encode) => quote!((#content_type, #encode(&body)?)),
                    Encoder::Move(encode, args) => quote!((#content_type, #encode(body #args))),
                    Encoder::Pair(encode, table) => quote!(#encode(&body, #table)?),
                };
                if b.required {
                    quote!(api::#body_type::#variant(body) => Some(#value),)
                } else {
                    quote!(Some(api::#body_type::#variant(body)) => Some(#value),)
                }
            });
            let none = (!b.required).then(|| quote!(None => None,));
            quote!(match request.body { #(#arms)* #none })
        }
    };
    helpers.insert(Helper::Send);
    let cookies = if any_cookie {
        quote!(cookies)
    } else {
        quote!(cookies: String::new())
    };
    // Whether the cache may have to read this operation's response whole.
    let streams = calls.streams && streams_response(op);
    // reqwest has a constant for each standard method; the others are
    // tokens (`lower` checks), which `from_bytes` takes.
    let method = if op.method.is_standard() {
        let method = format_ident!("{}", op.method.as_str());
        quote!(reqwest::Method::#method)
    } else {
        let bytes = proc_macro2::Literal::byte_string(op.method.as_str().as_bytes());
        quote!(reqwest::Method::from_bytes(#bytes).map_err(|e| api::Error::Encode(e.to_string()))?)
    };
    // The span names the operation as the spec does, or as the trait does.
    let operation_id = lit(op
        .operation_id
        .as_deref()
        .unwrap_or(crate::naming::unraw(&op.name)));
    let template = lit(&op.path);
    stmts.push(quote! {
        let response = self
            .send(Call {
                operation: #operation_id,
                template: #template,
                method: #method,
                url,
                query,
                headers,
                #cookies,
                body: #body,
                streams: #streams,
                #token,
                idempotency_key: #idempotency_key,
                context: &request.context,
            })
            .await?;
        let raw = Raw::of(&response);
    });
    // Exact codes first, then ranges, then `default`.
    let mut ordered: Vec<&ir::Response> = op.responses.iter().collect();
    ordered.sort_by_key(|r| match r.status {
        StatusMatch::Code(_) => 0,
        StatusMatch::Range(_) => 1,
        StatusMatch::Default => 2,
    });
    let mut arms = Vec::new();
    for r in &ordered {
        let value = response_value(r, &response_type, helpers);
        let pattern = match r.status {
            StatusMatch::Code(c) => {
                let c = super::num(c);
                quote!(#c)
            }
            // A guard, not `200..=299`: an exact code before it is no
            // overlap (`clippy::match_overlapping_arm`).
            StatusMatch::Range(d) => {
                let d = super::num(u16::from(d));
                quote!(code if code / 100 == #d)
            }
            StatusMatch::Default => quote!(_),
        };
        arms.push((pattern, value));
    }
    let outcome = match arms.as_slice() {
        // Only `default`: no status to tell apart.
        [(_, value)] if ordered[0].status == StatusMatch::Default => quote!(#value),
        _ => {
            let arms = arms
                .iter()
                .map(|(pattern, value)| quote!(#pattern => #value,));
            let fallback = (!op
                .responses
                .iter()
                .any(|r| r.status == StatusMatch::Default))
            .then(|| {
                helpers.insert(Helper::Unexpected);
                quote!(_ => return Err(unexpected(response).await),)
            });
            quote! {
                match response.status().as_u16() {
                    #(#arms)*
                    #fallback
                }
            }
        }
    };
    let raw_doc = format!(
        " `{} {}`, with the response's status, headers and URL.",
        op.method.as_str(),
        op.path
    );
    quote! {
        #[doc = #raw_doc]
        pub async fn #name(self, request: api::#request_type) -> Result<Raw<api::#response_type>, api::Error> {
            #(#stmts)*
            let value = #outcome;
            Ok(raw.with(value))
        }
    }
}

/// The trait's method: the call of [`method`], without the status,
/// headers and URL.
fn trait_method(op: &Operation) -> TokenStream {
    let name = ident(&op.name);
    let request_type = ident(&op.request_type);
    let response_type = ident(&op.response_type);
    let doc = format!(" `{} {}`", op.method.as_str(), op.path);
    quote! {
        #[doc = #doc]
        async fn #name(&self, request: api::#request_type) -> Result<api::#response_type, api::Error> {
            self.raw().#name(request).await.map(Raw::into_value)
        }
    }
}

/// The response enum's value for one documented response.
fn response_value(
    r: &ir::Response,
    response_type: &proc_macro2::Ident,
    helpers: &mut BTreeSet<Helper>,
) -> TokenStream {
    let variant = ident(&r.variant);
    let decode = r.body().map(|b| {
        let Some(body_type) = &r.body_type else {
            return read_body(b, helpers);
        };
        // By the response's `Content-Type`: exact media types, then JSON's
        // `+json` family and ranges; anything else (`*/*` among them) as
        // the preferred one.
        let body_type = ident(body_type);
        let preferred = ident(&b.variant);
        let others: Vec<_> = r
            .body_choices()
            .iter()
            .filter(|c| c.variant != b.variant && ir::essence(&c.content_type) != "*/*")
            .collect();
        if others.is_empty() {
            let read = read_body(b, helpers);
            return quote!(api::#body_type::#preferred(#read));
        }
        helpers.insert(Helper::MediaType);
        let arms: Vec<_> = others
            .into_iter()
            .map(|c| {
                let v = ident(&c.variant);
                let read = read_body(c, helpers);
                (c.content_type.as_str(), quote!(api::#body_type::#v(#read)))
            })
            .collect();
        let (exact, ranges, _) = super::media_arms(arms);
        let read = read_body(b, helpers);
        quote! {
            match media_type(&response).as_str() {
                #(#exact)*
                #(#ranges)*
                _ => api::#body_type::#preferred(#read),
            }
        }
    });
    match shape(r) {
        Shape::Unit => quote!(api::#response_type::#variant),
        Shape::Tuple => quote!(api::#response_type::#variant(#decode)),
        Shape::Struct { status, body } => {
            let status = status.then(|| quote!(status: response.status(),));
            let headers: Vec<TokenStream> = r
                .headers
                .iter()
                .map(|h| {
                    helpers.extend([Helper::ResponseHeader, Helper::Read]);
                    let field = ident(&h.name);
                    let wire = lit(&h.wire);
                    if h.required {
                        helpers.insert(Helper::RequiredHeader);
                        quote!(#field: required_header(&response, response_header(&response, #wire)?, #wire)?,)
                    } else {
                        quote!(#field: response_header(&response, #wire)?,)
                    }
                })
                .collect();
            // The body is read last: it consumes the response.
            let body = body.then(|| quote!(body: #decode,));
            quote!(api::#response_type::#variant { #status #(#headers)* #body })
        }
    }
}

/// The expression that reads a response body of one media type.
fn read_body(b: &ir::ResponseBody, helpers: &mut BTreeSet<Helper>) -> TokenStream {
    match b.media {
        MediaKind::Json => {
            helpers.extend([Helper::DecodeJson, Helper::Read]);
            quote!(decode_json(response).await?)
        }
        MediaKind::Form => {
            helpers.extend([Helper::DecodeForm, Helper::Read]);
            quote!(decode_form(response).await?)
        }
        MediaKind::Text => {
            helpers.extend([Helper::DecodeText, Helper::Read]);
            quote!(decode_text(response).await?)
        }
        // Responses are never multipart (`lower` makes them bytes).
        MediaKind::Binary | MediaKind::Multipart => {
            helpers.insert(Helper::DecodeStream);
            quote!(decode_stream(response))
        }
        MediaKind::Sequence(sequence) => {
            helpers.insert(Helper::DecodeItems);
            let decode = super::item_codec(sequence, &b.ty).1;
            match sequence {
                ir::Sequence::Events => {
                    let sentinel = super::sentinel(b);
                    quote!(response_events(response, #decode, #sentinel))
                }
                _ => {
                    let framing = super::framing(sequence);
                    quote!(response_items(response, #framing, #decode))
                }
            }
        }
    }
}

/// A `date-time` parameter, or a list of them.
pub(super) fn is_date_time(t: &Ty) -> bool {
    match t {
        Ty::Prim(ir::Prim::DateTime) => true,
        Ty::List(inner) | Ty::Nullable(inner) => is_date_time(inner),
        _ => false,
    }
}

/// Whether some response of `op` streams (binary, or a sequence).
fn streams_response(op: &Operation) -> bool {
    op.responses
        .iter()
        .any(|r| r.bodies.iter().any(|b| b.media.streams()))
}

/// Whether some `GET` (which the cache serves) has a binary response: then
/// `send` is told which calls may return a stream.
fn streams_get_responses(api: &ir::Api) -> bool {
    api.operations
        .iter()
        .any(|op| op.method == ir::Method::Get && streams_response(op))
}

fn api_has_cookies(api: &ir::Api) -> bool {
    api.operations
        .iter()
        .any(|op| op.params.iter().any(|p| p.location == Location::Cookie))
        || api.security_schemes.iter().any(|s| {
            matches!(
                s.kind,
                SchemeKind::ApiKey {
                    location: Location::Cookie,
                    ..
                }
            )
        })
}

/// Puts `Authorization: <scheme> <value>` into the request (`scheme` is a
/// token, so it holds no braces to escape).
fn authorization(scheme: &str, what: &str) -> TokenStream {
    let format = lit(&format!("{scheme} {{value}}"));
    let error = lit(&format!("{what} cannot form a header"));
    quote! {
        let value = reqwest::header::HeaderValue::try_from(format!(#format))
            .map_err(|_| api::Error::Encode(#error.into()))?;
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
}

/// `Client::authorize`: picks the first requirement whose credentials are
/// all at hand and puts them into the request.
fn authorize(api: &ir::Api) -> TokenStream {
    let any_cookie = api_has_cookies(api);
    // Each scheme's credentials in a positional local (`s0`, ...), so that
    // no scheme's name meets a parameter's or a local's.
    let local = |i: usize| format_ident!("s{i}");
    let lookups = api
        .security_schemes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind.carries_credential())
        .map(|(i, s)| {
            let field = ident(&s.field);
            let local = local(i);
            quote!(let #local = context.credentials.#field.as_ref().or(self.credentials().#field.as_ref());)
        });
    // A client certificate is the HTTP client's (`reqwest::ClientBuilder::
    // identity`, given to `Client::with_http_client`), always at hand as far
    // as the request can tell.
    let present = api.security_schemes.iter().enumerate().map(|(i, s)| {
        let variant = ident(&s.variant);
        let local = local(i);
        if s.kind == SchemeKind::Bearer {
            quote!(api::Scheme::#variant => #local.is_some() || tokens,)
        } else if s.kind.carries_credential() {
            quote!(api::Scheme::#variant => #local.is_some(),)
        } else {
            quote!(api::Scheme::#variant => true,)
        }
    });
    let apply = api.security_schemes.iter().enumerate().map(|(i, s)| {
        let variant = ident(&s.variant);
        let field = local(i);
        let put = match &s.kind {
            SchemeKind::Bearer => authorization("Bearer", "the bearer token"),
            SchemeKind::Basic => quote! {
                use base64::Engine as _;
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", value.username, value.password));
                let value = reqwest::header::HeaderValue::try_from(format!("Basic {encoded}"))
                    .map_err(|_| api::Error::Encode("basic credentials cannot form a header".into()))?;
                headers.insert(reqwest::header::AUTHORIZATION, value);
            },
            SchemeKind::ApiKey { location: Location::Header, name } => {
                let name = lit(&name.to_ascii_lowercase());
                quote! {
                    let value = reqwest::header::HeaderValue::try_from(value.as_str())
                        .map_err(|_| api::Error::Encode("the API key cannot form a header".into()))?;
                    headers.insert(#name, value);
                }
            }
            SchemeKind::ApiKey { location: Location::Query, name } => {
                let name = lit(&super::style::encode_component(name));
                quote!(push_query(query, #name, &percent_encode(value));)
            }
            SchemeKind::ApiKey { location: _, name } => {
                let name = lit(name);
                quote!(push_cookie(cookies, #name, value);)
            }
            SchemeKind::Http { scheme } => authorization(scheme, "the credentials"),
            SchemeKind::MutualTls => return quote!(api::Scheme::#variant => {}),
        };
        // A bearer token that no credential gave comes from the client's
        // token provider, when the call is sent.
        let otherwise = (s.kind == SchemeKind::Bearer).then(|| quote!(else { token = Some(*scopes); }));
        quote! {
            api::Scheme::#variant => {
                if let Some(value) = #field {
                    #put
                } #otherwise
            }
        }
    });
    let bearer = api.bearer();
    let scopes = if bearer { quote!(scopes) } else { quote!(_) };
    let tokens = bearer.then(|| quote!(let tokens = self.token_provider().is_some();));
    let token_mut = bearer.then(|| quote!(mut));
    // Where the spec has no scheme that a request can meet, the server
    // lets nobody in, and there is nothing to send.
    let body = if api.security_schemes.is_empty() {
        quote! {
            let _ = (context, requirements);
            Ok(None)
        }
    } else {
        quote! {
            #(#lookups)*
            #tokens
            let present = |(scheme, _): &(api::Scheme, _)| match scheme {
                #(#present)*
            };
            let Some(requirement) = requirements.iter().find(|r| r.iter().all(present)) else {
                return Ok(None);
            };
            let #token_mut token = None;
            for (scheme, #scopes) in *requirement {
                match scheme {
                    #(#apply)*
                }
            }
            Ok(token)
        }
    };
    let cookie_param = any_cookie.then(|| quote!(cookies: &mut String,));
    let cookie_use = if any_cookie {
        quote!(&cookies)
    } else {
        quote!(())
    };
    quote! {
        impl Client {
            /// Puts the credentials of the first requirement that can be met
            /// into the request. When none can, the request goes without, and
            /// the server's 401 says what is missing. `Some(scopes)`: the
            /// bearer token is to come from the token provider.
            fn authorize(
                &self,
                context: &api::Context,
                requirements: &[api::Requirement],
                query: &mut String,
                headers: &mut reqwest::header::HeaderMap,
                #cookie_param
            ) -> Result<Option<&'static [&'static str]>, api::Error> {
                // Not every API has schemes of every location.
                let _ = (&query, &headers, #cookie_use);
                #body
            }
        }
    }
}

/// How a body of one media type becomes the request's body.
enum Encoder {
    /// A function of a reference that can fail (`encode_json(&body)?`).
    Borrow(TokenStream),
    /// A function that takes the value, and any further arguments (after a
    /// comma): text and streams are moved into the request, not copied.
    Move(TokenStream, TokenStream),
    /// A function of a reference and a table that gives the content type
    /// too (`encode_multipart(&body, &[..])?`: the boundary is in it).
    Pair(TokenStream, TokenStream),
}

fn body_encoder(b: &ir::Body, helpers: &mut BTreeSet<Helper>) -> Encoder {
    match b.media {
        MediaKind::Json => {
            helpers.insert(Helper::EncodeJson);
            Encoder::Borrow(quote!(encode_json))
        }
        MediaKind::Form => {
            helpers.insert(Helper::EncodeForm);
            Encoder::Borrow(quote!(encode_form))
        }
        MediaKind::Text => Encoder::Move(quote!(reqwest::Body::from), quote!()),
        MediaKind::Multipart => {
            helpers.insert(Helper::EncodeMultipart);
            let table = super::server::parts_table(b);
            Encoder::Pair(quote!(encode_multipart), table)
        }
        MediaKind::Binary => {
            helpers.insert(Helper::StreamBody);
            Encoder::Move(quote!(stream_body), quote!())
        }
        MediaKind::Sequence(sequence) => {
            helpers.insert(Helper::ItemsBody);
            let encode = super::item_codec(sequence, &b.ty).0;
            match sequence {
                ir::Sequence::Events => Encoder::Move(quote!(events_body), quote!(, #encode)),
                _ => {
                    let framing = super::framing(sequence);
                    Encoder::Move(quote!(items_body), quote!(, #framing, #encode))
                }
            }
        }
    }
}

/// The client's multipart writer (RFC 7578): the body's JSON form, one
/// part per property of the table (per item when repeated), unset ones
/// left out. The boundary is the first of a fixed few that no part holds
/// (no randomness in the client; the output is the same for the same body).
fn encode_multipart(api: &ir::Api) -> TokenStream {
    let binary = api.uses(ir::Prim::File) || api.uses(ir::Prim::Base64);
    let binary_arms = binary.then(|| {
        quote! {
            "file" => {
                use base64::Engine as _;
                let bytes = value.get("bytes").and_then(serde_json::Value::as_str).unwrap_or_default();
                let bytes = base64::engine::general_purpose::STANDARD.decode(bytes).map_err(|e| api::Error::Encode(e.to_string()))?;
                let filename = value.get("filename").and_then(serde_json::Value::as_str).unwrap_or(name);
                let content_type = value.get("content_type").and_then(serde_json::Value::as_str).unwrap_or(content_type);
                (Some(filename.to_owned()), content_type.to_owned(), bytes)
            }
            "bytes" => {
                use base64::Engine as _;
                let bytes = value.as_str().unwrap_or_default();
                let bytes = base64::engine::general_purpose::STANDARD.decode(bytes).map_err(|e| api::Error::Encode(e.to_string()))?;
                (None, content_type.to_owned(), bytes)
            }
        }
    });
    quote! {
        /// Boundaries for multipart bodies, with their content types.
        const MULTIPART_BOUNDARIES: [(&str, &str); 4] = [
            ("uniapi-5c0f7e2a9b3d41e8", "multipart/form-data; boundary=uniapi-5c0f7e2a9b3d41e8"),
            ("uniapi-b86e13d7f0a2c945", "multipart/form-data; boundary=uniapi-b86e13d7f0a2c945"),
            ("uniapi-2d9a4f61c7e8b350", "multipart/form-data; boundary=uniapi-2d9a4f61c7e8b350"),
            ("uniapi-e4715b0c3a96fd28", "multipart/form-data; boundary=uniapi-e4715b0c3a96fd28"),
        ];

        /// A `multipart/form-data` body and its content type: each of
        /// `properties` (wire name, kind, repeated, content type) of `body`
        /// as a part, or a part per item when repeated.
        fn encode_multipart<T: serde::Serialize>(
            body: &T,
            properties: &[(&str, &str, bool, &str)],
        ) -> Result<(&'static str, reqwest::Body), api::Error> {
            let object = serde_json::to_value(body).map_err(|e| api::Error::Encode(e.to_string()))?;
            let mut parts = Vec::new();
            for &(name, kind, repeated, content_type) in properties {
                let values: Vec<&serde_json::Value> = match object.get(name) {
                    None | Some(serde_json::Value::Null) => continue,
                    Some(serde_json::Value::Array(items)) if repeated => items.iter().collect(),
                    Some(value) => vec![value],
                };
                for value in values {
                    let (filename, content_type, bytes): (Option<String>, String, Vec<u8>) = match kind {
                        #binary_arms
                        "quoted" => (None, content_type.to_owned(), value.as_str().map_or_else(|| value.to_string(), str::to_owned).into_bytes()),
                        "json" => (None, content_type.to_owned(), serde_json::to_vec(value).map_err(|e| api::Error::Encode(e.to_string()))?),
                        _ => (None, content_type.to_owned(), value.to_string().into_bytes()),
                    };
                    parts.push((name, filename, content_type, bytes));
                }
            }
            let holds = |bytes: &[u8], boundary: &str| bytes.windows(boundary.len()).any(|w| w == boundary.as_bytes());
            let (boundary, media_type) = MULTIPART_BOUNDARIES
                .iter()
                .find(|(boundary, _)| parts.iter().all(|(_, _, _, bytes)| !holds(bytes, boundary)))
                .ok_or_else(|| api::Error::Encode("every multipart boundary the client has occurs in a part".into()))?;
            // A quoted header parameter: `"` and `\` escaped, line breaks
            // percent-encoded (they cannot stand in a header).
            let quoted = |text: &str| {
                let mut out = String::with_capacity(text.len() + 2);
                out.push('"');
                for c in text.chars() {
                    match c {
                        '"' | '\\' => {
                            out.push('\\');
                            out.push(c);
                        }
                        '\r' => out.push_str("%0D"),
                        '\n' => out.push_str("%0A"),
                        c => out.push(c),
                    }
                }
                out.push('"');
                out
            };
            let mut out = Vec::new();
            for (name, filename, content_type, bytes) in parts {
                out.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name={}", quoted(name)).as_bytes());
                if let Some(filename) = filename {
                    out.extend_from_slice(format!("; filename={}", quoted(&filename)).as_bytes());
                }
                let content_type: String = content_type.chars().filter(|c| !c.is_control()).collect();
                out.extend_from_slice(format!("\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
                out.extend_from_slice(&bytes);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            Ok((media_type, reqwest::Body::from(out)))
        }
    }
}
