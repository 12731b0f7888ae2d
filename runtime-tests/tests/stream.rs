//! Tests of the streaming runtime (`stream.rs`, `stream_server.rs`,
//! `stream_client.rs`, and the keep-alive comments of `server.rs`): the
//! readers and writers as function calls, fed every way a body can be cut
//! into chunks, then the whole path over real sockets (axum on 127.0.0.1,
//! the runtime's `Client` over reqwest).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt as _;
use uniapi_runtime_tests::runtime::stream::{self, Event, EventReader, Framing, Items};
use uniapi_runtime_tests::runtime::{api, client, request, server, stream_client, stream_server};

// ---------------------------------------------------------------------------
// Bodies cut into chunks, and how the readers' outcomes are compared.
// ---------------------------------------------------------------------------

/// A body that yields its chunks one by one, answering `Pending` (and
/// waking itself) before each, as a socket does.
struct Parts {
    parts: VecDeque<Result<Bytes, stream::BoxError>>,
    ready: bool,
}

impl Stream for Parts {
    type Item = Result<Bytes, stream::BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if !this.ready {
            this.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        this.ready = false;
        Poll::Ready(this.parts.pop_front())
    }
}

/// A body of these chunks.
fn chunks<B: AsRef<[u8]>>(parts: impl IntoIterator<Item = B>) -> stream::Chunks {
    Box::pin(Parts {
        parts: parts
            .into_iter()
            .map(|part| Ok(Bytes::copy_from_slice(part.as_ref())))
            .collect(),
        ready: false,
    })
}

/// A body of these chunks whose connection then breaks.
fn broken<B: AsRef<[u8]>>(parts: impl IntoIterator<Item = B>) -> stream::Chunks {
    let mut parts: VecDeque<_> = parts
        .into_iter()
        .map(|part| Ok(Bytes::copy_from_slice(part.as_ref())))
        .collect();
    parts.push_back(Err("connection reset".into()));
    Box::pin(Parts {
        parts,
        ready: false,
    })
}

/// Runs a future that never waits on anything but [`Parts`] (which wakes
/// itself), without a runtime.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("the future never finished");
}

/// Why an item did not come, as far as the tests tell them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// `Error::Item { index }`.
    Item(u64),
    /// `Error::Transport`.
    Transport,
    /// Anything else.
    Other(String),
}

fn failure(error: api::Error) -> Failure {
    match error {
        api::Error::Item { index, message } => {
            assert!(!message.is_empty(), "an item error says what is wrong");
            Failure::Item(index)
        }
        api::Error::Transport(_) => Failure::Transport,
        other => Failure::Other(other.to_string()),
    }
}

/// Everything a stream yields, then a check that its end is final.
async fn drain<T, S>(mut items: S) -> Vec<Result<T, Failure>>
where
    S: Stream<Item = Result<T, api::Error>> + Unpin,
{
    let mut all = Vec::new();
    while let Some(item) = items.next().await {
        all.push(item.map_err(failure));
    }
    assert!(items.next().await.is_none(), "the end is final");
    all
}

/// The events of a body of text events.
fn sse(
    body: stream::Chunks,
    sentinel: Option<&'static str>,
) -> Vec<Result<Event<String>, Failure>> {
    block_on(drain(EventReader::new(body, stream::from_text, sentinel)))
}

/// The events of a body of JSON events.
fn sse_json(
    body: stream::Chunks,
    sentinel: Option<&'static str>,
) -> Vec<Result<Event<u32>, Failure>> {
    block_on(drain(EventReader::new(body, stream::from_json, sentinel)))
}

/// A text event.
fn text(data: &str) -> Event<String> {
    Event::new(data.to_owned())
}

