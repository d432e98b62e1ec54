//! The commands behind the command line: each returns the process exit status (0, 1 or 2).

use std::io::{IsTerminal, Read, Write};

use crate::cli::{
    CheckArgs, ChecksArgs, Cli, ColorChoice, Command, ExplainArgs, InitArgs, PolicyCommand,
    PolicyTestArgs,
};
use crate::config::{self, Config};
use crate::diagnostic::Diagnostic;
use crate::finding::Severity;
use crate::lint::{self, Fatal, Options};
use crate::policy::Catalog;
use crate::policy::testing::{self, Outcome};
use crate::report::{self, Format, Style, escape};

pub fn main(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Checks(args) => checks(args),
        Command::Explain(args) => explain(args),
        Command::Policy(PolicyCommand::Test(args)) => policy_test(args),
        Command::Init(args) => init(args),
    }
}

/// The config for a run: `--config`, else the nearest `.rampart.yaml`, else the defaults.
fn load_config(explicit: Option<&std::path::Path>, disabled: bool) -> Result<Config, u8> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None if disabled => None,
        None => config::discover(&cwd),
    };
    match path {
        None => Ok(Config {
            base: cwd,
            ..Config::default()
        }),
        Some(p) => config::load(&p).map_err(|e| {
            let name = crate::discover::display_name(&p, Some(&cwd));
            let e = config::with_file(e, &name).to_string();
            eprintln!("error: {}", report::escape::lines(&e));
            2
        }),
    }
}

fn init(args: InitArgs) -> u8 {
    let path = std::path::Path::new(config::FILE_NAME);
    if path.exists() && !args.force {
        eprintln!(
            "error: {} already exists (use --force to overwrite it)",
            config::FILE_NAME
        );
        return 2;
    }
    if let Err(e) = std::fs::write(path, config::TEMPLATE) {
        eprintln!("error: cannot write {}: {e}", config::FILE_NAME);
        return 2;
    }
    println!("wrote {}", config::FILE_NAME);
    0
}

