//! Paths → inputs: the walk, the configuration's `exclude`, Compose files paired with their
//! override files, and the context files of named files (their repositories' other manifests).

use std::path::PathBuf;

use super::Options;
use super::load::is_compose_name;
use crate::compose;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Input};

/// One unit of loading: an input, and the override file linted with it.
pub(super) struct Job {
    pub input: usize,
    pub with: Option<usize>,
    /// Read for the context of named files only.
    pub context: bool,
}

/// What to read: every input (the named and walked ones, then the context files), the jobs
/// that read them, and what the walk reported.
pub(super) struct Planned {
    pub inputs: Vec<Input>,
    pub jobs: Vec<Job>,
    pub errors: Vec<Diagnostic>,
    pub notes: Vec<discover::Note>,
}

/// Walks the paths and plans the jobs.
pub(super) fn plan(options: &Options, threads: usize) -> Planned {
    let (mut inputs, errors, notes) =
        discover::discover(&options.paths, &options.stdin_name, threads);
    exclude(&mut inputs, options);
    let paths: Vec<Option<&std::path::Path>> = inputs
        .iter()
        .map(|i| match i {
            Input::File { path, .. } => Some(path.as_path()),
            Input::Stdin { .. } => None,
        })
        .collect();
    let (with, consumed) = compose::plan(&paths);
    let mut jobs: Vec<Job> = (0..inputs.len())
        .filter(|&i| !consumed[i])
        .map(|i| Job {
            input: i,
            with: with[i],
            context: false,
        })
        .collect();
    if options.context {
        let context = context_inputs(&inputs, options, threads);
        jobs.extend((0..context.len()).map(|i| Job {
            input: inputs.len() + i,
            with: None,
            context: true,
        }));
        inputs.extend(context);
    }
    Planned {
        inputs,
        jobs,
        errors,
        notes,
    }
}

/// The other manifests of the repositories of files named on the command line, read so that
/// cross-resource checks see their units whole (a pre-commit hook names the staged files
/// only). The walk starts at the configuration's directory when it holds the file, else at the
/// repository root (the nearest directory with `.git`); a file outside any has no context.
/// Compose files are not read: a Compose project is its own unit.
fn context_inputs(inputs: &[Input], options: &Options, threads: usize) -> Vec<Input> {
    let absolute = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let base = options.config.path.as_ref().map(|_| &options.config.base);
    let mut roots: Vec<PathBuf> = Vec::new();
    for named in &options.paths {
        if named.as_os_str() == "-" || !named.is_file() {
            continue;
        }
        let file = absolute(named);
        let root = match base {
            Some(base) if file.starts_with(absolute(base)) => Some(base.clone()),
            _ => file
                .ancestors()
                .skip(1)
                .find(|d| d.join(".git").exists())
                .map(std::path::Path::to_path_buf),
        };
        if let Some(root) = root {
            if !roots.iter().any(|r| absolute(r) == absolute(&root)) {
                roots.push(root);
            }
        }
    }
    if roots.is_empty() {
        return Vec::new();
    }
    let known: std::collections::HashSet<PathBuf> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File { path, .. } => Some(absolute(path)),
            Input::Stdin { .. } => None,
        })
        .collect();
    let (found, _, _) = discover::discover(&roots, "-", threads);
    let mut found: Vec<Input> = found
        .into_iter()
        .filter(|i| match i {
            Input::File { path, name, .. } => {
                !is_compose_name(name)
                    && !compose::is_override(path)
                    && !known.contains(&absolute(path))
            }
            Input::Stdin { .. } => false,
        })
        .collect();
    exclude(&mut found, options);
    found
}

/// Drops walked files that match the config's `exclude` globs (relative to the config's
/// directory). Files named on the command line are read anyway, unless `force-exclude` is set
/// (pre-commit names every staged file, excluded or not).
fn exclude(inputs: &mut Vec<Input>, options: &Options) {
    if options.config.exclude.is_empty() {
        return;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for g in &options.config.exclude {
        if let Ok(g) = globset::Glob::new(g) {
            builder.add(g);
        }
    }
    let Ok(set) = builder.build() else { return };
    let base = options
        .config
        .base
        .canonicalize()
        .unwrap_or_else(|_| options.config.base.clone());
    inputs.retain(|input| {
        let Input::File { path, .. } = input else {
            return true;
        };
        if !options.config.force_exclude && options.paths.iter().any(|p| p == path) {
            return true;
        }
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        let rel = abs.strip_prefix(&base).unwrap_or(&abs);
        !set.is_match(rel)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &std::path::Path) -> Input {
        Input::File {
            name: path.display().to_string(),
            path: path.to_path_buf(),
            walked: true,
        }
    }

    fn names(inputs: &[Input]) -> Vec<String> {
        let mut v: Vec<String> = inputs
            .iter()
            .map(|i| {
                let name = i.name();
                name.rsplit('/').next().unwrap_or(name).to_string()
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn exclude_drops_walked_files_and_named_ones_only_when_forced() {
        let base = std::env::temp_dir().join(format!("rampart-inputs-{}", std::process::id()));
        std::fs::create_dir_all(base.join("charts/app/templates")).unwrap();
        let template = base.join("charts/app/templates/template.yaml");
        let kept = base.join("deploy.yaml");
        std::fs::write(&template, "").unwrap();
        std::fs::write(&kept, "").unwrap();
        let mut options = Options::default();
        options.config.base = base.clone();
        options.config.exclude = vec!["charts/**".into()];
        let all = || vec![file(&template), file(&kept)];

        let mut inputs = all();
        exclude(&mut inputs, &options);
        assert_eq!(names(&inputs), ["deploy.yaml"]);

        // Named on the command line (as pre-commit names staged files): read anyway...
        options.paths = vec![template.clone()];
        let mut inputs = all();
        exclude(&mut inputs, &options);
        assert_eq!(names(&inputs), ["deploy.yaml", "template.yaml"]);

        // ...unless `force-exclude` is set.
        options.config.force_exclude = true;
        let mut inputs = all();
        exclude(&mut inputs, &options);
        assert_eq!(names(&inputs), ["deploy.yaml"]);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
