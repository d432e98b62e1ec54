//! Check documentation, all from policy metadata: `rampart checks`, `rampart explain` and the
//! generated `docs/checks.md`.

use std::fmt::Write;

use crate::policy::metadata::side_name;
use crate::policy::registry::BUILTIN_EXAMPLES;
use crate::policy::{Catalog, Check};

/// The formats of `rampart checks`. Here, not in `cli.rs`, so that the documentation (which
/// SARIF rules reuse) does not depend on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Markdown,
}

/// The failing example of a built-in check: its fixture path and text, without `# expect:`
/// markers.
pub fn example(id: &str) -> Option<(&'static str, String)> {
    examples(id).into_iter().next()
}

/// Every failing example of a built-in check: one Kubernetes, one Compose where it has them.
pub fn examples(id: &str) -> Vec<(&'static str, String)> {
    let marker = format!(" # expect: {id}");
    BUILTIN_EXAMPLES
        .iter()
        .filter(|(i, _, _)| *i == id)
        .map(|(_, path, text)| {
            let cleaned: Vec<&str> = text
                .lines()
                .map(|l| l.strip_suffix(marker.as_str()).unwrap_or(l))
                .collect();
            (*path, cleaned.join("\n") + "\n")
        })
        .collect()
}

/// "Kubernetes" or "Compose", for an example's text.
fn example_side(text: &str) -> &'static str {
    if text
        .lines()
        .any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:"))
    {
        "Kubernetes"
    } else {
        "Compose"
    }
}

/// (what it does, why it matters, how to fix) paragraphs, each side's labelled with its name
/// when a check has several.
fn sections(check: &Check) -> (Vec<String>, Vec<String>, Vec<String>) {
    let described: Vec<_> = check
        .sides
        .iter()
        .filter_map(|s| Some((side_name(&s.targets), s.description.as_ref()?)))
        .collect();
    let several = described.len() > 1;
    let mut what = Vec::new();
    let mut why = Vec::new();
    for (side, d) in described {
        if several {
            what.push(format!("{side}: {}", d.what));
        } else {
            what.push(format!("{}{}", d.lead, d.what));
        }
        if let Some(y) = &d.why {
            let y = capitalise(y);
            why.push(if several { format!("{side}: {y}") } else { y });
        }
    }
    let remediations: Vec<_> = check
        .sides
        .iter()
        .filter_map(|s| Some((side_name(&s.targets), s.remediation.as_ref()?)))
        .collect();
    let fix = if remediations.len() > 1 {
        remediations
            .into_iter()
            .map(|(side, r)| format!("{side}: {r}"))
            .collect()
    } else {
        vec![check.remediation.clone()]
    };
    (what, why, fix)
}

/// "why" is written to follow "Why it matters: "; a section of its own starts with a capital.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

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
    let (what, why, fix) = sections(check);
    let _ = writeln!(out, "{}: {}", check.id, check.title);
    let _ = writeln!(out);
    let _ = writeln!(out, "Severity: {}", check.severity);
    let _ = writeln!(out, "Family:   {}", check.family);
    let _ = writeln!(out, "Targets:  {}", check.targets.join(", "));
    let _ = writeln!(out);
    let _ = writeln!(out, "What it does:");
    let _ = writeln!(out, "{}", indent(&what.join("\n\n")));
    if !why.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Why it matters:");
        let _ = writeln!(out, "{}", indent(&why.join("\n\n")));
    }
    if check.builtin {
        let mut examples = examples(&check.id);
        // Kubernetes first, whichever fixture sorts first.
        examples.sort_by_key(|(_, text)| example_side(text) != "Kubernetes");
        for (_, text) in examples {
            let _ = writeln!(out);
            let _ = writeln!(out, "Failing example ({}):", example_side(&text));
            let _ = write!(out, "{}", indent(&text));
            let _ = writeln!(out);
        }
    }
    if !check.remediation.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "How to fix:");
        let _ = writeln!(out, "{}", indent(&fix.join("\n\n")));
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
    let _ = writeln!(out, "How to suppress (a reason is required):");
    let compose = check.targets.iter().any(|t| t.starts_with("compose-"));
    if check.targets.iter().any(|t| !t.starts_with("compose-")) {
        let _ = writeln!(
            out,
            "  Kubernetes: annotate the object: ignore.rampart.dev/{}: \"<reason>\"",
            check.id
        );
    }
    if compose {
        let _ = writeln!(
            out,
            "  Compose:    in the service: x-rampart-ignore: {{{}: \"<reason>\"}}",
            check.id
        );
    }
    let _ = writeln!(
        out,
        "  One line:   a comment on it: # rampart:ignore {} <reason>",
        check.id
    );
    let _ = writeln!(
        out,
        "  Everywhere: `checks.disable: [{}]` in .rampart.yaml, or --disable {}",
        check.id, check.id
    );
    if let Some(uri) = check.help_uri() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Docs: {uri}");
    }
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

/// `docs/checks.md`: every built-in check with the same sections.
pub fn markdown(catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# rampart checks");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "<!-- Generated from the policies' METADATA and fixtures by `cargo run -- checks --format markdown > docs/checks.md`; do not edit. -->"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| id | severity | family | targets | title |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for c in catalog.checks.iter().filter(|c| c.builtin) {
        let _ = writeln!(
            out,
            "| [`{0}`](#{0}) | {1} | {2} | {3} | {4} |",
            c.id,
            c.severity,
            c.family,
            c.targets.join(", "),
            c.title
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
    let (what, why, fix) = sections(c);
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
    let _ = writeln!(out, "### What it does");
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", what.join("\n\n"));
    if !why.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "### Why it matters");
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", why.join("\n\n"));
    }
    if let Some((path, text)) = example(&c.id).filter(|_| c.builtin) {
        let _ = writeln!(out);
        let _ = writeln!(out, "### Example");
        let _ = writeln!(out);
        let _ = writeln!(out, "From `{path}`:");
        let _ = writeln!(out);
        let lang = if path.ends_with(".json") {
            "json"
        } else {
            "yaml"
        };
        let _ = writeln!(out, "```{lang}");
        let _ = write!(out, "{text}");
        let _ = writeln!(out, "```");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "### How to fix");
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", fix.join("\n\n"));
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
