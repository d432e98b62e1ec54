//! Scalar resolution: what a plain scalar means depends on who reads the document.
//!
//! - [`Schema::Core`]: the YAML 1.2 core schema (`true`/`false` only), for rampart's own files.
//! - [`Schema::Kubernetes`]: as kubectl reads a manifest. sigs.k8s.io/yaml decodes with go-yaml
//!   v2 (YAML 1.1: `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0644` is octal, `1_000` is
//!   1000; a timestamp stays a string when decoded into an untyped value), then goes through
//!   JSON, where a float with an integral value (`1e3`) becomes an integer.
//! - [`Schema::Compose`]: as compose-go reads a Compose file, with go-yaml v3 (the 1.2 core
//!   schema's booleans and nulls, but go-yaml's numbers: `0644` is still octal, `1_000` 1000);
//!   mapping keys are decoded into Go strings, so they keep their source text.
//!
//! Quoted and block scalars are always strings.

use super::{Node, NodeValue};

/// The prefix of the YAML core tags as libyaml reports them (`!!str` →
/// `tag:yaml.org,2002:str`).
pub const CORE_TAG: &str = "tag:yaml.org,2002:";

/// Who reads a document, and so how its plain scalars resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    Core,
    Kubernetes,
    Compose,
}

/// The value of a plain scalar under a schema.
pub fn resolve_plain(text: &str, schema: Schema) -> NodeValue {
    match schema {
        Schema::Core => plain_value(text),
        Schema::Kubernetes => match go_yaml(text, true) {
            // Through JSON: `1e3` is written `1000` and read back as an integer.
            NodeValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => NodeValue::Int(f as i64),
            v => v,
        },
        Schema::Compose => go_yaml(text, false),
    }
}

/// Whether a plain scalar's text may mean something else than a string under some schema: then
/// the node keeps its source text ([`Node::raw`]) for re-resolution and messages.
pub(super) fn schema_dependent(text: &str, core: &NodeValue) -> bool {
    !matches!(core, NodeValue::Str(_)) || !matches!(go_yaml(text, true), NodeValue::Str(_))
}

impl Node {
    /// Re-resolves every plain scalar of the tree (keys included) for `schema`.
    pub fn resolve(&mut self, schema: Schema) {
        if let Some(raw) = self.raw() {
            self.value = resolve_plain(raw, schema);
        }
        match &mut self.value {
            NodeValue::Seq(items) => items.iter_mut().for_each(|n| n.resolve(schema)),
            NodeValue::Map(entries) => {
                for e in entries {
                    if schema == Schema::Compose {
                        if let Some(raw) = e.key.raw() {
                            e.key.value = NodeValue::Str(raw.into());
                        }
                    } else {
                        e.key.resolve(schema);
                    }
                    e.value.resolve(schema);
                }
            }
            _ => {}
        }
    }

    /// Drops mapping entries whose value is null, everywhere in the tree: the Kubernetes API
    /// server reads `ports:` left empty as no `ports` at all (kubectl's local decoding keeps the
    /// `null`; the server's typed decoding does not).
    pub fn drop_null_entries(&mut self) {
        match &mut self.value {
            NodeValue::Seq(items) => items.iter_mut().for_each(Node::drop_null_entries),
            NodeValue::Map(entries) => {
                entries.retain(|e| !e.value.is_null());
                for e in entries {
                    e.value.drop_null_entries();
                }
            }
            _ => {}
        }
    }
}

