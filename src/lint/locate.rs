//! Policy results → located findings, in two steps.
//!
//! 1. [`found`], during evaluation: the result as a [`Found`], its related locations placed
//!    (they need the unit's identities, which evaluation holds).
//! 2. [`Found::finding`], once evaluation's values are freed: the policy's `path` resolved to
//!    the node it names in the resource's outline ([`Outline::locate`]: the deepest node that
//!    exists), in the file that node came from ([`Resource::file_of`]: a Compose value may come
//!    from an override or `extends` file), and the finding's fingerprint.
//!
//! A `Found` is about a third of a `Finding`; every finding of a run is alive at the end of
//! evaluation, beside every value, which is when a run holds the most.
//!
//! [`Outline::locate`]: crate::yaml::Outline::locate

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use regorus::Value;

use super::evaluate::Context;
use crate::finding::{Finding, Location, Related, fingerprint};
use crate::kubernetes;
use crate::policy::Catalog;
use crate::policy::engine::{RawFinding, RawRelated};
use crate::resource::{ObjectId, Resource};
use crate::source::SourceFile;
use crate::yaml::PathSeg;

/// A finding before it is placed: check `check` (its index in the catalogue) on resource
/// `resource` of unit `unit` (indices into the run's), at `path`.
pub(super) struct Found {
    pub check: u32,
    pub resource: u32,
    pub unit: u32,
    pub message: String,
    pub path: Vec<PathSeg>,
    pub related: Vec<Related>,
}

/// A policy result on resource `resource` of a unit.
pub(super) fn found(r: RawFinding, resource: usize, unit: usize, ctx: &Context<'_>) -> Found {
    let related = r
        .related
        .iter()
        .filter_map(|rel| locate_related(rel, &ctx.resources[resource], unit, ctx))
        .collect();
    Found {
        check: r.check as u32,
        resource: resource as u32,
        unit: unit as u32,
        message: r.message,
        path: to_path(&r.path),
        related,
    }
}

/// What placing a [`Found`] reads of the run.
pub(super) struct Places<'a> {
    files: &'a [Arc<SourceFile>],
    resources: &'a [Resource],
    catalog: &'a Catalog,
    /// The catalogue's check ids and the units' names, each shared by its findings.
    check_ids: Vec<Arc<str>>,
    unit_names: Vec<Arc<str>>,
}

impl<'a> Places<'a> {
    pub(super) fn new(
        files: &'a [Arc<SourceFile>],
        resources: &'a [Resource],
        catalog: &'a Catalog,
        units: &[crate::units::Unit],
    ) -> Self {
        Places {
            files,
            resources,
            catalog,
            check_ids: catalog
                .checks
                .iter()
                .map(|c| c.id.as_str().into())
                .collect(),
            unit_names: units.iter().map(|u| u.name.as_str().into()).collect(),
        }
    }
}

impl Found {
    /// The finding, at the deepest node of its path that exists and with its path as far as
    /// it exists.
    pub(super) fn finding(self, at: &Places<'_>) -> Finding {
        let resource = &at.resources[self.resource as usize];
        let check = &at.catalog.checks[self.check as usize];
        // Placing reads only the outline, but a finding is never lost to a bug there: it
        // stays at its resource.
        let (location, depth) =
            catch_unwind(AssertUnwindSafe(|| place(resource, &self.path, at.files)))
                .unwrap_or_else(|_| {
                    let span = resource.outline.span();
                    let head = crate::yaml::first_line(span);
                    (
                        Location {
                            file: resource.file,
                            span,
                            head,
                        },
                        0,
                    )
                });
        let mut path = self.path;
        if depth < path.len() {
            path.truncate(depth);
            path.shrink_to_fit();
        }
        let path = if resource.prefix.is_empty() {
            path
        } else {
            resource.prefix.iter().cloned().chain(path).collect()
        };
        Finding {
            fingerprint: fingerprint(
                &check.id,
                &at.files[resource.file].name,
                &resource.identity,
                &path,
                &self.message,
            ),
            check: at.check_ids[self.check as usize].clone(),
            severity: check.severity,
            message: self.message,
            location,
            resource: resource.identity.clone(),
            path,
            related: self.related,
            suppressed: None,
            unit: at.unit_names[self.unit as usize].clone(),
        }
    }
}

/// Where a path of a resource is (its deepest node that exists, in the file that node came
/// from), and how many of its segments exist.
pub(super) fn place(
    resource: &Resource,
    path: &[PathSeg],
    files: &[std::sync::Arc<crate::source::SourceFile>],
) -> (Location, usize) {
    let at = resource.locate(path, files);
    let location = Location {
        file: resource.file_of(at.origin),
        span: at.span,
        head: at.head,
    };
    (location, at.depth)
}

/// A related location: in the resource itself, in another object of the unit (by identity),
/// or in another service of the Compose project; `None` when that object is not in the unit.
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
    Some(Related {
        location: place(target, &to_path(&rel.path), ctx.files).0,
        message: rel.message.clone(),
    })
}
fn to_path(values: &[Value]) -> Vec<PathSeg> {
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => PathSeg::Key(s.clone()),
            Value::Number(_) => match v.as_u64() {
                Ok(i) => PathSeg::Index(i as usize),
                Err(_) => PathSeg::Key(v.to_json_str().unwrap_or_default().into()),
            },
            other => PathSeg::Key(other.to_json_str().unwrap_or_default().into()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_paths_become_keys_and_indices() {
        let path = [
            Value::from("spec"),
            Value::from("containers"),
            Value::from(1u64),
            Value::from(1.5),
            Value::from(true),
        ];
        assert_eq!(
            to_path(&path),
            [
                PathSeg::Key("spec".into()),
                PathSeg::Key("containers".into()),
                PathSeg::Index(1),
                PathSeg::Key("1.5".into()),
                PathSeg::Key("true".into()),
            ]
        );
    }
}
