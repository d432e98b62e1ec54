//! The project boundary: files named *by files* (`extends`, `.env`, config `policies`) are read
//! only inside the project, so that a pull request cannot make rampart read and print
//! `~/.aws/credentials`. The project is the git repository that holds the referring file, or the
//! file's own directory outside a repository. The command line may name anything.

use std::path::{Path, PathBuf};

/// The directory tree references must stay in.
#[derive(Clone, Debug)]
pub struct Boundary {
    /// Canonical path of the project root.
    root: PathBuf,
}

impl Boundary {
    /// The boundary for a file in `dir`: the enclosing git repository's root, else `dir`.
    pub fn around(dir: &Path) -> Boundary {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let root = dir
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&dir)
            .to_path_buf();
        Boundary { root }
    }

    /// `path` with its symlinks resolved, when it lies inside the boundary; otherwise a message
    /// that names the reference as written (`shown`) and nothing of the target's content.
    /// A path that does not exist is returned as is, for the reader to report.
    pub fn resolve(&self, path: &Path, shown: &str) -> Result<PathBuf, String> {
        let real = match path.canonicalize() {
            Ok(p) => p,
            Err(_) if lexically_inside(path, &self.root) => return Ok(path.to_path_buf()),
            Err(_) => return Err(outside(shown)),
        };
        if real.starts_with(&self.root) {
            Ok(real)
        } else {
            Err(outside(shown))
        }
    }
}

fn outside(shown: &str) -> String {
    format!(
        "`{shown}` is outside the project: rampart reads referenced files only inside the linted \
         tree (the repository, or the referring file's directory outside a repository)"
    )
}

/// Whether a path that cannot be resolved (it does not exist) stays inside `root` once `..` is
/// applied: its nearest existing ancestor decides.
fn lexically_inside(path: &Path, root: &Path) -> bool {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut normal = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let existing = normal.ancestors().find_map(|a| a.canonicalize().ok());
    existing.is_some_and(|e| e.starts_with(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_outside_the_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir(&project).unwrap();
        std::fs::write(dir.path().join("secret"), "x").unwrap();
        std::fs::write(project.join("base.yaml"), "x").unwrap();
        let b = Boundary::around(&project);
        assert!(b.resolve(&project.join("base.yaml"), "base.yaml").is_ok());
        assert!(b.resolve(&project.join("missing.yaml"), "m").is_ok());
        let e = b
            .resolve(&project.join("../secret"), "../secret")
            .unwrap_err();
        assert!(e.starts_with("`../secret` is outside the project"), "{e}");
        assert!(b.resolve(Path::new("/etc/passwd"), "/etc/passwd").is_err());
        assert!(b.resolve(&project.join("../nope/x"), "x").is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret"), project.join("link")).unwrap();
            assert!(b.resolve(&project.join("link"), "link").is_err());
        }
    }
}
