//! The machine reports (SARIF, GitLab Code Quality, GitLab SAST, JUnit), written by the real
//! binary through `--report FMT=FILE`: validated against the vendored schemas
//! (`tests/schemas/`), checked against the human output, and snapshotted with the machine's
//! paths and times redacted.

mod common;

use std::collections::BTreeSet;

use common::*;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

const REFERENCE: &str = "fixtures/reference/kubernetes/as-written";
const WITH_ERRORS: &str = "fixtures/reports/with-errors";
const CROSS_RESOURCE: &str = "fixtures/checks/port-conflict/fail/node-port-across-files";

/// The four reports of one run, as the issue's acceptance command writes them.
struct Reports {
    code: i32,
    human: String,
    sarif: Value,
    sast: Value,
    codequality: Value,
    junit: String,
}

fn reports(paths: &[&str]) -> Reports {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let ran = run(rampart()
        .arg("check")
        .args(paths)
        .arg("--report")
        .arg(format!("sarif={}", file("r.sarif")))
        .arg("--report")
        .arg(format!("gitlab-sast={}", file("s.json")))
        .arg("--report")
        .arg(format!("gitlab-codequality={}", file("c.json")))
        .arg("--report")
        .arg(format!("junit={}", file("j.xml"))));
    let read = |name: &str| {
        std::fs::read_to_string(dir.path().join(name))
            .unwrap_or_else(|e| panic!("{name} not written ({e}); stderr: {}", ran.stderr))
    };
    let json = |name: &str| -> Value {
        serde_json::from_str(&read(name)).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
    };
    // No temporary file is left behind next to the reports.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["c.json", "j.xml", "r.sarif", "s.json"]);
    Reports {
        code: ran.code,
        human: ran.stdout,
        sarif: json("r.sarif"),
        sast: json("s.json"),
        codequality: json("c.json"),
        junit: read("j.xml"),
    }
}

fn schema_errors(schema: &str, instance: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/schemas").join(schema)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn assert_valid(r: &Reports) {
    let errors = schema_errors("sarif-schema-2.1.0.json", &r.sarif);
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
    let errors = schema_errors("gitlab-sast-report-format-15.2.1.json", &r.sast);
    assert!(
        errors.is_empty(),
        "SAST schema errors:\n{}",
        errors.join("\n")
    );
    check_codequality(&r.codequality);
    check_junit(&r.junit);
}

/// GitLab publishes no schema for Code Quality: check what it reads, as its docs list it.
fn check_codequality(report: &Value) {
    let issues = report.as_array().expect("an array of issues");
    let mut fingerprints = BTreeSet::new();
    for issue in issues {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(
                issue[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field} missing in {issue}"
            );
        }
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap()),
            "{issue}"
        );
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap()));
        assert!(issue["location"]["path"].as_str().is_some(), "{issue}");
        let begin = &issue["location"]["positions"]["begin"];
        assert!(begin["line"].as_u64().is_some_and(|l| l >= 1), "{issue}");
        assert_eq!(issue["type"], "issue");
        assert_eq!(issue["categories"].as_array().map(Vec::len), Some(1));
    }
}

/// Well-formed XML whose counts add up: what GitLab's and Jenkins' JUnit readers rely on.
fn check_junit(xml: &str) {
    let mut reader = Reader::from_str(xml);
    let mut suites = 0;
    let mut cases = 0;
    let mut suite_tests = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => match e.name().as_ref() {
                b"testsuite" => {
                    suites += 1;
                    let tests = e.try_get_attribute("tests").unwrap().expect("tests");
                    suite_tests += std::str::from_utf8(&tests.value)
                        .unwrap()
                        .parse::<usize>()
                        .unwrap();
                }
                b"testcase" => cases += 1,
                _ => {}
            },
            Ok(_) => {}
            Err(e) => panic!("JUnit XML is not well formed: {e}\n{xml}"),
        }
    }
    assert!(suites > 0);
    assert_eq!(suite_tests, cases, "testsuite tests= counts");
}

/// Paths and times of this machine and this moment, replaced before snapshotting.
fn redact(mut r: Reports) -> Reports {
    let base = &mut r.sarif["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"];
    assert!(base.as_str().unwrap().starts_with("file:///"), "{base}");
    assert!(base.as_str().unwrap().ends_with('/'), "{base}");
    *base = Value::from("file:///[working directory]/");
    for key in ["start_time", "end_time"] {
        let t = &mut r.sast["scan"][key];
        let s = t.as_str().unwrap();
        assert_eq!(s.len(), 19, "{s}");
        *t = Value::from("[time]");
    }
    r
}

