//! Batch runner: spec validation, command lines, reports (golden files),
//! and real suites of child processes (the real adhash and a fake CLI that
//! sleeps, crashes, floods and ignores SIGTERM).
// Child processes, signals and the stand-in CLI (tests/fixtures/fake_cli.sh,
// a shell script) are Unix things.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use adhash::batch::compare;
use adhash::batch::report::{self, ReportFormat};
use adhash::batch::result::{Environment, LOG_TAIL_LINES, RunRecord};
use adhash::batch::runner::{
    BatchEvent, CancelToken, JobResult, JobStatus, LogTail, Stream, SuiteResult, run_suite,
};
use adhash::batch::spec::{self, BatchSpec, CliProgram, JobCommand};
use adhash::stats::RunStats;

mod common;

fn adhash_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_adhash"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Write `text` as `dir/suite.toml` and load it.
fn load(dir: &Path, text: &str) -> adhash::error::Result<BatchSpec> {
    let p = dir.join("suite.toml");
    std::fs::write(&p, text).unwrap();
    spec::load(&p, None, &adhash_bin())
}

fn spec_err(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("fake_cli.sh"),
        dir.path().join("fake_cli.sh"),
    )
    .unwrap();
    let e = load(dir.path(), text).unwrap_err();
    assert_eq!(e.exit_code(), 2, "{}", e.detail);
    assert!(
        e.detail.contains("suite.toml"),
        "names the file: {}",
        e.detail
    );
    e.detail
}

#[test]
fn spec_errors_name_file_job_and_field() {
    let e = spec_err(
        "[batch]\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nlatency_k = 5\n",
    );
    assert!(
        e.contains("job 'a'") && e.contains("unknown field `latency_k`"),
        "{e}"
    );
    let e = spec_err(
        "[batch]\n[[batch.jobs]]\nname = \"b\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nlatency_sample_k = \"many\"\n",
    );
    assert!(
        e.contains("job 'b'") && e.contains("`latency_sample_k`") && e.contains("positive integer"),
        "{e}"
    );
    let e = spec_err("[batch]\n[[batch.jobs]]\ncommand = \"explode\"\ncsv = \"w.csv\"\n");
    assert!(
        e.contains("job 'job-1'") && e.contains("unknown command 'explode'"),
        "{e}"
    );
    let e = spec_err(
        "[batch]\n[[batch.jobs]]\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nmode = \"turbo\"\n",
    );
    assert!(e.contains("`mode`") && e.contains("'turbo'"), "{e}");
    let e = spec_err(
        "[batch]\n[[batch.jobs]]\nname = \"x\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n[[batch.jobs]]\nname = \"x\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n",
    );
    assert!(e.contains("duplicate job name") && e.contains("'x'"), "{e}");
    let e = spec_err("[batch]\njobs = []\n");
    assert!(e.contains("no jobs"), "{e}");
    // Another tool's table is ignored (with a warning), so this one has
    // no suite at all.
    let e = spec_err("[other]\nx = 1\n");
    assert!(e.contains("missing [batch]"), "{e}");
    let e = spec_err("title = \"x\"\n");
    assert!(e.contains("`title`"), "{e}");
    let e = spec_err("");
    assert!(e.contains("missing [batch]"), "{e}");
    let e = spec_err(
        "[batch]\nhashmap_cli = \"nowhere/cli.py\"\n[[batch.jobs]]\ncommand = \"profile\"\ncsv = \"w.csv\"\n",
    );
    assert!(
        e.contains("hashmap_cli") && e.contains("nowhere/cli.py"),
        "{e}"
    );
    let e =
        spec_err("[batch]\nreport = 5\n[[batch.jobs]]\ncommand = \"profile\"\ncsv = \"w.csv\"\n");
    assert!(
        e.contains("[batch]: field `report` must be a string"),
        "{e}"
    );
    let e = spec_err("[batch\n");
    assert!(e.contains("invalid TOML"), "{e}");
    let e = spec_err("[batch]\n[[batch.jobs]]\ncommand = \"run-csv\"\n");
    assert!(e.contains("`csv` is required"), "{e}");
    let e = spec_err(
        "[batch]\n[[batch.jobs]]\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--x\", 3]\n",
    );
    assert!(e.contains("`extra_args`"), "{e}");
}

#[test]
fn original_spec_loads_and_resolves_paths() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("docs/examples");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(dir.path().join("hashmap_cli.py"), "print('hi')\n").unwrap();
    // The original's example, unchanged.
    let text = common::ORIGINAL_BASELINE;
    std::fs::write(sub.join("s.toml"), text).unwrap();
    let s = spec::load(
        &sub.join("s.toml"),
        Some("/usr/bin/python3.11"),
        &adhash_bin(),
    )
    .unwrap();
    assert_eq!(s.report, dir.path().join("reports/batch_baseline.md"));
    assert_eq!(
        s.html_report,
        Some(dir.path().join("reports/batch_baseline.html"))
    );
    assert_eq!(
        s.json_report,
        dir.path().join("reports/batch_baseline.json")
    );
    assert_eq!(
        s.cli,
        CliProgram::Python {
            interpreter: "/usr/bin/python3.11".into(),
            script: dir.path().join("hashmap_cli.py"),
        }
    );
    assert_eq!(s.jobs[0].name, "profile-uniform");
    assert_eq!(s.jobs[0].command, JobCommand::Profile);
    assert_eq!(
        s.resolve(&s.jobs[1].csv),
        dir.path().join("data/workloads/w_uniform.csv")
    );
    assert_eq!(s.jobs[1].timeout_s, 600.0);
    assert_eq!(s.jobs[1].repeat, 1);
}

#[test]
fn command_lines_follow_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let s = load(
        dir.path(),
        r#"
[batch]
[[batch.jobs]]
command = "profile"
csv = "w.csv"
extra_args = ["--sample-rows", "50"]
[[batch.jobs]]
command = "run-csv"
mode = "fast-lookup"
csv = "data/w 1.csv"
json_summary = "out/s.json"
latency_sample_k = 10
latency_sample_every = 4
metrics_out_dir = "m"
extra_args = ["--compact-interval", "1"]
"#,
    )
    .unwrap();
    assert_eq!(
        s.jobs[0].args(None),
        ["profile", "--csv", "w.csv", "--sample-rows", "50"]
    );
    assert_eq!(
        s.jobs[1].args(s.jobs[1].json_summary.as_deref()),
        [
            "--mode",
            "fast-lookup",
            "run-csv",
            "--csv",
            "data/w 1.csv",
            "--json-summary-out",
            "out/s.json",
            "--latency-sample-k",
            "10",
            "--latency-sample-every",
            "4",
            "--metrics-out-dir",
            "m",
            "--compact-interval",
            "1",
        ]
    );
    assert_eq!(s.jobs[1].name, "job-2");
    assert!(s.command_line(&s.jobs[1], None).contains("'data/w 1.csv'"));
    assert!(matches!(s.cli, CliProgram::SelfExe(_)));
}

/// A fixed suite result for golden files.
fn sample_suite() -> SuiteResult {
    let mut log = LogTail::default();
    log.push(Stream::Stdout, "adaptive: 1,000 ops".into());
    log.push(Stream::Stderr, "parsed 1,000 rows".into());
    let job = |name: &str, status, ops: Option<f64>, runs: Vec<f64>, backend: Option<&str>| {
        let mut j = JobResult::planned(
            name,
            "run-csv",
            "adaptive",
            "w.csv",
            runs.len().max(1) as u32,
        );
        j.status = status;
        j.exit_code = Some(if status == JobStatus::Ok { 0 } else { 1 });
        j.duration_seconds = 1.234;
        j.stats = RunStats::of(&runs);
        j.ops_per_second = ops;
        j.runs = runs
            .iter()
            .map(|&o| RunRecord {
                ops_per_second: Some(o),
                duration_seconds: 0.4,
                status: JobStatus::Ok,
                ops_per_cpu_second: None,
                round: None,
            })
            .collect();
        j.ops_per_second_runs = runs;
        j.final_backend = backend.map(str::to_string);
        j.p99_ms = ops.map(|_| 0.0123);
        j.command_line = format!("adhash --mode adaptive run-csv --csv w.csv # {name}");
        j.reason = (status != JobStatus::Ok).then(|| "exited with code 1".to_string());
        j.log = log.clone();
        j
    };
    let mut profile = job("profile-<uniform>", JobStatus::Ok, None, vec![], None);
    profile.command = "profile".into();
    profile.recommendation = Some("fast-lookup".into());
    // The control: std on the same CSV.
    let mut control = job(
        "std",
        JobStatus::Ok,
        Some(1_600_000.0),
        vec![1_600_000.0],
        Some("std"),
    );
    control.mode = "std".into();
    control.p99_ms = Some(0.000183456);
    // Two of three runs ok, then a crash: shown, marked, never ranked.
    let mut partial = job(
        "flaky",
        JobStatus::Failed,
        Some(3_000_000.0),
        vec![2_900_000.0, 3_100_000.0],
        Some("chaining"),
    );
    partial.planned_runs = 3;
    partial.runs.push(RunRecord {
        ops_per_second: None,
        duration_seconds: 0.1,
        status: JobStatus::Failed,
        ops_per_cpu_second: None,
        round: None,
    });
    SuiteResult {
        spec: "docs/examples/golden.toml".into(),
        description: Some("Golden suite".into()),
        cli: "adhash".into(),
        generated_at: "2026-01-02 03:04:05".into(),
        started_at: "2026-01-02T02:04:00Z".into(),
        finished_at: "2026-01-02T02:04:05Z".into(),
        wall_seconds: 5.0,
        cancelled: false,
        environment: Environment {
            adhash_version: "0.1.0".into(),
            os: "linux x86_64".into(),
            cpu_model: "Test CPU".into(),
            logical_cores: 2,
            load_average_start: Some(0.5),
            load_average_end: Some(0.7),
            hostname: "golden".into(),
        },
        warnings: Vec::new(),
        until_ci_pct: None,
        jobs: vec![
            control,
            partial,
            profile,
            job(
                "fast",
                JobStatus::Ok,
                Some(2_000_000.0),
                vec![1_900_000.0, 2_000_000.0, 2_300_000.0],
                Some("robinhood"),
            ),
            job(
                "slow",
                JobStatus::Ok,
                Some(1_500_000.4),
                vec![],
                Some("chaining -> robinhood (migrating)"),
            ),
            job("broken|job", JobStatus::Failed, None, vec![], None),
        ],
    }
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        // Rewriting is never a pass: the run that rewrites fails, so a
        // stray UPDATE_GOLDEN (in CI, say) cannot hide a difference.
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // An unchanged file hides nothing: the next golden file gets its
        // turn in the same run.
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != actual {
            std::fs::write(&path, actual).unwrap();
            panic!(
                "UPDATE_GOLDEN: {} rewritten; review the diff and run again without it",
                path.display()
            );
        }
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs (UPDATE_GOLDEN=1 rewrites it)"
    );
}

