//! Compose interpolation (`${VAR:-default}`, `$$`, nesting): the input as a value to substitute.
//! Asserts that nothing panics or overflows the stack, that text without `$` comes back
//! unchanged, and that a value nested beyond `interpolate::MAX_DEPTH` is an issue, not a crash.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart::compose::interpolate::{Env, UNKNOWN, substitute};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut env = Env::default();
    env.insert("A".into(), "a".into());
    env.insert("EMPTY".into(), String::new());
    env.insert("DOLLAR".into(), "$B".into());
    let mut issues = Vec::new();
    let out = substitute(text, &env, &mut issues);
    if !text.contains('$') {
        assert_eq!(out, text);
    }
    if out.contains(UNKNOWN) && !text.contains(UNKNOWN) {
        assert!(!issues.is_empty(), "an unknown value comes with an issue: {text:?}");
    }
});
