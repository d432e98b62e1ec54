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
use crate::units;
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
    /// Read the other manifests of named files' repositories as context ([`context_inputs`]).
    pub context: bool,
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
    /// What the walk or the loading left out, and why (`-v`; Helm charts always).
    pub notes: Vec<discover::Note>,
    pub summary: Summary,
    pub catalog: Catalog,
    /// Every resource evaluated, sorted by file and position.
    pub resources: Vec<Checked>,
    /// Which checks of [`Run::catalog`] ran, index for index.
    pub enabled: Vec<bool>,
    /// When linting started and finished (GitLab's `scan.start_time` and `end_time`).
    pub started: SystemTime,
    pub finished: SystemTime,
    /// SARIF `automationDetails.id` (`--sarif-category`), set by the caller.
    pub sarif_category: Option<String>,
    /// The deployment units formed, in the order they were formed.
    pub units: Vec<RunUnit>,
}

/// A deployment unit of a run, for `-v`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunUnit {
    pub name: String,
    /// Why the unit was formed.
    pub reason: String,
    /// Objects linted in it (shared files count in each of their units).
    pub objects: usize,
}

impl Run {
    /// The checks that ran on a resource: enabled, and targeting its kind as policies name it
    /// (`compose-service` for a Compose service, never the display kind `service`).
    pub fn checks_for<'a>(&'a self, resource: &'a Checked) -> impl Iterator<Item = usize> + 'a {
        let kind = resource.identity.target_kind();
        self.catalog
            .checks
            .iter()
            .enumerate()
            .filter(move |(i, c)| self.enabled[*i] && targets_kind(&c.targets, &kind))
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
    /// Read for context only (named files' units): in inventories, never evaluated.
    context: bool,
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
    /// Read for the context of named files only.
    context: bool,
    /// Files left out whole (a walked `.json` file that is not JSON).
    notes: Vec<discover::Note>,
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
    /// Read for the context of named files only.
    context: bool,
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
    for id in options.enable.iter().chain(&options.disable) {
        if catalog.check(id).is_none() {
            let hint = catalog
                .similar_id(id)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(Fatal::Usage(format!(
                "unknown check `{id}`{hint} (see `rampart checks` for the list)"
            )));
        }
    }
    // `--only` replaces the config's `checks.only`; each entry is a check id or a family.
    let (only, only_from) = if options.only.is_empty() {
        (&config.only, "in `checks.only`")
    } else {
        (&options.only, "for --only")
    };
    let is_family = |name: &str| catalog.checks.iter().any(|c| c.family == name);
    if let Some(name) = only
        .iter()
        .find(|n| catalog.check(n).is_none() && !is_family(n))
    {
        let mut families: Vec<&str> = catalog.checks.iter().map(|c| c.family.as_str()).collect();
        families.sort_unstable();
        families.dedup();
        let hint = catalog
            .checks
            .iter()
            .map(|c| c.id.as_str())
            .chain(families.iter().copied())
            .map(|known| (strsim::jaro_winkler(name, known), known))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, known)| format!("; did you mean `{known}`?"))
            .unwrap_or_default();
        return Err(Fatal::Usage(format!(
            "unknown check or family `{name}` {only_from}{hint} (families: {}; checks: see `rampart checks`)",
            families.join(", ")
        )));
    }
    let min_severity = config.min_severity.unwrap_or(Severity::Info);
    // The config first, then the command line, which wins.
    Ok(catalog
        .checks
        .iter()
        .map(|c| {
            if c.severity < min_severity {
                return false;
            }
            if !only.is_empty() {
                return only.iter().any(|n| *n == c.id || *n == c.family);
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
    let (mut inputs, discover_errors, mut notes) =
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
    let mut jobs: Vec<Job> = (0..inputs.len())
        .filter(|&i| !consumed[i])
        .map(|i| Job {
            input: i,
            with: with[i],
            context: false,
        })
        .collect();
    if options.context {
        let context = context_inputs(&inputs, &options, threads);
        jobs.extend((0..context.len()).map(|i| Job {
            input: inputs.len() + i,
            with: None,
            context: true,
        }));
        inputs.extend(context);
    }

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
    // Files read only for context: their findings (a suppression comment's) are not reported.
    let mut context_files: Vec<usize> = Vec::new();
    for mut l in loaded {
        if l.context {
            // Only the Kubernetes objects matter; the file's own problems are not this run's.
            l.errors.clear();
            l.skipped.clear();
            l.resources
                .retain(|r| matches!(r.identity, Identity::Kubernetes(_)));
            l.inputs = 0;
            l.documents = 0;
        }
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
        if l.context {
            context_files.extend(index.iter().copied());
        }
        for e in l.errors {
            errors.push(InputError {
                file: e.file,
                source: e.source.map(|i| index[i]),
                line: e.pos.map_or(1, |p| p.line),
                column: e.pos.map_or(1, |p| p.col),
                message: e.message,
            });
        }
        notes.extend(l.notes);
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
                context: l.context,
            });
        }
    }
    summary.resources = resources.iter().filter(|r| !r.context).count();

    // Deployment units: each is evaluated with an inventory of its own objects.
    let plan = plan_units(&files, &resources, &options);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); plan.units.len()];
    for (r, us) in plan.of.iter().enumerate() {
        for &u in us {
            members[u].push(r);
        }
    }
    let empty = data_document(&options.params, kubernetes::inventory(std::iter::empty()));
    let data: Vec<Option<Value>> = members
        .par_iter()
        .map(|m| {
            let objects: Vec<(&ObjectId, &Value)> = m
                .iter()
                .filter_map(|&r| match &resources[r].identity {
                    Identity::Kubernetes(id) => Some((id, &resources[r].value)),
                    Identity::Compose(_) => None,
                })
                .collect();
            (!objects.is_empty())
                .then(|| data_document(&options.params, kubernetes::inventory(objects.into_iter())))
        })
        .collect();
    let mut kinds: Vec<String> = resources
        .iter()
        .filter(|r| !r.context)
        .map(|r| r.identity.target_kind().into_owned())
        .collect();
    kinds.sort();
    kinds.dedup();
    let engine =
        PolicyEngine::new(&catalog, &enabled, empty.clone(), &kinds).map_err(Fatal::Policies)?;

    // The first copy of each identity in each unit, for related locations.
    let mut index: HashMap<(usize, &ObjectId), usize> = HashMap::new();
    for (u, m) in members.iter().enumerate() {
        for &r in m {
            if let Identity::Kubernetes(id) = &resources[r].identity {
                index.entry((u, id)).or_insert(r);
            }
        }
    }
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
        units: &plan.units,
    };

    // Work in chunks of one unit, so that a worker swaps its engine's data once per chunk at
    // most (regorus analyses the policies again after a swap).
    const CHUNK: usize = 64;
    let evaluated: Vec<Vec<usize>> = members
        .iter()
        .map(|m| {
            m.iter()
                .copied()
                .filter(|&r| !resources[r].context)
                .collect()
        })
        .collect();
    let work: Vec<(usize, &[usize])> = evaluated
        .iter()
        .enumerate()
        .flat_map(|(u, m)| m.chunks(CHUNK).map(move |c| (u, c)))
        .collect();
    const EMPTY: usize = usize::MAX;
    let results: Vec<(Vec<Finding>, Vec<InputError>)> = work
        .par_iter()
        .map_init(
            || (engine.clone(), EMPTY),
            |(engine, loaded), &(unit, chunk)| {
                let mut findings = Vec::new();
                let mut errors = Vec::new();
                let wanted = if data[unit].is_some() { unit } else { EMPTY };
                if *loaded != wanted {
                    let swapped = engine.set_data(data[unit].clone().unwrap_or(empty.clone()));
                    if let Err(e) = swapped {
                        let r = &resources[chunk[0]];
                        errors.push(InputError {
                            file: files[r.file].name.clone(),
                            source: Some(r.file),
                            line: r.node.span.start.line,
                            column: r.node.span.start.col,
                            message: format!("internal error: cannot load the inventory: {e}"),
                        });
                        return (findings, errors);
                    }
                    *loaded = wanted;
                }
                for &r in chunk {
                    let resource = &resources[r];
                    let outcome =
                        catch_unwind(AssertUnwindSafe(|| evaluate(engine, resource, unit, &ctx)));
                    let (mut f, mut e) = outcome.unwrap_or_else(|panic| {
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
                    });
                    findings.append(&mut f);
                    errors.append(&mut e);
                }
                (findings, errors)
            },
        )
        .collect();

    let mut findings = Vec::new();
    for (mut f, mut e) in results {
        findings.append(&mut f);
        errors.append(&mut e);
    }
    if let Some(check) = catalog
        .checks
        .iter()
        .position(|c| c.id == units::DUPLICATE_CHECK)
        .filter(|&c| enabled[c])
    {
        for (u, m) in members.iter().enumerate() {
            findings.extend(duplicates(check, u, m, &ctx));
        }
    }
    findings.sort_by(|a, b| finding_key(&files, a).cmp(&finding_key(&files, b)));
    let mut findings = merge_units(findings, &files);

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
    findings.retain(|f| !context_files.contains(&f.location.file));
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
        .filter(|r| !r.context)
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
        notes,
        summary,
        catalog,
        resources: checked,
        enabled,
        units: plan
            .units
            .iter()
            .zip(&evaluated)
            .map(|(u, m)| RunUnit {
                name: u.name.clone(),
                reason: u.reason.clone(),
                objects: m.len(),
            })
            .collect(),
        started,
        finished: SystemTime::now(),
        sarif_category: None,
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

