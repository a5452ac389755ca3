//! Splits a workload CSV into records, fast.
//!
//! Almost every line of a workload is `op,key,value` with no quotes: such a
//! line is a record, and its fields are the bytes between commas. The
//! scanner finds line ends and commas with `memchr` straight in its read
//! buffer and hands out the fields in place, copying nothing. A line with a
//! quote goes to `csv_core` (the csv crate's own parser, same dialect:
//! comma, `"` with doubled quotes, CR, LF or CRLF ending a record), which
//! may run over several physical lines; after it, plain lines go the fast
//! way again. Both ways agree byte for byte with the csv crate
//! (`flexible`, no headers): blank lines hold no record.
//!
//! It also knows each record's physical line, as editors count them: a
//! line ends at LF, CRLF or a bare CR, whatever the mix; and it enforces
//! the byte limit on the bytes actually read and bounds a line, so a
//! device or a FIFO (`/dev/zero`) cannot make it grow without end.

use std::io::Read;

use memchr::memchr2;

/// The longest line (row) read: a key or value of megabytes is not a
/// workload, and reading it whole would cost that much memory per row.
pub const MAX_LINE_BYTES: u64 = 1 << 20;

/// Read buffer: large enough that refills are rare, small enough to stay
/// in L2 with the rows being built from it.
const BUFFER_BYTES: usize = 256 << 10;

/// Why a record could not be read. `line` is the physical line reading
/// had reached.
#[derive(Debug)]
pub enum ScanError {
    /// More than the byte limit, or a line over `MAX_LINE_BYTES`.
    Limit {
        what: String,
        line: u64,
    },
    Io {
        error: std::io::Error,
        line: u64,
    },
}

/// Where one field's bytes are: in the read buffer (plain lines) or in the
/// quoted-record output.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    #[inline]
    fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// How the line at the read position ends.
enum Plain {
    /// At this offset, with LF or CR; its fields are in `spans`.
    Line(usize),
    /// It has a quote: `csv_core` must parse it.
    Quote,
    /// Not within the bytes read yet.
    Unended,
}

/// The high bit of each byte of `w` that is `,`, LF, CR or `"`, exactly
/// (no false hits from carries: each byte is tested on its own 7 bits).
#[inline]
fn special_bytes(w: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let each = |c: u8| w ^ (u64::from(c) * 0x0101_0101_0101_0101);
    zero(each(b',')) | zero(each(b'\n')) | zero(each(b'\r')) | zero(each(b'"'))
}

/// The bytes that end a field or a line, or start a quoted field.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'"' as usize] = true;
    t
};

pub struct Scanner<R> {
    inner: R,
    buf: Vec<u8>,
    /// Unread bytes are `buf[pos..end]`.
    pos: usize,
    end: usize,
    eof: bool,
    /// Bytes read from `inner` in all.
    bytes: u64,
    max_bytes: u64,
    /// Physical line of `buf[pos]`, 1-based.
    line: u64,
    /// A CR counted by `count_lines` at the end of the bytes read, not yet
    /// known to be a bare CR (a line) or half of a CRLF.
    pending_cr: bool,
    quoted: csv_core::Reader,
    /// The last record's fields: spans into `buf` (`in_buf`) or `out`.
    spans: Vec<Span>,
    in_buf: bool,
    /// Every byte of the last record is ASCII (so it is UTF-8).
    ascii: bool,
    out: Vec<u8>,
    out_ends: Vec<usize>,
}

impl<R: Read> Scanner<R> {
    /// `max_bytes` = 0: no limit.
    pub fn new(inner: R, max_bytes: u64) -> Self {
        Scanner {
            inner,
            buf: vec![0; BUFFER_BYTES],
            pos: 0,
            end: 0,
            eof: false,
            bytes: 0,
            max_bytes,
            line: 1,
            pending_cr: false,
            quoted: csv_core::Reader::new(),
            spans: Vec::with_capacity(8),
            in_buf: true,
            ascii: true,
            out: vec![0; 1024],
            out_ends: vec![0; 16],
        }
    }

