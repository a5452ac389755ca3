//! `--config FILE` (or `ADHASH_CONFIG`): the original tool's TOML config,
//! read into adhash's settings where the names map (formats.md §3).
//!
//! The original's `[adaptive]` policy names a few thresholds adhash has too,
//! under other names; those are read. Its other settings describe table
//! internals adhash sizes itself (initial bucket counts, a group length
//! limit): they are recognised and ignored with a warning that says why, so
//! an old file keeps working and nobody believes a setting took effect when
//! it did not. `[watchdog]` sets the guardrails the ticks' `alerts` are
//! judged against. Keys neither tool knows are a warning naming them; a
//! known key with a bad value is an error naming the file and the key.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::engine::AdaptiveConfig;
use crate::error::{Error, Result};
use crate::log::Log;

/// The file is small; anything larger is not a config.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// What a config file sets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppConfig {
    pub adaptive: AdaptiveConfig,
    pub watchdog: WatchdogPolicy,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
}

/// The original's watchdog: a tick whose figure reaches a threshold carries
/// an alert (`None` turns that check off). Defaults are the original's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatchdogPolicy {
    pub enabled: bool,
    pub load_factor_warn: Option<f64>,
    pub avg_probe_warn: Option<f64>,
    pub tombstone_ratio_warn: Option<f64>,
}

impl Default for WatchdogPolicy {
    fn default() -> Self {
        WatchdogPolicy {
            enabled: true,
            load_factor_warn: Some(0.9),
            avg_probe_warn: Some(8.0),
            tombstone_ratio_warn: Some(0.35),
        }
    }
}

/// The original's `[adaptive]` keys that adhash reads, and the setting each
/// becomes.
const ORIGINAL_ADAPTIVE: [(&str, &str); 4] = [
    ("max_lf_chaining", "chaining_load_trigger"),
    ("max_avg_probe_robinhood", "max_avg_probe"),
    ("max_tombstone_ratio", "tombstone_trigger"),
    ("incremental_batch", "migrate_batch"),
];

/// The original's `[adaptive]` keys with no counterpart, and why.
const ORIGINAL_IGNORED: [(&str, &str); 6] = [
    (
        "start_backend",
        "adaptive always starts on chaining and moves by its health checks",
    ),
    (
        "initial_buckets",
        "tables start at 64 slots and size themselves",
    ),
    (
        "groups_per_bucket",
        "chaining keeps 4 groups per bucket, a layout constant",
    ),
    (
        "initial_capacity_rh",
        "Robin Hood is sized from the entries it receives",
    ),
    (
        "max_group_len",
        "a group overflows past 8 entries; set overflow_group_share instead",
    ),
    (
        "large_map_warn_threshold",
        "adhash does not warn on map size",
    ),
];

/// adhash's own `[adaptive]` names (the `--adaptive-*` settings).
const ADHASH_ADAPTIVE: [&str; 7] = [
    "overflow_group_share",
    "overflow_group_min",
    "chaining_load_trigger",
    "max_avg_probe",
    "tombstone_trigger",
    "migrate_batch",
    "cooldown_ops",
];

impl AppConfig {
    /// Read `path`. Warnings (ignored and unknown keys) go to `log`.
    pub fn load(path: &Path, log: Log) -> Result<AppConfig> {
        let text = crate::fs::read_text_capped(path, MAX_CONFIG_BYTES, "config")?;
        let (cfg, warnings) =
            Self::parse(&text).map_err(|e| e.context(format_args!("config {}", path.display())))?;
        for w in warnings {
            log.warn(&format!("config {}: {w}", path.display()));
        }
        Ok(AppConfig {
            path: Some(path.to_path_buf()),
            ..cfg
        })
    }

