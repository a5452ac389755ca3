//! The batch spec parser and its validation on arbitrary text (formats.md §7).
//!
//! Beyond "never panics": an accepted spec keeps the promises the runner
//! relies on (jobs, unique names, repeat and timeout in range, no spec flag
//! in extra_args, command lines that render), and a refused one gets a
//! short message without control characters.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use adhash::batch::spec;
use libfuzzer_sys::fuzz_target;

/// Messages quote paths whole (a user needs the real path), so they may be
/// as long as what the spec holds; never longer than this beyond it.
const MAX_MESSAGE_CHARS: usize = 2000;

/// One folder for the whole run: the spec "lives" there, so relative paths
/// resolve into it and the output checks look at real (empty) folders.
fn folder() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp folder"))
        .path()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = folder().join("suite.toml");
    let exe = PathBuf::from("/usr/bin/adhash");
    let parsed = spec::parse(text, &path, None, &exe).and_then(|s| s.check_outputs().map(|()| s));
    match parsed {
        Ok(s) => {
            assert!(!s.jobs.is_empty());
            let mut names: Vec<&str> = s.jobs.iter().map(|j| j.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), s.jobs.len(), "duplicate job names accepted");
            for j in &s.jobs {
                assert!(j.repeat >= 1);
                assert!(
                    j.timeout_s > 0.0 && j.timeout_s <= 86_400.0,
                    "timeout {}",
                    j.timeout_s
                );
                assert!(
                    !j.extra_args
                        .iter()
                        .any(|a| a == "--mode" || a == "--csv" || a == "--json-summary-out"),
                    "a spec flag in extra_args: {:?}",
                    j.extra_args
                );
                let _ = s.command_line(j, j.json_summary.as_deref());
            }
            for w in &s.warnings {
                check_message(w, text.len());
            }
        }
        Err(e) => {
            check_message(&e.detail, text.len());
            if let Some(h) = &e.hint {
                check_message(h, text.len());
            }
        }
    }
});

fn check_message(text: &str, input: usize) {
    assert!(
        text.chars().count() <= MAX_MESSAGE_CHARS + 2 * input,
        "message of {} characters",
        text.chars().count()
    );
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control character in {text:?}"
    );
}
