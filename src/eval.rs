//! Plan × Record → Score, exactly as SPEC §2.3: base from the indicators,
//! floor from `at least` rules, the largest `raise`, capped at the top level.
//! No I/O and no printing; no string lookups on the way.

use std::borrow::Cow;

use crate::plan::*;
pub use crate::record::Val;
use crate::script::cache::{CallFailure, RecordCalls};
use crate::script::ScriptError;

pub mod lint;
pub mod paired;

/// The outcome for one record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Score {
    /// The final level (rank).
    pub level: LevelRank,
    /// The highest `at` level among the indicators (lowest when none).
    pub base: LevelRank,
    /// The highest `at least` among fired rules.
    pub floor: Option<LevelRank>,
    /// The largest `raise` among fired rules.
    pub raise: u8,
    /// Fired rules (indexes into [`Plan::rules`]), in file order.
    pub fired: Vec<RuleId>,
    /// Raised flags (indexes into [`Declarations::flags`](crate::plan::Declarations::flags)), in declaration order.
    pub flags: Vec<FlagId>,
}

/// Why a record could not be scored. Boxed, so that the evaluator's
/// results stay two words wide on the hot path.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError(Box<EvalFailure>);

/// What went wrong, inside an [`EvalError`].
#[derive(Clone, Debug, PartialEq)]
pub enum EvalFailure {
    /// A script failed or went over a limit.
    Script {
        /// The rule whose condition called it.
        rule: String,
        /// What happened.
        error: ScriptError,
    },
    /// A script returned the wrong kind of value.
    Type {
        /// The rule.
        rule: String,
        /// What happened.
        message: String,
    },
}

impl EvalError {
    /// What went wrong.
    pub fn failure(&self) -> &EvalFailure {
        &self.0
    }
}

impl From<EvalFailure> for EvalError {
    fn from(f: EvalFailure) -> Self {
        EvalError(Box::new(f))
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            EvalFailure::Script { rule, error } => write!(f, "rule `{rule}`: {error}"),
            EvalFailure::Type { rule, message } => write!(f, "rule `{rule}`: {message}"),
        }
    }
}

impl std::error::Error for EvalError {}

/// One record's evaluation: the plan, the record and a lazily built script map.
pub struct Eval<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The record.
    pub rec: &'a Record,
    /// This record's script calls and the results it may reuse
    /// ([`crate::script::cache`]).
    calls: RecordCalls<'a>,
    /// The rule being evaluated (for error messages).
    pub rule: RuleId,
}

impl<'a> Eval<'a> {
    /// Starts evaluating `rec`.
    pub fn new(plan: &'a Plan, rec: &'a Record) -> Self {
        Self {
            plan,
            rec,
            calls: RecordCalls::new(true),
            rule: RuleId::default(),
        }
    }

    /// Starts evaluating `rec` without reusing script results from other
    /// records: what reuse must never change.
    pub fn without_reuse(plan: &'a Plan, rec: &'a Record) -> Self {
        Self {
            calls: RecordCalls::new(false),
            ..Self::new(plan, rec)
        }
    }

    fn rule_id(&self) -> String {
        self.plan
            .rules
            .get(self.rule.index())
            .map_or_else(String::new, |r| r.id.clone())
    }

