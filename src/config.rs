//! `.rampart.yaml`: discovered upward from the working directory (stopping at the repository
//! root), strict (unknown keys and wrong types are errors at their line and column), kebab-case.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Kind};
use crate::finding::Severity;
use crate::source::{Pos, SourceFile};
use crate::yaml::{self, Node, NodeValue};

pub const FILE_NAME: &str = ".rampart.yaml";

/// Parameters that policies read at `data.rampart.params` (SPEC §7).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Params {
    pub min_replicas: u32,
    pub anti_affinity_topology_keys: Vec<String>,
    pub spread_topology_keys: Vec<String>,
    pub require_egress: bool,
    pub kubernetes_version: String,
    pub default_namespace: String,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_replicas: 2,
            anti_affinity_topology_keys: vec!["kubernetes.io/hostname".into()],
            spread_topology_keys: vec!["topology.kubernetes.io/zone".into()],
            require_egress: false,
            kubernetes_version: "1.31".into(),
            default_namespace: "default".into(),
        }
    }
}

/// A loaded configuration file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from (`None` for the defaults).
    pub path: Option<PathBuf>,
    /// The directory relative paths and globs are resolved against.
    pub base: PathBuf,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    pub severity: Vec<(String, Severity)>,
    pub params: Params,
    pub exclude: Vec<String>,
    /// Apply `exclude` to files named on the command line too (as pre-commit names them).
    pub force_exclude: bool,
    /// `checks.only`: run only these checks or families (`--only` replaces it).
    pub only: Vec<String>,
    /// `checks.min-severity`: run only checks of at least this severity.
    pub min_severity: Option<Severity>,
    pub ignore: Vec<IgnoreRule>,
    pub policies: Vec<PathBuf>,
    pub fail_on: Option<Severity>,
    /// Deployment units declared by name and path globs (`units:`).
    pub units: Vec<crate::units::Declared>,
    /// The file's text and tree, for locating `ignore` entries in reports.
    pub source: Option<std::sync::Arc<SourceFile>>,
}

/// A config `ignore` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct IgnoreRule {
    /// Check ids this entry suppresses (`*` for every check).
    pub checks: Vec<String>,
    /// Path globs, relative to the config file's directory; empty = every path.
    pub paths: Vec<String>,
    /// `kind/namespace/name` or `kind/name` (for Compose: `service/name`); `*` matches any part.
    pub resource: Option<String>,
    pub reason: String,
    /// Where the entry is in the config file.
    pub pos: Pos,
}

