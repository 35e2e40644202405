//! Referral data: one cell or JSON value → a typed [`Value`], with the yes/no
//! words of SPEC §4. The file readers (CSV, JSON, JSON Lines, Excel) build
//! on these so every format reads values the same way.

use crate::plan::{FieldInfo, FieldType, Plan, Record, Value};
use crate::text::{invisible, shorten};

/// The widest table read, in columns (a CSV header or a sheet row): Excel's
/// own limit, so every sheet fits. A wider header stops the run (exit 2).
pub const MAX_COLUMNS: usize = 16_384;

/// The largest cell (or JSON string value) read, in bytes. A row with a
/// larger cell is rejected, naming the column; scripts could not take such a
/// cell anyway (`script::MAX_STRING_SIZE`).
pub const MAX_CELL_BYTES: usize = 1024 * 1024;

/// The largest CSV row, JSON Lines line or element of a JSON array, in
/// bytes. A longer JSON Lines line is a rejected row; a longer CSV row or
/// JSON element stops the run (exit 2), since where it ends cannot be told
/// without reading it: most often an unclosed `"` has made the rest of the
/// file one cell. Memory per row stays a small multiple of this.
pub const MAX_ROW_BYTES: usize = 4 * 1024 * 1024;

/// The largest part (one XML file) of an .xlsx workbook once unpacked, in
/// bytes. Parts are unpacked and measured before the workbook is read, so
/// a "zip bomb" (a small file whose sheet inflates to gigabytes) stops the
/// run (exit 2) instead of exhausting memory. About a million cells; larger
/// data belongs in CSV, which is streamed.
pub const MAX_XLSX_PART_BYTES: u64 = 128 * 1024 * 1024;

/// Words that mean present / true (case-insensitive).
pub const YES: [&str; 5] = ["1", "true", "yes", "y", "x"];
/// Words that mean absent / false (case-insensitive); the empty cell too.
pub const NO: [&str; 5] = ["0", "false", "no", "n", ""];

/// Refuses a cell larger than [`MAX_CELL_BYTES`] (the reason for a reject).
pub fn cell_size(len: usize) -> Result<(), Box<CellError>> {
    if len <= MAX_CELL_BYTES {
        return Ok(());
    }
    Err(CellError::TooLarge { len }.into())
}

/// Reads a yes/no word.
pub fn parse_yes_no(cell: &str) -> Option<bool> {
    // Fast path for the common spellings, before trimming and case folding.
    match cell.as_bytes() {
        b"true" | b"1" | b"yes" | b"TRUE" | b"x" => return Some(true),
        b"false" | b"0" | b"no" | b"FALSE" | b"" => return Some(false),
        _ => {}
    }
    let t = cell.trim();
    if YES.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(true)
    } else if NO.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(false)
    } else {
        None
    }
}

/// Reads one cell for a field. An empty cell is [`Value::Missing`]; the caller
/// decides whether missing is allowed. Errors are reasons for a reject.
pub fn parse_cell(field: &FieldInfo, cell: &str) -> Result<Value, Box<CellError>> {
    let t = cell.trim();
    if t.is_empty() {
        return Ok(Value::Missing);
    }
    match &field.kind {
        FieldType::Number(range) => {
            let n: f64 = t
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| not_a_number(t))?;
            check_range(n, *range)?;
            Ok(Value::Num(n))
        }
        FieldType::Bool => parse_yes_no(t)
            .map(Value::Bool)
            .ok_or_else(|| CellError::NotYesNo { value: shorten(t) }.into()),
        FieldType::Text => Ok(Value::Text(t.to_string())),
        FieldType::OneOf(opts) => choice(opts, t),
    }
}

/// Why a cell is not a number: dates and times (an Excel date cell is read
/// as ISO text, never as its serial number) are named as such.
fn not_a_number(t: &str) -> CellError {
    let value = shorten(t);
    match date_shape(t) {
        Some(DateShape::Date) => CellError::DateNotNumber { value },
        Some(DateShape::Time) => CellError::TimeNotNumber { value },
        None => CellError::NotANumber { value },
    }
}

