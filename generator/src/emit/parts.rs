//! Modules made in parts.
//!
//! A large spec's module is hundreds of thousands of lines. Made and
//! formatted as one token stream it is one syntax tree of gigabytes, on
//! one core. So each module is a [`Split`]: runs of per-unit items (one
//! per operation or type), made and formatted a part at a time on every
//! core, and a frame around them, made last, that marks where each run
//! goes. `write` puts the formatted parts in place of the markers; the
//! bytes are those of the whole module formatted at once, because
//! prettyplease formats each item on its own.

use std::collections::BTreeSet;
use std::ops::Range;

use proc_macro2::{Group, Literal, TokenStream, TokenTree};
use quote::quote;

/// Where a run's items sit in the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// At the module's top level.
    Top,
    /// In a trait's body (one level in).
    Trait,
    /// In an impl's body (one level in).
    Impl,
}

/// What parts learn that the frame needs (for example the helpers they
/// call); each thread keeps its own, and they are merged at the end.
pub trait Notes: Default + Send {
    fn merge(&mut self, other: Self);
}

impl Notes for () {
    fn merge(&mut self, (): ()) {}
}

impl<T: Ord + Send> Notes for BTreeSet<T> {
    fn merge(&mut self, mut other: Self) {
        self.append(&mut other);
    }
}

/// A module made in parts.
pub trait Split: Sync {
    type Notes: Notes;

    /// Each run: where its items sit and how many units it has.
    fn runs(&self) -> Vec<(Place, usize)>;

    /// The items of `units` of run `run`.
    fn part(&self, run: usize, units: Range<usize>, notes: &mut Self::Notes) -> TokenStream;

    /// The module, with [`marker`]`(k)` where run `k` goes.
    fn frame(&self, notes: Self::Notes) -> TokenStream;

    /// The whole module as one token stream (for the one-file output).
    fn tokens(&self) -> TokenStream {
        let mut notes = Self::Notes::default();
        let runs: Vec<TokenStream> = self
            .runs()
            .iter()
            .enumerate()
            .map(|(k, (_, len))| self.part(k, 0..*len, &mut notes))
            .collect();
        fill(self.frame(notes), &runs)
    }
}

/// The name of the macro call that marks a run in a frame.
pub const MARKER: &str = "__uniapi_run";

/// Where run `run` goes in a frame: a macro call, valid at the top level
/// and in trait and impl bodies.
pub fn marker(run: usize) -> TokenStream {
    let name = proc_macro2::Ident::new(MARKER, proc_macro2::Span::call_site());
    let run = Literal::usize_unsuffixed(run);
    quote!(#name!(#run);)
}

/// `frame` with each marker replaced by its run's tokens.
fn fill(frame: TokenStream, runs: &[TokenStream]) -> TokenStream {
    let mut out = TokenStream::new();
    let mut tokens = frame.into_iter();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Ident(ident) if ident == MARKER => {
                // `!`, `(k)`, `;`
                let _bang = tokens.next();
                let run = match tokens.next() {
                    Some(TokenTree::Group(g)) => g.stream().to_string().parse::<usize>().ok(),
                    _ => None,
                };
                let _semi = tokens.next();
                if let Some(run) = run.and_then(|k| runs.get(k)) {
                    out.extend(run.clone());
                }
            }
            TokenTree::Group(group) => {
                let mut filled = Group::new(group.delimiter(), fill(group.stream(), runs));
                filled.set_span(group.span());
                out.extend([TokenTree::Group(filled)]);
            }
            other => out.extend([other]),
        }
    }
    out
}

/// Wraps a part's items so that they parse and format at their place;
/// `write` drops the wrapper's first and last lines.
pub fn wrap(place: Place, items: TokenStream) -> TokenStream {
    match place {
        Place::Top => items,
        Place::Trait => quote!(trait __UniapiPart { #items }),
        Place::Impl => quote!(impl __UniapiPart { #items }),
    }
}

/// `items` (at `place`) each behind `attr` (a `#[cfg(...)]`); as they
/// are when `attr` is empty.
pub fn gated(place: Place, attr: &TokenStream, items: TokenStream) -> TokenStream {
    if attr.is_empty() || items.is_empty() {
        return items;
    }
    // Parsed to find where each item starts; emitted code always parses.
    let Ok(file) = syn::parse2::<syn::File>(wrap(place, items.clone())) else {
        return items;
    };
    let mut out = TokenStream::new();
    for item in file.items {
        match (place, item) {
            (Place::Trait, syn::Item::Trait(t)) => {
                for item in t.items {
                    out.extend(quote!(#attr #item));
                }
            }
            (Place::Impl, syn::Item::Impl(i)) => {
                for item in i.items {
                    out.extend(quote!(#attr #item));
                }
            }
            (_, item) => out.extend(quote!(#attr #item)),
        }
    }
    out
}
