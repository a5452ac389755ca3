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

impl AdaptiveConfig {
    /// Check the thresholds; `label` names a field as the user set it (a
    /// flag or a config key), so the error points at what to change.
    pub fn validate(&self, label: impl Fn(&str) -> String) -> crate::error::Result<()> {
        use crate::error::Error;
        // Shares and ratios are fractions: above 1 they could never trigger.
        let fraction = |field: &str, v: f64| {
            if v > 0.0 && v <= 1.0 {
                Ok(())
            } else {
                Err(Error::bad_input(format!(
                    "{} is a share of the table, above 0 and at most 1, got {v}",
                    label(field)
                )))
            }
        };
        let positive = |field: &str, v: f64| {
            if v > 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(Error::bad_input(format!(
                    "{} must be a positive number, got {v}",
                    label(field)
                )))
            }
        };
        fraction("overflow_group_share", self.overflow_group_share)?;
        positive("chaining_load_trigger", self.chaining_load_trigger)?;
        positive("max_avg_probe", self.max_avg_probe)?;
        fraction("tombstone_trigger", self.tombstone_trigger)?;
        if self.migrate_batch == 0 {
            return Err(Error::bad_input(format!(
                "{} must be at least 1",
                label("migrate_batch")
            )));
        }
        Ok(())
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
            chaining_skewed: false,
            robinhood_clustered: false,
        }
    }

    /// Whether a migration is under way (both tables live).
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

#[cfg(test)]
mod tests {
    //! The policy, pinned: each trigger just below and just above its
    //! threshold, the health-check cadence, the cooldown and its doubling,
    //! and the memory of why a layout was left — all through the map's own
    //! API (put/get/del, `backend`, `health`, `is_migrating`, events).
    use super::*;
    use crate::engine::chaining::GROUP_CAPACITY;

    const SEED: u64 = 11;
    /// Chaining starts with 64 buckets × 4 groups: a key's group is the low
    /// 8 bits of its hash.
    const GROUP_BITS: u64 = 0xff;

    /// A config where nothing triggers unless a test turns it on.
    fn quiet() -> AdaptiveConfig {
        AdaptiveConfig {
            overflow_group_share: 1e-9,
            overflow_group_min: usize::MAX,
            chaining_load_trigger: 10.0,
            max_avg_probe: 1e9,
            tombstone_trigger: 1.0,
            migrate_batch: 64,
            cooldown_ops: 0,
        }
    }

    /// `n` keys whose hashes put them in chaining group `group`.
    fn keys_in_group(group: u64, n: usize) -> Vec<String> {
        (0..)
            .map(|i| format!("g{group}-{i}"))
            .filter(|k| hash_key(k.as_bytes(), SEED) & GROUP_BITS == group)
            .take(n)
            .collect()
    }

    /// Mutating operations until the next health check has run: updates
    /// of a key already present, so the table's shape does not change.
    fn until_next_check(m: &mut Adaptive, key: &str) {
        let n = m.until_check;
        for _ in 0..n {
            m.put(key, "again");
        }
    }

    fn finish_migration(m: &mut Adaptive) -> usize {
        let mut ops = 0;
        while m.is_migrating() {
            m.put("filler", "x");
            ops += 1;
            assert!(ops < 1_000_000, "migration never ends");
        }
        ops
    }

    #[test]
    fn health_is_checked_every_64th_write_and_never_on_a_read() {
        let cfg = AdaptiveConfig {
            chaining_load_trigger: 1e-9,
            ..quiet()
        };
        let mut m = Adaptive::new(SEED, cfg);
        for i in 0..CHECK_EVERY - 1 {
            m.put(&format!("k{i}"), "v");
            assert!(!m.is_migrating(), "checked early, at write {}", i + 1);
        }
        for _ in 0..1000 {
            assert!(m.get("k0").is_some());
        }
        assert!(!m.is_migrating(), "a read ran a health check");
        m.del("k0");
        assert!(m.is_migrating(), "the 64th write must check health");
        assert_eq!(m.backend(), "chaining -> robinhood (migrating)");
    }

