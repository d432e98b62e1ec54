//! Null is empty (issue 13, part 3): for every resource of the check fixtures, variants with
//! one array or object field set to null (`ports:`, `env:`, `securityContext:` left empty) are
//! linted with every check, and no check may fail at run time on them. Kubernetes objects also
//! get variants with the field set to a string (`env: env`, seen in the wild), which the API
//! server rejects but a linter must read without breaking.
//!
//! Kubernetes variants are written as one JSON document each (JSON is YAML) into one stream per
//! fixture file, renamed so that every variant is its own object; Compose variants become extra
//! services of one project per fixture file.

mod common;

use std::path::Path;

use common::*;
use serde_json::{Map, Value};

/// Every path of `value` that holds an array or an object, the root excepted.
fn container_paths(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(Value::from(k.as_str()));
                if v.is_object() || v.is_array() {
                    out.push(path.clone());
                }
                container_paths(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Value::from(i));
                if v.is_object() || v.is_array() {
                    out.push(path.clone());
                }
                container_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn set(value: &mut Value, path: &[Value], to: Value) {
    let mut at = value;
    for seg in path {
        at = match seg {
            Value::String(k) => at.get_mut(k.as_str()).unwrap(),
            _ => at.get_mut(seg.as_u64().unwrap() as usize).unwrap(),
        };
    }
    *at = to;
}

fn documents(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let stream = rampart::yaml::parse_stream(&text);
    stream.documents.iter().map(|d| d.root.to_json()).collect()
}

fn is_kubernetes(doc: &Value) -> bool {
    doc.get("apiVersion").is_some_and(Value::is_string)
        && doc.get("kind").is_some_and(Value::is_string)
}

/// The Kubernetes variants of one document: each field set to `to`, each renamed apart.
fn kubernetes_variants(doc: &Value, tag: &str, to: &Value) -> Vec<Value> {
    let mut paths = Vec::new();
    container_paths(doc, &mut Vec::new(), &mut paths);
    paths
        .iter()
        .enumerate()
        .filter(|(_, p)| p.first() != Some(&Value::from("metadata")) || p.len() > 1)
        .map(|(i, p)| {
            let mut v = doc.clone();
            set(&mut v, p, to.clone());
            if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                let name = meta
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("x")
                    .to_string();
                meta.insert("name".into(), Value::from(format!("{name}-{tag}-{i}")));
            }
            v
        })
        .collect()
}

/// One Compose project holding, for every service of the document, a variant per field set
/// to null.
fn compose_variants(doc: &Value) -> Option<(Value, usize)> {
    let services = doc.get("services")?.as_object()?;
    let mut out = Map::new();
    for (name, service) in services {
        if !service.is_object() {
            continue;
        }
        let mut paths = Vec::new();
        container_paths(service, &mut Vec::new(), &mut paths);
        for (i, p) in paths.iter().enumerate() {
            let mut v = service.clone();
            set(&mut v, p, Value::Null);
            // `extends` and `depends_on` name other services and files: keep the variant alone.
            if let Some(m) = v.as_object_mut() {
                m.remove("extends");
                m.remove("depends_on");
            }
            out.insert(format!("{name}-n{i}"), v);
        }
    }
    let count = out.len();
    let mut project = doc.clone();
    let m = project.as_object_mut()?;
    m.insert("services".into(), Value::Object(out));
    m.remove("include");
    Some((project, count))
}

fn policy_failures(report: &Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .filter(|m| m.starts_with("check `") || m.starts_with("internal error"))
        .collect()
}

#[test]
fn no_check_fails_on_null_or_mistyped_fields() {
    let dir = tempfile::tempdir().unwrap();
    let mut k8s_stream = String::new();
    let mut k8s_variants = 0;
    let mut compose_files = Vec::new();
    let mut compose_services = 0;
    let fixtures = files_under(&root().join("fixtures/checks"));
    for (n, file) in fixtures.iter().enumerate() {
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !matches!(ext, "yaml" | "yml") {
            continue;
        }
        for (d, doc) in documents(file).iter().enumerate() {
            if is_kubernetes(doc) {
                for (tag, to) in [("n", Value::Null), ("s", Value::from("x"))] {
                    for v in kubernetes_variants(doc, &format!("f{n}d{d}{tag}"), &to) {
                        k8s_stream.push_str("---\n");
                        k8s_stream.push_str(&serde_json::to_string(&v).unwrap());
                        k8s_stream.push('\n');
                        k8s_variants += 1;
                    }
                }
            } else if let Some((project, count)) = compose_variants(doc) {
                if count == 0 {
                    continue;
                }
                let path = dir.path().join(format!("p{n}-{d}/compose.yaml"));
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, serde_json::to_string(&project).unwrap()).unwrap();
                compose_files.push(path);
                compose_services += count;
            }
        }
    }
    assert!(
        k8s_variants > 1000,
        "only {k8s_variants} Kubernetes variants"
    );
    assert!(
        compose_services > 100,
        "only {compose_services} Compose variants"
    );

    let k8s = dir.path().join("variants.yaml");
    std::fs::write(&k8s, k8s_stream).unwrap();
    let mut args = vec![k8s.to_str().unwrap().to_string()];
    args.extend(
        compose_files
            .iter()
            .map(|p| p.to_str().unwrap().to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, report) = check_json(&args);
    let resources = report["summary"]["resources"].as_u64().unwrap() as usize;
    assert!(
        resources >= k8s_variants,
        "{resources} resources evaluated for {k8s_variants} Kubernetes variants"
    );
    let failures = policy_failures(&report);
    assert!(
        failures.is_empty(),
        "{} checks failed at run time on null or mistyped fields:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
}

/// A policy that still fails at run time is an error naming the check, the policy file and the
/// resource, located at that resource (not at 1:1 of the file), and the run's other resources
/// and checks are still evaluated.
#[test]
fn a_policy_failing_at_run_time_is_located_at_its_resource() {
    let (code, report) = check_json(&[
        "--policy",
        "fixtures/policies/fails-at-run-time",
        "fixtures/policies/fails-at-run-time/deployment.yaml",
    ]);
    assert_eq!(code, 2, "{report:#}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report:#}");
    let e = &errors[0];
    assert_eq!(
        e["file"],
        "fixtures/policies/fails-at-run-time/deployment.yaml"
    );
    assert_eq!(e["line"], 9, "{e:#}");
    let message = e["message"].as_str().unwrap();
    for part in [
        "check `unlisted-owners`",
        "Deployment default/api",
        "policy `fixtures/policies/fails-at-run-time/owners.rego`",
    ] {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
    // The failing check does not take the resource's other checks with it.
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["check"] == "run-as-root"),
        "{report:#}"
    );
}
