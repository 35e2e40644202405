//! Expressions: pest pairs → [`Expr`] through one Pratt table built once.
//! `and`/`or` chains are flattened into n-ary nodes so a rule with thousands
//! of `or` terms stays shallow. No tree deeper than [`MAX_EXPR_DEPTH`] is
//! ever built: checking, formatting and dropping a tree recurse over it, and
//! a library caller's stack may be small (see [`build`]).

use std::cell::Cell;
use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{ident, text, Rule};
use crate::ast::*;
use crate::error::Diagnostic;
use crate::span::{Source, Span};

/// Expressions nested deeper than this (in nodes, or in brackets) are
/// refused by the parser.
pub const MAX_EXPR_DEPTH: usize = 200;

/// Precedence, lowest first; must agree with [`BinOp::precedence`].
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::postfix(Rule::op_in))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

/// An `expr` pair → [`Expr`], or the "too deep" error when it nests more
/// than [`MAX_EXPR_DEPTH`]: its depth is measured while it is built, and a
/// run of prefix operators (which pest's Pratt parser would recurse into
/// once each) is refused before building starts, so hostile input such as
/// 100,000 `not`s neither overflows the caller's stack nor leaves a tree
/// that later stages would.
pub(super) fn build(
    source: &std::sync::Arc<Source>,
    pair: Pair<'_, Rule>,
) -> Result<Expr, Box<Diagnostic>> {
    let b = Build {
        too_deep: Cell::new(None),
    };
    let (e, _) = b.expr(pair, 0);
    match b.too_deep.get() {
        None => Ok(e),
        Some(span) => {
            let mut d = Diagnostic::error(
                "too-deep",
                source,
                span,
                format!("expression nested more than {MAX_EXPR_DEPTH} deep"),
            );
            d.help = Some("split the condition into several rules".into());
            Err(Box::new(d))
        }
    }
}

/// An expression and the depth of its tree.
type Built = (Expr, usize);

/// Building state: where the expression first went too deep.
struct Build {
    too_deep: Cell<Option<Span>>,
}

impl Build {
    /// Records that `span` goes too deep and gives a leaf in its place, so
    /// nothing deeper is built.
    fn refuse(&self, span: Span) -> Built {
        if self.too_deep.get().is_none() {
            self.too_deep.set(Some(span));
        }
        (
            Expr {
                kind: ExprKind::Bool(false),
                span,
            },
            MAX_EXPR_DEPTH + 1,
        )
    }

    /// A node over children of depth `depth`: refused when too deep.
    fn node(&self, kind: ExprKind, span: Span, depth: usize) -> Built {
        if depth + 1 > MAX_EXPR_DEPTH {
            return self.refuse(span);
        }
        (Expr { kind, span }, depth + 1)
    }

    /// An `expr` pair nested `nest` brackets deep.
    fn expr(&self, pair: Pair<'_, Rule>, nest: usize) -> Built {
        let span: Span = pair.as_span().into();
        if nest > MAX_EXPR_DEPTH || self.too_deep.get().is_some() {
            return self.refuse(span);
        }
        let mut run = 0;
        for p in pair.clone().into_inner() {
            if matches!(p.as_rule(), Rule::op_not | Rule::op_neg) {
                run += 1;
                if run > MAX_EXPR_DEPTH {
                    return self.refuse(p.as_span().into());
                }
            } else {
                run = 0;
            }
        }
        PRATT
            .map_primary(|p| self.primary(p, nest))
            .map_prefix(|op, (rhs, d)| {
                let span = Span::from(op.as_span()).to(rhs.span);
                let kind = if op.as_rule() == Rule::op_not {
                    ExprKind::Not(Box::new(rhs))
                } else {
                    ExprKind::Neg(Box::new(rhs))
                };
                self.node(kind, span, d)
            })
            .map_postfix(|(lhs, d), op| {
                let span = lhs.span.to(op.as_span().into());
                let mut depth = d;
                let mut items = Vec::new();
                for p in op.into_inner().filter(|p| p.as_rule() != Rule::kw_in) {
                    let (e, d) = self.primary(p, nest);
                    depth = depth.max(d);
                    items.push(e);
                }
                self.node(ExprKind::In(Box::new(lhs), items), span, depth)
            })
            .map_infix(|(lhs, dl), op, (rhs, dr)| {
                let span = lhs.span.to(rhs.span);
                let bin = match op.as_rule() {
                    Rule::op_or => return logic(false, lhs, rhs, span, dl, dr, self),
                    Rule::op_and => return logic(true, lhs, rhs, span, dl, dr, self),
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    _ => BinOp::Div,
                };
                let kind = ExprKind::Binary(bin, Box::new(lhs), Box::new(rhs));
                self.node(kind, span, dl.max(dr))
            })
            .parse(pair.into_inner())
    }
}