    #[test]
    fn overflowing_groups_trigger_at_the_limit_not_below() {
        // Limit: max(share × groups, min) = 2 groups holding more than 8.
        let cfg = AdaptiveConfig {
            overflow_group_min: 2,
            ..quiet()
        };
        let mut m = Adaptive::new(SEED, cfg);
        let over = GROUP_CAPACITY as usize + 1;
        let first = keys_in_group(3, over);
        for k in &first {
            m.put(k, "v");
        }
        until_next_check(&mut m, &first[0]);
        assert!(
            !m.is_migrating(),
            "one overflowing group is below the limit"
        );
        // A second group at exactly capacity does not overflow...
        let second = keys_in_group(77, over);
        for k in &second[..over - 1] {
            m.put(k, "v");
        }
        until_next_check(&mut m, &first[0]);
        assert!(!m.is_migrating(), "a full group is not an overflowing one");
        // ... one more key and it does: two groups, the limit.
        m.put(&second[over - 1], "v");
        until_next_check(&mut m, &first[0]);
        assert!(m.is_migrating(), "two overflowing groups reach the limit");
        finish_migration(&mut m);
        assert_eq!(m.backend(), "robinhood");
        for k in first.iter().chain(&second) {
            assert!(m.get(k).is_some(), "{k} lost in the migration");
        }
    }

    #[test]
    fn the_overflow_limit_scales_with_the_table() {
        // share × groups above the minimum: 256 groups × 0.01 = 2.56 → 2.
        let cfg = AdaptiveConfig {
            overflow_group_share: 0.01,
            overflow_group_min: 1,
            ..quiet()
        };
        let mut m = Adaptive::new(SEED, cfg);
        let over = GROUP_CAPACITY as usize + 1;
        let a = keys_in_group(5, over);
        for k in &a {
            m.put(k, "v");
        }
        until_next_check(&mut m, &a[0]);
        assert!(!m.is_migrating(), "1 < 2.56 of 256 groups");
        for k in keys_in_group(9, over) {
            m.put(&k, "v");
        }
        until_next_check(&mut m, &a[0]);
        assert!(m.is_migrating());
    }

    /// Run `keys` puts on a map with `cfg`, then writes until a health
    /// check; whether a migration started, and the load seen at that check.
    fn load_check(cfg: AdaptiveConfig, keys: usize) -> (bool, f64) {
        let mut m = Adaptive::new(SEED, cfg);
        for i in 0..keys {
            m.put(&format!("k{i}"), "v");
            if m.is_migrating() {
                return (true, 0.0);
            }
        }
        until_next_check(&mut m, "k0");
        (m.is_migrating(), m.health().load_factor)
    }

    #[test]
    fn chaining_load_triggers_above_the_threshold_not_at_it() {
        // 128 keys in 256 groups: load exactly 0.5.
        let at = AdaptiveConfig {
            chaining_load_trigger: 0.5,
            ..quiet()
        };
        let (migrating, load) = load_check(at, 128);
        assert!(!migrating, "load {load} is not above 0.5");
        assert_eq!(load, 0.5);
        let (migrating, _) = load_check(at, 129);
        assert!(migrating, "load 129/256 is above 0.5");
    }

    /// A map moved to Robin Hood by load, its migration finished, then
    /// `extra` more keys and the writes up to a health check.
    fn on_robinhood(cfg: AdaptiveConfig, extra: usize) -> Adaptive {
        let mut m = Adaptive::new(
            SEED,
            AdaptiveConfig {
                chaining_load_trigger: 1e-9,
                ..cfg
            },
        );
        for i in 0..CHECK_EVERY {
            m.put(&format!("k{i}"), "v");
        }
        assert!(m.is_migrating());
        finish_migration(&mut m);
        assert_eq!(m.backend(), "robinhood");
        for i in 0..extra {
            m.put(&format!("x{i}"), "v");
        }
        m
    }

