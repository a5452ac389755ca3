//! Issue 10: hostile input. Outputs never destroy inputs, no input makes
//! adhash panic, no process it starts outlives it. Each case runs the real
//! binary, as a user's script would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn adhash_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_adhash"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run adhash")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A folder with a small workload `w.csv`.
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("w.csv");
    let o = adhash_in(
        dir.path(),
        &["generate-csv", "--outfile", "w.csv", "--ops", "2000"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, csv)
}

fn assert_refused(o: &Output, input: &Path, what: &str) {
    assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(o));
    let err = stderr(o);
    assert!(
        err.contains(&input.display().to_string()) || err.contains("same file"),
        "{what}: the error names the paths: {err}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
}

#[test]
fn cli_outputs_never_replace_their_input() {
    let (dir, csv) = workdir();
    let before = std::fs::read(&csv).unwrap();
    let d = dir.path();
    // Directly, through a relative detour, and through a symlink.
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink(&csv, d.join("link.csv")).unwrap();
    for out in ["w.csv", "sub/../w.csv", "link.csv"] {
        let o = adhash_in(d, &["run-csv", "--csv", "w.csv", "--json-summary-out", out]);
        assert_refused(&o, &csv, out);
        let o = adhash_in(d, &["workload-dna", "--csv", "w.csv", "--json-out", out]);
        assert_refused(&o, &csv, out);
        // Refused even when only validating.
        let o = adhash_in(
            d,
            &[
                "run-csv",
                "--csv",
                "w.csv",
                "--dry-run",
                "--json-summary-out",
                out,
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    }
    // The metrics file may not be the input either.
    std::fs::create_dir(d.join("m")).unwrap();
    std::fs::copy(&csv, d.join("m/metrics.ndjson")).unwrap();
    let o = adhash_in(
        d,
        &[
            "run-csv",
            "--csv",
            "m/metrics.ndjson",
            "--metrics-out-dir",
            "m",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&csv).unwrap(),
        before,
        "the workload is intact"
    );
}

#[test]
fn outputs_to_devices_and_symlinks_are_written_not_replaced() {
    let (dir, _) = workdir();
    let d = dir.path();
    let o = adhash_in(
        d,
        &[
            "run-csv",
            "--csv",
            "w.csv",
            "--json-summary-out",
            "/dev/null",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    // A symlinked output: the link stays, its target gets the summary.
    std::os::unix::fs::symlink(d.join("real.json"), d.join("out.json")).unwrap();
    let o = adhash_in(
        d,
        &[
            "run-csv",
            "--csv",
            "w.csv",
            "--json-summary-out",
            "out.json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(d.join("out.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("real.json")).unwrap()).unwrap();
    assert_eq!(v["schema"], "adhash.run_summary.v1");
    // A folder as a file output is refused before any work.
    let o = adhash_in(d, &["generate-csv", "--outfile", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

fn write_spec(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("suite.toml");
    std::fs::write(&p, body).unwrap();
    p
}

const JOB: &str =
    "[[batch.jobs]]\nname = \"j\"\ncommand = \"run-csv\"\nmode = \"std\"\ncsv = \"w.csv\"\n";

#[test]
fn batch_outputs_never_replace_inputs_or_each_other() {
    let (dir, csv) = workdir();
    let d = dir.path();
    let csv_before = std::fs::read(&csv).unwrap();
    let cases = [
        ("report = \"suite.toml\"\n", "the spec"),
        ("report = \"w.csv\"\n", "csv"),
        ("json_report = \"w.csv\"\n", "csv"),
        (
            "report = \"r.md\"\nhtml_report = \"r.md\"\n",
            "are the same file",
        ),
        (
            "report = \"r.md\"\njson_report = \"r.md\"\n",
            "are the same file",
        ),
        ("report = \"\"\n", "is empty"),
        ("report = \".\"\n", "is a folder"),
        ("report = \"w.csv/x/r.md\"\n", "cannot be made"),
    ];
    for (batch, want) in cases {
        let body = format!("[batch]\n{batch}{JOB}");
        let spec = write_spec(d, &body);
        let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
        assert_eq!(o.status.code(), Some(2), "{batch}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{batch}: {}", stderr(&o));
        // Nothing ran, nothing was replaced.
        assert_eq!(std::fs::read_to_string(&spec).unwrap(), body);
        assert_eq!(std::fs::read(&csv).unwrap(), csv_before);
        assert!(!d.join("reports").exists());
    }
    // A job's summary may not be its CSV, nor another job's summary.
    let body = "[batch]\nreport = \"r.md\"\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\njson_summary = \"w.csv\"\n";
    write_spec(d, body);
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("job 'a' json_summary"),
        "{}",
        stderr(&o)
    );
    let body = "[batch]\nreport = \"r.md\"\n\
[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\njson_summary = \"s.json\"\n\
[[batch.jobs]]\nname = \"b\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\njson_summary = \"./s.json\"\n";
    write_spec(d, body);
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("are the same file"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&csv).unwrap(), csv_before);
    // A sound spec still runs.
    write_spec(d, &format!("[batch]\nreport = \"out/r.md\"\n{JOB}"));
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn huge_numbers_are_bad_input_not_panics() {
    let (dir, _) = workdir();
    let d = dir.path();
    for args in [
        vec!["run-csv", "--csv", "w.csv", "--compact-interval", "1e20"],
        vec![
            "run-csv",
            "--csv",
            "w.csv",
            "--compact-interval",
            "1e20",
            "--dry-run",
        ],
    ] {
        let o = adhash_in(d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}
