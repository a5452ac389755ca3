//! Mission Control under egui_kittest (no GPU, no display): real specs, the
//! real `adhash` binary as the job runner, fixed answers for file dialogs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use adhash::batch::JobStatus;
use adhash::batch::compare::Verdict;
use adhash::gui::app::{MissionControl, Persisted};
use adhash::gui::dialogs::FixedDialogs;
use adhash::gui::suites::RowStatus;
use adhash::gui::suites::SuiteView;
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

/// eframe's storage, in memory: what `save` writes, a restart reads.
#[derive(Default)]
struct MemStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn state_survives_a_restart_through_storage() {
    use eframe::App;
    let (_dir, spec) = small_suite(TWO_JOBS);
    let mut h = suite_opened(&spec);
    settle(&mut h);
    // Twenty-one finished runs: the menu keeps the newest twenty.
    for _ in 0..21 {
        run_to_end(&mut h);
    }
    settle(&mut h);
    h.state_mut().state.tab = Tab::Dna;
    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);
    let saved = h.state().state.recent_runs.clone();
    assert_eq!(saved.len(), 20);
    assert!(
        saved
            .iter()
            .all(|r| r.outcome == "ok" && r.archive.is_some())
    );

    // A new Mission Control from that storage: same tab, same runs, and
    // the last spec opened again.
    let restored: Persisted = eframe::get_value(&storage, eframe::APP_KEY).expect("state saved");
    let mut h2 = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            MissionControl::with_parts(
                &cc.egui_ctx,
                restored,
                Arc::new(FixedDialogs(None)),
                adhash_bin(),
                LaunchOptions::default(),
            )
        });
    h2.run_steps(3);
    assert_eq!(h2.state().state.tab, Tab::Dna);
    assert_eq!(h2.state().state.recent_runs, saved);
    assert_eq!(
        h2.state()
            .state
            .last_spec
            .as_deref()
            .and_then(|p| std::fs::canonicalize(p).ok()),
        Some(std::fs::canonicalize(&spec).unwrap())
    );
}

#[test]
fn bundled_spec_shows_its_jobs() {
    let mut h = baseline_harness();
    h.run_steps(3);
    assert_eq!(h.state().suites.rows().len(), 2);
    assert!(h.query_all_by_label("profile-uniform").next().is_some());
    assert!(h.query_all_by_label("run-uniform").next().is_some());
    // The catalog lists the bundled specs with their descriptions.
    assert!(
        h.query_all_by_label_contains("batch_modes.toml")
            .next()
            .is_some()
    );
    for description in [
        "Baseline: profile and replay a uniform workload",
        "Modes: all five backends on the uniform workload",
    ] {
        assert!(label_exists(&h, description), "no {description:?}");
    }
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
        !app.suites.is_running() && app.suites.shown_result().is_some()
    });
    let app = h.state();
    assert!(
        app.suites
            .rows()
            .iter()
            .all(|r| r.status == RowStatus::Done(JobStatus::Ok)),
        "{:?}",
        app.suites.rows()
    );
    assert!(app.suites.rows().iter().all(|r| r.ops().is_some()));
    assert!(app.suites.log().len() > 2);
    assert_eq!(app.state.recent_runs.len(), 1);
    assert!(dir.path().join("out/r.md").exists());
    // Log lines are in the view: each job's own result line, not just the
    // chart's "ops/s" heading.
    assert!(label_exists(&h, "std: 2,000 ops in"));
    assert!(label_exists(&h, "adaptive: 2,000 ops in"));

    // Export through the (test) save dialog.
    h.get_by_label("Save as…").click();
    step_until(&mut h, 20, "export file", |_| export.exists());
    let html = std::fs::read_to_string(&export).unwrap();
    assert!(html.contains("Comparative Summary"));

    // Clicking a job filters the log to its lines.
    let all = h.state().suites.log().visible_len();
    h.get_all_by_label("run-std").next().unwrap().click();
    h.run_steps(3);
    assert_eq!(h.state().suites.log().filter_job(), Some(0));
    let only = h.state().suites.log().visible_len();
    assert!(only > 0 && only < all, "{only} of {all}");
    h.get_by_label("job: run-std ×").click();
    h.run_steps(3);
    assert_eq!(h.state().suites.log().visible_len(), all);
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
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
            app.suites.rows().first().map(|r| &r.status),
            Some(RowStatus::Running { .. })
        )
    });
    h.get_by_label("⏹ Stop").click();
    step_until(&mut h, 30, "suite to stop", |app| {
        !app.suites.is_running() && app.suites.shown_result().is_some()
    });
    let rows = &h.state().suites.rows();
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
    assert!(h.state().suites.rows().is_empty());
    // Run stays disabled for an invalid spec.
    assert!(!is_enabled(&h, "▶ Run"));
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
    assert!(h.query_by_label("hash spread: UNIFORM").is_some());
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
    assert!(h.query_by_label("hash spread: SKEWED").is_some());
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
        text.starts_with(&format!("0x{bucket:03x}: {count} keys")),
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
    assert!(h.query_by_label("hash spread: UNIFORM").is_some());
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
    assert!(h.query_by_label("baseline hash spread: UNIFORM").is_some());
    assert!(h.query_by_label("hash spread: SKEWED").is_some());
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

#[cfg(unix)]
#[test]
fn dna_cancel_stops_an_analysis() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    // A workload streamed through a pipe by a writer that only stops when
    // the reader goes away: the analysis cannot finish before Cancel lands,
    // in a debug build or a release one.
    let fifo = dir.path().join("stream.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        let mut rows = 0u64;
        let mut ok = w.write_all(b"op,key,value\n").is_ok();
        while ok {
            ok = writeln!(w, "get,K{},", rows % 100_000).is_ok();
            rows += 1;
        }
        rows
    });
    let mut h = dna_harness(Some(fifo), None);
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
    // The reader closed the pipe: the writer saw it and stopped.
    let rows = writer.join().unwrap();
    assert!(rows > 0);
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
    // 8 px a bucket, plus the margins around the grid and its colour bar.
    assert_eq!(img.width(), 512 + 32);
    assert!(img.height() > 512 + 60, "title and colour bar");
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

// ---- Issue 9: only what is true, a still layout, any window size ----

fn harness_sized(
    opts: LaunchOptions,
    dialog_answer: Option<PathBuf>,
    size: egui::Vec2,
) -> Harness<'static, MissionControl> {
    Harness::builder().with_size(size).build_eframe(move |cc| {
        MissionControl::with_parts(
            &cc.egui_ctx,
            Persisted::default(),
            Arc::new(FixedDialogs(dialog_answer)),
            adhash_bin(),
            opts,
        )
    })
}

fn suite_opened(spec: &Path) -> Harness<'static, MissionControl> {
    harness(
        LaunchOptions {
            spec: Some(spec.to_path_buf()),
            ..Default::default()
        },
        None,
    )
}

/// Run the selected spec and wait for it to end.
fn run_to_end(h: &mut Harness<'_, MissionControl>) {
    h.state_mut().send(adhash::gui::Command::Run);
    step_until(h, 10, "suite to start", |app| app.suites.is_running());
    step_until(h, 120, "suite to finish", |app| !app.suites.is_running());
}

/// Wait until background one-shot jobs (history reads, exports) are done.
fn settle(h: &mut Harness<'_, MissionControl>) {
    // One frame first: commands sent since the last frame (which may start
    // the jobs waited for) are only taken up in a frame. Without it a
    // release build could see "no jobs" before the command ran.
    h.step();
    step_until(h, 20, "background jobs", |app| app.pending_tasks() == 0);
    h.run_steps(2);
}

fn label_exists(h: &Harness<'_, MissionControl>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn is_enabled(h: &Harness<'_, MissionControl>, label: &str) -> bool {
    {
        use egui_kittest::kittest::NodeT;
        !h.get_by_label(label).accesskit_node().is_disabled()
    }
}

#[test]
fn spec_panel_keeps_its_width_under_a_moving_pointer() {
    let mut h = baseline_harness();
    h.run_steps(5);
    let load = h.get_by_label("Load").rect();
    let field = h.get_by_label("Spec or folder path").rect();
    // The pointer wanders over the whole window for a few hundred frames.
    for i in 0..300u32 {
        let x = ((i * 97) % 1400) as f32;
        let y = ((i * 53) % 900) as f32;
        h.hover_at(egui::pos2(x, y));
        h.step();
    }
    h.hover_at(egui::pos2(5.0, 895.0));
    h.run_steps(3);
    assert_eq!(h.get_by_label("Load").rect(), load, "the Load button moved");
    assert_eq!(h.get_by_label("Spec or folder path").rect(), field);
    // The field and its button fit the panel (nothing sized from last frame).
    assert!(field.right() <= load.left(), "{field:?} {load:?}");
}

