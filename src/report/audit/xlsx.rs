//! The audit as an Excel workbook: a Summary sheet (standing questions and
//! headline figures), one sheet per grouping (each `--by` column, Themes,
//! Periods), the confusion matrix, the Evidence list, Rules and Rejected.
//! Figures are real numbers; headers are frozen; text from the data is
//! neutralised against formula injection.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use super::summary::answers;
use crate::audit::{Audit, Stats};
use crate::report::xlsx::{sheet_name, table, Cell};

const GROUP_HEADS: [&str; 19] = [
    "group",
    "scored",
    "n",
    "agree",
    "over",
    "under",
    "agreement",
    "agreement low",
    "agreement high",
    "kappa",
    "kappa se",
    "kappa linear",
    "kappa quadratic",
    "gwet ac1",
    "over share",
    "under share",
    "no decision",
    "small sample",
    "kappa undefined",
];

fn group_row<'a>(name: Cell<'a>, s: &Stats) -> Vec<Cell<'a>> {
    vec![
        name,
        Cell::int(s.scored),
        Cell::int(s.n),
        Cell::int(s.agree),
        Cell::int(s.over),
        Cell::int(s.under),
        Cell::opt_pct(s.agreement),
        Cell::opt_pct(s.agreement_ci.map(|c| c.0)),
        Cell::opt_pct(s.agreement_ci.map(|c| c.1)),
        Cell::opt_stat(s.kappa.map(|k| k.value)),
        Cell::opt_stat(s.kappa.map(|k| k.se)),
        Cell::opt_stat(s.kappa_linear.map(|k| k.value)),
        Cell::opt_stat(s.kappa_quadratic.map(|k| k.value)),
        Cell::opt_stat(s.gwet_ac1),
        Cell::opt_pct(s.over_share()),
        Cell::opt_pct(s.under_share()),
        Cell::int(s.no_decision()),
        Cell::Bool(s.small()),
        Cell::Bool(s.n > 0 && s.kappa.is_none()),
    ]
}

