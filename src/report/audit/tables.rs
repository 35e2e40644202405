//! The audit's tables as tables of the report model (`report::doc`),
//! shared by the Markdown, HTML and terminal renderers (each escapes or
//! aligns the cells its own way). Figures keep the audit's own wording
//! ("12 (63.2%)", "undefined"); a safeguarding alert and a caution about
//! a group are marked so that HTML can show them.

use crate::audit::{stats::band, Audit, Stats};
use crate::report::doc::{Cell, Column, Inline, Span, Table as DocTable};

use super::{caution, coef, group_value, kappa_text, opt_pct, pct, pct_ci};

/// A table of the report model.
pub type Table = DocTable;

/// A table headed `headers`, the columns listed in `num` holding figures,
/// of text rows.
fn table(headers: &[&str], num: &[usize], rows: Vec<Vec<String>>) -> Table {
    let mut t = DocTable::new(
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if num.contains(&i) {
                    Column::num(*h)
                } else {
                    Column::text(*h)
                }
            })
            .collect(),
    );
    for r in rows {
        t.row(r.into_iter().map(cell).collect());
    }
    t
}

/// A cell of text, an alert or a caution marked as such.
fn cell(c: String) -> Cell {
    if c == "ALERT" {
        Cell::Text(Inline(vec![Span::Alert(c)]))
    } else if c.starts_with("too few") || c.starts_with("kappa undefined") || c == "no decisions" {
        Cell::Text(Inline(vec![Span::Caution(c)]))
    } else {
        Cell::Text(Inline::text(c))
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn with_ci(k: Option<crate::stats::Kappa>) -> (String, String) {
    match k {
        Some(k) => {
            let (l, h) = k.ci95();
            (
                format!("{:.3} ({})", k.value, band(k.value)),
                format!("{l:.3} to {h:.3} (SE {:.3})", k.se),
            )
        }
        None => ("undefined".into(), String::new()),
    }
}

/// The overall statistics, one per row: statistic, value, 95% interval.
pub fn overall(s: &Stats) -> Table {
    let share = |c: u64, v: Option<f64>| format!("{c} ({})", opt_pct(v));
    let mut rows = vec![
        strings(&["Records scored", &s.scored.to_string(), ""]),
        strings(&["Decisions compared (n)", &s.n.to_string(), ""]),
        strings(&["Agree", &share(s.agree, s.agreement), ""]),
        strings(&[
            "Decision above the rules (over)",
            &share(s.over, s.over_share()),
            "",
        ]),
        strings(&[
            "Decision below the rules (under)",
            &share(s.under, s.under_share()),
            "",
        ]),
        strings(&[
            "Observed agreement",
            &opt_pct(s.agreement),
            &pct_ci(s.agreement_ci),
        ]),
    ];
    for (name, k) in [
        ("Cohen's kappa", s.kappa),
        ("Weighted kappa, linear", s.kappa_linear),
        ("Weighted kappa, quadratic", s.kappa_quadratic),
    ] {
        let (v, ci) = with_ci(k);
        rows.push(vec![name.into(), v, ci]);
    }
    let ac1 = s
        .gwet_ac1
        .map_or_else(|| "undefined".into(), |v| format!("{v:.3} ({})", band(v)));
    let ac1_se = s
        .gwet_ac1_se
        .map_or_else(String::new, |se| format!("SE {se:.3}"));
    rows.push(vec!["Gwet's AC1".into(), ac1, ac1_se]);
    table(&["Statistic", "Value", "95% interval"], &[], rows)
}

/// The confusion matrix: rows = decision level, columns = rules level.
pub fn confusion(a: &Audit, s: &Stats) -> Table {
    let mut headers = vec!["Decision \\ rules"];
    headers.extend(a.levels.iter().map(|l| l.label.as_str()));
    headers.push("Total");
    let k = a.levels.len();
    let m = s.confusion.rows();
    let mut rows: Vec<Vec<String>> = m
        .iter()
        .zip(&a.levels)
        .map(|(r, l)| {
            let mut v = vec![l.label.clone()];
            v.extend(r.iter().map(u64::to_string));
            v.push(r.iter().sum::<u64>().to_string());
            v
        })
        .collect();
    let mut total = vec!["Total".to_string()];
    total.extend(s.confusion.col_totals().iter().map(u64::to_string));
    total.push(s.n.to_string());
    rows.push(total);
    let num: Vec<usize> = (1..=k + 1).collect();
    table(&headers, &num, rows)
}

/// One row per group: n, agree, over, under, agreement with interval, kappa, note.
pub fn groups<'a>(first: &str, items: impl Iterator<Item = (&'a str, &'a Stats)>) -> Table {
    let rows = items
        .map(|(g, s)| {
            vec![
                group_value(g).to_string(),
                s.n.to_string(),
                s.agree.to_string(),
                s.over.to_string(),
                s.under.to_string(),
                opt_pct(s.agreement),
                pct_ci(s.agreement_ci),
                kappa_text(s),
                coef(s.kappa_quadratic.map(|k| k.value)),
                coef(s.gwet_ac1),
                caution(s).to_string(),
            ]
        })
        .collect();
    table(
        &[
            first,
            "n",
            "agree",
            "over",
            "under",
            "agreement",
            "95% interval",
            "kappa",
            "quadratic kappa",
            "AC1",
            "note",
        ],
        &[1, 2, 3, 4, 5, 7, 8, 9],
        rows,
    )
}

/// The evidence list, worst first.
pub fn evidence(a: &Audit) -> Table {
    let mut headers = strings(&[
        "#",
        "id",
        "decision",
        "decision level",
        "rules level",
        "distance",
        "alert",
    ]);
    if a.columns.reason.is_some() {
        headers.push("rationale".into());
    }
    headers.extend(a.columns.by.iter().cloned());
    if let Some(p) = &a.columns.period {
        headers.push(p.clone());
    }
    headers.push("why the rules give their level".into());
    let rows = a
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut r = vec![
                (i + 1).to_string(),
                // Invisible characters shown (`<U+200B>`): ids that look
                // the same on the page may differ.
                crate::text::visible(&e.id).into_owned(),
                e.decision.clone(),
                a.level_label(e.decision_level).to_string(),
                a.level_label(e.level).to_string(),
                format!("{:+}", e.distance),
                if e.alert {
                    "ALERT".into()
                } else {
                    String::new()
                },
            ];
            if let Some(reason) = &e.reason {
                r.push(if reason.is_empty() {
                    "undocumented".into()
                } else {
                    format!("documented: {reason}")
                });
            }
            r.extend(e.by.iter().map(|v| group_value(v).to_string()));
            if a.columns.period.is_some() {
                r.push(group_value(e.period.as_deref().unwrap_or("")).to_string());
            }
            let reasons: Vec<String> = a.reasons(e).map(|x| x.reason.clone()).collect();
            r.push(if !reasons.is_empty() {
                reasons.join("; ")
            } else {
                let by: Vec<&str> = a.set_by(e).collect();
                if by.is_empty() {
                    "no rule fired and no indicator is present: the lowest level".into()
                } else {
                    format!("no rule fired; the level comes from: {}", by.join("; "))
                }
            });
            r
        })
        .collect();
    let heads: Vec<&str> = headers.iter().map(String::as_str).collect();
    table(&heads, &[0, 5], rows)
}

/// How often each rule fired.
pub fn rules(a: &Audit) -> Table {
    let rows = a
        .rules
        .iter()
        .map(|r| {
            let share = if a.scored > 0 {
                pct(r.fired as f64 / a.scored as f64)
            } else {
                "–".into()
            };
            vec![r.id.clone(), r.fired.to_string(), share, r.reason.clone()]
        })
        .collect();
    table(
        &["rule", "times fired", "share of records", "reason"],
        &[1, 2],
        rows,
    )
}

/// Rejected rows.
pub fn rejected(a: &Audit) -> Table {
    table(
        &["row", "column", "reason"],
        &[0],
        a.rejected
            .iter()
            .map(|r| vec![r.row.to_string(), r.column.clone(), r.reason.clone()])
            .collect(),
    )
}