    /// Parse config text; returns the config and its warnings.
    pub fn parse(text: &str) -> Result<(AppConfig, Vec<String>)> {
        let root: Table = text.parse().map_err(|e: toml::de::Error| {
            Error::bad_input(format!(
                "invalid TOML: {}",
                crate::fmt::shown_block(e.to_string().trim(), 160)
            ))
        })?;
        let mut cfg = AppConfig::default();
        let mut warnings = Vec::new();
        for (key, value) in &root {
            match (key.as_str(), value) {
                ("adaptive", Value::Table(t)) => {
                    read_adaptive(t, &mut cfg.adaptive, &mut warnings)?;
                }
                ("watchdog", Value::Table(t)) => {
                    read_watchdog(t, &mut cfg.watchdog, &mut warnings)?;
                }
                ("adaptive" | "watchdog", _) => {
                    return Err(Error::bad_input(format!("[{key}] section must be a table")));
                }
                _ => warnings.push(format!(
                    "unknown key `{}` ignored (adhash reads [adaptive] and [watchdog])",
                    crate::log::printable(key)
                )),
            }
        }
        // The `--adaptive-*` flags' checks, naming the key (and the
        // original's name for it, where it has one).
        cfg.adaptive.validate(|field| {
            match ORIGINAL_ADAPTIVE.iter().find(|(_, ours)| *ours == field) {
                Some((original, _)) => format!("adaptive.{field} ({original})"),
                None => format!("adaptive.{field}"),
            }
        })?;
        Ok((cfg, warnings))
    }
}

fn read_adaptive(t: &Table, a: &mut AdaptiveConfig, warnings: &mut Vec<String>) -> Result<()> {
    // Each setting once: an original name and adhash's for the same thing
    // would leave which one wins to chance.
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (key, value) in t {
        let at = format!("adaptive.{key}");
        let setting = if let Some((_, ours)) = ORIGINAL_ADAPTIVE.iter().find(|(o, _)| o == key) {
            *ours
        } else if let Some(ours) = ADHASH_ADAPTIVE.iter().find(|o| *o == key) {
            *ours
        } else {
            match ORIGINAL_IGNORED.iter().find(|(o, _)| o == key) {
                Some((_, why)) => warnings.push(format!("{at} ignored: {why}")),
                None => warnings.push(format!(
                    "unknown key `adaptive.{}` ignored",
                    crate::log::printable(key)
                )),
            }
            continue;
        };
        if let Some((other, _)) = seen.iter().find(|(_, s)| *s == setting) {
            return Err(Error::bad_input(format!(
                "adaptive.{other} and {at} set the same thing: keep one"
            )));
        }
        seen.push((key.as_str(), setting));
        match setting {
            "overflow_group_share" => a.overflow_group_share = number(value, &at)?,
            "chaining_load_trigger" => a.chaining_load_trigger = number(value, &at)?,
            "max_avg_probe" => a.max_avg_probe = number(value, &at)?,
            "tombstone_trigger" => a.tombstone_trigger = number(value, &at)?,
            "overflow_group_min" => a.overflow_group_min = count(value, &at, 0)? as usize,
            "migrate_batch" => a.migrate_batch = count(value, &at, 1)? as usize,
            "cooldown_ops" => a.cooldown_ops = count(value, &at, 0)?,
            _ => unreachable!("every adhash setting is read above"),
        }
    }
    Ok(())
}

fn read_watchdog(t: &Table, w: &mut WatchdogPolicy, warnings: &mut Vec<String>) -> Result<()> {
    for (key, value) in t {
        let at = format!("watchdog.{key}");
        let threshold = match key.as_str() {
            "enabled" => {
                w.enabled = boolean(value, &at)?;
                continue;
            }
            "load_factor_warn" => &mut w.load_factor_warn,
            "avg_probe_warn" => &mut w.avg_probe_warn,
            "tombstone_ratio_warn" => &mut w.tombstone_ratio_warn,
            _ => {
                warnings.push(format!(
                    "unknown key `watchdog.{}` ignored",
                    crate::log::printable(key)
                ));
                continue;
            }
        };
        *threshold = optional_number(value, &at)?;
    }
    // The original's ranges: ratios within [0, 1], probe lengths above 0.
    let check = |v: Option<f64>, name: &str, ok: fn(f64) -> bool, range: &str| match v {
        Some(x) if !ok(x) => Err(Error::bad_input(format!(
            "watchdog.{name} must be {range}, got {x}"
        ))),
        _ => Ok(()),
    };
    let unit = |x: f64| (0.0..=1.0).contains(&x);
    check(
        w.load_factor_warn,
        "load_factor_warn",
        unit,
        "within [0, 1]",
    )?;
    check(
        w.avg_probe_warn,
        "avg_probe_warn",
        |x| x > 0.0 && x.is_finite(),
        "> 0",
    )?;
    check(
        w.tombstone_ratio_warn,
        "tombstone_ratio_warn",
        unit,
        "within [0, 1]",
    )
}

