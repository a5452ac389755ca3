//! Robin Hood linear probing with tombstones: `fast-lookup` and `memory-tight`.
//!
//! Every slot remembers its probe distance (how far it sits from its home
//! slot). An insert takes the slot of any entry that is closer to home than
//! itself, so probe sequences stay sorted by distance and a lookup can stop
//! as soon as it meets a slot closer to home than it is. A delete leaves a
//! tombstone that keeps its distance, so that rule still holds for the keys
//! behind it; a put always searches past tombstones before it inserts, so a
//! key can never exist twice (the original Python tool's bug).
//!
//! Probes read a compact array of (distance, 32-bit hash tag) and touch an
//! entry only when the tag matches. The two modes share the algorithm and
//! differ in entry layout and policy: `fast-lookup` keeps each entry's full
//! hash so a rebuild never rehashes; `memory-tight` does not, runs at a
//! higher load and shrinks when sparse.

use super::kv::KvBox;
use super::{CompactionSource, Health, Map, MapEvent};
use crate::hashing::hash_key;

const EMPTY: u32 = u32::MAX;
const MIN_SLOTS: usize = 64;
/// Compaction needs at least this many tombstones, so tiny tables do not
/// rebuild on every other delete.
pub const MIN_TOMBSTONES_TO_COMPACT: usize = 32;
/// Compact when tombstones / (live + tombstones) reaches this. At 0.25 a
/// quarter of every probe sequence is dead weight; rebuilding costs O(n) and
/// needs another n/3 deletes to trigger again, so it is O(1) amortised.
pub const DEFAULT_TOMBSTONE_TRIGGER: f64 = 0.25;

/// How an entry is stored in a slot.
pub trait RhEntry: Sized {
    const BACKEND: &'static str;
    fn new(hash: u64, key: &str, value: &str) -> Self;
    /// The full hash, stored or recomputed.
    fn hash(&self, seed: u64) -> u64;
    fn key(&self) -> &str;
    fn value(&self) -> &str;
    fn set_value(&mut self, value: &str);
    fn heap_bytes(&self) -> usize;
}

/// `fast-lookup`'s entry: the pair plus its full hash, so rebuilding the
/// table never rehashes a key.
pub struct Pair {
    hash: u64,
    kv: KvBox,
}

impl RhEntry for Pair {
    const BACKEND: &'static str = "robinhood";
    #[inline]
    fn new(hash: u64, key: &str, value: &str) -> Self {
        Pair {
            hash,
            kv: KvBox::new(key, value),
        }
    }
    #[inline]
    fn hash(&self, _seed: u64) -> u64 {
        self.hash
    }
    #[inline]
    fn key(&self) -> &str {
        self.kv.key()
    }
    fn value(&self) -> &str {
        self.kv.value()
    }
    fn set_value(&mut self, value: &str) {
        self.kv.set_value(value);
    }
    fn heap_bytes(&self) -> usize {
        self.kv.heap_bytes()
    }
}

/// `memory-tight`'s entry: just the pair; the hash is recomputed when the
/// table is rebuilt (8 bytes a slot saved for some CPU at resize time).
pub struct Packed(KvBox);

