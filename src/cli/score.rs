//! `thresholds score RULES DATA [-o OUT] [--format csv|json|jsonl|table]`:
//! every record's level, base, fired rules, flags and agreement with the
//! recorded decision, in input order; rejected rows listed on stderr (and
//! in `--rejects FILE`), with a summary that always adds up.
//!
//! The helpers here (`load_options`, `no_keep`, `pseudonymiser`,
//! `data_error`, `report_rejects`) serve every command that reads referral data.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{
    commit, exit, guard, guard_scripts, load_rules, output_error, staged, CliError, CliResult,
    DataArgs, ErrorFormat, InputFormat,
};
use thresholds::data::{DataError, Format, LoadOptions, Reject};
use thresholds::output::Staged;
use thresholds::pipeline::{self, Rejects, Summary};
use thresholds::pseudonym::Pseudonymiser;
use thresholds::report::score::{write_rejects, OutFormat, ScoreWriter};

/// Arguments of `score`.
#[derive(Args, Debug)]
pub(crate) struct ScoreArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// The referral data (.csv, .json, .jsonl, .xlsx, or .xml: a CIN census).
    pub data: PathBuf,
    /// Write the results here (format from the extension unless --format).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Output format (default: a table on a terminal, else CSV).
    #[arg(long, value_enum)]
    pub format: Option<ScoreFormat>,
    /// Options for reading DATA.
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// `score` output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScoreFormat {
    /// CSV.
    Csv,
    /// A JSON array.
    Json,
    /// JSON Lines.
    Jsonl,
    /// A readable table.
    Table,
    /// An Excel workbook (needs -o).
    Xlsx,
}

/// Reading options from the shared data arguments.
pub(super) fn load_options(a: &DataArgs) -> LoadOptions {
    LoadOptions {
        format: a.input_format.map(|f| match f {
            InputFormat::Csv => Format::Csv,
            InputFormat::Json => Format::Json,
            InputFormat::Jsonl => Format::Jsonl,
            InputFormat::Xlsx => Format::Xlsx,
            InputFormat::Cin => Format::Cin,
        }),
        sheet: a.sheet.clone(),
        decision: Some(a.decision.clone()),
        keep: a
            .keep
            .iter()
            .filter(|k| !k.trim().is_empty())
            .cloned()
            .collect(),
        extra: Vec::new(),
        strict: a.strict,
    }
}

/// The pseudonymiser when `--pseudonymise` is on; no key is a usage error.
pub(super) fn pseudonymiser(a: &DataArgs) -> Result<Option<Pseudonymiser>, CliError> {
    if !a.pseudonymise {
        return Ok(None);
    }
    let keep: Vec<(&str, &str)> = a.keep.iter().map(|k| ("--keep", k.as_str())).collect();
    refuse_id_column(&keep)?;
    let key = a
        .key
        .clone()
        .or_else(|| std::env::var("THRESHOLDS_KEY").ok())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            CliError::usage(
                "error: --pseudonymise needs a key: set THRESHOLDS_KEY (or give --key); keep the key to link results back to records",
            )
        })?;
    Pseudonymiser::new(&key)
        .map(Some)
        .map_err(|e| CliError::usage(format!("error: {e}")))
}

/// Under `--pseudonymise`, refuses options that would copy the id column
/// into an output beside the pseudonyms (`--keep id`, `audit --by id`, ...):
/// `named` holds each option and the column it names. The id column is
/// matched as the reader matches it, trimmed and case-insensitively.
pub(super) fn refuse_id_column(named: &[(&str, &str)]) -> Result<(), CliError> {
    match named
        .iter()
        .find(|(_, col)| col.trim().eq_ignore_ascii_case("id"))
    {
        Some((flag, _)) => Err(CliError::usage(format!(
            "error: {flag} cannot name the id column with --pseudonymise: it would put the real ids \
             in the output; the pseudonyms already identify each record"
        ))),
        None => Ok(()),
    }
}

/// Refuses `--keep` for a command whose reports have no place for extra
/// columns, rather than ignoring it; `instead` says what to use.
pub(super) fn no_keep(a: &DataArgs, command: &str, instead: &str) -> Result<(), CliError> {
    if a.keep.iter().all(|k| k.trim().is_empty()) {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "error: `{command}` does not carry --keep columns into its report; \
         `thresholds score --keep COL` lists every record with them ({instead})"
    )))
}

/// A data error as a command failure: `--strict` stops exit 4.
pub(super) fn data_error(e: DataError) -> CliError {
    match &e {
        DataError::Strict(_) => CliError {
            code: exit::STRICT,
            message: format!(
                "error: {e}\n(--strict: stopped at the first rejected row; no output was written)"
            ),
        },
        _ => CliError::usage(format!("error: {e}")),
    }
}

/// A failure to read back rejects spilled to their temporary file.
pub(crate) fn reject_read_error(e: std::io::Error) -> CliError {
    CliError::usage(format!("error: cannot read back the rejected rows: {e}"))
}

/// Every reject of a run, for reports that list them all.
pub(crate) fn all_rejects(rejects: &Rejects) -> Result<Vec<Reject>, CliError> {
    rejects.all().map_err(reject_read_error)
}

/// Opens `--rejects` before the data is read, so a path that cannot be
/// written fails at once.
pub(super) fn open_rejects(a: &DataArgs) -> Result<Option<Staged>, CliError> {
    a.rejects.as_deref().map(staged).transpose()
}

