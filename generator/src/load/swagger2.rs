//! Swagger 2.0 read natively: the document is converted on load into the
//! OpenAPI 3.0.3 form that the rest of `load` normalizes, as
//! swagger2openapi (the reference converter, `swagger2openapi@7.0.8`)
//! converts it, and every place of the converted document that came from
//! somewhere else in the 2.0 document is recorded ([`Origins`]), so that
//! diagnostics point at the 2.0 document's own pointers and lines.
//!
//! What moves:
//!
//! | 2.0 | 3.0 |
//! | --- | --- |
//! | `definitions` | `components/schemas` |
//! | `parameters` (not `body`/`formData`) | `components/parameters`, type keywords under `schema` |
//! | `responses` | `components/responses` |
//! | `securityDefinitions` | `components/securitySchemes` (`basic` → `http`; `oauth2` flows) |
//! | `host`, `basePath`, `schemes` | `servers` |
//! | `in: body` | `requestBody`, one media type per `consumes` |
//! | `in: formData` | `requestBody` of `multipart/form-data` (when consumed) or `application/x-www-form-urlencoded`, one property each |
//! | `type: file` | `type: string, format: binary` |
//! | response `schema`, `examples` | `content`, one media type per `produces` |
//! | `collectionFormat` | `style` and `explode`; `tsv` as `x-collectionFormat: tsv` |
//! | `x-nullable`, `x-isnullable` | `nullable` |
//! | `discriminator: name` | `discriminator: {propertyName: name}` |
//! | `x-example` | `example` |
//! | `#/definitions/`, `#/parameters/`, `#/responses/` | `#/components/...` |
//!
//! What cannot be said in 3.0 is a warning with the 2.0 pointer, never
//! dropped in silence.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, Diagnostics, join};

/// Converted pointer prefixes → the 2.0 pointers they came from.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// Prefix → (original, whether what is below the prefix is below the
    /// original too: `false` for places made of one 2.0 value, such as a
    /// server made of `host`).
    map: HashMap<String, (String, bool)>,
}

impl Origins {
    fn add(&mut self, converted: impl Into<String>, original: impl Into<String>) {
        self.map.insert(converted.into(), (original.into(), true));
    }

    /// Everything below `converted` came from `original` itself.
    fn add_whole(&mut self, converted: impl Into<String>, original: impl Into<String>) {
        self.map.insert(converted.into(), (original.into(), false));
    }

    /// The 2.0 pointer of a place of the converted document: its longest
    /// recorded prefix replaced by where that came from (a place that did
    /// not move is where it was).
    pub fn original(&self, pointer: &str) -> String {
        let mut prefix = pointer;
        loop {
            if let Some((original, below)) = self.map.get(prefix) {
                return if *below {
                    format!("{original}{}", &pointer[prefix.len()..])
                } else {
                    original.clone()
                };
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => return pointer.to_owned(),
            }
        }
    }
}

/// How the converted document's places are named in messages, and what
/// they were called in 2.0.
const TERMS: [(&str, &str); 5] = [
    ("#/components/schemas/", "#/definitions/"),
    ("#/components/parameters/", "#/parameters/"),
    ("#/components/responses/", "#/responses/"),
    ("`components/schemas`", "`definitions`"),
    ("`components/securitySchemes`", "`securityDefinitions`"),
];

impl Origins {
    /// A diagnostic about the converted document, said of the 2.0 one:
    /// its pointer, and the places its message and hint name.
    pub(crate) fn restate(&self, d: &mut Diagnostic) {
        d.pointer = self.original(&d.pointer);
        for text in std::iter::once(&mut d.message).chain(d.hint.as_mut()) {
            for (new, old) in TERMS {
                if text.contains(new) {
                    *text = text.replace(new, old);
                }
            }
        }
    }
}

/// The converted document, where its parts came from, and what could not
/// be converted (with 2.0 pointers).
pub struct Converted {
    pub doc: Value,
    pub origins: Origins,
    pub diagnostics: Diagnostics,
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// The keywords of a 2.0 non-body parameter, header or `items` that are
/// its schema's in 3.0 (swagger2openapi's `parameterTypeProperties`).
const TYPE_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "additionalProperties",
    "pattern",
    "enum",
    "default",
];