impl RhEntry for Packed {
    const BACKEND: &'static str = "robinhood";
    fn new(_hash: u64, key: &str, value: &str) -> Self {
        Packed(KvBox::new(key, value))
    }
    fn hash(&self, seed: u64) -> u64 {
        hash_key(self.0.key().as_bytes(), seed)
    }
    #[inline]
    fn key(&self) -> &str {
        self.0.key()
    }
    fn value(&self) -> &str {
        self.0.value()
    }
    fn set_value(&mut self, value: &str) {
        self.0.set_value(value);
    }
    fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

/// Tuning that tells `fast-lookup` and `memory-tight` apart.
#[derive(Debug, Clone, Copy)]
pub struct RhPolicy {
    /// Grow when (live + tombstones) / slots passes this.
    pub max_load: f64,
    /// Shrink when live / slots falls below this (0 = never shrink).
    pub min_load: f64,
    pub tombstone_trigger: f64,
}

/// 0.85 keeps the mean successful probe length near 2 slots.
pub const FAST_LOOKUP_POLICY: RhPolicy = RhPolicy {
    max_load: 0.85,
    min_load: 0.0,
    tombstone_trigger: DEFAULT_TOMBSTONE_TRIGGER,
};
/// 0.95 trades longer probes for fewer empty slots; shrinking at 0.20
/// returns memory after mass deletes.
pub const MEMORY_TIGHT_POLICY: RhPolicy = RhPolicy {
    max_load: 0.95,
    min_load: 0.20,
    tombstone_trigger: DEFAULT_TOMBSTONE_TRIGGER,
};

/// What a probe reads: eight bytes per slot, eight slots per cache line,
/// so walking a probe sequence rarely touches the entries themselves.
#[derive(Clone, Copy)]
struct Meta {
    /// Probe distance; `EMPTY` for a never-used slot. A slot with a distance
    /// and no entry is a tombstone.
    dist: u32,
    /// The hash's lower 32 bits: a key is compared only when its tag matches.
    tag: u32,
}

const EMPTY_META: Meta = Meta {
    dist: EMPTY,
    tag: 0,
};

/// The tag is the hash's low half: the home slot comes from the high bits
/// (see `home`), so the two stay independent.
#[inline]
fn tag_of(h: u64) -> u32 {
    h as u32
}

/// How many live entries sit at each probe distance, and the sum of those
/// distances.
#[derive(Default)]
struct DistanceCounts {
    /// `counts[d]`: live entries `d` slots from home. Grows to the longest
    /// distance seen, which a healthy table keeps in the tens.
    counts: Vec<u64>,
    total: u64,
}

impl DistanceCounts {
    #[inline]
    fn add(&mut self, d: u32) {
        let d = d as usize;
        if d >= self.counts.len() {
            self.counts.resize(d + 1, 0);
        }
        self.counts[d] += 1;
        self.total += d as u64;
    }

    #[inline]
    fn remove(&mut self, d: u32) {
        self.counts[d as usize] -= 1;
        self.total -= u64::from(d);
    }

    fn clear(&mut self) {
        self.counts.clear();
        self.total = 0;
    }

    /// `[distance, count]` pairs for the distances that hold entries, nearest first.
    fn pairs(&self) -> Vec<[u64; 2]> {
        (0u64..)
            .zip(&self.counts)
            .filter(|&(_, &c)| c > 0)
            .map(|(d, &c)| [d, c])
            .collect()
    }
}

pub struct RobinHood<E: RhEntry> {
    meta: Vec<Meta>,
    entries: Vec<Option<E>>,
    mask: usize,
    /// 64 − log2(slots): a key's home slot is the top bits of its hash.
    shift: u32,
    len: usize,
    tombstones: usize,
    /// Probe distances of the live entries, kept exact in O(1) per
    /// operation: their sum gives the average probe estimate, their counts
    /// the ticks' `probe_hist`, without a scan of the table.
    dists: DistanceCounts,
    heap_bytes: usize,
    policy: RhPolicy,
    seed: u64,
    events: Vec<MapEvent>,
    /// While draining for a migration the table must not rebuild under the cursor.
    drain_cursor: Option<usize>,
}

pub type FastLookup = RobinHood<Pair>;
pub type MemoryTight = RobinHood<Packed>;

impl RobinHood<Pair> {
    pub fn fast_lookup(seed: u64) -> Self {
        Self::new(seed, FAST_LOOKUP_POLICY)
    }
}

impl RobinHood<Packed> {
    pub fn memory_tight(seed: u64) -> Self {
        Self::new(seed, MEMORY_TIGHT_POLICY)
    }
}

fn empty_entries<E>(n: usize) -> Vec<Option<E>> {
    let mut v = Vec::with_capacity(n);
    v.resize_with(n, || None);
    v
}

impl<E: RhEntry> RobinHood<E> {
    pub fn new(seed: u64, policy: RhPolicy) -> Self {
        Self::with_slots(seed, policy, MIN_SLOTS)
    }

    /// A table sized so `n` entries fit without growing.
    pub fn with_capacity(seed: u64, policy: RhPolicy, n: usize) -> Self {
        Self::with_slots(seed, policy, Self::slots_for(n, policy.max_load))
    }

