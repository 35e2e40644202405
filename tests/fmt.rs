//! `thresholds fmt`: golden layouts (`tests/golden/fmt/<case>/input.thr` →
//! `expected.thr`), idempotence, and `--check`. `UPDATE_GOLDEN=1` rewrites
//! the expectations.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use crate::golden;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/fmt");
    let mut v: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.thr").exists())
        .collect();
    v.sort();
    v
}

/// Formats `text` in a scratch folder with the real binary.
fn fmt_text(text: &str) -> (String, Output) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("r.thr"), text).unwrap();
    let out = run(&["fmt", "r.thr"], tmp.path());
    (
        std::fs::read_to_string(tmp.path().join("r.thr")).unwrap(),
        out,
    )
}

#[test]
fn fmt_matches_golden_layouts_and_is_idempotent() {
    let cases = cases();
    assert!(cases.len() >= 5, "golden cases went missing");
    let mut failures = Vec::new();
    for dir in cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let input = std::fs::read_to_string(dir.join("input.thr")).unwrap();
        let (got, out) = fmt_text(&input);
        assert!(out.status.success(), "{name}: {out:?}");
        let again = fmt_text(&got).0;
        assert_eq!(got, again, "{name}: fmt is not idempotent");
        if let Err(e) = golden::compare(&dir.join("expected.thr"), &got) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_flag_exits_1_on_unformatted_and_0_on_formatted() {
    let tmp = tempfile::tempdir().unwrap();
    let messy = "continuum \"X\"\nlevels { a \"A\"   b \"B\" }\n";
    std::fs::write(tmp.path().join("r.thr"), messy).unwrap();
    let out = run(&["fmt", "--check", "r.thr"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not formatted"));
    // --check leaves the file alone
    let still = std::fs::read_to_string(tmp.path().join("r.thr")).unwrap();
    assert_eq!(still, messy);
    let out = run(&["fmt", "r.thr"], tmp.path());
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["fmt", "--check", "r.thr"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn fmt_refuses_a_file_that_does_not_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = "continuum \"X\"\nlevels { a \"A\" b }\n";
    std::fs::write(tmp.path().join("r.thr"), bad).unwrap();
    let out = run(&["fmt", "r.thr"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("r.thr:2:"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("r.thr")).unwrap(),
        bad
    );
}

#[test]
fn formatting_the_shipped_continuum_keeps_its_examples_passing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root.join("continuum.thr")).unwrap();
    std::fs::write(tmp.path().join("continuum.thr"), &text).unwrap();
    std::fs::create_dir(tmp.path().join("scripts")).unwrap();
    for e in std::fs::read_dir(root.join("scripts")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, tmp.path().join("scripts").join(p.file_name().unwrap())).unwrap();
    }
    let before = run(&["test", "continuum.thr"], tmp.path());
    assert!(run(&["fmt", "continuum.thr"], tmp.path()).status.success());
    let formatted = std::fs::read_to_string(tmp.path().join("continuum.thr")).unwrap();
    assert_eq!(formatted.matches("//").count(), text.matches("//").count());
    let after = run(&["test", "continuum.thr"], tmp.path());
    assert_eq!(before.stdout, after.stdout);
    assert_eq!(before.status.code(), after.status.code());
    let again = run(&["fmt", "--check", "continuum.thr"], tmp.path());
    assert_eq!(again.status.code(), Some(0));
}
