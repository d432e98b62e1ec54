//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` (installed
//! by `.ci/run`; the test is skipped with a note without it) in a throwaway repository whose
//! `.pre-commit-config.yaml` points at this checkout, pinned at HEAD as a user pins a tag.
//!
//! pre-commit's `language: rust` runs `cargo install --bins --root <env> --path .` on its own
//! clone. The test leaves that command alone and only tunes its environment: offline (every
//! crate is already in the local cache after `cargo test` built rampart), unoptimised
//! (`CARGO_PROFILE_RELEASE_*`: a release build of rampart's dependencies takes minutes),
//! and a target directory kept under this checkout's `target/`, so that the next run
//! recompiles only rampart.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use common::*;

/// A manifest with findings: a Pod that may run as root and has no probes.
const BAD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      ports:
        - containerPort: 8080
";

/// The same Pod, hardened against every built-in check, with the NetworkPolicy that
/// selects it in the same file: the staged-files hook sees only this file.
const FIXED: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
    - name: web
      image: nginx:1.27
      ports:
        - name: http
          containerPort: 8080
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
      resources:
        requests: {cpu: 100m, memory: 64Mi}
        limits: {cpu: 500m, memory: 128Mi}
      livenessProbe:
        httpGet: {path: /healthz, port: http}
      readinessProbe:
        httpGet: {path: /ready, port: http}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: 8080
";

/// A Service on nodePort 30080; two of them in two files conflict.
fn service(name: &str) -> String {
    format!(
        "\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  type: NodePort
  selector:
    app: {name}
  ports:
    - port: 80
      targetPort: 8080
      nodePort: 30080
"
    )
}

struct Project {
    dir: tempfile::TempDir,
    pre_commit: PathBuf,
    home: PathBuf,
    cargo_target: PathBuf,
}

