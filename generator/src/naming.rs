//! Spec strings → Rust identifiers. The only place identifiers are made.
//!
//! Every function returns a string that is a valid identifier (a raw one
//! where it must be): emitters may hand it to `syn::Ident` unchecked.

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Words that are keywords in some edition and may be written raw (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers: they get a trailing `_`.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// What Rust's prelude puts in scope by name (types, traits, variants)
/// and the generic parameters generated code declares (`T`, `D`, ...): a
/// type of the spec named so would shadow them where generated code
/// names a type unqualified.
pub const PRELUDE_TYPES: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Self",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
    "D",
    "E",
    "M",
    "S",
    "T",
];

/// Module `types`, type namespace: what it defines beside the spec's
/// schemas (with [`PRELUDE_TYPES`]). A schema with one of these names gets
/// a `Model` suffix ([`schema_type_name`]), so both stay usable.
pub const TYPES_NAMES: &[&str] = &["Base64", "FilePart", "Invalid", "UnknownValue", "Value"];

/// Module `types` also defines this where int64s travel as text
/// (`types.int64 = "string"`).
pub const INT64_TEXT: &str = "Int64";

/// Module `api`, type namespace: what it defines beside each operation's
/// `{Op}Request`, `{Op}Response`, `{Op}Body` and `{Op}{Variant}Body` (with
/// [`PRELUDE_TYPES`]).
pub const API_NAMES: &[&str] = &[
    "Api",
    "Authenticate",
    "BasicAuth",
    "ByteStream",
    "Context",
    "Credential",
    "Credentials",
    "Error",
    "Event",
    "Events",
    "InsecureAcceptAnyCredential",
    "Items",
    "Presented",
    "Principal",
    "Refusal",
    "Requirement",
    "Scheme",
    "Scopes",
    "Tokens",
    "accepts",
    "types",
];

/// Module `server`: what is in its scope beside each operation's handler
/// (`handle_{op}`), parser (`request_{op}`) and error shapes
/// (`{OP}_ERRORS`): its own items, and what it imports from the runtime
/// (by glob: a spec's name there would shadow the runtime's).
pub const SERVER_NAMES: &[&str] = &[
    // Imports of sibling modules.
    "api",
    "types",
    // `runtime::problem::*` (with axum's `StatusCode`, `Response` and
    // `IntoResponse`).
    "BadParameter",
    "ErrorShape",
    "IntoResponse",
    "Problem",
    "Response",
    "StatusCode",
    "Violation",
    // `runtime::request::*`.
    "Requirement",
    "UrlPiece",
    "authenticate",
    "bad_parameters",
    "body_error",
    "callback_url",
    "check_accept",
    "check_content_type",
    "cookie_value",
    "cookies",
    "deep_object",
    "encoded",
    "form",
    "form_body",
    "header_value",
    "invalid_json",
    "json",
    "json_body",
    "json_param",
    "media_type",
    "object_param",
    "over_limit",
    "over_limit_problem",
    "pairs",
    "parse",
    "parse_each",
    "path_param",
    "path_params",
    "query_fields",
    "query_pairs",
    "query_text",
    "query_value",
    "query_values",
    "read_body",
    "required",
    "respond",
    "set_header",
    "split_segment",
    "status",
    "strip_lead",
    "text",
    "text_body",
    "unstyle",
    "unsupported",
    // `runtime::violations::*`.
    "Violations",
    "leaf",
    "members",
    "property",
    "push_token",
    // `runtime::stream_server::*`.
    "Framing",
    "binary",
    "events_from_body",
    "events_response",
    "from_json",
    "from_text",
    "items_from_body",
    "items_response",
    "stream_body",
    "to_json",
    "to_text",
    // `runtime::jwt`, re-exported.
    "Algorithm",
    "Jwk",
    "Jwt",
    "JwtConfigError",
    "JwtKey",
    // `runtime::server`, re-exported.
    "BODY_LIMIT",
    "Cors",
    "HEADER_COUNT_LIMIT",
    "HEADER_LIMIT",
    "IN_FLIGHT_LIMIT",
    "Options",
    "REQUEST_ID",
    "REQUEST_TIMEOUT",
    "STREAM_LIMIT",
    "URL_LIMIT",
    "json_etag",
    "serve",
    "serve_until",
    "shutdown_signal",
    "strong_etag",
    // The module's own.
    "FormPart",
    "OPENAPI_JSON",
    "OPERATIONS",
    "authorize",
    "constrained",
    "header_params",
    "multipart_body",
    "part_value",
    "router",
    "router_with",
    "split_multipart",
];

