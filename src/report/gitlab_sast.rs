//! The GitLab SAST report (`artifacts:reports:sast`), security report schema 15.2.1: the scan
//! with analyzer and scanner, one vulnerability per unsuppressed finding, identified by its
//! check and tracked across line shifts by rampart's fingerprint.

use std::io::{self, Write};
use std::time::SystemTime;

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::lint::Run;
use crate::policy::Check;

/// The schema version the report declares, and the schema it conforms to.
pub const SCHEMA_VERSION: &str = "15.2.1";
const SCHEMA_URI: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.2.1/dist/sast-report-format.json";

/// The `type` of rampart's identifiers: the value is a check id.
const IDENTIFIER_TYPE: &str = "rampart_check";

#[derive(Serialize)]
struct Report<'a> {
    version: &'static str,
    schema: &'static str,
    scan: Scan<'a>,
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Scan<'a> {
    analyzer: Component,
    scanner: Component,
    #[serde(rename = "type")]
    kind: &'static str,
    start_time: String,
    end_time: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    messages: Vec<Message>,
    primary_identifiers: Vec<Identifier<'a>>,
}

#[derive(Serialize)]
struct Component {
    id: &'static str,
    name: &'static str,
    url: &'static str,
    vendor: Vendor,
    version: &'static str,
}

#[derive(Serialize)]
struct Vendor {
    name: &'static str,
}

#[derive(Serialize)]
struct Message {
    level: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Identifier<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    id: String,
    name: &'a str,
    description: String,
    severity: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    solution: &'a str,
    identifiers: Vec<Identifier<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link<'a>>,
    location: VulnerabilityLocation<'a>,
    tracking: Tracking<'a>,
}

#[derive(Serialize)]
struct Link<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    url: &'a str,
}

#[derive(Serialize)]
struct VulnerabilityLocation<'a> {
    file: &'a str,
    start_line: u32,
    end_line: u32,
}

#[derive(Serialize)]
struct Tracking<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    items: [TrackingItem<'a>; 1],
}

#[derive(Serialize)]
struct TrackingItem<'a> {
    file: &'a str,
    start_line: u32,
    end_line: u32,
    signatures: [Signature<'a>; 1],
}

#[derive(Serialize)]
struct Signature<'a> {
    algorithm: &'static str,
    value: &'a str,
}

const RAMPART: Component = Component {
    id: "rampart",
    name: "rampart",
    url: env!("CARGO_PKG_REPOSITORY"),
    vendor: Vendor { name: "rampart" },
    version: env!("CARGO_PKG_VERSION"),
};

pub fn write(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let report = Report {
        version: SCHEMA_VERSION,
        schema: SCHEMA_URI,
        scan: Scan {
            analyzer: RAMPART,
            scanner: RAMPART,
            kind: "sast",
            start_time: utc(run.started),
            end_time: utc(run.finished),
            // The same line as the exit status: an input rampart could not lint is a failure.
            status: if run.errors.is_empty() {
                "success"
            } else {
                "failure"
            },
            messages: run
                .errors
                .iter()
                .map(|e| Message {
                    level: "warn",
                    value: format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message),
                })
                .collect(),
            primary_identifiers: run
                .catalog
                .checks
                .iter()
                .zip(&run.enabled)
                .filter(|(_, on)| **on)
                .map(|(c, _)| identifier(c))
                .collect(),
        },
        vulnerabilities: run
            .findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .filter_map(|f| Some(vulnerability(run, f, run.catalog.check(&f.check)?)))
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

fn identifier(check: &Check) -> Identifier<'_> {
    Identifier {
        kind: IDENTIFIER_TYPE,
        name: &check.title,
        value: &check.id,
        url: check.help_uri(),
    }
}

fn vulnerability<'a>(run: &'a Run, f: &'a Finding, check: &'a Check) -> Vulnerability<'a> {
    let file = &run.files[f.location.file].name;
    let span = f.location.span;
    let mut description = format!("{}: {}.", f.resource.label(), f.message);
    if !check.description.is_empty() {
        description.push_str("\n\n");
        description.push_str(&check.description);
    }
    Vulnerability {
        id: uuid_of(&f.fingerprint),
        name: &check.title,
        description,
        severity: severity(f.severity),
        solution: &check.remediation,
        identifiers: vec![identifier(check)],
        links: check
            .references
            .iter()
            .map(|r| Link {
                name: r.description.as_deref(),
                url: &r.url,
            })
            .collect(),
        location: VulnerabilityLocation {
            file,
            start_line: span.start.line,
            end_line: span.end.line,
        },
        // GitLab matches a vulnerability across pipelines by its location unless the report
        // gives a signature: rampart's fingerprint does not change when lines move.
        tracking: Tracking {
            kind: "source",
            items: [TrackingItem {
                file,
                start_line: span.start.line,
                end_line: span.end.line,
                signatures: [Signature {
                    algorithm: "hash",
                    value: &f.fingerprint,
                }],
            }],
        },
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "Info",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// A UUID-shaped id from the 128-bit hex fingerprint, with the version (8, custom) and
/// variant bits set so that it is a valid RFC 9562 UUID: a finding keeps its id across runs.
fn uuid_of(fingerprint: &str) -> String {
    let bits = u128::from_str_radix(fingerprint, 16).unwrap_or_else(|_| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(fingerprint.as_bytes());
        u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"))
    });
    let bits = (bits & !(0xf << 76) | (0x8 << 76)) & !(0b11 << 62) | (0b10 << 62);
    let h = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the only form the schema accepts.
fn utc(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_8_uuids() {
        let id = uuid_of("806b3bb52d5f62c1abcd1d9254bba192");
        assert_eq!(id, "806b3bb5-2d5f-82c1-abcd-1d9254bba192");
        let id = uuid_of("00000000000000000000000000000000");
        assert_eq!(id, "00000000-0000-8000-8000-000000000000");
    }

    #[test]
    fn times_are_utc_seconds() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_500);
        assert_eq!(utc(t), "2023-11-14T22:13:20");
    }
}
