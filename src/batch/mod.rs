//! Batch runner: a TOML spec (spec.rs) → jobs run as child processes that
//! stream events (runner.rs) → results (result.rs) → Markdown / HTML / JSON
//! reports (report.rs) and the run archive (history.rs). The CLI's
//! `adhash batch` and Mission Control both drive `runner`.

pub mod compare;
pub mod console;
pub mod events;
pub mod examples;
pub mod export;
pub mod headless;
pub mod history;
pub mod prometheus;
pub mod report;
pub mod result;
pub mod runner;
pub mod spec;
pub mod ticks;
pub mod verdict;

pub use result::{JobResult, JobStatus, Stream, SuiteResult};
pub use runner::{BatchEvent, CancelToken, run_suite};
pub use spec::{BatchSpec, CliProgram, JobCommand, JobSpec, bundled_specs};