/// go-yaml's `resolve` for an untagged plain scalar decoded into an untyped value: v2
/// (`yaml_1_1`) or v3.
fn go_yaml(text: &str, yaml_1_1: bool) -> NodeValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return NodeValue::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return NodeValue::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return NodeValue::Float(f64::NEG_INFINITY),
        _ => {}
    }
    if yaml_1_1 {
        match text {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
                return NodeValue::Bool(true);
            }
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
                return NodeValue::Bool(false);
            }
            _ => {}
        }
    }
    let str = || NodeValue::Str(text.into());
    match text.as_bytes()[0] {
        b'.' => {
            if is_yaml_style_float(text) {
                if let Ok(f) = text.parse::<f64>() {
                    return NodeValue::Float(f);
                }
            }
            str()
        }
        b'0'..=b'9' | b'+' | b'-' => {
            // Dates (`2001-12-14`) resolve to timestamps, which an untyped decode keeps as
            // the string they were: nothing below matches them either.
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            if let Some(v) = go_parse_int(&plain) {
                return v;
            }
            if is_yaml_style_float(&plain) {
                if let Ok(f) = plain.parse::<f64>() {
                    return NodeValue::Float(f);
                }
            }
            str()
        }
        _ => str(),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint` (a value past `i64` becomes a float, as
/// it does on its way through JSON).
fn go_parse_int(s: &str) -> Option<NodeValue> {
    let (neg, unsigned) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = unsigned.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &unsigned[2..]),
        Some("0o") => (8, &unsigned[2..]),
        Some("0b") => (2, &unsigned[2..]),
        _ if unsigned.len() > 1 && unsigned.starts_with('0') => (8, &unsigned[1..]),
        _ => (10, unsigned),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let signed = if neg {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    match signed {
        Some(i) => Some(NodeValue::Int(i)),
        // `ParseUint` takes no sign.
        None if s.as_bytes()[0].is_ascii_digit() => Some(NodeValue::Float(magnitude as f64)),
        None => None,
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if b.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return false;
        }
        i += 1 + n;
    } else {
        let n = digits(i);
        if n == 0 {
            return false;
        }
        i += n;
        if b.get(i) == Some(&b'.') {
            i += 1 + digits(i + 1);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

/// YAML 1.2 core schema resolution of a plain scalar.
pub fn plain_value(text: &str) -> NodeValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        _ => {}
    }
    if let Some(b) = parse_bool(text) {
        return NodeValue::Bool(b);
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        if let Some(i) = parse_int(text) {
            return NodeValue::Int(i);
        }
        if let Some(f) = parse_float(text) {
            return NodeValue::Float(f);
        }
    }
    NodeValue::Str(text.into())
}

pub(super) fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

pub(super) fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct)
    } else if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else {
        (10, digits)
    };
    // `from_str_radix` takes a sign of its own: `-0x-8000000000000000` would read as
    // `i64::MIN` and overflow when negated. Only digits may follow the prefix.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

pub(super) fn parse_float(text: &str) -> Option<f64> {
    let unsigned = text.trim_start_matches(['-', '+']);
    match unsigned {
        ".inf" | ".Inf" | ".INF" => {
            return Some(if text.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        ".nan" | ".NaN" | ".NAN" if unsigned.len() == text.len() => return Some(f64::NAN),
        _ => {}
    }
    if text.len() - unsigned.len() > 1 || !is_yaml_style_float(unsigned) {
        return None;
    }
    text.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k8s(text: &str) -> serde_json::Value {
        node_json(resolve_plain(text, Schema::Kubernetes))
    }

    fn compose(text: &str) -> serde_json::Value {
        node_json(resolve_plain(text, Schema::Compose))
    }

    fn node_json(value: NodeValue) -> serde_json::Value {
        Node::new(Default::default(), 0, value).to_json()
    }

    #[test]
    fn kubernetes_reads_yaml_1_1_as_kubectl_does() {
        use serde_json::json;
        // Each pair checked against `kubectl annotate --local -o json` (v1.32).
        let table = [
            ("0644", json!(420)),
            ("1e3", json!(1000)),
            ("on", json!(true)),
            ("Yes", json!(true)),
            ("NO", json!(false)),
            ("n", json!(false)),
            ("2020-01-01", json!("2020-01-01")),
            ("1_000", json!(1000)),
            ("08", json!(8)),
            ("0x1F", json!(31)),
            ("0X1f", json!(31)),
            ("-0x1F", json!(-31)),
            ("1.5", json!(1.5)),
            ("0b101", json!(5)),
            ("0B11", json!(3)),
            ("0o17", json!(15)),
            ("0O17", json!(15)),
            ("12:30", json!("12:30")),
            (".5", json!(0.5)),
            ("-.5e1", json!(-5)),
            ("+1", json!(1)),
            ("1.", json!(1)),
            ("1e30", json!(1e30)),
            ("~", json!(null)),
            ("9223372036854775808", json!(9223372036854775808.0)),
            (
                "2001-12-14t21:59:43.10-05:00",
                json!("2001-12-14t21:59:43.10-05:00"),
            ),
            ("onion", json!("onion")),
            ("-", json!("-")),
        ];
        for (text, want) in table {
            assert_eq!(k8s(text), want, "{text}");
        }
    }

    #[test]
    fn compose_reads_go_yaml_v3() {
        use serde_json::json;
        assert_eq!(compose("on"), json!("on"));
        assert_eq!(compose("yes"), json!("yes"));
        assert_eq!(compose("true"), json!(true));
        assert_eq!(compose("0644"), json!(420));
        assert_eq!(compose("1_000"), json!(1000));
        assert_eq!(compose("1e3"), json!(1000.0));
        assert_eq!(plain_value("0644"), NodeValue::Int(644));
    }
}