    /// From Robin Hood, put `ops` new keys: the mean probe distance seen
    /// at each health check (write index, value) until a migration starts,
    /// and the write at which it started.
    fn probe_run(cfg: AdaptiveConfig, ops: usize) -> (Vec<(usize, f64)>, Option<usize>) {
        let mut m = on_robinhood(cfg, 0);
        let mut checks = Vec::new();
        for i in 0..ops {
            m.put(&format!("x{i}"), "v");
            if m.is_migrating() {
                return (checks, Some(i));
            }
            if m.until_check == CHECK_EVERY {
                checks.push((i, m.health().avg_probe_estimate.unwrap()));
            }
        }
        (checks, None)
    }

    #[test]
    fn long_probes_trigger_above_the_threshold_not_at_it() {
        // Learn the mean probe distance every check sees, and the largest...
        let (checks, started) = probe_run(quiet(), 600);
        assert!(started.is_none() && checks.len() >= 8);
        let max = checks.iter().map(|c| c.1).fold(0.0, f64::max);
        assert!(max > 0.0);
        // ... with the threshold at it, no check is above: it stays ...
        let at = AdaptiveConfig {
            max_avg_probe: max,
            ..quiet()
        };
        assert_eq!(probe_run(at, 600).1, None, "{max} is not above itself");
        // ... a hair below it, the first check that reaches it moves the
        // map back to chaining, there and not before.
        let line = max * (1.0 - 1e-9);
        let first_above = checks.iter().find(|c| c.1 > line).unwrap().0;
        let below = AdaptiveConfig {
            max_avg_probe: line,
            ..quiet()
        };
        assert_eq!(probe_run(below, 600).1, Some(first_above));
    }

    #[test]
    fn tombstones_compact_robinhood_at_the_ratio_and_the_minimum_count() {
        let compactions = |m: &mut Adaptive| {
            let mut ev = Vec::new();
            m.take_events(&mut ev);
            ev.iter()
                .filter(|e| {
                    matches!(
                        e,
                        MapEvent::Compaction {
                            source: CompactionSource::Auto,
                            ..
                        }
                    )
                })
                .count()
        };
        // 128 live keys; deleting d of them leaves d tombstones out of
        // 128 used slots. At 0.25 the 32nd delete (ratio exactly 0.25)
        // compacts, the 31st does not.
        let cfg = AdaptiveConfig {
            tombstone_trigger: 0.25,
            ..quiet()
        };
        let mut m = on_robinhood(cfg, 63);
        assert_eq!(m.len(), 128, "64 keys, the filler, 63 more");
        compactions(&mut m);
        for i in 0..31 {
            m.del(&format!("x{i}"));
        }
        assert_eq!(compactions(&mut m), 0, "31/128 is below 0.25");
        m.del("x31");
        assert_eq!(compactions(&mut m), 1, "32/128 reaches 0.25");
        // The map's own trigger, not the table's default: at 0.3 the 39th
        // delete (39/128 ≥ 0.3) compacts, not the 32nd.
        let cfg = AdaptiveConfig {
            tombstone_trigger: 0.3,
            ..quiet()
        };
        let mut m = on_robinhood(cfg, 63);
        compactions(&mut m);
        for i in 0..38 {
            m.del(&format!("x{i}"));
        }
        assert_eq!(compactions(&mut m), 0, "38/128 is below 0.3");
        m.del("x38");
        assert_eq!(compactions(&mut m), 1, "39/128 reaches 0.3");
        // A ratio reached with fewer than 32 tombstones waits for 32.
        let cfg = AdaptiveConfig {
            tombstone_trigger: 0.01,
            ..quiet()
        };
        let mut m = on_robinhood(cfg, 63);
        compactions(&mut m);
        for i in 0..31 {
            m.del(&format!("x{i}"));
        }
        assert_eq!(compactions(&mut m), 0, "fewer than 32 tombstones");
        m.del("x31");
        assert_eq!(compactions(&mut m), 1);
    }

