//! Rules matched by id: conditions compared by their printed text (a moved
//! count threshold described as such), level effects compared by rank, flags
//! gained or lost, reasons reworded.

use super::{keyed, ticks, ChangeKind, ChangeLog, Decls, Section};
use crate::ast::{ActionKind, BinOp, Rule};
use crate::diff::print::{self, CountCmp};

/// A rule's level effect: the highest `at least` (id, rank) and the largest raise.
struct Effect {
    floor: Option<(String, usize)>,
    raise: u64,
    flags: Vec<String>,
}

fn effect(r: &Rule, d: &Decls<'_>) -> Effect {
    let mut e = Effect {
        floor: None,
        raise: 0,
        flags: vec![],
    };
    for a in &r.actions {
        match &a.kind {
            ActionKind::AtLeast(l) => {
                let rank = d.rank(&l.name).unwrap_or(0);
                if e.floor.as_ref().is_none_or(|(_, r)| rank > *r) {
                    e.floor = Some((l.name.clone(), rank));
                }
            }
            ActionKind::Raise(n) => e.raise = e.raise.max(*n),
            ActionKind::Flag(f) => {
                if !e.flags.contains(&f.name) {
                    e.flags.push(f.name.clone());
                }
            }
        }
    }
    e
}

/// `at least targeted`, `raise 1`, both, or `None`.
fn phrase(e: &Effect) -> Option<String> {
    match (&e.floor, e.raise) {
        (None, 0) => None,
        (Some((l, _)), 0) => Some(format!("at least {l}")),
        (None, n) => Some(format!("raise {n}")),
        (Some((l, _)), n) => Some(format!("at least {l}, raise {n}")),
    }
}

/// The same as a verb: `sets at least targeted`, `raises 1`.
fn verb(e: &Effect) -> String {
    match (&e.floor, e.raise) {
        (None, 0) => "changes no level".into(),
        (Some((l, _)), 0) => format!("sets at least {l}"),
        (None, n) => format!("raises {n}"),
        (Some((l, _)), n) => format!("sets at least {l} and raises {n}"),
    }
}

/// The whole action list as written.
fn then(e: &Effect) -> String {
    let mut parts: Vec<String> = phrase(e).into_iter().collect();
    parts.extend(e.flags.iter().map(|f| format!("flag {f}")));
    parts.join(", ")
}

/// Compares the rules of two files.
pub(super) fn compare(a: &Decls<'_>, b: &Decls<'_>, out: &ChangeLog) {
    let s = Section::Rules;
    keyed(
        &a.rules,
        &b.rules,
        |r| r.id.name.clone(),
        |r| {
            let t = format!(
                "rule `{}` removed (was: when `{}` then {})",
                r.id.name,
                print::expr(&r.when),
                then(&effect(r, a))
            );
            out.push(s, &r.id.name, ChangeKind::Removed, t);
        },
        |r| {
            let t = format!(
                "rule `{}` added: when `{}` then {}",
                r.id.name,
                print::expr(&r.when),
                then(&effect(r, b))
            );
            out.push(s, &r.id.name, ChangeKind::Added, t);
        },
        |o, n| {
            let id = &n.id.name;
            for t in condition(id, o, n) {
                out.push(s, id, ChangeKind::Changed, t);
            }
            let (eo, en) = (effect(o, a), effect(n, b));
            let rank = |e: &Effect| e.floor.as_ref().map(|f| f.1);
            if rank(&eo) != rank(&en) || eo.raise != en.raise {
                let t = match (phrase(&eo), phrase(&en)) {
                    (Some(po), Some(_)) => format!("rule `{id}` now {} instead of {po}", verb(&en)),
                    (Some(po), None) => {
                        format!("rule `{id}` no longer changes the level (was {po})")
                    }
                    (None, _) => {
                        format!("rule `{id}` now {}; before, it changed no level", verb(&en))
                    }
                };
                out.push(s, id, ChangeKind::Changed, t);
            }
            let gained: Vec<String> = en
                .flags
                .iter()
                .filter(|f| !eo.flags.contains(f))
                .cloned()
                .collect();
            let lost: Vec<String> = eo
                .flags
                .iter()
                .filter(|f| !en.flags.contains(f))
                .cloned()
                .collect();
            if !gained.is_empty() {
                let t = format!("rule `{id}` now raises flag {}", ticks(&gained));
                out.push(s, id, ChangeKind::Changed, t);
            }
            if !lost.is_empty() {
                let t = format!("rule `{id}` no longer raises flag {}", ticks(&lost));
                out.push(s, id, ChangeKind::Changed, t);
            }
            if o.reason.value != n.reason.value {
                let t = format!(
                    "rule `{id}` reason reworded from \"{}\" to \"{}\"",
                    o.reason.value, n.reason.value
                );
                out.push(s, id, ChangeKind::Changed, t);
            }
        },
    );
}

/// Sentences for a changed condition (none when it prints the same).
fn condition(id: &str, o: &Rule, n: &Rule) -> Vec<String> {
    let (po, pn) = (print::expr(&o.when), print::expr(&n.when));
    if po == pn {
        return vec![];
    }
    let (mo, co) = print::masked(&o.when);
    let (mn, cn) = print::masked(&n.when);
    if mo == mn && co.len() == cn.len() {
        let out: Vec<String> = co
            .iter()
            .zip(&cn)
            .filter(|(x, y)| match (needs(x), needs(y)) {
                (Some(a), Some(b)) => a != b,
                _ => (x.op, x.number) != (y.op, y.number),
            })
            .map(|(x, y)| count_sentence(id, x, y))
            .collect();
        // Empty: only equivalent rewrites such as `> 2` for `>= 3`.
        return out;
    }
    vec![format!(
        "rule `{id}` condition changed from `{po}` to `{pn}`"
    )]
}

/// The smallest count that satisfies `count OP number`, for `>=` and `>`.
fn needs(c: &CountCmp) -> Option<f64> {
    match c.op {
        BinOp::Ge => Some(c.number.ceil()),
        BinOp::Gt => Some(c.number.floor() + 1.0),
        _ => None,
    }
}

/// "rule `toxic_trio` now needs 2 of 3 instead of 3".
fn count_sentence(id: &str, o: &CountCmp, n: &CountCmp) -> String {
    let num = crate::text::format_number;
    match (needs(o), needs(n)) {
        (Some(x), Some(y)) => match n.of {
            Some(k) => format!(
                "rule `{id}` now needs {} of {k} instead of {}",
                num(y),
                num(x)
            ),
            None => {
                let what = n
                    .count
                    .strip_prefix("count(")
                    .and_then(|s| s.strip_suffix(')'))
                    .unwrap_or(&n.count);
                format!(
                    "rule `{id}` now needs {} `{what}` instead of {}",
                    num(y),
                    num(x)
                )
            }
        },
        _ => format!(
            "rule `{id}` threshold changed: `{} {} {}` instead of `{} {} {}`",
            n.count,
            n.op.symbol(),
            num(n.number),
            o.count,
            o.op.symbol(),
            num(o.number)
        ),
    }
}
