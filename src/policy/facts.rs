//! Facts about one resource, computed once in Rust and read by the built-in checks on the RVM at
//! `data.rampart.facts`, so that each check does not call Rego helpers for them per container.
//!
//! Facts are not verdicts: they say what the manifest holds and where, and Rego decides what is
//! a finding. `lib/kubernetes.rego` computes the same facts in Rego when `data.rampart.facts` is
//! absent (the interpreter: `rampart policy test`, user policies, `RAMPART_ENGINE=interpreter`),
//! and the engine parity test proves, on every fixture, that both give the same findings.
//!
//! ```text
//! containers  set of {"container": obj, "field": list name, "path": [... field, i],
//!                     "name": name or "<unnamed>",
//!                     "security": {key: {"path": [...], "value": effective value}}}
//! images      {image: {"digest": "none" | "pinned" | "malformed", "tag": tag or null}}
//! ```
//!
//! `images` reads every image reference of the input (its containers', a Compose service's) as
//! `lib/images.rego`'s `reference` does: `digest` says whether the reference has an `@` part and
//! whether it is a well-formed digest, `tag` is the tag of the last path segment (null when
//! none). `containers` is `lib/kubernetes.rego`'s `containers`: every object of the pod spec's
//! `containers`, `initContainers` and `ephemeralContainers` of a workload. `security` holds each
//! securityContext field a pod can default (`POD_LEVEL_SECURITY_FIELDS`): `value` as Kubernetes
//! applies it (the container's, else the pod's; absent when neither sets it), `path` where it is
//! set (the pod's securityContext when only the pod sets it, else the container's).

use std::collections::{BTreeMap, BTreeSet};

use regorus::Value;

use crate::policy::builtins::get;
use crate::policy::index::{get_path, pod_spec_path};

/// The securityContext fields a PodSecurityContext also has (`pod_level_security_fields`).
const POD_LEVEL_SECURITY_FIELDS: [&str; 7] = [
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "windowsOptions",
    "appArmorProfile",
];

const CONTAINER_FIELDS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// The facts of `input`, the object `data.rampart.facts` holds while it is evaluated.
pub fn of(input: &Value) -> Value {
    let containers = containers(input);
    let mut images = BTreeMap::new();
    let mut add_image = |image: Option<&Value>| {
        if let Some(Value::String(text)) = image {
            if !images.contains_key(image.expect("matched")) {
                images.insert(Value::String(text.clone()), reference(text));
            }
        }
    };
    if let Value::Set(set) = &containers {
        for c in set.iter() {
            add_image(get(&c["container"], "image"));
        }
    }
    add_image(get(input, "service").and_then(|s| get(s, "image")));
    let mut facts = BTreeMap::new();
    facts.insert(Value::from("containers"), containers);
    facts.insert(Value::from("images"), Value::from(images));
    Value::from(facts)
}

/// What an image reference pins: its digest part (`none`, `pinned` or `malformed`) and its tag.
fn reference(image: &str) -> Value {
    static DIGEST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$")
            .expect("a valid pattern")
    });
    let (name, digest) = match image.find('@') {
        None => (image, "none"),
        Some(at) if DIGEST.is_match(image) => (&image[..at], "pinned"),
        Some(at) => (&image[..at], "malformed"),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = match last.find(':') {
        Some(colon) if colon + 1 < last.len() => Value::from(&last[colon + 1..]),
        _ => Value::Null,
    };
    let mut fact = BTreeMap::new();
    fact.insert(Value::from("digest"), Value::from(digest));
    fact.insert(Value::from("tag"), tag);
    Value::from(fact)
}

/// `data` with the facts of one input at `data.rampart.facts`.
pub fn with_facts(data: &Value, facts: Value) -> Value {
    let mut data = data.clone();
    if let Value::Object(root) = &mut data {
        let root = regorus::Rc::make_mut(root);
        let key = Value::from("rampart");
        let mut rampart = root
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Value::from(BTreeMap::new()));
        if let Value::Object(map) = &mut rampart {
            regorus::Rc::make_mut(map).insert(Value::from("facts"), facts);
        }
        root.insert(key, rampart);
    }
    data
}

