//! Safe writes: what adhash writes never destroys what it reads, nor a
//! device, nor a half-written file over a good one (formats.md §7).
//!
//! - `write_atomic`: a regular file (or a new one) is written through a
//!   temporary file in the same folder and a rename; a symlink is followed
//!   and its target replaced; an existing non-regular file (`/dev/null`, a
//!   FIFO) is written in place, never replaced.
//! - `check_outputs`: before any work, every output must differ from every
//!   input and from every other output (by identity: symlinks resolved,
//!   hard links seen as one file), must not be a folder, and its folder
//!   must be creatable.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where a write to `path` really lands: symlinks followed (also dangling
/// ones, whose target does not exist yet), the parent folder canonical.
pub fn resolve(path: &Path) -> PathBuf {
    let mut p = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // Follow a chain of symlinks by hand, so a dangling one resolves too.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&p) {
                Ok(t) => {
                    p = match p.parent() {
                        Some(dir) if t.is_relative() => dir.join(t),
                        _ => t,
                    };
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    if let Ok(c) = std::fs::canonicalize(&p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => canonical_prefix(dir).join(name),
        _ => p,
    }
}

/// The canonical form of the longest existing prefix of `dir`, then the rest.
fn canonical_prefix(dir: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut cur = dir.to_path_buf();
    loop {
        if let Ok(c) = std::fs::canonicalize(&cur) {
            let mut out = c;
            out.extend(rest.iter().rev());
            return out;
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                cur = parent.to_path_buf();
            }
            _ => return dir.to_path_buf(),
        }
    }
}

/// Whether `a` and `b` are one file: the same inode when both exist (hard
/// links included), else the same resolved path.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
    }
    resolve(a) == resolve(b)
}

/// A named path: what it is for ("--json-summary-out", "report", "job 'x'
/// csv") and where.
pub type Named<'a> = (&'a str, &'a Path);

/// Refuse, before any work, outputs that would destroy an input or each
/// other, outputs that are folders, and outputs whose folder cannot be made.
/// Errors are bad input (exit 2) and name both paths.
pub fn check_outputs(inputs: &[Named], outputs: &[Named]) -> Result<()> {
    for (i, (what, out)) in outputs.iter().enumerate() {
        if out.as_os_str().is_empty() {
            return Err(Error::bad_input(format!("{what} is an empty path")));
        }
        // `data/` names a folder even where a file `data` exists: writing
        // the file in its place would replace what the name did not mean.
        if out.as_os_str().as_encoded_bytes().last() == Some(&b'/') {
            return Err(Error::bad_input(format!(
                "{what} {} ends with '/': it names a folder, not a file",
                out.display()
            ))
            .with_hint("drop the trailing '/' or name a file in that folder"));
        }
        if out.is_dir() {
            return Err(Error::bad_input(format!(
                "{what} {} is a folder, not a file",
                out.display()
            )));
        }
        for (in_what, input) in inputs {
            if same_file(out, input) {
                return Err(Error::bad_input(format!(
                    "{what} {} is the same file as {in_what} {}: writing it would destroy the input",
                    out.display(),
                    input.display()
                ))
                .with_hint("choose another output path"));
            }
        }
        // Two writes into one device (`/dev/null`) destroy nothing.
        let device = std::fs::metadata(out).is_ok_and(|m| !m.is_file() && !m.is_dir());
        for (other_what, other) in &outputs[..i] {
            if !device && same_file(out, other) {
                return Err(Error::bad_input(format!(
                    "{what} {} and {other_what} {} are the same file: one would overwrite the other",
                    out.display(),
                    other.display()
                )));
            }
        }
        check_folder_creatable(what, out)?;
    }
    Ok(())
}

/// The folder of `out` exists or can be made: its nearest existing
/// ancestor is a folder (not a file).
fn check_folder_creatable(what: &str, out: &Path) -> Result<()> {
    let target = resolve(out);
    let mut dir = target.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        match std::fs::metadata(&d) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(Error::bad_input(format!(
                    "{what} {}: {} is a file, so the folder cannot be made",
                    out.display(),
                    d.display()
                )));
            }
            Err(_) => dir = d.parent().map(Path::to_path_buf),
        }
    }
    Ok(())
}

/// Read a text file of at most `max` bytes, counting the bytes actually
/// read (so `/dev/zero` or a FIFO cannot make adhash read without end).
/// Over the cap, or not UTF-8: bad input; unreadable: I/O.
pub fn read_text_capped(path: &Path, max: u64, what: &str) -> Result<String> {
    use std::io::Read;
    let f = std::fs::File::open(path)
        .map_err(|e| Error::io_at(&format!("cannot read {what}"), path, &e))?;
    let mut bytes = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io_at(&format!("cannot read {what}"), path, &e))?;
    if bytes.len() as u64 > max {
        return Err(Error::bad_input(format!(
            "{what} {} is larger than {} MiB",
            path.display(),
            max >> 20
        )));
    }
    String::from_utf8(bytes)
        .map_err(|e| Error::bad_input(format!("{what} {} is not UTF-8 text: {e}", path.display())))
}

