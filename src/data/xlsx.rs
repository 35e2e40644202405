//! Excel (.xlsx) reading with calamine, streamed: a thread of its own reads
//! the sheet cell by cell and hands over one row at a time, numbered by sheet
//! row, as CSV lines are. Before calamine sees the workbook, every part of
//! the zip is unpacked and measured, so a "zip bomb" stops the run at
//! [`MAX_XLSX_PART_BYTES`] instead of exhausting memory; and since no sheet
//! is ever held whole, a sheet whose used range is huge but nearly empty
//! (`A1` and `XFD1048576`) costs nothing.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use calamine::{Data, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx};
use quick_xml::events::Event;

use super::{Raw, RowSource, MAX_COLUMNS, MAX_XLSX_PART_BYTES};
use crate::data::DataError;
use crate::text::shorten;

/// Rows waiting between the sheet thread and the reader.
const QUEUE: usize = 256;

/// What the sheet thread hands over.
enum Item {
    /// The sheet chosen, first of all.
    Sheet(Chosen),
    /// A row: sheet row (1-based) and cells.
    Row(u64, ::csv::ByteRecord),
    /// A row that cannot be read, with the column at fault and why.
    Rejected {
        line: u64,
        column: String,
        reason: String,
    },
}

/// One message from the sheet thread: an item or an error.
type Message = Result<Item, DataError>;

/// The sheet read and the workbook's sheets, for messages.
#[derive(Clone, Debug, Default)]
struct Chosen {
    /// The sheet read.
    name: String,
    /// Every sheet, in the workbook's order, with whether it is hidden.
    sheets: Vec<(String, bool)>,
    /// The first sheet, when it is hidden and was passed over.
    hidden_first: Option<String>,
}

/// The rows of one sheet.
pub struct XlsxSource {
    header: Vec<String>,
    rows: Receiver<Message>,
    done: u64,
    chosen: Chosen,
}

fn format_error(path: &Path, message: String) -> DataError {
    DataError::Format {
        path: path.to_path_buf(),
        message,
    }
}

/// A cell as the text a CSV would hold. Date and time cells are dates,
/// never numbers: ISO text (`2025-06-30`, `2025-06-30T10:30:00`, `10:30:00`).
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => crate::text::format_number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => date_text(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An Excel date or time as ISO text: a date alone when it has no time of
/// day, a time alone when it has no date (a serial number below 1), and a
/// duration (`[h]:mm` formats) as hours, minutes and seconds.
pub fn date_text(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if dt.is_duration() || (0.0..1.0).contains(&serial) {
        let ms = (serial.abs() * 86_400_000.0).round() as u64;
        let sign = if serial < 0.0 { "-" } else { "" };
        let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        let mut t = format!("{sign}{h:02}:{m:02}:{s:02}");
        if milli != 0 {
            t.push_str(&format!(".{milli:03}"));
        }
        return t;
    }
    let (y, mo, d, h, mi, s, milli) = dt.to_ymd_hms_milli();
    let mut t = format!("{y:04}-{mo:02}-{d:02}");
    if (h, mi, s, milli) != (0, 0, 0, 0) {
        t.push_str(&format!("T{h:02}:{mi:02}:{s:02}"));
        if milli != 0 {
            t.push_str(&format!(".{milli:03}"));
        }
    }
    t
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
                    shorten(&name)
                ),
            ));
        }
    }
    Ok(())
}

