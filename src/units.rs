//! Deployment units: which objects of a run can meet in one cluster. Cross-resource checks
//! relate objects of the same unit only; a repeated identity inside a unit is a finding.
//!
//! The default rule, with no configuration:
//! - standard input is a unit, and so is each Compose project;
//! - Kubernetes files are grouped by directory: sibling directories whose subtrees define the
//!   same object (kind, namespace, name) are separate units (environments, variants, clusters),
//!   and so is a Helm chart or a kustomization directory (one inside another is a component of
//!   it); files directly in their parent directory are shared: they join every unit below it,
//!   unless they define one of the objects below (a rendered bundle beside its sources: then
//!   they are a unit of their own). The parent's other subdirectories, which repeat nothing,
//!   are one more unit. Files of one directory that render the same deployment differently
//!   (they repeat at least two objects, and half of the smaller file's) are a unit each, with
//!   no shared file. Everything else is one unit (a plain directory of manifests, the
//!   applications of a monorepo).
//!
//! `units:` in `.rampart.yaml` declares units by globs; a file it matches belongs to exactly the
//! units whose globs match it, and only the files no declaration matches follow the default.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The check that reports a repeated identity inside one unit (computed by the run, not by a
/// policy: the inventory holds one object per identity).
pub const DUPLICATE_CHECK: &str = "duplicate-resource";

/// Where an object of the run comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place<'a> {
    /// Standard input, by the name it is shown with.
    Stdin(&'a str),
    /// A Compose project, by the name of its first file.
    Compose(&'a str),
    /// A Kubernetes manifest file: its path as read (made absolute here).
    File(&'a Path),
}

/// One object to place: where it comes from and its identity (`kind/namespace/name`).
#[derive(Clone, Debug)]
pub struct Item<'a> {
    pub place: Place<'a>,
    pub key: Option<String>,
}

/// A unit declared in the configuration: a name and path globs relative to `base`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub name: String,
    pub globs: Vec<String>,
}

/// A deployment unit: its name (a directory, a file or a declared name) and why it exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub name: String,
    pub reason: String,
}

/// The units of a run and, for each item, the units it belongs to (one, or several for a
/// shared file).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub units: Vec<Unit>,
    pub of: Vec<Vec<usize>>,
}

/// Forms the units of a run. `base` is the directory declared globs are relative to;
/// `display` names a directory or file as reports show it.
pub fn plan(
    items: &[Item<'_>],
    declared: &[Declared],
    base: &Path,
    display: &dyn Fn(&Path) -> String,
) -> Plan {
    let mut plan = Plan {
        units: Vec::new(),
        of: vec![Vec::new(); items.len()],
    };
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut unit = |plan: &mut Plan, name: String, reason: String| -> usize {
        *by_name.entry(name.clone()).or_insert_with(|| {
            plan.units.push(Unit { name, reason });
            plan.units.len() - 1
        })
    };

    // Files, made absolute so that directories compare whatever the command line said.
    let mut files: Vec<PathBuf> = Vec::new();
    let mut file_of_path: HashMap<&Path, usize> = HashMap::new();
    let mut file_of_item: Vec<Option<usize>> = vec![None; items.len()];
    for (i, item) in items.iter().enumerate() {
        match &item.place {
            Place::Stdin(name) => {
                let u = unit(&mut plan, (*name).into(), "standard input".into());
                plan.of[i].push(u);
            }
            Place::Compose(name) => {
                let u = unit(&mut plan, (*name).into(), "Compose project".into());
                plan.of[i].push(u);
            }
            Place::File(path) => {
                let f = *file_of_path.entry(path).or_insert_with(|| {
                    files.push(absolute(path));
                    files.len() - 1
                });
                file_of_item[i] = Some(f);
            }
        }
    }
    let mut keys: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); files.len()];
    for (i, item) in items.iter().enumerate() {
        if let (Some(f), Some(key)) = (file_of_item[i], &item.key) {
            keys[f].insert(key.as_str());
        }
    }

    // Declared units first.
    let mut units_of_file: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    if !declared.is_empty() {
        let base = absolute(base);
        for d in declared {
            let mut builder = globset::GlobSetBuilder::new();
            for g in &d.globs {
                if let Ok(g) = globset::Glob::new(g) {
                    builder.add(g);
                }
            }
            let Ok(set) = builder.build() else { continue };
            let u = unit(
                &mut plan,
                d.name.clone(),
                "declared in the configuration".into(),
            );
            for (f, path) in files.iter().enumerate() {
                if let Ok(rel) = path.strip_prefix(&base) {
                    if set.is_match(rel) {
                        units_of_file[f].push(u);
                    }
                }
            }
        }
    }

    // The default rule for the rest.
    let rest: Vec<usize> = (0..files.len())
        .filter(|&f| units_of_file[f].is_empty())
        .collect();
    if !rest.is_empty() {
        let tree = Tree::new(&files, &rest);
        let formed = tree.split(&tree.root, &keys);
        for formed in formed.units {
            let name = display(&formed.dir);
            let mut reason = formed.reason;
            if !formed.shared.is_empty() {
                let shared: Vec<String> = formed.shared.iter().map(|d| display(d)).collect();
                reason.push_str(&format!("; shared files from {}", shared.join(", ")));
            }
            let u = unit(&mut plan, name, reason);
            for f in formed.files {
                units_of_file[f].push(u);
            }
        }
    }
    for (i, f) in file_of_item.iter().enumerate() {
        if let Some(f) = f {
            let mut us = units_of_file[*f].clone();
            us.sort_unstable();
            us.dedup();
            plan.of[i] = us;
        }
    }
    plan
}

