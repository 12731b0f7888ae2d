//! Stage 3: [`ir::Api`] → token streams, one module per artifact.
//!
//! Emitters only read the model: they make no diagnostics, do no IO, and
//! never build Rust source from strings (everything goes through `quote`).

mod api;
mod client;
mod mock;
mod parts;
mod server;
mod style;
mod types;
mod violations;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote};

use crate::ir::{self, Docs, Prim, Ty};

pub use parts::{MARKER, Notes, Place, Split, gated, wrap};

/// Emitter switches, resolved from [`crate::Config`].
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub server: bool,
    pub client: bool,
    /// `build.rs` only: also `mock::MockApi` (crates always have it,
    /// behind feature `mock`).
    pub mock: bool,
    /// `build.rs` only: also the JWT authenticator, `server::Jwt`, where
    /// the spec has bearer tokens (crates always have it, behind feature
    /// `jwt`).
    pub jwt: bool,
}

impl From<&crate::Config> for Options {
    fn from(c: &crate::Config) -> Self {
        Options {
            server: c.server,
            client: c.client,
            mock: c.mock,
            jwt: c.jwt,
        }
    }
}

/// `types.rs`; with `tail`, also a test that the spec's examples read as
/// their types (the crate layout has it, the one-file output not).
pub fn types(api: &ir::Api, tail: bool) -> impl Split + '_ {
    types::Module { api, tail }
}

/// `api.rs`.
pub fn api(api: &ir::Api) -> impl Split + '_ {
    api::Module { api }
}

/// `server.rs`; it reads the spec from `openapi.json` beside it, or, with
/// `inline`, holds it as a literal (the one-file output).
/// With `jwt`, `server` re-exports the JWT authenticator (the runtime's
/// `jwt`, which the crate has behind its feature `jwt`).
pub fn server(api: &ir::Api, inline: bool, jwt: bool) -> impl Split + '_ {
    server::Module::new(api, inline, jwt)
}

/// `mock.rs`.
pub fn mock(api: &ir::Api) -> impl Split + '_ {
    mock::Module { api }
}

/// `client.rs`.
pub fn client(api: &ir::Api) -> impl Split + '_ {
    client::Module::new(api)
}

/// Lints that generated code may trip on input we do not control (long
/// descriptions, many parameters, large variants). Emitted at the top of
/// every module. Behind features per tag, which helpers and imports a
/// build uses depends on the features it enables: those that go unused
/// then are allowed too.
pub(crate) fn module_allows(api: &ir::Api) -> TokenStream {
    let features = (!api.features.is_empty()).then(|| {
        quote! {
            #![allow(dead_code, unused_imports, unused_mut, unused_variables)]
        }
    });
    quote! {
        #features
        #![allow(
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items,
            clippy::tabs_in_doc_comments,
            clippy::large_enum_variant,
            clippy::too_many_arguments,
            clippy::enum_variant_names,
            clippy::result_large_err,
            clippy::type_complexity,
            clippy::disallowed_names,
            clippy::wrong_self_convention
        )]
    }
}

