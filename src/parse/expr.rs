//! Expressions: pest pairs → [`Expr`] through one Pratt table built once.
//! `and`/`or` chains are flattened into n-ary nodes so a rule with thousands
//! of `or` terms stays shallow.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{ident, text, Rule};
use crate::ast::*;
use crate::span::Span;

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

/// An `expr` pair → [`Expr`].
pub(super) fn expr(pair: Pair<'_, Rule>) -> Expr {
    PRATT
        .map_primary(primary)
        .map_prefix(|op, rhs| {
            let span = Span::from(op.as_span()).to(rhs.span);
            let kind = if op.as_rule() == Rule::op_not {
                ExprKind::Not(Box::new(rhs))
            } else {
                ExprKind::Neg(Box::new(rhs))
            };
            Expr { kind, span }
        })
        .map_postfix(|lhs, op| {
            let span = lhs.span.to(op.as_span().into());
            let items = op
                .into_inner()
                .filter(|p| p.as_rule() != Rule::kw_in)
                .map(primary)
                .collect();
            Expr {
                kind: ExprKind::In(Box::new(lhs), items),
                span,
            }
        })
        .map_infix(|lhs, op, rhs| {
            let span = lhs.span.to(rhs.span);
            let bin = match op.as_rule() {
                Rule::op_or => return logic(false, lhs, rhs, span),
                Rule::op_and => return logic(true, lhs, rhs, span),
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
            Expr {
                kind: ExprKind::Binary(bin, Box::new(lhs), Box::new(rhs)),
                span,
            }
        })
        .parse(pair.into_inner())
}

/// Builds `lhs and rhs` / `lhs or rhs`, extending `lhs` when it is already the
/// same chain (so `a or b or c` is one node with three operands).
fn logic(is_and: bool, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    let kind = match (is_and, lhs.kind) {
        (true, ExprKind::And(mut v)) => {
            v.push(rhs);
            ExprKind::And(v)
        }
        (false, ExprKind::Or(mut v)) => {
            v.push(rhs);
            ExprKind::Or(v)
        }
        (is_and, kind) => {
            let lhs = Expr {
                kind,
                span: lhs.span,
            };
            if is_and {
                ExprKind::And(vec![lhs, rhs])
            } else {
                ExprKind::Or(vec![lhs, rhs])
            }
        }
    };
    Expr { kind, span }
}

fn primary(pair: Pair<'_, Rule>) -> Expr {
    let span: Span = pair.as_span().into();
    let kind = match pair.as_rule() {
        Rule::paren => {
            return pair.into_inner().next().map(expr).unwrap_or(Expr {
                kind: ExprKind::Bool(false),
                span,
            })
        }
        Rule::number => ExprKind::Number(pair.as_str().parse::<f64>().unwrap_or(f64::INFINITY)),
        Rule::string => ExprKind::Str(text(pair).value),
        Rule::lit_true => ExprKind::Bool(true),
        Rule::lit_false => ExprKind::Bool(false),
        Rule::name => match pair.into_inner().next() {
            Some(p) => ExprKind::Name(ident(p)),
            None => ExprKind::Bool(false),
        },
        Rule::known_call => match pair.into_inner().find(|p| p.as_rule() == Rule::ident) {
            Some(p) => ExprKind::Known(ident(p)),
            None => ExprKind::Bool(false),
        },
        Rule::any_call | Rule::count_call => {
            let is_any = pair.as_rule() == Rule::any_call;
            let mut args = Vec::new();
            let mut sel = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::selector => sel = selector(p),
                    Rule::expr => args.push(expr(p)),
                    _ => {}
                }
            }
            match (sel, is_any) {
                (Some(s), true) => ExprKind::AnySel(s),
                (Some(s), false) => ExprKind::CountSel(s),
                (None, _) => ExprKind::Count(args),
            }
        }
        Rule::call => {
            let mut inner = pair.into_inner();
            let name = inner.next().map(ident).unwrap_or(Ident {
                name: String::new(),
                span,
            });
            ExprKind::Call(
                name,
                inner
                    .filter(|p| p.as_rule() == Rule::expr)
                    .map(expr)
                    .collect(),
            )
        }
        // INVARIANT: the grammar allows only the forms above as primaries.
        _ => ExprKind::Bool(false),
    };
    Expr { kind, span }
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
