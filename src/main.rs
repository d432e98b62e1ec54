//! The `rampart` binary: parse arguments, call the library, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A panic inside one file's processing becomes an error for that file (see `lint`); keep
    // the default hook from also printing a backtrace banner to the user.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = rampart::cli::Cli::parse();
    ExitCode::from(rampart::app::main(cli))
}
