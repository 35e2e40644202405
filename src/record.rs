//! One referral as the evaluator sees it: a value per declared field (by
//! slot) and the set of indicators present; and the values met while
//! evaluating one (which script calls take and return). Below `script` and `plan`, so
//! both can read records without depending on each other.

use std::borrow::Cow;

use crate::bits::Bits;
use crate::check::ids::{FieldSlot, IndicatorId};

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

    /// The value in a field's slot (`None` past the record's shape).
    #[inline]
    pub fn value(&self, slot: FieldSlot) -> Option<&Value> {
        self.values.get(slot.index())
    }

    /// Whether an indicator is present.
    #[inline]
    pub fn has(&self, bit: IndicatorId) -> bool {
        self.indicators.contains(bit.index())
    }

    /// Marks an indicator present (nothing past the record's shape).
    #[inline]
    pub fn set_indicator(&mut self, bit: IndicatorId) {
        self.indicators.insert(bit.index());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_accessors_read_and_write_by_slot_and_bit() {
        let mut r = Record::with_shape(2, 70);
        r.values[1] = Value::Num(3.0);
        assert_eq!(r.value(FieldSlot::new(1)), Some(&Value::Num(3.0)));
        assert_eq!(r.value(FieldSlot::new(2)), None);
        assert!(!r.has(IndicatorId::new(65)));
        r.set_indicator(IndicatorId::new(65));
        assert!(r.has(IndicatorId::new(65)) && r.indicators.contains(65));
        // Past the shape: ignored, never a panic.
        r.set_indicator(IndicatorId::new(1000));
        assert!(!r.has(IndicatorId::new(1000)));
    }
}
