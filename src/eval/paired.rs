//! Scoring a record under a second plan that shares most of its rules with
//! a first (`diff` of two versions of the rules): a rule whose condition
//! compiles to the same expression over the same reading of the row takes
//! the first plan's outcome instead of being evaluated again. A revision
//! usually changes a handful of rules, so the second plan costs little more
//! than its changed rules.

use std::collections::HashMap;

use super::{score_with, Eval, EvalError, Score};
use crate::plan::{Const, MaskId, Node, NodeId, Plan, Record, RuleId};

/// Which rules of the second plan have the same condition as a rule of
/// the first.
#[derive(Clone, Debug, PartialEq)]
pub struct Pairing {
    /// Per rule of the second plan: the first plan's rule with the same
    /// condition.
    same: Vec<Option<RuleId>>,
}

impl Pairing {
    /// Pairs the rules of `new` with those of `old`; `None` when the plans
    /// read rows differently (then no outcome can be carried over).
    pub fn new(old: &Plan, new: &Plan) -> Option<Pairing> {
        if !old.reads_rows_like(new) {
            return None;
        }
        let scripts_alike = match (&old.scripts, &new.scripts) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same_text(b),
            _ => false,
        };
        let mut by_condition: HashMap<Vec<u8>, RuleId> = HashMap::new();
        let mut buf = Vec::new();
        for (i, rule) in RuleId::all().zip(&old.rules) {
            buf.clear();
            if encode(old, rule.cond, scripts_alike, &mut buf, 0) {
                by_condition.entry(buf.clone()).or_insert(i);
            }
        }
        let same = new
            .rules
            .iter()
            .map(|rule| {
                buf.clear();
                encode(new, rule.cond, scripts_alike, &mut buf, 0)
                    .then(|| by_condition.get(&buf).copied())
                    .flatten()
            })
            .collect();
        Some(Pairing { same })
    }

    /// How many rules of the second plan take the first plan's outcome.
    pub fn shared(&self) -> usize {
        self.same.iter().filter(|s| s.is_some()).count()
    }
}

/// Deepest condition encoded; deeper ones are simply not paired.
const MAX_DEPTH: usize = 512;

/// Appends a canonical encoding of the expression at `id` (everything that
/// decides its value, nothing of where it was written). False when it
/// cannot be compared across plans: a script call when the scripts differ,
/// or an expression nested deeper than `MAX_DEPTH`.
fn encode(plan: &Plan, id: NodeId, scripts_alike: bool, out: &mut Vec<u8>, depth: usize) -> bool {
    let Some(node) = plan.nodes.get(id as usize) else {
        return false;
    };
    if depth > MAX_DEPTH {
        return false;
    }
    let all = |out: &mut Vec<u8>, xs: &[NodeId]| {
        out.extend_from_slice(&(xs.len() as u32).to_le_bytes());
        xs.iter()
            .all(|x| encode(plan, *x, scripts_alike, out, depth + 1))
    };
    match node {
        Node::Const(c) => {
            out.push(0);
            constant(c, out);
            true
        }
        Node::Field(s) => tagged(out, 1, &u32::from(s.get()).to_le_bytes()),
        Node::Indicator(b) => tagged(out, 2, &b.get().to_le_bytes()),
        Node::Not(x) => {
            out.push(3);
            all(out, &[*x])
        }
        Node::Neg(x) => {
            out.push(4);
            all(out, &[*x])
        }
        Node::And(xs) => {
            out.push(5);
            all(out, xs)
        }
        Node::Or(xs) => {
            out.push(6);
            all(out, xs)
        }
        Node::Cmp(op, a, b) => {
            out.extend_from_slice(&[7, *op as u8]);
            all(out, &[*a, *b])
        }
        Node::Arith(op, a, b) => {
            out.extend_from_slice(&[8, *op as u8]);
            all(out, &[*a, *b])
        }
        Node::In(x, items) => {
            out.push(9);
            out.extend_from_slice(&(items.len() as u32).to_le_bytes());
            items.iter().for_each(|c| constant(c, out));
            all(out, &[*x])
        }
        Node::ChoiceIs(s, i, eq) => {
            out.push(10);
            out.extend_from_slice(&s.get().to_le_bytes());
            out.extend_from_slice(&i.to_le_bytes());
            out.push(u8::from(*eq));
            true
        }
        Node::ChoiceIn(s, idx) => {
            out.push(11);
            out.extend_from_slice(&s.get().to_le_bytes());
            out.extend_from_slice(&(idx.len() as u32).to_le_bytes());
            idx.iter()
                .for_each(|i| out.extend_from_slice(&i.to_le_bytes()));
            true
        }
        Node::Count(xs) => {
            out.push(12);
            all(out, xs)
        }
        Node::CountMask(m) => mask(plan, 13, *m, out),
        Node::AnyMask(m) => mask(plan, 14, *m, out),
        Node::Known(s) => tagged(out, 15, &s.get().to_le_bytes()),
        Node::Call(f, args) => {
            // By name and arity, not index: rhai does not promise the order
            // of a script's functions.
            let Some(func) = plan
                .scripts
                .as_ref()
                .and_then(|s| s.functions.get(*f as usize))
                .filter(|_| scripts_alike)
            else {
                return false;
            };
            out.push(16);
            out.extend_from_slice(&(func.name.len() as u64).to_le_bytes());
            out.extend_from_slice(func.name.as_bytes());
            out.extend_from_slice(&(func.params as u64).to_le_bytes());
            all(out, args)
        }
    }
}

