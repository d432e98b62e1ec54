//! Deployment units (SPEC §4): cross-resource checks relate objects that can meet in one
//! cluster only, no object is dropped, a repeated identity inside a unit is reported, and
//! files named on the command line are linted in the context of their units.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

/// `(check, file, line, unit)` of every finding.
fn findings(json: &Value) -> Vec<(String, String, u64, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["unit"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn of_check<'a>(
    all: &'a [(String, String, u64, String)],
    check: &str,
) -> Vec<&'a (String, String, u64, String)> {
    all.iter().filter(|f| f.0 == check).collect()
}

const ENVS: &str = "fixtures/units/environments";

#[test]
fn environment_siblings_are_separate_units_and_shared_files_join_each() {
    let (code, json) = check_json(&[ENVS]);
    assert_eq!(code, 1, "{json}");
    let all = findings(&json);
    // Each environment is checked against its own objects: prod's default-deny policy is not
    // hidden by canary's policy of the same name, and prod's Service resolves `http` against
    // prod's Deployment, not canary's.
    assert!(of_check(&all, "duplicate-resource").is_empty(), "{all:?}");
    assert!(
        of_check(&all, "unresolved-target-port").is_empty(),
        "{all:?}"
    );
    let canary = format!("{ENVS}/canary");
    let unisolated: Vec<(&str, u64, &str)> = of_check(&all, "missing-network-policy")
        .iter()
        .map(|f| (f.1.as_str(), f.2, f.3.as_str()))
        .collect();
    assert_eq!(
        unisolated,
        [
            // canary's db is not selected by canary's narrower policy.
            (format!("{canary}/app.yaml").as_str(), 36, canary.as_str()),
            // The shared worker, in canary only: prod's policy isolates it.
            (format!("{ENVS}/common.yaml").as_str(), 13, canary.as_str()),
        ]
    );
    // A finding of the shared file that holds in both units names both.
    let shared: BTreeSet<&str> = all
        .iter()
        .filter(|f| f.1.ends_with("common.yaml") && f.0 != "missing-network-policy")
        .map(|f| f.3.as_str())
        .collect();
    let both = format!("{ENVS}/canary, {ENVS}/prod");
    assert_eq!(shared, BTreeSet::from([both.as_str()]));
}

#[test]
fn verbose_lists_the_units_and_why() {
    let ran = run(rampart().args(["check", "-v", ENVS]));
    let units: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("unit "))
        .collect();
    assert_eq!(
        units,
        [
            "unit fixtures/units/environments/canary: its siblings define the same objects (Deployment default/api); shared files from fixtures/units/environments (5 objects)",
            "unit fixtures/units/environments/prod: its siblings define the same objects (Deployment default/api); shared files from fixtures/units/environments (5 objects)",
        ],
        "{}",
        ran.stderr
    );
}

#[test]
fn each_environment_alone_gives_the_same_findings() {
    let (_, whole) = check_json(&[ENVS]);
    let whole = findings(&whole);
    for env in ["prod", "canary"] {
        let dir = format!("{ENVS}/{env}");
        let (_, alone) = check_json(&[&dir, &format!("{ENVS}/common.yaml")]);
        let alone: Vec<_> = findings(&alone)
            .into_iter()
            .filter(|f| f.1.starts_with(&dir))
            .map(|f| (f.0, f.1, f.2))
            .collect();
        let in_whole: Vec<_> = whole
            .iter()
            .filter(|f| f.1.starts_with(&dir))
            .map(|f| (f.0.clone(), f.1.clone(), f.2))
            .collect();
        assert!(!alone.is_empty());
        assert_eq!(alone, in_whole, "{env}");
    }
}

#[test]
fn reference_directories_give_the_same_findings_whole_and_alone() {
    let (_, whole) = check_json(&["fixtures/reference"]);
    let whole = findings(&whole);
    for dir in [
        "fixtures/reference/kubernetes/as-written",
        "fixtures/reference/kubernetes/hardened",
        "fixtures/reference/compose/as-written",
        "fixtures/reference/compose/hardened",
    ] {
        let (_, alone) = check_json(&[dir]);
        let alone: Vec<_> = findings(&alone)
            .into_iter()
            .map(|f| (f.0, f.1, f.2))
            .collect();
        let in_whole: Vec<_> = whole
            .iter()
            .filter(|f| f.1.starts_with(&format!("{dir}/")))
            .map(|f| (f.0.clone(), f.1.clone(), f.2))
            .collect();
        assert_eq!(alone, in_whole, "{dir}");
    }
}

