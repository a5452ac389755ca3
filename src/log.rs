//! Progress and diagnostics on stderr: plain lines, or one JSON object per
//! line under `--log-json`, so stdout stays for results.
//!
//! Every line adhash prints goes through `out`/`err` (the `outln!`/`errln!`
//! macros): a closed pipe or a full device never panics (`adhash … | head
//! -1` ends quietly, formats.md §3), and control characters from user files
//! (ANSI/OSC escapes in keys or job output) never reach the terminal.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Text fit for a terminal or a report: ANSI/OSC escape sequences removed
/// whole (not just their ESC byte), then every other control character but
/// tab and newline.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let keep = |c: char| (!c.is_control() || c == '\t' || c == '\n') && !is_bidi_control(c);
    if s.chars().all(keep) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\u{1b}' => match it.next() {
                // CSI: parameters, then one final byte in @..~.
                Some('[') => {
                    for d in it.by_ref() {
                        if ('@'..='~').contains(&d) {
                            break;
                        }
                    }
                }
                // OSC (and DCS, PM, APC): up to BEL or ESC \.
                Some(']' | 'P' | '^' | '_') => {
                    while let Some(d) = it.next() {
                        if d == '\u{7}' {
                            break;
                        }
                        if d == '\u{1b}' && it.peek() == Some(&'\\') {
                            it.next();
                            break;
                        }
                    }
                }
                _ => {}
            },
            c if keep(c) => out.push(c),
            _ => {}
        }
    }
    out.into()
}

/// Unicode's bidirectional controls (embeddings, overrides, isolates,
/// marks): not control characters to `char::is_control`, yet U+202E turns
/// `txt.exe` into what reads as `exe.txt`. Text from users never carries
/// them to a terminal or a report.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Stdout is a pipe whose reader has gone (checked without writing, so a
/// long quiet job is stopped as soon as `| head -1` has what it wanted).
pub fn stdout_gone() -> bool {
    if stdout_closed() {
        return true;
    }
    #[cfg(unix)]
    {
        let mut fds = libc::pollfd {
            fd: 1,
            events: 0,
            revents: 0,
        };
        // SAFETY: poll(2) on one valid pollfd we own, with a zero timeout.
        let n = unsafe { libc::poll(&mut fds, 1, 0) };
        if n > 0 && fds.revents & libc::POLLERR != 0 {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            return true;
        }
    }
    false
}

fn line(args: std::fmt::Arguments) -> String {
    let mut s = String::new();
    let _ = s.write_fmt(args);
    let mut clean = printable(&s).into_owned();
    clean.push('\n');
    clean
}

/// Print a line on stdout; false (and nothing more is printed) once stdout
/// is closed or failing.
pub fn out(args: std::fmt::Arguments) -> bool {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return false;
    }
    let text = line(args);
    let mut o = std::io::stdout().lock();
    let ok = o
        .write_all(text.as_bytes())
        .and_then(|()| o.flush())
        .is_ok();
    if !ok {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
    ok
}

