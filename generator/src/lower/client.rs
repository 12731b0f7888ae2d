//! What only the client uses of an operation: how a list's pages follow
//! one another (declared with `x-pagination`, Speakeasy's
//! `x-speakeasy-pagination` or the configuration, else detected from the
//! parameters, the body and the headers), and the header that carries an
//! idempotency key.
//!
//! Detection looks at `GET` operations without a body whose first
//! success response is a JSON list, or an object with one list among its
//! properties (or one named `items`, `data`, `results`, ...). Then, in
//! this order:
//!
//! 1. a documented `Link` response header: the `rel="next"` link;
//! 2. a cursor query parameter (`cursor`, `after`, `page_token`, ...)
//!    and a cursor property (`next_cursor`, `nextPageToken`, `next`, ...);
//! 3. a next-URL property (`next`, `nextLink`, `next_url`, ...);
//! 4. an `offset` (or `skip`, `start`) integer parameter, with a limit
//!    parameter and a total property where there are;
//! 5. a `page` integer parameter, with a page size parameter and a page
//!    count property where there are.
//!
//! Where parameters look like pages but the body has no one list, the
//! operation gets no `paginate()`, with a warning.

use serde_json::Value;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{
    self, FieldPath, FieldStep, Location, Method, PageKind, Pagination, Prim, StatusMatch, Ty,
    TypeKind,
};

const ITEMS: &[&str] = &[
    "items", "data", "results", "value", "values", "entries", "records", "elements", "list",
    "content", "hits", "nodes",
];
const CURSOR_PARAMS: &[&str] = &[
    "cursor",
    "after",
    "page_token",
    "pagetoken",
    "next_token",
    "nexttoken",
    "continuation_token",
    "continuationtoken",
    "start_cursor",
    "page_cursor",
    "marker",
];
const CURSOR_FIELDS: &[&str] = &[
    "next_cursor",
    "nextcursor",
    "next_page_token",
    "nextpagetoken",
    "next_token",
    "nexttoken",
    "continuation_token",
    "continuationtoken",
    "next_marker",
    "nextmarker",
    "end_cursor",
    "endcursor",
    "cursor",
    "next",
];
const NEXT_URLS: &[&str] = &[
    "next",
    "nextlink",
    "next_link",
    "@odata.nextlink",
    "odata.nextlink",
    "next_url",
    "nexturl",
    "next_page_url",
    "nextpageurl",
    "next_page",
];
const OFFSETS: &[&str] = &["offset", "skip", "start"];
const LIMITS: &[&str] = &[
    "limit",
    "per_page",
    "perpage",
    "page_size",
    "pagesize",
    "size",
    "count",
    "max_results",
    "maxresults",
    "take",
    "top",
    "$top",
];
const TOTALS: &[&str] = &[
    "total",
    "total_count",
    "totalcount",
    "total_results",
    "totalresults",
    "total_items",
    "totalitems",
    "count",
];
const PAGES: &[&str] = &["page", "page_number", "pagenumber"];
const PAGE_COUNTS: &[&str] = &[
    "total_pages",
    "totalpages",
    "pages",
    "page_count",
    "pagecount",
    "num_pages",
];

/// The extensions that declare pagination, ours first.
const EXTENSIONS: &[&str] = &["x-pagination", "x-speakeasy-pagination"];

/// Sets each operation's pagination and idempotency key.
pub(super) fn client(api: &mut ir::Api, raw: &Value, config: &Config, diags: &mut Diagnostics) {
    let detect = config.calls.detect_pagination;
    let mut declared_by_config = vec![false; config.calls.pages.len()];
    for i in 0..api.operations.len() {
        let op = &api.operations[i];
        let idempotency_key = op
            .params
            .iter()
            .find(|p| {
                p.location == Location::Header && p.wire.eq_ignore_ascii_case("idempotency-key")
            })
            .map(|p| p.wire.to_ascii_lowercase())
            .or_else(|| {
                let configured = config.calls.idempotency_key.as_ref()?;
                matches!(op.method, Method::Post | Method::Patch)
                    .then(|| configured.value.to_ascii_lowercase())
            });
        // The configuration's declaration, then the spec's, then detection.
        let by_config = config
            .calls
            .pages
            .iter()
            .position(|(id, _)| op.operation_id.as_deref() == Some(id.value.as_str()));
        let declared = match by_config {
            Some(k) => {
                declared_by_config[k] = true;
                let (id, value) = &config.calls.pages[k];
                Some((value.clone(), String::new(), Some(id)))
            }
            None => EXTENSIONS.iter().find_map(|name| {
                let pointer = format!("{}/{name}", op.origin);
                raw.pointer(&pointer).map(|v| (v.clone(), pointer, None))
            }),
        };
        let pagination = match declared {
            Some((Value::Bool(false), _, _)) => None,
            Some((value, pointer, origin)) => match declare(api, op, &value) {
                Ok(p) => Some(p),
                Err(message) => {
                    let hint = "write it as Speakeasy's `x-speakeasy-pagination` is written: `type` (`offsetLimit`, `cursor`, `url` or `link`), `inputs` (`name`, `in: parameters`, `type`) and `outputs` (`results`, `nextCursor`, `nextUrl`, `numPages`, `totalCount` as `$.field` paths); `false` turns it off";
                    diags.push(match origin {
                        Some(set) => set.origin.error(message, hint),
                        None => Diagnostic::error(pointer, message).with_hint(hint),
                    });
                    None
                }
            },
            None if detect => detect_pages(api, op, diags),
            None => None,
        };
        let op = &mut api.operations[i];
        op.idempotency_key = idempotency_key;
        op.pagination = pagination;
    }
    let selected = !config.select.include.is_empty() || !config.select.exclude.is_empty();
    for ((id, _), used) in config.calls.pages.iter().zip(declared_by_config) {
        if !used {
            let mut d = id.origin.error(
                format!("no operation has operationId `{}`", id.value),
                "name an operation by its `operationId`, as the spec writes it",
            );
            if selected {
                d.severity = crate::diag::Severity::Warning;
            }
            diags.push(d);
        }
    }
}

