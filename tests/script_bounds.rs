//! Issue 13: bounds on a whole script call (SPEC §3). Scripts that hold
//! memory out of reach of rhai's per-value limits (closures or `curry`
//! capturing large strings, hundreds of large variables) or make a built-in
//! do unbounded work (`index_of` on a large string in a loop) reject the
//! record they run on with the limit named; the process exits normally,
//! other records are scored, and `check` and `test` finish with a
//! diagnostic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A hang guard, not a timing assertion: a run that has not ended by then
/// is killed and the test fails.
const HANG_GUARD: Duration = Duration::from_secs(120);

const TIME: &str = "took longer than 250 ms on one record";
const MEMORY: &str = "held more than 64 MB on one record";

/// The environment variable that lengthens the time limit of a script call.
const SCRIPT_MILLIS: &str = "THRESHOLDS_SCRIPT_MILLIS";

/// Runs the binary in `dir`: (exit code, stdout, stderr). Fails the test if
/// the process is killed by a signal (an allocation failure aborts with
/// SIGABRT, exit 134 in a shell) or outlives the hang guard.
///
/// `limit` is the limit the run is about. An attack on the memory limit
/// runs with a time limit of a minute: it reaches 64 MB in some tens of
/// milliseconds on an idle machine, but a loaded one can stretch that past
/// 250 ms of wall-clock time, and the time limit, also a correct refusal,
/// would then hide whether the memory limit works. An attack on the time
/// limit runs with the shipped 250 ms.
fn run(dir: &Path, args: &[&str], limit: &str) -> (i32, String, String) {
    let out = dir.join("stdout.txt");
    let err = dir.join("stderr.txt");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_thresholds"));
    if limit == TIME {
        cmd.env_remove(SCRIPT_MILLIS);
    } else {
        cmd.env(SCRIPT_MILLIS, "60000");
    }
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("THRESHOLDS_KEY")
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err).unwrap()))
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still running after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::fs::read_to_string(&out).unwrap();
    let stderr = std::fs::read_to_string(&err).unwrap();
    let Some(code) = status.code() else {
        panic!("{args:?} ended by a signal ({status}): {stderr}");
    };
    assert_ne!(code, 134, "{args:?} aborted: {stderr}");
    (code, stdout, stderr)
}

/// A string of 10 × 2^18 bytes (2.6 MB, under rhai's 4 MiB string limit).
const BIG: &str = "fn big() { let s = \"0123456789\"; for j in 0..18 { s += s; } s }\n";

/// A folder with `rules.thr` (rule `r` fires when `s() > 5`) whose script
/// runs `attack` for records with `x == 1` and returns 7 otherwise, and
/// `data.csv` with the attacked record A1 between two ordinary ones.
fn setup(attack: &str, example: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut rules = String::from(
        "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\nfields { x: number }\nscript \"s.rhai\"\ndomain d \"D\" { indicator i \"I\" at high }\nrule r \"R\" when s() > 5 then at least high\n",
    );
    if example {
        rules.push_str(
            "example \"ordinary\" {\n  x = 2\n  indicators = []\n  expect high\n}\nexample \"attacked\" {\n  x = 1\n  indicators = []\n  expect high\n}\n",
        );
    }
    std::fs::write(dir.path().join("rules.thr"), rules).unwrap();
    std::fs::write(
        dir.path().join("s.rhai"),
        format!(
            "{BIG}fn g(c) {{ c.len() }}\nfn s(r) {{\n  if r.x == 1 {{\n{attack}\n  }} else {{ 7 }}\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("data.csv"),
        "id,x,indicators\nA0,2,\nA1,1,\nA2,3,\n",
    )
    .unwrap();
    dir
}

/// Closures, each capturing a distinct 2.6 MB string, kept in an array.
const CLOSURES: &str =
    "let b = big(); let a = [];\nfor i in 0..900 { let c = b + i; a.push(|| c.len()); }\na.len()";
/// `curry` capturing distinct 2.6 MB strings.
const CURRY: &str =
    "let b = big(); let a = [];\nfor i in 0..900 { let c = b + i; a.push(Fn(\"g\").curry(c)); }\na.len()";
/// An `index_of` loop over a 2.6 MB string: each call is one operation.
const INDEX_OF: &str =
    "let b = big(); let n = 0;\nfor i in 0..100000 { n += b.index_of(\"y\"); }\nn";

/// 900 variables, each holding a distinct 2.6 MB string.
fn variables() -> String {
    let mut s = String::from("let b = big();\n");
    for i in 0..900 {
        s.push_str(&format!("let v{i} = b + {i};\n"));
    }
    s.push_str("v0.len()");
    s
}

fn attacks() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("closures", CLOSURES.to_string(), MEMORY),
        ("curry", CURRY.to_string(), MEMORY),
        ("variables", variables(), MEMORY),
        ("index_of", INDEX_OF.to_string(), TIME),
    ]
}

