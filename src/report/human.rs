//! The terminal report: miette graphical diagnostics grouped by file and sorted by position,
//! with the source snippet, labelled spans, check id, severity, help and docs link, then a
//! one-line summary.

use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic;
use crate::finding::{Finding, Location, Severity};
use crate::lint::Run;
use crate::report::{Style, escape};
use crate::source::{SourceFile, Span};

pub fn write(run: &Run, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(style.links)
        .with_context_lines(1)
        .with_show_related_as_nested(true);

    // Errors and findings, interleaved by file and position.
    enum Item<'a> {
        Error(&'a diagnostic::Diagnostic),
        Finding(&'a Finding),
    }
    let mut items: Vec<(&str, u32, u32, Item<'_>)> = Vec::new();
    for e in &run.errors {
        items.push((&e.file, e.line, e.column, Item::Error(e)));
    }
    for f in run.findings.iter().filter(|f| f.suppressed.is_none()) {
        let s = f.location.span.start;
        items.push((
            &run.files[f.location.file].name,
            s.line,
            s.col,
            Item::Finding(f),
        ));
    }
    items.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));

    let sources: Vec<FileSource> = run.files.iter().map(FileSource::new).collect();
    let mut text = String::new();
    for (_, _, _, item) in &items {
        let diagnostic = match item {
            Item::Error(e) => error_diagnostic(run, &sources, e),
            Item::Finding(f) => finding_diagnostic(run, &sources, f),
        };
        text.clear();
        handler
            .render_report(&mut text, &diagnostic)
            .map_err(|_| io::Error::other("cannot render a diagnostic"))?;
        out.write_all(text.as_bytes())?;
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(run))
}

/// `3 findings (1 high, 2 medium) in 4 files (9 resources); 1 suppressed; 1 error`.
pub fn summary_line(run: &Run) -> String {
    let s = &run.summary;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = plural(s.findings, "finding");
    if s.findings > 0 {
        let parts: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                s.by_severity
                    .get(sev.as_str())
                    .map(|n| format!("{n} {sev}"))
            })
            .collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    line.push_str(&format!(
        " in {} ({})",
        plural(s.files, "file"),
        plural(s.resources, "resource")
    ));
    if s.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", s.suppressed));
    }
    if !run.errors.is_empty() {
        line.push_str(&format!("; {}", plural(run.errors.len(), "error")));
    }
    line
}

/// One rendered diagnostic: a finding, a related location in another file, or an input error.
#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    url: Option<String>,
    source: Option<FileSource>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium | Severity::Low => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// How many lines from a finding a related location of its file may be to share its snippet:
/// one snippet spans every line between its labels, so a Service at the top of a file and the
/// workloads it selects further down made snippets of dozens of lines. Farther ones get a
/// snippet of their own, as related locations in other files do.
const NEAR_LINES: u32 = 6;

/// Everything a diagnostic prints from the inputs or from user policies goes through
/// [`escape`]: messages, resource names, check ids, remediations, file names, snippets.
fn finding_diagnostic(run: &Run, sources: &[FileSource], f: &Finding) -> Report {
    let check = run.catalog.check(&f.check);
    let file = &run.files[f.location.file];
    let resource = escape::line(&f.resource.label()).into_owned();
    let mut labels = vec![label(file, &f.location, Some(resource), true)];
    let mut related = Vec::new();
    for r in &f.related {
        let message = escape::line(&r.message).into_owned();
        let near = r.location.file == f.location.file
            && r.location
                .span
                .start
                .line
                .abs_diff(f.location.span.start.line)
                <= NEAR_LINES;
        if near {
            labels.push(label(file, &r.location, Some(message), false));
        } else {
            let other = &run.files[r.location.file];
            related.push(Report {
                message,
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                url: None,
                source: Some(sources[r.location.file].clone()),
                labels: vec![label(other, &r.location, None, true)],
                related: Vec::new(),
            });
        }
    }
    Report {
        message: escape::line(&f.message).into_owned(),
        code: Some(format!("{} ({})", escape::line(&f.check), f.severity)),
        severity: miette_severity(f.severity),
        help: check
            .map(|c| escape::lines(c.remediation_for(&f.resource.target_kind())).into_owned())
            .filter(|r| !r.is_empty()),
        url: check
            .and_then(|c| c.help_uri())
            .map(|u| escape::line(&u).into_owned()),
        source: Some(sources[f.location.file].clone()),
        labels,
        related,
    }
}

