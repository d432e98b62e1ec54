//! Issue 16: a pull request cannot crash, hang, exhaust or read through rampart. One test per
//! row of the issue (row 10, line endings, is tested with the decoder). Hostile files (FIFOs,
//! symlinks, sparse files, deep nesting) are made in temporary directories at test time.
//!
//! A run that hangs would hang the test: [`bounded`] kills it after a generous deadline and
//! fails, so a regression is a failure, not a stuck CI job. It measures nothing.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs a command, failing the test if it has not ended after 120 s (it hangs).
fn bounded(cmd: &mut Command) -> Ran {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rampart starts");
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            r.read_to_end(&mut s).unwrap();
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let (out, err) = (read(Box::new(out)), read(Box::new(err)));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("rampart hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// `rampart check --format json ARGS` from `dir`.
fn check_in(dir: &Path, args: &[&str]) -> (Ran, serde_json::Value) {
    let ran = bounded(
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(dir)
            .stdin(Stdio::null())
            .args(["check", "--format", "json"])
            .args(args),
    );
    let json = serde_json::from_str(&ran.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}), exit {}: {}\nstderr: {}",
            ran.code, ran.stdout, ran.stderr
        )
    });
    (ran, json)
}

fn messages(json: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["findings", "errors"] {
        for f in json[key].as_array().unwrap() {
            out.push(f["message"].as_str().unwrap().to_string());
        }
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

const POD: &str = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \
                   \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx:1.27\"}]}}\n";

/// A user check on Pods whose `deny` body is `body`.
fn policy(id: &str, body: &str) -> String {
    format!(
        "# METADATA\n# title: T\n# description: |\n#   D.\n#\n#   Why it matters: test.\n\
         # related_resources:\n#   - ref: https://example.com\n# custom:\n#   id: {id}\n\
         #   severity: low\n#   family: test\n#   targets: [Pod]\n#   remediation: None.\n\
         package acme.{pkg}\n\nimport rego.v1\n\n{body}\n",
        pkg = id.replace('-', "_")
    )
}

/// Row 1: `${A:-${A:-…}}` 5,000 deep aborted the run with a stack overflow.
#[test]
fn row01_deep_interpolation_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}x{}", "${A:-".repeat(5000), "}".repeat(5000));
    write(
        dir.path(),
        "compose.yaml",
        &format!("services:\n  web:\n    image: \"{deep}\"\n"),
    );
    write(dir.path(), ".env", &format!("B={deep}\n"));
    let (ran, json) = check_in(dir.path(), &["compose.yaml"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let nested: Vec<_> = findings_of(&json, "invalid-compose")
        .into_iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("nested more than 32")
        })
        .collect();
    assert_eq!(nested.len(), 1, "{json}");
    assert_eq!(
        (nested[0]["line"].as_u64(), nested[0]["column"].as_u64()),
        (Some(3), Some(5))
    );
}

/// Row 2: a recursive function in a policy directory the repository's config names.
#[test]
fn row02_recursive_policies_are_rejected_at_load() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.json", POD);
    write(dir.path(), ".rampart.yaml", "policies: [rego]\n");
    write(
        dir.path(),
        "rego/loop.rego",
        &policy(
            "loops",
            "f(x) := y if {\n\ty := f(x + 1)\n}\n\ndeny contains {\"msg\": \"m\", \"path\": []} if f(1) > 0",
        ),
    );
    let ran = bounded(
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .args(["check", "pod.json"]),
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("loop.rego:20:7: recursive function call: acme.loops.f → acme.loops.f"),
        "{}",
        ran.stderr
    );
}

/// Row 3: `extends.file` naming a file outside the project printed its lines in the snippet.
#[test]
fn row03_extends_cannot_read_outside_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "aws_secret_access_key = NOT-A-REAL-KEY-0123456789";
    write(dir.path(), "credentials", &format!("[default]\n{secret}\n"));
    let project = dir.path().join("project");
    let absolute = dir.path().join("credentials");
    write(
        &project,
        "compose.yaml",
        &format!(
            "services:\n  a:\n    image: nginx:1.27\n    extends: {{file: ../credentials, service: x}}\n  \
             b:\n    image: nginx:1.27\n    extends: {{file: {}, service: x}}\n",
            absolute.display()
        ),
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(&absolute, project.join("link.yaml")).unwrap();
    #[cfg(unix)]
    std::fs::write(
        project.join("compose.yaml"),
        std::fs::read_to_string(project.join("compose.yaml")).unwrap()
            + "  c:\n    image: nginx:1.27\n    extends: {file: link.yaml, service: x}\n",
    )
    .unwrap();
    let ran = bounded(
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(&project)
            .stdin(Stdio::null())
            .args(["check", "compose.yaml"]),
    );
    assert!(!ran.stdout.contains("NOT-A-REAL-KEY"), "{}", ran.stdout);
    assert!(!ran.stderr.contains("NOT-A-REAL-KEY"), "{}", ran.stderr);
    let outside = ran.stdout.matches("is outside the project").count();
    assert_eq!(outside, if cfg!(unix) { 3 } else { 2 }, "{}", ran.stdout);

    // A walked directory: a symlink out of it is not followed.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&absolute, project.join("creds.yaml")).unwrap();
        let (ran, json) = check_in(&project, &["."]);
        assert!(!ran.stdout.contains("NOT-A-REAL-KEY"), "{}", ran.stdout);
        assert!(
            messages(&json)
                .iter()
                .any(|m| m.starts_with("symlink refused: `creds.yaml` is outside the project")),
            "{json}"
        );
    }
}

