//! What a [`Config`] asks of `lower`: names chosen instead of those made
//! from the spec (the configuration's `[names]`, and `x-rust-name` in the
//! spec), the Rust types of formats, types replaced by the user's own,
//! derives and attributes. Each setting that names something the spec
//! does not have is reported at its place in the configuration.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::config::{Config, DecimalType, Int64Wire, RenameKind, Target, TimeCrate, UuidType};
use crate::diag::{Diagnostic, Diagnostics, join};
use crate::ir::{Prim, Ty, TypeDef, TypeKind};

/// A schema's or an operation's `x-` fields.
pub(crate) type Extensions = indexmap::IndexMap<String, Value>;

/// The extension that names a schema's type, a property's field or an
/// operation's method in the spec itself.
pub(crate) const RUST_NAME: &str = "x-rust-name";
/// The extension that names an enum's variants, one per value in order.
pub(crate) const ENUM_VARNAMES: &str = "x-enum-varnames";

pub(crate) struct Settings<'c> {
    config: &'c Config,
    /// Renames by kind and the pointer (or operationId) they name.
    renames: HashMap<(RenameKind, String), usize>,
    /// The renames used, by index in `config.renames`.
    used: RefCell<BTreeSet<usize>>,
}

impl<'c> Settings<'c> {
    pub fn new(config: &'c Config) -> Self {
        let mut renames = HashMap::new();
        for (i, rename) in config.renames.iter().enumerate() {
            let r = &rename.value;
            let key = match r.kind {
                RenameKind::Type => schema_pointer(&r.from),
                RenameKind::Operation => r.from.clone(),
                // `Schema.property`, `Schema.value`, or a pointer to the
                // property (`#/components/schemas/Pet/properties/name`).
                RenameKind::Field | RenameKind::Variant => match r.from.strip_prefix('#') {
                    // A variant's enum and value part at the last `.`.
                    Some(pointer) if r.kind == RenameKind::Variant => {
                        match pointer.rsplit_once('.') {
                            Some((pointer, value)) => format!("{pointer}#{value}"),
                            None => pointer.to_owned(),
                        }
                    }
                    Some(pointer) => pointer.to_owned(),
                    None => match r.from.split_once('.') {
                        Some((schema, member)) => {
                            let owner = schema_pointer(schema);
                            if r.kind == RenameKind::Field {
                                join(&format!("{owner}/properties"), member)
                            } else {
                                format!("{owner}#{member}")
                            }
                        }
                        None => r.from.clone(),
                    },
                },
            };
            renames.insert((r.kind, key), i);
        }
        Settings {
            config,
            renames,
            used: RefCell::new(BTreeSet::new()),
        }
    }

    fn renamed(&self, kind: RenameKind, key: &str) -> Option<&str> {
        if self.renames.is_empty() {
            return None;
        }
        let i = *self.renames.get(&(kind, key.to_owned()))?;
        self.used.borrow_mut().insert(i);
        Some(&self.config.renames[i].value.to)
    }

    /// The name chosen for the type of the schema at `pointer`.
    pub fn type_name(&self, pointer: &str, extensions: Option<&Extensions>) -> Option<String> {
        self.renamed(RenameKind::Type, pointer)
            .map(str::to_owned)
            .or_else(|| rust_name(extensions))
    }

    /// The name chosen for the method of an operation.
    pub fn operation_name(
        &self,
        id: Option<&str>,
        extensions: Option<&Extensions>,
    ) -> Option<String> {
        id.and_then(|id| self.renamed(RenameKind::Operation, id))
            .map(str::to_owned)
            .or_else(|| rust_name(extensions))
    }

    /// The name chosen for the field of the property at `pointer`.
    pub fn field_name(&self, pointer: &str, extensions: Option<&Extensions>) -> Option<String> {
        self.renamed(RenameKind::Field, pointer)
            .map(str::to_owned)
            .or_else(|| rust_name(extensions))
    }

