//! kubectl is the oracle for how a manifest reads: for every Kubernetes file under `fixtures/`,
//! the objects rampart's policies see ([`rampart::kubernetes::decode`]) must equal what
//! `kubectl annotate --local -f FILE x=y -o json` prints (without the added annotation, and
//! without null mapping entries, which kubectl's local decoding keeps and the API server drops),
//! and a file one of them rejects the other must reject too.
//!
//! kubectl runs offline here (`--local`). Without it the test is skipped with a note, except in
//! CI (`CI=true` or `RAMPART_REQUIRE_TOOLS`, set by `.ci/run`, which installs it), where it fails.
//!
//! `RAMPART_KUBECTL_CORPUS=DIR cargo test --test kubectl_conformance -- --ignored` runs the same
//! comparison over any directory of manifests and prints the counts.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Fixtures kubectl and rampart deliberately disagree on, with why. Paths are relative to the
/// repository root.
const KNOWN: &[(&str, &str)] = &[
    // `--local` decodes without field validation, so the last duplicate wins; the API server's
    // strict field validation (kubectl's default against a server) rejects the object, and so
    // does rampart, at the second key.
    ("fixtures/inputs/duplicate-keys.yaml", "duplicate keys"),
    (
        "fixtures/inputs/scalars/cr-only-duplicate.yaml",
        "duplicate keys",
    ),
    // kubectl passes the bytes through; rampart refuses text it cannot show correctly.
    ("fixtures/inputs/invalid-utf8.yaml", "invalid UTF-8"),
    (
        "fixtures/inputs/scalars/cr-only-invalid-utf8.yaml",
        "invalid UTF-8",
    ),
];

#[derive(Debug, PartialEq)]
enum Outcome {
    /// Not a Kubernetes file for rampart, and not accepted by kubectl either.
    NotKubernetes,
    /// The same objects (how many).
    Agree(usize),
    BothReject,
    Mismatch(String),
    RampartOnlyRejects(String),
    KubectlOnlyRejects(String),
}

