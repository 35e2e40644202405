//! The audit's tables as tables of the report model (`report::doc`),
//! shared by the Markdown, HTML and terminal renderers (each escapes or
//! aligns the cells its own way) and the workbook (figures as numbers with
//! their formats). Counts, shares and coefficients are typed cells shown
//! as the audit words them ("63.2%", "0.590", "–" when undefined); a
//! combined figure ("12 (63.2%)", "0.590 (moderate)") stays text; a
//! safeguarding alert and a caution about a group are marked so that HTML
//! can show them.

use crate::audit::{stats::band, Audit, Evidence, Stats};
use crate::report::doc::{Cell, Column, Inline, Span, Table as DocTable};

use super::{caution, group_value, kappa_text, opt_pct, pct_ci};

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

/// A table headed `headers`, the columns listed in `num` holding figures,
/// of typed rows.
fn typed(headers: &[&str], num: &[usize], rows: Vec<Vec<Cell>>) -> Table {
    let mut t = table(headers, num, Vec::new());
    t.rows = rows;
    t
}

/// A count.
fn count(n: u64) -> Cell {
    Cell::count(n)
}

/// A share with one decimal, or `–` when undefined.
fn share(v: Option<f64>) -> Cell {
    v.map_or_else(|| Cell::text("–"), |v| Cell::pct(Some(v)))
}

/// A coefficient with three decimals, or `–` when undefined.
fn coefficient(v: Option<f64>) -> Cell {
    v.map_or_else(|| Cell::text("–"), |v| Cell::stat(Some(v)))
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
    let mut rows: Vec<Vec<Cell>> = m
        .iter()
        .zip(&a.levels)
        .map(|(r, l)| {
            let mut v = vec![Cell::text(l.label.clone())];
            v.extend(r.iter().copied().map(count));
            v.push(count(r.iter().sum::<u64>()));
            v
        })
        .collect();
    let mut total = vec![Cell::text("Total")];
    total.extend(s.confusion.col_totals().iter().copied().map(count));
    total.push(count(s.n));
    rows.push(total);
    let num: Vec<usize> = (1..=k + 1).collect();
    typed(&headers, &num, rows)
}

/// One row per group: n, agree, over, under, agreement with interval, kappa, note.
pub fn groups<'a>(first: &str, items: impl Iterator<Item = (&'a str, &'a Stats)>) -> Table {
    let rows = items
        .map(|(g, s)| {
            vec![
                Cell::text(group_value(g)),
                count(s.n),
                count(s.agree),
                count(s.over),
                count(s.under),
                share(s.agreement),
                Cell::text(pct_ci(s.agreement_ci)),
                match s.kappa {
                    Some(k) => Cell::stat(Some(k.value)),
                    None => Cell::text(kappa_text(s)),
                },
                coefficient(s.kappa_quadratic.map(|k| k.value)),
                coefficient(s.gwet_ac1),
                cell(caution(s).to_string()),
            ]
        })
        .collect();
    typed(
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

/// The evidence list, worst first: the reading's table (the rationale as
/// "documented: ..." or "undocumented").
pub fn evidence(a: &Audit) -> Table {
    evidence_table(a, Form::Reading)
}

/// Every figure of every group, one row a group (the overall figures
/// first): the workbook's sheet of raw figures, for filtering and sorting.
/// `groupings` pairs each grouping's name with its groups.
pub fn figures<'a>(a: &'a Audit, groupings: &[(&str, Vec<(&'a str, &'a Stats)>)]) -> Table {
    let mut rows = vec![figure_row("all", "All decisions", &a.overall)];
    for (name, groups) in groupings {
        rows.extend(
            groups
                .iter()
                .map(|(g, s)| figure_row(name, group_value(g), s)),
        );
    }
    typed(
        &[
            "grouping",
            "group",
            "scored",
            "n",
            "agree",
            "over",
            "under",
            "agreement",
            "agreement 95% low",
            "agreement 95% high",
            "kappa",
            "kappa SE",
            "kappa linear",
            "kappa quadratic",
            "Gwet's AC1",
            "over share",
            "under share",
            "no decision",
            "note",
        ],
        &(2..=17).collect::<Vec<_>>(),
        rows,
    )
}

fn figure_row(grouping: &str, group: &str, s: &Stats) -> Vec<Cell> {
    vec![
        Cell::text(grouping),
        Cell::text(group),
        count(s.scored),
        count(s.n),
        count(s.agree),
        count(s.over),
        count(s.under),
        Cell::pct(s.agreement),
        Cell::pct(s.agreement_ci.map(|c| c.0)),
        Cell::pct(s.agreement_ci.map(|c| c.1)),
        Cell::stat(s.kappa.map(|k| k.value)),
        Cell::stat(s.kappa.map(|k| k.se)),
        Cell::stat(s.kappa_linear.map(|k| k.value)),
        Cell::stat(s.kappa_quadratic.map(|k| k.value)),
        Cell::stat(s.gwet_ac1),
        Cell::pct(s.over_share()),
        Cell::pct(s.under_share()),
        count(s.no_decision()),
        cell(caution(s).to_string()),
    ]
}

/// The evidence list in full, worst first, one column a fact (the data
/// row, over or under, the rationale apart from whether there is one, the
/// rules that fired): the workbook's sheet for filtering.
pub fn evidence_full(a: &Audit) -> Table {
    evidence_table(a, Form::Workbook)
}

/// Which of the two evidence tables.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The reading's: a column a fact a reader needs.
    Reading,
    /// The workbook's: every fact in a column of its own, for filtering.
    Workbook,
}

