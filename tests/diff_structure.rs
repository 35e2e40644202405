//! `thresholds diff OLD NEW` (no data) on hand-made pairs of rule files in
//! tests/fixtures/diff/<case>/{old,new}.thr; the terminal summary is compared
//! with tests/golden/diff/structure/<case>.txt (UPDATE_GOLDEN=1 rewrites).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test or benchmark that cannot run should fail loudly"
)]

use crate::golden;

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
}

fn golden(case: &str) {
    let dir = Path::new("tests/fixtures/diff").join(case);
    let out = bin()
        .arg("diff")
        .arg(dir.join("old.thr"))
        .arg(dir.join("new.thr"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8(out.stdout).unwrap();
    let path = Path::new("tests/golden/diff/structure").join(format!("{case}.txt"));
    golden::assert_golden(&path, &got);
}

#[test]
fn count_threshold() {
    golden("count_threshold");
}

#[test]
fn indicator_moved() {
    golden("indicator_moved");
}

#[test]
fn effect_changed() {
    golden("effect_changed");
}

#[test]
fn levels_differ() {
    golden("levels_differ");
}

#[test]
fn added_removed() {
    golden("added_removed");
}

#[test]
fn same_meaning() {
    golden("same_meaning");
}

#[test]
fn a_file_against_itself_has_no_change() {
    let f = "tests/fixtures/diff/count_threshold/old.thr";
    let out = bin().args(["diff", f, f]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No change"));
}

#[test]
fn a_rule_file_that_fails_to_check_exits_1_with_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.thr");
    let text = std::fs::read_to_string("tests/fixtures/diff/count_threshold/new.thr")
        .unwrap()
        .replace("at least specialist", "at least specialst");
    std::fs::write(&bad, text).unwrap();
    let old = "tests/fixtures/diff/count_threshold/old.thr";
    let out = bin().arg("diff").arg(old).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("specialst"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_structure_renders_as_markdown_json_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let case = Path::new("tests/fixtures/diff/count_threshold");
    for ext in ["md", "json", "html", "xlsx"] {
        let out_path = dir.path().join(format!("r.{ext}"));
        let out = bin()
            .arg("diff")
            .arg(case.join("old.thr"))
            .arg(case.join("new.thr"))
            .arg("-o")
            .arg(&out_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{ext}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(std::fs::metadata(&out_path).unwrap().len() > 0);
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(
        json["structure"][1]["text"],
        "rule `toxic_trio` now needs 2 of 3 instead of 3"
    );
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(
        md.contains(
            "| Rules | `toxic_trio` | changed | rule `toxic_trio` now needs 2 of 3 instead of 3 |"
        ),
        "{md}"
    );
}

#[test]
fn an_unknown_report_extension_is_a_usage_error() {
    let f = "tests/fixtures/diff/count_threshold/old.thr";
    let out = bin()
        .args(["diff", f, f, "-o", "report.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
