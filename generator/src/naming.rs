//! Spec strings → Rust identifiers. The only place identifiers are made.
//!
//! Every function returns a string that is a valid identifier (a raw one
//! where it must be): emitters may hand it to `syn::Ident` unchecked.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

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

/// Names that generated code uses unqualified beside the spec's types; a
/// schema with one of these names gets a suffix so that both stay usable.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "String",
    "Vec",
    "Option",
    "Box",
    "Result",
    "Default",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "Value",
    "UnknownValue",
    "Base64",
    "FilePart",
    "Invalid",
];

/// Splits `s` into a word-friendly ASCII string: non-ASCII letters become
/// `uXXXX` words so that distinct names stay distinct.
fn asciify(s: &str) -> String {
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
    if name == "Self" {
        name.push('_');
    }
    name
}

/// A schema's type name, kept clear of names generated code uses unqualified.
pub fn schema_type_name(s: &str) -> String {
    let name = type_name(s, "Type");
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        format!("{name}Model")
    } else {
        name
    }
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
        name.insert(0, '_');
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
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: HashSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks names as taken (names the generated code itself defines).
    pub fn reserve<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        self.taken.extend(names.into_iter().map(str::to_owned));
    }

    pub fn unique(&mut self, candidate: String) -> String {
        if self.taken.insert(candidate.clone()) {
            return candidate;
        }
        // `self_` → `self_2`, `Self_` → `Self2`: never `_` next to a letter
        // in a camel-case name, never `__` in a snake-case one.
        let base = candidate.trim_end_matches('_');
        let snake =
            base.starts_with(char::is_lowercase) || base.starts_with("r#") || base.starts_with('_');
        let sep = if snake || base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        for n in 2.. {
            let name = format!("{base}{sep}{n}");
            if self.taken.insert(name.clone()) {
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
        ];
        for (input, want) in cases {
            assert_eq!(schema_type_name(input), want, "{input}");
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
        assert_eq!(ns.unique("r#type".into()), "r#type_2");
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
