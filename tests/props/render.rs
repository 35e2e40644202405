//! Renders a generated [`Model`] as `.thr` text, with comments where the
//! model asks for them.

use std::cell::Cell;
use std::fmt::Write;

use super::gen::{Action, Cond, Model, Num, Plain, Rec, Sel, Shape, Ty, Val};

impl Sel {
    fn text(&self) -> String {
        match self {
            Sel::At(l) => format!("indicators at l{l}"),
            Sel::AtLeast(l) => format!("indicators at least l{l}"),
            Sel::In(d) => format!("indicators in d{d}"),
            Sel::With(t) => format!("indicators with t{t}"),
        }
    }
}

impl Plain {
    fn text(&self) -> String {
        match self {
            Plain::Lit(n) => n.to_string(),
            Plain::Field(f) => format!("x{f}"),
            Plain::Neg(p) => format!("-{}", p.text()),
            Plain::Bin(a, op, b) => format!("({} {op} {})", a.text(), b.text()),
        }
    }
}

impl Num {
    fn text(&self) -> String {
        match self {
            Num::Count(s) => format!("count({})", s.text()),
            Num::CountOf(cs) => {
                let parts: Vec<String> = cs.iter().map(Cond::text).collect();
                format!("count({})", parts.join(", "))
            }
            Num::Arith(n, op, p) => format!("({} {op} {})", n.text(), p.text()),
            Num::Plain(p) => p.text(),
        }
    }
}

impl Cond {
    /// The condition as rule-language text.
    pub(super) fn text(&self) -> String {
        match self {
            Cond::Indicator(i) => format!("i{i}"),
            Cond::Lit(b) => b.to_string(),
            Cond::Known(f) => format!("known(x{f})"),
            Cond::NumCmp(f, op, n) => format!("x{f} {op} {n}"),
            Cond::BoolField(f) => format!("x{f}"),
            Cond::BoolEq(f, b) => format!("x{f} == {b}"),
            Cond::TextCmp(f, op, t) => format!("x{f} {op} \"{t}\""),
            Cond::ChoiceEq(f, k) => format!("x{f} == \"c{k}\""),
            Cond::ChoiceIn(f, a, b) => format!("x{f} in [\"c{a}\", \"c{b}\"]"),
            Cond::Join(and, parts) => {
                let word = if *and { " and " } else { " or " };
                let parts: Vec<String> = parts.iter().map(|p| format!("({})", p.text())).collect();
                parts.join(word)
            }
            Cond::CountCmp(n, op, k) => format!("{} {op} {k}", n.text()),
            Cond::Any(s) => format!("any({})", s.text()),
            Cond::PlainCmp(a, op, b) => format!("{} {op} {}", a.text(), b.text()),
            Cond::Not(c) => format!("not ({})", c.text()),
            Cond::Same(a, b) => format!("({}) == ({})", a.text(), b.text()),
        }
    }
}

impl Action {
    fn text(&self) -> String {
        match self {
            Action::AtLeast(l) => format!("at least l{l}"),
            Action::Raise(n) => format!("raise {n}"),
            Action::Flag(f) => format!("flag f{f}"),
        }
    }
}

fn field_type(ty: &Ty) -> String {
    match ty {
        Ty::Number => "number".into(),
        Ty::Bool => "bool".into(),
        Ty::Text => "text".into(),
        Ty::OneOf(n) => {
            let cs: Vec<String> = (0..*n).map(|k| format!("\"c{k}\"")).collect();
            format!("one_of({})", cs.join(","))
        }
    }
}

/// An example's record as `field = value` lines and its indicators.
fn example_body(rec: &Rec, s: &mut String) {
    for (id, v) in &rec.values {
        let lit = match v {
            Val::Missing => continue,
            Val::Num(n) => format!("{n}"),
            Val::Bool(b) => b.to_string(),
            Val::Str(t) => format!("\"{t}\""),
        };
        let _ = writeln!(s, "  {id} = {lit}");
    }
    let _ = writeln!(s, "  indicators = [{}]", rec.indicators.join(", "));
}

impl Model {
    /// The rule file as text, rules in the given order.
    pub(super) fn render(&self, rule_order: &[usize]) -> String {
        let next = Cell::new(0usize);
        let comment = || {
            let i = next.get();
            next.set(i + 1);
            !self.comments.is_empty() && self.comments[i % self.comments.len()]
        };
        let note = |s: &mut String| {
            if comment() {
                s.push_str(" // note");
            }
        };
        let sh: &Shape = &self.shape;
        let mut s = String::from("continuum \"Generated\" version \"1\"");
        note(&mut s);
        s.push_str("\n\nlevels {\n");
        for l in 0..sh.levels {
            let _ = write!(s, "  l{l} \"Level {l}\"");
            note(&mut s);
            s.push('\n');
        }
        s.push_str("}\n");
        if sh.themes > 0 {
            s.push_str("themes {");
            for t in 0..sh.themes {
                let _ = write!(s, " t{t} \"Theme {t}\"");
            }
            s.push_str(" }\n");
        }
        if sh.flags > 0 {
            s.push_str("flags {\n");
            for f in 0..sh.flags {
                let _ = writeln!(s, "  f{f} \"Flag {f}\"");
            }
            s.push_str("}\n");
        }
        if !sh.fields.is_empty() {
            s.push_str("fields {\n");
            for (i, f) in sh.fields.iter().enumerate() {
                let q = if f.optional { "?" } else { "" };
                let _ = write!(s, "  x{i}: {}{q}", field_type(&f.ty));
                if f.label {
                    let _ = write!(s, " \"Label of x{i}\"");
                }
                note(&mut s);
                s.push('\n');
            }
            s.push_str("}\n");
        }
        for d in 0..sh.domains {
            if comment() {
                s.push_str("// a domain\n");
            }
            let _ = writeln!(s, "domain d{d} \"Domain {d}\" {{");
            for (i, ind) in sh.indicators.iter().enumerate() {
                if ind.domain != d {
                    continue;
                }
                let _ = write!(s, "  indicator i{i} \"Indicator i{i}\" at l{}", ind.level);
                if !ind.themes.is_empty() {
                    let ts: Vec<String> = ind.themes.iter().map(|t| format!("t{t}")).collect();
                    let _ = write!(s, " themes [{}]", ts.join(", "));
                }
                note(&mut s);
                s.push('\n');
            }
            s.push_str("}\n");
        }
        for &r in rule_order {
            if comment() {
                s.push_str("\n// about the next rule\n");
            }
            let rule = &self.rules[r];
            let sep = if rule.commented && !self.comments.is_empty() {
                " // why\n    "
            } else {
                " "
            };
            let then: Vec<String> = rule.then.iter().map(Action::text).collect();
            let _ = writeln!(
                s,
                "rule r{r} \"Reason {r}\"{sep}when {}{sep}then {}",
                rule.when.text(),
                then.join(", ")
            );
        }
        for (e, ex) in self.examples.iter().enumerate() {
            let _ = writeln!(s, "example \"e{e}\" {{");
            example_body(&ex.rec, &mut s);
            let _ = writeln!(s, "  expect l{}", ex.expect);
            s.push_str("}\n");
        }
        s
    }

    /// The rules in file order.
    pub(super) fn in_order(&self) -> Vec<usize> {
        (0..self.rules.len()).collect()
    }
}
