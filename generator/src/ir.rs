//! The model that `lower` builds and every emitter reads.
//!
//! Invariants: every identifier in it was made by [`crate::naming`] and is
//! unique in its namespace; every node keeps the JSON pointer it came from;
//! collections are `Vec`s in a deterministic order (document order). No
//! `syn` or `quote` here.

use std::collections::BTreeSet;

/// One API: everything the emitters need, and nothing they must look up
/// in the document again.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// Server URLs, variables substituted with their defaults.
    pub servers: Vec<String>,
    /// Named types; [`TypeId`] indexes this.
    pub types: Vec<TypeDef>,
    pub operations: Vec<Operation>,
    /// The webhooks the API sends (3.1's `webhooks`), as operations that
    /// their receiver serves at `/{name}`: generated as a module of their
    /// own from [`Api::webhooks_api`].
    pub webhooks: Vec<Operation>,
    /// The callbacks of its operations, as operations that their receiver
    /// (the caller) serves at `/{name}`: generated as a module of their
    /// own from [`Api::callbacks_api`].
    pub callbacks: Vec<Operation>,
    /// Whether this is the API, or the view of its webhooks or callbacks
    /// that their module is generated from.
    pub role: Role,
    pub security_schemes: Vec<SecurityScheme>,
    /// The spec as written, as compact JSON (served by the server's
    /// `Options::spec`).
    pub document: String,
    /// The crates of `format: date-time` and `format: date`.
    pub times: Times,
    /// The crate's Cargo features of tags (`features.per-tag`), which
    /// [`Gate`]s name by index; empty unless asked for.
    pub features: Vec<Feature>,
}

/// The Rust types of dates and times ([`Prim::DateTime`], [`Prim::Date`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Times {
    pub date_time: crate::config::TimeCrate,
    pub date: crate::config::TimeCrate,
}

/// A Cargo feature that compiles one tag's operations, or (`tag: None`)
/// the types no operation uses, which needs every tag's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// The feature's name (kebab-case, unique among the crate's features).
    pub name: String,
    /// The tag, as the spec writes it.
    pub tag: Option<String>,
}

/// The features any one of which compiles an item (indexes into
/// [`Api::features`]); empty: always compiled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gate(pub Vec<usize>);

impl Gate {
    pub fn is_open(&self) -> bool {
        self.0.is_empty()
    }
}

/// What an [`Api`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The API: its operations are served by `server` and called by
    /// `client` at the server's base URL.
    Api,
    /// The API's webhooks: their receiver routes each to `/{name}`, and
    /// the sender delivers each to the URL a subscriber gave, exactly.
    Webhooks,
    /// The API's callbacks: their receiver (the caller) routes each to
    /// `/{name}`; the sender (the API) delivers each to the URL the
    /// caller's request gave.
    Callbacks,
}

/// Index into [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A Rust type at its place of use.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Prim(Prim),
    Named(TypeId),
    List(Box<Ty>),
    /// A JSON object with arbitrary keys.
    Map(Box<Ty>),
    /// `null` allowed (`Option<T>` at this place).
    Nullable(Box<Ty>),
    /// Anything JSON (`serde_json::Value`).
    Any,
}

