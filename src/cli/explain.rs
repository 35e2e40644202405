//! `thresholds explain RULES DATA --id ID` or `--record '{...}'`: the full
//! explanation of one record, on the terminal, as JSON (`--json`) or as a
//! Markdown, HTML or text file (`-o FILE.md|.html|.txt`, one document
//! rendered each way).

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
    #[arg(long, conflicts_with = "output")]
    pub json: bool,
    /// Write the explanation to FILE (.md, .html or .txt) instead of the
    /// terminal.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Options for reading DATA.
    #[command(flatten)]
    pub data_args: super::DataArgs,
}

/// Runs `explain`.
pub(super) fn run(a: ExplainArgs, error_format: ErrorFormat) -> CliResult {
    let kind = a.output.as_deref().map(Kind::of).transpose()?;
    let mut inputs = vec![("the rule file", a.rules.as_path())];
    inputs.extend(a.data.as_deref().map(|d| ("the data file", d)));
    let mut guard = super::guard(&inputs, &[("-o", a.output.as_deref())])?;
    let plan = load_rules(&a.rules, error_format)?;
    super::guard_scripts(&mut guard, &plan)?;
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
    if let (Some(path), Some(kind)) = (&a.output, kind) {
        let d = thresholds::report::explain::document(&e);
        let text = match kind {
            Kind::Markdown => thresholds::report::doc::markdown::render(&d),
            Kind::Html => thresholds::report::doc::html::render(&d),
            Kind::Text => thresholds::report::doc::text::render(&d),
        };
        super::write_output(path, text.as_bytes())?;
        eprintln!("explanation written to {}", path.display());
    } else if a.json {
        let s =
            serde_json::to_string_pretty(&e).map_err(|e| CliError::usage(format!("error: {e}")))?;
        super::print_out(&format!("{s}\n"))?;
    } else {
        super::print_out(&thresholds::report::explain::text(&e))?;
    }
    Ok(exit::OK)
}

/// The formats `-o` writes, by extension.
#[derive(Clone, Copy)]
enum Kind {
    Markdown,
    Html,
    Text,
}

impl Kind {
    fn of(path: &std::path::Path) -> Result<Kind, CliError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("md" | "markdown") => Ok(Kind::Markdown),
            Some("html" | "htm") => Ok(Kind::Html),
            Some("txt") => Ok(Kind::Text),
            _ => Err(CliError::usage(format!(
                "error: cannot tell the format of `{}`; use .md, .html or .txt (or --json for JSON)",
                path.display()
            ))),
        }
    }
}
