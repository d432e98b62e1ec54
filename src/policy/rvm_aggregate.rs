//! The Rego module that the RVM runs on every resource: a numbered list of check rules, and
//! per kind an entry point over the rules that target it, each evaluated only where the run
//! asks for it. build.rs compiles it over the whole built-in catalogue into the binary; a run
//! whose RVM rules that program lacks (the build could not compile the catalogue) compiles it
//! over its own at start-up.
//!
//! Each kind has two entry points. The one for a run that evaluates every rule of the kind on
//! the RVM (every check enabled, the usual case) is an array of the rules' `deny` sets, one body
//! for all of them. The other serves every other set of enabled checks: `data.rampart.rvm_rules`
//! (given with each input's facts) maps a rule's number to its index among the rules the run
//! evaluates on the kind; a rule without an entry there (its check is disabled, or it runs on
//! the interpreter) is skipped after one lookup, and a rule with one gives `[that index,
//! finding]`. So one program serves every configuration, and the usual one pays no lookups.
//!
//! This file is also compiled into build.rs: it uses `std` and regorus only.

use regorus::rvm::program::Program;

/// The key under `data.rampart` of the map from a rule's number to its index for the kind.
pub const RULES_KEY: &str = "rvm_rules";

/// The entry point for objects of `kind` (`*` for the kinds no target names): the one that
/// evaluates `every` rule of the kind, or the one guarded by `data.rampart.rvm_rules`.
pub fn entry(kind: &str, every: bool) -> String {
    let name: String = match kind {
        "*" => "other_kinds".to_string(),
        kind => kind
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect(),
    };
    let prefix = if every { "every" } else { "some" };
    format!("data.rampart.aggregate.rvm.{prefix}_{name}")
}

/// Both entry points of each kind of `entries`.
pub fn entry_names(entries: &[(String, Vec<usize>)]) -> Vec<String> {
    let kinds = entries.iter().map(|(kind, _)| kind);
    kinds
        .flat_map(|kind| [entry(kind, true), entry(kind, false)])
        .collect()
}

/// Groups rules by the kinds they select, given each rule's `targets`: per kind that a target
/// names (and per workload kind) the numbers of the rules that select it, and under `*` those
/// that select every kind.
pub fn entries(targets: &[Vec<String>]) -> Vec<(String, Vec<usize>)> {
    let kinds = super::targets::named_kinds(targets.iter().flatten());
    let mut out = Vec::new();
    for kind in kinds.iter().map(String::as_str).chain(["*"]) {
        // `*` as a kind is selected by `*` targets only.
        let numbers: Vec<usize> = (0..targets.len())
            .filter(|&n| super::targets::targets_kind(&targets[n], kind))
            .collect();
        if !numbers.is_empty() {
            out.push((kind.to_string(), numbers));
        }
    }
    out
}

/// Adds the aggregate module over `rules` and `entries` to `engine` (which holds the policies
/// that define the rules) and compiles it, every kind's two entry points, to an RVM program.
pub fn compile(
    engine: &mut regorus::Engine,
    rules: &[&str],
    entries: &[(String, Vec<usize>)],
) -> Result<Program, String> {
    engine
        .add_policy("<aggregate rvm>".into(), module(rules, entries))
        .map_err(|e| e.to_string())?;
    let names = entry_names(entries);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let first: regorus::Rc<str> = names.first().copied().unwrap_or_default().into();
    let policy = engine
        .compile_with_entrypoint(&first)
        .map_err(|e| e.to_string())?;
    let program =
        regorus::languages::rego::compiler::Compiler::compile_from_policy(&policy, &names)
            .map_err(|e| e.to_string())?;
    Ok(std::sync::Arc::unwrap_or_clone(program))
}

/// The aggregate module: `entries` pairs a kind with the numbers of its rules in `rules`
/// (paths such as `data.rampart.checks.run_as_root.kubernetes.deny`).
pub fn module(rules: &[&str], entries: &[(String, Vec<usize>)]) -> String {
    let mut module = String::from("package rampart.aggregate.rvm\n\nimport rego.v1\n\n");
    let name = |kind: &str, every: bool| {
        let entry = entry(kind, every);
        entry.rsplit('.').next().unwrap_or_default().to_string()
    };
    for (kind, numbers) in entries {
        let (every, some) = (name(kind, true), name(kind, false));
        module.push_str(&format!("{every} := [\n"));
        for &number in numbers {
            module.push_str(&format!("\t{},\n", rules[number]));
        }
        module.push_str("]\n\n");
        for &number in numbers {
            let rule = rules[number];
            // `i` alone is the guard: the RVM does not fail a body on an undefined assignment.
            module.push_str(&format!(
                "{some} contains [i, r] if {{\n\ti := data.rampart.{RULES_KEY}[{number}]\n\ti\n\tsome r in {rule}\n}}\n\n"
            ));
        }
    }
    module
}
