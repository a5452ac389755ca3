//! The workload CSV (formats.md §1): a streaming reader with errors that name the
//! file and the physical line, and a writer.
//!
//! One reader serves `run-csv`, `profile` and `workload-dna`: `next_row`
//! lends out borrowed fields so a streaming pass allocates nothing per row,
//! and `Trace::read` keeps a whole workload compactly for a replay.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::scan::{ScanError, Scanner};
use crate::error::{Error, Result};

/// Default `--csv-max-rows`: a replay keeps 16 bytes a row plus the text
/// of its distinct keys and its put values (`Trace`), so 50M rows of a
/// typical workload need well under 2 GB.
pub const DEFAULT_MAX_ROWS: u64 = 50_000_000;
/// Default `--csv-max-bytes` (2 GiB).
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Put,
    Get,
    Del,
}

impl Op {
    pub const ALL: [Op; 3] = [Op::Put, Op::Get, Op::Del];

    pub fn name(self) -> &'static str {
        match self {
            Op::Put => "put",
            Op::Get => "get",
            Op::Del => "del",
        }
    }

    /// Trimmed, case-insensitive; works on raw bytes so the common case
    /// needs no UTF-8 check.
    fn parse(field: &[u8]) -> Option<Op> {
        // What generators write, first: no trimming or case folding.
        match field {
            b"get" => return Some(Op::Get),
            b"put" => return Some(Op::Put),
            b"del" => return Some(Op::Del),
            _ => {}
        }
        let f = field.trim_ascii();
        if f.eq_ignore_ascii_case(b"put") {
            Some(Op::Put)
        } else if f.eq_ignore_ascii_case(b"get") {
            Some(Op::Get)
        } else if f.eq_ignore_ascii_case(b"del") {
            Some(Op::Del)
        } else {
            None
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One borrowed row from `WorkloadReader::next_row`.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub op: Op,
    pub key: &'a str,
    pub value: &'a str,
    /// 1-based physical line of the row.
    pub line: u64,
}

/// Row and size limits (0 disables one).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_rows: u64,
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: DEFAULT_MAX_ROWS,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

pub struct WorkloadReader<R: Read> {
    inner: Scanner<R>,
    /// Column of op, key, value.
    cols: [usize; 3],
    limits: Limits,
    rows: u64,
    source: String,
}

/// Open `path`: a missing or unreadable file is an I/O error, a file over
/// `--csv-max-bytes` is bad input.
fn open_within_limits(path: &Path, limits: Limits) -> Result<File> {
    let file = File::open(path).map_err(|e| Error::io_at("cannot open CSV", path, &e))?;
    let size = file
        .metadata()
        .map_err(|e| Error::io_at("cannot read CSV", path, &e))?
        .len();
    if limits.max_bytes > 0 && size > limits.max_bytes {
        return Err(Error::bad_input(format!(
            "{}: file is {size} bytes, over the --csv-max-bytes limit of {}",
            path.display(),
            limits.max_bytes
        ))
        .with_hint("raise --csv-max-bytes, or pass 0 to disable the limit"));
    }
    Ok(file)
}

impl WorkloadReader<BufReader<File>> {
    /// Open `path` (see `open_within_limits`).
    pub fn open(path: &Path, limits: Limits) -> Result<Self> {
        Self::from_reader(
            BufReader::with_capacity(1 << 16, open_within_limits(path, limits)?),
            &path.display().to_string(),
            limits,
        )
    }
}

impl WorkloadReader<Checksummed<File>> {
    /// Open `path` and hash its bytes as they are parsed: once the rows
    /// are read to the end, `source()` gives the file's size and checksum,
    /// and `source().check_unchanged(path)` whether the file changed under
    /// the reading.
    pub fn open_checksummed(path: &Path, limits: Limits) -> Result<Self> {
        let file = open_within_limits(path, limits)?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io_at("cannot read CSV", path, &e))?;
        let mut source = Checksummed::new(file);
        source.opened = Some(FileState::of(&meta));
        Self::from_reader(source, &path.display().to_string(), limits)
    }
}

