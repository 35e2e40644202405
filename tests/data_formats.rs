//! Reading referral data: every format, every kind of reject (row and
//! column asserted), and bad input that must give a clear message, not a panic.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::path::{Path, PathBuf};

use crate::common;

use common::{rules, score, thresholds};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const HEADER: &str = "id,age,disabled,dash_score,cse_risk,agency,indicators,decision\n";

#[test]
fn every_format_gives_the_same_scores() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "a.csv",
        format!("{HEADER}R1,0.4,no,,none,health,unexplained_injury,S47\nR2,12,yes,15,high,police,dv_household;poor_hygiene,Early help\nR3,7,n,,,school,,\n").as_bytes(),
    );
    let json = write(
        dir.path(),
        "a.json",
        br#"[{"id":"R1","age":0.4,"disabled":false,"agency":"health","indicators":["unexplained_injury"],"decision":"S47"},
{"id":"R2","age":12,"disabled":true,"dash_score":15,"cse_risk":"high","agency":"police","indicators":"dv_household;poor_hygiene","decision":"Early help"},
{"id":"R3","age":7,"disabled":"n","agency":"school","decision":null}]"#,
    );
    let jsonl = write(
        dir.path(),
        "a.jsonl",
        br#"{"id":"R1","age":0.4,"disabled":false,"agency":"health","unexplained_injury":true,"decision":"S47"}

{"id":"R2","age":12,"disabled":true,"dash_score":15,"cse_risk":"High","agency":"police","dv_household":"yes","poor_hygiene":1,"decision":"early help"}
{"id":"R3","age":7,"disabled":false,"agency":"school"}
"#,
    );
    let (code, want, rej, _) = score(&csv, &[]);
    assert_eq!(code, 0, "{rej:?}");
    assert!(
        want.contains(
            "R2,specialist,targeted,cse_high;dash_high,marac,Early help,early_help,under,-2"
        ),
        "{want}"
    );
    assert!(want.contains("R3,universal,universal,,,,,,\n"), "{want}");
    assert_eq!(score(&json, &[]).1, want);
    let (code, got, rej, _) = score(&jsonl, &[]);
    assert_eq!(code, 0, "{rej:?}");
    // The JSON Lines file spells the decision in lower case.
    assert_eq!(got.replace("early help", "Early help"), want);
}

#[test]
fn each_kind_of_reject_names_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "r.csv",
        format!(
            "{HEADER}\
R1,abc,no,,,health,,\n\
R2,3,no,,,health,dv_houshold,\n\
R3,,no,,,health,,\n\
R4,3,no,,extreme,health,,\n\
R5,3,no,,,health,,Maybe later\n\
R11,3,no,,,health,,\n\
R7,3,no,,,boom,,\n\
R8,30,no,,,health,,\n\
R9,3,perhaps,,,health,,\n\
R10,3,no\n\
R11,3,no,,,health,,NFA\n"
        )
        .as_bytes(),
    );
    let (code, out, rej, err) = score(&data, &[]);
    assert_eq!(code, 3, "{err}");
    let got: Vec<(String, String)> = rej.iter().map(|r| (r[0].clone(), r[2].clone())).collect();
    let want = [
        ("2", "age"),
        ("3", "indicators"),
        ("4", "age"),
        ("5", "cse_risk"),
        ("6", "decision"),
        ("8", "row"),
        ("9", "age"),
        ("10", "disabled"),
        ("11", "row"),
        ("12", "id"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(
        rej[1][3].contains("did you mean `dv_household`"),
        "{:?}",
        rej[1]
    );
    assert!(rej[2][3].contains("missing required field"));
    assert!(rej[4][3].contains("not mapped"));
    assert!(rej[9][3].contains("duplicate id"));
    assert!(rej[5][3].contains("screening failed"), "{:?}", rej[5]);
    assert!(rej[6][3].contains("outside the range"));
    assert!(out.contains("\nR11,universal"));
    assert!(err.contains("11 records: 1 scored, 10 rejected"), "{err}");
}

#[test]
fn strict_stops_at_the_first_reject() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "s.csv",
        format!("{HEADER}R1,1,no,,,x,,\nR2,zz,no,,,x,,\nR3,q,no,,,x,,\n").as_bytes(),
    );
    let (code, _, _, err) = score(&data, &["--strict"]);
    assert_eq!(code, 4, "--strict has its own exit code");
    assert!(err.contains("row 3, column `age`"), "{err}");
    assert!(!err.contains("row 4"), "{err}");
}

