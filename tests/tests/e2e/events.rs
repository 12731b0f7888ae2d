//! Sequential bodies stream item by item (`specs/features/uniapi/events.yaml`,
//! server-sent events the 3.0 way; `items-3.2.yaml`, `itemSchema` for
//! events, JSON Lines both ways and a JSON text sequence): typed items in
//! order; the first before the handler makes the second (a signal the
//! client sends, not a sleep); a client that goes away drops the handler's
//! stream; a slow reader slows the producer, 100,000 items with memory
//! bounded; a malformed item; reconnecting with `Last-Event-ID`; JSON or
//! a stream from one operation; a gateway; the mock's examples.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use feature_uniapi_events::client::Reconnect;
use feature_uniapi_events::{Api, Client, Error, api, types};
use feature_uniapi_items_3_2 as feeds;
use feeds::Api as _;

use crate::serve;

/// How long any one wait may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// What the log's producer and its reader share.
#[derive(Default)]
struct Probe {
    /// Entries made.
    produced: AtomicU64,
    /// The reader got the first entry.
    first_read: tokio::sync::Notify,
    /// The producer gave up waiting for that.
    gate_timed_out: AtomicBool,
    /// The handler's stream was dropped.
    dropped: tokio::sync::Notify,
    dropped_flag: AtomicBool,
}

/// Marks the probe when the stream that owns it is dropped.
struct DropGuard(Arc<Probe>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.dropped_flag.store(true, Ordering::SeqCst);
        self.0.dropped.notify_one();
    }
}

/// The log as a server: entries `from..limit` (unbounded without a limit),
/// made lazily, the second only once the reader has the first; with
/// `break_after`, a first connection breaks off after that many entries.
#[derive(Clone)]
struct Log {
    probe: Arc<Probe>,
    /// Padding in each message, to make entries big.
    padding: usize,
    break_after: Option<u64>,
    connections: Arc<AtomicU64>,
}

impl Log {
    fn new(probe: Arc<Probe>) -> Self {
        Log {
            probe,
            padding: 0,
            break_after: None,
            connections: Arc::default(),
        }
    }
}

impl Api for Log {
    async fn create_chat_completion(
        &self,
        request: api::CreateChatCompletionRequest,
    ) -> Result<api::CreateChatCompletionResponse, Error> {
        let words: Vec<String> = request
            .body
            .messages
            .iter()
            .flat_map(|m| m.content.split(' ').map(str::to_owned).collect::<Vec<_>>())
            .collect();
        let body = if request.body.stream {
            let chunks = words.into_iter().enumerate().map(|(i, delta)| {
                api::Event::new(types::ChatChunk {
                    id: "c1".into(),
                    index: i as i64,
                    delta,
                })
            });
            api::CreateChatCompletionOkBody::EventStream(chunks.collect())
        } else {
            api::CreateChatCompletionOkBody::Json(types::ChatCompletion {
                id: "c1".into(),
                content: words.join(" "),
            })
        };
        Ok(api::CreateChatCompletionResponse::Ok(body))
    }

    async fn watch_events(
        &self,
        request: api::WatchEventsRequest,
    ) -> Result<api::WatchEventsResponse, Error> {
        let connection = self.connections.fetch_add(1, Ordering::SeqCst);
        // Resume after the last entry the caller has.
        let from = match request.last_event_id.as_deref() {
            Some(id) => id.parse::<u64>().map_err(Error::other)? + 1,
            None => 0,
        };
        let limit = request.limit.map(|l| l as u64);
        let breaks_at = self.break_after.filter(|_| connection == 0);
        let log = self.clone();
        let guard = DropGuard(self.probe.clone());
        let entries = futures_util::stream::unfold((from, guard), move |(seq, guard)| {
            let log = log.clone();
            async move {
                if limit.is_some_and(|limit| seq >= limit) {
                    return None;
                }
                if breaks_at == Some(seq) {
                    let broken = Error::other("the log broke off");
                    return Some((Err(broken), (seq + 1, guard)));
                }
                if seq == 1 {
                    let read = log.probe.first_read.notified();
                    if tokio::time::timeout(PATIENCE, read).await.is_err() {
                        log.probe.gate_timed_out.store(true, Ordering::SeqCst);
                    }
                }
                log.probe.produced.fetch_add(1, Ordering::SeqCst);
                let entry = types::LogEntry {
                    seq: seq as i64,
                    message: format!("entry {seq} {}", "x".repeat(log.padding)),
                };
                let event = api::Event::new(entry).id(seq.to_string());
                Some((Ok(event), (seq + 1, guard)))
            }
        });
        Ok(api::WatchEventsResponse::Ok(api::Events::try_new(entries)))
    }

