//! The original's threshold watchdog: each metrics tick is judged against
//! the `[watchdog]` guardrails of `--config` (formats.md §5). A figure at or
//! above its threshold puts an alert in the tick's `alerts`; the moment an
//! alert starts is logged as a warning and the moment it clears as info, so
//! a long run over a line says so twice, not on every tick.

use serde::Serialize;

use crate::config::WatchdogPolicy;
use crate::log::Log;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub metric: &'static str,
    pub value: f64,
    pub threshold: f64,
    pub severity: &'static str,
    pub backend: String,
    pub message: String,
}

pub struct Watchdog {
    policy: WatchdogPolicy,
    log: Log,
    /// Whether each check's alert is on (load, probe, tombstones).
    active: [bool; 3],
}

/// The figures a tick is judged by.
pub struct Reading<'a> {
    pub backend: &'a str,
    pub load_factor: f64,
    pub avg_probe_estimate: f64,
    pub tombstone_ratio: f64,
}

impl Watchdog {
    pub fn new(policy: WatchdogPolicy, log: Log) -> Self {
        Watchdog {
            policy,
            log,
            active: [false; 3],
        }
    }

    /// The alerts of one tick (empty when the watchdog is off).
    pub fn evaluate(&mut self, r: &Reading) -> Vec<Alert> {
        if !self.policy.enabled {
            return Vec::new();
        }
        let checks = [
            (
                "load_factor",
                r.load_factor,
                self.policy.load_factor_warn,
                "Load factor guardrail exceeded",
            ),
            (
                "avg_probe_estimate",
                r.avg_probe_estimate,
                self.policy.avg_probe_warn,
                "Probe length guardrail exceeded",
            ),
            (
                "tombstone_ratio",
                r.tombstone_ratio,
                self.policy.tombstone_ratio_warn,
                "Tombstone ratio guardrail exceeded",
            ),
        ];
        let mut alerts = Vec::new();
        for (i, (metric, value, threshold, what)) in checks.into_iter().enumerate() {
            let Some(threshold) = threshold else {
                continue;
            };
            let on = value >= threshold;
            if on && !self.active[i] {
                self.log.warn(&format!(
                    "Watchdog alert ({metric}): {value:.3} ≥ {threshold:.3} [backend={}]",
                    r.backend
                ));
            } else if !on && self.active[i] {
                self.log.info(&format!(
                    "Watchdog resolved ({metric}): value={value:.3} < {threshold:.3} [backend={}]",
                    r.backend
                ));
            }
            self.active[i] = on;
            if on {
                alerts.push(Alert {
                    metric,
                    value,
                    threshold,
                    severity: "warning",
                    backend: r.backend.to_string(),
                    message: format!("{what}: {value:.3} ≥ {threshold:.3}"),
                });
            }
        }
        alerts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(load: f64, probe: f64, tomb: f64) -> Reading<'static> {
        Reading {
            backend: "robinhood",
            load_factor: load,
            avg_probe_estimate: probe,
            tombstone_ratio: tomb,
        }
    }

    #[test]
    fn alerts_at_or_above_each_threshold_and_not_below() {
        let mut w = Watchdog::new(WatchdogPolicy::default(), Log::default());
        assert!(w.evaluate(&reading(0.89, 7.9, 0.34)).is_empty());
        let a = w.evaluate(&reading(0.9, 8.0, 0.35));
        let metrics: Vec<_> = a.iter().map(|a| a.metric).collect();
        assert_eq!(
            metrics,
            ["load_factor", "avg_probe_estimate", "tombstone_ratio"]
        );
        assert_eq!(a[0].threshold, 0.9);
        assert_eq!(
            a[0].message,
            "Load factor guardrail exceeded: 0.900 ≥ 0.900"
        );
        assert!(w.evaluate(&reading(0.5, 1.0, 0.0)).is_empty());
    }

    #[test]
    fn a_disabled_watchdog_or_check_stays_silent() {
        let off = WatchdogPolicy {
            enabled: false,
            ..WatchdogPolicy::default()
        };
        let mut w = Watchdog::new(off, Log::default());
        assert!(w.evaluate(&reading(1.0, 100.0, 1.0)).is_empty());
        let no_load = WatchdogPolicy {
            load_factor_warn: None,
            ..WatchdogPolicy::default()
        };
        let mut w = Watchdog::new(no_load, Log::default());
        let a = w.evaluate(&reading(1.0, 0.0, 0.0));
        assert!(a.is_empty(), "{a:?}");
    }
}
