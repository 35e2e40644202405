//! Expressions lowered to plan nodes: names to slots and bits, selectors
//! to masks, comparisons of a `one_of` field with its literals to index
//! compares, script calls to function indexes.

use super::Lowering;
use crate::ast::*;
use crate::plan::*;

impl Lowering<'_> {
    /// Appends a node and where it is written.
    fn push(&mut self, node: Node, span: Span) -> NodeId {
        self.nodes.push(node);
        self.node_spans.push(span);
        NodeId::try_from(self.nodes.len() - 1).unwrap_or(NodeId::MAX)
    }

    /// Lowers an expression; its root node.
    pub(super) fn expr(&mut self, e: &Expr) -> NodeId {
        let span = e.span;
        match &e.kind {
            ExprKind::Number(n) => self.push(Node::Const(Const::Num(*n)), span),
            ExprKind::Str(s) => self.push(Node::Const(Const::Str(s.as_str().into())), span),
            ExprKind::Bool(b) => self.push(Node::Const(Const::Bool(*b)), span),
            ExprKind::Name(id) => {
                let node = match self.table.symbol(&id.name) {
                    Some(Symbol::Field(slot)) => Node::Field(slot),
                    Some(Symbol::Indicator(bit)) => Node::Indicator(bit),
                    _ => Node::Const(Const::Bool(false)),
                };
                self.push(node, id.span)
            }
            ExprKind::Not(x) => {
                let a = self.expr(x);
                self.push(Node::Not(a), span)
            }
            ExprKind::Neg(x) => {
                let a = self.expr(x);
                self.push(Node::Neg(a), span)
            }
            ExprKind::And(xs) => {
                let ids = xs.iter().map(|x| self.expr(x)).collect();
                self.push(Node::And(ids), span)
            }
            ExprKind::Or(xs) => {
                let ids = xs.iter().map(|x| self.expr(x)).collect();
                self.push(Node::Or(ids), span)
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span),
            ExprKind::In(x, items) => {
                let a = self.expr(x);
                if let Some(slot) = self.choice_field(x) {
                    let idx: Option<Vec<u16>> =
                        items.iter().map(|it| self.choice_index(slot, it)).collect();
                    if let Some(idx) = idx {
                        return self.push(Node::ChoiceIn(slot, idx), span);
                    }
                }
                let consts = items
                    .iter()
                    .filter_map(|it| match &it.kind {
                        ExprKind::Number(n) => Some(Const::Num(*n)),
                        ExprKind::Str(s) => Some(Const::Str(s.as_str().into())),
                        ExprKind::Bool(b) => Some(Const::Bool(*b)),
                        _ => None,
                    })
                    .collect();
                self.push(Node::In(a, consts), span)
            }
            ExprKind::Count(xs) => {
                let ids = xs.iter().map(|x| self.expr(x)).collect();
                self.push(Node::Count(ids), span)
            }
            ExprKind::CountSel(sel) => {
                let m = self.mask(sel, span).unwrap_or_default();
                self.push(Node::CountMask(m), span)
            }
            ExprKind::AnySel(sel) => {
                let m = self.mask(sel, span).unwrap_or_default();
                self.push(Node::AnyMask(m), span)
            }
            ExprKind::Known(id) => {
                let slot = match self.table.symbol(&id.name) {
                    Some(Symbol::Field(s)) => s,
                    _ => FieldSlot::default(),
                };
                self.push(Node::Known(slot), span)
            }
            ExprKind::Call(name, args) => {
                let ids = args.iter().map(|a| self.expr(a)).collect();
                let f = self
                    .scripts
                    .and_then(|s| s.find(&name.name, args.len() + 1))
                    .unwrap_or(0);
                self.push(Node::Call(f, ids), span)
            }
        }
    }

    /// The slot of a `one_of` field named by `e`, if it is one.
    fn choice_field(&self, e: &Expr) -> Option<FieldSlot> {
        let ExprKind::Name(id) = &e.kind else {
            return None;
        };
        match self.table.symbol(&id.name)? {
            Symbol::Field(slot) => match self.table.decl.fields.get(slot.index())?.kind {
                FieldType::OneOf(_) => Some(slot),
                _ => None,
            },
            _ => None,
        }
    }

    /// The index of a string literal among a `one_of` field's choices.
    fn choice_index(&self, slot: FieldSlot, lit: &Expr) -> Option<u16> {
        let ExprKind::Str(s) = &lit.kind else {
            return None;
        };
        self.table.choice_index(slot, s)
    }

    /// A selector's indicators as a new mask; its index.
    fn mask(&mut self, sel: &Selector, span: Span) -> Option<MaskId> {
        let inds = &self.table.decl.indicators;
        let mut bits = Bits::with_capacity(inds.len());
        let target = self.table.symbol(&sel.target.name)?;
        let hit = |ind: &IndicatorInfo| match (sel.kind, target) {
            (SelectorKind::At, Symbol::Level(l)) => ind.level == l,
            (SelectorKind::AtLeast, Symbol::Level(l)) => ind.level >= l,
            (SelectorKind::In, Symbol::Domain(d)) => ind.domain == d,
            (SelectorKind::With, Symbol::Theme(t)) => ind.themes.contains(&t),
            _ => false,
        };
        for (i, ind) in inds.iter().enumerate() {
            if hit(ind) {
                bits.insert(i);
            }
        }
        let text = self.source.slice(span).to_string();
        self.masks.push(Mask { bits, text });
        MaskId::try_from(self.masks.len() - 1).ok()
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> NodeId {
        let a = self.expr(l);
        let b = self.expr(r);
        let arith = match op {
            BinOp::Add => Some(ArithOp::Add),
            BinOp::Sub => Some(ArithOp::Sub),
            BinOp::Mul => Some(ArithOp::Mul),
            BinOp::Div => Some(ArithOp::Div),
            _ => None,
        };
        if let Some(aop) = arith {
            return self.push(Node::Arith(aop, a, b), span);
        }
        let cop = match op {
            BinOp::Eq => CmpOp::Eq,
            BinOp::Ne => CmpOp::Ne,
            BinOp::Lt => CmpOp::Lt,
            BinOp::Le => CmpOp::Le,
            BinOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        // A `one_of` field against one of its literals: an index compare.
        if matches!(cop, CmpOp::Eq | CmpOp::Ne) {
            let fast = match (self.choice_field(l), self.choice_field(r)) {
                (Some(slot), _) => self.choice_index(slot, r).map(|i| (slot, i)),
                (_, Some(slot)) => self.choice_index(slot, l).map(|i| (slot, i)),
                _ => None,
            };
            if let Some((slot, i)) = fast {
                return self.push(Node::ChoiceIs(slot, i, cop == CmpOp::Eq), span);
            }
        }
        self.push(Node::Cmp(cop, a, b), span)
    }
}
