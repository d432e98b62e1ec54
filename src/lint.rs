//! The pipeline: inputs → parsed documents → resources → evaluation → located, sorted findings.
//! Parallel with rayon, never aborted by one bad file, deterministic whatever the thread count.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use regorus::Value;

use crate::discover::{self, Input, io_message};
use crate::finding::{Finding, Location, Related, Severity, fingerprint};
use crate::kubernetes::{self, Classified, ComposeId, Identity, ObjectId};
use crate::policy::engine::RawRelated;
use crate::policy::registry::targets_kind;
use crate::policy::{Catalog, PolicyEngine, PolicyError};
use crate::source::{Pos, SourceFile, Span};
use crate::yaml::{self, Node, PathSeg};

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

/// What to lint and how.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    /// Name shown for `-` (stdin).
    pub stdin_name: String,
    /// Text of stdin, read by the caller when `-` is among the paths.
    pub stdin: Option<Vec<u8>>,
    /// Worker threads; 0 means all cores.
    pub jobs: usize,
    pub policy_dirs: Vec<PathBuf>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    /// When not empty, only these checks run.
    pub only: Vec<String>,
    pub params: Params,
}

/// An input that could not be read, decoded or parsed, or a policy that failed on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    /// Index into [`Run::files`] when the text is available for a snippet.
    pub source: Option<usize>,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// A document that is neither a Kubernetes object nor part of a Compose file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub file: String,
    pub document: usize,
    pub line: u32,
}

/// Counts for the summary line and the JSON report.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub resources: usize,
    pub findings: usize,
    pub suppressed: usize,
    pub by_severity: std::collections::BTreeMap<String, usize>,
}

/// A resource that was evaluated: reports that also list what passed (JUnit) read these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Index into [`Run::files`].
    pub file: usize,
    pub identity: Identity,
    pub span: Span,
}

/// Everything a run produced, ready for the reports.
pub struct Run {
    pub files: Vec<Arc<SourceFile>>,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub skipped: Vec<Skipped>,
    pub summary: Summary,
    pub catalog: Catalog,
    /// Every resource evaluated, sorted by file and position.
    pub resources: Vec<Checked>,
    /// Which checks of [`Run::catalog`] ran, index for index.
    pub enabled: Vec<bool>,
    /// When linting started and finished (GitLab's `scan.start_time` and `end_time`).
    pub started: SystemTime,
    pub finished: SystemTime,
}

impl Run {
    /// The checks that ran on a resource: enabled, and targeting its kind.
    pub fn checks_for<'a>(&'a self, resource: &'a Checked) -> impl Iterator<Item = usize> + 'a {
        let kind = resource.identity.kind();
        self.catalog
            .checks
            .iter()
            .enumerate()
            .filter(move |(i, c)| self.enabled[*i] && targets_kind(&c.targets, kind))
            .map(|(i, _)| i)
    }
}

/// Why a run could not happen at all (exit status 2 before any input is linted).
#[derive(Debug)]
pub enum Fatal {
    Policies(Vec<PolicyError>),
    Usage(String),
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fatal::Policies(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "policy error: {e}")?;
                }
                Ok(())
            }
            Fatal::Usage(m) => f.write_str(m),
        }
    }
}

/// A resource to evaluate.
struct Resource {
    file: usize,
    identity: Identity,
    prefix: Vec<PathSeg>,
    node: Node,
    value: Value,
}

/// The result of reading one input.
#[derive(Default)]
struct Loaded {
    source: Option<SourceFile>,
    documents: usize,
    resources: Vec<(Identity, Vec<PathSeg>, Node, Value)>,
    errors: Vec<(Option<Pos>, String)>,
    skipped: Vec<(usize, u32)>,
    /// The read failed before any text: the error has no snippet.
    unreadable: bool,
}

/// Lints the inputs. Input problems are collected in [`Run::errors`]; only a problem with the
/// policies or the options stops the run.
pub fn run(options: Options) -> Result<Run, Fatal> {
    let started = SystemTime::now();
    let catalog = Catalog::load(&options.policy_dirs).map_err(Fatal::Policies)?;
    let enabled = enabled_checks(&catalog, &options)?;
    let threads = if options.jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.jobs
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Fatal::Usage(format!("cannot start {threads} worker threads: {e}")))?;
    pool.install(|| run_in_pool(options, catalog, enabled, threads, started))
}

