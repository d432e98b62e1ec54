//! Which Rego source keeps the rules that depend on it off regorus's RVM (see
//! [`super::rvm`]), read from its text: `else`, or a call of a Rust builtin. No dependencies,
//! so that build.rs reads the built-in files with it once, at build time.

/// Why a source keeps its rules off the RVM ("uses `else`", "calls the Rust builtin `…`").
pub fn blocker(source: &str) -> Option<String> {
    let code = code_only(source);
    if has_word(&code, "else") {
        return Some("uses `else`".to_string());
    }
    if let Some(name) = builtin_call(&code) {
        return Some(format!("calls the Rust builtin `{name}`"));
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
pub fn code_only(source: &str) -> String {
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
