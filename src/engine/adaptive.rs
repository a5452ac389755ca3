//! `adaptive`: starts on chaining, watches its own health and migrates
//! between chaining and Robin Hood incrementally.
//!
//! Health is read from counters the tables keep exact on every operation
//! (overflowing groups, load, total probe distance, tombstones), so a check
//! costs O(1); the original tool scanned the whole table instead.
//!
//! During a migration both tables are live: every operation first moves a
//! bounded batch of entries from the old table to the new one; reads look in
//! the new table then the old, puts go to the new table and remove the key
//! from the old one, deletes reach both. So no update is lost and no deleted
//! key comes back, and no single operation pays for the whole rehash.

use super::chaining::Chaining;
use super::robinhood::{FAST_LOOKUP_POLICY, FastLookup, RobinHood};
use super::{CompactionSource, Health, Map, MapEvent};
use crate::hashing::hash_key;

/// Thresholds of the adaptive mode. Each default says why it is what it is;
/// all are overridable from the command line (`run-csv --adaptive-*`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AdaptiveConfig {
    /// Migrate chaining → Robin Hood when this share of groups overflows
    /// (holds more than `chaining::GROUP_CAPACITY` entries). With a good
    /// hash at load 1.0 a group passes 8 entries with probability ~1e-6, so
    /// even 0.01% of groups overflowing means the keys really collide; keys
    /// sharing their low 12 bits touch only 1/4096 of the groups, so a
    /// larger share would miss them.
    pub overflow_group_share: f64,
    /// ... and at least this many groups overflow, so a small table is not
    /// judged on a few unlucky groups.
    pub overflow_group_min: usize,
    /// Migrate chaining → Robin Hood when chaining's load passes this: a
    /// large, settled table reads faster from one flat array than from a
    /// vector per group, and Robin Hood probes stay short at this size.
    pub chaining_load_trigger: f64,
    /// Migrate Robin Hood → chaining when the mean probe distance passes
    /// this: clustered keys make every probe walk; a well-spread table at
    /// 0.85 load averages under 2.
    pub max_avg_probe: f64,
    /// Compact Robin Hood when tombstones / (live + tombstones) reaches this.
    pub tombstone_trigger: f64,
    /// Entries moved to the new table per operation during a migration:
    /// bounds the latency any one operation pays.
    pub migrate_batch: usize,
    /// Operations to wait after a migration before judging health again;
    /// doubled after every migration so a workload bad for both layouts
    /// cannot make the map thrash between them.
    pub cooldown_ops: u64,
}

impl Default for AdaptiveConfig {
    fn default() -> Self {
        AdaptiveConfig {
            overflow_group_share: 1e-4,
            overflow_group_min: 8,
            chaining_load_trigger: 0.9,
            max_avg_probe: 6.0,
            tombstone_trigger: super::robinhood::DEFAULT_TOMBSTONE_TRIGGER,
            migrate_batch: 64,
            cooldown_ops: 4096,
        }
    }
}

/// Operations between health checks. Checks are O(1) anyway; this only keeps
/// them off the fast path of most operations.
const CHECK_EVERY: u32 = 64;

enum Table {
    Chaining(Chaining),
    RobinHood(FastLookup),
}

impl Table {
    fn name(&self) -> &'static str {
        match self {
            Table::Chaining(_) => "chaining",
            Table::RobinHood(_) => "robinhood",
        }
    }
    #[inline]
    fn get_h(&self, h: u64, key: &str) -> Option<&str> {
        match self {
            Table::Chaining(t) => t.get_h(h, key),
            Table::RobinHood(t) => t.get_h(h, key),
        }
    }
    #[inline]
    fn put_h(&mut self, h: u64, key: &str, value: &str) {
        match self {
            Table::Chaining(t) => t.put_h(h, key, value),
            Table::RobinHood(t) => t.put_h(h, key, value),
        }
    }
    #[inline]
    fn del_h(&mut self, h: u64, key: &str) -> bool {
        match self {
            Table::Chaining(t) => t.del_h(h, key),
            Table::RobinHood(t) => t.del_h(h, key),
        }
    }
    fn drain_some(&mut self, n: usize, sink: &mut dyn FnMut(u64, &str, &str)) {
        match self {
            Table::Chaining(t) => t.drain_some(n, sink),
            Table::RobinHood(t) => t.drain_some(n, sink),
        }
    }
    fn map(&self) -> &dyn Map {
        match self {
            Table::Chaining(t) => t,
            Table::RobinHood(t) => t,
        }
    }
    fn map_mut(&mut self) -> &mut dyn Map {
        match self {
            Table::Chaining(t) => t,
            Table::RobinHood(t) => t,
        }
    }
}

pub struct Adaptive {
    active: Table,
    /// The table being drained during a migration.
    old: Option<Table>,
    cfg: AdaptiveConfig,
    seed: u64,
    events: Vec<MapEvent>,
    until_check: u32,
    ops_since_migration: u64,
    cooldown: u64,
    migrations: usize,
    /// Chaining was left because its groups overflowed: the keys collide in
    /// the low bits, which hurts chaining at least as much as Robin Hood, so
    /// long probes must not send the map back (it would only thrash).
    chaining_skewed: bool,
    /// Robin Hood was left because its probes grew long: its keys cluster,
    /// and more room would not help, so load alone must not send the map
    /// back to it (overflowing groups still may).
    robinhood_clustered: bool,
}

