//! `score` output: CSV, JSON, JSON Lines, a terminal table or an Excel
//! sheet, one row per scored record in input order. CSV and JSON are
//! written as streams through one reused buffer; per-rule JSON fragments are
//! rendered once. Text that came from the data (ids, decisions, kept
//! columns) is guarded against spreadsheet formula injection in CSV and
//! Excel output.

mod table;

use std::io::{self, Write};

use crate::data::Row;
use crate::eval::Score;
use crate::pipeline::Rejects;
use crate::plan::{LevelRank, Plan};
use crate::pseudonym::Pseudonymiser;

/// Output formats of `score`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    /// CSV (SPEC §5 columns).
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// A readable table for a terminal.
    Table,
    /// An Excel workbook.
    Xlsx,
}

/// The fixed columns, in order.
pub const COLUMNS: [&str; 9] = [
    "id",
    "level",
    "base",
    "fired",
    "flags",
    "decision",
    "decision_level",
    "agreement",
    "distance",
];

/// `agree`, `over`, `under` for a decision against the rules' level.
pub fn agreement(decision: LevelRank, level: LevelRank) -> &'static str {
    match decision.cmp(&level) {
        std::cmp::Ordering::Equal => "agree",
        std::cmp::Ordering::Greater => "over",
        std::cmp::Ordering::Less => "under",
    }
}

