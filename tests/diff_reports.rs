//! `thresholds diff OLD NEW DATA -o REPORT` end to end on a small sample
//! (tests/golden/diff/impact_small/): the JSON and Markdown reports are
//! compared exactly with golden files (UPDATE_GOLDEN=1 rewrites them), and the
//! JSON figures are checked against counts computed here independently.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot run should fail loudly"
)]

use crate::golden;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CASE: &str = "tests/golden/diff/impact_small";

/// The diff of the case into `out`, reproducible (`--no-timing`).
fn run(out: &Path, extra: &[&str]) -> Output {
    run_default(out, &[&["--no-timing"], extra].concat())
}

fn report(ext: &str) -> (String, Output) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join(format!("report.{ext}"));
    let out = run(&path, &[]);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("no {ext} report ({e}): {out:?}"));
    (text, out)
}

fn golden(name: &str, got: &str) {
    golden::assert_golden(&Path::new(CASE).join(name), got);
}

#[test]
fn json_report_matches_golden() {
    let (text, out) = report("json");
    // One row (R13, age `abc`) is rejected: the report is written, exit 3.
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    golden("report.json", &text);
}

#[test]
fn markdown_report_matches_golden() {
    let (text, out) = report("md");
    assert_eq!(out.status.code(), Some(3));
    golden("report.md", &text);
}

/// The terminal summary (no `-o`): the report model's text rendering of
/// the structural changes and the impact, compared exactly.
#[test]
fn terminal_summary_matches_golden() {
    let out = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .arg("diff")
        .arg(Path::new(CASE).join("old.thr"))
        .arg(Path::new(CASE).join("new.thr"))
        .arg(Path::new(CASE).join("data.csv"))
        .arg("--no-timing")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("level changed for 7 (36.8%): 7 up, 0 down"),
        "{text}"
    );
    golden("terminal.txt", &text);
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let (text, _) = report("html");
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(text.contains("<svg"));
    assert!(!text.contains("<script"));
    assert!(!text.contains("http://") || text.contains("xmlns=\"http://www.w3.org/2000/svg\""));
}

#[test]
fn xlsx_report_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let out = run(&path, &[]);
    assert_eq!(out.status.code(), Some(3));
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"PK"));
}

/// Counts from the JSON agree with each other and with an independent count
/// of the transitions (rows = old level, columns = new level).
#[test]
fn json_figures_are_consistent() {
    let (text, _) = report("json");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let n = v["n"].as_u64().unwrap();
    assert_eq!(n, 19);
    assert_eq!(v["read"], 20);
    assert_eq!(v["rejected"].as_array().unwrap().len(), 1);
    let t: Vec<Vec<u64>> = serde_json::from_value(v["transitions"].clone()).unwrap();
    let total: u64 = t.iter().flatten().sum();
    assert_eq!(total, n);
    let off: u64 = (0..t.len())
        .flat_map(|i| {
            (0..t[i].len())
                .filter(move |j| *j != i)
                .map(move |j| (i, j))
        })
        .map(|(i, j)| t[i][j])
        .sum();
    assert_eq!(v["changed"].as_u64().unwrap(), off);
    assert_eq!(v["changes"].as_array().unwrap().len() as u64, off);
    let levels = ["universal", "early_help", "targeted", "specialist"];
    for (r, l) in levels.iter().enumerate() {
        let old: u64 = t[r].iter().sum();
        let new: u64 = t.iter().map(|row| row[r]).sum();
        assert_eq!(v["demand"][l]["old"], old);
        assert_eq!(v["demand"][l]["new"], new);
        assert_eq!(v["demand"][l]["change"], new as i64 - old as i64);
    }
    for c in v["changes"].as_array().unwrap() {
        assert_ne!(c["old"], c["new"]);
        assert!(c["id"].is_string() && c["rules"].is_array());
    }
    assert!(v["kappa_old"].is_number() && v["kappa_new"].is_number());
}

#[test]
fn pseudonymised_reports_carry_no_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .arg("diff")
        .arg(Path::new(CASE).join("old.thr"))
        .arg(Path::new(CASE).join("new.thr"))
        .arg(Path::new(CASE).join("data.csv"))
        .arg("-o")
        .arg(&path)
        .args(["--pseudonymise", "--key", "a long enough key"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("\"R0") && !text.contains("\"R1"), "{text}");
}

