//! What the generator can emit, read from its own sources, and which of
//! it a generated crate holds: the features that `cover` chooses the
//! compile-check slice by.
//!
//! The vocabulary follows the emitters without a list to keep up to date:
//!
//! - every identifier inside a `quote!` (`quote_spanned!`, `parse_quote!`)
//!   body in `generator/src/**/*.rs`, except the `#interpolated` ones (those
//!   are the emitter's own variables);
//! - every identifier in the code of a `.rs` file that the generator copies
//!   into crates: files below `generator/runtime/`, and files that a
//!   generator source names in `include_str!("….rs")`;
//! - `format_ident!` templates with a fixed part (`"{}_ERRORS"`,
//!   `"handle_{}"`) as patterns;
//!
//! less Rust keywords and one-letter names. A crate's signature is the
//! words and patterns that occur in the code of its `src/**/*.rs` (comments,
//! doc comments and string literals, which mostly carry the spec's text,
//! are left out; so are the runtime files' words, the same in every crate,
//! so that a runtime word counts where per-spec code uses it), its file
//! names (`file:src/mock.rs`), `r#` when it has
//! raw identifiers, and `twice:NAME` when one file defines a word (or a
//! name of a pattern) more than once, with `fn`, `struct`, `const`, ...:
//! where the spec's names meet the generator's, as when an operation `id`
//! gets a parser `request_id` beside the runtime's `request_id`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::lex::{Token, is_keyword, tokens};

/// The keywords before the name of an item (or a method, or an associated
/// item) that they define.
const DEFINING: [&str; 8] = [
    "fn", "struct", "enum", "const", "static", "mod", "type", "trait",
];

/// The macros whose bodies are emitted code.
const QUOTE_MACROS: [&str; 3] = ["quote", "quote_spanned", "parse_quote"];

/// What the generator can emit.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    words: BTreeSet<String>,
    patterns: Vec<Pattern>,
}

/// What one generated crate holds of the vocabulary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    /// Sorted, without repeats.
    pub features: Vec<String>,
    /// Bytes of `src/**/*.rs`: what the crate costs to check.
    pub bytes: u64,
}

impl Vocabulary {
    /// Reads the generator's sources below `root` (the repository).
    pub fn load(root: &Path) -> Result<Vocabulary, String> {
        let mut generator = Vec::new();
        rust_files(&root.join("generator/src"), &mut generator)?;
        let mut runtime = Vec::new();
        let runtime_dir = root.join("generator/runtime");
        if runtime_dir.is_dir() {
            rust_files(&runtime_dir, &mut runtime)?;
        }
        let mut emitters = Vec::new();
        for path in &generator {
            let text = read(path)?;
            for included in included_rust_files(&text) {
                if let Some(dir) = path.parent() {
                    runtime.push(dir.join(included));
                }
            }
            emitters.push(text);
        }
        runtime.sort();
        runtime.dedup();
        let runtime: Vec<String> = runtime.iter().map(|p| read(p)).collect::<Result<_, _>>()?;
        let emitters: Vec<&str> = emitters.iter().map(String::as_str).collect();
        let runtime: Vec<&str> = runtime.iter().map(String::as_str).collect();
        let vocabulary = Vocabulary::from_sources(&emitters, &runtime);
        if vocabulary.words.is_empty() {
            return Err(format!(
                "found no quote! bodies below {}; the coverage slice needs them",
                root.join("generator/src").display()
            ));
        }
        Ok(vocabulary)
    }

