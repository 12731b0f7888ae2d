//! Stage 2: the document → [`ir::Api`]. The only stage that judges the
//! input: it collects every diagnostic instead of stopping at the first.

mod callback;
mod client;
mod cycles;
mod dedup;
mod examples;
mod features;
mod operation;
mod schema;
mod sequence;
mod settings;
mod tags;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

pub(crate) use sequence::{ITEM_SCHEMA, SCHEMA, sequence};

use openapiv3::{ReferenceOr, SecurityScheme as OaScheme};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, join};
use crate::ir::{self, Location, SchemeKind};
use crate::load::Loaded;
use crate::naming::{self, Namespace};

/// Lowers a loaded document. `Err` holds the diagnostics when any is an
/// error; `Ok` carries the warnings beside the model.
pub fn lower(loaded: &Loaded) -> Result<(ir::Api, Diagnostics), Diagnostics> {
    lower_with(loaded, &Config::default())
}

/// [`lower`], naming and typing as `config` asks.
pub fn lower_with(loaded: &Loaded, config: &Config) -> Result<(ir::Api, Diagnostics), Diagnostics> {
    let doc = &loaded.doc;
    let mut diags = loaded.diagnostics.clone();
    let security_schemes = security_schemes(loaded, &mut diags);
    let settings = settings::Settings::new(config);
    let (mut types, (operations, callbacks), webhooks) = {
        let mut schemas = schema::Schemas::new(&loaded.raw, &mut diags, &settings);
        if let Some(components) = &doc.components {
            schemas.components(&components.schemas);
        }
        let operations = operation::operations(loaded, &mut schemas, &security_schemes);
        let webhooks = operation::webhooks(loaded, &mut schemas, &security_schemes);
        (schemas.finish(), operations, webhooks)
    };
    settings.finish(&mut types, &mut diags);
    let mut api = ir::Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        servers: doc.servers.iter().map(server_url).collect(),
        types,
        operations,
        webhooks,
        callbacks,
        role: ir::Role::Api,
        security_schemes: security_schemes.into_iter().flatten().collect(),
        document: loaded.document.clone(),
        times: ir::Times {
            date_time: config.types.date_time.value,
            date: config.types.date.value,
        },
        features: Vec::new(),
    };
    tags::check(loaded, &mut diags);
    dedup::merge_identical(&mut api);
    client::client(&mut api, &loaded.raw, config, &mut diags);
    if config.features_per_tag {
        features::per_tag(&mut api, &loaded.raw);
    }
    examples::check(&mut api, &mut diags);
    loaded.locate(&mut diags);
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((api, diags))
    }
}

/// A server's URL with its variables replaced by their defaults.
fn server_url(server: &openapiv3::Server) -> String {
    let mut url = server.url.clone();
    for (name, var) in server.variables.iter().flatten() {
        url = url.replace(&format!("{{{name}}}"), &var.default);
    }
    url
}

