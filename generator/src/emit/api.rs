//! `api.rs`: the trait, the request and response types of every operation,
//! and what calls share (credentials, context, errors).

use std::ops::Range;

use proc_macro2::TokenStream;
use quote::{ToTokens as _, quote};

use super::parts::{Place, Split, gated, marker};
use super::{Scope, cfg, doc_lines, docs, field_ty, ident, literal, ty};
use crate::ir::{self, Operation, Response, SchemeKind, StatusMatch, Ty};

/// `api.rs`: runs of the trait's methods, the request types and the
/// response enums, in a frame of what calls share.
pub(super) struct Module<'a> {
    pub(super) api: &'a ir::Api,
}

impl Split for Module<'_> {
    type Notes = ();

    fn runs(&self) -> Vec<(Place, usize)> {
        let n = self.api.operations.len();
        vec![(Place::Trait, n), (Place::Top, n), (Place::Top, n)]
    }

    fn part(&self, run: usize, units: Range<usize>, (): &mut ()) -> TokenStream {
        let api = self.api;
        let ops = api.operations[units].iter();
        let (place, unit): (Place, fn(&ir::Api, &ir::Operation) -> TokenStream) = match run {
            0 => (Place::Trait, trait_method),
            1 => (Place::Top, request),
            _ => (Place::Top, response),
        };
        ops.map(|op| gated(place, &cfg(api, &op.gate), unit(api, op)))
            .collect()
    }

    fn frame(&self, (): ()) -> TokenStream {
        frame(self.api)
    }
}