    fn slots_for(n: usize, max_load: f64) -> usize {
        (((n + 1) as f64 / max_load).ceil() as usize)
            .next_power_of_two()
            .max(MIN_SLOTS)
    }

    fn with_slots(seed: u64, policy: RhPolicy, n: usize) -> Self {
        RobinHood {
            meta: vec![EMPTY_META; n],
            entries: empty_entries(n),
            mask: n - 1,
            shift: 64 - n.trailing_zeros(),
            len: 0,
            tombstones: 0,
            dists: DistanceCounts::default(),
            heap_bytes: 0,
            policy,
            seed,
            events: Vec::new(),
            drain_cursor: None,
        }
    }

    pub fn set_tombstone_trigger(&mut self, ratio: f64) {
        self.policy.tombstone_trigger = ratio;
    }

    pub fn capacity(&self) -> usize {
        self.meta.len()
    }

    pub fn avg_probe(&self) -> f64 {
        if self.len == 0 {
            0.0
        } else {
            self.dists.total as f64 / self.len as f64
        }
    }

    pub fn tombstone_ratio(&self) -> f64 {
        let used = self.len + self.tombstones;
        if used == 0 {
            0.0
        } else {
            self.tombstones as f64 / used as f64
        }
    }

    /// A key's home slot: the top bits of its hash. Keys made to collide
    /// in the low bits (what a modulo-indexed table and chaining's groups
    /// use) still spread here, which is why adaptive migrates to this
    /// table when chaining's groups overflow.
    #[inline]
    fn home(&self, h: u64) -> usize {
        (h >> self.shift) as usize
    }

    #[inline]
    fn find(&self, h: u64, key: &str) -> Option<usize> {
        let tag = tag_of(h);
        let mut i = self.home(h);
        let mut d = 0u32;
        loop {
            let m = self.meta[i];
            // An empty slot, or one closer to home than we are, ends the
            // search: the key would have taken that slot.
            if m.dist == EMPTY || m.dist < d {
                return None;
            }
            if m.tag == tag
                && let Some(e) = &self.entries[i]
                && e.key() == key
            {
                return Some(i);
            }
            i = (i + 1) & self.mask;
            d += 1;
        }
    }

    #[inline]
    pub(crate) fn get_h(&self, h: u64, key: &str) -> Option<&str> {
        self.find(h, key)
            .and_then(|i| self.entries[i].as_ref())
            .map(|e| e.value())
    }

    #[inline]
    pub(crate) fn put_h(&mut self, h: u64, key: &str, value: &str) {
        if let Some(i) = self.find(h, key) {
            if let Some(e) = self.entries[i].as_mut() {
                self.heap_bytes -= e.heap_bytes();
                e.set_value(value);
                self.heap_bytes += e.heap_bytes();
            }
            return;
        }
        let slots = self.capacity();
        if (self.len + self.tombstones + 1) as f64 > slots as f64 * self.policy.max_load {
            let mut target = Self::slots_for(self.len + 1, self.policy.max_load);
            if target <= slots && self.tombstones * 8 < self.len + self.tombstones {
                // Dropping the few tombstones would buy little room: grow.
                target = slots * 2;
            }
            self.rebuild(target.max(slots));
        }
        let e = E::new(h, key, value);
        self.heap_bytes += e.heap_bytes();
        self.len += 1;
        self.insert_new(h, e);
    }

    /// Place an entry known to be absent, displacing richer entries.
    fn insert_new(&mut self, h: u64, mut cur: E) {
        let mut tag = tag_of(h);
        let mut i = self.home(h);
        let mut d = 0u32;
        loop {
            let m = &mut self.meta[i];
            if m.dist == EMPTY {
                *m = Meta { dist: d, tag };
                self.entries[i] = Some(cur);
                self.dists.add(d);
                return;
            }
            let slot = &mut self.entries[i];
            match slot {
                None if m.dist <= d => {
                    // A tombstone no further from home than us: reuse it. Its
                    // distance only grows, so keys behind it still find their way.
                    *m = Meta { dist: d, tag };
                    *slot = Some(cur);
                    self.tombstones -= 1;
                    self.dists.add(d);
                    return;
                }
                Some(resident) if m.dist < d => {
                    // Rob the rich: take this slot and carry its entry onwards.
                    std::mem::swap(resident, &mut cur);
                    let evicted = *m;
                    *m = Meta { dist: d, tag };
                    self.dists.add(d);
                    self.dists.remove(evicted.dist);
                    d = evicted.dist;
                    tag = evicted.tag;
                }
                _ => {}
            }
            i = (i + 1) & self.mask;
            d += 1;
        }
    }

