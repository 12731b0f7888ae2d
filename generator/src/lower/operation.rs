//! Paths and operations → [`ir::Operation`]s: parameters, bodies,
//! responses and security requirements.

use openapiv3::{
    Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr, RequestBody, Response,
    StatusCode,
};

use super::schema::{SchemaRef, Schemas, is_binary};
use super::{is_token, resolve, scheme_index};
use crate::diag::{Diagnostic, join};
use crate::ir::{
    Body, CallbackOf, CallbackUrl, Docs, Header, Location, MediaKind, Method, Operation, Param,
    Part, PartKind, PathSegment, Prim, Requirement, ResponseBody, SecurityScheme, ServerItems,
    StatusMatch, Style, Ty, TypeKind, UrlPart,
};
use crate::load::Loaded;
use crate::naming::{self, Namespace};

/// The operations under `paths`, and the callbacks they declare.
pub(super) fn operations(
    loaded: &Loaded,
    schemas: &mut Schemas<'_>,
    schemes: &[Option<SecurityScheme>],
) -> (Vec<Operation>, Vec<Operation>) {
    let mut lowering = Items::new(loaded, schemes, Kind::Path);
    let mut callbacks = Items::new(loaded, schemes, Kind::Callback);
    for (path, item) in &loaded.doc.paths.paths {
        let item_pointer = join("/paths", path);
        unknown_item_fields(
            loaded.raw.pointer(&item_pointer),
            &item_pointer,
            schemas.diags,
        );
        let item = match resolve(&loaded.raw, item, &item_pointer) {
            Ok(item) => item,
            Err(d) => {
                schemas.diags.push(d);
                continue;
            }
        };
        for (owner, declared) in lowering.item(schemas, path, &item_pointer, &item, None) {
            if let Some(declared) = declared {
                let pointer = join(&lowering.out[owner].origin, "callbacks");
                let first = callbacks.out.len();
                callbacks.callbacks(schemas, owner, &pointer, declared);
                lowering.out[owner].callback_urls = callback_urls(
                    &lowering.out[owner],
                    callbacks.out[first..]
                        .iter()
                        .filter_map(|c| c.callback.as_ref()),
                );
            }
        }
    }
    (lowering.out, callbacks.out)
}

/// The webhooks (3.1's `webhooks`): requests the API sends, each lowered
/// as an operation served at `/{name}` by the receiving side.
pub(super) fn webhooks(
    loaded: &Loaded,
    schemas: &mut Schemas<'_>,
    schemes: &[Option<SecurityScheme>],
) -> Vec<Operation> {
    let Some(webhooks) = loaded.raw.get("webhooks") else {
        return Vec::new();
    };
    let Some(webhooks) = webhooks.as_object() else {
        schemas.diags.push(
            Diagnostic::warning(
                "/webhooks",
                "`webhooks` is not an object; no webhook is generated",
            )
            .with_hint("map each webhook's name to a path item"),
        );
        return Vec::new();
    };
    let mut lowering = Items::new(loaded, schemes, Kind::Webhook);
    for (name, item) in webhooks {
        let item_pointer = join("/webhooks", name);
        unknown_item_fields(Some(item), &item_pointer, schemas.diags);
        let item = serde_json::from_value::<ReferenceOr<openapiv3::PathItem>>(item.clone())
            .map_err(|e| {
                Diagnostic::error(&item_pointer, format!("a webhook must be a path item: {e}"))
                    .with_hint("give it an operation under `post` (or another method)")
            })
            .and_then(|item| resolve(&loaded.raw, &item, &item_pointer));
        match item {
            Ok(item) => {
                lowering.item(schemas, name, &item_pointer, &item, None);
            }
            Err(d) => schemas.diags.push(d),
        }
    }
    lowering.out
}

/// Warns of each field of the path item at `pointer` that OpenAPI does not
/// define (a method it has no field for, such as `connect`, or a typo):
/// nothing under it is generated, and nothing is dropped in silence.
fn unknown_item_fields(
    item: Option<&serde_json::Value>,
    pointer: &str,
    diags: &mut crate::diag::Diagnostics,
) {
    const FIELDS: &[&str] = &[
        "$ref",
        "summary",
        "description",
        "servers",
        "parameters",
        crate::load::QUERY,
        crate::load::ADDITIONAL_OPERATIONS,
    ];
    let Some(item) = item.and_then(|i| i.as_object()) else {
        return;
    };
    for key in item.keys() {
        let known =
            FIELDS.contains(&key.as_str()) || crate::load::METHOD_FIELDS.contains(&key.as_str());
        if !known && !key.starts_with("x-") {
            diags.push(
                Diagnostic::warning(
                    join(pointer, key),
                    format!("`{key}` is not a field of a path item; it is left out"),
                )
                .with_hint("put other methods under `additionalOperations` (OpenAPI 3.2), with the method as it is sent (`CONNECT`)"),
            );
        }
    }
}

/// Where a path item stands: under `paths` (its key is a path template),
/// under `webhooks` (its key is the webhook's name) or under an
/// operation's `callbacks` (the callback's name is its key here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Path,
    Webhook,
    Callback,
}

/// The operations of path items, named uniquely across them.
struct Items<'l> {
    loaded: &'l Loaded,
    kind: Kind,
    names: OperationNames,
    scheme_ids: std::collections::HashMap<String, usize>,
    /// Each declared tag's breadcrumb.
    tags: std::collections::HashMap<String, String>,
    out: Vec<Operation>,
}

impl<'l> Items<'l> {
    fn new(loaded: &'l Loaded, schemes: &[Option<SecurityScheme>], kind: Kind) -> Self {
        Items {
            loaded,
            kind,
            names: OperationNames::new(),
            scheme_ids: scheme_index(schemes),
            tags: super::tags::breadcrumbs(loaded),
            out: Vec::new(),
        }
    }

    /// An operation's `callbacks` (`declared`, at `pointer`): each URL
    /// expression's path item lowered as callbacks of operation `owner`.
    fn callbacks(
        &mut self,
        schemas: &mut Schemas<'_>,
        owner: usize,
        pointer: &str,
        declared: &serde_json::Value,
    ) {
        type Callback = indexmap::IndexMap<String, ReferenceOr<openapiv3::PathItem>>;
        let Some(declared) = declared.as_object() else {
            schemas.diags.push(
                Diagnostic::warning(
                    pointer,
                    "`callbacks` is not an object; no callback is generated",
                )
                .with_hint("map each callback's name to its URL expressions"),
            );
            return;
        };
        for (name, callback) in declared {
            let callback_pointer = join(pointer, name);
            let callback = serde_json::from_value::<ReferenceOr<Callback>>(callback.clone())
                .map_err(|e| {
                    Diagnostic::warning(
                        &callback_pointer,
                        format!("a callback must map URL expressions to path items: {e}"),
                    )
                    .with_hint("write `'{$request.body#/callbackUrl}': {post: ...}`")
                })
                .and_then(|c| resolve(&self.loaded.raw, &c, &callback_pointer));
            let callback = match callback {
                Ok(c) => c,
                Err(d) => {
                    schemas.diags.push(d);
                    continue;
                }
            };
            for (expression, item) in &callback {
                let item_pointer = join(&callback_pointer, expression);
                unknown_item_fields(
                    declared.get(name).and_then(|c| c.get(expression)),
                    &item_pointer,
                    schemas.diags,
                );
                let url = match super::callback::url(expression) {
                    Ok(url) => url,
                    Err(why) => {
                        schemas.diags.push(
                            Diagnostic::warning(&item_pointer, format!("callback `{name}` is left out: {why}"))
                                .with_hint("give its URL from the request: `{$request.body#/callbackUrl}`, `{$request.query.url}`, `{$request.header.X-Hook}`"),
                        );
                        continue;
                    }
                };
                let item = match resolve(&self.loaded.raw, item, &item_pointer) {
                    Ok(item) => item,
                    Err(d) => {
                        schemas.diags.push(d);
                        continue;
                    }
                };
                let of = CallbackOf {
                    operation: owner,
                    name: name.clone(),
                    expression: expression.clone(),
                    url,
                };
                self.item(schemas, name, &item_pointer, &item, Some(&of));
            }
        }
    }

