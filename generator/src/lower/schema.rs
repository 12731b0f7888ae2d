//! Schemas → named types and the types of their uses.
//!
//! Every named type is keyed by the JSON pointer of the schema it came from,
//! so a `$ref` to any place in the document resolves to one type, and cycles
//! meet the placeholder of a type already being made.

use std::collections::{HashMap, HashSet};

use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics, join};
use crate::ir::{
    Bound, Docs, Enum, EnumVariant, Field, Literal, OneWay, Prim, Rules, Struct, Ty, TypeDef,
    TypeId, TypeKind, Union, UnionVariant,
};
use crate::naming::{self, Namespace};

use super::settings::Settings;

/// Deeper than this, a schema is taken as `serde_json::Value`.
const MAX_DEPTH: usize = 64;

/// A schema as found in the document: a reference or the schema itself.
#[derive(Clone, Copy)]
pub(crate) enum SchemaRef<'a> {
    Ref(&'a str),
    Inline(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

/// A property: its name, its schema, and the pointer of the object schema
/// whose `properties` hold it.
type Prop<'a> = (&'a str, SchemaRef<'a>, &'a str);

pub(crate) struct Schemas<'a> {
    raw: &'a Value,
    /// Placeholders (`None`) while a type is being made.
    types: Vec<Option<TypeDef>>,
    /// The name of every type, set when it is reserved (so a type still
    /// being made, on a cycle, has its name already).
    type_names: Vec<String>,
    by_pointer: HashMap<String, TypeId>,
    /// Named types whose schema allows `null`: their uses become `Option`.
    nullable: HashSet<TypeId>,
    /// Pointers of the structs whose schema says `additionalProperties:
    /// false` (those without it allow any, [`Schemas::open`]).
    closed: HashSet<String>,
    /// Parsed schemas of `$ref` targets outside `components/schemas`.
    parsed: HashMap<String, Option<Schema>>,
    pub names: Namespace,
    pub diags: &'a mut Diagnostics,
    pub settings: &'a Settings<'a>,
    depth: usize,
}

impl<'a> Schemas<'a> {
    pub fn new(raw: &'a Value, diags: &'a mut Diagnostics, settings: &'a Settings<'a>) -> Self {
        let mut names = Namespace::reserving(
            naming::PRELUDE_TYPES
                .iter()
                .chain(naming::TYPES_NAMES)
                .copied(),
        );
        if settings.int64() == Prim::Int64Text {
            names.reserve([naming::INT64_TEXT]);
        }
        Schemas {
            raw,
            types: Vec::new(),
            type_names: Vec::new(),
            by_pointer: HashMap::new(),
            nullable: HashSet::new(),
            closed: HashSet::new(),
            parsed: HashMap::new(),
            names,
            diags,
            settings,
            depth: 0,
        }
    }

    /// Names every component schema first (in document order, so names are
    /// stable), then makes their types.
    pub fn components(&mut self, schemas: &'a indexmap::IndexMap<String, ReferenceOr<Schema>>) {
        let mut ids = Vec::new();
        for (key, schema) in schemas {
            let pointer = join("/components/schemas", key);
            let extensions = match schema {
                ReferenceOr::Item(s) => Some(&s.schema_data.extensions),
                ReferenceOr::Reference { .. } => None,
            };
            let chosen = self.settings.type_name(&pointer, extensions);
            let name = self
                .names
                .unique(naming::schema_type_name(chosen.as_deref().unwrap_or(key)));
            ids.push(self.reserve(pointer, name));
        }
        for ((key, schema), (id, name)) in schemas.iter().zip(ids) {
            let pointer = join("/components/schemas", key);
            self.fill(id, name, SchemaRef::from(schema), &pointer);
        }
    }

