//! Diagnostics: values that say what is wrong with a spec, where, and what to do.
//!
//! Only `load` and `lower` make them; every later stage works on a valid
//! [`crate::ir::Api`] and cannot fail on input.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation went on, but something was degraded or left out.
    Warning,
    /// Nothing is written while any of these stands.
    Error,
}

/// One finding about the input, located by file and JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file it is in, as the user named it.
    pub file: String,
    /// A JSON pointer (RFC 6901) into that file, `""` for the whole document.
    pub pointer: String,
    /// 1-based line of the pointer's target, where it could be found.
    pub line: Option<usize>,
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, pointer.into(), message.into())
    }

    pub fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, pointer.into(), message.into())
    }

    fn new(severity: Severity, pointer: String, message: String) -> Self {
        Diagnostic {
            severity,
            file: String::new(),
            pointer,
            line: None,
            message,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        writeln!(f, "{severity}: {}", self.message)?;
        write!(f, "  --> {}#{}", self.file, self.pointer)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every diagnostic of one run, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Changes the diagnostics not located yet (a Swagger 2.0 document's
    /// are found in its converted form, and said again in its terms).
    pub(crate) fn map_unlocated(&mut self, mut map: impl FnMut(&mut Diagnostic)) {
        for d in self.0.iter_mut().filter(|d| d.file.is_empty()) {
            map(d);
        }
    }

    /// Fills in the file name and, where the locator finds it, the line
    /// (of the diagnostics in `file`: those of another file, which a
    /// multi-file spec refers to, keep theirs).
    ///
    /// Finding a line scans the text, so only the first diagnostics get one:
    /// enough for a person to start from, bounded for huge specs.
    pub(crate) fn locate(&mut self, file: &str, line_of: impl Fn(&str) -> Option<usize>) {
        const LOCATED: usize = 100;
        for (i, d) in self.0.iter_mut().enumerate() {
            if d.file.is_empty() {
                d.file = file.to_owned();
            }
            if d.line.is_none() && i < LOCATED && d.file == file {
                d.line = line_of(&d.pointer);
            }
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        write!(f, "{errors} error(s), {warnings} warning(s)")
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Escapes one reference token for a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `base/token`, with the token escaped.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape_token(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_names_the_file_and_finds_lines_only_in_it() {
        let mut diagnostics = Diagnostics::default();
        diagnostics.push(Diagnostic::error("/paths", "in the root"));
        let mut elsewhere = Diagnostic::error("/Pet", "in another file");
        elsewhere.file = "pets.yaml".into();
        diagnostics.push(elsewhere);
        diagnostics.locate("root.yaml", |_| Some(3));
        assert_eq!(diagnostics.0[0].file, "root.yaml");
        assert_eq!(diagnostics.0[0].line, Some(3));
        // The root's text says nothing of another file's lines.
        assert_eq!(diagnostics.0[1].file, "pets.yaml");
        assert_eq!(diagnostics.0[1].line, None);
        assert_eq!(
            diagnostics.to_string(),
            "error: in the root\n  --> root.yaml#/paths (line 3)\nerror: in another file\n  --> pets.yaml#/Pet\n2 error(s), 0 warning(s)"
        );
    }
}
