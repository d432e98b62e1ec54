//! Compose projects end to end through the binary: the reference cluster (as written and
//! hardened) and the project model — override files, `.env` interpolation, `extends`,
//! `profiles`, structure problems and files that do not parse.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

/// The checks this file is about; other Compose checks would add findings to the same files.
const CHECKS: [&str; 8] = [
    "--only",
    "port-conflict",
    "--only",
    "unbound-host-port",
    "--only",
    "invalid-compose",
    "--only",
    "unset-compose-variable",
];

fn check(paths: &[&str]) -> (i32, Value) {
    let mut args: Vec<&str> = CHECKS.to_vec();
    args.extend_from_slice(paths);
    check_json(&args)
}

/// `(check, file name, line)` of every finding.
fn found(json: &Value) -> BTreeSet<(String, String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let name = file.rsplit('/').next().unwrap().to_string();
            (
                f["check"].as_str().unwrap().to_string(),
                name,
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, u64)]) -> BTreeSet<(String, String, u64)> {
    items
        .iter()
        .map(|(c, f, l)| (c.to_string(), f.to_string(), *l))
        .collect()
}

/// A project directory written from `(file, text)` pairs.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("rampart-compose-")
        .tempdir()
        .unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn p(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn reference_as_written_shows_the_8080_clash_and_unbound_ports() {
    let (code, json) = check(&["fixtures/reference/compose/as-written"]);
    assert_eq!(code, 1);
    let f = "docker-compose.yml";
    assert_eq!(
        found(&json),
        set(&[
            ("port-conflict", f, 13),
            ("port-conflict", f, 48),
            ("unbound-host-port", f, 13),
            ("unbound-host-port", f, 14),
            ("unbound-host-port", f, 31),
            ("unbound-host-port", f, 40),
            ("unbound-host-port", f, 41),
            ("unbound-host-port", f, 48),
            ("unbound-host-port", f, 53),
        ])
    );
    // Each side of the conflict has the other as its related location.
    let conflicts: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "port-conflict")
        .collect();
    assert_eq!(conflicts.len(), 2);
    for (f, other_line, other) in [
        (conflicts[0], 48, "api-gateway"),
        (conflicts[1], 13, "spark-master"),
    ] {
        assert_eq!(f["severity"], "high");
        assert_eq!(f["related"].as_array().unwrap().len(), 1);
        assert_eq!(f["related"][0]["line"], other_line);
        assert!(
            f["message"].as_str().unwrap().contains(other),
            "{}",
            f["message"]
        );
        assert_eq!(f["resource"]["kind"], "service");
        assert_eq!(f["resource"]["project"], "as-written");
    }
    assert_eq!(conflicts[0]["resource"]["name"], "spark-master");
    assert_eq!(json["summary"]["resources"], 6);
}

#[test]
fn reference_hardened_is_clean() {
    let (code, json) = check(&["fixtures/reference/compose/hardened"]);
    assert_eq!(json["findings"], serde_json::json!([]));
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(code, 0);
    assert_eq!(json["summary"]["resources"], 6);
}

#[test]
fn an_override_merged_port_points_into_the_override_file() {
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"127.0.0.1:8080:80\"\n  api:\n    image: api:1.0\n",
        ),
        (
            "compose.override.yaml",
            "services:\n  api:\n    ports:\n      - \"8080:9000\"\n",
        ),
    ]);
    // The directory walk finds both files: one project, the override is not linted alone.
    let (code, json) = check(&[&p(dir.path())]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&json),
        set(&[
            ("port-conflict", "compose.override.yaml", 4),
            ("port-conflict", "compose.yaml", 5),
            ("unbound-host-port", "compose.override.yaml", 4),
        ])
    );
    assert_eq!(json["summary"]["files"], 2);
    assert_eq!(json["summary"]["resources"], 2);
    let api = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "port-conflict" && f["resource"]["name"] == "api")
        .unwrap();
    assert!(
        api["related"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("/compose.yaml")
    );
    assert_eq!(
        api["path"],
        serde_json::json!(["services", "api", "ports", 0])
    );

    // Given alone, the override file is linted with the base file next to it.
    let (_, alone) = check(&[&p(&dir.path().join("compose.override.yaml"))]);
    assert_eq!(found(&alone), found(&json));
    assert_eq!(alone["summary"]["files"], 1);
}

