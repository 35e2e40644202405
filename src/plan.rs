//! The compiled rule set: names resolved to slots, indicators to bit
//! positions, selectors to masks, conditions to a flat node array. Its
//! compiler (`compile`) lowers a checked rule file into it once; `eval`,
//! `explain` and the data loaders read it. The declarations it carries
//! (`plan.decl`: fields, indicators, levels, ...) are the checker's
//! [`Declarations`], moved in by the compiler; their types are re-exported
//! here.

mod compile;
pub mod lint;

use std::sync::Arc;

use crate::bits::Bits;
pub use crate::check::declared::{
    Declarations, FastMap, FieldInfo, FieldType, IndicatorInfo, LevelInfo, Named, Symbol,
};
pub use crate::check::ids::{
    DomainId, FieldSlot, FlagId, IndicatorId, LevelRank, MaskId, RuleId, ThemeId,
};
pub use crate::record::{Record, Value};
use crate::script::Scripts;
use crate::span::{Source, Span};

pub use compile::compile;

/// Index of a node in [`Plan::nodes`].
pub type NodeId = u32;

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// A literal constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    /// A number.
    Num(f64),
    /// A string.
    Str(Box<str>),
    /// A bool.
    Bool(bool),
}

/// One compiled expression node.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A constant.
    Const(Const),
    /// A field's value (slot in [`Declarations::fields`](crate::plan::Declarations::fields)).
    Field(FieldSlot),
    /// An indicator's presence (bit in the record's set).
    Indicator(IndicatorId),
    /// `not`
    Not(NodeId),
    /// Unary minus.
    Neg(NodeId),
    /// Short-circuit `and`.
    And(Vec<NodeId>),
    /// Short-circuit `or`.
    Or(Vec<NodeId>),
    /// A comparison.
    Cmp(CmpOp, NodeId, NodeId),
    /// Arithmetic.
    Arith(ArithOp, NodeId, NodeId),
    /// `x in [...]`.
    In(NodeId, Vec<Const>),
    /// `choice_field == "lit"` (true) or `!= "lit"` (false), compiled to an
    /// index compare; false when the field is missing.
    ChoiceIs(FieldSlot, u16, bool),
    /// `choice_field in ["a", "b"]`, compiled to indexes.
    ChoiceIn(FieldSlot, Vec<u16>),
    /// `count(e1, e2, ...)`.
    Count(Vec<NodeId>),
    /// `count(indicators ...)`: index into [`Plan::masks`].
    CountMask(MaskId),
    /// `any(indicators ...)`: index into [`Plan::masks`].
    AnyMask(MaskId),
    /// `known(field)`.
    Known(FieldSlot),
    /// A script function (index into the script table) with arguments.
    Call(u32, Vec<NodeId>),
}

/// A compiled rule.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRule {
    /// The id.
    pub id: String,
    /// The reason, in a practitioner's words.
    pub reason: String,
    /// The condition's root node.
    pub cond: NodeId,
    /// `at least LEVEL` (rank), the highest if several.
    pub floor: Option<LevelRank>,
    /// `raise N`, the largest if several (0 = none).
    pub raise: u8,
    /// `flag F` (indexes into [`Declarations::flags`](crate::plan::Declarations::flags)).
    pub flags: Vec<FlagId>,
    /// What a record must have for the condition to be true (from its
    /// `and`/`or` structure); records without it skip the rule without
    /// evaluating it. `None` = no such filter.
    pub prefilter: Option<Prefilter>,
    /// Where the rule is written.
    pub span: Span,
}

/// A rule's prefilter: a record can meet the condition only if it has one
/// of `indicators` or a known value for one of `fields`.
#[derive(Clone, Debug, PartialEq)]
pub struct Prefilter {
    /// Indicators, any of which may make the condition true.
    pub indicators: Bits,
    /// Field slots, any of which, when known, may make it true.
    pub fields: Vec<FieldSlot>,
}

impl Prefilter {
    /// Whether `rec` can meet the condition.
    #[inline]
    pub fn met(&self, rec: &Record) -> bool {
        rec.indicators.intersects(&self.indicators)
            || self
                .fields
                .iter()
                .any(|s| !matches!(rec.value(*s), Some(Value::Missing) | None))
    }

    /// How to choose between two (the smaller is kept): one bitwise AND
    /// beats reading slots, and fewer indicators filter more records out.
    pub fn cost(&self) -> (usize, u32) {
        (self.fields.len(), self.indicators.len())
    }
}

/// A selector mask with the text it came from (for explanations).
#[derive(Clone, Debug, PartialEq)]
pub struct Mask {
    /// The indicators it selects.
    pub bits: Bits,
    /// e.g. `indicators at targeted`.
    pub text: String,
}

impl Record {
    /// An empty record shaped for `plan`.
    pub fn empty(plan: &Plan) -> Self {
        Self::with_shape(plan.decl.fields.len(), plan.decl.indicators.len())
    }
}

/// An embedded example, compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleCase {
    /// Its name.
    pub name: String,
    /// The record it describes (id = name).
    pub record: Record,
    /// `expect LEVEL`, when given.
    pub expect: Option<LevelRank>,
    /// `fired [...]`: rules that must fire.
    pub fired: Vec<RuleId>,
    /// `flags [...]`: flags that must be raised.
    pub flags: Vec<FlagId>,
    /// Where it is written.
    pub span: Span,
}

