//! Facts about one resource, computed once in Rust and read by the built-in checks on the RVM at
//! `data.rampart.facts`, so that each check does not call Rego helpers for them per container.
//!
//! Facts are not verdicts: they say what the manifest holds and where, and Rego decides what is
//! a finding. The Rego that reads a fact (`lib/kubernetes.rego`, `lib/images.rego`,
//! `lib/credentials.rego`, `lib/pod_ports.rego`, missing-network-policy, port-conflict's Compose
//! side, unresolved-target-port) computes the same in Rego when `data.rampart.facts` is absent
//! (the interpreter: `rampart policy test`, user policies, `RAMPART_ENGINE=interpreter`); a unit
//! test here holds each fact alike to its Rego form, and the engine parity test proves, on every
//! fixture, that both give the same findings.
//!
//! ```text
//! containers  [{"container": obj, "field": list name, "path": [... field, i],
//!                     "name": name or "<unnamed>",
//!                     "security": {key: {"path": [...], "value": effective value}}}, ...]
//! images      {image: {"digest": "none" | "pinned" | "malformed", "tag": tag or null}}
//! env_names   {name: normalized name}
//! credential_names  {name: whether it names a credential}
//! declared_ports  [{"container": name, "container_path": [...], "path": [... "ports", j],
//!                   "number": containerPort, "protocol": protocol or "TCP",
//!                   "name": the entry's name or null, "entry": the port entry}, ...]
//! isolated_directions  {"Ingress", ...}   long-running workloads only
//! port_overlaps   [[i, other service, j], ...]   a Compose service's published ports
//! own_port_overlaps  [[i, j], ...]                whose number ranges overlap
//! awaited_to_complete  whether another service of the project waits for this one to complete
//! anti_affinity_terms  [{"term", "path", "kind", "order", "selects_own_pods"?}, ...]
//! spread_constraints   [{"term", "path", "kind": "", "order", "selects_own_pods"?}, ...]
//! selected_workloads   {{"object": ref, "ports": {{"number", "name", "protocol"}}, "path"}}
//! selected_ports       {[number, protocol], [name, protocol], "none"?}   Services only
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
//!
//! `env_names` holds every environment variable name of the input (its containers' `env` names,
//! a Compose service's `environment` keys and the names before `=` of its list form), each with
//! `lib/credentials.rego`'s `normalized` form: upper-cased, words joined by `_`. That form took
//! two regex replacements per name on the RVM, each a fresh lazy DFA. `credential_names` holds,
//! for the same names, `lib/credentials.rego`'s `computed_credential_name`: whether the name is a
//! credential word (or a key word before `KEY`) followed by qualifiers only (`DB_PASSWORD`,
//! `apiKeyB64`). The word lists are written in both languages and a test holds them equal.
//!
//! `declared_ports` is `lib/pod_ports.rego`'s `declared_ports(input)`: every port entry with a
//! numeric `containerPort` of the containers that serve (`containers`, and `initContainers`
//! with `restartPolicy: Always`), in list order.
//!
//! `isolated_directions` is `lib/network.rego`'s `isolating_directions(namespace, pod_labels)`
//! for a long-running workload: the directions (`policyTypes`) of the NetworkPolicies of its
//! effective namespace whose podSelector selects its pods, and of those whose podSelector is
//! null, read from the unit's index (`data.rampart.index.network_policies`). Absent when the
//! namespace is not a string; then the Rego computes it.
//!
//! `port_overlaps` lists, for a Compose service, every pair of its published port `i`
//! (`input.ports[i]`) and a published port `j` of another service of the project
//! (`input.project.services[other].ports[j]`) whose host port ranges overlap;
//! `own_port_overlaps` the pairs `i != j` of its own. port-conflict decides which of them
//! conflict (protocol, range kind, addresses); these are what it scanned every port for.
//! `awaited_to_complete` says whether another service of the project waits for this one with
//! `condition: service_completed_successfully` (missing-healthcheck leaves such a one-shot job
//! alone); absent when the input has no name or no services object, where the Rego decides.
//!
//! `anti_affinity_terms` and `spread_constraints` are `lib/spread.rego`'s lists of the pod
//! template's podAntiAffinity terms and topologySpreadConstraints entries, each with
//! `selects_own_pods`: whether its labelSelector selects the template's own labels with no
//! mismatchLabelKeys excluding them (absent for a term that is not an object). The spread checks
//! decide the rest (topology keys, namespaces) and word the findings.
//!
//! `selected_workloads` is unresolved-target-port's `selected` for a Service: the workloads of
//! its namespace whose pods its `spec.selector` selects (read from the unit's index), and
//! `selected_ports` what they declare, so that resolving a targetPort is one lookup however
//! many workloads the Service selects. Each workload's part is made once per unit and each
//! selector's answer once per namespace: Services that all selected the same thousands of
//! workloads made this check quadratic (2,000 of each: 162 s, now under a second).

use std::collections::BTreeMap;

use regorus::Value;

use crate::policy::index::pod_spec_path;
use crate::policy::registry::WORKLOAD_KINDS;

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

/// How many of the others a conflict finding names and relates, at most (`lib/text.rego`'s
/// `first`): n Services on one nodePort would otherwise give n findings naming n − 1 each.
const RELATED_LIMIT: usize = 10;

macro_rules! words {
    ($($field:ident = $text:expr),* $(,)?) => {
        /// The strings facts are made of and looked up by, made once per thread: a string
        /// value allocates, and a resource's facts take dozens of them.
        struct Words {
            $($field: Value,)*
            security_fields: [Value; 7],
            container_fields: [Value; 3],
        }

        impl Words {
            fn new() -> Self {
                Words {
                    $($field: Value::from($text),)*
                    security_fields: POD_LEVEL_SECURITY_FIELDS.map(Value::from),
                    container_fields: CONTAINER_FIELDS.map(Value::from),
                }
            }
        }
    };
}

words! {
    kind = "kind", spec = "spec", template = "template", job_template = "jobTemplate",
    security_context = "securityContext", image = "image", service = "service",
    container = "container", field = "field", name = "name", path = "path",
    security = "security", value = "value", unnamed = "<unnamed>", containers = "containers",
    images = "images", digest = "digest", tag = "tag", none = "none", pinned = "pinned",
    malformed = "malformed", env = "env", environment = "environment", env_names = "env_names",
    ports = "ports", container_port = "containerPort", protocol = "protocol", tcp = "TCP",
    restart_policy = "restartPolicy", always = "Always", declared_ports = "declared_ports",
    number = "number", entry = "entry", container_path = "container_path",
    metadata = "metadata", namespace = "namespace", labels = "labels", rampart = "rampart",
    params = "params", default_namespace = "default-namespace", index = "index",
    network_policies = "network_policies", by_label = "by_label",
    other = "other", pod_selector = "podSelector",
    policy_types = "policyTypes", egress = "egress", ingress_type = "Ingress",
    egress_type = "Egress", isolated_directions = "isolated_directions",
    project = "project", services = "services", published_start = "published_start",
    published_end = "published_end", port_overlaps = "port_overlaps",
    own_port_overlaps = "own_port_overlaps", affinity = "affinity",
    pod_anti_affinity = "podAntiAffinity",
    required = "requiredDuringSchedulingIgnoredDuringExecution",
    preferred = "preferredDuringSchedulingIgnoredDuringExecution",
    pod_affinity_term = "podAffinityTerm", topology_spread = "topologySpreadConstraints",
    term = "term", kind_required = "required", kind_preferred = "preferred", empty = "",
    order = "order", label_selector = "labelSelector", mismatch_label_keys = "mismatchLabelKeys",
    selects_own_pods = "selects_own_pods", anti_affinity_terms = "anti_affinity_terms",
    spread_constraints = "spread_constraints", credential_names = "credential_names",
    depends_on = "depends_on", condition = "condition",
    completed = "service_completed_successfully", awaited_to_complete = "awaited_to_complete",
    service_kind = "Service", type_ = "type", external_name = "ExternalName",
    selector = "selector", pods = "pods", reference = "ref", api_version = "apiVersion",
    object = "object", selected_workloads = "selected_workloads",
    selected_ports = "selected_ports", host_port = "hostPort", host_network = "hostNetwork",
    host_ip = "hostIP", host_port_fact = "host_port", host_ip_fact = "host_ip",
    network_policy_kind = "NetworkPolicy", workloads = "workloads",
    match_expressions = "matchExpressions", key = "key",
    operator = "operator", values = "values", in_operator = "In", exists = "Exists",
    match_labels = "matchLabels",
    selects_some_workload = "selects_some_workload", node_ports = "node_ports",
    node_port = "nodePort", node_port_claims = "node_port_claims", count = "count",
    first = "first", v1 = "v1", host_ports = "host_ports", bindings = "bindings",
    host_port_claims = "host_port_claims", binding = "binding",
}

thread_local! {
    static WORDS: Words = Words::new();
    /// The workload table of the unit this thread evaluated last ([`Workloads::with`]).
    static LAST_WORKLOADS: std::cell::RefCell<Option<Workloads>> =
        const { std::cell::RefCell::new(None) };
    /// The Compose project this thread read last ([`Project::of`]).
    static LAST_PROJECT: std::cell::RefCell<Option<std::rc::Rc<Project>>> =
        const { std::cell::RefCell::new(None) };
}

/// Lets go of what this thread kept of the last unit and project it evaluated: the unit's
/// index, and through it every object of the unit, would otherwise live as long as the
/// thread.
pub fn forget() {
    LAST_WORKLOADS.with_borrow_mut(|last| *last = None);
    LAST_PROJECT.with_borrow_mut(|last| *last = None);
}

/// `value[key]` when `value` is an object.
fn at<'a>(value: &'a Value, key: &Value) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(key),
        _ => None,
    }
}

/// `value[k1][k2]...` through objects.
fn at_path<'a, K: std::borrow::Borrow<Value>>(value: &'a Value, path: &[K]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| at(v, key.borrow()))
}

/// The facts of `input`, the object `data.rampart.facts` holds while it is evaluated; `data`
/// is the unit's data document (its index and the run's params).
pub fn of(input: &Value, data: &Value) -> Value {
    WORDS.with(|w| {
        let containers = containers(w, input);
        let mut images = BTreeMap::new();
        let mut add_image = |image: Option<&Value>| {
            if let Some(image @ Value::String(text)) = image {
                if !images.contains_key(image) {
                    images.insert(image.clone(), reference(w, text));
                }
            }
        };
        let mut env_names = BTreeMap::new();
        let mut credential_names = BTreeMap::new();
        let mut add_name = |name: &str| {
            if let std::collections::btree_map::Entry::Vacant(entry) =
                env_names.entry(Value::from(name))
            {
                let words = normalized(name);
                credential_names.insert(
                    entry.key().clone(),
                    Value::from(names_credential(name, &words)),
                );
                entry.insert(Value::from(words));
            }
        };
        if let Value::Array(list) = &containers {
            for c in list.iter() {
                add_image(at(&c["container"], &w.image));
                if let Some(Value::Array(env)) = at(&c["container"], &w.env) {
                    for entry in env.iter() {
                        if let Some(Value::String(name)) = at(entry, &w.name) {
                            add_name(name);
                        }
                    }
                }
            }
        }
        let service = at(input, &w.service);
        add_image(service.and_then(|s| at(s, &w.image)));
        match service.and_then(|s| at(s, &w.environment)) {
            Some(Value::Object(map)) => {
                for name in map.keys() {
                    if let Value::String(name) = name {
                        add_name(name);
                    }
                }
            }
            Some(Value::Array(items)) => {
                for item in items.iter() {
                    if let Value::String(item) = item {
                        if let Some((name, _)) = item.split_once('=') {
                            add_name(name);
                        }
                    }
                }
            }
            _ => {}
        }
        let declared_ports = declared_ports(w, &containers);
        let (anti_affinity_terms, spread_constraints) = spread_terms(w, input);
        let mut facts = BTreeMap::new();
        facts.insert(w.containers.clone(), containers);
        facts.insert(w.images.clone(), Value::from(images));
        facts.insert(w.env_names.clone(), Value::from(env_names));
        facts.insert(w.credential_names.clone(), Value::from(credential_names));
        facts.insert(w.declared_ports.clone(), declared_ports.clone());
        facts.insert(w.anti_affinity_terms.clone(), anti_affinity_terms);
        facts.insert(w.spread_constraints.clone(), spread_constraints);
        if let Some(directions) = isolated_directions(w, input, data) {
            facts.insert(w.isolated_directions.clone(), directions);
        }
        if let Some(selects) = selects_some_workload(w, input, data) {
            facts.insert(w.selects_some_workload.clone(), Value::from(selects));
        }
        if let Some(claims) = host_port_claims(w, input, data, &declared_ports) {
            facts.insert(w.host_port_claims.clone(), claims);
        }
        if let Some(claims) = node_port_claims(w, input, data) {
            facts.insert(w.node_port_claims.clone(), claims);
        }
        if let Some((selected, ports)) = selected_workloads(w, input, data) {
            facts.insert(w.selected_workloads.clone(), selected);
            facts.insert(w.selected_ports.clone(), ports);
        }
        if service.is_some() {
            let (others, own) = port_overlaps(w, input);
            facts.insert(w.port_overlaps.clone(), others);
            facts.insert(w.own_port_overlaps.clone(), own);
            if let Some(awaited) = awaited_to_complete(w, input) {
                facts.insert(w.awaited_to_complete.clone(), Value::from(awaited));
            }
        }
        Value::from(facts)
    })
}