/// A comparison with every verdict, figures at each unit's edge, and two
/// machines, for golden files.
fn sample_comparison() -> compare::Comparison {
    use compare::{Comparison, JobComparison, Normalized, Side, Verdict};
    let side = |path: &str, started: &str, host: &str, cpu: &str| Side {
        path: path.into(),
        started_at: started.into(),
        environment: Environment {
            hostname: host.into(),
            cpu_model: cpu.into(),
            logical_cores: 2,
            load_average_start: Some(0.25),
            ..Environment::default()
        },
    };
    let job = |name: &str,
               old: Option<f64>,
               new: Option<f64>,
               delta: Option<f64>,
               ci: Option<(f64, f64)>,
               verdict| {
        JobComparison {
            name: name.into(),
            old_median: old,
            new_median: new,
            delta_pct: delta,
            ci_low_pct: ci.map(|c| c.0),
            ci_high_pct: ci.map(|c| c.1),
            old_runs: 3,
            new_runs: 5,
            verdict,
            reason: None,
            comparable: true,
            normalized: None,
            control: false,
            gated_on_normalized: false,
        }
    };
    let old = side("old.json", "2026-01-02T02:04:00Z", "alpha", "Test CPU");
    let new = side("new.json", "", "beta", "");
    let caveats = adhash::batch::verdict::environment_caveats(&old.environment, &new.environment);
    let mut changed = job(
        "changed",
        Some(5e5),
        Some(6e5),
        Some(20.0),
        None,
        Verdict::NotComparable,
    );
    changed.comparable = false;
    changed.reason = Some("CSV changed (checksum 0x0000000000000001 → 0x0000000000000002)".into());
    let mut paired = job(
        "paired",
        Some(1.3e6),
        Some(9.1e5),
        Some(-30.0),
        Some((-31.0, -29.0)),
        Verdict::Slower,
    );
    paired.normalized = Some(Normalized {
        old_median: Some(1.3),
        new_median: Some(1.301),
        delta_pct: Some(0.08),
        ci_low_pct: Some(-0.6),
        ci_high_pct: Some(0.7),
        old_rounds: 10,
        new_rounds: 10,
        verdict: Verdict::NoChange,
        reason: None,
    });
    paired.gated_on_normalized = true;
    let mut control = job(
        "control",
        Some(1e6),
        Some(7e5),
        Some(-30.0),
        Some((-30.5, -29.5)),
        Verdict::Slower,
    );
    control.control = true;
    control.gated_on_normalized = true;
    Comparison {
        schema: compare::COMPARE_SCHEMA.into(),
        old,
        new,
        threshold_pct: 2.5,
        metric: compare::Metric::Wall,
        method: "Hodges–Lehmann shift of log(ops/s) with the exact Mann–Whitney 97% interval"
            .into(),
        normalize: compare::Normalize::Auto,
        caveats,
        jobs: vec![
            changed,
            paired,
            control,
            job(
                "faster",
                Some(1e9),
                Some(1.2e9),
                Some(20.0),
                Some((10.049, 30.0)),
                Verdict::Faster,
            ),
            job(
                "slower",
                Some(1e6),
                Some(999_999.0),
                Some(-0.04),
                Some((-3.0, -0.05)),
                Verdict::Slower,
            ),
            job(
                "same|<b>",
                Some(1e3),
                Some(999.0),
                Some(-0.1),
                Some((-0.5, 0.3)),
                Verdict::NoChange,
            ),
            JobComparison {
                reason: Some("too few runs (3 vs 5; an interval needs 4 a side)".into()),
                ..job(
                    "unsure",
                    Some(12.5),
                    Some(0.0),
                    Some(-100.0),
                    None,
                    Verdict::Inconclusive,
                )
            },
            job(
                "gone",
                Some(2_345_678.0),
                None,
                None,
                None,
                Verdict::OnlyInOld,
            ),
            job(
                "new",
                None,
                Some(999_999_999.0),
                None,
                None,
                Verdict::OnlyInNew,
            ),
        ],
    }
}

#[test]
fn comparison_matches_golden_in_every_format() {
    let c = sample_comparison();
    assert!(c.machines_differ());
    golden("compare.txt", &compare::text(&c));
    golden("compare.md", &compare::markdown(&c));
    golden("compare.html", &compare::html(&c));
    golden("compare.json", &compare::json(&c));
    assert!(compare::text(&c).contains("note: other machine: alpha"));
    // One machine: no note.
    let mut same = c.clone();
    same.new.environment = same.old.environment.clone();
    same.caveats =
        adhash::batch::verdict::environment_caveats(&same.old.environment, &same.new.environment);
    assert!(!compare::text(&same).contains("other machine"));
    assert!(!compare::markdown(&same).contains("other machine"));
    assert!(!compare::html(&same).contains("other machine"));
    // The gate: slower fails it, the control and the ×std-judged job do not.
    assert_eq!(
        c.regressions(),
        ["slower: slower", "gone: missing from the new run"]
    );
}

#[test]
fn a_cancelled_suite_says_so_and_draws_no_empty_chart() {
    let mut suite = sample_suite();
    suite.cancelled = true;
    // Every job partial or failed: nothing to rank.
    suite.jobs.retain(|j| !j.is_complete());
    let md = report::markdown(&suite);
    assert!(
        md.contains("**Cancelled: 2 of 2 jobs did not run to the end.**"),
        "{md}"
    );
    assert!(!md.contains("```text\n```"), "empty bar block:\n{md}");
    assert!(report::html(&suite).contains("Cancelled: 2 of 2 jobs"));
}

#[test]
fn markdown_report_matches_golden() {
    let md = report::markdown(&sample_suite());
    assert!(md.starts_with("# Adaptive Hash Map Batch Report\n\nGenerated: 2026-01-02 03:04:05\n"));
    assert!(md.contains("| Job | Command | Status | Duration (s) | Ops/s | Backend |"));
    // ×std (the control on the same CSV) and Spread (repeats), formats.md §8.
    assert!(md.contains("| Job | Ops/s | Δ vs. max | p99 latency (ms) | ×std | Spread |"));
    assert!(
        md.contains(
            "| fast | 2,000,000 | 0.0% | 0.0123 | 1.25× | 1,900,000 – 2,300,000 (CV 10.1%) ⚠ |"
        ),
        "{md}"
    );
    assert!(md.contains("| slow | 1,500,000 | -25.0% | 0.0123 | 0.94× | - |"));
    // Three significant digits: never 0.000 for a non-zero p99.
    assert!(md.contains("| std | 1,600,000 | -20.0% | 0.000183 | 1.00× (control) | - |"));
    // A job with a failed run is marked and not ranked (it would be fastest).
    assert!(md.contains("| flaky (2/3 runs) | 3,000,000 | - |"), "{md}");
    let bars = &md[md.find("```text").unwrap()..];
    assert!(!bars[..bars[7..].find("```").unwrap()].contains("flaky"));
    assert!(md.contains("recommends fast-lookup"));
    golden("report.md", &md);
}

#[test]
fn html_report_matches_golden_and_escapes() {
    let html = report::html(&sample_suite());
    assert!(!html.contains("profile-<uniform>"));
    assert!(html.contains("profile-&lt;uniform&gt;"));
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    golden("report.html", &html);
}

