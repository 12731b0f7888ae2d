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
        name: "auth",
        text: include_str!("../runtime/auth.rs"),
        feature: None,
        needs: &[],
        summary: "Who may call: `Authenticate`, `Principal`, `Refusal`, `Tokens`.",
    },
    File {
        name: "values",
        text: include_str!("../runtime/values.rs"),
        feature: None,
        needs: &[],
        summary: "Enum values the spec does not list: `UnknownValue`, `lenient`.",
    },
    File {
        name: "int64",
        text: include_str!("../runtime/int64.rs"),
        feature: None,
        needs: &[],
        summary: "`Int64`: an integer that travels as a JSON string.",
    },
    File {
        name: "object",
        text: include_str!("../runtime/object.rs"),
        feature: None,
        needs: &[],
        summary: "Structs read from and written as JSON objects.",
    },
    File {
        name: "stream",
        text: include_str!("../runtime/stream.rs"),
        feature: None,
        needs: &["api"],
        summary: "Bodies that stream: `ByteStream`, `Items`, `Event` and their framing.",
    },
    File {
        name: "signature",
        text: include_str!("../runtime/signature.rs"),
        feature: None,
        needs: &["api"],
        summary: "Webhook signatures: Standard Webhooks, GitHub's and Stripe's, signed and verified.",
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
        needs: &["problem", "request"],
        summary: "`Options`, the middleware around every request, `serve`, ETags.",
    },
    File {
        name: "jwt",
        text: include_str!("../runtime/jwt.rs"),
        feature: Some("jwt"),
        needs: &["api", "auth"],
        summary: "The JWT authenticator: keys, key sets (JWKS), claims.",
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
        needs: &["api", "auth", "problem", "violations"],
        summary: "Parameters, credentials' places, bodies and responses of handlers.",
    },
    File {
        name: "client",
        text: include_str!("../runtime/client.rs"),
        feature: Some("client"),
        needs: &["api", "values"],
        summary: "`Client` over reqwest: `send`, retries, the cache, request and response helpers.",
    },
    File {
        name: "oauth2",
        text: include_str!("../runtime/oauth2.rs"),
        feature: Some("client"),
        needs: &["api", "client"],
        summary: "`OAuth2`: bearer tokens from a token endpoint, kept and refreshed.",
    },
    File {
        name: "pages",
        text: include_str!("../runtime/pages.rs"),
        feature: Some("client"),
        needs: &["api", "client"],
        summary: "`Pages`: a list's items across its pages, and where the next page is.",
    },
    File {
        name: "stream_server",
        text: include_str!("../runtime/stream_server.rs"),
        feature: Some("server"),
        needs: &["api", "stream"],
        summary: "Items and events written as a handler yields them, read as they arrive.",
    },
    File {
        name: "stream_client",
        text: include_str!("../runtime/stream_client.rs"),
        feature: Some("client"),
        needs: &["api", "client", "stream"],
        summary: "Items and events read as they arrive (reconnecting), sent as they come.",
    },
];

impl File {
    /// The file as a crate holds it: a header that is the same for every
    /// spec, then the text.
    pub fn contents(&self) -> String {
        format!(
            "// This file is @generated by uniapi {}: the same in every crate it generates.\n\
             // Do not edit it: `uniapi generate` writes it again.\n\n{}",
            env!("CARGO_PKG_VERSION"),
            self.text
        )
    }
}

/// The runtime files a crate with `options` needs, in [`FILES`] order.
pub fn files(api: &ir::Api, options: &Options) -> Vec<&'static File> {
    let mut wanted: Vec<&str> = vec!["api"];
    if api.authenticates() {
        wanted.push("auth");
    }
    if api
        .types
        .iter()
        .any(|t| matches!(t.kind, ir::TypeKind::Enum(_)))
    {
        wanted.push("values");
    }
    if api.uses(ir::Prim::Int64Text) {
        wanted.push("int64");
    }
    if api
        .types
        .iter()
        .any(|t| matches!(t.kind, ir::TypeKind::Struct(_)))
    {
        wanted.push("object");
    }
    let streams = api.streams();
    if streams {
        wanted.push("stream");
    }
    if !api.webhooks.is_empty() || !api.callbacks.is_empty() {
        wanted.push("signature");
    }
    if options.server {
        wanted.extend(["problem", "server", "violations", "request"]);
        if streams {
            wanted.push("stream_server");
        }
    }
    if options.server && options.jwt && api.bearer() {
        wanted.push("jwt");
    }
    if options.client {
        wanted.push("client");
        if streams {
            wanted.push("stream_client");
        }
        if api.bearer() {
            wanted.push("oauth2");
        }
        if api.paginates() {
            wanted.push("pages");
        }
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

    /// The public items of a runtime file: what a glob import of it brings.
    fn public_items(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        for line in text.lines() {
            if let Some(used) = line.strip_prefix("pub use ") {
                let list = used.trim_end_matches(';');
                let list = match list.split_once('{') {
                    Some((_, inner)) => inner.trim_end_matches('}').to_owned(),
                    None => list.rsplit("::").next().unwrap_or("").to_owned(),
                };
                names.extend(list.split(',').map(|n| n.trim().to_owned()));
                continue;
            }
            let Some(rest) = line.strip_prefix("pub ") else {
                continue;
            };
            let rest = rest.strip_prefix("async ").unwrap_or(rest);
            for kind in [
                "fn ", "struct ", "enum ", "const ", "type ", "trait ", "static ",
            ] {
                if let Some(item) = rest.strip_prefix(kind) {
                    let name: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.push(name);
                }
            }
        }
        names.retain(|n| !n.is_empty());
        names
    }

    #[test]
    fn what_the_server_imports_by_glob_is_reserved() {
        // `server.rs` imports these modules with `*`: a name of the spec's
        // in its module would shadow one of theirs.
        for name in ["problem", "request", "violations", "stream_server"] {
            let file = FILES
                .iter()
                .find(|f| f.name == name)
                .expect("a runtime file");
            for item in public_items(file.text) {
                assert!(
                    crate::naming::SERVER_NAMES.contains(&item.as_str()),
                    "`{item}` of runtime/{name}.rs is not in naming::SERVER_NAMES"
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
