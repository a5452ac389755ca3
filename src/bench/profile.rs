//! `profile`: replay a sample of a workload against every mode a few times
//! and recommend the fastest adhash design. `std` is measured alongside as
//! the control but is not recommended: it is the yardstick, not a design
//! under study.

use serde::Serialize;

use super::replay::{ReplayOptions, replay};
use crate::engine::{AdaptiveConfig, Mode};
use crate::error::Result;
use crate::with_map;
use crate::workload::trace::Trace;

/// Runs per mode; the median is reported.
pub const PROFILE_REPEATS: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct ModeProfile {
    pub mode: String,
    pub ops_per_second: f64,
    pub ops_per_second_runs: Vec<f64>,
    pub final_backend: String,
    pub map_memory_bytes: u64,
    /// Median ops/s over the `std` control's median.
    pub vs_std: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileReport {
    pub sample_rows: usize,
    pub repeats: usize,
    pub recommended: String,
    pub modes: Vec<ModeProfile>,
}

pub fn profile(
    trace: &Trace,
    seed: u64,
    cfg: AdaptiveConfig,
    repeats: usize,
) -> Result<ProfileReport> {
    let repeats = repeats.max(1);
    let mut modes = Vec::new();
    // Interleave modes within each round so drift on a busy machine hurts
    // all of them alike.
    let mut runs: Vec<Vec<f64>> = vec![Vec::new(); Mode::ALL.len()];
    let mut last = vec![(String::new(), 0u64); Mode::ALL.len()];
    for _ in 0..repeats {
        for (i, mode) in Mode::ALL.into_iter().enumerate() {
            let opts = ReplayOptions {
                latency_sample_k: 0,
                latency_sample_every: u64::MAX,
                ..ReplayOptions::default()
            };
            let out = with_map!(mode, seed, cfg, |m| replay(m, trace, opts))?;
            runs[i].push(out.ops_per_second());
            last[i] = (out.final_backend.clone(), out.map_memory_bytes);
        }
    }
    let medians: Vec<f64> = runs
        .iter_mut()
        .map(|r| crate::stats::median(r).unwrap_or(0.0))
        .collect();
    let std_median = medians[Mode::ALL.iter().position(|m| *m == Mode::Std).unwrap_or(0)];
    for (i, mode) in Mode::ALL.into_iter().enumerate() {
        modes.push(ModeProfile {
            mode: mode.name().into(),
            ops_per_second: medians[i],
            ops_per_second_runs: runs[i].clone(),
            final_backend: last[i].0.clone(),
            map_memory_bytes: last[i].1,
            vs_std: if std_median > 0.0 {
                medians[i] / std_median
            } else {
                0.0
            },
        });
    }
    let recommended = modes
        .iter()
        .filter(|m| m.mode != Mode::Std.name())
        .max_by(|a, b| a.ops_per_second.total_cmp(&b.ops_per_second))
        .map_or_else(|| Mode::Adaptive.name().to_string(), |m| m.mode.clone());
    Ok(ProfileReport {
        sample_rows: trace.len(),
        repeats,
        recommended,
        modes,
    })
}
