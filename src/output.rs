//! Outputs that never harm inputs (SPEC §4): every path a command will write
//! is compared with every path it reads, and with the other outputs, before
//! anything is read; and every file is written to a temporary file in the
//! same folder and renamed into place only when complete, so after an
//! error, a full disk, Ctrl-C or a kill the path holds either the previous
//! file or the complete new one.
//!
//! Files are compared by what they are, not how they are named: the
//! canonical path (symlinks and `./x` resolved) and, on Unix, the device and
//! inode (hard links).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One path a command reads or writes, as named and as resolved.
#[derive(Clone, Debug)]
struct Entry {
    /// What it is, in words ("the data file", "-o").
    role: String,
    /// As given on the command line.
    shown: PathBuf,
    /// Canonical path (of the folder, when the file does not exist yet).
    canon: PathBuf,
    /// Device and inode of an existing file.
    id: Option<(u64, u64)>,
    /// Written, not read.
    output: bool,
}

impl Entry {
    fn new(role: &str, path: &Path, output: bool) -> Entry {
        Entry {
            role: role.to_string(),
            shown: path.to_path_buf(),
            canon: canonical(path),
            id: file_id(path),
            output,
        }
    }

    fn same(&self, other: &Entry) -> bool {
        self.canon == other.canon || (self.id.is_some() && self.id == other.id)
    }
}

/// The canonical form of a path that may not exist yet: the file itself
/// when it exists, else its folder's canonical path joined with its name.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(path) {
        return c;
    }
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::canonicalize(&parent) {
        Ok(p) => p.join(name),
        Err(_) => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// The files a command reads and writes, checked against each other.
#[derive(Debug, Default)]
pub struct Guard {
    inputs: Vec<Entry>,
    outputs: Vec<Entry>,
}

impl Guard {
    /// An empty guard.
    pub fn new() -> Guard {
        Guard::default()
    }

    /// Adds a file the command reads (`role` says what it is, e.g. "the
    /// data file"). Inputs may be added after outputs (scripts are known
    /// only once the rule file is parsed): each is checked when added.
    pub fn input(&mut self, role: &str, path: &Path) -> Result<&mut Guard, Refused> {
        let e = Entry::new(role, path, false);
        if let Some(o) = self.outputs.iter().find(|o| o.same(&e)) {
            return Err(clash(o, &e));
        }
        self.inputs.push(e);
        Ok(self)
    }

    /// Adds a file the command writes; refused when it is the same file as
    /// an input or another output.
    pub fn output(&mut self, role: &str, path: &Path) -> Result<&mut Guard, Refused> {
        let e = Entry::new(role, path, true);
        // Two outputs may share a device such as `/dev/null`.
        let shared_device = special(path);
        if let Some(other) = self
            .inputs
            .iter()
            .chain(self.outputs.iter().filter(|_| !shared_device))
            .find(|x| x.same(&e))
        {
            return Err(clash(&e, other));
        }
        if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            return Err(Refused::Folder {
                path: path.to_path_buf(),
                role: e.role,
            });
        }
        self.outputs.push(e);
        Ok(self)
    }

    /// Whether `path` is one of the inputs (for files whose names are
    /// known only while writing, such as one feedback sheet per trainee).
    pub fn check_written(&self, path: &Path) -> Result<(), Refused> {
        let e = Entry::new("an output", path, true);
        match self.inputs.iter().find(|i| i.same(&e)) {
            Some(i) => Err(clash(&e, i)),
            None => Ok(()),
        }
    }
}

