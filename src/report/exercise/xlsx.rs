//! The exercise report as an Excel workbook: one sheet per table, real
//! numbers (shares as numbers formatted as percentages), frozen header rows.
//! Text is always written as text, so nothing a trainee typed becomes a formula.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::Report;

/// A cell value.
enum Cell<'a> {
    Text(&'a str),
    Num(f64),
    Pct(f64),
    Empty,
}

fn opt(x: Option<f64>) -> Cell<'static> {
    x.map_or(Cell::Empty, Cell::Num)
}

fn opt_pct(x: Option<f64>) -> Cell<'static> {
    x.map_or(Cell::Empty, Cell::Pct)
}

fn sheet(
    wb: &mut Workbook,
    name: &str,
    header: &[&str],
    rows: &[Vec<Cell<'_>>],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let ws: &mut Worksheet = wb.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, if c == 0 { 22 } else { 14 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, *s)?;
                }
                Cell::Num(n) => {
                    ws.write_number(r, c, *n)?;
                }
                Cell::Pct(n) => {
                    ws.write_number_with_format(r, c, *n, &pct)?;
                }
                Cell::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The workbook as bytes.
pub fn render(r: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let mut summary = vec![
        vec![Cell::Text("Answers"), Cell::Num(r.n as f64)],
        vec![Cell::Text("Correct"), Cell::Num(r.correct as f64)],
        vec![Cell::Text("Accuracy"), opt_pct(r.accuracy)],
        vec![Cell::Text("Fleiss' kappa"), opt(r.fleiss_kappa)],
        vec![
            Cell::Text("Krippendorff's alpha (ordinal)"),
            opt(r.krippendorff_alpha),
        ],
        vec![
            Cell::Text("Response rows read"),
            Cell::Num(r.responses_read as f64),
        ],
        vec![Cell::Text("Rejected"), Cell::Num(r.rejected.len() as f64)],
    ];
    for w in r.warnings.iter().rev() {
        summary.insert(0, vec![Cell::Text("WARNING"), Cell::Text(w)]);
    }
    if let Some(p) = &r.phase {
        summary.insert(0, vec![Cell::Text("Phase"), Cell::Text(p)]);
    }
    if let Some(t) = &r.sign_test {
        summary.push(vec![Cell::Text("Sign test p"), opt(t.p)]);
    }
    sheet(&mut wb, "Summary", &["Measure", "Value"], &summary)?;
    let trainees: Vec<Vec<Cell<'_>>> = r
        .trainees
        .iter()
        .map(|t| {
            vec![
                Cell::Text(&t.trainee),
                Cell::Num(t.n as f64),
                Cell::Num(t.correct as f64),
                opt_pct(t.accuracy),
                opt(t.mean_error),
                opt(t.mean_abs_error),
            ]
        })
        .collect();
    sheet(
        &mut wb,
        "Trainees",
        &[
            "Trainee",
            "Answers",
            "Correct",
            "Accuracy",
            "Mean error",
            "Mean absolute error",
        ],
        &trainees,
    )?;
    let mut vh = vec![
        "Vignette",
        "Rules' level",
        "Answers",
        "Correct",
        "Share correct",
        "Modal answer",
    ];
    vh.extend(r.levels.iter().map(|l| l.id.as_str()));
    let vignettes: Vec<Vec<Cell<'_>>> = r
        .vignettes
        .iter()
        .map(|v| {
            let mut row = vec![
                Cell::Text(&v.vignette),
                Cell::Text(&v.level),
                Cell::Num(v.n as f64),
                Cell::Num(v.correct as f64),
                opt_pct(v.share_correct),
                v.modal.as_deref().map_or(Cell::Empty, Cell::Text),
            ];
            row.extend(v.answers.0.iter().map(|(_, n)| Cell::Num(*n as f64)));
            row
        })
        .collect();
    sheet(&mut wb, "Vignettes", &vh, &vignettes)?;
    if let Some(ph) = &r.phases {
        let rows: Vec<Vec<Cell<'_>>> =
            ph.0.iter()
                .map(|(p, x)| {
                    vec![
                        Cell::Text(p),
                        Cell::Num(x.n as f64),
                        Cell::Num(x.trainees as f64),
                        opt_pct(x.accuracy),
                        opt(x.fleiss_kappa),
                        opt(x.krippendorff_alpha),
                    ]
                })
                .collect();
        sheet(
            &mut wb,
            "Phases",
            &[
                "Phase",
                "Answers",
                "Trainees",
                "Accuracy",
                "Fleiss' kappa",
                "Krippendorff's alpha",
            ],
            &rows,
        )?;
    }
    let themes: Vec<Vec<Cell<'_>>> = r
        .themes_too_low
        .iter()
        .map(|t| {
            vec![
                Cell::Text(&t.label),
                Cell::Num(t.n as f64),
                Cell::Num(t.too_low as f64),
                Cell::Pct(t.share),
            ]
        })
        .collect();
    sheet(
        &mut wb,
        "Themes",
        &["Theme", "Answers", "Too low", "Share too low"],
        &themes,
    )?;
    let rejected: Vec<Vec<Cell<'_>>> = r
        .rejected
        .iter()
        .map(|x| {
            vec![
                Cell::Num(x.row as f64),
                Cell::Text(&x.column),
                Cell::Text(&x.reason),
            ]
        })
        .collect();
    sheet(
        &mut wb,
        "Rejected",
        &["Line", "Column", "Reason"],
        &rejected,
    )?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn numbers_are_numbers_and_text_stays_text() {
        let r = crate::report::exercise::sample_report("=1+1");
        let bytes = render(&r).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names().to_vec();
        assert_eq!(
            names,
            [
                "Summary",
                "Trainees",
                "Vignettes",
                "Phases",
                "Themes",
                "Rejected"
            ]
        );
        let t = wb.worksheet_range("Trainees").unwrap();
        assert_eq!(t.get((0, 0)), Some(&Data::String("Trainee".into())));
        assert_eq!(t.get((1, 0)), Some(&Data::String("=1+1".into())));
        assert_eq!(t.get((1, 1)), Some(&Data::Float(2.0)));
        assert_eq!(t.get((1, 3)), Some(&Data::Float(1.0)));
    }
}
