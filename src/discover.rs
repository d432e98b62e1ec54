//! Which files a run reads: explicit files always, directories walked in parallel with the
//! `ignore` crate (`.gitignore`, `.ignore`, hidden entries skipped), `-` for stdin.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One input of the run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// A file, with the name shown to users.
    File { name: String, path: PathBuf },
    /// Standard input, with the name given by `--stdin-filename`.
    Stdin { name: String },
}

impl Input {
    pub fn name(&self) -> &str {
        match self {
            Input::File { name, .. } | Input::Stdin { name } => name,
        }
    }
}

/// A path that could not be walked or does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoverError {
    pub path: String,
    pub message: String,
}

/// Extensions read when walking directories.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Expands the command line's paths into the sorted, de-duplicated inputs of the run.
pub fn discover(
    paths: &[PathBuf],
    stdin_name: &str,
    threads: usize,
) -> (Vec<Input>, Vec<DiscoverError>) {
    let cwd = std::env::current_dir().ok();
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin {
                name: stdin_name.to_string(),
            });
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let (found, errs) = walk(path, threads);
                // A walked symlink is not named by the command line: like a reference, it must
                // stay inside the project (src/confine.rs).
                let boundary = crate::confine::Boundary::around(path);
                for p in found {
                    let name = display_name(&p, cwd.as_deref());
                    let link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_symlink());
                    if link && p.exists() {
                        if let Err(message) = boundary.resolve(&p, &name) {
                            errors.push(DiscoverError {
                                path: name,
                                message: format!("symlink refused: {message}"),
                            });
                            continue;
                        }
                    }
                    inputs.push(Input::File { name, path: p });
                }
                errors.extend(errs);
            }
            Ok(_) => inputs.push(Input::File {
                name: display_name(path, cwd.as_deref()),
                path: path.clone(),
            }),
            Err(e) => errors.push(DiscoverError {
                path: display_name(path, cwd.as_deref()),
                message: format!("cannot read: {}", io_message(&e)),
            }),
        }
    }
    inputs.sort();
    inputs.dedup_by(|a, b| a.name() == b.name());
    (inputs, errors)
}

fn walk(dir: &Path, threads: usize) -> (Vec<PathBuf>, Vec<DiscoverError>) {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        // Honour `.gitignore` whether or not the tree is a git checkout: the same files are
        // linted in a tarball, a CI workspace and a clone.
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(e) => {
                        // FIFOs, sockets and devices too: reading refuses them with an error
                        // (src/source.rs) rather than skipping them in silence.
                        let is_file = e.file_type().is_some_and(|t| !t.is_dir());
                        let wanted = e
                            .path()
                            .extension()
                            .and_then(|x| x.to_str())
                            .is_some_and(|x| EXTENSIONS.contains(&x));
                        if is_file && wanted && e.depth() > 0 {
                            found.lock().expect("walk lock").push(e.into_path());
                        }
                    }
                    Err(err) => errors.lock().expect("walk lock").push(DiscoverError {
                        path: err_path(&err).unwrap_or_else(|| dir.display().to_string()),
                        message: format!("cannot walk: {}", first_line(&err.to_string())),
                    }),
                }
                ignore::WalkState::Continue
            })
        });
    (
        found.into_inner().expect("walk lock"),
        errors.into_inner().expect("walk lock"),
    )
}

fn err_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// An I/O error message without the "(os error N)" suffix.
pub fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The path as given, made relative to the working directory when it lies below it, without a
/// leading `./`, with `/` separators.
pub fn display_name(path: &Path, cwd: Option<&Path>) -> String {
    let rel = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_relative_and_clean() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            display_name(Path::new("/work/repo/a/b.yaml"), Some(cwd)),
            "a/b.yaml"
        );
        assert_eq!(
            display_name(Path::new("/elsewhere/b.yaml"), Some(cwd)),
            "/elsewhere/b.yaml"
        );
        assert_eq!(display_name(Path::new("./a.yaml"), Some(cwd)), "a.yaml");
        assert_eq!(
            display_name(Path::new("a/../b.yaml"), Some(cwd)),
            "a/../b.yaml"
        );
    }
}
