//! Excel (.xlsx) reading with calamine. A workbook is loaded whole (the
//! format is a zip of XML and cannot be streamed row by row); the rows are
//! then handed over one at a time like CSV lines, numbered by sheet row.

use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use super::{Raw, RowSource};
use crate::pipeline::DataError;

/// The rows of one sheet.
pub struct XlsxSource {
    header: Vec<String>,
    rows: std::vec::IntoIter<(u64, Vec<Data>)>,
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

impl XlsxSource {
    /// Opens a workbook and reads the chosen sheet (the first by default).
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<XlsxSource, DataError> {
        let mut wb: Xlsx<_> = calamine::open_workbook(path).map_err(|e| match e {
            calamine::XlsxError::Io(io) => DataError::Io {
                path: path.to_path_buf(),
                message: io.to_string(),
            },
            other => format_error(
                path,
                format!("not an Excel workbook (.xlsx) that can be read: {other}"),
            ),
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
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| format_error(path, format!("sheet `{name}`: {e}")))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut rows = range.rows().enumerate().map(|(i, r)| {
            // Sheet rows are 1-based; columns left of the used range are empty.
            let mut cells = vec![Data::Empty; col0 as usize];
            cells.extend_from_slice(r);
            (u64::from(row0) + i as u64 + 1, cells)
        });
        // The header is the first row with anything in it.
        let mut header = None;
        for (_, cells) in rows.by_ref() {
            if cells.iter().any(|c| !matches!(c, Data::Empty)) {
                header = Some(
                    cells
                        .iter()
                        .map(|c| cell_text(c).trim().to_string())
                        .collect(),
                );
                break;
            }
        }
        let Some(mut header): Option<Vec<String>> = header else {
            return Err(format_error(
                path,
                format!("sheet `{name}` is empty: expected a header row naming the columns"),
            ));
        };
        while header.last().is_some_and(String::is_empty) {
            header.pop();
        }
        let rows: Vec<(u64, Vec<Data>)> = rows
            .filter(|(_, cells)| cells.iter().any(|c| !matches!(c, Data::Empty)))
            .collect();
        Ok(XlsxSource {
            header,
            rows: rows.into_iter(),
            done: 0,
        })
    }
}

impl RowSource for XlsxSource {
    fn header(&self) -> Option<&[String]> {
        Some(&self.header)
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        let Some((row, data)) = self.rows.next() else {
            return Ok(false);
        };
        if !matches!(raw, Some(Raw::Cells { .. })) {
            *raw = Some(Raw::Cells {
                line: 0,
                cells: ::csv::ByteRecord::new(),
            });
        }
        if let Some(Raw::Cells { line, cells }) = raw {
            *line = row;
            cells.clear();
            // Trailing empty cells beyond the header are not extra cells.
            let mut n = data.len();
            while n > self.header.len() && matches!(data.get(n - 1), Some(Data::Empty)) {
                n -= 1;
            }
            for d in data.iter().take(n) {
                cells.push_field(cell_text(d).as_bytes());
            }
            while cells.len() < self.header.len() {
                cells.push_field(b"");
            }
        }
        self.done += 1;
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.done
    }
}
