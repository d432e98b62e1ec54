//! The catalogue of checks: built-in policy files embedded at build time plus user policy
//! directories, with the metadata every output reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Kind};
use crate::finding::Severity;
use crate::policy::metadata::{self, Description, PolicyMeta, Reference};

include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// The built-in data tables, as `data.rampart.tables.<file stem>`: `policies/<dir>/<name>.json`
/// holds a table that a policy reads as `data.rampart.tables.<name>`. Large constant tables live
/// here and not in a Rego rule because regorus builds a rule's value again for every resource
/// (a 40-entry object literal costs more than all the rest of its check), while `data` is built
/// once per run.
pub fn builtin_tables() -> Result<regorus::Value, Diagnostic> {
    let mut tables = BTreeMap::new();
    for (path, text) in BUILTIN_TABLES {
        let error = |message: String| Diagnostic::policy(format!("policies/{path}"), 1, 1, message);
        let stem = Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let value = regorus::Value::from_json_str(text)
            .map_err(|e| error(format!("invalid table: {e}")))?;
        if tables
            .insert(regorus::Value::from(stem.as_str()), value)
            .is_some()
        {
            return Err(error(format!("a second table named `{stem}`")));
        }
    }
    let mut rampart = BTreeMap::new();
    rampart.insert(regorus::Value::from("tables"), regorus::Value::from(tables));
    let mut root = BTreeMap::new();
    root.insert(
        regorus::Value::from("rampart"),
        regorus::Value::from(rampart),
    );
    Ok(regorus::Value::from(root))
}

/// Where the documentation of built-in checks is published.
pub const DOCS_URL: &str = "https://github.com/rampart-lint/rampart/blob/main/docs/checks.md";

pub use crate::policy::targets::{WORKLOAD_KINDS, targets_kind};

/// What role a `.rego` file plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRole {
    /// Declares a check or one side of it (`custom.targets` in its METADATA) and contributes
    /// `deny` results.
    Check,
    /// `scope: subpackages` METADATA with a `custom.id`: the check-level facts (id, title,
    /// severity, family) of the check whose sides are its subpackages, said once
    /// (`policies/<id>/check.rego`). A header with `custom.targets` and no sides is a check
    /// that rampart itself reports (the suppression checks).
    Header,
    /// Shared helpers, imported by checks.
    Library,
    /// `*_test.rego`: unit tests, run by `rampart policy test` only.
    Test,
}

/// One Rego file.
#[derive(Clone, Debug)]
pub struct PolicyFile {
    /// `policies/run-as-root/kubernetes.rego` for built-ins; the path as found for user files.
    pub path: String,
    pub source: String,
    pub package: String,
    pub role: FileRole,
    pub meta: Option<PolicyMeta>,
    pub builtin: bool,
}

/// A check: the facts of its header and of each side, and the rules to evaluate.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Check {
    pub id: String,
    pub title: String,
    /// The whole check's description, as JSON, SARIF and GitLab show it: each side's
    /// [`Description::text`], Kubernetes first.
    pub description: String,
    pub severity: Severity,
    pub family: String,
    pub targets: Vec<String>,
    /// Each side's remediation, joined the same way.
    pub remediation: String,
    pub references: Vec<Reference>,
    pub builtin: bool,
    /// Rule paths such as `data.rampart.checks.run_as_root.kubernetes.deny`, with the targets
    /// of the file they come from.
    #[serde(skip)]
    pub rules: Vec<(String, Vec<String>)>,
    /// Files that declare a side of the check, and the line of their METADATA.
    #[serde(skip)]
    pub files: Vec<(String, u32)>,
    /// The header file (`check.rego`) that says the check-level facts, and its METADATA line.
    #[serde(skip)]
    pub header: Option<(String, u32)>,
    /// What each side says about itself, Kubernetes first.
    #[serde(skip)]
    pub sides: Vec<Side>,
}