/// Sheet names, quoted and listed (hidden ones marked).
fn sheet_list(sheets: &[(String, bool)]) -> String {
    sheets
        .iter()
        .map(|(n, hidden)| {
            if *hidden {
                format!("`{}` (hidden)", shorten(n))
            } else {
                format!("`{}`", shorten(n))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl XlsxSource {
    /// Opens a workbook and starts reading the chosen sheet (the first
    /// visible one by default; a hidden first sheet is named by
    /// [`RowSource::warnings`], which every report states); problems with
    /// the workbook or its header row are returned here, later ones by
    /// [`RowSource::next_row`].
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<XlsxSource, DataError> {
        XlsxSource::start(path, sheet)
    }

    /// Starts the reading thread and takes the header row.
    fn start(path: &Path, sheet: Option<&str>) -> Result<XlsxSource, DataError> {
        check_parts(path)?;
        let (tx, rx) = sync_channel(QUEUE);
        let owned = path.to_path_buf();
        let sheet = sheet.map(str::to_string);
        std::thread::spawn(move || {
            if let Err(e) = read_sheet(&owned, sheet.as_deref(), &tx) {
                let _ = tx.send(Err(e));
            }
        });
        let lost = || format_error(path, "the workbook could not be read".into());
        let chosen = match rx.recv() {
            Ok(Ok(Item::Sheet(c))) => c,
            Ok(Err(e)) => return Err(e),
            Ok(Ok(_)) | Err(_) => return Err(lost()),
        };
        let mut header: Vec<String> = match rx.recv() {
            Ok(Ok(Item::Row(_, cells))) => cells
                .iter()
                .map(|c| String::from_utf8_lossy(c).trim().to_string())
                .collect(),
            Ok(Err(e)) => return Err(e),
            Ok(Ok(_)) | Err(_) => return Err(lost()),
        };
        while header.last().is_some_and(String::is_empty) {
            header.pop();
        }
        Ok(XlsxSource {
            header,
            rows: rx,
            done: 0,
            chosen,
        })
    }
}

/// Chooses the sheet: the one named (exactly, else ignoring case), or the
/// first visible worksheet. Returns its index among the workbook's sheets.
fn choose(
    path: &Path,
    sheets: &[calamine::Sheet],
    asked: Option<&str>,
) -> Result<usize, DataError> {
    let listed = || {
        sheet_list(
            &sheets
                .iter()
                .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
                .collect::<Vec<_>>(),
        )
    };
    match asked {
        Some(s) => sheets
            .iter()
            .position(|n| n.name == s)
            .or_else(|| sheets.iter().position(|n| n.name.eq_ignore_ascii_case(s)))
            .ok_or_else(|| format_error(path, format!("no sheet `{s}`; the sheets are {}", listed()))),
        None if sheets.is_empty() => Err(format_error(path, "the workbook has no sheets".into())),
        None => sheets
            .iter()
            .position(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
            .ok_or_else(|| {
                format_error(
                    path,
                    format!(
                        "the workbook has no visible sheet of cells; its sheets are {}: choose one with --sheet",
                        listed()
                    ),
                )
            }),
    }
}

/// The sheet thread: finds the sheet, then sends what it chose, its header
/// row (the first with anything in it) and every later non-empty row.
/// Returns when the sheet ends or the reader has gone.
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
    let sheets = wb.sheets_metadata().to_vec();
    let index = choose(path, &sheets, sheet)?;
    let name = sheets
        .get(index)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let chosen = Chosen {
        name: name.clone(),
        sheets: sheets
            .iter()
            .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
            .collect(),
        hidden_first: sheets
            .first()
            .filter(|s| index > 0 && sheet.is_none() && s.visible != SheetVisible::Visible)
            .map(|s| s.name.clone()),
    };
    if tx.send(Ok(Item::Sheet(chosen))).is_err() {
        return Ok(());
    }
    let part =
        sheet_part(path, index).map_err(|e| format_error(path, format!("sheet `{name}`: {e}")))?;
    // The scan for repeated rows runs beside calamine, a little ahead.
    let (scan_tx, scan_rx) = sync_channel(QUEUE);
    let owned = path.clone();
    std::thread::spawn(move || scan_sheet(&owned, &part, &scan_tx));

    let sheet_error = |e: calamine::XlsxError| format_error(path, format!("sheet `{name}`: {e}"));
    let mut cells = wb.worksheet_cells_reader(&name).map_err(sheet_error)?;
    let mut rows = Rows {
        path,
        tx,
        header: None,
        current: None,
        cells: Vec::new(),
        repeats: HashMap::new(),
        scan: Some(scan_rx),
        known_below: 0,
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
    if rows.header.is_none() {
        return Err(format_error(
            path,
            format!("sheet `{name}` is empty: expected a header row naming the columns"),
        ));
    }
    Ok(())
}

/// A sheet row the workbook holds more than once, or with a cell it holds
/// more than once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repeat {
    /// How many row elements carry the row's number (1 when the row is
    /// there once but a cell in it is repeated).
    pub rows: u32,
    /// The first repeated cell's column (0-based).
    pub cell: Option<u32>,
}

/// A cell reference's place, 0-based (row, column), as calamine reads it;
/// `None` when it is not a reference (calamine refuses it when reading).
fn cell_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
    let split = r.iter().position(u8::is_ascii_digit)?;
    let (letters, digits) = r.split_at(split);
    let row = std::str::from_utf8(digits)
        .ok()?
        .parse::<u32>()
        .ok()?
        .checked_sub(1)?;
    if letters.is_empty() {
        return Some((row, None));
    }
    let mut col: u32 = 0;
    for c in letters {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        col = col
            .checked_mul(26)?
            .checked_add(u32::from(c.to_ascii_uppercase() - b'A') + 1)?;
    }
    Some((row, Some(col - 1)))
}

/// Why the part holding a sheet cannot be found.
#[derive(Debug, thiserror::Error)]
enum PartError {
    /// The workbook cannot be opened.
    #[error("{0}")]
    Open(#[from] std::io::Error),
    /// The workbook is not a zip archive that can be read.
    #[error("{0}")]
    Zip(#[from] zip::result::ZipError),
    /// The workbook names no part for the sheet.
    #[error("the workbook does not say where the sheet is")]
    NoTarget,
    /// A part the workbook needs cannot be read from the zip.
    #[error("`{name}`: {source}")]
    Missing {
        /// The part's name.
        name: String,
        /// Why.
        source: zip::result::ZipError,
    },
    /// A part the workbook needs is not well-formed XML.
    #[error("`{name}`: {source}")]
    Xml {
        /// The part's name.
        name: String,
        /// Why.
        source: quick_xml::Error,
    },
}

/// The part of the zip holding sheet `index` (in the workbook's order), as
/// calamine finds it: `xl/workbook.xml` names each sheet's relationship,
/// `xl/_rels/workbook.xml.rels` its target.
fn sheet_part(path: &Path, index: usize) -> Result<String, PartError> {
    let file = File::open(path)?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file))?;
    let zip = &mut archive;
    let mut rid = None;
    let mut seen = 0;
    scan_part(zip, "xl/workbook.xml", |e| {
        if e.local_name().as_ref() == b"sheet" {
            if seen == index {
                rid = e.attributes().flatten().find_map(|a| {
                    matches!(a.key.as_ref(), b"r:id" | b"relationships:id")
                        .then(|| a.value.into_owned())
                });
                return false;
            }
            seen += 1;
        }
        true
    })?;
    let rid = rid.ok_or(PartError::NoTarget)?;
    let mut target = None;
    scan_part(zip, "xl/_rels/workbook.xml.rels", |e| {
        if e.local_name().as_ref() == b"Relationship" {
            let mut id = None;
            let mut to = None;
            for a in e.attributes().flatten() {
                match a.key.as_ref() {
                    b"Id" => id = Some(a.value.into_owned()),
                    b"Target" => to = Some(String::from_utf8_lossy(&a.value).into_owned()),
                    _ => {}
                }
            }
            if id.as_deref() == Some(rid.as_slice()) {
                target = to;
                return false;
            }
        }
        true
    })?;
    let target = target.ok_or(PartError::NoTarget)?;
    let part = if let Some(t) = target.strip_prefix('/') {
        t.to_string()
    } else if target.starts_with("xl/") {
        target
    } else {
        format!("xl/{target}")
    };
    // The name in the zip may differ in case or use backslashes.
    let real = zip
        .file_names()
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(&part))
        .map_or(part, str::to_string);
    Ok(real)
}

/// Calls `f` with each opening tag of an XML part, until it returns false.
fn scan_part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    mut f: impl FnMut(&quick_xml::events::BytesStart) -> bool,
) -> Result<(), PartError> {
    let real = zip
        .file_names()
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(name))
        .unwrap_or(name)
        .to_string();
    let part = zip.by_name(&real).map_err(|source| PartError::Missing {
        name: name.to_string(),
        source,
    })?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
    xml.config_mut().expand_empty_elements = true;
    xml.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                if !f(&e) {
                    return Ok(());
                }
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(source) => {
                return Err(PartError::Xml {
                    name: name.to_string(),
                    source,
                })
            }
        }
    }
}

