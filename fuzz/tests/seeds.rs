//! Replays every file of the committed seed corpus (`corpus/router/`)
//! through the fuzz target's code, on stable, without libFuzzer: each must
//! keep the property, and a seed whose name starts with a status (`201-…`)
//! must get that status (`000-…`: hyper would refuse it, so it is skipped).
//! Files that libFuzzer adds (named by their hash) are checked for the
//! property alone.

use std::path::Path;

use uniapi_fuzz::Outcome;

/// The status that a seed's name promises: its first three digits, before a
/// `-`.
fn expected(name: &str) -> Option<u16> {
    let (code, _) = name.split_once('-')?;
    (code.len() == 3).then(|| code.parse().ok()).flatten()
}

#[test]
fn every_seed_keeps_the_property_and_gets_its_status() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/router");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the seed corpus")
        .map(|entry| entry.expect("a seed").path())
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    let mut promised = 0;
    for path in &paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let data = std::fs::read(path).expect("a seed's bytes");
        let expected = expected(&name);
        promised += usize::from(expected.is_some());
        match (uniapi_fuzz::run(&data), expected) {
            (Err(failure), _) => failures.push(format!("{name}: {failure}")),
            (Ok(_), None) | (Ok(Outcome::Skipped(_)), Some(0)) => {}
            (Ok(Outcome::Skipped(why)), Some(code)) => {
                failures.push(format!("{name}: skipped ({why}), not answered {code}"));
            }
            (Ok(Outcome::Answered(answer)), Some(code)) => {
                if answer.status.as_u16() != code {
                    failures.push(format!(
                        "{name}: answered {}, not {code}: {}",
                        answer.status,
                        String::from_utf8_lossy(&answer.body)
                    ));
                }
            }
        }
    }
    assert!(promised >= 30, "only {promised} seeds promise a status");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_answer_out_of_the_property_is_a_failure() {
    use uniapi_fuzz::{Answer, check};
    let answer = |status: u16, headers: &[(&str, &str)], body: &str| Answer {
        status: http::StatusCode::from_u16(status).expect("a status"),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    http::HeaderName::from_bytes(name.as_bytes()).expect("a name"),
                    http::HeaderValue::from_str(value).expect("a value"),
                )
            })
            .collect(),
        body: bytes::Bytes::copy_from_slice(body.as_bytes()),
    };
    let get = http::Method::GET;
    let problem = r#"{"type":"about:blank","title":"Not Found","status":404,"detail":"x"}"#;
    let json = [("content-type", "application/problem+json")];
    assert!(check(&get, &answer(404, &json, problem)).is_ok());
    assert!(
        check(&get, &answer(400, &json, problem)).is_err(),
        "status differs"
    );
    assert!(check(&get, &answer(404, &[("content-type", "text/plain")], "no")).is_err());
    assert!(check(&get, &answer(404, &json, "")).is_err());
    assert!(check(&http::Method::HEAD, &answer(404, &json, "")).is_ok());
    let error = [("content-type", "application/json")];
    assert!(check(&get, &answer(400, &error, r#"{"code":"a","message":"b"}"#)).is_ok());
    assert!(check(&get, &answer(400, &error, r#"{"code":"a"}"#)).is_err());
    assert!(check(&get, &answer(401, &error, r#"{"code":"a","message":"b"}"#)).is_err());
    assert!(check(&get, &answer(500, &json, problem)).is_err());
    assert!(check(&get, &answer(502, &[], "")).is_err());
    assert!(check(&get, &answer(503, &[], "")).is_err());
    assert!(check(&get, &answer(503, &[("retry-after", "1")], "")).is_ok());
    assert!(check(&get, &answer(200, &[], "anything")).is_ok());
}
