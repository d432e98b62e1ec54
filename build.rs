//! Embeds every policy file under `policies/` (`.rego` sources and `.json` tables) in the binary,
//! so built-in policies are never read from disk at run time.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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
        let rel = file
            .strip_prefix(Path::new(&manifest_dir()))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
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
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
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
