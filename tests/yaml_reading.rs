//! Files are read the way the tool that deploys them reads them: Kubernetes manifests as kubectl
//! (YAML 1.1 scalars, null fields absent), Compose files as compose-go (go-yaml v3), and every
//! file kubectl parses parses here. Fixtures: `fixtures/inputs/scalars/`.

mod common;

use common::{check_json, findings_of, root};
use rampart::yaml::{self, Schema};
use serde_json::{Value, json};

const DIR: &str = "fixtures/inputs/scalars";

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(DIR).join(name)).unwrap()
}

/// The one Kubernetes object of a fixture, as policies see it.
fn object(name: &str) -> Value {
    let mut objects = rampart::kubernetes::decode(&read(name)).unwrap();
    assert_eq!(objects.len(), 1, "{name}");
    objects.remove(0)
}

/// The checks reported on a container, by its name in the message.
fn checks_on(json: &Value, container: &str) -> Vec<String> {
    let needle = format!("container `{container}`");
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains(&needle))
        .map(|f| f["check"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn kubernetes_scalars_resolve_as_kubectl_resolves_them() {
    let file = format!("{DIR}/kubernetes-yaml11.yaml");
    let (code, json) = check_json(&[&file]);
    assert_eq!(code, 1, "{json}");
    // `privileged: on` is a privileged container.
    let privileged = checks_on(&json, "privileged-on");
    assert!(
        privileged.contains(&"privileged-container".into()),
        "{privileged:?}"
    );
    let at = &findings_of(&json, "privileged-container")[0];
    assert_eq!(
        (at["line"].as_u64(), at["column"].as_u64()),
        (Some(13), Some(9))
    );
    // `allowPrivilegeEscalation: no`, `readOnlyRootFilesystem: yes`, `runAsNonRoot: Yes`.
    let hardened = checks_on(&json, "escalation-no");
    for check in [
        "privilege-escalation",
        "writable-root-filesystem",
        "run-as-root",
    ] {
        assert!(!hardened.contains(&check.into()), "{check}: {hardened:?}");
    }
    let pod = object("kubernetes-yaml11.yaml");
    let c = &pod["spec"]["containers"][1];
    assert_eq!(
        c["securityContext"]["allowPrivilegeEscalation"],
        json!(false)
    );
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], json!(true));
    assert_eq!(c["volumeMounts"][0]["readOnly"], json!(true));
    assert_eq!(
        pod["spec"]["volumes"][0]["configMap"]["defaultMode"],
        json!(420)
    );
}

#[test]
fn quoted_scalars_stay_strings() {
    let (_, json) = check_json(&[&format!("{DIR}/kubernetes-quoted.yaml")]);
    assert!(
        findings_of(&json, "privileged-container").is_empty(),
        "{json}"
    );
    let pod = object("kubernetes-quoted.yaml");
    assert_eq!(
        pod["metadata"]["labels"],
        json!({"enabled": "on", "mode": "0644"})
    );
    assert_eq!(
        pod["spec"]["containers"][0]["securityContext"]["privileged"],
        json!("on")
    );
}

#[test]
fn compose_files_resolve_as_compose_go_does() {
    let text = read("compose.yaml");
    let mut root = yaml::parse_stream(&text).documents.remove(0).root;
    root.resolve(Schema::Compose);
    let labels = root
        .get("services")
        .unwrap()
        .get("app")
        .unwrap()
        .get("labels");
    // go-yaml v3: no YAML 1.1 booleans, but its own octal and underscores.
    assert_eq!(
        labels.unwrap().to_json(),
        json!({"enabled": "on", "mode": 420, "count": 1000, "quoted": "0644"})
    );
    // The same texts in a Kubernetes document.
    let mut k8s = yaml::parse_stream(&text).documents.remove(0).root;
    k8s.resolve(Schema::Kubernetes);
    let labels = k8s
        .get("services")
        .unwrap()
        .get("app")
        .unwrap()
        .get("labels");
    assert_eq!(
        labels.unwrap().get("enabled").unwrap().to_json(),
        json!(true)
    );
    // Each keeps the text the user wrote.
    let enabled = labels.unwrap().get("enabled").unwrap();
    assert_eq!(enabled.raw(), Some("on"));
    let (_, json) = check_json(&[&format!("{DIR}/compose.yaml")]);
    assert_eq!(json["errors"], json!([]), "{json}");
}

