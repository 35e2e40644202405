//! Hard cases for a vignette pack: records near a threshold. A record is hard
//! when a rule that did not fire nearly did (one conjunct false, a count one
//! short, a number just the wrong side of its threshold) and firing would have
//! changed the level; when several indicators sit one level below its level;
//! or when a rule, not an indicator, set its level.

use crate::eval::{Eval, Score, Val};
use crate::plan::{Node, NodeId, Plan, Record, RuleId};

/// Why a record is (or is not) a hard case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hardness {
    /// Rules that nearly fired and would have changed the level.
    pub near_rules: Vec<RuleId>,
    /// Present indicators exactly one level below the record's level.
    pub below: usize,
    /// A rule lifted the level above the indicators' base.
    pub rule_lifted: bool,
}

impl Hardness {
    /// True for a hard case.
    pub fn is_hard(&self) -> bool {
        !self.near_rules.is_empty() || self.below >= 2 || self.rule_lifted
    }
}

/// How hard one scored record is.
pub fn hardness(plan: &Plan, rec: &Record, score: &Score) -> Hardness {
    let mut ev = Eval::new(plan, rec);
    let mut near_rules = Vec::new();
    for (i, rule) in RuleId::all().zip(&plan.rules) {
        if score.fired.contains(&i) {
            continue;
        }
        let would = super::level_if_fired(plan, score, i);
        if would == score.level {
            continue;
        }
        ev.rule = i;
        if near(&mut ev, rule.cond) {
            near_rules.push(i);
        }
    }
    let below = match score.level.below() {
        Some(b) => plan
            .level_masks
            .get(b.index())
            .map_or(0, |m| rec.indicators.count_and(m) as usize),
        None => 0,
    };
    Hardness {
        near_rules,
        below,
        rule_lifted: score.level > score.base,
    }
}

/// True when a false condition is nearly true. Script errors count as "not near".
fn near(ev: &mut Eval<'_>, node: NodeId) -> bool {
    let plan = ev.plan;
    match plan.nodes.get(node as usize) {
        Some(Node::And(xs)) => {
            let mut false_parts = 0;
            for x in xs {
                match ev.truth(*x) {
                    Ok(true) => {}
                    Ok(false) => false_parts += 1,
                    Err(_) => return false,
                }
            }
            false_parts == 1
        }
        Some(Node::Or(xs)) => xs.iter().any(|x| near(ev, *x)),
        Some(Node::Cmp(_, a, b)) => {
            let is_count = |n: NodeId| {
                matches!(
                    plan.nodes.get(n as usize),
                    Some(Node::Count(_)) | Some(Node::CountMask(_))
                )
            };
            let (Ok(Val::Num(l)), Ok(Val::Num(r))) = (ev.value(*a), ev.value(*b)) else {
                return false;
            };
            let gap = (l - r).abs();
            if is_count(*a) || is_count(*b) {
                gap <= 1.0
            } else {
                gap <= 1.0_f64.max(0.1 * l.abs().max(r.abs()))
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::testutil::{plan, vignette};

    fn hard(age: f64, inds: &[&str]) -> Hardness {
        let p = plan();
        let v = vignette(&p, "x", age, inds);
        hardness(&p, &v.record, &v.score)
    }

    #[test]
    fn one_conjunct_false_is_near() {
        // A baby without an injury: `age < 1` true, `injury` false: one conjunct false.
        let h = hard(0.5, &["hygiene"]);
        assert_eq!(h.near_rules, vec![RuleId::new(0)]);
        assert!(h.is_hard());
        // A ten-year-old with an injury: age < 1 false, one conjunct false.
        let h = hard(10.0, &["injury"]);
        assert_eq!(h.near_rules, vec![RuleId::new(0)]);
    }

    #[test]
    fn count_one_short_is_near() {
        let h = hard(10.0, &["dv_house", "missing"]);
        // cumulative: 2 of 3 targeted; and infant: age false, injury false: not near.
        assert!(h.near_rules.contains(&RuleId::new(1)), "{h:?}");
        assert!(!h.near_rules.contains(&RuleId::new(0)), "{h:?}");
    }

    #[test]
    fn plain_cases_are_not_hard() {
        let h = hard(10.0, &["hygiene"]);
        assert!(!h.is_hard(), "{h:?}");
        let h = hard(10.0, &[]);
        assert!(!h.is_hard(), "{h:?}");
    }

    #[test]
    fn rule_lifted_and_several_below() {
        let h = hard(10.0, &["dv_house", "missing", "injury"]);
        assert!(h.rule_lifted);
        assert_eq!(h.below, 3);
        assert!(h.is_hard());
    }

    #[test]
    fn near_miss_that_changes_nothing_is_ignored() {
        // Already specialist from neglect_p: infant would not change the level.
        let h = hard(0.5, &["neglect_p"]);
        assert!(h.near_rules.is_empty(), "{h:?}");
    }
}
