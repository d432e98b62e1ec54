//! The Python install path: `maturin build` makes a wheel of this checkout (dev profile, so it
//! reuses the binary `cargo test` just built instead of a second, release build), `pip`
//! installs it into a fresh virtual environment without network, and the installed `rampart`
//! lints the reference fixtures exactly as the binary under test does. A real `pre-commit run`
//! then installs the same wheel for a `language: python` hook, as ci/pre-commit-python.yaml
//! does from PyPI.
//!
//! Needs `maturin` (`RAMPART_MATURIN`) and, for the hook, `pre-commit` (`RAMPART_PRE_COMMIT`);
//! both are installed by `.ci/run`. Without them the test is skipped with a note.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::*;

const REFERENCE: [&str; 2] = [
    "fixtures/reference/kubernetes/as-written",
    "fixtures/reference/compose/as-written",
];

/// A Pod that runs as root.
const BAD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
";

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_rampart"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf()
}

fn output(cmd: &mut Command, what: &str) -> String {
    let started = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    note(&format!(
        "{what} took {:.1}s",
        started.elapsed().as_secs_f64()
    ));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// Builds the wheel of this checkout into `dir` and returns its path.
fn build_wheel(maturin: &Path, dir: &Path) -> PathBuf {
    output(
        Command::new(maturin)
            .current_dir(root())
            .args(["build", "--profile", "dev", "--quiet", "--out"])
            .arg(dir)
            // The binary `cargo test` built: same profile, same target directory.
            .env("CARGO_TARGET_DIR", target_dir())
            .env("CARGO_NET_OFFLINE", "true"),
        "maturin build --profile dev",
    );
    let wheels: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    let name = wheels[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with(&format!(
            "rampart_lint-{}-py3-none-",
            env!("CARGO_PKG_VERSION")
        )),
        "{name}"
    );
    wheels[0].clone()
}

/// The findings of a JSON report, without what differs between two binaries (none should).
fn findings(rampart: &Path, input: &str) -> (i32, serde_json::Value) {
    let out = Command::new(rampart)
        .current_dir(root())
        .args(["check", input, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}",
            rampart.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json["findings"].clone())
}

#[test]
fn the_wheel_installs_and_lints_and_serves_a_python_pre_commit_hook() {
    let Some(maturin) = external_tool("RAMPART_MATURIN", "maturin") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let wheel = build_wheel(&maturin, dir.path());

    // A fresh virtual environment, no index: the wheel alone must be enough.
    let venv = dir.path().join("venv");
    output(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    output(
        Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--no-index",
                "--disable-pip-version-check",
            ])
            .arg(&wheel),
        "pip install <wheel>",
    );
    let installed = venv.join("bin/rampart");
    let version = output(
        Command::new(&installed).arg("--version"),
        "rampart --version",
    );
    assert_eq!(
        version.trim(),
        format!("rampart {}", env!("CARGO_PKG_VERSION"))
    );
    for input in REFERENCE {
        let (code, from_wheel) = findings(&installed, input);
        let (expected_code, expected) = findings(Path::new(env!("CARGO_BIN_EXE_rampart")), input);
        assert_eq!(code, expected_code, "{input}");
        assert!(
            from_wheel.as_array().is_some_and(|f| !f.is_empty()),
            "{input}"
        );
        assert_eq!(
            from_wheel, expected,
            "{input}: the installed rampart differs"
        );
    }

    let Some(pre_commit) = external_tool("RAMPART_PRE_COMMIT", "pre-commit") else {
        return;
    };
    pre_commit_hook(&pre_commit, &wheel, dir.path());
}

/// ci/pre-commit-python.yaml's hook, with the wheel in place of the PyPI pin.
fn pre_commit_hook(pre_commit: &Path, wheel: &Path, scratch: &Path) {
    let repo = scratch.join("repo");
    std::fs::create_dir_all(repo.join("deploy")).unwrap();
    std::fs::create_dir_all(repo.join("chart/templates")).unwrap();
    let example = std::fs::read_to_string(root().join("ci/pre-commit-python.yaml")).unwrap();
    let pin = "\"rampart-lint==0.1.0\"";
    assert!(
        example.contains(pin),
        "ci/pre-commit-python.yaml pins {pin}"
    );
    let config = example.replace(pin, &format!("{:?}", wheel.display().to_string()));
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).unwrap();
    std::fs::write(repo.join("deploy/web.yaml"), BAD).unwrap();
    // Not YAML: an error (exit 2) unless the config's exclude applies to named files.
    std::fs::write(
        repo.join("chart/templates/web.yaml"),
        "{{- if .Values.web }}\nkind: Pod\n{{- end }}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join(".rampart.yaml"),
        "exclude: [\"chart/**/templates/**\"]\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        output(
            Command::new("git")
                .current_dir(&repo)
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .env_remove("GIT_INDEX_FILE")
                .args(["-c", "user.name=t", "-c", "user.email=t@rampart.invalid"])
                .args(args),
            "git",
        )
    };
    git(&["init", "--quiet"]);
    git(&["add", "--all"]);
    // pre-commit installs a local hook as a placeholder package built with setuptools: offline,
    // pip takes setuptools from the wheels virtualenv (pre-commit's dependency) bundles.
    let bundle = output(
        Command::new(pre_commit.with_file_name("python")).args([
            "-c",
            "from virtualenv.seed.wheels.embed import BUNDLE_FOLDER; print(BUNDLE_FOLDER)",
        ]),
        "locate virtualenv's bundled wheels",
    );
    let started = Instant::now();
    let out = Command::new(pre_commit)
        .current_dir(&repo)
        .args(["run", "--all-files", "--color", "never"])
        .env("PRE_COMMIT_HOME", scratch.join("pre-commit-home"))
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", bundle.trim())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    note(&format!(
        "pre-commit run (install of the wheel included) took {:.1}s",
        started.elapsed().as_secs_f64()
    ));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{text}");
    // Exit 1 (findings), not 2: the excluded Helm template was not read.
    assert!(text.contains("- exit code: 1"), "{text}");
    assert!(text.contains("run-as-root (high)"), "{text}");
    assert!(text.contains("deploy/web.yaml"), "{text}");
    assert!(!text.contains("chart/templates"), "{text}");
}
