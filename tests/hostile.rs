//! Hostile and odd inputs (fixtures/inputs/): each gives a located error or is linted, the other
//! files are still linted, the exit status is 2 when an input could not be read, and nothing
//! panics or hangs.

mod common;

use common::*;

/// Lints one hostile input next to a good file; returns the errors and the run's exit status.
fn beside_a_good_file(input: &str) -> (i32, Vec<serde_json::Value>) {
    let (code, json) = check_json(&["--only", "run-as-root", input, "fixtures/inputs/pod.json"]);
    let found: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == "fixtures/inputs/pod.json")
        .collect();
    assert_eq!(found.len(), 1, "{input}: the good file is still linted");
    (code, json["errors"].as_array().unwrap().clone())
}

fn single_error(input: &str) -> (u64, u64, String) {
    let (code, errors) = beside_a_good_file(input);
    assert_eq!(code, 2, "{input}: an unreadable input is exit status 2");
    assert_eq!(errors.len(), 1, "{input}: {errors:?}");
    let e = &errors[0];
    assert_eq!(e["file"], input);
    (
        e["line"].as_u64().unwrap(),
        e["column"].as_u64().unwrap(),
        e["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn malformed_yaml_is_located() {
    let (line, col, msg) = single_error("fixtures/inputs/malformed.yaml");
    assert_eq!((line, col), (7, 13), "{msg}");
    let (line, col, msg) = single_error("fixtures/inputs/tabs.yaml");
    // At the tab itself (libyaml; saphyr-parser pointed after it).
    assert_eq!((line, col), (4, 1));
    assert!(msg.contains("a tab cannot indent"), "{msg}");
    let (line, _, _) = single_error("fixtures/inputs/bad-indentation.yaml");
    assert_eq!(line, 5);
}

#[test]
fn duplicate_keys_are_errors_at_the_second_key() {
    let (line, col, msg) = single_error("fixtures/inputs/duplicate-keys.yaml");
    assert_eq!((line, col), (5, 3));
    assert!(msg.contains("duplicate key `name`"), "{msg}");
}

#[test]
fn binary_and_badly_encoded_files_are_refused_with_a_location() {
    let (_, _, msg) = single_error("fixtures/inputs/binary.yaml");
    assert!(msg.contains("binary"), "{msg}");
    let (line, col, msg) = single_error("fixtures/inputs/invalid-utf8.yaml");
    assert_eq!((line, col), (4, 12));
    assert!(msg.contains("invalid UTF-8"), "{msg}");
}

#[test]
fn utf16_with_a_bom_is_decoded() {
    let (code, json) = check_json(&["--only", "run-as-root", "fixtures/inputs/utf16.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(json["findings"][0]["line"], 7);
}

#[test]
fn an_alias_bomb_is_an_error_not_an_out_of_memory() {
    let (_, _, msg) = single_error("fixtures/inputs/alias-bomb.yaml");
    assert!(msg.contains("alias"), "{msg}");
}

#[test]
fn ten_thousand_levels_of_nesting_do_not_overflow_the_stack() {
    let (line, _, msg) = single_error("fixtures/inputs/deep-nesting.yaml");
    assert_eq!(line, 2);
    assert!(
        msg.contains("recursion limit") || msg.contains("nesting"),
        "{msg}"
    );
}

#[test]
fn scalar_list_empty_and_comment_documents_are_skipped() {
    for input in [
        "fixtures/inputs/scalar-document.yaml",
        "fixtures/inputs/list-document.yaml",
        "fixtures/inputs/empty.yaml",
        "fixtures/inputs/comments-only.yaml",
    ] {
        let (code, errors) = beside_a_good_file(input);
        assert_eq!(code, 1, "{input}");
        assert!(errors.is_empty(), "{input}: {errors:?}");
    }
}

#[test]
fn a_list_with_garbage_items_keeps_its_good_items() {
    let (code, json) = check_json(&[
        "--only",
        "run-as-root",
        "fixtures/inputs/list-with-garbage.yaml",
    ]);
    assert_eq!(code, 2);
    let errors = json["errors"].as_array().unwrap();
    let lines: Vec<_> = errors.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![12, 13]);
    assert_eq!(json["findings"][0]["resource"]["name"], "good");
}

#[test]
fn a_huge_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("huge.yaml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let ran = run(rampart()
        .args(["check", "--format", "json"])
        .arg(&big)
        .arg("fixtures/inputs/pod.json"));
    assert_eq!(ran.code, 2);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than"),
        "{json}"
    );
    assert_eq!(json["summary"]["resources"], 1);
}

/// A device is outside the project and not a regular file: it is refused without being read
/// (tests/security.rs has the cases inside the project).
#[cfg(target_os = "linux")]
#[test]
fn an_endless_extends_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let compose = dir.path().join("compose.yaml");
    std::fs::write(
        &compose,
        "services:\n  web:\n    image: nginx:1.27\n    extends:\n      file: /dev/zero\n      service: base\n",
    )
    .unwrap();
    let ran = run(rampart()
        .args(["check", "--format", "json"])
        .arg(&compose)
        .arg("fixtures/inputs/pod.json"));
    // Like any `extends` file that cannot be read, it makes the service invalid.
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let invalid: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "invalid-compose")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        invalid,
        [
            "`/dev/zero` is outside the project: rampart reads referenced files only inside the \
             linted tree (the repository, or the referring file's directory outside a repository)"
        ]
    );
    assert_eq!(json["summary"]["resources"], 2, "{json}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_unreadable_paths_do_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("a.yaml"), dir.path().join("b.yaml")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("b.yaml"), dir.path().join("a.yaml")).unwrap();
    // A directory named like a manifest is walked, not read.
    std::fs::create_dir(dir.path().join("dir.yaml")).unwrap();
    std::fs::copy(
        root().join("fixtures/inputs/pod.json"),
        dir.path().join("pod.json"),
    )
    .unwrap();
    let ran = run(rampart()
        .args(["check", "--format", "json", "--only", "run-as-root"])
        .arg(dir.path()));
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(json["summary"]["resources"], 1, "{json}");
    assert_eq!(
        ran.code, 2,
        "the self-referencing links cannot be read: {json}"
    );
    let messages: Vec<_> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().all(|m| m.starts_with("cannot read")),
        "{messages:?}"
    );
    assert_eq!(
        messages.len(),
        2,
        "a.yaml and b.yaml; the loop directory is not followed"
    );
}

#[test]
fn a_policy_that_fails_at_run_time_is_an_error_for_that_resource() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("throws.rego"),
        "# METADATA\n# title: Throws\n# description: |\n#   Adds a number to a string.\n#\n#   Why it matters: it does not.\n# related_resources:\n#   - ref: https://example.com\n# custom:\n#   id: throws\n#   severity: low\n#   family: test\n#   targets: [Pod]\n#   remediation: None.\npackage acme.throws\n\nimport rego.v1\n\ndeny contains {\"msg\": \"x\", \"path\": []} if {\n\tx := input.kind + 1\n\tx > 0\n}\n",
    )
    .unwrap();
    let ran = run(rampart()
        .args([
            "check",
            "--format",
            "json",
            "--only",
            "throws",
            "--only",
            "run-as-root",
            "--policy",
        ])
        .arg(dir.path())
        .args([
            "fixtures/inputs/pod.json",
            "fixtures/checks/run-as-root/fail/no-security-context.yaml",
        ]));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["message"]
            .as_str()
            .unwrap()
            .contains("check `throws` failed")),
        "{errors:?}"
    );
    let root: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "run-as-root")
        .collect();
    assert_eq!(root.len(), 3, "the other checks still report");
}
