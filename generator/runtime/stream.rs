//! Bodies that stream, the same on both sides: [`ByteStream`] (binary
//! media types) and [`Items`] (sequential media types: server-sent
//! events, JSON Lines, JSON text sequences), with the framing of each
//! sequential format, written and read item by item.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

/// The error of a chunk of a [`ByteStream`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The chunks of a body, from either side.
pub type Chunks = Pin<Box<dyn Stream<Item = Result<bytes::Bytes, BoxError>> + Send>>;

/// The items of an [`Items`].
type Boxed<T> = Pin<Box<dyn Stream<Item = Result<T, super::api::Error>> + Send>>;

/// A binary body (`application/octet-stream`, `image/png`, ...): a stream
/// of chunks, so that neither side holds it whole. The server gives a
/// handler the request body as it arrives and sends a response body as the
/// handler's stream yields it; the client sends a request body as it is
/// read and returns a response body as it arrives.
///
/// Make one from bytes in memory ([`ByteStream::new`], `From<Vec<u8>>`
/// ...) or from any stream of chunks ([`ByteStream::from_stream`]). Read
/// it as a [`futures_core::Stream`] of `bytes::Bytes`, or whole with
/// [`ByteStream::into_bytes`].
///
/// A body made from bytes is sent with a `Content-Length` and, on the
/// client, tried again like any other; a streamed one is sent once,
/// chunked. `Debug` does not show the content.
pub struct ByteStream {
    inner: ByteStreamInner,
}

enum ByteStreamInner {
    /// In memory; `None` once read.
    Whole(Option<bytes::Bytes>),
    /// In a `Mutex` only to be `Sync` (it is never locked: polling takes
    /// `&mut self`).
    Stream(std::sync::Mutex<Chunks>),
}

impl ByteStream {
    /// A body of these bytes (a `Vec<u8>`, `bytes::Bytes`, `String`,
    /// `&'static [u8]`, ...).
    pub fn new(bytes: impl Into<bytes::Bytes>) -> Self {
        ByteStream {
            inner: ByteStreamInner::Whole(Some(bytes.into())),
        }
    }

    /// An empty body.
    pub fn empty() -> Self {
        ByteStream::new(bytes::Bytes::new())
    }

    /// A body read from `stream` as it yields chunks; an `Err` ends it (the
    /// server then drops the connection, the client's call fails).
    pub fn from_stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<bytes::Bytes>,
        E: Into<BoxError>,
    {
        /// Maps the chunks and errors of a stream to those of `ByteStream`.
        struct Chunks<S>(Pin<Box<S>>);

        impl<S, B, E> Stream for Chunks<S>
        where
            S: Stream<Item = Result<B, E>>,
            B: Into<bytes::Bytes>,
            E: Into<BoxError>,
        {
            type Item = Result<bytes::Bytes, BoxError>;

            fn poll_next(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
            ) -> Poll<Option<Self::Item>> {
                self.0
                    .as_mut()
                    .poll_next(cx)
                    .map(|chunk| chunk.map(|chunk| chunk.map(Into::into).map_err(Into::into)))
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }
        ByteStream {
            inner: ByteStreamInner::Stream(std::sync::Mutex::new(Box::pin(Chunks(Box::pin(
                stream,
            ))))),
        }
    }

    /// The whole body if it is in memory (made from bytes, not read yet);
    /// `None` for a stream.
    pub fn as_bytes(&self) -> Option<&bytes::Bytes> {
        match &self.inner {
            ByteStreamInner::Whole(bytes) => bytes.as_ref(),
            ByteStreamInner::Stream(_) => None,
        }
    }

    /// Reads the rest of the body into memory.
    pub async fn into_bytes(mut self) -> Result<bytes::Bytes, BoxError> {
        if let ByteStreamInner::Whole(bytes) = &mut self.inner {
            return Ok(bytes.take().unwrap_or_default());
        }
        let mut whole = Vec::new();
        while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            whole.extend_from_slice(&chunk?);
        }
        Ok(whole.into())
    }
}