/// Why an output path was refused (before anything was read or written).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The output is the same file as an input or another output.
    #[error(
        "the output `{}` ({output_role}) is the same file as {other_role} `{}`{}: {}; \
         choose another path (nothing was read or written)",
        .output.display(), .other.display(),
        if *.same_name { "" } else { " (the same file by another name)" },
        if *.other_is_output { "one would overwrite the other" } else { "writing it would destroy what is read" }
    )]
    SameFile {
        /// The output, as given.
        output: PathBuf,
        /// What the output is ("-o").
        output_role: String,
        /// The file it clashes with, as given.
        other: PathBuf,
        /// What that file is ("the data file").
        other_role: String,
        /// Both were given by the same name.
        same_name: bool,
        /// The other file is an output too.
        other_is_output: bool,
    },
    /// The output names a folder.
    #[error("the output `{}` ({role}) is a folder; name a file", .path.display())]
    Folder {
        /// The path given.
        path: PathBuf,
        /// What the output is.
        role: String,
    },
}

fn clash(output: &Entry, other: &Entry) -> Refused {
    Refused::SameFile {
        output: output.shown.clone(),
        output_role: output.role.clone(),
        other: other.shown.clone(),
        other_role: other.role.clone(),
        same_name: output.shown == other.shown,
        other_is_output: other.output,
    }
}

/// Temporary files not yet renamed into place, removed on Ctrl-C.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes the temporary files of unfinished outputs, so that an
/// interrupted run leaves every output path as it was. Called on Ctrl-C,
/// SIGTERM and SIGHUP (see [`remove_on_interrupt`]).
pub fn remove_pending() {
    for p in pending().drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// What the interrupt handler says instead of its default, for a command
/// whose output is appended as it goes (`exercise serve`).
static INTERRUPT_NOTE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets what [`remove_on_interrupt`]'s handler prints when the command is
/// stopped (once per process; later calls are ignored).
pub fn set_interrupt_note(note: String) {
    let _ = INTERRUPT_NOTE.set(note);
}

/// Installs a handler for Ctrl-C, SIGTERM and SIGHUP that removes the
/// temporary files of unfinished outputs and ends the process (exit 130).
/// For programs, not the library: call it once, from `main`.
pub fn remove_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        remove_pending();
        let note = INTERRUPT_NOTE.get().map_or(
            "interrupted: no output was written (each output path holds what it held before)",
            String::as_str,
        );
        let _ = writeln!(io::stderr(), "{note}");
        std::process::exit(130);
    });
}

/// A file being written: a temporary file beside the target, renamed over
/// it by [`Staged::commit`]. Dropped without a commit, it is removed and
/// the target is untouched.
#[derive(Debug)]
pub struct Staged {
    tmp: Option<tempfile::NamedTempFile>,
    /// A target that is not a regular file (`/dev/null`, a named pipe) is
    /// written directly: renaming over it would replace the device.
    direct: Option<File>,
    target: PathBuf,
}

impl Staged {
    /// Starts writing `path` (a symlink is written through to its target).
    pub fn create(path: &Path) -> io::Result<Staged> {
        if special(path) {
            let f = std::fs::OpenOptions::new().write(true).open(path)?;
            return Ok(Staged {
                tmp: None,
                direct: Some(f),
                target: path.to_path_buf(),
            });
        }
        let target = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
            _ => path.to_path_buf(),
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let prefix = format!(".{name}.");
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(|e| {
                let why = if dir.is_dir() {
                    e.kind().to_string()
                } else {
                    "no such folder".into()
                };
                io::Error::new(
                    e.kind(),
                    format!("cannot create a file in `{}` ({why})", dir.display()),
                )
            })?;
        if let Ok(m) = std::fs::metadata(&target) {
            // A replaced file keeps its permissions.
            let _ = tmp.as_file().set_permissions(m.permissions());
        }
        pending().push(tmp.path().to_path_buf());
        Ok(Staged {
            tmp: Some(tmp),
            direct: None,
            target,
        })
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file's path, for writers that can only save to a
    /// path (it is renamed over the target by [`Staged::commit`]).
    pub fn temp_path(&self) -> Option<&Path> {
        match (&self.tmp, &self.direct) {
            (Some(t), _) => Some(t.path()),
            (None, Some(_)) => Some(&self.target),
            (None, None) => None,
        }
    }

    fn file(&mut self) -> io::Result<&mut File> {
        if let Some(f) = self.direct.as_mut() {
            return Ok(f);
        }
        self.tmp
            .as_mut()
            .map(|t| t.as_file_mut())
            .ok_or_else(|| io::Error::other("the output was already committed"))
    }

    /// Renames the complete file into place.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(mut f) = self.direct.take() {
            return f.flush();
        }
        let tmp = self
            .tmp
            .take()
            .ok_or_else(|| io::Error::other("the output was already committed"))?;
        let tmp_path = tmp.path().to_path_buf();
        // Everything was written (write errors, a full disk among them, end
        // the run before this). No fsync: it cost 8% of `score` on 1 M rows,
        // and the rename protects against the process dying, not the machine
        // (ext4 flushes a file replaced by rename before the rename anyway).
        tmp.as_file().flush()?;
        let result = tmp.persist(&self.target).map(|_| ()).map_err(|e| e.error);
        unregister(&tmp_path);
        result
    }
}

