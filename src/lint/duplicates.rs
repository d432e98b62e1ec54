//! `duplicate-resource`, the check computed in Rust: an identity applied twice in one
//! deployment unit (on apply, one copy replaces the other). Registered like every check
//! (`policies/duplicate-resource/`), with an empty rule.

use std::collections::HashMap;

use super::evaluate::Context;
use super::locate::{Found, place};
use super::units::deployed;
use crate::finding::Related;
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
) -> Vec<Found> {
    let mut first: HashMap<(&str, Option<&str>, &str), usize> = HashMap::new();
    let mut out = Vec::new();
    let name_path = [PathSeg::Key("metadata".into()), PathSeg::Key("name".into())];
    for &r in members {
        let Identity::Kubernetes(id) = &*ctx.resources[r].identity else {
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
        let (resource, other_copy) = (&ctx.resources[at], &ctx.resources[other]);
        let label = resource.identity.label();
        let message = format!(
            "{label} is defined twice in this deployment unit: on apply, one copy replaces the other"
        );
        let related = vec![Related {
            location: place(other_copy, &name_path, ctx.files).0,
            message: format!("the other copy of {label}"),
        }];
        out.push(Found {
            check: check as u32,
            resource: at as u32,
            unit: unit as u32,
            message,
            path: name_path.to_vec(),
            related,
        });
    }
    out
}
