//! The run archive (formats.md §9): every finished suite run, from `adhash batch`
//! or Mission Control alike, keeps its JSON report at
//! `<folder of json_report>/history/<spec stem>/<UTC YYYYMMDDTHHMMSSZ>.json`.
//! Files are never overwritten (a clash gets `-2`, `-3`), so a past run
//! always shows its own numbers, whatever ran after it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::report;
use super::result::{Environment, SuiteResult};
use super::spec::BatchSpec;
use crate::error::{Error, Result};

/// A history file larger than this is not read (formats.md §3 limits).
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;

/// The folder holding `spec`'s archived runs: beside the JSON report when
/// that is a regular file (or not there yet); when it is a device or a FIFO
/// (`/dev/null`), under the spec's own folder, never in `/dev`.
pub fn folder(spec: &BatchSpec) -> PathBuf {
    let special = std::fs::metadata(&spec.json_report).is_ok_and(|m| !m.is_file());
    let base = match spec.json_report.parent() {
        _ if special => spec.dir.clone(),
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = spec
        .path
        .file_stem()
        .map_or_else(|| "suite".into(), |s| s.to_string_lossy().into_owned());
    base.join("history").join(stem)
}

/// `2026-11-28T08:30:05Z` → `20261128T083005Z`.
fn file_stem(started_at: &str) -> String {
    let s: String = started_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if s.is_empty() { "run".into() } else { s }
}

/// Archive `suite` as a new file in `spec`'s history folder; returns its path.
pub fn archive(spec: &BatchSpec, suite: &SuiteResult) -> Result<PathBuf> {
    archive_in(&folder(spec), suite)
}

pub fn archive_in(dir: &Path, suite: &SuiteResult) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io_at("cannot create history folder", dir, &e))?;
    let text = report::json(suite);
    let mut builder = tempfile::Builder::new();
    let prefix = crate::fs::pid_prefix(crate::fs::TEMP_FILE_STEM);
    builder.prefix(&prefix);
    // An archived run is a report like the others: 0666 less the umask
    // (formats.md §3), not a temporary file's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io_at("cannot create a temporary file in", dir, &e))?;
    tmp.as_file_mut()
        .write_all(text.as_bytes())
        .map_err(|e| Error::io_at("cannot write history in", dir, &e))?;
    let stem = file_stem(&suite.started_at);
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.json")
        } else {
            format!("{stem}-{n}.json")
        };
        let path = dir.join(name);
        match tmp.persist_noclobber(&path) {
            Ok(_) => return Ok(path),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => return Err(Error::io_at("cannot write history", &path, &e.error)),
        }
    }
    Err(Error::io(format!(
        "cannot archive the run: {} already holds 999 runs started at {}",
        dir.display(),
        suite.started_at
    )))
}

/// One archived run, as a list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub path: PathBuf,
    pub spec: String,
    pub started_at: String,
    pub generated_at: String,
    pub ok: usize,
    pub total: usize,
    pub cancelled: bool,
    /// "ok", "cancelled" or "failed" (`SuiteResult::outcome`).
    pub outcome: &'static str,
    pub environment: Environment,
    /// What each job measured (workload and command): whether two runs
    /// are comparable is known without reading them again.
    pub jobs: Vec<super::verdict::JobIdentity>,
}

impl HistoryEntry {
    pub fn of(path: &Path, s: &SuiteResult) -> HistoryEntry {
        HistoryEntry {
            path: path.to_path_buf(),
            spec: s.spec.clone(),
            started_at: s.started_at.clone(),
            generated_at: s.generated_at.clone(),
            ok: s.ok_count(),
            total: s.jobs.len(),
            cancelled: s.cancelled,
            outcome: s.outcome(),
            environment: s.environment.clone(),
            jobs: s.jobs.iter().map(super::verdict::JobIdentity::of).collect(),
        }
    }

    /// Every job ran all its runs ok and nobody stopped the suite.
    pub fn is_complete(&self) -> bool {
        self.outcome == "ok"
    }
}

