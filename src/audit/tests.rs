//! Aggregation checked on small hand-computed samples.

use std::sync::Arc;

use super::*;
use crate::check::NoScripts;
use crate::plan::RuleId;
use crate::ruleset::check_source;
use crate::span::Source;

const RULES: &str = r#"
continuum "Test"
levels { low "Low" mid "Mid" high "High" }
decisions { "NFA" -> low "EH" -> mid "S47" -> high }
themes { dv "Domestic abuse" neglect "Neglect" }
domain d "D" {
  indicator a "A" at low themes [dv]
  indicator b "B" at mid themes [neglect]
  indicator c "C" at high
}
rule r1 "B and C together" when b and c then at least high
rule never "Never fires" when a and not a then raise 1
"#;

fn plan() -> Plan {
    let src = Arc::new(Source::new("t.thr", RULES));
    let checked = check_source(&src, &NoScripts);
    assert!(
        !checked.diagnostics.has_errors(),
        "{:?}",
        checked.diagnostics
    );
    checked.plan.unwrap()
}

/// A row: id, decision rank, rules rank, extra columns, indicators.
fn feed(
    a: &mut Auditor<'_>,
    plan: &Plan,
    id: &str,
    d: Option<u8>,
    l: u8,
    extra: &[&str],
    ind: &[&str],
) {
    let mut record = crate::plan::Record::empty(plan);
    record.id = id.to_string();
    for i in ind {
        record
            .indicators
            .insert(plan.indicator_bit(i).unwrap().index());
    }
    let row = Row {
        line: a.seq + 2,
        record,
        decision: d.map(LevelRank::new),
        decision_text: d.map(|d| ["NFA", "EH", "S47"][d as usize].to_string()),
        keep: vec![],
        extra: extra.iter().map(|s| s.to_string()).collect(),
    };
    let fired = if ind.contains(&"b") && ind.contains(&"c") {
        vec![RuleId::new(0)]
    } else {
        vec![]
    };
    let score = Score {
        level: LevelRank::new(l),
        fired,
        ..Score::default()
    };
    a.add(&row, &score);
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn group_kappa_by_hand() {
    let plan = plan();
    let cols = Columns {
        by: vec!["agency".into()],
        reason: None,
        period: None,
        period_by: Default::default(),
    };
    let mut a = Auditor::new(&plan, cols);
    // police: (decision, rules) = (0,0) (0,1) (1,1) (1,1) (2,2) (0,0)
    for (i, (d, l)) in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 2), (0, 0)]
        .into_iter()
        .enumerate()
    {
        feed(
            &mut a,
            &plan,
            &format!("p{i}"),
            Some(d),
            l,
            &["police"],
            &[],
        );
    }
    // health: two disagreements and one record without decision.
    feed(&mut a, &plan, "h1", Some(2), 0, &["health"], &["a"]);
    feed(&mut a, &plan, "h2", Some(0), 2, &["health"], &["b", "c"]);
    feed(&mut a, &plan, "h3", None, 1, &["health"], &["b"]);
    let audit = a.finish(10, vec![]);
    let police = &audit.groups[0]
        .values
        .iter()
        .find(|(v, _)| v == "police")
        .unwrap()
        .1;
    // Matrix rows (decision) [2,1,0] [0,2,0] [0,0,1]; n = 6, p_o = 5/6.
    // Row margins 3/6 2/6 1/6, column margins 2/6 3/6 1/6:
    // p_e = (3·2 + 2·3 + 1·1)/36 = 13/36; kappa = (30/36 − 13/36)/(23/36) = 17/23.
    assert_eq!(
        police.confusion.rows(),
        vec![vec![2, 1, 0], vec![0, 2, 0], vec![0, 0, 1]]
    );
    assert_eq!(
        (police.n, police.agree, police.over, police.under),
        (6, 5, 0, 1)
    );
    assert!(close(police.kappa.unwrap().value, 17.0 / 23.0));
    assert!(close(police.agreement.unwrap(), 5.0 / 6.0));
    // Groups in natural order; health has 3 scored, 2 with a decision.
    assert_eq!(audit.groups[0].values[0].0, "health");
    let health = &audit.groups[0].values[0].1;
    assert_eq!(
        (
            health.scored,
            health.n,
            health.agree,
            health.over,
            health.under
        ),
        (3, 2, 0, 1, 1)
    );
    assert_eq!(health.no_decision(), 1);
    // Overall counts sum up.
    let o = &audit.overall;
    assert_eq!((o.scored, o.n, o.agree, o.over, o.under), (9, 8, 5, 1, 2));
    assert_eq!(o.agree + o.over + o.under, o.n);
    // Themes: dv = {h1}, neglect = {h2, h3 (no decision)}.
    assert_eq!(audit.themes[0].0.id, "dv");
    assert_eq!((audit.themes[0].1.n, audit.themes[0].1.over), (1, 1));
    assert_eq!(
        (
            audit.themes[1].1.scored,
            audit.themes[1].1.n,
            audit.themes[1].1.under
        ),
        (2, 1, 1)
    );
    // Rules: r1 fired once, never fired 0 times.
    assert_eq!(
        audit.rules.iter().map(|r| r.fired).collect::<Vec<_>>(),
        vec![1, 0]
    );
}

