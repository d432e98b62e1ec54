//! Meta-tests that keep the catalogue honest: every built-in check has complete metadata,
//! docs, fixtures and Rego tests, its directory, package and id agree, and docs/checks.md is
//! the generated file.

mod common;

use std::collections::BTreeSet;

use common::*;
use rampart::policy::Catalog;
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
        if !check.description.contains("Why it matters:") {
            problems.push(format!(
                "{id}: the description needs a `Why it matters:` paragraph"
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