/// The run to compare `new` with when none is named: in `entries` (newest
/// first), the newest run older than `new` that is complete and comparable
/// with it (every job both ran measured the same workload with the same
/// command). `adhash compare --spec` and Mission Control's "Compare with
/// previous" both ask this.
pub fn previous_comparable<'a>(
    entries: &'a [HistoryEntry],
    new: &HistoryEntry,
) -> Option<&'a HistoryEntry> {
    let older = match entries.iter().position(|e| e.path == new.path) {
        Some(at) => &entries[at + 1..],
        // A report from elsewhere: the archive's runs that started before it.
        None => {
            let from = entries
                .iter()
                .position(|e| e.started_at < new.started_at)
                .unwrap_or(entries.len());
            &entries[from..]
        }
    };
    older
        .iter()
        .find(|e| e.is_complete() && super::verdict::suites_comparable(&e.jobs, &new.jobs))
}

/// Baselines of a spec's runs live in its history folder (formats.md §9).
pub fn baselines_folder(history: &Path) -> PathBuf {
    history.join("baselines")
}

/// A baseline's name: 1 to 64 of `A-Z a-z 0-9 . _ -`, not starting with a
/// dot (it names a file, and must not name another folder's).
pub fn check_baseline_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::bad_input(format!(
            "baseline name `{}` must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'",
            crate::fmt::shown_text(name, 80)
        )))
    }
}

/// The file of baseline `name` in `history`.
pub fn baseline_path(history: &Path, name: &str) -> Result<PathBuf> {
    check_baseline_name(name)?;
    Ok(baselines_folder(history).join(format!("{name}.json")))
}

/// Store the archived run at `run` as baseline `name` of the `history`
/// folder: a copy of its bytes, written atomically; a baseline it replaces
/// is kept as `NAME.prev.json`.
pub fn save_baseline(history: &Path, name: &str, run: &Path) -> Result<PathBuf> {
    let path = baseline_path(history, name)?;
    // Read (and check) the run first: a broken file never becomes a
    // baseline, nor a run that did not end ok (later runs are held to it).
    let suite = load(run)?;
    if suite.outcome() != "ok" {
        return Err(Error::bad_input(format!(
            "{} cannot be a baseline: the run {} (a baseline needs every job ok)",
            run.display(),
            suite.outcome()
        )));
    }
    let bytes = std::fs::read(run).map_err(|e| Error::io_at("cannot read", run, &e))?;
    let dir = baselines_folder(history);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io_at("cannot create baselines folder", &dir, &e))?;
    // Written beside it first: the old baseline moves aside only once the
    // new one is whole on disk.
    let staged = crate::fs::stage(&path, &bytes)?;
    if path.is_file() {
        let prev = dir.join(format!("{name}.prev.json"));
        std::fs::rename(&path, &prev)
            .map_err(|e| Error::io_at("cannot keep the previous baseline as", &prev, &e))?;
    }
    staged.commit()?;
    Ok(path)
}

/// Read one archived run (or any JSON batch report).
pub fn load(path: &Path) -> Result<SuiteResult> {
    let text = crate::fs::read_text_capped(path, MAX_ENTRY_BYTES, "batch report")?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::bad_input(format!("{} is not JSON: {e}", path.display())))?;
    if v["schema"] != report::BATCH_REPORT_SCHEMA {
        return Err(Error::bad_input(format!(
            "{} is not a batch report (schema {})",
            path.display(),
            v["schema"]
        )));
    }
    let suite: SuiteResult = serde_json::from_value(v).map_err(|e| {
        Error::bad_input(format!("{}: unreadable batch report: {e}", path.display()))
    })?;
    // Jobs are matched by name (compare, ×std): an edited report with two
    // jobs of one name would be judged on whichever came last.
    let mut seen = std::collections::HashMap::new();
    for (i, j) in suite.jobs.iter().enumerate() {
        if let Some(first) = seen.insert(j.name.as_str(), i) {
            return Err(Error::bad_input(format!(
                "{}: jobs {} and {} are both named `{}`: a batch report's job names are unique",
                path.display(),
                first + 1,
                i + 1,
                crate::fmt::shown_text(&j.name, 60)
            )));
        }
    }
    Ok(suite)
}