impl Stream for ByteStream {
    type Item = Result<bytes::Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.get_mut().inner {
            ByteStreamInner::Whole(bytes) => {
                Poll::Ready(bytes.take().filter(|b| !b.is_empty()).map(Ok))
            }
            ByteStreamInner::Stream(stream) => stream
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_mut()
                .poll_next(cx),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            ByteStreamInner::Whole(Some(bytes)) if !bytes.is_empty() => (1, Some(1)),
            ByteStreamInner::Whole(_) => (0, Some(0)),
            ByteStreamInner::Stream(_) => (0, None),
        }
    }
}

impl Default for ByteStream {
    fn default() -> Self {
        ByteStream::empty()
    }
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            ByteStreamInner::Whole(Some(bytes)) => write!(f, "ByteStream({} bytes)", bytes.len()),
            ByteStreamInner::Whole(None) => f.write_str("ByteStream(read)"),
            ByteStreamInner::Stream(_) => f.write_str("ByteStream(streaming)"),
        }
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(bytes: Vec<u8>) -> Self {
        ByteStream::new(bytes)
    }
}

impl From<bytes::Bytes> for ByteStream {
    fn from(bytes: bytes::Bytes) -> Self {
        ByteStream::new(bytes)
    }
}

impl From<&'static [u8]> for ByteStream {
    fn from(bytes: &'static [u8]) -> Self {
        ByteStream::new(bytes)
    }
}

impl From<String> for ByteStream {
    fn from(text: String) -> Self {
        ByteStream::new(text)
    }
}

impl From<&'static str> for ByteStream {
    fn from(text: &'static str) -> Self {
        ByteStream::new(text)
    }
}

/// A body of typed items that arrive one at a time: the lines of JSON
/// Lines, the records of a JSON text sequence, or the [`Event`]s of a
/// server-sent event stream ([`Events`]).
///
/// The server sends each item as the handler's stream yields it and
/// polls for the next only when the client has taken the last (a slow
/// reader slows the producer); when the client goes away the stream is
/// dropped. The client's call returns when the response's headers arrive;
/// the items follow as they come.
///
/// Make one from any stream ([`Items::new`], [`Items::try_new`]) or from
/// items in memory (`Items::from(vec)`, `collect()`); read it with
/// [`Items::next`], [`Items::collect`], or as a [`futures_core::Stream`] of
/// `Result<T, Error>`. An item that does not parse is an
/// [`Error::Item`](super::api::Error::Item) naming its place, after every
/// good item before it.
pub struct Items<T> {
    /// In a `Mutex` only to be `Sync` (it is never locked: polling takes
    /// `&mut self`).
    inner: std::sync::Mutex<Boxed<T>>,
}

/// A server-sent event stream: [`Items`] of [`Event`]s.
pub type Events<T> = Items<Event<T>>;

impl<T> Items<T> {
    /// The items `stream` yields, in order.
    pub fn new<S>(stream: S) -> Self
    where
        S: Stream<Item = T> + Send + 'static,
    {
        /// Wraps each item in `Ok`.
        struct Infallible<S>(Pin<Box<S>>);

        impl<S: Stream> Stream for Infallible<S> {
            type Item = Result<S::Item, super::api::Error>;

            fn poll_next(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
            ) -> Poll<Option<Self::Item>> {
                self.0.as_mut().poll_next(cx).map(|item| item.map(Ok))
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }
        Items::try_new(Infallible(Box::pin(stream)))
    }

    /// The items `stream` yields, until an `Err`, which ends the body: the
    /// server then breaks the connection off (the client sees an error, not
    /// an end), the client's reader gets the error.
    pub fn try_new<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<T, super::api::Error>> + Send + 'static,
    {
        Items {
            inner: std::sync::Mutex::new(Box::pin(stream)),
        }
    }

    /// No items.
    pub fn empty() -> Self
    where
        T: Send + 'static,
    {
        Items::from(Vec::new())
    }

    /// The next item: `None` at the end.
    pub async fn next(&mut self) -> Option<Result<T, super::api::Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every item, read to the end: the first error stops it.
    pub async fn collect(mut self) -> Result<Vec<T>, super::api::Error> {
        let mut all = Vec::new();
        while let Some(item) = self.next().await {
            all.push(item?);
        }
        Ok(all)
    }

    /// The same stream with `f` applied to each item.
    pub fn map<U, F>(self, f: F) -> Items<U>
    where
        T: 'static,
        U: 'static,
        F: FnMut(T) -> U + Send + 'static,
    {
        /// Applies the function to each good item.
        struct Map<T, U> {
            items: Items<T>,
            f: Box<dyn FnMut(T) -> U + Send>,
        }

        impl<T, U> Stream for Map<T, U> {
            type Item = Result<U, super::api::Error>;

            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                let this = self.get_mut();
                Pin::new(&mut this.items)
                    .poll_next(cx)
                    .map(|item| item.map(|item| item.map(&mut this.f)))
            }
        }
        Items::try_new(Map {
            items: self,
            f: Box::new(f),
        })
    }
}

