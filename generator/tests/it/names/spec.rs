//! Random specs whose every name is chosen to hurt: a small seeded
//! generator (SplitMix64; the same seed and case give the same spec on
//! every machine) and the OpenAPI document it writes.

use serde_json::{Map, Value, json};

/// The spec of case `case` under `seed`, as JSON text.
pub fn write(seed: u64, case: u64) -> String {
    let mut g = Gen {
        state: seed ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        used: Vec::new(),
    };
    let spec = g.spec();
    serde_json::to_string_pretty(&spec).expect("JSON")
}

/// Rust's keywords (strict, reserved, weak) and raw spellings.
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "gen",
    "union",
    "macro_rules",
    "raw",
    "safe",
    "_",
    "r#type",
    "r#self",
    "'static",
];

/// What generated crates and their dependencies name (beside what
/// `uniapi::naming` reserves, which is added to these).
const GENERATED: &[&str] = &[
    "Api",
    "Error",
    "Context",
    "Client",
    "ClientBuilder",
    "Options",
    "Problem",
    "MockApi",
    "router",
    "router_with",
    "runtime",
    "types",
    "api",
    "server",
    "client",
    "mock",
    "object",
    "std",
    "core",
    "alloc",
    "serde",
    "serde_json",
    "axum",
    "http",
    "reqwest",
    "tokio",
    "tracing",
    "bytes",
    "chrono",
    "uuid",
    "base64",
    "regex",
    "Request",
    "Response",
    "Body",
    "OkBody",
    "Ok",
    "Default",
    "Unknown",
    "Json",
    "Text",
    "Xml",
    "Status",
    "handle_pets",
    "request_pets",
    "error_body_0",
    "error_body_1",
    "PETS_ERRORS",
    "p0",
    "p1",
    "segment0",
    "s0",
    "h0",
    "v",
    "url",
    "query",
    "headers",
    "cookies",
    "response",
    "request",
    "parts",
    "path",
    "credentials",
    "requirement",
    "present",
    "scheme",
    "value",
    "encoded",
    "answer",
    "listener",
    "base",
    "tests",
    "main",
    "lib",
    "Self_",
    "self_",
    "type_2",
    "Pet2",
    "V1",
    "Plus1",
    "Minus1",
    "Empty",
    "Model",
    "StringModel",
    "Variant0",
    "Informational",
    "Success",
    "ClientError",
    "ServerError",
    "NotFound",
    "Status299",
    "default_",
    "map_value",
    "key_2",
    "x-request-id",
    "content-type",
    "accept",
    "authorization",
];

/// Words of plain names, and the stems of derived ones.
const WORDS: &[&str] = &[
    "pet", "pets", "store", "id", "name", "list", "get", "create", "item", "order", "user", "a",
    "b", "x", "ok", "body", "error", "status", "kind", "tag",
];

/// Text that is not ASCII letters.
const UNICODE: &[&str] = &[
    "名前",
    "café",
    "Ünïcödé",
    "日本",
    "🦀",
    "ß",
    "İstanbul",
    "ǅ",
    "Ωmega",
    "\u{200b}",
    "ℕ",
    "١٢٣",
    "e\u{301}",
    "ﬁ",
    "Ⅻ",
    "𝔘",
];

const PUNCTUATION: &[&str] = &[
    "-", ".", "/", " ", "~", "%20", "$", "{", "}", "[", "]", ";", ",", "=", "&", "#", "?", "'",
    "\"", "\\", "`", "@", "+", "*", ":", "!", "|", "^", "(", ")", "<", ">", "\t", "\n", "__",
];

/// Media types, and the makings of odd ones.
const MEDIA: &[&str] = &[
    "application/json",
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/octet-stream",
    "image/png",
    "image/*",
    "*/*",
    "application/problem+json",
    "application/vnd.api+json",
    "text/html",
    "application/json; charset=utf-8",
    "Application/JSON",
    "text/plain; charset=utf-8",
    "application/x-ndjson",
    "text/csv",
];

const STATUSES: &[&str] = &[
    "200", "201", "202", "204", "2XX", "299", "301", "400", "401", "404", "406", "415", "4XX",
    "422", "500", "5XX", "default",
];

struct Gen {
    state: u64,
    /// Names handed out so far in this spec, for collisions.
    used: Vec<String>,
}

