//! Merging Compose files (a file and its override, documents of one file, `extends`) by
//! Compose's rules (compose-spec `13-merge.md`, as `compose-go`'s `override` package applies
//! them), on span-carrying trees: every merged value keeps the node it came from, so its span
//! and file ([`Node::origin`]) stay right.
//!
//! - mappings merge key by key; other values are replaced; an override value of `null` keeps
//!   the base value;
//! - sequences are appended, then entries that share a unique key are collapsed (the later
//!   entry wins, at the earlier entry's position): `ports` by their text (short syntax) or
//!   `host_ip:published:target/protocol` (long syntax), `volumes` and `devices` by target,
//!   `secrets` and `configs` by target (`/run/secrets/<source>` and `/<source>` by default),
//!   `expose`, `cap_add`, `cap_drop`, `dns*`, `links`, `profiles`, `tmpfs` by value,
//!   `environment`, `labels`, `annotations`, `sysctls` (list form) and build lists by key;
//! - `command`, `entrypoint` and `healthcheck.test` are replaced, never appended;
//! - `environment`, `labels`, `annotations`, `sysctls`, `build.args` …: merged as a map key by
//!   key whatever the syntax (two lists stay a list, a list and a mapping become a mapping);
//! - `dns`, `dns_search`, `dns_opt`, `tmpfs`, `env_file`: a string counts as a one-item list;
//! - `depends_on`, `networks`, `models`: a list counts as a mapping (`depends_on` items get
//!   Compose's defaults `condition: service_started`, `required: true`);
//! - `build`: a string counts as `{context: …}`; `logging` is merged only when both sides use
//!   the same driver (or one names none), else replaced; each `ulimits` entry is replaced;
//! - `!reset` removes the value (from the base and from the result); `!override` replaces it
//!   without merging.

use crate::source::Span;
use crate::yaml::{Entry, Node, NodeValue};

pub const RESET: &str = "!reset";
pub const OVERRIDE: &str = "!override";

/// A problem found while merging, located at the key of the override entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeProblem {
    pub origin: u32,
    pub offset: u32,
    pub message: String,
}

/// How a service attribute merges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Generic,
    Replace,
    KeyValue,
    ToSeq,
    ExtraHosts,
    /// A list counts as a mapping; `true` for `depends_on` defaults.
    ToMap(bool),
    Build,
    Logging,
    Ulimits,
    Healthcheck,
    Deploy,
}

fn service_rule(key: &str) -> Rule {
    match key {
        "command" | "entrypoint" | "extends" => Rule::Replace,
        "environment" | "labels" | "annotations" | "sysctls" => Rule::KeyValue,
        "dns" | "dns_opt" | "dns_search" | "tmpfs" | "env_file" | "label_file" => Rule::ToSeq,
        "extra_hosts" => Rule::ExtraHosts,
        "depends_on" => Rule::ToMap(true),
        "networks" | "models" => Rule::ToMap(false),
        "build" => Rule::Build,
        "logging" => Rule::Logging,
        "ulimits" => Rule::Ulimits,
        "healthcheck" => Rule::Healthcheck,
        "deploy" => Rule::Deploy,
        _ => Rule::Generic,
    }
}

fn build_rule(key: &str) -> Rule {
    match key {
        "args" | "labels" | "additional_contexts" => Rule::KeyValue,
        "extra_hosts" => Rule::ExtraHosts,
        _ => Rule::Generic,
    }
}

fn tag_is(node: &Node, tag: &str) -> bool {
    node.tag() == Some(tag)
}

/// Merges one Compose document onto the accumulated model.
pub fn merge_documents(base: &mut Node, over: Node, problems: &mut Vec<MergeProblem>) {
    if base.as_map().is_none() || over.as_map().is_none() {
        return;
    }
    match_maps(base, over, |be, oe| {
        merge_entries(be, oe, problems, &|key| {
            if key == "services" {
                Some(Merger::Services)
            } else {
                None
            }
        })
    });
}

/// Merges an extending service onto (a copy of) the service it extends.
pub fn merge_service(base: &mut Node, over: Node, problems: &mut Vec<MergeProblem>) {
    if base.as_map().is_none() || over.as_map().is_none() {
        *base = over;
        return;
    }
    match_maps(base, over, |be, oe| {
        merge_entries(be, oe, problems, &|key| {
            Some(Merger::Rule(service_rule(key)))
        })
    });
}