/// `body` cut into chunks every way that matters: whole, one byte at a
/// time, at each index (empty chunks at either end included), and, if
/// `pairs`, at each pair of indices.
fn for_each_cut(body: &[u8], pairs: bool, mut check: impl FnMut(&[Vec<u8>])) {
    check(&[body.to_vec()]);
    check(&body.iter().map(|b| vec![*b]).collect::<Vec<_>>());
    for i in 0..=body.len() {
        check(&[body[..i].to_vec(), body[i..].to_vec()]);
        if pairs {
            for j in i..=body.len() {
                check(&[body[..i].to_vec(), body[i..j].to_vec(), body[j..].to_vec()]);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Server-sent events: the WHATWG parser.
// ---------------------------------------------------------------------------

#[test]
fn the_examples_of_the_whatwg_spec_parse_as_it_says() {
    // Data on several lines is joined with line feeds.
    assert_eq!(
        sse(chunks(["data: YHOO\ndata: +2\ndata: 10\n\n"]), None),
        [Ok(text("YHOO\n+2\n10"))]
    );
    // A comment; `id` without a colon is an empty id; only one space is
    // stripped.
    let body = ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n";
    assert_eq!(
        sse(chunks([body]), None),
        [
            Ok(text("first event").id("1")),
            Ok(text("second event").id("")),
            Ok(text(" third event")),
        ]
    );
    // `data` alone is an empty line of data; the last block, cut off by
    // the end of the body, is not dispatched.
    assert_eq!(
        sse(chunks(["data\n\ndata\ndata\n\ndata:"]), None),
        [Ok(text("")), Ok(text("\n"))]
    );
    // The space after the colon is optional.
    assert_eq!(
        sse(chunks(["data:test\n\ndata: test\n\n"]), None),
        [Ok(text("test")), Ok(text("test"))]
    );
}

#[test]
fn fields_are_read_as_the_spec_says() {
    let body = "event: update\nid: 7\nretry: 1500\ndata: a\n\n\
                event\ndata: b\n\n\
                Data: ignored (names are case-sensitive)\n data: ignored (a name with a space)\nfoo: bar\ndata: c\n\n\
                data: one: two\n\n\
                data::\n\n\
                data:\ttab\n\n\
                data:  two spaces\n\n";
    assert_eq!(
        sse(chunks([body]), None),
        [
            Ok(text("a")
                .event("update")
                .id("7")
                .retry(Duration::from_millis(1500))),
            Ok(text("b")),
            Ok(text("c")),
            Ok(text("one: two")),
            Ok(text(":")),
            Ok(text("\ttab")),
            Ok(text(" two spaces")),
        ],
        "an empty `event` is the default type; unknown fields are ignored"
    );
}

#[test]
fn retry_takes_digits_only() {
    for (line, retry) in [
        ("retry: 2500", Some(2500)),
        ("retry:0042", Some(42)),
        ("retry: 0", Some(0)),
        ("retry: 12a", None),
        ("retry: -5", None),
        ("retry: +5", None),
        ("retry: 1.5", None),
        ("retry:  5", None),
        ("retry: 5 ", None),
        ("retry:", None),
        ("retry", None),
        ("retry: ５", None),
    ] {
        let body = format!("{line}\ndata: x\n\n");
        let mut reader = EventReader::new(chunks([body]), stream::from_text, None);
        let event = block_on(reader.next()).unwrap().unwrap();
        let retry = retry.map(Duration::from_millis);
        assert_eq!(event.retry, retry, "{line:?}");
        assert_eq!(reader.last_retry(), retry, "{line:?}");
    }
    // A field to ignore leaves the last good one in force.
    let mut reader = EventReader::new(
        chunks(["retry: 700\n\nretry: x\n\nretry: 99999999999999999999999999\ndata: y\n\n"]),
        stream::from_text,
        None,
    );
    let event = block_on(reader.next()).unwrap().unwrap();
    assert_eq!(event.retry, None);
    assert_eq!(
        reader.last_retry(),
        Some(Duration::from_millis(700)),
        "a retry too large for any clock is ignored, not a reset"
    );
}

#[test]
fn ids_with_nul_are_ignored_and_the_last_id_outlives_its_event() {
    let mut reader = EventReader::new(
        chunks(["id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\ndata: c\n\nid: 3\n\ndata: d\n\n"]),
        stream::from_text,
        None,
    );
    let next = |reader: &mut EventReader<String>| block_on(reader.next()).unwrap().unwrap();
    assert_eq!(next(&mut reader), text("a").id("1"));
    assert_eq!(reader.last_id(), Some("1"));
    assert_eq!(next(&mut reader), text("b"), "an id with NUL is ignored");
    assert_eq!(reader.last_id(), Some("1"));
    assert_eq!(next(&mut reader), text("c"));
    assert_eq!(reader.last_id(), Some("1"), "an event without id keeps it");
    assert_eq!(next(&mut reader), text("d"));
    assert_eq!(
        reader.last_id(),
        Some("3"),
        "a block without data still sets the last id"
    );
    // An empty id clears it: no `Last-Event-ID` is sent.
    let mut reader = EventReader::new(
        chunks(["id: 1\ndata: a\n\nid\ndata: b\n\n"]),
        stream::from_text,
        None,
    );
    assert_eq!(block_on(reader.next()).unwrap().unwrap(), text("a").id("1"));
    assert_eq!(block_on(reader.next()).unwrap().unwrap(), text("b").id(""));
    assert_eq!(reader.last_id(), None);
}

#[test]
fn every_line_end_reads_the_same() {
    let lf = ": c\nevent: e\nid: 1\ndata: a\ndata: b\n\ndata\n\ndata: last\n\n";
    let expected = [
        Ok(text("a\nb").event("e").id("1")),
        Ok(text("")),
        Ok(text("last")),
    ];
    for body in [
        lf.to_owned(),
        lf.replace('\n', "\r\n"),
        lf.replace('\n', "\r"),
        // Mixed, as the spec allows.
        ": c\r\nevent: e\rid: 1\ndata: a\r\ndata: b\r\r\ndata\n\rdata: last\r\n\n".to_owned(),
    ] {
        assert_eq!(sse(chunks([&body]), None), expected, "{body:?}");
    }
    // A CR last in the body ends its line: here, the blank line.
    assert_eq!(sse(chunks(["data: a\n\r"]), None), [Ok(text("a"))]);
    assert_eq!(sse(chunks(["data: a\r", "\r"]), None), [Ok(text("a"))]);
    // CR CR is two line ends, CR LF one.
    assert_eq!(
        sse(chunks(["data: a\r", "\rdata: b\r\n\r\n"]), None),
        [Ok(text("a")), Ok(text("b"))]
    );
}

/// A stream with every feature, its line ends mixed so that a CR LF, a
/// lone CR and a BOM can each be cut in two.
const EVERYTHING: &str = "\u{feff}: a comment\r\nretry: 2500\r\n\r\nevent: update\r\nid: 1\r\ndata: first\r\ndata:  second\rdata\n\r\n: between\ndata: {\"n\":2}\rid\r\rdata:x\nevent\n\n:\n\ndata: é ü 😀\r\n\r\ndata: lost, no blank line\r\n";

fn everything() -> Vec<Result<Event<String>, Failure>> {
    vec![
        Ok(text("first\n second\n").event("update").id("1")),
        Ok(text("{\"n\":2}").id("")),
        Ok(text("x")),
        Ok(text("é ü 😀")),
    ]
}

#[test]
fn events_are_the_same_however_the_body_is_cut() {
    let expected = everything();
    let mut cuts = 0;
    for_each_cut(EVERYTHING.as_bytes(), true, |parts| {
        cuts += 1;
        assert_eq!(sse(chunks(parts), None), expected, "cut as {parts:?}");
    });
    assert!(cuts > 5000);
}

#[test]
fn a_bom_is_dropped_from_the_start_only() {
    assert_eq!(sse(chunks(["\u{feff}data: a\n\n"]), None), [Ok(text("a"))]);
    assert_eq!(
        sse(chunks(["\u{feff}\u{feff}data: a\n\ndata: b\n\n"]), None),
        [Ok(text("b"))],
        "a second BOM is part of the first field's name"
    );
    assert_eq!(
        sse(chunks(["data: a\n\n\u{feff}data: b\n\n"]), None),
        [Ok(text("a"))],
        "a BOM later is not dropped"
    );
}

#[test]
fn an_event_cut_off_by_the_end_is_dropped() {
    for body in [
        "data: a\n\ndata: b",
        "data: a\n\ndata: b\n",
        "data: a\n\ndata: b\r",
        "data: a\n\ndata: b\r\n",
        "data: a\n\nevent: x\nid: 9\ndata: b\n",
    ] {
        assert_eq!(sse(chunks([body]), None), [Ok(text("a"))], "{body:?}");
    }
    assert_eq!(sse(chunks([""]), None), []);
    assert_eq!(sse(chunks(Vec::<&str>::new()), None), []);
}

#[test]
fn a_block_without_data_dispatches_nothing() {
    let mut reader = EventReader::new(
        chunks(["event: ping\nid: 3\nretry: 10\n\n: comment\n\n\n\n\ndata: y\n\n"]),
        stream::from_text,
        None,
    );
    assert_eq!(
        block_on(reader.next()).unwrap().unwrap(),
        text("y"),
        "the type, id and retry of the empty block do not carry over"
    );
    assert_eq!(reader.last_id(), Some("3"));
    assert_eq!(reader.last_retry(), Some(Duration::from_millis(10)));
    assert!(block_on(reader.next()).is_none());
}

#[test]
fn the_sentinel_ends_the_stream_cleanly() {
    let body = "data: 1\n\ndata: 2\n\ndata: [DONE]\n\ndata: 3\n\n";
    let mut reader = EventReader::new(chunks([body]), stream::from_json::<u32>, Some("[DONE]"));
    assert!(!reader.is_done());
    let got = block_on(drain(&mut reader));
    assert_eq!(got, [Ok(Event::new(1)), Ok(Event::new(2))]);
    assert!(reader.is_done());
    // Without a sentinel, `[DONE]` is data like any other (bad JSON here).
    assert_eq!(
        sse_json(chunks([body]), None),
        [Ok(Event::new(1)), Ok(Event::new(2)), Err(Failure::Item(2))]
    );
    assert_eq!(
        sse(chunks([body]), None),
        [
            Ok(text("1")),
            Ok(text("2")),
            Ok(text("[DONE]")),
            Ok(text("3"))
        ]
    );
    // The sentinel is the whole data, nothing else.
    assert_eq!(
        sse(
            chunks(["data: [DONE] \n\ndata: [DONE]\ndata: x\n\ndata:[DONE]\n\ndata: 9\n\n"]),
            Some("[DONE]")
        ),
        [Ok(text("[DONE] ")), Ok(text("[DONE]\nx"))]
    );
    let mut body = b"data: 1\n\n".to_vec();
    body.extend_from_slice(&stream::write_sentinel("[DONE]"));
    body.extend_from_slice(b"data: 2\n\n");
    for_each_cut(&body, false, |parts| {
        assert_eq!(
            sse_json(chunks(parts), Some("[DONE]")),
            [Ok(Event::new(1))],
            "cut as {parts:?}"
        );
    });
}

#[test]
fn a_malformed_event_is_an_error_after_the_good_ones_then_the_end() {
    let body =
        ": hi\n\ndata: 1\n\nevent: x\n\ndata: 2\nid: 2\n\ndata: \"three\"\nid: 3\n\ndata: 4\n\n";
    for_each_cut(body.as_bytes(), false, |parts| {
        let mut reader = EventReader::new(chunks(parts), stream::from_json::<u32>, None);
        let got = block_on(drain(&mut reader));
        assert_eq!(
            got,
            [
                Ok(Event::new(1)),
                Ok(Event::new(2).id("2")),
                Err(Failure::Item(2)),
            ],
            "comments and empty blocks are not items"
        );
        assert!(reader.is_done());
    });
    let Err(error) =
        block_on(EventReader::new(chunks(["data: {\n\n"]), stream::from_json::<u32>, None).next())
            .unwrap()
    else {
        panic!("bad JSON is an error");
    };
    assert!(
        error
            .to_string()
            .starts_with("item 0 of the stream (counted from 0) is malformed: "),
        "{error}"
    );
}

#[test]
fn a_broken_body_ends_after_the_whole_events() {
    let mut reader = EventReader::new(
        broken(["id: 1\ndata: a\n\nid: 2\nda", "ta: b\n"]),
        stream::from_text,
        None,
    );
    let got = block_on(drain(&mut reader));
    assert_eq!(got, [Ok(text("a").id("1")), Err(Failure::Transport)]);
    assert!(reader.is_done());
    assert_eq!(
        reader.last_id(),
        Some("1"),
        "the id of an event that never came is not the last id: resuming from it would skip it"
    );
}

#[test]
fn a_reader_resumes_on_a_new_body() {
    let mut reader = EventReader::new(
        broken(["\u{feff}id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nevent: half\ndata: 9"]),
        stream::from_json::<u32>,
        None,
    );
    let first = block_on(drain(&mut reader));
    assert_eq!(
        first,
        [
            Ok(Event::new(1).id("1")),
            Ok(Event::new(2).id("2")),
            Err(Failure::Transport)
        ]
    );
    assert_eq!(reader.last_id(), Some("2"));
    reader.resume(chunks(["\u{feff}data: 3\n\ndata: three\n\n".as_bytes()]));
    assert!(!reader.is_done());
    let second = block_on(drain(&mut reader));
    assert_eq!(
        second,
        [Ok(Event::new(3)), Err(Failure::Item(3))],
        "the half event is dropped, a new BOM too, and items are counted on"
    );
    assert_eq!(reader.last_id(), Some("2"), "kept across the reconnect");
}

// ---------------------------------------------------------------------------
// Writing events.
// ---------------------------------------------------------------------------

#[test]
fn an_event_is_written_field_by_field() {
    let event = Event::new("one\ntwo".to_owned())
        .event("update")
        .id("42")
        .retry(Duration::from_millis(1500));
    assert_eq!(
        stream::write_event(&event, stream::to_text).unwrap(),
        "event: update\nid: 42\nretry: 1500\ndata: one\ndata: two\n\n"
    );
    assert_eq!(
        stream::write_event(&text(""), stream::to_text).unwrap(),
        "data: \n\n"
    );
    assert_eq!(
        stream::write_event(&Event::new(vec![1, 2]), stream::to_json).unwrap(),
        "data: [1,2]\n\n"
    );
    assert_eq!(stream::write_sentinel("[DONE]"), "data: [DONE]\n\n");
}

#[test]
fn names_and_ids_cannot_break_out_of_their_line() {
    let event = text("x").event("up\r\ndate\n").id("1\n2\r3\u{0}4");
    let written = stream::write_event(&event, stream::to_text).unwrap();
    assert_eq!(written, "event: update\nid: 1234\ndata: x\n\n");
    let hostile = text("x")
        .event("e\n\ndata: injected\n")
        .id("\ndata: injected");
    let written = stream::write_event(&hostile, stream::to_text).unwrap();
    assert_eq!(
        sse(chunks([written]), None),
        [Ok(text("x").event("edata: injected").id("data: injected"))]
    );
}

#[test]
fn text_of_several_lines_goes_round_trip() {
    let texts = [
        "plain",
        "",
        "\n",
        "\n\n",
        "two\nlines",
        "trailing\n",
        "\nleading",
        " leading space",
        "  two spaces",
        "colon: inside",
        ":starts with a colon",
        "[DONE]",
        "data: looks like a field",
        "tab\tand é ü 😀",
    ];
    let mut body = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let event = text(t).id(i.to_string());
        body.extend_from_slice(&stream::write_event(&event, stream::to_text).unwrap());
    }
    let expected: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Ok(text(t).id(i.to_string())))
        .collect();
    for_each_cut(&body, false, |parts| {
        assert_eq!(sse(chunks(parts), None), expected, "cut as {parts:?}");
    });
    // CR LF and CR are line ends too: the text comes back with LFs.
    let written = stream::write_event(&text("a\r\nb\rc\r"), stream::to_text).unwrap();
    assert_eq!(written, "data: a\ndata: b\ndata: c\ndata: \n\n");
    assert_eq!(sse(chunks([written]), None), [Ok(text("a\nb\nc\n"))]);
}

#[test]
fn json_data_goes_round_trip_on_one_line() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Message {
        text: String,
        n: i64,
    }
    let messages = [
        Message {
            text: "line\nbreaks\r\nand\rsuch".into(),
            n: -1,
        },
        Message {
            text: "[DONE]".into(),
            n: 2,
        },
        Message {
            text: "\u{2028}\u{0}".into(),
            n: 3,
        },
    ];
    let mut body = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let event = Event::new(message).event("message").id(i.to_string());
        let written = stream::write_event(&event, |m, out| stream::to_json(*m, out)).unwrap();
        assert_eq!(
            written.iter().filter(|&&b| b == b'\n').count(),
            4,
            "event, id, one data line, blank line"
        );
        body.extend_from_slice(&written);
    }
    let got = block_on(drain(EventReader::new(
        chunks([&body]),
        stream::from_json::<Message>,
        Some("[DONE]"),
    )));
    let expected: Vec<_> = messages
        .into_iter()
        .enumerate()
        .map(|(i, message)| Ok(Event::new(message).event("message").id(i.to_string())))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn data_that_cannot_be_encoded_is_an_encode_error() {
    let mut map = std::collections::BTreeMap::new();
    map.insert(vec![1u8], 1u8);
    let event = Event::new(map.clone());
    assert!(matches!(
        stream::write_event(&event, stream::to_json),
        Err(api::Error::Encode(_))
    ));
    assert!(matches!(
        stream::write_item(&map, Framing::Lines, stream::to_json),
        Err(api::Error::Encode(_))
    ));
}

// ---------------------------------------------------------------------------
// JSON Lines and JSON text sequences.
// ---------------------------------------------------------------------------

fn items(body: stream::Chunks, framing: Framing) -> Vec<Result<serde_json::Value, Failure>> {
    block_on(drain(stream::read_items(body, framing, stream::from_json)))
}

#[test]
fn json_lines_are_read_however_the_body_is_cut() {
    use serde_json::json;
    let body = "{\"a\":1}\n\n  \r\n[2, \"x\\ny\"]\r\n3\r\"four\"\n\t{\"five\":null}  \n\r\n\"last, no newline\"";
    let expected = [
        Ok(json!({"a": 1})),
        Ok(json!([2, "x\ny"])),
        Ok(json!(3)),
        Ok(json!("four")),
        Ok(json!({"five": null})),
        Ok(json!("last, no newline")),
    ];
    for_each_cut(body.as_bytes(), true, |parts| {
        assert_eq!(
            items(chunks(parts), Framing::Lines),
            expected,
            "cut as {parts:?}"
        );
    });
    assert_eq!(items(chunks([""]), Framing::Lines), []);
    assert_eq!(items(chunks(["\n\r\n \n"]), Framing::Lines), []);
    assert_eq!(items(chunks(["7\r"]), Framing::Lines), [Ok(json!(7))]);
}

#[test]
fn json_sequences_are_read_however_the_body_is_cut() {
    use serde_json::json;
    // Records may span lines (RFC 7464 allows any JSON text); empty
    // records are skipped; the last one may lack its LF.
    let body = "\u{1e}{\"a\":\n  1}\n\u{1e}\u{1e}\n\u{1e}[2]\r\n\u{1e} \"line\\nbreak\" \n\u{1e}3";
    let expected = [
        Ok(json!({"a": 1})),
        Ok(json!([2])),
        Ok(json!("line\nbreak")),
        Ok(json!(3)),
    ];
    for_each_cut(body.as_bytes(), true, |parts| {
        assert_eq!(
            items(chunks(parts), Framing::Sequence),
            expected,
            "cut as {parts:?}"
        );
    });
}

/// A body of these chunks that then stays open, silent.
fn open<B: AsRef<[u8]>>(parts: impl IntoIterator<Item = B>) -> stream::Chunks {
    Box::pin(chunks(parts).chain(futures_util::stream::pending()))
}

/// What `items` yields without waiting on its body: `None` if it waits.
fn ready_now<S: Stream + Unpin>(items: &mut S) -> Option<Option<S::Item>> {
    let mut cx = Context::from_waker(Waker::noop());
    (0..100).find_map(|_| match Pin::new(&mut *items).poll_next(&mut cx) {
        Poll::Ready(item) => Some(item),
        Poll::Pending => None,
    })
}

#[test]
fn an_item_comes_as_soon_as_it_is_whole() {
    use serde_json::json;
    let read = |parts: &[&str], framing| -> Vec<serde_json::Value> {
        let mut items =
            stream::read_items(open(parts), framing, stream::from_json::<serde_json::Value>);
        let mut got = Vec::new();
        while let Some(Some(item)) = ready_now(&mut items) {
            got.push(item.unwrap());
        }
        got
    };
    assert_eq!(read(&["1\n2"], Framing::Lines), [json!(1)], "2 may go on");
    assert_eq!(read(&["1\r\n"], Framing::Lines), [json!(1)]);
    // A record is whole at the LF after its JSON text, not at the next RS.
    assert_eq!(read(&["\u{1e}1\n"], Framing::Sequence), [json!(1)]);
    let none: [serde_json::Value; 0] = [];
    assert_eq!(read(&["\u{1e}1"], Framing::Sequence), none);
    assert_eq!(
        read(&["\u{1e}{\"a\":\n", "[1,\n2]\n"], Framing::Sequence),
        none,
        "an LF inside the text does not end it"
    );
    assert_eq!(
        read(&["\u{1e}{\"a\":\n", "[1,\n2]}", "\n"], Framing::Sequence),
        [json!({"a": [1, 2]})]
    );
    assert_eq!(
        read(
            &["\u{1e}[\"]\\\"{\"\n", "]\r\n\u{1e}\"}\"\n"],
            Framing::Sequence
        ),
        [json!(["]\"{"]), json!("}")],
        "brackets in strings do not count"
    );
    // Events at their blank line.
    let mut events = EventReader::new(open(["data: 1\n\ndata: 2\n"]), stream::from_text, None);
    assert_eq!(ready_now(&mut events).unwrap().unwrap().unwrap(), text("1"));
    assert!(ready_now(&mut events).is_none());
}

#[test]
fn a_malformed_item_is_an_error_after_the_good_ones_then_the_end() {
    for (body, framing) in [
        ("1\n\n2\n\n  \nnope\n4\n", Framing::Lines),
        ("1\r\n2\r\n{\"open\":\r\n4\r\n", Framing::Lines),
        (
            "\u{1e}1\n\u{1e}\n\u{1e}2\n\u{1e}nope\n\u{1e}4\n",
            Framing::Sequence,
        ),
    ] {
        for_each_cut(body.as_bytes(), false, |parts| {
            assert_eq!(
                items(chunks(parts), framing),
                [
                    Ok(serde_json::json!(1)),
                    Ok(serde_json::json!(2)),
                    Err(Failure::Item(2))
                ],
                "{body:?} cut as {parts:?}"
            );
        });
    }
    assert_eq!(
        items(broken(["1\n2\n3"]), Framing::Lines),
        [
            Ok(serde_json::json!(1)),
            Ok(serde_json::json!(2)),
            Err(Failure::Transport)
        ],
        "a line cut off by a break is not read"
    );
}

#[test]
fn items_go_round_trip() {
    let values: Vec<serde_json::Value> = vec![
        serde_json::json!({"text": "line\nbreak\r\u{2028}", "n": 1}),
        serde_json::json!([]),
        serde_json::json!(""),
        serde_json::json!(null),
        serde_json::json!(-0.5),
    ];
    for framing in [Framing::Lines, Framing::Sequence] {
        let mut body = Vec::new();
        for value in &values {
            let written = stream::write_item(value, framing, stream::to_json).unwrap();
            assert!(written.ends_with(b"\n"));
            assert_eq!(written.iter().filter(|&&b| b == b'\n').count(), 1);
            assert_eq!(
                written.starts_with(b"\x1e"),
                framing == Framing::Sequence,
                "RS starts each record of a sequence"
            );
            body.extend_from_slice(&written);
        }
        let expected: Vec<_> = values.iter().cloned().map(Ok).collect();
        for_each_cut(&body, false, |parts| {
            assert_eq!(items(chunks(parts), framing), expected);
        });
    }
    assert_eq!(
        stream::write_item(&"x", Framing::Sequence, stream::to_json).unwrap(),
        "\u{1e}\"x\"\n"
    );
    assert_eq!(
        stream::write_item(&"x".to_owned(), Framing::Lines, stream::to_text).unwrap(),
        "x\n"
    );
}

// ---------------------------------------------------------------------------
// `Items` and `ByteStream` helpers.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn items_are_made_and_read_every_way() {
    assert_eq!(
        Items::from(vec![1, 2, 3]).collect().await.unwrap(),
        [1, 2, 3]
    );
    let mut items = Items::from(vec!["a", "b"]);
    assert_eq!(items.size_hint(), (2, Some(2)));
    assert_eq!(items.next().await.unwrap().unwrap(), "a");
    assert_eq!(items.next().await.unwrap().unwrap(), "b");
    assert!(items.next().await.is_none());
    assert!(items.next().await.is_none());
    assert_eq!(format!("{items:?}"), "Items(streaming)");

    let empty = Items::<u8>::empty();
    assert_eq!(empty.size_hint(), (0, Some(0)));
    assert_eq!(empty.collect().await.unwrap(), Vec::<u8>::new());

    let doubled = Items::from(vec![1, 2, 3])
        .map(|n| n * 2)
        .map(|n| format!("<{n}>"));
    assert_eq!(doubled.collect().await.unwrap(), ["<2>", "<4>", "<6>"]);

    let gathered: Items<u32> = (1..=4).filter(|n| n % 2 == 0).collect();
    assert_eq!(gathered.collect().await.unwrap(), [2, 4]);

    let streamed = Items::new(futures_util::stream::iter(["x", "y"]));
    assert_eq!(streamed.collect().await.unwrap(), ["x", "y"]);

    // An error passes through `map`, and stops `collect`.
    let failing = || {
        Items::try_new(futures_util::stream::iter([
            Ok(1),
            Err(api::Error::Item {
                index: 1,
                message: "bad".into(),
            }),
            Ok(3),
        ]))
    };
    let mut mapped = failing().map(|n| n + 10);
    assert_eq!(mapped.next().await.unwrap().unwrap(), 11);
    assert!(matches!(
        mapped.next().await,
        Some(Err(api::Error::Item { index: 1, .. }))
    ));
    assert_eq!(mapped.next().await.unwrap().unwrap(), 13);
    assert!(matches!(
        failing().collect().await,
        Err(api::Error::Item { index: 1, .. })
    ));

    // `Items` is a `Stream` too, and `Send + Sync`.
    fn send_sync<T: Send + Sync>(_: &T) {}
    let items = Items::from(vec![5, 6]);
    send_sync(&items);
    assert_eq!(
        futures_util::StreamExt::collect::<Vec<_>>(items)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect::<Vec<_>>(),
        [5, 6]
    );
    let events: stream::Events<u8> = Items::from(vec![Event::new(1), 2.into()]);
    assert_eq!(
        events.collect().await.unwrap(),
        [Event::new(1), Event::new(2)]
    );
}

