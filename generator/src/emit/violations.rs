//! The server's second look at a JSON body that did not deserialize:
//! a walk over the body as a `serde_json::Value` that lists every
//! violation (wrong types, missing properties, values outside their
//! rules, unknown enum values) with its JSON pointer, where serde stops at
//! the first. It runs only on the error path, so a good request pays
//! nothing for it; only types that request bodies reach get an impl.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::{Scope, ident, lit, prim, ty};
use crate::ir::{self, MediaKind, Prim, Ty, TypeId, TypeKind};

/// Whether any operation or webhook reads a JSON body (then the server
/// needs the walk). The impls are the crate's: the API's `server` module
/// holds those that the webhooks' receiver needs too.
pub(super) fn needed(api: &ir::Api) -> bool {
    api.role == ir::Role::Api
        && api
            .all_operations()
            .any(|op| op.bodies.iter().any(|b| b.media == MediaKind::Json))
}

/// Whether the impls name a type of module `types` (so the server's
/// module imports it): a type with an impl of its own (aliases have none),
/// or `types::Base64` and `types::FilePart`.
pub(super) fn names_types(api: &ir::Api) -> bool {
    let reach = Reach::of(api);
    reach
        .types
        .iter()
        .any(|id| !matches!(api.ty(*id).kind, TypeKind::Alias(_)))
        || reach.prims.contains(&Prim::Base64)
        || reach.prims.contains(&Prim::File)
}

/// Impls of the runtime's `Violations` for the types JSON request bodies
/// reach (the runtime has those of containers and `serde_json::Value`).
pub(super) fn emit(api: &ir::Api) -> TokenStream {
    let reach = Reach::of(api);
    let prims = reach.prims.iter().map(|p| {
        let t = prim(*p, Scope::Outside, api.times);
        quote!(impl Violations for #t { fn violations(value: &serde_json::Value, at: &mut String, out: &mut Vec<Violation>) { leaf::<Self>(value, at, out) } })
    });
    let named: Vec<TokenStream> = reach
        .types
        .iter()
        .filter_map(|id| {
            let gate = super::cfg(api, &api.ty(*id).gate);
            named_impl(api, *id).map(|i| super::gated(super::Place::Top, &gate, i))
        })
        .collect();
    let constrained = reach
        .types
        .iter()
        .any(|id| matches!(api.ty(*id).kind, TypeKind::Constrained(..)))
        .then(|| {
            quote! {
                /// A constrained newtype: its inner value's violations, else
                /// each rule the value breaks.
                fn constrained<T, I>(value: &serde_json::Value, at: &mut String, out: &mut Vec<Violation>)
                where
                    T: TryFrom<I, Error = types::Invalid>,
                    I: Violations + serde::de::DeserializeOwned,
                {
                    let before = out.len();
                    I::violations(value, at, out);
                    if out.len() > before {
                        return;
                    }
                    if let Ok(Err(invalid)) = I::deserialize(value).map(T::try_from) {
                        out.extend(invalid.0.into_iter().map(|detail| Violation { pointer: at.clone(), detail }));
                    }
                }
            }
        });
    quote! {
        #(#prims)*
        #constrained
        #(#named)*
    }
}

fn named_impl(api: &ir::Api, id: TypeId) -> Option<TokenStream> {
    let def = api.ty(id);
    let name = ident(&def.name);
    let body = match &def.kind {
        TypeKind::Struct(s) => {
            let properties = s.fields.iter().map(|f| {
                let wire = lit(&f.wire);
                // `null` is fine where the Rust type is an `Option`:
                // nullable, or optional without a default.
                let required = f.required && f.default.is_none();
                let (inner, nullable) = match &f.ty {
                    Ty::Nullable(inner) => (&**inner, true),
                    other => (other, false),
                };
                let inner = ty(api, inner, Scope::Outside);
                let t = if nullable || (!f.required && f.default.is_none()) {
                    quote!(Option<#inner>)
                } else {
                    inner
                };
                quote!(property::<#t>(object, #wire, #required, at, out);)
            });
            if s.fields.is_empty() {
                quote!(let _ = members(value, at, out);)
            } else {
                quote! {
                    let Some(object) = members(value, at, out) else {
                        return;
                    };
                    #(#properties)*
                }
            }
        }
        TypeKind::Constrained(inner, _) => {
            let inner = ty(api, inner, Scope::Outside);
            quote!(constrained::<Self, #inner>(value, at, out))
        }
        TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::Newtype(_) => {
            quote!(leaf::<Self>(value, at, out))
        }
        // The aliased type's impl serves.
        TypeKind::Alias(_) => return None,
    };
    Some(quote! {
        impl Violations for types::#name {
            fn violations(value: &serde_json::Value, at: &mut String, out: &mut Vec<Violation>) {
                #body
            }
        }
    })
}

/// The named types and primitives that a body's type reaches through
/// struct fields, aliases and containers (unions and enums are checked
/// whole, so their parts are not needed).
#[derive(Default)]
struct Reach {
    types: BTreeSet<TypeId>,
    prims: BTreeSet<Prim>,
}

impl Reach {
    /// What the JSON request bodies of `api` (and its webhooks) reach.
    fn of(api: &ir::Api) -> Self {
        let mut reach = Reach::default();
        for op in api.all_operations() {
            for body in op.bodies.iter().filter(|b| b.media == MediaKind::Json) {
                reach.ty(api, &body.ty);
            }
        }
        reach
    }

    fn ty(&mut self, api: &ir::Api, t: &Ty) {
        match t {
            Ty::Prim(p) => {
                self.prims.insert(*p);
            }
            Ty::List(inner) | Ty::Map(inner) | Ty::Nullable(inner) => self.ty(api, inner),
            Ty::Any => {}
            Ty::Named(id) => {
                if !self.types.insert(*id) {
                    return;
                }
                match &api.ty(*id).kind {
                    TypeKind::Struct(s) => {
                        for f in &s.fields {
                            self.ty(api, &f.ty);
                        }
                    }
                    TypeKind::Alias(inner) | TypeKind::Constrained(inner, _) => self.ty(api, inner),
                    TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::Newtype(_) => {}
                }
            }
        }
    }
}
