//! The GitLab Code Quality report: a Code Climate issue array, as GitLab reads it from
//! `artifacts:reports:codequality` (merge request widget, diff annotations, pipeline tab).
//! Suppressed findings are left out: GitLab has no notion of an accepted issue.

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::lint::Run;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'a str,
    description: &'a str,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: &'a str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    positions: Positions,
}

#[derive(Serialize)]
struct Positions {
    begin: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
}

pub fn write(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<Issue<'_>> = run
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| issue(run, f))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

fn issue<'a>(run: &'a Run, f: &'a Finding) -> Issue<'a> {
    let family = run
        .catalog
        .check(&f.check)
        .map_or("", |c| c.family.as_str());
    let span = f.location.span;
    Issue {
        kind: "issue",
        check_name: &f.check,
        description: &f.message,
        categories: [category(family)],
        severity: severity(f.severity),
        fingerprint: &f.fingerprint,
        location: IssueLocation {
            path: &run.files[f.location.file].name,
            positions: Positions {
                begin: Position {
                    line: span.start.line,
                    column: span.start.col,
                },
                end: Position {
                    line: span.end.line,
                    column: span.end.col,
                },
            },
        },
    }
}

/// Code Climate's five severities, one for each of ours.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Low => "minor",
        Severity::Medium => "major",
        Severity::High => "critical",
        Severity::Critical => "blocker",
    }
}

/// The Code Climate category of a check family (the spec requires at least one).
fn category(family: &str) -> &'static str {
    match family {
        "security" | "secrets" | "network" | "supply-chain" => "Security",
        "api" => "Compatibility",
        _ => "Bug Risk",
    }
}