    /// The source read from.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Bytes read from the source so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The physical line reading has reached.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next record: `Some(line)` with its fields ready in `field`, or
    /// `None` at the end of the input.
    #[inline]
    pub fn next_record(&mut self) -> Result<Option<u64>, ScanError> {
        loop {
            match self.scan_plain() {
                Plain::Quote => return self.quoted_record().map(Some),
                Plain::Line(i) => {
                    // Exact, however the reads were cut (a read can bring
                    // a long line's end and its overflow at once).
                    if (i - self.pos) as u64 > MAX_LINE_BYTES {
                        return Err(self.too_long());
                    }
                    let ending = self.buf[i];
                    if ending == b'\r' && i + 1 == self.end && !self.eof {
                        // A CR that ends the buffer: is it half of a CRLF?
                        self.refill()?;
                        continue;
                    }
                    let crlf = ending == b'\r' && i + 1 < self.end && self.buf[i + 1] == b'\n';
                    let blank = i == self.pos;
                    self.pos = i + 1 + usize::from(crlf);
                    let line = self.line;
                    self.line += 1;
                    if !blank {
                        return Ok(Some(line));
                    }
                }
                Plain::Unended if self.eof => {
                    if self.pos == self.end {
                        return Ok(None);
                    }
                    self.pos = self.end;
                    return Ok(Some(self.line));
                }
                Plain::Unended => self.refill()?,
            }
        }
    }

