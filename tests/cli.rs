//! End-to-end tests of the real `adhash` binary: flags, outputs, exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn adhash(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_adhash"))
        .args(args)
        .output()
        .expect("run adhash")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn gen_csv(dir: &Path, name: &str, extra: &[&str]) -> String {
    let path = dir.join(name).display().to_string();
    let mut args = vec!["generate-csv", "--outfile", &path, "--ops", "20000"];
    args.extend_from_slice(extra);
    let o = adhash(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    path
}

#[test]
fn generate_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = gen_csv(
        dir.path(),
        "a.csv",
        &["--key-skew", "1.1", "--adversarial-ratio", "0.2"],
    );
    let b = gen_csv(
        dir.path(),
        "b.csv",
        &["--key-skew", "1.1", "--adversarial-ratio", "0.2"],
    );
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert_eq!(a, b);
    assert!(a.starts_with(b"op,key,value\n"));
    assert!(!a.contains(&b'\r'));
}

#[test]
fn generate_rejects_bad_ratios() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv").display().to_string();
    let o = adhash(&["generate-csv", "--outfile", &out, "--read-ratio", "1.5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--read-ratio"), "{}", stderr(&o));
    let o = adhash(&["generate-csv", "--outfile", &out, "--ops", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!Path::new(&out).exists());
}

#[test]
fn run_csv_writes_full_summary_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let summary = dir.path().join("out/summary.json");
    let metrics = dir.path().join("metrics");
    let o = adhash(&[
        "--mode",
        "fast-lookup",
        "run-csv",
        "--csv",
        &csv,
        "--json-summary-out",
        summary.to_str().unwrap(),
        "--metrics-out-dir",
        metrics.to_str().unwrap(),
        "--latency-sample-every",
        "16",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("ops/s"));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    for field in [
        "elapsed_seconds",
        "total_ops",
        "ops_per_second",
        "final_backend",
        "migrations_triggered",
        "compactions_triggered",
        "latency_ms",
        "latency_sample",
        "schema",
        "mode",
        "csv",
        "hash_seed",
        "parse_seconds",
        "final_size",
        "final_checksum",
        "map_memory_bytes",
        "events",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["schema"], "adhash.run_summary.v1");
    assert_eq!(v["total_ops"], 20000);
    assert_eq!(v["final_backend"], "robinhood");
    for op in ["overall", "put", "get", "del"] {
        for p in ["p50", "p90", "p99", "p999", "max"] {
            assert!(v["latency_ms"][op][p].is_number(), "{op}.{p}");
        }
    }
    assert_eq!(v["latency_sample"]["every_n_ops"], 16);
    assert_eq!(v["latency_sample"]["seen_overall"], 1250);
    // CPU time of the replay thread: within the wall time of the same loop,
    // so ops per CPU-second is at least ops per second.
    let (cpu, wall) = (
        v["cpu_seconds"].as_f64().unwrap(),
        v["elapsed_seconds"].as_f64().unwrap(),
    );
    assert!(cpu > 0.0 && cpu <= wall, "cpu {cpu} wall {wall}");
    let per_cpu = v["ops_per_cpu_second"].as_f64().unwrap();
    assert!(per_cpu >= v["ops_per_second"].as_f64().unwrap(), "{v}");
    assert!((per_cpu - 20000.0 / cpu).abs() / per_cpu < 1e-9);
    // The workload's size and XXH3-64 of its bytes, as read.
    let bytes = std::fs::read(&csv).unwrap();
    assert_eq!(v["csv_bytes"], bytes.len() as u64);
    assert_eq!(
        v["csv_checksum"],
        format!("0x{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes))
    );
    let ticks = std::fs::read_to_string(metrics.join("metrics.ndjson")).unwrap();
    let lines: Vec<serde_json::Value> = ticks
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 2, "start and end ticks");
    assert_eq!(lines[0]["schema"], "metrics.v1");
    assert_eq!(lines.last().unwrap()["ops"], 20000);
    assert!(lines.last().unwrap()["avg_probe_estimate"].is_number());
}

#[test]
fn every_mode_prints_same_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &["--adversarial-ratio", "0.3"]);
    let mut sums = Vec::new();
    for mode in [
        "fast-insert",
        "fast-lookup",
        "memory-tight",
        "adaptive",
        "std",
    ] {
        let o = adhash(&["--json", "--mode", mode, "run-csv", "--csv", &csv]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["command"], "run-csv");
        sums.push((v["final_checksum"].clone(), v["final_size"].clone()));
    }
    assert!(sums.windows(2).all(|w| w[0] == w[1]), "{sums:?}");
}

