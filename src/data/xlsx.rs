//! Excel (.xlsx) reading with calamine, streamed: a thread of its own reads
//! the sheet cell by cell and hands over one row at a time, numbered by sheet
//! row, as CSV lines are. Before calamine sees the workbook, every part of
//! the zip is unpacked and measured, so a "zip bomb" stops the run at
//! [`MAX_XLSX_PART_BYTES`] instead of exhausting memory; and since no sheet
//! is ever held whole, a sheet whose used range is huge but nearly empty
//! (`A1` and `XFD1048576`) costs nothing.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use calamine::{Data, Reader, Xlsx};

use super::{Raw, RowSource, MAX_COLUMNS, MAX_XLSX_PART_BYTES};
use crate::pipeline::DataError;

/// Rows waiting between the sheet thread and the reader.
const QUEUE: usize = 256;

/// One message from the sheet thread: a row (sheet row, cells) or an error.
type Message = Result<(u64, ::csv::ByteRecord), DataError>;

/// The rows of one sheet.
pub struct XlsxSource {
    header: Vec<String>,
    rows: Receiver<Message>,
    done: u64,
}

fn format_error(path: &Path, message: String) -> DataError {
    DataError::Format {
        path: path.to_path_buf(),
        message,
    }
}

/// A cell as the text a CSV would hold.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => crate::format_number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn not_a_workbook(path: &Path, e: impl std::fmt::Display) -> DataError {
    format_error(
        path,
        format!("not an Excel workbook (.xlsx) that can be read: {e}"),
    )
}

/// Unpacks every part of the zip without keeping it, refusing one that
/// inflates past [`MAX_XLSX_PART_BYTES`] (the sizes a zip declares can lie).
pub fn check_parts(path: &Path) -> Result<(), DataError> {
    let file = File::open(path).map_err(|e| DataError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut zip =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| not_a_workbook(path, e))?;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| not_a_workbook(path, e))?;
        let name = part.name().to_string();
        let n = std::io::copy(
            &mut (&mut part).take(MAX_XLSX_PART_BYTES + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| not_a_workbook(path, format!("`{name}`: {e}")))?;
        if n > MAX_XLSX_PART_BYTES {
            return Err(format_error(
                path,
                format!(
                    "the workbook's part `{}` unpacks to more than {MAX_XLSX_PART_BYTES} bytes (128 MB), \
                     the most one part may hold (a \"zip bomb\", or a sheet too large: save it as CSV)",
                    super::shorten(&name)
                ),
            ));
        }
    }
    Ok(())
}

impl XlsxSource {
    /// Opens a workbook and starts reading the chosen sheet (the first by
    /// default); problems with the workbook or its header row are returned
    /// here, later ones by [`RowSource::next_row`].
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<XlsxSource, DataError> {
        check_parts(path)?;
        let (tx, rx) = sync_channel(QUEUE);
        let owned = path.to_path_buf();
        let sheet = sheet.map(str::to_string);
        std::thread::spawn(move || {
            if let Err(e) = read_sheet(&owned, sheet.as_deref(), &tx) {
                let _ = tx.send(Err(e));
            }
        });
        let mut header: Vec<String> = match rx.recv() {
            Ok(Ok((_, cells))) => cells
                .iter()
                .map(|c| String::from_utf8_lossy(c).trim().to_string())
                .collect(),
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(format_error(path, "the workbook could not be read".into())),
        };
        while header.last().is_some_and(String::is_empty) {
            header.pop();
        }
        Ok(XlsxSource {
            header,
            rows: rx,
            done: 0,
        })
    }
}

