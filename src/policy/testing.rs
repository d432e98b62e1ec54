//! `rampart policy test`: runs every `test_*` rule of `*_test.rego` files with regorus.

use std::path::PathBuf;
use std::time::Instant;

use regorus::Value;

use crate::diagnostic::Diagnostic;
use crate::policy::engine::{add_tables, compile_error, new_engine};
use crate::policy::registry::{BUILTIN_POLICIES, rego_files};

/// The outcome of one test rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    /// The rule raised an error.
    Error(String),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub file: String,
    pub rule: String,
    pub outcome: Outcome,
    pub micros: u128,
}

/// Runs the tests under `paths`, or the built-in policies' tests when `paths` is empty.
/// Built-in libraries are always available to user tests.
pub fn run(paths: &[PathBuf]) -> Result<Vec<TestResult>, Vec<Diagnostic>> {
    let mut files: Vec<(String, String)> = Vec::new();
    if paths.is_empty() {
        for (path, source) in BUILTIN_POLICIES {
            files.push((format!("policies/{path}"), source.to_string()));
        }
    } else {
        let mut errors = Vec::new();
        for p in paths {
            match rego_files(p) {
                Ok(found) => {
                    for f in found {
                        let read = crate::source::read_regular(&f, crate::source::MAX_INPUT_BYTES)
                            .and_then(|b| {
                                String::from_utf8(b).map_err(|_| "invalid UTF-8".to_string())
                            });
                        match read {
                            Ok(s) => files.push((f.display().to_string(), s)),
                            Err(e) => errors.push(Diagnostic::policy(
                                f.display().to_string(),
                                1,
                                1,
                                e.to_string(),
                            )),
                        }
                    }
                }
                Err(message) => {
                    errors.push(Diagnostic::policy(p.display().to_string(), 1, 1, message))
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Built-in libraries are available to user tests, unless the user paths hold the
        // same library file (testing a checkout of `policies/` itself).
        for (path, source) in BUILTIN_POLICIES {
            if !path.starts_with("lib/") || path.ends_with("_test.rego") {
                continue;
            }
            let shadowed = files.iter().any(|(p, s)| {
                p.replace('\\', "/").ends_with(path)
                    && crate::policy::metadata::package_of(s)
                        == crate::policy::metadata::package_of(source)
            });
            if !shadowed {
                files.push((format!("policies/{path}"), source.to_string()));
            }
        }
    }

    // A recursive function would overflow the stack in a test as in a run (recursion.rs).
    let as_files: Vec<crate::policy::registry::PolicyFile> = files
        .iter()
        .map(|(path, source)| crate::policy::registry::PolicyFile {
            path: path.clone(),
            source: source.clone(),
            package: String::new(),
            role: crate::policy::registry::FileRole::Library,
            meta: None,
            builtin: BUILTIN_POLICIES
                .iter()
                .any(|(p, s)| *s == source.as_str() && path == &format!("policies/{p}")),
        })
        .collect();
    let recursive = crate::policy::recursion::check(&as_files);
    if !recursive.is_empty() {
        return Err(recursive);
    }
    let mut engine = new_engine();
    add_tables(&mut engine).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    for (path, source) in &files {
        if let Err(e) = engine.add_policy(path.clone(), source.clone()) {
            errors.push(compile_error(path, &e.to_string()));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    engine.set_input(Value::new_object());

    let mut results = Vec::new();
    for (path, source) in files.iter().filter(|(p, _)| p.ends_with("_test.rego")) {
        let Some(package) = crate::policy::metadata::package_of(source) else {
            continue;
        };
        for rule in test_rules(source) {
            let full = format!("data.{package}.{rule}");
            let started = Instant::now();
            let outcome = match engine.eval_rule(full.clone()) {
                Ok(Value::Bool(true)) => Outcome::Pass,
                Ok(_) => Outcome::Fail,
                Err(e) => {
                    let e = compile_error(path, &e.to_string());
                    Outcome::Error(format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
                }
            };
            results.push(TestResult {
                file: path.clone(),
                rule: full,
                outcome,
                micros: started.elapsed().as_micros(),
            });
        }
    }
    Ok(results)
}

/// Names of the `test_*` rules a file defines, in order, each once.
fn test_rules(source: &str) -> Vec<String> {
    let mut rules: Vec<String> = Vec::new();
    for line in source.lines() {
        if !line.starts_with("test_") {
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !rules.contains(&name) {
            rules.push(name);
        }
    }
    rules
}