fn error_diagnostic(run: &Run, sources: &[FileSource], e: &diagnostic::Diagnostic) -> Report {
    let (source, labels) = match e.source {
        Some(i) => {
            let file = &run.files[i];
            let at = file.byte_of_line_col(e.line, e.column);
            let at = if file.text.is_empty() {
                0
            } else {
                at.min(file.text.len())
            };
            (
                Some(sources[i].clone()),
                vec![LabeledSpan::new_primary_with_span(
                    Some("here".into()),
                    SourceSpan::new(at.into(), 0),
                )],
            )
        }
        None => (None, Vec::new()),
    };
    let message = if source.is_some() {
        escape::line(&e.message).into_owned()
    } else {
        // No text to point into (the file is missing or unreadable): no position either.
        escape::line(&format!("{}: {}", e.file, e.message)).into_owned()
    };
    Report {
        message,
        code: None,
        severity: miette::Severity::Error,
        help: None,
        url: None,
        source,
        labels,
        related: Vec::new(),
    }
}

/// A label over a location: the whole span when it is one line, else its first line.
fn label(file: &SourceFile, loc: &Location, text: Option<String>, primary: bool) -> LabeledSpan {
    let span: Span = if loc.span.start.line == loc.span.end.line {
        loc.span
    } else if loc.head.start != loc.head.end {
        loc.head
    } else {
        // A multi-line node: underline its first line.
        let start = file.byte_offset(loc.span.start);
        let end = file.line_end(loc.span.start.line).max(start);
        let s = file.byte_offset(loc.span.start);
        return labeled(text, s, end - start, primary);
    };
    let start = file.byte_offset(span.start);
    let end = file.byte_offset(span.end).max(start);
    labeled(text, start, end - start, primary)
}

fn labeled(text: Option<String>, offset: usize, len: usize, primary: bool) -> LabeledSpan {
    let span = SourceSpan::new(offset.into(), len);
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

/// A [`SourceCode`] over our line index: miette's default for `str` rescans the file from byte
/// 0 for every diagnostic (NOTES.md), this one jumps to the lines it needs.
/// Snippets are drawn from `shown`: the text with control characters made visible at the same
/// byte offsets ([`escape::snippet`]), when it has any.
#[derive(Debug, Clone)]
struct FileSource {
    file: Arc<SourceFile>,
    shown: Option<Arc<str>>,
    name: String,
}

impl FileSource {
    fn new(file: &Arc<SourceFile>) -> FileSource {
        FileSource {
            file: file.clone(),
            shown: escape::snippet(&file.text).map(Arc::from),
            name: escape::line(&file.name).into_owned(),
        }
    }
}

impl SourceCode for FileSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = &self.file;
        let text: &str = self.shown.as_deref().unwrap_or(&file.text);
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let (first_line, first_col) = file.position_of_byte(start);
        let last_line = file.position_of_byte(end.saturating_sub(1).max(start)).0;
        let from = first_line
            .saturating_sub(context_lines_before as u32)
            .max(1);
        let to = (last_line + context_lines_after as u32).min(file.line_count() as u32);
        // Like miette's own implementation: without context lines the contents start at the
        // span itself (miette reads the header's line:column from that).
        let (data_start, column) = if context_lines_before == 0 {
            (start, first_col as usize - 1)
        } else {
            (file.line_start(from), 0)
        };
        let data_end = if context_lines_after == 0 {
            end.max(start)
        } else if (to as usize) < file.line_count() {
            file.line_start(to + 1)
        } else {
            text.len()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            from as usize - 1,
            column,
            to as usize,
        )))
    }
}
