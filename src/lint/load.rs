//! Inputs → sources → documents → resources: each job reads and decodes its files, parses them
//! with spans, and reads each document as the tool that deploys it would (a Compose project, or
//! Kubernetes objects as kubectl reads them). Jobs run in parallel; a panic or a bad file is an
//! error of that file, and the others go on.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use rayon::prelude::*;

use super::inputs::{Job, Planned};
use super::{Skipped, Summary, panic_message};
use crate::compose;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Input};
use crate::kubernetes::{self, Classified};
use crate::resource::{Identity, Resource};
use crate::source::{Pos, SourceFile};
use crate::yaml;

/// The result of reading one input (or a Compose file with its override file).
#[derive(Default)]
struct Loaded {
    /// Inputs of the run covered: 2 for a Compose file linted with its override file.
    inputs: usize,
    /// Files read; resources and errors refer to them by index.
    sources: Vec<SourceFile>,
    documents: usize,
    /// `file` and `origins` index [`Loaded::sources`].
    resources: Vec<Resource>,
    /// `source` indexes [`Loaded::sources`].
    errors: Vec<Diagnostic>,
    /// `(file, document index, line)` of documents that are not linted.
    skipped: Vec<(String, usize, u32)>,
    /// Read for the context of named files only.
    context: bool,
    /// Files left out whole (a walked `.json` file that is not JSON).
    notes: Vec<discover::Note>,
}

/// Everything read, with one list of files for the run.
pub(super) struct Read {
    pub files: Vec<Arc<SourceFile>>,
    pub resources: Vec<Resource>,
    pub errors: Vec<Diagnostic>,
    pub skipped: Vec<Skipped>,
    pub notes: Vec<discover::Note>,
    /// Files, documents and resources linted (context files not counted).
    pub summary: Summary,
    /// Files read only for context: their findings (a suppression comment's) are not reported.
    pub context_files: Vec<usize>,
}

/// Reads every job in parallel and joins the results in job order.
pub(super) fn read_all(
    planned: Planned,
    stdin: Option<&[u8]>,
    default_ns: &str,
    drop_text: bool,
) -> Read {
    let Planned {
        inputs,
        jobs,
        mut errors,
        mut notes,
    } = planned;
    let loaded: Vec<Loaded> = jobs
        .par_iter()
        .map(|job| {
            let result = catch_unwind(AssertUnwindSafe(|| load(job, &inputs, stdin, default_ns)));
            let mut loaded = result.unwrap_or_else(|panic| Loaded {
                inputs: 1 + usize::from(job.with.is_some()),
                errors: vec![error(
                    inputs[job.input].name().to_string(),
                    None,
                    None,
                    format!(
                        "internal error while reading this file: {}",
                        panic_message(&panic)
                    ),
                )],
                ..Loaded::default()
            });
            if drop_text {
                for source in &mut loaded.sources {
                    if !source.text.contains(crate::suppress::COMMENT_MARKER) {
                        source.drop_text();
                    }
                }
            }
            loaded
        })
        .collect();

    let mut files: Vec<Arc<SourceFile>> = Vec::new();
    // A file read for several projects (a shared `extends` file) is one file of the run.
    let mut file_index: HashMap<String, usize> = HashMap::new();
    // Exactly sized: the resources are kept for the whole run.
    let mut resources: Vec<Resource> =
        Vec::with_capacity(loaded.iter().map(|l| l.resources.len()).sum());
    let mut skipped = Vec::new();
    let mut summary = Summary::default();
    let mut context_files: Vec<usize> = Vec::new();
    for mut l in loaded {
        if l.context {
            // Only the Kubernetes objects matter; the file's own problems are not this run's.
            l.errors.clear();
            l.skipped.clear();
            l.resources
                .retain(|r| matches!(*r.identity, Identity::Kubernetes(_)));
            l.inputs = 0;
            l.documents = 0;
        }
        summary.files += l.inputs;
        summary.documents += l.documents;
        let index: Vec<usize> = l
            .sources
            .into_iter()
            .map(|s| {
                *file_index.entry(s.name.clone()).or_insert_with(|| {
                    files.push(Arc::new(s));
                    files.len() - 1
                })
            })
            .collect();
        if l.context {
            context_files.extend(index.iter().copied());
        }
        for mut e in l.errors {
            e.source = e.source.map(|i| index[i]);
            errors.push(e);
        }
        notes.extend(l.notes);
        for (file, document, line) in l.skipped {
            skipped.push(Skipped {
                file,
                document,
                line,
            });
        }
        for mut r in l.resources {
            r.file = index[r.file];
            for o in &mut r.origins {
                *o = index[*o];
            }
            r.context = l.context;
            resources.push(r);
        }
    }
    summary.resources = resources.iter().filter(|r| !r.context).count();
    Read {
        files,
        resources,
        errors,
        skipped,
        notes,
        summary,
        context_files,
    }
}