    /// Lowers the operations of one path item, `key` being its path (or
    /// its webhook's or callback's name; `callback` says whose callback).
    /// Returns each operation's index and its `callbacks`, if declared.
    fn item<'i>(
        &mut self,
        schemas: &mut Schemas<'_>,
        key: &str,
        item_pointer: &str,
        item: &'i openapiv3::PathItem,
        callback: Option<&CallbackOf>,
    ) -> Vec<(usize, Option<&'i serde_json::Value>)> {
        let mut lowered = Vec::new();
        let loaded = self.loaded;
        let doc = &loaded.doc;
        let methods = declared_operations(item, item_pointer, schemas.diags);
        let several = methods.len() > 1;
        for Declared {
            method,
            pointer,
            op,
            callbacks,
        } in methods
        {
            let op = &*op;
            let method_key = method.as_str().to_ascii_lowercase();
            let fallback = match self.kind {
                Kind::Path => naming::operation_name_from_path(&method_key, key),
                Kind::Webhook | Kind::Callback if several => {
                    naming::operation_name_from_path(&method_key, key)
                }
                Kind::Webhook => naming::field_name(key, "webhook"),
                Kind::Callback => naming::field_name(key, "callback"),
            };
            let chosen = schemas
                .settings
                .operation_name(op.operation_id.as_deref(), Some(&op.extensions));
            let (name, type_name) = self
                .names
                .operation(chosen.as_deref().or(op.operation_id.as_deref()), fallback);
            let mut lowering = OperationLowering {
                loaded,
                schemas: &mut *schemas,
                pointer: &pointer,
                type_name: &type_name,
            };
            let params = lowering.params(&item.parameters, &op.parameters);
            // A webhook is received at its key; a callback at its name and
            // the path its URL adds to what the caller gave
            // (`{$request.query.url}/data`).
            let received = match self.kind {
                Kind::Path => None,
                Kind::Webhook => Some(format!("/{key}")),
                Kind::Callback => {
                    let suffix = callback.map_or("", |c| path_suffix(&c.url));
                    Some(format!("/{}{suffix}", naming::unraw(&name)))
                }
            };
            let (path, (segments, params)) = match received {
                None => (key.to_owned(), lowering.segments(key, params)),
                Some(path) => {
                    let params = lowering.no_path_params(params);
                    (path.clone(), (vec![PathSegment::Literal(path)], params))
                }
            };
            let bodies = op
                .request_body
                .as_ref()
                .map(|b| lowering.bodies(b))
                .unwrap_or_default();
            let mut responses = lowering.responses(&op.responses);
            let (request_type, response_type, body_type) =
                self.names.types(&type_name, &bodies, &mut responses);
            let server = self.names.server(&name);
            // The document's `security` is the API's; a webhook's
            // receiver asks only for what the webhook itself declares.
            let declared = match self.kind {
                Kind::Path => op.security.as_ref().or(doc.security.as_ref()),
                Kind::Webhook | Kind::Callback => op.security.as_ref(),
            };
            let security = lowering.security(declared, &self.scheme_ids, op.security.is_some());
            self.out.push(Operation {
                name,
                type_name,
                request_type,
                response_type,
                body_type,
                server,
                operation_id: op.operation_id.clone(),
                method,
                path,
                segments,
                origin: pointer.clone(),
                docs: Docs {
                    title: op.summary.clone(),
                    description: op.description.clone(),
                    deprecated: op.deprecated,
                },
                params,
                preferred_body: preferred(&bodies, |b| &b.content_type),
                bodies,
                responses,
                security,
                tags: op
                    .tags
                    .iter()
                    .map(|t| self.tags.get(t).cloned().unwrap_or_else(|| t.clone()))
                    .collect(),
                callback: callback.cloned(),
                callback_urls: Vec::new(),
                gate: crate::ir::Gate::default(),
                pagination: None,
                idempotency_key: None,
            });
            let callbacks = match self.kind {
                Kind::Path => callbacks,
                Kind::Webhook | Kind::Callback => None,
            };
            lowered.push((self.out.len() - 1, callbacks));
        }
        lowered
    }
}

/// An operation of a path item, with its method and pointer, and its
/// `callbacks` as written.
struct Declared<'i> {
    method: Method,
    pointer: String,
    op: std::borrow::Cow<'i, openapiv3::Operation>,
    callbacks: Option<&'i serde_json::Value>,
}

/// The operations of `item` in the order of the fixed fields (`get` to
/// `trace`, then 3.2's `query`), then its `additionalOperations` as
/// written. An additional method that is not a token, or that a fixed
/// field names, is left out with a warning, as is an operation that does
/// not parse.
fn declared_operations<'i>(
    item: &'i openapiv3::PathItem,
    item_pointer: &str,
    diags: &mut crate::diag::Diagnostics,
) -> Vec<Declared<'i>> {
    let fixed = [
        (Method::Get, "get", &item.get),
        (Method::Put, "put", &item.put),
        (Method::Post, "post", &item.post),
        (Method::Delete, "delete", &item.delete),
        (Method::Options, "options", &item.options),
        (Method::Head, "head", &item.head),
        (Method::Patch, "patch", &item.patch),
        (Method::Trace, "trace", &item.trace),
    ];
    let mut out: Vec<Declared<'i>> = fixed
        .into_iter()
        .filter_map(|(method, key, op)| {
            let op = op.as_ref()?;
            Some(Declared {
                method,
                pointer: join(item_pointer, key),
                callbacks: op.extensions.get(crate::load::CALLBACKS),
                op: std::borrow::Cow::Borrowed(op),
            })
        })
        .collect();
    // The operations `openapiv3` does not know, still to parse.
    let mut unparsed: Vec<(Method, String, &'i serde_json::Value)> = Vec::new();
    if let Some(query) = item.extensions.get(crate::load::QUERY) {
        unparsed.push((Method::Query, join(item_pointer, "query"), query));
    }
    let others_pointer = join(item_pointer, "additionalOperations");
    match item.extensions.get(crate::load::ADDITIONAL_OPERATIONS) {
        None => {}
        Some(serde_json::Value::Object(others)) => {
            for (method, value) in others {
                let pointer = join(&others_pointer, method);
                let fixed_field = crate::load::METHOD_FIELDS
                    .iter()
                    .chain(&["query"])
                    .any(|m| m.eq_ignore_ascii_case(method));
                if fixed_field {
                    diags.push(
                        Diagnostic::warning(
                            &pointer,
                            format!("`{method}` has a field of its own in a path item; this operation is left out"),
                        )
                        .with_hint(format!("move it to `{}`", method.to_ascii_lowercase())),
                    );
                } else if !super::is_token(method) {
                    diags.push(
                        Diagnostic::warning(
                            &pointer,
                            format!("`{method}` cannot be an HTTP method; this operation is left out"),
                        )
                        .with_hint("name the method as it is sent, with letters, digits and `!#$%&'*+-.^_`|~`"),
                    );
                } else {
                    unparsed.push((Method::Other(method.clone()), pointer, value));
                }
            }
        }
        Some(_) => diags.push(
            Diagnostic::warning(
                &others_pointer,
                "`additionalOperations` is not an object; its operations are left out",
            )
            .with_hint("map each method's name (`LINK`) to an operation"),
        ),
    }
    for (method, pointer, value) in unparsed {
        match serde_json::from_value::<openapiv3::Operation>(value.clone()) {
            Ok(op) => out.push(Declared {
                method,
                pointer,
                callbacks: value.get(crate::load::CALLBACKS),
                op: std::borrow::Cow::Owned(op),
            }),
            Err(e) => diags.push(
                Diagnostic::warning(&pointer, format!("this operation is left out: {e}"))
                    .with_hint("write an Operation Object, with `responses`"),
            ),
        }
    }
    out
}

