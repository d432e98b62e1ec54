//! Which files a run reads: explicit files always, directories walked in parallel with the
//! `ignore` crate (`.gitignore`, `.ignore`, hidden entries skipped), `-` for stdin.
//!
//! A walk reads a repository the way its owner expects: hidden directories, the `templates/`
//! of Helm charts (Go templates, not YAML) and the files a `kustomization.yaml` lists as
//! patches (partial objects) are left out, each with a [`Note`] saying so.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::Diagnostic;

/// One input of the run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// A file, with the name shown to users; `walked` when found by walking a directory
    /// rather than named on the command line.
    File {
        name: String,
        path: PathBuf,
        walked: bool,
    },
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

/// Something the walk left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub path: String,
    pub message: String,
    /// Shown only with `-v` (the Helm chart notes are always shown: the chart is not linted).
    pub verbose: bool,
}

/// Extensions read when walking directories.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Expands the command line's paths into the sorted, de-duplicated inputs of the run.
pub fn discover(
    paths: &[PathBuf],
    stdin_name: &str,
    threads: usize,
) -> (Vec<Input>, Vec<Diagnostic>, Vec<Note>) {
    let cwd = std::env::current_dir().ok();
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin {
                name: stdin_name.to_string(),
            });
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let (found, errs, skipped) = walk(path, threads);
                let (found, patches) = without_kustomize_patches(found);
                // A walked symlink is not named by the command line: like a reference, it must
                // stay inside the project (src/confine.rs).
                let boundary = crate::confine::Boundary::around(path);
                for p in found {
                    let name = display_name(&p, cwd.as_deref());
                    let link = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_symlink());
                    if link && p.exists() {
                        if let Err(message) = boundary.resolve(&p, &name) {
                            errors.push(Diagnostic::input(
                                name,
                                None,
                                format!("symlink refused: {message}"),
                            ));
                            continue;
                        }
                    }
                    inputs.push(Input::File {
                        name,
                        path: p,
                        walked: true,
                    });
                }
                errors.extend(errs);
                for (p, why) in skipped.into_iter().chain(patches) {
                    notes.push(why.note(display_name(&p, cwd.as_deref())));
                }
            }
            Ok(_) => inputs.push(Input::File {
                name: display_name(path, cwd.as_deref()),
                path: path.clone(),
                walked: false,
            }),
            Err(e) => errors.push(Diagnostic::input(
                display_name(path, cwd.as_deref()),
                None,
                format!("cannot read: {}", crate::source::io_message(&e)),
            )),
        }
    }
    // A file both named and walked counts as named (`walked: false` sorts first and is kept):
    // it is read whatever it holds.
    inputs.sort();
    inputs.dedup_by(|a, b| a.name() == b.name());
    notes.sort();
    notes.dedup();
    (inputs, errors, notes)
}

/// Why the walk left a path out.
enum Left {
    Hidden,
    HelmTemplates,
    KustomizePatch(String),
}

impl Left {
    fn note(self, path: String) -> Note {
        match self {
            Left::Hidden => Note {
                message: "hidden directory, not walked (name it on the command line to lint it)"
                    .into(),
                path,
                verbose: true,
            },
            Left::HelmTemplates => {
                let chart = path.strip_suffix("/templates").unwrap_or(&path);
                let chart = if chart == path { "." } else { chart };
                Note {
                    message: format!(
                        "Helm chart: its templates are Go templates, not YAML, and are not \
                         linted; lint the rendered chart with `helm template {chart} | rampart \
                         check -`"
                    ),
                    path: chart.to_string(),
                    verbose: false,
                }
            }
            Left::KustomizePatch(kustomization) => Note {
                message: format!(
                    "patch listed by `{kustomization}`, a partial object: not linted alone \
                     (lint the overlay with `kubectl kustomize DIR | rampart check -`)"
                ),
                path,
                verbose: true,
            },
        }
    }
}

/// Names of the file that makes a directory a Kustomize kustomization.
const KUSTOMIZATIONS: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Drops the files that a walked `kustomization.yaml` lists as patches (`patches[].path`,
/// `patchesStrategicMerge[]`, `patchesJson6902[].path`): they are partial objects.
fn without_kustomize_patches(found: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<(PathBuf, Left)>) {
    let mut patches: Vec<(PathBuf, String)> = Vec::new();
    for k in found.iter().filter(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| KUSTOMIZATIONS.contains(&n))
    }) {
        let Ok(text) = std::fs::read_to_string(k) else {
            continue;
        };
        let dir = k.parent().unwrap_or(Path::new(""));
        let stream = crate::yaml::parse_stream(&text);
        let Some(doc) = stream.documents.first() else {
            continue;
        };
        let root = doc.root.to_json();
        let mut listed: Vec<&str> = Vec::new();
        for key in ["patches", "patchesJson6902"] {
            for item in root[key].as_array().into_iter().flatten() {
                listed.extend(item["path"].as_str());
            }
        }
        for item in root["patchesStrategicMerge"]
            .as_array()
            .into_iter()
            .flatten()
        {
            // An inline patch is YAML text, not a file name.
            listed.extend(item.as_str().filter(|s| !s.contains('\n')));
        }
        let name = k.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        for file in listed {
            patches.push((normalise(&dir.join(file)), name.to_string()));
        }
    }
    if patches.is_empty() {
        return (found, Vec::new());
    }
    let mut left = Vec::new();
    let kept = found
        .into_iter()
        .filter(|p| match patches.iter().find(|(q, _)| *q == normalise(p)) {
            Some((_, k)) => {
                left.push((p.clone(), Left::KustomizePatch(k.clone())));
                false
            }
            None => true,
        })
        .collect();
    (kept, left)
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

type Walk = (Vec<PathBuf>, Vec<Diagnostic>, Vec<(PathBuf, Left)>);

fn walk(dir: &Path, threads: usize) -> Walk {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let left = std::sync::Arc::new(Mutex::new(Vec::new()));
    let filter_left = left.clone();
    ignore::WalkBuilder::new(dir)
        // Hidden entries are filtered below, so that a hidden directory gets a note.
        .hidden(false)
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let hidden = e.file_name().to_str().is_some_and(|n| n.starts_with('.'));
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            let why = if hidden {
                is_dir.then_some(Left::Hidden)
            } else if is_dir && e.file_name() == "templates" && is_chart(e.path().parent()) {
                Some(Left::HelmTemplates)
            } else {
                None
            };
            if hidden || why.is_some() {
                if let Some(why) = why {
                    let mut left = filter_left.lock().expect("walk lock");
                    left.push((e.path().to_path_buf(), why));
                }
                return false;
            }
            true
        })
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
                    Err(err) => errors.lock().expect("walk lock").push(Diagnostic::input(
                        err_path(&err).unwrap_or_else(|| dir.display().to_string()),
                        None,
                        format!("cannot walk: {}", first_line(&err.to_string())),
                    )),
                }
                ignore::WalkState::Continue
            })
        });
    let left = std::mem::take(&mut *left.lock().expect("walk lock"));
    (
        found.into_inner().expect("walk lock"),
        errors.into_inner().expect("walk lock"),
        left,
    )
}

/// A Helm chart directory: `Chart.yaml` beside `templates/`.
fn is_chart(dir: Option<&Path>) -> bool {
    dir.is_some_and(|d| d.join("Chart.yaml").is_file())
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
        let cwd = Path::new("/home/user/repo");
        assert_eq!(
            display_name(Path::new("/home/user/repo/a/b.yaml"), Some(cwd)),
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