impl Ty {
    /// Calls `f` with every named type this type mentions.
    pub fn each_named(&self, f: &mut impl FnMut(TypeId)) {
        match self {
            Ty::Named(id) => f(*id),
            Ty::List(inner) | Ty::Map(inner) | Ty::Nullable(inner) => inner.each_named(f),
            Ty::Prim(_) | Ty::Any => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Prim {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    /// Raw bytes of a body (binary media types).
    Bytes,
    /// `format: date-time` (RFC 3339).
    DateTime,
    /// `format: date` (`2024-01-31`).
    Date,
    /// `format: uuid`.
    Uuid,
    /// `format: byte`: bytes, base64 in JSON.
    Base64,
    /// `format: int64` that travels as a JSON string (`types.int64 =
    /// "string"`): `types::Int64`.
    Int64Text,
    /// `type: string, format: decimal` as `rust_decimal::Decimal`
    /// (`types.decimal = "rust_decimal"`).
    Decimal,
    /// `format: binary` property of a multipart body: a file part's bytes,
    /// file name and content type (`types::FilePart`).
    File,
}

#[derive(Debug, Clone, Default)]
pub struct Docs {
    pub title: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name (UpperCamelCase, unique among types).
    pub name: String,
    /// JSON pointer of the schema it was made from.
    pub origin: String,
    pub docs: Docs,
    pub kind: TypeKind,
    /// The schema's `example` (or the first of 3.1's `examples`).
    pub example: Option<serde_json::Value>,
    /// The user's type it is instead (`types.replace`): generated as `pub
    /// type Name = path;`, its kind kept for what reads the schema (the
    /// mock's values, the violations of a body).
    pub replaced: Option<String>,
    /// Derive macros added to those it has (paths, checked by `config`).
    pub derives: Vec<String>,
    /// Outer attributes added (checked by `config`).
    pub attributes: Vec<String>,
    /// The features that compile it.
    pub gate: Gate,
}

impl TypeDef {
    /// A type of the spec's own, not the user's.
    pub fn new(name: String, origin: String, docs: Docs, kind: TypeKind) -> Self {
        TypeDef {
            name,
            origin,
            docs,
            kind,
            example: None,
            replaced: None,
            derives: Vec::new(),
            attributes: Vec::new(),
            gate: Gate::default(),
        }
    }

    /// Whether it is an item that takes derives (not an alias, nor the
    /// user's type).
    pub fn takes_derives(&self) -> bool {
        self.replaced.is_none() && !matches!(self.kind, TypeKind::Alias(_))
    }
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Struct),
    Enum(Enum),
    Union(Union),
    /// `pub type Name = ty;`
    Alias(Ty),
    /// `pub struct Name(pub ty);`, for aliases that refer to themselves
    /// (Rust's type aliases cannot).
    Newtype(Ty),
    /// A string, number or array with validation keywords: a newtype whose
    /// only constructor (`TryFrom`) checks `rules`, so that no value of it
    /// breaks them. `ty` is a [`Ty::Prim`] or a [`Ty::List`].
    Constrained(Ty, Rules),
}

/// The validation keywords of one schema (JSON Schema's, as OpenAPI
/// 3.0 and 3.1 share them); `None`/`false` when absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// In characters (Unicode scalar values), as JSON Schema counts them.
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// An ECMA-262 pattern that the `regex` crate also accepts (`lower`
    /// checks; others are left out with a warning). Unanchored.
    pub pattern: Option<String>,
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub multiple_of: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
}

/// A `minimum`/`maximum`, exclusive or not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        *self == Rules::default()
    }

    /// What `value` breaks, as the generated code words it (it uses the
    /// same checks), so `lower` can refuse defaults that would break them.
    pub fn violations(&self, value: &Literal) -> Vec<String> {
        let mut out = Vec::new();
        match value {
            Literal::String(s) => {
                let len = s.chars().count() as u64;
                if self.min_length.is_some_and(|m| len < m)
                    || self.max_length.is_some_and(|m| len > m)
                {
                    out.push("length".to_owned());
                }
                if let Some(p) = &self.pattern {
                    if !regex::Regex::new(p).is_ok_and(|re| re.is_match(s)) {
                        out.push("pattern".to_owned());
                    }
                }
            }
            Literal::Int(i) => self.number_violations(*i as f64, &mut out),
            Literal::Float(f) => self.number_violations(*f, &mut out),
            Literal::Bool(_) | Literal::Variant(..) | Literal::Constrained(..) => {}
        }
        out
    }

    fn number_violations(&self, v: f64, out: &mut Vec<String>) {
        if let Some(b) = self.minimum {
            if v < b.value || (b.exclusive && v == b.value) {
                out.push("minimum".to_owned());
            }
        }
        if let Some(b) = self.maximum {
            if v > b.value || (b.exclusive && v == b.value) {
                out.push("maximum".to_owned());
            }
        }
        if let Some(m) = self.multiple_of {
            if m > 0.0 && ((v / m).round() * m - v).abs() > 1e-9 * v.abs().max(1.0) {
                out.push("multipleOf".to_owned());
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Type of `additionalProperties` (flattened into a map field), if allowed
    /// and typed beyond "anything".
    pub additional: Option<Ty>,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// Rust name (snake_case, unique in the struct).
    /// (`name` is a valid identifier, raw where needed.)
    pub name: String,
    /// The local that the struct's `Deserialize` reads the field into: its
    /// name, unless that is one of the reader's own
    /// ([`crate::naming::READ_LOCALS`]).
    pub local: String,
    /// The associated function that makes [`Field::default`]
    /// (`default_<name>`), where there is one.
    pub default_fn: String,
    /// Name on the wire.
    pub wire: String,
    pub ty: Ty,
    pub required: bool,
    /// Set by cycle breaking: the field's type is stored in a `Box`.
    pub boxed: bool,
    pub docs: Docs,
    /// `default` of the schema, applied when the field is absent.
    pub default: Option<Literal>,
    /// `readOnly` or `writeOnly`: the one way the property travels.
    pub one_way: Option<OneWay>,
}

/// The one way a `readOnly` or `writeOnly` property travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneWay {
    /// `readOnly`: in responses only.
    Responses,
    /// `writeOnly`: in requests only.
    Requests,
}

/// A schema's `default`, checked against the type it is the default of.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A variant of a string enum: the enum and the variant's index.
    Variant(TypeId, usize),
    /// A value of a constrained newtype, checked against its rules.
    Constrained(TypeId, Box<Literal>),
}