/// An error of a file; without a position it is reported at 1:1.
fn error(file: String, source: Option<usize>, pos: Option<Pos>, message: String) -> Diagnostic {
    Diagnostic::input(file, pos, message).in_source(source)
}

/// Reads and decodes one input.
fn read_input(input: &Input, stdin: Option<&[u8]>) -> Result<SourceFile, Diagnostic> {
    let name = input.name().to_string();
    let read = match input {
        Input::File { path, .. } => crate::source::read_file(path, name.clone()),
        Input::Stdin { .. } => {
            let bytes = stdin.unwrap_or_default().to_vec();
            SourceFile::decode(name.clone(), None, bytes).map_err(|e| (Some(e.pos), e.message))
        }
    };
    read.map_err(|(pos, message)| error(name, None, pos, message))
}

/// Parses a source; a syntax error is recorded against `source` (its future index).
fn parse(source: &SourceFile, index: usize, out: &mut Loaded) -> yaml::Stream {
    let stream = yaml::parse_stream(&source.text);
    if let Some(e) = &stream.error {
        out.errors.push(error(
            source.name.clone(),
            Some(index),
            Some(e.pos),
            format!("invalid YAML: {}", e.message),
        ));
    }
    out.documents += stream.documents.len() + usize::from(stream.error.is_some());
    stream
}

