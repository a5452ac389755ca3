//! The run-csv JSON summary (formats.md §4). Field names and units are the
//! original tool's; adhash only adds fields.

use serde::{Deserialize, Serialize};

use super::latency::LatencyMs;
use crate::engine::{CompactionSource, MapEvent};

pub const RUN_SUMMARY_SCHEMA: &str = "adhash.run_summary.v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencySample {
    pub reservoir_k_overall: usize,
    pub reservoir_k_each: usize,
    pub seen_overall: u64,
    pub every_n_ops: u64,
}

/// A migration or compaction, stamped with seconds since the replay began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventRecord {
    Migration {
        t: f64,
        from: String,
        to: String,
    },
    Compaction {
        t: f64,
        backend: String,
        source: String,
    },
}

impl EventRecord {
    pub fn from_map_event(e: &MapEvent, t: f64) -> Self {
        match e {
            MapEvent::Migration { from, to } => EventRecord::Migration {
                t,
                from: (*from).into(),
                to: (*to).into(),
            },
            MapEvent::Compaction { backend, source } => EventRecord::Compaction {
                t,
                backend: (*backend).into(),
                source: match source {
                    CompactionSource::Auto => "auto".into(),
                    CompactionSource::Interval => "interval".into(),
                },
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub schema: String,
    pub mode: String,
    pub csv: String,
    pub hash_seed: u64,
    pub parse_seconds: f64,
    pub elapsed_seconds: f64,
    pub total_ops: u64,
    pub ops_per_second: f64,
    /// CPU time of the replay thread over the replay loop (seconds).
    #[serde(default)]
    pub cpu_seconds: f64,
    /// total_ops / cpu_seconds: throughput the neighbours cannot take away
    /// (≥ ops_per_second for a one-thread replay); 0 when no CPU time was
    /// measured.
    #[serde(default)]
    pub ops_per_cpu_second: f64,
    /// Size of the workload CSV as read, and XXH3-64 of its bytes ("0x" +
    /// 16 hex digits): a comparison knows the workload did not change.
    #[serde(default)]
    pub csv_bytes: Option<u64>,
    #[serde(default)]
    pub csv_checksum: Option<String>,
    pub final_backend: String,
    pub migrations_triggered: u64,
    pub compactions_triggered: u64,
    pub final_size: u64,
    pub final_checksum: String,
    pub map_memory_bytes: u64,
    pub latency_ms: LatencyMs,
    /// Latency of the sampled operations' whole replay-loop iteration: the
    /// operation plus the replay's own bookkeeping (recording the sample,
    /// counting, checking the clock for ticks and compaction), in ms. The
    /// gap to `latency_ms` is what the harness adds (the original's field).
    #[serde(default)]
    pub latency_loop_ms: LatencyMs,
    /// 1000 / `ops_per_second`: the mean time an operation took, all costs
    /// in; null when nothing ran.
    #[serde(default)]
    pub implied_latency_ms: Option<f64>,
    /// `latency_loop_ms.overall.p50`; null without samples.
    #[serde(default)]
    pub loop_latency_median_ms: Option<f64>,
    pub latency_sample: LatencySample,
    /// The latency-histogram preset the run's ticks used (the original's field).
    #[serde(default = "default_preset")]
    pub latency_histogram_preset: String,
    pub events: Vec<EventRecord>,
}

fn default_preset() -> String {
    "default".into()
}