/// What an ISO date or time looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DateShape {
    /// `2025-06-30`, `2025-06-30T10:30:00`, `30/06/2025`.
    Date,
    /// `10:30`, `10:30:00`, `36:00:00.5`.
    Time,
}

/// Whether a cell is shaped like a date or a time of day.
fn date_shape(t: &str) -> Option<DateShape> {
    // Digits separated by the one separator, in groups of these lengths.
    let groups = |s: &str, sep: char, lens: &[std::ops::RangeInclusive<usize>]| {
        let parts: Vec<&str> = s.split(sep).collect();
        parts.len() == lens.len()
            && parts
                .iter()
                .zip(lens)
                .all(|(p, l)| l.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let time = |s: &str| {
        let s = s.split_once('.').map_or(s, |(whole, frac)| {
            if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) {
                whole
            } else {
                ""
            }
        });
        groups(s, ':', &[1..=9, 2..=2, 2..=2]) || groups(s, ':', &[1..=9, 2..=2])
    };
    let (date, rest) = t.split_once(['T', ' ']).unwrap_or((t, ""));
    if groups(date, '-', &[4..=4, 2..=2, 2..=2]) || groups(date, '/', &[1..=2, 1..=2, 4..=4]) {
        return (rest.is_empty() || time(rest)).then_some(DateShape::Date);
    }
    time(t).then_some(DateShape::Time)
}

/// Refuses a number outside its field's range.
fn check_range(n: f64, range: Option<(f64, f64)>) -> Result<(), Box<CellError>> {
    if let Some((low, high)) = range {
        if n < low || n > high {
            return Err(CellError::OutOfRange {
                value: n,
                low,
                high,
            }
            .into());
        }
    }
    Ok(())
}

/// The choice a `one_of` cell names, exactly or but for case.
fn choice(opts: &[String], t: &str) -> Result<Value, Box<CellError>> {
    if let Some(i) = opts.iter().position(|o| o == t) {
        return Ok(Value::Choice(i as u16));
    }
    // Case-insensitive second chance: spreadsheets capitalise.
    if let Some(i) = opts.iter().position(|o| o.eq_ignore_ascii_case(t)) {
        return Ok(Value::Choice(i as u16));
    }
    Err(CellError::NotAChoice {
        value: shorten(t),
        choices: opts.to_vec(),
        suggestion: suggest(t, opts.iter().map(String::as_str)),
    }
    .into())
}

/// The candidate `name` most likely meant, for a "did you mean".
fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    crate::text::did_you_mean(name, candidates).map(str::to_string)
}

/// Reads one JSON value for a field (`null` is missing).
pub fn parse_json(field: &FieldInfo, v: &serde_json::Value) -> Result<Value, Box<CellError>> {
    use serde_json::Value as JsonValue;
    match (v, &field.kind) {
        (JsonValue::Null, _) => Ok(Value::Missing),
        (JsonValue::String(s), _) => {
            cell_size(s.len())?;
            parse_cell(field, s)
        }
        (JsonValue::Number(n), FieldType::Number(range)) => {
            let n = n
                .as_f64()
                .filter(|n| n.is_finite())
                .ok_or(CellError::JsonNumberOutOfRange)?;
            check_range(n, *range)?;
            Ok(Value::Num(n))
        }
        (JsonValue::Bool(b), FieldType::Bool) => Ok(Value::Bool(*b)),
        (JsonValue::Number(n), FieldType::Bool) => match n.as_f64() {
            Some(1.0) => Ok(Value::Bool(true)),
            Some(0.0) => Ok(Value::Bool(false)),
            _ => Err(CellError::NotTrueFalse {
                number: n.to_string(),
            }
            .into()),
        },
        (JsonValue::Number(n), FieldType::Text) => Ok(Value::Text(n.to_string())),
        (JsonValue::Bool(b), FieldType::Text) => Ok(Value::Text(b.to_string())),
        (other, kind) => Err(CellError::WrongJsonType {
            expected: match kind {
                FieldType::Number(_) => "a number",
                FieldType::Bool => "true/false",
                FieldType::Text => "text",
                FieldType::OneOf(_) => "one of the listed choices",
            },
            found: json_kind(other),
        }
        .into()),
    }
}

