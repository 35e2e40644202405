//! The Excel report: one sheet per table, real numbers (not text), bold
//! frozen header rows, every changed record listed up to the sheet's row
//! limit; a longer list ends with a note (and the Summary sheet says so)
//! naming how many records were left out and that the JSON report lists all.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::DiffReport;
use crate::diff::impact::Responsible;

/// A summary line: label, old, new, change.
type Line<'a> = (&'a str, Option<f64>, Option<f64>, Option<f64>);

/// Rows listed per sheet (Excel's limit is 1,048,576, header and note
/// included); longer lists are cut with a note saying how many were left out.
pub const MAX_ROWS: usize = 1_048_000;

/// The note ending a list cut at `cap` rows, if it was cut.
fn cut_note(total: usize, cap: usize, what: &str) -> Option<String> {
    (total > cap).then(|| {
        format!(
            "{} more {what} not listed here: an Excel sheet holds about a million rows, so only the first {cap} of {total} are listed. \
             The JSON report (-o report.json) lists them all.",
            total - cap
        )
    })
}

/// Writes `note` (bold) in column A of `row`, when there is one.
fn note_row(ws: &mut Worksheet, row: usize, note: Option<&str>) -> Result<(), XlsxError> {
    if let Some(n) = note {
        let r = u32::try_from(row).unwrap_or(u32::MAX);
        ws.write_string_with_format(r, 0, n, &Format::new().set_bold())?;
    }
    Ok(())
}

fn sheet<'w>(
    wb: &'w mut Workbook,
    name: &str,
    headers: &[&str],
) -> Result<&'w mut Worksheet, XlsxError> {
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, if c == 0 { 28 } else { 16 })?;
    }
    ws.set_freeze_panes(1, 0)?;
    // Landscape A4, one page wide, the header row on every printed page.
    crate::report::xlsx::page_setup(ws, Some(0))?;
    Ok(ws)
}

fn num(ws: &mut Worksheet, r: u32, c: u16, v: Option<f64>) -> Result<(), XlsxError> {
    match v {
        Some(v) if v.is_finite() => ws.write_number(r, c, v).map(|_| ()),
        _ => Ok(()),
    }
}