#[test]
fn switching_specs_never_shows_another_runs_data() {
    let (_a_dir, a) = small_suite(TWO_JOBS);
    let (_b_dir, b) = small_suite(
        "[[batch.jobs]]\nname = \"only-b\"\ncommand = \"run-csv\"\nmode = \"std\"\ncsv = \"w.csv\"\n\
[[batch.jobs]]\nname = \"b-two\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n\
[[batch.jobs]]\nname = \"b-three\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n",
    );
    let mut h = suite_opened(&a);
    settle(&mut h);
    run_to_end(&mut h);
    settle(&mut h);
    assert!(h.state().suites.log().len() > 2);
    assert!(label_exists(&h, "finished, 2/2 ok"));
    assert!(is_enabled(&h, "Open report"));

    // Another spec: its own plan, no log, no verdict, nothing to export.
    h.state_mut()
        .send(adhash::gui::Command::OpenSpec(b.clone()));
    settle(&mut h);
    let app = h.state();
    assert!(app.suites.shown().is_none(), "B has never run");
    let names: Vec<&str> = app.suites.rows().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["only-b", "b-two", "b-three"]);
    assert!(
        app.suites
            .rows()
            .iter()
            .all(|r| r.status == RowStatus::Planned && r.result.is_none())
    );
    assert_eq!(app.suites.log().len(), 0);
    // (The status bar's notice of A's end may stay; the run bar may not.)
    assert!(!label_exists(&h, "finished, "));
    assert!(label_exists(&h, "Not run yet"));
    assert!(!is_enabled(&h, "Open report"));
    assert!(!is_enabled(&h, "Write"));
    assert!(!is_enabled(&h, "Save as…"));

    // An invalid spec: its error, and nothing of A.
    let bad = b.with_file_name("bad.toml");
    std::fs::write(&bad, "[batch]\njobs = 3\n").unwrap();
    h.state_mut()
        .send(adhash::gui::Command::OpenSpec(bad.clone()));
    settle(&mut h);
    assert!(h.state().suites.rows().is_empty());
    assert_eq!(h.state().suites.log().len(), 0);
    assert!(!label_exists(&h, "finished, "));
    assert!(!is_enabled(&h, "Open report"));

    // Back to A: A's own run again.
    h.state_mut()
        .send(adhash::gui::Command::OpenSpec(a.clone()));
    settle(&mut h);
    assert!(label_exists(&h, "finished, 2/2 ok"));
    assert!(h.state().suites.log().len() > 2);
}

#[test]
fn a_spec_shows_its_last_run_from_history_after_a_restart() {
    let (dir, spec) = small_suite(TWO_JOBS);
    let first_ops = {
        let mut h = suite_opened(&spec);
        settle(&mut h);
        run_to_end(&mut h);
        h.state().suites.rows()[0].ops().unwrap()
    };
    let archived: Vec<_> = std::fs::read_dir(dir.path().join("out/history/suite"))
        .unwrap()
        .collect();
    assert_eq!(archived.len(), 1, "one history file per run");
    // A new Mission Control: the spec opens with its archived run.
    let mut h = suite_opened(&spec);
    settle(&mut h);
    let shown = h
        .state()
        .suites
        .shown()
        .expect("the last run, from history");
    assert!(matches!(
        shown.source,
        adhash::gui::suites::RunSource::History(_)
    ));
    assert_eq!(h.state().suites.rows()[0].ops(), Some(first_ops));
    assert!(label_exists(&h, "(from history, read-only)"));
    // Its log came along.
    assert!(!h.state().suites.log().is_empty());
}

#[test]
fn recent_runs_reopen_their_own_numbers_under_their_own_spec() {
    let (dir, spec) = small_suite(TWO_JOBS);
    let (_other_dir, other) =
        small_suite("[[batch.jobs]]\nname = \"x\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n");
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    let first: Vec<Option<f64>> = h.state().suites.rows().iter().map(|r| r.ops()).collect();
    let first_time = h.state().suites.shown().unwrap().started.clone();
    // Archive names have one-second resolution: keep the runs apart.
    std::thread::sleep(Duration::from_millis(1100));
    run_to_end(&mut h);
    let second: Vec<Option<f64>> = h.state().suites.rows().iter().map(|r| r.ops()).collect();
    assert_ne!(first, second, "two runs measure differently");
    assert_eq!(h.state().state.recent_runs.len(), 2);
    assert_eq!(
        std::fs::read_dir(dir.path().join("out/history/suite"))
            .unwrap()
            .count(),
        2
    );

    // Another spec is selected; reopening the older run selects its spec.
    h.state_mut().send(adhash::gui::Command::OpenSpec(other));
    settle(&mut h);
    h.state_mut().send(adhash::gui::Command::LoadRecent(1));
    settle(&mut h);
    let app = h.state();
    assert_eq!(
        app.suites.spec_key.as_deref(),
        Some(std::fs::canonicalize(&spec).unwrap().as_path())
    );
    let reopened: Vec<Option<f64>> = app.suites.rows().iter().map(|r| r.ops()).collect();
    assert_eq!(reopened, first, "the older run shows its own numbers");
    // The live run was named by the GUI's clock and the archive by the
    // runner's, a second apart when a second ticked between them (seen
    // twice in CI): a finished run now takes the runner's name.
    let archived = app.suites.shown().unwrap().result.as_ref().unwrap();
    assert_eq!(archived.generated_at, first_time, "one name for one run");
    let want = format!("Run of {first_time} (from history, read-only)");
    for _ in 0..50 {
        if label_exists(&h, &want) {
            break;
        }
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    let shown: Vec<String> = h
        .query_all_by_label_contains("Run of")
        .map(|n| format!("{n:?}"))
        .collect();
    assert!(label_exists(&h, &want), "no {want:?}; shown: {shown:?}");
    assert!(label_exists(&h, "suite.toml"), "titled with its own spec");
    // "Show latest" returns to the newest run.
    h.get_by_label("Show latest").click();
    h.run_steps(3);
    let latest: Vec<Option<f64>> = h.state().suites.rows().iter().map(|r| r.ops()).collect();
    assert_eq!(latest, second);
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
#[test]
fn a_stopped_run_says_cancelled_everywhere() {
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
            app.suites.rows().first().map(|r| &r.status),
            Some(RowStatus::Running { .. })
        )
    });
    // The DNA tab says a suite is running.
    h.state_mut()
        .send(adhash::gui::Command::SwitchTab(Tab::Dna));
    h.run_steps(2);
    assert!(label_exists(&h, "slow.toml running: 0/2 jobs"));
    h.state_mut()
        .send(adhash::gui::Command::SwitchTab(Tab::Suites));
    h.run_steps(2);
    h.get_by_label("⏹ Stop").click();
    step_until(&mut h, 30, "suite to stop", |app| !app.suites.is_running());
    settle(&mut h);
    let app = h.state();
    assert_eq!(app.state.recent_runs[0].outcome, "cancelled");
    assert!(label_exists(&h, "cancelled, 0/2 ok"));
    // The skipped job has no duration.
    assert_eq!(app.suites.rows()[1].duration_text(), "-");
    // The archived JSON says so too.
    let hist = app.state.recent_runs[0].archive.clone().unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(hist).unwrap()).unwrap();
    assert_eq!(v["cancelled"], true);
}

#[test]
fn export_belongs_to_its_tab_and_names_its_format() {
    let (dir, spec) = small_suite(TWO_JOBS);
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    let send = |h: &mut Harness<'_, MissionControl>, c| h.state_mut().send(c);
    use adhash::gui::{Command, ReportAction};
    // Unknown extensions are refused, nothing is written.
    for name in ["r.txt", "r.png", "r"] {
        let p = dir.path().join(name);
        send(&mut h, Command::Report(ReportAction::Export(p.clone())));
        settle(&mut h);
        let n = h.state().notices.back().unwrap();
        assert_eq!(n.kind, adhash::gui::app::NoticeKind::Error);
        assert!(n.text.contains("cannot export a report"), "{}", n.text);
        assert!(!p.exists());
    }
    // Each known extension writes its format.
    for (name, head) in [
        ("r.md", "# Adaptive"),
        ("r.html", "<!DOCTYPE html>"),
        ("r.json", "{"),
    ] {
        let p = dir.path().join(name);
        send(&mut h, Command::Report(ReportAction::Export(p.clone())));
        step_until(&mut h, 20, "export", |_| p.exists());
        assert!(std::fs::read_to_string(&p).unwrap().starts_with(head));
    }
    // On the DNA tab the suite's export is not offered.
    send(&mut h, Command::SwitchTab(Tab::Dna));
    h.run_steps(2);
    assert!(!label_exists(&h, "Export report to"));
    // The DNA tab's exports check their own extensions.
    let csv = dir.path().join("w.csv");
    send(
        &mut h,
        Command::Dna(adhash::gui::dna_tab::DnaCommand::Analyze(csv)),
    );
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    let wrong = dir.path().join("heat.md");
    send(
        &mut h,
        Command::Dna(adhash::gui::dna_tab::DnaCommand::SavePng(wrong.clone())),
    );
    h.run_steps(2);
    assert!(
        h.state()
            .notices
            .back()
            .unwrap()
            .text
            .contains("must end in .png")
    );
    assert!(!wrong.exists());
}