impl Gen {
    /// SplitMix64.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `true` with probability `percent` %.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A name chosen to hurt.
    fn name(&mut self) -> String {
        let name = match self.below(100) {
            // The same name again, or one equal to it after case conversion.
            0..=11 if !self.used.is_empty() => {
                let i = self.below(self.used.len());
                let earlier = self.used[i].clone();
                recase(&earlier, self.below(6))
            }
            0..=21 => self.pick(KEYWORDS).to_owned(),
            22..=41 => {
                let reserved: Vec<&str> = reserved().collect();
                self.pick(&reserved).to_owned()
            }
            42..=51 => {
                // A name uniapi derives from another: `{Op}Request`, ...
                let stem = self.pick(WORDS).to_owned();
                let suffix = self.pick(&[
                    "Request", "Response", "Body", "OkBody", " ok", "_errors", "ERRORS", "2", "_2",
                    " Body",
                ]);
                let prefix = self.pick(&["", "", "handle_", "request_", "default_", "get "]);
                format!("{prefix}{stem}{suffix}")
            }
            52..=61 => {
                let digits = self.pick(&["1", "123", "0", "2xx", "58ACDE292109180BDCACC40D", "3d"]);
                let rest = self.pick(&["", " list things", "_a", "-b", "Pets", "名前"]);
                format!("{digits}{rest}")
            }
            62..=73 => {
                let (a, b) = (self.pick(WORDS), self.pick(WORDS));
                let p = self.pick(PUNCTUATION);
                match self.below(3) {
                    0 => format!("{a}{p}{b}"),
                    1 => format!("{p}{a}"),
                    _ => p.to_owned(),
                }
            }
            74..=83 => {
                let u = self.pick(UNICODE);
                match self.below(3) {
                    0 => u.to_owned(),
                    1 => format!("{}{u}", self.pick(WORDS)),
                    _ => format!("{u} {}", self.pick(UNICODE)),
                }
            }
            84..=87 => String::new(),
            _ => {
                let (a, b) = (self.pick(WORDS), self.pick(WORDS));
                format!("{a}{}{b}", self.pick(&["", "_", "-", " "]))
            }
        };
        self.used.push(name.clone());
        name
    }