    /// One pass over the bytes of the line at `pos`, noting where its
    /// fields end, whether it is all ASCII, and what ends it. Workload lines
    /// are a dozen bytes or so: eight bytes at a time (SWAR) beats a
    /// `memchr` call per comma and per line.
    #[inline]
    fn scan_plain(&mut self) -> Plain {
        let Scanner {
            buf,
            pos,
            end,
            spans,
            ascii,
            in_buf,
            ..
        } = self;
        spans.clear();
        *in_buf = true;
        let bytes = &buf[..*end];
        let mut high = 0u64;
        let mut from = *pos;
        let mut i = *pos;
        // Returns from `scan_plain` at a quote or a line end.
        macro_rules! special {
            ($at:expr) => {{
                let at = $at;
                match bytes[at] {
                    b',' => {
                        spans.push(Span::new(from, at));
                        from = at + 1;
                    }
                    b'"' => return Plain::Quote,
                    _ => {
                        spans.push(Span::new(from, at));
                        // Bytes past the line end may be in `high`: at
                        // worst a plain line is validated as UTF-8.
                        *ascii = high & 0x8080_8080_8080_8080 == 0;
                        return Plain::Line(at);
                    }
                }
            }};
        }
        while let Some(word) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
            high |= w;
            let mut found = special_bytes(w);
            while found != 0 {
                special!(i + (found.trailing_zeros() / 8) as usize);
                found &= found - 1;
            }
            i += 8;
        }
        while i < bytes.len() {
            high |= u64::from(bytes[i]);
            if SPECIAL[bytes[i] as usize] {
                special!(i);
            }
            i += 1;
        }
        spans.push(Span::new(from, *end));
        *ascii = high & 0x8080_8080_8080_8080 == 0;
        Plain::Unended
    }

    /// Field `i` of the last record (empty past its last field).
    #[inline]
    pub fn field(&self, i: usize) -> &[u8] {
        let Some(s) = self.spans.get(i) else {
            return &[];
        };
        let from = if self.in_buf { &self.buf } else { &self.out };
        &from[s.start as usize..s.end as usize]
    }

    /// Field `i` of the last record as text; `None` when it is not UTF-8.
    #[inline]
    pub fn field_str(&self, i: usize) -> Option<&str> {
        let bytes = self.field(i);
        if self.ascii {
            // SAFETY: every byte of the record was seen to be below 0x80 (in
            // `scan_plain`, or by `is_ascii` for a quoted record), and ASCII
            // is UTF-8. This saves a validation call per field per row.
            Some(unsafe { std::str::from_utf8_unchecked(bytes) })
        } else {
            std::str::from_utf8(bytes).ok()
        }
    }

    /// Fields of the last record.
    pub fn fields(&self) -> usize {
        self.spans.len()
    }

    /// A record with a quote somewhere in its first line: csv_core parses
    /// it, over as many lines and refills as it takes.
    #[cold]
    #[inline(never)]
    fn quoted_record(&mut self) -> Result<u64, ScanError> {
        use csv_core::ReadRecordResult as R;
        let line = self.line;
        self.quoted.reset();
        let (mut nout, mut nends) = (0, 0);
        loop {
            let input = &self.buf[self.pos..self.end];
            let (res, nin, o, e) =
                self.quoted
                    .read_record(input, &mut self.out[nout..], &mut self.out_ends[nends..]);
            self.count_lines(self.pos, self.pos + nin);
            self.pos += nin;
            nout += o;
            nends += e;
            match res {
                R::InputEmpty => {
                    if self.eof {
                        // Only an empty input is "the end" to csv_core:
                        // loop once more to finish the record.
                        continue;
                    }
                    self.refill()?;
                }
                R::OutputFull => {
                    if self.out.len() as u64 > MAX_LINE_BYTES {
                        return Err(self.too_long());
                    }
                    let n = (self.out.len() * 2).min(MAX_LINE_BYTES as usize + 1);
                    self.out.resize(n, 0);
                }
                R::OutputEndsFull => {
                    let n = self.out_ends.len() * 2;
                    self.out_ends.resize(n, 0);
                }
                R::Record | R::End => break,
            }
        }
        // csv_core stops after the CR of a CRLF; its LF belongs to this
        // record's line ending.
        if self.pos > 0 && self.buf[self.pos - 1] == b'\r' {
            if self.pos == self.end && !self.eof {
                self.refill()?;
            }
            if self.buf[self.pos..self.end].first() == Some(&b'\n') {
                self.count_lines(self.pos, self.pos + 1);
                self.pos += 1;
            }
        }
        if std::mem::take(&mut self.pending_cr) {
            // A CR at the very end of the input.
            self.line += 1;
        }
        self.in_buf = false;
        self.ascii = self.out[..nout].is_ascii();
        self.spans.clear();
        let mut from = 0;
        for &end in &self.out_ends[..nends] {
            self.spans.push(Span {
                start: from as u32,
                end: end as u32,
            });
            from = end;
        }
        Ok(line)
    }

    /// Advance `line` over the line breaks in `buf[from..to]`: every LF,
    /// and every CR that is not the first half of a CRLF. A CR that ends
    /// the bytes read so far waits in `pending_cr` for the next byte.
    fn count_lines(&mut self, from: usize, to: usize) {
        if from < to && std::mem::take(&mut self.pending_cr) && self.buf[from] != b'\n' {
            self.line += 1;
        }
        for i in memchr::memchr2_iter(b'\n', b'\r', &self.buf[from..to]) {
            let at = from + i;
            if self.buf[at] == b'\n' {
                self.line += 1;
            } else if at + 1 == self.end {
                self.pending_cr = true;
            } else if self.buf[at + 1] != b'\n' {
                self.line += 1;
            }
        }
    }

    /// Read more: keep the unread bytes, at the front, and fill the rest.
    #[inline(never)]
    fn refill(&mut self) -> Result<(), ScanError> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            // Unread bytes fill the buffer: a line longer than it. The read
            // that filled it held the line to its limit (below).
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.bytes += n as u64;
                    self.end += n;
                    if self.max_bytes > 0 && self.bytes > self.max_bytes {
                        return Err(ScanError::Limit {
                            what: format!(
                                "more than {} bytes (the --csv-max-bytes limit)",
                                self.max_bytes
                            ),
                            line: self.line,
                        });
                    }
                    // A partial line ending the buffer waits for the next
                    // read; past the line limit it never will be a row.
                    let tail = &self.buf[self.pos..self.end];
                    if tail.len() as u64 > MAX_LINE_BYTES && memchr2(b'\n', b'\r', tail).is_none() {
                        return Err(self.too_long());
                    }
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => {
                    return Err(ScanError::Io {
                        error,
                        line: self.line,
                    });
                }
            }
        }
    }

    /// Out of line: `next_record` checks every line's length, and the
    /// error's formatting belongs off that per-row path.
    #[cold]
    #[inline(never)]
    fn too_long(&self) -> ScanError {
        ScanError::Limit {
            what: format!("a line longer than {} MiB", MAX_LINE_BYTES >> 20),
            line: self.line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `n` bytes a read, so records straddle refills.
    struct Chunked<'a>(&'a [u8], usize);
    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn scanned(data: &[u8], chunk: usize) -> Vec<Vec<Vec<u8>>> {
        let mut s = Scanner::new(Chunked(data, chunk), 0);
        let mut out = Vec::new();
        while let Some(_line) = s.next_record().unwrap() {
            out.push((0..s.fields()).map(|i| s.field(i).to_vec()).collect());
            // As text: exactly when the bytes are UTF-8 (the ASCII shortcut
            // must never pass anything else).
            for i in 0..s.fields() {
                assert_eq!(
                    s.field_str(i),
                    std::str::from_utf8(s.field(i)).ok(),
                    "{data:?}"
                );
            }
            assert_eq!(s.field(s.fields()), b"", "past the last field");
        }
        assert_eq!(s.bytes_read(), data.len() as u64);
        out
    }

    fn by_csv_crate(data: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        r.byte_records()
            .map(|rec| rec.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    #[test]
    fn agrees_with_the_csv_crate_on_every_mix() {
        // Short random texts over the bytes that matter, read whole and a
        // byte or three at a time: the same records, the same fields.
        let alphabet = b"ab,,\"\"\n\r \xc3\xa9";
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for case in 0..4_000 {
            let len = case % 40;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % alphabet.len() as u64) as usize]
                })
                .collect();
            let want = by_csv_crate(&data);
            for chunk in [1, 3, 1 << 20] {
                assert_eq!(
                    scanned(&data, chunk),
                    want,
                    "{:?} read {chunk} at a time",
                    data
                );
            }
        }
    }

    #[test]
    fn long_plain_lines_cross_refills() {
        let mut data = b"op,key,value\n".to_vec();
        for i in 0..50_000 {
            data.extend_from_slice(format!("put,key{i},{}\r\n", "v".repeat(i % 97)).as_bytes());
        }
        let rows = scanned(&data, 7919);
        assert_eq!(rows, by_csv_crate(&data));
        assert_eq!(rows.len(), 50_001);
    }

    #[test]
    fn records_know_their_lines() {
        let data = b"h\r\n\r\na,\"x\r\ny\"\rb\n\nc";
        let mut s = Scanner::new(Chunked(data, 1), 0);
        let mut lines = Vec::new();
        while let Some(line) = s.next_record().unwrap() {
            lines.push(line);
        }
        assert_eq!(lines, [1, 3, 5, 7]);
    }

    #[test]
    fn limits_hold_on_bytes_read() {
        let long = vec![b'a'; (MAX_LINE_BYTES + 10) as usize];
        let mut s = Scanner::new(long.as_slice(), 0);
        assert!(matches!(s.next_record(), Err(ScanError::Limit { .. })));
        let mut s = Scanner::new(&b"a\nb\nc\n"[..], 3);
        let mut got = 0;
        let err = loop {
            match s.next_record() {
                Ok(Some(_)) => got += 1,
                Ok(None) => panic!("no limit"),
                Err(e) => break e,
            }
        };
        assert!(got <= 2);
        assert!(matches!(err, ScanError::Limit { what, .. } if what.contains("3 bytes")));
    }

    /// A read error names the line reached; an interrupted read is retried.
    #[test]
    fn read_errors_name_the_line_and_interruptions_are_retried() {
        struct Failing {
            calls: u32,
            kind: std::io::ErrorKind,
        }
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.calls += 1;
                match self.calls {
                    1 => {
                        buf[..6].copy_from_slice(b"a\nb\nc,");
                        Ok(6)
                    }
                    2 => Err(std::io::Error::new(self.kind, "boom")),
                    _ => Ok(0),
                }
            }
        }
        let mut s = Scanner::new(
            Failing {
                calls: 0,
                kind: std::io::ErrorKind::Other,
            },
            0,
        );
        assert_eq!(s.next_record().unwrap(), Some(1));
        assert_eq!(s.next_record().unwrap(), Some(2));
        assert_eq!(s.line(), 3);
        match s.next_record() {
            Err(ScanError::Io { line, error }) => {
                assert_eq!(line, 3);
                assert_eq!(error.to_string(), "boom");
            }
            other => panic!("{other:?}"),
        }
        let mut s = Scanner::new(
            Failing {
                calls: 0,
                kind: std::io::ErrorKind::Interrupted,
            },
            0,
        );
        assert_eq!(s.next_record().unwrap(), Some(1));
        assert_eq!(s.next_record().unwrap(), Some(2));
        assert_eq!(s.next_record().unwrap(), Some(3));
        assert_eq!(
            (s.fields(), s.field(0), s.field(1)),
            (2, &b"c"[..], &b""[..])
        );
        assert_eq!(s.next_record().unwrap(), None);
    }

    /// A quoted record is held to the line limit too: its fields together
    /// may hold 1 MiB, not a byte more (the output grows to one byte past
    /// the limit, and only filling that is too long).
    #[test]
    fn quoted_records_are_bounded_like_lines() {
        // Fields of n bytes in all: a quoted one of n - 1 bytes, then "z".
        let quoted = |n: usize| {
            let mut line = b"\"".to_vec();
            line.resize(n, b'a');
            line.extend_from_slice(b"\",z\nnext\n");
            line
        };
        let at_limit = quoted(MAX_LINE_BYTES as usize);
        let mut s = Scanner::new(at_limit.as_slice(), 0);
        assert_eq!(s.next_record().unwrap(), Some(1));
        assert_eq!(s.fields(), 2);
        assert_eq!(s.field(0).len() as u64, MAX_LINE_BYTES - 1);
        assert_eq!(s.field_str(1), Some("z"));
        assert_eq!(s.next_record().unwrap(), Some(2));
        assert_eq!(s.field(0), b"next");
        let over = quoted(MAX_LINE_BYTES as usize + 1);
        match Scanner::new(over.as_slice(), 0).next_record() {
            Err(ScanError::Limit { what, line }) => {
                assert_eq!((what.as_str(), line), ("a line longer than 1 MiB", 1));
            }
            other => panic!("{other:?}"),
        }
    }

    /// A last line without a line end is checked for UTF-8 like any other:
    /// eight bytes of 0x80 are not ASCII (nor UTF-8), whichever way the
    /// pass's high bits add up.
    #[test]
    fn an_unended_last_line_is_checked_for_utf8() {
        for (data, last) in [
            (&b"a\n\x80\x80\x80\x80\x80\x80\x80\x80"[..], None),
            (&b"\x80\x80\x80\x80\x80\x80\x80\x80"[..], None),
            (
                "a\n\u{0430}\u{0431}\u{0432}\u{0433}".as_bytes(),
                Some("абвг"),
            ),
        ] {
            let mut s = Scanner::new(data, 0);
            let mut fields = None;
            while s.next_record().unwrap().is_some() {
                fields = Some((s.field(0).to_vec(), s.field_str(0).map(String::from)));
            }
            let (bytes, text) = fields.unwrap();
            assert_eq!(text.as_deref(), last, "{data:?}");
            assert_eq!(bytes.len(), 8);
        }
    }

    /// A quoted record with many fields: their ends outgrow the first 16
    /// slots csv_core is given.
    #[test]
    fn quoted_records_may_have_many_fields() {
        let fields: Vec<String> = (0..40).map(|i| format!("\"f,{i}\"")).collect();
        let data = format!("{}\nplain\n", fields.join(","));
        let mut s = Scanner::new(data.as_bytes(), 0);
        assert_eq!(s.next_record().unwrap(), Some(1));
        assert_eq!(s.fields(), 40);
        for i in 0..40 {
            assert_eq!(s.field_str(i), Some(format!("f,{i}").as_str()));
        }
        assert_eq!(s.next_record().unwrap(), Some(2));
        assert_eq!(s.field(0), b"plain");
    }

    /// A quoted record ending in CRLF reads no further than its LF when
    /// the LF is already in the buffer: the byte limit stops reading where
    /// the records cross it, and names the line reached.
    #[test]
    fn a_quoted_crlf_record_reads_no_further_than_its_lf() {
        let data = b"\"a\"\r\nb\nc\nd\n";
        let mut s = Scanner::new(Chunked(data, 7), 7);
        assert_eq!(s.next_record().unwrap(), Some(1));
        assert_eq!(s.field(0), b"a");
        assert_eq!(s.next_record().unwrap(), Some(2));
        assert_eq!(s.field(0), b"b");
        match s.next_record() {
            Err(ScanError::Limit { line, what }) => {
                assert_eq!(line, 3);
                assert!(what.contains("more than 7 bytes"), "{what}");
            }
            other => panic!("{other:?}"),
        }
    }

    /// Bare CRs inside a quoted field are line breaks too, whether a read
    /// ends on them (the CR waits to see if an LF follows) or not; a CR
    /// that ends the input inside a quote still ends its line.
    #[test]
    fn bare_crs_in_quoted_fields_count_as_lines() {
        for chunk in [1, 2, 3, 64] {
            let data = b"a,\"x\ry\rz\"\nb\n";
            let mut s = Scanner::new(Chunked(data, chunk), 0);
            assert_eq!(s.next_record().unwrap(), Some(1), "chunk {chunk}");
            assert_eq!(s.field(1), b"x\ry\rz");
            assert_eq!(s.next_record().unwrap(), Some(4), "chunk {chunk}");
            assert_eq!(s.field(0), b"b");
            assert_eq!(s.next_record().unwrap(), None);
            assert_eq!(s.line(), 5);
        }
        // The byte before the buffer's start is an LF left from an
        // earlier read: it must not be taken for this CR's second half.
        let mut s = Scanner::new(&b"\n\"a\r"[..], 0);
        assert_eq!(s.next_record().unwrap(), Some(2));
        assert_eq!(s.field(0), b"a\r");
        assert_eq!(s.next_record().unwrap(), None);
        assert_eq!(s.line(), 3);
    }

    /// A line of exactly 1 MiB is a row; one byte more is too long, however
    /// the reads are cut (a read may bring the overflow and the line end).
    #[test]
    fn a_line_may_be_exactly_one_mib() {
        let mut data = vec![b'a'; MAX_LINE_BYTES as usize];
        data.extend_from_slice(b"\nb\n");
        for chunk in [usize::MAX, 65536, 4096] {
            let mut s = Scanner::new(Chunked(&data, chunk), 0);
            assert_eq!(s.next_record().unwrap(), Some(1), "chunk {chunk}");
            assert_eq!(s.field(0).len() as u64, MAX_LINE_BYTES);
            assert_eq!(s.next_record().unwrap(), Some(2));
            assert_eq!(s.field(0), b"b");
        }
        let mut over = vec![b'a'; MAX_LINE_BYTES as usize + 1];
        over.extend_from_slice(b"\nb\n");
        for chunk in [usize::MAX, 65536, 4096] {
            let mut s = Scanner::new(Chunked(&over, chunk), 0);
            match s.next_record() {
                Err(ScanError::Limit { what, line }) => {
                    assert_eq!((what.as_str(), line), ("a line longer than 1 MiB", 1));
                }
                other => panic!("chunk {chunk}: {other:?}"),
            }
        }
    }
}
