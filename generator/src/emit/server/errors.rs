//! Errors in the spec's own shape.
//!
//! The server refuses some requests before the handler runs (a bad
//! parameter or body, missing credentials), and answers a handler's `Err`
//! with a 500. By default such an answer is an RFC 9457 problem. But most
//! specs document their errors with a schema of their own (`Error {code,
//! message}`), and a client of such a spec expects that shape. So where an
//! operation documents the status (exactly, by range, or as `default`) with
//! a JSON body whose properties a problem can fill, the problem is written
//! in that shape instead: each property is filled by its name (`code` and
//! `status` get the status (a string `code` the reason as a code,
//! `bad_request`), `message`, `detail`, `error`... the detail, `title` the
//! reason phrase, `type` `about:blank`). A schema with a required
//! property that no problem field fills keeps the problem+json answer.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::lit;
use crate::ir::{self, MediaKind, Operation, Prim, StatusMatch, Ty, TypeKind};
use crate::naming;

/// What fills one property of an error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fill {
    /// The status as a number.
    Status,
    /// The status as a string (`"400"`).
    StatusText,
    /// The reason phrase (`"Bad Request"`).
    Title,
    /// The reason phrase as a code (`"bad_request"`).
    Slug,
    /// What was wrong.
    Detail,
    /// `"about:blank"`, RFC 9457's problem type.
    AboutBlank,
}

/// How a problem becomes one error body: `None` for a JSON string (the
/// detail), else each property's wire name and filling.
type Body = Option<Vec<(String, Fill)>>;

/// The error bodies of a spec, each written by one generated function, and
/// per operation the statuses that use them.
pub(super) struct Shapes {
    /// Each distinct body, with the schema it was first found at.
    bodies: Vec<(Body, String)>,
    /// Per operation (in `api.operations` order): status key (a code, the
    /// first digit for a range, 0 for `default`), media type, body index.
    per_op: Vec<Vec<(u16, String, usize)>>,
}

impl Shapes {
    pub(super) fn new(api: &ir::Api) -> Self {
        let mut index: BTreeMap<Body, usize> = BTreeMap::new();
        let mut bodies = Vec::new();
        let per_op = api
            .operations
            .iter()
            .map(|op| {
                error_bodies(api, op)
                    .map(|(key, content_type, body, origin)| {
                        let i = *index.entry(body.clone()).or_insert_with(|| {
                            bodies.push((body, origin));
                            bodies.len() - 1
                        });
                        (key, content_type, i)
                    })
                    .collect()
            })
            .collect();
        Shapes { bodies, per_op }
    }

