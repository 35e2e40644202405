//! `thresholds exercise`: threshold exercises for trainers (SPEC §7).
//!
//! * `exercise RULES VIGNETTES RESPONSES [-o REPORT] [--feedback DIR]`: the
//!   cohort's results; report format from the extension (`.json`, `.md`,
//!   `.html`, `.xlsx`), a terminal summary without `-o`.
//! * `exercise pack RULES DATA --n N [--seed S] [-o VIGNETTES] [--format csv|md]`.
//! * `exercise run RULES VIGNETTES --trainee NAME [--phase P] [-o RESPONSES]`.
//! * `exercise serve RULES VIGNETTES [-o RESPONSES] [--phase P] [--bind ADDR]
//!   [--port N] [--no-reveal]`: a live exercise in the browser (SPEC §7.1).

mod append;
mod pack;
mod serve;
mod session;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{
    commit, exit, guard, guard_scripts, load_rules, print_out, staged, CliError, CliResult,
    ErrorFormat,
};
use thresholds::data::{LoadOptions, Reject};
use thresholds::exercise::{cohort, responses, Pack, Vignette};
use thresholds::pipeline;
use thresholds::plan::Plan;
use thresholds::report::exercise as report;

/// Arguments of `exercise`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ExerciseArgs {
    /// `pack` or `run`; without one, the results of an exercise.
    #[command(subcommand)]
    pub command: Option<ExerciseCommand>,
    /// The rule file.
    pub rules: Option<PathBuf>,
    /// The vignette pack (referral data without decisions).
    pub vignettes: Option<PathBuf>,
    /// The trainees' answers: CSV with `trainee, vignette, level[, phase]`.
    pub responses: Option<PathBuf>,
    /// Write the report here (.json, .md, .html, .xlsx); default: a summary on screen.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write each trainee's feedback sheet (Markdown and printable HTML) into this directory.
    #[arg(long)]
    pub feedback: Option<PathBuf>,
}

/// The `exercise` subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum ExerciseCommand {
    /// Build a vignette pack from a sample.
    Pack(pack::PackArgs),
    /// Take one trainee through the pack at the terminal.
    Run(session::RunArgs),
    /// Run a live exercise for a room: trainees answer from a browser.
    Serve(serve::ServeArgs),
}

/// Runs `exercise`.
pub(super) fn run(a: ExerciseArgs, error_format: ErrorFormat) -> CliResult {
    match a.command {
        Some(ExerciseCommand::Pack(p)) => pack::run(p, error_format),
        Some(ExerciseCommand::Run(r)) => session::run(r, error_format),
        Some(ExerciseCommand::Serve(s)) => serve::run(s, error_format),
        None => results(a, error_format),
    }
}

/// Loads a vignette pack, scoring each vignette; rejected rows are returned
/// with what a report must say about the file (see [`pipeline::notes`]).
pub(crate) fn load_pack(
    plan: &Plan,
    path: &Path,
) -> Result<(Pack, Vec<Reject>, Vec<String>), CliError> {
    let mut vignettes = Vec::new();
    let summary = pipeline::run(
        plan,
        path,
        &LoadOptions::default(),
        Some(&mut crate::cli::progress::Bar::default()),
        &mut |row, score| {
            vignettes.push(Vignette {
                id: row.record.id.clone(),
                record: row.record.clone(),
                score: score.clone(),
            });
            Ok(())
        },
    )
    .map_err(|e| CliError::usage(format!("error: {e}")))?;
    let rejects = super::score::all_rejects(&summary.rejects)?;
    let warnings = pipeline::notes::warnings(&summary, &rejects)
        .into_iter()
        .map(|w| format!("vignettes: {w}"))
        .collect();
    Ok((Pack::new(vignettes), rejects, warnings))
}

/// What `exercise run` and `exercise serve` both start from: the responses
/// file checked against the inputs, the checked rules (their scripts
/// checked too), the vignette pack (its warnings and rejected rows said on
/// stderr; an empty pack is an error) and the responses file opened for
/// appending in `phase`.
pub(crate) fn open_exercise(
    rules: &Path,
    vignettes: &Path,
    responses: &Path,
    phase: &str,
    error_format: ErrorFormat,
) -> Result<(Plan, Pack, append::Opened), CliError> {
    let mut g = guard(
        &[("the rule file", rules), ("the vignettes", vignettes)],
        &[("-o", Some(responses))],
    )?;
    let plan = load_rules(rules, error_format)?;
    guard_scripts(&mut g, &plan)?;
    let (pack, rejects, warnings) = load_pack(&plan, vignettes)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    print_rejects("vignette", &rejects);
    if pack.is_empty() {
        return Err(CliError::usage(format!(
            "error: `{}` holds no vignettes that could be read",
            vignettes.display()
        )));
    }
    let opened = append::open(&plan, &pack, responses, phase)?;
    Ok((plan, pack, opened))
}

