//! `thresholds audit` (being written).

use clap::Args;

use super::{CliError, CliResult, ErrorFormat};

/// Arguments of `audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Arguments (placeholder).
    pub args: Vec<String>,
}

/// Runs `audit`.
pub fn run(_a: AuditArgs, _ef: ErrorFormat) -> CliResult {
    Err(CliError::usage("error: `audit` is not available yet"))
}