    #[test]
    fn cooldown_holds_checks_back_and_doubles_after_each_migration() {
        // Load always above the trigger; probes always above theirs.
        let cfg = AdaptiveConfig {
            chaining_load_trigger: 1e-9,
            max_avg_probe: 1e-9,
            cooldown_ops: 128,
            ..quiet()
        };
        let mut m = Adaptive::new(SEED, cfg);
        // Checks run at writes 64 and 128; the first is inside the cooldown.
        for i in 0..2 * CHECK_EVERY - 1 {
            m.put(&format!("k{i}"), "v");
        }
        assert!(!m.is_migrating(), "checked inside the cooldown");
        m.put("k-last", "v");
        assert!(m.is_migrating(), "the cooldown of 128 writes is over");
        finish_migration(&mut m);
        // Now 256 writes must pass before the next check may act: checks
        // come every 64 writes, so the 4th after the migration acts.
        let mut writes = 0u32;
        while !m.is_migrating() {
            m.put("k0", "again");
            writes += 1;
            assert!(writes <= 256, "the doubled cooldown was not kept");
        }
        assert!(
            writes > 192,
            "acted after {writes} writes: cooldown not doubled"
        );
        assert_eq!(m.backend(), "robinhood -> chaining (migrating)");
    }

    #[test]
    fn a_layout_left_for_clustering_is_not_reentered_for_load() {
        // chaining → (load) → Robin Hood → (long probes) → chaining, and
        // there load alone must not send it back: it would only thrash.
        let cfg = AdaptiveConfig {
            chaining_load_trigger: 1e-9,
            max_avg_probe: 1e-9,
            ..quiet()
        };
        let mut m = Adaptive::new(SEED, cfg);
        for i in 0..CHECK_EVERY {
            m.put(&format!("k{i}"), "v");
        }
        finish_migration(&mut m);
        until_next_check(&mut m, "k0");
        assert_eq!(m.backend(), "robinhood -> chaining (migrating)");
        finish_migration(&mut m);
        for _ in 0..20 {
            until_next_check(&mut m, "k0");
            assert_eq!(m.backend(), "chaining", "went back to Robin Hood for load");
        }
        // Overflowing groups still may move it.
        let mut m2 = Adaptive::new(
            SEED,
            AdaptiveConfig {
                overflow_group_min: 1,
                ..cfg
            },
        );
        for i in 0..CHECK_EVERY {
            m2.put(&format!("k{i}"), "v");
        }
        finish_migration(&mut m2);
        until_next_check(&mut m2, "k0");
        finish_migration(&mut m2);
        assert_eq!(m2.backend(), "chaining");
        assert_eq!(group_mask(&m2), GROUP_BITS, "back on 256 groups");
        for k in keys_in_group(42, GROUP_CAPACITY as usize + 1) {
            m2.put(&k, "v");
        }
        until_next_check(&mut m2, "k0");
        assert!(m2.is_migrating(), "overflowing groups must still move it");
    }

    fn group_mask(m: &Adaptive) -> u64 {
        match &m.active {
            Table::Chaining(t) => t.group_count() as u64 - 1,
            Table::RobinHood(_) => panic!("not on chaining"),
        }
    }

    #[test]
    fn a_layout_left_for_skew_is_not_reentered_for_long_probes() {
        // Overflowing groups move it to Robin Hood; probes above the line
        // there must not send it back to the layout the keys defeat.
        let cfg = AdaptiveConfig {
            overflow_group_min: 1,
            max_avg_probe: 1e-9,
            ..quiet()
        };
        let mut m = Adaptive::new(SEED, cfg);
        let over = GROUP_CAPACITY as usize + 1;
        let skew = keys_in_group(42, over);
        for k in &skew {
            m.put(k, "v");
        }
        until_next_check(&mut m, &skew[0]);
        assert!(m.is_migrating());
        finish_migration(&mut m);
        assert!(m.health().avg_probe_estimate.unwrap() > 1e-9);
        for _ in 0..20 {
            until_next_check(&mut m, &skew[0]);
            assert_eq!(m.backend(), "robinhood", "went back to chaining");
        }
    }