/// Prints rejected rows to stderr.
pub(crate) fn print_rejects(what: &str, rejects: &[Reject]) {
    if rejects.is_empty() {
        return;
    }
    eprintln!("{} {what} row(s) rejected:", rejects.len());
    for r in rejects {
        eprintln!("  line {}{}: {}", r.row, r.column_phrase(), r.reason);
    }
}

fn results(a: ExerciseArgs, error_format: ErrorFormat) -> CliResult {
    let (Some(rules), Some(vig_path), Some(resp_path)) = (&a.rules, &a.vignettes, &a.responses)
    else {
        return Err(CliError::usage(
            "error: give RULES VIGNETTES RESPONSES (or `exercise pack ...`, `exercise run ...`)\n\
             usage: thresholds exercise RULES VIGNETTES RESPONSES [-o REPORT] [--feedback DIR]",
        ));
    };
    let format = match &a.output {
        Some(o) => Some(report_format(o)?),
        None => None,
    };
    let mut guard = guard(
        &[
            ("the rule file", rules),
            ("the vignettes", vig_path),
            ("the responses", resp_path),
        ],
        &[("-o", a.output.as_deref())],
    )?;
    if let Some(dir) = &a.feedback {
        if std::fs::metadata(dir).is_ok_and(|m| m.is_file()) {
            return Err(CliError::usage(format!(
                "error: --feedback `{}` is a file; name a folder for the feedback sheets",
                dir.display()
            )));
        }
    }
    let plan = load_rules(rules, error_format)?;
    guard_scripts(&mut guard, &plan)?;
    let out_file = a.output.as_deref().map(staged).transpose()?;
    let (pack, vig_rejects, mut warnings) = load_pack(&plan, vig_path)?;
    if pack.is_empty() {
        return Err(CliError::usage(format!(
            "error: `{}` holds no vignettes that could be read",
            vig_path.display()
        )));
    }
    let file = std::fs::File::open(resp_path).map_err(|e| {
        CliError::usage(format!("error: cannot read `{}`: {e}", resp_path.display()))
    })?;
    let read = responses::read(&plan, &pack, std::io::BufReader::new(file))
        .map_err(|e| CliError::usage(format!("error: `{}`: {e}", resp_path.display())))?;
    let c = cohort::cohort(&plan, &pack, &read.accepted);
    let mut model = report::build(&plan, &pack, &c, read.read, &read.rejects);
    warnings.extend(
        pipeline::notes::rejected_share(read.read, read.rejects.len() as u64, &read.rejects)
            .map(|w| format!("responses: {w}")),
    );
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    model.warnings = warnings;
    model.replaced = read.replaced;
    match (out_file, format) {
        (Some(mut out), Some(f)) => {
            let bytes = match f {
                Fmt::Json => report::json(&model)
                    .map_err(|e| CliError::usage(format!("error: {e}")))?
                    .into_bytes(),
                Fmt::Md => report::markdown::render(&model).into_bytes(),
                Fmt::Html => report::html(&model).into_bytes(),
                Fmt::Xlsx => report::xlsx(&model).map_err(|e| {
                    CliError::usage(format!("error: cannot build the workbook: {e}"))
                })?,
            };
            let shown = out.target().display().to_string();
            out.write_all(&bytes)
                .map_err(|e| CliError::usage(format!("error: cannot write `{shown}`: {e}")))?;
            commit(out)?;
            eprintln!(
                "{} from {}; report written to {shown}",
                report::count(model.n, "answer"),
                report::count(model.trainees.len() as u64, "trainee"),
            );
        }
        _ => print_out(&report::text(&model))?,
    }
    if let Some(dir) = &a.feedback {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::usage(format!("error: cannot create `{}`: {e}", dir.display()))
        })?;
        let order = cohort::phase_order(&read.accepted);
        let written =
            report::feedback::each_sheet(&plan, &pack, &read.accepted, &order, |name, text| {
                let path = dir.join(name);
                guard
                    .check_written(&path)
                    .map_err(|m| CliError::usage(format!("error: {m}")))?;
                write_file(&path, text.as_bytes())
            })?;
        eprintln!(
            "feedback for {} written to {} (Markdown and printable HTML)",
            report::count(written as u64, "trainee"),
            dir.display()
        );
    }
    print_rejects("vignette", &vig_rejects);
    if a.output.is_some() {
        print_rejects("response", &read.rejects);
    }
    if read.rejects.is_empty() && vig_rejects.is_empty() {
        Ok(exit::OK)
    } else {
        Ok(exit::REJECTS)
    }
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fmt {
    Json,
    Md,
    Html,
    Xlsx,
}

fn report_format(p: &Path) -> Result<Fmt, CliError> {
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("json") => Ok(Fmt::Json),
        Some("md") | Some("markdown") => Ok(Fmt::Md),
        Some("html") | Some("htm") => Ok(Fmt::Html),
        Some("xlsx") => Ok(Fmt::Xlsx),
        _ => Err(CliError::usage(format!(
            "error: cannot tell the report format of `{}`: use .json, .md, .html or .xlsx",
            p.display()
        ))),
    }
}

/// Writes a file through a temporary file, naming it in the error.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    super::write_output(path, bytes)
}
