//! Helpers shared by the data-reading integration tests: the fixture rule
//! file, running the binary, and `score` with its rejects read back.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The rule file the data fixtures are written for.
pub(crate) fn rules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data/rules.thr")
}

/// Runs the binary (no pseudonymisation key in the environment).
pub(crate) fn thresholds(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(args)
        .env_remove("THRESHOLDS_KEY")
        .output()
        .unwrap()
}

/// Runs `score` with `--rejects` on the fixture rules: (exit, stdout,
/// rejects as rows, stderr).
pub(crate) fn score(data: &Path, extra: &[&str]) -> (i32, String, Vec<Vec<String>>, String) {
    score_with(&rules(), data, extra)
}

/// Runs `score RULES DATA --format csv --rejects R ...`: (exit, stdout,
/// rejects as rows, stderr).
pub(crate) fn score_with(
    rules: &Path,
    data: &Path,
    extra: &[&str],
) -> (i32, String, Vec<Vec<String>>, String) {
    let dir = tempfile::tempdir().unwrap();
    let rej = dir.path().join("rejects.csv");
    let mut args = vec![
        "score",
        rules.to_str().unwrap(),
        data.to_str().unwrap(),
        "--format",
        "csv",
        "--rejects",
        rej.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = thresholds(&args);
    let rejects = std::fs::read_to_string(&rej)
        .map(|s| {
            let mut r = csv::Reader::from_reader(s.as_bytes());
            r.records()
                .map(|x| x.unwrap().iter().map(str::to_string).collect())
                .collect()
        })
        .unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        rejects,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Flags that run Chromium headless, with no network or updates of its own.
pub(crate) const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Chromium's path, if it is installed. Outside CI a missing browser is
/// said on stderr and the caller skips its check; under CI (`CI` set) it
/// fails the test, since `.ci/run` installs Chromium.
pub(crate) fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()?;
            let path = String::from_utf8(out.stdout).ok()?;
            let path = path.trim();
            (!path.is_empty()).then(|| PathBuf::from(path))
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is needed for the layout checks in CI (.ci/run installs it)"
        );
        eprintln!("html_layout: no Chromium here; layout not checked");
    }
    found
}