fn check(args: CheckArgs) -> u8 {
    if let Err(message) = check_outputs(&args) {
        eprintln!("error: {message}");
        return 2;
    }
    let stdin = if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let mut buf = Vec::new();
        let limit = lint::MAX_INPUT_BYTES;
        if let Err(e) = std::io::stdin().take(limit + 1).read_to_end(&mut buf) {
            eprintln!("error: cannot read standard input: {e}");
            return 2;
        }
        if buf.len() as u64 > limit {
            eprintln!(
                "error: standard input is larger than the {} MiB rampart reads",
                limit / (1024 * 1024)
            );
            return 2;
        }
        Some(buf)
    } else {
        None
    };
    if let Some(seconds) = args.timeout {
        watchdog(seconds);
    }
    let mut config = match load_config(args.config.as_deref(), args.no_config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // The flags win over the config file.
    config.force_exclude |= args.force_exclude;
    if let Some(min) = args.min_severity {
        config.min_severity = Some(min.into());
    }
    let fail_on = args
        .fail_on
        .map(Severity::from)
        .or(config.fail_on)
        .unwrap_or(Severity::Low);
    let options = Options {
        paths: args.paths.clone(),
        stdin_name: args.stdin_filename.clone(),
        stdin,
        jobs: args.jobs,
        policy_dirs: args.policies.clone(),
        enable: args.enable.clone(),
        disable: args.disable.clone(),
        only: args.only.clone(),
        baseline: args.baseline.clone(),
        context: !args.no_context
            && std::env::var_os("RAMPART_NO_CONTEXT").is_none_or(|v| v != "1"),
        drop_text: args.format != Format::Human
            && args.reports.iter().all(|r| r.format != Format::Human),
        config,
    };
    let progress = crate::progress::Progress::start(std::io::stderr().is_terminal());
    let run = lint::run(options);
    progress.finish();
    let mut run = match run {
        Ok(run) => run,
        Err(fatal) => {
            report_fatal(&fatal);
            return 2;
        }
    };
    run.sarif_category = args.sarif_category.clone();
    for n in run.notes.iter().filter(|n| args.verbose || !n.verbose) {
        eprintln!(
            "note: {}: {}",
            escape::line(&n.path),
            escape::line(&n.message)
        );
    }
    if args.verbose {
        // Units that only hold context (other files of the repository) are not listed.
        for u in run.units.iter().filter(|u| u.objects > 0) {
            let s = if u.objects == 1 { "" } else { "s" };
            eprintln!(
                "unit {}: {} ({} object{s})",
                escape::line(&u.name),
                escape::line(&u.reason),
                u.objects
            );
        }
        for s in &run.skipped {
            eprintln!(
                "skipped {}:{}: document {} is neither a Kubernetes object nor a Compose file",
                escape::line(&s.file),
                s.line,
                s.document + 1
            );
        }
    }
    *WRITING.lock().unwrap_or_else(|e| e.into_inner()) = true;
    // Every file of the run is staged before any is renamed: the reports are replaced together.
    let mut files: Vec<(&std::path::Path, report::output::Render<'_>)> = Vec::new();
    let reports = args
        .output
        .iter()
        .map(|p| (args.format, p))
        .chain(args.reports.iter().map(|r| (r.format, &r.path)));
    for (format, path) in reports {
        files.push((path, report::render(format, &run)));
    }
    if let Some(path) = &args.write_baseline {
        let baseline = crate::suppress::baseline_of(&run.findings, &run.files);
        match serde_json::to_string_pretty(&baseline) {
            Ok(text) => files.push((path, report::output::bytes(text.into_bytes()))),
            Err(e) => {
                eprintln!("error: cannot write the baseline {}: {e}", path.display());
                return 2;
            }
        }
    }
    let mut staged = Vec::new();
    for (path, render) in files {
        match report::output::stage(path, render) {
            Ok(s) => staged.push(s),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                return 2;
            }
        }
    }
    if args.output.is_none() {
        let stdout = std::io::stdout();
        let style = terminal_style(args.color, stdout.is_terminal());
        // Buffered: stdout is line-buffered even into a pipe or file, and a pretty-printed
        // report of a large repository is a million lines (a write call each).
        let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
        let written = report::write(args.format, &run, style, &mut out).and_then(|_| out.flush());
        if let Err(e) = written {
            // A reader that stopped reading (`| head`) is not a failure of the run.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: cannot write the report to standard output: {e}");
                return 2;
            }
        }
    }
    if let Err((path, e)) = report::output::commit(staged) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return 2;
    }
    if args.output.is_some() && args.format != Format::Human {
        // Keep the terminal informed when the report went to a file.
        eprintln!("{}", report::human::summary_line(&run));
    }
    let nothing = run.summary.resources == 0;
    if nothing && run.errors.is_empty() {
        // Silence would read as "all clear": say that there was nothing to check.
        eprintln!(
            "warning: no Kubernetes object or Compose file found in {} ({}){}",
            plural(run.summary.files, "file"),
            plural(run.summary.documents, "document"),
            if args.verbose || run.skipped.is_empty() {
                ""
            } else {
                "; --verbose lists the skipped documents"
            }
        );
    }
    let status = lint::exit_status(&run, fail_on) as u8;
    // The process exits next: freeing every tree and finding of a large run one by one would
    // only delay it (tens of milliseconds on 10,000 documents).
    std::mem::forget(run);
    if status == 2 {
        return 2;
    }
    if nothing && args.fail_if_no_objects_found {
        return 1;
    }
    if args.exit_zero { 0 } else { status }
}

/// `--timeout`: a thread that ends the process with exit status 2 when the run is not done in
/// time. A run that is writing its reports is left to finish them (writing is bounded), so that
/// the set of reports is not left half-replaced.
fn watchdog(seconds: u64) {
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(seconds));
        // Held while exiting, so that the run cannot start writing meanwhile.
        let writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
        if !*writing {
            eprintln!(
                "error: the run did not finish within --timeout {seconds}s; no report written"
            );
            std::process::exit(2);
        }
    });
}

