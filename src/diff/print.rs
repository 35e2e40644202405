//! Conditions as canonical text: the same condition written with other
//! spacing, comments or redundant parentheses prints the same, so two
//! versions of a rule compare by what they say, not by how they are laid out.
//! A count compared with a number can be printed with the number masked, to
//! tell "only a count threshold moved" from any other change.

use crate::ast::{BinOp, Expr, ExprKind, Selector, SelectorKind};
use crate::ast::{IN_PRECEDENCE, NEG_PRECEDENCE, NOT_PRECEDENCE};

/// A count compared with a number, found while printing with masks.
#[derive(Clone, Debug, PartialEq)]
pub struct CountCmp {
    /// The count as printed, e.g. `count(indicators at targeted)`.
    pub count: String,
    /// How many arguments a `count(e1, e2, ...)` has; `None` for a selector.
    pub of: Option<usize>,
    /// The comparison, normalised so the count is on the left.
    pub op: BinOp,
    /// The number.
    pub number: f64,
}

/// The canonical text of an expression.
pub fn expr(e: &Expr) -> String {
    let mut p = Printer { mask: None };
    p.print(e)
}

/// The canonical text with every `count(...) OP number` printed as
/// `count(...) OP #`, plus those comparisons in order.
pub fn masked(e: &Expr) -> (String, Vec<CountCmp>) {
    let mut found = Vec::new();
    let mut p = Printer {
        mask: Some(&mut found),
    };
    let text = p.print(e);
    (text, found)
}

/// `indicators at targeted` and the like.
pub fn selector(s: &Selector) -> String {
    let rel = match s.kind {
        SelectorKind::At => "at",
        SelectorKind::AtLeast => "at least",
        SelectorKind::In => "in",
        SelectorKind::With => "with",
    };
    format!("indicators {rel} {}", s.target.name)
}

/// The mirror of a comparison (`3 <= x` is `x >= 3`).
fn mirror(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

struct Printer<'m> {
    mask: Option<&'m mut Vec<CountCmp>>,
}

impl Printer<'_> {
    fn wrap(&mut self, e: &Expr, parens: bool) -> String {
        let s = self.print(e);
        if parens {
            format!("({s})")
        } else {
            s
        }
    }

    fn list(&mut self, xs: &[Expr]) -> String {
        xs.iter()
            .map(|x| self.print(x))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn count_cmp(&mut self, op: BinOp, a: &Expr, b: &Expr) -> Option<String> {
        let found = self.mask.as_deref_mut()?;
        if !op.is_comparison() {
            return None;
        }
        let (count, number, op) = match (&a.kind, &b.kind) {
            (ExprKind::Count(_) | ExprKind::CountSel(_), ExprKind::Number(n)) => (a, *n, op),
            (ExprKind::Number(n), ExprKind::Count(_) | ExprKind::CountSel(_)) => {
                (b, *n, mirror(op))
            }
            _ => return None,
        };
        let of = match &count.kind {
            ExprKind::Count(xs) => Some(xs.len()),
            _ => None,
        };
        let text = expr(count);
        found.push(CountCmp {
            count: text.clone(),
            of,
            op,
            number,
        });
        // `>= 3` and `> 2` both say "needs 3": mask the operator with the number.
        Some(match op {
            BinOp::Ge | BinOp::Gt => format!("{text} needs #"),
            _ => format!("{text} {} #", op.symbol()),
        })
    }

    fn print(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Number(n) => crate::text::format_number(*n),
            ExprKind::Str(s) => crate::parse::escape(s),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Name(id) => id.name.clone(),
            ExprKind::Not(x) => {
                let inner = self.wrap(x, x.precedence() < NOT_PRECEDENCE);
                format!("not {inner}")
            }
            ExprKind::Neg(x) => {
                let inner = self.wrap(x, x.precedence() < NEG_PRECEDENCE);
                format!("-{inner}")
            }
            ExprKind::And(xs) | ExprKind::Or(xs) => {
                let (op, word) = if matches!(e.kind, ExprKind::And(_)) {
                    (BinOp::And, " and ")
                } else {
                    (BinOp::Or, " or ")
                };
                xs.iter()
                    .map(|x| {
                        let p = x.precedence() < op.precedence();
                        self.wrap(x, p)
                    })
                    .collect::<Vec<_>>()
                    .join(word)
            }
            ExprKind::Binary(op, a, b) => {
                if let Some(s) = self.count_cmp(*op, a, b) {
                    return s;
                }
                let p = op.precedence();
                let left = a.precedence() < p || (op.is_comparison() && a.precedence() == p);
                let l = self.wrap(a, left);
                let r = self.wrap(b, b.precedence() <= p);
                format!("{l} {} {r}", op.symbol())
            }
            ExprKind::In(x, items) => {
                let l = self.wrap(x, x.precedence() <= IN_PRECEDENCE);
                format!("{l} in [{}]", self.list(items))
            }
            ExprKind::Count(xs) => format!("count({})", self.list(xs)),
            ExprKind::CountSel(s) => format!("count({})", selector(s)),
            ExprKind::AnySel(s) => format!("any({})", selector(s)),
            ExprKind::Known(f) => format!("known({})", f.name),
            ExprKind::Call(f, args) => format!("{}({})", f.name, self.list(args)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Source;

    fn parse(text: &str) -> Expr {
        crate::parse::parse_expr(&Source::new("t", text)).unwrap()
    }

    #[test]
    fn layout_and_redundant_parentheses_do_not_matter() {
        let a = expr(&parse("(age < 1)  and\n (unexplained_injury)"));
        assert_eq!(a, "age < 1 and unexplained_injury");
        assert_eq!(expr(&parse("a or (b and c)")), "a or b and c");
        assert_eq!(expr(&parse("(a or b) and c")), "(a or b) and c");
        assert_eq!(expr(&parse("not (a and b)")), "not (a and b)");
        assert_eq!(
            expr(&parse("(1 + 2) * 3 - (4 - 5)")),
            "(1 + 2) * 3 - (4 - 5)"
        );
        assert_eq!(
            expr(&parse(
                "x in [\"a\",  \"b\"] and count(indicators at least targeted) >= 2"
            )),
            "x in [\"a\", \"b\"] and count(indicators at least targeted) >= 2"
        );
    }

    #[test]
    fn printed_text_parses_back_to_the_same_text() {
        for t in [
            "a or b and not c",
            "-(x + 1) * 2 >= y / 3",
            "known(dash) and cse_score(1, \"x\") > 2",
            "count(a, b, c) >= 2 or any(indicators with dv)",
        ] {
            let once = expr(&parse(t));
            assert_eq!(expr(&parse(&once)), once, "{t}");
        }
    }

    #[test]
    fn masks_count_thresholds() {
        let (text, found) = masked(&parse("age < 5 and 2 <= count(a, b, c)"));
        assert_eq!(text, "age < 5 and count(a, b, c) needs #");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].of, Some(3));
        assert_eq!(found[0].op, BinOp::Ge);
        assert_eq!(found[0].number, 2.0);
    }
}
