//! The OPA `# METADATA` block of a policy file, parsed in Rust (regorus does not expose
//! annotations), and the file's `package`.

use serde::Deserialize;

use crate::finding::Severity;
use crate::yaml;

/// A link to documentation about a check.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    pub url: String,
    pub description: Option<String>,
}

/// What a check policy file declares about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyMeta {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<Severity>,
    pub family: Option<String>,
    pub targets: Vec<String>,
    pub remediation: Option<String>,
    pub references: Vec<Reference>,
    /// 1-based line of the `# METADATA` marker.
    pub line: u32,
}

/// A problem in a policy file, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetaError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    #[allow(dead_code)]
    scope: Option<String>,
    title: Option<String>,
    description: Option<String>,
    related_resources: Option<Vec<RawRelated>>,
    #[allow(dead_code)]
    authors: Option<serde_json::Value>,
    #[allow(dead_code)]
    organizations: Option<serde_json::Value>,
    #[allow(dead_code)]
    schemas: Option<serde_json::Value>,
    #[allow(dead_code)]
    entrypoint: Option<bool>,
    custom: Option<RawCustom>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRelated {
    Url(String),
    Full {
        #[serde(rename = "ref")]
        url: String,
        description: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustom {
    id: Option<String>,
    severity: Option<String>,
    family: Option<String>,
    targets: Option<Vec<String>>,
    remediation: Option<String>,
}

/// The `package` a Rego source declares.
pub fn package_of(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("package ")?;
        Some(rest.split('#').next()?.trim().to_string())
    })
}

/// Parses the first `# METADATA` block of a file. `Ok(None)` when there is none or it declares
/// no `custom.id` (a library file).
pub fn parse(source: &str) -> Result<Option<PolicyMeta>, MetaError> {
    let lines: Vec<&str> = source.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == "# METADATA") else {
        return Ok(None);
    };
    let mut yaml_text = String::new();
    for line in &lines[start + 1..] {
        let trimmed = line.trim_start();
        let Some(body) = trimmed.strip_prefix('#') else {
            break;
        };
        yaml_text.push_str(body.strip_prefix(' ').unwrap_or(body));
        yaml_text.push('\n');
    }
    let marker_line = start as u32 + 1;
    let stream = yaml::parse_stream(&yaml_text);
    if let Some(e) = stream.error {
        return Err(MetaError {
            line: marker_line + e.pos.line,
            column: e.pos.col + 2,
            message: format!("METADATA is not valid YAML: {}", e.message),
        });
    }
    let Some(doc) = stream.documents.into_iter().next() else {
        return Ok(None);
    };
    let raw: RawMeta = serde_json::from_value(doc.root.to_json()).map_err(|e| MetaError {
        line: marker_line,
        column: 1,
        message: format!("invalid METADATA: {e}"),
    })?;
    let Some(custom) = raw.custom else {
        return Ok(None);
    };
    let Some(id) = custom.id else {
        if custom.severity.is_some() || custom.targets.is_some() {
            return Err(MetaError {
                line: marker_line,
                column: 1,
                message: "METADATA `custom` has no `id`".into(),
            });
        }
        return Ok(None);
    };
    if !is_kebab_case(&id) {
        return Err(MetaError {
            line: marker_line,
            column: 1,
            message: format!("check id `{id}` is not kebab-case (lowercase words joined by `-`)"),
        });
    }
    let severity = match custom.severity {
        None => None,
        Some(s) => Some(s.parse::<Severity>().map_err(|_| MetaError {
            line: marker_line,
            column: 1,
            message: format!(
                "unknown severity `{s}` (expected critical, high, medium, low or info)"
            ),
        })?),
    };
    Ok(Some(PolicyMeta {
        id,
        title: raw.title,
        description: raw.description.map(|d| d.trim_end().to_string()),
        severity,
        family: custom.family,
        targets: custom.targets.unwrap_or_default(),
        remediation: custom.remediation.map(|r| r.trim_end().to_string()),
        references: raw
            .related_resources
            .unwrap_or_default()
            .into_iter()
            .map(|r| match r {
                RawRelated::Url(url) => Reference {
                    url,
                    description: None,
                },
                RawRelated::Full { url, description } => Reference { url, description },
            })
            .collect(),
        line: marker_line,
    }))
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"# METADATA
# title: Container runs as root
# description: |
#   Long text.
# related_resources:
#   - ref: https://kubernetes.io/docs/
#     description: Docs
#   - https://example.com
# custom:
#   id: run-as-root
#   severity: high
#   family: security
#   targets: [workload]
#   remediation: Set runAsNonRoot.
package rampart.checks.run_as_root.kubernetes
"#;

    #[test]
    fn parses_a_full_block() {
        let m = parse(POLICY).unwrap().unwrap();
        assert_eq!(m.id, "run-as-root");
        assert_eq!(m.severity, Some(Severity::High));
        assert_eq!(m.description.as_deref(), Some("Long text."));
        assert_eq!(m.references.len(), 2);
        assert_eq!(m.targets, vec!["workload"]);
        assert_eq!(
            package_of(POLICY).as_deref(),
            Some("rampart.checks.run_as_root.kubernetes")
        );
    }

    #[test]
    fn rejects_bad_severity_and_ids() {
        let e = parse(&POLICY.replace("severity: high", "severity: urgent")).unwrap_err();
        assert!(e.message.contains("unknown severity"));
        let e = parse(&POLICY.replace("id: run-as-root", "id: RunAsRoot")).unwrap_err();
        assert!(e.message.contains("kebab-case"));
        let e = parse(&POLICY.replace("  id: run-as-root\n", "")).unwrap_err();
        assert!(e.message.contains("no `id`"));
    }

    #[test]
    fn libraries_have_no_metadata() {
        assert_eq!(parse("package rampart.lib.x\n").unwrap(), None);
    }
}
