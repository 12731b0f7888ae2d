//! `mock.rs` (feature `mock`): `MockApi`, an implementation of the trait
//! that answers every operation with its success response, filled from
//! the spec's examples where there are some that fit, and otherwise with
//! values synthesized here, at generation time, to satisfy the schema
//! (formats, enums, bounds, lengths, patterns, item counts). Each body is a
//! JSON literal read into its type at run time, so a value that did not
//! fit would fail there (the tests check that none does).

use std::ops::Range;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value, json};

use super::api::{Shape, shape};
use super::parts::{Place, Split, gated, marker};
use super::{cfg, ident, json_lit, lit};
use crate::ir::{self, MediaKind, OneWay, Prim, Rules, StatusMatch, Ty, TypeKind};

/// `mock.rs`: a run of the trait's methods, in a frame of `MockApi` and
/// its self-test.
pub(super) struct Module<'a> {
    pub(super) api: &'a ir::Api,
}

impl Split for Module<'_> {
    type Notes = ();

    fn runs(&self) -> Vec<(Place, usize)> {
        vec![(Place::Impl, self.api.operations.len())]
    }

    fn part(&self, _run: usize, units: Range<usize>, (): &mut ()) -> TokenStream {
        self.api.operations[units]
            .iter()
            .map(|op| gated(Place::Impl, &cfg(self.api, &op.gate), method(self.api, op)))
            .collect()
    }

    fn frame(&self, (): ()) -> TokenStream {
        frame(self.api)
    }
}