/// Finds the rows of one sheet's XML that the workbook holds twice (two
/// row elements with the same number) or with a cell twice (two cells with
/// the same reference), numbering rows and cells without a reference as
/// calamine does. calamine merges such rows into one, so they are found
/// here, before it reads the sheet. Broken XML ends the scan (calamine
/// reports it when it reads the sheet).
///
/// Each finding is passed to `emit` as it is made (a row's [`Repeat`] again
/// each time it grows), with now and then [`Scan::KnownBelow`]: every
/// finding for the rows above that one has been passed. Stops when `emit`
/// returns false.
fn scan_repeats(input: impl BufRead, mut emit: impl FnMut(Scan) -> bool) {
    let mut xml = quick_xml::Reader::from_reader(input);
    xml.config_mut().expand_empty_elements = true;
    xml.config_mut().check_end_names = false;
    let mut found: HashMap<u32, Repeat> = HashMap::new();
    let mut started: u32 = 0;
    let (mut row_index, mut col_index) = (0u32, 0u32);
    let mut last_row = None;
    let mut cell_row = None;
    let mut cols: Vec<u32> = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"row" => {
                if let Some((r, _)) = reference(&e) {
                    row_index = r;
                }
                if last_row == Some(row_index) {
                    let rep = found.entry(row_index).or_insert(Repeat {
                        rows: 1,
                        cell: None,
                    });
                    rep.rows += 1;
                    if !emit(Scan::Found(row_index, *rep)) {
                        return;
                    }
                }
                last_row = Some(row_index);
                started = started.wrapping_add(1);
                if started % 256 == 0 {
                    let below = cell_row.map_or(row_index, |c: u32| c.min(row_index));
                    if !emit(Scan::KnownBelow(below)) {
                        return;
                    }
                    // Findings above are passed on: forget them.
                    found.retain(|r, _| *r >= below);
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"row" => {
                row_index = row_index.saturating_add(1);
                col_index = 0;
            }
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"c" => {
                let (row, col) = match reference(&e) {
                    Some((row, Some(col))) => (row, col),
                    _ => (row_index, col_index),
                };
                col_index = col.saturating_add(1);
                if cell_row != Some(row) {
                    cols.clear();
                    cell_row = Some(row);
                }
                // The row's columns so far, in order: cells come left to
                // right, so nearly always the new one goes at the end.
                let repeated = match cols.last() {
                    Some(last) if col <= *last => match cols.binary_search(&col) {
                        Ok(_) => true,
                        Err(at) => {
                            cols.insert(at, col);
                            false
                        }
                    },
                    _ => {
                        cols.push(col);
                        false
                    }
                };
                if repeated {
                    let rep = found.entry(row).or_insert(Repeat {
                        rows: 1,
                        cell: None,
                    });
                    rep.cell.get_or_insert(col);
                    if !emit(Scan::Found(row, *rep)) {
                        return;
                    }
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"sheetData" => break,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => break,
        }
    }
}

/// A finding of [`scan_repeats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scan {
    /// The row (0-based) is repeated, or has a repeated cell.
    Found(u32, Repeat),
    /// Every finding for the rows above this one (0-based) has been passed.
    KnownBelow(u32),
}

/// The scan thread: scans one part of the workbook, passing findings to
/// the sheet thread until the end or until the sheet thread has gone. A
/// part that cannot be read ends the scan; calamine reports it.
fn scan_sheet(path: &Path, part: &str, tx: &SyncSender<Scan>) {
    let Ok(file) = File::open(path) else {
        return;
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else {
        return;
    };
    let Ok(part) = zip.by_name(part) else {
        return;
    };
    scan_repeats(BufReader::new(part), |scan| tx.send(scan).is_ok());
}

/// Every finding of [`scan_repeats`] at once.
#[cfg(test)]
fn find_repeats(input: impl BufRead) -> HashMap<u32, Repeat> {
    let mut found = HashMap::new();
    scan_repeats(input, |scan| {
        if let Scan::Found(row, rep) = scan {
            found.insert(row, rep);
        }
        true
    });
    found
}

/// The place named by the `r` attribute of a row or cell (see [`cell_ref`]).
fn reference(e: &quick_xml::events::BytesStart) -> Option<(u32, Option<u32>)> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == b"r")
        .and_then(|a| cell_ref(&a.value))
}

