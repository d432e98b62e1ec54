//! Evaluation with regorus: one engine for the run, then cloned per worker thread (NOTES.md: a
//! clone of a prepared engine costs well under a microsecond). The rules that may run on the
//! bytecode VM run there (src/policy/rvm.rs), from the program build.rs compiled; the others on
//! the interpreter, which a run of built-in checks gives the policies only if the VM stops on a
//! resource.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use regorus::Value;
use regorus::rvm::program::Program;

use crate::diagnostic::Diagnostic;
use crate::policy::facts;
use crate::policy::registry::{Catalog, PolicyFile, targets_kind};

/// A policy result before it is located: what `deny` returned.
#[derive(Clone, Debug, PartialEq)]
pub struct RawFinding {
    pub check: usize,
    pub message: String,
    pub path: Vec<Value>,
    pub related: Vec<RawRelated>,
}

/// A related location as a policy states it: a path in the same resource, or in another
/// object of the inventory.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRelated {
    pub message: String,
    pub path: Vec<Value>,
    /// `{apiVersion, kind, name, namespace}` of another object, when not the input itself.
    pub object: Option<Value>,
}

/// A policy that failed while evaluating one resource.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    pub check: usize,
    pub message: String,
}

/// The compiled policies of a run.
#[derive(Clone)]
pub struct PolicyEngine {
    engine: regorus::Engine,
    /// Per resource kind: the (check index, rule path) pairs to evaluate.
    by_kind: HashMap<String, Vec<(usize, String)>>,
    /// Per resource kind of the run: a generated rule that unions the `deny` sets of every
    /// applicable check, so that one evaluation per resource computes shared helpers (the
    /// containers of a pod spec, ...) once instead of once per check.
    aggregates: HashMap<String, String>,
    rules: Vec<(usize, String, Vec<String>)>,
    /// Rules that ran out of their budget (time, or a capped builtin) while being prepared,
    /// without input: they would on every resource, so each resource gets the error at once.
    over_budget: HashMap<String, String>,
    /// The rules that run on the RVM (src/policy/rvm.rs).
    on_rvm: std::collections::HashSet<String>,
    /// The RVM's program (src/policy/rvm_aggregate.rs): the one built into the binary when it
    /// has every rule of `on_rvm`, else compiled at start-up.
    program: Option<Arc<RvmProgram>>,
    /// Per rule off the RVM, why; for `-v`.
    off_rvm: Vec<(String, String)>,
    vm: crate::policy::rvm::Vm,
    /// Per kind, its rules on the RVM and on the interpreter, computed once per kind.
    split_by_kind: HashMap<String, Arc<KindSplit>>,
    /// Policy files the interpreter has not been given yet. A run of built-in checks that all
    /// run on the RVM needs the interpreter only where the RVM stops on a resource, so it
    /// parses them then, not at start-up.
    pending: Option<Arc<Vec<(String, String)>>>,
    /// `data` as the VMs see it, without an input's facts (taken from the interpreter on first
    /// use).
    vm_data: Option<Value>,
}

/// A kind's `(check, rule)` pairs: those on the RVM, those on the interpreter.
type RuleSplit = (Vec<(usize, String)>, Vec<(usize, String)>);

/// A kind's rules on the RVM (in the program's order) and on the interpreter, its entry point,
/// and for the guarded entry point the RVM's `data.rampart.rvm_rules`: each RVM rule's number
/// mapped to its index in `on_rvm` (src/policy/rvm_aggregate.rs).
struct KindSplit {
    on_rvm: Vec<(usize, String)>,
    off_rvm: Vec<(usize, String)>,
    entry: String,
    rvm_rules: Option<Value>,
}

/// An RVM program of the aggregate module (src/policy/rvm_aggregate.rs), with the number of
/// each rule and the rule numbers of each kind's entry point (`*` for the other kinds).
struct RvmProgram {
    program: Arc<Program>,
    rules: HashMap<String, usize>,
    entries: HashMap<String, Vec<usize>>,
}

impl RvmProgram {
    fn new(program: Program, rules: &[&str], entries: &[(&str, &[usize])]) -> RvmProgram {
        RvmProgram {
            program: Arc::new(program),
            rules: (rules.iter().enumerate())
                .map(|(n, r)| (r.to_string(), n))
                .collect(),
            entries: (entries.iter())
                .map(|(kind, numbers)| (kind.to_string(), numbers.to_vec()))
                .collect(),
        }
    }

    /// The kind of the entry point for objects of `kind`.
    fn entry_kind<'a>(&self, kind: &'a str) -> &'a str {
        if self.entries.contains_key(kind) {
            kind
        } else {
            "*"
        }
    }

    /// Does the entry point for `kind` evaluate `rule`?
    fn has(&self, kind: &str, rule: &str) -> bool {
        let numbers = self.entries.get(self.entry_kind(kind));
        let number = self.rules.get(rule);
        numbers.zip(number).is_some_and(|(ns, n)| ns.contains(n))
    }
}

/// Reads the built-in catalogue's program now (a few milliseconds), so that a run can do it
/// while it reads its inputs, before [`PolicyEngine::new`] needs it.
pub fn read_builtin_program() {
    builtin_program();
}

/// The built-in catalogue's program (build.rs), read once per process; `None` when the build
/// could not compile it.
fn builtin_program() -> Option<&'static Arc<RvmProgram>> {
    static PROGRAM: OnceLock<Option<Arc<RvmProgram>>> = OnceLock::new();
    PROGRAM
        .get_or_init(|| {
            use crate::policy::registry::{
                BUILTIN_PROGRAM, BUILTIN_PROGRAM_ENTRIES, BUILTIN_PROGRAM_RULES,
            };
            use regorus::rvm::program::DeserializationResult;
            if BUILTIN_PROGRAM_RULES.is_empty() {
                return None;
            }
            match Program::deserialize_binary(BUILTIN_PROGRAM) {
                Ok(DeserializationResult::Complete(program)) => Some(Arc::new(RvmProgram::new(
                    program,
                    BUILTIN_PROGRAM_RULES,
                    BUILTIN_PROGRAM_ENTRIES,
                ))),
                _ => None,
            }
        })
        .as_ref()
}

