//! CSV reading as a stream: the header once, then one reused byte record per
//! row, with the line where each row starts (quoted cells may span lines, so
//! the csv crate's `Position` is used, never a count of rows). A BOM is
//! dropped; `;` and tab separators are detected from the header line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::allowance::{Allowance, Allowed};
use super::{Raw, RowSource, MAX_COLUMNS, MAX_ROW_BYTES};
use crate::pipeline::DataError;

/// The csv reader's buffer, in bytes.
const BUFFER: usize = 256 * 1024;

/// What the csv reader may pull for one row: the row limit, plus what its
/// buffer may already hold or read ahead.
const ROW_BUDGET: u64 = (MAX_ROW_BYTES + 2 * BUFFER) as u64;

/// A record buffer that held more than this is dropped rather than reused,
/// so one wide row does not pin its memory in every batch after it.
const KEEP_RECORD_BYTES: usize = 16 * 1024;

/// A streaming CSV reader.
pub struct CsvSource {
    reader: ::csv::Reader<Allowed<Box<dyn Read + Send>>>,
    allowance: Arc<Allowance>,
    header: Vec<String>,
    path: PathBuf,
    /// csv's line count for a record lags by one when lines end in CRLF (the
    /// `\n` of the previous line is still unread when the record starts).
    crlf: bool,
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
        let mut buf = BufReader::with_capacity(BUFFER, file);
        let first = buf.fill_buf().map_err(|e| io_error(path, e))?;
        let delimiter = sniff(first);
        let crlf = first
            .iter()
            .position(|b| *b == b'\n')
            .is_some_and(|i| i > 0 && first[i - 1] == b'\r');
        let mut src = Self::from_reader(path, Box::new(buf), delimiter)?;
        src.crlf = crlf;
        Ok(src)
    }

    /// Reads CSV from any reader (tests, stdin).
    pub fn from_reader(
        path: &Path,
        input: Box<dyn Read + Send>,
        delimiter: u8,
    ) -> Result<CsvSource, DataError> {
        let allowance = Allowance::new(ROW_BUDGET);
        let mut reader = ::csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .delimiter(delimiter)
            .buffer_capacity(BUFFER)
            .from_reader(Allowed {
                inner: input,
                allowance: allowance.clone(),
            });
        let raw = match reader.byte_headers() {
            Ok(raw) => raw.clone(),
            Err(e) => return Err(read_error(path, e, &allowance, 1)),
        };
        if raw.as_slice().len() > MAX_ROW_BYTES {
            return Err(too_long(path, 1));
        }
        if raw.len() > MAX_COLUMNS {
            return Err(DataError::Format {
                path: path.to_path_buf(),
                message: format!(
                    "line 1: the header has {} columns; at most {MAX_COLUMNS} columns are read",
                    raw.len()
                ),
            });
        }
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
            allowance,
            header,
            path: path.to_path_buf(),
            crlf: false,
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

/// A row longer than [`MAX_ROW_BYTES`] starting at `line`.
fn too_long(path: &Path, line: u64) -> DataError {
    DataError::Format {
        path: path.to_path_buf(),
        message: format!(
            "line {line}: the row starting here is longer than {MAX_ROW_BYTES} bytes (4 MB), the most one row may hold; \
             an unclosed `\"` makes the rest of the file one cell"
        ),
    }
}

/// A read error: the row limit when the allowance ran out, else as csv says.
fn read_error(path: &Path, e: ::csv::Error, allowance: &Allowance, line: u64) -> DataError {
    if allowance.spent() && matches!(e.kind(), ::csv::ErrorKind::Io(_)) {
        too_long(path, line)
    } else {
        csv_error(path, e)
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
        if cells.as_slice().len() + 8 * cells.len() > KEEP_RECORD_BYTES {
            *cells = ::csv::ByteRecord::new();
        }
        // The line the next row starts on (the reader has just finished the
        // previous row), for a message when that row has no end.
        let start = self.reader.position().line() + u64::from(self.crlf);
        self.allowance.grant(ROW_BUDGET);
        let more = self
            .reader
            .read_byte_record(cells)
            .map_err(|e| read_error(&self.path, e, &self.allowance, start))?;
        if cells.as_slice().len() > MAX_ROW_BYTES {
            return Err(too_long(&self.path, start));
        }
        *line = cells.position().map_or(0, |p| p.line()) + u64::from(self.crlf);
        Ok(more)
    }

    fn position(&self) -> u64 {
        self.reader.position().byte()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: Vec<u8>) -> Result<CsvSource, DataError> {
        CsvSource::from_reader(
            Path::new("t.csv"),
            Box::new(std::io::Cursor::new(text)),
            b',',
        )
    }

    fn rows(src: &mut CsvSource) -> Result<Vec<u64>, DataError> {
        let mut raw = None;
        let mut lines = Vec::new();
        while src.next_row(&mut raw)? {
            lines.push(raw.as_ref().map_or(0, Raw::line));
        }
        Ok(lines)
    }

    #[test]
    fn a_row_with_no_end_stops_at_the_row_limit() {
        // An unclosed quote makes the rest of the file one cell: the reader
        // stops at the limit, naming the line where the row starts.
        let mut text = b"id,x\nR1,1\nR2,\"open\n".to_vec();
        text.resize(text.len() + MAX_ROW_BYTES * 3, b'y');
        let mut src = source(text).unwrap();
        let e = rows(&mut src).unwrap_err().to_string();
        assert!(
            e.contains("line 3: the row starting here is longer than"),
            "{e}"
        );
        assert!(e.contains("unclosed"), "{e}");
        // Just over the limit, within what the reader buffers, is refused too.
        let mut text = b"id,x\nR1,".to_vec();
        text.resize(text.len() + MAX_ROW_BYTES + 1, b'y');
        text.extend_from_slice(b"\nR2,1\n");
        let e = rows(&mut source(text).unwrap()).unwrap_err().to_string();
        assert!(e.contains("line 2: the row starting here"), "{e}");
    }

    #[test]
    fn rows_under_the_limit_are_read_one_after_another() {
        // Many rows, each under the limit, add up to far more than it.
        let row = format!("R,{}\n", "y".repeat(MAX_ROW_BYTES / 2));
        let text = format!("id,x\n{}", row.repeat(5)).into_bytes();
        assert_eq!(rows(&mut source(text).unwrap()).unwrap(), [2, 3, 4, 5, 6]);
    }

    #[test]
    fn headers_past_the_column_limit_are_refused() {
        let text = format!("id{}\nR1\n", ",x".repeat(MAX_COLUMNS)).into_bytes();
        let e = source(text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("the header has 16385 columns; at most 16384"),
            "{e}"
        );
        let text = format!("id{}\nR1\n", ",x".repeat(MAX_COLUMNS - 1)).into_bytes();
        assert!(source(text).is_ok());
    }
}
