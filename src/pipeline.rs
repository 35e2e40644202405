//! Read → parse → score, in order, on both cores: the driver every data
//! command (`score`, `audit`, `exercise`, `diff`) runs on. Rows are read in
//! batches, parsed and scored in parallel, and handed to the caller's sink in
//! input order, so memory stays flat whatever the size of the input.
//!
//! Every format is streamed: CSV and JSON Lines by the reader thread, JSON
//! arrays and Excel sheets by a parsing thread of their own (src/data).

use std::path::Path;

use crate::data::json::JsonLayout;
use crate::data::layout::Layout;
use crate::data::{format_of, DataError, Format, LoadOptions, Row, RowSource};
use crate::eval::Score;
use crate::plan::Plan;

/// Counts at the end of a run: read = scored + rejected, always.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Physical lines of a text file, header included (`None` for a
    /// workbook or a JSON array read element by element).
    pub lines: Option<u64>,
    /// Data rows (records) read.
    pub read: u64,
    /// Rows scored.
    pub scored: u64,
    /// Rows rejected, in input order (the first ones in memory, the rest
    /// in a temporary file).
    pub rejects: Rejects,
    /// What the header check found that every report must state (e.g. an
    /// optional field with no column), once each.
    pub warnings: Vec<String>,
    /// Header columns neither used by the rules nor named by the command.
    pub ignored: Vec<String>,
    /// Records that ran over several lines (quoted line breaks), as
    /// (first line, last line): the first [`SPANS_KEPT`](crate::data::SPANS_KEPT), and how many.
    pub spans: Vec<(u64, u64)>,
    /// How many records ran over several lines.
    pub multiline: u64,
    /// Rows whose id holds an invisible character (zero-width, bidi).
    pub invisible_ids: crate::data::InvisibleIds,
}

impl Summary {
    /// `read N lines, R records: S scored, J rejected` (lines when the
    /// format counts them), the line that always adds up.
    pub fn counts(&self) -> String {
        let lines = match self.lines {
            None => String::new(),
            Some(1) => "1 line, ".to_string(),
            Some(l) => format!("{l} lines, "),
        };
        let records = if self.read == 1 { "record" } else { "records" };
        format!(
            "read {lines}{} {records}: {} scored, {} rejected",
            self.read,
            self.scored,
            self.rejects.len()
        )
    }

    /// Notes for stderr about how the file was read: warnings, ignored
    /// columns, records over several lines. One line each.
    pub fn notes(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .warnings
            .iter()
            .map(|w| format!("warning: {w}"))
            .collect();
        if !self.ignored.is_empty() {
            let shown: Vec<String> = self
                .ignored
                .iter()
                .take(20)
                .map(|c| format!("`{}`", crate::text::shorten(c)))
                .collect();
            v.push(format!(
                "note: {} column(s) not used by the rules or the command: {}{}",
                self.ignored.len(),
                shown.join(", "),
                if self.ignored.len() > 20 { ", ..." } else { "" }
            ));
        }
        if self.multiline > 0 {
            let spans: Vec<String> = self
                .spans
                .iter()
                .take(5)
                .map(|(a, b)| format!("{a}-{b}"))
                .collect();
            v.push(format!(
                "note: {} record(s) ran over several lines (quoted line breaks): lines {}{}",
                self.multiline,
                spans.join(", "),
                if self.multiline > 5 { ", ..." } else { "" }
            ));
        }
        v
    }

    /// Takes what the parsers' header checks found: every warning once,
    /// and the columns that no plan uses.
    fn add_header(&mut self, parsers: &[Parser]) {
        let layouts: Vec<&Layout> = parsers
            .iter()
            .filter_map(|p| match p {
                Parser::Cells(l) => Some(l),
                Parser::Json(_) => None,
            })
            .collect();
        for l in &layouts {
            for w in &l.warnings {
                if !self.warnings.contains(w) {
                    self.warnings.push(w.clone());
                }
            }
        }
        if let Some((first, rest)) = layouts.split_first() {
            self.ignored = first
                .ignored
                .iter()
                .filter(|c| rest.iter().all(|l| l.ignored.contains(c)))
                .cloned()
                .collect();
        }
    }
}

mod engine;
pub mod notes;
mod progress;
pub mod rejects;

pub use progress::Progress;
pub use rejects::Rejects;

use engine::drive;
pub use engine::{OnePlan, Parser, RowWork, Slot, SlotSink, BATCH};

