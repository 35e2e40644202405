//! `thresholds audit RULES DATA`: agreement between recorded decisions and
//! the rules, as audit evidence (SPEC §6). Reads with the shared pipeline,
//! aggregates with [`thresholds::audit`], renders with [`thresholds::report::audit`]
//! by the extension of `-o` (a terminal summary without it).

use std::path::PathBuf;

use clap::Args;

use std::io::Write;

use super::score::{self, load_options, no_keep, open_rejects, pseudonymiser, report_rejects};
use super::{
    commit, guard, guard_scripts, load_rules, print_out, staged, CliError, CliResult, DataArgs,
    ErrorFormat,
};
use thresholds::audit::{Audit, Auditor, Columns, PeriodBy};
use thresholds::data::{DataError, Reject};
use thresholds::pipeline;
use thresholds::plan::Plan;
use thresholds::report::audit::{self as report, Format as ReportFormat};

/// Arguments of `audit`.
#[derive(Args, Debug)]
pub(crate) struct AuditArgs {
    /// The rule file (.thr).
    pub rules: PathBuf,
    /// The referral sample (CSV, JSON, JSON Lines or Excel).
    pub data: PathBuf,
    /// Also give the statistics for each value of these columns (e.g. agency).
    #[arg(long, value_delimiter = ',')]
    pub by: Vec<String>,
    /// Column holding the recorded rationale for a decision: evidence then tells
    /// documented overrides from undocumented disagreements.
    #[arg(long)]
    pub reason: Option<String>,
    /// Column holding the period, for the trend: dates (2025-06-30,
    /// 30/06/2025, Excel dates) or period labels (2025-Q2, Q2 2025,
    /// 2025/26 Q1, Jun-25, June 2025, 2025-06, 2025), ordered by time.
    #[arg(long)]
    pub period: Option<String>,
    /// How dates in the --period column are grouped: month (2025-06),
    /// quarter (2025-Q2), fy-quarter (April-to-March financial year,
    /// 2025/26 Q1) or year (2025). Period labels are kept as written.
    #[arg(long, value_enum)]
    pub period_by: Option<PeriodBy>,
    /// Write the report here; the format follows the extension:
    /// .html, .md, .json, .csv (the evidence list) or .xlsx.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Data options.
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Runs `audit`.
pub(super) fn run(a: AuditArgs, error_format: ErrorFormat) -> CliResult {
    let format = match &a.output {
        Some(p) => Some(ReportFormat::of(p).ok_or_else(|| {
            CliError::usage(format!(
                "error: cannot tell the report format of `{}`; use .html, .md, .json, .csv or .xlsx",
                p.display()
            ))
        })?),
        None => None,
    };
    if a.period_by.is_some() && a.period.is_none() {
        return Err(CliError::usage(
            "error: --period-by needs --period COL (the column holding dates or periods)",
        ));
    }
    let d = &a.data_args;
    let mut guard = guard(
        &[("the rule file", &a.rules), ("the data file", &a.data)],
        &[
            ("-o", a.output.as_deref()),
            ("--rejects", d.rejects.as_deref()),
        ],
    )?;
    no_keep(d, "audit", "--by COL breaks the audit down by a column")?;
    let pseudo = pseudonymiser(d)?;
    if pseudo.is_some() {
        let mut named: Vec<(&str, &str)> = a.by.iter().map(|b| ("--by", b.as_str())).collect();
        named.extend(a.reason.as_deref().map(|r| ("--reason", r)));
        named.extend(a.period.as_deref().map(|p| ("--period", p)));
        score::refuse_id_column(&named)?;
    }
    let plan = load_rules(&a.rules, error_format)?;
    guard_scripts(&mut guard, &plan)?;
    let rejects_out = open_rejects(d)?;
    let file = a.output.as_deref().map(staged).transpose()?;
    let columns = Columns {
        by: a.by.iter().map(|c| c.trim().to_string()).collect(),
        reason: a.reason.clone(),
        period: a.period.clone(),
        period_by: a.period_by.unwrap_or_default(),
    };
    let mut opts = load_options(d);
    opts.extra = columns.extra();
    // The decision column must exist for an audit: asking for it as well
    // makes a missing one an error that lists the columns there are.
    opts.extra.push(d.decision.clone());
    let mut auditor = Auditor::new(&plan, columns);
    let summary = pipeline::run(
        &plan,
        &a.data,
        &opts,
        Some(&mut crate::cli::progress::Bar::default()),
        &mut |row, score| {
            auditor.add(row, score);
            Ok(())
        },
    )
    .map_err(|e| data_error(e, &a))?;
    let rejects = super::score::all_rejects(&summary.rejects)?;
    // Under --pseudonymise the report's rejects carry pseudonyms and
    // value-free reasons, and so do the warnings built from them.
    let rejects = match &pseudo {
        Some(p) => p.rejects(&rejects),
        None => rejects,
    };
    let mut audit = auditor.finish(summary.read, rejects);
    audit.warnings = thresholds::pipeline::notes::warnings(&summary, &audit.rejected);
    if let Some(note) = audit.period_notes.text() {
        eprintln!("warning: {note}");
    }
    nothing_to_audit(&audit, &plan, &d.decision, &a.data)?;
    if let Some(p) = &pseudo {
        for e in &mut audit.evidence {
            e.id = p.id(&e.id);
        }
    }
    match (file, format) {
        (Some(mut file), Some(f)) => {
            let bytes =
                report::render(&audit, f).map_err(|m| CliError::usage(format!("error: {m}")))?;
            let shown = file.target().display().to_string();
            file.write_all(&bytes)
                .map_err(|e| CliError::usage(format!("error: cannot write `{shown}`: {e}")))?;
            commit(file)?;
            eprintln!("audit of {} decisions written to {shown}", audit.overall.n);
        }
        _ => print_out(&report::text::render(&audit))?,
    }
    report_rejects(&summary, d, pseudo.as_ref(), rejects_out)
}

/// A data error as the user should read it, naming the flag at fault.
fn data_error(e: DataError, a: &AuditArgs) -> CliError {
    match &e {
        DataError::NoColumn { name, .. } => {
            let flag = if a.by.iter().any(|b| b.trim() == name) {
                "--by"
            } else if a.reason.as_deref() == Some(name.as_str()) {
                "--reason"
            } else if a.period.as_deref() == Some(name.as_str()) {
                "--period"
            } else if a
                .data_args
                .decision
                .trim()
                .eq_ignore_ascii_case(name.trim())
            {
                "--decision"
            } else {
                return CliError::usage(format!("error: {e}"));
            };
            CliError::usage(format!("error: {e} (check {flag})"))
        }
        _ => score::data_error(e),
    }
}

/// Refuses to write a report without a single decision to compare.
fn nothing_to_audit(
    audit: &Audit,
    plan: &Plan,
    decision: &str,
    data: &std::path::Path,
) -> Result<(), CliError> {
    if audit.overall.n > 0 {
        return Ok(());
    }
    let unmapped: Vec<&Reject> = audit
        .rejected
        .iter()
        .filter(|r| r.column == decision)
        .collect();
    let message = if audit.read == 0 {
        format!("error: `{}` has no data rows", data.display())
    } else if !unmapped.is_empty() && audit.scored == 0 {
        let mut known: Vec<&str> = plan.decl.decisions.keys().map(String::as_str).collect();
        known.sort_unstable();
        format!(
            "error: no value in column `{decision}` maps to a level of the rule file ({} rows rejected, e.g. row {}: {}); \
             the rule file's `decisions` block and its level ids and labels are what maps, e.g. {}",
            unmapped.len(),
            unmapped[0].row,
            unmapped[0].reason,
            known.iter().take(8).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        )
    } else if audit.scored == 0 {
        let first = audit
            .rejected
            .first()
            .map(|r| format!("; first: row {}{}: {}", r.row, r.column_phrase(), r.reason))
            .unwrap_or_default();
        format!(
            "error: all {} rows were rejected, nothing to audit{first}",
            audit.read
        )
    } else {
        format!(
            "error: none of the {} scored records has a decision in column `{decision}`; \
             name the decision column with --decision COL",
            audit.scored
        )
    };
    Err(CliError::usage(message))
}
