//! CSV reading as a stream: the header once, then one reused byte record per
//! row, with the line where each row starts (quoted cells may span lines, so
//! the csv crate's `Position` is used, never a count of rows). A BOM is
//! dropped; `;` and tab separators are detected from the header line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::{Raw, RowSource};
use crate::pipeline::DataError;

/// A streaming CSV reader.
pub struct CsvSource {
    reader: ::csv::Reader<Box<dyn Read + Send>>,
    header: Vec<String>,
    path: PathBuf,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> DataError {
    DataError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

impl CsvSource {
    /// Opens a file and reads its header.
    pub fn open(path: &Path) -> Result<CsvSource, DataError> {
        let file = File::open(path).map_err(|e| io_error(path, e))?;
        let mut buf = BufReader::with_capacity(256 * 1024, file);
        let first = buf.fill_buf().map_err(|e| io_error(path, e))?;
        let delimiter = sniff(first);
        Self::from_reader(path, Box::new(buf), delimiter)
    }

    /// Reads CSV from any reader (tests, stdin).
    pub fn from_reader(
        path: &Path,
        input: Box<dyn Read + Send>,
        delimiter: u8,
    ) -> Result<CsvSource, DataError> {
        let mut reader = ::csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .delimiter(delimiter)
            .buffer_capacity(256 * 1024)
            .from_reader(input);
        let raw = reader
            .byte_headers()
            .map_err(|e| csv_error(path, e))?
            .clone();
        if raw.is_empty() || (raw.len() == 1 && raw.get(0).is_some_and(|c| c.is_empty())) {
            return Err(DataError::Format {
                path: path.to_path_buf(),
                message: "the file is empty: expected a header line naming the columns (`id`, the fields, `indicators`, `decision`)".into(),
            });
        }
        let mut header = Vec::with_capacity(raw.len());
        for (i, cell) in raw.iter().enumerate() {
            let cell = cell.strip_prefix(b"\xef\xbb\xbf").unwrap_or(cell);
            let name = std::str::from_utf8(cell).map_err(|_| DataError::Format {
                path: path.to_path_buf(),
                message: format!(
                    "line 1, column {}: the header is not valid UTF-8 text; save the file as UTF-8",
                    i + 1
                ),
            })?;
            header.push(name.trim().to_string());
        }
        Ok(CsvSource {
            reader,
            header,
            path: path.to_path_buf(),
        })
    }
}

/// The separator: `,` unless the first line has none and has `;` or tabs.
pub fn sniff(start: &[u8]) -> u8 {
    let line = start.split(|b| *b == b'\n').next().unwrap_or(start);
    let count = |c: u8| line.iter().filter(|b| **b == c).count();
    let (commas, semis, tabs) = (count(b','), count(b';'), count(b'\t'));
    if commas == 0 && tabs > 0 && tabs >= semis {
        b'\t'
    } else if commas == 0 && semis > 0 {
        b';'
    } else {
        b','
    }
}

fn csv_error(path: &Path, e: ::csv::Error) -> DataError {
    let at = e
        .position()
        .map_or(String::new(), |p| format!("line {}: ", p.line()));
    match e.kind() {
        ::csv::ErrorKind::Io(_) => io_error(path, e),
        _ => DataError::Format {
            path: path.to_path_buf(),
            message: format!("{at}{e}"),
        },
    }
}

impl RowSource for CsvSource {
    fn header(&self) -> Option<&[String]> {
        Some(&self.header)
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        if !matches!(raw, Some(Raw::Cells { .. })) {
            *raw = Some(Raw::Cells {
                line: 0,
                cells: ::csv::ByteRecord::new(),
            });
        }
        let Some(Raw::Cells { line, cells }) = raw else {
            return Ok(false);
        };
        let more = self
            .reader
            .read_byte_record(cells)
            .map_err(|e| csv_error(&self.path, e))?;
        *line = cells.position().map_or(0, |p| p.line());
        Ok(more)
    }

    fn position(&self) -> u64 {
        self.reader.position().byte()
    }
}