/// The JSON type of a value, in words.
pub fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "true/false",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Rows whose id holds an invisible character ([`crate::text::is_invisible`]): how many,
/// and the first one's row and character. Never the id itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InvisibleIds {
    /// Rows with such an id.
    pub rows: u64,
    /// The first: its line (or sheet row) and the character.
    pub first: Option<(u64, char)>,
}

impl InvisibleIds {
    /// Counts the row at `line` when `id` holds an invisible character.
    pub fn check(&mut self, line: u64, id: &str) {
        if let Some(c) = invisible(id) {
            self.rows += 1;
            self.first.get_or_insert((line, c));
        }
    }

    /// The warning to print once, if any row had such an id, e.g.
    /// `warning: row 7: the id contains an invisible character (U+200B); ...`.
    pub fn warning(&self) -> Option<String> {
        let (line, c) = self.first?;
        let others = match self.rows {
            0 | 1 => String::new(),
            n => format!(
                " ({n} rows have such ids; printed ids show them as <U+{:04X}>)",
                u32::from(c)
            ),
        };
        Some(format!(
            "warning: row {line}: the id contains an invisible character (U+{:04X}); ids that look the same may differ{others}",
            u32::from(c)
        ))
    }
}

/// Builds a record from a JSON object (used by `explain --record` and the
/// JSON readers). Errors name the key and the reason.
pub fn record_from_json(
    plan: &Plan,
    obj: &serde_json::Map<String, serde_json::Value>,
) -> Result<Record, (String, String)> {
    let mut rec = Record::empty(plan);
    if let Some(id) = obj.get("id") {
        rec.id = match id {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err((
                    "id".into(),
                    format!("expected a string, found {}", json_kind(other)),
                ))
            }
        };
    }
    for (slot, f) in plan.decl.fields.iter().enumerate() {
        let v = match obj.get(&f.id) {
            Some(v) => parse_json(f, v).map_err(|e| (f.id.clone(), e.to_string()))?,
            None => Value::Missing,
        };
        if matches!(v, Value::Missing) && !f.optional {
            return Err((f.id.clone(), "missing required field".into()));
        }
        rec.values[slot] = v;
    }
    match obj.get("indicators") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Array(a)) => {
            for v in a {
                let serde_json::Value::String(s) = v else {
                    return Err((
                        "indicators".into(),
                        format!("expected indicator ids, found {}", json_kind(v)),
                    ));
                };
                set_indicator(plan, &mut rec, s)
                    .map_err(|e| ("indicators".to_string(), e.to_string()))?;
            }
        }
        Some(serde_json::Value::String(s)) => {
            for part in s.split(';') {
                set_indicator(plan, &mut rec, part)
                    .map_err(|e| ("indicators".to_string(), e.to_string()))?;
            }
        }
        Some(other) => {
            return Err((
                "indicators".into(),
                format!(
                    "expected an array of indicator ids, found {}",
                    json_kind(other)
                ),
            ))
        }
    }
    // Wide form: a key named after an indicator or one of its codes.
    let keys = plan
        .decl
        .indicators
        .iter()
        .enumerate()
        .flat_map(|(i, ind)| {
            std::iter::once((i, ind.id.as_str()))
                .chain(ind.codes.iter().map(move |c| (i, c.as_str())))
        });
    for (i, key) in keys {
        if let Some(v) = obj.get(key) {
            let present = match v {
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::Null => false,
                serde_json::Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
                serde_json::Value::String(s) => parse_yes_no(s)
                    .ok_or_else(|| (key.to_string(), format!("`{}` is not yes/no", shorten(s))))?,
                other => {
                    return Err((
                        key.to_string(),
                        format!("expected yes/no, found {}", json_kind(other)),
                    ))
                }
            };
            if present {
                rec.indicators.insert(i);
            }
        }
    }
    Ok(rec)
}

