//! The JUnit XML report: a test suite per check, a test case per resource the check ran on
//! (passed, failed with every finding's file:line:column, or skipped when suppressed), and a
//! suite of errors for inputs that could not be linted.

use std::collections::HashMap;
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::finding::{Finding, Suppression};
use crate::lint::Run;
use crate::resource::Identity;

/// One test case: a check on a resource, and what it found there.
struct Case<'a> {
    resource: String,
    file: &'a str,
    line: u32,
    /// Unsuppressed findings: the case fails when there is one.
    failing: Vec<&'a Finding>,
    /// The suppression of a case whose findings are all suppressed: it is skipped.
    skipped: Option<&'a Suppression>,
}

/// `tests`, `failures`, `errors`, `skipped`.
type Counts = [usize; 4];

fn counts_of(cases: &[Case<'_>]) -> Counts {
    [
        cases.len(),
        cases.iter().filter(|c| !c.failing.is_empty()).count(),
        0,
        cases.iter().filter(|c| c.skipped.is_some()).count(),
    ]
}

pub fn write(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let mut by_case: HashMap<(&str, usize, &Identity), Vec<&Finding>> = HashMap::new();
    for f in &run.findings {
        by_case
            .entry((&*f.check, f.location.file, &f.resource))
            .or_default()
            .push(f);
    }
    // Index for index with the catalogue; disabled checks get no suite.
    let mut suites: Vec<Vec<Case<'_>>> = run.catalog.checks.iter().map(|_| Vec::new()).collect();
    for r in &run.resources {
        for check in run.checks_for(r) {
            let id = run.catalog.checks[check].id.as_str();
            let findings = by_case
                .remove(&(id, r.file, &r.identity))
                .unwrap_or_default();
            let failing: Vec<&Finding> = findings
                .iter()
                .copied()
                .filter(|f| f.suppressed.is_none())
                .collect();
            let skipped = if failing.is_empty() {
                findings.first().and_then(|f| f.suppressed.as_deref())
            } else {
                None
            };
            suites[check].push(Case {
                resource: r.identity.label(),
                file: &run.files[r.file].name,
                line: r.span.start.line,
                failing,
                skipped,
            });
        }
    }
    let suites: Vec<(&str, &[Case<'_>], Counts)> = run
        .catalog
        .checks
        .iter()
        .zip(&suites)
        .zip(&run.enabled)
        .filter(|(_, on)| **on)
        .map(|((c, cases), _)| (c.id.as_str(), cases.as_slice(), counts_of(cases)))
        .collect();
    let errors = run.errors.len();
    let mut totals: Counts = [errors, 0, errors, 0];
    for (_, _, counts) in &suites {
        for (total, n) in totals.iter_mut().zip(counts) {
            *total += n;
        }
    }

    let mut xml = Writer::new_with_indent(&mut *out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let attrs = counts("rampart", totals);
    xml.create_element("testsuites")
        .with_attributes(pairs(&attrs))
        .write_inner_content(|xml| {
            for (check, cases, suite_counts) in &suites {
                let attrs = counts(check, *suite_counts);
                xml.create_element("testsuite")
                    .with_attributes(pairs(&attrs))
                    .write_inner_content(|xml| {
                        for case in cases.iter() {
                            write_case(xml, run, check, case)?;
                        }
                        Ok(())
                    })?;
            }
            if !run.errors.is_empty() {
                let attrs = counts("inputs", [errors, 0, errors, 0]);
                xml.create_element("testsuite")
                    .with_attributes(pairs(&attrs))
                    .write_inner_content(|xml| {
                        for e in &run.errors {
                            let line = e.line.to_string();
                            let name = clean(&e.file);
                            let mut attrs = vec![
                                ("classname", "inputs"),
                                ("name", name.as_str()),
                                ("file", name.as_str()),
                            ];
                            // A file that could not be read has no position to give.
                            let text = if e.source.is_some() {
                                attrs.push(("line", line.as_str()));
                                format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message)
                            } else {
                                format!("{}: {}", e.file, e.message)
                            };
                            xml.create_element("testcase")
                                .with_attributes(attrs)
                                .write_inner_content(|xml| {
                                    xml.create_element("error")
                                        .with_attributes([
                                            ("message", clean(&e.message).as_str()),
                                            ("type", "input-error"),
                                        ])
                                        .write_text_content(BytesText::new(&clean(&text)))?;
                                    Ok(())
                                })?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    writeln!(out)
}

fn write_case<W: Write>(
    xml: &mut Writer<W>,
    run: &Run,
    check: &str,
    case: &Case<'_>,
) -> io::Result<()> {
    let line = case.line.to_string();
    let element = xml.create_element("testcase").with_attributes([
        ("classname", check),
        ("name", clean(&case.resource).as_str()),
        ("file", clean(case.file).as_str()),
        ("line", line.as_str()),
    ]);
    let failing = &case.failing;
    if let Some(s) = case.skipped {
        let message = format!("suppressed ({}): {}", s.kind, s.reason);
        element.write_inner_content(|xml| {
            xml.create_element("skipped")
                .with_attribute(("message", clean(&message).as_str()))
                .write_empty()?;
            Ok(())
        })?;
        return Ok(());
    }
    if failing.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|xml| {
        let worst = failing.iter().map(|f| f.severity).max().expect("failing");
        let mut message = failing[0].message.clone();
        if failing.len() > 1 {
            message.push_str(&format!(" (and {} more)", failing.len() - 1));
        }
        let mut body = String::new();
        for f in failing {
            body.push_str(&format!(
                "{}: [{}] {}\n",
                position(run, f.location.file, f.location.span),
                f.severity,
                f.message
            ));
            for r in &f.related {
                body.push_str(&format!(
                    "  {}: {}\n",
                    position(run, r.location.file, r.location.span),
                    r.message
                ));
            }
        }
        xml.create_element("failure")
            .with_attributes([
                ("message", clean(&message).as_str()),
                ("type", worst.as_str()),
            ])
            .write_text_content(BytesText::new(&clean(body.trim_end())))?;
        Ok(())
    })?;
    Ok(())
}

fn position(run: &Run, file: usize, span: crate::source::Span) -> String {
    format!(
        "{}:{}:{}",
        run.files[file].name, span.start.line, span.start.col
    )
}

/// `name`, `tests`, `failures`, `errors` and `skipped` attributes.
fn counts(
    name: &str,
    [tests, failures, errors, skipped]: [usize; 4],
) -> [(&'static str, String); 5] {
    [
        ("name", clean(name)),
        ("tests", tests.to_string()),
        ("failures", failures.to_string()),
        ("errors", errors.to_string()),
        ("skipped", skipped.to_string()),
    ]
}

fn pairs<'a>(attrs: &'a [(&'static str, String)]) -> impl Iterator<Item = (&'a str, &'a str)> {
    attrs.iter().map(|(k, v)| (*k, v.as_str()))
}

/// Text XML 1.0 can hold: control characters other than tab and line breaks cannot appear
/// even escaped, so they become U+FFFD. Escaping itself is quick-xml's.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(clean("a\u{1}b\tc"), "a\u{FFFD}b\tc");
    }
}