fn enabled_checks(catalog: &Catalog, options: &Options) -> Result<Vec<bool>, Fatal> {
    for id in options
        .enable
        .iter()
        .chain(&options.disable)
        .chain(&options.only)
    {
        if catalog.check(id).is_none() {
            return Err(Fatal::Usage(format!(
                "unknown check `{id}` (see `rampart checks` for the list)"
            )));
        }
    }
    Ok(catalog
        .checks
        .iter()
        .map(|c| {
            if !options.only.is_empty() {
                return options.only.contains(&c.id);
            }
            options.enable.contains(&c.id) || !options.disable.contains(&c.id)
        })
        .collect())
}

fn run_in_pool(
    options: Options,
    catalog: Catalog,
    enabled: Vec<bool>,
    threads: usize,
    started: SystemTime,
) -> Result<Run, Fatal> {
    let (inputs, discover_errors) =
        discover::discover(&options.paths, &options.stdin_name, threads);
    let default_ns = options.params.default_namespace.clone();
    let stdin = options.stdin.clone();

    let loaded: Vec<(String, Loaded)> = inputs
        .par_iter()
        .map(|input| {
            let name = input.name().to_string();
            let result = catch_unwind(AssertUnwindSafe(|| {
                load(input, stdin.as_deref(), &default_ns)
            }));
            let loaded = result.unwrap_or_else(|panic| Loaded {
                errors: vec![(
                    None,
                    format!(
                        "internal error while reading this file: {}",
                        panic_message(&panic)
                    ),
                )],
                unreadable: true,
                ..Loaded::default()
            });
            (name, loaded)
        })
        .collect();

    let mut files: Vec<Arc<SourceFile>> = Vec::new();
    let mut resources: Vec<Resource> = Vec::new();
    let mut errors: Vec<InputError> = discover_errors
        .into_iter()
        .map(|e| InputError {
            file: e.path,
            source: None,
            line: 1,
            column: 1,
            message: e.message,
        })
        .collect();
    let mut skipped = Vec::new();
    let mut summary = Summary::default();
    for (name, l) in loaded {
        summary.files += 1;
        summary.documents += l.documents;
        let index = l.source.map(|s| {
            files.push(Arc::new(s));
            files.len() - 1
        });
        for (pos, message) in l.errors {
            errors.push(InputError {
                file: name.clone(),
                source: if l.unreadable { None } else { index },
                line: pos.map_or(1, |p| p.line),
                column: pos.map_or(1, |p| p.col),
                message,
            });
        }
        for (document, line) in l.skipped {
            skipped.push(Skipped {
                file: name.clone(),
                document,
                line,
            });
        }
        if let Some(file) = index {
            for (identity, prefix, node, value) in l.resources {
                resources.push(Resource {
                    file,
                    identity,
                    prefix,
                    node,
                    value,
                });
            }
        }
    }
    summary.resources = resources.len();

    let inventory = kubernetes::inventory(resources.iter().filter_map(|r| match &r.identity {
        Identity::Kubernetes(id) => Some((id, &r.value)),
        Identity::Compose(_) => None,
    }));
    let data = data_document(&options.params, inventory);
    let engine = PolicyEngine::new(&catalog, &enabled, data).map_err(Fatal::Policies)?;

    let index: HashMap<&ObjectId, usize> = resources
        .iter()
        .enumerate()
        .rev()
        .filter_map(|(i, r)| match &r.identity {
            Identity::Kubernetes(id) => Some((id, i)),
            Identity::Compose(_) => None,
        })
        .collect();
    let ctx = Context {
        files: &files,
        resources: &resources,
        index: &index,
        catalog: &catalog,
        default_namespace: &options.params.default_namespace,
    };

    let results: Vec<(Vec<Finding>, Vec<InputError>)> = resources
        .par_iter()
        .map_init(
            || engine.clone(),
            |engine, resource| {
                let outcome = catch_unwind(AssertUnwindSafe(|| evaluate(engine, resource, &ctx)));
                outcome.unwrap_or_else(|panic| {
                    (
                        Vec::new(),
                        vec![InputError {
                            file: files[resource.file].name.clone(),
                            source: Some(resource.file),
                            line: resource.node.span.start.line,
                            column: resource.node.span.start.col,
                            message: format!(
                                "internal error while checking {}: {}",
                                resource.identity.label(),
                                panic_message(&panic)
                            ),
                        }],
                    )
                })
            },
        )
        .collect();

    let mut findings = Vec::new();
    for (mut f, mut e) in results {
        findings.append(&mut f);
        errors.append(&mut e);
    }
    findings.sort_by(|a, b| finding_key(&files, a).cmp(&finding_key(&files, b)));
    findings.dedup();
    errors.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
    errors.dedup();

    for f in &findings {
        if f.suppressed.is_some() {
            summary.suppressed += 1;
        } else {
            summary.findings += 1;
            *summary
                .by_severity
                .entry(f.severity.to_string())
                .or_default() += 1;
        }
    }
    let mut checked: Vec<Checked> = resources
        .iter()
        .map(|r| Checked {
            file: r.file,
            identity: r.identity.clone(),
            span: r.node.span,
        })
        .collect();
    checked.sort_by(|a, b| {
        (&files[a.file].name, a.span, &a.identity).cmp(&(&files[b.file].name, b.span, &b.identity))
    });
    Ok(Run {
        files,
        findings,
        errors,
        skipped,
        summary,
        catalog,
        resources: checked,
        enabled,
        started,
        finished: SystemTime::now(),
    })
}

