//! Compose projects, loaded the way `docker compose` sees them, then cut into one resource per
//! service for the policies.
//!
//! A project is a Compose file plus, when both are inputs of the run, its override file in the
//! same directory (`compose.override.yaml` and the other default names; see [`plan`]). Each
//! file is interpolated from the project's `.env` ([`interpolate`], [`dotenv`]), its services'
//! `extends` are resolved ([`extends`]), its documents and then the override file are merged
//! ([`merge`]), entries that share a unique key are collapsed, and every service is checked
//! against the Compose specification's structure ([`schema`]) and has its ports normalised
//! ([`ports`]). Every node keeps its span and its file ([`Node::origin`] `n` is
//! [`Project::sources`]`[n]`), so a finding in an override or `extends` file points there.
//!
//! The project name follows Compose: `COMPOSE_PROJECT_NAME` from `.env`, else the top-level
//! `name:`, else the directory of the first file, normalised as Compose does (lowercase, only
//! `a-z`, `0-9`, `_` and `-`, no leading `_` or `-`).
//!
//! Problems outside any service (an unknown top-level key, a service that is not a mapping)
//! are reported against a resource of kind `project` (policy target `compose-project`), which
//! exists only when there are such problems.

pub mod amounts;
pub mod dotenv;
mod extends;
pub mod interpolate;
pub mod merge;
pub mod ports;
pub mod schema;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use regorus::Value;

use crate::diagnostic::Diagnostic;
use crate::resource::{ComposeId, Identity, Resource};
use crate::source::SourceFile;
use crate::yaml::{self, Node, NodeValue, PathSeg};

use interpolate::{Env, Issue, Retype};
use merge::MergeProblem;
use schema::{Problem, Validator};

/// Default Compose file names, in the order Compose prefers them.
pub const BASE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// Default override file names, in the order Compose prefers them.
pub const OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

pub fn is_override(path: &Path) -> bool {
    OVERRIDE_NAMES.contains(&file_name(path))
}

/// How the inputs of a run form projects: for each input, `Some(override)` when it is a
/// default Compose file whose override file is an input too (index into `paths`), and `true`
/// in `consumed` for such override files (they are linted with their base file, not alone).
/// Among several default Compose files in one directory, the override goes with the one
/// Compose would pick (`compose.yaml` first).
pub fn plan(paths: &[Option<&Path>]) -> (Vec<Option<usize>>, Vec<bool>) {
    let mut with = vec![None; paths.len()];
    let mut consumed = vec![false; paths.len()];
    let dir_of = |p: &Path| {
        let parent = p.parent().unwrap_or(Path::new("")).to_path_buf();
        parent.canonicalize().unwrap_or(parent)
    };
    let mut by_dir: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    for (i, p) in paths.iter().enumerate() {
        if let Some(p) = p {
            let name = file_name(p);
            if BASE_NAMES.contains(&name) || OVERRIDE_NAMES.contains(&name) {
                by_dir.entry(dir_of(p)).or_default().push(i);
            }
        }
    }
    for members in by_dir.values() {
        let pick = |names: &[&str]| {
            names.iter().find_map(|n| {
                members
                    .iter()
                    .copied()
                    .find(|&i| paths[i].is_some_and(|p| file_name(p) == *n))
            })
        };
        if let (Some(base), Some(over)) = (pick(&BASE_NAMES), pick(&OVERRIDE_NAMES)) {
            with[base] = Some(over);
            consumed[over] = true;
        }
    }
    (with, consumed)
}

