//! The three-stage driver behind [`super::run`] and [`super::run_with`]: a
//! reader thread fills batches of raw rows, a worker stage parses and scores
//! each batch on the rayon pool (all cores), and the calling thread checks
//! ids and hands rows to the sink in input order. Batches and their buffers
//! go back round the loop, so memory stays flat and rows reuse their
//! allocations. What a worker does with one row is a [`RowWork`]: scoring
//! under one plan here ([`OnePlan`]); `diff` supplies one that scores under
//! two, sharing work and timing a sample of rows.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel};

use rayon::prelude::*;

use super::{Progress, Summary};
use crate::data::dedup::IdSet;
use crate::data::json::JsonLayout;
use crate::data::layout::{Layout, RowError};
use crate::data::{DataError, LoadOptions, Reject, Row};
use crate::data::{Raw, RowSource};
use crate::eval::{score_into, Score};
use crate::plan::Plan;

/// Rows per batch: big enough to keep both cores busy, small enough that
/// a handful of batches in flight cost a few megabytes.
pub const BATCH: usize = 8192;

/// A batch is cut short once its raw rows hold this many bytes, so that wide
/// rows (thousands of columns) do not make batches of gigabytes.
pub(super) const BATCH_BYTES: u64 = 16 * 1024 * 1024;

/// How rows are parsed under one plan.
pub enum Parser {
    /// Tabular formats.
    Cells(Layout),
    /// JSON objects.
    Json(JsonLayout),
}

impl Parser {
    /// A row shaped for `plan`, to parse into.
    pub fn empty_row(&self, plan: &Plan) -> Row {
        match self {
            Parser::Cells(l) => l.empty_row(plan),
            Parser::Json(l) => l.empty_row(plan),
        }
    }

    /// Parses a raw row into `row` under `plan`.
    pub fn parse(&self, plan: &Plan, raw: &Raw, row: &mut Row) -> Result<(), RowError> {
        match (self, raw) {
            (Parser::Cells(l), Raw::Cells { cells, .. }) => l.parse(plan, cells, row),
            (Parser::Json(l), Raw::Json { value, .. }) => l.parse(plan, value, row),
            (Parser::Json(l), Raw::JsonText { text, .. }) => l.parse_text(plan, text, row),
            (
                _,
                Raw::Rejected {
                    id, column, reason, ..
                },
            ) => {
                // The row's buffers hold the last row parsed: no id of
                // another row may be reported with this one, only its own
                // when the reader could read it.
                row.record.id.clear();
                if let Some(id) = id {
                    row.record.id.push_str(id);
                }
                Err((column.clone(), reason.clone()))
            }
            _ => Err((
                crate::data::WHOLE_ROW.into(),
                "internal: reader and parser disagree".into(),
            )),
        }
    }
}

/// One row's work area, reused from batch to batch.
pub struct Slot<E = ()> {
    /// The row as read under each plan; one row may serve every plan when
    /// they read rows alike.
    pub rows: Vec<Row>,
    /// Its score under each plan.
    pub scores: Vec<Score>,
    /// Why it cannot be used.
    pub reject: Option<Reject>,
    /// What the work adds to a row (`diff`: how long it took to score).
    pub extra: E,
}

impl<E> Slot<E> {
    /// The row as plan `i` read it: its own, or the shared first one.
    pub fn row(&self, i: usize) -> Option<&Row> {
        self.rows.get(i).or_else(|| self.rows.first())
    }

