//! The server's side of sequential bodies: a handler's [`Items`] or
//! [`Events`] written item by item as it yields them, and a request's
//! items read as they arrive.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::stream::{
    Chunks, Decode, Encode, Event, EventReader, Events, Framing, Items, read_items, write_event,
    write_item, write_sentinel,
};

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
pub fn request_items<T: Send + 'static>(
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
pub fn request_events<T: Send + 'static>(
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
}

impl<T, W> Stream for Frames<T, W>
where
    W: Fn(&T) -> Result<bytes::Bytes, super::api::Error> + Unpin,
{
    type Item = Result<bytes::Bytes, super::api::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match Pin::new(&mut this.items).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(item))) => Poll::Ready(Some((this.write)(&item))),
            Poll::Ready(Some(Err(error))) => {
                tracing::warn!("the handler's stream failed: {error}");
                this.last = None;
                Poll::Ready(Some(Err(error)))
            }
            Poll::Ready(None) => Poll::Ready(this.last.take().map(Ok)),
        }
    }
}
