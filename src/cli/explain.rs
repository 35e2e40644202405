//! `thresholds explain RULES DATA --id ID` or `--record '{...}'`: the full
//! explanation of one record.

use std::path::PathBuf;

use clap::Args;

use super::{exit, load_rules, CliError, CliResult, ErrorFormat};

/// Arguments of `explain`.
#[derive(Args, Debug)]
pub(crate) struct ExplainArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// The referral data holding the record.
    pub data: Option<PathBuf>,
    /// The record's id in DATA.
    #[arg(long)]
    pub id: Option<String>,
    /// A single record as a JSON object instead of DATA.
    #[arg(long, conflicts_with = "data")]
    pub record: Option<String>,
    /// Print the explanation as JSON.
    #[arg(long)]
    pub json: bool,
    /// Options for reading DATA.
    #[command(flatten)]
    pub data_args: super::DataArgs,
}

/// Runs `explain`.
pub(super) fn run(a: ExplainArgs, error_format: ErrorFormat) -> CliResult {
    let plan = load_rules(&a.rules, error_format)?;
    let (rec, decision, decision_text) = match (&a.record, &a.data) {
        (Some(json), _) => {
            // Read as data files are: a key twice is refused, the id kept
            // as written.
            use thresholds::data::json::Element;
            let v: Element = serde_json::from_str(json)
                .map_err(|e| CliError::usage(format!("error: --record is not valid JSON: {e}")))?;
            let Element::Object(obj) = v else {
                return Err(CliError::usage("error: --record must be a JSON object"));
            };
            if let Some((first, second)) = &obj.twice {
                return Err(CliError::usage(format!(
                    "error: --record has the key `{}` twice (as `{}` and `{}`; keys are matched ignoring case)",
                    thresholds::text::shorten(first),
                    thresholds::text::shorten(first),
                    thresholds::text::shorten(second)
                )));
            }
            let obj: serde_json::Map<String, serde_json::Value> = obj.pairs.into_iter().collect();
            let mut rec =
                thresholds::data::record_from_json(&plan, &obj).map_err(|(col, why)| {
                    CliError::usage(format!("error: --record: `{col}`: {why}"))
                })?;
            if rec.id.is_empty() {
                rec.id = "record".into();
            }
            (rec, None, None)
        }
        (None, Some(data)) => {
            let id =
                a.id.as_deref()
                    .ok_or_else(|| CliError::usage("error: give the record's id with --id ID"))?;
            let row = super::find_record(&plan, data, &a.data_args, id)?;
            (row.record, row.decision, row.decision_text)
        }
        (None, None) => {
            return Err(CliError::usage(
                "error: give DATA and --id ID, or --record '{...}'",
            ))
        }
    };
    let e = thresholds::explain::explain(&plan, &rec)
        .map_err(|e| CliError::rules(format!("error: record `{}`: {e}", rec.id)))?
        .with_decision(&plan, decision, decision_text.as_deref());
    if a.json {
        let s =
            serde_json::to_string_pretty(&e).map_err(|e| CliError::usage(format!("error: {e}")))?;
        super::print_out(&format!("{s}\n"))?;
    } else {
        super::print_out(&thresholds::report::explain::text(&e))?;
    }
    Ok(exit::OK)
}
