//! The pipeline: inputs → parsed documents → resources → evaluation → located, sorted findings.
//! Parallel with rayon, never aborted by one bad file, deterministic whatever the thread count.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use regorus::Value;

use crate::compose;
use crate::config::Config;
use crate::discover::{self, Input};
use crate::finding::{Finding, Location, Related, Severity, fingerprint};
use crate::kubernetes::{self, Classified, Identity, ObjectId};
use crate::policy::engine::RawRelated;
use crate::policy::registry::targets_kind;
use crate::policy::{Catalog, PolicyEngine, PolicyError};
use crate::source::{Pos, SourceFile, Span};
use crate::suppress;
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
    /// The configuration file's settings (enable/disable/severity are merged with the flags
    /// above, which win; params are taken from `params`).
    pub config: Config,
    /// Hide the findings recorded in this baseline.
    pub baseline: Option<PathBuf>,
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
    /// Run file indices of the resource's extra files ([`Node::origin`] `n` is `origins[n - 1]`).
    origins: Vec<usize>,
    identity: Identity,
    prefix: Vec<PathSeg>,
    node: Node,
    value: Value,
}

impl Resource {
    /// The run file index of a node of this resource.
    fn file_of(&self, origin: u32) -> usize {
        match origin {
            0 => self.file,
            n => self
                .origins
                .get(n as usize - 1)
                .copied()
                .unwrap_or(self.file),
        }
    }
}

/// The result of reading one input (or a Compose file with its override file).
#[derive(Default)]
struct Loaded {
    /// Inputs of the run covered: 2 for a Compose file linted with its override file.
    inputs: usize,
    /// Files read; resources and errors refer to them by index.
    sources: Vec<SourceFile>,
    documents: usize,
    resources: Vec<LoadedResource>,
    errors: Vec<LoadError>,
    /// `(file, document index, line)` of documents that are not linted.
    skipped: Vec<(String, usize, u32)>,
}

struct LoadedResource {
    source: usize,
    /// Sources of [`Node::origin`] 1, 2, …
    origins: Vec<usize>,
    identity: Identity,
    prefix: Vec<PathSeg>,
    node: Node,
    value: Value,
}

struct LoadError {
    file: String,
    /// Index into [`Loaded::sources`] when the text is available for a snippet.
    source: Option<usize>,
    pos: Option<Pos>,
    message: String,
}

/// One unit of loading: an input, and the override file linted with it.
struct Job {
    input: usize,
    with: Option<usize>,
}

/// Lints the inputs. Input problems are collected in [`Run::errors`]; only a problem with the
/// policies or the options stops the run.
pub fn run(options: Options) -> Result<Run, Fatal> {
    let started = SystemTime::now();
    let mut policy_dirs = options.config.policies.clone();
    policy_dirs.extend(options.policy_dirs.iter().cloned());
    let mut catalog = Catalog::load(&policy_dirs).map_err(Fatal::Policies)?;
    for (id, severity) in &options.config.severity {
        match catalog.checks.iter_mut().find(|c| &c.id == id) {
            Some(check) => check.severity = *severity,
            None => {
                let at = options.config.locate("checks", "severity", id);
                return Err(Fatal::Usage(format!(
                    "{}: unknown check `{id}` in `checks.severity` (see `rampart checks`)",
                    at.unwrap_or_else(|| "config".into())
                )));
            }
        }
    }
    let enabled = enabled_checks(&catalog, &options)?;
    let threads = if options.jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.jobs
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        // Deep but legal input (nested YAML, long `extends` chains, deep Rego) needs more than
        // the default 2 MiB; the memory is only reserved, not touched.
        .stack_size(64 * 1024 * 1024)
        .build()
        .map_err(|e| Fatal::Usage(format!("cannot start {threads} worker threads: {e}")))?;
    pool.install(|| run_in_pool(options, catalog, enabled, threads, started))
}

