//! Command-line arguments and dispatch: one module per subcommand in `cli/`.

mod audit;
mod check;
mod diff;
mod exercise;
mod explain;
mod fmt;
mod progress;
mod sample;
mod score;
mod test;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use thresholds::error::Diagnostics;
use thresholds::output::{Guard, Staged};
use thresholds::report::diagnostics as render;
use thresholds::ruleset::Checked;

/// Exit codes (SPEC §5).
pub(crate) mod exit {
    /// Success.
    pub(crate) const OK: u8 = 0;
    /// Rule file errors or failed examples.
    pub(crate) const RULES: u8 = 1;
    /// Usage or I/O error.
    pub(crate) const USAGE: u8 = 2;
    /// Finished, with rejected rows.
    pub(crate) const REJECTS: u8 = 3;
    /// Stopped at the first rejected row (`--strict`); no output left.
    pub(crate) const STRICT: u8 = 4;
}

/// A failure that ends the command with a code and a message.
#[derive(Debug)]
pub(crate) struct CliError {
    /// The exit code.
    pub code: u8,
    /// What to print (already rendered).
    pub message: String,
}

impl CliError {
    /// A usage or I/O error (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: exit::USAGE,
            message: message.into(),
        }
    }
    /// A rule-file error (exit 1).
    pub(crate) fn rules(message: impl Into<String>) -> Self {
        Self {
            code: exit::RULES,
            message: message.into(),
        }
    }
}

/// The result of a command.
pub(crate) type CliResult = Result<u8, CliError>;

/// thresholds: safeguarding threshold rules, referral scoring and audit evidence.
#[derive(Parser, Debug)]
#[command(name = "thresholds", version, about, long_about = None)]
pub(crate) struct Cli {
    /// How to print rule-file diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Diagnostic output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ErrorFormat {
    /// Source excerpts with the place underlined.
    Human,
    /// One JSON object per diagnostic.
    Json,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Parse and check a rule file.
    Check(check::CheckArgs),
    /// Lay a rule file out canonically (in place).
    Fmt(fmt::FmtArgs),
    /// Run the examples in a rule file.
    Test(test::TestArgs),
    /// Score every record in a data file.
    Score(score::ScoreArgs),
    /// Explain one record's level.
    Explain(explain::ExplainArgs),
    /// Agreement between recorded decisions and the rules, as audit evidence.
    Audit(audit::AuditArgs),
    /// Threshold exercises for trainers.
    Exercise(exercise::ExerciseArgs),
    /// The impact of a rule change.
    Diff(diff::DiffArgs),
    /// Synthetic referrals for training and benchmarks.
    Sample(sample::SampleArgs),
}

/// Options shared by commands that read referral data.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct DataArgs {
    /// Data format, when the extension does not say.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Excel sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Column holding the recorded decision.
    #[arg(long, default_value = "decision")]
    pub decision: String,
    /// Extra columns to carry through to the output.
    #[arg(long, value_delimiter = ',')]
    pub keep: Vec<String>,
    /// Stop at the first rejected row.
    #[arg(long)]
    pub strict: bool,
    /// Write rejected rows to this CSV file.
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// Replace ids in every output with a keyed hash.
    #[arg(long)]
    pub pseudonymise: bool,
    /// Key for --pseudonymise (default: the THRESHOLDS_KEY environment variable).
    #[arg(long)]
    pub key: Option<String>,
}

/// Referral data formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormat {
    /// Comma-separated values.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// An Excel workbook.
    Xlsx,
    /// A DfE children in need census message (XML).
    Cin,
}

/// Runs the command line and returns the exit code.
pub(crate) fn main() -> ExitCode {
    thresholds::output::remove_on_interrupt();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if !e.message.is_empty() {
                eprintln!("{}", e.message.trim_end());
            }
            ExitCode::from(e.code)
        }
    }
}

/// Dispatches a parsed command line.
pub(crate) fn run(cli: Cli) -> CliResult {
    let error_format = cli.error_format;
    match cli.command {
        Command::Check(a) => check::run(a, error_format),
        Command::Fmt(a) => fmt::run(a),
        Command::Test(a) => test::run(a, error_format),
        Command::Explain(a) => explain::run(a, error_format),
        Command::Score(a) => score::run(a, error_format),
        Command::Audit(a) => audit::run(a, error_format),
        Command::Exercise(a) => exercise::run(a, error_format),
        Command::Diff(a) => diff::run(a, error_format),
        Command::Sample(a) => sample::run(a, error_format),
    }
}

/// The files a command reads and writes, checked before anything is read:
/// an output that is the same file as an input or another output is a
/// usage error (exit 2). `outputs` pairs each flag with its path, if given.
pub(crate) fn guard(
    inputs: &[(&str, &Path)],
    outputs: &[(&str, Option<&Path>)],
) -> Result<Guard, CliError> {
    let mut g = Guard::new();
    for (role, p) in inputs {
        g.input(role, p).map_err(refused)?;
    }
    for (role, p) in outputs {
        if let Some(p) = p {
            g.output(role, p).map_err(refused)?;
        }
    }
    Ok(g)
}

