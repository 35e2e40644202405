//! Rule prefilters: for each rule, indicators of which at least one must be
//! present, or fields of which at least one must be known, for its
//! condition to be true. The evaluator tests them with one bitwise AND and a
//! few slot reads, and skips rules that cannot fire (most records meet only
//! a few rules). This changes no result: a condition whose required part is
//! false is false, and a comparison with a missing value is false.

use crate::bits::Bits;
use crate::plan::{CmpOp, Const, FieldSlot, Mask, Node, NodeId, Prefilter};

/// The prefilter of a condition, when its structure gives one.
pub(crate) fn prefilter(
    nodes: &[Node],
    masks: &[Mask],
    n: usize,
    node: NodeId,
) -> Option<Prefilter> {
    let indicators = |bits: Bits| Prefilter {
        indicators: bits,
        fields: Vec::new(),
    };
    let field = |s: FieldSlot| Prefilter {
        indicators: Bits::with_capacity(n),
        fields: vec![s],
    };
    let node_at = |id: NodeId| nodes.get(id as usize);
    match node_at(node)? {
        Node::Indicator(b) => {
            let mut bits = Bits::with_capacity(n);
            bits.insert(b.index());
            Some(indicators(bits))
        }
        Node::AnyMask(m) => masks.get(m.index()).map(|m| indicators(m.bits.clone())),
        Node::Cmp(op, a, b) => match (node_at(*a)?, node_at(*b)?) {
            // count(indicators ...) >= k (k >= 1) or > k (k >= 0)
            (Node::CountMask(m), Node::Const(Const::Num(k))) => {
                let positive = match op {
                    CmpOp::Ge => *k >= 1.0,
                    CmpOp::Gt => *k >= 0.0,
                    _ => false,
                };
                if positive {
                    masks.get(m.index()).map(|m| indicators(m.bits.clone()))
                } else {
                    None
                }
            }
            // Any comparison with a missing field is false.
            (Node::Field(s), _) | (_, Node::Field(s)) => Some(field(*s)),
            _ => None,
        },
        // A yes/no field as a condition, `known(f)` and choice tests are
        // all false when the field is missing.
        Node::Field(s) | Node::Known(s) | Node::ChoiceIs(s, ..) | Node::ChoiceIn(s, _) => {
            Some(field(*s))
        }
        Node::And(xs) => xs
            .iter()
            .filter_map(|x| prefilter(nodes, masks, n, *x))
            .min_by_key(Prefilter::cost),
        Node::Or(xs) => {
            let mut all = Prefilter {
                indicators: Bits::with_capacity(n),
                fields: Vec::new(),
            };
            for x in xs {
                let b = prefilter(nodes, masks, n, *x)?;
                for i in b.indicators.iter() {
                    all.indicators.insert(i);
                }
                for s in b.fields {
                    if !all.fields.contains(&s) {
                        all.fields.push(s);
                    }
                }
            }
            Some(all)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::check::NoScripts;
    use crate::plan::Value;
    use crate::ruleset::check_source;
    use crate::span::Source;

    fn plan(cond: &str) -> crate::plan::Plan {
        let src = format!(
            "continuum \"t\"\nlevels {{ a \"A\" b \"B\" }}\n\
             fields {{ x: number? y: bool? c: one_of(\"p\", \"q\")? }}\n\
             domain d \"D\" {{\n  indicator i1 \"one\" at b\n  indicator i2 \"two\" at b\n}}\n\
             rule r \"R\" when {cond} then at least b\n"
        );
        let c = check_source(&Source::new("t.thr", src.as_str()), &NoScripts);
        assert!(!c.diagnostics.has_errors(), "{cond}: {:?}", c.diagnostics.0);
        match c.plan {
            Some(p) => p,
            None => panic!("{cond}: no plan"),
        }
    }

    fn need_of(cond: &str) -> Option<(Vec<usize>, Vec<u16>)> {
        let p = plan(cond);
        p.rules[0].prefilter.as_ref().map(|n| {
            let slots = n.fields.iter().map(|s| s.get()).collect();
            (n.indicators.iter().collect(), slots)
        })
    }

    #[test]
    fn fields_that_must_be_known_are_found() {
        assert_eq!(need_of("x >= 3"), Some((vec![], vec![0])));
        assert_eq!(need_of("x >= 3 or y"), Some((vec![], vec![0, 1])));
        assert_eq!(need_of("x >= 3 or i1"), Some((vec![0], vec![0])));
        assert_eq!(need_of("c == \"p\" and x < 2"), Some((vec![], vec![2])));
        assert_eq!(need_of("i2 and x < 2"), Some((vec![1], vec![])));
        // Nothing can be said when one alternative has no requirement.
        assert_eq!(need_of("x >= 3 or not y"), None);
        assert_eq!(need_of("not y"), None);
    }

    #[test]
    fn a_record_that_fails_the_prefilter_never_fires() {
        // With every field missing and no indicator, none of these fire.
        for cond in [
            "x >= 3",
            "x != 3",
            "y",
            "c != \"p\"",
            "known(x) or i1",
            "x < 1 or c == \"q\"",
        ] {
            let p = plan(cond);
            let mut rec = crate::plan::Record::empty(&p);
            for v in &mut rec.values {
                *v = Value::Missing;
            }
            let need = p.rules[0].prefilter.as_ref().map(|n| n.met(&rec));
            assert_eq!(need, Some(false), "{cond}");
            let mut ev = crate::eval::Eval::new(&p, &rec);
            assert_eq!(ev.truth(p.rules[0].cond), Ok(false), "{cond}");
            // With them known, it is let through.
            rec.values = vec![Value::Num(5.0), Value::Bool(true), Value::Choice(1)];
            rec.indicators.insert(0);
            assert_eq!(
                p.rules[0].prefilter.as_ref().map(|n| n.met(&rec)),
                Some(true)
            );
        }
    }
}