/// The other manifests of the repositories of files named on the command line, read so that
/// cross-resource checks see their units whole (a pre-commit hook names the staged files
/// only). The walk starts at the configuration's directory when it holds the file, else at the
/// repository root (the nearest directory with `.git`); a file outside any has no context.
/// Compose files are not read: a Compose project is its own unit.
fn context_inputs(inputs: &[Input], options: &Options, threads: usize) -> Vec<Input> {
    let absolute = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let base = options.config.path.as_ref().map(|_| &options.config.base);
    let mut roots: Vec<PathBuf> = Vec::new();
    for named in &options.paths {
        if named.as_os_str() == "-" || !named.is_file() {
            continue;
        }
        let file = absolute(named);
        let root = match base {
            Some(base) if file.starts_with(absolute(base)) => Some(base.clone()),
            _ => file
                .ancestors()
                .skip(1)
                .find(|d| d.join(".git").exists())
                .map(std::path::Path::to_path_buf),
        };
        if let Some(root) = root {
            if !roots.iter().any(|r| absolute(r) == absolute(&root)) {
                roots.push(root);
            }
        }
    }
    if roots.is_empty() {
        return Vec::new();
    }
    let known: std::collections::HashSet<PathBuf> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File { path, .. } => Some(absolute(path)),
            Input::Stdin { .. } => None,
        })
        .collect();
    let (found, _, _) = discover::discover(&roots, "-", threads);
    let mut found: Vec<Input> = found
        .into_iter()
        .filter(|i| match i {
            Input::File { path, name, .. } => {
                !is_compose_name(name)
                    && !compose::is_override(path)
                    && !known.contains(&absolute(path))
            }
            Input::Stdin { .. } => false,
        })
        .collect();
    exclude(&mut found, options);
    found
}

