//! Expressions: resolve names, check types, compile to plan nodes.

use super::{symbol_kind, Cx, MAX_EXPR_DEPTH};
use crate::ast::*;
use crate::bits::Bits;
use crate::plan::*;
use crate::span::Span;
use crate::text;

/// The static type of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Num,
    Bool,
    Text,
    /// A `one_of` field's value (slot), text with a known set.
    Choice(u16),
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

impl Cx<'_> {
    fn push(&mut self, node: Node, span: Span) -> NodeId {
        self.nodes.push(node);
        self.node_spans.push(span);
        (self.nodes.len() - 1) as NodeId
    }

    /// A rule's condition: must be true/false.
    pub(crate) fn condition(&mut self, e: &Expr) -> NodeId {
        let (id, ty) = self.expr(e, 0);
        self.expect_bool(ty, e.span, "a rule's condition");
        id
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

    fn mask(&mut self, sel: &Selector, span: Span) -> Option<u32> {
        let n = self.indicators.len();
        let mut bits = Bits::with_capacity(n);
        match sel.kind {
            SelectorKind::At | SelectorKind::AtLeast => {
                let l = self.level(&sel.target)?;
                for (i, ind) in self.indicators.iter().enumerate() {
                    let hit = if sel.kind == SelectorKind::At {
                        ind.level == l
                    } else {
                        ind.level >= l
                    };
                    if hit {
                        bits.insert(i);
                    }
                }
            }
            SelectorKind::In => {
                let d = self.resolve_kind(&sel.target, "domain", |s| match s {
                    Symbol::Domain(i) => Some(i),
                    _ => None,
                })?;
                for (i, ind) in self.indicators.iter().enumerate() {
                    if ind.domain == d {
                        bits.insert(i);
                    }
                }
            }
            SelectorKind::With => {
                let t = self.resolve_kind(&sel.target, "theme", |s| match s {
                    Symbol::Theme(i) => Some(i),
                    _ => None,
                })?;
                for (i, ind) in self.indicators.iter().enumerate() {
                    if ind.themes.contains(&t) {
                        bits.insert(i);
                    }
                }
            }
        }
        let text = self.source.slice(span).to_string();
        self.masks.push(Mask { bits, text });
        Some((self.masks.len() - 1) as u32)
    }

    /// The index of a string literal among a `one_of` field's choices.
    fn choice_index(&self, slot: u16, lit: &Expr) -> Option<u16> {
        let ExprKind::Str(s) = &lit.kind else {
            return None;
        };
        self.choices.get(&slot)?.get(s.as_str()).copied()
    }

    /// Checks that a string literal compared with a `one_of` field is one of its choices.
    fn check_choice(&mut self, slot: u16, lit: &Expr) {
        let ExprKind::Str(s) = &lit.kind else { return };
        if self
            .choices
            .get(&slot)
            .is_some_and(|c| c.contains_key(s.as_str()))
        {
            return;
        }
        let Some(f) = self.fields.get(slot as usize) else {
            return;
        };
        let FieldKind::OneOf(opts) = &f.kind else {
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

    pub(crate) fn expr(&mut self, e: &Expr, depth: usize) -> (NodeId, Ty) {
        if depth > MAX_EXPR_DEPTH {
            self.error(
                "too-deep",
                e.span,
                format!("expression nested more than {MAX_EXPR_DEPTH} deep"),
            )
            .help = Some("split the condition into several rules".into());
            return (self.push(Node::Const(Const::Bool(false)), e.span), Ty::Any);
        }
        let d = depth + 1;
        let span = e.span;
        match &e.kind {
            ExprKind::Number(n) => {
                if !n.is_finite() {
                    self.error("bad-number", span, "this number is too large");
                }
                (self.push(Node::Const(Const::Num(*n)), span), Ty::Num)
            }
            ExprKind::Str(s) => (
                self.push(Node::Const(Const::Str(s.as_str().into())), span),
                Ty::Text,
            ),
            ExprKind::Bool(b) => (self.push(Node::Const(Const::Bool(*b)), span), Ty::Bool),
            ExprKind::Name(id) => self.name(id),
            ExprKind::Not(x) => {
                let (a, t) = self.expr(x, d);
                self.expect_bool(t, x.span, "what follows `not`");
                (self.push(Node::Not(a), span), Ty::Bool)
            }
            ExprKind::Neg(x) => {
                let (a, t) = self.expr(x, d);
                self.expect_num(t, x.span, "`-`");
                (self.push(Node::Neg(a), span), Ty::Num)
            }
            ExprKind::And(xs) | ExprKind::Or(xs) => {
                let word = if matches!(e.kind, ExprKind::And(_)) {
                    "each side of `and`"
                } else {
                    "each side of `or`"
                };
                let mut ids = Vec::with_capacity(xs.len());
                for x in xs {
                    let (a, t) = self.expr(x, d);
                    self.expect_bool(t, x.span, word);
                    ids.push(a);
                }
                let node = if matches!(e.kind, ExprKind::And(_)) {
                    Node::And(ids)
                } else {
                    Node::Or(ids)
                };
                (self.push(node, span), Ty::Bool)
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span, d),
            ExprKind::In(x, items) => {
                let (a, t) = self.expr(x, d);
                let mut consts = Vec::new();
                for it in items {
                    let (c, ct) = match &it.kind {
                        ExprKind::Number(n) => (Const::Num(*n), Ty::Num),
                        ExprKind::Str(s) => (Const::Str(s.as_str().into()), Ty::Text),
                        ExprKind::Bool(b) => (Const::Bool(*b), Ty::Bool),
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
                    consts.push(c);
                }
                if let Ty::Choice(slot) = t {
                    let idx: Option<Vec<u16>> =
                        items.iter().map(|it| self.choice_index(slot, it)).collect();
                    if let Some(idx) = idx {
                        return (self.push(Node::ChoiceIn(slot, idx), span), Ty::Bool);
                    }
                }
                (self.push(Node::In(a, consts), span), Ty::Bool)
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
                let mut ids = Vec::with_capacity(xs.len());
                for x in xs {
                    let (a, t) = self.expr(x, d);
                    self.expect_bool(t, x.span, "each argument of `count`");
                    ids.push(a);
                }
                (self.push(Node::Count(ids), span), Ty::Num)
            }
            ExprKind::CountSel(sel) => {
                let m = self.mask(sel, span).unwrap_or(0);
                (self.push(Node::CountMask(m), span), Ty::Num)
            }
            ExprKind::AnySel(sel) => {
                let m = self.mask(sel, span).unwrap_or(0);
                (self.push(Node::AnyMask(m), span), Ty::Bool)
            }
            ExprKind::Known(id) => {
                let slot = match self.names.get(&id.name) {
                    Some((Symbol::Field(s), _)) => *s,
                    Some((other, _)) => {
                        let k = symbol_kind(*other);
                        self.error(
                            "type",
                            id.span,
                            format!("`known` takes a field, `{}` is {k}", id.name),
                        );
                        0
                    }
                    None => {
                        self.unknown_name(id);
                        0
                    }
                };
                (self.push(Node::Known(slot), span), Ty::Bool)
            }
            ExprKind::Call(name, args) => {
                let mut ids = Vec::with_capacity(args.len());
                for a in args {
                    ids.push(self.expr(a, d).0);
                }
                let f = match &self.scripts {
                    Some(s) => s.find(&name.name, args.len() + 1),
                    None => None,
                };
                let f = match f {
                    Some(f) => f,
                    // A script that failed to load has its own error already.
                    None if self.scripts_failed => 0,
                    None => {
                        self.unknown_function(name, args.len());
                        0
                    }
                };
                (self.push(Node::Call(f, ids), span), Ty::Any)
            }
        }
    }

    fn unknown_function(&mut self, name: &Ident, nargs: usize) {
        let (same_name, cands): (Vec<usize>, Vec<String>) = match &self.scripts {
            Some(s) => (
                s.functions
                    .iter()
                    .filter(|f| f.name == name.name)
                    .map(|f| f.params)
                    .collect(),
                s.functions.iter().map(|f| f.name.clone()).collect(),
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
        let no_scripts = self.scripts.is_none();
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

    fn name(&mut self, id: &Ident) -> (NodeId, Ty) {
        match self.names.get(&id.name).map(|(s, _)| *s) {
            Some(Symbol::Field(slot)) => {
                let ty = match self.fields.get(slot as usize).map(|f| &f.kind) {
                    Some(FieldKind::Number(_)) => Ty::Num,
                    Some(FieldKind::Bool) => Ty::Bool,
                    Some(FieldKind::Text) => Ty::Text,
                    Some(FieldKind::OneOf(_)) => Ty::Choice(slot),
                    None => Ty::Any,
                };
                (self.push(Node::Field(slot), id.span), ty)
            }
            Some(Symbol::Indicator(bit)) => (self.push(Node::Indicator(bit), id.span), Ty::Bool),
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
                (self.push(Node::Const(Const::Bool(false)), id.span), Ty::Any)
            }
            None => {
                self.unknown_name(id);
                (self.push(Node::Const(Const::Bool(false)), id.span), Ty::Any)
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span, d: usize) -> (NodeId, Ty) {
        let (a, lt) = self.expr(l, d);
        let (b, rt) = self.expr(r, d);
        let arith = match op {
            BinOp::Add => Some(ArithOp::Add),
            BinOp::Sub => Some(ArithOp::Sub),
            BinOp::Mul => Some(ArithOp::Mul),
            BinOp::Div => Some(ArithOp::Div),
            _ => None,
        };
        if let Some(aop) = arith {
            self.expect_num(lt, l.span, &format!("`{}`", op.symbol()));
            self.expect_num(rt, r.span, &format!("`{}`", op.symbol()));
            return (self.push(Node::Arith(aop, a, b), span), Ty::Num);
        }
        let cop = match op {
            BinOp::Eq => CmpOp::Eq,
            BinOp::Ne => CmpOp::Ne,
            BinOp::Lt => CmpOp::Lt,
            BinOp::Le => CmpOp::Le,
            BinOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let ordering = !matches!(cop, CmpOp::Eq | CmpOp::Ne);
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
        // A `one_of` field against one of its literals: an index compare.
        if matches!(cop, CmpOp::Eq | CmpOp::Ne) {
            let fast = match (lt, rt) {
                (Ty::Choice(slot), _) => self.choice_index(slot, r).map(|i| (slot, i)),
                (_, Ty::Choice(slot)) => self.choice_index(slot, l).map(|i| (slot, i)),
                _ => None,
            };
            if let Some((slot, i)) = fast {
                return (
                    self.push(Node::ChoiceIs(slot, i, cop == CmpOp::Eq), span),
                    Ty::Bool,
                );
            }
        }
        (self.push(Node::Cmp(cop, a, b), span), Ty::Bool)
    }
}
