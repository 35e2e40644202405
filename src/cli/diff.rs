//! `thresholds diff` (being written).

use clap::Args;

use super::{CliError, CliResult, ErrorFormat};

/// Arguments of `diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Arguments (placeholder).
    pub args: Vec<String>,
}

/// Runs `diff`.
pub fn run(_a: DiffArgs, _ef: ErrorFormat) -> CliResult {
    Err(CliError::usage("error: `diff` is not available yet"))
}