#[derive(Clone, Copy)]
enum Merger {
    Services,
    Rule(Rule),
}

fn merge_entries(
    base: &mut Vec<Entry>,
    over: Vec<Entry>,
    problems: &mut Vec<MergeProblem>,
    merger_for: &dyn Fn(&str) -> Option<Merger>,
) {
    for mut oe in over {
        let key = oe
            .key
            .key_text()
            .map(|k| k.into_owned())
            .unwrap_or_default();
        let pos = base
            .iter()
            .position(|e| e.key.key_text().as_deref() == Some(key.as_str()));
        if tag_is(&oe.value, RESET) {
            if let Some(i) = pos {
                base.remove(i);
            }
            continue;
        }
        if tag_is(&oe.value, OVERRIDE) {
            oe.value.clear_tag();
            strip_resets(&mut oe.value);
            match pos {
                Some(i) => base[i] = oe,
                None => base.push(oe),
            }
            continue;
        }
        let Some(i) = pos else {
            strip_resets(&mut oe.value);
            base.push(oe);
            continue;
        };
        let be = &mut base[i];
        let replaced = match merger_for(&key) {
            Some(Merger::Services) => {
                merge_services(&mut be.value, oe.value, problems);
                false
            }
            Some(Merger::Rule(rule)) => {
                merge_value(&mut be.value, oe.value, rule, &oe.key, problems)
            }
            None => merge_value(&mut be.value, oe.value, Rule::Generic, &oe.key, problems),
        };
        if replaced {
            // The value came from the override: so does the key, so that the entry's span
            // (key through value) lies in one file.
            be.key = oe.key;
        }
    }
}

fn merge_services(base: &mut Node, over: Node, problems: &mut Vec<MergeProblem>) {
    match (&mut base.value, over.value) {
        (NodeValue::Map(base_services), NodeValue::Map(over_services)) => {
            for mut os in over_services {
                let name = os.key.key_text().map(|k| k.into_owned());
                let pos = base_services
                    .iter()
                    .position(|e| e.key.key_text().map(|k| k.into_owned()) == name);
                if tag_is(&os.value, RESET) {
                    if let Some(i) = pos {
                        base_services.remove(i);
                    }
                    continue;
                }
                match pos {
                    Some(i) if !tag_is(&os.value, OVERRIDE) && !os.value.is_null() => {
                        let be = &mut base_services[i];
                        if be.value.as_map().is_some() && os.value.as_map().is_some() {
                            merge_service(&mut be.value, os.value, problems);
                        } else {
                            be.value = os.value;
                            be.key = os.key;
                        }
                    }
                    Some(_) if os.value.is_null() => {}
                    Some(i) => {
                        os.value.clear_tag();
                        strip_resets(&mut os.value);
                        base_services[i] = os;
                    }
                    None => {
                        os.value.clear_tag();
                        strip_resets(&mut os.value);
                        base_services.push(os);
                    }
                }
            }
        }
        (_, over_value) => {
            if !matches!(over_value, NodeValue::Null) {
                base.value = over_value;
            }
        }
    }
}

