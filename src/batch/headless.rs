//! `adhash batch` without a window: one suite run from the spec to its
//! reports, history entry and baseline, with what a terminal run adds (an
//! NDJSON event log, a Prometheus endpoint) and a reader that may go away.
//! The CLI maps its flags onto `Options`, shows events through a
//! callback and maps the `Outcome` to an exit code: a thin front, as
//! ripgrep and hyperfine keep their `main`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::events::EventLog;
use super::report::ReportPaths;
use super::result::SuiteResult;
use super::runner::{BatchEvent, CancelToken, run_suite};
use super::spec::BatchSpec;
use crate::error::{Error, Result};
use crate::log::Log;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Every event as NDJSON (`adhash.batch_event.v1`), flushed as it comes.
    pub events_out: Option<PathBuf>,
    /// Serve the running job's latest tick for Prometheus.
    pub metrics_listen: Option<SocketAddr>,
    /// Also store the run as this baseline (formats.md §9).
    pub save_baseline: Option<String>,
}

#[derive(Debug)]
pub struct Outcome {
    pub suite: SuiteResult,
    pub reports: ReportPaths,
    /// The run's history entry, when archived.
    pub history: Option<PathBuf>,
    /// The baseline saved, when asked for.
    pub baseline: Option<PathBuf>,
}

/// Check what `opts` asks for before anything runs: a bad baseline name or
/// an event log onto an input is exit 2 with nothing run.
pub fn check(spec: &BatchSpec, opts: &Options) -> Result<()> {
    if let Some(name) = &opts.save_baseline {
        super::history::check_baseline_name(name)?;
    }
    if let Some(p) = &opts.events_out {
        // The event log is an output like the reports: never an input.
        spec.check_outputs_with(&[("--events-out", p.as_path())])?;
    }
    Ok(())
}

/// Run `spec` on a worker thread to the end (or until `cancel`), showing
/// every event through `show`; then write the baseline if asked.
pub fn run(
    spec: &BatchSpec,
    opts: &Options,
    cancel: &CancelToken,
    log: Log,
    mut show: impl FnMut(&BatchEvent),
) -> Result<Outcome> {
    check(spec, opts)?;
    let mut event_log = match &opts.events_out {
        Some(p) => Some(EventLog::create(p)?),
        None => None,
    };
    let endpoint = match opts.metrics_listen {
        Some(addr) => {
            let e = super::prometheus::Endpoint::start(addr)?;
            log.info(&format!("metrics: http://{}/metrics", e.addr));
            Some(e)
        }
        None => None,
    };
    let (tx, rx) = crossbeam_channel::bounded(4096);
    let worker_spec = spec.clone();
    let worker_cancel = cancel.clone();
    let worker = std::thread::spawn(move || {
        if crate::fault::injected(crate::fault::Fault::RunnerPanic) {
            panic!("injected fault: runner-panic");
        }
        run_suite(&worker_spec, tx, Arc::new(|| {}), worker_cancel)
    });
    let mut reports = None;
    let mut archived: Option<PathBuf> = None;
    loop {
        // The reader went away (`| head -1`): stop the suite cleanly (its
        // jobs are killed, the report is written), print nothing more.
        if crate::log::stdout_gone() && !cancel.is_cancelled() {
            cancel.cancel();
        }
        let ev = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(ev) => ev,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => continue,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        };
        if let Some(l) = event_log.as_mut()
            && let Err(e) = l.write(&ev)
        {
            // A full disk or a closed FIFO stops the event log, not the suite.
            log.warn(&format!("{}; no more events are written", e.detail));
            event_log = None;
        }
        if let Some(e) = &endpoint {
            match &ev {
                BatchEvent::JobStarted { name, .. } => e.set_job(name),
                BatchEvent::Tick { tick, .. } => e.set_tick(tick),
                _ => {}
            }
        }
        show(&ev);
        if let BatchEvent::SuiteFinished {
            reports: r,
            history,
            ..
        } = ev
        {
            archived = history.and_then(|h| h.ok());
            reports = Some(r);
        }
    }
    let suite = worker
        .join()
        .map_err(|_| Error::policy("the batch runner thread panicked"))?;
    let reports = match reports {
        Some(Ok(paths)) => paths,
        Some(Err(e)) => return Err(Error::io(format!("cannot write the reports: {e}"))),
        None => return Err(Error::policy("the batch runner ended without a result")),
    };
    let baseline = match &opts.save_baseline {
        // A baseline is what later runs are held to: an incomplete run
        // (a job failed, the suite was stopped) is not one.
        Some(name) if suite.outcome() != "ok" => {
            log.warn(&format!(
                "baseline `{name}` not saved: the run {} (a baseline needs every job ok)",
                if suite.cancelled {
                    "was cancelled"
                } else {
                    "had a job that did not end ok"
                }
            ));
            None
        }
        Some(name) => {
            // The archived entry, or (history off) the JSON report itself.
            let run = archived.clone().unwrap_or_else(|| reports.json.clone());
            let folder = super::history::folder(spec);
            Some(super::history::save_baseline(&folder, name, &run)?)
        }
        None => None,
    };
    Ok(Outcome {
        suite,
        reports,
        history: archived,
        baseline,
    })
}
