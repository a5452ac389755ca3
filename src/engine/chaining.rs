//! Two-level chaining, the `fast-insert` mode.
//!
//! The table is `buckets × GROUPS_PER_BUCKET` groups: the low bits of the
//! hash pick the bucket, the next bits the group within it, which together
//! are simply the low bits of the hash over a flat array of group heads.
//! Entries live in one arena and a group is a chain of arena indices, so a
//! put appends to the arena and links one index, and growing the table only
//! relinks indices: no entry ever moves. That is what makes inserts cheap.
//! A group longer than `GROUP_CAPACITY` "overflows"; the number of
//! overflowing groups is the skew signal the adaptive mode watches.

use super::kv::KvBox;
use super::{CompactionSource, Health, Map, MapEvent};
use crate::hashing::hash_key;

/// Groups per bucket (the second level). A power of two.
pub const GROUPS_PER_BUCKET: usize = 4;
/// A group holding more entries than this overflows. With a good hash at the
/// maximum load of 1.0 the chance of a group passing 8 entries is about 1e-6,
/// so overflowing groups mean the keys collide, not bad luck.
pub const GROUP_CAPACITY: u32 = 8;
/// Grow (double the groups) when live entries / groups passes this.
pub const CHAINING_MAX_LOAD: f64 = 1.0;
const INITIAL_GROUPS: usize = 64 * GROUPS_PER_BUCKET;
const NIL: u32 = u32::MAX;

/// A group: the first arena index of its chain and the chain's length,
/// side by side so one cache line holds eight groups.
#[derive(Clone, Copy)]
struct Group {
    head: u32,
    len: u32,
}

const EMPTY_GROUP: Group = Group { head: NIL, len: 0 };

struct Entry {
    hash: u64,
    next: u32,
    kv: KvBox,
}

pub struct Chaining {
    groups: Vec<Group>,
    mask: usize,
    arena: Vec<Entry>,
    /// Free arena slots, linked through `next`.
    free: u32,
    len: usize,
    heap_bytes: usize,
    overflowing: usize,
    /// High-water mark of group length since the last rebuild (an O(1)
    /// upper bound; exact right after a rebuild).
    max_group_len: u32,
    seed: u64,
    events: Vec<MapEvent>,
    /// Next group to drain from during a migration away from this table.
    drain_cursor: usize,
}

impl Chaining {
    pub fn new(seed: u64) -> Self {
        Self::with_groups(seed, INITIAL_GROUPS)
    }

    /// A table sized so `n` entries fit without growing.
    pub fn with_capacity(seed: u64, n: usize) -> Self {
        let groups = ((n as f64 / CHAINING_MAX_LOAD).ceil() as usize)
            .next_power_of_two()
            .max(INITIAL_GROUPS);
        let mut t = Self::with_groups(seed, groups);
        t.arena.reserve(n);
        t
    }

