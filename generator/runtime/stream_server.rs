//! The server's side of bodies that stream: a handler's [`ByteStream`],
//! [`Items`] or [`Events`] written as it yields them, and a request's read
//! as it arrives.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::stream::{
    read_items, write_event, write_item, write_sentinel, ByteStream, Chunks, Decode, Encode, Event,
    EventReader, Events, Items,
};

/// What a per-spec module names beside these functions.
pub use super::stream::{from_json, from_text, to_json, to_text, Framing};

/// A binary request body as it arrives (`serve_request` bounds it);
/// `None` when there is none.
pub fn stream_body(body: axum::body::Body) -> Option<ByteStream> {
    if axum::body::HttpBody::is_end_stream(&body) {
        return None;
    }
    Some(ByteStream::from_stream(body.into_data_stream()))
}

/// A binary response: sent as the stream yields it, or with a
/// `Content-Length` when it is in memory.
pub fn binary(status: StatusCode, content_type: &'static str, body: ByteStream) -> Response {
    let body = match body.as_bytes() {
        Some(bytes) => axum::body::Body::from(bytes.clone()),
        None => axum::body::Body::from_stream(body),
    };
    (
        status,
        [(axum::http::header::CONTENT_TYPE, content_type)],
        body,
    )
        .into_response()
}

/// A response of server-sent events: each event is written as the
/// handler's stream yields it (one frame each, which the middleware's
/// keep-alive comments go between), then `sentinel` if the spec names
/// one. An `Err` from the stream is logged and breaks the connection off.
pub fn events_response<T: 'static>(
    status: StatusCode,
    events: Events<T>,
    encode: Encode<T>,
    sentinel: Option<&'static str>,
) -> Response {
    let frames = Frames {
        items: events,
        write: move |event: &Event<T>| write_event(event, encode),
        last: sentinel.map(write_sentinel),
        ended: false,
        failed: None,
    };
    (
        status,
        [
            (axum::http::header::CONTENT_TYPE, "text/event-stream"),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        axum::body::Body::from_stream(frames),
    )
        .into_response()
}

/// A response of JSON Lines or of a JSON text sequence, written item by
/// item as the handler's stream yields them.
pub fn items_response<T: 'static>(
    status: StatusCode,
    content_type: &'static str,
    items: Items<T>,
    framing: Framing,
    encode: Encode<T>,
) -> Response {
    let frames = Frames {
        items,
        write: move |item: &T| write_item(item, framing, encode),
        last: None,
        ended: false,
        failed: None,
    };
    (
        status,
        [(axum::http::header::CONTENT_TYPE, content_type)],
        axum::body::Body::from_stream(frames),
    )
        .into_response()
}

/// The items of a request body as they arrive (`serve_request` bounds
/// it to the stream limit); `None` when there is none.
pub fn items_from_body<T: Send + 'static>(
    body: axum::body::Body,
    framing: Framing,
    decode: Decode<T>,
) -> Option<Items<T>> {
    if axum::body::HttpBody::is_end_stream(&body) {
        return None;
    }
    Some(read_items(chunks(body), framing, decode))
}

/// The events of a request body as they arrive; `None` when there is
/// none.
pub fn events_from_body<T: Send + 'static>(
    body: axum::body::Body,
    decode: Decode<T>,
) -> Option<Events<T>> {
    if axum::body::HttpBody::is_end_stream(&body) {
        return None;
    }
    Some(Items::try_new(EventReader::new(chunks(body), decode, None)))
}

fn chunks(body: axum::body::Body) -> Chunks {
    /// A body's data frames, with its errors boxed.
    struct Data(axum::body::BodyDataStream);

    impl Stream for Data {
        type Item = Result<bytes::Bytes, super::stream::BoxError>;

        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Pin::new(&mut self.get_mut().0)
                .poll_next(cx)
                .map(|chunk| chunk.map(|chunk| chunk.map_err(Into::into)))
        }
    }

    Box::pin(Data(body.into_data_stream()))
}

/// The frames of a response body: each item written, then `last`.
struct Frames<T, W> {
    items: Items<T>,
    write: W,
    last: Option<bytes::Bytes>,
    /// The handler's stream ended or failed: it is not polled again.
    ended: bool,
    /// Its error, held for one turn (see `poll_next`).
    failed: Option<super::api::Error>,
}

impl<T, W> Stream for Frames<T, W>
where
    W: Fn(&T) -> Result<bytes::Bytes, super::api::Error> + Unpin,
{
    type Item = Result<bytes::Bytes, super::api::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(error) = this.failed.take() {
            return Poll::Ready(Some(Err(error)));
        }
        if this.ended {
            return Poll::Ready(this.last.take().map(Ok));
        }
        let error = match Pin::new(&mut this.items).poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Some(Ok(item))) => match (this.write)(&item) {
                Ok(frame) => return Poll::Ready(Some(Ok(frame))),
                Err(error) => error,
            },
            Poll::Ready(Some(Err(error))) => error,
            Poll::Ready(None) => {
                this.ended = true;
                return Poll::Ready(this.last.take().map(Ok));
            }
        };
        tracing::warn!("the handler's stream failed: {error}");
        this.ended = true;
        this.last = None;
        // hyper drops the frames it holds unwritten when a body fails, the
        // head too: a turn first lets it flush the items that came before.
        this.failed = Some(error);
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