/// Row 4: a 1 GiB sparse `.env` was read whole (27 s, 5.2 GB).
#[test]
fn row04_a_huge_dotenv_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n",
    );
    let env = std::fs::File::create(dir.path().join(".env")).unwrap();
    env.set_len(1024 * 1024 * 1024).unwrap();
    let (ran, json) = check_in(dir.path(), &["compose.yaml"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json}");
    assert_eq!(errors[0]["file"], ".env");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than the 64 MiB rampart reads"),
        "{json}"
    );
}

/// Row 5: a symlink to `/dev/stdin` in a walked directory, a FIFO named by `extends` or on the
/// command line, a FIFO as `.env`: each hung forever.
#[cfg(unix)]
#[test]
fn row05_fifos_and_devices_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let walked = dir.path().join("walked");
    write(&walked, "pod.json", POD);
    std::os::unix::fs::symlink("/dev/stdin", walked.join("x.yaml")).unwrap();
    mkfifo(&walked.join("f.yaml"));
    let project = dir.path().join("project");
    write(
        &project,
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    extends: {file: base.yaml, service: x}\n",
    );
    mkfifo(&project.join("base.yaml"));
    mkfifo(&project.join(".env"));
    mkfifo(&dir.path().join("named.yaml"));
    // stdin is a pipe that is never written to: reading it would block.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rampart"));
    cmd.current_dir(dir.path()).stdin(Stdio::piped()).args([
        "check",
        "--format",
        "json",
        "walked",
        "project/compose.yaml",
        "named.yaml",
    ]);
    let ran = bounded(&mut cmd);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect(&ran.stderr);
    assert_eq!(ran.code, 2);
    let all = messages(&json);
    let refused = all
        .iter()
        .filter(|m| m.contains("not a regular file") || m.contains("symlink refused"))
        .count();
    // x.yaml, f.yaml, named.yaml, base.yaml (through extends) and .env.
    assert_eq!(refused, 5, "{all:#?}\n{json}");
    assert_eq!(
        json["summary"]["resources"], 2,
        "the pod and the service are still linted"
    );
}

/// Row 6: `-o /dev/stdout` replaced the symlink with a regular file. Any symlink is written
/// through; so is a FIFO.
#[cfg(unix)]
#[test]
fn row06_symlinks_and_fifos_are_written_through() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.json", POD);
    write(dir.path(), "real.json", "old");
    std::os::unix::fs::symlink("real.json", dir.path().join("out.json")).unwrap();
    let fifo = dir.path().join("fifo.json");
    mkfifo(&fifo);
    let reader = std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap());
    let ran = bounded(
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .args([
                "check",
                "-f",
                "json",
                "-o",
                "out.json",
                "--report",
                "sarif=fifo.json",
            ])
            .arg("pod.json"),
    );
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let link = std::fs::symlink_metadata(dir.path().join("out.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the symlink is kept");
    let real = std::fs::read_to_string(dir.path().join("real.json")).unwrap();
    assert!(real.starts_with('{'), "{real}");
    assert!(reader.join().unwrap().contains("\"version\": \"2.1.0\""));
}

/// Row 7: `numbers.range(1, 2000000000)` aborted on a 48 GB allocation.
#[test]
fn row07_allocating_builtins_are_capped_per_call() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.json", POD);
    write(
        dir.path(),
        "rego/big.rego",
        &policy(
            "big-range",
            "deny contains {\"msg\": \"m\", \"path\": []} if {\n\tinput.kind == \"Pod\"\n\tcount(numbers.range(1, 2000000000)) > 0\n}",
        ),
    );
    let (ran, json) = check_in(
        dir.path(),
        &[
            "--policy",
            "rego",
            "--only",
            "big-range",
            "--only",
            "run-as-root",
            "pod.json",
        ],
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let errors = messages(&json);
    assert!(
        errors
            .iter()
            .any(|m| m.contains("check `big-range` failed")
                && m.contains("over the budget of 100000")),
        "{errors:#?}"
    );
    assert_eq!(
        findings_of(&json, "run-as-root").len(),
        1,
        "the run goes on"
    );
}

