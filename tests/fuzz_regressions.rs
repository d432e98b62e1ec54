//! Inputs the fuzzers found or grew (fixtures/inputs/fuzz/; CONTRIBUTING.md, "Fuzzing"). Each
//! `yaml-*` file goes through the library as the `yaml_loader` target drives it, and through the
//! real binary, which must answer with a report: exit status 0, 1 or 2 (never a panic, an abort
//! or a hang) and every error located. Each `ports-*.txt` file goes through the port parser as
//! the `compose_ports` target drives it.

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use rampart::compose::ports::{Publish, normalise, parse_short};
use rampart::kubernetes::{Classified, classify};
use rampart::source::{Pos, SourceFile};
use rampart::yaml::{Node, NodeValue, parse_stream};

/// Far beyond what any of these files needs, even in a debug build on a busy machine.
const DEADLINE: Duration = Duration::from_secs(60);

fn fixtures(prefix: &str) -> Vec<PathBuf> {
    let found: Vec<PathBuf> = files_under(&root().join("fixtures/inputs/fuzz"))
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    assert!(!found.is_empty(), "no {prefix}* fixtures");
    found
}

/// `rampart check --format json FILE`, killed at the deadline: its exit status and report.
fn check(file: &str) -> (i32, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stdout");
    let mut child = rampart()
        .args(["check", "--format", "json", file])
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("rampart runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("{file}: still running after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&out).unwrap();
    let code = status
        .code()
        .unwrap_or_else(|| panic!("{file}: killed by {status}"));
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{file}: not JSON ({e}), exit status {code}: {stdout}"));
    (code, json)
}

#[test]
fn yaml_inputs_get_a_report_with_located_errors() {
    for path in fixtures("yaml-") {
        let file = rel(&path);
        let (code, json) = check(&file);
        assert!(matches!(code, 0..=2), "{file}: exit status {code}");
        for e in json["errors"].as_array().unwrap() {
            let message = e["message"].as_str().unwrap();
            assert!(!message.contains("internal error"), "{file}: {message}");
            assert!(
                e["line"].as_u64() >= Some(1) && e["column"].as_u64() >= Some(1),
                "{file}: an error without a location: {e}"
            );
        }
    }
}

#[test]
fn yaml_inputs_load_with_positions_inside_the_text() {
    for path in fixtures("yaml-") {
        let file = rel(&path);
        let bytes = std::fs::read(&path).unwrap();
        let source = match SourceFile::decode(file.clone(), None, bytes) {
            Ok(source) => source,
            Err(e) => {
                assert!(e.pos.line >= 1 && e.pos.col >= 1, "{file}: {e:?}");
                continue;
            }
        };
        let chars = source.text.chars().count();
        let inside = |pos: Pos| {
            assert!(pos.line >= 1 && pos.col >= 1, "{file}: {pos:?}");
            assert!(pos.offset as usize <= chars, "{file}: {pos:?} past {chars}");
        };
        let stream = parse_stream(&source.text);
        if let Some(e) = &stream.error {
            inside(e.pos);
        }
        for doc in stream.documents {
            let mut stack: Vec<&Node> = vec![&doc.root];
            while let Some(node) = stack.pop() {
                inside(node.span.start);
                inside(node.span.end);
                assert!(node.span.start <= node.span.end, "{file}: {:?}", node.span);
                match &node.value {
                    NodeValue::Seq(items) => stack.extend(items),
                    NodeValue::Map(entries) => {
                        stack.extend(entries.iter().flat_map(|e| [&e.key, &e.value]))
                    }
                    _ => {}
                }
            }
            let _ = doc.root.to_value();
            if let (Classified::Objects(objects), _) = classify(doc.root, "default") {
                for o in objects {
                    let _ = o.node.to_value();
                }
            }
        }
    }
}

#[test]
fn nested_anchors_are_refused_like_an_alias_bomb() {
    let (code, json) = check("fixtures/inputs/fuzz/yaml-nested-anchors.yaml");
    assert_eq!(code, 2);
    let message = json["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("alias bomb"), "{message}");
}

#[test]
fn aliases_cannot_nest_past_the_limit() {
    let (code, json) = check("fixtures/inputs/fuzz/yaml-nesting-through-aliases.yaml");
    assert_eq!(code, 2);
    let message = json["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("nesting deeper"), "{message}");
}

#[test]
fn a_large_merge_is_loaded() {
    let text =
        std::fs::read_to_string(root().join("fixtures/inputs/fuzz/yaml-merge-many-keys.yaml"))
            .unwrap();
    let stream = parse_stream(&text);
    assert!(stream.error.is_none(), "{:?}", stream.error);
    let merged = stream.documents[0].root.get("merged").unwrap();
    assert_eq!(merged.as_map().unwrap().len(), 5001);
}

#[test]
fn a_sign_after_a_hex_prefix_makes_a_string() {
    let text =
        std::fs::read_to_string(root().join("fixtures/inputs/fuzz/yaml-negated-hex-minimum.yaml"))
            .unwrap();
    let root = parse_stream(&text).documents.remove(0).root;
    let a = root.get("data").and_then(|d| d.get("a")).unwrap();
    assert_eq!(a.as_str(), Some("-0x-8000000000000000"));
}

#[test]
fn port_inputs_parse_consistently_or_are_refused() {
    for path in fixtures("ports-") {
        let file = rel(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.strip_suffix('\n').unwrap_or(&text);
        let mut ports = Vec::new();
        if let Ok(s) = parse_short(text) {
            ports.push((s.publish, s.published, s.target));
        }
        for doc in parse_stream(text).documents {
            let entries: Vec<&Node> = match doc.root.as_seq() {
                Some(items) => items.iter().collect(),
                None => vec![&doc.root],
            };
            for (i, node) in entries.into_iter().enumerate() {
                if let Ok(p) = normalise(i, node) {
                    let _ = p.to_value();
                    ports.push((p.publish, p.published, p.target));
                }
            }
        }
        for (publish, published, target) in ports {
            let what = format!("{file}: {publish:?} {published:?} {target:?}");
            if let Some((a, b)) = target {
                assert!(1 <= a && a <= b, "{what}");
            }
            match (publish, published) {
                (Publish::Fixed | Publish::Range, Some((a, b))) => assert!(a <= b, "{what}"),
                (Publish::Ephemeral | Publish::Unknown, None) => {}
                _ => panic!("a host range that does not go with the publish mode: {what}"),
            }
        }
    }
}