impl Adaptive {
    pub fn new(seed: u64, cfg: AdaptiveConfig) -> Self {
        Adaptive {
            active: Table::Chaining(Chaining::new(seed)),
            old: None,
            cfg,
            seed,
            events: Vec::new(),
            until_check: CHECK_EVERY,
            ops_since_migration: 0,
            cooldown: cfg.cooldown_ops,
            migrations: 0,
            chaining_skewed: false,
            robinhood_clustered: false,
        }
    }

    /// Completed migrations so far.
    pub fn migrations(&self) -> usize {
        self.migrations
    }

    pub fn is_migrating(&self) -> bool {
        self.old.is_some()
    }

    #[inline]
    fn after_op(&mut self) {
        if self.old.is_some() {
            self.migrate_step();
            return;
        }
        self.until_check -= 1;
        if self.until_check == 0 {
            self.until_check = CHECK_EVERY;
            self.ops_since_migration += u64::from(CHECK_EVERY);
            self.check_health();
        }
    }

    fn check_health(&mut self) {
        if self.ops_since_migration < self.cooldown {
            return;
        }
        let target = match &self.active {
            Table::Chaining(t) => {
                let overflow_limit = ((t.group_count() as f64 * self.cfg.overflow_group_share)
                    as usize)
                    .max(self.cfg.overflow_group_min);
                let skewed = t.overflowing_groups() >= overflow_limit;
                let full =
                    !self.robinhood_clustered && t.load_factor() > self.cfg.chaining_load_trigger;
                self.chaining_skewed |= skewed;
                (skewed || full).then(|| {
                    let mut rh = RobinHood::with_capacity(self.seed, FAST_LOOKUP_POLICY, t.len());
                    rh.set_tombstone_trigger(self.cfg.tombstone_trigger);
                    Table::RobinHood(rh)
                })
            }
            Table::RobinHood(t) => {
                let clustered = t.avg_probe() > self.cfg.max_avg_probe;
                self.robinhood_clustered |= clustered;
                (clustered && !self.chaining_skewed)
                    .then(|| Table::Chaining(Chaining::with_capacity(self.seed, t.len())))
            }
        };
        if let Some(new) = target {
            self.old = Some(std::mem::replace(&mut self.active, new));
        }
    }

    fn migrate_step(&mut self) {
        let Some(old) = self.old.as_mut() else { return };
        let active = &mut self.active;
        old.drain_some(self.cfg.migrate_batch, &mut |h, k, v| active.put_h(h, k, v));
        if old.map().is_empty() {
            let from = old.name();
            old.map_mut().take_events(&mut self.events);
            self.old = None;
            self.migrations += 1;
            self.events.push(MapEvent::Migration {
                from,
                to: self.active.name(),
            });
            self.ops_since_migration = 0;
            self.cooldown = self.cooldown.saturating_mul(2);
        }
    }
}

impl Map for Adaptive {
    fn put(&mut self, key: &str, value: &str) {
        let h = hash_key(key.as_bytes(), self.seed);
        if let Some(old) = self.old.as_mut() {
            old.del_h(h, key);
        }
        self.active.put_h(h, key, value);
        self.after_op();
    }
    fn get(&self, key: &str) -> Option<&str> {
        let h = hash_key(key.as_bytes(), self.seed);
        match self.active.get_h(h, key) {
            Some(v) => Some(v),
            None => self.old.as_ref().and_then(|o| o.get_h(h, key)),
        }
    }
    fn del(&mut self, key: &str) -> bool {
        let h = hash_key(key.as_bytes(), self.seed);
        let mut found = self.active.del_h(h, key);
        if let Some(old) = self.old.as_mut() {
            found |= old.del_h(h, key);
        }
        self.after_op();
        found
    }
    fn len(&self) -> usize {
        self.active.map().len() + self.old.as_ref().map_or(0, |o| o.map().len())
    }
    fn backend(&self) -> String {
        match &self.old {
            Some(old) => format!("{} -> {} (migrating)", old.name(), self.active.name()),
            None => self.active.name().into(),
        }
    }
    fn memory_bytes(&self) -> usize {
        self.active.map().memory_bytes() + self.old.as_ref().map_or(0, |o| o.map().memory_bytes())
    }
    fn health(&self) -> Health {
        self.active.map().health()
    }
    fn probe_hist(&self) -> Vec<[u64; 2]> {
        self.active.map().probe_hist()
    }
    fn compact(&mut self, source: CompactionSource) {
        // Finish a running migration first: compacting a half-drained table
        // would move entries under the drain cursor.
        while self.old.is_some() {
            self.migrate_step();
        }
        self.active.map_mut().compact(source);
    }
    fn take_events(&mut self, out: &mut Vec<MapEvent>) {
        // Events in the order they happened: the tables' own (compactions)
        // and ours (migrations) are rarely close, so append both.
        self.active.map_mut().take_events(out);
        if let Some(old) = self.old.as_mut() {
            old.map_mut().take_events(out);
        }
        out.append(&mut self.events);
    }
    fn for_each(&self, f: &mut dyn FnMut(&str, &str)) {
        self.active.map().for_each(f);
        if let Some(old) = &self.old {
            old.map().for_each(f);
        }
    }
}