/// The URL fields of `owner`'s request: one per callback URL its
/// callbacks were lowered from (several methods at one URL share it),
/// named clear of the request's other fields.
fn callback_urls<'c>(
    owner: &Operation,
    callbacks: impl Iterator<Item = &'c CallbackOf>,
) -> Vec<CallbackUrl> {
    let mut names = Namespace::reserving(naming::REQUEST_FIELDS.iter().copied());
    names.reserve(owner.params.iter().map(|p| p.name.as_str()));
    let mut urls: Vec<CallbackUrl> = Vec::new();
    for c in callbacks {
        if urls
            .iter()
            .any(|u| u.name == c.name && u.expression == c.expression)
        {
            continue;
        }
        urls.push(CallbackUrl {
            field: names.unique(naming::field_name(&format!("{} url", c.name), "callback")),
            name: c.name.clone(),
            expression: c.expression.clone(),
            url: c.url.clone(),
        });
    }
    urls
}

/// The path a callback's URL ends with after its last expression
/// (`/data` of `{$request.query.url}/data`), which its receiver serves
/// it at; none where that text is not a plain path.
fn path_suffix(url: &[UrlPart]) -> &str {
    match url.last() {
        Some(UrlPart::Text(text))
            if text.starts_with('/') && !text.contains(['?', '#', '{', '}']) =>
        {
            text.trim_end_matches('/')
        }
        _ => "",
    }
}

/// The namespaces of what is named after operations, unique across them.
struct OperationNames {
    /// The trait's methods, which are called on a `Client`, a `MockApi`
    /// and the server's `Arc<impl Api>`.
    methods: Namespace,
    /// The words the operations' types are named from.
    stems: Namespace,
    /// The types of module `api`.
    api_types: Namespace,
    /// The items of module `server`.
    server_items: Namespace,
}

impl OperationNames {
    fn new() -> Self {
        let mut server_items = Namespace::reserving(naming::SERVER_NAMES.iter().copied());
        server_items.reserve_numbered(naming::SERVER_NUMBERED.iter().copied());
        OperationNames {
            methods: Namespace::reserving(
                naming::CLIENT_METHODS
                    .iter()
                    .chain(naming::MOCK_METHODS)
                    .chain(naming::RUNTIME_TRAIT_METHODS)
                    .chain(naming::PRELUDE_METHODS)
                    .copied(),
            ),
            stems: Namespace::new(),
            api_types: Namespace::reserving(
                naming::PRELUDE_TYPES
                    .iter()
                    .chain(naming::API_NAMES)
                    .copied(),
            ),
            server_items,
        }
    }

    /// The method's name (from `id`: the name chosen for it, else its
    /// `operationId`; else `fallback`) and
    /// the stem of the operation's type names.
    fn operation(&mut self, id: Option<&str>, fallback: String) -> (String, String) {
        let name = match id {
            Some(id) if !id.trim().is_empty() => naming::field_name(id, "operation"),
            _ => fallback,
        };
        let name = self.methods.unique(name);
        let stem = self
            .stems
            .unique(naming::type_name(naming::unraw(&name), "Operation"));
        (name, stem)
    }

    /// The request type, the response enum and the enum of a request body
    /// of several media types (`{Op}Request`, `{Op}Response`, `{Op}Body`),
    /// and those of response bodies (`{Op}{Variant}Body`), set in
    /// `responses`.
    fn types(
        &mut self,
        stem: &str,
        bodies: &[Body],
        responses: &mut [crate::ir::Response],
    ) -> (String, String, Option<String>) {
        let mut derived = |words: &str, word: &str| {
            self.api_types
                .unique(naming::derived_type_name(words, word))
        };
        let request = derived(stem, "Request");
        let response = derived(stem, "Response");
        let body = (bodies.len() > 1).then(|| derived(stem, "Body"));
        for r in responses.iter_mut().filter(|r| r.bodies.len() > 1) {
            r.body_type = Some(derived(&format!("{stem} {}", r.variant), "Body"));
        }
        (request, response, body)
    }

    /// The operation's items in the server's module.
    fn server(&mut self, name: &str) -> ServerItems {
        let mut item = |candidate: String| self.server_items.unique(candidate);
        ServerItems {
            handler: item(naming::function_name("handle", name)),
            parser: item(naming::function_name("request", name)),
            errors: item(naming::const_name(
                &format!("{} errors", naming::unraw(name)),
                "ERRORS",
            )),
        }
    }
}

struct OperationLowering<'l, 's, 'a> {
    loaded: &'l Loaded,
    schemas: &'s mut Schemas<'a>,
    pointer: &'l str,
    type_name: &'l str,
}

