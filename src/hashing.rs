//! The one hash function of adhash (formats.md §2): XXH3-64 with a seed for the
//! tables and the Workload DNA buckets, and the order-independent FNV-1a
//! checksum that proves every mode ends in the same state.

use std::hash::{BuildHasher, Hasher};

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// XXH3-64 of `bytes` with `seed`.
#[inline]
pub fn hash_key(bytes: &[u8], seed: u64) -> u64 {
    xxh3_64_with_seed(bytes, seed)
}

/// FNV-1a-64 over key bytes, one 0x00 byte, value bytes.
pub fn fnv1a_pair(key: &[u8], value: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for &b in key.iter().chain(std::iter::once(&0u8)).chain(value) {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// Order-independent checksum of a map's live pairs: the wrapping sum of
/// `fnv1a_pair` over every pair.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StateChecksum(pub u64);

impl StateChecksum {
    pub fn add(&mut self, key: &str, value: &str) {
        self.0 = self
            .0
            .wrapping_add(fnv1a_pair(key.as_bytes(), value.as_bytes()));
    }
}

impl std::fmt::Display for StateChecksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{:016x}", self.0)
    }
}

/// A `BuildHasher` that makes `std::collections::HashMap` hash exactly like
/// our own tables: keys hash their bytes once with XXH3-64 and the seed.
/// Only `KeyRef`/`Key` (which call `write` once) may be hashed with it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Xxh3Build {
    pub seed: u64,
}

impl BuildHasher for Xxh3Build {
    type Hasher = Xxh3OneShot;
    fn build_hasher(&self) -> Xxh3OneShot {
        Xxh3OneShot {
            seed: self.seed,
            hash: 0,
        }
    }
}

/// One-shot hasher: the whole key arrives in a single `write` call.
pub struct Xxh3OneShot {
    seed: u64,
    hash: u64,
}

impl Hasher for Xxh3OneShot {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.hash = hash_key(bytes, self.seed);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        // FNV-1a-64 of "a" is 0xaf63dc4c8601ec8c; with the 0x00 separator and an
        // empty value we hash the two bytes "a\0".
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in [b'a', 0u8] {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        assert_eq!(fnv1a_pair(b"a", b""), h);
        assert_ne!(fnv1a_pair(b"ab", b"c"), fnv1a_pair(b"a", b"bc"));
    }

    #[test]
    fn checksum_is_order_independent() {
        let mut a = StateChecksum::default();
        a.add("k1", "v1");
        a.add("k2", "v2");
        let mut b = StateChecksum::default();
        b.add("k2", "v2");
        b.add("k1", "v1");
        assert_eq!(a, b);
        assert_eq!(format!("{a}").len(), 18);
    }

    #[test]
    fn seed_changes_hash() {
        // Every key moves under another seed, and its low bits (the table
        // slot) move too for almost all of them: a seed really re-deals
        // the buckets, as `--hash-seed` promises.
        let keys: Vec<String> = (0..1000).map(|i| format!("K{i}")).collect();
        let moved = keys
            .iter()
            .filter(|k| hash_key(k.as_bytes(), 0) != hash_key(k.as_bytes(), 1))
            .count();
        assert_eq!(moved, keys.len());
        let rebucketed = keys
            .iter()
            .filter(|k| (hash_key(k.as_bytes(), 0) ^ hash_key(k.as_bytes(), 1)) & 0xfff != 0)
            .count();
        assert!(rebucketed > 990, "{rebucketed}");
        // Seed 0 is XXH3-64 itself (what DNA and generate-csv rely on).
        assert_eq!(
            hash_key(b"K1", 0),
            xxhash_rust::xxh3::xxh3_64(b"K1"),
            "seed 0 must be plain XXH3-64"
        );
    }
}
