//! The data types every reader produces and every later stage consumes:
//! how to read a file ([`LoadOptions`], [`Format`]), a readable [`Row`], a
//! [`Reject`], and the [`DataError`]s that stop reading. They live in the
//! data layer so that readers need nothing from the pipeline above them.

use std::path::{Path, PathBuf};

use crate::plan::{LevelRank, Plan, Record};

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
    /// A DfE children in need census message (XML).
    Cin,
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
#[derive(Debug, PartialEq)]
pub struct Row {
    /// Line in the file (header = line 1) or sheet row (1-based); JSON
    /// arrays: the element's 1-based index.
    pub line: u64,
    /// The record (its `id` set).
    pub record: Record,
    /// The recorded decision's level, when the row has one.
    pub decision: Option<LevelRank>,
    /// The recorded decision as written.
    pub decision_text: Option<String>,
    /// `--keep` values, in `LoadOptions::keep` order.
    pub keep: Vec<String>,
    /// `LoadOptions::extra` values, in that order.
    pub extra: Vec<String>,
}

impl Clone for Row {
    fn clone(&self) -> Self {
        Row {
            line: self.line,
            record: self.record.clone(),
            decision: self.decision,
            decision_text: self.decision_text.clone(),
            keep: self.keep.clone(),
            extra: self.extra.clone(),
        }
    }

    /// Copies into the existing buffers (the pipeline reuses rows).
    fn clone_from(&mut self, other: &Self) {
        self.line = other.line;
        self.record.clone_from(&other.record);
        self.decision = other.decision;
        self.decision_text.clone_from(&other.decision_text);
        self.keep.clone_from(&other.keep);
        self.extra.clone_from(&other.extra);
    }
}

impl Row {
    /// A fresh row for `plan` with `keep` and `extra` empty values.
    pub fn blank(plan: &Plan, keep: usize, extra: usize) -> Self {
        Row {
            line: 0,
            record: Record::empty(plan),
            decision: None,
            decision_text: None,
            keep: vec![String::new(); keep],
            extra: vec![String::new(); extra],
        }
    }
}

/// A row that could not be used.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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

/// The `column` of a reject whose fault is the row as a whole (a rule or
/// script error, an id held twice).
pub const WHOLE_ROW: &str = "row";

impl Reject {
    /// Where in its row the fault is, for a sentence: ``, column `x` `` or
    /// nothing when the row as a whole is at fault.
    pub fn column_phrase(&self) -> String {
        if self.column == WHOLE_ROW {
            String::new()
        } else {
            format!(", column `{}`", self.column)
        }
    }
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
    #[error("row {}{}: {}", .0.row, .0.column_phrase(), .0.reason)]
    Strict(Reject),
    /// The sink asked to stop.
    #[error("{0}")]
    Sink(String),
}

/// How many multi-line record spans a summary keeps to show.
pub const SPANS_KEPT: usize = 20;

/// Chooses the format from an explicit choice or the extension.
pub fn format_of(path: &Path, explicit: Option<Format>) -> Option<Format> {
    explicit.or_else(
        || match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "xlsx" => Some(Format::Xlsx),
            "xml" => Some(Format::Cin),
            _ => None,
        },
    )
}
