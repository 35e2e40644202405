//! The plan's compiler: lowers a checked rule file, against the symbol
//! table the checker resolved, into a [`Plan`]: conditions to a flat node
//! array, selectors to masks, each rule's prefilter, the examples to
//! records, and the level and theme masks. It runs only on a file that
//! checked without errors, so every name resolves; where one would not, it
//! lowers to a constant rather than failing.

mod examples;
mod expr;
mod prefilter;

use std::sync::Arc;

use super::*;
use crate::ast::{ActionKind, Item, RuleFile};
use crate::check::SymbolTable;

/// Lowers a checked rule file into its plan.
pub fn compile(
    file: &RuleFile,
    source: &Arc<Source>,
    table: SymbolTable,
    scripts: Option<Scripts>,
) -> Plan {
    let mut lower = Lowering {
        source,
        table: &table,
        scripts: scripts.as_ref(),
        nodes: Vec::new(),
        node_spans: Vec::new(),
        masks: Vec::new(),
    };
    let rules = lower.rules(file);
    let examples = lower.examples(file);
    let Lowering {
        nodes,
        node_spans,
        masks,
        ..
    } = lower;
    let decl = table.decl;
    let n_ind = decl.indicators.len();
    let mut level_masks = vec![Bits::with_capacity(n_ind); decl.levels.len()];
    let mut theme_masks = vec![Bits::with_capacity(n_ind); decl.themes.len()];
    for (i, ind) in decl.indicators.iter().enumerate() {
        if let Some(m) = level_masks.get_mut(ind.level.index()) {
            m.insert(i);
        }
        for t in &ind.themes {
            if let Some(m) = theme_masks.get_mut(t.index()) {
                m.insert(i);
            }
        }
    }
    let symbols = table
        .names
        .iter()
        .map(|(k, (s, _))| (k.clone(), *s))
        .collect();
    Plan {
        name: file.name.value.clone(),
        version: file.version.as_ref().map(|v| v.value.clone()),
        decl,
        rules,
        nodes,
        node_spans,
        masks,
        level_masks,
        theme_masks,
        examples,
        scripts,
        symbols,
        source: Arc::clone(source),
    }
}

/// The compiler at work: the table it lowers against and the node and
/// mask arrays it is filling in.
struct Lowering<'a> {
    source: &'a Arc<Source>,
    table: &'a SymbolTable,
    scripts: Option<&'a Scripts>,
    nodes: Vec<Node>,
    node_spans: Vec<Span>,
    masks: Vec<Mask>,
}

impl Lowering<'_> {
    /// Each rule, in file order, with its condition, actions and prefilter.
    fn rules(&mut self, file: &RuleFile) -> Vec<PlanRule> {
        let mut rules = Vec::new();
        for item in &file.items {
            let Item::Rule(r) = item else { continue };
            let cond = self.expr(&r.when);
            let mut floor: Option<LevelRank> = None;
            let mut raise = 0u8;
            let mut flags = Vec::new();
            for a in &r.actions {
                match &a.kind {
                    ActionKind::AtLeast(l) => {
                        if let Some(Symbol::Level(l)) = self.table.symbol(&l.name) {
                            floor = Some(floor.map_or(l, |f| f.max(l)));
                        }
                    }
                    ActionKind::Raise(n) => {
                        raise = raise.max(u8::try_from(*n).unwrap_or(u8::MAX));
                    }
                    ActionKind::Flag(f) => {
                        if let Some(f) = self.table.flag_ids.get(&f.name).copied() {
                            if !flags.contains(&f) {
                                flags.push(f);
                            }
                        }
                    }
                }
            }
            rules.push(PlanRule {
                id: r.id.name.clone(),
                reason: r.reason.value.clone(),
                cond,
                floor,
                raise,
                flags,
                prefilter: prefilter::prefilter(
                    &self.nodes,
                    &self.masks,
                    self.table.decl.indicators.len(),
                    cond,
                ),
                span: r.span,
            });
        }
        rules
    }
}

#[cfg(test)]
mod tests {
    use crate::check::NoScripts;
    use crate::plan::{FieldSlot, FlagId, LevelRank, Node, Plan, RuleId, Symbol, Value};
    use crate::ruleset::check_source;
    use crate::span::Source;

    fn plan(body: &str) -> Plan {
        let text = format!(
            "continuum \"T\"\nlevels {{ low \"Low\" mid \"Mid\" high \"High\" }}\n\
             themes {{ t \"T\" }}\nfields {{ kind: one_of(\"p\", \"q\", \"r\") age: number? }}\n\
             domain d \"D\" {{\n  indicator a \"A\" at low\n  indicator b \"B\" at mid themes [t]\n  indicator c \"C\" at high\n}}\n{body}"
        );
        let c = check_source(&Source::new("t.thr", text.as_str()), &NoScripts);
        c.plan
            .unwrap_or_else(|| panic!("rules check: {:?}", c.diagnostics.0))
    }

    fn root(p: &Plan) -> &Node {
        &p.nodes[p.rules[0].cond as usize]
    }

    #[test]
    fn a_choice_field_against_its_literals_compiles_to_indexes() {
        let p = plan("rule x \"X\" when kind == \"q\" then at least high\n");
        assert_eq!(root(&p), &Node::ChoiceIs(FieldSlot::new(0), 1, true));
        let p = plan("rule x \"X\" when \"r\" != kind then at least high\n");
        assert_eq!(root(&p), &Node::ChoiceIs(FieldSlot::new(0), 2, false));
        let p = plan("rule x \"X\" when kind in [\"r\", \"p\"] then at least high\n");
        assert_eq!(root(&p), &Node::ChoiceIn(FieldSlot::new(0), vec![2, 0]));
    }

    #[test]
    fn selectors_compile_to_masks_of_their_indicators() {
        let p = plan(
            "rule x \"X\" when count(indicators at least mid) >= 1 or any(indicators with t) \
             then at least high\n",
        );
        let bits: Vec<Vec<usize>> = p.masks.iter().map(|m| m.bits.iter().collect()).collect();
        assert_eq!(bits, [vec![1, 2], vec![1]]);
        assert_eq!(p.masks[0].text, "count(indicators at least mid)");
        // Level masks hold each level's own indicators.
        let levels: Vec<Vec<usize>> = p.level_masks.iter().map(|m| m.iter().collect()).collect();
        assert_eq!(levels, [vec![0], vec![1], vec![2]]);
    }

    #[test]
    fn rules_take_their_highest_floor_largest_raise_and_examples_become_records() {
        let p = plan(
            "flags { f \"F\" }\n\
             rule x \"X\" when a then at least mid, at least high, raise 1, flag f, flag f\n\
             example \"e\" { kind = \"r\" indicators = [c] expect high fired [x] flags [f] }\n",
        );
        let r = &p.rules[0];
        assert_eq!(
            (r.floor, r.raise, r.flags.as_slice()),
            (Some(LevelRank::new(2)), 1, &[FlagId::new(0)][..])
        );
        let ex = &p.examples[0];
        assert_eq!(ex.record.id, "e");
        assert_eq!(ex.record.values, [Value::Choice(2), Value::Missing]);
        assert_eq!(ex.record.indicators.iter().collect::<Vec<_>>(), [2]);
        assert_eq!(
            (ex.expect, ex.fired.as_slice()),
            (Some(LevelRank::new(2)), &[RuleId::new(0)][..])
        );
        assert_eq!(p.symbols.get("x"), Some(&Symbol::Rule(RuleId::new(0))));
    }
}
