//! The report renderers on arbitrary suite results (formats.md §8).
//!
//! A suite result holds text from specs, job output, summaries and, for a
//! reopened run, a history file anyone could have edited. Whatever it
//! holds:
//! - Markdown: a CommonMark/GFM parser sees no raw HTML, no link or image,
//!   exactly one title and one heading a job (so every code fence closed),
//!   and each job heading reads as the job's name;
//! - HTML: only the report's own tags and attributes, so no text became
//!   markup;
//! - neither holds a control character but newlines and tabs;
//! - the JSON report reads back as the same suite (history relies on it).
#![no_main]

use adhash::batch::{prometheus, report};
use adhash::batch::result::{
    Environment, JobResult, JobStatus, LogTail, RunRecord, Stream, SuiteResult,
};
use adhash::stats::RunStats;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

#[derive(Arbitrary, Debug)]
struct FuzzSuite {
    spec: String,
    description: Option<String>,
    cli: String,
    generated_at: String,
    cancelled: bool,
    hostname: String,
    jobs: Vec<FuzzJob>,
}

#[derive(Arbitrary, Debug)]
struct FuzzJob {
    name: String,
    command: String,
    mode: String,
    status: u8,
    exit_code: Option<i32>,
    duration: f64,
    runs: Vec<(Option<f64>, bool)>,
    final_backend: Option<String>,
    p99_ms: Option<f64>,
    recommendation: Option<String>,
    command_line: String,
    reason: Option<String>,
    planned_runs: u8,
    log: Vec<(u8, String)>,
}

/// JSON has no NaN or infinity: a report's figures are finite.
fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// Throughput as the runner accepts it from a summary: 0 to 10^12 ops/s.
fn ops(v: f64) -> f64 {
    finite(v).abs().min(1e12)
}

fn status(b: u8) -> JobStatus {
    [
        JobStatus::Ok,
        JobStatus::Failed,
        JobStatus::Timeout,
        JobStatus::Cancelled,
        JobStatus::Skipped,
    ][usize::from(b) % 5]
}

fn job(f: FuzzJob) -> JobResult {
    let mut j = JobResult::planned(
        &f.name,
        &f.command,
        &f.mode,
        "w.csv",
        u32::from(f.planned_runs).max(1),
    );
    j.status = status(f.status);
    j.exit_code = f.exit_code;
    j.duration_seconds = finite(f.duration);
    j.runs = f
        .runs
        .iter()
        .map(|&(ops, ok)| RunRecord {
            ops_per_second: ops.map(self::ops),
            duration_seconds: 1.0,
            status: if ok { JobStatus::Ok } else { JobStatus::Failed },
            ops_per_cpu_second: ops.map(self::ops),
            round: None,
        })
        .collect();
    j.ops_per_second_runs = j
        .runs
        .iter()
        .filter(|r| r.status == JobStatus::Ok)
        .filter_map(|r| r.ops_per_second)
        .collect();
    j.stats = RunStats::of(&j.ops_per_second_runs);
    j.ops_per_second = j.stats.map(|s| s.median);
    j.final_backend = f.final_backend;
    j.p99_ms = f.p99_ms.map(finite);
    j.recommendation = f.recommendation;
    j.command_line = f.command_line;
    j.reason = f.reason;
    let mut log = LogTail::default();
    for (s, line) in f.log {
        let stream = [Stream::Stdout, Stream::Stderr, Stream::Runner][usize::from(s) % 3];
        log.push(stream, line);
    }
    j.log = log;
    j
}

fuzz_target!(|f: FuzzSuite| {
    let suite = SuiteResult {
        spec: f.spec,
        description: f.description,
        cli: f.cli,
        generated_at: f.generated_at,
        started_at: String::new(),
        finished_at: String::new(),
        wall_seconds: 1.0,
        cancelled: f.cancelled,
        environment: Environment {
            hostname: f.hostname,
            ..Environment::default()
        },
        warnings: Vec::new(),
        until_ci_pct: None,
        jobs: f.jobs.into_iter().map(job).collect(),
    };
    check_markdown(&suite, &report::markdown(&suite));
    check_html(&report::html(&suite));
    check_json(&suite, &report::json(&suite));
    // The Prometheus exposition of each job's name and backend: one
    // `# EOF`, at the end, and every line a comment or a metric of ours.
    for j in &suite.jobs {
        let latest = prometheus::Latest {
            job: j.name.clone(),
            tick: Some(adhash::batch::ticks::TickPoint {
                backend: j.final_backend.clone().unwrap_or_default(),
                ops: 1,
                ..Default::default()
            }),
        };
        check_exposition(&prometheus::render(&latest));
    }
});

