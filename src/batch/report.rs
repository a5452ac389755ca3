//! The batch report (formats.md §8) as Markdown, self-contained HTML and JSON:
//! pure functions from a `SuiteResult` to text, plus one atomic write of
//! each file. `adhash batch` and Mission Control's export share this code.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::result::{Environment, JobResult, JobStatus, SuiteResult};
use super::spec::BatchSpec;
use crate::error::{Error, Result};
use crate::fmt::{latency_ms, thousands};
use crate::stats::RunStats;
use crate::workload::csv::write_atomic;

pub const REPORT_TITLE: &str = "Adaptive Hash Map Batch Report";
pub const BATCH_REPORT_SCHEMA: &str = "adhash.batch_report.v1";
/// Characters of a job's log shown in the report (the tail is kept).
pub const LOG_CHARS: usize = 4000;
const BAR_WIDTH: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReportPaths {
    pub markdown: PathBuf,
    pub html: Option<PathBuf>,
    pub json: PathBuf,
}

impl ReportPaths {
    pub fn all(&self) -> Vec<&Path> {
        let mut v = vec![self.markdown.as_path()];
        v.extend(self.html.as_deref());
        v.push(self.json.as_path());
        v
    }
}

/// Which report format a file name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
}

impl ReportFormat {
    /// From the extension: `.md`/`.markdown`, `.html`/`.htm`, `.json`. Any
    /// other name is an error: writing Markdown into `x.txt` or `x.png`
    /// silently would be a surprise.
    pub fn from_path(path: &Path) -> Result<ReportFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("md" | "markdown") => Ok(ReportFormat::Markdown),
            Some("html" | "htm") => Ok(ReportFormat::Html),
            Some("json") => Ok(ReportFormat::Json),
            other => Err(Error::bad_input(format!(
                "cannot export a report to {}: {}",
                path.display(),
                match other {
                    Some(e) => format!("unknown extension .{e}"),
                    None => "the name has no extension".into(),
                }
            ))
            .with_hint("end the name with .md, .html or .json")),
        }
    }

    pub fn render(self, suite: &SuiteResult) -> String {
        match self {
            ReportFormat::Markdown => markdown(suite),
            ReportFormat::Html => html(suite),
            ReportFormat::Json => json(suite),
        }
    }
}

/// Write every report the spec asks for, atomically.
pub fn write_reports(spec: &BatchSpec, suite: &SuiteResult) -> Result<ReportPaths> {
    let paths = ReportPaths {
        markdown: spec.report.clone(),
        html: spec.html_report.clone(),
        json: spec.json_report.clone(),
    };
    // All three are rendered and staged before any is put in place, so a
    // failure leaves the previous set whole; JSON goes last, so a reader
    // that sees the new JSON sees the new Markdown and HTML too.
    let mut set = vec![crate::fs::stage(
        &paths.markdown,
        ReportFormat::Markdown.render(suite).as_bytes(),
    )?];
    if let Some(h) = &paths.html {
        set.push(crate::fs::stage(
            h,
            ReportFormat::Html.render(suite).as_bytes(),
        )?);
    }
    set.push(crate::fs::stage(
        &paths.json,
        ReportFormat::Json.render(suite).as_bytes(),
    )?);
    crate::fs::commit_all(set)?;
    Ok(paths)
}

/// Render `suite` in `format` and write it to `path` (temp file + rename).
pub fn write_report(path: &Path, format: ReportFormat, suite: &SuiteResult) -> Result<()> {
    let text = format.render(suite);
    write_atomic(path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|e| Error::io_at("cannot write report", path, &e))
    })
}

fn status_icon(s: JobStatus) -> &'static str {
    if s == JobStatus::Ok { "✅" } else { "❌" }
}

/// "-" or the value formatted.
fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map_or_else(|| "-".to_string(), f)
}

/// Δ vs. the fastest: `0.0%` when |Δ| < 0.05, else signed with one decimal.
pub fn delta_text(ops: f64, best: f64) -> String {
    if best <= 0.0 {
        return "-".into();
    }
    let d = (ops - best) / best * 100.0;
    if d.abs() < 0.05 {
        "0.0%".into()
    } else {
        format!("{d:+.1}%")
    }
}

/// Complete jobs (every run ok) with ops/s, fastest first: the ones ranked.
pub fn ranked<'a>(jobs: &[&'a JobResult]) -> Vec<&'a JobResult> {
    let mut v: Vec<&JobResult> = jobs
        .iter()
        .copied()
        .filter(|j| j.is_complete() && j.ops_per_second.is_some())
        .collect();
    v.sort_by(|a, b| {
        b.ops_per_second
            .unwrap_or(0.0)
            .total_cmp(&a.ops_per_second.unwrap_or(0.0))
    });
    v
}

/// A job's ×std cell: "1.27× [1.21, 1.33] faster" with interleaved
/// rounds, "1.04×" (ratio of medians) without, "1.00× (control)" for the
/// control itself, `None` without a control on its CSV.
pub fn times_std_cell(jobs: &[&JobResult], job: &JobResult) -> Option<String> {
    use super::verdict::{self, Metric};
    if let Some(t) = verdict::times_std(jobs, job, Metric::Wall, TIMES_STD_THRESHOLD_PCT) {
        return Some(t.text());
    }
    let controls_others = jobs
        .iter()
        .any(|j| verdict::control_of(jobs, j).is_some_and(|c| c.name == job.name));
    controls_others.then(|| "1.00× (control)".to_string())
}

/// A suite measured until decisive: the target as a sentence, and per job
/// (job, runs, "±1.20%", "met" / "not met").
pub type DecisiveRow<'a> = (&'a JobResult, u32, String, &'static str);