#[test]
fn a_repeated_identity_inside_one_unit_is_reported_with_both_locations() {
    let dir = "fixtures/checks/duplicate-resource/fail/same-directory";
    let (code, json) = check_json(&["--only", "duplicate-resource", dir]);
    assert_eq!(code, 1, "{json}");
    let found = json["findings"].as_array().unwrap();
    let summary: Vec<(&str, u64, &str, u64)> = found
        .iter()
        .map(|f| {
            let related = &f["related"][0];
            (
                f["file"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                related["file"].as_str().unwrap(),
                related["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let api = format!("{dir}/api.yaml");
    let copy = format!("{dir}/copy.yaml");
    assert_eq!(
        summary,
        [
            (copy.as_str(), 4, api.as_str(), 5),
            (copy.as_str(), 24, copy.as_str(), 15)
        ]
    );
    assert_eq!(found[0]["severity"], "high");
    assert_eq!(found[0]["unit"], dir);
    assert_eq!(
        found[0]["message"],
        "Service shop/api is defined twice in this deployment unit: on apply, one copy replaces the other"
    );
    // Both copies are linted by the other checks: neither is dropped.
    let (_, all) = check_json(&["--only", "mutable-image-tag", dir]);
    assert_eq!(all["summary"]["resources"], 4);
}

#[test]
fn declared_units_split_a_monorepo() {
    let dir = "fixtures/units/monorepo";
    let config = format!("{dir}/.rampart.yaml");
    let only = ["--only", "missing-network-policy"];
    // By default the two applications share the cluster: the shop's policy isolates the blog.
    let (code, json) = check_json(&[&only[..], &["--no-config", dir]].concat());
    assert_eq!(code, 0, "{json}");
    let (code, json) = check_json(&[&only[..], &["--config", &config, dir]].concat());
    assert_eq!(code, 1, "{json}");
    let all = findings(&json);
    assert_eq!(
        all,
        [(
            "missing-network-policy".to_string(),
            format!("{dir}/blog/app.yaml"),
            13,
            "blog".to_string()
        )]
    );
}

#[test]
fn named_files_are_linted_in_the_context_of_their_units() {
    let config = "fixtures/units/context/.rampart.yaml";
    let shop = "fixtures/units/context/deploy/shop.yaml";
    let args = ["check", "--format", "json", "--config", config, shop];
    let with_context = run(rampart().env_remove("RAMPART_NO_CONTEXT").args(args));
    assert_eq!(with_context.code, 1, "{}", with_context.stderr);
    let json: Value = serde_json::from_str(&with_context.stdout).unwrap();
    let found = json["findings"].as_array().unwrap();
    // Reported on the named side only, the other file as a related location.
    assert_eq!(found.len(), 1, "{json}");
    assert_eq!(found[0]["check"], "port-conflict");
    assert_eq!(found[0]["file"], shop);
    assert_eq!(
        found[0]["related"][0]["file"],
        "fixtures/units/context/deploy/admin.yaml"
    );
    // The context file is not counted as linted.
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["summary"]["resources"], 1);

    // -v lists the named file's unit only, not the units of context files.
    let verbose = run(rampart()
        .env_remove("RAMPART_NO_CONTEXT")
        .args(["check", "-v", "--config", config, shop]));
    let units: Vec<&str> = verbose
        .stderr
        .lines()
        .filter(|l| l.starts_with("unit "))
        .collect();
    assert_eq!(
        units,
        ["unit fixtures/units/context/deploy: a directory of manifests (1 object)"],
        "{}",
        verbose.stderr
    );

    // --no-context and RAMPART_NO_CONTEXT=1 lint the named file alone.
    let flag = run(rampart()
        .env_remove("RAMPART_NO_CONTEXT")
        .args(args)
        .arg("--no-context"));
    let env = run(rampart().args(args));
    for alone in [flag, env] {
        assert_eq!(alone.code, 0, "{}", alone.stdout);
    }
}

#[test]
fn stdin_is_a_unit_of_its_own() {
    let text = std::fs::read_to_string(root().join(ENVS).join("prod/app.yaml")).unwrap();
    let mut cmd = rampart();
    cmd.args([
        "check",
        "--format",
        "json",
        "-",
        "fixtures/units/environments/canary",
    ])
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = findings(&json);
    // The same objects on stdin and in canary/: two units, so no duplicate and no cross-talk.
    assert!(of_check(&all, "duplicate-resource").is_empty(), "{all:?}");
    assert!(
        of_check(&all, "unresolved-target-port").is_empty(),
        "{all:?}"
    );
    let units: BTreeSet<&str> = all.iter().map(|f| f.3.as_str()).collect();
    assert_eq!(
        units,
        BTreeSet::from(["<stdin>", "fixtures/units/environments/canary"])
    );
}
