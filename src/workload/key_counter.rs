//! Exact per-key counts for Workload DNA, keyed by the key's 64-bit hash.
//!
//! One random memory access per row is the whole cost of counting, so the
//! table is a flat open-addressing array (16 bytes a slot, load ≤ 0.75: a
//! smaller table stays in cache more often than a sparser one saves
//! probes) and rows arrive in batches: `prefetch` asks for the home slot of
//! each row as it is hashed, so the misses overlap, and `increment` later
//! finds them in cache. A spare word per slot holds a tag of the caller's (Workload
//! DNA keeps where a hot-key candidate's string is), so reading it costs no
//! second lookup.

#[derive(Clone, Copy, Default)]
struct Slot {
    hash: u64,
    /// 0 = empty slot (every stored key has been counted at least once).
    count: u32,
    /// The caller's tag for this key; 0 = none.
    tag: u32,
}

pub struct KeyCounter {
    slots: Vec<Slot>,
    mask: usize,
    len: usize,
}

impl Default for KeyCounter {
    fn default() -> Self {
        Self::with_capacity(1 << 12)
    }
}

impl KeyCounter {
    pub fn with_capacity(n: usize) -> Self {
        let n = (n * 4 / 3).next_power_of_two().max(16);
        KeyCounter {
            slots: vec![Slot::default(); n],
            mask: n - 1,
            len: 0,
        }
    }

