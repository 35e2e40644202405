//! The `thresholds` command line: parse arguments, run, exit with the code
//! of the outcome (see `cli::exit`).

use std::process::ExitCode;

/// Counts each thread's allocations, so a script call is ended when it holds
/// more than its memory limit instead of exhausting the machine's memory
/// (`script::budget`).
#[global_allocator]
static ALLOC: thresholds::script::budget::CountingAlloc = thresholds::script::budget::CountingAlloc;

fn main() -> ExitCode {
    // A large stack keeps deeply nested (hostile) input from overflowing it;
    // the checker refuses such input, but parsing and dropping it still recurse.
    let worker = std::thread::Builder::new()
        .name("thresholds".into())
        .stack_size(256 * 1024 * 1024)
        .spawn(thresholds::cli::main);
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: internal failure (please report it)");
            ExitCode::from(thresholds::cli::exit::USAGE)
        }
    }
}
