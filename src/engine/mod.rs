//! The maps under test: one trait, five modes (formats.md §3).
//!
//! Every map hashes keys with XXH3-64 and the run's seed, so the only thing
//! that differs between modes is the table design. Maps also report their
//! health through O(1) counters (never a table scan), and record migrations
//! and compactions as events the replay stamps with a time.

pub mod adaptive;
pub mod chaining;
pub mod kv;
pub mod reference;
pub mod robinhood;

use serde::Serialize;

pub use adaptive::{Adaptive, AdaptiveConfig};
pub use chaining::Chaining;
pub use reference::StdMap;
pub use robinhood::{FastLookup, MemoryTight, RobinHood};

/// A backend mode as named on the command line.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Two-level chaining.
    FastInsert,
    /// Robin Hood linear probing with tombstones.
    FastLookup,
    /// Robin Hood tuned for footprint.
    MemoryTight,
    /// Chaining <-> Robin Hood hybrid that migrates incrementally.
    Adaptive,
    /// Rust's std HashMap with the same hash function: the control.
    Std,
}

impl Mode {
    pub const ALL: [Mode; 5] = [
        Mode::FastInsert,
        Mode::FastLookup,
        Mode::MemoryTight,
        Mode::Adaptive,
        Mode::Std,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::FastInsert => "fast-insert",
            Mode::FastLookup => "fast-lookup",
            Mode::MemoryTight => "memory-tight",
            Mode::Adaptive => "adaptive",
            Mode::Std => "std",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == s)
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a compaction ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompactionSource {
    /// The map's own health check (tombstone ratio).
    Auto,
    /// `run-csv --compact-interval`.
    Interval,
}

/// Something structural a map did, for the summary's `events` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapEvent {
    Migration {
        from: &'static str,
        to: &'static str,
    },
    Compaction {
        backend: &'static str,
        source: CompactionSource,
    },
}

/// A map's health, read from counters kept up to date on every operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Health {
    pub load_factor: f64,
    /// Chaining: longest group seen since the last rebuild.
    pub max_group_len: Option<usize>,
    /// Robin Hood: mean probe distance of live entries.
    pub avg_probe_estimate: Option<f64>,
    /// Robin Hood: tombstones / (live + tombstones).
    pub tombstone_ratio: Option<f64>,
}

/// The operations every mode supports.
pub trait Map {
    /// Insert or overwrite.
    fn put(&mut self, key: &str, value: &str);
    fn get(&self, key: &str) -> Option<&str>;
    /// Remove; true when the key was present.
    fn del(&mut self, key: &str) -> bool;
    /// Live keys.
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// `final_backend` of the summary: `chaining`, `robinhood`, `std`, or
    /// `"<a> -> <b> (migrating)"`.
    fn backend(&self) -> String;
    /// The map's own estimate of its footprint in bytes (tables + key/value bytes).
    fn memory_bytes(&self) -> usize;
    fn health(&self) -> Health;
    /// Live entries per probe distance as `[distance, count]` pairs, nearest
    /// first (the ticks' `probe_hist`); empty for a backend that does not
    /// probe. Kept as the table changes, so this costs O(longest distance).
    fn probe_hist(&self) -> Vec<[u64; 2]> {
        Vec::new()
    }
    /// Rebuild to drop tombstones and slack.
    fn compact(&mut self, source: CompactionSource);
    /// Move recorded events into `out`.
    fn take_events(&mut self, out: &mut Vec<MapEvent>);
    /// Visit every live pair (order unspecified).
    fn for_each(&self, f: &mut dyn FnMut(&str, &str));
}

/// Bytes a boxed string costs on the heap (its contents; allocator slack is not counted).
#[inline]
pub(crate) fn str_bytes(s: &str) -> usize {
    s.len()
}