/// A string or integer enum.
#[derive(Debug, Clone)]
pub struct Enum {
    pub variants: Vec<EnumVariant>,
    /// An integer enum: each `wire` is a number (an `i64`).
    pub integer: bool,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub name: String,
    pub wire: String,
}

/// `oneOf`/`anyOf`.
#[derive(Debug, Clone)]
pub struct Union {
    /// The discriminator's property name, when values are told apart by it.
    pub tag: Option<String>,
    pub variants: Vec<UnionVariant>,
    /// The variant a value whose tag is missing or names no variant is
    /// read as (3.2's `defaultMapping`); without one, such a value is an
    /// error.
    pub default: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct UnionVariant {
    pub name: String,
    pub ty: Ty,
    /// Discriminator values that select this variant (tagged unions).
    pub tags: Vec<String>,
    pub boxed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
    /// OpenAPI 3.2's `query`: safe and idempotent, with a body.
    Query,
    /// A method of 3.2's `additionalOperations` (`LINK`, `PURGE`, ...),
    /// an RFC 9110 token, as the spec spells it.
    Other(String),
}

impl Method {
    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
            Method::Query => "QUERY",
            Method::Other(method) => method,
        }
    }

    /// Whether axum routes it by a `MethodFilter` (`get`, `post`, ...);
    /// the others are dispatched by the route's fallback.
    pub fn is_standard(&self) -> bool {
        !matches!(self, Method::Query | Method::Other(_))
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// The trait method's name (snake_case; unique among the methods of
    /// the trait, `Client` and `MockApi`).
    pub name: String,
    /// The words the operation's types are named from (`ShowPetById`), and
    /// its hoisted inline schemas (`ShowPetByIdLimit`).
    pub type_name: String,
    /// The request type in `api` (`ShowPetByIdRequest`).
    pub request_type: String,
    /// The response enum in `api` (`ShowPetByIdResponse`).
    pub response_type: String,
    /// The enum in `api` of a request body with several media types
    /// (`ShowPetByIdBody`); `None` unless [`Operation::body_choices`] has
    /// some.
    pub body_type: Option<String>,
    /// The operation's items in the server's module.
    pub server: ServerItems,
    /// `operationId` as written, or `None` when the name was derived.
    pub operation_id: Option<String>,
    pub method: Method,
    /// The path as written under `paths`.
    pub path: String,
    pub segments: Vec<PathSegment>,
    pub origin: String,
    pub docs: Docs,
    pub params: Vec<Param>,
    /// The request body in each media type the spec gives, in its order
    /// (empty: no body; several: the request's body is an enum, one
    /// variant each).
    pub bodies: Vec<Body>,
    /// The index in `bodies` of the preferred media type (JSON, then
    /// forms, text, anything else): [`Operation::body`].
    pub preferred_body: usize,
    pub responses: Vec<Response>,
    /// `None`: no credentials needed. Otherwise any one requirement (an AND
    /// of schemes) must be met; an empty requirement makes them optional,
    /// and an empty list (every requirement named a scheme that no request
    /// can meet) lets nobody in.
    pub security: Option<Vec<Requirement>>,
    /// Its tags, each as the breadcrumb of its parents' labels and its own
    /// (`Pets › Cats`).
    pub tags: Vec<String>,
    /// Where it is a callback (in [`Api::callbacks`]): whose, and its URL.
    pub callback: Option<CallbackOf>,
    /// The URLs of the callbacks it declares, each a field of its request
    /// that the server fills from the request.
    pub callback_urls: Vec<CallbackUrl>,
    /// The features that compile it.
    pub gate: Gate,
    /// How a list operation's pages follow one another (the client's
    /// `paginate()`), where it is one.
    pub pagination: Option<Pagination>,
    /// The header that carries an idempotency key (lower case), where the
    /// operation has one: the client sends a new key, the same on every
    /// attempt, when the caller gives none.
    pub idempotency_key: Option<String>,
}

