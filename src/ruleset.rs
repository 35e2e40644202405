//! The library's front door: load a rule file, build records by name, score
//! and explain them, without touching the plan's slots and bitsets.
//!
//! ```
//! use thresholds::RuleSet;
//! let rules = RuleSet::from_text("demo.thr", r#"
//! continuum "Demo"
//! levels { universal "Universal" targeted "Targeted" }
//! fields { age: number "Age in years" }
//! domain safety "Safety" { indicator injury "Unexplained injury" at universal }
//! rule baby "An injured baby needs a targeted response"
//!   when age < 1 and injury
//!   then at least targeted
//! "#)?;
//! let baby = rules.record("R1").number("age", 0.5).indicator("injury").build()?;
//! let outcome = rules.score(&baby)?;
//! assert_eq!(outcome.level.id, "targeted");
//! assert_eq!(outcome.fired, ["baby"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod load;

use std::path::Path;
use std::sync::Arc;

use crate::check::NoScripts;
use crate::error::Diagnostics;
use crate::eval::{self, EvalError, Score};
use crate::explain::{self, Explanation};
use crate::plan::{FieldType, LevelRank, Plan, Record, Value};
use crate::span::Source;
use crate::text;

pub use load::{check_parsed, check_source, load_file, Checked, ReadError};

/// A checked rule file, ready to score records. Cheap to clone (the plan
/// is shared), and safe to share between threads.
#[derive(Clone, Debug)]
pub struct RuleSet {
    plan: Arc<Plan>,
}

/// Why a rule file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read (missing, too large, not UTF-8).
    #[error("{0}")]
    Read(#[from] ReadError),
    /// The rule file has errors; each names file, line and column.
    #[error("{} has {} error(s): {}", .name, .diagnostics.error_count(), first_error(.diagnostics))]
    Invalid {
        /// The file's name as given.
        name: String,
        /// Every error and warning, in file order.
        diagnostics: Diagnostics,
    },
}

/// `file:line:col: message` of the first error.
fn first_error(d: &Diagnostics) -> String {
    d.0.iter()
        .find(|d| d.is_error())
        .map(|d| format!("{}: {}", d.location(), d.message))
        .unwrap_or_default()
}

/// Why a record could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// No field has that name.
    #[error("no field `{name}` in the rules{}", hint(.suggestion))]
    UnknownField {
        /// The name given.
        name: String,
        /// The closest field id, if one is close.
        suggestion: Option<String>,
    },
    /// No indicator has that id.
    #[error("no indicator `{name}` in the rules{}", hint(.suggestion))]
    UnknownIndicator {
        /// The id given.
        name: String,
        /// The closest indicator id, if one is close.
        suggestion: Option<String>,
    },
    /// The value does not fit the field's type.
    #[error("field `{field}` is {expected}; {given} does not fit")]
    WrongType {
        /// The field.
        field: String,
        /// What the field holds, e.g. `a number`.
        expected: String,
        /// What was given.
        given: String,
    },
    /// A required field was not given.
    #[error("field `{0}` is required and was not given")]
    Missing(String),
}

fn hint(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// A level: its id, plain-English label and rank (1 = lowest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    /// The id, e.g. `early_help`.
    pub id: String,
    /// The label, e.g. `Level 2 - Early help`.
    pub label: String,
    /// 1 for the lowest level.
    pub rank: u8,
}

/// What the rules make of one record.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The level the rules give.
    pub level: Level,
    /// The ids of the rules that fired, in file order.
    pub fired: Vec<String>,
    /// The ids of the flags raised.
    pub flags: Vec<String>,
}

