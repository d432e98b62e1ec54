//! The command line from the outside: exit codes, inputs, errors, determinism, user policies.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::*;

#[test]
fn reference_as_written_exits_1_with_located_findings() {
    let (code, json) = check_json(&["fixtures/reference/kubernetes/as-written"]);
    assert_eq!(code, 1);
    assert!(
        json["errors"].as_array().unwrap().is_empty(),
        "{}",
        json["errors"]
    );
    // The scheduler-worker container has no securityContext: the finding points at its list
    // item, `- name: scheduler-worker`.
    let root = findings_of(&json, "run-as-root");
    let worker = root
        .iter()
        .find(|f| f["resource"]["name"] == "scheduler-worker")
        .expect("scheduler-worker may run as root");
    let text = std::fs::read_to_string(
        root_dir().join("fixtures/reference/kubernetes/as-written/scheduler.yaml"),
    )
    .unwrap();
    let line = text
        .lines()
        .nth(worker["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert_eq!(line.trim(), "- name: scheduler-worker");
    assert_eq!(worker["column"], line.find("name").unwrap() as u64 + 1);
    // The path is the path of the node found: the missing `securityContext` is not in it.
    assert_eq!(
        worker["path"],
        serde_json::json!(["spec", "template", "spec", "containers", 0])
    );
}

fn root_dir() -> std::path::PathBuf {
    root()
}

#[test]
fn json_report_has_every_spec_field() {
    let (_, json) = check_json(&["fixtures/checks/port-conflict/fail/node-port-across-files"]);
    assert_eq!(json["version"], 1);
    let f = &findings_of(&json, "port-conflict")[0];
    for key in [
        "check",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "resource",
        "path",
        "related",
        "fingerprint",
        "suppressed",
    ] {
        assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
    }
    for key in ["api_version", "kind", "name", "namespace"] {
        assert!(f["resource"].get(key).is_some(), "resource lacks `{key}`");
    }
    let related = &f["related"][0];
    for key in [
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
    ] {
        assert!(related.get(key).is_some(), "related lacks `{key}`");
    }
    for key in [
        "files",
        "documents",
        "resources",
        "findings",
        "suppressed",
        "by_severity",
    ] {
        assert!(json["summary"].get(key).is_some(), "summary lacks `{key}`");
    }
    assert_eq!(json["summary"]["by_severity"]["high"], 2);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let run_with = |jobs: &str| {
        run(rampart().args([
            "check",
            "--format",
            "json",
            "-j",
            jobs,
            "fixtures/reference",
            "fixtures/checks",
            "fixtures/inputs",
        ]))
        .stdout
    };
    let one = run_with("1");
    assert!(one.contains("\"findings\""));
    assert_eq!(one, run_with("2"));
    assert_eq!(one, run_with("4"));
}

#[test]
fn a_malformed_file_is_located_and_the_others_are_still_linted() {
    let (code, json) = check_json(&[
        "fixtures/inputs/malformed.yaml",
        "fixtures/inputs/bom-crlf.yaml",
        "fixtures/inputs/pod.json",
        "fixtures/checks/run-as-root/fail/no-security-context.yaml",
    ]);
    assert_eq!(code, 2, "an unparsable input is exit status 2");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "fixtures/inputs/malformed.yaml");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(7), Some(13))
    );
    // The good files were linted.
    assert_eq!(findings_of(&json, "run-as-root").len(), 4);
    let human = run(rampart().args([
        "check",
        "fixtures/inputs/malformed.yaml",
        "fixtures/inputs/pod.json",
    ]));
    assert_eq!(human.code, 2);
    assert!(human.stdout.contains("invalid YAML"), "{}", human.stdout);
    assert!(
        human.stdout.contains("malformed.yaml:7:13"),
        "{}",
        human.stdout
    );
}

