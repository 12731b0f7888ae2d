//! `types.rs`: one Rust type per named schema.

use std::ops::Range;

use proc_macro2::TokenStream;
use quote::{ToTokens as _, quote};

use super::parts::{Place, Split, gated, marker};
use super::{Scope, cfg, docs, field_ty, ident, lit, literal, ty};
use crate::ir::{self, Enum, Struct, TypeDef, TypeKind, Union};

/// `types.rs`: a head of shared helpers, then one run of the types.
pub(super) struct Module<'a> {
    pub(super) api: &'a ir::Api,
    /// With the test of the spec's examples.
    pub(super) tail: bool,
}

impl Split for Module<'_> {
    type Notes = ();

    fn runs(&self) -> Vec<(Place, usize)> {
        vec![(Place::Top, self.api.types.len())]
    }

    fn part(&self, _run: usize, units: Range<usize>, (): &mut ()) -> TokenStream {
        self.api.types[units]
            .iter()
            .map(|def| {
                gated(
                    Place::Top,
                    &cfg(self.api, &def.gate),
                    type_def(self.api, def),
                )
            })
            .collect()
    }

    fn frame(&self, (): ()) -> TokenStream {
        let head = head(self.api);
        let types = marker(0);
        let tail = self.tail.then(|| tail(self.api));
        quote!(#head #types #tail)
    }
}

/// The module's attributes and docs, and the helpers its types share.
fn head(api: &ir::Api) -> TokenStream {
    let allows = super::module_allows(api);
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
            pub use super::runtime::values::{lenient, UnknownValue};
            use super::runtime::values::unknown;
        }
    });
    let int64 = api.uses(ir::Prim::Int64Text).then(|| {
        quote! {
            pub use super::runtime::int64::Int64;
        }
    });
    let constraints = constraint_helpers(api);
    let object = api
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Struct(_)))
        .then(|| {
            quote!(
                use super::runtime::object;
            )
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
    let file_part = api.uses(ir::Prim::File).then(|| {
        quote! {
            /// A file in a `multipart/form-data` body (a `format: binary`
            /// property): its bytes, and the file name and media type its part
            /// carries. Unset, the client sends the property's name as the
            /// file name and the media type of the property's `encoding`
            /// (else `application/octet-stream`). In JSON (the mock's values)
            /// it is `{"bytes": "<base64>", "filename": .., "content_type": ..}`.
            #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
            pub struct FilePart {
                #[serde(serialize_with = "serialize_file_bytes", deserialize_with = "deserialize_file_bytes")]
                pub bytes: Vec<u8>,
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub filename: Option<String>,
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub content_type: Option<String>,
            }

            impl FilePart {
                /// A file of these bytes, without a file name or media type.
                pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
                    Self { bytes: bytes.into(), filename: None, content_type: None }
                }

                /// The same file, with this file name.
                #[must_use]
                pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
                    self.filename = Some(filename.into());
                    self
                }

                /// The same file, with this media type.
                #[must_use]
                pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
                    self.content_type = Some(content_type.into());
                    self
                }
            }

            /// A file's bytes as base64 (in JSON).
            fn serialize_file_bytes<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
                use base64::Engine as _;
                serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
            }

            fn deserialize_file_bytes<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
                use base64::Engine as _;
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .map_err(serde::de::Error::custom)
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
        #int64
        #object
        #constraints
        #base64
        #file_part
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
    if let Some(with) = &def.replaced {
        // Checked by `config`: a type.
        let with: TokenStream = with.parse().unwrap_or_default();
        return quote! {
            #doc
            pub type #name = #with;
        };
    }
    let item = kind_def(api, def, &name, doc);
    with_extras(item, &def.derives, &def.attributes)
}