impl OperationLowering<'_, '_, '_> {
    /// Path-level parameters, overridden by operation-level ones of the same
    /// name and location.
    fn params(
        &mut self,
        path_level: &[ReferenceOr<Parameter>],
        op_level: &[ReferenceOr<Parameter>],
    ) -> Vec<Param> {
        let item_pointer = self
            .pointer
            .rsplit_once('/')
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default();
        let mut resolved: Vec<(Parameter, String)> = Vec::new();
        let sources = path_level
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("{item_pointer}/parameters/{i}")))
            .chain(
                op_level
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, format!("{}/parameters/{i}", self.pointer))),
            );
        for (param, pointer) in sources {
            match resolve(&self.loaded.raw, param, &pointer) {
                Ok(p) => {
                    let key = (p.parameter_data_ref().name.clone(), location_of(&p));
                    resolved.retain(|(q, _)| {
                        (q.parameter_data_ref().name.clone(), location_of(q)) != key
                    });
                    resolved.push((p, pointer));
                }
                Err(d) => self.schemas.diags.push(d),
            }
        }
        let mut names = Namespace::reserving(naming::REQUEST_FIELDS.iter().copied());
        resolved
            .into_iter()
            .filter_map(|(p, pointer)| self.param(p, &pointer, &mut names))
            .collect()
    }

    fn param(&mut self, p: Parameter, pointer: &str, names: &mut Namespace) -> Option<Param> {
        let location = location_of(&p);
        let (style, allow_reserved) = match &p {
            Parameter::Query {
                style,
                allow_reserved,
                ..
            } => (
                match style {
                    QueryStyle::Form => Style::Form,
                    QueryStyle::SpaceDelimited => Style::SpaceDelimited,
                    QueryStyle::PipeDelimited => Style::PipeDelimited,
                    QueryStyle::DeepObject => Style::DeepObject,
                },
                *allow_reserved,
            ),
            Parameter::Path { style, .. } => (
                match style {
                    PathStyle::Simple => Style::Simple,
                    PathStyle::Label => Style::Label,
                    PathStyle::Matrix => Style::Matrix,
                },
                false,
            ),
            Parameter::Header { .. } => (Style::Simple, false),
            Parameter::Cookie { .. } => (Style::Form, false),
        };
        let mut explode = p
            .parameter_data_ref()
            .explode
            .unwrap_or(style == Style::Form);
        let data = p.parameter_data();
        // Swagger 2.0's tab-separated lists, as converted (by `load` or by
        // swagger2openapi): OpenAPI 3 has no style for them.
        let tsv = data
            .extensions
            .get("x-collectionFormat")
            .and_then(|v| v.as_str())
            == Some("tsv");
        let style = if tsv && location == Location::Query {
            explode = false;
            Style::TabDelimited
        } else {
            style
        };
        if location == Location::Header
            && ["accept", "content-type", "authorization"]
                .contains(&data.name.to_ascii_lowercase().as_str())
        {
            self.schemas.diags.push(
                Diagnostic::warning(
                    pointer,
                    format!("header parameter `{}` is ignored", data.name),
                )
                .with_hint("OpenAPI describes this header with `content` and `security` instead"),
            );
            return None;
        }
        if location == Location::Header && !is_token(&data.name) {
            self.schemas.diags.push(
                Diagnostic::warning(
                    pointer,
                    format!(
                        "`{}` cannot be a header's name; the parameter is left out",
                        data.name
                    ),
                )
                .with_hint("a header's name is letters, digits and `!#$%&'*+-.^_`|~`"),
            );
            return None;
        }
        let hint = format!("{} {}", self.type_name, data.name);
        let mut style = style;
        let querystring = data.extensions.contains_key(crate::load::QUERYSTRING);
        let ty = match &data.format {
            ParameterSchemaOrContent::Schema(_) if querystring => {
                self.schemas.diags.push(
                    Diagnostic::warning(pointer, "a `querystring` parameter needs `content`; this one is left out")
                        .with_hint("describe it with `content: {application/x-www-form-urlencoded: {schema: ...}}`"),
                );
                return None;
            }
            ParameterSchemaOrContent::Schema(schema) => {
                let ty =
                    self.schemas
                        .ty(SchemaRef::from(schema), &format!("{pointer}/schema"), &hint);
                self.param_ty(ty, style, pointer)
            }
            ParameterSchemaOrContent::Content(content) if querystring => {
                // The whole query string: as a form, an exploded object;
                // as JSON, its text.
                let form = content.iter().find(|(media, _)| {
                    crate::ir::essence(media) == "application/x-www-form-urlencoded"
                });
                let json = content.iter().find(|(media, _)| is_json(media));
                let (media, media_type) = match (form, json) {
                    (Some(form), _) => {
                        explode = true;
                        form
                    }
                    (None, Some(json)) => {
                        style = Style::Json;
                        json
                    }
                    (None, None) => {
                        self.schemas.diags.push(
                            Diagnostic::warning(pointer, "a `querystring` parameter is read as a form or as JSON; this one is left out")
                                .with_hint("describe it with `content: {application/x-www-form-urlencoded: {schema: ...}}` or `application/json`"),
                        );
                        return None;
                    }
                };
                // Without a schema: any keys of strings, or any JSON.
                let absent = if style == Style::Json {
                    Ty::Any
                } else {
                    Ty::Map(Box::new(Ty::Prim(Prim::String)))
                };
                self.content_ty(pointer, media, media_type, &hint, absent)
            }
            ParameterSchemaOrContent::Content(content) => {
                let json = content.iter().find(|(media, _)| is_json(media));
                match json {
                    Some((media, media_type)) => {
                        style = Style::Json;
                        self.content_ty(pointer, media, media_type, &hint, Ty::Any)
                    }
                    None => {
                        self.schemas.diags.push(
                            Diagnostic::warning(
                                pointer,
                                "parameter given by `content` of a media type other than JSON is passed as a string",
                            )
                            .with_hint("use `application/json`, or describe it with `schema`"),
                        );
                        Ty::Prim(Prim::String)
                    }
                }
            }
        };
        // An object in a style keeps the properties it does not name: the
        // server reads them, so the client (a gateway) must be able to
        // write them back.
        if let (Ty::Named(id), false) = (&ty, style == Style::Json) {
            self.schemas.open(*id);
        }
        let object_fields = match &ty {
            Ty::Named(id) if style != Style::Json => match self.schemas.kind_of(*id) {
                Some(TypeKind::Struct(s)) => {
                    Some(s.fields.iter().map(|f| f.wire.clone()).collect())
                }
                _ => None,
            },
            _ => None,
        };
        let ty = match ty {
            Ty::Nullable(inner) => *inner,
            ty => ty,
        };
        let is_map = |ty: &Ty| match ty {
            Ty::Map(_) => true,
            Ty::Named(id) => matches!(
                self.schemas.kind_of(*id),
                Some(TypeKind::Alias(Ty::Map(_)) | TypeKind::Newtype(Ty::Map(_)))
            ),
            _ => false,
        };
        if querystring && style == Style::Form && object_fields.is_none() && !is_map(&ty) {
            self.schemas.diags.push(
                Diagnostic::warning(
                    pointer,
                    "a `querystring` form must be an object; this parameter is left out",
                )
                .with_hint(
                    "give its schema `type: object` with `properties` (or `additionalProperties`)",
                ),
            );
            return None;
        }
        let required = data.required || location == Location::Path;
        let default = match &data.format {
            ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) if !required => {
                schema.schema_data.default.as_ref().and_then(|value| {
                    self.schemas
                        .literal(&ty, value, &format!("{pointer}/schema/default"))
                })
            }
            _ => None,
        };
        Some(Param {
            name: names.unique(naming::field_name(
                &if location == Location::Header {
                    data.name.to_ascii_lowercase()
                } else {
                    data.name.clone()
                },
                "param",
            )),
            wire: data.name.clone(),
            location,
            ty,
            required,
            default,
            object_fields,
            style,
            explode,
            allow_reserved,
            querystring,
            docs: Docs {
                title: None,
                description: data.description.clone(),
                deprecated: data.deprecated.unwrap_or(false),
            },
        })
    }

    /// The type of a parameter given by `content`: its `media` entry's
    /// schema, or `absent` where it has none.
    fn content_ty(
        &mut self,
        pointer: &str,
        media: &str,
        media_type: &openapiv3::MediaType,
        hint: &str,
        absent: Ty,
    ) -> Ty {
        let media_pointer = join(&format!("{pointer}/content"), media);
        match &media_type.schema {
            Some(schema) => self.schemas.ty(
                SchemaRef::from(schema),
                &format!("{media_pointer}/schema"),
                hint,
            ),
            None => absent,
        }
    }

    /// Parameters carry scalars, lists of scalars, or objects of scalars
    /// (structs and maps); anything else is passed as its raw string, with
    /// a warning.
    fn param_ty(&mut self, ty: Ty, style: Style, pointer: &str) -> Ty {
        // A list parameter keeps its items' rules; its own are not kept.
        let ty = match &ty {
            Ty::Named(id) => match self.schemas.kind_of(*id) {
                Some(TypeKind::Constrained(list @ Ty::List(_), _)) => {
                    let list = list.clone();
                    self.schemas.diags.push(
                        Diagnostic::warning(
                            format!("{pointer}/schema"),
                            "`minItems`, `maxItems` and `uniqueItems` of a parameter are not checked",
                        )
                        .with_hint("check them in the handler"),
                    );
                    list
                }
                _ => ty,
            },
            _ => ty,
        };
        let item = match &ty {
            Ty::List(inner) | Ty::Nullable(inner) => inner,
            other => other,
        };
        let fits = match style {
            // Lists are of scalars: `a,b`.
            _ if self.schemas.is_scalar(item) => true,
            Style::Simple
            | Style::Label
            | Style::Matrix
            | Style::Form
            | Style::SpaceDelimited
            | Style::PipeDelimited
            | Style::TabDelimited
            | Style::DeepObject => self.schemas.is_flat_object(&ty),
            Style::Json => true,
        };
        if fits {
            ty
        } else {
            self.schemas.diags.push(
                Diagnostic::warning(
                    pointer,
                    "parameter of a nested or composite type is passed as its raw string",
                )
                .with_hint("parse the string in the handler"),
            );
            Ty::Prim(Prim::String)
        }
    }

    /// Splits the path template; path parameters it names but does not
    /// declare are added as strings, with a warning.
    /// A webhook's or a callback's parameters: it has no path template,
    /// so path parameters are left out with a warning.
    fn no_path_params(&mut self, params: Vec<Param>) -> Vec<Param> {
        let (path, rest): (Vec<Param>, Vec<Param>) = params
            .into_iter()
            .partition(|p| p.location == Location::Path);
        for p in path {
            self.schemas.diags.push(
                Diagnostic::warning(
                    self.pointer,
                    format!(
                        "path parameter `{}` of a webhook is left out: a webhook has no path",
                        p.wire
                    ),
                )
                .with_hint("send it in the body, a header or the query"),
            );
        }
        rest
    }

    fn segments(&mut self, path: &str, mut params: Vec<Param>) -> (Vec<PathSegment>, Vec<Param>) {
        let mut segments = Vec::new();
        let mut rest = path;
        let mut names = Namespace::reserving(naming::REQUEST_FIELDS.iter().copied());
        names.reserve(params.iter().map(|p| p.name.as_str()));
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let wire = &rest[open + 1..close];
            let index = match params
                .iter()
                .position(|p| p.location == Location::Path && p.wire == wire)
            {
                Some(i) => i,
                None => {
                    self.schemas.diags.push(
                        Diagnostic::warning(self.pointer, format!("path parameter `{wire}` is not declared; taken as a string"))
                            .with_hint(format!("declare `{{name: {wire}, in: path, required: true, schema: {{type: string}}}}`")),
                    );
                    params.push(Param {
                        name: names.unique(naming::field_name(wire, "param")),
                        wire: wire.to_owned(),
                        location: Location::Path,
                        ty: Ty::Prim(Prim::String),
                        required: true,
                        default: None,
                        object_fields: None,
                        style: Style::Simple,
                        explode: false,
                        allow_reserved: false,
                        querystring: false,
                        docs: Docs::default(),
                    });
                    params.len() - 1
                }
            };
            segments.push(PathSegment::Param(index));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
        }
        let used: Vec<usize> = segments
            .iter()
            .filter_map(|s| {
                if let PathSegment::Param(i) = s {
                    Some(*i)
                } else {
                    None
                }
            })
            .collect();
        for (i, p) in params.iter_mut().enumerate() {
            if p.location == Location::Path && !used.contains(&i) {
                self.schemas.diags.push(
                    Diagnostic::warning(
                        self.pointer,
                        format!("path parameter `{}` is not in the path `{path}`", p.wire),
                    )
                    .with_hint("remove the parameter or add it to the path"),
                );
                // No request carries it, so it is optional (the server
                // has `None`; a required field of a type without a
                // `Default`, an enum, could not be made).
                p.required = false;
            }
        }
        // Declared-but-unused path parameters stay in the request type so
        // that nothing the spec names is dropped; they are simply not sent.
        (segments, params)
    }

    /// The request body, one [`Body`] per media type in the spec's order
    /// (none if it does not resolve or has no media type).
    fn bodies(&mut self, body: &ReferenceOr<RequestBody>) -> Vec<Body> {
        let pointer = format!("{}/requestBody", self.pointer);
        let body = match resolve(&self.loaded.raw, body, &pointer) {
            Ok(b) => b,
            Err(d) => {
                self.schemas.diags.push(d);
                return Vec::new();
            }
        };
        let content = self.distinct_media(&body.content, &format!("{pointer}/content"));
        let several = content.len() > 1;
        let mut variants = Namespace::new();
        let mut out = Vec::with_capacity(content.len());
        for (content_type, media_type) in content {
            let mut media = media_rank(content_type).1;
            let media_pointer = join(&format!("{pointer}/content"), content_type);
            let hint = if several {
                format!("{} {} Body", self.type_name, media_variant(content_type))
            } else {
                format!("{} Body", self.type_name)
            };
            let mut multipart = None;
            if is_form_data(content_type) {
                multipart = self.multipart(media_type, &media_pointer, &hint);
            }
            let (ty, parts, examples) = match multipart {
                Some((ty, parts)) => {
                    media = MediaKind::Multipart;
                    // Examples are written as JSON, which files are not.
                    (ty, parts, Vec::new())
                }
                None => {
                    if content_type.starts_with("multipart/") {
                        self.schemas.diags.push(
                            Diagnostic::warning(
                                &media_pointer,
                                "multipart bodies are passed as raw bytes",
                            )
                            .with_hint(
                                "only `multipart/form-data` with an object schema is parsed; encode and decode the parts in the handler",
                            ),
                        );
                    }
                    let examples = self.examples(media_type, &media_pointer);
                    let (ty, examples) = match media {
                        MediaKind::Sequence(sequence) => {
                            let media = super::sequence::Media {
                                sequence,
                                media: media_type,
                                pointer: &media_pointer,
                                hint: &hint,
                            };
                            let item = super::sequence::item(
                                self.loaded,
                                self.schemas,
                                media,
                                examples,
                                None,
                            );
                            (item.ty, item.examples)
                        }
                        _ => (
                            self.body_ty(media, media_type.schema.as_ref(), &media_pointer, &hint),
                            examples,
                        ),
                    };
                    (ty, Vec::new(), examples)
                }
            };
            out.push(Body {
                variant: variants.unique(media_variant(content_type)),
                media,
                content_type: content_type.clone(),
                ty,
                parts,
                examples,
                required: body.required,
                docs: Docs {
                    description: body.description.clone(),
                    ..Docs::default()
                },
            });
        }
        out
    }

    /// The media types of `content` (at `pointer`) that can be told apart:
    /// one that is an earlier one but for case and parameters
    /// (`text/plain; charset=utf-8` after `text/plain`) is left out, with
    /// a warning, since `Content-Type` cannot choose between them.
    fn distinct_media<'c>(
        &mut self,
        content: &'c indexmap::IndexMap<String, openapiv3::MediaType>,
        pointer: &str,
    ) -> Vec<(&'c String, &'c openapiv3::MediaType)> {
        let mut out: Vec<(&String, &openapiv3::MediaType)> = Vec::with_capacity(content.len());
        for (content_type, media_type) in content {
            let essence = crate::ir::essence(content_type);
            match out.iter().find(|(c, _)| crate::ir::essence(c) == essence) {
                Some((first, _)) => self.schemas.diags.push(
                    Diagnostic::warning(
                        join(pointer, content_type),
                        format!("media type `{content_type}` is `{first}` again; left out"),
                    )
                    .with_hint("describe each media type once; parameters such as `charset` do not tell bodies apart"),
                ),
                None => out.push((content_type, media_type)),
            }
        }
        out
    }

    /// A media type's `example` and the values of its `examples` (external
    /// ones are not fetched), each with its pointer.
    fn examples(
        &mut self,
        media: &openapiv3::MediaType,
        pointer: &str,
    ) -> Vec<(String, serde_json::Value)> {
        let mut out = Vec::new();
        if let Some(value) = &media.example {
            out.push((format!("{pointer}/example"), value.clone()));
        }
        for (name, example) in &media.examples {
            let at = join(&format!("{pointer}/examples"), name);
            match resolve(&self.loaded.raw, example, &at) {
                Ok(openapiv3::Example {
                    value: Some(value), ..
                }) => out.push((at, value)),
                Ok(_) => {}
                Err(d) => self.schemas.diags.push(d),
            }
        }
        // Examples written as JSON text (a common way to keep formatting)
        // stand for the JSON they hold.
        for (_, value) in &mut out {
            if let Some(parsed) = value
                .as_str()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                .filter(|v| v.is_object() || v.is_array())
            {
                *value = parsed;
            }
        }
        out
    }

    /// A `multipart/form-data` body whose schema is an object with
    /// properties: its struct, with `format: binary` properties as files,
    /// and how each property travels (`encoding`, else OpenAPI's
    /// defaults). `None` for any other schema (the body stays bytes).
    fn multipart(
        &mut self,
        media_type: &openapiv3::MediaType,
        pointer: &str,
        hint: &str,
    ) -> Option<(Ty, Vec<Part>)> {
        let schema = media_type.schema.as_ref()?;
        let schema_pointer = format!("{pointer}/schema");
        let doc = &self.loaded.raw;
        // The body itself may be a `$ref` (`components/requestBodies`): then
        // the schema is read back from what `openapiv3` parsed.
        let parsed;
        let start = match doc.pointer(&schema_pointer) {
            Some(value) => value,
            None => {
                parsed = serde_json::to_value(schema).ok()?;
                &parsed
            }
        };
        let raw = follow(doc, start)?;
        let properties = raw.get("properties")?.as_object()?;
        // Which properties are files (`format: binary`, items too).
        let mut files = Vec::new();
        for (name, property) in properties {
            let property = follow(doc, property);
            let items = property
                .and_then(|p| p.get("items"))
                .and_then(|i| follow(doc, i));
            if property.is_some_and(raw_is_binary) || items.is_some_and(raw_is_binary) {
                files.push(name.clone());
            }
        }
        let ty = self
            .schemas
            .ty(SchemaRef::from(schema), &schema_pointer, hint);
        let Ty::Named(id) = ty else { return None };
        let fields = self.schemas.fields_mut(id)?;
        if fields.is_empty() {
            return None;
        }
        for field in fields.iter_mut() {
            if files.contains(&field.wire) {
                field.ty = as_file(&field.ty);
            }
        }
        let fields: Vec<(String, Ty)> = fields
            .iter()
            .map(|f| (f.wire.clone(), f.ty.clone()))
            .collect();
        let mut parts = Vec::with_capacity(fields.len());
        for (wire, ty) in fields {
            let given = media_type
                .encoding
                .get(&wire)
                .and_then(|e| e.content_type.as_deref())
                .and_then(|c| c.split(',').next())
                .map(str::trim)
                .filter(|c| !c.is_empty());
            let (mut kind, repeated) = match &ty {
                Ty::List(item) => match self.part_kind(item) {
                    PartKind::Json => (PartKind::Json, false),
                    kind => (kind, true),
                },
                other => (self.part_kind(other), false),
            };
            if given.is_some_and(|c| media_rank(c).1 == MediaKind::Json && c != "*/*")
                && !matches!(kind, PartKind::File | PartKind::Bytes)
            {
                kind = PartKind::Json;
            }
            let default = match kind {
                PartKind::Text { .. } => "text/plain",
                PartKind::Json => "application/json",
                PartKind::File | PartKind::Bytes => "application/octet-stream",
            };
            parts.push(Part {
                wire,
                kind,
                content_type: given.unwrap_or(default).to_owned(),
                repeated,
            });
        }
        Some((ty, parts))
    }

    /// How a value of `ty` travels as one part: files and bytes raw,
    /// primitives (enums and constrained ones too) as text, else JSON.
    fn part_kind(&self, ty: &Ty) -> PartKind {
        let mut ty = ty;
        for _ in 0..32 {
            match ty {
                Ty::Nullable(inner) => ty = inner,
                Ty::Prim(Prim::File) => return PartKind::File,
                Ty::Prim(Prim::Base64) => return PartKind::Bytes,
                Ty::Prim(p) => return PartKind::Text { quoted: quoted(*p) },
                Ty::Named(id) => match self.schemas.kind_of(*id) {
                    Some(TypeKind::Enum(e)) => return PartKind::Text { quoted: !e.integer },
                    Some(TypeKind::Constrained(Ty::Prim(p), _)) if *p != Prim::Base64 => {
                        return PartKind::Text { quoted: quoted(*p) };
                    }
                    Some(TypeKind::Alias(inner)) => ty = inner,
                    _ => return PartKind::Json,
                },
                _ => return PartKind::Json,
            }
        }
        PartKind::Json
    }

    fn body_ty(
        &mut self,
        media: MediaKind,
        schema: Option<&ReferenceOr<openapiv3::Schema>>,
        pointer: &str,
        hint: &str,
    ) -> Ty {
        match media {
            MediaKind::Binary | MediaKind::Multipart => Ty::Prim(Prim::Bytes),
            MediaKind::Text => Ty::Prim(Prim::String),
            MediaKind::Sequence(_) => unreachable!("items are typed by `sequence::item`"),
            MediaKind::Json | MediaKind::Form => match schema {
                Some(s) if media == MediaKind::Json && is_binary(SchemaRef::from(s)) => Ty::Any,
                Some(s) => self
                    .schemas
                    .ty(SchemaRef::from(s), &format!("{pointer}/schema"), hint),
                None => Ty::Any,
            },
        }
    }

    fn responses(&mut self, responses: &openapiv3::Responses) -> Vec<crate::ir::Response> {
        let pointer = format!("{}/responses", self.pointer);
        let mut variants = Namespace::new();
        let mut out = Vec::new();
        let entries = responses
            .responses
            .iter()
            .map(|(code, r)| {
                let status = match code {
                    StatusCode::Code(c) => StatusMatch::Code(*c),
                    StatusCode::Range(r) => StatusMatch::Range(*r as u8),
                };
                (status, code.to_string(), r)
            })
            .chain(
                responses
                    .default
                    .iter()
                    .map(|r| (StatusMatch::Default, "default".to_owned(), r)),
            );
        for (status, key, response) in entries {
            let response_pointer = join(&pointer, &key);
            if let StatusMatch::Code(c) = status {
                if !(100..=599).contains(&c) {
                    self.schemas.diags.push(
                        Diagnostic::warning(
                            &response_pointer,
                            format!("status {c} is not an HTTP status; left out"),
                        )
                        .with_hint("use a code from 100 to 599"),
                    );
                    continue;
                }
            }
            let response: Response = match resolve(&self.loaded.raw, response, &response_pointer) {
                Ok(r) => r,
                Err(d) => {
                    self.schemas.diags.push(d);
                    continue;
                }
            };
            let variant = variants.unique(match status {
                StatusMatch::Code(c) => naming::status_variant(c),
                StatusMatch::Range(r) => naming::range_variant(r),
                StatusMatch::Default => "Default".into(),
            });
            let content =
                self.distinct_media(&response.content, &format!("{response_pointer}/content"));
            let several = content.len() > 1;
            let mut media_variants = Namespace::new();
            let mut bodies = Vec::with_capacity(content.len());
            for (content_type, media_type) in content {
                let media = media_rank(content_type).1;
                let media_pointer = join(&format!("{response_pointer}/content"), content_type);
                let hint = if several {
                    format!(
                        "{} {variant} {} Body",
                        self.type_name,
                        media_variant(content_type)
                    )
                } else {
                    format!("{} {variant} Body", self.type_name)
                };
                let examples = self.examples(media_type, &media_pointer);
                let (ty, examples, sentinel) = match media {
                    MediaKind::Sequence(sequence) => {
                        let media = super::sequence::Media {
                            sequence,
                            media: media_type,
                            pointer: &media_pointer,
                            hint: &hint,
                        };
                        let description = Some(response.description.as_str());
                        let item = super::sequence::item(
                            self.loaded,
                            self.schemas,
                            media,
                            examples,
                            description,
                        );
                        (item.ty, item.examples, item.sentinel)
                    }
                    _ => {
                        let schema = media_type.schema.as_ref();
                        let ty = self.body_ty(media, schema, &media_pointer, &hint);
                        (ty, examples, None)
                    }
                };
                bodies.push(ResponseBody {
                    variant: media_variants.unique(media_variant(content_type)),
                    media,
                    content_type: content_type.clone(),
                    ty,
                    examples,
                    sentinel,
                });
            }
            let headers = self.headers(&response, &response_pointer, &variant);
            out.push(crate::ir::Response {
                status,
                variant,
                docs: Docs {
                    description: Some(response.description.clone()).filter(|d| !d.is_empty()),
                    ..Docs::default()
                },
                preferred_body: preferred(&bodies, |b| &b.content_type),
                bodies,
                body_type: None,
                headers,
            });
        }
        if out.is_empty() {
            self.schemas.diags.push(
                Diagnostic::warning(
                    &pointer,
                    "operation documents no responses; any status with any JSON body is allowed",
                )
                .with_hint("document at least the successful response"),
            );
            out.push(crate::ir::Response {
                status: StatusMatch::Default,
                variant: "Default".into(),
                docs: Docs::default(),
                bodies: vec![ResponseBody {
                    variant: "Json".into(),
                    media: MediaKind::Json,
                    content_type: "application/json".into(),
                    ty: Ty::Any,
                    examples: Vec::new(),
                    sentinel: None,
                }],
                preferred_body: 0,
                body_type: None,
                headers: Vec::new(),
            });
        }
        out
    }

    fn headers(&mut self, response: &Response, pointer: &str, variant: &str) -> Vec<Header> {
        let mut names = Namespace::reserving(naming::RESPONSE_FIELDS.iter().copied());
        let mut locals = Namespace::reserving(
            naming::RESPONSE_WRITER_LOCALS
                .iter()
                .chain(naming::SERVER_NAMES)
                .copied(),
        );
        let mut out = Vec::new();
        for (name, header) in &response.headers {
            let header_pointer = join(&format!("{pointer}/headers"), name);
            if name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            if !is_token(name) {
                self.schemas.diags.push(
                    Diagnostic::warning(
                        &header_pointer,
                        format!("`{name}` cannot be a header's name; the header is left out"),
                    )
                    .with_hint("a header's name is letters, digits and `!#$%&'*+-.^_`|~`"),
                );
                continue;
            }
            let header = match resolve(&self.loaded.raw, header, &header_pointer) {
                Ok(h) => h,
                Err(d) => {
                    self.schemas.diags.push(d);
                    continue;
                }
            };
            let ty = match &header.format {
                ParameterSchemaOrContent::Schema(s) => {
                    let ty = self.schemas.ty(
                        SchemaRef::from(s),
                        &format!("{header_pointer}/schema"),
                        &format!("{} {variant} {name}", self.type_name),
                    );
                    let ty = match ty {
                        Ty::Nullable(inner) => *inner,
                        ty => ty,
                    };
                    if self.schemas.is_scalar(&ty) {
                        ty
                    } else {
                        Ty::Prim(Prim::String)
                    }
                }
                ParameterSchemaOrContent::Content(_) => Ty::Prim(Prim::String),
            };
            // `ETag` → `etag`, not `e_tag`: header names are case-insensitive.
            let field = names.unique(naming::field_name(&name.to_ascii_lowercase(), "header"));
            out.push(Header {
                local: locals.unique(field.clone()),
                name: field,
                wire: name.to_ascii_lowercase(),
                ty,
                required: header.required,
                docs: Docs {
                    description: header.description.clone(),
                    ..Docs::default()
                },
            });
        }
        out
    }

    fn security(
        &mut self,
        requirements: Option<&Vec<openapiv3::SecurityRequirement>>,
        scheme_ids: &std::collections::HashMap<String, usize>,
        own: bool,
    ) -> Option<Vec<Requirement>> {
        let requirements = requirements?;
        let pointer = if own {
            format!("{}/security", self.pointer)
        } else {
            "/security".to_owned()
        };
        let declared = self
            .loaded
            .doc
            .components
            .as_ref()
            .map(|c| &c.security_schemes);
        let mut out = Vec::new();
        for (i, requirement) in requirements.iter().enumerate() {
            let mut and = Vec::new();
            let mut meetable = true;
            for (key, scopes) in requirement {
                match scheme_ids.get(key) {
                    Some(id) => and.push((*id, scopes.clone())),
                    // Reported where it is declared.
                    None if declared.is_some_and(|d| d.contains_key(key)) => meetable = false,
                    None => {
                        self.schemas.diags.push(
                            Diagnostic::warning(
                                format!("{pointer}/{i}"),
                                format!("security scheme `{key}` is not declared; no request can meet this requirement"),
                            )
                            .with_hint("declare it under `components/securitySchemes`; where no other requirement is met, the operation answers 401"),
                        );
                        meetable = false;
                    }
                }
            }
            if meetable {
                out.push(Requirement(and));
            }
        }
        // `[]`, or a requirement that names no scheme (`[{}]`): nothing to
        // check. Requirements that no request can meet are left out; where
        // that leaves none, nobody may call (`Some(vec![])`), which is what
        // the spec asks, rather than everybody.
        if requirements.is_empty() || (!out.is_empty() && out.iter().all(|r| r.0.is_empty())) {
            None
        } else {
            Some(out)
        }
    }
}

