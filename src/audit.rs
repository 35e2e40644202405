//! Audit evidence on thresholds (SPEC §6): agreement between recorded
//! decisions and the rules, overall, per value of each `--by` column, per
//! theme and per period; every disagreement as evidence; how often each rule
//! fired. Pure: rows and scores in, an [`Audit`] out; no I/O, no rendering.
//!
//! Per-row work is kept small: a k×k count array per group (k = levels in the
//! rule file), and an [`Evidence`] item only for disagreements. Statistics
//! are computed once, at [`Auditor::finish`].

pub mod evidence;
pub mod findings;
pub mod period;
pub mod stats;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::data::{Reject, Row};
use crate::eval::Score;
use crate::plan::{LevelRank, Plan};

pub use evidence::Evidence;
pub use findings::natural_cmp;
pub use period::PeriodBy;
pub use stats::{Stats, SMALL_N};

/// The data columns an audit reads beside the fields (`--by`, `--reason`,
/// `--period`). They are asked of the loader, in [`Columns::extra`] order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// `--by`: group statistics by each of these columns.
    pub by: Vec<String>,
    /// `--reason`: the recorded rationale for a decision.
    pub reason: Option<String>,
    /// `--period`: e.g. the quarter, for the trend.
    pub period: Option<String>,
    /// `--period-by`: how dates in the period column are grouped.
    pub period_by: PeriodBy,
}

impl Columns {
    /// The columns to request as `LoadOptions::extra`: by columns, then the
    /// reason column, then the period column.
    pub fn extra(&self) -> Vec<String> {
        let mut v = self.by.clone();
        v.extend(self.reason.iter().cloned());
        v.extend(self.period.iter().cloned());
        v
    }

    fn reason_at(&self) -> Option<usize> {
        self.reason.as_ref().map(|_| self.by.len())
    }

    fn period_at(&self) -> Option<usize> {
        self.period
            .as_ref()
            .map(|_| self.by.len() + usize::from(self.reason.is_some()))
    }
}

/// Counts for one group: a k×k matrix (rows = decision level, columns =
/// rules level) and the number of scored records, with or without decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    k: usize,
    cells: Vec<u64>,
    scored: u64,
}

impl Tally {
    /// Empty counts over `k` levels.
    pub fn new(k: usize) -> Self {
        Self {
            k,
            cells: vec![0; k * k],
            scored: 0,
        }
    }

    /// Counts one scored record.
    #[inline]
    pub fn add(&mut self, decision: Option<LevelRank>, level: LevelRank) {
        self.scored += 1;
        if let Some(d) = decision {
            let (d, l) = (d.index(), level.index());
            if d < self.k && l < self.k {
                if let Some(c) = self.cells.get_mut(d * self.k + l) {
                    *c += 1;
                }
            }
        }
    }

    /// The statistics of these counts.
    pub fn stats(&self) -> Stats {
        let rows: Vec<Vec<u64>> = self
            .cells
            .chunks(self.k.max(1))
            .map(<[u64]>::to_vec)
            .collect();
        Stats::new(&rows, self.k, self.scored)
    }
}

/// A level, theme or other named thing of the rule file, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The id.
    pub id: String,
    /// The label.
    pub label: String,
}

/// Statistics for each value of one `--by` column.
#[derive(Clone, Debug, PartialEq)]
pub struct Grouping {
    /// The column.
    pub column: String,
    /// Each value (natural order) with its statistics.
    pub values: Vec<(String, Stats)>,
}

/// How often a rule fired on the sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule id.
    pub id: String,
    /// Its reason.
    pub reason: String,
    /// What it does, e.g. `at least specialist, flag marac`.
    pub effect: String,
    /// Records on which it fired (all scored records, with or without decision).
    pub fired: u64,
}

