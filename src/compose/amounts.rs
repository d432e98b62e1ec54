//! The CPU counts and byte values of a Compose service's resource settings, read once per run
//! in Rust: `data.rampart.index.compose_amounts`, `{text: {"cpus": n, "bytes": n}}`, holds
//! every string written at `cpus`, `mem_limit`, `mem_reservation` and
//! `deploy.resources.{limits,reservations}.{cpus,memory}` of the run's services (a field only
//! when the text reads as one). `lib/compose_resources.rego` looks values up there and parses
//! in Rego only what the table does not hold (Rego tests, malformed text): on regorus's RVM
//! that parse (two regex calls and a dozen function calls) cost more than the rest of the
//! Compose resource checks together.
//!
//! Both readings are the Rego's; the tests below evaluate the Rego on the same texts:
//!
//! - a CPU count is a decimal number as Go's `strconv.ParseFloat` reads it (`1`, `0.5`, `.5`,
//!   `2.`, `+1`, `-1`, `1e3`, `007`; not hexadecimal, `inf`, `nan` or `_` separators);
//! - a byte value (docker/go-units `RAMInBytes`) is such a number, an optional space and an
//!   optional unit in any case (`b`; `k`, `m`, `g`, `t`, `p`, each optionally followed by `b`
//!   or `ib`; all powers of 1024), not negative, truncated to whole bytes.

use std::collections::BTreeMap;

use regorus::Value;

/// Where a service writes its resource settings.
const PATHS: [&[&str]; 7] = [
    &["cpus"],
    &["mem_limit"],
    &["mem_reservation"],
    &["deploy", "resources", "limits", "cpus"],
    &["deploy", "resources", "limits", "memory"],
    &["deploy", "resources", "reservations", "cpus"],
    &["deploy", "resources", "reservations", "memory"],
];

/// The table of every text the given services write at [`PATHS`].
pub fn table<'a>(services: impl Iterator<Item = &'a Value>) -> Value {
    let mut table = BTreeMap::new();
    for service in services {
        for path in PATHS {
            let mut value = service;
            for key in path {
                value = &value[*key];
            }
            let Value::String(text) = value else {
                continue;
            };
            if table.contains_key(value) {
                continue;
            }
            let mut readings = BTreeMap::new();
            if let Some(n) = cpus(text) {
                readings.insert(Value::from("cpus"), Value::from(n));
            }
            if let Some(n) = bytes(text) {
                readings.insert(Value::from("bytes"), Value::from(n));
            }
            if !readings.is_empty() {
                table.insert(value.clone(), Value::from(readings));
            }
        }
    }
    Value::from(table)
}