impl PolicyEngine {
    /// Compiles the catalogue's policies for the given checks, with `data` (params and
    /// inventory). Compile errors carry the policy's file, line and column.
    pub fn new(
        catalog: &Catalog,
        enabled: &[bool],
        data: Value,
        kinds: &[String],
    ) -> Result<PolicyEngine, Vec<Diagnostic>> {
        let mut engine = new_engine();
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        for (i, check) in catalog.checks.iter().enumerate() {
            if !enabled.get(i).copied().unwrap_or(true) {
                continue;
            }
            for (rule, targets) in &check.rules {
                if kinds.iter().any(|kind| targets_kind(targets, kind)) {
                    rules.push((i, rule.clone(), targets.clone()));
                }
            }
        }
        let needed: Vec<&str> = rules.iter().map(|(_, rule, _)| rule.as_str()).collect();
        let dependencies = Dependencies::new(catalog);
        let files = dependencies.for_run(&needed);
        let (on_rvm, off_rvm) = rvm_eligible(catalog, &dependencies, &rules);
        let builtin = builtin_program().filter(|program| {
            rules.iter().all(|(_, rule, targets)| {
                !on_rvm.contains(rule)
                    || kinds
                        .iter()
                        .filter(|kind| targets_kind(targets, kind))
                        .all(|kind| program.has(kind, rule))
            })
        });
        // Only built-in files, every rule on the built-in program: the interpreter waits.
        let lazy = builtin.is_some() && off_rvm.is_empty() && files.iter().all(|f| f.builtin);
        let mut pending = None;
        if lazy {
            let sources = files.iter().map(|f| (f.path.clone(), f.source.clone()));
            pending = Some(Arc::new(sources.collect()));
        } else {
            for file in files {
                if let Err(e) = engine.add_policy(file.path.clone(), file.source.clone()) {
                    errors.push(compile_error(&file.path, &e.to_string()));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Err(e) = add_tables(&mut engine) {
            return Err(vec![e]);
        }
        if let Err(e) = engine.add_data(data) {
            errors.push(Diagnostic::policy("<data>", 1, 1, e.to_string()));
            return Err(errors);
        }
        let mut this = PolicyEngine {
            engine,
            by_kind: HashMap::new(),
            aggregates: HashMap::new(),
            rules,
            over_budget: HashMap::new(),
            on_rvm,
            program: None,
            off_rvm,
            vm: crate::policy::rvm::Vm::default(),
            split_by_kind: HashMap::new(),
            pending,
            vm_data: None,
        };
        if let Some(program) = builtin {
            this.program = Some(program.clone());
        } else if !this.on_rvm.is_empty() {
            // Before the interpreter's aggregates: should it fail, they take every rule.
            this.compile_rvm();
        }
        if lazy {
            return Ok(this);
        }
        // RAMPART_EVALUATE_SEPARATELY=1 evaluates each check on its own (tests compare both).
        let aggregate = std::env::var_os("RAMPART_EVALUATE_SEPARATELY").is_none();
        for (n, kind) in kinds.iter().enumerate().filter(|_| aggregate) {
            let rules = this.split(kind).off_rvm.clone();
            if rules.len() < 2 {
                continue;
            }
            let package = format!("rampart.aggregate.k{n}");
            let mut module = format!("package {package}\n\nimport rego.v1\n\n");
            for (i, (_, rule)) in rules.iter().enumerate() {
                module.push_str(&format!(
                    "results contains [{i}, r] if {{\n\tsome r in {rule}\n}}\n\n"
                ));
            }
            if this
                .engine
                .add_policy(format!("<aggregate {kind}>"), module)
                .is_ok()
            {
                this.aggregates
                    .insert(kind.clone(), format!("data.{package}.results"));
            }
        }
        // Prepare: the first evaluation runs regorus's analysis; do it once, before cloning,
        // and surface what only shows at that point (unsafe variables, unknown functions).
        this.engine.set_input(Value::new_object());
        let rules: Vec<(usize, String)> =
            this.rules.iter().map(|(c, r, _)| (*c, r.clone())).collect();
        let aggregates: Vec<(String, String)> = this
            .aggregates
            .iter()
            .map(|(kind, rule)| (kind.clone(), rule.clone()))
            .collect();
        // A rule that an aggregate evaluated without error needs no evaluation of its own;
        // when an aggregate fails, its rules are evaluated one by one to say which failed.
        let mut covered = std::collections::HashSet::new();
        for (kind, rule) in aggregates {
            if this.engine.eval_rule(rule).is_ok() {
                covered.extend(this.split(&kind).off_rvm.iter().map(|(_, r)| r.clone()));
            }
        }
        // A rule on the RVM compiled with the whole catalogue already (compile_rvm, which
        // analysed every module), and the interpreter evaluates it only where the RVM stops: its
        // evaluation here would only cost startup (half of it on the reference fixtures).
        for (check, rule) in rules {
            if covered.contains(&rule) || this.on_rvm.contains(&rule) {
                continue;
            }
            if let Err(e) = this.engine.eval_rule(rule.clone()) {
                // Over budget is not a broken policy: an error for each resource, not the run.
                if is_over_budget(&e) {
                    this.over_budget
                        .insert(rule.clone(), eval_error_message(&e, &rule));
                    continue;
                }
                let file = catalog.checks[check]
                    .files
                    .first()
                    .map(|f| f.0.clone())
                    .unwrap_or_default();
                errors.push(compile_error(&file, &e.to_string()));
            }
        }
        // An aggregate with an over-budget rule would spend the budget on every resource
        // before the rules are evaluated one by one.
        let kinds: Vec<String> = this.aggregates.keys().cloned().collect();
        for kind in kinds {
            let rules = this.split(&kind).off_rvm.clone();
            if rules.iter().any(|(_, r)| this.over_budget.contains_key(r)) {
                this.aggregates.remove(&kind);
            }
        }
        if errors.is_empty() {
            Ok(this)
        } else {
            Err(errors)
        }
    }

    /// Replaces `data` (params and inventory): a run evaluates each deployment unit with its
    /// own inventory. regorus analyses the policies again on the next evaluation (~150 µs), so
    /// callers swap once per unit, not per resource.
    pub fn set_data(&mut self, data: Value) -> Result<(), Diagnostic> {
        static TABLES: std::sync::OnceLock<Result<Value, Diagnostic>> = std::sync::OnceLock::new();
        let tables = TABLES.get_or_init(crate::policy::registry::builtin_tables);
        self.engine.clear_data();
        let tables = tables.clone()?;
        let error = |e: anyhow::Error| Diagnostic::policy("<data>", 1, 1, e.to_string());
        self.engine.add_data(tables).map_err(error)?;
        self.engine.add_data(data).map_err(error)?;
        self.vm_data = None;
        Ok(())
    }

    /// Compiles the RVM's program over the rules of `on_rvm` (when the built-in one lacks
    /// some). Should that fail (a construct the RVM's compiler rejects), every rule goes back to
    /// the interpreter, and `-v` says why.
    fn compile_rvm(&mut self) {
        use crate::policy::rvm_aggregate;
        let mut rules: Vec<(&str, Vec<String>)> = (self.rules.iter())
            .filter(|(_, rule, _)| self.on_rvm.contains(rule))
            .map(|(_, rule, targets)| (rule.as_str(), targets.clone()))
            .collect();
        rules.sort();
        rules.dedup();
        let names: Vec<&str> = rules.iter().map(|(rule, _)| *rule).collect();
        let targets: Vec<Vec<String>> = rules.iter().map(|(_, t)| t.clone()).collect();
        let entries = rvm_aggregate::entries(&targets);
        match rvm_aggregate::compile(&mut self.engine, &names, &entries) {
            Ok(program) => {
                let entries: Vec<(&str, &[usize])> = (entries.iter())
                    .map(|(kind, numbers)| (kind.as_str(), numbers.as_slice()))
                    .collect();
                self.program = Some(Arc::new(RvmProgram::new(program, &names, &entries)));
            }
            Err(e) => {
                let reason = format!("the RVM cannot compile it: {}", first_line(e.trim()));
                let moved = self.on_rvm.drain().map(|r| (r, reason.clone()));
                self.off_rvm.extend(moved);
                self.split_by_kind.clear();
            }
        }
    }

    /// Where each check's rules run, for `-v`: `(check id and side, None)` on the RVM,
    /// `(…, Some(reason))` on the interpreter.
    pub fn engines(&self, catalog: &Catalog) -> Vec<(String, Option<String>)> {
        let side = |rule: &str| {
            let mut parts = rule.rsplit('.');
            parts.next();
            parts.next().unwrap_or_default().to_string()
        };
        let mut out: Vec<(String, Option<String>)> = self
            .rules
            .iter()
            .map(|(c, rule, _)| {
                let name = format!("{} ({})", catalog.checks[*c].id, side(rule));
                let why = (!self.on_rvm.contains(rule)).then(|| {
                    self.off_rvm
                        .iter()
                        .find(|(r, _)| r == rule)
                        .map_or_else(String::new, |(_, why)| why.clone())
                });
                (name, why)
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The rules of a kind on the RVM and on the interpreter, computed once per kind. A rule
    /// runs on the RVM when it may and the program has it.
    fn split(&mut self, kind: &str) -> Arc<KindSplit> {
        if let Some(split) = self.split_by_kind.get(kind) {
            return split.clone();
        }
        let rules = self.rules_for(kind);
        let program = self.program.as_deref();
        let on_program = |r: &str| program.is_some_and(|p| p.has(kind, r));
        let (mut on_rvm, off_rvm): RuleSplit = rules
            .into_iter()
            .partition(|(_, r)| self.on_rvm.contains(r) && on_program(r));
        let mut rvm_rules = None;
        let mut entry = String::new();
        if let Some(program) = program {
            on_rvm.sort_by_key(|(_, rule)| program.rules[rule]);
            let entry_kind = program.entry_kind(kind);
            // Every rule of the entry point: its `n`-th `deny` set is `on_rvm[n]`'s.
            let every = on_rvm.len() == program.entries[entry_kind].len();
            entry = crate::policy::rvm_aggregate::entry(entry_kind, every);
            if !every {
                let numbers = on_rvm.iter().enumerate().map(|(i, (_, rule))| {
                    (
                        Value::from(program.rules[rule] as u64),
                        Value::from(i as u64),
                    )
                });
                let numbers: std::collections::BTreeMap<Value, Value> = numbers.collect();
                rvm_rules = Some(Value::from(numbers));
            }
        }
        let split = Arc::new(KindSplit {
            on_rvm,
            off_rvm,
            entry,
            rvm_rules,
        });
        self.split_by_kind.insert(kind.to_string(), split.clone());
        split
    }

    /// The rules that apply to a kind, computed once per kind.
    fn rules_for(&mut self, kind: &str) -> Vec<(usize, String)> {
        if let Some(r) = self.by_kind.get(kind) {
            return r.clone();
        }
        let rules: Vec<(usize, String)> = self
            .rules
            .iter()
            .filter(|(_, _, targets)| targets_kind(targets, kind))
            .map(|(c, r, _)| (*c, r.clone()))
            .collect();
        self.by_kind.insert(kind.to_string(), rules.clone());
        rules
    }

    /// Gives the interpreter the policy files it has not been given yet (see `pending`).
    fn load_pending(&mut self) -> Result<(), String> {
        let Some(files) = self.pending.take() else {
            return Ok(());
        };
        for (path, source) in files.iter() {
            if let Err(e) = self.engine.add_policy(path.clone(), source.clone()) {
                self.pending = Some(files.clone());
                return Err(compile_error(path, &e.to_string()).to_string());
            }
        }
        Ok(())
    }

    /// Evaluates every applicable check on one input.
    pub fn evaluate(&mut self, kind: &str, input: Value) -> (Vec<RawFinding>, Vec<EvalError>) {
        let mut findings = Vec::new();
        let mut errors = Vec::new();
        let split = self.split(kind);
        let mut rules = split.off_rvm.clone();
        // Whether `rules` is still the set the interpreter's aggregate of the kind covers.
        let mut whole = true;
        if !split.on_rvm.is_empty() {
            let outcome = self.program.as_ref().and_then(|program| {
                let data = self.vm_data.get_or_insert_with(|| self.engine.get_data());
                let facts = facts::of(&input, data);
                let data = match &split.rvm_rules {
                    None => facts::with_rampart(data, [("facts", facts)]),
                    Some(numbers) => facts::with_rampart(
                        data,
                        [
                            ("facts", facts),
                            (crate::policy::rvm_aggregate::RULES_KEY, numbers.clone()),
                        ],
                    ),
                };
                let entry = split.entry.as_str();
                self.vm
                    .execute(&program.program, entry, data, input.clone())
                    .ok()
            });
            let parse = |value: Value| match split.rvm_rules {
                None => parse_every(&split.on_rvm, &value),
                Some(_) => parse_aggregate(&split.on_rvm, &value),
            };
            match outcome.map(parse) {
                Some(Ok(mut f)) => findings.append(&mut f),
                // The interpreter says which check failed, or finishes what the RVM could not.
                _ => {
                    rules.extend(split.on_rvm.iter().cloned());
                    whole = false;
                }
            }
        }
        if rules.is_empty() {
            return (findings, errors);
        }
        if let Err(message) = self.load_pending() {
            let failed = rules.into_iter().map(|(check, _)| EvalError {
                check,
                message: message.clone(),
            });
            errors.extend(failed);
            return (findings, errors);
        }
        self.engine.set_input(input);
        if let Some(aggregate) = self.aggregates.get(kind).cloned().filter(|_| whole) {
            if let Ok(value) = self.engine.eval_rule(aggregate) {
                match parse_aggregate(&rules, &value) {
                    Ok(mut f) => findings.append(&mut f),
                    Err(e) => errors.push(e),
                }
                return (findings, errors);
            }
            // A policy failed: evaluate the checks one by one to say which.
        }
        for (check, rule) in rules {
            if let Some(message) = self.over_budget.get(&rule) {
                errors.push(EvalError {
                    check,
                    message: message.clone(),
                });
                continue;
            }
            match self.engine.eval_rule(rule.clone()) {
                Ok(Value::Undefined) => {}
                Ok(value) => match parse_results(check, &value) {
                    Ok(mut f) => findings.append(&mut f),
                    Err(message) => errors.push(EvalError { check, message }),
                },
                Err(e) => errors.push(EvalError {
                    check,
                    message: eval_error_message(&e, &rule),
                }),
            }
        }
        (findings, errors)
    }
}

/// Which rules may run on the RVM (src/policy/rvm.rs), and why the others' checks may not.
fn rvm_eligible(
    catalog: &Catalog,
    dependencies: &Dependencies,
    rules: &[(usize, String, Vec<String>)],
) -> (std::collections::HashSet<String>, Vec<(String, String)>) {
    let mut on = std::collections::HashSet::new();
    let mut off = Vec::new();
    let disabled = crate::policy::rvm::disabled();
    // Rules share their library files: each file's blocker is read once.
    let blockers: HashMap<&str, Option<String>> = dependencies
        .files
        .iter()
        .map(|file| (file.path.as_str(), crate::policy::rvm::file_blocker(file)))
        .collect();
    // When no file has a blocker (only built-in files, the usual run), no rule depends on
    // one: which files each rule depends on need not be worked out (a tenth of the
    // instructions of a run on the reference fixtures).
    let none_blocked = blockers.values().all(Option::is_none);
    for (check, rule, _) in rules {
        let blocker = if disabled {
            Some("RAMPART_ENGINE=interpreter".to_string())
        } else if !catalog.checks[*check].builtin {
            Some("it is a user policy".to_string())
        } else if none_blocked {
            None
        } else {
            dependencies
                .of(&[rule.as_str()], false)
                .into_iter()
                .find_map(|file| blockers.get(file.path.as_str()).cloned().flatten())
        };
        match blocker {
            Some(why) => off.push((rule.clone(), why)),
            None => {
                on.insert(rule.clone());
            }
        }
    }
    (on, off)
}

/// The evaluated policy files of a catalogue and the `data.` references of each, read once:
/// which files a rule depends on is asked once per rule.
struct Dependencies<'a> {
    files: Vec<&'a PolicyFile>,
    refs: Vec<Vec<String>>,
}

impl<'a> Dependencies<'a> {
    fn new(catalog: &'a Catalog) -> Dependencies<'a> {
        let files: Vec<&PolicyFile> = catalog.evaluated_files().collect();
        let refs = files.iter().map(|f| data_refs(&f.source)).collect();
        Dependencies { files, refs }
    }

    /// The files a run evaluates: every user file (so that a broken one always fails the
    /// run), and the built-in files that define the needed rules or that those files refer to,
    /// transitively. Fewer modules make every evaluation cheaper: regorus walks the list of
    /// modules whenever a rule first reads a `data.` path.
    fn for_run(&self, needed_rules: &[&str]) -> Vec<&'a PolicyFile> {
        self.of(needed_rules, true)
    }

    /// The files that define `needed_rules` or that those files refer to, transitively, a user
    /// file included when it adds to one of those packages; and every user file with
    /// `all_user`.
    fn of(&self, needed_rules: &[&str], all_user: bool) -> Vec<&'a PolicyFile> {
        let mut refs: Vec<&str> = needed_rules
            .iter()
            .map(|rule| rule.trim_start_matches("data."))
            .collect();
        let mut included = vec![false; self.files.len()];
        loop {
            let mut added = false;
            for (i, file) in self.files.iter().enumerate() {
                if included[i] {
                    continue;
                }
                let package = file.package.as_str();
                let wanted = (all_user && !file.builtin)
                    || refs
                        .iter()
                        .any(|r| starts_with_path(r, package) || starts_with_path(package, r));
                if wanted {
                    included[i] = true;
                    added = true;
                    refs.extend(self.refs[i].iter().map(String::as_str));
                }
            }
            if !added {
                break;
            }
        }
        (self.files.iter().zip(included))
            .filter_map(|(f, inc)| inc.then_some(*f))
            .collect()
    }
}

/// `path` is `prefix` or lies under it (`a.b.c` under `a.b`, not under `a.bc`).
fn starts_with_path(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// The dotted `data.` references of a Rego source, without `data.`: `rampart.lib.kubernetes`
/// for `import data.rampart.lib.kubernetes as k8s`, `x` for `data.x[name]`.
fn data_refs(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    let mut from = 0;
    while let Some(at) = source[from..].find("data.") {
        let start = from + at;
        from = start + 5;
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let end = source[from..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(source.len(), |n| from + n);
        let path = source[from..end].trim_end_matches('.');
        if !path.is_empty() {
            out.push(path.to_string());
        }
    }
    out
}

/// An evaluation error as reported for a resource, with its place in the policy.
fn eval_error_message(e: &anyhow::Error, rule: &str) -> String {
    let e = compile_error("", &e.to_string());
    // The policy file at fault (a library file when a helper failed), else the rule evaluated.
    let policy = if e.file.is_empty() {
        format!("rule `{rule}`")
    } else {
        format!("policy `{}`", e.file)
    };
    format!(
        "{} ({policy}, line {}, column {})",
        e.message, e.line, e.column
    )
}

/// Whether an evaluation stopped on a budget: regorus's time (or memory) limit, or a capped
/// builtin (src/policy/budget.rs).
fn is_over_budget(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.downcast_ref::<regorus::LimitError>().is_some())
        || e.to_string().contains(crate::policy::budget::OVER_BUDGET)
        || e.to_string().contains("exceeded time limit")
}

/// A regorus engine configured as rampart needs it.
pub fn new_engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    // OPA semantics: a builtin error makes the expression undefined instead of aborting the
    // whole evaluation (NOTES.md).
    engine.set_strict_builtin_errors(false);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        // Stops a policy that loops for too long on one resource (src/policy/budget.rs).
        limit: crate::policy::budget::time_limit(),
        check_interval: std::num::NonZeroU32::new(1000).expect("non-zero"),
    });
    crate::policy::builtins::register(&mut engine);
    crate::policy::budget::register(&mut engine);
    engine
}

/// An engine ([`new_engine`]) with these policy files, `(name, source)`, loaded: the Rego that
/// unit tests hold Rust computations alike to.
#[cfg(test)]
pub(crate) fn engine_with(files: &[(&str, &str)]) -> regorus::Engine {
    let mut engine = new_engine();
    for (name, source) in files {
        engine
            .add_policy(format!("{name}.rego"), source.to_string())
            .expect("a built-in policy parses");
    }
    engine
}

/// Adds the built-in data tables (`data.rampart.tables`) to an engine.
pub fn add_tables(engine: &mut regorus::Engine) -> Result<(), Diagnostic> {
    let tables = crate::policy::registry::builtin_tables()?;
    engine
        .add_data(tables)
        .map_err(|e| Diagnostic::policy("<tables>", 1, 1, e.to_string()))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// Turns a regorus error into a located policy error. regorus formats parse errors as
/// `--> path:line:col`, a snippet, then `error: message`.
pub fn compile_error(file: &str, text: &str) -> Diagnostic {
    let mut line = 1;
    let mut column = 1;
    let mut file = file.to_string();
    for l in text.lines() {
        if let Some(rest) = l.trim().strip_prefix("--> ") {
            let mut parts = rest.rsplitn(3, ':');
            if let (Some(c), Some(r), Some(path)) = (parts.next(), parts.next(), parts.next()) {
                if let (Ok(r), Ok(c)) = (r.parse(), c.parse()) {
                    line = r;
                    column = c;
                    // The error names the file at fault, which may not be the one evaluated.
                    if !path.is_empty() && !path.starts_with('<') {
                        file = path.to_string();
                    }
                }
            }
        }
    }
    let message = text
        .lines()
        .rev()
        .find_map(|l| {
            l.trim()
                .strip_prefix("error:")
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| first_line(text.trim()));
    Diagnostic::policy(file, line, column, message)
}

/// Reads the aggregate's `[rule index, result]` pairs.
fn parse_aggregate(rules: &[(usize, String)], value: &Value) -> Result<Vec<RawFinding>, EvalError> {
    let Value::Set(items) = value else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items.iter() {
        let Value::Array(pair) = item else { continue };
        let (Some(index), Some(result)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let check = index
            .as_u64()
            .ok()
            .and_then(|i| rules.get(i as usize))
            .map_or(0, |r| r.0);
        let single = Value::from(vec![result.clone()]);
        let mut found =
            parse_results(check, &single).map_err(|message| EvalError { check, message })?;
        out.append(&mut found);
    }
    Ok(out)
}

/// Reads the result of a kind's entry point for every rule (src/policy/rvm_aggregate.rs): the
/// `n`-th rule's `deny` set at index `n`. Anything else is an error, and the interpreter
/// evaluates the resource instead.
fn parse_every(rules: &[(usize, String)], value: &Value) -> Result<Vec<RawFinding>, EvalError> {
    let sets = match value {
        Value::Array(sets) if sets.len() == rules.len() => sets,
        _ => {
            return Err(EvalError {
                check: rules.first().map_or(0, |r| r.0),
                message: "the RVM gave no result for every rule".to_string(),
            });
        }
    };
    let mut out = Vec::new();
    for ((check, _), set) in rules.iter().zip(sets.iter()) {
        let mut found = parse_results(*check, set).map_err(|message| EvalError {
            check: *check,
            message,
        })?;
        out.append(&mut found);
    }
    Ok(out)
}

/// Reads a `deny` set: objects with `msg` (string), `path` (array) and optional `related`.
fn parse_results(check: usize, value: &Value) -> Result<Vec<RawFinding>, String> {
    let items: Vec<&Value> = match value {
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        other => {
            return Err(format!(
                "`deny` must be a set of objects, got {}",
                type_name(other)
            ));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(obj) = item else {
            return Err(format!(
                "a `deny` result must be an object, got {}",
                type_name(item)
            ));
        };
        let message = match obj.get(&Value::from("msg")) {
            Some(Value::String(s)) => s.to_string(),
            _ => return Err("a `deny` result has no string `msg`".into()),
        };
        let path = path_of(obj.get(&Value::from("path")))?;
        let related = match obj.get(&Value::from("related")) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.iter().map(related_of).collect::<Result<_, _>>()?,
            Some(Value::Set(items)) => items.iter().map(related_of).collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "`related` must be an array, got {}",
                    type_name(other)
                ));
            }
        };
        out.push(RawFinding {
            check,
            message,
            path,
            related,
        });
    }
    Ok(out)
}

fn related_of(v: &Value) -> Result<RawRelated, String> {
    let Value::Object(obj) = v else {
        return Err("a `related` entry must be an object".into());
    };
    let message = match obj.get(&Value::from("msg")) {
        Some(Value::String(s)) => s.to_string(),
        _ => return Err("a `related` entry has no string `msg`".into()),
    };
    let path = path_of(obj.get(&Value::from("path")))?;
    let object = obj.get(&Value::from("object")).cloned();
    Ok(RawRelated {
        message,
        path,
        object,
    })
}

fn path_of(v: Option<&Value>) -> Result<Vec<Value>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.iter().cloned().collect()),
        Some(other) => Err(format!("`path` must be an array, got {}", type_name(other))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Set(_) => "a set",
        Value::Object(_) => "an object",
        Value::Undefined => "undefined",
    }
}

