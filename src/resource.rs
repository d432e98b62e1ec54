//! What the stages share about a linted object: its identity (a Kubernetes object or a Compose
//! service) and [`Resource`], the one shape a resource has from loading to reporting.

use std::sync::Arc;

use regorus::Value;
use serde::Serialize;

use crate::source::{Pos, SourceFile};
use crate::suppress::Mark;
use crate::yaml::{Located, Node, Outline, PathSeg};

/// What a policy finding is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum Identity {
    Kubernetes(ObjectId),
    Compose(ComposeId),
}

/// The identity of a Kubernetes object as written.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `None` for cluster-scoped kinds; the effective namespace otherwise.
    pub namespace: Option<String>,
}

/// The identity of a Compose service (or of the whole project, with `kind: "project"`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ComposeId {
    pub kind: String,
    pub name: String,
    pub project: String,
}

impl Identity {
    /// The kind as reports show it (`Deployment`, or `service` for a Compose service).
    pub fn kind(&self) -> &str {
        match self {
            Identity::Kubernetes(o) => &o.kind,
            Identity::Compose(c) => &c.kind,
        }
    }

    /// The kind policies select by `targets`: Kubernetes kinds as they are, Compose kinds
    /// prefixed (`compose-service`) so that `service` never matches a Kubernetes `Service`.
    pub fn target_kind(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Identity::Kubernetes(o) => std::borrow::Cow::Borrowed(&o.kind),
            Identity::Compose(c) => std::borrow::Cow::Owned(format!("compose-{}", c.kind)),
        }
    }

    /// The object's or the service's name.
    pub fn name(&self) -> &str {
        match self {
            Identity::Kubernetes(o) => &o.name,
            Identity::Compose(c) => &c.name,
        }
    }

    /// A short human label such as `Deployment datajump-prod/scheduler-master`.
    pub fn label(&self) -> String {
        match self {
            Identity::Kubernetes(o) => match &o.namespace {
                Some(ns) => format!("{} {}/{}", o.kind, ns, o.name),
                None => format!("{} {}", o.kind, o.name),
            },
            Identity::Compose(c) => format!("compose {} {}", c.kind, c.name),
        }
    }
}

/// A resource read from the run's files: where it is, what it is, the value policies see, and
/// of its tree what the later stages read: its outline (to place findings) and the suppressions
/// written in it. The tree itself is dropped once the resource is made.
#[derive(Debug)]
pub struct Resource {
    /// Index into the run's files (while loading: into the sources of the loaded input).
    pub file: usize,
    /// Run file indices of the resource's extra files ([`Node::origin`] `n` is `origins[n - 1]`).
    pub origins: Vec<usize>,
    /// Shared with every finding of the resource.
    pub identity: Arc<Identity>,
    pub prefix: Vec<PathSeg>,
    pub outline: Outline,
    /// Its `ignore.rampart.dev/*` annotations or `x-rampart-ignore` entries.
    pub marks: Vec<Mark>,
    pub value: Value,
    /// Read for context only (named files' units): in inventories, never evaluated.
    pub context: bool,
}

impl Resource {
    /// A resource of a file (index `file`) made from its tree, with no extra files.
    pub fn new(
        file: usize,
        identity: Identity,
        prefix: Vec<PathSeg>,
        node: &Node,
        value: Value,
    ) -> Resource {
        let marks = crate::suppress::marks(&identity, node);
        Resource {
            file,
            origins: Vec::new(),
            identity: Arc::new(identity),
            prefix,
            outline: Outline::new(node),
            marks,
            value,
            context: false,
        }
    }

    /// Where a path of the resource is ([`Outline::locate`]), with positions read from `files`,
    /// the run's files.
    pub fn locate(&self, path: &[PathSeg], files: &[Arc<SourceFile>]) -> Located {
        self.outline.locate(path, &self.positions(files))
    }

    /// The last line of the outermost node of the resource that starts on `line` of its own
    /// file ([`Outline::extent`]).
    pub fn extent(&self, line: u32, files: &[Arc<SourceFile>]) -> Option<u32> {
        self.outline.extent(line, &self.positions(files))
    }

    /// The position of a character offset in the file a node of the resource comes from.
    fn positions<'a>(&'a self, files: &'a [Arc<SourceFile>]) -> impl Fn(u32, u32) -> Pos + 'a {
        move |origin, offset| files[self.file_of(origin)].pos_of_char(offset)
    }

    /// The run file index of a node of this resource.
    pub fn file_of(&self, origin: u32) -> usize {
        match origin {
            0 => self.file,
            n => self
                .origins
                .get(n as usize - 1)
                .copied()
                .unwrap_or(self.file),
        }
    }
}
