//! The pipeline, one stage per module, in the order a run goes through them:
//!
//! 1. [`select`]: which checks run, at which severity;
//! 2. [`inputs`]: paths → inputs (walk, `exclude`, Compose override pairing, context files);
//! 3. [`load`]: inputs → sources → documents → [resources](crate::resource::Resource), in parallel;
//! 4. [`units`]: resources → deployment units and their inventories;
//! 5. [`evaluate`]: resources → findings, located by [`locate`]; [`duplicates`] adds the
//!    findings computed in Rust;
//! 6. [`finish`]: findings sorted, joined across units, suppressed and counted.
//!
//! A [`Run`] is what the reports read. Nothing is aborted by one bad file, and the result is
//! the same whatever the thread count.

mod duplicates;
mod evaluate;
mod finish;
mod inputs;
mod load;
mod locate;
mod select;
mod units;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::discover;
use crate::finding::{Finding, Severity};
use crate::policy::registry::targets_kind;
use crate::policy::{Catalog, PolicyEngine};
use crate::resource::Identity;
use crate::source::{SourceFile, Span};

pub use crate::source::MAX_INPUT_BYTES;

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
    /// The configuration file's settings: its checks are merged with the flags above, which
    /// win; policies read its `params`.
    pub config: Config,
    /// Hide the findings recorded in this baseline.
    pub baseline: Option<PathBuf>,
    /// Read the other manifests of named files' repositories as context ([`context_inputs`]).
    pub context: bool,
    /// No report of the run shows source text (none is the human one): a file's text is
    /// dropped once the file is parsed, unless it holds a `rampart:ignore` comment, which
    /// finishing reads. Positions stay exact: they are read from the line starts, which stay.
    /// The text was a tenth of what a large run holds.
    pub drop_text: bool,
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
    pub identity: Arc<Identity>,
    pub span: Span,
}

/// Everything a run produced, ready for the reports.
pub struct Run {
    pub files: Vec<Arc<SourceFile>>,
    pub findings: Vec<Finding>,
    pub errors: Vec<Diagnostic>,
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
    /// The run's worker threads (`--jobs`), which also render its large reports.
    pub pool: Arc<rayon::ThreadPool>,
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
    Policies(Vec<Diagnostic>),
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
                    write!(f, "{} error: {e}", e.kind)?;
                }
                Ok(())
            }
            Fatal::Usage(m) => f.write_str(m),
        }
    }
}

/// Lints the inputs. Input problems are collected in [`Run::errors`]; only a problem with the
/// policies or the options stops the run.
pub fn run(options: Options) -> Result<Run, Fatal> {
    let started = SystemTime::now();
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
    let pool = Arc::new(pool);
    pool.install(|| {
        // The catalogue (the METADATA of every policy) and the RVM's program are read while
        // the inputs are, and each other: they were most of a small run's start-up.
        let (catalog, read) = rayon::join(
            || {
                let ((), catalog) =
                    rayon::join(crate::policy::engine::read_builtin_program, || {
                        let mut policy_dirs = options.config.policies.clone();
                        policy_dirs.extend(options.policy_dirs.iter().cloned());
                        let mut catalog = Catalog::load(&policy_dirs).map_err(Fatal::Policies)?;
                        let enabled = select::configure(&mut catalog, &options)?;
                        Ok((catalog, enabled))
                    });
                catalog
            },
            || {
                let planned = inputs::plan(&options, threads);
                load::read_all(
                    planned,
                    options.stdin.as_deref(),
                    &options.config.params.default_namespace,
                    options.drop_text,
                )
            },
        );
        let (catalog, enabled) = catalog?;
        run_in_pool(options, catalog, enabled, read, started, &pool)
    })
}

