//! Breaking cycles between named types, so that every type has a size.
//!
//! A struct that holds itself (directly, or through other types, outside a
//! `Vec` or map) needs a `Box` on some field. We box exactly the fields and
//! variants whose target lies in the same strongly connected component as
//! their owner: these are the edges that lie on a cycle, and no others.
//! Type aliases cannot refer to themselves at all, so aliases on a cycle of
//! aliases become newtype structs; aliases that lead only to each other,
//! with no `Vec` or map between them, have no value and become any JSON
//! value.

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::ir::{Ty, TypeDef, TypeId, TypeKind};

pub(crate) fn break_cycles(mut types: Vec<TypeDef>) -> Vec<TypeDef> {
    alias_cycles_to_newtypes(&mut types);
    let sccs = components(&types, |kind| match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .flat_map(|f| inline_targets(&f.ty))
            .collect(),
        TypeKind::Union(u) => u
            .variants
            .iter()
            .flat_map(|v| inline_targets(&v.ty))
            .collect(),
        TypeKind::Alias(ty) | TypeKind::Newtype(ty) | TypeKind::Constrained(ty, _) => {
            inline_targets(ty)
        }
        TypeKind::Enum(_) => Vec::new(),
    });
    for (i, def) in types.iter_mut().enumerate() {
        let boxed = |ty: &Ty| inline_targets(ty).iter().any(|t| on_cycle(&sccs, i, *t));
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    f.boxed = boxed(&f.ty);
                }
            }
            TypeKind::Union(u) => {
                for v in &mut u.variants {
                    v.boxed = boxed(&v.ty);
                }
            }
            _ => {}
        }
    }
    types
}

/// The strongly connected components of the graph of types whose edges
/// `edges` gives.
fn components(types: &[TypeDef], edges: impl Fn(&TypeKind) -> Vec<TypeId>) -> Sccs {
    let mut graph = DiGraph::<(), ()>::with_capacity(types.len(), types.len());
    for _ in types {
        graph.add_node(());
    }
    for (i, def) in types.iter().enumerate() {
        for target in edges(&def.kind) {
            graph.add_edge(NodeIndex::new(i), NodeIndex::new(target.0), ());
        }
    }
    let mut component = vec![0; types.len()];
    let mut size = Vec::new();
    for (c, scc) in tarjan_scc(&graph).into_iter().enumerate() {
        size.push(scc.len());
        for node in scc {
            component[node.index()] = c;
        }
    }
    Sccs { component, size }
}

/// Whether the edge `from → to` lies on a cycle: it stays inside one
/// strongly connected component that has more than one node, or it is a
/// self-edge.
fn on_cycle(sccs: &Sccs, from: usize, to: TypeId) -> bool {
    from == to.0
        || (sccs.component[from] == sccs.component[to.0] && sccs.size[sccs.component[from]] > 1)
}

struct Sccs {
    component: Vec<usize>,
    size: Vec<usize>,
}

fn alias_cycles_to_newtypes(types: &mut [TypeDef]) {
    let sccs = components(types, |kind| match kind {
        TypeKind::Alias(ty) => all_targets(ty),
        _ => Vec::new(),
    });
    let mut to_newtype = Vec::new();
    for (i, def) in types.iter().enumerate() {
        if let TypeKind::Alias(ty) = &def.kind {
            if all_targets(ty).iter().any(|t| on_cycle(&sccs, i, *t)) {
                to_newtype.push(i);
            }
        }
    }
    for i in to_newtype {
        if let TypeKind::Alias(ty) = &types[i].kind {
            types[i].kind = TypeKind::Newtype(ty.clone());
        }
    }
}