pub fn decisive_rows(suite: &SuiteResult) -> Option<(String, Vec<DecisiveRow<'_>>)> {
    let target = suite.until_ci_pct?;
    let head = format!(
        "Rounds were added until every job's 97% interval (of its ×std where a std job runs its CSV, else of its median) was narrower than ±{target}%, or max_seconds ran out."
    );
    let rows = suite
        .jobs
        .iter()
        .filter_map(|j| {
            let met = j.target_met?;
            Some((
                j,
                j.rounds.unwrap_or(0),
                j.half_width_pct.map_or("-".into(), |w| format!("±{w:.2}%")),
                if met { "met" } else { "not met" },
            ))
        })
        .collect();
    Some((head, rows))
}

/// The threshold of the ×std verdicts in a suite's report (percent).
pub const TIMES_STD_THRESHOLD_PCT: f64 = super::compare::DEFAULT_THRESHOLD_PCT;

/// "1,900,000 – 2,300,000 (CV 9.5%)", and whether it is noisy (CV > 5%).
pub fn spread_text(stats: &RunStats) -> (String, bool) {
    (
        format!(
            "{} – {} (CV {:.1}%)",
            thousands(stats.min),
            thousands(stats.max),
            stats.cv * 100.0
        ),
        stats.is_noisy(),
    )
}

/// One Comparative Summary row, formatted once; Markdown, HTML and Mission
/// Control differ only in markup.
pub struct SummaryRow<'a> {
    pub job: &'a JobResult,
    pub ops: f64,
    /// Relative to the fastest (1.0 for it), for bars; 0 when not ranked.
    pub fraction: f64,
    pub ops_text: String,
    pub delta: String,
    pub p99: String,
    /// The workload (CSV) the job ran: rows are ranked within it.
    pub workload: &'a str,
    /// The first row of its workload's group.
    pub group_start: bool,
    /// ops ÷ the `std` job's on the same CSV, when the suite has one.
    pub times_std: Option<String>,
    /// min – max (CV) with repeats, and whether it is noisy.
    pub spread: Option<(String, bool)>,
    /// Not every run ended ok ("2/3 runs"): shown, never ranked.
    pub partial: Option<String>,
}

/// Rows the Comparative Summary lists, as the original caps it: a suite of
/// thousands of jobs still gives a readable report (the JSON has them all).
pub const SUMMARY_MAX_ROWS: usize = 500;

/// The line under a capped Comparative Summary.
fn left_out_text(rows: usize) -> Option<String> {
    (rows > SUMMARY_MAX_ROWS).then(|| {
        format!(
            "{} more jobs not listed: the summary shows the {SUMMARY_MAX_ROWS} fastest (the JSON report has every job).",
            rows - SUMMARY_MAX_ROWS
        )
    })
}

/// Rows of the Comparative Summary, one group per workload (CSV) in the
/// order the suite first runs it: its ranked jobs fastest first, Δ and bar
/// against the fastest of the same workload, then its jobs whose runs did
/// not all end ok. Jobs on different CSVs are never ranked against each
/// other. Takes references, so Mission Control can pass the jobs it shows
/// without copying them (and their logs) every frame.
pub fn summary_rows<'a>(jobs: &[&'a JobResult]) -> Vec<SummaryRow<'a>> {
    let mut workloads: Vec<&str> = Vec::new();
    for j in jobs {
        if !workloads.contains(&j.csv.as_str()) {
            workloads.push(&j.csv);
        }
    }
    let mut rows = Vec::new();
    for w in workloads {
        let group: Vec<&JobResult> = jobs.iter().copied().filter(|j| j.csv == w).collect();
        let ranked = ranked(&group);
        let best = ranked.first().and_then(|j| j.ops_per_second).unwrap_or(0.0);
        let partial = group.iter().copied().filter(|j| j.runs_mark().is_some());
        let start = rows.len();
        rows.extend(ranked.into_iter().chain(partial).map(|job| {
            let ops = job.ops_per_second.unwrap_or(0.0);
            let mark = job.runs_mark();
            SummaryRow {
                job,
                ops,
                fraction: if best > 0.0 && mark.is_none() {
                    ops / best
                } else {
                    0.0
                },
                ops_text: thousands(ops),
                delta: if mark.is_none() {
                    delta_text(ops, best)
                } else {
                    "-".into()
                },
                p99: latency_ms(job.p99_ms),
                workload: &job.csv,
                group_start: false,
                times_std: times_std_cell(jobs, job),
                spread: job.spread().map(|s| spread_text(&s)),
                partial: mark,
            }
        }));
        if let Some(first) = rows.get_mut(start) {
            first.group_start = true;
        }
    }
    rows
}

/// The suite ran more than one workload: the summary names each row's.
pub fn several_workloads(rows: &[SummaryRow]) -> bool {
    rows.iter().filter(|r| r.group_start).count() > 1
}

/// Which optional columns the summary needs: (×std, Spread).
pub fn summary_columns(rows: &[SummaryRow]) -> (bool, bool) {
    (
        rows.iter().any(|r| r.times_std.is_some()),
        rows.iter().any(|r| r.spread.is_some()),
    )
}

/// "Cancelled: 3 of 5 jobs did not run to the end." for a stopped suite.
pub fn cancelled_text(suite: &SuiteResult) -> Option<String> {
    suite.cancelled.then(|| {
        let unfinished = suite.jobs.iter().filter(|j| !j.is_complete()).count();
        format!(
            "Cancelled: {unfinished} of {} jobs did not run to the end.",
            suite.jobs.len()
        )
    })
}

