//! The aggregator on constructed rows and scores.

use super::*;
use crate::check::NoScripts;
use crate::data::Row;
use crate::eval;
use crate::plan::{Plan, Record, Value};
use crate::ruleset::check_source;
use crate::span::Source;

const OLD: &str = r#"
continuum "Demo"
levels { universal "U" early_help "EH" targeted "T" specialist "S" }
decisions { "NFA" -> universal "EH" -> early_help "TAF" -> targeted "S17" -> specialist }
flags { marac "MARAC" }
fields { dash: number? }
domain safety "Safety" {
  indicator dv "Domestic abuse" at targeted
  indicator a "A" at early_help
  indicator b "B" at early_help
}
rule pair "Both" when count(a, b) >= 2 then at least targeted
rule dash_high "DASH" when dash >= 14 then at least targeted, flag marac
"#;

fn plan(text: &str) -> Plan {
    let c = check_source(&Source::new("t.thr", text), &NoScripts);
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics.0);
    c.plan.unwrap()
}

fn row(p: &Plan, id: &str, inds: &[&str], dash: Option<f64>, decision: Option<&str>) -> Row {
    let mut record = Record::empty(p);
    record.id = id.into();
    for i in inds {
        record
            .indicators
            .insert(p.indicator_bit(i).unwrap().index());
    }
    if let Some(d) = dash {
        record.values[0] = Value::Num(d);
    }
    Row {
        line: 2,
        record,
        decision: decision.and_then(|d| p.decision_level(d)),
        decision_text: decision.map(String::from),
        keep: vec![],
        extra: vec![],
    }
}

type Case<'a> = (&'a str, &'a [&'a str], Option<f64>, Option<&'a str>);

fn run(old: &Plan, new: &Plan, cases: &[Case<'_>]) -> Impact {
    let mut b = ImpactBuilder::new(old, new);
    for (id, inds, dash, dec) in cases {
        let (ro, rn) = (
            row(old, id, inds, *dash, *dec),
            row(new, id, inds, *dash, *dec),
        );
        let (so, sn) = (
            eval::score(old, &ro.record).unwrap(),
            eval::score(new, &rn.record).unwrap(),
        );
        b.add(&ro, &so, &rn, &sn);
    }
    b.finish()
}

const CASES: &[Case<'static>] = &[
    ("r1", &[], None, Some("NFA")),
    ("r2", &["a"], None, Some("EH")),
    ("r3", &["a", "b"], None, Some("TAF")),
    ("r4", &["dv"], Some(15.0), Some("S17")),
    ("r5", &[], Some(20.0), Some("TAF")),
    ("r6", &["b"], Some(3.0), None),
];

#[test]
fn identical_rules_change_nothing() {
    let p = plan(OLD);
    let q = plan(OLD);
    let i = run(&p, &q, CASES);
    assert_eq!(i.n, 6);
    assert_eq!(i.changed, 0);
    assert!(i.changes.is_empty() && i.flag_changes.is_empty());
    assert_eq!(i.agreement.old, i.agreement.new);
    assert_eq!(i.agreement.kappa_change, Some(0.0));
    assert_eq!(i.agreement.mcnemar_p, 1.0);
    let diag: u64 = (0..4).map(|r| i.transitions[r][r]).sum();
    assert_eq!(diag, 6);
}

#[test]
fn a_rule_change_moves_records_and_names_the_rule() {
    let p = plan(OLD);
    let new_text = OLD
        .replace(
            "then at least targeted, flag marac",
            "then at least specialist",
        )
        .replace("count(a, b) >= 2", "count(a, b) >= 1");
    let q = plan(&new_text);
    let i = run(&p, &q, CASES);
    assert_eq!(i.changed, 4, "{:?}", i.changes);
    assert_eq!((i.up, i.down), (4, 0));
    let ids: Vec<&str> = i.changes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["r2", "r4", "r5", "r6"]);
    assert_eq!(i.changes[0].rules[0].rule, "pair");
    assert_eq!(i.changes[0].rules[0].why(), "new only");
    assert_eq!(i.changes[2].rules[0].rule, "dash_high");
    assert_eq!(i.changes[2].rules[0].why(), "effect changed");
    assert_eq!(i.transitions[1][2], 2);
    assert_eq!(i.demand[3].old, 0);
    assert_eq!(i.demand[3].new, 2);
    assert_eq!(i.demand[1].change, -2);
    let marac = &i.flags[0];
    assert_eq!(
        (marac.old, marac.new, marac.lost, marac.gained),
        (2, 0, 2, 0)
    );
    assert_eq!(i.flag_changes.len(), 2);
    // Old: r4 (S17, rules targeted) disagrees; new: r2 and r5 disagree, r4 agrees.
    assert_eq!(i.agreement.old.n, 5);
    assert_eq!(i.agreement.old.agree, 4);
    assert_eq!(i.agreement.new.agree, 3);
    let m = &i.agreement;
    assert_eq!((m.agree_old_only, m.agree_new_only), (2, 1));
}

#[test]
fn a_moved_indicator_is_named_on_the_record() {
    let p = plan(OLD);
    let q = plan(&OLD.replace(
        "indicator a \"A\" at early_help",
        "indicator a \"A\" at targeted",
    ));
    let i = run(&p, &q, CASES);
    assert_eq!(i.changed, 1);
    assert_eq!(i.changes[0].id, "r2");
    assert_eq!(i.changes[0].indicators, ["a"]);
    assert!(i.changes[0].rules.is_empty());
}

#[test]
fn different_level_sets_give_a_rectangular_matrix() {
    let p = plan(OLD);
    let q = plan(&OLD.replace("specialist \"S\"", "specialist \"S\" statutory \"X\""));
    let i = run(&p, &q, CASES);
    assert_eq!(i.transitions.len(), 4);
    assert!(i.transitions.iter().all(|r| r.len() == 5));
    assert_eq!(i.demand.len(), 5);
    assert_eq!(i.changed, 0);
    assert_eq!(i.agreement.new.confusion.len(), 5);
}
