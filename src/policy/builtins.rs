//! Rust builtins registered with regorus, for logic every check would otherwise re-implement in
//! Rego: Kubernetes quantities and label selectors. Both are faster and easier to test here.
//!
//! - `rampart.quantity(q)`: a Kubernetes quantity (`"500m"`, `"1.5"`, `"128Mi"`, `"1G"`, `"2e3"`,
//!   or a number) as a number in base units (cores, bytes). Undefined when malformed.
//! - `rampart.selector_matches(selector, labels)`: whether a `LabelSelector` (`matchLabels`,
//!   `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`) selects `labels`. An empty
//!   selector selects everything; a null or malformed one selects nothing.
//! - `rampart.inventory_index(inventory)`: lookup tables over `data.inventory` for cross-resource
//!   rules, built once per run (see [`crate::policy::index`]).

use regorus::Value;

pub fn register(engine: &mut regorus::Engine) {
    // Registration only fails for duplicate names, which cannot happen on a fresh engine.
    let _ = engine.add_extension(
        "rampart.quantity".into(),
        1,
        Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
            let q = match &args[0] {
                Value::String(s) => parse_quantity(s),
                Value::Number(_) => args[0].as_f64().ok(),
                _ => None,
            };
            Ok(q.map_or(Value::Undefined, Value::from))
        }),
    );
    let _ = engine.add_extension(
        "rampart.selector_matches".into(),
        2,
        Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
            Ok(Value::from(selector_matches(&args[0], &args[1])))
        }),
    );
    let _ = engine.add_extension(
        "rampart.inventory_index".into(),
        1,
        Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
            Ok(crate::policy::index::cached(&args[0]))
        }),
    );
    crate::policy::regex::register(engine);
}

/// Parses a Kubernetes resource quantity into base units.
pub fn parse_quantity(text: &str) -> Option<f64> {
    let s = text.trim();
    let (number, suffix) = split_number(s)?;
    let value: f64 = number.parse().ok()?;
    let multiplier = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exp if exp.starts_with(['e', 'E']) => {
            let e: i32 = exp[1..].parse().ok()?;
            10f64.powi(e)
        }
        _ => return None,
    };
    Some(value * multiplier)
}

/// Splits `[+-]digits[.digits]` from the suffix.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
        i += 1;
    }
    let digits = &s[digits_start..i];
    if digits.is_empty() || digits == "." || digits.matches('.').count() > 1 {
        return None;
    }
    Some((&s[..i], &s[i..]))
}

/// A field of an object; `None` when it is missing or `obj` is not an object.
pub(crate) fn get<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    match obj {
        Value::Object(map) => map.get(&Value::from(key)),
        _ => None,
    }
}

/// LabelSelector semantics as the Kubernetes API server implements them.
pub fn selector_matches(selector: &Value, labels: &Value) -> bool {
    let Value::Object(sel) = selector else {
        return false;
    };
    let label = |key: &Value| -> Option<&Value> {
        match labels {
            Value::Object(l) => l.get(key),
            _ => None,
        }
    };
    if let Some(match_labels) = sel.get(&Value::from("matchLabels")) {
        match match_labels {
            Value::Object(ml) => {
                for (k, v) in ml.iter() {
                    if label(k) != Some(v) {
                        return false;
                    }
                }
            }
            Value::Null => {}
            _ => return false,
        }
    }
    if let Some(exprs) = sel.get(&Value::from("matchExpressions")) {
        let list: Vec<&Value> = match exprs {
            Value::Array(a) => a.iter().collect(),
            Value::Null => Vec::new(),
            _ => return false,
        };
        for expr in list {
            let (Some(key), Some(Value::String(op))) = (get(expr, "key"), get(expr, "operator"))
            else {
                return false;
            };
            let values: Vec<&Value> = match get(expr, "values") {
                Some(Value::Array(v)) => v.iter().collect(),
                _ => Vec::new(),
            };
            let present = label(key);
            let ok = match op.as_ref() {
                "In" => present.is_some_and(|v| values.contains(&v)),
                "NotIn" => present.is_none_or(|v| !values.contains(&v)),
                "Exists" => present.is_some(),
                "DoesNotExist" => present.is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    #[test]
    fn quantities() {
        let cases = [
            ("100m", 0.1),
            ("0.5", 0.5),
            ("1e3", 1000.0),
            ("128Mi", 134_217_728.0),
            ("1G", 1e9),
            ("1Gi", 1_073_741_824.0),
            ("2Ki", 2048.0),
            ("1.5", 1.5),
            ("2E-3", 0.002),
            ("+3k", 3000.0),
        ];
        for (q, want) in cases {
            let got = parse_quantity(q).unwrap_or(f64::NAN);
            assert!(
                (got - want).abs() < 1e-9 * want.abs().max(1.0),
                "{q}: {got} != {want}"
            );
        }
        for bad in ["", "Mi", "1.2.3", "12Q", "1 Gi", ".", "abc"] {
            assert_eq!(parse_quantity(bad), None, "{bad}");
        }
    }

    #[test]
    fn selectors() {
        let labels = v(r#"{"app": "web", "tier": "front"}"#);
        assert!(selector_matches(&v("{}"), &labels));
        assert!(!selector_matches(&Value::Null, &labels));
        assert!(selector_matches(
            &v(r#"{"matchLabels": {"app": "web"}}"#),
            &labels
        ));
        assert!(!selector_matches(
            &v(r#"{"matchLabels": {"app": "db"}}"#),
            &labels
        ));
        let expr = |op: &str, vals: &str| {
            v(&format!(
                r#"{{"matchExpressions": [{{"key": "app", "operator": "{op}", "values": {vals}}}]}}"#
            ))
        };
        assert!(selector_matches(&expr("In", r#"["web", "x"]"#), &labels));
        assert!(!selector_matches(&expr("In", r#"["x"]"#), &labels));
        assert!(selector_matches(&expr("NotIn", r#"["x"]"#), &labels));
        assert!(!selector_matches(&expr("NotIn", r#"["web"]"#), &labels));
        assert!(selector_matches(&expr("Exists", "[]"), &labels));
        assert!(!selector_matches(&expr("DoesNotExist", "[]"), &labels));
        assert!(selector_matches(
            &expr("NotIn", r#"["web"]"#),
            &v(r#"{"tier": "x"}"#)
        ));
        assert!(!selector_matches(&expr("Bogus", "[]"), &labels));
    }
}
