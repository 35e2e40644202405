//! Span erasure, so that two parses of differently laid-out text compare equal
//! when they mean the same thing.

use thresholds::ast::*;
use thresholds::span::Span;

fn id(i: &mut Ident) {
    i.span = Span::default();
}

fn text(t: &mut Text) {
    t.span = Span::default();
}

fn expr(e: &mut Expr) {
    e.span = Span::default();
    match &mut e.kind {
        ExprKind::Name(i) | ExprKind::Known(i) => id(i),
        ExprKind::Not(x) | ExprKind::Neg(x) => expr(x),
        ExprKind::And(xs) | ExprKind::Or(xs) | ExprKind::Count(xs) => xs.iter_mut().for_each(expr),
        ExprKind::Binary(_, a, b) => {
            expr(a);
            expr(b);
        }
        ExprKind::In(x, items) => {
            expr(x);
            items.iter_mut().for_each(expr);
        }
        ExprKind::CountSel(s) | ExprKind::AnySel(s) => id(&mut s.target),
        ExprKind::Call(n, args) => {
            id(n);
            args.iter_mut().for_each(expr);
        }
        ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Bool(_) => {}
    }
}

fn labels(b: &mut Block<LabelDef>) {
    b.span = Span::default();
    b.close = Span::default();
    for e in &mut b.entries {
        e.span = Span::default();
        id(&mut e.id);
        text(&mut e.label);
    }
}

/// Sets every span in the file to the empty span.
pub(super) fn erase(f: &mut RuleFile) {
    text(&mut f.name);
    if let Some(v) = &mut f.version {
        text(v);
    }
    f.header_span = Span::default();
    for item in &mut f.items {
        match item {
            Item::Levels(b) | Item::Themes(b) | Item::Flags(b) => labels(b),
            Item::Decisions(b) => {
                b.span = Span::default();
                b.close = Span::default();
                for e in &mut b.entries {
                    e.span = Span::default();
                    text(&mut e.text);
                    id(&mut e.level);
                }
            }
            Item::Fields(b) => {
                b.span = Span::default();
                b.close = Span::default();
                for e in &mut b.entries {
                    e.span = Span::default();
                    id(&mut e.id);
                    if let FieldTypeSyntax::OneOf(o) = &mut e.ty {
                        o.iter_mut().for_each(text);
                    }
                    e.label.iter_mut().for_each(text);
                }
            }
            Item::Domain(d) => {
                d.span = Span::default();
                d.close = Span::default();
                id(&mut d.id);
                text(&mut d.label);
                for i in &mut d.indicators {
                    i.span = Span::default();
                    id(&mut i.id);
                    text(&mut i.description);
                    id(&mut i.level);
                    i.themes.iter_mut().for_each(id);
                }
            }
            Item::Script(s) => {
                s.span = Span::default();
                text(&mut s.path);
            }
            Item::Rule(r) => {
                r.span = Span::default();
                id(&mut r.id);
                text(&mut r.reason);
                expr(&mut r.when);
                for a in &mut r.actions {
                    a.span = Span::default();
                    match &mut a.kind {
                        ActionKind::AtLeast(i) | ActionKind::Flag(i) => id(i),
                        ActionKind::Raise(_) => {}
                    }
                }
            }
            Item::Example(e) => {
                e.span = Span::default();
                e.close = Span::default();
                text(&mut e.name);
                for s in &mut e.stmts {
                    s.span = Span::default();
                    match &mut s.kind {
                        ExampleStmtKind::Assign(i, _, vs) => {
                            id(i);
                            *vs = Span::default();
                        }
                        ExampleStmtKind::Indicators(v)
                        | ExampleStmtKind::Fired(v)
                        | ExampleStmtKind::Flags(v) => v.iter_mut().for_each(id),
                        ExampleStmtKind::Expect(i) => id(i),
                    }
                }
            }
        }
    }
}