#[test]
fn evidence_order_alerts_under_distance_input() {
    let plan = plan();
    let cols = Columns {
        by: vec![],
        reason: Some("why".into()),
        period: None,
        period_by: Default::default(),
    };
    let mut a = Auditor::new(&plan, cols);
    feed(&mut a, &plan, "over2", Some(2), 0, &[""], &[]);
    feed(&mut a, &plan, "under1", Some(0), 1, &["  "], &[]);
    feed(&mut a, &plan, "agree", Some(1), 1, &[""], &[]);
    feed(&mut a, &plan, "alert1", Some(1), 2, &["judged safe"], &[]);
    feed(&mut a, &plan, "under1b", Some(1), 2, &[""], &[]);
    feed(&mut a, &plan, "alert2", Some(0), 2, &[""], &[]);
    feed(&mut a, &plan, "over1", Some(1), 0, &["x"], &[]);
    let audit = a.finish(7, vec![]);
    let ids: Vec<&str> = audit.evidence.iter().map(|e| e.id.as_str()).collect();
    // under1b is also an alert (rules at the top level, decision lower).
    assert_eq!(
        ids,
        vec!["alert2", "alert1", "under1b", "under1", "over2", "over1"]
    );
    let e = &audit.evidence[0];
    assert_eq!((e.distance, e.alert, e.agreement()), (-2, true, "under"));
    assert_eq!(audit.evidence[1].documented(), Some(true));
    assert_eq!(audit.evidence[3].documented(), Some(false));
    assert_eq!(audit.alerts(), 3);
}

#[test]
fn periods_ordered_by_time_and_trend() {
    // Issue 12: `Jun-25, Sep-25, Dec-25, Mar-26` were sorted as text.
    let plan = plan();
    let cols = Columns {
        by: vec![],
        reason: None,
        period: Some("quarter".into()),
        period_by: Default::default(),
    };
    let mut a = Auditor::new(&plan, cols);
    for q in ["Sep-25", "Mar-26", "Jun-25", "Dec-25"] {
        feed(&mut a, &plan, q, Some(0), 0, &[q], &[]);
        feed(
            &mut a,
            &plan,
            q,
            Some(1),
            u8::from(q != "Mar-26"),
            &[q],
            &[],
        );
    }
    let audit = a.finish(8, vec![]);
    let names: Vec<&str> = audit.periods.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(names, vec!["Jun-25", "Sep-25", "Dec-25", "Mar-26"]);
    assert_eq!(audit.timed_periods, 4);
    let (steps, overall) = findings::trend(&audit);
    assert_eq!(steps.len(), 3);
    assert_eq!(
        (steps[2].from.as_str(), steps[2].to.as_str()),
        ("Dec-25", "Mar-26")
    );
    assert!(close(steps[2].diff, -0.5));
    assert!(steps[2].ci.0 < -0.5 && steps[2].ci.1 > -0.5);
    assert!(overall.is_some());
    assert_eq!(audit.period_notes.text(), None);
}