/// One side of a check (Kubernetes or Compose): what a policy file says about its findings.
#[derive(Clone, Debug)]
pub struct Side {
    pub targets: Vec<String>,
    pub description: Option<Description>,
    /// A Compose finding gets the Compose advice.
    pub remediation: Option<String>,
}

impl Check {
    /// The remediation for findings on a kind of resource (as [`targets_kind`] matches it).
    pub fn remediation_for(&self, target_kind: &str) -> &str {
        self.sides
            .iter()
            .filter(|s| targets_kind(&s.targets, target_kind))
            .find_map(|s| s.remediation.as_deref())
            .unwrap_or(self.remediation.as_str())
    }

    /// The documentation link of the check: rampart's docs for a built-in check, the first
    /// reference of a user check (never rampart's page, which does not describe it).
    pub fn help_uri(&self) -> Option<String> {
        if self.builtin {
            Some(format!("{DOCS_URL}#{}", self.id))
        } else {
            self.references.first().map(|r| r.url.clone())
        }
    }

    /// Where the check is declared, for errors: its header, else its first side.
    fn origin(&self) -> (String, u32) {
        self.header
            .clone()
            .or_else(|| self.files.first().cloned())
            .unwrap_or_default()
    }
}

/// Every policy file of a run and the checks they declare.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub files: Vec<PolicyFile>,
    pub checks: Vec<Check>,
}

impl Catalog {
    /// The check id closest to `name` when it is close enough to be a typo ("did you mean").
    pub fn similar_id(&self, name: &str) -> Option<&str> {
        self.checks
            .iter()
            .map(|c| (strsim::jaro_winkler(name, &c.id), c.id.as_str()))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }

    /// The built-in catalogue alone.
    pub fn builtin() -> Result<Catalog, Vec<Diagnostic>> {
        Catalog::load(&[])
    }

    /// Built-in policies plus the `.rego` files under each user directory (or file).
    pub fn load(user_paths: &[PathBuf]) -> Result<Catalog, Vec<Diagnostic>> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for ((path, source), json) in BUILTIN_POLICIES.iter().zip(BUILTIN_METADATA) {
            let path = format!("policies/{path}");
            match policy_file(path, source.to_string(), true, *json) {
                Ok(f) => files.push(f),
                Err(e) => errors.push(e),
            }
        }
        for dir in user_paths {
            match rego_files(dir) {
                Ok(paths) => {
                    for path in paths {
                        let display = path.display().to_string();
                        // Regular files only, within the input size cap (src/source.rs).
                        let read =
                            crate::source::read_regular(&path, crate::source::MAX_INPUT_BYTES)
                                .and_then(|b| {
                                    String::from_utf8(b).map_err(|_| "invalid UTF-8".to_string())
                                });
                        match read {
                            Ok(source) => match policy_file(display, source, false, None) {
                                Ok(f) => files.push(f),
                                Err(e) => errors.push(e),
                            },
                            Err(e) => errors.push(Diagnostic::policy(
                                display,
                                1,
                                1,
                                format!("cannot read policy: {e}"),
                            )),
                        }
                    }
                }
                Err(message) => {
                    errors.push(Diagnostic::policy(dir.display().to_string(), 1, 1, message))
                }
            }
        }
        if errors.is_empty() && !user_paths.is_empty() {
            errors.extend(crate::policy::recursion::check(&files));
        }
        let checks = match merge_checks(&files) {
            Ok(c) => c,
            Err(mut e) => {
                errors.append(&mut e);
                Vec::new()
            }
        };
        if errors.is_empty() {
            Ok(Catalog { files, checks })
        } else {
            Err(errors)
        }
    }

    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Files evaluated for findings: libraries and checks, not tests.
    pub fn evaluated_files(&self) -> impl Iterator<Item = &PolicyFile> {
        self.files.iter().filter(|f| f.role != FileRole::Test)
    }
}

/// Every `.rego` file under a path, sorted (a file path is taken as is).
pub fn rego_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(format!(
            "policy directory `{}` does not exist",
            path.display()
        ));
    }
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(path)
        .standard_filters(false)
        .build()
    {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_some_and(|t| t.is_file())
            && entry.path().extension().is_some_and(|e| e == "rego")
        {
            out.push(entry.into_path());
        }
    }
    out.sort();
    Ok(out)
}

