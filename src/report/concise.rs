//! The concise report: one line per unsuppressed finding and per input error,
//! `file:line:col: severity check message`, for editors' problem matchers and grep.

use std::io::{self, Write};

use crate::diagnostic::Diagnostic;
use crate::lint::Run;

pub fn write(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let mut lines: Vec<(&str, u32, u32, String)> = Vec::new();
    for f in run.findings.iter().filter(|f| f.suppressed.is_none()) {
        let file = run.files[f.location.file].name.as_str();
        let at = f.location.span.start;
        lines.push((
            file,
            at.line,
            at.col,
            format!(
                "{}:{}:{}: {} {} {}",
                one_line(file),
                at.line,
                at.col,
                f.severity,
                f.check,
                one_line(&f.message)
            ),
        ));
    }
    for e in &run.errors {
        lines.push((&e.file, e.line, e.column, error_line(e)));
    }
    lines.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    for (_, _, _, line) in &lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// An input error; one that concerns the whole file (unreadable, not found) has no position.
fn error_line(e: &Diagnostic) -> String {
    let file = one_line(&e.file);
    let message = one_line(&e.message);
    match e.source {
        Some(_) => format!(
            "{file}:{}:{}: error input-error {message}",
            e.line, e.column
        ),
        None => format!("{file}: error input-error {message}"),
    }
}

/// One finding, one line: line breaks and other control characters of untrusted text (file
/// names, messages quoting values) become visible escapes.
fn one_line(text: &str) -> String {
    super::escape::line(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_stay_on_one_line() {
        assert_eq!(one_line("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(one_line("plain: text"), "plain: text");
    }
}