/// A finished audit: everything a report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Audit {
    /// The continuum's name.
    pub name: String,
    /// Its version.
    pub version: Option<String>,
    /// Levels, lowest first (confusion matrix order).
    pub levels: Vec<Name>,
    /// The columns the audit was asked to read.
    pub columns: Columns,
    /// Data rows read (scored + rejected).
    pub read: u64,
    /// Rows scored.
    pub scored: u64,
    /// Overall statistics.
    pub overall: Stats,
    /// One grouping per `--by` column, in the order given.
    pub groups: Vec<Grouping>,
    /// Per theme (records with a present indicator of the theme), declaration order.
    pub themes: Vec<(Name, Stats)>,
    /// Per period (empty without `--period`): first the periods read as
    /// dates or period labels, ordered by time ([`Audit::timed_periods`] of
    /// them), then values that are not periods in the order first seen, then
    /// [`period::NO_PERIOD`] for rows with an empty period.
    pub periods: Vec<(String, Stats)>,
    /// How many of the first [`Audit::periods`] are ordered by time (the trend
    /// reads only these).
    pub timed_periods: usize,
    /// Period values that could not be read, and rows without a period.
    pub period_notes: PeriodNotes,
    /// Every rule, file order, with how often it fired.
    pub rules: Vec<RuleCount>,
    /// Every indicator's label (what it means), in bit order: the evidence
    /// names the indicators that set a level by these.
    pub indicators: Vec<String>,
    /// Every disagreement, worst first (see [`evidence::sort`]).
    pub evidence: Vec<Evidence>,
    /// Rejected rows, in input order.
    pub rejected: Vec<Reject>,
    /// What the report must say before its figures: the header check's
    /// warnings and a high rejected share (see [`crate::pipeline::notes`]).
    pub warnings: Vec<String>,
}

impl Audit {
    /// The id of a level rank (`?` when out of range).
    pub fn level_id(&self, rank: LevelRank) -> &str {
        self.levels.get(rank.index()).map_or("?", |l| l.id.as_str())
    }

    /// The label of a level rank.
    pub fn level_label(&self, rank: LevelRank) -> &str {
        self.levels
            .get(rank.index())
            .map_or("?", |l| l.label.as_str())
    }

    /// The top level's rank.
    pub fn top(&self) -> LevelRank {
        LevelRank::try_from(self.levels.len().saturating_sub(1)).unwrap_or(LevelRank::new(u8::MAX))
    }

    /// The reasons of an evidence item's fired rules, as `(rule, reason, effect)`.
    pub fn reasons<'a>(&'a self, e: &'a Evidence) -> impl Iterator<Item = &'a RuleCount> + 'a {
        e.fired.iter().filter_map(|r| self.rules.get(r.index()))
    }

    /// The labels of the indicators that set an evidence item's level when
    /// no rule fired.
    pub fn set_by<'a>(&'a self, e: &'a Evidence) -> impl Iterator<Item = &'a str> + 'a {
        e.set_by
            .iter()
            .filter_map(|b| self.indicators.get(*b as usize))
            .map(String::as_str)
    }

    /// Disagreements where the rules say the top level and the decision is lower.
    pub fn alerts(&self) -> usize {
        self.evidence.iter().filter(|e| e.alert).count()
    }

    /// Ids of the rules that never fired on the sample, in file order.
    pub fn never_fired(&self) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .filter(|r| r.fired == 0)
            .map(|r| r.id.as_str())
    }
}

/// What the period column held beside dates and period labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeriodNotes {
    /// Distinct values that are neither a date nor a period label.
    pub unreadable_values: usize,
    /// Rows holding such a value.
    pub unreadable_rows: u64,
    /// The line (or sheet row) of the first such row.
    pub first_unreadable_row: Option<u64>,
    /// Rows whose period is empty (grouped as [`period::NO_PERIOD`]).
    pub no_period_rows: u64,
}