    async fn tickets(&self, _: api::TicketsRequest) -> Result<api::TicketsResponse, Error> {
        let lines = ["one", "two\nlines", ""]
            .map(String::from)
            .map(api::Event::new);
        Ok(api::TicketsResponse::Ok(api::Items::from(lines.to_vec())))
    }
}

/// A watch request for `limit` entries.
fn watch(limit: Option<i64>) -> api::WatchEventsRequest {
    let mut request = api::WatchEventsRequest::new();
    request.limit = limit;
    request
}

async fn events_of(client: &Client, limit: Option<i64>) -> api::Events<types::LogEntry> {
    match client.watch_events(watch(limit)).await {
        Ok(api::WatchEventsResponse::Ok(events)) => events,
        Err(error) => panic!("watch_events: {error}"),
    }
}

/// Reads every entry, telling the producer when the first came; the seqs.
async fn read_all(mut events: api::Events<types::LogEntry>, probe: &Probe) -> Vec<u64> {
    let mut seqs = Vec::new();
    while let Some(event) = tokio::time::timeout(PATIENCE, events.next())
        .await
        .expect("an event in time")
    {
        let event = event.expect("a good event");
        assert_eq!(event.id.as_deref(), Some(&*event.data.seq.to_string()));
        if seqs.is_empty() {
            // The handler cannot have made the second entry yet.
            assert_eq!(probe.produced.load(Ordering::SeqCst), 1);
            probe.first_read.notify_one();
        }
        seqs.push(event.data.seq as u64);
    }
    seqs
}