fn location_of(p: &Parameter) -> Location {
    match p {
        Parameter::Query { .. } => Location::Query,
        Parameter::Header { .. } => Location::Header,
        Parameter::Path { .. } => Location::Path,
        Parameter::Cookie { .. } => Location::Cookie,
    }
}

impl Schemas<'_> {
    /// An object whose properties are scalars, which the parameter styles
    /// can write.
    pub(crate) fn is_flat_object(&self, ty: &Ty) -> bool {
        let scalar = |t: &Ty| match t {
            Ty::Nullable(inner) => self.is_scalar(inner),
            t => self.is_scalar(t),
        };
        match ty {
            Ty::Map(inner) => self.is_scalar(inner),
            // Properties it does not name are strings on the wire, which
            // any JSON value holds.
            Ty::Named(id) => matches!(
                self.kind_of(*id),
                Some(TypeKind::Struct(s))
                    if s.additional.as_ref().is_none_or(|a| matches!(a, Ty::Any) || self.is_scalar(a))
                        && s.fields.iter().all(|f| scalar(&f.ty))
            ),
            _ => false,
        }
    }

    /// Whether values of `ty` travel as one plain string (parameters,
    /// headers): numbers, booleans, strings and string enums.
    pub(crate) fn is_scalar(&self, ty: &Ty) -> bool {
        let mut ty = ty;
        // Aliases of aliases, a bounded number of times (they may be cyclic).
        for _ in 0..16 {
            match ty {
                Ty::Prim(p) => return *p != Prim::Bytes,
                Ty::Named(id) => match self.kind_of(*id) {
                    Some(TypeKind::Enum(_)) => return true,
                    Some(TypeKind::Constrained(Ty::Prim(p), _)) => return *p != Prim::Bytes,
                    Some(TypeKind::Alias(inner)) => ty = inner,
                    _ => return false,
                },
                _ => return false,
            }
        }
        false
    }
}

