//! A progress indicator on stderr for long runs: shown only when stderr is a terminal and not
//! in CI, after a delay so that quick runs print nothing, and erased before the report.

use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Runs shorter than this show no indicator at all.
const DELAY: Duration = Duration::from_millis(800);
const TICK: Duration = Duration::from_millis(120);
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// A running indicator; [`Progress::finish`] stops it and clears its line.
pub struct Progress {
    stop: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl Progress {
    /// Starts the indicator when `stderr_is_terminal` and the environment is not a CI job.
    pub fn start(stderr_is_terminal: bool) -> Progress {
        if !stderr_is_terminal || in_ci() {
            return Progress { stop: None };
        }
        let (tx, rx) = mpsc::channel::<()>();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            if !matches!(rx.recv_timeout(DELAY), Err(RecvTimeoutError::Timeout)) {
                return;
            }
            let mut stderr = std::io::stderr();
            for frame in FRAMES.iter().cycle() {
                let secs = started.elapsed().as_secs_f32();
                let _ = write!(stderr, "\r{frame} linting… {secs:.1}s");
                let _ = stderr.flush();
                if !matches!(rx.recv_timeout(TICK), Err(RecvTimeoutError::Timeout)) {
                    break;
                }
            }
            // Erase the line: the report starts on a clean one.
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        });
        Progress {
            stop: Some((tx, handle)),
        }
    }

    pub fn finish(mut self) {
        if let Some((tx, handle)) = self.stop.take() {
            drop(tx);
            let _ = handle.join();
        }
    }
}

/// CI services set `CI` (GitHub Actions, GitLab CI, and most others): their logs are no
/// terminal, even when a job allocates a pseudo-terminal.
fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}