/// Drops walked files that match the config's `exclude` globs (relative to the config's
/// directory). Files named on the command line are read anyway, unless `force-exclude` is set
/// (pre-commit names every staged file, excluded or not).
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
        if !options.config.force_exclude && options.paths.iter().any(|p| p == path) {
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
        context: job.context,
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
    if let Some(why) = unwanted_json(input, &source) {
        out.notes.push(discover::Note {
            path: source.name.clone(),
            message: why.into(),
            verbose: true,
        });
        return out;
    }
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
            documents: compose_documents(stream),
        });
        if let Some(o) = job.with {
            match read_input(&inputs[o], stdin) {
                Ok(over) => {
                    let stream = parse(&over, files.len(), &mut out);
                    files.push(compose::File {
                        source: over,
                        documents: compose_documents(stream),
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
        // Read as kubectl reads it now that the document is known not to be Compose.
        let (classified, item_errors) = kubernetes::read_document(doc.root, default_ns);
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

/// The documents of a Compose file, resolved as compose-go resolves them (go-yaml v3).
fn compose_documents(stream: yaml::Stream) -> Vec<yaml::Node> {
    let mut documents: Vec<yaml::Node> = stream.documents.into_iter().map(|d| d.root).collect();
    for d in &mut documents {
        d.resolve(yaml::Schema::Compose);
    }
    documents
}

/// Why a `.json` file found by walking is not linted: application repositories hold many
/// (`tsconfig.json` with comments, `package.json`). A file named on the command line is read
/// whatever it holds.
fn unwanted_json(input: &Input, source: &SourceFile) -> Option<&'static str> {
    let Input::File {
        path, walked: true, ..
    } = input
    else {
        return None;
    };
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return None;
    }
    match serde_json::from_str::<serde_json::Value>(&source.text) {
        Err(_) => Some("not JSON (comments or trailing commas, as in `tsconfig.json`): not linted"),
        Ok(v) if !is_manifest(&v) => {
            Some("JSON that is neither a Kubernetes object nor a Compose file: not linted")
        }
        Ok(_) => None,
    }
}

/// A Kubernetes object or list (`apiVersion` and `kind`), or a Compose file (`services`).
fn is_manifest(v: &serde_json::Value) -> bool {
    let object = |v: &serde_json::Value| {
        v.get("apiVersion").is_some_and(|a| a.is_string())
            && v.get("kind").is_some_and(|k| k.is_string())
    };
    match v {
        serde_json::Value::Array(items) => items.iter().any(object),
        _ => object(v) || v.get("services").is_some_and(|s| s.is_object()),
    }
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
    /// The first copy of each identity of each unit.
    index: &'a HashMap<(usize, &'a ObjectId), usize>,
    /// Compose services by (first file of their project, name).
    services: &'a HashMap<(usize, &'a str), usize>,
    catalog: &'a Catalog,
    default_namespace: &'a str,
    units: &'a [units::Unit],
}

fn evaluate(
    engine: &mut PolicyEngine,
    resource: &Resource,
    unit: usize,
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
                .filter_map(|rel| locate_related(rel, resource, unit, ctx))
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
                unit: ctx.units[unit].name.clone(),
            }
        })
        .collect();
    (findings, errors)
}