/// `application/json` and `+json` media types.
fn is_json(media: &str) -> bool {
    let essence = crate::ir::essence(media);
    essence == "application/json" || essence.ends_with("+json")
}

/// Whether a media type is `multipart/form-data` (parameters aside).
fn is_form_data(content_type: &str) -> bool {
    crate::ir::essence(content_type) == "multipart/form-data"
}

/// `value`, or what its `$ref` chain (in this document) ends at.
fn follow<'v>(
    doc: &'v serde_json::Value,
    value: &'v serde_json::Value,
) -> Option<&'v serde_json::Value> {
    let mut value = value;
    for _ in 0..32 {
        match value.get("$ref").and_then(serde_json::Value::as_str) {
            Some(reference) => value = super::pointer(doc, reference.strip_prefix('#')?)?,
            None => return Some(value),
        }
    }
    None
}

/// A raw schema of `type: string, format: binary`.
fn raw_is_binary(schema: &serde_json::Value) -> bool {
    schema.get("format").and_then(serde_json::Value::as_str) == Some("binary")
        && schema.get("type").is_none_or(|t| {
            t == "string"
                || t.as_array()
                    .is_some_and(|a| a.iter().any(|t| t == "string"))
        })
}

/// A string (or list of strings) made a file.
fn as_file(ty: &Ty) -> Ty {
    match ty {
        Ty::Prim(Prim::String) => Ty::Prim(Prim::File),
        Ty::List(inner) => Ty::List(Box::new(as_file(inner))),
        Ty::Nullable(inner) => Ty::Nullable(Box::new(as_file(inner))),
        other => other.clone(),
    }
}

