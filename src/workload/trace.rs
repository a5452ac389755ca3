//! A parsed workload, compact enough for traces of tens of millions of rows.
//!
//! A replay needs every row in memory before the clock starts (parsing is
//! not what it measures). Owned `String`s per row cost ~100 bytes a row in
//! headers and allocator chunks. Here a row is 8 bytes (its op and the
//! lengths of its key and value) and the text of every row sits back to
//! back in one arena, key then value, in file order: a replay reads the
//! trace as one sequential stream, as it would read a log, so the memory
//! traffic that is timed is the map's own.
//!
//! Keys are not interned on purpose: interning (each distinct key stored
//! once) was tried and made every mode's replay ~25% slower, because each
//! row's key text became a random read into the arena, which timed the
//! arena as much as the map.
//!
//! The maps still own their keys and values: a put copies the borrowed text
//! into the map as it would from any caller, so what is timed stays a
//! hash-map workload.

use std::io::Read;

use super::csv::{Op, WorkloadReader};
use crate::error::{Error, Result};

/// Bits of a length: rows are at most 1 MiB, so lengths fit in 24 bits.
const LEN_BITS: u32 = 24;
const LEN_MASK: u64 = (1 << LEN_BITS) - 1;

/// Every row of a workload, in file order.
#[derive(Default)]
pub struct Trace {
    /// Per row: key length (24 bits) | value length (24) << 24 | op << 48.
    rows: Vec<u64>,
    /// Each row's key then value, back to back.
    text: String,
}

impl Trace {
    /// Every row `reader` has left.
    pub fn read<R: Read>(reader: &mut WorkloadReader<R>) -> Result<Trace> {
        Self::read_first(reader, u64::MAX)
    }

    /// The next `n` rows of `reader` (fewer if it ends first).
    pub fn read_first<R: Read>(reader: &mut WorkloadReader<R>, n: u64) -> Result<Trace> {
        let mut t = Trace::default();
        while (t.len() as u64) < n {
            let Some(r) = reader.next_row()? else { break };
            t.push(r.op, r.key, r.value)?;
        }
        Ok(t.shrunk())
    }

    /// Rows given as (op, key, value); value is ignored unless op is put.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (Op, &'a str, &'a str)>) -> Result<Trace> {
        let mut t = Trace::default();
        for (op, key, value) in rows {
            t.push(op, key, value)?;
        }
        Ok(t.shrunk())
    }

    /// Without the slack growth left.
    fn shrunk(mut self) -> Trace {
        self.rows.shrink_to_fit();
        self.text.shrink_to_fit();
        self
    }

    fn push(&mut self, op: Op, key: &str, value: &str) -> Result<()> {
        let value = if op == Op::Put { value } else { "" };
        if key.len() as u64 > LEN_MASK || value.len() as u64 > LEN_MASK {
            // The reader's 1 MiB line limit keeps rows far below this.
            return Err(Error::bad_input(format!(
                "a key or value longer than {LEN_MASK} bytes"
            )));
        }
        let op_bits = match op {
            Op::Put => 0,
            Op::Get => 1,
            Op::Del => 2,
        };
        self.text.push_str(key);
        self.text.push_str(value);
        self.rows
            .push(key.len() as u64 | (value.len() as u64) << LEN_BITS | op_bits << (2 * LEN_BITS));
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows in order: op, key, value ("" unless a put).
    pub fn iter(&self) -> Rows<'_> {
        Rows {
            rows: self.rows.iter(),
            text: &self.text,
            at: 0,
        }
    }

    /// Bytes the trace holds (rows and text, as allocated).
    pub fn memory_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<u64>() + self.text.capacity()
    }
}

/// The rows of a trace, read front to back.
pub struct Rows<'a> {
    rows: std::slice::Iter<'a, u64>,
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Rows<'a> {
    type Item = (Op, &'a str, &'a str);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let &row = self.rows.next()?;
        let key_len = (row & LEN_MASK) as usize;
        let value_len = ((row >> LEN_BITS) & LEN_MASK) as usize;
        let op = match row >> (2 * LEN_BITS) {
            0 => Op::Put,
            1 => Op::Get,
            _ => Op::Del,
        };
        let key = &self.text[self.at..self.at + key_len];
        let value = &self.text[self.at + key_len..self.at + key_len + value_len];
        self.at += key_len + value_len;
        Some((op, key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rows.size_hint()
    }
}

