//! Writing parameters as their style says (see `emit::style`): the
//! statement that puts one parameter's value `v` into the URL, the query,
//! the headers or the cookies.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::Helper;
use crate::emit::lit;
use crate::emit::style::{Special, encode_component, layout, special};
use crate::ir::{Location, Param, Shape};

/// The statement for parameter `p`, whose value is `v` (a reference).
pub(super) fn put(p: &Param, helpers: &mut BTreeSet<Helper>) -> TokenStream {
    let encode = match p.location {
        Location::Path => {
            helpers.insert(Helper::PercentEncode);
            quote!(percent_encode)
        }
        Location::Query if p.allow_reserved => {
            helpers.insert(Helper::EncodeReserved);
            quote!(encode_reserved)
        }
        Location::Query => {
            helpers.insert(Helper::PercentEncode);
            quote!(percent_encode)
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
    // Date-times as RFC 3339, not as `Display` writes them (the helper is
    // noted where a value is written so: a date-time in JSON content or
    // an object is not).
    let dated = super::is_date_time(&p.ty);
    let text = |v: TokenStream| {
        if dated {
            quote!(date_time(#v))
        } else {
            quote!(#v.to_string())
        }
    };
    let item_parts = |helpers: &mut BTreeSet<Helper>| {
        if dated {
            helpers.insert(Helper::DateTime);
            quote!(v.iter().map(|item| #encode(&date_time(item))).collect::<Vec<_>>())
        } else {
            helpers.insert(Helper::Parts);
            quote!(parts(v, #encode))
        }
    };
    match special(p) {
        // 3.2's whole query string as JSON: the query is its text alone.
        Some(Special::Json) if p.querystring => quote!(query.push_str(&#encode(&json_text(v)?));),
        Some(Special::Json) => place(quote!(#encode(&json_text(v)?)), helpers),
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
            if dated && p.shape() == Shape::Scalar {
                helpers.insert(Helper::DateTime);
            }
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