/// Builds `lhs and rhs` / `lhs or rhs`, extending `lhs` when it is already the
/// same chain (so `a or b or c` is one node with three operands); `dl` and
/// `dr` are the operands' depths.
fn logic(is_and: bool, lhs: Expr, rhs: Expr, span: Span, dl: usize, dr: usize, b: &Build) -> Built {
    let (kind, depth) = match (is_and, lhs.kind) {
        (true, ExprKind::And(mut v)) => {
            v.push(rhs);
            // `dl` already counts the chain's own node.
            (ExprKind::And(v), dl.max(dr + 1))
        }
        (false, ExprKind::Or(mut v)) => {
            v.push(rhs);
            (ExprKind::Or(v), dl.max(dr + 1))
        }
        (is_and, kind) => {
            let lhs = Expr {
                kind,
                span: lhs.span,
            };
            let kind = if is_and {
                ExprKind::And(vec![lhs, rhs])
            } else {
                ExprKind::Or(vec![lhs, rhs])
            };
            (kind, dl.max(dr) + 1)
        }
    };
    if depth > MAX_EXPR_DEPTH {
        return b.refuse(span);
    }
    (Expr { kind, span }, depth)
}

impl Build {
    /// A primary nested `nest` brackets deep: a bracketed expression or a
    /// call's arguments are one bracket deeper.
    fn primary(&self, pair: Pair<'_, Rule>, nest: usize) -> Built {
        let span: Span = pair.as_span().into();
        let leaf = |kind| (Expr { kind, span }, 1);
        match pair.as_rule() {
            Rule::paren => match pair.into_inner().next() {
                Some(p) => self.expr(redundant_brackets_off(p), nest + 1),
                None => leaf(ExprKind::Bool(false)),
            },
            Rule::number => leaf(ExprKind::Number(
                pair.as_str().parse::<f64>().unwrap_or(f64::INFINITY),
            )),
            Rule::string => leaf(ExprKind::Str(text(pair).value)),
            Rule::lit_true => leaf(ExprKind::Bool(true)),
            Rule::lit_false => leaf(ExprKind::Bool(false)),
            Rule::name => match pair.into_inner().next() {
                Some(p) => leaf(ExprKind::Name(ident(p))),
                None => leaf(ExprKind::Bool(false)),
            },
            Rule::known_call => match pair.into_inner().find(|p| p.as_rule() == Rule::ident) {
                Some(p) => leaf(ExprKind::Known(ident(p))),
                None => leaf(ExprKind::Bool(false)),
            },
            Rule::any_call | Rule::count_call => {
                let is_any = pair.as_rule() == Rule::any_call;
                let mut args = Vec::new();
                let mut depth = 0;
                let mut sel = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::selector => sel = selector(p),
                        Rule::expr => {
                            let (e, d) = self.expr(p, nest + 1);
                            depth = depth.max(d);
                            args.push(e);
                        }
                        _ => {}
                    }
                }
                match (sel, is_any) {
                    (Some(s), true) => leaf(ExprKind::AnySel(s)),
                    (Some(s), false) => leaf(ExprKind::CountSel(s)),
                    (None, _) => self.node(ExprKind::Count(args), span, depth),
                }
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let name = inner.next().map(ident).unwrap_or(Ident {
                    name: String::new(),
                    span,
                });
                let mut args = Vec::new();
                let mut depth = 0;
                for p in inner.filter(|p| p.as_rule() == Rule::expr) {
                    let (e, d) = self.expr(p, nest + 1);
                    depth = depth.max(d);
                    args.push(e);
                }
                self.node(ExprKind::Call(name, args), span, depth)
            }
            // INVARIANT: the grammar allows only the forms above as primaries.
            _ => leaf(ExprKind::Bool(false)),
        }
    }
}

