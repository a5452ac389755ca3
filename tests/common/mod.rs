//! Helpers shared by the integration tests (each test crate uses a part).
#![allow(dead_code)]

use std::path::Path;

/// Live (not zombie) processes whose working folder is `dir`: a job's
/// processes run in the spec's folder, so these are what a suite left.
pub fn processes_in(dir: &Path) -> Vec<String> {
    let want = std::fs::canonicalize(dir).unwrap();
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if std::fs::read_link(e.path().join("cwd")).ok().as_deref() != Some(want.as_path()) {
            continue;
        }
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        if stat.split(") ").nth(1).is_some_and(|r| r.starts_with('Z')) {
            continue;
        }
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        found.push(format!(
            "{name}: {}",
            String::from_utf8_lossy(&cmd).replace('\0', " ")
        ));
    }
    found
}

/// `processes_in(dir)` once it is empty, or what is still there after
/// `secs`: a killed process leaves the table when the kernel is done with
/// it, later on a busy machine, so a test waits for that, not a fixed time.
pub fn processes_left_in(dir: &Path, secs: u64) -> Vec<String> {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let left = processes_in(dir);
        if left.is_empty() || std::time::Instant::now() > until {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The original project's `docs/examples/batch_baseline.toml`, byte for
/// byte as its batch-runner document gives it.
pub const ORIGINAL_BASELINE: &str = r#"[batch]
hashmap_cli = "../../hashmap_cli.py"
report = "../../reports/batch_baseline.md"
html_report = "../../reports/batch_baseline.html"

[[batch.jobs]]
name = "profile-uniform"
command = "profile"
csv = "../../data/workloads/w_uniform.csv"

[[batch.jobs]]
name = "run-uniform"
command = "run-csv"
csv = "../../data/workloads/w_uniform.csv"
json_summary = "../../results/json/batch_uniform.json"
latency_sample_k = 2000
latency_sample_every = 64
"#;
