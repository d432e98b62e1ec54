//! Recursion in policies is rejected when they are loaded, as OPA does: regorus catches a rule
//! that depends on itself, but a function that calls itself (`f(x) := y if { y := f(x + 1) }`)
//! recurses on the native stack until the process dies. This builds the call graph of every
//! function across all modules (from regorus's parser: rule boundaries and heads) and reports a
//! cycle at the call that closes it. Cycles through a rule re-enter that rule, which regorus
//! already reports, so only calls matter here.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use regorus::unstable::{Parser, Rule, RuleHead};

use crate::diagnostic::Diagnostic;
use crate::policy::registry::PolicyFile;

/// A function of some module and the calls its definitions make.
#[derive(Default)]
struct Function {
    /// (callee, file, line, column) of every call to another known or unknown function.
    calls: Vec<(String, usize, u32, u32)>,
}

/// Every call cycle among the functions of `files`, as errors at the closing call.
pub fn check(files: &[PolicyFile]) -> Vec<Diagnostic> {
    let call = Regex::new(r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\(")
        .expect("valid pattern");
    let mut functions: BTreeMap<String, Function> = BTreeMap::new();
    let mut errors = Vec::new();
    for (index, file) in files.iter().enumerate() {
        // regorus's parser backtracks on `[` and `{`: its time doubles with each level of
        // nesting (fuzzing found 80 levels that never finished). Refuse it before parsing.
        if !file.builtin {
            if let Some((line, column)) = too_deep(&file.source) {
                errors.push(Diagnostic::policy(file.path.clone(), line, column, format!(
                        "brackets and braces nested more than {MAX_NESTING} deep; split the expression"
                    )));
                continue;
            }
        }
        // A file that does not parse is reported by the compiler later.
        let _ = collect(index, file, &call, &mut functions);
    }
    let known: BTreeSet<String> = functions.keys().cloned().collect();
    for f in functions.values_mut() {
        f.calls.retain(|(callee, ..)| known.contains(callee));
    }
    let mut done = BTreeSet::new();
    for name in functions.keys() {
        let mut stack = Vec::new();
        visit(name, &functions, &mut stack, &mut done, files, &mut errors);
    }
    errors
}

/// Deepest nesting of `[` and `{` accepted in a user policy. Real policies nest four or five.
pub const MAX_NESTING: usize = 12;

/// The position of the first bracket or brace nested deeper than [`MAX_NESTING`].
fn too_deep(source: &str) -> Option<(u32, u32)> {
    let text = blank_strings_and_comments(source);
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(line_col(source, i));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn visit<'a>(
    name: &'a str,
    functions: &'a BTreeMap<String, Function>,
    stack: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
    files: &[PolicyFile],
    errors: &mut Vec<Diagnostic>,
) {
    if done.contains(name) {
        return;
    }
    stack.push(name);
    for (callee, file, line, column) in &functions[name].calls {
        if let Some(at) = stack.iter().position(|s| s == callee) {
            let mut chain: Vec<&str> = stack[at..].iter().map(|s| short(s)).collect();
            chain.push(short(callee));
            errors.push(Diagnostic::policy(
                files[*file].path.clone(),
                *line,
                *column,
                format!(
                    "recursive function call: {} (policies cannot recurse, as in OPA)",
                    chain.join(" → ")
                ),
            ));
        } else if !done.contains(callee.as_str()) {
            visit(callee, functions, stack, done, files, errors);
        }
    }
    stack.pop();
    done.insert(name);
}

fn short(name: &str) -> &str {
    name.strip_prefix("data.").unwrap_or(name)
}

fn collect(
    index: usize,
    file: &PolicyFile,
    call: &Regex,
    functions: &mut BTreeMap<String, Function>,
) -> anyhow::Result<()> {
    let source = regorus::Source::from_contents(file.path.clone(), file.source.clone())?;
    let mut parser = Parser::new(&source)?;
    parser.enable_rego_v1()?;
    let module = parser.parse()?;
    let package = module.package.refr.span().text().to_string();
    let mut aliases: BTreeMap<String, String> = BTreeMap::new();
    for import in &module.imports {
        let path = import.refr.span().text().to_string();
        let alias = match &import.r#as {
            Some(a) => a.text().to_string(),
            None => path.rsplit('.').next().unwrap_or(&path).to_string(),
        };
        aliases.insert(alias, path);
    }
    let resolve = |name: &str| -> String {
        let (first, rest) = name.split_once('.').unwrap_or((name, ""));
        let base = if first == "data" {
            return name.to_string();
        } else if let Some(path) = aliases.get(first) {
            path.clone()
        } else {
            format!("data.{package}.{first}")
        };
        if rest.is_empty() {
            base
        } else {
            format!("{base}.{rest}")
        }
    };
    let text = &file.source;
    for rule in &module.policy {
        let Rule::Spec {
            span,
            head: RuleHead::Func { refr, .. },
            ..
        } = rule.as_ref()
        else {
            continue;
        };
        let name = format!("data.{package}.{}", refr.span().text());
        // The calls are in the rule's text after its name: arguments, value and bodies.
        let from = refr.span().end as usize;
        let to = (span.end as usize).min(text.len());
        let Some(body) = text.get(from..to) else {
            continue;
        };
        let body = blank_strings_and_comments(body);
        let entry = functions.entry(name).or_default();
        for m in call.captures_iter(&body) {
            let callee = m.get(1).expect("group 1");
            // `x.f(` where `x` follows `]` or `.` is not a plain reference to a function.
            if body[..callee.start()].ends_with(['.', ']']) {
                continue;
            }
            let (line, column) = line_col(text, from + callee.start());
            entry
                .calls
                .push((resolve(callee.as_str()), index, line, column));
        }
    }
    Ok(())
}

/// The text with string literals and comments replaced by spaces (offsets kept), so that a call
/// written inside a string is not taken for one.
fn blank_strings_and_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    let blank = |c: char, out: &mut String| {
        for _ in 0..c.len_utf8() {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                blank(c, &mut out);
                while let Some(d) = chars.next() {
                    blank(d, &mut out);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            blank(e, &mut out);
                        }
                    } else if d == '"' {
                        break;
                    }
                }
            }
            '`' => {
                blank(c, &mut out);
                for d in chars.by_ref() {
                    blank(d, &mut out);
                    if d == '`' {
                        break;
                    }
                }
            }
            '#' => {
                blank(c, &mut out);
                for d in chars.by_ref() {
                    blank(d, &mut out);
                    if d == '\n' {
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn line_col(text: &str, byte: usize) -> (u32, u32) {
    let before = &text[..byte.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line as u32, before[start..].chars().count() as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::registry::FileRole;

    fn file(path: &str, source: &str) -> PolicyFile {
        PolicyFile {
            path: path.into(),
            source: source.into(),
            package: String::new(),
            role: FileRole::Library,
            meta: None,
            builtin: false,
        }
    }

    #[test]
    fn self_and_mutual_recursion_are_found_at_the_call() {
        let errors = check(&[file(
            "a.rego",
            "package a\n\nf(x) := y if {\n\ty := f(x + 1)\n}\n",
        )]);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (4, 7));
        assert!(
            errors[0].message.contains("a.f → a.f"),
            "{}",
            errors[0].message
        );
        let errors = check(&[
            file("a.rego", "package a\n\nimport data.b\n\ng(x) := b.h(x)\n"),
            file("b.rego", "package b\n\nh(x) := data.a.g(x)\n"),
        ]);
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn deep_brackets_are_refused_before_parsing() {
        let deep = format!("package a\n\nx[{} :=x\n", "[".repeat(80));
        let errors = check(&[file("a.rego", &deep)]);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (3, 14));
        let ok = format!("package a\n\nx := {}1{}\n", "[".repeat(6), "]".repeat(6));
        assert!(check(&[file("a.rego", &ok)]).is_empty());
    }

    #[test]
    fn calls_in_strings_and_to_other_functions_are_not_recursion() {
        let errors = check(&[file(
            "a.rego",
            "package a\n\nf(x) := sprintf(\"f(%v)\", [g(x)]) # f(x)\n\ng(x) := count(x)\n",
        )]);
        assert!(errors.is_empty(), "{errors:?}");
    }
}
