//! `corpus.csv` and the markdown summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Compiled, Outcome, PACKAGE, SpecResult, VERSION};

/// About the run as a whole, for the summary's header.
#[derive(Debug)]
pub struct RunInfo {
    /// Which uniapi ran: its version and commit, or its path.
    pub uniapi: String,
    pub sample: SampleInfo,
    pub timeout: Duration,
    pub generation_wall: Duration,
    /// Wall time of each phase, in order.
    pub phases: Vec<(String, Duration)>,
    /// Wall time of the whole run.
    pub total: Duration,
    pub check_problem: Option<String>,
}

/// How the compile-check sample was chosen.
#[derive(Debug, Clone)]
pub enum SampleInfo {
    /// `--no-check`.
    Nothing,
    /// One spec in K.
    Every(usize),
    /// The coverage slice.
    Cover(CoverInfo),
}

/// The coverage slice, for the summary.
#[derive(Debug, Clone)]
pub struct CoverInfo {
    /// The least number of crates asked for.
    pub min: usize,
    /// Chosen.
    pub crates: usize,
    /// Bytes of source of the chosen crates.
    pub bytes: u64,
    /// Distinct features of the candidates.
    pub features: usize,
    /// Generated crates within the size limit.
    pub candidates: usize,
    pub max_bytes: u64,
    /// Generated crates over the size limit.
    pub large: usize,
    /// Features that only the crates over the limit hold.
    pub only_large: Vec<String>,
}

/// The rows of `corpus.csv`: spec, generated, diagnostics, compiled,
/// failed_features, seconds, first_error.
pub fn csv(results: &[SpecResult]) -> String {
    let mut out =
        String::from("spec,generated,diagnostics,compiled,failed_features,seconds,first_error\n");
    for r in results {
        let (compiled, failed) = match r.compiled {
            Some(c) if c.clean() => ("yes", ""),
            Some(c) => ("no", c.failed()),
            None => ("", ""),
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{:.3},{}",
            csv_field(&r.spec),
            r.outcome.as_str(),
            r.diagnostics,
            compiled,
            failed,
            r.seconds,
            csv_field(r.first_error.as_deref().unwrap_or("")),
        );
    }
    out
}