/// Opens the reader for a file.
fn open(path: &Path, opts: &LoadOptions) -> Result<Box<dyn RowSource>, DataError> {
    let format = format_of(path, opts.format).ok_or_else(|| DataError::Format {
        path: path.to_path_buf(),
        message: "cannot tell the format from the file name: use .csv, .json, .jsonl, .xlsx or .xml (a CIN census), or give --input-format".into(),
    })?;
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(DataError::Io {
            path: path.to_path_buf(),
            message: "it is a directory, not a data file".into(),
        });
    }
    Ok(match format {
        Format::Csv => Box::new(crate::data::csv::CsvSource::open(path)?),
        Format::Json => Box::new(crate::data::json::JsonArraySource::open(path)?),
        Format::Jsonl => Box::new(crate::data::json::JsonlSource::open(path)?),
        Format::Xlsx => Box::new(crate::data::xlsx::XlsxSource::open(
            path,
            opts.sheet.as_deref(),
        )?),
        Format::Cin => crate::data::cin::chunked::open(path)?,
    })
}

/// How each plan reads the file's rows.
fn parser(
    plan: &Plan,
    path: &Path,
    source: &dyn RowSource,
    opts: &LoadOptions,
) -> Result<Parser, DataError> {
    let derived = source.derived_header();
    source.check_plan(plan).map_err(|e| DataError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(match source.header() {
        Some(h) => Parser::Cells(Layout::of(plan, path, h, opts, derived).map_err(
            |e| match e {
                DataError::NoColumn { name, available } => DataError::NoColumn {
                    available: match source.context() {
                        Some(note) => format!("{available}; {note}"),
                        None => available,
                    },
                    name,
                },
                other => other,
            },
        )?),
        None => Parser::Json(JsonLayout::new(plan, opts)),
    })
}

/// `progress`, told the input's size, when there is a sink and the input is
/// read as a stream of bytes (CSV, JSON Lines), so that positions mean
/// something; otherwise `None`, and the run does no progress work.
fn started<'a>(
    progress: Option<&'a mut dyn Progress>,
    path: &Path,
    opts: &LoadOptions,
) -> Option<&'a mut dyn Progress> {
    let progress = progress?;
    let streamed = matches!(
        format_of(path, opts.format),
        Some(Format::Csv | Format::Jsonl | Format::Cin)
    );
    let len = std::fs::metadata(path).ok()?.len();
    streamed.then(|| {
        progress.start(len);
        progress
    })
}

/// Reads, scores and hands each row to `sink` in input order, telling
/// `progress` (if any) how far it has read.
pub fn run(
    plan: &Plan,
    path: &Path,
    opts: &LoadOptions,
    progress: Option<&mut dyn Progress>,
    sink: &mut dyn FnMut(&Row, &Score) -> Result<(), DataError>,
) -> Result<Summary, DataError> {
    run_with(
        &[plan],
        path,
        opts,
        progress,
        |[parser]| OnePlan {
            plan,
            parsers: [parser],
        },
        &mut |slot| match (slot.rows.first(), slot.scores.first()) {
            (Some(r), Some(s)) => sink(r, s),
            _ => Ok(()),
        },
    )
}

/// Reads `path` once for `N` plans, each parsing its rows its own way, and
/// has the work `work` builds from their parsers score every row; hands
/// each slot to `sink` in input order, telling `progress` (if any) how far
/// it has read. [`run`] is the one-plan case; `diff` scores two.
pub fn run_with<W: RowWork, const N: usize>(
    plans: &[&Plan; N],
    path: &Path,
    opts: &LoadOptions,
    progress: Option<&mut dyn Progress>,
    work: impl FnOnce([Parser; N]) -> W,
    sink: &mut SlotSink<'_, W::Extra>,
) -> Result<Summary, DataError> {
    let source = open(path, opts)?;
    let mut parsers = Vec::with_capacity(N);
    for plan in plans {
        parsers.push(parser(plan, path, source.as_ref(), opts)?);
    }
    let parsers: [Parser; N] = parsers.try_into().map_err(|_| DataError::Format {
        path: path.to_path_buf(),
        message: "internal: one parser per rule set".into(),
    })?;
    let work = work(parsers);
    let mut summary = drive(&work, source, opts, started(progress, path, opts), sink)?;
    summary.add_header(work.parsers());
    Ok(summary)
}
