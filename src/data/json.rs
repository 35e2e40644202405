//! JSON input: an array of objects (loaded whole: a JSON array cannot be
//! split into rows before it is parsed) or JSON Lines (streamed: one object
//! per line, each parsed by the workers). Keys play the part of columns.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde_json::Value as J;

use super::layout::{norm, RowError};
use super::{json_kind, parse_json, parse_yes_no, set_indicator, shorten, Raw, RowSource};
use crate::pipeline::{DataError, LoadOptions, Row};
use crate::plan::{Plan, Value};

/// A JSON array's elements.
pub struct JsonArraySource {
    items: std::vec::IntoIter<J>,
    next: u64,
}

impl JsonArraySource {
    /// Loads and parses the whole file.
    pub fn open(path: &Path) -> Result<JsonArraySource, DataError> {
        let bytes = std::fs::read(path).map_err(|e| DataError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let bad = |message: String| DataError::Format {
            path: path.to_path_buf(),
            message,
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(bad(
                "the file is empty: expected a JSON array of referral objects".into(),
            ));
        }
        let v: J = serde_json::from_slice(&bytes).map_err(|e| {
            bad(format!(
                "line {}, column {}: not valid JSON: {e}",
                e.line(),
                e.column()
            ))
        })?;
        match v {
            J::Array(items) => Ok(JsonArraySource {
                items: items.into_iter(),
                next: 0,
            }),
            other => Err(bad(format!(
                "expected a JSON array of referral objects, found {} (use .jsonl for one object per line)",
                json_kind(&other)
            ))),
        }
    }
}

impl RowSource for JsonArraySource {
    fn header(&self) -> Option<&[String]> {
        None
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        let Some(value) = self.items.next() else {
            return Ok(false);
        };
        self.next += 1;
        *raw = Some(Raw::Json {
            line: self.next,
            value,
        });
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.next
    }
}

/// JSON Lines, streamed.
pub struct JsonlSource {
    input: BufReader<File>,
    line: u64,
    bytes: u64,
    path: PathBuf,
}

impl JsonlSource {
    /// Opens the file.
    pub fn open(path: &Path) -> Result<JsonlSource, DataError> {
        let f = File::open(path).map_err(|e| DataError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(JsonlSource {
            input: BufReader::with_capacity(256 * 1024, f),
            line: 0,
            bytes: 0,
            path: path.to_path_buf(),
        })
    }
}

impl RowSource for JsonlSource {
    fn header(&self) -> Option<&[String]> {
        None
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        if !matches!(raw, Some(Raw::JsonText { .. })) {
            *raw = Some(Raw::JsonText {
                line: 0,
                text: Vec::new(),
            });
        }
        let Some(Raw::JsonText { line, text }) = raw else {
            return Ok(false);
        };
        loop {
            text.clear();
            let n = self
                .input
                .read_until(b'\n', text)
                .map_err(|e| DataError::Io {
                    path: self.path.clone(),
                    message: e.to_string(),
                })?;
            if n == 0 {
                return Ok(false);
            }
            self.line += 1;
            self.bytes += n as u64;
            if self.line == 1 && text.starts_with(b"\xef\xbb\xbf") {
                text.drain(..3);
            }
            if !text.iter().all(u8::is_ascii_whitespace) {
                *line = self.line;
                return Ok(true);
            }
        }
    }

    fn position(&self) -> u64 {
        self.bytes
    }
}

/// What a key means under one plan.
#[derive(Clone, Copy, Debug)]
enum Key {
    Field(u16),
    Indicator(u32),
}

/// Key roles for JSON objects under one plan.
#[derive(Clone, Debug)]
pub struct JsonLayout {
    keys: HashMap<String, Key>,
    decision: String,
    keep: Vec<String>,
    extra: Vec<String>,
}

impl JsonLayout {
    /// Builds the key table.
    pub fn new(plan: &Plan, opts: &LoadOptions) -> JsonLayout {
        let mut keys = HashMap::new();
        for (bit, ind) in plan.indicators.iter().enumerate() {
            keys.insert(ind.id.clone(), Key::Indicator(bit as u32));
        }
        for (slot, f) in plan.fields.iter().enumerate() {
            keys.insert(f.id.clone(), Key::Field(slot as u16));
        }
        JsonLayout {
            keys,
            decision: opts.decision.clone().unwrap_or_else(|| "decision".into()),
            keep: opts.keep.clone(),
            extra: opts.extra.clone(),
        }
    }

