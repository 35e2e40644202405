//! Referral data: one cell or JSON value → a typed [`Value`], with the yes/no
//! words of SPEC §4. The file readers (CSV, JSON, JSON Lines, Excel) build
//! on these so every format reads values the same way.

use crate::plan::{FieldInfo, FieldKind, Plan, Record, Value};

/// Words that mean present / true (case-insensitive).
pub const YES: [&str; 5] = ["1", "true", "yes", "y", "x"];
/// Words that mean absent / false (case-insensitive); the empty cell too.
pub const NO: [&str; 5] = ["0", "false", "no", "n", ""];

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
pub fn parse_cell(field: &FieldInfo, cell: &str) -> Result<Value, String> {
    let t = cell.trim();
    if t.is_empty() {
        return Ok(Value::Missing);
    }
    match &field.kind {
        FieldKind::Number(range) => {
            let n: f64 = t
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| format!("`{}` is not a number", shorten(t)))?;
            check_range(n, *range)?;
            Ok(Value::Num(n))
        }
        FieldKind::Bool => parse_yes_no(t).map(Value::Bool).ok_or_else(|| {
            format!(
                "`{}` is not yes/no (use true/false, yes/no, y/n, 1/0)",
                shorten(t)
            )
        }),
        FieldKind::Text => Ok(Value::Text(t.to_string())),
        FieldKind::OneOf(opts) => choice(opts, t),
    }
}

fn check_range(n: f64, range: Option<(f64, f64)>) -> Result<(), String> {
    if let Some((lo, hi)) = range {
        if n < lo || n > hi {
            return Err(format!(
                "{} is outside the range {}..{}",
                crate::format_number(n),
                crate::format_number(lo),
                crate::format_number(hi)
            ));
        }
    }
    Ok(())
}

fn choice(opts: &[String], t: &str) -> Result<Value, String> {
    if let Some(i) = opts.iter().position(|o| o == t) {
        return Ok(Value::Choice(i as u16));
    }
    // Case-insensitive second chance: spreadsheets capitalise.
    if let Some(i) = opts.iter().position(|o| o.eq_ignore_ascii_case(t)) {
        return Ok(Value::Choice(i as u16));
    }
    let listed = opts
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = crate::check::suggest::hint(t, opts.iter().map(String::as_str))
        .map_or(String::new(), |h| format!("; {h}"));
    Err(format!("`{}` is not one of {listed}{hint}", shorten(t)))
}

/// Reads one JSON value for a field (`null` is missing).
pub fn parse_json(field: &FieldInfo, v: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    match (v, &field.kind) {
        (J::Null, _) => Ok(Value::Missing),
        (J::String(s), _) => parse_cell(field, s),
        (J::Number(n), FieldKind::Number(range)) => {
            let n = n
                .as_f64()
                .filter(|n| n.is_finite())
                .ok_or("number out of range")?;
            check_range(n, *range)?;
            Ok(Value::Num(n))
        }
        (J::Bool(b), FieldKind::Bool) => Ok(Value::Bool(*b)),
        (J::Number(n), FieldKind::Bool) => match n.as_f64() {
            Some(1.0) => Ok(Value::Bool(true)),
            Some(0.0) => Ok(Value::Bool(false)),
            _ => Err(format!("{n} is not true/false")),
        },
        (J::Number(n), FieldKind::Text) => Ok(Value::Text(n.to_string())),
        (J::Bool(b), FieldKind::Text) => Ok(Value::Text(b.to_string())),
        (other, kind) => Err(format!(
            "expected {}, found {}",
            match kind {
                FieldKind::Number(_) => "a number",
                FieldKind::Bool => "true/false",
                FieldKind::Text => "text",
                FieldKind::OneOf(_) => "one of the listed choices",
            },
            json_kind(other)
        )),
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

/// At most 40 characters of a cell, for messages (data stays out of logs).
pub fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(37).collect();
        t.push_str("...");
        t
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
    for (slot, f) in plan.fields.iter().enumerate() {
        let v = match obj.get(&f.id) {
            Some(v) => parse_json(f, v).map_err(|e| (f.id.clone(), e))?,
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
                set_indicator(plan, &mut rec, s).map_err(|e| ("indicators".to_string(), e))?;
            }
        }
        Some(serde_json::Value::String(s)) => {
            for part in s.split(';') {
                set_indicator(plan, &mut rec, part).map_err(|e| ("indicators".to_string(), e))?;
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
    // Wide form: a key named after an indicator.
    for (i, ind) in plan.indicators.iter().enumerate() {
        if let Some(v) = obj.get(&ind.id) {
            let present = match v {
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::Null => false,
                serde_json::Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
                serde_json::Value::String(s) => parse_yes_no(s)
                    .ok_or_else(|| (ind.id.clone(), format!("`{}` is not yes/no", shorten(s))))?,
                other => {
                    return Err((
                        ind.id.clone(),
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

/// Marks an indicator present by id (trimmed; empty ids are ignored).
pub fn set_indicator(plan: &Plan, rec: &mut Record, id: &str) -> Result<(), String> {
    let id = id.trim();
    if id.is_empty() {
        return Ok(());
    }
    match plan.indicator_bit(id) {
        Some(b) => {
            rec.indicators.insert(b as usize);
            Ok(())
        }
        None => {
            let hint =
                crate::check::suggest::hint(id, plan.indicators.iter().map(|i| i.id.as_str()))
                    .map_or(String::new(), |h| format!("; {h}"));
            Err(format!("unknown indicator `{}`{hint}", shorten(id)))
        }
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
        value: serde_json::Value,
    },
    /// A line of JSON Lines, not yet parsed.
    JsonText {
        /// Line number.
        line: u64,
        /// The bytes of the line.
        text: Vec<u8>,
    },
}

impl Raw {
    /// The row's line or sheet row.
    pub fn line(&self) -> u64 {
        match self {
            Raw::Cells { line, .. } | Raw::Json { line, .. } | Raw::JsonText { line, .. } => *line,
        }
    }
}

/// A reader of rows: CSV, JSON, JSON Lines or a sheet.
pub trait RowSource: Send {
    /// Column names, for tabular formats (`None` for JSON).
    fn header(&self) -> Option<&[String]>;
    /// Fills `raw` with the next row (reusing its buffers); false at the end.
    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, pipeline::DataError>;
    /// Bytes read so far, for progress.
    fn position(&self) -> u64;
}

pub mod csv;
pub mod dedup;
pub mod json;
pub mod layout;
pub mod xlsx;

use crate::pipeline;
