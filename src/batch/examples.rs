//! The bundled example suites, shipped inside the binary.
//!
//! An installed `adhash` (or one built with `CARGO_TARGET_DIR` outside the
//! clone) has no `docs/examples` beside it, so the specs are compiled in and
//! written out, with the workloads they replay, into the user's data folder
//! (`$XDG_DATA_HOME/adhash/examples`, else `~/.local/share/adhash/examples`)
//! the first time they are asked for. The folder mirrors the repository's
//! layout (`docs/examples/*.toml`, `data/workloads/*.csv`) so the specs'
//! relative paths hold unchanged, and their reports land beside them.
//!
//! The workloads are not embedded: the generator reproduces them byte for
//! byte from their documented commands (a test checks it against the
//! repository's copies).
//!
//! A user's edits are never overwritten. `.bundled` records the hash of every
//! file as written; a file is replaced only when it still has that hash (a
//! newer adhash ships a newer version) and is otherwise left alone.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::workload::generate::{GenerateParams, generate_file};

/// The bundled specs: the file name under `docs/examples` and its text.
pub const SPECS: &[(&str, &str)] = &[
    (
        "batch_baseline.toml",
        include_str!("../../docs/examples/batch_baseline.toml"),
    ),
    (
        "batch_compaction.toml",
        include_str!("../../docs/examples/batch_compaction.toml"),
    ),
    (
        "batch_modes.toml",
        include_str!("../../docs/examples/batch_modes.toml"),
    ),
];

/// The bundled workloads: the file name under `data/workloads` and the
/// generator's parameters (docs/batch_runner.md, "Bundled suites").
pub fn workloads() -> [(&'static str, GenerateParams); 2] {
    [
        (
            "w_uniform.csv",
            GenerateParams {
                ops: 100_000,
                key_space: 20_000,
                read_ratio: 0.8,
                seed: 1337,
                ..GenerateParams::default()
            },
        ),
        (
            "w_skew_adv.csv",
            GenerateParams {
                ops: 100_000,
                key_space: 20_000,
                key_skew: 1.1,
                adversarial_ratio: 0.2,
                adversarial_lowbits: 8,
                del_ratio: 0.4,
                seed: 2024,
                ..GenerateParams::default()
            },
        ),
    ]
}

/// Where the specs sit inside the materialised folder.
pub const SPEC_SUBFOLDER: &str = "docs/examples";
const WORKLOAD_SUBFOLDER: &str = "data/workloads";
/// Hashes of the files as adhash wrote them: `<xxh3 hex>  <relative path>`.
const MANIFEST: &str = ".bundled";

/// `$XDG_DATA_HOME/adhash/examples` (an absolute `XDG_DATA_HOME` only, as
/// the XDG spec says), else `$HOME/.local/share/adhash/examples`.
pub fn default_root() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let data = std::env::var_os("XDG_DATA_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".local/share"))
        })?;
    Some(data.join("adhash/examples"))
}

/// The materialised spec folder in the default place, written at most once
/// per process (Mission Control asks on every catalogue refresh).
pub fn folder() -> &'static std::result::Result<PathBuf, String> {
    static FOLDER: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let root = default_root()
            .ok_or("neither XDG_DATA_HOME nor HOME is set to an absolute folder".to_string())?;
        materialise(&root).map_err(|e| e.detail)
    })
}

/// Write the bundled specs and workloads under `root` where they are
/// missing or still as adhash last wrote them; returns the spec folder.
pub fn materialise(root: &Path) -> Result<PathBuf> {
    let manifest_path = root.join(MANIFEST);
    let mut written = read_manifest(&manifest_path);
    let mut changed = false;
    let files = SPECS
        .iter()
        .map(|(name, text)| (format!("{SPEC_SUBFOLDER}/{name}"), Source::Text(text)))
        .chain(
            workloads()
                .into_iter()
                .map(|(name, p)| (format!("{WORKLOAD_SUBFOLDER}/{name}"), Source::Generated(p))),
        );
    for (rel, source) in files {
        let path = root.join(&rel);
        let wanted = source.hash()?;
        let current = std::fs::read(&path).ok().map(|b| hash(&b));
        let ours = written.get(&rel).copied();
        let replace = match current {
            None => true,
            Some(h) if h == wanted => false,
            // Unedited since adhash wrote it: a newer version replaces it.
            Some(h) => ours == Some(h),
        };
        if replace {
            source.write(&path)?;
        }
        // A user's edit keeps its place: its hash is not recorded as ours,
        // so no later version replaces it either.
        if replace || current == Some(wanted) {
            changed |= written.insert(rel, wanted) != Some(wanted);
        }
    }
    if changed {
        let text: String = written
            .iter()
            .map(|(rel, h)| format!("{h:016x}  {rel}\n"))
            .collect();
        crate::fs::write_atomic(&manifest_path, |w| {
            w.write_all(text.as_bytes())
                .map_err(|e| Error::io_at("cannot write", &manifest_path, &e))
        })?;
    }
    Ok(root.join(SPEC_SUBFOLDER))
}