impl<T> Stream for Items<T> {
    type Item = Result<T, super::api::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .inner
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_mut()
            .poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.inner.lock() {
            Ok(inner) => inner.size_hint(),
            Err(_) => (0, None),
        }
    }
}

impl<T> std::fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Items(streaming)")
    }
}

impl<T: Send + 'static> From<Vec<T>> for Items<T> {
    fn from(items: Vec<T>) -> Self {
        Items::from_iter(items)
    }
}

impl<T: Send + 'static> FromIterator<T> for Items<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        /// Items in memory.
        struct Iter<T>(std::vec::IntoIter<T>);

        impl<T> Stream for Iter<T> {
            type Item = Result<T, super::api::Error>;

            fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                Poll::Ready(self.get_mut().0.next().map(Ok))
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }

        impl<T> Unpin for Iter<T> {}

        Items::try_new(Iter(items.into_iter().collect::<Vec<_>>().into_iter()))
    }
}

/// One server-sent event: its `data`, typed, and the fields that frame
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<T> {
    /// The event's data (`data:` lines), typed as the spec describes it.
    pub data: T,
    /// The event's type (`event:`); `None` is the default, `message`.
    pub event: Option<String>,
    /// The event's id (`id:`): a client that reconnects sends the last one
    /// it got as `Last-Event-ID`.
    pub id: Option<String>,
    /// How long a client waits before it reconnects (`retry:`).
    pub retry: Option<std::time::Duration>,
}

impl<T> Event<T> {
    /// An event of the default type with `data`.
    pub fn new(data: T) -> Self {
        Event {
            data,
            event: None,
            id: None,
            retry: None,
        }
    }

    /// The same event with type `event` (line breaks are dropped).
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// The same event with id `id` (line breaks and NULs are dropped).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The same event telling the client to wait `retry` before it
    /// reconnects.
    pub fn retry(mut self, retry: std::time::Duration) -> Self {
        self.retry = Some(retry);
        self
    }
}

impl<T> From<T> for Event<T> {
    fn from(data: T) -> Self {
        Event::new(data)
    }
}

/// How the items of a sequential media type are framed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `text/event-stream`: events, each ended by a blank line.
    Events,
    /// `application/jsonl`, `application/x-ndjson`: one JSON text a line.
    Lines,
    /// `application/json-seq` (RFC 7464): each JSON text after an RS.
    Sequence,
}

/// Writes `data` of an event or an item as the wire has it.
pub type Encode<T> = fn(&T, &mut Vec<u8>) -> Result<(), super::api::Error>;

/// Reads `data` of an event or an item from its text.
pub type Decode<T> = fn(&str) -> Result<T, String>;

/// Writes `value` as compact JSON (one line).
pub fn to_json<T: serde::Serialize>(value: &T, out: &mut Vec<u8>) -> Result<(), super::api::Error> {
    serde_json::to_writer(out, value).map_err(|e| super::api::Error::Encode(e.to_string()))
}

/// Writes text as it is.
pub fn to_text(value: &String, out: &mut Vec<u8>) -> Result<(), super::api::Error> {
    out.extend_from_slice(value.as_bytes());
    Ok(())
}

/// Reads JSON.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Reads text as it is.
pub fn from_text(text: &str) -> Result<String, String> {
    Ok(text.to_owned())
}