/// A decimal number as Go's `strconv.ParseFloat` reads it, without the special values.
pub fn cpus(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let start = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut i = digits(start);
    let int_len = i - start;
    let mut fraction = 0;
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        fraction = end - (i + 1);
        i = end;
    }
    if int_len + fraction == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return None;
        }
        i = end;
    }
    if i != b.len() {
        return None;
    }
    // The grammar above is a subset of what Rust's parser reads, and both round correctly.
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A byte value as docker/go-units `RAMInBytes` reads it.
pub fn bytes(text: &str) -> Option<f64> {
    // The Rego reads `^(.*?) ?([^0-9. ]*)$`, whose `.` does not match a line break.
    if text.contains('\n') {
        return None;
    }
    let unit_start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| !c.is_ascii_digit() && *c != '.' && *c != ' ')
        .last()
        .map_or(text.len(), |(i, _)| i);
    let (number, unit) = text.split_at(unit_start);
    let number = number.strip_suffix(' ').unwrap_or(number);
    let factor: f64 = match unit.to_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1_048_576.0,
        "g" | "gb" | "gib" => 1_073_741_824.0,
        "t" | "tb" | "tib" => 1_099_511_627_776.0,
        "p" | "pb" | "pib" => 1_125_899_906_842_624.0,
        _ => return None,
    };
    let n = cpus(number)?;
    (n >= 0.0).then(|| (n * factor).floor())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_counts() {
        for (text, want) in [
            ("1", 1.0),
            ("0.5", 0.5),
            (".5", 0.5),
            ("2.", 2.0),
            ("+1", 1.0),
            ("-1", -1.0),
            ("1e3", 1000.0),
            ("1E+3", 1000.0),
            ("2.5e-1", 0.25),
            ("007", 7.0),
            ("0.05", 0.05),
        ] {
            assert_eq!(cpus(text), Some(want), "{text}");
        }
        for bad in [
            "", ".", "+", "-", "e3", "1e", "1e+", "1.2.3", "0x10", "inf", "nan", "1_000", " 1",
            "1 ", "1e1.5", "+-1", "1e400",
        ] {
            assert_eq!(cpus(bad), None, "{bad}");
        }
    }

    #[test]
    fn byte_values() {
        for (text, want) in [
            ("512", 512.0),
            ("512b", 512.0),
            ("1k", 1024.0),
            ("1KB", 1024.0),
            ("1kib", 1024.0),
            ("1.5g", 1_610_612_736.0),
            ("1 gb", 1_073_741_824.0),
            ("0.5m", 524_288.0),
            ("1e3b", 1000.0),
            ("2.7", 2.0),
            ("-0", 0.0),
        ] {
            assert_eq!(bytes(text), Some(want), "{text}");
        }
        for bad in [
            "", "lots", "5  kb", "-1k", "1x", "1kbb", "k", "1.2.3m", "5\nk", "1mi",
        ] {
            assert_eq!(bytes(bad), None, "{bad}");
        }
    }

    /// The Rego reading (no table, so it parses) of every text, as JSON (`null` when undefined).
    fn rego_reads(function: &str, texts: &[&str]) -> Vec<serde_json::Value> {
        let mut engine = crate::policy::engine::engine_with(&[
            ("numbers", include_str!("../../policies/lib/numbers.rego")),
            (
                "compose_resources",
                include_str!("../../policies/lib/compose_resources.rego"),
            ),
        ]);
        texts
            .iter()
            .map(|text| {
                let query = format!(
                    "x := data.rampart.lib.compose_resources.{function}({})",
                    serde_json::to_string(text).unwrap()
                );
                let results = engine.eval_query(query, false).unwrap();
                results.result.first().map_or(serde_json::Value::Null, |r| {
                    serde_json::from_str(&r.bindings["x"].to_json_str().unwrap()).unwrap()
                })
            })
            .collect()
    }

    /// Texts whose readings both parsers must agree on.
    const SAMPLES: [&str; 40] = [
        "1", "0.5", ".5", "2.", "+1", "-1", "1e3", "1E+3", "2.5e-1", "007", "0.05", "1.005", "",
        ".", "+", "e3", "1e", "1.2.3", "0x10", "inf", "nan", "1_000", " 1", "1 ", "512b", "1k",
        "1KB", "1kib", "1.5g", "1 gb", "0.5m", "1e3b", "2.7", "-0", "lots", "5  kb", "-1k", "1kbb",
        "5\nk", "1mi",
    ];

    fn json(n: Option<f64>) -> serde_json::Value {
        n.map_or(serde_json::Value::Null, |n| serde_json::json!(n))
    }

    fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        }
    }

    #[test]
    fn rust_and_rego_read_alike() {
        for (function, rust) in [("cpus", cpus as fn(&str) -> Option<f64>), ("bytes", bytes)] {
            let rego = rego_reads(function, &SAMPLES);
            for (text, rego) in SAMPLES.iter().zip(&rego) {
                let rust = json(rust(text));
                assert!(
                    same(&rust, rego),
                    "{function}({text:?}): Rust {rust}, Rego {rego}"
                );
            }
        }
    }

    #[test]
    fn the_table_holds_what_reads() {
        let service = Value::from_json_str(
            r#"{"cpus": "0.5", "mem_limit": "1g", "mem_reservation": 256,
                "deploy": {"resources": {"limits": {"memory": "lots"},
                                         "reservations": {"cpus": "1e1", "memory": "0.5m"}}}}"#,
        )
        .unwrap();
        let table = table([&service].into_iter());
        let want = Value::from_json_str(
            r#"{"0.5": {"cpus": 0.5, "bytes": 0}, "1g": {"bytes": 1073741824},
                "1e1": {"cpus": 10, "bytes": 10}, "0.5m": {"bytes": 524288}}"#,
        )
        .unwrap();
        assert_eq!(table, want);
    }
}