#[test]
fn hostile_names_are_escaped() {
    let mut suite = sample_suite();
    suite.jobs[1].name = "<script>alert('x')</script>".into();
    suite.jobs[1]
        .log
        .push(Stream::Stdout, "</pre><img src=x onerror=alert(1)>".into());
    suite.description = Some("<b>desc</b> & co".into());
    let html = report::html(&suite);
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>desc"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
}

#[test]
fn delta_rounding() {
    assert_eq!(report::delta_text(100.0, 100.0), "0.0%");
    assert_eq!(report::delta_text(99.96, 100.0), "0.0%");
    assert_eq!(report::delta_text(99.9, 100.0), "-0.1%");
    assert_eq!(report::delta_text(50.0, 100.0), "-50.0%");
}

#[test]
fn log_excerpt_keeps_the_tail_without_control_characters() {
    let mut r = sample_suite().jobs[0].clone();
    r.log = LogTail::default();
    for i in 0..2000 {
        r.log.push(Stream::Stdout, format!("line {i:05}\u{1b}[31m"));
    }
    let text = report::log_excerpt(&r);
    assert!(text.starts_with('…'));
    assert!(text.chars().count() <= report::LOG_CHARS + 1);
    // The whole escape sequence goes, not only its ESC byte.
    assert!(text.ends_with("line 01999"), "{text}");
    assert!(!text.contains('\u{1b}'));
    r.log = LogTail::default();
    assert_eq!(report::log_excerpt(&r), "(no output)");
}

#[test]
fn report_write_is_atomic_and_picks_format_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let suite = sample_suite();
    for (name, needle) in [
        ("r.md", "# Adaptive"),
        ("r.html", "<!DOCTYPE html>"),
        ("r.json", "adhash.batch_report.v1"),
    ] {
        let p = dir.path().join("deep/er").join(name);
        report::write_report(&p, ReportFormat::from_path(&p).unwrap(), &suite).unwrap();
        assert!(std::fs::read_to_string(&p).unwrap().contains(needle));
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("deep/er"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".adhash-tmp"))
        .collect();
    assert!(leftovers.is_empty());

    // Atomic: a reader polling the file while it is rewritten again and
    // again (two different reports) only ever sees one or the other whole.
    let p = dir.path().join("deep/er/r.md");
    let mut other = sample_suite();
    other.jobs.truncate(1);
    let texts: Vec<String> = [&suite, &other]
        .iter()
        .map(|s| {
            report::write_report(&p, ReportFormat::Markdown, s).unwrap();
            std::fs::read_to_string(&p).unwrap()
        })
        .collect();
    assert_ne!(texts[0], texts[1]);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (p, stop, texts) = (p.clone(), stop.clone(), texts.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let seen = std::fs::read_to_string(&p).unwrap();
                assert!(texts.contains(&seen), "a torn read: {} bytes", seen.len());
                reads += 1;
            }
            reads
        })
    };
    for i in 0..300 {
        let s = if i % 2 == 0 { &suite } else { &other };
        report::write_report(&p, ReportFormat::Markdown, s).unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("deep/er/r.json")).unwrap())
            .unwrap();
    let job = &v["jobs"][3];
    assert_eq!(job["name"], "fast");
    for f in [
        "csv",
        "runs",
        "stats",
        "name",
        "command",
        "mode",
        "status",
        "exit_code",
        "duration_seconds",
        "ops_per_second",
        "ops_per_second_runs",
        "final_backend",
        "p99_ms",
        "summary_path",
    ] {
        assert!(job.get(f).is_some(), "json report job lacks {f}");
    }
    assert_eq!(job["status"], "ok");
    assert_eq!(job["stats"]["n"], 3);
    assert_eq!(job["stats"]["median"], 2_000_000.0);
    assert_eq!(job["runs"].as_array().unwrap().len(), 3);
    assert_eq!(v["generated_at"], "2026-01-02 03:04:05");
    // formats.md §9 additions.
    assert_eq!(v["started_at"], "2026-01-02T02:04:00Z");
    assert_eq!(v["environment"]["logical_cores"], 2);
    assert_eq!(v["cancelled"], false);
    // The JSON report reads back as the same result (history loads it).
    let back = adhash::batch::history::load(&dir.path().join("deep/er/r.json")).unwrap();
    assert_eq!(back.jobs.len(), 6);
    assert_eq!(back.jobs[3].stats, job_stats_fast());
}

fn job_stats_fast() -> Option<RunStats> {
    RunStats::of(&[1_900_000.0, 2_000_000.0, 2_300_000.0])
}

/// A suite folder with the fake CLI and a CSV.
fn fake_suite(jobs: &str) -> (tempfile::TempDir, BatchSpec) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("fake_cli.sh"),
        dir.path().join("fake_cli.sh"),
    )
    .unwrap();
    std::fs::write(dir.path().join("w.csv"), "op,key,value\nput,a,1\n").unwrap();
    let text = format!(
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\nhtml_report = \"out/r.html\"\n{jobs}"
    );
    let spec = load(dir.path(), &text).unwrap();
    (dir, spec)
}

fn job(name: &str, behave: &str, extra: &str) -> String {
    format!(
        "[[batch.jobs]]\nname = \"{name}\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"{behave}\"]\n{extra}\n"
    )
}

/// Run a suite on a thread, collecting events with their arrival times.
fn run_collect(spec: &BatchSpec, cancel: CancelToken) -> (SuiteResult, Vec<(Instant, BatchEvent)>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    let s = spec.clone();
    let h = std::thread::spawn(move || run_suite(&s, tx, Arc::new(|| {}), cancel));
    let events: Vec<_> = rx.iter().map(|e| (Instant::now(), e)).collect();
    (h.join().unwrap(), events)
}

#[test]
fn crash_missing_csv_and_timeout_do_not_stop_the_suite() {
    let mut jobs = job("good", "ok", "");
    jobs += &job("crash", "crash", "");
    jobs += "[[batch.jobs]]\nname = \"missing\"\ncommand = \"run-csv\"\ncsv = \"nope.csv\"\n";
    jobs += "[[batch.jobs]]\nname = \"folder\"\ncommand = \"run-csv\"\ncsv = \"a_folder\"\n";
    jobs += &job("crash-in-warmup", "crash", "warmup = 1\nrepeat = 3");
    jobs += &job("stubborn", "stubborn", "timeout_s = 0.5");
    jobs += &job("fast", "fast", "json_summary = \"out/fast.json\"");
    let (dir, spec) = fake_suite(&jobs);
    std::fs::create_dir(dir.path().join("a_folder")).unwrap();
    let t0 = Instant::now();
    let (suite, _) = run_collect(&spec, CancelToken::new());
    let by = |n: &str| suite.jobs.iter().find(|j| j.name == n).unwrap();
    assert_eq!(by("good").status, JobStatus::Ok);
    assert_eq!(by("good").ops_per_second, Some(1000.0));
    assert_eq!(by("crash").status, JobStatus::Failed);
    assert_eq!(by("crash").exit_code, Some(3));
    assert!(by("crash").log.text().contains("about to crash"));
    // The failed run is a run of the job; a failed warmup is not, and
    // nothing runs after it.
    let statuses = |n: &str| by(n).runs.iter().map(|r| r.status).collect::<Vec<_>>();
    assert_eq!(statuses("crash"), [JobStatus::Failed]);
    assert_eq!(by("crash-in-warmup").status, JobStatus::Failed);
    assert_eq!(statuses("crash-in-warmup"), []);
    assert_eq!(
        by("crash-in-warmup").reason.as_deref(),
        Some("warmup run 1: exited with code 3")
    );
    assert_eq!(by("missing").status, JobStatus::Failed);
    assert!(
        by("missing").log.text().contains("CSV not found"),
        "{}",
        by("missing").log.text()
    );
    // A folder is not "not found": the log says what is there.
    assert_eq!(by("folder").status, JobStatus::Failed);
    assert!(
        by("folder")
            .log
            .text()
            .contains("the CSV is a folder, not a file"),
        "{}",
        by("folder").log.text()
    );
    assert_eq!(by("stubborn").status, JobStatus::Timeout);
    // It never ends by itself: any end is the runner's kill (timeout 0.5 s
    // plus a 2 s grace). The bound only has to tell "killed" from "left to
    // run", so it is generous for a loaded machine.
    assert!(
        by("stubborn").duration_seconds < 60.0,
        "killed after the grace period"
    );
    assert_eq!(by("fast").status, JobStatus::Ok);
    assert_eq!(by("fast").ops_per_second, Some(4000.0));
    assert!(t0.elapsed() < Duration::from_secs(120));
    let md = std::fs::read_to_string(dir.path().join("out/r.md")).unwrap();
    assert!(md.contains("| stubborn | run-csv | ❌ |"));
    assert!(md.contains("Status: timeout"));
    assert!(dir.path().join("out/r.html").exists());
    assert!(dir.path().join("out/r.json").exists());
}

