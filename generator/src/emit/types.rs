//! `types.rs`: one Rust type per named schema.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Scope, docs, field_ty, ident, lit, literal, ty};
use crate::ir::{self, Enum, Struct, TypeDef, TypeKind, Union};
use crate::naming::unraw;

/// The whole module.
pub(super) fn emit(api: &ir::Api) -> TokenStream {
    let mut tokens = head(api);
    tokens.extend(defs(api, 0..api.types.len()));
    tokens
}

/// The types `range` of [`ir::Api::types`], for formatting in parts.
pub(super) fn defs(api: &ir::Api, range: std::ops::Range<usize>) -> TokenStream {
    api.types[range]
        .iter()
        .map(|def| type_def(api, def))
        .collect()
}

/// The module's attributes and docs, and the helpers its types share.
pub(super) fn head(api: &ir::Api) -> TokenStream {
    let allows = super::module_allows();
    let any_enum = api
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Enum(_)));
    let any_tagged = api
        .types
        .iter()
        .any(|t| matches!(&t.kind, TypeKind::Union(u) if u.tag.is_some()));
    let unknown_value = any_enum.then(|| {
        quote! {
            /// A value that is none of an enum's values.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct UnknownValue(pub String);

            impl std::fmt::Display for UnknownValue {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    write!(f, "unknown value `{}`", self.0)
                }
            }

            impl std::error::Error for UnknownValue {}
        }
    });
    let any_string_enum = api
        .types
        .iter()
        .any(|t| matches!(&t.kind, TypeKind::Enum(e) if !e.integer));
    let parse_enum = any_string_enum.then(|| {
        quote! {
            /// Parses a string enum by its serde names: one function for all
            /// of them, instead of a `match` per enum.
            fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, UnknownValue> {
                use serde::de::IntoDeserializer as _;
                T::deserialize(s.into_deserializer()).map_err(|_: serde::de::value::Error| UnknownValue(s.to_owned()))
            }
        }
    });
    let base64 = api.uses(ir::Prim::Base64).then(|| {
        quote! {
            /// Bytes that travel as base64 text (`format: byte`).
            #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
            pub struct Base64(pub Vec<u8>);

            impl serde::Serialize for Base64 {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.collect_str(self)
                }
            }

            impl<'de> serde::Deserialize<'de> for Base64 {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                    text.parse().map_err(serde::de::Error::custom)
                }
            }

            impl std::str::FromStr for Base64 {
                type Err = base64::DecodeError;

                fn from_str(s: &str) -> Result<Self, Self::Err> {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD.decode(s).map(Base64)
                }
            }

            impl std::fmt::Display for Base64 {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    use base64::Engine as _;
                    f.write_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
                }
            }
        }
    });
    let double_option = api.types.iter().any(|t| {
        matches!(&t.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| !f.required && f.default.is_none() && matches!(f.ty, ir::Ty::Nullable(_))))
    });
    let deserialize_some = double_option.then(|| {
        quote! {
            /// Reads a present field as `Some`, `null` included: with
            /// `#[serde(default)]`, an absent field stays `None`.
            fn deserialize_some<'de, T: serde::Deserialize<'de>, D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Option<T>, D::Error> {
                T::deserialize(deserializer).map(Some)
            }
        }
    });
    let tagged_helper = any_tagged.then(|| {
        quote! {
            /// Serializes a variant of a tagged union with its tag set.
            fn serialize_tagged<T: serde::Serialize, S: serde::Serializer>(
                value: &T,
                tag: &str,
                name: &str,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                use serde::Serialize as _;
                let mut value = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
                if let Some(map) = value.as_object_mut() {
                    map.insert(tag.to_owned(), serde_json::Value::String(name.to_owned()));
                }
                value.serialize(serializer)
            }
        }
    });
    quote! {
        #allows
        //! The spec's schemas as Rust types, shared by the server and the client.

        #unknown_value
        #parse_enum
        #base64
        #deserialize_some
        #tagged_helper
    }
}

fn type_def(api: &ir::Api, def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    let mut doc = docs(&def.docs);
    let origin = format!(" Schema `{}`.", def.origin);
    if doc.is_empty() {
        doc = quote!(#[doc = #origin]);
    }
    match &def.kind {
        TypeKind::Struct(s) => strukt(api, &name, doc, s),
        TypeKind::Enum(e) => enumeration(&name, doc, e),
        TypeKind::Union(u) => union(api, &name, doc, u),
        TypeKind::Alias(t) => {
            let t = ty(api, t, Scope::Types);
            quote! {
                #doc
                pub type #name = #t;
            }
        }
        TypeKind::Newtype(t) => {
            let t = ty(api, t, Scope::Types);
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
                #[serde(transparent)]
                pub struct #name(pub #t);
            }
        }
    }
}

