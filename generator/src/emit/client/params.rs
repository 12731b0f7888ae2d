//! Writing parameters as their style says (see `emit::style`): the
//! statement that puts one parameter's value `v` into the URL, the query,
//! the headers or the cookies.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::Helper;
use crate::emit::lit;
use crate::emit::style::{Special, layout, special};
use crate::ir::{Location, Param, Shape};

/// The statement for parameter `p`, whose value is `v` (a reference).
pub(super) fn put(p: &Param, helpers: &mut BTreeSet<Helper>) -> TokenStream {
    let encode = match p.location {
        Location::Path => {
            helpers.insert(Helper::EncodePath);
            quote!(encode_path)
        }
        Location::Query if p.allow_reserved => {
            helpers.insert(Helper::EncodeReserved);
            quote!(encode_reserved)
        }
        Location::Query => {
            helpers.insert(Helper::EncodeQuery);
            quote!(encode_query)
        }
        Location::Header | Location::Cookie => {
            helpers.insert(Helper::Verbatim);
            quote!(verbatim)
        }
    };
    let name = lit(&encode_component(&p.wire));
    if p.location == Location::Query {
        helpers.insert(Helper::PushQuery);
    }
    // A value that is one string, already encoded: where it goes.
    let place = |value: TokenStream, helpers: &mut BTreeSet<Helper>| match p.location {
        Location::Path => quote!(url.push_str(&#value);),
        Location::Query => quote!(push_query(&mut query, #name, &#value);),
        Location::Header => {
            helpers.insert(Helper::InsertHeader);
            let wire = lit(&p.wire.to_ascii_lowercase());
            quote!(insert_header(&mut headers, #wire, &#value)?;)
        }
        Location::Cookie => {
            helpers.insert(Helper::PushCookie);
            let wire = lit(&p.wire);
            quote!(push_cookie(&mut cookies, #wire, &#value);)
        }
    };
    // Date-times as RFC 3339, not as `Display` writes them.
    let dated = super::is_date_time(&p.ty);
    if dated {
        helpers.insert(Helper::DateTime);
    }
    let text = |v: TokenStream| {
        if dated {
            quote!(date_time(#v))
        } else {
            quote!(#v.to_string())
        }
    };
    let item_parts = |helpers: &mut BTreeSet<Helper>| {
        if dated {
            quote!(v.iter().map(|item| #encode(&date_time(item))).collect::<Vec<_>>())
        } else {
            helpers.insert(Helper::Parts);
            quote!(parts(v, #encode))
        }
    };
    match special(p) {
        Some(Special::Json) => {
            helpers.insert(Helper::EncodeJson);
            place(
                quote!(#encode(&String::from_utf8_lossy(&encode_json(v)?))),
                helpers,
            )
        }
        Some(Special::RepeatedQuery) => {
            let parts = item_parts(helpers);
            quote! {
                for part in #parts {
                    push_query(&mut query, #name, &part);
                }
            }
        }
        Some(Special::ExplodedObject) => {
            helpers.insert(Helper::ObjectPairs);
            quote! {
                for (key, value) in object_pairs(v)? {
                    push_query(&mut query, &#encode(&key), &#encode(&value));
                }
            }
        }
        Some(Special::DeepObject) => {
            helpers.insert(Helper::ObjectPairs);
            let open = lit(&format!("{}[", encode_component(&p.wire)));
            quote! {
                for (key, value) in object_pairs(v)? {
                    push_query(&mut query, &format!("{}{}]", #open, #encode(&key)), &#encode(&value));
                }
            }
        }
        None => {
            let l = layout(p, false);
            let (lead, prefix, sep) = (lit(&l.lead), lit(&l.prefix), lit(l.sep));
            let scalar = text(quote!(v));
            let value = match p.shape() {
                Shape::Scalar if l.lead.is_empty() => quote!(#encode(&#scalar)),
                Shape::Scalar => quote!(format!("{}{}", #lead, #encode(&#scalar))),
                Shape::List => {
                    helpers.insert(Helper::Styled);
                    let parts = item_parts(helpers);
                    quote!(styled(&#parts, #lead, #prefix, #sep))
                }
                Shape::Object => {
                    helpers.extend([Helper::ObjectPairs, Helper::ObjectParts, Helper::Styled]);
                    let explode = p.explode;
                    quote!(styled(&object_parts(object_pairs(v)?, #explode, #encode), #lead, #prefix, #sep))
                }
            };
            place(value, helpers)
        }
    }
}

/// The helpers above, each emitted once when some parameter uses it.
pub(super) fn helper(h: Helper) -> Option<TokenStream> {
    Some(match h {
        Helper::EncodePath => quote! {
            /// Characters kept as they are in a path segment (RFC 3986 unreserved).
            const UNRESERVED: &percent_encoding::AsciiSet =
                &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

            /// A path parameter's text, percent-encoded so that it stays one segment.
            fn encode_path(value: &str) -> String {
                percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
            }
        },
        Helper::EncodeQuery => quote! {
            /// A query name or value, percent-encoded (all but RFC 3986 unreserved).
            fn encode_query(value: &str) -> String {
                const UNRESERVED: &percent_encoding::AsciiSet =
                    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
                percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
            }
        },
        Helper::EncodeReserved => quote! {
            /// A query value with `allowReserved`: RFC 3986 reserved characters
            /// stay as they are, except `&` and `#`, which would end it.
            fn encode_reserved(value: &str) -> String {
                const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                    .remove(b'-').remove(b'.').remove(b'_').remove(b'~')
                    .remove(b':').remove(b'/').remove(b'?').remove(b'[').remove(b']').remove(b'@')
                    .remove(b'!').remove(b'$').remove(b'\'').remove(b'(').remove(b')')
                    .remove(b'*').remove(b'+').remove(b',').remove(b';').remove(b'=');
                percent_encoding::utf8_percent_encode(value, KEEP).to_string()
            }
        },
        Helper::Verbatim => quote! {
            /// Header and cookie values go as they are.
            fn verbatim(value: &str) -> String {
                value.to_owned()
            }
        },
        Helper::PushQuery => quote! {
            /// Appends `name=value` (both encoded already) to a query string.
            fn push_query(query: &mut String, name: &str, value: &str) {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(name);
                query.push('=');
                query.push_str(value);
            }
        },
        Helper::Parts => quote! {
            /// The items of an array parameter, each encoded.
            fn parts<T: std::fmt::Display>(items: &[T], encode: fn(&str) -> String) -> Vec<String> {
                items.iter().map(|item| encode(&item.to_string())).collect()
            }
        },
        Helper::ObjectPairs => quote! {
            /// An object parameter's properties as text, in field order
            /// (unset ones left out), as a form body would hold them.
            fn object_pairs<T: serde::Serialize>(value: &T) -> Result<Vec<(String, String)>, api::Error> {
                let form = serde_urlencoded::to_string(value).map_err(|e| api::Error::Encode(e.to_string()))?;
                serde_urlencoded::from_str(&form).map_err(|e| api::Error::Encode(e.to_string()))
            }
        },
        Helper::ObjectParts => quote! {
            /// An object's properties as parts: `k=v` each (`explode`), or
            /// `k`, `v` in turn; keys and values encoded.
            fn object_parts(pairs: Vec<(String, String)>, explode: bool, encode: fn(&str) -> String) -> Vec<String> {
                if explode {
                    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect()
                } else {
                    pairs.iter().flat_map(|(k, v)| [encode(k), encode(v)]).collect()
                }
            }
        },
        Helper::Styled => quote! {
            /// Parts laid out as a style says: `lead`, then each part after
            /// `prefix`, with `sep` between them.
            fn styled(parts: &[String], lead: &str, prefix: &str, sep: &str) -> String {
                let mut out = String::from(lead);
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    out.push_str(prefix);
                    out.push_str(part);
                }
                out
            }
        },
        _ => return None,
    })
}

/// `text` percent-encoded as a query component, at generation time (for
/// parameter names, which are fixed).
pub(super) fn encode_component(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