/// The page's response: the first success response with one JSON body,
/// of an operation that can be sent again as it is (no body).
fn page_response(op: &ir::Operation) -> Option<(usize, &Ty)> {
    if !op.bodies.is_empty() || op.callback.is_some() {
        return None;
    }
    let (index, response) = op
        .responses
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r.status, StatusMatch::Code(200..=299)))
        .min_by_key(|(_, r)| match r.status {
            StatusMatch::Code(c) => c,
            _ => u16::MAX,
        })?;
    match response.bodies.as_slice() {
        [body] if body.media == ir::MediaKind::Json && !matches!(body.ty, Ty::Nullable(_)) => {
            Some((index, &body.ty))
        }
        _ => None,
    }
}

/// `ty` with aliases and `null` followed: what a value of it is.
fn resolve<'a>(api: &'a ir::Api, mut ty: &'a Ty) -> &'a Ty {
    for _ in 0..=api.types.len() {
        match api.unalias(ty) {
            Ty::Nullable(inner) => ty = inner,
            other => return other,
        }
    }
    ty
}

/// The fields of the struct that `ty` is, if it is one (not replaced).
fn fields<'a>(api: &'a ir::Api, ty: &'a Ty) -> Option<&'a [ir::Field]> {
    match resolve(api, ty) {
        Ty::Named(id) if api.ty(*id).replaced.is_none() => match &api.ty(*id).kind {
            TypeKind::Struct(s) => Some(&s.fields),
            _ => None,
        },
        _ => None,
    }
}

/// The items' type, where `ty` is a list.
fn list_item<'a>(api: &'a ir::Api, ty: &'a Ty) -> Option<&'a Ty> {
    match resolve(api, ty) {
        Ty::List(item) => Some(item),
        _ => None,
    }
}

/// As `emit::types` writes the field: a defaulted one is never absent,
/// an optional nullable one tells absent from `null`.
fn step(field: &ir::Field) -> FieldStep {
    let nullable = matches!(field.ty, Ty::Nullable(_));
    let options = match (field.default.is_some(), field.required, nullable) {
        (true, _, nullable) => u8::from(nullable),
        (false, false, true) => 2,
        (false, required, nullable) => u8::from(!required || nullable),
    };
    FieldStep {
        field: field.name.clone(),
        options,
        boxed: field.boxed,
    }
}

/// The primitive that a value of `ty` is, constrained or not (written
/// and read as text either way).
fn prim(api: &ir::Api, ty: &Ty) -> Option<Prim> {
    match resolve(api, ty) {
        Ty::Prim(p) => Some(*p),
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Constrained(Ty::Prim(p), _) if api.ty(*id).replaced.is_none() => Some(*p),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a value of `ty` can be a cursor or a count in a query: text
/// or a whole number.
fn scalar(api: &ir::Api, ty: &Ty) -> bool {
    matches!(
        prim(api, ty),
        Some(Prim::String | Prim::I32 | Prim::I64 | Prim::Int64Text | Prim::Uuid)
    )
}

fn whole(api: &ir::Api, ty: &Ty) -> bool {
    matches!(prim(api, ty), Some(Prim::I32 | Prim::I64 | Prim::Int64Text))
}

/// The query parameter whose wire name is one of `names` (any case).
fn query_param<'a>(op: &'a ir::Operation, names: &[&str]) -> Option<&'a ir::Param> {
    names.iter().find_map(|name| {
        op.params.iter().find(|p| {
            p.location == Location::Query && !p.querystring && p.wire.eq_ignore_ascii_case(name)
        })
    })
}