#[tokio::test]
async fn byte_streams_hold_bytes_or_a_stream() {
    let whole = stream::ByteStream::from("hello");
    assert_eq!(whole.as_bytes().map(|b| &b[..]), Some(&b"hello"[..]));
    assert_eq!(format!("{whole:?}"), "ByteStream(5 bytes)");
    assert_eq!(whole.into_bytes().await.unwrap(), "hello");
    let streamed = stream::ByteStream::from_stream(futures_util::stream::iter([
        Ok::<_, std::io::Error>("a"),
        Ok("b"),
    ]));
    assert!(streamed.as_bytes().is_none());
    assert_eq!(streamed.into_bytes().await.unwrap(), "ab");
    let failing = stream::ByteStream::from_stream(futures_util::stream::iter([
        Ok("a"),
        Err(std::io::Error::other("gone")),
    ]));
    assert!(failing.into_bytes().await.is_err());
    let mut empty = stream::ByteStream::default();
    assert!(empty.next().await.is_none(), "no empty chunk");
}

// ---------------------------------------------------------------------------
// The server's side, without a socket.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn responses_are_framed_and_typed() {
    let events = Items::from(vec![Event::new(1).id("1"), Event::new(2)]);
    let response =
        stream_server::events_response(StatusCode::OK, events, stream::to_json, Some("[DONE]"));
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body, "id: 1\ndata: 1\n\ndata: 2\n\ndata: [DONE]\n\n");

    let response = stream_server::items_response(
        StatusCode::CREATED,
        "application/json-seq",
        Items::from(vec![1, 2]),
        Framing::Sequence,
        stream::to_json,
    );
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json-seq"
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body, "\u{1e}1\n\u{1e}2\n");

    // A failing stream breaks the body off (no sentinel: the client must
    // not take the break for the end).
    let failing = Items::try_new(futures_util::stream::iter([
        Ok(Event::new(1)),
        Err(api::Error::other("the database went away")),
    ]));
    let response =
        stream_server::events_response(StatusCode::OK, failing, stream::to_json, Some("[DONE]"));
    let mut body = response.into_body().into_data_stream();
    assert_eq!(body.next().await.unwrap().unwrap(), "data: 1\n\n");
    assert!(body.next().await.unwrap().is_err());
    assert!(body.next().await.is_none(), "nothing after the break");

    // An item that cannot be written breaks it off too.
    let maps = vec![
        vec![],
        vec![std::collections::BTreeMap::from([(vec![1u8], 1u8)])],
    ];
    let response = stream_server::items_response(
        StatusCode::OK,
        "application/jsonl",
        Items::from(maps),
        Framing::Lines,
        stream::to_json,
    );
    let mut body = response.into_body().into_data_stream();
    assert_eq!(body.next().await.unwrap().unwrap(), "[]\n");
    assert!(
        body.next().await.unwrap().is_err(),
        "a map key must be a string"
    );
    assert!(body.next().await.is_none());

    // The handler's stream is not polled after its end (which a stream
    // may forbid: `unfold` panics), the sentinel being sent after it.
    let numbers =
        futures_util::stream::unfold(
            0,
            |n| async move { (n < 2).then(|| (Event::new(n), n + 1)) },
        );
    let response = stream_server::events_response(
        StatusCode::OK,
        Items::new(numbers),
        stream::to_json,
        Some("[DONE]"),
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body, "data: 0\n\ndata: 1\n\ndata: [DONE]\n\n");
}