/// The Backend cell: the summary's backend, or a profile job's pick.
fn backend_cell(j: &JobResult) -> String {
    match (&j.final_backend, &j.recommendation) {
        (Some(b), _) => b.clone(),
        (None, Some(r)) => format!("recommends {r}"),
        (None, None) => "-".into(),
    }
}

/// A job's log for the report: control characters removed, the tail kept
/// within `LOG_CHARS` with `…` marking the cut.
pub fn log_excerpt(j: &JobResult) -> String {
    let clean: String = crate::log::printable(&j.log.text()).into_owned();
    let clean = clean.trim_end();
    if clean.is_empty() {
        return "(no output)".into();
    }
    let n = clean.chars().count();
    let mut out = if n > LOG_CHARS {
        let tail: String = clean.chars().skip(n - LOG_CHARS).collect();
        format!("…{tail}")
    } else {
        clean.to_string()
    };
    if j.log.dropped > 0 {
        out = format!("({} earlier lines not kept)\n{out}", j.log.dropped);
    }
    out
}

/// Text from a spec, a job or a summary, made inert for Markdown (formats.md
/// §8): the characters CommonMark/GFM give a meaning to inline are
/// backslash-escaped (no raw HTML, links, images, emphasis, code or table
/// breaks), `#` anywhere (no heading starts or closes on it), a leading
/// `-`, `+` or `1.` cannot start a list, `://` and `www.` cannot autolink, control characters go and
/// newlines become spaces: the text renders exactly as written, on one line.
pub fn md_cell(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = crate::log::printable(s).chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let at_start = o.trim().is_empty();
        let prev = |k: usize| i.checked_sub(k).map(|j| chars[j]);
        match c {
            // `printable` left no other control character.
            '\n' | '\t' => o.push(' '),
            // `#` anywhere: a trailing run of them would close a heading.
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '!' | '#' => {
                o.push('\\');
                o.push(c);
            }
            '-' | '+' if at_start => {
                o.push('\\');
                o.push(c);
            }
            '.' | ')' if at_start_of_number(&o) => {
                o.push('\\');
                o.push(c);
            }
            '/' if prev(1) == Some(':') || prev(1) == Some('/') && prev(2) == Some(':') => {
                o.push('\\');
                o.push(c);
            }
            '.' if i >= 3
                && chars[i - 3..i]
                    .iter()
                    .collect::<String>()
                    .eq_ignore_ascii_case("www") =>
            {
                o.push('\\');
                o.push(c);
            }
            c => o.push(c),
        }
    }
    o
}

/// `o` is so far only digits (so a `.` or `)` now would start a list).
fn at_start_of_number(o: &str) -> bool {
    let t = o.trim_start();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

/// A fence longer than any run of backticks in `text`, so the block stays
/// closed whatever a name or a log holds.
fn fence_for(text: &str) -> String {
    "`".repeat(3.max(longest_backtick_run(text) + 1))
}

pub fn markdown(suite: &SuiteResult) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "# {REPORT_TITLE}\n\nGenerated: {}\n\n",
        // A reopened run's fields come from a file anyone may have edited.
        md_cell(&suite.generated_at)
    ));
    if let Some(d) = &suite.description {
        o.push_str(&format!("{}\n\n", md_cell(d)));
    }
    if let Some(c) = cancelled_text(suite) {
        o.push_str(&format!("**{c}**\n\n"));
    }
    for w in &suite.warnings {
        o.push_str(&format!("⚠ {}\n\n", md_cell(w)));
    }
    o.push_str("| Job | Command | Status | Duration (s) | Ops/s | Backend |\n");
    o.push_str("|---|---|---|---:|---:|---|\n");
    for j in &suite.jobs {
        o.push_str(&format!(
            "| {} | {} | {} | {:.2} | {} | {} |\n",
            md_cell(&j.name),
            md_cell(&j.command),
            status_icon(j.status),
            j.duration_seconds,
            opt(j.ops_per_second, thousands),
            match backend_cell(j).as_str() {
                "-" => "-".to_string(),
                b => md_cell(b),
            },
        ));
    }
    let jobs: Vec<&JobResult> = suite.jobs.iter().collect();
    let rows = summary_rows(&jobs);
    if !rows.is_empty() {
        o.push_str("\n## Comparative Summary\n\n");
        let (xstd, spread) = summary_columns(&rows);
        let by_workload = several_workloads(&rows);
        if by_workload {
            o.push_str("Ranked within each workload: Δ vs. max is against the fastest job on the same CSV.\n\n");
            o.push_str("| Workload ");
        }
        o.push_str("| Job | Ops/s | Δ vs. max | p99 latency (ms) |");
        let mut rule = String::from(if by_workload {
            "|---|---|---:|---:|---:|"
        } else {
            "|---|---:|---:|---:|"
        });
        if xstd {
            o.push_str(" ×std |");
            rule.push_str("---:|");
        }
        if spread {
            o.push_str(" Spread |");
            rule.push_str("---|");
        }
        o.push_str(&format!("\n{rule}\n"));
        for r in rows.iter().take(SUMMARY_MAX_ROWS) {
            let name = match &r.partial {
                Some(m) => format!("{} ({m})", md_cell(&r.job.name)),
                None => md_cell(&r.job.name),
            };
            if by_workload {
                let w = if r.group_start {
                    md_cell(r.workload)
                } else {
                    "〃".into()
                };
                o.push_str(&format!("| {w} "));
            }
            o.push_str(&format!(
                "| {name} | {} | {} | {} |",
                r.ops_text, r.delta, r.p99
            ));
            if xstd {
                o.push_str(&format!(" {} |", r.times_std.as_deref().unwrap_or("-")));
            }
            if spread {
                let cell = match &r.spread {
                    Some((t, true)) => format!("{t} ⚠"),
                    Some((t, false)) => t.clone(),
                    None => "-".into(),
                };
                o.push_str(&format!(" {cell} |"));
            }
            o.push('\n');
        }
        if let Some(line) = left_out_text(rows.len()) {
            o.push_str(&format!("\n{line}\n"));
        }
        let bars: Vec<&SummaryRow> = rows
            .iter()
            .take(SUMMARY_MAX_ROWS)
            .filter(|r| r.partial.is_none())
            .collect();
        let width = bars
            .iter()
            .map(|r| r.job.name.chars().count())
            .max()
            .unwrap_or(0);
        // No ranked job (all partial): no bar block rather than an empty one.
        if !bars.is_empty() {
            let mut block = String::new();
            for r in &bars {
                let n = (r.fraction * BAR_WIDTH as f64).round() as usize;
                let name: String = r
                    .job
                    .name
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                block.push_str(&format!(
                    "{:<width$}  {:<bw$}  {}\n",
                    name,
                    "█".repeat(n.max(1)),
                    r.ops_text,
                    bw = BAR_WIDTH
                ));
            }
            let fence = fence_for(&block);
            o.push_str(&format!("\n{fence}text\n{block}{fence}\n"));
        }
        if rows.iter().any(|r| matches!(r.spread, Some((_, true)))) {
            o.push_str("\n⚠ CV above 5%: runs marked ⚠ vary too much for their rank to be trusted; the machine may be busy.\n");
        }
    }
    if let Some((head, rows)) = decisive_rows(suite) {
        o.push_str(&format!(
            "\n### Measured until decisive\n\n{}\n\n",
            md_cell(&head)
        ));
        o.push_str("| Job | Runs | Interval | Target |\n|---|---:|---:|---|\n");
        for r in rows {
            o.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                md_cell(&r.0.name),
                r.1,
                r.2,
                r.3
            ));
        }
    }
    o.push_str("\n## Job Logs\n");
    for j in &suite.jobs {
        o.push_str(&format!("\n### {}\n\n", md_cell(&j.name)));
        if j.status != JobStatus::Ok {
            o.push_str(&format!(
                "Status: {}{}\n\n",
                j.status.name(),
                j.reason
                    .as_deref()
                    .map(|r| format!(" ({})", md_cell(r)))
                    .unwrap_or_default()
            ));
        }
        // A fence longer than any backtick run in the log keeps it closed.
        let log = log_excerpt(j);
        let fence = fence_for(&log);
        o.push_str(&format!("{fence}text\n{log}\n{fence}\n"));
    }
    o
}

