//! JSON input: an array of objects (parsed on a thread of its own that hands
//! over one element at a time) or JSON Lines (one object per line, each
//! parsed by the workers). Both are streamed. Keys play the part of columns.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value as J;

use super::allowance::{Allowance, Allowed};
use super::layout::{norm, RowError};
use super::{json_kind, parse_json, parse_yes_no, set_indicator, Raw, RowSource, MAX_ROW_BYTES};
use crate::data::{DataError, LoadOptions, Row};
use crate::plan::{FieldSlot, IndicatorId, Plan, Value};
use crate::text::shorten;

/// A JSON array's elements, streamed: a thread parses the file and hands
/// over one element at a time, so memory stays flat whatever the length.
pub struct JsonArraySource {
    items: Receiver<Result<(Element, u64), DataError>>,
    /// The first element, received while opening.
    peeked: Option<(Element, u64)>,
    next: u64,
}

/// Elements waiting between the parsing thread and the reader.
const QUEUE: usize = 256;

/// The reader's buffer, in bytes.
const BUFFER: usize = 256 * 1024;

/// Sends each element of the top-level array; anything else is an error
/// that names what was found.
struct Elements<'a> {
    tx: &'a SyncSender<Result<(Element, u64), DataError>>,
    allowance: &'a Allowance,
    /// The array opened (an error after this is not an empty file).
    started: &'a std::cell::Cell<bool>,
    /// The reader went away: stop quietly.
    stopped: &'a std::cell::Cell<bool>,
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of referral objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.started.set(true);
        loop {
            let before = self.allowance.read();
            self.allowance.grant((MAX_ROW_BYTES + 2 * BUFFER) as u64);
            let Some(v) = seq.next_element::<Element>()? else {
                return Ok(());
            };
            let bytes = self.allowance.read().saturating_sub(before);
            if self.tx.send(Ok((v, bytes))).is_err() {
                self.stopped.set(true);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(not_array("an object"))
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Err(not_array("a string"))
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Err(not_array("true/false"))
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Err(not_array("a number"))
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Err(not_array("a number"))
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Err(not_array("a number"))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Err(not_array("null"))
    }
}

/// Marks a top-level value that is not an array (the message is the whole
/// error text, without serde's position).
const NOT_ARRAY: &str = "not an array: ";

fn not_array<E: serde::de::Error>(found: &str) -> E {
    E::custom(format!("{NOT_ARRAY}{found}"))
}

/// serde_json's message without its ` at line L column C` (the caller gives
/// the place), and nesting named in words.
pub fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    if text == "recursion limit exceeded" {
        "nested more than 128 levels deep".to_string()
    } else {
        text
    }
}

impl JsonArraySource {
    /// Opens the file and starts parsing it; errors at its start (an empty
    /// file, not an array, invalid JSON before the first element) are
    /// returned here, later ones by [`RowSource::next_row`].
    pub fn open(path: &Path) -> Result<JsonArraySource, DataError> {
        let file = File::open(path).map_err(|e| DataError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let (tx, rx) = sync_channel(QUEUE);
        let owned = path.to_path_buf();
        std::thread::spawn(move || parse_array(file, &owned, &tx));
        let mut src = JsonArraySource {
            items: rx,
            peeked: None,
            next: 0,
        };
        // Wait for the first element (or the end) so that a file that is not
        // an array at all fails here, before any output.
        src.peeked = match src.items.recv() {
            Ok(Ok(first)) => Some(first),
            Ok(Err(e)) => return Err(e),
            Err(_) => None,
        };
        Ok(src)
    }
}

/// The parsing thread: sends elements, then an error if the file has one.
fn parse_array(file: File, path: &Path, tx: &SyncSender<Result<(Element, u64), DataError>>) {
    let allowance = Allowance::new((MAX_ROW_BYTES + 2 * BUFFER) as u64);
    let input = BufReader::with_capacity(
        BUFFER,
        Allowed {
            inner: file,
            allowance: allowance.clone(),
        },
    );
    let started = std::cell::Cell::new(false);
    let stopped = std::cell::Cell::new(false);
    let mut de = serde_json::Deserializer::from_reader(input);
    let outcome = serde::Deserializer::deserialize_any(
        &mut de,
        Elements {
            tx,
            allowance: &allowance,
            started: &started,
            stopped: &stopped,
        },
    )
    .and_then(|()| de.end());
    let Err(e) = outcome else {
        return;
    };
    if stopped.get() {
        return;
    }
    let bad = |message: String| DataError::Format {
        path: path.to_path_buf(),
        message,
    };
    let reason = json_reason(&e);
    let err = if let Some(found) = reason.strip_prefix(NOT_ARRAY) {
        bad(format!(
            "expected a JSON array of referral objects, found {found} (use .jsonl for one object per line)"
        ))
    } else if e.is_eof() && !started.get() {
        bad("the file is empty: expected a JSON array of referral objects".into())
    } else if e.is_io() && allowance.spent() {
        bad(format!(
            "line {}: an element of the array is longer than {MAX_ROW_BYTES} bytes (4 MB), the most one row may hold",
            e.line()
        ))
    } else if e.is_io() {
        DataError::Io {
            path: path.to_path_buf(),
            message: reason,
        }
    } else {
        bad(format!(
            "line {}, column {}: not valid JSON: {reason}",
            e.line(),
            e.column()
        ))
    };
    let _ = tx.send(Err(err));
}

impl RowSource for JsonArraySource {
    fn header(&self) -> Option<&[String]> {
        None
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        let item = match self.peeked.take() {
            Some(first) => first,
            None => match self.items.recv() {
                Ok(item) => item?,
                Err(_) => return Ok(false),
            },
        };
        let (value, bytes) = item;
        self.next += 1;
        *raw = Some(Raw::Json {
            line: self.next,
            value,
            bytes,
        });
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.next
    }
}

/// A line buffer that grew past this is dropped rather than reused.
const KEEP_LINE_BYTES: usize = 16 * 1024;

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
            input: BufReader::with_capacity(BUFFER, f),
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

