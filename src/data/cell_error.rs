//! Why a cell (or a JSON value) cannot be read for its column, and why a
//! reader cannot fill a rule file: typed reasons whose text is the reason
//! a reject or an error prints. A reader turns a [`CellError`] into text
//! once, when it rejects the row ([`crate::data::layout::RowError`]).

use crate::data::MAX_CELL_BYTES;
use crate::text::format_number;

/// Why one cell or JSON value cannot be read for its column. The values
/// quoted are shortened for printing ([`crate::text::shorten`]): control
/// characters escaped, invisible ones named, at most 40 characters.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CellError {
    /// A cell or JSON string larger than [`MAX_CELL_BYTES`].
    #[error("the cell holds {len} bytes; a cell may hold at most {MAX_CELL_BYTES} bytes (1 MB)")]
    TooLarge {
        /// The cell's size in bytes.
        len: usize,
    },
    /// A cell that is not valid UTF-8.
    #[error("not valid UTF-8 text (byte {byte} of the cell); save the file as UTF-8")]
    NotUtf8 {
        /// The first byte that is not (1-based, within the cell).
        byte: usize,
    },
    /// An empty cell or value for a required field.
    #[error("missing required field")]
    MissingRequired,
    /// Text in a number field.
    #[error("`{value}` is not a number")]
    NotANumber {
        /// The cell, shortened.
        value: String,
    },
    /// A date in a number field (an Excel date cell is read as ISO text,
    /// never as its serial number).
    #[error("`{value}` is a date, not a number")]
    DateNotNumber {
        /// The cell, shortened.
        value: String,
    },
    /// A time of day in a number field.
    #[error("`{value}` is a time, not a number")]
    TimeNotNumber {
        /// The cell, shortened.
        value: String,
    },
    /// A number outside its field's declared range.
    #[error(
        "{} is outside the range {}..{}",
        format_number(*.value),
        format_number(*.low),
        format_number(*.high)
    )]
    OutOfRange {
        /// The number.
        value: f64,
        /// The lowest allowed.
        low: f64,
        /// The highest allowed.
        high: f64,
    },
    /// A cell in a yes/no field that is not a yes/no word.
    #[error("`{value}` is not yes/no (use true/false, yes/no, y/n, 1/0)")]
    NotYesNo {
        /// The cell, shortened.
        value: String,
    },
    /// A cell in a `one_of` field that is none of its choices.
    #[error("`{value}` is not one of {}{}", listed(.choices), hint(.suggestion))]
    NotAChoice {
        /// The cell, shortened.
        value: String,
        /// The field's choices, in declared order.
        choices: Vec<String>,
        /// The choice the cell most likely meant.
        suggestion: Option<String>,
    },
    /// A JSON number too large for a 64-bit float.
    #[error("number out of range")]
    JsonNumberOutOfRange,
    /// A JSON number other than 0 or 1 for a yes/no field.
    #[error("{number} is not true/false")]
    NotTrueFalse {
        /// The number as written.
        number: String,
    },
    /// A JSON value of the wrong type for its field.
    #[error("expected {expected}, found {found}")]
    WrongJsonType {
        /// What the field takes, in words (`a number`).
        expected: &'static str,
        /// What was found, in words ([`crate::data::json_kind`]).
        found: &'static str,
    },
    /// An indicator id that no indicator has (the rules declare no codes).
    #[error("unknown indicator `{id}`{}", hint(.suggestion))]
    UnknownIndicator {
        /// The id, shortened.
        id: String,
        /// The indicator it most likely meant.
        suggestion: Option<String>,
    },
    /// An indicator id or code that no indicator has or declares.
    #[error(
        "unknown indicator or code `{id}`: no indicator has that id or declares it in its codes{}",
        hint(.suggestion)
    )]
    UnknownIndicatorOrCode {
        /// The id or code, shortened.
        id: String,
        /// The indicator or code it most likely meant.
        suggestion: Option<String>,
    },
    /// A recorded decision the rule file does not map to a level.
    #[error(
        "decision `{decision}` is not mapped to a level (add it to the rule file's `decisions` block){}",
        hint(.suggestion)
    )]
    UnmappedDecision {
        /// The decision, shortened.
        decision: String,
        /// The mapped decision it most likely meant.
        suggestion: Option<String>,
    },
}

/// Why a reader cannot fill a rule file, found before any row is read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanMismatch {
    /// A field a CIN census fills, declared with a type its values do not
    /// fit (SPEC §9).
    #[error(
        "the rule file declares the field `{field}` with a type the census cannot fill: \
         a CIN census gives it as {wanted}"
    )]
    CensusFieldType {
        /// The field's id.
        field: String,
        /// The types that fit, in words.
        wanted: &'static str,
    },
}

/// `"a", "b"`: the choices of a `one_of`, quoted.
fn listed(choices: &[String]) -> String {
    choices
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `; did you mean `x`?`, or nothing.
fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map_or(String::new(), |s| format!("; did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_before() {
        let cases = [
            (
                CellError::TooLarge { len: 2_097_152 },
                "the cell holds 2097152 bytes; a cell may hold at most 1048576 bytes (1 MB)",
            ),
            (
                CellError::NotUtf8 { byte: 4 },
                "not valid UTF-8 text (byte 4 of the cell); save the file as UTF-8",
            ),
            (
                CellError::OutOfRange {
                    value: 30.5,
                    low: 0.0,
                    high: 25.0,
                },
                "30.5 is outside the range 0..25",
            ),
            (
                CellError::NotAChoice {
                    value: "Polise".into(),
                    choices: vec!["police".into(), "health".into()],
                    suggestion: Some("police".into()),
                },
                "`Polise` is not one of \"police\", \"health\"; did you mean `police`?",
            ),
            (
                CellError::UnknownIndicator {
                    id: "zz".into(),
                    suggestion: None,
                },
                "unknown indicator `zz`",
            ),
            (
                CellError::UnmappedDecision {
                    decision: "S4".into(),
                    suggestion: Some("s47".into()),
                },
                "decision `S4` is not mapped to a level (add it to the rule file's `decisions` block); did you mean `s47`?",
            ),
            (
                CellError::WrongJsonType {
                    expected: "a number",
                    found: "an array",
                },
                "expected a number, found an array",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text, "{e:?}");
        }
        let p = PlanMismatch::CensusFieldType {
            field: "age".into(),
            wanted: "`bool`",
        };
        assert_eq!(
            p.to_string(),
            "the rule file declares the field `age` with a type the census cannot fill: a CIN census gives it as `bool`"
        );
    }
}