/// A data cell made safe for spreadsheets: text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'`, unless it is a
/// plain number (so `-1` stays a number).
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && cell.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Appends a CSV field, quoted when it must be.
pub fn csv_field(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        buf.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// Appends a data text cell to CSV: neutralised, then quoted as needed.
pub fn csv_data(buf: &mut Vec<u8>, s: &str) {
    csv_field(buf, &neutralise(s));
}

/// Appends a JSON string.
pub fn json_str(buf: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// Appends a small signed integer without going through `fmt`.
pub fn push_int(buf: &mut Vec<u8>, n: i32) {
    if n < 0 {
        buf.push(b'-');
    }
    let mut v = n.unsigned_abs();
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Writes scored rows in one format.
pub struct ScoreWriter<'p> {
    plan: &'p Plan,
    format: OutFormat,
    out: Box<dyn Write + 'p>,
    buf: Vec<u8>,
    keep: Vec<String>,
    pseudo: Option<Pseudonymiser>,
    rows: u64,
    /// `{"rule":..,"reason":..,"effect":..}` per rule, rendered once.
    reasons: Vec<Vec<u8>>,
    table: table::Table,
    xlsx: Option<table::Sheet>,
}

impl<'p> ScoreWriter<'p> {
    /// A writer; `keep` names the carried columns. An Excel workbook is
    /// written to `out` whole on [`ScoreWriter::finish`].
    pub fn new(
        plan: &'p Plan,
        format: OutFormat,
        out: Box<dyn Write + 'p>,
        keep: &[String],
        pseudo: Option<Pseudonymiser>,
    ) -> io::Result<Self> {
        let reasons = plan
            .rules
            .iter()
            .map(|r| {
                let mut b = b"{\"rule\":".to_vec();
                json_str(&mut b, &r.id);
                b.extend_from_slice(b",\"reason\":");
                json_str(&mut b, &r.reason);
                b.extend_from_slice(b",\"effect\":");
                json_str(&mut b, &crate::explain::effect(plan, r));
                b.push(b'}');
                b
            })
            .collect();
        let mut w = Self {
            plan,
            format,
            out,
            buf: Vec::with_capacity(64 * 1024),
            keep: keep.to_vec(),
            pseudo,
            rows: 0,
            reasons,
            table: table::Table::default(),
            xlsx: None,
        };
        match format {
            OutFormat::Csv => {
                for (i, c) in COLUMNS
                    .iter()
                    .map(|c| c.to_string())
                    .chain(w.keep.clone())
                    .enumerate()
                {
                    if i > 0 {
                        w.buf.push(b',');
                    }
                    csv_data(&mut w.buf, &c);
                }
                w.buf.push(b'\n');
            }
            OutFormat::Json => w.buf.push(b'['),
            OutFormat::Xlsx => {
                w.xlsx = Some(table::Sheet::new(&w.keep).map_err(io::Error::other)?);
            }
            OutFormat::Jsonl | OutFormat::Table => {}
        }
        Ok(w)
    }

    /// Writes one scored row.
    pub fn write(&mut self, row: &Row, score: &Score) -> io::Result<()> {
        let plan = self.plan;
        let pseudo_id;
        let id: &str = match &self.pseudo {
            Some(p) => {
                pseudo_id = p.id(&row.record.id);
                &pseudo_id
            }
            None => &row.record.id,
        };
        let verdict = row.decision.map(|d| {
            (
                plan.level_id(d),
                agreement(d, score.level),
                i32::from(d.get()) - i32::from(score.level.get()),
            )
        });
        let decision_text = row.decision_text.as_deref().unwrap_or("");
        match self.format {
            OutFormat::Csv => {
                let b = &mut self.buf;
                csv_data(b, id);
                b.push(b',');
                b.extend_from_slice(plan.level_id(score.level).as_bytes());
                b.push(b',');
                b.extend_from_slice(plan.level_id(score.base).as_bytes());
                b.push(b',');
                join_ids(
                    b,
                    score
                        .fired
                        .iter()
                        .map(|r| plan.rules.get(r.index()).map_or("", |r| r.id.as_str())),
                );
                b.push(b',');
                join_ids(
                    b,
                    score
                        .flags
                        .iter()
                        .map(|f| plan.decl.flags.get(f.index()).map_or("", |f| f.id.as_str())),
                );
                b.push(b',');
                csv_data(b, decision_text);
                b.push(b',');
                if let Some((dl, ag, dist)) = verdict {
                    b.extend_from_slice(dl.as_bytes());
                    b.push(b',');
                    b.extend_from_slice(ag.as_bytes());
                    b.push(b',');
                    push_int(b, dist);
                } else {
                    b.extend_from_slice(b",,");
                }
                for k in &row.keep {
                    b.push(b',');
                    csv_data(b, k);
                }
                b.push(b'\n');
            }
            OutFormat::Json | OutFormat::Jsonl => {
                let b = &mut self.buf;
                if self.format == OutFormat::Json {
                    b.extend_from_slice(if self.rows == 0 { b"\n" } else { b",\n" });
                }
                b.extend_from_slice(b"{\"id\":");
                json_str(b, id);
                b.extend_from_slice(b",\"level\":\"");
                b.extend_from_slice(plan.level_id(score.level).as_bytes());
                b.extend_from_slice(b"\",\"base\":\"");
                b.extend_from_slice(plan.level_id(score.base).as_bytes());
                b.extend_from_slice(b"\",\"fired\":[");
                json_ids(
                    b,
                    score
                        .fired
                        .iter()
                        .map(|r| plan.rules.get(r.index()).map_or("", |r| r.id.as_str())),
                );
                b.extend_from_slice(b"],\"flags\":[");
                json_ids(
                    b,
                    score
                        .flags
                        .iter()
                        .map(|f| plan.decl.flags.get(f.index()).map_or("", |f| f.id.as_str())),
                );
                b.extend_from_slice(b"],\"decision\":");
                match &row.decision_text {
                    Some(t) => json_str(b, t),
                    None => b.extend_from_slice(b"null"),
                }
                if let Some((dl, ag, dist)) = verdict {
                    b.extend_from_slice(b",\"decision_level\":\"");
                    b.extend_from_slice(dl.as_bytes());
                    b.extend_from_slice(b"\",\"agreement\":\"");
                    b.extend_from_slice(ag.as_bytes());
                    b.extend_from_slice(b"\",\"distance\":");
                    push_int(b, dist);
                } else {
                    b.extend_from_slice(
                        b",\"decision_level\":null,\"agreement\":null,\"distance\":null",
                    );
                }
                for (name, v) in self.keep.iter().zip(&row.keep) {
                    b.push(b',');
                    json_str(b, name);
                    b.push(b':');
                    json_str(b, v);
                }
                b.extend_from_slice(b",\"reasons\":[");
                for (i, r) in score.fired.iter().enumerate() {
                    if i > 0 {
                        b.push(b',');
                    }
                    if let Some(frag) = self.reasons.get(r.index()) {
                        b.extend_from_slice(frag);
                    }
                }
                b.extend_from_slice(b"]}");
                if self.format == OutFormat::Jsonl {
                    b.push(b'\n');
                }
            }
            OutFormat::Table => {
                self.table
                    .push(&mut self.buf, plan, id, row, score, verdict.map(|v| v.1))
            }
            OutFormat::Xlsx => {
                if let Some(x) = &mut self.xlsx {
                    x.push(plan, id, row, score, verdict)
                        .map_err(io::Error::other)?;
                }
            }
        }
        self.rows += 1;
        if self.buf.len() >= 48 * 1024 {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Ends the output (closing brackets, the table, the workbook) and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        match self.format {
            OutFormat::Json => {
                self.buf
                    .extend_from_slice(if self.rows == 0 { b"]\n" } else { b"\n]\n" })
            }
            OutFormat::Table => self.table.render(&mut self.buf, self.plan),
            OutFormat::Xlsx => {
                if let Some(x) = self.xlsx.take() {
                    let bytes = x.save().map_err(io::Error::other)?;
                    self.buf.extend_from_slice(&bytes);
                }
            }
            OutFormat::Csv | OutFormat::Jsonl => {}
        }
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }
}

fn join_ids<'a>(b: &mut Vec<u8>, ids: impl Iterator<Item = &'a str>) {
    for (i, id) in ids.enumerate() {
        if i > 0 {
            b.push(b';');
        }
        b.extend_from_slice(id.as_bytes());
    }
}

fn json_ids<'a>(b: &mut Vec<u8>, ids: impl Iterator<Item = &'a str>) {
    for (i, id) in ids.enumerate() {
        if i > 0 {
            b.push(b',');
        }
        b.push(b'"');
        b.extend_from_slice(id.as_bytes());
        b.push(b'"');
    }
}

/// Writes rejects as CSV: `row, id, column, reason`.
pub fn write_rejects(
    out: &mut dyn Write,
    rejects: &Rejects,
    pseudo: Option<&Pseudonymiser>,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    out.write_all(b"row,id,column,reason\n")?;
    let mut b = Vec::new();
    rejects.for_each(|r| {
        b.clear();
        b.extend_from_slice(r.row.to_string().as_bytes());
        b.push(b',');
        if let Some(id) = &r.id {
            match pseudo {
                Some(p) => csv_data(&mut b, &p.id(id)),
                None => csv_data(&mut b, id),
            }
        }
        b.push(b',');
        csv_data(&mut b, &r.column);
        b.push(b',');
        match pseudo {
            Some(_) => csv_data(&mut b, &crate::pseudonym::value_free(&r.reason)),
            None => csv_data(&mut b, &r.reason),
        }
        b.push(b'\n');
        out.write_all(&b)
    })?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_safe() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-1"), "-1");
        assert_eq!(neutralise("-x"), "'-x");
        assert_eq!(neutralise("R001"), "R001");
        let mut b = Vec::new();
        csv_field(&mut b, "a,\"b\"");
        assert_eq!(b, b"\"a,\"\"b\"\"\"");
        let mut b = Vec::new();
        push_int(&mut b, -12);
        push_int(&mut b, 0);
        assert_eq!(b, b"-120");
    }
}
