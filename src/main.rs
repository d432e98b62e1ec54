//! The `rampart` binary: parse arguments, call the library, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic inside one file's processing becomes an error for that file (see `lint`); keep
    // the default hook from also printing a backtrace banner to the user.
    std::panic::set_hook(Box::new(|_| {}));
    // regorus reports errors through anyhow, which captures a backtrace for each one when
    // RUST_BACKTRACE is set; policies raise many of them on purpose (undefined builtins).
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: nothing else runs yet; no other thread reads the environment.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
    let cli = rampart::cli::Cli::parse();
    ExitCode::from(rampart::app::main(cli))
}