    #[inline]
    fn node(&self, id: NodeId) -> &'a Node {
        // INVARIANT: node ids come from the same plan's compiler.
        &self.plan.nodes[id as usize]
    }

    /// Evaluates a node as a condition: missing, and comparisons with missing, are false.
    pub fn truth(&mut self, id: NodeId) -> Result<bool, EvalError> {
        let plan = self.plan;
        Ok(match self.node(id) {
            Node::Indicator(b) => self.rec.has(*b),
            Node::And(xs) => {
                for x in xs {
                    if !self.truth(*x)? {
                        return Ok(false);
                    }
                }
                true
            }
            Node::Or(xs) => {
                for x in xs {
                    if self.truth(*x)? {
                        return Ok(true);
                    }
                }
                false
            }
            Node::Not(x) => !self.truth(*x)?,
            Node::Cmp(op, a, b) => match self.field_against_constant(*op, *a, *b) {
                Some(r) => r,
                None => {
                    let l = self.value(*a)?;
                    let r = self.value(*b)?;
                    self.check_script_kind(*a, &l, &r)?;
                    self.check_script_kind(*b, &r, &l)?;
                    compare(*op, &l, &r)
                }
            },
            Node::Field(s) => match self.rec.value(*s) {
                Some(Value::Bool(b)) => *b,
                Some(Value::Missing) | None => false,
                Some(_) => self.value_truth(id)?,
            },
            Node::AnyMask(m) => self.rec.indicators.intersects(&plan.masks[m.index()].bits),
            Node::ChoiceIs(s, i, eq) => match self.rec.value(*s) {
                Some(Value::Choice(c)) => (c == i) == *eq,
                _ => false,
            },
            Node::ChoiceIn(s, idx) => match self.rec.value(*s) {
                Some(Value::Choice(c)) => idx.contains(c),
                _ => false,
            },
            Node::Known(s) => !matches!(self.rec.value(*s), Some(Value::Missing) | None),
            _ => self.value_truth(id)?,
        })
    }

    /// A field against a number or true/false, the commonest comparison,
    /// answered without building values; `None` for other comparisons
    /// (text and choices among them), which `compare` answers.
    #[inline]
    fn field_against_constant(&self, op: CmpOp, a: NodeId, b: NodeId) -> Option<bool> {
        let (Node::Field(s), Node::Const(c)) = (self.node(a), self.node(b)) else {
            return None;
        };
        match (self.rec.value(*s), c) {
            (Some(Value::Num(x)), Const::Num(y)) => Some(ordered(op, x.partial_cmp(y))),
            (Some(Value::Bool(x)), Const::Bool(y)) => Some(ordered(op, Some(x.cmp(y)))),
            // Missing, or a number or true/false against another kind.
            (Some(Value::Num(_) | Value::Bool(_) | Value::Missing) | None, _) => Some(false),
            _ => None,
        }
    }

    /// A script result compared with a value of another kind (text with a
    /// number, say) is an error, never a silently false comparison. `v` is
    /// the value of node `id`; `other` is what it is compared with. A
    /// missing field on the other side keeps the usual meaning (false).
    fn check_script_kind(&self, id: NodeId, v: &Val<'a>, other: &Val<'_>) -> Result<(), EvalError> {
        if !matches!(self.node(id), Node::Call(..)) || matches!(other, Val::Missing) {
            return Ok(());
        }
        let same = std::mem::discriminant(v) == std::mem::discriminant(other);
        if same {
            return Ok(());
        }
        Err(self.wrong_kind(id, v, kind_word(other)))
    }

    /// A script result used in arithmetic must be a number.
    fn check_script_num(&self, id: NodeId, v: &Val<'a>) -> Result<(), EvalError> {
        if !matches!(self.node(id), Node::Call(..)) || matches!(v, Val::Num(_)) {
            return Ok(());
        }
        Err(self.wrong_kind(id, v, "a number"))
    }

    /// The error for a script result of the wrong kind.
    fn wrong_kind(&self, id: NodeId, v: &Val<'a>, want: &str) -> EvalError {
        EvalFailure::Type {
            rule: self.rule_id(),
            message: format!(
                "`{}` returned {} {} where {want} was expected",
                crate::text::shorten_all(self.plan.node_text(id)),
                kind_word(v),
                crate::text::shorten(&v.to_string()),
            ),
        }
        .into()
    }

    /// A value used as a condition: true/false, missing is false, and
    /// anything else is an error.
    fn value_truth(&mut self, id: NodeId) -> Result<bool, EvalError> {
        match self.value(id)? {
            Val::Bool(b) => Ok(b),
            Val::Missing => Ok(false),
            other => Err(EvalFailure::Type {
                rule: self.rule_id(),
                message: format!(
                    "`{}` gave {other} where true or false was expected",
                    self.plan.node_text(id)
                ),
            }
            .into()),
        }
    }

    /// Evaluates a node to a value.
    pub fn value(&mut self, id: NodeId) -> Result<Val<'a>, EvalError> {
        let plan = self.plan;
        Ok(match self.node(id) {
            Node::Const(c) => match c {
                Const::Num(n) => Val::Num(*n),
                Const::Str(s) => Val::Str(Cow::Borrowed(s)),
                Const::Bool(b) => Val::Bool(*b),
            },
            Node::Field(s) => match self.rec.value(*s) {
                Some(Value::Num(n)) => Val::Num(*n),
                Some(Value::Bool(b)) => Val::Bool(*b),
                Some(Value::Text(t)) => Val::Str(Cow::Borrowed(t)),
                Some(Value::Choice(i)) => match plan.decl.fields.get(s.index()).map(|f| &f.kind) {
                    Some(FieldType::OneOf(o)) => o
                        .get(*i as usize)
                        .map_or(Val::Missing, |s| Val::Str(Cow::Borrowed(s))),
                    _ => Val::Missing,
                },
                Some(Value::Missing) | None => Val::Missing,
            },
            Node::Neg(x) => match self.value(*x)? {
                Val::Num(n) => Val::Num(-n),
                other => {
                    self.check_script_num(*x, &other)?;
                    Val::Missing
                }
            },
            Node::Arith(op, a, b) => match (self.value(*a)?, self.value(*b)?) {
                (Val::Num(x), Val::Num(y)) => {
                    let v = match op {
                        ArithOp::Add => x + y,
                        ArithOp::Sub => x - y,
                        ArithOp::Mul => x * y,
                        ArithOp::Div => x / y,
                    };
                    if v.is_finite() {
                        Val::Num(v)
                    } else {
                        Val::Missing
                    }
                }
                (l, r) => {
                    self.check_script_num(*a, &l)?;
                    self.check_script_num(*b, &r)?;
                    Val::Missing
                }
            },
            Node::In(x, items) => {
                let v = self.value(*x)?;
                if let Some(first) = items.first() {
                    let want = match first {
                        Const::Num(_) => Val::Num(0.0),
                        Const::Str(_) => Val::Str(Cow::Borrowed("")),
                        Const::Bool(_) => Val::Bool(false),
                    };
                    self.check_script_kind(*x, &v, &want)?;
                }
                Val::Bool(items.iter().any(|c| match (c, &v) {
                    (Const::Num(a), Val::Num(b)) => a == b,
                    (Const::Str(a), Val::Str(b)) => **a == **b,
                    (Const::Bool(a), Val::Bool(b)) => a == b,
                    _ => false,
                }))
            }
            Node::Count(xs) => {
                let mut n = 0u32;
                for x in xs {
                    n += u32::from(self.truth(*x)?);
                }
                Val::Num(f64::from(n))
            }
            Node::CountMask(m) => Val::Num(f64::from(
                self.rec.indicators.count_and(&plan.masks[m.index()].bits),
            )),
            Node::Call(f, args) => self.call(id, *f, args)?,
            Node::Indicator(_)
            | Node::And(_)
            | Node::Or(_)
            | Node::Not(_)
            | Node::Cmp(..)
            | Node::AnyMask(_)
            | Node::Known(_)
            | Node::ChoiceIs(..)
            | Node::ChoiceIn(..) => Val::Bool(self.truth(id)?),
        })
    }

    /// A script call, through the script layer's one cache
    /// ([`RecordCalls::call`]). Kept out of `value` so the common nodes do
    /// not pay for its stack frame.
    #[inline(never)]
    fn call(&mut self, id: NodeId, f: u32, args: &[NodeId]) -> Result<Val<'a>, EvalError> {
        let plan = self.plan;
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.value(*a)?);
        }
        self.calls
            .call(plan.scripts.as_ref(), plan, self.rec, f, vals)
            .map_err(|failure| {
                let rule = self.rule_id();
                EvalError::from(match failure {
                    CallFailure::NoScripts => EvalFailure::Type {
                        rule,
                        message: "no scripts are loaded".into(),
                    },
                    CallFailure::Script(error) => EvalFailure::Script { rule, error },
                    CallFailure::Returned(got) => EvalFailure::Type {
                        rule,
                        message: format!(
                            "`{}` returned {got}; a script function must return a number, true/false or text",
                            crate::text::shorten_all(plan.node_text(id))
                        ),
                    },
                })
            })
    }
}