#[test]
fn cancel_kills_the_running_job_and_skips_the_rest() {
    let jobs = job("sleeper", "sleep", "") + &job("after", "ok", "");
    let (dir, spec) = fake_suite(&jobs);
    let (tx, rx) = crossbeam_channel::unbounded();
    let cancel = CancelToken::new();
    let s = spec.clone();
    let c = cancel.clone();
    let h = std::thread::spawn(move || run_suite(&s, tx, Arc::new(|| {}), c));
    let t0 = Instant::now();
    for ev in rx.iter() {
        if let BatchEvent::Log { line, .. } = ev
            && line == "before sleep"
        {
            cancel.cancel();
            break;
        }
    }
    let suite = h.join().unwrap();
    // The job sleeps 300 s: ending well before proves the cancel.
    assert!(t0.elapsed() < Duration::from_secs(60));
    assert_eq!(suite.jobs[0].status, JobStatus::Cancelled);
    assert_eq!(suite.jobs[1].status, JobStatus::Skipped);
    assert!(!suite.jobs[0].log.text().contains("after sleep"));
    assert!(
        std::fs::read_to_string(dir.path().join("out/r.md"))
            .unwrap()
            .contains("❌")
    );
}

#[test]
fn output_streams_live() {
    // The job prints a line, then waits (up to 30 s) for the test to answer
    // it: only a runner that passes lines on while the job runs lets the
    // answer arrive in time. No clock in the assertion.
    let (dir, spec) = fake_suite(&job("slow", "handshake", ""));
    let release = dir.path().join("release");
    let (tx, rx) = crossbeam_channel::unbounded();
    let s = spec.clone();
    let h = std::thread::spawn(move || run_suite(&s, tx, Arc::new(|| {}), CancelToken::new()));
    let mut lines = Vec::new();
    for e in rx.iter() {
        if let BatchEvent::Log { line, .. } = e {
            if line == "first line" {
                std::fs::write(&release, "").unwrap();
            }
            lines.push(line);
        }
    }
    let suite = h.join().unwrap();
    assert_eq!(suite.jobs[0].status, JobStatus::Ok);
    assert!(lines.iter().any(|l| l == "released"), "{lines:?}");
    assert!(!lines.iter().any(|l| l == "never released"), "{lines:?}");
}

#[test]
fn flooding_job_keeps_memory_bounded() {
    let (dir, spec) = fake_suite(&job("flood", "flood", ""));
    let (suite, events) = run_collect(&spec, CancelToken::new());
    let lines = events
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                BatchEvent::Log {
                    stream: Stream::Stdout,
                    ..
                }
            )
        })
        .count();
    assert_eq!(lines, 200_000, "every line is streamed");
    let j = &suite.jobs[0];
    assert_eq!(j.status, JobStatus::Ok);
    assert!(j.log.lines.len() <= LOG_TAIL_LINES);
    assert!(j.log.dropped > 0);
    let md = std::fs::read_to_string(dir.path().join("out/r.md")).unwrap();
    assert!(md.len() < 20_000, "report keeps only the tail");
}

/// A line without an end is cut into 16 KiB pieces as it streams (nothing
/// lost, nothing buffered past the bound); a job's kept log stops at
/// 512 KiB however few lines make it up.
#[test]
fn long_lines_are_split_and_the_kept_log_is_bounded_in_bytes() {
    use adhash::batch::result::LOG_TAIL_BYTES;
    use adhash::batch::runner::MAX_LINE_BYTES;
    let (_dir, spec) = fake_suite(&format!(
        "{}{}",
        job("mega", "megaline", ""),
        job("wide", "widelines", "")
    ));
    let (suite, events) = run_collect(&spec, CancelToken::new());
    let pieces: Vec<&String> = events
        .iter()
        .filter_map(|(_, e)| match e {
            BatchEvent::Log {
                job: 0,
                stream: Stream::Stdout,
                line,
            } => Some(line),
            _ => None,
        })
        .collect();
    let sizes: Vec<usize> = pieces.iter().map(|l| l.len()).collect();
    assert_eq!(MAX_LINE_BYTES, 16 * 1024);
    assert_eq!(
        sizes,
        [16384, 16384, 16384, 16384, 16384, 16384, 1696],
        "100,000 bytes in 16 KiB pieces"
    );
    assert!(pieces.iter().all(|l| l.bytes().all(|b| b == b'x')));

    let wide = &suite.jobs[1];
    assert_eq!(wide.status, JobStatus::Ok);
    let kept: usize = wide.log.lines.iter().map(|(_, l)| l.len()).sum();
    assert_eq!(LOG_TAIL_BYTES, 512 * 1024);
    assert!(kept <= LOG_TAIL_BYTES, "{kept} bytes kept");
    assert!(kept > LOG_TAIL_BYTES - 8000, "the bound, not less: {kept}");
    assert!(
        wide.log.lines.len() < LOG_TAIL_LINES,
        "bytes bit, not lines"
    );
    assert!(wide.log.dropped > 0);
}

#[test]
fn stale_summary_is_not_used() {
    let (dir, spec) = fake_suite(&job(
        "quiet",
        "nosummary",
        "json_summary = \"out/old.json\"",
    ));
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let old = dir.path().join("out/old.json");
    std::fs::write(
        &old,
        r#"{"ops_per_second": 99999, "final_backend": "stale"}"#,
    )
    .unwrap();
    let f = std::fs::File::options().write(true).open(&old).unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    drop(f);
    let (suite, _) = run_collect(&spec, CancelToken::new());
    assert_eq!(suite.jobs[0].status, JobStatus::Ok);
    assert_eq!(suite.jobs[0].ops_per_second, None);
    assert!(suite.jobs[0].log.text().contains("stale"));
}

#[test]
fn relative_spec_path_finds_its_cli() {
    let (dir, _) = fake_suite(&job("good", "ok", ""));
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--spec", "suite.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("good | fake ok"));
}

/// A folder with the Python stand-in CLI as `hashmap_cli.py`, a one-row
/// CSV and a one-job spec driving it through `hashmap_cli` = `cli`. `None`
/// (after saying SKIPPED) only when python3 is missing and the run opted
/// out; a missing python3 otherwise fails the test rather than passing
/// having tested nothing.
fn python_suite(cli: &str) -> Option<(tempfile::TempDir, PathBuf)> {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("ADHASH_TEST_WITHOUT_PYTHON").is_some(),
            "python3 is not installed: install it, or set ADHASH_TEST_WITHOUT_PYTHON=1 to skip this test"
        );
        eprintln!("SKIPPED: python3 is not installed (ADHASH_TEST_WITHOUT_PYTHON is set)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("fake_cli.py"),
        dir.path().join("hashmap_cli.py"),
    )
    .unwrap();
    std::fs::write(dir.path().join("w.csv"), "op,key,value\nput,a,1\n").unwrap();
    let p = dir.path().join("suite.toml");
    std::fs::write(
        &p,
        format!("[batch]\nhashmap_cli = \"{cli}\"\n[[batch.jobs]]\nname = \"py\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\njson_summary = \"s.json\"\n"),
    )
    .unwrap();
    Some((dir, p))
}

#[test]
fn python_cli_runs_under_the_interpreter() {
    let Some((dir, p)) = python_suite("hashmap_cli.py") else {
        return;
    };
    let spec = spec::load(&p, Some("python3"), &adhash_bin()).unwrap();
    let (suite, _) = run_collect(&spec, CancelToken::new());
    let j = &suite.jobs[0];
    assert_eq!(j.status, JobStatus::Ok, "{}", j.log.text());
    assert_eq!(j.ops_per_second, Some(2900.0));
    assert!(
        j.log
            .text()
            .contains("--mode adaptive run-csv --csv w.csv --json-summary-out s.json")
    );
    assert!(
        dir.path().join("reports/batch_report.md").exists(),
        "default report path"
    );
}

#[test]
fn python_module_form_runs_under_the_interpreter() {
    // The original's `hashmap_cli = "-m hashmap_cli"`: python3 -m, with the
    // module found from the spec's folder (the jobs' working directory).
    let Some((_dir, p)) = python_suite("-m hashmap_cli") else {
        return;
    };
    let spec = spec::load(&p, Some("python3"), &adhash_bin()).unwrap();
    assert_eq!(
        spec.cli,
        CliProgram::PythonModule {
            interpreter: "python3".into(),
            args: vec!["-m".into(), "hashmap_cli".into()],
        }
    );
    assert_eq!(spec.cli.describe(), "python3 -m hashmap_cli");
    let (suite, _) = run_collect(&spec, CancelToken::new());
    let j = &suite.jobs[0];
    assert_eq!(j.status, JobStatus::Ok, "{}", j.log.text());
    assert_eq!(j.ops_per_second, Some(2900.0));
    // A module form without a module is a spec error, named.
    for bad in ["-m", "-m ''", "-m 'unbalanced"] {
        std::fs::write(&p, format!("[batch]\nhashmap_cli = \"{bad}\"\n[[batch.jobs]]\ncsv = \"w.csv\"\ncommand = \"run-csv\"\n")).unwrap();
        let e = spec::load(&p, None, &adhash_bin()).unwrap_err();
        assert!(e.detail.contains("hashmap_cli"), "{bad}: {}", e.detail);
    }
}

