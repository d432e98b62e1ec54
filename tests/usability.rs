//! What a new user meets around the reports (issue 17): excludes that hold for files named on
//! the command line, runs that say when nothing was linted, selection by family and severity,
//! `--exit-zero`, `explain` that helps, and SARIF that GitHub ranks correctly.

mod common;

use common::*;
use serde_json::Value;

const K8S: &str = "fixtures/reference/kubernetes/as-written";
const COMPOSE: &str = "fixtures/reference/compose/as-written";

/// A Pod with findings, and an unparseable Helm template next to it.
fn helm_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("chart/templates")).unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("chart/templates/web.yaml"),
        "{{- if .Values.web }}\nkind: Pod\n{{- end }}\n",
    )
    .unwrap();
    dir
}

#[test]
fn exclude_applies_to_named_files_with_force_exclude() {
    let dir = helm_project();
    let in_dir = |args: &[&str], config: &str| {
        std::fs::write(dir.path().join(".rampart.yaml"), config).unwrap();
        let mut cmd = rampart();
        cmd.current_dir(dir.path())
            .args(["check", "--format", "concise"])
            .args(args)
            .args(["pod.yaml", "chart/templates/web.yaml"]);
        run(&mut cmd)
    };
    let exclude = "exclude: [\"chart/**/templates/**\"]\n";
    // As before: a named file is read even when excluded (the template is an error).
    let ran = in_dir(&[], exclude);
    assert_eq!(ran.code, 2, "{}{}", ran.stdout, ran.stderr);
    // As pre-commit's hooks call it.
    let ran = in_dir(&["--force-exclude"], exclude);
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    assert!(!ran.stdout.contains("chart/templates"), "{}", ran.stdout);
    assert!(ran.stdout.contains("pod.yaml:"), "{}", ran.stdout);
    // Or as the config says.
    let ran = in_dir(&[], &format!("{exclude}force-exclude: true\n"));
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
}

#[test]
fn the_pre_commit_hooks_force_excludes() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let entries: Vec<&str> = hooks
        .lines()
        .filter(|l| l.trim_start().starts_with("entry:"))
        .collect();
    assert_eq!(entries.len(), 2, "{hooks}");
    for e in entries {
        assert!(e.contains("--force-exclude"), "{e}");
    }
}

#[test]
fn a_run_that_found_nothing_to_lint_says_so() {
    let empty = tempfile::tempdir().unwrap();
    let empty = empty.path().to_str().unwrap();
    let ran = run(rampart().args(["check", empty]));
    assert_eq!(ran.code, 0);
    assert!(
        ran.stderr
            .contains("warning: no Kubernetes object or Compose file found"),
        "{}",
        ran.stderr
    );
    let ran = run(rampart().args(["check", empty, "--fail-if-no-objects-found"]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);

    let ran = run(rampart()
        .args(["check", "-", "--fail-if-no-objects-found"])
        .stdin_file("kind: Pod\n"));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("1 document"), "{}", ran.stderr);

    // Something linted: no warning, and the flag changes nothing.
    let ran = run(rampart().args(["check", K8S, "--fail-if-no-objects-found", "--exit-zero"]));
    assert_eq!(ran.code, 0);
    assert!(!ran.stderr.contains("warning"), "{}", ran.stderr);
}

/// Feeding text to stdin through a file, as `Command` has no "stdin from string".
trait StdinFile {
    fn stdin_file(&mut self, text: &str) -> &mut Self;
}

impl StdinFile for std::process::Command {
    fn stdin_file(&mut self, text: &str) -> &mut Self {
        let mut file = tempfile::tempfile().unwrap();
        use std::io::{Seek, Write};
        file.write_all(text.as_bytes()).unwrap();
        file.rewind().unwrap();
        self.stdin(file)
    }
}