/// How the pages of a list operation follow one another.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    pub kind: PageKind,
    /// Index into [`Operation::responses`] of the page's response.
    pub response: usize,
    /// Where the items are in the page's body; empty: the body is the
    /// list.
    pub items: FieldPath,
    /// The items' type.
    pub item: Ty,
    /// Declared (`x-pagination`, `x-speakeasy-pagination`, the
    /// configuration), not detected.
    pub declared: bool,
}

/// Where the next page is. Parameters are query parameters' wire names.
#[derive(Debug, Clone, PartialEq)]
pub enum PageKind {
    /// `offset` moved past the page's items; `limit` is how many a page
    /// asks for, `total` how many there are in all.
    Offset {
        offset: String,
        limit: Option<String>,
        total: Option<FieldPath>,
    },
    /// `page` counted from `first`; `size` items per page, `pages` in all.
    Page {
        page: String,
        first: u64,
        size: Option<String>,
        pages: Option<FieldPath>,
    },
    /// `param` set to the page's `cursor` field.
    Cursor { param: String, cursor: FieldPath },
    /// The `Link` header's `rel="next"` (RFC 8288).
    Link,
    /// The URL in the page's `next` field.
    NextUrl { next: FieldPath },
}

impl PageKind {
    /// How the docs name it.
    pub fn describe(&self) -> String {
        match self {
            PageKind::Offset { offset, .. } => format!("by offset (`{offset}`)"),
            PageKind::Page { page, .. } => format!("by page number (`{page}`)"),
            PageKind::Cursor { param, .. } => format!("by cursor (`{param}`)"),
            PageKind::Link => "by the `Link` header's `rel=\"next\"`".to_owned(),
            PageKind::NextUrl { .. } => "by the next page's URL in the body".to_owned(),
        }
    }
}

/// Fields from a page's body to a value: each step a field of a struct.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldPath(pub Vec<FieldStep>);

#[derive(Debug, Clone, PartialEq)]
pub struct FieldStep {
    /// The field's Rust name.
    pub field: String,
    /// How many `Option`s the field's type has around the value: 1 for
    /// optional or nullable, 2 for both (absent is not `null`).
    pub options: u8,
    /// In a `Box` (inside the `Option`s).
    pub boxed: bool,
}

/// A URL of a callback an operation declares, as its request holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackUrl {
    /// The request's field (unique among its fields).
    pub field: String,
    /// The callback's key under `callbacks`.
    pub name: String,
    /// The URL as written (`{$request.body#/callbackUrl}/data`).
    pub expression: String,
    /// Its text and runtime expressions, in order.
    pub url: Vec<UrlPart>,
}

/// An operation's items in the server's module, unique there.
#[derive(Debug, Clone)]
pub struct ServerItems {
    /// The generic handler the route calls (`handle_show_pet_by_id`).
    pub handler: String,
    /// The function that parses the request (`request_show_pet_by_id`).
    pub parser: String,
    /// The constant of the operation's error shapes
    /// (`SHOW_PET_BY_ID_ERRORS`), where it has some.
    pub errors: String,
}

impl Operation {
    /// The request body, in its preferred media type where there are
    /// several (what stands for the body where one is enough: the mock's
    /// value, the peer test's raw request).
    pub fn body(&self) -> Option<&Body> {
        self.bodies.get(self.preferred_body)
    }
    /// Where the body has several media types, each of them; else none.
    pub fn body_choices(&self) -> &[Body] {
        choices(&self.bodies)
    }
}

/// All of `bodies` where there are several, else none.
fn choices<B>(bodies: &[B]) -> &[B] {
    if bodies.len() > 1 { bodies } else { &[] }
}

/// What makes an operation a callback: a request the API sends back to
/// its caller, at a URL the caller's request gave (an operation's
/// `callbacks`).
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackOf {
    /// The index in [`Api::operations`] of the operation that declares it.
    pub operation: usize,
    /// Its key under the operation's `callbacks`.
    pub name: String,
    /// Its URL as written (`{$request.body#/callbackUrl}/data`).
    pub expression: String,
    /// Its URL: text and runtime expressions, in order.
    pub url: Vec<UrlPart>,
}

/// A piece of a callback's URL.
#[derive(Debug, Clone, PartialEq)]
pub enum UrlPart {
    Text(String),
    Expression(Expression),
}

