//! Check documentation, all from policy metadata: `rampart checks`, `rampart explain` and the
//! generated `docs/checks.md`.

use std::fmt::Write;

use crate::cli::ListFormat;
use crate::policy::{Catalog, Check};

/// `rampart checks` in the requested format.
pub fn list(catalog: &Catalog, format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(&catalog.checks).expect("checks serialise");
            s.push('\n');
            s
        }
        ListFormat::Markdown => markdown(catalog),
        ListFormat::Table => table(catalog),
    }
}

fn table(catalog: &Catalog) -> String {
    let id_w = catalog
        .checks
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let fam_w = catalog
        .checks
        .iter()
        .map(|c| c.family.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<id_w$}  {:<8}  {:<fam_w$}  TITLE",
        "ID", "SEVERITY", "FAMILY"
    );
    for c in &catalog.checks {
        let _ = writeln!(
            out,
            "{:<id_w$}  {:<8}  {:<fam_w$}  {}",
            c.id,
            c.severity.as_str(),
            c.family,
            c.title
        );
    }
    out
}

/// The full documentation of one check, as `rampart explain` prints it.
pub fn explain(check: &Check) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", check.id, check.title);
    let _ = writeln!(out);
    let _ = writeln!(out, "Severity: {}", check.severity);
    let _ = writeln!(out, "Family:   {}", check.family);
    let _ = writeln!(out, "Targets:  {}", check.targets.join(", "));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", check.description);
    if !check.remediation.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Remediation:");
        let _ = writeln!(out, "{}", indent(&check.remediation));
    }
    if !check.references.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "References:");
        for r in &check.references {
            match &r.description {
                Some(d) => {
                    let _ = writeln!(out, "  - {d}: {}", r.url);
                }
                None => {
                    let _ = writeln!(out, "  - {}", r.url);
                }
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Docs: {}", check.help_uri());
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `docs/checks.md`: every built-in check with its sections.
pub fn markdown(catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# rampart checks");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "<!-- Generated from the policies' METADATA by `cargo run -- checks --format markdown`; do not edit. -->"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| id | severity | family | title |");
    let _ = writeln!(out, "|---|---|---|---|");
    for c in catalog.checks.iter().filter(|c| c.builtin) {
        let _ = writeln!(
            out,
            "| [`{0}`](#{0}) | {1} | {2} | {3} |",
            c.id, c.severity, c.family, c.title
        );
    }
    for c in catalog.checks.iter().filter(|c| c.builtin) {
        let _ = writeln!(out);
        let _ = writeln!(out, "## {}", c.id);
        let _ = writeln!(out);
        out.push_str(&check_markdown(c));
    }
    out
}

/// The Markdown body of one check's documentation (without its heading): `docs/checks.md`
/// and the SARIF rules' `help.markdown` show the same text.
pub fn check_markdown(c: &Check) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**{}** · severity `{}` · family `{}` · targets: {}",
        c.title,
        c.severity,
        c.family,
        c.targets.join(", ")
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", c.description);
    let _ = writeln!(out);
    let _ = writeln!(out, "### How to fix");
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", c.remediation);
    if !c.references.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "### References");
        let _ = writeln!(out);
        for r in &c.references {
            let _ = writeln!(
                out,
                "- <{}>{}",
                r.url,
                r.description
                    .as_ref()
                    .map(|d| format!(" — {d}"))
                    .unwrap_or_default()
            );
        }
    }
    out
}
