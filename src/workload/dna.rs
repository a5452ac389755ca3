//! Workload DNA (formats.md §6): a workload's fingerprint in one streaming pass
//! with bounded memory — op mix, key popularity, and how its keys spread
//! over 4096 hash buckets (the low 12 bits of XXH3-64, seed 0: what the
//! maps see with the default seed).
//!
//! What is exact and what is approximate:
//! - exact: row and op counts, distinct keys (a set of 64-bit key hashes;
//!   two keys sharing all 64 bits is vanishingly unlikely), per-key counts,
//!   entropy, coverage targets, bucket counts and every statistic of them;
//! - approximate: *which* keys are listed as hot. Key strings are kept for
//!   at most `max_tracked_keys` candidates; when full, the half with the
//!   lowest counts is evicted and only keys at least as hot as the median
//!   are taken in again. Hot keys keep their place, and the counts shown
//!   for listed keys are exact.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::csv::{Limits, Op, WorkloadReader};
use super::key_counter::KeyCounter;
use super::stats::{Running, SummaryStats, chi_square_sf, nearest_rank};
use crate::error::{Error, Result};
use crate::hashing::hash_key;

pub const DNA_SCHEMA: &str = "workload_dna.v1";
pub const BUCKET_BITS: u32 = 12;
pub const BUCKETS: usize = 1 << BUCKET_BITS;
pub const HASH_DESCRIPTION: &str = "xxh3-64/seed0/low12";
/// `skew_verdict` is "skewed" when the chi-square p-value is below this.
pub const SKEW_P_VALUE: f64 = 0.001;
/// Fullest buckets listed in `hash_collision_hotspots`.
pub const HOTSPOTS: usize = 64;
/// Rows between progress reports and cancel checks.
const PROGRESS_EVERY: u64 = 1 << 16;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct OpCounts {
    pub put: u64,
    pub get: u64,
    pub del: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct OpMix {
    pub put: f64,
    pub get: f64,
    pub del: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotKey {
    pub key: String,
    pub count: u64,
    pub share: f64,
}

/// Rank–frequency of the keys: the count of the key at each of about 64
/// ranks spaced evenly on a log scale (rank 1 the hottest), the Zipf
/// exponent fitted to them, and the share of rows the hottest 1% of keys
/// take.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyPopularity {
    /// `[rank, count]`, ranks ascending from 1 to the last key.
    pub points: Vec<[u64; 2]>,
    /// The slope of log(count) over log(rank), negated, fitted over the
    /// points whose count is above 1 (the tail of keys seen once is flat
    /// whatever the law); 0 for a uniform workload, about s for Zipf(s).
    pub zipf_exponent: f64,
    /// Rows on the hottest 1% of keys (at least one key), 0 to 1.
    pub top_1pct_share: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CoverageTargets {
    pub p50: u64,
    pub p80: u64,
    pub p95: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketPercentiles {
    pub p50: u64,
    pub p75: u64,
    pub p90: u64,
    pub p95: u64,
    pub p99: u64,
}

/// `{"depth": value}` with depths 0..len in numeric order (a JSON object
/// whose keys are decimal depths).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DepthMap<T>(pub Vec<T>);

impl<T: Serialize> Serialize for DepthMap<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (d, v) in self.0.iter().enumerate() {
            m.serialize_entry(&d.to_string(), v)?;
        }
        m.end()
    }
}

impl<'de, T: Deserialize<'de> + Default + Clone> Deserialize<'de> for DepthMap<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Default + Clone> Visitor<'de> for V<T> {
            type Value = DepthMap<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object keyed by depth")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out: Vec<T> = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, T>()? {
                    let d: usize = k.parse().map_err(serde::de::Error::custom)?;
                    if d > 1_000_000 {
                        return Err(serde::de::Error::custom("depth out of range"));
                    }
                    if out.len() <= d {
                        out.resize(d + 1, T::default());
                    }
                    out[d] = v;
                }
                Ok(DepthMap(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// `{"0x0a3": count}`, fullest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hotspots(pub Vec<(u16, u64)>);

impl Serialize for Hotspots {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (b, c) in &self.0 {
            m.serialize_entry(&format!("0x{b:03x}"), c)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Hotspots {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Hotspots;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object keyed by bucket id")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Hotspots, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, u64>()? {
                    let b = u16::from_str_radix(k.trim_start_matches("0x"), 16)
                        .map_err(serde::de::Error::custom)?;
                    out.push((b, v));
                }
                Ok(Hotspots(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The DNA of one workload. Field names are formats.md §6's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnaReport {
    pub schema: String,
    pub csv_path: String,
    pub file_size_bytes: u64,
    pub total_rows: u64,
    pub op_counts: OpCounts,
    pub op_mix: OpMix,
    pub mutation_fraction: f64,
    pub unique_keys_estimated: u64,
    pub key_space_depth: f64,
    pub key_length_stats: SummaryStats,
    pub value_size_stats: SummaryStats,
    pub key_entropy_bits: f64,
    pub key_entropy_normalised: f64,
    pub hot_keys: Vec<HotKey>,
    pub coverage_targets: CoverageTargets,
    pub numeric_key_fraction: f64,
    pub sequential_numeric_step_fraction: f64,
    pub adjacent_duplicate_fraction: f64,
    pub hash_collision_hotspots: Hotspots,
    pub bucket_counts: Vec<u64>,
    pub bucket_percentiles: BucketPercentiles,
    pub collision_depth_histogram: DepthMap<u64>,
    pub non_empty_buckets: u64,
    pub max_bucket_depth: u64,
    pub hash: String,
    pub chi_square: f64,
    pub chi_square_p_value: f64,
    pub expected_depth_histogram: DepthMap<f64>,
    pub skew_verdict: String,
    /// How popular keys are: rank against count (issue 27, item 4). The
    /// skew verdict above is about hash spread, not this.
    #[serde(default)]
    pub key_popularity: KeyPopularity,
    pub elapsed_seconds: f64,
}

impl DnaReport {
    pub fn is_skewed(&self) -> bool {
        self.skew_verdict == "skewed"
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DnaOptions {
    pub top_keys: usize,
    pub max_tracked_keys: usize,
    pub limits: Limits,
}

impl Default for DnaOptions {
    fn default() -> Self {
        DnaOptions {
            top_keys: 10,
            max_tracked_keys: 200_000,
            limits: Limits {
                max_rows: 0,
                max_bytes: 0,
            },
        }
    }
}

/// Where an analysis is, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DnaProgress {
    pub rows: u64,
    pub bytes: u64,
    pub total_bytes: u64,
}

/// Key strings of the hot-key candidates (see the module docs). A key is
/// kept once its count reaches `threshold`; when `cap` keys are kept, the
/// half with the lowest counts is dropped and the threshold rises to their
/// median, so memory stays bounded and hot keys keep their place. Strings
/// live in one arena, length-prefixed; the counter's tag of a kept key is
/// its arena offset + 1, so no second map is needed.
struct HotKeyCandidates {
    cap: usize,
    /// Arena bytes before an eviction: tags are u32 offsets (tests lower it).
    arena_cap: usize,
    threshold: u32,
    /// Hashes of the kept keys.
    kept: Vec<u64>,
    arena: Vec<u8>,
}

impl HotKeyCandidates {
    fn new(cap: usize) -> Self {
        HotKeyCandidates {
            cap,
            arena_cap: u32::MAX as usize,
            threshold: 1,
            kept: Vec::new(),
            arena: Vec::new(),
        }
    }

    #[inline]
    fn offer(&mut self, h: u64, key: &str, count: u32, counter: &mut KeyCounter) {
        if self.cap == 0 || count < self.threshold {
            return;
        }
        if self.kept.len() >= self.cap || self.arena.len() + key.len() + 4 >= self.arena_cap {
            self.evict_half(counter);
            if count < self.threshold {
                return;
            }
        }
        let tag = self.push(key);
        self.kept.push(h);
        counter.set_tag(h, tag);
    }

    fn push(&mut self, key: &str) -> u32 {
        let tag = self.arena.len() as u32 + 1;
        self.arena
            .extend_from_slice(&(key.len() as u32).to_le_bytes());
        self.arena.extend_from_slice(key.as_bytes());
        tag
    }

    /// The key stored under `tag`.
    fn key(&self, tag: u32) -> String {
        let start = tag.saturating_sub(1) as usize;
        let len = self
            .arena
            .get(start..start + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, |b| u32::from_le_bytes(b) as usize);
        let bytes = self
            .arena
            .get(start + 4..start + 4 + len)
            .unwrap_or_default();
        String::from_utf8_lossy(bytes).into_owned()
    }

    fn evict_half(&mut self, counter: &mut KeyCounter) {
        let counts = counter.counts_of(&self.kept);
        let mut cs = counts.clone();
        let mid = cs.len() / 2;
        let (_, median, _) = cs.select_nth_unstable(mid);
        let median = *median;
        let old_arena = std::mem::take(&mut self.arena);
        let old_kept = std::mem::take(&mut self.kept);
        let old = HotKeyCandidates {
            cap: 0,
            arena_cap: 0,
            threshold: 0,
            kept: Vec::new(),
            arena: old_arena,
        };
        for (h, count) in old_kept.into_iter().zip(counts) {
            if count > median {
                let key = old.key(counter.tag(h));
                let tag = self.push(&key);
                self.kept.push(h);
                counter.set_tag(h, tag);
            } else {
                counter.set_tag(h, 0);
            }
        }
        self.threshold = median.saturating_add(1);
    }
}

/// Rows per batch handed from the parsing thread to the counting thread.
const BATCH_ROWS: usize = 4096;

/// Parsed rows on their way to the counter: ops, key bytes, value lengths
/// (and, filled by the counting thread, the keys' hashes).
#[derive(Default)]
struct Batch {
    hashes: Vec<u64>,
    keys: String,
    /// Where each key ends in `keys`.
    ends: Vec<usize>,
    ops: Vec<Op>,
    value_lens: Vec<usize>,
    bytes_read: u64,
}

impl Batch {
    fn clear(&mut self) {
        self.hashes.clear();
        self.keys.clear();
        self.ends.clear();
        self.ops.clear();
        self.value_lens.clear();
    }

    /// The keys, in order.
    fn keys(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.keys[a..b])
    }
}

/// Everything computed row by row in file order.
#[derive(Default)]
struct RowStats {
    rows: u64,
    ops: [u64; 3],
    key_len: Running,
    value_len: Running,
    numeric: u64,
    sequential: u64,
    prev_num: Option<i128>,
}

impl RowStats {
    #[inline]
    fn add(&mut self, op: Op, key: &str, value_len: usize) {
        self.rows += 1;
        self.ops[op.index()] += 1;
        self.key_len.add(key.len() as f64);
        if op == Op::Put {
            self.value_len.add(value_len as f64);
        }
        let num = key_number(key);
        if let Some(n) = num {
            self.numeric += 1;
            if self.prev_num.is_some_and(|p| n == p + 1) {
                self.sequential += 1;
            }
        }
        self.prev_num = num;
    }
}

/// Parse `reader` into batches of rows sent over `tx`, in file order.
/// Stops early when the receiver goes away.
fn parse_batches<R: Read>(
    mut reader: WorkloadReader<R>,
    tx: crossbeam_channel::Sender<Result<Batch>>,
    spare: crossbeam_channel::Receiver<Batch>,
) {
    loop {
        let mut batch = spare.try_recv().unwrap_or_default();
        batch.clear();
        let mut end = false;
        while batch.ends.len() < BATCH_ROWS {
            match reader.next_row() {
                Ok(Some(row)) => {
                    batch.keys.push_str(row.key);
                    batch.ends.push(batch.keys.len());
                    batch.ops.push(row.op);
                    batch.value_lens.push(row.value.len());
                }
                Ok(None) => {
                    end = true;
                    break;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        batch.bytes_read = reader.bytes_read();
        if tx.send(Ok(batch)).is_err() || end {
            return;
        }
    }
}

/// A key's number, as the original reads it: the whole key when it is an
/// integer (`42`, `-7`), else the digits it ends with (`K123` → 123,
/// `user_0042` → 42). Keys without a trailing digit have none.
#[inline]
fn key_number(key: &str) -> Option<i128> {
    let b = key.as_bytes();
    let digits_from = b.len() - b.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    if digits_from == b.len() {
        return None;
    }
    // A sign counts only when the rest of the key is the number.
    let from = match digits_from {
        1 if matches!(b[0], b'-' | b'+') => 0,
        _ => digits_from,
    };
    let text = &key[from..];
    // Up to 38 digits fit an i128; longer tails keep their last 38.
    let text = if text.len() > 38 {
        &text[text.len() - 38..]
    } else {
        text
    };
    text.parse().ok()
}

/// Analyse the workload at `path`.
pub fn analyze_file(
    path: &Path,
    opts: DnaOptions,
    progress: &mut dyn FnMut(DnaProgress),
    cancel: &AtomicBool,
) -> Result<DnaReport> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io_at("cannot open CSV", path, &e))?
        .len();
    let reader = WorkloadReader::open(path, opts.limits)?;
    analyze(
        reader,
        &path.display().to_string(),
        size,
        opts,
        progress,
        cancel,
    )
}

/// Analyse a workload from any reader (`size` is its length in bytes, for
/// `file_size_bytes` and progress).
pub fn analyze<R: Read + Send>(
    reader: WorkloadReader<R>,
    csv_path: &str,
    size: u64,
    opts: DnaOptions,
    progress: &mut dyn FnMut(DnaProgress),
    cancel: &AtomicBool,
) -> Result<DnaReport> {
    let t0 = Instant::now();
    // Room for a distinct key per 128 bytes of file up front (5M rows of
    // 12 bytes over ~1M keys: no regrowth), at most 1M keys (16 MiB).
    let mut counter = KeyCounter::with_capacity((size / 128).clamp(4096, 1 << 20) as usize);
    let mut buckets = vec![0u64; BUCKETS];
    let mut candidates = HotKeyCandidates::new(opts.max_tracked_keys);
    let mut counted = 0u64;
    let mut next_progress = PROGRESS_EVERY;

    // Two threads: one parses and validates the CSV; this one keeps the
    // row statistics, hashes and counts keys (random reads over a table of
    // every distinct key: its cache misses are most of its work). That
    // split keeps both cores busy alike. Batches go back for reuse, so the
    // pipeline allocates little after warming up.
    let (tx, rx) = crossbeam_channel::bounded::<Result<Batch>>(4);
    let (spare_tx, spare_rx) = crossbeam_channel::bounded::<Batch>(8);
    let mut adjacent_dup = 0u64;
    let mut stats = RowStats::default();
    std::thread::scope(|scope| -> Result<()> {
        let parser = scope.spawn(move || {
            if crate::fault::injected(crate::fault::Fault::ParserPanic) {
                panic!("injected fault: parser-panic");
            }
            parse_batches(reader, tx, spare_rx)
        });
        let mut prev_hash = None;
        for batch in &rx {
            let mut batch = batch?;
            // In a loop of its own, so the running sums stay in registers.
            for ((key, &op), &value_len) in batch.keys().zip(&batch.ops).zip(&batch.value_lens) {
                stats.add(op, key, value_len);
            }
            let mut key_start = 0;
            for &end in &batch.ends {
                let h = hash_key(&batch.keys.as_bytes()[key_start..end], 0);
                adjacent_dup += u64::from(prev_hash == Some(h));
                prev_hash = Some(h);
                batch.hashes.push(h);
                // The batch's slots load into cache while the rest hash.
                counter.prefetch(std::iter::once(h));
                key_start = end;
            }
            let mut key_start = 0;
            for (&h, &end) in batch.hashes.iter().zip(&batch.ends) {
                let (count, tag) = counter.increment(h);
                if count == 1 {
                    buckets[(h & (BUCKETS as u64 - 1)) as usize] += 1;
                }
                if tag == 0 {
                    candidates.offer(h, &batch.keys[key_start..end], count, &mut counter);
                }
                key_start = end;
            }
            counted += batch.hashes.len() as u64;
            if counted >= next_progress {
                next_progress = counted + PROGRESS_EVERY;
                if cancel.load(Ordering::Relaxed) {
                    // Dropping the receiver stops the parser.
                    drop(rx);
                    let _ = parser.join();
                    return Err(Error::policy(format!("analysis of {csv_path} cancelled")));
                }
                progress(DnaProgress {
                    rows: counted,
                    bytes: batch.bytes_read,
                    total_bytes: size,
                });
            }
            let _ = spare_tx.try_send(batch);
        }
        parser
            .join()
            .map_err(|_| Error::policy("the CSV parsing thread panicked"))
    })?;
    if stats.rows == 0 {
        return Err(Error::bad_input("CSV contains no data rows").context(csv_path));
    }
    progress(DnaProgress {
        rows: stats.rows,
        bytes: size,
        total_bytes: size,
    });
    let RowStats {
        rows,
        ops,
        key_len,
        value_len,
        numeric,
        sequential,
        ..
    } = stats;

    let total = rows as f64;
    let unique = counter.len() as u64;
    // Per-key counts, hottest first: entropy and coverage are exact.
    let freq = CountsByFrequency::new(counter.counts());
    let entropy = freq.entropy_bits(total);
    let coverage = |share: f64| freq.keys_covering(share * total);
    let hot = hot_keys(&candidates, &counter, opts.top_keys, total);

    let buckets_view = BucketView::new(&buckets, unique);
    let op_counts = OpCounts {
        put: ops[Op::Put.index()],
        get: ops[Op::Get.index()],
        del: ops[Op::Del.index()],
    };
    let after_first = (rows.saturating_sub(1)).max(1) as f64;
    Ok(DnaReport {
        schema: DNA_SCHEMA.into(),
        csv_path: csv_path.into(),
        file_size_bytes: size,
        total_rows: rows,
        op_counts,
        op_mix: OpMix {
            put: op_counts.put as f64 / total,
            get: op_counts.get as f64 / total,
            del: op_counts.del as f64 / total,
        },
        mutation_fraction: (op_counts.put + op_counts.del) as f64 / total,
        unique_keys_estimated: unique,
        key_space_depth: total / unique.max(1) as f64,
        key_length_stats: key_len.summary(),
        value_size_stats: value_len.summary(),
        key_entropy_bits: entropy,
        key_entropy_normalised: if unique > 1 {
            entropy / (unique as f64).log2()
        } else {
            0.0
        },
        hot_keys: hot,
        coverage_targets: CoverageTargets {
            p50: coverage(0.50),
            p80: coverage(0.80),
            p95: coverage(0.95),
        },
        numeric_key_fraction: numeric as f64 / total,
        sequential_numeric_step_fraction: sequential as f64 / after_first,
        // Over rows, as the original divides (the first row has no
        // neighbour before it, and counts as not a repeat).
        adjacent_duplicate_fraction: adjacent_dup as f64 / total,
        hash_collision_hotspots: buckets_view.hotspots(),
        bucket_percentiles: buckets_view.percentiles(),
        collision_depth_histogram: DepthMap(buckets_view.depth_histogram.clone()),
        non_empty_buckets: buckets_view.non_empty,
        max_bucket_depth: buckets_view.max_depth,
        hash: HASH_DESCRIPTION.into(),
        chi_square: buckets_view.chi_square,
        chi_square_p_value: buckets_view.p_value,
        expected_depth_histogram: DepthMap(buckets_view.expected_depths()),
        skew_verdict: skew_verdict(buckets_view.p_value).into(),
        key_popularity: freq.popularity(unique, total),
        bucket_counts: buckets,
        elapsed_seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Per-key counts as (count, keys with that count), hottest first: what
/// entropy and coverage need, without sorting a count per distinct key.
struct CountsByFrequency {
    /// `keys_with[c]`: keys seen exactly `c` times, for small `c`.
    keys_with: Vec<u64>,
    /// Counts too large for `keys_with`, descending.
    large: Vec<u32>,
}

impl CountsByFrequency {
    const SMALL: usize = 1 << 16;

    fn new(counts: impl Iterator<Item = u32>) -> Self {
        let mut keys_with = Vec::new();
        let mut large = Vec::new();
        for c in counts {
            let c = c as usize;
            if c < Self::SMALL {
                if c >= keys_with.len() {
                    keys_with.resize(c + 1, 0);
                }
                keys_with[c] += 1;
            } else {
                large.push(c as u32);
            }
        }
        large.sort_unstable_by(|a, b| b.cmp(a));
        CountsByFrequency { keys_with, large }
    }

    /// Every key's count, hottest first, as runs of equal counts.
    fn runs(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        let large = self.large.iter().map(|&c| (c, 1));
        let small = (1..self.keys_with.len())
            .rev()
            .filter(|&c| self.keys_with[c] > 0)
            .map(|c| (c as u32, self.keys_with[c]));
        large.chain(small)
    }

    /// Shannon entropy in bits, the terms added one key at a time, hottest
    /// first: bit for bit the sum over the sorted per-key counts, but from
    /// +0.0 (one key's term is -0.0: a report should not say "-0.0 bits").
    fn entropy_bits(&self, total: f64) -> f64 {
        let mut sum = 0.0;
        for (c, keys) in self.runs() {
            let p = f64::from(c) / total;
            let term = -p * p.log2();
            for _ in 0..keys {
                sum += term;
            }
        }
        sum
    }

    /// Rank–frequency points, the fitted Zipf exponent and the hottest 1%'s
    /// share (see `KeyPopularity`).
    fn popularity(&self, unique: u64, total: f64) -> KeyPopularity {
        const POINTS: usize = 64;
        if unique == 0 || total <= 0.0 {
            return KeyPopularity::default();
        }
        // Ranks 1, then evenly spaced in log up to `unique`, deduplicated.
        let mut ranks: Vec<u64> = (0..POINTS)
            .map(|i| {
                let f = i as f64 / (POINTS - 1) as f64;
                ((unique as f64).powf(f).round() as u64).clamp(1, unique)
            })
            .collect();
        ranks.dedup();
        let top = unique.div_ceil(100);
        let mut points = Vec::with_capacity(ranks.len());
        let (mut next, mut rank_end, mut top_rows) = (0, 0u64, 0.0);
        for (c, keys) in self.runs() {
            let start = rank_end + 1;
            rank_end += keys;
            while next < ranks.len() && ranks[next] <= rank_end {
                points.push([ranks[next], u64::from(c)]);
                next += 1;
            }
            if start <= top {
                top_rows += f64::from(c) * (rank_end.min(top) - start + 1) as f64;
            }
        }
        let fit: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p[1] > 1)
            .map(|p| ((p[0] as f64).ln(), (p[1] as f64).ln()))
            .collect();
        KeyPopularity {
            points,
            zipf_exponent: (-slope(&fit)).max(0.0),
            top_1pct_share: top_rows / total,
        }
    }

    /// How many of the hottest keys it takes to cover `target` rows.
    fn keys_covering(&self, target: f64) -> u64 {
        let mut acc = 0.0;
        let mut keys_before = 0;
        for (c, keys) in self.runs() {
            for k in 1..=keys {
                acc += f64::from(c);
                if acc >= target - 1e-9 {
                    return keys_before + k;
                }
            }
            keys_before += keys;
        }
        keys_before
    }
}

/// The least-squares slope of `y` over `x` (0 with fewer than 2 points or
/// no spread in `x`).
fn slope(pts: &[(f64, f64)]) -> f64 {
    let n = pts.len() as f64;
    if pts.len() < 2 {
        return 0.0;
    }
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx > 0.0 { sxy / sxx } else { 0.0 }
}

/// The `top` hottest candidates, hottest first (ties by key). Only those
/// at least as hot as the `top`-th get their key string built.
fn hot_keys(
    candidates: &HotKeyCandidates,
    counter: &KeyCounter,
    top: usize,
    total: f64,
) -> Vec<HotKey> {
    let counted: Vec<(u32, u64)> = candidates
        .kept
        .iter()
        .map(|&h| (counter.count(h), h))
        .collect();
    let cut = if top == 0 {
        return Vec::new();
    } else if counted.len() > top {
        let mut counts: Vec<u32> = counted.iter().map(|c| c.0).collect();
        let (_, nth, _) = counts.select_nth_unstable_by(top - 1, |a, b| b.cmp(a));
        *nth
    } else {
        0
    };
    let mut hot: Vec<HotKey> = counted
        .iter()
        .filter(|(count, _)| *count >= cut)
        .map(|&(count, h)| HotKey {
            key: candidates.key(counter.tag(h)),
            count: u64::from(count),
            share: f64::from(count) / total,
        })
        .collect();
    hot.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    hot.truncate(top);
    hot
}

/// "skewed" when the chi-square p-value is below `SKEW_P_VALUE`.
fn skew_verdict(p_value: f64) -> &'static str {
    if p_value < SKEW_P_VALUE {
        "skewed"
    } else {
        "uniform"
    }
}

/// Statistics of the 4096 bucket counts.
struct BucketView<'a> {
    counts: &'a [u64],
    unique: u64,
    non_empty: u64,
    max_depth: u64,
    depth_histogram: Vec<u64>,
    chi_square: f64,
    p_value: f64,
}

impl<'a> BucketView<'a> {
    fn new(counts: &'a [u64], unique: u64) -> Self {
        let max_depth = counts.iter().copied().max().unwrap_or(0);
        let mut depth_histogram = vec![0u64; max_depth as usize + 1];
        for &c in counts {
            depth_histogram[c as usize] += 1;
        }
        let expected = unique as f64 / counts.len() as f64;
        let chi_square = if expected > 0.0 {
            counts
                .iter()
                .map(|&c| {
                    let d = c as f64 - expected;
                    d * d / expected
                })
                .sum()
        } else {
            0.0
        };
        let p_value = if expected > 0.0 {
            chi_square_sf(chi_square, (counts.len() - 1) as f64)
        } else {
            1.0
        };
        BucketView {
            counts,
            unique,
            non_empty: counts.iter().filter(|&&c| c > 0).count() as u64,
            max_depth,
            depth_histogram,
            chi_square,
            p_value,
        }
    }

    fn hotspots(&self) -> Hotspots {
        let mut v: Vec<(u16, u64)> = self
            .counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 1)
            .map(|(b, c)| (b as u16, *c))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(HOTSPOTS);
        Hotspots(v)
    }

    fn percentiles(&self) -> BucketPercentiles {
        let mut nz: Vec<u64> = self.counts.iter().copied().filter(|&c| c > 0).collect();
        nz.sort_unstable();
        BucketPercentiles {
            p50: nearest_rank(&nz, 0.50),
            p75: nearest_rank(&nz, 0.75),
            p90: nearest_rank(&nz, 0.90),
            p95: nearest_rank(&nz, 0.95),
            p99: nearest_rank(&nz, 0.99),
        }
    }

    /// Poisson(λ = unique / buckets) × buckets, for depths 0..=max_depth.
    fn expected_depths(&self) -> Vec<f64> {
        let n = self.counts.len() as f64;
        let lambda = self.unique as f64 / n;
        let mut out = Vec::with_capacity(self.depth_histogram.len());
        // Work in logs: λ^d / d! overflows long before deep adversarial buckets.
        for d in 0..self.depth_histogram.len() {
            let ln_p = if lambda > 0.0 {
                -lambda + d as f64 * lambda.ln() - super::stats::ln_gamma(d as f64 + 1.0)
            } else if d == 0 {
                0.0
            } else {
                f64::NEG_INFINITY
            };
            out.push(n * ln_p.exp());
        }
        out
    }
}

/// The human summary `adhash workload-dna` prints.
pub fn render_text(r: &DnaReport) -> String {
    use crate::log::{human_bytes, thousands};
    use std::fmt::Write;
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let mut o = String::new();
    let _ = writeln!(o, "Workload DNA: {}", r.csv_path);
    let _ = writeln!(
        o,
        "  rows          {} ({})",
        thousands(r.total_rows as f64),
        human_bytes(r.file_size_bytes)
    );
    let _ = writeln!(
        o,
        "  op mix        put {} | get {} | del {}  (mutations {})",
        pct(r.op_mix.put),
        pct(r.op_mix.get),
        pct(r.op_mix.del),
        pct(r.mutation_fraction)
    );
    let _ = writeln!(
        o,
        "  keys          {} distinct, {:.2} rows per key, adjacent repeats {}",
        thousands(r.unique_keys_estimated as f64),
        r.key_space_depth,
        pct(r.adjacent_duplicate_fraction)
    );
    let _ = writeln!(
        o,
        "  key length    {:.1} mean ({}..{} bytes); value size {:.1} mean ({}..{} bytes)",
        r.key_length_stats.mean,
        r.key_length_stats.min,
        r.key_length_stats.max,
        r.value_size_stats.mean,
        r.value_size_stats.min,
        r.value_size_stats.max
    );
    let _ = writeln!(
        o,
        "  numeric keys  {} (sequential steps {})",
        pct(r.numeric_key_fraction),
        pct(r.sequential_numeric_step_fraction)
    );
    let _ = writeln!(
        o,
        "  entropy       {:.2} bits ({:.3} of the maximum)",
        r.key_entropy_bits, r.key_entropy_normalised
    );
    // "Coverage:", "Hot keys:" and "Hash collision hotspots:" are the
    // original tool's labels: its users' scripts look for them.
    let _ = writeln!(
        o,
        "Coverage: 50% of rows in {} keys, 80% in {}, 95% in {}",
        thousands(r.coverage_targets.p50 as f64),
        thousands(r.coverage_targets.p80 as f64),
        thousands(r.coverage_targets.p95 as f64)
    );
    let _ = writeln!(
        o,
        "  popularity    Zipf exponent {:.2} (fitted to rank–frequency); hottest 1% of keys: {} of rows",
        r.key_popularity.zipf_exponent,
        pct(r.key_popularity.top_1pct_share)
    );
    if !r.hot_keys.is_empty() {
        let _ = writeln!(o, "Hot keys:");
        for k in &r.hot_keys {
            let _ = writeln!(
                o,
                "    {:<24} {:>12} {:>8.3}%",
                crate::fmt::shown_text(&k.key, 60),
                thousands(k.count as f64),
                k.share * 100.0
            );
        }
    }
    let _ = writeln!(
        o,
        "  buckets       {} of {BUCKETS} used, deepest {}, p50/p90/p99 depth {}/{}/{}",
        r.non_empty_buckets,
        r.max_bucket_depth,
        r.bucket_percentiles.p50,
        r.bucket_percentiles.p90,
        r.bucket_percentiles.p99
    );
    let _ = writeln!(
        o,
        "  hash spread   {} (chi-square {:.1} on {} dof, p = {:.3e}; hash {})",
        r.skew_verdict.to_uppercase(),
        r.chi_square,
        BUCKETS - 1,
        r.chi_square_p_value,
        r.hash
    );
    if !r.hash_collision_hotspots.0.is_empty() {
        let top: Vec<String> = r
            .hash_collision_hotspots
            .0
            .iter()
            .take(8)
            .map(|(b, c)| format!("0x{b:03x}:{c}"))
            .collect();
        let _ = writeln!(o, "Hash collision hotspots: {}", top.join("  "));
    }
    let _ = writeln!(o, "  analysed in {:.3} s", r.elapsed_seconds);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSV of `n` rows `op,k<i>,value`: `n` distinct keys.
    fn distinct_keys(n: usize, op: &str, value: &str) -> String {
        let mut text = String::from("op,key,value\n");
        for i in 0..n {
            text.push_str(&format!("{op},k{i},{value}\n"));
        }
        text
    }

    fn dna(text: &str) -> DnaReport {
        let r = WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default()).unwrap();
        analyze(
            r,
            "t.csv",
            text.len() as u64,
            DnaOptions::default(),
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap()
    }

    /// Offer each key of `keys` as `analyze` does (a key with a tag is
    /// kept already); the kept keys and the threshold after.
    fn offered(mut c: HotKeyCandidates, keys: &[&str]) -> (Vec<String>, u32) {
        let mut counter = KeyCounter::with_capacity(64);
        for key in keys {
            let h = hash_key(key.as_bytes(), 0);
            let (count, tag) = counter.increment(h);
            if tag == 0 {
                c.offer(h, key, count, &mut counter);
            }
        }
        let kept = c.kept.iter().map(|&h| c.key(counter.tag(h))).collect();
        (kept, c.threshold)
    }

    /// Full, the candidates drop the half with the lowest counts (at or
    /// below the median) and take only keys above it from then on.
    #[test]
    fn full_candidates_keep_the_hotter_half() {
        let four = || HotKeyCandidates::new(4);
        assert_eq!(
            offered(four(), &["a", "b", "c", "d", "a", "a", "b"]),
            (vec!["a".into(), "b".into(), "c".into(), "d".into()], 1)
        );
        // e finds them full: counts 3 2 1 1, median 2: a stays; e (1) is
        // below the new threshold, 3.
        assert_eq!(
            offered(four(), &["a", "b", "c", "d", "a", "a", "b", "e"]),
            (vec!["a".into()], 3)
        );
        // A key that reaches the threshold later is taken.
        assert_eq!(
            offered(
                four(),
                &["a", "b", "c", "d", "a", "a", "b", "e", "e", "e", "f"]
            ),
            (vec!["a".into(), "e".into()], 3)
        );
        assert_eq!(offered(HotKeyCandidates::new(0), &["a", "a"]).0.len(), 0);
    }

    /// The arena (4 length bytes + the key, per key) is full at its cap,
    /// not a byte later.
    #[test]
    fn a_full_arena_evicts_too() {
        let small = || HotKeyCandidates {
            arena_cap: 30,
            ..HotKeyCandidates::new(100)
        };
        let (kept, _) = offered(small(), &["key001", "key002"]);
        assert_eq!(kept, ["key001", "key002"], "20 bytes");
        // key003 would make 30: evicted first (all at count 1: none stays).
        assert_eq!(
            offered(small(), &["key001", "key002", "key003"]),
            (vec![], 2)
        );
    }

    /// Progress (and a cancel check) comes every 65,536 rows, at the
    /// batch that reaches them, and once at the end.
    #[test]
    fn progress_comes_every_65536_rows() {
        let text = distinct_keys(200_000, "put", "v");
        let r = WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default()).unwrap();
        let mut rows = Vec::new();
        let report = analyze(
            r,
            "t.csv",
            text.len() as u64,
            DnaOptions::default(),
            &mut |p| rows.push(p.rows),
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(report.total_rows, 200_000);
        assert_eq!(rows, [65_536, 131_072, 196_608, 200_000]);
    }

    /// A DNA report reads back from its JSON as the same report (the GUI
    /// loads saved ones), hotspots keyed `0x...` included; a key that is
    /// no bucket id is an error, not a guess.
    #[test]
    fn a_report_reads_back_from_its_json() {
        let text = distinct_keys(10_000, "put", "v");
        let r = dna(&text);
        assert!(!r.hash_collision_hotspots.0.is_empty());
        let text = serde_json::to_string(&r).unwrap();
        let back: DnaReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
        let spots: Hotspots = serde_json::from_str(r#"{"0x0a3": 5, "0xfff": 2}"#).unwrap();
        assert_eq!(spots.0, [(0x0a3, 5), (0xfff, 2)]);
        assert!(serde_json::from_str::<Hotspots>(r#"{"0xbucket": 5}"#).is_err());
        let e = serde_json::from_str::<Hotspots>("[1]").unwrap_err();
        assert!(
            e.to_string().contains("an object keyed by bucket id"),
            "{e}"
        );
        // Depth maps: keys are depths up to a million, gaps read as zero.
        let depths: DepthMap<u64> = serde_json::from_str(r#"{"0": 1, "3": 2}"#).unwrap();
        assert_eq!(depths.0, [1, 0, 0, 2]);
        let far: DepthMap<u64> = serde_json::from_str(r#"{"1000000": 7}"#).unwrap();
        assert_eq!((far.0.len(), far.0[1_000_000]), (1_000_001, 7));
        for bad in [r#"{"1000001": 1}"#, r#"{"deep": 1}"#, "[1]"] {
            assert!(serde_json::from_str::<DepthMap<u64>>(bad).is_err(), "{bad}");
        }
        let e = serde_json::from_str::<DepthMap<u64>>("[1]").unwrap_err();
        assert!(e.to_string().contains("an object keyed by depth"), "{e}");
    }

    #[test]
    fn skewed_is_a_p_value_below_one_in_a_thousand() {
        assert_eq!(skew_verdict(0.000_999), "skewed");
        assert_eq!(skew_verdict(SKEW_P_VALUE), "uniform");
        assert_eq!(skew_verdict(0.5), "uniform");
    }

    /// With one candidate more than asked for, the top ones are listed.
    #[test]
    fn hot_keys_are_the_top_n() {
        let text = "op,key,value\nget,a,\nget,a,\nget,a,\nget,b,\nget,b,\nget,c,\n";
        let r = WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default()).unwrap();
        let opts = DnaOptions {
            top_keys: 2,
            ..DnaOptions::default()
        };
        let report = analyze(
            r,
            "t.csv",
            text.len() as u64,
            opts,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap();
        let hot: Vec<(&str, u64)> = report
            .hot_keys
            .iter()
            .map(|k| (k.key.as_str(), k.count))
            .collect();
        assert_eq!(hot, [("a", 3), ("b", 2)]);
    }

    #[test]
    fn skewed_means_the_skewed_verdict() {
        let mut r = dna("op,key,value\nput,a,1\n");
        for (verdict, skewed) in [("skewed", true), ("uniform", false)] {
            r.skew_verdict = verdict.into();
            assert_eq!(r.is_skewed(), skewed, "{verdict}");
        }
    }

    #[test]
    fn known_answers_small_csv() {
        let text = "op,key,value\nput,1,aa\nput,2,bbbb\nget,2,\nget,2,\ndel,x,\nget,3,\n";
        let r = dna(text);
        assert_eq!(r.total_rows, 6);
        assert_eq!(
            r.op_counts,
            OpCounts {
                put: 2,
                get: 3,
                del: 1
            }
        );
        assert!((r.op_mix.get - 0.5).abs() < 1e-12);
        assert!((r.mutation_fraction - 0.5).abs() < 1e-12);
        assert_eq!(r.unique_keys_estimated, 4);
        assert!((r.key_space_depth - 1.5).abs() < 1e-12);
        assert_eq!(r.key_length_stats.count, 6);
        assert_eq!(r.key_length_stats.max, 1.0);
        assert_eq!(r.value_size_stats.count, 2);
        assert_eq!(r.value_size_stats.mean, 3.0);
        assert_eq!(r.hot_keys[0].key, "2");
        assert_eq!(r.hot_keys[0].count, 3);
        assert!((r.hot_keys[0].share - 0.5).abs() < 1e-12);
        // counts 3,1,1,1: entropy = 0.5*1 + 3*(1/6*log2 6)
        let expected = 0.5 + 0.5 * 6f64.log2();
        assert!((r.key_entropy_bits - expected).abs() < 1e-12);
        assert!((r.key_entropy_normalised - expected / 2.0).abs() < 1e-12);
        assert_eq!(r.coverage_targets.p50, 1);
        assert_eq!(r.coverage_targets.p80, 3);
        assert_eq!(r.coverage_targets.p95, 4);
        // numeric keys: 1,2,2,2,3 of 6; steps 1->2 only (2->2 no, x breaks, 3 after x no)
        assert!((r.numeric_key_fraction - 5.0 / 6.0).abs() < 1e-12);
        assert!((r.sequential_numeric_step_fraction - 1.0 / 5.0).abs() < 1e-12);
        assert!((r.adjacent_duplicate_fraction - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(r.file_size_bytes, text.len() as u64);
    }

    #[test]
    fn keys_ending_in_digits_are_numeric_as_in_the_original() {
        assert_eq!(key_number("K123"), Some(123));
        assert_eq!(key_number("user_0042"), Some(42));
        assert_eq!(key_number("-7"), Some(-7));
        assert_eq!(key_number("+7"), Some(7));
        assert_eq!(key_number("a-7"), Some(7));
        assert_eq!(key_number("K"), None);
        assert_eq!(key_number("12a"), None);
        assert_eq!(
            key_number(&"9".repeat(50)),
            Some("9".repeat(38).parse().unwrap())
        );
        // Generated keys K0, K1, K2 read as 100% numeric with two steps.
        let r = dna("op,key,value\nget,K0,\nget,K1,\nget,K2,\nget,x,\n");
        assert!((r.numeric_key_fraction - 3.0 / 4.0).abs() < 1e-12);
        assert!((r.sequential_numeric_step_fraction - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn bucket_invariants() {
        let mut text = String::from("op,key,value\n");
        for i in 0..5000 {
            text.push_str(&format!("put,key{i},v\nget,key{i},\n"));
        }
        let r = dna(&text);
        assert_eq!(r.bucket_counts.len(), BUCKETS);
        assert_eq!(r.bucket_counts.iter().sum::<u64>(), r.unique_keys_estimated);
        assert_eq!(
            r.collision_depth_histogram.0.iter().sum::<u64>(),
            BUCKETS as u64
        );
        assert_eq!(
            r.collision_depth_histogram.0.len() as u64,
            r.max_bucket_depth + 1
        );
        assert_eq!(
            r.expected_depth_histogram.0.len(),
            r.collision_depth_histogram.0.len()
        );
        let exp_total: f64 = r.expected_depth_histogram.0.iter().sum();
        assert!((exp_total - BUCKETS as f64).abs() < 50.0, "{exp_total}");
        assert!((r.op_mix.put + r.op_mix.get + r.op_mix.del - 1.0).abs() < 1e-12);
        assert_eq!(
            r.non_empty_buckets,
            r.bucket_counts.iter().filter(|&&c| c > 0).count() as u64
        );
        assert_eq!(r.skew_verdict, "uniform");
        assert!(r.hash_collision_hotspots.0.len() <= HOTSPOTS);
        assert!(
            r.hash_collision_hotspots
                .0
                .windows(2)
                .all(|w| w[0].1 >= w[1].1)
        );
    }

    #[test]
    fn json_round_trip_keeps_order() {
        let r = dna("op,key,value\nput,a,1\nput,b,1\n");
        let text = serde_json::to_string(&r).unwrap();
        assert!(text.contains("\"collision_depth_histogram\":{\"0\":"));
        let back: DnaReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back.bucket_counts, r.bucket_counts);
        assert_eq!(back.collision_depth_histogram, r.collision_depth_histogram);
        assert_eq!(back.hash_collision_hotspots, r.hash_collision_hotspots);
        assert_eq!(back.total_rows, r.total_rows);
    }

    #[test]
    fn cancel_stops_analysis() {
        let text = distinct_keys(200_000, "get", "");
        let r = WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default()).unwrap();
        let cancel = AtomicBool::new(true);
        let e = analyze(r, "t.csv", 0, DnaOptions::default(), &mut |_| {}, &cancel).unwrap_err();
        assert!(e.detail.contains("cancelled"));
    }

    #[test]
    fn hot_keys_survive_eviction() {
        let mut text = String::from("op,key,value\n");
        for i in 0..20_000 {
            text.push_str(&format!("get,cold{i},\n"));
            if i % 10 == 0 {
                text.push_str("get,HOT,\n");
            }
        }
        let r = WorkloadReader::from_reader(text.as_bytes(), "t.csv", Limits::default()).unwrap();
        let opts = DnaOptions {
            max_tracked_keys: 100,
            ..DnaOptions::default()
        };
        let d = analyze(r, "t.csv", 0, opts, &mut |_| {}, &AtomicBool::new(false)).unwrap();
        assert_eq!(d.hot_keys[0].key, "HOT");
        assert_eq!(d.hot_keys[0].count, 2000);
    }

    /// Counts at and above the small-count table's size are kept apart and
    /// come first; runs of equal counts are hottest first.
    #[test]
    fn counts_by_frequency_walk_hottest_first() {
        let big = CountsByFrequency::SMALL as u32;
        let c = CountsByFrequency::new([1, 3, big + 5, 1, big, 3, 1].into_iter());
        let runs: Vec<(u32, u64)> = c.runs().collect();
        assert_eq!(runs, [(big + 5, 1), (big, 1), (3, 2), (1, 3)]);
        let total = f64::from(2 * big + 5 + 9);
        let want: f64 = [big + 5, big, 3, 3, 1, 1, 1]
            .iter()
            .map(|&k| {
                let p = f64::from(k) / total;
                -p * p.log2()
            })
            .sum();
        assert!((c.entropy_bits(total) - want).abs() < 1e-12);
        // Coverage: the hottest key alone covers its own count, exactly.
        assert_eq!(c.keys_covering(f64::from(big + 5)), 1);
        assert_eq!(c.keys_covering(f64::from(big + 6)), 2);
        assert_eq!(c.keys_covering(f64::from(2 * big + 5 + 3)), 3);
        assert_eq!(c.keys_covering(f64::from(2 * big + 5 + 7)), 5);
        assert_eq!(c.keys_covering(total), 7);
        assert_eq!(
            c.keys_covering(total + 10.0),
            7,
            "all keys when the target is out of reach"
        );
        let empty = CountsByFrequency::new(std::iter::empty());
        assert_eq!((empty.runs().count(), empty.keys_covering(1.0)), (0, 0));
        assert_eq!(empty.entropy_bits(1.0), 0.0);
        // One key: no uncertainty.
        assert_eq!(
            CountsByFrequency::new([4].into_iter()).entropy_bits(4.0),
            0.0
        );
    }

    /// Bucket statistics on counts worked out by hand.
    #[test]
    fn bucket_view_statistics_by_hand() {
        // 4 buckets, 8 keys: expected 2 a bucket.
        let counts = [0u64, 2, 5, 1];
        let v = BucketView::new(&counts, 8);
        assert_eq!((v.non_empty, v.max_depth), (3, 5));
        assert_eq!(v.depth_histogram, [1, 1, 1, 0, 0, 1]);
        // (4 + 0 + 9 + 1) / 2
        assert_eq!(v.chi_square, 7.0);
        assert!((v.p_value - chi_square_sf(7.0, 3.0)).abs() < 1e-15);
        assert_eq!(
            v.hotspots().0,
            [(2, 5), (1, 2)],
            "fullest first, only depth > 1"
        );
        let p = v.percentiles();
        assert_eq!((p.p50, p.p75, p.p90, p.p95, p.p99), (2, 5, 5, 5, 5));
        // Poisson(2) × 4 buckets.
        let e = v.expected_depths();
        assert_eq!(e.len(), 6);
        let pois = |d: i32, f: f64| 4.0 * (-2f64).exp() * 2f64.powi(d) / f;
        for (d, f) in [
            (0, 1.0),
            (1, 1.0),
            (2, 2.0),
            (3, 6.0),
            (4, 24.0),
            (5, 120.0),
        ] {
            assert!(
                (e[d as usize] - pois(d, f)).abs() < 1e-12,
                "depth {d}: {}",
                e[d as usize]
            );
        }
        // Ties: the lower bucket first.
        let tied = [3u64, 0, 3, 2];
        assert_eq!(
            BucketView::new(&tied, 8).hotspots().0,
            [(0, 3), (2, 3), (3, 2)]
        );
        // No keys: nothing expected, a p-value of 1.
        let none = [0u64; 4];
        let v = BucketView::new(&none, 0);
        assert_eq!((v.chi_square, v.p_value), (0.0, 1.0));
        assert_eq!(v.expected_depths(), [4.0]);
        assert!(v.hotspots().0.is_empty());
        assert_eq!(v.percentiles().p50, 0);
    }

    #[test]
    fn key_numbers_at_the_edges() {
        assert_eq!(key_number(""), None);
        assert_eq!(key_number("-"), None);
        assert_eq!(key_number("0"), Some(0));
        assert_eq!(
            key_number("x-12"),
            Some(12),
            "a sign inside the key is not the number's"
        );
        assert_eq!(key_number("--12"), Some(12));
        assert_eq!(
            key_number(&"1".repeat(38)),
            Some("1".repeat(38).parse().unwrap())
        );
        assert_eq!(
            key_number(&format!("7{}", "0".repeat(38))),
            Some(0),
            "the last 38 digits"
        );
    }

    /// One key: no uncertainty, and the normalised entropy (bits over
    /// log2 of the keys, which is 0 here) is 0 too, not 0/0.
    #[test]
    fn one_key_has_zero_entropy() {
        let r = dna("op,key,value\nput,a,1\nget,a,\nput,a,2\n");
        assert_eq!(r.unique_keys_estimated, 1);
        assert_eq!(r.key_entropy_bits, 0.0);
        assert!(r.key_entropy_bits.is_sign_positive(), "not -0.0");
        assert_eq!(r.key_entropy_normalised, 0.0);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"key_entropy_bits\":0.0,"), "{json}");
        assert!(json.contains("\"key_entropy_normalised\":0.0,"), "{json}");
    }

    /// Issue 27, item 4: key popularity is measured apart from hash
    /// spread: a Zipf 1.1 workload's fitted exponent is near 1.1 and its
    /// hottest 1% of keys take a large share; a uniform one's is near 0.
    #[test]
    fn key_popularity_tells_zipf_from_uniform() {
        use crate::workload::generate::{GenerateParams, generate};
        let dna_of = |skew: f64| {
            let p = GenerateParams {
                ops: 60_000,
                key_space: 5_000,
                key_skew: skew,
                ..GenerateParams::default()
            };
            let mut bytes = Vec::new();
            generate(&p, &mut bytes).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("w.csv");
            std::fs::write(&path, bytes).unwrap();
            let cancel = AtomicBool::new(false);
            analyze_file(&path, DnaOptions::default(), &mut |_| {}, &cancel).unwrap()
        };
        let zipf = dna_of(1.1).key_popularity;
        assert!((0.9..1.3).contains(&zipf.zipf_exponent), "{zipf:?}");
        assert!(zipf.top_1pct_share > 0.3, "{zipf:?}");
        let ranks: Vec<u64> = zipf.points.iter().map(|p| p[0]).collect();
        assert_eq!(ranks[0], 1);
        assert!(ranks.windows(2).all(|w| w[0] < w[1]));
        assert!(
            zipf.points.windows(2).all(|w| w[0][1] >= w[1][1]),
            "counts fall with rank"
        );
        let uniform = dna_of(0.0).key_popularity;
        assert!(uniform.zipf_exponent < 0.2, "{uniform:?}");
        assert!(uniform.top_1pct_share < 0.05, "{uniform:?}");
    }
}