#[test]
fn real_adhash_suite_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("data/w.csv");
    let o = std::process::Command::new(adhash_bin())
        .args([
            "generate-csv",
            "--ops",
            "3000",
            "--outfile",
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    let spec_path = specs.join("suite.toml");
    std::fs::write(
        &spec_path,
        r#"
[batch]
description = "e2e"
report = "../reports/e2e.md"
html_report = "../reports/e2e.html"

[[batch.jobs]]
name = "profile"
command = "profile"
csv = "../data/w.csv"
extra_args = ["--sample-rows", "500", "--repeats", "1"]

[[batch.jobs]]
name = "std"
command = "run-csv"
mode = "std"
csv = "../data/w.csv"
repeat = 2

[[batch.jobs]]
name = "adaptive"
command = "run-csv"
csv = "../data/w.csv"
json_summary = "../results/adaptive.json"
metrics_out_dir = "../results/metrics"
"#,
    )
    .unwrap();
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--spec", spec_path.to_str().unwrap()])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("adaptive | "),
        "job output is prefixed with the job name: {out}"
    );
    assert!(out.contains("report: "));
    let md = std::fs::read_to_string(dir.path().join("reports/e2e.md")).unwrap();
    assert!(md.contains("## Comparative Summary"));
    assert!(md.contains("| std | run-csv | ✅ |"));
    assert!(md.contains("recommends "));
    assert!(dir.path().join("results/adaptive.json").exists());
    assert!(dir.path().join("results/metrics/metrics.ndjson").exists());
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/e2e.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(v["schema"], "adhash.batch_report.v1");
    assert_eq!(
        v["jobs"][1]["ops_per_second_runs"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // formats.md §9: statistics over the runs, and the run archived in history.
    assert_eq!(v["jobs"][1]["stats"]["n"], 2);
    assert_eq!(v["jobs"][1]["runs"].as_array().unwrap().len(), 2);
    assert!(v["environment"]["logical_cores"].as_u64().unwrap() >= 1);
    let history = dir.path().join("reports/history/suite");
    let archived: Vec<PathBuf> = std::fs::read_dir(&history)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(archived.len(), 1, "{archived:?}");
    assert!(err.contains("archived: "), "{err}");
    let name = archived[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.len() == "20261128T083005Z.json".len() && name.ends_with("Z.json"),
        "{name}"
    );
    let back = adhash::batch::history::load(&archived[0]).unwrap();
    assert_eq!(back.jobs.len(), 3);
    assert_eq!(
        back.jobs[2].ops_per_second,
        v["jobs"][2]["ops_per_second"].as_f64()
    );

    // A failing job: exit 1, reports still written.
    std::fs::write(
        &spec_path,
        "[batch]\nreport = \"../reports/e2e.md\"\n[[batch.jobs]]\nname = \"gone\"\ncommand = \"run-csv\"\ncsv = \"../data/missing.csv\"\n",
    )
    .unwrap();
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--spec", spec_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        std::fs::read_to_string(dir.path().join("reports/e2e.md"))
            .unwrap()
            .contains("| gone |")
    );
    // Archived beside the first run, never over it.
    assert_eq!(std::fs::read_dir(&history).unwrap().count(), 2);
    // `history = false`: no archive.
    std::fs::write(
        &spec_path,
        "[batch]\nreport = \"../reports/e2e.md\"\nhistory = false\n[[batch.jobs]]\nname = \"gone\"\ncommand = \"run-csv\"\ncsv = \"../data/missing.csv\"\n",
    )
    .unwrap();
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--spec", spec_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(&history).unwrap().count(), 2);

    // A bad spec: exit 2 and the good report stays untouched.
    let before = std::fs::read_to_string(dir.path().join("reports/e2e.md")).unwrap();
    std::fs::write(
        &spec_path,
        "[batch]\nreport = \"../reports/e2e.md\"\njobs = []\n",
    )
    .unwrap();
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--spec", spec_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("suite.toml"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("reports/e2e.md")).unwrap(),
        before
    );
}

/// `adhash --config FILE batch` hands the config to every job (as the
/// original's `--config` flag, visible in the command line); `--quiet`
/// hides the jobs' own output but not the runner's progress.
#[test]
fn config_reaches_every_job_and_quiet_hides_job_output() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("w.csv");
    let o = std::process::Command::new(adhash_bin())
        .args(["generate-csv", "--ops", "60000", "--outfile"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(o.status.success());
    let cfg = dir.path().join("adhash.toml");
    std::fs::write(&cfg, "[adaptive]\nmax_lf_chaining = 1.0\n").unwrap();
    let spec_path = dir.path().join("suite.toml");
    std::fs::write(
        &spec_path,
        "[batch]\nreport = \"r.md\"\njson_report = \"r.json\"\nhistory = false\n\
         [[batch.jobs]]\nname = \"ada\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n\
         json_summary = \"ada.json\"\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let o = std::process::Command::new(adhash_bin())
            .env_remove("ADHASH_CONFIG")
            .args(["batch", "--spec", spec_path.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.status.code(), Some(0), "{text}");
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("ada.json")).unwrap())
                .unwrap();
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap())
                .unwrap();
        (text, summary, report)
    };
    // Without a config: the default load trigger migrates; job output shown.
    let (text, summary, _) = run(&[]);
    assert_eq!(summary["migrations_triggered"], 1);
    assert!(text.contains("ada | "), "{text}");

    let cfg_s = cfg.to_str().unwrap();
    let (text, summary, report) = run(&["--config", cfg_s, "--quiet"]);
    assert_eq!(
        summary["migrations_triggered"], 0,
        "the job ran under the config"
    );
    let line = report["jobs"][0]["command_line"].as_str().unwrap();
    let abs = std::path::absolute(&cfg).unwrap();
    assert!(
        line.contains(&format!("--config {}", abs.display())),
        "{line}"
    );
    assert!(
        !text.contains("ada | ") && !text.contains("ada ! "),
        "{text}"
    );
    assert!(text.contains("[1/1] ada: ok"), "{text}");
}

#[test]
fn list_shows_bundled_specs() {
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--list"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    // Each spec once: `docs/examples` relative and the copy found beside the
    // binary are one folder.
    for name in [
        "batch_baseline.toml",
        "batch_compaction.toml",
        "batch_modes.toml",
    ] {
        assert!(out.contains(name), "{out}");
        assert_eq!(out.matches(name).count(), 1, "{name} listed twice:\n{out}");
    }
    assert!(!out.contains("INVALID"), "{out}");
    // From anywhere, the examples are found: beside the binary's checkout,
    // or (target folder outside the clone) written into the data folder.
    let data = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--list"])
        .current_dir(std::env::temp_dir())
        .env("XDG_DATA_HOME", data.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("batch_baseline.toml"));
}