    #[inline]
    pub(crate) fn del_h(&mut self, h: u64, key: &str) -> bool {
        let Some(i) = self.find(h, key) else {
            return false;
        };
        self.remove_at(i);
        if self.drain_cursor.is_none() {
            self.maintain_after_delete();
        }
        true
    }

    fn remove_at(&mut self, i: usize) {
        if let Some(e) = self.entries[i].take() {
            self.heap_bytes -= e.heap_bytes();
            self.dists.remove(self.meta[i].dist);
            self.len -= 1;
            self.tombstones += 1;
        }
    }

    fn maintain_after_delete(&mut self) {
        if self.tombstones >= MIN_TOMBSTONES_TO_COMPACT
            && self.tombstone_ratio() >= self.policy.tombstone_trigger
        {
            self.compact(CompactionSource::Auto);
        } else if self.policy.min_load > 0.0
            && self.capacity() > MIN_SLOTS
            && (self.len as f64) < self.capacity() as f64 * self.policy.min_load
        {
            // Shrinking also drops every tombstone, but it is a resize, not
            // a compaction event.
            let target = Self::slots_for(self.len, self.policy.max_load);
            self.rebuild(target.min(self.capacity()));
        }
    }

    /// Rehash every live entry into `n` fresh slots (drops all tombstones).
    fn rebuild(&mut self, n: usize) {
        let old = std::mem::replace(&mut self.entries, empty_entries(n));
        self.meta = vec![EMPTY_META; n];
        self.mask = n - 1;
        self.shift = 64 - n.trailing_zeros();
        self.tombstones = 0;
        self.dists.clear();
        for e in old.into_iter().flatten() {
            let h = e.hash(self.seed);
            self.insert_new(h, e);
        }
    }

