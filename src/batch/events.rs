//! `adhash batch --events-out FILE` (formats.md §5): every suite event as one
//! JSON line, schema `adhash.batch_event.v1`, flushed as it happens, so
//! another tool can follow a suite live (`tail -f`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Value, json};

use super::runner::BatchEvent;
use crate::error::{Error, Result};

pub const EVENT_SCHEMA: &str = "adhash.batch_event.v1";

/// The JSON line of `ev`, `t` seconds after the suite started.
pub fn event_json(ev: &BatchEvent, t: f64) -> Value {
    let (kind, body) = match ev {
        BatchEvent::SuiteStarted { spec, jobs } => (
            "suite_started",
            json!({"spec": spec.display().to_string(), "jobs": jobs}),
        ),
        BatchEvent::JobStarted {
            job,
            name,
            run,
            runs,
            warmup,
            command_line,
        } => (
            "job_started",
            json!({"job": job, "name": name, "run": run, "runs": runs, "warmup": warmup,
                   "command_line": command_line}),
        ),
        BatchEvent::Log { job, stream, line } => (
            "line",
            json!({"job": job, "stream": stream, "text": crate::log::printable(line)}),
        ),
        BatchEvent::Tick {
            job,
            run,
            warmup,
            tick,
        } => (
            "tick",
            json!({"job": job, "run": run, "warmup": warmup, "tick": tick}),
        ),
        BatchEvent::RunFinished {
            job,
            run,
            warmup,
            record,
        } => (
            "run_finished",
            json!({"job": job, "run": run, "warmup": warmup, "status": record.status,
                   "ops_per_second": record.ops_per_second,
                   "duration_seconds": record.duration_seconds}),
        ),
        BatchEvent::Warning(w) => ("warning", json!({"text": w})),
        BatchEvent::JobFinished { job, result } => (
            "job_finished",
            json!({"job": job, "status": result.status,
                   "ops_per_second": result.ops_per_second}),
        ),
        BatchEvent::SuiteFinished {
            result,
            reports,
            history,
        } => (
            "suite_finished",
            json!({
                "cancelled": result.cancelled,
                "jobs_ok": result.ok_count(),
                "reports": match reports {
                    Ok(p) => json!({
                        "markdown": p.markdown.display().to_string(),
                        "html": p.html.as_ref().map(|h| h.display().to_string()),
                        "json": p.json.display().to_string(),
                    }),
                    Err(e) => json!({"error": e}),
                },
                "history": match history {
                    Some(Ok(p)) => json!(p.display().to_string()),
                    Some(Err(e)) => json!({"error": e}),
                    None => Value::Null,
                },
            }),
        ),
    };
    let mut obj = serde_json::Map::new();
    obj.insert("schema".into(), EVENT_SCHEMA.into());
    obj.insert("type".into(), kind.into());
    obj.insert("t".into(), json!((t * 1e6).round() / 1e6));
    if let Value::Object(fields) = body {
        obj.extend(fields);
    }
    Value::Object(obj)
}

/// Writes events to a file as they come, a flushed line each.
pub struct EventLog {
    path: PathBuf,
    out: std::fs::File,
    started: Instant,
}

impl EventLog {
    /// Create (or truncate) `path`. A device or FIFO is written in place.
    pub fn create(path: &Path) -> Result<EventLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io_at("cannot create folder", dir, &e))?;
        }
        let out = std::fs::File::create(path)
            .map_err(|e| Error::io_at("cannot write events to", path, &e))?;
        Ok(EventLog {
            path: path.to_path_buf(),
            out,
            started: Instant::now(),
        })
    }

    /// One line, flushed (unbuffered file): a reader sees it at once.
    pub fn write(&mut self, ev: &BatchEvent) -> Result<()> {
        let mut line = event_json(ev, self.started.elapsed().as_secs_f64()).to_string();
        line.push('\n');
        self.out
            .write_all(line.as_bytes())
            .map_err(|e| Error::io_at("cannot write events to", &self.path, &e))
    }
}