fn absolute(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// The directories holding the files the default rule places.
struct Tree {
    root: PathBuf,
    /// Every file's absolute path.
    paths: Vec<PathBuf>,
    /// Files directly in a directory.
    own: BTreeMap<PathBuf, Vec<usize>>,
    /// Child directories (that hold files somewhere below).
    children: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

/// A unit the default rule formed, before naming.
struct Formed {
    dir: PathBuf,
    reason: String,
    files: Vec<usize>,
    /// Directories whose files joined this unit as shared files.
    shared: Vec<PathBuf>,
}

/// What a directory's subtree gives its parent.
struct Split {
    units: Vec<Formed>,
    /// Every file of the subtree.
    files: Vec<usize>,
    /// A Helm chart or kustomization directory: a unit of its own whatever its siblings are.
    boundary: bool,
}

impl Tree {
    fn new(paths: &[PathBuf], files: &[usize]) -> Tree {
        let mut own: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
        let mut children: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
        for &f in files {
            let dir = paths[f].parent().unwrap_or(Path::new("/")).to_path_buf();
            own.entry(dir).or_default().push(f);
        }
        // The deepest directory that holds every file.
        let mut root = own.keys().next().cloned().unwrap_or_default();
        while !own.keys().all(|d| d.starts_with(&root)) {
            match root.parent() {
                Some(p) => root = p.to_path_buf(),
                None => break,
            }
        }
        for dir in own.keys() {
            let mut d = dir.as_path();
            while d != root {
                let Some(parent) = d.parent() else { break };
                let added = children
                    .entry(parent.to_path_buf())
                    .or_default()
                    .insert(d.to_path_buf());
                if !added {
                    break;
                }
                d = parent;
            }
        }
        Tree {
            root,
            paths: paths.to_vec(),
            own,
            children,
        }
    }

    fn split(&self, dir: &Path, keys: &[BTreeSet<&str>]) -> Split {
        let own = self.own.get(dir).cloned().unwrap_or_default();
        let boundary = marker(dir);
        let children: Vec<(PathBuf, Split)> = self
            .children
            .get(dir)
            .into_iter()
            .flatten()
            .map(|child| (child.clone(), self.split(child, keys)))
            .collect();
        // Own files that define an object of a subdirectory (a rendered bundle beside its
        // sources) are a part of their own; the others are shared.
        let below: BTreeSet<&str> = children
            .iter()
            .flat_map(|(_, sub)| sub.files.iter().flat_map(|&f| keys[f].iter().copied()))
            .collect();
        // Files that are alternative renderings of each other (`install.yaml` and
        // `namespace-install.yaml`) are a unit each, alone.
        let variants = variant_files(&own, keys);
        let (repeating, mut pool): (Vec<usize>, Vec<usize>) = own
            .into_iter()
            .filter(|f| variants.binary_search_by_key(f, |&(v, _)| v).is_err())
            .partition(|&f| keys[f].iter().any(|k| below.contains(k)));
        let mut shared_dirs = Vec::new();
        if !pool.is_empty() {
            shared_dirs.push(dir.to_path_buf());
        }
        let mut files = pool.clone();
        // The parts of the directory: its repeating files, then each child's subtree.
        let mut parts: Vec<(PathBuf, Split)> = Vec::new();
        if !repeating.is_empty() {
            let formed = Formed {
                dir: dir.to_path_buf(),
                reason: PLAIN.into(),
                files: repeating.clone(),
                shared: Vec::new(),
            };
            let split = Split {
                units: vec![formed],
                files: repeating,
                boundary: false,
            };
            parts.push((dir.to_path_buf(), split));
        }
        parts.extend(children);
        // Parts that define an object another part defines too.
        let mut first_part: HashMap<&str, usize> = HashMap::new();
        let mut repeated = vec![None; parts.len()];
        for (i, (_, sub)) in parts.iter().enumerate() {
            let mut seen = BTreeSet::new();
            for &f in &sub.files {
                for &key in &keys[f] {
                    if !seen.insert(key) {
                        continue;
                    }
                    match first_part.get(key) {
                        Some(&j) if j != i => {
                            repeated[i].get_or_insert(key);
                            repeated[j].get_or_insert(key);
                        }
                        Some(_) => {}
                        None => {
                            first_part.insert(key, i);
                        }
                    }
                }
            }
        }
        let mut units = Vec::new();
        // Subdirectories that repeat no other part's objects.
        let mut rest = Vec::new();
        for (i, (path, sub)) in parts.into_iter().enumerate() {
            files.extend(&sub.files);
            // A chart or kustomization inside another one is one of its components.
            let separate = repeated[i].is_some() || (sub.boundary && boundary.is_none());
            if separate || sub.units.len() > 1 {
                let mut sub_units = sub.units;
                if let Some(key) = repeated[i] {
                    for u in &mut sub_units {
                        if u.dir == path && u.reason == PLAIN {
                            u.reason = if path == dir {
                                format!(
                                    "its files define objects its subdirectories define too ({key})"
                                )
                            } else {
                                format!("its siblings define the same objects ({key})")
                            };
                        }
                    }
                }
                units.extend(sub_units);
            } else {
                rest.extend(&sub.files);
            }
        }
        if units.is_empty() {
            pool.extend(rest);
            let reason = boundary.map_or(PLAIN.to_string(), str::to_string);
            units.push(Formed {
                dir: dir.to_path_buf(),
                reason,
                files: pool,
                shared: Vec::new(),
            });
        } else {
            // The other subdirectories are one unit, named after the directory (and merged
            // with its repeating files' unit, whose objects they do not repeat either).
            if !rest.is_empty() {
                units.push(Formed {
                    dir: dir.to_path_buf(),
                    reason: "its subdirectories that repeat no sibling's objects".into(),
                    files: rest,
                    shared: Vec::new(),
                });
            }
            // Files directly in the directory that repeat nothing join every unit below.
            if !pool.is_empty() {
                for u in &mut units {
                    u.files.extend(&pool);
                    u.shared.extend(shared_dirs.iter().cloned());
                }
            }
        }
        // Alternative renderings are complete by themselves: no shared file joins them.
        for (f, key) in variants {
            units.push(Formed {
                dir: self.paths[f].clone(),
                reason: format!(
                    "it renders most objects of another file beside it differently ({key})"
                ),
                files: vec![f],
                shared: Vec::new(),
            });
            files.push(f);
        }
        Split {
            units,
            files,
            boundary: boundary.is_some(),
        }
    }
}

/// Files of one directory that repeat at least two objects of another file and at least half
/// of the smaller file's objects: variants of one deployment (a namespaced and a cluster-wide
/// install, a dual-stack copy), never applied together. One repeated object stays a duplicate.
/// Sorted by file, each with the first object it repeats.
fn variant_files<'k>(files: &[usize], keys: &[BTreeSet<&'k str>]) -> Vec<(usize, &'k str)> {
    // The files (by position in `files`) that define each object: only files that share an
    // object are compared, so a directory of thousands of files costs what its objects do,
    // not what every pair of its files would (3,000 files took 0.3 s).
    let mut holders: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, &f) in files.iter().enumerate() {
        for &key in &keys[f] {
            holders.entry(key).or_default().push(i);
        }
    }
    // Each pair of files that share objects: how many, and the first of them in key order
    // (keys come in order, so a pair's first entry has it).
    let mut shared: BTreeMap<(usize, usize), (usize, &str)> = BTreeMap::new();
    for (&key, held) in &holders {
        for (n, &i) in held.iter().enumerate() {
            for &j in &held[n + 1..] {
                shared.entry((i, j)).or_insert((0, key)).0 += 1;
            }
        }
    }
    // Pairs in the order of the files, as each file takes the object of its first pair.
    let mut out: BTreeMap<usize, &str> = BTreeMap::new();
    for (&(i, j), &(count, first)) in &shared {
        let (a, b) = (files[i], files[j]);
        if count >= 2 && count * 2 >= keys[a].len().min(keys[b].len()) {
            out.entry(a).or_insert(first);
            out.entry(b).or_insert(first);
        }
    }
    out.into_iter().collect()
}

