//! The integration files shipped in the repository (SPEC §9) say what they should: the
//! pre-commit hooks, the GitLab job template (whose script is run here, with the built
//! binary), the GitHub code scanning example and the release workflow whose archives both
//! examples download.

mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let stream = rampart::yaml::parse_stream(&text);
    assert!(stream.error.is_none(), "{path}: {:?}", stream.error);
    stream.documents[0].root.to_json()
}

#[test]
fn pre_commit_hooks() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rampart", "rampart-all"]);
    for hook in hooks {
        assert_eq!(hook["language"], "rust");
        assert_eq!(hook["entry"], "rampart check --force-exclude");
        assert_eq!(hook["types_or"], serde_json::json!(["yaml", "json"]));
    }
    assert_eq!(hooks[0].get("pass_filenames"), None);
    assert_eq!(hooks[1]["pass_filenames"], false);
}

#[test]
fn gitlab_job_writes_its_reports_and_fails_at_the_threshold() {
    let template = yaml("ci/rampart.gitlab-ci.yml");
    let job = &template["rampart"];
    assert_eq!(job["stage"], "security");
    let reports = &job["artifacts"]["reports"];
    assert_eq!(reports["sast"], "gl-sast-report.json");
    assert_eq!(reports["codequality"], "gl-code-quality-report.json");
    assert_eq!(reports["junit"], "rampart-junit.xml");
    assert!(
        job["artifacts"]["paths"]
            .as_array()
            .unwrap()
            .contains(&Value::from("rampart.sarif"))
    );
    assert_eq!(job["artifacts"]["when"], "always");
    // Findings (exit 1) leave the pipeline going and the reports visible; exit 2 fails it.
    assert_eq!(job["allow_failure"]["exit_codes"], serde_json::json!([1]));
    // A new pinned version is a new cache entry, and the download is checked.
    assert!(
        job["cache"]["key"]
            .as_str()
            .unwrap()
            .contains("$RAMPART_VERSION"),
        "{}",
        job["cache"]["key"]
    );
    let install = job["before_script"][0].as_str().unwrap();
    assert_downloads_a_pinned_release(install);
    let script = job["script"][0].as_str().unwrap();
    let script = script.replace(".rampart/bin/rampart", env!("CARGO_BIN_EXE_rampart"));
    assert_ne!(script, job["script"][0].as_str().unwrap());

    // The reference fixtures have 4 high findings and no critical one.
    for (fail_on, expected) in [("high", 1), ("critical", 0)] {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .current_dir(dir.path())
            .env(
                "RAMPART_PATHS",
                root().join("fixtures/reference/kubernetes/as-written"),
            )
            .env("RAMPART_FAIL_ON", fail_on)
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert_eq!(status.status.code(), Some(expected), "--fail-on {fail_on}");
        for file in [
            "gl-sast-report.json",
            "gl-code-quality-report.json",
            "rampart-junit.xml",
            "rampart.sarif",
        ] {
            let text = std::fs::read_to_string(dir.path().join(file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(!text.is_empty());
        }
    }
}

#[test]
fn github_example_uploads_what_it_writes() {
    let workflow = yaml(".github/workflows/rampart-code-scanning.yml");
    let job = &workflow["jobs"]["rampart"];
    assert_eq!(job["permissions"]["security-events"], "write");
    let steps = job["steps"].as_array().unwrap();
    let lint = steps
        .iter()
        .find_map(|s| s["run"].as_str().filter(|r| r.starts_with("rampart check")))
        .unwrap();
    assert!(lint.contains("--format sarif -o rampart.sarif"), "{lint}");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .unwrap();
    assert_eq!(upload["with"]["sarif_file"], "rampart.sarif");
    let install = steps
        .iter()
        .find(|s| s["name"] == "Install rampart")
        .and_then(|s| s["run"].as_str())
        .unwrap();
    assert_downloads_a_pinned_release(install);
    assert!(
        !steps.iter().any(|s| s["run"]
            .as_str()
            .is_some_and(|r| r.contains("cargo install"))),
        "the example compiles rampart on every run"
    );
    // The project's own CI is still there.
    assert!(root().join(".github/workflows/ci.yml").is_file());
}

/// An install step that downloads the release archive of `$RAMPART_VERSION`, as the release
/// workflow names it, and checks it against the pinned `$RAMPART_SHA256`.
fn assert_downloads_a_pinned_release(install: &str) {
    assert!(
        install.contains("releases/download/v$RAMPART_VERSION/$name.tar.gz"),
        "{install}"
    );
    assert!(
        install.contains("rampart-$RAMPART_VERSION-x86_64-unknown-linux-gnu"),
        "{install}"
    );
    assert!(
        install.contains("$RAMPART_SHA256") && install.contains("sha256sum --check"),
        "{install}"
    );
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    assert!(release.contains("target: x86_64-unknown-linux-gnu"));
    assert!(release.contains(r#"name="rampart-$version-${{ matrix.target }}""#));
    assert!(release.contains("sha256sum * > SHA256SUMS"));
}

#[test]
fn release_workflow_builds_wheels_and_archives_once() {
    let release = yaml(".github/workflows/release.yml");
    let steps = release["jobs"]["build"]["steps"].as_array().unwrap();
    let maturin = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("PyO3/maturin-action@"))
        })
        .unwrap();
    let args = maturin["with"]["args"].as_str().unwrap();
    assert!(
        args.contains("--release") && args.contains("--locked"),
        "{args}"
    );
    let targets: Vec<&str> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    for os in ["linux", "apple-darwin"] {
        assert!(targets.iter().any(|t| t.contains(os)), "{targets:?}");
    }
    // The pyproject builds the command-line binary, as pre-commit and pipx expect.
    let pyproject = std::fs::read_to_string(root().join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("name = \"rampart-lint\""));
    assert!(pyproject.contains("bindings = \"bin\""));
}