    /// The finished types, with cycles broken.
    pub fn finish(self) -> Vec<TypeDef> {
        let mut types: Vec<TypeDef> = self
            .types
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                t.unwrap_or_else(|| {
                    TypeDef::new(
                        format!("Unresolved{i}"),
                        String::new(),
                        Docs::default(),
                        TypeKind::Alias(Ty::Any),
                    )
                })
            })
            .map(|mut t| {
                let schema = self.raw.pointer(&t.origin);
                t.example = schema.and_then(|s| {
                    s.get("example")
                        .or_else(|| s.get("examples").and_then(|e| e.get(0)))
                        .cloned()
                });
                t
            })
            .collect();
        super::cycles::alias_loops_to_any(&mut types, self.diags);
        super::cycles::relax_uninhabited(&mut types, self.diags);
        super::cycles::break_cycles(types)
    }

    fn reserve(&mut self, pointer: String, name: String) -> (TypeId, String) {
        let id = TypeId(self.types.len());
        self.types.push(None);
        self.type_names.push(name.clone());
        self.by_pointer.insert(pointer, id);
        (id, name)
    }

    /// Makes the type `id` from `schema`.
    fn fill(&mut self, id: TypeId, name: String, schema: SchemaRef<'_>, pointer: &str) {
        let (docs, kind, nullable) = match schema {
            SchemaRef::Ref(r) => (
                Docs::default(),
                TypeKind::Alias(self.reference(r, pointer)),
                false,
            ),
            SchemaRef::Inline(s) => {
                let kind = self.kind(s, pointer, &name);
                (docs_of(s), kind, s.schema_data.nullable)
            }
        };
        if nullable {
            self.nullable.insert(id);
        }
        self.types[id.0] = Some(TypeDef::new(name, pointer.to_owned(), docs, kind));
    }

    /// The type of a use of `schema` at `pointer`; inline schemas that need a
    /// named type get one named from `hint`.
    pub fn ty(&mut self, schema: SchemaRef<'_>, pointer: &str, hint: &str) -> Ty {
        match schema {
            SchemaRef::Ref(r) => self.reference(r, pointer),
            SchemaRef::Inline(s) => {
                if self.depth >= MAX_DEPTH {
                    self.diags.push(
                        Diagnostic::warning(
                            pointer,
                            "schema nested too deeply; taken as any JSON value",
                        )
                        .with_hint("move inner schemas to `components/schemas`"),
                    );
                    return Ty::Any;
                }
                self.depth += 1;
                let ty = self.inline(s, pointer, hint);
                self.depth -= 1;
                if s.schema_data.nullable && !matches!(ty, Ty::Nullable(_) | Ty::Any) {
                    Ty::Nullable(Box::new(ty))
                } else {
                    ty
                }
            }
        }
    }

    fn reference(&mut self, reference: &str, pointer: &str) -> Ty {
        let Some(target) = reference.strip_prefix('#') else {
            self.diags.push(
                Diagnostic::warning(pointer, format!("reference to another file `{reference}` is not followed yet; taken as any JSON value"))
                    .with_hint("bundle the spec into one file (for example with `redocly bundle`)"),
            );
            return Ty::Any;
        };
        let target = &*crate::load::decode_fragment(target);
        let id = match self.by_pointer.get(target) {
            Some(id) => *id,
            None => match self.schema_at(target) {
                Some(schema) => {
                    let last = target
                        .rsplit('/')
                        .next()
                        .unwrap_or("Type")
                        .replace("~1", "/")
                        .replace("~0", "~");
                    let name = self.names.unique(naming::schema_type_name(&last));
                    let (id, name) = self.reserve(target.to_owned(), name);
                    self.fill(id, name, SchemaRef::Inline(&schema), target);
                    id
                }
                // Something is there, but not a schema: degrade, and say so.
                None if self.raw.pointer(target).is_some() => {
                    self.diags.push(
                        Diagnostic::warning(
                            pointer,
                            format!("`$ref: {reference}` points at something that is not a schema; taken as any JSON value"),
                        )
                        .with_hint("point it at a schema, for example an entry of `components/schemas`"),
                    );
                    return Ty::Any;
                }
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            pointer,
                            format!("`$ref: {reference}` does not point at a schema"),
                        )
                        .with_hint("point it at an entry of `components/schemas`"),
                    );
                    return Ty::Any;
                }
            },
        };
        if self.nullable.contains(&id) {
            Ty::Nullable(Box::new(Ty::Named(id)))
        } else {
            Ty::Named(id)
        }
    }

    fn schema_at(&mut self, pointer: &str) -> Option<Schema> {
        if let Some(s) = self.parsed.get(pointer) {
            return s.clone();
        }
        let schema = self
            .raw
            .pointer(pointer)
            .and_then(|v| serde_json::from_value::<Schema>(v.clone()).ok());
        self.parsed.insert(pointer.to_owned(), schema.clone());
        schema
    }

    fn hoist(&mut self, schema: &Schema, pointer: &str, hint: &str) -> Ty {
        if let Some(id) = self.by_pointer.get(pointer) {
            return Ty::Named(*id);
        }
        let name = self.names.unique(naming::type_name(hint, "Type"));
        let (id, name) = self.reserve(pointer.to_owned(), name);
        let kind = self.kind(schema, pointer, &name);
        self.types[id.0] = Some(TypeDef::new(
            name,
            pointer.to_owned(),
            docs_of(schema),
            kind,
        ));
        Ty::Named(id)
    }

    /// The type of an inline schema (without its `nullable`).
    fn inline(&mut self, schema: &Schema, pointer: &str, hint: &str) -> Ty {
        if rules_of(schema).is_empty() {
            self.plain(schema, pointer, hint)
        } else {
            self.hoist(schema, pointer, hint)
        }
    }

    /// The type of an inline schema, its validation keywords left out.
    fn plain(&mut self, schema: &Schema, pointer: &str, hint: &str) -> Ty {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                if s.enumeration.iter().any(Option::is_some) {
                    self.hoist(schema, pointer, hint)
                } else {
                    let format = match &s.format {
                        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => "date-time",
                        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => "date",
                        VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => "byte",
                        VariantOrUnknownOrEmpty::Unknown(f) => f.as_str(),
                        _ => "",
                    };
                    Ty::Prim(self.settings.string_format(format))
                }
            }
            SchemaKind::Type(Type::Integer(i)) if i.enumeration.iter().any(Option::is_some) => {
                self.hoist(schema, pointer, hint)
            }
            SchemaKind::Type(Type::Integer(i)) => Ty::Prim(match &i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => Prim::I32,
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) => self.settings.int64(),
                _ => Prim::I64,
            }),
            SchemaKind::Type(Type::Number(n)) => Ty::Prim(match &n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => Prim::F32,
                _ => Prim::F64,
            }),
            SchemaKind::Type(Type::Boolean(_)) => Ty::Prim(Prim::Bool),
            SchemaKind::Type(Type::Array(a)) => {
                self.list(a.items.as_ref().map(SchemaRef::from), pointer, hint)
            }
            SchemaKind::Type(Type::Object(o)) => {
                if o.properties.is_empty() {
                    self.map(o.additional_properties.as_ref(), pointer, hint)
                } else {
                    self.hoist(schema, pointer, hint)
                }
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => self.ty(
                SchemaRef::from(&all_of[0]),
                &format!("{pointer}/allOf/0"),
                hint,
            ),
            SchemaKind::OneOf { one_of: parts } | SchemaKind::AnyOf { any_of: parts }
                if parts.len() == 1 =>
            {
                let key = if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) {
                    "oneOf"
                } else {
                    "anyOf"
                };
                self.ty(
                    SchemaRef::from(&parts[0]),
                    &format!("{pointer}/{key}/0"),
                    hint,
                )
            }
            SchemaKind::AllOf { .. } | SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                self.hoist(schema, pointer, hint)
            }
            SchemaKind::Not { .. } => Ty::Any,
            SchemaKind::Any(any) => self.inline_any(schema, any, pointer, hint),
        }
    }

    /// Schemas that `openapiv3` could not place under one `type`.
    fn inline_any(&mut self, schema: &Schema, any: &AnySchema, pointer: &str, hint: &str) -> Ty {
        if !any.properties.is_empty()
            || !any.all_of.is_empty()
            || !any.one_of.is_empty()
            || !any.any_of.is_empty()
        {
            return self.hoist(schema, pointer, hint);
        }
        match any.typ.as_deref() {
            Some("string") if any.enumeration.iter().any(Value::is_string) => {
                self.hoist(schema, pointer, hint)
            }
            Some("string") => Ty::Prim(
                self.settings
                    .string_format(any.format.as_deref().unwrap_or("")),
            ),
            Some("integer") => Ty::Prim(match any.format.as_deref() {
                Some("int32") => Prim::I32,
                Some("int64") => self.settings.int64(),
                _ => Prim::I64,
            }),
            Some("number") => Ty::Prim(if any.format.as_deref() == Some("float") {
                Prim::F32
            } else {
                Prim::F64
            }),
            Some("boolean") => Ty::Prim(Prim::Bool),
            Some("array") => self.list(any.items.as_ref().map(SchemaRef::from), pointer, hint),
            Some("object") => self.map(any.additional_properties.as_ref(), pointer, hint),
            None if any.items.is_some() => {
                self.list(any.items.as_ref().map(SchemaRef::from), pointer, hint)
            }
            None if any.additional_properties.is_some() => {
                self.map(any.additional_properties.as_ref(), pointer, hint)
            }
            None if !any.enumeration.is_empty() && any.enumeration.iter().all(Value::is_string) => {
                self.hoist(schema, pointer, hint)
            }
            _ => Ty::Any,
        }
    }

    fn list(&mut self, items: Option<SchemaRef<'_>>, pointer: &str, hint: &str) -> Ty {
        match items {
            Some(items) => Ty::List(Box::new(self.ty(
                items,
                &format!("{pointer}/items"),
                &format!("{hint} Item"),
            ))),
            None => Ty::List(Box::new(Ty::Any)),
        }
    }

    fn map(&mut self, additional: Option<&AdditionalProperties>, pointer: &str, hint: &str) -> Ty {
        match additional {
            Some(AdditionalProperties::Schema(s)) => {
                let value = self.ty(
                    SchemaRef::from(&**s),
                    &format!("{pointer}/additionalProperties"),
                    &format!("{hint} Value"),
                );
                Ty::Map(Box::new(value))
            }
            _ => Ty::Map(Box::new(Ty::Any)),
        }
    }

    /// The kind of a named type made from `schema`.
    fn kind(&mut self, schema: &Schema, pointer: &str, name: &str) -> TypeKind {
        self.depth += 1;
        let kind = self.kind_inner(schema, pointer, name);
        self.depth -= 1;
        kind
    }

    fn kind_inner(&mut self, schema: &Schema, pointer: &str, name: &str) -> TypeKind {
        if self.depth >= MAX_DEPTH {
            self.diags.push(
                Diagnostic::warning(pointer, "schema nested too deeply; taken as any JSON value")
                    .with_hint("move inner schemas to `components/schemas`"),
            );
            return TypeKind::Alias(Ty::Any);
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if s.enumeration.iter().any(Option::is_some) => {
                let values: Vec<&str> =
                    s.enumeration.iter().flatten().map(String::as_str).collect();
                TypeKind::Enum(self.string_enum(values, pointer, schema))
            }
            SchemaKind::Type(Type::Integer(i)) if i.enumeration.iter().any(Option::is_some) => {
                let values: Vec<String> =
                    i.enumeration.iter().flatten().map(i64::to_string).collect();
                let mut e =
                    self.string_enum(values.iter().map(String::as_str).collect(), pointer, schema);
                e.integer = true;
                TypeKind::Enum(e)
            }
            SchemaKind::Any(any)
                if any.properties.is_empty()
                    && any.all_of.is_empty()
                    && any.one_of.is_empty()
                    && any.any_of.is_empty()
                    && any.enumeration.iter().any(Value::is_string)
                    && matches!(any.typ.as_deref(), None | Some("string")) =>
            {
                let values: Vec<&str> = any.enumeration.iter().filter_map(Value::as_str).collect();
                TypeKind::Enum(self.string_enum(values, pointer, schema))
            }
            _ if !rules_of(schema).is_empty() => self.constrained(schema, pointer, name),
            SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => self.struct_of(
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
                pointer,
                name,
            ),
            SchemaKind::Any(any)
                if !any.properties.is_empty()
                    && any.all_of.is_empty()
                    && any.one_of.is_empty()
                    && any.any_of.is_empty() =>
            {
                self.struct_of(
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    pointer,
                    name,
                )
            }
            SchemaKind::AllOf { all_of } => self.all_of(all_of, pointer, name),
            SchemaKind::Any(any) if !any.all_of.is_empty() => {
                self.all_of(&any.all_of, pointer, name)
            }
            SchemaKind::OneOf { one_of: parts } => {
                self.union(schema, parts, &format!("{pointer}/oneOf"), name)
            }
            SchemaKind::AnyOf { any_of: parts } => {
                self.union(schema, parts, &format!("{pointer}/anyOf"), name)
            }
            SchemaKind::Any(any) if !any.one_of.is_empty() => {
                self.union(schema, &any.one_of, &format!("{pointer}/oneOf"), name)
            }
            SchemaKind::Any(any) if !any.any_of.is_empty() => {
                self.union(schema, &any.any_of, &format!("{pointer}/anyOf"), name)
            }
            _ => {
                // Anything else is a named alias of its inline type; the
                // alias's inner types are named after it.
                let ty = self.inline(schema, pointer, &format!("{name} Inner"));
                let own = self.by_pointer.get(pointer).copied();
                match ty {
                    // `inline` found this very type (its placeholder): an
                    // alias of itself cannot be; the value is any JSON.
                    Ty::Named(id) if Some(id) == own => TypeKind::Alias(Ty::Any),
                    ty => TypeKind::Alias(ty),
                }
            }
        }
    }

    /// A newtype that holds only values meeting the schema's validation
    /// keywords. Patterns the `regex` crate cannot run are left out, with
    /// a warning.
    fn constrained(&mut self, schema: &Schema, pointer: &str, name: &str) -> TypeKind {
        let mut rules = rules_of(schema);
        if let Some(pattern) = &rules.pattern {
            if let Err(error) = regex::Regex::new(pattern) {
                let first = error.to_string();
                let first = first.lines().last().unwrap_or("").trim();
                self.diags.push(
                    Diagnostic::warning(
                        format!("{pointer}/pattern"),
                        format!("pattern `{pattern}` is not checked: {first}"),
                    )
                    .with_hint("patterns are checked with Rust's `regex` crate, which has no look-around or backreferences"),
                );
                rules.pattern = None;
            }
        }
        let inner = self.plain(schema, pointer, name);
        // Keywords that do not apply to the Rust type (a length of a date).
        match &inner {
            Ty::Prim(Prim::String) => {}
            _ => (rules.min_length, rules.max_length, rules.pattern) = (None, None, None),
        }
        if !matches!(
            inner,
            Ty::Prim(Prim::I32 | Prim::I64 | Prim::F32 | Prim::F64)
        ) {
            (rules.minimum, rules.maximum, rules.multiple_of) = (None, None, None);
        }
        if !matches!(inner, Ty::List(_)) {
            (rules.min_items, rules.max_items, rules.unique_items) = (None, None, false);
        }
        if rules.is_empty() {
            return TypeKind::Alias(inner);
        }
        TypeKind::Constrained(inner, rules)
    }

    /// The struct of an object schema's own properties.
    fn struct_of(
        &mut self,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        name: &str,
    ) -> TypeKind {
        let props: Vec<Prop<'_>> = properties
            .iter()
            .map(|(k, v)| (k.as_str(), SchemaRef::from(v), pointer))
            .collect();
        TypeKind::Struct(self.object(&props, required, additional, pointer, name))
    }

    fn object(
        &mut self,
        props: &[Prop<'_>],
        required: &[String],
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        name: &str,
    ) -> Struct {
        let mut field_names = Namespace::reserving(naming::STRUCT_FIELDS.iter().copied());
        let mut locals = Namespace::reserving(naming::READ_LOCALS.iter().copied());
        let mut functions = Namespace::new();
        let mut fields = Vec::with_capacity(props.len());
        for (wire, schema, owner) in props {
            // Lowered where the property is written, so an inline schema
            // merged into several structs (`allOf`) is one type.
            let field_pointer = join(&format!("{owner}/properties"), wire);
            let ty = self.ty(*schema, &field_pointer, &format!("{name} {wire}"));
            let (mut docs, default, one_way) = match schema {
                SchemaRef::Inline(s) => (
                    docs_of(s),
                    s.schema_data.default.as_ref(),
                    if s.schema_data.read_only {
                        Some(OneWay::Responses)
                    } else if s.schema_data.write_only {
                        Some(OneWay::Requests)
                    } else {
                        None
                    },
                ),
                SchemaRef::Ref(_) => (Docs::default(), None, None),
            };
            // One struct serves requests and responses, so a property that
            // travels one way only is optional even when `required` (which
            // then holds in that direction).
            let required = one_way.is_none() && required.iter().any(|r| r == wire);
            if let Some(way) = one_way {
                let note = match way {
                    OneWay::Responses => "Read-only: the server sends it; requests leave it out.",
                    OneWay::Requests => "Write-only: requests send it; responses leave it out.",
                };
                docs.description = Some(match docs.description.take() {
                    Some(d) => format!("{d}\n\n{note}"),
                    None => note.to_owned(),
                });
            }
            let default = match default {
                Some(value) if !required => self.literal(&ty, value, &field_pointer),
                _ => None,
            };
            let extensions = match schema {
                SchemaRef::Inline(s) => Some(&s.schema_data.extensions),
                SchemaRef::Ref(_) => None,
            };
            let chosen = self.settings.field_name(&field_pointer, extensions);
            let field = field_names.unique(naming::field_name(
                chosen.as_deref().unwrap_or(wire),
                "field",
            ));
            fields.push(Field {
                local: locals.unique(field.clone()),
                default_fn: functions.unique(naming::function_name("default", &field)),
                name: field,
                wire: (*wire).to_owned(),
                ty,
                required,
                boxed: false,
                docs,
                default,
                one_way,
            });
        }
        let additional = match additional {
            Some(AdditionalProperties::Schema(s)) => Some(self.ty(
                SchemaRef::from(&**s),
                &format!("{pointer}/additionalProperties"),
                &format!("{name} Value"),
            )),
            // Kept, so that a value passes through unchanged.
            Some(AdditionalProperties::Any(true)) => Some(Ty::Any),
            // Absent or `false`: unknown properties are ignored, so that a
            // client keeps working when a server adds fields (but see
            // `open`).
            Some(AdditionalProperties::Any(false)) => {
                self.closed.insert(pointer.to_owned());
                None
            }
            None => None,
        };
        Struct { fields, additional }
    }

    /// `allOf`: the properties of every part, merged into one struct.
    fn all_of(&mut self, parts: &[ReferenceOr<Schema>], pointer: &str, name: &str) -> TypeKind {
        // Resolve references and flatten nested `allOf`s first, so the merge
        // below borrows from one local list.
        let mut queue: Vec<(Schema, String)> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if !self.collect_all_of(
                SchemaRef::from(part),
                format!("{pointer}/allOf/{i}"),
                &mut queue,
                0,
            ) {
                return TypeKind::Alias(Ty::Any);
            }
        }
        let mut props: Vec<Prop<'_>> = Vec::new();
        let mut required: Vec<String> = Vec::new();
        let mut additional = None;
        for (schema, part_pointer) in &queue {
            let (properties, req, add) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    (&o.properties, &o.required, o.additional_properties.as_ref())
                }
                SchemaKind::Any(any)
                    if any.one_of.is_empty() && any.any_of.is_empty() && any.all_of.is_empty() =>
                {
                    (
                        &any.properties,
                        &any.required,
                        any.additional_properties.as_ref(),
                    )
                }
                _ => {
                    self.diags.push(
                        Diagnostic::warning(
                            part_pointer,
                            "`allOf` of a schema that is not an object; the type is any JSON value",
                        )
                        .with_hint("only objects can be merged into one Rust struct"),
                    );
                    return TypeKind::Alias(Ty::Any);
                }
            };
            for (k, v) in properties {
                props.retain(|(n, _, _)| n != k);
                props.push((k.as_str(), SchemaRef::from(v), part_pointer));
            }
            required.extend(req.iter().cloned());
            additional = add.or(additional);
        }
        TypeKind::Struct(self.object(&props, &required, additional, pointer, name))
    }

    /// Pushes the object parts of an `allOf` part onto `out`; `false` (with a
    /// diagnostic) when a reference cannot be followed.
    fn collect_all_of(
        &mut self,
        part: SchemaRef<'_>,
        pointer: String,
        out: &mut Vec<(Schema, String)>,
        depth: usize,
    ) -> bool {
        let (schema, origin) = match part {
            SchemaRef::Inline(s) => (s.clone(), pointer),
            SchemaRef::Ref(reference) => {
                match reference.strip_prefix('#').and_then(|t| self.schema_at(t)) {
                    Some(s) => (s, reference.trim_start_matches('#').to_owned()),
                    None => {
                        self.diags.push(
                        Diagnostic::warning(&pointer, format!("cannot merge `{reference}` into `allOf`; the type is any JSON value"))
                            .with_hint("point `$ref` at an object schema in this document"),
                    );
                        return false;
                    }
                }
            }
        };
        match &schema.schema_kind {
            SchemaKind::AllOf { all_of } if depth < 32 => {
                for (i, p) in all_of.iter().enumerate() {
                    if !self.collect_all_of(
                        SchemaRef::from(p),
                        format!("{origin}/allOf/{i}"),
                        out,
                        depth + 1,
                    ) {
                        return false;
                    }
                }
                true
            }
            _ => {
                out.push((schema, origin));
                true
            }
        }
    }

    fn union(
        &mut self,
        schema: &Schema,
        parts: &[ReferenceOr<Schema>],
        pointer: &str,
        name: &str,
    ) -> TypeKind {
        let discriminator = schema.schema_data.discriminator.as_ref();
        let all_refs = parts
            .iter()
            .all(|p| matches!(p, ReferenceOr::Reference { .. }));
        let tag = match discriminator {
            Some(d) if all_refs => Some(d.property_name.clone()),
            Some(_) => {
                self.diags.push(
                    Diagnostic::warning(pointer, "discriminator with inline variants; values are told apart by shape instead")
                        .with_hint("move each variant to `components/schemas` and refer to it with `$ref`"),
                );
                None
            }
            None => None,
        };
        let mut variant_names = Namespace::new();
        let mut variants = Vec::with_capacity(parts.len());
        let mut seen: Vec<&str> = Vec::new();
        let mut claimed: Vec<String> = Vec::new();
        let default_target = match (&tag, discriminator) {
            (Some(_), Some(d)) => self.default_mapping(d, pointer),
            _ => None,
        };
        let mut default = None;
        for (i, part) in parts.iter().enumerate() {
            let part_pointer = format!("{pointer}/{i}");
            // The same schema twice is one variant.
            if let ReferenceOr::Reference { reference } = part {
                if seen.contains(&reference.as_str()) {
                    self.diags.push(
                        Diagnostic::warning(
                            &part_pointer,
                            format!("`{reference}` is listed twice; the second is left out"),
                        )
                        .with_hint("list each variant once"),
                    );
                    continue;
                }
                seen.push(reference);
            }
            let ty = self.ty(
                SchemaRef::from(part),
                &part_pointer,
                &format!("{name} Variant{i}"),
            );
            let base = match named_id(&ty) {
                Some(id) => self.name_of(id),
                None => ty_word(&ty).to_owned(),
            };
            let mut tags = Vec::new();
            if let (Some(d), ReferenceOr::Reference { reference }) = (discriminator, part) {
                tags.extend(
                    d.mapping
                        .iter()
                        .filter(|(_, target)| {
                            *target == reference
                                || target.rsplit('/').next() == Some(base_key(reference))
                        })
                        .map(|(k, _)| k.clone()),
                );
                if tags.is_empty() {
                    tags.push(base_key(reference).to_owned());
                }
                // A value names one variant: the first that claims it.
                let before = tags.len();
                tags.retain(|t| !claimed.contains(t));
                if tags.is_empty() && before > 0 {
                    self.diags.push(
                        Diagnostic::warning(&part_pointer, "every discriminator value of this variant names an earlier one; it is left out")
                            .with_hint("map each discriminator value to one schema"),
                    );
                    continue;
                }
                claimed.extend(tags.iter().cloned());
            }
            if let (Some((target, _)), ReferenceOr::Reference { reference }) =
                (&default_target, part)
            {
                if default.is_none()
                    && (target == reference
                        || target.rsplit('/').next() == Some(base_key(reference)))
                {
                    default = Some(variants.len());
                }
            }
            variants.push(UnionVariant {
                name: variant_names.unique(naming::type_name(&base, "Variant")),
                ty,
                tags,
                boxed: false,
            });
        }
        if tag.is_none() {
            variants.sort_by_key(|v| specificity(&v.ty, &self.types));
        }
        if let (None, Some((target, at))) = (default, default_target) {
            self.diags.push(
                Diagnostic::warning(at, format!("`defaultMapping` names `{target}`, which is not one of the variants; values without a known tag are refused"))
                    .with_hint("name a schema that `oneOf` or `anyOf` lists"),
            );
        }
        TypeKind::Union(Union {
            tag,
            variants,
            default,
        })
    }

    /// The target of 3.2's `defaultMapping` (a schema's name or a
    /// reference, as in `mapping`), and where it is written; a warning
    /// when it is not a string.
    fn default_mapping<'d>(
        &mut self,
        d: &'d openapiv3::Discriminator,
        pointer: &str,
    ) -> Option<(&'d str, String)> {
        let value = d.extensions.get(crate::load::DEFAULT_MAPPING)?;
        // `pointer` is the schema's `oneOf` or `anyOf`.
        let schema = pointer.rsplit_once('/').map_or("", |(schema, _)| schema);
        let at = format!("{schema}/discriminator/defaultMapping");
        match value.as_str() {
            Some(target) => Some((target, at)),
            None => {
                self.diags.push(
                    Diagnostic::warning(
                        at,
                        "`defaultMapping` is not a string; values without a known tag are refused",
                    )
                    .with_hint("name one of the variants' schemas, or give its `$ref`"),
                );
                None
            }
        }
    }

    /// `value` as a default of type `ty`; `None`, with a warning, when it
    /// is not one (or of a type whose defaults are not generated).
    pub fn literal(&mut self, ty: &Ty, value: &Value, pointer: &str) -> Option<Literal> {
        let literal = self.literal_of(ty, value, 0);
        if literal.is_none() && !value.is_null() {
            self.diags.push(
                Diagnostic::warning(pointer, format!("default `{value}` is not applied"))
                    .with_hint("defaults of strings, numbers, booleans and enums are applied; make this one fit its type"),
            );
        }
        literal
    }

    fn literal_of(&self, ty: &Ty, value: &Value, depth: usize) -> Option<Literal> {
        match (ty, value) {
            (Ty::Prim(Prim::String), Value::String(s)) => Some(Literal::String(s.clone())),
            (Ty::Prim(Prim::Bool), Value::Bool(b)) => Some(Literal::Bool(*b)),
            (Ty::Prim(Prim::I64), Value::Number(n)) => n.as_i64().map(Literal::Int),
            (Ty::Prim(Prim::I32), Value::Number(n)) => n
                .as_i64()
                .filter(|i| i32::try_from(*i).is_ok())
                .map(Literal::Int),
            (Ty::Prim(Prim::F32 | Prim::F64), Value::Number(n)) => n.as_f64().map(Literal::Float),
            (Ty::Named(id), _) if depth < 16 => match self.kind_of(*id)? {
                TypeKind::Enum(e) => {
                    let wire = if e.integer {
                        value.as_i64()?.to_string()
                    } else {
                        value.as_str()?.to_owned()
                    };
                    e.variants
                        .iter()
                        .position(|v| v.wire == wire)
                        .map(|i| Literal::Variant(*id, i))
                }
                TypeKind::Alias(inner) => self.literal_of(inner, value, depth + 1),
                TypeKind::Constrained(inner, rules) => self
                    .literal_of(inner, value, depth + 1)
                    .filter(|l| rules.violations(l).is_empty())
                    .map(|l| Literal::Constrained(*id, Box::new(l))),
                _ => None,
            },
            _ => None,
        }
    }

    /// The kind of a type made already (`None` while it is being made).
    /// An enum of `values` (the schema's at `pointer`), each variant
    /// named from its value or as the configuration or `x-enum-varnames`
    /// chooses.
    fn string_enum(&self, values: Vec<&str>, pointer: &str, schema: &Schema) -> Enum {
        // `Unknown` holds the values the spec does not list.
        let mut names = Namespace::reserving(naming::ENUM_VARIANTS.iter().copied());
        let mut seen = HashSet::new();
        let extensions = Some(&schema.schema_data.extensions);
        let variants = values
            .into_iter()
            .enumerate()
            .filter(|(_, v)| seen.insert(*v))
            .map(|(i, v)| {
                let chosen = self.settings.variant_name(pointer, v, i, extensions);
                EnumVariant {
                    name: names.unique(naming::enum_variant_name(chosen.as_deref().unwrap_or(v))),
                    wire: v.to_owned(),
                }
            })
            .collect();
        Enum {
            variants,
            integer: false,
        }
    }

    pub fn kind_of(&self, id: TypeId) -> Option<&TypeKind> {
        self.types
            .get(id.0)
            .and_then(Option::as_ref)
            .map(|t| &t.kind)
    }

    /// Keeps the properties that a struct's schema does not name but allows
    /// (`additionalProperties` absent) in `additional_properties`, as
    /// `additionalProperties: true` does: an object parameter's, which the
    /// server reads and the client must write back as they came (a
    /// gateway), rather than ignore them as a body's reader may.
    pub fn open(&mut self, id: TypeId) {
        let Some(t) = self.types.get_mut(id.0).and_then(Option::as_mut) else {
            return;
        };
        if let TypeKind::Struct(s) = &mut t.kind {
            if s.additional.is_none() && !self.closed.contains(&t.origin) {
                s.additional = Some(Ty::Any);
            }
        }
    }

    /// The fields of a struct made already, to change (a multipart body's
    /// `format: binary` properties become files).
    pub fn fields_mut(&mut self, id: TypeId) -> Option<&mut Vec<crate::ir::Field>> {
        match self
            .types
            .get_mut(id.0)
            .and_then(Option::as_mut)
            .map(|t| &mut t.kind)
        {
            Some(TypeKind::Struct(s)) => Some(&mut s.fields),
            _ => None,
        }
    }

    fn name_of(&self, id: TypeId) -> String {
        self.type_names[id.0].clone()
    }
}

