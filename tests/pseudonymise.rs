//! `--pseudonymise` leaks no real id and no cell value (SPEC §4, issue 13):
//! every data command runs on data whose ids are distinctive strings, with a
//! duplicate id, a bad number, an unknown indicator and a script that throws,
//! and every output file (Excel workbooks unzipped) and stderr is searched
//! for them. `explain` is exempt: it is asked for an id.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test loudly"
)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

const KEY: &str = "a test key that is long enough";

/// What must never appear: the real ids, the bad cell values and the
/// script's message.
const SECRETS: [&str; 8] = [
    "SECRET-ID-0001",
    "SECRET-ID-0002",
    "SECRET-ID-0003",
    "SECRET-ID-0004",
    "SECRET-ID-0005",
    "SECRET-NUMBER",
    "SECRET-INDICATOR",
    "SECRET-THROW",
];

const SCRIPT: &str = r#"
fn boom(r) {
    if r.age > 15.0 { throw "SECRET-THROW in a message"; }
    1
}
"#;

const DATA: &str = "id,age,agency,indicators,decision
SECRET-ID-0001,5,police,poor_hygiene,Early help
SECRET-ID-0002,7,health,dv_household;missing_episodes,TAF
SECRET-ID-0003,SECRET-NUMBER,school,,NFA
SECRET-ID-0004,9,police,SECRET-INDICATOR,NFA
SECRET-ID-0002,11,health,,NFA
SECRET-ID-0005,16,police,,NFA
";

fn setup(dir: &Path) {
    let rules = std::fs::read_to_string("tests/fixtures/audit/rules.thr").unwrap();
    let rules = format!(
        "{rules}\nscript \"boom.rhai\"\n\nrule thrower \"A script that throws\"\n  when boom() > 5\n  then at least targeted\n"
    );
    std::fs::write(dir.join("old.thr"), &rules).unwrap();
    std::fs::write(dir.join("new.thr"), rules.replace(">= 2", ">= 1")).unwrap();
    std::fs::write(dir.join("boom.rhai"), SCRIPT).unwrap();
    std::fs::write(dir.join("data.csv"), DATA).unwrap();
}

fn run(dir: &Path, args: &[&str], key: bool) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_thresholds"));
    c.current_dir(dir).args(args).env_remove("THRESHOLDS_KEY");
    if key {
        c.env("THRESHOLDS_KEY", KEY);
    }
    c.output().unwrap()
}

/// The text of a file; for a workbook, every XML part inside it.
fn contents(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "xlsx") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut all = String::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            f.read_to_string(&mut all).unwrap();
        }
        all
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

fn no_secrets(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows `{s}`:\n{text}");
    }
}

#[test]
fn no_real_id_or_cell_value_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    // The data is shaped as intended: without --pseudonymise the values are
    // there to leak (the script runs and throws, cells are quoted).
    let plain = run(
        dir,
        &["score", "old.thr", "data.csv", "-o", "plain.csv"],
        false,
    );
    let err = String::from_utf8_lossy(&plain.stderr);
    assert_eq!(plain.status.code(), Some(3), "{err}");
    for s in ["SECRET-NUMBER", "SECRET-INDICATOR", "SECRET-THROW"] {
        assert!(err.contains(s), "{s} not in {err}");
    }
    assert!(err.contains("duplicate id"), "{err}");
    assert!(!err.contains("duplicate id `"), "{err}");

    let mut runs: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let p = "--pseudonymise";
    for ext in ["csv", "json", "xlsx"] {
        let out = format!("score.{ext}");
        let rej = format!("score-rejects-{ext}.csv");
        runs.push((
            vec![
                "score",
                "old.thr",
                "data.csv",
                "-o",
                &out,
                "--rejects",
                &rej,
                p,
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            vec![out.clone(), rej.clone()],
        ));
    }
    runs.push((
        ["score", "old.thr", "data.csv", p]
            .map(String::from)
            .to_vec(),
        vec![],
    ));
    for ext in ["md", "html", "json", "csv", "xlsx"] {
        let out = format!("audit.{ext}");
        let rej = format!("audit-rejects-{ext}.csv");
        runs.push((
            [
                "audit",
                "old.thr",
                "data.csv",
                "-o",
                &out,
                "--rejects",
                &rej,
                "--by",
                "agency",
                p,
            ]
            .map(String::from)
            .to_vec(),
            vec![out.clone(), rej.clone()],
        ));
    }
    runs.push((
        ["audit", "old.thr", "data.csv", p]
            .map(String::from)
            .to_vec(),
        vec![],
    ));
    for ext in ["md", "html", "json", "xlsx"] {
        let out = format!("diff.{ext}");
        let rej = format!("diff-rejects-{ext}.csv");
        runs.push((
            [
                "diff",
                "old.thr",
                "new.thr",
                "data.csv",
                "-o",
                &out,
                "--rejects",
                &rej,
                "--no-timing",
                p,
            ]
            .map(String::from)
            .to_vec(),
            vec![out.clone(), rej.clone()],
        ));
    }
    runs.push((
        ["diff", "old.thr", "new.thr", "data.csv", p]
            .map(String::from)
            .to_vec(),
        vec![],
    ));
    for (args, files) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(dir, &args, true);
        let what = args.join(" ");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{what}: {err}");
        no_secrets(&format!("stderr of `{what}`"), &err);
        no_secrets(
            &format!("stdout of `{what}`"),
            &String::from_utf8_lossy(&o.stdout),
        );
        for f in files {
            no_secrets(&format!("{f} of `{what}`"), &contents(&dir.join(f)));
        }
    }
    // The rejects are all there, under pseudonyms.
    let rej = contents(&dir.join("score-rejects-csv.csv"));
    assert_eq!(rej.lines().count(), 5, "{rej}");
    assert!(rej.contains("not a number"), "{rej}");
    assert!(rej.contains("unknown indicator"), "{rej}");
    assert!(rej.contains("the script failed"), "{rej}");
    assert!(rej.contains("an earlier row has the same id"), "{rej}");
}

#[test]
fn options_naming_the_id_column_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    let cases: [&[&str]; 6] = [
        &[
            "score",
            "old.thr",
            "data.csv",
            "--keep",
            "ID",
            "--pseudonymise",
        ],
        &[
            "score",
            "old.thr",
            "data.csv",
            "--keep",
            "agency, id ",
            "--pseudonymise",
        ],
        &[
            "audit",
            "old.thr",
            "data.csv",
            "--by",
            "agency,Id",
            "--pseudonymise",
        ],
        &[
            "audit",
            "old.thr",
            "data.csv",
            "--reason",
            "id",
            "--pseudonymise",
        ],
        &[
            "audit",
            "old.thr",
            "data.csv",
            "--period",
            " id",
            "--pseudonymise",
        ],
        &[
            "audit",
            "old.thr",
            "data.csv",
            "--by",
            "id",
            "-o",
            "a.md",
            "--pseudonymise",
        ],
    ];
    for args in cases {
        let o = run(dir, args, true);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("id column"), "{args:?}: {err}");
        no_secrets(&format!("{args:?}"), &err);
        assert!(o.stdout.is_empty());
    }
    assert!(!dir.join("a.md").exists());
}