fn finding_key<'a>(
    files: &'a [Arc<SourceFile>],
    f: &'a Finding,
) -> (&'a str, Span, &'a str, &'a str) {
    (
        &files[f.location.file].name,
        f.location.span,
        &f.check,
        &f.message,
    )
}

/// `data` for policies: params and the inventory.
fn data_document(params: &Params, inventory: Value) -> Value {
    let params = serde_json::to_string(params).expect("params serialise");
    let params = Value::from_json_str(&params).expect("params are JSON");
    let mut rampart = std::collections::BTreeMap::new();
    rampart.insert(Value::from("params"), params);
    let mut root = std::collections::BTreeMap::new();
    root.insert(Value::from("rampart"), Value::from(rampart));
    root.insert(Value::from("inventory"), inventory);
    Value::from(root)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}

/// Reads, decodes, parses and classifies one input.
fn load(input: &Input, stdin: Option<&[u8]>, default_ns: &str) -> Loaded {
    let mut out = Loaded::default();
    let bytes = match input {
        Input::Stdin { .. } => stdin.unwrap_or_default().to_vec(),
        Input::File { path, .. } => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                out.errors
                    .push((None, format!("cannot read: {}", io_message(&e))));
                out.unreadable = true;
                return out;
            }
        },
    };
    let path = match input {
        Input::File { path, .. } => Some(path.clone()),
        Input::Stdin { .. } => None,
    };
    let source = match SourceFile::decode(input.name().to_string(), path, bytes) {
        Ok(s) => s,
        Err(e) => {
            out.errors.push((
                Some(Pos {
                    line: e.line,
                    col: e.col,
                    offset: 0,
                }),
                e.message,
            ));
            out.unreadable = true;
            return out;
        }
    };
    let stream = yaml::parse_stream(&source.text);
    if let Some(e) = &stream.error {
        out.errors
            .push((Some(e.pos), format!("invalid YAML: {}", e.message)));
    }
    out.documents = stream.documents.len() + usize::from(stream.error.is_some());
    let compose_name = is_compose_name(input.name());
    let first_has_services = stream.documents.first().is_some_and(|d| {
        d.root.get("services").is_some_and(|s| s.as_map().is_some()) && d.root.get("kind").is_none()
    });
    if compose_name || first_has_services {
        if let Some(doc) = stream.documents.into_iter().next() {
            let project = compose_project_name(input);
            let identity = Identity::Compose(ComposeId {
                kind: "project".into(),
                name: project.clone(),
                project,
            });
            let value = doc.root.to_value();
            out.resources.push((identity, Vec::new(), doc.root, value));
        }
        out.source = Some(source);
        return out;
    }
    for doc in stream.documents {
        let line = doc.root.span.start.line;
        let (classified, item_errors) = kubernetes::classify(doc.root, default_ns);
        for (span, message) in item_errors {
            out.errors.push((Some(span.start), message));
        }
        match classified {
            Classified::Objects(objects) => {
                for o in objects {
                    let value = o.node.to_value();
                    out.resources
                        .push((Identity::Kubernetes(o.id), o.prefix, o.node, value));
                }
            }
            Classified::BadItem { span, message } => out.errors.push((Some(span.start), message)),
            Classified::NotKubernetes => out.skipped.push((doc.index, line)),
        }
    }
    out.source = Some(source);
    out
}