#[test]
fn every_command_shows_its_effect_in_the_same_frame() {
    let (_dir, spec) = small_suite(TWO_JOBS);
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    settle(&mut h);
    assert!(h.try_run().is_ok(), "idle after the run");
    use adhash::gui::Command;
    // A job filter: the chip is drawn in the frame that applied it.
    h.state_mut().send(Command::SelectJob(Some(0)));
    h.step();
    assert!(label_exists(&h, "job: run-std ×"), "the chip lags a frame");
    assert!(h.ctx.has_requested_repaint(), "no repaint after a command");
    // A tab switch: the new tab is drawn at once.
    h.state_mut().send(Command::SwitchTab(Tab::Dna));
    h.step();
    assert!(label_exists(&h, "Workload CSV"));
    assert!(h.ctx.has_requested_repaint());
    assert!(h.try_run().is_ok(), "and it goes idle again");
}

#[test]
fn multi_line_spec_errors_keep_the_status_bar_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("broken.toml");
    std::fs::write(&spec, "[batch]\nreport = \"x.md\"\nthis is not toml\n").unwrap();
    let mut h = suite_opened(&spec);
    h.run_steps(3);
    let e = match &h.state().suites.spec {
        Some(Err(e)) => e.clone(),
        other => panic!("expected an invalid spec, got {:?}", other.is_some()),
    };
    assert!(e.lines().count() > 1, "TOML errors span lines: {e}");
    // The whole error is in the Suites tab (monospace, carets aligned) ...
    assert!(label_exists(&h, e.lines().nth(1).unwrap().trim()));
    // ... and the status bar holds a single line.
    let status = h
        .query_all_by_label_contains("invalid spec:")
        .map(|n| n.rect().height())
        .fold(0.0f32, f32::max);
    assert!(
        status > 0.0 && status < 24.0,
        "status bar label {status} px tall"
    );
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
#[test]
fn the_table_and_preview_say_what_will_happen() {
    let (dir, _) = small_suite("");
    let spec = dir.path().join("mixed.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/m.md\"\n\
[[batch.jobs]]\nname = \"pick\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n\
[[batch.jobs]]\nname = \"crashes\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"crash\"]\n\
[[batch.jobs]]\nname = \"nofile\"\ncommand = \"run-csv\"\ncsv = \"missing.csv\"\n",
    )
    .unwrap();
    let mut h = suite_opened(&spec);
    settle(&mut h);
    h.get_by_label("Spec preview").click();
    h.run_steps(2);
    // A profile job runs every mode: "all" in table and preview alike.
    assert_eq!(h.state().suites.rows()[0].mode, "all");
    assert!(label_exists(&h, "pick — profile (mode: all)"));
    // A missing CSV is flagged before running.
    assert!(label_exists(&h, "missing: the job will fail"));
    assert_eq!(
        h.state().suites.rows()[2].status_text(Instant::now()),
        "CSV missing"
    );
    run_to_end(&mut h);
    // A failed job says why in the table.
    let why = h.state().suites.rows()[1].status_text(Instant::now());
    assert!(why.starts_with("failed: exited with code 3"), "{why}");
    assert!(label_exists(&h, "failed: exited with code 3"));
}

#[test]
fn repeats_show_spread_and_the_std_control() {
    let (_dir, spec) = small_suite(
        "[[batch.jobs]]\nname = \"ctl\"\ncommand = \"run-csv\"\nmode = \"std\"\ncsv = \"w.csv\"\nrepeat = 3\n\
[[batch.jobs]]\nname = \"ada\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 3\n",
    );
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    for header in ["×std", "Spread", "Δ vs. max", "p99 (ms)"] {
        assert!(label_exists(&h, header), "no {header} column");
    }
    assert!(label_exists(&h, "1.00×"), "the control against itself");
    let r = &h.state().suites.rows()[1];
    let stats = r.result.as_ref().unwrap().stats.unwrap();
    assert_eq!(stats.n, 3);
    assert!(label_exists(&h, &format!("(CV {:.1}%)", stats.cv * 100.0)));
}

#[test]
fn open_report_always_answers() {
    let (_dir, spec) = small_suite(TWO_JOBS);
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    let before = h.state().notices.len();
    h.get_by_label("Open report").click();
    h.run_steps(1);
    step_until(&mut h, 30, "an answer", |app| {
        app.pending_tasks() == 0 && app.notices.len() > before
    });
    let n = h.state().notices.back().unwrap().text.clone();
    assert!(
        n.starts_with("opened ") || n.starts_with("no browser could be started"),
        "{n}"
    );
}

/// Interactive widgets of the current frame: (label, visible rect). The
/// rect is egui's interact rect, clipped to the widget's scroll area or
/// panel, so content scrolled out of view does not count.
fn widgets(h: &Harness<'_, MissionControl>) -> Vec<(String, egui::Rect)> {
    use egui::accesskit::Role;
    use egui_kittest::kittest::NodeT;
    h.root()
        .children_recursive()
        .filter(|n| {
            matches!(
                n.accesskit_node().role(),
                Role::Button | Role::TextInput | Role::Slider | Role::ComboBox | Role::CheckBox
            )
        })
        .filter_map(|n| {
            let a = n.accesskit_node();
            // SAFETY: not memory-related; the value is an egui Id's own
            // high-entropy bits, turned back into that Id.
            let id = unsafe { egui::Id::from_high_entropy_bits(a.locate().0.0) };
            let r = h.ctx.read_response(id)?;
            Some((a.label().unwrap_or_default(), r.interact_rect))
        })
        .filter(|(_, r)| r.is_positive())
        .collect()
}

fn assert_no_overlaps(h: &Harness<'_, MissionControl>, size: egui::Vec2, what: &str) {
    let w = widgets(h);
    assert!(w.len() > 5, "{what}: too few widgets found");
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
    for (i, (a, ra)) in w.iter().enumerate() {
        assert!(
            window.expand(0.5).contains_rect(*ra),
            "{what}: '{a}' {ra:?} is outside the {size:?} window"
        );
        for (b, rb) in &w[i + 1..] {
            let overlap = ra.intersect(*rb);
            assert!(
                overlap.width() <= 0.5 || overlap.height() <= 0.5,
                "{what}: '{a}' {ra:?} overlaps '{b}' {rb:?}"
            );
        }
    }
}

#[test]
fn nothing_overlaps_at_the_minimum_size() {
    // The app's minimum, and 800×600 (a window manager may ignore the minimum).
    for size in [
        egui::Vec2::from(adhash::gui::MIN_WINDOW),
        egui::vec2(800.0, 600.0),
    ] {
        nothing_overlaps_at(size);
    }
}

fn nothing_overlaps_at(size: egui::Vec2) -> Harness<'static, MissionControl> {
    let (dir, spec) = small_suite(TWO_JOBS);
    let mut h = harness_sized(
        LaunchOptions {
            spec: Some(spec),
            ..Default::default()
        },
        None,
        size,
    );
    settle(&mut h);
    run_to_end(&mut h);
    settle(&mut h);
    assert_no_overlaps(&h, size, "Suites tab after a run");
    // The DNA tab with a baseline: two heatmaps and the charts beside them.
    let csv = dir.path().join("w.csv");
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(csv.clone()),
    ));
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::PinBaseline,
    ));
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(csv),
    ));
    step_until(&mut h, 60, "second analysis", |app| {
        app.dna.current.as_ref().is_some_and(|c| c.id > 1)
    });
    h.run_steps(3);
    assert_no_overlaps(&h, size, "DNA tab with a baseline");
    // Both heatmaps and the verdict are on screen.
    let heat = h.state().dna.heatmap_rect.unwrap();
    assert!(heat.width() >= 96.0 && heat.right() <= size.x, "{heat:?}");
    let badge = h.get_by_label("baseline hash spread: UNIFORM").rect();
    assert!(
        badge.left() >= heat.right() && badge.bottom() <= size.y,
        "{badge:?}"
    );
    h
}

