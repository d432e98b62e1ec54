//! The command line (clap derive). Each flag's doc comment is its `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::docs::ListFormat;
use crate::finding::Severity;
use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    about = "Policy-and-compliance linter for Kubernetes manifests and Docker Compose files",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories ("-" reads stdin).
    Check(Box<CheckArgs>),
    /// List every check with its metadata.
    Checks(ChecksArgs),
    /// Print the full documentation of one check.
    Explain(ExplainArgs),
    /// Work with Rego policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Write a commented .rampart.yaml in the current directory.
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing .rampart.yaml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to lint; "-" reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to FILE instead of standard output (atomically: temp file + rename).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write a report in format FMT to FILE (atomically), e.g. `sarif=rampart.sarif`;
    /// repeatable, so one run feeds the terminal, SARIF and GitLab at once.
    #[arg(long = "report", value_name = "FMT=FILE", value_parser = parse_report)]
    pub reports: Vec<ReportArg>,

    /// Lowest severity that makes the exit status 1 [default: the config's `fail-on`, else low].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,

    /// Config file [default: the nearest .rampart.yaml from here up to the repository root].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore any .rampart.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// Hide the findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current unsuppressed findings in a baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Enable a check (repeatable).
    #[arg(long, value_name = "CHECK")]
    pub enable: Vec<String>,

    /// Disable a check (repeatable).
    #[arg(long, value_name = "CHECK")]
    pub disable: Vec<String>,

    /// Run only this check or family of checks, e.g. `security` (repeatable); every other
    /// check is off. Replaces the config's `checks.only`.
    #[arg(long, value_name = "CHECK|FAMILY")]
    pub only: Vec<String>,

    /// Run only the checks of at least this severity [default: the config's
    /// `checks.min-severity`, else all].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<SeverityArg>,

    /// Exit 0 even when there are findings (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// Exit 1 when no Kubernetes object or Compose file was found in the inputs.
    #[arg(long)]
    pub fail_if_no_objects_found: bool,

    /// Apply the config's `exclude` to files named on the command line too, as pre-commit
    /// names them (also config `force-exclude: true`).
    #[arg(long)]
    pub force_exclude: bool,

    /// SARIF `automationDetails.id`, e.g. `rampart/prod/`: distinguishes several uploads of
    /// one repository to GitHub code scanning.
    #[arg(long, value_name = "ID")]
    pub sarif_category: Option<String>,

    /// An extra directory of Rego policies (repeatable).
    #[arg(long = "policy", value_name = "DIR")]
    pub policies: Vec<PathBuf>,

    /// Name used for standard input in reports.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_filename: String,

    /// Stop the whole run after SECONDS with an error (exit status 2), whatever the inputs
    /// and policies do; each policy evaluation also has its own limit (README, "Security").
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,

    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// When to use colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Also list the deployment units formed (and why) and what was not linted: skipped
    /// documents (neither Kubernetes objects nor Compose files) and what a walk left out (hidden
    /// directories, Kustomize patches, `.json` files that are not manifests).
    #[arg(short, long)]
    pub verbose: bool,

    /// Lint named files alone: do not read the other manifests of their repository as the
    /// context of cross-resource checks (also RAMPART_NO_CONTEXT=1).
    #[arg(long)]
    pub no_context: bool,
}

/// An extra report: `--report FMT=FILE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportArg {
    pub format: Format,
    pub path: PathBuf,
}

fn parse_report(value: &str) -> Result<ReportArg, String> {
    let formats = || {
        Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((format, path)) = value.split_once('=') else {
        return Err(format!(
            "expected FMT=FILE, e.g. sarif=rampart.sarif (formats: {})",
            formats()
        ));
    };
    let format = Format::from_str(format, false)
        .map_err(|_| format!("unknown format `{format}` (formats: {})", formats()))?;
    if path.is_empty() {
        return Err("the FILE of FMT=FILE is empty".into());
    }
    Ok(ReportArg {
        format,
        path: PathBuf::from(path),
    })
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    /// Also list the checks of these policy directories.
    #[arg(long = "policy", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The check id, e.g. run-as-root.
    pub check: String,

    /// Also look in these policy directories.
    #[arg(long = "policy", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the Rego unit tests (`test_*` rules of `*_test.rego` files).
    Test(PolicyTestArgs),
}

#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// Policy directories or files (default: the built-in policies).
    pub paths: Vec<PathBuf>,

    /// Print only failures and the summary.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}