/// `score`: the attacked record is rejected naming the limit, the others
/// are scored, and the process exits normally with the rejects' code.
fn score_rejects_only_the_attacked_record(name: &str, attack: &str, limit: &str) {
    let dir = setup(attack, false);
    let (code, stdout, stderr) = run(dir.path(), &["score", "rules.thr", "data.csv"], limit);
    assert_eq!(code, 3, "{name}: {stdout}{stderr}");
    let reject = stderr
        .lines()
        .find(|l| l.contains("id A1"))
        .unwrap_or_else(|| panic!("{name}: no reject for A1: {stderr}"));
    assert!(
        reject.contains("script function `s` failed"),
        "{name}: {reject}"
    );
    assert!(reject.contains(limit), "{name}: {reject}");
    assert!(stdout.contains("A0,high"), "{name}: {stdout}");
    assert!(stdout.contains("A2,high"), "{name}: {stdout}");
    assert!(!stdout.contains("A1,"), "{name}: {stdout}");
    assert!(
        stderr.contains("3 records: 2 scored, 1 rejected"),
        "{name}: {stderr}"
    );
}

#[test]
fn closures_capturing_large_strings_are_stopped_at_the_memory_limit() {
    score_rejects_only_the_attacked_record("closures", CLOSURES, MEMORY);
}

#[test]
fn curry_capturing_large_strings_is_stopped_at_the_memory_limit() {
    score_rejects_only_the_attacked_record("curry", CURRY, MEMORY);
}

#[test]
fn many_large_variables_are_stopped_at_the_memory_limit() {
    score_rejects_only_the_attacked_record("variables", &variables(), MEMORY);
}

#[test]
fn a_slow_builtin_in_a_loop_is_stopped_at_the_time_limit() {
    score_rejects_only_the_attacked_record("index_of", INDEX_OF, TIME);
}

#[test]
fn check_warns_about_an_example_stopped_by_a_limit() {
    for (name, attack, limit) in attacks() {
        let dir = setup(&attack, true);
        let (code, stdout, stderr) = run(dir.path(), &["check", "rules.thr"], limit);
        assert_eq!(code, 0, "{name}: warnings only: {stdout}{stderr}");
        // Diagnostics are wrapped to the terminal's width: read them as
        // one line of words.
        let stderr = stderr
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(stderr.contains("example-fails"), "{name}: {stderr}");
        assert!(
            stderr.contains("example `attacked` cannot be scored"),
            "{name}: {stderr}"
        );
        assert!(stderr.contains(limit), "{name}: {stderr}");
        assert!(
            !stderr.contains("example `ordinary`"),
            "{name}: the ordinary example scores: {stderr}"
        );
    }
}

#[test]
fn test_fails_only_the_example_stopped_by_a_limit() {
    for (name, attack, limit) in attacks() {
        let dir = setup(&attack, true);
        let (code, stdout, stderr) = run(dir.path(), &["test", "rules.thr"], limit);
        let all = format!("{stdout}{stderr}");
        assert_eq!(code, 1, "{name}: {all}");
        assert!(all.contains("1 passed, 1 failed"), "{name}: {all}");
        let failed = all
            .lines()
            .find(|l| l.contains("FAILED"))
            .unwrap_or_else(|| panic!("{name}: {all}"));
        assert!(failed.contains("attacked"), "{name}: {failed}");
        assert!(failed.contains(limit), "{name}: {failed}");
    }
}

#[test]
fn the_time_limit_can_be_lengthened_never_shortened() {
    let dir = setup("7", false);
    for bad in ["100", "0", "soon", "-5"] {
        let out = Command::new(env!("CARGO_BIN_EXE_thresholds"))
            .args(["score", "rules.thr", "data.csv"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env(SCRIPT_MILLIS, bad)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(
            stderr.contains(
                "THRESHOLDS_SCRIPT_MILLIS must be a whole number of milliseconds, at least 250"
            ),
            "{bad}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{bad}: nothing scored");
    }
    let (code, stdout, stderr) = run(dir.path(), &["score", "rules.thr", "data.csv"], MEMORY);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("A1,high"), "{stdout}");
}