#[cfg(test)]
mod rvm_blockers {
    //! Where regorus 0.14.1's RVM (bytecode VM) and its interpreter disagree, and so what a rule
    //! must avoid to run on the RVM (src/policy/rvm.rs decides which rules do). Each case below
    //! asserts one disagreement; when a regorus upgrade makes one fail, that blocker is gone:
    //! lift the matching restriction in `rvm::file_blocker` (or CONTRIBUTING's advice) and run
    //! the parity test (tests/engine_parity.rs).
    //!
    //! - `else`: skipped after a body without a value. Avoided: a file with `else` keeps its
    //!   rules on the interpreter; the built-in catalogue has none.
    //! - Rust builtins: callable only in the suspendable mode, which loses rules of other
    //!   packages. Avoided: a file that calls `rampart.…` keeps its rules on the interpreter;
    //!   the built-in checks use Rego twins (`selectors.matches`, `numbers.quantity`) and
    //!   `data.rampart.index`, so only user policies and Rego tests call them.
    //! - `x := <undefined>` does not fail the body. Avoided by how checks are written
    //!   (CONTRIBUTING): use such a variable positively before any `not`; the parity test finds
    //!   a rule that does not.
    //! - Type errors are undefined instead of errors: a check that fails on the interpreter
    //!   passes the resource on the RVM. The catalogue tests types before it uses values.
    //!
    //! Every built-in check runs on the RVM (`rampart check -v` says so); these cases stay as
    //! the reasons user policies do not, and as the rules CONTRIBUTING gives for new checks.

