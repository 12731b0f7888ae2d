//! The wire form of a parameter, shared by the server (which takes it
//! apart) and the client (which writes it): OpenAPI's style tables as
//! three strings. A value is `lead`, then its parts each after `prefix`,
//! with `sep` between them:
//!
//! | location, style | explode | array `[a, b]` | object `{k: v, l: w}` |
//! | --- | --- | --- | --- |
//! | path `simple`, header | no | `a,b` | `k,v,l,w` |
//! | path `simple`, header | yes | `a,b` | `k=v,l=w` |
//! | path `label` | no | `.a,b` | `.k,v,l,w` |
//! | path `label` | yes | `.a.b` | `.k=v.l=w` |
//! | path `matrix` | no | `;id=a,b` | `;id=k,v,l,w` |
//! | path `matrix` | yes | `;id=a;id=b` | `;k=v;l=w` |
//! | query `form`, cookie | no | `id=a,b` | `id=k,v,l,w` |
//! | query `spaceDelimited` | no | `id=a%20b` | `id=k%20v%20l%20w` |
//! | query `pipeDelimited` | no | `id=a\|b` | `id=k\|v\|l\|w` |
//! | query, Swagger 2.0 `tsv` | no | `id=a%09b` | `id=k%09v%09l%09w` |
//!
//! Query arrays with `explode` repeat the name (`id=a&id=b`), query objects
//! with `explode` are keys of their own (`k=v&l=w`), `deepObject` writes
//! `id[k]=v&id[l]=w`, and `content: application/json` the value as JSON:
//! those are handled by the emitters themselves ([`Special`]).

use crate::ir::{Location, Param, Shape, Style};

/// How the parts of one value are laid out (see the module docs).
pub(super) struct Layout {
    pub lead: String,
    pub prefix: String,
    pub sep: &'static str,
}

/// The forms that are not one string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    /// `id=a&id=b`.
    RepeatedQuery,
    /// `k=v&l=w`: the object's properties are query parameters.
    ExplodedObject,
    /// `id[k]=v`.
    DeepObject,
    /// The value as JSON text.
    Json,
}

pub(super) fn special(p: &Param) -> Option<Special> {
    let shape = p.shape();
    match (p.location, p.style, shape) {
        (_, Style::Json, _) => Some(Special::Json),
        (Location::Query, Style::DeepObject, Shape::Object) => Some(Special::DeepObject),
        (Location::Query, _, Shape::List) if p.explode => Some(Special::RepeatedQuery),
        (Location::Query, _, Shape::Object) if p.explode => Some(Special::ExplodedObject),
        _ => None,
    }
}

/// The layout of a parameter that is one string. `sep` is as the value
/// reads after percent-decoding when `decoded` (the server's view of a
/// query), else as it is on the wire.
pub(super) fn layout(p: &Param, decoded: bool) -> Layout {
    let shape = p.shape();
    let scalar = shape == Shape::Scalar;
    let object = shape == Shape::Object;
    let name = &p.wire;
    let (lead, prefix, sep) = match (p.location, p.style) {
        (Location::Path, Style::Label) if scalar || !p.explode => {
            (".".to_owned(), String::new(), ",")
        }
        (Location::Path, Style::Label) => (String::new(), ".".to_owned(), ""),
        (Location::Path, Style::Matrix) if scalar || !p.explode => {
            (format!(";{name}="), String::new(), ",")
        }
        (Location::Path, Style::Matrix) if object => (String::new(), ";".to_owned(), ""),
        (Location::Path, Style::Matrix) => (String::new(), format!(";{name}="), ""),
        (Location::Query, Style::SpaceDelimited) => (
            String::new(),
            String::new(),
            if decoded { " " } else { "%20" },
        ),
        (Location::Query, Style::PipeDelimited) => (String::new(), String::new(), "|"),
        (Location::Query, Style::TabDelimited) => (
            String::new(),
            String::new(),
            if decoded { "\t" } else { "%09" },
        ),
        _ => (String::new(), String::new(), ","),
    };
    Layout { lead, prefix, sep }
}

/// Literal text of a path template as it is on the wire: characters a
/// path segment cannot hold (`#`, `?`, spaces, `%`, non-ASCII) are
/// percent-encoded, so that a spec's `/cookies#formExploded` is a path
/// that can be requested and routed, not a fragment.
pub(super) fn encode_path_literal(text: &str) -> String {
    percent_encode(text, b"-._~!$&'()*+,;=:@/")
}

/// `text` percent-encoded as a query component (parameter names, which
/// are fixed at generation time): all but RFC 3986 unreserved characters.
pub(super) fn encode_component(text: &str) -> String {
    percent_encode(text, b"-._~")
}

/// Percent-encodes every byte but ASCII letters, digits and `keep`.
fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
