//! The `thresholds` command line: parse arguments, run, exit with the code
//! of the outcome (see `cli::exit`).

use std::process::ExitCode;

mod cli;

/// Counts each thread's allocations, so a script call is ended when it holds
/// more than its memory limit instead of exhausting the machine's memory
/// (`script::budget`).
#[global_allocator]
static ALLOC: thresholds::script::budget::CountingAlloc = thresholds::script::budget::CountingAlloc;

fn main() -> ExitCode {
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