/// A file's size and modification time: what tells that it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileState {
    pub size: u64,
    pub modified: Option<std::time::SystemTime>,
}

impl FileState {
    pub fn of(meta: &std::fs::Metadata) -> FileState {
        FileState {
            size: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// The file at `path` is as it was when opened (`opened`), and the reading
/// consumed all of it (`bytes_read`): else it was truncated, grown or
/// rewritten while read, and a replay would measure part of it, or a mix.
pub fn unchanged(path: &Path, opened: FileState, bytes_read: u64) -> Result<()> {
    let now = std::fs::metadata(path)
        .map(|m| FileState::of(&m))
        .map_err(|e| Error::io_at("cannot read CSV", path, &e))?;
    if now == opened && bytes_read == opened.size {
        return Ok(());
    }
    Err(Error::io(format!(
        "{} changed while it was read: {} bytes when opened, {} now, {} read{}",
        path.display(),
        crate::fmt::thousands(opened.size as f64),
        crate::fmt::thousands(now.size as f64),
        crate::fmt::thousands(bytes_read as f64),
        if now.modified != opened.modified {
            "; modified meanwhile"
        } else {
            ""
        }
    ))
    .with_hint("let whatever writes the workload finish before replaying it"))
}

/// A reader that hashes every byte it passes on (XXH3-64, seed 0): a
/// workload's checksum computed while it is parsed, at no extra read.
pub struct Checksummed<R> {
    inner: R,
    hasher: xxhash_rust::xxh3::Xxh3,
    bytes: u64,
    /// The file's state when it was opened, where it is a file.
    opened: Option<FileState>,
}

impl<R> Checksummed<R> {
    pub fn new(inner: R) -> Self {
        Checksummed {
            inner,
            hasher: xxhash_rust::xxh3::Xxh3::new(),
            bytes: 0,
            opened: None,
        }
    }

    /// Bytes passed on so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The file at `path` did not change while it was read (see
    /// `unchanged`); always true for a source that is not a file.
    pub fn check_unchanged(&self, path: &Path) -> Result<()> {
        match self.opened {
            Some(opened) => unchanged(path, opened, self.bytes),
            None => Ok(()),
        }
    }

    /// "0x" + 16 hex digits of the bytes passed on so far.
    pub fn checksum(&self) -> String {
        format!("0x{:016x}", self.hasher.digest())
    }
}

impl<R: Read> Read for Checksummed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<R: Read> WorkloadReader<R> {
    /// Read the header from `reader`; `source` names it in errors.
    pub fn from_reader(reader: R, source: &str, limits: Limits) -> Result<Self> {
        let mut inner = Scanner::new(reader, limits.max_bytes);
        let ctx = |e: Error| e.context(source);
        let got = inner.next_record().map_err(|e| ctx(scan_error(e)))?;
        if got.is_none() {
            return Err(ctx(Error::bad_input(
                "CSV is empty: expected the header op,key,value",
            )));
        }
        let mut cols = [usize::MAX; 3];
        let mut extra = Vec::new();
        for i in 0..inner.fields() {
            let raw = inner.field(i);
            let name = std::str::from_utf8(raw)
                .map_err(|_| ctx(Error::bad_input("Invalid UTF-8 at line 1")))?
                .trim()
                .trim_start_matches('\u{feff}');
            match name {
                "op" if cols[0] == usize::MAX => cols[0] = i,
                "key" if cols[1] == usize::MAX => cols[1] = i,
                "value" if cols[2] == usize::MAX => cols[2] = i,
                other => extra.push(crate::fmt::shown_text(other, 40)),
            }
        }
        let missing: Vec<&str> = ["op", "key", "value"]
            .iter()
            .zip(cols)
            .filter(|(_, c)| *c == usize::MAX)
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(ctx(Error::bad_input(format!(
                "Missing header columns: {}",
                missing.join(", ")
            ))
            .with_hint("the first line must be the header op,key,value")));
        }
        if !extra.is_empty() {
            let more = extra.len().saturating_sub(5);
            extra.truncate(5);
            if more > 0 {
                extra.push(format!("and {more} more"));
            }
            return Err(ctx(Error::bad_input(format!(
                "Unexpected column(s) in header: {}",
                extra.join(", ")
            ))));
        }
        Ok(WorkloadReader {
            inner,
            cols,
            limits,
            rows: 0,
            source: source.to_string(),
        })
    }

    /// What the rows are read from.
    pub fn source(&self) -> &R {
        self.inner.get_ref()
    }

    /// Bytes consumed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.inner.bytes_read()
    }

    /// Data rows returned so far.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// The next row, or `None` at the end. Errors name the source and line.
    #[inline]
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        let Some(line) = self
            .inner
            .next_record()
            .map_err(|e| scan_error(e).context(&self.source))?
        else {
            if self.rows == 0 {
                return Err(Error::bad_input("CSV contains no data rows").context(&self.source));
            }
            return Ok(None);
        };
        self.rows += 1;
        if self.limits.max_rows > 0 && self.rows > self.limits.max_rows {
            // The original's words first: users' scripts grep for them.
            return Err(Error::bad_input(format!(
                "CSV row limit exceeded ({} > {}) at line {line} (the --csv-max-rows limit)",
                self.rows, self.limits.max_rows
            ))
            .context(&self.source)
            .with_hint("raise --csv-max-rows, or pass 0 to disable the limit"));
        }
        // --csv-max-bytes is the scanner's: it refuses the read that
        // crosses it, before any row past it is seen.
        // Fields are trimmed of ASCII whitespace.
        let field = |i: usize| -> Result<&str> {
            let text = self.inner.field_str(i).ok_or_else(|| {
                Error::bad_input(format!("Invalid UTF-8 at line {line}")).context(&self.source)
            })?;
            Ok(text.trim_ascii())
        };
        let op_raw = self.inner.field(self.cols[0]);
        let Some(op) = Op::parse(op_raw) else {
            // The op as the user wrote it, but never a megabyte or an escape.
            let shown = crate::fmt::shown_text(&String::from_utf8_lossy(op_raw.trim_ascii()), 40);
            return Err(
                Error::bad_input(format!("Unknown op '{shown}' at line {line}"))
                    .context(&self.source)
                    .with_hint("op must be put, get or del"),
            );
        };
        let key = field(self.cols[1])?;
        if key.is_empty() {
            return Err(
                Error::bad_input(format!("Missing key at line {line}")).context(&self.source)
            );
        }
        let value = if op == Op::Put {
            let v = field(self.cols[2])?;
            if v.is_empty() {
                return Err(
                    Error::bad_input(format!("PUT missing value at line {line}"))
                        .context(&self.source),
                );
            }
            v
        } else {
            ""
        };
        Ok(Some(Row {
            op,
            key,
            value,
            line,
        }))
    }
}