    fn lines(&self) -> Option<u64> {
        Some(self.line)
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
        if text.capacity() > KEEP_LINE_BYTES {
            *text = Vec::new();
        }
        let io = |e: std::io::Error| DataError::Io {
            path: self.path.clone(),
            message: e.to_string(),
        };
        loop {
            text.clear();
            let n = (&mut self.input)
                .take(MAX_ROW_BYTES as u64 + 1)
                .read_until(b'\n', text)
                .map_err(io)?;
            if n == 0 {
                return Ok(false);
            }
            self.line += 1;
            self.bytes += n as u64;
            if n > MAX_ROW_BYTES {
                // Skip the rest of the line unread and reject it.
                let mut len = n as u64;
                loop {
                    let buf = self.input.fill_buf().map_err(io)?;
                    if buf.is_empty() {
                        break;
                    }
                    let (used, end) = match buf.iter().position(|b| *b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (buf.len(), false),
                    };
                    self.input.consume(used);
                    len += used as u64;
                    if end {
                        break;
                    }
                }
                self.bytes += len - n as u64;
                *raw = Some(Raw::Rejected {
                    line: self.line,
                    id: None,
                    column: crate::data::WHOLE_ROW.into(),
                    reason: format!(
                        "the line is {len} bytes long; a line may hold at most {MAX_ROW_BYTES} bytes (4 MB)"
                    ),
                });
                return Ok(true);
            }
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

/// One element of a JSON array or one line of JSON Lines, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    /// An object (a row).
    Object(Object),
    /// Anything else (rejected: a row must be an object).
    Other(J),
}

/// An object's keys and values in the order written. Unlike
/// `serde_json::Map`, which keeps the last of two values under one key, a
/// key written twice is noted (and the row rejected), and the id is kept
/// exactly as written: a numeric id is its text (a long one is not
/// rounded to a float).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object {
    /// The keys and values; a numeric `id` is a string of its digits.
    pub pairs: Vec<(String, J)>,
    /// The first key written twice (case-insensitively): both spellings.
    pub twice: Option<(String, String)>,
}

/// Whether two keys name the same column: equal once trimmed, ignoring
/// case (as [`norm`] compares them), without allocating for ASCII keys.
pub fn same_key(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.trim().eq_ignore_ascii_case(b.trim())
    } else {
        norm(a) == norm(b)
    }
}

impl Object {
    /// The value of a key, matched exactly or else as [`same_key`] does.
    pub fn get(&self, name: &str) -> Option<&J> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .or_else(|| self.pairs.iter().find(|(k, _)| same_key(k, name)))
            .map(|(_, v)| v)
    }
}

/// What two keys must share to be the same key ([`same_key`]): for an
/// ASCII key, its trimmed length and first letter in lower case; a key
/// with other characters could be the same as any key.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Signature(Option<(usize, u8)>);