impl ExactSizeIterator for Rows<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::csv::Limits;

    #[test]
    fn rows_come_back_as_written() {
        let text = "op,key,value\nput,a,1\nget,a,\nput,ключ,значение\ndel,a,\nput,a,22\nget,zz,\n";
        let r = WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default()).unwrap();
        let t = Trace::read(&mut { r }).unwrap();
        let rows: Vec<_> = t.iter().collect();
        assert_eq!(
            rows,
            [
                (Op::Put, "a", "1"),
                (Op::Get, "a", ""),
                (Op::Put, "ключ", "значение"),
                (Op::Del, "a", ""),
                (Op::Put, "a", "22"),
                (Op::Get, "zz", ""),
            ]
        );
        assert_eq!(t.text, "a1aключзначениеaa22zz");
    }

    #[test]
    fn a_row_costs_eight_bytes_and_its_text() {
        let rows: Vec<(Op, String, String)> = (0..100_000)
            .map(|i| (Op::Put, format!("K{}", i % 1000), format!("{i}")))
            .collect();
        let t =
            Trace::from_rows(rows.iter().map(|(o, k, v)| (*o, k.as_str(), v.as_str()))).unwrap();
        assert_eq!(t.len(), 100_000);
        let text: usize = rows.iter().map(|r| r.1.len() + r.2.len()).sum();
        assert_eq!(t.memory_bytes(), 8 * 100_000 + text);
        for (i, (op, k, v)) in t.iter().enumerate() {
            assert_eq!(
                (op, k, v),
                (rows[i].0, rows[i].1.as_str(), rows[i].2.as_str())
            );
        }
    }

    /// `read_first` stops at n rows (or the end); the length and emptiness
    /// follow; an iterator knows how many rows are left.
    #[test]
    fn read_first_takes_at_most_n_rows() {
        let text = "op,key,value\nput,a,1\nget,b,\ndel,c,\n";
        let reader =
            || WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default()).unwrap();
        let t = Trace::read_first(&mut reader(), 2).unwrap();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [(Op::Put, "a", "1"), (Op::Get, "b", "")]
        );
        assert_eq!((t.len(), t.is_empty()), (2, false));
        assert_eq!(Trace::read_first(&mut reader(), 10).unwrap().len(), 3);
        let none = Trace::read_first(&mut reader(), 0).unwrap();
        assert_eq!(
            (none.len(), none.is_empty(), none.memory_bytes()),
            (0, true, 0)
        );
        let mut it = t.iter();
        assert_eq!(it.len(), 2);
        it.next();
        assert_eq!(it.size_hint(), (1, Some(1)));
    }

    /// A value only travels with a put; a key or value of 16 MiB or more is
    /// refused (the reader's 1 MiB lines never get there).
    #[test]
    fn values_go_with_puts_and_lengths_are_bounded() {
        let t = Trace::from_rows([
            (Op::Get, "k", "ignored"),
            (Op::Del, "k", "x"),
            (Op::Put, "k", "v"),
        ])
        .unwrap();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [(Op::Get, "k", ""), (Op::Del, "k", ""), (Op::Put, "k", "v")]
        );
        let at_limit = "k".repeat(LEN_MASK as usize);
        let t = Trace::from_rows([(Op::Put, at_limit.as_str(), at_limit.as_str())]).unwrap();
        let (_, k, v) = t.iter().next().unwrap();
        assert_eq!((k.len(), v.len()), (at_limit.len(), at_limit.len()));
        let over = "k".repeat(LEN_MASK as usize + 1);
        for row in [(Op::Get, over.as_str(), ""), (Op::Put, "k", over.as_str())] {
            let e = Trace::from_rows([row]).map(|_| ()).unwrap_err();
            assert!(
                e.detail.contains("longer than 16777215 bytes"),
                "{}",
                e.detail
            );
        }
    }
}