fn is_compose_name(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    (file.starts_with("compose") || file.starts_with("docker-compose"))
        && (file.ends_with(".yaml") || file.ends_with(".yml"))
}

/// Compose's default project name: the directory holding the compose file.
fn compose_project_name(input: &Input) -> String {
    let dir = match input {
        Input::File { path, .. } => path.canonicalize().ok().and_then(|p| {
            p.parent()
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        }),
        Input::Stdin { .. } => None,
    };
    dir.unwrap_or_else(|| "stdin".into()).to_lowercase()
}

/// What evaluation of one resource needs to see of the run.
struct Context<'a> {
    files: &'a [Arc<SourceFile>],
    resources: &'a [Resource],
    index: &'a HashMap<&'a ObjectId, usize>,
    catalog: &'a Catalog,
    default_namespace: &'a str,
}

fn evaluate(
    engine: &mut PolicyEngine,
    resource: &Resource,
    ctx: &Context<'_>,
) -> (Vec<Finding>, Vec<InputError>) {
    let (raw, eval_errors) = engine.evaluate(resource.identity.kind(), resource.value.clone());
    let file = &ctx.files[resource.file];
    let errors = eval_errors
        .into_iter()
        .map(|e| InputError {
            file: file.name.clone(),
            source: Some(resource.file),
            line: resource.node.span.start.line,
            column: resource.node.span.start.col,
            message: format!(
                "check `{}` failed on {}: {}",
                ctx.catalog.checks[e.check].id,
                resource.identity.label(),
                e.message
            ),
        })
        .collect();
    let findings = raw
        .into_iter()
        .map(|r| {
            let check = &ctx.catalog.checks[r.check];
            let path = to_path(&r.path);
            let at = resource.node.locate(&path);
            let mut full_path = resource.prefix.clone();
            full_path.extend(path[..at.depth].iter().cloned());
            let related = r
                .related
                .iter()
                .filter_map(|rel| locate_related(rel, resource, ctx))
                .collect();
            Finding {
                fingerprint: fingerprint(
                    &check.id,
                    &file.name,
                    &resource.identity,
                    &full_path,
                    &r.message,
                ),
                check: check.id.clone(),
                severity: check.severity,
                message: r.message,
                location: Location {
                    file: resource.file,
                    span: at.span,
                    head: at.head,
                },
                resource: resource.identity.clone(),
                path: full_path,
                related,
                suppressed: None,
            }
        })
        .collect();
    (findings, errors)
}

fn locate_related(rel: &RawRelated, resource: &Resource, ctx: &Context<'_>) -> Option<Related> {
    let target = match &rel.object {
        None | Some(Value::Null) => resource,
        Some(obj) => {
            let field = |k: &str| match obj {
                Value::Object(m) => m
                    .get(&Value::from(k))
                    .and_then(|v| v.as_string().ok())
                    .map(|s| s.to_string()),
                _ => None,
            };
            let kind = field("kind")?;
            let namespace = if kubernetes::is_cluster_scoped(&kind) {
                None
            } else {
                Some(field("namespace").unwrap_or_else(|| ctx.default_namespace.to_string()))
            };
            let id = ObjectId {
                api_version: field("apiVersion")?,
                kind,
                name: field("name")?,
                namespace,
            };
            &ctx.resources[*ctx.index.get(&id)?]
        }
    };
    let at = target.node.locate(&to_path(&rel.path));
    Some(Related {
        location: Location {
            file: target.file,
            span: at.span,
            head: at.head,
        },
        message: rel.message.clone(),
    })
}

fn to_path(values: &[Value]) -> Vec<PathSeg> {
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => PathSeg::Key(s.to_string()),
            Value::Number(_) => match v.as_u64() {
                Ok(i) => PathSeg::Index(i as usize),
                Err(_) => PathSeg::Key(v.to_json_str().unwrap_or_default()),
            },
            other => PathSeg::Key(other.to_json_str().unwrap_or_default()),
        })
        .collect()
}

/// The exit status a run maps to (SPEC §2).
pub fn exit_status(run: &Run, fail_on: Severity) -> i32 {
    if !run.errors.is_empty() {
        return 2;
    }
    let failing = run
        .findings
        .iter()
        .any(|f| f.suppressed.is_none() && f.severity >= fail_on);
    i32::from(failing)
}