/// What an image reference pins: its digest part (`none`, `pinned` or `malformed`) and its tag.
fn reference(w: &Words, image: &str) -> Value {
    static DIGEST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$")
            .expect("a valid pattern")
    });
    let (name, digest) = match image.find('@') {
        None => (image, &w.none),
        Some(at) if DIGEST.is_match(image) => (&image[..at], &w.pinned),
        Some(at) => (&image[..at], &w.malformed),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = match last.find(':') {
        Some(colon) if colon + 1 < last.len() => Value::from(&last[colon + 1..]),
        _ => Value::Null,
    };
    let mut fact = BTreeMap::new();
    fact.insert(w.digest.clone(), digest.clone());
    fact.insert(w.tag.clone(), tag);
    Value::from(fact)
}

/// A name upper-cased with `_` between its words (`lib/credentials.rego`'s `normalized`): `_`
/// goes between a lower-case letter or digit and an upper-case letter (`dbPassword`), and every
/// run of other characters than ASCII letters and digits becomes one `_`.
fn normalized(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous: Option<char> = None;
    let mut in_run = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase()
                && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
        previous = Some(c);
    }
    out
}

/// `lib/credentials.rego`'s word lists: a credential word, or a key word before `KEY`, then
/// qualifiers only (`DB_PASSWORD`, `API_KEY_B64`).
const CREDENTIAL_WORDS: [&str; 14] = [
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "PGPASSWORD",
    "APIKEY",
    "ACCESSKEY",
    "PRIVATEKEY",
    "AUTHKEY",
];
const KEY_WORDS: [&str; 6] = ["API", "ACCESS", "PRIVATE", "AUTH", "ENCRYPTION", "SIGNING"];
const QUALIFIERS: [&str; 10] = [
    "KEY",
    "KEYS",
    "VALUE",
    "STRING",
    "BASE",
    "BASE64",
    "B64",
    "RAW",
    "PLAIN",
    "PLAINTEXT",
];
const CREDENTIAL_HINTS: [&str; 6] = ["PASS", "PWD", "SECRET", "TOKEN", "CREDENTIAL", "KEY"];

/// Whether an environment variable `name` (with its `normalized` form `words`) names a
/// credential: `lib/credentials.rego`'s `computed_credential_name`, whose pattern match cost
/// ~28k instructions a name on the RVM (regorus clones the cached regex on every call).
fn names_credential(name: &str, words: &str) -> bool {
    static PATTERN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        let pattern = format!(
            "(?:^|_)(?:{}|(?:{})_KEY)(?:_(?:{}))*_?$",
            CREDENTIAL_WORDS.join("|"),
            KEY_WORDS.join("|"),
            QUALIFIERS.join("|"),
        );
        regex::Regex::new(&pattern).expect("a valid pattern")
    });
    let upper = name.to_uppercase();
    upper != "PWD"
        && CREDENTIAL_HINTS.iter().any(|hint| upper.contains(hint))
        && PATTERN.is_match(words)
}

/// `data` with `entries` added under `data.rampart`: one input's facts (`facts`), and for the
/// RVM which rules to evaluate (src/policy/rvm_aggregate.rs).
pub fn with_rampart<const N: usize>(data: &Value, entries: [(&str, Value); N]) -> Value {
    let mut data = data.clone();
    if let Value::Object(root) = &mut data {
        let root = regorus::Rc::make_mut(root);
        let key = Value::from("rampart");
        let mut rampart = root
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Value::from(BTreeMap::new()));
        if let Value::Object(map) = &mut rampart {
            let map = regorus::Rc::make_mut(map);
            for (name, value) in entries {
                map.insert(Value::from(name), value);
            }
        }
        root.insert(key, rampart);
    }
    data
}

/// The path to the pod spec of an object of `kind` (`pod_spec_path`), in the words facts look
/// values up by.
fn pod_spec_words(w: &Words, kind: &str) -> Option<Vec<Value>> {
    let path = pod_spec_path(kind)?;
    let word = |key: &str| match key {
        "spec" => w.spec.clone(),
        "template" => w.template.clone(),
        _ => w.job_template.clone(),
    };
    Some(path.iter().map(|&key| word(key)).collect())
}

/// The labels of a workload's pods: beside its pod spec (the Pod's own), as
/// `labels_paths_by_kind` and `lib/network.rego`'s `pod_labels_path` read them. None when
/// `kind` is no workload kind or the labels are missing.
fn pod_labels<'a>(w: &Words, obj: &'a Value, kind: &str) -> Option<&'a Value> {
    let spec_path = pod_spec_words(w, kind)?;
    at_path(obj, &spec_path[..spec_path.len() - 1])
        .and_then(|t| at(t, &w.metadata))
        .and_then(|m| at(m, &w.labels))
}

fn containers(w: &Words, input: &Value) -> Value {
    let mut list = Vec::new();
    let kind = match at(input, &w.kind) {
        Some(Value::String(kind)) => kind.as_ref(),
        _ => "",
    };
    let Some(base) = pod_spec_words(w, kind) else {
        return Value::from(list);
    };
    let pod_spec = at_path(input, &base).filter(|s| matches!(s, Value::Object(_)));
    let pod_security = pod_spec.and_then(|s| at(s, &w.security_context));
    for field in &w.container_fields {
        let Some(Value::Array(items)) = pod_spec.and_then(|s| at(s, field)) else {
            continue;
        };
        for (i, container) in items.iter().enumerate() {
            if !matches!(container, Value::Object(_)) {
                continue;
            }
            let mut path = base.clone();
            path.push(field.clone());
            path.push(Value::from(i));
            let name = match at(container, &w.name) {
                Some(name @ Value::String(_)) => name.clone(),
                _ => w.unnamed.clone(),
            };
            let security = security(w, container, pod_security, &base, &path);
            let mut element = BTreeMap::new();
            element.insert(w.container.clone(), container.clone());
            element.insert(w.field.clone(), field.clone());
            element.insert(w.name.clone(), name);
            element.insert(w.path.clone(), Value::from(path));
            element.insert(w.security.clone(), security);
            list.push(Value::from(element));
        }
    }
    Value::from(list)
}

/// `lib/spread.rego`'s `anti_affinity_terms(input)` and `spread_constraints(input)`, each term
/// with `selects_own_pods`: whether its labelSelector selects the pod template's own labels and
/// no mismatchLabelKeys excludes them (`selects_own_pods(obj, term)`). A term that is not an
/// object gets no `selects_own_pods`: the Rego decides it (it reads nothing from it).
fn spread_terms(w: &Words, input: &Value) -> (Value, Value) {
    let base: Vec<Value> = vec![w.spec.clone(), w.template.clone(), w.spec.clone()];
    let pod_spec = at_path(input, &base).filter(|s| matches!(s, Value::Object(_)));
    let pod_labels = at_path(input, &[&w.spec, &w.template, &w.metadata, &w.labels])
        .filter(|l| matches!(l, Value::Object(_)));
    let empty_labels = Value::new_object();
    let pod_labels = pod_labels.unwrap_or(&empty_labels);
    let record = |term: &Value, path: Vec<Value>, kind: &Value, group: usize, i: usize| {
        let mut element = BTreeMap::new();
        element.insert(w.term.clone(), term.clone());
        element.insert(w.path.clone(), Value::from(path));
        element.insert(w.kind.clone(), kind.clone());
        element.insert(
            w.order.clone(),
            Value::from(vec![Value::from(group), Value::from(i)]),
        );
        if matches!(term, Value::Object(_)) {
            let selects = selects_own_pods(w, term, pod_labels);
            element.insert(w.selects_own_pods.clone(), Value::from(selects));
        }
        Value::from(element)
    };
    let anti_affinity = pod_spec
        .and_then(|s| at(s, &w.affinity))
        .and_then(|a| at(a, &w.pod_anti_affinity));
    let mut anti_affinity_path = base.clone();
    anti_affinity_path.extend([w.affinity.clone(), w.pod_anti_affinity.clone()]);
    let mut terms = Vec::new();
    if let Some(Value::Array(required)) = anti_affinity.and_then(|a| at(a, &w.required)) {
        for (i, term) in required.iter().enumerate() {
            let mut path = anti_affinity_path.clone();
            path.extend([w.required.clone(), Value::from(i)]);
            terms.push(record(term, path, &w.kind_required, 0, i));
        }
    }
    if let Some(Value::Array(preferred)) = anti_affinity.and_then(|a| at(a, &w.preferred)) {
        for (i, weighted) in preferred.iter().enumerate() {
            let Some(term @ Value::Object(_)) = at(weighted, &w.pod_affinity_term) else {
                continue;
            };
            let mut path = anti_affinity_path.clone();
            path.extend([w.preferred.clone(), Value::from(i)]);
            path.push(w.pod_affinity_term.clone());
            terms.push(record(term, path, &w.kind_preferred, 1, i));
        }
    }
    let mut constraints = Vec::new();
    if let Some(Value::Array(list)) = pod_spec.and_then(|s| at(s, &w.topology_spread)) {
        for (i, constraint) in list.iter().enumerate() {
            let mut path = base.clone();
            path.extend([w.topology_spread.clone(), Value::from(i)]);
            constraints.push(record(constraint, path, &w.empty, 0, i));
        }
    }
    (Value::from(terms), Value::from(constraints))
}

/// `lib/spread.rego`'s `selects_own_pods(obj, term)` for an object `term`.
fn selects_own_pods(w: &Words, term: &Value, pod_labels: &Value) -> bool {
    let selector = at(term, &w.label_selector).unwrap_or(&Value::Null);
    if !crate::policy::builtins::selector_matches(selector, pod_labels) {
        return false;
    }
    let excluded = |key: &Value| at(pod_labels, key).is_some();
    match at(term, &w.mismatch_label_keys) {
        Some(Value::Array(keys)) => !keys.iter().any(excluded),
        _ => true,
    }
}

/// The port entries of the serving containers (`lib/pod_ports.rego`'s `declared_ports`), read
/// from the input's container facts.
fn declared_ports(w: &Words, containers: &Value) -> Value {
    let mut list = Vec::new();
    let Value::Array(containers) = containers else {
        return Value::from(list);
    };
    for c in containers.iter() {
        let (Some(container), Some(field), Some(Value::Array(container_path)), Some(name)) = (
            at(c, &w.container),
            at(c, &w.field),
            at(c, &w.path),
            at(c, &w.name),
        ) else {
            continue;
        };
        // `containers`, and `initContainers` that keep running; ephemeral ones never serve.
        let serves = *field == w.container_fields[0]
            || (*field == w.container_fields[1]
                && at(container, &w.restart_policy) == Some(&w.always));
        let Some(Value::Array(ports)) = at(container, &w.ports).filter(|_| serves) else {
            continue;
        };
        for (j, port) in ports.iter().enumerate() {
            let Some(number @ Value::Number(_)) = at(port, &w.container_port) else {
                continue;
            };
            let protocol = match at(port, &w.protocol) {
                Some(protocol @ Value::String(_)) => protocol.clone(),
                _ => w.tcp.clone(),
            };
            let mut path = Vec::with_capacity(container_path.len() + 2);
            path.extend(container_path.iter().cloned());
            path.push(w.ports.clone());
            path.push(Value::from(j));
            let mut element = BTreeMap::new();
            element.insert(w.container.clone(), name.clone());
            element.insert(
                w.container_path.clone(),
                Value::Array(container_path.clone()),
            );
            element.insert(w.path.clone(), Value::from(path));
            element.insert(w.number.clone(), number.clone());
            element.insert(w.protocol.clone(), protocol);
            element.insert(
                w.name.clone(),
                at(port, &w.name).cloned().unwrap_or(Value::Null),
            );
            element.insert(w.entry.clone(), port.clone());
            list.push(Value::from(element));
        }
    }
    Value::from(list)
}

/// A published port's host port range, when it has one (`published_start` and
/// `published_end` numbers).
fn published_range(w: &Words, port: &Value) -> Option<(f64, f64)> {
    match (at(port, &w.published_start), at(port, &w.published_end)) {
        (Some(Value::Number(start)), Some(Value::Number(end))) => {
            Some((start.as_f64()?, end.as_f64()?))
        }
        _ => None,
    }
}

/// `lib/pod_ports.rego`'s `host_bindings(obj)`: the host ports a workload's pods bind, each one
/// of its declared ports with "host_port", "host_ip" ("" when unset) and "field" (the key that
/// sets the host port); a set. The unit's index gives it with every workload that may bind a
/// host port (src/policy/index.rs), so that port-conflict reads it once per workload rather than
/// once per workload that binds the same port (which made many such workloads quadratic).
pub(crate) fn host_bindings(obj: &Value) -> Value {
    WORDS.with(|w| bindings_of(w, obj, &declared_ports(w, &containers(w, obj))))
}

/// `lib/pod_ports.rego`'s `bindings_of(obj, declared)`: the host bindings of `declared`, the
/// declared ports of `obj`.
fn bindings_of(w: &Words, obj: &Value, declared: &Value) -> Value {
    {
        let mut bindings = std::collections::BTreeSet::new();
        let kind = match at(obj, &w.kind) {
            Some(Value::String(kind)) => kind.as_ref(),
            _ => "",
        };
        let spec = pod_spec_words(w, kind).and_then(|path| at_path(obj, &path));
        let host_network = spec.and_then(|s| at(s, &w.host_network)) == Some(&Value::from(true));
        let Value::Array(ports) = declared else {
            return Value::from(bindings);
        };
        let zero = Value::from(0u64);
        for p in ports.iter() {
            let (Value::Object(fields), Some(entry)) = (p, at(p, &w.entry)) else {
                continue;
            };
            // `sets_host_port`: a number above 0.
            let host_port =
                at(entry, &w.host_port).filter(|v| matches!(v, Value::Number(_)) && *v > &zero);
            let (port, ip, field) = match (host_network, host_port) {
                (false, None) => continue,
                (false, Some(port)) => {
                    let ip = match at(entry, &w.host_ip) {
                        Some(ip @ Value::String(_)) => ip.clone(),
                        _ => w.empty.clone(),
                    };
                    (port.clone(), ip, &w.host_port)
                }
                (true, Some(port)) => (port.clone(), w.empty.clone(), &w.host_port),
                (true, None) => match at(p, &w.number) {
                    Some(number) => (number.clone(), w.empty.clone(), &w.container_port),
                    None => continue,
                },
            };
            let mut binding = fields.as_ref().clone();
            binding.insert(w.host_port_fact.clone(), port);
            binding.insert(w.host_ip_fact.clone(), ip);
            binding.insert(w.field.clone(), field.clone());
            bindings.insert(Value::from(binding));
        }
        Value::from(bindings)
    }
}

