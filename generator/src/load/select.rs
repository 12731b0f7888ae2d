//! A configuration's selection ([`crate::config::Select`]), applied to the
//! document before anything else reads it: operations it leaves out are
//! removed from `paths` and `webhooks`, and then every component that what
//! is kept does not reach. The rest of the pipeline sees a smaller
//! document (so a few operations of a huge spec generate in a moment),
//! and the served spec is the subset too.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

use crate::config::{Rule, Select, Set, path_matches};
use crate::diag::{Diagnostic, Diagnostics, escape_token};

/// Whether a path item's field is an operation: the fixed methods, and
/// 3.2's `query` (not yet moved aside: selection runs first).
fn is_method(field: &str) -> bool {
    super::METHOD_FIELDS.contains(&field) || field == "query"
}

/// Keeps the operations `select` chooses, and the components they reach.
/// Rules that match nothing are errors at their place in the configuration.
pub(crate) fn apply(raw: &mut Value, select: &Select) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if select.is_all() {
        return diags;
    }
    let self_uri = raw.get("$self").and_then(Value::as_str).map(str::to_owned);
    let mut matched: HashSet<usize> = HashSet::new();
    let mut kept = 0;
    let rules: Vec<(&Set<Rule>, usize)> = select
        .include
        .iter()
        .chain(&select.exclude)
        .enumerate()
        .map(|(i, r)| (r, i))
        .collect();
    // What is left out is dropped on another thread: freeing most of a
    // huge document takes as long as reading it.
    let mut dropped: Vec<Value> = Vec::new();
    for (section, is_path) in [("paths", true), ("webhooks", false)] {
        let targets: Vec<(String, Value)> = match raw.get(section).and_then(Value::as_object) {
            Some(items) => items
                .iter()
                .filter_map(|(key, item)| {
                    let target = local_path_item(item, raw.get("components"), self_uri.as_deref())?;
                    Some((key.clone(), target))
                })
                .collect(),
            None => continue,
        };
        let Some(items) = raw.get_mut(section).and_then(Value::as_object_mut) else {
            continue;
        };
        for (key, target) in targets {
            // A `$ref`'d path item: chosen from as a copy in place.
            items.insert(key, target);
        }
        // Rebuilt rather than removed from one by one, which is quadratic.
        for (key, mut item) in std::mem::take(items) {
            let Some(ops) = item.as_object_mut() else {
                items.insert(key, item);
                continue;
            };
            let path = is_path.then_some(key.as_str());
            let methods: Vec<String> = ops.keys().filter(|k| is_method(k)).cloned().collect();
            for method in methods {
                let keep = chosen(&ops[&method], path, select, &rules, &mut matched);
                if keep {
                    kept += 1;
                } else {
                    dropped.extend(ops.shift_remove(&method));
                }
            }
            if let Some(Value::Object(additional)) = ops.get_mut("additionalOperations") {
                let methods: Vec<String> = additional.keys().cloned().collect();
                for method in methods {
                    if chosen(&additional[&method], path, select, &rules, &mut matched) {
                        kept += 1;
                    } else {
                        dropped.extend(additional.shift_remove(&method));
                    }
                }
            }
            if has_operations(ops) {
                items.insert(key, item);
            } else {
                dropped.push(item);
            }
        }
    }
    for (rule, i) in &rules {
        if !matched.contains(i) {
            let (what, hint) = match &rule.value {
                Rule::Tag(tag) => (
                    format!("no operation has the tag `{tag}`"),
                    "use a tag the spec's operations list under `tags`",
                ),
                Rule::Path(pattern) => (
                    format!("the path pattern `{pattern}` matches no operation's path"),
                    "`*` stands for any text within a segment, a segment `**` for any number of segments",
                ),
                Rule::Operation(id) => (
                    format!("no operation has the operationId `{id}`"),
                    "use an operationId as the spec writes it",
                ),
            };
            diags.push(rule.origin.error(what, hint));
        }
    }
    if kept == 0 && !diags.has_errors() {
        let origin = select
            .include
            .first()
            .or(select.exclude.first())
            .map(|r| r.origin.clone())
            .unwrap_or_default();
        let mut d = Diagnostic::error("/select", "the selection leaves no operation to generate")
            .with_hint("include at least one operation, or exclude fewer");
        d.file = origin.file;
        diags.push(d);
    }
    dropped.extend(keep_reachable(raw, self_uri.as_deref()));
    std::thread::spawn(move || drop(dropped));
    diags
}

