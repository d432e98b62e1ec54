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

use crate::policy::registry::{BUILTIN_BLOCKERS, BUILTIN_POLICIES, PolicyFile};
use crate::policy::rvm_source;

/// Instructions one resource may take on the RVM before it is evaluated by the interpreter
/// instead (which has the time limit of src/policy/budget.rs). The whole catalogue takes tens
/// of thousands on an ordinary workload.
const MAX_INSTRUCTIONS: usize = 20_000_000;

/// Whether `RAMPART_ENGINE=interpreter` asks for the interpreter only.
pub fn disabled() -> bool {
    std::env::var_os("RAMPART_ENGINE").is_some_and(|v| v == "interpreter")
}

/// Why a policy file keeps the rules that depend on it off the RVM, if it does: a user policy,
/// or code outside the subset ([`rvm_source::blocker`]), which build.rs reads out of each built-in
/// file once (`BUILTIN_BLOCKERS`).
pub fn file_blocker(file: &PolicyFile) -> Option<String> {
    if !file.builtin {
        return Some(format!("`{}` is a user policy", file.path));
    }
    let known = file.path.strip_prefix("policies/").and_then(|rel| {
        let i = BUILTIN_POLICIES.iter().position(|(path, _)| *path == rel)?;
        Some(BUILTIN_BLOCKERS[i].map(str::to_string))
    });
    let why = known.unwrap_or_else(|| rvm_source::blocker(&file.source))?;
    Some(format!("`{}` {why}", file.path))
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
        assert_eq!(rvm_source::code_only(escaped), blanked);
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
