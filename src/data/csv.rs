//! CSV reading as a stream: the header once, then one reused byte record per
//! row, with the lines it covers. A BOM is dropped; `;` and tab separators
//! are detected from the header line.
//!
//! Every physical line is accounted for (SPEC §4). Lines are counted from
//! the bytes themselves ([`LineLog`] notes where each `\n` is as the csv
//! reader pulls bytes), so blank lines, CRLF endings and quoted line breaks
//! all give the right line numbers. A record whose quoted cell runs over line
//! breaks holding text shaped like rows of the file (an unclosed `"`) is
//! rejected on the line where it starts, and reading goes on from the next
//! line, so the rows it swallowed are read as rows; a legal record over
//! several lines is counted and reported with its span.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::allowance::{Allowance, Allowed};
use super::{Raw, RowSource, MAX_COLUMNS, MAX_ROW_BYTES};
use crate::data::DataError;

/// The csv reader's buffer, in bytes.
const BUFFER: usize = 256 * 1024;

/// What the csv reader may pull for one row: the row limit, plus what its
/// buffer may already hold or read ahead.
const ROW_BUDGET: u64 = (MAX_ROW_BYTES + 2 * BUFFER) as u64;

/// A record buffer that held more than this is dropped rather than reused,
/// so one wide row does not pin its memory in every batch after it.
const KEEP_RECORD_BYTES: usize = 16 * 1024;

/// Where the line ends are in the bytes the csv reader has pulled and not
/// yet accounted to a record (a window of about the reader's buffer).
#[derive(Debug, Default)]
pub struct LineLog {
    /// File offset of the first byte of this stream.
    base: u64,
    /// Bytes passed through.
    passed: u64,
    /// File offsets of `\n` and `\r` bytes not yet accounted, shifted left
    /// one bit, the low bit set for `\n` (packed: one word each).
    ends: VecDeque<u64>,
    /// `\n` bytes accounted so far (from the start of the file).
    counted: u64,
    /// `\n` bytes seen in all (from the start of the file).
    seen: u64,
    /// The last byte passed, to count an unterminated last line.
    last: Option<u8>,
}

impl LineLog {
    /// Accounts a record that the csv reader says runs from file offset
    /// `start` (blank lines may come first) to `end`, and returns (its first
    /// line, its last line, the offset of the `\n` ending its first line
    /// when that is inside it).
    fn account(&mut self, start: u64, end: u64) -> (u64, u64, Option<u64>) {
        let mut at = start;
        while let Some(&e) = self.ends.front() {
            let (o, lf) = (e >> 1, e & 1 == 1);
            // Before the record, or blank lines at its start.
            if o < start || (o == at && o < end) {
                self.ends.pop_front();
                self.counted += u64::from(lf);
                if o == at {
                    at += 1;
                }
            } else {
                break;
            }
        }
        let first = self.counted + 1;
        let mut first_break = None;
        let mut ends_in_break = false;
        while let Some(&e) = self.ends.front() {
            let (o, lf) = (e >> 1, e & 1 == 1);
            if o >= end {
                break;
            }
            self.ends.pop_front();
            if lf {
                self.counted += 1;
                if first_break.is_none() {
                    first_break = Some(o);
                }
                ends_in_break = o + 1 == end;
            } else {
                ends_in_break = false;
            }
        }
        // The record's terminator, when it is a `\n`, ends its last line.
        let last = (self.counted + 1 - u64::from(ends_in_break)).max(first);
        (first, last, first_break.filter(|_| last > first))
    }

    /// Physical lines in the file so far (a last line without a break counts).
    fn lines(&self) -> u64 {
        self.seen + u64::from(self.last.is_some_and(|b| b != b'\n'))
    }
}