/// Finds the config file for a working directory: the nearest `.rampart.yaml` upward,
/// not looking above the repository root (the first directory holding `.git`).
pub fn discover(cwd: &Path) -> Option<PathBuf> {
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, Diagnostic> {
    let name = crate::discover::display_name(path, std::env::current_dir().ok().as_deref());
    let bytes = std::fs::read(path).map_err(|e| {
        let message = format!("cannot read config: {}", crate::source::io_message(&e));
        Diagnostic::new(Kind::Config, name.clone(), None, message)
    })?;
    let source = SourceFile::decode(name.clone(), Some(path.to_path_buf()), bytes)
        .map_err(|e| Diagnostic::new(Kind::Config, name.clone(), Some(e.pos), e.message))?;
    let base = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut config = parse(&source.text, &name, base)?;
    config.path = Some(path.to_path_buf());
    config.source = Some(std::sync::Arc::new(source));
    Ok(config)
}

impl Config {
    /// `file:line:column` of `id` in the config list or map at `section.key` (`checks.disable`),
    /// for messages about a value that is only known to be wrong after loading; the file name
    /// alone when it cannot be found.
    pub fn locate(&self, section: &str, key: &str, id: &str) -> Option<String> {
        let source = self.source.as_ref()?;
        let stream = yaml::parse_stream(&source.text);
        let doc = stream.documents.into_iter().next()?;
        let node = doc.root.get(section).and_then(|n| n.get(key));
        let at = node.and_then(|n| match &n.value {
            NodeValue::Seq(items) => items
                .iter()
                .find(|i| i.as_str() == Some(id))
                .map(|i| i.span.start),
            NodeValue::Map(entries) => entries
                .iter()
                .find(|e| e.key.as_str() == Some(id))
                .map(|e| e.key.span.start),
            _ => None,
        });
        Some(match at {
            Some(p) => format!("{}:{}:{}", source.name, p.line, p.col),
            None => source.name.clone(),
        })
    }
}

/// Parses config text.
pub fn parse(text: &str, name: &str, base: PathBuf) -> Result<Config, Diagnostic> {
    let err = |pos: Pos, message: String| Diagnostic::new(Kind::Config, name, Some(pos), message);
    let stream = yaml::parse_stream(text);
    if let Some(e) = stream.error {
        return Err(err(e.pos, format!("invalid YAML: {}", e.message)));
    }
    let mut config = Config {
        base,
        ..Config::default()
    };
    let Some(doc) = stream.documents.into_iter().next() else {
        return Ok(config);
    };
    let root = &doc.root;
    let entries = map(root, "the config")?;
    for e in entries {
        let key = e.key.as_str().unwrap_or_default();
        let v = &e.value;
        match key {
            "checks" => {
                for c in map(v, "`checks`")? {
                    match c.key.as_str().unwrap_or_default() {
                        "enable" => config.enable = strings(&c.value, "`checks.enable`")?,
                        "disable" => config.disable = strings(&c.value, "`checks.disable`")?,
                        "only" => config.only = strings(&c.value, "`checks.only`")?,
                        "min-severity" => config.min_severity = Some(severity(&c.value)?),
                        "severity" => {
                            for s in map(&c.value, "`checks.severity`")? {
                                let id = s.key.as_str().unwrap_or_default().to_string();
                                config.severity.push((id, severity(&s.value)?));
                            }
                        }
                        other => {
                            return Err(unknown(
                                &c.key,
                                other,
                                "checks",
                                &["enable", "disable", "only", "min-severity", "severity"],
                            ));
                        }
                    }
                }
            }
            "params" => {
                for p in map(v, "`params`")? {
                    let params = &mut config.params;
                    match p.key.as_str().unwrap_or_default() {
                        "min-replicas" => match p.value.value {
                            NodeValue::Int(n) if n >= 1 => params.min_replicas = n as u32,
                            _ => {
                                return Err(err(
                                    p.value.span.start,
                                    "`min-replicas` must be a whole number ≥ 1".into(),
                                ));
                            }
                        },
                        "anti-affinity-topology-keys" => {
                            params.anti_affinity_topology_keys =
                                strings(&p.value, "`anti-affinity-topology-keys`")?
                        }
                        "spread-topology-keys" => {
                            params.spread_topology_keys =
                                strings(&p.value, "`spread-topology-keys`")?
                        }
                        "require-egress" => match p.value.value {
                            NodeValue::Bool(b) => params.require_egress = b,
                            _ => {
                                return Err(err(
                                    p.value.span.start,
                                    "`require-egress` must be true or false".into(),
                                ));
                            }
                        },
                        "kubernetes-version" => {
                            let version = match &p.value.value {
                                NodeValue::Str(s) => s.to_string(),
                                _ => String::new(),
                            };
                            let valid =
                                version
                                    .trim_start_matches('v')
                                    .split('.')
                                    .take(2)
                                    .all(|part| {
                                        !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
                                    });
                            if !valid || !version.contains('.') {
                                return Err(err(
                                    p.value.span.start,
                                    "`kubernetes-version` must be a version such as \"1.31\" (quote it: 1.30 is read as a number)".into(),
                                ));
                            }
                            params.kubernetes_version = version.trim_start_matches('v').to_string();
                        }
                        "default-namespace" => {
                            params.default_namespace = string(&p.value, "`default-namespace`")?
                        }
                        other => {
                            return Err(unknown(
                                &p.key,
                                other,
                                "params",
                                &[
                                    "min-replicas",
                                    "anti-affinity-topology-keys",
                                    "spread-topology-keys",
                                    "require-egress",
                                    "kubernetes-version",
                                    "default-namespace",
                                ],
                            ));
                        }
                    }
                }
            }
            "exclude" => {
                config.exclude = strings(v, "`exclude`")?;
                for (i, g) in config.exclude.iter().enumerate() {
                    if let Err(e) = globset::Glob::new(g) {
                        let at = v.as_seq().map_or(v.span.start, |s| s[i].span.start);
                        return Err(err(at, format!("invalid glob `{g}`: {}", e.kind())));
                    }
                }
            }
            "ignore" => {
                let Some(items) = v.as_seq() else {
                    return Err(err(
                        v.span.start,
                        "`ignore` must be a list of entries".into(),
                    ));
                };
                for item in items {
                    config.ignore.push(ignore_rule(item)?);
                }
            }
            "policies" => {
                // A repository's config must not load Rego from elsewhere on the machine
                // (src/confine.rs); `--policy` on the command line may.
                let boundary = crate::confine::Boundary::around(&config.base);
                let names = strings(v, "`policies`")?;
                let items = v.as_seq().unwrap_or_default();
                for (i, name) in names.into_iter().enumerate() {
                    let path = config.base.join(&name);
                    if let Err(message) = boundary.resolve(&path, &name) {
                        return Err(at(items.get(i).unwrap_or(v), message));
                    }
                    config.policies.push(path);
                }
            }
            "fail-on" => config.fail_on = Some(severity(v)?),
            "units" => {
                for u in map(v, "`units`")? {
                    let name = u.key.as_str().unwrap_or_default().to_string();
                    let what = format!("`units.{name}`");
                    let globs = strings(&u.value, &what)?;
                    for (i, g) in globs.iter().enumerate() {
                        if let Err(e) = globset::Glob::new(g) {
                            let at = u
                                .value
                                .as_seq()
                                .map_or(u.value.span.start, |s| s[i].span.start);
                            return Err(err(at, format!("invalid glob `{g}`: {}", e.kind())));
                        }
                    }
                    config.units.push(crate::units::Declared { name, globs });
                }
            }
            "force-exclude" => match v.value {
                NodeValue::Bool(b) => config.force_exclude = b,
                _ => {
                    return Err(err(
                        v.span.start,
                        "`force-exclude` must be true or false".into(),
                    ));
                }
            },
            other => {
                return Err(unknown(
                    &e.key,
                    other,
                    "the config",
                    &[
                        "checks",
                        "params",
                        "exclude",
                        "force-exclude",
                        "ignore",
                        "policies",
                        "fail-on",
                        "units",
                    ],
                ));
            }
        }
    }
    return Ok(config);

    fn map<'a>(node: &'a Node, what: &str) -> Result<&'a [yaml::Entry], Diagnostic> {
        match &node.value {
            NodeValue::Map(m) => Ok(m),
            NodeValue::Null => Ok(&[]),
            _ => Err(at(
                node,
                format!("{what} must be a mapping, not a {}", node.type_name()),
            )),
        }
    }
    fn string(node: &Node, what: &str) -> Result<String, Diagnostic> {
        match &node.value {
            NodeValue::Str(s) => Ok(s.to_string()),
            _ => Err(at(
                node,
                format!("{what} must be a string, not a {}", node.type_name()),
            )),
        }
    }
    fn strings(node: &Node, what: &str) -> Result<Vec<String>, Diagnostic> {
        match &node.value {
            NodeValue::Seq(items) => items
                .iter()
                .map(|i| string(i, &format!("an entry of {what}")))
                .collect(),
            NodeValue::Null => Ok(Vec::new()),
            _ => Err(at(
                node,
                format!(
                    "{what} must be a list of strings, not a {}",
                    node.type_name()
                ),
            )),
        }
    }
    fn severity(node: &Node) -> Result<Severity, Diagnostic> {
        let s = string(node, "a severity")?;
        s.parse::<Severity>().map_err(|_| {
            at(
                node,
                format!("unknown severity `{s}` (expected critical, high, medium, low or info)"),
            )
        })
    }
    fn ignore_rule(item: &Node) -> Result<IgnoreRule, Diagnostic> {
        let entries = map(item, "an `ignore` entry")?;
        let mut rule = IgnoreRule {
            checks: Vec::new(),
            paths: Vec::new(),
            resource: None,
            reason: String::new(),
            pos: item.span.start,
        };
        for e in entries {
            match e.key.as_str().unwrap_or_default() {
                "check" => {
                    rule.checks = match &e.value.value {
                        NodeValue::Seq(_) => strings(&e.value, "`check`")?,
                        _ => vec![string(&e.value, "`check`")?],
                    }
                }
                "paths" => {
                    rule.paths = strings(&e.value, "`paths`")?;
                    for g in &rule.paths {
                        globset::Glob::new(g).map_err(|x| {
                            at(&e.value, format!("invalid glob `{g}`: {}", x.kind()))
                        })?;
                    }
                }
                "resource" => rule.resource = Some(string(&e.value, "`resource`")?),
                "reason" => rule.reason = string(&e.value, "`reason`")?,
                other => {
                    return Err(unknown(
                        &e.key,
                        other,
                        "an `ignore` entry",
                        &["check", "paths", "resource", "reason"],
                    ));
                }
            }
        }
        if rule.checks.is_empty() {
            return Err(at(
                item,
                "an `ignore` entry needs `check` (a check id, a list of ids, or \"*\")".into(),
            ));
        }
        if rule.reason.trim().is_empty() {
            return Err(at(
                item,
                "an `ignore` entry needs a non-empty `reason`".into(),
            ));
        }
        Ok(rule)
    }
    fn at(node: &Node, message: String) -> Diagnostic {
        // The file is added by [`with_file`].
        Diagnostic::new(Kind::Config, String::new(), Some(node.span.start), message)
    }
    fn unknown(key: &Node, name: &str, within: &str, known: &[&str]) -> Diagnostic {
        at(
            key,
            format!(
                "unknown key `{name}` in {within} (expected one of: {})",
                known.join(", ")
            ),
        )
    }
}

