//! The `score` outputs beside CSV and JSON: a terminal table (streamed: the
//! column widths are fixed from the first rows) and an Excel sheet (a
//! workbook is written whole).

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{neutralise, COLUMNS};
use crate::data::Row;
use crate::eval::Score;
use crate::plan::Plan;

/// Rows held before the table's column widths are fixed.
pub(super) const TABLE_BATCH: usize = 1000;

/// Cells are shown up to this many characters; longer ones end in `…`.
const MAX_CELL: usize = 40;

const HEAD: [&str; 6] = ["id", "level", "decision", "agreement", "fired", "flags"];

/// A terminal table written as rows arrive, in flat memory: the first
/// [`TABLE_BATCH`] rows are held to fix the column widths (at most
/// [`MAX_CELL`] characters), then every row is written at once. A later cell
/// wider than its column is written in full (up to [`MAX_CELL`]), so the row
/// runs over rather than losing text; a cell over [`MAX_CELL`] ends in `…`.
pub(super) struct Table {
    batch: usize,
    rows: Vec<[String; 6]>,
    widths: Option<[usize; 6]>,
}

impl Default for Table {
    fn default() -> Self {
        Self::with_batch(TABLE_BATCH)
    }
}

fn ids(plan: &Plan, score: &Score) -> (String, String) {
    let fired = score
        .fired
        .iter()
        .filter_map(|r| plan.rules.get(r.index()))
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let flags = score
        .flags
        .iter()
        .filter_map(|f| plan.decl.flags.get(f.index()))
        .map(|f| f.id.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (fired, flags)
}

/// Terminal-safe text: control characters shown as `?`, invisible ones
/// (zero-width, bidi) as `<U+200B>`.
fn clean(s: &str) -> String {
    crate::text::visible(s)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A cell cut to [`MAX_CELL`] characters, the last being `…` when cut.
fn cut(c: &str) -> std::borrow::Cow<'_, str> {
    if c.chars().count() <= MAX_CELL {
        c.into()
    } else {
        let mut s: String = c.chars().take(MAX_CELL - 1).collect();
        s.push('…');
        s.into()
    }
}

fn line(out: &mut Vec<u8>, w: &[usize; 6], cells: &[&str]) {
    let mut s = String::new();
    for (i, c) in cells.iter().enumerate() {
        let c = cut(c);
        if i + 1 == cells.len() {
            s.push_str(&c);
        } else {
            let width = w.get(i).copied().unwrap_or(0);
            s.push_str(&format!("{c:<width$}  "));
        }
    }
    out.extend_from_slice(s.trim_end().as_bytes());
    out.push(b'\n');
}

impl Table {
    /// A table whose widths are fixed after `batch` rows (at least one).
    pub(super) fn with_batch(batch: usize) -> Self {
        Self {
            batch: batch.max(1),
            rows: Vec::new(),
            widths: None,
        }
    }

    /// Adds one row: held while the widths are not fixed, else written to `out`.
    pub(super) fn push(
        &mut self,
        out: &mut Vec<u8>,
        plan: &Plan,
        id: &str,
        row: &Row,
        score: &Score,
        ag: Option<&str>,
    ) {
        let (fired, flags) = ids(plan, score);
        let cells = [
            clean(id),
            plan.level_id(score.level).to_string(),
            clean(row.decision_text.as_deref().unwrap_or("")),
            ag.unwrap_or("").to_string(),
            fired,
            flags,
        ];
        match &self.widths {
            Some(w) => line(out, w, &cells.each_ref().map(String::as_str)),
            None => {
                self.rows.push(cells);
                if self.rows.len() >= self.batch {
                    self.flush(out, plan);
                }
            }
        }
    }

    /// Fixes the widths from the held rows (and the level ids, which are
    /// bounded by the rule file), writes the header and the held rows.
    fn flush(&mut self, out: &mut Vec<u8>, plan: &Plan) {
        let mut w = HEAD.map(str::len);
        let longest_level = plan.decl.levels.iter().map(|l| l.id.chars().count()).max();
        w[1] = w[1].max(longest_level.unwrap_or(0).min(MAX_CELL));
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count().min(MAX_CELL));
            }
        }
        line(out, &w, &HEAD);
        let rule = w.map(|n| "-".repeat(n));
        line(out, &w, &rule.each_ref().map(String::as_str));
        for r in std::mem::take(&mut self.rows) {
            line(out, &w, &r.each_ref().map(String::as_str));
        }
        self.widths = Some(w);
    }

    /// Ends the table: writes what is still held (all of it, for a table
    /// shorter than the batch).
    pub(super) fn render(&mut self, out: &mut Vec<u8>, plan: &Plan) {
        if self.widths.is_none() {
            self.flush(out, plan);
        }
    }
}

