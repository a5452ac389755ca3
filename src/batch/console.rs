//! What `adhash batch` prints while a suite runs: a line per job start and
//! end, the jobs' output prefixed by their names, warnings, and the spec
//! list of `--list`. Pure presentation of `BatchEvent`s; the terminal's
//! only knowledge of the runner.

use super::result::{JobStatus, Stream};
use super::runner::BatchEvent;
use super::spec::{BatchSpec, SpecEntry};
use crate::fmt::thousands;

pub struct Console<'a> {
    spec: &'a BatchSpec,
    /// Runner notes only, not the jobs' own output.
    quiet: bool,
    /// `--json`: stdout holds only the final JSON object.
    json: bool,
    width: usize,
}

impl<'a> Console<'a> {
    pub fn new(spec: &'a BatchSpec, quiet: bool, json: bool) -> Self {
        let width = spec.jobs.iter().map(|j| j.name.len()).max().unwrap_or(0);
        Console {
            spec,
            quiet,
            json,
            width,
        }
    }

    pub fn show(&self, ev: &BatchEvent) {
        let total = self.spec.jobs.len();
        let width = self.width;
        match ev {
            BatchEvent::SuiteStarted { spec: path, jobs } => {
                crate::errln!(
                    "suite {} ({} jobs) with CLI {}",
                    one_line(&path.display().to_string()),
                    jobs.len(),
                    one_line(&self.spec.cli.describe())
                );
            }
            BatchEvent::JobStarted {
                job,
                name,
                run,
                runs,
                warmup,
                command_line,
            } => {
                let repeat = self.spec.jobs[*job].repeat;
                let rep = if *warmup {
                    format!(" warmup {run}/{runs}")
                } else if *run > repeat {
                    // Measuring until decisive: no fixed number to count to.
                    format!(
                        " run {run} (until ±{}%)",
                        self.spec.until_ci_pct.unwrap_or_default()
                    )
                } else if *runs > 1 {
                    format!(" run {run}/{repeat}")
                } else {
                    String::new()
                };
                crate::errln!(
                    "[{}/{total}] {}{rep}: {}",
                    job + 1,
                    one_line(name),
                    one_line(command_line)
                );
            }
            BatchEvent::Log { job, stream, line } => {
                if self.quiet && *stream != Stream::Runner {
                    return;
                }
                let name = &self.spec.jobs[*job].name;
                match stream {
                    Stream::Stdout if self.json => crate::errln!("{name:<width$} | {line}"),
                    Stream::Stdout => crate::outln!("{name:<width$} | {line}"),
                    Stream::Stderr | Stream::Runner => crate::errln!("{name:<width$} ! {line}"),
                }
            }
            BatchEvent::RunFinished {
                job,
                run,
                warmup: false,
                record,
            } if record.status == JobStatus::Ok
                && (self.spec.jobs[*job].repeat > 1 || self.spec.until_ci_pct.is_some()) =>
            {
                let figures = record
                    .ops_per_second
                    .map(|ops| format!(", {} ops/s", thousands(ops)))
                    .unwrap_or_default();
                crate::errln!(
                    "[{}/{total}] {} run {run}: ok in {:.2} s{figures}",
                    job + 1,
                    self.spec.jobs[*job].name,
                    record.duration_seconds
                );
            }
            BatchEvent::RunFinished { .. } => {}
            BatchEvent::Warning(w) => crate::errln!("warning: {w}"),
            // Ticks go to --events-out and Mission Control, not the console.
            BatchEvent::Tick { .. } => {}
            BatchEvent::JobFinished { job, result } => {
                let figures = match (result.ops_per_second, &result.recommendation) {
                    (Some(ops), _) => format!(", {} ops/s", thousands(ops)),
                    (None, Some(r)) => format!(", recommends {r}"),
                    _ => String::new(),
                };
                crate::errln!(
                    "[{}/{total}] {}: {} in {:.2} s{figures}",
                    job + 1,
                    result.name,
                    result.status.name(),
                    result.duration_seconds
                );
            }
            BatchEvent::SuiteFinished { history, .. } => match history {
                Some(Ok(p)) => crate::errln!("archived: {}", p.display()),
                Some(Err(e)) => crate::errln!("warning: run not archived: {e}"),
                None => {}
            },
        }
    }
}

/// Text from a spec or a file name on one line: a newline in it must not
/// start a line that looks like adhash's own (`[2/2] x: ok …`).
fn one_line(s: &str) -> String {
    crate::fmt::shown_text(s, 4000)
}

/// `adhash batch --list` as lines.
pub fn list_lines(entries: &[SpecEntry]) -> Vec<String> {
    if entries.is_empty() {
        let why = match super::examples::folder() {
            Err(e) => format!("the examples could not be written to the data folder: {e}"),
            Ok(f) => format!("{} holds none", f.display()),
        };
        return vec![format!("no bundled specs found ({})", one_line(&why))];
    }
    entries
        .iter()
        .map(|e| match &e.spec {
            Ok(s) => format!(
                "{}  ({} jobs, CLI: {})  {}",
                one_line(&e.path.display().to_string()),
                s.jobs.len(),
                one_line(&s.cli.describe()),
                one_line(s.description.as_deref().unwrap_or(""))
            ),
            Err(err) => format!(
                "{}  INVALID: {}",
                one_line(&e.path.display().to_string()),
                one_line(err)
            ),
        })
        .collect()
}

/// `adhash --json batch --list`'s `specs`.
pub fn list_json(entries: &[SpecEntry]) -> serde_json::Value {
    entries
        .iter()
        .map(|e| match &e.spec {
            Ok(s) => serde_json::json!({"path": e.path.display().to_string(),
                "description": s.description, "jobs": s.jobs.len(),
                "cli": s.cli.describe()}),
            Err(err) => serde_json::json!({"path": e.path.display().to_string(), "error": err}),
        })
        .collect()
}