/// The server's functions that write an error body in a shape of the
/// spec's, by position: `error_body_0`, ...
pub const ERROR_BODY: &str = "error_body_";

/// Positional names the server's module hands out itself: no name from
/// the spec may be one of these prefixes and a number.
pub const SERVER_NUMBERED: &[&str] = &[ERROR_BODY];

/// `impl Client` (module `client`): the client's own methods and
/// associated items. The trait's methods are called on a `Client`, so an
/// operation may not take these names.
pub const CLIENT_METHODS: &[&str] = &[
    "DEFAULT_BASE_URL",
    "authorize",
    "base_url",
    "builder",
    "cache",
    "credentials",
    "default_headers",
    "execute",
    "http_client",
    "new",
    "retry",
    "send",
    "sends_request_ids",
    "timeout",
    "with_credentials",
    "with_http_client",
];

/// `impl MockApi` (module `mock`): the mock's own methods.
pub const MOCK_METHODS: &[&str] = &["new", "with_tokens"];

/// Methods of the runtime's traits that an API's implementations have
/// beside its operations (`Authenticate::authenticate`): an operation so
/// named would be ambiguous where the server calls it.
pub const RUNTIME_TRAIT_METHODS: &[&str] = &["authenticate"];

/// Methods of the prelude's traits that `Client`, `MockApi` or the
/// server's `Arc<impl Api>` have: a trait method named so would be
/// ambiguous, or shadowed, where it is called.
pub const PRELUDE_METHODS: &[&str] = &[
    "as_mut",
    "as_ref",
    "borrow",
    "borrow_mut",
    "clamp",
    "clone",
    "clone_from",
    "clone_into",
    "cmp",
    "default",
    "drop",
    "eq",
    "extend",
    "fmt",
    "ge",
    "gt",
    "hash",
    "into",
    "into_future",
    "into_iter",
    "le",
    "lt",
    "max",
    "min",
    "ne",
    "partial_cmp",
    "to_owned",
    "to_string",
    "try_into",
    "type_id",
];

/// A request type's fields beside its parameters.
pub const REQUEST_FIELDS: &[&str] = &["body", "context"];

/// What a request type (`impl ListPetsRequest`, module `api`) has beside
/// one setter per field: its own `new`, and the methods of std's traits
/// that every request has (derived, blanket) or may have (`Default`),
/// which a setter of that name would shadow (`request.clone()`,
/// `ListPetsRequest::default()`). A field so named keeps its name and has
/// no setter: it is assigned.
pub const REQUEST_METHODS: &[&str] = &[
    "borrow",
    "borrow_mut",
    "clone",
    "clone_from",
    "clone_into",
    "default",
    "fmt",
    "from",
    "into",
    "new",
    "to_owned",
    "try_from",
    "try_into",
    "type_id",
];

/// A response variant's fields beside its headers.
pub const RESPONSE_FIELDS: &[&str] = &["body", "status"];

/// The locals of the server's response writer (`IntoResponse`) beside
/// one per header; the functions of the server's module
/// ([`SERVER_NAMES`]) are kept clear too.
pub const RESPONSE_WRITER_LOCALS: &[&str] = &["body", "response", "status"];

/// A struct's fields beside its properties.
pub const STRUCT_FIELDS: &[&str] = &["additional_properties"];

/// The locals of a struct's generated `Deserialize` (`object::Read::read`)
/// beside the one it reads each property into.
pub const READ_LOCALS: &[&str] = &["absent", "additional_properties", "key", "map", "read"];

/// An enum's variants beside one per value: `Unknown` holds the others.
pub const ENUM_VARIANTS: &[&str] = &["Unknown"];

/// Splits `s` into a word-friendly ASCII string: non-ASCII letters become
/// `uXXXX` words so that distinct names stay distinct.
pub(crate) fn asciify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_ascii() {
            out.push(' ');
        } else if c.is_alphanumeric() {
            out.push_str(&format!(" u{:x} ", c as u32));
        } else {
            out.push(' ');
        }
    }
    out
}

/// `UpperCamelCase` name for a type or variant; `fallback` if nothing is left.
pub fn type_name(s: &str, fallback: &str) -> String {
    let mut name = asciify(s).to_upper_camel_case();
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    // Words of one letter (`a-b-c`) make an acronym (`ABC`), which
    // `clippy::upper_case_acronyms` refuses.
    if name.len() > 2 && name.chars().all(|c| c.is_ascii_uppercase()) {
        name = name[..1].to_owned() + &name[1..].to_ascii_lowercase();
    }
    if name == "Self" {
        name.push('_');
    }
    name
}

