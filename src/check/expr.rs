//! Expressions: resolve names and check types (the plan's compiler lowers
//! them to nodes once the whole file is sound).

use super::{symbol_kind, Checker, FieldSlot, FieldType, Symbol, MAX_EXPR_DEPTH};
use crate::ast::*;
use crate::span::Span;
use crate::text;

/// The static type of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Num,
    Bool,
    Text,
    /// A `one_of` field's value (slot), text with a known set.
    Choice(FieldSlot),
    /// A script result: checked when the record is scored.
    Any,
}

fn ty_word(t: Ty) -> &'static str {
    match t {
        Ty::Num => "a number",
        Ty::Bool => "true/false",
        Ty::Text | Ty::Choice(_) => "text",
        Ty::Any => "a script result",
    }
}

/// Text and `one_of` choices compare with each other as text.
fn is_textual(t: Ty) -> bool {
    matches!(t, Ty::Text | Ty::Choice(_))
}

impl Checker<'_> {
    /// A rule's condition: must be true/false.
    pub(crate) fn condition(&mut self, e: &Expr) {
        let ty = self.expr(e, 0);
        self.expect_bool(ty, e.span, "a rule's condition");
    }

    /// The written text of a span for a message: `` `x` `` or "this" when long.
    fn quoted(&self, span: Span) -> String {
        let t = self.source.slice(span);
        if t.is_empty() || t.chars().count() > 40 || t.contains('\n') {
            "this".into()
        } else {
            format!("`{t}`")
        }
    }

    fn expect_bool(&mut self, ty: Ty, span: Span, what: &str) {
        if !matches!(ty, Ty::Bool | Ty::Any) {
            let subject = self.quoted(span);
            let d = self.error(
                "type",
                span,
                format!(
                    "{what} must be true or false, but {subject} is {}",
                    ty_word(ty)
                ),
            );
            d.help = Some(if ty == Ty::Num {
                "compare the number, e.g. `dash_score >= 14`".into()
            } else {
                "compare the text, e.g. `agency == \"police\"`".into()
            });
        }
    }

    fn expect_num(&mut self, ty: Ty, span: Span, what: &str) {
        if !matches!(ty, Ty::Num | Ty::Any) {
            let subject = self.quoted(span);
            self.error(
                "type",
                span,
                format!("{what} needs a number, but {subject} is {}", ty_word(ty)),
            );
        }
    }

    /// Resolves a selector's level, domain or theme, reporting unknown ones.
    fn selector(&mut self, sel: &Selector) {
        match sel.kind {
            SelectorKind::At | SelectorKind::AtLeast => {
                self.level(&sel.target);
            }
            SelectorKind::In => {
                self.resolve_kind(&sel.target, "domain", |s| match s {
                    Symbol::Domain(i) => Some(i),
                    _ => None,
                });
            }
            SelectorKind::With => {
                self.resolve_kind(&sel.target, "theme", |s| match s {
                    Symbol::Theme(i) => Some(i),
                    _ => None,
                });
            }
        }
    }

    /// Checks that a string literal compared with a `one_of` field is one of its choices.
    fn check_choice(&mut self, slot: FieldSlot, lit: &Expr) {
        let ExprKind::Str(s) = &lit.kind else { return };
        if self.table.choice_index(slot, s).is_some() {
            return;
        }
        let Some(f) = self.table.decl.fields.get(slot.index()) else {
            return;
        };
        let FieldType::OneOf(opts) = &f.kind else {
            return;
        };
        let (fid, opts) = (f.id.clone(), opts.clone());
        self.not_a_choice(s, lit.span, &fid, &opts);
    }

    /// The `not-a-choice` error for `s` against the choices `opts` of field
    /// `fid` (in a rule's condition or an example's value), with a "did you
    /// mean" and the choices listed.
    pub(crate) fn not_a_choice(&mut self, s: &str, span: Span, fid: &str, opts: &[String]) {
        let hint = text::hint(s, opts.iter().map(String::as_str));
        let listed = opts
            .iter()
            .map(|o| format!("\"{o}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let d = self.error(
            "not-a-choice",
            span,
            format!("\"{s}\" is not one of the choices of `{fid}`"),
        );
        d.label = hint;
        d.help = Some(format!("`{fid}` is one of {listed}"));
    }

    /// The type of an expression, reporting every error in it.
    pub(crate) fn expr(&mut self, e: &Expr, depth: usize) -> Ty {
        if depth > MAX_EXPR_DEPTH {
            self.error(
                "too-deep",
                e.span,
                format!("expression nested more than {MAX_EXPR_DEPTH} deep"),
            )
            .help = Some("split the condition into several rules".into());
            return Ty::Any;
        }
        let d = depth + 1;
        let span = e.span;
        match &e.kind {
            ExprKind::Number(n) => {
                if !n.is_finite() {
                    self.error("bad-number", span, "this number is too large");
                }
                Ty::Num
            }
            ExprKind::Str(_) => Ty::Text,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Name(id) => self.name(id),
            ExprKind::Not(x) => {
                let t = self.expr(x, d);
                self.expect_bool(t, x.span, "what follows `not`");
                Ty::Bool
            }
            ExprKind::Neg(x) => {
                let t = self.expr(x, d);
                self.expect_num(t, x.span, "`-`");
                Ty::Num
            }
            ExprKind::And(xs) | ExprKind::Or(xs) => {
                let word = if matches!(e.kind, ExprKind::And(_)) {
                    "each side of `and`"
                } else {
                    "each side of `or`"
                };
                for x in xs {
                    let t = self.expr(x, d);
                    self.expect_bool(t, x.span, word);
                }
                Ty::Bool
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span, d),
            ExprKind::In(x, items) => {
                let t = self.expr(x, d);
                for it in items {
                    let ct = match &it.kind {
                        ExprKind::Number(_) => Ty::Num,
                        ExprKind::Str(_) => Ty::Text,
                        ExprKind::Bool(_) => Ty::Bool,
                        _ => continue,
                    };
                    let ok = t == Ty::Any || t == ct || (is_textual(t) && ct == Ty::Text);
                    if !ok {
                        self.error(
                            "type",
                            it.span,
                            format!("`in` compares {} with {}", ty_word(t), ty_word(ct)),
                        );
                    }
                    if let Ty::Choice(slot) = t {
                        self.check_choice(slot, it);
                    }
                }
                Ty::Bool
            }
            ExprKind::Count(xs) => {
                if xs.is_empty() {
                    self.error(
                        "empty-count",
                        span,
                        "`count()` needs at least one condition",
                    )
                    .help = Some(
                        "e.g. `count(dv_household, parental_mh, parental_substance) >= 2`".into(),
                    );
                }
                for x in xs {
                    let t = self.expr(x, d);
                    self.expect_bool(t, x.span, "each argument of `count`");
                }
                Ty::Num
            }
            ExprKind::CountSel(sel) => {
                self.selector(sel);
                Ty::Num
            }
            ExprKind::AnySel(sel) => {
                self.selector(sel);
                Ty::Bool
            }
            ExprKind::Known(id) => {
                match self.table.symbol(&id.name) {
                    Some(Symbol::Field(_)) => {}
                    Some(other) => {
                        let k = symbol_kind(other);
                        self.error(
                            "type",
                            id.span,
                            format!("`known` takes a field, `{}` is {k}", id.name),
                        );
                    }
                    None => self.unknown_name(id),
                }
                Ty::Bool
            }
            ExprKind::Call(name, args) => {
                for a in args {
                    self.expr(a, d);
                }
                // A script that failed to load has its own error already.
                if !self.functions.has(&name.name, args.len() + 1) && !self.functions.failed {
                    self.unknown_function(name, args.len());
                }
                Ty::Any
            }
        }
    }

    fn unknown_function(&mut self, name: &Ident, nargs: usize) {
        let (same_name, cands): (Vec<usize>, Vec<String>) = match &self.functions.defined {
            Some(fs) => (
                fs.iter()
                    .filter(|(n, _)| *n == name.name)
                    .map(|(_, p)| *p)
                    .collect(),
                fs.iter().map(|(n, _)| n.clone()).collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        if let Some(p) = same_name.first() {
            let msg = format!(
                "script function `{}` takes {} argument(s) after the record, not {nargs}",
                name.name,
                p.saturating_sub(1)
            );
            self.error("arity", name.span, msg);
            return;
        }
        let hint = text::hint(&name.name, cands.iter().map(String::as_str));
        let no_scripts = self.functions.defined.is_none();
        let d = self.error(
            "unknown-function",
            name.span,
            format!("no script defines a function `{}`", name.name),
        );
        d.label = hint;
        if no_scripts {
            d.help =
                Some("import the script that defines it: `script \"scripts/name.rhai\"`".into());
        }
    }

    fn unknown_name(&mut self, id: &Ident) {
        let cands = self.names_of(|s| matches!(s, Symbol::Field(_) | Symbol::Indicator(_)));
        let hint = text::hint(&id.name, cands.iter().map(String::as_str));
        let d = self.error(
            "unknown-name",
            id.span,
            format!("unknown field or indicator `{}`", id.name),
        );
        d.label = hint;
    }

    fn name(&mut self, id: &Ident) -> Ty {
        match self.table.symbol(&id.name) {
            Some(Symbol::Field(slot)) => {
                match self.table.decl.fields.get(slot.index()).map(|f| &f.kind) {
                    Some(FieldType::Number(_)) => Ty::Num,
                    Some(FieldType::Bool) => Ty::Bool,
                    Some(FieldType::Text) => Ty::Text,
                    Some(FieldType::OneOf(_)) => Ty::Choice(slot),
                    None => Ty::Any,
                }
            }
            Some(Symbol::Indicator(_)) => Ty::Bool,
            Some(other) => {
                let k = symbol_kind(other);
                let help = match other {
                    Symbol::Level(_) => Some(format!(
                        "to count indicators at a level write `count(indicators at {})`",
                        id.name
                    )),
                    Symbol::Theme(_) => Some(format!("write `any(indicators with {})`", id.name)),
                    Symbol::Domain(_) => Some(format!("write `any(indicators in {})`", id.name)),
                    _ => None,
                };
                let d = self.error(
                    "not-a-value",
                    id.span,
                    format!("`{}` is {k}, not a field or indicator", id.name),
                );
                d.help = help;
                Ty::Any
            }
            None => {
                self.unknown_name(id);
                Ty::Any
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span, d: usize) -> Ty {
        let lt = self.expr(l, d);
        let rt = self.expr(r, d);
        if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) {
            self.expect_num(lt, l.span, &format!("`{}`", op.symbol()));
            self.expect_num(rt, r.span, &format!("`{}`", op.symbol()));
            return Ty::Num;
        }
        let ordering = !matches!(op, BinOp::Eq | BinOp::Ne);
        if ordering {
            self.expect_num(lt, l.span, &format!("`{}`", op.symbol()));
            self.expect_num(rt, r.span, &format!("`{}`", op.symbol()));
        } else {
            let same =
                lt == Ty::Any || rt == Ty::Any || lt == rt || (is_textual(lt) && is_textual(rt));
            if !same {
                let (ls, rs) = (self.quoted(l.span), self.quoted(r.span));
                self.error(
                    "type",
                    span,
                    format!(
                        "`{}` cannot compare {ls}, which is {}, with {rs}, which is {}",
                        op.symbol(),
                        ty_word(lt),
                        ty_word(rt)
                    ),
                )
                .help = Some(
                    "compare like with like: text with a quoted string, a number with a number"
                        .into(),
                );
            }
        }
        if let Ty::Choice(slot) = lt {
            self.check_choice(slot, r);
        }
        if let Ty::Choice(slot) = rt {
            self.check_choice(slot, l);
        }
        Ty::Bool
    }
}
