//! Properties of the impact aggregator: a rule file compared with itself
//! reports no change, identical agreement under both versions, and a
//! transition matrix that is diagonal and adds up to the records scored.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test or benchmark that cannot run should fail loudly"
)]

use proptest::prelude::*;
use thresholds::data::Row;
use thresholds::diff::{self, ImpactBuilder, Side};
use thresholds::eval;
use thresholds::plan::{FieldType, Plan, Record, Value};
use thresholds::ruleset::{load_file, Checked};

fn plan() -> Plan {
    let Checked { plan, diagnostics } = load_file(std::path::Path::new(
        "tests/fixtures/diff/count_threshold/old.thr",
    ))
    .unwrap();
    assert!(!diagnostics.has_errors());
    plan.unwrap()
}

/// A record for `p` from random choices: indicator bits, one number per field
/// (or missing, when optional), a decision level.
fn record(p: &Plan, id: usize, bits: &[bool], nums: &[Option<f64>], decision: Option<u8>) -> Row {
    let mut r = Record::empty(p);
    r.id = format!("r{id}");
    for (i, on) in bits.iter().enumerate().take(p.decl.indicators.len()) {
        if *on {
            r.indicators.insert(i);
        }
    }
    for (slot, f) in p.decl.fields.iter().enumerate() {
        let v = nums.get(slot).copied().flatten();
        r.values[slot] = match (&f.kind, v) {
            (FieldType::Number(_), Some(x)) => Value::Num(x),
            (FieldType::Number(_), None) if !f.optional => Value::Num(0.0),
            (FieldType::Bool, v) => Value::Bool(v.is_some()),
            _ => Value::Missing,
        };
    }
    Row {
        line: id as u64 + 2,
        record: r,
        decision: decision.map(|d| thresholds::plan::LevelRank::new(d % (p.top().get() + 1))),
        decision_text: None,
        keep: vec![],
        extra: vec![],
    }
}

type Rec = (Vec<bool>, Vec<Option<f64>>, Option<u8>);

fn records() -> impl Strategy<Value = Vec<Rec>> {
    prop::collection::vec(
        (
            prop::collection::vec(prop::bool::weighted(0.2), 8),
            prop::collection::vec(prop::option::of(0.0f64..30.0), 2),
            prop::option::of(0u8..4),
        ),
        0..60,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_rule_file_against_itself_changes_nothing(recs in records()) {
        let (old, new) = (plan(), plan());
        let mut b = ImpactBuilder::new(&old, &new);
        for (i, (bits, nums, dec)) in recs.iter().enumerate() {
            let ro = record(&old, i, bits, nums, *dec);
            let rn = record(&new, i, bits, nums, *dec);
            let so = eval::score(&old, &ro.record).unwrap();
            let sn = eval::score(&new, &rn.record).unwrap();
            b.add(&ro, &so, &rn, &sn);
        }
        let i = b.finish();
        prop_assert_eq!(i.n, recs.len() as u64);
        prop_assert_eq!(i.changed, 0);
        prop_assert!(i.changes.is_empty() && i.flag_changes.is_empty());
        prop_assert_eq!(&i.agreement.old, &i.agreement.new);
        prop_assert_eq!(i.agreement.old.kappa, i.agreement.new.kappa);
        prop_assert_eq!(i.agreement.agree_old_only + i.agreement.agree_new_only, 0);
        let total: u64 = i.transitions.iter().flatten().sum();
        prop_assert_eq!(total, i.n);
        for (r, row) in i.transitions.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                prop_assert!(r == c || *v == 0);
            }
        }
        prop_assert!(i.demand.iter().all(|d| d.change == 0));
        prop_assert!(diff::compare(&Side::of(&old).unwrap(), &Side::of(&new).unwrap()).is_empty());
    }

    #[test]
    fn counts_add_up_for_any_pair(recs in records()) {
        let old = plan();
        let Checked { plan: new, .. } = load_file(std::path::Path::new(
            "tests/fixtures/diff/effect_changed/new.thr",
        ))
        .unwrap();
        let new = new.unwrap();
        let mut b = ImpactBuilder::new(&old, &new);
        for (i, (bits, nums, dec)) in recs.iter().enumerate() {
            let ro = record(&old, i, bits, nums, *dec);
            let rn = record(&new, i, bits, nums, *dec);
            let so = eval::score(&old, &ro.record).unwrap();
            let sn = eval::score(&new, &rn.record).unwrap();
            b.add(&ro, &so, &rn, &sn);
        }
        let i = b.finish();
        let off: u64 = i
            .transitions
            .iter()
            .enumerate()
            .flat_map(|(r, row)| row.iter().enumerate().filter(move |(c, _)| *c != r).map(|(_, v)| *v))
            .sum();
        prop_assert_eq!(off, i.changed);
        prop_assert_eq!(i.changes.len() as u64, i.changed);
        prop_assert_eq!(i.up + i.down, i.changed);
        let old_total: u64 = i.demand.iter().map(|d| d.old).sum();
        let new_total: u64 = i.demand.iter().map(|d| d.new).sum();
        prop_assert_eq!((old_total, new_total), (i.n, i.n));
        for c in &i.changes {
            prop_assert!(!c.rules.is_empty() || !c.indicators.is_empty(), "{:?}", c);
        }
    }
}
