//! `adhash compare` (formats.md §9) end to end: real suites run twice by the real
//! binary against the fake CLI, archived in the history, then compared.
// Child processes, signals and the stand-in CLI (tests/fixtures/fake_cli.sh,
// a shell script) are Unix things.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn adhash_in(dir: &Path, args: &[&str]) -> Output {
    adhash_behaving(dir, args, "ok")
}

/// adhash with the stand-in CLI behaving as `behave` says.
fn adhash_behaving(dir: &Path, args: &[&str], behave: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_adhash"))
        .args(args)
        .env("FAKE_BEHAVE", behave)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Rows of the text table whose verdict is `v`.
fn verdicts(out: &str, v: &str) -> usize {
    out.lines().filter(|l| l.ends_with(v)).count()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A suite of two jobs, four runs each, whose figures come from `behave`
/// (the stand-in CLI reads it from the environment: the command lines are
/// the same whatever it does, as with a rebuilt CLI).
fn run_suite(dir: &Path, behave: &str) -> PathBuf {
    std::fs::write(
        dir.join("suite.toml"),
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"alpha\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 4\n\
[[batch.jobs]]\nname = \"beta\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 4\n",
    )
    .unwrap();
    let before = history(dir);
    let o = adhash_behaving(dir, &["batch", "--spec", "suite.toml", "--quiet"], behave);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let after = history(dir);
    assert_eq!(after.len(), before.len() + 1, "one history entry a run");
    after.into_iter().find(|p| !before.contains(p)).unwrap()
}

fn history(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("out/history/suite"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake_cli.sh"),
        dir.path().join("fake_cli.sh"),
    )
    .unwrap();
    std::fs::write(dir.path().join("w.csv"), "op,key,value\nput,a,1\n").unwrap();
    dir
}

#[test]
fn a_run_against_itself_is_no_change_and_a_slower_cli_is_slower() {
    let dir = workdir();
    let d = dir.path();
    let first = run_suite(d, "noisy");
    let second = run_suite(d, "noisy");
    let slow = run_suite(d, "noisy-slow");
    let (first, second, slow) = (
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        slow.to_str().unwrap(),
    );

    let o = adhash_in(d, &["compare", first, first, "--fail-on-regression"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(verdicts(&out, "no change"), 2, "{out}");
    assert!(
        out.contains("alpha") && out.contains("beta") && out.contains("0.0%"),
        "{out}"
    );

    // Two runs of the same CLI: its figures vary by under 1%, inside the
    // 2% threshold.
    let o = adhash_in(d, &["compare", first, second]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        verdicts(&text(&o.stdout), "slower"),
        0,
        "{}",
        text(&o.stdout)
    );

    // A CLI 30% slower: `slower` with an interval below zero; a CI gate fails.
    let o = adhash_in(d, &["compare", first, slow]);
    assert_eq!(o.status.code(), Some(0), "no gate, no failure");
    let o = adhash_in(d, &["compare", first, slow, "--fail-on-regression"]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert_eq!(verdicts(&out, "slower"), 2, "{out}");
    assert!(out.contains("(4 → 4 runs)"), "{out}");

    // Every --out format, and the JSON contract.
    for ext in ["md", "html", "json"] {
        let out = d.join(format!("cmp.{ext}"));
        let o = adhash_in(d, &["compare", first, slow, "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert!(std::fs::read_to_string(&out).unwrap().contains("slower"));
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("cmp.json")).unwrap()).unwrap();
    assert_eq!(v["schema"], "adhash.batch_compare.v2");
    assert_eq!(v["jobs"][0]["name"], "alpha");
    assert_eq!(v["jobs"][0]["verdict"], "slower");
    assert_eq!(v["jobs"][0]["old_runs"], 4);
    assert!(v["jobs"][0]["ci_high_pct"].as_f64().unwrap() < 0.0);
    assert!(v["jobs"][0]["delta_pct"].as_f64().unwrap() < -20.0);
    assert_eq!(v["threshold_pct"], 2.0);
    assert!(v["old"]["environment"]["logical_cores"].as_u64().unwrap() >= 1);

    // --json: the comparison in the envelope on stdout.
    let o = adhash_in(d, &["--json", "compare", first, slow]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["ok"].clone(), v["command"].clone()),
        (true.into(), "compare".into())
    );
    assert_eq!(v["jobs"][1]["verdict"], "slower");

    // Another command line (here another CLI flag) is another benchmark:
    // not comparable, whatever the figures.
    std::fs::write(
        d.join("suite.toml"),
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\n\
[[batch.jobs]]\nname = \"alpha\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 4\nmode = \"std\"\n",
    )
    .unwrap();
    let before = history(d);
    let o = adhash_behaving(d, &["batch", "--spec", "suite.toml", "--quiet"], "noisy");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let std_run = history(d)
        .into_iter()
        .find(|p| !before.contains(p))
        .unwrap();
    let o = adhash_in(d, &["compare", first, std_run.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["jobs"][0]["verdict"], "not comparable", "{v}");
    assert_eq!(v["jobs"][0]["comparable"], false);
    assert!(
        v["jobs"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("--mode std")
    );
    assert_eq!(v["jobs"][1]["verdict"], "only in old");

    // Export for trackers: both formats parse and carry every job; --out
    // may not be the report.
    let o = adhash_in(d, &["export", "--format", "bmf", first]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["alpha"]["throughput"]["value"].as_f64().unwrap() > 0.0,
        "{v}"
    );
    assert!(
        v["beta"]["throughput"].get("lower_value").is_none(),
        "4 runs are too few for an interval of the median (7 are needed)"
    );
    let o = adhash_in(d, &["export", "--format", "gab", first]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[1]["name"], "beta");
    assert_eq!(v[1]["unit"], "ops/s");
    let o = adhash_in(d, &["export", "--format", "gab", first, "--out", first]);
    assert_eq!(o.status.code(), Some(2));

    // A large threshold turns the difference into no change.
    let o = adhash_in(d, &["compare", first, slow, "--threshold", "50"]);
    assert_eq!(verdicts(&text(&o.stdout), "no change"), 2);
}

#[test]
fn compare_refuses_bad_input_and_never_overwrites_a_report() {
    let dir = workdir();
    let d = dir.path();
    let run = run_suite(d, "noisy");
    let run = run.to_str().unwrap();
    let before = std::fs::read(run).unwrap();
    // --out onto an input: exit 2, naming both; the report is untouched.
    let o = adhash_in(d, &["compare", run, run, "--out", run]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(run).unwrap(), before);
    // Unknown --out extension, bad threshold: exit 2, nothing written.
    let o = adhash_in(d, &["compare", run, run, "--out", "cmp.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains(".txt"), "{}", text(&o.stderr));
    assert!(!d.join("cmp.txt").exists());
    for bad in ["-1", "101", "nan", "x"] {
        let o = adhash_in(d, &["compare", run, run, "--threshold", bad]);
        assert_eq!(o.status.code(), Some(2), "--threshold {bad}");
    }
    // A missing report is an I/O error (5); something that is not a batch
    // report is bad input (2); each names the file.
    let o = adhash_in(d, &["compare", "nope.json", run]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("nope.json"));
    std::fs::write(d.join("other.json"), "{\"schema\": \"something.else\"}").unwrap();
    let o = adhash_in(d, &["compare", run, "other.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("other.json"),
        "{}",
        text(&o.stderr)
    );
    // A closed stdout ends it quietly.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' compare '{run}' '{run}' | head -c 0",
            env!("CARGO_BIN_EXE_adhash")
        ))
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!text(&o.stderr).contains("panicked"), "{}", text(&o.stderr));
}

/// Baselines and `compare --spec`: the newest run against a named
/// baseline, or against the previous complete and comparable run (a run
/// with a failed job is passed over); names and missing baselines are
/// checked before anything runs.
#[test]
fn baselines_and_compare_with_the_previous_comparable_run() {
    let dir = workdir();
    let d = dir.path();
    let first = run_suite(d, "noisy");
    // Save the second run as baseline "main".
    let before = history(d);
    let o = adhash_behaving(
        d,
        &[
            "batch",
            "--spec",
            "suite.toml",
            "--quiet",
            "--save-baseline",
            "main",
        ],
        "noisy",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let second = history(d)
        .into_iter()
        .find(|p| !before.contains(p))
        .unwrap();
    let baseline = d.join("out/history/suite/baselines/main.json");
    assert_eq!(
        std::fs::read(&baseline).unwrap(),
        std::fs::read(&second).unwrap()
    );
    assert!(
        text(&o.stdout).contains("baseline: "),
        "{}",
        text(&o.stdout)
    );
    // A run whose jobs crash is complete in no sense: passed over.
    let before = history(d);
    let o = adhash_behaving(d, &["batch", "--spec", "suite.toml", "--quiet"], "crash");
    assert_eq!(o.status.code(), Some(1));
    let crashed = history(d)
        .into_iter()
        .find(|p| !before.contains(p))
        .unwrap();
    // The newest run: 30% slower.
    let slow = run_suite(d, "noisy-slow");
    let o = adhash_in(d, &["--json", "compare", "--spec", "suite.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let same = |v: &serde_json::Value, p: &Path| {
        std::fs::canonicalize(d.join(v.as_str().unwrap())).unwrap()
            == std::fs::canonicalize(p).unwrap()
    };
    assert!(
        same(&v["old"]["path"], &second),
        "the crashed run is skipped: {v}"
    );
    assert!(same(&v["new"]["path"], &slow));
    assert_eq!(v["jobs"][0]["verdict"], "slower");
    // Against the baseline, and against a named NEW.
    let o = adhash_in(
        d,
        &[
            "--json",
            "compare",
            "--spec",
            "suite.toml",
            "--baseline",
            "main",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(same(&v["old"]["path"], &baseline));
    let o = adhash_in(
        d,
        &[
            "--json",
            "compare",
            "--spec",
            "suite.toml",
            second.to_str().unwrap(),
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(same(&v["old"]["path"], &first));
    assert!(
        !v.to_string()
            .contains(crashed.file_name().unwrap().to_str().unwrap())
    );
    // A new save keeps the one it replaces.
    let o = adhash_behaving(
        d,
        &[
            "batch",
            "--spec",
            "suite.toml",
            "--quiet",
            "--save-baseline",
            "main",
        ],
        "noisy",
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read(d.join("out/history/suite/baselines/main.prev.json")).unwrap(),
        std::fs::read(&second).unwrap()
    );
    // An incomplete run never becomes the baseline.
    let o = adhash_behaving(
        d,
        &[
            "batch",
            "--spec",
            "suite.toml",
            "--quiet",
            "--save-baseline",
            "main",
        ],
        "crash",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("baseline `main` not saved"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        std::fs::read(d.join("out/history/suite/baselines/main.prev.json")).unwrap(),
        std::fs::read(&second).unwrap(),
        "the baselines are as they were"
    );
    // Bad input: nothing runs, nothing is archived.
    let before = history(d);
    for bad in ["../x", ".hidden", "", "a/b"] {
        let o = adhash_in(
            d,
            &["batch", "--spec", "suite.toml", "--save-baseline", bad],
        );
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o.stderr));
    }
    assert_eq!(history(d), before);
    let o = adhash_in(
        d,
        &["compare", "--spec", "suite.toml", "--baseline", "nope"],
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("no baseline `nope`"));
    let o = adhash_in(
        d,
        &["compare", first.to_str().unwrap(), "--baseline", "main"],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = adhash_in(d, &["compare", first.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("OLD.json NEW.json"),
        "{}",
        text(&o.stderr)
    );
}

/// Two jobs of one interleaved report, judged on their paired rounds (the
/// A/B comparison): against the std control by default, or a named job;
/// jobs on different CSVs are refused. The report's JSON carries each
/// job's ×std too.
#[test]
fn two_jobs_of_one_report_are_judged_on_paired_rounds() {
    let dir = workdir();
    let d = dir.path();
    std::fs::write(d.join("x.csv"), "op,key,value\nput,b,2\n").unwrap();
    std::fs::write(
        d.join("suite.toml"),
        "[batch]\nhashmap_cli = \"fake_cli.sh\"\nreport = \"out/r.md\"\ninterleave = true\n\
[[batch.jobs]]\nname = \"std\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nmode = \"std\"\nrepeat = 7\n\
[[batch.jobs]]\nname = \"alpha\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\nrepeat = 7\n\
[[batch.jobs]]\nname = \"other\"\ncommand = \"run-csv\"\ncsv = \"x.csv\"\nrepeat = 7\n",
    )
    .unwrap();
    let o = adhash_in(d, &["batch", "--spec", "suite.toml", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let report = d.join("out/r.json");
    let r = report.to_str().unwrap();
    let o = adhash_in(d, &["compare", "--within", r, "--job", "alpha"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout).trim(),
        "alpha vs std on w.csv: 1.00× [1.00, 1.00] same (7 paired rounds, ops/s)"
    );
    let o = adhash_in(
        d,
        &[
            "--json",
            "compare",
            "--within",
            r,
            "--job",
            "std",
            "--against",
            "alpha",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["ratio"].as_f64(), v["rounds"].as_u64()),
        (Some(1.0), Some(7))
    );
    assert_eq!(v["verdict"], "no change");
    for (args, want) in [
        (
            vec!["--job", "other", "--against", "alpha"],
            "different CSVs",
        ),
        (vec!["--job", "other"], "no std job on its CSV"),
        (vec!["--job", "nope"], "no job `nope`"),
    ] {
        let mut all = vec!["compare", "--within", r];
        all.extend(args);
        let o = adhash_in(d, &all);
        assert_eq!(o.status.code(), Some(2), "{all:?}");
        assert!(text(&o.stderr).contains(want), "{}", text(&o.stderr));
    }
    // The JSON report: alpha's ×std against std, paired.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let t = &v["jobs"][1]["times_std"];
    assert_eq!(
        (t["against"].as_str(), t["rounds"].as_u64()),
        (Some("std"), Some(7))
    );
    assert_eq!(t["verdict"], "no change");
    assert!(
        v["jobs"][0].get("times_std").is_none(),
        "the control has none"
    );
    assert!(
        v["jobs"][2].get("times_std").is_none(),
        "no control on x.csv"
    );
}