/// unresolved-target-port's `selected` and `declared` for a Service: the workloads of its
/// namespace whose pods its selector selects, each as `{"object": ref, "ports": {{"number",
/// "name", "protocol"}}, "path": [... "containers"]}`, read from the unit's index
/// (`data.rampart.index.pods`), and what they declare: `[number, protocol]` and `[name,
/// protocol]` per port, `"none"` when one declares no port. Absent when the input is not a
/// Service or its namespace is not a string; then the Rego computes them.
fn selected_workloads(w: &Words, input: &Value, data: &Value) -> Option<(Value, Value)> {
    if at(input, &w.kind) != Some(&w.service_kind) {
        return None;
    }
    let namespace = effective_namespace(w, input, data)?;
    let mut selected = std::collections::BTreeSet::new();
    let nothing = || Some((Value::new_set(), Value::new_set()));
    let spec = at(input, &w.spec);
    let selector = spec.and_then(|s| at(s, &w.selector));
    let (Some(Value::Object(spec)), Some(selector @ Value::Object(pairs))) = (spec, selector)
    else {
        return nothing();
    };
    if spec.get(&w.type_) == Some(&w.external_name) || pairs.is_empty() {
        return nothing();
    }
    let index = at(data, &w.rampart).and_then(|r| at(r, &w.index));
    let by_key = index
        .and_then(|i| at(i, &w.pods))
        .and_then(|p| at(p, namespace));
    let Some(by_key) = by_key else {
        return nothing();
    };
    let select = BTreeMap::from([(Value::from("matchLabels"), selector.clone())]);
    let select = Value::from(select);
    let mut seen = std::collections::HashSet::new();
    Workloads::with(index, |workloads| {
        let asked = (namespace.clone(), selector.clone());
        if let Some(known) = workloads.selections.get(&asked) {
            return Some(known.clone());
        }
        for (key, value) in pairs.iter() {
            let Some(Value::Array(candidates)) = at(by_key, key).and_then(|v| at(v, value)) else {
                continue;
            };
            for candidate in candidates.iter() {
                let (Some(reference), Some(obj @ Value::Object(o))) =
                    (at(candidate, &w.reference), at(candidate, &w.value))
                else {
                    continue;
                };
                if !seen.insert(regorus::Rc::as_ptr(o)) {
                    continue;
                }
                let Some(Value::String(kind)) = at(reference, &w.kind) else {
                    continue;
                };
                if pod_spec_path(kind).is_none() {
                    continue;
                }
                let empty = Value::new_object();
                let labels = pod_labels(w, obj, kind).unwrap_or(&empty);
                if crate::policy::builtins::selector_matches(&select, labels) {
                    selected.extend(workloads.summary(w, reference, obj, namespace));
                }
            }
        }
        let mut declared = std::collections::BTreeSet::new();
        for summary in &selected {
            match at(summary, &w.ports) {
                Some(Value::Set(ports)) if !ports.is_empty() => {
                    for p in ports.iter() {
                        let Some(protocol) = at(p, &w.protocol) else {
                            continue;
                        };
                        // Every port by its number; by its name when that is a string.
                        if let Some(number) = at(p, &w.number) {
                            declared.insert(Value::from(vec![number.clone(), protocol.clone()]));
                        }
                        if let Some(name @ Value::String(_)) = at(p, &w.name) {
                            declared.insert(Value::from(vec![name.clone(), protocol.clone()]));
                        }
                    }
                }
                _ => {
                    declared.insert(w.none.clone());
                }
            }
        }
        let answer = (Value::from(selected), Value::from(declared));
        workloads.selections.insert(asked, answer.clone());
        Some(answer)
    })
}

/// dangling-network-policy's question for a NetworkPolicy: whether its pod selector
/// (`lib/network.rego`'s `pod_selector`) selects the pods of some workload of its namespace
/// (`selects_some`), read from the unit's index. Absent when the input is no NetworkPolicy,
/// its namespace is not a string or its selector not an object; then the Rego decides.
///
/// `selects_some`'s three cases (no labels nor expressions: any workload; matchLabels: the
/// workloads carrying a pair; expressions only: every workload) are one question, whether some
/// workload's pod labels match. The candidates come from the label index when the selector
/// names a label the pods must carry (a pair, `In`, `Exists`), so that an expression-only
/// selector is not a scan of the namespace; each candidate is then matched in full.
fn selects_some_workload(w: &Words, input: &Value, data: &Value) -> Option<bool> {
    if at(input, &w.kind) != Some(&w.network_policy_kind) {
        return None;
    }
    let namespace = effective_namespace(w, input, data)?;
    let empty = Value::new_object();
    let selector = match at(input, &w.spec).and_then(|s| at(s, &w.pod_selector)) {
        None | Some(Value::Null) => &empty,
        Some(selector @ Value::Object(_)) => selector,
        Some(_) => return None,
    };
    let index = at(data, &w.rampart).and_then(|r| at(r, &w.index));
    let Some(Value::Array(workloads)) = index
        .and_then(|i| at(i, &w.workloads))
        .and_then(|by_ns| at(by_ns, namespace))
    else {
        return Some(false);
    };
    let empty = Value::new_object();
    let matches = |obj: &Value| {
        let kind = match at(obj, &w.kind) {
            Some(Value::String(kind)) => kind.as_ref(),
            _ => "",
        };
        let labels = pod_labels(w, obj, kind).unwrap_or(&empty);
        crate::policy::builtins::selector_matches(selector, labels)
    };
    Workloads::with(index, |table| {
        let asked = (namespace.clone(), selector.clone());
        if let Some(&known) = table.selects_some.get(&asked) {
            return Some(known);
        }
        let by_key = index
            .and_then(|i| at(i, &w.pods))
            .and_then(|p| at(p, namespace));
        let answer = match (by_key, required_label(w, selector)) {
            (Some(by_key), Some((key, values))) => {
                let by_value = at(by_key, key);
                let lists: Vec<&Value> = match values {
                    Some(values) => values
                        .iter()
                        .filter_map(|v| by_value.and_then(|b| at(b, v)))
                        .collect(),
                    None => match by_value {
                        Some(Value::Object(all)) => all.values().collect(),
                        _ => Vec::new(),
                    },
                };
                lists.into_iter().any(|list| match list {
                    Value::Array(candidates) => candidates
                        .iter()
                        .any(|c| at(c, &w.value).is_some_and(matches)),
                    _ => false,
                })
            }
            // No workload carries a label, or the selector requires none: every workload is
            // a candidate.
            (None, Some(_)) => false,
            (_, None) => workloads.iter().any(|entry| match entry {
                Value::Array(entry) => entry.get(3).is_some_and(matches),
                _ => false,
            }),
        };
        table.selects_some.insert(asked, answer);
        Some(answer)
    })
}

/// port-conflict's claims on a Service's nodePorts: for each `nodePort` value its ports hold,
/// `{"count": n, "first": [...]}`, the number of entries of the unit's index
/// (`node_ports[port]`, sorted) that are not this Service's and the first `RELATED_LIMIT` of
/// them. The index's entries of a port are counted by Service once per unit, so that a
/// Service reads its own claims, not every other one. Absent when the input is no Service or
/// its namespace is not a string; then the Rego computes them.
fn node_port_claims(w: &Words, input: &Value, data: &Value) -> Option<Value> {
    if at(input, &w.kind) != Some(&w.service_kind) {
        return None;
    }
    let namespace = effective_namespace(w, input, data)?;
    let index = at(data, &w.rampart).and_then(|r| at(r, &w.index));
    let by_port = index.and_then(|i| at(i, &w.node_ports));
    // The index holds `v1` Services only: another apiVersion has no entry of its own there.
    let own_name = match at(input, &w.api_version) {
        Some(v) if v == &w.v1 => at_path(input, &[&w.metadata, &w.name]),
        _ => None,
    };
    let is_own = |entry: &Value| {
        let object = at(entry, &w.object);
        own_name.is_some()
            && object.and_then(|o| at(o, &w.namespace)) == Some(namespace)
            && object.and_then(|o| at(o, &w.name)) == own_name
    };
    let mut claims = BTreeMap::new();
    let Some(Value::Array(ports)) = at(input, &w.spec).and_then(|s| at(s, &w.ports)) else {
        return Some(Value::from(claims));
    };
    let no_entries = Value::from(Vec::<Value>::new());
    Workloads::with(index, |table| {
        for port in ports.iter() {
            let Some(node_port) = at(port, &w.node_port) else {
                continue;
            };
            if claims.contains_key(node_port) {
                continue;
            }
            let entries = by_port
                .and_then(|b| at(b, node_port))
                .unwrap_or(&no_entries);
            let Value::Array(list) = entries else {
                continue;
            };
            let own = match own_name {
                Some(name) => {
                    let by_service = table
                        .node_port_claimants
                        .entry(node_port.clone())
                        .or_insert_with(|| {
                            let mut by_service = BTreeMap::new();
                            for entry in list.iter() {
                                let object = at(entry, &w.object);
                                let field = |k| {
                                    object
                                        .and_then(|o| at(o, k))
                                        .cloned()
                                        .unwrap_or(Value::Undefined)
                                };
                                *by_service
                                    .entry((field(&w.namespace), field(&w.name)))
                                    .or_insert(0) += 1;
                            }
                            by_service
                        });
                    let key = (namespace.clone(), name.clone());
                    by_service.get(&key).copied().unwrap_or(0)
                }
                None => 0,
            };
            let first: Vec<Value> = list
                .iter()
                .filter(|entry| !is_own(entry))
                .take(RELATED_LIMIT)
                .cloned()
                .collect();
            let claim = BTreeMap::from([
                (w.count.clone(), Value::from(list.len() - own)),
                (w.first.clone(), Value::from(first)),
            ]);
            claims.insert(node_port.clone(), Value::from(claim));
        }
        Some(Value::from(claims))
    })
}

/// port-conflict's claims of other workloads on a workload's host bindings: for each binding
/// `[host_port, protocol, host_ip]` of its own, `{"count": n, "first": [...]}`, the number of
/// `{"binding", "object"}` claims of other workloads that bind the same host port and
/// protocol on an overlapping address (`same_host_port`), and the first `RELATED_LIMIT` of
/// them in set order. A port's claims are gathered and sorted once per unit from the index
/// (`host_ports[port]` with their `bindings`). Absent when the input is no workload or its
/// namespace is not a string; then the Rego computes them.
fn host_port_claims(w: &Words, input: &Value, data: &Value, declared: &Value) -> Option<Value> {
    let Some(Value::String(kind)) = at(input, &w.kind) else {
        return None;
    };
    pod_spec_words(w, kind)?;
    let namespace = effective_namespace(w, input, data)?;
    let mut claims = BTreeMap::new();
    let Value::Set(own) = bindings_of(w, input, declared) else {
        return Some(Value::from(claims));
    };
    if own.is_empty() {
        return Some(Value::from(claims));
    }
    let index = at(data, &w.rampart).and_then(|r| at(r, &w.index));
    let by_port = index.and_then(|i| at(i, &w.host_ports));
    let own_ref = BTreeMap::from([
        (
            w.api_version.clone(),
            at(input, &w.api_version)
                .cloned()
                .unwrap_or(Value::Undefined),
        ),
        (
            w.kind.clone(),
            at(input, &w.kind).cloned().unwrap_or(Value::Undefined),
        ),
        (
            w.name.clone(),
            at_path(input, &[&w.metadata, &w.name])
                .cloned()
                .unwrap_or(Value::Undefined),
        ),
        (w.namespace.clone(), namespace.clone()),
    ]);
    let own_ref = Value::from(own_ref);
    let field = |v: &Value, k: &Value| at(v, k).cloned().unwrap_or(Value::Undefined);
    Workloads::with(index, |table| {
        for b in own.iter() {
            let (port, protocol, ip) = (
                field(b, &w.host_port_fact),
                field(b, &w.protocol),
                field(b, &w.host_ip_fact),
            );
            let key = Value::from(vec![port.clone(), protocol.clone(), ip.clone()]);
            if claims.contains_key(&key) {
                continue;
            }
            let group = table
                .host_port_claims
                .entry(port.clone())
                .or_insert_with(|| {
                    let mut group = Vec::new();
                    if let Some(Value::Array(entries)) = by_port.and_then(|b| at(b, &port)) {
                        for entry in entries.iter() {
                            let reference = field(entry, &w.reference);
                            let Some(Value::Set(bindings)) = at(entry, &w.bindings) else {
                                continue;
                            };
                            for binding in bindings.iter() {
                                if at(binding, &w.host_port_fact) != Some(&port) {
                                    continue;
                                }
                                let claim = BTreeMap::from([
                                    (w.binding.clone(), binding.clone()),
                                    (w.object.clone(), reference.clone()),
                                ]);
                                group.push(HostPortClaim {
                                    claim: Value::from(claim),
                                    protocol: field(binding, &w.protocol),
                                    ip: field(binding, &w.host_ip_fact),
                                    object: reference.clone(),
                                });
                            }
                        }
                    }
                    HostPortGroup::new(group)
                });
            let (count, first) = group.conflicts(&protocol, &ip, &own_ref);
            let claim = BTreeMap::from([
                (w.count.clone(), Value::from(count)),
                (w.first.clone(), Value::from(first)),
            ]);
            claims.insert(key, Value::from(claim));
        }
        Some(Value::from(claims))
    })
}