#[test]
fn bad_files_get_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", vec![], "empty"),
        (
            "notxlsx.xlsx",
            b"id,age\n1,2\n".to_vec(),
            "not an Excel workbook",
        ),
        (
            "wrong.json",
            br#"{"id": "R1"}"#.to_vec(),
            "expected a JSON array",
        ),
        ("broken.json", b"[{\"id\": }]".to_vec(), "line 1, column"),
        (
            "noid.csv",
            b"age,disabled,agency\n1,no,x\n".to_vec(),
            "no column `id`",
        ),
        (
            "nofield.csv",
            b"id,age,agency\n1,2,x\n".to_vec(),
            "no column `disabled`",
        ),
        ("data.txt", b"id\n".to_vec(), "cannot tell the format"),
    ];
    for (name, bytes, want) in cases {
        let p = write(dir.path(), name, &bytes);
        let (code, _, _, err) = score(&p, &[]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(want), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn awkward_but_valid_csv_is_read_with_right_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(1 << 20);
    let mut bytes = b"\xef\xbb\xbfid,age,disabled,agency,note,indicators\r\n".to_vec();
    bytes.extend_from_slice(b"R1,3,no,\"multi\r\nline\",a,\r\n");
    bytes.extend_from_slice(b"R2,3,no,\xff\xfe,b,\r\n");
    bytes.extend_from_slice(format!("R3,3,no,{big},c,\r\n").as_bytes());
    bytes.extend_from_slice(b"R4,3,no,\"q\",\"d\nd\",\r\nR5,bad,no,x,e,\r\n");
    let p = write(dir.path(), "awk.csv", &bytes);
    let (code, out, rej, err) = score(&p, &["--keep", "note"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(rej.len(), 2, "{rej:?}");
    assert_eq!((rej[0][0].as_str(), rej[0][2].as_str()), ("4", "agency"));
    assert!(rej[0][3].contains("UTF-8"));
    assert_eq!((rej[1][0].as_str(), rej[1][2].as_str()), ("8", "age"));
    assert!(out.contains("R4,universal"), "{out}");
    assert!(
        err.contains("read 8 lines, 5 records: 3 scored, 2 rejected"),
        "{err}"
    );
    assert!(err.contains("2 record(s) ran over several lines"), "{err}");
}

#[test]
fn header_only_file_scores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "h.csv", HEADER.as_bytes());
    let (code, out, _, err) = score(&p, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1);
    assert!(err.contains("read 1 line, 0 records"), "{err}");
}

#[test]
fn json_values_of_the_wrong_type_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "t.jsonl",
        b"{\"id\":\"R1\",\"age\":\"old\",\"disabled\":false,\"agency\":\"x\"}\n\
          {\"id\":\"R2\",\"age\":3,\"disabled\":[1],\"agency\":\"x\"}\n\
          [1,2]\n\
          {not json}\n\
          {\"id\":\"R5\",\"age\":3,\"disabled\":false,\"agency\":\"x\",\"indicators\":7}\n",
    );
    let (code, _, rej, _) = score(&p, &[]);
    assert_eq!(code, 3);
    let got: Vec<(&str, &str)> = rej.iter().map(|r| (r[0].as_str(), r[2].as_str())).collect();
    assert_eq!(
        got,
        [
            ("1", "age"),
            ("2", "disabled"),
            ("3", "row"),
            ("4", "row"),
            ("5", "indicators")
        ]
    );
}

#[test]
fn pseudonymise_needs_a_key_and_hides_ids() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "p.csv",
        format!("{HEADER}=cmd(),3,no,,,x,,\nR2,zz,no,,,x,,\n").as_bytes(),
    );
    let (code, _, _, err) = score(&p, &["--pseudonymise"]);
    assert_eq!(code, 2, "{err}");
    let (code, out, rej, _) = score(&p, &["--pseudonymise", "--key", "a long secret key"]);
    assert_eq!(code, 3);
    assert!(!out.contains("cmd") && !out.contains("R2"), "{out}");
    assert!(
        rej[0][1].starts_with('p') && rej[0][1].len() == 25,
        "{rej:?}"
    );
    let (_, plain, _, _) = score(&p, &[]);
    assert!(plain.contains("\n'=cmd(),universal"), "{plain}");
}

#[test]
fn explain_finds_a_record_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "e.csv",
        format!("{HEADER}R1,0.4,no,,,x,unexplained_injury,\nR2,zz,no,,,x,,\n").as_bytes(),
    );
    let r = rules();
    let run = |id: &str| {
        thresholds(&[
            "explain",
            r.to_str().unwrap(),
            p.to_str().unwrap(),
            "--id",
            id,
        ])
    };
    let ok = run("R1");
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("infant_injury"));
    let bad = run("R2");
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("rejected"));
    let none = run("R9");
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no record with id `R9`"));
}