fn tagged(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) -> bool {
    out.push(tag);
    out.extend_from_slice(bytes);
    true
}

fn constant(c: &Const, out: &mut Vec<u8>) {
    match c {
        Const::Num(n) => tagged(out, 0, &n.to_bits().to_le_bytes()),
        Const::Str(s) => {
            out.push(1);
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            tagged(out, 2, s.as_bytes())
        }
        Const::Bool(b) => tagged(out, 3, &[u8::from(*b)]),
    };
}

/// A mask by its members (the plans number indicators alike).
fn mask(plan: &Plan, tag: u8, m: MaskId, out: &mut Vec<u8>) -> bool {
    let Some(mask) = plan.mask(m) else {
        return false;
    };
    out.push(tag);
    out.extend_from_slice(&mask.bits.len().to_le_bytes());
    for b in mask.bits.iter() {
        out.extend_from_slice(&(b as u32).to_le_bytes());
    }
    true
}

/// Scores `rec` under `new`, taking each paired rule's outcome from
/// `old_score` (the same record scored under the first plan).
pub fn score_into_paired(
    new: &Plan,
    rec: &Record,
    out: &mut Score,
    pairing: &Pairing,
    old_score: &Score,
) -> Result<(), EvalError> {
    score_with(Eval::new(new, rec), out, |rule| {
        let old = pairing.same.get(rule).copied().flatten()?;
        Some(old_score.fired.binary_search(&old).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{self, NoScripts};
    use crate::span::Source;

    fn plan(rules: &str) -> Plan {
        let text = format!(
            "continuum \"T\"\nlevels {{ low \"Low\" mid \"Mid\" high \"High\" }}\n\
             fields {{ age: number? kind: one_of(\"p\", \"q\")? }}\n\
             domain d \"D\" {{ indicator a \"A\" at low indicator b \"B\" at mid }}\n{rules}"
        );
        crate::ruleset::check_source(&Source::new("t.thr", text), &NoScripts)
            .plan
            .unwrap_or_else(|| panic!("test rules check"))
    }

    #[test]
    fn pairs_unchanged_rules_wherever_they_are() {
        let old = plan(
            "rule x \"X\" when age < 1 and a then at least high\n\
             rule y \"Y\" when count(indicators at least mid) >= 1 then raise 1\n\
             rule z \"Z\" when kind == \"p\" then at least mid\n",
        );
        let new = plan(
            "rule z2 \"Z\" when kind == \"p\" then at least mid\n\
             rule x \"X\" when age < 2 and a then at least high\n\
             rule y \"Y\" when count(indicators at least mid) >= 1 then raise 1\n",
        );
        let p = Pairing::new(&old, &new).unwrap_or_else(|| panic!("alike"));
        assert_eq!(
            p.same,
            vec![Some(RuleId::new(2)), None, Some(RuleId::new(1))]
        );
        assert_eq!(p.shared(), 2);
    }

    proptest::proptest! {
        /// Carrying outcomes over never changes a score: the paired score
        /// equals a full evaluation under the second plan.
        #[test]
        fn paired_scores_equal_full_scores(
            age in proptest::option::of(0u8..4),
            kind in proptest::option::of(0u16..2),
            a: bool,
            b: bool,
        ) {
            let old = plan(
                "rule x \"X\" when age < 1 and a then at least high\n\
                 rule y \"Y\" when count(indicators at least mid) >= 1 or age > 2 then raise 1\n\
                 rule z \"Z\" when kind == \"p\" then at least mid\n\
                 rule w \"W\" when b and not a then at least mid\n",
            );
            let new = plan(
                "rule z \"Z\" when kind == \"p\" then at least mid\n\
                 rule x \"X\" when age < 2 and a then at least high\n\
                 rule w \"W\" when b and not a then raise 1\n\
                 rule y \"Y\" when count(indicators at least mid) >= 1 or age > 2 then raise 1\n\
                 rule v \"V\" when kind in [\"q\"] and b then at least high\n",
            );
            let pairing = Pairing::new(&old, &new).unwrap_or_else(|| panic!("alike"));
            proptest::prop_assert_eq!(pairing.shared(), 3);
            let mut rec = Record::empty(&old);
            if let Some(age) = age {
                rec.values[0] = crate::plan::Value::Num(f64::from(age));
            }
            if let Some(k) = kind {
                rec.values[1] = crate::plan::Value::Choice(k);
            }
            for (on, bit) in [(a, 0), (b, 1)] {
                if on {
                    rec.indicators.insert(bit);
                }
            }
            let first = super::super::score(&old, &rec).unwrap_or_else(|e| panic!("{e}"));
            let full = super::super::score(&new, &rec).unwrap_or_else(|e| panic!("{e}"));
            let mut paired = Score::default();
            score_into_paired(&new, &rec, &mut paired, &pairing, &first)
                .unwrap_or_else(|e| panic!("{e}"));
            proptest::prop_assert_eq!(paired, full);
        }
    }

    fn scripted(script: &'static str, rules: &str) -> Plan {
        let text = format!(
            "continuum \"T\"\nlevels {{ low \"Low\" mid \"Mid\" high \"High\" }}\n\
             fields {{ age: number? }}\n\
             domain d \"D\" {{ indicator a \"A\" at low }}\nscript \"s.rhai\"\n{rules}"
        );
        crate::ruleset::check_source(&Source::new("t.thr", text), &check::OneScript(script))
            .plan
            .unwrap_or_else(|| panic!("test rules check"))
    }

    #[test]
    fn script_calls_pair_by_function_only_when_the_scripts_match() {
        const S: &str = "fn young(r) { type_of(r.age) != \"()\" && r.age < 5.0 }\n\
                         fn flagged(r) { has(r, \"a\") }";
        const OTHER: &str = "fn young(r) { type_of(r.age) != \"()\" && r.age < 6.0 }\n\
                             fn flagged(r) { has(r, \"a\") }";
        let rules = "rule y \"Y\" when young() then at least mid\n\
                     rule f \"F\" when flagged() and age > 1 then at least high\n";
        let changed = "rule f \"F\" when flagged() and age > 2 then at least high\n\
                       rule y \"Y\" when young() then at least mid\n";
        let old = scripted(S, rules);
        let new = scripted(S, changed);
        let p = Pairing::new(&old, &new).unwrap_or_else(|| panic!("alike"));
        assert_eq!(p.same, vec![None, Some(RuleId::new(0))]);
        // Other script text: calls are never paired, even with equal names.
        let other = scripted(OTHER, rules);
        let q = Pairing::new(&old, &other).unwrap_or_else(|| panic!("alike"));
        assert_eq!(q.shared(), 0);
        for age in [None, Some(0.5), Some(1.5), Some(2.5), Some(5.5)] {
            for a in [false, true] {
                let mut rec = Record::empty(&old);
                if let Some(x) = age {
                    rec.values[0] = crate::plan::Value::Num(x);
                }
                if a {
                    rec.indicators.insert(0);
                }
                let first = super::super::score(&old, &rec).unwrap_or_else(|e| panic!("{e}"));
                let full = super::super::score(&new, &rec).unwrap_or_else(|e| panic!("{e}"));
                let mut paired = Score::default();
                score_into_paired(&new, &rec, &mut paired, &p, &first)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(paired, full, "age {age:?}, a {a}");
            }
        }
    }

    #[test]
    fn different_readings_do_not_pair() {
        let old = plan("rule x \"X\" when a then at least high\n");
        let text = "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\n\
                    domain d \"D\" { indicator b \"B\" at low indicator a \"A\" at low }\n\
                    rule x \"X\" when a then at least high\n";
        let new = crate::ruleset::check_source(&Source::new("u.thr", text), &NoScripts)
            .plan
            .unwrap_or_else(|| panic!("checks"));
        assert!(Pairing::new(&old, &new).is_none());
    }
}
