//! Suppressions, configuration and baselines, from the outside: each test builds a small
//! repository in a temporary directory and runs the real binary in it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
spec:
  containers:
    - name: api
      image: registry.example.com/api:1.0.0
      securityContext:
        privileged: true
";

/// A throwaway repository (a `.git` directory stops config discovery at its root).
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        Repo { dir }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
    fn rampart(&self) -> Command {
        let mut c = rampart();
        c.current_dir(self.path());
        c
    }
    fn json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let ran = run(self
            .rampart()
            .args(["check", "--format", "json"])
            .args(args));
        let json = serde_json::from_str(&ran.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", ran.stdout, ran.stderr));
        (ran.code, json)
    }
}

#[test]
fn annotation_suppresses_and_stays_in_the_report() {
    let repo = Repo::new();
    repo.write(
        "pod.yaml",
        &POD.replace(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    ignore.rampart.dev/privileged-container: \"node debugging needs the host's devices\"\n",
        ),
    );
    let (code, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--only",
        "unused-suppression",
        "pod.yaml",
    ]);
    assert_eq!(code, 0, "suppressed findings do not fail the run: {json}");
    let f = findings_of(&json, "privileged-container");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["suppressed"]["kind"], "annotation");
    assert_eq!(
        f[0]["suppressed"]["reason"],
        "node debugging needs the host's devices"
    );
    assert_eq!(json["summary"]["suppressed"], 1);
    assert_eq!(json["summary"]["findings"], 0);
    assert!(findings_of(&json, "unused-suppression").is_empty());
    // The human report hides it but counts it.
    let human = run(repo
        .rampart()
        .args(["check", "--only", "privileged-container", "pod.yaml"]));
    assert!(!human.stdout.contains("is privileged"), "{}", human.stdout);
    assert!(human.stdout.contains("1 suppressed"), "{}", human.stdout);
}

#[test]
fn inline_comments_cover_their_line_or_the_node_below() {
    let repo = Repo::new();
    // A trailing comment covers its own line only.
    repo.write(
        "trailing.yaml",
        &POD.replace(
            "privileged: true\n",
            "privileged: true # rampart:ignore privileged-container,run-as-root needs the host's devices\n",
        ),
    );
    let (_, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--only",
        "run-as-root",
        "trailing.yaml",
    ]);
    assert_eq!(
        findings_of(&json, "privileged-container")[0]["suppressed"]["kind"],
        "comment"
    );
    assert!(
        findings_of(&json, "run-as-root")[0]["suppressed"].is_null(),
        "run-as-root points at another line and stays"
    );
    // On its own line, the comment covers the container below and everything inside it.
    repo.write(
        "above.yaml",
        &POD.replace(
            "    - name: api\n",
            "    # rampart:ignore privileged-container,run-as-root legacy image, tracked in OPS-12\n    - name: api\n",
        ),
    );
    let (code, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--only",
        "run-as-root",
        "above.yaml",
    ]);
    assert_eq!(code, 0, "{json}");
    for check in ["privileged-container", "run-as-root"] {
        let f = &findings_of(&json, check)[0];
        assert_eq!(
            f["suppressed"]["reason"], "legacy image, tracked in OPS-12",
            "{check}"
        );
    }
}

