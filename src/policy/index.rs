//! Indexes over the inventory, so that cross-resource rules look objects up instead of scanning
//! every object of the run for every resource (which made those checks quadratic).
//!
//! rampart builds each unit's index once (src/lint/units.rs) and policies read it at
//! `data.rampart.index`, which the RVM can evaluate. The builtin
//! `rampart.inventory_index(inventory)` builds the same index for Rego tests, which mock it with
//! `with data.rampart.index as rampart.inventory_index(inv)`; it is cached per inventory and
//! worker thread. The index only narrows the candidates: every rule still
//! checks each candidate in full, so a result never depends on what the index leaves out.
//!
//! ```text
//! node_ports        {port: [{"index": i, "object": ref}]}  Services with spec.ports[i].nodePort,
//!                                                          sorted
//! host_ports        {port: [{"ref": ref, "value": obj,      workloads whose pods may bind port on
//!                          "bindings": bindings}]}         the node (hostPort, or containerPort
//!                                                          under hostNetwork), with their
//!                                                          `lib/pod_ports.rego` host_bindings
//! pods              {ns: {key: {value: [{"ref", "value"}]}}}  workloads by pod template label
//! workloads         {ns: [[kind, name, apiVersion, obj]]}  sorted
//! network_policies  {ns: {"sorted": [[name, apiVersion, obj]],   sorted
//!                         "by_label": {key: {value: [[name, apiVersion, obj]]}},
//!                         "other": [[name, apiVersion, obj]]}}
//!                   policies by the smallest matchLabels pair of their podSelector, "other"
//!                   when it has none (selects all, expressions only, null or malformed);
//!                   "other" keeps one policy per distinct podSelector, policyTypes and
//!                   "has egress rules", all that decides which pods and directions it isolates
//! hpas              {ns: {target name: [[apiVersion, name, obj]]}}
//! limit_range_defaulted  {ns: {[section, resource]}}   what the namespace's LimitRanges
//! default_limits         {ns: {{"resource", "value",   default for containers
//!                                "object", "path"}}}   (lib/resources.rego)
//! limit_ranges      {ns: [[apiVersion, name, obj]]}         sorted
//! quantities        {text: number}  every quantity string of a container's resources
//!                                   (requests, limits) and of a LimitRange's limits, in base
//!                                   units (`rampart.quantity`); malformed ones are left out
//! ```
//!
//! `ref` is `{"apiVersion", "kind", "name", "namespace"}`. Entries carry the objects themselves:
//! in regorus every `data.…` lookup scans the list of modules, so policies should not go back
//! to `data.inventory` for each candidate.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use regorus::Value;

use crate::policy::builtins::get;
use crate::policy::registry::WORKLOAD_KINDS;

/// The path to a workload's pod spec; its pods' labels are at `metadata.labels` beside it.
pub(crate) fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    if !WORKLOAD_KINDS.contains(&kind) {
        return None;
    }
    Some(match kind {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => &["spec", "template", "spec"],
    })
}

/// How many indexes a thread keeps: one per run, a few more while Rego tests mock inventories.
const CACHED: usize = 4;

thread_local! {
    /// (inventory, its index): the inventory is kept so that its address stays unique.
    static CACHE: RefCell<Vec<(Value, Value)>> = const { RefCell::new(Vec::new()) };
}

/// The index of an inventory, from this thread's cache when the same inventory was indexed
/// before (the same allocation: a run's `data.inventory` is shared, never copied).
pub fn cached(inventory: &Value) -> Value {
    CACHE.with(|cache| {
        if let Some((_, index)) = cache
            .borrow()
            .iter()
            .find(|(known, _)| same_allocation(known, inventory))
        {
            return index.clone();
        }
        let index = build(inventory);
        let mut cache = cache.borrow_mut();
        if cache.len() == CACHED {
            cache.remove(0);
        }
        cache.push((inventory.clone(), index.clone()));
        index
    })
}

/// Empties this thread's cache: its inventories hold every object of their units.
pub fn forget() {
    CACHE.with_borrow_mut(Vec::clear);
}

fn same_allocation(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => regorus::Rc::ptr_eq(a, b),
        _ => false,
    }
}

