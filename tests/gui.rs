//! Mission Control under egui_kittest (no GPU, no display): real specs, the
//! real `adhash` binary as the job runner, fixed answers for file dialogs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use adhash::batch::JobStatus;
use adhash::gui::app::{MissionControl, Persisted};
use adhash::gui::dialogs::FixedDialogs;
use adhash::gui::suites::RowStatus;
use adhash::gui::{LaunchOptions, Tab};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn adhash_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_adhash"))
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn harness(
    opts: LaunchOptions,
    dialog_answer: Option<PathBuf>,
) -> Harness<'static, MissionControl> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            MissionControl::with_parts(
                &cc.egui_ctx,
                Persisted::default(),
                Arc::new(FixedDialogs(dialog_answer)),
                adhash_bin(),
                opts,
            )
        })
}

/// The app with the bundled baseline spec open.
fn baseline_harness() -> Harness<'static, MissionControl> {
    let opts = LaunchOptions {
        spec: Some(repo("docs/examples/batch_baseline.toml")),
        ..Default::default()
    };
    harness(opts, None)
}

/// Step frames until `done` holds, or fail after `secs`.
fn step_until(
    h: &mut Harness<'_, MissionControl>,
    secs: u64,
    what: &str,
    done: impl Fn(&MissionControl) -> bool,
) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !done(h.state()) {
        assert!(Instant::now() < until, "timed out waiting for: {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.step();
}

/// A folder with a workload made by adhash and a spec using it.
fn small_suite(jobs: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("w.csv");
    let o = std::process::Command::new(adhash_bin())
        .args([
            "generate-csv",
            "--ops",
            "2000",
            "--outfile",
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    std::fs::copy(
        repo("tests/fixtures/fake_cli.sh"),
        dir.path().join("fake_cli.sh"),
    )
    .unwrap();
    let spec = dir.path().join("suite.toml");
    std::fs::write(
        &spec,
        format!("[batch]\nreport = \"out/r.md\"\nhtml_report = \"out/r.html\"\n{jobs}"),
    )
    .unwrap();
    (dir, spec)
}

const TWO_JOBS: &str = "[[batch.jobs]]\nname = \"run-std\"\ncommand = \"run-csv\"\nmode = \"std\"\ncsv = \"w.csv\"\n\
[[batch.jobs]]\nname = \"run-adaptive\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n";

#[test]
fn starts_with_no_storage() {
    let mut h = harness(LaunchOptions::default(), None);
    h.run_steps(3);
    assert_eq!(h.state().state.tab, Tab::Suites);
    assert!(h.query_by_label("Benchmark Suites").is_some());
    assert!(h.query_by_label("Workload DNA").is_some());
    assert!(h.query_by_label("Open spec…").is_some());
}

#[test]
fn bundled_spec_shows_its_jobs() {
    let mut h = baseline_harness();
    h.run_steps(3);
    assert_eq!(h.state().suites.rows.len(), 2);
    assert!(h.query_all_by_label("profile-uniform").next().is_some());
    assert!(h.query_all_by_label("run-uniform").next().is_some());
    // The catalog lists the bundled specs with their descriptions.
    assert!(
        h.query_all_by_label_contains("batch_modes.toml")
            .next()
            .is_some()
    );
}

#[test]
fn run_shows_every_job_ok_and_log_lines() {
    let (dir, spec) = small_suite(TWO_JOBS);
    let export = dir.path().join("exported/report.html");
    let opts = LaunchOptions {
        spec: Some(spec),
        ..Default::default()
    };
    let mut h = harness(opts, Some(export.clone()));
    h.run_steps(2);
    h.get_by_label("▶ Run").click();
    step_until(&mut h, 120, "suite to finish", |app| {
        app.suites.last_suite.is_some()
    });
    let app = h.state();
    assert!(
        app.suites
            .rows
            .iter()
            .all(|r| r.status == RowStatus::Done(JobStatus::Ok)),
        "{:?}",
        app.suites.rows
    );
    assert!(app.suites.rows.iter().all(|r| r.ops.is_some()));
    assert!(app.suites.log.len() > 2);
    assert_eq!(app.state.recent_runs.len(), 1);
    assert!(dir.path().join("out/r.md").exists());
    // Log lines are in the view.
    assert!(h.query_all_by_label_contains("ops/s").next().is_some());

    // Export through the (test) save dialog.
    h.get_by_label("Export report…").click();
    step_until(&mut h, 20, "export file", |_| export.exists());
    let html = std::fs::read_to_string(&export).unwrap();
    assert!(html.contains("Comparative Summary"));

    // Clicking a job filters the log to its lines.
    let all = h.state().suites.log.visible_len();
    h.get_all_by_label("run-std").next().unwrap().click();
    h.run_steps(3);
    assert_eq!(h.state().suites.log.filter_job(), Some(0));
    let only = h.state().suites.log.visible_len();
    assert!(only > 0 && only < all, "{only} of {all}");
    h.get_by_label("job: run-std ×").click();
    h.run_steps(3);
    assert_eq!(h.state().suites.log.visible_len(), all);
}

#[test]
fn stop_cancels_a_slow_suite() {
    let (dir, _) = small_suite("");
    let spec = dir.path().join("slow.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/slow.md\"\n\
[[batch.jobs]]\nname = \"sleeper\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"sleep\"]\n\
[[batch.jobs]]\nname = \"never\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    )
    .unwrap();
    let opts = LaunchOptions {
        spec: Some(spec),
        run: true,
        ..Default::default()
    };
    let mut h = harness(opts, None);
    step_until(&mut h, 30, "job to run", |app| {
        matches!(
            app.suites.rows.first().map(|r| &r.status),
            Some(RowStatus::Running { .. })
        )
    });
    h.get_by_label("⏹ Stop").click();
    step_until(&mut h, 30, "suite to stop", |app| {
        app.suites.last_suite.is_some()
    });
    let rows = &h.state().suites.rows;
    assert_eq!(rows[0].status, RowStatus::Done(JobStatus::Cancelled));
    assert_eq!(rows[1].status, RowStatus::Done(JobStatus::Skipped));
    assert!(
        dir.path().join("out/slow.md").exists(),
        "report still written"
    );
}

#[test]
fn invalid_spec_shows_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("bad.toml");
    std::fs::write(&spec, "[batch]\n[[batch.jobs]]\nname = \"j\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nlatency_k = 3\n").unwrap();
    let opts = LaunchOptions {
        spec: Some(spec),
        ..Default::default()
    };
    let mut h = harness(opts, None);
    h.run_steps(3);
    assert!(
        h.query_all_by_label_contains("unknown field `latency_k`")
            .next()
            .is_some()
    );
    assert!(h.state().suites.rows.is_empty());
    // Run stays disabled for an invalid spec.
    h.get_by_label("▶ Run").click();
    h.run_steps(3);
    assert!(!h.state().suites.is_running());
}

#[test]
fn analyze_workload_switches_to_dna_tab() {
    let mut h = baseline_harness();
    h.run_steps(2);
    h.get_all_by_label("Analyze").next().unwrap().click();
    h.run_steps(3);
    assert_eq!(h.state().state.tab, Tab::Dna);
    assert!(
        h.state()
            .dna
            .csv()
            .unwrap()
            .ends_with("data/workloads/w_uniform.csv")
    );
    // The analysis runs and lands in the tab.
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    assert!(h.query_by_label("UNIFORM").is_some());
}

fn write_csv(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let p = dir.join(name);
    let mut all = vec!["generate-csv", "--outfile", p.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = std::process::Command::new(adhash_bin())
        .args(&all)
        .output()
        .unwrap();
    assert!(o.status.success());
    p
}

fn dna_harness(csv: Option<PathBuf>, answer: Option<PathBuf>) -> Harness<'static, MissionControl> {
    let opts = LaunchOptions {
        dna: csv,
        tab: Some(Tab::Dna),
        ..Default::default()
    };
    harness(opts, answer)
}

#[test]
fn dna_open_csv_shows_verdict_and_hover() {
    let dir = tempfile::tempdir().unwrap();
    let adv = write_csv(
        dir.path(),
        "adv.csv",
        &[
            "--ops",
            "20000",
            "--adversarial-ratio",
            "0.3",
            "--adversarial-lowbits",
            "8",
        ],
    );
    // "Open CSV…" answers through the test dialog.
    let mut h = dna_harness(None, Some(adv.clone()));
    h.run_steps(2);
    h.get_by_label("Open CSV…").click();
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    h.run_steps(2);
    assert!(h.query_by_label("SKEWED").is_some());
    let report = h.state().dna.current.clone().unwrap().report;
    // Hover the cell of the fullest bucket: its id and count are shown.
    let (bucket, count) = adhash::gui::dna_tab::top_buckets(&report, 1, false)[0];
    assert_eq!(bucket % 256, 0, "adversarial keys share their low 8 bits");
    let rect = h.state().dna.heatmap_rect.unwrap();
    let pos = adhash::gui::widgets::heatmap::cell_rect(rect, bucket).center();
    h.hover_at(pos);
    h.run_steps(2);
    assert_eq!(h.state().dna.hovered, Some(bucket));
    let text = adhash::gui::dna_tab::bucket_text(&report, bucket);
    assert!(
        text.starts_with(&format!("0x{bucket:03x} → {count} keys")),
        "{text}"
    );
    assert!(h.query_all_by_label(&text).next().is_some());
}

#[test]
fn dna_baseline_comparison_and_errors_keep_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let uniform = write_csv(dir.path(), "u.csv", &["--ops", "20000"]);
    let adv = write_csv(
        dir.path(),
        "a.csv",
        &[
            "--ops",
            "20000",
            "--adversarial-ratio",
            "0.3",
            "--adversarial-lowbits",
            "8",
        ],
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "op,key,value\nput,a,1\nput,b,\n").unwrap();
    let mut h = dna_harness(Some(uniform), None);
    step_until(&mut h, 60, "first analysis", |app| {
        app.dna.current.is_some()
    });
    h.run_steps(2);
    assert!(h.query_by_label("UNIFORM").is_some());
    h.get_by_label("Pin as baseline").click();
    h.run_steps(2);
    assert!(h.state().dna.baseline.is_some());
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(adv),
    ));
    step_until(&mut h, 60, "second analysis", |app| {
        app.dna
            .current
            .as_ref()
            .is_some_and(|c| c.report.is_skewed())
    });
    h.run_steps(2);
    // Side by side: the baseline's badge and heatmap, then the current one.
    assert!(h.query_by_label("baseline UNIFORM").is_some());
    assert!(h.query_by_label("SKEWED").is_some());
    assert!(
        h.query_all_by_label_contains("Baseline: u.csv")
            .next()
            .is_some()
    );
    // A malformed CSV: the error names the line, the report stays.
    let before = h.state().dna.current.as_ref().unwrap().id;
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(bad),
    ));
    step_until(&mut h, 60, "failed analysis", |app| app.dna.error.is_some());
    h.run_steps(2);
    let err = h.state().dna.error.clone().unwrap();
    assert!(err.contains("PUT missing value at line 3"), "{err}");
    assert!(
        h.query_all_by_label_contains("PUT missing value at line 3")
            .next()
            .is_some()
    );
    assert_eq!(h.state().dna.current.as_ref().unwrap().id, before);
}