    /// Remove up to `n` entries, handing each to `sink` (used to migrate
    /// away). Removed slots become tombstones so lookups of the keys not yet
    /// moved still work.
    pub(crate) fn drain_some(&mut self, n: usize, sink: &mut dyn FnMut(u64, &str, &str)) {
        let mut cursor = self.drain_cursor.unwrap_or(0);
        let mut moved = 0;
        while moved < n && cursor < self.capacity() {
            if let Some(e) = self.entries[cursor].as_ref() {
                sink(e.hash(self.seed), e.key(), e.value());
                self.remove_at(cursor);
                moved += 1;
            }
            cursor += 1;
        }
        self.drain_cursor = Some(cursor);
    }
}

impl<E: RhEntry> Map for RobinHood<E> {
    fn put(&mut self, key: &str, value: &str) {
        self.put_h(hash_key(key.as_bytes(), self.seed), key, value);
    }
    fn get(&self, key: &str) -> Option<&str> {
        self.get_h(hash_key(key.as_bytes(), self.seed), key)
    }
    fn del(&mut self, key: &str) -> bool {
        self.del_h(hash_key(key.as_bytes(), self.seed), key)
    }
    fn len(&self) -> usize {
        self.len
    }
    fn backend(&self) -> String {
        E::BACKEND.into()
    }
    fn memory_bytes(&self) -> usize {
        self.meta.capacity() * std::mem::size_of::<Meta>()
            + self.entries.capacity() * std::mem::size_of::<Option<E>>()
            + self.heap_bytes
    }
    fn health(&self) -> Health {
        Health {
            load_factor: self.len as f64 / self.capacity() as f64,
            max_group_len: None,
            avg_probe_estimate: Some(self.avg_probe()),
            tombstone_ratio: Some(self.tombstone_ratio()),
        }
    }
    fn probe_hist(&self) -> Vec<[u64; 2]> {
        self.dists.pairs()
    }
    fn compact(&mut self, source: CompactionSource) {
        let target = Self::slots_for(self.len, self.policy.max_load);
        let n = if self.policy.min_load > 0.0 {
            target
        } else {
            target.max(self.capacity())
        };
        self.rebuild(n);
        self.events.push(MapEvent::Compaction {
            backend: E::BACKEND,
            source,
        });
    }
    fn take_events(&mut self, out: &mut Vec<MapEvent>) {
        out.append(&mut self.events);
    }
    fn for_each(&self, f: &mut dyn FnMut(&str, &str)) {
        for e in self.entries.iter().flatten() {
            f(e.key(), e.value());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_after_tombstone_does_not_duplicate() {
        // Force every key to the same home slot with a constant hash.
        let mut m = RobinHood::<Pair>::fast_lookup(0);
        m.put_h(0, "a", "1");
        m.put_h(0, "b", "2");
        m.put_h(0, "c", "3");
        assert!(m.del_h(0, "a"));
        // "c" lives past the tombstone left by "a": updating it must not
        // reuse the tombstone as a second copy.
        m.put_h(0, "c", "33");
        assert_eq!(m.len(), 2);
        assert_eq!(m.get_h(0, "c"), Some("33"));
        let mut n = 0;
        m.for_each(&mut |k, _| n += usize::from(k == "c"));
        assert_eq!(n, 1);
        assert!(m.del_h(0, "c"));
        assert_eq!(m.get_h(0, "c"), None);
    }

    /// The probe histogram a scan of the table finds.
    fn scanned_probe_hist<E: RhEntry>(m: &RobinHood<E>) -> Vec<[u64; 2]> {
        let mut counts = std::collections::BTreeMap::new();
        for (meta, e) in m.meta.iter().zip(&m.entries) {
            if e.is_some() {
                *counts.entry(u64::from(meta.dist)).or_insert(0u64) += 1;
            }
        }
        counts.into_iter().map(|(d, c)| [d, c]).collect()
    }

    #[test]
    fn probe_histogram_is_kept_exact_through_robbing_deletes_and_rebuilds() {
        let mut m = RobinHood::<Pair>::fast_lookup(7);
        // Hashes that share their top bits crowd a few homes, so inserts
        // rob, tombstones get reused, and the table grows and compacts.
        let h = |i: u64| (i % 5) << 60 | i;
        for round in 0..6u64 {
            for i in 0..700u64 {
                m.put_h(h(i + round * 300), &format!("k{}", i + round * 300), "v");
            }
            for i in (0..700u64).step_by(3) {
                m.del_h(h(i + round * 300), &format!("k{}", i + round * 300));
            }
            let hist = m.probe_hist();
            assert_eq!(hist, scanned_probe_hist(&m), "round {round}");
            assert_eq!(hist.iter().map(|p| p[1]).sum::<u64>(), m.len() as u64);
            let total: u64 = hist.iter().map(|p| p[0] * p[1]).sum();
            assert_eq!(total as f64 / m.len() as f64, m.avg_probe());
            assert!(hist.iter().any(|p| p[0] > 3), "keys must crowd: {hist:?}");
        }
    }

    #[test]
    fn well_spread_keys_sit_near_home() {
        // What the layout promises at load ≤ 0.85: a mean probe distance
        // under 2 and no long runs, in both entry layouts.
        let mut fast = RobinHood::<Pair>::fast_lookup(3);
        let mut tight = RobinHood::<Packed>::memory_tight(3);
        for i in 0..5000 {
            fast.put(&format!("key{i}"), "v");
            tight.put(&format!("key{i}"), "v");
        }
        assert!(fast.avg_probe() < 2.0, "{}", fast.avg_probe());
        assert!(tight.avg_probe() < 6.0, "{}", tight.avg_probe());
        let longest = fast.probe_hist().last().unwrap()[0];
        assert!(longest < 40, "a probe run of {longest}");
    }

    #[test]
    fn slot_layouts_differ_in_size() {
        assert!(std::mem::size_of::<Option<Packed>>() < std::mem::size_of::<Option<Pair>>());
    }

    #[test]
    fn tombstones_trigger_compaction() {
        let mut m = RobinHood::<Pair>::fast_lookup(0);
        for i in 0..1000 {
            m.put(&format!("k{i}"), "v");
        }
        for i in 0..400 {
            m.del(&format!("k{i}"));
        }
        let mut ev = Vec::new();
        m.take_events(&mut ev);
        // A quarter of the slots dead: one automatic compaction (a resize
        // would be no event, an interval compaction another source).
        assert!(!ev.is_empty());
        assert!(
            ev.iter().all(|e| *e
                == MapEvent::Compaction {
                    backend: "robinhood",
                    source: CompactionSource::Auto
                }),
            "{ev:?}"
        );
        assert!(m.tombstone_ratio() < DEFAULT_TOMBSTONE_TRIGGER);
        assert_eq!(m.len(), 600);
        for i in 0..1000 {
            assert_eq!(m.get(&format!("k{i}")).is_some(), i >= 400, "k{i}");
        }
    }

    #[test]
    fn draining_moves_exactly_the_batch_and_every_entry_once() {
        let mut m = RobinHood::<Pair>::fast_lookup(0);
        for i in 0..100 {
            m.put(&format!("k{i}"), "v");
        }
        let mut seen = Vec::new();
        m.drain_some(3, &mut |_, k, _| seen.push(k.to_string()));
        assert_eq!(seen.len(), 3);
        assert_eq!(m.len(), 97);
        while !m.is_empty() {
            let before = seen.len();
            m.drain_some(7, &mut |_, k, _| seen.push(k.to_string()));
            assert!(seen.len() - before <= 7);
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 100);
    }

    #[test]
    fn memory_tight_shrinks_when_sparse_and_only_then() {
        // Compaction off, so only the shrink rule can make the table smaller.
        let mut m = RobinHood::<Packed>::memory_tight(0);
        m.set_tombstone_trigger(1.0);
        for i in 0..10_000 {
            m.put(&format!("k{i}"), "v");
        }
        let big = m.capacity();
        for i in 0..1_000 {
            m.del(&format!("k{i}"));
        }
        assert_eq!(m.capacity(), big, "90% full is not sparse");
        assert!(m.tombstone_ratio() > 0.0, "no rebuild while not sparse");
        for i in 1_000..5_000 {
            m.del(&format!("k{i}"));
        }
        assert_eq!(m.capacity(), big, "half full (above 0.2) is not sparse");
        for i in 5_000..9_900 {
            m.del(&format!("k{i}"));
        }
        assert!(m.capacity() < big / 8, "{} vs {big}", m.capacity());
        let mut ev = Vec::new();
        m.take_events(&mut ev);
        assert!(ev.is_empty(), "a shrink is not a compaction: {ev:?}");
        assert_eq!(m.get("k9999"), Some("v"));
        // At the minimum size there is nothing to shrink: tombstones stay.
        let mut small = RobinHood::<Packed>::memory_tight(0);
        small.set_tombstone_trigger(1.0);
        for i in 0..10 {
            small.put(&format!("k{i}"), "v");
        }
        for i in 0..5 {
            small.del(&format!("k{i}"));
        }
        assert_eq!(small.capacity(), MIN_SLOTS);
        assert!(small.tombstone_ratio() > 0.0, "rebuilt at the minimum size");
    }

    #[test]
    fn grows_past_the_load_limit_unless_dropping_tombstones_makes_room() {
        let fresh = || {
            let mut m = RobinHood::<Pair>::fast_lookup(0);
            m.set_tombstone_trigger(1.0);
            m
        };
        // 64 slots at 0.85: 54 fit, the 55th grows the table.
        let mut m = fresh();
        assert_eq!(
            m.memory_bytes(),
            64 * (std::mem::size_of::<Meta>() + std::mem::size_of::<Option<Pair>>())
        );
        for i in 0..54 {
            m.put(&format!("k{i}"), "v");
        }
        assert_eq!(m.capacity(), 64);
        m.put("k54", "v");
        assert_eq!(m.capacity(), 128);
        // Few tombstones (2 of 54 used): dropping them buys little, grow.
        let mut m = fresh();
        for i in 0..54 {
            m.put(&format!("k{i}"), "v");
        }
        m.del("k0");
        m.del("k1");
        m.put("new", "v");
        assert_eq!(m.capacity(), 128, "a few tombstones: grow");
        // Many (20 of 54): rebuild at the same size without them.
        let mut m = fresh();
        for i in 0..54 {
            m.put(&format!("k{i}"), "v");
        }
        for i in 0..20 {
            m.del(&format!("k{i}"));
        }
        m.put("new", "v");
        assert_eq!(m.capacity(), 64, "many tombstones: rebuild in place");
        assert_eq!(m.tombstone_ratio(), 0.0);
        assert_eq!(m.len(), 35);
        // The rule's edge: tombstones under an eighth of the 54 used slots
        // grow the table (6 × 8 < 54), an eighth or more rebuild it (7 × 8 ≥ 54),
        // down to a table of nothing but tombstones.
        for (deleted, capacity) in [(6, 128), (7, 64), (54, 64)] {
            let mut m = fresh();
            for i in 0..54 {
                m.put(&format!("k{i}"), "v");
            }
            for i in 0..deleted {
                m.del(&format!("k{i}"));
            }
            m.put("new", "v");
            assert_eq!(m.capacity(), capacity, "{deleted} tombstones of 54");
            assert_eq!(m.len(), 55 - deleted);
        }
    }

    #[test]
    fn fast_lookup_never_shrinks_even_when_compacted() {
        let mut m = RobinHood::<Pair>::fast_lookup(0);
        m.set_tombstone_trigger(1.0);
        for i in 0..10_000 {
            m.put(&format!("k{i}"), "v");
        }
        let big = m.capacity();
        for i in 0..9_900 {
            m.del(&format!("k{i}"));
        }
        m.compact(CompactionSource::Interval);
        assert_eq!(m.capacity(), big, "fast-lookup keeps its room");
        assert_eq!(m.tombstone_ratio(), 0.0);
        assert_eq!(m.len(), 100);
    }

    #[test]
    fn memory_tight_shrinks() {
        let mut m = RobinHood::<Packed>::memory_tight(0);
        for i in 0..10_000 {
            m.put(&format!("k{i}"), "v");
        }
        let big = m.capacity();
        for i in 0..9_900 {
            m.del(&format!("k{i}"));
        }
        assert!(m.capacity() < big / 8, "{} vs {big}", m.capacity());
        assert_eq!(m.get("k9999"), Some("v"));
    }

    /// A put that lands on a tombstone reuses the slot and the tombstone
    /// is no longer counted (hashes chosen so every key's home is slot 0).
    #[test]
    fn a_reused_tombstone_is_no_longer_counted() {
        let mut m = RobinHood::<Pair>::fast_lookup(0);
        m.put_h(7, "a", "1");
        m.put_h(9, "b", "2");
        assert!(m.del_h(7, "a"));
        assert_eq!(m.tombstone_ratio(), 0.5, "1 tombstone, 1 live");
        m.put_h(11, "c", "3");
        assert_eq!(m.tombstone_ratio(), 0.0, "slot 0 reused");
        assert_eq!((m.len(), m.capacity()), (2, 64));
        assert_eq!((m.get_h(9, "b"), m.get_h(11, "c")), (Some("2"), Some("3")));
        assert!(m.del_h(11, "c"));
        assert_eq!(
            m.tombstone_ratio(),
            0.5,
            "counted again from the right count"
        );
    }

    /// A compaction sizes memory-tight to its live entries (it may shrink);
    /// fast-lookup keeps its size.
    #[test]
    fn compaction_shrinks_memory_tight_only() {
        let mut tight = RobinHood::<Packed>::memory_tight(0);
        let mut fast = RobinHood::<Pair>::fast_lookup(0);
        tight.set_tombstone_trigger(1.0);
        fast.set_tombstone_trigger(1.0);
        for i in 0..200 {
            tight.put(&format!("k{i}"), "v");
            fast.put(&format!("k{i}"), "v");
        }
        for i in 0..140 {
            tight.del(&format!("k{i}"));
            fast.del(&format!("k{i}"));
        }
        // 60 live of 256 slots: above memory-tight's 20%, so no shrink yet.
        assert_eq!((tight.capacity(), fast.capacity()), (256, 256));
        tight.compact(CompactionSource::Interval);
        fast.compact(CompactionSource::Interval);
        assert_eq!(tight.capacity(), 128, "61 / 0.95 rounds up to 128");
        assert_eq!(fast.capacity(), 256);
        assert_eq!((tight.len(), fast.len()), (60, 60));
    }
}
