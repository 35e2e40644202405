//! The three-stage driver behind [`super::run`] and [`super::run_two`]: a
//! reader thread fills batches of raw rows, a worker stage parses and scores
//! each batch on the rayon pool (all cores), and the calling thread checks
//! ids and hands rows to the sink in input order. Batches and their buffers
//! go back round the loop, so memory stays flat and rows reuse their
//! allocations.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{Progress, Summary};
use crate::data::dedup::IdSet;
use crate::data::json::JsonLayout;
use crate::data::layout::{Layout, RowError};
use crate::data::{DataError, LoadOptions, Reject, Row};
use crate::data::{Raw, RowSource};
use crate::eval::paired::{score_into_paired, Pairing};
use crate::eval::{score_into, Score};
use crate::plan::Plan;

/// Rows per batch: big enough to keep both cores busy, small enough that
/// a handful of batches in flight cost a few megabytes.
pub const BATCH: usize = 8192;

/// A batch is cut short once its raw rows hold this many bytes, so that wide
/// rows (thousands of columns) do not make batches of gigabytes.
pub(super) const BATCH_BYTES: u64 = 16 * 1024 * 1024;

/// With two plans, one row in this many is timed under each, by the worker
/// that scores it (its script results are warm, as for every other row),
/// to estimate each version's share of the scoring time.
pub const TIME_EVERY: u64 = 256;

/// How rows are parsed under one plan.
pub(super) enum Parser {
    /// Tabular formats.
    Cells(Layout),
    /// JSON objects.
    Json(JsonLayout),
}

impl Parser {
    fn empty_row(&self, plan: &Plan) -> Row {
        match self {
            Parser::Cells(l) => l.empty_row(plan),
            Parser::Json(l) => l.empty_row(plan),
        }
    }

    fn parse(&self, plan: &Plan, raw: &Raw, row: &mut Row) -> Result<(), RowError> {
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
pub(super) struct Slot {
    /// The row as read under each plan; one row serves every plan when
    /// they read rows alike (`Sharing::rows`).
    pub rows: Vec<Row>,
    /// Its score under each plan.
    pub scores: Vec<Score>,
    /// Why it cannot be used.
    pub reject: Option<Reject>,
    /// For a timed row (see [`TIME_EVERY`]), how long scoring it took under
    /// each plan, each on its own (a second plan's shared work included).
    pub timing: Option<[Duration; 2]>,
}

impl Slot {
    /// The row as plan `i` read it.
    pub(super) fn row(&self, i: usize) -> Option<&Row> {
        row_for(&self.rows, i)
    }
}

/// Plan `i`'s row among a slot's rows: its own, or the shared first one.
fn row_for(rows: &[Row], i: usize) -> Option<&Row> {
    rows.get(i).or_else(|| rows.first())
}

/// How a second plan shares the first plan's work on a row.
struct Sharing {
    /// Both read rows alike (`Plan::reads_rows_like`): the first plan's
    /// parse serves the second too, with no copy.
    rows: bool,
    /// Rules with the same condition take the first plan's outcome.
    pairing: Option<Pairing>,
}

/// Parses and scores one raw row under each plan, sharing what `sharing`
/// allows between the first plan and the second.
fn process(plans: &[&Plan], parsers: &[Parser], sharing: &Sharing, raw: &Raw, slot: &mut Slot) {
    slot.reject = None;
    slot.timing = None;
    let line = raw.line();
    let timed = plans.len() == 2 && line % TIME_EVERY == 0;
    let mut times = [Duration::ZERO; 2];
    let mut errors: Vec<RowError> = Vec::new();
    let mut first_parse: Result<(), RowError> = Ok(());
    for (i, (plan, parser)) in plans.iter().zip(parsers).enumerate() {
        let parsed = if i > 0 && sharing.rows {
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
        let Some(row) = row_for(&slot.rows, i) else {
            continue;
        };
        let at = i.min(slot.scores.len());
        let (done, rest) = slot.scores.split_at_mut(at);
        let Some(score) = rest.first_mut() else {
            continue;
        };
        let paired = match (&sharing.pairing, done.first()) {
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
                    // The paired score borrowed the first plan's outcomes:
                    // time this plan on its own as well.
                    let start = Instant::now();
                    let _ = score_into(plan, &row.record, &mut Score::default());
                    *t = start.elapsed();
                }
            }
            scored.map_err(|e| (crate::data::WHOLE_ROW.into(), e.to_string()))
        });
        if let Err(e) = outcome {
            errors.push(if plans.len() == 2 {
                let which = if i == 0 { "old rules" } else { "new rules" };
                (e.0, format!("{which}: {}", e.1))
            } else {
                e
            });
        }
    }
    if errors.is_empty() {
        slot.timing = timed.then_some(times);
        return;
    }
    if errors.len() == 2 && strip(&errors[0].1) == strip(&errors[1].1) && errors[0].0 == errors[1].0
    {
        let (column, reason) = &errors[0];
        errors = vec![(column.clone(), strip(reason).to_string())];
    }
    let id = slot
        .rows
        .first()
        .map(|r| r.record.id.clone())
        .filter(|s| !s.is_empty());
    let column = errors[0].0.clone();
    let reason = errors
        .iter()
        .map(|(c, r)| {
            if *c == column {
                r.clone()
            } else {
                format!("column `{c}`: {r}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    slot.reject = Some(Reject {
        row: line,
        id,
        column,
        reason,
    });
}

fn strip(reason: &str) -> &str {
    reason
        .strip_prefix("old rules: ")
        .or_else(|| reason.strip_prefix("new rules: "))
        .unwrap_or(reason)
}

/// Reads, parses, scores and sinks every row; see the module comment.
pub(super) fn drive(
    plans: &[&Plan],
    parsers: &[Parser],
    mut source: Box<dyn RowSource>,
    opts: &LoadOptions,
    mut progress: Option<&mut dyn Progress>,
    sink: &mut dyn FnMut(&Slot) -> Result<(), DataError>,
) -> Result<Summary, DataError> {
    let sharing = Sharing {
        rows: plans
            .split_first()
            .is_some_and(|(first, rest)| rest.iter().all(|p| first.reads_rows_like(p))),
        pairing: match plans {
            [old, new] => Pairing::new(old, new),
            _ => None,
        },
    };
    let sharing = &sharing;
    let make_slot = || Slot {
        rows: plans
            .iter()
            .zip(parsers)
            .take(if sharing.rows { 1 } else { plans.len() })
            .map(|(p, parser)| parser.empty_row(p))
            .collect(),
        scores: plans.iter().map(|_| Score::default()).collect(),
        reject: None,
        timing: None,
    };
    let position = AtomicU64::new(0);
    let mut summary = Summary::default();
    let mut ids = IdSet::new();
    let result = std::thread::scope(|s| -> Result<(), DataError> {
        type RawBatch = Vec<Option<Raw>>;
        let (raw_tx, raw_rx) = sync_channel::<Result<(RawBatch, usize), DataError>>(2);
        let (free_raw_tx, free_raw_rx) = channel::<RawBatch>();
        let (done_tx, done_rx) = sync_channel::<Result<(Vec<Slot>, usize), DataError>>(2);
        let (free_slot_tx, free_slot_rx) = channel::<Vec<Slot>>();
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
                    slots.push(make_slot());
                }
                slots[..n]
                    .par_iter_mut()
                    .zip(raws[..n].par_iter())
                    .with_min_len(256)
                    .for_each(|(slot, raw)| {
                        if let Some(raw) = raw {
                            process(plans, parsers, sharing, raw, slot);
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
            for slot in &mut slots[..n] {
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