/// Converts a Swagger 2.0 document (`swagger: "2.0"`) to OpenAPI 3.0.3.
pub fn convert(doc: &Value) -> Converted {
    let empty = Map::new();
    let src = doc.as_object().unwrap_or(&empty);
    let mut c = Converter {
        src,
        origins: Origins::default(),
        diags: Diagnostics::default(),
        consumes: media_list(src.get("consumes")),
        produces: media_list(src.get("produces")),
        body_params: HashMap::new(),
    };
    let doc = c.document();
    Converted {
        doc,
        origins: c.origins,
        diagnostics: c.diags,
    }
}

struct Converter<'a> {
    src: &'a Map<String, Value>,
    origins: Origins,
    diags: Diagnostics,
    /// The document's `consumes` and `produces`.
    consumes: Option<Vec<String>>,
    produces: Option<Vec<String>>,
    /// `#/parameters/<name>` of the global `body` and `formData`
    /// parameters: they become parts of each operation's request body.
    body_params: HashMap<String, Value>,
}

/// What an operation's `body` and `formData` parameters make.
#[derive(Default)]
struct BodyParts {
    /// The `body` parameter and its pointer.
    body: Option<(Value, String)>,
    /// The `formData` parameters (and `type: file` ones elsewhere) with
    /// their pointers.
    form: Vec<(Value, String)>,
}

