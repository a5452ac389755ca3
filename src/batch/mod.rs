//! Batch runner: a TOML spec (spec.rs) → jobs run as child processes that
//! stream events (runner.rs) → Markdown / HTML / JSON reports (report.rs).
//! The CLI's `adhash batch` and Mission Control both drive `runner`.

pub mod report;
pub mod runner;
pub mod spec;

pub use runner::{BatchEvent, CancelToken, JobResult, JobStatus, Stream, SuiteResult, run_suite};
pub use spec::{BatchSpec, CliProgram, JobCommand, JobSpec, bundled_specs};