/// The sheet thread: finds the sheet, then sends its header row (the first
/// with anything in it) and every later non-empty row. Returns when the
/// sheet ends or the reader has gone.
fn read_sheet(
    path: &PathBuf,
    sheet: Option<&str>,
    tx: &SyncSender<Message>,
) -> Result<(), DataError> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).map_err(|e| match e {
        calamine::XlsxError::Io(io) => DataError::Io {
            path: path.to_path_buf(),
            message: io.to_string(),
        },
        other => not_a_workbook(path, other),
    })?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(s)))
            .cloned()
            .ok_or_else(|| {
                format_error(
                    path,
                    format!(
                        "no sheet `{s}`; the sheets are {}",
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format_error(path, "the workbook has no sheets".into()))?,
    };
    let sheet_error = |e: calamine::XlsxError| format_error(path, format!("sheet `{name}`: {e}"));
    let mut cells = wb.worksheet_cells_reader(&name).map_err(sheet_error)?;
    let mut rows = Rows {
        path,
        tx,
        header_len: None,
        current: None,
        cells: Vec::new(),
    };
    while let Some(cell) = cells.next_cell().map_err(sheet_error)? {
        let value = Data::from(cell.get_value().clone());
        if matches!(value, Data::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        if !rows.add(row, col as usize, cell_text(&value))? {
            return Ok(());
        }
    }
    if !rows.flush()? {
        return Ok(());
    }
    if rows.header_len.is_none() {
        return Err(format_error(
            path,
            format!("sheet `{name}` is empty: expected a header row naming the columns"),
        ));
    }
    Ok(())
}

/// Gathers cells into rows and sends each row when the next begins.
struct Rows<'a> {
    path: &'a Path,
    tx: &'a SyncSender<Message>,
    /// Set once the header row has been sent.
    header_len: Option<usize>,
    /// The row being gathered (0-based).
    current: Option<u32>,
    cells: Vec<String>,
}

impl Rows<'_> {
    /// Adds a cell; false when the reader has gone.
    fn add(&mut self, row: u32, col: usize, text: String) -> Result<bool, DataError> {
        if col >= MAX_COLUMNS {
            return Err(format_error(
                self.path,
                format!(
                    "sheet row {}: a cell in column {} is past the {MAX_COLUMNS} columns that are read",
                    u64::from(row) + 1,
                    col + 1
                ),
            ));
        }
        if let Some(r) = self.current.filter(|r| row < *r) {
            return Err(format_error(
                self.path,
                format!(
                    "sheet row {} comes after row {} in the file: the rows are out of order (open and save the workbook in Excel to fix it)",
                    u64::from(row) + 1,
                    u64::from(r) + 1
                ),
            ));
        }
        if self.current.is_some_and(|r| row > r) && !self.flush()? {
            return Ok(false);
        }
        self.current = Some(row);
        if self.cells.len() <= col {
            self.cells.resize(col + 1, String::new());
        }
        if let Some(c) = self.cells.get_mut(col) {
            *c = text;
        }
        Ok(true)
    }

    /// Sends the row gathered so far (padded or trimmed to the header's
    /// width); false when the reader has gone.
    fn flush(&mut self) -> Result<bool, DataError> {
        let Some(row) = self.current.take() else {
            return Ok(true);
        };
        let mut n = self.cells.len();
        if let Some(width) = self.header_len {
            // Trailing empty cells beyond the header are not extra cells.
            while n > width && self.cells.get(n - 1).is_some_and(String::is_empty) {
                n -= 1;
            }
        } else {
            while n > 0 && self.cells.get(n - 1).is_some_and(|c| c.trim().is_empty()) {
                n -= 1;
            }
            self.header_len = Some(n);
        }
        let mut record = ::csv::ByteRecord::new();
        for c in self.cells.iter().take(n) {
            record.push_field(c.as_bytes());
        }
        while record.len() < self.header_len.unwrap_or(0) {
            record.push_field(b"");
        }
        self.cells.clear();
        Ok(self.tx.send(Ok((u64::from(row) + 1, record))).is_ok())
    }
}

impl RowSource for XlsxSource {
    fn header(&self) -> Option<&[String]> {
        Some(&self.header)
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        let (row, record) = match self.rows.recv() {
            Ok(message) => message?,
            Err(_) => return Ok(false),
        };
        *raw = Some(Raw::Cells {
            line: row,
            cells: record,
        });
        self.done += 1;
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_part_that_inflates_past_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.xlsx");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..=(MAX_XLSX_PART_BYTES >> 20) {
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
        let e = check_parts(&path).unwrap_err().to_string();
        assert!(
            e.contains("`xl/worksheets/sheet1.xml` unpacks to more than"),
            "{e}"
        );
    }

    #[test]
    fn rows_are_gathered_in_order_and_checked() {
        let (tx, rx) = sync_channel(16);
        let path = Path::new("t.xlsx");
        let mut rows = Rows {
            path,
            tx: &tx,
            header_len: None,
            current: None,
            cells: Vec::new(),
        };
        // Header A1:C1 (C1 blank), then a row with a cell far right.
        assert!(rows.add(0, 0, "id".into()).unwrap());
        assert!(rows.add(0, 1, "x".into()).unwrap());
        assert!(rows.add(0, 2, " ".into()).unwrap());
        assert!(rows.add(4, 1, "7".into()).unwrap());
        assert!(rows.flush().unwrap());
        let got: Vec<(u64, Vec<String>)> = rx
            .try_iter()
            .map(|m| {
                let (line, cells) = m.unwrap();
                (
                    line,
                    cells
                        .iter()
                        .map(|c| String::from_utf8_lossy(c).into())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, vec!["id".into(), "x".into()]),
                (5, vec![String::new(), "7".into()])
            ]
        );
        // Rows out of order, or cells past the last column: errors.
        rows.add(9, 0, "a".into()).unwrap();
        let e = rows.add(3, 0, "b".into()).unwrap_err().to_string();
        assert!(e.contains("sheet row 4 comes after row 10"), "{e}");
        let e = rows
            .add(9, MAX_COLUMNS, "c".into())
            .unwrap_err()
            .to_string();
        assert!(e.contains("past the 16384 columns"), "{e}");
    }
}
