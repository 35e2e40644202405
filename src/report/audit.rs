//! Audit reports (SPEC §6): JSON, CSV (the evidence list), Markdown, HTML,
//! Excel and a terminal summary, all from one [`Audit`]; Markdown, HTML
//! and Excel render its one document ([`document`]). Each opens with the
//! board's standing questions answered in plain English ([`summary`]).

pub mod csv;
pub mod document;
pub mod html;
pub mod json;
pub mod markdown;
pub mod summary;
pub mod tables;
pub mod text;

use std::path::Path;

use crate::audit::{Audit, Stats};

/// Report formats, chosen by the extension of `-o`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.json`: every figure, machine-readable.
    Json,
    /// `.csv`: the evidence list.
    Csv,
    /// `.md`: Markdown.
    Markdown,
    /// `.html`: one self-contained page with charts.
    Html,
    /// `.xlsx`: a workbook.
    Xlsx,
}

impl Format {
    /// The format for a report path, from its extension.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// Why an audit report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A CSV record could not be written.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
    /// The CSV writer could not be flushed.
    #[error("cannot write CSV: {0}")]
    CsvFlush(std::io::Error),
    /// The workbook could not be built.
    #[error("cannot write the workbook: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
}

/// Renders `audit` in `format`.
pub fn render(audit: &Audit, format: Format) -> Result<Vec<u8>, RenderError> {
    Ok(match format {
        Format::Json => json::render(audit).into_bytes(),
        Format::Csv => csv::render(audit)?,
        Format::Markdown => markdown::render(audit).into_bytes(),
        Format::Html => html::render(audit).into_bytes(),
        Format::Xlsx => crate::report::doc::xlsx::render(&document::build(audit))?,
    })
}

/// How the figures are defined, for every human-facing report.
pub const METHOD: [&str; 6] = [
    "n counts records with a recorded decision; records without one are scored but not compared.",
    "over: the decision's level is above the rules' level; under: below it (possible missed need). Distance = decision rank minus rules rank.",
    "Observed agreement has a Wilson 95% interval. Cohen's kappa has the asymptotic standard error of Fleiss, Cohen and Everitt (1969) and a 95% interval of ±1.96 SE.",
    "Weighted kappa uses linear (Cicchetti–Allison) or quadratic (Fleiss–Cohen) weights on the ranks of the full scale of levels; Gwet's AC1 also uses every level of the scale.",
    "Bands for kappa and AC1 (Landis and Koch 1977): below 0 poor, up to 0.20 slight, 0.40 fair, 0.60 moderate, 0.80 substantial, above almost perfect.",
    "Fewer than 30 decisions give wide intervals: such groups are marked too few to judge. A safeguarding alert is a decision below the top level where the rules say the top level.",
];

/// A share as a percentage with one decimal, e.g. `68.3%`.
pub fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// An optional share, or `–`.
pub fn opt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), pct)
}

/// An interval of shares, e.g. `61.2%–74.0%`.
pub fn pct_ci(ci: Option<(f64, f64)>) -> String {
    ci.map_or_else(|| "–".into(), |(l, h)| format!("{}–{}", pct(l), pct(h)))
}

/// Kappa for a person: the value, or why there is none.
pub fn kappa_text(s: &Stats) -> String {
    match (s.kappa, s.kappa_undefined()) {
        (Some(k), _) => format!("{:.3}", k.value),
        (None, Some(why)) => why.to_string(),
        (None, None) => "–".into(),
    }
}

/// A caution for a person reading a group's figures, if one is due.
pub fn caution(s: &Stats) -> &'static str {
    if s.n == 0 {
        "no decisions"
    } else if s.small() {
        "too few to judge (n < 30)"
    } else if s.kappa.is_none() {
        "kappa undefined: one level only"
    } else {
        ""
    }
}

/// The value shown for a group value that is blank in the data.
pub fn group_value(v: &str) -> &str {
    if v.trim().is_empty() {
        "(blank)"
    } else {
        v
    }
}