    fn with_groups(seed: u64, groups: usize) -> Self {
        Chaining {
            groups: vec![EMPTY_GROUP; groups],
            mask: groups - 1,
            arena: Vec::new(),
            free: NIL,
            len: 0,
            heap_bytes: 0,
            overflowing: 0,
            max_group_len: 0,
            seed,
            events: Vec::new(),
            drain_cursor: 0,
        }
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Groups holding more than `GROUP_CAPACITY` entries, kept exact on every operation.
    pub fn overflowing_groups(&self) -> usize {
        self.overflowing
    }

    pub fn load_factor(&self) -> f64 {
        self.len as f64 / self.groups.len() as f64
    }

    #[inline]
    fn find(&self, h: u64, key: &str) -> Option<u32> {
        let mut i = self.groups[h as usize & self.mask].head;
        while i != NIL {
            let e = &self.arena[i as usize];
            if e.hash == h && e.kv.key() == key {
                return Some(i);
            }
            i = e.next;
        }
        None
    }

    #[inline]
    pub(crate) fn get_h(&self, h: u64, key: &str) -> Option<&str> {
        self.find(h, key).map(|i| self.arena[i as usize].kv.value())
    }

    #[inline]
    pub(crate) fn put_h(&mut self, h: u64, key: &str, value: &str) {
        if let Some(i) = self.find(h, key) {
            let e = &mut self.arena[i as usize];
            self.heap_bytes -= e.kv.heap_bytes();
            e.kv.set_value(value);
            self.heap_bytes += e.kv.heap_bytes();
            return;
        }
        let gi = h as usize & self.mask;
        let kv = KvBox::new(key, value);
        // What the pair costs on the heap: nothing when it sits inline,
        // as `unlink_done` counts it on the way out.
        self.heap_bytes += kv.heap_bytes();
        let entry = Entry {
            hash: h,
            next: self.groups[gi].head,
            kv,
        };
        let idx = if self.free != NIL {
            let idx = self.free;
            self.free = self.arena[idx as usize].next;
            self.arena[idx as usize] = entry;
            idx
        } else {
            self.arena.push(entry);
            (self.arena.len() - 1) as u32
        };
        let g = &mut self.groups[gi];
        g.head = idx;
        g.len += 1;
        let glen = g.len;
        if glen == GROUP_CAPACITY + 1 {
            self.overflowing += 1;
        }
        self.max_group_len = self.max_group_len.max(glen);
        self.len += 1;
        if self.len as f64 > self.groups.len() as f64 * CHAINING_MAX_LOAD {
            self.relink(self.groups.len() * 2);
        }
    }

    #[inline]
    pub(crate) fn del_h(&mut self, h: u64, key: &str) -> bool {
        let gi = h as usize & self.mask;
        let mut prev = NIL;
        let mut i = self.groups[gi].head;
        while i != NIL {
            let e = &self.arena[i as usize];
            if e.hash == h && e.kv.key() == key {
                let next = e.next;
                if prev == NIL {
                    self.groups[gi].head = next;
                } else {
                    self.arena[prev as usize].next = next;
                }
                self.unlink_done(gi, i);
                return true;
            }
            prev = i;
            i = e.next;
        }
        false
    }

    /// Bookkeeping after arena slot `i` left group `gi`: free it.
    fn unlink_done(&mut self, gi: usize, i: u32) -> (KvBox, u64) {
        let g = &mut self.groups[gi];
        if g.len == GROUP_CAPACITY + 1 {
            self.overflowing -= 1;
        }
        g.len -= 1;
        let e = &mut self.arena[i as usize];
        let kv = std::mem::take(&mut e.kv);
        let hash = e.hash;
        e.next = self.free;
        self.free = i;
        self.len -= 1;
        self.heap_bytes -= kv.heap_bytes();
        (kv, hash)
    }

    /// Remove up to `n` entries, handing each to `sink` (used to migrate away).
    pub(crate) fn drain_some(&mut self, n: usize, sink: &mut dyn FnMut(u64, &str, &str)) {
        let mut moved = 0;
        while moved < n && self.drain_cursor < self.groups.len() {
            let gi = self.drain_cursor;
            let head = self.groups[gi].head;
            if head == NIL {
                self.drain_cursor += 1;
                continue;
            }
            self.groups[gi].head = self.arena[head as usize].next;
            let (kv, h) = self.unlink_done(gi, head);
            sink(h, kv.key(), kv.value());
            moved += 1;
        }
        if self.len == 0 {
            // Fully drained: give the arena's memory back.
            self.arena = Vec::new();
            self.free = NIL;
        }
    }

    /// Re-chain every entry over `groups` fresh groups. Entries stay put.
    fn relink(&mut self, groups: usize) {
        let old = std::mem::replace(&mut self.groups, vec![EMPTY_GROUP; groups]);
        self.mask = groups - 1;
        for g in old {
            let mut i = g.head;
            while i != NIL {
                let e = &mut self.arena[i as usize];
                let next = e.next;
                let ng = &mut self.groups[e.hash as usize & self.mask];
                e.next = ng.head;
                ng.head = i;
                ng.len += 1;
                i = next;
            }
        }
        self.recount();
    }

    fn recount(&mut self) {
        self.overflowing = self
            .groups
            .iter()
            .filter(|g| g.len > GROUP_CAPACITY)
            .count();
        self.max_group_len = self.groups.iter().map(|g| g.len).max().unwrap_or(0);
    }

    fn visit(&self, f: &mut dyn FnMut(&Entry)) {
        for g in &self.groups {
            let mut i = g.head;
            while i != NIL {
                let e = &self.arena[i as usize];
                f(e);
                i = e.next;
            }
        }
    }
}

impl Map for Chaining {
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
        "chaining".into()
    }
    fn memory_bytes(&self) -> usize {
        self.groups.capacity() * std::mem::size_of::<Group>()
            + self.arena.capacity() * std::mem::size_of::<Entry>()
            + self.heap_bytes
    }
    fn health(&self) -> Health {
        Health {
            load_factor: self.load_factor(),
            max_group_len: Some(self.max_group_len as usize),
            avg_probe_estimate: None,
            tombstone_ratio: None,
        }
    }
    fn compact(&mut self, source: CompactionSource) {
        // Chaining has no tombstones: compaction packs the arena (dropping
        // freed slots) and re-chains it.
        let mut old: Vec<Option<Entry>> = std::mem::take(&mut self.arena)
            .into_iter()
            .map(Some)
            .collect();
        self.arena.reserve_exact(self.len);
        for gi in 0..self.groups.len() {
            let mut i = self.groups[gi].head;
            while let Some(e) = old.get_mut(i as usize).and_then(Option::take) {
                i = e.next;
                self.arena.push(e);
            }
        }
        self.free = NIL;
        self.groups.fill(EMPTY_GROUP);
        for (i, e) in self.arena.iter_mut().enumerate() {
            let g = &mut self.groups[e.hash as usize & self.mask];
            e.next = g.head;
            g.head = i as u32;
            g.len += 1;
        }
        self.recount();
        self.events.push(MapEvent::Compaction {
            backend: "chaining",
            source,
        });
    }
    fn take_events(&mut self, out: &mut Vec<MapEvent>) {
        out.append(&mut self.events);
    }
    fn for_each(&self, f: &mut dyn FnMut(&str, &str)) {
        self.visit(&mut |e| f(e.kv.key(), e.kv.value()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes whose low bits put them all in group `g` of a fresh table.
    fn same_group(g: u64, n: usize) -> Vec<u64> {
        (0..n as u64).map(|i| (i << 32) | g).collect()
    }

    #[test]
    fn overflowing_groups_are_counted_up_and_down() {
        let mut t = Chaining::new(0);
        let hs = same_group(5, GROUP_CAPACITY as usize + 2);
        for (i, &h) in hs.iter().enumerate().take(GROUP_CAPACITY as usize) {
            t.put_h(h, &format!("k{i}"), "v");
        }
        assert_eq!(t.overflowing_groups(), 0, "a full group does not overflow");
        t.put_h(hs[8], "k8", "v");
        t.put_h(hs[9], "k9", "v");
        assert_eq!(t.overflowing_groups(), 1, "one group, however long");
        assert_eq!(t.health().max_group_len, Some(10));
        assert!(t.del_h(hs[9], "k9"));
        assert_eq!(t.overflowing_groups(), 1, "9 entries still overflow");
        assert!(t.del_h(hs[8], "k8"));
        assert_eq!(t.overflowing_groups(), 0, "back to 8: no longer");
        // A recount (compaction, growth) judges groups the same way.
        t.compact(CompactionSource::Interval);
        assert_eq!(t.overflowing_groups(), 0, "8 entries after a recount");
        assert_eq!(t.health().max_group_len, Some(8));
        t.put_h(hs[8], "k8", "v");
        t.compact(CompactionSource::Interval);
        assert_eq!(t.overflowing_groups(), 1, "9 entries after a recount");
    }

    #[test]
    fn grows_when_entries_pass_the_groups() {
        let mut t = Chaining::new(0);
        for i in 0..INITIAL_GROUPS {
            t.put(&format!("k{i}"), "v");
        }
        assert_eq!(t.group_count(), INITIAL_GROUPS, "load 1.0 is allowed");
        t.put("one-more", "v");
        assert_eq!(t.group_count(), 2 * INITIAL_GROUPS);
        assert!((0..INITIAL_GROUPS).all(|i| t.get(&format!("k{i}")) == Some("v")));
    }

    #[test]
    fn draining_moves_exactly_the_batch_and_every_entry_once() {
        let mut t = Chaining::new(0);
        for i in 0..100 {
            t.put(&format!("k{i}"), &format!("v{i}"));
        }
        let mut seen = Vec::new();
        t.drain_some(3, &mut |_, k, v| seen.push((k.to_string(), v.to_string())));
        assert_eq!(seen.len(), 3, "a batch of 3 moves 3");
        assert_eq!(t.len(), 97);
        while !t.is_empty() {
            let before = seen.len();
            t.drain_some(7, &mut |_, k, v| seen.push((k.to_string(), v.to_string())));
            assert!(seen.len() - before <= 7);
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 100, "every entry handed over once");
        assert!(seen.iter().all(|(k, v)| k[1..] == v[1..]));
        assert_eq!(
            t.memory_bytes(),
            t.groups.capacity() * std::mem::size_of::<Group>()
        );
    }

    #[test]
    fn memory_is_the_groups_the_arena_and_the_heap_bytes() {
        let mut t = Chaining::new(0);
        assert_eq!(t.backend(), "chaining");
        let group = std::mem::size_of::<Group>();
        let entry = std::mem::size_of::<Entry>();
        assert_eq!(t.memory_bytes(), INITIAL_GROUPS * group);
        t.put("a-key-that-is-long", "and-a-value-too");
        assert_eq!(
            t.memory_bytes(),
            INITIAL_GROUPS * group + t.arena.capacity() * entry + 33
        );
    }

    /// Two keys with the same 64-bit hash are two entries: a lookup, an
    /// update or a delete matches the key, not only the hash (and the key
    /// only under its own hash).
    #[test]
    fn keys_sharing_a_full_hash_stay_apart() {
        let mut t = Chaining::new(0);
        t.put_h(42, "a", "1");
        t.put_h(42, "b", "2");
        assert_eq!(t.len(), 2);
        assert_eq!((t.get_h(42, "a"), t.get_h(42, "b")), (Some("1"), Some("2")));
        assert_eq!(t.get_h(42, "c"), None);
        assert_eq!(t.get_h(43, "a"), None, "the key under another hash");
        assert!(!t.del_h(42, "c"));
        assert!(!t.del_h(43, "a"));
        assert!(t.del_h(42, "b"));
        assert_eq!(
            (t.len(), t.get_h(42, "a"), t.get_h(42, "b")),
            (1, Some("1"), None)
        );
    }

    /// `with_capacity(n)` holds n entries without growing.
    #[test]
    fn with_capacity_sizes_the_groups_for_n() {
        assert_eq!(Chaining::with_capacity(0, 5_000).group_count(), 8_192);
        assert_eq!(Chaining::with_capacity(0, 4_096).group_count(), 4_096);
        assert_eq!(Chaining::with_capacity(0, 3).group_count(), INITIAL_GROUPS);
        let mut t = Chaining::with_capacity(0, 5_000);
        for i in 0..5_000 {
            t.put(&format!("k{i}"), "v");
        }
        assert_eq!(t.group_count(), 8_192, "no growth up to n");
    }
}