    use super::*;
    use regorus::languages::rego::compiler::Compiler;
    use regorus::rvm::vm::{ExecutionMode, RegoVM};

    /// `rule` evaluated by the interpreter and by the RVM in `mode`.
    fn both(
        modules: &[&str],
        rule: &str,
        mode: ExecutionMode,
    ) -> (Result<Value, String>, Result<Value, String>) {
        let mut engine = new_engine();
        for (i, module) in modules.iter().enumerate() {
            engine
                .add_policy(format!("m{i}.rego"), module.to_string())
                .unwrap();
        }
        let input = Value::from_json_str(r#"{"kind": "Pod"}"#).unwrap();
        engine.set_input(input.clone());
        let interpreted = engine.eval_rule(rule.into()).map_err(|e| e.to_string());
        let policy = engine.compile_with_entrypoint(&rule.into()).unwrap();
        let program = Compiler::compile_from_policy(&policy, &[rule]).unwrap();
        let mut vm = RegoVM::new();
        vm.load_program(program);
        vm.set_data(engine.get_data()).unwrap();
        vm.set_input(input);
        vm.set_strict_builtin_errors(false);
        vm.set_execution_mode(mode);
        let compiled = vm
            .execute_entry_point_by_index(0)
            .map_err(|e| e.to_string());
        (interpreted, compiled)
    }

    const FIXED: &str = "regorus's RVM now agrees with the interpreter here: see this module's doc";

    /// A body that ends without a value (a loop that finds nothing, an undefined value) counts
    /// as a success, so the `else` is never tried. The catalogue has none left: each was
    /// rewritten as definitions whose conditions exclude each other.
    #[test]
    fn else_after_a_body_without_a_value_is_skipped() {
        let module = "package t\n\nimport rego.v1\n\n\
            f(x) := 1 if { some y in x; y == 5 } else := 2\n\n\
            after_loop := f([])\n\n\
            after_undefined := y if { y := input.missing } else := 2\n";
        for rule in ["data.t.after_loop", "data.t.after_undefined"] {
            for mode in [ExecutionMode::RunToCompletion, ExecutionMode::Suspendable] {
                let (interpreted, compiled) = both(&[module], rule, mode);
                assert_eq!(interpreted, Ok(Value::from(2)), "{rule}");
                assert_eq!(compiled, Ok(Value::Undefined), "{rule} {mode:?}: {FIXED}");
            }
        }
    }

    /// The Rust builtins (`rampart.quantity`, ...) can only run as host-await calls, which need
    /// the suspendable mode; there, a rule of another package that calls a rule is undefined
    /// (or fails with "Register index out of bounds"). Every check uses a library package.
    #[test]
    fn suspendable_mode_loses_rules_of_other_packages() {
        let lib = "package lib\n\nimport rego.v1\n\na := 1\n\nb := c\n\nc := 2\n";
        let user = "package t\n\nimport rego.v1\n\nimport data.lib\n\nr := lib.a\n";
        let (interpreted, compiled) = both(&[lib, user], "data.t.r", ExecutionMode::Suspendable);
        assert_eq!(interpreted, Ok(Value::from(1)));
        assert_eq!(compiled, Ok(Value::Undefined), "{FIXED}");
        let (_, compiled) = both(&[lib, user], "data.t.r", ExecutionMode::RunToCompletion);
        assert_eq!(compiled, Ok(Value::from(1)));
    }

    /// A type error is an evaluation error in the interpreter (rampart reports "check `x`
    /// failed") but an undefined value in the RVM, which would silently pass the resource.
    #[test]
    fn type_errors_are_undefined() {
        let module = "package t\n\nimport rego.v1\n\nr := input.kind + 1\n";
        let (interpreted, compiled) = both(&[module], "data.t.r", ExecutionMode::RunToCompletion);
        assert!(interpreted.is_err(), "{interpreted:?}");
        assert_eq!(compiled, Ok(Value::Undefined), "{FIXED}");
    }

    /// An assignment from an undefined reference fails the body in the interpreter; in the
    /// RVM the body goes on, so a later `not` over the variable succeeds.
    #[test]
    fn assignment_of_undefined_does_not_fail_the_body() {
        let module = "package t\n\nimport rego.v1\n\n\
            sets(c) if {\n\tv := c.missing\n\tnot v in {false, null}\n}\n\n\
            r if not sets(input)\n\n\
            positive(c) if {\n\tv := c.missing\n\tv != false\n}\n\n\
            p if not positive(input)\n";
        let (interpreted, compiled) = both(&[module], "data.t.r", ExecutionMode::RunToCompletion);
        assert_eq!(interpreted, Ok(Value::from(true)));
        assert_eq!(compiled, Ok(Value::Undefined), "{FIXED}");
        // The way around it: a positive use of the variable fails the body in both.
        let (interpreted, compiled) = both(&[module], "data.t.p", ExecutionMode::RunToCompletion);
        assert_eq!(interpreted, Ok(Value::from(true)));
        assert_eq!(compiled, Ok(Value::from(true)));
    }
}

#[cfg(test)]
mod rvm_program {
    //! How the built-in catalogue compiles for the RVM.

