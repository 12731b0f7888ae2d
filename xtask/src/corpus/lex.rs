//! Just enough of a Rust lexer to tell identifiers from comments, strings
//! and numbers: what the coverage slice (`cover`) reads in uniapi's own
//! sources and in the generated crates.

/// One token of Rust source. Comments and whitespace are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// An identifier or keyword, without a raw identifier's `r#`.
    Ident { name: &'a str, raw: bool },
    /// A string literal's contents as written (escapes not decoded), of
    /// any kind: `"…"`, `r#"…"#`, `b"…"`, `c"…"`.
    Str(&'a str),
    /// A character, byte or number literal, or a lifetime.
    Literal,
    /// Any other character: `#`, `!`, `{`, `::` as two `:`.
    Punct(char),
}

/// The tokens of `source`. Never fails: text it does not understand ends
/// up as punctuation, and an unterminated literal or comment runs to the end.
pub fn tokens(source: &str) -> Vec<Token<'_>> {
    let mut lexer = Lexer { source, at: 0 };
    let mut out = Vec::new();
    while let Some(token) = lexer.next_token() {
        out.push(token);
    }
    out
}

/// Whether `name` is a Rust keyword (strict, reserved or weak) in any
/// edition, `_` included.
pub fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "_" | "as"
            | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "gen"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "union"
            | "macro_rules"
            | "raw"
            | "safe"
    )
}