/// The base file next to an override file given without it, as Compose would find it.
pub fn base_of(override_path: &Path) -> Option<PathBuf> {
    let dir = override_path.parent()?;
    BASE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// A file of a project as the caller read it.
pub struct File {
    pub source: SourceFile,
    /// Its documents; a file that failed to parse brings those before the error.
    pub documents: Vec<Node>,
}

/// A loaded project.
pub struct Project {
    pub name: String,
    /// The project's files: `[0]` the first Compose file, then override and `extends` files.
    pub sources: Vec<SourceFile>,
    /// Services (and the project itself), their `file` and `origins` indexing `sources`.
    pub resources: Vec<Resource>,
    /// Files that could not be read or parsed (`extends` files, `.env`).
    pub errors: Vec<Diagnostic>,
}

/// Reads, decodes and parses a file that is not an input of the run (the base file of an
/// override given alone, an `extends` file).
pub fn read(path: &Path, name: String) -> Result<(SourceFile, yaml::Stream), Diagnostic> {
    let source = crate::source::read_file(path, name.clone())
        .map_err(|(pos, message)| Diagnostic::input(name, pos, message))?;
    let mut stream = yaml::parse_stream(&source.text);
    for doc in &mut stream.documents {
        doc.root.resolve(yaml::Schema::Compose);
    }
    Ok((source, stream))
}

/// Loading state shared with [`extends`].
pub(crate) struct Loader {
    env: Env,
    sources: Vec<SourceFile>,
    dirs: Vec<PathBuf>,
    /// Roots of `extends` files, by origin.
    trees: Vec<Option<Node>>,
    by_path: HashMap<PathBuf, u32>,
    issues: Vec<Issue>,
    retype: Retype,
    pub(crate) merge_problems: Vec<MergeProblem>,
    errors: Vec<Diagnostic>,
    cwd: Option<PathBuf>,
    /// Where `extends` files and `.env` may be read from.
    boundary: crate::confine::Boundary,
}

impl Loader {
    fn add_source(&mut self, source: SourceFile) -> u32 {
        let dir = source
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        self.sources.push(source);
        self.dirs.push(dir);
        self.trees.push(None);
        (self.sources.len() - 1) as u32
    }

    /// Marks a document's nodes with their file and interpolates it.
    fn prepare(&mut self, doc: &mut Node, origin: u32) {
        if origin != 0 {
            merge::set_origin(doc, origin);
        }
        interpolate::interpolate_tree(
            doc,
            &self.env,
            &self.sources[origin as usize],
            &mut self.issues,
            &mut self.retype,
        );
    }

    /// Loads the file an `extends` in file `from` names; its origin.
    pub(crate) fn extends_file(&mut self, from: u32, file: &str) -> Result<u32, String> {
        let path = self.dirs[from as usize].join(file);
        let key = self.boundary.resolve(&path, file)?;
        if let Some(origin) = self.by_path.get(&key) {
            return Ok(*origin);
        }
        let name = crate::discover::display_name(&path, self.cwd.as_deref());
        let (source, stream) = match read(&path, name) {
            Ok(r) => r,
            Err(e) => {
                let why = e
                    .message
                    .strip_prefix("cannot read: ")
                    .unwrap_or(&e.message);
                return Err(format!("cannot read `{file}`: {why}"));
            }
        };
        let origin = self.add_source(source);
        self.by_path.insert(key, origin);
        if let Some(e) = stream.error {
            self.errors.push(
                Diagnostic::input(
                    self.sources[origin as usize].name.clone(),
                    Some(e.pos),
                    format!("invalid YAML: {}", e.message),
                )
                .in_source(Some(origin as usize)),
            );
        }
        let Some(mut doc) = stream.documents.into_iter().next().map(|d| d.root) else {
            return Err(format!("`{file}` has no document"));
        };
        self.prepare(&mut doc, origin);
        merge::strip_resets(&mut doc);
        self.trees[origin as usize] = Some(doc);
        Ok(origin)
    }

    pub(crate) fn tree(&self, origin: u32) -> Option<&Node> {
        self.trees.get(origin as usize)?.as_ref()
    }

    fn read_dotenv(&mut self, path: &Path) {
        // A `.env` that is a FIFO or a device is reported, not skipped: it may be an attack.
        if std::fs::symlink_metadata(path).is_err() {
            return;
        }
        let name = crate::discover::display_name(path, self.cwd.as_deref());
        let text = self
            .boundary
            .resolve(path, ".env")
            .and_then(|p| crate::source::read_regular(&p, crate::source::MAX_INPUT_BYTES))
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| "cannot read: invalid UTF-8".to_string())
            });
        match text {
            Ok(text) => match dotenv::parse(text.strip_prefix('\u{feff}').unwrap_or(&text)) {
                Ok(env) => self.env = env,
                Err(e) => self.errors.push(Diagnostic::input(
                    name,
                    Some(e.pos),
                    format!("invalid .env file: {}", e.message),
                )),
            },
            Err(message) => self.errors.push(Diagnostic::input(name, None, message)),
        }
    }
}