fn rules(rs: &[Responsible]) -> String {
    rs.iter()
        .map(|r| format!("{} ({})", r.rule, r.why()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Writes the workbook.
pub fn write(r: &DiffReport<'_>, path: &Path) -> Result<(), String> {
    write_capped(r, path, MAX_ROWS)
}

/// Writes the workbook, listing at most `cap` rows per list sheet (tests use
/// a small cap to see the note without a million rows).
pub fn write_capped(r: &DiffReport<'_>, path: &Path, cap: usize) -> Result<(), String> {
    build(r, path, cap).map_err(|e| e.to_string())
}

fn build(r: &DiffReport<'_>, path: &Path, cap: usize) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let s = r.structure;
    if !r.warnings.is_empty() {
        let ws = sheet(&mut wb, "Warnings", &["Warning"])?;
        for (i, w) in r.warnings.iter().enumerate() {
            ws.write_string(u32::try_from(i).unwrap_or(u32::MAX - 1) + 1, 0, w)?;
        }
        ws.set_column_width(0, 120)?;
        ws.set_column_format(0, &Format::new().set_text_wrap())?;
    }
    {
        let ws = sheet(
            &mut wb,
            "Rule changes",
            &["Section", "Id", "Change", "Description"],
        )?;
        let mut row = 1u32;
        if let Some(note) = &s.level_note {
            ws.write_string(row, 0, "Levels")?;
            ws.write_string(row, 3, note)?;
            row += 1;
        }
        for c in &s.changes {
            ws.write_string(row, 0, c.section.title())?;
            ws.write_string(row, 1, &c.id)?;
            let kind = match c.kind {
                crate::diff::ChangeKind::Added => "added",
                crate::diff::ChangeKind::Removed => "removed",
                crate::diff::ChangeKind::Changed => "changed",
            };
            ws.write_string(row, 2, kind)?;
            ws.write_string(row, 3, &c.text)?;
            row += 1;
        }
        ws.set_column_width(3, 90)?;
        ws.set_column_format(3, &Format::new().set_text_wrap())?;
    }
    let Some(i) = r.impact else {
        return wb.save(path);
    };
    let lv = &i.levels;
    let a = &i.agreement;
    {
        let ws = sheet(&mut wb, "Summary", &["Measure", "Old", "New", "Change"])?;
        let rows: Vec<Line<'_>> = vec![
            ("Records scored", Some(i.n as f64), None, None),
            ("Rows read", Some(r.read as f64), None, None),
            ("Rows rejected", Some(r.rejects.len() as f64), None, None),
            (
                "Records whose level changed",
                Some(i.changed as f64),
                None,
                None,
            ),
            ("Moved up", Some(i.up as f64), None, None),
            ("Moved down", Some(i.down as f64), None, None),
            (
                "Records with a decision",
                Some(a.old.n as f64),
                Some(a.new.n as f64),
                None,
            ),
            (
                "Agreeing with the decision",
                Some(a.old.agree as f64),
                Some(a.new.agree as f64),
                Some(a.new.agree as f64 - a.old.agree as f64),
            ),
            (
                "Agreement (share)",
                a.old.agreement,
                a.new.agreement,
                a.agreement_change,
            ),
            ("Cohen's kappa", a.old.kappa, a.new.kappa, a.kappa_change),
            (
                "Weighted kappa (linear)",
                a.old.kappa_linear,
                a.new.kappa_linear,
                a.old
                    .kappa_linear
                    .zip(a.new.kappa_linear)
                    .map(|(x, y)| y - x),
            ),
            (
                "Weighted kappa (quadratic)",
                a.old.kappa_quadratic,
                a.new.kappa_quadratic,
                a.old
                    .kappa_quadratic
                    .zip(a.new.kappa_quadratic)
                    .map(|(x, y)| y - x),
            ),
            (
                "Agree under old only (McNemar b)",
                Some(a.agree_old_only as f64),
                None,
                None,
            ),
            (
                "Agree under new only (McNemar c)",
                Some(a.agree_new_only as f64),
                None,
                None,
            ),
            ("McNemar chi-square", Some(a.mcnemar_statistic), None, None),
            ("McNemar p", Some(a.mcnemar_p), None, None),
            ("McNemar exact p", Some(a.mcnemar_p_exact), None, None),
        ];
        let mut rows = rows;
        let cut_changes = cut_note(i.changes.len(), cap, "changed records");
        let cut_flags = cut_note(i.flag_changes.len(), cap, "flag changes");
        let cut_rejects = cut_note(r.rejects.len(), cap, "rejected rows");
        for (cut, label, total) in [
            (
                &cut_changes,
                "Changed records listed (see note)",
                i.changes.len(),
            ),
            (
                &cut_flags,
                "Flag changes listed (see note)",
                i.flag_changes.len(),
            ),
            (
                &cut_rejects,
                "Rejected rows listed (see note)",
                r.rejects.len(),
            ),
        ] {
            if cut.is_some() {
                rows.push((label, Some(total.min(cap) as f64), None, None));
            }
        }
        if let Some(t) = &r.timing {
            rows.push(("Wall time (s)", Some(t.wall_seconds), None, None));
            rows.push((
                "Scoring time (s)",
                Some(t.old_seconds),
                Some(t.new_seconds),
                None,
            ));
        }
        let count = rows.len();
        for (n, (label, x, y, z)) in rows.into_iter().enumerate() {
            let row = n as u32 + 1;
            ws.write_string(row, 0, label)?;
            num(ws, row, 1, x)?;
            num(ws, row, 2, y)?;
            num(ws, row, 3, z)?;
        }
        for (n, note) in [&cut_changes, &cut_flags, &cut_rejects]
            .into_iter()
            .flatten()
            .enumerate()
        {
            note_row(ws, count + 2 + n, Some(note))?;
        }
        ws.set_column_width(0, 36)?;
    }
    {
        let mut headers: Vec<&str> = vec!["Old \\ New"];
        headers.extend(lv.new.iter().map(String::as_str));
        let ws = sheet(&mut wb, "Transitions", &headers)?;
        for (n, (o, counts)) in lv.old.iter().zip(&i.transitions).enumerate() {
            let row = n as u32 + 1;
            ws.write_string(row, 0, o)?;
            for (c, v) in counts.iter().enumerate() {
                ws.write_number(row, c as u16 + 1, *v as f64)?;
            }
        }
    }
    {
        let ws = sheet(
            &mut wb,
            "Demand",
            &[
                "Level",
                "Old",
                "New",
                "Change",
                "Old share",
                "New share",
                "Change in share",
            ],
        )?;
        for (n, d) in i.demand.iter().enumerate() {
            let row = n as u32 + 1;
            ws.write_string(row, 0, &d.level)?;
            ws.write_number(row, 1, d.old as f64)?;
            ws.write_number(row, 2, d.new as f64)?;
            ws.write_number(row, 3, d.change as f64)?;
            num(ws, row, 4, d.old_share)?;
            num(ws, row, 5, d.new_share)?;
            num(ws, row, 6, d.share_change)?;
        }
    }
    {
        let ws = sheet(
            &mut wb,
            "Flags",
            &[
                "Flag",
                "Old",
                "New",
                "Change",
                "Records gaining",
                "Records losing",
            ],
        )?;
        for (n, f) in i.flags.iter().enumerate() {
            let row = n as u32 + 1;
            ws.write_string(row, 0, &f.flag)?;
            for (c, v) in [
                f.old as f64,
                f.new as f64,
                f.change as f64,
                f.gained as f64,
                f.lost as f64,
            ]
            .into_iter()
            .enumerate()
            {
                ws.write_number(row, c as u16 + 1, v)?;
            }
        }
    }
    {
        let ws = sheet(
            &mut wb,
            "Rules",
            &["Rule", "Fired (old)", "Fired (new)", "Effect changed"],
        )?;
        for (n, x) in i.rules.iter().enumerate() {
            let row = n as u32 + 1;
            ws.write_string(row, 0, &x.rule)?;
            num(ws, row, 1, x.old.map(|v| v as f64))?;
            num(ws, row, 2, x.new.map(|v| v as f64))?;
            ws.write_boolean(row, 3, x.effect_changed)?;
        }
    }
    {
        let cols = super::changed_columns(i);
        let moved = cols.len() == 5;
        let ws = sheet(&mut wb, "Changed records", cols)?;
        for (n, c) in i.changes.iter().take(cap).enumerate() {
            let row = n as u32 + 1;
            ws.write_string(row, 0, &c.id)?;
            ws.write_string(row, 1, &c.old)?;
            ws.write_string(row, 2, &c.new)?;
            ws.write_string(row, 3, rules(&c.rules))?;
            if moved {
                ws.write_string(row, 4, c.indicators.join("; "))?;
            }
        }
        note_row(
            ws,
            i.changes.len().min(cap) + 1,
            cut_note(i.changes.len(), cap, "changed records").as_deref(),
        )?;
        ws.set_column_width(3, 50)?;
    }
    if !i.flag_changes.is_empty() {
        let ws = sheet(
            &mut wb,
            "Flag changes",
            &["Id", "Gained", "Lost", "Rules responsible"],
        )?;
        for (n, c) in i.flag_changes.iter().take(cap).enumerate() {
            let row = n as u32 + 1;
            ws.write_string(row, 0, &c.id)?;
            ws.write_string(row, 1, c.gained.join("; "))?;
            ws.write_string(row, 2, c.lost.join("; "))?;
            ws.write_string(row, 3, rules(&c.rules))?;
        }
        note_row(
            ws,
            i.flag_changes.len().min(cap) + 1,
            cut_note(i.flag_changes.len(), cap, "flag changes").as_deref(),
        )?;
    }
    if !r.rejects.is_empty() {
        let ws = sheet(&mut wb, "Rejected", &["Row", "Column", "Reason"])?;
        for (n, x) in r.rejects.iter().take(cap).enumerate() {
            let row = n as u32 + 1;
            ws.write_number(row, 0, x.row as f64)?;
            ws.write_string(row, 1, &x.column)?;
            ws.write_string(row, 2, &x.reason)?;
        }
        note_row(
            ws,
            r.rejects.len().min(cap) + 1,
            cut_note(r.rejects.len(), cap, "rejected rows").as_deref(),
        )?;
    }
    wb.save(path)
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use super::*;
    use crate::check::NoScripts;
    use crate::data::Row;
    use crate::diff::{compare, ImpactBuilder, Side};
    use crate::plan::{Plan, Record};
    use crate::ruleset::check_source;
    use crate::span::Source;

    const RULES: &str = r#"
continuum "Demo"
levels { universal "U" early_help "EH" targeted "T" }
domain safety "Safety" { indicator a "A" at early_help }
"#;

    fn plan(text: &str) -> Plan {
        check_source(&Source::new("t.thr", text), &NoScripts)
            .plan
            .unwrap()
    }

    fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
        let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
        let range = wb.worksheet_range(name).unwrap();
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    /// Issue 12: "changed records" were cut at the row limit with no note.
    #[test]
    fn a_cut_list_says_how_many_were_left_out() {
        let old = plan(RULES);
        let new = plan(&RULES.replace("at early_help }", "at targeted }"));
        let mut b = ImpactBuilder::new(&old, &new);
        for n in 0..5 {
            let row = |p: &Plan| {
                let mut record = Record::empty(p);
                record.id = format!("r{n}");
                record.indicators.insert(0);
                Row {
                    line: n + 2,
                    record,
                    decision: None,
                    decision_text: None,
                    keep: vec![],
                    extra: vec![],
                }
            };
            let (ro, rn) = (row(&old), row(&new));
            let so = crate::eval::score(&old, &ro.record).unwrap();
            let sn = crate::eval::score(&new, &rn.record).unwrap();
            b.add(&ro, &so, &rn, &sn);
        }
        let impact = b.finish();
        assert_eq!(impact.changes.len(), 5);
        let structure = compare(&Side::of(&old).unwrap(), &Side::of(&new).unwrap());
        let report = DiffReport {
            old_file: "old.thr".into(),
            new_file: "new.thr".into(),
            data_file: Some("data.csv".into()),
            structure: &structure,
            impact: Some(&impact),
            read: 5,
            rejects: &[],
            timing: None,
            warnings: &[],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.xlsx");

        write_capped(&report, &path, 2).unwrap();
        let rows = sheet(&path, "Changed records");
        assert_eq!(rows.len(), 4, "header, two records, the note: {rows:?}");
        assert_eq!((rows[1][0].as_str(), rows[2][0].as_str()), ("r0", "r1"));
        let note = &rows[3][0];
        assert!(
            note.starts_with("3 more changed records not listed"),
            "{note}"
        );
        assert!(note.contains("first 2 of 5"), "{note}");
        assert!(note.contains("JSON report"), "{note}");
        // Every sheet prints landscape, one page wide, its header repeated.
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let sheets = zip
            .file_names()
            .filter(|n| n.starts_with("xl/worksheets/sheet"))
            .count();
        assert!(sheets >= 3);
        for k in 1..=sheets {
            let mut xml = String::new();
            std::io::Read::read_to_string(
                &mut zip.by_name(&format!("xl/worksheets/sheet{k}.xml")).unwrap(),
                &mut xml,
            )
            .unwrap();
            assert!(
                xml.contains(r#"fitToHeight="0" orientation="landscape""#),
                "sheet {k}"
            );
        }
        let mut book = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut book)
            .unwrap();
        assert_eq!(book.matches("_xlnm.Print_Titles").count(), sheets);
        let summary = sheet(&path, "Summary");
        assert!(summary
            .iter()
            .flatten()
            .any(|c| c.starts_with("3 more changed records")));

        // Under the cap: every record, no note.
        write_capped(&report, &path, 5).unwrap();
        let rows = sheet(&path, "Changed records");
        assert_eq!(rows.len(), 6);
        assert!(!sheet(&path, "Summary")
            .iter()
            .flatten()
            .any(|c| c.contains("not listed")));
    }
}
