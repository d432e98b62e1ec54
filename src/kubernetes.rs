//! Kubernetes objects: classification of documents, identity, `kind: List` expansion and the
//! Gatekeeper-style inventory (`data.inventory`) that cross-resource policies read.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use kube::core::{GroupVersionKind, TypeMeta};
use regorus::Value;

use crate::resource::ObjectId;
use crate::source::Span;
use crate::yaml::{Node, PathSeg};

/// Kinds that are not namespaced, so that they go to `data.inventory.cluster`.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterIssuer",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// A Kubernetes object found in a document, with the path of the object inside it.
#[derive(Debug)]
pub struct Object {
    pub id: ObjectId,
    pub gvk: GroupVersionKind,
    /// Path from the document root to the object (`["items", 3]` for a List item).
    pub prefix: Vec<PathSeg>,
    pub node: Node,
}

/// How a document was classified.
pub enum Classified {
    Objects(Vec<Object>),
    /// A `kind: List` item that is not an object.
    BadItem {
        span: Span,
        message: String,
    },
    NotKubernetes,
}

/// Classifies a document read as kubectl reads it: plain scalars resolved by YAML 1.1 (as
/// sigs.k8s.io/yaml resolves them), and each object's mapping entries whose value is null
/// dropped (`ports:` left empty is no ports at all to the API server).
pub fn read_document(mut root: Node, default_namespace: &str) -> (Classified, Vec<(Span, String)>) {
    root.resolve(crate::yaml::Schema::Kubernetes);
    let (mut classified, mut errors) = classify(root, default_namespace);
    if let Classified::Objects(objects) = &mut classified {
        for o in objects {
            check_keys(&o.node, &mut errors);
            o.node.drop_null_entries();
        }
    }
    (classified, errors)
}

/// Mapping keys kubectl cannot read once they are resolved by YAML 1.1: a null key (`~:`), which
/// has no JSON form (kubectl rejects the file), and two keys that resolve alike (`on:` and
/// `"true":`: kubectl keeps one of the two values, a different one from run to run). Keys that
/// are the same as written are already a YAML error.
/// Mappings up to this size are checked for duplicate keys by a linear scan.
const SMALL_MAP: usize = 16;

fn check_keys(node: &Node, errors: &mut Vec<(Span, String)>) {
    match &node.value {
        crate::yaml::NodeValue::Seq(items) => items.iter().for_each(|n| check_keys(n, errors)),
        crate::yaml::NodeValue::Map(entries) => {
            // A string key without source text reads alike in every schema, and the parser
            // already rejected two keys of one text: only a mapping with a key that resolution
            // may have changed (it keeps its source text) or that is not a string can hold one
            // of these. Most hold none, and skip the search.
            let unchanged = |e: &crate::yaml::Entry| {
                e.key.raw().is_none() && matches!(e.key.value, crate::yaml::NodeValue::Str(_))
            };
            if entries.iter().all(unchanged) {
                entries.iter().for_each(|e| check_keys(&e.value, errors));
                return;
            }
            // Each key's text, and the key before it with the same text (the last one, so that a
            // third spelling is reported against the second). Most mappings are small: a linear
            // scan there, a hash map for the rest.
            let texts: Vec<Option<Cow<'_, str>>> =
                entries.iter().map(|e| e.key.key_text()).collect();
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (i, e) in entries.iter().enumerate() {
                let written = e.key.raw().unwrap_or_default();
                if e.key.is_null() {
                    errors.push((
                        e.key.span,
                        format!(
                            "a null key (`{written}`) has no JSON form: kubectl rejects this object"
                        ),
                    ));
                } else if let Some(k) = texts[i].as_deref() {
                    let before = if entries.len() <= SMALL_MAP {
                        (0..i)
                            .rev()
                            .find(|&j| texts[j].as_deref() == Some(k) && !entries[j].key.is_null())
                    } else {
                        seen.insert(k, i)
                    };
                    if let Some(j) = before {
                        let first = &entries[j].key;
                        errors.push((
                            e.key.span,
                            format!(
                                "duplicate key `{k}` to kubectl (`{}` here, `{}` at line {}, column {}: YAML 1.1 reads both as {k}, and which value kubectl keeps varies from run to run)",
                                e.key.raw().unwrap_or(k),
                                first.raw().unwrap_or(k),
                                first.span.start.line,
                                first.span.start.col
                            ),
                        ));
                    }
                }
                check_keys(&e.value, errors);
            }
        }
        _ => {}
    }
}

