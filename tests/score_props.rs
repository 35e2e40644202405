//! Properties of `score` on generated data: nothing is lost when cells are
//! corrupted, parallel output keeps input order, and Excel round-trips.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;

fn rules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data/rules.thr")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A generated sample as CSV rows (header first).
fn sample(n: u64, seed: u64) -> Vec<Vec<String>> {
    let r = rules();
    let (code, out, err) = run(&[
        "sample",
        r.to_str().unwrap(),
        "--n",
        &n.to_string(),
        "--seed",
        &seed.to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

fn ids_of(out: &str) -> Vec<String> {
    out.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or("").to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn corrupted_cells_lose_no_row(cuts in proptest::collection::vec((1usize..60, 1usize..7, 0usize..4), 1..12)) {
        let mut rows = sample(60, 7);
        let mut bad = std::collections::BTreeSet::new();
        for (r, c, how) in cuts {
            let junk = ["not a number", "no_such_thing", "", "\u{1F600}"][how];
            // Column 1 is age (required number), 2 disabled (bool), 4 cse_risk,
            // 6 indicators; every one of these corruptions rejects the row.
            let col = [1, 2, 4, 6, 1, 2][c - 1];
            let junk = if col == 1 && junk.is_empty() { "abc" } else { junk };
            if junk.is_empty() && col != 6 { continue; }
            if junk.is_empty() { continue; }
            rows[r][col] = junk.to_string();
            bad.insert(r);
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        write_csv(&p, &rows);
        let r = rules();
        let (_, out, err) = run(&["score", r.to_str().unwrap(), p.to_str().unwrap(), "--format", "csv"]);
        let scored = ids_of(&out);
        let rejected = err.lines().filter(|l| l.starts_with("rejected: ")).count();
        prop_assert_eq!(scored.len() + rejected, 60, "{}", err);
        prop_assert_eq!(rejected, bad.len(), "{}", err);
        // Every good row is scored, in input order.
        let good: Vec<String> = (1..=60).filter(|i| !bad.contains(i)).map(|i| rows[i][0].clone()).collect();
        prop_assert_eq!(scored, good);
    }
}

#[test]
fn parallel_output_keeps_input_order() {
    // More rows than one batch, so several batches are in flight at once.
    let rows = sample(30_000, 3);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.csv");
    write_csv(&p, &rows);
    let r = rules();
    let (code, out, err) = run(&[
        "score",
        r.to_str().unwrap(),
        p.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let want: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids_of(&out), want);
    // Scheduling differs from run to run; the output must not.
    let (_, again, _) = run(&[
        "score",
        r.to_str().unwrap(),
        p.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(out, again);
}

#[test]
fn excel_round_trip() {
    let rows = sample(200, 11);
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("s.csv");
    write_csv(&csv_path, &rows);
    let xlsx = dir.path().join("s.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Referrals").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Numbers as numbers, the way a spreadsheet holds them.
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => ws.write_number(r as u32, c as u16, n).map(|_| ()),
                _ if cell.is_empty() => Ok(()),
                _ => ws.write_string(r as u32, c as u16, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    wb.save(&xlsx).unwrap();
    let r = rules();
    let (c1, from_csv, e1) = run(&[
        "score",
        r.to_str().unwrap(),
        csv_path.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let (c2, from_xlsx, e2) = run(&[
        "score",
        r.to_str().unwrap(),
        xlsx.to_str().unwrap(),
        "--format",
        "csv",
        "--sheet",
        "referrals",
    ]);
    assert_eq!((c1, c2), (0, 0), "{e1}{e2}");
    assert_eq!(from_csv, from_xlsx);
    // Our own Excel output reads back too.
    let out = dir.path().join("scores.xlsx");
    let (c3, _, e3) = run(&[
        "score",
        r.to_str().unwrap(),
        xlsx.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(c3, 0, "{e3}");
    assert!(std::fs::metadata(&out).unwrap().len() > 1000);
}
