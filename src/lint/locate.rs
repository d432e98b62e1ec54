//! Policy results → located findings: a policy's `path` (and each related location's) is
//! resolved to the node it names in the resource's tree ([`Node::locate`]: the deepest node
//! that exists), then to the file that node came from ([`Resource::file_of`]: a Compose value
//! may come from an override or `extends` file).
//!
//! [`Node::locate`]: crate::yaml::Node::locate

use regorus::Value;

use super::evaluate::Context;
use crate::finding::{Finding, Location, Related, fingerprint};
use crate::kubernetes;
use crate::policy::engine::{RawFinding, RawRelated};
use crate::resource::{ObjectId, Resource};
use crate::yaml::PathSeg;

/// A policy result on a resource of a unit, as a finding at the field it names.
pub(super) fn finding(
    r: RawFinding,
    resource: &Resource,
    unit: usize,
    ctx: &Context<'_>,
) -> Finding {
    let related = r
        .related
        .iter()
        .filter_map(|rel| locate_related(rel, resource, unit, ctx))
        .collect();
    let path = to_path(&r.path);
    finding_at(r.check, resource, &path, r.message, related, unit, ctx)
}

/// A finding of check `check` (its index in the catalogue) at `path` of a resource: at the
/// deepest node of the path that exists, and with the path as far as it exists.
pub(super) fn finding_at(
    check: usize,
    resource: &Resource,
    path: &[PathSeg],
    message: String,
    related: Vec<Related>,
    unit: usize,
    ctx: &Context<'_>,
) -> Finding {
    let id = &ctx.check_ids[check];
    let check = &ctx.catalog.checks[check];
    let file = &ctx.files[resource.file];
    let (location, depth) = place(resource, path, ctx.files);
    let mut full_path = resource.prefix.clone();
    full_path.extend(path[..depth].iter().cloned());
    Finding {
        fingerprint: fingerprint(
            &check.id,
            &file.name,
            &resource.identity,
            &full_path,
            &message,
        ),
        check: id.clone(),
        severity: check.severity,
        message,
        location,
        resource: resource.identity.clone(),
        path: full_path,
        related,
        suppressed: None,
        unit: ctx.unit_names[unit].clone(),
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
