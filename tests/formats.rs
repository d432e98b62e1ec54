//! Every output format over a Kubernetes and a Compose input: each report is non-empty, is
//! what its format promises (JSON, XML, one line per finding), and holds exactly the findings
//! of the JSON report — no format may drop a kind of resource (JUnit once dropped every
//! Compose finding).

mod common;

use std::collections::BTreeMap;

use common::*;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

const INPUTS: [&str; 2] = [
    "fixtures/reference/kubernetes/as-written",
    "fixtures/reference/compose/as-written",
];

/// Every value `--format` accepts, as clap lists them: a new format cannot skip this test.
fn formats() -> Vec<String> {
    let ran = run(rampart().args(["check", "--format", "no-such-format"]));
    let list = ran
        .stderr
        .split("[possible values: ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("no list of formats in: {}", ran.stderr));
    list.split(", ").map(str::to_string).collect()
}

/// How many findings of each check a report holds.
type Counts = BTreeMap<String, usize>;

fn count<'a>(checks: impl IntoIterator<Item = &'a str>) -> Counts {
    let mut counts = Counts::new();
    for c in checks {
        *counts.entry(c.to_string()).or_default() += 1;
    }
    counts
}

fn json(text: &str, format: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{format}: not JSON ({e}):\n{text}"))
}

/// The findings per check in one report, reading it as its consumers do.
fn counts_in(format: &str, text: &str, expected: &Counts) -> Counts {
    match format {
        "json" => count(
            json(text, format)["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["suppressed"].is_null())
                .map(|f| f["check"].as_str().unwrap()),
        ),
        "sarif" => count(
            json(text, format)["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["suppressions"].is_null())
                .map(|r| r["ruleId"].as_str().unwrap()),
        ),
        "gitlab-codequality" => count(
            json(text, format)
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["check_name"].as_str().unwrap()),
        ),
        "gitlab-sast" => count(
            json(text, format)["vulnerabilities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["identifiers"][0]["value"].as_str().unwrap()),
        ),
        "junit" => junit_counts(text),
        "concise" => count(text.lines().map(|l| {
            // `file:line:col: severity check message`
            let (_, rest) = l.split_once(": ").unwrap_or_else(|| panic!("concise: {l}"));
            rest.split(' ')
                .nth(1)
                .unwrap_or_else(|| panic!("concise: {l}"))
        })),
        "github" => count(text.lines().map(|l| {
            assert!(
                l.starts_with("::error ")
                    || l.starts_with("::warning ")
                    || l.starts_with("::notice "),
                "github: not a workflow command: {l}"
            );
            let title = l.split(",title=").nth(1).expect("a title");
            title.split(" (").next().unwrap()
        })),
        "human" => expected
            .keys()
            .map(|check| {
                let n = ["critical", "high", "medium", "low", "info"]
                    .iter()
                    .map(|sev| {
                        // Each diagnostic's first line: `run-as-root (high) (docs link)`.
                        let head = format!("{check} ({sev})");
                        text.lines().filter(|l| l.starts_with(&head)).count()
                    })
                    .sum();
                (check.clone(), n)
            })
            .filter(|(_, n)| *n > 0)
            .collect(),
        other => panic!("the test does not know how to read format `{other}`: add it"),
    }
}

/// JUnit: every failure's text has one unindented `file:line:col: [severity] message` line per
/// finding of its case (indented lines are related locations).
fn junit_counts(xml: &str) -> Counts {
    let mut reader = Reader::from_str(xml);
    let mut counts = Counts::new();
    let mut case_check = String::new();
    let mut in_failure = false;
    let mut body = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"testcase" => {
                    let class = e
                        .try_get_attribute("classname")
                        .unwrap()
                        .expect("classname");
                    case_check = String::from_utf8(class.value.to_vec()).unwrap();
                }
                b"failure" => {
                    in_failure = true;
                    body.clear();
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.name().as_ref() == b"failure" => {
                in_failure = false;
                let n = body.lines().filter(|l| !l.starts_with(' ')).count();
                *counts.entry(case_check.clone()).or_default() += n;
            }
            Ok(Event::Text(t)) if in_failure => body.push_str(&t.decode().unwrap()),
            // An entity such as `&quot;`: one character of the text.
            Ok(Event::GeneralRef(_)) if in_failure => body.push('&'),
            Ok(_) => {}
            Err(e) => panic!("junit: XML is not well formed: {e}\n{xml}"),
        }
    }
    counts
}

#[test]
fn every_format_reports_every_finding_on_kubernetes_and_compose() {
    let formats = formats();
    assert!(formats.len() >= 8, "{formats:?}");
    for input in INPUTS {
        let (code, report) = check_json(&[input]);
        assert_eq!(code, 1, "{input} has findings");
        let expected = count(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["suppressed"].is_null())
                .map(|f| f["check"].as_str().unwrap()),
        );
        assert!(
            expected.values().sum::<usize>() > 10,
            "{input}: {expected:?}"
        );
        for format in &formats {
            let ran = run(rampart().args(["check", input, "--format", format]));
            assert_eq!(ran.code, 1, "{format} on {input}: {}", ran.stderr);
            assert!(!ran.stdout.trim().is_empty(), "{format} on {input}: empty");
            let got = counts_in(format, &ran.stdout, &expected);
            assert_eq!(got, expected, "{format} on {input}: findings per check");
        }
    }
}

/// JUnit counts its cases by the kind each check targets: a Compose service is a test case of
/// every Compose check, failed when that check found something there.
#[test]
fn junit_fails_the_cases_of_compose_findings() {
    let ran = run(rampart().args([
        "check",
        "fixtures/reference/compose/as-written",
        "--format",
        "junit",
    ]));
    assert_eq!(ran.code, 1);
    let totals = ran.stdout.lines().nth(1).unwrap();
    assert!(totals.starts_with("<testsuites "), "{totals}");
    assert!(!totals.contains(r#"failures="0""#), "{totals}");
}
