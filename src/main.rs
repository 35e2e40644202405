//! The `thresholds` command line: parse arguments, run, exit with the code
//! of the outcome (see `cli::exit`).

use std::process::ExitCode;

mod cli;

/// Counts each thread's allocations, so a script call is ended when it holds
/// more than its memory limit instead of exhausting the machine's memory
/// (`script::budget`).
#[global_allocator]
static ALLOC: thresholds::script::budget::CountingAlloc = thresholds::script::budget::CountingAlloc;

/// The environment variable that lengthens the time limit of a script call
/// (`script::budget::lengthen_call_millis`), in milliseconds.
const SCRIPT_MILLIS: &str = "THRESHOLDS_SCRIPT_MILLIS";

fn main() -> ExitCode {
    if let Some(v) = std::env::var_os(SCRIPT_MILLIS) {
        use thresholds::script::budget::{lengthen_call_millis, MAX_CALL_MILLIS};
        match v.to_str().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(ms) if ms >= MAX_CALL_MILLIS => lengthen_call_millis(ms),
            _ => {
                eprintln!(
                    "error: {SCRIPT_MILLIS} must be a whole number of milliseconds, at least {MAX_CALL_MILLIS}"
                );
                return ExitCode::from(cli::exit::USAGE);
            }
        }
    }
    // The library guards nesting itself (the parser never builds a tree
    // deeper than `parse::MAX_EXPR_DEPTH`, on any stack); the large stack is
    // margin for script calls made on this thread (examples in `check`).
    let worker = std::thread::Builder::new()
        .name("thresholds".into())
        .stack_size(256 * 1024 * 1024)
        .spawn(cli::main);
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: internal failure (please report it)");
            ExitCode::from(cli::exit::USAGE)
        }
    }
}