/// A schema's type name, kept clear of names generated code uses unqualified.
pub fn schema_type_name(s: &str) -> String {
    let name = type_name(s, "Type");
    if TYPES_NAMES.contains(&name.as_str()) || PRELUDE_TYPES.contains(&name.as_str()) {
        format!("{name}Model")
    } else {
        name
    }
}

/// A type named after another (`type_name`, made by [`type_name`]) and a
/// word: `GetPet` + `Request` → `GetPetRequest`.
pub fn derived_type_name(type_name: &str, word: &str) -> String {
    self::type_name(&format!("{type_name} {word}"), word)
}

/// A function named after an item (`name`, made by this module) with a
/// prefix: `handle` + `r#type` → `handle_type`, `handle` + `_3d` →
/// `handle_3d`.
pub fn function_name(prefix: &str, name: &str) -> String {
    field_name(&format!("{prefix} {}", unraw(name)), prefix)
}

/// `SCREAMING_SNAKE_CASE` name for a constant or static (`list pets
/// errors` → `LIST_PETS_ERRORS`); a leading digit gets a `_`.
pub fn const_name(s: &str, fallback: &str) -> String {
    let mut name = asciify(s).to_shouty_snake_case();
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// The `n`th of a family of positional names (`error_body_` + `3`), which
/// a [`Namespace`] keeps clear with [`Namespace::reserve_numbered`].
pub fn numbered(prefix: &str, n: usize) -> String {
    format!("{prefix}{n}")
}

/// The variant name of an enum value: signs become words (`+1` → `Plus1`).
pub fn enum_variant_name(value: &str) -> String {
    let spelled = match value.chars().next() {
        Some('+') => format!("plus {}", &value[1..]),
        Some('-') => format!("minus {}", &value[1..]),
        _ => value.to_owned(),
    };
    type_name(&spelled, "Empty")
}

/// `snake_case` name for a field, parameter or method; raw where it is a
/// keyword.
pub fn field_name(s: &str, fallback: &str) -> String {
    let mut name = asciify(s).to_snake_case();
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        // `_3d`; but `_1` would be only underscores and digits, which
        // `clippy::just_underscores_and_digits` refuses: `v1`.
        if name.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            name.insert(0, 'v');
        } else {
            name.insert(0, '_');
        }
    }
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    } else if RAW_KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// The name of an operation without `operationId`: method and path
/// (`GET /pets/{petId}` → `get_pets_pet_id`).
pub fn operation_name_from_path(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let text = if words.is_empty() {
        format!("{method} root")
    } else {
        format!("{method} {}", words.join(" "))
    };
    field_name(&text, "operation")
}

/// The variant name of a status code (`404` → `NotFound`).
pub fn status_variant(code: u16) -> String {
    match http_reason(code) {
        Some(reason) => type_name(reason, "Status"),
        None => format!("Status{code}"),
    }
}

/// The variant name of a status range (`2XX` → `Success`).
pub fn range_variant(first_digit: u8) -> String {
    match first_digit {
        1 => "Informational".into(),
        2 => "Success".into(),
        3 => "Redirection".into(),
        4 => "ClientError".into(),
        5 => "ServerError".into(),
        d => format!("Status{d}xx"),
    }
}

fn http_reason(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "Non Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "Uri Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "Im A Teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "Http Version Not Supported",
        507 => "Insufficient Storage",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

/// A crate name for a spec: its title in kebab case, or the file stem.
pub fn crate_name(title: &str, file_stem: &str) -> String {
    let from = |s: &str| {
        let name = asciify(s).to_snake_case().replace('_', "-");
        let name = name.trim_matches('-').to_owned();
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            format!("api-{name}")
        } else {
            name
        }
    };
    let name = from(title);
    if !name.is_empty() && name.len() <= 64 {
        return name;
    }
    let name = from(file_stem);
    if name.is_empty() { "api".into() } else { name }
}