/// An Excel sheet being filled.
pub(super) struct Sheet {
    sheet: Worksheet,
    row: u32,
}

impl Sheet {
    /// A sheet with the header row.
    pub(super) fn new(keep: &[String]) -> Result<Sheet, XlsxError> {
        let mut sheet = Worksheet::new();
        sheet.set_name("scores")?;
        let bold = Format::new().set_bold();
        for (c, name) in COLUMNS
            .iter()
            .map(|s| s.to_string())
            .chain(keep.iter().map(|k| neutralise(k).into_owned()))
            .enumerate()
        {
            sheet.write_string_with_format(0, c as u16, name, &bold)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(Sheet { sheet, row: 1 })
    }

    /// Adds one row.
    pub(super) fn push(
        &mut self,
        plan: &Plan,
        id: &str,
        row: &Row,
        score: &Score,
        verdict: Option<(&str, &str, i32)>,
    ) -> Result<(), XlsxError> {
        let (fired, flags) = ids(plan, score);
        let r = self.row;
        let s = &mut self.sheet;
        s.write_string(r, 0, neutralise(id))?;
        s.write_string(r, 1, plan.level_id(score.level))?;
        s.write_string(r, 2, plan.level_id(score.base))?;
        s.write_string(r, 3, fired)?;
        s.write_string(r, 4, flags)?;
        s.write_string(r, 5, neutralise(row.decision_text.as_deref().unwrap_or("")))?;
        if let Some((dl, ag, dist)) = verdict {
            s.write_string(r, 6, dl)?;
            s.write_string(r, 7, ag)?;
            s.write_number(r, 8, f64::from(dist))?;
        }
        for (i, k) in row.keep.iter().enumerate() {
            s.write_string(r, 9 + i as u16, neutralise(k))?;
        }
        self.row += 1;
        Ok(())
    }

    /// The workbook, as the bytes of an .xlsx file.
    pub(super) fn save(self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        wb.push_worksheet(self.sheet);
        wb.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::NoScripts;
    use crate::plan::Record;
    use crate::ruleset::check_source;
    use crate::span::Source;

    fn plan() -> Plan {
        let text = r#"
continuum "Demo"
levels { universal "U" early_help "EH" }
domain d "D" { indicator a "A" at early_help }
"#;
        check_source(&Source::new("t.thr", text), &NoScripts)
            .plan
            .unwrap()
    }

    fn push(t: &mut Table, out: &mut Vec<u8>, p: &Plan, id: &str) {
        let mut record = Record::empty(p);
        record.id = id.into();
        let score = crate::eval::score(p, &record).unwrap();
        let row = Row {
            line: 2,
            record,
            decision: None,
            decision_text: None,
            keep: vec![],
            extra: vec![],
        };
        t.push(out, p, id, &row, &score, None);
    }

    /// Issue 12: the table held every row (780 MB at 2 M rows).
    #[test]
    fn rows_after_the_first_batch_are_written_at_once() {
        let p = plan();
        let mut t = Table::with_batch(3);
        let mut out = Vec::new();
        push(&mut t, &mut out, &p, "r1");
        push(&mut t, &mut out, &p, "r2");
        assert!(out.is_empty(), "held until the widths are fixed");
        push(&mut t, &mut out, &p, "r3");
        let text = String::from_utf8(out.clone()).unwrap();
        assert_eq!(text.lines().count(), 5, "{text}");
        assert!(t.rows.is_empty());
        for i in 4..100 {
            push(&mut t, &mut out, &p, &format!("r{i}"));
            assert!(t.rows.is_empty(), "nothing held after the batch");
        }
        let long = format!("a-much-longer-id-{}", "x".repeat(60));
        push(&mut t, &mut out, &p, "a-longer-id");
        push(&mut t, &mut out, &p, &long);
        t.render(&mut out, &p);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2 + 101);
        assert_eq!(
            lines[0],
            "id  level       decision  agreement  fired  flags"
        );
        assert!(lines[2].starts_with("r1  universal"), "{}", lines[2]);
        // Wider than the column: written in full, the row runs over.
        assert!(
            lines[101].starts_with("a-longer-id  universal"),
            "{}",
            lines[101]
        );
        // Over the cell limit: cut, with an ellipsis.
        let cut_id: String = long.chars().take(39).collect();
        assert!(
            lines[102].starts_with(&format!("{cut_id}…  universal")),
            "{}",
            lines[102]
        );
    }

    #[test]
    fn a_short_table_is_written_at_the_end() {
        let p = plan();
        let mut t = Table::default();
        let mut out = Vec::new();
        push(&mut t, &mut out, &p, "only");
        assert!(out.is_empty());
        t.render(&mut out, &p);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().nth(2), Some("only  universal"));
    }
}