/// A column's letters (0 → `A`).
fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut s = Vec::new();
    while n > 0 {
        let d = ((n - 1) % 26) as u8;
        s.push(b'A' + d);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// Gathers cells into rows and sends each row when the next begins.
struct Rows<'a> {
    path: &'a Path,
    tx: &'a SyncSender<Message>,
    /// The header's cells, once the header row has been sent.
    header: Option<Vec<String>>,
    /// The row being gathered (0-based).
    current: Option<u32>,
    cells: Vec<String>,
    /// Rows held twice or with a cell held twice (see [`scan_repeats`]),
    /// as far as the scan has gone.
    repeats: HashMap<u32, Repeat>,
    /// The scan's findings, until it ends.
    scan: Option<Receiver<Scan>>,
    /// Every finding for the rows above this one (0-based) is in `repeats`.
    known_below: u32,
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
    /// width), or, for a row the workbook holds twice, a reject for each
    /// time; false when the reader has gone.
    fn flush(&mut self) -> Result<bool, DataError> {
        let Some(row) = self.current.take() else {
            return Ok(true);
        };
        let line = u64::from(row) + 1;
        // Wait for the scan to pass the row (it runs ahead).
        while self.known_below <= row {
            match self.scan.as_ref().map(Receiver::recv) {
                Some(Ok(Scan::Found(r, rep))) => {
                    self.repeats.insert(r, rep);
                }
                Some(Ok(Scan::KnownBelow(r))) => self.known_below = self.known_below.max(r),
                Some(Err(_)) | None => {
                    self.scan = None;
                    self.known_below = u32::MAX;
                }
            }
        }
        if let Some(rep) = self.repeats.remove(&row) {
            self.cells.clear();
            let (column, reason) = match (rep.rows, rep.cell) {
                (1, Some(col)) => (
                    self.header
                        .as_ref()
                        .and_then(|h| h.get(col as usize))
                        .filter(|n| !n.trim().is_empty())
                        .map_or_else(|| column_letters(col), |n| n.trim().to_string()),
                    format!(
                        "the workbook has cell {}{line} twice (two cells with the same reference): the row is not read",
                        column_letters(col)
                    ),
                ),
                (n, _) => (
                    "row".to_string(),
                    format!(
                        "the workbook has sheet row {line} {} (rows with the same number): none of them is read",
                        if n == 2 { "twice".to_string() } else { format!("{n} times") }
                    ),
                ),
            };
            if self.header.is_none() {
                return Err(format_error(
                    self.path,
                    format!("the header row (sheet row {line}): {reason}"),
                ));
            }
            for _ in 0..rep.rows {
                let item = Item::Rejected {
                    line,
                    column: column.clone(),
                    reason: reason.clone(),
                };
                if self.tx.send(Ok(item)).is_err() {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        let mut n = self.cells.len();
        if let Some(width) = self.header.as_ref().map(Vec::len) {
            // Trailing empty cells beyond the header are not extra cells.
            while n > width && self.cells.get(n - 1).is_some_and(String::is_empty) {
                n -= 1;
            }
        } else {
            while n > 0 && self.cells.get(n - 1).is_some_and(|c| c.trim().is_empty()) {
                n -= 1;
            }
            self.header = Some(self.cells.iter().take(n).cloned().collect());
        }
        let mut record = ::csv::ByteRecord::new();
        for c in self.cells.iter().take(n) {
            record.push_field(c.as_bytes());
        }
        let width = self.header.as_ref().map_or(0, Vec::len);
        while record.len() < width {
            record.push_field(b"");
        }
        self.cells.clear();
        Ok(self.tx.send(Ok(Item::Row(line, record))).is_ok())
    }
}

impl RowSource for XlsxSource {
    fn header(&self) -> Option<&[String]> {
        Some(&self.header)
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        let item = match self.rows.recv() {
            Ok(message) => message?,
            Err(_) => return Ok(false),
        };
        *raw = Some(match item {
            Item::Row(line, cells) => Raw::Cells { line, cells },
            Item::Rejected {
                line,
                column,
                reason,
            } => Raw::Rejected {
                line,
                id: None,
                column,
                reason,
            },
            Item::Sheet(_) => return Ok(false),
        });
        self.done += 1;
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.done
    }

    fn warnings(&self) -> Vec<String> {
        self.chosen
            .hidden_first
            .iter()
            .map(|hidden| {
                format!(
                    "the workbook's first sheet `{}` is hidden: the first visible sheet `{}` was read (choose a sheet with --sheet)",
                    shorten(hidden),
                    shorten(&self.chosen.name)
                )
            })
            .collect()
    }

    fn context(&self) -> Option<String> {
        Some(format!(
            "sheet `{}` was read; the workbook's sheets are {}: choose one with --sheet",
            shorten(&self.chosen.name),
            sheet_list(&self.chosen.sheets)
        ))
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
            header: None,
            current: None,
            cells: Vec::new(),
            repeats: HashMap::new(),
            scan: None,
            known_below: 0,
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
                let Ok(Item::Row(line, cells)) = m else {
                    panic!("not a row");
                };
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

    #[test]
    fn rows_and_cells_held_twice_are_found_as_calamine_numbers_them() {
        let xml = r#"<worksheet><sheetData>
            <row r="1"><c r="A1"/><c r="B1"/></row>
            <row r="2"><c r="A2"/><c r="B2"/></row>
            <row r="2"><c r="A2"/></row>
            <row r="3"><c r="A3"/><c r="B3"/><c r="B3"/></row>
            <row><c/><c/><c/></row>
            <row><c/><c r="A5"/></row>
            <row r="9"><c r="A9"/></row><row r="9"/><row r="9"/>
        </sheetData></worksheet>"#;
        let found = find_repeats(xml.as_bytes());
        let mut got: Vec<(u32, Repeat)> = found.into_iter().collect();
        got.sort_by_key(|(r, _)| *r);
        assert_eq!(
            got,
            [
                (
                    1,
                    Repeat {
                        rows: 2,
                        cell: Some(0)
                    }
                ),
                (
                    2,
                    Repeat {
                        rows: 1,
                        cell: Some(1)
                    }
                ),
                // Rows without a number follow the last; cells without a
                // reference follow the last cell.
                (
                    4,
                    Repeat {
                        rows: 1,
                        cell: Some(0)
                    }
                ),
                (
                    8,
                    Repeat {
                        rows: 3,
                        cell: None
                    }
                ),
            ]
        );
    }

    #[test]
    fn the_scan_passes_each_finding_before_saying_its_row_is_known() {
        let mut xml = String::from("<worksheet><sheetData>");
        for r in 1..=2000 {
            xml.push_str(&format!(r#"<row r="{r}"><c r="A{r}"/><c r="B{r}"/>"#));
            if r == 1500 {
                xml.push_str(r#"<c r="A1500"/>"#);
            }
            xml.push_str("</row>");
            if r == 10 || r == 700 || r == 1999 {
                xml.push_str(&format!(r#"<row r="{r}"><c r="A{r}"/></row>"#));
            }
        }
        xml.push_str("</sheetData></worksheet>");
        let mut events = Vec::new();
        scan_repeats(xml.as_bytes(), |scan| {
            events.push(scan);
            true
        });
        let mut below = 0;
        let mut found = Vec::new();
        for e in &events {
            match *e {
                Scan::KnownBelow(b) => {
                    assert!(b >= below, "{events:?}");
                    below = b;
                }
                Scan::Found(r, _) => {
                    assert!(
                        r >= below,
                        "row {r} found after rows below {below} were known"
                    );
                    found.push(r);
                }
            }
        }
        assert!(below > 1000, "{below}");
        found.dedup();
        assert_eq!(found, [9, 699, 1499, 1998]);
    }

    #[test]
    fn a_repeated_row_is_rejected_once_for_each_time() {
        let (tx, rx) = sync_channel(16);
        let mut rows = Rows {
            path: Path::new("t.xlsx"),
            tx: &tx,
            header: None,
            current: None,
            cells: Vec::new(),
            repeats: HashMap::from([
                (
                    1,
                    Repeat {
                        rows: 2,
                        cell: Some(0),
                    },
                ),
                (
                    2,
                    Repeat {
                        rows: 1,
                        cell: Some(1),
                    },
                ),
                (
                    3,
                    Repeat {
                        rows: 1,
                        cell: Some(7),
                    },
                ),
            ]),
            scan: None,
            known_below: 0,
        };
        for (row, col, text) in [
            (0, 0, "id"),
            (0, 1, "age"),
            (1, 0, "R1"),
            (2, 1, "4"),
            (3, 0, "x"),
        ] {
            assert!(rows.add(row, col, text.into()).unwrap());
        }
        assert!(rows.flush().unwrap());
        let got: Vec<(u64, String, String)> = rx
            .try_iter()
            .filter_map(|m| match m.unwrap() {
                Item::Rejected {
                    line,
                    column,
                    reason,
                } => Some((line, column, reason)),
                _ => None,
            })
            .collect();
        let cols: Vec<(u64, &str)> = got.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
        assert_eq!(cols, [(2, "row"), (2, "row"), (3, "age"), (4, "H")]);
        assert!(got[0].2.contains("sheet row 2 twice"), "{}", got[0].2);
        assert!(got[2].2.contains("cell B3 twice"), "{}", got[2].2);
        // The header row held twice: the run stops.
        let (tx, _rx) = sync_channel(16);
        let mut rows = Rows {
            path: Path::new("t.xlsx"),
            tx: &tx,
            header: None,
            current: None,
            cells: Vec::new(),
            repeats: HashMap::from([(
                0,
                Repeat {
                    rows: 3,
                    cell: None,
                },
            )]),
            scan: None,
            known_below: 0,
        };
        rows.add(0, 0, "id".into()).unwrap();
        let e = rows.flush().unwrap_err().to_string();
        assert!(
            e.contains("the header row (sheet row 1): the workbook has sheet row 1 3 times"),
            "{e}"
        );
    }

    #[test]
    fn references_and_column_letters() {
        assert_eq!(cell_ref(b"A1"), Some((0, Some(0))));
        assert_eq!(cell_ref(b"AB12"), Some((11, Some(27))));
        assert_eq!(cell_ref(b"xfd1048576"), Some((1_048_575, Some(16_383))));
        assert_eq!(cell_ref(b"7"), Some((6, None)));
        assert_eq!(cell_ref(b"A0"), None);
        assert_eq!(cell_ref(b"A"), None);
        assert_eq!(cell_ref(b"A-1"), None);
        for (col, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (16_383, "XFD")] {
            assert_eq!(column_letters(col), letters);
            let r = format!("{letters}1");
            assert_eq!(cell_ref(r.as_bytes()), Some((0, Some(col))));
        }
    }

    #[test]
    fn dates_and_times_are_iso_text() {
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        let text = |v: f64, kind, is_1904| {
            cell_text(&Data::DateTime(ExcelDateTime::new(v, kind, is_1904)))
        };
        assert_eq!(text(45838.0, DateTime, false), "2025-06-30");
        assert_eq!(text(45838.4375, DateTime, false), "2025-06-30T10:30:00");
        assert_eq!(text(0.4375, DateTime, false), "10:30:00");
        assert_eq!(
            text(0.4375 + 0.5 / 86_400.0, DateTime, false),
            "10:30:00.500"
        );
        assert_eq!(text(1.5, TimeDelta, false), "36:00:00");
        assert_eq!(text(44376.0, DateTime, true), "2025-06-30");
        // Text kept as calamine gives it; numbers are numbers.
        assert_eq!(
            cell_text(&Data::DateTimeIso("2025-06-30T10:30:00".into())),
            "2025-06-30T10:30:00"
        );
        assert_eq!(cell_text(&Data::Float(0.4375)), "0.4375");
    }
}