impl RuleSet {
    /// Loads and checks a rule file; its scripts are read from its folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let checked = load_file(path).map_err(LoadError::Read)?;
        Self::from_checked(path.display().to_string(), checked)
    }

    /// Checks rules held in memory (`name` is used in messages). Such rules
    /// cannot import scripts: there is no folder to read them from.
    pub fn from_text(name: &str, text: &str) -> Result<Self, LoadError> {
        let source = Source::new(name, text);
        Self::from_checked(name.to_string(), check_source(&source, &NoScripts))
    }

    fn from_checked(name: String, checked: Checked) -> Result<Self, LoadError> {
        match checked.plan {
            Some(plan) if !checked.diagnostics.has_errors() => Ok(Self {
                plan: Arc::new(plan),
            }),
            _ => Err(LoadError::Invalid {
                name,
                diagnostics: checked.diagnostics,
            }),
        }
    }

    /// The compiled plan, for the pipeline and reports.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The levels, lowest first.
    pub fn levels(&self) -> Vec<Level> {
        LevelRank::all()
            .take(self.plan.decl.levels.len())
            .map(|r| self.level(r))
            .collect()
    }

    /// The level of rank `rank`, by id and label.
    pub(crate) fn level(&self, rank: LevelRank) -> Level {
        let info = &self.plan.decl.levels[rank.index()];
        Level {
            id: info.id.clone(),
            label: info.label.clone(),
            rank: rank.get() + 1,
        }
    }

    /// Starts a record with id `id`; give its fields and indicators by name.
    pub fn record(&self, id: &str) -> RecordBuilder<'_> {
        let mut rec = Record::empty(&self.plan);
        rec.id = id.to_string();
        RecordBuilder {
            plan: &self.plan,
            rec,
            error: None,
        }
    }

    /// Scores a record.
    pub fn score(&self, rec: &Record) -> Result<Outcome, EvalError> {
        Ok(self.outcome(&eval::score(&self.plan, rec)?))
    }

    /// A score by ids and labels.
    pub(crate) fn outcome(&self, s: &Score) -> Outcome {
        Outcome {
            level: self.level(s.level),
            fired: (s.fired.iter())
                .map(|&r| self.plan.rules[r.index()].id.clone())
                .collect(),
            flags: (s.flags.iter())
                .map(|&f| self.plan.decl.flags[f.index()].id.clone())
                .collect(),
        }
    }

    /// The full explanation: the base, each fired rule's reason, and why
    /// each rule that did not fire failed.
    pub fn explain(&self, rec: &Record) -> Result<Explanation, EvalError> {
        explain::explain(&self.plan, rec)
    }
}

/// Builds a [`Record`] by field and indicator names, checking each against
/// the rules. The first mistake is kept and returned by [`build`](Self::build).
#[derive(Debug)]
pub struct RecordBuilder<'a> {
    plan: &'a Plan,
    rec: Record,
    error: Option<RecordError>,
}

impl RecordBuilder<'_> {
    /// Sets a `number` field.
    pub fn number(self, field: &str, n: f64) -> Self {
        self.set(field, &text::format_number(n), |kind| match kind {
            FieldType::Number(_) if n.is_finite() => Some(Value::Num(n)),
            _ => None,
        })
    }

    /// Sets a `bool` field.
    pub fn bool(self, field: &str, b: bool) -> Self {
        self.set(field, &b.to_string(), |kind| match kind {
            FieldType::Bool => Some(Value::Bool(b)),
            _ => None,
        })
    }

    /// Sets a `text` field, or a `one_of` field to one of its choices.
    pub fn text(self, field: &str, t: &str) -> Self {
        self.set(field, &format!("\"{t}\""), |kind| match kind {
            FieldType::Text => Some(Value::Text(t.to_string())),
            FieldType::OneOf(opts) => (opts.iter())
                .position(|o| o == t)
                .and_then(|i| u16::try_from(i).ok())
                .map(Value::Choice),
            _ => None,
        })
    }

    /// Marks an indicator present.
    pub fn indicator(mut self, id: &str) -> Self {
        if self.error.is_some() {
            return self;
        }
        match self.plan.indicator_bit(id) {
            Some(bit) => self.rec.set_indicator(bit),
            None => {
                let ids = self.plan.decl.indicators.iter().map(|i| i.id.as_str());
                self.error = Some(RecordError::UnknownIndicator {
                    name: id.to_string(),
                    suggestion: text::did_you_mean(id, ids).map(str::to_string),
                });
            }
        }
        self
    }

    fn set(
        mut self,
        field: &str,
        given: &str,
        value: impl Fn(&FieldType) -> Option<Value>,
    ) -> Self {
        if self.error.is_some() {
            return self;
        }
        let Some(slot) = self.plan.field_slot(field) else {
            let ids = self.plan.decl.fields.iter().map(|f| f.id.as_str());
            self.error = Some(RecordError::UnknownField {
                name: field.to_string(),
                suggestion: text::did_you_mean(field, ids).map(str::to_string),
            });
            return self;
        };
        let info = &self.plan.decl.fields[slot.index()];
        match value(&info.kind) {
            Some(v) => self.rec.values[slot.index()] = v,
            None => {
                self.error = Some(RecordError::WrongType {
                    field: field.to_string(),
                    expected: expects(&info.kind),
                    given: given.to_string(),
                })
            }
        }
        self
    }

    /// The record, or the first mistake made building it (including a
    /// required field left out).
    pub fn build(self) -> Result<Record, RecordError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let missing = (self.plan.decl.fields.iter().zip(&self.rec.values))
            .find(|(f, v)| !f.optional && **v == Value::Missing);
        match missing {
            Some((f, _)) => Err(RecordError::Missing(f.id.clone())),
            None => Ok(self.rec),
        }
    }
}

