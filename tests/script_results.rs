//! Issue 13: script results of the wrong type reject the record (SPEC §3),
//! a level label equal to another level's id is an error, and `check` warns
//! about bidirectional-override characters while labels are printed with
//! control characters escaped (SPEC §5).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn out_text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A folder with `rules.thr` whose `s()` returns `body`, and `data.csv`.
fn setup(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.thr"),
        "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\nfields { x: number }\nscript \"s.rhai\"\ndomain d \"D\" { indicator i \"I\" at high }\nrule r \"R\" when not (s() > 5) then at least high\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("s.rhai"), format!("fn s(r) {{ {body} }}\n")).unwrap();
    std::fs::write(dir.path().join("data.csv"), "id,x,indicators\nA1,1,\n").unwrap();
    dir
}

#[test]
fn wrong_script_result_types_reject_the_record_naming_the_function() {
    for (body, what) in [
        ("\"7\"", "returned text \"7\" where a number was expected"),
        ("()", "returned nothing (`()`)"),
        ("0.0/0.0", "returned NaN"),
        ("1.0/0.0", "returned infinity"),
        (
            "true",
            "returned true/false true where a number was expected",
        ),
    ] {
        let dir = setup(body);
        let out = run(dir.path(), &["score", "rules.thr", "data.csv"]);
        let (stdout, stderr) = out_text(&out);
        assert_eq!(out.status.code(), Some(3), "{body}: {stdout}{stderr}");
        assert!(stderr.contains("`s()`"), "{body}: {stderr}");
        assert!(stderr.contains(what), "{body}: {stderr}");
        // `not (s() > 5)` must not fire: the row is rejected, not scored high.
        assert!(!stdout.contains("A1,high"), "{body}: {stdout}");
        assert!(!stdout.contains("A1,"), "{body}: {stdout}");
    }
}

#[test]
fn a_number_result_still_scores() {
    let dir = setup("3");
    let out = run(dir.path(), &["score", "rules.thr", "data.csv"]);
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("A1,high"), "{stdout}");
}

#[test]
fn a_label_equal_to_another_levels_id_is_a_conflicting_decision() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.thr"),
        "continuum \"T\"\nlevels { low \"High\" high \"Low\" }\ndomain d \"D\" { indicator i \"I\" at high }\n",
    )
    .unwrap();
    let out = run(dir.path(), &["check", "rules.thr"]);
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("conflicting-decision"), "{stderr}");
    assert!(stderr.contains("rules.thr:2:14"), "{stderr}");
    assert!(stderr.contains("rules.thr:2:26"), "{stderr}");
}

#[test]
fn bidi_overrides_are_warned_about_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.thr"),
        "continuum \"T\"\n// note \u{202E}evil\nlevels { low \"Lo\u{202E}w\" high \"High\" }\ndomain d \"D\" { indicator i \"I\" at high }\n",
    )
    .unwrap();
    let out = run(dir.path(), &["check", "rules.thr"]);
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("bidirectional control character"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{202E}'),
        "the excerpt must show it escaped: {stderr}"
    );
    assert!(stderr.contains("U+202E"), "{stderr}");
    assert!(stderr.contains("rules.thr:2:9"), "{stderr}");
    assert!(stderr.contains("rules.thr:3:17"), "{stderr}");
}

#[test]
fn a_label_with_escape_is_printed_escaped_by_explain() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.thr"),
        "continuum \"T\"\nlevels { low \"Low\" high \"Hi\u{1b}[2Jgh\" }\nflags { f \"Fl\u{1b}]52;c;x\u{7}ag\" }\ndomain d \"D\" { indicator i \"I\" at high }\nrule r \"R\" when i then flag f\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "explain",
            "rules.thr",
            "--record",
            r#"{"id":"A1","indicators":"i"}"#,
        ],
    );
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'),
        "{stdout}{stderr}"
    );
    assert!(!stdout.contains('\u{7}'), "{stdout}");
    // The report model's text rendering shows a control character as `?`.
    assert!(stdout.contains("Hi?[2Jgh"), "{stdout}");
}

#[test]
fn a_script_throw_message_is_printed_escaped() {
    let dir = setup("throw \"bad\\x1b[2Jthing\"");
    let out = run(dir.path(), &["score", "rules.thr", "data.csv"]);
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stdout.contains('\u{1b}'),
        "{stderr}"
    );
    let out = run(
        dir.path(),
        &["explain", "rules.thr", "--record", r#"{"id":"A1","x":1}"#],
    );
    let (stdout, stderr) = out_text(&out);
    assert!(
        !stderr.contains('\u{1b}') && !stdout.contains('\u{1b}'),
        "{stdout}{stderr}"
    );
}
