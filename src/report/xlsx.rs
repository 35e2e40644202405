//! Excel helpers for reports (rust_xlsxwriter): typed cells so figures are
//! real numbers, text from the data neutralised against formula injection,
//! tables with a bold, frozen header row and an autofilter, and safe sheet
//! names.

use std::borrow::Cow;

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::cell::neutralise;

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    /// Text written by us (labels, ids of the rule file).
    Text(Cow<'a, str>),
    /// Text from the data: neutralised with [`neutralise`].
    Data(Cow<'a, str>),
    /// A number.
    Num(f64),
    /// A share, shown as a percentage (stored as 0..1).
    Pct(f64),
    /// A statistic (kappa, a standard error), shown with 3 decimals and
    /// stored in full.
    Stat(f64),
    /// A yes/no.
    Bool(bool),
    /// Nothing (e.g. a statistic that is undefined).
    Empty,
}

impl<'a> Cell<'a> {
    /// Our own text.
    pub fn text(s: impl Into<Cow<'a, str>>) -> Self {
        Cell::Text(s.into())
    }
    /// Text from the data.
    pub fn data(s: impl Into<Cow<'a, str>>) -> Self {
        Cell::Data(s.into())
    }
    /// A count.
    pub fn int(n: u64) -> Self {
        Cell::Num(n as f64)
    }
    /// A number, or empty when undefined.
    pub fn opt(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Num)
    }
    /// A statistic, or empty when undefined.
    pub fn opt_stat(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Stat)
    }
    /// A share, or empty when undefined.
    pub fn opt_pct(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Pct)
    }
}

/// Writes one cell.
pub fn write(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell<'_>) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => ws.write_string(row, col, s.as_ref()).map(|_| ()),
        Cell::Data(s) => ws
            .write_string(row, col, neutralise(s).as_ref())
            .map(|_| ()),
        Cell::Num(n) => ws.write_number(row, col, *n).map(|_| ()),
        Cell::Pct(n) => {
            let f = Format::new().set_num_format("0.0%");
            ws.write_number_with_format(row, col, *n, &f).map(|_| ())
        }
        Cell::Stat(n) => {
            let f = Format::new().set_num_format(STAT_FORMAT);
            ws.write_number_with_format(row, col, *n, &f).map(|_| ())
        }
        Cell::Bool(b) => ws.write_boolean(row, col, *b).map(|_| ()),
        Cell::Empty => Ok(()),
    }
}

/// The number format of a statistic: three decimals.
pub const STAT_FORMAT: &str = "0.000";

/// Widest column, in characters; longer text wraps within it.
const WIDEST: usize = 60;

/// How many characters a cell shows (numbers and yes/no count as short).
fn shown_len(cell: &Cell<'_>) -> usize {
    match cell {
        Cell::Text(s) | Cell::Data(s) => s.chars().count(),
        Cell::Num(_) | Cell::Pct(_) | Cell::Stat(_) | Cell::Bool(_) | Cell::Empty => 8,
    }
}

/// Page setup so that a sheet prints legibly: landscape A4, one page wide
/// (as many long as needed), and, with `header_row`, that row repeated at
/// the top of every printed page.
pub fn page_setup(ws: &mut Worksheet, header_row: Option<u32>) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    if let Some(r) = header_row {
        ws.set_repeat_rows(r, r)?;
    }
    Ok(())
}

/// Writes a table from row `at`: a bold header row, frozen, repeated on
/// every printed page (when `at` is 0) and filterable, then the rows; each
/// column as wide as its text up to [`WIDEST`] characters, longer text
/// wrapped. Returns the next free row.
pub fn table(
    ws: &mut Worksheet,
    at: u32,
    headers: &[&str],
    rows: &[Vec<Cell<'_>>],
) -> Result<u32, XlsxError> {
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    for (c, h) in headers.iter().enumerate() {
        let longest = rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(shown_len)
            .chain([h.chars().count().min(24)])
            .max()
            .unwrap_or(0);
        let c = col(c);
        ws.write_string_with_format(at, c, *h, &bold)?;
        ws.set_column_width(c, (longest as f64 + 2.0).clamp(10.0, WIDEST as f64))?;
        if longest > WIDEST {
            ws.set_column_format(c, &wrap)?;
        }
    }
    for (r, cells) in rows.iter().enumerate() {
        let r = at.saturating_add(u32::try_from(r + 1).unwrap_or(u32::MAX));
        for (c, cell) in cells.iter().enumerate() {
            write(ws, r, col(c), cell)?;
        }
    }
    if at == 0 {
        ws.set_freeze_panes(1, 0)?;
        page_setup(ws, Some(0))?;
    }
    if !headers.is_empty() && !rows.is_empty() {
        let last = at.saturating_add(u32::try_from(rows.len()).unwrap_or(u32::MAX));
        ws.autofilter(at, 0, last, col(headers.len() - 1))?;
    }
    Ok(at.saturating_add(u32::try_from(rows.len() + 2).unwrap_or(u32::MAX)))
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A valid, unique sheet name from `want`: characters Excel forbids
/// (`[ ] : * ? / \`) replaced, at most 31 characters, not starting or ending
/// with `'`; a number is added when `used` already has it.
pub fn sheet_name(want: &str, used: &mut Vec<String>) -> String {
    let clean: String = want
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let base: String = if clean.is_empty() {
        "Sheet".into()
    } else {
        clean.chars().take(31).collect()
    };
    let mut name = base.clone();
    let mut i = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({i})");
        let head: String = base.chars().take(31 - suffix.chars().count()).collect();
        name = format!("{head}{suffix}");
        i += 1;
    }
    used.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = vec![];
        assert_eq!(sheet_name("By agency", &mut used), "By agency");
        assert_eq!(sheet_name("by agency", &mut used), "by agency (2)");
        assert_eq!(sheet_name("a[b]:c*?/\\", &mut used), "a_b__c____");
        assert_eq!(sheet_name(&"x".repeat(40), &mut used).len(), 31);
        assert_eq!(sheet_name("''", &mut used), "Sheet");
    }
}
