//! The OPA `# METADATA` block of a policy file, parsed in Rust (regorus does not expose
//! annotations), and the file's `package`.

use serde::Deserialize;

use crate::finding::Severity;
use crate::source::{Pos, TextError};
use crate::yaml;

/// A link to documentation about a check.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    pub url: String,
    pub description: Option<String>,
}

/// What a policy file declares about a check: the whole check (a user policy's single block),
/// the check-level facts of a check header (`scope: subpackages`, `policies/<id>/check.rego`),
/// or one side of a check (its targets, what it reports, why and how to fix it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyMeta {
    /// `custom.id`; a side file may leave it to the header of its parent package.
    pub id: Option<String>,
    /// `scope: subpackages`: the block describes the check whose sides are the subpackages.
    pub header: bool,
    pub title: Option<String>,
    /// What the file reports, without the "why" paragraph (see [`Description`]).
    pub description: Option<Description>,
    pub severity: Option<Severity>,
    pub family: Option<String>,
    pub targets: Vec<String>,
    pub remediation: Option<String>,
    pub references: Vec<Reference>,
    /// 1-based line of the `# METADATA` marker.
    pub line: u32,
}

/// A side's description, structured: what it reports and why that matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    /// What is reported. A text that starts in lowercase continues its `lead`.
    pub what: String,
    /// "For Compose: " before a lowercase `what` where it stands alone, else empty.
    pub lead: String,
    /// `custom.why`, as written after "Why it matters: " (docs capitalise it).
    pub why: Option<String>,
    /// The whole text, as JSON, SARIF and GitLab show it: `lead`, `what`, then
    /// "Why it matters: " and `why` in a paragraph of their own.
    pub text: String,
}

impl Description {
    /// A structured description (`description` + `custom.why`) of a side with `targets`.
    fn structured(what: &str, why: Option<&str>, targets: &[String]) -> Description {
        let what = what.trim_end().to_string();
        let lead = if what.starts_with(|c: char| c.is_lowercase()) {
            format!("For {}: ", side_name(targets))
        } else {
            String::new()
        };
        let why = why.map(|w| w.trim().to_string());
        let mut text = format!("{lead}{what}");
        if let Some(w) = &why {
            text.push_str("\n\nWhy it matters: ");
            text.push_str(w);
        }
        Description {
            what,
            lead,
            why,
            text,
        }
    }

    /// A description in the single-paragraph form user policies may still use (SPEC §6): a
    /// "Why it matters:" paragraph and a "For Compose: " lead-in are read out of the prose.
    /// Built-in checks use `custom.why` (tests/catalog.rs).
    fn prose(text: &str, targets: &[String]) -> Description {
        let text = text.trim_end().to_string();
        let (what, why) = match text.find("Why it matters:") {
            Some(i) => (
                text[..i].trim_end(),
                Some(text[i + "Why it matters:".len()..].trim().to_string()),
            ),
            None => (text.as_str(), None),
        };
        let side = side_name(targets);
        let (lead, what) = [format!("For {side}: "), format!("For {side}, ")]
            .into_iter()
            .find_map(|lead| Some((lead.clone(), what.strip_prefix(lead.as_str())?)))
            .unwrap_or((String::new(), what));
        Description {
            what: what.to_string(),
            lead,
            why,
            text,
        }
    }
}

/// The side a list of targets covers, for headings: "Kubernetes" or "Compose".
pub fn side_name(targets: &[String]) -> &'static str {
    if targets.iter().all(|t| t.starts_with("compose-")) {
        "Compose"
    } else {
        "Kubernetes"
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
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
    why: Option<String>,
}

/// The `package` a Rego source declares.
pub fn package_of(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("package ")?;
        Some(rest.split('#').next()?.trim().to_string())
    })
}

/// Parses the first `# METADATA` block of a file. `Ok(None)` when there is none or its `custom`
/// says nothing about a check (a library file).
pub fn parse(source: &str) -> Result<Option<PolicyMeta>, TextError> {
    let Some((marker_line, yaml_text)) = super::metadata_block::block(source) else {
        return Ok(None);
    };
    let stream = yaml::parse_stream(&yaml_text);
    if let Some(e) = stream.error {
        return Err(TextError {
            pos: Pos {
                line: marker_line + e.pos.line,
                col: e.pos.col + 2,
                offset: 0,
            },
            message: format!("METADATA is not valid YAML: {}", e.message),
        });
    }
    let Some(doc) = stream.documents.into_iter().next() else {
        return Ok(None);
    };
    let raw: RawMeta = serde_json::from_value(doc.root.to_json())
        .map_err(|e| at_marker(marker_line, format!("invalid METADATA: {e}")))?;
    interpret(raw, marker_line)
}

/// A built-in policy's METADATA from the JSON `build.rs` turned its YAML into
/// (`BUILTIN_METADATA`): what [`parse`] gives for the file (a test holds them alike) without
/// parsing YAML at start-up, where it was most of a small run's work.
pub fn from_json(json: &str, marker_line: u32) -> Result<Option<PolicyMeta>, TextError> {
    let raw: RawMeta = serde_json::from_str(json)
        .map_err(|e| at_marker(marker_line, format!("invalid METADATA: {e}")))?;
    interpret(raw, marker_line)
}

/// A problem of a METADATA block as a whole, reported at its `# METADATA` line.
fn at_marker(marker_line: u32, message: impl Into<String>) -> TextError {
    TextError {
        pos: Pos {
            line: marker_line,
            col: 1,
            offset: 0,
        },
        message: message.into(),
    }
}