/// Classifies a document: an object, a `List` of objects, or something else.
pub fn classify(root: Node, default_namespace: &str) -> (Classified, Vec<(Span, String)>) {
    let mut errors = Vec::new();
    let Some((_, kind)) = type_meta(&root) else {
        return (Classified::NotKubernetes, errors);
    };
    let kind = kind.to_string();
    if kind.ends_with("List") && root.get("items").is_some() {
        let Some(node) = take_items(root) else {
            return (Classified::NotKubernetes, errors);
        };
        let mut objects = Vec::new();
        for (i, item) in node.into_iter().enumerate() {
            if type_meta(&item).is_none() {
                errors.push((
                    item.span,
                    format!(
                        "item {i} of this {kind} is not a Kubernetes object (a {} without `apiVersion` and `kind`)",
                        item.type_name()
                    ),
                ));
                continue;
            }
            objects.push(object(
                item,
                vec![PathSeg::Key("items".into()), PathSeg::Index(i)],
                default_namespace,
                &mut errors,
            ));
        }
        if objects.is_empty() && !errors.is_empty() {
            let (span, message) = errors.remove(0);
            return (Classified::BadItem { span, message }, errors);
        }
        return (Classified::Objects(objects), errors);
    }
    let object = object(root, Vec::new(), default_namespace, &mut errors);
    (Classified::Objects(vec![object]), errors)
}

fn take_items(root: Node) -> Option<Vec<Node>> {
    let crate::yaml::NodeValue::Map(entries) = root.value else {
        return None;
    };
    let items = entries
        .into_iter()
        .find(|e| e.key.as_str() == Some("items"))?
        .value;
    match items.value {
        crate::yaml::NodeValue::Seq(items) => Some(items),
        crate::yaml::NodeValue::Null => Some(Vec::new()),
        _ => None,
    }
}

fn type_meta(node: &Node) -> Option<(&str, &str)> {
    let api_version = node.get("apiVersion")?.as_str()?;
    let kind = node.get("kind")?.as_str()?;
    Some((api_version, kind))
}

fn object(
    node: Node,
    prefix: Vec<PathSeg>,
    default_namespace: &str,
    errors: &mut Vec<(Span, String)>,
) -> Object {
    let (api_version, kind) = type_meta(&node).expect("classified as an object");
    let meta = node.get("metadata");
    // kubectl decodes these into strings and rejects anything else (`namespace: y` is a
    // boolean by YAML 1.1): the object cannot be applied, so say where.
    if let Some(entries) = meta.and_then(Node::as_map) {
        for e in entries {
            let Some(field @ ("name" | "generateName" | "namespace")) = e.key.as_str() else {
                continue;
            };
            let v = &e.value;
            if v.as_str().is_none() && !v.is_null() {
                let text = v.raw().map(str::to_string).unwrap_or_else(|| {
                    v.key_text()
                        .map_or_else(|| v.type_name().to_string(), |t| t.into_owned())
                });
                errors.push((
                    e.span(),
                    format!(
                        "`metadata.{field}: {text}` is a {}, not a string: kubectl rejects this object (quote it: `\"{text}\"`)",
                        v.type_name()
                    ),
                ));
            }
        }
    }
    let text_of = |n: &Node| {
        n.raw()
            .map(str::to_string)
            .or_else(|| n.key_text().map(|t| t.into_owned()))
    };
    let name = meta
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(text_of)
        .unwrap_or_default();
    let namespace = if is_cluster_scoped(kind) {
        None
    } else {
        Some(
            meta.and_then(|m| m.get("namespace"))
                .filter(|n| !n.is_null())
                .and_then(text_of)
                .unwrap_or_else(|| default_namespace.to_string()),
        )
    };
    let type_meta = TypeMeta {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
    };
    let gvk = GroupVersionKind::try_from(&type_meta)
        .unwrap_or_else(|_| GroupVersionKind::gvk("", api_version, kind));
    Object {
        id: ObjectId {
            api_version: type_meta.api_version,
            kind: type_meta.kind,
            name,
            namespace,
        },
        gvk,
        prefix,
        node,
    }
}

/// The objects of a YAML or JSON stream as policies see them: each document resolved as kubectl
/// resolves it, `kind: List` expanded, mapping entries whose value is null dropped (as the API
/// server drops them); documents that are not objects are left out. Any YAML or object error is
/// returned instead. The kubectl conformance
/// test compares these with `kubectl annotate --local -o json`.
pub fn decode(text: &str) -> Result<Vec<serde_json::Value>, String> {
    let stream = crate::yaml::parse_stream(text);
    if let Some(e) = stream.error {
        return Err(format!("{}:{}: {}", e.pos.line, e.pos.col, e.message));
    }
    let mut out = Vec::new();
    for doc in stream.documents {
        let (classified, errors) = read_document(doc.root, "default");
        if let Some((span, message)) = errors.into_iter().next() {
            return Err(format!("{}:{}: {message}", span.start.line, span.start.col));
        }
        match classified {
            Classified::Objects(objects) => {
                out.extend(objects.iter().map(|o| o.node.to_json()));
            }
            Classified::BadItem { span, message } => {
                return Err(format!("{}:{}: {message}", span.start.line, span.start.col));
            }
            Classified::NotKubernetes => {}
        }
    }
    Ok(out)
}

