//! Resources → deployment units: which resources are evaluated together ([`crate::units`] plans
//! them), and each unit's `data` document (params and the inventory of its Kubernetes objects).

use std::sync::Arc;

use rayon::prelude::*;
use regorus::Value;

use super::Options;
use crate::config::Params;
use crate::discover;
use crate::kubernetes;
use crate::resource::{Identity, ObjectId, Resource};
use crate::source::SourceFile;

/// The units of a run and what each evaluates with.
pub(super) struct Units {
    pub units: Vec<crate::units::Unit>,
    /// Resources of each unit (context resources included), in run order.
    pub members: Vec<Vec<usize>>,
    /// Resources of each unit that are evaluated (context resources are not).
    pub evaluated: Vec<Vec<usize>>,
    /// Each unit's `data`; `None` when it holds no Kubernetes object ([`Units::empty`] then).
    pub data: Vec<Option<Value>>,
    /// `data` with an empty inventory.
    pub empty: Value,
}

/// Plans the units of the resources and builds their inventories, in parallel.
pub(super) fn form(files: &[Arc<SourceFile>], resources: &[Resource], options: &Options) -> Units {
    let plan = plan_units(files, resources, options);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); plan.units.len()];
    for (r, us) in plan.of.iter().enumerate() {
        for &u in us {
            members[u].push(r);
        }
    }
    // Compose units have no Kubernetes objects: they are evaluated with `empty`, which holds
    // the readings of every Compose resource setting of the run (src/compose/amounts.rs).
    let services = resources.iter().filter_map(|r| match &*r.identity {
        Identity::Compose(_) => Some(&r.value["service"]),
        Identity::Kubernetes(_) => None,
    });
    let empty = data_document(
        &options.config.params,
        kubernetes::inventory(std::iter::empty()),
        crate::compose::amounts::table(services),
    );
    let data: Vec<Option<Value>> = members
        .par_iter()
        .map(|m| {
            let objects: Vec<(&ObjectId, &Value)> = m
                .iter()
                .filter_map(|&r| match &*resources[r].identity {
                    Identity::Kubernetes(id) => Some((id, &resources[r].value)),
                    Identity::Compose(_) => None,
                })
                .collect();
            (!objects.is_empty()).then(|| {
                data_document(
                    &options.config.params,
                    kubernetes::inventory(objects.into_iter()),
                    Value::new_object(),
                )
            })
        })
        .collect();
    let evaluated = members
        .iter()
        .map(|m| {
            m.iter()
                .copied()
                .filter(|&r| !resources[r].context)
                .collect()
        })
        .collect();
    Units {
        units: plan.units,
        members,
        evaluated,
        data,
        empty,
    }
}

/// `data` for policies: params, the inventory and its index (src/policy/index.rs), built once
/// per unit so that cross-resource rules look objects up without calling Rust, with the
/// readings of Compose resource settings (src/compose/amounts.rs) at `index.compose_amounts`.
fn data_document(params: &Params, inventory: Value, compose_amounts: Value) -> Value {
    let params = serde_json::to_string(params).expect("params serialise");
    let params = Value::from_json_str(&params).expect("params are JSON");
    let mut index = crate::policy::index::build(&inventory);
    if let Value::Object(tables) = &mut index {
        regorus::Rc::make_mut(tables).insert(Value::from("compose_amounts"), compose_amounts);
    }
    let mut rampart = std::collections::BTreeMap::new();
    rampart.insert(Value::from("params"), params);
    rampart.insert(Value::from("index"), index);
    let mut root = std::collections::BTreeMap::new();
    root.insert(Value::from("rampart"), Value::from(rampart));
    root.insert(Value::from("inventory"), inventory);
    Value::from(root)
}

/// The units of a run's objects: Compose projects and stdin by themselves, Kubernetes files
/// by the configuration's `units` or the default rule ([`crate::units`]).
fn plan_units(
    files: &[Arc<SourceFile>],
    resources: &[Resource],
    options: &Options,
) -> crate::units::Plan {
    let items: Vec<crate::units::Item<'_>> = resources
        .iter()
        .map(|r| {
            let file = &files[r.file];
            match &*r.identity {
                Identity::Compose(_) => crate::units::Item {
                    place: crate::units::Place::Compose(&file.name),
                    key: None,
                },
                Identity::Kubernetes(id) => crate::units::Item {
                    place: file.path.as_deref().map_or(
                        crate::units::Place::Stdin(&file.name),
                        crate::units::Place::File,
                    ),
                    key: deployed(id).then(|| r.identity.label()),
                },
            }
        })
        .collect();
    let cwd = std::env::current_dir()
        .ok()
        .map(|c| c.canonicalize().unwrap_or(c));
    let display = |p: &std::path::Path| discover::display_name(p, cwd.as_deref());
    crate::units::plan(
        &items,
        &options.config.units,
        &options.config.base,
        &display,
    )
}

/// Whether an object is applied to a cluster under its identity: not a kustomize file
/// (`kustomization.yaml` parses as an object without a name), nor an object without a name.
pub(super) fn deployed(id: &ObjectId) -> bool {
    !id.name.is_empty() && !id.api_version.starts_with("kustomize.config.k8s.io/")
}