fn longest_backtick_run(s: &str) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for c in s.chars() {
        if c == '`' {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    // No raw escape sequences or control bytes in a report (formats.md §8).
    for c in crate::log::printable(s).chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The reports' stylesheet (the comparison uses it too).
pub(super) const CSS: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330;background:#fbfcfe;padding:0 1rem}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d8dee9;padding-bottom:.3rem}\
.meta{color:#5b6475}table{border-collapse:collapse;width:100%;margin:.8rem 0}\
th,td{padding:.35rem .6rem;border-bottom:1px solid #e3e8f0;text-align:left}th{background:#eef2f8}\
td.num{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#1a7f37}.bad{color:#c62828;font-weight:600}\
.bars{margin:1rem 0}.bar-row{display:grid;grid-template-columns:14rem 1fr 9rem;gap:.6rem;align-items:center;margin:.25rem 0}\
.bar-track{background:#e9eef6;border-radius:3px;height:1.1rem}.bar{background:#3b6fd8;height:100%;border-radius:3px}\
.bar.best{background:#1a7f37}.bar-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\
pre{background:#141923;color:#e6e9ef;padding:.8rem;border-radius:4px;overflow:auto;font-size:.82rem;max-height:28rem}\
.warn{color:#9a6700}";

/// Points a report's timeline draws at most (its width in pixels / 2).
const SVG_POINTS: usize = 320;

/// A job's ops/s over its run as an inline SVG line (no script, no external
/// file: the report stays one self-contained page). Issue 27, item 18.
pub fn timeline_svg(j: &JobResult) -> String {
    let (w, h, left, bottom) = (640.0, 160.0, 64.0, 22.0);
    let pts: Vec<(f64, f64)> = j
        .timeline
        .iter()
        .filter(|t| t.t.is_finite() && t.ops_per_second.is_finite())
        .map(|t| (t.t, t.ops_per_second.max(0.0)))
        .collect();
    let line: Vec<(f64, f64)> =
        crate::batch::ticks::series(pts.iter().map(|&(t, v)| [t, v]).collect(), SVG_POINTS)
            .line
            .into_iter()
            .map(|[t, v]| (t, v))
            .collect();
    let t_max = line.iter().map(|p| p.0).fold(0.0, f64::max).max(1e-9);
    let y_max = line.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0);
    let x = |t: f64| left + t / t_max * (w - left - 8.0);
    let y = |v: f64| (h - bottom) - v / y_max * (h - bottom - 8.0);
    let poly: Vec<String> = line
        .iter()
        .map(|&(t, v)| format!("{:.1},{:.1}", x(t), y(v)))
        .collect();
    let run = j
        .timeline_run
        .map_or(String::new(), |r| format!(", run {r} (the median)"));
    format!(
        "<figure><figcaption>{name}{run}: ops/s over {t_max:.2} s</figcaption>\
<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{name}: ops/s over time\">\
<line x1=\"{left}\" y1=\"{base:.1}\" x2=\"{right:.1}\" y2=\"{base:.1}\" stroke=\"#888\"/>\
<line x1=\"{left}\" y1=\"8\" x2=\"{left}\" y2=\"{base:.1}\" stroke=\"#888\"/>\
<text x=\"{lx:.1}\" y=\"12\" font-size=\"11\" text-anchor=\"end\">{top}</text>\
<text x=\"{lx:.1}\" y=\"{base:.1}\" font-size=\"11\" text-anchor=\"end\">0</text>\
<text x=\"{right:.1}\" y=\"{h}\" font-size=\"11\" text-anchor=\"end\">{t_max:.2} s</text>\
<text x=\"{left}\" y=\"{h}\" font-size=\"11\">0 s</text>\
<polyline fill=\"none\" stroke=\"#4c8df6\" stroke-width=\"1.5\" points=\"{points}\"/></svg></figure>\n",
        name = esc(&j.name),
        base = h - bottom,
        right = w - 8.0,
        lx = left - 4.0,
        top = thousands(y_max),
        points = poly.join(" "),
    )
}

pub fn html(suite: &SuiteResult) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    o.push_str(&format!(
        "<title>{} — {}</title>\n",
        REPORT_TITLE,
        esc(&suite.spec)
    ));
    o.push_str(&format!("<style>{CSS}</style></head><body>\n"));
    o.push_str(&format!("<h1>{REPORT_TITLE}</h1>\n"));
    o.push_str(&format!(
        "<p class=\"meta\">Generated: {} · spec {} · CLI {}</p>\n",
        esc(&suite.generated_at),
        esc(&suite.spec),
        esc(&suite.cli)
    ));
    if let Some(d) = &suite.description {
        o.push_str(&format!("<p>{}</p>\n", esc(d)));
    }
    if let Some(c) = cancelled_text(suite) {
        o.push_str(&format!("<p class=\"bad\">{c}</p>\n"));
    }
    for w in &suite.warnings {
        o.push_str(&format!("<p class=\"warn\">⚠ {}</p>\n", esc(w)));
    }
    o.push_str("<table><thead><tr><th>Job</th><th>Command</th><th>Status</th><th>Duration (s)</th><th>Ops/s</th><th>Backend</th></tr></thead><tbody>\n");
    for j in &suite.jobs {
        let (cls, label) = if j.status == JobStatus::Ok {
            ("ok", "✅ ok".to_string())
        } else {
            ("bad", format!("❌ {}", j.status.name()))
        };
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"{cls}\">{label}</td><td class=\"num\">{:.2}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            esc(&j.name),
            esc(&j.command),
            j.duration_seconds,
            opt(j.ops_per_second, thousands),
            esc(&backend_cell(j)),
        ));
    }
    o.push_str("</tbody></table>\n");
    let jobs: Vec<&JobResult> = suite.jobs.iter().collect();
    let rows = summary_rows(&jobs);
    if !rows.is_empty() {
        let (xstd, spread) = summary_columns(&rows);
        let by_workload = several_workloads(&rows);
        o.push_str("<h2>Comparative Summary</h2>\n");
        if by_workload {
            o.push_str("<p class=\"meta\">Ranked within each workload: Δ vs. max is against the fastest job on the same CSV.</p>\n");
        }
        o.push_str("<table><thead><tr>");
        if by_workload {
            o.push_str("<th>Workload</th>");
        }
        o.push_str("<th>Job</th><th>Ops/s</th><th>Δ vs. max</th><th>p99 latency (ms)</th>");
        if xstd {
            o.push_str("<th>×std</th>");
        }
        if spread {
            o.push_str("<th>Spread</th>");
        }
        o.push_str("</tr></thead><tbody>\n");
        for r in rows.iter().take(SUMMARY_MAX_ROWS) {
            let mark = r
                .partial
                .as_ref()
                .map(|m| format!(" <span class=\"bad\">({m})</span>"))
                .unwrap_or_default();
            o.push_str("<tr>");
            if by_workload {
                o.push_str(&format!(
                    "<td>{}</td>",
                    if r.group_start {
                        esc(r.workload)
                    } else {
                        "〃".into()
                    }
                ));
            }
            o.push_str(&format!(
                "<td>{}{mark}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                esc(&r.job.name),
                r.ops_text,
                r.delta,
                r.p99,
            ));
            if xstd {
                o.push_str(&format!(
                    "<td class=\"num\">{}</td>",
                    r.times_std.as_deref().unwrap_or("-")
                ));
            }
            if spread {
                o.push_str(&match &r.spread {
                    Some((t, true)) => format!("<td class=\"warn\">{t} ⚠</td>"),
                    Some((t, false)) => format!("<td>{t}</td>"),
                    None => "<td>-</td>".into(),
                });
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</tbody></table>\n");
        if let Some(line) = left_out_text(rows.len()) {
            o.push_str(&format!("<p>{line}</p>\n"));
        }
        o.push_str("<div class=\"bars\">\n");
        for r in rows
            .iter()
            .take(SUMMARY_MAX_ROWS)
            .filter(|r| r.partial.is_none())
        {
            let pct = (r.fraction * 100.0).clamp(0.5, 100.0);
            o.push_str(&format!(
                "<div class=\"bar-row\"><span class=\"bar-label\" title=\"{n}\">{n}</span><div class=\"bar-track\"><div class=\"bar{best}\" style=\"width:{pct:.1}%\"></div></div><span class=\"num\">{} ops/s</span></div>\n",
                r.ops_text,
                n = esc(&r.job.name),
                best = if r.group_start { " best" } else { "" },
            ));
        }
        o.push_str("</div>\n");
        if rows.iter().any(|r| matches!(r.spread, Some((_, true)))) {
            o.push_str("<p class=\"warn\">⚠ CV above 5%: runs marked ⚠ vary too much for their rank to be trusted; the machine may be busy.</p>\n");
        }
    }
    if let Some((head, rows)) = decisive_rows(suite) {
        o.push_str(&format!(
            "<h3>Measured until decisive</h3>\n<p class=\"meta\">{}</p>\n<table><thead><tr><th>Job</th><th>Runs</th><th>Interval</th><th>Target</th></tr></thead><tbody>\n",
            esc(&head)
        ));
        for r in rows {
            o.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{}\">{}</td></tr>\n",
                esc(&r.0.name),
                r.1,
                r.2,
                if r.3 == "met" { "ok" } else { "warn" },
                r.3
            ));
        }
        o.push_str("</tbody></table>\n");
    }
    let timelines: Vec<&JobResult> = suite
        .jobs
        .iter()
        .filter(|j| j.timeline.len() >= 2)
        .collect();
    if !timelines.is_empty() {
        o.push_str("<h2>Timelines</h2>\n<p class=\"meta\">Ops/s over each job's run (the median run by ops/s), from its metrics ticks; a point is the mean of the ticks it stands for.</p>\n");
        for j in timelines {
            o.push_str(&timeline_svg(j));
        }
    }
    o.push_str("<h2>Job Logs</h2>\n");
    for j in &suite.jobs {
        o.push_str(&format!("<h3>{}</h3>\n", esc(&j.name)));
        o.push_str(&format!(
            "<p class=\"meta\"><code>{}</code></p>\n",
            esc(&j.command_line)
        ));
        if j.status != JobStatus::Ok {
            o.push_str(&format!(
                "<p class=\"bad\">{}{}</p>\n",
                j.status.name(),
                esc(&j
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default())
            ));
        }
        o.push_str(&format!("<pre>{}</pre>\n", esc(&log_excerpt(j))));
    }
    o.push_str("</body></html>\n");
    o
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    generated_at: &'a str,
    started_at: &'a str,
    finished_at: &'a str,
    spec: &'a str,
    description: Option<&'a str>,
    cli: &'a str,
    wall_seconds: f64,
    cancelled: bool,
    environment: &'a Environment,
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    until_ci_pct: Option<f64>,
    jobs: Vec<JsonJob<'a>>,
}

/// A job as the JSON report writes it: its result, and its ×std against
/// the control on its CSV (the figure the Comparative Summary shows).
#[derive(Serialize)]
struct JsonJob<'a> {
    #[serde(flatten)]
    job: &'a JobResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    times_std: Option<JsonTimesStd>,
}

#[derive(Serialize)]
struct JsonTimesStd {
    /// The control job's name.
    against: String,
    ratio: f64,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    /// Paired rounds judged (0: ratio of medians, no rounds).
    rounds: usize,
    verdict: Option<super::verdict::Verdict>,
    reason: Option<String>,
}

pub fn json(suite: &SuiteResult) -> String {
    use super::verdict::{self, Metric};
    let refs: Vec<&JobResult> = suite.jobs.iter().collect();
    let jobs = suite
        .jobs
        .iter()
        .map(|job| JsonJob {
            job,
            times_std: verdict::control_of(&refs, job).and_then(|c| {
                let t = verdict::ratio_to(job, c, Metric::Wall, TIMES_STD_THRESHOLD_PCT)?;
                Some(JsonTimesStd {
                    against: c.name.clone(),
                    ratio: t.estimate.value,
                    ci_low: t.estimate.interval.map(|i| i.0),
                    ci_high: t.estimate.interval.map(|i| i.1),
                    rounds: if t.judgement.is_some() {
                        t.estimate.runs.0
                    } else {
                        0
                    },
                    verdict: t.judgement.as_ref().map(|j| j.verdict),
                    reason: t.judgement.and_then(|j| j.reason),
                })
            }),
        })
        .collect();
    let r = JsonReport {
        schema: BATCH_REPORT_SCHEMA,
        generated_at: &suite.generated_at,
        started_at: &suite.started_at,
        finished_at: &suite.finished_at,
        spec: &suite.spec,
        description: suite.description.as_deref(),
        cli: &suite.cli,
        wall_seconds: suite.wall_seconds,
        cancelled: suite.cancelled,
        environment: &suite.environment,
        warnings: &suite.warnings,
        until_ci_pct: suite.until_ci_pct,
        jobs,
    };
    let mut s =
        serde_json::to_string_pretty(&r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::result::{LogTail, RunRecord, Stream};

    fn job(name: &str, mode: &str, command: &str, csv: &str, ops: Option<f64>) -> JobResult {
        let mut j = JobResult::planned(name, command, mode, csv, 1);
        j.status = JobStatus::Ok;
        j.ops_per_second = ops;
        j
    }

    /// The control is the first complete `std` run-csv job with ops/s on
    /// the same CSV: each condition on its own rules a job out.
    #[test]
    fn the_std_control_meets_every_condition() {
        let mut failed = job("failed", "std", "run-csv", "w.csv", Some(1.0));
        failed.status = JobStatus::Failed;
        let jobs = [
            job("adaptive", "adaptive", "run-csv", "w.csv", Some(1.0)),
            job("profile", "std", "profile", "w.csv", Some(2.0)),
            job("other csv", "std", "run-csv", "x.csv", Some(3.0)),
            failed,
            job("no figure", "std", "run-csv", "w.csv", None),
            job("control", "std", "run-csv", "w.csv", Some(5.0)),
            job("late", "std", "run-csv", "w.csv", Some(6.0)),
        ];
        let me = job("me", "adaptive", "run-csv", "w.csv", Some(10.0));
        let mut refs: Vec<&JobResult> = jobs.iter().collect();
        refs.push(&me);
        let control_of = crate::batch::verdict::control_of;
        assert_eq!(
            control_of(&refs, &me).map(|c| c.name.as_str()),
            Some("control")
        );
        let elsewhere = job("me", "adaptive", "run-csv", "y.csv", Some(10.0));
        assert!(control_of(&refs, &elsewhere).is_none());
        // Without rounds: the ratio of medians; the control says it is one.
        assert_eq!(times_std_cell(&refs, &me).as_deref(), Some("2.00×"));
        assert_eq!(
            times_std_cell(&refs, &jobs[5]).as_deref(),
            Some("1.00× (control)")
        );
        assert_eq!(times_std_cell(&refs, &elsewhere), None);
    }

    /// Interleaved rounds: ×std is the paired estimate with its interval
    /// and a verdict against the control.
    #[test]
    fn interleaved_jobs_get_a_paired_times_std_with_a_verdict() {
        let with_rounds = |name: &str, mode: &str, base: f64| {
            let mut j = job(name, mode, "run-csv", "w.csv", Some(base));
            j.runs = (0..10)
                .map(|i| RunRecord {
                    // A machine speed per round, shared by both jobs.
                    ops_per_second: Some(base * (1.0 + (i * 7 % 10) as f64 / 20.0)),
                    duration_seconds: 1.0,
                    status: JobStatus::Ok,
                    ops_per_cpu_second: None,
                    round: Some(i + 1),
                })
                .collect();
            j
        };
        let jobs = [
            with_rounds("std", "std", 1e6),
            with_rounds("adaptive", "adaptive", 1.27e6),
        ];
        let refs: Vec<&JobResult> = jobs.iter().collect();
        assert_eq!(
            times_std_cell(&refs, &jobs[1]).as_deref(),
            Some("1.27× [1.27, 1.27] faster")
        );
    }

    /// Jobs on different CSVs are ranked apart: each workload has its own
    /// fastest, Δ and bars, and the report names the workload.
    #[test]
    fn ranking_is_per_workload() {
        let jobs = [
            job("u-std", "std", "run-csv", "u.csv", Some(10.0)),
            job("adv-adaptive", "adaptive", "run-csv", "adv.csv", Some(30.0)),
            job("u-adaptive", "adaptive", "run-csv", "u.csv", Some(8.0)),
            job("adv-std", "std", "run-csv", "adv.csv", Some(15.0)),
        ];
        let refs: Vec<&JobResult> = jobs.iter().collect();
        let rows = summary_rows(&refs);
        let got: Vec<(&str, &str, &str, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.workload,
                    r.job.name.as_str(),
                    r.delta.as_str(),
                    r.group_start,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("u.csv", "u-std", "0.0%", true),
                ("u.csv", "u-adaptive", "-20.0%", false),
                ("adv.csv", "adv-adaptive", "0.0%", true),
                ("adv.csv", "adv-std", "-50.0%", false),
            ]
        );
        assert!(several_workloads(&rows));
        assert_eq!((rows[0].fraction, rows[2].fraction), (1.0, 1.0));
        let suite = SuiteResult::of_jobs("s.toml", jobs.to_vec());
        let md = markdown(&suite);
        assert!(md.contains("| Workload | Job | Ops/s |"), "{md}");
        assert!(md.contains("| u.csv | u-std | 10 | 0.0% |"), "{md}");
        assert!(md.contains("| 〃 | u-adaptive | 8 | -20.0% |"), "{md}");
        assert!(html(&suite).contains("<th>Workload</th>"));
        let one = [job("a", "std", "run-csv", "u.csv", Some(1.0))];
        let one: Vec<&JobResult> = one.iter().collect();
        assert!(!several_workloads(&summary_rows(&one)));
    }

    #[test]
    fn rows_rank_complete_jobs_then_partial_ones() {
        let mut partial = job("partial", "std", "run-csv", "w.csv", Some(50.0));
        partial.status = JobStatus::Failed;
        partial.planned_runs = 3;
        partial.runs = vec![RunRecord {
            ops_per_second: Some(50.0),
            duration_seconds: 1.0,
            status: JobStatus::Ok,
            ops_per_cpu_second: None,
            round: None,
        }];
        let mut noisy = job("noisy", "fast-lookup", "run-csv", "w.csv", Some(20.0));
        noisy.stats = RunStats::of(&[10.0, 20.0, 30.0]);
        let jobs = [
            job("slow", "std", "run-csv", "w.csv", Some(10.0)),
            partial,
            noisy,
            job("none", "std", "profile", "w.csv", None),
        ];
        let refs: Vec<&JobResult> = jobs.iter().collect();
        let rows = summary_rows(&refs);
        let names: Vec<&str> = rows.iter().map(|r| r.job.name.as_str()).collect();
        assert_eq!(names, ["noisy", "slow", "partial"]);
        assert_eq!(
            (rows[0].fraction, rows[1].fraction, rows[2].fraction),
            (1.0, 0.5, 0.0)
        );
        assert_eq!(
            (
                rows[0].delta.as_str(),
                rows[1].delta.as_str(),
                rows[2].delta.as_str()
            ),
            ("0.0%", "-50.0%", "-")
        );
        assert_eq!(rows[2].partial.as_deref(), Some("1/3 runs"));
        assert_eq!(rows[0].times_std.as_deref(), Some("2.00×"));
        assert_eq!(rows[1].times_std.as_deref(), Some("1.00× (control)"));
        let (spread, noisy) = rows[0].spread.clone().unwrap();
        assert_eq!(spread, "10 – 30 (CV 50.0%)");
        assert!(noisy);
        assert_eq!(rows[1].spread, None);
        assert_eq!(summary_columns(&rows), (true, true));
        assert_eq!(summary_columns(&rows[1..2]), (true, false));
        let alone = [job("a", "adaptive", "run-csv", "w.csv", Some(1.0))];
        let alone: Vec<&JobResult> = alone.iter().collect();
        assert_eq!(summary_columns(&summary_rows(&alone)), (false, false));
        assert!(summary_rows(&[]).is_empty());
    }

    #[test]
    fn small_texts_say_what_they_should() {
        assert_eq!(left_out_text(SUMMARY_MAX_ROWS), None);
        assert!(
            left_out_text(SUMMARY_MAX_ROWS + 2)
                .unwrap()
                .starts_with("2 more jobs not listed")
        );
        let paths = ReportPaths {
            markdown: "r.md".into(),
            html: Some("r.html".into()),
            json: "r.json".into(),
        };
        assert_eq!(
            paths.all(),
            [Path::new("r.md"), Path::new("r.html"), Path::new("r.json")]
        );
        let mut j = job("p", "adaptive", "profile", "w.csv", None);
        assert_eq!(backend_cell(&j), "-");
        j.recommendation = Some("fast-lookup".into());
        assert_eq!(backend_cell(&j), "recommends fast-lookup");
        j.final_backend = Some("chaining".into());
        assert_eq!(backend_cell(&j), "chaining");
        assert_eq!(
            (status_icon(JobStatus::Ok), status_icon(JobStatus::Timeout)),
            ("✅", "❌")
        );
        assert_eq!(longest_backtick_run("a ``` b `` c ````"), 4);
        assert_eq!(fence_for("x"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
        assert_eq!(opt(Some(3), |v: i32| v.to_string()), "3");
        assert_eq!(opt(None, |v: i32| v.to_string()), "-");
        // A Δ of exactly ±0.05% is shown, rounded away from 0.0%.
        assert_eq!(
            (delta_text(2001.0, 2000.0), delta_text(1999.0, 2000.0)),
            ("+0.1%".into(), "-0.1%".into())
        );
        assert_eq!(delta_text(2000.9, 2000.0), "0.0%");
        assert_eq!(delta_text(5.0, 0.0), "-");
    }

    /// Each Markdown start md_cell defuses, next to the same character
    /// where it starts nothing (and is left alone).
    #[test]
    fn md_cell_makes_each_markdown_start_inert() {
        let cases = [
            ("a\u{7}b\r\nc\td", "ab c d"),
            ("- item", "\\- item"),
            ("  + item", "  \\+ item"),
            ("a-b+c", "a-b+c"),
            ("12. x", "12\\. x"),
            ("3) x", "3\\) x"),
            ("v1.2) x", "v1.2) x"),
            ("http://h/p", "http:\\/\\/h/p"),
            ("x:/y", "x:\\/y"),
            ("a//b a/b", "a//b a/b"),
            (":a/b", ":a/b"),
            ("see www.x.org", "see www\\.x.org"),
            ("WWW.x", "WWW\\.x"),
            ("ww.x", "ww.x"),
            ("a_b|c#", "a\\_b\\|c\\#"),
        ];
        for (raw, inert) in cases {
            assert_eq!(md_cell(raw), inert, "{raw:?}");
        }
    }

    /// A log of exactly LOG_CHARS characters is shown whole; one more and
    /// its head is cut; lines the tail dropped are counted above it.
    #[test]
    fn log_excerpt_cuts_only_past_the_limit_and_counts_dropped_lines() {
        let mut j = job("j", "std", "run-csv", "w.csv", Some(1.0));
        j.log = LogTail::default();
        j.log.push(Stream::Stdout, "x".repeat(LOG_CHARS));
        assert_eq!(log_excerpt(&j), "x".repeat(LOG_CHARS));
        j.log.push(Stream::Stdout, String::new());
        j.log.push(Stream::Stdout, "y".into());
        let cut = log_excerpt(&j);
        assert!(cut.starts_with("…x"), "{}", &cut[..20]);
        assert!(cut.ends_with("\n\ny"));
        assert_eq!(cut.chars().count(), LOG_CHARS + 1);
        j.log.dropped = 7;
        assert!(log_excerpt(&j).starts_with("(7 earlier lines not kept)\n…"));
    }

    /// A best throughput of 0 ops/s gives every bar 0, not 0/0.
    #[test]
    fn a_zero_best_gives_empty_bars() {
        let jobs = [job("zero", "std", "run-csv", "w.csv", Some(0.0))];
        let refs: Vec<&JobResult> = jobs.iter().collect();
        assert_eq!(summary_rows(&refs)[0].fraction, 0.0);
    }

    /// Issue 27, item 18: the HTML report draws each job's timeline as an
    /// inline SVG line, at most 320 points, the name escaped.
    #[test]
    fn html_reports_carry_timelines_as_svg() {
        let mut j = job("a<b", "std", "run-csv", "w.csv", Some(5.0));
        j.timeline = (0..5000)
            .map(|i| crate::batch::ticks::TickPoint {
                t: i as f64 * 0.01,
                ops_per_second: 1000.0 + (i % 7) as f64,
                ..Default::default()
            })
            .collect();
        j.timeline_run = Some(3);
        let svg = timeline_svg(&j);
        assert!(svg.contains("a&lt;b, run 3 (the median)"), "{svg}");
        let points = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(points.split(' ').count() <= SVG_POINTS);
        let suite = SuiteResult::of_jobs("s.toml", vec![j]);
        let page = html(&suite);
        assert!(page.contains("<h2>Timelines</h2>") && page.contains("<svg"));
        // A job without ticks gets no chart.
        let bare = SuiteResult::of_jobs(
            "s.toml",
            vec![job("b", "std", "run-csv", "w.csv", Some(5.0))],
        );
        assert!(!html(&bare).contains("<h2>Timelines</h2>"));
    }
}