/// Stdout was closed by the reader (`| head -1`).
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Print a line on stderr; a failing stderr is ignored (there is nowhere
/// left to say so).
pub fn err(args: std::fmt::Arguments) {
    let text = line(args);
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `println!` that never panics (see `out`).
#[macro_export]
macro_rules! outln {
    ($($t:tt)*) => {{
        let _ = $crate::log::out(format_args!($($t)*));
    }};
}

/// `eprintln!` that never panics (see `err`).
#[macro_export]
macro_rules! errln {
    ($($t:tt)*) => { $crate::log::err(format_args!($($t)*)) };
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub json: bool,
    pub quiet: bool,
}

impl Log {
    pub fn info(&self, msg: &str) {
        self.emit("info", msg);
    }

    pub fn warn(&self, msg: &str) {
        self.emit("warn", msg);
    }

    fn emit(&self, level: &str, msg: &str) {
        file_record(if level == "info" { "INFO" } else { "WARNING" }, msg);
        if self.quiet && level == "info" {
            return;
        }
        if self.json {
            // Levels as the original (Python's logging) spells them.
            let level = match level {
                "info" => "INFO",
                _ => "WARNING",
            };
            err(format_args!("{}", json_record(level, msg)));
        } else if level == "info" {
            err(format_args!("{msg}"));
        } else {
            err(format_args!("{level}: {msg}"));
        }
    }
}

/// The original's JSON log record: ts (local time, seconds), level,
/// logger, msg.
fn json_record(level: &str, msg: &str) -> serde_json::Value {
    let ts = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S").to_string();
    serde_json::json!({ "ts": ts, "level": level, "logger": "adhash", "msg": msg })
}

/// `--log-file`: every log record (and the error that ends a command) also
/// goes to a file as a JSON line, rotated as the original's
/// `RotatingFileHandler` does: past `max_bytes` the file becomes `FILE.1`,
/// `FILE.1` becomes `FILE.2`, … and the oldest beyond `backups` goes.
struct LogFile {
    path: std::path::PathBuf,
    file: std::fs::File,
    size: u64,
    max_bytes: u64,
    backups: u32,
}

static LOG_FILE: std::sync::Mutex<Option<LogFile>> = std::sync::Mutex::new(None);

/// Start writing records to `path` (appending, as the original does).
pub fn open_log_file(
    path: &std::path::Path,
    max_bytes: u64,
    backups: u32,
) -> crate::error::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| crate::error::Error::io_at("cannot write log file", path, &e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if let Ok(mut slot) = LOG_FILE.lock() {
        *slot = Some(LogFile {
            path: path.to_path_buf(),
            file,
            size,
            max_bytes,
            backups,
        });
    }
    Ok(())
}

/// One record to the log file, if there is one. A log file that cannot be
/// written is dropped (logging never fails a command).
pub fn file_record(level: &str, msg: &str) {
    use std::io::Write;
    let Ok(mut slot) = LOG_FILE.lock() else {
        return;
    };
    let Some(log) = slot.as_mut() else {
        return;
    };
    let line = format!("{}\n", json_record(level, &printable(msg)));
    // As Python's handler: roll over before a record that would pass the
    // limit (0 = never), unless the file is empty.
    if log.max_bytes > 0 && log.size > 0 && log.size + line.len() as u64 > log.max_bytes {
        if log.backups > 0 {
            let name = |n: u32| {
                let mut p = log.path.clone().into_os_string();
                p.push(format!(".{n}"));
                std::path::PathBuf::from(p)
            };
            let _ = std::fs::remove_file(name(log.backups));
            for n in (1..log.backups).rev() {
                let _ = std::fs::rename(name(n), name(n + 1));
            }
            let _ = std::fs::rename(&log.path, name(1));
        }
        match std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&log.path)
        {
            Ok(f) => {
                log.file = f;
                log.size = 0;
            }
            Err(_) => {
                *slot = None;
                return;
            }
        }
    }
    if log.file.write_all(line.as_bytes()).is_ok() {
        log.size += line.len() as u64;
    } else {
        *slot = None;
    }
}

pub use crate::fmt::{human_bytes, thousands};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_removed_whole() {
        assert_eq!(printable("plain"), "plain");
        assert_eq!(printable("\u{1b}[31mred\u{1b}[0m ok"), "red ok");
        assert_eq!(printable("a\u{1b}]0;title\u{7}b"), "ab");
        assert_eq!(printable("a\u{1b}]8;;http://x\u{1b}\\link"), "alink");
        assert_eq!(printable("bell\u{7}\r\nnext\tcol"), "bell\nnext\tcol");
    }

    /// Issue 26, item 15: bidi controls never pass (a right-to-left
    /// override would make `txt.exe` read as `exe.txt`); other non-ASCII
    /// text stays.
    #[test]
    fn bidi_controls_are_removed() {
        assert_eq!(printable("report\u{202E}txt.exe"), "reporttxt.exe");
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202D}', '\u{2066}', '\u{2069}',
        ] {
            assert_eq!(printable(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
        }
        assert_eq!(
            printable("café ключ 名前 \u{200D}"),
            "café ключ 名前 \u{200D}"
        );
        assert_eq!(crate::batch::report::md_cell("a\u{202E}b"), "ab");
        assert_eq!(crate::batch::report::esc("a\u{2067}b"), "ab");
    }
}