/// The named type behind `T` or `Option<T>`.
fn named_id(ty: &Ty) -> Option<TypeId> {
    match ty {
        Ty::Named(id) => Some(*id),
        Ty::Nullable(inner) => named_id(inner),
        _ => None,
    }
}

fn base_key(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

fn ty_word(ty: &Ty) -> &'static str {
    match ty {
        Ty::Prim(Prim::String) => "String",
        Ty::Prim(Prim::DateTime) => "DateTime",
        Ty::Prim(Prim::Date) => "Date",
        Ty::Prim(Prim::Uuid) => "Uuid",
        Ty::Prim(Prim::Base64) => "Base64",
        Ty::Prim(Prim::Bool) => "Boolean",
        Ty::Prim(Prim::I32 | Prim::I64 | Prim::Int64Text) => "Integer",
        Ty::Prim(Prim::Decimal) => "Decimal",
        Ty::Prim(Prim::F32 | Prim::F64) => "Number",
        Ty::Prim(Prim::Bytes) => "Bytes",
        Ty::Prim(Prim::File) => "File",
        Ty::List(_) => "Array",
        Ty::Map(_) => "Object",
        Ty::Nullable(inner) => ty_word(inner),
        Ty::Named(_) => "Variant",
        Ty::Any => "Any",
    }
}