#[test]
fn files_kubectl_parses_parse() {
    // A quoted scalar continued less indented than its item (the Kafka tutorial), and a flow
    // sequence closed less indented than its items (istio's spire-quickstart.yaml).
    for (name, check) in [
        ("kafka-quoted-continuation.yaml", "missing-liveness-probe"),
        ("flow-sequence.yaml", "privileged-container"),
    ] {
        let (code, json) = check_json(&[&format!("{DIR}/{name}")]);
        assert_eq!(code, 1, "{name}: {json}");
        assert_eq!(json["errors"], json!([]), "{name}");
        assert_eq!(findings_of(&json, check).len(), 1, "{name}: {json}");
    }
    let kafka = object("kafka-quoted-continuation.yaml");
    let command = kafka["spec"]["containers"][0]["command"][2]
        .as_str()
        .unwrap();
    assert!(
        command.ends_with("PLAINTEXT://:9093 --override log.dir=/var/lib/kafka"),
        "{command}"
    );
    let flow = object("flow-sequence.yaml");
    assert_eq!(
        flow["spec"]["containers"][0]["args"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn null_fields_are_absent() {
    let file = format!("{DIR}/kubernetes-null-fields.yaml");
    let (code, json) = check_json(&[&file]);
    // Every check ran: findings, and no policy failing on `null`.
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"], json!([]), "{json}");
    assert!(!findings_of(&json, "missing-liveness-probe").is_empty());
    let deployment = object("kubernetes-null-fields.yaml");
    let spec = &deployment["spec"]["template"]["spec"];
    assert_eq!(spec.get("initContainers"), None);
    assert_eq!(
        spec["containers"][0],
        json!({"name": "app", "image": "registry.example.com/app:1.0.0",
               "securityContext": {"capabilities": {}}})
    );
}

#[test]
fn metadata_that_is_not_a_string_is_an_error_at_the_field() {
    let file = format!("{DIR}/bad-namespace.yaml");
    let (code, json) = check_json(&[&file]);
    assert_eq!(code, 2);
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(6), Some(3))
    );
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`metadata.namespace: y` is a boolean"),
        "{message}"
    );
}

#[test]
fn keys_that_resolve_alike_or_to_null_are_errors_at_the_key() {
    let (code, json) = check_json(&[&format!("{DIR}/kubernetes-keys.yaml")]);
    assert_eq!(code, 2);
    let mut errors: Vec<_> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let m = e["message"].as_str().unwrap();
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                m.to_string(),
            )
        })
        .collect();
    errors.sort();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!((errors[0].0, errors[0].1), (10, 3));
    assert!(
        errors[0]
            .2
            .contains("duplicate key `true` to kubectl (`on` here"),
        "{errors:?}"
    );
    assert_eq!((errors[1].0, errors[1].1), (11, 3));
    assert!(errors[1].2.contains("a null key (`~`)"), "{errors:?}");
}

#[test]
fn carriage_returns_alone_end_lines_for_every_message() {
    // The same line rule for decoding errors and YAML errors (issue 16, row 10): the files use
    // `\r` alone between lines.
    let (_, json) = check_json(&[&format!("{DIR}/cr-only-duplicate.yaml")]);
    let e = &json["errors"][0];
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(8), Some(3)),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("duplicate key `a`"));
    // The snippet shows that line, numbered 8, and no raw `\r` reaches the terminal.
    let human =
        common::run(common::rampart().args(["check", &format!("{DIR}/cr-only-duplicate.yaml")]));
    assert!(human.stdout.contains(" 8 │   a: c\n"), "{}", human.stdout);
    assert!(!human.stdout.contains('\r'));
    let (_, json) = check_json(&[&format!("{DIR}/cr-only-invalid-utf8.yaml")]);
    let e = &json["errors"][0];
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(6), Some(6)),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("invalid UTF-8"));
}