    /// Rejects the row for `errors` (at least one): the first error's
    /// column, every reason (prefixed by its column when another), and the
    /// id as read, if any.
    pub fn reject_for(&mut self, line: u64, errors: &[RowError]) {
        let Some((column, _)) = errors.first() else {
            return;
        };
        let id = self
            .rows
            .first()
            .map(|r| r.record.id.clone())
            .filter(|s| !s.is_empty());
        let reason = errors
            .iter()
            .map(|(c, r)| {
                if c == column {
                    r.clone()
                } else {
                    format!("column `{c}`: {r}")
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        self.reject = Some(Reject {
            row: line,
            id,
            column: column.clone(),
            reason,
        });
    }
}

/// Where the driver hands each slot, in input order.
pub type SlotSink<'a, E> = dyn FnMut(&Slot<E>) -> Result<(), DataError> + 'a;

/// What a worker does with one raw row: parse it and score it into a slot.
pub trait RowWork: Sync {
    /// What a slot carries besides rows, scores and a reject.
    type Extra: Send;
    /// How each plan parses rows (for the summary's header notes).
    fn parsers(&self) -> &[Parser];
    /// A fresh work area.
    fn empty_slot(&self) -> Slot<Self::Extra>;
    /// Parses and scores `raw` into `slot`, or sets `slot.reject`.
    fn process(&self, raw: &Raw, slot: &mut Slot<Self::Extra>);
}

/// Scoring under one plan.
pub struct OnePlan<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// How it parses rows (one parser).
    pub parsers: [Parser; 1],
}

impl RowWork for OnePlan<'_> {
    type Extra = ();

    fn parsers(&self) -> &[Parser] {
        &self.parsers
    }

    fn empty_slot(&self) -> Slot {
        Slot {
            rows: vec![self.parsers[0].empty_row(self.plan)],
            scores: vec![Score::default()],
            reject: None,
            extra: (),
        }
    }

    fn process(&self, raw: &Raw, slot: &mut Slot) {
        slot.reject = None;
        let line = raw.line();
        let (Some(row), Some(score)) = (slot.rows.first_mut(), slot.scores.first_mut()) else {
            return;
        };
        row.line = line;
        let outcome = self.parsers[0].parse(self.plan, raw, row).and_then(|()| {
            score_into(self.plan, &row.record, score)
                .map_err(|e| (crate::data::WHOLE_ROW.into(), e.to_string()))
        });
        if let Err(e) = outcome {
            slot.reject_for(line, &[e]);
        }
    }
}

/// Reads, parses, scores and sinks every row; see the module comment.
pub(super) fn drive<W: RowWork>(
    work: &W,
    mut source: Box<dyn RowSource>,
    opts: &LoadOptions,
    mut progress: Option<&mut dyn Progress>,
    sink: &mut SlotSink<'_, W::Extra>,
) -> Result<Summary, DataError> {
    let position = AtomicU64::new(0);
    let mut summary = Summary::default();
    let mut ids = IdSet::new();
    let result = std::thread::scope(|s| -> Result<(), DataError> {
        type RawBatch = Vec<Option<Raw>>;
        let (raw_tx, raw_rx) = sync_channel::<Result<(RawBatch, usize), DataError>>(2);
        let (free_raw_tx, free_raw_rx) = channel::<RawBatch>();
        let (done_tx, done_rx) = sync_channel::<Result<(Vec<Slot<W::Extra>>, usize), DataError>>(2);
        let (free_slot_tx, free_slot_rx) = channel::<Vec<Slot<W::Extra>>>();
        let position = &position;
        let reader = s.spawn(move || loop {
            let mut batch = free_raw_rx
                .try_recv()
                .unwrap_or_else(|_| (0..BATCH).map(|_| None).collect());
            let (mut n, mut bytes, mut end) = (0, 0, false);
            while n < BATCH && bytes < BATCH_BYTES {
                match source.next_row(&mut batch[n]) {
                    Ok(true) => {
                        bytes += batch[n].as_ref().map_or(0, Raw::bytes);
                        n += 1;
                    }
                    Ok(false) => {
                        end = true;
                        break;
                    }
                    Err(e) => {
                        let _ = raw_tx.send(Err(e));
                        return (None, (Vec::new(), 0), Vec::new());
                    }
                }
            }
            position.store(source.position(), Ordering::Relaxed);
            if n == 0 || raw_tx.send(Ok((batch, n))).is_err() || end {
                // Warnings last: some are known only once the file is read
                // (a census message with no header).
                return (source.lines(), source.spans(), source.warnings());
            }
        });
        s.spawn(move || {
            while let Ok(msg) = raw_rx.recv() {
                let (raws, n) = match msg {
                    Ok(x) => x,
                    Err(e) => {
                        let _ = done_tx.send(Err(e));
                        return;
                    }
                };
                let mut slots = free_slot_rx.try_recv().unwrap_or_default();
                while slots.len() < n {
                    slots.push(work.empty_slot());
                }
                slots[..n]
                    .par_iter_mut()
                    .zip(raws[..n].par_iter())
                    .with_min_len(256)
                    .for_each(|(slot, raw)| {
                        if let Some(raw) = raw {
                            work.process(raw, slot);
                        }
                    });
                let _ = free_raw_tx.send(raws);
                if done_tx.send(Ok((slots, n))).is_err() {
                    return;
                }
            }
        });
        for msg in done_rx {
            let (mut slots, n) = msg?;
            hand_on(&mut slots[..n], &mut summary, &mut ids, opts, sink)?;
            if let Some(p) = progress.as_deref_mut() {
                p.advance(position.load(Ordering::Relaxed));
            }
            let _ = free_slot_tx.send(slots);
        }
        if let Ok((lines, (spans, multiline), warnings)) = reader.join() {
            summary.warnings = warnings;
            summary.lines = lines;
            summary.spans = spans;
            summary.multiline = multiline;
        }
        Ok(())
    });
    if let Some(p) = progress {
        p.finish();
    }
    result.map(|()| summary)
}

/// The last stage, on the calling thread: counts each row of a batch,
/// rejects a repeated id, and hands every usable row to the sink in input
/// order (rejects are kept, or end the run under `--strict`).
fn hand_on<E>(
    slots: &mut [Slot<E>],
    summary: &mut Summary,
    ids: &mut IdSet,
    opts: &LoadOptions,
    sink: &mut SlotSink<'_, E>,
) -> Result<(), DataError> {
    for slot in slots {
        summary.read += 1;
        if let Some(r) = slot.rows.first() {
            summary.invisible_ids.check(r.line, &r.record.id);
        }
        if slot.reject.is_none() {
            let id = slot.rows.first().map_or("", |r| r.record.id.as_str());
            if !ids.insert(id) {
                slot.reject = Some(Reject {
                    row: slot.rows.first().map_or(0, |r| r.line),
                    id: Some(id.to_string()),
                    column: "id".into(),
                    // Never the id itself: this reason reaches
                    // stderr and reports, also under --pseudonymise.
                    reason: "duplicate id: an earlier row has the same id".into(),
                });
            }
        }
        match slot.reject.take() {
            None => {
                summary.scored += 1;
                sink(slot)?;
            }
            Some(r) if opts.strict => return Err(DataError::Strict(r)),
            Some(r) => summary.rejects.push(r).map_err(|e| DataError::Io {
                path: std::env::temp_dir(),
                message: format!("cannot keep the rejected rows in a temporary file: {e}"),
            })?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    fn slot(id: &str) -> Slot {
        let mut record = Record::with_shape(0, 0);
        record.id = id.into();
        Slot {
            rows: vec![Row {
                line: 0,
                record,
                decision: None,
                decision_text: None,
                keep: Vec::new(),
                extra: Vec::new(),
            }],
            scores: vec![Score::default()],
            reject: None,
            extra: (),
        }
    }

    #[test]
    fn a_reject_names_the_first_column_and_every_reason() {
        let mut s = slot("R1");
        s.reject_for(
            7,
            &[
                ("age".into(), "not a number".into()),
                ("age".into(), "too old".into()),
                ("kind".into(), "not a choice".into()),
            ],
        );
        let r = s.reject.unwrap_or_else(|| panic!("rejected"));
        assert_eq!(
            (r.row, r.id.as_deref(), r.column.as_str()),
            (7, Some("R1"), "age")
        );
        assert_eq!(
            r.reason,
            "not a number; too old; column `kind`: not a choice"
        );
    }

    #[test]
    fn a_reject_without_an_id_read_has_none() {
        let mut s = slot("");
        s.reject_for(3, &[("id".into(), "missing".into())]);
        assert_eq!(s.reject.and_then(|r| r.id), None);
        let mut s = slot("R2");
        s.reject_for(3, &[]);
        assert!(s.reject.is_none(), "no error, no reject");
    }
}