/// The document's security schemes in order; `None` for those that no
/// request can meet (reported), keeping the indexes of the others stable
/// for `Requirement`s built from the result.
fn security_schemes(loaded: &Loaded, diags: &mut Diagnostics) -> Vec<Option<ir::SecurityScheme>> {
    let Some(components) = &loaded.doc.components else {
        return Vec::new();
    };
    let mut fields = Namespace::new();
    let mut variants = Namespace::new();
    let mut out = Vec::new();
    for (key, scheme_ref) in &components.security_schemes {
        let pointer = join("/components/securitySchemes", key);
        let scheme: OaScheme = match resolve(&loaded.raw, scheme_ref, &pointer) {
            Ok(s) => s,
            Err(d) => {
                diags.push(d);
                out.push(None);
                continue;
            }
        };
        let (kind, description) = match &scheme {
            OaScheme::HTTP {
                scheme,
                description,
                ..
            } if scheme.eq_ignore_ascii_case("bearer") => (Some(SchemeKind::Bearer), description),
            OaScheme::HTTP {
                scheme,
                description,
                ..
            } if scheme.eq_ignore_ascii_case("basic") => (Some(SchemeKind::Basic), description),
            OaScheme::HTTP {
                description,
                extensions,
                ..
            } if extensions
                .get(crate::load::TYPE_MARK)
                .and_then(|t| t.as_str())
                == Some("mutualTLS") =>
            {
                (Some(SchemeKind::MutualTls), description)
            }
            OaScheme::HTTP {
                description,
                extensions,
                ..
            } if extensions.contains_key(crate::load::TYPE_MARK) => {
                let kind = extensions[crate::load::TYPE_MARK]
                    .as_str()
                    .unwrap_or_default();
                diags.push(
                    Diagnostic::warning(
                        join(&pointer, "type"),
                        format!("`{kind}` is not a type of security scheme; no request can meet it"),
                    )
                    .with_hint("use `apiKey`, `http`, `mutualTLS`, `oauth2` or `openIdConnect`; operations that accept only this scheme answer 401"),
                );
                (None, description)
            }
            OaScheme::HTTP {
                scheme,
                description,
                ..
            } if !is_token(scheme) => {
                diags.push(
                    Diagnostic::warning(
                        join(&pointer, "scheme"),
                        format!("`{scheme}` cannot be the name of an HTTP authentication scheme; no request can meet it"),
                    )
                    .with_hint("name it as RFC 9110 does, with letters, digits and `!#$%&'*+-.^_`|~`; operations that accept only this scheme answer 401"),
                );
                (None, description)
            }
            OaScheme::HTTP {
                scheme,
                description,
                ..
            } => (
                Some(SchemeKind::Http {
                    scheme: scheme.clone(),
                }),
                description,
            ),
            OaScheme::APIKey {
                location,
                name,
                description,
                ..
            } if name.is_empty()
                || (*location == openapiv3::APIKeyLocation::Header && !is_token(name)) =>
            {
                diags.push(
                    Diagnostic::warning(
                        join(&pointer, "name"),
                        format!("`{name}` cannot be the name of a key; no request can meet the scheme"),
                    )
                    .with_hint("name the key with letters, digits and `!#$%&'*+-.^_`|~`; operations that accept only this scheme answer 401"),
                );
                (None, description)
            }
            OaScheme::APIKey {
                location,
                name,
                description,
                ..
            } => {
                let location = match location {
                    openapiv3::APIKeyLocation::Header => Location::Header,
                    openapiv3::APIKeyLocation::Query => Location::Query,
                    openapiv3::APIKeyLocation::Cookie => Location::Cookie,
                };
                (
                    Some(SchemeKind::ApiKey {
                        location,
                        name: name.clone(),
                    }),
                    description,
                )
            }
            OaScheme::OAuth2 { description, .. } | OaScheme::OpenIDConnect { description, .. } => {
                (Some(SchemeKind::Bearer), description)
            }
        };
        // 3.2's `deprecated`, which `openapiv3` does not read (a `$ref`'d
        // scheme says it where it is declared).
        let declared_at = match scheme_ref {
            ReferenceOr::Reference { reference } => reference
                .strip_prefix('#')
                .map(|fragment| crate::load::decode_fragment(fragment).into_owned()),
            ReferenceOr::Item(_) => Some(pointer.clone()),
        };
        let deprecated = declared_at
            .and_then(|at| loaded.raw.pointer(&at))
            .and_then(|s| s.get("deprecated"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        out.push(kind.map(|kind| ir::SecurityScheme {
            key: key.clone(),
            field: fields.unique(naming::field_name(key, "scheme")),
            variant: variants.unique(naming::type_name(key, "Scheme")),
            kind,
            description: description.clone(),
            deprecated,
            token_url: token_url(&scheme),
        }));
    }
    out
}

/// An OAuth2 scheme's token endpoint: its client-credentials flow's,
/// else its password or authorization-code flow's.
fn token_url(scheme: &OaScheme) -> Option<String> {
    let OaScheme::OAuth2 { flows, .. } = scheme else {
        return None;
    };
    let urls = [
        flows.client_credentials.as_ref().map(|f| &f.token_url),
        flows.password.as_ref().map(|f| &f.token_url),
        flows.authorization_code.as_ref().map(|f| &f.token_url),
    ];
    urls.into_iter()
        .flatten()
        .find(|url| !url.is_empty())
        .cloned()
}

/// Whether `name` can be an HTTP header's name (an RFC 9110 token): the
/// generated code makes `http::HeaderName`s of such names, which panics on
/// others.
pub(crate) fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Follows `$ref`s (in this document) to the item, a bounded number of times.
pub(crate) fn resolve<T: DeserializeOwned + Clone>(
    raw: &Value,
    item: &ReferenceOr<T>,
    pointer: &str,
) -> Result<T, Diagnostic> {
    let mut current = item.clone();
    for _ in 0..16 {
        match current {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => {
                let target = reference.strip_prefix('#').ok_or_else(|| {
                    Diagnostic::error(
                        pointer,
                        format!("reference to another file `{reference}` is not supported here"),
                    )
                    .with_hint("bundle the spec into one file (for example with `redocly bundle`)")
                })?;
                let value = self::pointer(raw, target).ok_or_else(|| {
                    Diagnostic::error(pointer, format!("`$ref: {reference}` points at nothing"))
                        .with_hint("check the spelling of the reference")
                })?;
                current = serde_json::from_value(value.clone()).map_err(|e| {
                    Diagnostic::error(
                        pointer,
                        format!("`$ref: {reference}` points at something of the wrong kind: {e}"),
                    )
                    .with_hint("point it at an object of the kind expected here")
                })?;
            }
        }
    }
    Err(
        Diagnostic::error(pointer, "`$ref` chain too long or circular")
            .with_hint("make the reference point at the object itself"),
    )
}

/// The value at a `$ref`'s fragment: a JSON pointer, percent-decoded
/// first as a URI fragment is (`#/paths/~1pets~1%7Bid%7D`).
pub(crate) fn pointer<'v>(raw: &'v Value, fragment: &str) -> Option<&'v Value> {
    raw.pointer(&crate::load::decode_fragment(fragment))
}

/// Scheme key → index in [`ir::Api::security_schemes`], for the schemes that
/// can be checked.
pub(crate) fn scheme_index(schemes: &[Option<ir::SecurityScheme>]) -> HashMap<String, usize> {
    schemes
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, s)| (s.key.clone(), i))
        .collect()
}