    use super::*;
    use regorus::rvm::instructions::LiteralOrRegister;

    /// Every `data.…` reference of the built-in catalogue names a rule or data, never a whole
    /// package: regorus 0.14.1 compiles a rule reached through an import alias (`k8s.pod_spec`
    /// with `import data.rampart.lib.kubernetes as k8s`) as a lookup of the package (every
    /// rule in it, as one object, then the field), which cost a tenth of the run on every
    /// resource. Rules of other packages are imported by their own path instead
    /// (`import data.rampart.lib.kubernetes.pod_spec`); functions may keep the alias.
    /// The kinds the tests run the catalogue on: every kind a target names, and one no target
    /// names (for the `*` targets).
    fn every_kind() -> Vec<String> {
        let catalog = crate::policy::registry::Catalog::builtin().expect("the built-in catalogue");
        let targets = catalog.checks.iter().flat_map(|c| &c.targets);
        let mut kinds = crate::policy::targets::named_kinds(targets);
        kinds.push("SomeCustomResource".to_string());
        kinds
    }

    /// A run of built-in checks takes its program from the binary (build.rs) and parses no
    /// policy at start-up; every rule of every kind runs there. Should build.rs misread a
    /// check's targets or fail to compile the catalogue, this fails: the run would still be
    /// right, but would compile at start-up or evaluate on the interpreter.
    #[test]
    fn the_built_in_program_covers_the_catalogue() {
        let catalog = crate::policy::registry::Catalog::builtin().expect("the built-in catalogue");
        let enabled = vec![true; catalog.checks.len()];
        let kinds = every_kind();
        let mut engine = PolicyEngine::new(&catalog, &enabled, Value::new_object(), &kinds)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let builtin = builtin_program().expect("build.rs compiled the catalogue");
        let program = engine.program.as_ref().expect("a program");
        assert!(
            Arc::ptr_eq(program, builtin),
            "the program was compiled at start-up"
        );
        assert!(
            engine.pending.is_some(),
            "the interpreter was given the policies at start-up"
        );
        let mut on_rvm = 0;
        for kind in &kinds {
            let split = engine.split(kind);
            assert_eq!(split.off_rvm, vec![], "{kind}: rules off the RVM");
            let mut all = engine.rules_for(kind);
            all.sort_by_key(|(_, rule)| builtin.rules[rule]);
            assert_eq!(split.on_rvm, all, "{kind}");
            // Every rule of the kind: the entry point without `data.rampart.rvm_rules`.
            assert!(split.entry.contains(".every_"), "{kind}: {}", split.entry);
            assert_eq!(split.rvm_rules, None, "{kind}");
            on_rvm += split.on_rvm.len();
        }
        assert!(on_rvm > 100, "only {on_rvm} rules of a kind");
    }

