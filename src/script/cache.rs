//! Every reuse of script results, in one place. Scripts cannot keep state
//! between calls, so a call's result depends only on its arguments and on
//! what the function reads of the record (`deps`). Three layers, tried in
//! order by [`RecordCalls::call`], the one entry point `eval` uses:
//!
//! 1. this record's own results (several rules often ask the same question);
//! 2. this thread's results for earlier records that agree on everything
//!    the function reads, keyed by `Scripts::memo_key` (key ids are
//!    numbered process-wide, so `diff` shares results between two versions
//!    of the rules that read alike);
//! 3. rhai, with the record map built once per record.

use std::borrow::Cow;

use rhai::Dynamic;

use super::{deps, record_map, RecordShape, ScriptError, Scripts, View};
use crate::check::FieldType;
use crate::record::{Record, Val, Value};

/// Why a script call gave no value.
#[derive(Clone, Debug, PartialEq)]
pub enum CallFailure {
    /// The rules call a script function but no scripts are loaded.
    NoScripts,
    /// The script failed or went over a limit.
    Script(ScriptError),
    /// It returned something that is not a number, true/false or text.
    Returned(Unusable),
}

/// What a script function returned that is not a number, true/false or
/// text; `Display` says it in words for the record's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    /// Unit: the function ended without a value.
    #[error("nothing (`()`)")]
    Nothing,
    /// A float that is not a number.
    #[error("NaN (not a number)")]
    NaN,
    /// An infinite float.
    #[error("infinity")]
    Infinity,
    /// A value of another type (arrays, maps, ...).
    #[error("a value of type `{0}`")]
    OfType(String),
}

/// One record's script calls: its own results so far, its record map once
/// built, and whether results computed for earlier records may be used.
pub struct RecordCalls<'a> {
    map: Option<Dynamic>,
    /// Results of calls with arguments, in call order.
    memo: Vec<(u32, Vec<Val<'a>>, Val<'a>)>,
    /// Calls without arguments, the usual kind, have slots of their own so
    /// that a record's evaluation allocates nothing for them.
    memo_no_args: [Option<Val<'a>>; MEMO_SLOTS],
    reuse: bool,
}

/// Script functions numbered below this get a memo slot of their own for
/// calls without arguments.
const MEMO_SLOTS: usize = 4;

/// Script results kept per thread; the table is emptied when full.
const SCRIPT_CACHE_ENTRIES: usize = 100_000;

/// One thread's script results and the buffer its keys are built in.
#[derive(Default)]
struct ThreadResults {
    /// aHash rather than SipHash: keys are built by this program, not
    /// chosen by an attacker, and a lookup happens for every script call.
    map: std::collections::HashMap<Box<[u8]>, Val<'static>, ahash::RandomState>,
    key: Vec<u8>,
}

thread_local! {
    static THREAD_RESULTS: std::cell::RefCell<ThreadResults> =
        std::cell::RefCell::new(ThreadResults::default());
}

impl<'a> RecordCalls<'a> {
    /// A record's calls; `reuse` off, every call on it runs (what reuse
    /// must never change).
    pub fn new(reuse: bool) -> Self {
        Self {
            map: None,
            memo: Vec::new(),
            memo_no_args: Default::default(),
            reuse,
        }
    }

