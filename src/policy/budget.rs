//! Evaluation budgets: builtins that allocate as much as their arguments say are replaced by
//! capped versions (registered as extensions under the builtins' names, which regorus resolves
//! first), and the per-evaluation time limit is read from `RAMPART_POLICY_TIME_LIMIT_MS`.
//!
//! `numbers.range(1, 2000000000)` asked regorus for 48 GB at once and aborted the process; here
//! it is an error for the check and resource that called it, and the run goes on.

use regorus::Value;

/// The most elements a builtin may build in one call. Real policies range over ports and
/// indexes: thousands at most.
pub const MAX_ELEMENTS: i64 = 100_000;

/// Time one evaluation (one check, or all checks, on one resource) may take.
pub const DEFAULT_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The per-evaluation time limit: `RAMPART_POLICY_TIME_LIMIT_MS`, else [`DEFAULT_TIME_LIMIT`].
pub fn time_limit() -> std::time::Duration {
    std::env::var("RAMPART_POLICY_TIME_LIMIT_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .map_or(DEFAULT_TIME_LIMIT, std::time::Duration::from_millis)
}

/// Part of every over-budget message, for [`crate::policy::engine`] to recognise.
pub const OVER_BUDGET: &str = "over the budget";

pub fn register(engine: &mut regorus::Engine) {
    // Registration only fails for duplicate names, which cannot happen on a fresh engine.
    let _ = engine.add_extension(
        "numbers.range".into(),
        2,
        Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
            let (Some(a), Some(b)) = (integer(&args[0]), integer(&args[1])) else {
                return Ok(Value::Undefined);
            };
            range("numbers.range", a, b, 1)
        }),
    );
    let _ = engine.add_extension(
        "numbers.range_step".into(),
        3,
        Box::new(|args: Vec<Value>| -> anyhow::Result<Value> {
            let (Some(a), Some(b), Some(step)) =
                (integer(&args[0]), integer(&args[1]), integer(&args[2]))
            else {
                return Ok(Value::Undefined);
            };
            if step <= 0 {
                return Ok(Value::Undefined);
            }
            range("numbers.range_step", a, b, step)
        }),
    );
}

fn integer(v: &Value) -> Option<i64> {
    let f = v.as_f64().ok()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// `a..=b` by `step` (downwards when `b < a`), as regorus's builtins count, within the budget.
fn range(name: &str, a: i64, b: i64, step: i64) -> anyhow::Result<Value> {
    let count = (b - a).unsigned_abs() / step as u64 + 1;
    if count > MAX_ELEMENTS as u64 {
        anyhow::bail!(
            "`{name}` would build {count} elements, over the budget of {MAX_ELEMENTS} per call"
        );
    }
    let dir = if b < a { -step } else { step };
    let values: Vec<Value> = (0..count as i64)
        .map(|i| Value::from(a + i * dir))
        .collect();
    Ok(Value::from(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(query: &str) -> anyhow::Result<Value> {
        let mut engine = crate::policy::engine::new_engine();
        engine.add_policy("t.rego".into(), format!("package t\n\nx := {query}\n"))?;
        engine.eval_rule("data.t.x".into())
    }

    #[test]
    fn ranges_agree_with_the_builtin_and_are_capped() {
        assert_eq!(
            eval("numbers.range(1, 3)").unwrap(),
            Value::from(vec![Value::from(1), Value::from(2), Value::from(3)])
        );
        assert_eq!(
            eval("numbers.range(2, 0)").unwrap(),
            Value::from(vec![Value::from(2), Value::from(1), Value::from(0)])
        );
        assert_eq!(
            eval("numbers.range_step(0, 5, 2)").unwrap(),
            Value::from(vec![Value::from(0), Value::from(2), Value::from(4)])
        );
        let e = eval("numbers.range(1, 2000000000)")
            .unwrap_err()
            .to_string();
        assert!(e.contains("over the budget"), "{e}");
    }
}