/// Builds the index of an inventory (`{"namespace": {ns: {apiVersion: {kind: {name: obj}}}},
/// "cluster": …}`).
pub fn build(inventory: &Value) -> Value {
    let mut node_ports = Multimap::default();
    let mut host_ports = Multimap::default();
    let mut pods: BTreeMap<Value, BTreeMap<Value, Multimap>> = BTreeMap::new();
    let mut workloads: BTreeMap<Value, Vec<Value>> = BTreeMap::new();
    let mut policies: BTreeMap<Value, NetworkPolicies> = BTreeMap::new();
    let mut hpas: BTreeMap<Value, Multimap> = BTreeMap::new();
    let mut limit_ranges: BTreeMap<Value, Vec<Value>> = BTreeMap::new();
    let mut limit_range_defaults: BTreeMap<Value, LimitRangeDefaults> = BTreeMap::new();
    let mut quantities: BTreeMap<Value, Value> = BTreeMap::new();
    let mut add_quantities = |values: Option<&Value>| {
        for (_, value) in entries_of_object(values) {
            if let Value::String(text) = value {
                if !quantities.contains_key(value) {
                    // Infinite (`1e999`) is no quantity: left out, as the Rego reads it.
                    let parsed = crate::policy::builtins::parse_quantity(text);
                    if let Some(n) = parsed.filter(|n| n.is_finite()) {
                        quantities.insert(value.clone(), Value::from(n));
                    }
                }
            }
        }
    };

    for (ns, api_version, kind, name, obj) in objects(get(inventory, "namespace")) {
        let reference = || object_ref(api_version, kind, name, ns);
        let entry = || object([("ref", reference()), ("value", obj.clone())]);
        let triple = |a: &Value, b: &Value| Value::from(vec![a.clone(), b.clone(), obj.clone()]);
        let kind_text = kind.as_string().map(|s| s.as_ref()).unwrap_or("");
        match kind_text {
            "Service" if api_version == &Value::from("v1") => {
                for (i, port) in entries(get_path(obj, &["spec", "ports"])) {
                    if let Some(node_port) = get(port, "nodePort") {
                        let entry = [("index", i), ("object", reference())];
                        node_ports.add(node_port.clone(), object(entry));
                    }
                }
            }
            "NetworkPolicy" => {
                let p = policies.entry(ns.clone()).or_default();
                let policy = triple(name, api_version);
                p.sorted.push(policy.clone());
                match smallest_match_label(get_path(obj, &["spec", "podSelector"])) {
                    Some((key, value)) => p
                        .by_label
                        .entry(key.clone())
                        .or_default()
                        .add(value.clone(), policy),
                    None => {
                        let spec = get(obj, "spec");
                        let field = |key| spec.and_then(|s| get(s, key)).cloned();
                        let egress =
                            matches!(field("egress"), Some(Value::Array(a)) if !a.is_empty());
                        let key = Value::from(vec![
                            field("podSelector").unwrap_or(Value::Undefined),
                            field("policyTypes").unwrap_or(Value::Undefined),
                            Value::from(egress),
                        ]);
                        if p.other_kinds.insert(key) {
                            p.other.push(policy);
                        }
                    }
                }
            }
            "HorizontalPodAutoscaler" => {
                if let Some(target) = get_path(obj, &["spec", "scaleTargetRef", "name"]) {
                    hpas.entry(ns.clone())
                        .or_default()
                        .add(target.clone(), triple(api_version, name));
                }
            }
            "LimitRange" => {
                for (_, item) in entries(get_path(obj, &["spec", "limits"])) {
                    for key in [
                        "default",
                        "defaultRequest",
                        "max",
                        "min",
                        "maxLimitRequestRatio",
                    ] {
                        add_quantities(get(item, key));
                    }
                }
                limit_ranges
                    .entry(ns.clone())
                    .or_default()
                    .push(triple(api_version, name));
                limit_range_defaults
                    .entry(ns.clone())
                    .or_default()
                    .add(obj, object_ref(api_version, kind, name, ns));
            }
            _ => {}
        }
        let Some(spec_path) = pod_spec_path(kind_text) else {
            continue;
        };
        workloads
            .entry(ns.clone())
            .or_default()
            .push(Value::from(vec![
                kind.clone(),
                name.clone(),
                api_version.clone(),
                obj.clone(),
            ]));
        let template = get_path(obj, &spec_path[..spec_path.len() - 1]);
        let labels = template.and_then(|t| get_path(t, &["metadata", "labels"]));
        if let Some(Value::Object(labels)) = labels {
            let by_key = pods.entry(ns.clone()).or_default();
            for (key, value) in labels.iter() {
                by_key
                    .entry(key.clone())
                    .or_default()
                    .add(value.clone(), entry());
            }
        }
        let spec = get_path(obj, spec_path);
        let host_network = spec.and_then(|s| get(s, "hostNetwork")) == Some(&Value::from(true));
        let mut bound = Vec::new();
        // Ephemeral containers can set neither resources nor ports.
        for field in ["containers", "initContainers"] {
            for (_, container) in entries(spec.and_then(|s| get(s, field))) {
                let resources = get(container, "resources");
                add_quantities(resources.and_then(|r| get(r, "requests")));
                add_quantities(resources.and_then(|r| get(r, "limits")));
                for (_, port) in entries(get(container, "ports")) {
                    bound.extend(get(port, "hostPort").cloned());
                    if host_network {
                        bound.extend(get(port, "containerPort").cloned());
                    }
                }
            }
        }
        bound.sort();
        bound.dedup();
        if !bound.is_empty() {
            // Its bindings, read once here: every workload that binds one of these ports reads
            // them (port-conflict).
            let with_bindings = object([
                ("ref", reference()),
                ("value", obj.clone()),
                ("bindings", crate::policy::facts::host_bindings(obj)),
            ]);
            for port in bound {
                host_ports.add(port, with_bindings.clone());
            }
        }
    }

    let sorted = |mut list: Vec<Value>| {
        list.sort();
        Value::from(list)
    };
    let mut root = BTreeMap::new();
    // Sorted as the set of a port's claims is, so that its first few are a slice.
    root.insert(Value::from("node_ports"), node_ports.into_sorted_value());
    root.insert(Value::from("host_ports"), host_ports.into_value());
    root.insert(
        Value::from("pods"),
        per_namespace(pods, |by_key| {
            let by_key = by_key.into_iter().map(|(k, m)| (k, m.into_value()));
            Value::from(by_key.collect::<BTreeMap<_, _>>())
        }),
    );
    root.insert(Value::from("workloads"), per_namespace(workloads, sorted));
    root.insert(
        Value::from("network_policies"),
        per_namespace(policies, NetworkPolicies::into_value),
    );
    root.insert(
        Value::from("hpas"),
        per_namespace(hpas, Multimap::into_value),
    );
    root.insert(
        Value::from("limit_ranges"),
        per_namespace(limit_ranges, sorted),
    );
    root.insert(Value::from("quantities"), Value::from(quantities));
    let (mut defaulted, mut default_limits) = (BTreeMap::new(), BTreeMap::new());
    for (ns, defaults) in limit_range_defaults {
        defaulted.insert(ns.clone(), Value::from(defaults.defaulted));
        default_limits.insert(ns, Value::from(defaults.limits));
    }
    root.insert(Value::from("limit_range_defaulted"), Value::from(defaulted));
    root.insert(Value::from("default_limits"), Value::from(default_limits));
    Value::from(root)
}