/// Issue 26, item 22: an adhash with no checkout near it (installed, or
/// built into an outside `CARGO_TARGET_DIR`) writes its bundled specs and
/// workloads into the data folder, lists them, and runs them.
#[test]
fn installed_binary_materialises_its_examples() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin/adhash");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::hard_link(adhash_bin(), &bin)
        .or_else(|_| std::fs::copy(adhash_bin(), &bin).map(|_| ()))
        .unwrap();
    let data = dir.path().join("data home");
    let list = || {
        std::process::Command::new(&bin)
            .args(["batch", "--list"])
            .current_dir(dir.path())
            .env("XDG_DATA_HOME", &data)
            .output()
            .unwrap()
    };
    let o = list();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    let examples = data.join("adhash/examples");
    for name in [
        "batch_baseline.toml",
        "batch_compaction.toml",
        "batch_modes.toml",
    ] {
        assert_eq!(out.matches(name).count(), 1, "{out}");
        assert!(examples.join("docs/examples").join(name).is_file());
    }
    assert!(!out.contains("INVALID"), "{out}");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for csv in ["w_uniform.csv", "w_skew_adv.csv"] {
        let made = std::fs::read(examples.join("data/workloads").join(csv)).unwrap();
        assert!(made == std::fs::read(repo.join("data/workloads").join(csv)).unwrap());
    }
    // A project's own docs/examples is listed beside them (as the
    // original's `--list` did), not instead of them.
    std::fs::create_dir_all(dir.path().join("docs/examples")).unwrap();
    std::fs::write(
        dir.path().join("docs/examples/mine.toml"),
        "[batch]\n[[batch.jobs]]\ncommand = \"profile\"\ncsv = \"w.csv\"\n",
    )
    .unwrap();
    let out = String::from_utf8_lossy(&list().stdout).into_owned();
    assert!(
        out.contains("mine.toml") && out.contains("batch_modes.toml"),
        "{out}"
    );
    // A user's edit survives the next start.
    let edited = examples.join("docs/examples/batch_modes.toml");
    let mine = std::fs::read_to_string(&edited).unwrap() + "# my note\n";
    std::fs::write(&edited, &mine).unwrap();
    assert!(list().status.success());
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), mine);
    // And the materialised suite runs, its report beside the examples.
    let o = std::process::Command::new(&bin)
        .args(["batch", "--spec"])
        .arg(examples.join("docs/examples/batch_baseline.toml"))
        .current_dir(dir.path())
        .env("XDG_DATA_HOME", &data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(examples.join("reports/batch_baseline.md").is_file());
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_cleanly() {
    use std::io::{BufRead, BufReader};
    let jobs = job("sleeper", "sleep", "") + &job("after", "ok", "");
    let (dir, _) = fake_suite(&jobs);
    let mut child = std::process::Command::new(adhash_bin())
        .args(["batch", "--spec", "suite.toml"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // Wait until the job is really running.
    while out.read_line(&mut line).unwrap() > 0 && !line.contains("before sleep") {
        line.clear();
    }
    // SAFETY: signalling a child process we own.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let t0 = Instant::now();
    let status = child.wait().unwrap();
    // The job sleeps 300 s: ending well before proves the cancel.
    assert!(t0.elapsed() < Duration::from_secs(60));
    assert_eq!(status.code(), Some(1));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/r.json")).unwrap())
            .unwrap();
    assert_eq!(v["jobs"][0]["status"], "cancelled");
    assert_eq!(v["jobs"][1]["status"], "skipped");
}

/// The Markdown report rendered by a real CommonMark parser (with GFM
/// tables and autolinks, as GitHub shows it).
fn md_to_html(md: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(md, Options::ENABLE_TABLES));
    out
}

#[test]
fn markdown_injection_renders_as_text() {
    let mut suite = sample_suite();
    let hostile = [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "![img](http://evil/x.png)",
        "x\n```\n# owned",
        "\u{1b}[31mred\u{1b}]8;;http://evil\u{7}link",
        "https://evil.example/a",
        "# heading",
        "- list",
        "1. numbered",
        "a|b",
    ];
    for (j, name) in suite.jobs.iter_mut().zip(hostile.iter()) {
        j.name = (*name).into();
        j.final_backend = Some("<img src=x onerror=alert(1)>".into());
        j.reason = Some("<b>bold</b> [l](http://x)".into());
    }
    suite.description = Some("<iframe src=x></iframe> **bold** [a](b)".into());
    let md = report::markdown(&suite);
    assert!(!md.contains('\u{1b}'), "raw escapes in the Markdown");
    let html = md_to_html(&md);
    for bad in [
        "<script", "<img", "<iframe", "<a ", "<strong", "<ul", "<ol", "<b>",
    ] {
        assert!(!html.contains(bad), "{bad} rendered:\n{html}");
    }
    assert_eq!(html.matches("<h1").count(), 1, "only the report's title");
    assert_eq!(
        html.matches("<h3").count(),
        suite.jobs.len(),
        "one heading a job"
    );
    // The code blocks stay closed: everything after the logs is still there.
    assert!(html.contains("Job Logs"));
    assert_eq!(
        html.matches("<table>").count(),
        2,
        "both tables survive: {html}"
    );
    // And the text is still readable.
    assert!(html.contains("click") && html.contains("javascript:alert(1)"));
    let page = report::html(&suite);
    assert!(!page.contains('\u{1b}'));
    assert!(!page.contains("<script>") && !page.contains("<img src=x"));
}

// ---- Found by fuzzing (fuzz/, scripts/fuzz.sh); each was a crash input. ----

/// A message a user sees: no control character but newlines, and short.
fn assert_shown(text: &str, max: usize) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in {text:?}"
    );
    assert!(
        text.chars().count() <= max,
        "{} characters",
        text.chars().count()
    );
}

#[test]
fn fuzz_found_spec_errors_quote_user_text_clean_and_cut() {
    // toml quotes the offending line: it held control bytes (and could be
    // a megabyte long).
    let e = spec_err(&format!(
        "[batch]\nreport =\u{2}\u{2}\u{1b}[31m \"r.md\" {}\n",
        "x".repeat(5000)
    ));
    assert!(e.contains("invalid TOML") && e.contains("line 2"), "{e}");
    assert_shown(&e, 2000);
    let long = "k\u{1b}]8;;http://evil\u{7}".repeat(500);
    for text in [
        format!(
            "[batch]\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n\"{long}\" = 1\n"
        ),
        format!("[batch]\n[[batch.jobs]]\nname = \"a\"\ncommand = \"{long}\"\ncsv = \"w.csv\"\n"),
        format!(
            "[batch]\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nmode = \"{long}\"\n"
        ),
        format!(
            "[batch]\n[[batch.jobs]]\nname = \"{long}\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = \"{long}\"\n"
        ),
        format!("\"{long}\" = 1\n[batch]\n"),
    ] {
        let e = spec_err(&text);
        assert_shown(&e, 600);
    }
    // Paths are quoted whole, but their control characters show as `?`.
    let e = spec_err(
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"r\\t\\u001b[31m.md\"\njson_report = \"r\\t\\u001b[31m.md\"\n\
[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    );
    assert!(e.contains("r??[31m.md"), "{e}");
    assert_shown(&e, 2000);
}

#[test]
fn fuzz_found_markdown_shows_every_field_as_text() {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
    let mut suite = sample_suite();
    // A trailing run of `#` closed the job's heading and vanished.
    suite.jobs[0].name = "##### ######".into();
    suite.jobs[1].name = "build #2 #".into();
    // A reopened run's header fields come from an editable file.
    suite.generated_at = "\u{16}<script>x</script>".into();
    suite.jobs[0].command = "run-csv\u{1b}[2J | <img src=x>".into();
    let md = report::markdown(&suite);
    assert!(!md.chars().any(|c| c.is_control() && c != '\n'), "{md:?}");
    let mut headings = Vec::new();
    let mut inside = false;
    for ev in Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML {h:?}"),
            Event::Start(Tag::Heading {
                level: HeadingLevel::H3,
                ..
            }) => {
                inside = true;
                headings.push(String::new());
            }
            Event::End(TagEnd::Heading(HeadingLevel::H3)) => inside = false,
            Event::Text(t) if inside => headings.last_mut().unwrap().push_str(&t),
            _ => {}
        }
    }
    assert_eq!(headings[0], "##### ######");
    assert_eq!(headings[1], "build #2 #");
}

#[test]
fn fuzz_found_json_report_figures_read_back_exactly() {
    let mut suite = sample_suite();
    // serde_json's fast float parser was off by one unit in the last place.
    let figure = -2.0982781701504245e-244_f64;
    suite.jobs[0].p99_ms = Some(figure);
    suite.jobs[0].ops_per_second = Some(0.1 + 0.2);
    let back: SuiteResult = serde_json::from_str(&report::json(&suite)).unwrap();
    assert_eq!(back.jobs[0].p99_ms, Some(figure));
    assert_eq!(back.jobs[0].ops_per_second, Some(0.1 + 0.2));
}

// ---- Repeats you can trust: warmup, interleave, outliers (formats.md §7) ----

/// (job, run, warmup) of every run start, in order.
fn starts(events: &[(Instant, BatchEvent)]) -> Vec<(usize, u32, bool)> {
    events
        .iter()
        .filter_map(|(_, e)| match e {
            BatchEvent::JobStarted {
                job, run, warmup, ..
            } => Some((*job, *run, *warmup)),
            _ => None,
        })
        .collect()
}

#[test]
fn warmup_runs_come_first_and_are_discarded() {
    let jobs = job("a", "noisy", "repeat = 2\nwarmup = 1") + &job("b", "noisy", "repeat = 2");
    let (_dir, spec) = fake_suite(&jobs);
    assert_eq!(spec.jobs[0].warmup, 1);
    let (suite, events) = run_collect(&spec, CancelToken::default());
    assert_eq!(
        starts(&events),
        [
            (0, 1, true),
            (0, 1, false),
            (0, 2, false),
            (1, 1, false),
            (1, 2, false)
        ]
    );
    // Only the measured runs count.
    assert_eq!(suite.jobs[0].runs.len(), 2);
    assert_eq!(suite.jobs[0].ops_per_second_runs.len(), 2);
    assert_eq!(suite.jobs[0].stats.unwrap().n, 2);
    assert!(suite.jobs[0].log.text().contains("warmup 1/1 done"));
    assert!(suite.jobs[0].log.text().contains("(discarded)"));
    // Each run's end is announced with its figure.
    let ends = events
        .iter()
        .filter(|(_, e)| matches!(e, BatchEvent::RunFinished { .. }))
        .count();
    assert_eq!(ends, 5);
}