    /// The name chosen for the variant of `value` in the enum at
    /// `pointer`: a rename, else `x-enum-varnames`'s `index`th.
    pub fn variant_name(
        &self,
        pointer: &str,
        value: &str,
        index: usize,
        extensions: Option<&Extensions>,
    ) -> Option<String> {
        self.renamed(RenameKind::Variant, &format!("{pointer}#{value}"))
            .map(str::to_owned)
            .or_else(|| {
                let names = extensions?.get(ENUM_VARNAMES)?.as_array()?;
                Some(names.get(index)?.as_str()?.to_owned())
            })
    }

    /// The Rust type of a string's `format`, as configured.
    pub fn string_format(&self, format: &str) -> Prim {
        let types = &self.config.types;
        match format {
            "date-time" if types.date_time.value != TimeCrate::String => Prim::DateTime,
            "date" if types.date.value != TimeCrate::String => Prim::Date,
            "uuid" if types.uuid.value != UuidType::String => Prim::Uuid,
            "int64" if types.int64.value == Int64Wire::String => Prim::Int64Text,
            "decimal" if types.decimal.value == DecimalType::RustDecimal => Prim::Decimal,
            "byte" => Prim::Base64,
            _ => Prim::String,
        }
    }

    /// The Rust type of an integer of `format: int64`.
    pub fn int64(&self) -> Prim {
        match self.config.types.int64.value {
            Int64Wire::Number => Prim::I64,
            Int64Wire::String => Prim::Int64Text,
        }
    }

    /// Sets each type's replacement, derives and attributes; reports the
    /// settings that name no schema, and renames never used.
    pub fn finish(&self, types: &mut [TypeDef], diags: &mut Diagnostics) {
        let by_origin: HashMap<&str, usize> = types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.origin.as_str(), i))
            .collect();
        let mut replaced = Vec::new();
        // Checked when read from a file or set by the builder; checked
        // again for a `Config` made by hand, as emitters parse them.
        let texts = self
            .config
            .types
            .replace
            .iter()
            .map(|s| crate::config::check_type(&s.value.with, &s.origin));
        let extras_texts = self.config.types.extras.iter().flat_map(|s| {
            let derives = s.value.derives.iter().map(|d| (d, true));
            let attributes = s.value.attributes.iter().map(|a| (a, false));
            derives
                .chain(attributes)
                .map(|(text, derive)| crate::config::check_extra(text, derive, &s.origin))
        });
        diags.0.extend(texts.chain(extras_texts).flatten());
        for set in &self.config.types.replace {
            match by_origin.get(schema_pointer(&set.value.schema).as_str()) {
                Some(&i) => replaced.push((i, set.value.with.clone())),
                None => diags.push(self.unmatched(&set.origin, &set.value.schema, "schema")),
            }
        }
        let mut extras: Vec<(usize, &crate::config::Extra)> = Vec::new();
        let mut all = Vec::new();
        for set in &self.config.types.extras {
            match &set.value.target {
                Target::All => all.push(&set.value),
                Target::Schema(schema) => match by_origin.get(schema_pointer(schema).as_str()) {
                    Some(&i) => extras.push((i, &set.value)),
                    None => diags.push(self.unmatched(&set.origin, schema, "schema")),
                },
            }
        }
        for (i, with) in replaced {
            types[i].replaced = Some(with);
        }
        if !all.is_empty() {
            let able = Capabilities::of(types);
            for (i, t) in types.iter_mut().enumerate() {
                if !t.takes_derives() {
                    continue;
                }
                for extra in &all {
                    let derives = extra.derives.iter().filter(|d| able.can(i, d));
                    t.derives.extend(derives.cloned());
                    t.attributes.extend(extra.attributes.iter().cloned());
                }
            }
        }
        for (i, extra) in extras {
            types[i].derives.extend(extra.derives.iter().cloned());
            types[i].attributes.extend(extra.attributes.iter().cloned());
        }
        for t in types.iter_mut() {
            let mut seen = BTreeSet::new();
            t.derives.retain(|d| seen.insert(d.clone()));
        }
        let used = self.used.borrow();
        for (i, set) in self.config.renames.iter().enumerate() {
            if !used.contains(&i) {
                let what = match set.value.kind {
                    RenameKind::Type => "schema",
                    RenameKind::Operation => "operationId",
                    RenameKind::Field => "property",
                    RenameKind::Variant => "enum value",
                };
                diags.push(self.unmatched(&set.origin, &set.value.from, what));
            }
        }
    }

    /// A setting that names nothing: an error, or a warning where a
    /// selection may have left its target out.
    fn unmatched(&self, origin: &crate::config::Origin, name: &str, what: &str) -> Diagnostic {
        let mut d = origin.error(
            format!("no {what} `{name}` in the spec"),
            match what {
                "schema" => "name a schema as `components/schemas` does, or write its JSON pointer (`#/components/schemas/Pet`)",
                "operationId" => "use an operationId as the spec writes it",
                "property" => "write `Schema.property`, the schema named as `components/schemas` does",
                _ => "write `Schema.value`, the schema named as `components/schemas` does",
            },
        );
        if !self.config.select.is_all() {
            d.severity = crate::diag::Severity::Warning;
            d.message = format!("no {what} `{name}` in the selected operations' part of the spec");
        }
        d
    }
}