    /// The vocabulary of emitter sources (their `quote!` bodies and
    /// `format_ident!` templates) and of runtime sources (all their code).
    pub fn from_sources(emitters: &[&str], runtime: &[&str]) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        for source in emitters {
            vocabulary.read_emitter(source);
        }
        for source in runtime {
            for token in tokens(source) {
                if let Token::Ident { name, .. } = token {
                    vocabulary.add_word(name);
                }
            }
        }
        vocabulary.patterns.sort_by(|a, b| a.name.cmp(&b.name));
        vocabulary.patterns.dedup_by(|a, b| a.name == b.name);
        vocabulary
    }

    pub fn words(&self) -> usize {
        self.words.len()
    }

    pub fn patterns(&self) -> usize {
        self.patterns.len()
    }

    fn add_word(&mut self, name: &str) {
        if name.chars().count() > 1 && !is_keyword(name) {
            self.words.insert(name.to_owned());
        }
    }

    fn read_emitter(&mut self, source: &str) {
        let tokens = tokens(source);
        let mut i = 0;
        while i < tokens.len() {
            let macro_name = match tokens[i] {
                Token::Ident { name, raw: false }
                    if tokens.get(i + 1) == Some(&Token::Punct('!')) =>
                {
                    name
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            if QUOTE_MACROS.contains(&macro_name) {
                i = self.read_quote_body(&tokens, i + 2, macro_name == "quote_spanned");
                continue;
            }
            if macro_name == "format_ident" {
                if let (Some(Token::Punct('(')), Some(Token::Str(template))) =
                    (tokens.get(i + 2), tokens.get(i + 3))
                {
                    if let Some(pattern) = Pattern::parse(template) {
                        self.patterns.push(pattern);
                    }
                }
            }
            i += 2;
        }
    }

    /// Reads the delimited group that starts at `tokens[start]` and returns
    /// the index after it; `spanned`: the group starts with `span =>`.
    fn read_quote_body(&mut self, tokens: &[Token], start: usize, spanned: bool) -> usize {
        if !matches!(tokens.get(start), Some(Token::Punct('(' | '[' | '{'))) {
            return start;
        }
        let mut depth = 0usize;
        let mut i = start;
        if spanned {
            let arrow = tokens[start..]
                .windows(2)
                .position(|w| w == [Token::Punct('='), Token::Punct('>')]);
            if let Some(at) = arrow {
                depth = 1;
                i = start + at + 2;
            }
        }
        while let Some(token) = tokens.get(i) {
            match *token {
                Token::Punct('(' | '[' | '{') => depth += 1,
                Token::Punct(')' | ']' | '}') => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                Token::Ident { name, .. } => {
                    let interpolated = i > 0 && tokens[i - 1] == Token::Punct('#');
                    if !interpolated {
                        self.add_word(name);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// The signature of a crate from its source files, given as paths
    /// relative to the crate (`src/types.rs`) and their text.
    pub fn signature<'a>(&self, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Signature {
        let mut features = BTreeSet::new();
        let mut bytes = 0u64;
        // What each identifier stands for in the vocabulary: the word, and
        // the patterns it matches.
        let mut keys: HashMap<&str, Vec<String>> = HashMap::new();
        for (path, text) in files {
            bytes += text.len() as u64;
            features.insert(format!("file:{path}"));
            // A runtime file is the same in every crate (and compiled and
            // tested by itself): that a crate has it is a feature, its words
            // are not, so that a word counts where per-spec code uses it.
            if is_runtime_file(path) {
                continue;
            }
            let mut definitions: HashMap<&str, usize> = HashMap::new();
            let mut previous = None;
            for token in tokens(text) {
                let Token::Ident { name, raw } = token else {
                    previous = None;
                    continue;
                };
                if raw {
                    features.insert("r#".to_owned());
                }
                let keys = keys.entry(name).or_insert_with(|| self.keys(name));
                features.extend(keys.iter().cloned());
                if !keys.is_empty() && previous.is_some_and(|p| DEFINING.contains(&p)) {
                    *definitions.entry(name).or_default() += 1;
                }
                previous = (!raw).then_some(name);
            }
            for (name, count) in definitions {
                if count > 1 {
                    features.extend(keys[name].iter().map(|key| format!("twice:{key}")));
                }
            }
        }
        Signature {
            features: features.into_iter().collect(),
            bytes,
        }
    }

    /// The vocabulary word `name` is, and the patterns it matches.
    fn keys(&self, name: &str) -> Vec<String> {
        let word = self.words.get(name).cloned();
        let patterns = self
            .patterns
            .iter()
            .filter(|p| p.matches(name))
            .map(|p| p.name.clone());
        word.into_iter().chain(patterns).collect()
    }

    /// The signature of the crate in `dir`: its `src/**/*.rs`.
    pub fn signature_of(&self, dir: &Path) -> Result<Signature, String> {
        let mut paths = Vec::new();
        rust_files(&dir.join("src"), &mut paths)?;
        let mut files = Vec::new();
        for path in paths {
            let relative = path.strip_prefix(dir).unwrap_or(&path);
            let relative = relative.to_string_lossy().replace('\\', "/");
            files.push((relative, read(&path)?));
        }
        Ok(self.signature(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))))
    }
}

/// A file the generator copies into every crate as it is
/// (`src/runtime/<name>.rs`); `src/runtime/mod.rs`, which it writes per
/// spec, is not one.
fn is_runtime_file(path: &str) -> bool {
    path.strip_prefix("src/runtime/")
        .is_some_and(|name| name != "mod.rs" && !name.contains('/'))
}

/// A `format_ident!` template with a fixed part: `{}_ERRORS` matches
/// `LIST_PETS_ERRORS`. Each placeholder stands for at least one character.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// The template with every placeholder written `{}`.
    name: String,
    /// The fixed parts around and between the placeholders.
    parts: Vec<String>,
}

impl Pattern {
    /// A template made of identifier characters and `{…}` placeholders, with
    /// at least one placeholder and three fixed characters.
    fn parse(template: &str) -> Option<Pattern> {
        let mut parts = vec![String::new()];
        let mut rest = template;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let (_, tail) = after.split_once('}')?;
                parts.push(String::new());
                rest = tail;
            } else {
                let c = rest.chars().next()?;
                if !(c.is_alphanumeric() || c == '_') {
                    return None;
                }
                parts.last_mut()?.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        let fixed: usize = parts.iter().map(String::len).sum();
        if parts.len() < 2 || fixed < 3 {
            return None;
        }
        Some(Pattern {
            name: parts.join("{}"),
            parts,
        })
    }

    fn matches(&self, name: &str) -> bool {
        let (Some(first), Some(last)) = (self.parts.first(), self.parts.last()) else {
            return false;
        };
        let Some(mut rest) = name.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some(body) = rest.strip_suffix(last.as_str()) else {
            return false;
        };
        rest = body;
        // Each middle part after at least one character of placeholder.
        for part in &self.parts[1..self.parts.len() - 1] {
            let Some(skip) = rest.chars().next().map(char::len_utf8) else {
                return false;
            };
            match rest[skip..].find(part.as_str()) {
                Some(at) => rest = &rest[skip + at + part.len()..],
                None => return false,
            }
        }
        !rest.is_empty()
    }
}

/// `.rs` files named by `include_str!("….rs")` in `source`.
fn included_rust_files(source: &str) -> Vec<PathBuf> {
    let tokens = tokens(source);
    tokens
        .windows(4)
        .filter_map(|w| match w {
            [
                Token::Ident {
                    name: "include_str",
                    ..
                },
                Token::Punct('!'),
                Token::Punct('('),
                Token::Str(path),
            ] if path.ends_with(".rs") => Some(PathBuf::from(path)),
            _ => None,
        })
        .collect()
}

/// Every `*.rs` below `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let start = out.len();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry
                .map_err(|e| format!("cannot list {}: {e}", folder.display()))?
                .path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out[start..].sort();
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMITTER: &str = r##"
        use quote::{format_ident, quote};
        /// Emits `fn object` when a schema needs it.
        fn emit(op: &Op, schema_needs_object: bool) -> TokenStream {
            let handler = format_ident!("handle_{}", op.name);
            let errors = format_ident!("{}_ERRORS", op.upper);
            let name = format_ident!("{}", op.request_type());
            let local = format_ident!("p{i}");
            let body = quote! {
                #[derive(Debug, Clone)]
                pub struct #name { pub body: Vec<u8> }
                fn #handler() { let x = LENIENT.with(|l| l.get()); #(#rows),* }
                static LENIENT: std::cell::Cell<bool> = "not_a_word";
            };
            let more = quote_spanned!(span=> fn object() {});
            body
        }
    "##;

    const RUNTIME: &str = "/// retry\npub fn retry_after(value: &str) -> Option<u64> { None }";

    fn vocabulary() -> Vocabulary {
        Vocabulary::from_sources(&[EMITTER], &[RUNTIME])
    }

    #[test]
    fn words_come_from_quote_bodies_and_runtime_code() {
        let vocabulary = vocabulary();
        let words: Vec<&str> = vocabulary.words.iter().map(String::as_str).collect();
        assert_eq!(
            words,
            [
                "Cell",
                "Clone",
                "Debug",
                "LENIENT",
                "None",
                "Option",
                "Vec",
                "body",
                "bool",
                "cell",
                "derive",
                "get",
                "object",
                "retry_after",
                "std",
                "str",
                "u64",
                "u8",
                "value",
                "with",
            ]
        );
    }

    #[test]
    fn patterns_come_from_format_ident_templates() {
        let vocabulary = vocabulary();
        let names: Vec<&str> = vocabulary
            .patterns
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["handle_{}", "{}_ERRORS"]);
    }

    #[test]
    fn patterns_need_a_placeholder_and_three_fixed_characters() {
        assert!(Pattern::parse("{}").is_none());
        assert!(Pattern::parse("p{i}").is_none());
        assert!(Pattern::parse("plain").is_none());
        assert!(Pattern::parse("not an ident {}").is_none());
        let p = Pattern::parse("get_{}_by_{id}").unwrap();
        assert_eq!(p.name, "get_{}_by_{}");
        assert!(p.matches("get_pet_by_name"));
        assert!(!p.matches("get__by_name"));
        assert!(!p.matches("get_pet_by_"));
        assert!(!p.matches("set_pet_by_name"));
        let suffix = Pattern::parse("{}_ERRORS").unwrap();
        assert!(suffix.matches("LIST_PETS_ERRORS"));
        assert!(!suffix.matches("_ERRORS"));
    }

    #[test]
    fn a_signature_holds_code_words_patterns_files_and_raw_identifiers() {
        let types = "/// object retry_after\npub struct Pet { pub r#type: String, pub body: Vec<u8> }\n\
                     const S: &str = \"LENIENT\";";
        let server = "fn handle_list_pets() {}\nconst LIST_PETS_ERRORS: u8 = 0;\n\
                      fn object() {} mod m { fn object() {} } fn handle_object() {}";
        // `object` is defined twice in one file; `handle_list_pets` and
        // `handle_object` are names of one pattern, but each is defined once.
        let signature =
            vocabulary().signature([("src/types.rs", types), ("src/server.rs", server)]);
        assert_eq!(
            signature.features,
            [
                "Vec",
                "body",
                "file:src/server.rs",
                "file:src/types.rs",
                "handle_{}",
                "object",
                "r#",
                "str",
                "twice:object",
                "u8",
                "{}_ERRORS"
            ]
        );
        assert_eq!(signature.bytes, (types.len() + server.len()) as u64);
    }

    #[test]
    fn a_runtime_files_words_count_only_where_per_spec_code_uses_them() {
        let runtime = "pub fn object() {} pub fn retry_after() {}";
        let server = "fn handle_list_pets() { object(); }";
        let signature = vocabulary().signature([
            ("src/runtime/request.rs", runtime),
            ("src/runtime/mod.rs", "pub mod request;"),
            ("src/server.rs", server),
        ]);
        assert_eq!(
            signature.features,
            [
                "file:src/runtime/mod.rs",
                "file:src/runtime/request.rs",
                "file:src/server.rs",
                "handle_{}",
                "object"
            ]
        );
        assert_eq!(
            signature.bytes,
            (runtime.len() + "pub mod request;".len() + server.len()) as u64
        );
    }

    #[test]
    fn include_str_names_runtime_files() {
        assert_eq!(
            included_rust_files(
                r#"const A: &str = include_str!("../runtime/retry.rs"); include_str!("x.json");"#
            ),
            [PathBuf::from("../runtime/retry.rs")]
        );
    }

    #[test]
    fn the_repository_has_a_vocabulary() {
        let vocabulary = Vocabulary::load(super::super::workspace_root()).unwrap();
        assert!(vocabulary.words() > 300, "{} words", vocabulary.words());
        assert!(vocabulary.patterns() > 0);
        for word in ["LENIENT", "router_with", "MockApi"] {
            assert!(vocabulary.words.contains(word), "{word} is not in it");
        }
    }
}
