//! Merging identical hoisted types, for compile time.
//!
//! Real specs repeat the same inline schema many times: GitHub's webhook
//! payloads each spell out `user`, `repository`, `performed_via_github_app`
//! and their `permissions` inline, which hoists to thousands of types that
//! differ only in name (4,391 of GitHub's 5,853 types). Every one of them
//! costs the compiler its derives and serde impls.
//!
//! Two hoisted types (not `components/schemas` entries themselves) merge
//! when their definitions are equal once the types they mention are merged:
//! same kind, fields, wire names, docs, rules and defaults. One pass over
//! the types, each after the types it mentions (Tarjan's order), finds the
//! copies, so nested copies merge from the leaves up. The first copy in
//! document order stays; each other becomes `pub type Other = First;`, so
//! every name the spec gave rise to still exists, and every use in types
//! and operations points at the first. Types on a cycle are left as they
//! are, so the boxes that cycle breaking placed stay where they are needed.

use std::collections::HashMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::ir::{Api, Literal, Ty, TypeId, TypeKind};

/// Merges identical hoisted types of `api` (see the module docs).
pub(crate) fn merge_identical(api: &mut Api) {
    let n = api.types.len();
    let mut canon: Vec<TypeId> = (0..n).map(TypeId).collect();
    // Tarjan's algorithm lists a type's strongly connected component after
    // the components it refers to, so one pass sees every type after the
    // types it mentions have found their first copy.
    let mut graph = DiGraph::<(), ()>::with_capacity(n, n);
    for _ in 0..n {
        graph.add_node(());
    }
    for (i, def) in api.types.iter().enumerate() {
        for_each_target(&def.kind, &mut |t| {
            graph.add_edge(NodeIndex::new(i), NodeIndex::new(t.0), ());
        });
    }
    let mut first: HashMap<String, TypeId> = HashMap::new();
    for scc in tarjan_scc(&graph) {
        let [node] = scc[..] else { continue };
        let i = node.index();
        let def = &api.types[i];
        if !is_hoisted(&def.origin) || graph.contains_edge(node, node) {
            continue;
        }
        let mut kind = def.kind.clone();
        map_kind(&mut kind, &|id| canon[id.0]);
        let key = format!("{:?}\n{:?}", def.docs, kind);
        match first.get(&key) {
            Some(&target) => canon[i] = target,
            None => {
                first.insert(key, TypeId(i));
            }
        }
    }
    if canon.iter().enumerate().all(|(i, c)| c.0 == i) {
        return;
    }
    // The pass met copies in graph order; the copy that stays is the first
    // in document order, so names do not depend on how the graph is walked.
    let mut earliest: HashMap<TypeId, TypeId> = HashMap::new();
    for (i, c) in canon.iter().enumerate() {
        earliest.entry(*c).or_insert(TypeId(i));
    }
    for c in &mut canon {
        *c = earliest[c];
    }
    let to = |id: TypeId| canon[id.0];
    for (i, def) in api.types.iter_mut().enumerate() {
        if canon[i].0 == i {
            map_kind(&mut def.kind, &to);
        } else {
            def.kind = TypeKind::Alias(Ty::Named(canon[i]));
        }
    }
    for op in api
        .operations
        .iter_mut()
        .chain(&mut api.webhooks)
        .chain(&mut api.callbacks)
    {
        for p in &mut op.params {
            map_ty(&mut p.ty, &to);
            if let Some(d) = &mut p.default {
                map_literal(d, &to);
            }
        }
        for b in &mut op.bodies {
            map_ty(&mut b.ty, &to);
        }
        for r in &mut op.responses {
            for b in &mut r.bodies {
                map_ty(&mut b.ty, &to);
            }
            for h in &mut r.headers {
                map_ty(&mut h.ty, &to);
            }
        }
    }
}

/// Whether a type was hoisted from an inline schema, rather than made from
/// a `components/schemas` entry (whose name the spec chose).
fn is_hoisted(origin: &str) -> bool {
    match origin.strip_prefix("/components/schemas/") {
        Some(key) => key.contains('/'),
        None => true,
    }
}

fn map_kind(kind: &mut TypeKind, to: &impl Fn(TypeId) -> TypeId) {
    match kind {
        TypeKind::Struct(s) => {
            for f in &mut s.fields {
                map_ty(&mut f.ty, to);
                if let Some(d) = &mut f.default {
                    map_literal(d, to);
                }
            }
            if let Some(a) = &mut s.additional {
                map_ty(a, to);
            }
        }
        TypeKind::Union(u) => {
            for v in &mut u.variants {
                map_ty(&mut v.ty, to);
            }
        }
        TypeKind::Alias(t) | TypeKind::Newtype(t) | TypeKind::Constrained(t, _) => map_ty(t, to),
        TypeKind::Enum(_) => {}
    }
}

/// Calls `f` with every named type that `kind` mentions.
pub(super) fn for_each_target(kind: &TypeKind, f: &mut impl FnMut(TypeId)) {
    match kind {
        TypeKind::Struct(s) => {
            for field in &s.fields {
                field.ty.each_named(f);
            }
            if let Some(a) = &s.additional {
                a.each_named(f);
            }
        }
        TypeKind::Union(u) => {
            for v in &u.variants {
                v.ty.each_named(f);
            }
        }
        TypeKind::Alias(t) | TypeKind::Newtype(t) | TypeKind::Constrained(t, _) => t.each_named(f),
        TypeKind::Enum(_) => {}
    }
}

fn map_ty(ty: &mut Ty, to: &impl Fn(TypeId) -> TypeId) {
    match ty {
        Ty::Named(id) => *id = to(*id),
        Ty::List(inner) | Ty::Map(inner) | Ty::Nullable(inner) => map_ty(inner, to),
        Ty::Prim(_) | Ty::Any => {}
    }
}

fn map_literal(lit: &mut Literal, to: &impl Fn(TypeId) -> TypeId) {
    match lit {
        Literal::Variant(id, _) => *id = to(*id),
        Literal::Constrained(id, inner) => {
            *id = to(*id);
            map_literal(inner, to);
        }
        Literal::String(_) | Literal::Bool(_) | Literal::Int(_) | Literal::Float(_) => {}
    }
}