/// Quotes a field that holds a comma, a quote or a line break (RFC 4180).
pub(crate) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The summary, as markdown: totals, the slowest specs, the top failure
/// categories.
pub fn summary(results: &[SpecResult], info: &RunInfo) -> String {
    let count = |outcome: Outcome| results.iter().filter(|r| r.outcome == outcome).count();
    let total = results.len();
    let generated = count(Outcome::Generated);
    let mut out = String::new();

    let swagger2: Vec<&SpecResult> = results
        .iter()
        .filter(|r| super::swagger2::package_of(&r.spec).is_some())
        .collect();
    let mut sources = Vec::new();
    if swagger2.len() < total {
        sources.push(format!("{PACKAGE}@{VERSION}"));
    }
    if !swagger2.is_empty() {
        sources.push("the Swagger 2.0 specs of registry packages".to_owned());
    }
    let _ = writeln!(out, "## uniapi corpus run\n");
    let _ = writeln!(
        out,
        "{}, {}, {} (UTC).\n",
        sources.join(" and "),
        info.uniapi,
        today()
    );
    let _ = writeln!(out, "| | |\n| --- | ---: |");
    let _ = writeln!(out, "| specs | {total} |");
    if !swagger2.is_empty() {
        let generated = swagger2
            .iter()
            .filter(|r| r.outcome == Outcome::Generated)
            .count();
        let checked = swagger2.iter().filter(|r| r.compiled.is_some()).count();
        let clean = swagger2
            .iter()
            .filter(|r| r.compiled.is_some_and(Compiled::clean))
            .count();
        let _ = writeln!(
            out,
            "| of them Swagger 2.0 | {}: {generated} generated, {clean} of {checked} checked compiled clean |",
            swagger2.len()
        );
    }
    let _ = writeln!(
        out,
        "| generated | {generated} ({}) |",
        percent(generated, total)
    );
    let _ = writeln!(
        out,
        "| rejected with errors | {} |",
        count(Outcome::Rejected)
    );
    let _ = writeln!(out, "| panics | {} |", count(Outcome::Panicked));
    let _ = writeln!(
        out,
        "| timeouts (over {} s) | {} |",
        info.timeout.as_secs(),
        count(Outcome::TimedOut)
    );
    let _ = writeln!(
        out,
        "| crashes (signals, other exits) | {} |",
        count(Outcome::Crashed)
    );
    let seconds: f64 = results.iter().map(|r| r.seconds).sum();
    let _ = writeln!(
        out,
        "| generation time | {seconds:.1} s summed over specs, {:.1} s wall |",
        info.generation_wall.as_secs_f64()
    );
    out.push_str(&sample_rows(results, info));
    let _ = writeln!(out, "| wall time | {} |", minutes(info.total));

    let _ = writeln!(out, "\n### Wall time by phase\n");
    let _ = writeln!(out, "| phase | wall |\n| --- | ---: |");
    for (phase, wall) in &info.phases {
        let _ = writeln!(out, "| {phase} | {:.1} s |", wall.as_secs_f64());
    }
    if let SampleInfo::Cover(cover) = &info.sample {
        out.push_str(&cover_section(cover));
    }

    let _ = writeln!(out, "\n### Slowest specs\n");
    let _ = writeln!(out, "| seconds | spec | generated |\n| ---: | --- | --- |");
    let mut by_time: Vec<&SpecResult> = results.iter().collect();
    by_time.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    for r in by_time.iter().take(5) {
        let _ = writeln!(
            out,
            "| {:.2} | {} | {} |",
            r.seconds,
            cell(&r.spec),
            r.outcome.as_str()
        );
    }

    let _ = writeln!(out, "\n### Top failure categories\n");
    let _ = writeln!(
        out,
        "Each failing spec's first error (of generation, or of `cargo check` for a \
         sampled crate, with the feature sets that failed), with numbers and quoted \
         names stripped.\n"
    );
    let _ = writeln!(
        out,
        "| specs | stage | category | for example |\n| ---: | --- | --- | --- |"
    );
    let categories = categories(results);
    if categories.is_empty() {
        let _ = writeln!(out, "| 0 | | no failures | |");
    }
    for (count, (stage, category), example) in categories.into_iter().take(10) {
        let _ = writeln!(
            out,
            "| {count} | {stage} | {} | {} |",
            cell(&category),
            cell(example)
        );
    }
    out
}

/// The rows about the compile-check sample.
fn sample_rows(results: &[SpecResult], info: &RunInfo) -> String {
    let how = match &info.sample {
        SampleInfo::Nothing => return "| compile check | skipped (`--no-check`) |\n".into(),
        SampleInfo::Every(every) => format!("1 spec in {every}"),
        SampleInfo::Cover(cover) => format!("chosen by coverage, at least {}", cover.min),
    };
    let sampled: Vec<&SpecResult> = results.iter().filter(|r| r.sampled).collect();
    let generated = sampled
        .iter()
        .filter(|r| r.outcome == Outcome::Generated)
        .count();
    let clean = |test: fn(Compiled) -> bool| {
        sampled
            .iter()
            .filter(|r| r.compiled.is_some_and(test))
            .count()
    };
    let mut out = format!(
        "| compile-check sample ({how}) | {} specs, {generated} generated |\n",
        sampled.len()
    );
    let figure = |count: usize| match &info.check_problem {
        Some(problem) => format!("unknown: cargo check failed {}", cell(problem)),
        None => format!(
            "{count} of {generated} generated ({})",
            percent(count, generated)
        ),
    };
    let _ = writeln!(
        out,
        "| no errors and no warnings with default features | {} |",
        figure(clean(|c| c.default_features))
    );
    let _ = writeln!(
        out,
        "| no errors and no warnings with all features | {} |",
        figure(clean(|c| c.all_features))
    );
    let _ = writeln!(
        out,
        "| compiled with no errors and no warnings (both) | {} |",
        figure(clean(Compiled::clean))
    );
    let check: Vec<String> = info
        .phases
        .iter()
        .filter(|(phase, _)| phase.starts_with("check"))
        .map(|(phase, wall)| {
            format!(
                "{:.1} s {}",
                wall.as_secs_f64(),
                phase.trim_start_matches("check, ")
            )
        })
        .collect();
    if !check.is_empty() {
        let _ = writeln!(out, "| compile-check time | {} |", check.join(", "));
    }
    out
}