impl Signature {
    fn of(key: &str) -> Signature {
        let t = key.trim();
        Signature(
            key.is_ascii()
                .then(|| (t.len(), t.bytes().next().unwrap_or(0).to_ascii_lowercase())),
        )
    }

    fn could_be(&self, other: &Signature) -> bool {
        match (self.0, other.0) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// Builds an [`Element`] as serde_json parses it.
struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
        let mut obj = Object {
            // serde_json gives no size hint: room for a typical row.
            pairs: Vec::with_capacity(map.size_hint().unwrap_or(16).min(64)),
            twice: None,
        };
        // Each key's signature, beside it: two keys can be the same only
        // when their signatures match, so most pairs are told apart
        // without comparing the keys themselves.
        let mut signatures: Vec<Signature> = Vec::with_capacity(obj.pairs.capacity());
        let id = Signature::of("id");
        while let Some(key) = map.next_key::<String>()? {
            let signature = Signature::of(&key);
            let value = if signature.could_be(&id) && same_key(&key, "id") {
                // The id as written: a number's own digits, not a float.
                let raw: Box<RawValue> = map.next_value()?;
                let text = raw.get();
                if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                    J::String(text.to_string())
                } else {
                    serde_json::from_str(text).map_err(serde::de::Error::custom)?
                }
            } else {
                map.next_value::<J>()?
            };
            if obj.twice.is_none() {
                let first = signatures
                    .iter()
                    .zip(&obj.pairs)
                    .find(|(sig, (k, _))| sig.could_be(&signature) && same_key(k, &key));
                if let Some((_, (first, _))) = first {
                    obj.twice = Some((first.clone(), key.clone()));
                }
            }
            signatures.push(signature);
            obj.pairs.push((key, value));
        }
        Ok(Element::Object(obj))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<J>()? {
            items.push(v);
        }
        Ok(Element::Other(J::Array(items)))
    }

    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Element, E> {
        Ok(Element::Other(J::Bool(b)))
    }
    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Element, E> {
        Ok(Element::Other(J::from(n)))
    }
    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Element, E> {
        Ok(Element::Other(J::from(n)))
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Element, E> {
        Ok(Element::Other(J::from(n)))
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Element, E> {
        Ok(Element::Other(J::String(s.to_string())))
    }
    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Element, E> {
        Ok(Element::Other(J::String(s)))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Element, E> {
        Ok(Element::Other(J::Null))
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Element, E> {
        Ok(Element::Other(J::Null))
    }
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Element, D::Error> {
        d.deserialize_any(ElementVisitor)
    }
}

/// What a key means under one plan.
#[derive(Clone, Copy, Debug)]
enum Key {
    Field(FieldSlot),
    Indicator(IndicatorId),
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
        for (bit, ind) in IndicatorId::all().zip(&plan.decl.indicators) {
            keys.insert(ind.id.clone(), Key::Indicator(bit));
            // A key named by one of its codes (`"3A": true`), as written.
            for code in &ind.codes {
                keys.entry(code.clone()).or_insert(Key::Indicator(bit));
            }
        }
        for (slot, f) in FieldSlot::all().zip(&plan.decl.fields) {
            keys.insert(f.id.clone(), Key::Field(slot));
        }
        JsonLayout {
            keys,
            decision: opts.decision.clone().unwrap_or_else(|| "decision".into()),
            keep: opts.keep.clone(),
            extra: opts.extra.clone(),
        }
    }

    /// Parses one JSON value into `row`.
    pub fn parse(&self, plan: &Plan, v: &Element, row: &mut Row) -> Result<(), RowError> {
        let obj = match v {
            Element::Object(obj) => obj,
            Element::Other(v) => {
                return Err((
                    crate::data::WHOLE_ROW.into(),
                    format!("expected an object, found {}", json_kind(v)),
                ))
            }
        };
        row.record.id.clear();
        row.record.indicators.clear();
        row.decision = None;
        row.decision_text = None;
        row.record
            .values
            .iter_mut()
            .for_each(|v| *v = Value::Missing);
        let get = |name: &str| obj.get(name);
        let twice = obj.twice.as_ref().map(|(first, second)| {
            (
                first.clone(),
                if first == second {
                    format!(
                        "the object has the key `{}` twice: the row is not read",
                        shorten(first)
                    )
                } else {
                    format!(
                        "the object has the key `{}` twice (as `{}` and `{}`; keys are matched ignoring case): the row is not read",
                        shorten(first),
                        shorten(first),
                        shorten(second)
                    )
                },
            )
        });
        // An id written twice names no row.
        if let Some(e) = twice.clone().filter(|(k, _)| same_key(k, "id")) {
            return Err(e);
        }
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
        if let Some(e) = twice {
            return Err(e);
        }
        let mut seen = vec![false; plan.decl.fields.len()];
        for (k, val) in &obj.pairs {
            let key = self
                .keys
                .get(k.as_str())
                .or_else(|| self.keys.get(&norm(k)));
            match key {
                Some(Key::Field(slot)) => {
                    let s = slot.index();
                    if let (Some(f), Some(out)) =
                        (plan.decl.fields.get(s), row.record.values.get_mut(s))
                    {
                        *out = parse_json(f, val).map_err(|e| (k.clone(), e.to_string()))?;
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
                        row.record.set_indicator(*bit);
                    }
                }
                None => {}
            }
        }
        for (s, f) in plan.decl.fields.iter().enumerate() {
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
                        .map_err(|e| ("indicators".to_string(), e.to_string()))?;
                }
            }
            Some(J::String(s)) => {
                for part in s.split(';') {
                    set_indicator(plan, &mut row.record, part)
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
        match get(&self.decision) {
            None | Some(J::Null) => {}
            Some(J::String(s)) => super::layout::set_decision(plan, s, row)
                .map_err(|e| (self.decision.clone(), e.to_string()))?,
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
        let v: Element = serde_json::from_slice(text).map_err(|e| {
            let why = if e.is_syntax() && std::str::from_utf8(text).is_err() {
                "not valid UTF-8 text".to_string()
            } else {
                format!(
                    "not valid JSON (column {}): {}",
                    e.column(),
                    json_reason(&e)
                )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    fn drain(src: &mut dyn RowSource) -> Result<Vec<Raw>, DataError> {
        let mut out = Vec::new();
        let mut raw = None;
        while src.next_row(&mut raw)? {
            out.extend(raw.take());
        }
        Ok(out)
    }

    #[test]
    fn a_jsonl_line_over_the_limit_is_a_rejected_row() {
        let long = format!("{{\"id\":\"{}\"}}", "x".repeat(MAX_ROW_BYTES));
        let (_d, path) = file(format!("{{\"id\":1}}\n{long}\n{{\"id\":3}}\n").as_bytes());
        let rows = drain(&mut JsonlSource::open(&path).unwrap()).unwrap();
        assert_eq!(rows.len(), 3);
        let Raw::Rejected { line, reason, .. } = &rows[1] else {
            panic!("{:?}", rows[1]);
        };
        assert_eq!(*line, 2);
        assert!(reason.contains("a line may hold at most"), "{reason}");
        assert!(
            matches!(&rows[2], Raw::JsonText { line: 3, text } if text.starts_with(b"{\"id\":3}"))
        );
    }

    #[test]
    fn a_json_array_is_streamed_element_by_element() {
        let (_d, path) = file(b"[{\"id\":1}, {\"id\":2}, 3]");
        let rows = drain(&mut JsonArraySource::open(&path).unwrap()).unwrap();
        let lines: Vec<u64> = rows.iter().map(Raw::line).collect();
        assert_eq!(lines, [1, 2, 3]);
        // Not an array, empty, or broken: a message naming what is wrong.
        let msg = |bytes: &[u8]| {
            let (_d, path) = file(bytes);
            match JsonArraySource::open(&path) {
                Err(e) => e.to_string(),
                Ok(mut src) => drain(&mut src)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
            }
        };
        assert!(msg(b"{\"id\":1}").contains("found an object (use .jsonl"));
        assert!(msg(b" \n ").contains("the file is empty"));
        assert!(msg(b"[{\"id\":1}] x").contains("not valid JSON: trailing characters"));
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(msg(deep.as_bytes()).contains("nested more than 128 levels deep"));
        let big = format!(
            "[{{\"id\":\"{}\"}}]",
            "x".repeat(MAX_ROW_BYTES + 3 * BUFFER)
        );
        assert!(msg(big.as_bytes()).contains("an element of the array is longer than"));
    }

    fn element(text: &str) -> Element {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn an_id_is_kept_as_written() {
        let Element::Object(o) =
            element(r#"{"id": 12345678901234567890123, "age": 12345678901234567890123, "x": 1}"#)
        else {
            panic!("not an object");
        };
        assert_eq!(
            o.get("id"),
            Some(&J::String("12345678901234567890123".into()))
        );
        // Other numbers are numbers, as serde_json reads them.
        assert_eq!(
            o.get("age").and_then(J::as_f64),
            Some(1.2345678901234568e22)
        );
        for (id, want) in [
            (r#""R1""#, J::String("R1".into())),
            (r#""a\"b""#, J::String("a\"b".into())),
            ("-1.50", J::String("-1.50".into())),
            ("1e3", J::String("1e3".into())),
            ("null", J::Null),
            ("true", J::Bool(true)),
            ("[1]", serde_json::json!([1])),
        ] {
            let Element::Object(o) = element(&format!(r#"{{"ID": {id}}}"#)) else {
                panic!("not an object");
            };
            assert_eq!(o.get("id"), Some(&want), "{id}");
        }
        // Through the readers, arrays and lines alike.
        let (_d, path) =
            file(b"[{\"id\":12345678901234567890123},{\"id\":12345678901234567890124}]");
        let rows = drain(&mut JsonArraySource::open(&path).unwrap()).unwrap();
        let ids: Vec<Option<&J>> = rows
            .iter()
            .map(|r| match r {
                Raw::Json {
                    value: Element::Object(o),
                    ..
                } => o.get("id"),
                _ => None,
            })
            .collect();
        assert_eq!(
            ids,
            [
                Some(&J::String("12345678901234567890123".into())),
                Some(&J::String("12345678901234567890124".into()))
            ]
        );
    }

    #[test]
    fn a_key_written_twice_is_noted_not_dropped() {
        let twice = |text: &str| match element(text) {
            Element::Object(o) => o.twice,
            Element::Other(_) => None,
        };
        assert_eq!(twice(r#"{"id":1,"age":2}"#), None);
        assert_eq!(
            twice(r#"{"id":1,"age":2,"AGE":3,"x":1,"x":2}"#),
            Some(("age".into(), "AGE".into()))
        );
        assert_eq!(
            twice(r#"{"id":"a","id":"b"}"#),
            Some(("id".into(), "id".into()))
        );
        assert_eq!(
            twice(r#"{" Age ":1,"aGE":2}"#),
            Some((" Age ".into(), "aGE".into()))
        );
        assert_eq!(
            twice(r#"{"ÉTAT":1,"état":2}"#),
            Some(("ÉTAT".into(), "état".into()))
        );
        // Nested objects are values, read as serde_json reads them.
        assert_eq!(twice(r#"{"id":1,"extra":{"a":1,"a":2}}"#), None);
        assert_eq!(element("[1,2]"), Element::Other(serde_json::json!([1, 2])));
        assert_eq!(element("null"), Element::Other(J::Null));
    }

    #[test]
    fn a_row_with_a_key_twice_is_rejected_naming_the_key() {
        let text = "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\n\
                    fields { age: number }\ndomain d \"D\" { indicator a \"A\" at low }\n";
        let plan = crate::ruleset::check_source(
            &crate::span::Source::new("t.thr", text),
            &crate::check::NoScripts,
        )
        .plan
        .unwrap();
        let layout = JsonLayout::new(&plan, &LoadOptions::default());
        let mut row = layout.empty_row(&plan);
        let e = layout
            .parse_text(&plan, br#"{"id":"R1","age":1,"Age":2}"#, &mut row)
            .unwrap_err();
        assert_eq!(e.0, "age");
        assert!(
            e.1.contains("the object has the key `age` twice (as `age` and `Age`"),
            "{}",
            e.1
        );
        assert_eq!(row.record.id, "R1");
        let e = layout
            .parse_text(&plan, br#"{"id":"R1","age":1,"id":"R2"}"#, &mut row)
            .unwrap_err();
        assert_eq!(e.0, "id");
        assert!(e.1.contains("the key `id` twice:"), "{}", e.1);
        assert!(!e.1.contains("R1") && !e.1.contains("R2"), "{}", e.1);
        assert_eq!(row.record.id, "");
        layout
            .parse_text(
                &plan,
                br#"{"id":123456789012345678901234567890,"age":1}"#,
                &mut row,
            )
            .unwrap();
        assert_eq!(row.record.id, "123456789012345678901234567890");
    }
}
