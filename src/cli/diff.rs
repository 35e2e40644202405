//! `thresholds diff OLD NEW [DATA] [-o REPORT]`: what a new version of the
//! rules changes. Without data, the structural changes; with data, both
//! versions scored on the same records in one pass (SPEC §8).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;

use std::io::Write;

use super::score::{
    data_error, load_options, no_keep, open_rejects, pseudonymiser, report_rejects,
};
use super::{
    commit, exit, guard, guard_scripts, load_rules, print_out, staged, CliError, CliResult,
    DataArgs, ErrorFormat,
};
use thresholds::data::LoadOptions;
use thresholds::diff::{self, ImpactBuilder, Side, Timing};
use thresholds::output::Staged;
use thresholds::pipeline::Summary;
use thresholds::plan::Plan;
use thresholds::report::diff::{self as render, DiffReport};

/// Arguments of `diff`.
#[derive(Args, Debug)]
pub(crate) struct DiffArgs {
    /// The rules in force.
    pub old: PathBuf,
    /// The proposed rules.
    pub new: PathBuf,
    /// Referral data to score under both (omit for the structural changes only).
    pub data: Option<PathBuf>,
    /// Write a report; the format follows the extension: .md, .html, .json, .xlsx.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Leave timings out of every output, the JSON report and the terminal
    /// summary included (a re-run then gives the same file).
    #[arg(long, conflicts_with = "timing")]
    pub no_timing: bool,
    /// Put timings in a Markdown, HTML or Excel report too (by default only
    /// the JSON report and the terminal summary carry them: a board reading
    /// the report has no use for them).
    #[arg(long)]
    pub timing: bool,
    /// Data options.
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReportFormat {
    Json,
    Markdown,
    Html,
    Xlsx,
}

fn report_format(path: &Path) -> Result<ReportFormat, CliError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("json") => Ok(ReportFormat::Json),
        Some("md" | "markdown") => Ok(ReportFormat::Markdown),
        Some("html" | "htm") => Ok(ReportFormat::Html),
        Some("xlsx") => Ok(ReportFormat::Xlsx),
        _ => Err(CliError::usage(format!(
            "error: cannot tell the report format of `{}`: use .md, .html, .json or .xlsx",
            path.display()
        ))),
    }
}

/// Loads both rule files; the errors of either (or both) end the command.
fn load_both(a: &DiffArgs, error_format: ErrorFormat) -> Result<(Plan, Plan), CliError> {
    let old = load_rules(&a.old, error_format);
    let new = load_rules(&a.new, error_format);
    match (old, new) {
        (Ok(o), Ok(n)) => Ok((o, n)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(e1), Err(e2)) => {
            let code = e1.code.max(e2.code);
            Err(CliError {
                code,
                message: format!("{}\n{}", e1.message.trim_end(), e2.message),
            })
        }
    }
}

/// Scores the data under both versions in one pass.
fn score_both(
    old: &Plan,
    new: &Plan,
    data: &Path,
    opts: &LoadOptions,
) -> Result<(diff::Impact, Summary, Timing), CliError> {
    let mut b = ImpactBuilder::new(old, new);
    let (mut t_old, mut t_new) = (Duration::ZERO, Duration::ZERO);
    let mut sampled = 0u64;
    let start = Instant::now();
    let summary = thresholds::diff::run_two(
        old,
        new,
        data,
        opts,
        Some(&mut crate::cli::progress::Bar::default()),
        &mut |ro, so, rn, sn, timing| {
            if let Some([a, b2]) = timing {
                t_old += a;
                t_new += b2;
                sampled += 1;
            }
            b.add(ro, so, rn, sn);
            Ok(())
        },
    )
    .map_err(data_error)?;
    let wall = start.elapsed().as_secs_f64();
    let scale = if sampled > 0 {
        summary.scored as f64 / sampled as f64
    } else {
        0.0
    };
    let timing = Timing {
        wall_seconds: wall,
        old_seconds: t_old.as_secs_f64() * scale,
        new_seconds: t_new.as_secs_f64() * scale,
        sampled,
        records: summary.scored,
    };
    Ok((b.finish(), summary, timing))
}