#[test]
fn dna_cancel_stops_an_analysis() {
    let dir = tempfile::tempdir().unwrap();
    // Big enough that a debug build is still analysing when Cancel lands.
    let big = write_csv(
        dir.path(),
        "big.csv",
        &["--ops", "600000", "--key-space", "200000"],
    );
    let mut h = dna_harness(Some(big), None);
    step_until(&mut h, 30, "analysis to start", |app| {
        app.dna.is_analyzing()
    });
    h.get_by_label("Cancel").click();
    step_until(&mut h, 60, "analysis to stop", |app| {
        !app.dna.is_analyzing()
    });
    assert!(h.state().dna.current.is_none());
    assert!(
        h.state()
            .dna
            .error
            .as_deref()
            .unwrap_or("")
            .contains("cancelled")
    );
}

#[test]
fn dna_exports_json_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path(), "u.csv", &["--ops", "5000"]);
    let png = dir.path().join("out/heat.png");
    let mut h = dna_harness(Some(csv), Some(png.clone()));
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    let json = dir.path().join("out/dna.json");
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::SaveJson(json.clone()),
    ));
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::PickPng,
    ));
    step_until(&mut h, 20, "exports", |_| json.exists() && png.exists());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["schema"], "workload_dna.v1");
    let img = image::load_from_memory(&std::fs::read(&png).unwrap()).unwrap();
    assert_eq!(img.width(), 512);
}