fn frame(api: &ir::Api) -> TokenStream {
    let allows = super::module_allows(api);
    // An empty impl is `{}`, with no marker between the braces.
    let methods = (!api.operations.is_empty()).then(|| marker(0));
    let fire = (api.role != ir::Role::Api).then(|| fire(api));
    let answers_json = api
        .operations
        .iter()
        .any(|op| chosen(op).is_some_and(needs_json));
    let fire_json = fire.is_some() && requests_use_json(api);
    // `fire` is the client's: where only it reads JSON, so does `json`.
    let gate = (!answers_json).then(|| quote!(#[cfg(feature = "client")]));
    let json = (answers_json || fire_json).then(|| {
        quote! {
            /// A value from its JSON (an example, or one made to fit the schema).
            #gate
            fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, api::Error> {
                serde_json::from_str(text).map_err(api::Error::other)
            }
        }
    });
    let test = self_test(api);
    // Secured operations are let in with any well-formed credential, or
    // with one of the tokens the mock is given.
    let (fields, with_tokens, authenticate) = if api.secured() {
        (
            quote! {
                /// The credentials to accept, if not every well-formed one.
                tokens: Option<api::Tokens>,
            },
            quote! {
                /// Accepts only the credentials that `tokens` knows, each as
                /// its principal, in place of every well-formed one.
                pub fn with_tokens(mut self, tokens: api::Tokens) -> Self {
                    self.tokens = Some(tokens);
                    self
                }
            },
            quote! {
                /// Lets every well-formed credential in, granted every scope,
                /// unless [`MockApi::with_tokens`] says which.
                impl api::Authenticate for MockApi {
                    async fn authenticate(
                        &self,
                        presented: &api::Presented<'_>,
                    ) -> Result<api::Principal, api::Refusal> {
                        match &self.tokens {
                            Some(tokens) => api::Authenticate::authenticate(tokens, presented).await,
                            None => Ok(api::Principal::anyone()),
                        }
                    }
                }
            },
        )
    } else {
        (quote!(_private: (),), quote!(), quote!())
    };
    quote! {
        #allows
        //! A mock server: [`MockApi`] answers every operation with its
        //! success response, made from the spec's examples or, where there
        //! are none, from values that satisfy the schema.
        //!
        //! `server::router(MockApi::new())` serves it.

        use super::api;

        /// An implementation of [`api::Api`] that answers every operation
        /// with its documented success response.
        #[derive(Debug, Clone, Default)]
        pub struct MockApi {
            #fields
        }

        impl MockApi {
            pub fn new() -> Self {
                MockApi::default()
            }
            #with_tokens
        }

        #authenticate

        #json

        impl api::Api for MockApi {
            #methods
        }

        #fire

        #test
    }
}

/// A test, run with the crate's own tests when the server and client are
/// on: the mock served over TCP, every operation called by the client
/// with values made to fit, and each answer decoded as documented.
fn self_test(api: &ir::Api) -> TokenStream {
    if api.operations.is_empty() {
        return TokenStream::new();
    }
    let credentials = api.security_schemes.iter().filter(|s| s.kind.carries_credential()).map(|s| {
        let field = ident(&s.field);
        if s.kind == ir::SchemeKind::Basic {
            quote!(#field: Some(api::BasicAuth { username: "mock".into(), password: "mock".into() }),)
        } else {
            quote!(#field: Some("mock".into()),)
        }
    });
    let credentials = (!api.security_schemes.is_empty())
        .then(|| quote!(.with_credentials(api::Credentials { #(#credentials)* })));
    let calls = api
        .operations
        .iter()
        // Nobody may call an operation whose every requirement names a
        // scheme that no request can meet: its 401 is tested elsewhere.
        .filter(|op| chosen(op).is_some() && op.security.as_ref().is_none_or(|r| !r.is_empty()))
        .map(|op| {
            let name = ident(&op.name);
            let response = ident(&op.response_type);
            let request = request_value(api, op, false);
            // The pattern the variant's shape takes (clippy denies `{ .. }` on
            // a unit variant).
            let variant = chosen(op).map(|r| {
                let variant = ident(&r.variant);
                match shape(r) {
                    Shape::Unit => quote!(#variant),
                    Shape::Tuple => quote!(#variant(..)),
                    Shape::Struct { .. } => quote!(#variant { .. }),
                }
            });
            let label = lit(crate::naming::unraw(&op.name));
            let client = match api.role {
                ir::Role::Api => quote!(client),
                ir::Role::Webhooks | ir::Role::Callbacks => {
                    let route = lit(&route(op));
                    quote!(client.with_base_url(format!("{base}{}", #route)))
                }
            };
            let call = quote! {
                let answer = #client.#name(#request).await;
                assert!(matches!(answer, Ok(api::#response::#variant)), "{}: {answer:?}", #label);
            };
            match cfg(api, &op.gate) {
                cfg if cfg.is_empty() => call,
                cfg => quote!(#cfg { #call }),
            }
        })
        .collect::<Vec<_>>();
    // Nothing to call (every operation's requirements unmeetable): no
    // test, rather than one that sets up a client it never uses.
    if calls.is_empty() {
        return TokenStream::new();
    }
    let json = requests_use_json(api).then(|| {
        quote! {
            fn json<T: serde::de::DeserializeOwned>(text: &str) -> T {
                serde_json::from_str(text).expect("uniapi made it to fit")
            }
        }
    });
    let router = match api.role {
        ir::Role::Api => quote!(super::super::server::router(MockApi::new())),
        ir::Role::Webhooks | ir::Role::Callbacks => quote! {
            super::super::server::router(MockApi::new(), super::super::runtime::signature::Unsigned)
        },
    };
    quote! {
        #[cfg(all(test, feature = "server", feature = "client"))]
        mod tests {
            use super::super::client::Client;
            use super::api::{self, Api as _};
            use super::MockApi;

            #json

            #[tokio::test]
            async fn every_operation_answers_as_documented() {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let base = format!("http://{}", listener.local_addr().expect("address"));
                let router = #router;
                tokio::spawn(async move { axum::serve(listener, router).await });
                let client = Client::new(&base) #credentials;
                #(#calls)*
            }
        }
    }
}

/// A request of `op` made from the spec's examples, or from values made to
/// fit its schemas; values are read with `json(text)`, followed by `?`
/// where `fallible`.
fn request_value(api: &ir::Api, op: &ir::Operation, fallible: bool) -> TokenStream {
    let request = ident(&op.request_type);
    let question = fallible.then(|| quote!(?));
    let fields = op.params.iter().map(|p| {
        let field = ident(&p.name);
        let text = json_lit(&synth(api, &p.ty, 0));
        if p.always_present() {
            quote!(#field: json(#text)#question,)
        } else {
            quote!(#field: Some(json(#text)#question),)
        }
    });
    let body = op.body().map(|b| {
        let value = match b.media {
            MediaKind::Text => quote!(String::from("string")),
            MediaKind::Binary => quote!(api::ByteStream::from(b"mock".as_slice())),
            MediaKind::Json | MediaKind::Form | MediaKind::Multipart => {
                let text = json_lit(&body_json(api, &b.ty, &b.examples, OneWay::Responses));
                quote!(json(#text)#question)
            }
            MediaKind::Sequence(sequence) => {
                let item = if super::text_items(sequence, &b.ty) {
                    quote!(String::from("string"))
                } else {
                    let text = json_lit(&body_json(api, &b.ty, &b.examples, OneWay::Responses));
                    quote!(json(#text)#question)
                };
                items([item].into_iter(), sequence)
            }
        };
        let value = match &op.body_type {
            None => value,
            Some(body_type) => {
                let body_type = ident(body_type);
                let variant = ident(&b.variant);
                quote!(api::#body_type::#variant(#value))
            }
        };
        if b.required {
            quote!(body: #value,)
        } else {
            quote!(body: Some(#value),)
        }
    });
    let urls = op.callback_urls.iter().map(|c| {
        let field = ident(&c.field);
        quote!(#field: None,)
    });
    quote!(api::#request { #(#fields)* #body #(#urls)* context: api::Context::default() })
}

/// Whether some request that [`request_value`] makes reads a value with
/// `json`.
fn requests_use_json(api: &ir::Api) -> bool {
    api.operations.iter().any(|op| {
        !op.params.is_empty()
            || op.body().is_some_and(|b| match b.media {
                MediaKind::Json | MediaKind::Form | MediaKind::Multipart => true,
                MediaKind::Sequence(sequence) => !super::text_items(sequence, &b.ty),
                MediaKind::Text | MediaKind::Binary => false,
            })
    })
}

/// The webhooks' `fire`: each webhook delivered once, made from the
/// spec's examples, to a receiver that `webhooks::router` serves.
fn fire(api: &ir::Api) -> TokenStream {
    let deliveries = api.operations.iter().map(|op| {
        let name = ident(&op.name);
        let label = lit(crate::naming::unraw(&op.name));
        let route = lit(&route(op));
        let request = request_value(api, op, true);
        quote! {
            let answer = async {
                let request = #request;
                sender.with_base_url(format!("{base_url}{}", #route)).#name(request).await.map(drop)
            };
            answers.push((#label, answer.await));
        }
    });
    quote! {
        /// Delivers every webhook once through `sender`, each to
        /// `{base_url}/{name}` (where a receiver that `webhooks::router`
        /// serves at `base_url` takes it), with a request made from the
        /// spec's examples or, where there are none, from values that fit
        /// the schemas: a receiver tested without the real provider.
        /// Returns each webhook's name and how its delivery went.
        #[cfg(feature = "client")]
        pub async fn fire(
            sender: &super::client::Client,
            base_url: &str,
        ) -> Vec<(&'static str, Result<(), api::Error>)> {
            use api::Api as _;
            let base_url = base_url.trim_end_matches('/');
            let mut answers = Vec::new();
            #(#deliveries)*
            answers
        }
    }
}

/// The path a webhook's receiver serves it at, as a URL writes it.
fn route(op: &ir::Operation) -> String {
    let segments: Vec<String> = op
        .url_segments()
        .into_iter()
        .map(|s| match s {
            ir::UrlSegment::Literal(text) => super::style::encode_path_literal(&text),
            ir::UrlSegment::Param(_) | ir::UrlSegment::Mixed(_) => String::new(),
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// The response a mock gives: the first success, else `default`, else the
/// first documented that can end an exchange (not `1XX`).
fn chosen(op: &ir::Operation) -> Option<&ir::Response> {
    let informational = |r: &&ir::Response| match r.status {
        StatusMatch::Code(c) => c < 200,
        StatusMatch::Range(d) => d == 1,
        StatusMatch::Default => false,
    };
    let success = |r: &&ir::Response| match r.status {
        StatusMatch::Code(c) => (200..300).contains(&c),
        StatusMatch::Range(d) => d == 2,
        StatusMatch::Default => false,
    };
    op.responses
        .iter()
        .filter(success)
        .min_by_key(|r| match r.status {
            StatusMatch::Code(c) => c,
            _ => 299,
        })
        .or_else(|| {
            op.responses
                .iter()
                .find(|r| r.status == StatusMatch::Default)
        })
        .or_else(|| op.responses.iter().find(|r| !informational(r)))
}

fn needs_json(r: &ir::Response) -> bool {
    r.body().is_some_and(|b| match b.media {
        MediaKind::Text | MediaKind::Binary => false,
        MediaKind::Sequence(sequence) => !super::text_items(sequence, &b.ty),
        MediaKind::Json | MediaKind::Form | MediaKind::Multipart => true,
    }) || r.headers.iter().any(|h| h.required)
}

/// `api::Items` of `values` (each in an `api::Event` for events).
fn items(values: impl Iterator<Item = TokenStream>, sequence: ir::Sequence) -> TokenStream {
    let values: Vec<TokenStream> = match sequence {
        ir::Sequence::Events => values.map(|v| quote!(api::Event::new(#v))).collect(),
        _ => values.collect(),
    };
    quote!(api::Items::from(vec![#(#values),*]))
}

fn method(api: &ir::Api, op: &ir::Operation) -> TokenStream {
    let name = ident(&op.name);
    let request = ident(&op.request_type);
    let response = ident(&op.response_type);
    let answer = match chosen(op) {
        Some(r) => {
            let value = response_value(api, r, &response);
            quote!(Ok(#value))
        }
        // Only `1XX` responses, which cannot end an exchange.
        None => quote!(Err(api::Error::other(
            "the spec documents no final response"
        ))),
    };
    quote! {
        async fn #name(&self, _request: api::#request) -> Result<api::#response, api::Error> {
            #answer
        }
    }
}

fn response_value(api: &ir::Api, r: &ir::Response, response: &proc_macro2::Ident) -> TokenStream {
    let variant = ident(&r.variant);
    let body = r.body().map(|b| match b.media {
        MediaKind::Text => {
            let text = match b.examples.first() {
                Some((_, Value::String(s))) => s.clone(),
                _ => "string".to_owned(),
            };
            let text = lit(&text);
            quote!(String::from(#text))
        }
        MediaKind::Binary => quote!(api::ByteStream::from(b"mock".as_slice())),
        MediaKind::Json | MediaKind::Form | MediaKind::Multipart => {
            let text = json_lit(&body_json(api, &b.ty, &b.examples, OneWay::Requests));
            quote!(json(#text)?)
        }
        // Each example is an item; without any, one item made up.
        MediaKind::Sequence(sequence) if super::text_items(sequence, &b.ty) => {
            let texts: Vec<String> = b
                .examples
                .iter()
                .filter_map(|(_, v)| v.as_str().map(str::to_owned))
                .collect();
            let texts = if texts.is_empty() {
                vec!["string".to_owned()]
            } else {
                texts
            };
            items(
                texts.iter().map(|t| {
                    let t = lit(t);
                    quote!(String::from(#t))
                }),
                sequence,
            )
        }
        MediaKind::Sequence(sequence) => {
            let values: Vec<Value> = if b.examples.is_empty() {
                vec![body_json(api, &b.ty, &[], OneWay::Requests)]
            } else {
                b.examples
                    .iter()
                    .map(|e| body_json(api, &b.ty, std::slice::from_ref(e), OneWay::Requests))
                    .collect()
            };
            items(
                values.iter().map(|v| {
                    let text = json_lit(v);
                    quote!(json(#text)?)
                }),
                sequence,
            )
        }
    });
    // Of several media types, the preferred one.
    let body = body.map(|value| match (r.body(), &r.body_type) {
        (Some(b), Some(body_type)) => {
            let body_type = ident(body_type);
            let preferred = ident(&b.variant);
            quote!(api::#body_type::#preferred(#value))
        }
        _ => value,
    });
    match shape(r) {
        Shape::Unit => quote!(api::#response::#variant),
        Shape::Tuple => {
            let body = body.expect("a tuple variant has a body");
            quote!(api::#response::#variant(#body))
        }
        Shape::Struct {
            status,
            body: has_body,
        } => {
            let status = status.then(|| {
                let code = match r.status {
                    StatusMatch::Code(c) => c,
                    StatusMatch::Range(d) => u16::from(d) * 100,
                    StatusMatch::Default => 200,
                };
                let code = super::num(code);
                quote!(status: http::StatusCode::from_u16(#code).map_err(api::Error::other)?,)
            });
            let body = has_body.then(|| {
                let body = body.expect("a body field has a body");
                quote!(body: #body,)
            });
            let headers = r.headers.iter().map(|h| {
                let field = ident(&h.name);
                if h.required {
                    let text = json_lit(&synth(api, &h.ty, 0));
                    quote!(#field: json(#text)?,)
                } else {
                    quote!(#field: None,)
                }
            });
            quote!(api::#response::#variant { #status #body #(#headers)* })
        }
    }
}

/// A body's value: its first example, else the example of the named type
/// it is (`lower` kept only examples that fit), else one made to fit;
/// without the properties that travel only the other way (`way`: those
/// this body is not for).
fn body_json(api: &ir::Api, ty: &Ty, examples: &[(String, Value)], way: OneWay) -> Value {
    let type_example = match ty {
        Ty::Named(id) => api.ty(*id).example.clone(),
        _ => None,
    };
    let mut value = examples
        .first()
        .map(|(_, v)| v.clone())
        .or(type_example)
        .unwrap_or_else(|| synth(api, ty, 0));
    leave_out(api, ty, &mut value, way, 0);
    value
}

/// Removes from `value` (of type `ty`) the properties that travel only
/// `way`. In a union, a property goes if some variant has it one-way and
/// none has it both ways.
fn leave_out(api: &ir::Api, ty: &Ty, value: &mut Value, way: OneWay, depth: usize) {
    if depth > DEEPEST {
        return;
    }
    match (ty, value) {
        (Ty::Nullable(inner), value) => leave_out(api, inner, value, way, depth + 1),
        (Ty::List(inner), Value::Array(items)) => {
            for item in items {
                leave_out(api, inner, item, way, depth + 1);
            }
        }
        (Ty::Map(inner), Value::Object(map)) => {
            for item in map.values_mut() {
                leave_out(api, inner, item, way, depth + 1);
            }
        }
        (Ty::Named(id), value) => match &api.ty(*id).kind {
            TypeKind::Alias(inner) | TypeKind::Newtype(inner) => {
                leave_out(api, inner, value, way, depth + 1)
            }
            TypeKind::Struct(s) => {
                let Value::Object(map) = value else { return };
                for f in &s.fields {
                    if f.one_way == Some(way) {
                        map.remove(&f.wire);
                    } else if let Some(v) = map.get_mut(&f.wire) {
                        leave_out(api, &f.ty, v, way, depth + 1);
                    }
                }
            }
            TypeKind::Union(u) => {
                let Value::Object(map) = value else { return };
                let fields = || {
                    u.variants.iter().filter_map(|v| match &v.ty {
                        Ty::Named(id) => match &api.ty(*id).kind {
                            TypeKind::Struct(s) => Some(&s.fields),
                            _ => None,
                        },
                        _ => None,
                    })
                };
                map.retain(|wire, _| {
                    let mut all = fields().flatten().filter(|f| f.wire == *wire);
                    !(all.clone().any(|f| f.one_way == Some(way))
                        && all.all(|f| f.one_way == Some(way)))
                });
            }
            _ => {}
        },
        _ => {}
    }
}

/// Deeper than this, optional parts are left out and lists are empty.
const RICH: usize = 2;
/// Deeper than this, values are the smallest that fit.
const DEEPEST: usize = 12;

/// A JSON value of type `ty` that the generated types accept.
pub(crate) fn synth(api: &ir::Api, ty: &Ty, depth: usize) -> Value {
    match ty {
        Ty::Any => json!({}),
        Ty::Prim(p) => prim(*p),
        Ty::Nullable(_) if depth > DEEPEST => Value::Null,
        Ty::Nullable(inner) => synth(api, inner, depth + 1),
        Ty::List(inner) => {
            if depth < RICH {
                Value::Array(vec![synth(api, inner, depth + 1)])
            } else {
                Value::Array(Vec::new())
            }
        }
        Ty::Map(inner) => {
            let mut map = Map::new();
            if depth < RICH {
                map.insert("key".into(), synth(api, inner, depth + 1));
            }
            Value::Object(map)
        }
        Ty::Named(id) => named(api, *id, depth),
    }
}

fn named(api: &ir::Api, id: ir::TypeId, depth: usize) -> Value {
    let def = api.ty(id);
    // A required field that holds its own type has no finite value.
    if depth > DEEPEST {
        return Value::Null;
    }
    if let Some(example) = &def.example {
        return example.clone();
    }
    match &def.kind {
        TypeKind::Struct(s) => {
            let mut map = Map::new();
            for f in &s.fields {
                if f.required || depth < RICH {
                    map.insert(f.wire.clone(), synth(api, &f.ty, depth + 1));
                }
            }
            Value::Object(map)
        }
        TypeKind::Enum(e) => match e.variants.first() {
            Some(v) if e.integer => v
                .wire
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::Null),
            Some(v) => Value::String(v.wire.clone()),
            None => Value::Null,
        },
        TypeKind::Union(u) => match u.variants.first() {
            Some(v) => {
                let mut value = synth(api, &v.ty, depth + 1);
                if let (Some(tag), Some(name), Some(map)) =
                    (&u.tag, v.tags.first(), value.as_object_mut())
                {
                    map.insert(tag.clone(), Value::String(name.clone()));
                }
                value
            }
            None => Value::Null,
        },
        TypeKind::Alias(inner) | TypeKind::Newtype(inner) => synth(api, inner, depth + 1),
        TypeKind::Constrained(inner, rules) => constrained(api, inner, rules, depth),
    }
}

fn prim(p: Prim) -> Value {
    match p {
        Prim::String => json!("string"),
        Prim::Bool => json!(true),
        Prim::I32 | Prim::I64 => json!(0),
        Prim::F32 | Prim::F64 => json!(0.0),
        Prim::Bytes | Prim::Base64 => json!(""),
        Prim::File => json!({"bytes": "bW9jaw==", "filename": "mock.bin"}),
        Prim::DateTime => json!("2024-01-01T00:00:00Z"),
        Prim::Date => json!("2024-01-01"),
        Prim::Uuid => json!("00000000-0000-4000-8000-000000000000"),
        Prim::Int64Text | Prim::Decimal => json!("0"),
    }
}

fn constrained(api: &ir::Api, inner: &Ty, rules: &Rules, depth: usize) -> Value {
    match inner {
        Ty::Prim(Prim::String) => Value::String(string(rules)),
        Ty::Prim(Prim::I32 | Prim::I64) => json!(number(rules, true) as i64),
        Ty::Prim(Prim::F32 | Prim::F64) => json!(number(rules, false)),
        Ty::List(item) => {
            let count = rules
                .min_items
                .unwrap_or(if depth < RICH { 1 } else { 0 })
                .min(rules.max_items.unwrap_or(u64::MAX));
            let items: Vec<Value> = (0..count)
                .map(|i| vary(synth(api, item, depth + 1), i, rules.unique_items))
                .collect();
            Value::Array(items)
        }
        other => synth(api, other, depth + 1),
    }
}

/// Item `i` of a list whose items must differ: numbers and strings are
/// made distinct.
fn vary(value: Value, i: u64, unique: bool) -> Value {
    if !unique || i == 0 {
        return value;
    }
    match value {
        Value::Number(n) => json!(n.as_f64().unwrap_or(0.0) + i as f64),
        Value::String(s) => Value::String(format!("{s}{i}")),
        other => other,
    }
}

/// A number within the bounds and a multiple of `multipleOf`.
fn number(rules: &Rules, integer: bool) -> f64 {
    let step = if integer { 1.0 } else { 0.5 };
    let mut lo = rules
        .minimum
        .map(|b| if b.exclusive { b.value + step } else { b.value });
    if integer {
        lo = lo.map(f64::ceil);
    }
    let hi = rules
        .maximum
        .map(|b| if b.exclusive { b.value - step } else { b.value });
    let mut value = match (lo, hi) {
        (Some(lo), _) => lo,
        (None, Some(hi)) => hi.min(0.0),
        (None, None) => 0.0,
    };
    if let Some(m) = rules.multiple_of {
        value = (value / m).ceil() * m;
        if rules
            .minimum
            .is_some_and(|b| b.exclusive && value <= b.value)
        {
            value += m;
        }
    }
    if !integer {
        // Stay strictly inside exclusive bounds when the step overshot.
        if let (Some(min), Some(max)) = (rules.minimum, rules.maximum) {
            if value >= max.value && min.value < max.value {
                value = (min.value + max.value) / 2.0;
            }
        }
    }
    value
}

/// A string of the right length that matches the pattern.
fn string(rules: &Rules) -> String {
    let fits = |s: &str| {
        let len = s.chars().count() as u64;
        rules.min_length.is_none_or(|m| len >= m)
            && rules.max_length.is_none_or(|m| len <= m)
            && rules
                .pattern
                .as_ref()
                .is_none_or(|p| regex::Regex::new(p).is_ok_and(|re| re.is_match(s)))
    };
    let min = rules.min_length.unwrap_or(0) as usize;
    if let Some(pattern) = &rules.pattern {
        if let Ok(hir) = regex_syntax::Parser::new().parse(pattern) {
            for extra in 0..=min + 2 {
                let candidate = sample(&hir, extra);
                if fits(&candidate) {
                    return candidate;
                }
            }
        }
    }
    let mut s = "string".to_owned();
    while s.chars().count() < min {
        s.push('x');
    }
    if let Some(max) = rules.max_length {
        s = s.chars().take(max as usize).collect();
    }
    s
}

/// A string that the regex `hir` matches: the first branch of each
/// alternation, a pleasant member of each class, `extra` more rounds of
/// each unbounded repetition.
fn sample(hir: &regex_syntax::hir::Hir, extra: usize) -> String {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => String::new(),
        HirKind::Literal(l) => String::from_utf8_lossy(&l.0).into_owned(),
        HirKind::Class(Class::Unicode(c)) => {
            let nice = ['a', 'A', '0', 'x', '_', '-', '.', ' '];
            let pick = nice
                .into_iter()
                .find(|ch| {
                    c.ranges()
                        .iter()
                        .any(|r| r.start() <= *ch && *ch <= r.end())
                })
                .or_else(|| c.ranges().first().map(|r| r.start()));
            pick.map(String::from).unwrap_or_default()
        }
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .first()
            .map(|r| char::from(r.start()).to_string())
            .unwrap_or_default(),
        HirKind::Repetition(r) => {
            let wanted = r.min as usize + extra;
            let count = match r.max {
                Some(max) => wanted.min(max as usize),
                None => wanted,
            };
            (0..count).map(|_| sample(&r.sub, extra)).collect()
        }
        HirKind::Capture(c) => sample(&c.sub, extra),
        HirKind::Concat(parts) => parts.iter().map(|p| sample(p, extra)).collect(),
        HirKind::Alternation(branches) => branches
            .first()
            .map(|b| sample(b, extra))
            .unwrap_or_default(),
    }
}