/// Merges `over` into `base` by a rule; `true` when the result is the override's node (the
/// caller then takes the override's key too).
fn merge_value(
    base: &mut Node,
    over: Node,
    rule: Rule,
    over_key: &Node,
    problems: &mut Vec<MergeProblem>,
) -> bool {
    if rule == Rule::Replace {
        *base = over;
        strip_resets(base);
        return true;
    }
    if over.is_null() {
        return false;
    }
    let converts = matches!(
        rule,
        Rule::KeyValue | Rule::ToSeq | Rule::ExtraHosts | Rule::ToMap(_) | Rule::Build
    );
    if !converts && kind_clash(base, &over) {
        let key = over_key
            .key_text()
            .map(|k| k.into_owned())
            .unwrap_or_default();
        problems.push(MergeProblem {
            origin: over_key.origin,
            offset: over_key.span.start.offset,
            message: format!(
                "cannot merge `{key}`: it is a {} in the file it extends or overrides and a {} here",
                base.type_name(),
                over.type_name()
            ),
        });
        return replace(base, over);
    }
    match rule {
        Rule::Replace => unreachable!(),
        Rule::Generic => generic(base, over, problems),
        Rule::KeyValue => {
            match (&base.value, &over.value) {
                (NodeValue::Seq(_), NodeValue::Seq(_)) => append(base, over),
                (NodeValue::Map(_) | NodeValue::Seq(_), NodeValue::Map(_) | NodeValue::Seq(_)) => {
                    to_key_value_map(base);
                    let mut over = over;
                    to_key_value_map(&mut over);
                    if let (NodeValue::Map(be), NodeValue::Map(oe)) = (&mut base.value, over.value)
                    {
                        replace_entries(be, oe);
                    }
                }
                _ => return replace(base, over),
            }
            false
        }
        Rule::ToSeq | Rule::ExtraHosts => {
            to_seq(base);
            let mut over = over;
            to_seq(&mut over);
            if rule == Rule::ExtraHosts {
                if let (NodeValue::Seq(existing), NodeValue::Seq(items)) =
                    (&base.value, &mut over.value)
                {
                    items.retain(|i| !existing.iter().any(|e| e.value == i.value));
                }
            }
            append(base, over);
            false
        }
        Rule::ToMap(defaults) => {
            list_to_map(base, defaults);
            let mut over = over;
            list_to_map(&mut over, defaults);
            generic(base, over, problems)
        }
        Rule::Build => {
            string_to_context(base);
            let mut over = over;
            string_to_context(&mut over);
            match_maps(base, over, |be, oe| {
                merge_entries(be, oe, problems, &|k| Some(Merger::Rule(build_rule(k))))
            })
        }
        Rule::Logging => {
            let driver = |n: &Node| n.get("driver").map(|d| d.value.clone());
            let same = match (driver(base), driver(&over)) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            if same {
                generic(base, over, problems)
            } else {
                replace(base, over)
            }
        }
        Rule::Ulimits => match_maps(base, over, |be, oe| {
            merge_entries(be, oe, problems, &|_| Some(Merger::Rule(Rule::Replace)))
        }),
        Rule::Healthcheck => match_maps(base, over, |be, oe| {
            merge_entries(be, oe, problems, &|k| {
                Some(Merger::Rule(if k == "test" {
                    Rule::Replace
                } else {
                    Rule::Generic
                }))
            })
        }),
        Rule::Deploy => match_maps(base, over, |be, oe| {
            merge_entries(be, oe, problems, &|k| {
                Some(Merger::Rule(if k == "labels" {
                    Rule::KeyValue
                } else {
                    Rule::Generic
                }))
            })
        }),
    }
}

/// Merges two mappings with `f`, or replaces `base` when either is not a mapping.
fn match_maps(base: &mut Node, over: Node, f: impl FnOnce(&mut Vec<Entry>, Vec<Entry>)) -> bool {
    if base.as_map().is_none() || over.as_map().is_none() {
        return replace(base, over);
    }
    let NodeValue::Map(oe) = over.value else {
        unreachable!("checked above")
    };
    if let NodeValue::Map(be) = &mut base.value {
        f(be, oe);
    }
    false
}

fn replace(base: &mut Node, over: Node) -> bool {
    *base = over;
    strip_resets(base);
    true
}

/// A mapping or a sequence replaced by a value of another kind: Compose refuses to merge them.
fn kind_clash(base: &Node, over: &Node) -> bool {
    match (&base.value, &over.value) {
        (NodeValue::Map(_), NodeValue::Map(_)) | (NodeValue::Seq(_), NodeValue::Seq(_)) => false,
        (NodeValue::Map(_) | NodeValue::Seq(_), _) => true,
        _ => false,
    }
}

/// Mappings merge key by key, sequences append, anything else is replaced.
fn generic(base: &mut Node, over: Node, problems: &mut Vec<MergeProblem>) -> bool {
    match (&base.value, &over.value) {
        (NodeValue::Map(_), NodeValue::Map(_)) => match_maps(base, over, |be, oe| {
            merge_entries(be, oe, problems, &|_| None)
        }),
        (NodeValue::Seq(_), NodeValue::Seq(_)) => {
            append(base, over);
            false
        }
        _ => replace(base, over),
    }
}

