//! The one-pass accumulator behind [`Impact`]: constant work per record, plus
//! a little more for records whose level or flags changed.

use super::agreement::AgreementTally;
use super::{Demand, FlagChange, FlagImpact, Impact, RecordChange, Responsible, RuleImpact};
use crate::data::Row;
use crate::diff::levels::LevelMap;
use crate::eval::Score;
use crate::plan::Plan;

/// A rule in either file, matched by id.
#[derive(Clone, Debug)]
struct RuleSlot {
    id: String,
    in_old: bool,
    in_new: bool,
    effect_changed: bool,
    old_n: u64,
    new_n: u64,
}

/// A flag in either file, matched by id.
#[derive(Clone, Debug)]
struct FlagSlot {
    id: String,
    in_old: bool,
    in_new: bool,
    old_n: u64,
    new_n: u64,
    gained: u64,
    lost: u64,
}

/// Builds an [`Impact`] one record at a time.
#[derive(Clone, Debug)]
pub struct ImpactBuilder {
    levels: LevelMap,
    k_new: usize,
    n: u64,
    changed: u64,
    up: u64,
    down: u64,
    transitions: Vec<u64>,
    rules: Vec<RuleSlot>,
    old_rule: Vec<usize>,
    new_rule: Vec<usize>,
    flags: Vec<FlagSlot>,
    old_flag: Vec<usize>,
    new_flag: Vec<usize>,
    /// Old indicator bits whose level differs in the new file (or which it lacks).
    moved: Vec<(usize, String)>,
    agreement: AgreementTally,
    changes: Vec<RecordChange>,
    flag_changes: Vec<FlagChange>,
}

/// Union of two id lists: each id's slot, old ids first in old order.
fn union(old: &[&str], new: &[&str]) -> (Vec<String>, Vec<usize>, Vec<usize>) {
    let mut ids: Vec<String> = old.iter().map(|s| s.to_string()).collect();
    let old_ix: Vec<usize> = (0..old.len()).collect();
    let mut new_ix = Vec::with_capacity(new.len());
    for id in new {
        match old.iter().position(|o| o == id) {
            Some(i) => new_ix.push(i),
            None => {
                new_ix.push(ids.len());
                ids.push(id.to_string());
            }
        }
    }
    (ids, old_ix, new_ix)
}