fn scan_error(e: ScanError) -> Error {
    match e {
        // The reader's own limits: bad input, not I/O.
        ScanError::Limit { what, line } => {
            // Each limit its own hint: --csv-max-bytes does not lift the
            // line limit, which is fixed.
            let hint = if what.contains("--csv-max-bytes") {
                "raise --csv-max-bytes, or pass 0 to disable the limit"
            } else {
                "a workload line may hold at most 1 MiB (a fixed limit): is this a CSV of op,key,value rows?"
            };
            Error::bad_input(format!("{what} near line {line}")).with_hint(hint)
        }
        ScanError::Io { error, line } => Error::io(format!("read error near line {line}: {error}")),
    }
}

/// Writes a workload CSV with LF line endings. Keys and values are written
/// as CSV fields (quoted only when they need it).
pub struct WorkloadWriter<W: std::io::Write> {
    inner: csv::Writer<W>,
}

impl<W: std::io::Write> WorkloadWriter<W> {
    pub fn new(w: W) -> Result<Self> {
        let mut inner = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(w);
        inner
            .write_record(["op", "key", "value"])
            .map_err(|e| Error::io(format!("cannot write CSV: {e}")))?;
        Ok(WorkloadWriter { inner })
    }

    pub fn write(&mut self, op: Op, key: &str, value: &str) -> Result<()> {
        self.inner
            .write_record([op.name(), key, value])
            .map_err(|e| Error::io(format!("cannot write CSV: {e}")))
    }

