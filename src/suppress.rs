//! Suppressions and baselines: the `ignore.rampart.dev/<check>` annotation, the Compose
//! `x-rampart-ignore` extension, inline `# rampart:ignore <checks> <reason>` comments, config
//! `ignore` entries and baseline files. Suppressed findings stay in every report, marked; a
//! suppression without a reason or that matches nothing is itself a finding.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::config::{Config, IgnoreRule};
use crate::finding::{Finding, Location, Severity, Suppression, fingerprint};
use crate::resource::{Identity, Resource};
use crate::source::{Pos, SourceFile, Span};
use crate::yaml::{Node, NodeValue, PathSeg};

pub const ANNOTATION_PREFIX: &str = "ignore.rampart.dev/";
pub const COMPOSE_EXTENSION: &str = "x-rampart-ignore";
pub const COMMENT_MARKER: &str = "rampart:ignore";
pub const UNUSED: &str = "unused-suppression";
pub const INVALID: &str = "invalid-suppression";

/// Where a suppression applies.
#[derive(Debug)]
enum Scope {
    /// Every finding of one resource.
    Resource(Arc<Identity>),
    /// Findings starting on these lines of a file (`file` is a run file index).
    Lines { file: usize, first: u32, last: u32 },
    /// A config entry: globs over paths relative to the config directory and a resource pattern.
    Config {
        globs: Option<GlobSet>,
        resource: Option<String>,
    },
}

/// One suppression found in the run.
#[derive(Debug)]
struct Suppressor {
    /// `annotation`, `comment` or `config`.
    kind: &'static str,
    /// Check ids; `*` for every check (config only).
    checks: Vec<String>,
    reason: String,
    scope: Scope,
    /// Where the suppression itself is, for findings about it.
    location: Location,
    resource: Arc<Identity>,
    path: Vec<PathSeg>,
    used: bool,
}

/// Applies every suppression to `findings` (sorted) and appends findings about the
/// suppressions themselves. `ran` says whether a check was evaluated (a suppression for a
/// check that did not run is never "unused").
#[allow(clippy::too_many_arguments)]
pub fn apply(
    findings: &mut Vec<Finding>,
    files: &mut Vec<Arc<SourceFile>>,
    resources: &[Resource],
    config: &Config,
    cwd: &Path,
    known: &dyn Fn(&str) -> bool,
    ran: &dyn Fn(&str) -> bool,
) {
    let mut suppressors = Vec::new();
    let mut problems: Vec<Finding> = Vec::new();
    for r in resources {
        collect_in_resource(r, &mut suppressors);
    }
    for index in 0..files.len() {
        collect_comments(index, files, resources, &mut suppressors);
    }
    if !config.ignore.is_empty() {
        let config_file = config.source.clone().map(|source| {
            files.push(source);
            files.len() - 1
        });
        for rule in &config.ignore {
            suppressors.push(config_suppressor(rule, config_file));
        }
    }

    // Invalid suppressions suppress nothing and are reported.
    suppressors.retain(|s| {
        let unknown: Vec<&String> = s.checks.iter().filter(|c| *c != "*" && !known(c)).collect();
        let message = if s.reason.trim().is_empty() {
            Some(format!(
                "suppression of `{}` has no reason",
                s.checks.join(",")
            ))
        } else if !unknown.is_empty() {
            Some(format!(
                "suppression names unknown check `{}`",
                unknown
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join("`, `")
            ))
        } else {
            None
        };
        match message {
            Some(message) => {
                if ran(INVALID) {
                    problems.push(engine_finding(INVALID, message, s, files));
                }
                false
            }
            None => true,
        }
    });

    // A file's path relative to the config's base is resolved once per file, and only when
    // there is a suppression to match: resolving takes a system call per path component, and a
    // file may have hundreds of findings.
    if !suppressors.is_empty() {
        let base = canonical(&config.base);
        let mut relative_paths: Vec<Option<String>> = vec![None; files.len()];
        for f in findings.iter_mut() {
            let relative = relative_paths[f.location.file].get_or_insert_with(|| {
                relative_to(&canonical(&cwd.join(&files[f.location.file].name)), &base)
            });
            for s in suppressors.iter_mut() {
                if !s.checks.iter().any(|c| c == "*" || **c == *f.check) || !matches(s, f, relative)
                {
                    continue;
                }
                s.used = true;
                if f.suppressed.is_none() {
                    f.suppressed = Some(Box::new(Suppression {
                        kind: s.kind.into(),
                        reason: s.reason.clone(),
                    }));
                }
            }
        }
    }

    if ran(UNUSED) {
        for s in &suppressors {
            let checks_ran = s.checks.iter().any(|c| c == "*" || ran(c));
            if !s.used && checks_ran {
                let message = format!("suppression of `{}` matches no finding", s.checks.join(","));
                problems.push(engine_finding(UNUSED, message, s, files));
            }
        }
    }
    findings.append(&mut problems);
}

