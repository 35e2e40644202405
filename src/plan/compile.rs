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
    let n_ind = table.indicators.len();
    let mut level_masks = vec![Bits::with_capacity(n_ind); table.levels.len()];
    let mut theme_masks = vec![Bits::with_capacity(n_ind); table.themes.len()];
    for (i, ind) in table.indicators.iter().enumerate() {
        if let Some(m) = level_masks.get_mut(ind.level as usize) {
            m.insert(i);
        }
        for t in &ind.themes {
            if let Some(m) = theme_masks.get_mut(*t as usize) {
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
        levels: table.levels,
        decisions: table.decisions,
        decision_spellings: table.decision_spellings,
        themes: table.themes,
        flags: table.flags,
        domains: table.domains,
        fields: table.fields,
        indicators: table.indicators,
        rules,
        nodes,
        node_spans,
        masks,
        level_masks,
        theme_masks,
        examples,
        scripts,
        symbols,
        codes: table.codes.into_iter().map(|(k, (b, _))| (k, b)).collect(),
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
            let mut floor: Option<u8> = None;
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
                    self.table.indicators.len(),
                    cond,
                ),
                span: r.span,
            });
        }
        rules
    }
}