    /// Distinct keys counted.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Ask for the home slot of every hash ahead of use, so the cache
    /// misses overlap instead of coming one at a time.
    #[inline]
    pub fn prefetch(&self, hashes: impl Iterator<Item = u64>) {
        #[cfg(target_arch = "x86_64")]
        for h in hashes {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let slot: *const Slot = &self.slots[h as usize & self.mask];
            // SAFETY: SSE is part of x86_64 itself, and a prefetch is a
            // hint that never faults (the address is a live slot anyway).
            unsafe { _mm_prefetch::<_MM_HINT_T0>(slot.cast()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let mut acc = 0u32;
            for h in hashes {
                acc ^= self.slots[h as usize & self.mask].count;
            }
            std::hint::black_box(acc);
        }
    }

    #[inline]
    fn find_or_insert(&mut self, h: u64) -> usize {
        let mut i = h as usize & self.mask;
        loop {
            let s = &self.slots[i];
            if s.count == 0 {
                self.slots[i].hash = h;
                self.len += 1;
                return i;
            }
            if s.hash == h {
                return i;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn find(&self, h: u64) -> Option<usize> {
        let mut i = h as usize & self.mask;
        loop {
            let s = &self.slots[i];
            if s.count == 0 {
                return None;
            }
            if s.hash == h {
                return Some(i);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Count one more occurrence; returns (new count, the key's tag).
    #[inline]
    pub fn increment(&mut self, h: u64) -> (u32, u32) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let i = self.find_or_insert(h);
        let s = &mut self.slots[i];
        s.count = s.count.saturating_add(1);
        (s.count, s.tag)
    }

    /// The counts of `hashes`, in order, with the lookups prefetched a
    /// few ahead (they are random reads over the whole table).
    pub fn counts_of(&self, hashes: &[u64]) -> Vec<u32> {
        const AHEAD: usize = 16;
        self.prefetch(hashes.iter().take(AHEAD).copied());
        (0..hashes.len())
            .map(|i| {
                if let Some(&h) = hashes.get(i + AHEAD) {
                    self.prefetch(std::iter::once(h));
                }
                self.count(hashes[i])
            })
            .collect()
    }

    pub fn count(&self, h: u64) -> u32 {
        self.find(h).map_or(0, |i| self.slots[i].count)
    }

    pub fn set_tag(&mut self, h: u64, tag: u32) {
        if let Some(i) = self.find(h) {
            self.slots[i].tag = tag;
        }
    }

    pub fn tag(&self, h: u64) -> u32 {
        self.find(h).map_or(0, |i| self.slots[i].tag)
    }

    /// Every key's count, in no order.
    pub fn counts(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots.iter().filter(|s| s.count > 0).map(|s| s.count)
    }

    fn grow(&mut self) {
        let n = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); n]);
        self.mask = n - 1;
        for s in old.into_iter().filter(|s| s.count > 0) {
            let mut i = s.hash as usize & self.mask;
            while self.slots[i].count != 0 {
                i = (i + 1) & self.mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_exactly_including_hash_zero() {
        let mut c = KeyCounter::with_capacity(2);
        for round in 1..=3u32 {
            for h in 0..1000u64 {
                assert_eq!(c.increment(h * 0x9e37_79b9).0, round);
            }
        }
        assert_eq!(c.len(), 1000);
        assert_eq!(c.count(0), 3);
        assert_eq!(c.counts().sum::<u32>(), 3000);
        c.set_tag(0, 7);
        assert_eq!(c.increment(0).1, 7);
        assert_eq!(c.tag(0), 7);
    }

    /// Keys that share a home slot (hashes equal in their low bits) are
    /// counted apart, and their counts and tags survive the table growing.
    #[test]
    fn colliding_keys_stay_apart_through_growth() {
        let mut c = KeyCounter::with_capacity(12);
        assert_eq!(c.slots.len(), 16, "12 × 4/3 = 16 slots");
        assert!(c.is_empty());
        let h = |i: u64| (i << 40) | 5;
        for i in 0..12 {
            c.increment(h(i));
        }
        assert_eq!(c.slots.len(), 16, "12 of 16: at the load limit, no growth");
        c.set_tag(h(3), 9);
        // The next increment could add a 13th key: the table grows first.
        c.increment(h(3));
        assert_eq!(c.slots.len(), 32);
        c.increment(h(12));
        assert_eq!((c.len(), c.is_empty()), (13, false));
        assert_eq!((c.count(h(3)), c.tag(h(3))), (2, 9));
        assert_eq!((c.count(h(4)), c.tag(h(4))), (1, 0));
        assert_eq!((c.count(h(99)), c.tag(h(99))), (0, 0), "absent");
        c.set_tag(h(99), 4);
        assert_eq!(
            (c.len(), c.count(h(99))),
            (13, 0),
            "tagging an absent key adds nothing"
        );
        let mut all: Vec<u32> = c.counts().collect();
        all.sort_unstable();
        assert_eq!(all.iter().sum::<u32>(), 14);
        assert_eq!(all.len(), 13);
        // counts_of reads far more hashes than it prefetches ahead.
        let hashes: Vec<u64> = (0..40).map(h).collect();
        let want: Vec<u32> = hashes.iter().map(|&x| c.count(x)).collect();
        assert_eq!(c.counts_of(&hashes), want);
        assert_eq!(want[3], 2);
        assert_eq!(KeyCounter::default().slots.len(), 8192);
        assert_eq!(KeyCounter::with_capacity(0).slots.len(), 16);
    }

    /// A count stops at u32::MAX instead of wrapping to 0 (an empty slot).
    #[test]
    fn counts_saturate() {
        let mut c = KeyCounter::default();
        c.increment(1);
        let i = c.find(1).unwrap();
        c.slots[i].count = u32::MAX - 1;
        assert_eq!(c.increment(1).0, u32::MAX);
        assert_eq!(c.increment(1).0, u32::MAX);
        assert_eq!(c.len(), 1);
    }

    /// A table sized for n keys holds them at load ≤ 0.75 without growing:
    /// n × 4/3 slots, rounded up to a power of two.
    #[test]
    fn sized_for_n_keys_at_three_quarters() {
        for (n, slots) in [(1000, 2048), (1536, 2048), (1537, 4096), (3, 16)] {
            let mut c = KeyCounter::with_capacity(n);
            assert_eq!(c.slots.len(), slots, "with_capacity({n})");
            for h in 0..n as u64 {
                c.increment(h);
            }
            assert_eq!(c.slots.len(), slots, "{n} keys fit without growth");
        }
    }
}