/// `lib/pod_ports.rego`'s `ips_overlap`: equal addresses, a wildcard (`""`, `0.0.0.0`) with
/// any, and `::` with any IPv6 address.
fn ips_overlap(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    fn text(v: &Value) -> Option<&str> {
        match v {
            Value::String(s) => Some(s.as_ref()),
            _ => None,
        }
    }
    let wildcard = |v: &Value| text(v).is_some_and(|s| s.is_empty() || s == "0.0.0.0");
    let v6 = |v: &Value| text(v).is_some_and(|s| s.contains(':'));
    let any_v6 = |v: &Value| text(v).is_some_and(|s| s == "::");
    wildcard(a) || wildcard(b) || (any_v6(a) && v6(b)) || (any_v6(b) && v6(a))
}

/// A label every pod a selector selects must carry: its key, and the values it may have (none
/// for `Exists`: any). From the first matchLabels pair, else the first well-formed `In` or
/// `Exists` requirement; none when the selector requires no label to be present.
fn required_label<'a>(
    w: &Words,
    selector: &'a Value,
) -> Option<(&'a Value, Option<Vec<&'a Value>>)> {
    if let Some(Value::Object(pairs)) = at(selector, &w.match_labels) {
        if let Some((key, value)) = pairs.iter().next() {
            return Some((key, Some(vec![value])));
        }
    }
    let Some(Value::Array(requirements)) = at(selector, &w.match_expressions) else {
        return None;
    };
    requirements.iter().find_map(|r| {
        let key = at(r, &w.key)?;
        match at(r, &w.operator) {
            Some(op) if op == &w.in_operator => match at(r, &w.values) {
                Some(Value::Array(values)) => Some((key, Some(values.iter().collect()))),
                // `In` with no values holds for no pod.
                _ => Some((key, Some(Vec::new()))),
            },
            Some(op) if op == &w.exists => Some((key, None)),
            _ => None,
        }
    })
}

/// `lib/kubernetes.rego`'s `namespace`: the object's own, else the run's default, when a string.
fn effective_namespace<'a>(w: &Words, input: &'a Value, data: &'a Value) -> Option<&'a Value> {
    match at(input, &w.metadata).and_then(|m| at(m, &w.namespace)) {
        Some(ns @ Value::String(_)) => Some(ns),
        _ => match at(data, &w.rampart)
            .and_then(|r| at(r, &w.params))
            .and_then(|p| at(p, &w.default_namespace))
        {
            Some(ns @ Value::String(_)) => Some(ns),
            _ => None,
        },
    }
}

/// The summaries of a unit's workloads as Services select them, made once per workload: n
/// Services that each select the same n workloads would otherwise read n² pod specs.
struct Workloads {
    /// The index the workloads were found in, held so that no other object takes the address
    /// of it or of its objects while this table is kept.
    index: Value,
    /// By the address of the workload object.
    summaries: std::collections::HashMap<usize, Value>,
    /// What each selector selected (and what that declares), by namespace and selector:
    /// Services of one application often select alike.
    selections: BTreeMap<(Value, Value), (Value, Value)>,
    /// Whether some workload's pods match a NetworkPolicy's pod selector, by namespace and
    /// selector.
    selects_some: BTreeMap<(Value, Value), bool>,
    /// How many entries of `node_ports[port]` each Service (namespace, name) has, by port.
    node_port_claimants: BTreeMap<Value, BTreeMap<(Value, Value), usize>>,
    /// The `{"binding", "object"}` claims on each host port, sorted, without repeats.
    host_port_claims: BTreeMap<Value, HostPortGroup>,
}

/// A `{"binding", "object"}` claim on a host port, with the fields that decide whether it
/// conflicts with a binding read out once.
struct HostPortClaim {
    claim: Value,
    protocol: Value,
    ip: Value,
    object: Value,
}

/// The claims on one host port, sorted, and the positions of those of each protocol by the
/// address classes `ips_overlap` tells apart: a binding's overlapping claims are then the union
/// of at most three sorted lists, counted by their lengths and walked only for the first few.
#[derive(Default)]
struct HostPortGroup {
    claims: Vec<HostPortClaim>,
    /// By protocol: every claim, the wildcard ones (`""`, `0.0.0.0`), the IPv6 ones (`::`
    /// included).
    all: BTreeMap<Value, Vec<usize>>,
    wildcard: BTreeMap<Value, Vec<usize>>,
    v6: BTreeMap<Value, Vec<usize>>,
    /// By protocol and address.
    by_ip: BTreeMap<(Value, Value), Vec<usize>>,
    /// By claiming object.
    by_object: BTreeMap<Value, Vec<usize>>,
}

impl HostPortGroup {
    fn new(mut claims: Vec<HostPortClaim>) -> HostPortGroup {
        claims.sort_by(|a, b| a.claim.cmp(&b.claim));
        claims.dedup_by(|a, b| a.claim == b.claim);
        let mut group = HostPortGroup::default();
        for (i, c) in claims.iter().enumerate() {
            let protocol = || c.protocol.clone();
            group.all.entry(protocol()).or_default().push(i);
            if let Value::String(ip) = &c.ip {
                if is_wildcard(ip) {
                    group.wildcard.entry(protocol()).or_default().push(i);
                }
                if ip.contains(':') {
                    group.v6.entry(protocol()).or_default().push(i);
                }
            }
            group
                .by_ip
                .entry((protocol(), c.ip.clone()))
                .or_default()
                .push(i);
            group.by_object.entry(c.object.clone()).or_default().push(i);
        }
        group.claims = claims;
        group
    }

    /// How many claims of objects other than `own` conflict with a binding on `protocol` and
    /// address `ip`, and the first `RELATED_LIMIT` of them in order.
    fn conflicts(&self, protocol: &Value, ip: &Value, own: &Value) -> (usize, Vec<Value>) {
        let list = |map| positions(map, protocol);
        let at_ip = |ip: &Value| positions(&self.by_ip, &(protocol.clone(), ip.clone()));
        // Disjoint lists whose union is what overlaps `ip` (`ips_overlap`).
        let lists: Vec<&[usize]> = match ip {
            Value::String(text) if is_wildcard(text) => vec![list(&self.all)],
            Value::String(text) if text.as_ref() == "::" => {
                vec![list(&self.wildcard), list(&self.v6)]
            }
            Value::String(text) if text.contains(':') => {
                vec![list(&self.wildcard), at_ip(ip), at_ip(&Value::from("::"))]
            }
            _ => vec![list(&self.wildcard), at_ip(ip)],
        };
        let own_positions = positions(&self.by_object, own);
        let conflicts = |i: &usize| {
            let c = &self.claims[*i];
            &c.protocol == protocol && ips_overlap(&c.ip, ip)
        };
        let own_conflicts = own_positions.iter().filter(|i| conflicts(i)).count();
        let count = lists.iter().map(|l| l.len()).sum::<usize>() - own_conflicts;
        let mut first = Vec::new();
        let mut heads = vec![0usize; lists.len()];
        while first.len() < RELATED_LIMIT {
            // The smallest head of the lists: they are sorted and disjoint.
            let next = (0..lists.len())
                .filter(|&k| heads[k] < lists[k].len())
                .min_by_key(|&k| lists[k][heads[k]]);
            let Some(k) = next else {
                break;
            };
            let i = lists[k][heads[k]];
            heads[k] += 1;
            if !own_positions.contains(&i) {
                first.push(self.claims[i].claim.clone());
            }
        }
        (count, first)
    }
}

/// The positions a map holds for `key`, none when it holds none.
fn positions<'a, K: Ord>(map: &'a BTreeMap<K, Vec<usize>>, key: &K) -> &'a [usize] {
    map.get(key).map(Vec::as_slice).unwrap_or(&[])
}

fn is_wildcard(ip: &str) -> bool {
    ip.is_empty() || ip == "0.0.0.0"
}

impl Workloads {
    /// Runs `f` with this thread's table for `index`, emptied when the index is another one.
    fn with<R>(index: Option<&Value>, f: impl FnOnce(&mut Workloads) -> R) -> R {
        let index = index.cloned().unwrap_or(Value::Null);
        LAST_WORKLOADS.with_borrow_mut(|last| {
            let same = matches!(
                (last.as_ref().map(|t| &t.index), &index),
                (Some(Value::Object(a)), Value::Object(b)) if regorus::Rc::ptr_eq(a, b)
            );
            if !same {
                *last = Some(Workloads {
                    index,
                    summaries: std::collections::HashMap::new(),
                    selections: BTreeMap::new(),
                    selects_some: BTreeMap::new(),
                    node_port_claimants: BTreeMap::new(),
                    host_port_claims: BTreeMap::new(),
                });
            }
            f(last.as_mut().expect("just set"))
        })
    }

    /// `{"object": ref, "ports": ..., "path": ...}` of a workload of namespace `namespace`; none
    /// when its reference lacks a field.
    fn summary(
        &mut self,
        w: &Words,
        reference: &Value,
        obj: &Value,
        namespace: &Value,
    ) -> Option<Value> {
        let Value::Object(o) = obj else {
            return None;
        };
        if [&w.api_version, &w.kind, &w.name]
            .iter()
            .any(|k| at(reference, k).is_none())
        {
            return None;
        }
        let summary = self
            .summaries
            .entry(regorus::Rc::as_ptr(o) as *const () as usize)
            .or_insert_with(|| {
                let ports: std::collections::BTreeSet<Value> =
                    match declared_ports(w, &containers(w, obj)) {
                        Value::Array(list) => list
                            .iter()
                            .map(|p| {
                                let field = |k: &Value| at(p, k).cloned().unwrap_or(Value::Null);
                                Value::from(BTreeMap::from([
                                    (w.number.clone(), field(&w.number)),
                                    (w.name.clone(), field(&w.name)),
                                    (w.protocol.clone(), field(&w.protocol)),
                                ]))
                            })
                            .collect(),
                        _ => std::collections::BTreeSet::new(),
                    };
                let field = |k: &Value| at(reference, k).cloned().unwrap_or(Value::Undefined);
                let object = BTreeMap::from([
                    (w.api_version.clone(), field(&w.api_version)),
                    (w.kind.clone(), field(&w.kind)),
                    (w.name.clone(), field(&w.name)),
                    (w.namespace.clone(), namespace.clone()),
                ]);
                let kind = field(&w.kind);
                let mut path = kind
                    .as_string()
                    .ok()
                    .and_then(|k| pod_spec_words(w, k))
                    .unwrap_or_default();
                path.push(w.containers.clone());
                Value::from(BTreeMap::from([
                    (w.object.clone(), Value::from(object)),
                    (w.ports.clone(), Value::from(ports)),
                    (w.path.clone(), Value::from(path)),
                ]))
            });
        Some(summary.clone())
    }
}

/// What the services of a Compose project say about each other, read once per project: read
/// again for each of its services, a project of n services cost n² lookups (8,000 services
/// took 35 s).
struct Project {
    /// The project's `services` object, held so that no other object takes its address while
    /// this table is kept for it.
    services: Value,
    /// Every published port range of the project: (service, index in its `ports`, range), in
    /// the order of services and ports.
    ranges: Vec<(Value, usize, (f64, f64))>,
    /// The positions in `ranges`, by the start of the range.
    by_start: Vec<usize>,
    /// The longest range's length: a range that overlaps `[a, b]` starts in
    /// `[a - widest, b]`.
    widest: f64,
    /// The services another service waits for with `condition: service_completed_successfully`.
    awaited: std::collections::BTreeSet<Value>,
}

impl Project {
    fn read(w: &Words, services: &Value) -> Project {
        let mut ranges = Vec::new();
        let mut awaited = std::collections::BTreeSet::new();
        if let Value::Object(map) = services {
            for (name, s) in map.iter() {
                if let Some(Value::Array(ports)) = at(s, &w.ports) {
                    for (j, port) in ports.iter().enumerate() {
                        if let Some(range) = published_range(w, port) {
                            ranges.push((name.clone(), j, range));
                        }
                    }
                }
                if let Some(Value::Object(depends_on)) =
                    at(s, &w.service).and_then(|s| at(s, &w.depends_on))
                {
                    for (other, d) in depends_on.iter() {
                        if other != name && at(d, &w.condition) == Some(&w.completed) {
                            awaited.insert(other.clone());
                        }
                    }
                }
            }
        }
        let mut by_start: Vec<usize> = (0..ranges.len()).collect();
        by_start.sort_by(|&a, &b| ranges[a].2.0.total_cmp(&ranges[b].2.0));
        let widest = ranges
            .iter()
            .map(|(_, _, (a, b))| b - a)
            .fold(0.0, f64::max);
        Project {
            services: services.clone(),
            ranges,
            by_start,
            widest,
            awaited,
        }
    }

    /// The table of the project whose `services` object this is: the last one read on this
    /// thread (a unit's services are evaluated one after another), else read now.
    fn of(w: &Words, services: &Value) -> std::rc::Rc<Project> {
        let same = |p: &Project| match (&p.services, services) {
            (Value::Object(a), Value::Object(b)) => regorus::Rc::ptr_eq(a, b),
            _ => false,
        };
        LAST_PROJECT.with_borrow_mut(|last| match last {
            Some(p) if same(p) => p.clone(),
            _ => last
                .insert(std::rc::Rc::new(Project::read(w, services)))
                .clone(),
        })
    }