/// The field of `fields` whose wire name is one of `names` (any case),
/// and that `fits`.
fn field_named<'a>(
    fields: &'a [ir::Field],
    names: &[&str],
    fits: impl Fn(&ir::Field) -> bool,
) -> Option<&'a ir::Field> {
    names.iter().find_map(|name| {
        fields
            .iter()
            .find(|f| f.wire.eq_ignore_ascii_case(name) && fits(f))
    })
}

fn detect_pages(api: &ir::Api, op: &ir::Operation, diags: &mut Diagnostics) -> Option<Pagination> {
    if op.method != Method::Get {
        return None;
    }
    let (response, body) = page_response(op)?;
    let cursor_param = query_param(op, CURSOR_PARAMS);
    let offset_param = query_param(op, OFFSETS).filter(|p| whole(api, &p.ty));
    let page_param = query_param(op, PAGES).filter(|p| whole(api, &p.ty));
    let link = op.responses[response]
        .headers
        .iter()
        .any(|h| h.wire.eq_ignore_ascii_case("link"));
    let pagey = link || cursor_param.is_some() || offset_param.is_some() || page_param.is_some();
    let body_fields = fields(api, body);
    let next_url = body_fields.and_then(|fields| {
        field_named(fields, NEXT_URLS, |f| {
            prim(api, &f.ty) == Some(Prim::String)
        })
    });
    if !pagey && next_url.is_none() {
        return None;
    }
    // The items: the body itself, or its one list (or one well named).
    let (items, item) = match list_item(api, body) {
        Some(item) => (FieldPath::default(), item.clone()),
        None => {
            let fields = body_fields?;
            let lists: Vec<&ir::Field> = fields
                .iter()
                .filter(|f| list_item(api, &f.ty).is_some())
                .collect();
            let chosen = match lists.as_slice() {
                [one] => Some(*one),
                _ => ITEMS.iter().find_map(|name| {
                    lists
                        .iter()
                        .copied()
                        .find(|f| f.wire.eq_ignore_ascii_case(name))
                }),
            };
            match chosen {
                Some(f) => (
                    FieldPath(vec![step(f)]),
                    list_item(api, &f.ty).cloned().unwrap_or(Ty::Any),
                ),
                None => {
                    diags.push(
                        Diagnostic::warning(
                            format!("{}/responses", op.origin),
                            format!(
                                "`{}` looks like a list read in pages, but its page's body has {} lists and none is named as items are; it gets no `paginate()`",
                                op.name,
                                lists.len()
                            ),
                        )
                        .with_hint("declare it with `x-pagination` (`outputs.results`), or in uniapi.toml's `[client.pages]`"),
                    );
                    return None;
                }
            }
        }
    };
    let field_path = |names: &[&str], fits: &dyn Fn(&ir::Field) -> bool| {
        body_fields
            .and_then(|fields| field_named(fields, names, fits))
            .map(|f| FieldPath(vec![step(f)]))
    };
    let kind = if link {
        PageKind::Link
    } else if let (Some(param), Some(cursor)) = (
        cursor_param,
        field_path(CURSOR_FIELDS, &|f| scalar(api, &f.ty)),
    ) {
        PageKind::Cursor {
            param: param.wire.clone(),
            cursor,
        }
    } else if let Some(next) = next_url {
        PageKind::NextUrl {
            next: FieldPath(vec![step(next)]),
        }
    } else if let Some(offset) = offset_param {
        PageKind::Offset {
            offset: offset.wire.clone(),
            limit: query_param(op, LIMITS).map(|p| p.wire.clone()),
            total: field_path(TOTALS, &|f| whole(api, &f.ty)),
        }
    } else if let Some(page) = page_param {
        PageKind::Page {
            page: page.wire.clone(),
            first: first_page(page),
            size: query_param(op, LIMITS).map(|p| p.wire.clone()),
            pages: field_path(PAGE_COUNTS, &|f| whole(api, &f.ty)),
        }
    } else {
        if let Some(param) = cursor_param {
            diags.push(
                Diagnostic::warning(
                    format!("{}/parameters", op.origin),
                    format!(
                        "`{}` takes a cursor (`{}`), but its page's body has no field that gives the next one; it gets no `paginate()`",
                        op.name, param.wire
                    ),
                )
                .with_hint("declare it with `x-pagination` (`outputs.nextCursor`), or in uniapi.toml's `[client.pages]`"),
            );
        }
        return None;
    };
    Some(Pagination {
        kind,
        response,
        items,
        item,
        declared: false,
    })
}