fn matches(s: &Suppressor, f: &Finding, relative: &str) -> bool {
    match &s.scope {
        Scope::Resource(identity) => f.resource == *identity,
        Scope::Lines { file, first, last } => {
            f.location.file == *file && (*first..=*last).contains(&f.location.span.start.line)
        }
        Scope::Config { globs, resource } => {
            globs.as_ref().is_none_or(|g| g.is_match(relative))
                && resource
                    .as_ref()
                    .is_none_or(|pattern| resource_matches(pattern, &f.resource))
        }
    }
}

/// `Kind/namespace/name`, `Kind/name` (any namespace) or, for Compose, `service/name` and
/// `service/project/name`; `*` matches any one part.
fn resource_matches(pattern: &str, identity: &Identity) -> bool {
    let parts: Vec<&str> = pattern.split('/').collect();
    let eq = |p: &str, v: &str| p == "*" || p == v;
    match identity {
        Identity::Kubernetes(o) => match parts.as_slice() {
            [kind, name] => eq(kind, &o.kind) && eq(name, &o.name),
            [kind, ns, name] => {
                eq(kind, &o.kind)
                    && eq(ns, o.namespace.as_deref().unwrap_or(""))
                    && eq(name, &o.name)
            }
            _ => false,
        },
        Identity::Compose(c) => match parts.as_slice() {
            [kind, name] => eq(kind, &c.kind) && eq(name, &c.name),
            [kind, project, name] => {
                eq(kind, &c.kind) && eq(project, &c.project) && eq(name, &c.name)
            }
            _ => false,
        },
    }
}

fn engine_finding(
    check: &str,
    message: String,
    s: &Suppressor,
    files: &[Arc<SourceFile>],
) -> Finding {
    Finding {
        fingerprint: fingerprint(
            check,
            &files[s.location.file].name,
            &s.resource,
            &s.path,
            &message,
        ),
        check: check.into(),
        severity: Severity::Low,
        message,
        location: s.location.clone(),
        resource: s.resource.clone(),
        path: s.path.clone(),
        related: Vec::new(),
        suppressed: None,
        unit: "".into(),
    }
}

/// A suppression written in a resource: an `ignore.rampart.dev/<check>` annotation of a
/// Kubernetes object or an entry of a Compose service's `x-rampart-ignore`, read from the
/// resource's tree when it is loaded ([`marks`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// The check it names.
    pub check: Box<str>,
    /// The annotation's or entry's key as written.
    pub key: Box<str>,
    pub reason: String,
    /// The entry (key through value), and its key.
    pub span: Span,
    pub head: Span,
}

/// The suppressions written in a resource's tree.
pub fn marks(identity: &Identity, node: &Node) -> Vec<Mark> {
    let within = match identity {
        Identity::Kubernetes(_) => node.get("metadata").and_then(|m| m.get("annotations")),
        Identity::Compose(_) => node.get(COMPOSE_EXTENSION),
    };
    let Some(entries) = within.and_then(Node::as_map) else {
        return Vec::new();
    };
    let mut marks = Vec::new();
    for e in entries {
        let Some(key) = e.key.as_str() else { continue };
        let check = match identity {
            Identity::Kubernetes(_) => match key.strip_prefix(ANNOTATION_PREFIX) {
                Some(c) => c,
                None => continue,
            },
            Identity::Compose(_) => key,
        };
        let reason = match &e.value.value {
            NodeValue::Str(s) => s.to_string(),
            NodeValue::Null => String::new(),
            _ => e
                .value
                .key_text()
                .map(|t| t.into_owned())
                .unwrap_or_default(),
        };
        marks.push(Mark {
            check: check.into(),
            key: key.into(),
            reason,
            span: e.span(),
            head: e.key.span,
        });
    }
    marks
}