/// Untagged variants are tried in this order: most specific first, so that
/// a value matching a narrow type is not swallowed by a wider one.
fn specificity(ty: &Ty, types: &[Option<TypeDef>]) -> (u8, std::cmp::Reverse<usize>) {
    match ty {
        Ty::Named(id) => match types.get(id.0).and_then(Option::as_ref).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => (
                0,
                std::cmp::Reverse(s.fields.iter().filter(|f| f.required).count()),
            ),
            Some(TypeKind::Enum(_)) => (1, std::cmp::Reverse(0)),
            Some(TypeKind::Union(_)) => (2, std::cmp::Reverse(0)),
            Some(
                TypeKind::Alias(inner) | TypeKind::Newtype(inner) | TypeKind::Constrained(inner, _),
            ) if *inner != Ty::Named(*id) => {
                let (rank, n) = specificity(inner, types);
                (rank.max(3), n)
            }
            _ => (3, std::cmp::Reverse(0)),
        },
        Ty::List(_) => (4, std::cmp::Reverse(0)),
        Ty::Map(_) => (5, std::cmp::Reverse(0)),
        Ty::Prim(Prim::Bool) => (6, std::cmp::Reverse(0)),
        Ty::Prim(Prim::I32 | Prim::I64 | Prim::Int64Text | Prim::Decimal) => {
            (7, std::cmp::Reverse(0))
        }
        Ty::Prim(Prim::F32 | Prim::F64) => (8, std::cmp::Reverse(0)),
        Ty::Prim(Prim::DateTime | Prim::Date | Prim::Uuid) => (8, std::cmp::Reverse(0)),
        Ty::Prim(Prim::String | Prim::Bytes | Prim::Base64 | Prim::File) => {
            (9, std::cmp::Reverse(0))
        }
        Ty::Nullable(inner) => specificity(inner, types),
        Ty::Any => (10, std::cmp::Reverse(0)),
    }
}

