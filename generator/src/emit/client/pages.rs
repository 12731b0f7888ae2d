//! The client's `paginate()` calls: a list operation read page after page,
//! as a stream of its items (`runtime/pages.rs` runs it).

use proc_macro2::TokenStream;
use quote::quote;

use super::super::api::{Shape, shape};
use super::super::{Scope, ident, lit, ty};
use crate::ir::{self, FieldPath, Operation, PageKind, Pagination};

/// `Paginate::<op>`: every item of the operation's pages.
pub(super) fn method(api: &ir::Api, op: &Operation, p: &Pagination) -> TokenStream {
    let name = ident(&op.name);
    let request_type = ident(&op.request_type);
    let response_type = ident(&op.response_type);
    let response = &op.responses[p.response];
    let variant = ident(&response.variant);
    let pattern = match shape(response) {
        Shape::Tuple => quote!(api::#response_type::#variant(body)),
        _ => quote!(api::#response_type::#variant { body, .. }),
    };
    let item = ty(api, &p.item, Scope::Outside);
    // What the next page needs is read from the body (by reference)
    // before its items are moved out of it.
    let (read, next) = match &p.kind {
        PageKind::Offset {
            offset,
            limit,
            total,
        } => {
            let offset = lit(offset);
            let limit = optional_lit(limit.as_deref());
            let (read, total) = number("total", total.as_ref());
            (
                read,
                quote!(next_offset(&page.url, #offset, #limit, items.len(), #total)),
            )
        }
        PageKind::Page {
            page,
            first,
            size,
            pages,
        } => {
            let page = lit(page);
            let first = proc_macro2::Literal::u64_unsuffixed(*first);
            let size = optional_lit(size.as_deref());
            let (read, pages) = number("pages", pages.as_ref());
            (
                read,
                quote!(next_page_number(&page.url, #page, #first, #size, items.len(), #pages)),
            )
        }
        PageKind::Cursor { param, cursor } => {
            let param = lit(param);
            let cursor = text(cursor);
            (
                quote!(let cursor = #cursor;),
                quote!(next_cursor(&page.url, #param, cursor)),
            )
        }
        PageKind::Link => (quote!(), quote!(next_link(&page.url, &page.headers))),
        PageKind::NextUrl { next } => {
            let next = text(next);
            (quote!(let next = #next;), quote!(next_url(&page.url, next)))
        }
    };
    let items = take(&p.items);
    let page_arm = quote! {
        #read
        let items = #items;
        let next = #next;
        Ok(Page { items, next })
    };
    let body = if op.responses.len() == 1 {
        quote! {
            let #pattern = page.value;
            #page_arm
        }
    } else {
        quote! {
            match page.value {
                #pattern => { #page_arm }
                _ => Err(not_a_page(page)),
            }
        }
    };
    let doc = format!(
        " Every item of [`Api::{}`], page after page ({}).",
        crate::naming::unraw(&op.name),
        p.kind.describe()
    );
    quote! {
        #[doc = #doc]
        pub fn #name(&self, request: api::#request_type) -> Pages<#item> {
            let client = self.client().clone();
            Pages::new(move |next| {
                let client = client.clone();
                let mut request = request.clone();
                Box::pin(async move {
                    if let Some(next) = next {
                        request.context.extensions.insert(NextPage(next));
                    }
                    let page = client.raw().#name(request).await?;
                    #body
                })
            })
        }
    }
}

fn optional_lit(name: Option<&str>) -> TokenStream {
    match name {
        Some(name) => {
            let name = lit(name);
            quote!(Some(#name))
        }
        None => quote!(None),
    }
}

/// `Option<&Leaf>` of the field at `path` of `body`.
fn borrow(path: &FieldPath) -> TokenStream {
    if path.0.is_empty() {
        return quote!(Some(&body));
    }
    let mut expr = TokenStream::new();
    for (i, step) in path.0.iter().enumerate() {
        let field = ident(&step.field);
        let on = if i == 0 { quote!(body) } else { quote!(v) };
        let deref = if step.boxed {
            quote!(as_deref)
        } else {
            quote!(as_ref)
        };
        let read = match step.options {
            0 if step.boxed => quote!(&*#on.#field),
            0 => quote!(&#on.#field),
            1 => quote!(#on.#field.#deref()),
            _ => quote!(#on.#field.as_ref().and_then(|o| o.#deref())),
        };
        expr = match (i, step.options) {
            (0, 0) => quote!(Some(#read)),
            (0, _) => read,
            (_, 0) => quote!(#expr.map(|v| #read)),
            _ => quote!(#expr.and_then(|v| #read)),
        };
    }
    expr
}

/// `Option<String>`: the text of the field at `path`.
fn text(path: &FieldPath) -> TokenStream {
    let field = borrow(path);
    quote!(#field.map(|v| v.to_string()))
}

/// A local `name` holding the whole number at `path`, where there is a
/// path; the expression that reads it (`None` where there is none).
fn number(name: &str, path: Option<&FieldPath>) -> (TokenStream, TokenStream) {
    match path {
        Some(path) => {
            let local = ident(name);
            let field = borrow(path);
            (
                quote!(let #local = #field.and_then(|v| v.to_string().parse().ok());),
                quote!(#local),
            )
        }
        None => (quote!(), quote!(None)),
    }
}

/// The items, moved out of `body`: `body` itself where the path is
/// empty; an absent list is an empty one.
fn take(path: &FieldPath) -> TokenStream {
    if let [step] = path.0.as_slice() {
        let field = ident(&step.field);
        match (step.options, step.boxed) {
            (0, false) => return quote!(body.#field),
            (0, true) => return quote!(*body.#field),
            (1, false) => return quote!(body.#field.unwrap_or_default()),
            _ => {}
        }
    }
    if path.0.is_empty() {
        return quote!(body);
    }
    let mut expr = quote!(Some(body));
    for step in &path.0 {
        let field = ident(&step.field);
        let unbox = step.boxed.then(|| quote!(.map(|b| *b)));
        expr = match step.options {
            0 if step.boxed => quote!(#expr.map(|v| *v.#field)),
            0 => quote!(#expr.map(|v| v.#field)),
            1 => quote!(#expr.and_then(|v| v.#field #unbox)),
            _ => quote!(#expr.and_then(|v| v.#field.flatten() #unbox)),
        };
    }
    quote!(#expr.unwrap_or_default())
}