/// A column of an evidence table: its heading (and whether it holds
/// figures), and its cell for the record at a position in the list.
struct EvidenceColumn<'a> {
    column: Column,
    cell: CellOf<'a>,
}

/// A column's cell for the record at a position in the list.
type CellOf<'a> = Box<dyn Fn(usize, &Evidence) -> Cell + 'a>;

impl<'a> EvidenceColumn<'a> {
    fn text(heading: impl Into<String>, cell: impl Fn(&Evidence) -> Cell + 'a) -> Self {
        EvidenceColumn {
            column: Column::text(heading),
            cell: Box::new(move |_, e| cell(e)),
        }
    }

    fn num(heading: impl Into<String>, cell: impl Fn(usize, &Evidence) -> Cell + 'a) -> Self {
        EvidenceColumn {
            column: Column::num(heading),
            cell: Box::new(cell),
        }
    }
}

/// The columns of the evidence table in `form`: both tables share every
/// column and its cells, and the workbook's adds the data row, over or
/// under, whether the decision is documented apart from its rationale,
/// and the rules that fired.
fn evidence_columns(a: &Audit, form: Form) -> Vec<EvidenceColumn<'_>> {
    use EvidenceColumn as C;
    let full = form == Form::Workbook;
    let mut cols = vec![
        C::num("#", |i, _| count(i as u64 + 1)),
        // Invisible characters shown (`<U+200B>`): ids that look the same
        // on the page may differ.
        C::text("id", |e| Cell::text(crate::text::visible(&e.id))),
    ];
    if full {
        cols.push(C::num("data row", |_, e| count(e.row)));
    }
    cols.extend([
        C::text("decision", |e| Cell::text(e.decision.clone())),
        C::text("decision level", |e| {
            Cell::text(a.level_label(e.decision_level))
        }),
        C::text("rules level", |e| Cell::text(a.level_label(e.level))),
        C::num("distance", |_, e| Cell::Delta(i64::from(e.distance))),
    ]);
    if full {
        cols.push(C::text("over or under", |e| Cell::text(e.agreement())));
    }
    cols.push(C::text("alert", |e| {
        cell(if e.alert {
            "ALERT".into()
        } else {
            String::new()
        })
    }));
    if a.columns.reason.is_some() {
        if full {
            cols.push(C::text("documented", |e| match e.documented() {
                Some(true) => Cell::text("yes"),
                Some(false) => Cell::text("no"),
                None => Cell::Empty,
            }));
            cols.push(C::text("rationale", |e| {
                Cell::text(e.reason.clone().unwrap_or_default())
            }));
        } else {
            cols.push(C::text("rationale", |e| {
                e.reason
                    .as_deref()
                    .map_or(Cell::Empty, |r| Cell::text(documented(r)))
            }));
        }
    }
    for (k, name) in a.columns.by.iter().enumerate() {
        cols.push(C::text(name.clone(), move |e| {
            e.by.get(k)
                .map_or(Cell::Empty, |v| Cell::text(group_value(v)))
        }));
    }
    if let Some(p) = &a.columns.period {
        cols.push(C::text(p.clone(), |e| {
            Cell::text(group_value(e.period.as_deref().unwrap_or("")))
        }));
    }
    if full {
        cols.push(C::text("rules fired", |e| {
            let fired: Vec<&str> = a.reasons(e).map(|x| x.id.as_str()).collect();
            Cell::text(fired.join(", "))
        }));
    }
    cols.push(C::text("why the rules give their level", |e| {
        Cell::text(why(a, e))
    }));
    cols
}

/// The evidence list, worst first, as the table in `form`.
fn evidence_table(a: &Audit, form: Form) -> Table {
    let cols = evidence_columns(a, form);
    let mut t = DocTable::new(cols.iter().map(|c| c.column.clone()).collect());
    for (i, e) in a.evidence.iter().enumerate() {
        t.row(cols.iter().map(|c| (c.cell)(i, e)).collect());
    }
    t
}

/// A record's rationale as the evidence shows it.
fn documented(reason: &str) -> String {
    if reason.is_empty() {
        "undocumented".into()
    } else {
        format!("documented: {reason}")
    }
}

/// Why the rules give a record its level: the fired rules' reasons, or
/// the indicators that set the level when no rule fired.
fn why(a: &Audit, e: &Evidence) -> String {
    let reasons: Vec<String> = a.reasons(e).map(|x| x.reason.clone()).collect();
    if !reasons.is_empty() {
        return reasons.join("; ");
    }
    let by: Vec<&str> = a.set_by(e).collect();
    if by.is_empty() {
        "no rule fired and no indicator is present: the lowest level".into()
    } else {
        format!("no rule fired; the level comes from: {}", by.join("; "))
    }
}

/// How often each rule fired.
pub fn rules(a: &Audit) -> Table {
    let rows = a
        .rules
        .iter()
        .map(|r| {
            let share = share((a.scored > 0).then(|| r.fired as f64 / a.scored as f64));
            vec![
                Cell::text(r.id.clone()),
                count(r.fired),
                share,
                Cell::text(r.reason.clone()),
            ]
        })
        .collect();
    typed(
        &["rule", "times fired", "share of records", "reason"],
        &[1, 2],
        rows,
    )
}

/// Rejected rows.
pub fn rejected(a: &Audit) -> Table {
    typed(
        &["row", "column", "reason"],
        &[0],
        a.rejected
            .iter()
            .map(|r| {
                vec![
                    count(r.row),
                    Cell::text(r.column.clone()),
                    Cell::text(r.reason.clone()),
                ]
            })
            .collect(),
    )
}
