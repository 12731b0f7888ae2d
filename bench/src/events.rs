//! What `xtask bench events` runs: a stream of server-sent events, made
//! and read by the generated code (`feature-uniapi-events`, from
//! `specs/features/uniapi/events.yaml`) and by hand over axum's `Sse` and
//! reqwest's `bytes_stream`.
//!
//! Both servers answer `GET /events?limit=N` with N events, each the JSON
//! of a log entry `{"seq": i, "message": MESSAGE}` (about 130 bytes of
//! JSON, 140 on the wire), made lazily from an iterator, one frame each,
//! with keep-alive comments on (the generated middleware's default, and
//! axum's `KeepAlive::default()`). Both readers check that every event
//! arrives, in order.

use std::convert::Infallible;

use axum::response::sse::{Event, KeepAlive, Sse};
use feature_uniapi_events::{Api as _, api, types};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};

/// Every entry's message: 100 bytes of ASCII.
pub const MESSAGE: &str = "the quick brown fox jumps over the lazy dog; \
                           pack my box with five dozen liquor jugs, then sleep.";

/// The generated server's implementation of the API: `watch_events`
/// streams `limit` entries; the other operations are not used.
pub struct Log;

impl feature_uniapi_events::Api for Log {
    async fn create_chat_completion(
        &self,
        _: api::CreateChatCompletionRequest,
    ) -> Result<api::CreateChatCompletionResponse, api::Error> {
        Ok(api::CreateChatCompletionResponse::BadRequest)
    }

    async fn watch_events(
        &self,
        request: api::WatchEventsRequest,
    ) -> Result<api::WatchEventsResponse, api::Error> {
        let entries = (0..request.limit.unwrap_or(0)).map(|seq| {
            api::Event::new(types::LogEntry {
                seq,
                message: MESSAGE.to_owned(),
            })
        });
        Ok(api::WatchEventsResponse::Ok(api::Events::new(
            futures_util::stream::iter(entries),
        )))
    }

    async fn tickets(&self, _: api::TicketsRequest) -> Result<api::TicketsResponse, api::Error> {
        Ok(api::TicketsResponse::Ok(api::Items::empty()))
    }
}

/// The generated router over [`Log`].
pub fn generated_router() -> axum::Router {
    feature_uniapi_events::server::router(Log)
}

/// A log entry as one would write it by hand.
#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub message: String,
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<i64>,
}

/// The same stream by hand: axum's `Sse` with `KeepAlive::default()`, each
/// entry serialized with `Event::json_data`.
pub fn baseline_router() -> axum::Router {
    async fn events(
        axum::extract::Query(Limit { limit }): axum::extract::Query<Limit>,
    ) -> impl axum::response::IntoResponse {
        let events = (0..limit.unwrap_or(0)).map(|seq| {
            let entry = Entry {
                seq,
                message: MESSAGE.to_owned(),
            };
            Ok::<_, Infallible>(
                Event::default()
                    .json_data(&entry)
                    .expect("an entry is JSON"),
            )
        });
        Sse::new(futures_util::stream::iter(events)).keep_alive(KeepAlive::default())
    }
    axum::Router::new().route("/events", axum::routing::get(events))
}

/// Reads `count` events from the server at `base` with the generated
/// client, checking that they come in order; the number read.
pub async fn read_generated(base: &str, count: i64) -> Result<i64, String> {
    let client = feature_uniapi_events::Client::new(base);
    let mut request = api::WatchEventsRequest::new();
    request.limit = Some(count);
    let api::WatchEventsResponse::Ok(mut events) = client
        .watch_events(request)
        .await
        .map_err(|e| format!("watch_events: {e}"))?;
    let mut next = 0;
    while let Some(event) = events.next().await {
        let event = event.map_err(|e| format!("event {next}: {e}"))?;
        if event.data.seq != next {
            return Err(format!("event {next} has seq {}", event.data.seq));
        }
        next += 1;
    }
    Ok(next)
}

/// Reads `count` events from the server at `base` by hand: the body's
/// chunks split at blank lines, the `data:` lines of each event joined and
/// parsed with serde_json; checks that they come in order; the number
/// read. Comments and other fields are skipped; lines end with LF (as
/// both servers write them).
pub async fn read_by_hand(base: &str, count: i64) -> Result<i64, String> {
    let response = reqwest::Client::new()
        .get(format!("{base}/events?limit={count}"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .map_err(|e| format!("GET /events: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("GET /events: {}", response.status()));
    }
    let mut chunks = response.bytes_stream();
    // What has arrived and is not read yet; how much of it holds no
    // blank line.
    let mut buffer: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut scanned = 0;
    let mut data = String::new();
    let mut next = 0;
    while let Some(chunk) = chunks.next().await {
        buffer.extend_from_slice(&chunk.map_err(|e| format!("the body: {e}"))?);
        let mut start = 0;
        while let Some(end) = buffer[scanned..]
            .windows(2)
            .position(|w| w == b"\n\n")
            .map(|i| scanned + i)
        {
            let block = &buffer[start..end];
            start = end + 2;
            scanned = start;
            data.clear();
            for line in block.split(|&b| b == b'\n') {
                if let Some(value) = line.strip_prefix(b"data:") {
                    let value = value.strip_prefix(b" ").unwrap_or(value);
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(std::str::from_utf8(value).map_err(|e| e.to_string())?);
                }
            }
            if data.is_empty() {
                continue;
            }
            let entry: Entry =
                serde_json::from_str(&data).map_err(|e| format!("event {next}: {e}"))?;
            if entry.seq != next {
                return Err(format!("event {next} has seq {}", entry.seq));
            }
            next += 1;
        }
        // No blank line is left in what remains: the next search starts at
        // its last byte (half of one, maybe).
        buffer.drain(..start);
        scanned = buffer.len().saturating_sub(1);
    }
    Ok(next)
}
