//! User policies: the input is the body of a Rego module (after `package fuzz` and
//! `import rego.v1`), loaded as a user policy is (recursion check, then regorus with rampart's
//! builtins and budgets) and evaluated on a small Pod. Asserts that nothing panics, overflows
//! the stack, or allocates without bound: recursion must be rejected at load, and capped
//! builtins and the time limit (1 s here) must stop the rest.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart::policy::engine::new_engine;
use rampart::policy::recursion;
use rampart::policy::registry::{FileRole, PolicyFile};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    static LIMIT: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any engine reads it, from the fuzzing thread.
    LIMIT.call_once(|| unsafe { std::env::set_var("RAMPART_POLICY_TIME_LIMIT_MS", "1000") });
    let source = format!("package fuzz\n\nimport rego.v1\n\n{body}\n");
    let file = PolicyFile {
        path: "fuzz.rego".into(),
        source: source.clone(),
        package: "fuzz".into(),
        role: FileRole::Library,
        meta: None,
        builtin: false,
    };
    if !recursion::check(std::slice::from_ref(&file)).is_empty() {
        return;
    }
    let mut engine = new_engine();
    if engine.add_policy(file.path, source).is_err() {
        return;
    }
    let pod = regorus::Value::from_json_str(
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#,
    )
    .unwrap();
    engine.set_input(pod);
    let _ = engine.eval_query("data.fuzz".into(), false);
});