/// `explain -o`: the same explanation as Markdown or HTML (escaped, the
/// recorded decision and the rules that did not fire kept), an unknown
/// extension and an output over an input refused.
#[test]
fn explain_writes_markdown_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let run = |out: &std::path::Path| {
        thresholds(&[
            "explain",
            "rules/continuum.thr",
            "samples/referrals.csv",
            "--id",
            "R0002",
            "-o",
            out.to_str().unwrap(),
        ])
    };
    let md = dir.path().join("e.md");
    let o = run(&md);
    assert!(o.status.success(), "{o:?}");
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.starts_with("# Record R0002: Level 2 - Early help, single agency (early\\_help)\n"),
        "{md}"
    );
    assert!(
        md.contains("**Recorded decision:**") || md.contains("Recorded decision"),
        "{md}"
    );
    assert!(md.contains("## Why the other rules did not fire"), "{md}");
    let html = dir.path().join("e.html");
    let o = run(&html);
    assert!(o.status.success(), "{o:?}");
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(
        html.contains("<h2>How the rules reach this level</h2>"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    let bad = run(&dir.path().join("e.docx"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("use .md, .html or .txt"));
    let same = run(std::path::Path::new("samples/referrals.csv"));
    assert_eq!(same.status.code(), Some(2), "{same:?}");
}

/// More rejects than are held in memory: every one is still listed, in
/// order, and the counts add up (the rest were spilled to a temporary file).
#[test]
fn rejects_past_the_memory_limit_are_all_listed() {
    let dir = tempfile::tempdir().unwrap();
    let n = thresholds::pipeline::rejects::KEPT * 2;
    let mut text = String::from(HEADER);
    for i in 0..n {
        // Every third row is good; the others have a bad age.
        let age = if i % 3 == 0 { "7" } else { "seven" };
        text.push_str(&format!("R{i},{age},no,,,school,,\n"));
    }
    let data = write(dir.path(), "many.csv", text.as_bytes());
    let (code, out, rejects, err) = score(&data, &[]);
    assert_eq!(code, 3, "{err}");
    let bad = (0..n).filter(|i| i % 3 != 0).count();
    assert_eq!(rejects.len(), bad);
    assert_eq!(out.lines().count() - 1, n - bad);
    // Rows in input order, line = index + 2 (the header is line 1).
    let rows: Vec<usize> = rejects.iter().map(|r| r[0].parse().unwrap()).collect();
    let want: Vec<usize> = (0..n).filter(|i| i % 3 != 0).map(|i| i + 2).collect();
    assert_eq!(rows, want);
    assert!(rejects.iter().all(|r| r[2] == "age"));
    assert!(
        err.contains(&format!("{n} records: {} scored, {bad} rejected", n - bad)),
        "{err}"
    );
}

/// `explain` on the shipped sample: levels and indicators by their labels
/// (ids in brackets), the recorded decision and whether the rules agree, and
/// an id in the wrong case suggested, except under --pseudonymise.
#[test]
fn explain_shows_labels_and_the_recorded_decision_and_suggests_an_id() {
    let run = |more: &[&str]| {
        let mut args = vec!["explain", "rules/continuum.thr", "samples/referrals.csv"];
        args.extend_from_slice(more);
        thresholds(&args)
    };
    let ok = run(&["--id", "R0002"]);
    assert!(ok.status.success(), "{ok:?}");
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        text.starts_with("Record R0002: Level 2 - Early help, single agency (early_help)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "Recorded decision: \"Level 1\" = Level 1 - Universal (universal); \
             the rules give Level 2 - Early help, single agency (early_help)"
        ),
        "{text}"
    );
    let none = run(&["--id", "r0001"]);
    assert_eq!(none.status.code(), Some(2));
    let err = String::from_utf8_lossy(&none.stderr);
    assert!(
        err.contains("no record with id `r0001`") && err.contains("did you mean `R0001`?"),
        "{err}"
    );
    let hidden = run(&[
        "--id",
        "r0001",
        "--pseudonymise",
        "--key",
        "a test key that is long enough",
    ]);
    assert_eq!(hidden.status.code(), Some(2));
    let err = String::from_utf8_lossy(&hidden.stderr);
    assert!(err.contains("no record with id `r0001`"), "{err}");
    assert!(!err.contains("R0001"), "{err}");
}