fn containers(input: &Value) -> Value {
    let mut set = BTreeSet::new();
    let kind = match get(input, "kind") {
        Some(Value::String(kind)) => kind.as_ref(),
        _ => "",
    };
    let Some(spec_path) = pod_spec_path(kind) else {
        return Value::from(set);
    };
    let pod_spec = get_path(input, spec_path).filter(|s| matches!(s, Value::Object(_)));
    let pod_security = pod_spec.and_then(|s| get(s, "securityContext"));
    let base: Vec<Value> = spec_path.iter().map(|&k| Value::from(k)).collect();
    for field in CONTAINER_FIELDS {
        let Some(Value::Array(items)) = pod_spec.and_then(|s| get(s, field)) else {
            continue;
        };
        for (i, container) in items.iter().enumerate() {
            if !matches!(container, Value::Object(_)) {
                continue;
            }
            let mut path = base.clone();
            path.push(Value::from(field));
            path.push(Value::from(i));
            let name = match get(container, "name") {
                Some(name @ Value::String(_)) => name.clone(),
                _ => Value::from("<unnamed>"),
            };
            let security = security(container, pod_security, &base, &path);
            let mut element = BTreeMap::new();
            element.insert(Value::from("container"), container.clone());
            element.insert(Value::from("field"), Value::from(field));
            element.insert(Value::from("name"), name);
            element.insert(Value::from("path"), Value::from(path));
            element.insert(Value::from("security"), security);
            set.insert(Value::from(element));
        }
    }
    Value::from(set)
}