    /// The functions that write each body.
    pub(super) fn functions(&self) -> TokenStream {
        let fns = self.bodies.iter().enumerate().map(|(i, (body, origin))| {
            let name = error_body(i);
            let doc = format!(" An error as `{origin}` has it.");
            let value = match body {
                None => quote!(serde_json::Value::from(problem.detail.as_str())),
                Some(fields) => {
                    let fields = fields.iter().map(|(wire, fill)| {
                        let wire = lit(wire);
                        let value = match fill {
                            Fill::Status => quote!(problem.status.as_u16()),
                            Fill::StatusText => quote!(problem.status.as_str()),
                            Fill::Title => {
                                quote!(problem.status.canonical_reason().unwrap_or("Error"))
                            }
                            Fill::Slug => quote!(
                                problem
                                    .status
                                    .canonical_reason()
                                    .unwrap_or("error")
                                    .to_ascii_lowercase()
                                    .replace(' ', "_")
                            ),
                            Fill::Detail => quote!(problem.detail),
                            Fill::AboutBlank => quote!("about:blank"),
                        };
                        quote!(#wire: #value,)
                    });
                    quote!(serde_json::json!({ #(#fields)* }))
                }
            };
            quote! {
                #[doc = #doc]
                fn #name(problem: &Problem) -> serde_json::Value {
                    #value
                }
            }
        });
        quote!(#(#fns)*)
    }

    /// Operation `i`'s error shapes: a `const` named `name` (emitted only
    /// when there are some), and the expression that the handler passes.
    pub(super) fn of(&self, i: usize, name: &Ident) -> (Option<TokenStream>, TokenStream) {
        if self.per_op[i].is_empty() {
            return (None, quote!(&[]));
        }
        let entries = self.per_op[i].iter().map(|(key, content_type, body)| {
            let key = proc_macro2::Literal::u16_unsuffixed(*key);
            let body = error_body(*body);
            let content_type = lit(content_type);
            quote!((#key, (#content_type, #body)))
        });
        let decl = quote! {
            /// The errors the operation documents in a shape of the spec's.
            const #name: &[(u16, ErrorShape)] = &[#(#entries),*];
        };
        (Some(decl), quote!(#name))
    }
}

/// The function that writes error body `i` (`error_body_3`): positional
/// names, which `lower` keeps operations' items clear of
/// ([`crate::naming::SERVER_NUMBERED`]).
fn error_body(i: usize) -> Ident {
    super::ident(&naming::numbered(naming::ERROR_BODY, i))
}

/// The statuses the server answers with a problem within an operation
/// (the router's own 404, 405 and 413 come before any operation is known).
const RAISED: [u16; 5] = [400, 401, 406, 415, 500];

/// The operation's documented error responses that a problem can fill:
/// (status key, media type, body, the schema's origin).
fn error_bodies<'a>(
    api: &'a ir::Api,
    op: &'a Operation,
) -> impl Iterator<Item = (u16, String, Body, String)> + 'a {
    op.responses.iter().filter_map(move |r| {
        let key = match r.status {
            StatusMatch::Code(code) if RAISED.contains(&code) => code,
            StatusMatch::Range(digit) if digit >= 4 => u16::from(digit),
            StatusMatch::Default => 0,
            _ => return None,
        };
        let b = r.body().filter(|b| b.media == MediaKind::Json)?;
        let (body, origin) = fill(api, &b.ty)?;
        Some((key, b.content_type.clone(), body, origin))
    })
}

/// How a problem fills a body of type `ty`, and where that type comes from;
/// `None` if it cannot.
fn fill(api: &ir::Api, ty: &Ty) -> Option<(Body, String)> {
    match ty {
        Ty::Prim(Prim::String) => Some((None, "string".to_owned())),
        Ty::Nullable(inner) => fill(api, inner),
        Ty::Named(id) => {
            let def = &api.types[id.0];
            match &def.kind {
                TypeKind::Alias(inner) => fill(api, inner),
                TypeKind::Struct(s) => {
                    let mut fields = Vec::new();
                    for f in &s.fields {
                        match property(api, &f.wire, &f.ty) {
                            Some(fill) => fields.push((f.wire.clone(), fill)),
                            None if f.required => return None,
                            None => {}
                        }
                    }
                    // An empty object says nothing; leave such specs the problem.
                    (!fields.is_empty()).then(|| (Some(fields), def.origin.clone()))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// What fills a property named `wire` of type `ty`, if anything does.
fn property(api: &ir::Api, wire: &str, ty: &Ty) -> Option<Fill> {
    let name: String = wire
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match scalar(api, ty)? {
        Scalar::Number => matches!(
            name.as_str(),
            "code" | "status" | "statuscode" | "httpstatus" | "httpcode" | "errorcode"
        )
        .then_some(Fill::Status),
        Scalar::String => match name.as_str() {
            "message" | "detail" | "details" | "description" | "msg" | "reason" | "error"
            | "errormessage" | "errordescription" => Some(Fill::Detail),
            "title" => Some(Fill::Title),
            "code" | "errorcode" => Some(Fill::Slug),
            "status" | "statuscode" => Some(Fill::StatusText),
            "type" => Some(Fill::AboutBlank),
            _ => None,
        },
    }
}

enum Scalar {
    Number,
    String,
}

/// Whether `ty` is a plain string or number (a constrained one could refuse
/// what a problem holds).
fn scalar(api: &ir::Api, ty: &Ty) -> Option<Scalar> {
    match ty {
        Ty::Prim(Prim::String) => Some(Scalar::String),
        Ty::Prim(Prim::I32 | Prim::I64 | Prim::F32 | Prim::F64) => Some(Scalar::Number),
        Ty::Nullable(inner) => scalar(api, inner),
        Ty::Named(id) => match &api.types[id.0].kind {
            TypeKind::Alias(inner) => scalar(api, inner),
            _ => None,
        },
        _ => None,
    }
}
