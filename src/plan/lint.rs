//! Warnings about rules that are legal but probably not what was meant,
//! read from the compiled plan: rules that can never fire, rules that can
//! never change a level, and levels nothing can reach. (Rules no example
//! covers need the evaluator: `eval::lint`.)

use crate::ast::{Item, RuleFile};
use crate::error::Diagnostic;
use crate::plan::*;

/// Where each rule's id is written, in rule order.
pub(crate) fn rule_id_spans(file: &RuleFile) -> Vec<Span> {
    file.items
        .iter()
        .filter_map(|i| match i {
            Item::Rule(r) => Some(r.id.span),
            _ => None,
        })
        .collect()
}

/// Why a rule can never fire, when its condition contradicts itself.
pub(crate) fn never_fires(plan: &Plan, rule: &PlanRule) -> Option<String> {
    contradiction(plan, &conjuncts(plan, rule.cond))
}

/// The plan's warnings.
pub(crate) fn warnings(plan: &Plan, file: &RuleFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let src = &plan.source;
    let rule_spans = rule_id_spans(file);
    for (i, rule) in plan.rules.iter().enumerate() {
        let id_span = rule_spans.get(i).copied().unwrap_or_default();
        let conj = conjuncts(plan, rule.cond);
        if let Some(why) = contradiction(plan, &conj) {
            out.push(
                Diagnostic::warning(
                    "never-fires",
                    src,
                    id_span,
                    format!("rule `{}` can never fire: {why}", rule.id),
                )
                .with_label("never fires"),
            );
            continue;
        }
        if rule.raise == 0 && rule.flags.is_empty() {
            if let Some(floor) = rule.floor {
                let setter = conj.iter().find_map(|n| implied_indicator(plan, *n, floor));
                if let Some(ind) = setter {
                    out.push(
                        Diagnostic::warning(
                            "never-changes-level",
                            src,
                            id_span,
                            format!(
                                "rule `{}` can never change a level: it only fires with {ind}, which already puts the record at or above `{}`",
                                rule.id,
                                plan.level_id(floor)
                            ),
                        )
                        .with_help("lower the indicator's own level, or drop the rule and keep its reason as a comment"),
                    );
                }
            }
        }
    }
    for l in unreachable_levels(plan) {
        out.push(Diagnostic::warning(
            "unreachable-level",
            src,
            level_span(file, l),
            format!(
                "nothing can reach level `{}`: no indicator is at it, no rule lifts a record to it",
                plan.level_id(l)
            ),
        ));
    }
    out
}

fn level_span(file: &RuleFile, rank: LevelRank) -> crate::span::Span {
    file.items
        .iter()
        .find_map(|i| match i {
            Item::Levels(b) => b.entries.get(rank.index()).map(|e| e.id.span),
            _ => None,
        })
        .unwrap_or_default()
}

/// When `node` being true means an indicator at or above `floor` is present,
/// the words naming it (the rule's floor then adds nothing).
fn implied_indicator(plan: &Plan, node: NodeId, floor: LevelRank) -> Option<String> {
    match plan.nodes.get(node as usize)? {
        Node::Indicator(b) => {
            let ind = plan.decl.indicators.get(b.index())?;
            (ind.level >= floor)
                .then(|| format!("`{}` (at `{}`)", ind.id, plan.level_id(ind.level)))
        }
        Node::Or(xs) => {
            let parts: Option<Vec<String>> = xs
                .iter()
                .map(|x| implied_indicator(plan, *x, floor))
                .collect();
            parts.map(|p| format!("one of {}", p.join(", ")))
        }
        Node::AnyMask(m) => {
            let mask = plan.mask(*m)?;
            let all_high = !mask.bits.is_empty()
                && mask.bits.iter().all(|i| {
                    plan.decl
                        .indicators
                        .get(i)
                        .is_some_and(|ind| ind.level >= floor)
                });
            all_high.then(|| format!("`{}`", mask.text))
        }
        _ => None,
    }
}

/// The nodes that must all be true for `cond` to be true.
fn conjuncts(plan: &Plan, cond: NodeId) -> Vec<NodeId> {
    match plan.nodes.get(cond as usize) {
        Some(Node::And(xs)) => xs.iter().flat_map(|x| conjuncts(plan, *x)).collect(),
        _ => vec![cond],
    }
}

