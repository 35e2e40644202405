//! The header is checked before any row is read, and rows cannot vanish
//! inside a cell (SPEC §4, issue 12): each test is an attack of issue 12 on
//! the shipped sample, in the shape it was found, run through the binary.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary: (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(args)
        .env_remove("THRESHOLDS_KEY")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn rules() -> String {
    root().join("rules/continuum.thr").display().to_string()
}

/// The shipped sample with `edit` applied to its text, in a fresh folder.
fn sample_with(dir: &Path, edit: impl Fn(String) -> String) -> String {
    let text = std::fs::read_to_string(root().join("samples/referrals.csv")).unwrap();
    let p = dir.join("edited.csv");
    std::fs::write(&p, edit(text)).unwrap();
    p.display().to_string()
}

/// The header line with one column renamed.
fn rename(text: String, from: &str, to: &str) -> String {
    let (head, rest) = text.split_once('\n').unwrap();
    let head: Vec<&str> = head
        .split(',')
        .map(|c| if c == from { to } else { c })
        .collect();
    format!("{}\n{rest}", head.join(","))
}

/// The sample's records, read with the csv crate (free text holds commas).
fn records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Records written back as CSV with `delimiter`.
fn write_csv(rows: &[Vec<String>], delimiter: u8) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The text with one column removed from every record.
fn drop_column(text: String, name: &str) -> String {
    let mut rows = records(&text);
    let at = rows[0].iter().position(|c| c == name).unwrap();
    for r in &mut rows {
        r.remove(at);
    }
    write_csv(&rows, b',')
}

#[test]
fn a_misspelt_indicators_column_stops_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with(dir.path(), |t| rename(t, "indicators", "indicator"));
    let (code, out, err) = run(&["audit", &rules(), &data]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no `indicators` column"), "{err}");
    assert!(err.contains("did you mean `indicator`?"), "{err}");
    assert!(out.is_empty(), "no figures: {out}");
}

#[test]
fn a_misspelt_optional_field_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with(dir.path(), |t| rename(t, "dash_score", "dash_scor"));
    let (code, _, err) = run(&["score", &rules(), &data, "--format", "csv"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("column `dash_scor` looks like a misspelling of `dash_score`"),
        "{err}"
    );
}

#[test]
fn a_misspelt_required_field_names_the_column_not_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with(dir.path(), |t| rename(t, "agency", "agencey"));
    let (code, _, err) = run(&["audit", &rules(), &data]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no column `agency`"), "{err}");
    assert!(err.contains("did you mean `agencey`?"), "{err}");
    assert!(!err.contains("--decision"), "the wrong hint: {err}");
}

#[test]
fn an_absent_optional_field_is_stated_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with(dir.path(), |t| drop_column(t, "dash_score"));
    let warning = "column `dash_score` is not in the data: every record treated as missing it";
    let md = dir.path().join("audit.md").display().to_string();
    let (code, _, err) = run(&["audit", &rules(), &data, "-o", &md]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches(warning).count(), 1, "printed once: {err}");
    let report = std::fs::read_to_string(&md).unwrap();
    let top = report.split("## ").next().unwrap();
    assert!(
        // The column's name is set as code, not as escaped backticks.
        top.contains("**Warning:** column `dash_score` is not in the data"),
        "{report}"
    );
    let json = dir.path().join("audit.json").display().to_string();
    run(&["audit", &rules(), &data, "-o", &json]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["warnings"][0], warning);
    // Columns that nothing uses are listed once.
    assert!(
        err.contains("not used by the rules or the command"),
        "{err}"
    );
    assert!(err.contains("`rationale`"), "{err}");
}

#[test]
fn an_unclosed_quote_cannot_swallow_children() {
    // A cell opens a quote that is never closed; a later free-text cell
    // holds a quote. Before, 48 of 59 children vanished and the audit
    // reported 100% agreement.
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with(dir.path(), |t| {
        // The agency cell of line 6, then of line 53 (the shipped sample
        // quotes nothing before the rationale column).
        let mut lines: Vec<String> = t.lines().take(60).map(str::to_string).collect();
        for (i, cell) in [(5, "\"Dr Smith, GP"), (52, "health \"duty\" team")] {
            let mut cells: Vec<&str> = lines[i].splitn(5, ',').collect();
            cells[3] = cell;
            lines[i] = cells.join(",");
        }
        lines.join("\n") + "\n"
    });
    let json = dir.path().join("a.json").display().to_string();
    let (code, _, err) = run(&["audit", &rules(), &data, "-o", &json]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("read 60 lines, 59 records"), "{err}");
    assert!(err.contains("rejected: row 6"), "{err}");
    assert!(
        err.contains("never closed: it ran over lines 6-53"),
        "{err}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        v["rejected"].as_array().unwrap().len(),
        1,
        "{}",
        v["rejected"]
    );
    assert!(err.contains("58 scored, 1 rejected"), "{err}");
}

#[test]
fn decimal_commas_are_named_on_top_of_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_with(dir.path(), |t| {
        // A European export: `;` between cells, `,` in decimals.
        let mut rows = records(&t);
        for r in rows.iter_mut().skip(1) {
            for c in r.iter_mut() {
                if c.contains('.') && c.replace('.', "").parse::<u64>().is_ok() {
                    *c = c.replace('.', ",");
                }
            }
        }
        write_csv(&rows, b';')
    });
    let md = dir.path().join("a.md").display().to_string();
    let (code, _, err) = run(&["audit", &rules(), &data, "-o", &md]);
    assert_eq!(code, 3, "{err}");
    let report = std::fs::read_to_string(&md).unwrap();
    let warning = report
        .lines()
        .find(|l| l.starts_with("> **Warning:**"))
        .unwrap_or_else(|| panic!("no warning on top: {report}"));
    assert!(
        warning.contains("were rejected, so these figures rest on"),
        "{warning}"
    );
    assert!(warning.contains("decimal commas"), "{warning}");
    let first_heading = report.find("## ").unwrap();
    assert!(report.find("> **Warning:**").unwrap() < first_heading);
}

#[test]
fn json_lines_count_their_lines_blank_ones_too() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.jsonl");
    let row = |id: &str| {
        format!(
            r#"{{"id":"{id}","age":9,"disabled":false,"agency":"school","mobility":"mobile","pregnant":false,"indicators":[]}}"#
        )
    };
    std::fs::write(&p, format!("{}\n\n{}\n{}\n", row("A"), row("B"), row("A"))).unwrap();
    let (code, _, err) = run(&["score", &rules(), p.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("read 4 lines, 3 records: 2 scored, 1 rejected"),
        "{err}"
    );
}