    /// `lo` to `hi - 1` names, no two the same (JSON object keys).
    fn distinct(&mut self, lo: usize, hi: usize) -> Vec<String> {
        let n = lo + self.below(hi - lo);
        let mut out: Vec<String> = Vec::new();
        for _ in 0..n {
            let name = self.name();
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    fn media(&mut self) -> String {
        if self.chance(80) {
            self.pick(MEDIA).to_owned()
        } else {
            let kind = self.pick(&["application", "text", "image"]);
            format!("{kind}/{}", self.name())
        }
    }

    fn spec(&mut self) -> Value {
        let title = self.name();
        let tags = self.distinct(0, 3);
        let schemes = self.security_schemes();
        let schema_names = self.distinct(1, 6);
        let mut schemas = Map::new();
        for (i, name) in schema_names.iter().enumerate() {
            let schema = self.schema(&schema_names, i, &mut schemas);
            schemas.insert(name.clone(), schema);
        }
        let mut paths = Map::new();
        let n = 1 + self.below(4);
        for i in 0..n {
            let (path, item) = self.path(i, &schema_names, &schemes, &tags);
            paths.insert(path, item);
        }
        let mut spec = json!({
            "openapi": "3.0.3",
            "info": {"title": title, "version": "1"},
            "tags": tags.iter().map(|t| json!({"name": t, "description": t})).collect::<Vec<_>>(),
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": schemes.iter().cloned().collect::<Map<_, _>>(),
            },
        });
        if !schemes.is_empty() && self.chance(50) {
            spec["security"] = json!([{ (schemes[0].0.clone()): [] }]);
        }
        spec
    }

    fn security_schemes(&mut self) -> Vec<(String, Value)> {
        let keys = self.distinct(0, 3);
        keys.into_iter()
            .map(|key| {
                let scheme = match self.below(5) {
                    0 => json!({"type": "http", "scheme": "bearer"}),
                    1 => json!({"type": "http", "scheme": "basic"}),
                    2 => json!({"type": "apiKey", "in": "header", "name": self.name()}),
                    3 => json!({"type": "apiKey", "in": "query", "name": self.name()}),
                    _ => json!({"type": "apiKey", "in": "cookie", "name": self.pick(&["session", "sid", "token"])}),
                };
                (key, scheme)
            })
            .collect()
    }

    /// A `$ref` to component schema `name`.
    fn reference(name: &str) -> Value {
        json!({"$ref": target(name)})
    }

    /// Schema `i` of `names`; variants it needs are added to `schemas`.
    fn schema(&mut self, names: &[String], i: usize, schemas: &mut Map<String, Value>) -> Value {
        match self.below(8) {
            0 => {
                let values = self.distinct(1, 5);
                json!({"type": "string", "enum": values})
            }
            1 => json!({"type": "integer", "enum": [-1, 0, 1, 42]}),
            2 => {
                // A tagged union of two objects of its own.
                let tag = self.name();
                let variants = self.distinct(2, 3);
                let mut refs = Vec::new();
                let mut mapping = Map::new();
                for v in &variants {
                    if names.contains(v) || schemas.contains_key(v) {
                        continue;
                    }
                    let mut object = self.object(names);
                    object["required"] = json!([tag]);
                    object["properties"][&tag] = json!({"type": "string"});
                    schemas.insert(v.clone(), object);
                    refs.push(Self::reference(v));
                    mapping.insert(self.name(), Value::String(target(v)));
                }
                let mut union = json!({"oneOf": refs, "discriminator": {"propertyName": tag}});
                if self.chance(50) {
                    union["discriminator"]["mapping"] = Value::Object(mapping);
                }
                union
            }
            3 => {
                json!({"oneOf": [{"type": "string"}, Self::reference(&names[self.below(names.len())])]})
            }
            4 => json!({"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-z]+$"}),
            5 => json!({"type": "array", "items": Self::reference(&names[(i + 1) % names.len()])}),
            _ => {
                let mut object = self.object(names);
                if self.chance(20) {
                    object["additionalProperties"] = json!({"type": "integer"});
                }
                object
            }
        }
    }

    /// An object of random properties (refs to `names` among them).
    fn object(&mut self, names: &[String]) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for property in self.distinct(1, 6) {
            let schema = match self.below(8) {
                0 => json!({"type": "integer", "default": 3}),
                1 => Self::reference(&names[self.below(names.len())]),
                2 => json!({"type": "array", "items": {"type": "string"}}),
                3 => json!({"type": "string", "enum": self.distinct(1, 4)}),
                4 => json!({"type": "string", "format": "date-time"}),
                5 => json!({"type": "object", "properties": {(self.name()): {"type": "boolean"}}}),
                6 => json!({"type": "string", "nullable": true}),
                _ => json!({"type": "string"}),
            };
            if self.chance(40) {
                required.push(property.clone());
            }
            properties.insert(property, schema);
        }
        json!({"type": "object", "required": required, "properties": properties})
    }

    /// Path `i`: one to three operations under `/r{i}` and its parameters.
    fn path(
        &mut self,
        i: usize,
        names: &[String],
        schemes: &[(String, Value)],
        tags: &[String],
    ) -> (String, Value) {
        let path_params = self.distinct(0, 3);
        let mut path = format!("/r{i}");
        // Now and then the path holds none of the parameters declared for it.
        if self.chance(90) {
            for p in &path_params {
                path.push_str(&format!("/{{{p}}}"));
            }
        }
        let mut item = Map::new();
        let methods = ["get", "post", "put", "delete", "patch"];
        let first = self.below(methods.len());
        let n = 1 + self.below(3);
        for method in methods.iter().cycle().skip(first).take(n) {
            let op = self.operation(&path_params, names, schemes, tags, method);
            item.insert((*method).to_owned(), op);
        }
        (path, Value::Object(item))
    }

