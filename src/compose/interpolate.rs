//! Compose interpolation: `${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:?message}`, `${VAR?message}`, `${VAR:+replacement}`, `${VAR+replacement}`, nesting in
//! defaults, and `$$` for a literal `$`.
//!
//! Variables come from the project's `.env` file only, never from the process environment: a
//! lint result must not depend on the machine or the shell it runs in. A variable with no value
//! and no default is a problem (`invalid-compose`) and its value is *unknown*: it is written as
//! [`UNKNOWN`] in the interpolated text, so that later stages (ports) can tell "unknown" from
//! "empty", and stripped before policies see the text.
//!
//! As in Compose, only values are interpolated, never mapping keys, and a `$` followed by
//! anything but `$`, `{` or a name is kept as written.

use std::collections::{HashMap, HashSet};

use crate::source::SourceFile;
use crate::yaml::{Node, NodeValue};

/// Stands for the value of a variable that has none. A private-use character, so it cannot
/// clash with real text.
pub const UNKNOWN: char = '\u{E000}';

/// Interpolation variables (the project's `.env`).
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    pub fn new(vars: HashMap<String, String>) -> Self {
        Env { vars }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    pub fn insert(&mut self, name: String, value: String) {
        self.vars.insert(name, value);
    }
}

/// Substitutes the variables of `text`. Problems (a variable without value, a required
/// variable, a malformed `${`) are pushed to `issues`; the text is returned with [`UNKNOWN`]
/// where a value is missing (the whole text is [`UNKNOWN`] when it is malformed).
pub fn substitute(text: &str, env: &Env, issues: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    match expand(text, env, issues, &mut out) {
        Ok(()) => out,
        Err(message) => {
            issues.push(message);
            UNKNOWN.to_string()
        }
    }
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// Deepest `${A:-${B:-…}}` nesting followed: each level is a call, and a generated value
/// thousands deep would otherwise overflow the stack. Compose files nest two or three.
pub const MAX_DEPTH: usize = 32;

fn expand(text: &str, env: &Env, issues: &mut Vec<String>, out: &mut String) -> Result<(), String> {
    expand_at(text, env, issues, out, 0)
}

fn expand_at(
    text: &str,
    env: &Env,
    issues: &mut Vec<String>,
    out: &mut String,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "interpolation nested more than {MAX_DEPTH} levels deep (`${{…${{…}}…}}`)"
        ));
    }
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let mut chars = after.chars();
        match chars.next() {
            Some('$') => {
                out.push('$');
                rest = &after[1..];
            }
            Some('{') => {
                let body_start = 1;
                let close = matching_brace(after).ok_or_else(|| {
                    format!(
                        "invalid interpolation `${}`: no closing `}}` (write `$$` for a literal `$`)",
                        truncate(after)
                    )
                })?;
                let body = &after[body_start..close];
                braced(body, env, issues, out, depth)?;
                rest = &after[close + 1..];
            }
            Some(c) if is_name_start(c) => {
                let len = after
                    .char_indices()
                    .find(|(_, c)| !is_name_char(*c))
                    .map_or(after.len(), |(i, _)| i);
                let name = &after[..len];
                lookup(name, env, issues, out);
                rest = &after[len..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(())
}

fn truncate(s: &str) -> String {
    let t: String = s.chars().take(30).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

/// The index of the `}` closing the `{` at index 0, counting nested `${…}`.
fn matching_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'$') => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'{' if i == 0 => depth = 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// How the message about a variable that has no value and no default ends: Compose warns
/// and substitutes an empty string, so it is reported apart from the errors
/// (`unset-compose-variable`).
const UNSET_WITHOUT_DEFAULT: &str = "is not set in the project's `.env` and has no default";

/// The message is about a variable without value or default (not a required one).
pub fn is_unset_variable(message: &str) -> bool {
    message.starts_with("variable `") && message.ends_with(UNSET_WITHOUT_DEFAULT)
}

fn lookup(name: &str, env: &Env, issues: &mut Vec<String>, out: &mut String) {
    match env.get(name) {
        Some(v) => out.push_str(v),
        None => {
            issues.push(format!("variable `{name}` {UNSET_WITHOUT_DEFAULT}"));
            out.push(UNKNOWN);
        }
    }
}

fn braced(
    body: &str,
    env: &Env,
    issues: &mut Vec<String>,
    out: &mut String,
    depth: usize,
) -> Result<(), String> {
    let invalid = || format!("invalid interpolation `${{{body}}}` (write `$$` for a literal `$`)");
    let len = body
        .char_indices()
        .find(|(_, c)| !is_name_char(*c))
        .map_or(body.len(), |(i, _)| i);
    let name = &body[..len];
    if !name.starts_with(is_name_start) {
        return Err(invalid());
    }
    let rest = &body[len..];
    if rest.is_empty() {
        lookup(name, env, issues, out);
        return Ok(());
    }
    let (colon, rest) = match rest.strip_prefix(':') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let mut ops = rest.chars();
    let op = ops.next().ok_or_else(invalid)?;
    let arg = ops.as_str();
    let value = env.get(name);
    // With a colon, an empty value counts as unset.
    let set = value.filter(|v| !colon || !v.is_empty());
    match op {
        '-' => match set {
            Some(v) => out.push_str(v),
            None => expand_at(arg, env, issues, out, depth + 1)?,
        },
        '+' => {
            if set.is_some() {
                expand_at(arg, env, issues, out, depth + 1)?;
            }
        }
        '?' => match set {
            Some(v) => out.push_str(v),
            None => {
                let mut message = String::new();
                expand_at(arg, env, issues, &mut message, depth + 1)?;
                let message = message.replace(UNKNOWN, "");
                issues.push(if message.is_empty() {
                    format!("required variable `{name}` is not set in the project's `.env`")
                } else {
                    format!(
                        "required variable `{name}` is not set in the project's `.env`: {message}"
                    )
                });
                out.push(UNKNOWN);
            }
        },
        _ => return Err(invalid()),
    }
    Ok(())
}

/// A scalar that interpolation changed and that was written plain (unquoted): the validator
/// gives it the YAML type its new text would have had (`${REPLICAS}` → `3` is a number, as
/// Compose's type casts make it).
pub type Retype = HashSet<(u32, u32)>;

/// An interpolation problem, identified by the scalar it is in (origin and start offset), so
/// that it can be located in the merged tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub origin: u32,
    pub offset: u32,
    pub message: String,
}

/// Interpolates every string value of a tree (not the keys) from one file.
pub fn interpolate_tree(
    node: &mut Node,
    env: &Env,
    source: &SourceFile,
    issues: &mut Vec<Issue>,
    retype: &mut Retype,
) {
    match &mut node.value {
        NodeValue::Str(s) => {
            if !s.contains('$') {
                return;
            }
            let mut found = Vec::new();
            let new = substitute(s, env, &mut found);
            let key = (node.origin, node.span.start.offset);
            for message in found {
                let issue = Issue {
                    origin: node.origin,
                    offset: node.span.start.offset,
                    message,
                };
                if !issues.contains(&issue) {
                    issues.push(issue);
                }
            }
            if new.as_str() != &**s {
                if is_plain(source, node.span.start) {
                    retype.insert(key);
                }
                *s = new.into();
            }
        }
        NodeValue::Seq(items) => {
            for item in items {
                interpolate_tree(item, env, source, issues, retype);
            }
        }
        NodeValue::Map(entries) => {
            for e in entries {
                interpolate_tree(&mut e.value, env, source, issues, retype);
            }
        }
        _ => {}
    }
}

/// Whether the scalar starting at `pos` is written plain (not quoted, not a block scalar).
fn is_plain(source: &SourceFile, pos: crate::source::Pos) -> bool {
    let at = source.byte_offset(pos);
    !matches!(
        source.text.as_bytes().get(at),
        Some(b'"' | b'\'' | b'|' | b'>')
    )
}

/// Removes [`UNKNOWN`] markers from every string of a tree.
pub fn strip_unknown(node: &mut Node) {
    match &mut node.value {
        NodeValue::Str(s) if s.contains(UNKNOWN) => *s = s.replace(UNKNOWN, "").into(),
        NodeValue::Seq(items) => items.iter_mut().for_each(strip_unknown),
        NodeValue::Map(entries) => {
            for e in entries {
                strip_unknown(&mut e.value);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        let mut e = Env::default();
        e.insert("PORT".into(), "8080".into());
        e.insert("EMPTY".into(), String::new());
        e.insert("HOST".into(), "127.0.0.1".into());
        e
    }

    fn sub(text: &str) -> (String, Vec<String>) {
        let mut issues = Vec::new();
        let out = substitute(text, &env(), &mut issues);
        (out.replace(UNKNOWN, "<?>"), issues)
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |n: usize| format!("{}x{}", "${A:-".repeat(n), "}".repeat(n));
        assert_eq!(sub(&nested(MAX_DEPTH)), ("x".to_string(), vec![]));
        let (out, issues) = sub(&nested(5000));
        assert_eq!(out, "<?>");
        assert!(issues[0].contains("nested more than 32"), "{issues:?}");
    }

    #[test]
    fn substitution_table() {
        let u = "<?>";
        let cases: &[(&str, &str, usize)] = &[
            ("plain", "plain", 0),
            ("${PORT}:80", "8080:80", 0),
            ("$PORT:80", "8080:80", 0),
            ("$HOST:$PORT:80", "127.0.0.1:8080:80", 0),
            ("${NOPE}", u, 1),
            ("$NOPE:80", "<?>:80", 1),
            ("${NOPE:-9090}:80", "9090:80", 0),
            ("${NOPE-9090}", "9090", 0),
            ("${EMPTY:-d}", "d", 0),
            ("${EMPTY-d}", "", 0),
            ("${PORT:-d}", "8080", 0),
            ("${PORT:+on}", "on", 0),
            ("${EMPTY:+on}", "", 0),
            ("${EMPTY+on}", "on", 0),
            ("${NOPE+on}", "", 0),
            ("${NOPE:?set it}", u, 1),
            ("${EMPTY:?set it}", u, 1),
            ("${EMPTY?set it}", "", 0),
            ("${PORT?set it}", "8080", 0),
            ("${NOPE:-${PORT}}", "8080", 0),
            ("${NOPE:-${ALSO:-x}y}", "xy", 0),
            ("${NOPE:-${ALSO}}", u, 1),
            ("$$PORT", "$PORT", 0),
            ("$${PORT}", "${PORT}", 0),
            ("cost: 5$", "cost: 5$", 0),
            ("echo $1 $ x", "echo $1 $ x", 0),
            ("${port}", u, 1),
            ("${}", u, 1),
            ("${1X}", u, 1),
            ("${PORT", u, 1),
            ("${PORT:=x}", u, 1),
            ("ä${PORT}ö", "ä8080ö", 0),
        ];
        for (text, want, n) in cases {
            let (got, issues) = sub(text);
            assert_eq!(&got, want, "{text}");
            assert_eq!(issues.len(), *n, "{text}: {issues:?}");
        }
    }

    #[test]
    fn messages_name_the_variable() {
        let (_, issues) = sub("${NOPE:?the port is needed}");
        assert_eq!(
            issues,
            vec!["required variable `NOPE` is not set in the project's `.env`: the port is needed"]
        );
        let (_, issues) = sub("${NOPE}");
        assert!(issues[0].contains("`NOPE`"), "{issues:?}");
        let (_, issues) = sub("${PORT");
        assert!(issues[0].contains("no closing"), "{issues:?}");
    }

    #[test]
    fn trees_keep_keys_and_record_plain_scalars() {
        let text = "a: ${PORT}\nb: '${PORT}'\n${PORT}: x\nc: [$NOPE]\n";
        let source = SourceFile::new("c.yaml".into(), None, text.into());
        let mut root = crate::yaml::parse_stream(text).documents.remove(0).root;
        let mut issues = Vec::new();
        let mut retype = Retype::new();
        interpolate_tree(&mut root, &env(), &source, &mut issues, &mut retype);
        strip_unknown(&mut root);
        assert_eq!(
            root.to_json(),
            serde_json::json!({"a": "8080", "b": "8080", "${PORT}": "x", "c": [""]})
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].offset, text.find("$NOPE").unwrap() as u32);
        assert!(retype.contains(&(0, 3)));
        assert!(!retype.contains(&(0, 14)));
    }
}