/// Builds `data.inventory` as OPA Gatekeeper lays it out:
/// `namespace[ns][apiVersion][kind][name]` and `cluster[apiVersion][kind][name]`.
/// The first object of a given identity wins, in input order.
pub fn inventory<'a>(objects: impl Iterator<Item = (&'a ObjectId, &'a Value)>) -> Value {
    type Tree = BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>>>;
    let mut namespaced: Tree = BTreeMap::new();
    let mut cluster: BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>> = BTreeMap::new();
    for (id, value) in objects {
        let by_kind = match &id.namespace {
            Some(ns) => namespaced.entry(ns.clone()).or_default(),
            None => &mut cluster,
        };
        by_kind
            .entry(id.api_version.clone())
            .or_default()
            .entry(id.kind.clone())
            .or_default()
            .entry(id.name.clone())
            .or_insert_with(|| value.clone());
    }
    let mut root = BTreeMap::new();
    root.insert(Value::from("namespace"), to_value(namespaced));
    root.insert(Value::from("cluster"), to_value(cluster));
    Value::from(root)
}

fn to_value<T: IntoValue>(tree: T) -> Value {
    tree.into_value()
}

trait IntoValue {
    fn into_value(self) -> Value;
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl<T: IntoValue> IntoValue for BTreeMap<String, T> {
    fn into_value(self) -> Value {
        let map: BTreeMap<Value, Value> = self
            .into_iter()
            .map(|(k, v)| (Value::from(k), v.into_value()))
            .collect();
        Value::from(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::yaml::parse_stream;

    fn classify_text(text: &str) -> (Classified, Vec<(Span, String)>) {
        let doc = parse_stream(text).documents.remove(0);
        classify(doc.root, "default")
    }

    /// Keys that YAML 1.1 reads alike are reported against the one before, in small mappings
    /// (a linear scan) and large ones (a hash map) alike; a null key is reported by itself.
    #[test]
    fn keys_read_alike_are_reported_against_the_previous_one() {
        for filler in [0, SMALL_MAP] {
            let mut text =
                String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n");
            for i in 0..filler {
                text.push_str(&format!("  k{i}: x\n"));
            }
            text.push_str("  on: 1\n  ~: 2\n  \"true\": 3\n  yes: 4\n");
            let stream = parse_stream(&text);
            let root = stream.documents.into_iter().next().unwrap().root;
            let (_, errors) = read_document(root, "default");
            let line = |n: usize| (5 + filler + n) as u32;
            let got: Vec<(u32, &str)> = errors
                .iter()
                .map(|(span, m)| (span.start.line, &m[..m.find(" at line").unwrap_or(m.len())]))
                .collect();
            assert_eq!(
                got,
                [
                    (
                        line(1),
                        "a null key (`~`) has no JSON form: kubectl rejects this object"
                    ),
                    (
                        line(2),
                        "duplicate key `true` to kubectl (`true` here, `on`"
                    ),
                    (
                        line(3),
                        "duplicate key `true` to kubectl (`yes` here, `true`"
                    ),
                ],
                "{filler} keys before"
            );
        }
    }

    #[test]
    fn objects_get_identity_and_default_namespace() {
        let (c, _) =
            classify_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
        let Classified::Objects(objs) = c else {
            panic!()
        };
        assert_eq!(objs[0].id.namespace.as_deref(), Some("default"));
        assert_eq!(objs[0].gvk.group, "apps");
        let (c, _) = classify_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n");
        let Classified::Objects(objs) = c else {
            panic!()
        };
        assert_eq!(objs[0].id.namespace, None);
    }

    #[test]
    fn lists_expand_with_item_prefixes_and_report_garbage() {
        let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: a}\n  - 42\n";
        let (c, errors) = classify_text(text);
        let Classified::Objects(objs) = c else {
            panic!()
        };
        assert_eq!(objs.len(), 1);
        assert_eq!(
            objs[0].prefix,
            vec![PathSeg::Key("items".into()), PathSeg::Index(0)]
        );
        assert_eq!(objs[0].node.span.start.line, 4);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0.start.line, 7);
    }

    #[test]
    fn non_objects_are_not_kubernetes() {
        assert!(matches!(
            classify_text("spec: {}\n").0,
            Classified::NotKubernetes
        ));
        assert!(matches!(
            classify_text("- a\n").0,
            Classified::NotKubernetes
        ));
    }
}