    fn operation(
        &mut self,
        path_params: &[String],
        names: &[String],
        schemes: &[(String, Value)],
        tags: &[String],
        method: &str,
    ) -> Value {
        let mut parameters: Vec<Value> = path_params
            .iter()
            .map(|p| {
                let schema = match self.below(3) {
                    0 => json!({"type": "integer"}),
                    1 => json!({"type": "string", "enum": self.distinct(1, 4)}),
                    _ => json!({"type": "string"}),
                };
                json!({"name": p, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        let n = self.below(5);
        for _ in 0..n {
            let location = self.pick(&["query", "query", "header", "cookie"]);
            let name = self.name();
            let mut parameter = json!({"name": name, "in": location, "required": self.chance(30)});
            parameter["schema"] = match self.below(6) {
                0 => json!({"type": "integer", "default": 7}),
                1 => json!({"type": "array", "items": {"type": "string"}}),
                2 => json!({"type": "string", "enum": self.distinct(1, 4)}),
                3 if location == "query" => {
                    parameter["style"] = json!(self.pick(&["form", "deepObject"]));
                    json!({"type": "object", "properties": {(self.name()): {"type": "string"}, (self.name()): {"type": "integer"}}})
                }
                4 => json!({"type": "boolean"}),
                _ => json!({"type": "string"}),
            };
            parameters.push(parameter);
        }
        let mut op = json!({
            "parameters": parameters,
            "responses": self.responses(names),
        });
        if self.chance(85) {
            op["operationId"] = json!(self.name());
        }
        if !tags.is_empty() {
            op["tags"] = json!([tags[self.below(tags.len())]]);
        }
        if method != "get" && method != "delete" && self.chance(70) {
            let mut content = Map::new();
            let n = 1 + self.below(3);
            for media in (0..n).map(|_| self.media()).collect::<Vec<_>>() {
                let schema = self.body_schema(names);
                content.insert(media, json!({"schema": schema}));
            }
            op["requestBody"] = json!({"required": self.chance(60), "content": content});
        }
        if !schemes.is_empty() && self.chance(40) {
            let scheme = &schemes[self.below(schemes.len())].0;
            op["security"] = json!([{ (scheme.clone()): [] }, {}]);
        }
        op
    }

    fn body_schema(&mut self, names: &[String]) -> Value {
        match self.below(4) {
            0 => json!({"type": "string"}),
            1 => self.object(names),
            _ => Self::reference(&names[self.below(names.len())]),
        }
    }

    fn responses(&mut self, names: &[String]) -> Value {
        let mut responses = Map::new();
        let n = 1 + self.below(4);
        for _ in 0..n {
            let code = self.pick(STATUSES);
            let mut response = json!({"description": self.name()});
            let mut content = Map::new();
            let n = self.below(4);
            for media in (0..n).map(|_| self.media()).collect::<Vec<_>>() {
                let schema = self.body_schema(names);
                content.insert(media, json!({"schema": schema}));
            }
            if !content.is_empty() {
                response["content"] = Value::Object(content);
            }
            let mut headers = Map::new();
            for header in self.distinct(0, 3) {
                let schema = if self.chance(50) {
                    json!({"type": "integer"})
                } else {
                    json!({"type": "string"})
                };
                headers.insert(
                    header,
                    json!({"required": self.chance(30), "schema": schema}),
                );
            }
            if !headers.is_empty() {
                response["headers"] = Value::Object(headers);
            }
            responses.insert(code.to_owned(), response);
        }
        Value::Object(responses)
    }
}

/// The fragment of a `$ref` to component schema `name`: a JSON pointer,
/// `%` escaped as in a URI.
fn target(name: &str) -> String {
    let token = name
        .replace('~', "~0")
        .replace('/', "~1")
        .replace('%', "%25");
    format!("#/components/schemas/{token}")
}

/// Every name `uniapi::naming` keeps generated code's own.
fn reserved() -> impl Iterator<Item = &'static str> {
    use uniapi::naming::*;
    [
        PRELUDE_TYPES,
        TYPES_NAMES,
        API_NAMES,
        SERVER_NAMES,
        CLIENT_METHODS,
        MOCK_METHODS,
        PRELUDE_METHODS,
        REQUEST_FIELDS,
        RESPONSE_FIELDS,
        RESPONSE_WRITER_LOCALS,
        STRUCT_FIELDS,
        READ_LOCALS,
        ENUM_VARIANTS,
        GENERATED,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// `name` in another case (`getPet`, `get_pet`, `GET-PET`, `get pet`, ...).
fn recase(name: &str, how: usize) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    match how {
        0 => name.to_owned(),
        1 => words.join("_"),
        2 => words.join("-").to_uppercase(),
        3 => words.join(" "),
        4 => words
            .iter()
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect(),
        _ => format!("{name}_"),
    }
}