/// What the LimitRanges of a namespace default for containers: `lib/resources.rego`'s
/// `computed_limit_range_defaulted` and `computed_default_limits`, made once per unit rather
/// than for every workload of the namespace (1,000 LimitRanges and 1,000 Deployments in one
/// namespace took a minute).
#[derive(Default)]
struct LimitRangeDefaults {
    /// `[section, resource]`: a LimitRange sets the resource's limit or request.
    defaulted: BTreeSet<Value>,
    /// `{"resource", "value", "object", "path"}`: the limit a container that sets none gets.
    limits: BTreeSet<Value>,
}

impl LimitRangeDefaults {
    /// Adds the `Container` items of a LimitRange, `reference` its reference.
    fn add(&mut self, limit_range: &Value, reference: Value) {
        /// Where each section's default comes from, as the API server defaults an item.
        const SOURCES: [(&str, &str); 6] = [
            ("limits", "default"),
            ("limits", "max"),
            ("requests", "defaultRequest"),
            ("requests", "default"),
            ("requests", "max"),
            ("requests", "min"),
        ];
        let Some(Value::Array(items)) = get_path(limit_range, &["spec", "limits"]) else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            if get(item, "type") != Some(&Value::from("Container")) {
                continue;
            }
            for (section, key) in SOURCES {
                for (resource, value) in entries_of_object(get(item, key)) {
                    if *value != Value::Null {
                        let pair = vec![Value::from(section), resource.clone()];
                        self.defaulted.insert(Value::from(pair));
                    }
                }
            }
            let has_default = |resource: &Value| {
                get(item, "default")
                    .and_then(|d| match d {
                        Value::Object(map) => map.get(resource),
                        _ => None,
                    })
                    .is_some_and(|v| *v != Value::Null)
            };
            for key in ["default", "max"] {
                for (resource, value) in entries_of_object(get(item, key)) {
                    if *value == Value::Null || (key == "max" && has_default(resource)) {
                        continue;
                    }
                    let path = ["spec", "limits"].map(Value::from).into_iter();
                    let path = path.chain([Value::from(i), Value::from(key), resource.clone()]);
                    self.limits.insert(object([
                        ("resource", resource.clone()),
                        ("value", value.clone()),
                        ("object", reference.clone()),
                        ("path", Value::from(path.collect::<Vec<_>>())),
                    ]));
                }
            }
        }
    }
}