/// The validation keywords of a string, number, integer or array schema
/// (empty for enums and other kinds: an enum's values say more, and object
/// keywords are not kept).
fn rules_of(schema: &Schema) -> Rules {
    let bound = |value: Option<f64>, exclusive: bool| value.map(|value| Bound { value, exclusive });
    let count = |n: Option<usize>| n.map(|n| n as u64);
    let mut rules = Rules::default();
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if s.enumeration.is_empty() => {
            rules.min_length = count(s.min_length).filter(|n| *n > 0);
            rules.max_length = count(s.max_length);
            rules.pattern = s.pattern.clone();
        }
        SchemaKind::Type(Type::Integer(i)) if i.enumeration.is_empty() => {
            rules.minimum = bound(i.minimum.map(|v| v as f64), i.exclusive_minimum);
            rules.maximum = bound(i.maximum.map(|v| v as f64), i.exclusive_maximum);
            rules.multiple_of = i.multiple_of.map(|v| v as f64);
        }
        SchemaKind::Type(Type::Number(n)) if n.enumeration.is_empty() => {
            rules.minimum = bound(n.minimum, n.exclusive_minimum);
            rules.maximum = bound(n.maximum, n.exclusive_maximum);
            rules.multiple_of = n.multiple_of;
        }
        SchemaKind::Type(Type::Array(a)) => {
            rules.min_items = count(a.min_items).filter(|n| *n > 0);
            rules.max_items = count(a.max_items);
            rules.unique_items = a.unique_items;
        }
        SchemaKind::Any(any)
            if any.enumeration.is_empty()
                && any.properties.is_empty()
                && any.all_of.is_empty()
                && any.one_of.is_empty()
                && any.any_of.is_empty() =>
        {
            match any.typ.as_deref() {
                Some("string") => {
                    rules.min_length = count(any.min_length).filter(|n| *n > 0);
                    rules.max_length = count(any.max_length);
                    rules.pattern = any.pattern.clone();
                }
                Some("integer" | "number") => {
                    rules.minimum = bound(any.minimum, any.exclusive_minimum.unwrap_or(false));
                    rules.maximum = bound(any.maximum, any.exclusive_maximum.unwrap_or(false));
                    rules.multiple_of = any.multiple_of;
                }
                Some("array") => {
                    rules.min_items = count(any.min_items).filter(|n| *n > 0);
                    rules.max_items = count(any.max_items);
                    rules.unique_items = any.unique_items.unwrap_or(false);
                }
                _ => {}
            }
        }
        _ => {}
    }
    // Keywords that allow everything are no constraint.
    rules.multiple_of = rules.multiple_of.filter(|m| m.is_finite() && *m > 0.0);
    rules
}

pub(crate) fn docs_of(schema: &Schema) -> Docs {
    Docs {
        title: schema.schema_data.title.clone(),
        description: schema.schema_data.description.clone(),
        deprecated: schema.schema_data.deprecated,
    }
}

/// Whether a string schema is `format: binary` (raw bytes in a body).
pub(crate) fn is_binary(schema: SchemaRef<'_>) -> bool {
    match schema {
        SchemaRef::Inline(s) => match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => matches!(
                st.format,
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
            ),
            SchemaKind::Any(a) => a.format.as_deref() == Some("binary"),
            _ => false,
        },
        SchemaRef::Ref(_) => false,
    }
}
