//! Expressions printed with the fewest parentheses the precedence table
//! allows, so that parsing the output gives back the same AST. `and`/`or`
//! are n-ary in the AST: an `and` directly inside an `and` (or an `or` inside
//! an `or`) keeps its parentheses, or it would be flattened on re-parsing.

use crate::ast::*;
use crate::parse::escape;
use crate::span::Span;

/// An expression as canonical text.
pub(crate) fn expr(e: &Expr, text: &str) -> String {
    let mut out = String::new();
    write(&mut out, e, 0, text);
    out
}

/// A number that parses back to the same value; a non-finite value (an
/// overlong literal) is kept as written.
pub(crate) fn number(n: f64, span: Span, text: &str) -> String {
    if n.is_finite() {
        format!("{n}")
    } else {
        text.get(span.start..span.end)
            .map_or_else(|| format!("{n}"), str::to_string)
    }
}

fn list(out: &mut String, xs: &[Expr], sep: &str, min: u8, text: &str) {
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write(out, x, min, text);
    }
}

/// Writes `e`, in parentheses when it binds less tightly than `min`.
fn write(out: &mut String, e: &Expr, min: u8, text: &str) {
    let p = e.precedence();
    let paren = p < min;
    if paren {
        out.push('(');
    }
    match &e.kind {
        ExprKind::Number(n) => out.push_str(&number(*n, e.span, text)),
        ExprKind::Str(s) => out.push_str(&escape(s)),
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Name(id) => out.push_str(&id.name),
        // An operand of the same n-ary kind must stay in parentheses: p + 1.
        ExprKind::Or(xs) => list(out, xs, " or ", p + 1, text),
        ExprKind::And(xs) => list(out, xs, " and ", p + 1, text),
        ExprKind::Not(x) => {
            out.push_str("not ");
            write(out, x, p, text);
        }
        ExprKind::Neg(x) => {
            out.push('-');
            write(out, x, p, text);
        }
        ExprKind::Binary(op, l, r) => {
            // Left-associative: the right operand must bind tighter.
            write(out, l, p, text);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write(out, r, p + 1, text);
        }
        ExprKind::In(x, items) => {
            write(out, x, p, text);
            out.push_str(" in [");
            list(out, items, ", ", 0, text);
            out.push(']');
        }
        ExprKind::Count(xs) => {
            out.push_str("count(");
            list(out, xs, ", ", 0, text);
            out.push(')');
        }
        ExprKind::CountSel(s) => {
            out.push_str("count(");
            selector(out, s);
            out.push(')');
        }
        ExprKind::AnySel(s) => {
            out.push_str("any(");
            selector(out, s);
            out.push(')');
        }
        ExprKind::Known(id) => {
            out.push_str("known(");
            out.push_str(&id.name);
            out.push(')');
        }
        ExprKind::Call(name, args) => {
            out.push_str(&name.name);
            out.push('(');
            list(out, args, ", ", 0, text);
            out.push(')');
        }
    }
    if paren {
        out.push(')');
    }
}

fn selector(out: &mut String, s: &Selector) {
    out.push_str(match s.kind {
        SelectorKind::At => "indicators at ",
        SelectorKind::AtLeast => "indicators at least ",
        SelectorKind::In => "indicators in ",
        SelectorKind::With => "indicators with ",
    });
    out.push_str(&s.target.name);
}