    /// Function `f` of `scripts` on `rec` with arguments `vals`: from this
    /// record's results, then this thread's, then rhai.
    pub fn call(
        &mut self,
        scripts: Option<&Scripts>,
        shape: &dyn RecordShape,
        rec: &Record,
        f: u32,
        vals: Vec<Val<'a>>,
    ) -> Result<Val<'a>, CallFailure> {
        if let Some(v) = self.memoised(f, &vals) {
            return Ok(v);
        }
        let scripts = scripts.ok_or(CallFailure::NoScripts)?;
        // Reuse a result computed for an earlier record that agrees on
        // everything the function reads. The key is built in a per-thread
        // buffer; only a miss copies it out.
        let lookup = THREAD_RESULTS.with(|c| {
            let mut c = c.borrow_mut();
            let ThreadResults { map, key } = &mut *c;
            if !self.reuse || !scripts.memo_key(shape, rec, f, key) {
                return Err(None);
            }
            for v in &vals {
                encode_val(v, key);
            }
            match map.get(key.as_slice()) {
                Some(v) => Ok(v.clone()),
                None => Err(Some(key.as_slice().into())),
            }
        });
        let key: Option<Box<[u8]>> = match lookup {
            Ok(v) => {
                self.memoise(f, vals, &v);
                return Ok(v);
            }
            Err(key) => key,
        };
        // Only a call that will really run needs rhai values.
        let mut dargs = Vec::with_capacity(vals.len());
        for v in vals.iter().cloned() {
            dargs.push(match v {
                Val::Missing => Dynamic::UNIT,
                Val::Num(n) => Dynamic::from_float(n),
                Val::Bool(b) => Dynamic::from_bool(b),
                Val::Str(s) => Dynamic::from(s.into_owned()),
            });
        }
        let rec_map = match &self.map {
            Some(d) => d.clone(),
            None => {
                let d = record_map(Some(scripts), shape, rec);
                self.map = Some(d.clone());
                d
            }
        };
        let out = scripts
            .call(f, rec_map, dargs)
            .map_err(CallFailure::Script)?;
        let v = from_dynamic(out).map_err(CallFailure::Returned)?;
        if let Some(key) = key {
            THREAD_RESULTS.with(|c| {
                let map = &mut c.borrow_mut().map;
                if map.len() >= SCRIPT_CACHE_ENTRIES {
                    map.clear();
                }
                map.insert(key, v.clone());
            });
        }
        self.memoise(f, vals, &v);
        Ok(v)
    }

    /// This record's result for `f(vals)`, if it was called before.
    fn memoised(&self, f: u32, vals: &[Val<'a>]) -> Option<Val<'a>> {
        match self.memo_no_args.get(f as usize) {
            Some(slot) if vals.is_empty() => slot.clone(),
            _ => self
                .memo
                .iter()
                .find(|(g, a, _)| *g == f && a == vals)
                .map(|(_, _, v)| v.clone()),
        }
    }

    /// Keeps this record's result for `f(vals)`.
    fn memoise(&mut self, f: u32, vals: Vec<Val<'a>>, v: &Val<'a>) {
        match self.memo_no_args.get_mut(f as usize) {
            Some(slot) if vals.is_empty() => *slot = Some(v.clone()),
            _ => self.memo.push((f, vals, v.clone())),
        }
    }
}

/// Appends an unambiguous encoding of an argument to a memo key.
fn encode_val(v: &Val<'_>, key: &mut Vec<u8>) {
    match v {
        Val::Missing => key.push(0),
        Val::Num(n) => {
            key.push(1);
            key.extend_from_slice(&n.to_bits().to_le_bytes());
        }
        Val::Bool(b) => key.extend_from_slice(&[2, u8::from(*b)]),
        Val::Str(s) => {
            key.push(3);
            key.extend_from_slice(&(s.len() as u64).to_le_bytes());
            key.extend_from_slice(s.as_bytes());
        }
    }
}

/// A script result as a value; otherwise what it was, for the message.
/// Unit, NaN and infinity are errors: a script function must return a
/// number, true/false or text (SPEC §3), and none of them compares.
fn from_dynamic(d: Dynamic) -> Result<Val<'static>, Unusable> {
    if d.is_unit() {
        return Err(Unusable::Nothing);
    }
    if let Ok(b) = d.as_bool() {
        return Ok(Val::Bool(b));
    }
    if let Ok(i) = d.as_int() {
        return Ok(Val::Num(i as f64));
    }
    if let Ok(f) = d.as_float() {
        return if f.is_nan() {
            Err(Unusable::NaN)
        } else if f.is_infinite() {
            Err(Unusable::Infinity)
        } else {
            Ok(Val::Num(f))
        };
    }
    if d.is_string() {
        return d
            .into_immutable_string()
            .map(|s| Val::Str(Cow::Owned(s.to_string())))
            .map_err(|t| Unusable::OfType(t.to_string()));
    }
    Err(Unusable::OfType(crate::text::shorten_all(d.type_name())))
}

/// Per function, what its memo key encodes and the key's number; `None`
/// when the function's reads are unknown (no reuse).
pub(super) fn function_keys(scripts: &Scripts, plan: &dyn RecordShape) -> Vec<Option<(View, u32)>> {
    (0..scripts.functions.len())
        .map(|f| {
            let reads = scripts.reads.by_function.get(f)?.as_ref()?;
            let id = key_number(scripts.key_id(plan, f, reads))?;
            Some((View::new(plan, Some(reads)), id))
        })
        .collect()
}