/// The workbook's bytes.
pub fn render(a: &Audit) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let mut used = Vec::new();
    let bold = Format::new().set_bold();

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Summary", &mut used))?;
    let o = &a.overall;
    let mut rows: Vec<Vec<Cell>> = a
        .warnings
        .iter()
        .map(|w| vec![Cell::text("WARNING"), Cell::text(w.as_str())])
        .collect();
    rows.extend(vec![
        vec![Cell::text("continuum"), Cell::text(a.name.as_str())],
        vec![Cell::text("rows read"), Cell::int(a.read)],
        vec![Cell::text("scored"), Cell::int(a.scored)],
        vec![Cell::text("rejected"), Cell::int(a.rejected.len() as u64)],
        vec![Cell::text("n (with a decision)"), Cell::int(o.n)],
        vec![Cell::text("agree"), Cell::int(o.agree)],
        vec![Cell::text("over"), Cell::int(o.over)],
        vec![Cell::text("under"), Cell::int(o.under)],
        vec![Cell::text("agreement"), Cell::opt_pct(o.agreement)],
        vec![
            Cell::text("agreement 95% low"),
            Cell::opt_pct(o.agreement_ci.map(|c| c.0)),
        ],
        vec![
            Cell::text("agreement 95% high"),
            Cell::opt_pct(o.agreement_ci.map(|c| c.1)),
        ],
        vec![
            Cell::text("kappa"),
            Cell::opt_stat(o.kappa.map(|k| k.value)),
        ],
        vec![
            Cell::text("kappa se"),
            Cell::opt_stat(o.kappa.map(|k| k.se)),
        ],
        vec![
            Cell::text("kappa linear"),
            Cell::opt_stat(o.kappa_linear.map(|k| k.value)),
        ],
        vec![
            Cell::text("kappa quadratic"),
            Cell::opt_stat(o.kappa_quadratic.map(|k| k.value)),
        ],
        vec![Cell::text("gwet ac1"), Cell::opt_stat(o.gwet_ac1)],
        vec![
            Cell::text("safeguarding alerts"),
            Cell::int(a.alerts() as u64),
        ],
    ]);
    let next = table(ws, 0, &["statistic", "value"], &rows)?;
    // The answers are paragraphs: a wide second column, wrapped, so that
    // the sheet reads (and prints) like the report's first section.
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 90)?;
    ws.write_string_with_format(next, 0, "Standing questions", &bold)?;
    for (i, q) in answers(a).iter().enumerate() {
        let r = next + 1 + u32::try_from(i).unwrap_or(0);
        let question = crate::report::cell::neutralise(&q.question);
        let answer = crate::report::cell::neutralise(&q.answer);
        ws.write_string_with_format(r, 0, question.as_ref(), &wrap)?;
        ws.write_string_with_format(r, 1, answer.as_ref(), &wrap)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Confusion", &mut used))?;
    let mut heads = vec!["decision \\ rules"];
    heads.extend(a.levels.iter().map(|l| l.id.as_str()));
    let rows: Vec<Vec<Cell>> = o
        .confusion
        .rows()
        .into_iter()
        .zip(&a.levels)
        .map(|(r, l)| {
            let mut v = vec![Cell::text(l.id.as_str())];
            v.extend(r.into_iter().map(Cell::int));
            v
        })
        .collect();
    table(ws, 0, &heads, &rows)?;

    for g in &a.groups {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&format!("By {}", g.column), &mut used))?;
        let rows: Vec<Vec<Cell>> = g
            .values
            .iter()
            .map(|(v, s)| group_row(Cell::data(v.as_str()), s))
            .collect();
        table(ws, 0, &GROUP_HEADS, &rows)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Themes", &mut used))?;
    let rows: Vec<Vec<Cell>> = a
        .themes
        .iter()
        .map(|(t, s)| group_row(Cell::text(t.label.as_str()), s))
        .collect();
    table(ws, 0, &GROUP_HEADS, &rows)?;
    if a.columns.period.is_some() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name("Periods", &mut used))?;
        let rows: Vec<Vec<Cell>> = a
            .periods
            .iter()
            .map(|(p, s)| group_row(Cell::data(p.as_str()), s))
            .collect();
        table(ws, 0, &GROUP_HEADS, &rows)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Evidence", &mut used))?;
    let heads = super::csv::header(a);
    let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
    let rows: Vec<Vec<Cell>> = a
        .evidence
        .iter()
        .map(|e| {
            let mut r = vec![
                Cell::data(e.id.as_str()),
                Cell::int(e.row),
                Cell::data(e.decision.as_str()),
                Cell::text(a.level_id(e.decision_level)),
                Cell::text(a.level_id(e.level)),
                Cell::Num(f64::from(e.distance)),
                Cell::text(e.agreement()),
                Cell::Bool(e.alert),
            ];
            if let Some(d) = e.documented() {
                r.push(Cell::Bool(d));
                r.push(Cell::data(e.reason.as_deref().unwrap_or("")));
            }
            r.extend(e.by.iter().map(|v| Cell::data(v.as_str())));
            if a.columns.period.is_some() {
                r.push(Cell::data(e.period.as_deref().unwrap_or("")));
            }
            let fired: Vec<&str> = a.reasons(e).map(|x| x.id.as_str()).collect();
            r.push(Cell::text(fired.join(";")));
            let reasons: Vec<String> = a
                .reasons(e)
                .map(|x| format!("{}: {}", x.id, x.reason))
                .collect();
            let set_by: Vec<&str> = a.set_by(e).collect();
            r.push(if reasons.is_empty() && !set_by.is_empty() {
                // As in the other reports: the indicators that set the
                // level when no rule fired.
                Cell::data(format!(
                    "no rule fired; the level comes from: {}",
                    set_by.join("; ")
                ))
            } else {
                Cell::data(reasons.join(" | "))
            });
            r
        })
        .collect();
    table(ws, 0, &heads, &rows)?;

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Rules", &mut used))?;
    let rows: Vec<Vec<Cell>> = a
        .rules
        .iter()
        .map(|r| {
            vec![
                Cell::text(r.id.as_str()),
                Cell::int(r.fired),
                Cell::data(r.reason.as_str()),
            ]
        })
        .collect();
    table(ws, 0, &["rule", "times fired", "reason"], &rows)?;

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Rejected", &mut used))?;
    let rows: Vec<Vec<Cell>> = a
        .rejected
        .iter()
        .map(|r| {
            vec![
                Cell::int(r.row),
                Cell::data(r.column.as_str()),
                Cell::data(r.reason.as_str()),
            ]
        })
        .collect();
    table(ws, 0, &["row", "column", "reason"], &rows)?;

    wb.save_to_buffer()
}