/// Adds a plan's scripts to the inputs (they are known once it is parsed,
/// before any data is read or output opened).
pub(crate) fn guard_scripts(g: &mut Guard, plan: &thresholds::plan::Plan) -> Result<(), CliError> {
    for s in plan.scripts.iter().flat_map(|s| s.sources.iter()) {
        g.input("a script of the rule file", Path::new(&s.name))
            .map_err(refused)?;
    }
    Ok(())
}

fn refused(m: thresholds::output::Refused) -> CliError {
    CliError::usage(format!("error: {m}"))
}

/// Opens an output up front (a temporary file beside it), so that a path
/// that cannot be written fails before the data is read.
pub(crate) fn staged(path: &Path) -> Result<Staged, CliError> {
    Staged::create(path)
        .map_err(|e| CliError::usage(format!("error: cannot write `{}`: {e}", path.display())))
}

/// Renames a complete output into place.
pub(crate) fn commit(s: Staged) -> Result<(), CliError> {
    let shown = s.target().display().to_string();
    s.commit()
        .map_err(|e| CliError::usage(format!("error: cannot write `{shown}`: {e}")))
}

/// Writes a whole output file (report, sample) through a temporary file.
pub(crate) fn write_output(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    thresholds::output::write_file(path, bytes)
        .map_err(|e| CliError::usage(format!("error: cannot write `{}`: {e}", path.display())))
}

/// Prints to stdout; a closed pipe (`| head`) is an error, never a
/// silent success.
pub(crate) fn print_out(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(output_error)
}

/// An error writing an output: a broken pipe says so.
pub(crate) fn output_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError::usage("error: the output was closed before it was complete (broken pipe)")
    } else {
        CliError::usage(format!("error: cannot write the output: {e}"))
    }
}

/// True when stderr is a terminal (colours, progress bars).
pub(crate) fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Loads and checks rules; prints warnings to stderr; errors end the command.
pub(crate) fn load_rules(
    path: &std::path::Path,
    error_format: ErrorFormat,
) -> Result<thresholds::plan::Plan, CliError> {
    let checked =
        thresholds::ruleset::load_file(path).map_err(|m| CliError::usage(format!("error: {m}")))?;
    let Checked { plan, diagnostics } = checked;
    match plan {
        Some(p) if !diagnostics.has_errors() => {
            // Warnings are for `check`; other commands stay quiet unless asked.
            Ok(p)
        }
        _ => Err(CliError::rules(render_all(&diagnostics, error_format))),
    }
}

/// Renders diagnostics in the chosen format.
pub(crate) fn render_all(d: &Diagnostics, error_format: ErrorFormat) -> String {
    match error_format {
        ErrorFormat::Human => render::human(d, stderr_is_terminal()),
        ErrorFormat::Json => render::json(d),
    }
}

/// Finds one record by id in a data file (for `explain`). The whole file is
/// read: a record that was rejected, or whose id is not unique, is an error
/// that says why, never a silent miss.
pub(crate) fn find_record(
    plan: &thresholds::plan::Plan,
    data: &std::path::Path,
    args: &DataArgs,
    id: &str,
) -> Result<thresholds::data::Row, CliError> {
    let mut opts = score::load_options(args);
    opts.strict = false;
    let want = id.trim();
    let mut found: Option<thresholds::data::Row> = None;
    // The first id equal to the one asked for but for case, suggested
    // when no id matches exactly (never under --pseudonymise: it would
    // print an id of the data that was not asked for).
    let mut near: Option<String> = None;
    let summary = thresholds::pipeline::run(
        plan,
        data,
        &opts,
        Some(&mut crate::cli::progress::Bar::default()),
        &mut |row, _| {
            if found.is_none() && row.record.id == want {
                found = Some(row.clone());
            } else if near.is_none()
                && !args.pseudonymise
                && row.record.id.eq_ignore_ascii_case(want)
            {
                near = Some(row.record.id.clone());
            }
            Ok(())
        },
    )
    .map_err(score::data_error)?;
    let mut matching = Vec::new();
    let mut without_id = 0u64;
    summary
        .rejects
        .for_each(|r| {
            without_id += u64::from(r.id.is_none());
            if r.id.as_deref() == Some(want) {
                matching.push(format!("row {}{}: {}", r.row, r.column_phrase(), r.reason));
            }
            Ok(())
        })
        .map_err(score::reject_read_error)?;
    let mut problems = matching.into_iter().peekable();
    match found {
        Some(row) => {
            for p in problems {
                eprintln!(
                    "warning: explaining row {}; the id is also on a rejected row: {p}",
                    row.line
                );
            }
            Ok(row)
        }
        None if problems.peek().is_some() => Err(CliError {
            code: exit::REJECTS,
            message: format!(
                "error: the record with id `{}` was rejected: {}",
                thresholds::text::shorten(want),
                problems.collect::<Vec<_>>().join("; ")
            ),
        }),
        None => Err(CliError::usage(match near {
            Some(near) => format!(
                "error: no record with id `{}` in `{}`; did you mean `{}`? (ids are matched exactly, case included)",
                thresholds::text::shorten(want),
                data.display(),
                thresholds::text::shorten(&near)
            ),
            None => format!(
                "error: no record with id `{}` in `{}` ({} rows read, {} rejected without a readable id)",
                thresholds::text::shorten(want),
                data.display(),
                summary.read,
                without_id
            ),
        })),
    }
}