fn strukt(api: &ir::Api, name: &proc_macro2::Ident, doc: TokenStream, s: &Struct) -> TokenStream {
    let mut defaults = Vec::new();
    let fields: Vec<TokenStream> = s
        .fields
        .iter()
        .map(|f| {
            let field = ident(&f.name);
            let doc = docs(&f.docs);
            let rename = (unraw(&f.name) != f.wire).then(|| {
                let wire = lit(&f.wire);
                quote!(#[serde(rename = #wire)])
            });
            if let Some(value) = &f.default {
                // Absent on the wire means the default, so the field is not optional.
                let t = field_ty(api, &f.ty, true, f.boxed, Scope::Types);
                let function = format_ident!("default_{}", unraw(&f.name));
                let path = lit(&format!("{name}::{function}"));
                let value = literal(api, value, Scope::Types);
                let value = if f.boxed {
                    quote!(Box::new(#value))
                } else {
                    value
                };
                defaults.push(quote! {
                    fn #function() -> #t {
                        #value
                    }
                });
                return quote! {
                    #doc
                    #rename
                    #[serde(default = #path)]
                    pub #field: #t,
                };
            }
            if !f.required && matches!(f.ty, ir::Ty::Nullable(_)) {
                // Optional and nullable: absent (`None`) is not `null`
                // (`Some(None)`), as a PATCH body needs.
                let inner = field_ty(api, &f.ty, true, f.boxed, Scope::Types);
                return quote! {
                    #doc
                    #rename
                    #[serde(default, deserialize_with = "deserialize_some", skip_serializing_if = "Option::is_none")]
                    pub #field: Option<#inner>,
                };
            }
            let t = field_ty(api, &f.ty, f.required, f.boxed, Scope::Types);
            let skip = (!f.required).then(|| quote!(#[serde(default, skip_serializing_if = "Option::is_none")]));
            quote! {
                #doc
                #rename
                #skip
                pub #field: #t,
            }
        })
        .collect();
    let additional = s.additional.as_ref().map(|t| {
        let t = ty(api, t, Scope::Types);
        quote! {
            /// Properties beyond the named ones.
            #[serde(flatten)]
            pub additional_properties: std::collections::BTreeMap<String, #t>,
        }
    });
    let defaults = (!defaults.is_empty()).then(|| {
        quote! {
            impl #name {
                #(#defaults)*
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }

        #defaults
    }
}

fn enumeration(name: &proc_macro2::Ident, doc: TokenStream, e: &Enum) -> TokenStream {
    if e.integer {
        return integer_enumeration(name, doc, e);
    }
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = lit(&v.wire);
        let vdoc = format!(" `{}`", v.wire.replace('`', "'"));
        quote! {
            #[doc = #vdoc]
            #[serde(rename = #wire)]
            #variant,
        }
    });
    let as_str = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = lit(&v.wire);
        quote!(Self::#variant => #wire,)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The value as it is on the wire.
            pub fn as_str(&self) -> &'static str {
                match self {
                    #(#as_str)*
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for #name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_enum(s)
            }
        }
    }
}

/// An integer enum: (de)serialized as its number.
fn integer_enumeration(name: &proc_macro2::Ident, doc: TokenStream, e: &Enum) -> TokenStream {
    let number = |wire: &str| {
        let value: i64 = wire.parse().unwrap_or_default();
        let abs = proc_macro2::Literal::u64_unsuffixed(value.unsigned_abs());
        if value < 0 {
            quote!(-#abs)
        } else {
            quote!(#abs)
        }
    };
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let vdoc = format!(" `{}`", v.wire);
        quote!(#[doc = #vdoc] #variant,)
    });
    let to_value = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let n = number(&v.wire);
        quote!(Self::#variant => #n,)
    });
    let from_value = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let n = number(&v.wire);
        quote!(#n => Some(Self::#variant),)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The value as it is on the wire.
            pub fn value(&self) -> i64 {
                match self {
                    #(#to_value)*
                }
            }

            /// The variant of `value`, if it is one.
            pub fn from_value(value: i64) -> Option<Self> {
                match value {
                    #(#from_value)*
                    _ => None,
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <i64 as serde::Deserialize>::deserialize(deserializer)?;
                Self::from_value(value).ok_or_else(|| serde::de::Error::custom(format!("unknown value {value}")))
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl std::str::FromStr for #name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().ok().and_then(Self::from_value).ok_or_else(|| UnknownValue(s.to_owned()))
            }
        }
    }
}

fn union(api: &ir::Api, name: &proc_macro2::Ident, doc: TokenStream, u: &Union) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let t = field_ty(api, &v.ty, true, v.boxed, Scope::Types);
        quote!(#variant(#t),)
    });
    let Some(tag) = &u.tag else {
        return quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#variants)*
            }
        };
    };
    let tag_lit = lit(tag);
    let serialize_arms = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let first = lit(v.tags.first().map(String::as_str).unwrap_or(&v.name));
        quote!(Self::#variant(value) => serialize_tagged(value, #tag_lit, #first, serializer),)
    });
    let deserialize_arms = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let tags = v.tags.iter().map(|t| lit(t));
        let inner = field_ty(api, &v.ty, true, false, Scope::Types);
        let wrap = if v.boxed {
            quote!(|v| Self::#variant(Box::new(v)))
        } else {
            quote!(Self::#variant)
        };
        quote!(#(Some(#tags))|* => <#inner as serde::Deserialize>::deserialize(value).map(#wrap),)
    });
    let all_tags = u
        .variants
        .iter()
        .flat_map(|v| v.tags.iter())
        .map(|t| lit(t));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                const TAGS: &[&str] = &[#(#all_tags),*];
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag_lit).and_then(serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#deserialize_arms)*
                    Some(other) => return Err(D::Error::unknown_variant(other, TAGS)),
                    None => return Err(D::Error::missing_field(#tag_lit)),
                }
                .map_err(D::Error::custom)
            }
        }
    }
}
