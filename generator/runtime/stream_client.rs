//! The client's side of sequential bodies: a response's items read as
//! they arrive (server-sent events reconnected where the client says
//! so), and a request's items sent as the caller's stream yields them.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::client::Resend;
use super::stream::{
    read_items, write_event, write_item, ByteStream, Chunks, Decode, Encode, Event, EventReader,
    Events, Items,
};

/// What a per-spec module names beside these functions.
pub use super::stream::{from_json, from_text, to_json, to_text, Framing};

/// A binary request body: one in memory is sent whole (with a
/// `Content-Length`; a retry sends it again), a stream as it is read
/// (chunked; sent once, never retried).
pub fn stream_body(body: ByteStream) -> reqwest::Body {
    match body.as_bytes() {
        Some(bytes) => reqwest::Body::from(bytes.clone()),
        None => reqwest::Body::wrap_stream(body),
    }
}

/// A binary response body, returned as it arrives (not read here).
pub fn decode_stream(response: reqwest::Response) -> ByteStream {
    ByteStream::from_stream(response.bytes_stream())
}

/// The items of JSON Lines or of a JSON text sequence, each as it
/// arrives.
pub fn response_items<T: Send + 'static>(
    response: reqwest::Response,
    framing: Framing,
    decode: Decode<T>,
) -> Items<T> {
    read_items(chunks(response), framing, decode)
}

/// The events of a response, each as it arrives; an event whose data is
/// `sentinel` ends them. Where the client reconnects
/// ([`super::client::Reconnect`]), a broken connection is sent again
/// with `Last-Event-ID`.
pub fn response_events<T: Send + 'static>(
    mut response: reqwest::Response,
    decode: Decode<T>,
    sentinel: Option<&'static str>,
) -> Events<T> {
    let resend = response.extensions_mut().remove::<Resend>();
    let reader = EventReader::new(chunks(response), decode, sentinel);
    match resend {
        None => Items::try_new(reader),
        Some(resend) => Items::try_new(Reconnecting {
            attempts: resend.reconnect.attempts(),
            resend,
            reader,
            pending: None,
        }),
    }
}

/// A request body of items, sent as the caller's stream yields them.
pub fn items_body<T: 'static>(
    items: Items<T>,
    framing: Framing,
    encode: Encode<T>,
) -> reqwest::Body {
    reqwest::Body::wrap_stream(Written {
        items,
        write: move |item: &T| write_item(item, framing, encode),
    })
}

/// A request body of events, sent as the caller's stream yields them.
pub fn events_body<T: 'static>(events: Events<T>, encode: Encode<T>) -> reqwest::Body {
    reqwest::Body::wrap_stream(Written {
        items: events,
        write: move |event: &Event<T>| write_event(event, encode),
    })
}

fn chunks(response: reqwest::Response) -> Chunks {
    /// A response's chunks, with its errors boxed.
    struct Data<S>(Pin<Box<S>>);

    impl<S: Stream<Item = reqwest::Result<bytes::Bytes>>> Stream for Data<S> {
        type Item = Result<bytes::Bytes, super::stream::BoxError>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.0
                .as_mut()
                .poll_next(cx)
                .map(|chunk| chunk.map(|chunk| chunk.map_err(Into::into)))
        }
    }

    Box::pin(Data(Box::pin(response.bytes_stream())))
}

/// Items written as the body's chunks.
struct Written<T, W> {
    items: Items<T>,
    write: W,
}

impl<T, W> Stream for Written<T, W>
where
    W: Fn(&T) -> Result<bytes::Bytes, super::api::Error> + Unpin,
{
    type Item = Result<bytes::Bytes, super::api::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        Pin::new(&mut this.items)
            .poll_next(cx)
            .map(|item| item.map(|item| item.and_then(|item| (this.write)(&item))))
    }
}

/// A reconnect on its way: the wait, then the call.
type Reopening = Pin<Box<dyn Future<Output = Result<reqwest::Response, super::api::Error>> + Send>>;

/// Events that reconnect when the connection breaks.
struct Reconnecting<T> {
    reader: EventReader<T>,
    resend: Resend,
    /// Reconnects left in a row.
    attempts: u32,
    pending: Option<Reopening>,
}

impl<T> Reconnecting<T> {
    /// Sends the call again after the stream's `retry:` or the
    /// configured delay, with `Last-Event-ID`.
    fn reopen(&mut self) -> Option<Reopening> {
        let request = self
            .resend
            .request
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .try_clone()?;
        let request = match self.reader.last_id() {
            Some(id) => request.header("last-event-id", id),
            None => request,
        };
        let wait = self
            .reader
            .last_retry()
            .unwrap_or(self.resend.reconnect.wait());
        Some(Box::pin(async move {
            tokio::time::sleep(wait).await;
            let response = request
                .send()
                .await
                .map_err(|e| super::api::Error::Transport(e.into()))?;
            Ok(response)
        }))
    }
}

impl<T> Stream for Reconnecting<T> {
    type Item = Result<Event<T>, super::api::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(pending) = &mut this.pending {
                let response = match pending.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(response) => response,
                };
                this.pending = None;
                match response {
                    Ok(response) if response.status() == reqwest::StatusCode::OK => {
                        tracing::debug!("event stream reconnected");
                        this.attempts = this.resend.reconnect.attempts();
                        this.reader.resume(chunks(response));
                    }
                    // 204 No Content: the server says there is no more.
                    Ok(response) if response.status() == reqwest::StatusCode::NO_CONTENT => {
                        return Poll::Ready(None);
                    }
                    Ok(response) => {
                        return Poll::Ready(Some(Err(super::api::Error::UnexpectedStatus {
                            status: response.status(),
                            headers: Box::new(response.headers().clone()),
                            body: Vec::new(),
                        })));
                    }
                    Err(error) if this.attempts == 0 => return Poll::Ready(Some(Err(error))),
                    Err(_) => {
                        this.attempts -= 1;
                        this.pending = this.reopen();
                        continue;
                    }
                }
            }
            match Pin::new(&mut this.reader).poll_next(cx) {
                Poll::Ready(Some(Err(super::api::Error::Transport(error))))
                    if this.attempts > 0 =>
                {
                    tracing::debug!("event stream broke off ({error}); reconnecting");
                    this.attempts -= 1;
                    this.pending = this.reopen();
                    if this.pending.is_none() {
                        return Poll::Ready(Some(Err(super::api::Error::Transport(error))));
                    }
                }
                other => return other,
            }
        }
    }
}
