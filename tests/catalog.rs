//! Meta-tests that keep the catalogue honest: every built-in check has complete metadata, each
//! fact said once (check-level facts in its header, side facts on its side, no prose markers),
//! docs, fixtures and Rego tests, its directory, package and id agree, and docs/checks.md is
//! the generated file.

mod common;

use std::collections::BTreeSet;

use common::*;
use rampart::policy::Catalog;
use rampart::policy::metadata::PolicyMeta;
use rampart::policy::registry::FileRole;

#[test]
fn every_check_is_complete_and_consistently_named() {
    let catalog = Catalog::builtin().expect("built-in policies load");
    assert!(!catalog.checks.is_empty());
    let mut problems = Vec::new();
    for check in &catalog.checks {
        let id = &check.id;
        for prefix in ["use-", "prefer-", "avoid-", "no-", "ensure-"] {
            if id.starts_with(prefix) {
                problems.push(format!(
                    "{id}: a check id names the problem, not the advice (`{prefix}`)"
                ));
            }
        }
        if check.title.is_empty() || check.family.is_empty() || check.remediation.is_empty() {
            problems.push(format!("{id}: title, family and remediation are required"));
        }
        if check.sides.iter().any(|s| {
            s.description
                .as_ref()
                .is_none_or(|d| d.why.as_deref().is_none_or(str::is_empty))
        }) {
            problems.push(format!(
                "{id}: each side needs a `description` and a `custom.why`"
            ));
        }
        if check.references.is_empty() {
            problems.push(format!(
                "{id}: at least one related_resources reference is required"
            ));
        }
        for (file, _) in &check.files {
            let rel = file.strip_prefix("policies/").unwrap();
            let (dir, name) = rel.split_once('/').unwrap();
            if dir != id {
                problems.push(format!(
                    "{file}: directory `{dir}` is not the check id `{id}`"
                ));
            }
            let stem = name.trim_end_matches(".rego");
            let want = format!("rampart.checks.{}.{stem}", id.replace('-', "_"));
            let policy = catalog.files.iter().find(|f| &f.path == file).unwrap();
            if policy.package != want {
                problems.push(format!(
                    "{file}: package `{}` should be `{want}`",
                    policy.package
                ));
            }
            let test_path = format!("policies/{dir}/{stem}_test.rego");
            match catalog.files.iter().find(|f| f.path == test_path) {
                Some(t) if t.source.lines().any(|l| l.starts_with("test_")) => {}
                _ => problems.push(format!("{file}: no Rego tests in {test_path}")),
            }
        }
        for kind in ["pass", "fail"] {
            let dir = root().join("fixtures/checks").join(id).join(kind);
            let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
            if n == 0 {
                problems.push(format!("{id}: no fixtures in fixtures/checks/{id}/{kind}/"));
            }
        }
    }
    problems.extend(facts_said_more_than_once(&catalog));
    // Every policy directory is a check (or the library), every fixture directory names one.
    let ids: BTreeSet<&str> = catalog.checks.iter().map(|c| c.id.as_str()).collect();
    for f in &catalog.files {
        let dir = f
            .path
            .trim_start_matches("policies/")
            .split('/')
            .next()
            .unwrap();
        if dir != "lib" && !ids.contains(dir) {
            problems.push(format!("{}: not part of any check", f.path));
        }
        if dir == "lib" && f.role == FileRole::Check {
            problems.push(format!(
                "{}: a library file must not declare a check",
                f.path
            ));
        }
    }
    for entry in std::fs::read_dir(root().join("fixtures/checks")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if !ids.contains(name.as_str()) {
            problems.push(format!("fixtures/checks/{name}: no such check"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each fact of a built-in check is said once: id, title, severity and family in its header
/// `policies/<id>/check.rego` only; targets, description, why, remediation and references on
/// each side, never the same on two sides, and never as prose markers ("Why it matters:", a
/// "For Compose: " lead-in) that a reader would have to parse.
fn facts_said_more_than_once(catalog: &Catalog) -> Vec<String> {
    let mut problems = Vec::new();
    for check in &catalog.checks {
        let id = &check.id;
        let want_header = format!("policies/{id}/check.rego");
        let header = catalog.files.iter().find(|f| f.path == want_header);
        match header.and_then(|f| f.meta.as_ref()) {
            Some(meta) if header.unwrap().role == FileRole::Header => {
                let package = format!("rampart.checks.{}", id.replace('-', "_"));
                if header.unwrap().package != package {
                    problems.push(format!("{want_header}: package should be `{package}`"));
                }
                let said = [
                    ("custom.id", meta.id.is_some()),
                    ("title", meta.title.is_some()),
                    ("custom.severity", meta.severity.is_some()),
                    ("custom.family", meta.family.is_some()),
                ];
                for (field, given) in said {
                    if !given {
                        problems.push(format!("{want_header}: the header must say `{field}`"));
                    }
                }
                // A header with sides says nothing a side says.
                let side_facts = [
                    ("custom.targets", !meta.targets.is_empty()),
                    ("description", meta.description.is_some()),
                    ("custom.remediation", meta.remediation.is_some()),
                    ("related_resources", !meta.references.is_empty()),
                ];
                for (field, given) in side_facts {
                    if given && !check.files.is_empty() {
                        problems.push(format!(
                            "{want_header}: `{field}` belongs to a side, not the header"
                        ));
                    }
                }
            }
            _ => problems.push(format!(
                "{id}: no header {want_header} with `scope: subpackages` and `custom.id`"
            )),
        }
        let sides: Vec<(&str, &PolicyMeta)> = check
            .files
            .iter()
            .filter_map(|(path, _)| {
                let f = catalog.files.iter().find(|f| &f.path == path)?;
                Some((f.path.as_str(), f.meta.as_ref()?))
            })
            .collect();
        for (path, meta) in &sides {
            let repeated = [
                ("custom.id", meta.id.is_some()),
                ("title", meta.title.is_some()),
                ("custom.severity", meta.severity.is_some()),
                ("custom.family", meta.family.is_some()),
            ];
            for (field, given) in repeated {
                if given {
                    problems.push(format!(
                        "{path}: `{field}` is said in {want_header}; do not repeat it"
                    ));
                }
            }
            if let Some(d) = &meta.description {
                for marker in ["Why it matters:", "For Kubernetes", "For Compose"] {
                    if d.what.contains(marker) || d.why.as_deref().unwrap_or("").contains(marker) {
                        problems.push(format!(
                            "{path}: prose marker `{marker}` in the description; use \
                             `custom.why` (a lowercase description gets its side's lead-in)"
                        ));
                    }
                }
            }
        }
        for (i, (a, ma)) in sides.iter().enumerate() {
            for (b, mb) in &sides[i + 1..] {
                let why = |m: &PolicyMeta| m.description.as_ref().and_then(|d| d.why.clone());
                let what = |m: &PolicyMeta| m.description.as_ref().map(|d| d.what.clone());
                let same = [
                    ("description", what(ma).is_some() && what(ma) == what(mb)),
                    ("custom.why", why(ma).is_some() && why(ma) == why(mb)),
                    (
                        "custom.remediation",
                        ma.remediation.is_some() && ma.remediation == mb.remediation,
                    ),
                ];
                for (field, repeated) in same {
                    if repeated {
                        problems.push(format!("{b}: `{field}` repeats {a}; say it once"));
                    }
                }
                for r in &mb.references {
                    if ma.references.contains(r) {
                        problems.push(format!("{b}: related resource {} repeats {a}", r.url));
                    }
                }
            }
        }
    }
    problems
}

#[test]
fn docs_checks_md_is_generated() {
    let catalog = Catalog::builtin().unwrap();
    let fresh = rampart::docs::markdown(&catalog);
    let path = root().join("docs/checks.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        if std::env::var_os("RAMPART_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        } else {
            panic!(
                "docs/checks.md is stale: run `RAMPART_UPDATE_DOCS=1 cargo test --test catalog` \
                 (or `cargo run -- checks --format markdown > docs/checks.md`)"
            );
        }
    }
    // The CLI prints the same document.
    let ran = run(rampart().args(["checks", "--format", "markdown"]));
    assert_eq!(ran.stdout, fresh);
}

/// `scripts/new-check` marks every place an author must fill in with `TODO(new-check)`: none may
/// land.
#[test]
fn no_scaffold_placeholder_is_left() {
    let mut left = Vec::new();
    for dir in ["policies", "fixtures/checks"] {
        for file in files_under(&root().join(dir)) {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                if line.contains("TODO(new-check)") {
                    left.push(format!("{}:{}: {}", rel(&file), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        left.is_empty(),
        "scaffold placeholders left:\n{}",
        left.join("\n")
    );
}

/// The scaffold writes a check that loads as a policy directory, whose compliant tests pass and
/// whose offending tests stay red until the rule is written, with fixtures in the layout
/// `tests/checks.rs` reads; it refuses ids the catalogue would reject.
#[test]
fn new_check_scaffold_writes_a_loadable_red_check() {
    let dir = tempfile::tempdir().unwrap();
    let scaffold = root().join("scripts/new-check");
    let ran = std::process::Command::new("bash")
        .arg(&scaffold)
        .args([
            "stale-widget",
            "--family",
            "security",
            "--compose",
            "--root",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    for file in [
        "policies/stale-widget/check.rego",
        "policies/stale-widget/kubernetes.rego",
        "policies/stale-widget/kubernetes_test.rego",
        "policies/stale-widget/compose.rego",
        "policies/stale-widget/compose_test.rego",
        "fixtures/checks/stale-widget/pass/deployment.yaml",
        "fixtures/checks/stale-widget/fail/deployment.yaml",
        "fixtures/checks/stale-widget/pass/compose/compose.yaml",
        "fixtures/checks/stale-widget/fail/compose/compose.yaml",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} not written");
    }
    let policy = dir.path().join("policies/stale-widget");
    let tested = run(rampart().arg("policy").arg("test").arg(&policy));
    assert_eq!(tested.code, 1, "{}{}", tested.stdout, tested.stderr);
    assert!(
        tested.stdout.contains("2 passed, 2 failed"),
        "{}",
        tested.stdout
    );
    let listed = run(rampart()
        .args(["checks", "--format", "json", "--policy"])
        .arg(&policy));
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(listed.stdout.contains("\"stale-widget\""));

    for bad in ["use-widget", "Stale_Widget"] {
        let refused = std::process::Command::new("bash")
            .arg(&scaffold)
            .args([bad, "--root"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(refused.status.code(), Some(2), "{bad} was accepted");
    }
    assert!(!dir.path().join("policies/use-widget").exists());
}
