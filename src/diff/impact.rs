//! Both versions' scores of the same records, aggregated in one pass: the
//! transition matrix, demand per level, flags gained and lost, how often each
//! rule fired, agreement with recorded decisions under each version, and every
//! record whose level changed with the rules (and indicators) responsible.

mod agreement;
mod tally;

use serde::Serialize;

pub use agreement::{AgreementImpact, Versioned};
pub use tally::ImpactBuilder;

use super::levels::LevelMap;

/// Demand at one level (by rank on the joint scale).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Demand {
    /// The level's name on the joint scale (see [`LevelMap::name`]).
    pub level: String,
    /// Records at this level under the old rules.
    pub old: u64,
    /// Under the new rules.
    pub new: u64,
    /// `new - old`.
    pub change: i64,
    /// `old / n`.
    pub old_share: Option<f64>,
    /// `new / n`.
    pub new_share: Option<f64>,
    /// `new_share - old_share`.
    pub share_change: Option<f64>,
}

/// One flag under both versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlagImpact {
    /// The flag id.
    pub flag: String,
    /// Declared in the old file.
    pub in_old: bool,
    /// Declared in the new file.
    pub in_new: bool,
    /// Records with the flag under the old rules.
    pub old: u64,
    /// Under the new rules.
    pub new: u64,
    /// `new - old`.
    pub change: i64,
    /// Records that have it only under the new rules.
    pub gained: u64,
    /// Records that have it only under the old rules.
    pub lost: u64,
}

/// One rule under both versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleImpact {
    /// The rule id.
    pub rule: String,
    /// Times fired under the old rules (`None`: not in the old file).
    pub old: Option<u64>,
    /// Times fired under the new rules (`None`: not in the new file).
    pub new: Option<u64>,
    /// In both files, with a different level effect or flags.
    pub effect_changed: bool,
}

/// A rule that explains part of a record's change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Responsible {
    /// The rule id.
    pub rule: String,
    /// It fired under the old rules.
    pub fired_old: bool,
    /// It fired under the new rules.
    pub fired_new: bool,
}

impl Responsible {
    /// In words: `fires only under new`, `effect changed`, ...
    pub fn why(&self) -> &'static str {
        match (self.fired_old, self.fired_new) {
            (true, false) => "old only",
            (false, true) => "new only",
            _ => "effect changed",
        }
    }
}

/// A record whose level changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordChange {
    /// The record id.
    pub id: String,
    /// Old level id.
    pub old: String,
    /// New level id.
    pub new: String,
    /// Old level rank (0 = lowest).
    pub old_rank: crate::plan::LevelRank,
    /// New level rank.
    pub new_rank: crate::plan::LevelRank,
    /// Old base level id.
    pub base_old: String,
    /// New base level id.
    pub base_new: String,
    /// Rules that fired under one version only, or fired under both with a changed effect.
    pub rules: Vec<Responsible>,
    /// Present indicators whose level differs between the versions.
    pub indicators: Vec<String>,
}

/// A record that gained or lost a flag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlagChange {
    /// The record id.
    pub id: String,
    /// Flags it has only under the new rules.
    pub gained: Vec<String>,
    /// Flags it has only under the old rules.
    pub lost: Vec<String>,
    /// Rules responsible (as for level changes).
    pub rules: Vec<Responsible>,
}

/// The impact of a rule change on a set of records.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impact {
    /// How levels line up.
    pub levels: LevelMap,
    /// Records scored under both.
    pub n: u64,
    /// Records whose level changed (by rank).
    pub changed: u64,
    /// Records moved to a higher level.
    pub up: u64,
    /// Records moved to a lower level.
    pub down: u64,
    /// Rows = old level, columns = new level.
    pub transitions: Vec<Vec<u64>>,
    /// Per rank on the joint scale.
    pub demand: Vec<Demand>,
    /// Per flag (old flags first, then flags only in the new file).
    pub flags: Vec<FlagImpact>,
    /// Per rule (old rules first, then rules only in the new file).
    pub rules: Vec<RuleImpact>,
    /// Agreement with recorded decisions under each version.
    pub agreement: AgreementImpact,
    /// Records whose level changed, in input order.
    pub changes: Vec<RecordChange>,
    /// Records whose flags changed, in input order.
    pub flag_changes: Vec<FlagChange>,
}

impl Impact {
    /// Whether any changed record holds an indicator that moved between
    /// levels (or was removed): the reports show an "Indicators that moved"
    /// column only then, since a change to conditions alone moves none.
    pub fn indicators_moved(&self) -> bool {
        self.changes.iter().any(|c| !c.indicators.is_empty())
    }
}

#[cfg(test)]
mod tests;
