//! The SARIF 2.1.0 report, built with the `serde-sarif` types: every check as a rule, every
//! finding as a result at its full span, input errors as tool execution notifications.
//! What GitHub code scanning reads is filled in as it documents it: rules tagged by family,
//! `security-severity` and CWE tags only on security-relevant rules, `partialFingerprints` on
//! results, relative URIs under `SRCROOT`, `automationDetails.id` from `--sarif-category`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::json;
use serde_sarif::sarif;

use crate::diagnostic::Diagnostic;
use crate::finding::{Finding, Location, Severity, Suppression};
use crate::lint::Run;
use crate::policy::Check;

/// What `$schema` names: the schema store's copy of the final 2.1.0 schema, as GitHub's
/// documentation and the SARIF Multitool expect.
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base every relative artifact URI is resolved against: the working directory.
const SRCROOT: &str = "SRCROOT";

/// The key of rampart's own fingerprint in `partialFingerprints`; versioned so that a future
/// change of the fingerprint does not silently match old results.
const FINGERPRINT_KEY: &str = "rampart/v1";

/// The descriptor of every tool execution notification.
const INPUT_ERROR: &str = "input-error";

/// Writes the log with its results made one at a time as they are written: a log built whole
/// held about 7 KB per finding (400 MB more than the JSON report for 10,000 manifests).
pub fn write(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let cwd = std::env::current_dir()?;
    let log = Streamed {
        log: log_without_results(run, &cwd),
        run,
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The whole log, with URIs relative to `cwd` (where the run's file names are relative to).
pub fn log(run: &Run, cwd: &Path) -> sarif::Sarif {
    let mut log = log_without_results(run, cwd);
    log.runs[0].results = Some(run.findings.iter().map(|f| result(run, f)).collect());
    log
}

/// A log as [`log`] makes it, serialised field for field as serde-sarif does (its fields in
/// their alphabetical order, absent ones left out), with the results of the run streamed.
/// The test `streamed_log_is_the_log` compares the two byte for byte.
struct Streamed<'a> {
    log: sarif::Sarif,
    run: &'a Run,
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let runs: Vec<StreamedRun<'_>> = self
            .log
            .runs
            .iter()
            .map(|head| StreamedRun {
                head,
                run: self.run,
            })
            .collect();
        let mut s = serializer.serialize_struct("Sarif", 3)?;
        if let Some(schema) = &self.log.schema {
            s.serialize_field("$schema", schema)?;
        }
        s.serialize_field("runs", &runs)?;
        s.serialize_field("version", &self.log.version)?;
        s.end()
    }
}

struct StreamedRun<'a> {
    head: &'a sarif::Run,
    run: &'a Run,
}

impl Serialize for StreamedRun<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let head = self.head;
        let mut s = serializer.serialize_struct("Run", 6)?;
        if let Some(details) = &head.automation_details {
            s.serialize_field("automationDetails", details)?;
        }
        if let Some(kind) = &head.column_kind {
            s.serialize_field("columnKind", kind)?;
        }
        if let Some(invocations) = &head.invocations {
            s.serialize_field("invocations", invocations)?;
        }
        if let Some(ids) = &head.original_uri_base_ids {
            s.serialize_field("originalUriBaseIds", ids)?;
        }
        s.serialize_field("results", &Results(self.run))?;
        s.serialize_field("tool", &head.tool)?;
        s.end()
    }
}

/// The results of a run, each made when it is written.
struct Results<'a>(&'a Run);

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let run = self.0;
        serializer.collect_seq(run.findings.iter().map(|f| result(run, f)))
    }
}

/// The log without its results (`results` is left out until [`log`] sets it).
fn log_without_results(run: &Run, cwd: &Path) -> sarif::Sarif {
    let notifications: Vec<sarif::Notification> = run.errors.iter().map(notification).collect();
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(run.errors.is_empty())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let mut base_ids = BTreeMap::new();
    base_ids.insert(
        SRCROOT.to_string(),
        sarif::ArtifactLocation::builder()
            .uri(directory_uri(cwd))
            .description(message("The directory rampart was run from."))
            .build(),
    );
    let mut sarif_run = sarif::Run::builder()
        .tool(tool(run))
        .invocations(vec![invocation])
        .original_uri_base_ids(base_ids)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    // GitHub keeps one set of alerts per category: two uploads with different ids (a
    // Kubernetes and a Compose job, say) no longer replace each other's results.
    if let Some(id) = run.sarif_category.as_deref().filter(|id| !id.is_empty()) {
        sarif_run.automation_details = Some(sarif::RunAutomationDetails::builder().id(id).build());
    }
    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![sarif_run])
        .build()
}