/// A file written to a temporary beside its target, not yet in place.
/// `commit` renames it over the target; dropping it removes it. Several
/// staged files make a set: if any fails to stage, none is committed.
pub enum Staged {
    File {
        tmp: tempfile::NamedTempFile,
        target: PathBuf,
        shown: PathBuf,
    },
    /// A device or FIFO: written in place at commit.
    Device { target: PathBuf, bytes: Vec<u8> },
}

/// Where a write to `path` goes: a device written in place, or a regular
/// file (existing or new) replaced through a temporary beside it.
enum Destination {
    Device(PathBuf),
    File(PathBuf),
}

fn destination(path: &Path) -> Result<Destination> {
    let target = resolve(path);
    match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => Err(Error::io(format!(
            "cannot write {}: it is a folder",
            path.display()
        ))),
        Ok(m) if !m.is_file() => Ok(Destination::Device(target)),
        _ => Ok(Destination::File(target)),
    }
}

/// Temporary files beside outputs start with this and the writer's pid.
pub const TEMP_FILE_STEM: &str = ".adhash-tmp-";
/// A batch's scratch folders (in the system's temporary folder) too.
pub const SCRATCH_STEM: &str = "adhash-batch-";

/// `stem` + this process's pid + `-`: what a temporary name starts with,
/// so one left by a process killed outright is known for stale.
pub fn pid_prefix(stem: &str) -> String {
    format!("{stem}{}-", std::process::id())
}

/// Remove what dead processes left in `dir`: entries named `stem<pid>-…`
/// whose pid is no longer running (a file, or a scratch folder and its
/// contents). A running pid's, or a name of another shape, is kept.
/// Returns how many were removed.
pub fn clean_stale(dir: &Path, stem: &str) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(stem)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if pid <= 0 || pid as u32 == std::process::id() || process_alive(pid) {
            continue;
        }
        let path = e.path();
        let gone = match e.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path).is_ok(),
            Ok(_) => std::fs::remove_file(&path).is_ok(),
            Err(_) => false,
        };
        removed += usize::from(gone);
    }
    removed
}

/// A process of this pid exists (ours or another user's).
fn process_alive(pid: i32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: kill(2) with signal 0 sends nothing; it only checks.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// A temporary file beside `target` (its folder created), an ordinary
/// file's permissions; errors name the path the user asked for.
fn temp_beside(path: &Path, target: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io_at("cannot create folder", &dir, &e))?;
    let mut builder = tempfile::Builder::new();
    let prefix = pid_prefix(TEMP_FILE_STEM);
    builder.prefix(&prefix);
    // A temporary file is private (0600) by default; the result should be an
    // ordinary file (0666 less the umask, as `File::create` makes: the OS
    // applies the umask to the mode asked for).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // The temporary file is ours, not the user's: name the path they asked
    // for and the reason, not the temporary name. It is removed on every
    // error path (dropped).
    builder.tempfile_in(&dir).map_err(|e| {
        Error::io(format!(
            "cannot write {}: the folder {} does not take new files ({})",
            path.display(),
            dir.display(),
            e.kind()
        ))
    })
}

/// Write into an existing device or FIFO, never replacing it.
fn write_in_place(target: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(target)
        .map_err(|e| Error::io_at("cannot write", target, &e))?;
    let mut buf = std::io::BufWriter::new(f);
    write(&mut buf)?;
    buf.flush()
        .map_err(|e| Error::io_at("cannot write", target, &e))
}

/// Stage `bytes` for `path` (see `Staged`).
pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged> {
    match destination(path)? {
        Destination::Device(target) => Ok(Staged::Device {
            target,
            bytes: bytes.to_vec(),
        }),
        Destination::File(target) => {
            let mut tmp = temp_beside(path, &target)?;
            tmp.as_file_mut()
                .write_all(bytes)
                .and_then(|()| tmp.as_file_mut().flush())
                .map_err(|e| Error::io_at("cannot write", path, &e))?;
            Ok(Staged::File {
                tmp,
                target,
                shown: path.to_path_buf(),
            })
        }
    }
}

/// Put a set of staged outputs in place, all or none of the files: the
/// devices are written first (a write to `/dev/full` fails there), and the
/// files are renamed into place only once every device took its bytes.
/// Renames run in the order given.
pub fn commit_all(set: Vec<Staged>) -> Result<()> {
    let (devices, files): (Vec<Staged>, Vec<Staged>) = set
        .into_iter()
        .partition(|s| matches!(s, Staged::Device { .. }));
    for d in devices {
        d.commit()?;
    }
    for f in files {
        f.commit()?;
    }
    Ok(())
}

