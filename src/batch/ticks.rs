//! A running job's metrics ticks (formats.md §5), followed as the job writes
//! them: the runner reads what was appended to `metrics.ndjson` each time
//! it wakes for the job's output (every 50 ms at most, sleeping between),
//! so ticks reach Mission Control and `--events-out` while the job runs.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One metrics.v1 tick, as much of it as a timeline draws. Read leniently:
/// a field a CLI does not write is left at its default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TickPoint {
    pub t: f64,
    pub backend: String,
    pub ops: u64,
    pub ops_by_type: Option<TickOps>,
    pub ops_per_second: f64,
    pub migrations: u64,
    pub compactions: u64,
    pub load_factor: f64,
    pub max_group_len: Option<u64>,
    pub avg_probe_estimate: Option<f64>,
    pub tombstone_ratio: Option<f64>,
    pub latency_ms: Option<TickLatency>,
    pub events: Vec<TickEvent>,
}

impl TickPoint {
    /// p99 latency over the run so far, in ms.
    pub fn p99_ms(&self) -> Option<f64> {
        self.latency_ms.as_ref()?.overall.as_ref()?.p99
    }
}

/// Operations so far by type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TickOps {
    pub put: u64,
    pub get: u64,
    pub del: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TickLatency {
    pub overall: Option<TickQuantiles>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TickQuantiles {
    pub p99: Option<f64>,
}

/// A migration or a compaction, at the time it happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TickEvent {
    #[serde(rename = "type")]
    pub kind: String,
    pub t: f64,
    pub from: Option<String>,
    pub to: Option<String>,
    pub backend: Option<String>,
    pub source: Option<String>,
}

/// Ticks a job's timeline keeps in its result (the JSON report and the
/// history): enough to draw, small enough to archive every run.
pub const TIMELINE_POINTS: usize = 600;

/// At most `max` of `ticks`, evenly spread, the first and last kept; the
/// events of a dropped tick move to the next kept one, so no migration or
/// compaction is lost.
pub fn thin(ticks: Vec<TickPoint>, max: usize) -> Vec<TickPoint> {
    let n = ticks.len();
    if n <= max || max < 2 {
        return ticks;
    }
    let keep = |i: usize| -> bool {
        // Kept indices: round(k (n-1) / (max-1)) for k in 0..max; k = 0
        // and k = max-1 give the first and the last.
        let k = (i * (max - 1) + (n - 1) / 2) / (n - 1);
        (k * (n - 1) + (max - 1) / 2) / (max - 1) == i
    };
    let mut out = Vec::with_capacity(max);
    let mut carried: Vec<TickEvent> = Vec::new();
    for (i, mut t) in ticks.into_iter().enumerate() {
        if keep(i) {
            if !carried.is_empty() {
                carried.append(&mut t.events);
                t.events = std::mem::take(&mut carried);
            }
            out.push(t);
        } else {
            carried.append(&mut t.events);
        }
    }
    out
}

/// Longest tick line read; a longer one is skipped (not a tick).
const MAX_TICK_LINE: usize = 1 << 20;

/// Follows one run's `metrics.ndjson` from its start.
pub struct TickTail {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
    /// The file was replaced (trimmed to `--metrics-max-ticks`): stop.
    done: bool,
    inode: Option<u64>,
}

impl TickTail {
    pub fn new(path: &Path) -> TickTail {
        TickTail {
            path: path.to_path_buf(),
            offset: 0,
            partial: Vec::new(),
            done: false,
            inode: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ticks completed since the last call. Never blocks: a missing
    /// file (not written yet) or a read error gives none.
    pub fn poll(&mut self) -> Vec<TickPoint> {
        if self.done {
            return Vec::new();
        }
        // Non-blocking: opening a FIFO for reading would otherwise wait for
        // a writer, and the runner with it (no effect on a regular file).
        let mut open = std::fs::File::options();
        open.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            open.custom_flags(libc::O_NONBLOCK);
        }
        let Ok(mut f) = open.open(&self.path) else {
            return Vec::new();
        };
        let Ok(meta) = f.metadata() else {
            return Vec::new();
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            match self.inode {
                None => self.inode = Some(meta.ino()),
                Some(i) if i != meta.ino() => {
                    self.done = true;
                    return Vec::new();
                }
                Some(_) => {}
            }
        }
        // Only regular files: a FIFO would block the runner.
        if !meta.is_file() || meta.len() <= self.offset {
            return Vec::new();
        }
        if f.seek(SeekFrom::Start(self.offset)).is_err() {
            return Vec::new();
        }
        let mut fresh = Vec::new();
        let want = meta.len() - self.offset;
        if f.take(want).read_to_end(&mut fresh).is_err() {
            return Vec::new();
        }
        self.offset += fresh.len() as u64;
        self.partial.extend_from_slice(&fresh);
        let Some(end) = self.partial.iter().rposition(|&b| b == b'\n') else {
            if self.partial.len() > MAX_TICK_LINE {
                self.partial.clear();
            }
            return Vec::new();
        };
        let complete: Vec<u8> = self.partial.drain(..=end).collect();
        complete
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty() && l.len() <= MAX_TICK_LINE)
            .filter_map(|l| serde_json::from_slice(l).ok())
            .collect()
    }
}

