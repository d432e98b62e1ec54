//! Fixture-driven tests of every check: `fixtures/checks/<id>/{pass,fail}/<case>` (a file or a
//! directory of files). A fail case marks each line where a finding must start with
//! `# expect: <id>`; the findings of the check must start on exactly those lines. A pass case
//! must give no finding of the check. Every case is snapshotted, human and JSON.
//!
//! `RAMPART_FIXTURE=id[,id]` limits the run to some checks while working on them.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

#[test]
fn every_check_fixture() {
    let fixtures = root().join("fixtures/checks");
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut checks: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    checks.sort();
    let only: Vec<String> = std::env::var("RAMPART_FIXTURE")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    for check_dir in checks {
        let id = check_dir.file_name().unwrap().to_string_lossy().to_string();
        if !only.is_empty() && !only.contains(&id) {
            continue;
        }
        for kind in ["pass", "fail"] {
            let dir = check_dir.join(kind);
            let mut entries: Vec<_> = match std::fs::read_dir(&dir) {
                Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
                Err(_) => {
                    failures.push(format!("{id}: no {kind}/ fixtures"));
                    continue;
                }
            };
            entries.sort();
            if entries.is_empty() {
                failures.push(format!("{id}: {kind}/ is empty"));
            }
            for case in entries {
                cases += 1;
                if let Err(e) = run_case(&id, kind, &case) {
                    failures.push(format!("{}: {e}", rel(&case)));
                }
            }
        }
    }
    assert!(cases > 0, "no fixtures found");
    assert!(
        failures.is_empty(),
        "{} failing fixture(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn run_case(id: &str, kind: &str, case: &Path) -> Result<(), String> {
    let target = rel(case);
    let expected: BTreeSet<(String, u64)> = files_under(case)
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let marker = format!("# expect: {id}");
            let name = rel(f);
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains(&marker))
                .map(|(i, _)| (name.clone(), i as u64 + 1))
                .collect::<Vec<_>>()
        })
        .collect();

    // A check may need others to run beside it (suppressions of another check): its
    // `fixtures/checks/<id>/args` file then replaces `--only <id>`.
    let args_file = root().join("fixtures/checks").join(id).join("args");
    let mut args: Vec<String> = match std::fs::read_to_string(&args_file) {
        Ok(text) => text.split_whitespace().map(str::to_string).collect(),
        Err(_) => vec!["--only".into(), id.to_string()],
    };
    args.push(target.clone());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, json) = check_json(&args);
    let findings = json["findings"].as_array().unwrap();
    let actual: BTreeSet<(String, u64)> = findings
        .iter()
        .filter(|f| f["check"] == id)
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    if !json["errors"].as_array().unwrap().is_empty() {
        return Err(format!("errors: {}", json["errors"]));
    }
    match kind {
        "pass" => {
            if !actual.is_empty() {
                return Err(format!("expected no finding, got {actual:?}"));
            }
            if !expected.is_empty() {
                return Err("a pass fixture must not carry `# expect:` markers".into());
            }
            let others = findings
                .iter()
                .any(|f| f["check"] != id && f["suppressed"].is_null());
            if code != 0 && !others {
                return Err(format!("exit status {code}, expected 0"));
            }
        }
        _ => {
            if expected.is_empty() {
                return Err(format!("a fail fixture needs `# expect: {id}` markers"));
            }
            if actual != expected {
                return Err(format!("findings at {actual:?}, expected at {expected:?}"));
            }
            let failing = findings.iter().any(|f| f["severity"] != "info");
            if failing && code != 1 {
                return Err(format!("exit status {code}, expected 1"));
            }
        }
    }

    let human = run(rampart().arg("check").args(&args));
    let name = format!(
        "{id}__{kind}__{}",
        case.file_stem().unwrap().to_string_lossy()
    );
    let snap = |suffix: &str, value: &str| -> Result<(), String> {
        let result = std::panic::catch_unwind(|| {
            insta::with_settings!({snapshot_path => "snapshots/checks", prepend_module_to_snapshot => false, description => target.as_str()}, {
                insta::assert_snapshot!(format!("{name}__{suffix}"), value);
            });
        });
        result.map_err(|_| format!("{suffix} snapshot differs (see the .snap.new file)"))
    };
    snap("human", &human.stdout)?;
    snap("json", &serde_json::to_string_pretty(&json).unwrap())?;
    Ok(())
}
