//! `thresholds exercise pack RULES DATA --n N [--seed S] [-o VIGNETTES]
//! [--format csv|md]`: a vignette pack from a sample, as data (CSV with
//! `id`, the declared fields and `indicators`) or as a printable handout.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::super::score::{
    data_error, load_options, no_keep, open_rejects, pseudonymiser, report_rejects,
};
use super::super::{
    commit, guard, guard_scripts, load_rules, output_error, staged, CliError, CliResult, DataArgs,
    ErrorFormat,
};
use thresholds::data::LoadOptions;
use thresholds::exercise::{hard, notes, pack as build};
use thresholds::pipeline;
use thresholds::plan::LevelRank;
use thresholds::report::exercise::markdown;

/// Arguments of `exercise pack`.
#[derive(Args, Debug)]
pub(crate) struct PackArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// The sample to draw vignettes from.
    pub data: PathBuf,
    /// How many vignettes.
    #[arg(long)]
    pub n: usize,
    /// Random seed (the same seed and data give the same pack).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the pack here (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// `csv` (vignettes for `exercise`) or `md` (a printable handout);
    /// default from the extension of -o, else csv.
    #[arg(long, value_enum)]
    pub format: Option<PackFormat>,
    /// Options for reading DATA.
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Pack formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PackFormat {
    /// Vignettes as referral data.
    Csv,
    /// A printable handout of case notes.
    Md,
}

/// Runs `exercise pack`.
pub(super) fn run(a: PackArgs, error_format: ErrorFormat) -> CliResult {
    if a.n == 0 {
        return Err(CliError::usage("error: --n must be at least 1"));
    }
    let format = a.format.unwrap_or_else(|| {
        match a
            .output
            .as_ref()
            .and_then(|o| o.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("md") | Some("markdown") => PackFormat::Md,
            _ => PackFormat::Csv,
        }
    });
    let mut guard = guard(
        &[("the rule file", &a.rules), ("the data file", &a.data)],
        &[
            ("-o", a.output.as_deref()),
            ("--rejects", a.data_args.rejects.as_deref()),
        ],
    )?;
    no_keep(
        &a.data_args,
        "exercise pack",
        "vignettes carry the rule file's fields",
    )?;
    let pseudo = pseudonymiser(&a.data_args)?;
    let plan = load_rules(&a.rules, error_format)?;
    guard_scripts(&mut guard, &plan)?;
    let rejects_out = open_rejects(&a.data_args)?;
    let out_file = a.output.as_deref().map(staged).transpose()?;
    // Vignettes are cases to judge: a recorded decision is not read.
    let opts = LoadOptions {
        decision: None,
        ..load_options(&a.data_args)
    };
    let mut rows = Vec::new();
    let summary = pipeline::run(
        &plan,
        &a.data,
        &opts,
        Some(&mut crate::cli::progress::Bar::default()),
        &mut |row, score| {
            rows.push((row.record.clone(), score.clone()));
            Ok(())
        },
    )
    .map_err(data_error)?;
    if rows.is_empty() {
        return Err(CliError::usage(format!(
            "error: `{}` holds no records that could be scored",
            a.data.display()
        )));
    }
    let cands: Vec<build::Candidate> = rows
        .iter()
        .map(|(rec, score)| build::Candidate {
            level: score.level,
            hard: hard::hardness(&plan, rec, score).is_hard(),
        })
        .collect();
    let chosen = build::select(&cands, a.n, a.seed);
    let text = match format {
        PackFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut out: Result<(), csv::Error> = w.write_record(build::header(&plan));
            for (i, c) in chosen.iter().enumerate() {
                let id = build::vignette_id(i, chosen.len());
                out = out.and_then(|()| w.write_record(build::row(&plan, &rows[*c].0, &id)));
            }
            out.map_err(|e| CliError::usage(format!("error: {e}")))?;
            w.into_inner()
                .map_err(|e| CliError::usage(format!("error: {e}")))?
        }
        PackFormat::Md => {
            let cases: Vec<notes::CaseNotes> = chosen
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    notes::case_notes(&plan, &rows[*c].0, &build::vignette_id(i, chosen.len()))
                })
                .collect();
            markdown::handout(&plan, &cases).into_bytes()
        }
    };
    match out_file {
        Some(mut o) => {
            use std::io::Write;
            let shown = o.target().display().to_string();
            o.write_all(&text)
                .map_err(|e| CliError::usage(format!("error: cannot write `{shown}`: {e}")))?;
            commit(o)?;
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&text)
                .and_then(|()| out.flush())
                .map_err(output_error)?;
        }
    }
    let mut per_level = vec![0usize; plan.decl.levels.len()];
    for c in &chosen {
        if let Some(x) = per_level.get_mut(cands[*c].level.index()) {
            *x += 1;
        }
    }
    let spread: Vec<String> = LevelRank::all()
        .zip(&per_level)
        .map(|(l, n)| format!("{} {n}", plan.level_id(l)))
        .collect();
    eprintln!(
        "pack of {} vignettes from {} records ({}); {} hard case(s)",
        chosen.len(),
        rows.len(),
        spread.join(", "),
        chosen.iter().filter(|c| cands[**c].hard).count()
    );
    if chosen.len() < a.n {
        eprintln!("note: the sample has only {} usable records", rows.len());
    }
    report_rejects(&summary, &a.data_args, pseudo.as_ref(), rejects_out)
}
