//! Untrusted text on its way to a terminal or a CI log. Names, messages and snippets come from
//! files a pull request controls: an ESC sequence could retitle the terminal or (OSC 52) write
//! the clipboard, a newline in a container name could start a line that a CI runner reads as a
//! workflow command (`::error file=…::`), and bidirectional overrides can make a line read as
//! something else. Every text report passes what it prints from inputs through here.

use std::borrow::Cow;

/// Whether a character must not reach a terminal raw: C0 and C1 controls, DEL, and the
/// bidirectional embedding, override and isolate controls.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for one line of output: every unsafe character, line breaks and tabs included, as a
/// visible Rust-style escape (`\n`, `\u{1b}`).
pub fn line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Text that may span lines (a remediation, a policy's message): line breaks are kept, but a
/// line cannot start with `::` (a GitHub workflow command) and other unsafe characters are
/// escaped.
pub fn lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let starts_command =
        |t: &str| keep_newlines && t.lines().any(|l| l.trim_start().starts_with("::"));
    if !text
        .chars()
        .any(|c| is_unsafe(c) && !(keep_newlines && c == '\n'))
        && !starts_command(text)
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut at_line_start = true;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if keep_newlines && at_line_start {
            let trimmed = rest.trim_start_matches([' ', '\t']);
            if trimmed.starts_with("::") {
                out.push_str(&rest[..rest.len() - trimmed.len()].replace('\t', "\\t"));
                out.push_str("\\:");
                rest = &trimmed[1..];
                at_line_start = false;
                continue;
            }
        }
        at_line_start = false;
        match c {
            '\n' if keep_newlines => {
                out.push('\n');
                at_line_start = true;
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// A source text for snippets with every unsafe character replaced by a visible character of
/// the same UTF-8 length (`?`, `¿`, `�`), so that byte offsets into the original text still
/// point at the same characters. Tabs, line feeds and carriage returns are kept. `None` when
/// the text has nothing to replace.
pub fn snippet(text: &str) -> Option<String> {
    let unsafe_char = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t');
    if !text.chars().any(unsafe_char) {
        return None;
    }
    Some(
        text.chars()
            .map(|c| {
                if !unsafe_char(c) {
                    c
                } else {
                    match c.len_utf8() {
                        1 => '?',
                        2 => '¿',
                        3 => '\u{fffd}',
                        _ => '?',
                    }
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str =
        "x\n::error file=README.md,line=1::owned\n\u{1b}]0;title\u{7}\u{1b}[31mred";

    #[test]
    fn one_line_text_has_no_control_characters_left() {
        let out = line(HOSTILE);
        assert!(!out.chars().any(is_unsafe), "{out}");
        assert_eq!(out.lines().count(), 1);
        assert!(out.contains("\\u{1b}]0;title\\u{7}"), "{out}");
        assert_eq!(line("web"), "web");
        assert_eq!(line("a\u{202e}b"), "a\\u{202e}b");
    }

    #[test]
    fn multi_line_text_cannot_start_a_workflow_command() {
        let out = lines(HOSTILE);
        assert!(
            out.lines().all(|l| !l.trim_start().starts_with("::")),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'));
        assert_eq!(lines("fix it:\n  run this"), "fix it:\n  run this");
    }

    #[test]
    fn snippets_keep_their_byte_offsets() {
        let text = "name: \"a\u{1b}b\u{9b}c\u{202e}d\"\n";
        let s = snippet(text).unwrap();
        assert_eq!(s.len(), text.len());
        assert_eq!(s, "name: \"a?b¿c\u{fffd}d\"\n");
        assert_eq!(snippet("plain\ttext\r\n"), None);
    }
}
