//! run-csv's core: replay parsed records against a map, timed, sampling
//! latency, ticking metrics, and checking the final state.

use std::hint::black_box;
use std::time::{Duration, Instant};

use super::latency::{LatencyBuckets, LatencySampler};
use super::metrics::{METRICS_SCHEMA, MetricsSink, OpsByType, TICK_INTERVAL_SECONDS, Tick};
use super::summary::{EventRecord, LatencySample, RUN_SUMMARY_SCHEMA, RunSummary};
use super::watchdog::{Reading, Watchdog};
use crate::engine::{CompactionSource, Map, MapEvent};
use crate::error::{Error, Result};
use crate::hashing::StateChecksum;
use crate::workload::csv::Op;
use crate::workload::trace::Trace;

/// Operations between looks at the clock for ticks and compaction: often
/// enough for 10 ms ticks at any realistic speed (1,024 ops take 0.1 ms at
/// 10 M ops/s), rare enough to cost nothing.
const HOUSEKEEPING_EVERY: usize = 1024;

pub struct ReplayOptions {
    pub latency_sample_k: usize,
    pub latency_sample_every: u64,
    pub metrics: Option<MetricsSink>,
    /// Shortest gap between two metrics ticks (formats.md §5: 100 ms unless set).
    pub tick_interval: Duration,
    pub compact_interval: Option<Duration>,
    /// Bucket preset of the ticks' latency histograms.
    pub latency_buckets: LatencyBuckets,
    /// Judges every tick against guardrails (only with `--config`).
    pub watchdog: Option<Watchdog>,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            latency_sample_k: 1000,
            latency_sample_every: 128,
            metrics: None,
            tick_interval: Duration::from_secs_f64(TICK_INTERVAL_SECONDS),
            compact_interval: None,
            latency_buckets: LatencyBuckets::Default,
            watchdog: None,
        }
    }
}

/// What a replay measured, before it is labelled as a `RunSummary`.
pub struct ReplayOutcome {
    pub elapsed_seconds: f64,
    /// CPU time of the replaying thread over the same loop: what the
    /// replay itself used, whatever else ran on the machine.
    pub cpu_seconds: f64,
    pub total_ops: u64,
    pub final_backend: String,
    pub migrations: u64,
    pub compactions: u64,
    pub final_size: u64,
    pub final_checksum: StateChecksum,
    pub map_memory_bytes: u64,
    pub latency: LatencySampler,
    /// The same operations' whole loop iterations (`latency_loop_ms`).
    pub loop_latency: LatencySampler,
    pub events: Vec<EventRecord>,
}

impl ReplayOutcome {
    pub fn ops_per_second(&self) -> f64 {
        if self.elapsed_seconds > 0.0 {
            self.total_ops as f64 / self.elapsed_seconds
        } else {
            0.0
        }
    }

    pub fn into_summary(
        self,
        mode: &str,
        csv: &str,
        hash_seed: u64,
        parse_seconds: f64,
    ) -> RunSummary {
        let ops_per_second = self.ops_per_second();
        let loop_ms = self.loop_latency.latency_ms();
        RunSummary {
            schema: RUN_SUMMARY_SCHEMA.into(),
            mode: mode.into(),
            csv: csv.into(),
            hash_seed,
            parse_seconds,
            elapsed_seconds: self.elapsed_seconds,
            total_ops: self.total_ops,
            ops_per_second,
            cpu_seconds: self.cpu_seconds,
            ops_per_cpu_second: if self.cpu_seconds > 0.0 {
                self.total_ops as f64 / self.cpu_seconds
            } else {
                0.0
            },
            csv_bytes: None,
            csv_checksum: None,
            final_backend: self.final_backend,
            migrations_triggered: self.migrations,
            compactions_triggered: self.compactions,
            final_size: self.final_size,
            final_checksum: self.final_checksum.to_string(),
            map_memory_bytes: self.map_memory_bytes,
            latency_ms: self.latency.latency_ms(),
            latency_loop_ms: loop_ms,
            implied_latency_ms: implied_latency_ms(self.total_ops, self.elapsed_seconds),
            loop_latency_median_ms: (self.loop_latency.seen_overall() > 0)
                .then_some(loop_ms.overall.p50),
            latency_sample: LatencySample {
                reservoir_k_overall: self.latency.k,
                reservoir_k_each: self.latency.k,
                seen_overall: self.latency.seen_overall(),
                every_n_ops: self.latency.every,
            },
            latency_histogram_preset: self.latency.buckets.name().into(),
            events: self.events,
        }
    }
}