    /// Parses one JSON value into `row`.
    pub fn parse(&self, plan: &Plan, v: &J, row: &mut Row) -> Result<(), RowError> {
        let J::Object(obj) = v else {
            return Err((
                "row".into(),
                format!("expected an object, found {}", json_kind(v)),
            ));
        };
        row.record.id.clear();
        row.record.indicators.clear();
        row.decision = None;
        row.decision_text = None;
        row.record
            .values
            .iter_mut()
            .for_each(|v| *v = Value::Missing);
        let get = |name: &str| {
            obj.get(name)
                .or_else(|| obj.iter().find(|(k, _)| norm(k) == norm(name)).map(|x| x.1))
        };
        match get("id") {
            Some(J::String(s)) if !s.trim().is_empty() => row.record.id.push_str(s.trim()),
            Some(J::Number(n)) => row.record.id.push_str(&n.to_string()),
            Some(J::String(_)) | Some(J::Null) | None => {
                return Err(("id".into(), "missing id".into()))
            }
            Some(other) => {
                return Err((
                    "id".into(),
                    format!("expected a string, found {}", json_kind(other)),
                ))
            }
        }
        let mut seen = vec![false; plan.fields.len()];
        for (k, val) in obj {
            let key = self
                .keys
                .get(k.as_str())
                .or_else(|| self.keys.get(&norm(k)));
            match key {
                Some(Key::Field(slot)) => {
                    let s = *slot as usize;
                    if let (Some(f), Some(out)) = (plan.fields.get(s), row.record.values.get_mut(s))
                    {
                        *out = parse_json(f, val).map_err(|e| (k.clone(), e))?;
                        seen[s] = true;
                    }
                }
                Some(Key::Indicator(bit)) => {
                    let present = match val {
                        J::Bool(b) => *b,
                        J::Null => false,
                        J::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
                        J::String(s) => parse_yes_no(s).ok_or_else(|| {
                            (k.clone(), format!("`{}` is not yes/no", shorten(s)))
                        })?,
                        other => {
                            return Err((
                                k.clone(),
                                format!("expected yes/no, found {}", json_kind(other)),
                            ))
                        }
                    };
                    if present {
                        row.record.indicators.insert(*bit as usize);
                    }
                }
                None => {}
            }
        }
        for (s, f) in plan.fields.iter().enumerate() {
            let missing = matches!(row.record.values.get(s), Some(Value::Missing) | None);
            if missing && !f.optional {
                let why = if seen[s] {
                    "missing required field"
                } else {
                    "missing required field (no such key)"
                };
                return Err((f.id.clone(), why.into()));
            }
        }
        match get("indicators") {
            None | Some(J::Null) => {}
            Some(J::Array(a)) => {
                for v in a {
                    let J::String(s) = v else {
                        return Err((
                            "indicators".into(),
                            format!("expected indicator ids, found {}", json_kind(v)),
                        ));
                    };
                    set_indicator(plan, &mut row.record, s)
                        .map_err(|e| ("indicators".to_string(), e))?;
                }
            }
            Some(J::String(s)) => {
                for part in s.split(';') {
                    set_indicator(plan, &mut row.record, part)
                        .map_err(|e| ("indicators".to_string(), e))?;
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
        match get(&self.decision) {
            None | Some(J::Null) => {}
            Some(J::String(s)) => {
                super::layout::set_decision(plan, s, row).map_err(|e| (self.decision.clone(), e))?
            }
            Some(other) => {
                return Err((
                    self.decision.clone(),
                    format!("expected decision text, found {}", json_kind(other)),
                ))
            }
        }
        for (out, name) in row
            .keep
            .iter_mut()
            .zip(&self.keep)
            .chain(row.extra.iter_mut().zip(&self.extra))
        {
            out.clear();
            match get(name) {
                None | Some(J::Null) => {}
                Some(J::String(s)) => out.push_str(s),
                Some(other) => out.push_str(&other.to_string()),
            }
        }
        Ok(())
    }

    /// Parses a JSON Lines line into `row`.
    pub fn parse_text(&self, plan: &Plan, text: &[u8], row: &mut Row) -> Result<(), RowError> {
        let v: J = serde_json::from_slice(text).map_err(|e| {
            let why = if e.is_syntax() && std::str::from_utf8(text).is_err() {
                "not valid UTF-8 text".to_string()
            } else {
                format!("not valid JSON (column {}): {e}", e.column())
            };
            ("row".to_string(), why)
        })?;
        self.parse(plan, &v, row)
    }

    /// A fresh row shaped for this layout.
    pub fn empty_row(&self, plan: &Plan) -> Row {
        Row::blank(plan, self.keep.len(), self.extra.len())
    }
}
