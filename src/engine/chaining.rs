//! Two-level chaining, the `fast-insert` mode.
//!
//! The table is `buckets × GROUPS_PER_BUCKET` small groups: the low bits of
//! the hash pick the bucket, the next bits the group within it, which together
//! are simply the low bits of the hash over a flat array of groups. A put
//! appends to a short vector and never moves other entries, which is what
//! makes inserts cheap; a group longer than `GROUP_CAPACITY` "overflows", and
//! the number of overflowing groups is the skew signal the adaptive mode
//! watches.

use super::{CompactionSource, Health, Map, MapEvent, str_bytes};
use crate::hashing::hash_key;

/// Groups per bucket (the second level). A power of two.
pub const GROUPS_PER_BUCKET: usize = 4;
/// A group holding more entries than this overflows. With a good hash at the
/// maximum load of 1.0 the chance of a group passing 8 entries is about 1e-6,
/// so overflowing groups mean the keys collide, not bad luck.
pub const GROUP_CAPACITY: usize = 8;
/// Grow (double) when live entries / groups passes this.
pub const CHAINING_MAX_LOAD: f64 = 1.0;
const INITIAL_GROUPS: usize = 64 * GROUPS_PER_BUCKET;

pub(crate) struct Entry {
    pub hash: u64,
    pub key: Box<str>,
    pub value: Box<str>,
}

pub struct Chaining {
    groups: Vec<Vec<Entry>>,
    mask: usize,
    len: usize,
    heap_bytes: usize,
    overflowing: usize,
    /// High-water mark of group length since the last rebuild (an O(1)
    /// upper bound; exact right after a rebuild).
    max_group_len: usize,
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
        Self::with_groups(seed, groups)
    }

    fn with_groups(seed: u64, groups: usize) -> Self {
        let mut v = Vec::with_capacity(groups);
        v.resize_with(groups, Vec::new);
        Chaining {
            groups: v,
            mask: groups - 1,
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
    pub(crate) fn get_h(&self, h: u64, key: &str) -> Option<&str> {
        self.groups[h as usize & self.mask]
            .iter()
            .find(|e| e.hash == h && &*e.key == key)
            .map(|e| &*e.value)
    }

    #[inline]
    pub(crate) fn put_h(&mut self, h: u64, key: &str, value: &str) {
        let gi = h as usize & self.mask;
        let group = &mut self.groups[gi];
        if let Some(e) = group.iter_mut().find(|e| e.hash == h && &*e.key == key) {
            self.heap_bytes = self.heap_bytes + str_bytes(value) - str_bytes(&e.value);
            e.value = value.into();
            return;
        }
        group.push(Entry {
            hash: h,
            key: key.into(),
            value: value.into(),
        });
        let glen = group.len();
        self.note_grown_group(glen);
        self.len += 1;
        self.heap_bytes += str_bytes(key) + str_bytes(value);
        if self.len as f64 > self.groups.len() as f64 * CHAINING_MAX_LOAD {
            self.rebuild(self.groups.len() * 2);
        }
    }

    #[inline]
    fn note_grown_group(&mut self, glen: usize) {
        if glen == GROUP_CAPACITY + 1 {
            self.overflowing += 1;
        }
        if glen > self.max_group_len {
            self.max_group_len = glen;
        }
    }

    #[inline]
    pub(crate) fn del_h(&mut self, h: u64, key: &str) -> bool {
        let group = &mut self.groups[h as usize & self.mask];
        let Some(pos) = group.iter().position(|e| e.hash == h && &*e.key == key) else {
            return false;
        };
        let e = group.swap_remove(pos);
        if group.len() == GROUP_CAPACITY {
            self.overflowing -= 1;
        }
        self.len -= 1;
        self.heap_bytes -= str_bytes(&e.key) + str_bytes(&e.value);
        true
    }

    /// Remove up to `n` entries, handing each to `sink` (used to migrate away).
    pub(crate) fn drain_some(&mut self, n: usize, sink: &mut dyn FnMut(u64, &str, &str)) {
        let mut moved = 0;
        while moved < n && self.drain_cursor < self.groups.len() {
            let group = &mut self.groups[self.drain_cursor];
            match group.pop() {
                Some(e) => {
                    if group.len() == GROUP_CAPACITY {
                        self.overflowing -= 1;
                    }
                    self.len -= 1;
                    self.heap_bytes -= str_bytes(&e.key) + str_bytes(&e.value);
                    sink(e.hash, &e.key, &e.value);
                    moved += 1;
                }
                None => {
                    // Free the emptied group's memory as we go.
                    *group = Vec::new();
                    self.drain_cursor += 1;
                }
            }
        }
    }

    fn rebuild(&mut self, groups: usize) {
        let mut fresh: Vec<Vec<Entry>> = Vec::with_capacity(groups);
        fresh.resize_with(groups, Vec::new);
        let mask = groups - 1;
        for group in self.groups.drain(..) {
            for e in group {
                fresh[e.hash as usize & mask].push(e);
            }
        }
        self.groups = fresh;
        self.mask = mask;
        self.recount();
    }

    fn recount(&mut self) {
        self.overflowing = self
            .groups
            .iter()
            .filter(|g| g.len() > GROUP_CAPACITY)
            .count();
        self.max_group_len = self.groups.iter().map(Vec::len).max().unwrap_or(0);
    }

    pub(crate) fn for_each_hashed(&self, f: &mut dyn FnMut(&str, &str)) {
        for e in self.groups.iter().flatten() {
            f(&e.key, &e.value);
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
        let headers = self.groups.capacity() * std::mem::size_of::<Vec<Entry>>();
        let entries: usize = self
            .groups
            .iter()
            .map(|g| g.capacity() * std::mem::size_of::<Entry>())
            .sum();
        headers + entries + self.heap_bytes
    }
    fn health(&self) -> Health {
        Health {
            load_factor: self.load_factor(),
            max_group_len: Some(self.max_group_len),
            avg_probe_estimate: None,
            tombstone_ratio: None,
        }
    }
    fn compact(&mut self, source: CompactionSource) {
        // Chaining has no tombstones: compaction releases slack in the groups.
        for g in &mut self.groups {
            g.shrink_to_fit();
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
        self.for_each_hashed(f);
    }
}
