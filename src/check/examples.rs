//! Embedded examples: every name resolved, every value of its field's type,
//! every required field set (the plan's compiler turns each into a record).

use super::{symbol_kind, Checker, FieldSlot, FieldType, Symbol};
use crate::ast::*;
use crate::text;

impl Checker<'_> {
    /// Checks each `example`.
    pub(crate) fn check_examples(&mut self, file: &RuleFile) {
        for item in &file.items {
            let Item::Example(ex) = item else { continue };
            let mut expect = None;
            let mut set = vec![false; self.table.decl.fields.len()];
            for st in &ex.stmts {
                match &st.kind {
                    ExampleStmtKind::Assign(id, lit, vspan) => {
                        let Some(slot) = self.example_field(id) else {
                            continue;
                        };
                        if set[slot.index()] {
                            self.error(
                                "duplicate-value",
                                id.span,
                                format!("`{}` is set twice in this example", id.name),
                            );
                        }
                        set[slot.index()] = true;
                        self.example_value(slot, lit, *vspan);
                    }
                    ExampleStmtKind::Indicators(ids) => {
                        for id in ids {
                            match self.table.symbol(&id.name) {
                                Some(Symbol::Indicator(_)) => {}
                                other => self.not_an(id, other, "indicator", |s| {
                                    matches!(s, Symbol::Indicator(_))
                                }),
                            }
                        }
                    }
                    ExampleStmtKind::Expect(l) => expect = self.level(l),
                    ExampleStmtKind::Fired(ids) => {
                        for id in ids {
                            match self.table.symbol(&id.name) {
                                Some(Symbol::Rule(_)) => {}
                                other => {
                                    self.not_an(id, other, "rule", |s| matches!(s, Symbol::Rule(_)))
                                }
                            }
                        }
                    }
                    ExampleStmtKind::Flags(ids) => {
                        for id in ids {
                            self.flag(id);
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
                .table
                .decl
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

    fn example_field(&mut self, id: &Ident) -> Option<FieldSlot> {
        match self.table.symbol(&id.name) {
            Some(Symbol::Field(s)) => Some(s),
            other => {
                self.not_an(id, other, "field", |s| matches!(s, Symbol::Field(_)));
                None
            }
        }
    }

    /// Checks an example's value against its field's type, range and choices.
    fn example_value(&mut self, slot: FieldSlot, lit: &Literal, span: crate::span::Span) {
        let Some(field) = self.table.decl.fields.get(slot.index()).cloned() else {
            return;
        };
        match (&field.kind, lit) {
            (FieldType::Number(range), Literal::Number(n)) => {
                if let Some((lo, hi)) = range {
                    if n < lo || n > hi {
                        self.error(
                            "out-of-range",
                            span,
                            format!("{n} is outside the range {lo}..{hi} of `{}`", field.id),
                        );
                    }
                }
            }
            (FieldType::Bool, Literal::Bool(_)) | (FieldType::Text, Literal::Str(_)) => {}
            (FieldType::OneOf(opts), Literal::Str(s)) => {
                if !opts.contains(s) {
                    self.not_a_choice(s, span, &field.id, opts);
                }
            }
            (kind, _) => {
                let want = match kind {
                    FieldType::Number(_) => "a number",
                    FieldType::Bool => "`true` or `false`",
                    FieldType::Text | FieldType::OneOf(_) => "a quoted string",
                };
                self.error("type", span, format!("`{}` needs {want}", field.id));
            }
        }
    }
}