    pub fn finish(self) -> Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| Error::io(format!("cannot write CSV: {}", e.error())))
    }
}

pub use crate::fs::write_atomic;

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 26, item 10: a CSV truncated (or grown) while it was read is
    /// an error naming the sizes, never a replay of part of it.
    #[test]
    fn a_file_that_changed_under_the_reading_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.csv");
        std::fs::write(&p, "op,key,value\nput,a,1\nput,b,2\n").unwrap();
        let mut r = WorkloadReader::open_checksummed(&p, Limits::default()).unwrap();
        let t = crate::workload::trace::Trace::read(&mut r).unwrap();
        assert_eq!(t.len(), 2);
        r.source().check_unchanged(&p).unwrap();
        let opened = r.source().opened.unwrap();
        assert!(
            unchanged(&p, opened, opened.size - 1).is_err(),
            "not all read"
        );
        std::fs::write(&p, "op,key,value\nput,a,1\n").unwrap();
        let e = unchanged(&p, opened, opened.size).unwrap_err();
        assert_eq!(e.exit_code(), 5);
        assert!(
            e.detail
                .contains("changed while it was read: 29 bytes when opened, 21 now, 29 read"),
            "{}",
            e.detail
        );
    }

    /// Each limit gives its own hint: the line limit is fixed, so it never
    /// suggests --csv-max-bytes.
    #[test]
    fn limits_hint_at_what_lifts_them() {
        let line = scan_error(ScanError::Limit {
            what: "a line longer than 1 MiB".into(),
            line: 3,
        });
        assert_eq!(line.detail, "a line longer than 1 MiB near line 3");
        let hint = line.hint.unwrap();
        assert!(
            hint.contains("fixed limit") && !hint.contains("--csv-max-bytes"),
            "{hint}"
        );
        let bytes = scan_error(ScanError::Limit {
            what: "more than 10 bytes (the --csv-max-bytes limit)".into(),
            line: 1,
        });
        assert_eq!(
            bytes.hint.as_deref(),
            Some("raise --csv-max-bytes, or pass 0 to disable the limit")
        );
    }

    /// One owned row, for comparing.
    #[derive(Debug)]
    struct Record {
        op: Op,
        key: String,
        value: String,
    }

    trait ReadAll {
        fn read_all(self) -> Result<Vec<Record>>;
    }

    impl<R: Read> ReadAll for WorkloadReader<R> {
        fn read_all(mut self) -> Result<Vec<Record>> {
            let mut out = Vec::new();
            while let Some(r) = self.next_row()? {
                out.push(Record {
                    op: r.op,
                    key: r.key.to_string(),
                    value: r.value.to_string(),
                });
            }
            Ok(out)
        }
    }

    fn parse(text: &str) -> Result<Vec<Record>> {
        WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default())?.read_all()
    }

    #[test]
    fn reads_crlf_and_mixed_case() {
        let rows = parse("op,key,value\r\nPUT, a ,1\r\nget,a,\r\n Del ,a,\r\n").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].key, "a");
        assert_eq!(rows[0].op, Op::Put);
        assert_eq!(rows[2].op, Op::Del);
    }

    #[test]
    fn every_line_ending_gives_the_physical_line() {
        // (file, the line of `zap`)
        let cases = [
            ("op,key,value\r\nzap,a,1\r\n", 2),
            ("op,key,value\r\nput,a,1\r\n\r\nput,b,2\r\nzap,c,3\r\n", 5),
            ("op,key,value\nput,a,1\r\nput,b,2\nzap,c,3\n", 4),
            ("op,key,value\r\nput,a,1\nput,b,2\nzap,c,3\n", 4),
            ("op,key,value\nput,a,1\r\n\r\nzap,c,3\r\n", 4),
            ("op,key,value\r\n\r\n\r\nput,a,1\r\nzap,b,2\r\n", 5),
            ("op,key,value\r\nput,\"a\r\nb\",1\r\nzap,c,3\r\n", 4),
            ("op,key,value\nput,a,1\n\nput,b,2\nzap,c,3\n", 5),
            // Found by fuzzing: a bare CR after the first line ends a line
            // too (as in editors), so two rows never share a line number.
            ("op,key,value\r\nput,a,1\r\tput,b,2\nzap,c,3\n", 4),
            ("op,key,value\nput,a,1\r\r\nzap,c,3\n", 4),
        ];
        /// Hands out one byte a read: every line ending straddles reads.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match (self.0.split_first(), buf.first_mut()) {
                    (Some((&b, rest)), Some(out)) => {
                        *out = b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        for (text, line) in cases {
            let e = parse(text).unwrap_err().detail;
            assert!(
                e.contains(&format!("Unknown op 'zap' at line {line}")),
                "{text:?}: {e}"
            );
            let trickled =
                WorkloadReader::from_reader(Trickle(text.as_bytes()), "t.csv", Limits::default())
                    .and_then(|r| r.read_all())
                    .unwrap_err()
                    .detail;
            assert_eq!(trickled, e, "{text:?} read a byte at a time");
        }
        // Classic-Mac files (bare CR endings) are read, numbered right.
        let e = parse("op,key,value\rput,a,1\r\rzap,b,2\r")
            .unwrap_err()
            .detail;
        assert_eq!(e, "t.csv: Unknown op 'zap' at line 4");
        assert_eq!(parse("op,key,value\rput,a,1\rget,a,\r").unwrap().len(), 2);
    }

    #[test]
    fn crlf_errors_name_the_physical_line() {
        let e = parse("op,key,value\r\nput,a,1\r\nfrob,b,2\r\n").unwrap_err();
        assert_eq!(e.detail, "t.csv: Unknown op 'frob' at line 3");
        let e = parse("op,key,value\r\nput,a,1\r\nput,b,\r\n").unwrap_err();
        assert_eq!(e.detail, "t.csv: PUT missing value at line 3");
    }

    /// Found by fuzzing: the op and header names were quoted raw (a NUL,
    /// an escape sequence, a megabyte of text).
    #[test]
    fn quoted_csv_text_is_clean_and_cut() {
        let e = parse("op,key,value\nput,a,1\n\n\ng\0t,a,\n").unwrap_err();
        assert_eq!(e.detail, "t.csv: Unknown op 'gt' at line 5");
        let e = parse(&format!(
            "op,key,value\n\u{1b}[31m{},a,\n",
            "x".repeat(100_000)
        ))
        .unwrap_err();
        assert!(
            e.detail.starts_with("t.csv: Unknown op 'xxx"),
            "{}",
            e.detail
        );
        assert!(e.detail.ends_with("…' at line 2"), "{}", e.detail);
        assert!(e.detail.chars().count() < 100);
        let header = format!(
            "op,key,value,\0bad,{}",
            (0..50)
                .map(|i| format!("c{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let e = parse(&format!("{header}\nput,a,1\n")).unwrap_err();
        assert_eq!(
            e.detail,
            "t.csv: Unexpected column(s) in header: bad, c0, c1, c2, c3, and 46 more"
        );
    }

    #[test]
    fn header_in_any_order() {
        let rows = parse("key,value,op\nk,v,put\n").unwrap();
        assert_eq!(rows[0].value, "v");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("op,key,value\nput,a,1\nx,b,2\n").unwrap_err();
        assert_eq!(e.detail, "t.csv: Unknown op 'x' at line 3");
        assert_eq!(e.exit_code(), 2);
        let e = parse("op,key,value\nput,a,1\nget,,\n").unwrap_err();
        assert!(e.detail.ends_with("Missing key at line 3"), "{}", e.detail);
        let e = parse("op,key,value\nput,a,\n").unwrap_err();
        assert!(e.detail.ends_with("PUT missing value at line 2"));
        let e = parse("op,key\nput,a\n").unwrap_err();
        assert!(e.detail.ends_with("Missing header columns: value"));
        let e = parse("op,key,value,extra\n").unwrap_err();
        assert!(e.detail.ends_with("Unexpected column(s) in header: extra"));
        let e = parse("op,key,value\n").unwrap_err();
        assert!(e.detail.ends_with("CSV contains no data rows"));
        let e = parse("op,key,value\nput,a,1\nput,\u{0}b\u{0},1\nput,c,\n").unwrap_err();
        assert!(e.detail.ends_with("line 4"), "{}", e.detail);
    }

    #[test]
    fn invalid_utf8_names_line() {
        let mut bytes = b"op,key,value\nput,a,1\nput,".to_vec();
        bytes.extend([0xff, 0xfe]);
        bytes.extend(b",1\n");
        let e = WorkloadReader::from_reader(&bytes[..], "t.csv", Limits::default())
            .unwrap()
            .read_all()
            .unwrap_err();
        assert_eq!(e.detail, "t.csv: Invalid UTF-8 at line 3");
    }

    #[test]
    fn row_limit() {
        let limits = Limits {
            max_rows: 2,
            max_bytes: 0,
        };
        let text = "op,key,value\nget,a,\nget,b,\nget,c,\n";
        let e = WorkloadReader::from_reader(text.as_bytes(), "t.csv", limits)
            .unwrap()
            .read_all()
            .unwrap_err();
        assert!(e.detail.contains("--csv-max-rows"), "{}", e.detail);
    }

    #[test]
    fn writer_round_trips() {
        let mut w = WorkloadWriter::new(Vec::new()).unwrap();
        w.write(Op::Put, "k,1", "v\"x").unwrap();
        w.write(Op::Get, "k2", "").unwrap();
        let bytes = w.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains('\r'));
        let rows = parse(&text).unwrap();
        assert_eq!(rows[0].key, "k,1");
        assert_eq!(rows[0].value, "v\"x");
    }

    /// Both limits bite one past their value, not at it; 0 turns one off.
    #[test]
    fn limits_bite_one_past_their_value() {
        let text = "op,key,value\nget,a,\nget,b,\n";
        let read = |max_rows, max_bytes| {
            WorkloadReader::from_reader(
                text.as_bytes(),
                "t.csv",
                Limits {
                    max_rows,
                    max_bytes,
                },
            )
            .and_then(|r| r.read_all())
            .map(|rows| rows.len())
            .map_err(|e| e.detail)
        };
        assert_eq!(read(2, 0), Ok(2));
        assert_eq!(read(0, 0), Ok(2));
        let e = read(1, 0).unwrap_err();
        assert!(
            e.starts_with("t.csv: CSV row limit exceeded (2 > 1) at line 3"),
            "{e}"
        );
        let n = text.len() as u64;
        assert_eq!(read(0, n), Ok(2));
        let e = read(0, n - 1).unwrap_err();
        assert!(e.contains("--csv-max-bytes"), "{e}");
        // A file's size is checked before reading.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.csv");
        std::fs::write(&path, text).unwrap();
        let open = |max_bytes| {
            WorkloadReader::open(
                &path,
                Limits {
                    max_rows: 0,
                    max_bytes,
                },
            )
            .map(|_| ())
        };
        assert!(open(n).is_ok());
        let e = open(n - 1).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.detail.contains(&format!(
                "file is {n} bytes, over the --csv-max-bytes limit of {}",
                n - 1
            )),
            "{}",
            e.detail
        );
        let e = WorkloadReader::open(&dir.path().join("missing.csv"), Limits::default())
            .map(|_| ())
            .unwrap_err();
        assert!(e.detail.contains("cannot open CSV"), "{}", e.detail);
    }

    /// By default a CSV may be 2 GiB, not a byte more (sparse files: the
    /// size is refused before anything is read).
    #[test]
    fn the_default_byte_limit_is_2_gib() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        std::fs::write(&path, "op,key,value\nput,a,1\n").unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        let open = || WorkloadReader::open(&path, Limits::default()).map(|_| ());
        // Opening reads the header only, not the zeros after it.
        f.set_len(2 << 30).unwrap();
        open().unwrap();
        f.set_len((2 << 30) + 1).unwrap();
        let e = open().unwrap_err();
        assert!(
            e.detail
                .contains("file is 2147483649 bytes, over the --csv-max-bytes limit of 2147483648"),
            "{}",
            e.detail
        );
    }

    /// Progress counters follow the reading.
    #[test]
    fn rows_and_bytes_read_advance() {
        let text = "op,key,value\nput,a,1\nget,a,\n";
        let mut r =
            WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default()).unwrap();
        assert_eq!(r.rows_read(), 0);
        let row = r.next_row().unwrap().unwrap();
        assert_eq!(
            (row.op, row.key, row.value, row.line),
            (Op::Put, "a", "1", 2)
        );
        assert_eq!(r.rows_read(), 1);
        let row = r.next_row().unwrap().unwrap();
        assert_eq!((row.op, row.value, row.line), (Op::Get, "", 3));
        assert!(r.next_row().unwrap().is_none());
        assert_eq!((r.rows_read(), r.bytes_read()), (2, text.len() as u64));
    }

    /// A repeated or unknown column is named (at most five, then a count);
    /// a byte-order mark before the header is not part of a name.
    #[test]
    fn header_columns_are_checked_by_name() {
        for (header, twice) in [
            ("op,op,key,value", "op"),
            ("op,key,key,value", "key"),
            ("op,key,value,value", "value"),
        ] {
            let e = parse(&format!("{header}\nget,a,b,c\n")).unwrap_err();
            assert!(
                e.detail
                    .ends_with(&format!("Unexpected column(s) in header: {twice}")),
                "{header}: {}",
                e.detail
            );
        }
        let e = parse("op,key,value,a,b,c,d,e,f,g\nget,a,,,,,,,,\n").unwrap_err();
        assert!(
            e.detail
                .ends_with("Unexpected column(s) in header: a, b, c, d, e, and 2 more"),
            "{}",
            e.detail
        );
        let e = parse("key\nx\n").unwrap_err();
        assert!(
            e.detail.ends_with("Missing header columns: op, value"),
            "{}",
            e.detail
        );
        assert_eq!(parse("\u{feff}op,key,value\nget,a,\n").unwrap().len(), 1);
        assert_eq!(parse(" value , op ,key\nv,put,k\n").unwrap()[0].value, "v");
        let e = parse("").unwrap_err();
        assert!(
            e.detail
                .ends_with("CSV is empty: expected the header op,key,value"),
            "{}",
            e.detail
        );
        assert_eq!(
            (Op::Put.index(), Op::Get.index(), Op::Del.index()),
            (0, 1, 2)
        );
        assert_eq!(Op::ALL.map(Op::name), ["put", "get", "del"]);
        // What generators write, and what people type.
        assert_eq!(
            parse("op,key,value\n PUT ,k,v\nGet,k,\ndEl,k,\n")
                .unwrap()
                .iter()
                .map(|r| r.op)
                .collect::<Vec<_>>(),
            [Op::Put, Op::Get, Op::Del]
        );
    }
}
