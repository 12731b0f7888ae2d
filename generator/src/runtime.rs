//! The runtime: what is the same in every generated crate (the server's
//! middleware, problems, parameter and body readers, `api::Error`, ...).
//!
//! Each file lives in `generator/runtime/` as ordinary Rust, compiled,
//! linted and unit-tested by itself (crate `uniapi-runtime-tests`), and is
//! copied into a generated crate verbatim as `src/runtime/<name>.rs`:
//! the same bytes for every spec. Files refer to each other as
//! `super::<name>` and to nothing of the crate around them, so a file
//! compiles wherever its [`File::needs`] are beside it. Per-spec modules
//! name runtime items as `super::runtime::<name>::<item>`.

use crate::emit::Options;
use crate::ir;

/// One runtime file.
#[derive(Debug)]
pub struct File {
    /// The module's name, and its file's (`<name>.rs`).
    pub name: &'static str,
    /// The file's text, exactly as copied.
    pub text: &'static str,
    /// The crate feature the module is compiled under, if any.
    pub feature: Option<&'static str>,
    /// The other runtime modules it refers to.
    pub needs: &'static [&'static str],
    /// What it is, for the module list of `src/runtime/mod.rs`.
    pub summary: &'static str,
}

/// Every runtime file, in the order the module list names them.
pub const FILES: &[File] = &[
    File {
        name: "api",
        text: include_str!("../runtime/api.rs"),
        feature: None,
        needs: &[],
        summary: "`api::Error` and `Accept` matching.",
    },
    File {
        name: "problem",
        text: include_str!("../runtime/problem.rs"),
        feature: Some("server"),
        needs: &[],
        summary: "RFC 9457 problems, in the spec's error shapes where it has them.",
    },
    File {
        name: "server",
        text: include_str!("../runtime/server.rs"),
        feature: Some("server"),
        needs: &["problem"],
        summary: "`Options`, the middleware around every request, `serve`, ETags.",
    },
    File {
        name: "violations",
        text: include_str!("../runtime/violations.rs"),
        feature: Some("server"),
        needs: &["problem"],
        summary: "Every violation of a JSON body that did not deserialize.",
    },
    File {
        name: "request",
        text: include_str!("../runtime/request.rs"),
        feature: Some("server"),
        needs: &["api", "problem", "violations"],
        summary: "Parameters, credentials' places, bodies and responses of handlers.",
    },
];

/// The runtime files a crate with `options` needs, in [`FILES`] order.
pub fn files(_api: &ir::Api, options: &Options) -> Vec<&'static File> {
    let mut wanted: Vec<&str> = vec!["api"];
    if options.server {
        wanted.extend(["problem", "server", "violations", "request"]);
    }
    // Whatever a wanted file needs comes too.
    let mut i = 0;
    while i < wanted.len() {
        if let Some(file) = FILES.iter().find(|f| f.name == wanted[i]) {
            for need in file.needs {
                if !wanted.contains(need) {
                    wanted.push(need);
                }
            }
        }
        i += 1;
    }
    FILES.iter().filter(|f| wanted.contains(&f.name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_names_its_needs() {
        for file in FILES {
            for other in FILES.iter().filter(|o| o.name != file.name) {
                let refers = file.text.contains(&format!("super::{}::", other.name))
                    || file.text.contains(&format!("super::{}::{{", other.name));
                assert_eq!(
                    refers,
                    file.needs.contains(&other.name),
                    "runtime/{}.rs and its `needs` disagree about `{}`",
                    file.name,
                    other.name
                );
            }
        }
    }

    #[test]
    fn files_refer_to_nothing_outside_the_runtime() {
        for file in FILES {
            assert!(
                !file.text.contains("super::super") && !file.text.contains("crate::"),
                "runtime/{}.rs reaches outside the runtime",
                file.name
            );
        }
    }
}