#[test]
fn metrics_max_ticks_keeps_last() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let metrics = dir.path().join("m");
    let o = adhash(&[
        "run-csv",
        "--csv",
        &csv,
        "--metrics-out-dir",
        metrics.to_str().unwrap(),
        "--metrics-max-ticks",
        "1",
        "--compact-interval",
        "0.000001",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ticks = std::fs::read_to_string(metrics.join("metrics.ndjson")).unwrap();
    assert_eq!(ticks.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(ticks.trim()).unwrap();
    assert_eq!(v["ops"], 20000);
    assert!(
        v["compactions"].as_u64().unwrap() >= 1,
        "interval compactions counted"
    );
}

#[test]
fn bad_csv_exits_2_naming_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    std::fs::write(&p, "op,key,value\r\nput,a,1\r\nfrob,b,2\r\n").unwrap();
    let o = adhash(&["run-csv", "--csv", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("Unknown op 'frob' at line 3"), "{err}");
    assert!(err.contains("bad.csv"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);

    let o = adhash(&["--json", "run-csv", "--csv", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(v["error"], "BadInput");
}

#[test]
fn missing_csv_exits_5() {
    let o = adhash(&["run-csv", "--csv", "/nonexistent/w.csv"]);
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("/nonexistent/w.csv"));
}

#[test]
fn bad_flags_exit_2() {
    assert_eq!(
        adhash(&["--mode", "turbo", "run-csv", "--csv", "x"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(adhash(&["run-csv"]).status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let o = adhash(&["run-csv", "--csv", &csv, "--compact-interval", "-1"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn dry_run_validates_without_replaying() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let summary = dir.path().join("s.json");
    let o = adhash(&[
        "run-csv",
        "--csv",
        &csv,
        "--dry-run",
        "--json-summary-out",
        summary.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("dry run"));
    assert!(!summary.exists());
}

#[test]
fn profile_last_line_is_mode_and_then_runs() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let o = adhash(&["profile", "--csv", &csv, "--sample-rows", "5000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // stdout is the pick alone (`mode=$(adhash profile --csv w.csv)`); the
    // table is on stderr.
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    let last = out.trim().to_string();
    assert!(
        ["fast-insert", "fast-lookup", "memory-tight", "adaptive"].contains(&last.as_str()),
        "{out}"
    );
    assert!(stderr(&o).contains("median ops/s"), "{}", stderr(&o));

    let o = adhash(&["--json", "profile", "--csv", &csv, "--sample-rows", "2000"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["modes"].as_array().unwrap().len(), 5);

    let summary = dir.path().join("then.json");
    let o = adhash(&[
        "profile",
        "--csv",
        &csv,
        "--sample-rows",
        "2000",
        "--then",
        "run-csv",
        "--csv",
        &csv,
        "--json-summary-out",
        summary.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    let picked = stdout(&o)
        .lines()
        .find(|l| !l.contains(' '))
        .unwrap()
        .to_string();
    assert_eq!(v["mode"], picked.as_str());
}

#[test]
fn without_a_display_mission_control_points_to_batch() {
    for args in [&[][..], &["mission-control", "--tab", "dna"][..]] {
        let o = Command::new(env!("CARGO_BIN_EXE_adhash"))
            .args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(err.contains("no display found"), "{err}");
        assert!(err.contains("adhash batch --spec"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = adhash(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("run-csv"));
}

#[test]
fn workload_dna_verdicts_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let uniform = gen_csv(dir.path(), "u.csv", &["--key-space", "20000"]);
    let adv = gen_csv(
        dir.path(),
        "a.csv",
        &["--adversarial-ratio", "0.3", "--adversarial-lowbits", "8"],
    );
    let out = dir.path().join("dna/u.json");
    let o = adhash(&[
        "workload-dna",
        "--csv",
        &uniform,
        "--json-out",
        out.to_str().unwrap(),
        "--pretty",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("UNIFORM"), "{}", stdout(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("\n  \"schema\": \"workload_dna.v1\""),
        "pretty JSON"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["skew_verdict"], "uniform");
    assert_eq!(v["bucket_counts"].as_array().unwrap().len(), 4096);
    assert_eq!(v["hash"], "xxh3-64/seed0/low12");
    for f in [
        "csv_path",
        "file_size_bytes",
        "total_rows",
        "op_counts",
        "op_mix",
        "mutation_fraction",
        "unique_keys_estimated",
        "key_space_depth",
        "key_length_stats",
        "value_size_stats",
        "key_entropy_bits",
        "key_entropy_normalised",
        "hot_keys",
        "coverage_targets",
        "numeric_key_fraction",
        "sequential_numeric_step_fraction",
        "adjacent_duplicate_fraction",
        "hash_collision_hotspots",
        "bucket_percentiles",
        "collision_depth_histogram",
        "non_empty_buckets",
        "max_bucket_depth",
        "chi_square",
        "chi_square_p_value",
        "expected_depth_histogram",
        "elapsed_seconds",
    ] {
        assert!(v.get(f).is_some(), "missing {f}");
    }

    let o = adhash(&["--json", "workload-dna", "--csv", &adv]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["command"], "workload-dna");
    assert_eq!(v["skew_verdict"], "skewed");
    // Adversarial keys pile into buckets that are multiples of 2^8: the
    // fullest bucket (by count, not by where it is listed) is one of them.
    let hotspots = v["hash_collision_hotspots"].as_object().unwrap();
    let (hottest, count) = hotspots
        .iter()
        .map(|(k, c)| (k.clone(), c.as_u64().unwrap()))
        .max_by_key(|(_, c)| *c)
        .unwrap();
    assert!(hottest.ends_with("00"), "{hottest}");
    // ... and is listed first.
    assert_eq!(hotspots.keys().next(), Some(&hottest), "count {count}");
}

#[test]
fn workload_dna_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    for (text, needle) in [
        (
            "op,key,value\r\nput,a,1\r\nput,b,\r\n",
            "PUT missing value at line 3",
        ),
        ("op,key\nput,a\n", "Missing header columns: value"),
        ("op,key,value\n", "CSV contains no data rows"),
        ("op,key,value\nzap,a,1\n", "Unknown op 'zap' at line 2"),
    ] {
        std::fs::write(&p, text).unwrap();
        let o = adhash(&["workload-dna", "--csv", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
    }
    let o = adhash(&["workload-dna", "--csv", "/nonexistent.csv"]);
    assert_eq!(o.status.code(), Some(5));
}

#[cfg(unix)]
#[test]
fn generated_files_are_not_private() {
    // Outputs are staged in a private temporary file and renamed: they must
    // still end with the mode the user's umask gives any new file, not
    // 0600. The child's umask is set here, so the runner's own does not
    // decide the outcome.
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    for (umask, want) in [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)] {
        let p = dir.path().join(format!("w{umask:o}.csv"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_adhash"));
        cmd.args([
            "generate-csv",
            "--ops",
            "100",
            "--outfile",
            p.to_str().unwrap(),
        ]);
        // SAFETY: umask is async-signal-safe and touches no memory.
        unsafe {
            cmd.pre_exec(move || {
                libc::umask(umask);
                Ok(())
            });
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, want, "umask {umask:o}: mode {mode:o}");
    }
}

/// Every constraint of the original's `contracts/metrics_schema.json`
/// (metrics.v1), checked by hand: required fields, types, ranges, and the
/// closed shape of histogram entries.
fn assert_originals_metrics_v1(t: &serde_json::Value) {
    let uint = |v: &serde_json::Value| v.as_u64().is_some();
    let nonneg = |v: &serde_json::Value| v.as_f64().is_some_and(|x| x >= 0.0);
    let o = t.as_object().expect("a tick is an object");
    for f in ["schema", "t", "backend", "ops", "load_factor", "latency_ms"] {
        assert!(o.contains_key(f), "required {f} missing: {t}");
    }
    assert_eq!(t["schema"], "metrics.v1");
    assert!(
        nonneg(&t["t"]) && t["backend"].is_string() && uint(&t["ops"]),
        "{t}"
    );
    for (_, v) in t["ops_by_type"].as_object().unwrap() {
        assert!(uint(v), "ops_by_type: {t}");
    }
    for f in ["migrations", "compactions"] {
        assert!(uint(&t[f]), "{f}: {t}");
    }
    let lf = t["load_factor"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&lf), "load_factor {lf}");
    for f in ["max_group_len", "avg_probe_estimate", "tombstone_ratio"] {
        assert!(nonneg(&t[f]), "{f}: {t}");
    }
    for pair in t["probe_hist"].as_array().unwrap() {
        let p = pair.as_array().unwrap();
        assert!(
            p.len() == 2 && uint(&p[0]) && uint(&p[1]),
            "probe_hist: {t}"
        );
    }
    for (op, packet) in t["latency_ms"].as_object().unwrap() {
        for q in ["p50", "p90", "p99"] {
            assert!(nonneg(&packet[q]), "latency_ms.{op}.{q}: {t}");
        }
    }
    assert!(t["latency_ms"]["overall"].is_object());
    for (op, buckets) in t["latency_hist_ms"].as_object().unwrap() {
        for b in buckets.as_array().unwrap() {
            let b = b.as_object().unwrap();
            assert_eq!(b.len(), 2, "latency_hist_ms.{op}: only le and count");
            assert!(b["le"].is_string() || b["le"].is_number());
            assert!(uint(&b["count"]));
        }
    }
    for e in t["events"].as_array().unwrap() {
        assert!(e["type"].is_string() && nonneg(&e["t"]), "event {e}");
        for f in ["from", "to", "reason", "backend", "source"] {
            assert!(e.get(f).is_none_or(|v| v.is_string()), "event {e}");
        }
    }
    for a in t["alerts"].as_array().unwrap() {
        assert!(
            a["metric"].is_string() && a["severity"].is_string(),
            "alert {a}"
        );
        assert!(
            a["value"].is_number() && a["threshold"].is_number(),
            "alert {a}"
        );
    }
}

#[test]
fn fine_ticks_follow_the_run_and_carry_its_migrations() {
    let dir = tempfile::tempdir().unwrap();
    // Adversarial keys make adaptive migrate early.
    let csv = dir.path().join("adv.csv").display().to_string();
    let o = adhash(&[
        "generate-csv",
        "--outfile",
        &csv,
        "--ops",
        "300000",
        "--key-space",
        "60000",
        "--adversarial-ratio",
        "0.2",
        "--adversarial-lowbits",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let metrics = dir.path().join("m");
    let o = adhash(&[
        "--mode",
        "adaptive",
        "run-csv",
        "--csv",
        &csv,
        "--metrics-out-dir",
        metrics.to_str().unwrap(),
        "--metrics-interval-ms",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ticks: Vec<serde_json::Value> = std::fs::read_to_string(metrics.join("metrics.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One tick every 10 ms of the run (and one at each end): a debug build
    // runs ~1 s, a release build a few dozen ms.
    let run_seconds = ticks.last().unwrap()["t"].as_f64().unwrap();
    let due = (run_seconds / 0.010) as usize;
    assert!(
        ticks.len() >= 3 && ticks.len() * 2 >= due,
        "only {} ticks at 10 ms in {run_seconds} s",
        ticks.len()
    );
    // The original's metrics.v1 schema, every constraint, in every tick of
    // a run that changes backend (numbers are 0 where a backend has no
    // such thing, never null).
    for t in &ticks {
        assert_originals_metrics_v1(t);
    }
    assert!(
        ticks
            .iter()
            .any(|t| t["avg_probe_estimate"].as_f64() > Some(0.0))
    );
    for w in ticks.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(b["t"].as_f64() >= a["t"].as_f64(), "t goes back");
        assert!(b["ops"].as_u64() >= a["ops"].as_u64(), "ops go back");
    }
    assert_eq!(ticks.last().unwrap()["ops"], 300_000);
    // Each migration is in the tick whose period it happened in.
    let mut migrations = 0;
    for w in ticks.windows(2) {
        for e in w[1]["events"].as_array().unwrap() {
            if e["type"] == "migration" {
                migrations += 1;
                let t = e["t"].as_f64().unwrap();
                assert!(
                    w[0]["t"].as_f64().unwrap() <= t && t <= w[1]["t"].as_f64().unwrap(),
                    "event at {t} in the tick of {}",
                    w[1]["t"]
                );
            }
        }
    }
    assert!(migrations >= 1, "an adversarial workload migrates");
    assert_eq!(
        Some(migrations),
        ticks.last().unwrap()["migrations"].as_u64(),
        "every migration is reported once"
    );
    // The interval is range-checked.
    for bad in ["9", "0", "x"] {
        let o = adhash(&["run-csv", "--csv", &csv, "--metrics-interval-ms", bad]);
        assert_eq!(o.status.code(), Some(2), "--metrics-interval-ms {bad}");
    }
}

/// `a` and `b` agree: the same keys, strings, integers and lengths, and
/// floats equal to 12 significant digits (a libm may differ in the last).
fn same_json(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value::*;
    match (a, b) {
        (Object(x), Object(y)) => {
            let (kx, ky): (Vec<_>, Vec<_>) = (x.keys().collect(), y.keys().collect());
            assert_eq!(kx, ky, "keys of {at}");
            for (k, v) in x {
                same_json(v, &y[k], &format!("{at}.{k}"));
            }
        }
        (Array(x), Array(y)) => {
            assert_eq!(x.len(), y.len(), "length of {at}");
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                same_json(v, w, &format!("{at}[{i}]"));
            }
        }
        (Number(x), Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                "{at}: {x} vs {y}"
            );
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

#[test]
fn bundled_workloads_keep_their_dna_and_checksums() {
    // Pinned when DNA and the replay were made faster: the answers must not
    // move (tests/golden/dna_*.json came from the binary before that work;
    // since then only the numeric-key and adjacent-repeat fractions changed,
    // on purpose, to the original's definitions).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for (name, checksum, size) in [
        ("w_skew_adv", "0x769f8b248d161410", 2906),
        ("w_uniform", "0x70de419bf5ccd77a", 10133),
    ] {
        let csv = root.join(format!("data/workloads/{name}.csv"));
        let out = dir.path().join(format!("{name}.json"));
        let o = adhash(&[
            "workload-dna",
            "--csv",
            csv.to_str().unwrap(),
            "--json-out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut got: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let obj = got.as_object_mut().unwrap();
        assert!(obj.shift_remove("elapsed_seconds").is_some());
        assert!(obj.shift_remove("csv_path").is_some());
        let golden = root.join(format!("tests/golden/dna_{name}.json"));
        let want: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(golden).unwrap()).unwrap();
        same_json(&got, &want, name);

        for mode in [
            "std",
            "fast-insert",
            "fast-lookup",
            "memory-tight",
            "adaptive",
        ] {
            let o = adhash(&[
                "--json",
                "--mode",
                mode,
                "run-csv",
                "--csv",
                csv.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(s["final_checksum"], checksum, "{name} {mode}");
            assert_eq!(s["final_size"], size, "{name} {mode}");
        }
    }
}

/// The bundled workloads come back byte for byte from the commands
/// docs/batch_runner.md says made them: a seed names one file, forever
/// (a user can regenerate, or rescale, a published workload).
#[test]
fn bundled_workloads_regenerate_from_their_documented_commands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/batch_runner.md")).unwrap();
    let commands = doc.replace("\\\n", " ");
    let commands: Vec<&str> = commands
        .lines()
        .filter(|l| l.starts_with("adhash generate-csv --outfile data/workloads/"))
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    for command in commands {
        let mut args: Vec<String> = command
            .split_whitespace()
            .skip(1)
            .map(String::from)
            .collect();
        let bundled = root.join(&args[2]);
        let out = dir.path().join(bundled.file_name().unwrap());
        args[2] = out.display().to_string();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = adhash(&args);
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        assert!(
            std::fs::read(&out).unwrap() == std::fs::read(&bundled).unwrap(),
            "{command} no longer makes {}",
            bundled.display()
        );
    }
}

#[test]
fn json_outputs_speak_the_originals_shape() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &["--key-skew", "1.2"]);

    // run-csv: status and the nested summary beside today's fields.
    let o = adhash(&["--json", "run-csv", "--csv", &csv]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "completed");
    assert_eq!(v["summary"]["total_ops"], 20000);
    assert_eq!(v["summary"]["final_checksum"], v["final_checksum"]);
    assert_eq!(v["summary"]["schema"], "adhash.run_summary.v1");

    // --dry-run: "validated", rows and size, and the log line users grep.
    let o = adhash(&[
        "--json",
        "--mode",
        "std",
        "run-csv",
        "--csv",
        &csv,
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let size = std::fs::metadata(&csv).unwrap().len();
    assert_eq!(v["status"], "validated");
    assert_eq!(v["csv"], csv.as_str());
    assert_eq!(v["mode"], "std");
    assert_eq!(v["rows"], 20000);
    assert_eq!(v["size_bytes"], size);
    let mib = v["size_mib"].as_f64().unwrap();
    assert!((mib - size as f64 / 1048576.0).abs() < 1e-9, "{mib}");
    let line = format!("CSV validation successful (20000 rows, {mib:.2} MiB): {csv}");
    assert!(stderr(&o).contains(&line), "{}", stderr(&o));

    // workload-dna: the report under `dna`, in its meaningful order even
    // through --json: hotspots fullest first, depths in numeric order.
    // (~19,000 distinct keys: bucket depths past 9, where "10" < "2" as text.)
    let spread = gen_csv(dir.path(), "spread.csv", &["--key-space", "200000"]);
    let o = adhash(&["--json", "workload-dna", "--csv", &spread]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let dna = &v["dna"];
    assert_eq!(dna["schema"], "workload_dna.v1");
    assert_eq!(dna["total_rows"], v["total_rows"]);
    let hot: Vec<u64> = dna["hash_collision_hotspots"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c.as_u64().unwrap())
        .collect();
    assert!(
        hot.len() > 2 && hot.windows(2).all(|w| w[0] >= w[1]),
        "{hot:?}"
    );
    let depths: Vec<u64> = dna["collision_depth_histogram"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap())
        .collect();
    assert!(
        depths.len() > 10 && depths.windows(2).all(|w| w[0] < w[1]),
        "{depths:?}"
    );
    // Generated keys (K<index>) are numeric, as the original counts them.
    assert_eq!(dna["numeric_key_fraction"], 1.0);
    // Text: the original's labels.
    let o = adhash(&["workload-dna", "--csv", &csv]);
    let text = stdout(&o);
    for label in ["Hot keys:", "Coverage:", "Hash collision hotspots:"] {
        assert!(text.contains(label), "no {label:?} in\n{text}");
    }

    // profile: csv, recommended_mode and result beside the per-mode figures.
    let o = adhash(&["--json", "profile", "--csv", &csv, "--sample-rows", "2000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["csv"], csv.as_str());
    assert_eq!(v["recommended_mode"], v["recommended"]);
    assert_eq!(
        v["result"], v["recommended"],
        "the pick's name, as the original"
    );
    assert_eq!(v["modes"].as_array().unwrap().len(), 5);

    // The row limit in the original's words.
    let o = adhash(&["run-csv", "--csv", &csv, "--csv-max-rows", "100"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("CSV row limit exceeded (101 > 100)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn documented_flags_do_what_the_docs_say() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &["--key-skew", "1.1"]);

    // --log-json: every stderr line is JSON, levels as the original spells
    // them; an error is one JSON line too.
    let o = adhash(&["--log-json", "run-csv", "--csv", &csv]);
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .all(|l| l["level"] == "INFO" && l["msg"].is_string())
    );
    let o = adhash(&["--log-json", "run-csv", "--csv", "/nonexistent/w.csv"]);
    assert_eq!(o.status.code(), Some(5));
    let e: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(
        (e["error"].as_str(), e["level"].as_str()),
        (Some("IO"), Some("ERROR"))
    );

    // --hash-seed: recorded in the summary; the final state does not depend
    // on it (only the layout does).
    let summary = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let o = adhash(&all);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let s0 = summary(&["run-csv", "--csv", &csv]);
    let s7 = summary(&["--hash-seed", "7", "run-csv", "--csv", &csv]);
    assert_eq!(
        (s0["hash_seed"].as_u64(), s7["hash_seed"].as_u64()),
        (Some(0), Some(7))
    );
    assert_eq!(s0["final_checksum"], s7["final_checksum"]);

    // --adaptive-*: on keys that collide, the defaults migrate; thresholds
    // out of reach keep adaptive on chaining; a bad value is refused, named.
    let adv = dir.path().join("adv.csv").display().to_string();
    let o = adhash(&[
        "generate-csv",
        "--outfile",
        &adv,
        "--ops",
        "60000",
        "--adversarial-ratio",
        "0.3",
        "--adversarial-lowbits",
        "6",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv_for_adaptive = csv.clone();
    let csv = adv.clone();
    let migrating = summary(&["--mode", "adaptive", "run-csv", "--csv", &csv]);
    assert_eq!(migrating["final_backend"], "robinhood");
    let pinned = summary(&[
        "--mode",
        "adaptive",
        "run-csv",
        "--csv",
        &csv,
        "--adaptive-load-trigger",
        "1000",
        "--adaptive-overflow-share",
        "1",
    ]);
    assert_eq!(pinned["final_backend"], "chaining");
    assert_eq!(pinned["migrations_triggered"], 0);
    for (flag, bad) in [
        ("--adaptive-overflow-share", "2"),
        ("--adaptive-overflow-share", "0"),
        ("--adaptive-tombstone-trigger", "1.5"),
        ("--adaptive-load-trigger", "nan"),
        ("--adaptive-migrate-batch", "0"),
    ] {
        let o = adhash(&["run-csv", "--csv", &csv, flag, bad]);
        assert_eq!(o.status.code(), Some(2), "{flag} {bad}");
        assert!(
            stderr(&o).contains(&flag[2..]),
            "{flag} {bad}: {}",
            stderr(&o)
        );
    }
    let csv = csv_for_adaptive;

    // --top-keys and --max-tracked-keys: as many hot keys as asked, and
    // the hottest found even with few candidate slots.
    let dna = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--json", "workload-dna", "--csv", &csv];
        all.extend_from_slice(args);
        let o = adhash(&all);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let three = dna(&["--top-keys", "3"]);
    assert_eq!(three["hot_keys"].as_array().unwrap().len(), 3);
    let tight = dna(&["--top-keys", "3", "--max-tracked-keys", "8"]);
    assert_eq!(tight["hot_keys"][0], three["hot_keys"][0]);

    // --csv-max-bytes: a file one byte over is refused, exit 2, naming it.
    let size = std::fs::metadata(&csv).unwrap().len();
    let o = adhash(&[
        "run-csv",
        "--csv",
        &csv,
        "--csv-max-bytes",
        &(size - 1).to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--csv-max-bytes"), "{}", stderr(&o));
    let o = adhash(&[
        "run-csv",
        "--csv",
        &csv,
        "--csv-max-bytes",
        &size.to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn ticks_carry_latency_histograms_in_the_originals_presets() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let ticks_of = |metrics: &Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(metrics.join("metrics.ndjson"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    // Default preset: 9 cumulative buckets, the last "+Inf" holding every
    // sample of the reservoir.
    let m = dir.path().join("m");
    let o = adhash(&[
        "--json",
        "run-csv",
        "--csv",
        &csv,
        "--metrics-out-dir",
        m.to_str().unwrap(),
        "--latency-sample-every",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["latency_histogram_preset"], "default");
    let last = ticks_of(&m).pop().unwrap();
    assert_eq!(last["latency_hist_preset"], "default");
    let overall = last["latency_hist_ms"]["overall"].as_array().unwrap();
    let les: Vec<&str> = overall.iter().map(|b| b["le"].as_str().unwrap()).collect();
    assert_eq!(
        les,
        [
            "0.050000",
            "0.100000",
            "0.250000",
            "0.500000",
            "1.000000",
            "2.000000",
            "5.000000",
            "10.000000",
            "+Inf"
        ]
    );
    let counts: Vec<u64> = overall
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert_eq!(counts[8], 1000, "a full 1,000-sample reservoir");
    for op in ["put", "get", "del"] {
        assert!(last["latency_hist_ms"][op].is_array(), "{op}");
    }

    // The micro preset, from the environment as the original reads it.
    let m2 = dir.path().join("m2");
    let o = Command::new(env!("CARGO_BIN_EXE_adhash"))
        .args([
            "run-csv",
            "--csv",
            &csv,
            "--metrics-out-dir",
            m2.to_str().unwrap(),
        ])
        .env("ADHASH_LATENCY_BUCKETS", "micro")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let last = ticks_of(&m2).pop().unwrap();
    assert_eq!(last["latency_hist_preset"], "micro");
    let micro = last["latency_hist_ms"]["overall"].as_array().unwrap();
    assert_eq!(micro.len(), 14);
    assert_eq!(micro[0]["le"], "0.001000");
    // A preset that does not exist is bad input.
    let o = adhash(&["run-csv", "--csv", &csv, "--latency-buckets", "nano"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn ticks_and_summaries_carry_probe_histograms_and_loop_latency() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let last_tick = |mode: &str| -> (serde_json::Value, serde_json::Value) {
        let m = dir.path().join(format!("m-{mode}"));
        let o = adhash(&[
            "--json",
            "--mode",
            mode,
            "run-csv",
            "--csv",
            &csv,
            "--metrics-out-dir",
            m.to_str().unwrap(),
            "--latency-sample-every",
            "1",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let text = std::fs::read_to_string(m.join("metrics.ndjson")).unwrap();
        for line in text.lines() {
            assert_originals_metrics_v1(&serde_json::from_str(line).unwrap());
        }
        let tick = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        (summary, tick)
    };
    // Robin Hood: [distance, count] pairs, nearest first, one per live key.
    let (summary, tick) = last_tick("fast-lookup");
    let hist: Vec<(u64, u64)> = tick["probe_hist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_u64().unwrap(), p[1].as_u64().unwrap()))
        .collect();
    assert!(hist.windows(2).all(|w| w[0].0 < w[1].0), "{hist:?}");
    assert!(hist.iter().all(|&(_, c)| c > 0));
    let live: u64 = hist.iter().map(|&(_, c)| c).sum();
    assert_eq!(live, summary["final_size"].as_u64().unwrap());
    let mean = hist.iter().map(|&(d, c)| d * c).sum::<u64>() as f64 / live as f64;
    let avg = tick["avg_probe_estimate"].as_f64().unwrap();
    assert!((mean - avg).abs() < 1e-9, "{mean} vs {avg}");
    // Chaining has no probe distances.
    let (_, tick) = last_tick("fast-insert");
    assert_eq!(tick["probe_hist"], serde_json::json!([]));

    // The loop latency covers the operation and more; the implied latency
    // is 1000 / ops per second; the loop median is the loop's p50.
    for s in [&summary, &summary["summary"]] {
        let op = s["latency_ms"]["overall"]["p50"].as_f64().unwrap();
        let lp = s["latency_loop_ms"]["overall"]["p50"].as_f64().unwrap();
        assert!(lp >= op && lp > 0.0, "loop {lp} < op {op}");
        for q in ["p50", "p90", "p99"] {
            for o in ["overall", "put", "get", "del"] {
                assert!(
                    s["latency_loop_ms"][o][q].as_f64().unwrap() >= 0.0,
                    "{o} {q}"
                );
            }
        }
        assert_eq!(s["loop_latency_median_ms"].as_f64().unwrap(), lp);
        let implied = s["implied_latency_ms"].as_f64().unwrap();
        let ops_s = s["ops_per_second"].as_f64().unwrap();
        assert!((implied - 1000.0 / ops_s).abs() < 1e-9 * implied.max(1.0));
    }
    assert!(tick["implied_latency_ms"].as_f64().unwrap() > 0.0);
}

/// `--config FILE` / `ADHASH_CONFIG`: the original's `[adaptive]` names set
/// adhash's thresholds, `[watchdog]` judges the ticks, flags still win.
#[test]
fn config_file_speaks_the_originals_adaptive_and_watchdog() {
    let dir = tempfile::tempdir().unwrap();
    // 60,000 ops: enough writes for adaptive's first health check, where
    // the default load trigger (0.9) moves it to Robin Hood.
    let csv = dir.path().join("w.csv").display().to_string();
    let o = adhash(&["generate-csv", "--outfile", &csv, "--ops", "60000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cfg = dir.path().join("adhash.toml");
    std::fs::write(
        &cfg,
        "[adaptive]\nmax_lf_chaining = 1.0\nstart_backend = \"robinhood\"\nshade = 3\n\
         [watchdog]\nload_factor_warn = 0.2\navg_probe_warn = \"none\"\n",
    )
    .unwrap();
    let cfg_s = cfg.to_str().unwrap();
    let run = |args: &[&str], env: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_adhash"));
        c.args(args).env_remove("ADHASH_CONFIG");
        if let Some(v) = env {
            c.env("ADHASH_CONFIG", v);
        }
        let o = c.output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        (o, v)
    };
    let m = dir.path().join("m");
    let base = ["--json", "run-csv", "--csv", &csv];
    let (o, plain) = run(&base, None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        plain["migrations_triggered"], 1,
        "the default trigger migrates"
    );

    // max_lf_chaining = 1.0: chaining never passes it, so no migration.
    let mut args = vec!["--config", cfg_s];
    args.extend(base);
    args.extend(["--metrics-out-dir", m.to_str().unwrap()]);
    let (o, v) = run(&args, None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(v["migrations_triggered"], 0);
    assert_eq!(v["final_backend"], "chaining");
    let err = stderr(&o);
    assert!(err.contains("adaptive.start_backend ignored"), "{err}");
    assert!(err.contains("`adaptive.shade`"), "{err}");
    // The watchdog: the load line at 0.2 alerts, logged once when it starts.
    assert_eq!(
        err.matches("Watchdog alert (load_factor)").count(),
        1,
        "{err}"
    );
    let ticks = std::fs::read_to_string(m.join("metrics.ndjson")).unwrap();
    let alerted: Vec<serde_json::Value> = ticks
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .inspect(assert_originals_metrics_v1)
        .filter(|t| !t["alerts"].as_array().unwrap().is_empty())
        .collect();
    assert!(!alerted.is_empty());
    for t in &alerted {
        let a = &t["alerts"][0];
        assert_eq!(a["metric"], "load_factor");
        assert_eq!(a["threshold"], 0.2);
        assert_eq!(a["severity"], "warning");
        assert!(a["value"].as_f64().unwrap() >= 0.2);
    }

    // The environment works as the flag; a flag beats the file; an empty
    // variable is unset.
    let (o, v) = run(&base, Some(cfg_s));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(v["migrations_triggered"], 0);
    let mut args = base.to_vec();
    args.extend(["--adaptive-load-trigger", "0.9"]);
    let (_, v) = run(&args, Some(cfg_s));
    assert_eq!(v["migrations_triggered"], 1);
    let (o, v) = run(&base, Some(""));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(v["migrations_triggered"], 1);

    // Bad files: named, with the key; missing is I/O (5), bad values 2;
    // no output may replace the config.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[adaptive]\nincremental_batch = 0\n").unwrap();
    let (o, _) = run(
        &["--config", bad.to_str().unwrap(), "run-csv", "--csv", &csv],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml") && err.contains("adaptive.incremental_batch"),
        "{err}"
    );
    let (o, _) = run(
        &["run-csv", "--csv", &csv],
        Some("/nonexistent/adhash.toml"),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let (o, _) = run(
        &[
            "--config",
            cfg_s,
            "run-csv",
            "--csv",
            &csv,
            "--json-summary-out",
            cfg_s,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        std::fs::read_to_string(&cfg)
            .unwrap()
            .contains("max_lf_chaining")
    );
}

#[test]
fn log_file_rotates_as_the_originals() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let log = dir.path().join("adhash.log");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "--log-file",
            log.to_str().unwrap(),
            "--log-max-bytes",
            "300",
            "--log-backup-count",
            "2",
        ];
        a.extend_from_slice(extra);
        adhash(&a)
    };
    for _ in 0..6 {
        assert!(args(&["run-csv", "--csv", &csv]).status.success());
    }
    // The error that ends a command is logged too.
    let o = args(&["run-csv", "--csv", "/nonexistent.csv"]);
    assert_eq!(o.status.code(), Some(5));
    let name = |n: &str| dir.path().join(format!("adhash.log{n}"));
    assert!(name(".1").exists() && name(".2").exists());
    assert!(
        !name(".3").exists(),
        "only --log-backup-count files are kept"
    );
    for f in ["", ".1", ".2"] {
        let text = std::fs::read_to_string(name(f)).unwrap();
        assert!(text.len() <= 300, "{f}: {} bytes", text.len());
        for line in text.lines() {
            let r: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(["INFO", "WARNING", "ERROR"].contains(&r["level"].as_str().unwrap()));
            assert_eq!(r["logger"], "adhash");
        }
    }
    let newest = std::fs::read_to_string(name("")).unwrap();
    assert!(newest.contains("\"level\":\"ERROR\""), "{newest}");
    // Never appended to the command's own input.
    let before = std::fs::read(&csv).unwrap();
    let o = adhash(&["--log-file", &csv, "run-csv", "--csv", &csv]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(&csv).unwrap(), before);
}

/// Issue 26, item 19: an unknown ADHASH_LATENCY_BUCKETS falls back to the
/// default with a warning (the original's behaviour); the flag is strict.
#[test]
fn an_unknown_bucket_preset_in_the_environment_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let csv = gen_csv(dir.path(), "w.csv", &[]);
    let summary = dir.path().join("s.json");
    let run = |env: &str, extra: &[&str]| {
        let mut args = vec!["run-csv", "--csv", csv.as_str(), "--json-summary-out"];
        args.push(summary.to_str().unwrap());
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_adhash"))
            .args(&args)
            .env("ADHASH_LATENCY_BUCKETS", env)
            .output()
            .unwrap()
    };
    let o = run("bogus", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("ADHASH_LATENCY_BUCKETS=bogus is not a preset"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(v["latency_histogram_preset"], "default");
    let o = run("micro", &[]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(v["latency_histogram_preset"], "micro");
    let o = run("bogus", &["--dry-run"]);
    assert!(
        o.status.success(),
        "a dry run is not broken by it: {}",
        stderr(&o)
    );
    let o = run("micro", &["--latency-buckets", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Issue 27, item 17: Mission Control's help lists only the flags it takes,
/// a CLI flag given to it is refused by name, and generate-csv's help
/// explains every flag.
#[test]
fn each_command_helps_with_its_own_flags() {
    let o = adhash(&["mission-control", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{help}");
    for hidden in ["--mode", "--json ", "--hash-seed"] {
        assert!(!help.contains(hidden), "{hidden} in:\n{help}");
    }
    assert!(help.contains("--spec") && help.contains("--dna"), "{help}");
    for args in [
        &["mission-control", "--mode", "std"][..],
        &["--json", "mission-control"][..],
        &["--hash-seed=3"][..],
    ] {
        let o = adhash(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("does nothing in Mission Control"), "{err}");
    }
    // The CLI's commands still take them.
    let run = String::from_utf8_lossy(&adhash(&["run-csv", "--help"]).stdout).into_owned();
    assert!(run.contains("--mode") && run.contains("--json"), "{run}");
    let o = adhash(&["generate-csv", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    for text in [
        "The workload CSV to write",
        "Rows (operations) to write",
        "Share of rows that are GETs",
        "Distinct keys drawn from",
        "Seed of the generator",
    ] {
        assert!(help.contains(text), "{text} missing:\n{help}");
    }
}
