//! A [`Document`] as an Excel workbook (rust_xlsxwriter): the opening blocks
//! on a first sheet (named after the title, or "Summary" when the title is
//! too long for a tab), then one sheet per section. Figures are real numbers
//! with number formats (counts, signed changes, percentages, coefficients
//! with their decimals); text is neutralised against formula injection;
//! a sheet's first table, when it opens the sheet or follows a few lines
//! of text, has its header row bold, frozen, filterable and repeated on
//! every printed page; every sheet prints
//! landscape, one page wide. A table longer than a sheet holds is cut with a
//! note saying how many rows were left out.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{Block, Cell, Document, Inline, Table};
use crate::report::cell::neutralise;
use crate::report::xlsx::{page_setup, sheet_name};

/// Rows listed per table (Excel's limit is 1,048,576, header and note
/// included).
pub const MAX_ROWS: usize = 1_048_000;

/// Widest column, in characters; longer text wraps within it.
const WIDEST: usize = 60;

/// The last row a sheet's first table may start on and still have its
/// header frozen (the lines above it stay in view too).
const HEADER_WITHIN: usize = 4;

/// The workbook of `doc`, listing at most `cap` rows of a table (tests use a
/// small cap to see the note without a million rows).
pub fn workbook(doc: &Document, cap: usize) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let mut used = Vec::new();
    if !doc.intro.is_empty() {
        let ws = wb.add_worksheet();
        // Named after the title when it fits a sheet's name, else "Summary"
        // (a title cut at 31 characters reads badly on a tab).
        let name = if doc.title.chars().count() <= 31 {
            doc.title.as_str()
        } else {
            "Summary"
        };
        ws.set_name(sheet_name(name, &mut used))?;
        ws.write_string_with_format(0, 0, &doc.title, &Format::new().set_bold())?;
        sheet(ws, &doc.intro, 2, cap)?;
    }
    for s in doc.sections.iter().filter(|s| s.reach.in_workbook()) {
        if s.blocks.iter().all(|b| matches!(b, Block::Chart(_))) {
            continue;
        }
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(
            s.sheet.as_deref().unwrap_or(&s.title),
            &mut used,
        ))?;
        sheet(ws, &s.blocks, 0, cap)?;
    }
    Ok(wb)
}

/// The workbook of `doc` as the bytes of an .xlsx file.
pub fn render(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    workbook(doc, MAX_ROWS)?.save_to_buffer()
}

fn at(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn col(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// Writes `blocks` down the sheet from row `row`.
fn sheet(
    ws: &mut Worksheet,
    blocks: &[Block],
    mut row: usize,
    cap: usize,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    // Characters per column, for the widths.
    let mut widths: Vec<usize> = Vec::new();
    let mut has_table = false;
    let mut long_text = 0;
    let mut header = None;
    for b in blocks {
        let mut line = |ws: &mut Worksheet, row: &mut usize, s: &str, f: Option<&Format>| {
            long_text = long_text.max(s.chars().count());
            let r = at(*row);
            *row += 1;
            match f {
                Some(f) => ws
                    .write_string_with_format(r, 0, neutralise(s).as_ref(), f)
                    .map(|_| ()),
                None => ws.write_string(r, 0, neutralise(s).as_ref()).map(|_| ()),
            }
        };
        match b {
            Block::Paragraph(t) => line(ws, &mut row, &t.plain(), None)?,
            Block::Note { label, text } => {
                line(ws, &mut row, &format!("{label}: {}", text.plain()), None)?;
            }
            Block::Warning(t) => line(
                ws,
                &mut row,
                &format!("Warning: {}", t.plain()),
                Some(&bold),
            )?,
            Block::Heading(h) => line(ws, &mut row, h, Some(&bold))?,
            Block::List(items) => {
                for i in items {
                    line(ws, &mut row, &i.plain(), None)?;
                }
            }
            Block::Answers(qs) => {
                for (q, a) in qs {
                    line(ws, &mut row, &q.plain(), Some(&bold))?;
                    line(ws, &mut row, &a.plain(), None)?;
                }
            }
            Block::Table(t) => {
                // The sheet's first table, when only a few lines of text
                // come before it, has its header row frozen, filterable and
                // repeated on every printed page.
                let first = !has_table && row <= HEADER_WITHIN;
                if first {
                    header = Some(at(row));
                }
                has_table = true;
                row = table(ws, row, t, cap, first, &mut widths)?;
            }
            Block::Chart(_) => continue,
        }
        row += 1;
    }
    let wrap = Format::new().set_text_wrap();
    let cap = column_cap(&widths);
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col(c), (*w as f64 + 2.0).clamp(10.0, cap as f64 + 2.0))?;
        if *w > cap {
            ws.set_column_format(col(c), &wrap)?;
        }
    }
    if !has_table {
        // A sheet of sentences: one wide column, wrapped.
        ws.set_column_width(0, (long_text as f64 + 2.0).clamp(10.0, 100.0))?;
        ws.set_column_format(0, &wrap)?;
    }
    if let Some(h) = header {
        ws.set_freeze_panes(h + 1, 0)?;
    }
    page_setup(ws, header)
}