/// Loads a project from its files (the Compose file first, then its override file).
pub fn load(files: Vec<File>) -> Project {
    let cwd = std::env::current_dir().ok();
    let dir = files
        .first()
        .and_then(|f| f.source.path.as_deref())
        .and_then(Path::parent)
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".").to_path_buf()
            } else {
                d.to_path_buf()
            }
        });
    let mut loader = Loader {
        env: Env::default(),
        sources: Vec::new(),
        dirs: Vec::new(),
        trees: Vec::new(),
        by_path: HashMap::new(),
        issues: Vec::new(),
        retype: Retype::new(),
        merge_problems: Vec::new(),
        errors: Vec::new(),
        boundary: crate::confine::Boundary::around(dir.as_deref().unwrap_or(Path::new("."))),
        cwd,
    };
    if let Some(dir) = &dir {
        loader.read_dotenv(&dir.join(".env"));
    }
    let mut documents = Vec::new();
    for file in files {
        let origin = loader.add_source(file.source);
        documents.push((origin, file.documents));
    }
    let mut root: Option<Node> = None;
    for (origin, docs) in documents {
        for mut doc in docs {
            if doc.as_map().is_none() {
                loader.errors.push(
                    Diagnostic::input(
                        loader.sources[origin as usize].name.clone(),
                        Some(doc.span.start),
                        format!(
                            "not a Compose file: the top level is a {}, not a mapping",
                            doc.type_name()
                        ),
                    )
                    .in_source(Some(origin as usize)),
                );
                continue;
            }
            loader.prepare(&mut doc, origin);
            extends::apply(&mut doc, origin, &mut loader);
            match &mut root {
                None => {
                    merge::strip_resets(&mut doc);
                    root = Some(doc);
                }
                Some(r) => merge::merge_documents(r, doc, &mut loader.merge_problems),
            }
        }
    }
    let Some(mut root) = root else {
        return Project {
            name: String::new(),
            sources: loader.sources,
            resources: Vec::new(),
            errors: loader.errors,
        };
    };
    merge::strip_resets(&mut root);
    build(loader, root, dir.as_deref())
}

/// Problems waiting for their node to be found in the merged tree: `(origin, offset, key?)`.
type Pending = HashMap<(u32, u32, bool), Vec<String>>;