#[tokio::test]
async fn request_bodies_are_read_item_by_item() {
    let none = stream_server::items_from_body(
        axum::body::Body::empty(),
        Framing::Lines,
        stream::from_json::<u32>,
    );
    assert!(none.is_none(), "no body, no items");
    assert!(
        stream_server::events_from_body(axum::body::Body::empty(), stream::from_text).is_none()
    );
    let lines = stream_server::items_from_body(
        axum::body::Body::from("1\n2\r\n3"),
        Framing::Lines,
        stream::from_json::<u32>,
    )
    .unwrap();
    assert_eq!(lines.collect().await.unwrap(), [1, 2, 3]);
    let events = stream_server::events_from_body(
        axum::body::Body::from("data: a\n\nid: 2\ndata: b\n\n"),
        stream::from_text,
    )
    .unwrap();
    assert_eq!(
        events.collect().await.unwrap(),
        [text("a"), text("b").id("2")]
    );
    // A handler that gives the stream's error back answers 400.
    let bad = stream_server::items_from_body(
        axum::body::Body::from("1\nx\n"),
        Framing::Lines,
        stream::from_json::<u32>,
    )
    .unwrap();
    let response = request::respond(bad.collect().await.map(|_| "ok"), &[]);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("item 1 of the request body (counted from 0) is malformed"),
        "{problem}"
    );
}