/// Reads, decodes, parses and classifies one input (with its override file, for a Compose
/// file whose override file is an input too).
fn load(job: &Job, inputs: &[Input], stdin: Option<&[u8]>, default_ns: &str) -> Loaded {
    let input = &inputs[job.input];
    let mut out = Loaded {
        inputs: 1 + usize::from(job.with.is_some()),
        context: job.context,
        ..Loaded::default()
    };
    let source = match read_input(input, stdin) {
        Ok(s) => s,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let path = match input {
        Input::File { path, .. } => Some(path.as_path()),
        Input::Stdin { .. } => None,
    };
    if let Some(why) = unwanted_json(input, &source) {
        out.notes.push(discover::Note {
            path: source.name.clone(),
            message: why.into(),
            verbose: true,
        });
        return out;
    }
    let alone_override = job.with.is_none() && path.is_some_and(compose::is_override);
    // An override file given without its base file is linted with it, as Compose reads it.
    let base = if alone_override {
        path.and_then(compose::base_of)
    } else {
        None
    };
    let own_index = usize::from(base.is_some());
    let stream = parse(&source, own_index, &mut out);
    let compose_name = is_compose_name(input.name());
    let first_has_services = stream.documents.first().is_some_and(|d| {
        d.root.get("services").is_some_and(|s| s.as_map().is_some()) && d.root.get("kind").is_none()
    });
    if compose_name || first_has_services || job.with.is_some() {
        let mut files = Vec::new();
        if let Some(base) = base {
            let cwd = std::env::current_dir().ok();
            let name = discover::display_name(&base, cwd.as_deref());
            match compose::read(&base, name) {
                Ok((base_source, base_stream)) => {
                    if let Some(e) = &base_stream.error {
                        out.errors.push(error(
                            base_source.name.clone(),
                            Some(0),
                            Some(e.pos),
                            format!("invalid YAML: {}", e.message),
                        ));
                    }
                    files.push(compose::File {
                        source: base_source,
                        documents: base_stream.documents.into_iter().map(|d| d.root).collect(),
                    });
                }
                Err(e) => out.errors.push(e),
            }
        }
        let own_index = files.len();
        if own_index == 0 {
            // The base could not be read: the override is linted alone.
            for e in out.errors.iter_mut().filter(|e| e.source == Some(1)) {
                e.source = Some(0);
            }
        }
        files.push(compose::File {
            source,
            documents: compose_documents(stream),
        });
        if let Some(o) = job.with {
            match read_input(&inputs[o], stdin) {
                Ok(over) => {
                    let stream = parse(&over, files.len(), &mut out);
                    files.push(compose::File {
                        source: over,
                        documents: compose_documents(stream),
                    });
                }
                Err(e) => out.errors.push(e),
            }
        }
        let project = compose::load(files);
        out.sources = project.sources;
        for e in project.errors {
            out.errors.push(e);
        }
        out.resources.extend(project.resources);
        return out;
    }
    // Documents are read in parallel: one generated file may hold tens of thousands.
    let documents: Vec<_> = stream
        .documents
        .into_par_iter()
        .map(|doc| {
            let line = doc.root.span.start.line;
            // Read as kubectl reads it now that the document is known not to be Compose.
            let (classified, item_errors) = kubernetes::read_document(doc.root, default_ns);
            let values: Vec<_> = match &classified {
                Classified::Objects(objects) => objects.iter().map(|o| o.node.to_value()).collect(),
                _ => Vec::new(),
            };
            (doc.index, line, classified, item_errors, values)
        })
        .collect();
    for (index, line, classified, item_errors, values) in documents {
        for (span, message) in item_errors {
            out.errors.push(error(
                source.name.clone(),
                Some(0),
                Some(span.start),
                message,
            ));
        }
        match classified {
            Classified::Objects(objects) => {
                for (o, value) in objects.into_iter().zip(values) {
                    out.resources.push(Resource::new(
                        0,
                        Identity::Kubernetes(o.id),
                        o.prefix,
                        &o.node,
                        value,
                    ));
                }
            }
            Classified::BadItem { span, message } => out.errors.push(error(
                source.name.clone(),
                Some(0),
                Some(span.start),
                message,
            )),
            Classified::NotKubernetes => out.skipped.push((source.name.clone(), index, line)),
        }
    }
    out.sources.push(source);
    out
}

/// The documents of a Compose file, resolved as compose-go resolves them (go-yaml v3).
fn compose_documents(stream: yaml::Stream) -> Vec<yaml::Node> {
    let mut documents: Vec<yaml::Node> = stream.documents.into_iter().map(|d| d.root).collect();
    for d in &mut documents {
        d.resolve(yaml::Schema::Compose);
    }
    documents
}

/// Why a `.json` file found by walking is not linted: application repositories hold many
/// (`tsconfig.json` with comments, `package.json`). A file named on the command line is read
/// whatever it holds.
fn unwanted_json(input: &Input, source: &SourceFile) -> Option<&'static str> {
    let Input::File {
        path, walked: true, ..
    } = input
    else {
        return None;
    };
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return None;
    }
    match serde_json::from_str::<serde_json::Value>(&source.text) {
        Err(_) => Some("not JSON (comments or trailing commas, as in `tsconfig.json`): not linted"),
        Ok(v) if !is_manifest(&v) => {
            Some("JSON that is neither a Kubernetes object nor a Compose file: not linted")
        }
        Ok(_) => None,
    }
}