#[test]
fn config_ignores_match_check_path_and_resource_and_report_when_unused() {
    let repo = Repo::new();
    repo.write("deploy/logging/pod.yaml", POD);
    repo.write(
        "deploy/shop/pod.yaml",
        &POD.replace("name: api\n  namespace", "name: web\n  namespace"),
    );
    repo.write(
        ".rampart.yaml",
        "ignore:\n  - check: privileged-container\n    paths: [\"deploy/logging/**\"]\n    reason: the log shipper reads host devices\n  - check: [run-as-root]\n    resource: Pod/shop/web\n    reason: vendor image, see VENDOR-7\n  - check: host-namespace\n    reason: nothing uses the host network any more\n",
    );
    let (code, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--only",
        "run-as-root",
        "--only",
        "host-namespace",
        "--only",
        "unused-suppression",
        "deploy",
    ]);
    assert_eq!(code, 1, "{json}");
    let privileged = findings_of(&json, "privileged-container");
    let by_file = |f: &&serde_json::Value| f["file"].as_str().unwrap().to_string();
    let logging = privileged
        .iter()
        .find(|f| by_file(f).contains("logging"))
        .unwrap();
    let shop = privileged
        .iter()
        .find(|f| by_file(f).contains("shop"))
        .unwrap();
    assert_eq!(logging["suppressed"]["kind"], "config");
    assert!(shop["suppressed"].is_null());
    let root = findings_of(&json, "run-as-root");
    assert_eq!(
        root.iter().filter(|f| !f["suppressed"].is_null()).count(),
        1
    );
    // The third entry matched nothing: reported at its line in .rampart.yaml.
    let unused = findings_of(&json, "unused-suppression");
    assert_eq!(unused.len(), 1, "{unused:?}");
    assert_eq!(unused[0]["file"], ".rampart.yaml");
    assert_eq!(unused[0]["line"], 8);
}