fn kubectl() -> Option<PathBuf> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let found = common::external_tool("RAMPART_KUBECTL", "kubectl");
    assert!(
        found.is_some() || !ci,
        "kubectl is required under CI=true (.ci/run installs it)"
    );
    found
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Removes what `annotate` added (and an empty `metadata` on either side), and null mapping
/// entries.
fn normalise(value: &mut Value, top: bool) {
    match value {
        Value::Object(map) => {
            if top {
                if let Some(Value::Object(meta)) = map.get_mut("metadata") {
                    if let Some(Value::Object(ann)) = meta.get_mut("annotations") {
                        ann.remove("x");
                    }
                }
            }
            map.retain(|_, v| !v.is_null());
            for v in map.values_mut() {
                normalise(v, false);
            }
            if top {
                if let Some(Value::Object(meta)) = map.get_mut("metadata") {
                    if meta
                        .get("annotations")
                        .is_some_and(|a| a == &Value::Object(Default::default()))
                    {
                        meta.remove("annotations");
                    }
                }
                // kubectl adds the `metadata` it annotates to an object that had none.
                if map
                    .get("metadata")
                    .is_some_and(|m| m == &Value::Object(Default::default()))
                {
                    map.remove("metadata");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| normalise(v, false)),
        _ => {}
    }
}

/// Equal as JSON values, numbers compared by value (kubectl prints `1e+30` and
/// `9223372036854776000`; rampart holds them as floats).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn compare(kubectl: &Path, file: &Path) -> Outcome {
    let bytes = std::fs::read(file).unwrap();
    let ours = rampart::source::SourceFile::decode(String::new(), None, bytes)
        .map_err(|e| e.message)
        .and_then(|f| rampart::kubernetes::decode(&f.text));
    let out = Command::new(kubectl)
        .args(["annotate", "--local", "-o", "json", "-f"])
        .arg(file)
        .arg("x=y")
        .env("KUBECONFIG", "/dev/null")
        .output()
        .expect("kubectl runs");
    let theirs: Result<Vec<Value>, String> = if out.status.success() {
        serde_json::Deserializer::from_slice(&out.stdout)
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    };
    match (ours, theirs) {
        (Ok(ours), _) if ours.is_empty() => Outcome::NotKubernetes,
        (Err(_), Err(_)) => Outcome::BothReject,
        (Ok(_), Err(e)) => Outcome::KubectlOnlyRejects(e),
        (Err(e), Ok(_)) => Outcome::RampartOnlyRejects(e),
        (Ok(mut ours), Ok(mut theirs)) => {
            ours.iter_mut().for_each(|v| normalise(v, true));
            theirs.iter_mut().for_each(|v| normalise(v, true));
            if ours.len() == theirs.len() && ours.iter().zip(&theirs).all(|(a, b)| same(a, b)) {
                Outcome::Agree(ours.len())
            } else {
                let first = ours
                    .iter()
                    .zip(&theirs)
                    .find(|(a, b)| !same(a, b))
                    .map(|(a, b)| format!("rampart {a}\nkubectl {b}"))
                    .unwrap_or_else(|| format!("{} objects vs {}", ours.len(), theirs.len()));
                Outcome::Mismatch(first)
            }
        }
    }
}

/// Compares every manifest under `dir` on two threads; returns each file with its outcome.
fn run(kubectl: &Path, dir: &Path) -> Vec<(PathBuf, Outcome)> {
    let files: Vec<PathBuf> = common::files_under(dir)
        .into_iter()
        .filter(|p| is_manifest(p))
        .collect();
    let half = files.len().div_ceil(2).max(1);
    std::thread::scope(|s| {
        let workers: Vec<_> = files
            .chunks(half)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|f| (f.clone(), compare(kubectl, f)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

fn summary(results: &[(PathBuf, Outcome)]) -> String {
    let count = |f: fn(&Outcome) -> bool| results.iter().filter(|(_, o)| f(o)).count();
    format!(
        "{} files: {} agree ({} objects), {} both reject, {} not Kubernetes, {} mismatches, {} rejected by rampart only, {} by kubectl only",
        results.len(),
        count(|o| matches!(o, Outcome::Agree(_))),
        results
            .iter()
            .map(|(_, o)| match o {
                Outcome::Agree(n) => *n,
                _ => 0,
            })
            .sum::<usize>(),
        count(|o| *o == Outcome::BothReject),
        count(|o| *o == Outcome::NotKubernetes),
        count(|o| matches!(o, Outcome::Mismatch(_))),
        count(|o| matches!(o, Outcome::RampartOnlyRejects(_))),
        count(|o| matches!(o, Outcome::KubectlOnlyRejects(_))),
    )
}

fn disagreements(results: &[(PathBuf, Outcome)]) -> Vec<String> {
    results
        .iter()
        .filter(|(_, o)| {
            matches!(
                o,
                Outcome::Mismatch(_)
                    | Outcome::RampartOnlyRejects(_)
                    | Outcome::KubectlOnlyRejects(_)
            )
        })
        .filter(|(p, _)| !KNOWN.iter().any(|(k, _)| common::rel(p) == *k))
        .map(|(p, o)| format!("{}: {o:?}", common::rel(p)))
        .collect()
}

#[test]
fn fixtures_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else { return };
    let results = run(&kubectl, &common::root().join("fixtures"));
    common::note(&summary(&results));
    let agree = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Agree(_)))
        .count();
    assert!(agree > 100, "{}", summary(&results));
    let bad = disagreements(&results);
    assert!(bad.is_empty(), "{}\n{}", summary(&results), bad.join("\n"));
}

#[test]
#[ignore = "set RAMPART_KUBECTL_CORPUS to a directory of manifests"]
fn corpus_reads_as_kubectl_reads_it() {
    let Some(dir) = std::env::var_os("RAMPART_KUBECTL_CORPUS") else {
        return;
    };
    let Some(kubectl) = kubectl() else { return };
    let results = run(&kubectl, Path::new(&dir));
    // Every disagreement is listed; only different values fail (a corpus holds files that are
    // rejected on purpose, such as duplicate keys).
    for b in disagreements(&results) {
        common::note(&b);
    }
    common::note(&summary(&results));
    let mismatches = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Mismatch(_)))
        .count();
    assert_eq!(mismatches, 0, "{}", summary(&results));
}