impl Staged {
    /// Put the file in place (a rename; a device is written now).
    pub fn commit(self) -> Result<()> {
        match self {
            Staged::File { tmp, target, shown } => tmp
                .persist(&target)
                .map(|_| ())
                .map_err(|e| Error::io_at("cannot write", &shown, &e.error)),
            Staged::Device { target, bytes } => write_in_place(&target, |w| {
                w.write_all(&bytes)
                    .map_err(|e| Error::io_at("cannot write", &target, &e))
            }),
        }
    }
}

/// Write `path` safely (see the module docs). Parent folders are created.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let target = match destination(path)? {
        Destination::Device(target) => return write_in_place(&target, write),
        Destination::File(target) => target,
    };
    let mut tmp = temp_beside(path, &target)?;
    {
        let mut buf = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buf)?;
        buf.flush()
            .map_err(|e| Error::io_at("cannot write", path, &e))?;
    }
    tmp.persist(&target)
        .map_err(|e| Error::io_at("cannot write", path, &e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Leftovers of dead processes go; a live process's, ours, and names
    /// of another shape stay (issue 26, item 13).
    #[cfg(unix)]
    #[test]
    fn stale_leftovers_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A pid that has just ended (and was reaped).
        let mut c = std::process::Command::new("true").spawn().unwrap();
        let dead = c.id();
        c.wait().unwrap();
        let stem = TEMP_FILE_STEM;
        std::fs::write(d.join(format!("{stem}{dead}-abc")), "half").unwrap();
        std::fs::create_dir(d.join(format!("{stem}{dead}-dir"))).unwrap();
        std::fs::write(d.join(format!("{stem}{dead}-dir/inner")), "x").unwrap();
        std::fs::write(d.join(format!("{stem}1-live")), "init's").unwrap();
        std::fs::write(d.join(format!("{}xyz", pid_prefix(stem))), "ours").unwrap();
        std::fs::write(d.join(".adhash-tmpOLDSTYLE"), "no pid").unwrap();
        std::fs::write(d.join("report.md"), "kept").unwrap();
        assert_eq!(clean_stale(d, stem), 2);
        let mut left: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![
            format!("{stem}1-live"),
            format!("{}xyz", pid_prefix(stem)),
            ".adhash-tmpOLDSTYLE".to_string(),
            "report.md".to_string(),
        ];
        want.sort();
        assert_eq!(left, want);
        assert_eq!(clean_stale(&d.join("missing"), stem), 0);
    }

    fn put(p: &Path, text: &str) {
        write_atomic(p, |w| {
            w.write_all(text.as_bytes())
                .map_err(|e| Error::io(e.to_string()))
        })
        .unwrap();
    }

    #[test]
    fn a_symlink_is_followed_and_its_target_replaced() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("real.json");
        std::fs::write(&target, "old").unwrap();
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        put(&link, "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // A dangling link: the file it names is created.
        let dangling = d.path().join("dangling.json");
        std::os::unix::fs::symlink(d.path().join("later.json"), &dangling).unwrap();
        put(&dangling, "x");
        assert_eq!(
            std::fs::read_to_string(d.path().join("later.json")).unwrap(),
            "x"
        );
    }

    #[test]
    fn a_device_is_written_in_place_not_replaced() {
        put(Path::new("/dev/null"), "nothing");
        let m = std::fs::metadata("/dev/null").unwrap();
        assert!(!m.is_file(), "/dev/null is still a device");
    }

    #[test]
    fn outputs_may_not_be_inputs_folders_or_each_other() {
        let d = tempfile::tempdir().unwrap();
        let csv = d.path().join("w.csv");
        std::fs::write(&csv, "op,key,value\n").unwrap();
        let inputs = [("--csv", csv.as_path())];
        // The input itself, through a relative detour and through a link.
        let detour = d.path().join("sub/../w.csv");
        std::fs::create_dir(d.path().join("sub")).unwrap();
        let link = d.path().join("l.csv");
        std::os::unix::fs::symlink(&csv, &link).unwrap();
        let hard = d.path().join("h.csv");
        std::fs::hard_link(&csv, &hard).unwrap();
        for out in [&csv, &detour, &link, &hard] {
            let e = check_outputs(&inputs, &[("--json-summary-out", out)]).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::BadInput);
            assert!(e.detail.contains("would destroy the input"), "{}", e.detail);
            assert!(e.detail.contains(&csv.display().to_string()));
        }
        let a = d.path().join("r.md");
        let e = check_outputs(&inputs, &[("report", &a), ("html_report", &a)]).unwrap_err();
        assert!(e.detail.contains("are the same file"), "{}", e.detail);
        let e = check_outputs(&inputs, &[("report", d.path())]).unwrap_err();
        assert!(e.detail.contains("is a folder"));
        let under_file = csv.join("x/r.md");
        let e = check_outputs(&inputs, &[("report", &under_file)]).unwrap_err();
        assert!(e.detail.contains("cannot be made"), "{}", e.detail);
        assert!(check_outputs(&inputs, &[("report", &d.path().join("new/dir/r.md"))]).is_ok());
    }
}
