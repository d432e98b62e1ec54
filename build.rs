//! Embeds every policy file under `policies/` (`.rego` sources and `.json` tables) in the binary,
//! so built-in policies are never read from disk at run time.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[path = "src/policy/rvm_aggregate.rs"]
mod rvm_aggregate;
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
    embed_program(&mut f, &root, &files);

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
fn embed_program(f: &mut fs::File, root: &Path, files: &[PathBuf]) {
    let mut engine = regorus::Engine::new();
    let mut rules = Vec::new();
    let mut targets = Vec::new();
    let mut error = None;
    for path in files {
        let rel = relative(path, root);
        if rel.ends_with("_test.rego") {
            continue;
        }
        let source = fs::read_to_string(path).unwrap();
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
        if let (Some(_), Some(package), Some(t)) = (side, package, metadata_targets(&source)) {
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

/// The `custom.targets` of a policy's METADATA, written as a flow list on one line
/// (`#   targets: [workload]`), as every built-in check writes them; the run reads them with
/// the full METADATA parser, and a rule this misreads runs on the interpreter.
fn metadata_targets(source: &str) -> Option<Vec<String>> {
    source.lines().find_map(|line| {
        let list = line
            .strip_prefix('#')?
            .trim()
            .strip_prefix("targets:")?
            .trim();
        let list = list.strip_prefix('[')?.strip_suffix(']')?;
        let items = list
            .split(',')
            .map(|t| t.trim().trim_matches('"').to_string());
        Some(items.filter(|t| !t.is_empty()).collect())
    })
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
