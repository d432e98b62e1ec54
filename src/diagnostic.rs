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