// ---------------------------------------------------------------------------
// Over real sockets.
// ---------------------------------------------------------------------------

/// How long any one step over a socket may take before the test fails
/// (instead of hanging).
const STEP: Duration = Duration::from_secs(10);

/// `future`, or a failure naming `what` after [`STEP`].
async fn within<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(STEP, future)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

const OPERATIONS: &[server::Operation] = &[
    server::Operation {
        method: "GET",
        route: "/events",
        id: "events",
        streamed: false,
    },
    server::Operation {
        method: "GET",
        route: "/lines",
        id: "lines",
        streamed: false,
    },
    server::Operation {
        method: "POST",
        route: "/sum",
        id: "sum",
        streamed: false,
    },
];

/// Serves `routes` as a generated crate does (through `finish`) on a
/// port of its own; its base URL.
async fn serve(routes: axum::Router, options: server::Options) -> String {
    let router = server::finish(routes, options, OPERATIONS, "{}");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

type Client = client::Client<()>;

/// Sends a call that streams its response, as a generated method does.
async fn call(
    client: &Client,
    method: reqwest::Method,
    path: &'static str,
    body: Option<(&'static str, reqwest::Body)>,
) -> reqwest::Response {
    let context = uniapi_runtime_tests::Context::default();
    let call = client::Call {
        operation: "stream",
        template: path,
        method,
        url: format!("{}{path}", client.base_url()),
        query: String::new(),
        headers: reqwest::header::HeaderMap::new(),
        cookies: String::new(),
        body,
        streams: true,
        token: None,
        idempotency_key: None,
        context: &context,
    };
    within("the response's headers", client.send(call))
        .await
        .unwrap()
}

/// The numbers 1 to `count`, each after the test says go (the first at
/// once); `produced` counts them.
fn on_signal(
    go: tokio::sync::mpsc::UnboundedReceiver<()>,
    produced: Arc<AtomicU32>,
    count: u32,
) -> impl Stream<Item = u32> + Send + 'static {
    futures_util::stream::unfold((go, 0), move |(mut go, n)| {
        let produced = produced.clone();
        async move {
            if n == count {
                return None;
            }
            if n > 0 {
                go.recv().await?;
            }
            produced.store(n + 1, Ordering::SeqCst);
            Some((n + 1, (go, n + 1)))
        }
    })
}

/// A route that takes its producer from `slot`, once.
type Slot<T> = Arc<Mutex<Option<T>>>;

fn take<T>(slot: &Slot<T>) -> T {
    slot.lock()
        .unwrap()
        .take()
        .expect("the route is called once")
}

#[tokio::test]
async fn each_event_reaches_the_client_before_the_next_is_produced() {
    let (go, signals) = tokio::sync::mpsc::unbounded_channel();
    let produced = Arc::new(AtomicU32::new(0));
    let slot: Slot<_> = Arc::new(Mutex::new(Some(on_signal(signals, produced.clone(), 3))));
    let routes = axum::Router::new().route(
        "/events",
        axum::routing::get(move || {
            let numbers = take(&slot);
            async move {
                let events = Items::new(numbers.map(|n| Event::new(n).id(n.to_string())));
                stream_server::events_response(
                    StatusCode::OK,
                    events,
                    stream::to_json,
                    Some("[DONE]"),
                )
            }
        }),
    );
    let url = serve(routes, server::Options::new()).await;
    let client = Client::new(url);
    let response = call(&client, reqwest::Method::GET, "/events", None).await;
    assert_eq!(response.status(), 200);
    let mut events =
        stream_client::response_events(response, stream::from_json::<u32>, Some("[DONE]"));
    for n in 1..=3 {
        let event = within("an event", events.next()).await.unwrap().unwrap();
        assert_eq!(event, Event::new(n).id(n.to_string()));
        assert_eq!(
            produced.load(Ordering::SeqCst),
            n,
            "event {n} came before event {} was produced",
            n + 1
        );
        if n < 3 {
            go.send(()).unwrap();
        }
    }
    assert!(
        within("the end", events.next()).await.is_none(),
        "the sentinel ends the stream"
    );
}

#[tokio::test]
async fn each_line_reaches_the_client_before_the_next_is_produced() {
    for (framing, content_type) in [
        (Framing::Lines, "application/jsonl"),
        (Framing::Sequence, "application/json-seq"),
    ] {
        let (go, signals) = tokio::sync::mpsc::unbounded_channel();
        let produced = Arc::new(AtomicU32::new(0));
        let slot: Slot<_> = Arc::new(Mutex::new(Some(on_signal(signals, produced.clone(), 3))));
        let routes = axum::Router::new().route(
            "/lines",
            axum::routing::get(move || {
                let numbers = take(&slot);
                async move {
                    stream_server::items_response(
                        StatusCode::OK,
                        content_type,
                        Items::new(numbers),
                        framing,
                        stream::to_json,
                    )
                }
            }),
        );
        let url = serve(routes, server::Options::new()).await;
        let client = Client::new(url);
        let response = call(&client, reqwest::Method::GET, "/lines", None).await;
        assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
        let mut items = stream_client::response_items(response, framing, stream::from_json::<u32>);
        for n in 1..=3 {
            let item = within("an item", items.next()).await.unwrap().unwrap();
            assert_eq!(item, n);
            assert_eq!(produced.load(Ordering::SeqCst), n, "{framing:?}");
            if n < 3 {
                go.send(()).unwrap();
            }
        }
        assert!(within("the end", items.next()).await.is_none());
    }
}

/// Sends `()` when dropped.
struct Guard(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(dropped) = self.0.take() {
            let _ = dropped.send(());
        }
    }
}