/// A runtime expression in a callback's URL, evaluated against the
/// request of the operation that declares the callback.
#[derive(Debug, Clone, PartialEq)]
pub enum Expression {
    /// `$url`: the request's URL.
    Url,
    /// `$method`.
    Method,
    /// `$request.query.name`.
    Query(String),
    /// `$request.header.name` (lower-case).
    Header(String),
    /// `$request.body#/pointer`: where in the JSON body (empty: all of it).
    Body(String),
}

/// A path template split into literal text and parameters, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum PathSegment {
    Literal(String),
    /// Index into [`Operation::params`].
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

impl Location {
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub wire: String,
    pub location: Location,
    /// Scalar or list of scalars (see `lower::operation`).
    pub ty: Ty,
    pub required: bool,
    /// The value when the caller sends none (so the field is not optional).
    pub default: Option<Literal>,
    /// An object parameter of a struct type: its properties' wire names
    /// (for `form` with `explode`, where they are query keys of their own).
    pub object_fields: Option<Vec<String>>,
    /// How the value is written (OpenAPI's `style`; `Json` for a parameter
    /// given by `content: application/json`).
    pub style: Style,
    /// Arrays and objects: one part per item or property (`explode`).
    pub explode: bool,
    /// Query values keep RFC 3986 reserved characters unencoded.
    pub allow_reserved: bool,
    /// 3.2's `in: querystring`: the whole query string, as a form (an
    /// exploded object of `style: form`) or as JSON text (`Style::Json`).
    pub querystring: bool,
    pub docs: Docs,
}

/// A parameter's `style`, checked against its location by `lower`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `a,b` (path, header).
    Simple,
    /// `.a.b` / `.a,b` (path).
    Label,
    /// `;id=a;id=b` / `;id=a,b` (path).
    Matrix,
    /// `id=a&id=b` / `id=a,b` (query, cookie).
    Form,
    /// `id=a%20b` (query arrays and objects).
    SpaceDelimited,
    /// `id=a|b` (query arrays and objects).
    PipeDelimited,
    /// `id=a%09b` (query arrays and objects): Swagger 2.0's
    /// `collectionFormat: tsv`, which OpenAPI 3 has no style for.
    TabDelimited,
    /// `id[k]=v` (query objects).
    DeepObject,
    /// The value as JSON text (`content: application/json`).
    Json,
}

/// What a parameter's type is made of, as far as its wire form goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Scalar,
    List,
    Object,
}

impl Param {
    pub fn shape(&self) -> Shape {
        match (&self.ty, self.style) {
            (_, Style::Json) => Shape::Scalar,
            (Ty::List(_), _) => Shape::List,
            (Ty::Map(_), _) => Shape::Object,
            (Ty::Named(_), _) if self.object_fields.is_some() => Shape::Object,
            _ => Shape::Scalar,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Json,
    Form,
    Text,
    Binary,
    /// `multipart/form-data` with an object schema: the body is that
    /// struct, one part per property ([`Body::parts`]).
    Multipart,
    /// A sequential media type: the body is a stream of items, each of the
    /// body's type (for events, the type of an event's `data`).
    Sequence(Sequence),
}

impl MediaKind {
    /// Whether a body of this kind streams rather than being read whole:
    /// binary bodies and sequences of items.
    pub fn streams(self) -> bool {
        matches!(self, MediaKind::Binary | MediaKind::Sequence(_))
    }
}

/// How the items of a sequential media type are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sequence {
    /// `text/event-stream`: server-sent events.
    Events,
    /// JSON Lines (`application/jsonl`, `application/x-ndjson`, ...).
    Lines,
    /// JSON text sequences (`application/json-seq`, RFC 7464).
    Records,
}

/// How one property of a multipart body travels.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The property's (and the part's) name on the wire.
    pub wire: String,
    pub kind: PartKind,
    /// The part's `Content-Type`: `encoding`'s `contentType`, else the
    /// default for its kind.
    pub content_type: String,
    /// An array of files or of text values: one part per item, each with
    /// the property's name.
    pub repeated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A primitive as text; `quoted` when its JSON form is a string (so
    /// the server knows whether the text is JSON of a number or a bool).
    Text { quoted: bool },
    /// The value as JSON (objects, arrays of objects, `contentType` JSON).
    Json,
    /// `format: binary`: the file's bytes (`types::FilePart`).
    File,
    /// `format: byte`: raw bytes on the wire, `types::Base64` in Rust.
    Bytes,
}

/// A media type without its parameters, in lower case
/// (`Application/JSON; charset=utf-8` → `application/json`): what
/// `Content-Type` and `Accept` compare.
pub fn essence(content_type: &str) -> String {
    let media = content_type.split(';').next().unwrap_or("");
    media.trim().to_ascii_lowercase()
}

#[derive(Debug, Clone)]
pub struct Body {
    /// The variant's name in the body enum, where there are several media
    /// types ([`Operation::body_choices`]).
    pub variant: String,
    pub media: MediaKind,
    /// The content type as written (`application/json`, `image/png`).
    pub content_type: String,
    pub ty: Ty,
    pub required: bool,
    pub docs: Docs,
    /// The media type's examples: where each is, and its value.
    pub examples: Vec<(String, serde_json::Value)>,
    /// [`MediaKind::Multipart`]: how each property travels, in field order.
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    Code(u16),
    /// `2XX`: the first digit.
    Range(u8),
    Default,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusMatch,
    /// The variant's name in the response enum.
    pub variant: String,
    pub docs: Docs,
    /// The body in each media type the spec gives, in its order (empty: no
    /// body; several: the variant holds an enum, one variant each, and the
    /// handler picks by the request's `Accept`).
    pub bodies: Vec<ResponseBody>,
    /// The index in `bodies` of the preferred media type (JSON, then
    /// forms, text, anything else): [`Response::body`].
    pub preferred_body: usize,
    /// The enum in `api` of a body with several media types
    /// (`GetPetOkBody`); `None` unless [`Response::body_choices`] has some.
    pub body_type: Option<String>,
    pub headers: Vec<Header>,
}

impl Response {
    /// The body, in its preferred media type where there are several.
    pub fn body(&self) -> Option<&ResponseBody> {
        self.bodies.get(self.preferred_body)
    }

