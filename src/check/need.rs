//! Indicator prefilters: for each rule, a set of indicators of which at least
//! one must be present for its condition to be true. The evaluator tests it
//! with one bitwise AND and skips rules that cannot fire (most records meet
//! only a few rules), which changes no result: a condition whose required
//! part is false is false.

use crate::bits::Bits;
use crate::plan::{CmpOp, Const, Mask, Node, NodeId};

/// The prefilter of a condition, when its structure gives one.
pub(crate) fn need(nodes: &[Node], masks: &[Mask], n: usize, node: NodeId) -> Option<Bits> {
    match nodes.get(node as usize)? {
        Node::Indicator(b) => {
            let mut bits = Bits::with_capacity(n);
            bits.insert(*b as usize);
            Some(bits)
        }
        Node::AnyMask(m) => masks.get(*m as usize).map(|m| m.bits.clone()),
        Node::Cmp(op, a, b) => {
            // count(indicators ...) >= k (k >= 1) or > k (k >= 0)
            let (Some(Node::CountMask(m)), Some(Node::Const(Const::Num(k)))) =
                (nodes.get(*a as usize), nodes.get(*b as usize))
            else {
                return None;
            };
            let positive = match op {
                CmpOp::Ge => *k >= 1.0,
                CmpOp::Gt => *k >= 0.0,
                _ => false,
            };
            if positive {
                masks.get(*m as usize).map(|m| m.bits.clone())
            } else {
                None
            }
        }
        Node::And(xs) => xs
            .iter()
            .filter_map(|x| need(nodes, masks, n, *x))
            .min_by_key(Bits::len),
        Node::Or(xs) => {
            let mut all = Bits::with_capacity(n);
            for x in xs {
                let b = need(nodes, masks, n, *x)?;
                for i in b.iter() {
                    all.insert(i);
                }
            }
            Some(all)
        }
        _ => None,
    }
}
