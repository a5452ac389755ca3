//! adhash: benchmark hash-map designs on real workloads.
//!
//! Data flows one way: workload CSV → engine (the maps) → bench (replay,
//! latency, summary, metrics) → batch (suites of CLI runs and reports).
//! `cli` is the `adhash` command tree over all of it.

pub mod batch;
pub mod bench;
pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod fault;
pub mod fmt;
pub mod fs;
#[cfg(feature = "gui")]
pub mod gui;
pub mod hashing;
pub mod log;
pub mod stats;
pub mod workload;