/// Row 8: a rule that does not depend on the input and runs out of time ended the run with
/// no report; a per-evaluation limit is set with `RAMPART_POLICY_TIME_LIMIT_MS`.
#[test]
fn row08_a_policy_over_its_time_limit_is_an_error_and_the_report_is_written() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.json", POD);
    write(
        dir.path(),
        "rego/slow.rego",
        &policy(
            "slow",
            "n := count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)])\n\n\
             deny contains {\"msg\": \"m\", \"path\": []} if n > 0",
        ),
    );
    let ran = bounded(
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .env("RAMPART_POLICY_TIME_LIMIT_MS", "200")
            .args([
                "check", "--format", "json", "--policy", "rego", "--only", "slow",
            ])
            .args(["--only", "run-as-root", "pod.json"]),
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect(&ran.stderr);
    let errors = messages(&json);
    assert!(
        errors
            .iter()
            .any(|m| m.contains("check `slow` failed") && m.contains("time limit")),
        "{errors:#?}"
    );
    assert_eq!(findings_of(&json, "run-as-root").len(), 1);
}

/// Row 9: two different findings shared one fingerprint.
#[test]
fn row09_fingerprints_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  a:\n    image: nginx:1.27\n    ports: [\"127.0.0.1:80:80\", \"127.0.0.1:80:80/tcp\"]\n  \
         b:\n    image: nginx:1.27\n    ports: [\"0.0.0.0:80:80\"]\n",
    );
    let (_, json) = check_in(dir.path(), &["compose.yaml"]);
    let prints: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let unique: std::collections::HashSet<_> = prints.iter().collect();
    assert!(prints.len() > 3, "{json}");
    assert_eq!(unique.len(), prints.len(), "{json}");
}

/// `/dev/null` opened read-write as standard output (Python's `subprocess.DEVNULL`, editors
/// and hooks that keep only the exit status) is an open output, not a closed one: the run's
/// status is its findings', and nothing is said. It was taken for `>&-` (exit 2), which the
/// standard library turns into the same descriptor before `main`.
#[cfg(unix)]
#[test]
fn dev_null_open_read_write_is_an_open_standard_output() {
    let null = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .unwrap();
    // `output` keeps the standard output given and captures the standard error.
    let ran = rampart()
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::from(null))
        .args(["check", "fixtures/inputs/pod.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert_eq!(ran.status.code(), Some(1), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// Row 11: a closed standard output was exit 1 without a word; two reports to one file
/// overwrote each other silently.
#[cfg(unix)]
#[test]
fn row11_write_failures_and_clashing_outputs_are_errors() {
    let ran = bounded(
        Command::new("sh")
            .current_dir(root())
            .stdin(Stdio::null())
            .arg("-c")
            .arg("exec \"$0\" check fixtures/inputs/pod.json >&-")
            .arg(env!("CARGO_BIN_EXE_rampart")),
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("standard output is closed"),
        "{}",
        ran.stderr
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.sarif");
    let ran = bounded(
        rampart()
            .args(["check", "-f", "json", "-o"])
            .arg(&out)
            .arg("--report")
            .arg(format!("sarif={}/./r.sarif", dir.path().display()))
            .arg("fixtures/inputs/pod.json"),
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("is named twice (-o and --report)"),
        "{}",
        ran.stderr
    );
    assert!(!out.exists());

    if Path::new("/dev/full").exists() {
        let ran = bounded(rampart().args(["check", "-o", "/dev/full", "fixtures/inputs/pod.json"]));
        assert_eq!(ran.code, 2);
        assert!(
            ran.stderr.contains("cannot write /dev/full"),
            "{}",
            ran.stderr
        );
    }
}

/// Row 12: a cross-file `extends` cycle listed its services out of order, an unknown check in
/// `checks.disable` had no position, `# rampart:ignore *` was undocumented.
#[test]
fn row12_messages_are_located_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    extends: {file: base.yaml, service: base}\n",
    );
    write(
        dir.path(),
        "base.yaml",
        "services:\n  base:\n    extends: {file: compose.yaml, service: web}\n",
    );
    let (_, json) = check_in(dir.path(), &["compose.yaml"]);
    let cycle: Vec<String> = messages(&json)
        .into_iter()
        .filter(|m| m.starts_with("circular"))
        .collect();
    assert_eq!(
        cycle,
        ["circular `extends`: web (compose.yaml) → base (base.yaml) → web (compose.yaml)"],
        "{json}"
    );

    write(
        dir.path(),
        ".rampart.yaml",
        "checks:\n  disable:\n    - run-as-root\n    - no-such-check\n",
    );
    let ran = bounded(
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .args(["check", "compose.yaml"]),
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr
            .contains(".rampart.yaml:4:7: unknown check `no-such-check` in `checks.disable`"),
        "{}",
        ran.stderr
    );

    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains("`# rampart:ignore * "),
        "the wildcard is documented"
    );
}