/// Marks an indicator present by id or by one of its external codes
/// (`codes [...]`; trimmed; empty ones are ignored). An id begins with a
/// lowercase letter, so anything else is looked up as a code first: one map
/// lookup for a DfE code such as `3A`.
pub fn set_indicator(plan: &Plan, rec: &mut Record, id: &str) -> Result<(), Box<CellError>> {
    let id = id.trim();
    if id.is_empty() {
        return Ok(());
    }
    let as_id = || plan.indicator_bit(id);
    let bit = if id.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
        as_id().or_else(|| plan.code_bit(id))
    } else {
        plan.code_bit(id).or_else(as_id)
    };
    match bit {
        Some(b) => {
            rec.set_indicator(b);
            Ok(())
        }
        None => Err(unknown_indicator(plan, id).into()),
    }
}

/// Why an indicator id or code is not known, with a "did you mean".
fn unknown_indicator(plan: &Plan, id: &str) -> CellError {
    let ids = plan.decl.indicators.iter().map(|i| i.id.as_str());
    if plan.decl.codes.is_empty() {
        return CellError::UnknownIndicator {
            id: shorten(id),
            suggestion: suggest(id, ids),
        };
    }
    let codes = plan
        .decl
        .indicators
        .iter()
        .flat_map(|i| i.codes.iter().map(String::as_str));
    CellError::UnknownIndicatorOrCode {
        id: shorten(id),
        suggestion: suggest(id, ids.chain(codes)),
    }
}

/// One unparsed row, as a reader hands it over (buffers are reused).
#[derive(Debug)]
pub enum Raw {
    /// Cells of a CSV line or sheet row.
    Cells {
        /// Line (header = 1) or sheet row.
        line: u64,
        /// The cells.
        cells: ::csv::ByteRecord,
    },
    /// An element of a JSON array.
    Json {
        /// 1-based index.
        line: u64,
        /// The value.
        value: json::Element,
        /// About how many bytes of the file it took.
        bytes: u64,
    },
    /// A line of JSON Lines, not yet parsed.
    JsonText {
        /// Line number.
        line: u64,
        /// The bytes of the line.
        text: Vec<u8>,
    },
    /// A row the reader already knows is unusable (e.g. a JSON Lines line
    /// longer than [`MAX_ROW_BYTES`]), with the column and reason.
    Rejected {
        /// Line number.
        line: u64,
        /// The row's id when the reader could read it (a CIN episode's
        /// `LAchildID/CINreferralDate`), so the row can be found.
        id: Option<String>,
        /// The column at fault (`row` for the row as a whole).
        column: String,
        /// Why.
        reason: String,
    },
}

impl Raw {
    /// The row's line or sheet row.
    pub fn line(&self) -> u64 {
        match self {
            Raw::Cells { line, .. }
            | Raw::Json { line, .. }
            | Raw::JsonText { line, .. }
            | Raw::Rejected { line, .. } => *line,
        }
    }

    /// About how much memory the row's raw form holds, in bytes (a batch of
    /// rows is cut short when its rows add up to much).
    pub fn bytes(&self) -> u64 {
        match self {
            Raw::Cells { cells, .. } => (cells.as_slice().len() + 8 * cells.len()) as u64,
            Raw::Json { bytes, .. } => *bytes,
            Raw::JsonText { text, .. } => text.len() as u64,
            Raw::Rejected { .. } => 0,
        }
    }
}

