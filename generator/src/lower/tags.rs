//! Tags, as operations are grouped by them: each tag's label (3.2's
//! `summary`, else its name) under its parents' (3.2's `parent`), such as
//! `Pets › Cats`. `kind` (`nav`, `badge`, ...) says how a documentation
//! tool shows a tag; every kind is listed alike here.

use std::collections::HashMap;

use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::Loaded;

/// The tags the document declares: name → (label, parent), in order.
fn declared(loaded: &Loaded) -> Vec<(String, String, Option<String>)> {
    let Some(Value::Array(tags)) = loaded.raw.get("tags") else {
        return Vec::new();
    };
    tags.iter()
        .filter_map(|tag| {
            let name = tag.get("name")?.as_str()?.to_owned();
            let label = tag
                .get("summary")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(&name)
                .trim()
                .to_owned();
            let parent = tag.get("parent").and_then(Value::as_str).map(str::to_owned);
            Some((name, label, parent))
        })
        .collect()
}

/// Each declared tag's breadcrumb: its ancestors' labels and its own,
/// joined by ` › `. A parent that is not declared, or that leads back to
/// the tag, ends the chain there.
pub(super) fn breadcrumbs(loaded: &Loaded) -> HashMap<String, String> {
    let tags = declared(loaded);
    let by_name: HashMap<&str, (&str, Option<&str>)> = tags
        .iter()
        .map(|(name, label, parent)| (name.as_str(), (label.as_str(), parent.as_deref())))
        .collect();
    let mut out = HashMap::new();
    for (name, label, parent) in &tags {
        let mut crumbs = vec![label.as_str()];
        let mut seen = vec![name.as_str()];
        let mut next = parent.as_deref();
        while let Some(p) = next {
            let Some((label, parent)) = by_name.get(p).filter(|_| !seen.contains(&p)) else {
                break;
            };
            crumbs.push(label);
            seen.push(p);
            next = *parent;
        }
        crumbs.reverse();
        out.insert(name.clone(), crumbs.join(" › "));
    }
    out
}

/// Warns of a `parent` that names no declared tag, or that leads back to
/// its own tag.
pub(super) fn check(loaded: &Loaded, diags: &mut Diagnostics) {
    let tags = declared(loaded);
    let parent_of: HashMap<&str, Option<&str>> = tags
        .iter()
        .map(|(name, _, parent)| (name.as_str(), parent.as_deref()))
        .collect();
    for (i, (name, _, parent)) in tags.iter().enumerate() {
        let Some(parent) = parent else { continue };
        let pointer = format!("/tags/{i}/parent");
        if !parent_of.contains_key(parent.as_str()) {
            diags.push(
                Diagnostic::warning(pointer, format!("tag `{name}` has parent `{parent}`, which is not declared; it is shown at the top"))
                    .with_hint("declare the parent under `tags`"),
            );
            continue;
        }
        let mut next = Some(parent.as_str());
        let mut steps = 0;
        while let Some(p) = next {
            if p == name {
                diags.push(
                    Diagnostic::warning(pointer.clone(), format!("tag `{name}` is its own ancestor; the chain stops before it comes round"))
                        .with_hint("make the parents a tree"),
                );
                break;
            }
            steps += 1;
            if steps > parent_of.len() {
                break;
            }
            next = parent_of.get(p).copied().flatten();
        }
    }
}
