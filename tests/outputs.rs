//! Outputs never harm inputs (SPEC §4): an output that is the same file as
//! an input or another output is refused before anything is read; outputs
//! are written whole or not at all (interrupted, killed, `--strict`); a
//! closed pipe is a failure. Each test is one of the attacks of issue 12,
//! in the shape it was found.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rules() -> PathBuf {
    root().join("rules/continuum.thr")
}

fn run(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(args)
        .env_remove("THRESHOLDS_KEY")
        .output()
        .unwrap()
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

/// A copy of the shipped sample in a fresh folder.
fn sample_copy() -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("in.csv");
    std::fs::copy(root().join("samples/referrals.csv"), &data).unwrap();
    let bytes = std::fs::read(&data).unwrap();
    (dir, data, bytes)
}

fn refused(out: &Output, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert!(err.contains("is the same file as"), "{what}: {err}");
    assert!(err.contains("nothing was read or written"), "{what}: {err}");
}

#[test]
fn an_output_naming_an_input_is_refused_and_the_input_kept() {
    let (dir, data, bytes) = sample_copy();
    let r = rules();
    let rules_before = std::fs::read(&r).unwrap();
    let xlsx = dir.path().join("x.xlsx");
    std::fs::copy(root().join("samples/referrals.xlsx"), &xlsx).unwrap();
    let xlsx_bytes = std::fs::read(&xlsx).unwrap();
    let dotted = dir.path().join(".").join("in.csv");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&data, &link).unwrap();
    let cases: Vec<(&str, Vec<&Path>)> = vec![
        ("score -o in", vec![p("score"), &r, &data, p("-o"), &data]),
        (
            "score --rejects in",
            vec![p("score"), &r, &data, p("--rejects"), &dotted],
        ),
        ("audit -o in", vec![p("audit"), &r, &data, p("-o"), &link]),
        ("audit xlsx", vec![p("audit"), &r, &xlsx, p("-o"), &xlsx]),
        (
            "diff --rejects",
            vec![p("diff"), &r, &r, &data, p("--rejects"), &data],
        ),
        (
            "pack -o rules",
            vec![
                p("exercise"),
                p("pack"),
                &r,
                &data,
                p("--n"),
                p("3"),
                p("-o"),
                &r,
            ],
        ),
        (
            "sample -o rules",
            vec![p("sample"), &r, p("--n"), p("3"), p("-o"), &r],
        ),
    ];
    for (what, args) in cases {
        refused(&run(&args), what);
    }
    assert_eq!(std::fs::read(&data).unwrap(), bytes);
    assert_eq!(std::fs::read(&xlsx).unwrap(), xlsx_bytes);
    assert_eq!(std::fs::read(&r).unwrap(), rules_before);
}

#[test]
fn two_outputs_on_one_path_are_refused() {
    let (dir, data, _) = sample_copy();
    let out = dir.path().join("out.csv");
    let o = run(&[
        p("score"),
        &rules(),
        &data,
        p("-o"),
        &out,
        p("--rejects"),
        &out,
    ]);
    refused(&o, "-o P --rejects P");
    assert!(!out.exists());
}

#[test]
fn a_script_is_an_input_too() {
    let dir = tempfile::tempdir().unwrap();
    let rules_dir = dir.path().join("rules");
    std::fs::create_dir(&rules_dir).unwrap();
    std::fs::write(
        rules_dir.join("r.thr"),
        "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\nfields { age: number }\n\
         domain d \"D\" { indicator x \"X\" at high }\nscript \"s.rhai\"\n\
         rule old \"Older\" when older() then at least high\n",
    )
    .unwrap();
    let script = rules_dir.join("s.rhai");
    std::fs::write(&script, "fn older(r) { r.age > 10 }\n").unwrap();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "id,age,indicators\nA,12,\n").unwrap();
    let o = run(&[
        p("score"),
        &rules_dir.join("r.thr"),
        &data,
        p("-o"),
        &script,
    ]);
    refused(&o, "score -o script");
    assert_eq!(
        std::fs::read_to_string(&script).unwrap(),
        "fn older(r) { r.age > 10 }\n"
    );
}

#[test]
fn a_bad_rejects_path_fails_before_the_data_is_read() {
    let (dir, data, _) = sample_copy();
    let out = dir.path().join("out.csv");
    let o = run(&[
        p("score"),
        &rules(),
        &data,
        p("-o"),
        &out,
        p("--rejects"),
        &dir.path().join("no/such/folder/r.csv"),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no such folder"), "{err}");
    assert!(!err.contains("rows:"), "nothing was read: {err}");
    assert!(!out.exists());
}

#[test]
fn strict_exits_4_and_leaves_no_output() {
    let (dir, data, _) = sample_copy();
    let mut text = std::fs::read_to_string(&data).unwrap();
    // A bad age on the last row: most rows are scored before the stop.
    text.push_str("R9999,not-a-number,health,,,,,,,,\n");
    std::fs::write(&data, &text).unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "previous").unwrap();
    let o = run(&[p("score"), &rules(), &data, p("-o"), &out, p("--strict")]);
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    let fresh = dir.path().join("fresh.json");
    let o = run(&[p("score"), &rules(), &data, p("-o"), &fresh, p("--strict")]);
    assert_eq!(o.status.code(), Some(4));
    assert!(!fresh.exists());
    // Nothing else is left in the folder (no temporary files).
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn fmt_rewrites_whole_and_keeps_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.thr");
    std::fs::write(
        &real,
        "continuum \"T\"\nlevels {  low \"Low\"\n high \"High\" }\n",
    )
    .unwrap();
    let link = dir.path().join("link.thr");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = run(&[p("fmt"), &link]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let o = run(&[p("fmt"), p("--check"), &real]);
    assert_eq!(o.status.code(), Some(0));
}

/// A large generated sample, for the tests that stop a run part-way.
fn big_sample(dir: &Path, n: &str) -> PathBuf {
    let data = dir.join("big.csv");
    let o = run(&[p("sample"), &rules(), p("--n"), p(n), p("-o"), &data]);
    assert_eq!(o.status.code(), Some(0));
    data
}

#[test]
fn a_killed_or_interrupted_score_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let data = big_sample(dir.path(), "300000");
    let out = dir.path().join("out.csv");
    for signal in ["INT", "TERM", "KILL"] {
        std::fs::write(&out, "previous").unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_thresholds"))
            .args([Path::new("score"), &rules(), &data, p("-o"), &out])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(150));
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        let content = std::fs::read_to_string(&out).unwrap();
        if status.success() {
            // The run finished before the signal: the output is complete.
            assert_eq!(content.lines().count(), 300_001, "{signal}");
        } else {
            assert_eq!(content, "previous", "{signal}: {status:?}");
        }
        if signal != "KILL" {
            // Ctrl-C and SIGTERM also remove the temporary file.
            let left: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
                .collect();
            assert!(left.is_empty(), "{signal}: {left:?}");
        }
    }
}

#[test]
fn a_broken_pipe_is_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let data = big_sample(dir.path(), "100000");
    let mut child = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args([Path::new("score"), &rules(), &data, p("--format"), p("csv")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe.
    {
        use std::io::BufRead;
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("id,level"));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("broken pipe"), "{err}");
}