fn build(loader: Loader, mut root: Node, dir: Option<&Path>) -> Project {
    let mut pending: Pending = HashMap::new();
    for i in &loader.issues {
        pending
            .entry((i.origin, i.offset, false))
            .or_default()
            .push(i.message.clone());
    }
    for p in &loader.merge_problems {
        pending
            .entry((p.origin, p.offset, true))
            .or_default()
            .push(p.message.clone());
    }

    let mut top = Validator::new(&loader.retype, "top-level key");
    top.validate(&schema::TOP_LEVEL, &mut root);
    let mut project_problems = top.problems;
    let name = project_name(&loader.env, &root, dir);

    struct Service {
        name: String,
        node: Node,
        ports: Vec<ports::Port>,
        problems: Vec<Problem>,
    }
    let mut services = Vec::new();
    let services_map = match &mut root.value {
        NodeValue::Map(top) => top
            .iter_mut()
            .find(|e| e.key.as_str() == Some("services"))
            .and_then(|e| match &mut e.value.value {
                NodeValue::Map(entries) => Some(entries),
                _ => None,
            }),
        _ => None,
    };
    if let Some(entries) = services_map {
        for e in entries.iter_mut() {
            let Some(svc) = e.key.key_text().map(|k| k.into_owned()) else {
                continue;
            };
            let at = vec![
                PathSeg::Key("services".into()),
                PathSeg::Key(svc.as_str().into()),
            ];
            if svc.is_empty()
                || !svc
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            {
                project_problems.push(Problem {
                    path: at.clone(),
                    message: format!(
                        "invalid service name `{svc}`: use only letters, digits, `.`, `_` and `-`"
                    ),
                });
            }
            if e.value.as_map().is_none() {
                project_problems.push(Problem {
                    path: at,
                    message: format!(
                        "service `{svc}` must be a mapping, not {}",
                        match e.value.type_name() {
                            "null" => "empty".to_string(),
                            t => format!("a {t}"),
                        }
                    ),
                });
                continue;
            }
            // Moved out of the tree (a placeholder keeps the span); put back below only when
            // the project resource needs the whole tree.
            let span = e.span();
            let placeholder = Node {
                span: e.value.span,
                origin: e.value.origin,
                extra: None,
                value: NodeValue::Null,
            };
            let mut node = std::mem::replace(&mut e.value, placeholder);
            node.span = span;
            node.origin = e.key.origin;
            merge::enforce_unique(&mut node);
            let mut v = Validator::new(&loader.retype, "service key");
            v.validate(&schema::SERVICE, &mut node);
            let mut problems = v.problems;
            let mut normalised = Vec::new();
            if let Some(items) = node.get("ports").and_then(Node::as_seq) {
                for (i, item) in items.iter().enumerate() {
                    match ports::normalise(i, item) {
                        Ok(p) => normalised.push(p),
                        Err(e) => {
                            let mut path = vec![PathSeg::Key("ports".into()), PathSeg::Index(i)];
                            let reported = problems.iter().any(|p| p.path.starts_with(&path));
                            path.extend(e.path);
                            if !reported {
                                problems.push(Problem {
                                    path,
                                    message: e.message,
                                });
                            }
                        }
                    }
                }
            }
            collect_pending(&node, &mut Vec::new(), &pending, &mut problems);
            interpolate::strip_unknown(&mut node);
            services.push(Service {
                name: svc,
                node,
                ports: normalised,
                problems,
            });
        }
    }
    if let NodeValue::Map(entries) = &root.value {
        for e in entries
            .iter()
            .filter(|e| e.key.as_str() != Some("services"))
        {
            let mut path = vec![PathSeg::Key(e.key.key_text().unwrap_or_default().into())];
            if let Some(messages) = pending.get(&(e.key.origin, e.key.span.start.offset, true)) {
                for m in messages {
                    project_problems.push(Problem {
                        path: path.clone(),
                        message: m.clone(),
                    });
                }
            }
            collect_pending(&e.value, &mut path, &pending, &mut project_problems);
        }
    }

    let values: Vec<(Value, Value)> = services
        .iter()
        .map(|s| {
            (
                s.node.to_value(),
                Value::from(
                    s.ports
                        .iter()
                        .map(ports::Port::to_value)
                        .collect::<Vec<_>>(),
                ),
            )
        })
        .collect();
    let mut by_name = BTreeMap::new();
    for (s, (service, ports)) in services.iter().zip(&values) {
        by_name.insert(
            Value::from(s.name.as_str()),
            object([("service", service.clone()), ("ports", ports.clone())]),
        );
    }
    let project = object([
        ("name", Value::from(name.as_str())),
        ("services", Value::from(by_name)),
    ]);
    let mut resources = Vec::new();
    // The services' trees, for the project's when it has problems of its own.
    let mut trees = Vec::new();
    for (s, (service, ports)) in services.into_iter().zip(values) {
        let value = object([
            ("name", Value::from(s.name.as_str())),
            ("service", service),
            ("ports", ports),
            ("project", project.clone()),
            ("problems", problems_value(s.problems)),
        ]);
        resources.push(Resource::new(
            0,
            Identity::Compose(ComposeId {
                kind: "service".into(),
                name: s.name.clone(),
                project: name.clone(),
            }),
            vec![PathSeg::Key("services".into()), PathSeg::Key(s.name.into())],
            &s.node,
            value,
        ));
        if !project_problems.is_empty() {
            trees.push(s.node);
        }
    }
    if !project_problems.is_empty() {
        if let NodeValue::Map(top) = &mut root.value {
            if let Some(NodeValue::Map(entries)) = top
                .iter_mut()
                .find(|e| e.key.as_str() == Some("services"))
                .map(|e| &mut e.value.value)
            {
                for (r, mut node) in resources.iter().zip(trees) {
                    let name = r.identity.name();
                    if let Some(e) = entries
                        .iter_mut()
                        .find(|e| e.key.key_text().as_deref() == Some(name))
                    {
                        node.span = e.value.span;
                        node.origin = e.value.origin;
                        e.value = node;
                    }
                }
            }
        }
        interpolate::strip_unknown(&mut root);
        let value = object([
            ("name", Value::from(name.as_str())),
            ("service", root.to_value()),
            ("ports", Value::from(Vec::<Value>::new())),
            ("project", project),
            ("problems", problems_value(project_problems)),
        ]);
        resources.push(Resource::new(
            0,
            Identity::Compose(ComposeId {
                kind: "project".into(),
                name: name.clone(),
                project: name.clone(),
            }),
            Vec::new(),
            &root,
            value,
        ));
    }
    // A node's origin `n` is source `n`: the project's first file is 0.
    let origins: Vec<usize> = (1..loader.sources.len()).collect();
    for r in &mut resources {
        r.origins = origins.clone();
    }
    Project {
        name,
        sources: loader.sources,
        resources,
        errors: loader.errors,
    }
}