/// Characters across a sheet that still prints legibly one page wide on
/// landscape A4 (about 140 fit at full size; this many print at about
/// half size).
const PAGE: usize = 260;

/// Narrowest a column of long text is made to wrap to, in characters.
const NARROWEST: usize = 36;

/// The widest a column may be, in characters, so that the sheet comes as
/// close to one page across as wrapping long text allows: [`WIDEST`] when
/// the columns fit, else the cap at which they fit, never below
/// [`NARROWEST`] (a sheet of many short columns is then scaled down to fit
/// the page when printed).
fn column_cap(widths: &[usize]) -> usize {
    let across = |cap: usize| -> usize { widths.iter().map(|w| (*w).clamp(8, cap) + 2).sum() };
    (NARROWEST..=WIDEST)
        .rev()
        .find(|cap| across(*cap) <= PAGE)
        .unwrap_or(NARROWEST)
}

/// Writes `t` from row `row`, with an autofilter on its header row when
/// `filter`; returns the row after it.
fn table(
    ws: &mut Worksheet,
    row: usize,
    t: &Table,
    cap: usize,
    filter: bool,
    widths: &mut Vec<usize>,
) -> Result<usize, XlsxError> {
    let head = Format::new().set_bold().set_text_wrap();
    if widths.len() < t.columns.len() {
        widths.resize(t.columns.len(), 0);
    }
    for (c, h) in t.columns.iter().enumerate() {
        ws.write_string_with_format(at(row), col(c), &h.heading, &head)?;
        widths[c] = widths[c].max(h.heading.chars().count().min(24));
    }
    let shown = &t.rows[..t.rows.len().min(cap)];
    for (n, cells) in shown.iter().enumerate() {
        let r = at(row + 1 + n);
        for (c, cell) in cells.iter().enumerate() {
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(shown_len(cell));
            }
            write(ws, r, col(c), cell)?;
        }
    }
    if filter && !t.columns.is_empty() && !shown.is_empty() {
        ws.autofilter(at(row), 0, at(row + shown.len()), col(t.columns.len() - 1))?;
    }
    let mut next = row + 1 + shown.len();
    if t.rows.len() > shown.len() {
        let note = format!(
            "{} more rows not listed here: an Excel sheet holds about a million rows, so only the first {} of {} are listed. \
             The JSON report (-o report.json) lists them all.",
            t.rows.len() - shown.len(),
            shown.len(),
            t.rows.len()
        );
        ws.write_string_with_format(at(next), 0, note, &Format::new().set_bold())?;
        next += 1;
    }
    Ok(next)
}

/// How many characters a cell shows.
fn shown_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(t) => t.plain().chars().count(),
        _ => 8,
    }
}

/// `0`, `0.0`, `0.00`...: a number with `decimals` decimals.
fn decimal_format(decimals: u8) -> String {
    if decimals == 0 {
        "0".to_string()
    } else {
        format!("0.{}", "0".repeat(usize::from(decimals)))
    }
}

