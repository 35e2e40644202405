//! One pass over a data file scoring every row under two versions of the
//! rules (`diff`): the pipeline reads, and this module's [`TwoPlans`] is
//! the work done on each row. It shares what the versions have in common
//! (one parse when they read rows alike, the old outcome of a rule whose
//! condition did not change) and times a sample of rows under each.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::data::layout::RowError;
use crate::data::{DataError, LoadOptions, Raw, Row};
use crate::eval::paired::{score_into_paired, Pairing};
use crate::eval::{score_into, Score};
use crate::pipeline::{self, Parser, Progress, RowWork, Slot, Summary};
use crate::plan::Plan;

/// One row in this many is timed under each version, by the worker that
/// scores it (its script results are warm, as for every other row), to
/// estimate each version's share of the scoring time.
pub const TIME_EVERY: u64 = 256;

/// Reads once and scores every row under two rule sets. A row rejected
/// under either is rejected (reported once, with both reasons). One row in
/// [`TIME_EVERY`] comes with how long each rule set took to score it.
/// `progress` (if any) is told how far it has read.
#[allow(clippy::type_complexity, reason = "the signature is the data contract")]
pub fn run_two(
    old: &Plan,
    new: &Plan,
    path: &Path,
    opts: &LoadOptions,
    progress: Option<&mut dyn Progress>,
    sink: &mut dyn FnMut(
        &Row,
        &Score,
        &Row,
        &Score,
        Option<[Duration; 2]>,
    ) -> Result<(), DataError>,
) -> Result<Summary, DataError> {
    pipeline::run_with(
        &[old, new],
        path,
        opts,
        progress,
        |parsers| TwoPlans::new([old, new], parsers),
        &mut |slot| match (slot.row(0), slot.row(1), slot.scores.as_slice()) {
            (Some(r1), Some(r2), [s1, s2]) => sink(r1, s1, r2, s2, slot.extra),
            _ => Ok(()),
        },
    )
}

/// Scoring under an old and a new plan.
pub struct TwoPlans<'a> {
    plans: [&'a Plan; 2],
    parsers: [Parser; 2],
    /// Both read rows alike (`Plan::reads_rows_like`): the old plan's
    /// parse serves the new one too, with no copy.
    shared_rows: bool,
    /// Rules with the same condition take the old plan's outcome.
    pairing: Option<Pairing>,
}

impl<'a> TwoPlans<'a> {
    /// The work for `plans` (old, new) parsing with `parsers`.
    pub fn new(plans: [&'a Plan; 2], parsers: [Parser; 2]) -> Self {
        let [old, new] = plans;
        Self {
            plans,
            parsers,
            shared_rows: old.reads_rows_like(new),
            pairing: Pairing::new(old, new),
        }
    }
}

impl RowWork for TwoPlans<'_> {
    /// For a timed row (see [`TIME_EVERY`]), how long scoring it took under
    /// each plan, each on its own (the new plan's shared work included).
    type Extra = Option<[Duration; 2]>;

    fn parsers(&self) -> &[Parser] {
        &self.parsers
    }

    fn empty_slot(&self) -> Slot<Self::Extra> {
        Slot {
            rows: self
                .plans
                .iter()
                .zip(&self.parsers)
                .take(if self.shared_rows { 1 } else { 2 })
                .map(|(p, parser)| parser.empty_row(p))
                .collect(),
            scores: vec![Score::default(), Score::default()],
            reject: None,
            extra: None,
        }
    }

    fn process(&self, raw: &Raw, slot: &mut Slot<Self::Extra>) {
        slot.reject = None;
        slot.extra = None;
        let line = raw.line();
        let timed = line % TIME_EVERY == 0;
        let mut times = [Duration::ZERO; 2];
        let mut errors: Vec<RowError> = Vec::new();
        let mut first_parse: Result<(), RowError> = Ok(());
        for (i, (plan, parser)) in self.plans.iter().zip(&self.parsers).enumerate() {
            let parsed = if i > 0 && self.shared_rows {
                first_parse.clone()
            } else {
                let Some(row) = slot.rows.get_mut(i) else {
                    continue;
                };
                row.line = line;
                let p = parser.parse(plan, raw, row);
                if i == 0 {
                    first_parse.clone_from(&p);
                }
                p
            };
            let Some(row) = slot.rows.get(i).or_else(|| slot.rows.first()) else {
                continue;
            };
            let at = i.min(slot.scores.len());
            let (done, rest) = slot.scores.split_at_mut(at);
            let Some(score) = rest.first_mut() else {
                continue;
            };
            let paired = match (&self.pairing, done.first()) {
                (Some(p), Some(first)) if i == 1 && errors.is_empty() => Some((p, first)),
                _ => None,
            };
            let outcome = parsed.and_then(|()| {
                let start = timed.then(Instant::now);
                let scored = match paired {
                    Some((p, first)) => score_into_paired(plan, &row.record, score, p, first),
                    None => score_into(plan, &row.record, score),
                };
                if let (Some(start), Some(t)) = (start, times.get_mut(i)) {
                    *t = start.elapsed();
                    if paired.is_some() {
                        // The paired score borrowed the old plan's outcomes:
                        // time this plan on its own as well.
                        let start = Instant::now();
                        let _ = score_into(plan, &row.record, &mut Score::default());
                        *t = start.elapsed();
                    }
                }
                scored.map_err(|e| (crate::data::WHOLE_ROW.into(), e.to_string()))
            });
            if let Err(e) = outcome {
                let which = if i == 0 { "old rules" } else { "new rules" };
                errors.push((e.0, format!("{which}: {}", e.1)));
            }
        }
        if errors.is_empty() {
            slot.extra = timed.then_some(times);
            return;
        }
        // The same failure under both versions is said once.
        if let [(c0, r0), (c1, r1)] = errors.as_slice() {
            if strip(r0) == strip(r1) && c0 == c1 {
                errors = vec![(c0.clone(), strip(r0).to_string())];
            }
        }
        slot.reject_for(line, &errors);
    }
}

/// A reason without the version it was met under.
fn strip(reason: &str) -> &str {
    reason
        .strip_prefix("old rules: ")
        .or_else(|| reason.strip_prefix("new rules: "))
        .unwrap_or(reason)
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn the_version_is_taken_off_a_reason_once() {
        assert_eq!(
            strip("old rules: age is not a number"),
            "age is not a number"
        );
        assert_eq!(strip("new rules: x"), "x");
        assert_eq!(strip("new rules: old rules: x"), "old rules: x");
        assert_eq!(strip("plain"), "plain");
    }
}