fn snapshot(name: &str, r: &Reports) {
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap();
    insta::with_settings!({snapshot_path => "snapshots/reports", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(format!("{name}__sarif"), pretty(&r.sarif));
        insta::assert_snapshot!(format!("{name}__gitlab_sast"), pretty(&r.sast));
        insta::assert_snapshot!(format!("{name}__gitlab_codequality"), pretty(&r.codequality));
        insta::assert_snapshot!(format!("{name}__junit"), r.junit);
    });
}

#[test]
fn reference_reports_are_valid() {
    let r = reports(&[REFERENCE]);
    assert_eq!(r.code, 1, "{}", r.human);
    assert_valid(&r);
    let results = r.sarif["runs"][0]["results"].as_array().unwrap();
    // Every finding of the run, in every format (the reference has no suppressed finding).
    let (_, json) = check_json(&[REFERENCE]);
    let findings = json["summary"]["findings"].as_u64().unwrap() as usize;
    assert!(findings > 20, "{findings}");
    assert_eq!(results.len(), findings);
    assert_eq!(
        r.sast["vulnerabilities"].as_array().unwrap().len(),
        findings
    );
    assert_eq!(r.codequality.as_array().unwrap().len(), findings);
    assert_eq!(r.sast["scan"]["status"], "success");
    assert_eq!(
        r.sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    snapshot("reference", &redact(r));
}

#[test]
fn input_errors_are_reported_with_their_position() {
    let r = reports(&[WITH_ERRORS]);
    assert_eq!(r.code, 2, "{}", r.human);
    assert_valid(&r);
    let invocation = &r.sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    let physical = &notes[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "fixtures/reports/with-errors/broken.yaml"
    );
    assert_eq!(physical["region"]["startLine"], 7);
    // The human report points at the same place.
    assert!(
        r.human
            .contains("╭─[fixtures/reports/with-errors/broken.yaml:7:5]"),
        "{}",
        r.human
    );
    assert_eq!(r.sast["scan"]["status"], "failure");
    assert!(r.junit.contains("<error message=\"invalid YAML"));
    snapshot("with_errors", &redact(r));
}

#[test]
fn cross_resource_findings_carry_related_locations() {
    let r = reports(&[CROSS_RESOURCE]);
    assert_valid(&r);
    let results = r.sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for result in results {
        let own = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        let related = result["relatedLocations"].as_array().unwrap();
        assert_eq!(related.len(), 1);
        assert_eq!(related[0]["id"], 1);
        let other = &related[0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_ne!(own, other);
        assert!(related[0]["physicalLocation"]["region"]["startLine"].is_u64());
        assert!(related[0]["message"]["text"].is_string());
    }
    snapshot("cross_resource", &redact(r));
}

/// Every SARIF result starts where the human report's diagnostic of the same finding does.
#[test]
fn sarif_regions_match_the_human_output() {
    for paths in [&[REFERENCE][..], &[WITH_ERRORS], &[CROSS_RESOURCE]] {
        let r = reports(paths);
        let mut from_sarif: Vec<(String, String, u64, u64)> = r.sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|res| {
                let p = &res["locations"][0]["physicalLocation"];
                (
                    res["ruleId"].as_str().unwrap().to_string(),
                    p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                    p["region"]["startLine"].as_u64().unwrap(),
                    p["region"]["startColumn"].as_u64().unwrap(),
                )
            })
            .collect();
        let mut from_human = human_starts(&r.human);
        from_sarif.sort();
        from_human.sort();
        assert!(!from_sarif.is_empty());
        assert_eq!(from_sarif, from_human, "{paths:?}");
    }
}

/// `(check, file, line, column)` of every finding in the human report: the header line
/// `check (severity) (url)` and the first `╭─[file:line:column]` after it.
fn human_starts(human: &str) -> Vec<(String, String, u64, u64)> {
    let mut out = Vec::new();
    let mut check: Option<String> = None;
    for line in human.lines() {
        if let Some((id, rest)) = line.split_once(' ') {
            if rest.starts_with('(') && !line.starts_with(' ') && id != "error" {
                check = Some(id.to_string());
                continue;
            }
        }
        if let (Some(id), Some(at)) = (&check, line.split_once("╭─[")) {
            let place = at.1.trim_end_matches(']');
            let mut parts = place.rsplitn(3, ':');
            let col = parts.next().unwrap().parse().unwrap();
            let line = parts.next().unwrap().parse().unwrap();
            let file = parts.next().unwrap().replace(' ', "%20");
            out.push((id.clone(), file, line, col));
            check = None;
        }
    }
    out
}

/// A suppressed finding (suppressions themselves arrive in another issue): SARIF keeps it
/// with `suppressions`, JUnit skips its case, the GitLab reports leave it out.
#[test]
fn suppressed_findings() {
    let mut run = rampart::lint::run(rampart::lint::Options {
        paths: vec![root().join(REFERENCE)],
        ..Default::default()
    })
    .unwrap();
    let target = run
        .findings
        .iter()
        .position(|f| &*f.check == "run-as-root")
        .unwrap();
    run.findings[target].suppressed = Some(Box::new(rampart::finding::Suppression {
        kind: "comment".into(),
        reason: "the image drops to a non-root user itself".into(),
    }));
    let render = |format| {
        let mut out = Vec::new();
        rampart::report::write(format, &run, rampart::report::Style::plain(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    use rampart::report::Format;
    let sarif: Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), run.findings.len());
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{
            "justification": "the image drops to a non-root user itself",
            "kind": "inSource",
            "properties": {"rampartKind": "comment"},
            "status": "accepted"
        }])
    );
    let errors = schema_errors("sarif-schema-2.1.0.json", &sarif);
    assert!(errors.is_empty(), "{errors:?}");

    let codequality: Value = serde_json::from_str(&render(Format::GitlabCodequality)).unwrap();
    assert_eq!(
        codequality.as_array().unwrap().len(),
        run.findings.len() - 1
    );
    let sast: Value = serde_json::from_str(&render(Format::GitlabSast)).unwrap();
    assert_eq!(
        sast["vulnerabilities"].as_array().unwrap().len(),
        run.findings.len() - 1
    );
    let junit = render(Format::Junit);
    check_junit(&junit);
    assert!(junit.contains(
        "<skipped message=\"suppressed (comment): the image drops to a non-root user itself\"/>"
    ));
}