/// The number format of a figure.
fn format(cell: &Cell) -> Option<String> {
    let signed = |body: &str| format!("+{body};-{body};{body}");
    match cell {
        Cell::Delta(_) => Some(signed("0")),
        Cell::Percent { decimals, .. } => Some(decimal_format(*decimals) + "%"),
        Cell::Points(_) => Some(signed("0.0\" pp\"")),
        Cell::Number {
            decimals,
            signed: s,
            ..
        } => {
            let body = if *decimals == 0 {
                "0".to_string()
            } else {
                format!("0.{}", "0".repeat(usize::from(*decimals)))
            };
            Some(if *s { signed(&body) } else { body })
        }
        Cell::Text(_) | Cell::Count(_) | Cell::Empty => None,
    }
}

/// Writes one cell: text neutralised, figures as numbers with their format,
/// an undefined figure as an empty cell.
fn write(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell) -> Result<(), XlsxError> {
    let value = match cell {
        Cell::Text(t) => return text(ws, r, c, t),
        Cell::Empty => return Ok(()),
        Cell::Count(n) | Cell::Delta(n) => Some(*n as f64),
        Cell::Percent { value, .. } => *value,
        Cell::Points(v) => v.map(|v| v * 100.0),
        Cell::Number { value, .. } => *value,
    };
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return Ok(());
    };
    match format(cell) {
        Some(f) => ws
            .write_number_with_format(r, c, v, &Format::new().set_num_format(f))
            .map(|_| ()),
        None => ws.write_number(r, c, v).map(|_| ()),
    }
}

fn text(ws: &mut Worksheet, r: u32, c: u16, t: &Inline) -> Result<(), XlsxError> {
    let s = t.plain();
    if s.is_empty() {
        return Ok(());
    }
    ws.write_string(r, c, neutralise(&s).as_ref()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::super::{Column, Section};
    use super::*;

    #[test]
    fn figures_get_number_formats() {
        assert_eq!(format(&Cell::Delta(2)).as_deref(), Some("+0;-0;0"));
        assert_eq!(format(&Cell::stat(Some(0.5))).as_deref(), Some("0.000"));
        assert_eq!(
            format(&Cell::signed_stat(Some(0.5))).as_deref(),
            Some("+0.000;-0.000;0.000")
        );
        assert_eq!(format(&Cell::pct(None)).as_deref(), Some("0.0%"));
        assert_eq!(format(&Cell::percent(None, 0)).as_deref(), Some("0%"));
        assert_eq!(format(&Cell::count(1)), None);
    }

    #[test]
    fn wide_tables_wrap_their_long_columns_to_fit_a_page() {
        assert_eq!(column_cap(&[10, 30, 80]), WIDEST);
        let cap = column_cap(&[10, 60, 60, 60, 60, 10]);
        assert!((NARROWEST..WIDEST).contains(&cap), "{cap}");
        assert!(
            [10, 60, 60, 60, 60, 10]
                .iter()
                .map(|w: &usize| (*w).clamp(8, cap) + 2)
                .sum::<usize>()
                <= PAGE
        );
        assert_eq!(column_cap(&[60; 12]), NARROWEST);
    }

    #[test]
    fn a_document_makes_one_sheet_per_section() {
        let mut t = Table::new(vec![Column::text("Id"), Column::num("n")]);
        for n in 0..5 {
            t.row(vec![Cell::text(format!("=r{n}")), Cell::count(n)]);
        }
        let doc = Document {
            title: "Report".into(),
            intro: vec![Block::Paragraph("about".into())],
            sections: vec![
                Section::new("A long title: more than thirty-one characters")
                    .sheet("Rows")
                    .with(t),
                Section::new("Words").with(Inline::text("x")),
            ],
        };
        let bytes = workbook(&doc, 2).unwrap().save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
            s
        };
        let book = read("xl/workbook.xml");
        assert!(book.contains("name=\"Report\"") && book.contains("name=\"Rows\""));
        assert!(book.contains("name=\"Words\""));
        assert_eq!(book.matches("_xlnm.Print_Titles").count(), 1);
        let strings = read("xl/sharedStrings.xml");
        assert!(strings.contains("'=r0"), "neutralised: {strings}");
        assert!(strings.contains("3 more rows not listed here"));
        assert!(!strings.contains("r2"));
        let rows = read("xl/worksheets/sheet2.xml");
        assert!(rows.contains("<pane ") && rows.contains("fitToHeight=\"0\""));
    }
}
