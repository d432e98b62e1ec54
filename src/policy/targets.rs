//! What a check's `custom.targets` select (SPEC §4): kinds, `workload`, or `*`. Also compiled
//! into build.rs, which groups the built-in rules by kind for the RVM: it uses `std` only.

/// Kinds a `targets: [workload]` entry stands for (SPEC §4).
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// Does a `targets` list select objects of `kind`?
pub fn targets_kind(targets: &[String], kind: &str) -> bool {
    targets.iter().any(|t| match t.as_str() {
        "*" => true,
        "workload" => WORKLOAD_KINDS.contains(&kind),
        t => t == kind,
    })
}

/// The kinds a set of `targets` lists name, `workload` expanded; `*` (every other kind) is not
/// among them.
pub fn named_kinds<'a>(targets: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut kinds: Vec<String> = WORKLOAD_KINDS.iter().map(|k| k.to_string()).collect();
    for t in targets {
        if t != "*" && t != "workload" && !kinds.contains(t) {
            kinds.push(t.clone());
        }
    }
    kinds.sort();
    kinds
}
