//! Multi-file specs: `$ref`s to other files are brought into the root
//! document, once each, so that every later stage sees one document.
//!
//! Each distinct target (file and fragment) is copied once under
//! `components/x-uniapi-external/<name>` and every reference to it, from any
//! file, is rewritten to point there. References inside a copied value are
//! read relative to the file it came from, so chains and cycles across files
//! work: a target gets its name before its content is copied.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Diagnostics};

/// Where bundled values live in the root document.
pub const EXTERNAL: &str = "x-uniapi-external";

/// Whether any `$ref` of `value` leads to another file (cheap: most specs
/// have none, and then bundling is skipped).
pub fn has_external_refs(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| !r.starts_with('#'))
                {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

/// The state of one bundling run.
struct Bundler {
    /// The root document's path, normalized: references back into it stay
    /// local references.
    root: PathBuf,
    /// Files read, parsed once each (or why not), in first-read order.
    parsed: HashMap<PathBuf, Result<Value, String>>,
    /// The text of each file read, to locate diagnostics in it.
    texts: HashMap<PathBuf, String>,
    order: Vec<PathBuf>,
    /// (file, fragment) → name under EXTERNAL.
    names: HashMap<(PathBuf, String), String>,
    taken: HashSet<String>,
    /// Copies still to scan: name, value, the file it came from and its
    /// place there (a JSON pointer).
    pending: Vec<(String, Value, PathBuf, String)>,
    diagnostics: Diagnostics,
}

/// Brings the external references of `root` (read from `root_path`) into
/// it. Returns the files read; problems go to `diagnostics`.
pub fn bundle(root: &mut Value, root_path: &Path, diagnostics: &mut Diagnostics) -> Vec<PathBuf> {
    let mut bundler = Bundler {
        root: normalize(root_path),
        parsed: HashMap::new(),
        texts: HashMap::new(),
        order: Vec::new(),
        names: HashMap::new(),
        taken: HashSet::new(),
        pending: Vec::new(),
        diagnostics: Diagnostics::default(),
    };
    let root_file = bundler.root.clone();
    bundler.rewrite(root, &root_file, "");
    let mut external = Vec::new();
    while let Some((name, mut value, file, pointer)) = bundler.pending.pop() {
        bundler.rewrite(&mut value, &file, &pointer);
        external.push((name, value));
    }
    if !external.is_empty() {
        // Sorted, so the document is the same whatever the order of work.
        external.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(root) = root.as_object_mut() {
            let components = root
                .entry("components")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(components) = components.as_object_mut() {
                components.insert(
                    EXTERNAL.into(),
                    Value::Object(external.into_iter().collect()),
                );
            }
        }
    }
    diagnostics.extend(bundler.diagnostics);
    bundler.order
}

impl Bundler {
    /// Rewrites every `$ref` in `value`, which was read from `file` at
    /// `pointer`: references into other files point at their bundled
    /// copies, and local ones of a copied file at its bundled targets.
    /// Iterative.
    fn rewrite(&mut self, value: &mut Value, file: &Path, pointer: &str) {
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let in_root = file == self.root;
        // Each value with its pointer and whether its keys are names (of
        // properties, paths, ...), never keywords.
        let mut stack: Vec<(&mut Value, String, bool)> = vec![(value, pointer.to_owned(), false)];
        while let Some((value, pointer, names)) = stack.pop() {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(reference)) = map.get("$ref") {
                        let reference = reference.clone();
                        let target = match reference.split_once('#') {
                            Some(("", _)) if in_root => None,
                            Some(("", fragment)) => Some((file.to_path_buf(), fragment.to_owned())),
                            Some((path, fragment)) => Some((dir.join(path), fragment.to_owned())),
                            None => Some((dir.join(&reference), String::new())),
                        };
                        if let Some((path, fragment)) = target {
                            match self.local_ref(&path, &fragment) {
                                Ok(local) => {
                                    map.insert("$ref".into(), Value::String(local));
                                }
                                Err(message) => {
                                    let mut d = Diagnostic::error(format!("{pointer}/$ref"), format!("`$ref: {reference}`: {message}"))
                                        .with_hint("check the path, relative to the file that holds the reference");
                                    // In another file, the diagnostic is
                                    // located there (the root's own are
                                    // located by `load`).
                                    if !in_root {
                                        d.file = file.display().to_string();
                                        d.line = self
                                            .texts
                                            .get(file)
                                            .and_then(|text| super::line_of(text, &d.pointer));
                                    }
                                    self.diagnostics.push(d);
                                }
                            }
                        }
                    }
                    for (key, child) in map.iter_mut() {
                        let pointer = crate::diag::join(&pointer, key);
                        match key.as_str() {
                            _ if names => stack.push((child, pointer, false)),
                            // Values, whatever they hold.
                            "$ref" | "example" => {}
                            // Extensions that uniapi does not read (AutoRest's
                            // `x-ms-examples` refer to files of examples):
                            // their references are not followed.
                            key if key.starts_with("x-") && !key.starts_with("x-uniapi-") => {}
                            // Example Objects (or, in a 3.1 schema, a list
                            // of values): values but for their own `$ref`.
                            "examples" => {
                                let slots = child.as_object_mut().into_iter().flatten();
                                for (name, slot) in slots {
                                    if slot.get("$ref").is_some() {
                                        stack.push((
                                            slot,
                                            crate::diag::join(&pointer, name),
                                            false,
                                        ));
                                    }
                                }
                            }
                            key => stack.push((child, pointer, super::NAME_MAPS.contains(&key))),
                        }
                    }
                }
                Value::Array(items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        stack.push((item, format!("{pointer}/{i}"), false));
                    }
                }
                _ => {}
            }
        }
    }

    /// The local reference that stands for `path#fragment`, copying the
    /// target on first sight.
    fn local_ref(&mut self, path: &Path, fragment: &str) -> Result<String, String> {
        let path = normalize(path);
        if path == self.root {
            return Ok(format!("#{fragment}"));
        }
        let key = (path.clone(), fragment.to_owned());
        if let Some(name) = self.names.get(&key) {
            return Ok(format!(
                "#/components/{EXTERNAL}/{}",
                crate::diag::escape_token(name)
            ));
        }
        let fragment_pointer = super::decode_fragment(fragment).into_owned();
        let target = self
            .read(&path)?
            .pointer(&fragment_pointer)
            .ok_or_else(|| format!("`#{fragment}` is not in {}", path.display()))?
            .clone();
        let stem = fragment_pointer
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .or_else(|| path.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
            .unwrap_or_else(|| "external".into());
        let mut name = stem.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{stem}{n}");
            n += 1;
        }
        self.names.insert(key, name.clone());
        self.pending
            .push((name.clone(), target, path, fragment_pointer));
        Ok(format!(
            "#/components/{EXTERNAL}/{}",
            crate::diag::escape_token(&name)
        ))
    }

    fn read(&mut self, path: &Path) -> Result<&Value, String> {
        if !self.parsed.contains_key(path) {
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|text| {
                    let value = super::parse_value(&text)
                        .map_err(|e| format!("{}: {}", path.display(), e.message));
                    self.texts.insert(path.to_path_buf(), text);
                    value
                })
                .map(|mut value| {
                    super::normalize_schemas(&mut value);
                    value
                });
            self.parsed.insert(path.to_path_buf(), parsed);
            self.order.push(path.to_path_buf());
        }
        match &self.parsed[path] {
            Ok(value) => Ok(value),
            Err(message) => Err(message.clone()),
        }
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system (so a missing
/// file still gets one name).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
