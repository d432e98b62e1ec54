//! GitHub Actions workflow commands (`::error file=…,line=…::message`): each unsuppressed
//! finding and input error becomes an annotation on the pull request, without code scanning.

use std::io::{self, Write};

use crate::finding::Severity;
use crate::lint::Run;

pub fn write(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    for f in run.findings.iter().filter(|f| f.suppressed.is_none()) {
        let span = f.location.span;
        let file = &run.files[f.location.file].name;
        // A multi-line span keeps its lines only: GitHub ignores columns across lines.
        let columns = if span.start.line == span.end.line {
            format!(",col={},endColumn={}", span.start.col, span.end.col)
        } else {
            String::new()
        };
        writeln!(
            out,
            "::{} file={},line={},endLine={}{columns},title={}::{}",
            command(f.severity),
            property(file),
            span.start.line,
            span.end.line,
            property(&format!(
                "{} ({}): {}",
                f.check,
                f.severity,
                f.resource.label()
            )),
            data(&f.message)
        )?;
    }
    for e in &run.errors {
        let position = match e.source {
            Some(_) => format!(",line={},col={}", e.line, e.column),
            None => String::new(),
        };
        writeln!(
            out,
            "::error file={}{position},title=input-error::{}",
            property(&e.file),
            data(&e.message)
        )?;
    }
    Ok(())
}

/// GitHub has three annotation levels; they follow the terminal report's error/warning/advice.
fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "notice",
    }
}

/// A command's message: unsafe characters made visible (`report::escape`), then encoded as the
/// Actions runner decodes it, so that a line break cannot end the command and start another.
fn data(text: &str) -> String {
    super::escape::lines(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command property value (`file=`, `title=`): on one line, and `:` and `,`, which end it,
/// encoded too.
fn property(text: &str) -> String {
    data(&super::escape::line(text))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_start_a_command() {
        assert_eq!(data("50%\n::error::x"), "50%25%0A\\::error::x");
        assert_eq!(property("a,b:c\r"), "a%2Cb%3Ac\\r");
        assert_eq!(data("x\u{1b}]0;t\u{7}"), "x\\u{1b}]0;t\\u{7}");
    }
}
