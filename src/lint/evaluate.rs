//! Resources → findings: each unit's resources evaluated by the policy engine, in parallel, in
//! chunks of one unit so that a worker swaps its engine's data at most once per chunk (regorus
//! analyses the policies again after a swap). A policy failure or a panic is an error of that
//! resource; the others go on. What a resource's policies find is kept as compact
//! [`Found`]s; [`Evaluated::join`] makes them findings once evaluation's values are freed.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use rayon::prelude::*;

use super::load::Read;
use super::locate::{self, Found, Places};
use super::panic_message;
use super::units::Units;
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;
use crate::policy::{Catalog, PolicyEngine};
use crate::resource::{Identity, ObjectId, Resource};
use crate::source::SourceFile;

/// What evaluation of one resource needs to see of the run.
pub(super) struct Context<'a> {
    pub files: &'a [Arc<SourceFile>],
    pub resources: &'a [Resource],
    /// The first copy of each identity of each unit.
    pub index: HashMap<(usize, &'a ObjectId), usize>,
    /// Compose services by (first file of their project, name).
    pub services: HashMap<(usize, &'a str), usize>,
    pub catalog: &'a Catalog,
    pub default_namespace: &'a str,
}

impl<'a> Context<'a> {
    /// Indexes the run's resources for related locations.
    pub fn new(
        read: &'a Read,
        units: &'a Units,
        catalog: &'a Catalog,
        default_namespace: &'a str,
    ) -> Self {
        let resources = &read.resources;
        let mut index: HashMap<(usize, &ObjectId), usize> = HashMap::new();
        for (u, m) in units.members.iter().enumerate() {
            for &r in m {
                if let Identity::Kubernetes(id) = &*resources[r].identity {
                    index.entry((u, id)).or_insert(r);
                }
            }
        }
        let services = resources
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match &*r.identity {
                Identity::Compose(c) if c.kind == "service" => Some(((r.file, c.name.as_str()), i)),
                _ => None,
            })
            .collect();
        Context {
            files: &read.files,
            resources,
            index,
            services,
            catalog,
            default_namespace,
        }
    }
}

/// Resources a worker evaluates with one `data` document.
const CHUNK: usize = 64;

/// What evaluation found, chunk by chunk ([`Evaluated::join`] makes it one list).
pub(super) struct Evaluated(Vec<(Vec<Found>, Vec<Diagnostic>)>);

/// Evaluates every evaluated resource of every unit.
pub(super) fn evaluate_units(engine: &PolicyEngine, units: &Units, ctx: &Context<'_>) -> Evaluated {
    let work: Vec<(usize, &[usize])> = units
        .evaluated
        .iter()
        .enumerate()
        .flat_map(|(u, m)| m.chunks(CHUNK).map(move |c| (u, c)))
        .collect();
    const EMPTY: usize = usize::MAX;
    let results: Vec<(Vec<Found>, Vec<Diagnostic>)> = work
        .par_iter()
        .map_init(
            || (engine.clone(), EMPTY),
            |(engine, loaded), &(unit, chunk)| {
                let mut findings = Vec::new();
                let mut errors = Vec::new();
                let wanted = if units.data[unit].is_some() {
                    unit
                } else {
                    EMPTY
                };
                if *loaded != wanted {
                    let data = units.data[unit].clone();
                    let swapped = engine.set_data(data.unwrap_or(units.empty.clone()));
                    if let Err(e) = swapped {
                        let r = &ctx.resources[chunk[0]];
                        errors.push(error_at(
                            r,
                            ctx,
                            format!("internal error: cannot load the inventory: {e}"),
                        ));
                        return (findings, errors);
                    }
                    *loaded = wanted;
                }
                for &r in chunk {
                    let resource = &ctx.resources[r];
                    let outcome = catch_unwind(AssertUnwindSafe(|| evaluate(engine, r, unit, ctx)));
                    let (mut f, mut e) = outcome.unwrap_or_else(|panic| {
                        let message = format!(
                            "internal error while checking {}: {}",
                            resource.identity.label(),
                            panic_message(&panic)
                        );
                        (Vec::new(), vec![error_at(resource, ctx, message)])
                    });
                    findings.append(&mut f);
                    errors.append(&mut e);
                }
                // Every chunk's findings are alive when they are joined: without the room
                // their vector grew into, they took a quarter less.
                findings.shrink_to_fit();
                (findings, errors)
            },
        )
        .collect();
    Evaluated(results)
}

impl Evaluated {
    /// The findings, placed ([`Found::finding`], on every worker), and the errors, in one list
    /// each; the findings computed in Rust (`more`) come after the chunks'.
    pub(super) fn join(
        self,
        mut more: Vec<Found>,
        places: &Places<'_>,
    ) -> (Vec<Finding>, Vec<Diagnostic>) {
        let results = self.0;
        // Exactly sized: doubling a vector of tens of thousands of findings held up to twice
        // their size at the run's peak.
        let mut found =
            Vec::with_capacity(results.iter().map(|(f, _)| f.len()).sum::<usize>() + more.len());
        let mut errors = Vec::with_capacity(results.iter().map(|(_, e)| e.len()).sum());
        for (mut f, mut e) in results {
            found.append(&mut f);
            errors.append(&mut e);
        }
        found.append(&mut more);
        let mut findings = Vec::with_capacity(found.len());
        found
            .into_par_iter()
            .map(|f| f.finding(places))
            .collect_into_vec(&mut findings);
        (findings, errors)
    }
}

/// The findings of resource `r` in one unit.
fn evaluate(
    engine: &mut PolicyEngine,
    r: usize,
    unit: usize,
    ctx: &Context<'_>,
) -> (Vec<Found>, Vec<Diagnostic>) {
    let resource = &ctx.resources[r];
    let (raw, eval_errors) =
        engine.evaluate(&resource.identity.target_kind(), resource.value.clone());
    let errors = eval_errors
        .into_iter()
        .map(|e| {
            let message = format!(
                "check `{}` failed on {}: {}",
                ctx.catalog.checks[e.check].id,
                resource.identity.label(),
                e.message
            );
            error_at(resource, ctx, message)
        })
        .collect();
    let findings = raw
        .into_iter()
        .map(|raw| locate::found(raw, r, unit, ctx))
        .collect();
    (findings, errors)
}

/// An error of a resource, at its start.
fn error_at(resource: &Resource, ctx: &Context<'_>, message: String) -> Diagnostic {
    Diagnostic::input(
        ctx.files[resource.file].name.clone(),
        Some(resource.outline.span().start),
        message,
    )
    .in_source(Some(resource.file))
}