/// A policy file read: its package, role and METADATA (from `json`, the block as build.rs
/// converted it for a built-in file, when there is one; else parsed).
fn policy_file(
    path: String,
    source: String,
    builtin: bool,
    json: Option<(u32, &str)>,
) -> Result<PolicyFile, Diagnostic> {
    let Some(package) = metadata::package_of(&source) else {
        return Err(Diagnostic::policy(path, 1, 1, "no `package` declaration"));
    };
    let is_test = path.ends_with("_test.rego");
    let meta = if is_test {
        None
    } else {
        match json {
            Some((line, json)) => metadata::from_json(json, line),
            None => metadata::parse(&source),
        }
        .map_err(|e| Diagnostic::new(Kind::Policy, path.clone(), Some(e.pos), e.message))?
    };
    let role = if is_test {
        FileRole::Test
    } else if meta.as_ref().is_some_and(|m| m.header) {
        FileRole::Header
    } else if meta.is_some() {
        FileRole::Check
    } else {
        FileRole::Library
    };
    Ok(PolicyFile {
        path,
        source,
        package,
        role,
        meta,
        builtin,
    })
}

/// Builds each check from its header and its sides. A side names its check by `custom.id` or
/// by its package, a subpackage of its header's. `title`, `severity` and `family` are said once
/// (or repeated identically, as user policies may); each side brings its targets, description,
/// remediation and references, Kubernetes first. A user check may not reuse a built-in id.
fn merge_checks(files: &[PolicyFile]) -> Result<Vec<Check>, Vec<Diagnostic>> {
    let mut checks: BTreeMap<String, Check> = BTreeMap::new();
    let mut errors = Vec::new();
    let headers: Vec<(&str, &str)> = files
        .iter()
        .filter(|f| f.role == FileRole::Header)
        .filter_map(|f| Some((f.package.as_str(), f.meta.as_ref()?.id.as_deref()?)))
        .collect();
    let mut check_files: Vec<&PolicyFile> = files
        .iter()
        .filter(|f| matches!(f.role, FileRole::Check | FileRole::Header))
        .collect();
    // Headers first, then Kubernetes-side files, so joined texts read in a stable order.
    check_files.sort_by_key(|f| {
        let meta = f.meta.as_ref().expect("check files have metadata");
        (
            f.role != FileRole::Header,
            meta.targets.iter().all(|t| t.starts_with("compose-")),
        )
    });
    let mut severities: BTreeMap<String, Option<Severity>> = BTreeMap::new();
    for file in check_files {
        let meta = file.meta.as_ref().expect("check files have metadata");
        let header = file.role == FileRole::Header;
        let err = |message: String| Diagnostic::policy(file.path.clone(), meta.line, 1, message);
        let id = match check_id(file, meta, &headers) {
            Ok(id) => id,
            Err(message) => {
                errors.push(err(message));
                continue;
            }
        };
        if meta.targets.is_empty() && !header {
            errors.push(err(format!("check `{id}` declares no `custom.targets`")));
            continue;
        }
        let check = checks.entry(id.clone()).or_insert_with(|| Check {
            id: id.clone(),
            title: String::new(),
            description: String::new(),
            severity: Severity::Medium,
            family: String::new(),
            targets: Vec::new(),
            remediation: String::new(),
            references: Vec::new(),
            builtin: file.builtin,
            rules: Vec::new(),
            files: Vec::new(),
            header: None,
            sides: Vec::new(),
        });
        if check.builtin != file.builtin {
            errors.push(err(format!(
                "check id `{id}` is already used by a built-in check ({})",
                check.origin().0
            )));
            continue;
        }
        if header {
            if check.header.is_some() {
                errors.push(err(format!("a second header for check `{id}`")));
                continue;
            }
            check.header = Some((file.path.clone(), meta.line));
        } else {
            check.files.push((file.path.clone(), meta.line));
            check
                .rules
                .push((format!("data.{}.deny", file.package), meta.targets.clone()));
        }
        if !meta.targets.is_empty() {
            check.sides.push(Side {
                targets: meta.targets.clone(),
                description: meta.description.clone(),
                remediation: meta.remediation.clone(),
            });
        }
        for t in &meta.targets {
            if !check.targets.contains(t) {
                check.targets.push(t.clone());
            }
        }
        let mut same = |field: &str, slot: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                if slot.is_empty() {
                    *slot = v.clone();
                } else if slot != v {
                    errors.push(err(format!(
                        "`{field}` of `{id}` differs from its first declaration"
                    )));
                }
            }
        };
        same("title", &mut check.title, &meta.title);
        same("family", &mut check.family, &meta.family);
        // Only a side describes findings: a header's description counts when it is the check's
        // one side (it has targets).
        let side = !meta.targets.is_empty();
        let text = meta.description.as_ref().map(|d| d.text.clone());
        let remediation = meta.remediation.clone().filter(|_| side);
        for (slot, value) in [
            (&mut check.description, &text.filter(|_| side)),
            (&mut check.remediation, &remediation),
        ] {
            if let Some(v) = value {
                if slot.is_empty() {
                    *slot = v.clone();
                } else if !slot.contains(v.as_str()) {
                    slot.push_str("\n\n");
                    slot.push_str(v);
                }
            }
        }
        let severity = severities.entry(id.clone()).or_default();
        if let Some(s) = meta.severity {
            match severity {
                Some(previous) if *previous != s => errors.push(err(format!(
                    "`severity` of `{id}` differs from its first declaration"
                ))),
                _ => {
                    *severity = Some(s);
                    check.severity = s;
                }
            }
        }
        for r in &meta.references {
            if !check.references.contains(r) {
                check.references.push(r.clone());
            }
        }
    }
    for check in checks.values() {
        let severity_given = severities.get(&check.id).is_some_and(|s| s.is_some());
        errors.extend(missing_facts(check, severity_given));
    }
    if errors.is_empty() {
        Ok(checks.into_values().collect())
    } else {
        Err(errors)
    }
}

