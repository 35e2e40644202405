//! Golden tests for rendered diagnostics: each folder under
//! `tests/golden/check/` holds `rules.thr` (and maybe `scripts/`) and
//! `expected.txt`, the stderr of `thresholds check rules.thr` run from that
//! folder with `NO_COLOR=1`. Adding a case is adding a folder.
//! `UPDATE_GOLDEN=1 cargo test --test suite check_golden::` rewrites the expectations.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use crate::golden;

use std::path::Path;
use std::process::Command;

#[test]
fn check_diagnostics_match_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/check");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("rules.thr").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "golden cases went missing");
    let mut failures = Vec::new();
    for dir in &cases {
        let out = Command::new(env!("CARGO_BIN_EXE_thresholds"))
            .args(["check", "rules.thr"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        // Every error case exits 1, and every diagnostic points at file:line:column.
        let code = out.status.code().unwrap();
        let summary = stderr.lines().last().unwrap_or("");
        let has_error = !summary.is_empty() && !summary.starts_with("0 errors");
        assert_eq!(
            code,
            if has_error { 1 } else { 0 },
            "{name}: exit code {code}"
        );
        if has_error || stderr.contains("⚠") {
            assert!(
                stderr.contains("╭─["),
                "{name}: no source excerpt:\n{stderr}"
            );
        }
        if let Err(e) = golden::compare(&dir.join("expected.txt"), &stderr) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden case(s) differ (UPDATE_GOLDEN=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