/// Aliases that lead only to each other (`A: {$ref: A}`, or `A: {$ref: B}`
/// and `B: {$ref: A}`) say nothing of a value, and no Rust type holds one
/// (`struct A(pub A)` has no size): they become any JSON value, with a
/// warning. Aliases on a cycle through a `Vec` or map are left for
/// [`break_cycles`], which makes them newtypes.
pub(crate) fn alias_loops_to_any(types: &mut [TypeDef], diags: &mut crate::diag::Diagnostics) {
    let sccs = components(types, |kind| match kind {
        TypeKind::Alias(ty) => inline_targets(ty),
        _ => Vec::new(),
    });
    for (i, def) in types.iter_mut().enumerate() {
        let looped = matches!(&def.kind, TypeKind::Alias(ty)
            if inline_targets(ty).iter().any(|t| on_cycle(&sccs, i, *t)));
        if looped {
            def.kind = TypeKind::Alias(Ty::Any);
            diags.push(
                crate::diag::Diagnostic::warning(
                    &def.origin,
                    format!(
                        "`{}` is only `$ref`s that lead back to it, with no schema between them; taken as any JSON value",
                        def.name
                    ),
                )
                .with_hint("give one of these schemas a type, so that the chain of `$ref`s ends"),
            );
        }
    }
}

/// Named types stored inline in a value of `ty` (not behind a `Vec` or map).
fn inline_targets(ty: &Ty) -> Vec<TypeId> {
    match ty {
        Ty::Named(id) => vec![*id],
        Ty::Nullable(inner) => inline_targets(inner),
        Ty::List(_) | Ty::Map(_) | Ty::Prim(_) | Ty::Any => Vec::new(),
    }
}

/// Every named type `ty` mentions.
fn all_targets(ty: &Ty) -> Vec<TypeId> {
    match ty {
        Ty::Named(id) => vec![*id],
        Ty::Nullable(inner) | Ty::List(inner) | Ty::Map(inner) => all_targets(inner),
        Ty::Prim(_) | Ty::Any => Vec::new(),
    }
}

/// Types that no finite JSON value has (a struct that requires itself,
/// directly or through other required fields) cannot be built in Rust
/// either. The required fields that lead into such a type become optional,
/// with a warning: the type can then be built, and a value that the spec
/// allows still reads.
pub(crate) fn relax_uninhabited(types: &mut [TypeDef], diags: &mut crate::diag::Diagnostics) {
    let inhabited = inhabited(types);
    let holds = |ty: &Ty| match ty {
        Ty::Named(id) => inhabited[id.0],
        _ => true,
    };
    for def in types.iter_mut() {
        if let TypeKind::Struct(s) = &mut def.kind {
            for f in &mut s.fields {
                if f.required && !holds(&f.ty) {
                    f.required = false;
                    diags.push(
                        crate::diag::Diagnostic::warning(
                            &def.origin,
                            format!(
                                "`{}` is required but leads back to `{}`: no finite value has it, so it is optional here",
                                f.wire, def.name
                            ),
                        )
                        .with_hint("make the property optional or `nullable`, or hold it in an array"),
                    );
                }
            }
        }
    }
}

/// Which types have a finite value: the least fixed point, starting from
/// none.
fn inhabited(types: &[TypeDef]) -> Vec<bool> {
    let mut yes = vec![false; types.len()];
    let holds = |ty: &Ty, yes: &[bool]| match ty {
        Ty::Named(id) => yes[id.0],
        // `null`, `[]` and `{}` are values of these whatever they hold.
        Ty::Nullable(_) | Ty::List(_) | Ty::Map(_) | Ty::Prim(_) | Ty::Any => true,
    };
    loop {
        let mut changed = false;
        for (i, def) in types.iter().enumerate() {
            if yes[i] {
                continue;
            }
            let now = match &def.kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .filter(|f| f.required && f.default.is_none())
                    .all(|f| holds(&f.ty, &yes)),
                TypeKind::Union(u) => u.variants.iter().any(|v| holds(&v.ty, &yes)),
                TypeKind::Enum(_) => true,
                TypeKind::Alias(ty) | TypeKind::Newtype(ty) | TypeKind::Constrained(ty, _) => {
                    holds(ty, &yes)
                }
            };
            if now {
                yes[i] = true;
                changed = true;
            }
        }
        if !changed {
            return yes;
        }
    }
}