/// What a METADATA block says about a check, once read.
fn interpret(raw: RawMeta, marker_line: u32) -> Result<Option<PolicyMeta>, TextError> {
    let Some(custom) = raw.custom else {
        return Ok(None);
    };
    let header = raw.scope.as_deref() == Some("subpackages");
    let about_a_check = custom.id.is_some()
        || custom.severity.is_some()
        || custom.targets.is_some()
        || custom.why.is_some();
    if !about_a_check {
        return Ok(None);
    }
    if custom.id.is_none() && header {
        return Err(at_marker(marker_line, "METADATA `custom` has no `id`"));
    }
    if let Some(id) = custom.id.as_ref().filter(|id| !is_kebab_case(id)) {
        return Err(at_marker(
            marker_line,
            format!("check id `{id}` is not kebab-case (lowercase words joined by `-`)"),
        ));
    }
    let severity = match custom.severity {
        None => None,
        Some(s) => Some(s.parse::<Severity>().map_err(|_| {
            at_marker(
                marker_line,
                format!("unknown severity `{s}` (expected critical, high, medium, low or info)"),
            )
        })?),
    };
    let targets = custom.targets.unwrap_or_default();
    let description = match (raw.description, custom.why) {
        (Some(d), None) if !header => Some(Description::prose(&d, &targets)),
        (Some(d), why) => Some(Description::structured(&d, why.as_deref(), &targets)),
        (None, Some(_)) => {
            return Err(at_marker(
                marker_line,
                "METADATA has `custom.why` but no `description`",
            ));
        }
        (None, None) => None,
    };
    Ok(Some(PolicyMeta {
        id: custom.id,
        header,
        title: raw.title,
        description,
        severity,
        family: custom.family,
        targets,
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
        assert_eq!(m.id.as_deref(), Some("run-as-root"));
        assert_eq!(m.severity, Some(Severity::High));
        assert_eq!(m.description.unwrap().text, "Long text.");
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
        let side = parse(&POLICY.replace("  id: run-as-root\n", "")).unwrap();
        assert_eq!(
            side.unwrap().id,
            None,
            "a side takes its id from its header"
        );
        let header = POLICY.replace("# title:", "# scope: subpackages\n# title:");
        let e = parse(&header.replace("  id: run-as-root\n", "")).unwrap_err();
        assert!(e.message.contains("no `id`"));
    }

    #[test]
    fn structured_and_prose_descriptions_render_the_same_text() {
        let compose = |d: &str| d.replace("targets: [workload]", "targets: [compose-service]");
        let structured = parse(&compose(
            &POLICY.replace("#   remediation:", "#   why: the why.\n#   remediation:"),
        ))
        .unwrap()
        .unwrap()
        .description
        .unwrap();
        let prose = parse(&compose(&POLICY.replace(
            "#   Long text.",
            "#   Long text.\n#\n#   Why it matters: the why.",
        )))
        .unwrap()
        .unwrap()
        .description
        .unwrap();
        assert_eq!(structured, prose);
        assert_eq!(structured.why.as_deref(), Some("the why."));
        let lowercase = parse(&compose(
            &POLICY
                .replace("Long text.", "a service.")
                .replace("#   remediation:", "#   why: w.\n#   remediation:"),
        ))
        .unwrap()
        .unwrap()
        .description
        .unwrap();
        assert_eq!(
            lowercase.text,
            "For Compose: a service.\n\nWhy it matters: w."
        );
        assert_eq!(lowercase.what, "a service.");
    }

    #[test]
    fn libraries_have_no_metadata() {
        assert_eq!(parse("package rampart.lib.x\n").unwrap(), None);
    }

    /// build.rs converts the METADATA of built-in policies to JSON, which a run reads instead
    /// of the YAML: both readings agree on every built-in file, and the conversion covers every
    /// block (one it declined would be parsed at start-up again: right, but slower).
    #[test]
    fn the_built_in_metadata_read_as_json_is_the_yaml_read() {
        use crate::policy::registry::{BUILTIN_METADATA, BUILTIN_POLICIES};
        assert_eq!(BUILTIN_METADATA.len(), BUILTIN_POLICIES.len());
        let mut converted = 0;
        for ((path, source), json) in BUILTIN_POLICIES.iter().zip(BUILTIN_METADATA) {
            let block = (!path.ends_with("_test.rego"))
                .then(|| super::super::metadata_block::block(source))
                .flatten();
            match (block, json) {
                (Some(_), Some((line, json))) => {
                    assert_eq!(
                        from_json(json, *line).unwrap(),
                        parse(source).unwrap(),
                        "{path}"
                    );
                    converted += 1;
                }
                (None, None) => {}
                (block, json) => panic!("{path}: block {block:?}, JSON {json:?}"),
            }
        }
        assert!(converted > 40, "{converted} blocks converted");
    }

    /// Plain scalars a YAML 1.1 reader resolves differently are left to the run's parser, so
    /// the JSON never disagrees with it; the converter itself lives in build.rs.
    #[test]
    fn a_block_the_build_leaves_alone_is_parsed_at_start_up() {
        let source =
            "# METADATA\n# title: yes\n# custom:\n#   id: x\n#   targets: [workload]\npackage p\n";
        let meta = parse(source).unwrap().unwrap();
        assert_eq!(meta.id.as_deref(), Some("x"));
        assert_eq!(meta.line, 1);
    }
}
