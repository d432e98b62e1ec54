//! Throughput benchmark:
//! `cargo bench --bench throughput [-- --docs 1000,10000,100000] [--compose 1000]
//! [--pods-file 80000] [--crowded 4000] [--phases parse,lint,cli-json,cli-sarif]`.
//!
//! Builds a deterministic corpus (benches/corpus) per size: Kubernetes documents (`--docs`,
//! rows labelled by the count), Compose projects (`--compose`, rows labelled `c<count>`;
//! resources/s counts services), one file of Pods (`--pods-file`, rows labelled
//! `f<count>`; none by default) and the crowded corpus (`--crowded`, rows labelled `s<count>`:
//! one directory where every Service selects every Deployment and one Compose project of that
//! many services; none by default). Then runs each phase in a child process of its own so that
//! wall time, CPU time and peak RSS belong to that phase alone:
//!
//! - `parse`: walk, read and parse every file with spans (the floor for any span-aware linter);
//! - `lint`: the library pipeline, parse + evaluation of the full built-in catalogue, no report;
//! - `cli-json`, `cli-sarif`: the release binary writing a report to /dev/null.

mod corpus;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;

fn main() {
    // regorus errors capture backtraces under RUST_BACKTRACE; the CLI turns that off too.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: no other thread runs yet.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        let phase = &args[i + 1];
        let dir = PathBuf::from(&args[i + 2]);
        run_phase(phase, &dir);
        return;
    }
    let list = |flag: &str, default: &[usize]| -> Vec<usize> {
        args.iter()
            .position(|a| a == flag)
            .map(|i| {
                args[i + 1]
                    .split(',')
                    .filter(|n| !n.is_empty())
                    .map(|n| n.parse().expect("a list of numbers"))
                    .collect()
            })
            .unwrap_or_else(|| default.to_vec())
    };
    let sizes = list("--docs", &[1_000, 10_000]);
    let projects = list("--compose", &[1_000]);
    let pods_files = list("--pods-file", &[]);
    let crowded = list("--crowded", &[]);
    let phases: Vec<&str> = match args.iter().position(|a| a == "--phases") {
        Some(i) => args[i + 1].split(',').collect(),
        None => PHASES.to_vec(),
    };

    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus");
    println!(
        "{:>8} {:<10} {:>9} {:>9} {:>8} {:>12} {:>9} {:>8}",
        "corpus", "phase", "wall ms", "cpu ms", "MB/s", "resources/s", "RSS MB", "x parse"
    );
    for docs in sizes {
        let dir = target.join(format!("kubernetes-{docs}"));
        let corpus = corpus::kubernetes(&dir, docs, 42).expect("corpus written");
        report(&format!("{docs}"), &dir, &corpus, "documents", &phases);
    }
    for n in projects {
        let dir = target.join(format!("compose-{n}"));
        let corpus = corpus::compose(&dir, n, 42).expect("corpus written");
        report(&format!("c{n}"), &dir, &corpus, "services", &phases);
    }
    for n in pods_files {
        let dir = target.join(format!("pods-file-{n}"));
        let corpus = corpus::pods_file(&dir, n, 42).expect("corpus written");
        report(&format!("f{n}"), &dir, &corpus, "Pods", &phases);
    }
    for n in crowded {
        let dir = target.join(format!("crowded-{n}"));
        let corpus = corpus::crowded(&dir, n).expect("corpus written");
        report(&format!("s{n}"), &dir, &corpus, "resources", &phases);
    }
}

const PHASES: [&str; 4] = ["parse", "lint", "cli-json", "cli-sarif"];

/// Measures the phases on a corpus and prints a row each ("x parse" needs `parse` first).
fn report(label: &str, dir: &Path, corpus: &corpus::Corpus, unit: &str, phases: &[&str]) {
    let mb = corpus.bytes as f64 / 1e6;
    let mut parse_wall = None;
    for &phase in phases {
        let Some(m) = measure(phase, dir) else {
            println!("{label:>8} {phase:<10} {:>9}", "n/a");
            continue;
        };
        let wall = m.wall_ms;
        let base = *parse_wall.get_or_insert(wall);
        println!(
            "{:>8} {:<10} {:>9.0} {:>9.0} {:>8.1} {:>12.0} {:>9.1} {:>8.2}",
            label,
            phase,
            wall,
            m.cpu_ms,
            mb / (wall / 1000.0),
            corpus.documents as f64 / (wall / 1000.0),
            m.max_rss_kb as f64 / 1024.0,
            wall / base
        );
    }
    println!(
        "{:>8} corpus: {} files, {} {unit}, {:.1} MB",
        label, corpus.files, corpus.documents, mb
    );
}

struct Measured {
    wall_ms: f64,
    cpu_ms: f64,
    max_rss_kb: i64,
}

/// Runs one phase in a child process and reads its resource usage with `wait4`.
// The child is reaped by `wait4`, which clippy does not see.
#[allow(clippy::zombie_processes)]
fn measure(phase: &str, dir: &Path) -> Option<Measured> {
    let mut cmd = match phase {
        "cli-json" | "cli-sarif" => {
            let format = phase.trim_start_matches("cli-");
            let mut c = Command::new(env!("CARGO_BIN_EXE_rampart"));
            c.args(["check", "--format", format, "-o", "/dev/null"])
                .arg(dir);
            c
        }
        _ => {
            let mut c = Command::new(std::env::current_exe().expect("bench binary"));
            c.args(["--phase", phase]).arg(dir);
            c
        }
    };
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn phase");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data; wait4 fills it for the child we just spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(waited, pid, "wait4 failed");
    let code = libc::WEXITSTATUS(status);
    if code == 2 {
        return None;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    Some(Measured {
        wall_ms,
        cpu_ms: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kb: usage.ru_maxrss,
    })
}

fn run_phase(phase: &str, dir: &Path) {
    match phase {
        "parse" => {
            let (inputs, _, _) = rampart::discover::discover(&[dir.to_path_buf()], "-", 0);
            let docs: usize = inputs
                .par_iter()
                .map(|input| {
                    let rampart::discover::Input::File { path, .. } = input else {
                        return 0;
                    };
                    let bytes = std::fs::read(path).expect("read");
                    let text = String::from_utf8(bytes).expect("utf-8");
                    rampart::yaml::parse_stream(&text).documents.len()
                })
                .sum();
            assert!(docs > 0);
        }
        "lint" => {
            let run = rampart::lint::run(rampart::lint::Options {
                paths: vec![dir.to_path_buf()],
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
            assert!(run.summary.resources > 0);
        }
        other => panic!("unknown phase {other}"),
    }
}