/// Measure until decisive: quiet jobs stop as soon as every interval is
/// under the target (7 paired rounds against the control), long before
/// the time budget; the report says how many runs and that it was met.
#[test]
fn until_ci_pct_stops_early_on_quiet_jobs() {
    let jobs = String::from("until_ci_pct = 3\nmax_seconds = 120\n")
        + &job("std", "ok", "mode = \"std\"\nrepeat = 2")
        + &job("adaptive", "ok", "repeat = 2");
    let (_dir, spec) = fake_suite(&jobs);
    let t = Instant::now();
    let (suite, _) = run_collect(&spec, CancelToken::default());
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
    assert_eq!(suite.until_ci_pct, Some(3.0));
    for j in &suite.jobs {
        assert_eq!(j.status, JobStatus::Ok, "{}", j.name);
        assert_eq!(j.target_met, Some(true), "{}", j.name);
        // Identical figures: the control's median interval and the ×std
        // interval are exact at 7 runs, the fewest that give one.
        assert_eq!((j.rounds, j.runs.len(), j.planned_runs), (Some(7), 7, 7));
        assert_eq!(j.half_width_pct, Some(0.0));
        assert!(
            j.log
                .text()
                .contains("target ±3%: met at ±0.00% after 7 runs")
        );
    }
    // Paired rounds: the same round numbers on both jobs.
    let rounds: Vec<Option<u32>> = suite.jobs[1].runs.iter().map(|r| r.round).collect();
    assert_eq!(rounds, (1..=7).map(Some).collect::<Vec<_>>());
    let md = adhash::batch::report::markdown(&suite);
    assert!(md.contains("### Measured until decisive"), "{md}");
    assert!(md.contains("| adaptive | 7 | ±0.00% | met |"), "{md}");
    assert!(md.contains("1.00× [1.00, 1.00] same"), "{md}");
}

/// Noisy jobs never reach a ±1% target: rounds are added until
/// `max_seconds`, then the suite ends and says the target was not met.
#[test]
fn until_ci_pct_stops_at_max_seconds_on_noisy_jobs() {
    let jobs = String::from("until_ci_pct = 1\nmax_seconds = 2\n")
        + &job("std", "wild", "mode = \"std\"")
        + &job("adaptive", "wild", "");
    let (_dir, spec) = fake_suite(&jobs);
    let (suite, _) = run_collect(&spec, CancelToken::default());
    assert!(suite.wall_seconds >= 2.0, "{}", suite.wall_seconds);
    assert!(suite.wall_seconds < 30.0, "{}", suite.wall_seconds);
    for j in &suite.jobs {
        assert_eq!(j.status, JobStatus::Ok);
        assert_eq!(j.target_met, Some(false), "{}", j.name);
        // How many rounds fit in 2 s depends on the machine's load: only
        // that rounds were added past `repeat` is certain.
        assert!(j.runs.len() >= 2, "{} runs", j.runs.len());
        assert!(
            j.log.text().contains("not met") && j.log.text().contains("(max_seconds reached)"),
            "{}",
            j.log.text()
        );
    }
    assert!(adhash::batch::report::markdown(&suite).contains("| not met |"));
}

/// A job that fails, or gives no throughput, never narrows an interval:
/// it gets no more rounds, the others still reach their target, and the
/// log says why it did not.
#[test]
fn until_ci_pct_passes_over_jobs_that_cannot_be_measured() {
    let jobs = String::from("until_ci_pct = 3\nmax_seconds = 60\n")
        + &job("std", "ok", "mode = \"std\"")
        + &job("silent", "nosummary", "")
        + &job("broken", "crash", "");
    let (_dir, spec) = fake_suite(&jobs);
    let t = Instant::now();
    let (suite, _) = run_collect(&spec, CancelToken::default());
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    let by = |n: &str| suite.jobs.iter().find(|j| j.name == n).unwrap();
    assert_eq!(
        (by("std").target_met, by("std").runs.len()),
        (Some(true), 7)
    );
    assert_eq!(
        (by("silent").target_met, by("silent").runs.len()),
        (Some(false), 1)
    );
    assert!(
        by("silent")
            .log
            .text()
            .contains("(the job gives no throughput figures)")
    );
    assert_eq!(by("broken").target_met, Some(false));
    assert!(by("broken").log.text().contains("(the job failed)"));
}

#[test]
fn interleave_runs_repeats_round_robin() {
    let jobs = String::from("interleave = true\n")
        + &job("a", "noisy", "repeat = 3")
        + &job("b", "noisy", "repeat = 2\nwarmup = 1");
    let (_dir, spec) = fake_suite(&jobs);
    assert!(spec.interleave);
    let (suite, events) = run_collect(&spec, CancelToken::default());
    // Round-robin, the order reversed in even rounds (ABBA): a job's
    // place in its round alternates.
    assert_eq!(
        starts(&events),
        [
            (0, 1, false),
            (1, 1, true),
            (1, 1, false),
            (0, 2, false),
            (0, 3, false),
            (1, 2, false)
        ]
    );
    let rounds =
        |j: usize| -> Vec<Option<u32>> { suite.jobs[j].runs.iter().map(|r| r.round).collect() };
    assert_eq!(rounds(0), [Some(1), Some(2), Some(3)]);
    assert_eq!(rounds(1), [Some(2), Some(3)], "its warmup took round 1");
    assert_eq!(suite.jobs[0].runs.len(), 3);
    assert_eq!(suite.jobs[1].runs.len(), 2);
    assert!(suite.jobs.iter().all(|j| j.status == JobStatus::Ok));
    // A job's duration is its own runs' time, not the shared wall clock.
    let own: f64 = suite.jobs[0].runs.iter().map(|r| r.duration_seconds).sum();
    assert!((suite.jobs[0].duration_seconds - own).abs() < 1e-6);
    assert!(suite.jobs[0].duration_seconds < suite.wall_seconds);
}

#[test]
fn cancelling_an_interleaved_suite_keeps_finished_runs() {
    let jobs = String::from("interleave = true\n")
        + &job("a", "noisy", "repeat = 3")
        + &job("b", "sleep", "repeat = 3")
        + &job("c", "noisy", "repeat = 3");
    let (_dir, spec) = fake_suite(&jobs);
    let cancel = CancelToken::default();
    let (tx, rx) = crossbeam_channel::unbounded();
    let (s, c) = (spec.clone(), cancel.clone());
    let h = std::thread::spawn(move || run_suite(&s, tx, Arc::new(|| {}), c));
    for ev in rx.iter() {
        if let BatchEvent::Log { job: 1, line, .. } = &ev
            && line == "before sleep"
        {
            cancel.cancel();
        }
    }
    let suite = h.join().unwrap();
    // a ran once, then the suite stopped between its runs; b was stopped
    // mid-run; c never started.
    assert_eq!(suite.jobs[0].status, JobStatus::Cancelled);
    assert_eq!(suite.jobs[0].runs.len(), 1);
    assert_eq!(suite.jobs[0].runs_mark().as_deref(), Some("1/3 runs"));
    assert_eq!(suite.jobs[1].status, JobStatus::Cancelled);
    assert_eq!(suite.jobs[2].status, JobStatus::Skipped);
    assert!(suite.cancelled);
}

#[test]
fn a_run_far_from_the_rest_is_flagged_as_an_outlier() {
    let (_dir, spec) = fake_suite(&job("jumpy", "outlier", "repeat = 6"));
    let (suite, _) = run_collect(&spec, CancelToken::default());
    let log = suite.jobs[0].log.text();
    assert!(
        log.contains("warning: run 3 (300 ops/s) is an outlier"),
        "{log}"
    );
    assert_eq!(log.matches("is an outlier").count(), 1, "{log}");
}