/// Hands out names that are unique within one namespace, in the order
/// asked: the first keeps its name, later ones get `2`, `3`, ...
///
/// Names are compared without `r#` (`r#type` is the identifier `type`).
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: HashSet<String>,
    /// Prefixes of positional names (`error_body_`): a prefix followed by
    /// digits is taken.
    numbered: Vec<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Self::default()
    }

    /// A namespace with `names` taken (names the generated code itself
    /// defines in the scope).
    pub fn reserving<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut ns = Self::new();
        ns.reserve(names);
        ns
    }

    /// Marks names as taken (names the generated code itself defines).
    pub fn reserve<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        self.taken
            .extend(names.into_iter().map(|n| unraw(n).to_owned()));
    }

    /// Marks every `prefix` followed by digits as taken (positional names
    /// the generated code hands out itself, [`numbered`]).
    pub fn reserve_numbered<'a>(&mut self, prefixes: impl IntoIterator<Item = &'a str>) {
        self.numbered
            .extend(prefixes.into_iter().map(str::to_owned));
    }

    fn is_free(&self, name: &str) -> bool {
        let bare = unraw(name);
        !self.taken.contains(bare)
            && !self.numbered.iter().any(|prefix| {
                bare.strip_prefix(prefix.as_str())
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
    }

    pub fn unique(&mut self, candidate: String) -> String {
        if self.is_free(&candidate) {
            self.taken.insert(unraw(&candidate).to_owned());
            return candidate;
        }
        // `self_` → `self_2`, `Self_` → `Self2`, `r#type` → `type_2` (no
        // keyword ends in a digit): never `_` next to a letter in a
        // camel-case name, never `__` in a snake-case one.
        let base = match unraw(&candidate).trim_end_matches('_') {
            "" => "_",
            base => base,
        };
        let snake = base.contains('_') || base.starts_with(|c: char| c.is_ascii_lowercase());
        let sep = if snake || base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        for n in 2.. {
            let name = format!("{base}{sep}{n}");
            if self.is_free(&name) {
                self.taken.insert(name.clone());
                return name;
            }
        }
        unreachable!("the counter is unbounded")
    }
}

/// The bare text of an identifier (without `r#`).
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let cases = [
            ("petId", "pet_id"),
            ("type", "r#type"),
            ("self", "self_"),
            ("Self", "self_"),
            ("crate", "crate_"),
            ("3d", "_3d"),
            ("1", "v1"),
            ("1-2", "v1_2"),
            ("x-rate-limit", "x_rate_limit"),
            ("", "field"),
            ("名前", "u540d_u524d"),
            ("@type", "r#type"),
            ("gen", "r#gen"),
        ];
        for (input, want) in cases {
            assert_eq!(field_name(input, "field"), want, "{input}");
        }
    }

    #[test]
    fn types() {
        let cases = [
            ("pet", "Pet"),
            ("Pet-Item", "PetItem"),
            ("3dModel", "V3dModel"),
            ("Self", "Self_"),
            ("", "Type"),
            ("String", "StringModel"),
            ("Option", "OptionModel"),
            ("Error", "Error"),
            ("café", "CafUe9"),
            // Prelude traits and generic parameters stay reachable.
            ("TryFrom", "TryFromModel"),
            ("d", "DModel"),
            ("Invalid", "InvalidModel"),
            // No acronyms (`clippy::upper_case_acronyms`).
            ("a-b-c", "Abc"),
            ("HTTP", "Http"),
            ("a-b", "AB"),
            ("1-a-b", "V1AB"),
        ];
        for (input, want) in cases {
            assert_eq!(schema_type_name(input), want, "{input}");
        }
    }

    #[test]
    fn derived_names() {
        let types = [
            ("GetPet", "Request", "GetPetRequest"),
            ("V123ListThings", "Response", "V123ListThingsResponse"),
            ("GetPet Ok", "Body", "GetPetOkBody"),
            // A numbered name loses its `_` (`V1_2Request` is not camel case).
            ("V1_2", "Body", "V12Body"),
        ];
        for (base, word, want) in types {
            assert_eq!(derived_type_name(base, word), want, "{base} {word}");
        }
        let functions = [
            ("handle", "list_pets", "handle_list_pets"),
            ("handle", "r#type", "handle_type"),
            ("request", "_123_list_things", "request_123_list_things"),
            ("default", "self_", "default_self"),
            ("default", "u540d", "default_u540d"),
        ];
        for (prefix, name, want) in functions {
            assert_eq!(function_name(prefix, name), want, "{prefix} {name}");
        }
        let consts = [
            ("list_pets errors", "LIST_PETS_ERRORS"),
            ("_123_list_things errors", "_123_LIST_THINGS_ERRORS"),
            (
                "58ACDE292109180BDCACC40D errors",
                "_58ACDE292109180BDCACC40D_ERRORS",
            ),
            ("type errors", "TYPE_ERRORS"),
            ("", "C"),
        ];
        for (input, want) in consts {
            assert_eq!(const_name(input, "C"), want, "{input}");
        }
        assert_eq!(numbered(ERROR_BODY, 3), "error_body_3");
    }

    /// Every name a function here makes is an identifier `syn` takes.
    #[test]
    fn every_name_is_an_identifier() {
        let inputs = [
            "",
            "_",
            "__",
            "1",
            "-1",
            "+",
            "self",
            "Self",
            "type",
            "r#type",
            "🦀",
            "日本",
            "a b",
            "ABC",
            "x\n",
            "\u{0}",
            "error_body_1",
            "0x",
            "é1",
            "_1_",
        ];
        for input in inputs {
            for name in [
                type_name(input, "T"),
                schema_type_name(input),
                enum_variant_name(input),
                field_name(input, "f"),
                function_name("handle", &field_name(input, "f")),
                const_name(input, "C"),
                derived_type_name(&type_name(input, "T"), "Body"),
            ] {
                assert!(
                    syn::parse_str::<syn::Ident>(&name).is_ok(),
                    "{input:?} → {name:?}"
                );
            }
        }
    }

    #[test]
    fn operations_and_statuses() {
        assert_eq!(
            operation_name_from_path("get", "/pets/{petId}"),
            "get_pets_pet_id"
        );
        assert_eq!(operation_name_from_path("post", "/"), "post_root");
        assert_eq!(status_variant(404), "NotFound");
        assert_eq!(status_variant(299), "Status299");
        assert_eq!(range_variant(4), "ClientError");
        assert_eq!(enum_variant_name("+1"), "Plus1");
        assert_eq!(enum_variant_name("-1"), "Minus1");
        assert_eq!(enum_variant_name(""), "Empty");
    }

    #[test]
    fn namespace_numbers_collisions() {
        let mut ns = Namespace::new();
        assert_eq!(ns.unique("Pet".into()), "Pet");
        assert_eq!(ns.unique("Pet".into()), "Pet2");
        assert_eq!(ns.unique("pet_id".into()), "pet_id");
        assert_eq!(ns.unique("pet_id".into()), "pet_id_2");
        assert_eq!(ns.unique("V1".into()), "V1");
        assert_eq!(ns.unique("V1".into()), "V1_2");
        assert_eq!(ns.unique("Self_".into()), "Self_");
        assert_eq!(ns.unique("Self_".into()), "Self2");
        assert_eq!(ns.unique("self_".into()), "self_");
        assert_eq!(ns.unique("self_".into()), "self_2");
        assert_eq!(ns.unique("r#type".into()), "r#type");
        // `type_2` is no keyword, and is the identifier `r#type_2` too.
        assert_eq!(ns.unique("r#type".into()), "type_2");
        assert_eq!(ns.unique("type_2".into()), "type_2_2");
        assert_eq!(ns.unique("LIST_ERRORS".into()), "LIST_ERRORS");
        assert_eq!(ns.unique("LIST_ERRORS".into()), "LIST_ERRORS_2");
    }

    #[test]
    fn namespace_keeps_reserved_names() {
        let mut ns = Namespace::reserving(SERVER_NAMES.iter().copied());
        ns.reserve_numbered(SERVER_NUMBERED.iter().copied());
        let cases = [
            ("router", "router_2"),
            ("router", "router_3"),
            ("BODY_LIMIT", "BODY_LIMIT_2"),
            ("error_body_0", "error_body_0_2"),
            ("error_body_", "error_body_"),
            ("error_body_x", "error_body_x"),
            ("handle_pets", "handle_pets"),
        ];
        for (candidate, want) in cases {
            assert_eq!(ns.unique(candidate.into()), want, "{candidate}");
        }
        let mut fields = Namespace::reserving(REQUEST_FIELDS.iter().copied());
        assert_eq!(fields.unique("body".into()), "body_2");
        let mut variants = Namespace::reserving(ENUM_VARIANTS.iter().copied());
        assert_eq!(variants.unique("Unknown".into()), "Unknown2");
    }

    #[test]
    fn crate_names() {
        assert_eq!(
            crate_name("Swagger Petstore", "petstore"),
            "swagger-petstore"
        );
        assert_eq!(crate_name("", "puppy-shop"), "puppy-shop");
        assert_eq!(crate_name("2048 API", "x"), "api-2048-api");
    }
}