fn append(base: &mut Node, over: Node) {
    if let (NodeValue::Seq(items), NodeValue::Seq(more)) = (&mut base.value, over.value) {
        items.extend(more.into_iter().map(|mut n| {
            strip_resets(&mut n);
            n
        }));
    }
}

/// Entries of `over` replace those of `base` with the same key (at the base entry's position);
/// new keys are appended.
fn replace_entries(base: &mut Vec<Entry>, over: Vec<Entry>) {
    for mut oe in over {
        let key = oe.key.key_text().map(|k| k.into_owned());
        let pos = base
            .iter()
            .position(|e| e.key.key_text().map(|k| k.into_owned()) == key);
        if tag_is(&oe.value, RESET) {
            if let Some(i) = pos {
                base.remove(i);
            }
            continue;
        }
        oe.value.clear_tag();
        match pos {
            Some(i) => base[i] = oe,
            None => base.push(oe),
        }
    }
}

/// `string` → `[string]`; a mapping → `key=value` items (Compose's `mergeToSequence`).
fn to_seq(node: &mut Node) {
    let value = std::mem::replace(&mut node.value, NodeValue::Null);
    node.value = match value {
        NodeValue::Seq(items) => NodeValue::Seq(items),
        NodeValue::Map(entries) => NodeValue::Seq(
            entries
                .into_iter()
                .map(|e| {
                    let span = e.span();
                    let text = match (e.key.key_text(), &e.value.value) {
                        (Some(k), NodeValue::Null) => k.into_owned(),
                        (Some(k), v) => format!("{k}={}", scalar_text(v)),
                        (None, _) => String::new(),
                    };
                    synthetic(span, e.key.origin, NodeValue::Str(text.into()))
                })
                .collect(),
        ),
        NodeValue::Null => NodeValue::Seq(Vec::new()),
        scalar => {
            let item = Node {
                value: scalar,
                ..node.clone()
            };
            NodeValue::Seq(vec![item])
        }
    };
}

