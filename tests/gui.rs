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
    let opts = LaunchOptions {
        spec: Some(repo("docs/examples/batch_baseline.toml")),
        ..Default::default()
    };
    let mut h = harness(opts, None);
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
    let opts = LaunchOptions {
        spec: Some(repo("docs/examples/batch_baseline.toml")),
        ..Default::default()
    };
    let mut h = harness(opts, None);
    h.run_steps(2);
    h.get_all_by_label("Analyze").next().unwrap().click();
    h.run_steps(3);
    assert_eq!(h.state().state.tab, Tab::Dna);
    assert!(
        h.state()
            .dna
            .csv
            .as_ref()
            .unwrap()
            .ends_with("data/workloads/w_uniform.csv")
    );
}
