//! Findings → the run's result: sorted, joined across units, suppressed (comments, config,
//! baseline), fingerprints made unique, errors sorted, and counted for the summary.

use std::sync::Arc;

use rayon::prelude::*;

use super::load::Read;
use super::{Checked, Fatal, Options};
use crate::diagnostic::Diagnostic;
use crate::finding::{Finding, Severity};
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
    sort_findings(&mut findings, files);
    merge_units(&mut findings, files);

    let cwd = std::env::current_dir().unwrap_or_default();
    let known = |id: &str| catalog.check(id).is_some();
    let ran = |id: &str| {
        catalog
            .checks
            .iter()
            .zip(enabled.iter().copied())
            .any(|(c, on)| on && c.id == id)
    };
    let located = findings.len();
    suppress::apply(
        &mut findings,
        files,
        &read.resources,
        &options.config,
        &cwd,
        &known,
        &ran,
    );
    // Suppression problems were added at the end; the rest is still in order.
    let added = findings.len() > located;
    findings.retain(|f| !read.context_files.contains(&f.location.file));
    if added {
        sort_findings(&mut findings, files);
    }
    crate::finding::make_fingerprints_unique(&mut findings);
    if let Some(path) = &options.baseline {
        let fingerprints = suppress::read_baseline(path).map_err(Fatal::Usage)?;
        suppress::apply_baseline(&mut findings, &fingerprints, &path.display().to_string());
    }
    errors.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
    errors.dedup();

    let summary = &mut read.summary;
    let mut by_severity = [0; Severity::ALL.len()];
    for f in &findings {
        if f.suppressed.is_some() {
            summary.suppressed += 1;
        } else {
            summary.findings += 1;
            by_severity[f.severity as usize] += 1;
        }
    }
    for severity in Severity::ALL {
        if by_severity[severity as usize] > 0 {
            *summary.by_severity.entry(severity.to_string()).or_default() +=
                by_severity[severity as usize];
        }
    }
    let mut checked: Vec<Checked> = read
        .resources
        .iter()
        .filter(|r| !r.context)
        .map(|r| Checked {
            file: r.file,
            identity: r.identity.clone(),
            span: r.outline.span(),
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

/// Sorts findings by [`finding_key`], stably. A finding is hundreds of bytes, and a run of
/// one large file has a million: their indices are sorted, in parallel, and each finding is
/// then moved once, where sorting the findings themselves moved each of them many times and
/// held half of them again in scratch space.
fn sort_findings(findings: &mut [Finding], files: &[Arc<SourceFile>]) {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    let sorted = &*findings;
    order.par_sort_by(|&a, &b| finding_key(files, &sorted[a]).cmp(&finding_key(files, &sorted[b])));
    permute(findings, order);
}

/// Rearranges `items` so that `items[i]` is what was at `items[order[i]]`, in place, one
/// cycle of the permutation at a time.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut at = start;
        loop {
            let from = std::mem::replace(&mut order[at], DONE);
            // `from` is `start` when the cycle closes (what belongs here is the first item
            // of the cycle, which the swaps have carried here), `DONE` when the position
            // was placed by an earlier cycle.
            if from == start || from == DONE {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// Joins findings that differ only by their unit (a shared file evaluated in each of its
/// units): one finding, its units listed. `findings` is sorted by [`finding_key`]; they are
/// joined in place.
fn merge_units(findings: &mut Vec<Finding>, files: &[Arc<SourceFile>]) {
    // `findings[..kept]` are the findings kept so far; `findings[group..kept]` those with the
    // key of the last one.
    let mut kept = 0;
    let mut group = 0;
    for next in 0..findings.len() {
        let (done, rest) = findings.split_at_mut(next);
        let f = &mut rest[0];
        if kept > 0 && finding_key(files, &done[kept - 1]) != finding_key(files, f) {
            group = kept;
        }
        let same = done[group..kept].iter_mut().find(|k| {
            k.path == f.path
                && k.related == f.related
                && k.resource == f.resource
                && k.location == f.location
        });
        match same {
            Some(first) => {
                if !f.unit.is_empty() && !first.unit.split(", ").any(|u| *u == *f.unit) {
                    first.unit = format!("{}, {}", first.unit, f.unit).into();
                }
            }
            None => {
                findings.swap(kept, next);
                kept += 1;
            }
        }
    }
    findings.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
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
            resource: Arc::new(Identity::Kubernetes(ObjectId {
                api_version: "v1".into(),
                kind: "Pod".into(),
                name: "a".into(),
                namespace: Some("default".into()),
            })),
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
        let mut merged = findings;
        merge_units(&mut merged, &files);
        let units: Vec<(&str, u32, &str)> = merged
            .iter()
            .map(|f| (&*f.check, f.location.span.start.line, &*f.unit))
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

    #[test]
    fn permuting_puts_each_item_where_the_order_says() {
        for n in [0, 1, 2, 7, 100] {
            for _ in 0..20 {
                let mut order: Vec<usize> = (0..n).collect();
                fastrand::shuffle(&mut order);
                let mut items: Vec<String> = (0..n).map(|i| i.to_string()).collect();
                permute(&mut items, order.clone());
                let expected: Vec<String> = order.iter().map(|i| i.to_string()).collect();
                assert_eq!(items, expected);
            }
        }
    }

    #[test]
    fn sorting_findings_keeps_the_order_of_equal_keys() {
        let files = vec![Arc::new(SourceFile::new(
            "a.yaml".into(),
            None,
            String::new(),
        ))];
        let mut findings = vec![
            finding("run-as-root", 5, "first"),
            finding("port-conflict", 5, "x"),
            finding("run-as-root", 2, "y"),
            finding("run-as-root", 5, "second"),
            finding("port-conflict", 2, "z"),
        ];
        sort_findings(&mut findings, &files);
        let order: Vec<&str> = findings.iter().map(|f| &*f.unit).collect();
        assert_eq!(order, ["z", "y", "x", "first", "second"]);
    }
}
