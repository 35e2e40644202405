//! Integrity of workbook and JSON input (SPEC §4, "Workbooks" and "JSON"),
//! each finding in the shape it was found, through the real binary: a
//! hidden first sheet, rows and cells a workbook holds twice, date and time
//! cells, the sheet list when a column is missing, long numeric JSON ids and
//! JSON objects with a key twice. No row may vanish: the summary must add up.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::io::Write;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::common;

use common::{rules, score, thresholds};

const HEADER: [&str; 6] = ["id", "age", "disabled", "agency", "indicators", "decision"];

/// Writes a sheet: the header, then rows of strings (numbers written as
/// numbers, as a spreadsheet holds them).
fn fill(ws: &mut rust_xlsxwriter::Worksheet, rows: &[&[&str]]) {
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell.parse::<f64>() {
                Ok(n) => ws.write_number(r, c, n).map(|_| ()),
                _ if cell.is_empty() => Ok(()),
                _ => ws.write_string(r, c, *cell).map(|_| ()),
            }
            .unwrap();
        }
    }
}

#[test]
fn the_first_visible_sheet_is_read_and_a_hidden_first_sheet_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.xlsx");
    let mut wb = Workbook::new();
    let old = wb.add_worksheet();
    old.set_name("Old export").unwrap();
    fill(old, &[&["OLD1", "3", "no", "health", "", ""]]);
    old.set_hidden(true);
    let live = wb.add_worksheet();
    live.set_name("Referrals").unwrap();
    fill(
        live,
        &[
            &["R1", "3", "no", "health", "", ""],
            &["R2", "5", "no", "school", "", ""],
        ],
    );
    live.set_active(true);
    wb.save(&path).unwrap();

    let (code, out, rej, err) = score(&path, &[]);
    assert_eq!(code, 0, "{err}{rej:?}");
    assert!(out.contains("\nR1,") && out.contains("\nR2,"), "{out}");
    assert!(!out.contains("OLD1"), "{out}");
    assert_eq!(
        err.matches("warning: the workbook's first sheet `Old export` is hidden")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("`Referrals`"), "{err}");
    // Named with --sheet, the hidden sheet is read, without a warning.
    let (code, out, _, err) = score(&path, &["--sheet", "Old export"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\nOLD1,") && !out.contains("\nR1,"), "{out}");
    assert!(!err.contains("hidden"), "{err}");
}

/// A minimal workbook, by hand: one sheet whose `<sheetData>` is `rows`
/// (inline strings), so it can hold what Excel never writes.
fn handmade(dir: &Path, rows: &str) -> PathBuf {
    let path = dir.join("hand.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"#
                .to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"#
                .to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Referrals" sheetId="1" r:id="rId1"/></sheets>
</workbook>"#
                .to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"#
                .to_string(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
            ),
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// An inline-string cell.
fn s(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A number cell.
fn n(at: &str, v: f64) -> String {
    format!(r#"<c r="{at}"><v>{v}</v></c>"#)
}

fn header_row() -> String {
    let cells: String = HEADER
        .iter()
        .zip(["A1", "B1", "C1", "D1", "E1", "F1"])
        .map(|(h, at)| s(at, h))
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

#[test]
fn rows_and_cells_held_twice_are_rejected_not_merged() {
    let dir = tempfile::tempdir().unwrap();
    // Row 2 twice: calamine merged them, so the first record vanished and
    // the second inherited its indicator. Row 4 holds cell B4 twice.
    let rows = format!(
        r#"{}<row r="2">{}{}{}{}{}</row><row r="2">{}{}{}{}</row><row r="3">{}{}{}{}</row><row r="4">{}{}{}{}{}</row>"#,
        header_row(),
        s("A2", "R1"),
        n("B2", 0.5),
        s("C2", "no"),
        s("D2", "health"),
        s("E2", "unexplained_injury"),
        s("A2", "R2"),
        n("B2", 9.0),
        s("C2", "no"),
        s("D2", "health"),
        s("A3", "R3"),
        n("B3", 7.0),
        s("C3", "no"),
        s("D3", "school"),
        s("A4", "R4"),
        n("B4", 0.5),
        s("C4", "no"),
        s("D4", "health"),
        n("B4", 12.0),
    );
    let path = handmade(dir.path(), &rows);
    let (code, out, rej, err) = score(&path, &[]);
    assert_eq!(code, 3, "{err}");
    let got: Vec<(String, String)> = rej.iter().map(|r| (r[0].clone(), r[2].clone())).collect();
    assert_eq!(
        got,
        [
            ("2".to_string(), "row".to_string()),
            ("2".into(), "row".into()),
            ("4".into(), "age".into()),
        ]
    );
    assert!(
        rej[0][3].contains("the workbook has sheet row 2 twice"),
        "{:?}",
        rej[0]
    );
    assert!(
        rej[2][3].contains("the workbook has cell B4 twice"),
        "{:?}",
        rej[2]
    );
    // Neither id is reported: the rows cannot be told apart.
    assert!(rej.iter().all(|r| r[1].is_empty()), "{rej:?}");
    assert!(out.contains("\nR3,") && !out.contains("R1") && !out.contains("R2"));
    assert!(err.contains("4 records: 1 scored, 3 rejected"), "{err}");

    // A header row held twice stops the run.
    let rows = format!("{}{}", header_row(), header_row());
    let path = handmade(dir.path(), &rows);
    let (code, _, _, err) = score(&path, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sheet row 1 twice"), "{err}");
}

#[test]
fn date_and_time_cells_are_dates_never_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let time = Format::new().set_num_format("hh:mm");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    fill(
        ws,
        &[
            &["R1", "", "no", "health", "unexplained_injury", ""],
            &["R2", "", "no", "health", "unexplained_injury", ""],
            &["R3", "4", "no", "", "", ""],
            &["R4", "4", "no", "", "", ""],
        ],
    );
    ws.write_string(0, 6, "referred").unwrap();
    // A date and a time (10:30, once read as age 0.4375: under one) in the
    // number field `age`.
    let d = ExcelDateTime::from_ymd(2025, 6, 30).unwrap();
    let t = ExcelDateTime::from_hms(10, 30, 0).unwrap();
    ws.write_datetime_with_format(1, 1, &d, &date).unwrap();
    ws.write_datetime_with_format(2, 1, &t, &time).unwrap();
    // A date in the text field `agency`, and in a column kept with --keep.
    ws.write_datetime_with_format(3, 3, &d, &date).unwrap();
    ws.write_datetime_with_format(3, 6, &d, &date).unwrap();
    let dt = ExcelDateTime::from_ymd(2025, 6, 30)
        .unwrap()
        .and_hms(10, 30, 0)
        .unwrap();
    ws.write_datetime_with_format(4, 3, &t, &time).unwrap();
    ws.write_datetime_with_format(4, 6, &dt, &stamp).unwrap();
    wb.save(&path).unwrap();

    let (code, out, rej, err) = score(&path, &["--keep", "referred"]);
    assert_eq!(code, 3, "{err}");
    let got: Vec<(&str, &str, &str)> = rej
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("2", "age", "`2025-06-30` is a date, not a number"),
            ("3", "age", "`10:30:00` is a time, not a number"),
        ]
    );
    assert!(out.contains(",2025-06-30\n"), "{out}");
    assert!(out.contains(",2025-06-30T10:30:00\n"), "{out}");
    assert!(!out.contains("45838"), "{out}");
    assert!(err.contains("4 records: 2 scored, 2 rejected"), "{err}");
}

#[test]
fn a_missing_column_lists_the_workbooks_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.xlsx");
    let mut wb = Workbook::new();
    let summary = wb.add_worksheet();
    summary.set_name("Summary").unwrap();
    summary.write_string(0, 0, "total").unwrap();
    summary.write_number(1, 0, 2).unwrap();
    let data = wb.add_worksheet();
    data.set_name("Referrals").unwrap();
    fill(data, &[&["R1", "3", "no", "health", "", ""]]);
    wb.save(&path).unwrap();

    let (code, _, _, err) = score(&path, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no column `id`"), "{err}");
    assert!(
        err.contains(
            "sheet `Summary` was read; the workbook's sheets are `Summary`, `Referrals`: choose one with --sheet"
        ),
        "{err}"
    );
    let (code, _, _, err) = score(&path, &["--sheet", "Referrals"]);
    assert_eq!(code, 0, "{err}");
    // CSV messages are unchanged: no sheets to speak of.
    let csv = dir.path().join("m.csv");
    std::fs::write(&csv, "total\n2\n").unwrap();
    let (code, _, _, err) = score(&csv, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no column `id`") && !err.contains("sheet"),
        "{err}"
    );
}

#[test]
fn long_numeric_json_ids_are_kept_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        r#"{"id":12345678901234567890123,"age":3,"disabled":false,"agency":"health"}"#,
        r#"{"id":12345678901234567890124,"age":4,"disabled":false,"agency":"health"}"#,
        r#"{"id":7,"age":4,"disabled":false,"agency":"health"}"#,
    ];
    let jsonl = dir.path().join("ids.jsonl");
    std::fs::write(&jsonl, rows.join("\n")).unwrap();
    let json = dir.path().join("ids.json");
    std::fs::write(&json, format!("[{}]", rows.join(",\n"))).unwrap();
    for path in [&jsonl, &json] {
        let (code, out, rej, err) = score(path, &[]);
        assert_eq!(code, 0, "{err}{rej:?}");
        assert!(out.contains("\n12345678901234567890123,"), "{out}");
        assert!(out.contains("\n12345678901234567890124,"), "{out}");
        assert!(out.contains("\n7,"), "{out}");
        assert!(!out.contains("e+22"), "{out}");
        assert!(err.contains("3 records: 3 scored, 0 rejected"), "{err}");
    }
}

#[test]
fn a_json_key_written_twice_rejects_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        r#"{"id":"R1","age":0.5,"disabled":false,"agency":"health","AGE":9}"#,
        r#"{"id":"R2","id":"R3","age":4,"disabled":false,"agency":"health"}"#,
        r#"{"id":"R4","age":4,"disabled":false,"agency":"health","agency":"school"}"#,
        r#"{"id":"R5","age":4,"disabled":false,"agency":"health"}"#,
    ];
    let jsonl = dir.path().join("keys.jsonl");
    std::fs::write(&jsonl, rows.join("\n")).unwrap();
    let json = dir.path().join("keys.json");
    std::fs::write(&json, format!("[{}]", rows.join(",\n"))).unwrap();
    for path in [&jsonl, &json] {
        let (code, out, rej, err) = score(path, &[]);
        assert_eq!(code, 3, "{err}");
        let got: Vec<(&str, &str, &str)> = rej
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
            .collect();
        // A row written twice under one id names no id.
        assert_eq!(
            got,
            [("1", "R1", "age"), ("2", "", "id"), ("3", "R4", "agency")]
        );
        assert!(
            rej[0][3].contains("the object has the key `age` twice (as `age` and `AGE`"),
            "{:?}",
            rej[0]
        );
        assert!(rej[1][3].contains("the key `id` twice"), "{:?}", rej[1]);
        assert!(!rej[1][3].contains("R2") && !rej[1][3].contains("R3"));
        assert!(out.contains("\nR5,") && !out.contains("R1"), "{out}");
        assert!(err.contains("4 records: 1 scored, 3 rejected"), "{err}");
    }
}

#[test]
fn explain_record_refuses_a_key_twice_and_keeps_the_id() {
    let rules = rules();
    let rules = rules.to_str().unwrap();
    let out = thresholds(&[
        "explain",
        rules,
        "--record",
        r#"{"id":"R1","age":0.5,"AGE":9,"disabled":false,"agency":"health"}"#,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--record has the key `age` twice (as `age` and `AGE`"),
        "{err}"
    );
    let out = thresholds(&[
        "explain",
        rules,
        "--record",
        r#"{"id":12345678901234567890123,"age":4,"disabled":false,"agency":"health"}"#,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("12345678901234567890123"), "{text}");
}
