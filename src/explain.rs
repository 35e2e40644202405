//! Why a record got its level: the indicators that set the base, each fired
//! rule with its reason and effect, the flags, and for each rule that did not
//! fire, the part of its condition that was false and the values it read.
//! Returns data; `report` renders it.

use serde::Serialize;

use crate::eval::{self, Eval, EvalError, Score, Val};
use crate::plan::*;

/// A fired rule as shown to a reader.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reason {
    /// The rule id.
    pub rule: String,
    /// Its reason.
    pub reason: String,
    /// What it did, e.g. `at least targeted, flag marac`.
    pub effect: String,
}

/// A rule that did not fire, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotFired {
    /// The rule id.
    pub rule: String,
    /// Its reason.
    pub reason: String,
    /// The false parts of its condition, with the values read.
    pub because: Vec<String>,
}

/// The whole explanation of one record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The record id.
    pub id: String,
    /// Final level id.
    pub level: String,
    /// Final level label.
    pub level_label: String,
    /// Base level id.
    pub base: String,
    /// Indicators at the base level (they set it).
    pub base_indicators: Vec<String>,
    /// Every indicator present, with its level.
    pub indicators: Vec<(String, String)>,
    /// The floor from `at least` rules.
    pub floor: Option<String>,
    /// The raise.
    pub raise: u8,
    /// Fired rules in file order.
    pub fired: Vec<Reason>,
    /// Flags raised: (id, label).
    pub flags: Vec<(String, String)>,
    /// Rules that did not fire.
    pub not_fired: Vec<NotFired>,
    /// The label of every level, by id (a reader is shown labels; the ids
    /// follow in brackets).
    pub level_labels: std::collections::BTreeMap<String, String>,
    /// What each indicator present means, by id.
    pub indicator_labels: std::collections::BTreeMap<String, String>,
    /// The external codes (`codes [...]`) of each indicator present that
    /// declares some, by id: what the data wrote for it.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub indicator_codes: std::collections::BTreeMap<String, Vec<String>>,
    /// The decision recorded with the record, when the data has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<RecordedDecision>,
}

/// The decision recorded with a record, and whether the rules agree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordedDecision {
    /// As written in the data, e.g. `TAF`.
    pub text: String,
    /// The level it maps to.
    pub level: String,
    /// That level's label.
    pub level_label: String,
    /// Whether the rules give the same level.
    pub agrees: bool,
}

impl Explanation {
    /// The explanation with the record's recorded decision (its level's
    /// rank and the text as written); nothing changes without a level.
    pub fn with_decision(
        mut self,
        plan: &Plan,
        level: Option<LevelRank>,
        text: Option<&str>,
    ) -> Self {
        self.decision = level.map(|l| RecordedDecision {
            text: text.unwrap_or_default().to_string(),
            level: plan.level_id(l).to_string(),
            level_label: level_label(plan, l),
            agrees: plan.level_id(l) == self.level,
        });
        self
    }

    /// A level as a reader is shown it: `Label (id)`, or the id alone
    /// when it has no label.
    pub fn level_name(&self, id: &str) -> String {
        named(self.level_labels.get(id), id)
    }

    /// An indicator as a reader is shown it: `Label (id)`, or
    /// `Label (id; codes 3A, 3B)` when it declares external codes.
    pub fn indicator_name(&self, id: &str) -> String {
        match self.indicator_codes.get(id).filter(|c| !c.is_empty()) {
            Some(codes) => {
                let word = if codes.len() == 1 { "code" } else { "codes" };
                let label = self.indicator_labels.get(id).filter(|l| !l.is_empty());
                match label {
                    Some(l) => format!("{l} ({id}; {word} {})", codes.join(", ")),
                    None => format!("{id} ({word} {})", codes.join(", ")),
                }
            }
            None => named(self.indicator_labels.get(id), id),
        }
    }
}

fn named(label: Option<&String>, id: &str) -> String {
    match label {
        Some(l) if !l.is_empty() && l != id => format!("{l} ({id})"),
        _ => id.to_string(),
    }
}

fn level_label(plan: &Plan, rank: LevelRank) -> String {
    plan.decl
        .levels
        .get(rank.index())
        .map_or(String::new(), |l| l.label.clone())
}

/// The effect of a rule in words.
pub fn effect(plan: &Plan, rule: &PlanRule) -> String {
    let mut parts = Vec::new();
    if let Some(f) = rule.floor {
        parts.push(format!("at least {}", plan.level_id(f)));
    }
    if rule.raise > 0 {
        parts.push(format!("raise {}", rule.raise));
    }
    for f in &rule.flags {
        if let Some(fl) = plan.decl.flags.get(f.index()) {
            parts.push(format!("flag {}", fl.id));
        }
    }
    parts.join(", ")
}

/// The reasons of a score's fired rules.
pub fn reasons(plan: &Plan, score: &Score) -> Vec<Reason> {
    score
        .fired
        .iter()
        .filter_map(|r| plan.rules.get(r.index()))
        .map(|r| Reason {
            rule: r.id.clone(),
            reason: r.reason.clone(),
            effect: effect(plan, r),
        })
        .collect()
}

