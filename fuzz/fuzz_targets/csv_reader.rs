//! The workload CSV reader on arbitrary bytes (formats.md §1).
//!
//! Beyond "never panics", it checks what a user relies on:
//! - every row and every row error names a physical line that exists, in
//!   file order; for files without quotes (where a line is a record) the
//!   exact line, worked out here independently of the reader, whatever the
//!   line endings (LF, CRLF, bare CR, mixed);
//! - the byte and row limits hold: a reader given a limit never returns a
//!   row past it;
//! - an error message is short and free of control characters, whatever
//!   the file held (it is printed on terminals and shown in the GUI).
#![no_main]

use std::io::Cursor;

use adhash::workload::csv::{Limits, WorkloadReader};
use libfuzzer_sys::fuzz_target;

/// Longest error text a user may be shown (a cut key is 80 characters).
const MAX_MESSAGE_CHARS: usize = 600;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the limits, so limit paths are explored too.
    let (limits, data) = match data.split_first() {
        Some((&b, rest)) => (
            Limits {
                max_rows: u64::from(b & 0x0f),
                max_bytes: if b & 0x10 != 0 {
                    rest.len() as u64 / 2
                } else {
                    0
                },
            },
            rest,
        ),
        None => (Limits::default(), data),
    };
    // Every LF and every CR counts at most one line.
    let physical_lines = 1 + data.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64;
    let expected = record_lines(data);

    let mut reader = match WorkloadReader::from_reader(Cursor::new(data), "fuzz.csv", limits) {
        Ok(r) => r,
        Err(e) => return check_message(&e.detail, e.hint.as_deref()),
    };
    let mut last_line = 1;
    let mut rows = 0usize;
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                rows += 1;
                assert!(row.line > last_line, "line {} after {last_line}", row.line);
                assert!(
                    row.line <= physical_lines,
                    "line {} of {physical_lines}",
                    row.line
                );
                if let Some(lines) = &expected {
                    assert_eq!(Some(&row.line), lines.get(rows), "row {rows}");
                }
                assert!(!row.key.is_empty());
                if limits.max_rows > 0 {
                    assert!(rows as u64 <= limits.max_rows);
                }
                last_line = row.line;
                if limits.max_bytes > 0 {
                    assert!(reader.bytes_read() <= limits.max_bytes);
                }
            }
            Ok(None) => break,
            Err(e) => {
                check_message(&e.detail, e.hint.as_deref());
                if let Some(line) = line_in(&e.detail) {
                    assert!(line <= physical_lines, "{}", e.detail);
                    // A row's own fault names that row's line.
                    let row_fault = ["Unknown op", "Missing key", "PUT missing value"]
                        .iter()
                        .any(|k| e.detail.contains(k));
                    if let (true, Some(lines)) = (row_fault, &expected) {
                        assert_eq!(Some(&line), lines.get(rows + 1), "{}", e.detail);
                    }
                }
                break;
            }
        }
    }
});

/// The physical line of each record (the header first), when the file is
/// simple enough to know it without a CSV parser: no quotes. A line ends at
/// LF, CRLF or a bare CR, as editors count lines; blank lines hold no
/// record.
fn record_lines(data: &[u8]) -> Option<Vec<u64>> {
    if data.contains(&b'"') {
        return None;
    }
    let mut lines = Vec::new();
    let (mut line, mut start, mut i) = (1u64, 0usize, 0usize);
    while i <= data.len() {
        let end = i == data.len();
        if end || data[i] == b'\n' || data[i] == b'\r' {
            if i > start {
                lines.push(line);
            }
            if !end && data[i] == b'\r' && data.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            line += 1;
            start = i + 1;
        }
        i += 1;
    }
    Some(lines)
}

/// The number after "line " in a message.
fn line_in(message: &str) -> Option<u64> {
    let at = message.rfind("line ")? + 5;
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn check_message(detail: &str, hint: Option<&str>) {
    for text in std::iter::once(detail).chain(hint) {
        assert!(
            text.chars().count() <= MAX_MESSAGE_CHARS,
            "message of {} characters",
            text.chars().count()
        );
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "control character in {text:?}"
        );
    }
}
