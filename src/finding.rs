//! Findings, severities, locations and fingerprints: what every report is fed.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::resource::Identity;
use crate::source::Span;
use crate::yaml::PathSeg;

/// How bad a finding is. Ordered from `Info` (lowest) to `Critical`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return Err(format!("unknown severity `{s}`")),
        })
    }
}

/// A place in a file: the full span of the node, and a compact head span for labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Index into the run's files.
    pub file: usize,
    pub span: Span,
    pub head: Span,
}

/// A secondary location of a cross-resource finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// Why a finding is suppressed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// `annotation`, `comment`, `config` or `baseline`.
    pub kind: String,
    pub reason: String,
}

/// One problem found by one check in one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The check's id, shared by its findings.
    pub check: Arc<str>,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// Shared with the resource and its other findings.
    pub resource: Arc<Identity>,
    /// Path of keys and indices from the document root to the node.
    pub path: Vec<PathSeg>,
    pub related: Vec<Related>,
    pub fingerprint: String,
    /// Boxed: few findings have one, and a finding is kept for every problem of a run.
    pub suppressed: Option<Box<Suppression>>,
    /// The deployment unit the finding was found in (`, `-joined for a file shared by several
    /// units); empty for findings about no unit (suppression problems). Shared by the unit's
    /// findings.
    pub unit: Arc<str>,
}

/// A fingerprint stable under edits that only move lines: check, file, resource identity,
/// path and message, never line numbers.
pub fn fingerprint(
    check: &str,
    file: &str,
    resource: &Identity,
    path: &[PathSeg],
    message: &str,
) -> String {
    thread_local! {
        /// The JSON texts of a finding's resource and path, hashed in one update: serializing
        /// straight into the hash fed it a few bytes at a time.
        static TEXT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    TEXT.with_borrow_mut(|text| {
        text.clear();
        text.extend_from_slice(check.as_bytes());
        text.push(0);
        text.extend_from_slice(file.as_bytes());
        text.push(0);
        // Serializing these types into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *text, resource);
        text.push(0);
        let _ = serde_json::to_writer(&mut *text, path);
        text.push(0);
        text.extend_from_slice(message.as_bytes());
        let fingerprint = hex_prefix(&Sha256::digest(text.as_slice()));
        // A finding about a huge value does not keep its size allocated for the run.
        if text.capacity() > 1 << 16 {
            *text = Vec::new();
        }
        fingerprint
    })
}

/// The first 16 bytes of a digest in lowercase hex: a fingerprint.
fn hex_prefix(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(32);
    for b in &digest[..16] {
        text.push(HEX[usize::from(b >> 4)] as char);
        text.push(HEX[usize::from(b & 0xf)] as char);
    }
    text
}

/// Gives every finding its own fingerprint. Two findings of one check on one resource can share
/// path and message (two port entries that both collide with a third service); the second and
/// later, in report order, get the fingerprint of their first with their rank, so that a
/// baseline or a code-scanning alert that accepts one does not accept the others.
pub fn make_fingerprints_unique(findings: &mut [Finding]) {
    // Ranks first, over the fingerprints as computed (a rank's new fingerprint is never
    // looked up), then the second and later of each fingerprint rehashed.
    let mut seen: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(findings.len());
    let ranks: Vec<usize> = findings
        .iter()
        .map(|f| {
            let n = seen.entry(f.fingerprint.as_str()).or_insert(0);
            *n += 1;
            *n
        })
        .collect();
    drop(seen);
    for (f, n) in findings.iter_mut().zip(ranks) {
        if n > 1 {
            let mut h = Sha256::new();
            h.update(f.fingerprint.as_bytes());
            h.update([0]);
            h.update(n.to_string().as_bytes());
            f.fingerprint = hex_prefix(&h.finalize());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::ObjectId;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!("medium".parse::<Severity>().unwrap(), Severity::Medium);
        assert!("urgent".parse::<Severity>().is_err());
    }

    /// Fingerprints are kept in baselines and code-scanning alerts: they must stay the hash of
    /// these exact texts, however they are fed to it.
    #[test]
    fn fingerprints_hash_the_json_texts_of_identity_and_path() {
        let id = Identity::Kubernetes(ObjectId {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: "web \"x\"".into(),
            namespace: None,
        });
        let p = vec![PathSeg::Key("spec".into()), PathSeg::Index(3)];
        let mut h = Sha256::new();
        h.update(b"c\0f.yaml\0");
        h.update(serde_json::to_string(&id).unwrap().as_bytes());
        h.update([0]);
        h.update(serde_json::to_string(&p).unwrap().as_bytes());
        h.update(b"\0msg");
        let expected: String = h.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(fingerprint("c", "f.yaml", &id, &p, "msg"), expected);
    }

    #[test]
    fn fingerprints_depend_on_identity_not_lines() {
        let id = Identity::Kubernetes(ObjectId {
            api_version: "v1".into(),
            kind: "Pod".into(),
            name: "a".into(),
            namespace: Some("default".into()),
        });
        let p = vec![PathSeg::Key("spec".into())];
        let a = fingerprint("run-as-root", "a.yaml", &id, &p, "m");
        assert_eq!(a, fingerprint("run-as-root", "a.yaml", &id, &p, "m"));
        assert_ne!(a, fingerprint("run-as-root", "b.yaml", &id, &p, "m"));
        assert_ne!(a, fingerprint("run-as-root", "a.yaml", &id, &[], "m"));
        assert_eq!(a.len(), 32);
    }
}