    /// With checks disabled, the same program runs only the enabled ones: the rest are skipped
    /// by `data.rampart.rvm_rules` (src/policy/rvm_aggregate.rs).
    #[test]
    fn disabled_checks_do_not_run_on_the_built_in_program() {
        let catalog = crate::policy::registry::Catalog::builtin().expect("the built-in catalogue");
        let input = Value::from_json_str(
            r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "image": "nginx:latest"}]}}"#,
        )
        .expect("JSON");
        let kinds = vec!["Pod".to_string()];
        let checks_found = |enabled: &[bool]| {
            let mut engine = PolicyEngine::new(&catalog, enabled, Value::new_object(), &kinds)
                .unwrap_or_else(|e| panic!("{e:?}"));
            let (findings, errors) = engine.evaluate("Pod", input.clone());
            assert_eq!(errors, vec![]);
            let every = enabled.iter().all(|&e| e);
            let entry = engine.split("Pod").entry.clone();
            assert_eq!(entry.contains(".every_"), every, "{entry}");
            // The RVM gave the findings: the interpreter was not needed.
            assert!(engine.pending.is_some(), "{entry}: the RVM stopped");
            let mut ids: Vec<&str> = (findings.iter())
                .map(|f| catalog.checks[f.check].id.as_str())
                .collect();
            ids.dedup();
            ids
        };
        let all = checks_found(&vec![true; catalog.checks.len()]);
        assert!(
            all.contains(&"run-as-root") && all.contains(&"mutable-image-tag"),
            "{all:?}"
        );
        let only: Vec<bool> = catalog
            .checks
            .iter()
            .map(|c| c.id == "run-as-root")
            .collect();
        assert_eq!(checks_found(&only), vec!["run-as-root"]);
    }

    /// Where the RVM stops on a resource, the interpreter, given the policies only then,
    /// finds the same.
    #[test]
    fn the_interpreter_takes_over_where_the_rvm_stops() {
        let catalog = crate::policy::registry::Catalog::builtin().expect("the built-in catalogue");
        let enabled = vec![true; catalog.checks.len()];
        let input = Value::from_json_str(
            r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"replicas": 3, "template": {"spec": {"containers": [
                    {"name": "c", "image": "nginx:latest",
                     "securityContext": {"privileged": true}}]}}}}"#,
        )
        .expect("JSON");
        let kinds = vec!["Deployment".to_string()];
        let mut engine = PolicyEngine::new(&catalog, &enabled, Value::new_object(), &kinds)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let (expected, errors) = engine.evaluate("Deployment", input.clone());
        assert_eq!(errors, vec![]);
        assert!(expected.len() > 5, "{expected:?}");
        assert!(engine.pending.is_some());
        // An entry point the program does not have: the RVM stops on every resource.
        let split = engine.split("Deployment");
        let broken = KindSplit {
            on_rvm: split.on_rvm.clone(),
            off_rvm: split.off_rvm.clone(),
            entry: "data.rampart.aggregate.rvm.no_such_entry".to_string(),
            rvm_rules: split.rvm_rules.clone(),
        };
        engine
            .split_by_kind
            .insert("Deployment".to_string(), Arc::new(broken));
        let (found, errors) = engine.evaluate("Deployment", input);
        assert_eq!(errors, vec![]);
        assert!(
            engine.pending.is_none(),
            "the interpreter was not given the policies"
        );
        let key = |f: &RawFinding| (f.check, f.message.clone(), format!("{:?}", f.path));
        let mut expected: Vec<_> = expected.iter().map(key).collect();
        let mut found: Vec<_> = found.iter().map(key).collect();
        expected.sort();
        found.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn no_reference_builds_a_whole_package() {
        let catalog = crate::policy::registry::Catalog::builtin().expect("the built-in catalogue");
        let enabled = vec![true; catalog.checks.len()];
        let kinds: Vec<String> = [
            "Pod",
            "Deployment",
            "DaemonSet",
            "StatefulSet",
            "ReplicaSet",
            "Job",
            "CronJob",
            "Service",
            "NetworkPolicy",
            "HorizontalPodAutoscaler",
            "LimitRange",
            "Namespace",
            "compose-service",
            "compose-project",
        ]
        .iter()
        .map(|k| k.to_string())
        .collect();
        let engine = PolicyEngine::new(&catalog, &enabled, Value::new_object(), &kinds)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let program = engine
            .program
            .as_ref()
            .expect("the catalogue compiles to the RVM");
        let mut packages = Vec::new();
        let program = &program.program;
        for lookup in &program.instruction_data.virtual_data_document_lookup_params {
            let mut node = &program.rule_tree["data"];
            let mut path = vec!["data".to_string()];
            for component in &lookup.path_components {
                let LiteralOrRegister::Literal(i) = component else {
                    break;
                };
                let key = &program.literals[usize::from(*i)];
                path.push(key.as_string().map(|s| s.to_string()).unwrap_or_default());
                node = &node[key];
                if !matches!(node, Value::Object(_)) {
                    break;
                }
            }
            if matches!(node, Value::Object(_)) {
                packages.push(path.join("."));
            }
        }
        packages.sort();
        packages.dedup();
        assert!(
            packages.is_empty(),
            "these references build a whole package on every use: {packages:?}"
        );
    }
}