impl Converter<'_> {
    fn document(&mut self) -> Value {
        let src = self.src;
        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        for (key, value) in src {
            match key.as_str() {
                "swagger"
                | "host"
                | "basePath"
                | "schemes"
                | "consumes"
                | "produces"
                | "definitions"
                | "parameters"
                | "responses"
                | "securityDefinitions"
                | "paths" => {}
                "x-ms-paths" => {
                    self.diags.push(
                        Diagnostic::warning(
                            "/x-ms-paths",
                            "the operations under `x-ms-paths` are not generated",
                        )
                        .with_hint("AutoRest's `x-ms-paths` has no OpenAPI form: move the operations under `paths`"),
                    );
                    out.insert(key.clone(), value.clone());
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
            let servers = if key == "info" { self.servers() } else { None };
            if let Some(servers) = servers {
                out.insert("servers".into(), servers);
            }
        }
        let servers = if out.contains_key("servers") || src.contains_key("info") {
            None
        } else {
            self.servers()
        };
        if let Some(servers) = servers {
            out.insert("servers".into(), servers);
        }
        // Global body and form parameters are taken apart where used.
        if let Some(Value::Object(params)) = src.get("parameters") {
            for (name, param) in params {
                if is_body_or_form(param) {
                    self.body_params.insert(name.clone(), param.clone());
                }
            }
        }
        let mut paths = Map::new();
        if let Some(Value::Object(items)) = src.get("paths") {
            for (path, item) in items {
                let pointer = join("/paths", path);
                paths.insert(path.clone(), self.path_item(item, &pointer));
            }
        }
        out.insert("paths".into(), Value::Object(paths));
        let components = self.components();
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        // `security` keeps its place in the key order above.
        let mut doc = Value::Object(out);
        rewrite_refs(&mut doc, 0);
        doc
    }

    /// `host`, `basePath` and `schemes` as `servers`: one per scheme, as
    /// swagger2openapi writes them; without `schemes`, `https`.
    fn servers(&mut self) -> Option<Value> {
        let src = self.src;
        let base = src
            .get("basePath")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end_matches('/');
        match src.get("host").and_then(Value::as_str) {
            Some(host) => {
                let schemes: Vec<&str> = match src.get("schemes") {
                    Some(Value::Array(s)) if !s.is_empty() => {
                        s.iter().filter_map(Value::as_str).collect()
                    }
                    _ => vec!["https"],
                };
                self.origins.add_whole("/servers", "/host");
                Some(Value::Array(
                    schemes
                        .iter()
                        .map(|scheme| server(&format!("{scheme}://{host}{base}")))
                        .collect(),
                ))
            }
            None if src.contains_key("basePath") => {
                self.origins.add_whole("/servers", "/basePath");
                let base = if base.is_empty() { "/" } else { base };
                Some(json!([server(base)]))
            }
            None => None,
        }
    }

    fn components(&mut self) -> Map<String, Value> {
        let src = self.src;
        let mut components = Map::new();
        if let Some(Value::Object(definitions)) = src.get("definitions") {
            self.origins.add("/components/schemas", "/definitions");
            let mut schemas = definitions.clone();
            for schema in schemas.values_mut() {
                fix_schema(schema, 0);
            }
            components.insert("schemas".into(), Value::Object(schemas));
        }
        if let Some(Value::Object(params)) = src.get("parameters") {
            let mut out = Map::new();
            for (name, param) in params {
                if is_body_or_form(param) {
                    continue;
                }
                let from = join("/parameters", name);
                let to = join("/components/parameters", name);
                if let Some(param) = self.parameter(param, &from, &to) {
                    out.insert(name.clone(), param);
                }
            }
            if !out.is_empty() {
                components.insert("parameters".into(), Value::Object(out));
            }
        }
        if let Some(Value::Object(responses)) = src.get("responses") {
            let mut out = Map::new();
            let produces = self.produces.clone();
            for (name, response) in responses {
                let from = join("/responses", name);
                let to = join("/components/responses", name);
                out.insert(
                    name.clone(),
                    self.response(response, produces.as_deref(), &from, &to),
                );
            }
            components.insert("responses".into(), Value::Object(out));
        }
        if let Some(Value::Object(schemes)) = src.get("securityDefinitions") {
            self.origins
                .add("/components/securitySchemes", "/securityDefinitions");
            let mut out = Map::new();
            for (name, scheme) in schemes {
                let to = join("/components/securitySchemes", name);
                let from = join("/securityDefinitions", name);
                let converted = security_scheme(scheme);
                self.origins.add_whole(format!("{to}/flows"), from);
                out.insert(name.clone(), converted);
            }
            components.insert("securitySchemes".into(), Value::Object(out));
        }
        components
    }

    fn path_item(&mut self, item: &Value, pointer: &str) -> Value {
        let Some(item) = item.as_object() else {
            return item.clone();
        };
        // Path-level parameters: the others stay; body and form ones go
        // into each operation that does not declare its own of that name.
        let mut shared_body = Vec::new();
        let mut out = Map::new();
        let params_pointer = format!("{pointer}/parameters");
        if let Some(Value::Array(params)) = item.get("parameters") {
            let mut kept = Vec::new();
            for (i, param) in params.iter().enumerate() {
                let from = format!("{params_pointer}/{i}");
                let resolved = self.resolve_param(param);
                if is_body_or_form(&resolved) {
                    shared_body.push((resolved, from));
                    continue;
                }
                let to = format!("{params_pointer}/{}", kept.len());
                if let Some(param) = self.parameter(param, &from, &to) {
                    kept.push(param);
                }
            }
            if !kept.is_empty() {
                out.insert("parameters".into(), Value::Array(kept));
            }
        }
        for (key, value) in item {
            if key == "parameters" {
                continue;
            }
            if METHODS.contains(&key.as_str()) {
                let op_pointer = join(pointer, key);
                out.insert(
                    key.clone(),
                    self.operation(value, &op_pointer, &shared_body),
                );
            } else {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    /// A parameter as written, or what its local `#/parameters/` reference
    /// names.
    fn resolve_param(&self, param: &Value) -> Value {
        if let Some(name) = param
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/parameters/"))
        {
            let name = unescape(&crate::load::decode_fragment(name));
            if let Some(target) = self.body_params.get(&name) {
                return target.clone();
            }
        }
        param.clone()
    }

    fn operation(&mut self, op: &Value, pointer: &str, shared_body: &[(Value, String)]) -> Value {
        let Some(op) = op.as_object() else {
            return op.clone();
        };
        let consumes = match op.get("consumes") {
            Some(v) => media_list(Some(v)),
            None => self.consumes.clone(),
        };
        let produces = match op.get("produces") {
            Some(v) => media_list(Some(v)),
            None => self.produces.clone(),
        };
        let params_pointer = format!("{pointer}/parameters");
        let mut params = Vec::new();
        let mut parts = BodyParts::default();
        let declared: Vec<(String, String)> = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| {
                let p = self.resolve_param(p);
                (str_of(&p, "name"), str_of(&p, "in"))
            })
            .collect();
        for (param, from) in shared_body {
            let key = (str_of(param, "name"), str_of(param, "in"));
            if !declared.contains(&key) {
                self.body_part(param.clone(), from.clone(), &mut parts);
            }
        }
        if let Some(Value::Array(list)) = op.get("parameters") {
            for (i, param) in list.iter().enumerate() {
                let from = format!("{params_pointer}/{i}");
                let resolved = self.resolve_param(param);
                if is_body_or_form(&resolved) || is_file(&resolved) {
                    self.body_part(resolved, from, &mut parts);
                    continue;
                }
                let to = format!("{params_pointer}/{}", params.len());
                if let Some(param) = self.parameter(param, &from, &to) {
                    params.push(param);
                }
            }
        }
        let mut out = Map::new();
        for (key, value) in op {
            match key.as_str() {
                "consumes" | "produces" | "schemes" => {}
                "parameters" => {
                    if !params.is_empty() {
                        out.insert(
                            "parameters".into(),
                            Value::Array(std::mem::take(&mut params)),
                        );
                    }
                    if let Some(body) = self.request_body(&mut parts, consumes.as_deref(), pointer)
                    {
                        out.insert("requestBody".into(), body);
                    }
                }
                "responses" => {
                    let mut responses = Map::new();
                    if let Some(map) = value.as_object() {
                        for (status, response) in map {
                            let at = join(&format!("{pointer}/responses"), status);
                            let response = if status.starts_with("x-") {
                                response.clone()
                            } else {
                                self.response(response, produces.as_deref(), &at, &at)
                            };
                            responses.insert(status.clone(), response);
                        }
                    }
                    out.insert("responses".into(), Value::Object(responses));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        // Shared body parts of an operation without parameters of its own.
        if let Some(body) = self.request_body(&mut parts, consumes.as_deref(), pointer) {
            out.insert("requestBody".into(), body);
        }
        // swagger2openapi gives an operation without responses a default.
        out.entry("responses")
            .or_insert_with(|| json!({ "default": { "description": "Default response" } }));
        Value::Object(out)
    }

    /// Files a `body`, `formData` or `type: file` parameter into `parts`;
    /// a second body, or a body beside form fields, is left out with a
    /// warning.
    fn body_part(&mut self, param: Value, from: String, parts: &mut BodyParts) {
        let is_body = str_of(&param, "in") == "body";
        let conflict = if is_body {
            parts.body.is_some() || !parts.form.is_empty()
        } else {
            parts.body.is_some()
        };
        if conflict {
            let name = str_of(&param, "name");
            self.diags.push(
                Diagnostic::warning(
                    &from,
                    format!(
                        "parameter `{name}` is left out: the operation has a request body already"
                    ),
                )
                .with_hint(
                    "an operation has one `in: body` parameter or `in: formData` ones, not both",
                ),
            );
            return;
        }
        if is_body {
            parts.body = Some((param, from));
        } else {
            parts.form.push((param, from));
        }
    }

    /// The operation's request body from its parts (taken), if any.
    fn request_body(
        &mut self,
        parts: &mut BodyParts,
        consumes: Option<&[String]>,
        pointer: &str,
    ) -> Option<Value> {
        let to = format!("{pointer}/requestBody");
        if let Some((param, from)) = parts.body.take() {
            self.origins.add(&to, &from);
            let mut body = Map::new();
            if let Some(d) = param.get("description") {
                body.insert("description".into(), d.clone());
            }
            if param.get("required").and_then(Value::as_bool) == Some(true) {
                body.insert("required".into(), json!(true));
            }
            let mut schema = param.get("schema").cloned().unwrap_or_else(|| json!({}));
            fix_schema(&mut schema, 0);
            let media: Vec<String> = match consumes {
                Some(list) if !list.is_empty() => list.to_vec(),
                _ => vec!["application/json".to_owned()],
            };
            let mut content = Map::new();
            for m in media {
                let at = join(&format!("{to}/content"), &m);
                self.origins
                    .add(format!("{at}/schema"), format!("{from}/schema"));
                content.insert(m, json!({ "schema": schema.clone() }));
            }
            body.insert("content".into(), Value::Object(content));
            copy_extensions(&param, &mut body);
            return Some(Value::Object(body));
        }
        if parts.form.is_empty() {
            return None;
        }
        let form = std::mem::take(&mut parts.form);
        // A lone `type: file` parameter outside `formData` is the body as
        // bytes, as swagger2openapi reads it.
        if form.len() == 1 && str_of(&form[0].0, "in") != "formData" {
            let (param, from) = &form[0];
            self.origins.add(&to, from);
            let mut body = Map::new();
            if param.get("required").and_then(Value::as_bool) == Some(true) {
                body.insert("required".into(), json!(true));
            }
            body.insert(
                "content".into(),
                json!({ "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } }),
            );
            copy_extensions(param, &mut body);
            return Some(Value::Object(body));
        }
        let multipart = consumes.is_some_and(|c| c.iter().any(|m| m == "multipart/form-data"));
        let media = if multipart {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let schema_at = format!("{}/schema", join(&format!("{to}/content"), media));
        self.origins.add(&to, &form[0].1);
        self.origins.add(&schema_at, &form[0].1);
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (param, from) in &form {
            let name = str_of(param, "name");
            if str_of(param, "in") != "formData" {
                self.diags.push(
                    Diagnostic::warning(
                        from,
                        format!("`type: file` parameter `{name}` outside `formData` is read as a form field"),
                    )
                    .with_hint("declare files `in: formData`"),
                );
            }
            self.origins
                .add(join(&format!("{schema_at}/properties"), &name), from);
            let mut property = Map::new();
            if let Some(d) = param.get("description") {
                property.insert("description".into(), d.clone());
            }
            if let Some(e) = param.get("x-example").or_else(|| param.get("example")) {
                property.insert("example".into(), e.clone());
            }
            for key in TYPE_KEYWORDS {
                if let Some(v) = param.get(*key) {
                    property.insert((*key).into(), v.clone());
                }
            }
            if let Some(Value::Object(items)) = property.get_mut("items") {
                items.remove("collectionFormat");
            }
            match param.get("collectionFormat").and_then(Value::as_str) {
                Some("multi") | None => {}
                Some(other) if param.get("type").and_then(Value::as_str) == Some("array") => {
                    self.diags.push(
                        Diagnostic::warning(
                            format!("{from}/collectionFormat"),
                            format!("`collectionFormat: {other}` of form field `{name}` is not kept: its items are sent as repeated fields"),
                        )
                        .with_hint("use `collectionFormat: multi`, or split the value in the handler"),
                    );
                }
                Some(_) => {}
            }
            copy_extensions(param, &mut property);
            let mut property = Value::Object(property);
            fix_schema(&mut property, 0);
            if param.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(json!(name));
            }
            properties.insert(name, property);
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required.clone()));
        }
        let mut body = Map::new();
        if !required.is_empty() {
            body.insert("required".into(), json!(true));
        }
        let mut content = Map::new();
        content.insert(media.to_owned(), json!({ "schema": Value::Object(schema) }));
        body.insert("content".into(), Value::Object(content));
        Some(Value::Object(body))
    }

    /// A non-body parameter (at `from` in the 2.0 document, `to` in the
    /// converted one); `None` when it is left out (with a warning).
    fn parameter(&mut self, param: &Value, from: &str, to: &str) -> Option<Value> {
        self.origins.add(to, from);
        let Some(map) = param.as_object() else {
            return Some(param.clone());
        };
        if map.contains_key("$ref") {
            return Some(param.clone());
        }
        let location = str_of(param, "in");
        let name = str_of(param, "name");
        if !matches!(location.as_str(), "query" | "header" | "path") {
            self.diags.push(
                Diagnostic::warning(
                    format!("{from}/in"),
                    format!("parameter `{name}` in `{location}` is left out"),
                )
                .with_hint("Swagger 2.0 parameters are `in` query, header, path, formData or body"),
            );
            return None;
        }
        self.origins.add(format!("{to}/schema"), from);
        let mut out = Map::new();
        let mut schema = Map::new();
        for (key, value) in map {
            match key.as_str() {
                "collectionFormat" => {}
                "x-example" => {
                    out.insert("example".into(), value.clone());
                }
                "x-deprecated" if value.is_boolean() => {
                    out.insert("deprecated".into(), value.clone());
                }
                "required" if location == "path" => {}
                key if TYPE_KEYWORDS.contains(&key) => {
                    schema.insert(key.to_owned(), value.clone());
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if location == "path" {
            out.insert("required".into(), json!(true));
        }
        schema.entry("type").or_insert_with(|| json!("string"));
        if let Some(Value::Object(items)) = schema.get_mut("items") {
            items.remove("collectionFormat");
        }
        let is_array = schema.get("type").and_then(Value::as_str) == Some("array");
        if is_array {
            let format = map
                .get("collectionFormat")
                .and_then(Value::as_str)
                .unwrap_or("csv");
            self.collection_format(&mut out, format, &location, &name, from);
        }
        let mut schema = Value::Object(schema);
        fix_schema(&mut schema, 0);
        out.insert("schema".into(), schema);
        Some(Value::Object(out))
    }

    /// `collectionFormat` as `style` and `explode` (of a parameter, or of
    /// a response header when `location` is `header`).
    fn collection_format(
        &mut self,
        out: &mut Map<String, Value>,
        format: &str,
        location: &str,
        name: &str,
        from: &str,
    ) {
        let query = location == "query";
        match format {
            "csv" if query => {
                out.insert("style".into(), json!("form"));
                out.insert("explode".into(), json!(false));
            }
            "csv" => {
                out.insert("style".into(), json!("simple"));
            }
            "ssv" if query => {
                out.insert("style".into(), json!("spaceDelimited"));
            }
            "pipes" if query => {
                out.insert("style".into(), json!("pipeDelimited"));
            }
            "tsv" if query => {
                // 3.0 has no tab-delimited style; the extension is what
                // swagger2openapi writes, and `lower` reads it.
                out.insert("style".into(), json!("form"));
                out.insert("explode".into(), json!(false));
                out.insert("x-collectionFormat".into(), json!("tsv"));
            }
            "multi" => {
                out.insert("explode".into(), json!(true));
            }
            other => {
                let style = if query { "form" } else { "simple" };
                out.insert("style".into(), json!(style));
                if query {
                    out.insert("explode".into(), json!(false));
                }
                self.diags.push(
                    Diagnostic::warning(
                        format!("{from}/collectionFormat"),
                        format!("`collectionFormat: {other}` of `{name}` (in {location}) has no OpenAPI 3 form; its items are read and written comma-separated"),
                    )
                    .with_hint("OpenAPI 3 delimits with spaces, pipes or tabs only in the query; use `csv` here"),
                );
            }
        }
    }

    /// A response (a `$ref`, or one with `schema`, `examples` and
    /// `headers`) with `produces` as its media types.
    fn response(
        &mut self,
        response: &Value,
        produces: Option<&[String]>,
        from: &str,
        to: &str,
    ) -> Value {
        if to != from {
            self.origins.add(to, from);
        }
        let Some(map) = response.as_object() else {
            return response.clone();
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            if reference.starts_with("#/definitions/") {
                self.diags.push(
                    Diagnostic::warning(
                        format!("{from}/$ref"),
                        "a response that is a `$ref` to a definition is read as a response with that schema",
                    )
                    .with_hint("write `schema: {$ref: ...}` with a `description`"),
                );
                let fixed = json!({ "description": "", "schema": { "$ref": reference } });
                return self.response(&fixed, produces, from, to);
            }
            return response.clone();
        }
        let mut out = Map::new();
        out.insert(
            "description".into(),
            map.get("description").cloned().unwrap_or_else(|| json!("")),
        );
        let media: Vec<String> = match produces {
            Some(list) if !list.is_empty() => list.to_vec(),
            _ => vec!["*/*".to_owned()],
        };
        let examples = map.get("examples").and_then(Value::as_object);
        let mut content = Map::new();
        if let Some(schema) = map.get("schema") {
            let mut schema = schema.clone();
            fix_schema(&mut schema, 0);
            for m in &media {
                let at = join(&format!("{to}/content"), m);
                self.origins.add(&at, from);
                self.origins
                    .add(format!("{at}/schema"), format!("{from}/schema"));
                let mut entry = Map::new();
                entry.insert("schema".into(), schema.clone());
                if let Some(example) = examples.and_then(|e| e.get(m)) {
                    self.origins.add(
                        format!("{at}/examples/response/value"),
                        join(&format!("{from}/examples"), m),
                    );
                    entry.insert(
                        "examples".into(),
                        json!({ "response": { "value": example } }),
                    );
                }
                content.insert(m.clone(), Value::Object(entry));
            }
        }
        // Examples of media types the operation does not produce are kept
        // under their own media type, as swagger2openapi keeps them.
        for (m, example) in examples.into_iter().flatten() {
            if content.contains_key(m) {
                continue;
            }
            let at = join(&format!("{to}/content"), m);
            self.origins.add(
                format!("{at}/examples/response/value"),
                join(&format!("{from}/examples"), m),
            );
            content.insert(
                m.clone(),
                json!({ "examples": { "response": { "value": example } } }),
            );
        }
        if let Some(Value::Object(headers)) = map.get("headers") {
            let mut out_headers = Map::new();
            for (name, header) in headers {
                let h_from = join(&format!("{from}/headers"), name);
                let h_to = join(&format!("{to}/headers"), name);
                out_headers.insert(name.clone(), self.header(header, name, &h_from, &h_to));
            }
            out.insert("headers".into(), Value::Object(out_headers));
        }
        if !content.is_empty() {
            out.insert("content".into(), Value::Object(content));
        }
        for (key, value) in map {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    /// A response header: its type keywords under `schema`.
    fn header(&mut self, header: &Value, name: &str, from: &str, to: &str) -> Value {
        let Some(map) = header.as_object() else {
            return header.clone();
        };
        if map.contains_key("$ref") {
            return header.clone();
        }
        self.origins.add(format!("{to}/schema"), from);
        let mut out = Map::new();
        let mut schema = Map::new();
        for (key, value) in map {
            match key.as_str() {
                "collectionFormat" => {}
                key if TYPE_KEYWORDS.contains(&key) => {
                    schema.insert(key.to_owned(), value.clone());
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if let Some(Value::Object(items)) = schema.get_mut("items") {
            items.remove("collectionFormat");
        }
        if schema.get("type").and_then(Value::as_str) == Some("array") {
            let format = map
                .get("collectionFormat")
                .and_then(Value::as_str)
                .unwrap_or("csv");
            self.collection_format(&mut out, format, "header", name, from);
        }
        let mut schema = Value::Object(schema);
        fix_schema(&mut schema, 0);
        out.insert("schema".into(), schema);
        Value::Object(out)
    }
}

fn server(url: &str) -> Value {
    json!({ "url": url })
}

/// A security definition as a 3.0 security scheme.
fn security_scheme(scheme: &Value) -> Value {
    let Some(map) = scheme.as_object() else {
        return scheme.clone();
    };
    let mut out = Map::new();
    match map.get("type").and_then(Value::as_str) {
        Some("basic") => {
            out.insert("type".into(), json!("http"));
            out.insert("scheme".into(), json!("basic"));
        }
        Some("oauth2") => {
            out.insert("type".into(), json!("oauth2"));
            let flow = match map.get("flow").and_then(Value::as_str) {
                Some("application") => "clientCredentials",
                Some("accessCode") => "authorizationCode",
                Some("password") => "password",
                _ => "implicit",
            };
            let url = |key: &str| {
                map.get(key)
                    .and_then(Value::as_str)
                    .map(|u| u.split('?').next().unwrap_or("").trim().to_owned())
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| "/".to_owned())
            };
            let mut f = Map::new();
            if matches!(flow, "implicit" | "authorizationCode") {
                f.insert("authorizationUrl".into(), json!(url("authorizationUrl")));
            }
            if flow != "implicit" {
                f.insert("tokenUrl".into(), json!(url("tokenUrl")));
            }
            f.insert(
                "scopes".into(),
                map.get("scopes").cloned().unwrap_or_else(|| json!({})),
            );
            out.insert("flows".into(), json!({ flow: Value::Object(f) }));
        }
        _ => {
            for key in ["type", "name", "in"] {
                if let Some(v) = map.get(key) {
                    out.insert(key.into(), v.clone());
                }
            }
        }
    }
    for (key, value) in map {
        if key == "description" || key.starts_with("x-") {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}

/// The 2.0 schema keywords that 3.0 says otherwise, in a schema and every
/// schema inside it.
pub(super) fn fix_schema(schema: &mut Value, depth: usize) {
    if depth > 2_000 {
        return;
    }
    let Value::Object(map) = schema else {
        return;
    };
    if map.contains_key("$ref") {
        return;
    }
    for key in ["x-nullable", "x-isnullable"] {
        if let Some(Value::Bool(b)) = map.get(key) {
            let b = *b;
            map.shift_remove(key);
            map.insert("nullable".into(), Value::Bool(b));
        }
    }
    if let Some(Value::String(name)) = map.get("discriminator") {
        let name = name.clone();
        map.insert("discriminator".into(), json!({ "propertyName": name }));
    }
    if map.get("type").and_then(Value::as_str) == Some("file") {
        map.insert("type".into(), json!("string"));
        map.insert("format".into(), json!("binary"));
    }
    if let Some(Value::Array(items)) = map.get("items") {
        let items = match items.len() {
            0 => json!({}),
            1 => items[0].clone(),
            _ => json!({ "anyOf": items }),
        };
        map.insert("items".into(), items);
    }
    map.shift_remove("allowEmptyValue");
    // `required: true` on a property (a 2.0 parameter habit) lists it in
    // the parent's `required`.
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        let mut required = Vec::new();
        for (name, prop) in props.iter_mut() {
            if let Some(Value::Bool(r)) = prop.get("required") {
                if *r {
                    required.push(json!(name));
                }
                if let Some(p) = prop.as_object_mut() {
                    p.shift_remove("required");
                }
            }
        }
        if !required.is_empty() {
            let list = map.entry("required").or_insert_with(|| json!([]));
            if let Value::Array(list) = list {
                list.extend(required);
            }
        }
    }
    for key in ["properties", "patternProperties"] {
        if let Some(Value::Object(props)) = map.get_mut(key) {
            for prop in props.values_mut() {
                fix_schema(prop, depth + 1);
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = map.get_mut(key) {
            fix_schema(sub, depth + 1);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = map.get_mut(key) {
            for sub in list {
                fix_schema(sub, depth + 1);
            }
        }
    }
}

/// Local references to 2.0 places, rewritten to where those went (as
/// swagger2openapi does, everywhere).
fn rewrite_refs(value: &mut Value, depth: usize) {
    if depth > 2_000 {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                for (old, new) in [
                    ("#/definitions/", "#/components/schemas/"),
                    ("#/parameters/", "#/components/parameters/"),
                    ("#/responses/", "#/components/responses/"),
                ] {
                    if let Some(rest) = r.strip_prefix(old) {
                        *r = format!("{new}{rest}");
                        break;
                    }
                }
            }
            for child in map.values_mut() {
                rewrite_refs(child, depth + 1);
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_refs(item, depth + 1);
            }
        }
        _ => {}
    }
}

fn copy_extensions(from: &Value, to: &mut Map<String, Value>) {
    for (key, value) in from.as_object().into_iter().flatten() {
        if key.starts_with("x-") && key != "x-example" {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// `consumes`/`produces`: a list of media types (a lone string is one).
fn media_list(value: Option<&Value>) -> Option<Vec<String>> {
    let mut out: Vec<String> = match value? {
        Value::String(s) => vec![s.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => return None,
    };
    let mut seen = std::collections::HashSet::new();
    out.retain(|m| seen.insert(m.clone()));
    Some(out)
}

fn is_body_or_form(param: &Value) -> bool {
    matches!(
        param.get("in").and_then(Value::as_str),
        Some("body" | "formData")
    )
}

fn is_file(param: &Value) -> bool {
    param.get("type").and_then(Value::as_str) == Some("file")
}

fn str_of(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A JSON pointer token unescaped.
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