/// A reader of rows: CSV, JSON, JSON Lines or a sheet.
pub trait RowSource: Send {
    /// Column names, for tabular formats (`None` for JSON).
    fn header(&self) -> Option<&[String]>;
    /// Fills `raw` with the next row (reusing its buffers); false at the end.
    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError>;
    /// Bytes read so far, for progress.
    fn position(&self) -> u64;
    /// Physical lines read, header included, for a text format that counts
    /// them (the summary then accounts for every line).
    fn lines(&self) -> Option<u64> {
        None
    }
    /// Records that ran over several lines: the first few spans (first
    /// line, last line) and how many in all.
    fn spans(&self) -> (Vec<(u64, u64)>, u64) {
        (Vec::new(), 0)
    }
    /// A note added to a missing-column error, saying where the columns
    /// were looked for (a workbook: the sheet read and the other sheets).
    fn context(&self) -> Option<String> {
        None
    }
    /// What every report must state about how the file was read (e.g. a
    /// hidden first sheet passed over).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// True when the reader makes its columns itself (a CIN census file):
    /// the ones no rule reads are not listed as ignored.
    fn derived_header(&self) -> bool {
        false
    }
    /// Refuses a rule file the format cannot fill (a CIN census: a field
    /// declared with a type its values do not fit), before any row is read.
    fn check_plan(&self, _plan: &Plan) -> Result<(), PlanMismatch> {
        Ok(())
    }
}

pub mod allowance;
mod cell_error;
pub mod cin;
pub mod csv;
pub mod dedup;
pub mod json;
pub mod layout;
mod row;
pub mod xlsx;

pub use cell_error::{CellError, PlanMismatch};
pub use row::{format_of, DataError, Format, LoadOptions, Reject, Row, SPANS_KEPT, WHOLE_ROW};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_in_number_fields_are_named() {
        let not_a_number = |t: &str| not_a_number(t).to_string();
        assert_eq!(
            not_a_number("2025-06-30"),
            "`2025-06-30` is a date, not a number"
        );
        assert_eq!(
            not_a_number("2025-06-30T10:30:00"),
            "`2025-06-30T10:30:00` is a date, not a number"
        );
        assert_eq!(
            not_a_number("30/06/2025"),
            "`30/06/2025` is a date, not a number"
        );
        assert_eq!(
            not_a_number("10:30:00"),
            "`10:30:00` is a time, not a number"
        );
        assert_eq!(
            not_a_number("36:00:00.250"),
            "`36:00:00.250` is a time, not a number"
        );
        assert_eq!(not_a_number("10:30"), "`10:30` is a time, not a number");
        for t in [
            "abc",
            "2025-6",
            "1:2:3",
            "2025-06-30Tlater",
            "12.5.3",
            "10:30:",
        ] {
            assert_eq!(not_a_number(t), format!("`{t}` is not a number"), "{t}");
        }
    }

    #[test]
    fn cells_over_the_limit_are_refused() {
        assert!(cell_size(MAX_CELL_BYTES).is_ok());
        let e = cell_size(MAX_CELL_BYTES + 1).unwrap_err();
        assert_eq!(
            *e,
            CellError::TooLarge {
                len: MAX_CELL_BYTES + 1
            }
        );
        assert!(e.to_string().contains("at most 1048576 bytes"), "{e}");
    }

    #[test]
    fn invisible_ids_are_counted_and_not_quoted() {
        let mut ids = InvisibleIds::default();
        ids.check(2, "R1");
        assert_eq!(ids.warning(), None);
        ids.check(7, "R\u{200B}1");
        ids.check(9, "R\u{FEFF}1");
        assert_eq!(ids.rows, 2);
        let w = ids.warning().unwrap();
        assert!(
            w.starts_with("warning: row 7: the id contains an invisible character (U+200B); ids that look the same may differ"),
            "{w}"
        );
        assert!(w.contains("2 rows"), "{w}");
        assert!(!w.contains("R\u{200B}1"), "the id is not quoted: {w}");
    }
}