/// Issue 27, item 12: a large window fills the room under a pinned pair of
/// heatmaps (the key-popularity chart goes there) and overlaps nothing.
#[test]
fn a_large_window_fills_the_room_under_a_pinned_pair() {
    let h = nothing_overlaps_at(egui::vec2(2560.0, 1440.0));
    let heat = h.state().dna.heatmap_rect.unwrap();
    let title = h
        .get_by_label("Key popularity: rank – frequency (log–log)")
        .rect();
    assert!(
        title.top() > heat.bottom() && title.right() <= heat.right() + 1.0,
        "under the heatmaps: {title:?} vs {heat:?}"
    );
}

#[test]
fn heatmaps_grow_with_a_large_window() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path(), "u.csv", &["--ops", "5000"]);
    let side = |size: egui::Vec2| {
        let mut h = harness_sized(
            LaunchOptions {
                dna: Some(csv.clone()),
                tab: Some(Tab::Dna),
                ..Default::default()
            },
            None,
            size,
        );
        step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
        h.run_steps(3);
        h.state().dna.heatmap_rect.unwrap().width()
    };
    let small = side(egui::vec2(1400.0, 900.0));
    let large = side(egui::vec2(2560.0, 1440.0));
    assert!(
        large > small * 1.4,
        "heatmap {small} px at 1400×900, {large} px at 2560×1440"
    );
}

#[test]
fn a_new_analysis_starts_at_the_top() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_csv(dir.path(), "a.csv", &["--ops", "5000"]);
    let b = write_csv(dir.path(), "b.csv", &["--ops", "6000"]);
    let mut h = harness_sized(
        LaunchOptions {
            dna: Some(a),
            tab: Some(Tab::Dna),
            ..Default::default()
        },
        None,
        egui::vec2(1400.0, 700.0),
    );
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    h.run_steps(2);
    // `--dna` opens at the top.
    let top = h.get_by_label("hash spread: UNIFORM").rect().top();
    assert!(top > 60.0 && top < 200.0, "verdict at {top} after --dna");
    h.get_by_label("Hot keys").scroll_to_me();
    h.run_steps(3);
    assert!(
        h.get_by_label("hash spread: UNIFORM").rect().bottom() < 60.0,
        "scrolled down first"
    );
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(b),
    ));
    step_until(&mut h, 60, "second analysis", |app| {
        app.dna.current.as_ref().is_some_and(|c| c.id > 1)
    });
    h.run_steps(3);
    let top = h.get_by_label("hash spread: UNIFORM").rect().top();
    assert!(
        top > 60.0 && top < 200.0,
        "verdict at {top}: kept the old scroll"
    );
}

#[test]
fn dna_layout_is_still_under_a_moving_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_csv(dir.path(), "a.csv", &["--ops", "5000"]);
    let mut h = dna_harness(Some(a.clone()), None);
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::PinBaseline,
    ));
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(a),
    ));
    step_until(&mut h, 60, "second analysis", |app| {
        app.dna.current.as_ref().is_some_and(|c| c.id > 1)
    });
    h.hover_at(egui::pos2(5.0, 895.0));
    h.run_steps(4);
    let heat = h.state().dna.heatmap_rect.unwrap();
    let reset = h.get_by_label("Reset view").rect();
    for i in 0..200u32 {
        h.hover_at(egui::pos2(
            ((i * 97) % 1400) as f32,
            ((i * 53) % 900) as f32,
        ));
        h.step();
    }
    h.hover_at(egui::pos2(5.0, 895.0));
    h.run_steps(3);
    assert_eq!(
        h.state().dna.heatmap_rect.unwrap(),
        heat,
        "the heatmap moved"
    );
    assert_eq!(h.get_by_label("Reset view").rect(), reset);
}

#[test]
fn depth_histogram_follows_wide_depths() {
    // ~70 distinct keys a bucket: the chart must be drawn around 70, not
    // squeezed into one bar at a fixed fold.
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(
        dir.path(),
        "wide.csv",
        &[
            "--ops",
            "300000",
            "--key-space",
            "5000000",
            "--read-ratio",
            "0",
            "--del-ratio",
            "0",
        ],
    );
    let mut h = dna_harness(Some(csv), None);
    step_until(&mut h, 120, "analysis", |app| app.dna.current.is_some());
    h.run_steps(3);
    let (lo, hi) = h.state().dna.depth_range.unwrap();
    let report = h.state().dna.current.clone().unwrap().report;
    let lambda = report.unique_keys_estimated as f64 / 4096.0;
    assert!(lambda > 50.0, "λ = {lambda}");
    assert!(
        (lo as f64) < lambda * 0.8 && (lo as f64) > lambda * 0.3,
        "range starts at {lo} for λ = {lambda}"
    );
    assert!(
        (hi as f64) > lambda * 1.2,
        "range ends at {hi} for λ = {lambda}"
    );
    // The zoom can be reset to fit the data.
    h.get_by_label("Reset view").click();
    h.run_steps(2);
    assert_eq!(h.state().dna.depth_range, Some((lo, hi)));
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
#[test]
fn long_log_lines_stay_one_row() {
    let (dir, _) = small_suite("");
    let spec = dir.path().join("long.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/l.md\"\n\
[[batch.jobs]]\nname = \"talk\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"longline\"]\n",
    )
    .unwrap();
    let size = egui::Vec2::from(adhash::gui::MIN_WINDOW);
    let mut h = harness_sized(
        LaunchOptions {
            spec: Some(spec),
            ..Default::default()
        },
        None,
        size,
    );
    settle(&mut h);
    run_to_end(&mut h);
    h.run_steps(3);
    let row = h
        .query_all_by_label_contains("long: wordy-text")
        .next()
        .unwrap()
        .rect();
    assert!(row.height() < 24.0, "a long line wrapped: {row:?}");
    // The log takes a share of the window, at any size.
    for size in [egui::vec2(960.0, 600.0), egui::vec2(1400.0, 900.0)] {
        h.set_size(size);
        h.run_steps(3);
        let top = h.get_by_label("Jump to end").rect().top() / size.y;
        assert!(
            top > 0.3 && top < 0.85,
            "log panel starts at {top:.2} of {size:?}"
        );
    }
}

// ---- Findings of a walk through the app ----

#[test]
fn dna_says_which_file_its_charts_show() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_csv(dir.path(), "good.csv", &["--ops", "3000"]);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "op,key,value\nput,a,\n").unwrap();
    let mut h = dna_harness(Some(good.clone()), None);
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    h.run_steps(2);
    assert!(label_exists(&h, &format!("Workload: {}", good.display())));
    assert!(!label_exists(&h, "still show"));
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(bad),
    ));
    step_until(&mut h, 60, "failed analysis", |app| app.dna.error.is_some());
    h.run_steps(2);
    assert!(label_exists(
        &h,
        &format!("The charts below still show {}", good.display())
    ));
    // An empty path is answered, not guessed.
    h.state_mut().dna.csv_input.clear();
    h.get_by_label("Analyze").click();
    h.run_steps(2);
    assert!(
        h.state()
            .notices
            .back()
            .unwrap()
            .text
            .contains("type the path of a workload CSV first")
    );
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::SaveJson(PathBuf::new()),
    ));
    h.run_steps(2);
    assert!(
        h.state()
            .notices
            .back()
            .unwrap()
            .text
            .contains("type a file name first")
    );
    // Auto picks its own clip: no slider saying otherwise.
    assert!(!label_exists(&h, "Clip at percentile"));
    h.get_by_label("Linear").click();
    h.run_steps(2);
    assert!(label_exists(&h, "Clip at percentile"));
}

#[test]
fn baseline_and_current_share_one_colour_scale() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_csv(dir.path(), "a.csv", &["--ops", "3000"]);
    let b = write_csv(dir.path(), "b.csv", &["--ops", "30000"]);
    let mut h = dna_harness(Some(a), None);
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::PinBaseline,
    ));
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(b),
    ));
    step_until(&mut h, 60, "second analysis", |app| {
        app.dna.current.as_ref().is_some_and(|c| c.id > 1)
    });
    h.run_steps(3);
    let notes: Vec<_> = h
        .query_all_by_label_contains("shared by both maps")
        .collect();
    assert_eq!(notes.len(), 2, "both legends say the scale is shared");
}

