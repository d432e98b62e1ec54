//! The DataJump reference deployment: the as-written manifests and compose cluster keep their
//! known findings as snapshots; the hardened ones report nothing unsuppressed with every check on.

mod common;

use common::*;

fn snapshot(name: &str, dir: &str) -> serde_json::Value {
    let ran = run(rampart().args(["check", "--format", "json", dir]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    insta::assert_snapshot!(format!("{name}_json"), ran.stdout);
    let human = run(rampart().args(["check", dir]));
    insta::assert_snapshot!(format!("{name}_human"), human.stdout);
    serde_json::from_str(&ran.stdout).unwrap()
}

fn at(json: &serde_json::Value, check: &str) -> Vec<(String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            (
                file.rsplit('/').next().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn kubernetes_as_written_shows_the_seed_problems() {
    let json = snapshot(
        "kubernetes_as_written",
        "fixtures/reference/kubernetes/as-written",
    );
    assert_eq!(
        at(&json, "removed-api-version"),
        vec![("pod-security-policy.yaml".to_string(), 1)]
    );
    assert!(at(&json, "missing-readiness-probe").contains(&("scheduler.yaml".to_string(), 81)));
}

#[test]
fn compose_as_written_shows_the_seed_problems() {
    let json = snapshot(
        "compose_as_written",
        "fixtures/reference/compose/as-written",
    );
    let file = "docker-compose.yml".to_string();
    // The Spark master web UI and the API gateway both publish 8080, each side shown.
    assert_eq!(
        at(&json, "port-conflict"),
        vec![(file.clone(), 13), (file.clone(), 48)]
    );
    // bitnami/spark:latest twice, untagged minio/minio, api-gateway and inference.
    assert_eq!(at(&json, "mutable-image-tag").len(), 5);
    // MinIO's literal root password.
    assert_eq!(at(&json, "hardcoded-secret"), vec![(file.clone(), 38)]);
    for check in ["run-as-root", "missing-memory-limit", "missing-healthcheck"] {
        assert_eq!(at(&json, check).len(), 6, "{check}: every service");
    }
}

#[test]
fn hardened_references_are_clean_with_every_check() {
    for dir in [
        "fixtures/reference/kubernetes/hardened",
        "fixtures/reference/compose/hardened",
    ] {
        let ran = run(rampart().args(["check", "--format", "json", dir]));
        let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
        assert_eq!(json["summary"]["findings"], 0, "{dir}: {}", ran.stdout);
        assert!(json["errors"].as_array().unwrap().is_empty(), "{dir}");
        assert_eq!(ran.code, 0, "{dir}");
        // Every exception is explicit and has its reason.
        for f in json["findings"].as_array().unwrap() {
            assert!(
                !f["suppressed"]["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .is_empty(),
                "{f}"
            );
        }
    }
}