/// Whether a primitive's JSON form is a string.
fn quoted(p: Prim) -> bool {
    !matches!(
        p,
        Prim::Bool | Prim::I32 | Prim::I64 | Prim::F32 | Prim::F64
    )
}

/// How a media type is read and written, and how much it is preferred
/// where one must be chosen (lower first): JSON, then forms, text, and
/// anything else as bytes.
fn media_rank(content_type: &str) -> (u8, MediaKind) {
    let essence = crate::ir::essence(content_type);
    let essence = essence.as_str();
    if let Some(sequence) = super::sequence::sequence(essence) {
        (3, MediaKind::Sequence(sequence))
    } else if is_json(essence) {
        (0, MediaKind::Json)
    } else if essence.contains("json") || essence == "*/*" {
        (1, MediaKind::Json)
    } else if essence == "application/x-www-form-urlencoded" {
        (2, MediaKind::Form)
    } else if essence.starts_with("text/") {
        (4, MediaKind::Text)
    } else {
        (5, MediaKind::Binary)
    }
}

/// The body enum's variant for a media type: `Json`, `Form`, `Multipart`,
/// `Text`, `Binary`, `Any`, else the subtype (`application/xml` → `Xml`),
/// or the type of a range (`image/*` → `Image`).
fn media_variant(content_type: &str) -> String {
    let essence = crate::ir::essence(content_type);
    let essence = essence.as_str();
    match essence {
        "application/json" => "Json".to_owned(),
        "text/event-stream" => "EventStream".to_owned(),
        "application/json-seq" => "JsonSeq".to_owned(),
        _ if super::sequence::sequence(essence).is_some() => "JsonLines".to_owned(),
        "application/x-www-form-urlencoded" => "Form".to_owned(),
        "multipart/form-data" => "Multipart".to_owned(),
        "text/plain" => "Text".to_owned(),
        "application/octet-stream" => "Binary".to_owned(),
        "*/*" => "Any".to_owned(),
        _ => {
            // `image/*` → `Image`, `application/xml` → `Xml`.
            let (kind, subtype) = essence.split_once('/').unwrap_or((essence, ""));
            let name = if subtype == "*" { kind } else { subtype };
            naming::type_name(name, "Media")
        }
    }
}

/// The index of the preferred media type among `bodies` (JSON, then forms,
/// text, anything else; the first of equals).
fn preferred<B>(bodies: &[B], content_type: impl Fn(&B) -> &str) -> usize {
    (0..bodies.len())
        .min_by_key(|&i| media_rank(content_type(&bodies[i])).0)
        .unwrap_or(0)
}
