//! Frame-time benchmark of Mission Control (run it, do not assert on it):
//!
//!     cargo run --release --example gui_frame_bench
//!
//! 1. Suites tab with 1,000,000 lines already in the log while a job prints
//!    10,000 lines/s: CPU time per frame (`Harness::step`: logic + layout +
//!    tessellation, no GPU).
//! 2. Workload DNA tab with a report shown: CPU time per frame.
//! 3. Timeline view with five jobs of 10,000 ticks each overlaid, and one
//!    job's stacked charts: CPU time per frame.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use adhash::batch::Stream;
use adhash::gui::app::{MissionControl, Persisted};
use adhash::gui::dialogs::FixedDialogs;
use adhash::gui::widgets::log_view::LogLine;
use adhash::gui::{Command, LaunchOptions, Tab};
use egui_kittest::Harness;

fn stats(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let p = |q: f64| v[((q * v.len() as f64) as usize).min(v.len() - 1)];
    println!(
        "{name}: {} frames, mean {:.3} ms, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (≈{:.0} fps of CPU)",
        v.len(),
        mean,
        p(0.5),
        p(0.99),
        v[v.len() - 1],
        1000.0 / mean
    );
}

/// CPU milliseconds of each of `n` unpaced frames.
fn time_steps(h: &mut Harness<'_, MissionControl>, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            h.step();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

fn main() {
    let exe = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/adhash");
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("chatty.py");
    std::fs::write(
        &script,
        "import sys, time\nfor i in range(60000):\n    print(f'chatty line {i:06d} ' + 'x' * 60)\n    if i % 100 == 99:\n        sys.stdout.flush(); time.sleep(0.01)\n",
    )
    .expect("script");
    std::fs::write(dir.path().join("w.csv"), "op,key,value\nput,a,1\n").expect("csv");
    let spec = dir.path().join("chatty.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"chatty.py\"\nreport = \"r.md\"\n[[batch.jobs]]\nname = \"chatty\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n",
    )
    .expect("spec");

    let opts = LaunchOptions {
        spec: Some(spec),
        ..Default::default()
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            MissionControl::with_parts(
                &cc.egui_ctx,
                Persisted::default(),
                Arc::new(FixedDialogs(None)),
                exe,
                opts,
            )
        });
    h.run_steps(3);
    h.state_mut().send(Command::Run);
    // Starting a run clears the log: fill it after the start.
    h.step();
    for i in 0..1_000_000 {
        let Some(log) = h.state_mut().suites.live_log_mut() else {
            break;
        };
        log.push(LogLine {
            job: 0,
            stream: Stream::Stdout,
            text: format!("preloaded line {i:07} with some benchmark output text"),
        });
    }
    let mut frames = Vec::new();
    let until = Instant::now() + Duration::from_secs(5);
    let lines_before = h.state().suites.log().len() as u64 + h.state().suites.log().dropped();
    while Instant::now() < until {
        let t = Instant::now();
        h.step();
        frames.push(t.elapsed().as_secs_f64() * 1000.0);
        // Pace like a 60 Hz display would.
        std::thread::sleep(Duration::from_millis(16).saturating_sub(t.elapsed()));
    }
    let lines_after = h.state().suites.log().len() as u64 + h.state().suites.log().dropped();
    println!(
        "log: {} lines in buffer, {} arrived during the measurement ({:.0} lines/s)",
        h.state().suites.log().len(),
        lines_after - lines_before,
        (lines_after - lines_before) as f64 / 5.0
    );
    stats("suites tab, 1M-line log, job printing ~10k lines/s", frames);
    h.state_mut().send(Command::Stop);
    for _ in 0..200 {
        h.step();
        if !h.state().suites.is_running() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }

    // Timeline: a run of five jobs with 10,000 ticks each, opened from a file.
    let run = dir.path().join("timeline_run.json");
    let mut suite = adhash::batch::SuiteResult {
        spec: dir.path().join("five.toml").display().to_string(),
        description: None,
        cli: String::new(),
        generated_at: "2026-11-28 12:00:00".into(),
        started_at: String::new(),
        finished_at: String::new(),
        wall_seconds: 100.0,
        cancelled: false,
        environment: Default::default(),
        warnings: Vec::new(),
        until_ci_pct: None,
        jobs: Vec::new(),
    };
    for j in 0..5 {
        let mut job = adhash::batch::JobResult::planned(
            &format!("mode-{j}"),
            "run-csv",
            "adaptive",
            "w.csv",
            1,
        );
        job.status = adhash::batch::JobStatus::Ok;
        job.timeline = (0..10_000)
            .map(|i| adhash::batch::ticks::TickPoint {
                t: i as f64 * 0.01,
                backend: if (i / 2000) % 2 == 0 {
                    "chaining"
                } else {
                    "robinhood"
                }
                .into(),
                ops: i * 1000,
                ops_per_second: 5e6 + 1e6 * ((i as f64 + j as f64 * 50.0) / 300.0).sin(),
                load_factor: 0.5 + 0.3 * (i as f64 / 700.0).sin(),
                avg_probe_estimate: Some(1.5),
                max_group_len: Some(4),
                tombstone_ratio: Some(0.01),
                ..Default::default()
            })
            .collect();
        suite.jobs.push(job);
    }
    std::fs::write(&run, adhash::batch::report::json(&suite)).expect("run file");
    h.state_mut().send(Command::OpenRun(run));
    while h.state().suites.shown().is_none_or(|r| r.rows.len() != 5) {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.state_mut().send(Command::SwitchTab(Tab::Suites));
    h.state_mut()
        .send(Command::SuiteView(adhash::gui::suites::SuiteView::Timeline));
    for j in 0..5 {
        h.state_mut().send(Command::ToggleOverlay(j));
    }
    h.run_steps(5);
    let frames = time_steps(&mut h, 300);
    stats(
        "timeline: 5 jobs x 10,000 ticks overlaid + one job's 5 charts",
        frames,
    );

    // Harness baseline: a near-empty tab.
    h.state_mut().send(Command::SwitchTab(Tab::Dna));
    h.run_steps(3);
    let frames = time_steps(&mut h, 300);
    stats(
        "baseline: empty Workload DNA tab (harness + accesskit overhead)",
        frames,
    );

    // Workload DNA tab.
    let csv = dir.path().join("dna.csv");
    let o = std::process::Command::new(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/adhash"),
    )
    .args([
        "generate-csv",
        "--ops",
        "200000",
        "--adversarial-ratio",
        "0.3",
        "--adversarial-lowbits",
        "8",
        "--outfile",
    ])
    .arg(&csv)
    .output()
    .expect("generate");
    assert!(o.status.success());
    h.state_mut().send(Command::SwitchTab(Tab::Dna));
    h.state_mut().send(Command::AnalyzeCsv(csv));
    while h.state().dna.current.is_none() {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.run_steps(3);
    let frames = time_steps(&mut h, 300);
    stats("workload DNA tab with a report", frames);

    // Frames while a big CSV is analysed (pass its path as the first argument).
    if let Some(big) = std::env::args().nth(1) {
        h.state_mut().send(Command::AnalyzeCsv(PathBuf::from(big)));
        h.step();
        let t0 = Instant::now();
        let mut frames = Vec::new();
        let mut progress_seen = 0;
        while h.state().dna.is_analyzing() {
            let t = Instant::now();
            h.step();
            frames.push(t.elapsed().as_secs_f64() * 1000.0);
            if h.state().dna.progress().is_some_and(|p| p.rows > 0) {
                progress_seen += 1;
            }
            std::thread::sleep(Duration::from_millis(16).saturating_sub(t.elapsed()));
        }
        println!(
            "analysis took {:.2} s; {} frames drawn meanwhile ({:.0} fps), {} showed progress",
            t0.elapsed().as_secs_f64(),
            frames.len(),
            frames.len() as f64 / t0.elapsed().as_secs_f64(),
            progress_seen
        );
        stats("workload DNA tab during the analysis", frames);
    }
}
