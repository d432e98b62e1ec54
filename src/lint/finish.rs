//! Findings → the run's result: sorted, joined across units, suppressed (comments, config,
//! baseline), fingerprints made unique, errors sorted, and counted for the summary.

use std::sync::Arc;

use super::load::Read;
use super::{Checked, Fatal, Options};
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;
use crate::policy::Catalog;
use crate::source::{SourceFile, Span};
use crate::suppress;

/// What the reports get: the findings, the errors and the resources checked, in order.
pub(super) struct Finished {
    pub findings: Vec<Finding>,
    pub errors: Vec<Diagnostic>,
    pub checked: Vec<Checked>,
}

/// Orders, joins and suppresses the findings of a run, and counts them into `read.summary`.
pub(super) fn finish(
    mut findings: Vec<Finding>,
    mut errors: Vec<Diagnostic>,
    read: &mut Read,
    catalog: &Catalog,
    enabled: &[bool],
    options: &Options,
) -> Result<Finished, Fatal> {
    let files = &mut read.files;
    findings.sort_by(|a, b| finding_key(files, a).cmp(&finding_key(files, b)));
    let mut findings = merge_units(findings, files);

    let cwd = std::env::current_dir().unwrap_or_default();
    let known = |id: &str| catalog.check(id).is_some();
    let ran = |id: &str| {
        catalog
            .checks
            .iter()
            .zip(enabled.iter().copied())
            .any(|(c, on)| on && c.id == id)
    };
    suppress::apply(
        &mut findings,
        files,
        &read.resources,
        &options.config,
        &cwd,
        &known,
        &ran,
    );
    findings.retain(|f| !read.context_files.contains(&f.location.file));
    findings.sort_by(|a, b| finding_key(files, a).cmp(&finding_key(files, b)));
    crate::finding::make_fingerprints_unique(&mut findings);
    if let Some(path) = &options.baseline {
        let fingerprints = suppress::read_baseline(path).map_err(Fatal::Usage)?;
        suppress::apply_baseline(&mut findings, &fingerprints, &path.display().to_string());
    }
    findings.sort_by(|a, b| finding_key(files, a).cmp(&finding_key(files, b)));
    errors.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
    errors.dedup();

    let summary = &mut read.summary;
    for f in &findings {
        if f.suppressed.is_some() {
            summary.suppressed += 1;
        } else {
            summary.findings += 1;
            *summary
                .by_severity
                .entry(f.severity.to_string())
                .or_default() += 1;
        }
    }
    let mut checked: Vec<Checked> = read
        .resources
        .iter()
        .filter(|r| !r.context)
        .map(|r| Checked {
            file: r.file,
            identity: r.identity.clone(),
            span: r.node.span,
        })
        .collect();
    checked.sort_by(|a, b| {
        (&files[a.file].name, a.span, &a.identity).cmp(&(&files[b.file].name, b.span, &b.identity))
    });
    Ok(Finished {
        findings,
        errors,
        checked,
    })
}

fn finding_key<'a>(
    files: &'a [Arc<SourceFile>],
    f: &'a Finding,
) -> (&'a str, Span, &'a str, &'a str) {
    (
        &files[f.location.file].name,
        f.location.span,
        &f.check,
        &f.message,
    )
}

/// Joins findings that differ only by their unit (a shared file evaluated in each of its
/// units): one finding, its units listed. `findings` is sorted by [`finding_key`].
fn merge_units(findings: Vec<Finding>, files: &[Arc<SourceFile>]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut group = 0;
    for f in findings {
        if let Some(last) = out.last() {
            if finding_key(files, last) != finding_key(files, &f) {
                group = out.len();
            }
        }
        let same = out[group..].iter_mut().find(|k| {
            k.path == f.path
                && k.related == f.related
                && k.resource == f.resource
                && k.location == f.location
        });
        match same {
            Some(kept) => {
                if !f.unit.is_empty() && !kept.unit.split(", ").any(|u| u == f.unit) {
                    kept.unit.push_str(", ");
                    kept.unit.push_str(&f.unit);
                }
            }
            None => out.push(f),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Severity};
    use crate::resource::{Identity, ObjectId};

    fn finding(check: &str, line: u32, unit: &str) -> Finding {
        let pos = crate::source::Pos {
            line,
            col: 3,
            offset: 0,
        };
        let span = Span {
            start: pos,
            end: pos,
        };
        Finding {
            check: check.into(),
            severity: Severity::High,
            message: "m".into(),
            location: Location {
                file: 0,
                span,
                head: span,
            },
            resource: Identity::Kubernetes(ObjectId {
                api_version: "v1".into(),
                kind: "Pod".into(),
                name: "a".into(),
                namespace: Some("default".into()),
            }),
            path: Vec::new(),
            related: Vec::new(),
            fingerprint: String::new(),
            suppressed: None,
            unit: unit.into(),
        }
    }

    #[test]
    fn findings_of_a_shared_file_are_joined_across_units() {
        let files = vec![Arc::new(SourceFile::new(
            "a.yaml".into(),
            None,
            String::new(),
        ))];
        let findings = vec![
            finding("run-as-root", 2, "overlays/prod"),
            finding("run-as-root", 2, "overlays/staging"),
            finding("run-as-root", 2, "overlays/prod"),
            finding("run-as-root", 5, "overlays/prod"),
            finding("port-conflict", 5, "overlays/prod"),
        ];
        let merged = merge_units(findings, &files);
        let units: Vec<(&str, u32, &str)> = merged
            .iter()
            .map(|f| {
                (
                    f.check.as_str(),
                    f.location.span.start.line,
                    f.unit.as_str(),
                )
            })
            .collect();
        assert_eq!(
            units,
            [
                ("run-as-root", 2, "overlays/prod, overlays/staging"),
                ("run-as-root", 5, "overlays/prod"),
                ("port-conflict", 5, "overlays/prod"),
            ]
        );
    }
}