/// Yields 1, then nothing, forever, holding `guard`.
fn one_then_silence(guard: Guard) -> impl Stream<Item = u32> + Send + 'static {
    futures_util::stream::unfold((guard, false), |(guard, sent)| async move {
        if sent {
            std::future::pending::<()>().await;
        }
        Some((1, (guard, true)))
    })
}

#[tokio::test]
async fn a_client_that_goes_away_drops_the_producer() {
    for path in ["/events", "/lines"] {
        let (dropped_tx, dropped) = tokio::sync::oneshot::channel();
        let slot: Slot<_> = Arc::new(Mutex::new(Some(one_then_silence(Guard(Some(dropped_tx))))));
        let events_slot = slot.clone();
        let routes = axum::Router::new()
            .route(
                "/events",
                axum::routing::get(move || {
                    let numbers = take(&events_slot);
                    async move {
                        let events = Items::new(numbers.map(Event::new));
                        stream_server::events_response(
                            StatusCode::OK,
                            events,
                            stream::to_json,
                            None,
                        )
                    }
                }),
            )
            .route(
                "/lines",
                axum::routing::get(move || {
                    let numbers = take(&slot);
                    async move {
                        stream_server::items_response(
                            StatusCode::OK,
                            "application/jsonl",
                            Items::new(numbers),
                            Framing::Lines,
                            stream::to_json,
                        )
                    }
                }),
            );
        let url = serve(routes, server::Options::new()).await;
        let client = Client::new(url);
        let response = call(&client, reqwest::Method::GET, path, None).await;
        if path == "/events" {
            let mut events =
                stream_client::response_events(response, stream::from_json::<u32>, None);
            assert_eq!(
                within("the event", events.next()).await.unwrap().unwrap(),
                Event::new(1)
            );
            drop(events);
        } else {
            let mut items =
                stream_client::response_items(response, Framing::Lines, stream::from_json::<u32>);
            assert_eq!(within("the item", items.next()).await.unwrap().unwrap(), 1);
            drop(items);
        }
        within("the producer to be dropped", dropped)
            .await
            .expect("the guard is dropped, not forgotten");
    }
}