/// What a field of this kind holds, for messages.
fn expects(kind: &FieldType) -> String {
    match kind {
        FieldType::Number(_) => "a number".into(),
        FieldType::Bool => "true or false".into(),
        FieldType::Text => "text".into(),
        FieldType::OneOf(opts) => format!("one of {}", opts.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
continuum "T"
levels { low "Low" mid "Middle" high "High" }
fields { age: number disabled: bool band: one_of("none", "high")? agency: text? }
domain d "D" {
  indicator injury "Injury" at mid
  indicator neglect "Neglect" at low
}
flags { alert "Alert" }
rule baby "Injured baby" when age < 1 and injury then at least high, flag alert
"#;

    #[test]
    fn builds_scores_and_explains_by_name() {
        let rules = RuleSet::from_text("t.thr", RULES).unwrap();
        let rec = rules
            .record("R1")
            .number("age", 0.3)
            .bool("disabled", false)
            .text("band", "high")
            .indicator("injury")
            .build()
            .unwrap();
        let o = rules.score(&rec).unwrap();
        assert_eq!((o.level.id.as_str(), o.level.rank), ("high", 3));
        assert_eq!(
            (o.fired, o.flags),
            (vec!["baby".into()], vec!["alert".into()])
        );
        assert_eq!(rules.explain(&rec).unwrap().level, "high");
        assert_eq!(rules.levels()[1].label, "Middle");
    }

    #[test]
    fn mistakes_are_named_with_a_suggestion() {
        let rules = RuleSet::from_text("t.thr", RULES).unwrap();
        let b = |f: fn(RecordBuilder<'_>) -> RecordBuilder<'_>| f(rules.record("R")).build();
        assert_eq!(
            b(|r| r.number("agee", 1.0)).unwrap_err().to_string(),
            "no field `agee` in the rules (did you mean `age`?)"
        );
        assert_eq!(
            b(|r| r.number("age", 1.0).indicator("injuri")).unwrap_err(),
            RecordError::UnknownIndicator {
                name: "injuri".into(),
                suggestion: Some("injury".into())
            }
        );
        assert!(matches!(
            b(|r| r.text("age", "one")).unwrap_err(),
            RecordError::WrongType { .. }
        ));
        assert!(matches!(
            b(|r| r.number("age", f64::NAN)).unwrap_err(),
            RecordError::WrongType { .. }
        ));
        assert_eq!(
            b(|r| r
                .number("age", 1.0)
                .bool("disabled", true)
                .text("band", "low"))
            .unwrap_err()
            .to_string(),
            "field `band` is one of none, high; \"low\" does not fit"
        );
        assert_eq!(
            b(|r| r.number("age", 1.0)).unwrap_err(),
            RecordError::Missing("disabled".into())
        );
    }

    #[test]
    fn a_rule_file_with_errors_names_the_first_with_its_place() {
        let err = RuleSet::from_text(
            "bad.thr",
            "continuum \"x\"\nlevels { a \"A\" b \"B\" }\nrule r \"R\" when nope then at least a\n",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("bad.thr has 1 error(s): bad.thr:3:"),
            "{msg}"
        );
        assert!(matches!(
            RuleSet::load("/nonexistent/rules.thr"),
            Err(LoadError::Read(_))
        ));
    }
}
