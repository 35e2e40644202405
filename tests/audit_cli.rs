//! `thresholds audit` end to end on real files: golden reports (JSON,
//! Markdown, CSV) for a small fixed sample, a hostile sample rendered to HTML
//! and Excel, and the errors a QA officer can run into.
//! `UPDATE_GOLDEN=1 cargo test --test suite audit_cli::` rewrites the golden files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test loudly"
)]

use crate::golden;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RULES: &str = "tests/fixtures/audit/rules.thr";

fn fixture(name: &str) -> String {
    format!("tests/fixtures/audit/{name}")
}

fn audit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .arg("audit")
        .args(args)
        .env_remove("THRESHOLDS_KEY")
        .output()
        .unwrap()
}

fn golden(case: &str, file: &str, actual: &str) {
    let path = PathBuf::from("tests/golden/audit").join(case).join(file);
    golden::assert_golden(&path, actual);
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn sample_reports_match_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let sample = fixture("sample.csv");
    let args = [
        "--by",
        "agency",
        "--reason",
        "rationale",
        "--period",
        "quarter",
    ];
    for (out, file) in [
        ("report.json", "report.json"),
        ("report.md", "report.md"),
        ("evidence.csv", "evidence.csv"),
    ] {
        let path = dir.path().join(out);
        let mut all = vec![RULES, sample.as_str()];
        all.extend(args);
        all.extend(["-o", path.to_str().unwrap()]);
        let o = audit(&all);
        assert_eq!(
            o.status.code(),
            Some(3),
            "rejected rows exit 3: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        golden("sample", file, &read(&path));
    }
    let mut all = vec![RULES, sample.as_str()];
    all.extend(args);
    let o = audit(&all);
    assert_eq!(o.status.code(), Some(3));
    golden(
        "sample",
        "terminal.txt",
        &String::from_utf8(o.stdout).unwrap(),
    );
}

#[test]
fn sample_json_figures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.json");
    let o = audit(&[
        RULES,
        &fixture("sample.csv"),
        "--by",
        "agency",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    // 22 rows: 2 rejected, 20 scored, 19 with a decision.
    assert_eq!(
        (v["read"].as_u64(), v["scored"].as_u64(), v["n"].as_u64()),
        (Some(22), Some(20), Some(19))
    );
    assert_eq!(
        v["agree"].as_u64().unwrap() + v["over"].as_u64().unwrap() + v["under"].as_u64().unwrap(),
        19
    );
    assert_eq!(v["rejected"].as_array().unwrap().len(), 2);
    assert_eq!(v["rules"]["older_teen"], 0);
    assert_eq!(v["groups"]["agency"]["police"]["n"], 7);
    // Worst first: the two alerts, then under, then over.
    let ev = v["evidence"].as_array().unwrap();
    assert_eq!(ev[0]["id"], "R004");
    assert_eq!(ev[0]["alert"], true);
    assert!(
        ev.iter().all(|e| e.get("documented").is_none()),
        "no --reason, no documented"
    );
}

#[test]
fn hostile_sample_html_and_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("a.html");
    let xlsx = dir.path().join("a.xlsx");
    for p in [&html, &xlsx] {
        let o = audit(&[
            RULES,
            &fixture("hostile.csv"),
            "--by",
            "agency",
            "--reason",
            "rationale",
            "--period",
            "quarter",
            "-o",
            p.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let page = read(&html);
    let mut r = quick_xml::Reader::from_str(page.split_once('\n').unwrap().1);
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                let n = e.name().as_ref().to_vec();
                assert!(
                    !matches!(&n[..], b"script" | b"img" | b"b" | b"a" | b"iframe"),
                    "{n:?}"
                );
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("HTML not well-formed at {}: {e}", r.buffer_position()),
        }
    }
    for raw in ["<script>", "<img src", "<b>2026", "onerror=alert(1)>"] {
        assert!(!page.contains(raw), "unescaped {raw}");
    }
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let ev = wb.worksheet_range("Evidence").unwrap();
    let mut seen_formula_id = false;
    for row in ev.rows().skip(1) {
        for c in row {
            if let Data::String(s) = c {
                assert!(!s.starts_with(['=', '+', '@']), "{s}");
                seen_formula_id |= s == "'=cmd|' /C calc'!A0";
            }
        }
    }
    assert!(seen_formula_id);
    let by = wb.worksheet_range("By agency").unwrap();
    assert!(
        by.rows().skip(1).all(|r| matches!(r[2], Data::Float(_))),
        "n is a number"
    );
}

#[test]
fn hostile_sample_markdown_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("a.md");
    let csv = dir.path().join("a.csv");
    for p in [&md, &csv] {
        let o = audit(&[
            RULES,
            &fixture("hostile.csv"),
            "--by",
            "agency",
            "--reason",
            "rationale",
            "-o",
            p.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0));
    }
    let md = read(&md);
    assert!(!md.contains("<script>") && !md.contains("<img"));
    assert!(md.contains(r"\[click\](javascript:alert(1))"));
    let mut r = csv::Reader::from_path(&csv).unwrap();
    for rec in r.records() {
        for cell in rec.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '@']), "{cell}");
        }
    }
}