/// Moving a manifest's lines moves the regions, not the fingerprints, ids or GitLab ids.
#[test]
fn fingerprints_survive_line_shifts() {
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(root().join(REFERENCE).join("scheduler.yaml")).unwrap();
    let once = |text: &str| -> (Vec<(String, u64)>, Vec<String>) {
        std::fs::write(dir.path().join("scheduler.yaml"), text).unwrap();
        let sarif = dir.path().join("r.sarif");
        let sast = dir.path().join("s.json");
        let ran = run(rampart()
            .current_dir(dir.path())
            .args(["check", "scheduler.yaml", "--format", "sarif", "-o"])
            .arg(&sarif)
            .arg("--report")
            .arg(format!("gitlab-sast={}", sast.display())));
        assert_eq!(ran.code, 1, "{}", ran.stderr);
        let sarif: Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
        let sast: Value = serde_json::from_str(&std::fs::read_to_string(sast).unwrap()).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let prints = results
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["rampart/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect();
        let ids = sast["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect();
        (prints, ids)
    };
    let (before, ids_before) = once(&source);
    let (after, ids_after) = once(&format!("# three lines\n# pushed in\n# above\n{source}"));
    assert!(!before.is_empty());
    assert_eq!(ids_before, ids_after);
    for ((print_a, line_a), (print_b, line_b)) in before.iter().zip(&after) {
        assert_eq!(print_a, print_b);
        assert_eq!(line_a + 3, *line_b);
    }
}

/// The validators are not vacuous: what GitLab and GitHub would reject, they reject.
#[test]
fn schemas_reject_broken_reports() {
    let r = reports(&[REFERENCE]);
    let mut sarif = r.sarif.clone();
    let region = &mut sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    region["startLine"] = Value::from(0);
    sarif["runs"][0]["results"][1]["level"] = Value::from("fatal");
    sarif["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] = Value::from("not a uri");
    let errors = schema_errors("sarif-schema-2.1.0.json", &sarif);
    assert_eq!(errors.len(), 3, "{errors:#?}");

    let mut sast = r.sast.clone();
    sast["scan"]["start_time"] = Value::from("2026-01-01 10:00:00");
    sast["vulnerabilities"][0]["severity"] = Value::from("high");
    sast["vulnerabilities"][1]["identifiers"] = serde_json::json!([]);
    let errors = schema_errors("gitlab-sast-report-format-15.2.1.json", &sast);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn report_arguments_are_checked() {
    let ran = run(rampart().args(["check", REFERENCE, "--report", "sarif"]));
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("expected FMT=FILE"), "{}", ran.stderr);
    let ran = run(rampart().args(["check", REFERENCE, "--report", "xml=out.xml"]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("unknown format `xml`"),
        "{}",
        ran.stderr
    );
    // A report that cannot be written is exit status 2, and names the file.
    let ran = run(rampart().args([
        "check",
        REFERENCE,
        "--report",
        "sarif=no/such/directory/r.sarif",
    ]));
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("no/such/directory/r.sarif"),
        "{}",
        ran.stderr
    );
}

/// A report written next to an existing one replaces it whole (temp file + rename).
#[test]
fn reports_replace_files_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("r.sarif");
    std::fs::write(&target, "stale").unwrap();
    let ran = run(rampart()
        .args(["check", REFERENCE, "--report"])
        .arg(format!("sarif={}", target.display())));
    assert_eq!(ran.code, 1);
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.starts_with('{') && text.ends_with("}\n"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_ne!(
            mode & 0o044,
            0,
            "reports are readable like any file: {mode:o}"
        );
    }
}

/// The SARIF Multitool's `validate` (its SARIF rules and GitHub code scanning's GH rules) on
/// the reports of the three runs above: no error, no warning. A broken copy must draw errors,
/// which proves the rules ran: the tool exits 0 either way, and says nothing on inputs it
/// cannot analyse.
#[test]
fn sarif_multitool_accepts_the_reports() {
    let Some(tool) = external_tool("RAMPART_SARIF_MULTITOOL", "sarif-multitool") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, path) in [
        ("reference", REFERENCE),
        ("with-errors", WITH_ERRORS),
        ("cross-resource", CROSS_RESOURCE),
    ] {
        let sarif = reports(&[path]).sarif;
        let file = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&file, serde_json::to_string_pretty(&sarif).unwrap()).unwrap();
        files.push(file);
    }
    let mut canary: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    canary["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    canary["runs"][0]["tool"]["driver"]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("help");
    let canary_file = dir.path().join("canary.sarif");
    std::fs::write(&canary_file, canary.to_string()).unwrap();

    let log = dir.path().join("validation.sarif");
    let output = std::process::Command::new(&tool)
        .arg("validate")
        .args(&files)
        .arg(&canary_file)
        .args(["--rule-kind", "Sarif;Gh", "--level", "Error;Warning;Note"])
        .args(["--log", "ForceOverwrite", "-o"])
        .arg(&log)
        // No ICU needed: the validator's messages are not localised.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("the SARIF Multitool runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
    let mut problems = Vec::new();
    let mut canary_rules = BTreeSet::new();
    let mut notes = BTreeSet::new();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default();
        let level = result["level"].as_str().unwrap_or("warning");
        let rule = result["ruleId"].as_str().unwrap_or_default();
        if uri.ends_with("/canary.sarif") {
            canary_rules.insert(format!("{level} {rule}"));
        } else if level == "note" {
            notes.insert(rule.to_string());
        } else {
            problems.push(format!("{level} {rule} in {uri}: {}", result["message"]));
        }
    }
    note(&format!(
        "SARIF Multitool validate: {} files, no error or warning; notes only from {:?}",
        files.len(),
        notes
    ));
    assert!(problems.is_empty(), "{}\n{printed}", problems.join("\n"));
    // The schema (JSON1008) and GitHub's rules (GH2012) both ran on the broken copy.
    for expected in ["error JSON1008", "error GH2012"] {
        assert!(
            canary_rules.contains(expected),
            "the broken copy did not draw {expected}: {canary_rules:?}\n{printed}"
        );
    }
}