    #[test]
    fn compaction_on_demand_drops_tombstones_and_finishes_a_migration() {
        let mut m = on_robinhood(quiet(), 63);
        for i in 0..20 {
            m.del(&format!("x{i}"));
        }
        assert!(m.health().tombstone_ratio.unwrap() > 0.0);
        let mut ev = Vec::new();
        m.take_events(&mut ev);
        m.compact(CompactionSource::Interval);
        assert_eq!(m.health().tombstone_ratio, Some(0.0));
        ev.clear();
        m.take_events(&mut ev);
        assert_eq!(
            ev,
            [MapEvent::Compaction {
                backend: "robinhood",
                source: CompactionSource::Interval
            }]
        );
        // Mid-migration, compaction first moves everything across.
        let cfg = AdaptiveConfig {
            chaining_load_trigger: 1e-9,
            migrate_batch: 1,
            ..quiet()
        };
        let mut m = Adaptive::new(SEED, cfg);
        for i in 0..CHECK_EVERY {
            m.put(&format!("k{i}"), "v");
        }
        assert!(m.is_migrating());
        m.compact(CompactionSource::Interval);
        assert!(!m.is_migrating());
        assert_eq!(m.backend(), "robinhood");
        assert_eq!(m.len(), CHECK_EVERY as usize);
    }

    #[test]
    fn memory_and_probe_histogram_follow_the_live_tables() {
        let cfg = AdaptiveConfig {
            chaining_load_trigger: 1e-9,
            migrate_batch: 1,
            ..quiet()
        };
        let mut m = Adaptive::new(SEED, cfg);
        for i in 0..CHECK_EVERY - 1 {
            m.put(&format!("k{i}"), "v");
        }
        assert_eq!(
            m.probe_hist(),
            Vec::<[u64; 2]>::new(),
            "chaining has no probes"
        );
        m.put("last", "v");
        assert!(m.is_migrating());
        // Both tables are live: both count.
        let during = m.memory_bytes();
        finish_migration(&mut m);
        let after = m.memory_bytes();
        assert!(during > after, "{during} during vs {after} after");
        let hist = m.probe_hist();
        assert_eq!(hist.iter().map(|p| p[1]).sum::<u64>(), m.len() as u64);
    }

    /// Every threshold's bounds, on both sides: 0 is refused (a share or a
    /// trigger of 0 would fire on an empty table), 1 is the largest share.
    #[test]
    fn thresholds_are_checked_at_their_bounds() {
        let label = |f: &str| format!("--{f}");
        let check = |c: AdaptiveConfig| c.validate(label).map_err(|e| e.detail);
        let base = AdaptiveConfig::default();
        assert_eq!(check(base), Ok(()));
        type Set = fn(&mut AdaptiveConfig, f64);
        let fields: [(&str, Set, bool); 4] = [
            (
                "overflow_group_share",
                |c, v| c.overflow_group_share = v,
                true,
            ),
            (
                "chaining_load_trigger",
                |c, v| c.chaining_load_trigger = v,
                false,
            ),
            ("max_avg_probe", |c, v| c.max_avg_probe = v, false),
            ("tombstone_trigger", |c, v| c.tombstone_trigger = v, true),
        ];
        for (name, set, fraction) in fields {
            let with = |v: f64| {
                let mut c = base;
                set(&mut c, v);
                check(c)
            };
            for bad in [0.0, -0.5, f64::NAN] {
                let e = with(bad).expect_err(name);
                assert!(e.contains(&format!("--{name}")), "{e}");
            }
            assert_eq!(with(1e-9), Ok(()), "{name} just above 0");
            assert_eq!(with(1.0), Ok(()), "{name} at 1");
            if fraction {
                assert!(with(1.000001).unwrap_err().contains("at most 1"), "{name}");
            } else {
                assert_eq!(with(50.0), Ok(()), "{name} above 1");
                assert!(with(f64::INFINITY).is_err(), "{name} infinite");
            }
        }
        let mut c = base;
        c.migrate_batch = 0;
        assert!(
            check(c)
                .unwrap_err()
                .contains("--migrate_batch must be at least 1")
        );
        let mut c = base;
        c.migrate_batch = 1;
        assert_eq!(check(c), Ok(()));
    }
}