impl ImpactBuilder {
    /// Ready for records scored under `old` and `new`.
    pub fn new(old: &Plan, new: &Plan) -> Self {
        let levels = LevelMap::new(
            old.decl.levels.iter().map(|l| l.id.clone()).collect(),
            new.decl.levels.iter().map(|l| l.id.clone()).collect(),
        );
        let (k_old, k_new) = (old.decl.levels.len(), new.decl.levels.len());

        let ro: Vec<&str> = old.rules.iter().map(|r| r.id.as_str()).collect();
        let rn: Vec<&str> = new.rules.iter().map(|r| r.id.as_str()).collect();
        let (rule_ids, old_rule, new_rule) = union(&ro, &rn);
        let flag_ids = |p: &Plan, r: &crate::plan::PlanRule| -> Vec<String> {
            let mut v: Vec<String> = r
                .flags
                .iter()
                .filter_map(|f| p.decl.flags.get(f.index()).map(|f| f.id.clone()))
                .collect();
            v.sort();
            v
        };
        let rules = rule_ids
            .into_iter()
            .map(|id| {
                let o = old.rules.iter().find(|r| r.id == id);
                let n = new.rules.iter().find(|r| r.id == id);
                let effect_changed = match (o, n) {
                    (Some(o), Some(n)) => {
                        o.floor != n.floor
                            || o.raise != n.raise
                            || flag_ids(old, o) != flag_ids(new, n)
                    }
                    _ => false,
                };
                RuleSlot {
                    id,
                    in_old: o.is_some(),
                    in_new: n.is_some(),
                    effect_changed,
                    old_n: 0,
                    new_n: 0,
                }
            })
            .collect();

        let fo: Vec<&str> = old.decl.flags.iter().map(|f| f.id.as_str()).collect();
        let fnew: Vec<&str> = new.decl.flags.iter().map(|f| f.id.as_str()).collect();
        let (flag_ids, old_flag, new_flag) = union(&fo, &fnew);
        let flags = flag_ids
            .into_iter()
            .map(|id| FlagSlot {
                in_old: fo.contains(&id.as_str()),
                in_new: fnew.contains(&id.as_str()),
                id,
                old_n: 0,
                new_n: 0,
                gained: 0,
                lost: 0,
            })
            .collect();

        let moved = old
            .decl
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                new.indicator_bit(&i.id)
                    .and_then(|b| new.decl.indicators.get(b.index()))
                    .is_none_or(|n| n.level != i.level)
            })
            .map(|(b, i)| (b, i.id.clone()))
            .collect();

        Self {
            levels,
            k_new,
            n: 0,
            changed: 0,
            up: 0,
            down: 0,
            transitions: vec![0; k_old * k_new],
            rules,
            old_rule,
            new_rule,
            flags,
            old_flag,
            new_flag,
            moved,
            agreement: AgreementTally::new(k_old, k_new),
            changes: Vec::new(),
            flag_changes: Vec::new(),
        }
    }

    /// Adds one record as scored under both versions.
    pub fn add(&mut self, old_row: &Row, old: &Score, new_row: &Row, new: &Score) {
        self.n += 1;
        let (lo, ln) = (old.level.index(), new.level.index());
        if let Some(c) = self.transitions.get_mut(lo * self.k_new + ln) {
            *c += 1;
        }
        for r in &old.fired {
            if let Some(s) = self.old_rule.get(r.index()) {
                self.rules[*s].old_n += 1;
            }
        }
        for r in &new.fired {
            if let Some(s) = self.new_rule.get(r.index()) {
                self.rules[*s].new_n += 1;
            }
        }
        // Flags are counted without a copy; only a record whose flags
        // differ between the versions (few) builds the lists.
        let (old_flag, new_flag) = (&self.old_flag, &self.new_flag);
        let fo = || {
            old.flags
                .iter()
                .filter_map(|f| old_flag.get(f.index()).copied())
        };
        let fnew = || {
            new.flags
                .iter()
                .filter_map(|f| new_flag.get(f.index()).copied())
        };
        for s in fo() {
            self.flags[s].old_n += 1;
        }
        for s in fnew() {
            self.flags[s].new_n += 1;
        }
        self.agreement
            .add((old_row.decision, old.level), (new_row.decision, new.level));

        let level_changed = lo != ln;
        let flags_changed =
            fo().any(|s| !fnew().any(|t| t == s)) || fnew().any(|t| !fo().any(|s| s == t));
        if !level_changed && !flags_changed {
            return;
        }
        let (fo, fnew): (Vec<usize>, Vec<usize>) = (fo().collect(), fnew().collect());
        let rules = self.responsible(old, new);
        if flags_changed {
            let gained: Vec<usize> = fnew.iter().filter(|s| !fo.contains(s)).copied().collect();
            let lost: Vec<usize> = fo.iter().filter(|s| !fnew.contains(s)).copied().collect();
            for s in &gained {
                self.flags[*s].gained += 1;
            }
            for s in &lost {
                self.flags[*s].lost += 1;
            }
            let ids = |v: &[usize]| v.iter().map(|s| self.flags[*s].id.clone()).collect();
            if !gained.is_empty() || !lost.is_empty() {
                self.flag_changes.push(FlagChange {
                    id: old_row.record.id.clone(),
                    gained: ids(&gained),
                    lost: ids(&lost),
                    rules: rules.clone(),
                });
            }
        }
        if level_changed {
            self.changed += 1;
            if ln > lo {
                self.up += 1;
            } else {
                self.down += 1;
            }
            let indicators = self
                .moved
                .iter()
                .filter(|(b, _)| old_row.record.indicators.contains(*b))
                .map(|(_, id)| id.clone())
                .collect();
            self.changes.push(RecordChange {
                id: old_row.record.id.clone(),
                old: self.levels.old_id(lo).to_string(),
                new: self.levels.new_id(ln).to_string(),
                old_rank: old.level,
                new_rank: new.level,
                base_old: self.levels.old_id(old.base.index()).to_string(),
                base_new: self.levels.new_id(new.base.index()).to_string(),
                rules,
                indicators,
            });
        }
    }

    /// Rules that fired under one version only, or under both with a changed effect.
    fn responsible(&self, old: &Score, new: &Score) -> Vec<Responsible> {
        let so: Vec<usize> = old
            .fired
            .iter()
            .filter_map(|r| self.old_rule.get(r.index()).copied())
            .collect();
        let sn: Vec<usize> = new
            .fired
            .iter()
            .filter_map(|r| self.new_rule.get(r.index()).copied())
            .collect();
        let mut all: Vec<usize> = so.iter().chain(&sn).copied().collect();
        all.sort_unstable();
        all.dedup();
        all.into_iter()
            .filter_map(|s| {
                let (a, b) = (so.contains(&s), sn.contains(&s));
                let slot = &self.rules[s];
                (a != b || slot.effect_changed).then(|| Responsible {
                    rule: slot.id.clone(),
                    fired_old: a,
                    fired_new: b,
                })
            })
            .collect()
    }

    /// The finished impact.
    pub fn finish(self) -> Impact {
        let k = self.levels.k();
        let k_new = self.k_new.max(1);
        let k_old = self.levels.old.len();
        let rows: Vec<Vec<u64>> = (0..k_old)
            .map(|i| {
                self.transitions
                    .get(i * k_new..(i + 1) * k_new)
                    .map(<[u64]>::to_vec)
                    .unwrap_or_default()
            })
            .collect();
        let share = |x: u64| (self.n > 0).then(|| x as f64 / self.n as f64);
        let demand = (0..k)
            .map(|r| {
                let old = rows.get(r).map_or(0, |row| row.iter().sum());
                let new: u64 = rows.iter().filter_map(|row| row.get(r)).sum();
                let (os, ns) = (share(old), share(new));
                Demand {
                    level: self.levels.name(r),
                    old,
                    new,
                    change: new as i64 - old as i64,
                    old_share: os,
                    new_share: ns,
                    share_change: os.zip(ns).map(|(a, b)| b - a),
                }
            })
            .collect();
        Impact {
            n: self.n,
            changed: self.changed,
            up: self.up,
            down: self.down,
            transitions: rows,
            demand,
            flags: self
                .flags
                .into_iter()
                .map(|f| FlagImpact {
                    flag: f.id,
                    in_old: f.in_old,
                    in_new: f.in_new,
                    old: f.old_n,
                    new: f.new_n,
                    change: f.new_n as i64 - f.old_n as i64,
                    gained: f.gained,
                    lost: f.lost,
                })
                .collect(),
            rules: self
                .rules
                .into_iter()
                .map(|r| RuleImpact {
                    rule: r.id,
                    old: r.in_old.then_some(r.old_n),
                    new: r.in_new.then_some(r.new_n),
                    effect_changed: r.effect_changed,
                })
                .collect(),
            agreement: self.agreement.finish(),
            changes: self.changes,
            flag_changes: self.flag_changes,
            levels: self.levels,
        }
    }
}