/// Whether an operation is kept, noting each rule that matches it.
fn chosen(
    op: &Value,
    path: Option<&str>,
    select: &Select,
    rules: &[(&Set<Rule>, usize)],
    matched: &mut HashSet<usize>,
) -> bool {
    let matches = |rule: &Rule| match rule {
        Rule::Tag(tag) => op
            .get("tags")
            .and_then(Value::as_array)
            .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(tag))),
        Rule::Path(pattern) => path.is_some_and(|p| path_matches(pattern, p)),
        Rule::Operation(id) => op.get("operationId").and_then(Value::as_str) == Some(id),
    };
    let mut included = select.include.is_empty();
    let mut excluded = false;
    for (rule, i) in rules {
        if matches(&rule.value) {
            matched.insert(*i);
            if *i < select.include.len() {
                included = true;
            } else {
                excluded = true;
            }
        }
    }
    included && !excluded
}

fn has_operations(item: &Map<String, Value>) -> bool {
    item.keys().any(|k| is_method(k))
        || item
            .get("additionalOperations")
            .and_then(Value::as_object)
            .is_some_and(|a| !a.is_empty())
}

/// The target of a path item that is a local `$ref` (to
/// `#/components/pathItems/...`), to choose from in place.
fn local_path_item(
    item: &Value,
    components: Option<&Value>,
    self_uri: Option<&str>,
) -> Option<Value> {
    let reference = item.get("$ref")?.as_str()?;
    let fragment = fragment(reference, self_uri)?;
    let rest = fragment.strip_prefix("/components")?;
    components?.pointer(rest).cloned()
}

/// The JSON pointer a reference names in this document, if it is local.
fn fragment<'a>(reference: &'a str, self_uri: Option<&str>) -> Option<&'a str> {
    let (base, fragment) = reference.split_once('#')?;
    (base.is_empty() || Some(base) == self_uri).then_some(fragment)
}

/// Removes every component that nothing kept reaches (security schemes
/// stay: requirements name them without a `$ref`), and returns them.
fn keep_reachable(raw: &mut Value, self_uri: Option<&str>) -> Vec<Value> {
    let mut reached: BTreeSet<(String, String)> = BTreeSet::new();
    let mut queue: Vec<(String, String)> = Vec::new();
    for (key, value) in raw.as_object().into_iter().flatten() {
        if key != "components" {
            references(value, self_uri, &mut |c| queue.push(c));
        }
    }
    let components = raw.get("components").unwrap_or(&Value::Null);
    while let Some(component) = queue.pop() {
        if !reached.insert(component.clone()) {
            continue;
        }
        let pointer = format!(
            "/{}/{}",
            escape_token(&component.0),
            escape_token(&component.1)
        );
        if let Some(target) = components.pointer(&pointer) {
            references(target, self_uri, &mut |c| queue.push(c));
        }
    }
    let mut removed = Vec::new();
    let Some(Value::Object(components)) = raw.get_mut("components") else {
        return removed;
    };
    for (kind, entries) in components.iter_mut() {
        if kind == "securitySchemes" {
            continue;
        }
        if let Value::Object(entries) = entries {
            let all = std::mem::take(entries);
            for (name, value) in all {
                if reached.contains(&(kind.clone(), name.clone())) {
                    entries.insert(name, value);
                } else {
                    removed.push(value);
                }
            }
        }
    }
    removed
}

/// Calls `found` with each component (kind, name) that `value` refers to:
/// by `$ref`, and by a discriminator's mapping (a reference or a schema's
/// name).
fn references(value: &Value, self_uri: Option<&str>, found: &mut impl FnMut((String, String))) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    if let Some(c) = fragment(reference, self_uri).and_then(component) {
                        found(c);
                    }
                }
                if let Some(Value::Object(d)) = map.get("discriminator") {
                    let mapped = d
                        .get("mapping")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(|m| m.values())
                        .chain(d.get("defaultMapping"));
                    for target in mapped.filter_map(Value::as_str) {
                        let c = if target.contains('#') {
                            fragment(target, self_uri).and_then(component)
                        } else {
                            Some(("schemas".to_owned(), target.to_owned()))
                        };
                        c.into_iter().for_each(&mut *found);
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

/// `/components/{kind}/{name}/...` → (kind, name).
fn component(pointer: &str) -> Option<(String, String)> {
    let mut tokens = pointer.strip_prefix("/components/")?.splitn(3, '/');
    let unescape = |t: &str| t.replace("~1", "/").replace("~0", "~");
    let kind = unescape(tokens.next()?);
    let name = unescape(tokens.next()?);
    Some((kind, name))
}
