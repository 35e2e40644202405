//! What a rule file declares, resolved: levels, themes, flags, domains,
//! fields and indicators with their slots and bits ([`Declarations`]), and
//! the shared namespace of ids around them ([`SymbolTable`]). The checker
//! builds these; the plan's compiler moves the declarations into the plan,
//! and the script layer reads them there.

use std::collections::HashMap;

use super::ids::{DomainId, FieldSlot, FlagId, IndicatorId, LevelRank, RuleId, ThemeId};
use crate::span::Span;

/// A level: rank 0 is the lowest.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelInfo {
    /// The id, e.g. `early_help`.
    pub id: String,
    /// The label, e.g. "Level 2 - Early help".
    pub label: String,
}

/// Something with an id and a label: a theme, flag or domain.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    /// The id.
    pub id: String,
    /// The label.
    pub label: String,
}

/// A hash map with aHash: for the names looked up once or more per data row
/// (indicator ids, decision texts). The keys come from the rule file, and
/// aHash's per-process random keys keep lookups of data text unpredictable.
pub type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// The value type of a field, checked: a range runs from a smaller to a
/// larger finite number, choices are plain texts without duplicates (their
/// position is the `Value::Choice` index). Built by the checker from the
/// syntax ([`crate::ast::FieldTypeSyntax`]); the plan, the evaluator, the
/// data readers and `sample` read this one.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// A number, with an optional inclusive range.
    Number(Option<(f64, f64)>),
    /// true / false.
    Bool,
    /// Free text.
    Text,
    /// One of a declared set of strings.
    OneOf(Vec<String>),
}

/// A declared field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldInfo {
    /// The id (and data column name).
    pub id: String,
    /// Its type.
    pub kind: FieldType,
    /// May be missing.
    pub optional: bool,
    /// The plain-English label the rule file gives it, if any.
    pub label: Option<String>,
}

impl FieldInfo {
    /// The name a practitioner reads: the rule file's label, else the id
    /// made readable (`dash_score` → `Dash score`).
    pub fn display_label(&self) -> String {
        match &self.label {
            Some(l) => l.clone(),
            None => crate::text::humanise(&self.id),
        }
    }
}

/// A declared indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorInfo {
    /// The id.
    pub id: String,
    /// What it means.
    pub description: String,
    /// The level it sets.
    pub level: LevelRank,
    /// Its domain (index into [`Declarations::domains`]).
    pub domain: DomainId,
    /// Its themes (indexes into [`Declarations::themes`]).
    pub themes: Vec<ThemeId>,
    /// External codes that mean it in data (`codes [...]`), as written.
    pub codes: Vec<String>,
}

/// A name in the shared namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Symbol {
    /// A level (rank).
    Level(LevelRank),
    /// A field (slot).
    Field(FieldSlot),
    /// A domain.
    Domain(DomainId),
    /// A theme.
    Theme(ThemeId),
    /// An indicator.
    Indicator(IndicatorId),
    /// A rule.
    Rule(RuleId),
}

/// What a rule file declares, in file order and numbered by the checker:
/// levels, recorded decisions, themes, flags, domains, fields, indicators
/// and their external codes. The checker fills it in its
/// [`SymbolTable`]; the plan's compiler moves it, whole, into the plan
/// (`plan.decl`), so both stages read the one struct and nothing is copied
/// field by field.
#[derive(Debug, Default)]
pub struct Declarations {
    /// Levels, lowest first.
    pub levels: Vec<LevelInfo>,
    /// Recorded decision text (trimmed, lowercase) → level rank.
    pub decisions: FastMap<String, LevelRank>,
    /// The same texts as written (trimmed): data exported from a case
    /// system spells them so, and an exact match needs no case folding.
    pub decision_spellings: FastMap<String, LevelRank>,
    /// Themes.
    pub themes: Vec<Named>,
    /// Flags.
    pub flags: Vec<Named>,
    /// Domains.
    pub domains: Vec<Named>,
    /// Fields by slot.
    pub fields: Vec<FieldInfo>,
    /// Indicators by bit.
    pub indicators: Vec<IndicatorInfo>,
    /// External indicator codes (`codes [...]`, trimmed, in capitals) →
    /// indicator bit.
    pub codes: FastMap<String, IndicatorId>,
}

/// Everything a rule file declares, resolved by the checker: the shared
/// namespace, the declarations themselves ([`Declarations`]) and what only
/// the checker needs (where things are declared, choice lookups). The
/// plan's compiler lowers rules and examples against it.
#[derive(Debug, Default)]
pub struct SymbolTable {
    /// The shared namespace: id → (symbol, where declared).
    pub names: HashMap<String, (Symbol, Span)>,
    /// Flag ids → index (flags have a namespace of their own).
    pub flag_ids: HashMap<String, FlagId>,
    /// The declarations, moved into the plan by its compiler.
    pub decl: Declarations,
    /// For each `one_of` field (by slot), its choices → their index, so a
    /// literal is looked up in constant time however many choices there are.
    pub choices: HashMap<FieldSlot, HashMap<String, u16>>,
    /// Where each indicator is declared (same index as `decl.indicators`).
    pub indicator_spans: Vec<Span>,
    /// Where each external code (in capitals, a key of `decl.codes`) is
    /// declared.
    pub code_spans: HashMap<String, Span>,
}

impl SymbolTable {
    /// What an id names, if anything.
    pub fn symbol(&self, id: &str) -> Option<Symbol> {
        self.names.get(id).map(|(s, _)| *s)
    }

    /// The index of `text` among the choices of the `one_of` field in `slot`.
    pub fn choice_index(&self, slot: FieldSlot, text: &str) -> Option<u16> {
        self.choices.get(&slot)?.get(text).copied()
    }
}
