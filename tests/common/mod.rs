//! Helpers shared by the integration tests: run the real binary from the repository root.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `rampart` command run from the repository root, with colour and width pinned, and named
/// files linted alone (not in the context of this repository's other manifests).
pub fn rampart() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rampart"));
    cmd.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("RAMPART_NO_CONTEXT", "1")
        .stdin(Stdio::null());
    cmd
}

pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Ran {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("rampart runs");
    Ran {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(stderr).expect("utf-8 stderr"),
    }
}

pub fn check_json(args: &[&str]) -> (i32, serde_json::Value) {
    let ran = run(rampart()
        .arg("check")
        .arg("--format")
        .arg("json")
        .args(args));
    let json = serde_json::from_str(&ran.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", ran.stdout, ran.stderr));
    (ran.code, json)
}

/// Every file below a path (or the path itself), sorted.
pub fn files_under(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A path relative to the repository root, with `/` separators.
pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// An external program a test drives: the path in the environment variable `var` (`.ci/run`
/// sets it after installing the tool), else `fallback` found on `PATH`. When it is absent
/// the test prints a note and is skipped, unless `RAMPART_REQUIRE_TOOLS` is set, as `.ci/run`
/// does: there a missing tool fails the test instead of passing silently.
pub fn external_tool(var: &str, fallback: &str) -> Option<PathBuf> {
    let found = std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(fallback))
                    .find(|p| p.is_file())
            })
        });
    if found.is_none() {
        assert!(
            std::env::var_os("RAMPART_REQUIRE_TOOLS").is_none(),
            "{fallback} is required (RAMPART_REQUIRE_TOOLS is set) but neither ${var} nor PATH has it"
        );
        note(&format!(
            "skipped: {fallback} not found (set {var} or put it on PATH; .ci/run installs it)"
        ));
    }
    found
}

/// A line on the real stderr, shown even when the test passes (libtest captures only the
/// print macros).
pub fn note(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "note: {text}");
}

/// The findings of one check in a JSON report.
pub fn findings_of<'a>(json: &'a serde_json::Value, check: &str) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .collect()
}