/// A Kubernetes object or list (`apiVersion` and `kind`), or a Compose file (`services`).
fn is_manifest(v: &serde_json::Value) -> bool {
    let object = |v: &serde_json::Value| {
        v.get("apiVersion").is_some_and(|a| a.is_string())
            && v.get("kind").is_some_and(|k| k.is_string())
    };
    match v {
        serde_json::Value::Array(items) => items.iter().any(object),
        _ => object(v) || v.get("services").is_some_and(|s| s.is_object()),
    }
}

pub(super) fn is_compose_name(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    (file.starts_with("compose") || file.starts_with("docker-compose"))
        && (file.ends_with(".yaml") || file.ends_with(".yml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_file_names() {
        for name in [
            "compose.yaml",
            "dir/docker-compose.yml",
            "compose.prod.yaml",
            "docker-compose.override.yml",
        ] {
            assert!(is_compose_name(name), "{name}");
        }
        for name in [
            "deploy.yaml",
            "compose.json",
            "my-compose.yaml",
            "compose/app.yaml",
        ] {
            assert!(!is_compose_name(name), "{name}");
        }
    }

    #[test]
    fn manifests_among_json_files() {
        let json = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
        assert!(is_manifest(&json(r#"{"apiVersion": "v1", "kind": "Pod"}"#)));
        assert!(is_manifest(&json(
            r#"[{"apiVersion": "v1", "kind": "Pod"}, 1]"#
        )));
        assert!(is_manifest(&json(r#"{"services": {}}"#)));
        assert!(!is_manifest(&json(
            r#"{"name": "app", "version": "1.0.0"}"#
        )));
        assert!(!is_manifest(&json(r#"{"apiVersion": 1, "kind": "Pod"}"#)));
        assert!(!is_manifest(&json(r#"{"services": []}"#)));
    }

    #[test]
    fn walked_json_that_is_not_a_manifest_is_not_linted_but_a_named_one_is() {
        let source = |text: &str| SourceFile::new("a.json".into(), None, text.into());
        let input = |walked| Input::File {
            path: "a.json".into(),
            name: "a.json".into(),
            walked,
        };
        let tsconfig = source("{ // comment\n \"compilerOptions\": {} }");
        assert!(
            unwanted_json(&input(true), &tsconfig)
                .unwrap()
                .contains("not JSON")
        );
        assert!(unwanted_json(&input(false), &tsconfig).is_none());
        let package = source(r#"{"name": "app"}"#);
        assert!(
            unwanted_json(&input(true), &package)
                .unwrap()
                .contains("neither")
        );
        let pod = source(r#"{"apiVersion": "v1", "kind": "Pod"}"#);
        assert!(unwanted_json(&input(true), &pod).is_none());
    }

    #[test]
    fn a_job_that_cannot_be_read_is_an_error_of_that_file_only() {
        let dir = std::env::temp_dir().join(format!("rampart-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("pod.yaml");
        std::fs::write(&good, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n").unwrap();
        let inputs = vec![
            Input::File {
                path: dir.join("missing.yaml"),
                name: "missing.yaml".into(),
                walked: false,
            },
            Input::File {
                path: good,
                name: "pod.yaml".into(),
                walked: false,
            },
        ];
        let jobs = (0..2)
            .map(|input| Job {
                input,
                with: None,
                context: false,
            })
            .collect();
        let planned = Planned {
            inputs,
            jobs,
            errors: Vec::new(),
            notes: Vec::new(),
        };
        let read = read_all(planned, None, "default", false);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(read.errors.len(), 1);
        assert_eq!(read.errors[0].file, "missing.yaml");
        assert_eq!(read.errors[0].source, None);
        assert_eq!(read.resources.len(), 1);
        assert_eq!(read.resources[0].identity.label(), "Pod default/a");
        assert_eq!(read.files[read.resources[0].file].name, "pod.yaml");
        assert_eq!(read.summary.files, 2);
        assert_eq!(read.summary.resources, 1);
    }
}
