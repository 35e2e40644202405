//! `thresholds exercise` (being written).

use clap::Args;

use super::{CliError, CliResult, ErrorFormat};

/// Arguments of `exercise`.
#[derive(Args, Debug)]
pub struct ExerciseArgs {
    /// Arguments (placeholder).
    pub args: Vec<String>,
}

/// Runs `exercise`.
pub fn run(_a: ExerciseArgs, _ef: ErrorFormat) -> CliResult {
    Err(CliError::usage("error: `exercise` is not available yet"))
}
