//! `duplicate-resource`, the check computed in Rust: an identity applied twice in one
//! deployment unit (on apply, one copy replaces the other). Registered like every check
//! (`policies/duplicate-resource/`), with an empty rule.

use std::collections::HashMap;

use super::evaluate::Context;
use super::units::deployed;
use crate::finding::{Finding, Location, Related, fingerprint};
use crate::resource::Identity;
use crate::yaml::PathSeg;

/// `duplicate-resource` findings of one unit: every copy of an identity after the first, at
/// its `metadata.name`, with the first copy as a related location. A copy read for context
/// is never reported: the finding moves to the other copy.
pub(super) fn duplicates(
    check: usize,
    unit: usize,
    members: &[usize],
    ctx: &Context<'_>,
) -> Vec<Finding> {
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