/// A route of events: 1, then 2 once the test says go.
fn waiting_events(go: tokio::sync::mpsc::UnboundedReceiver<()>) -> axum::Router {
    let slot: Slot<_> = Arc::new(Mutex::new(Some(on_signal(go, Arc::default(), 2))));
    axum::Router::new().route(
        "/events",
        axum::routing::get(move || {
            let numbers = take(&slot);
            async move {
                let events = Items::new(numbers.map(Event::new));
                stream_server::events_response(StatusCode::OK, events, stream::to_json, None)
            }
        }),
    )
}

/// Reads chunks of `response` until `body` holds `until`.
async fn read_until(response: &mut reqwest::Response, body: &mut Vec<u8>, until: &[u8]) {
    while !body.windows(until.len()).any(|w| w == until) {
        let chunk = within("a chunk", response.chunk())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("the body ended before {until:?}: {body:?}"));
        body.extend_from_slice(&chunk);
    }
}

#[tokio::test]
async fn a_silent_event_stream_sends_keep_alive_comments() {
    let (go, signals) = tokio::sync::mpsc::unbounded_channel();
    let options = server::Options::new().keep_alive(Some(Duration::from_millis(50)));
    let url = serve(waiting_events(signals), options).await;
    let mut response = reqwest::get(format!("{url}/events")).await.unwrap();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let mut body = Vec::new();
    read_until(&mut response, &mut body, b"data: 1\n\n").await;
    assert!(body.starts_with(b"data: 1\n\n"), "{body:?}");
    // Silence: comments, again and again.
    read_until(&mut response, &mut body, b"data: 1\n\n:\n\n:\n\n").await;
    go.send(()).unwrap();
    while let Some(chunk) = within("the rest", response.chunk()).await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(body).unwrap();
    assert!(text.starts_with("data: 1\n\n:\n\n:\n\n"), "{text:?}");
    assert!(text.ends_with("data: 2\n\n"), "{text:?}");
    assert_eq!(
        text.replace(":\n\n", ""),
        "data: 1\n\ndata: 2\n\n",
        "comments come between events, never inside one"
    );

    // The client's reader skips them.
    let (go, signals) = tokio::sync::mpsc::unbounded_channel();
    let options = server::Options::new().keep_alive(Some(Duration::from_millis(10)));
    let url = serve(waiting_events(signals), options).await;
    let client = Client::new(url);
    let response = call(&client, reqwest::Method::GET, "/events", None).await;
    let mut events = stream_client::response_events(response, stream::from_json::<u32>, None);
    assert_eq!(
        within("event 1", events.next()).await.unwrap().unwrap(),
        Event::new(1)
    );
    // Not a proof of anything: time for comments to go by.
    tokio::time::sleep(Duration::from_millis(100)).await;
    go.send(()).unwrap();
    assert_eq!(
        within("event 2", events.next()).await.unwrap().unwrap(),
        Event::new(2)
    );
    assert!(within("the end", events.next()).await.is_none());
}

#[tokio::test]
async fn keep_alive_is_for_event_streams_only_and_can_be_off() {
    // Off: nothing comes in the silence.
    let (go, signals) = tokio::sync::mpsc::unbounded_channel();
    let url = serve(
        waiting_events(signals),
        server::Options::new().keep_alive(None),
    )
    .await;
    let mut response = reqwest::get(format!("{url}/events")).await.unwrap();
    let mut body = Vec::new();
    read_until(&mut response, &mut body, b"data: 1\n\n").await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), response.chunk())
            .await
            .is_err(),
        "no comment"
    );
    go.send(()).unwrap();
    while let Some(chunk) = within("the rest", response.chunk()).await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    assert_eq!(body, b"data: 1\n\ndata: 2\n\n");

    // JSON Lines are never wrapped.
    let (go, signals) = tokio::sync::mpsc::unbounded_channel();
    let slot: Slot<_> = Arc::new(Mutex::new(Some(on_signal(signals, Arc::default(), 2))));
    let routes = axum::Router::new().route(
        "/lines",
        axum::routing::get(move || {
            let numbers = take(&slot);
            async move {
                stream_server::items_response(
                    StatusCode::OK,
                    "application/jsonl",
                    Items::new(numbers),
                    Framing::Lines,
                    stream::to_json,
                )
            }
        }),
    );
    let options = server::Options::new().keep_alive(Some(Duration::from_millis(10)));
    let url = serve(routes, options).await;
    let mut response = reqwest::get(format!("{url}/lines")).await.unwrap();
    let mut body = Vec::new();
    read_until(&mut response, &mut body, b"1\n").await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), response.chunk())
            .await
            .is_err(),
        "no comment in JSON Lines"
    );
    go.send(()).unwrap();
    while let Some(chunk) = within("the rest", response.chunk()).await.unwrap() {
        body.extend_from_slice(&chunk);
    }
    assert_eq!(body, b"1\n2\n");
}

/// A server of events 1 to 8 with ids that breaks the connection after
/// events 3 and 6, and resumes after `Last-Event-ID`; the ids it was
/// sent, in order. The first event asks for `retry` when given.
async fn flaky_events(retry: Option<Duration>) -> (String, Arc<Mutex<Vec<Option<String>>>>) {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let log = seen.clone();
    let routes = axum::Router::new().route(
        "/events",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let last = headers
                .get("last-event-id")
                .map(|v| v.to_str().unwrap().to_owned());
            log.lock().unwrap().push(last.clone());
            async move {
                let start: u32 = last.map_or(0, |id| id.parse().unwrap());
                let end = match start {
                    0..3 => 3,
                    3..6 => 6,
                    _ => 8,
                };
                let mut items: Vec<Result<Event<u32>, api::Error>> = (start + 1..=end)
                    .map(|n| {
                        let event = Event::new(n).id(n.to_string());
                        Ok(match retry {
                            Some(retry) if n == 1 => event.retry(retry),
                            _ => event,
                        })
                    })
                    .collect();
                if end < 8 {
                    items.push(Err(api::Error::other("the connection breaks")));
                }
                let events = Items::try_new(futures_util::stream::iter(items));
                stream_server::events_response(
                    StatusCode::OK,
                    events,
                    stream::to_json,
                    Some("[DONE]"),
                )
            }
        }),
    );
    (serve(routes, server::Options::new()).await, seen)
}

#[tokio::test]
async fn a_broken_event_stream_reconnects_from_the_last_id() {
    let (url, seen) = flaky_events(None).await;
    let client = Client::builder(url)
        .reconnect(client::Reconnect::new().delay(Duration::from_millis(10)))
        .build()
        .unwrap();
    let response = call(&client, reqwest::Method::GET, "/events", None).await;
    let events = stream_client::response_events(response, stream::from_json::<u32>, Some("[DONE]"));
    let got = within("every event", events.collect()).await.unwrap();
    assert_eq!(
        got,
        (1..=8)
            .map(|n| Event::new(n).id(n.to_string()))
            .collect::<Vec<_>>(),
        "every event once"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [None, Some("3".to_owned()), Some("6".to_owned())]
    );
}

