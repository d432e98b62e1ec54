//! The Compose project loader: `extends` (same file and across files), override merging,
//! `.env` and interpolation. The input is split at the first two `\0---\0` markers into
//! `compose.yaml`, `base.yaml` (which `extends` may name) and `.env`, written to a fresh
//! directory, and loaded as rampart loads a project. Asserts that nothing panics or overflows,
//! and that nothing outside that directory is read into the project.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart::compose::{File, load};
use rampart::source::SourceFile;
use rampart::yaml::parse_stream;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, "\0---\0");
    let compose = parts.next().unwrap_or_default();
    let base = parts.next().unwrap_or_default();
    let env = parts.next();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.yaml"), base).unwrap();
    if let Some(env) = env {
        std::fs::write(dir.path().join(".env"), env).unwrap();
    }
    let path = dir.path().join("compose.yaml");
    std::fs::write(&path, compose).unwrap();
    let source = SourceFile::new("compose.yaml".into(), Some(path), compose.to_string());
    let stream = parse_stream(&source.text);
    let documents = stream.documents.into_iter().map(|d| d.root).collect();
    let project = load(vec![File { source, documents }]);
    for s in &project.sources {
        if let Some(p) = &s.path {
            let real = p.canonicalize().unwrap_or_else(|_| p.clone());
            let root = dir.path().canonicalize().unwrap();
            assert!(real.starts_with(&root), "read outside the project: {}", p.display());
        }
    }
    for r in &project.resources {
        let _ = &r.value;
    }
});
