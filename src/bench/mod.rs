//! Measuring a map on a workload: replay (run-csv), latency sampling, the
//! JSON summary, metrics ticks and their watchdog, and mode recommendation
//! (profile).

pub mod latency;
pub mod metrics;
pub mod profile;
pub mod replay;
pub mod summary;
pub mod watchdog;