#[test]
fn dated_periods_group_and_odd_values_follow() {
    let plan = plan();
    let cols = Columns {
        by: vec![],
        reason: None,
        period: Some("quarter".into()),
        period_by: crate::audit::PeriodBy::FyQuarter,
    };
    let mut a = Auditor::new(&plan, cols);
    for (id, p) in [
        ("a", "Spring"),
        ("b", "2026-03-31"),
        ("c", ""),
        ("d", "01/04/2025"),
        ("e", "2025-06-30T10:30:00"),
        ("f", "Autumn"),
        ("g", "Spring"),
        ("h", "  "),
    ] {
        feed(&mut a, &plan, id, Some(0), 1, &[p], &[]);
    }
    let audit = a.finish(8, vec![]);
    let names: Vec<(&str, u64)> = audit
        .periods
        .iter()
        .map(|p| (p.0.as_str(), p.1.n))
        .collect();
    assert_eq!(
        names,
        vec![
            ("2025/26 Q1", 2),
            ("2025/26 Q4", 1),
            ("Spring", 2),
            ("Autumn", 1),
            ("(no period)", 2)
        ]
    );
    assert_eq!(audit.timed_periods, 2);
    let n = &audit.period_notes;
    assert_eq!(
        (
            n.unreadable_values,
            n.unreadable_rows,
            n.first_unreadable_row,
            n.no_period_rows
        ),
        (2, 3, Some(2), 2)
    );
    let text = n.text().unwrap();
    assert!(
        text.contains("2 period values in 3 rows (first at row 2)"),
        "{text}"
    );
    assert!(!text.contains("Spring"), "no value is quoted: {text}");
    // Evidence carries the period group, not the raw date.
    assert!(audit
        .evidence
        .iter()
        .any(|e| e.period.as_deref() == Some("2025/26 Q4")));
}

#[test]
fn natural_order() {
    use std::cmp::Ordering::*;
    assert_eq!(natural_cmp("a2", "a10"), Less);
    assert_eq!(natural_cmp("2026-Q1", "2025-Q4"), Greater);
    assert_eq!(natural_cmp("Police", "health"), Greater);
    assert_eq!(natural_cmp("x", "x1"), Less);
    assert_eq!(natural_cmp("007", "7"), Less.min(natural_cmp("007", "7")));
}

#[test]
fn newcombe_interval_matches_published_example() {
    // Newcombe (1998) Table II example (e): 56/70 − 48/80 = 0.2000, method 10
    // interval 0.0524 to 0.3339.
    let s1 = Stats::new(&[vec![56, 14], vec![0, 0]], 2, 70);
    let s2 = Stats::new(&[vec![48, 32], vec![0, 0]], 2, 80);
    let c = findings::change(("b", &s2), ("a", &s1)).unwrap();
    assert!((c.diff - 0.2).abs() < 1e-12);
    assert!(
        (c.ci.0 - 0.0524).abs() < 5e-5 && (c.ci.1 - 0.3339).abs() < 5e-5,
        "{:?}",
        c.ci
    );
}

#[test]
fn least_prefers_groups_big_enough() {
    let big = Stats::new(&[vec![20, 10], vec![0, 10]], 2, 40);
    let small = Stats::new(&[vec![0, 1], vec![0, 0]], 2, 1);
    let l = findings::least([("big", &big), ("small", &small)].into_iter()).unwrap();
    assert_eq!((l.name.as_str(), l.small, l.groups), ("big", false, 2));
    // The small group was passed over, and the answer must say so.
    assert_eq!(l.left_out, 1);
    let l = findings::least([("small", &small)].into_iter()).unwrap();
    assert!(l.small);
    assert_eq!(l.left_out, 0);
}

#[test]
fn undefined_statistics_are_none() {
    let one = Stats::new(&[vec![0, 0], vec![0, 5]], 2, 5);
    assert!(one.kappa.is_none());
    assert_eq!(one.kappa_undefined(), Some("undefined: one level only"));
    let none = Stats::new(&[vec![0, 0], vec![0, 0]], 2, 3);
    assert_eq!((none.agreement, none.no_decision()), (None, 3));
}