fn tool(run: &Run) -> sarif::Tool {
    let driver = sarif::ToolComponent::builder()
        .name("rampart")
        .full_name(format!("rampart {}", env!("CARGO_PKG_VERSION")))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(run.catalog.checks.iter().map(rule).collect::<Vec<_>>())
        .notifications(vec![
            sarif::ReportingDescriptor::builder()
                .id(INPUT_ERROR)
                .name("InputError")
                .short_description(multiformat(
                    "An input could not be read, decoded or parsed, or a policy failed on it.",
                ))
                .full_description(multiformat(
                    "rampart could not lint this input: the file could not be read or decoded, \
                     its YAML or JSON does not parse, or a policy failed while evaluating one of \
                     its resources. The other inputs were still linted.",
                ))
                .help(multiformat(
                    "Fix the input at the position given (a syntax error's message says what the \
                     parser expected), or leave it out of the paths rampart is given. A policy \
                     failure names the check: report it if the check is built in.",
                ))
                .default_configuration(
                    sarif::ReportingConfiguration::builder()
                        .level(json!("error"))
                        .build(),
                )
                .build(),
        ])
        .build();
    sarif::Tool::builder().driver(driver).build()
}

/// A check as a SARIF rule: the same metadata `rampart explain` prints.
fn rule(check: &Check) -> sarif::ReportingDescriptor {
    let mut properties = BTreeMap::new();
    let mut tags = Vec::new();
    // GitHub lists a rule tagged `security` with a `security-severity` as a security alert:
    // only checks that guard against an attack are, so a missing CPU limit stays a warning.
    if is_security_relevant(check) {
        tags.push("security".to_string());
        properties.insert(
            "security-severity".to_string(),
            json!(security_severity(check.severity)),
        );
        if let Some(cwe) = cwe(&check.id) {
            tags.push(format!("external/cwe/cwe-{cwe}"));
        }
    }
    if !check.family.is_empty() && check.family != "security" {
        tags.push(check.family.clone());
    }
    let mut rule = sarif::ReportingDescriptor::builder()
        .id(check.id.clone())
        .name(pascal_case(&check.id))
        .short_description(multiformat(&check.title))
        .full_description(multiformat(&check.description))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(crate::docs::explain(check))
                .markdown(crate::docs::check_markdown(check))
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level(check.severity).to_string()))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(properties)
                .build(),
        )
        .build();
    // A user check without a reference has no docs page: no link rather than rampart's own.
    rule.help_uri = check.help_uri();
    rule
}

fn result(run: &Run, f: &Finding) -> sarif::Result {
    let related: Vec<sarif::Location> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            sarif::Location::builder()
                .id(i as i64 + 1)
                .physical_location(physical_location(run, &r.location))
                .message(message(&r.message))
                .build()
        })
        .collect();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.clone());
    let mut properties = BTreeMap::new();
    properties.insert("severity".to_string(), json!(f.severity.as_str()));
    properties.insert("resource".to_string(), json!(f.resource));
    properties.insert("path".to_string(), json!(f.path));
    if !f.unit.is_empty() {
        properties.insert("unit".to_string(), json!(f.unit));
    }
    let location = sarif::Location::builder()
        .physical_location(physical_location(run, &f.location))
        .build();
    let mut result = sarif::Result::builder()
        .rule_id(f.check.to_string())
        .level(level(f.severity))
        .message(message(&f.message))
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .build();
    // Set by hand: the typed builder cannot set a field conditionally.
    result.rule_index = run
        .catalog
        .checks
        .iter()
        .position(|c| *c.id == *f.check)
        .map(|i| i as i64);
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    if let Some(s) = &f.suppressed {
        result.suppressions = Some(vec![suppression(s)]);
    }
    result
}

/// A rampart suppression as SARIF sees it: in the source (annotation, comment) or outside it
/// (config, baseline), accepted, with the mandatory reason as its justification.
fn suppression(s: &Suppression) -> sarif::Suppression {
    let kind = match s.kind.as_str() {
        "annotation" | "comment" => "inSource",
        _ => "external",
    };
    let mut properties = BTreeMap::new();
    properties.insert("rampartKind".to_string(), json!(s.kind));
    sarif::Suppression::builder()
        .kind(json!(kind))
        .status(json!("accepted"))
        .justification(s.reason.clone())
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .build()
}

fn notification(e: &Diagnostic) -> sarif::Notification {
    let artifact = artifact_location(&e.file);
    // A region only when the error points into text we read; an unreadable file has none.
    let physical = match e.source {
        Some(_) => sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(
                sarif::Region::builder()
                    .start_line(e.line as i64)
                    .start_column(e.column as i64)
                    .build(),
            )
            .build(),
        None => sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    };
    sarif::Notification::builder()
        .descriptor(
            sarif::ReportingDescriptorReference::builder()
                .id(INPUT_ERROR)
                .index(0)
                .build(),
        )
        .level(json!("error"))
        .message(message(&e.message))
        .locations(vec![
            sarif::Location::builder()
                .physical_location(physical)
                .build(),
        ])
        .build()
}

fn physical_location(run: &Run, loc: &Location) -> sarif::PhysicalLocation {
    let span = loc.span;
    sarif::PhysicalLocation::builder()
        .artifact_location(artifact_location(&run.files[loc.file].name))
        .region(
            sarif::Region::builder()
                .start_line(span.start.line as i64)
                .start_column(span.start.col as i64)
                .end_line(span.end.line as i64)
                .end_column(span.end.col as i64)
                .build(),
        )
        .build()
}

