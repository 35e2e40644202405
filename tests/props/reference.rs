//! A plain AST-walking evaluator written from SPEC §2.2–2.3, independent of
//! the plan compiler: names are looked up by string, selectors recomputed
//! from the declarations on every use. Slow and obvious on purpose.

use std::collections::HashMap;

use thresholds::ast::*;

use super::gen::{Rec, Val};

/// The outcome by names.
#[derive(Debug, PartialEq)]
pub(super) struct RefScore {
    pub level: String,
    pub fired: Vec<String>,
    pub flags: Vec<String>,
}

struct Decl<'a> {
    levels: Vec<&'a str>,
    /// indicator → (level rank, domain, themes)
    indicators: HashMap<&'a str, (usize, &'a str, Vec<&'a str>)>,
}

fn decl(file: &RuleFile) -> Decl<'_> {
    let mut levels = Vec::new();
    let mut indicators = HashMap::new();
    for item in &file.items {
        if let Item::Levels(b) = item {
            levels = b.entries.iter().map(|e| e.id.name.as_str()).collect();
        }
    }
    for item in &file.items {
        if let Item::Domain(d) = item {
            for i in &d.indicators {
                let rank = levels.iter().position(|l| *l == i.level.name).unwrap();
                let themes = i.themes.iter().map(|t| t.name.as_str()).collect();
                indicators.insert(i.id.name.as_str(), (rank, d.id.name.as_str(), themes));
            }
        }
    }
    Decl { levels, indicators }
}

struct Cx<'a> {
    d: &'a Decl<'a>,
    values: HashMap<&'a str, &'a Val>,
    present: Vec<&'a str>,
}

impl Cx<'_> {
    fn selected(&self, s: &Selector) -> usize {
        let t = s.target.name.as_str();
        self.present
            .iter()
            .filter(|i| {
                let (rank, dom, themes) = &self.d.indicators[*i];
                match s.kind {
                    SelectorKind::At => self.d.levels[*rank] == t,
                    SelectorKind::AtLeast => {
                        *rank >= self.d.levels.iter().position(|l| *l == t).unwrap()
                    }
                    SelectorKind::In => *dom == t,
                    SelectorKind::With => themes.contains(&t),
                }
            })
            .count()
    }

    fn truth(&self, e: &Expr) -> bool {
        match self.value(e) {
            Val::Bool(b) => b,
            Val::Missing => false,
            other => panic!("not a condition: {other:?}"),
        }
    }

    fn value(&self, e: &Expr) -> Val {
        match &e.kind {
            ExprKind::Number(n) => Val::Num(*n),
            ExprKind::Str(s) => Val::Str(s.clone()),
            ExprKind::Bool(b) => Val::Bool(*b),
            ExprKind::Name(id) => match self.values.get(id.name.as_str()) {
                Some(v) => (*v).clone(),
                None => Val::Bool(self.present.contains(&id.name.as_str())),
            },
            ExprKind::Not(x) => Val::Bool(!self.truth(x)),
            ExprKind::Neg(x) => match self.value(x) {
                Val::Num(n) => Val::Num(-n),
                _ => Val::Missing,
            },
            ExprKind::And(xs) => Val::Bool(xs.iter().all(|x| self.truth(x))),
            ExprKind::Or(xs) => Val::Bool(xs.iter().any(|x| self.truth(x))),
            ExprKind::Binary(op, l, r) => {
                let (a, b) = (self.value(l), self.value(r));
                if op.is_comparison() {
                    return Val::Bool(compare(*op, &a, &b));
                }
                let (Val::Num(x), Val::Num(y)) = (a, b) else {
                    return Val::Missing;
                };
                let v = match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    _ => x / y,
                };
                if v.is_finite() {
                    Val::Num(v)
                } else {
                    Val::Missing
                }
            }
            ExprKind::In(x, items) => {
                let v = self.value(x);
                Val::Bool(v != Val::Missing && items.iter().any(|i| self.value(i) == v))
            }
            ExprKind::Count(xs) => Val::Num(xs.iter().filter(|x| self.truth(x)).count() as f64),
            ExprKind::CountSel(s) => Val::Num(self.selected(s) as f64),
            ExprKind::AnySel(s) => Val::Bool(self.selected(s) >= 1),
            ExprKind::Known(id) => Val::Bool(
                self.values
                    .get(id.name.as_str())
                    .is_some_and(|v| **v != Val::Missing),
            ),
            ExprKind::Call(..) => panic!("no scripts in generated files"),
        }
    }
}

fn compare(op: BinOp, a: &Val, b: &Val) -> bool {
    use std::cmp::Ordering::*;
    let ord = match (a, b) {
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    };
    match (op, ord) {
        (_, None) => false,
        (BinOp::Eq, Some(o)) => o == Equal,
        (BinOp::Ne, Some(o)) => o != Equal,
        (BinOp::Lt, Some(o)) => o == Less,
        (BinOp::Le, Some(o)) => o != Greater,
        (BinOp::Gt, Some(o)) => o == Greater,
        (_, Some(o)) => o != Less,
    }
}

/// Scores a record by SPEC §2.3.
pub(super) fn score(file: &RuleFile, rec: &Rec) -> RefScore {
    let d = decl(file);
    let cx = Cx {
        d: &d,
        values: rec.values.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        present: rec.indicators.iter().map(String::as_str).collect(),
    };
    let top = d.levels.len() - 1;
    let base = cx
        .present
        .iter()
        .map(|i| d.indicators[i].0)
        .max()
        .unwrap_or(0);
    let (mut floor, mut raise) = (0usize, 0usize);
    let mut fired = Vec::new();
    let mut flags = Vec::new();
    for item in &file.items {
        let Item::Rule(r) = item else { continue };
        if !cx.truth(&r.when) {
            continue;
        }
        fired.push(r.id.name.clone());
        for a in &r.actions {
            match &a.kind {
                ActionKind::AtLeast(l) => {
                    floor = floor.max(d.levels.iter().position(|x| *x == l.name).unwrap())
                }
                ActionKind::Raise(n) => raise = raise.max(*n as usize),
                ActionKind::Flag(f) => {
                    if !flags.contains(&f.name) {
                        flags.push(f.name.clone())
                    }
                }
            }
        }
    }
    flags.sort();
    let level = (base.max(floor) + raise).min(top);
    RefScore {
        level: d.levels[level].to_string(),
        fired,
        flags,
    }
}
