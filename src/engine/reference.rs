//! `std`: Rust's `std::collections::HashMap` hashing with the same XXH3-64
//! and seed as our tables. It is the control every result is compared with.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::{CompactionSource, Health, Map, MapEvent, str_bytes};
use crate::hashing::Xxh3Build;

/// An owned key that hashes as its raw bytes (one `write`, no terminator),
/// so `Xxh3Build` computes exactly `hash_key(key, seed)`.
#[derive(PartialEq, Eq)]
struct Key(Box<str>);

/// The borrowed form used for lookups without allocating.
#[derive(PartialEq, Eq)]
#[repr(transparent)]
struct KeyRef(str);

impl KeyRef {
    fn new(s: &str) -> &KeyRef {
        // SAFETY: KeyRef is repr(transparent) over str.
        unsafe { &*(s as *const str as *const KeyRef) }
    }
}

impl Hash for KeyRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.0.as_bytes());
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.0.as_bytes());
    }
}

impl Borrow<KeyRef> for Key {
    fn borrow(&self) -> &KeyRef {
        KeyRef::new(&self.0)
    }
}

pub struct StdMap {
    map: HashMap<Key, Box<str>, Xxh3Build>,
    heap_bytes: usize,
    events: Vec<MapEvent>,
}

impl StdMap {
    pub fn new(seed: u64) -> Self {
        StdMap {
            map: HashMap::with_hasher(Xxh3Build { seed }),
            heap_bytes: 0,
            events: Vec::new(),
        }
    }
}

impl Map for StdMap {
    fn put(&mut self, key: &str, value: &str) {
        if let Some(v) = self.map.get_mut(KeyRef::new(key)) {
            self.heap_bytes = self.heap_bytes + str_bytes(value) - str_bytes(v);
            *v = value.into();
        } else {
            self.heap_bytes += str_bytes(key) + str_bytes(value);
            self.map.insert(Key(key.into()), value.into());
        }
    }
    fn get(&self, key: &str) -> Option<&str> {
        self.map.get(KeyRef::new(key)).map(|v| &**v)
    }
    fn del(&mut self, key: &str) -> bool {
        match self.map.remove_entry(KeyRef::new(key)) {
            Some((k, v)) => {
                self.heap_bytes -= str_bytes(&k.0) + str_bytes(&v);
                true
            }
            None => false,
        }
    }
    fn len(&self) -> usize {
        self.map.len()
    }
    fn backend(&self) -> String {
        "std".into()
    }
    fn memory_bytes(&self) -> usize {
        // hashbrown: one control byte per bucket plus the (key, value) slot.
        let slot = std::mem::size_of::<(Key, Box<str>)>() + 1;
        self.map.capacity() * 8 / 7 * slot + self.heap_bytes
    }
    fn health(&self) -> Health {
        let cap = self.map.capacity().max(1);
        Health {
            load_factor: self.map.len() as f64 / cap as f64,
            ..Health::default()
        }
    }
    fn compact(&mut self, source: CompactionSource) {
        self.map.shrink_to_fit();
        self.events.push(MapEvent::Compaction {
            backend: "std",
            source,
        });
    }
    fn take_events(&mut self, out: &mut Vec<MapEvent>) {
        out.append(&mut self.events);
    }
    fn for_each(&self, f: &mut dyn FnMut(&str, &str)) {
        for (k, v) in &self.map {
            f(&k.0, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_estimate_is_buckets_of_slot_and_control_byte_plus_strings() {
        let mut m = StdMap::new(0);
        m.put("key", "value");
        // hashbrown keeps 1/8 of its buckets free: buckets = capacity × 8/7,
        // each one (key, value) slot and one control byte.
        let buckets = m.map.capacity() * 8 / 7;
        let slot = std::mem::size_of::<(Key, Box<str>)>();
        assert_eq!(m.memory_bytes(), buckets * (slot + 1) + "keyvalue".len());
    }
}