/// Runs `diff`.
pub(super) fn run(a: DiffArgs, error_format: ErrorFormat) -> CliResult {
    let format = a.output.as_deref().map(report_format).transpose()?;
    let mut inputs: Vec<(&str, &Path)> =
        vec![("the old rule file", &a.old), ("the new rule file", &a.new)];
    if let Some(d) = &a.data {
        inputs.push(("the data file", d));
    }
    let mut guard = guard(
        &inputs,
        &[
            ("-o", a.output.as_deref()),
            ("--rejects", a.data_args.rejects.as_deref()),
        ],
    )?;
    no_keep(&a.data_args, "diff", "the changed records are listed by id")?;
    let pseudo = match &a.data {
        Some(_) => pseudonymiser(&a.data_args)?,
        None => None,
    };
    let (old, new) = load_both(&a, error_format)?;
    if let Some(w) = examples_warning(&new) {
        eprintln!("warning: {}", thresholds::text::shorten_all(&w));
    }
    guard_scripts(&mut guard, &old)?;
    guard_scripts(&mut guard, &new)?;
    let rejects_out = match &a.data {
        Some(_) => open_rejects(&a.data_args)?,
        None => None,
    };
    let file = a.output.as_deref().map(staged).transpose()?;
    let side = |p: &Plan| Side::of(p).map_err(|d| CliError::rules(format!("error: {d}")));
    let structure = diff::compare(&side(&old)?, &side(&new)?);

    let (impact, summary, timing) = match &a.data {
        Some(data) => {
            let opts = load_options(&a.data_args);
            let (mut i, s, t) = score_both(&old, &new, data, &opts)?;
            if let Some(p) = &pseudo {
                i.changes.iter_mut().for_each(|c| c.id = p.id(&c.id));
                i.flag_changes.iter_mut().for_each(|c| c.id = p.id(&c.id));
            }
            (Some(i), s, Some(t))
        }
        None => (None, Summary::default(), None),
    };
    let rejects = super::score::all_rejects(&summary.rejects)?;
    // Under --pseudonymise the report's rejects carry pseudonyms and
    // value-free reasons, and so do the warnings built from them.
    let rejects = match &pseudo {
        Some(p) => p.rejects(&rejects),
        None => rejects,
    };
    // A proposal that fails its own examples is stated first: every figure
    // below describes rules their authors' own cases say are wrong.
    let mut warnings: Vec<String> = examples_warning(&new).into_iter().collect();
    warnings.extend(thresholds::pipeline::notes::warnings(&summary, &rejects));
    let report = DiffReport {
        old_file: file_name(&a.old),
        new_file: file_name(&a.new),
        data_file: a.data.as_deref().map(file_name),
        structure: &structure,
        impact: impact.as_ref(),
        read: summary.read,
        rejects: &rejects,
        timing: if shows_timing(&a, format) {
            timing
        } else {
            None
        },
        warnings: &warnings,
    };
    match (file, format) {
        (Some(mut file), Some(f)) => {
            let path = file.target().to_path_buf();
            let written = match f {
                ReportFormat::Json => write(&mut file, render::json::render(&report)),
                ReportFormat::Markdown => write(&mut file, render::markdown(&report)),
                ReportFormat::Html => write(&mut file, render::html(&report)),
                ReportFormat::Xlsx => match file.temp_path() {
                    Some(tmp) => render::xlsx(&report, tmp).map_err(std::io::Error::other),
                    None => Err(std::io::Error::other("the output was already written")),
                },
            };
            written.map_err(|m| {
                CliError::usage(format!("error: cannot write `{}`: {m}", path.display()))
            })?;
            commit(file)?;
            if let Some(i) = &impact {
                eprintln!(
                    "{}: {} records, {} changed level, kappa {} → {}",
                    path.display(),
                    i.n,
                    i.changed,
                    render::stat(i.agreement.old.kappa),
                    render::stat(i.agreement.new.kappa)
                );
            } else {
                eprintln!("{}: {} changes", path.display(), structure.changes.len());
            }
        }
        _ => print_out(&render::text::render(&report))?,
    }
    if a.data.is_some() {
        return report_rejects(&summary, &a.data_args, pseudo.as_ref(), rejects_out);
    }
    Ok(exit::OK)
}

/// The examples of the new rules that fail (as `thresholds test` runs
/// them), as one sentence; `None` when all pass.
fn examples_warning(new: &Plan) -> Option<String> {
    const NAMED: usize = 5;
    let failed: Vec<String> = new
        .examples
        .iter()
        .filter_map(|ex| {
            super::test::run_example(new, ex).map(|why| format!("“{}” ({why})", ex.name))
        })
        .collect();
    if failed.is_empty() {
        return None;
    }
    let total = new.examples.len();
    let mut named = failed
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if failed.len() > NAMED {
        named = format!("{named} and {} more", failed.len() - NAMED);
    }
    Some(format!(
        "The new rules fail {} of their own {} {}, so they do not do what their authors \
         wrote they should (`thresholds test` on the new rule file lists them): {named}.",
        failed.len(),
        total,
        if total == 1 { "example" } else { "examples" },
    ))
}

/// Whether the output carries timings: JSON and the terminal summary by
/// default, a board report (Markdown, HTML, Excel) only when asked.
fn shows_timing(a: &DiffArgs, format: Option<ReportFormat>) -> bool {
    match format {
        _ if a.no_timing => false,
        None | Some(ReportFormat::Json) => true,
        Some(ReportFormat::Markdown | ReportFormat::Html | ReportFormat::Xlsx) => a.timing,
    }
}

/// A file as a report names it: its name only, for a local path (the
/// folders a file sits in say nothing to a reader of the report, and may
/// say more than they should).
fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Writes a rendered report to the staged output.
fn write(file: &mut Staged, text: String) -> std::io::Result<()> {
    file.write_all(text.as_bytes())
}
