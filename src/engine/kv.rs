//! One key-value pair in one allocation: `key ++ value` and where the key
//! ends. Half the allocations of two boxes and a smaller entry, which is
//! most of what a lookup pays for besides the probe itself.

pub struct KvBox {
    data: Box<str>,
    key_len: u32,
}

impl Default for KvBox {
    fn default() -> Self {
        KvBox {
            data: Box::from(""),
            key_len: 0,
        }
    }
}

impl KvBox {
    #[inline]
    pub fn new(key: &str, value: &str) -> Self {
        let mut s = String::with_capacity(key.len() + value.len());
        s.push_str(key);
        s.push_str(value);
        KvBox {
            data: s.into_boxed_str(),
            key_len: key.len() as u32,
        }
    }

    #[inline]
    pub fn key(&self) -> &str {
        // key_len always sits on a char boundary: it is where `key` ended.
        self.data.get(..self.key_len as usize).unwrap_or_default()
    }

    #[inline]
    pub fn value(&self) -> &str {
        self.data.get(self.key_len as usize..).unwrap_or_default()
    }

    pub fn set_value(&mut self, value: &str) {
        *self = KvBox::new(self.key(), value);
    }

    /// Bytes of key and value on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.data.len()
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
        assert_eq!(kv.heap_bytes(), "ключ".len() + 2);
    }
}