enum Source {
    Text(&'static str),
    Generated(GenerateParams),
}

impl Source {
    fn hash(&self) -> Result<u64> {
        Ok(match self {
            Source::Text(t) => hash(t.as_bytes()),
            Source::Generated(p) => {
                let mut bytes = Vec::new();
                crate::workload::generate::generate(p, &mut bytes)?;
                hash(&bytes)
            }
        })
    }

    fn write(&self, path: &Path) -> Result<()> {
        match self {
            Source::Text(t) => crate::fs::write_atomic(path, |w| {
                w.write_all(t.as_bytes())
                    .map_err(|e| Error::io_at("cannot write", path, &e))
            }),
            Source::Generated(p) => generate_file(p, path).map(|_| ()),
        }
    }
}

fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

fn read_manifest(path: &Path) -> std::collections::BTreeMap<String, u64> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let (h, rel) = l.split_once("  ")?;
            Some((rel.to_string(), u64::from_str_radix(h, 16).ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPO: &str = env!("CARGO_MANIFEST_DIR");

    /// The generator reproduces the repository's workloads byte for byte,
    /// so the binary need not carry them.
    #[test]
    fn workloads_are_reproduced_byte_for_byte() {
        for (name, params) in workloads() {
            let mut bytes = Vec::new();
            crate::workload::generate::generate(&params, &mut bytes).unwrap();
            let repo = std::fs::read(Path::new(REPO).join(WORKLOAD_SUBFOLDER).join(name)).unwrap();
            assert!(bytes == repo, "{name} differs from its documented command");
        }
    }

    /// Every spec in docs/examples is embedded (a new one cannot be forgotten).
    #[test]
    fn every_repository_spec_is_embedded() {
        let mut names: Vec<String> = std::fs::read_dir(Path::new(REPO).join(SPEC_SUBFOLDER))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        names.sort();
        let embedded: Vec<&str> = SPECS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, embedded);
    }

    #[test]
    fn materialised_specs_load_and_find_their_workloads() {
        let dir = tempfile::tempdir().unwrap();
        let folder = materialise(dir.path()).unwrap();
        let entries = crate::batch::bundled_specs(
            std::slice::from_ref(&folder),
            None,
            Path::new("/bin/adhash"),
        );
        assert_eq!(entries.len(), SPECS.len());
        for e in &entries {
            let spec = e.spec.as_ref().unwrap();
            for job in &spec.jobs {
                assert!(folder.join(&job.csv).is_file(), "{}", job.csv);
            }
        }
    }

    /// Issue 26, item 22: an edited spec and an edited workload survive a
    /// later start; a deleted file comes back; an unedited file written by
    /// an older adhash is brought up to date.
    #[test]
    fn user_edits_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        materialise(root).unwrap();
        let spec = root.join(SPEC_SUBFOLDER).join(SPECS[0].0);
        let csv = root.join(WORKLOAD_SUBFOLDER).join("w_uniform.csv");
        std::fs::write(&spec, "# mine\n[batch]\n").unwrap();
        std::fs::write(&csv, "op,key,value\nGET,a,\n").unwrap();
        let other = root.join(SPEC_SUBFOLDER).join(SPECS[1].0);
        std::fs::remove_file(&other).unwrap();
        materialise(root).unwrap();
        assert_eq!(std::fs::read_to_string(&spec).unwrap(), "# mine\n[batch]\n");
        assert_eq!(
            std::fs::read_to_string(&csv).unwrap(),
            "op,key,value\nGET,a,\n"
        );
        assert_eq!(std::fs::read_to_string(&other).unwrap(), SPECS[1].1);
        // Still the user's after a third start (their hash is not ours).
        materialise(root).unwrap();
        assert_eq!(std::fs::read_to_string(&spec).unwrap(), "# mine\n[batch]\n");

        // An older adhash's unedited spec: recorded as ours, so replaced.
        let old = "# an older bundled version\n";
        let third = root.join(SPEC_SUBFOLDER).join(SPECS[2].0);
        std::fs::write(&third, old).unwrap();
        let manifest = root.join(MANIFEST);
        let text = std::fs::read_to_string(&manifest).unwrap();
        let rel = format!("{SPEC_SUBFOLDER}/{}", SPECS[2].0);
        let text: String = text
            .lines()
            .map(|l| {
                if l.ends_with(&rel) {
                    format!("{:016x}  {rel}\n", hash(old.as_bytes()))
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(&manifest, text).unwrap();
        materialise(root).unwrap();
        assert_eq!(std::fs::read_to_string(&third).unwrap(), SPECS[2].1);
    }
}
