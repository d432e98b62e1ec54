//! Embeds every policy file under `policies/` (`.rego` sources and `.json` tables) in the binary,
//! so built-in policies are never read from disk at run time.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

// The parser the run uses, for the METADATA of built-in policies (embed_metadata).
#[allow(dead_code)]
#[path = "src/yaml/libyaml.rs"]
mod libyaml;
#[path = "src/policy/metadata_block.rs"]
mod metadata_block;
#[path = "src/policy/rvm_aggregate.rs"]
mod rvm_aggregate;
#[path = "src/policy/rvm_source.rs"]
mod rvm_source;
#[path = "src/policy/targets.rs"]
mod targets;

fn main() {
    let root = Path::new(&manifest_dir()).join("policies");
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(&root, "rego", &mut files);
    files.sort();
    let mut tables = Vec::new();
    collect(&root, "json", &mut tables);
    tables.sort();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_policies.rs");
    let mut f = fs::File::create(out).unwrap();
    embed(
        &mut f,
        "/// Built-in policy files: (path under `policies/`, source).",
        "BUILTIN_POLICIES",
        &root,
        &files,
    );
    embed(
        &mut f,
        "/// Built-in data tables: (path under `policies/`, JSON text).",
        "BUILTIN_TABLES",
        &root,
        &tables,
    );
    // Each built-in policy read once: its path under `policies/`, its source, and its METADATA
    // block as JSON with the marker's line (none for a test file).
    let policies: Vec<(String, String)> = files
        .iter()
        .map(|path| (relative(path, &root), fs::read_to_string(path).unwrap()))
        .collect();
    let metadata: Vec<Option<(u32, serde_json::Value)>> = policies
        .iter()
        .map(|(rel, source)| {
            let (line, yaml) =
                metadata_block::block(source).filter(|_| !rel.ends_with("_test.rego"))?;
            Some((line, yaml_to_json(&yaml)?))
        })
        .collect();
    embed_program(&mut f, &policies, &metadata);
    embed_metadata(&mut f, &metadata);
    embed_blockers(&mut f, &policies);

    // Failing examples per check, for `rampart explain` and docs/checks.md: the first file of
    // the first case under fixtures/checks/<id>/fail/, then the first of the other side
    // (Kubernetes or Compose) when the check has one there.
    let fixtures = Path::new(&manifest_dir()).join("fixtures/checks");
    println!("cargo:rerun-if-changed=fixtures/checks");
    let mut examples = Vec::new();
    if let Ok(entries) = fs::read_dir(&fixtures) {
        for entry in entries.flatten() {
            let fail = entry.path().join("fail");
            println!("cargo:rerun-if-changed={}", fail.display());
            let mut cases: Vec<PathBuf> = match fs::read_dir(&fail) {
                Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
                Err(_) => continue,
            };
            cases.sort();
            let id = entry.file_name().to_string_lossy().to_string();
            let mut sides_seen = Vec::new();
            for case in cases {
                let mut files = Vec::new();
                if case.is_dir() {
                    collect_all(&case, &mut files);
                } else {
                    files.push(case);
                }
                files.sort();
                let Some(file) = files.into_iter().next() else {
                    continue;
                };
                let side = is_kubernetes(&file);
                if !sides_seen.contains(&side) {
                    sides_seen.push(side);
                    examples.push((id.clone(), sides_seen.len(), file));
                }
            }
        }
    }
    examples.sort();
    writeln!(
        f,
        "/// One failing example per built-in check: (check id, path, text)."
    )
    .unwrap();
    writeln!(f, "pub static BUILTIN_EXAMPLES: &[(&str, &str, &str)] = &[").unwrap();
    for (id, _, file) in examples {
        let rel = relative(&file, Path::new(&manifest_dir()));
        println!("cargo:rerun-if-changed={}", file.display());
        writeln!(
            f,
            "    ({id:?}, {rel:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .unwrap();
    }
    writeln!(f, "];").unwrap();
}

/// Compiles every built-in check rule into one RVM program (src/policy/rvm_aggregate.rs) and
/// embeds it, serialized, with its rules and entry points: a run of built-in checks then starts
/// without parsing or compiling Rego. Should the catalogue not compile (a construct the RVM
/// cannot compile), the program is empty and a run compiles what it can at start-up, as it does
/// with user policies; `the_built_in_program_covers_the_catalogue` fails so that it is noticed.
fn embed_program(
    f: &mut fs::File,
    policies: &[(String, String)],
    metadata: &[Option<(u32, serde_json::Value)>],
) {
    let mut engine = regorus::Engine::new();
    let mut rules = Vec::new();
    let mut targets = Vec::new();
    let mut error = None;
    for ((rel, source), meta) in policies.iter().zip(metadata) {
        if rel.ends_with("_test.rego") {
            continue;
        }
        if let Err(e) = engine.add_policy(rel.clone(), source.clone()) {
            error.get_or_insert(format!("{rel}: {e}"));
        }
        // A check's side: `<check>/<side>.rego`, not its header (`check.rego`) or a library.
        let side = rel
            .split_once('/')
            .filter(|(dir, name)| *dir != "lib" && *name != "check.rego" && !name.contains('/'));
        let package = source
            .lines()
            .find_map(|l| l.trim().strip_prefix("package "))
            .map(str::trim);
        let side_targets = meta.as_ref().and_then(|(_, json)| {
            let list = json.get("custom")?.get("targets")?.as_array()?;
            list.iter()
                .map(|t| Some(t.as_str()?.to_string()))
                .collect::<Option<Vec<String>>>()
        });
        if let (Some(_), Some(package), Some(t)) = (side, package, side_targets) {
            rules.push(format!("data.{package}.deny"));
            targets.push(t);
        }
    }
    let names: Vec<&str> = rules.iter().map(String::as_str).collect();
    let entries = rvm_aggregate::entries(&targets);
    let program = match error {
        Some(e) => Err(e),
        None => rvm_aggregate::compile(&mut engine, &names, &entries)
            .and_then(|program| program.serialize_binary()),
    };
    let (bytes, entries) = program.map(|b| (b, entries)).unwrap_or_else(|e| {
        println!("cargo:warning=the built-in catalogue is not precompiled for the RVM: {e}");
        rules.clear();
        (Vec::new(), Vec::new())
    });
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_program.bin");
    fs::write(&out, bytes).unwrap();
    writeln!(
        f,
        "/// The built-in check rules compiled into one RVM program (`Program::serialize_binary`),\n\
         /// empty when the catalogue did not compile (build.rs)."
    )
    .unwrap();
    writeln!(
        f,
        "pub static BUILTIN_PROGRAM: &[u8] = include_bytes!({:?});",
        out.display().to_string()
    )
    .unwrap();
    writeln!(
        f,
        "/// The rules of [`BUILTIN_PROGRAM`], in the order that numbers them."
    )
    .unwrap();
    writeln!(f, "pub static BUILTIN_PROGRAM_RULES: &[&str] = &{rules:?};").unwrap();
    writeln!(
        f,
        "/// Its entry points: a kind (`*` for the others) and the numbers of its rules."
    )
    .unwrap();
    writeln!(
        f,
        "pub static BUILTIN_PROGRAM_ENTRIES: &[(&str, &[usize])] = &["
    )
    .unwrap();
    for (kind, numbers) in &entries {
        writeln!(f, "    ({kind:?}, &{numbers:?}),").unwrap();
    }
    writeln!(f, "];").unwrap();
}

/// What keeps each built-in policy's rules off the RVM, if anything (src/policy/rvm_source.rs):
/// read once here rather than from every file at every start-up. Index for index with
/// `BUILTIN_POLICIES`.
fn embed_blockers(f: &mut fs::File, policies: &[(String, String)]) {
    writeln!(
        f,
        "/// Why each of [`BUILTIN_POLICIES`] keeps its rules off the RVM, if it does (build.rs)."
    )
    .unwrap();
    writeln!(f, "pub static BUILTIN_BLOCKERS: &[Option<&str>] = &[").unwrap();
    for (_, source) in policies {
        writeln!(f, "    {:?},", rvm_source::blocker(source)).unwrap();
    }
    writeln!(f, "];").unwrap();
}

/// The METADATA block of each built-in policy, as JSON: a run reads it with `serde_json`
/// instead of parsing YAML (`metadata::from_json`; the YAML parse was about two thirds of the
/// instructions of a one-file run). Index for index with `BUILTIN_POLICIES`; `None` for a file
/// without a block, a test file, or a block this conversion leaves to the run's parser.
fn embed_metadata(f: &mut fs::File, metadata: &[Option<(u32, serde_json::Value)>]) {
    writeln!(
        f,
        "/// The METADATA of each of [`BUILTIN_POLICIES`] as JSON, with its marker's line (build.rs)."
    )
    .unwrap();
    writeln!(
        f,
        "pub static BUILTIN_METADATA: &[Option<(u32, &str)>] = &["
    )
    .unwrap();
    for meta in metadata {
        match meta {
            Some((line, json)) => {
                writeln!(f, "    Some(({line}, {:?})),", json.to_string()).unwrap()
            }
            None => writeln!(f, "    None,").unwrap(),
        }
    }
    writeln!(f, "];").unwrap();
}

/// The first document of a METADATA block as JSON, for the plain YAML METADATA is
/// written in: mappings with plain keys, sequences, strings, and the plain scalars `true`,
/// `false`, `null` and decimal integers. Anything else (anchors, tags, other plain scalars a
/// YAML 1.1 reader resolves differently, such as `yes` or `1.5`) gives `None`, and the run
/// parses that block itself.
fn yaml_to_json(yaml: &str) -> Option<serde_json::Value> {
    use libyaml::{Event, Style};
    use serde_json::Value;
    enum Open {
        Seq(Vec<Value>),
        Map(serde_json::Map<String, Value>, Option<String>),
    }
    fn put(stack: &mut [Open], done: &mut Option<Value>, v: Value) -> Option<()> {
        match stack.last_mut() {
            None => *done = Some(v),
            Some(Open::Seq(items)) => items.push(v),
            Some(Open::Map(map, key)) => match key.take() {
                Some(k) => {
                    if map.insert(k, v).is_some() {
                        return None;
                    }
                }
                None => *key = Some(v.as_str()?.to_string()),
            },
        }
        Some(())
    }
    let mut parser = libyaml::Parser::new(yaml);
    let mut stack: Vec<Open> = Vec::new();
    let mut done: Option<Value> = None;
    while done.is_none() {
        let (event, _, _) = parser.next_event()?.ok()?;
        match event {
            Event::StreamStart | Event::DocumentStart => {}
            Event::StreamEnd | Event::DocumentEnd | Event::Alias(_) => return None,
            Event::Scalar {
                value,
                style,
                anchor,
                tag,
            } => {
                if anchor.is_some() || tag.is_some() {
                    return None;
                }
                let v = if style != Style::Plain {
                    Value::String(value)
                } else if value == "true" || value == "false" {
                    Value::Bool(value == "true")
                } else if value == "null" || value == "~" || value.is_empty() {
                    Value::Null
                } else if value.bytes().all(|b| b.is_ascii_digit()) && !value.starts_with('0') {
                    Value::from(value.parse::<i64>().ok()?)
                } else if value.starts_with(|c: char| "-+.0123456789".contains(c))
                    || is_yaml11_word(&value)
                {
                    return None;
                } else {
                    Value::String(value)
                };
                put(&mut stack, &mut done, v)?;
            }
            Event::SequenceStart {
                ref anchor,
                ref tag,
            }
            | Event::MappingStart {
                ref anchor,
                ref tag,
            } => {
                if anchor.is_some() || tag.is_some() {
                    return None;
                }
                stack.push(match event {
                    Event::SequenceStart { .. } => Open::Seq(Vec::new()),
                    _ => Open::Map(serde_json::Map::new(), None),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let v = match stack.pop()? {
                    Open::Seq(items) => Value::Array(items),
                    Open::Map(map, None) => Value::Object(map),
                    Open::Map(_, Some(_)) => return None,
                };
                put(&mut stack, &mut done, v)?;
            }
        }
    }
    done
}

/// Words a YAML 1.1 reader takes for booleans or null.
fn is_yaml11_word(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "yes" | "n" | "no" | "on" | "off" | "true" | "false" | "null" | "nan" | "inf"
    )
}

/// A fixture with a line starting `apiVersion:` or `kind:` is Kubernetes; the others Compose.
fn is_kubernetes(file: &Path) -> bool {
    fs::read_to_string(file).is_ok_and(|text| {
        text.lines()
            .any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:"))
    })
}

/// Writes `static NAME: &[(&str, &str)]` with the path under `root` and the text of each file.
fn embed(f: &mut fs::File, doc: &str, name: &str, root: &Path, paths: &[PathBuf]) {
    writeln!(f, "{doc}").unwrap();
    writeln!(f, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for path in paths {
        let rel = relative(path, root);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            f,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    writeln!(f, "];").unwrap();
}

/// `path` under `root`, with `/` between its parts on every platform.
fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn collect_all(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_all(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn collect(dir: &Path, extension: &str, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, extension, files);
        } else if path.extension().is_some_and(|e| e == extension) {
            files.push(path);
        }
    }
}

/// The package root, read when the script runs: `env!` would freeze the path of the checkout
/// the script was first compiled in, and a target directory copied to another checkout would
/// embed that checkout's policies.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")
}