/// Points of a chart line.
pub type Points = Vec<[f64; 2]>;

/// A metric as a chart draws it: a line, and where the line averages several
/// ticks per point, the band of their lowest and highest values (Mission
/// Control's Timeline, the HTML report's timelines).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub line: Points,
    /// (lowest, highest) per point, when a point stands for several ticks.
    pub band: Option<(Points, Points)>,
    /// Ticks per drawn point (1: every tick is drawn).
    pub per_point: usize,
}

/// `pts` for a chart with room for `columns` points: every tick when they
/// fit; otherwise consecutive runs of ticks become one point at their mean
/// (a line that stays a line) with their min and max kept as a band, so a
/// spike or a dip is still on the chart.
pub fn series(pts: Vec<[f64; 2]>, columns: usize) -> Series {
    let columns = columns.max(2);
    if pts.len() <= columns {
        return Series {
            line: pts,
            band: None,
            per_point: 1,
        };
    }
    let per = pts.len().div_ceil(columns);
    let (mut line, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
    for chunk in pts.chunks(per) {
        let n = chunk.len() as f64;
        let x = chunk.iter().map(|p| p[0]).sum::<f64>() / n;
        let y = chunk.iter().map(|p| p[1]).sum::<f64>() / n;
        let min = chunk.iter().map(|p| p[1]).fold(f64::INFINITY, f64::min);
        let max = chunk.iter().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
        line.push([x, y]);
        lo.push([x, min]);
        hi.push([x, max]);
    }
    Series {
        line,
        band: Some((lo, hi)),
        per_point: per,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn thinning_keeps_the_ends_and_every_event() {
        let ticks: Vec<TickPoint> = (0..10_000)
            .map(|i| TickPoint {
                t: i as f64 / 100.0,
                ops: i * 10,
                events: if i % 997 == 0 {
                    vec![TickEvent {
                        kind: "migration".into(),
                        t: i as f64 / 100.0,
                        ..Default::default()
                    }]
                } else {
                    Vec::new()
                },
                ..Default::default()
            })
            .collect();
        let events: usize = ticks.iter().map(|t| t.events.len()).sum();
        let thin = thin(ticks, TIMELINE_POINTS);
        assert!(thin.len() <= TIMELINE_POINTS + 1, "{}", thin.len());
        assert!(thin.len() >= TIMELINE_POINTS - 1, "{}", thin.len());
        assert_eq!(thin[0].ops, 0);
        assert_eq!(thin.last().unwrap().ops, 99_990);
        assert!(thin.windows(2).all(|w| w[0].t < w[1].t));
        assert_eq!(thin.iter().map(|t| t.events.len()).sum::<usize>(), events);
        // Each event sits at or after the time it happened.
        for t in &thin {
            assert!(t.events.iter().all(|e| e.t <= t.t));
        }
        let few = vec![TickPoint::default(); 5];
        assert_eq!(super::thin(few, TIMELINE_POINTS).len(), 5);
    }

    fn numbered(n: usize) -> Vec<TickPoint> {
        (0..n)
            .map(|i| TickPoint {
                t: i as f64,
                ..Default::default()
            })
            .collect()
    }

    fn kept(ticks: &[TickPoint]) -> Vec<usize> {
        ticks.iter().map(|t| t.t as usize).collect()
    }

    /// The kept ticks are exactly round(k (n-1) / (max-1)), k = 0..max,
    /// for every size up to 80 ticks; fewer than 2 points cannot keep
    /// both ends, so nothing is thinned.
    #[test]
    fn thinning_keeps_evenly_spread_ticks() {
        for n in 2..80 {
            for max in 2..n {
                let want: Vec<usize> = (0..max)
                    .map(|k| (k as f64 * (n - 1) as f64 / (max - 1) as f64).round() as usize)
                    .collect();
                assert_eq!(kept(&thin(numbered(n), max)), want, "{n} ticks to {max}");
            }
        }
        assert_eq!(kept(&thin(numbered(10), 2)), [0, 9]);
        assert_eq!(kept(&thin(numbered(11), 4)), [0, 3, 7, 10]);
        for max in [0, 1] {
            assert_eq!(thin(numbered(10), max).len(), 10, "max {max}");
        }
    }

    /// A tick line of `len` bytes (valid JSON, padded with spaces).
    fn tick_line(len: usize) -> Vec<u8> {
        let mut line = br#"{"t":1.0,"ops":5}"#.to_vec();
        line.resize(len, b' ');
        line
    }

    /// A line without its end yet waits, up to MAX_TICK_LINE bytes; a
    /// longer one is skipped, whether it comes in pieces or whole.
    #[test]
    fn tick_lines_are_read_up_to_a_mib() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.ndjson");
        let mut f = std::fs::File::create(&path).unwrap();
        let mut tail = TickTail::new(&path);
        // A short line in two pieces.
        f.write_all(br#"{"t":0.5,"#).unwrap();
        assert!(tail.poll().is_empty());
        f.write_all(b"\"ops\":1}\n").unwrap();
        assert_eq!(tail.poll().iter().map(|t| t.ops).collect::<Vec<_>>(), [1]);
        // The longest line, its end written later.
        f.write_all(&tick_line(MAX_TICK_LINE)).unwrap();
        assert!(tail.poll().is_empty());
        f.write_all(b"\n").unwrap();
        assert_eq!(tail.poll().iter().map(|t| t.ops).collect::<Vec<_>>(), [5]);
        // One byte longer: skipped, in pieces or whole.
        f.write_all(&tick_line(MAX_TICK_LINE + 1)).unwrap();
        assert!(tail.poll().is_empty());
        f.write_all(b"\n").unwrap();
        assert!(tail.poll().is_empty());
        let mut whole = tick_line(MAX_TICK_LINE + 1);
        whole.push(b'\n');
        f.write_all(&whole).unwrap();
        f.write_all(b"{\"t\":2.0,\"ops\":7}\n").unwrap();
        assert_eq!(tail.poll().iter().map(|t| t.ops).collect::<Vec<_>>(), [7]);
    }

    /// A FIFO where the ticks should be gives none, and does not block.
    #[cfg(unix)]
    #[test]
    fn a_fifo_gives_no_ticks_and_does_not_block() {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.ndjson");
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo(3) with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let (tx, rx) = crossbeam_channel::bounded(1);
        std::thread::spawn(move || {
            let _ = tx.send(TickTail::new(&path).poll().len());
        });
        let polled = rx.recv_timeout(std::time::Duration::from_secs(10));
        if polled.is_err() {
            // Let the blocked open return, so the thread ends.
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(dir.path().join("metrics.ndjson"));
        }
        assert_eq!(polled, Ok(0), "poll blocked on the FIFO");
    }

    #[test]
    fn follows_appended_lines_and_waits_for_whole_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.ndjson");
        let mut tail = TickTail::new(&path);
        assert!(tail.poll().is_empty(), "no file yet");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(
            f,
            r#"{{"schema":"metrics.v1","t":0.0,"backend":"chaining","ops":0}}"#
        )
        .unwrap();
        write!(f, r#"{{"t":0.1,"ops":500,"ops_per_second":5000.0,"latency_ms":{{"overall":{{"p99":0.002}}}},"#).unwrap();
        f.flush().unwrap();
        let got = tail.poll();
        assert_eq!(got.len(), 1, "the half-written line waits");
        assert_eq!(got[0].backend, "chaining");
        writeln!(
            f,
            r#""events":[{{"type":"migration","t":0.05,"from":"chaining","to":"robinhood"}}]}}"#
        )
        .unwrap();
        writeln!(f, "not json").unwrap();
        f.flush().unwrap();
        let got = tail.poll();
        assert_eq!(got.len(), 1, "a bad line is skipped");
        assert_eq!(got[0].ops, 500);
        assert_eq!(got[0].p99_ms(), Some(0.002));
        assert_eq!(got[0].events[0].kind, "migration");
        assert_eq!(got[0].events[0].to.as_deref(), Some("robinhood"));
        assert!(tail.poll().is_empty(), "nothing new");
        // Replaced (trimmed to the last ticks): not read again.
        std::fs::write(dir.path().join("new"), "{\"t\":9.0}\n").unwrap();
        std::fs::rename(dir.path().join("new"), &path).unwrap();
        assert!(tail.poll().is_empty());
        // Not even when the new file is longer than what was read.
        let mut f = std::fs::File::options().append(true).open(&path).unwrap();
        for _ in 0..100 {
            writeln!(f, "{{\"t\":9.0}}").unwrap();
        }
        assert!(tail.poll().is_empty(), "the replaced file was read");
    }
}