/// A simple contradiction among conjuncts: numeric bounds on one field (or
/// count) that cannot all hold, or an indicator required both present and absent.
fn contradiction(plan: &Plan, conj: &[NodeId]) -> Option<String> {
    use std::collections::HashMap;
    // (lower, lower inclusive, upper, upper inclusive) per compared term
    let mut bounds: HashMap<String, (f64, bool, f64, bool)> = HashMap::new();
    let mut present = Vec::new();
    let mut absent = Vec::new();
    for &n in conj {
        match plan.nodes.get(n as usize) {
            Some(Node::Const(Const::Bool(false))) => {
                return Some("its condition is `false`".into())
            }
            Some(Node::Indicator(b)) => present.push(*b),
            Some(Node::Not(x)) => {
                if let Some(Node::Indicator(b)) = plan.nodes.get(*x as usize) {
                    absent.push(*b);
                }
            }
            Some(Node::Cmp(op, a, b)) => {
                let (term, op, k) = match (plan.nodes.get(*a as usize), plan.nodes.get(*b as usize))
                {
                    (Some(t), Some(Node::Const(Const::Num(k)))) if is_term(t) => (*a, *op, *k),
                    (Some(Node::Const(Const::Num(k))), Some(t)) if is_term(t) => {
                        (*b, flip(*op), *k)
                    }
                    _ => continue,
                };
                let key = plan.node_text(term).to_string();
                // Declared ranges and the nature of counts seed the bounds.
                let open = (f64::NEG_INFINITY, true, f64::INFINITY, true);
                let declared = match plan.nodes.get(term as usize) {
                    Some(Node::Field(slot)) => {
                        match plan.decl.fields.get(slot.index()).map(|f| &f.kind) {
                            Some(FieldType::Number(Some((lo, hi)))) => (*lo, true, *hi, true),
                            _ => open,
                        }
                    }
                    Some(Node::CountMask(_)) | Some(Node::Count(_)) => {
                        (0.0, true, f64::INFINITY, true)
                    }
                    _ => open,
                };
                let mut e = *bounds.entry(key.clone()).or_insert(declared);
                match op {
                    CmpOp::Lt | CmpOp::Le => {
                        let inc = op == CmpOp::Le;
                        if k < e.2 || (k == e.2 && !inc) {
                            e.2 = k;
                            e.3 = inc;
                        }
                    }
                    CmpOp::Gt | CmpOp::Ge => {
                        let inc = op == CmpOp::Ge;
                        if k > e.0 || (k == e.0 && !inc) {
                            e.0 = k;
                            e.1 = inc;
                        }
                    }
                    CmpOp::Eq => {
                        if k > e.0 {
                            e.0 = k;
                            e.1 = true;
                        }
                        if k < e.2 {
                            e.2 = k;
                            e.3 = true;
                        }
                    }
                    CmpOp::Ne => {}
                }
                // counts are never negative and never more than their mask
                if let Some(Node::CountMask(m)) = plan.nodes.get(term as usize) {
                    let size = plan.mask(*m).map_or(0, |m| m.bits.len());
                    if e.0 > f64::from(size) {
                        return Some(format!("`{key}` can be at most {size}"));
                    }
                }
                if let Some(Node::Count(xs)) = plan.nodes.get(term as usize) {
                    if e.0 > xs.len() as f64 {
                        return Some(format!("`{key}` can be at most {}", xs.len()));
                    }
                }
                bounds.insert(key.clone(), e);
                let empty = e.0 > e.2 || (e.0 == e.2 && !(e.1 && e.3));
                if empty {
                    return Some(format!("no value of `{key}` meets all its comparisons"));
                }
            }
            _ => {}
        }
    }
    // A set, so that a condition of many `not x` terms stays linear.
    let absent: std::collections::HashSet<_> = absent.into_iter().collect();
    if let Some(b) = present.iter().find(|b| absent.contains(*b)) {
        let id = plan
            .decl
            .indicators
            .get(b.index())
            .map_or("?", |i| i.id.as_str());
        return Some(format!("it needs `{id}` both present and absent"));
    }
    None
}

fn is_term(n: &Node) -> bool {
    matches!(n, Node::Field(_) | Node::CountMask(_) | Node::Count(_))
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// Levels that no combination of indicators and rules can produce.
fn unreachable_levels(plan: &Plan) -> Vec<LevelRank> {
    let top = plan.top();
    let mut reach = vec![false; plan.decl.levels.len()];
    if let Some(r) = reach.first_mut() {
        *r = true;
    }
    for ind in &plan.decl.indicators {
        if let Some(r) = reach.get_mut(ind.level.index()) {
            *r = true;
        }
    }
    for rule in &plan.rules {
        if let Some(f) = rule.floor {
            if let Some(r) = reach.get_mut(f.index()) {
                *r = true;
            }
        }
    }
    let raises: Vec<u8> = plan
        .rules
        .iter()
        .map(|r| r.raise)
        .filter(|r| *r > 0)
        .collect();
    loop {
        let mut changed = false;
        for l in 0..reach.len() {
            if !reach[l] {
                continue;
            }
            for r in &raises {
                let to = (l + usize::from(*r)).min(top.index());
                if !reach[to] {
                    reach[to] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    reach
        .iter()
        .enumerate()
        .filter(|(_, r)| !**r)
        .filter_map(|(l, _)| LevelRank::try_from(l).ok())
        .collect()
}