#[test]
fn each_version_is_timed_on_every_256th_row() {
    // 1,000 generated rows on lines 2..=1001: lines 256, 512 and 768 are
    // timed. Only how many rows were timed is checked, never how long.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let bin = env!("CARGO_BIN_EXE_thresholds");
    let made = Command::new(bin)
        .args([
            "sample",
            "rules/continuum.thr",
            "--n",
            "1000",
            "--seed",
            "3",
            "-o",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let out = dir.path().join("d.json");
    let ran = Command::new(bin)
        .args(["diff", "rules/continuum.thr", "rules/continuum.thr"])
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(ran.status.success(), "{ran:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let t = &json["timing"];
    assert_eq!(t["records"], 1000, "{t}");
    assert_eq!(t["sampled"], 3, "{t}");
    for key in ["old_seconds", "new_seconds", "wall_seconds"] {
        let s = t[key].as_f64().unwrap_or(-1.0);
        assert!(s.is_finite() && s >= 0.0, "{key}: {t}");
    }
}

/// Runs `diff` on OLD and NEW rule texts in a temporary folder with the
/// small case's data; returns the report and the process output.
fn diff_texts(old: &str, new: &str, ext: &str, extra: &[&str]) -> (String, Output) {
    let dir = tempfile::tempdir().unwrap();
    let (o, n) = (dir.path().join("old.thr"), dir.path().join("new.thr"));
    std::fs::write(&o, old).unwrap();
    std::fs::write(&n, new).unwrap();
    let path = dir.path().join(format!("report.{ext}"));
    let out = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .arg("diff")
        .arg(&o)
        .arg(&n)
        .arg(Path::new(CASE).join("data.csv"))
        .arg("-o")
        .arg(&path)
        .args(extra)
        .output()
        .unwrap();
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("no {ext} report ({e}): {out:?}"));
    (text, out)
}

fn case_rules(name: &str) -> String {
    std::fs::read_to_string(Path::new(CASE).join(name)).unwrap()
}

/// A board report names the rule and data files without the folders they
/// sit in, and leaves timings out unless asked (`--timing`); the JSON
/// report keeps them.
#[test]
fn board_reports_name_files_only_and_leave_timing_out() {
    for ext in ["md", "html"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("r.{ext}"));
        let out = run_default(&path, &[]);
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("tests/golden"), "{ext}: a path in\n{text}");
        assert!(
            text.contains("old.thr") && text.contains("data.csv"),
            "{text}"
        );
        assert!(
            !text.contains("Timing") && !text.contains("timed"),
            "{ext}:\n{text}"
        );
        let out = run_default(&path, &["--timing"]);
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("Timing"), "{ext} with --timing:\n{text}");
        // 20 rows: none is timed (every 256th row is), and the note says so.
        assert!(text.contains("No record was timed"), "{text}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    run_default(&path, &[]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(v["timing"].is_object(), "{v}");
    assert_eq!(v["old_file"], "old.thr");
}

fn run_default(out: &Path, extra: &[&str]) -> Output {
    let case = Path::new(CASE);
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .arg("diff")
        .arg(case.join("old.thr"))
        .arg(case.join("new.thr"))
        .arg(case.join("data.csv"))
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// A change to a condition alone moves no indicator: the changed records
/// are listed without an "Indicators that moved" column that could only be
/// empty.
#[test]
fn no_indicator_column_when_no_indicator_moved() {
    let old = case_rules("old.thr");
    let new = old.replace(
        "when count(indicators at targeted) >= 2",
        "when count(indicators at targeted) >= 3",
    );
    assert_ne!(old, new);
    for ext in ["md", "html"] {
        let (text, _) = diff_texts(&old, &new, ext, &["--no-timing"]);
        assert!(text.contains("cumulative"), "{text}");
        assert!(!text.contains("Indicators that moved"), "{ext}:\n{text}");
    }
}

/// New rules that fail their own examples: a warning on stderr and at the
/// top of the report, naming the example.
#[test]
fn new_rules_failing_their_examples_are_warned_about() {
    let old = case_rules("old.thr");
    let example = "\nexample \"Repeated domestic abuse alone\" {\n  age = 5\n  \
                   indicators = [da_incidents]\n  expect targeted\n}\n";
    let new = format!("{}{example}", case_rules("new.thr"));
    let (text, out) = diff_texts(&format!("{old}{example}"), &new, "md", &["--no-timing"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: The new rules fail 1 of their own 1 example"),
        "{err}"
    );
    assert!(err.contains("Repeated domestic abuse alone"), "{err}");
    let warn = text
        .find("**Warning:** The new rules fail")
        .unwrap_or(usize::MAX);
    let first_section = text.find("## What changed").unwrap();
    assert!(warn < first_section, "{text}");
    // The old rules pass the same example: no warning.
    let (text, out) = diff_texts(&old, &format!("{old}{example}"), "md", &["--no-timing"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning: The new"));
    assert!(!text.contains("fail"), "{text}");
}
