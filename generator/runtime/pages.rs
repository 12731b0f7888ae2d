//! Lists read page by page: [`Pages`], a stream of the items of every page
//! of a list operation, one page in flight at a time, and the functions
//! that find where the next page is (by offset, page number, cursor,
//! `Link` header or next URL).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::client::{Client, Raw};

/// What a per-spec module names beside these functions.
pub use super::client::NextPage;

/// A client's list operations read to the end: `client.paginate().list_pets(request)`.
#[derive(Debug)]
pub struct Paginate<'a, C>(&'a Client<C>);

impl<'a, C> Paginate<'a, C> {
    /// The client that fetches the pages.
    pub fn client(&self) -> &'a Client<C> {
        self.0
    }
}

impl<C> Client<C> {
    /// The list operations, each as a stream of the items of all its pages.
    pub fn paginate(&self) -> Paginate<'_, C> {
        Paginate(self)
    }
}

/// One page: its items, and the URL of the next page (`None` on the
/// last).
#[derive(Debug)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Where the next page is.
    pub next: Option<String>,
}

/// One page in flight.
pub type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, super::api::Error>> + Send>>;

type Fetch<T> = Box<dyn FnMut(Option<String>) -> PageFuture<T> + Send>;

/// The items of every page of a list, in order, as a stream: a page is
/// fetched when the items before it are taken (never two at once), each
/// page is one call (retried as the client retries calls), and the
/// stream ends after the last page, or with the first error.
#[must_use = "a stream does nothing unless polled"]
pub struct Pages<T> {
    fetch: Fetch<T>,
    items: std::vec::IntoIter<T>,
    pending: Option<PageFuture<T>>,
    /// The URL of the next page; `None` before the first.
    next: Option<String>,
    /// The URLs fetched: a page that points back ends the list.
    seen: std::collections::HashSet<String>,
    done: bool,
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("buffered", &self.items.len())
            .field("next", &self.next)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> Pages<T> {
    /// The pages that `fetch` gets: the first with `None`, each later one
    /// with the URL that the page before it gave.
    pub fn new(fetch: impl FnMut(Option<String>) -> PageFuture<T> + Send + 'static) -> Self {
        Pages {
            fetch: Box::new(fetch),
            items: Vec::new().into_iter(),
            pending: None,
            next: None,
            seen: std::collections::HashSet::new(),
            done: false,
        }
    }
}

impl<T> Unpin for Pages<T> {}

impl<T> Stream for Pages<T> {
    type Item = Result<T, super::api::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            let pending = match &mut this.pending {
                Some(pending) => pending,
                None => {
                    let next = this.next.take();
                    this.pending.insert((this.fetch)(next))
                }
            };
            let page = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(page) => page,
            };
            this.pending = None;
            match page {
                Ok(page) => {
                    this.items = page.items.into_iter();
                    match page.next {
                        Some(next) if this.seen.insert(next.clone()) => this.next = Some(next),
                        _ => this.done = true,
                    }
                }
                Err(error) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }
}

/// A page that came as a documented response other than the list's (an
/// error that the spec documents): its status and headers (read the body
/// by calling the operation itself).
pub fn not_a_page<T>(page: Raw<T>) -> super::api::Error {
    super::api::Error::UnexpectedStatus {
        status: page.status,
        headers: Box::new(page.headers),
        body: Vec::new(),
    }
}

/// The next page by offset: `offset` moved past this page's `count`
/// items; none after an empty page, a page shorter than the `limit` the
/// URL asked for, or the `total` reached.
pub fn next_offset(
    url: &reqwest::Url,
    offset: &str,
    limit: Option<&str>,
    count: usize,
    total: Option<u64>,
) -> Option<String> {
    let at = query_number(url, offset).unwrap_or(0);
    let count = u64::try_from(count).unwrap_or(u64::MAX);
    let asked = limit.and_then(|limit| query_number(url, limit));
    let end = at.saturating_add(count);
    if count == 0 || asked.is_some_and(|asked| count < asked) || total.is_some_and(|t| end >= t) {
        return None;
    }
    Some(with_query(url, offset, &end.to_string()))
}

/// The next page by number: `page` plus one (`first` where the URL has
/// none); none after an empty page or one shorter than the `size` the URL
/// asked for, or past `pages` in all.
pub fn next_page_number(
    url: &reqwest::Url,
    page: &str,
    first: u64,
    size: Option<&str>,
    count: usize,
    pages: Option<u64>,
) -> Option<String> {
    let at = query_number(url, page).unwrap_or(first);
    let count = u64::try_from(count).unwrap_or(u64::MAX);
    let asked = size.and_then(|size| query_number(url, size));
    let number = at.saturating_add(1);
    let past = pages.is_some_and(|pages| number.saturating_sub(first) >= pages);
    if count == 0 || asked.is_some_and(|asked| count < asked) || past {
        return None;
    }
    Some(with_query(url, page, &number.to_string()))
}

/// The next page by cursor: the URL with `param` set to `cursor`; none
/// where the page gave no cursor (or an empty one).
pub fn next_cursor(url: &reqwest::Url, param: &str, cursor: Option<String>) -> Option<String> {
    cursor
        .filter(|cursor| !cursor.is_empty())
        .map(|cursor| with_query(url, param, &cursor))
}

/// The next page's URL as the page gave it (relative to the page's own),
/// where it gave one.
pub fn next_url(url: &reqwest::Url, next: Option<String>) -> Option<String> {
    let next = next.filter(|next| !next.is_empty())?;
    url.join(&next).ok().map(String::from)
}

/// The `Link` header's `rel="next"` target (RFC 8288), relative to the
/// page's URL.
pub fn next_link(url: &reqwest::Url, headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(split_links)
        .find_map(|link| {
            let (target, params) = link.trim().strip_prefix('<')?.split_once('>')?;
            let next = params.split(';').any(|param| {
                let (name, value) = param.split_once('=').unwrap_or((param, ""));
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            });
            next.then(|| url.join(target.trim()).ok().map(String::from))
                .flatten()
        })
}

/// The links of one `Link` value, split at the commas between them (not
/// those inside `<...>` or quotes).
fn split_links(value: &str) -> Vec<&str> {
    let mut links = Vec::new();
    let (mut start, mut angle, mut quoted) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            '"' if !angle => quoted = !quoted,
            ',' if !angle && !quoted => {
                links.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    links.push(&value[start..]);
    links
}

/// A query parameter of `url` as a whole number, where it is one.
fn query_number(url: &reqwest::Url, name: &str) -> Option<u64> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value.trim().parse().ok())
}

/// `url` with query parameter `name` set to `value` (the other
/// parameters kept byte for byte).
pub fn with_query(url: &reqwest::Url, name: &str, value: &str) -> String {
    let pair = format!(
        "{}={}",
        super::client::percent_encode(name),
        super::client::percent_encode(value)
    );
    let mut pairs: Vec<String> = Vec::new();
    let mut set = false;
    for piece in url.query().unwrap_or_default().split('&') {
        let key = piece.split('=').next().unwrap_or_default();
        let decoded = percent_encoding::percent_decode_str(&key.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        if decoded == name {
            if !set {
                pairs.push(pair.clone());
                set = true;
            }
        } else if !piece.is_empty() {
            pairs.push(piece.to_owned());
        }
    }
    if !set {
        pairs.push(pair);
    }
    let mut next = url.clone();
    next.set_query(Some(&pairs.join("&")));
    String::from(next)
}