/// Finds the nodes that pending problems are about, below `node` (at `path`).
fn collect_pending(
    node: &Node,
    path: &mut Vec<PathSeg>,
    pending: &Pending,
    out: &mut Vec<Problem>,
) {
    if pending.is_empty() {
        return;
    }
    fn emit(path: &[PathSeg], messages: Option<&Vec<String>>, out: &mut Vec<Problem>) {
        for m in messages.into_iter().flatten() {
            let p = Problem {
                path: path.to_vec(),
                message: m.clone(),
            };
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    match &node.value {
        NodeValue::Map(entries) => {
            for e in entries {
                path.push(PathSeg::Key(e.key.key_text().unwrap_or_default().into()));
                let key = (e.key.origin, e.key.span.start.offset, true);
                emit(path, pending.get(&key), out);
                collect_pending(&e.value, path, pending, out);
                path.pop();
            }
        }
        NodeValue::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(PathSeg::Index(i));
                collect_pending(item, path, pending, out);
                path.pop();
            }
        }
        _ => emit(
            path,
            pending.get(&(node.origin, node.span.start.offset, false)),
            out,
        ),
    }
}

/// Keys of the policy input, allocated once.
static KEYS: std::sync::LazyLock<HashMap<&'static str, Value>> = std::sync::LazyLock::new(|| {
    [
        "name", "service", "ports", "project", "problems", "services", "msg", "path", "kind",
    ]
    .into_iter()
    .map(|k| (k, Value::from(k)))
    .collect()
});

fn object<const N: usize>(fields: [(&'static str, Value); N]) -> Value {
    let map: BTreeMap<Value, Value> = fields
        .into_iter()
        .map(|(k, v)| (KEYS.get(k).cloned().unwrap_or_else(|| Value::from(k)), v))
        .collect();
    Value::from(map)
}

fn problems_value(problems: Vec<Problem>) -> Value {
    Value::from(
        problems
            .into_iter()
            .map(|p| {
                let path: Vec<Value> = p
                    .path
                    .iter()
                    .map(|s| match s {
                        PathSeg::Key(k) => Value::String(k.clone()),
                        PathSeg::Index(i) => Value::from(*i as u64),
                    })
                    .collect();
                // `unset-compose-variable` reports the variables without value; the
                // `invalid-compose` check everything else.
                let kind = if interpolate::is_unset_variable(&p.message) {
                    "unset-variable"
                } else {
                    "invalid"
                };
                object([
                    ("msg", Value::from(p.message.as_str())),
                    ("path", Value::from(path)),
                    ("kind", Value::from(kind)),
                ])
            })
            .collect::<Vec<_>>(),
    )
}

/// `COMPOSE_PROJECT_NAME` from `.env`, the top-level `name:`, or the directory, normalised.
fn project_name(env: &Env, root: &Node, dir: Option<&Path>) -> String {
    let candidates = [
        env.get("COMPOSE_PROJECT_NAME").map(str::to_string),
        root.get("name").and_then(Node::as_str).map(str::to_string),
        dir.and_then(|d| {
            let d = d.canonicalize().unwrap_or_else(|_| d.to_path_buf());
            d.file_name().map(|n| n.to_string_lossy().into_owned())
        }),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|n| normalise_name(&n))
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| "stdin".into())
}

/// Compose's `NormalizeProjectName`.
pub fn normalise_name(name: &str) -> String {
    let kept: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_normalised_like_compose() {
        assert_eq!(normalise_name("My App.v2"), "myappv2");
        assert_eq!(normalise_name("__x-y"), "x-y");
        assert_eq!(normalise_name("Ünïcode"), "ncode");
        assert_eq!(normalise_name("-_"), "");
    }

    #[test]
    fn plans_pair_overrides_with_the_preferred_base() {
        let dir = std::env::temp_dir().join(format!("rampart-plan-{}", std::process::id()));
        let paths: Vec<PathBuf> = [
            "a/compose.yaml",
            "a/compose.override.yaml",
            "a/docker-compose.yml",
            "b/docker-compose.override.yml",
            "c/docker-compose.yml",
            "c/docker-compose.override.yaml",
            "d/stack.yml",
        ]
        .iter()
        .map(|p| dir.join(p))
        .collect();
        let refs: Vec<Option<&Path>> = paths.iter().map(|p| Some(p.as_path())).collect();
        let (with, consumed) = plan(&refs);
        assert_eq!(with, vec![Some(1), None, None, None, Some(5), None, None]);
        assert_eq!(
            consumed,
            vec![false, true, false, false, false, true, false]
        );
    }
}
