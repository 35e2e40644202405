//! The buffered `score` outputs: a terminal table (column widths need every
//! row) and an Excel sheet (a workbook is written whole).

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{neutralise, COLUMNS};
use crate::eval::Score;
use crate::pipeline::Row;
use crate::plan::Plan;

/// Rows held for a terminal table.
#[derive(Default)]
pub struct Table {
    rows: Vec<[String; 6]>,
}

fn ids(plan: &Plan, score: &Score) -> (String, String) {
    let fired = score
        .fired
        .iter()
        .filter_map(|r| plan.rules.get(*r as usize))
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let flags = score
        .flags
        .iter()
        .filter_map(|f| plan.flags.get(*f as usize))
        .map(|f| f.id.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (fired, flags)
}

/// Terminal-safe text: control characters shown as `?`.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

impl Table {
    /// Holds one row.
    pub fn push(&mut self, plan: &Plan, id: &str, row: &Row, score: &Score, ag: Option<&str>) {
        let (fired, flags) = ids(plan, score);
        self.rows.push([
            clean(id),
            plan.level_id(score.level).to_string(),
            clean(row.decision_text.as_deref().unwrap_or("")),
            ag.unwrap_or("").to_string(),
            fired,
            flags,
        ]);
    }

    /// Renders the table.
    pub fn render(&self, out: &mut Vec<u8>, _plan: &Plan) {
        let head = ["id", "level", "decision", "agreement", "fired", "flags"];
        let mut w: Vec<usize> = head.iter().map(|h| h.len()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count().min(40));
            }
        }
        let mut line = |cells: &[&str]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                let c: String = c.chars().take(40).collect();
                if i + 1 == cells.len() {
                    s.push_str(&c);
                } else {
                    s.push_str(&format!("{c:<width$}  ", width = w[i]));
                }
            }
            out.extend_from_slice(s.trim_end().as_bytes());
            out.push(b'\n');
        };
        line(&head);
        let rule: Vec<String> = w.iter().map(|n| "-".repeat(*n)).collect();
        line(&rule.iter().map(String::as_str).collect::<Vec<_>>());
        for r in &self.rows {
            line(&r.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}

/// An Excel sheet being filled.
pub struct Sheet {
    sheet: Worksheet,
    row: u32,
}

impl Sheet {
    /// A sheet with the header row.
    pub fn new(keep: &[String]) -> Result<Sheet, XlsxError> {
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
    pub fn push(
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
    pub fn save(self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        wb.push_worksheet(self.sheet);
        wb.save_to_buffer()
    }
}