/// Fills in the file name of errors raised by the nested helpers.
pub fn with_file(mut e: Diagnostic, name: &str) -> Diagnostic {
    if e.file.is_empty() {
        e.file = name.to_string();
    }
    e
}

/// The commented template `rampart init` writes.
pub const TEMPLATE: &str = r#"# rampart configuration. Every key is optional; delete what you do not need.
# Paths and globs are relative to this file's directory.

# Which checks run. `rampart checks` lists them all.
checks:
  # Checks to switch off everywhere.
  disable: []
  # Checks to switch back on when a parent config disabled them.
  enable: []
  # Run only these checks or families (security, resources, probes, network, ports, spread,
  # secrets, supply-chain, api); empty runs them all. `--only` on the command line replaces it.
  only: []
  # Run only the checks of at least this severity (critical, high, medium, low or info).
  # min-severity: medium
  # Severity overrides, per check id: critical, high, medium, low or info.
  severity: {}
  #   missing-cpu-limit: info

# Parameters the checks read.
params:
  # A workload with at least this many replicas must spread them.
  min-replicas: 2
  # Topology keys that count for podAntiAffinity and for topologySpreadConstraints.
  anti-affinity-topology-keys: [kubernetes.io/hostname]
  spread-topology-keys: [topology.kubernetes.io/zone]
  # Also require a NetworkPolicy that selects each workload for Egress.
  require-egress: false
  # The Kubernetes version you deploy to (for removed-api-version). Quote it.
  kubernetes-version: "1.31"
  # The namespace of objects that do not name one.
  default-namespace: default