#[test]
fn config_is_strict_and_located() {
    let repo = Repo::new();
    repo.write("pod.yaml", POD);
    repo.write(
        ".rampart.yaml",
        "checks:\n  disable: [run-as-root]\nparams:\n  min-replica: 3\n",
    );
    let ran = run(repo.rampart().args(["check", "pod.yaml"]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr
            .contains(".rampart.yaml:4:3: unknown key `min-replica`"),
        "{}",
        ran.stderr
    );
    repo.write(".rampart.yaml", "fail-on: [high]\n");
    let ran = run(repo.rampart().args(["check", "pod.yaml"]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr
            .contains(".rampart.yaml:1:10: a severity must be a string"),
        "{}",
        ran.stderr
    );
    repo.write(".rampart.yaml", "checks:\n  disable: [no-such-check]\n");
    let ran = run(repo.rampart().args(["check", "pod.yaml"]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("unknown check `no-such-check`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn config_is_found_upward_but_not_above_the_repository() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(
        outer.path().join(".rampart.yaml"),
        "checks:\n  disable: [privileged-container]\n",
    )
    .unwrap();
    let repo_dir = outer.path().join("repo");
    std::fs::create_dir_all(repo_dir.join(".git")).unwrap();
    std::fs::create_dir_all(repo_dir.join("deploy")).unwrap();
    std::fs::write(repo_dir.join("deploy/pod.yaml"), POD).unwrap();
    let count = |cwd: &Path| {
        let ran = run(rampart()
            .current_dir(cwd)
            .args(["check", "--format", "json", "."]));
        let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
        findings_of(&json, "privileged-container").len()
    };
    assert_eq!(
        count(&repo_dir.join("deploy")),
        1,
        "the config above the repository root is not read"
    );
    std::fs::write(
        repo_dir.join(".rampart.yaml"),
        "checks:\n  disable: [privileged-container]\n",
    )
    .unwrap();
    assert_eq!(
        count(&repo_dir.join("deploy")),
        0,
        "the repository's config is found from a subdirectory"
    );
    // --enable on the command line wins over the file.
    let ran = run(rampart().current_dir(repo_dir.join("deploy")).args([
        "check",
        "--format",
        "json",
        "--enable",
        "privileged-container",
        ".",
    ]));
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(findings_of(&json, "privileged-container").len(), 1);
}

#[test]
fn config_sets_severity_fail_on_exclude_and_params() {
    let repo = Repo::new();
    repo.write("pod.yaml", POD);
    repo.write("vendor/pod.yaml", POD);
    repo.write(
        "psp.yaml",
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: old\nspec: {}\n",
    );
    repo.write(
        ".rampart.yaml",
        "checks:\n  severity:\n    privileged-container: low\nexclude: [\"vendor/**\"]\nfail-on: high\nparams:\n  kubernetes-version: \"1.24\"\n",
    );
    let (code, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--only",
        "removed-api-version",
        ".",
    ]);
    let f = findings_of(&json, "privileged-container");
    assert_eq!(f.len(), 1, "vendor/ is excluded");
    assert_eq!(f[0]["severity"], "low");
    assert!(
        findings_of(&json, "removed-api-version").is_empty(),
        "PodSecurityPolicy is still served by 1.24"
    );
    assert_eq!(code, 0, "a low finding is below fail-on: high");
    // --fail-on on the command line wins.
    let ran = run(repo.rampart().args([
        "check",
        "--only",
        "privileged-container",
        "--fail-on",
        "low",
        ".",
    ]));
    assert_eq!(ran.code, 1);
}

#[test]
fn baselines_survive_line_shifts_but_not_changes() {
    let repo = Repo::new();
    repo.write("pod.yaml", POD);
    let ran = run(repo.rampart().args([
        "check",
        "--only",
        "privileged-container",
        "--write-baseline",
        "baseline.json",
        "pod.yaml",
    ]));
    assert_eq!(ran.code, 1);
    let (code, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--baseline",
        "baseline.json",
        "pod.yaml",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        findings_of(&json, "privileged-container")[0]["suppressed"]["kind"],
        "baseline"
    );

    // Lines inserted above the finding: still baselined.
    repo.write("pod.yaml", &format!("# A comment\n# and another\n{POD}"));
    let (code, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--baseline",
        "baseline.json",
        "pod.yaml",
    ]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(findings_of(&json, "privileged-container")[0]["line"], 13);

    // The finding changed (another container): no longer baselined.
    repo.write("pod.yaml", &POD.replace("- name: api", "- name: worker"));
    let (code, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--baseline",
        "baseline.json",
        "pod.yaml",
    ]);
    assert_eq!(code, 1);
    assert!(findings_of(&json, "privileged-container")[0]["suppressed"].is_null());

    let ran = run(repo
        .rampart()
        .args(["check", "--baseline", "missing.json", "pod.yaml"]));
    assert_eq!(ran.code, 2);
}

#[test]
fn init_writes_a_config_that_loads() {
    let repo = Repo::new();
    let ran = run(repo.rampart().arg("init"));
    assert_eq!(ran.code, 0);
    let text = std::fs::read_to_string(repo.path().join(".rampart.yaml")).unwrap();
    assert!(text.contains("# "), "the template is commented");
    repo.write("pod.yaml", POD);
    let ran = run(repo.rampart().args(["check", "pod.yaml"]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(
        run(repo.rampart().arg("init")).code,
        2,
        "init does not overwrite"
    );
    assert_eq!(run(repo.rampart().args(["init", "--force"])).code, 0);
}

#[test]
fn compose_services_suppress_with_x_rampart_ignore() {
    let repo = Repo::new();
    repo.write(
        "compose.yaml",
        "services:\n  debug:\n    image: busybox:1.36\n    privileged: true\n    x-rampart-ignore:\n      privileged-container: \"attaches to host devices for diagnostics\"\n      run-as-root: \"\"\n",
    );
    let (code, json) = repo.json(&[
        "--only",
        "privileged-container",
        "--only",
        "run-as-root",
        "--only",
        "invalid-suppression",
        ".",
    ]);
    assert_eq!(code, 1);
    let privileged = findings_of(&json, "privileged-container");
    assert_eq!(
        privileged[0]["suppressed"]["reason"],
        "attaches to host devices for diagnostics"
    );
    assert!(
        findings_of(&json, "run-as-root")[0]["suppressed"].is_null(),
        "an empty reason suppresses nothing"
    );
    let invalid = findings_of(&json, "invalid-suppression");
    assert_eq!(invalid.len(), 1);
    assert_eq!(invalid[0]["line"], 7);
}
