//! Walking a real repository the way its owner expects (issue 13, part 6), on
//! `fixtures/walk/app-repo`: an application with a `tsconfig.json`, a Helm chart, a Kustomize
//! base and overlay, and hidden directories.

mod common;

use common::*;
use serde_json::Value;

const REPO: &str = "fixtures/walk/app-repo";

fn walk(verbose: bool) -> (i32, Value, String) {
    let mut cmd = rampart();
    cmd.args(["check", "--format", "json", REPO]);
    if verbose {
        cmd.arg("-v");
    }
    let ran = run(&mut cmd);
    let json = serde_json::from_str(&ran.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", ran.stdout, ran.stderr));
    (ran.code, json, ran.stderr)
}

fn files_with_findings(json: &Value) -> Vec<String> {
    let mut files: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
fn an_application_repository_is_linted_without_errors() {
    let (code, json, stderr) = walk(false);
    assert_eq!(json["errors"], serde_json::json!([]), "{stderr}");
    // Findings (the base Deployment has no limits or probes), not a broken run.
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        files_with_findings(&json),
        [format!("{REPO}/deploy/base/deployment.yaml")],
        "only the base Deployment has findings: no patch, template or hidden file"
    );
    // The base Deployment, the chart's CRD (crds/ is plain YAML) and the overlay's ConfigMap.
    assert_eq!(json["summary"]["resources"], 3, "{json:#}");
}

#[test]
fn a_helm_chart_gets_one_note_without_verbose() {
    let (_, _, stderr) = walk(false);
    let notes: Vec<&str> = stderr.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(
        notes,
        [format!(
            "note: {REPO}/charts/shop: Helm chart: its templates are Go templates, not YAML, and \
             are not linted; lint the rendered chart with `helm template {REPO}/charts/shop | \
             rampart check -`"
        )],
        "{stderr}"
    );
}

#[test]
fn verbose_lists_what_the_walk_left_out() {
    let (_, _, stderr) = walk(true);
    for expected in [
        format!("note: {REPO}/.github: hidden directory, not walked"),
        format!("note: {REPO}/.config: hidden directory, not walked"),
        format!("note: {REPO}/frontend/tsconfig.json: not JSON"),
        format!("note: {REPO}/frontend/package.json: JSON that is neither"),
        format!(
            "note: {REPO}/deploy/overlays/prod/replicas.yaml: patch listed by `kustomization.yaml`"
        ),
        format!(
            "note: {REPO}/deploy/overlays/prod/resources.yaml: patch listed by `kustomization.yaml`"
        ),
        format!(
            "note: {REPO}/deploy/overlays/prod/image.json: patch listed by `kustomization.yaml`"
        ),
    ] {
        assert!(
            stderr.lines().any(|l| l.starts_with(&expected)),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("configmap.yaml: patch"),
        "a file the kustomization does not list as a patch is linted:\n{stderr}"
    );
}

#[test]
fn files_named_on_the_command_line_are_still_read() {
    // Not JSON: an error, as for any file the user asks for.
    let (code, json) = check_json(&[&format!("{REPO}/frontend/tsconfig.json")]);
    assert_eq!(code, 2, "{json:#}");
    assert_eq!(
        json["errors"][0]["file"],
        format!("{REPO}/frontend/tsconfig.json")
    );
    // A patch named on the command line is linted as what it says it is.
    let (code, json) = check_json(&[&format!("{REPO}/deploy/overlays/prod/replicas.yaml")]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["summary"]["resources"], 1);
    // A file in a hidden directory too.
    let (_, json) = check_json(&[&format!("{REPO}/.config/pod.yaml")]);
    assert_eq!(json["summary"]["resources"], 1);
}