# Paths not to lint (globs).
exclude: []
#  - "charts/**/templates/**"
# Also exclude files named on the command line (pre-commit names each staged file). The
# pre-commit hooks pass --force-exclude, which does the same.
force-exclude: false

# Findings to accept, each with the reason why (shown in every report).
ignore: []
#  - check: host-namespace
#    paths: ["deploy/logging/**"]
#    resource: DaemonSet/logging/fluent-bit
#    reason: Fluent Bit needs the host network to ship node logs.

# Extra directories of Rego policies.
policies: []

# The lowest severity that fails the run (exit status 1).
fail-on: low

# Deployment units, when the default guesses wrong (README "Deployment units"): cross-resource
# checks relate objects of one unit only. Files no glob matches follow the default.
units: {}
#  prod: ["clusters/prod/**", "base/**"]
#  staging: ["clusters/staging/**", "base/**"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Config {
        parse(text, "c.yaml", PathBuf::from(".")).unwrap()
    }

    #[test]
    fn the_template_loads() {
        let c = parse_ok(TEMPLATE);
        assert_eq!(c.params, Params::default());
        assert_eq!(c.fail_on, Some(Severity::Low));
        assert!(c.units.is_empty());
    }

    #[test]
    fn reads_every_section() {
        let c = parse_ok(
            "checks:\n  disable: [run-as-root]\n  severity:\n    missing-cpu-limit: info\nparams:\n  min-replicas: 3\n  kubernetes-version: \"1.29\"\nexclude: ['vendor/**']\nignore:\n  - check: host-namespace\n    paths: ['logging/**']\n    resource: DaemonSet/logging/fluent-bit\n    reason: needs host logs\nfail-on: high\n",
        );
        assert_eq!(c.disable, vec!["run-as-root"]);
        assert_eq!(
            c.severity,
            vec![("missing-cpu-limit".to_string(), Severity::Info)]
        );
        assert_eq!(c.params.min_replicas, 3);
        assert_eq!(c.params.kubernetes_version, "1.29");
        assert_eq!(
            c.ignore[0].resource.as_deref(),
            Some("DaemonSet/logging/fluent-bit")
        );
        assert_eq!(c.ignore[0].pos.line, 10);
        assert_eq!(c.fail_on, Some(Severity::High));
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_located() {
        let e = parse("checks:\n  disabel: [x]\n", "c.yaml", PathBuf::from(".")).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("unknown key `disabel`"), "{}", e.message);
        let e = parse(
            "params:\n  min-replicas: two\n",
            "c.yaml",
            PathBuf::from("."),
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (2, 17));
        let e = parse("fail-on: urgent\n", "c.yaml", PathBuf::from(".")).unwrap_err();
        assert!(e.message.contains("unknown severity"));
        let e = parse(
            "params:\n  kubernetes-version: 1.30\n",
            "c.yaml",
            PathBuf::from("."),
        )
        .unwrap_err();
        assert!(e.message.contains("quote it"), "{}", e.message);
        let e = parse(
            "ignore:\n  - check: x\n    reason: ''\n",
            "c.yaml",
            PathBuf::from("."),
        )
        .unwrap_err();
        assert!(e.message.contains("reason"));
    }

    #[test]
    fn units_are_named_lists_of_globs() {
        let c = parse_ok("units:\n  prod: [\"prod/**\", \"base/**\"]\n  dev: [\"dev/**\"]\n");
        assert_eq!(
            c.units,
            [
                crate::units::Declared {
                    name: "prod".into(),
                    globs: vec!["prod/**".into(), "base/**".into()],
                },
                crate::units::Declared {
                    name: "dev".into(),
                    globs: vec!["dev/**".into()],
                },
            ]
        );
        let e = parse("units:\n  a: [\"x/[\"]\n", "c.yaml", PathBuf::from(".")).unwrap_err();
        assert_eq!((e.line, e.column), (2, 7));
        assert!(e.message.contains("invalid glob"), "{}", e.message);
        let e = parse("units:\n  a: x\n", "c.yaml", PathBuf::from(".")).unwrap_err();
        assert!(e.message.contains("`units.a`"), "{}", e.message);
    }
}