/// `{ns: table}`, each namespace's table turned into a value.
fn per_namespace<T>(tables: BTreeMap<Value, T>, into_value: impl Fn(T) -> Value) -> Value {
    let tables = tables.into_iter().map(|(ns, t)| (ns, into_value(t)));
    Value::from(tables.collect::<BTreeMap<_, _>>())
}

/// Lists of values under keys.
#[derive(Default)]
struct Multimap(BTreeMap<Value, Vec<Value>>);

impl Multimap {
    fn add(&mut self, key: Value, value: Value) {
        self.0.entry(key).or_default().push(value);
    }

    fn into_value(self) -> Value {
        Value::from(
            self.0
                .into_iter()
                .map(|(k, v)| (k, Value::from(v)))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    /// Each key's values sorted, without repeats.
    fn into_sorted_value(mut self) -> Value {
        for values in self.0.values_mut() {
            values.sort();
            values.dedup();
        }
        self.into_value()
    }
}

#[derive(Default)]
struct NetworkPolicies {
    sorted: Vec<Value>,
    by_label: BTreeMap<Value, Multimap>,
    other: Vec<Value>,
    other_kinds: std::collections::BTreeSet<Value>,
}

impl NetworkPolicies {
    fn into_value(mut self) -> Value {
        self.sorted.sort();
        let by_label = self.by_label.into_iter().map(|(k, m)| (k, m.into_value()));
        object([
            ("sorted", Value::from(self.sorted)),
            (
                "by_label",
                Value::from(by_label.collect::<BTreeMap<_, _>>()),
            ),
            ("other", Value::from(self.other)),
        ])
    }
}

/// The smallest `matchLabels` pair of a selector: every pod it selects carries that pair.
fn smallest_match_label(selector: Option<&Value>) -> Option<(&Value, &Value)> {
    match selector.and_then(|s| get(s, "matchLabels")) {
        Some(Value::Object(labels)) => labels.iter().next(),
        _ => None,
    }
}

/// Every object of the namespaced part of an inventory with its coordinates.
fn objects(
    namespaces: Option<&Value>,
) -> impl Iterator<Item = (&Value, &Value, &Value, &Value, &Value)> {
    entries_of_object(namespaces).flat_map(|(ns, versions)| {
        entries_of_object(Some(versions)).flat_map(move |(api_version, kinds)| {
            entries_of_object(Some(kinds)).flat_map(move |(kind, names)| {
                entries_of_object(Some(names))
                    .map(move |(name, obj)| (ns, api_version, kind, name, obj))
            })
        })
    })
}

fn entries_of_object(value: Option<&Value>) -> impl Iterator<Item = (&Value, &Value)> {
    let map = match value {
        Some(Value::Object(map)) => Some(map.iter()),
        _ => None,
    };
    map.into_iter().flatten()
}

/// The entries of an array (with their index) or of an object (with their key), as Rego's
/// `some i, x in coll` visits them.
fn entries(value: Option<&Value>) -> Vec<(Value, &Value)> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i), v))
            .collect(),
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        _ => Vec::new(),
    }
}

fn get_path<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| get(v, key))
}

fn object_ref(api_version: &Value, kind: &Value, name: &Value, ns: &Value) -> Value {
    object([
        ("apiVersion", api_version.clone()),
        ("kind", kind.clone()),
        ("name", name.clone()),
        ("namespace", ns.clone()),
    ])
}

fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::from(
        fields
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    #[test]
    fn indexes_ports_labels_policies_and_hpas() {
        let inventory = value(
            r#"{"cluster": {}, "namespace": {"shop": {
              "v1": {"Service": {"web": {"spec": {"ports": [{"port": 80}, {"port": 81, "nodePort": 30001}]}}},
                     "LimitRange": {"z": {"spec": {}}, "y": {"spec": {"limits": []}}}},
              "apps/v1": {"Deployment": {"web": {"kind": "Deployment", "spec": {"template": {
                  "metadata": {"labels": {"app": "web"}},
                  "spec": {"hostNetwork": true, "containers": [{"ports": [{"containerPort": 8080}]}]}}}}}},
              "networking.k8s.io/v1": {"NetworkPolicy": {
                  "b": {"spec": {"podSelector": {"matchLabels": {"tier": "x", "app": "web"}}}},
                  "a": {"spec": {"podSelector": {}}},
                  "a2": {"spec": {"podSelector": {}}},
                  "a3": {"spec": {"podSelector": {}, "policyTypes": ["Egress"]}}}},
              "autoscaling/v2": {"HorizontalPodAutoscaler": {"h": {"spec": {"scaleTargetRef": {"name": "web"}}}}}
            }}}"#,
        );
        let index = build(&inventory);
        let ns = &inventory["namespace"]["shop"];
        let deployment = &ns["apps/v1"]["Deployment"]["web"];
        let web = |kind: &str, api_version: &str| {
            value(&format!(
                r#"{{"apiVersion": "{api_version}", "kind": "{kind}", "name": "web", "namespace": "shop"}}"#
            ))
        };
        let entry = object([
            ("ref", web("Deployment", "apps/v1")),
            ("value", deployment.clone()),
        ]);
        assert_eq!(
            index["node_ports"][&Value::from(30001)],
            Value::from(vec![object([
                ("index", Value::from(1)),
                ("object", web("Service", "v1"))
            ])])
        );
        // Workloads that bind a host port come with their bindings.
        let bindings = crate::policy::facts::host_bindings(deployment);
        let Value::Set(set) = &bindings else {
            panic!("no set: {bindings}");
        };
        assert_eq!(set.len(), 1);
        assert_eq!(
            set.iter().next().unwrap()["field"],
            Value::from("containerPort")
        );
        assert_eq!(
            index["host_ports"][&Value::from(8080)],
            Value::from(vec![object([
                ("ref", web("Deployment", "apps/v1")),
                ("value", deployment.clone()),
                ("bindings", bindings),
            ])])
        );
        assert_eq!(
            index["pods"]["shop"]["app"]["web"],
            Value::from(vec![entry])
        );
        let triple = |a: &str, b: &str, obj: &Value| {
            Value::from(vec![Value::from(a), Value::from(b), obj.clone()])
        };
        assert_eq!(
            index["workloads"]["shop"],
            Value::from(vec![Value::from(vec![
                Value::from("Deployment"),
                Value::from("web"),
                Value::from("apps/v1"),
                deployment.clone()
            ])])
        );
        let policies = &index["network_policies"]["shop"];
        let np = |name: &str| {
            let obj = &ns["networking.k8s.io/v1"]["NetworkPolicy"][name];
            triple(name, "networking.k8s.io/v1", obj)
        };
        assert_eq!(
            policies["sorted"],
            Value::from(vec![np("a"), np("a2"), np("a3"), np("b")])
        );
        assert_eq!(
            policies["by_label"]["app"]["web"],
            Value::from(vec![np("b")])
        );
        // a2 isolates what a does.
        assert_eq!(policies["other"], Value::from(vec![np("a"), np("a3")]));
        let hpa = &ns["autoscaling/v2"]["HorizontalPodAutoscaler"]["h"];
        assert_eq!(
            index["hpas"]["shop"]["web"],
            Value::from(vec![triple("autoscaling/v2", "h", hpa)])
        );
        let lr = |name: &str| triple("v1", name, &ns["v1"]["LimitRange"][name]);
        assert_eq!(
            index["limit_ranges"]["shop"],
            Value::from(vec![lr("y"), lr("z")])
        );
    }

    #[test]
    fn quantities_of_resources_and_limit_ranges_are_parsed_once() {
        let inventory = value(
            r#"{"cluster": {}, "namespace": {"shop": {
              "v1": {"LimitRange": {"lr": {"spec": {"limits": [
                  {"type": "Container", "default": {"cpu": "500m"}, "max": {"memory": "2Gi", "cpu": 4}},
                  "not an item"]}}},
                     "ConfigMap": {"c": {"data": {"size": "1Gi"}}}},
              "apps/v1": {"Deployment": {"web": {"spec": {"template": {"spec": {
                  "containers": [{"resources": {"requests": {"cpu": "250m", "memory": "128Mi"},
                                                "limits": {"cpu": "1", "memory": "lots"}}}],
                  "initContainers": [{"resources": {"requests": {"cpu": "100m"}}}]}}}}}}
            }}}"#,
        );
        let index = build(&inventory);
        let expected = value(
            r#"{"500m": 0.5, "2Gi": 2147483648, "250m": 0.25, "128Mi": 134217728, "1": 1, "100m": 0.1}"#,
        );
        let Value::Object(got) = &index["quantities"] else {
            panic!("no quantities: {index}");
        };
        let Value::Object(want) = &expected else {
            unreachable!()
        };
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
        for (text, n) in want.iter() {
            let (g, w) = (
                got.get(text).unwrap().as_f64().unwrap(),
                n.as_f64().unwrap(),
            );
            assert!((g - w).abs() <= 1e-12 * w.abs(), "{text}: {g} != {w}");
        }
    }

    #[test]
    fn limit_range_defaults_are_what_the_rego_computes() {
        let mut engine = crate::policy::engine::engine_with(&[
            (
                "resources",
                include_str!("../../policies/lib/resources.rego"),
            ),
            (
                "kubernetes",
                include_str!("../../policies/lib/kubernetes.rego"),
            ),
        ]);
        let inventory = value(
            r#"{"cluster": {}, "namespace": {
              "shop": {"v1": {"LimitRange": {
                "a": {"spec": {"limits": [
                    {"type": "Container", "default": {"cpu": "500m", "memory": null},
                     "max": {"cpu": 4, "memory": "2Gi"}, "defaultRequest": {"cpu": "100m"}},
                    {"type": "Pod", "max": {"cpu": 8}},
                    {"type": "Container", "min": {"hugepages-2Mi": "2Mi"}, "max": {"ephemeral-storage": "1Gi"}},
                    "not an item", {"type": "Container", "default": "none", "max": []}]}},
                "b": {"spec": {"limits": [{"type": "Container", "max": {"cpu": 4}, "default": {"cpu": null}}]}},
                "c": {"spec": {"limits": {"type": "Container"}}},
                "d": {"spec": null}}}},
              "empty": {"v1": {"LimitRange": {"e": {"spec": {"limits": []}}}}}}}"#,
        );
        let index = build(&inventory);
        engine
            .add_data(value(&format!(
                r#"{{"rampart": {{"index": {index}, "params": {{"default-namespace": "shop"}}}}}}"#
            )))
            .unwrap();
        let mut compared = 0;
        for ns in ["shop", "empty", "elsewhere"] {
            engine.set_input(value(&format!(
                r#"{{"kind": "Deployment", "metadata": {{"namespace": "{ns}"}}}}"#
            )));
            for (rule, table) in [
                ("limit_range_defaulted", "limit_range_defaulted"),
                ("default_limits", "default_limits"),
            ] {
                let rego = engine
                    .eval_rule(format!("data.rampart.lib.resources.computed_{rule}"))
                    .unwrap();
                let read = engine
                    .eval_rule(format!("data.rampart.lib.resources.{rule}"))
                    .unwrap();
                assert_eq!(read, rego, "{rule} in {ns}");
                let rust = match &index[table][&Value::from(ns)] {
                    Value::Undefined => Value::new_set(),
                    table => table.clone(),
                };
                assert_eq!(rust, rego, "{table} of {ns}");
                if let Value::Set(set) = &rust {
                    compared += set.len();
                }
            }
        }
        assert!(compared >= 10, "only {compared} entries");
    }

    #[test]
    fn the_same_inventory_is_indexed_once() {
        let inventory = value(r#"{"namespace": {}, "cluster": {}}"#);
        let first = cached(&inventory);
        let again = cached(&inventory.clone());
        assert!(same_allocation(&first, &again));
        let other = cached(&value(r#"{"namespace": {}, "cluster": {}}"#));
        assert!(!same_allocation(&first, &other));
    }
}