/// A file name as the run shows it (relative to the working directory when below it) as a
/// SARIF artifact location: relative names under `SRCROOT`, absolute ones as `file:` URIs.
fn artifact_location(name: &str) -> sarif::ArtifactLocation {
    let name = name.replace('\\', "/");
    if Path::new(&name).is_absolute() || name.starts_with('/') {
        sarif::ArtifactLocation::builder()
            .uri(file_uri(&name))
            .build()
    } else {
        sarif::ArtifactLocation::builder()
            .uri(encode_path(&name))
            .uri_base_id(SRCROOT)
            .build()
    }
}

/// `file:` URI of a directory, with the trailing slash that makes relative URIs resolve
/// inside it.
fn directory_uri(dir: &Path) -> String {
    let mut uri = file_uri(&dir.to_string_lossy().replace('\\', "/"));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn file_uri(path: &str) -> String {
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        // A Windows drive path: `C:/x` becomes `file:///C:/x`.
        format!("/{path}")
    };
    format!("file://{}", encode_path(&path))
}

/// Percent-encodes a path for a URI (RFC 3986): unreserved characters, `/` and a drive's `:`
/// stay, every other byte of the UTF-8 text is escaped.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn message(text: &str) -> sarif::Message {
    sarif::Message::builder().text(text).build()
}

fn multiformat(text: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text)
        .build()
}

/// The SARIF level of a severity, as the terminal report draws it (error, warning, advice).
fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium | Severity::Low => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

/// GitHub's `security-severity`: a score in a string, which GitHub buckets as critical
/// (> 9.0), high (7.0–8.9), medium (4.0–6.9) and low (0.1–3.9).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Families whose checks are about security: their rules are security alerts on GitHub.
const SECURITY_FAMILIES: [&str; 4] = ["security", "secrets", "network", "supply-chain"];

fn is_security_relevant(check: &Check) -> bool {
    SECURITY_FAMILIES.contains(&check.family.as_str())
}

/// The CWE a built-in check guards against, where one applies (GitHub shows it as a tag).
fn cwe(id: &str) -> Option<u32> {
    Some(match id {
        // Execution with Unnecessary Privileges.
        "privileged-container" | "run-as-root" | "dangerous-capabilities" => 250,
        // Improper Privilege Management.
        "privilege-escalation" => 269,
        // Improper Isolation or Compartmentalization.
        "host-namespace" => 653,
        // Use of Hard-coded Credentials.
        "hardcoded-secret" => 798,
        // Binding to an Unrestricted IP Address.
        "unbound-host-port" => 1327,
        // Download of Code Without Integrity Check.
        "mutable-image-tag" => 494,
        _ => return None,
    })
}

/// `run-as-root` → `RunAsRoot`: SARIF's friendly rule name.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        let a = artifact_location("deploy/my app/ü.yaml");
        assert_eq!(a.uri.as_deref(), Some("deploy/my%20app/%C3%BC.yaml"));
        assert_eq!(a.uri_base_id.as_deref(), Some(SRCROOT));
        let a = artifact_location("<stdin>");
        assert_eq!(a.uri.as_deref(), Some("%3Cstdin%3E"));
        let a = artifact_location("/elsewhere/x.yaml");
        assert_eq!(a.uri.as_deref(), Some("file:///elsewhere/x.yaml"));
        assert_eq!(a.uri_base_id, None);
        assert_eq!(
            directory_uri(Path::new("/home/user/repo")),
            "file:///home/user/repo/"
        );
        assert_eq!(directory_uri(Path::new("/")), "file:///");
    }

    #[test]
    fn streamed_log_is_the_log() {
        // With a category too: every field rampart sets.
        let mut run = crate::report::tests::run_with_every_field();
        run.sarif_category = Some("kubernetes".into());
        let cwd = std::env::current_dir().unwrap();
        let mut streamed = Vec::new();
        write(&run, &mut streamed).unwrap();
        let mut whole = serde_json::to_vec_pretty(&log(&run, &cwd)).unwrap();
        whole.push(b'\n');
        assert_eq!(String::from_utf8(streamed), String::from_utf8(whole));
        // An empty run too.
        run.findings.clear();
        run.errors.clear();
        run.sarif_category = None;
        let mut streamed = Vec::new();
        write(&run, &mut streamed).unwrap();
        let mut whole = serde_json::to_vec_pretty(&log(&run, &cwd)).unwrap();
        whole.push(b'\n');
        assert_eq!(String::from_utf8(streamed), String::from_utf8(whole));
    }

    #[test]
    fn names_and_scores() {
        assert_eq!(pascal_case("run-as-root"), "RunAsRoot");
        assert_eq!(security_severity(Severity::High), "8.0");
        assert_eq!(level(Severity::Low).to_string(), "warning");
    }
}