fn locate_related(
    rel: &RawRelated,
    resource: &Resource,
    unit: usize,
    ctx: &Context<'_>,
) -> Option<Related> {
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
                &ctx.resources[*ctx.index.get(&(unit, &id))?]
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

/// The units of a run's objects: Compose projects and stdin by themselves, Kubernetes files
/// by the configuration's `units` or the default rule ([`units`]).
fn plan_units(files: &[Arc<SourceFile>], resources: &[Resource], options: &Options) -> units::Plan {
    let items: Vec<units::Item<'_>> = resources
        .iter()
        .map(|r| {
            let file = &files[r.file];
            match &r.identity {
                Identity::Compose(_) => units::Item {
                    place: units::Place::Compose(&file.name),
                    key: None,
                },
                Identity::Kubernetes(id) => units::Item {
                    place: file
                        .path
                        .as_deref()
                        .map_or(units::Place::Stdin(&file.name), units::Place::File),
                    key: deployed(id).then(|| r.identity.label()),
                },
            }
        })
        .collect();
    let cwd = std::env::current_dir()
        .ok()
        .map(|c| c.canonicalize().unwrap_or(c));
    let display = |p: &std::path::Path| discover::display_name(p, cwd.as_deref());
    units::plan(
        &items,
        &options.config.units,
        &options.config.base,
        &display,
    )
}

/// Whether an object is applied to a cluster under its identity: not a kustomize file
/// (`kustomization.yaml` parses as an object without a name), nor an object without a name.
fn deployed(id: &ObjectId) -> bool {
    !id.name.is_empty() && !id.api_version.starts_with("kustomize.config.k8s.io/")
}

/// `duplicate-resource` findings of one unit: every copy of an identity after the first, at
/// its `metadata.name`, with the first copy as a related location. A copy read for context
/// is never reported: the finding moves to the other copy.
fn duplicates(check: usize, unit: usize, members: &[usize], ctx: &Context<'_>) -> Vec<Finding> {
    let mut first: HashMap<(&str, Option<&str>, &str), usize> = HashMap::new();
    let mut out = Vec::new();
    let name_path = [PathSeg::Key("metadata".into()), PathSeg::Key("name".into())];
    for &r in members {
        let Identity::Kubernetes(id) = &ctx.resources[r].identity else {
            continue;
        };
        if !deployed(id) {
            continue;
        }
        let key = (id.kind.as_str(), id.namespace.as_deref(), id.name.as_str());
        let Some(&earlier) = first.get(&key) else {
            first.insert(key, r);
            continue;
        };
        let (at, other) = match (ctx.resources[r].context, ctx.resources[earlier].context) {
            (false, _) => (r, earlier),
            (true, false) => (earlier, r),
            (true, true) => continue,
        };
        let (resource, other) = (&ctx.resources[at], &ctx.resources[other]);
        let check_info = &ctx.catalog.checks[check];
        let file = &ctx.files[resource.file];
        let here = resource.node.locate(&name_path);
        let there = other.node.locate(&name_path);
        let mut path = resource.prefix.clone();
        path.extend(name_path[..here.depth].iter().cloned());
        let label = resource.identity.label();
        let message = format!(
            "{label} is defined twice in this deployment unit: on apply, one copy replaces the other"
        );
        out.push(Finding {
            fingerprint: fingerprint(
                &check_info.id,
                &file.name,
                &resource.identity,
                &path,
                &message,
            ),
            check: check_info.id.clone(),
            severity: check_info.severity,
            message,
            location: Location {
                file: resource.file_of(here.origin),
                span: here.span,
                head: here.head,
            },
            resource: resource.identity.clone(),
            path,
            related: vec![Related {
                location: Location {
                    file: other.file_of(there.origin),
                    span: there.span,
                    head: there.head,
                },
                message: format!("the other copy of {label}"),
            }],
            suppressed: None,
            unit: ctx.units[unit].name.clone(),
        });
    }
    out
}

/// Joins findings that differ only by their unit (a shared file evaluated in each of its
/// units): one finding, its units listed. `findings` is sorted by [`finding_key`].
fn merge_units(findings: Vec<Finding>, files: &[Arc<SourceFile>]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut group = 0;
    for f in findings {
        if let Some(last) = out.last() {
            if finding_key(files, last) != finding_key(files, &f) {
                group = out.len();
            }
        }
        let same = out[group..].iter_mut().find(|k| {
            k.path == f.path
                && k.related == f.related
                && k.resource == f.resource
                && k.location == f.location
        });
        match same {
            Some(kept) => {
                if !f.unit.is_empty() && !kept.unit.split(", ").any(|u| u == f.unit) {
                    kept.unit.push_str(", ");
                    kept.unit.push_str(&f.unit);
                }
            }
            None => out.push(f),
        }
    }
    out
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