/// The annotations of a Kubernetes object or the `x-rampart-ignore` of a Compose service, as
/// suppressors.
fn collect_in_resource(r: &Resource, out: &mut Vec<Suppressor>) {
    let path: &[&str] = match *r.identity {
        Identity::Kubernetes(_) => &["metadata", "annotations"],
        Identity::Compose(_) => &[COMPOSE_EXTENSION],
    };
    for mark in &r.marks {
        let mut full: Vec<PathSeg> = r.prefix.to_vec();
        full.extend(path.iter().map(|p| PathSeg::Key((*p).into())));
        full.push(PathSeg::Key((*mark.key).into()));
        out.push(Suppressor {
            kind: "annotation",
            checks: vec![mark.check.to_string()],
            reason: mark.reason.clone(),
            scope: Scope::Resource(r.identity.clone()),
            location: Location {
                file: r.file,
                span: mark.span,
                head: mark.head,
            },
            resource: r.identity.clone(),
            path: full,
            used: false,
        });
    }
}

/// `# rampart:ignore <id>[,<id>] <reason>` comments of one file.
fn collect_comments(
    index: usize,
    files: &[Arc<SourceFile>],
    resources: &[Resource],
    out: &mut Vec<Suppressor>,
) {
    let file = &files[index];
    if !file.text.contains(COMMENT_MARKER) {
        return;
    }
    let lines: Vec<&str> = file.text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some((comment_at, rest)) = find_comment(line) else {
            continue;
        };
        // A second ` #` ends the reason (so a trailing note is not taken for one).
        let rest = rest.split(" #").next().unwrap_or_default().trim();
        let (ids, reason) = match rest.split_once(char::is_whitespace) {
            Some((ids, reason)) => (ids, reason.trim()),
            None => (rest, ""),
        };
        let checks: Vec<String> = ids
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let line_no = i as u32 + 1;
        let own_line = line[..comment_at].trim().is_empty();
        let (first, last) = if own_line {
            let next = lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| {
                    let t = l.trim();
                    !t.is_empty() && !t.starts_with('#') && t != "---"
                })
                .map(|(j, _)| j as u32 + 1);
            match next {
                Some(n) => (n, extent(resources, files, index, n).unwrap_or(n)),
                None => (line_no, line_no),
            }
        } else {
            (line_no, line_no)
        };
        let col = line[..comment_at].chars().count() as u32 + 1;
        let start = Pos {
            line: line_no,
            col,
            offset: 0,
        };
        let end = Pos {
            line: line_no,
            col: line.chars().count() as u32 + 1,
            offset: 0,
        };
        let owner = resources
            .iter()
            .filter(|r| r.file == index && r.outline.span().start.line <= first.max(line_no))
            .max_by_key(|r| r.outline.span().start.line);
        let resource = owner.map_or_else(
            || {
                Arc::new(Identity::Compose(crate::resource::ComposeId {
                    kind: "file".into(),
                    name: file.name.clone(),
                    project: String::new(),
                }))
            },
            |r| r.identity.clone(),
        );
        out.push(Suppressor {
            kind: "comment",
            checks: if checks.is_empty() {
                vec![String::new()]
            } else {
                checks
            },
            reason: reason.to_string(),
            scope: Scope::Lines {
                file: index,
                first,
                last: last.max(first),
            },
            location: Location {
                file: index,
                span: Span::new(start, end),
                head: Span::new(start, end),
            },
            resource,
            path: Vec::new(),
            used: false,
        });
    }
}

/// The `rampart:ignore` text of a YAML comment on a line: a `#` at the start or after
/// whitespace, followed by the marker.
fn find_comment(line: &str) -> Option<(usize, &str)> {
    let mut search = 0;
    while let Some(rel) = line[search..].find('#') {
        let at = search + rel;
        let preceded_ok = at == 0 || line[..at].ends_with([' ', '\t']);
        if preceded_ok {
            let body = line[at + 1..].trim_start();
            if let Some(rest) = body.strip_prefix(COMMENT_MARKER) {
                if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                    return Some((at, rest));
                }
            }
        }
        search = at + 1;
    }
    None
}