fn shown(v: &Value) -> String {
    crate::fmt::shown_block(&v.to_string(), 60)
}

fn number(v: &Value, at: &str) -> Result<f64> {
    match v {
        Value::Float(x) => Ok(*x),
        Value::Integer(i) => Ok(*i as f64),
        _ => Err(Error::bad_input(format!(
            "{at} must be a number, got {}",
            shown(v)
        ))),
    }
}

fn count(v: &Value, at: &str, min: i64) -> Result<u64> {
    match v {
        Value::Integer(i) if *i >= min => Ok(*i as u64),
        _ => Err(Error::bad_input(format!(
            "{at} must be a whole number ≥ {min}, got {}",
            shown(v)
        ))),
    }
}

/// A number, or the original's spellings of "off".
fn optional_number(v: &Value, at: &str) -> Result<Option<f64>> {
    if let Value::String(s) = v
        && ["none", "null", "disabled", "off"].contains(&s.trim().to_lowercase().as_str())
    {
        return Ok(None);
    }
    number(v, at)
        .map(Some)
        .map_err(|_| Error::bad_input(format!("{at} must be a number or 'none', got {}", shown(v))))
}

/// A boolean, or the original's string spellings of one.
fn boolean(v: &Value, at: &str) -> Result<bool> {
    match v {
        Value::Boolean(b) => Ok(*b),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(Error::bad_input(format!(
                "{at} must be boolean, got {}",
                shown(v)
            ))),
        },
        _ => Err(Error::bad_input(format!(
            "{at} must be boolean, got {}",
            shown(v)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_originals_names_map_and_the_rest_warn() {
        let (cfg, warnings) = AppConfig::parse(
            r#"
            [adaptive]
            start_backend = "robinhood"
            max_lf_chaining = 0.75
            max_avg_probe_robinhood = 4.5
            max_tombstone_ratio = 0.3
            incremental_batch = 512
            max_group_len = 12
            colour = "blue"
            cooldown_ops = 100

            [watchdog]
            enabled = "off"
            load_factor_warn = 0.95
            avg_probe_warn = "none"

            [ui]
            theme = "dark"
            "#,
        )
        .unwrap();
        let a = cfg.adaptive;
        assert_eq!(a.chaining_load_trigger, 0.75);
        assert_eq!(a.max_avg_probe, 4.5);
        assert_eq!(a.tombstone_trigger, 0.3);
        assert_eq!(a.migrate_batch, 512);
        assert_eq!(a.cooldown_ops, 100);
        let d = AdaptiveConfig::default();
        assert_eq!(a.overflow_group_share, d.overflow_group_share);
        let w = cfg.watchdog;
        assert!(!w.enabled);
        assert_eq!(w.load_factor_warn, Some(0.95));
        assert_eq!(w.avg_probe_warn, None);
        assert_eq!(w.tombstone_ratio_warn, Some(0.35));
        let all = warnings.join("\n");
        for named in [
            "adaptive.start_backend ignored",
            "adaptive.max_group_len ignored",
            "`adaptive.colour`",
            "`ui`",
        ] {
            assert!(all.contains(named), "{named} not in:\n{all}");
        }
        assert_eq!(warnings.len(), 4, "{all}");
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            (
                "[adaptive]\nmax_lf_chaining = \"high\"",
                "adaptive.max_lf_chaining",
            ),
            (
                "[adaptive]\nincremental_batch = 0",
                "adaptive.incremental_batch",
            ),
            (
                "[adaptive]\nmax_tombstone_ratio = 1.5",
                "max_tombstone_ratio",
            ),
            (
                "[adaptive]\nmax_avg_probe_robinhood = -1",
                "max_avg_probe_robinhood",
            ),
            (
                "[watchdog]\nload_factor_warn = 2.0",
                "watchdog.load_factor_warn",
            ),
            ("[watchdog]\navg_probe_warn = 0", "watchdog.avg_probe_warn"),
            ("[watchdog]\nenabled = \"maybe\"", "watchdog.enabled"),
            ("adaptive = 3", "[adaptive]"),
            (
                "[adaptive]\nmax_lf_chaining = 0.8\nchaining_load_trigger = 0.7",
                "keep one",
            ),
            ("[adaptive\n", "invalid TOML"),
        ] {
            let e = AppConfig::parse(text).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{text}");
            assert!(e.to_string().contains(key), "{text}: {e}");
        }
    }
}
