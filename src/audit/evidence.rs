//! One disagreement between a recorded decision and the rules, and the order
//! the evidence list is read in: safeguarding alerts first, then `under`
//! before `over`, then the largest distance, then input order.

use std::cmp::Ordering;

/// A record whose decision level differs from the rules' level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Position among scored rows (input order, from 0).
    pub seq: u64,
    /// Line in the file (header = 1) or sheet row.
    pub row: u64,
    /// The record id.
    pub id: String,
    /// The decision as recorded.
    pub decision: String,
    /// The decision's level (rank).
    pub decision_level: crate::plan::LevelRank,
    /// The rules' level (rank).
    pub level: crate::plan::LevelRank,
    /// Decision rank − rules rank: negative = under, positive = over.
    pub distance: i16,
    /// The rules say the top level and the decision is lower.
    pub alert: bool,
    /// Fired rules (indexes into the plan's rules), file order.
    pub fired: Vec<crate::plan::RuleId>,
    /// With `--reason`: the recorded rationale, trimmed (may be empty).
    pub reason: Option<String>,
    /// The record's value of each `--by` column.
    pub by: Vec<String>,
    /// With `--period`: the record's period.
    pub period: Option<String>,
    /// When no rule fired: the indicators present at the rules' level, which
    /// set it (indexes into [`crate::audit::Audit::indicators`]).
    pub set_by: Vec<u32>,
}

impl Evidence {
    /// The decision is below the rules' level (possible missed need).
    pub fn is_under(&self) -> bool {
        self.distance < 0
    }

    /// `under` or `over`.
    pub fn agreement(&self) -> &'static str {
        if self.is_under() {
            "under"
        } else {
            "over"
        }
    }

    /// With `--reason`: whether a rationale was recorded (a documented
    /// professional override) or not (an undocumented disagreement).
    pub fn documented(&self) -> Option<bool> {
        self.reason.as_ref().map(|r| !r.is_empty())
    }
}

/// Worst first: alerts, then under before over, then |distance| descending,
/// then input order.
pub fn order(a: &Evidence, b: &Evidence) -> Ordering {
    b.alert
        .cmp(&a.alert)
        .then(b.is_under().cmp(&a.is_under()))
        .then(b.distance.unsigned_abs().cmp(&a.distance.unsigned_abs()))
        .then(a.seq.cmp(&b.seq))
}

/// Sorts the evidence list worst first (see [`order`]).
pub fn sort(items: &mut [Evidence]) {
    items.sort_by(order);
}