/// The last line of the outermost node that starts on `line` of a file.
fn extent(
    resources: &[Resource],
    files: &[Arc<SourceFile>],
    file: usize,
    line: u32,
) -> Option<u32> {
    resources
        .iter()
        .filter(|r| r.file == file)
        .find_map(|r| r.extent(line, files))
}

fn config_suppressor(rule: &IgnoreRule, file: Option<usize>) -> Suppressor {
    let globs = if rule.paths.is_empty() {
        None
    } else {
        let mut b = GlobSetBuilder::new();
        for p in &rule.paths {
            if let Ok(g) = Glob::new(p) {
                b.add(g);
            }
        }
        b.build().ok()
    };
    let span = Span::new(rule.pos, rule.pos);
    Suppressor {
        kind: "config",
        checks: rule.checks.clone(),
        reason: rule.reason.clone(),
        scope: Scope::Config {
            globs,
            resource: rule.resource.clone(),
        },
        location: Location {
            file: file.unwrap_or(0),
            span,
            head: span,
        },
        resource: Arc::new(Identity::Compose(crate::resource::ComposeId {
            kind: "config".into(),
            name: "ignore".into(),
            project: String::new(),
        })),
        path: Vec::new(),
        used: false,
    }
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

fn relative_to(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A baseline file: the fingerprints of accepted findings.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub check: String,
    pub file: String,
    pub message: String,
}

/// Reads a baseline's fingerprints.
pub fn read_baseline(path: &Path) -> Result<HashSet<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read baseline {}: {}",
            path.display(),
            crate::source::io_message(&e)
        )
    })?;
    let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: invalid baseline: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    Ok(baseline
        .findings
        .into_iter()
        .map(|e| e.fingerprint)
        .collect())
}

/// Marks findings recorded in a baseline as suppressed.
pub fn apply_baseline(findings: &mut [Finding], fingerprints: &HashSet<String>, name: &str) {
    for f in findings.iter_mut() {
        if f.suppressed.is_none() && fingerprints.contains(&f.fingerprint) {
            f.suppressed = Some(Box::new(Suppression {
                kind: "baseline".into(),
                reason: format!("recorded in baseline {name}"),
            }));
        }
    }
}

/// The baseline of a run's unsuppressed findings.
pub fn baseline_of(findings: &[Finding], files: &[Arc<SourceFile>]) -> Baseline {
    let mut seen = BTreeSet::new();
    let mut entries = Vec::new();
    for f in findings.iter().filter(|f| f.suppressed.is_none()) {
        if seen.insert(f.fingerprint.clone()) {
            entries.push(BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                check: f.check.to_string(),
                file: files[f.location.file].name.clone(),
                message: f.message.clone(),
            });
        }
    }
    Baseline {
        version: 1,
        findings: entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_only_as_comments() {
        assert_eq!(
            find_comment("  # rampart:ignore a,b why").map(|c| c.1.trim()),
            Some("a,b why")
        );
        assert_eq!(
            find_comment("x: 1 # rampart:ignore a why").map(|c| c.0),
            Some(5)
        );
        assert_eq!(find_comment("url: http://x#rampart:ignore"), None);
        assert_eq!(find_comment("# rampart:ignored"), None);
    }

    #[test]
    fn resource_patterns() {
        let id = Identity::Kubernetes(crate::resource::ObjectId {
            api_version: "apps/v1".into(),
            kind: "DaemonSet".into(),
            name: "fluent-bit".into(),
            namespace: Some("logging".into()),
        });
        assert!(resource_matches("DaemonSet/logging/fluent-bit", &id));
        assert!(resource_matches("DaemonSet/fluent-bit", &id));
        assert!(resource_matches("*/logging/*", &id));
        assert!(!resource_matches("Deployment/fluent-bit", &id));
        assert!(!resource_matches("DaemonSet/other/fluent-bit", &id));
    }
}