#[test]
fn bom_crlf_and_json_inputs_are_located() {
    let (_, json) = check_json(&[
        "--only",
        "run-as-root",
        "fixtures/inputs/bom-crlf.yaml",
        "fixtures/inputs/pod.json",
    ]);
    let found = findings_of(&json, "run-as-root");
    let at: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        vec![
            ("fixtures/inputs/bom-crlf.yaml", 7, 7),
            ("fixtures/inputs/pod.json", 7, 7)
        ]
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let clean = run(rampart().args([
        "check",
        "--only",
        "run-as-root",
        "fixtures/checks/run-as-root/pass/explicit-user.yaml",
    ]));
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    assert!(
        clean
            .stdout
            .trim_end()
            .ends_with("0 findings in 1 file (1 resource)"),
        "{}",
        clean.stdout
    );
    let medium = [
        "check",
        "--only",
        "missing-liveness-probe",
        "fixtures/checks/missing-liveness-probe/fail/deployment.yaml",
    ];
    assert_eq!(run(rampart().args(medium)).code, 1);
    assert_eq!(
        run(rampart().args(medium).args(["--fail-on", "medium"])).code,
        1
    );
    assert_eq!(
        run(rampart().args(medium).args(["--fail-on", "high"])).code,
        0
    );
}

#[test]
fn usage_errors_are_exit_2() {
    let r = run(rampart().args([
        "check",
        "--disable",
        "no-such-check",
        "fixtures/inputs/pod.json",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown check `no-such-check`"),
        "{}",
        r.stderr
    );
    let r = run(rampart().args(["check", "fixtures/does-not-exist"]));
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("fixtures/does-not-exist"), "{}", r.stdout);
    let r = run(rampart().args(["check", "--format", "yaml", "."]));
    assert_eq!(r.code, 2);
}

#[test]
fn disable_switches_a_check_off() {
    let (_, json) = check_json(&[
        "--disable",
        "run-as-root",
        "fixtures/checks/run-as-root/fail",
    ]);
    assert!(findings_of(&json, "run-as-root").is_empty());
    assert!(!findings_of(&json, "missing-liveness-probe").is_empty());
}

#[test]
fn stdin_is_read_with_its_given_name() {
    let mut child = rampart()
        .args([
            "check",
            "--format",
            "json",
            "--only",
            "run-as-root",
            "--stdin-filename",
            "deploy/pod.yaml",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x:1\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &json["findings"][0];
    assert_eq!(f["file"], "deploy/pod.yaml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(7), Some(7))
    );
}

/// The facts rampart computes once per run are offered to user policies too, at
/// `data.rampart.index` (quantities in base units, Compose byte values): the policy reads only
/// them, so a table that is not filled in gives no finding.
#[test]
fn user_policies_read_the_facts_rampart_computes() {
    let (code, json) = check_json(&[
        "--policy",
        "fixtures/policies/memory-budget",
        "--only",
        "memory-over-budget",
        "fixtures/policies/memory-budget/examples",
    ]);
    assert_eq!(code, 1);
    let found: Vec<(String, u64, String)> = findings_of(&json, "memory-over-budget")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let examples = "fixtures/policies/memory-budget/examples";
    assert_eq!(
        found,
        [
            (
                format!("{examples}/compose.yaml"),
                4,
                "service `cache` may use 1610612736 bytes of memory".to_string()
            ),
            (
                format!("{examples}/deployment.yaml"),
                13,
                "container `train` may use 2147483648 bytes of memory".to_string()
            ),
        ]
    );
}

#[test]
fn user_policies_are_located_like_built_ins() {
    let (code, json) = check_json(&[
        "--policy",
        "fixtures/policies/team-labels",
        "--only",
        "missing-team-label",
        "fixtures/inputs/pod.json",
        "fixtures/checks/run-as-root/pass/explicit-user.yaml",
    ]);
    assert_eq!(code, 1);
    let found = findings_of(&json, "missing-team-label");
    assert_eq!(found.len(), 2);
    // `metadata.labels.team` is missing: the nearest existing node is `metadata`.
    assert_eq!(
        (found[1]["file"].as_str(), found[1]["line"].as_u64()),
        (Some("fixtures/inputs/pod.json"), Some(4))
    );
    let explain = run(rampart().args([
        "explain",
        "missing-team-label",
        "--policy",
        "fixtures/policies/team-labels",
    ]));
    assert_eq!(explain.code, 0);
    assert!(explain.stdout.contains("Workload has no team label"));
}

#[test]
fn a_policy_that_does_not_compile_is_exit_2_with_its_location() {
    let r = run(rampart().args([
        "check",
        "--policy",
        "fixtures/policies/broken",
        "fixtures/inputs/pod.json",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("fixtures/policies/broken/broken.rego:15:1:"),
        "stderr: {}",
        r.stderr
    );
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let r = run(rampart()
        .args(["check", "--format", "json", "-o"])
        .arg(&out)
        .arg("fixtures/checks/run-as-root/fail"));
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("findings"),
        "the summary goes to stderr: {}",
        r.stderr
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(json["summary"]["findings"].as_u64().unwrap() > 0);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn skipped_documents_are_listed_with_verbose() {
    let r = run(rampart().args(["check", "-v", "fixtures/inputs/not-kubernetes.yaml"]));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .contains("not-kubernetes.yaml:2: document 1 is neither"),
        "{}",
        r.stderr
    );
}

#[test]
fn directories_respect_gitignore_and_hidden_files() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x:1\n";
    std::fs::write(dir.path().join("a.yaml"), pod).unwrap();
    std::fs::write(dir.path().join("ignored.yaml"), pod).unwrap();
    std::fs::write(dir.path().join("notes.txt"), pod).unwrap();
    std::fs::create_dir(dir.path().join(".hidden")).unwrap();
    std::fs::write(dir.path().join(".hidden/b.yaml"), pod).unwrap();
    std::fs::write(dir.path().join(".gitignore"), "ignored.yaml\n").unwrap();
    let r = run(rampart()
        .args(["check", "--format", "json"])
        .arg(dir.path()));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 1, "{}", r.stdout);
    // A file named explicitly is always read.
    let r = run(rampart()
        .args(["check", "--format", "json"])
        .arg(dir.path().join("notes.txt")));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["summary"]["resources"], 1);
}

#[test]
fn policy_test_runs_the_built_in_tests() {
    let r = run(rampart().args(["policy", "test", "--quiet"]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    let summary = r.stdout.lines().last().unwrap();
    assert!(summary.ends_with("passed, 0 failed"), "{summary}");
}

#[test]
fn policy_test_reports_failures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("x_test.rego"),
        "package x_test\n\nimport rego.v1\n\ntest_ok if { 1 == 1 }\n\ntest_broken if { 1 == 2 }\n",
    )
    .unwrap();
    let r = run(rampart().args(["policy", "test"]).arg(dir.path()));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("FAIL"), "{}", r.stdout);
    assert_eq!(r.stdout.lines().last(), Some("1 passed, 1 failed"));
}

#[test]
fn checks_lists_the_catalogue() {
    let r = run(rampart().args(["checks", "--format", "json"]));
    assert_eq!(r.code, 0);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<_> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"run-as-root"));
    let r = run(rampart().args(["explain", "no-such-check"]));
    assert_eq!(r.code, 2);
}

