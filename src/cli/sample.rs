//! `thresholds sample` (being written).

use clap::Args;

use super::{CliError, CliResult, ErrorFormat};

/// Arguments of `sample`.
#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Arguments (placeholder).
    pub args: Vec<String>,
}

/// Runs `sample`.
pub fn run(_a: SampleArgs, _ef: ErrorFormat) -> CliResult {
    Err(CliError::usage("error: `sample` is not available yet"))
}