impl Project {
    /// A fresh git repository whose config uses the given hooks of this checkout at `rev`.
    fn new(pre_commit: PathBuf, rev: &str, hooks: &[&str]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        // Kept between runs, like a developer's ~/.cache/pre-commit, under cargo's target dir.
        let target = Path::new(env!("CARGO_BIN_EXE_rampart"))
            .parent()
            .and_then(Path::parent)
            .unwrap()
            .join("pre-commit");
        let project = Project {
            dir,
            pre_commit,
            home: target.join("home"),
            cargo_target: target.join("cargo"),
        };
        project.git(&["init", "--quiet"]);
        let mut config = format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n",
            root().display()
        );
        for hook in hooks {
            config.push_str(&format!("      - id: {hook}\n"));
        }
        project.write(".pre-commit-config.yaml", &config);
        project
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn git(&self, args: &[&str]) {
        let out = clean_git(Command::new("git"))
            .current_dir(self.dir.path())
            .args([
                "-c",
                "user.name=rampart tests",
                "-c",
                "user.email=tests@rampart.invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
    }

    /// `pre-commit run` with extra arguments; its output (stdout and stderr).
    fn run(&self, args: &[&str]) -> (bool, String) {
        let started = Instant::now();
        let out = clean_git(Command::new(&self.pre_commit))
            .current_dir(self.dir.path())
            .args(["run", "--color", "never"])
            .args(args)
            .env("PRE_COMMIT_HOME", &self.home)
            .env("CARGO_TARGET_DIR", &self.cargo_target)
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
            .env("CARGO_PROFILE_RELEASE_BUILD_OVERRIDE_OPT_LEVEL", "0")
            .output()
            .expect("pre-commit runs");
        note(&format!(
            "pre-commit run {} took {:.1}s",
            args.join(" "),
            started.elapsed().as_secs_f64()
        ));
        (out.status.success(), text(&out))
    }
}

/// Git variables inherited from a hook or a worktree would point the child at another repo.
fn clean_git(mut cmd: Command) -> Command {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_COMMON_DIR",
        "GIT_PREFIX",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// This checkout's HEAD, when it is a git checkout whose HEAD has the hooks file.
fn head() -> Option<String> {
    let out = clean_git(Command::new("git"))
        .current_dir(root())
        .args(["rev-parse", "--verify", "HEAD:.pre-commit-hooks.yaml"])
        .output()
        .ok()?;
    if !out.status.success() {
        note("skipped: this checkout's HEAD has no .pre-commit-hooks.yaml (or it is not git)");
        return None;
    }
    let out = clean_git(Command::new("git"))
        .current_dir(root())
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    let rev = String::from_utf8(out.stdout).ok()?.trim().to_string();
    let dirty = clean_git(Command::new("git"))
        .current_dir(root())
        .args([
            "diff",
            "--quiet",
            "HEAD",
            "--",
            ".pre-commit-hooks.yaml",
            "src",
        ])
        .status()
        .map(|s| !s.success())
        .unwrap_or(false);
    if dirty {
        note(&format!(
            "pre-commit builds the hook from HEAD ({rev}), not from uncommitted changes"
        ));
    }
    Some(rev)
}

#[test]
fn hook_fails_on_a_bad_manifest_and_passes_once_fixed() {
    let Some(pre_commit) = external_tool("RAMPART_PRE_COMMIT", "pre-commit") else {
        return;
    };
    let Some(rev) = head() else { return };
    let project = Project::new(pre_commit, &rev, &["rampart"]);
    project.write("deploy/web.yaml", BAD);
    project.git(&["add", "--all"]);

    let (ok, out) = project.run(&["--all-files"]);
    assert!(!ok, "the hook passed on a bad manifest:\n{out}");
    assert!(out.contains("rampart") && out.contains("Failed"), "{out}");
    // rampart's own diagnostic, at the container's line.
    assert!(out.contains("run-as-root (high)"), "{out}");
    assert!(out.contains("╭─[deploy/web.yaml:9:7]"), "{out}");

    project.write("deploy/web.yaml", FIXED);
    project.git(&["add", "--all"]);
    let (ok, out) = project.run(&["--all-files"]);
    assert!(ok, "the hook failed on the fixed manifest:\n{out}");
    assert!(out.contains("Passed"), "{out}");
}

/// pre-commit passes only the staged files; the `rampart` hook reads the repository's other
/// manifests as context, so a conflict with a file that is not staged is caught, reported on
/// the staged side. `rampart-all` reports it on both sides.
#[test]
fn the_staged_files_hook_sees_conflicts_with_unstaged_files() {
    let Some(pre_commit) = external_tool("RAMPART_PRE_COMMIT", "pre-commit") else {
        return;
    };
    let Some(rev) = head() else { return };
    let project = Project::new(pre_commit, &rev, &["rampart", "rampart-all"]);
    project.write("deploy/admin.yaml", &service("admin"));
    project.git(&["add", "--all"]);
    project.git(&["commit", "--quiet", "--message", "admin"]);
    project.write("deploy/shop.yaml", &service("shop"));
    project.git(&["add", "deploy/shop.yaml"]);

    let (ok, out) = project.run(&[]);
    assert!(!ok, "{out}");
    let per_hook: Vec<&str> = out.lines().filter(|l| l.starts_with("rampart")).collect();
    assert_eq!(per_hook.len(), 2, "{out}");
    assert!(
        per_hook[0].starts_with("rampart.") && per_hook[0].ends_with("Failed"),
        "{out}"
    );
    assert!(
        per_hook[1].starts_with("rampart (whole tree)") && per_hook[1].ends_with("Failed"),
        "{out}"
    );
    // The staged hook's report: on shop.yaml, admin.yaml as the related location.
    let staged = &out[..out.find("rampart (whole tree)").unwrap()];
    assert!(
        staged.contains("nodePort 30080 is also used by Service default/admin"),
        "{out}"
    );
    assert!(staged.contains("╭─[deploy/shop.yaml:"), "{out}");
    // admin.yaml appears as the related location only: one finding, in one linted file.
    assert!(staged.contains("☞ nodePort 30080 also used here"), "{out}");
    assert!(staged.contains("1 finding (1 high) in 1 file"), "{out}");
}
