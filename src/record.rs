//! One referral as the evaluator sees it: a value per declared field (by
//! slot) and the set of indicators present; and the values met while
//! evaluating one (which script calls take and return). Below `script` and `plan`, so
//! both can read records without depending on each other.

use std::borrow::Cow;

use crate::bits::Bits;

/// A value a record holds for a field.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value (empty cell, optional field).
    Missing,
    /// A number.
    Num(f64),
    /// A bool.
    Bool(bool),
    /// Free text.
    Text(String),
    /// A `one_of` choice (index into the declared set).
    Choice(u16),
}

/// One referral as the evaluator sees it.
#[derive(Debug, PartialEq)]
pub struct Record {
    /// The record's id.
    pub id: String,
    /// One value per declared field, by slot.
    pub values: Vec<Value>,
    /// The indicators present.
    pub indicators: Bits,
}

impl Clone for Record {
    fn clone(&self) -> Self {
        Self {
            id: self.id.clone(),
            values: self.values.clone(),
            indicators: self.indicators.clone(),
        }
    }

    /// Copies into the existing buffers (the pipeline reuses rows).
    fn clone_from(&mut self, other: &Self) {
        self.id.clone_from(&other.id);
        self.values.clone_from(&other.values);
        self.indicators.clone_from(&other.indicators);
    }
}

impl Record {
    /// An empty record with room for `fields` values and `indicators` bits.
    pub fn with_shape(fields: usize, indicators: usize) -> Self {
        Self {
            id: String::new(),
            values: vec![Value::Missing; fields],
            indicators: Bits::with_capacity(indicators),
        }
    }

    /// Clears values and indicators, keeping capacity.
    pub fn reset(&mut self) {
        self.id.clear();
        self.values.iter_mut().for_each(|v| *v = Value::Missing);
        self.indicators.clear();
    }
}

/// A value met while evaluating.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<'a> {
    /// Missing optional value.
    Missing,
    /// A number.
    Num(f64),
    /// A bool.
    Bool(bool),
    /// Text.
    Str(Cow<'a, str>),
}

impl std::fmt::Display for Val<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::Missing => f.write_str("missing"),
            Val::Num(n) => write!(f, "{}", crate::text::format_number(*n)),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Str(s) => write!(f, "\"{s}\""),
        }
    }
}