/// The effective value of each pod-level securityContext field of a container, and its path.
fn security(
    container: &Value,
    pod_security: Option<&Value>,
    pod_spec_path: &[Value],
    container_path: &[Value],
) -> Value {
    let own_security = get(container, "securityContext");
    let mut out = BTreeMap::new();
    for key in POD_LEVEL_SECURITY_FIELDS {
        let own = own_security.and_then(|s| get(s, key));
        let pod = pod_security.and_then(|s| get(s, key));
        let (value, at) = match (own, pod) {
            (Some(value), _) => (Some(value), container_path),
            (None, Some(value)) => (Some(value), pod_spec_path),
            (None, None) => (None, container_path),
        };
        let mut path = at.to_vec();
        path.push(Value::from("securityContext"));
        path.push(Value::from(key));
        let mut fact = BTreeMap::new();
        fact.insert(Value::from("path"), Value::from(path));
        if let Some(value) = value {
            fact.insert(Value::from("value"), value.clone());
        }
        out.insert(Value::from(key), Value::from(fact));
    }
    Value::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    #[test]
    fn a_pod_default_is_read_where_the_pod_sets_it() {
        let pod = value(
            r#"{"kind": "Deployment", "spec": {"template": {"spec": {
                "securityContext": {"runAsUser": 1000, "runAsNonRoot": true},
                "containers": [{"name": "app", "securityContext": {"runAsUser": 0}}, 7],
                "initContainers": [{"image": "x"}]}}}}"#,
        );
        let facts = of(&pod);
        let Value::Set(containers) = &facts["containers"] else {
            panic!("no set: {facts}");
        };
        assert_eq!(containers.len(), 2, "the number 7 is no container");
        let app = containers
            .iter()
            .find(|c| c["field"] == Value::from("containers"))
            .unwrap();
        assert_eq!(app["name"], Value::from("app"));
        assert_eq!(app["security"]["runAsUser"]["value"], Value::from(0));
        assert_eq!(
            app["security"]["runAsUser"]["path"],
            value(
                r#"["spec", "template", "spec", "containers", 0, "securityContext", "runAsUser"]"#
            )
        );
        assert_eq!(
            app["security"]["runAsNonRoot"]["path"],
            value(r#"["spec", "template", "spec", "securityContext", "runAsNonRoot"]"#)
        );
        let init = containers
            .iter()
            .find(|c| c["field"] == Value::from("initContainers"))
            .unwrap();
        assert_eq!(init["name"], Value::from("<unnamed>"));
        assert_eq!(init["security"]["runAsUser"]["value"], Value::from(1000));
        assert_eq!(init["security"]["runAsGroup"]["value"], Value::Undefined);
        assert_eq!(
            init["security"]["runAsGroup"]["path"],
            value(
                r#"["spec", "template", "spec", "initContainers", 0, "securityContext", "runAsGroup"]"#
            )
        );
    }

    #[test]
    fn image_references_are_read_as_lib_images_reads_them() {
        let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let cases = [
            ("nginx".to_string(), "none", Value::Null),
            ("nginx:".to_string(), "none", Value::Null),
            ("registry:5000/app".to_string(), "none", Value::Null),
            (
                "registry:5000/team/app:2.0".into(),
                "none",
                Value::from("2.0"),
            ),
            ("[::1]:5000/app:1.0".into(), "none", Value::from("1.0")),
            (
                format!("nginx:latest@{digest}"),
                "pinned",
                Value::from("latest"),
            ),
            ("nginx@sha256:abc".into(), "malformed", Value::Null),
            ("a:b:c".into(), "none", Value::from("b:c")),
        ];
        for (image, digest, tag) in cases {
            let fact = reference(&image);
            assert_eq!(fact["digest"], Value::from(digest), "{image}");
            assert_eq!(fact["tag"], tag, "{image}");
        }
        let service = value(r#"{"name": "web", "service": {"image": "nginx"}}"#);
        assert_eq!(
            of(&service)["images"]["nginx"]["digest"],
            Value::from("none")
        );
    }

    /// An interpreter with the library `lib` (no facts, so it computes them in Rego).
    fn rego(lib: &str, source: &str) -> regorus::Engine {
        let mut engine = crate::policy::engine::new_engine();
        engine
            .add_policy(format!("{lib}.rego"), source.into())
            .unwrap();
        engine
    }

    #[test]
    fn rust_and_rego_read_image_references_alike() {
        let mut engine = rego("images", include_str!("../../policies/lib/images.rego"));
        let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let mut samples: Vec<String> = [
            "nginx",
            "nginx:latest",
            "nginx:",
            ":",
            "",
            "/",
            "a/",
            "a:b:c",
            "registry:5000/app",
            "[::1]:5000/app:1.0",
            "ümlaut:tag",
            "ümlaut/äpp:ß",
            "app@",
            "@",
            "a@b@c",
            "a:1@x:y",
            "NGINX:LATEST",
            "nginx@sha256:abc",
            "nginx@notadigest",
            " nginx:1 ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        samples.extend([
            format!("nginx@{digest}"),
            format!("nginx:latest@{digest}"),
            format!("ré/app:v1@{digest}"),
            format!("a@b@{digest}"),
            format!("nginx@{digest}x"),
        ]);
        for image in samples {
            let arg = serde_json::to_string(&image).unwrap();
            let query = format!("x := data.rampart.lib.images.reference({arg})");
            let results = engine.eval_query(query, false).unwrap();
            let rego = results.result.first().map(|r| r.bindings["x"].clone());
            assert_eq!(Some(reference(&image)), rego, "{image:?}");
        }
    }

    #[test]
    fn rust_and_rego_list_containers_alike() {
        let mut engine = rego(
            "kubernetes",
            include_str!("../../policies/lib/kubernetes.rego"),
        );
        for input in [
            r#"{"kind": "Pod", "spec": {"securityContext": {"runAsUser": null, "seccompProfile": {}},
                "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}},
                               {"name": 5, "securityContext": "x"}, null],
                "ephemeralContainers": [{"securityContext": {"runAsUser": 0}}]}}"#,
            r#"{"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "securityContext": [1], "initContainers": [{"name": "i"}],
                "containers": {"name": "not a list"}}}}}}}"#,
            r#"{"kind": "Deployment", "spec": {"template": {"spec": "nothing"}}}"#,
            r#"{"kind": "ConfigMap", "data": {"containers": "x"}}"#,
        ] {
            let input = value(input);
            engine.set_input(input.clone());
            let rego = engine
                .eval_rule("data.rampart.lib.kubernetes.containers".into())
                .unwrap();
            assert_eq!(of(&input)["containers"], rego, "{input}");
        }
    }

    #[test]
    fn objects_that_are_not_workloads_have_no_containers() {
        for input in [
            r#"{"kind": "Service", "spec": {"containers": [{}]}}"#,
            r#"{"kind": "Pod", "spec": []}"#,
            r#"{"spec": {"containers": [{}]}}"#,
        ] {
            assert_eq!(
                of(&value(input))["containers"],
                Value::from(BTreeSet::new())
            );
        }
    }

    #[test]
    fn facts_sit_beside_params_and_index() {
        let data = value(r#"{"rampart": {"params": {"a": 1}}, "inventory": {}}"#);
        let with = with_facts(&data, value(r#"{"containers": []}"#));
        assert_eq!(with["rampart"]["params"]["a"], Value::from(1));
        assert_eq!(with["rampart"]["facts"]["containers"], value("[]"));
        assert_eq!(
            data["rampart"]["facts"],
            Value::Undefined,
            "the unit's data is unchanged"
        );
    }
}