#[tokio::test]
async fn the_streams_retry_wins_over_the_clients_delay() {
    let (url, seen) = flaky_events(Some(Duration::from_millis(5))).await;
    let client = Client::builder(url)
        .reconnect(client::Reconnect::new().delay(Duration::from_secs(3600)))
        .build()
        .unwrap();
    let response = call(&client, reqwest::Method::GET, "/events", None).await;
    let events = stream_client::response_events(response, stream::from_json::<u32>, Some("[DONE]"));
    let got = within("every event, soon", events.collect()).await.unwrap();
    assert_eq!(got.len(), 8);
    assert_eq!(got[0].retry, Some(Duration::from_millis(5)));
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn without_reconnect_a_break_is_an_error_after_the_events() {
    let (url, seen) = flaky_events(None).await;
    let client = Client::new(url);
    let response = call(&client, reqwest::Method::GET, "/events", None).await;
    let events = stream_client::response_events(response, stream::from_json::<u32>, Some("[DONE]"));
    let got = within("the events", drain(events)).await;
    assert_eq!(
        got,
        [
            Ok(Event::new(1).id("1")),
            Ok(Event::new(2).id("2")),
            Ok(Event::new(3).id("3")),
            Err(Failure::Transport)
        ]
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_reconnect_answered_otherwise_ends_the_stream() {
    // 204: no more events. 500: an error.
    for (status, last) in [
        (StatusCode::NO_CONTENT, None),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(Failure::Other(
                "undocumented response status 500 Internal Server Error".into(),
            )),
        ),
    ] {
        let calls = Arc::new(AtomicU32::new(0));
        let count = calls.clone();
        let routes = axum::Router::new().route(
            "/events",
            axum::routing::get(move || {
                let n = count.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n > 0 {
                        return Response::builder()
                            .status(status)
                            .body(axum::body::Body::empty())
                            .unwrap();
                    }
                    let events = Items::try_new(futures_util::stream::iter([
                        Ok(Event::new(1).id("1")),
                        Err(api::Error::other("break")),
                    ]));
                    stream_server::events_response(StatusCode::OK, events, stream::to_json, None)
                }
            }),
        );
        let url = serve(routes, server::Options::new()).await;
        let client = Client::builder(url)
            .reconnect(client::Reconnect::new().delay(Duration::from_millis(1)))
            .build()
            .unwrap();
        let response = call(&client, reqwest::Method::GET, "/events", None).await;
        let events = stream_client::response_events(response, stream::from_json::<u32>, None);
        let mut expected = vec![Ok(Event::new(1).id("1"))];
        expected.extend(last.map(Err));
        assert_eq!(
            within("the events", drain(events)).await,
            expected,
            "{status}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2, "one reconnect");
    }
}

#[tokio::test]
async fn reconnects_stop_after_max_attempts_in_a_row() {
    let calls = Arc::new(AtomicU32::new(0));
    let count = calls.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let routes = axum::Router::new().route(
        "/events",
        axum::routing::get(move || {
            count.fetch_add(1, Ordering::SeqCst);
            async move {
                let events = Items::try_new(futures_util::stream::iter([
                    Ok(Event::new(1).id("1")),
                    Err(api::Error::other("break")),
                ]));
                stream_server::events_response(StatusCode::OK, events, stream::to_json, None)
            }
        }),
    );
    let router = server::finish(routes, server::Options::new(), OPERATIONS, "{}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server::serve_until(listener, router, async move {
        let _ = stopped.await;
    }));
    let client = Client::builder(url)
        .reconnect(
            client::Reconnect::new()
                .delay(Duration::from_millis(1))
                .max_attempts(2),
        )
        .build()
        .unwrap();
    let response = call(&client, reqwest::Method::GET, "/events", None).await;
    let mut events = stream_client::response_events(response, stream::from_json::<u32>, None);
    assert_eq!(
        within("event 1", events.next()).await.unwrap().unwrap(),
        Event::new(1).id("1")
    );
    // The server goes away: every reconnect fails to connect.
    stop.send(()).unwrap();
    within("the server to stop", served).await.unwrap().unwrap();
    let rest = within("the rest", drain(events)).await;
    assert_eq!(
        rest,
        [Err(Failure::Transport)],
        "the break, after 2 attempts"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1, "no reconnect got through");
}

#[tokio::test]
async fn request_bodies_of_items_stream_to_the_handler() {
    async fn sum(request: axum::extract::Request) -> Response {
        let content_type = request.headers()[header::CONTENT_TYPE].clone();
        let body = request.into_body();
        let result = async {
            let numbers = if content_type == "text/event-stream" {
                match stream_server::events_from_body(body, stream::from_json::<u32>) {
                    Some(events) => events.map(|event| event.data).collect().await?,
                    None => Vec::new(),
                }
            } else {
                let framing = if content_type == "application/json-seq" {
                    Framing::Sequence
                } else {
                    Framing::Lines
                };
                match stream_server::items_from_body(body, framing, stream::from_json::<u32>) {
                    Some(items) => items.collect().await?,
                    None => Vec::new(),
                }
            };
            Ok::<_, api::Error>(numbers.iter().sum::<u32>().to_string())
        }
        .await;
        request::respond(result, &[])
    }
    let url = serve(
        axum::Router::new().route("/sum", axum::routing::post(sum)),
        server::Options::new(),
    )
    .await;
    let client = Client::new(url);
    let post = |body| call(&client, reqwest::Method::POST, "/sum", Some(body));
    for (content_type, framing) in [
        ("application/jsonl", Framing::Lines),
        ("application/json-seq", Framing::Sequence),
    ] {
        let body = stream_client::items_body(Items::from(vec![1, 2, 3]), framing, stream::to_json);
        let response = post((content_type, body)).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), "6");
    }
    let events = Items::from(vec![Event::new(4).id("a"), Event::new(5).event("e")]);
    let response = post((
        "text/event-stream",
        stream_client::events_body(events, stream::to_json),
    ))
    .await;
    assert_eq!(response.text().await.unwrap(), "9");
    // A malformed item is a 400.
    let response = post(("application/jsonl", reqwest::Body::from("1\n2\n{\n3\n"))).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert!(
        problem["detail"].as_str().unwrap().starts_with("item 2 "),
        "{problem}"
    );
}

#[tokio::test]
async fn a_request_stream_reaches_the_handler_item_by_item() {
    // The handler reports each item as it gets it; the client produces
    // the next only then.
    let (got_tx, mut got) = tokio::sync::mpsc::unbounded_channel::<u32>();
    let routes = axum::Router::new().route(
        "/sum",
        axum::routing::post(move |request: axum::extract::Request| {
            let got_tx = got_tx.clone();
            async move {
                let mut items = stream_server::items_from_body(
                    request.into_body(),
                    Framing::Lines,
                    stream::from_json::<u32>,
                )
                .unwrap();
                let mut total = 0;
                while let Some(item) = items.next().await {
                    let item = item.unwrap();
                    total += item;
                    got_tx.send(item).unwrap();
                }
                total.to_string()
            }
        }),
    );
    let url = serve(routes, server::Options::new()).await;
    let client = Client::new(url);
    let (go, signals) = tokio::sync::mpsc::unbounded_channel();
    let produced = Arc::new(AtomicU32::new(0));
    let body = stream_client::items_body(
        Items::new(on_signal(signals, produced.clone(), 3)),
        Framing::Lines,
        stream::to_json,
    );
    let client_side = tokio::spawn(async move {
        call(
            &client,
            reqwest::Method::POST,
            "/sum",
            Some(("application/jsonl", body)),
        )
        .await
        .text()
        .await
        .unwrap()
    });
    for n in 1..=3 {
        assert_eq!(within("an item at the handler", got.recv()).await, Some(n));
        assert_eq!(produced.load(Ordering::SeqCst), n);
        if n < 3 {
            go.send(()).unwrap();
        }
    }
    assert_eq!(within("the answer", client_side).await.unwrap(), "6");
}