/// `((((a))))` → the `expr` inside the innermost bracket that holds more
/// than another bracket, found by a loop: brackets that only wrap brackets
/// change nothing, so any number of them is accepted without recursing.
fn redundant_brackets_off(mut e: Pair<'_, Rule>) -> Pair<'_, Rule> {
    loop {
        let mut parts = e.clone().into_inner();
        let inner = match (parts.next(), parts.next()) {
            (Some(only), None) if only.as_rule() == Rule::paren => only.into_inner().next(),
            _ => None,
        };
        match inner {
            Some(next) => e = next,
            None => return e,
        }
    }
}

fn selector(pair: Pair<'_, Rule>) -> Option<Selector> {
    let p = pair
        .into_inner()
        .find(|p| p.as_rule() != Rule::kw_indicators)?;
    let kind = match p.as_rule() {
        Rule::sel_at_least => SelectorKind::AtLeast,
        Rule::sel_at => SelectorKind::At,
        Rule::sel_in => SelectorKind::In,
        _ => SelectorKind::With,
    };
    let target = p
        .into_inner()
        .find(|p| p.as_rule() == Rule::ident)
        .map(ident)?;
    Some(Selector { kind, target })
}

#[cfg(test)]
mod tests {
    //! The depth guard holds on a small stack, whatever form the nesting takes.
    use crate::span::Source;

    /// A rule file whose one rule's condition is `cond`.
    fn rules(cond: &str) -> String {
        format!(
            "continuum \"x\"\nlevels {{ l \"L\" h \"H\" }}\nfields {{ age: number }}\n\
             domain d \"D\" {{ indicator a \"A\" at l }}\n\
             rule r \"R\" when {cond} then at least h\n"
        )
    }

    fn nested(kind: &str, n: usize) -> String {
        match kind {
            "not" => format!("{}a", "not ".repeat(n)),
            "neg" => format!("{}1 > age", "-".repeat(n)),
            "plus" => format!("age {}> 1", "+ 1 ".repeat(n)),
            "paren" => format!("{}a{}", "(".repeat(n), ")".repeat(n)),
            "call" => format!("{}a){} > 0", "count(".repeat(n), " > 0)".repeat(n - 1)),
            "mixed" => format!("{}age{} > 1", "(1 + ".repeat(n), ")".repeat(n)),
            _ => format!("{}a{}", "(a and (a or ".repeat(n), "))".repeat(n)),
        }
    }

    /// Parses and checks on a 512 KiB stack: the library's callers may have
    /// small stacks (main's large one is not relied on).
    fn on_small_stack(text: String) -> (Option<&'static str>, bool) {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || {
                let src = Source::new("x.thr", text.as_str());
                match super::super::parse(&src) {
                    Err(d) => (Some(d.code), false),
                    Ok(_) => {
                        let c = crate::ruleset::check_source(&src, &crate::check::NoScripts);
                        let _ = crate::format::format_source(&src);
                        (None, c.plan.is_some())
                    }
                }
            })
            .expect("thread")
            .join()
            .expect("no stack overflow")
    }

    #[test]
    fn hostile_nesting_is_refused_without_overflowing_a_small_stack() {
        for kind in ["not", "neg", "plus", "paren", "call", "mixed", "logic"] {
            let (code, _) = on_small_stack(rules(&nested(kind, 100_000)));
            // pest itself gives up on 100,000 brackets (a syntax error).
            assert!(
                matches!(code, Some("too-deep" | "syntax")),
                "{kind}: {code:?}"
            );
        }
    }

    #[test]
    fn nesting_within_the_bound_still_checks() {
        for kind in ["not", "neg", "plus", "paren", "call", "mixed", "logic"] {
            let (code, planned) = on_small_stack(rules(&nested(kind, 60)));
            assert_eq!(code, None, "{kind}");
            assert!(planned, "{kind}");
        }
        // Brackets that only wrap brackets add no depth, however many.
        let (code, planned) = on_small_stack(rules(&nested("paren", 1_000)));
        assert_eq!((code, planned), (None, true));
    }
}
