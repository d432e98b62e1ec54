//! Putting reports on disk. A run's report files are written to temporary files beside their
//! targets first and renamed over them together at the end, so that a reader (or a `kill -9`)
//! sees the old set or the new set, as far as renames allow. Only regular files (or new paths)
//! are replaced that way: a symlink (`-o /dev/stdout`), a FIFO or a device is written through,
//! never replaced by a regular file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes a report's bytes to what it is given.
pub type Render<'a> = Box<dyn Fn(&mut dyn Write) -> io::Result<()> + 'a>;

/// A renderer that writes bytes already made (a baseline).
pub fn bytes(bytes: Vec<u8>) -> Render<'static> {
    Box::new(move |out| out.write_all(&bytes))
}

/// One report waiting for [`commit`].
pub struct Staged<'a> {
    target: PathBuf,
    how: How<'a>,
}

enum How<'a> {
    /// Written to a temporary file in the target's directory; renamed at commit.
    Rename(tempfile::NamedTempFile),
    /// Written through the target at commit (it is not a regular file, or it is a symlink).
    Through(Render<'a>),
}

/// Renders a report into a temporary file beside `path` (or keeps the renderer, for a target
/// that must be written through). The report goes to the file as it is rendered: a report of
/// a large repository is tens of megabytes that were held in memory whole before.
pub fn stage<'a>(path: &Path, render: Render<'a>) -> io::Result<Staged<'a>> {
    let replace = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        }
        Ok(m) => m.file_type().is_file(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => true,
        Err(e) => return Err(e),
    };
    if !replace {
        return Ok(Staged {
            target: path.to_path_buf(),
            how: How::Through(render),
        });
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rampart-").suffix(".tmp");
    // A report is an ordinary file: readable as the umask allows, not tempfile's 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir)?;
    render_buffered(&mut tmp, &render)?;
    tmp.as_file().sync_all()?;
    Ok(Staged {
        target: path.to_path_buf(),
        how: How::Rename(tmp),
    })
}

impl Staged<'_> {
    pub fn target(&self) -> &Path {
        &self.target
    }
}

/// Renames every staged file over its target, back to back, then writes the others through.
/// Returns the first failure with its target; a temporary file not renamed is removed.
pub fn commit(staged: Vec<Staged>) -> Result<(), (PathBuf, io::Error)> {
    let mut through = Vec::new();
    let mut first_error = None;
    for s in staged {
        match s.how {
            How::Rename(tmp) => {
                if first_error.is_some() {
                    continue;
                }
                if let Err(e) = tmp.persist(&s.target) {
                    first_error = Some((s.target, e.error));
                }
            }
            How::Through(render) => through.push((s.target, render)),
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    for (target, render) in through {
        write_through(&target, &render).map_err(|e| (target, e))?;
    }
    Ok(())
}

/// Writes into an existing file that is not replaced: the target of a symlink, a FIFO, a device.
fn write_through(path: &Path, render: &Render<'_>) -> io::Result<()> {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?;
    render_buffered(f, render)
}

/// Renders into `file` through a 64 KB buffer: a report is written in many small pieces.
fn render_buffered(file: impl Write, render: &Render<'_>) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, file);
    render(&mut out)?;
    out.flush()
}

/// Stages and commits one file.
pub fn write_one(path: &Path, render: Render<'_>) -> io::Result<()> {
    commit(vec![stage(path, render)?]).map_err(|(_, e)| e)
}

/// Whether two output paths name the same file: equal as written, or the same file on disk,
/// or the same name in the same existing directory.
pub fn same_target(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    let real = |p: &Path| -> Option<PathBuf> {
        if let Ok(r) = p.canonicalize() {
            return Some(r);
        }
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(dir.canonicalize().ok()?.join(p.file_name()?))
    };
    matches!((real(a), real(b)), (Some(x), Some(y)) if x == y)
}

/// Whether descriptor 1 was open when the process started, as the binary's start-up records it
/// ([`record_stdout_at_start`]): 0 not recorded, 1 open, 2 closed.
static STDOUT_AT_START: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Records whether descriptor 1 was open at start-up, before the standard library reopened a
/// closed one on `/dev/null` (the binary calls it from a constructor that runs before `main`).
pub fn record_stdout_at_start(open: bool) {
    let state = if open { 1 } else { 2 };
    STDOUT_AT_START.store(state, std::sync::atomic::Ordering::Relaxed);
}

/// Whether standard output is open. With `>&-` the process starts without descriptor 1, and
/// the standard library silently drops what is written to it.
///
/// The binary records the descriptor as it was at start-up. Where it could not (a platform
/// without the constructor, or the library used by another program), `/dev/null` open
/// read-write on descriptor 1 is taken for a closed standard output: the Rust runtime reopens
/// a closed descriptor 1 that way, while a shell's `>/dev/null` opens it write-only.
pub fn stdout_is_open() -> bool {
    match STDOUT_AT_START.load(std::sync::atomic::Ordering::Relaxed) {
        1 => return true,
        2 => return false,
        _ => {}
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: F_GETFD / F_GETFL on a descriptor number only read the descriptor table.
        let (fd, fl) = unsafe { (libc::fcntl(1, libc::F_GETFD), libc::fcntl(1, libc::F_GETFL)) };
        if fd == -1 {
            return false;
        }
        if fl & libc::O_ACCMODE != libc::O_RDWR {
            return true;
        }
        let null = std::fs::metadata("/dev/null").map(|m| m.rdev());
        let out = std::fs::metadata("/proc/self/fd/1").map(|m| m.rdev());
        !matches!((null, out), (Ok(a), Ok(b)) if a == b)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_replaced_and_symlinks_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        let real = dir.path().join("real.json");
        std::fs::write(&a, "old").unwrap();
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&real, &link).unwrap();
        #[cfg(not(unix))]
        std::fs::write(&link, "old").unwrap();
        let staged = vec![
            stage(&a, bytes(b"new a".to_vec())).unwrap(),
            stage(&link, bytes(b"new link".to_vec())).unwrap(),
        ];
        assert_eq!(
            std::fs::read_to_string(&a).unwrap(),
            "old",
            "nothing before commit"
        );
        commit(staged).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        #[cfg(unix)]
        {
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read_to_string(&real).unwrap(), "new link");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .collect();
        assert!(left.is_empty());
    }

    #[test]
    fn one_file_under_two_names_is_the_same_target() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("r.sarif");
        assert!(same_target(&a, &dir.path().join("./r.sarif")));
        assert!(!same_target(&a, &dir.path().join("s.sarif")));
    }
}