/// The id of the check a file declares or describes a side of: its `custom.id`, else the id of
/// the header of its parent package (`rampart.checks.x` for `rampart.checks.x.compose`).
fn check_id(
    file: &PolicyFile,
    meta: &PolicyMeta,
    headers: &[(&str, &str)],
) -> Result<String, String> {
    let parent = headers
        .iter()
        .find(|(package, _)| {
            file.package
                .strip_prefix(package)
                .is_some_and(|rest| rest.starts_with('.'))
        })
        .map(|(_, id)| *id);
    match (meta.id.as_deref(), parent) {
        (Some(id), Some(parent)) if id != parent => Err(format!(
            "check id `{id}` is not `{parent}`, the id of the header of its parent package"
        )),
        (Some(id), _) | (None, Some(id)) => Ok(id.to_string()),
        (None, None) => Err("METADATA `custom` has no `id`".into()),
    }
}

/// The facts a check must have, once its header and sides are merged.
fn missing_facts(check: &Check, severity_given: bool) -> Vec<Diagnostic> {
    let (file, line) = check.origin();
    let error = |message: String| Diagnostic::policy(file.clone(), line, 1, message);
    let mut errors: Vec<Diagnostic> = [
        ("custom.targets", check.targets.is_empty()),
        ("title", check.title.is_empty()),
        ("description", check.description.is_empty()),
        ("custom.severity", !severity_given),
    ]
    .into_iter()
    .filter(|(_, missing)| *missing)
    .map(|(field, _)| error(format!("check `{}` has no `{field}`", check.id)))
    .collect();
    if check.rules.is_empty() && !check.builtin {
        errors.push(error(format!(
            "check `{}` has no policy file with `custom.targets`",
            check.id
        )));
    }
    errors
}
