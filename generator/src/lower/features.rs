//! `features.per-tag`: each tag a Cargo feature. An operation is compiled
//! when any of its tags' features is on (one without tags always is); a
//! type when any operation that reaches it is, so a client built with
//! one tag compiles that tag's operations and the types they use, and no
//! more.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::ir::{self, Feature, Gate, Operation, TypeId};
use crate::naming::Namespace;

/// The features the generated crate defines itself, which no tag's may be.
pub(crate) const CRATE_FEATURES: &[&str] =
    &["default", "client", "server", "mock", "jwt", "tls", UNUSED];

/// Gives every tag a feature, and every operation and type its gate.
/// Webhooks and callbacks stay ungated (the types they use too).
pub(super) fn per_tag(api: &mut ir::Api, raw: &Value) {
    let mut names = Namespace::reserving(CRATE_FEATURES.iter().copied());
    let mut by_tag: HashMap<String, usize> = HashMap::new();
    for op in &mut api.operations {
        let tags = raw
            .pointer(&format!("{}/tags", op.origin))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        let mut gate = BTreeSet::new();
        for tag in tags {
            let index = *by_tag.entry(tag.to_owned()).or_insert_with(|| {
                api.features.push(Feature {
                    name: names.unique(feature_name(tag)),
                    tag: Some(tag.to_owned()),
                });
                api.features.len() - 1
            });
            gate.insert(index);
        }
        op.gate = Gate(gate.into_iter().collect());
    }
    // A type's features: the union of those of the operations that reach
    // it; `None` once an ungated operation (or a webhook, a callback)
    // reaches it.
    let mut gates: Vec<Option<BTreeSet<usize>>> = vec![Some(BTreeSet::new()); api.types.len()];
    let mut reached = vec![false; api.types.len()];
    let roots = api.operations.iter().map(|op| (op, Some(&op.gate))).chain(
        api.webhooks
            .iter()
            .chain(&api.callbacks)
            .map(|op| (op, None)),
    );
    for (op, gate) in roots {
        let mut stack = Vec::new();
        each_type(op, &mut |id| stack.push(id));
        let gate = gate.filter(|g| !g.is_open());
        let mut seen = vec![false; api.types.len()];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id.0], true) {
                continue;
            }
            reached[id.0] = true;
            match (&mut gates[id.0], gate) {
                (Some(set), Some(gate)) => set.extend(gate.0.iter().copied()),
                (slot, _) => *slot = None,
            }
            super::dedup::for_each_target(&api.types[id.0].kind, &mut |t| stack.push(t));
        }
    }
    // Types no operation reaches (schemas the spec defines but does not
    // use) may refer to any others: they are compiled with every tag.
    let unused = reached.iter().any(|r| !r) && !api.features.is_empty();
    if unused {
        api.features.push(Feature {
            // Reserved: no tag's feature has it.
            name: UNUSED.to_owned(),
            tag: None,
        });
    }
    let all = unused.then(|| Gate(vec![api.features.len() - 1]));
    for ((t, gate), reached) in api.types.iter_mut().zip(gates).zip(reached) {
        match (gate, &all) {
            (Some(gate), _) if reached => t.gate = Gate(gate.into_iter().collect()),
            (Some(_), Some(all)) => t.gate = all.clone(),
            _ => {}
        }
    }
}

/// The feature of the types no operation uses.
const UNUSED: &str = "unused-schemas";

/// A tag's feature name: kebab-case ASCII (`Pet Store` → `pet-store`).
fn feature_name(tag: &str) -> String {
    let name = heck::ToKebabCase::to_kebab_case(crate::naming::asciify(tag).as_str());
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("tag-{name}")
    } else {
        name
    }
}

/// Calls `f` with every named type an operation's request and responses
/// mention.
fn each_type(op: &Operation, f: &mut impl FnMut(TypeId)) {
    for p in &op.params {
        p.ty.each_named(f);
    }
    for b in &op.bodies {
        b.ty.each_named(f);
    }
    for r in &op.responses {
        for b in &r.bodies {
            b.ty.each_named(f);
        }
        for h in &r.headers {
            h.ty.each_named(f);
        }
    }
}
