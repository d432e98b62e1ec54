//! The `rampart` binary: parse arguments, call the library, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Records whether descriptor 1 was open when the process started. The standard library
/// reopens a closed one on `/dev/null` before `main`, after which a closed standard output
/// (`>&-`) and `/dev/null` opened read-write (Python's `subprocess.DEVNULL`, an editor that
/// ignores the output) look alike; a constructor runs before that and can tell them apart.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD_STDOUT: extern "C" fn() = record_stdout;

#[cfg(target_os = "macos")]
#[used]
#[unsafe(link_section = "__DATA,__mod_init_func")]
static RECORD_STDOUT: extern "C" fn() = record_stdout;

#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
extern "C" fn record_stdout() {
    // SAFETY: F_GETFD on a descriptor number only reads the descriptor table.
    let open = unsafe { libc::fcntl(1, libc::F_GETFD) } != -1;
    rampart::report::output::record_stdout_at_start(open);
}

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
