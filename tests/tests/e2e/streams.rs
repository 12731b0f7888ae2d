//! Binary bodies stream (`specs/features/uniapi/streams.yaml`): 10 MiB up
//! and down through the generated client and server, directly and through
//! a gateway (`router(Client::new(upstream))`), without either side holding
//! them whole; the server's stream limit; the client's cache with a binary
//! `GET`.
//!
//! "Not held whole" is checked, not inferred from timing: the producer of a
//! body makes its 160 chunks of 64 KiB lazily and makes the last one only
//! once the consumer at the other end has read the first (a gate, with a
//! timeout that fails the test). A side that buffered the whole body before
//! passing it on would never let the consumer see a chunk.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use feature_uniapi_streams::server::{self, Options};
use feature_uniapi_streams::{Api, Client, Error, api, types};
use futures_util::StreamExt as _;

const CHUNK: usize = 64 * 1024;
/// 10 MiB.
const CHUNKS: usize = 160;
const SIZE: usize = CHUNK * CHUNKS;

/// One body's producer and consumer, on whichever sides they are.
#[derive(Default)]
struct Probe {
    /// Chunks the producer has made.
    produced: AtomicUsize,
    /// Bytes the consumer has read.
    consumed: AtomicUsize,
    /// The consumer read its first chunk.
    first_read: tokio::sync::Notify,
    /// The producer gave up waiting for that.
    gate_timed_out: AtomicBool,
    /// The most bytes made and not yet read, seen at any read.
    max_in_flight: AtomicUsize,
}

/// The byte at every offset of chunk `i`.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// A body of `chunks` chunks made one at a time as it is read; the last one
/// only after the consumer has read the first.
fn produce(probe: Arc<Probe>, chunks: usize) -> api::ByteStream {
    api::ByteStream::from_stream(futures_util::stream::unfold(0, move |i| {
        let probe = probe.clone();
        async move {
            if i == chunks {
                return None;
            }
            if i + 1 == chunks {
                let read = probe.first_read.notified();
                if tokio::time::timeout(Duration::from_secs(30), read)
                    .await
                    .is_err()
                {
                    probe.gate_timed_out.store(true, Ordering::SeqCst);
                }
            }
            probe.produced.fetch_add(1, Ordering::SeqCst);
            Some((Ok::<_, std::io::Error>(vec![pattern(i); CHUNK]), i + 1))
        }
    }))
}

/// What a consumer saw.
#[derive(Debug)]
struct Report {
    size: usize,
    reads: usize,
    /// How many chunks had been made when the first was read.
    first_read_after: usize,
}

/// Reads a body as it arrives, checking every byte against the pattern.
async fn consume(mut body: api::ByteStream, probe: &Probe) -> Result<Report, Error> {
    let mut report = Report {
        size: 0,
        reads: 0,
        first_read_after: usize::MAX,
    };
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(Error::Other)?;
        if report.reads == 0 {
            report.first_read_after = probe.produced.load(Ordering::SeqCst);
            probe.first_read.notify_one();
        }
        let mut at = report.size;
        let mut rest = &chunk[..];
        while !rest.is_empty() {
            let take = (CHUNK - at % CHUNK).min(rest.len());
            let expected = pattern(at / CHUNK);
            assert!(
                rest[..take].iter().all(|b| *b == expected),
                "wrong bytes at {at}"
            );
            at += take;
            rest = &rest[take..];
        }
        report.size += chunk.len();
        report.reads += 1;
        probe.consumed.store(report.size, Ordering::SeqCst);
        let made = probe.produced.load(Ordering::SeqCst) * CHUNK;
        probe
            .max_in_flight
            .fetch_max(made.saturating_sub(report.size), Ordering::SeqCst);
    }
    Ok(report)
}

/// The producer never waited in vain, and the consumer read its first chunk
/// before the last was made.
fn assert_streamed(what: &str, probe: &Probe, report: &Report) {
    assert_eq!(report.size, SIZE, "{what}: {report:?}");
    assert!(
        !probe.gate_timed_out.load(Ordering::SeqCst),
        "{what}: the first chunk was not read before the last was made: the body was held whole"
    );
    assert!(report.first_read_after < CHUNKS, "{what}: {report:?}");
    // Shown with `--nocapture`: how early the first chunk came, and the most
    // bytes buffered anywhere between the two ends.
    println!(
        "{what}: first chunk read after {} of {CHUNKS} chunks were made; {} reads; at most {} KiB in flight; peak RSS {} MiB",
        report.first_read_after,
        report.reads,
        probe.max_in_flight.load(Ordering::SeqCst) / 1024,
        peak_rss_mib().unwrap_or(0),
    );
}