#[test]
fn pseudonymised_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.json");
    let o = audit(&[
        RULES,
        &fixture("sample.csv"),
        "--pseudonymise",
        "--key",
        "a long test key",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let text = read(&path);
    assert!(!text.contains("\"R004\""));
    let o = audit(&[RULES, &fixture("sample.csv"), "--pseudonymise"]);
    assert_eq!(o.status.code(), Some(2), "no key");
}

fn fails(args: &[&str], code: i32, needle: &str) {
    let o = audit(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
}

#[test]
fn bad_input_is_explained() {
    let sample = fixture("sample.csv");
    fails(&[RULES, &sample, "--by", "agncy"], 2, "no column `agncy`");
    fails(&[RULES, &sample, "--by", "agncy"], 2, "--by");
    fails(&[RULES, &sample, "--reason", "why"], 2, "--reason");
    fails(&[RULES, &sample, "--period", "qtr"], 2, "quarter");
    fails(
        &[RULES, &fixture("no_decisions.csv")],
        2,
        "no column `decision`",
    );
    fails(
        &[RULES, &fixture("blank_decisions.csv")],
        2,
        "none of the 2 scored records has a decision",
    );
    fails(
        &[RULES, &fixture("unmapped.csv")],
        2,
        "no value in column `decision` maps to a level",
    );
    fails(
        &[RULES, &sample, "-o", "report.pdf"],
        2,
        "cannot tell the report format",
    );
    fails(&[&fixture("broken.thr"), &sample], 1, "");
    fails(&[RULES, "tests/fixtures/audit/nosuch.csv"], 2, "nosuch.csv");
}

/// `audit` and `score` give the same pseudonym for the same id and key, so
/// their outputs can be joined; `--keep` is refused, not ignored.
#[test]
fn pseudonyms_agree_with_score_and_keep_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("a.json");
    let key = "a long test key";
    let o = audit(&[
        RULES,
        &fixture("sample.csv"),
        "--pseudonymise",
        "--key",
        key,
        "-o",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
    let audited: Vec<String> = report["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!audited.is_empty());
    let scored = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .args(["score", RULES, &fixture("sample.csv"), "--format", "json"])
        .args(["--pseudonymise", "--key", key])
        .env_remove("THRESHOLDS_KEY")
        .output()
        .unwrap();
    let scored: serde_json::Value = serde_json::from_slice(&scored.stdout).unwrap();
    let scored: Vec<&str> = scored
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in &audited {
        assert!(!id.starts_with('R'), "{id}");
        assert!(scored.contains(&id.as_str()), "{id} not among {scored:?}");
    }
    fails(
        &[RULES, &fixture("sample.csv"), "--keep", "agency"],
        2,
        "does not carry --keep",
    );
}

/// Issue 12: periods `Jun-25, Sep-25, Dec-25, Mar-26` were sorted as text,
/// so the trend ran in the wrong order. Dates group by `--period-by`; odd
/// values follow the timed periods with a warning; empty ones come last.
#[test]
fn periods_are_ordered_by_time_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("periods.csv");
    let mut csv = String::from("id,age,dash_score,agency,indicators,decision,month,date\n");
    let rows = [
        ("Sep-25", "15/09/2025"),
        ("Mar-26", "2026-03-31"),
        ("Jun-25", "2025-06-30T10:30:00"),
        ("Dec-25", "31/12/2025"),
        ("someday", "01/04/2026"),
        ("", ""),
    ];
    for (i, (m, d)) in rows.iter().enumerate() {
        for j in 0..4 {
            let decision = if j < 2 { "NFA" } else { "Early help" };
            csv.push_str(&format!("R{i}{j},8,,police,,{decision},{m},{d}\n"));
        }
    }
    std::fs::write(&data, csv).unwrap();
    let json = dir.path().join("report.json");
    let o = audit(&[
        RULES,
        data.to_str().unwrap(),
        "--period",
        "month",
        "-o",
        json.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("warning: 1 period value").count(), 1, "{err}");
    assert!(!err.contains("someday"), "values are not quoted: {err}");
    let text = read(&json);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = v["periods"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // serde_json without preserve_order sorts keys: check the text order.
    let pos = |k: &str| text.find(&format!("\"{k}\": {{")).unwrap();
    assert_eq!(keys.len(), 6);
    let order = [
        "Jun-25",
        "Sep-25",
        "Dec-25",
        "Mar-26",
        "someday",
        "(no period)",
    ];
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "{} before {}", w[0], w[1]);
    }
    assert!(
        text.contains("Jun-25 to Sep-25"),
        "the trend runs in time order"
    );

    for (by, labels) in [
        (
            "quarter",
            ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"],
        ),
        (
            "fy-quarter",
            [
                "2025/26 Q1",
                "2025/26 Q2",
                "2025/26 Q3",
                "2025/26 Q4",
                "2026/27 Q1",
            ],
        ),
    ] {
        let md = dir.path().join(format!("{by}.md"));
        let o = audit(&[
            RULES,
            data.to_str().unwrap(),
            "--period",
            "date",
            "--period-by",
            by,
            "-o",
            md.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = read(&md);
        let at: Vec<usize> = labels
            .iter()
            .chain(&["(no period)"])
            .map(|l| {
                text.find(&format!("| {l} |"))
                    .unwrap_or_else(|| panic!("{l}\n{text}"))
            })
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{by}: {at:?}\n{text}");
        assert!(text.contains("4 rows have no period"), "{text}");
    }
    fails(
        &[RULES, data.to_str().unwrap(), "--period-by", "month"],
        2,
        "--period-by needs --period",
    );
}

/// Issue 12: an id differing only by a zero-width character printed the same.
#[test]
fn invisible_characters_in_ids_are_warned_about_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ids.csv");
    std::fs::write(
        &data,
        "id,age,dash_score,agency,indicators,decision\n\
         R1,8,,police,,NFA\n\
         R\u{200B}1,8,,police,,Early help\n\
         \u{FEFF}R2,8,,police,,NFA\n",
    )
    .unwrap();
    let o = audit(&[RULES, data.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(
        err.matches("warning: row 3: the id contains an invisible character (U+200B); ids that look the same may differ")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("2 rows have such ids"), "{err}");
    assert!(!err.contains("R\u{200B}1"), "{err}");
    assert!(out.contains("R<U+200B>1"), "{out}");
    assert!(!out.contains('\u{200B}'), "{out}");
}

/// Issue 12: the README's audit example failed on the shipped sample.
#[test]
fn readme_audit_example_runs_on_the_shipped_sample() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.html");
    for data in ["samples/referrals.csv", "samples/referrals.xlsx"] {
        let o = audit(&[
            "rules/continuum.thr",
            data,
            "--by",
            "agency",
            "--reason",
            "rationale",
            "--period",
            "quarter",
            "-o",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{data}: {err}");
        assert!(!err.contains("warning"), "{data}: {err}");
        let html = read(&out);
        let at: Vec<usize> = ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
            .iter()
            .map(|q| html.find(q).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{data}");
        assert!(html.contains("documented overrides"), "{data}");
    }
}