#[test]
fn a_missing_file_has_no_made_up_position() {
    for format in ["human", "concise", "junit", "github"] {
        let ran = run(rampart().args(["check", "no/such/file.yaml", "--format", format]));
        assert_eq!(ran.code, 2);
        assert!(ran.stdout.contains("no/such/file.yaml"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("file.yaml:1:1"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("line=\"1\""), "{}", ran.stdout);
        assert!(!ran.stdout.contains(",line=1"), "{}", ran.stdout);
    }
}

#[test]
fn exit_zero_reports_but_never_fails_on_findings() {
    let ran = run(rampart().args(["check", K8S, "--exit-zero", "--format", "concise"]));
    assert_eq!(ran.code, 0);
    assert!(ran.stdout.lines().count() > 10);
    // An input error is still exit 2.
    let ran = run(rampart().args(["check", "no/such/file.yaml", "--exit-zero"]));
    assert_eq!(ran.code, 2);
}

fn checks_found(args: &[&str]) -> Vec<(String, String)> {
    let (_, json) = check_json(args);
    let mut found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn selection_by_family_and_severity_in_flags_and_config() {
    let all = checks_found(&[K8S, COMPOSE]);
    let security = checks_found(&[K8S, COMPOSE, "--only", "security"]);
    assert!(!security.is_empty() && security.len() < all.len());
    let catalog = run(rampart().args(["checks", "--format", "json"]));
    let catalog: Value = serde_json::from_str(&catalog.stdout).unwrap();
    let family = |id: &str| {
        catalog
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["family"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert!(
        security.iter().all(|(id, _)| family(id) == "security"),
        "{security:?}"
    );
    // A family and an id together.
    let mixed = checks_found(&[K8S, "--only", "security", "--only", "missing-cpu-limit"]);
    assert!(
        mixed.iter().any(|(id, _)| id == "missing-cpu-limit"),
        "{mixed:?}"
    );

    let high = checks_found(&[K8S, COMPOSE, "--min-severity", "high"]);
    assert!(!high.is_empty() && high.len() < all.len());
    assert!(
        high.iter().all(|(_, s)| s == "high" || s == "critical"),
        "{high:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rampart.yaml");
    std::fs::write(
        &config,
        "checks:\n  only: [security]\n  min-severity: high\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let from_config = checks_found(&[K8S, COMPOSE, "--config", config]);
    let from_flags = checks_found(&[K8S, COMPOSE, "--only", "security", "--min-severity", "high"]);
    assert_eq!(from_config, from_flags);
    assert!(!from_config.is_empty());

    let ran = run(rampart().args(["check", K8S, "--only", "securty"]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("unknown check or family `securty`")
            && ran.stderr.contains("did you mean `security`?"),
        "{}",
        ran.stderr
    );
}

#[test]
fn explain_shows_both_examples_how_to_suppress_and_suggests_ids() {
    let ran = run(rampart().args(["explain", "run-as-root"]));
    assert_eq!(ran.code, 0);
    let out = &ran.stdout;
    assert!(out.contains("Failing example (Kubernetes):"), "{out}");
    assert!(out.contains("Failing example (Compose):"), "{out}");
    assert!(
        !out.contains("fixtures/"),
        "no path inside this repository: {out}"
    );
    assert!(out.contains("ignore.rampart.dev/run-as-root"), "{out}");
    assert!(out.contains("# rampart:ignore run-as-root"), "{out}");

    let ran = run(rampart().args(["explain", "run-as-rot"]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("did you mean `run-as-root`?"),
        "{}",
        ran.stderr
    );
    let ran = run(rampart().args(["check", "--disable", "run-as-rot", K8S]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("did you mean `run-as-root`?"),
        "{}",
        ran.stderr
    );
    let ran = run(rampart().args(["explain", "zzzz"]));
    assert!(!ran.stderr.contains("did you mean"), "{}", ran.stderr);

    // A user check without a reference links to nothing rather than rampart's docs.
    let ran = run(rampart().args([
        "explain",
        "missing-team-label",
        "--policy",
        "fixtures/policies/team-labels",
    ]));
    assert_eq!(ran.code, 0);
    assert!(!ran.stdout.contains("docs/checks.md"), "{}", ran.stdout);
}

#[test]
fn help_cites_no_internal_spec() {
    let ran = run(rampart().args(["check", "--help"]));
    assert!(!ran.stdout.contains("SPEC"), "{}", ran.stdout);
}

#[test]
fn sarif_ranks_only_security_rules_as_security_and_takes_a_category() {
    let ran = run(rampart().args([
        "check",
        K8S,
        "--format",
        "sarif",
        "--sarif-category",
        "rampart/k8s/",
    ]));
    let sarif: Value = serde_json::from_str(&ran.stdout).unwrap();
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["automationDetails"]["id"], "rampart/k8s/");
    let rule = |id: &str| -> &Value {
        run0["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
    };
    let tags = |id: &str| -> Vec<String> {
        rule(id)["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    let cpu = rule("missing-cpu-limit");
    assert!(cpu["properties"]["security-severity"].is_null(), "{cpu}");
    assert_eq!(tags("missing-cpu-limit"), ["resources"]);
    let root = rule("run-as-root");
    assert_eq!(root["properties"]["security-severity"], "8.0");
    assert_eq!(tags("run-as-root"), ["security", "external/cwe/cwe-250"]);
    assert!(tags("hardcoded-secret").contains(&"secrets".to_string()));
    // Without the flag, no automationDetails.
    let ran = run(rampart().args(["check", K8S, "--format", "sarif"]));
    let sarif: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert!(sarif["runs"][0]["automationDetails"].is_null());
}

#[test]
fn no_progress_indicator_outside_a_terminal() {
    let ran = run(rampart().args(["check", K8S, "--format", "concise"]));
    assert!(!ran.stderr.contains("linting…"), "{}", ran.stderr);
    assert!(!ran.stderr.contains('\r'), "{}", ran.stderr);
}

/// The human report on a pseudo-terminal of `cols` columns (util-linux `script`), `None`
/// (with a note) where `script` is missing.
fn on_a_terminal(cols: u16, term_program: &str, color: &str) -> Option<String> {
    let script = external_tool("RAMPART_SCRIPT", "script")?;
    let command = format!(
        "stty cols {cols} rows 50; exec '{}' check --color {color} {K8S}/mysql-backup.yaml",
        env!("CARGO_BIN_EXE_rampart")
    );
    let ran = run(std::process::Command::new(script)
        .current_dir(root())
        .args(["-qec", &command, "/dev/null"])
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .env_remove("FORCE_HYPERLINK")
        .env_remove("CI")
        .env_remove("VTE_VERSION")
        .env_remove("WT_SESSION")
        .env_remove("KONSOLE_VERSION")
        .env_remove("DOMTERM")
        .env("TERM", "xterm-256color")
        .env("TERM_PROGRAM", term_program));
    Some(ran.stdout.replace('\r', ""))
}

#[test]
fn the_terminal_report_fits_the_terminal_and_links_only_where_supported() {
    let Some(narrow) = on_a_terminal(60, "tmux", "never") else {
        return;
    };
    let wide = on_a_terminal(200, "tmux", "never").unwrap();
    let help_width = |text: &str| {
        text.lines()
            .filter(|l| l.trim_start().starts_with("help:"))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or_else(|| panic!("no help line in:\n{text}"))
    };
    assert!(help_width(&narrow) <= 60, "{narrow}");
    assert!(help_width(&wide) > 60, "{wide}");

    let osc8 = "\u{1b}]8;";
    let tmux = on_a_terminal(100, "tmux", "always").unwrap();
    assert!(!tmux.contains(osc8), "hyperlinks in tmux:\n{tmux}");
    assert!(
        tmux.contains("docs/checks.md#"),
        "the docs URL is shown instead"
    );
    let wezterm = on_a_terminal(100, "WezTerm", "always").unwrap();
    assert!(
        wezterm.contains(osc8),
        "no hyperlinks in WezTerm:\n{wezterm}"
    );
}