/// One event in the wire's form: `event:`, `id:`, `retry:`, then a
/// `data:` line per line of the data, then a blank line.
pub fn write_event<T>(
    event: &Event<T>,
    encode: Encode<T>,
) -> Result<bytes::Bytes, super::api::Error> {
    let mut out = Vec::with_capacity(64);
    if let Some(name) = &event.event {
        field(&mut out, "event: ", name);
    }
    if let Some(id) = &event.id {
        field(&mut out, "id: ", &id.replace('\0', ""));
    }
    if let Some(retry) = event.retry {
        out.extend_from_slice(format!("retry: {}\n", retry.as_millis()).as_bytes());
    }
    out.extend_from_slice(b"data: ");
    let start = out.len();
    encode(&event.data, &mut out)?;
    if out[start..].iter().any(|b| matches!(b, b'\n' | b'\r')) {
        // Text of several lines: a `data:` line each.
        let data = String::from_utf8_lossy(&out[start..]).into_owned();
        out.truncate(start);
        for (i, line) in lines(&data).enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\ndata: ");
            }
            out.extend_from_slice(line.as_bytes());
        }
    }
    out.extend_from_slice(b"\n\n");
    Ok(out.into())
}

/// A field whose value cannot hold a line break.
fn field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend(value.bytes().filter(|b| !matches!(b, b'\n' | b'\r')));
    out.push(b'\n');
}

/// The lines of `text`, split at CRLF, LF or CR.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split("\r\n").flat_map(|line| line.split(['\r', '\n']))
}

/// The end of a stream of events whose spec names one (`data: [DONE]`).
pub fn write_sentinel(sentinel: &str) -> bytes::Bytes {
    format!("data: {sentinel}\n\n").into()
}

/// One item in the wire's form: a line of JSON Lines, or a record of a
/// JSON text sequence.
pub fn write_item<T>(
    item: &T,
    framing: Framing,
    encode: Encode<T>,
) -> Result<bytes::Bytes, super::api::Error> {
    let mut out = Vec::with_capacity(64);
    if framing == Framing::Sequence {
        out.push(RS);
    }
    encode(item, &mut out)?;
    out.push(b'\n');
    Ok(out.into())
}

/// The record separator of JSON text sequences.
const RS: u8 = 0x1e;

/// Splits the chunks of a body into lines (CRLF, LF or CR) or records
/// (RS, or the LF after a whole JSON text: a record is read as soon as it
/// is whole, not when the next one begins), without reading any line twice.
struct Splitter {
    chunks: Chunks,
    buffer: bytes::BytesMut,
    /// How much of `buffer` holds no end of a line.
    scanned: usize,
    /// How far the record in `buffer[..scanned]` has come.
    record: Depth,
    /// The body ended.
    ended: bool,
}

/// How far a JSON text has come, byte by byte: enough to tell the LF that
/// ends it from one inside it (a record may span lines).
#[derive(Default)]
struct Depth {
    /// Objects and arrays open.
    open: usize,
    /// In a string; after a backslash in it.
    string: bool,
    escaped: bool,
    /// Something other than white space came.
    started: bool,
}

impl Depth {
    /// Takes the next byte: whether it is an LF that ends the text.
    fn ends(&mut self, byte: u8) -> bool {
        if self.string {
            match byte {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.string = false,
                _ => {}
            }
            return false;
        }
        match byte {
            b'\n' => return self.started && self.open == 0,
            b' ' | b'\t' | b'\r' => return false,
            b'"' => self.string = true,
            b'{' | b'[' => self.open += 1,
            b'}' | b']' => self.open = self.open.saturating_sub(1),
            _ => {}
        }
        self.started = true;
        false
    }
}

/// What the splitter found next.
enum Piece {
    /// A line or a record, without its end.
    Text(bytes::Bytes),
    /// The body ended; the bytes after the last end, if any.
    End(Option<bytes::Bytes>),
    /// Reading the body failed.
    Failed(BoxError),
}

impl Splitter {
    fn new(chunks: Chunks) -> Self {
        Splitter {
            chunks,
            buffer: bytes::BytesMut::new(),
            scanned: 0,
            record: Depth::default(),
            ended: false,
        }
    }

