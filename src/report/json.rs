//! The JSON report (SPEC §8): `{"version": 1, "findings", "errors", "summary"}`.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::finding::{Finding, Location, Suppression};
use crate::lint::Run;
use crate::resource::Identity;
use crate::yaml::PathSeg;

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
    suppressed: Option<&'a Suppression>,
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

/// Findings per piece rendered on one worker: large enough that joining the pieces costs
/// nothing, small enough that both cores get work on a few thousand findings.
/// (Small in unit tests, so that a test report spans several pieces and batches.)
const FINDINGS_PER_PIECE: usize = if cfg!(test) { 8 } else { 256 };

/// Pieces rendered before they are written out.
const PIECES_PER_BATCH: usize = if cfg!(test) { 2 } else { 16 };

/// Writes the report as serde_json's pretty printer would write the whole document, but
/// renders the findings (nearly all of a large report) in pieces on the run's workers, each
/// into a buffer of its own rather than through `out`'s many small dynamic writes.
pub fn write(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{\n  \"version\": 1,\n  \"findings\": [")?;
    // A batch of pieces at a time, so that the pieces in memory stay a small part of the report.
    let batch = FINDINGS_PER_PIECE * PIECES_PER_BATCH;
    for (b, findings) in run.findings.chunks(batch).enumerate() {
        let pieces: Vec<io::Result<Vec<u8>>> = run.pool.install(|| {
            findings
                .par_chunks(FINDINGS_PER_PIECE)
                .enumerate()
                .map(|(n, chunk)| {
                    let mut piece = Vec::with_capacity(chunk.len() * 1024);
                    let mut one = Vec::with_capacity(2048);
                    for (i, f) in chunk.iter().enumerate() {
                        let first = b == 0 && n == 0 && i == 0;
                        piece.extend_from_slice(if first { b"\n" } else { b",\n" });
                        one.clear();
                        serde_json::to_writer_pretty(&mut one, &finding(run, f))?;
                        nest(&mut piece, &one, FINDING_INDENT);
                    }
                    Ok(piece)
                })
                .collect()
        });
        for piece in pieces {
            out.write_all(&piece?)?;
        }
    }
    if !run.findings.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"],\n  \"errors\": ")?;
    member(out, &errors(run))?;
    out.write_all(b",\n  \"summary\": ")?;
    member(out, &run.summary)?;
    out.write_all(b"\n}\n")
}

/// The indentation of a finding inside `"findings": [...]`.
const FINDING_INDENT: &[u8] = b"    ";

/// Appends `json` (pretty-printed at depth 0) as it reads one level deeper per two spaces of
/// `indent`: JSON text has no raw newline inside a string, so every newline starts a line.
fn nest(out: &mut Vec<u8>, json: &[u8], indent: &[u8]) {
    out.extend_from_slice(indent);
    let mut start = 0;
    // memchr finds the newlines; testing each byte was 2% of a run.
    for newline in memchr::memchr_iter(b'\n', json) {
        out.extend_from_slice(&json[start..=newline]);
        out.extend_from_slice(indent);
        start = newline + 1;
    }
    out.extend_from_slice(&json[start..]);
}

/// Writes a member value of the report's top-level object.
fn member(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(value)?;
    let mut nested = Vec::with_capacity(json.len() + json.len() / 8);
    nest(&mut nested, &json, b"  ");
    // The first line continues the member's line.
    out.write_all(&nested[2..])
}

fn errors(run: &Run) -> Vec<JsonError<'_>> {
    run.errors
        .iter()
        .map(|e| JsonError {
            file: &e.file,
            line: e.line,
            column: e.column,
            message: &e.message,
        })
        .collect()
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
        resource: match &*f.resource {
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
        suppressed: f.suppressed.as_deref(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole report as one value, as serde_json would print it in one go.
    #[derive(Serialize)]
    struct Report<'a> {
        version: u32,
        findings: Vec<JsonFinding<'a>>,
        errors: Vec<JsonError<'a>>,
        summary: &'a crate::lint::Summary,
    }

    fn whole(run: &Run) -> String {
        let report = Report {
            version: 1,
            findings: run.findings.iter().map(|f| finding(run, f)).collect(),
            errors: errors(run),
            summary: &run.summary,
        };
        serde_json::to_string_pretty(&report).unwrap() + "\n"
    }

    fn written(run: &Run) -> String {
        let mut out = Vec::new();
        write(run, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pieces_make_the_pretty_printed_document() {
        // More findings than two batches of pieces hold.
        let mut run = crate::report::tests::run_with_every_field();
        assert!(run.findings.len() > 2 * FINDINGS_PER_PIECE * PIECES_PER_BATCH);
        assert_eq!(written(&run), whole(&run));
        // One finding, and none at all.
        run.findings.truncate(1);
        run.errors.clear();
        assert_eq!(written(&run), whole(&run));
        run.findings.clear();
        assert_eq!(written(&run), whole(&run));
    }
}