/// Every readable run in `dir`, newest first. Files that do not read as a
/// batch report are skipped (a list must not fail on one bad file).
pub fn list(dir: &Path) -> Vec<HistoryEntry> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<HistoryEntry> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .filter_map(|p| load(&p).ok().map(|s| HistoryEntry::of(&p, &s)))
        .collect();
    v.sort_by_key(|e| std::cmp::Reverse(order_key(&e.path)));
    v
}

/// Sort key of an archive file: its timestamp, then its clash number.
fn order_key(p: &Path) -> (String, u32) {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match stem.rsplit_once('-') {
        Some((t, n)) if n.parse::<u32>().is_ok() => (t.to_string(), n.parse().unwrap_or(1)),
        _ => (stem, 1),
    }
}

/// The newest run of `spec`, if any.
pub fn latest(spec: &BatchSpec) -> Option<HistoryEntry> {
    list(&folder(spec)).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::result::{JobResult, JobStatus};

    fn suite(started: &str, ops: f64) -> SuiteResult {
        let mut j = JobResult::planned("j", "run-csv", "std", "w.csv", 1);
        j.status = JobStatus::Ok;
        j.ops_per_second = Some(ops);
        SuiteResult {
            spec: "s.toml".into(),
            description: None,
            cli: "adhash".into(),
            generated_at: "2026-11-28 08:30:05".into(),
            started_at: started.into(),
            finished_at: started.into(),
            wall_seconds: 1.0,
            cancelled: false,
            environment: Environment::capture(),
            warnings: Vec::new(),
            until_ci_pct: None,
            jobs: vec![j],
        }
    }

    #[test]
    fn archive_never_overwrites_and_lists_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let a = archive_in(dir.path(), &suite("2026-11-28T08:30:05Z", 1.0)).unwrap();
        let b = archive_in(dir.path(), &suite("2026-11-28T08:30:05Z", 2.0)).unwrap();
        let c = archive_in(dir.path(), &suite("2026-11-28T09:00:00Z", 3.0)).unwrap();
        assert!(a.ends_with("20261128T083005Z.json"), "{}", a.display());
        assert!(b.ends_with("20261128T083005Z-2.json"), "{}", b.display());
        std::fs::write(dir.path().join("junk.json"), "{").unwrap();
        let l = list(dir.path());
        assert_eq!(
            l.iter().map(|e| e.path.clone()).collect::<Vec<_>>(),
            vec![c, b.clone(), a.clone()]
        );
        // Each file keeps its own numbers.
        assert_eq!(load(&a).unwrap().jobs[0].ops_per_second, Some(1.0));
        assert_eq!(load(&b).unwrap().jobs[0].ops_per_second, Some(2.0));
    }

    /// "Previous" skips runs that were cancelled, had a failed job, or ran
    /// another workload; a report from elsewhere is placed by its start.
    #[test]
    fn the_previous_run_is_complete_and_comparable() {
        let dir = tempfile::tempdir().unwrap();
        let with_csv = |started: &str, checksum: &str| {
            let mut s = suite(started, 1.0);
            s.jobs[0].csv_checksum = Some(checksum.into());
            s
        };
        let good = archive_in(dir.path(), &with_csv("2026-11-28T08:00:00Z", "0x01")).unwrap();
        let mut cancelled = with_csv("2026-11-28T08:10:00Z", "0x01");
        cancelled.cancelled = true;
        archive_in(dir.path(), &cancelled).unwrap();
        let mut failed = with_csv("2026-11-28T08:20:00Z", "0x01");
        failed.jobs[0].status = JobStatus::Failed;
        archive_in(dir.path(), &failed).unwrap();
        archive_in(dir.path(), &with_csv("2026-11-28T08:30:00Z", "0x02")).unwrap();
        let newest = archive_in(dir.path(), &with_csv("2026-11-28T08:40:00Z", "0x01")).unwrap();
        let entries = list(dir.path());
        assert_eq!(entries[0].path, newest);
        let prev = previous_comparable(&entries, &entries[0]).unwrap();
        assert_eq!(prev.path, good);
        assert_eq!(
            previous_comparable(&entries, prev),
            None,
            "nothing before it"
        );
        // A report from elsewhere, started after all of them.
        let outside = HistoryEntry::of(
            Path::new("/elsewhere/r.json"),
            &with_csv("2026-11-28T09:00:00Z", "0x02"),
        );
        assert_eq!(
            previous_comparable(&entries, &outside).map(|e| e.started_at.as_str()),
            Some("2026-11-28T08:30:00Z")
        );
    }

    /// Baselines: checked names, a copy of the run, the one replaced kept.
    #[test]
    fn baselines_are_copies_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = archive_in(dir.path(), &suite("2026-11-28T08:00:00Z", 1.0)).unwrap();
        let b = archive_in(dir.path(), &suite("2026-11-28T08:10:00Z", 2.0)).unwrap();
        let p = save_baseline(dir.path(), "main", &a).unwrap();
        assert_eq!(p, dir.path().join("baselines/main.json"));
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&a).unwrap());
        save_baseline(dir.path(), "main", &b).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&b).unwrap());
        assert_eq!(
            std::fs::read(dir.path().join("baselines/main.prev.json")).unwrap(),
            std::fs::read(&a).unwrap()
        );
        // A run with a failed job is no baseline.
        let mut failed = suite("2026-11-28T08:20:00Z", 3.0);
        failed.jobs[0].status = JobStatus::Failed;
        let f = archive_in(dir.path(), &failed).unwrap();
        let e = save_baseline(dir.path(), "main", &f).unwrap_err();
        assert!(
            e.detail.contains("cannot be a baseline: the run failed"),
            "{}",
            e.detail
        );
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&b).unwrap());
        std::fs::remove_file(&f).unwrap();
        // The history list does not count baselines as runs.
        assert_eq!(list(dir.path()).len(), 2);
        for bad in ["", ".x", "a/b", "..", "x y", &"n".repeat(65)] {
            assert!(save_baseline(dir.path(), bad, &a).is_err(), "{bad:?}");
        }
        assert!(check_baseline_name("release-1.2_rc").is_ok());
        // A file that is not a batch report never becomes a baseline.
        let junk = dir.path().join("junk.json");
        std::fs::write(&junk, "{").unwrap();
        assert!(save_baseline(dir.path(), "main", &junk).is_err());
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&b).unwrap());
    }

    /// A report with two jobs of one name is refused, naming both.
    #[test]
    fn a_report_with_duplicate_job_names_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = suite("2026-11-28T08:00:00Z", 1.0);
        s.jobs.push(s.jobs[0].clone());
        let p = archive_in(dir.path(), &s).unwrap();
        let e = load(&p).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.detail.contains("jobs 1 and 2 are both named `j`"),
            "{}",
            e.detail
        );
    }

    /// History files get a report's permissions: 0666 less the umask.
    #[cfg(unix)]
    #[test]
    fn history_files_are_readable_like_reports() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = archive_in(dir.path(), &suite("2026-11-28T08:00:00Z", 1.0)).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // The process's umask, read without changing it (Linux tells it).
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
            .unwrap_or(0o022);
        assert_eq!(mode, 0o666 & !umask, "{mode:o}");
    }

    /// What a list shows of a run is the run's own: counts, outcome, start.
    #[test]
    fn an_entry_says_how_its_run_ended() {
        let mut s = suite("2026-11-28T08:30:05Z", 1.0);
        let mut failed = s.jobs[0].clone();
        failed.status = JobStatus::Failed;
        s.jobs.push(failed);
        let e = HistoryEntry::of(Path::new("x.json"), &s);
        assert_eq!(
            (e.ok, e.total, e.cancelled, e.outcome),
            (1, 2, false, "failed")
        );
        assert_eq!(
            (e.started_at.as_str(), e.spec.as_str()),
            ("2026-11-28T08:30:05Z", "s.toml")
        );
        assert_eq!(e.generated_at, "2026-11-28 08:30:05");
        s.cancelled = true;
        let e = HistoryEntry::of(Path::new("x.json"), &s);
        assert_eq!((e.cancelled, e.outcome), (true, "cancelled"));
        s.cancelled = false;
        s.jobs.pop();
        assert_eq!(HistoryEntry::of(Path::new("x.json"), &s).outcome, "ok");
    }

    /// The archive sits beside the JSON report, in a folder named after the
    /// spec; `latest` is the newest run there.
    #[test]
    fn the_folder_follows_the_json_report_and_latest_is_newest() {
        let dir = tempfile::tempdir().unwrap();
        let spec_at = |text: &str| {
            let path = dir.path().join("suite.toml");
            crate::batch::spec::parse(text, &path, None, Path::new("/bin/true")).unwrap()
        };
        let job = "[[batch.jobs]]\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n";
        let spec = spec_at(&format!("[batch]\njson_report = \"out/r.json\"\n{job}"));
        assert_eq!(folder(&spec), dir.path().join("out/history/suite"));
        assert_eq!(latest(&spec), None, "no runs yet");
        archive(&spec, &suite("2026-11-28T08:30:05Z", 1.0)).unwrap();
        let newest = archive(&spec, &suite("2026-11-28T09:00:00Z", 2.0)).unwrap();
        assert_eq!(latest(&spec).map(|e| e.path), Some(newest));
        // A bare file name: the archive is under the current folder.
        let mut bare = spec.clone();
        bare.json_report = PathBuf::from("r.json");
        assert_eq!(folder(&bare), PathBuf::from("./history/suite"));
    }

    /// Clash numbers order as numbers (-10 after -9); hidden files (a
    /// temporary file being written) are not runs; a start time with no
    /// digits or letters still names a file.
    #[test]
    fn clashes_order_numerically_and_hidden_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..10)
            .map(|_| archive_in(dir.path(), &suite("2026-11-28T08:30:05Z", 1.0)).unwrap())
            .collect();
        assert!(paths[9].ends_with("20261128T083005Z-10.json"));
        std::fs::copy(&paths[0], dir.path().join(".hidden.json")).unwrap();
        let l = list(dir.path());
        assert_eq!(l.len(), 10);
        assert_eq!(l[0].path, paths[9], "-10 is the newest");
        assert_eq!(l[1].path, paths[8]);
        assert_eq!(l[9].path, paths[0]);
        let odd = archive_in(dir.path(), &suite("::", 1.0)).unwrap();
        assert!(odd.ends_with("run.json"), "{}", odd.display());
        assert_eq!(list(&dir.path().join("missing")), Vec::new());
    }

    /// A file name the system refuses is an error at once (only a name
    /// that exists already moves on to `-2`, `-3`…).
    #[test]
    fn only_a_taken_name_moves_on() {
        let dir = tempfile::tempdir().unwrap();
        let e = archive_in(dir.path(), &suite(&"9".repeat(300), 1.0)).unwrap_err();
        assert!(e.detail.starts_with("cannot write history"), "{}", e.detail);
    }

    /// Only a numeric suffix is a clash number: `…Z-old.json` is a name of
    /// its own, ordered as such (after every `…Z-N`).
    #[test]
    fn a_non_numeric_suffix_is_part_of_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = archive_in(dir.path(), &suite("2026-11-28T08:30:05Z", 1.0)).unwrap();
        let b = archive_in(dir.path(), &suite("2026-11-28T08:30:05Z", 2.0)).unwrap();
        let old = dir.path().join("20261128T083005Z-old.json");
        std::fs::copy(&a, &old).unwrap();
        let order: Vec<PathBuf> = list(dir.path()).into_iter().map(|e| e.path).collect();
        assert_eq!(order, [old, b, a]);
    }

    /// History files up to 64 MiB are read (a long suite's report is large).
    #[test]
    fn large_history_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = suite("2026-11-28T08:30:05Z", 1.0);
        s.description = Some("x".repeat(2 << 20));
        let path = archive_in(dir.path(), &s).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 2 << 20);
        assert_eq!(
            load(&path).unwrap().description.map(|d| d.len()),
            Some(2 << 20)
        );
    }
}
