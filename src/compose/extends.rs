//! `extends`: a service built on another service of the same file or of another file, merged
//! by the same rules as an override file (see [`merge`](super::merge)), as Compose does it:
//! per file, before that file is merged with the next one, recursively, with `depends_on` and
//! `volumes_from` not inherited. A file named by `extends.file` is read relative to the file
//! that names it, interpolated with the project's `.env`, and becomes one more file of the
//! project (its nodes carry its own [`Node::origin`], so findings point into it).

use crate::compose::Loader;
use crate::compose::merge::{MergeProblem, merge_service, strip_resets};
use crate::yaml::{Node, NodeValue};

/// Keys a service does not inherit through `extends` (they tie it to other services).
const NOT_INHERITED: &[&str] = &["extends", "depends_on", "volumes_from"];

/// Longest `extends` chain followed, so that a generated chain cannot exhaust the stack.
const MAX_CHAIN: usize = 64;

const CIRCULAR: &str = "circular `extends`: ";

/// Resolves the `extends` of every service of a document of the file `origin`.
pub fn apply(doc: &mut Node, origin: u32, loader: &mut Loader) {
    let Some(services) = doc.get("services").and_then(Node::as_map) else {
        return;
    };
    if !services.iter().any(|e| e.value.get("extends").is_some()) {
        return;
    }
    let original: Vec<(String, Node)> = services
        .iter()
        .filter_map(|e| Some((e.key.key_text()?.into_owned(), e.value.clone())))
        .collect();
    let mut resolved = Vec::new();
    for (name, service) in &original {
        let Some(extends_key) = service.entry("extends").map(|e| e.key.clone()) else {
            continue;
        };
        let mut stack = Vec::new();
        match resolve(&original, origin, name, &mut stack, loader) {
            Ok(node) => resolved.push((name.clone(), node)),
            Err(message) => loader.merge_problems.push(MergeProblem {
                origin: extends_key.origin,
                offset: extends_key.span.start.offset,
                message,
            }),
        }
    }
    let NodeValue::Map(top) = &mut doc.value else {
        return;
    };
    let Some(NodeValue::Map(entries)) = top
        .iter_mut()
        .find(|e| e.key.as_str() == Some("services"))
        .map(|e| &mut e.value.value)
    else {
        return;
    };
    for (name, node) in resolved {
        if let Some(e) = entries
            .iter_mut()
            .find(|e| e.key.key_text().as_deref() == Some(name.as_str()))
        {
            e.value = node;
        }
    }
}

/// What `extends` says: the service and, optionally, the file.
fn target(service: &Node) -> Option<(String, Option<String>)> {
    let extends = service.get("extends")?;
    match &extends.value {
        NodeValue::Str(s) => Some((s.to_string(), None)),
        NodeValue::Map(_) => {
            let name = extends.get("service")?.as_str()?.to_string();
            let file = extends
                .get("file")
                .and_then(Node::as_str)
                .map(str::to_string);
            Some((name, file))
        }
        _ => None,
    }
}

fn resolve(
    services: &[(String, Node)],
    origin: u32,
    name: &str,
    stack: &mut Vec<(u32, String)>,
    loader: &mut Loader,
) -> Result<Node, String> {
    let service = services
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.clone())
        .ok_or_else(|| format!("service `{name}` not found"))?;
    if service.as_map().is_none() {
        return Ok(service);
    }
    // A malformed `extends` is reported by the schema check.
    let Some((base_name, file)) = target(&service) else {
        return Ok(service);
    };
    // The same file may have two origins (an input, and the same file named by `extends`).
    let same_file = |a: u32, b: u32| {
        a == b || {
            let key = |o: u32| {
                let path = loader.sources.get(o as usize)?.path.as_ref()?;
                path.canonicalize().ok()
            };
            matches!((key(a), key(b)), (Some(x), Some(y)) if x == y)
        }
    };
    if stack
        .iter()
        .any(|(o, n)| same_file(*o, origin) && n == name)
    {
        // In the order followed, with each service's file when the cycle crosses files.
        let mut chain: Vec<(u32, &str)> = stack.iter().map(|(o, n)| (*o, n.as_str())).collect();
        chain.push((origin, name));
        let across = chain.iter().any(|(o, _)| !same_file(*o, origin));
        let shown: Vec<String> = chain
            .iter()
            .map(|(o, n)| match loader.sources.get(*o as usize) {
                Some(source) if across => format!("{n} ({})", source.name),
                _ => n.to_string(),
            })
            .collect();
        return Err(format!("{CIRCULAR}{}", shown.join(" → ")));
    }
    if stack.len() >= MAX_CHAIN {
        return Err(format!("`extends` chain longer than {MAX_CHAIN} services"));
    }
    stack.push((origin, name.to_string()));
    let base = match &file {
        Some(file) => {
            let file_origin = loader.extends_file(origin, file)?;
            let other: Vec<(String, Node)> = loader
                .tree(file_origin)
                .and_then(|t| t.get("services"))
                .and_then(Node::as_map)
                .map(|entries| {
                    entries
                        .iter()
                        .filter_map(|e| Some((e.key.key_text()?.into_owned(), e.value.clone())))
                        .collect()
                })
                .ok_or_else(|| format!("`{file}` has no `services`"))?;
            if !other.iter().any(|(n, _)| *n == base_name) {
                return Err(format!("service `{base_name}` not found in `{file}`"));
            }
            resolve(&other, file_origin, &base_name, stack, loader).map_err(|e| {
                // A cycle names its files itself, in order.
                if e.starts_with(CIRCULAR) {
                    e
                } else {
                    format!("{e} (in `{file}`)")
                }
            })?
        }
        None => {
            if !services.iter().any(|(n, _)| *n == base_name) {
                return Err(format!("service `{base_name}` to extend not found"));
            }
            resolve(services, origin, &base_name, stack, loader)?
        }
    };
    stack.pop();
    let mut merged = base;
    if merged.as_map().is_none() {
        return Ok(service);
    }
    strip_resets(&mut merged);
    if let NodeValue::Map(entries) = &mut merged.value {
        entries.retain(|e| {
            !e.key
                .key_text()
                .is_some_and(|k| NOT_INHERITED.contains(&k.as_ref()))
        });
    }
    let (span, node_origin) = (service.span, service.origin);
    merge_service(&mut merged, service, &mut loader.merge_problems);
    // The result is this service: its span and file, not those of the service it extends.
    merged.span = span;
    merged.origin = node_origin;
    Ok(merged)
}
