//! Embedded examples lowered to records with their expectations, so they
//! can be scored like data rows.

use super::Lowering;
use crate::ast::*;
use crate::plan::*;

impl Lowering<'_> {
    /// Each `example`, in file order.
    pub(super) fn examples(&self, file: &RuleFile) -> Vec<ExampleCase> {
        let mut out = Vec::new();
        for item in &file.items {
            let Item::Example(ex) = item else { continue };
            let mut record = Record::with_shape(
                self.table.decl.fields.len(),
                self.table.decl.indicators.len(),
            );
            record.id = ex.name.value.clone();
            let mut expect = None;
            let mut fired = Vec::new();
            let mut flags = Vec::new();
            for st in &ex.stmts {
                match &st.kind {
                    ExampleStmtKind::Assign(id, lit, _) => {
                        let Some(Symbol::Field(slot)) = self.table.symbol(&id.name) else {
                            continue;
                        };
                        if let (Some(v), Some(cell)) = (
                            self.example_value(slot, lit),
                            record.values.get_mut(slot.index()),
                        ) {
                            *cell = v;
                        }
                    }
                    ExampleStmtKind::Indicators(ids) => {
                        for id in ids {
                            if let Some(Symbol::Indicator(b)) = self.table.symbol(&id.name) {
                                record.set_indicator(b);
                            }
                        }
                    }
                    ExampleStmtKind::Expect(l) => {
                        expect = match self.table.symbol(&l.name) {
                            Some(Symbol::Level(l)) => Some(l),
                            _ => None,
                        };
                    }
                    ExampleStmtKind::Fired(ids) => {
                        for id in ids {
                            if let Some(Symbol::Rule(r)) = self.table.symbol(&id.name) {
                                fired.push(r);
                            }
                        }
                    }
                    ExampleStmtKind::Flags(ids) => {
                        for id in ids {
                            if let Some(f) = self.table.flag_ids.get(&id.name) {
                                flags.push(*f);
                            }
                        }
                    }
                }
            }
            out.push(ExampleCase {
                name: ex.name.value.clone(),
                record,
                expect,
                fired,
                flags,
                span: ex.span,
            });
        }
        out
    }

    /// An example's value for the field in `slot`, when it has the field's type.
    fn example_value(&self, slot: FieldSlot, lit: &Literal) -> Option<Value> {
        let field = self.table.decl.fields.get(slot.index())?;
        Some(match (&field.kind, lit) {
            (FieldType::Number(_), Literal::Number(n)) => Value::Num(*n),
            (FieldType::Bool, Literal::Bool(b)) => Value::Bool(*b),
            (FieldType::Text, Literal::Str(s)) => Value::Text(s.clone()),
            (FieldType::OneOf(_), Literal::Str(s)) => {
                Value::Choice(self.table.choice_index(slot, s)?)
            }
            _ => return None,
        })
    }
}