fn enabled_checks(catalog: &Catalog, options: &Options) -> Result<Vec<bool>, Fatal> {
    let config = &options.config;
    for (what, ids) in [("enable", &config.enable), ("disable", &config.disable)] {
        if let Some(id) = ids.iter().find(|id| catalog.check(id).is_none()) {
            let at = config.locate("checks", what, id);
            return Err(Fatal::Usage(format!(
                "{}: unknown check `{id}` in `checks.{what}` (see `rampart checks`)",
                at.unwrap_or_else(|| "config".into())
            )));
        }
    }
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
    // The config first, then the command line, which wins.
    Ok(catalog
        .checks
        .iter()
        .map(|c| {
            if !options.only.is_empty() {
                return options.only.contains(&c.id);
            }
            let mut on = true;
            for (ids, value) in [
                (&config.disable, false),
                (&config.enable, true),
                (&options.disable, false),
                (&options.enable, true),
            ] {
                if ids.contains(&c.id) {
                    on = value;
                }
            }
            on
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
    let (mut inputs, discover_errors) =
        discover::discover(&options.paths, &options.stdin_name, threads);
    exclude(&mut inputs, &options);
    let default_ns = options.params.default_namespace.clone();
    let stdin = options.stdin.clone();

    let paths: Vec<Option<&std::path::Path>> = inputs
        .iter()
        .map(|i| match i {
            Input::File { path, .. } => Some(path.as_path()),
            Input::Stdin { .. } => None,
        })
        .collect();
    let (with, consumed) = compose::plan(&paths);
    let jobs: Vec<Job> = (0..inputs.len())
        .filter(|&i| !consumed[i])
        .map(|i| Job {
            input: i,
            with: with[i],
        })
        .collect();

    let loaded: Vec<Loaded> = jobs
        .par_iter()
        .map(|job| {
            let result = catch_unwind(AssertUnwindSafe(|| {
                load(job, &inputs, stdin.as_deref(), &default_ns)
            }));
            result.unwrap_or_else(|panic| Loaded {
                inputs: 1 + usize::from(job.with.is_some()),
                errors: vec![LoadError {
                    file: inputs[job.input].name().to_string(),
                    source: None,
                    pos: None,
                    message: format!(
                        "internal error while reading this file: {}",
                        panic_message(&panic)
                    ),
                }],
                ..Loaded::default()
            })
        })
        .collect();

    let mut files: Vec<Arc<SourceFile>> = Vec::new();
    // A file read for several projects (a shared `extends` file) is one file of the run.
    let mut file_index: HashMap<String, usize> = HashMap::new();
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
    for l in loaded {
        summary.files += l.inputs;
        summary.documents += l.documents;
        let index: Vec<usize> = l
            .sources
            .into_iter()
            .map(|s| {
                *file_index.entry(s.name.clone()).or_insert_with(|| {
                    files.push(Arc::new(s));
                    files.len() - 1
                })
            })
            .collect();
        for e in l.errors {
            errors.push(InputError {
                file: e.file,
                source: e.source.map(|i| index[i]),
                line: e.pos.map_or(1, |p| p.line),
                column: e.pos.map_or(1, |p| p.col),
                message: e.message,
            });
        }
        for (file, document, line) in l.skipped {
            skipped.push(Skipped {
                file,
                document,
                line,
            });
        }
        for r in l.resources {
            resources.push(Resource {
                file: index[r.source],
                origins: r.origins.iter().map(|&o| index[o]).collect(),
                identity: r.identity,
                prefix: r.prefix,
                node: r.node,
                value: r.value,
            });
        }
    }
    summary.resources = resources.len();

    let inventory = kubernetes::inventory(resources.iter().filter_map(|r| match &r.identity {
        Identity::Kubernetes(id) => Some((id, &r.value)),
        Identity::Compose(_) => None,
    }));
    let data = data_document(&options.params, inventory);
    let mut kinds: Vec<String> = resources
        .iter()
        .map(|r| r.identity.target_kind().into_owned())
        .collect();
    kinds.sort();
    kinds.dedup();
    let engine = PolicyEngine::new(&catalog, &enabled, data, &kinds).map_err(Fatal::Policies)?;

    let index: HashMap<&ObjectId, usize> = resources
        .iter()
        .enumerate()
        .rev()
        .filter_map(|(i, r)| match &r.identity {
            Identity::Kubernetes(id) => Some((id, i)),
            Identity::Compose(_) => None,
        })
        .collect();
    let services: HashMap<(usize, &str), usize> = resources
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.identity {
            Identity::Compose(c) if c.kind == "service" => Some(((r.file, c.name.as_str()), i)),
            _ => None,
        })
        .collect();
    let ctx = Context {
        files: &files,
        resources: &resources,
        index: &index,
        services: &services,
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

    let views: Vec<suppress::ResourceView<'_>> = resources
        .iter()
        .map(|r| suppress::ResourceView {
            file: r.file,
            identity: &r.identity,
            node: &r.node,
            prefix: &r.prefix,
        })
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let known = |id: &str| catalog.check(id).is_some();
    let ran = |id: &str| {
        catalog
            .checks
            .iter()
            .zip(enabled.iter().copied())
            .any(|(c, on)| on && c.id == id)
    };
    suppress::apply(
        &mut findings,
        &mut files,
        &views,
        &options.config,
        &cwd,
        &known,
        &ran,
    );
    drop(views);
    findings.sort_by(|a, b| finding_key(&files, a).cmp(&finding_key(&files, b)));
    crate::finding::make_fingerprints_unique(&mut findings);
    if let Some(path) = &options.baseline {
        let fingerprints = suppress::read_baseline(path).map_err(Fatal::Usage)?;
        suppress::apply_baseline(&mut findings, &fingerprints, &path.display().to_string());
    }
    findings.sort_by(|a, b| finding_key(&files, a).cmp(&finding_key(&files, b)));
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

/// Drops walked files that match the config's `exclude` globs (relative to the config's
/// directory). Files named on the command line are always read.
fn exclude(inputs: &mut Vec<Input>, options: &Options) {
    if options.config.exclude.is_empty() {
        return;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for g in &options.config.exclude {
        if let Ok(g) = globset::Glob::new(g) {
            builder.add(g);
        }
    }
    let Ok(set) = builder.build() else { return };
    let base = options
        .config
        .base
        .canonicalize()
        .unwrap_or_else(|_| options.config.base.clone());
    inputs.retain(|input| {
        let Input::File { path, .. } = input else {
            return true;
        };
        if options.paths.iter().any(|p| p == path) {
            return true;
        }
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        let rel = abs.strip_prefix(&base).unwrap_or(&abs);
        !set.is_match(rel)
    });
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

pub use crate::source::MAX_INPUT_BYTES;

/// Reads and decodes one input.
fn read_input(input: &Input, stdin: Option<&[u8]>) -> Result<SourceFile, LoadError> {
    let name = input.name().to_string();
    let read = match input {
        Input::File { path, .. } => crate::source::read_file(path, name.clone()),
        Input::Stdin { .. } => {
            let bytes = stdin.unwrap_or_default().to_vec();
            SourceFile::decode(name.clone(), None, bytes).map_err(|e| {
                let pos = Pos {
                    line: e.line,
                    col: e.col,
                    offset: 0,
                };
                (Some(pos), e.message)
            })
        }
    };
    read.map_err(|(pos, message)| LoadError {
        file: name,
        source: None,
        pos,
        message,
    })
}

/// Parses a source; a syntax error is recorded against `source` (its future index).
fn parse(source: &SourceFile, index: usize, out: &mut Loaded) -> yaml::Stream {
    let stream = yaml::parse_stream(&source.text);
    if let Some(e) = &stream.error {
        out.errors.push(LoadError {
            file: source.name.clone(),
            source: Some(index),
            pos: Some(e.pos),
            message: format!("invalid YAML: {}", e.message),
        });
    }
    out.documents += stream.documents.len() + usize::from(stream.error.is_some());
    stream
}

/// Reads, decodes, parses and classifies one input (with its override file, for a Compose
/// file whose override file is an input too).
fn load(job: &Job, inputs: &[Input], stdin: Option<&[u8]>, default_ns: &str) -> Loaded {
    let input = &inputs[job.input];
    let mut out = Loaded {
        inputs: 1 + usize::from(job.with.is_some()),
        ..Loaded::default()
    };
    let source = match read_input(input, stdin) {
        Ok(s) => s,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let path = match input {
        Input::File { path, .. } => Some(path.as_path()),
        Input::Stdin { .. } => None,
    };
    let alone_override = job.with.is_none() && path.is_some_and(compose::is_override);
    // An override file given without its base file is linted with it, as Compose reads it.
    let base = if alone_override {
        path.and_then(compose::base_of)
    } else {
        None
    };
    let own_index = usize::from(base.is_some());
    let stream = parse(&source, own_index, &mut out);
    let compose_name = is_compose_name(input.name());
    let first_has_services = stream.documents.first().is_some_and(|d| {
        d.root.get("services").is_some_and(|s| s.as_map().is_some()) && d.root.get("kind").is_none()
    });
    if compose_name || first_has_services || job.with.is_some() {
        let mut files = Vec::new();
        if let Some(base) = base {
            let cwd = std::env::current_dir().ok();
            let name = discover::display_name(&base, cwd.as_deref());
            match compose::read(&base, name) {
                Ok((base_source, base_stream)) => {
                    if let Some(e) = &base_stream.error {
                        out.errors.push(LoadError {
                            file: base_source.name.clone(),
                            source: Some(0),
                            pos: Some(e.pos),
                            message: format!("invalid YAML: {}", e.message),
                        });
                    }
                    files.push(compose::File {
                        source: base_source,
                        documents: base_stream.documents.into_iter().map(|d| d.root).collect(),
                    });
                }
                Err(e) => out.errors.push(LoadError {
                    file: e.file,
                    source: None,
                    pos: e.pos,
                    message: e.message,
                }),
            }
        }
        let own_index = files.len();
        if own_index == 0 {
            // The base could not be read: the override is linted alone.
            for e in out.errors.iter_mut().filter(|e| e.source == Some(1)) {
                e.source = Some(0);
            }
        }
        files.push(compose::File {
            source,
            documents: stream.documents.into_iter().map(|d| d.root).collect(),
        });
        if let Some(o) = job.with {
            match read_input(&inputs[o], stdin) {
                Ok(over) => {
                    let stream = parse(&over, files.len(), &mut out);
                    files.push(compose::File {
                        source: over,
                        documents: stream.documents.into_iter().map(|d| d.root).collect(),
                    });
                }
                Err(e) => out.errors.push(e),
            }
        }
        let project = compose::load(files);
        out.sources = project.sources;
        for e in project.errors {
            out.errors.push(LoadError {
                file: e.file,
                source: e.source,
                pos: e.pos,
                message: e.message,
            });
        }
        let origins: Vec<usize> = (1..out.sources.len()).collect();
        for r in project.resources {
            out.resources.push(LoadedResource {
                source: 0,
                origins: origins.clone(),
                identity: Identity::Compose(r.identity),
                prefix: r.prefix,
                node: r.node,
                value: r.value,
            });
        }
        return out;
    }
    for doc in stream.documents {
        let line = doc.root.span.start.line;
        let (classified, item_errors) = kubernetes::classify(doc.root, default_ns);
        for (span, message) in item_errors {
            out.errors.push(LoadError {
                file: source.name.clone(),
                source: Some(0),
                pos: Some(span.start),
                message,
            });
        }
        match classified {
            Classified::Objects(objects) => {
                for o in objects {
                    let value = o.node.to_value();
                    out.resources.push(LoadedResource {
                        source: 0,
                        origins: Vec::new(),
                        identity: Identity::Kubernetes(o.id),
                        prefix: o.prefix,
                        node: o.node,
                        value,
                    });
                }
            }
            Classified::BadItem { span, message } => out.errors.push(LoadError {
                file: source.name.clone(),
                source: Some(0),
                pos: Some(span.start),
                message,
            }),
            Classified::NotKubernetes => out.skipped.push((source.name.clone(), doc.index, line)),
        }
    }
    out.sources.push(source);
    out
}

fn is_compose_name(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    (file.starts_with("compose") || file.starts_with("docker-compose"))
        && (file.ends_with(".yaml") || file.ends_with(".yml"))
}

/// What evaluation of one resource needs to see of the run.
struct Context<'a> {
    files: &'a [Arc<SourceFile>],
    resources: &'a [Resource],
    index: &'a HashMap<&'a ObjectId, usize>,
    /// Compose services by (first file of their project, name).
    services: &'a HashMap<(usize, &'a str), usize>,
    catalog: &'a Catalog,
    default_namespace: &'a str,
}

fn evaluate(
    engine: &mut PolicyEngine,
    resource: &Resource,
    ctx: &Context<'_>,
) -> (Vec<Finding>, Vec<InputError>) {
    let (raw, eval_errors) =
        engine.evaluate(&resource.identity.target_kind(), resource.value.clone());
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
                    file: resource.file_of(at.origin),
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
            if let Some(service) = field("service") {
                // A service of the same project: projects are told apart by their first file.
                &ctx.resources[*ctx.services.get(&(resource.file, service.as_str()))?]
            } else {
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
        }
    };
    let at = target.node.locate(&to_path(&rel.path));
    Some(Related {
        location: Location {
            file: target.file_of(at.origin),
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