fn frame(api: &ir::Api) -> TokenStream {
    let mut allows = super::module_allows(api);
    // A request's setter is named as its field, which the spec names: it
    // may be `add` or `sub`, a method of `std::ops`'s.
    allows.extend(quote!(#![allow(clippy::should_implement_trait)]));
    let uses_types = uses_named_types(api).then(|| {
        quote!(
            use super::types;
        )
    });
    let security = security(api);
    let streams = stream_uses(api);
    let requirement = api.authenticates().then(|| {
        quote! {
            /// On the server, the security requirement the request met (the
            /// first of the operation's, in the spec's order, whose
            /// credentials the authenticator accepted with its scopes).
            /// Empty where the operation needs no credentials or `{}` was
            /// met. Not sent by the client.
            pub requirement: Requirement,
            /// On the server, who the caller is, as the authenticator found
            /// (`server::router` asks it before the handler runs): unnamed
            /// and granted nothing where the operation needs no credentials.
            /// Not sent by the client.
            pub principal: Principal,
        }
    });
    // An empty trait is `{}`, with no marker between the braces.
    let methods = (!api.operations.is_empty()).then(|| marker(0));
    let requests = marker(1);
    let responses = marker(2);
    let role = match api.role {
        ir::Role::Api => {
            "Implement it to serve the API (`server::router`); `client::Client` implements it to call a server."
        }
        ir::Role::Webhooks => {
            "Its webhooks, one method each. Implement it to receive them (`webhooks::router`); \
             `webhooks::Sender` implements it to deliver them."
        }
        ir::Role::Callbacks => {
            "The callbacks its operations make, one method each. Implement it to receive them \
             (`callbacks::router`); `callbacks::Sender` implements it to deliver them."
        }
    };
    let trait_doc = doc_lines(&format!(
        "{}{}\n\n{role}",
        api.title,
        if api.version.is_empty() {
            String::new()
        } else {
            format!(" {}", api.version)
        }
    ));
    quote! {
        #allows
        //! The uniform interface: one trait that servers implement and the
        //! client implements, with a request type and a response enum per
        //! operation.

        #uses_types

        #trait_doc
        pub trait Api: Send + Sync {
            #methods
        }

        #requests
        #responses

        #security
        #streams

        /// What a call carries beyond the spec's parameters and body.
        ///
        /// On the server it holds what the caller sent: the credentials of the
        /// schemes the operation declares (present and well formed; the
        /// requirement met was judged by the authenticator), every request
        /// header, and the request's extensions (what tower layers put there).
        /// On the client, credentials set here are used instead of the
        /// client's own, and headers here are sent as well.
        #[derive(Debug, Clone, Default)]
        pub struct Context {
            /// Credentials of the caller.
            pub credentials: Credentials,
            /// Request headers (server), or extra headers to send (client).
            pub headers: http::HeaderMap,
            /// The request's extensions (server only; not sent by the client).
            pub extensions: http::Extensions,
            #requirement
        }

        impl Context {
            /// Whether the request's `Accept` takes `media_type` (see
            /// [`accepts`]): for a handler that answers in one of several
            /// media types.
            pub fn accepts(&self, media_type: &str) -> bool {
                accepts(&self.headers, media_type)
            }
        }

        pub use super::runtime::api::{accepts, Error};
    }
}

pub(super) fn uses_named_types(api: &ir::Api) -> bool {
    fn named(t: &Ty) -> bool {
        match t {
            Ty::Named(_) | Ty::Prim(ir::Prim::Base64) => true,
            Ty::List(i) | Ty::Map(i) | Ty::Nullable(i) => named(i),
            Ty::Prim(_) | Ty::Any => false,
        }
    }
    api.operations.iter().any(|op| {
        op.params.iter().any(|p| named(&p.ty))
            || op.bodies.iter().any(|b| named(&b.ty))
            || op.responses.iter().any(|r| {
                r.bodies.iter().any(|b| named(&b.ty)) || r.headers.iter().any(|h| named(&h.ty))
            })
    })
}

fn trait_method(api: &ir::Api, op: &Operation) -> TokenStream {
    let name = ident(&op.name);
    let request = ident(&op.request_type);
    let response = ident(&op.response_type);
    let mut doc = docs(&op.docs);
    let tags = if op.tags.is_empty() {
        String::new()
    } else {
        format!(" ({})", op.tags.join(", ").replace('`', "'"))
    };
    let line = match api.role {
        ir::Role::Api => format!(" `{} {}`{tags}", op.method.as_str(), op.path),
        ir::Role::Webhooks => format!(
            " Webhook `{} {}`: received at that path, delivered to a subscriber's URL.",
            op.method.as_str(),
            op.path
        ),
        ir::Role::Callbacks => format!(
            " Callback `{} {}`: received at that path; sent to the URL the request gave:",
            op.method.as_str(),
            op.path,
        ),
    };
    // A callback's URL as written, on a line of its own.
    let url = op.callback.as_ref().map(|c| {
        let url = format!(" `{}`", c.expression.replace('`', "'"));
        quote!(#[doc = #url])
    });
    if !doc.is_empty() {
        doc.extend(quote!(#[doc = ""]));
    }
    doc.extend(quote!(#[doc = #line] #url));
    quote! {
        #doc
        fn #name(&self, request: #request) -> impl std::future::Future<Output = Result<#response, Error>> + Send;
    }
}

fn request(api: &ir::Api, op: &Operation) -> TokenStream {
    let name = ident(&op.request_type);
    let doc = format!(
        " The request of [`Api::{}`].",
        crate::naming::unraw(&op.name)
    );
    let mut fields = Vec::new();
    let mut required_args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let field = ident(&p.name);
        let pdoc = docs(&p.docs);
        let location = if p.querystring {
            " The whole query string, as a form.".to_owned()
        } else {
            format!(" In {}: `{}`.", p.location.as_str(), p.wire)
        };
        let t = field_ty(api, &p.ty, p.always_present(), false, Scope::Api);
        let (value, nullable) = match &p.ty {
            Ty::Nullable(inner) => (&**inner, true),
            other => (other, false),
        };
        setters.extend(setter(
            api,
            &p.name,
            value,
            ty(api, value, Scope::Api),
            nullable || !p.always_present(),
        ));
        let default_doc = p.default.as_ref().map(|_| quote!(#[doc = " Has a default (set by `new`, and by the server when the caller sends none)."]));
        fields.push(quote! {
            #pdoc
            #[doc = #location]
            #default_doc
            pub #field: #t,
        });
        match (&p.default, p.required) {
            (_, true) => {
                required_args.push(quote!(#field: #t));
                inits.push(quote!(#field));
            }
            (Some(value), false) => {
                let value = literal(api, value, Scope::Api);
                inits.push(quote!(#field: #value));
            }
            (None, false) => inits.push(quote!(#field: None)),
        }
    }
    let mut choice = None;
    if let Some(body) = op.body() {
        let bdoc = docs(&body.docs);
        let (media, t) = if let Some(enum_name) = &op.body_type {
            let enum_name = ident(enum_name);
            choice = Some(body_enum(api, op, &enum_name));
            let value = quote!(#enum_name);
            setters.extend(setter(api, "body", &Ty::Any, value, !body.required));
            let t = if body.required {
                quote!(#enum_name)
            } else {
                quote!(Option<#enum_name>)
            };
            (
                " In one of the media types the operation takes.".to_owned(),
                t,
            )
        } else {
            let media = format!(" Sent as `{}`.", body.content_type);
            let t = match body.media {
                ir::MediaKind::Sequence(_) => {
                    let t = body_ty(api, body.media, &body.ty);
                    setters.extend(setter(api, "body", &Ty::Any, t.clone(), !body.required));
                    if body.required { t } else { quote!(Option<#t>) }
                }
                _ => {
                    let (value, nullable) = match &body.ty {
                        Ty::Nullable(inner) => (&**inner, true),
                        other => (other, false),
                    };
                    let t = ty(api, value, Scope::Api);
                    setters.extend(setter(api, "body", value, t, nullable || !body.required));
                    field_ty(api, &body.ty, body.required, false, Scope::Api)
                }
            };
            (media, t)
        };
        fields.push(quote! {
            #bdoc
            #[doc = #media]
            pub body: #t,
        });
        if body.required {
            required_args.push(quote!(body: #t));
            inits.push(quote!(body));
        } else {
            inits.push(quote!(body: None));
        }
    }
    // No setters for the callbacks' URLs: the server reads them from the
    // request; a caller has nothing to set.
    for c in &op.callback_urls {
        let field = ident(&c.field);
        let doc = doc_lines(&format!(
            "Where callback `{}` goes:\n`{}`\nread from the request (server only; `None` where the request gives\n\
             no URL there). Deliver to it with `callbacks::sender(..)?.with_base_url(url)`.",
            c.name.replace('`', "'"),
            c.expression.replace('`', "'")
        ));
        fields.push(quote! {
            #doc
            pub #field: Option<String>,
        });
        inits.push(quote!(#field: None));
    }
    let new_doc = if required_args.is_empty() {
        " A request with no optional part set.".to_owned()
    } else {
        " A request with the required parts; the optional ones are unset.".to_owned()
    };
    let default = required_args.is_empty().then(|| {
        quote! {
            impl Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let derives = derives(op.bodies.iter().any(|b| streams(b.media, &b.ty)));
    quote! {
        #[doc = #doc]
        #derives
        pub struct #name {
            #(#fields)*
            /// Credentials, headers and extensions of the call.
            pub context: Context,
        }

        impl #name {
            #[doc = #new_doc]
            pub fn new(#(#required_args),*) -> Self {
                #name {
                    #(#inits,)*
                    context: Context::default(),
                }
            }

            #(#setters)*
        }

        #default
        #choice
    }
}

/// The setter of request field `field`, whose type is `t` (the Rust type
/// of `value`), wrapped in `Some` where `optional`; `None` where the field
/// is named like a method every request has ([`crate::naming::REQUEST_METHODS`]).
/// A constrained newtype's setter takes the value inside and checks it, so
/// it returns a `Result` (already `#[must_use]`).
fn setter(
    api: &ir::Api,
    field: &str,
    value: &Ty,
    t: TokenStream,
    optional: bool,
) -> Option<TokenStream> {
    let name = crate::naming::unraw(field);
    if crate::naming::REQUEST_METHODS.contains(&name) {
        return None;
    }
    let field = ident(field);
    let wrap = |v: TokenStream| if optional { quote!(Some(#v)) } else { v };
    Some(match constrained(api, value) {
        Some(inner) => {
            let doc = format!(
                " Sets `{name}`; a value that breaks its schema is an `Error::Validation`."
            );
            let inner = ty(api, inner, Scope::Api);
            let set = wrap(
                quote!(#t::try_from(value.into()).map_err(|e| Error::Validation(e.to_string()))?),
            );
            quote! {
                #[doc = #doc]
                pub fn #field(mut self, value: impl Into<#inner>) -> Result<Self, Error> {
                    self.#field = #set;
                    Ok(self)
                }
            }
        }
        None => {
            let doc = format!(" Sets `{name}`.");
            let set = wrap(quote!(value.into()));
            quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #field(mut self, value: impl Into<#t>) -> Self {
                    self.#field = #set;
                    self
                }
            }
        }
    })
}

/// The type inside `t` where it names a constrained newtype (through
/// aliases, as merged types are), whose one constructor checks.
fn constrained<'a>(api: &'a ir::Api, t: &'a Ty) -> Option<&'a Ty> {
    let Ty::Named(id) = api.unalias(t) else {
        return None;
    };
    let def = api.ty(*id);
    match &def.kind {
        ir::TypeKind::Constrained(inner, _) if def.replaced.is_none() => Some(inner),
        _ => None,
    }
}

/// The enum of a request body with several media types: one variant per
/// media type, holding what that media type carries.
fn body_enum(api: &ir::Api, op: &Operation, name: &proc_macro2::Ident) -> TokenStream {
    let doc = format!(
        " The body of [`Api::{}`], in one of the media types it takes: the \
         client sends the variant's, the server reads the one `Content-Type` names.",
        crate::naming::unraw(&op.name)
    );
    let variants = op.body_choices().iter().map(|b| {
        let variant = ident(&b.variant);
        let media = format!(" `{}`.", b.content_type);
        let t = body_ty(api, b.media, &b.ty);
        quote! {
            #[doc = #media]
            #variant(#t),
        }
    });
    let derives = derives(op.body_choices().iter().any(|b| streams(b.media, &b.ty)));
    quote! {
        #[doc = #doc]
        #derives
        pub enum #name {
            #(#variants)*
        }
    }
}

/// How a response variant holds its parts.
pub(super) enum Shape {
    /// `NotFound`
    Unit,
    /// `Ok(body)`
    Tuple,
    /// `Ok { status?, body?, header... }`
    Struct { status: bool, body: bool },
}

pub(super) fn shape(r: &Response) -> Shape {
    let status = !matches!(r.status, StatusMatch::Code(_));
    match (status, r.body().is_some(), r.headers.is_empty()) {
        (false, false, true) => Shape::Unit,
        (false, true, true) => Shape::Tuple,
        (status, body, _) => Shape::Struct { status, body },
    }
}

/// The Rust type of a body in `api`.
fn body_ty(api: &ir::Api, media: ir::MediaKind, t: &Ty) -> TokenStream {
    super::body_ty(api, media, t, Scope::Api)
}

fn response(api: &ir::Api, op: &Operation) -> TokenStream {
    let name = ident(&op.response_type);
    let doc = format!(
        " The responses of [`Api::{}`].",
        crate::naming::unraw(&op.name)
    );
    let variants = op.responses.iter().map(|r| {
        let variant = ident(&r.variant);
        let status_doc = match r.status {
            StatusMatch::Code(c) => format!(" Status {c}."),
            StatusMatch::Range(d) => format!(" Any status {d}XX."),
            StatusMatch::Default => " Any other status.".to_owned(),
        };
        let mut vdoc = docs(&r.docs);
        if !vdoc.is_empty() {
            vdoc.extend(quote!(#[doc = ""]));
        }
        vdoc.extend(quote!(#[doc = #status_doc]));
        match shape(r) {
            Shape::Unit => quote!(#vdoc #variant,),
            Shape::Tuple => {
                let t = response_body_ty(api, r);
                quote!(#vdoc #variant(#t),)
            }
            Shape::Struct { status, body } => {
                let status = status.then(|| {
                    quote!(/// The status sent.
                    status: http::StatusCode,)
                });
                let body = body.then(|| {
                    let t = response_body_ty(api, r);
                    quote!(/// The body.
                        body: #t,)
                });
                let headers = r.headers.iter().map(|h| {
                    let field = ident(&h.name);
                    let hdoc = docs(&h.docs);
                    let wire = format!(" Header `{}`.", h.wire);
                    let t = field_ty(api, &h.ty, h.required, false, Scope::Api);
                    quote!(#hdoc #[doc = #wire] #field: #t,)
                });
                quote!(#vdoc #variant { #status #body #(#headers)* },)
            }
        }
    });
    let derives = derives(
        op.responses
            .iter()
            .any(|r| r.bodies.iter().any(|b| streams(b.media, &b.ty))),
    );
    let body_enums = op
        .responses
        .iter()
        .filter_map(|r| Some(response_body_enum(api, op, r, r.body_type.as_deref()?)));
    quote! {
        #[doc = #doc]
        #derives
        pub enum #name {
            #(#variants)*
        }

        #(#body_enums)*
    }
}

/// The type a response variant holds its body in: the body's, or the enum
/// of its media types.
fn response_body_ty(api: &ir::Api, r: &ir::Response) -> TokenStream {
    match (&r.body_type, r.body()) {
        (Some(name), _) => ident(name).into_token_stream(),
        (None, Some(body)) => body_ty(api, body.media, &body.ty),
        (None, None) => unreachable!("a shape with a body"),
    }
}

/// The enum of a response body with several media types: the handler
/// picks one (by the request's `Accept`, in `context.headers`); the client
/// gets the one the response's `Content-Type` names.
fn response_body_enum(api: &ir::Api, op: &Operation, r: &ir::Response, name: &str) -> TokenStream {
    let name = ident(name);
    let doc = format!(
        " The body of [`{}::{}`], in one of its media types: the server sends \
         the variant's, the client reads the one `Content-Type` names.",
        op.response_type,
        crate::naming::unraw(&r.variant)
    );
    let variants = r.body_choices().iter().map(|b| {
        let variant = ident(&b.variant);
        let media = format!(" `{}`.", b.content_type);
        let t = body_ty(api, b.media, &b.ty);
        quote! {
            #[doc = #media]
            #variant(#t),
        }
    });
    let derives = derives(r.body_choices().iter().any(|b| streams(b.media, &b.ty)));
    quote! {
        #[doc = #doc]
        #derives
        pub enum #name {
            #(#variants)*
        }
    }
}

fn security(api: &ir::Api) -> TokenStream {
    let fields = api.security_schemes.iter().filter_map(|s| {
        let field = ident(&s.field);
        let what = match &s.kind {
            SchemeKind::Bearer => "a bearer token".to_owned(),
            SchemeKind::Basic => "a user name and password".to_owned(),
            SchemeKind::ApiKey { location, name } => {
                format!("a key in {} `{name}`", location.as_str())
            }
            SchemeKind::Http { scheme } => {
                format!("what follows `{scheme} ` in `Authorization`")
            }
            // The certificate is the TLS layer's, not the request's.
            SchemeKind::MutualTls => return None,
        };
        let deprecated = if s.deprecated {
            " Deprecated by the spec."
        } else {
            ""
        };
        let line = format!(" `{}`: {what}.{deprecated}", s.key);
        let description = s.description.as_deref().map(doc_lines).unwrap_or_default();
        let t = if s.kind == SchemeKind::Basic {
            quote!(BasicAuth)
        } else {
            quote!(String)
        };
        Some(quote! {
            #[doc = #line]
            #description
            pub #field: Option<#t>,
        })
    });
    let redacted = api
        .security_schemes
        .iter()
        .filter(|s| s.kind.carries_credential())
        .map(|s| {
            let field = ident(&s.field);
            let name = crate::naming::unraw(&s.field);
            quote!(.field(#name, &self.#field.as_ref().map(|_| "<redacted>")))
        });
    let variants = api.security_schemes.iter().map(|s| {
        let variant = ident(&s.variant);
        let line = format!(" `{}`", s.key);
        quote!(#[doc = #line] #variant,)
    });
    let scheme_enum = api.authenticates().then(|| {
        quote! {
            /// The security schemes of the spec.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum Scheme {
                #(#variants)*
            }

            /// A security requirement of an operation: schemes that must all
            /// be met, each with the scopes the spec asks of it (OAuth2 and
            /// OpenID Connect; none for the others).
            pub type Requirement = &'static [(Scheme, &'static [&'static str])];

            pub use super::runtime::auth::{
                Authenticate, Credential, InsecureAcceptAnyCredential, Presented, Principal, Refusal, Scopes, Tokens,
            };
        }
    });
    let basic = api.security_schemes.iter().any(|s| s.kind == SchemeKind::Basic).then(|| {
        quote! {
            /// HTTP basic credentials.
            #[derive(Clone, PartialEq, Eq)]
            pub struct BasicAuth {
                /// The user name.
                pub username: String,
                /// The password.
                pub password: String,
            }

            impl std::fmt::Debug for BasicAuth {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct("BasicAuth").field("username", &self.username).field("password", &"<redacted>").finish()
                }
            }
        }
    });
    quote! {
        /// Credentials, one field per security scheme of the spec. `Debug`
        /// does not show them.
        #[derive(Clone, Default, PartialEq, Eq)]
        pub struct Credentials {
            #(#fields)*
        }

        impl std::fmt::Debug for Credentials {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("Credentials") #(#redacted)* .finish()
            }
        }

        #scheme_enum
        #basic
    }
}

/// The derives of a request or response type: a streamed body is read
/// once, so a type that holds one is not `Clone`.
fn derives(holds_stream: bool) -> TokenStream {
    if holds_stream {
        quote!(#[derive(Debug)])
    } else {
        quote!(#[derive(Debug, Clone)])
    }
}

/// Whether a body streams: binary media types (`api::ByteStream`, the
/// only bodies `lower` gives bytes), and sequences of items.
pub(super) fn streams(media: ir::MediaKind, t: &Ty) -> bool {
    media.streams() || matches!(t, Ty::Prim(ir::Prim::Bytes))
}

/// The runtime's stream types that the spec's bodies use, re-exported.
fn stream_uses(api: &ir::Api) -> Option<TokenStream> {
    let mut names = Vec::new();
    if api.uses(ir::Prim::Bytes) {
        names.push(quote!(ByteStream));
    }
    if api.uses_sequence(|s| s == ir::Sequence::Events) {
        names.extend([quote!(Event), quote!(Events)]);
    }
    if api.uses_sequence(|_| true) {
        names.push(quote!(Items));
    }
    (!names.is_empty()).then(|| quote!(pub use super::runtime::stream::{#(#names),*};))
}