/// The pointer of a schema named by its key or by `#/pointer`.
fn schema_pointer(name: &str) -> String {
    match name.strip_prefix('#') {
        Some(pointer) => pointer.to_owned(),
        None => join("/components/schemas", name),
    }
}

/// `x-rust-name` in a schema's or an operation's extensions.
fn rust_name(extensions: Option<&Extensions>) -> Option<String> {
    let name = extensions?.get(RUST_NAME)?.as_str()?.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Which of the derives that need every field to have them each type can
/// take (`Eq`, `Hash`, `PartialOrd`, `Ord`): the greatest set where every
/// type's parts have them too. Floats have only `PartialOrd`; JSON values,
/// maps, bytes and the user's own types have none of them.
struct Capabilities(Vec<[bool; 4]>);

const NEEDY: [&str; 4] = ["Eq", "Hash", "PartialOrd", "Ord"];

impl Capabilities {
    fn of(types: &[TypeDef]) -> Self {
        let mut able = vec![[true; 4]; types.len()];
        loop {
            let mut changed = false;
            for (i, t) in types.iter().enumerate() {
                for (k, _) in NEEDY.iter().enumerate() {
                    if able[i][k] && !kind_can(t, k, &able) {
                        able[i][k] = false;
                        changed = true;
                    }
                }
            }
            if !changed {
                return Capabilities(able);
            }
        }
    }

    /// Whether type `i` can take `derive` (any other derive: yes).
    fn can(&self, i: usize, derive: &str) -> bool {
        let last = derive.rsplit("::").next().unwrap_or(derive);
        match NEEDY.iter().position(|n| *n == last) {
            Some(k) => self.0[i][k],
            None => true,
        }
    }
}

fn kind_can(t: &TypeDef, k: usize, able: &[[bool; 4]]) -> bool {
    if t.replaced.is_some() {
        return false;
    }
    match &t.kind {
        TypeKind::Struct(s) => {
            s.additional.is_none() && s.fields.iter().all(|f| ty_can(&f.ty, k, able))
        }
        TypeKind::Enum(_) => true,
        TypeKind::Union(u) => u.variants.iter().all(|v| ty_can(&v.ty, k, able)),
        TypeKind::Alias(ty) | TypeKind::Newtype(ty) | TypeKind::Constrained(ty, _) => {
            ty_can(ty, k, able)
        }
    }
}

fn ty_can(ty: &Ty, k: usize, able: &[[bool; 4]]) -> bool {
    match ty {
        Ty::Prim(Prim::F32 | Prim::F64) => NEEDY[k] == "PartialOrd",
        Ty::Prim(Prim::Bytes | Prim::File | Prim::Base64) | Ty::Any | Ty::Map(_) => false,
        Ty::Prim(_) => true,
        Ty::Named(id) => able[id.0][k],
        Ty::List(inner) | Ty::Nullable(inner) => ty_can(inner, k, able),
    }
}
