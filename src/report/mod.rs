//! Reports: one module per output format, all fed the same [`Run`](crate::lint::Run).

pub mod concise;
pub mod escape;
pub mod github;
pub mod gitlab_codequality;
pub mod gitlab_sast;
pub mod human;
pub mod json;
pub mod junit;
pub mod output;
pub mod sarif;

use std::io::{self, Write};
use std::path::Path;

use crate::lint::Run;

/// An output format (`--format`, `--report FMT=FILE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical diagnostics with source snippets (miette).
    Human,
    /// rampart's JSON report: findings, errors and a summary (version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// GitLab Code Quality (Code Climate issues), for `artifacts:reports:codequality`.
    GitlabCodequality,
    /// GitLab SAST security report, for `artifacts:reports:sast`.
    GitlabSast,
    /// JUnit XML: a suite per check, a case per resource checked.
    Junit,
    /// One line per finding, `file:line:col: severity check message` (editors, grep).
    Concise,
    /// GitHub Actions workflow commands: findings annotate the pull request.
    Github,
}

/// How the human report is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// Hyperlinks (OSC 8) for check ids.
    pub links: bool,
    pub width: usize,
}

impl Style {
    /// Plain, deterministic output: no colour, no hyperlinks, 100 columns.
    pub fn plain() -> Self {
        Style {
            color: false,
            links: false,
            width: 100,
        }
    }
}

/// Writes one report.
pub fn write(format: Format, run: &Run, style: Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(run, style, out),
        Format::Json => json::write(run, out),
        Format::Sarif => sarif::write(run, out),
        Format::GitlabCodequality => gitlab_codequality::write(run, out),
        Format::GitlabSast => gitlab_sast::write(run, out),
        Format::Junit => junit::write(run, out),
        Format::Concise => concise::write(run, out),
        Format::Github => github::write(run, out),
    }
}

/// A report for a file (plain style), rendered by [`output::stage`].
pub fn render(format: Format, run: &Run) -> output::Render<'_> {
    Box::new(move |out| write(format, run, Style::plain(), out))
}

/// Writes a report to a file atomically, so a reader never sees half a report.
pub fn write_file(format: Format, run: &Run, path: &Path) -> io::Result<()> {
    output::write_one(path, render(format, run))
}

/// Writes bytes to a temporary file in the target's directory and renames it over the target;
/// symlinks and special files such as `/dev/null` are written through (see [`output`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    output::write_one(path, output::bytes(bytes.to_vec()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A run over the fixtures with every field a report writes: findings with related
    /// locations, suppressed findings (a baseline and comments) and input errors.
    pub(crate) fn run_with_every_field() -> Run {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let run = crate::lint::run(crate::lint::Options {
            paths: vec![
                fixtures.join("reference"),
                fixtures.join("checks"),
                fixtures.join("inputs"),
            ],
            ..Default::default()
        })
        .expect("the run");
        assert!(run.findings.iter().any(|f| !f.related.is_empty()));
        assert!(run.findings.iter().any(|f| f.suppressed.is_some()));
        assert!(!run.errors.is_empty());
        run
    }
}
