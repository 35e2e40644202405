//! Renders a generated [`Model`] as `.thr` text, with comments sprinkled in
//! when the model asks for them.

use std::fmt::Write;

use super::gen::{Model, Rng, Ty};

impl Model {
    /// The rule file as text, rules in the given order.
    pub(super) fn render(&self, rule_order: &[usize], rng: &mut Rng) -> String {
        let c = |rng: &mut Rng, s: &mut String| {
            if self.comments && rng.chance(30) {
                s.push_str(" // note");
            }
        };
        let mut s = String::from("continuum \"Generated\" version \"1\"");
        c(rng, &mut s);
        s.push_str("\n\nlevels {\n");
        for l in 0..self.levels {
            let _ = write!(s, "  l{l} \"Level {l}\"");
            c(rng, &mut s);
            s.push('\n');
        }
        s.push_str("}\n");
        if self.themes > 0 {
            s.push_str("themes {");
            for t in 0..self.themes {
                let _ = write!(s, " t{t} \"Theme {t}\"");
            }
            s.push_str(" }\n");
        }
        if self.flags > 0 {
            s.push_str("flags {\n");
            for f in 0..self.flags {
                let _ = writeln!(s, "  f{f} \"Flag {f}\"");
            }
            s.push_str("}\n");
        }
        if !self.fields.is_empty() {
            s.push_str("fields {\n");
            for f in &self.fields {
                let ty = match &f.ty {
                    Ty::Number => "number".to_string(),
                    Ty::Bool => "bool".into(),
                    Ty::Text => "text".into(),
                    Ty::OneOf(o) => format!(
                        "one_of({})",
                        o.iter()
                            .map(|x| format!("\"{x}\""))
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                };
                let q = if f.optional { "?" } else { "" };
                let _ = write!(s, "  {}: {ty}{q}", f.id);
                if f.label {
                    let _ = write!(s, " \"Label of {}\"", f.id);
                }
                c(rng, &mut s);
                s.push('\n');
            }
            s.push_str("}\n");
        }
        for d in 0..self.domains {
            if self.comments && rng.chance(30) {
                s.push_str("// a domain\n");
            }
            let _ = writeln!(s, "domain d{d} \"Domain {d}\" {{");
            for i in self.indicators.iter().filter(|i| i.domain == d) {
                let _ = write!(
                    s,
                    "  indicator {} \"Indicator {}\" at l{}",
                    i.id, i.id, i.level
                );
                if !i.themes.is_empty() {
                    let ts: Vec<String> = i.themes.iter().map(|t| format!("t{t}")).collect();
                    let _ = write!(s, " themes [{}]", ts.join(", "));
                }
                c(rng, &mut s);
                s.push('\n');
            }
            s.push_str("}\n");
        }
        for &r in rule_order {
            if self.comments && rng.chance(30) {
                s.push_str("\n// about the next rule\n");
            }
            s.push_str(&self.rules[r]);
            s.push('\n');
        }
        for e in &self.examples {
            s.push_str(e);
            s.push('\n');
        }
        s
    }
}
