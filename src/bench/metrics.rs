//! Metrics ticks (formats.md §5): one `metrics.v1` JSON object per line in
//! `DIR/metrics.ndjson`, at the start, at most every 100 ms (or the
//! `--metrics-interval-ms` given), and at the end.
//! Each tick reads O(1) counters from the map, so its cost does not grow
//! with the table.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::latency::{LatencyHist, LatencyMs};
use super::summary::EventRecord;
use crate::error::{Error, Result};

pub const METRICS_SCHEMA: &str = "metrics.v1";
pub const METRICS_FILE: &str = "metrics.ndjson";
/// Shortest gap between two ticks unless `--metrics-interval-ms` says.
pub const TICK_INTERVAL_SECONDS: f64 = 0.1;

#[derive(Debug, Clone, Serialize)]
pub struct OpsByType {
    pub put: u64,
    pub get: u64,
    pub del: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub schema: &'static str,
    pub t: f64,
    pub backend: String,
    pub ops: u64,
    pub ops_by_type: OpsByType,
    pub ops_per_second: f64,
    pub migrations: u64,
    pub compactions: u64,
    pub load_factor: f64,
    /// Chaining's longest group; 0 for a backend without groups. These
    /// three are numbers ≥ 0 in every tick, never null, as the original's
    /// metrics.v1 schema has them.
    pub max_group_len: usize,
    /// Robin Hood's mean probe distance; 0 for other backends.
    pub avg_probe_estimate: f64,
    /// Robin Hood's tombstones / (live + tombstones); 0 for other backends.
    pub tombstone_ratio: f64,
    /// Robin Hood's live entries per probe distance, `[distance, count]`,
    /// nearest first; empty for chaining and std. Counted as the table
    /// changes (never a scan), so it is exact in every tick.
    pub probe_hist: Vec<[u64; 2]>,
    pub latency_ms: LatencyMs,
    /// Histograms of the sampled latencies (the original's field).
    pub latency_hist_ms: LatencyHist,
    /// Which bucket preset `latency_hist_ms` uses: `default` or `micro`.
    pub latency_hist_preset: &'static str,
    /// 1000 / (ops so far / t): the mean time an operation took, all
    /// costs in; null before the first operation (the original's field).
    pub implied_latency_ms: Option<f64>,
    /// The watchdog's alerts for this tick (`--config` `[watchdog]`).
    pub alerts: Vec<super::watchdog::Alert>,
    pub events: Vec<EventRecord>,
}

/// Writes ticks as they come; with `max_ticks` the file is rewritten at the
/// end to keep only the last N.
pub struct MetricsSink {
    path: PathBuf,
    out: BufWriter<File>,
    max_ticks: Option<usize>,
    kept: VecDeque<String>,
    written: usize,
}

impl MetricsSink {
    /// Create `dir` and truncate `dir/metrics.ndjson`.
    pub fn create(dir: &Path, max_ticks: Option<usize>) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io_at("cannot create metrics folder", dir, &e))?;
        let path = dir.join(METRICS_FILE);
        let file = File::create(&path).map_err(|e| Error::io_at("cannot write", &path, &e))?;
        Ok(MetricsSink {
            path,
            out: BufWriter::new(file),
            max_ticks: max_ticks.filter(|&n| n > 0),
            kept: VecDeque::new(),
            written: 0,
        })
    }

    pub fn write(&mut self, tick: &Tick) -> Result<()> {
        let line = serde_json::to_string(tick).map_err(|e| Error::policy(e.to_string()))?;
        writeln!(self.out, "{line}").map_err(|e| Error::io_at("cannot write", &self.path, &e))?;
        // Flush so a tail -f (or Mission Control) sees ticks live.
        self.out
            .flush()
            .map_err(|e| Error::io_at("cannot write", &self.path, &e))?;
        self.written += 1;
        if let Some(n) = self.max_ticks {
            if self.kept.len() == n {
                self.kept.pop_front();
            }
            self.kept.push_back(line);
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Trim to the last `max_ticks` ticks, atomically.
    pub fn finish(self) -> Result<()> {
        let MetricsSink {
            path,
            out,
            max_ticks,
            kept,
            written,
        } = self;
        drop(out);
        if let Some(n) = max_ticks
            && written > n
        {
            crate::workload::csv::write_atomic(&path, |w| {
                for line in &kept {
                    writeln!(w, "{line}").map_err(|e| Error::io(e.to_string()))?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }
}