/// An existing path that is not a regular file or a folder: a device such
/// as `/dev/null` or a named pipe.
fn special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

fn unregister(path: &Path) {
    pending().retain(|p| p != path);
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(t) = self.tmp.take() {
            let p = t.path().to_path_buf();
            drop(t);
            unregister(&p);
        }
    }
}

impl Write for Staged {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file()?.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

impl Seek for Staged {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file()?.seek(pos)
    }
}

/// Writes a whole file at once, through a [`Staged`] file.
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut s = Staged::create(path)?;
    s.write_all(bytes)?;
    s.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_that_is_an_input_is_refused_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("in.csv");
        std::fs::write(&data, "id\n1\n").unwrap();
        let mut g = Guard::new();
        g.input("the data file", &data).unwrap();
        // The same name.
        assert!(g.output("-o", &data).is_err());
        // Another spelling of the same path.
        let dotted = dir.path().join(".").join("in.csv");
        let e = g.output("-o", &dotted).unwrap_err().to_string();
        assert!(e.contains("the same file as the data file"), "{e}");
        // A hard link and a symlink.
        let hard = dir.path().join("hard.csv");
        std::fs::hard_link(&data, &hard).unwrap();
        assert!(g.output("-o", &hard).is_err());
        #[cfg(unix)]
        {
            let soft = dir.path().join("soft.csv");
            std::os::unix::fs::symlink(&data, &soft).unwrap();
            assert!(g.output("-o", &soft).is_err());
        }
        // Another file is fine; the same output twice is not.
        let out = dir.path().join("out.csv");
        g.output("-o", &out).unwrap();
        let e = g.output("--rejects", &out).unwrap_err().to_string();
        assert!(e.contains("the same file as -o"), "{e}");
        // An input named after an output is caught too.
        let e = g.input("a script", &out).unwrap_err().to_string();
        assert!(e.contains("`"), "{e}");
        assert!(g.check_written(&data).is_err());
        assert!(g.check_written(&dir.path().join("other.md")).is_ok());
    }

    #[test]
    fn a_staged_file_replaces_the_target_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").unwrap();
        {
            let mut s = Staged::create(&target).unwrap();
            s.write_all(b"half").unwrap();
            // Dropped: the target keeps its old content; no temp file left.
        }
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut s = Staged::create(&target).unwrap();
        s.write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(pending().is_empty() || !pending().iter().any(|p| p.starts_with(dir.path())));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_directly_never_replaced() {
        let null = Path::new("/dev/null");
        let before = std::fs::metadata(null).unwrap();
        let mut s = Staged::create(null).unwrap();
        s.write_all(b"discarded").unwrap();
        s.commit().unwrap();
        let after = std::fs::metadata(null).unwrap();
        assert!(!after.is_file(), "/dev/null must stay a device");
        use std::os::unix::fs::MetadataExt;
        assert_eq!(before.ino(), after.ino());
        let mut g = Guard::new();
        g.output("-o", null).unwrap();
        g.output("--rejects", null).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.md");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }
}