impl Scripts {
    /// The id at the head of function `f`'s memo keys: a fingerprint of the
    /// script texts, the function, each field it reads with its type
    /// (choices by name, since keys hold their index) and the indicators it
    /// reads in the order keys encode them. Two plans with the same scripts
    /// reading alike get the same ids, so `diff` runs a script once for both
    /// versions of the rules.
    fn key_id(&self, plan: &dyn RecordShape, f: usize, reads: &deps::Reads) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        let mut put = |b: &[u8]| {
            h.update(&(b.len() as u64).to_le_bytes());
            h.update(b);
        };
        for src in &self.sources {
            put(src.text.as_bytes());
        }
        // The function by name and arity: rhai does not promise the order
        // of functions, so an index could name another function elsewhere.
        match self.functions.get(f) {
            Some(func) => {
                put(func.name.as_bytes());
                put(&(func.params as u64).to_le_bytes());
            }
            None => put(b"no such function"),
        }
        for name in &reads.fields {
            put(name.as_bytes());
            match plan
                .field_slot(name)
                .and_then(|i| plan.fields().get(i.index()))
            {
                None => put(b"absent"),
                Some(field) => match &field.kind {
                    FieldType::Number(_) => put(b"number"),
                    FieldType::Bool => put(b"bool"),
                    FieldType::Text => put(b"text"),
                    FieldType::OneOf(choices) => {
                        put(b"one_of");
                        for c in choices {
                            put(c.as_bytes());
                        }
                    }
                },
            }
        }
        put(b"indicators");
        if reads.all_indicators {
            for i in plan.indicators() {
                put(i.id.as_bytes());
            }
        } else {
            // Keys hold the record's bits under a mask, so the bit each
            // indicator has in this plan is part of what a key means.
            for id in &reads.indicators {
                put(id.as_bytes());
                match plan.indicator_bit(id) {
                    Some(b) => put(&u64::from(b.get()).to_le_bytes()),
                    None => put(b"absent"),
                }
            }
            put(&(plan.indicators().len() as u64).to_le_bytes());
        }
        *h.finalize().as_bytes()
    }

    /// Fills `key` for reusing a call of function `f` on another record:
    /// the key's number (scripts and function) and the record's values for
    /// exactly what the function reads; the caller appends the call's
    /// arguments. False when the function's reads are unknown (no reuse).
    pub(super) fn memo_key(
        &self,
        plan: &dyn RecordShape,
        rec: &Record,
        f: u32,
        key: &mut Vec<u8>,
    ) -> bool {
        let Some(Some((view, id))) = self.interned(plan).keys.get(f as usize) else {
            return false;
        };
        key.clear();
        key.extend_from_slice(&id.to_le_bytes());
        for slot in &view.fields {
            encode_value(rec.value(*slot).unwrap_or(&Value::Missing), key);
        }
        key.push(0xff);
        match &view.indicators {
            Some(mask) => {
                // The record's bits under the mask, a word at a time.
                for w in rec.indicators.masked(mask) {
                    key.extend_from_slice(&w.to_le_bytes());
                }
            }
            None => {
                key.extend_from_slice(&rec.indicators.len().to_le_bytes());
                for b in rec.indicators.iter() {
                    key.extend_from_slice(&(b as u32).to_le_bytes());
                }
            }
        }
        true
    }
}

/// Fingerprints of memo keys seen in this process, numbered: a key carries
/// 4 bytes instead of 32, and equal fingerprints get the same number
/// exactly (no truncated hash that could collide).
static KEY_NUMBERS: std::sync::Mutex<Vec<[u8; 32]>> = std::sync::Mutex::new(Vec::new());

fn key_number(fingerprint: [u8; 32]) -> Option<u32> {
    let mut known = KEY_NUMBERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let i = match known.iter().position(|k| *k == fingerprint) {
        Some(i) => i,
        None => {
            known.push(fingerprint);
            known.len() - 1
        }
    };
    u32::try_from(i).ok()
}

/// Appends an unambiguous encoding of a value to a memo key.
pub fn encode_value(v: &Value, key: &mut Vec<u8>) {
    match v {
        Value::Missing => key.push(0),
        Value::Num(n) => {
            key.push(1);
            key.extend_from_slice(&n.to_bits().to_le_bytes());
        }
        Value::Bool(b) => key.extend_from_slice(&[2, u8::from(*b)]),
        Value::Text(t) => {
            key.push(3);
            key.extend_from_slice(&(t.len() as u64).to_le_bytes());
            key.extend_from_slice(t.as_bytes());
        }
        Value::Choice(c) => {
            key.push(4);
            key.extend_from_slice(&c.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_results_are_named() {
        let why = |d: Dynamic| match from_dynamic(d) {
            Ok(_) => None,
            Err(e) => Some((e.clone(), e.to_string())),
        };
        assert_eq!(
            why(Dynamic::UNIT),
            Some((Unusable::Nothing, "nothing (`()`)".into()))
        );
        assert_eq!(
            why(Dynamic::from_float(f64::NAN)),
            Some((Unusable::NaN, "NaN (not a number)".into()))
        );
        assert_eq!(
            why(Dynamic::from_float(f64::INFINITY)),
            Some((Unusable::Infinity, "infinity".into()))
        );
        assert_eq!(
            why(Dynamic::from_array(Vec::new())),
            Some((
                Unusable::OfType("array".into()),
                "a value of type `array`".into()
            ))
        );
        assert_eq!(why(Dynamic::from_int(3)), None);
    }
}