#[test]
fn warmup_and_interleave_are_range_checked() {
    for (text, field) in [
        ("warmup = -1", "warmup"),
        ("warmup = 1001", "warmup"),
        ("warmup = 1.5", "warmup"),
        ("warmups = 1", "did you mean `warmup`"),
    ] {
        let e = spec_err(&format!(
            "[batch]\nhashmap_cli = \"fake_cli.sh\"\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n{text}\n"
        ));
        assert!(e.contains(field), "{text}: {e}");
    }
    let e = spec_err(
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\ninterleave = \"yes\"\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    );
    assert!(e.contains("interleave"), "{e}");
}

#[test]
fn a_busy_machine_is_said_in_every_report() {
    let mut suite = sample_suite();
    suite.warnings =
        vec!["machine busy at the start: load average 3.1 on 2 cores; <figures> may vary".into()];
    let md = report::markdown(&suite);
    assert!(
        md.contains(
            "⚠ machine busy at the start: load average 3.1 on 2 cores; \\<figures\\> may vary"
        ),
        "{md}"
    );
    let html = report::html(&suite);
    assert!(
        html.contains("<p class=\"warn\">⚠ machine busy at the start"),
        "{html}"
    );
    assert!(html.contains("&lt;figures&gt;"));
    let v: serde_json::Value = serde_json::from_str(&report::json(&suite)).unwrap();
    assert_eq!(
        v["warnings"][0].as_str().unwrap().len(),
        suite.warnings[0].len()
    );
    let back: SuiteResult = serde_json::from_str(&report::json(&suite)).unwrap();
    assert_eq!(back.warnings, suite.warnings);
}

// ---- Live ticks and the event log (formats.md §5) ----

#[test]
fn ticks_reach_the_runner_while_the_job_runs() {
    let (_dir, spec) = fake_suite(&job("slow", "ticker", "metrics_out_dir = \"m\""));
    let (suite, events) = run_collect(&spec, CancelToken::default());
    assert_eq!(suite.jobs[0].status, JobStatus::Ok);
    let ticks: Vec<(Instant, f64)> = events
        .iter()
        .filter_map(|(at, e)| match e {
            BatchEvent::Tick { job: 0, tick, .. } => Some((*at, tick.t)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ticks.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
        [0.0, 1.0, 2.0, 3.0],
        "every tick once, in order"
    );
    // The stand-in writes tick i, prints `tick i`, then sleeps 0.5 s: the
    // first tick arrived before the job printed its last (an order of
    // events, not a clock), so ticks stream, not come in a batch at the end.
    let index = |want: &dyn Fn(&BatchEvent) -> bool| events.iter().position(|(_, e)| want(e));
    let first_tick = index(&|e| matches!(e, BatchEvent::Tick { job: 0, .. })).unwrap();
    let last_line =
        index(&|e| matches!(e, BatchEvent::Log { job: 0, line, .. } if line == "tick 3"))
            .expect("the job's last line");
    assert!(
        first_tick < last_line,
        "the first tick came after the job's last line"
    );
}

/// The job's timeline is its measured run's ticks (warmup ticks are only
/// shown live).
#[test]
fn the_timeline_is_the_measured_runs_ticks() {
    let (_dir, spec) = fake_suite(&job(
        "slow",
        "ticker",
        "metrics_out_dir = \"m\"\nwarmup = 1",
    ));
    let (suite, events) = run_collect(&spec, CancelToken::default());
    assert_eq!(suite.jobs[0].status, JobStatus::Ok);
    let live: Vec<bool> = events
        .iter()
        .filter_map(|(_, e)| match e {
            BatchEvent::Tick { warmup, .. } => Some(*warmup),
            _ => None,
        })
        .collect();
    assert_eq!(live, [true, true, true, true, false, false, false, false]);
    let ts: Vec<f64> = suite.jobs[0].timeline.iter().map(|t| t.t).collect();
    assert_eq!(ts, [0.0, 1.0, 2.0, 3.0]);
}

#[test]
fn adhash_jobs_are_asked_for_fine_ticks_and_followed() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("w.csv");
    let o = std::process::Command::new(adhash_bin())
        .args([
            "generate-csv",
            "--ops",
            "50000",
            "--outfile",
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let spec = load(
        dir.path(),
        "[batch]\nreport = \"out/r.md\"\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    )
    .unwrap();
    let (suite, events) = run_collect(&spec, CancelToken::default());
    assert_eq!(
        suite.jobs[0].status,
        JobStatus::Ok,
        "{}",
        suite.jobs[0].log.text()
    );
    assert!(
        suite.jobs[0]
            .command_line
            .contains("--metrics-interval-ms 10"),
        "{}",
        suite.jobs[0].command_line
    );
    let ticks: Vec<&adhash::batch::ticks::TickPoint> = events
        .iter()
        .filter_map(|(_, e)| match e {
            BatchEvent::Tick { tick, .. } => Some(tick.as_ref()),
            _ => None,
        })
        .collect();
    assert!(ticks.len() >= 2, "the start and end ticks at least");
    assert_eq!(ticks.last().unwrap().ops, 50_000);
    assert!(!ticks.last().unwrap().backend.is_empty());
}

#[test]
fn events_out_is_ndjson_written_while_the_suite_runs() {
    let jobs = job("slow", "ticker", "metrics_out_dir = \"m\"") + &job("quick", "ok", "");
    let (dir, _spec) = fake_suite(&jobs);
    let d = dir.path();
    let events = d.join("out/events.ndjson");
    let mut child = std::process::Command::new(adhash_bin())
        .args([
            "batch",
            "--spec",
            "suite.toml",
            "--events-out",
            "out/events.ndjson",
        ])
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // A tick line is in the file while adhash still runs.
    let until = Instant::now() + Duration::from_secs(20);
    let mut seen_live = false;
    while Instant::now() < until {
        let text = std::fs::read_to_string(&events).unwrap_or_default();
        if text.contains("\"type\":\"tick\"") {
            seen_live = child.try_wait().unwrap().is_none();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(seen_live, "ticks are flushed while the suite runs");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|v| v["type"].as_str().unwrap()).collect();
    for want in [
        "suite_started",
        "job_started",
        "line",
        "tick",
        "run_finished",
        "job_finished",
        "suite_finished",
    ] {
        assert!(kinds.contains(&want), "no {want} in {kinds:?}");
    }
    assert_eq!(kinds[0], "suite_started");
    assert_eq!(*kinds.last().unwrap(), "suite_finished");
    assert!(lines.iter().all(|v| v["schema"] == "adhash.batch_event.v1"));
    let ts: Vec<f64> = lines.iter().map(|v| v["t"].as_f64().unwrap()).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "t never goes back");
    let tick = lines.iter().find(|v| v["type"] == "tick").unwrap();
    assert_eq!(tick["job"], 0);
    assert_eq!(tick["tick"]["backend"], "chaining");
    let done = lines.iter().find(|v| v["type"] == "job_finished").unwrap();
    assert_eq!(done["status"], "ok");
    assert!(
        lines.last().unwrap()["reports"]["markdown"]
            .as_str()
            .unwrap()
            .ends_with("r.md")
    );
    // The event log may not be an input or a report.
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--spec", "suite.toml", "--events-out", "w.csv"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("w.csv"));
}

/// GET `path` from `addr` over plain HTTP/1.0; the whole response.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn metrics_listen_serves_the_running_jobs_tick_for_prometheus() {
    use std::io::{BufRead, BufReader};
    let (dir, _spec) = fake_suite(&job("slow", "ticker", "metrics_out_dir = \"m\""));
    let mut child = std::process::Command::new(adhash_bin())
        .args([
            "batch",
            "--spec",
            "suite.toml",
            "--quiet",
            "--metrics-listen",
            "0",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let mut addr = None;
    while err.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.trim().split("http://").nth(1) {
            addr = rest.strip_suffix("/metrics").map(str::to_string);
            break;
        }
        line.clear();
    }
    let addr = addr.expect("the endpoint's address is printed");
    assert!(
        addr.starts_with("127.0.0.1:"),
        "loopback by default: {addr}"
    );
    // Scrape while the job runs, until a tick is there.
    let until = Instant::now() + Duration::from_secs(15);
    let mut body = String::new();
    while Instant::now() < until {
        let r = http_get(&addr, "/metrics");
        if r.contains("hashmap_ops_total") {
            body = r;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "answered during the run"
    );
    assert!(
        body.starts_with("HTTP/1.") && body.contains(" 200 "),
        "{body}"
    );
    assert!(body.contains("openmetrics-text"), "{body}");
    // Prometheus text: every sample line is `name{labels} value`.
    let text = body.split("\r\n\r\n").nth(1).unwrap();
    for l in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = l.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{l}");
        assert!(series.contains("{job=\"slow\""), "{l}");
        assert!(series.starts_with("hashmap_"), "{l}");
    }
    assert!(text.contains("# TYPE hashmap_ops counter"), "{text}");
    assert!(
        text.contains("hashmap_load_factor{job=\"slow\"} 0.5"),
        "{text}"
    );
    assert!(text.contains("name=\"chaining\""), "{text}");
    assert!(text.trim_end().ends_with("# EOF"));
    assert!(http_get(&addr, "/").contains(" 404 "));
    // The rest of stderr, so the pipe never fills.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while err.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    assert_eq!(child.wait().unwrap().code(), Some(0));
    // The server stopped with the suite.
    assert!(std::net::TcpStream::connect(&addr).is_err());
    // A port taken: exit 5 before any job runs; a bad address: exit 2.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = std::process::Command::new(adhash_bin())
        .args(["batch", "--spec", "suite.toml", "--metrics-listen", &port])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains(&port));
    let o = std::process::Command::new(adhash_bin())
        .args([
            "batch",
            "--spec",
            "suite.toml",
            "--metrics-listen",
            "nowhere",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_comparative_summary_lists_at_most_500_jobs() {
    let mut suite = sample_suite();
    let template = suite
        .jobs
        .iter()
        .find(|j| j.status == JobStatus::Ok && j.ops_per_second.is_some())
        .unwrap()
        .clone();
    suite.jobs = (0..503)
        .map(|i| {
            let mut j = template.clone();
            j.name = format!("job-{i:03}");
            // job-502 fastest, job-000 slowest.
            j.ops_per_second = Some(1000.0 + i as f64);
            j.ops_per_second_runs = vec![1000.0 + i as f64];
            j
        })
        .collect();
    let md = report::markdown(&suite);
    let summary = md.split("## Comparative Summary").nth(1).unwrap();
    let table = summary.split("\n\n").nth(1).unwrap();
    let listed = table.lines().filter(|l| l.starts_with("| job-")).count();
    assert_eq!(listed, 500);
    assert!(table.contains("| job-502 |"), "fastest first");
    assert!(!table.contains("| job-000 |") && !table.contains("| job-002 |"));
    assert!(summary.contains("3 more jobs not listed"), "{summary:.400}");
    let html = report::html(&suite);
    assert!(html.contains("3 more jobs not listed"));
    // Fewer than the cap: no such line.
    suite.jobs.truncate(10);
    assert!(!report::markdown(&suite).contains("more jobs not listed"));
}