/// The process's peak resident memory (Linux), for the printed figures.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// Stores nothing: reads uploads as they arrive, makes downloads as they
/// are read, echoes images.
struct Blobs {
    /// The upload's consumer (the handler) or the download's producer.
    probe: Arc<Probe>,
}

impl Api for Blobs {
    async fn put_blob(&self, request: api::PutBlobRequest) -> Result<api::PutBlobResponse, Error> {
        // An error of the stream (over the limit) given back: a 413.
        let report = consume(request.body, &self.probe).await?;
        Ok(api::PutBlobResponse::Ok(types::Stored {
            size: report.size as i64,
            chunks: report.reads as i64,
            first_chunk_after: Some(report.first_read_after as i64),
        }))
    }

    async fn get_blob(&self, request: api::GetBlobRequest) -> Result<api::GetBlobResponse, Error> {
        if request.name == "missing" {
            return Ok(api::GetBlobResponse::NotFound);
        }
        let size = request.size.unwrap_or(0) as usize;
        // A small blob is in memory: sent with a `Content-Length`.
        let body = if size <= CHUNK {
            api::ByteStream::from(vec![pattern(0); size])
        } else {
            produce(self.probe.clone(), size / CHUNK)
        };
        Ok(api::GetBlobResponse::Ok {
            body,
            etag: Some(format!("\"{}-{size}\"", request.name)),
        })
    }

    async fn echo(&self, request: api::EchoRequest) -> Result<api::EchoResponse, Error> {
        Ok(match request.body {
            Some(body) => api::EchoResponse::Ok(body),
            None => api::EchoResponse::NoContent,
        })
    }
}

/// A server of `Blobs` with `probe`, directly or behind a gateway.
async fn serve(probe: &Arc<Probe>, gateway: bool) -> String {
    let upstream = crate::serve(server::router(Blobs {
        probe: probe.clone(),
    }))
    .await;
    if gateway {
        crate::serve(server::router(Client::new(upstream))).await
    } else {
        upstream
    }
}

async fn upload(gateway: bool) {
    let probe = Arc::new(Probe::default());
    let client = Client::new(serve(&probe, gateway).await);
    let request = api::PutBlobRequest::new("big".into(), produce(probe.clone(), CHUNKS));
    let stored = match client.put_blob(request).await {
        Ok(api::PutBlobResponse::Ok(stored)) => stored,
        other => panic!("{other:?}"),
    };
    let report = Report {
        size: stored.size as usize,
        reads: stored.chunks as usize,
        first_read_after: stored.first_chunk_after.unwrap_or(i64::MAX) as usize,
    };
    let what = if gateway {
        "upload through a gateway"
    } else {
        "upload"
    };
    assert_streamed(what, &probe, &report);
}

