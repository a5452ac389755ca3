//! One key-value pair in one allocation, or in none: `key ++ value` and
//! where the key ends. Short pairs (most workloads' keys and values are a
//! few bytes) sit inline in the entry itself, so a lookup compares the key
//! without following a pointer: one cache miss less per operation than a
//! map of boxed strings pays. Longer pairs take one heap allocation, half
//! the allocations of two boxes.

/// Bytes of key and value that fit inline: the enum stays 24 bytes, the
/// size of a boxed string and its key length.
const INLINE: usize = 21;

pub enum KvBox {
    Inline {
        bytes: [u8; INLINE],
        key_len: u8,
        len: u8,
    },
    Heap {
        data: Box<str>,
        key_len: u32,
    },
}

impl Default for KvBox {
    fn default() -> Self {
        KvBox::new("", "")
    }
}

impl KvBox {
    #[inline]
    pub fn new(key: &str, value: &str) -> Self {
        let len = key.len() + value.len();
        if len <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..key.len()].copy_from_slice(key.as_bytes());
            bytes[key.len()..len].copy_from_slice(value.as_bytes());
            KvBox::Inline {
                bytes,
                key_len: key.len() as u8,
                len: len as u8,
            }
        } else {
            let mut s = String::with_capacity(len);
            s.push_str(key);
            s.push_str(value);
            KvBox::Heap {
                data: s.into_boxed_str(),
                key_len: key.len() as u32,
            }
        }
    }

    #[inline]
    pub fn key(&self) -> &str {
        match self {
            KvBox::Inline { bytes, key_len, .. } => {
                let key = &bytes[..usize::from(*key_len)];
                // SAFETY: `new` copied a whole `&str` into `bytes[..key_len]`,
                // and the fields are private to this module: valid UTF-8.
                unsafe { std::str::from_utf8_unchecked(key) }
            }
            // key_len always sits on a char boundary: it is where `key` ended.
            KvBox::Heap { data, key_len } => data.get(..*key_len as usize).unwrap_or_default(),
        }
    }

    #[inline]
    pub fn value(&self) -> &str {
        match self {
            KvBox::Inline {
                bytes,
                key_len,
                len,
            } => {
                let value = &bytes[usize::from(*key_len)..usize::from(*len)];
                // SAFETY: as in `key`: a whole `&str` was copied there.
                unsafe { std::str::from_utf8_unchecked(value) }
            }
            KvBox::Heap { data, key_len } => data.get(*key_len as usize..).unwrap_or_default(),
        }
    }

    pub fn set_value(&mut self, value: &str) {
        *self = KvBox::new(self.key(), value);
    }

    /// Bytes of key and value on the heap (0 when they sit inline: the
    /// entry's own size counts them).
    pub fn heap_bytes(&self) -> usize {
        match self {
            KvBox::Inline { .. } => 0,
            KvBox::Heap { data, .. } => data.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_key_and_value() {
        let mut kv = KvBox::new("ключ", "value");
        assert_eq!(kv.key(), "ключ");
        assert_eq!(kv.value(), "value");
        kv.set_value("v2");
        assert_eq!((kv.key(), kv.value()), ("ключ", "v2"));
        assert_eq!(kv.heap_bytes(), 0, "short pairs sit inline");
        let long = "значение, что не влезет";
        kv.set_value(long);
        assert_eq!((kv.key(), kv.value()), ("ключ", long));
        assert_eq!(kv.heap_bytes(), "ключ".len() + long.len());
        // Every split of a pair around the inline size reads back whole.
        let text = "aé€𝄞bcdefghijklmnopqrstuvwxyz";
        for (i, _) in text.char_indices() {
            let (k, v) = text.split_at(i);
            let kv = KvBox::new(k, v);
            assert_eq!((kv.key(), kv.value()), (k, v));
        }
        assert_eq!(std::mem::size_of::<KvBox>(), 24);
        assert_eq!(std::mem::size_of::<Option<KvBox>>(), 24);
    }

    #[test]
    fn pairs_up_to_21_bytes_sit_inline_and_longer_ones_on_the_heap() {
        let at = KvBox::new("key-10-byt", "value-11-by");
        assert_eq!(at.heap_bytes(), 0, "21 bytes fit");
        let over = KvBox::new("key-10-byt", "value-12-byt");
        assert_eq!(over.heap_bytes(), 22);
        assert_eq!((over.key(), over.value()), ("key-10-byt", "value-12-byt"));
    }
}
