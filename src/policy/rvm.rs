//! The built-in checks on regorus's bytecode VM (RVM): which rules may run there, their program
//! (compiled from the built-in catalogue by build.rs, or at start-up for the rules the build's
//! program lacks: src/policy/rvm_aggregate.rs), and one VM per worker.
//!
//! The RVM runs the same Rego about twice as fast as the interpreter, but regorus 0.14.1's RVM
//! gives different answers on some Rego (pinned by the tests of `rvm_blockers` in `engine.rs`).
//! A rule runs there only when every policy file it depends on keeps to the subset both
//! engines agree on, decided when the run starts:
//!
//! - the check is built in: a user policy may use any Rego, and the RVM's differences would
//!   silently change its results, so user policies stay on the interpreter;
//! - no file it depends on has an `else` (the RVM skips an `else` after a body that ends without
//!   a value) or calls a Rust builtin (`rampart.…`: the RVM cannot call them in the mode that
//!   evaluates rules of other packages correctly);
//! - it compiles to the RVM.
//!
//! Everything else, and every resource on which the RVM stops (its instruction limit, an
//! internal error), is evaluated by the interpreter, which says which check failed. Setting
//! `RAMPART_ENGINE=interpreter` evaluates everything on the interpreter: the parity test
//! (tests/engine_parity.rs) runs every fixture both ways and compares the reports byte for
//! byte, which is what makes the subset trustworthy.

use std::sync::Arc;

use regorus::Value;
use regorus::rvm::program::Program;
use regorus::rvm::vm::RegoVM;

use crate::policy::registry::PolicyFile;

/// Instructions one resource may take on the RVM before it is evaluated by the interpreter
/// instead (which has the time limit of src/policy/budget.rs). The whole catalogue takes tens
/// of thousands on an ordinary workload.
const MAX_INSTRUCTIONS: usize = 20_000_000;

/// Whether `RAMPART_ENGINE=interpreter` asks for the interpreter only.
pub fn disabled() -> bool {
    std::env::var_os("RAMPART_ENGINE").is_some_and(|v| v == "interpreter")
}

/// Why a policy file keeps the rules that depend on it off the RVM, if it does.
pub fn file_blocker(file: &PolicyFile) -> Option<String> {
    if !file.builtin {
        return Some(format!("`{}` is a user policy", file.path));
    }
    let code = code_only(&file.source);
    if has_word(&code, "else") {
        return Some(format!("`{}` uses `else`", file.path));
    }
    if let Some(name) = builtin_call(&code) {
        return Some(format!("`{}` calls the Rust builtin `{name}`", file.path));
    }
    None
}

/// The first call of a Rust builtin (`rampart.name(`) in code, not `data.rampart.…` refs.
fn builtin_call(code: &str) -> Option<&str> {
    code.match_indices("rampart.").find_map(|(at, _)| {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            return None;
        }
        let rest = &code[at..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        rest[end..].starts_with('(').then(|| &rest[..end])
    })
}

/// A Rego source without comments and string contents (a `#` or `else` inside a string is
/// not code). Raw strings (backquotes) are blanked too. Byte by byte: every character that
/// matters is ASCII, and the bytes of other characters are copied whole or blanked whole.
fn code_only(source: &str) -> String {
    let mut out = Vec::with_capacity(source.len());
    for line in source.lines() {
        let mut in_string = None;
        let mut escaped = false;
        for &b in line.as_bytes() {
            match in_string {
                Some(quote) => {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' && quote == b'"' {
                        escaped = true;
                    } else if b == quote {
                        in_string = None;
                    }
                    out.push(if in_string.is_some() { b' ' } else { b });
                }
                None if b == b'#' => break,
                None => {
                    if b == b'"' || b == b'`' {
                        in_string = Some(b);
                    }
                    out.push(b);
                }
            }
        }
        out.push(b'\n');
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `word` occurs in `code` as a whole identifier.
fn has_word(code: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// One worker's VM, built on first use.
#[derive(Default)]
pub struct Vm {
    vm: Option<RegoVM>,
}

/// A worker's engine clone starts without a VM.
impl Clone for Vm {
    fn clone(&self) -> Self {
        Vm::default()
    }
}

impl Vm {
    /// Runs the entry point `entry` of `program` on `input` with `data`,
    /// which holds the input's facts (src/policy/facts.rs) and so is given anew for every input:
    /// a VM only checks it against the program's rule tree, far cheaper than an evaluation.
    pub fn execute(
        &mut self,
        program: &Arc<Program>,
        entry: &str,
        data: Value,
        input: Value,
    ) -> Result<Value, String> {
        let vm = self.vm.get_or_insert_with(|| {
            let mut vm = RegoVM::new();
            vm.load_program(program.clone());
            vm.set_max_instructions(MAX_INSTRUCTIONS);
            // As in the interpreter (NOTES.md): a builtin error makes an expression undefined.
            vm.set_strict_builtin_errors(false);
            vm.set_execution_timer_config(Some(regorus::utils::limits::ExecutionTimerConfig {
                limit: crate::policy::budget::time_limit(),
                check_interval: std::num::NonZeroU32::new(1000).expect("non-zero"),
            }));
            vm
        });
        vm.set_data(data).map_err(|e| e.to_string())?;
        vm.set_input(input);
        vm.execute_entry_point_by_name(entry)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::registry::FileRole;

    fn file(source: &str, builtin: bool) -> PolicyFile {
        PolicyFile {
            path: "p.rego".into(),
            source: source.into(),
            package: "p".into(),
            role: FileRole::Check,
            meta: None,
            builtin,
        }
    }

    /// The blocker of a file, which must have one.
    fn blocker(source: &str, builtin: bool) -> String {
        file_blocker(&file(source, builtin)).expect("a blocker")
    }

    #[test]
    fn blockers_are_found_in_code_only() {
        let clean = "package p\n# or else\nmsg := \"something else\"\nelsewhere := 1\n";
        assert_eq!(file_blocker(&file(clean, true)), None);
        let escaped = "package p\nmsg := \"é \\\" else # ü\"\nx := `else`\n";
        assert_eq!(file_blocker(&file(escaped, true)), None);
        // Each byte of the string's contents blanked: `é \" else # ü` is 15 bytes.
        let blanked = format!("package p\nmsg := \"{}\"\nx := `    `\n", " ".repeat(15));
        assert_eq!(code_only(escaped), blanked);
        let after_string = "package p\nf := \"é\" if { true } else := 1\n";
        assert!(blocker(after_string, true).contains("`else`"));
        let with_else = "package p\nf := 1 if { input.x } else := 2\n";
        assert!(blocker(with_else, true).contains("`else`"));
        let refs =
            "package rampart.checks.p\nimport data.rampart.lib.k\nx := data.rampart.params\n";
        assert_eq!(file_blocker(&file(refs, true)), None);
        let builtin = "package p\nq := rampart.quantity(input.x)\n";
        assert!(blocker(builtin, true).contains("`rampart.quantity`"));
        assert!(blocker("package p\n", false).contains("user policy"));
    }
}