/// Without a human report a run drops the text of files that hold no suppression comment
/// (`Options::drop_text`): every machine report stays byte for byte what it is with the texts
/// kept. Positions come from the line starts, which stay (non-ASCII files included: the
/// hardened reference's comments), and comment suppressions from the texts that stay.
#[test]
fn dropping_the_texts_no_report_shows_changes_no_machine_report() {
    let run = |drop_text| {
        rampart::lint::run(rampart::lint::Options {
            paths: vec![
                root().join("fixtures/reference"),
                root().join("fixtures/checks"),
            ],
            drop_text,
            ..Default::default()
        })
        .unwrap()
    };
    let kept = run(false);
    let mut dropped = run(true);
    (dropped.started, dropped.finished) = (kept.started, kept.finished);
    assert!(dropped.files.iter().any(|f| f.text.is_empty()));
    assert!(
        dropped
            .files
            .iter()
            .any(|f| f.text.contains("rampart:ignore"))
    );
    assert!(kept.findings.iter().any(|f| f.suppressed.is_some()));
    assert!(kept.findings.len() > 100, "{}", kept.findings.len());
    let render = |format, run: &rampart::lint::Run| {
        let mut out = Vec::new();
        rampart::report::write(format, run, rampart::report::Style::plain(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    use rampart::report::Format;
    for format in [
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::GitlabCodequality,
        Format::GitlabSast,
        Format::Github,
        Format::Concise,
    ] {
        assert_eq!(
            render(format, &kept),
            render(format, &dropped),
            "{format:?}"
        );
    }
}