#[tokio::test]
async fn events_arrive_typed_in_order_each_before_the_next_is_made() {
    let probe = Arc::new(Probe::default());
    let base = serve(feature_uniapi_events::server::router(Log::new(
        probe.clone(),
    )))
    .await;
    let client = Client::new(&base);
    let seqs = read_all(events_of(&client, Some(50)).await, &probe).await;
    assert_eq!(seqs, (0..50).collect::<Vec<_>>());
    assert!(!probe.gate_timed_out.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_gateway_passes_events_through_one_at_a_time() {
    let probe = Arc::new(Probe::default());
    let upstream = serve(feature_uniapi_events::server::router(Log::new(
        probe.clone(),
    )))
    .await;
    let gateway = serve(feature_uniapi_events::server::router(Client::new(
        &upstream,
    )))
    .await;
    let seqs = read_all(events_of(&Client::new(&gateway), Some(20)).await, &probe).await;
    assert_eq!(seqs, (0..20).collect::<Vec<_>>());
    assert!(!probe.gate_timed_out.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_client_that_goes_away_drops_the_handlers_stream() {
    let probe = Arc::new(Probe::default());
    let base = serve(feature_uniapi_events::server::router(Log::new(
        probe.clone(),
    )))
    .await;
    let mut events = events_of(&Client::new(&base), None).await;
    let first = events.next().await.expect("an event").expect("a good one");
    assert_eq!(first.data.seq, 0);
    probe.first_read.notify_one();
    let _ = events.next().await;
    drop(events);
    let dropped = probe.dropped.notified();
    if !probe.dropped_flag.load(Ordering::SeqCst) {
        tokio::time::timeout(PATIENCE, dropped)
            .await
            .expect("the server dropped the handler's stream");
    }
}

/// The resident memory of this process, in KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_slow_reader_slows_the_producer_and_memory_stays_bounded() {
    const ITEMS: u64 = 100_000;
    let probe = Arc::new(Probe::default());
    let mut log = Log::new(probe.clone());
    // About 1 KiB an event: 100 MiB in all.
    log.padding = 1000;
    let base = serve(feature_uniapi_events::server::router(log)).await;
    let mut events = events_of(&Client::new(&base), Some(ITEMS as i64)).await;
    let before = rss_kib();
    let first = events.next().await.expect("an event").expect("a good one");
    assert_eq!(first.data.seq, 0);
    probe.first_read.notify_one();
    // The reader pauses: the producer fills the buffers between, then waits.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let made_while_paused = probe.produced.load(Ordering::SeqCst);
    let mut count = 1;
    let mut peak = before;
    while let Some(event) = events.next().await {
        let event = event.expect("a good event");
        assert_eq!(event.data.seq as u64, count);
        count += 1;
        if count % 10_000 == 0 {
            peak = peak.max(rss_kib());
        }
    }
    assert_eq!(count, ITEMS);
    println!(
        "100,000 events of 1 KiB: {made_while_paused} made while the reader paused; \
         resident memory {} MiB before, at most {} MiB while reading",
        before / 1024,
        peak / 1024
    );
    // What sockets and hyper buffer, not the stream: a few MiB of events.
    assert!(made_while_paused < 20_000, "{made_while_paused} made");
    assert!(peak < before + 64 * 1024, "{before} KiB → {peak} KiB");
}

#[tokio::test]
async fn a_broken_stream_reconnects_with_the_last_event_id() {
    let probe = Arc::new(Probe::default());
    let mut log = Log::new(probe.clone());
    log.break_after = Some(5);
    let connections = log.connections.clone();
    let base = serve(feature_uniapi_events::server::router(log)).await;
    let client = Client::builder(&base)
        .reconnect(Reconnect::new().delay(Duration::from_millis(10)))
        .build()
        .expect("a client");
    let seqs = read_all(events_of(&client, Some(12)).await, &probe).await;
    assert_eq!(
        seqs,
        (0..12).collect::<Vec<_>>(),
        "each entry once, in order"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    // Without reconnecting, the break is the stream's error, after the
    // entries before it.
    let probe = Arc::new(Probe::default());
    let mut log = Log::new(probe.clone());
    log.break_after = Some(3);
    let base = serve(feature_uniapi_events::server::router(log)).await;
    let mut events = events_of(&Client::new(&base), Some(12)).await;
    let mut seqs = Vec::new();
    let error = loop {
        match events.next().await.expect("an event or an error") {
            Ok(event) => {
                probe.first_read.notify_one();
                seqs.push(event.data.seq);
            }
            Err(error) => break error,
        }
    };
    assert_eq!(seqs, [0, 1, 2]);
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn a_malformed_event_is_an_error_naming_its_place_after_the_good_ones() {
    let body = "data: {\"seq\":0,\"message\":\"a\"}\n\n\
                data: {\"seq\":1,\"message\":\"b\"}\n\n\
                data: {\"seq\":\"two\"}\n\n\
                data: {\"seq\":3,\"message\":\"d\"}\n\n";
    let router = axum::Router::new().route(
        "/events",
        axum::routing::get(move || async move {
            ([(http::header::CONTENT_TYPE, "text/event-stream")], body)
        }),
    );
    let base = serve(router).await;
    let mut events = events_of(&Client::new(&base), None).await;
    for seq in 0..2 {
        let event = events.next().await.expect("an event").expect("a good one");
        assert_eq!(event.data.seq, seq);
    }
    match events.next().await {
        Some(Err(Error::Item { index, message })) => {
            assert_eq!(index, 2);
            assert!(message.contains("invalid type"), "{message}");
        }
        other => panic!("expected the third event's error, got {other:?}"),
    }
    assert!(
        events.next().await.is_none(),
        "the stream ends at the error"
    );
}

#[tokio::test]
async fn one_operation_answers_json_or_a_stream_that_ends_with_its_sentinel() {
    let base = serve(feature_uniapi_events::server::router(Log::new(
        Arc::default(),
    )))
    .await;
    let client = Client::new(&base);
    let chat = |stream| {
        let mut request = api::CreateChatCompletionRequest::new(types::ChatRequest {
            model: "m".into(),
            messages: vec![types::Message {
                role: types::MessageRole::User,
                content: "hello streaming world".into(),
            }],
            stream,
        });
        if stream {
            request
                .context
                .headers
                .insert(http::header::ACCEPT, "text/event-stream".parse().unwrap());
        }
        client.create_chat_completion(request)
    };
    match chat(false).await {
        Ok(api::CreateChatCompletionResponse::Ok(api::CreateChatCompletionOkBody::Json(c))) => {
            assert_eq!(c.content, "hello streaming world");
        }
        other => panic!("{other:?}"),
    }
    match chat(true).await {
        Ok(api::CreateChatCompletionResponse::Ok(
            api::CreateChatCompletionOkBody::EventStream(events),
        )) => {
            let deltas: Vec<String> = events
                .collect()
                .await
                .expect("chunks")
                .into_iter()
                .map(|e| e.data.delta)
                .collect();
            assert_eq!(deltas, ["hello", "streaming", "world"]);
        }
        other => panic!("{other:?}"),
    }
    // On the wire, the stream ends with the spec's sentinel.
    let wire = reqwest::Client::new()
        .post(format!("{base}/chat/completions"))
        .header("content-type", "application/json")
        .body(r#"{"model":"m","messages":[{"role":"user","content":"a b"}],"stream":true}"#)
        .send()
        .await
        .expect("a response");
    assert_eq!(wire.headers()["content-type"], "text/event-stream");
    let text = wire.text().await.expect("the body");
    assert_eq!(
        text,
        "data: {\"id\":\"c1\",\"index\":0,\"delta\":\"a\"}\n\n\
         data: {\"id\":\"c1\",\"index\":1,\"delta\":\"b\"}\n\n\
         data: [DONE]\n\n"
    );
}

#[tokio::test]
async fn text_events_keep_their_lines() {
    let base = serve(feature_uniapi_events::server::router(Log::new(
        Arc::default(),
    )))
    .await;
    let client = Client::new(&base);
    let Ok(api::TicketsResponse::Ok(events)) = client.tickets(api::TicketsRequest::new()).await
    else {
        panic!("tickets failed");
    };
    let data: Vec<String> = events
        .collect()
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.data)
        .collect();
    assert_eq!(data, ["one", "two\nlines", ""]);
}

#[tokio::test]
async fn the_mock_streams_the_specs_examples() {
    let base = serve(feature_uniapi_events::server::router(
        feature_uniapi_events::mock::MockApi::new(),
    ))
    .await;
    let client = Client::new(&base);
    let Ok(api::TicketsResponse::Ok(events)) = client.tickets(api::TicketsRequest::new()).await
    else {
        panic!("tickets failed");
    };
    let data: Vec<String> = events
        .collect()
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.data)
        .collect();
    assert_eq!(data, ["ticket 1", "ticket 2"]);

    let base = serve(feeds::server::router(feeds::mock::MockApi::new())).await;
    let client = feeds::Client::new(&base);
    let Ok(feeds::api::ExportLogsResponse::Ok(lines)) = client
        .export_logs(feeds::api::ExportLogsRequest::new())
        .await
    else {
        panic!("export_logs failed");
    };
    let lines = lines.collect().await.expect("lines");
    let messages: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(messages, ["started", "slow"]);
    let Ok(feeds::api::RecordsResponse::Ok(records)) =
        client.records(feeds::api::RecordsRequest::new()).await
    else {
        panic!("records failed");
    };
    let records = records.collect().await.expect("records");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].symbol, "ABC");
}

/// The feeds API: JSON Lines taken as they come; prices as events.
struct Feeds {
    /// Lines the handler had read when the client made the second.
    read_first: Arc<tokio::sync::Notify>,
}

impl feeds::Api for Feeds {
    async fn stream_prices(
        &self,
        _: feeds::api::StreamPricesRequest,
    ) -> Result<feeds::api::StreamPricesResponse, feeds::Error> {
        let prices = (0..3).map(|cents| {
            feeds::api::Event::new(feeds::types::Price {
                symbol: "ABC".into(),
                cents,
            })
            .event("price")
        });
        Ok(feeds::api::StreamPricesResponse::Ok(prices.collect()))
    }

    async fn export_logs(
        &self,
        _: feeds::api::ExportLogsRequest,
    ) -> Result<feeds::api::ExportLogsResponse, feeds::Error> {
        Ok(feeds::api::ExportLogsResponse::Ok(
            feeds::api::Items::empty(),
        ))
    }

    async fn import_logs(
        &self,
        mut request: feeds::api::ImportLogsRequest,
    ) -> Result<feeds::api::ImportLogsResponse, feeds::Error> {
        let mut lines = 0;
        while let Some(line) = request.body.next().await {
            let line = line?;
            assert_eq!(line.message, format!("line {lines}"));
            lines += 1;
            if lines == 1 {
                self.read_first.notify_one();
            }
        }
        Ok(feeds::api::ImportLogsResponse::Ok(
            feeds::types::ImportLogsOkBody { lines },
        ))
    }

    async fn records(
        &self,
        _: feeds::api::RecordsRequest,
    ) -> Result<feeds::api::RecordsResponse, feeds::Error> {
        Ok(feeds::api::RecordsResponse::Ok(feeds::api::Items::empty()))
    }
}

#[tokio::test]
async fn json_lines_upload_item_by_item_and_events_typed_by_content_schema() {
    let read_first = Arc::new(tokio::sync::Notify::new());
    let api = Feeds {
        read_first: read_first.clone(),
    };
    let base = serve(feeds::server::router(api)).await;
    let client = feeds::Client::new(&base);

    // The second line is made only once the handler has read the first.
    let lines = futures_util::stream::unfold(0, move |i| {
        let read_first = read_first.clone();
        async move {
            if i == 3 {
                return None;
            }
            if i == 1 {
                tokio::time::timeout(PATIENCE, read_first.notified())
                    .await
                    .expect("the handler read the first line before the second was made");
            }
            let line = feeds::types::LogLine {
                level: feeds::types::LogLineLevel::Info,
                message: format!("line {i}"),
            };
            Some((line, i + 1))
        }
    });
    let request = feeds::api::ImportLogsRequest::new(feeds::api::Items::new(lines));
    match client.import_logs(request).await {
        Ok(feeds::api::ImportLogsResponse::Ok(taken)) => assert_eq!(taken.lines, 3),
        other => panic!("{other:?}"),
    }

    let Ok(feeds::api::StreamPricesResponse::Ok(prices)) = client
        .stream_prices(feeds::api::StreamPricesRequest::new())
        .await
    else {
        panic!("stream_prices failed");
    };
    let prices = prices.collect().await.expect("prices");
    let cents: Vec<i64> = prices.iter().map(|p| p.data.cents).collect();
    assert_eq!(cents, [0, 1, 2]);
    assert!(prices.iter().all(|p| p.event.as_deref() == Some("price")));

    // A malformed line is a 400 naming it.
    let wire = reqwest::Client::new()
        .post(format!("{base}/logs"))
        .header("content-type", "application/x-ndjson")
        .body("{\"level\":\"info\",\"message\":\"line 0\"}\n{\"level\":\"loud\"}\n")
        .send()
        .await
        .expect("a response");
    assert_eq!(wire.status(), 400);
    let problem: serde_json::Value =
        serde_json::from_slice(&wire.bytes().await.expect("a body")).expect("a problem");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("item 1 of the request body"),
        "{problem}"
    );
}