/// Calls `$body` with `$map` bound to a fresh map of `$mode`, monomorphised per
/// mode so the replay loop has no dynamic dispatch.
#[macro_export]
macro_rules! with_map {
    ($mode:expr, $seed:expr, $cfg:expr, |$map:ident| $body:expr) => {{
        use $crate::engine::*;
        match $mode {
            Mode::FastInsert => {
                let $map = Chaining::new($seed);
                $body
            }
            Mode::FastLookup => {
                let $map = FastLookup::fast_lookup($seed);
                $body
            }
            Mode::MemoryTight => {
                let $map = MemoryTight::memory_tight($seed);
                $body
            }
            Mode::Adaptive => {
                let $map = Adaptive::new($seed, $cfg);
                $body
            }
            Mode::Std => {
                let $map = StdMap::new($seed);
                $body
            }
        }
    }};
}

/// A boxed map of `mode`, for tests and tools where dispatch cost does not matter.
pub fn new_map(mode: Mode, seed: u64, cfg: AdaptiveConfig) -> Box<dyn Map> {
    with_map!(mode, seed, cfg, |m| Box::new(m) as Box<dyn Map>)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_names_are_the_cli_names_and_parse_back() {
        let names: Vec<&str> = Mode::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(
            names,
            [
                "fast-insert",
                "fast-lookup",
                "memory-tight",
                "adaptive",
                "std"
            ]
        );
        for m in Mode::ALL {
            assert_eq!(Mode::parse(m.name()), Some(m));
            assert_eq!(m.to_string(), m.name());
            assert_eq!(serde_json::to_value(m).unwrap(), m.name());
        }
        assert_eq!(Mode::parse("fast"), None);
        assert_eq!(Mode::parse(""), None);
    }

    /// Every mode counts the key and value bytes it keeps on the heap: an
    /// update changes the count by exactly the value's change, a delete by
    /// the pair's bytes (the table itself does not change size).
    #[test]
    fn memory_counts_the_bytes_of_every_pair() {
        let long = "v".repeat(1000);
        let half = "w".repeat(500);
        for mode in Mode::ALL {
            let mut m = new_map(mode, 0, AdaptiveConfig::default());
            m.put("anchor", "1");
            let before = m.memory_bytes();
            m.put("key-of-10b", &long);
            let with_long = m.memory_bytes();
            assert!(
                with_long >= before + 1010,
                "{mode}: {before} -> {with_long}"
            );
            m.put("key-of-10b", &half);
            assert_eq!(m.memory_bytes(), with_long - 500, "{mode}: update");
            assert!(m.del("key-of-10b"));
            assert_eq!(m.memory_bytes(), with_long - 1010, "{mode}: delete");
            // A thousand pairs take at least a slot of 24 bytes each.
            for i in 0..1000 {
                m.put(&format!("k{i}"), "v");
            }
            assert!(
                m.memory_bytes() >= 1000 * 24,
                "{mode}: {}",
                m.memory_bytes()
            );
        }
    }

    #[test]
    fn every_mode_reports_its_load_and_compacts_on_demand() {
        for mode in Mode::ALL {
            let mut m = new_map(mode, 0, AdaptiveConfig::default());
            for i in 0..50 {
                m.put(&format!("k{i}"), "v");
            }
            let load = m.health().load_factor;
            assert!(load > 0.0 && load <= 1.0, "{mode}: load {load}");
            let backend: &'static str = match m.backend().as_str() {
                "std" => "std",
                "chaining" => "chaining",
                "robinhood" => "robinhood",
                other => panic!("{mode}: unexpected backend {other}"),
            };
            m.compact(CompactionSource::Interval);
            let mut ev = Vec::new();
            m.take_events(&mut ev);
            assert_eq!(
                ev.last(),
                Some(&MapEvent::Compaction {
                    backend,
                    source: CompactionSource::Interval
                }),
                "{mode}"
            );
            assert_eq!(m.len(), 50, "{mode}");
            assert!(
                (0..50).all(|i| m.get(&format!("k{i}")) == Some("v")),
                "{mode}"
            );
        }
    }
}
