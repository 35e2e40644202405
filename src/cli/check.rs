//! `thresholds check RULES`: every error and warning, then a count.

use std::path::PathBuf;

use clap::Args;

use super::{exit, render_all, CliError, CliResult, ErrorFormat};

/// Arguments of `check`.
#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Runs `check`.
pub(super) fn run(a: CheckArgs, error_format: ErrorFormat) -> CliResult {
    let checked = thresholds::ruleset::load_file(&a.rules)
        .map_err(|m| CliError::usage(format!("error: {m}")))?;
    let d = &checked.diagnostics;
    let text = render_all(d, error_format);
    if d.has_errors() || (a.deny_warnings && !d.0.is_empty()) {
        return Err(CliError::rules(text));
    }
    if error_format == ErrorFormat::Human && d.0.is_empty() {
        if let Some(p) = &checked.plan {
            println!(
                "{}: ok: {} levels, {} indicators, {} rules, {} examples",
                a.rules.display(),
                p.decl.levels.len(),
                p.decl.indicators.len(),
                p.rules.len(),
                p.examples.len()
            );
        }
    } else {
        eprint!("{text}");
    }
    Ok(exit::OK)
}
