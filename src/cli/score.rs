//! `thresholds score` (being written).

use clap::Args;

use super::{CliError, CliResult, ErrorFormat};

/// Arguments of `score`.
#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// Arguments (placeholder).
    pub args: Vec<String>,
}

/// Runs `score`.
pub fn run(_a: ScoreArgs, _ef: ErrorFormat) -> CliResult {
    Err(CliError::usage("error: `score` is not available yet"))
}