/// The `#[cfg(feature = ...)]` of an item behind `gate` (nothing when it
/// is always compiled).
pub(crate) fn cfg(api: &ir::Api, gate: &ir::Gate) -> TokenStream {
    let names = gate.0.iter().map(|i| api.features[*i].name.as_str());
    match gate.0.len() {
        0 => TokenStream::new(),
        1 => quote!(#[cfg(#(feature = #names)*)]),
        _ => quote!(#[cfg(any(#(feature = #names),*))]),
    }
}

/// An identifier made by [`crate::naming`] (raw where it starts with `r#`).
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// Where a type is named from: inside `types`, beside it, or inside `api`
/// (which defines the binary body type, `api::ByteStream`, itself).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Types,
    Outside,
    Api,
}

/// The Rust type of `ty`.
pub(crate) fn ty(api: &ir::Api, ty: &Ty, scope: Scope) -> TokenStream {
    match ty {
        Ty::Prim(p) => prim(*p, scope, api.times),
        Ty::Named(id) => {
            let name = ident(&api.ty(*id).name);
            match scope {
                Scope::Types => quote!(#name),
                Scope::Outside | Scope::Api => quote!(types::#name),
            }
        }
        Ty::List(inner) => {
            let inner = self::ty(api, inner, scope);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = self::ty(api, inner, scope);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Ty::Nullable(inner) => {
            let inner = self::ty(api, inner, scope);
            quote!(Option<#inner>)
        }
        Ty::Any => quote!(serde_json::Value),
    }
}

/// The Rust type of a body of `media` whose type (or whose items' type)
/// is `t`: `t`'s, or `Items<t>` or `Events<t>` for a sequence.
pub(crate) fn body_ty(api: &ir::Api, media: ir::MediaKind, t: &Ty, scope: Scope) -> TokenStream {
    let item = ty(api, t, scope);
    let api_path = match scope {
        Scope::Api => quote!(),
        Scope::Outside => quote!(api::),
        Scope::Types => quote!(super::api::),
    };
    match media {
        ir::MediaKind::Sequence(ir::Sequence::Events) => quote!(#api_path Events<#item>),
        ir::MediaKind::Sequence(_) => quote!(#api_path Items<#item>),
        _ => item,
    }
}

/// The functions that write and read one item of a sequence whose items
/// (or events' data) are of type `t`: text for events whose data is a
/// string, JSON otherwise.
pub(crate) fn item_codec(sequence: ir::Sequence, t: &Ty) -> (TokenStream, TokenStream) {
    if text_items(sequence, t) {
        (quote!(to_text), quote!(from_text))
    } else {
        (quote!(to_json), quote!(from_json))
    }
}

/// Whether the items of a sequence are text (events whose data is a
/// string), not JSON.
pub(crate) fn text_items(sequence: ir::Sequence, t: &Ty) -> bool {
    sequence == ir::Sequence::Events && *t == Ty::Prim(Prim::String)
}

/// `Some("[DONE]")` or `None`: the data that ends a body of events.
pub(crate) fn sentinel(b: &ir::ResponseBody) -> TokenStream {
    match &b.sentinel {
        Some(sentinel) => {
            let sentinel = lit(sentinel);
            quote!(Some(#sentinel))
        }
        None => quote!(None),
    }
}

/// The runtime's `Framing` of a sequence of JSON items.
pub(crate) fn framing(sequence: ir::Sequence) -> TokenStream {
    match sequence {
        ir::Sequence::Events => quote!(Framing::Events),
        ir::Sequence::Lines => quote!(Framing::Lines),
        ir::Sequence::Records => quote!(Framing::Sequence),
    }
}

/// `T`, `Box<T>`, `Option<T>` or `Option<Box<T>>` for a field or variant.
pub(crate) fn field_ty(
    api: &ir::Api,
    t: &Ty,
    required: bool,
    boxed: bool,
    scope: Scope,
) -> TokenStream {
    let (inner, nullable) = match t {
        Ty::Nullable(inner) => (&**inner, true),
        other => (other, false),
    };
    let mut tokens = ty(api, inner, scope);
    if boxed {
        tokens = quote!(Box<#tokens>);
    }
    if nullable || !required {
        tokens = quote!(Option<#tokens>);
    }
    tokens
}

fn prim(p: Prim, scope: Scope, times: ir::Times) -> TokenStream {
    use crate::config::TimeCrate;
    match p {
        Prim::String => quote!(String),
        Prim::Bool => quote!(bool),
        Prim::I32 => quote!(i32),
        Prim::I64 => quote!(i64),
        Prim::F32 => quote!(f32),
        Prim::F64 => quote!(f64),
        // Binary bodies (the only place `lower` makes bytes) stream.
        Prim::Bytes => match scope {
            Scope::Api => quote!(ByteStream),
            Scope::Outside => quote!(api::ByteStream),
            Scope::Types => quote!(super::api::ByteStream),
        },
        Prim::DateTime => match times.date_time {
            TimeCrate::Jiff => quote!(jiff::Timestamp),
            TimeCrate::Chrono | TimeCrate::String => quote!(chrono::DateTime<chrono::Utc>),
        },
        Prim::Date => match times.date {
            TimeCrate::Jiff => quote!(jiff::civil::Date),
            TimeCrate::Chrono | TimeCrate::String => quote!(chrono::NaiveDate),
        },
        Prim::Uuid => quote!(uuid::Uuid),
        Prim::File => match scope {
            Scope::Types => quote!(FilePart),
            Scope::Outside | Scope::Api => quote!(types::FilePart),
        },
        Prim::Base64 => match scope {
            Scope::Types => quote!(Base64),
            Scope::Outside | Scope::Api => quote!(types::Base64),
        },
        Prim::Int64Text => match scope {
            Scope::Types => quote!(Int64),
            Scope::Outside | Scope::Api => quote!(types::Int64),
        },
        Prim::Decimal => quote!(rust_decimal::Decimal),
    }
}

/// `#[doc]` attributes for a title, a description and a deprecation.
pub(crate) fn docs(docs: &Docs) -> TokenStream {
    let mut paragraphs: Vec<String> = Vec::new();
    if let Some(t) = docs
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        paragraphs.push(t.to_owned());
    }
    if let Some(d) = docs
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        if paragraphs.first().map(String::as_str) != Some(d) {
            paragraphs.push(d.to_owned());
        }
    }
    if docs.deprecated {
        paragraphs.push("**Deprecated.**".to_owned());
    }
    doc_lines(&paragraphs.join("\n\n"))
}

/// `#[doc]` attributes for free text: made safe for rustdoc (no doctests
/// from code blocks in the spec) and for clippy.
pub(crate) fn doc_lines(text: &str) -> TokenStream {
    // A carriage return of its own ends a line too (rustc refuses one in
    // a doc comment).
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return TokenStream::new();
    }
    let mut out = TokenStream::new();
    let mut in_fence = false;
    for line in text.lines() {
        let line = line.trim_end();
        let trimmed = line.trim_start();
        let line = if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let fence = &trimmed[..3];
            let lang = trimmed[3..].trim();
            let opening = !in_fence;
            in_fence = !in_fence;
            // A fence without a language would be compiled as a doctest.
            if opening && (lang.is_empty() || lang == "rust") {
                format!("{fence}text")
            } else {
                trimmed.to_owned()
            }
        } else if in_fence {
            line.to_owned()
        } else {
            // Indented lines would become code blocks (doctests) too.
            trimmed.to_owned()
        };
        let line = format!(" {line}");
        out.extend(quote!(#[doc = #line]));
    }
    if in_fence {
        out.extend(quote!(#[doc = " ```"]));
    }
    out
}

/// The Rust expression of a default value.
pub(crate) fn literal(api: &ir::Api, value: &ir::Literal, scope: Scope) -> TokenStream {
    match value {
        ir::Literal::String(s) => quote!(String::from(#s)),
        ir::Literal::Bool(b) => quote!(#b),
        ir::Literal::Int(i) => {
            let i = proc_macro2::Literal::i64_unsuffixed(*i);
            quote!(#i)
        }
        ir::Literal::Float(f) => {
            let f = proc_macro2::Literal::f64_unsuffixed(*f);
            quote!(#f)
        }
        ir::Literal::Variant(id, index) => {
            let def = api.ty(*id);
            let name = ident(&def.name);
            let variant = match &def.kind {
                ir::TypeKind::Enum(e) => ident(&e.variants[*index].name),
                _ => unreachable!("lower makes variant defaults of enums only"),
            };
            match scope {
                Scope::Types => quote!(#name::#variant),
                Scope::Outside | Scope::Api => quote!(types::#name::#variant),
            }
        }
        // Checked by `lower`, so made without `try_from` (the field is
        // `pub(crate)` for this).
        ir::Literal::Constrained(id, inner) => {
            let name = ident(&api.ty(*id).name);
            let inner = literal(api, inner, scope);
            match scope {
                Scope::Types => quote!(#name(#inner)),
                Scope::Outside | Scope::Api => quote!(types::#name(#inner)),
            }
        }
    }
}

/// An operation's security requirements as the `&[api::Requirement]`
/// (schemes with their scopes) that the server's and the client's
/// `authorize` read.
pub(crate) fn requirements_table(api: &ir::Api, requirements: &[ir::Requirement]) -> TokenStream {
    let table = requirements.iter().map(|r| {
        let schemes = r.0.iter().map(|(s, scopes)| {
            let variant = ident(&api.security_schemes[*s].variant);
            quote!((api::Scheme::#variant, &[#(#scopes),*]))
        });
        quote!(&[#(#schemes),*])
    });
    quote!(&[#(#table),*])
}

/// The arms of a `match` on a lower-case media type without parameters
/// (`Content-Type`), one per `(content type, value)`: exact media types,
/// then guards for `application/json`'s `+json` family and for ranges
/// (`image/*`), and the value of a `*/*` (the first), for the fallback arm.
/// The server reads request bodies by them, the client response bodies.
pub(crate) fn media_arms(
    choices: Vec<(&str, TokenStream)>,
) -> (Vec<TokenStream>, Vec<TokenStream>, Option<TokenStream>) {
    let (mut exact, mut ranges, mut any) = (Vec::new(), Vec::new(), None);
    for (content_type, arm) in choices {
        let media = crate::ir::essence(content_type);
        if media == "*/*" {
            any.get_or_insert(arm);
        } else if media == "application/json" {
            ranges.push(quote!(m if m == "application/json" || m.ends_with("+json") => #arm,));
        } else if let Some(kind) = media.strip_suffix("/*") {
            let prefix = lit(&format!("{kind}/"));
            ranges.push(quote!(m if m.starts_with(#prefix) => #arm,));
        } else {
            let m = lit(&media);
            exact.push(quote!(#m => #arm,));
        }
    }
    (exact, ranges, any)
}

/// A string literal token.
pub(crate) fn lit(s: &str) -> TokenStream {
    s.to_token_stream()
}

/// A number as an unsuffixed literal (`200`, not `200u16`): the generated
/// code lets inference give it its type.
pub(crate) fn num(n: impl Into<u64>) -> proc_macro2::Literal {
    proc_macro2::Literal::u64_unsuffixed(n.into())
}

/// A JSON value as a string literal a reviewer can read: compact when it
/// is short, else pretty-printed in a raw string (`r#"..."#`, with as many
/// `#` as the text needs), so examples are not escaped JSON on one line.
pub(crate) fn json_lit(value: &serde_json::Value) -> TokenStream {
    let compact = value.to_string();
    if compact.len() <= 60 {
        return lit(&compact);
    }
    let pretty = serde_json::to_string_pretty(value).unwrap_or(compact);
    // A raw string shows every character as itself: one that Rust would
    // escape (a control or invisible one, `\u{200b}`) stays escaped.
    let shown = |c: char| matches!(c, '\n' | '"' | '\\') || c.escape_debug().count() == 1;
    if !pretty.chars().all(shown) {
        return lit(&pretty);
    }
    let mut hashes = String::from("#");
    while pretty.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{pretty}\"{hashes}")
        .parse::<proc_macro2::Literal>()
        .map_or_else(|_| lit(&pretty), |literal| literal.to_token_stream())
}

#[cfg(test)]
mod tests {
    use super::{doc_lines, json_lit};

    #[test]
    fn a_carriage_return_ends_a_doc_line() {
        let docs = doc_lines("one\rtwo\r\nthree").to_string();
        assert!(!docs.contains('\r'), "{docs}");
        assert_eq!(docs.matches("doc").count(), 3, "{docs}");
    }

    #[test]
    fn json_literals_are_raw_only_where_every_character_shows() {
        let long = "a value long enough to be pretty-printed on lines of its own";
        let cases = [
            (serde_json::json!({"short": 1}), r#""{\"short\":1}""#),
            (serde_json::json!({ "k": long }), "r#\"{\n  \"k\": \""),
            // `clippy::invisible_characters` refuses U+200B in a raw string.
            (
                serde_json::json!({ "\u{200b}": long }),
                "\"{\\n  \\\"\\u{200b}\\\"",
            ),
        ];
        for (value, start) in cases {
            let text = json_lit(&value).to_string();
            assert!(text.starts_with(start), "{value}: {text}");
        }
    }
}