#[test]
fn evaluating_checks_together_gives_what_each_gives_alone() {
    let paths = ["fixtures/checks", "fixtures/reference"];
    let together = run(rampart().args(["check", "--format", "json"]).args(paths));
    let separately = run(rampart()
        .env("RAMPART_EVALUATE_SEPARATELY", "1")
        .args(["check", "--format", "json"])
        .args(paths));
    assert!(together.stdout.contains("\"findings\""));
    assert_eq!(together.stdout, separately.stdout);
}

#[test]
fn user_policy_metadata_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let policy = |custom: &str| {
        format!(
            "# METADATA\n# title: T\n# description: D\n# custom:\n{custom}package acme.x\n\nimport rego.v1\n\ndeny contains {{\"msg\": \"m\", \"path\": []}} if false\n"
        )
    };
    let cases = [
        ("#   severity: low\n#   targets: [Pod]\n", "no `id`"),
        (
            "#   id: acme-x\n#   severity: urgent\n#   targets: [Pod]\n",
            "unknown severity `urgent`",
        ),
        (
            "#   id: run-as-root\n#   severity: low\n#   targets: [Pod]\n",
            "already used by a built-in check",
        ),
    ];
    for (custom, expected) in cases {
        std::fs::write(dir.path().join("x.rego"), policy(custom)).unwrap();
        let ran = run(rampart()
            .args(["check", "--policy"])
            .arg(dir.path())
            .arg("fixtures/inputs/pod.json"));
        assert_eq!(ran.code, 2, "{expected}");
        assert!(
            ran.stderr.contains("x.rego:1:1:"),
            "{expected}: {}",
            ran.stderr
        );
        assert!(ran.stderr.contains(expected), "{expected}: {}", ran.stderr);
    }
}