/// The compiled rule set.
#[derive(Debug)]
pub struct Plan {
    /// `continuum "NAME"`.
    pub name: String,
    /// `version "V"`.
    pub version: Option<String>,
    /// What the rule file declares (levels, decisions, themes, flags,
    /// domains, fields, indicators, codes), moved here from the checker's
    /// symbol table.
    pub decl: Declarations,
    /// Rules in file order.
    pub rules: Vec<PlanRule>,
    /// Expression nodes.
    pub nodes: Vec<Node>,
    /// Where each node is written (same index as `nodes`).
    pub node_spans: Vec<Span>,
    /// Selector masks.
    pub masks: Vec<Mask>,
    /// For each level rank, the indicators at exactly that level.
    pub level_masks: Vec<Bits>,
    /// For each theme (by [`ThemeId`]), its indicators.
    pub theme_masks: Vec<Bits>,
    /// The examples.
    pub examples: Vec<ExampleCase>,
    /// Compiled scripts, when any are imported.
    pub scripts: Option<Scripts>,
    /// Every id in the shared namespace.
    pub symbols: FastMap<String, Symbol>,
    /// The rule file.
    pub source: Arc<Source>,
}

impl Plan {
    /// The top level's rank.
    pub fn top(&self) -> LevelRank {
        LevelRank::try_from(self.decl.levels.len().saturating_sub(1))
            .unwrap_or(LevelRank::new(u8::MAX))
    }

    /// Looks up a recorded decision (trimmed, case-insensitive).
    pub fn decision_level(&self, text: &str) -> Option<LevelRank> {
        let t = text.trim();
        if let Some(l) = self.decl.decision_spellings.get(t) {
            return Some(*l);
        }
        // The keys are lowercase, so one lookup of the lowercased text
        // serves. Most decision texts are short ASCII: they are lowercased
        // on the stack rather than allocating for every row.
        let mut buf = [0u8; 64];
        if let Some(b) = buf.get_mut(..t.len()).filter(|_| t.is_ascii()) {
            b.copy_from_slice(t.as_bytes());
            b.make_ascii_lowercase();
            return std::str::from_utf8(b)
                .ok()
                .and_then(|s| self.decl.decisions.get(s))
                .copied();
        }
        self.decl.decisions.get(&t.to_lowercase()).copied()
    }

    /// True when `other` reads a data row exactly as this plan does (same
    /// fields, indicators in the same order, same decision texts), so one
    /// parse of the row serves both (`diff` of two versions of the rules).
    pub fn reads_rows_like(&self, other: &Plan) -> bool {
        self.decl.fields == other.decl.fields
            && self.decl.decisions == other.decl.decisions
            && self.decl.indicators.len() == other.decl.indicators.len()
            && self
                .decl
                .indicators
                .iter()
                .zip(&other.decl.indicators)
                .all(|(a, b)| a.id == b.id)
            && self.decl.codes == other.decl.codes
    }

    /// An indicator's bit by external code (`codes [...]`), case-insensitive
    /// (`3a` is `3A`): one map lookup for a code written in capitals.
    pub fn code_bit(&self, code: &str) -> Option<IndicatorId> {
        if let Some(b) = self.decl.codes.get(code) {
            return Some(*b);
        }
        if code.bytes().any(|b| b.is_ascii_lowercase()) {
            return self.decl.codes.get(&code.to_ascii_uppercase()).copied();
        }
        None
    }

    /// A field's slot by id.
    pub fn field_slot(&self, id: &str) -> Option<FieldSlot> {
        match self.symbols.get(id) {
            Some(Symbol::Field(s)) => Some(*s),
            _ => None,
        }
    }

    /// An indicator's bit by id.
    pub fn indicator_bit(&self, id: &str) -> Option<IndicatorId> {
        match self.symbols.get(id) {
            Some(Symbol::Indicator(i)) => Some(*i),
            _ => None,
        }
    }

    /// The source text of a node (for explanations).
    pub fn node_text(&self, node: NodeId) -> &str {
        self.node_spans
            .get(node as usize)
            .map_or("", |s| self.source.slice(*s))
    }

    /// A selector mask by id.
    pub fn mask(&self, id: MaskId) -> Option<&Mask> {
        self.masks.get(id.index())
    }

    /// A theme by id.
    pub fn theme(&self, id: ThemeId) -> Option<&Named> {
        self.decl.themes.get(id.index())
    }

    /// A domain by id.
    pub fn domain(&self, id: DomainId) -> Option<&Named> {
        self.decl.domains.get(id.index())
    }

    /// Each theme's id and its indicators, in file order.
    pub fn theme_masks(&self) -> impl Iterator<Item = (ThemeId, &Bits)> {
        ThemeId::all().zip(&self.theme_masks)
    }

    /// The level id of a rank.
    pub fn level_id(&self, rank: LevelRank) -> &str {
        self.decl
            .levels
            .get(rank.index())
            .map_or("?", |l| l.id.as_str())
    }
}

impl crate::script::RecordShape for Plan {
    fn fields(&self) -> &[FieldInfo] {
        &self.decl.fields
    }

    fn indicators(&self) -> &[IndicatorInfo] {
        &self.decl.indicators
    }

    fn field_slot(&self, id: &str) -> Option<FieldSlot> {
        Plan::field_slot(self, id)
    }

    fn indicator_bit(&self, id: &str) -> Option<IndicatorId> {
        Plan::indicator_bit(self, id)
    }
}