/// The stages, on the run's worker threads.
fn run_in_pool(
    options: Options,
    catalog: Catalog,
    enabled: Vec<bool>,
    mut read: load::Read,
    started: SystemTime,
    pool: &Arc<rayon::ThreadPool>,
) -> Result<Run, Fatal> {
    let mut units = units::form(&read.files, &read.resources, &options);

    let mut kinds: Vec<String> = read
        .resources
        .iter()
        .filter(|r| !r.context)
        .map(|r| r.identity.target_kind().into_owned())
        .collect();
    kinds.sort();
    kinds.dedup();
    let engine = PolicyEngine::new(&catalog, &enabled, units.empty.clone(), &kinds)
        .map_err(Fatal::Policies)?;
    let (on_rvm, off_rvm): (Vec<_>, Vec<_>) = engine
        .engines(&catalog)
        .into_iter()
        .partition(|(_, why)| why.is_none());
    if !on_rvm.is_empty() {
        let names: Vec<String> = on_rvm.into_iter().map(|(name, _)| name).collect();
        read.notes.push(crate::discover::Note {
            path: "policies".into(),
            message: format!("on regorus's RVM: {}", names.join(", ")),
            verbose: true,
        });
    }
    for (name, why) in off_rvm {
        read.notes.push(crate::discover::Note {
            path: "policies".into(),
            message: format!("on the interpreter: {name}: {}", why.unwrap_or_default()),
            verbose: true,
        });
    }

    let ctx = evaluate::Context::new(
        &read,
        &units,
        &catalog,
        &options.config.params.default_namespace,
    );
    let mut duplicates = Vec::new();
    if let Some(check) = catalog
        .checks
        .iter()
        .position(|c| c.id == crate::units::DUPLICATE_CHECK)
        .filter(|&c| enabled[c])
    {
        for (u, m) in units.members.iter().enumerate() {
            duplicates.extend(duplicates::duplicates(check, u, m, &ctx));
        }
    }
    let evaluated = evaluate::evaluate_units(&engine, &units, &ctx);
    drop(ctx);
    // What only evaluation needed goes before the findings are joined, which is when a run
    // holds the most: the engines, the units' `data`, what each worker kept of the last unit
    // it evaluated, and every resource's value (suppressions read the outlines, which stay).
    drop(engine);
    pool.broadcast(|_| {
        crate::policy::facts::forget();
        crate::policy::index::forget();
    });

    units.data = Vec::new();
    units.empty = regorus::Value::Null;
    // Freed on every worker: one by one on this thread they took 60 ms of 10,000 documents.
    read.resources
        .par_iter_mut()
        .for_each(|r| r.value = regorus::Value::Null);
    pool.broadcast(|_| return_freed_memory());
    let places = locate::Places::new(&read.files, &read.resources, &catalog, &units.units);
    let (findings, mut errors) = evaluated.join(duplicates, &places);
    drop(places);
    // Reading's errors first, as they happened.
    let mut all_errors = std::mem::take(&mut read.errors);
    all_errors.append(&mut errors);

    let finished = finish::finish(
        findings, all_errors, &mut read, &catalog, &enabled, &options,
    )?;
    // The trees are done with (findings are located, suppressions read): freed on every
    // worker too, rather than on this thread when the function returns.
    std::mem::take(&mut read.resources)
        .into_par_iter()
        .for_each(drop);
    Ok(Run {
        files: read.files,
        findings: finished.findings,
        errors: finished.errors,
        skipped: read.skipped,
        notes: read.notes,
        summary: read.summary,
        catalog,
        resources: finished.checked,
        enabled,
        units: units
            .units
            .iter()
            .zip(&units.evaluated)
            .map(|(u, m)| RunUnit {
                name: u.name.clone(),
                reason: u.reason.clone(),
                objects: m.len(),
            })
            .collect(),
        started,
        finished: SystemTime::now(),
        sarif_category: None,
        pool: pool.clone(),
    })
}

/// Gives the memory this thread freed back to the system now, rather than a second later.
///
/// What evaluation alone needed (every object's policy value, the units' indexes) is a fifth of
/// a large run's memory; freed, it stayed in the workers' mimalloc heaps, and the findings
/// joined and the report written next took new memory beside it (10,000 documents: peak RSS
/// 157 MB, 134 MB with this). When mimalloc is not the program's allocator (the library in
/// another program), its heaps are empty and this does nothing.
fn return_freed_memory() {
    // SAFETY: `mi_collect` takes no pointer and may be called on any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
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