/// Prints rejects and the summary to stderr, writes `--rejects` (opened
/// up front by [`open_rejects`]), and returns the exit code (3 when any row
/// was rejected).
pub(super) fn report_rejects(
    summary: &Summary,
    a: &DataArgs,
    pseudo: Option<&Pseudonymiser>,
    rejects_out: Option<Staged>,
) -> CliResult {
    if let Some(mut f) = rejects_out {
        let shown = f.target().display().to_string();
        write_rejects(&mut f, &summary.rejects, pseudo)
            .map_err(|e| CliError::usage(format!("error: cannot write `{shown}`: {e}")))?;
        commit(f)?;
    }
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    if let Some(w) = summary.invisible_ids.warning() {
        let _ = writeln!(err, "{w}");
    }
    let shown: u64 = if a.rejects.is_some() { 10 } else { u64::MAX };
    let mut n = 0u64;
    // `Interrupted` from the closure only stops the listing after `shown`.
    let listed = summary.rejects.for_each(|r| {
        n += 1;
        if n > shown {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        let id = match (&r.id, pseudo) {
            (Some(id), Some(p)) => format!(" (id {})", p.id(id)),
            (Some(id), None) => format!(" (id {})", thresholds::text::shorten(id)),
            (None, _) => String::new(),
        };
        let reason = match pseudo {
            Some(_) => std::borrow::Cow::Owned(thresholds::pseudonym::value_free(&r.reason)),
            None => std::borrow::Cow::Borrowed(r.reason.as_str()),
        };
        writeln!(
            err,
            "rejected: row {}{id}{}: {reason}",
            r.row,
            r.column_phrase()
        )
    });
    if let Err(e) = listed {
        if e.kind() != std::io::ErrorKind::Interrupted {
            let _ = writeln!(err, "error: cannot list the rejected rows: {e}");
        }
    }
    if summary.rejects.len() > shown {
        let _ = writeln!(
            err,
            "... and {} more rejected rows",
            summary.rejects.len() - shown
        );
    }
    let rejected = summary.rejects.len();
    for n in summary.notes() {
        let _ = writeln!(err, "{n}");
    }
    let first = summary.rejects.first();
    let shown_first = pseudo.map(|p| p.rejects(first));
    let first = shown_first.as_deref().unwrap_or(first);
    if let Some(s) = thresholds::pipeline::notes::rejected_share(summary.read, rejected, first) {
        let _ = writeln!(err, "warning: {s}");
    }
    let _ = writeln!(
        err,
        "{}{}",
        summary.counts(),
        match &a.rejects {
            Some(p) if rejected > 0 => format!(" (listed in {})", p.display()),
            _ => String::new(),
        }
    );
    Ok(if rejected > 0 {
        exit::REJECTS
    } else {
        exit::OK
    })
}

/// The output format from `--format`, the extension of `-o`, or the terminal.
fn out_format(a: &ScoreArgs) -> Result<OutFormat, CliError> {
    if let Some(f) = a.format {
        return Ok(match f {
            ScoreFormat::Csv => OutFormat::Csv,
            ScoreFormat::Json => OutFormat::Json,
            ScoreFormat::Jsonl => OutFormat::Jsonl,
            ScoreFormat::Table => OutFormat::Table,
            ScoreFormat::Xlsx if a.output.is_some() => OutFormat::Xlsx,
            ScoreFormat::Xlsx => {
                return Err(CliError::usage("error: --format xlsx needs -o FILE.xlsx"))
            }
        });
    }
    let ext = a
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match ext.as_deref() {
        Some("json") => OutFormat::Json,
        Some("jsonl" | "ndjson") => OutFormat::Jsonl,
        Some("xlsx") => OutFormat::Xlsx,
        Some("txt") => OutFormat::Table,
        Some(_) => OutFormat::Csv,
        None if std::io::stdout().is_terminal() => OutFormat::Table,
        None => OutFormat::Csv,
    })
}

/// Runs `score`.
pub(super) fn run(a: ScoreArgs, error_format: ErrorFormat) -> CliResult {
    let mut guard = guard(
        &[("the rule file", &a.rules), ("the data file", &a.data)],
        &[
            ("-o", a.output.as_deref()),
            ("--rejects", a.data_args.rejects.as_deref()),
        ],
    )?;
    let pseudo = pseudonymiser(&a.data_args)?;
    let plan = load_rules(&a.rules, error_format)?;
    guard_scripts(&mut guard, &plan)?;
    let format = out_format(&a)?;
    let opts = load_options(&a.data_args);
    let rejects_out = open_rejects(&a.data_args)?;
    let mut file = a.output.as_deref().map(staged).transpose()?;
    let out: Box<dyn Write + '_> = match &mut file {
        Some(f) => Box::new(f),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut writer =
        ScoreWriter::new(&plan, format, out, &opts.keep, pseudo.clone()).map_err(output_error)?;
    let mut failed: Option<std::io::Error> = None;
    let result = pipeline::run(
        &plan,
        &a.data,
        &opts,
        Some(&mut crate::cli::progress::Bar::default()),
        &mut |row, score| {
            writer.write(row, score).map_err(|e| {
                let m = DataError::Sink(format!("cannot write the output: {e}"));
                failed = Some(e);
                m
            })
        },
    );
    if let Some(e) = failed {
        return Err(output_error(e));
    }
    let summary = result.map_err(data_error)?;
    writer.finish().map_err(output_error)?;
    if let Some(f) = file {
        commit(f)?;
    }
    report_rejects(&summary, &a.data_args, pseudo.as_ref(), rejects_out)
}