    /// The ranges of services other than `name` that overlap `range`, in the order of
    /// services and ports.
    fn overlapping(&self, name: &Value, (a, b): (f64, f64)) -> Vec<&(Value, usize, (f64, f64))> {
        let from = self
            .by_start
            .partition_point(|&k| self.ranges[k].2.0 < a - self.widest);
        let mut found: Vec<usize> = self.by_start[from..]
            .iter()
            .copied()
            .take_while(|&k| self.ranges[k].2.0 <= b)
            .filter(|&k| {
                let (other, _, r) = &self.ranges[k];
                other != name && overlap((a, b), *r)
            })
            .collect();
        found.sort_unstable();
        found.into_iter().map(|k| &self.ranges[k]).collect()
    }
}

/// Whether two closed ranges overlap.
fn overlap(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// The services object of a Compose service's project.
fn project_services<'a>(w: &Words, input: &'a Value) -> Option<&'a Value> {
    at(input, &w.project).and_then(|p| at(p, &w.services))
}

/// missing-healthcheck's `runs_to_completion` for a Compose service: another service of the
/// project waits for it with `depends_on: {name: {condition: service_completed_successfully}}`.
/// None when the input has no name or its project no services object (the Rego decides).
fn awaited_to_complete(w: &Words, input: &Value) -> Option<bool> {
    let name = at(input, &w.name)?;
    let services @ Value::Object(_) = project_services(w, input)? else {
        return None;
    };
    Some(Project::of(w, services).awaited.contains(name))
}

/// The pairs of a Compose service's published ports and other services' (and its own) whose
/// host port ranges overlap, in the order of the ports and services.
fn port_overlaps(w: &Words, input: &Value) -> (Value, Value) {
    let mut others = Vec::new();
    let mut own = Vec::new();
    let Some(Value::Array(ports)) = at(input, &w.ports) else {
        return (Value::from(others), Value::from(own));
    };
    let ranges: Vec<(usize, (f64, f64))> = ports
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((i, published_range(w, p)?)))
        .collect();
    if ranges.is_empty() {
        return (Value::from(others), Value::from(own));
    }
    // Other services' ranges (`other != input.name` holds for no service when the input has
    // no name).
    let project = match (project_services(w, input), at(input, &w.name)) {
        (Some(services @ Value::Object(_)), Some(name)) => Some((Project::of(w, services), name)),
        _ => None,
    };
    for &(i, range) in &ranges {
        if let Some((project, name)) = &project {
            for (other, j, _) in project.overlapping(name, range) {
                others.push(Value::from(vec![
                    Value::from(i),
                    other.clone(),
                    Value::from(*j),
                ]));
            }
        }
        for &(j, r) in &ranges {
            if i != j && overlap(range, r) {
                own.push(Value::from(vec![Value::from(i), Value::from(j)]));
            }
        }
    }
    (Value::from(others), Value::from(own))
}

/// Whether a kind's pods run until stopped (`lib/kubernetes.rego`'s `long_running_kinds`: the
/// workload kinds but Job and CronJob): the ones missing-network-policy reads.
fn is_long_running(kind: &str) -> bool {
    WORKLOAD_KINDS.contains(&kind) && !matches!(kind, "Job" | "CronJob")
}

/// The directions the NetworkPolicies of a long-running workload's namespace isolate its pods
/// for (`lib/network.rego`'s `isolating_directions(namespace, pod_labels)`).
fn isolated_directions(w: &Words, input: &Value, data: &Value) -> Option<Value> {
    let kind = match at(input, &w.kind) {
        Some(Value::String(kind)) => kind.as_ref(),
        _ => return None,
    };
    if !is_long_running(kind) {
        return None;
    }
    let rampart = at(data, &w.rampart);
    let namespace = effective_namespace(w, input, data)?;
    // `pod_labels`: the pod template's labels (the Pod's own), as they are, or {}.
    let metadata_path: &[&Value] = match kind {
        "Pod" => &[&w.metadata],
        _ => &[&w.spec, &w.template, &w.metadata],
    };
    let empty = Value::new_object();
    let labels = at_path(input, metadata_path)
        .and_then(|m| at(m, &w.labels))
        .unwrap_or(&empty);
    let mut directions = std::collections::BTreeSet::new();
    let Some(index) = rampart
        .and_then(|r| at(r, &w.index))
        .and_then(|i| at(i, &w.network_policies))
        .and_then(|n| at(n, namespace))
    else {
        return Some(Value::from(directions));
    };
    // The candidates, as the Rego twin takes them from the index (src/policy/index.rs): the
    // policies whose smallest matchLabels pair the pods carry, and those without matchLabels.
    // Every other policy requires a label pair the pods lack; scanning them all was a
    // selector match per policy of the namespace for every workload.
    let labelled = match (labels, at(index, &w.by_label)) {
        (Value::Object(pairs), Some(by_label)) => pairs
            .iter()
            .filter_map(|(key, value)| at(by_label, key).and_then(|m| at(m, value)))
            .collect(),
        _ => Vec::new(),
    };
    let lists = at(index, &w.other).into_iter().chain(labelled);
    for list in lists {
        let Value::Array(policies) = list else {
            continue;
        };
        for entry in policies.iter() {
            let Value::Array(triple) = entry else {
                continue;
            };
            let Some(policy) = triple.get(2) else {
                continue;
            };
            let spec = at(policy, &w.spec);
            let selector = spec.and_then(|s| at(s, &w.pod_selector));
            // A podSelector that selects these pods, or one that is null (`unselective`).
            let applies = match selector {
                Some(Value::Null) => true,
                Some(selector) => crate::policy::builtins::selector_matches(selector, labels),
                None => crate::policy::builtins::selector_matches(&empty, labels),
            };
            if applies {
                directions.extend(policy_types(w, spec));
            }
        }
    }
    Some(Value::from(directions))
}

/// `lib/network.rego`'s `policy_types`: the listed policyTypes, else Ingress, and Egress when
/// the policy has egress rules.
fn policy_types(w: &Words, spec: Option<&Value>) -> Vec<Value> {
    let listed = spec.and_then(|s| at(s, &w.policy_types));
    if let Some(Value::Array(types)) = listed {
        if !types.is_empty() {
            return types.iter().cloned().collect();
        }
    }
    let egress = matches!(spec.and_then(|s| at(s, &w.egress)), Some(Value::Array(rules)) if !rules.is_empty());
    if egress {
        vec![w.ingress_type.clone(), w.egress_type.clone()]
    } else {
        vec![w.ingress_type.clone()]
    }
}

