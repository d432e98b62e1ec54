//! The two engines agree: every fixture directory gives byte-identical reports (findings,
//! errors, stderr, exit status) whether the built-in checks that may run on regorus's RVM run
//! there (the default) or every check runs on the interpreter (`RAMPART_ENGINE=interpreter`).
//! This is what lets src/policy/rvm.rs move a check to the RVM: the RVM's known differences
//! (src/policy/engine.rs, `rvm_blockers`) would show here as a different report.

mod common;

use common::*;

/// Every directory under `fixtures/`, and each of their subdirectories (a different root
/// forms different deployment units).
fn fixture_dirs() -> Vec<String> {
    let mut dirs = Vec::new();
    let mut top: Vec<_> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    top.sort();
    for dir in top {
        let mut subs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        subs.sort();
        dirs.push(dir);
        dirs.extend(subs);
    }
    dirs.iter()
        .map(|d| {
            d.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn check(dir: &str, format: &str, interpreter: bool) -> Ran {
    check_with(dir, format, interpreter, &[])
}

fn check_with(dir: &str, format: &str, interpreter: bool, args: &[&str]) -> Ran {
    let mut cmd = rampart();
    cmd.args(["check", "--format", format, dir]).args(args);
    if interpreter {
        cmd.env("RAMPART_ENGINE", "interpreter");
    }
    run(&mut cmd)
}

#[test]
fn every_fixture_gives_the_same_report_on_both_engines() {
    let dirs = fixture_dirs();
    assert!(dirs.len() > 40, "{dirs:?}");
    let mut differ = Vec::new();
    for dir in &dirs {
        let rvm = check(dir, "json", false);
        let interpreter = check(dir, "json", true);
        if (rvm.code, &rvm.stdout, &rvm.stderr)
            != (interpreter.code, &interpreter.stdout, &interpreter.stderr)
        {
            differ.push(dir.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "the RVM and the interpreter disagree on: {differ:?}\n(compare `rampart check --format \
         json DIR` with and without RAMPART_ENGINE=interpreter)"
    );
}

/// With some checks disabled the RVM runs each kind's guarded entry point, which skips the
/// rules of disabled checks (src/policy/rvm_aggregate.rs): the engines still agree, and the
/// disabled checks report nothing.
#[test]
fn with_checks_disabled_the_engines_still_agree() {
    let disable = [
        "--disable",
        "run-as-root",
        "--disable",
        "missing-cpu-limit",
        "--disable",
        "port-conflict",
    ];
    let mut differ = Vec::new();
    let mut findings = 0;
    for dir in fixture_dirs() {
        let rvm = check_with(&dir, "json", false, &disable);
        let interpreter = check_with(&dir, "json", true, &disable);
        if (rvm.code, &rvm.stdout, &rvm.stderr)
            != (interpreter.code, &interpreter.stdout, &interpreter.stderr)
        {
            differ.push(dir.clone());
        }
        for id in ["run-as-root", "missing-cpu-limit", "port-conflict"] {
            let quoted = format!("\"check\": \"{id}\"");
            assert!(
                !rvm.stdout.contains(&quoted),
                "{dir}: {id} ran while disabled"
            );
        }
        findings += rvm.stdout.matches("\"check\":").count();
    }
    assert!(findings > 100, "only {findings} findings");
    assert!(
        differ.is_empty(),
        "the RVM and the interpreter disagree on: {differ:?}"
    );
}

/// The parity above would hold trivially if nothing ran on the RVM: `-v` says which checks
/// do, and the core container checks must be among them.
#[test]
fn the_container_checks_run_on_the_rvm() {
    let ran = run(rampart().args(["check", "-v", "fixtures/reference"]));
    let line = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("note: policies: on regorus's RVM: "))
        .unwrap_or_else(|| panic!("no RVM note in:\n{}", ran.stderr));
    for check in [
        "run-as-root (kubernetes)",
        "privilege-escalation (kubernetes)",
        "dangerous-capabilities (kubernetes)",
        "missing-liveness-probe (kubernetes)",
    ] {
        assert!(line.contains(check), "{check} not in: {line}");
    }
    let interpreted = run(rampart()
        .args(["check", "-v", "fixtures/reference"])
        .env("RAMPART_ENGINE", "interpreter"));
    assert!(
        !interpreted.stderr.contains("on regorus's RVM"),
        "{}",
        interpreted.stderr
    );
    assert!(
        interpreted
            .stderr
            .contains("on the interpreter: run-as-root (kubernetes): RAMPART_ENGINE=interpreter"),
        "{}",
        interpreted.stderr
    );
}

/// A user policy runs on the interpreter, and says so under `-v`.
#[test]
fn user_policies_run_on_the_interpreter() {
    let ran = run(rampart().args([
        "check",
        "-v",
        "--policy",
        "fixtures/policies/team-labels",
        "fixtures/reference",
    ]));
    assert!(ran.stderr.contains("it is a user policy"), "{}", ran.stderr);
}