#[test]
fn idle_app_stops_repainting() {
    let mut h = baseline_harness();
    // `run` steps until egui asks for no more frames; it fails on endless repaint.
    let steps = h.try_run();
    assert!(steps.is_ok(), "the idle Suites tab keeps repainting");
    h.state_mut()
        .send(adhash::gui::Command::SwitchTab(Tab::Dna));
    h.step();
    assert!(h.try_run().is_ok(), "the idle DNA tab keeps repainting");
}

#[test]
fn typed_folder_is_added_and_removable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        "[batch]\ndescription = \"my suite\"\n[[batch.jobs]]\ncommand = \"profile\"\ncsv = \"w.csv\"\n",
    )
    .unwrap();
    let mut h = harness(LaunchOptions::default(), None);
    h.run_steps(2);
    h.state_mut()
        .send(adhash::gui::Command::OpenSpec(dir.path().to_path_buf()));
    h.run_steps(3);
    assert_eq!(h.state().state.spec_folders, vec![dir.path().to_path_buf()]);
    assert!(h.query_all_by_label_contains("mine.toml").next().is_some());
    h.get_by_label("×").click();
    h.run_steps(3);
    assert!(h.state().state.spec_folders.is_empty());
    assert!(h.query_all_by_label_contains("mine.toml").next().is_none());
}

/// A file dropped on the window, as winit would hand it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_csv_analyses_it() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path(), "dropped.csv", &["--ops", "3000"]);
    let mut h = harness(LaunchOptions::default(), None);
    h.run_steps(2);
    h.input_mut().dropped_files.push(Arc::new(Dropped(csv)));
    step_until(&mut h, 60, "dropped CSV analysed", |app| {
        app.dna.current.is_some()
    });
    let app = h.state();
    assert_eq!(app.state.tab, Tab::Dna);
    assert!(
        app.dna
            .current
            .as_ref()
            .unwrap()
            .report
            .csv_path
            .ends_with("dropped.csv")
    );
}