/// A reader that notes where the line breaks are (see [`LineLog`]).
struct Lines<R> {
    inner: R,
    log: LineLog,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let at = self.log.base + self.log.passed;
        for i in memchr::memchr2_iter(b'\n', b'\r', &buf[..n]) {
            let lf = buf[i] == b'\n';
            self.log
                .ends
                .push_back(((at + i as u64) << 1) | u64::from(lf));
            self.log.seen += u64::from(lf);
        }
        if n > 0 {
            self.log.last = buf.get(n - 1).copied();
        }
        self.log.passed += n as u64;
        Ok(n)
    }
}

type Inner = Lines<Allowed<Box<dyn Read + Send>>>;

/// At most this many multi-line spans are kept to report.
const SPANS_KEPT: usize = crate::data::SPANS_KEPT;

/// A streaming CSV reader.
pub struct CsvSource {
    reader: ::csv::Reader<Inner>,
    allowance: Arc<Allowance>,
    header: Vec<String>,
    path: PathBuf,
    delimiter: u8,
    /// The header's last line (blank lines may come before it).
    header_end: u64,
    /// Whether the input can be reopened at an offset (a file, not a pipe).
    seekable: bool,
    /// Records over several lines: the first few spans, and how many.
    spans: Vec<(u64, u64)>,
    multiline: u64,
    /// After a resync, the row to reject first (line, column, reason).
    pending: Option<(u64, String, String)>,
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
        let mut src = Self::from_reader(path, Box::new(buf), delimiter)?;
        src.seekable = true;
        Ok(src)
    }

    /// Reads CSV from any reader (tests, stdin).
    pub fn from_reader(
        path: &Path,
        input: Box<dyn Read + Send>,
        delimiter: u8,
    ) -> Result<CsvSource, DataError> {
        let allowance = Allowance::new(ROW_BUDGET);
        let mut reader = csv_reader(input, &allowance, delimiter, true, LineLog::default());
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
        const WANT: &str =
            "expected a header line naming the columns (`id`, the fields, `indicators`, `decision`)";
        if raw.is_empty() {
            return Err(DataError::Format {
                path: path.to_path_buf(),
                message: format!("the file is empty: {WANT}"),
            });
        }
        if raw.len() == 1 && raw.get(0).is_some_and(|c| c.is_empty()) {
            // Not an empty file: its first line that is not blank (`""`,
            // say) names no column.
            return Err(DataError::Format {
                path: path.to_path_buf(),
                message: format!("the first line that is not blank names no column: {WANT}"),
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
        // The header's own lines are accounted.
        let end = reader.position().byte();
        let (_, header_end, _) = reader.get_mut().log.account(0, end);
        Ok(CsvSource {
            reader,
            allowance,
            header,
            path: path.to_path_buf(),
            delimiter,
            header_end,
            seekable: false,
            spans: Vec::new(),
            multiline: 0,
            pending: None,
        })
    }

    /// The header's last line (blank lines may come before it, and a quoted
    /// header name may run over lines).
    pub fn header_lines(&self) -> u64 {
        self.header_end
    }

    /// Starts reading again at file offset `at` (the line after one that
    /// opened an unclosed quote), keeping the line count.
    fn resume_at(&mut self, at: u64, lines_before: u64) -> Result<(), DataError> {
        let mut file = File::open(&self.path).map_err(|e| io_error(&self.path, e))?;
        file.seek(SeekFrom::Start(at))
            .map_err(|e| io_error(&self.path, e))?;
        let input: Box<dyn Read + Send> = Box::new(BufReader::with_capacity(BUFFER, file));
        let log = LineLog {
            base: at,
            counted: lines_before,
            seen: lines_before,
            ..LineLog::default()
        };
        self.reader = csv_reader(input, &self.allowance, self.delimiter, false, log);
        Ok(())
    }

    /// The record's cell that runs over line breaks holding lines shaped
    /// like rows of the file (as many separators as the header has, less
    /// one): an unclosed quote that swallowed rows.
    fn swallowing_cell(&self, cells: &::csv::ByteRecord) -> Option<usize> {
        let seps = self.header.len().saturating_sub(1).max(1);
        cells.iter().position(|cell| {
            cell.split(|b| *b == b'\n')
                .skip(1)
                .any(|line| line.iter().filter(|b| **b == self.delimiter).count() >= seps)
        })
    }
}

/// A csv reader over `input`, counting lines into `log`.
fn csv_reader(
    input: Box<dyn Read + Send>,
    allowance: &Arc<Allowance>,
    delimiter: u8,
    headers: bool,
    log: LineLog,
) -> ::csv::Reader<Inner> {
    ::csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(headers)
        .delimiter(delimiter)
        .buffer_capacity(BUFFER)
        .from_reader(Lines {
            inner: Allowed {
                inner: input,
                allowance: allowance.clone(),
            },
            log,
        })
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
        if let Some((line, column, reason)) = self.pending.take() {
            *raw = Some(Raw::Rejected {
                line,
                id: None,
                column,
                reason,
            });
            return Ok(true);
        }
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
        // The line the next row starts on, for a message when it has no end.
        let start = self.reader.get_ref().log.counted + 1;
        self.allowance.grant(ROW_BUDGET);
        let more = self
            .reader
            .read_byte_record(cells)
            .map_err(|e| read_error(&self.path, e, &self.allowance, start))?;
        if cells.as_slice().len() > MAX_ROW_BYTES {
            return Err(too_long(&self.path, start));
        }
        if !more {
            return Ok(false);
        }
        let base = self.reader.get_ref().log.base;
        let start = base + cells.position().map_or(0, |p| p.byte());
        let end = base + self.reader.position().byte();
        let (first, last, first_break) = self.reader.get_mut().log.account(start, end);
        *line = first;
        if last > first {
            if let Some(ci) = self.swallowing_cell(cells) {
                let column = self
                    .header
                    .get(ci)
                    .cloned()
                    .unwrap_or_else(|| crate::data::WHOLE_ROW.into());
                let Some(at) = first_break.filter(|_| self.seekable) else {
                    // Cannot go back (not a file): the record is rejected
                    // whole, its span named.
                    *raw = Some(Raw::Rejected {
                        line: first,
                        id: None,
                        column,
                        reason: format!(
                            "a `\"` in this cell is never closed: it ran over lines {first}-{last}, \
                             which look like rows of their own; all of them are rejected"
                        ),
                    });
                    return Ok(true);
                };
                self.resume_at(at + 1, first)?;
                self.pending = Some((
                    first,
                    column,
                    format!(
                        "a `\"` in this cell is never closed: it ran over lines {first}-{last}, \
                         which look like rows of their own; this line is rejected and lines {}-{last} \
                         are read as rows",
                        first + 1
                    ),
                ));
                return self.next_row(raw);
            }
            self.multiline += 1;
            if self.spans.len() < SPANS_KEPT {
                self.spans.push((first, last));
            }
        }
        Ok(true)
    }

    fn lines(&self) -> Option<u64> {
        Some(self.reader.get_ref().log.lines())
    }

    fn spans(&self) -> (Vec<(u64, u64)>, u64) {
        (self.spans.clone(), self.multiline)
    }

    fn position(&self) -> u64 {
        self.reader.get_ref().log.base + self.reader.position().byte()
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

    /// Reads a file to the end: (first line of each row, spans, lines).
    type ReadBack = (Vec<u64>, Vec<(u64, u64)>, u64, Vec<String>);

    fn read_file(path: &Path) -> ReadBack {
        let mut src = CsvSource::open(path).unwrap();
        let mut firsts: Vec<u64> = (1..=src.header_lines()).collect();
        let mut raw = None;
        let mut reasons = Vec::new();
        while src.next_row(&mut raw).unwrap() {
            let r = raw.as_ref().unwrap();
            firsts.push(r.line());
            if let Raw::Rejected { reason, .. } = r {
                reasons.push(reason.clone());
            }
        }
        let (spans, n) = src.spans();
        assert_eq!(spans.len() as u64, n, "the test files are small");
        (firsts, spans, src.lines().unwrap(), reasons)
    }

    fn file(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, bytes).unwrap();
        (dir, p)
    }

    #[test]
    fn lines_are_right_after_blank_lines_crlf_and_quoted_breaks() {
        let (_d, p) = file(b"id,x\r\nA,\"1\r\n2\"\r\n\r\nB,2\r\nC,3");
        let (firsts, spans, lines, _) = read_file(&p);
        assert_eq!(firsts, [1, 2, 5, 6]);
        assert_eq!(spans, [(2, 3)]);
        assert_eq!(lines, 6);
    }

    #[test]
    fn an_unclosed_quote_gives_back_the_rows_it_swallowed() {
        // The shape of issue 12: a quote never closed, a later quote in free text.
        let mut text = String::from("id,agency,x\n");
        for i in 1..=59 {
            let agency = match i {
                5 => "\"Dr Smith, GP".to_string(),
                52 => "health \"duty\" team".to_string(),
                _ => "health".to_string(),
            };
            text.push_str(&format!("R{i},{agency},1\n"));
        }
        let (_d, p) = file(text.as_bytes());
        let (firsts, spans, lines, reasons) = read_file(&p);
        assert_eq!(lines, 60);
        assert_eq!(
            firsts,
            (1..=60).collect::<Vec<u64>>(),
            "every line is a row"
        );
        assert!(spans.is_empty());
        assert_eq!(reasons.len(), 1);
        assert!(
            reasons[0].contains("never closed: it ran over lines 6-53"),
            "{reasons:?}"
        );
        // An unclosed quote alone, to the end of the file.
        let mut text = String::from("id,agency,x\nR1,\"open,1\n");
        for i in 2..=99 {
            text.push_str(&format!("R{i},health,1\n"));
        }
        let (_d, p) = file(text.as_bytes());
        let (firsts, _, lines, reasons) = read_file(&p);
        assert_eq!((lines, firsts.len()), (100, 100));
        assert!(reasons[0].contains("lines 2-100"), "{reasons:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Quotes, separators and line breaks dropped anywhere into a valid
        /// file: every physical line is still the first line of a row (read
        /// or rejected), inside a reported span, or blank.
        #[test]
        fn every_line_is_accounted_for(
            rows in 1usize..25,
            edits in proptest::collection::vec((0usize..10_000, 0usize..6), 0..6),
        ) {
            let mut text = b"id,age,note\n".to_vec();
            for i in 0..rows {
                text.extend_from_slice(format!("R{i},{},free text {i}\n", i % 17).as_bytes());
            }
            for (at, what) in edits {
                let at = at % (text.len() + 1);
                let b: &[u8] = [&b"\""[..], b",", b"\n", b"\r\n", b"\"\"", b";"][what];
                text.splice(at..at, b.iter().copied());
            }
            let (_d, p) = file(&text);
            // A first line naming no column (`""`) stops the run before any
            // row is read (exit 2): there are no rows to account for.
            if let Err(e) = CsvSource::open(&p) {
                let e = e.to_string();
                proptest::prop_assert!(e.contains("names no column"), "{}", e);
                return Ok(());
            }
            let (firsts, spans, lines, _) = read_file(&p);
            let physical: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
            let expected = physical.len() as u64 - u64::from(text.last() == Some(&b'\n'));
            proptest::prop_assert_eq!(lines, expected);
            for (i, line) in physical.iter().enumerate().take(expected as usize) {
                let n = i as u64 + 1;
                let blank = line.iter().all(|b| *b == b'\r');
                let covered = firsts.contains(&n) || spans.iter().any(|(a, b)| *a <= n && n <= *b);
                proptest::prop_assert!(blank || covered, "line {} ({:?}) is in no row", n, String::from_utf8_lossy(line));
            }
        }
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
