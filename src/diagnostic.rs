//! One located problem, whatever stage found it: the file, the position (1:1 when there is
//! none to give), the message and its kind. Walking, reading, parsing, Compose loading,
//! evaluation, the configuration and the policies all report their problems in this shape;
//! the reports and stderr print it. Errors inside one text (a YAML syntax error, a bad `.env`
//! line) carry a position only, and become a `Diagnostic` where the file is known.

use crate::source::Pos;

/// What a problem is about, which decides when it stops the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A path or an input that could not be walked, read, decoded or parsed, or a policy that
    /// failed on it: reported with the findings, and the run exits 2.
    Input,
    /// The configuration file: the run stops before linting.
    Config,
    /// A policy file: the run stops before linting.
    Policy,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Input => "input",
            Kind::Config => "config",
            Kind::Policy => "policy",
        })
    }
}

/// A located problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: Kind,
    /// The file's display name (or the path as given).
    pub file: String,
    /// Index into the run's files (while loading: into the loaded sources) when the text is
    /// available for a snippet.
    pub source: Option<usize>,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub message: String,
}

impl Diagnostic {
    /// A problem at `pos`, or at 1:1 without one.
    pub fn new(
        kind: Kind,
        file: impl Into<String>,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            kind,
            file: file.into(),
            source: None,
            line: pos.map_or(1, |p| p.line),
            column: pos.map_or(1, |p| p.col),
            message: message.into(),
        }
    }

    /// A problem of an input ([`Kind::Input`]).
    pub fn input(file: impl Into<String>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic::new(Kind::Input, file, pos, message)
    }

    /// A problem of a policy file ([`Kind::Policy`]) at a line and column.
    pub fn policy(
        file: impl Into<String>,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            kind: Kind::Policy,
            file: file.into(),
            source: None,
            line,
            column,
            message: message.into(),
        }
    }

    /// The same problem, with the text of `source` available for a snippet.
    pub fn in_source(mut self, source: Option<usize>) -> Self {
        self.source = source;
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_without_a_position_is_at_1_1_and_prints_as_file_line_column() {
        let e = Diagnostic::input("a.yaml", None, "cannot read: not found");
        assert_eq!((e.line, e.column, e.source), (1, 1, None));
        assert_eq!(e.to_string(), "a.yaml:1:1: cannot read: not found");
        let at = Pos {
            line: 3,
            col: 7,
            offset: 20,
        };
        let e = Diagnostic::new(Kind::Config, ".rampart.yaml", Some(at), "unknown key")
            .in_source(Some(2));
        assert_eq!(e.to_string(), ".rampart.yaml:3:7: unknown key");
        assert_eq!(e.source, Some(2));
        let e = Diagnostic::policy("p.rego", 4, 2, "no `package` declaration");
        assert_eq!(
            format!("{} error: {e}", e.kind),
            "policy error: p.rego:4:2: no `package` declaration"
        );
    }
}
