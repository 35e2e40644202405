//! `thresholds fmt RULES [--check]`: canonical layout in place.

use std::path::PathBuf;

use clap::Args;

use super::{exit, CliError, CliResult};

/// Arguments of `fmt`.
#[derive(Args, Debug)]
pub(crate) struct FmtArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// Only check: exit 1 when the file is not formatted.
    #[arg(long)]
    pub check: bool,
}

/// Runs `fmt`.
pub(super) fn run(a: FmtArgs) -> CliResult {
    let text = std::fs::read_to_string(&a.rules)
        .map_err(|e| CliError::usage(format!("error: cannot read `{}`: {e}", a.rules.display())))?;
    let source = thresholds::span::Source::new(a.rules.display().to_string(), text);
    let formatted = thresholds::format::format_source(&source).map_err(|d| {
        CliError::rules(thresholds::report::diagnostics::human(
            &thresholds::error::Diagnostics(vec![*d]),
            super::stderr_is_terminal(),
        ))
    })?;
    if formatted == *source.text {
        return Ok(exit::OK);
    }
    if a.check {
        eprintln!(
            "{} is not formatted; run `thresholds fmt {}`",
            a.rules.display(),
            a.rules.display()
        );
        return Ok(exit::RULES);
    }
    // Through a temporary file: a full disk or a kill leaves the rule file
    // as it was, never cut off mid-rule.
    super::write_output(&a.rules, formatted.as_bytes())?;
    eprintln!("formatted {}", a.rules.display());
    Ok(exit::OK)
}
