//! Embeds every file under `policies/` in the binary, so built-in policies are never read from
//! disk at run time.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_policies.rs");
    let mut f = fs::File::create(out).unwrap();
    writeln!(
        f,
        "/// Built-in policy files: (path under `policies/`, source)."
    )
    .unwrap();
    writeln!(f, "pub static BUILTIN_POLICIES: &[(&str, &str)] = &[").unwrap();
    for path in files {
        let rel = path
            .strip_prefix(&root)
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

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rego") {
            files.push(path);
        }
    }
}