/// Scores and explains one record.
pub fn explain(plan: &Plan, rec: &Record) -> Result<Explanation, EvalError> {
    let score = eval::score(plan, rec)?;
    let present: Vec<&IndicatorInfo> = rec
        .indicators
        .iter()
        .filter_map(|i| plan.decl.indicators.get(i))
        .collect();
    let mut not_fired = Vec::new();
    let mut ev = Eval::new(plan, rec);
    for (i, rule) in RuleId::all().zip(&plan.rules) {
        if score.fired.contains(&i) {
            continue;
        }
        ev.rule = i;
        let because = why_false(&mut ev, rule.cond)?;
        not_fired.push(NotFired {
            rule: rule.id.clone(),
            reason: rule.reason.clone(),
            because,
        });
    }
    Ok(Explanation {
        id: rec.id.clone(),
        level: plan.level_id(score.level).to_string(),
        level_label: plan
            .decl
            .levels
            .get(score.level.index())
            .map_or(String::new(), |l| l.label.clone()),
        base: plan.level_id(score.base).to_string(),
        base_indicators: present
            .iter()
            .filter(|i| i.level == score.base)
            .map(|i| i.id.clone())
            .collect(),
        indicators: present
            .iter()
            .map(|i| (i.id.clone(), plan.level_id(i.level).to_string()))
            .collect(),
        floor: score.floor.map(|f| plan.level_id(f).to_string()),
        raise: score.raise,
        fired: reasons(plan, &score),
        flags: score
            .flags
            .iter()
            .filter_map(|f| plan.decl.flags.get(f.index()))
            .map(|f| (f.id.clone(), f.label.clone()))
            .collect(),
        not_fired,
        level_labels: plan
            .decl
            .levels
            .iter()
            .map(|l| (l.id.clone(), l.label.clone()))
            .collect(),
        indicator_labels: present
            .iter()
            .map(|i| (i.id.clone(), i.description.clone()))
            .collect(),
        indicator_codes: present
            .iter()
            .filter(|i| !i.codes.is_empty())
            .map(|i| (i.id.clone(), i.codes.clone()))
            .collect(),
        decision: None,
    })
}

/// The parts of a false condition that made it false.
fn why_false(ev: &mut Eval<'_>, node: NodeId) -> Result<Vec<String>, EvalError> {
    let plan = ev.plan;
    let text = plan.node_text(node).to_string();
    Ok(match plan.nodes.get(node as usize) {
        Some(Node::And(xs)) => {
            for x in xs {
                if !ev.truth(*x)? {
                    return why_false(ev, *x);
                }
            }
            vec![format!("`{text}` is false")]
        }
        Some(Node::Or(xs)) => {
            let mut out = Vec::new();
            for x in xs {
                out.extend(why_false(ev, *x)?);
            }
            out
        }
        Some(Node::Not(x)) => {
            let detail = describe(ev, *x)?;
            vec![format!("`{}` is true{detail}", plan.node_text(*x))]
        }
        Some(Node::Indicator(_)) => vec![format!("`{text}` is not present")],
        Some(Node::AnyMask(m)) => {
            let what = plan.mask(*m).map_or("", |m| m.text.as_str());
            vec![format!("no indicator matches `{what}`")]
        }
        Some(Node::Known(s)) => {
            let f = plan
                .decl
                .fields
                .get(s.index())
                .map_or("?", |f| f.id.as_str());
            vec![format!("`{f}` is missing")]
        }
        Some(Node::ChoiceIs(s, ..)) | Some(Node::ChoiceIn(s, _)) => {
            let f = plan.decl.fields.get(s.index());
            let v = match (ev.rec.value(*s), f.map(|f| &f.kind)) {
                (Some(Value::Choice(c)), Some(FieldType::OneOf(o))) => o
                    .get(*c as usize)
                    .map_or("missing".to_string(), |s| format!("\"{s}\"")),
                _ => "missing".into(),
            };
            let id = f.map_or("?", |f| f.id.as_str());
            vec![format!("`{text}` is false: `{id}` is {v}")]
        }
        Some(Node::Cmp(_, a, b)) => {
            let mut parts = Vec::new();
            for side in [*a, *b] {
                if !matches!(plan.nodes.get(side as usize), Some(Node::Const(_))) {
                    let v = ev.value(side)?;
                    parts.push(format!(
                        "`{}` is {}{}",
                        plan.node_text(side),
                        v,
                        describe(ev, side)?
                    ));
                }
            }
            vec![format!("`{text}` is false: {}", parts.join(", "))]
        }
        _ => {
            let v = ev.value(node)?;
            vec![format!("`{text}` is {v}")]
        }
    })
}

/// Extra detail about a value: which indicators a count saw.
fn describe(ev: &mut Eval<'_>, node: NodeId) -> Result<String, EvalError> {
    let plan = ev.plan;
    Ok(match plan.nodes.get(node as usize) {
        Some(Node::CountMask(m)) | Some(Node::AnyMask(m)) => {
            let Some(mask) = plan.mask(*m) else {
                return Ok(String::new());
            };
            let seen: Vec<String> = ev
                .rec
                .indicators
                .iter_and(&mask.bits)
                .filter_map(|i| plan.decl.indicators.get(i))
                .map(|i| format!("`{}`", i.id))
                .collect();
            if seen.is_empty() {
                ": none present".into()
            } else {
                format!(": only {}", seen.join(", "))
            }
        }
        Some(Node::Count(xs)) => {
            let mut seen = Vec::new();
            for x in xs {
                if ev.truth(*x)? {
                    seen.push(format!("`{}`", plan.node_text(*x)));
                }
            }
            if seen.is_empty() {
                ": none true".into()
            } else {
                format!(": only {}", seen.join(", "))
            }
        }
        _ => String::new(),
    })
}

/// A value in words (used by renderers).
pub fn value_text(v: &Val<'_>) -> String {
    v.to_string()
}