/// "a number", "text" or "true/false": the kind of a value, for messages.
fn kind_word(v: &Val<'_>) -> &'static str {
    match v {
        Val::Missing => "nothing",
        Val::Num(_) => "a number",
        Val::Bool(_) => "true/false",
        Val::Str(_) => "text",
    }
}

/// A comparison; anything involving a missing value is false.
pub fn compare(op: CmpOp, l: &Val<'_>, r: &Val<'_>) -> bool {
    let ord = match (l, r) {
        (Val::Num(a), Val::Num(b)) => a.partial_cmp(b),
        (Val::Str(a), Val::Str(b)) => Some(a.as_ref().cmp(b.as_ref())),
        (Val::Bool(a), Val::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    };
    ordered(op, ord)
}

/// Whether an ordering satisfies a comparison; none (values that cannot
/// be compared) satisfies none.
#[inline]
fn ordered(op: CmpOp, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering;
    let Some(ord) = ord else { return false };
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

/// The base level: the highest level among the present indicators.
#[inline]
pub fn base_level(plan: &Plan, rec: &Record) -> LevelRank {
    // `level_masks` has one mask per level, and the checker refuses more
    // levels than a rank holds, so the position always fits.
    for (rank, mask) in plan.level_masks.iter().enumerate().rev() {
        if rec.indicators.intersects(mask) {
            return LevelRank::try_from(rank).unwrap_or(LevelRank::LOWEST);
        }
    }
    LevelRank::LOWEST
}

/// Scores a record into `out` (reusing its buffers).
pub fn score_into(plan: &Plan, rec: &Record, out: &mut Score) -> Result<(), EvalError> {
    score_with(Eval::new(plan, rec), out, |_| None)
}

/// As [`score_into`], with `known(rule)` giving a rule's outcome when it is
/// already known (see [`paired`]); other rules are evaluated.
fn score_with(
    mut ev: Eval<'_>,
    out: &mut Score,
    known: impl Fn(usize) -> Option<bool>,
) -> Result<(), EvalError> {
    let (plan, rec) = (ev.plan, ev.rec);
    out.fired.clear();
    out.flags.clear();
    out.base = base_level(plan, rec);
    out.floor = None;
    out.raise = 0;
    for (i, rule) in RuleId::all().zip(&plan.rules) {
        let fired = match known(i.index()) {
            Some(fired) => fired,
            None => {
                if let Some(pre) = &rule.prefilter {
                    if !pre.met(rec) {
                        continue;
                    }
                }
                ev.rule = i;
                ev.truth(rule.cond)?
            }
        };
        if fired {
            out.fired.push(i);
            if let Some(f) = rule.floor {
                out.floor = Some(out.floor.map_or(f, |x| x.max(f)));
            }
            out.raise = out.raise.max(rule.raise);
            for fl in &rule.flags {
                if !out.flags.contains(fl) {
                    out.flags.push(*fl);
                }
            }
        }
    }
    out.flags.sort_unstable();
    out.level = out
        .base
        .max(out.floor.unwrap_or(LevelRank::LOWEST))
        .raised(out.raise, plan.top());
    Ok(())
}

/// Scores a record.
pub fn score(plan: &Plan, rec: &Record) -> Result<Score, EvalError> {
    let mut s = Score::default();
    score_into(plan, rec, &mut s)?;
    Ok(s)
}

/// Scores a record without reusing any script result computed for another
/// record: slower, and by construction the same as [`score`].
pub fn score_without_reuse(plan: &Plan, rec: &Record) -> Result<Score, EvalError> {
    let mut s = Score::default();
    score_with(Eval::without_reuse(plan, rec), &mut s, |_| None)?;
    Ok(s)
}
