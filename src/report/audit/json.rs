//! The audit as JSON (SPEC §6). Top-level keys: `n, agree, over, under,
//! agreement, agreement_ci, kappa, kappa_se, kappa_linear, kappa_quadratic,
//! gwet_ac1, confusion, groups, themes, rules, evidence, rejected`, plus
//! extras (`continuum`, `levels`, `read`, `scored`, `no_decision`, shares,
//! standard errors, `kappa_ci`, `periods`, `never_fired`, `summary`).
//! Undefined statistics are `null`; maps keep a meaningful order (groups and
//! periods in natural order, themes and rules in file order).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::summary::{answers, Answer};
use crate::audit::{Audit, Evidence, Stats};

#[derive(Serialize)]
struct JStats<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    scored: u64,
    no_decision: u64,
    n: u64,
    agree: u64,
    over: u64,
    under: u64,
    over_share: Option<f64>,
    under_share: Option<f64>,
    agreement: Option<f64>,
    agreement_ci: Option<[f64; 2]>,
    kappa: Option<f64>,
    kappa_se: Option<f64>,
    kappa_ci: Option<[f64; 2]>,
    kappa_linear: Option<f64>,
    kappa_linear_se: Option<f64>,
    kappa_quadratic: Option<f64>,
    kappa_quadratic_se: Option<f64>,
    gwet_ac1: Option<f64>,
    gwet_ac1_se: Option<f64>,
    confusion: Vec<Vec<u64>>,
}

fn stats<'a>(s: &Stats, label: Option<&'a str>) -> JStats<'a> {
    JStats {
        label,
        scored: s.scored,
        no_decision: s.no_decision(),
        n: s.n,
        agree: s.agree,
        over: s.over,
        under: s.under,
        over_share: s.over_share(),
        under_share: s.under_share(),
        agreement: s.agreement,
        agreement_ci: s.agreement_ci.map(|(l, h)| [l, h]),
        kappa: s.kappa.map(|k| k.value),
        kappa_se: s.kappa.map(|k| k.se),
        kappa_ci: s.kappa.map(|k| {
            let (l, h) = k.ci95();
            [l, h]
        }),
        kappa_linear: s.kappa_linear.map(|k| k.value),
        kappa_linear_se: s.kappa_linear.map(|k| k.se),
        kappa_quadratic: s.kappa_quadratic.map(|k| k.value),
        kappa_quadratic_se: s.kappa_quadratic.map(|k| k.se),
        gwet_ac1: s.gwet_ac1,
        gwet_ac1_se: s.gwet_ac1_se,
        confusion: s.confusion.rows(),
    }
}

/// A JSON object whose keys keep the given order.
struct Ordered<V>(Vec<(String, V)>);

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct JReason<'a> {
    rule: &'a str,
    reason: &'a str,
    effect: &'a str,
}

#[derive(Serialize)]
struct JEvidence<'a> {
    id: &'a str,
    row: u64,
    decision: &'a str,
    decision_level: &'a str,
    level: &'a str,
    distance: i16,
    agreement: &'a str,
    alert: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    documented: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<Ordered<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<&'a str>,
    fired: Vec<&'a str>,
    reasons: Vec<JReason<'a>>,
}

#[derive(Serialize)]
struct JReject<'a> {
    row: u64,
    column: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct Report<'a> {
    continuum: &'a str,
    version: Option<&'a str>,
    levels: Vec<&'a str>,
    read: u64,
    #[serde(flatten)]
    overall: JStats<'a>,
    groups: Ordered<Ordered<JStats<'a>>>,
    themes: Ordered<JStats<'a>>,
    periods: Ordered<JStats<'a>>,
    rules: Ordered<u64>,
    never_fired: Vec<&'a str>,
    evidence: Vec<JEvidence<'a>>,
    rejected: Vec<JReject<'a>>,
    /// What the figures rest on (header warnings, a high rejected share).
    warnings: &'a [String],
    summary: Vec<Answer>,
}

fn evidence<'a>(a: &'a Audit, e: &'a Evidence) -> JEvidence<'a> {
    JEvidence {
        id: &e.id,
        row: e.row,
        decision: &e.decision,
        decision_level: a.level_id(e.decision_level),
        level: a.level_id(e.level),
        distance: e.distance,
        agreement: e.agreement(),
        alert: e.alert,
        documented: e.documented(),
        reason: e.reason.as_deref(),
        by: (!a.columns.by.is_empty()).then(|| {
            Ordered(
                a.columns
                    .by
                    .iter()
                    .cloned()
                    .zip(e.by.iter().map(String::as_str))
                    .collect(),
            )
        }),
        period: e.period.as_deref(),
        fired: a.reasons(e).map(|r| r.id.as_str()).collect(),
        reasons: a
            .reasons(e)
            .map(|r| JReason {
                rule: &r.id,
                reason: &r.reason,
                effect: &r.effect,
            })
            .collect(),
    }
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(2))?;
        m.serialize_entry("question", &self.question)?;
        m.serialize_entry("answer", &self.answer)?;
        m.end()
    }
}

/// The report as pretty-printed JSON, ending with a newline.
pub fn render(a: &Audit) -> String {
    let report = Report {
        continuum: &a.name,
        version: a.version.as_deref(),
        levels: a.levels.iter().map(|l| l.id.as_str()).collect(),
        read: a.read,
        overall: stats(&a.overall, None),
        groups: Ordered(
            a.groups
                .iter()
                .map(|g| {
                    let values = g
                        .values
                        .iter()
                        .map(|(v, s)| (v.clone(), stats(s, None)))
                        .collect();
                    (g.column.clone(), Ordered(values))
                })
                .collect(),
        ),
        themes: Ordered(
            a.themes
                .iter()
                .map(|(t, s)| (t.id.clone(), stats(s, Some(&t.label))))
                .collect(),
        ),
        periods: Ordered(
            a.periods
                .iter()
                .map(|(p, s)| (p.clone(), stats(s, None)))
                .collect(),
        ),
        rules: Ordered(a.rules.iter().map(|r| (r.id.clone(), r.fired)).collect()),
        never_fired: a.never_fired().collect(),
        evidence: a.evidence.iter().map(|e| evidence(a, e)).collect(),
        rejected: a
            .rejected
            .iter()
            .map(|r| JReject {
                row: r.row,
                column: &r.column,
                reason: &r.reason,
            })
            .collect(),
        warnings: &a.warnings,
        summary: answers(a),
    };
    let mut s =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