    /// Where the body has several media types, each of them; else none.
    pub fn body_choices(&self) -> &[ResponseBody] {
        choices(&self.bodies)
    }
}

#[derive(Debug, Clone)]
pub struct ResponseBody {
    /// The variant's name in the body enum, where there are several media
    /// types ([`Response::body_choices`]).
    pub variant: String,
    pub media: MediaKind,
    pub content_type: String,
    pub ty: Ty,
    /// The media type's examples: where each is, and its value (for a
    /// sequence, each is one item).
    pub examples: Vec<(String, serde_json::Value)>,
    /// For events: the data that ends the stream (`[DONE]`), where the spec
    /// names one.
    pub sentinel: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Header {
    /// The field's name in the response variant.
    pub name: String,
    /// The local the server's response writer binds it to: its name,
    /// unless that is one of the writer's own locals or a function of the
    /// server's module ([`crate::naming::RESPONSE_WRITER_LOCALS`]).
    pub local: String,
    /// Lower-case wire name.
    pub wire: String,
    pub ty: Ty,
    pub required: bool,
    pub docs: Docs,
}

#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// The key under `components/securitySchemes`.
    pub key: String,
    /// Field name in `Credentials` (snake_case).
    pub field: String,
    /// Name of the scheme's variant in `Scheme` (UpperCamelCase).
    pub variant: String,
    pub kind: SchemeKind,
    pub description: Option<String>,
    /// 3.2's `deprecated`: said in the docs of its credential.
    pub deprecated: bool,
    /// OAuth2: the token endpoint of its flows (the client-credentials
    /// flow's, else the password or authorization-code flow's), for the
    /// client's `OAuth2`.
    pub token_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (http bearer, oauth2, openIdConnect).
    Bearer,
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// A key in a header, query parameter or cookie.
    ApiKey { location: Location, name: String },
    /// `Authorization: <scheme> <value>` of another HTTP scheme (`Digest`,
    /// `Negotiate`, ...): read as it comes, judged by the authenticator.
    Http { scheme: String },
    /// `mutualTLS`: a client certificate, which the TLS layer verifies;
    /// nothing to read from the request or to send with it.
    MutualTls,
}

impl SchemeKind {
    /// Whether the scheme has a credential to carry in `Credentials`.
    pub fn carries_credential(&self) -> bool {
        !matches!(self, SchemeKind::MutualTls)
    }
}

/// An AND of schemes, each with the scopes it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement(pub Vec<(usize, Vec<String>)>);

impl Param {
    /// Whether the request always holds a value (required, or defaulted).
    pub fn always_present(&self) -> bool {
        self.required || self.default.is_some()
    }
}

impl Api {
    /// The API's webhooks as an API of their own (see [`Api::hooks_api`]).
    pub fn webhooks_api(&self) -> Option<Api> {
        self.hooks_api(Role::Webhooks)
    }

    /// The API's callbacks as an API of their own (see [`Api::hooks_api`]).
    pub fn callbacks_api(&self) -> Option<Api> {
        self.hooks_api(Role::Callbacks)
    }

