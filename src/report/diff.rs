//! Renderers for `thresholds diff`, all from one [`DiffReport`]: Markdown,
//! HTML and Excel render its [`document`] (`report::doc`, which escapes
//! for each format); JSON is the analysis itself ([`json`]); the terminal
//! gets a short summary ([`text`]), a document of its own rendered as text.

pub mod document;
pub mod json;
pub mod text;

use std::path::Path;

use crate::data::Reject;
use crate::diff::{Impact, Structure, Timing};
use crate::report::doc;

/// Everything a diff report shows.
#[derive(Clone, Debug)]
pub struct DiffReport<'a> {
    /// The old rule file as named on the command line.
    pub old_file: String,
    /// The new rule file.
    pub new_file: String,
    /// The data file, when records were scored.
    pub data_file: Option<String>,
    /// What changed in the rules.
    pub structure: &'a Structure,
    /// What the change does to the records (with data).
    pub impact: Option<&'a Impact>,
    /// Data rows read.
    pub read: u64,
    /// Rows that could not be used.
    pub rejects: &'a [Reject],
    /// Timing (left out for reproducible reports).
    pub timing: Option<Timing>,
    /// What the figures rest on (header warnings, a high rejected share),
    /// stated before them.
    pub warnings: &'a [String],
}

/// The report as Markdown.
pub fn markdown(r: &DiffReport<'_>) -> String {
    doc::markdown::render(&document::build(r))
}

/// The report as one self-contained HTML page.
pub fn html(r: &DiffReport<'_>) -> String {
    doc::html::render(&document::build(r))
}

/// Writes the report as an Excel workbook at `path`.
pub fn xlsx(r: &DiffReport<'_>, path: &Path) -> Result<(), rust_xlsxwriter::XlsxError> {
    doc::xlsx::workbook(&document::build(r), doc::xlsx::MAX_ROWS)?.save(path)
}

/// At most this many changed records are listed in text, Markdown and HTML
/// (JSON and Excel list them all).
pub const LIST_LIMIT: usize = 1000;

/// A share as a percentage with one decimal, or an em dash.
pub fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{:.1}%", v * 100.0))
}

/// A statistic with three decimals, or an em dash when undefined.
pub fn stat(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:.3}"))
}

/// A signed statistic with three decimals.
pub fn signed(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{v:+.3}"))
}

/// A p-value: four decimals, or `< 0.0001`.
pub fn p_value(p: f64) -> String {
    if p < 0.0001 {
        "< 0.0001".into()
    } else {
        format!("{p:.4}")
    }
}

/// Seconds, readable.
pub fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

/// The sentence under the timings: how many records each version's
/// scoring time was estimated from.
pub fn timed_note(sampled: u64) -> String {
    match sampled {
        0 => {
            "No record was timed (fewer than 256 rows), so the scoring times are not known.".into()
        }
        1 => "Scoring times are estimated from 1 record timed under each version.".into(),
        n => format!("Scoring times are estimated from {n} records timed under each version."),
    }
}

#[cfg(test)]
mod tests {
    use super::timed_note;

    #[test]
    fn the_timing_note_counts_records_in_plain_english() {
        assert!(
            timed_note(1).contains("from 1 record timed"),
            "{}",
            timed_note(1)
        );
        assert!(timed_note(3).contains("from 3 records timed"));
        assert!(timed_note(0).starts_with("No record was timed"));
    }
}