impl PeriodNotes {
    /// The plain-English note for reports and stderr, if there is anything to say.
    /// It quotes no value (values may be personal data).
    pub fn text(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.unreadable_values > 0 {
            parts.push(format!(
                "{} period {} in {} {} (first at row {}) could not be read as a date or a period \
                 (such as 2025-Q2, 2025/26 Q1, Jun-25 or 30/06/2025): {} listed after the dated periods, \
                 in the order first seen, and left out of the trend",
                self.unreadable_values,
                if self.unreadable_values == 1 { "value" } else { "values" },
                self.unreadable_rows,
                if self.unreadable_rows == 1 { "row" } else { "rows" },
                self.first_unreadable_row.unwrap_or(0),
                if self.unreadable_values == 1 { "it is" } else { "they are" },
            ));
        }
        if self.no_period_rows > 0 {
            parts.push(format!(
                "{} {} no period: counted under {} (listed last, left out of the trend)",
                self.no_period_rows,
                if self.no_period_rows == 1 {
                    "row has"
                } else {
                    "rows have"
                },
                period::NO_PERIOD
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; ") + ".")
    }
}

/// One period group while rows are added.
struct PeriodGroup {
    label: String,
    /// `None`: not a period (unreadable, or the no-period group).
    span: Option<period::Span>,
    empty: bool,
    tally: Tally,
}

/// Period groups, found by raw value (each distinct value is read once)
/// and by label (dates of one quarter share a group).
#[derive(Default)]
struct Periods {
    by_value: HashMap<String, usize>,
    by_label: HashMap<String, usize>,
    groups: Vec<PeriodGroup>,
    first_unreadable_row: Option<u64>,
}

impl Periods {
    /// The group of `value` (read with `by`) for a row at `line`.
    fn group(&mut self, value: &str, by: PeriodBy, line: u64, k: usize) -> usize {
        if let Some(&i) = self.by_value.get(value) {
            return i;
        }
        let (label, span, empty) = match period::read(value, by) {
            period::Read::Dated(span, label) => (label, Some(span), false),
            period::Read::Label(span) => (value.trim().to_string(), Some(span), false),
            period::Read::Empty => (period::NO_PERIOD.to_string(), None, true),
            period::Read::Unreadable => {
                self.first_unreadable_row.get_or_insert(line);
                (value.trim().to_string(), None, false)
            }
        };
        let i = match self.by_label.get(&label) {
            Some(&i) => i,
            None => {
                let i = self.groups.len();
                self.by_label.insert(label.clone(), i);
                self.groups.push(PeriodGroup {
                    label,
                    span,
                    empty,
                    tally: Tally::new(k),
                });
                i
            }
        };
        self.by_value.insert(value.to_string(), i);
        i
    }

    /// The groups in report order, how many are timed, and the notes.
    fn finish(self) -> (Vec<(String, Stats)>, usize, PeriodNotes) {
        let mut notes = PeriodNotes {
            first_unreadable_row: self.first_unreadable_row,
            ..PeriodNotes::default()
        };
        let mut groups: Vec<(usize, PeriodGroup)> = self.groups.into_iter().enumerate().collect();
        // Timed first (by start, then length, then first seen); then the
        // unreadable ones in first-seen order; the no-period group last.
        groups.sort_by_key(|(seen, g)| (g.empty, g.span.is_none(), g.span, *seen));
        let timed = groups.iter().filter(|(_, g)| g.span.is_some()).count();
        for (_, g) in &groups {
            if g.empty {
                notes.no_period_rows += g.tally.scored;
            } else if g.span.is_none() {
                notes.unreadable_values += 1;
                notes.unreadable_rows += g.tally.scored;
            }
        }
        let v = groups
            .into_iter()
            .map(|(_, g)| (g.label, g.tally.stats()))
            .collect();
        (v, timed, notes)
    }
}

/// Accumulates scored rows into an [`Audit`].
pub struct Auditor<'p> {
    plan: &'p Plan,
    columns: Columns,
    k: usize,
    overall: Tally,
    groups: Vec<HashMap<String, Tally>>,
    themes: Vec<Tally>,
    periods: Periods,
    fired: Vec<u64>,
    evidence: Vec<Evidence>,
    seq: u64,
}

impl<'p> Auditor<'p> {
    /// Starts an audit of rows scored with `plan`, whose `Row::extra` holds
    /// [`Columns::extra`] in that order.
    pub fn new(plan: &'p Plan, columns: Columns) -> Self {
        let k = plan.decl.levels.len();
        Self {
            plan,
            k,
            overall: Tally::new(k),
            groups: vec![HashMap::new(); columns.by.len()],
            themes: vec![Tally::new(k); plan.decl.themes.len()],
            periods: Periods::default(),
            fired: vec![0; plan.rules.len()],
            evidence: Vec::new(),
            seq: 0,
            columns,
        }
    }

    /// Adds one scored row.
    pub fn add(&mut self, row: &Row, score: &Score) {
        let (d, l) = (row.decision, score.level);
        self.overall.add(d, l);
        for (g, map) in self.groups.iter_mut().enumerate() {
            let v = row.extra.get(g).map_or("", String::as_str);
            tally_in(map, v, self.k).add(d, l);
        }
        let mut period = None;
        if let Some(p) = self.columns.period_at() {
            let v = row.extra.get(p).map_or("", String::as_str);
            let i = self
                .periods
                .group(v, self.columns.period_by, row.line, self.k);
            if let Some(g) = self.periods.groups.get_mut(i) {
                g.tally.add(d, l);
                period = Some(i);
            }
        }
        for (t, mask) in self.plan.theme_masks() {
            if row.record.indicators.intersects(mask) {
                if let Some(tally) = self.themes.get_mut(t.index()) {
                    tally.add(d, l);
                }
            }
        }
        for r in &score.fired {
            if let Some(c) = self.fired.get_mut(r.index()) {
                *c += 1;
            }
        }
        if let Some(dl) = d {
            if dl != l {
                let mut e = self.evidence_for(row, score, dl);
                if let Some(g) = period.and_then(|i| self.periods.groups.get(i)) {
                    e.period = Some(g.label.clone());
                }
                self.evidence.push(e);
            }
        }
        self.seq += 1;
    }

    fn evidence_for(&self, row: &Row, score: &Score, dl: LevelRank) -> Evidence {
        let extra = |i: Option<usize>| i.and_then(|i| row.extra.get(i)).cloned();
        let top = LevelRank::try_from(self.k.saturating_sub(1)).unwrap_or(LevelRank::new(u8::MAX));
        Evidence {
            seq: self.seq,
            row: row.line,
            id: row.record.id.clone(),
            decision: row.decision_text.clone().unwrap_or_default(),
            decision_level: dl,
            level: score.level,
            distance: i16::from(dl.get()) - i16::from(score.level.get()),
            alert: score.level == top && dl < top,
            fired: score.fired.clone(),
            reason: extra(self.columns.reason_at()).map(|s| s.trim().to_string()),
            by: row
                .extra
                .iter()
                .take(self.columns.by.len())
                .cloned()
                .collect(),
            period: extra(self.columns.period_at()),
            set_by: if score.fired.is_empty() {
                row.record
                    .indicators
                    .iter()
                    .filter(|b| {
                        self.plan
                            .decl
                            .indicators
                            .get(*b)
                            .is_some_and(|i| i.level == score.base)
                    })
                    .filter_map(|b| u32::try_from(b).ok())
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Finishes: statistics, sorted groups and evidence.
    pub fn finish(self, read: u64, rejected: Vec<Reject>) -> Audit {
        let plan = self.plan;
        let name = |id: &str, label: &str| Name {
            id: id.to_string(),
            label: label.to_string(),
        };
        let sorted = |map: HashMap<String, Tally>| {
            let mut v: Vec<(String, Stats)> =
                map.into_iter().map(|(k, t)| (k, t.stats())).collect();
            v.sort_by(|a, b| natural_cmp(&a.0, &b.0));
            v
        };
        let (periods, timed_periods, period_notes) = self.periods.finish();
        let mut evidence = self.evidence;
        evidence::sort(&mut evidence);
        Audit {
            name: plan.name.clone(),
            version: plan.version.clone(),
            levels: plan
                .decl
                .levels
                .iter()
                .map(|l| name(&l.id, &l.label))
                .collect(),
            read,
            scored: self.overall.scored,
            overall: self.overall.stats(),
            groups: self
                .columns
                .by
                .iter()
                .cloned()
                .zip(self.groups)
                .map(|(column, map)| Grouping {
                    column,
                    values: sorted(map),
                })
                .collect(),
            themes: plan
                .decl
                .themes
                .iter()
                .zip(&self.themes)
                .map(|(t, tally)| (name(&t.id, &t.label), tally.stats()))
                .collect(),
            periods,
            timed_periods,
            period_notes,
            rules: plan
                .rules
                .iter()
                .zip(&self.fired)
                .map(|(r, n)| RuleCount {
                    id: r.id.clone(),
                    reason: r.reason.clone(),
                    effect: crate::explain::effect(plan, r),
                    fired: *n,
                })
                .collect(),
            indicators: plan
                .decl
                .indicators
                .iter()
                .map(|i| i.description.clone())
                .collect(),
            evidence,
            rejected,
            warnings: Vec::new(),
            columns: self.columns,
        }
    }
}

/// The tally for `key`, created on first sight (no allocation when it exists).
#[inline]
fn tally_in<'m>(map: &'m mut HashMap<String, Tally>, key: &str, k: usize) -> &'m mut Tally {
    if !map.contains_key(key) {
        map.insert(key.to_string(), Tally::new(k));
    }
    // INVARIANT: inserted just above when absent.
    match map.get_mut(key) {
        Some(t) => t,
        None => unreachable!("tally inserted above"),
    }
}