/// The effective value of each pod-level securityContext field of a container, and its path.
fn security(
    w: &Words,
    container: &Value,
    pod_security: Option<&Value>,
    pod_spec_path: &[Value],
    container_path: &[Value],
) -> Value {
    let own_security = at(container, &w.security_context);
    let mut out = BTreeMap::new();
    for key in &w.security_fields {
        let own = own_security.and_then(|s| at(s, key));
        let pod = pod_security.and_then(|s| at(s, key));
        let (value, set_at) = match (own, pod) {
            (Some(value), _) => (Some(value), container_path),
            (None, Some(value)) => (Some(value), pod_spec_path),
            (None, None) => (None, container_path),
        };
        let mut path = Vec::with_capacity(set_at.len() + 2);
        path.extend_from_slice(set_at);
        path.push(w.security_context.clone());
        path.push(key.clone());
        let mut fact = BTreeMap::new();
        fact.insert(w.path.clone(), Value::from(path));
        if let Some(value) = value {
            fact.insert(w.value.clone(), value.clone());
        }
        out.insert(key.clone(), Value::from(fact));
    }
    Value::from(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn value(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    /// The facts of an input evaluated without a unit's data.
    /// A unit's data document for `inventory`: its index, and `shop` as the default namespace.
    /// Built as a value: in JSON text the index's numeric keys (ports) would become strings.
    fn unit_data(inventory: &Value) -> Value {
        let rampart = BTreeMap::from([
            (Value::from("index"), crate::policy::index::build(inventory)),
            (
                Value::from("params"),
                value(r#"{"default-namespace": "shop"}"#),
            ),
        ]);
        Value::from(BTreeMap::from([(
            Value::from("rampart"),
            Value::from(rampart),
        )]))
    }

    /// An engine with port-conflict's Kubernetes rules and the libraries they import.
    fn port_conflict_engine() -> regorus::Engine {
        crate::policy::engine::engine_with(&[
            (
                "port_conflict",
                include_str!("../../policies/port-conflict/kubernetes.rego"),
            ),
            (
                "kubernetes",
                include_str!("../../policies/lib/kubernetes.rego"),
            ),
            (
                "pod_ports",
                include_str!("../../policies/lib/pod_ports.rego"),
            ),
            ("text", include_str!("../../policies/lib/text.rego")),
        ])
    }

    fn of_input(input: &Value) -> Value {
        of(input, &Value::new_object())
    }

    #[test]
    fn a_pod_default_is_read_where_the_pod_sets_it() {
        let pod = value(
            r#"{"kind": "Deployment", "spec": {"template": {"spec": {
                "securityContext": {"runAsUser": 1000, "runAsNonRoot": true},
                "containers": [{"name": "app", "securityContext": {"runAsUser": 0}}, 7],
                "initContainers": [{"image": "x"}]}}}}"#,
        );
        let facts = of_input(&pod);
        let Value::Array(containers) = &facts["containers"] else {
            panic!("no array: {facts}");
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
            let fact = WORDS.with(|w| reference(w, &image));
            assert_eq!(fact["digest"], Value::from(digest), "{image}");
            assert_eq!(fact["tag"], tag, "{image}");
        }
        let service = value(r#"{"name": "web", "service": {"image": "nginx"}}"#);
        assert_eq!(
            of_input(&service)["images"]["nginx"]["digest"],
            Value::from("none")
        );
    }

    /// Whether `query` has a result (a rule or function that holds).
    fn holds(engine: &mut regorus::Engine, query: &str) -> bool {
        !engine
            .eval_query(query.into(), false)
            .unwrap()
            .result
            .is_empty()
    }

    /// An interpreter with the library `lib` (no facts, so it computes them in Rego).
    fn rego(lib: &str, source: &str) -> regorus::Engine {
        crate::policy::engine::engine_with(&[(lib, source)])
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
            assert_eq!(
                Some(WORDS.with(|w| reference(w, &image))),
                rego,
                "{image:?}"
            );
        }
    }

    #[test]
    fn rust_and_rego_normalize_names_alike() {
        let mut engine = rego(
            "credentials",
            include_str!("../../policies/lib/credentials.rego"),
        );
        for name in [
            "DB_PASSWORD",
            "dbPassword",
            "db-password",
            "db.password",
            "db__password",
            "_db--password_",
            "apiKey2Value",
            "a1B",
            "abCD",
            "ABc",
            "aBcDeF",
            "x9y",
            "",
            "-",
            "--a",
            "pässwort",
            "éB",
            "ÀPI_KEY",
            "token\tvalue",
            "ΣECRET",
            "my secret",
        ] {
            let arg = serde_json::to_string(name).unwrap();
            let query = format!("x := data.rampart.lib.credentials.computed_normalized({arg})");
            let results = engine.eval_query(query, false).unwrap();
            let rego = results.result.first().map(|r| r.bindings["x"].clone());
            assert_eq!(Some(Value::from(normalized(name))), rego, "{name:?}");
        }
    }

    #[test]
    fn rust_and_rego_tell_credential_names_alike() {
        let mut engine = rego(
            "credentials",
            include_str!("../../policies/lib/credentials.rego"),
        );
        for (list, rust) in [
            ("credential_words", &CREDENTIAL_WORDS[..]),
            ("key_words", &KEY_WORDS[..]),
            ("qualifiers", &QUALIFIERS[..]),
        ] {
            let query = format!("x := data.rampart.lib.credentials.{list}");
            let results = engine.eval_query(query, false).unwrap();
            let rust = Value::from(rust.iter().map(|w| Value::from(*w)).collect::<Vec<_>>());
            assert_eq!(results.result[0].bindings["x"], rust, "{list}");
        }
        let mut names: Vec<String> = [
            "DB_PASSWORD",
            "dbPassword",
            "db-password",
            "PASSWORD",
            "password",
            "PWD",
            "pwd",
            "OLDPWD",
            "PWD_VALUE",
            "MY_PWD",
            "PASSWORD_FILE",
            "TOKEN_TTL",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "API_KEY",
            "apiKey",
            "apiKeyB64",
            "API_KEY_VALUE_RAW",
            "APIKEY",
            "MYAPIKEY",
            "KEY",
            "KEYS",
            "SSH_KEY",
            "PRIVATE_KEY",
            "SIGNING_KEY_BASE64",
            "ENCRYPTION_KEY",
            "AUTH_KEY_",
            "_SECRET_",
            "__TOKEN",
            "SECRET__KEY",
            "SECRETKEY",
            "MYSECRET",
            "SECRET_KEY_BASE",
            "pass",
            "Pass.Word",
            "PASS_WORD",
            "PGPASSWORD",
            "CREDENTIALS",
            "GOOGLE_CREDENTIALS_JSON",
            "token",
            "x-auth-token",
            "ΣECRET",
            "pässword",
            "PASSWORD\n",
            "my secret",
            "",
            "_",
            "ß_TOKEN",
            "ﬀ_SECRET",
            "TOKEN_PLAINTEXT_STRING",
            "PASSPHRASE2",
            "2PASSWORD",
            "PASSWORD2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every credential word and key word, bare, with a qualifier and with a word after it.
        for word in CREDENTIAL_WORDS.iter().chain(&KEY_WORDS) {
            names.extend([
                word.to_string(),
                word.to_lowercase(),
                format!("{word}_KEY"),
                format!("app_{word}_b64_"),
                format!("{word}_ID"),
            ]);
        }
        let mut credentials = 0;
        for name in names {
            let arg = serde_json::to_string(&name).unwrap();
            let query =
                format!("x := data.rampart.lib.credentials.computed_credential_name({arg})");
            let rego = holds(&mut engine, &query);
            let rust = names_credential(&name, &normalized(&name));
            assert_eq!(rust, rego, "{name:?}");
            credentials += usize::from(rust);
        }
        // Both answers occur, so a classifier that always says one thing fails.
        assert!(credentials > 20 && credentials < 100, "{credentials}");
    }

    #[test]
    fn rust_and_rego_find_services_awaited_to_complete_alike() {
        let mut engine = crate::policy::engine::engine_with(&[
            (
                "compose_security",
                include_str!("../../policies/lib/compose_security.rego"),
            ),
            (
                "missing-healthcheck",
                include_str!("../../policies/missing-healthcheck/compose.rego"),
            ),
        ]);
        let services = r#"{
            "migrate": {"service": {}},
            "seed": {"service": {"depends_on": {"seed": {"condition": "service_completed_successfully"}}}},
            "web": {"service": {"depends_on": {"migrate": {"condition": "service_completed_successfully"},
                                               "cache": {"condition": "service_started"},
                                               "db": {"condition": "service_healthy"}}}},
            "worker": {"service": {"depends_on": ["cache", "db"]}},
            "api": {"service": {"depends_on": {"db": {"condition": "service_completed_successfully"},
                                               "7": {"condition": "service_completed_successfully"}}}},
            "odd": "not a service",
            "cache": {"service": {}},
            "db": {"service": {"depends_on": {"cache": null}}}}"#;
        let mut awaited = Vec::new();
        for name in [
            "migrate", "seed", "web", "worker", "cache", "db", "7", "absent",
        ] {
            let input = value(&format!(
                r#"{{"name": "{name}", "service": {{}}, "project": {{"services": {services}}}}}"#
            ));
            engine.set_input(input.clone());
            let query =
                "x := data.rampart.checks.missing_healthcheck.compose.computed_runs_to_completion";
            let rego = holds(&mut engine, query);
            let fact = of_input(&input)["awaited_to_complete"].clone();
            assert_eq!(fact, Value::from(rego), "{name}");
            if rego {
                awaited.push(name);
            }
        }
        assert_eq!(awaited, ["migrate", "db", "7"]);
        // No name, or no services object: the Rego decides.
        for input in [
            r#"{"service": {}, "project": {"services": {}}}"#,
            r#"{"name": "a", "service": {}, "project": {"services": ["a"]}}"#,
        ] {
            assert_eq!(
                of_input(&value(input))["awaited_to_complete"],
                Value::Undefined
            );
        }
    }

    #[test]
    fn every_environment_name_is_listed() {
        let pod = value(
            r#"{"kind": "Pod", "spec": {
                "containers": [{"env": [{"name": "dbPassword"}, {"value": "x"}, {"name": 3}]}],
                "initContainers": [{"env": [{"name": "API-KEY"}]}]}}"#,
        );
        assert_eq!(
            of_input(&pod)["env_names"],
            value(r#"{"dbPassword": "DB_PASSWORD", "API-KEY": "API_KEY"}"#)
        );
        assert_eq!(
            of_input(&pod)["credential_names"],
            value(r#"{"dbPassword": true, "API-KEY": true}"#)
        );
        let map = value(r#"{"service": {"environment": {"token": null, "a.b": "1"}}}"#);
        assert_eq!(
            of_input(&map)["env_names"],
            value(r#"{"token": "TOKEN", "a.b": "A_B"}"#)
        );
        assert_eq!(
            of_input(&map)["credential_names"],
            value(r#"{"token": true, "a.b": false}"#)
        );
        let list = value(r#"{"service": {"environment": ["aB=c=d", "NOVALUE", 7, "=x"]}}"#);
        assert_eq!(
            of_input(&list)["env_names"],
            value(r#"{"aB": "A_B", "": ""}"#)
        );
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
            assert_eq!(of_input(&input)["containers"], rego, "{input}");
        }
    }

    #[test]
    fn rust_and_rego_read_spread_terms_alike() {
        let mut engine = crate::policy::engine::engine_with(&[
            ("spread", include_str!("../../policies/lib/spread.rego")),
            (
                "selectors",
                include_str!("../../policies/lib/selectors.rego"),
            ),
        ]);
        let labels = r#"{"app": "api", "tier": "web"}"#;
        let terms = r#"[
            {"labelSelector": {"matchLabels": {"app": "api"}}, "topologyKey": "h"},
            {"labelSelector": {"matchLabels": {"app": "other"}}},
            {}, {"labelSelector": null}, {"labelSelector": "app=api"},
            {"labelSelector": {"matchLabels": {"app": "api"}}, "mismatchLabelKeys": ["app"]},
            {"labelSelector": {}, "mismatchLabelKeys": ["missing", 3]},
            {"labelSelector": {"matchLabels": {"app": "api"}}, "mismatchLabelKeys": "app"},
            {"labelSelector": {"matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["web"]}]}},
            {"labelSelector": {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
                "matchLabelKeys": ["app"]},
            "a string", 5, null]"#;
        let spec = format!(
            r#"{{"affinity": {{"podAntiAffinity": {{
                "requiredDuringSchedulingIgnoredDuringExecution": {terms},
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {{"weight": 1, "podAffinityTerm": {{"labelSelector":
                        {{"matchLabels": {{"tier": "web"}}}}}}}},
                    {{"weight": 2}}, "x", {{"podAffinityTerm": "y"}},
                    {{"podAffinityTerm": {{"labelSelector": {{}},
                        "mismatchLabelKeys": ["tier"]}}}}]}}}},
                "topologySpreadConstraints": {terms}}}"#
        );
        let inputs = [
            format!(
                r#"{{"kind": "Deployment", "spec": {{"template": {{
                    "metadata": {{"labels": {labels}}}, "spec": {spec}}}}}}}"#
            ),
            format!(r#"{{"kind": "StatefulSet", "spec": {{"template": {{"spec": {spec}}}}}}}"#),
            format!(
                r#"{{"kind": "Deployment", "spec": {{"template": {{
                    "metadata": {{"labels": ["app"]}}, "spec": {spec}}}}}}}"#
            ),
            r#"{"kind": "Deployment", "spec": {"template": {"spec": {
                "affinity": {"podAntiAffinity": ["x"]}, "topologySpreadConstraints": {}}}}}"#
                .to_string(),
            r#"{"kind": "Deployment", "spec": {"template": {"spec": {
                "affinity": {"podAntiAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"a": 1}}}}}}}"#
                .to_string(),
            format!(r#"{{"kind": "Pod", "metadata": {{"labels": {labels}}}, "spec": {spec}}}"#),
        ];
        let mut selected = 0;
        for input in inputs {
            let input = value(&input);
            let facts = of_input(&input);
            for (fact, function) in [
                ("anti_affinity_terms", "anti_affinity_terms"),
                ("spread_constraints", "spread_constraints"),
            ] {
                engine.set_input(input.clone());
                let query = format!("x := data.rampart.lib.spread.{function}(input)");
                let rego = engine.eval_query(query, false).unwrap();
                let Value::Array(rego) = rego.result[0].bindings["x"].clone() else {
                    panic!("not an array");
                };
                let Value::Array(rust) = facts[fact].clone() else {
                    panic!("{fact} is not an array");
                };
                assert_eq!(rust.len(), rego.len(), "{fact} of {input}");
                for (rust, rego) in rust.iter().zip(rego.iter()) {
                    let mut record = match rust {
                        Value::Object(map) => map.as_ref().clone(),
                        other => panic!("not an object: {other}"),
                    };
                    let own = record.remove(&Value::from("selects_own_pods"));
                    assert_eq!(&Value::from(record), rego, "{fact} of {input}");
                    engine.set_input(value(&format!(
                        r#"{{"obj": {input}, "term": {}}}"#,
                        rego["term"]
                    )));
                    let query =
                        "x := data.rampart.lib.spread.selects_own_pods(input.obj, input.term)";
                    let rego_own = holds(&mut engine, query);
                    let expected = matches!(rego["term"], Value::Object(_)).then_some(rego_own);
                    assert_eq!(
                        own,
                        expected.map(Value::from),
                        "{fact} {} of {input}",
                        rego["term"]
                    );
                    selected += usize::from(rego_own);
                }
            }
        }
        assert!(selected >= 8, "the cases select some terms: {selected}");
    }

    #[test]
    fn rust_and_rego_list_declared_ports_alike() {
        let mut engine = rego(
            "pod_ports",
            include_str!("../../policies/lib/pod_ports.rego"),
        );
        for input in [
            r#"{"kind": "Pod", "spec": {
                "containers": [
                    {"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 80,
                        "protocol": "UDP", "name": "dns"}, {"containerPort": "81"},
                        {"containerPort": 82, "protocol": 7, "name": null}, 5, null]},
                    {"ports": [{"containerPort": 9.5, "hostPort": 9}]},
                    {"name": "b", "ports": {"containerPort": 1}}, "x"],
                "initContainers": [
                    {"name": "sidecar", "restartPolicy": "Always", "ports": [{"containerPort": 1}]},
                    {"name": "init", "ports": [{"containerPort": 2}]}],
                "ephemeralContainers": [{"ports": [{"containerPort": 3}]}]}}"#,
            r#"{"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": "c", "ports": [{"containerPort": 8080}]}]}}}}}}"#,
            r#"{"kind": "ReplicationController", "spec": {"template": {"spec": {
                "containers": [{"name": "r", "ports": [{"containerPort": 1, "name": "n"}]}]}}}}"#,
            r#"{"kind": "Deployment", "spec": {"template": {"spec": ["containers"]}}}"#,
            r#"{"kind": "Service", "spec": {"containers": [{"ports": [{"containerPort": 1}]}]}}"#,
        ] {
            let input = value(input);
            engine.set_input(input.clone());
            let rego = engine
                .eval_query(
                    "x := data.rampart.lib.pod_ports.declared_ports(input)".into(),
                    false,
                )
                .unwrap();
            let rego = rego.result[0].bindings["x"].clone();
            let rust = match &of_input(&input)["declared_ports"] {
                Value::Array(list) => Value::from(list.iter().cloned().collect::<BTreeSet<_>>()),
                other => panic!("not an array: {other}"),
            };
            assert_eq!(rust, rego, "{input}");
        }
        let pod = value(
            r#"{"kind": "Pod", "spec": {"containers": [{"ports": [{"containerPort": 2}]}],
                "initContainers": [{"restartPolicy": "Always", "ports": [{"containerPort": 1}]}]}}"#,
        );
        let numbers: Vec<Value> = match &of_input(&pod)["declared_ports"] {
            Value::Array(list) => list.iter().map(|p| p["number"].clone()).collect(),
            other => panic!("not an array: {other}"),
        };
        assert_eq!(numbers, [Value::from(2), Value::from(1)], "list order");
    }

    #[test]
    fn rust_and_rego_find_policies_that_select_some_workload_alike() {
        let mut engine = crate::policy::engine::engine_with(&[
            ("network", include_str!("../../policies/lib/network.rego")),
            (
                "selectors",
                include_str!("../../policies/lib/selectors.rego"),
            ),
        ]);
        // "shop": workloads of every labels path; "bare": workloads without labels; "empty":
        // a namespace of policies only.
        let template =
            |labels: &str| format!(r#"{{"template": {{"metadata": {{"labels": {labels}}}}}}}"#);
        let inventory = value(&format!(
            r#"{{"cluster": {{}}, "namespace": {{
                "shop": {{
                    "apps/v1": {{"Deployment": {{
                        "web": {{"kind": "Deployment", "spec": {}}},
                        "db": {{"kind": "Deployment", "spec": {}}},
                        "odd": {{"kind": "Deployment", "spec": {}}}}}}},
                    "v1": {{"Pod": {{"cache": {{"kind": "Pod",
                        "metadata": {{"labels": {{"app": "cache", "tier": 3}}}}}}}}}},
                    "batch/v1": {{"CronJob": {{"backup": {{"kind": "CronJob",
                        "spec": {{"jobTemplate": {{"spec": {}}}}}}}}}}}}},
                "bare": {{"apps/v1": {{"Deployment": {{
                    "a": {{"kind": "Deployment", "spec": {}}},
                    "b": {{"kind": "Deployment"}}}}}}}},
                "empty": {{"v1": {{"ConfigMap": {{"c": {{"kind": "ConfigMap"}}}}}}}}}}}}"#,
            template(r#"{"app": "web", "tier": "front"}"#),
            template(r#"{"app": "db", "tier": "back", "canary": "yes"}"#),
            template(r#"["app"]"#),
            template(r#"{"app": "backup"}"#),
            template("null"),
        ));
        let data = unit_data(&inventory);
        engine.add_data(data.clone()).unwrap();
        let selectors = [
            "{}",
            "null",
            r#"{"matchLabels": {"app": "web"}}"#,
            r#"{"matchLabels": {"app": "web", "tier": "back"}}"#,
            r#"{"matchLabels": {"app": "backup"}}"#,
            r#"{"matchLabels": {"tier": 3}}"#,
            r#"{"matchLabels": {"app": "nope"}}"#,
            r#"{"matchLabels": {}, "matchExpressions": []}"#,
            r#"{"matchLabels": null, "matchExpressions": null}"#,
            r#"{"matchLabels": "app=web"}"#,
            r#"{"matchLabels": {"app": "web"}, "matchExpressions": "x"}"#,
            r#"{"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back", "x"]}]}"#,
            r#"{"matchExpressions": [{"key": "tier", "operator": "In", "values": ["x"]}]}"#,
            r#"{"matchExpressions": [{"key": "tier", "operator": "In", "values": "back"}]}"#,
            r#"{"matchExpressions": [{"key": "tier", "operator": "In"}]}"#,
            r#"{"matchExpressions": [{"key": "canary", "operator": "Exists"}]}"#,
            r#"{"matchExpressions": [{"key": "team", "operator": "Exists"}]}"#,
            r#"{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web", "db", "backup", "cache"]}]}"#,
            r#"{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}"#,
            r#"{"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}"#,
            r#"{"matchExpressions": [{"key": "app", "operator": "Exists"},
                {"key": "canary", "operator": "DoesNotExist"}, {"key": "tier", "operator": "In",
                "values": ["back"]}]}"#,
            r#"{"matchExpressions": [5, {"key": "app", "operator": "Exists"}]}"#,
            r#"{"matchExpressions": [{"operator": "Exists"}]}"#,
            r#"{"matchExpressions": [{"key": "app", "operator": "Matches"}]}"#,
            r#"{"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}],
                "matchLabels": {"tier": "front"}}"#,
        ];
        let (mut selecting, mut not_selecting) = (0, 0);
        for ns in [r#""shop""#, r#""bare""#, r#""empty""#, r#""none""#, "null"] {
            for selector in selectors {
                let input = value(&format!(
                    r#"{{"kind": "NetworkPolicy", "metadata": {{"name": "p", "namespace": {ns}}},
                        "spec": {{"podSelector": {selector}}}}}"#
                ));
                engine.set_input(input.clone());
                // The effective namespace (lib/kubernetes): its own when a string, else the
                // default.
                let effective = if ns.starts_with('"') { ns } else { r#""shop""# };
                let query = format!(
                    "x := data.rampart.lib.network.selects_some({effective}, \
                        data.rampart.lib.network.pod_selector(input))"
                );
                let rego = holds(&mut engine, &query);
                let rust = of(&input, &data)["selects_some_workload"].clone();
                assert_eq!(rust, Value::from(rego), "{input}");
                if rego {
                    selecting += 1;
                } else {
                    not_selecting += 1;
                }
            }
        }
        assert!(
            selecting > 25 && not_selecting > 40,
            "{selecting} {not_selecting}"
        );
        for input in [
            r#"{"kind": "NetworkPolicy", "spec": {"podSelector": "app=web"}}"#,
            r#"{"kind": "NetworkPolicy", "spec": {"podSelector": ["app"]}}"#,
            r#"{"kind": "Deployment", "metadata": {"namespace": "shop"}}"#,
        ] {
            let facts = of(&value(input), &data);
            assert_eq!(facts["selects_some_workload"], Value::Undefined, "{input}");
        }
    }

    #[test]
    fn rust_and_rego_count_node_port_claims_alike() {
        let mut engine = port_conflict_engine();
        // Twelve Services on 30000 (more than RELATED_LIMIT others), one of them twice and one
        // in another namespace; "solo" alone on 30001; a Service of another apiVersion, which
        // the index leaves out.
        let mut services = Vec::new();
        for i in 0..12 {
            let ports = if i == 3 {
                r#"[{"nodePort": 30000}, {"nodePort": 30000}, {"nodePort": 30002}]"#
            } else {
                r#"[{"nodePort": 30000}]"#
            };
            services.push(format!(r#""s{i}": {{"spec": {{"ports": {ports}}}}}"#));
        }
        services.push(r#""solo": {"spec": {"ports": [{"nodePort": 30001}]}}"#.to_string());
        let inventory = value(&format!(
            r#"{{"cluster": {{}}, "namespace": {{
                "shop": {{"v1": {{"Service": {{{}}}}},
                    "v2": {{"Service": {{"new": {{"spec": {{"ports": [{{"nodePort": 30000}}]}}}}}}}}}},
                "billing": {{"v1": {{"Service": {{"s0": {{"spec": {{"ports": [{{"nodePort": 30000}}]}}}}}}}}}}}}}}"#,
            services.join(", ")
        ));
        let data = unit_data(&inventory);
        engine.add_data(data.clone()).unwrap();
        let service = |api_version: &str, name: &str, ns: &str, ports: &str| {
            value(&format!(
                r#"{{"apiVersion": "{api_version}", "kind": "Service",
                    "metadata": {{"name": "{name}"{ns}}}, "spec": {{"ports": {ports}}}}}"#
            ))
        };
        let all = r#"[{"nodePort": 30000}, {"nodePort": 30001}, {"nodePort": 30002},
            {"nodePort": 30009}, {"nodePort": 30000}, {"port": 80}, 5]"#;
        let inputs = [
            service("v1", "s0", r#", "namespace": "shop""#, all),
            service("v1", "s3", "", all),
            service("v1", "s0", r#", "namespace": "billing""#, all),
            service("v1", "solo", r#", "namespace": "shop""#, all),
            service("v2", "new", r#", "namespace": "shop""#, all),
            service("v1", "other", r#", "namespace": "shop""#, all),
            service(
                "v1",
                "s5",
                r#", "namespace": "shop""#,
                r#"{"nodePort": 30000}"#,
            ),
        ];
        let first_input = inputs[0].clone();
        let mut compared = 0;
        for input in inputs {
            let facts = of(&input, &data);
            let Value::Object(claims) = &facts["node_port_claims"] else {
                panic!("no claims for {input}");
            };
            for port in [30000, 30001, 30002, 30009] {
                engine.set_input(input.clone());
                let query = format!(
                    "x := data.rampart.checks.port_conflict.kubernetes.node_port_claims({port})"
                );
                let rego = engine.eval_query(query, false).unwrap();
                let rego = rego.result[0].bindings["x"].clone();
                let rust = claims.get(&Value::from(port));
                if matches!(input["spec"]["ports"], Value::Array(_)) {
                    assert_eq!(rust, Some(&rego), "{port} of {input}");
                    compared += 1;
                } else {
                    assert_eq!(rust, None, "{port} of {input}");
                }
            }
        }
        assert_eq!(compared, 24);
        let s0 = &of(&first_input, &data)["node_port_claims"][&Value::from(30000)];
        assert_eq!(
            s0["count"],
            Value::from(13),
            "the eleven others of shop, s3 twice, and billing's s0"
        );
        assert_eq!(
            s0["first"].as_array().unwrap().len(),
            RELATED_LIMIT,
            "the first few"
        );
    }

    #[test]
    fn rust_and_rego_gather_host_port_claims_alike() {
        let mut engine = port_conflict_engine();
        let deployment = |name: &str, ns: &str, spec: &str| {
            format!(
                r#"{{"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {{"name": "{name}", "namespace": "{ns}"}},
                    "spec": {{"template": {{"spec": {spec}}}}}}}"#
            )
        };
        let port = |host_port: u32, protocol: &str, ip: &str| {
            format!(
                r#"{{"containerPort": 1, "hostPort": {host_port}, "protocol": "{protocol}"{ip}}}"#
            )
        };
        let containers = |ports: &[String]| {
            format!(
                r#"{{"containers": [{{"name": "c", "ports": [{}]}}]}}"#,
                ports.join(", ")
            )
        };
        // Every address kind on 9000, twelve wildcards on 9100 (more than RELATED_LIMIT), a
        // host-network workload, and the workload the inputs are in the inventory as.
        let mut objects = vec![
            ("any", "shop", containers(&[port(9000, "TCP", "")])),
            (
                "zero",
                "shop",
                containers(&[port(9000, "TCP", r#", "hostIP": "0.0.0.0""#)]),
            ),
            (
                "v4",
                "shop",
                containers(&[port(9000, "TCP", r#", "hostIP": "10.0.0.1""#)]),
            ),
            (
                "v4b",
                "ops",
                containers(&[port(9000, "TCP", r#", "hostIP": "10.0.0.2""#)]),
            ),
            (
                "v6any",
                "ops",
                containers(&[port(9000, "TCP", r#", "hostIP": "::""#)]),
            ),
            (
                "v6",
                "ops",
                containers(&[port(9000, "TCP", r#", "hostIP": "fd00::1""#)]),
            ),
            ("udp", "ops", containers(&[port(9000, "UDP", "")])),
            (
                "host",
                "ops",
                r#"{"hostNetwork": true, "containers": [{"name": "h", "ports": [
                    {"containerPort": 9000}, {"containerPort": 9100}]}]}"#
                    .to_string(),
            ),
            (
                "self",
                "shop",
                containers(&[port(9000, "TCP", ""), port(9100, "TCP", "")]),
            ),
        ];
        for name in [
            "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11",
        ] {
            objects.push((name, "crowd", containers(&[port(9100, "TCP", "")])));
        }
        let mut namespaces: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (name, ns, spec) in &objects {
            namespaces
                .entry(ns)
                .or_default()
                .push(format!(r#""{name}": {}"#, deployment(name, ns, spec)));
        }
        let namespaces: Vec<String> = namespaces
            .iter()
            .map(|(ns, objects)| {
                format!(
                    r#""{ns}": {{"apps/v1": {{"Deployment": {{{}}}}}}}"#,
                    objects.join(", ")
                )
            })
            .collect();
        let inventory = value(&format!(
            r#"{{"cluster": {{}}, "namespace": {{{}}}}}"#,
            namespaces.join(", ")
        ));
        let data = unit_data(&inventory);
        engine.add_data(data.clone()).unwrap();
        let every_address = containers(&[
            port(9000, "TCP", ""),
            port(9000, "TCP", r#", "hostIP": "10.0.0.1""#),
            port(9000, "TCP", r#", "hostIP": "10.0.0.3""#),
            port(9000, "TCP", r#", "hostIP": "::""#),
            port(9000, "TCP", r#", "hostIP": "fd00::1""#),
            port(9000, "TCP", r#", "hostIP": "fd00::2""#),
            port(9000, "UDP", r#", "hostIP": "0.0.0.0""#),
            port(9100, "TCP", ""),
            port(9200, "TCP", ""),
        ]);
        let inputs = [
            deployment("self", "shop", &every_address),
            deployment("other", "shop", &every_address),
            deployment("self", "ops", &every_address),
            r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "self"},
                "spec": {"template": {"spec": {"hostNetwork": true, "containers": [
                    {"name": "h", "ports": [{"containerPort": 9000}, {"containerPort": 9100}]}]}}}}"#
                .to_string(),
        ];
        let (mut compared, mut crowded) = (0, 0);
        for input in inputs {
            let input = value(&input);
            let facts = of(&input, &data);
            let Value::Object(claims) = &facts["host_port_claims"] else {
                panic!("no claims for {input}");
            };
            let own = host_bindings(&input);
            let Value::Set(own) = own else {
                panic!("no bindings");
            };
            assert_eq!(claims.len(), own.len(), "one entry per binding of {input}");
            for b in own.iter() {
                engine.set_input(input.clone());
                let query =
                    format!("x := data.rampart.checks.port_conflict.kubernetes.outer_claims({b})");
                let rego = engine.eval_query(query, false).unwrap();
                let rego = rego.result[0].bindings["x"].clone();
                let key = Value::from(vec![
                    b["host_port"].clone(),
                    b["protocol"].clone(),
                    b["host_ip"].clone(),
                ]);
                assert_eq!(claims.get(&key), Some(&rego), "{b} of {input}");
                compared += 1;
                if rego["count"] > Value::from(RELATED_LIMIT) {
                    crowded += 1;
                }
            }
        }
        assert!(compared >= 25 && crowded >= 3, "{compared} {crowded}");
        let service = value(r#"{"kind": "Service", "metadata": {"namespace": "shop"}}"#);
        assert_eq!(of(&service, &data)["host_port_claims"], Value::Undefined);
    }

    #[test]
    fn rust_and_rego_find_isolating_policies_alike() {
        let mut engine = crate::policy::engine::engine_with(&[
            ("network", include_str!("../../policies/lib/network.rego")),
            (
                "selectors",
                include_str!("../../policies/lib/selectors.rego"),
            ),
        ]);
        let policies = [
            ("all", r#"{"podSelector": {}}"#),
            ("egress", r#"{"podSelector": {}, "egress": [{}]}"#),
            (
                "web",
                r#"{"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]}"#,
            ),
            (
                "db",
                r#"{"podSelector": {"matchLabels": {"app": "db", "tier": "x"}}}"#,
            ),
            (
                "expr",
                r#"{"podSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, "policyTypes": ["Ingress", 5]}"#,
            ),
            (
                "null",
                r#"{"podSelector": null, "policyTypes": ["Egress"]}"#,
            ),
            ("bad", r#"{"podSelector": "x", "policyTypes": []}"#),
            ("nospec", r#"null"#),
        ];
        // One namespace per policy, one with all of them, so that each policy's directions
        // decide a result of their own.
        let mut namespaces = Vec::new();
        let mut all = Vec::new();
        for (name, spec) in policies {
            let policy = format!(r#""{name}": {{"spec": {spec}}}"#);
            namespaces.push(format!(
                r#""ns-{name}": {{"networking.k8s.io/v1": {{"NetworkPolicy": {{{policy}}}}}}}"#
            ));
            all.push(policy);
        }
        namespaces.push(format!(
            r#""all": {{"networking.k8s.io/v1": {{"NetworkPolicy": {{{}}}}}}}"#,
            all.join(", ")
        ));
        let inventory = value(&format!(
            r#"{{"cluster": {{}}, "namespace": {{{}}}}}"#,
            namespaces.join(", ")
        ));
        let data = value(&format!(
            r#"{{"rampart": {{"index": {}, "params": {{"default-namespace": "ns-web"}}}}}}"#,
            crate::policy::index::build(&inventory)
        ));
        engine.add_data(data.clone()).unwrap();
        let mut namespace_fields: Vec<String> = policies
            .iter()
            .map(|(name, _)| format!(r#", "namespace": "ns-{name}""#))
            .collect();
        namespace_fields.extend([
            r#", "namespace": "all""#.to_string(),
            r#", "namespace": "none""#.to_string(),
            String::new(),
        ]);
        let mut non_empty = 0;
        for ns in &namespace_fields {
            let deployment = |labels: &str| {
                value(&format!(
                    r#"{{"kind": "Deployment", "metadata": {{"name": "d"{ns}}},
                        "spec": {{"template": {{"metadata": {{"labels": {labels}}}}}}}}}"#
                ))
            };
            let inputs = [
                deployment(r#"{"app": "web"}"#),
                deployment(r#"{"app": "db", "tier": "x"}"#),
                deployment(r#"{"app": "db"}"#),
                deployment("{}"),
                deployment("null"),
                deployment(r#""labels""#),
                value(&format!(
                    r#"{{"kind": "Pod", "metadata": {{"labels": {{"app": "db", "tier": "x"}}{ns}}}}}"#
                )),
                value(&format!(
                    r#"{{"kind": "StatefulSet", "metadata": {{"name": "s"{ns}}}, "spec": 3}}"#
                )),
            ];
            for input in inputs {
                engine.set_input(input.clone());
                // The effective namespace and the pod labels, as lib/kubernetes reads them (no
                // input here has labels both on the template and on itself).
                let query = "x := data.rampart.lib.network.isolating_directions(\
                    object.get(input, [\"metadata\", \"namespace\"], \"ns-web\"), \
                    object.get(input, [\"spec\", \"template\", \"metadata\", \"labels\"], \
                        object.get(input, [\"metadata\", \"labels\"], {})))"
                    .to_string();
                let rego = engine.eval_query(query, false).unwrap();
                let rego = rego.result[0].bindings["x"].clone();
                let rust = of(&input, &data)["isolated_directions"].clone();
                assert_eq!(rust, rego, "{input}");
                if rust != Value::from(std::collections::BTreeSet::new()) {
                    non_empty += 1;
                }
            }
        }
        assert!(
            non_empty > 20,
            "only {non_empty} inputs are isolated at all"
        );
        let job = value(r#"{"kind": "Job", "metadata": {"namespace": "shop"}}"#);
        assert_eq!(of(&job, &data)["isolated_directions"], Value::Undefined);
        let no_default = value(r#"{"kind": "Pod", "metadata": {}}"#);
        assert_eq!(
            of(&no_default, &value("{}"))["isolated_directions"],
            Value::Undefined,
            "no namespace to read: the Rego computes it"
        );
    }

    #[test]
    fn rust_and_rego_read_host_bindings_alike() {
        let mut engine = rego(
            "pod_ports",
            include_str!("../../policies/lib/pod_ports.rego"),
        );
        let ports = r#"[{"containerPort": 80, "hostPort": 8080},
            {"containerPort": 81, "hostPort": 8081, "hostIP": "10.0.0.1", "protocol": "UDP"},
            {"containerPort": 82, "hostPort": 0}, {"containerPort": 83, "hostPort": "84"},
            {"containerPort": 85, "hostPort": -1, "hostIP": 7}, {"containerPort": 86, "name": "x"},
            {"hostPort": 87}, {"containerPort": 88, "hostPort": 88.5, "hostIP": "::"}]"#;
        let spec = |host_network: &str| {
            format!(
                r#"{{"hostNetwork": {host_network}, "containers": [{{"name": "a", "ports": {ports}}}],
                    "initContainers": [{{"name": "s", "restartPolicy": "Always", "ports": [{{"containerPort": 9000, "hostPort": 9000}}]}},
                                       {{"name": "i", "ports": [{{"containerPort": 7000, "hostPort": 7000}}]}}]}}"#
            )
        };
        let mut bound = 0;
        for host_network in ["true", "false", "null", "\"true\""] {
            for (kind, wrap) in [
                ("Pod", "{}"),
                ("Deployment", r#"{"template": {"spec": {}}}"#),
                (
                    "CronJob",
                    r#"{"jobTemplate": {"spec": {"template": {"spec": {}}}}}"#,
                ),
                ("Service", "{}"),
            ] {
                let spec = spec(host_network);
                let body = if wrap == "{}" {
                    spec
                } else {
                    wrap.replace("{\"spec\": {}}", &format!("{{\"spec\": {spec}}}"))
                };
                let obj = value(&format!(r#"{{"kind": "{kind}", "spec": {body}}}"#));
                engine.set_input(obj.clone());
                let query = "x := data.rampart.lib.pod_ports.host_bindings(input)";
                let rego = engine.eval_query(query.into(), false).unwrap();
                let rego = rego.result[0].bindings["x"].clone();
                let rust = host_bindings(&obj);
                assert_eq!(rust, rego, "{obj}");
                if let Value::Set(set) = &rust {
                    bound += set.len();
                }
            }
        }
        assert!(bound >= 30, "only {bound} bindings");
    }

    #[test]
    fn rust_and_rego_find_the_workloads_a_service_selects_alike() {
        let mut engine = crate::policy::engine::engine_with(&[
            (
                "pod_ports",
                include_str!("../../policies/lib/pod_ports.rego"),
            ),
            (
                "selectors",
                include_str!("../../policies/lib/selectors.rego"),
            ),
            (
                "kubernetes",
                include_str!("../../policies/lib/kubernetes.rego"),
            ),
            ("numbers", include_str!("../../policies/lib/numbers.rego")),
            (
                "unresolved-target-port",
                include_str!("../../policies/unresolved-target-port/kubernetes.rego"),
            ),
        ]);
        let containers = |ports: &str| format!(r#"[{{"name": "c", "ports": {ports}}}]"#);
        let template = |labels: &str, spec: &str| {
            format!(r#"{{"template": {{"metadata": {{"labels": {labels}}}, "spec": {spec}}}}}"#)
        };
        let web = template(
            r#"{"app": "web", "tier": "front"}"#,
            &format!(
                r#"{{"containers": {}}}"#,
                containers(
                    r#"[{"containerPort": 80, "name": "http"}, {"containerPort": 53, "protocol": "UDP"}, {"name": "x"}]"#
                )
            ),
        );
        let db = template(
            r#"{"app": "db"}"#,
            &format!(
                r#"{{"containers": {}}}"#,
                containers(r#"[{"containerPort": 5432}]"#)
            ),
        );
        let job = format!(
            r#"{{"jobTemplate": {{"spec": {}}}}}"#,
            template(r#"{"app": "web"}"#, r#"{"containers": [{"name": "j"}]}"#)
        );
        let pod = r#"{"containers": [{"name": "m", "ports": [{"containerPort": 80, "name": "http"}]}],
            "initContainers": [{"name": "s", "restartPolicy": "Always", "ports": [{"containerPort": 9000, "name": "side"}]},
                               {"name": "i", "ports": [{"containerPort": 7000}]}]}"#;
        let inventory = value(&format!(
            r#"{{"cluster": {{}}, "namespace": {{
                "shop": {{
                    "apps/v1": {{
                        "Deployment": {{"web": {{"kind": "Deployment", "spec": {web}}},
                                        "bare": {{"kind": "Deployment", "spec": {{"template": {{"metadata": {{"labels": null}}}}}}}}}},
                        "StatefulSet": {{"db": {{"kind": "StatefulSet", "spec": {db}}}}}}},
                    "batch/v1": {{"CronJob": {{"job": {{"kind": "CronJob", "spec": {job}}}}}}},
                    "v1": {{"Pod": {{"p": {{"kind": "Pod", "metadata": {{"labels": {{"app": "web", "tier": "back"}}}}, "spec": {pod}}}}}}}}},
                "other": {{"apps/v1": {{"Deployment": {{"web": {{"kind": "Deployment", "spec": {web}}}}}}}}}}}}}"#
        ));
        let data = unit_data(&inventory);
        engine.add_data(data.clone()).unwrap();
        let service = |metadata: &str, spec: &str| {
            value(&format!(
                r#"{{"kind": "Service", "metadata": {metadata}, "spec": {spec}}}"#
            ))
        };
        let shop = r#"{"namespace": "shop"}"#;
        let inputs = [
            service(shop, r#"{"selector": {"app": "web"}}"#),
            // The same selector again: the answer read for the first.
            service(
                shop,
                r#"{"selector": {"app": "web"}, "ports": [{"port": 1}]}"#,
            ),
            service(shop, r#"{"selector": {"app": "web", "tier": "front"}}"#),
            service(shop, r#"{"selector": {"tier": "back", "app": "web"}}"#),
            service(shop, r#"{"selector": {"app": "db"}}"#),
            service(shop, r#"{"selector": {"app": "none"}}"#),
            service(shop, r#"{"selector": {}}"#),
            service(shop, r#"{"selector": "app"}"#),
            service(
                shop,
                r#"{"type": "ExternalName", "selector": {"app": "web"}}"#,
            ),
            service(shop, r#"{"type": null, "selector": {"app": "db"}}"#),
            service(shop, "3"),
            service("{}", r#"{"selector": {"app": "web"}}"#),
            service(
                r#"{"namespace": "other"}"#,
                r#"{"selector": {"app": "web"}}"#,
            ),
            service(
                r#"{"namespace": "none"}"#,
                r#"{"selector": {"app": "web"}}"#,
            ),
        ];
        let mut selected_somewhere = 0;
        for input in &inputs {
            engine.set_input(input.clone());
            let facts = of(input, &data);
            for (rule, fact) in [
                ("computed_selected", "selected_workloads"),
                ("computed_declared", "selected_ports"),
            ] {
                let rego = engine
                    .eval_rule(format!(
                        "data.rampart.checks.unresolved_target_port.kubernetes.{rule}"
                    ))
                    .unwrap();
                assert_eq!(facts[fact], rego, "{fact} of {input}");
            }
            if let Value::Set(selected) = &facts["selected_workloads"] {
                selected_somewhere += usize::from(!selected.is_empty());
            }
        }
        assert!(selected_somewhere >= 6, "only {selected_somewhere} select");
        let deployment = value(r#"{"kind": "Deployment", "metadata": {"namespace": "shop"}}"#);
        assert_eq!(
            of(&deployment, &data)["selected_workloads"],
            Value::Undefined
        );
        let no_default = service("{}", r#"{"selector": {"app": "web"}}"#);
        assert_eq!(
            of(&no_default, &value("{}"))["selected_workloads"],
            Value::Undefined,
            "no namespace to read: the Rego computes it"
        );
    }

    #[test]
    fn rust_and_rego_find_overlapping_published_ports_alike() {
        let mut engine = crate::policy::engine::engine_with(&[
            ("compose", include_str!("../../policies/lib/compose.rego")),
            (
                "port-conflict",
                include_str!("../../policies/port-conflict/compose.rego"),
            ),
        ]);
        let port = |start: &str, end: &str| {
            format!(r#"{{"published_start": {start}, "published_end": {end}, "protocol": "tcp"}}"#)
        };
        let web = [
            port("80", "80"),
            port("8000", "8010"),
            port("null", "null"),
            port("80", "80"),
        ];
        let db = [port("5432", "5432"), port("8005", "8005"), port("79", "81")];
        let cache = [port("null", "null")];
        // A range as wide as the port space overlaps every other.
        let all = [port("9000", "9000"), port("1", "65535")];
        let list = |ports: &[String]| format!("[{}]", ports.join(", "));
        let services = format!(
            r#"{{"web": {{"ports": {}}}, "db": {{"ports": {}}}, "cache": {{"ports": {}}}, "all": {{"ports": {}}}}}"#,
            list(&web),
            list(&db),
            list(&cache),
            list(&all)
        );
        // The services of one project are one object, whose table is read once.
        let shared = value(&format!(r#"{{"services": {services}}}"#));
        let mut found = 0;
        let mut sharing = Vec::new();
        for (name, ports) in [
            ("web", list(&web)),
            ("db", list(&db)),
            ("cache", list(&cache)),
            ("all", list(&all)),
        ] {
            for name_field in [format!(r#""name": "{name}", "#), String::new()] {
                let input = value(&format!(
                    r#"{{{name_field}"service": {{}}, "ports": {ports}, "project": {{"services": {services}}}}}"#
                ));
                engine.set_input(input.clone());
                let facts = of_input(&input);
                let mut in_shared = input.clone();
                in_shared
                    .as_object_mut()
                    .unwrap()
                    .insert(Value::from("project"), shared.clone());
                sharing.push((in_shared, facts.clone()));
                for (rule, fact) in [
                    ("computed_port_overlaps", "port_overlaps"),
                    ("computed_own_port_overlaps", "own_port_overlaps"),
                ] {
                    let rego = engine
                        .eval_rule(format!("data.rampart.checks.port_conflict.compose.{rule}"))
                        .unwrap();
                    assert_eq!(facts[fact], rego, "{fact} of {input}");
                    if let Value::Array(pairs) = &rego {
                        found += pairs.len();
                    }
                }
            }
        }
        assert!(found >= 20, "only {found} overlaps");
        // One after another, as a unit's services are: the table read for the first serves all.
        for (input, facts) in &sharing {
            assert_eq!(&of_input(input), facts, "{input}");
        }
    }

    #[test]
    fn objects_that_are_not_workloads_have_no_containers() {
        for input in [
            r#"{"kind": "Service", "spec": {"containers": [{}]}}"#,
            r#"{"kind": "Pod", "spec": []}"#,
            r#"{"spec": {"containers": [{}]}}"#,
        ] {
            assert_eq!(of_input(&value(input))["containers"], value("[]"));
        }
    }

    #[test]
    fn facts_sit_beside_params_and_index() {
        let data = value(r#"{"rampart": {"params": {"a": 1}}, "inventory": {}}"#);
        let with = with_rampart(&data, [("facts", value(r#"{"containers": []}"#))]);
        assert_eq!(with["rampart"]["params"]["a"], Value::from(1));
        assert_eq!(with["rampart"]["facts"]["containers"], value("[]"));
        assert_eq!(
            data["rampart"]["facts"],
            Value::Undefined,
            "the unit's data is unchanged"
        );
    }
}
