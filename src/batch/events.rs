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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::report::ReportPaths;
    use crate::batch::result::{Environment, JobResult, JobStatus, RunRecord, Stream, SuiteResult};
    use crate::batch::ticks::TickPoint;

    /// Each event's line, field by field (formats.md §5): another tool
    /// parses these.
    #[test]
    fn every_event_is_one_line_of_its_own_fields() {
        let line = |ev: BatchEvent| event_json(&ev, 1.234_567_89);
        let v = line(BatchEvent::SuiteStarted {
            spec: "s.toml".into(),
            jobs: vec!["a".into(), "b".into()],
        });
        assert_eq!(
            v,
            json!({"schema": EVENT_SCHEMA, "type": "suite_started", "t": 1.234568,
                   "spec": "s.toml", "jobs": ["a", "b"]})
        );
        let v = line(BatchEvent::JobStarted {
            job: 1,
            name: "a".into(),
            run: 2,
            runs: 3,
            warmup: true,
            command_line: "adhash x".into(),
        });
        assert_eq!(
            v,
            json!({"schema": EVENT_SCHEMA, "type": "job_started", "t": 1.234568, "job": 1,
                   "name": "a", "run": 2, "runs": 3, "warmup": true, "command_line": "adhash x"})
        );
        let v = line(BatchEvent::Log {
            job: 0,
            stream: Stream::Stderr,
            line: "bad\u{1b}[31m line".into(),
        });
        assert_eq!(v["type"], "line");
        assert_eq!(v["stream"], "stderr");
        assert_eq!(v["job"], 0);
        assert!(!v["text"].as_str().unwrap().contains('\u{1b}'), "{v}");
        let tick = TickPoint {
            t: 0.5,
            ops: 10,
            ..TickPoint::default()
        };
        let v = line(BatchEvent::Tick {
            job: 2,
            run: 1,
            warmup: false,
            tick: Box::new(tick),
        });
        assert_eq!(
            (v["type"].as_str(), v["job"].as_u64()),
            (Some("tick"), Some(2))
        );
        assert_eq!(
            (v["run"].as_u64(), v["warmup"].as_bool()),
            (Some(1), Some(false))
        );
        assert_eq!(
            (v["tick"]["t"].as_f64(), v["tick"]["ops"].as_u64()),
            (Some(0.5), Some(10))
        );
        let v = line(BatchEvent::RunFinished {
            job: 0,
            run: 1,
            warmup: false,
            record: RunRecord {
                ops_per_second: Some(5.0),
                duration_seconds: 0.25,
                status: JobStatus::Ok,
                ops_per_cpu_second: None,
                round: None,
            },
        });
        assert_eq!(
            v,
            json!({"schema": EVENT_SCHEMA, "type": "run_finished", "t": 1.234568, "job": 0,
                   "run": 1, "warmup": false, "status": "ok", "ops_per_second": 5.0,
                   "duration_seconds": 0.25})
        );
        let v = line(BatchEvent::Warning("busy".into()));
        assert_eq!(
            v,
            json!({"schema": EVENT_SCHEMA, "type": "warning", "t": 1.234568, "text": "busy"})
        );
        let mut job = JobResult::planned("a", "run-csv", "std", "w.csv", 1);
        job.status = JobStatus::Timeout;
        let v = line(BatchEvent::JobFinished {
            job: 3,
            result: Box::new(job.clone()),
        });
        assert_eq!(
            v,
            json!({"schema": EVENT_SCHEMA, "type": "job_finished", "t": 1.234568, "job": 3,
                   "status": "timeout", "ops_per_second": null})
        );
        let mut ok = job.clone();
        ok.status = JobStatus::Ok;
        let suite = SuiteResult {
            spec: "s.toml".into(),
            description: None,
            cli: "adhash".into(),
            generated_at: String::new(),
            started_at: String::new(),
            finished_at: String::new(),
            wall_seconds: 1.0,
            cancelled: true,
            environment: Environment::default(),
            warnings: Vec::new(),
            until_ci_pct: None,
            jobs: vec![ok, job],
        };
        let finished = |reports, history| {
            line(BatchEvent::SuiteFinished {
                result: Box::new(suite.clone()),
                reports,
                history,
            })
        };
        let v = finished(
            Ok(ReportPaths {
                markdown: "r.md".into(),
                html: None,
                json: "r.json".into(),
            }),
            Some(Ok("h/1.json".into())),
        );
        assert_eq!(
            v,
            json!({"schema": EVENT_SCHEMA, "type": "suite_finished", "t": 1.234568,
                   "cancelled": true, "jobs_ok": 1,
                   "reports": {"markdown": "r.md", "html": null, "json": "r.json"},
                   "history": "h/1.json"})
        );
        let v = finished(
            Ok(ReportPaths {
                markdown: "r.md".into(),
                html: Some("r.html".into()),
                json: "r.json".into(),
            }),
            None,
        );
        assert_eq!(
            (v["reports"]["html"].as_str(), &v["history"]),
            (Some("r.html"), &Value::Null)
        );
        let v = finished(Err("disk full".into()), Some(Err("no room".into())));
        assert_eq!(v["reports"], json!({"error": "disk full"}));
        assert_eq!(v["history"], json!({"error": "no room"}));
        // Times are kept to the microsecond.
        assert_eq!(
            event_json(&BatchEvent::Warning(String::new()), 0.000_000_4)["t"],
            0.0
        );
        assert_eq!(
            event_json(&BatchEvent::Warning(String::new()), 42.5)["t"],
            42.5
        );
    }

    /// The file gets one flushed line per event, readable while it is open.
    #[test]
    fn the_log_writes_a_line_per_event_into_a_new_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/events.ndjson");
        let mut log = EventLog::create(&path).unwrap();
        log.write(&BatchEvent::Warning("one".into())).unwrap();
        log.write(&BatchEvent::Warning("two".into())).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0]["text"].as_str(), lines[1]["text"].as_str()),
            (Some("one"), Some("two"))
        );
        let t0 = lines[0]["t"].as_f64().unwrap();
        assert!((0.0..60.0).contains(&t0), "{t0}");
        assert!(EventLog::create(&dir.path().join("deep/events.ndjson/x")).is_err());
    }
}