/// CPU time this thread has used, in seconds (CLOCK_THREAD_CPUTIME_ID):
/// time the scheduler gave to other processes is not in it.
pub fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// 1000 / (ops / seconds), null when nothing ran or no time passed.
fn implied_latency_ms(ops: u64, seconds: f64) -> Option<f64> {
    (ops > 0 && seconds > 0.0).then(|| seconds * 1000.0 / ops as f64)
}

#[inline(always)]
fn apply<M: Map>(map: &mut M, op: Op, key: &str, value: &str) {
    match op {
        Op::Put => map.put(key, value),
        Op::Get => {
            black_box(map.get(key));
        }
        Op::Del => {
            black_box(map.del(key));
        }
    }
}

struct Counters {
    migrations: u64,
    compactions: u64,
    by_type: [u64; 3],
}

/// Replay `trace` against `map`.
pub fn replay<M: Map>(mut map: M, trace: &Trace, mut opts: ReplayOptions) -> Result<ReplayOutcome> {
    let mut latency = LatencySampler::new(
        opts.latency_sample_k,
        opts.latency_sample_every,
        opts.latency_buckets,
    );
    // Same seeds, so both keep the same operations: the loop figure and the
    // operation figure describe one sample.
    let mut loop_latency = latency.clone();
    let every = latency.every as usize;
    let mut counters = Counters {
        migrations: 0,
        compactions: 0,
        by_type: [0; 3],
    };
    let mut all_events: Vec<EventRecord> = Vec::new();
    let mut pending: Vec<MapEvent> = Vec::new();
    let tick_gap = opts.tick_interval;

    // The CPU clock is read inside the wall clock's window, so CPU time
    // never exceeds wall time for this one-thread loop.
    let start = Instant::now();
    let cpu_start = thread_cpu_seconds();
    let mut last_tick = (start, 0u64);
    let mut last_compact = start;
    let mut tick_events_from = 0usize;
    if let Some(sink) = opts.metrics.as_mut() {
        let tick = make_tick(
            &map,
            0.0,
            0,
            &counters,
            0.0,
            &latency,
            &[],
            &mut opts.watchdog,
        );
        sink.write(&tick)?;
    }
    for (i, (op, key, value)) in trace.iter().enumerate() {
        counters.by_type[op.index()] += 1;
        let sampled_since = if i % every == 0 {
            let t0 = Instant::now();
            apply(&mut map, op, key, value);
            latency.record(op, t0.elapsed().as_nanos() as u64);
            Some(t0)
        } else {
            apply(&mut map, op, key, value);
            None
        };
        if (i + 1) % HOUSEKEEPING_EVERY == 0 {
            let now = Instant::now();
            if let Some(interval) = opts.compact_interval
                && now.duration_since(last_compact) >= interval
            {
                map.compact(CompactionSource::Interval);
                last_compact = now;
            }
            collect_events(
                &mut map,
                &mut pending,
                &mut all_events,
                &mut counters,
                now - start,
            );
            if let Some(sink) = opts.metrics.as_mut()
                && now.duration_since(last_tick.0) >= tick_gap
            {
                let ops = (i + 1) as u64;
                let rate =
                    (ops - last_tick.1) as f64 / now.duration_since(last_tick.0).as_secs_f64();
                let t = (now - start).as_secs_f64();
                let tick = make_tick(
                    &map,
                    t,
                    ops,
                    &counters,
                    rate,
                    &latency,
                    &all_events[tick_events_from..],
                    &mut opts.watchdog,
                );
                sink.write(&tick)?;
                tick_events_from = all_events.len();
                last_tick = (now, ops);
            }
        }
        if let Some(t0) = sampled_since {
            loop_latency.record(op, t0.elapsed().as_nanos() as u64);
        }
    }
    let cpu_seconds = thread_cpu_seconds() - cpu_start;
    let elapsed = start.elapsed();
    collect_events(
        &mut map,
        &mut pending,
        &mut all_events,
        &mut counters,
        elapsed,
    );
    let total_ops = trace.len() as u64;
    if let Some(mut sink) = opts.metrics.take() {
        let since = elapsed.saturating_sub(last_tick.0 - start).as_secs_f64();
        let rate = if since > 0.0 {
            (total_ops - last_tick.1) as f64 / since
        } else {
            0.0
        };
        let tick = make_tick(
            &map,
            elapsed.as_secs_f64(),
            total_ops,
            &counters,
            rate,
            &latency,
            &all_events[tick_events_from..],
            &mut opts.watchdog,
        );
        sink.write(&tick)?;
        sink.finish()?;
    }

    let (final_size, final_checksum) = verify_final_state(&map)?;
    Ok(ReplayOutcome {
        elapsed_seconds: elapsed.as_secs_f64(),
        cpu_seconds,
        total_ops,
        final_backend: map.backend(),
        migrations: counters.migrations,
        compactions: counters.compactions,
        final_size,
        final_checksum,
        map_memory_bytes: map.memory_bytes() as u64,
        latency,
        loop_latency,
        events: all_events,
    })
}