/// Set once the reports are being written (see [`watchdog`]).
static WRITING: std::sync::Mutex<bool> = std::sync::Mutex::new(false);

/// Usage errors of the output options, found before anything is read: two reports (or a report
/// and the baseline) naming one file, or a report for a standard output that is closed.
fn check_outputs(args: &CheckArgs) -> Result<(), String> {
    if args.output.is_none() && !report::output::stdout_is_open() {
        return Err(
            "standard output is closed: nowhere to write the report (name a file with -o)".into(),
        );
    }
    let mut targets: Vec<(&str, &std::path::Path)> = Vec::new();
    if let Some(p) = &args.output {
        targets.push(("-o", p));
    }
    for r in &args.reports {
        targets.push(("--report", &r.path));
    }
    if let Some(p) = &args.write_baseline {
        targets.push(("--write-baseline", p));
    }
    for (i, (flag, path)) in targets.iter().enumerate() {
        if let Some((other, _)) = targets[..i]
            .iter()
            .find(|(_, p)| report::output::same_target(p, path))
        {
            return Err(format!(
                "{} is named twice ({other} and {flag}): each report needs its own file",
                path.display()
            ));
        }
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn terminal_style(choice: ColorChoice, is_tty: bool) -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_tty && !no_color,
    };
    if !is_tty {
        return Style {
            color,
            ..Style::plain()
        };
    }
    Style {
        color,
        links: color && supports_hyperlinks::on(supports_hyperlinks::Stream::Stdout),
        width: terminal_width().unwrap_or(100),
    }
}

/// `$COLUMNS` when set (a user's explicit choice), else the width of the terminal on stdout.
fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w| w > 0)
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(w), _)| usize::from(w))
        })
}

fn report_fatal(fatal: &Fatal) {
    match fatal {
        Fatal::Policies(errors) => report_policy_errors(errors),
        Fatal::Usage(m) => eprintln!("error: {}", report::escape::lines(m)),
    }
}

fn report_policy_errors(errors: &[Diagnostic]) {
    for e in errors {
        // Paths and messages come from the repository's policies: escaped like any input.
        eprintln!("error: {}", report::escape::lines(&e.to_string()));
    }
}

fn load_catalog(dirs: &[std::path::PathBuf]) -> Result<Catalog, u8> {
    Catalog::load(dirs).map_err(|errors| {
        report_policy_errors(&errors);
        2
    })
}

fn checks(args: ChecksArgs) -> u8 {
    let catalog = match load_catalog(&args.policies) {
        Ok(c) => c,
        Err(code) => return code,
    };
    print!("{}", crate::docs::list(&catalog, args.format));
    0
}

fn explain(args: ExplainArgs) -> u8 {
    let catalog = match load_catalog(&args.policies) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match catalog.check(&args.check) {
        Some(check) => {
            print!("{}", crate::docs::explain(check));
            0
        }
        None => {
            match catalog.similar_id(&args.check) {
                Some(id) => eprintln!(
                    "error: unknown check `{}`; did you mean `{id}`? (see `rampart checks`)",
                    args.check
                ),
                None => eprintln!(
                    "error: unknown check `{}` (see `rampart checks`)",
                    args.check
                ),
            }
            2
        }
    }
}

fn policy_test(args: PolicyTestArgs) -> u8 {
    let results = match testing::run(&args.paths) {
        Ok(r) => r,
        Err(errors) => {
            report_policy_errors(&errors);
            return 2;
        }
    };
    let mut passed = 0;
    let mut failed = 0;
    for r in &results {
        let (word, ok) = match &r.outcome {
            Outcome::Pass => ("PASS", true),
            Outcome::Fail => ("FAIL", false),
            Outcome::Error(_) => ("ERROR", false),
        };
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
        if !ok || !args.quiet {
            println!("{word} {}: {} ({}µs)", r.file, r.rule, r.micros);
            if let Outcome::Error(e) = &r.outcome {
                println!("  {e}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 || results.is_empty() {
        1
    } else {
        0
    }
}