    /// Starts again on a new body (a reconnect).
    fn restart(&mut self, chunks: Chunks) {
        *self = Splitter::new(chunks);
    }

    /// The next line (`records: false`) or record.
    fn poll_piece(&mut self, cx: &mut Context<'_>, records: bool) -> Poll<Piece> {
        loop {
            let found = if records {
                let record = &mut self.record;
                self.buffer[self.scanned..]
                    .iter()
                    .position(|&b| b == RS || record.ends(b))
                    .map(|i| (self.scanned + i, 1))
            } else {
                self.buffer[self.scanned..]
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r')
                    .map(|i| self.scanned + i)
                    .and_then(|i| match self.buffer[i] {
                        b'\n' => Some((i, 1)),
                        // A CR last in the buffer may be half of a CRLF.
                        _ if i + 1 == self.buffer.len() && !self.ended => None,
                        _ if self.buffer.get(i + 1) == Some(&b'\n') => Some((i, 2)),
                        _ => Some((i, 1)),
                    })
            };
            if let Some((at, width)) = found {
                let piece = self.buffer.split_to(at).freeze();
                bytes::Buf::advance(&mut self.buffer, width);
                self.scanned = 0;
                self.record = Depth::default();
                return Poll::Ready(Piece::Text(piece));
            }
            self.scanned = self.buffer.len().saturating_sub(usize::from(!records));
            if self.ended {
                let rest = (!self.buffer.is_empty()).then(|| self.buffer.split().freeze());
                return Poll::Ready(Piece::End(rest));
            }
            match self.chunks.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => self.buffer.extend_from_slice(&chunk),
                Poll::Ready(Some(Err(error))) => {
                    self.ended = true;
                    self.buffer.clear();
                    return Poll::Ready(Piece::Failed(error));
                }
                Poll::Ready(None) => self.ended = true,
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// The text of a line or a record, invalid UTF-8 replaced (checked
/// first with `str::from_utf8`, which is faster on ASCII than
/// `String::from_utf8_lossy`).
fn utf8(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// An item that did not parse, at `index` (counted from 0).
fn bad_item(index: u64, message: String) -> super::api::Error {
    super::api::Error::Item { index, message }
}

/// Reads the items of JSON Lines or of a JSON text sequence from the
/// chunks of a body, each as soon as its end arrives.
pub fn read_items<T: Send + 'static>(
    chunks: Chunks,
    framing: Framing,
    decode: Decode<T>,
) -> Items<T> {
    /// The reader's state.
    struct Reader<T> {
        splitter: Splitter,
        records: bool,
        decode: Decode<T>,
        index: u64,
        done: bool,
    }

    impl<T> Stream for Reader<T> {
        type Item = Result<T, super::api::Error>;

        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let this = self.get_mut();
            while !this.done {
                let text = match this.splitter.poll_piece(cx, this.records) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Piece::Text(text)) => text,
                    Poll::Ready(Piece::End(rest)) => {
                        this.done = true;
                        match rest {
                            Some(rest) => rest,
                            None => break,
                        }
                    }
                    Poll::Ready(Piece::Failed(error)) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(super::api::Error::Transport(error))));
                    }
                };
                let text = utf8(&text);
                let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
                if text.is_empty() {
                    continue;
                }
                let index = this.index;
                this.index += 1;
                let item = (this.decode)(text).map_err(|message| {
                    this.done = true;
                    bad_item(index, message)
                });
                return Poll::Ready(Some(item));
            }
            Poll::Ready(None)
        }
    }

    impl<T> Unpin for Reader<T> {}

    Items::try_new(Reader {
        splitter: Splitter::new(chunks),
        records: framing == Framing::Sequence,
        decode,
        index: 0,
        done: false,
    })
}