/// `item` with `derives` added after its first `#[derive(...)]` (those it
/// has already left out) and `attributes` after that.
fn with_extras(item: TokenStream, derives: &[String], attributes: &[String]) -> TokenStream {
    use proc_macro2::{Delimiter, TokenTree};
    if derives.is_empty() && attributes.is_empty() {
        return item;
    }
    let mut out = Vec::new();
    let mut tokens = item.into_iter().peekable();
    let mut done = false;
    while let Some(token) = tokens.next() {
        let derive = match (&token, tokens.peek()) {
            (TokenTree::Punct(p), Some(TokenTree::Group(g)))
                if !done && p.as_char() == '#' && g.delimiter() == Delimiter::Bracket =>
            {
                let mut inner = g.stream().into_iter();
                match (inner.next(), inner.next()) {
                    (Some(TokenTree::Ident(i)), Some(TokenTree::Group(list))) if i == "derive" => {
                        Some(list.stream().to_string())
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        out.push(token);
        if let Some(existing) = derive {
            out.extend(tokens.next());
            let has: Vec<&str> = existing
                .split(',')
                .map(|d| d.rsplit("::").next().unwrap_or(d).trim())
                .collect();
            let added: Vec<TokenStream> = derives
                .iter()
                .filter(|d| !has.contains(&d.rsplit("::").next().unwrap_or(d).trim()))
                .filter_map(|d| d.parse().ok())
                .collect();
            let attributes = attributes
                .iter()
                .filter_map(|a| a.parse::<TokenStream>().ok());
            let extra = if added.is_empty() {
                quote!(#(#attributes)*)
            } else {
                quote!(#[derive(#(#added),*)] #(#attributes)*)
            };
            out.extend(extra);
            done = true;
        }
    }
    out.into_iter().collect()
}

fn kind_def(
    api: &ir::Api,
    def: &TypeDef,
    name: &proc_macro2::Ident,
    doc: TokenStream,
) -> TokenStream {
    let name = name.clone();
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
        TypeKind::Constrained(t, rules) => constrained(api, &name, doc, t, rules),
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
            if let Some(value) = &f.default {
                // Absent on the wire means the default, so the field is not optional.
                let t = field_ty(api, &f.ty, true, f.boxed, Scope::Types);
                let function = ident(&f.default_fn);
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
                    pub #field: #t,
                };
            }
            if !f.required && matches!(f.ty, ir::Ty::Nullable(_)) {
                // Optional and nullable: absent (`None`) is not `null`
                // (`Some(None)`), as a PATCH body needs.
                let inner = field_ty(api, &f.ty, true, f.boxed, Scope::Types);
                return quote! {
                    #doc
                    pub #field: Option<#inner>,
                };
            }
            let t = field_ty(api, &f.ty, f.required, f.boxed, Scope::Types);
            quote! {
                #doc
                pub #field: #t,
            }
        })
        .collect();
    let additional = s.additional.as_ref().map(|t| {
        let t = ty(api, t, Scope::Types);
        quote! {
            /// Properties beyond the named ones.
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
    let serde = serde_object(name, s);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#fields)*
            #additional
        }

        #defaults

        #serde
    }
}

/// `Serialize` and `Deserialize` for a struct, with the wire form that
/// `#[derive]` with `rename`, `skip_serializing_if = "Option::is_none"`,
/// `default` and `flatten` would give (absent optional fields `None`,
/// defaults applied, unknown properties skipped or kept in
/// `additional_properties`, a repeated one an error), in code that checks
/// about five times faster: the derives' field-identifier enum, their
/// `visit_seq` and their `?` after every field (each an exit that the
/// compiler must drop every other field on) were most of `cargo check` of
/// a large `types.rs`. What is left is one `match` on the property name
/// and one call per field into the shared `object` module.
fn serde_object(name: &proc_macro2::Ident, s: &Struct) -> TokenStream {
    // Each field is read into a local named after it, clear of the
    // function's own (`naming::READ_LOCALS`).
    let slot = |f: &ir::Field| ident(&f.local);
    let entries = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        let wire = lit(&f.wire);
        if f.required || f.default.is_some() {
            quote!(map.entry(#wire, &self.#field);)
        } else {
            quote!(map.optional(#wire, &self.#field);)
        }
    });
    let additional_entries = s.additional.as_ref().map(|_| {
        quote! {
            for (key, value) in &self.additional_properties {
                map.entry(key, value);
            }
        }
    });
    let slots = s.fields.iter().map(|f| {
        let slot = slot(f);
        quote!(let mut #slot = None;)
    });
    let arms = s.fields.iter().map(|f| {
        let slot = slot(f);
        let wire = lit(&f.wire);
        quote!(#wire => object::field(&mut map, &mut #slot, #wire),)
    });
    let (additional_slot, other, additional_field) = match &s.additional {
        Some(_) => (
            Some(quote!(let mut additional_properties = std::collections::BTreeMap::new();)),
            quote!(_ => object::other(&mut map, &mut additional_properties, key),),
            Some(quote!(additional_properties,)),
        ),
        None => (None, quote!(_ => object::skip(&mut map),), None),
    };
    // Required fields without a default must be there: one check for all.
    let required: Vec<&ir::Field> = s.fields.iter().filter(|f| must_be_present(f)).collect();
    let check = match required.as_slice() {
        [] => None,
        [f] => {
            let slot = slot(f);
            let wire = lit(&f.wire);
            Some(quote! {
                let Some(#slot) = #slot else {
                    return Err(serde::de::Error::missing_field(#wire));
                };
            })
        }
        several => {
            let slots: Vec<_> = several.iter().map(|f| slot(f)).collect();
            let wires = several.iter().map(|f| lit(&f.wire));
            Some(quote! {
                let absent = object::absent(&[#((#wires, #slots.is_none())),*]);
                let (#(Some(#slots)),*) = (#(#slots),*) else {
                    return Err(object::missing(absent));
                };
            })
        }
    };
    let values = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        let slot = slot(f);
        if f.default.is_some() {
            let function = ident(&f.default_fn);
            quote!(#field: #slot.unwrap_or_else(Self::#function),)
        } else if f.required && matches!(f.ty, ir::Ty::Nullable(_)) {
            // As serde's derive does: a required but nullable field that
            // is absent reads as `None`.
            quote!(#field: #slot.unwrap_or_default(),)
        } else if slot == field {
            quote!(#field,)
        } else {
            quote!(#field: #slot,)
        }
    });
    let expecting = lit(&format!("struct {name}"));
    let empty = s.fields.is_empty() && s.additional.is_none();
    let writer = if empty {
        quote!(let map = object::Writer::new(serializer)?;)
    } else {
        quote!(let mut map = object::Writer::new(serializer)?;)
    };
    let read_properties = if empty {
        quote! {
            while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
                object::skip(&mut map)?;
            }
        }
    } else {
        quote! {
            while let Some(key) = map.next_key::<object::Key<'de>>()? {
                let read = match key.as_str() {
                    #(#arms)*
                    #other
                };
                read?;
            }
        }
    };
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #writer
                #(#entries)*
                #additional_entries
                map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map(object::Visitor::<Self>::new())
            }
        }

        impl<'de> object::Read<'de> for #name {
            const EXPECTING: &'static str = #expecting;

            fn read<M: serde::de::MapAccess<'de>>(mut map: M) -> Result<Self, M::Error> {
                #(#slots)*
                #additional_slot
                #read_properties
                #check
                Ok(Self {
                    #(#values)*
                    #additional_field
                })
            }
        }
    }
}

/// Whether reading a struct fails without this field: required, with
/// no default, and not nullable (serde reads an absent `Option` as `None`).
fn must_be_present(f: &ir::Field) -> bool {
    f.required && f.default.is_none() && !matches!(f.ty, ir::Ty::Nullable(_))
}

/// The `object` module: what the structs' `Serialize` and `Deserialize`
/// share (each helper only where some struct uses it).
fn enumeration(name: &proc_macro2::Ident, doc: TokenStream, e: &Enum) -> TokenStream {
    if e.integer {
        return integer_enumeration(name, doc, e);
    }
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let vdoc = format!(" `{}`", v.wire.replace('`', "'"));
        quote! {
            #[doc = #vdoc]
            #variant,
        }
    });
    let wires: Vec<_> = e.variants.iter().map(|v| lit(&v.wire)).collect();
    let as_str = e.variants.iter().zip(&wires).map(|(v, wire)| {
        let variant = ident(&v.name);
        quote!(Self::#variant => #wire,)
    });
    let from_str = e.variants.iter().zip(&wires).map(|(v, wire)| {
        let variant = ident(&v.name);
        quote!(#wire => Self::#variant,)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value the spec does not list (only read by [`lenient`]).
            Unknown(String),
        }

        impl #name {
            /// The values the spec lists.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The value as it is on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(value) => value,
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

            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                Ok(match s {
                    #(#from_str)*
                    _ => return unknown(s, || Self::Unknown(s.to_owned())),
                })
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                s.parse().map_err(|_| serde::de::Error::unknown_variant(&s, Self::VALUES))
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
            /// A value the spec does not list (only read by [`lenient`]).
            Unknown(i64),
        }

        impl #name {
            /// The value as it is on the wire.
            pub fn value(&self) -> i64 {
                match self {
                    #(#to_value)*
                    Self::Unknown(value) => *value,
                }
            }

            /// The variant of `value`, if the spec lists it.
            pub fn from_value(value: i64) -> Option<Self> {
                match value {
                    #(#from_value)*
                    _ => None,
                }
            }

            fn read(value: i64) -> Result<Self, UnknownValue> {
                match Self::from_value(value) {
                    Some(known) => Ok(known),
                    None => unknown(value, || Self::Unknown(value)),
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
                Self::read(value).map_err(serde::de::Error::custom)
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl std::str::FromStr for #name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                s.trim().parse().map_err(|_| UnknownValue(s.to_owned())).and_then(Self::read)
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
    let serialize_arms = u.variants.iter().enumerate().map(|(i, v)| {
        let variant = ident(&v.name);
        // The `defaultMapping` variant reads any tag, so it writes its own.
        if u.default == Some(i) {
            return quote!(Self::#variant(value) => serde::Serialize::serialize(value, serializer),);
        }
        let first = lit(v.tags.first().map(String::as_str).unwrap_or(&v.name));
        quote!(Self::#variant(value) => serialize_tagged(value, #tag_lit, #first, serializer),)
    });
    let read = |v: &ir::UnionVariant| {
        let variant = ident(&v.name);
        let inner = field_ty(api, &v.ty, true, false, Scope::Types);
        let wrap = if v.boxed {
            quote!(|v| Self::#variant(Box::new(v)))
        } else {
            quote!(Self::#variant)
        };
        quote!(<#inner as serde::Deserialize>::deserialize(value).map(#wrap))
    };
    let deserialize_arms = u.variants.iter().map(|v| {
        let tags = v.tags.iter().map(|t| lit(t));
        let read = read(v);
        quote!(#(Some(#tags))|* => #read,)
    });
    let all_tags = u
        .variants
        .iter()
        .flat_map(|v| v.tags.iter())
        .map(|t| lit(t));
    let tags_const = u
        .default
        .is_none()
        .then(|| quote!(const TAGS: &[&str] = &[#(#all_tags),*];));
    // A missing or unknown tag: the `defaultMapping` variant, or an error.
    let otherwise = match u.default.and_then(|i| u.variants.get(i)) {
        Some(v) => {
            let read = read(v);
            quote!(_ => #read,)
        }
        None => quote! {
            Some(other) => return Err(D::Error::unknown_variant(other, TAGS)),
            None => return Err(D::Error::missing_field(#tag_lit)),
        },
    };

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
                #tags_const
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag_lit).and_then(serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#deserialize_arms)*
                    #otherwise
                }
                .map_err(D::Error::custom)
            }
        }
    }
}

/// `Invalid` and the checks that constrained newtypes share, each emitted
/// only when some type uses it.
fn constraint_helpers(api: &ir::Api) -> Option<TokenStream> {
    let rules: Vec<(&ir::Ty, &ir::Rules)> = api
        .types
        .iter()
        .filter_map(|t| match &t.kind {
            TypeKind::Constrained(ty, rules) => Some((ty, rules)),
            _ => None,
        })
        .collect();
    if rules.is_empty() {
        return None;
    }
    let any = |f: fn(&ir::Ty, &ir::Rules) -> bool| rules.iter().any(|(t, r)| f(t, r));
    let length = any(|_, r| {
        r.min_length.is_some() || r.max_length.is_some() || r.min_items.is_some() || r.max_items.is_some()
    })
    .then(|| {
        quote! {
            fn check_length(len: usize, min: Option<usize>, max: Option<usize>, unit: &str, broken: &mut Vec<String>) {
                if let Some(min) = min.filter(|min| len < *min) {
                    broken.push(format!("has {len} {unit}, fewer than the minimum of {min}"));
                }
                if let Some(max) = max.filter(|max| len > *max) {
                    broken.push(format!("has {len} {unit}, more than the maximum of {max}"));
                }
            }
        }
    });
    let range = any(|_, r| r.minimum.is_some() || r.maximum.is_some()).then(|| {
        quote! {
            /// Checks `value` against a minimum and a maximum, each
            /// `(bound, exclusive)`.
            fn check_range<T: PartialOrd + std::fmt::Display>(
                value: T,
                min: Option<(T, bool)>,
                max: Option<(T, bool)>,
                broken: &mut Vec<String>,
            ) {
                match min {
                    Some((min, true)) if value <= min => broken.push(format!("{value} is not greater than {min}")),
                    Some((min, false)) if value < min => broken.push(format!("{value} is less than the minimum of {min}")),
                    _ => {}
                }
                match max {
                    Some((max, true)) if value >= max => broken.push(format!("{value} is not less than {max}")),
                    Some((max, false)) if value > max => broken.push(format!("{value} is more than the maximum of {max}")),
                    _ => {}
                }
            }
        }
    });
    let multiple = any(|_, r| r.multiple_of.is_some()).then(|| {
        quote! {
            fn check_multiple_of(value: impl std::fmt::Display, of: impl std::fmt::Display, off: bool, broken: &mut Vec<String>) {
                if off {
                    broken.push(format!("{value} is not a multiple of {of}"));
                }
            }
        }
    });
    // Only a float value or a fractional `multipleOf` divides in floats.
    let fractional = any(|t, r| {
        let integer = matches!(t, ir::Ty::Prim(ir::Prim::I32 | ir::Prim::I64));
        r.multiple_of.is_some_and(|m| !integer || m.fract() != 0.0)
    })
    .then(|| {
        quote! {
            /// Whether a quotient is off a whole number by more than rounding error.
            fn is_fractional(quotient: f64) -> bool {
                (quotient - quotient.round()).abs() > 1e-9 * quotient.abs().max(1.0)
            }
        }
    });
    let pattern = any(|_, r| r.pattern.is_some()).then(|| {
        quote! {
            /// `regex` is `None` only if the pattern does not compile, which
            /// uniapi checked it does.
            fn check_pattern(value: &str, regex: &Option<regex::Regex>, pattern: &str, broken: &mut Vec<String>) {
                if regex.as_ref().is_some_and(|regex| !regex.is_match(value)) {
                    broken.push(format!("does not match the pattern `{pattern}`"));
                }
            }
        }
    });
    let unique = any(|_, r| r.unique_items).then(|| {
        quote! {
            fn check_unique<T: PartialEq>(items: &[T], broken: &mut Vec<String>) {
                let repeated = items.iter().enumerate().find(|(i, item)| items[..*i].contains(item));
                if let Some((i, _)) = repeated {
                    broken.push(format!("item {i} repeats an earlier item, but items must be unique"));
                }
            }
        }
    });
    Some(quote! {
        /// A value that breaks its schema's validation keywords: each
        /// broken rule, in words.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Invalid(pub Vec<String>);

        impl Invalid {
            fn check<T>(value: T, broken: Vec<String>) -> Result<T, Invalid> {
                if broken.is_empty() {
                    Ok(value)
                } else {
                    Err(Invalid(broken))
                }
            }
        }

        impl std::fmt::Display for Invalid {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0.join("; "))
            }
        }

        impl std::error::Error for Invalid {}

        #length
        #range
        #multiple
        #fractional
        #pattern
        #unique
    })
}

/// A newtype whose one constructor, `TryFrom`, checks `rules`; serde
/// reads through it too.
fn constrained(
    api: &ir::Api,
    name: &proc_macro2::Ident,
    doc: TokenStream,
    inner: &ir::Ty,
    rules: &ir::Rules,
) -> TokenStream {
    let t = ty(api, inner, Scope::Types);
    let t_lit = lit(&t.to_string().replace(' ', ""));
    let integer = matches!(inner, ir::Ty::Prim(ir::Prim::I32 | ir::Prim::I64));
    let number = |v: f64| {
        if integer && v.fract() == 0.0 {
            let v = proc_macro2::Literal::i64_unsuffixed(v as i64);
            quote!(#v)
        } else {
            let v = proc_macro2::Literal::f64_unsuffixed(v);
            quote!(#v)
        }
    };
    let opt_usize = |n: Option<u64>| match n {
        Some(n) => {
            let n = proc_macro2::Literal::usize_unsuffixed(n as usize);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let bound = |b: Option<ir::Bound>| match b {
        Some(ir::Bound { value, exclusive }) => {
            let value = number(value);
            quote!(Some((#value, #exclusive)))
        }
        None => quote!(None),
    };
    let mut checks = Vec::new();
    if rules.min_length.is_some() || rules.max_length.is_some() {
        let (min, max) = (opt_usize(rules.min_length), opt_usize(rules.max_length));
        checks.push(
            quote!(check_length(value.chars().count(), #min, #max, "characters", &mut broken);),
        );
    }
    if let Some(pattern) = &rules.pattern {
        let p = lit(pattern);
        checks.push(quote! {
            static PATTERN: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| regex::Regex::new(#p).ok());
            check_pattern(&value, &PATTERN, #p, &mut broken);
        });
    }
    if rules.minimum.is_some() || rules.maximum.is_some() {
        let (min, max) = (bound(rules.minimum), bound(rules.maximum));
        checks.push(quote!(check_range(value, #min, #max, &mut broken);));
    }
    if let Some(of) = rules.multiple_of {
        let of_lit = number(of);
        let of_f64 = proc_macro2::Literal::f64_suffixed(of);
        let off = match inner {
            _ if integer && of.fract() == 0.0 => quote!(value % #of_lit != 0),
            ir::Ty::Prim(ir::Prim::F64) => quote!(is_fractional(value / #of_f64)),
            ir::Ty::Prim(ir::Prim::F32) => quote!(is_fractional(f64::from(value) / #of_f64)),
            _ => quote!(is_fractional(value as f64 / #of_f64)),
        };
        checks.push(quote!(check_multiple_of(value, #of_lit, #off, &mut broken);));
    }
    if rules.min_items.is_some() || rules.max_items.is_some() {
        let (min, max) = (opt_usize(rules.min_items), opt_usize(rules.max_items));
        checks.push(quote!(check_length(value.len(), #min, #max, "items", &mut broken);));
    }
    if rules.unique_items {
        checks.push(quote!(check_unique(&value, &mut broken);));
    }
    let scalar = matches!(inner, ir::Ty::Prim(_)).then(|| {
        quote! {
            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    std::fmt::Display::fmt(&self.0, f)
                }
            }

            impl std::str::FromStr for #name {
                type Err = Invalid;

                fn from_str(s: &str) -> Result<Self, Invalid> {
                    let value: #t = s.parse().map_err(|e: <#t as std::str::FromStr>::Err| Invalid(vec![e.to_string()]))?;
                    Self::try_from(value)
                }
            }
        }
    });
    let derives = match inner {
        ir::Ty::Prim(ir::Prim::String) => quote!(PartialOrd,),
        ir::Ty::Prim(_) => quote!(Copy, PartialOrd,),
        _ => quote!(),
    };
    quote! {
        #doc
        #[derive(Debug, Clone, #derives PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = #t_lit)]
        pub struct #name(pub(crate) #t);

        impl #name {
            /// The value.
            pub fn into_inner(self) -> #t {
                self.0
            }
        }

        impl std::ops::Deref for #name {
            type Target = #t;

            fn deref(&self) -> &#t {
                &self.0
            }
        }

        impl TryFrom<#t> for #name {
            type Error = Invalid;

            fn try_from(value: #t) -> Result<Self, Invalid> {
                let mut broken = Vec::new();
                #(#checks)*
                Invalid::check(Self(value), broken)
            }
        }

        #scalar
    }
}

/// A test, compiled only when the crate's own tests are, that every
/// example in the spec (of a schema, or of a JSON body) reads as the type
/// it illustrates: a spec whose examples and schemas disagree, or a type
/// that uniapi got wrong, shows up there.
fn tail(api: &ir::Api) -> TokenStream {
    let read = |at: &str, t: TokenStream, value: &serde_json::Value, gate: &ir::Gate| {
        let at = lit(&format!("#{at}"));
        let json = lit(&value.to_string());
        let cfg = cfg(api, gate);
        quote!(#cfg read::<#t>(#at, #json, &mut failures);)
    };
    let mut reads = Vec::new();
    for def in &api.types {
        if let Some(example) = &def.example {
            if !matches!(def.kind, TypeKind::Alias(ir::Ty::Any)) {
                reads.push(read(
                    &def.origin,
                    ident(&def.name).into_token_stream(),
                    example,
                    &def.gate,
                ));
            }
        }
    }
    for op in &api.operations {
        let request = op.bodies.iter().map(|b| (b.media, &b.ty, &b.examples));
        let responses = op
            .responses
            .iter()
            .flat_map(|r| r.bodies.iter())
            .map(|b| (b.media, &b.ty, &b.examples));
        for (media, t, examples) in request.chain(responses) {
            let json = matches!(media, ir::MediaKind::Json | ir::MediaKind::Sequence(_));
            if !json || *t == ir::Ty::Any {
                continue;
            }
            for (at, value) in examples {
                reads.push(read(at, ty(api, t, Scope::Types), value, &op.gate));
            }
        }
    }
    if reads.is_empty() {
        return TokenStream::new();
    }
    // Behind features, every read may be left out.
    let annotation = (!api.features.is_empty()).then(|| quote!(: Vec<String>));
    quote! {
        /// Every example in the spec (that fits its schema) reads as the
        /// type it illustrates.
        #[test]
        fn spec_examples_read_as_their_types() {
            fn read<T: serde::de::DeserializeOwned>(at: &str, json: &str, failures: &mut Vec<String>) {
                if let Err(error) = serde_json::from_str::<T>(json) {
                    failures.push(format!("{at}: {error}"));
                }
            }

            let mut failures #annotation = Vec::new();
            #(#reads)*
            assert!(failures.is_empty(), "{failures:#?}");
        }
    }
}