#[test]
fn interpolation_reads_dotenv_only() {
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"${WEB_PORT}:80\"\n      - \"${ADMIN_PORT:-9090}:81\"\n      - \"${DEBUG_PORT}:82\"\n",
        ),
        (".env", "# ports\nWEB_PORT=8080\n"),
    ]);
    // DEBUG_PORT in the environment of the run must not be used.
    let out = run(rampart()
        .env("DEBUG_PORT", "7070")
        .args(["check", "--format", "json"])
        .args(CHECKS)
        .arg(dir.path()));
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let messages: Vec<(String, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                "unbound-host-port".into(),
                5,
                "host port 8080/tcp is published on every interface (no host IP)".into()
            ),
            (
                "unbound-host-port".into(),
                6,
                "host port 9090/tcp is published on every interface (no host IP)".into()
            ),
            (
                "unset-compose-variable".into(),
                7,
                "variable `DEBUG_PORT` is not set in the project's `.env` and has no default"
                    .into()
            ),
        ]
    );
}

#[test]
fn extends_from_another_file_points_into_that_file() {
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    extends:\n      file: common/base.yaml\n      service: base\n    image: nginx:1.27\n  other:\n    image: nginx:1.27\n    ports:\n      - \"127.0.0.1:8080:80\"\n",
        ),
        (
            "common/base.yaml",
            "services:\n  base:\n    ports:\n      - \"8080:80\"\n    depends_on: [db]\n",
        ),
    ]);
    let (code, json) = check(&[&p(&dir.path().join("compose.yaml"))]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&json),
        set(&[
            ("port-conflict", "base.yaml", 4),
            ("port-conflict", "compose.yaml", 10),
            ("unbound-host-port", "base.yaml", 4),
        ])
    );
    let web = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "unbound-host-port")
        .unwrap();
    assert_eq!(web["resource"]["name"], "web");
    assert!(web["file"].as_str().unwrap().ends_with("common/base.yaml"));
}

#[test]
fn every_profile_is_linted() {
    let dir = project(&[(
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx:1.27\n  debug:\n    image: busybox:1.36\n    profiles: [debug]\n    ports:\n      - \"2345:2345\"\n",
    )]);
    let (_, json) = check(&[&p(dir.path())]);
    assert_eq!(
        found(&json),
        set(&[("unbound-host-port", "docker-compose.yml", 8)])
    );
}

#[test]
fn an_unknown_key_is_invalid_compose_at_that_key() {
    let dir = project(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    restart: always\n    helthcheck:\n      test: [CMD, true]\n",
    )]);
    let (code, json) = check(&[&p(dir.path())]);
    assert_eq!(code, 1);
    let f = &json["findings"][0];
    assert_eq!(f["check"], "invalid-compose");
    assert_eq!(
        f["message"],
        "unknown service key `helthcheck` (did you mean `healthcheck`?)"
    );
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(6), Some(24))
    );
    assert_eq!(
        f["path"],
        serde_json::json!(["services", "web", "helthcheck"])
    );
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn a_broken_file_is_an_error_and_the_others_are_still_linted() {
    let dir = project(&[
        (
            "good/compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"8080:80\"\n",
        ),
        (
            "broken/compose.yaml",
            "services:\n  web:\n    image: \"nginx:1.27\n    ports: []\n",
        ),
        (
            "dotenv/compose.yaml",
            "services:\n  web:\n    image: nginx:${TAG:-1.27}\n",
        ),
        ("dotenv/.env", "TAG=1.27\nnot valid\n"),
    ]);
    let (code, json) = check(&[&p(dir.path())]);
    assert_eq!(code, 2);
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let broken = errors
        .iter()
        .find(|e| e["file"].as_str().unwrap().ends_with("broken/compose.yaml"))
        .unwrap();
    assert!(
        broken["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid YAML")
    );
    assert!(broken["line"].as_u64().unwrap() >= 3);
    let dotenv = errors
        .iter()
        .find(|e| e["file"].as_str().unwrap().ends_with("dotenv/.env"))
        .unwrap();
    assert_eq!(
        (dotenv["line"].as_u64(), dotenv["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(
        found(&json),
        set(&[("unbound-host-port", "compose.yaml", 5)])
    );
}

#[test]
fn related_services_resolve_within_their_own_project() {
    // Two projects with the same service names: conflicts never cross projects.
    let a = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"127.0.0.1:8080:80\"\n  api:\n    image: api:1.0\n    ports:\n      - \"127.0.0.1:8080:90\"\n";
    let b = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"127.0.0.1:8080:80\"\n";
    let dir = project(&[("a/compose.yaml", a), ("b/compose.yaml", b)]);
    let (_, json) = check(&[&p(dir.path())]);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    for f in findings {
        assert!(f["file"].as_str().unwrap().contains("/a/"));
        assert!(f["related"][0]["file"].as_str().unwrap().contains("/a/"));
    }
}

#[test]
fn documents_of_one_file_are_merged_and_reset_tags_apply() {
    let dir = project(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8080:80\"]\n---\nservices:\n  web:\n    ports: !override [\"127.0.0.1:8081:80\"]\n",
    )]);
    let (code, json) = check(&[&p(dir.path())]);
    assert_eq!(json["findings"], serde_json::json!([]));
    assert_eq!(code, 0);
}