/// Reads server-sent events from the chunks of a body as the WHATWG
/// parser does: comments skipped, `data:` lines joined, an event
/// dispatched at each blank line, an event cut off by the end dropped.
/// An event whose data is `sentinel` ends the stream.
pub struct EventReader<T> {
    splitter: Splitter,
    decode: Decode<T>,
    sentinel: Option<&'static str>,
    /// The event being read.
    data: String,
    event: Option<String>,
    id: Option<String>,
    retry: Option<std::time::Duration>,
    /// The id of the last event (`Last-Event-ID` on a reconnect).
    last_id: Option<String>,
    /// The last `retry:` seen.
    last_retry: Option<std::time::Duration>,
    index: u64,
    /// The body's first line is read (its byte order mark dropped).
    started: bool,
    done: bool,
}

impl<T> Unpin for EventReader<T> {}

impl<T> EventReader<T> {
    /// A reader of `chunks`.
    pub fn new(chunks: Chunks, decode: Decode<T>, sentinel: Option<&'static str>) -> Self {
        EventReader {
            splitter: Splitter::new(chunks),
            decode,
            sentinel,
            data: String::new(),
            event: None,
            id: None,
            retry: None,
            last_id: None,
            last_retry: None,
            index: 0,
            started: false,
            done: false,
        }
    }

    /// The id of the last event read, for `Last-Event-ID` (`None` after an
    /// empty `id:`, which clears it).
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref().filter(|id| !id.is_empty())
    }

    /// The reconnection time the stream asked for, if it did.
    pub fn last_retry(&self) -> Option<std::time::Duration> {
        self.last_retry
    }

    /// Whether the stream ended (at its end, its sentinel, or an error).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Goes on reading from a new body (a reconnect): the event cut off
    /// is dropped, the last id and the count of items are kept.
    pub fn resume(&mut self, chunks: Chunks) {
        self.splitter.restart(chunks);
        self.data.clear();
        self.event = None;
        self.id = None;
        self.retry = None;
        self.started = false;
        self.done = false;
    }

    /// Takes one line; an event when the line ends one.
    fn line(&mut self, line: &str) -> Option<Result<Event<T>, super::api::Error>> {
        if line.is_empty() {
            return self.dispatch();
        }
        let (name, value) = match line.split_once(':') {
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match name {
            "" => {}
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "event" => self.event = Some(value.to_owned()),
            // The last id changes when the event is dispatched: an event
            // cut off by a break must be sent again.
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Too many digits for a `u64` is ignored, like any bad value.
                if let Ok(millis) = value.parse() {
                    let retry = Some(std::time::Duration::from_millis(millis));
                    self.retry = retry;
                    self.last_retry = retry;
                }
            }
            _ => {}
        }
        None
    }

    /// The event read so far, if it has data.
    fn dispatch(&mut self) -> Option<Result<Event<T>, super::api::Error>> {
        let event = self.event.take().filter(|e| !e.is_empty());
        let id = self.id.take();
        let retry = self.retry.take();
        if let Some(id) = &id {
            self.last_id = Some(id.clone());
        }
        if self.data.is_empty() {
            return None;
        }
        self.data.pop();
        if self.sentinel == Some(self.data.as_str()) {
            self.done = true;
            return None;
        }
        let index = self.index;
        self.index += 1;
        let data = match (self.decode)(&self.data) {
            Ok(data) => data,
            Err(message) => {
                self.done = true;
                return Some(Err(bad_item(index, message)));
            }
        };
        self.data.clear();
        Some(Ok(Event {
            data,
            event,
            id,
            retry,
        }))
    }
}

impl<T> Stream for EventReader<T> {
    type Item = Result<Event<T>, super::api::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        while !this.done {
            let line = match this.splitter.poll_piece(cx, false) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Piece::Text(line)) => line,
                // An event without its blank line is dropped.
                Poll::Ready(Piece::End(_)) => {
                    this.done = true;
                    break;
                }
                Poll::Ready(Piece::Failed(error)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(super::api::Error::Transport(error))));
                }
            };
            let mut line = utf8(&line);
            if !this.started {
                this.started = true;
                if let Some(rest) = line.strip_prefix('\u{feff}') {
                    line = rest.to_owned().into();
                }
            }
            if let Some(event) = this.line(&line) {
                return Poll::Ready(Some(event));
            }
        }
        Poll::Ready(None)
    }
}