/// Row 13: a kill between the renames of `-o` and `--report` left a half-updated set. Every
/// file is staged before any is renamed: when one cannot be written, none is replaced.
#[test]
fn row13_reports_are_replaced_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    std::fs::write(&first, "old").unwrap();
    let ran = bounded(
        rampart()
            .args(["check", "-f", "json", "-o"])
            .arg(&first)
            .arg("--report")
            .arg(format!(
                "sarif={}/missing/dir/r.sarif",
                dir.path().display()
            ))
            .arg("fixtures/inputs/pod.json"),
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(std::fs::read_to_string(&first).unwrap(), "old");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "no temporary file is left: {left:?}");
}

/// Row 14: control characters in a container name reached the terminal raw.
#[test]
fn row14_control_characters_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x\\n::error file=README.md,line=1::owned\\n\\u001b]0;title\\u0007\\u001b[31mred";
    write(
        dir.path(),
        "pod.json",
        &POD.replace("\"name\": \"c\"", &format!("\"name\": \"{name}\""))
            .replace("\"name\": \"p\"", &format!("\"name\": \"{name}\"")),
    );
    // A raw ESC in a comment, shown in the snippet.
    write(
        dir.path(),
        "raw.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: raw # \u{1b}]0;title\u{7}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n",
    );
    for color in ["never", "always"] {
        let ran = bounded(
            Command::new(env!("CARGO_BIN_EXE_rampart"))
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .args(["check", "--color", color, "pod.json", "raw.yaml"]),
        );
        // libyaml (as go-yaml, so kubectl) refuses the raw ESC: an error located at it, whose
        // snippet shows the line with the ESC replaced.
        assert_eq!(ran.code, 2, "{}", ran.stderr);
        assert!(ran.stdout.contains("raw.yaml:4:15"), "{}", ran.stdout);
        assert!(ran.stdout.contains("owned"), "the name is shown, escaped");
        assert!(
            !ran.stdout.contains("\u{1b}]0") && !ran.stdout.contains('\u{7}'),
            "{color}: {:?}",
            ran.stdout
        );
        assert!(
            ran.stdout
                .lines()
                .all(|l| !l.trim_start().starts_with("::")),
            "{}",
            ran.stdout
        );
        if color == "never" {
            assert!(!ran.stdout.contains('\u{1b}'), "{:?}", ran.stdout);
        }
    }
}

/// Row 8, whole run: `--timeout` ends a run that would take longer, with a message and exit
/// status 2, even when every single evaluation stays within its own limit.
#[test]
fn row08_the_whole_run_has_a_timeout() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.json", POD);
    write(
        dir.path(),
        "rego/slow.rego",
        &policy(
            "slow",
            "deny contains {\"msg\": \"m\", \"path\": []} if {\n\tinput.kind == \"Pod\"\n\t\
             count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)]) > 0\n}",
        ),
    );
    let ran = bounded(
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .env("RAMPART_POLICY_TIME_LIMIT_MS", "600000")
            .args([
                "check",
                "--timeout",
                "2",
                "--policy",
                "rego",
                "--only",
                "slow",
                "pod.json",
            ]),
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("did not finish within --timeout 2s"),
        "{}",
        ran.stderr
    );
}

/// Row 2, found by fuzzing (`policy_eval`): regorus's parser takes twice as long for every level
/// of `[` nesting, so 80 levels never finished loading. Deep nesting is refused before parsing.
#[test]
fn row02_deeply_nested_brackets_are_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let body =
        std::fs::read_to_string(root().join("fixtures/inputs/fuzz/rego-nested-brackets.rego"))
            .unwrap();
    write(
        dir.path(),
        "rego/deep.rego",
        &format!("package fuzz\n\nimport rego.v1\n\n{body}\n"),
    );
    let ran = bounded(
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .args(["checks", "--policy", "rego"]),
    );
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("deep.rego:5:14: brackets and braces nested more than 12 deep"),
        "{}",
        ran.stderr
    );
}
