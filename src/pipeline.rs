//! Read → parse → score, in order, on both cores: the driver every data
//! command (`score`, `audit`, `exercise`, `diff`) runs on. Rows are read in
//! batches, parsed and scored in parallel, and handed to the caller's sink in
//! input order, so memory stays flat whatever the size of the input.
//!
//! CONTRACT (implemented by the data-loading work; signatures are fixed):

use std::path::{Path, PathBuf};

use crate::eval::Score;
use crate::plan::{Plan, Record};

/// Input formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV.
    Csv,
    /// A JSON array of objects.
    Json,
    /// JSON Lines.
    Jsonl,
    /// Excel.
    Xlsx,
}

/// How to read a data file.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The format; `None` = from the extension.
    pub format: Option<Format>,
    /// Excel sheet (default: the first).
    pub sheet: Option<String>,
    /// The decision column (default `decision`; absent column = no decisions).
    pub decision: Option<String>,
    /// Columns carried through to outputs (`--keep`), in this order.
    pub keep: Vec<String>,
    /// Columns a command needs (e.g. `--by`, `--reason`, `--period`); each
    /// must exist, else [`DataError::NoColumn`].
    pub extra: Vec<String>,
    /// Stop at the first reject.
    pub strict: bool,
}

/// A readable row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Line in the file (header = line 1) or sheet row (1-based); JSON
    /// arrays: the element's 1-based index.
    pub line: u64,
    /// The record (its `id` set).
    pub record: Record,
    /// The recorded decision's level, when the row has one.
    pub decision: Option<u8>,
    /// The recorded decision as written.
    pub decision_text: Option<String>,
    /// `--keep` values, in `LoadOptions::keep` order.
    pub keep: Vec<String>,
    /// `LoadOptions::extra` values, in that order.
    pub extra: Vec<String>,
}

/// A row that could not be used.
#[derive(Clone, Debug, PartialEq)]
pub struct Reject {
    /// Line (header = 1) or sheet row.
    pub row: u64,
    /// The row's id when it could be read.
    pub id: Option<String>,
    /// The column at fault (or `row` for the row as a whole).
    pub column: String,
    /// Why.
    pub reason: String,
}

/// Errors that stop reading.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Cannot open or read.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The file is not in the format expected.
    #[error("`{path}`: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What went wrong, with the place.
        message: String,
    },
    /// A named column does not exist.
    #[error("no column `{name}` in the data; columns are {available}")]
    NoColumn {
        /// The column asked for.
        name: String,
        /// The columns that exist, listed.
        available: String,
    },
    /// `--strict` and a row was rejected.
    #[error("row {}: column `{}`: {}", .0.row, .0.column, .0.reason)]
    Strict(Reject),
    /// The sink asked to stop.
    #[error("{0}")]
    Sink(String),
}

/// Counts at the end of a run: read = scored + rejected, always.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Data rows read.
    pub read: u64,
    /// Rows scored.
    pub scored: u64,
    /// Rows rejected, in input order.
    pub rejects: Vec<Reject>,
}

/// Chooses the format from an explicit choice or the extension.
pub fn format_of(path: &Path, explicit: Option<Format>) -> Option<Format> {
    explicit.or_else(|| {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    })
}

/// Reads, scores and hands each row to `sink` in input order.
pub fn run(
    plan: &Plan,
    path: &Path,
    opts: &LoadOptions,
    sink: &mut dyn FnMut(&Row, &Score) -> Result<(), DataError>,
) -> Result<Summary, DataError> {
    let _ = (plan, path, opts, sink);
    Err(DataError::Sink("data loading is being written".into()))
}

/// Reads once and scores every row under two rule sets (for `diff`). A row
/// rejected under either is rejected (reported once, with both reasons).
pub fn run_two(
    old: &Plan,
    new: &Plan,
    path: &Path,
    opts: &LoadOptions,
    sink: &mut dyn FnMut(&Row, &Score, &Row, &Score) -> Result<(), DataError>,
) -> Result<Summary, DataError> {
    let _ = (old, new, path, opts, sink);
    Err(DataError::Sink("data loading is being written".into()))
}
