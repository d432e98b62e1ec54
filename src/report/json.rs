//! The JSON report (SPEC §8): `{"version": 1, "findings", "errors", "summary"}`.

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::{Finding, Location, Suppression};
use crate::lint::{Run, Summary};
use crate::resource::Identity;
use crate::yaml::PathSeg;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    check: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    resource: JsonResource<'a>,
    /// The deployment unit (SPEC §4), `, `-joined for a file shared by several.
    #[serde(skip_serializing_if = "str::is_empty")]
    unit: &'a str,
    path: &'a [PathSeg],
    related: Vec<JsonRelated<'a>>,
    fingerprint: &'a str,
    suppressed: &'a Option<Suppression>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum JsonResource<'a> {
    Kubernetes {
        api_version: &'a str,
        kind: &'a str,
        name: &'a str,
        namespace: Option<&'a str>,
    },
    Compose {
        kind: &'a str,
        name: &'a str,
        project: &'a str,
    },
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

pub fn write(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let report = Report {
        version: 1,
        findings: run.findings.iter().map(|f| finding(run, f)).collect(),
        errors: run
            .errors
            .iter()
            .map(|e| JsonError {
                file: &e.file,
                line: e.line,
                column: e.column,
                message: &e.message,
            })
            .collect(),
        summary: &run.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

fn finding<'a>(run: &'a Run, f: &'a Finding) -> JsonFinding<'a> {
    let loc = location(run, &f.location);
    JsonFinding {
        check: &f.check,
        severity: f.severity.as_str(),
        message: &f.message,
        file: loc.0,
        line: loc.1,
        column: loc.2,
        end_line: loc.3,
        end_column: loc.4,
        resource: match &f.resource {
            Identity::Kubernetes(o) => JsonResource::Kubernetes {
                api_version: &o.api_version,
                kind: &o.kind,
                name: &o.name,
                namespace: o.namespace.as_deref(),
            },
            Identity::Compose(c) => JsonResource::Compose {
                kind: &c.kind,
                name: &c.name,
                project: &c.project,
            },
        },
        unit: &f.unit,
        path: &f.path,
        related: f
            .related
            .iter()
            .map(|r| {
                let l = location(run, &r.location);
                JsonRelated {
                    file: l.0,
                    line: l.1,
                    column: l.2,
                    end_line: l.3,
                    end_column: l.4,
                    message: &r.message,
                }
            })
            .collect(),
        fingerprint: &f.fingerprint,
        suppressed: &f.suppressed,
    }
}

fn location<'a>(run: &'a Run, loc: &Location) -> (&'a str, u32, u32, u32, u32) {
    (
        &run.files[loc.file].name,
        loc.span.start.line,
        loc.span.start.col,
        loc.span.end.line,
        loc.span.end.col,
    )
}
