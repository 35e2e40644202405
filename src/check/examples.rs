//! Embedded examples: each becomes a record and its expectations.

use super::{symbol_kind, Cx};
use crate::ast::*;
use crate::bits::Bits;
use crate::plan::*;
use crate::text;

impl Cx<'_> {
    pub(crate) fn compile_examples(&mut self, file: &RuleFile) {
        for item in &file.items {
            let Item::Example(ex) = item else { continue };
            let mut rec = Record {
                id: ex.name.value.clone(),
                values: vec![Value::Missing; self.fields.len()],
                indicators: Bits::with_capacity(self.indicators.len()),
            };
            let mut expect = None;
            let mut fired = Vec::new();
            let mut flags = Vec::new();
            let mut set = vec![false; self.fields.len()];
            for st in &ex.stmts {
                match &st.kind {
                    ExampleStmtKind::Assign(id, lit, vspan) => {
                        let Some(slot) = self.example_field(id) else {
                            continue;
                        };
                        if set[slot as usize] {
                            self.error(
                                "duplicate-value",
                                id.span,
                                format!("`{}` is set twice in this example", id.name),
                            );
                        }
                        set[slot as usize] = true;
                        if let Some(v) = self.example_value(slot, lit, *vspan) {
                            rec.values[slot as usize] = v;
                        }
                    }
                    ExampleStmtKind::Indicators(ids) => {
                        for id in ids {
                            match self.names.get(&id.name).map(|(s, _)| *s) {
                                Some(Symbol::Indicator(b)) => rec.indicators.insert(b as usize),
                                other => self.not_an(id, other, "indicator", |s| {
                                    matches!(s, Symbol::Indicator(_))
                                }),
                            }
                        }
                    }
                    ExampleStmtKind::Expect(l) => expect = self.level(l),
                    ExampleStmtKind::Fired(ids) => {
                        for id in ids {
                            match self.names.get(&id.name).map(|(s, _)| *s) {
                                Some(Symbol::Rule(r)) => fired.push(r),
                                other => {
                                    self.not_an(id, other, "rule", |s| matches!(s, Symbol::Rule(_)))
                                }
                            }
                        }
                    }
                    ExampleStmtKind::Flags(ids) => {
                        for id in ids {
                            if let Some(f) = self.flag(id) {
                                flags.push(f);
                            }
                        }
                    }
                }
            }
            if expect.is_none() {
                self.error(
                    "no-expect",
                    ex.name.span,
                    format!("example \"{}\" has no `expect LEVEL`", ex.name.value),
                )
                .help = Some("say what level the rules should give, e.g. `expect targeted`".into());
            }
            let missing: Vec<String> = self
                .fields
                .iter()
                .zip(&set)
                .filter(|(f, s)| !f.optional && !**s)
                .map(|(f, _)| format!("`{}`", f.id))
                .collect();
            if !missing.is_empty() {
                self.error(
                    "example-missing-field",
                    ex.name.span,
                    format!(
                        "example \"{}\" does not set required field(s) {}",
                        ex.name.value,
                        missing.join(", ")
                    ),
                )
                .help = Some(
                    "examples are scored like data rows: give every field not marked `?`".into(),
                );
            }
            self.examples.push(ExampleCase {
                name: ex.name.value.clone(),
                record: rec,
                expect,
                fired,
                flags,
                span: ex.span,
            });
        }
    }

    fn not_an(
        &mut self,
        id: &Ident,
        found: Option<Symbol>,
        want: &str,
        pick: impl Fn(Symbol) -> bool,
    ) {
        match found {
            Some(s) => {
                let k = symbol_kind(s);
                self.error(
                    "wrong-kind",
                    id.span,
                    format!(
                        "`{}` is {k}, not {} {want}",
                        id.name,
                        if want.starts_with(['a', 'e', 'i', 'o', 'u']) {
                            "an"
                        } else {
                            "a"
                        }
                    ),
                );
            }
            None => {
                let cands = self.names_of(pick);
                let hint = text::hint(&id.name, cands.iter().map(String::as_str));
                self.error(
                    "unknown-name",
                    id.span,
                    format!("unknown {want} `{}`", id.name),
                )
                .label = hint;
            }
        }
    }

    fn example_field(&mut self, id: &Ident) -> Option<u16> {
        match self.names.get(&id.name).map(|(s, _)| *s) {
            Some(Symbol::Field(s)) => Some(s),
            other => {
                self.not_an(id, other, "field", |s| matches!(s, Symbol::Field(_)));
                None
            }
        }
    }

    fn example_value(
        &mut self,
        slot: u16,
        lit: &Literal,
        span: crate::span::Span,
    ) -> Option<Value> {
        let field = self.fields.get(slot as usize)?.clone();
        let v = match (&field.kind, lit) {
            (FieldKind::Number(range), Literal::Number(n)) => {
                if let Some((lo, hi)) = range {
                    if n < lo || n > hi {
                        self.error(
                            "out-of-range",
                            span,
                            format!("{n} is outside the range {lo}..{hi} of `{}`", field.id),
                        );
                    }
                }
                Value::Num(*n)
            }
            (FieldKind::Bool, Literal::Bool(b)) => Value::Bool(*b),
            (FieldKind::Text, Literal::Str(s)) => Value::Text(s.clone()),
            (FieldKind::OneOf(opts), Literal::Str(s)) => match opts.iter().position(|o| o == s) {
                Some(i) => Value::Choice(i as u16),
                None => {
                    self.not_a_choice(s, span, &field.id, opts);
                    return None;
                }
            },
            (kind, _) => {
                let want = match kind {
                    FieldKind::Number(_) => "a number",
                    FieldKind::Bool => "`true` or `false`",
                    FieldKind::Text | FieldKind::OneOf(_) => "a quoted string",
                };
                self.error("type", span, format!("`{}` needs {want}", field.id));
                return None;
            }
        };
        Some(v)
    }
}