async fn download(gateway: bool) {
    let probe = Arc::new(Probe::default());
    let client = Client::new(serve(&probe, gateway).await);
    let mut request = api::GetBlobRequest::new("big".into());
    request.size = Some(SIZE as i64);
    let (body, etag) = match client.get_blob(request).await {
        Ok(api::GetBlobResponse::Ok { body, etag }) => (body, etag),
        other => panic!("{other:?}"),
    };
    assert_eq!(etag.as_deref(), Some("\"big-10485760\""));
    assert_eq!(format!("{body:?}"), "ByteStream(streaming)");
    let report = consume(body, &probe).await.expect("the download");
    let what = if gateway {
        "download through a gateway"
    } else {
        "download"
    };
    assert_streamed(what, &probe, &report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_mib_upload_streams_to_the_handler() {
    upload(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_mib_download_streams_to_the_caller() {
    download(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_mib_upload_streams_through_a_gateway() {
    upload(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_mib_download_streams_through_a_gateway() {
    download(true).await;
}

/// The echo answers while the upload is still being sent: the caller reads
/// the first chunk back before it has made the last (both ways at once,
/// through a gateway).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_streams_both_ways_at_once() {
    let probe = Arc::new(Probe::default());
    let client = Client::new(serve(&Arc::new(Probe::default()), true).await);
    let mut request = api::EchoRequest::new();
    request.body = Some(produce(probe.clone(), CHUNKS));
    let body = match client.echo(request).await {
        Ok(api::EchoResponse::Ok(body)) => body,
        other => panic!("{other:?}"),
    };
    let report = consume(body, &probe).await.expect("the echo");
    assert_streamed("echo through a gateway", &probe, &report);

    let answer = client.echo(api::EchoRequest::new()).await;
    assert!(
        matches!(answer, Ok(api::EchoResponse::NoContent)),
        "{answer:?}"
    );
}

/// Above `Options::stream_limit`: a declared `Content-Length` gets 413
/// before the handler runs; a chunked body ends the handler's stream with
/// an error, which the handler gives back: 413 too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_limit_is_a_413() {
    let probe = Arc::new(Probe::default());
    let limit = 1024 * 1024;
    let base = crate::serve(server::router_with(
        Blobs {
            probe: probe.clone(),
        },
        // The body limit does not apply to binary bodies.
        Options::new().stream_limit(limit).body_limit(1024),
    ))
    .await;
    let client = Client::new(base);

    let whole = api::ByteStream::from(vec![0u8; limit + 1]);
    let answer = client
        .put_blob(api::PutBlobRequest::new("whole".into(), whole))
        .await;
    assert!(
        matches!(answer, Ok(api::PutBlobResponse::PayloadTooLarge)),
        "{answer:?}"
    );
    assert_eq!(
        probe.consumed.load(Ordering::SeqCst),
        0,
        "the handler did not run"
    );

    // 2 MiB, chunked (its producer's gate open from the start).
    let producer = Arc::new(Probe::default());
    producer.first_read.notify_one();
    let streamed = produce(producer, 32);
    let answer = client
        .put_blob(api::PutBlobRequest::new("streamed".into(), streamed))
        .await;
    assert!(
        matches!(answer, Ok(api::PutBlobResponse::PayloadTooLarge)),
        "{answer:?}"
    );

    // Within the limit, streamed or whole.
    let answer = client
        .put_blob(api::PutBlobRequest::new(
            "small".into(),
            api::ByteStream::from(vec![pattern(0); CHUNK]),
        ))
        .await;
    assert!(
        matches!(&answer, Ok(api::PutBlobResponse::Ok(stored)) if stored.size == CHUNK as i64),
        "{answer:?}"
    );
}

/// A binary `GET` through the client's cache: one of known, small length
/// is stored and revalidated (the server's 304 gives back the stored
/// body); a stream of unknown length passes by the cache, still streaming.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_binary_get() {
    let probe = Arc::new(Probe::default());
    let cache = feature_uniapi_streams::client::Cache::new(10);
    let client = Client::builder(serve(&probe, false).await)
        .cache(cache.clone())
        .build()
        .expect("a client");
    for _ in 0..2 {
        let mut request = api::GetBlobRequest::new("small".into());
        request.size = Some(1000);
        let body = match client.get_blob(request).await {
            Ok(api::GetBlobResponse::Ok { body, .. }) => body,
            other => panic!("{other:?}"),
        };
        let bytes = body.into_bytes().await.expect("the body");
        assert_eq!(&bytes[..], &vec![pattern(0); 1000][..]);
        assert_eq!(cache.len(), 1);
    }

    let mut request = api::GetBlobRequest::new("big".into());
    request.size = Some(SIZE as i64);
    let body = match client.get_blob(request).await {
        Ok(api::GetBlobResponse::Ok { body, .. }) => body,
        other => panic!("{other:?}"),
    };
    let report = consume(body, &probe).await.expect("the download");
    assert_streamed("download with a cache", &probe, &report);
    assert_eq!(cache.len(), 1, "the stream was not stored");

    let missing = client
        .get_blob(api::GetBlobRequest::new("missing".into()))
        .await;
    assert!(
        matches!(missing, Ok(api::GetBlobResponse::NotFound)),
        "{missing:?}"
    );
}

#[tokio::test]
async fn byte_stream_in_memory_and_streamed() {
    let whole = api::ByteStream::from(b"secret".to_vec());
    assert_eq!(format!("{whole:?}"), "ByteStream(6 bytes)");
    assert_eq!(whole.as_bytes().map(|b| &b[..]), Some(&b"secret"[..]));
    assert_eq!(&whole.into_bytes().await.unwrap()[..], b"secret");

    let chunks = futures_util::stream::iter(["se", "cr", "et"].map(Ok::<_, std::io::Error>));
    let streamed = api::ByteStream::from_stream(chunks);
    assert_eq!(format!("{streamed:?}"), "ByteStream(streaming)");
    assert!(streamed.as_bytes().is_none());
    assert_eq!(&streamed.into_bytes().await.unwrap()[..], b"secret");

    let failing =
        futures_util::stream::iter([Ok(bytes_of("a")), Err(std::io::Error::other("gone"))]);
    let error = api::ByteStream::from_stream(failing)
        .into_bytes()
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "gone");

    let mut empty = api::ByteStream::default();
    assert!(empty.next().await.is_none());
}

fn bytes_of(text: &'static str) -> Vec<u8> {
    text.as_bytes().to_vec()
}