fn check_exposition(text: &str) {
    assert_eq!(text.lines().filter(|l| *l == "# EOF").count(), 1, "{text}");
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
    for line in text.lines() {
        assert!(
            line.starts_with('#') || line.starts_with("hashmap_"),
            "a line of its own: {line:?}"
        );
    }
}

fn no_controls(what: &str, text: &str) {
    // Newlines and tabs are whitespace; anything else could drive a terminal.
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t')
    {
        panic!("{what} holds control character {c:?}");
    }
}

/// How a job's name must read in its heading: shown text, on one line.
fn shown_name(name: &str) -> String {
    let clean = adhash::log::printable(name);
    let one_line: String = clean
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    one_line.trim_matches(' ').to_string()
}

fn check_markdown(suite: &SuiteResult, md: &str) {
    no_controls("the Markdown report", md);
    let mut h1 = 0;
    let mut h3: Vec<String> = Vec::new();
    let mut in_h3 = false;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML in the Markdown: {h:?}"),
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link to {dest_url:?}"),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("an image from {dest_url:?}"),
            Event::Start(Tag::Heading { level, .. }) => match level {
                HeadingLevel::H1 => h1 += 1,
                HeadingLevel::H3 => {
                    in_h3 = true;
                    h3.push(String::new());
                }
                _ => {}
            },
            Event::End(TagEnd::Heading(HeadingLevel::H3)) => in_h3 = false,
            Event::Text(t) | Event::Code(t) if in_h3 => h3.last_mut().unwrap().push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_h3 => panic!("a job heading broke a line"),
            _ => {}
        }
    }
    assert_eq!(h1, 1, "one title");
    assert_eq!(h3.len(), suite.jobs.len(), "one heading a job:\n{md}");
    for (heading, j) in h3.iter().zip(&suite.jobs) {
        assert_eq!(heading, &shown_name(&j.name), "the heading of {:?}", j.name);
    }
}

/// The report's own markup, and nothing else.
const TAGS: &[&str] = &[
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "table",
    "thead", "tbody", "tr", "th", "td", "div", "span", "code", "pre",
];
const ATTRIBUTES: &[&str] = &["lang", "charset", "class", "title", "style"];

fn check_html(page: &str) {
    no_controls("the HTML report", page);
    let mut rest = page;
    while let Some(at) = rest.find('<') {
        let tag_end = rest[at..]
            .find('>')
            .map(|e| at + e)
            .expect("an unclosed tag");
        let tag = &rest[at + 1..tag_end];
        let name = tag
            .trim_start_matches('/')
            .split([' ', '>'])
            .next()
            .unwrap_or("");
        assert!(TAGS.contains(&name), "tag <{tag}> is not the report's");
        // Attribute names: the words before each `=` outside quotes.
        let mut quoted = false;
        let mut word = String::new();
        for c in tag.chars().skip(name.len()) {
            match c {
                '"' => quoted = !quoted,
                '=' if !quoted => {
                    assert!(
                        ATTRIBUTES.contains(&word.trim()),
                        "attribute {word:?} in <{tag}>"
                    );
                    word.clear();
                }
                ' ' if !quoted => word.clear(),
                c if !quoted => word.push(c),
                _ => {}
            }
        }
        assert!(!quoted, "an unclosed attribute in <{tag}>");
        rest = &rest[tag_end + 1..];
    }
}

fn check_json(suite: &SuiteResult, text: &str) {
    let back: SuiteResult = serde_json::from_str(text).expect("the JSON report reads back");
    assert_eq!(back.jobs.len(), suite.jobs.len());
    for (a, b) in back.jobs.iter().zip(&suite.jobs) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.status, b.status);
        assert_eq!(a.ops_per_second, b.ops_per_second);
        assert_eq!(a.final_backend, b.final_backend);
    }
    assert_eq!(back.description, suite.description);
}