/// The reason of a unit that is a plain directory of manifests.
const PLAIN: &str = "a directory of manifests";

/// Why a directory is a unit of its own: a Helm chart or a kustomization.
fn marker(dir: &Path) -> Option<&'static str> {
    if dir.join("Chart.yaml").is_file() {
        return Some("a Helm chart");
    }
    ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .any(|name| dir.join(name).is_file())
        .then_some("a kustomization directory")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(plan: &Plan, item: usize) -> Vec<&str> {
        plan.of[item]
            .iter()
            .map(|&u| plan.units[u].name.as_str())
            .collect()
    }

    fn run(files: &[(&str, &str)], declared: &[Declared]) -> Plan {
        let items: Vec<Item<'_>> = files
            .iter()
            .map(|(path, key)| Item {
                place: Place::File(Path::new(path)),
                key: Some(key.to_string()),
            })
            .collect();
        let display = |p: &Path| {
            p.strip_prefix("/r")
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| p.display().to_string())
        };
        plan(&items, declared, Path::new("/r"), &display)
    }

    #[test]
    fn siblings_defining_the_same_objects_are_units_and_shared_files_join_each() {
        let plan = run(
            &[
                ("/r/envs/prod/app.yaml", "Deployment/default/api"),
                ("/r/envs/staging/app.yaml", "Deployment/default/api"),
                ("/r/envs/common.yaml", "NetworkPolicy/default/deny"),
                ("/r/base/svc.yaml", "Service/default/api"),
            ],
            &[],
        );
        assert_eq!(names(&plan, 0), ["envs/prod"]);
        assert_eq!(names(&plan, 1), ["envs/staging"]);
        assert_eq!(names(&plan, 2), ["envs/prod", "envs/staging"]);
        // A sibling directory of `envs` is not above the environments: a unit of its own.
        assert_eq!(names(&plan, 3), [""]);
        assert!(plan.units[0].reason.contains("Deployment/default/api"));
    }

    #[test]
    fn files_above_that_repeat_objects_below_are_a_unit_of_their_own() {
        // A rendered bundle beside the directories it was rendered from.
        let plan = run(
            &[
                ("/r/install.yaml", "Deployment default/api"),
                ("/r/install.yaml", "Deployment default/db"),
                ("/r/base/api.yaml", "Deployment default/api"),
                ("/r/base/db.yaml", "Deployment default/db"),
                ("/r/crds.yaml", "CustomResourceDefinition x"),
            ],
            &[],
        );
        assert_eq!(names(&plan, 0), [""]);
        assert_eq!(names(&plan, 2), ["base"]);
        assert_eq!(plan.of[3], plan.of[2]);
        assert!(plan.units[plan.of[0][0]].reason.contains("subdirectories"));
        // A file that repeats nothing is shared by both.
        assert_eq!(names(&plan, 4), ["", "base"]);
    }

    #[test]
    fn alternative_renderings_in_one_directory_are_units_but_a_single_repeat_is_not() {
        let plan = run(
            &[
                ("/r/m/install.yaml", "Deployment default/api"),
                ("/r/m/install.yaml", "Service default/api"),
                ("/r/m/install.yaml", "ClusterRole api"),
                ("/r/m/namespace-install.yaml", "Deployment default/api"),
                ("/r/m/namespace-install.yaml", "Service default/api"),
                ("/r/m/crds.yaml", "CustomResourceDefinition x"),
                ("/r/d/a.yaml", "Service default/web"),
                ("/r/d/b.yaml", "Service default/web"),
                ("/r/d/b.yaml", "ConfigMap default/web"),
            ],
            &[],
        );
        assert_eq!(names(&plan, 0), ["m/install.yaml"]);
        assert_eq!(names(&plan, 3), ["m/namespace-install.yaml"]);
        assert!(plan.units[plan.of[0][0]].reason.contains("renders"));
        // Each is complete: a file that repeats nothing is not added to them.
        assert_eq!(names(&plan, 5), ["m"]);
        // One repeated object: one unit, a duplicate.
        assert_eq!(names(&plan, 6), names(&plan, 7));
    }

    #[test]
    fn each_variant_names_the_first_object_of_its_first_pair() {
        let sets: Vec<BTreeSet<&str>> = [
            &["k1", "k2", "k3"][..],
            &["k2", "k3"],
            &["k1", "k3"],
            &["k3", "k9"],
            &["k4"],
        ]
        .iter()
        .map(|keys| keys.iter().copied().collect())
        .collect();
        // 0 and 1 share k2 and k3, 0 and 2 share k1 and k3; 1 and 2 share k3 only, 3 shares
        // one object with each, 4 none.
        assert_eq!(
            variant_files(&[0, 1, 2, 3, 4], &sets),
            [(0, "k2"), (1, "k2"), (2, "k1")]
        );
        // Positions in `files` are not file numbers.
        assert_eq!(variant_files(&[2, 0], &sets), [(0, "k1"), (2, "k1")]);
        assert!(variant_files(&[3, 4], &sets).is_empty());
    }

    #[test]
    fn a_monorepo_without_repeated_objects_is_one_unit() {
        let plan = run(
            &[
                ("/r/apps/a/app.yaml", "Deployment/default/a"),
                ("/r/apps/b/app.yaml", "Deployment/default/b"),
            ],
            &[],
        );
        assert_eq!(names(&plan, 0), ["apps"]);
        assert_eq!(names(&plan, 1), ["apps"]);
        assert_eq!(plan.units.len(), 1);
    }

    #[test]
    fn declared_units_override_the_default() {
        let declared = [
            Declared {
                name: "a".into(),
                globs: vec!["apps/a/**".into()],
            },
            Declared {
                name: "b".into(),
                globs: vec!["apps/b/**".into()],
            },
        ];
        let plan = run(
            &[
                ("/r/apps/a/app.yaml", "Deployment/default/a"),
                ("/r/apps/b/app.yaml", "Deployment/default/b"),
                ("/r/other/x.yaml", "Deployment/default/x"),
            ],
            &declared,
        );
        assert_eq!(names(&plan, 0), ["a"]);
        assert_eq!(names(&plan, 1), ["b"]);
        assert_eq!(names(&plan, 2), ["other"]);
    }

    #[test]
    fn stdin_and_compose_projects_are_units() {
        let items = [
            Item {
                place: Place::Stdin("-"),
                key: None,
            },
            Item {
                place: Place::Compose("compose.yaml"),
                key: None,
            },
        ];
        let plan = plan(&items, &[], Path::new("/"), &|p| p.display().to_string());
        assert_eq!(names(&plan, 0), ["-"]);
        assert_eq!(names(&plan, 1), ["compose.yaml"]);
    }
}
