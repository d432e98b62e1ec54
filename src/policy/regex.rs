//! `regex.match`, `regex.replace` and `regex.find_all_string_submatch_n` for policies: regorus's
//! semantics, with each compiled pattern kept per worker thread.
//!
//! regorus 0.14.1 caches compiled patterns but hands out a clone on every call, and a clone of a
//! `regex::Regex` starts with an empty search cache, so every call rebuilt the lazy DFA: about a
//! third of the time of a check that matches each environment variable's name. These functions
//! are registered as extensions under the builtins' own names, which regorus resolves before its
//! builtins.
//!
//! Same results as the builtins (non-strict mode): a pattern that does not compile or an argument
//! that is not a string gives undefined; a pattern over regorus's size limit is an error.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};
use regorus::Value;

/// regorus's limit on the compiled size of a pattern.
const SIZE_LIMIT: usize = 100 * 1024;

/// Patterns kept per thread; the map starts over beyond this (a policy that builds patterns
/// from input must not grow it without bound).
const MAX_PATTERNS: usize = 1024;

thread_local! {
    static COMPILED: RefCell<HashMap<String, Option<Regex>>> = RefCell::new(HashMap::new());
}

pub fn register(engine: &mut regorus::Engine) {
    // Registration only fails for duplicate names, which cannot happen on a fresh engine.
    let _ = engine.add_extension(
        "regex.match".into(),
        2,
        Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
            let (Value::String(pattern), Value::String(text)) = (&args[0], &args[1]) else {
                return Ok(Value::Undefined);
            };
            with_regex(pattern, |re| Value::Bool(re.is_match(text)))
        }),
    );
    let _ = engine.add_extension(
        "regex.replace".into(),
        3,
        Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
            let (Value::String(text), Value::String(pattern), Value::String(with)) =
                (&args[0], &args[1], &args[2])
            else {
                return Ok(Value::Undefined);
            };
            with_regex(pattern, |re| {
                Value::String(re.replace_all(text, with.as_ref()).into())
            })
        }),
    );
    let _ = engine.add_extension(
        "regex.find_all_string_submatch_n".into(),
        3,
        Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
            let (Value::String(pattern), Value::String(text), Value::Number(_)) =
                (&args[0], &args[1], &args[2])
            else {
                return Ok(Value::Undefined);
            };
            let Ok(n) = args[2].as_f64() else {
                return Ok(Value::Undefined);
            };
            if n.fract() != 0.0 {
                return Ok(Value::Undefined);
            }
            // A negative n, or one past i64, means every match.
            let n = match args[2].as_i64() {
                Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
                Err(_) => usize::MAX,
            };
            with_regex(pattern, |re| {
                let matches = re.captures_iter(text).take(n).map(|captures| {
                    let groups = captures
                        .iter()
                        .map(|group| Value::String(group.map_or("", |g| g.as_str()).into()));
                    Value::from(groups.collect::<Vec<_>>())
                });
                Value::from(matches.collect::<Vec<_>>())
            })
        }),
    );
}

/// `f` of the compiled `pattern`; undefined when the pattern does not compile.
fn with_regex(pattern: &str, f: impl FnOnce(&Regex) -> Value) -> anyhow::Result<Value> {
    COMPILED.with(|compiled| {
        let mut compiled = compiled.borrow_mut();
        if !compiled.contains_key(pattern) {
            if compiled.len() >= MAX_PATTERNS {
                compiled.clear();
            }
            let re = match RegexBuilder::new(pattern).size_limit(SIZE_LIMIT).build() {
                Ok(re) => Some(re),
                Err(regex::Error::CompiledTooBig(_)) => {
                    anyhow::bail!("regex exceeds the size limit of {SIZE_LIMIT} bytes")
                }
                Err(_) => None,
            };
            compiled.insert(pattern.to_string(), re);
        }
        Ok(compiled
            .get(pattern)
            .and_then(Option::as_ref)
            .map_or(Value::Undefined, f))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expr` evaluated by regorus's own builtins and with these extensions.
    fn both(expr: &str) -> (Result<Value, String>, Result<Value, String>) {
        let module = format!("package t\n\nimport rego.v1\n\nr := {expr}\n");
        let eval = |with_extensions: bool| {
            let mut engine = regorus::Engine::new();
            engine.set_strict_builtin_errors(false);
            if with_extensions {
                register(&mut engine);
            }
            engine.add_policy("t.rego".into(), module.clone()).unwrap();
            engine.set_input(Value::new_object());
            engine
                .eval_rule("data.t.r".into())
                .map_err(|e| e.to_string())
        };
        (eval(false), eval(true))
    }

    #[test]
    fn same_results_as_the_builtins() {
        for expr in [
            r#"regex.match(`^[0-9]+$`, "8080")"#,
            r#"regex.match(`^[0-9]+$`, "http")"#,
            r#"regex.match(`(?i)^secret`, "SecretKey")"#,
            r#"regex.match(`\p{Greek}`, "αβ")"#,
            r#"regex.match(`(unclosed`, "x")"#,
            r#"regex.match(`x`, 7)"#,
            r#"regex.match(7, "x")"#,
            r#"regex.replace("dbPassword", `([a-z0-9])([A-Z])`, "${1}_${2}")"#,
            r#"regex.replace("a--b..c", `[^A-Za-z0-9]+`, "_")"#,
            r#"regex.replace("x", `(unclosed`, "_")"#,
            r#"regex.replace(1, `x`, "_")"#,
            r#"regex.replace("x", `x`, 1)"#,
            r#"regex.find_all_string_submatch_n(`^(.*?) ?([^0-9. ]*)$`, "1.5 gb", 1)"#,
            r#"regex.find_all_string_submatch_n(`a(x)?(b)`, "ab axb ab", -1)"#,
            r#"regex.find_all_string_submatch_n(`a(x)?(b)`, "ab axb ab", 2)"#,
            r#"regex.find_all_string_submatch_n(`a(x)?(b)`, "ab axb ab", 0)"#,
            r#"regex.find_all_string_submatch_n(`a`, "aaa", 1.5)"#,
            r#"regex.find_all_string_submatch_n(`(unclosed`, "x", 1)"#,
            r#"regex.find_all_string_submatch_n(`x`, "x", "1")"#,
        ] {
            let (builtin, extension) = both(expr);
            assert_eq!(builtin, extension, "{expr}");
        }
    }

    #[test]
    fn a_pattern_over_the_size_limit_is_an_error() {
        let (builtin, extension) = both(r#"regex.match(`\w{1000}\w{1000}\w{1000}`, "x")"#);
        assert!(builtin.is_err(), "{builtin:?}");
        assert!(extension.is_err(), "{extension:?}");
    }

    #[test]
    fn a_compiled_pattern_is_reused_and_the_map_stays_bounded() {
        for i in 0..(MAX_PATTERNS + 10) {
            let matched = with_regex(&format!("^{i}$"), |re| {
                Value::Bool(re.is_match(&i.to_string()))
            });
            assert_eq!(matched.unwrap(), Value::Bool(true));
        }
        COMPILED.with(|c| assert!(c.borrow().len() <= MAX_PATTERNS));
        assert_eq!(
            with_regex("(", |_| Value::Bool(true)).unwrap(),
            Value::Undefined
        );
    }
}