fn collect_events<M: Map>(
    map: &mut M,
    pending: &mut Vec<MapEvent>,
    all: &mut Vec<EventRecord>,
    counters: &mut Counters,
    at: Duration,
) {
    map.take_events(pending);
    for e in pending.drain(..) {
        match e {
            MapEvent::Migration { .. } => counters.migrations += 1,
            MapEvent::Compaction { .. } => counters.compactions += 1,
        }
        all.push(EventRecord::from_map_event(&e, at.as_secs_f64()));
    }
}

#[allow(clippy::too_many_arguments)]
fn make_tick<M: Map>(
    map: &M,
    t: f64,
    ops: u64,
    counters: &Counters,
    ops_per_second: f64,
    latency: &LatencySampler,
    events: &[EventRecord],
    watchdog: &mut Option<Watchdog>,
) -> Tick {
    let health = map.health();
    let backend = map.backend();
    let avg_probe_estimate = health.avg_probe_estimate.unwrap_or(0.0);
    let tombstone_ratio = health.tombstone_ratio.unwrap_or(0.0);
    let alerts = watchdog.as_mut().map_or_else(Vec::new, |w| {
        w.evaluate(&Reading {
            backend: &backend,
            load_factor: health.load_factor,
            avg_probe_estimate,
            tombstone_ratio,
        })
    });
    Tick {
        schema: METRICS_SCHEMA,
        t,
        backend,
        ops,
        ops_by_type: OpsByType {
            put: counters.by_type[Op::Put.index()],
            get: counters.by_type[Op::Get.index()],
            del: counters.by_type[Op::Del.index()],
        },
        ops_per_second,
        migrations: counters.migrations,
        compactions: counters.compactions,
        load_factor: health.load_factor,
        max_group_len: health.max_group_len.unwrap_or(0),
        avg_probe_estimate,
        tombstone_ratio,
        probe_hist: map.probe_hist(),
        latency_ms: latency.latency_ms(),
        latency_hist_ms: latency.histograms(),
        latency_hist_preset: latency.buckets.name(),
        implied_latency_ms: implied_latency_ms(ops, t),
        alerts,
        events: events.to_vec(),
    }
}

/// Walk the final state once: every visited pair must be found again by
/// `get`, and the walk must see exactly `len()` pairs. Returns the size and
/// the order-independent checksum.
pub fn verify_final_state<M: Map + ?Sized>(map: &M) -> Result<(u64, StateChecksum)> {
    let mut sum = StateChecksum::default();
    let mut visited = 0u64;
    let mut lost: Option<String> = None;
    let mut lose_one = crate::fault::injected(crate::fault::Fault::LoseKey);
    map.for_each(&mut |k, v| {
        visited += 1;
        sum.add(k, v);
        if lost.is_none() && (map.get(k) != Some(v) || std::mem::take(&mut lose_one)) {
            lost = Some(k.to_string());
        }
    });
    if let Some(k) = lost {
        return Err(Error::invariant(format!(
            "final state: key '{k}' is stored but a lookup does not return its value"
        )));
    }
    if visited != map.len() as u64 {
        return Err(Error::invariant(format!(
            "final state: map reports {} keys but holds {visited}",
            map.len()
        )));
    }
    Ok((visited, sum))
}