#[test]
fn the_status_bar_speaks_of_what_is_shown() {
    let (_a, a) = small_suite(TWO_JOBS);
    let (_b, b) =
        small_suite("[[batch.jobs]]\nname = \"x\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n");
    let mut h = suite_opened(&a);
    settle(&mut h);
    run_to_end(&mut h);
    h.run_steps(2);
    // The end of a run names its spec.
    assert!(label_exists(&h, "suite.toml finished: 2/2 jobs ok"));
    // The new run is in History at once.
    assert_eq!(h.state().suites.history.entries.len(), 1);
    assert!(label_exists(&h, "History (1)"));
    // Another spec: the old message goes.
    h.state_mut()
        .send(adhash::gui::Command::OpenSpec(b.clone()));
    settle(&mut h);
    assert!(!label_exists(&h, "finished: 2/2"));
    // It was opened by path: now it is listed, with "1 job".
    assert!(label_exists(&h, "suite.toml  ·  1 job"));
    assert!(!h.state().suites.is_uncatalogued(&b));
    // Reopening the newest run of a spec just shows it (nothing to pin).
    h.state_mut().send(adhash::gui::Command::LoadRecent(0));
    settle(&mut h);
    assert!(h.state().suites.pinned.is_none());
    assert!(!label_exists(&h, "Show latest"));
    // A workload typed as a spec is analysed, not parsed as TOML.
    let csv = a.with_file_name("w.csv");
    h.state_mut().send(adhash::gui::Command::OpenSpec(csv));
    step_until(&mut h, 60, "analysis", |app| app.dna.current.is_some());
    assert_eq!(h.state().state.tab, Tab::Dna);
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
#[test]
fn the_run_bar_and_log_stay_put() {
    let (dir, a) = small_suite(TWO_JOBS);
    let slow = dir.path().join("slow.toml");
    std::fs::write(
        &slow,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/slow.md\"\n\
[[batch.jobs]]\nname = \"sleeper\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"sleep\"]\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[batch]\nreport = 3\nthis is not toml\n").unwrap();
    let mut h = suite_opened(&a);
    settle(&mut h);
    let log_top = h.get_by_label("Jump to end").rect();
    // Through an invalid spec (with its error box) and back: same split.
    h.state_mut().send(adhash::gui::Command::OpenSpec(bad));
    settle(&mut h);
    h.state_mut()
        .send(adhash::gui::Command::OpenSpec(a.clone()));
    settle(&mut h);
    assert_eq!(
        h.get_by_label("Jump to end").rect(),
        log_top,
        "the log moved"
    );
    // An empty log does not shrink its panel to its minimum.
    let share = (900.0 - log_top.top()) / 900.0;
    assert!(share > 0.25, "the log panel has {share:.2} of the window");
    // Another spec runs in the background: announced on the title row, so
    // nothing moves when it starts or ends.
    let run_btn = h.get_by_label("▶ Run").rect();
    h.state_mut().send(adhash::gui::Command::OpenSpec(slow));
    settle(&mut h);
    h.state_mut().send(adhash::gui::Command::Run);
    step_until(&mut h, 20, "slow suite to start", |app| {
        app.suites.is_running()
    });
    h.state_mut()
        .send(adhash::gui::Command::OpenSpec(a.clone()));
    settle(&mut h);
    assert!(label_exists(&h, "slow.toml is running"));
    assert_eq!(h.get_by_label("▶ Run").rect(), run_btn);
    h.state_mut().send(adhash::gui::Command::Stop);
    step_until(&mut h, 30, "slow suite to stop", |app| {
        !app.suites.is_running()
    });
    settle(&mut h);
    assert!(!label_exists(&h, "slow.toml is running"));
    assert_eq!(h.get_by_label("▶ Run").rect(), run_btn);
}

#[test]
fn the_jobs_table_fits_a_1400_window() {
    let (_dir, spec) = small_suite(
        "[[batch.jobs]]\nname = \"ctl\"\ncommand = \"run-csv\"\nmode = \"std\"\ncsv = \"w.csv\"\nrepeat = 2\n\
[[batch.jobs]]\nname = \"memory-tight-x\"\ncommand = \"run-csv\"\nmode = \"memory-tight\"\ncsv = \"w.csv\"\nrepeat = 2\n\
[[batch.jobs]]\nname = \"pick\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n",
    );
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    h.run_steps(3);
    let analyze: Vec<_> = widgets(&h)
        .into_iter()
        .filter(|(l, _)| l == "Analyze")
        .collect();
    assert_eq!(analyze.len(), 3);
    for (_, r) in analyze {
        assert!(
            r.width() > 40.0 && r.right() <= 1400.0,
            "Analyze cut: {r:?}"
        );
    }
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
#[test]
fn closing_mid_run_stops_the_suite_then_closes() {
    let (dir, _) = small_suite("");
    let spec = dir.path().join("slow.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/slow.md\"\n\
[[batch.jobs]]\nname = \"sleeper\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"escape-sleep\"]\n",
    )
    .unwrap();
    let mut h = harness(
        LaunchOptions {
            spec: Some(spec),
            run: true,
            ..Default::default()
        },
        None,
    );
    step_until(&mut h, 30, "job to run", |app| {
        matches!(
            app.suites.rows().first().map(|r| &r.status),
            Some(RowStatus::Running { .. })
        )
    });
    // The window manager asks to close.
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.step();
    let commands = |h: &Harness<'_, MissionControl>| {
        h.output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map(|v| v.commands.clone())
            .unwrap_or_default()
    };
    assert!(
        commands(&h).contains(&egui::ViewportCommand::CancelClose),
        "not closed under a running suite"
    );
    // The suite stops, its cancelled report and history are written, then
    // the window closes.
    let until = Instant::now() + Duration::from_secs(30);
    let mut closed = false;
    while Instant::now() < until && !closed {
        h.step();
        closed = commands(&h).contains(&egui::ViewportCommand::Close);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(closed, "the window never closed");
    assert!(!h.state().suites.is_running());
    // The job, and the daemon it started outside its process group, are gone.
    assert_eq!(
        common::processes_left_in(dir.path(), 20),
        Vec::<String>::new(),
        "a job's process outlived Mission Control"
    );
    let md = std::fs::read_to_string(dir.path().join("out/slow.md")).unwrap();
    assert!(md.contains("Cancelled:"), "{md}");
    assert_eq!(h.state().state.recent_runs[0].outcome, "cancelled");
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
#[test]
fn a_long_spec_error_scrolls_in_its_box() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("wordy.toml");
    let field = "x".repeat(300);
    std::fs::write(
        &spec,
        format!("[batch]\nreport = \"r.md\"\n[[batch.jobs]]\nname = \"j\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n{field} = 1\n"),
    )
    .unwrap();
    let mut h = suite_opened(&spec);
    h.run_steps(4);
    assert!(label_exists(&h, "unknown field"));
    // The panels keep the window's width: nothing pushed off the right.
    for (label, r) in widgets(&h) {
        assert!(r.right() <= 1400.5, "'{label}' pushed to {r:?}");
    }
    assert!(h.get_by_label("Open report").rect().right() <= 1400.0);
    // Issue 27, item 13: a message without carets wraps inside the box,
    // so its "(known: …)" list is read whole, not cut at the edge.
    let shown: Vec<egui::Rect> = h
        .query_all_by_label_contains("(known: name, command, csv, mode")
        .map(|n| n.rect())
        .collect();
    assert!(
        shown
            .iter()
            .any(|r| r.height() > 20.0 && r.right() <= 1400.5),
        "not wrapped inside the window: {shown:?}"
    );
}

// ---- History and Compare views (issue 11) ----

/// A spec driving the fake CLI: two jobs, four runs each, behaving as
/// $FAKE_BEHAVE says (`noisy`, or `noisy-slow`: about 30% slower; unset:
/// `ok`), so two runs have the same command lines.
#[cfg(unix)]
fn write_compare_spec(dir: &Path) -> PathBuf {
    let spec = dir.join("suite.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"alpha\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 4\n\
[[batch.jobs]]\nname = \"beta\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 4\n",
    )
    .unwrap();
    spec
}

/// Wait until the asked comparison is made and shown.
fn wait_for_comparison(h: &mut Harness<'_, MissionControl>) {
    step_until(h, 20, "the comparison", |app| {
        app.suites.comparison().is_some_and(|c| c.result.is_some())
    });
    h.run_steps(2);
    assert_eq!(h.state().suites.view, SuiteView::Compare);
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
#[test]
fn history_lists_runs_and_compare_shows_verdicts() {
    let (dir, _) = small_suite(TWO_JOBS);
    let d = dir.path();
    // Two archived runs made by `adhash batch`: then the CLI got slower.
    for behave in ["noisy", "noisy-slow"] {
        let spec = write_compare_spec(d);
        let o = std::process::Command::new(adhash_bin())
            .args(["batch", "--spec", spec.to_str().unwrap(), "--quiet"])
            .env("FAKE_BEHAVE", behave)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let spec = d.join("suite.toml");
    let mut h = suite_opened(&spec);
    settle(&mut h);
    assert_eq!(h.state().suites.history.entries.len(), 2);
    h.get_by_label("History (2)").click();
    h.run_steps(2);
    assert_eq!(h.state().suites.view, SuiteView::History);
    // One row a run, each with a pick box; the newest is the one shown.
    assert!(label_exists(&h, "Run of (pick two)"));
    assert!(label_exists(&h, "2/2"));
    assert!(!is_enabled(&h, "Compare picked"), "nothing picked yet");
    let times: Vec<String> = h
        .state()
        .suites
        .history
        .entries
        .iter()
        .map(|e| e.generated_at.clone())
        .collect();
    for node in h.query_all_by_label(&times[0]).collect::<Vec<_>>() {
        node.click();
    }
    h.run_steps(2);
    if times[0] != times[1] {
        h.get_by_label(&times[1]).click();
        h.run_steps(2);
    }
    assert_eq!(h.state().suites.picks.len(), 2);
    assert!(is_enabled(&h, "Compare picked"));
    h.get_by_label("Compare picked").click();
    wait_for_comparison(&mut h);
    let c = h.state().suites.comparison().unwrap();
    let result = c.result.as_ref().unwrap().as_ref().unwrap();
    // Old is the older run: the slower CLI made the newer one.
    assert_eq!(result.jobs.len(), 2);
    assert!(result.jobs.iter().all(|j| j.verdict == Verdict::Slower));
    assert_eq!(h.query_all_by_label("slower").count(), 2, "a badge a job");
    assert!(label_exists(&h, "4 / 4"));
    assert!(label_exists(&h, "Old: run of"));
    assert!(label_exists(&h, "New: run of"));
    // Judge by CPU time: the stand-in CLI reports none, and the rows say so.
    h.get_by_label("CPU time").click();
    step_until(&mut h, 20, "the comparison by CPU time", |app| {
        app.suites
            .comparison()
            .is_some_and(|c| c.metric == adhash::batch::compare::Metric::Cpu && c.result.is_some())
    });
    {
        let c = h.state().suites.comparison().unwrap();
        assert_eq!(c.metric, adhash::batch::compare::Metric::Cpu);
        let r = c.result.as_ref().unwrap().as_ref().unwrap();
        assert!(r.jobs.iter().all(|j| j.verdict == Verdict::Inconclusive));
        assert!(
            r.jobs[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("no CPU-time figures"),
            "{:?}",
            r.jobs[0].reason
        );
    }
    h.get_by_label("Wall time").click();
    step_until(&mut h, 20, "the comparison by wall time", |app| {
        app.suites
            .comparison()
            .is_some_and(|c| c.metric == adhash::batch::compare::Metric::Wall && c.result.is_some())
    });
    // Export the comparison from the app: the field, then Export.
    let out = d.join("cmp.md");
    h.state_mut().state.compare_export_input = out.display().to_string();
    h.run_steps(2);
    h.get_by_label("Export").click();
    step_until(&mut h, 20, "the comparison written", |_| out.is_file());
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("# Batch Comparison") && md.contains("slower"),
        "{md}"
    );
    // Save the newer run as a baseline from History.
    h.get_by_label("History (2)").click();
    h.run_steps(2);
    h.state_mut().state.baseline_name = "release-1".into();
    h.run_steps(2);
    h.query_all_by_label("Save as baseline")
        .next()
        .unwrap()
        .click();
    let baseline = d.join("out/history/suite/baselines/release-1.json");
    step_until(&mut h, 20, "the baseline saved", |_| baseline.is_file());
    let newest = h.state().suites.history.entries[0].path.clone();
    assert_eq!(
        std::fs::read(&baseline).unwrap(),
        std::fs::read(&newest).unwrap()
    );
    // A name that cannot be a file name disables the button.
    h.state_mut().state.baseline_name = "../x".into();
    h.run_steps(2);
    {
        use egui_kittest::kittest::NodeT;
        let buttons: Vec<_> = h.query_all_by_label("Save as baseline").collect();
        assert_eq!(buttons.len(), 2, "one a run");
        assert!(buttons.iter().all(|b| b.accesskit_node().is_disabled()));
    }
}

// The stand-in CLI (tests/fixtures/fake_cli.sh) needs a Unix shell.
#[cfg(unix)]
#[test]
fn compare_with_previous_is_one_click_after_a_run() {
    let (dir, _) = small_suite(TWO_JOBS);
    let spec = write_compare_spec(dir.path());
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    h.run_steps(2);
    // The first run has none before it.
    assert!(!label_exists(&h, "Compare with previous"));
    run_to_end(&mut h);
    h.run_steps(2);
    assert!(label_exists(&h, "History (2)"));
    h.get_by_label("Compare with previous").click();
    wait_for_comparison(&mut h);
    let c = h.state().suites.comparison().unwrap();
    let entries = &h.state().suites.history.entries;
    assert_eq!((&c.old, &c.new), (&entries[1].path, &entries[0].path));
    let result = c.result.as_ref().unwrap().as_ref().unwrap();
    // The same CLI twice: never "slower" nor "faster" by 30%.
    assert!(
        result
            .jobs
            .iter()
            .all(|j| j.delta_pct.unwrap().abs() < 10.0),
        "{result:?}"
    );
    // Back to the jobs.
    h.get_by_label("Jobs").click();
    h.run_steps(2);
    assert_eq!(h.state().suites.view, SuiteView::Jobs);
    assert!(label_exists(&h, "alpha"));
}

// ---- Timeline view (issue 12) ----

#[test]
fn the_timeline_marks_migrations_and_overlays_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("adv.csv");
    // Adversarial keys make adaptive migrate.
    let o = std::process::Command::new(adhash_bin())
        .args([
            "generate-csv",
            "--ops",
            "100000",
            "--key-space",
            "30000",
            "--adversarial-ratio",
            "0.2",
            "--adversarial-lowbits",
            "10",
            "--outfile",
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let spec = dir.path().join("suite.toml");
    std::fs::write(
        &spec,
        "[batch]\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"adaptive\"\ncommand = \"run-csv\"\ncsv = \"adv.csv\"\nmode = \"adaptive\"\n\
[[batch.jobs]]\nname = \"std\"\ncommand = \"run-csv\"\ncsv = \"adv.csv\"\nmode = \"std\"\n",
    )
    .unwrap();
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    h.run_steps(2);
    h.get_by_label("Timeline").click();
    h.run_steps(2);
    assert_eq!(h.state().suites.view, SuiteView::Timeline);
    // The adaptive job's ticks came with it, its migrations among them.
    let rows = h.state().suites.rows();
    let ticks = rows[0].timeline();
    assert!(ticks.len() >= 2, "{} ticks", ticks.len());
    let marks = adhash::gui::suites::timeline::markers(ticks);
    assert!(
        marks
            .iter()
            .any(|(_, what)| what.starts_with("migration chaining")),
        "{marks:?}"
    );
    // Shown: the summary line and the events listed under the charts.
    assert!(label_exists(&h, "migrations"));
    assert!(label_exists(&h, "s  migration chaining"));
    assert!(label_exists(&h, "ops/s"));
    // Overlay both jobs: one chart, two series.
    h.get_by_label("overlay adaptive").click();
    h.run_steps(1);
    h.get_by_label("overlay std").click();
    h.run_steps(2);
    assert_eq!(h.state().suites.overlay, [0, 1]);
    assert!(label_exists(&h, "2 jobs overlaid"));
    // Reopened from history (a new Mission Control), the timeline stays.
    let mut h = suite_opened(&spec);
    settle(&mut h);
    let rows = h.state().suites.rows();
    assert!(matches!(
        h.state().suites.shown().unwrap().source,
        adhash::gui::suites::RunSource::History(_)
    ));
    assert!(
        adhash::gui::suites::timeline::markers(rows[0].timeline())
            .iter()
            .any(|(_, w)| w.starts_with("migration")),
        "the archived run keeps its timeline"
    );
}

#[test]
fn a_busy_machine_is_said_under_the_runs_headline() {
    let (dir, spec) = small_suite(TWO_JOBS);
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    // The archived run, as if the machine had been busy.
    let archive = h.state().suites.history.entries[0].path.clone();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&archive).unwrap()).unwrap();
    v["warnings"] = serde_json::json!([
        "machine busy at the start: load average 3.1 on 2 cores; other work competes with the jobs, so figures may vary",
        "machine busy at the end: load average 2.9 on 2 cores; other work competes with the jobs, so figures may vary"
    ]);
    let busy = dir.path().join("busy.json");
    std::fs::write(&busy, v.to_string()).unwrap();
    h.state_mut().send(adhash::gui::Command::OpenRun(busy));
    step_until(&mut h, 20, "the busy run", |app| {
        app.suites.shown().is_some_and(|r| r.warnings.len() == 2)
    });
    h.run_steps(2);
    // One short label on the headline row; the whole text on hover.
    // Issue 27, item 7: what "(+1)" counts is said, not only on hover.
    assert!(label_exists(
        &h,
        "⚠ machine busy at the start (+1 more warning)"
    ));
}

/// Measuring until decisive: the jobs table shows each job's interval
/// against the target as the runs come in, and the run's end leaves it.
#[cfg(unix)]
#[test]
fn the_jobs_table_shows_each_interval_against_the_target() {
    let (dir, _) = small_suite(TWO_JOBS);
    let spec = dir.path().join("decisive.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\nuntil_ci_pct = 3\nmax_seconds = 60\n\
[[batch.jobs]]\nname = \"std\"\ncommand = \"run-csv\"\nmode = \"std\"\ncsv = \"w.csv\"\n\
[[batch.jobs]]\nname = \"alpha\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    )
    .unwrap();
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    h.run_steps(2);
    assert!(label_exists(&h, "Interval"));
    // The stand-in CLI's figures are all alike: both intervals close to
    // nothing at the 7 runs an interval needs.
    assert_eq!(h.query_all_by_label("±0.00% / ±3%").count(), 2);
    let run = h.state().suites.shown().unwrap();
    assert!(run.rows.iter().all(|r| r.live_width == Some(0.0)));
    assert!(
        run.result
            .as_ref()
            .unwrap()
            .jobs
            .iter()
            .all(|j| j.rounds == Some(7)),
        "7 rounds, then the target was met"
    );
}

/// Two interleaved runs with a std control: Compare shows each job's ×std
/// row (the one the gate reads) and marks the control.
#[cfg(unix)]
#[test]
fn compare_shows_the_normalised_rows_and_the_control() {
    let (dir, _) = small_suite(TWO_JOBS);
    let d = dir.path();
    let spec = d.join("paired.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\ninterleave = true\n\
[[batch.jobs]]\nname = \"std\"\ncommand = \"run-csv\"\nmode = \"std\"\ncsv = \"w.csv\"\nrepeat = 7\n\
[[batch.jobs]]\nname = \"alpha\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 7\n",
    )
    .unwrap();
    for behave in ["noisy", "noisy-slow"] {
        let o = std::process::Command::new(adhash_bin())
            .args(["batch", "--spec", spec.to_str().unwrap(), "--quiet"])
            .env("FAKE_BEHAVE", behave)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let mut h = suite_opened(&spec);
    settle(&mut h);
    h.get_by_label("Compare with previous").click();
    wait_for_comparison(&mut h);
    let c = h.state().suites.comparison().unwrap();
    let r = c.result.as_ref().unwrap().as_ref().unwrap();
    // Every job 30% slower raw; ×std unchanged: the gate passes.
    assert_eq!(r.jobs[1].verdict, Verdict::Slower);
    assert_eq!(r.jobs[1].gate_verdict(), Verdict::NoChange);
    assert!(r.regressions().is_empty(), "{:?}", r.regressions());
    assert!(label_exists(&h, "×std (gate)"));
    assert!(label_exists(&h, "std · control"));
    assert!(label_exists(&h, "7 / 7 rounds"));
}

/// Jobs on two CSVs: the table names each job's workload and ranks it
/// only against its own (each is the fastest of its CSV).
#[cfg(unix)]
#[test]
fn jobs_on_different_csvs_are_ranked_apart() {
    let (dir, _) = small_suite(TWO_JOBS);
    let d = dir.path();
    std::fs::copy(d.join("w.csv"), d.join("x.csv")).unwrap();
    let spec = d.join("two_csvs.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"slow-on-w\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"ok\"]\n\
[[batch.jobs]]\nname = \"fast-on-x\"\ncommand = \"run-csv\"\ncsv = \"x.csv\"\nextra_args = [\"--behave\", \"fast\"]\n",
    )
    .unwrap();
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    h.run_steps(2);
    assert!(label_exists(&h, "Workload"));
    assert!(label_exists(&h, "x.csv"));
    // 1,000 against 4,000 ops/s, but on different CSVs: both 0.0%.
    assert_eq!(h.query_all_by_label("0.0%").count(), 2);
    assert!(!label_exists(&h, "-75.0%"));
}

// ---- Issue 27: Mission Control, round 3 ----

/// Item 14: the export field offers each spec its own path; a file this
/// window did not write is replaced only when the user says so, and one it
/// wrote is replaced again without asking.
#[test]
fn exports_ask_before_replacing_a_file_they_did_not_write() {
    use adhash::gui::app::Written;
    use adhash::gui::{Command, ReportAction};
    let (dir, spec) = small_suite(TWO_JOBS);
    let (_other_dir, other) =
        small_suite("[[batch.jobs]]\nname = \"x\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n");
    let mut h = suite_opened(&spec);
    settle(&mut h);
    let offered = PathBuf::from(&h.state().state.export_input);
    assert_eq!(offered.file_name().unwrap(), "suite-export.html");
    assert!(offered.starts_with(std::fs::canonicalize(dir.path()).unwrap().join("out")));
    run_to_end(&mut h);
    let mine = dir.path().join("mine.md");
    std::fs::write(&mine, "my notes\n").unwrap();
    let export = |h: &mut Harness<'_, MissionControl>| {
        h.state_mut()
            .send(Command::Report(ReportAction::Export(mine.clone())));
        h.run_steps(2);
    };
    // Cancel keeps the file.
    export(&mut h);
    assert_eq!(
        h.state().pending_replace,
        Some((Written::Report, mine.clone()))
    );
    assert!(label_exists(&h, "Replace the file?"));
    h.get_by_label("Cancel").click();
    settle(&mut h);
    assert_eq!(h.state().pending_replace, None);
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my notes\n");
    // Replace writes the report over it.
    export(&mut h);
    h.get_by_label("Replace").click();
    step_until(&mut h, 20, "the export", |_| {
        std::fs::read_to_string(&mine)
            .unwrap()
            .starts_with("# Adaptive")
    });
    settle(&mut h);
    // Written by this window now: replaced again without a question.
    std::fs::write(&mine, "# Adaptive old\n").unwrap();
    export(&mut h);
    assert_eq!(h.state().pending_replace, None);
    step_until(&mut h, 20, "the second export", |_| {
        std::fs::read_to_string(&mine).unwrap() != "# Adaptive old\n"
    });
    // Another spec is offered its own path, not this one's; coming back
    // offers the path last used here.
    h.state_mut().send(Command::OpenSpec(other));
    settle(&mut h);
    let there = PathBuf::from(&h.state().state.export_input);
    assert_ne!(there, mine);
    assert_eq!(there.file_name().unwrap(), "suite-export.html");
    h.state_mut().send(Command::OpenSpec(spec));
    settle(&mut h);
    assert_eq!(PathBuf::from(&h.state().state.export_input), mine);
}

/// Items 15 and 18: a comparison stays with its spec across a switch to
/// another, and overlays each job's timelines before and after.
#[test]
fn a_comparison_survives_a_spec_switch() {
    let (_dir, spec) = small_suite(TWO_JOBS);
    let (_other_dir, other) =
        small_suite("[[batch.jobs]]\nname = \"x\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n");
    let mut h = suite_opened(&spec);
    settle(&mut h);
    // Archive names have one-second resolution: keep the runs apart.
    run_to_end(&mut h);
    std::thread::sleep(Duration::from_millis(1100));
    run_to_end(&mut h);
    settle(&mut h);
    h.get_by_label("Compare with previous").click();
    wait_for_comparison(&mut h);
    let before = h.state().suites.comparison().unwrap().clone();
    // Item 18: each job's timelines, before and after, on one chart.
    let names: Vec<&str> = before.timelines.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["run-std", "run-adaptive"]);
    assert!(
        before
            .timelines
            .iter()
            .all(|t| !t.old.is_empty() && !t.new.is_empty())
    );
    assert!(label_exists(&h, "Timelines, before and after"));
    h.state_mut().send(adhash::gui::Command::OpenSpec(other));
    settle(&mut h);
    assert!(
        h.state().suites.comparison().is_none(),
        "not another spec's"
    );
    h.state_mut().send(adhash::gui::Command::OpenSpec(spec));
    settle(&mut h);
    let after = h.state().suites.comparison().expect("kept with its spec");
    assert_eq!((&after.old, &after.new), (&before.old, &before.new));
    assert!(after.result.as_ref().is_some_and(|r| r.is_ok()));
}

/// Items 5 and 19: the Timeline shows the median run by default, says
/// which, and shows another on request; the jobs table opens a job to
/// show each run's figures.
#[test]
fn the_timeline_names_its_run_and_the_table_opens_a_job() {
    use adhash::gui::Command;
    let (_dir, spec) = small_suite(
        "[[batch.jobs]]\nname = \"ctl\"\ncommand = \"run-csv\"\nmode = \"std\"\ncsv = \"w.csv\"\nrepeat = 3\n",
    );
    let mut h = suite_opened(&spec);
    settle(&mut h);
    run_to_end(&mut h);
    h.run_steps(2);
    let row = &h.state().suites.rows()[0];
    let median = row
        .result
        .as_ref()
        .unwrap()
        .timeline_run
        .expect("a median run");
    assert_eq!(row.timeline_runs(), [1, 2, 3]);
    assert_eq!(row.timeline_of(None).0, Some(median));
    // The table: three runs under the job once it is opened.
    assert!(!label_exists(&h, "run 2"));
    h.get_by_label("+").click();
    h.run_steps(2);
    for k in 1..=3 {
        assert!(label_exists(&h, &format!("run {k}")), "run {k}");
    }
    // The Timeline says which run it draws.
    h.state_mut()
        .send(Command::SuiteView(adhash::gui::suites::SuiteView::Timeline));
    h.run_steps(3);
    assert!(label_exists(&h, &format!("run {median} (median)")));
    assert!(label_exists(&h, &format!("ctl, run {median}:")));
    let other = if median == 1 { 2 } else { 1 };
    h.get_by_label(&format!("run {other}")).click();
    h.run_steps(3);
    assert_eq!(h.state().suites.timeline_run, Some(other));
    assert!(label_exists(&h, &format!("ctl, run {other}:")));
}

/// Item 8: an interleaved suite shows each job's running median (marked
/// partial) and the runs made as rounds complete, not "0/2 jobs done" until
/// the end.
#[cfg(unix)]
#[test]
fn interleaved_suites_show_running_medians() {
    let (dir, _) = small_suite("");
    let spec = dir.path().join("rounds.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\ninterleave = true\n\
[[batch.jobs]]\nname = \"quick\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 3\n\
[[batch.jobs]]\nname = \"sleeper\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 3\nextra_args = [\"--behave\", \"sleep\"]\n",
    )
    .unwrap();
    let mut h = suite_opened(&spec);
    settle(&mut h);
    h.state_mut().send(adhash::gui::Command::Run);
    step_until(&mut h, 30, "the first round's quick run", |app| {
        app.suites.rows()[0].partial.is_some()
    });
    h.run_steps(2);
    assert!(label_exists(&h, "1,000 (partial 1/3)"));
    assert!(label_exists(&h, "1/6 runs"), "the headline counts runs");
    assert!(
        h.state()
            .suites
            .bars()
            .iter()
            .any(|b| b.name == "quick (partial: 1 runs)")
    );
    h.state_mut().send(adhash::gui::Command::Stop);
    step_until(&mut h, 30, "the stop", |app| !app.suites.is_running());
    // Stopped, the bars still show what was measured, with its mark.
    let bars = h.state().suites.bars();
    assert!(
        bars.iter()
            .any(|b| b.name == "quick (1/3 runs)" && !b.fastest),
        "{:?}",
        bars.iter().map(|b| &b.name).collect::<Vec<_>>()
    );
}

/// Items 4 and 20: the DNA tab names its verdict for what it judges (hash
/// spread), shows key popularity apart from it (a Zipf 1.1 workload spreads
/// its hashes uniformly yet one key takes a large share), and a bucket's
/// text gives the baseline's count for the same bucket.
#[test]
fn dna_tells_hash_spread_from_key_popularity() {
    let dir = tempfile::tempdir().unwrap();
    let zipf = write_csv(
        dir.path(),
        "zipf.csv",
        &["--ops", "60000", "--key-space", "5000", "--key-skew", "1.1"],
    );
    let uniform = write_csv(
        dir.path(),
        "uniform.csv",
        &["--ops", "60000", "--key-space", "5000"],
    );
    let mut h = dna_harness(Some(zipf), None);
    step_until(&mut h, 60, "the analysis", |app| app.dna.current.is_some());
    h.run_steps(3);
    assert!(label_exists(&h, "hash spread: UNIFORM"));
    assert!(label_exists(
        &h,
        "Key popularity: rank – frequency (log–log)"
    ));
    let kp = h
        .state()
        .dna
        .current
        .as_ref()
        .unwrap()
        .report
        .key_popularity
        .clone();
    assert!(kp.zipf_exponent > 0.9, "{kp:?}");
    assert!(label_exists(
        &h,
        &format!("Zipf exponent {:.2} · hottest 1% of keys", kp.zipf_exponent)
    ));
    // Against a uniform baseline, a bucket's text has both counts.
    let zr = h.state().dna.current.as_ref().unwrap().report.clone();
    h.state_mut().send(adhash::gui::Command::Dna(
        adhash::gui::dna_tab::DnaCommand::Analyze(uniform),
    ));
    step_until(&mut h, 60, "the second analysis", |app| {
        app.dna
            .current
            .as_ref()
            .is_some_and(|c| c.report.csv_path.ends_with("uniform.csv"))
    });
    let ur = h.state().dna.current.as_ref().unwrap().report.clone();
    let text = adhash::gui::dna_tab::bucket_text_beside(&ur, Some((&zr, "baseline")), 7);
    assert!(
        text.ends_with(&format!("; baseline: {} keys", zr.bucket_counts[7])),
        "{text}"
    );
}

/// Item 10: while a suite runs the window is redrawn only as often as what
/// it shows needs: the jobs every 1.5 s, the Timeline every 0.5 s, another
/// tab every 4 s; nothing animates (each animation frame is CPU taken from
/// the benchmark).
#[cfg(unix)]
#[test]
fn a_running_suite_is_redrawn_only_as_often_as_needed() {
    use adhash::gui::Command;
    use adhash::gui::suites::SuiteView;
    let (dir, _) = small_suite("");
    let spec = dir.path().join("slow.toml");
    std::fs::write(
        &spec,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/slow.md\"\n\
[[batch.jobs]]\nname = \"sleeper\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"sleep\"]\n",
    )
    .unwrap();
    let mut h = suite_opened(&spec);
    settle(&mut h);
    assert_eq!(
        h.ctx.style_of(egui::Theme::Dark).animation_time,
        0.0,
        "no animations"
    );
    h.state_mut().send(Command::Run);
    step_until(&mut h, 30, "the job to run", |app| {
        matches!(
            app.suites.rows().first().map(|r| &r.status),
            Some(RowStatus::Running { .. })
        )
    });
    let period = |h: &mut Harness<'_, MissionControl>, c: Command| {
        h.state_mut().send(c);
        h.run_steps(2);
        h.state().frame_period()
    };
    assert_eq!(
        period(&mut h, Command::SuiteView(SuiteView::Jobs)),
        Duration::from_millis(1500)
    );
    assert_eq!(
        period(&mut h, Command::SuiteView(SuiteView::Timeline)),
        Duration::from_millis(500)
    );
    assert_eq!(
        period(&mut h, Command::SwitchTab(Tab::Dna)),
        Duration::from_millis(4000)
    );
    h.state_mut().send(Command::Stop);
    step_until(&mut h, 30, "the stop", |app| !app.suites.is_running());
    // Idle again: background work (a history read, an export) is quick.
    h.run_steps(2);
    assert_eq!(h.state().frame_period(), Duration::from_millis(250));
}

/// Issue 27, item 12: at 960×600 a five-job spec shows all five rows (the
/// log panel starts smaller on a short window).
#[test]
fn five_jobs_fit_a_960_window() {
    let size = egui::Vec2::from(adhash::gui::MIN_WINDOW);
    let mut h = harness_sized(
        LaunchOptions {
            spec: Some(repo("docs/examples/batch_modes.toml")),
            ..Default::default()
        },
        None,
        size,
    );
    settle(&mut h);
    let rows: Vec<egui::Rect> = widgets(&h)
        .into_iter()
        .filter(|(l, _)| l == "Analyze")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(rows.len(), 5, "{rows:?}");
    let log = h.get_by_label("Jump to end").rect();
    for r in rows {
        assert!(
            r.bottom() <= log.top(),
            "a row under the log panel: {r:?} vs {log:?}"
        );
    }
}