    /// The webhooks or the callbacks as an API of their own (the same
    /// types; the security schemes they ask for; they as its operations),
    /// or `None` if there are none.
    fn hooks_api(&self, role: Role) -> Option<Api> {
        let hooks = match role {
            Role::Api => return None,
            Role::Webhooks => &self.webhooks,
            Role::Callbacks => &self.callbacks,
        };
        if hooks.is_empty() {
            return None;
        }
        // Only the schemes the webhooks use, renumbered.
        let mut used = vec![false; self.security_schemes.len()];
        for requirement in self
            .webhooks
            .iter()
            .flat_map(|op| op.security.iter().flatten())
        {
            for (i, _) in &requirement.0 {
                used[*i] = true;
            }
        }
        let mut index = Vec::with_capacity(used.len());
        let mut kept = 0;
        for &u in &used {
            index.push(kept);
            kept += usize::from(u);
        }
        let mut operations = hooks.clone();
        for requirement in operations
            .iter_mut()
            .flat_map(|op| op.security.iter_mut().flatten())
        {
            for (i, _) in &mut requirement.0 {
                *i = index[*i];
            }
        }
        let security_schemes = self
            .security_schemes
            .iter()
            .zip(&used)
            .filter(|(_, used)| **used)
            .map(|(scheme, _)| scheme.clone())
            .collect();
        Some(Api {
            title: self.title.clone(),
            version: self.version.clone(),
            description: None,
            servers: Vec::new(),
            types: self.types.clone(),
            operations,
            webhooks: Vec::new(),
            callbacks: Vec::new(),
            role,
            security_schemes,
            document: self.document.clone(),
            times: self.times,
            features: self.features.clone(),
        })
    }

    /// The operations, webhooks and callbacks: what the crate as a whole
    /// (its dependencies, its runtime files, its types) is made for.
    pub fn all_operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations
            .iter()
            .chain(&self.webhooks)
            .chain(&self.callbacks)
    }

    /// Indexes of the schemes any operation uses, sorted.
    pub fn used_schemes(&self) -> BTreeSet<usize> {
        self.operations
            .iter()
            .flat_map(|op| op.security.iter().flatten())
            .flat_map(|r| r.0.iter().map(|(i, _)| *i))
            .collect()
    }

    /// Whether any type, parameter, body or header (of an operation or a
    /// webhook) uses `prim`.
    pub fn uses(&self, prim: Prim) -> bool {
        fn in_ty(t: &Ty, prim: Prim) -> bool {
            match t {
                Ty::Prim(p) => *p == prim,
                Ty::List(i) | Ty::Map(i) | Ty::Nullable(i) => in_ty(i, prim),
                Ty::Named(_) | Ty::Any => false,
            }
        }
        let in_types = self.types.iter().any(|t| match &t.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().any(|f| in_ty(&f.ty, prim))
                    || s.additional.as_ref().is_some_and(|a| in_ty(a, prim))
            }
            TypeKind::Union(u) => u.variants.iter().any(|v| in_ty(&v.ty, prim)),
            TypeKind::Alias(t) | TypeKind::Newtype(t) | TypeKind::Constrained(t, _) => {
                in_ty(t, prim)
            }
            TypeKind::Enum(_) => false,
        });
        in_types
            || self.all_operations().any(|op| {
                op.params.iter().any(|p| in_ty(&p.ty, prim))
                    || op.bodies.iter().any(|b| in_ty(&b.ty, prim))
                    || op.responses.iter().any(|r| {
                        r.bodies.iter().any(|b| in_ty(&b.ty, prim))
                            || r.headers.iter().any(|h| in_ty(&h.ty, prim))
                    })
            })
    }

    /// Whether any body, request or response, is a sequence that `pick`
    /// takes (`|_| true`: any).
    pub fn uses_sequence(&self, pick: impl Fn(Sequence) -> bool) -> bool {
        let picked = |media: MediaKind| matches!(media, MediaKind::Sequence(s) if pick(s));
        self.all_operations().any(|op| {
            op.bodies.iter().any(|b| picked(b.media))
                || op
                    .responses
                    .iter()
                    .any(|r| r.bodies.iter().any(|b| picked(b.media)))
        })
    }

    /// Whether some body streams (binary, or a sequence of items): the
    /// crate then has the runtime's `stream` files, `bytes` and
    /// `futures-core`.
    pub fn streams(&self) -> bool {
        self.uses(Prim::Bytes) || self.uses_sequence(|_| true)
    }

    /// Whether some operation (of this API, not its webhooks' or
    /// callbacks') declares security: its router then needs an
    /// authenticator.
    pub fn secured(&self) -> bool {
        self.operations.iter().any(|op| op.security.is_some())
    }

    /// Whether the crate has the parts of authentication (`Scheme`,
    /// `Requirement`, the runtime's `auth`, the context's principal): the
    /// spec declares a scheme, or secures an operation (if only with
    /// schemes that no request can meet).
    pub fn authenticates(&self) -> bool {
        !self.security_schemes.is_empty() || self.secured()
    }

    /// Whether some operation is read in pages (the client's `paginate()`).
    pub fn paginates(&self) -> bool {
        self.operations.iter().any(|op| op.pagination.is_some())
    }

    /// Whether some security scheme takes bearer tokens (OAuth2, OpenID
    /// Connect, HTTP `bearer`): the crate then has the JWT authenticator,
    /// and its client `OAuth2`.
    pub fn bearer(&self) -> bool {
        self.security_schemes
            .iter()
            .any(|s| s.kind == SchemeKind::Bearer)
    }

    /// Whether any type has a `pattern` (the crate then needs `regex`).
    pub fn uses_patterns(&self) -> bool {
        self.types
            .iter()
            .any(|t| matches!(&t.kind, TypeKind::Constrained(_, r) if r.pattern.is_some()))
    }

    /// Whether any type has validation keywords.
    pub fn uses_constraints(&self) -> bool {
        self.types
            .iter()
            .any(|t| matches!(t.kind, TypeKind::Constrained(..)))
    }

    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// `ty` with the aliases it names followed (merged types are
    /// aliases), but not into a type the user replaced: the type its
    /// values have. Alias cycles are newtypes after `lower`; the bound is
    /// for safety.
    pub fn unalias<'a>(&'a self, mut ty: &'a Ty) -> &'a Ty {
        for _ in 0..=self.types.len() {
            let Ty::Named(id) = ty else { return ty };
            let def = self.ty(*id);
            match &def.kind {
                TypeKind::Alias(inner) if def.replaced.is_none() => ty = inner,
                _ => return ty,
            }
        }
        ty
    }
}