/// How the coverage slice was chosen.
fn cover_section(cover: &CoverInfo) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n### The coverage slice\n");
    let _ = writeln!(
        out,
        "{} crates ({} KB of source) chosen from {} candidates (generated crates of up to \
         {} KB) so that each of the {} features of the generator's output that any \
         candidate holds (words of uniapi's emitters and runtime, `format_ident!` \
         patterns, file names) is held by two of them; `slice.csv` says what each \
         brought.",
        cover.crates,
        cover.bytes.div_ceil(1024),
        cover.candidates,
        cover.max_bytes / 1024,
        cover.features
    );
    if cover.large > 0 {
        let mut only: Vec<String> = cover
            .only_large
            .iter()
            .take(10)
            .map(|f| format!("`{f}`"))
            .collect();
        if cover.only_large.len() > 10 {
            only.push("…".into());
        }
        let _ = writeln!(
            out,
            "The {} larger crates were not candidates; {} features only they hold{}{}.",
            cover.large,
            cover.only_large.len(),
            if only.is_empty() { "" } else { ": " },
            only.join(", ")
        );
    }
    out
}

/// Failing specs grouped by stage and stripped first error, most common
/// first, each with one example spec.
fn categories(results: &[SpecResult]) -> Vec<(usize, (&'static str, String), &str)> {
    let mut groups: BTreeMap<(&'static str, String), (usize, &str)> = BTreeMap::new();
    for r in results {
        let Some(message) = &r.first_error else {
            continue;
        };
        let stage = match r.outcome {
            Outcome::Generated => match r.compiled.map(Compiled::failed) {
                Some("default") => "compile (default features)",
                Some("all") => "compile (all features)",
                Some("both") => "compile (both)",
                _ => "compile",
            },
            Outcome::Rejected => "rejected",
            Outcome::Panicked => "panic",
            Outcome::TimedOut => "timeout",
            Outcome::Crashed => "crash",
        };
        let group = groups
            .entry((stage, category(message)))
            .or_insert((0, &r.spec));
        group.0 += 1;
    }
    let mut sorted: Vec<_> = groups
        .into_iter()
        .map(|(key, (count, example))| (count, key, example))
        .collect();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    sorted
}

/// A message with what varies between specs taken out: a compiler
/// message's `crate/src/file.rs:L:C: ` prefix, the insides of backtick and
/// double quotes, and numbers that are not part of a word (`E0425` stays).
pub fn category(message: &str) -> String {
    let message = match message.find(".rs:") {
        Some(at) => {
            let rest = &message[at..];
            match rest.find(": error").or_else(|| rest.find(": warning")) {
                Some(colon) => &rest[colon + 2..],
                None => message,
            }
        }
        None => message,
    };
    let mut out = String::new();
    let mut chars = message.chars().peekable();
    let mut previous: Option<char> = None;
    while let Some(c) = chars.next() {
        match c {
            '`' | '"' => {
                out.push(c);
                out.push('…');
                out.push(c);
                // Skip to the closing quote (or the end).
                for inside in chars.by_ref() {
                    if inside == c {
                        break;
                    }
                }
            }
            '0'..='9' if !previous.is_some_and(|p| p.is_alphanumeric() || p == '_') => {
                while chars.next_if(char::is_ascii_digit).is_some() {}
                out.push('N');
            }
            _ => out.push(c),
        }
        previous = Some(c);
    }
    if out.chars().count() > 120 {
        out = out.chars().take(119).collect::<String>() + "…";
    }
    out
}

/// `14 min 52 s`, or `41.2 s` under a minute.
fn minutes(wall: Duration) -> String {
    let seconds = wall.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        let whole = wall.as_secs();
        format!("{} min {} s", whole / 60, whole % 60)
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// Text made safe for a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((seconds / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_strip_what_varies() {
        assert_eq!(
            category(
                "c0010/src/types.rs:12:5: error[E0425]: cannot find value `foo_bar` in this scope"
            ),
            "error[E0425]: cannot find value `…` in this scope"
        );
        assert_eq!(
            category("invalid JSON: expected value at line 14 column 3"),
            "invalid JSON: expected value at line N column N"
        );
        assert_eq!(
            category("`$ref: #/components/schemas/Pet` points at nothing"),
            "`…` points at nothing"
        );
        assert_eq!(
            category("panic: bad \"x\" (at generator/src/lower/schema.rs:120:9)"),
            "panic: bad \"…\" (at generator/src/lower/schema.rs:N:N)"
        );
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(
            csv_field("nasa.gov/asteroids neows.json"),
            "nasa.gov/asteroids neows.json"
        );
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
    }

    fn checked(spec: &str, default_features: bool, all_features: bool) -> SpecResult {
        let compiled = Compiled {
            default_features,
            all_features,
        };
        SpecResult {
            spec: spec.into(),
            name: "c0000".into(),
            outcome: Outcome::Generated,
            diagnostics: 0,
            seconds: 0.25,
            first_error: (!compiled.clean())
                .then(|| "c0000/src/mock.rs:1:2: warning: unused import: `x`".into()),
            sampled: true,
            compiled: Some(compiled),
        }
    }

    #[test]
    fn csv_and_categories_say_which_feature_set_failed() {
        let results = [
            checked("a.json", true, true),
            checked("b.json", true, false),
            checked("c.json", false, false),
        ];
        assert_eq!(
            csv(&results),
            "spec,generated,diagnostics,compiled,failed_features,seconds,first_error\n\
             a.json,yes,0,yes,,0.250,\n\
             b.json,yes,0,no,all,0.250,c0000/src/mock.rs:1:2: warning: unused import: `x`\n\
             c.json,yes,0,no,both,0.250,c0000/src/mock.rs:1:2: warning: unused import: `x`\n"
        );
        let stages: Vec<&str> = categories(&results).iter().map(|c| c.1.0).collect();
        assert_eq!(stages, ["compile (all features)", "compile (both)"]);
    }

    #[test]
    fn the_summary_gives_each_feature_set_and_phase() {
        let results = [
            checked("a.json", true, true),
            checked("b.json", true, false),
        ];
        let info = RunInfo {
            uniapi: "uniapi 0.1.0".into(),
            sample: SampleInfo::Every(3),
            timeout: Duration::from_secs(60),
            generation_wall: Duration::from_secs(100),
            phases: vec![
                ("generate every spec".into(), Duration::from_secs(100)),
                ("check, default features".into(), Duration::from_secs(300)),
                ("check, all features".into(), Duration::from_secs(60)),
            ],
            total: Duration::from_secs(461),
            check_problem: None,
        };
        let summary = summary(&results, &info);
        for row in [
            "| compile-check sample (1 spec in 3) | 2 specs, 2 generated |",
            "| no errors and no warnings with default features | 2 of 2 generated (100.0%) |",
            "| no errors and no warnings with all features | 1 of 2 generated (50.0%) |",
            "| compiled with no errors and no warnings (both) | 1 of 2 generated (50.0%) |",
            "| compile-check time | 300.0 s default features, 60.0 s all features |",
            "| wall time | 7 min 41 s |",
            "| check, all features | 60.0 s |",
        ] {
            assert!(summary.contains(row), "no `{row}` in:\n{summary}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
    }
}