struct Lexer<'a> {
    source: &'a str,
    at: usize,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.source[self.at..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_nth(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            let c = self.peek()?;
            if c.is_whitespace() {
                self.bump();
            } else if self.rest().starts_with("//") {
                let end = self.rest().find('\n').unwrap_or(self.rest().len());
                self.at += end;
            } else if self.rest().starts_with("/*") {
                self.block_comment();
            } else {
                break;
            }
        }
        let c = self.peek()?;
        if let Some(token) = self.prefixed_literal() {
            return Some(token);
        }
        if c == '"' {
            self.bump();
            return Some(Token::Str(self.quoted()));
        }
        if c == '\'' {
            self.char_or_lifetime();
            return Some(Token::Literal);
        }
        if c.is_ascii_digit() {
            self.number();
            return Some(Token::Literal);
        }
        if is_ident_start(c) {
            let raw = self.rest().starts_with("r#") && self.peek_nth(2).is_some_and(is_ident_start);
            if raw {
                self.at += 2;
            }
            return Some(Token::Ident {
                name: self.ident(),
                raw,
            });
        }
        self.bump();
        Some(Token::Punct(c))
    }

    /// `/* … */`, nested.
    fn block_comment(&mut self) {
        self.at += 2;
        let mut depth = 1;
        while depth > 0 {
            if self.rest().starts_with("/*") {
                self.at += 2;
                depth += 1;
            } else if self.rest().starts_with("*/") {
                self.at += 2;
                depth -= 1;
            } else if self.bump().is_none() {
                return;
            }
        }
    }

    /// A string with a prefix: `r"…"`, `r#"…"#`, `b"…"`, `br#"…"#`,
    /// `c"…"`, `cr"…"`, and byte characters `b'x'`.
    fn prefixed_literal(&mut self) -> Option<Token<'a>> {
        let rest = self.rest();
        let prefix = ["br", "cr", "r", "b", "c"]
            .into_iter()
            .find(|p| rest.starts_with(p))?;
        let tail = &rest[prefix.len()..];
        if prefix.ends_with('r') {
            let hashes = tail.len() - tail.trim_start_matches('#').len();
            if !tail[hashes..].starts_with('"') {
                return None;
            }
            self.at += prefix.len() + hashes + 1;
            let closing = format!("\"{}", "#".repeat(hashes));
            let rest = self.rest();
            let end = rest.find(&closing).unwrap_or(rest.len());
            let inside = &rest[..end];
            self.at += (end + closing.len()).min(rest.len());
            return Some(Token::Str(inside));
        }
        if tail.starts_with('"') {
            self.at += prefix.len() + 1;
            return Some(Token::Str(self.quoted()));
        }
        if prefix == "b" && tail.starts_with('\'') {
            self.at += 1;
            self.char_or_lifetime();
            return Some(Token::Literal);
        }
        None
    }

    /// The rest of a `"…"` string after its opening quote.
    fn quoted(&mut self) -> &'a str {
        let start = self.at;
        loop {
            match self.bump() {
                None => return &self.source[start..],
                Some('\\') => {
                    self.bump();
                }
                Some('"') => return &self.source[start..self.at - 1],
                Some(_) => {}
            }
        }
    }

    /// `'x'`, `'\n'`, `'\u{1F600}'`, or a lifetime or label `'a`.
    fn char_or_lifetime(&mut self) {
        self.bump();
        match (self.peek(), self.peek_nth(1)) {
            (Some('\\'), _) => {
                while let Some(c) = self.bump() {
                    if c == '\\' {
                        self.bump();
                    } else if c == '\'' {
                        return;
                    }
                }
            }
            (Some(_), Some('\'')) => {
                self.bump();
                self.bump();
            }
            (Some(c), _) if is_ident_start(c) => {
                self.ident();
            }
            _ => {}
        }
    }

    /// `12`, `0x1F`, `2usize`, `1.5e-3f64`, `1_000`; not the `.` of `1..2`
    /// or of a method call `1.max(2)`.
    fn number(&mut self) {
        let mut previous = '0';
        while let Some(c) = self.peek() {
            let exponent_sign = (c == '+' || c == '-') && matches!(previous, 'e' | 'E');
            let fraction = c == '.' && self.peek_nth(1).is_some_and(|n| n.is_ascii_digit());
            if c.is_alphanumeric() || c == '_' || exponent_sign || fraction {
                previous = c;
                self.bump();
            } else {
                break;
            }
        }
    }

    fn ident(&mut self) -> &'a str {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.bump();
        }
        &self.source[start..self.at]
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(source: &str) -> Vec<&str> {
        tokens(source)
            .into_iter()
            .filter_map(|t| match t {
                Token::Ident { name, .. } => Some(name),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_strings_and_numbers_hold_no_identifiers() {
        let source = r##"
            /// doc comment words
            // line comment
            /* block /* nested */ still comment */
            let a = "string \" words"; let b = r#"raw "words""#;
            let c = b"bytes"; let d = br"raw bytes"; let e = c"cstr";
            let f = 'x'; let g = '\''; let h = b'y'; let i = '\u{1F600}';
            let j = 0usize + 1.5e-3f64 + 0x1F + 1_000;
            fn k<'life>(l: &'life str) {}
        "##;
        assert_eq!(
            idents(source),
            [
                "let", "a", "let", "b", "let", "c", "let", "d", "let", "e", "let", "f", "let", "g"
            ]
            .into_iter()
            .chain(["let", "h", "let", "i", "let", "j", "fn", "k", "l", "str"])
            .collect::<Vec<_>>()
        );
    }

    #[test]
    fn strings_keep_their_contents() {
        let strings: Vec<Token> = tokens(r###"f("{}_ERRORS", r#"a "b""#, "c\"d")"###)
            .into_iter()
            .filter(|t| matches!(t, Token::Str(_)))
            .collect();
        assert_eq!(
            strings,
            [
                Token::Str("{}_ERRORS"),
                Token::Str(r#"a "b""#),
                Token::Str(r#"c\"d"#)
            ]
        );
    }

    #[test]
    fn raw_identifiers_and_ranges() {
        assert_eq!(
            tokens("r#type 1..n x.0.len() rb"),
            [
                Token::Ident {
                    name: "type",
                    raw: true
                },
                Token::Literal,
                Token::Punct('.'),
                Token::Punct('.'),
                Token::Ident {
                    name: "n",
                    raw: false
                },
                Token::Ident {
                    name: "x",
                    raw: false
                },
                Token::Punct('.'),
                Token::Literal,
                Token::Punct('.'),
                Token::Ident {
                    name: "len",
                    raw: false
                },
                Token::Punct('('),
                Token::Punct(')'),
                Token::Ident {
                    name: "rb",
                    raw: false
                },
            ]
        );
    }

    #[test]
    fn unterminated_text_runs_to_the_end() {
        assert_eq!(
            tokens("a \"open"),
            [
                Token::Ident {
                    name: "a",
                    raw: false
                },
                Token::Str("open")
            ]
        );
        assert_eq!(idents("b /* open"), ["b"]);
    }

    #[test]
    fn keywords() {
        assert!(is_keyword("fn") && is_keyword("Self") && is_keyword("union"));
        assert!(!is_keyword("Option") && !is_keyword("object"));
    }
}
