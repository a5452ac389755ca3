//! Issue 10: hostile input. Outputs never destroy inputs, no input makes
//! adhash panic, no process it starts outlives it. Each case runs the real
//! binary, as a user's script would.
// Child processes, signals and the stand-in CLI (tests/fixtures/fake_cli.sh,
// a shell script) are Unix things.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{ORIGINAL_BASELINE, processes_in};

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

fn wait_timeout(child: &mut std::process::Child, secs: u64) -> std::process::ExitStatus {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if std::time::Instant::now() > until {
            let _ = child.kill();
            panic!("adhash did not end within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A folder with a workload, the fake CLI and a spec whose one job sleeps.
fn sleeping_suite() -> tempfile::TempDir {
    let (dir, _) = workdir();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake_cli.sh"),
        dir.path().join("fake_cli.sh"),
    )
    .unwrap();
    write_spec(
        dir.path(),
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"sleeper\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"sleep\"]\n\
[[batch.jobs]]\nname = \"after\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    );
    dir
}

/// `adhash batch` on the suite in `d`, once its first job has printed its
/// first line (it is running): the process, the rest of its stdout, and
/// that line.
fn batch_started(
    d: &Path,
) -> (
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
    String,
) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_adhash"))
        .args(["batch", "--spec", "suite.toml"])
        .current_dir(d)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut out = std::io::BufReader::new(c.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut out, &mut first).unwrap();
    (c, out, first)
}

/// SIGKILL whatever still runs in `d` (what a test left on purpose).
#[cfg(target_os = "linux")]
fn kill_all_in(d: &Path) {
    for p in processes_in(d) {
        if let Some(pid) = p.split(':').next().and_then(|x| x.parse::<i32>().ok()) {
            // SAFETY: kill(2) on a pid read from /proc; no memory involved.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

#[test]
fn closed_or_full_outputs_end_quietly() {
    let (dir, _) = workdir();
    let d = dir.path();
    let run = |args: &[&str], stdout: std::process::Stdio| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_adhash"))
            .args(args)
            .current_dir(d)
            .stdout(stdout)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -0`: the reader is gone before anything is written.
        drop(c.stdout.take());
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked");
    };
    for args in [
        vec!["profile", "--csv", "w.csv", "--sample-rows", "500"],
        vec!["workload-dna", "--csv", "w.csv"],
        vec!["batch", "--list"],
        vec!["--json", "run-csv", "--csv", "w.csv"],
    ] {
        run(&args, std::process::Stdio::piped());
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        run(&args, std::process::Stdio::from(full));
    }
}

#[test]
fn batch_piped_into_head_cancels_its_jobs_cleanly() {
    let dir = sleeping_suite();
    let d = dir.path();
    let mut c = Command::new(env!("CARGO_BIN_EXE_adhash"))
        .args(["batch", "--spec", "suite.toml"])
        .current_dir(d)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: read the first line, then close the pipe.
    let mut first = String::new();
    let mut out = std::io::BufReader::new(c.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut out, &mut first).unwrap();
    assert!(first.contains("sleeper"), "{first}");
    drop(out);
    let status = wait_timeout(&mut c, 30);
    assert_eq!(status.code(), Some(1), "cancelled suite");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut c.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(d.join("out/r.md").exists(), "the report is still written");
    assert_eq!(
        common::processes_left_in(d, 20),
        Vec::<String>::new(),
        "orphans left"
    );
}

#[test]
fn sigterm_and_sighup_cancel_a_batch_like_ctrl_c() {
    // Issue 26, item 12: SIGQUIT, SIGUSR1/2 and SIGALRM (their default
    // ends the process with no report) cancel alike.
    for signal in [
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGQUIT,
        libc::SIGUSR1,
        libc::SIGUSR2,
        libc::SIGALRM,
    ] {
        let dir = sleeping_suite();
        let d = dir.path();
        let (mut c, mut out, _) = batch_started(d);
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        unsafe {
            libc::kill(c.id() as i32, signal);
        }
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut rest);
        let status = wait_timeout(&mut c, 30);
        assert_eq!(status.code(), Some(1), "signal {signal}");
        let md = std::fs::read_to_string(d.join("out/r.md")).unwrap();
        assert!(md.contains("Cancelled:"), "{md}");
        assert_eq!(
            common::processes_left_in(d, 20),
            Vec::<String>::new(),
            "orphans after signal {signal}"
        );
    }
}

#[test]
fn absurd_timeouts_are_bad_input() {
    let (dir, _) = workdir();
    for t in ["1e19", "9223372036854775807", "86401", "0", "-1", "nan"] {
        write_spec(
            dir.path(),
            &format!("[batch]\nreport = \"r.md\"\n{JOB}timeout_s = {t}\n"),
        );
        let o = adhash_in(dir.path(), &["batch", "--spec", "suite.toml"]);
        assert_eq!(o.status.code(), Some(2), "timeout_s = {t}: {}", stderr(&o));
        assert!(stderr(&o).contains("timeout_s"), "{}", stderr(&o));
    }
}

#[test]
fn numeric_flags_are_range_checked() {
    let (dir, _) = workdir();
    let d = dir.path();
    for args in [
        vec![
            "profile",
            "--csv",
            "w.csv",
            "--repeats",
            "18446744073709551615",
        ],
        vec!["profile", "--csv", "w.csv", "--repeats", "0"],
        vec!["run-csv", "--csv", "w.csv", "--latency-sample-k", "0"],
        vec!["run-csv", "--csv", "w.csv", "--latency-sample-every", "0"],
        vec!["run-csv", "--csv", "w.csv", "--metrics-max-ticks", "0"],
        vec!["workload-dna", "--csv", "w.csv", "--max-tracked-keys", "0"],
        vec![
            "workload-dna",
            "--csv",
            "w.csv",
            "--top-keys",
            "99999999999",
        ],
    ] {
        let o = adhash_in(d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
    // Under --json a flag error is the envelope (formats.md §3).
    let o = adhash_in(
        d,
        &["--json", "profile", "--csv", "w.csv", "--repeats", "0"],
    );
    assert_eq!(o.status.code(), Some(2));
    let line = stderr(&o);
    let v: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON line");
    assert_eq!(v["error"], "BadInput");
}

#[test]
fn summaries_that_are_fifos_or_absurd_are_refused_not_trusted() {
    let dir = sleeping_suite();
    let d = dir.path();
    // A FIFO where the summary should be: the runner must not block on it.
    let fifo = d.join("s.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    write_spec(
        d,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"fifo\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\njson_summary = \"s.fifo\"\nextra_args = [\"--behave\", \"nosummary\"]\n\
[[batch.jobs]]\nname = \"huge\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"absurd\"]\n\
[[batch.jobs]]\nname = \"neg\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"negative\"]\n",
    );
    let mut c = Command::new(env!("CARGO_BIN_EXE_adhash"))
        .args(["batch", "--spec", "suite.toml"])
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_timeout(&mut c, 30);
    assert!(status.code().is_some(), "ended normally");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/r.json")).unwrap()).unwrap();
    for j in v["jobs"].as_array().unwrap() {
        assert!(j["ops_per_second"].is_null(), "{j}");
    }
    let md = std::fs::read_to_string(d.join("out/r.md")).unwrap();
    assert!(md.contains("not a regular file"), "{md}");
    assert!(md.contains("invalid ops_per_second"), "{md}");
    assert!(
        !md.contains("000,000,000,000,000,000,000"),
        "no 300-digit numbers"
    );
}

#[test]
fn endless_or_huge_inputs_are_cut_off_at_their_limits() {
    let (dir, _) = workdir();
    let d = dir.path();
    let started = std::time::Instant::now();
    for args in [
        vec!["run-csv", "--csv", "/dev/zero", "--csv-max-bytes", "1000"],
        vec![
            "workload-dna",
            "--csv",
            "/dev/zero",
            "--csv-max-bytes",
            "1000",
        ],
        // Without a byte limit, a line without end is still cut at 1 MiB.
        vec![
            "run-csv",
            "--csv",
            "/dev/zero",
            "--csv-max-bytes",
            "0",
            "--dry-run",
        ],
        vec!["batch", "--spec", "/dev/zero"],
    ] {
        let o = adhash_in(d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
    assert!(started.elapsed().as_secs() < 20, "limits hit early");
    // A 10 MB key on one line: refused at once, naming the limit.
    let big = d.join("big.csv");
    let mut text = String::from("op,key,value\nput,");
    text.push_str(&"k".repeat(10 << 20));
    text.push_str(",1\n");
    std::fs::write(&big, text).unwrap();
    let o = adhash_in(d, &["run-csv", "--csv", "big.csv", "--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("longer than 1 MiB"), "{}", stderr(&o));
    // A missing spec is a missing input: I/O, exit 5 (formats.md §3).
    let o = adhash_in(d, &["batch", "--spec", "nope.toml"]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
}

#[test]
fn specs_speak_the_originals_contracts() {
    let (dir, _) = workdir();
    let d = dir.path();
    // Another tool's table is ignored with a warning; the suite runs.
    write_spec(
        d,
        &format!("[meta]\nowner = \"ci\"\n[batch]\nreport = \"out/r.md\"\n{JOB}"),
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("[meta]"), "{}", stderr(&o));
    // A misspelt field names the closest one.
    write_spec(
        d,
        "[batch]\nreport = \"out/r.md\"\n[[batch.jobs]]\nname = \"j\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nlatency_k = 3\n",
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `latency_sample_k`?"),
        "{}",
        stderr(&o)
    );
    // A flag the spec has a field for is refused in extra_args.
    write_spec(
        d,
        &format!("[batch]\nreport = \"out/r.md\"\n{JOB}extra_args = [\"--mode\", \"std\"]\n"),
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("use the job's `mode` field"),
        "{}",
        stderr(&o)
    );
    write_spec(
        d,
        &format!("[batch]\nreport = \"out/r.md\"\n{JOB}extra_args = [\"--csv=other.csv\"]\n"),
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(2));
    // `--json batch`: the outcome as one JSON object.
    write_spec(d, &format!("[batch]\nreport = \"out/r.md\"\n{JOB}"));
    let o = adhash_in(d, &["--json", "batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["ok"], true);
    assert_eq!(v["command"], "batch");
    assert!(
        v["reports"]["markdown"]
            .as_str()
            .unwrap()
            .ends_with("out/r.md")
    );
    assert!(v["history"].as_str().unwrap().contains("history/suite/"));
}

#[test]
fn an_original_hashmap_cli_py_beside_the_spec_is_its_cli() {
    let (dir, _) = workdir();
    let d = dir.path();
    // A stand-in for the original CLI: answers like it, records that it ran.
    std::fs::write(
        d.join("hashmap_cli.py"),
        "import sys, json\nargs = sys.argv[1:]\nopen('ran.txt', 'a').write(' '.join(args) + '\\n')\n\
if 'profile' in args:\n    print('fast-lookup')\nelse:\n    out = args[args.index('--json-summary-out') + 1] if '--json-summary-out' in args else None\n    \
if out:\n        json.dump({'ops_per_second': 1234.0, 'final_backend': 'chaining', 'latency_ms': {'overall': {'p99': 0.01}}}, open(out, 'w'))\n    print('ok')\n",
    )
    .unwrap();
    // The original's own example, unchanged in shape: no hashmap_cli field.
    write_spec(
        d,
        "[batch]\nreport = \"reports/batch_report.md\"\nhtml_report = \"reports/batch_report.html\"\n\
[[batch.jobs]]\nname = \"profile-uniform\"\ncommand = \"profile\"\ncsv = \"w.csv\"\n\
[[batch.jobs]]\nname = \"run-uniform\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nmode = \"adaptive\"\njson_summary = \"results/json/uniform.json\"\n",
    );
    let o = adhash_in(d, &["batch", "--list"]);
    assert!(o.status.success());
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hashmap_cli.py"),
        "the first line names the CLI: {}",
        stderr(&o)
    );
    let ran = std::fs::read_to_string(d.join("ran.txt")).unwrap();
    assert!(ran.contains("profile --csv w.csv"), "{ran}");
    assert!(
        ran.contains(
            "--mode adaptive run-csv --csv w.csv --json-summary-out results/json/uniform.json"
        ),
        "{ran}"
    );
    let md = std::fs::read_to_string(d.join("reports/batch_report.md")).unwrap();
    assert!(md.contains("| run-uniform | 1,234 |"), "{md}");
    assert!(md.contains("recommends fast-lookup"), "{md}");
}

#[test]
fn descendants_that_escape_the_job_group_are_killed_too() {
    let dir = sleeping_suite();
    let d = dir.path();
    write_spec(
        d,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"daemon\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"escape\"]\n",
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // `setsid sleep 300` left its process group and its parent exited:
    // as the subreaper, adhash found it and killed it.
    assert_eq!(
        common::processes_left_in(d, 20),
        Vec::<String>::new(),
        "an escaped daemon survived"
    );
}

/// A daemon started with an empty environment carries no job mark: the
/// subreaper alone finds it (its parent exits, it becomes ours) and kills it.
#[test]
fn a_daemon_without_the_mark_is_killed_by_the_subreaper() {
    let dir = sleeping_suite();
    let d = dir.path();
    write_spec(
        d,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"bare\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"escape-bare\"]\n",
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let left = common::processes_left_in(d, 20);
    for p in &left {
        let pid: i32 = p.split(':').next().unwrap().parse().unwrap();
        // SAFETY: kill(2) on a leftover of this test; no memory is involved.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    assert_eq!(left, Vec::<String>::new(), "an unmarked daemon survived");
}

/// Mission Control runs suites in its own process and is no subreaper (its
/// other children, a browser or a file dialog, are not a job's): the mark
/// each job run carries in its environment finds what escaped the group,
/// whether the job ended by itself or was cancelled.
#[test]
fn escaped_descendants_die_without_the_subreaper_too() {
    use adhash::batch::runner::{CancelToken, run_suite};
    let dir = sleeping_suite();
    let d = dir.path();
    let spec_path = write_spec(
        d,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"daemon\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"escape\"]\n\
[[batch.jobs]]\nname = \"daemon-then-sleep\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nextra_args = [\"--behave\", \"escape-sleep\"]\n",
    );
    let spec = adhash::batch::spec::load(&spec_path, None, Path::new(env!("CARGO_BIN_EXE_adhash")))
        .unwrap();
    let cancel = CancelToken::default();
    let (tx, rx) = crossbeam_channel::unbounded();
    let (s, c) = (spec.clone(), cancel.clone());
    let runner = std::thread::spawn(move || run_suite(&s, tx, std::sync::Arc::new(|| {}), c));
    // Cancel the second job once it sleeps (its daemon is out by then).
    for ev in rx.iter() {
        if let adhash::batch::runner::BatchEvent::Log { job: 1, line, .. } = &ev
            && line == "before sleep"
        {
            cancel.cancel();
        }
    }
    let result = runner.join().unwrap();
    assert_eq!(result.jobs[0].status.name(), "ok");
    assert_eq!(result.jobs[1].status.name(), "cancelled");
    assert_eq!(
        common::processes_left_in(d, 20),
        Vec::<String>::new(),
        "an escaped daemon survived"
    );
}

#[test]
fn cr_only_files_and_hostile_keys_get_clear_words() {
    let (dir, _) = workdir();
    let d = dir.path();
    // Classic-Mac line endings: read, and errors name the right line.
    std::fs::write(d.join("mac.csv"), "op,key,value\rput,a,1\rget,a,\r").unwrap();
    let o = adhash_in(d, &["run-csv", "--csv", "mac.csv", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::write(d.join("mac.csv"), "op,key,value\rput,a,1\rzap,a,\r").unwrap();
    let o = adhash_in(d, &["run-csv", "--csv", "mac.csv", "--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Unknown op 'zap' at line 3"),
        "{}",
        stderr(&o)
    );
    // Keys with escapes and huge lengths are cleaned and cut when shown.
    let key = format!("\u{1b}]0;pwned\u{7}{}", "k".repeat(500));
    let mut text = String::from("op,key,value\n");
    for _ in 0..50 {
        text.push_str(&format!("put,{key},1\n"));
    }
    std::fs::write(d.join("hostile.csv"), text).unwrap();
    let o = adhash_in(d, &["workload-dna", "--csv", "hostile.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains('\u{1b}'), "escape reached the terminal");
    assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
}

/// Run adhash in `dir` and return its peak RSS in KiB (from wait4).
fn peak_rss_kib(dir: &Path, args: &[&str]) -> i64 {
    #[allow(clippy::zombie_processes)] // reaped by wait4 below, for its rusage
    let child = Command::new(env!("CARGO_BIN_EXE_adhash"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    // SAFETY: a zeroed rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut status = 0;
    // SAFETY: wait4(2) on our own child, with out-pointers we own.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{args:?} failed: wait status {status:#x}"
    );
    usage.ru_maxrss
}

#[test]
fn dry_run_streams_instead_of_loading() {
    let (dir, _) = workdir();
    let d = dir.path();
    for (name, ops) in [("small.csv", "100000"), ("big.csv", "1000000")] {
        let o = adhash_in(
            d,
            &[
                "generate-csv",
                "--outfile",
                name,
                "--ops",
                ops,
                "--key-space",
                "200000",
            ],
        );
        assert!(o.status.success());
    }
    let dry = |csv| peak_rss_kib(d, &["run-csv", "--csv", csv, "--dry-run"]);
    let full = |csv| peak_rss_kib(d, &["--mode", "std", "run-csv", "--csv", csv]);
    // Validation holds a row at a time: ten times the rows, the same
    // memory. A replay holds the workload (8 bytes a row and its text), so
    // the same measurement does see it grow.
    let (dry_small, dry_big) = (dry("small.csv"), dry("big.csv"));
    let (full_small, full_big) = (full("small.csv"), full("big.csv"));
    assert!(
        dry_big < dry_small + 4096,
        "dry run peaked at {dry_small} KiB on 100k rows and {dry_big} KiB on 1M"
    );
    assert!(
        full_big > full_small + 8192,
        "a replay peaked at {full_small} KiB on 100k rows and {full_big} KiB on 1M"
    );
}

#[test]
fn the_three_reports_are_written_as_a_set() {
    let (dir, _) = workdir();
    let d = dir.path();
    // A first, good run.
    write_spec(
        d,
        &format!("[batch]\nreport = \"out/r.md\"\nhtml_report = \"out/r.html\"\n{JOB}"),
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md_before = std::fs::read_to_string(d.join("out/r.md")).unwrap();
    // Now the HTML report's folder takes no new files (/proc): nothing of
    // the set is replaced, the run says so with exit 5.
    write_spec(
        d,
        &format!("[batch]\nreport = \"out/r.md\"\nhtml_report = \"/proc/r.html\"\n{JOB}"),
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("out/r.md")).unwrap(),
        md_before
    );
    // And no temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".adhash-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_originals_baseline_spec_runs_unchanged() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not installed: skipped");
        return;
    }
    // The original repository's layout: CLI at the root, spec under docs/.
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::create_dir_all(r.join("docs/examples")).unwrap();
    std::fs::create_dir_all(r.join("data/workloads")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/workloads/w_uniform.csv"),
        r.join("data/workloads/w_uniform.csv"),
    )
    .unwrap();
    std::fs::write(
        r.join("hashmap_cli.py"),
        "import sys, json\nargs = sys.argv[1:]\nopen('cli_calls.txt', 'a').write(' '.join(args) + '\\n')\n\
if 'profile' in args:\n    print('fast-lookup')\nelse:\n    out = args[args.index('--json-summary-out') + 1]\n    \
json.dump({'ops_per_second': 4321.0, 'final_backend': 'robinhood', 'latency_ms': {'overall': {'p99': 0.02}}}, open(out, 'w'))\n    print('done')\n",
    )
    .unwrap();
    std::fs::write(
        r.join("docs/examples/batch_baseline.toml"),
        ORIGINAL_BASELINE,
    )
    .unwrap();
    let o = adhash_in(r, &["batch", "--spec", "docs/examples/batch_baseline.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The jobs ran in the spec's folder with the original's command lines.
    let calls = std::fs::read_to_string(r.join("docs/examples/cli_calls.txt")).unwrap();
    assert!(
        calls.contains("profile --csv ../../data/workloads/w_uniform.csv"),
        "{calls}"
    );
    assert!(
        calls.contains(
            "--mode adaptive run-csv --csv ../../data/workloads/w_uniform.csv \
--json-summary-out ../../results/json/batch_uniform.json --latency-sample-k 2000 --latency-sample-every 64"
        ),
        "{calls}"
    );
    let md = std::fs::read_to_string(r.join("reports/batch_baseline.md")).unwrap();
    assert!(md.starts_with("# Adaptive Hash Map Batch Report\n\nGenerated: "));
    assert!(md.contains("| run-uniform | run-csv | ✅ |"), "{md}");
    assert!(md.contains("4,321"), "{md}");
    assert!(r.join("reports/batch_baseline.html").exists());
    assert!(r.join("results/json/batch_uniform.json").exists());
}

/// The original repository's two bundled specs as it ships them (no
/// `hashmap_cli` field: its default, a `hashmap_cli.py` beside the spec).
const ORIGINAL_SPECS: [(&str, &str); 2] = [
    (
        "batch_baseline.toml",
        "[batch]\nreport = \"../../reports/batch_baseline.md\"\nhtml_report = \"../../reports/batch_baseline.html\"\n\n\
[[batch.jobs]]\nname = \"profile-uniform\"\ncommand = \"profile\"\ncsv = \"../../data/workloads/w_uniform.csv\"\n\n\
[[batch.jobs]]\nname = \"run-uniform\"\ncommand = \"run-csv\"\ncsv = \"../../data/workloads/w_uniform.csv\"\n\
json_summary = \"../../results/json/batch_uniform.json\"\nlatency_sample_k = 2000\nlatency_sample_every = 64\n",
    ),
    (
        "batch_compaction.toml",
        "[batch]\nreport = \"../../reports/batch_compaction.md\"\nhtml_report = \"../../reports/batch_compaction.html\"\n\n\
[[batch.jobs]]\nname = \"profile-skew\"\ncommand = \"profile\"\ncsv = \"../../data/workloads/w_skew_adv.csv\"\n\n\
[[batch.jobs]]\nname = \"run-skew-compaction\"\ncommand = \"run-csv\"\ncsv = \"../../data/workloads/w_skew_adv.csv\"\n\
json_summary = \"../../results/json/batch_compaction.json\"\nlatency_sample_k = 3000\nlatency_sample_every = 32\n\
extra_args = [\"--compact-interval\", \"2.0\"]\n",
    ),
];

#[test]
fn the_originals_two_bundled_specs_run_unchanged_against_its_cli() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not installed: skipped");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let examples = r.join("docs/examples");
    std::fs::create_dir_all(&examples).unwrap();
    std::fs::create_dir_all(r.join("data/workloads")).unwrap();
    for csv in ["w_uniform.csv", "w_skew_adv.csv"] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data/workloads")
                .join(csv),
            r.join("data/workloads").join(csv),
        )
        .unwrap();
    }
    // A stand-in for the original CLI, beside the specs: it answers like the
    // original and records its arguments.
    std::fs::write(
        examples.join("hashmap_cli.py"),
        "import sys, json\nargs = sys.argv[1:]\nopen('cli_calls.txt', 'a').write(' '.join(args) + '\\n')\n\
if 'profile' in args:\n    print('fast-lookup')\nelse:\n    out = args[args.index('--json-summary-out') + 1]\n    \
json.dump({'ops_per_second': 4321.0, 'final_backend': 'robinhood', 'latency_ms': {'overall': {'p99': 0.02}}}, open(out, 'w'))\n    print('done')\n",
    )
    .unwrap();
    for (name, text) in ORIGINAL_SPECS {
        std::fs::write(examples.join(name), text).unwrap();
    }
    // --list (from the repository root, as the original documents it) says
    // which CLI each drives.
    let o = adhash_in(r, &["batch", "--list"]);
    let list = String::from_utf8_lossy(&o.stdout).into_owned();
    for (name, _) in ORIGINAL_SPECS {
        let line = list
            .lines()
            .find(|l| {
                l.contains(&format!("docs/examples/{name}"))
                    && !l.contains(env!("CARGO_MANIFEST_DIR"))
            })
            .unwrap_or_else(|| panic!("{name} not listed: {list}"));
        assert!(
            line.contains("hashmap_cli.py"),
            "--list names the CLI: {line}"
        );
    }
    for (name, _) in ORIGINAL_SPECS {
        let spec = format!("docs/examples/{name}");
        let o = adhash_in(r, &["batch", "--spec", &spec]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("hashmap_cli.py"), "{}", stderr(&o));
    }
    let calls = std::fs::read_to_string(examples.join("cli_calls.txt")).unwrap();
    for want in [
        "profile --csv ../../data/workloads/w_uniform.csv",
        "--mode adaptive run-csv --csv ../../data/workloads/w_uniform.csv --json-summary-out ../../results/json/batch_uniform.json --latency-sample-k 2000 --latency-sample-every 64",
        "profile --csv ../../data/workloads/w_skew_adv.csv",
        "--mode adaptive run-csv --csv ../../data/workloads/w_skew_adv.csv --json-summary-out ../../results/json/batch_compaction.json --latency-sample-k 3000 --latency-sample-every 32 --compact-interval 2.0",
    ] {
        assert!(calls.contains(want), "missing `{want}` in\n{calls}");
    }
    for stem in ["batch_baseline", "batch_compaction"] {
        let md = std::fs::read_to_string(r.join(format!("reports/{stem}.md"))).unwrap();
        assert!(md.starts_with("# Adaptive Hash Map Batch Report\n\nGenerated: "));
        assert!(
            md.contains("4,321") && md.contains("recommends fast-lookup"),
            "{md}"
        );
        assert!(r.join(format!("reports/{stem}.html")).exists());
    }
}

/// Exit codes 3 (an invariant broken: a map lost a key) and 4 (an internal
/// error: a worker thread died) cannot be reached from any input, so the
/// binary is made to fail through its fault hook (`ADHASH_FAULT`, debug
/// builds only: src/fault.rs) and must report it as formats.md §3 says.
#[test]
#[cfg(debug_assertions)]
fn invariant_and_internal_failures_exit_3_and_4() {
    let (dir, _) = workdir();
    let run = |fault: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_adhash"))
            .args(args)
            .current_dir(dir.path())
            .env("ADHASH_FAULT", fault)
            .output()
            .unwrap()
    };
    for mode in ["fast-insert", "fast-lookup", "adaptive", "std"] {
        let o = run("lose-key", &["--mode", mode, "run-csv", "--csv", "w.csv"]);
        assert_eq!(o.status.code(), Some(3), "{mode}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("final state: key 'K"),
            "{mode}: {}",
            stderr(&o)
        );
    }
    let o = run("lose-key", &["--json", "run-csv", "--csv", "w.csv"]);
    assert_eq!(o.status.code(), Some(3));
    let env: serde_json::Value = serde_json::from_str(stderr(&o).lines().last().unwrap()).unwrap();
    assert_eq!(env["error"], "Invariant");
    assert_eq!(env["level"], "ERROR");

    let o = run(
        "parser-panic",
        &["--json", "workload-dna", "--csv", "w.csv"],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let env: serde_json::Value = serde_json::from_str(stderr(&o).lines().last().unwrap()).unwrap();
    assert_eq!(env["error"], "Policy");
    assert!(env["detail"].as_str().unwrap().contains("parsing thread"));

    let spec = write_spec(
        dir.path(),
        "[batch]\nhistory = false\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    );
    let o = run("runner-panic", &["batch", "--spec", spec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("the batch runner thread panicked"));
    // Without the hook the same commands succeed: the faults are the hook's.
    let o = adhash_in(dir.path(), &["run-csv", "--csv", "w.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Issue 26, items 7 and 11: an argument may be any bytes (never a
/// panic), and an output path ending in '/' names a folder: refused, even
/// where a file of that name exists, which stays as it was.
#[test]
fn odd_bytes_and_trailing_slashes_are_refused_cleanly() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (dir, csv) = workdir();
    let d = dir.path();
    let run = |args: &[&OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_adhash"))
            .args(args)
            .current_dir(d)
            .output()
            .unwrap()
    };
    let bad = OsStr::from_bytes(b"caf\xe9.csv");
    // --version wins over what follows it (exit 0); the others are flag
    // errors (exit 2, the JSON envelope under --json).
    for (args, code) in [
        (vec![OsStr::new("--version"), OsStr::from_bytes(b"\xff")], 0),
        (
            vec![
                OsStr::new("run-csv"),
                OsStr::new("--csv"),
                bad,
                OsStr::new("--bogus"),
            ],
            2,
        ),
        (
            vec![
                OsStr::new("--json"),
                OsStr::new("run-csv"),
                OsStr::new("--csv"),
                bad,
                OsStr::new("--bogus"),
            ],
            2,
        ),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
    // A path of any bytes is a path: a missing one is exit 5, not a panic.
    let o = run(&[OsStr::new("run-csv"), OsStr::new("--csv"), bad]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));

    std::fs::write(d.join("data"), "keep me").unwrap();
    let csv = csv.to_str().unwrap();
    for args in [
        vec![
            "--mode",
            "std",
            "run-csv",
            "--csv",
            csv,
            "--json-summary-out",
            "data/",
        ],
        vec!["generate-csv", "--outfile", "data/", "--ops", "10"],
        vec!["workload-dna", "--csv", csv, "--json-out", "data/"],
    ] {
        let o = adhash_in(d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("ends with '/'"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert_eq!(std::fs::read_to_string(d.join("data")).unwrap(), "keep me");
    }
    for field in ["report", "html_report", "json_report"] {
        let spec = write_spec(
            d,
            &format!(
                "[batch]\n{field} = \"data/\"\n[[batch.jobs]]\nname = \"a\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n"
            ),
        );
        let o = adhash_in(d, &["batch", "--spec", spec.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{field}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("`{field}` ends with '/'")),
            "{}",
            stderr(&o)
        );
        assert_eq!(std::fs::read_to_string(d.join("data")).unwrap(), "keep me");
    }
}

/// Issue 26, item 8: a JSON report that is a device writes no history in
/// `/dev`: the run is archived under the spec's own folder.
#[test]
fn history_beside_a_device_report_goes_under_the_spec() {
    let (dir, _) = workdir();
    let d = dir.path();
    let spec = write_spec(
        d,
        &format!("[batch]\nreport = \"out/r.md\"\njson_report = \"/dev/null\"\n{JOB}"),
    );
    let o = adhash_in(d, &["batch", "--spec", spec.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!Path::new("/dev/history").exists());
    let runs: Vec<_> = std::fs::read_dir(d.join("history/suite"))
        .unwrap()
        .collect();
    assert_eq!(runs.len(), 1, "archived under the spec's folder");
}

/// Issue 26, item 5: the log file is an output like the others: never a
/// job's CSV, nor the event log, nor the summary; nothing is written.
#[test]
fn the_log_file_never_replaces_an_input_or_another_output() {
    let (dir, csv) = workdir();
    let d = dir.path();
    let before = std::fs::read(&csv).unwrap();
    let spec = write_spec(d, &format!("[batch]\nreport = \"out/r.md\"\n{JOB}"));
    let spec = spec.to_str().unwrap();
    for args in [
        vec!["--log-file", "w.csv", "batch", "--spec", spec],
        vec![
            "--log-file",
            "lg.txt",
            "batch",
            "--spec",
            spec,
            "--events-out",
            "lg.txt",
        ],
        vec!["--log-file", "out/r.md", "batch", "--spec", spec],
        vec![
            "--log-file",
            "s.json",
            "run-csv",
            "--csv",
            "w.csv",
            "--json-summary-out",
            "s.json",
        ],
        vec![
            "--log-file",
            "g.csv",
            "generate-csv",
            "--outfile",
            "g.csv",
            "--ops",
            "10",
        ],
    ] {
        let o = adhash_in(d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("--log-file"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    assert_eq!(std::fs::read(&csv).unwrap(), before, "the CSV is untouched");
    for f in ["lg.txt", "s.json", "g.csv", "out/r.md"] {
        assert!(!d.join(f).exists(), "{f} was not written");
    }
    // A log file of its own is fine.
    let o = adhash_in(
        d,
        &["--log-file", "run.log", "batch", "--spec", spec, "--quiet"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Issue 26, item 14: text from a spec is shown on one line, so a
/// description cannot forge a line of adhash's own.
#[test]
fn spec_text_cannot_forge_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("docs/examples")).unwrap();
    std::fs::write(
        d.join("docs/examples/forge.toml"),
        "[batch]\ndescription = \"honest\\n[1/1] fake: ok in 0.01 s\"\n[[batch.jobs]]\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    )
    .unwrap();
    let o = adhash_in(d, &["batch", "--list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!out.lines().any(|l| l.starts_with("[1/1]")), "{out}");
    assert!(out.contains("honest [1/1] fake: ok in 0.01 s"), "{out}");
}

/// Issue 26, item 12: `kill -9` of adhash cannot be caught, but its job
/// dies with it (PR_SET_PDEATHSIG) instead of running on as an orphan.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_runner_takes_its_job_along() {
    let dir = sleeping_suite();
    let d = dir.path();
    let (mut c, _out, first) = batch_started(d);
    assert!(first.contains("before sleep"), "{first}");
    c.kill().unwrap();
    c.wait().unwrap();
    // The job (and the sleep it runs, in its group) end within moments.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let left: Vec<String> = processes_in(d)
            .into_iter()
            .filter(|p| p.contains("fake_cli.sh"))
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < until, "orphans: {left:?}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // What the job itself started (its `sleep`) is out of PDEATHSIG's
    // reach, as formats.md says: the test ends it.
    kill_all_in(d);
}

/// Issue 26, item 13: a batch killed outright leaves its scratch folder
/// (named with its pid); the next batch removes it, and what a running
/// adhash holds stays.
#[cfg(target_os = "linux")]
#[test]
fn the_next_batch_cleans_what_a_killed_one_left() {
    let dir = sleeping_suite();
    let d = dir.path();
    let (mut c, _out, _) = batch_started(d);
    let pid = c.id();
    let scratch: Vec<PathBuf> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("adhash-batch-{pid}-")))
        })
        .collect();
    assert_eq!(scratch.len(), 1, "one scratch folder, named with the pid");
    c.kill().unwrap();
    c.wait().unwrap();
    assert!(scratch[0].exists(), "SIGKILL leaves it");
    // A stale temporary file beside the reports, of the same dead pid.
    std::fs::create_dir_all(d.join("out")).unwrap();
    let half = d.join(format!("out/.adhash-tmp-{pid}-x"));
    std::fs::write(&half, "half a report").unwrap();
    // The next suite (one quick job) cleans both.
    write_spec(
        d,
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"quick\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n",
    );
    let o = adhash_in(d, &["batch", "--spec", "suite.toml", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !scratch[0].exists(),
        "the dead run's scratch folder is gone"
    );
    assert!(!half.exists(), "the dead run's temporary file is gone");
    kill_all_in(d);
}

/// Issue 26, item 6: one report of the set going to a device that fails
/// (`/dev/full`) leaves every file report as it was: all or none.
#[cfg(target_os = "linux")]
#[test]
fn a_failing_device_in_the_report_set_replaces_no_file() {
    let (dir, _) = workdir();
    let d = dir.path();
    let spec = write_spec(
        d,
        &format!("[batch]\nreport = \"out/r.md\"\ndescription = \"first\"\n{JOB}"),
    );
    let o = adhash_in(d, &["batch", "--spec", spec.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (md, json) = (
        std::fs::read(d.join("out/r.md")).unwrap(),
        std::fs::read(d.join("out/r.json")).unwrap(),
    );
    write_spec(
        d,
        &format!(
            "[batch]\nreport = \"out/r.md\"\nhtml_report = \"/dev/full\"\ndescription = \"second\"\n{JOB}"
        ),
    );
    let o = adhash_in(d, &["batch", "--spec", spec.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(d.join("out/r.md")).unwrap(),
        md,
        "r.md untouched"
    );
    assert_eq!(
        std::fs::read(d.join("out/r.json")).unwrap(),
        json,
        "r.json untouched"
    );
}