/// The number of the first page: the parameter's default, else 1.
fn first_page(page: &ir::Param) -> u64 {
    match &page.default {
        Some(ir::Literal::Int(n)) => u64::try_from(*n).unwrap_or(1),
        _ => 1,
    }
}

/// A pagination as `x-pagination` (Speakeasy's shape) declares it.
fn declare(api: &ir::Api, op: &ir::Operation, value: &Value) -> Result<Pagination, String> {
    let (response, body) = page_response(op).ok_or_else(|| {
        format!(
            "`{}` cannot be read in pages: it needs no request body and a success response with one JSON body",
            op.name
        )
    })?;
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .ok_or("`type` is missing")?;
    let inputs = value
        .get("inputs")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let input = |role: &str| -> Result<Option<&ir::Param>, String> {
        let Some(input) = inputs
            .iter()
            .find(|i| i.get("type").and_then(Value::as_str) == Some(role))
        else {
            return Ok(None);
        };
        let name = input
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("the `{role}` input has no `name`"))?;
        if input
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or("parameters")
            != "parameters"
        {
            return Err(format!(
                "the `{role}` input `{name}` is not in `parameters`; only query parameters can move a page"
            ));
        }
        query_param(op, &[name])
            .map(Some)
            .ok_or_else(|| format!("`{}` has no query parameter `{name}`", op.name))
    };
    let outputs = value.get("outputs");
    let output = |name: &str| -> Result<Option<(FieldPath, &Ty)>, String> {
        match outputs.and_then(|o| o.get(name)) {
            None => Ok(None),
            Some(Value::String(path)) => json_path(api, body, path)
                .map(Some)
                .map_err(|e| format!("`outputs.{name}`: {e}")),
            Some(_) => Err(format!("`outputs.{name}` is not a `$.field` path")),
        }
    };
    let (items, item) = match output("results")? {
        Some((path, ty)) => {
            let item = list_item(api, ty)
                .ok_or("`outputs.results` is not a list")?
                .clone();
            (path, item)
        }
        None => {
            let item = list_item(api, body)
                .ok_or("`outputs.results` is missing, and the body is not a list")?
                .clone();
            (FieldPath::default(), item)
        }
    };
    let scalar_output = |name: &str| -> Result<Option<FieldPath>, String> {
        match output(name)? {
            Some((path, ty)) if scalar(api, ty) => Ok(Some(path)),
            Some(_) => Err(format!("`outputs.{name}` is not text or a whole number")),
            None => Ok(None),
        }
    };
    let kind = match kind {
        "offsetLimit" | "offset" | "page" => {
            let limit = input("limit")?.map(|p| p.wire.clone());
            if let Some(page) = input("page")? {
                PageKind::Page {
                    page: page.wire.clone(),
                    first: first_page(page),
                    size: limit,
                    pages: scalar_output("numPages")?,
                }
            } else {
                let offset = input("offset")?.ok_or("no input of `type: offset` or `page`")?;
                PageKind::Offset {
                    offset: offset.wire.clone(),
                    limit,
                    total: scalar_output("totalCount")?,
                }
            }
        }
        "cursor" => PageKind::Cursor {
            param: input("cursor")?
                .ok_or("no input of `type: cursor`")?
                .wire
                .clone(),
            cursor: scalar_output("nextCursor")?.ok_or("`outputs.nextCursor` is missing")?,
        },
        "url" => PageKind::NextUrl {
            next: scalar_output("nextUrl")?.ok_or("`outputs.nextUrl` is missing")?,
        },
        "link" => PageKind::Link,
        other => {
            return Err(format!(
                "`{other}` is not a type of pagination (`offsetLimit`, `cursor`, `url` or `link`)"
            ));
        }
    };
    Ok(Pagination {
        kind,
        response,
        items,
        item,
        declared: true,
    })
}

/// The fields that `$.a.b` names in a body of type `body` (wire names),
/// and the type at its end.
fn json_path<'a>(
    api: &'a ir::Api,
    body: &'a Ty,
    path: &str,
) -> Result<(FieldPath, &'a Ty), String> {
    let rest = path
        .strip_prefix('$')
        .ok_or_else(|| format!("`{path}` does not start with `$`"))?;
    let mut steps = Vec::new();
    let mut ty = body;
    for name in rest.split('.').skip(1) {
        let fields =
            fields(api, ty).ok_or_else(|| format!("`{path}`: `{name}` is not in an object"))?;
        let field = fields
            .iter()
            .find(|f| f.wire == name)
            .ok_or_else(|| format!("`{path}`: the body has no property `{name}` there"))?;
        steps.push(step(field));
        ty = &field.ty;
    }
    if !rest.is_empty() && steps.is_empty() {
        return Err(format!("`{path}` names no field"));
    }
    Ok((FieldPath(steps), ty))
}