fn scalar_text(v: &NodeValue) -> String {
    match v {
        NodeValue::Str(s) => s.to_string(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => f.to_string(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::Null => String::new(),
        NodeValue::Seq(items) => items
            .iter()
            .map(|i| scalar_text(&i.value))
            .collect::<Vec<_>>()
            .join(","),
        NodeValue::Map(_) => String::new(),
    }
}

fn synthetic(span: Span, origin: u32, value: NodeValue) -> Node {
    Node {
        span,
        origin,
        extra: None,
        value,
    }
}

/// A `KEY=VALUE` list → a mapping whose entries carry the span of their list item.
pub fn to_key_value_map(node: &mut Node) {
    let NodeValue::Seq(items) = &node.value else {
        return;
    };
    let entries = items
        .iter()
        .map(|item| {
            let text = match &item.value {
                NodeValue::Str(s) => s.to_string(),
                other => scalar_text(other),
            };
            let (k, v) = match text.split_once('=') {
                Some((k, v)) => (k.to_string(), NodeValue::Str(v.into())),
                None => (text, NodeValue::Null),
            };
            Entry {
                key: synthetic(item.span, item.origin, NodeValue::Str(k.into())),
                value: synthetic(item.span, item.origin, v),
            }
        })
        .collect();
    node.value = NodeValue::Map(entries);
}

/// `depends_on`, `networks`, `models` lists → mappings.
fn list_to_map(node: &mut Node, depends_on: bool) {
    let NodeValue::Seq(items) = &node.value else {
        return;
    };
    let entries = items
        .iter()
        .map(|item| {
            let value = if depends_on {
                NodeValue::Map(vec![
                    Entry {
                        key: synthetic(item.span, item.origin, NodeValue::Str("condition".into())),
                        value: synthetic(
                            item.span,
                            item.origin,
                            NodeValue::Str("service_started".into()),
                        ),
                    },
                    Entry {
                        key: synthetic(item.span, item.origin, NodeValue::Str("required".into())),
                        value: synthetic(item.span, item.origin, NodeValue::Bool(true)),
                    },
                ])
            } else {
                NodeValue::Null
            };
            Entry {
                key: item.clone(),
                value: synthetic(item.span, item.origin, value),
            }
        })
        .collect();
    node.value = NodeValue::Map(entries);
}

fn string_to_context(node: &mut Node) {
    if let NodeValue::Str(_) = node.value {
        let context = node.clone();
        node.value = NodeValue::Map(vec![Entry {
            key: synthetic(node.span, node.origin, NodeValue::Str("context".into())),
            value: context,
        }]);
    }
}

/// Removes `!reset` values (mapping entries and sequence items) and drops `!override` tags.
pub fn strip_resets(node: &mut Node) {
    match &mut node.value {
        NodeValue::Map(entries) => {
            entries.retain(|e| !tag_is(&e.value, RESET));
            for e in entries {
                strip_resets(&mut e.value);
            }
        }
        NodeValue::Seq(items) => {
            items.retain(|i| !tag_is(i, RESET));
            for i in items {
                strip_resets(i);
            }
        }
        _ => {}
    }
    if tag_is(node, OVERRIDE) {
        node.clear_tag();
    }
}

/// Collapses sequence entries that share a unique key (Compose's `EnforceUnicity`): the later
/// entry replaces the earlier one, at the earlier one's position.
pub fn enforce_unique(service: &mut Node) {
    let NodeValue::Map(entries) = &mut service.value else {
        return;
    };
    for e in entries.iter_mut() {
        let Some(key) = e.key.key_text() else {
            continue;
        };
        let index: Option<fn(&Node) -> Option<String>> = match key.as_ref() {
            "ports" => Some(port_key),
            "volumes" | "devices" => Some(target_key),
            "secrets" => Some(|n| mount_key(n, "/run/secrets")),
            "configs" => Some(|n| mount_key(n, "")),
            "expose" => Some(|n| Some(scalar_text(&n.value))),
            "env_file" => Some(|n| match &n.value {
                NodeValue::Map(_) => n.get("path").map(|p| scalar_text(&p.value)),
                v => Some(scalar_text(v)),
            }),
            "environment" | "labels" | "annotations" | "sysctls" | "cap_add" | "cap_drop"
            | "dns" | "dns_opt" | "dns_search" | "links" | "profiles" | "tmpfs" => {
                Some(key_value_key)
            }
            "build" => {
                if let NodeValue::Map(build) = &mut e.value.value {
                    for b in build.iter_mut() {
                        if matches!(
                            b.key.key_text().as_deref(),
                            Some("args" | "labels" | "tags" | "additional_contexts")
                        ) {
                            dedup(&mut b.value, key_value_key);
                        }
                    }
                }
                None
            }
            _ => None,
        };
        if let Some(index) = index {
            dedup(&mut e.value, index);
        }
    }
}

fn dedup(node: &mut Node, index: fn(&Node) -> Option<String>) {
    let NodeValue::Seq(items) = &mut node.value else {
        return;
    };
    if items.len() < 2 {
        return;
    }
    let mut out: Vec<Node> = Vec::with_capacity(items.len());
    // Short lists (nearly all of them) are searched; long ones are indexed.
    let mut keys: Vec<(String, usize)> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let indexed = items.len() > 16;
    for item in items.drain(..) {
        let Some(k) = index(&item) else {
            out.push(item);
            continue;
        };
        let found = if indexed {
            seen.get(&k).copied()
        } else {
            keys.iter().find(|(x, _)| *x == k).map(|(_, j)| *j)
        };
        match found {
            Some(j) => out[j] = item,
            None if indexed => {
                seen.insert(k, out.len());
                out.push(item);
            }
            None => {
                keys.push((k, out.len()));
                out.push(item);
            }
        }
    }
    *items = out;
}

fn key_value_key(n: &Node) -> Option<String> {
    match &n.value {
        NodeValue::Str(s) => Some(s.split_once('=').map_or(&**s, |(k, _)| k).to_string()),
        _ => None,
    }
}

fn port_key(n: &Node) -> Option<String> {
    match &n.value {
        NodeValue::Str(s) => Some(s.to_string()),
        NodeValue::Int(i) => Some(i.to_string()),
        NodeValue::Map(_) => {
            let field = |k: &str| n.get(k).map(|v| scalar_text(&v.value));
            Some(format!(
                "{}:{}:{}/{}",
                field("host_ip").unwrap_or_else(|| "0.0.0.0".into()),
                field("published").unwrap_or_default(),
                field("target").unwrap_or_default(),
                field("protocol").unwrap_or_else(|| "tcp".into()),
            ))
        }
        _ => None,
    }
}

/// Volumes and devices merge by their target: `source:target[:mode]`, or a lone path, or the
/// long syntax's `target`.
fn target_key(n: &Node) -> Option<String> {
    match &n.value {
        NodeValue::Str(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            Some(parts.get(1).unwrap_or(&parts[0]).to_string())
        }
        NodeValue::Map(_) => n.get("target").map(|t| scalar_text(&t.value)),
        _ => None,
    }
}

fn mount_key(n: &Node, default_dir: &str) -> Option<String> {
    match &n.value {
        NodeValue::Str(s) => Some(format!("{default_dir}/{s}")),
        NodeValue::Map(_) => match n.get("target") {
            Some(t) => Some(scalar_text(&t.value)),
            None => n
                .get("source")
                .map(|s| format!("{default_dir}/{}", scalar_text(&s.value))),
        },
        _ => None,
    }
}

/// Sets the origin of every node of a tree (keys included).
pub fn set_origin(node: &mut Node, origin: u32) {
    node.origin = origin;
    match &mut node.value {
        NodeValue::Map(entries) => {
            for e in entries {
                e.key.origin = origin;
                set_origin(&mut e.value, origin);
            }
        }
        NodeValue::Seq(items) => {
            for i in items {
                set_origin(i, origin);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str, origin: u32) -> Node {
        let mut n = crate::yaml::parse_stream(yaml).documents.remove(0).root;
        set_origin(&mut n, origin);
        n
    }

    fn merged(base: &str, over: &str) -> Node {
        let mut b = doc(base, 0);
        strip_resets(&mut b);
        let mut problems = Vec::new();
        merge_documents(&mut b, doc(over, 1), &mut problems);
        strip_resets(&mut b);
        if let NodeValue::Map(entries) = &mut b.value {
            for e in entries
                .iter_mut()
                .filter(|e| e.key.as_str() == Some("services"))
            {
                if let NodeValue::Map(services) = &mut e.value.value {
                    for s in services {
                        enforce_unique(&mut s.value);
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{problems:?}");
        b
    }

    fn web(n: &Node) -> serde_json::Value {
        n.get("services").unwrap().get("web").unwrap().to_json()
    }

    #[test]
    fn mappings_merge_and_scalars_are_replaced() {
        let m = merged(
            "services: {web: {image: a, deploy: {replicas: 1, labels: [x=1]}}}",
            "services: {web: {image: b, deploy: {labels: {y: 2}}, user: '1'}, db: {image: pg}}",
        );
        assert_eq!(
            web(&m),
            serde_json::json!({"image": "b", "deploy": {"replicas": 1, "labels": {"x": "1", "y": 2}}, "user": "1"})
        );
        assert!(m.get("services").unwrap().get("db").is_some());
        let image = m
            .get("services")
            .unwrap()
            .get("web")
            .unwrap()
            .entry("image")
            .unwrap();
        assert_eq!((image.key.origin, image.value.origin), (1, 1));
    }

    #[test]
    fn sequences_append_with_unique_keys() {
        let m = merged(
            "services: {web: {ports: ['8080:80', '9090:90'], expose: [1], volumes: ['a:/data', '/logs'], secrets: [s, {source: t, target: /x}], cap_add: [A], security_opt: [x]}}",
            "services: {web: {ports: ['8080:80', '7070:70'], expose: ['1', 2], volumes: ['b:/data'], secrets: [{source: s}, {source: u, target: /x}], cap_add: [A, B], security_opt: [x]}}",
        );
        assert_eq!(
            web(&m),
            serde_json::json!({
                "ports": ["8080:80", "9090:90", "7070:70"],
                "expose": ["1", 2],
                "volumes": ["b:/data", "/logs"],
                "secrets": [{"source": "s"}, {"source": "u", "target": "/x"}],
                "cap_add": ["A", "B"],
                "security_opt": ["x", "x"],
            })
        );
        let ports = m
            .get("services")
            .unwrap()
            .get("web")
            .unwrap()
            .get("ports")
            .unwrap();
        let origins: Vec<u32> = ports.as_seq().unwrap().iter().map(|p| p.origin).collect();
        assert_eq!(origins, vec![1, 0, 1]);
    }

    #[test]
    fn commands_are_replaced_and_key_values_merge_by_key() {
        let m = merged(
            "services: {web: {command: [a, b], entrypoint: x, healthcheck: {test: [CMD, a], interval: 1s}, environment: [A=1, B=2], labels: {l: 1}}}",
            "services: {web: {command: [c], entrypoint: [y], healthcheck: {test: [CMD, b]}, environment: {B: 3, C: null}, labels: [m=2]}}",
        );
        assert_eq!(
            web(&m),
            serde_json::json!({
                "command": ["c"],
                "entrypoint": ["y"],
                "healthcheck": {"test": ["CMD", "b"], "interval": "1s"},
                "environment": {"A": "1", "B": 3, "C": null},
                "labels": {"l": 1, "m": "2"},
            })
        );
        let m = merged(
            "services: {web: {environment: [A=1, B=2]}}",
            "services: {web: {environment: [B=3, C]}}",
        );
        assert_eq!(
            web(&m),
            serde_json::json!({"environment": ["A=1", "B=3", "C"]})
        );
    }

    #[test]
    fn lists_and_strings_normalise_before_merging() {
        let m = merged(
            "services: {web: {dns: 1.1.1.1, depends_on: [db], networks: [front], build: ., tmpfs: /tmp, extra_hosts: ['a:1']}}",
            "services: {web: {dns: [8.8.8.8], depends_on: {cache: {condition: service_healthy}}, networks: {back: {aliases: [w]}}, build: {dockerfile: D}, tmpfs: [/run], extra_hosts: ['a:1', 'b:2']}}",
        );
        assert_eq!(
            web(&m),
            serde_json::json!({
                "dns": ["1.1.1.1", "8.8.8.8"],
                "depends_on": {"db": {"condition": "service_started", "required": true}, "cache": {"condition": "service_healthy"}},
                "networks": {"front": null, "back": {"aliases": ["w"]}},
                "build": {"context": ".", "dockerfile": "D"},
                "tmpfs": ["/tmp", "/run"],
                "extra_hosts": ["a:1", "b:2"],
            })
        );
    }

    #[test]
    fn logging_ulimits_and_nulls() {
        let m = merged(
            "services: {web: {logging: {driver: syslog, options: {a: 1}}, ulimits: {nofile: {soft: 1, hard: 2}, nproc: 5}, image: a}}",
            "services: {web: {logging: {driver: json-file, options: {b: 2}}, ulimits: {nofile: 3}, image: null}}",
        );
        assert_eq!(
            web(&m),
            serde_json::json!({
                "logging": {"driver": "json-file", "options": {"b": 2}},
                "ulimits": {"nofile": 3, "nproc": 5},
                "image": "a",
            })
        );
    }

    #[test]
    fn reset_and_override_tags() {
        let m = merged(
            "services: {web: {image: a, ports: ['80:80'], environment: {A: 1, B: 2}, volumes: [x:/x]}}",
            "services: {web: {ports: !reset [], environment: {A: !reset null}, volumes: !override [y:/y], labels: {c: !reset null, d: 1}}}",
        );
        assert_eq!(
            web(&m),
            serde_json::json!({"image": "a", "environment": {"B": 2}, "volumes": ["y:/y"], "labels": {"d": 1}})
        );
        let mut alone = doc("services: {web: {image: a, ports: !reset ['1:1']}}", 0);
        strip_resets(&mut alone);
        assert_eq!(web(&alone), serde_json::json!({"image": "a"}));
    }

    #[test]
    fn kind_clashes_are_problems_at_the_override_key() {
        let mut b = doc("services: {web: {deploy: {replicas: 1}}}", 0);
        let over = doc("services:\n  web:\n    deploy: now\n", 1);
        let mut problems = Vec::new();
        merge_documents(&mut b, over, &mut problems);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].origin, 1);
        assert_eq!(problems[0].offset, "services:\n  web:\n    ".len() as u32);
        assert!(
            problems[0].message.contains("mapping"),
            "{}",
            problems[0].message
        );
        assert_eq!(web(&b), serde_json::json!({"deploy": "now"}));
    }
}