/// One `/`-separated segment of a path template.
#[derive(Debug, Clone, PartialEq)]
pub enum UrlSegment {
    Literal(String),
    /// The whole segment is one parameter (index into `Operation::params`).
    Param(usize),
    /// Literal text and parameters mixed in one segment (`{name}.{ext}`).
    Mixed(Vec<PathSegment>),
}

impl Operation {
    /// The path split at `/`, each segment classified (the leading `/` is
    /// dropped: the first item is what follows it).
    pub fn url_segments(&self) -> Vec<UrlSegment> {
        let mut out: Vec<Vec<PathSegment>> = vec![Vec::new()];
        for segment in &self.segments {
            match segment {
                PathSegment::Literal(text) => {
                    let mut pieces = text.split('/');
                    if let Some(first) = pieces.next() {
                        if !first.is_empty() {
                            out.last_mut()
                                .expect("never empty")
                                .push(PathSegment::Literal(first.to_owned()));
                        }
                    }
                    for piece in pieces {
                        out.push(if piece.is_empty() {
                            Vec::new()
                        } else {
                            vec![PathSegment::Literal(piece.to_owned())]
                        });
                    }
                }
                PathSegment::Param(i) => out
                    .last_mut()
                    .expect("never empty")
                    .push(PathSegment::Param(*i)),
            }
        }
        // A path starts with `/`: its first (empty) segment is not a segment.
        if self.path.starts_with('/') && out.len() > 1 && out[0].is_empty() {
            out.remove(0);
        }
        out.into_iter()
            .map(|pieces| match pieces.as_slice() {
                [] => UrlSegment::Literal(String::new()),
                [PathSegment::Literal(t)] => UrlSegment::Literal(t.clone()),
                [PathSegment::Param(i)] => UrlSegment::Param(*i),
                _ => UrlSegment::Mixed(pieces),
            })
            .collect()
    }

    /// The route's shape: literal segments kept, parameters as `{}`. Two
    /// operations with one shape and one method cannot both be served.
    pub fn route_shape(&self) -> String {
        let segments: Vec<String> = self
            .url_segments()
            .iter()
            .map(|s| match s {
                UrlSegment::Literal(t) => t.clone(),
                UrlSegment::Param(_) | UrlSegment::Mixed(_) => "{}".to_owned(),
            })
            .collect();
        format!("/{}", segments.join("/"))
    }
}
