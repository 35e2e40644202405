//! CIN census returns (SPEC §9) read by the real binary: every decision
//! path, unborn children, several episodes per child and assessments per
//! episode, missing optional elements, malformed dates and XML, hostile XML
//! (entities, DOCTYPEs, huge text), and indicator codes in the other formats.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::thresholds;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cin_rules() -> PathBuf {
    root().join("rules/cin.thr")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `score RULES DATA --format csv --rejects R ...`: (exit, rows as maps by
/// column, rejects as [row, id, column, reason], stderr).
type Rows = Vec<std::collections::BTreeMap<String, String>>;
fn score(rules: &Path, data: &Path, extra: &[&str]) -> (i32, Rows, Vec<Vec<String>>, String) {
    let (code, stdout, rejects, stderr) = crate::common::score_with(rules, data, extra);
    let mut r = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let rows = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect();
    (code, rows, rejects, stderr)
}

const KEEP: &str = "age,unborn,gender,disabled,referral_source,agency,primary_need,referral_date,la,assessed,indicators";

#[test]
fn every_decision_path_and_derived_field() {
    let data = root().join("tests/fixtures/cin/paths.xml");
    let (code, rows, rejects, err) = score(&cin_rules(), &data, &["--keep", KEEP]);
    assert_eq!(code, 0, "{err}");
    assert!(rejects.is_empty(), "{rejects:?}");
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str(),
                r["decision"].as_str(),
                r["level"].as_str(),
                r["indicators"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "C001/2024-05-01",
                "Referral: no further action",
                "universal",
                ""
            ),
            (
                "C001/2024-09-10",
                "Closed after assessment: no further action",
                "universal",
                ""
            ),
            (
                "C001/2025-01-06",
                "Closed after assessment: early help",
                "early_help",
                "4B"
            ),
            (
                "C002/2025-01-15",
                "Child in need plan",
                "child_in_need",
                "3B;2B"
            ),
            (
                "C003/2025-02-01",
                "Child protection plan",
                "protection",
                "18B;3A"
            ),
            (
                "C004/2024-11-11",
                "Section 47 enquiry",
                "protection",
                "10A;24A"
            ),
            ("C004/2025-03-01", "", "universal", ""),
        ]
    );
    // Ages: (referral - birth) / 365.25, exact; 0 for the unborn child.
    let age = |i: usize| rows[i]["age"].parse::<f64>().unwrap();
    assert_eq!(age(0), 3622.0 / 365.25);
    assert_eq!(age(3), 0.0);
    assert_eq!(age(4), 184.0 / 365.25);
    assert_eq!(rows[3]["unborn"], "true");
    assert_eq!(rows[0]["unborn"], "false");
    let genders: Vec<&str> = rows.iter().map(|r| r["gender"].as_str()).collect();
    assert_eq!(
        genders,
        [
            "female",
            "female",
            "female",
            "not recorded",
            "male",
            "indeterminate",
            "indeterminate"
        ]
    );
    assert_eq!(rows[4]["disabled"], "true", "MOB is a disability");
    assert_eq!(rows[0]["disabled"], "false", "NONE is not");
    assert_eq!(rows[3]["disabled"], "false", "no Disabilities element");
    let agencies: Vec<&str> = rows.iter().map(|r| r["agency"].as_str()).collect();
    assert_eq!(
        agencies,
        [
            "individual",
            "schools",
            "health",
            "health",
            "health",
            "police",
            "la_services"
        ]
    );
    assert_eq!(rows[0]["primary_need"], "", "missing when absent");
    assert_eq!(rows[1]["primary_need"], "N4");
    assert!(rows.iter().all(|r| r["la"] == "201"));
    assert_eq!(rows[0]["assessed"], "false");
    assert_eq!(rows[1]["assessed"], "true");
    // Fired rules: the baby's physical abuse, exploitation with missing.
    assert_eq!(rows[4]["fired"], "baby_physical_abuse");
    assert_eq!(rows[5]["fired"], "exploitation_missing");
}

/// A message around some `<Child>` elements.
fn message(children: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message>\n<Header><Source><LEA>305</LEA></Source></Header>\n<Children>\n{children}</Children>\n</Message>\n"
    )
}

fn child(id: &str, birth: &str, episodes: &str) -> String {
    format!(
        "<Child>\n<ChildIdentifiers><LAchildID>{id}</LAchildID><PersonBirthDate>{birth}</PersonBirthDate><GenderCurrent>1</GenderCurrent></ChildIdentifiers>\n<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>\n{episodes}</Child>\n"
    )
}

fn episode(date: &str, factors: &[&str]) -> String {
    let f: String = factors
        .iter()
        .map(|c| format!("<AssessmentFactors>{c}</AssessmentFactors>"))
        .collect();
    format!(
        "<CINdetails>\n<CINreferralDate>{date}</CINreferralDate>\n<ReferralSource>6</ReferralSource>\n<Assessments><AssessmentActualStartDate>{date}</AssessmentActualStartDate><FactorsIdentifiedAtAssessment>{f}</FactorsIdentifiedAtAssessment></Assessments>\n<CINPlanDates><CINPlanStartDate>{date}</CINPlanStartDate></CINPlanDates>\n<ReferralNFA>false</ReferralNFA>\n</CINdetails>\n"
    )
}

#[test]
fn bad_episodes_are_rejected_with_their_line_and_the_rest_are_scored() {
    let dir = tempfile::tempdir().unwrap();
    let children = [
        child("A", "2015-01-01", &episode("2024-04-01", &["3A"])),
        child("B", "2015-01-01", &episode("2024-13-01", &["3A"])),
        child("C", "2015-01-01", &episode("2024-05-01", &["99Z"])),
        child(
            "D",
            "2015-01-01",
            &format!(
                "{}{}",
                episode("2024-06-01", &["1B"]),
                episode("2024-06-01", &["1B"])
            ),
        ),
        child("E", "2015-02-30", &episode("2024-07-01", &["4A"])),
        child(
            "F",
            "2015-01-01",
            &episode("2024-08-01", &["2A"]).replace(
                "<ReferralSource>6</ReferralSource>",
                "<ReferralSource>6</Referral>",
            ),
        ),
        child("G", "2015-01-01", &episode("2024-09-01", &["15A", "21"])),
    ]
    .concat();
    let data = write(dir.path(), "census.xml", &message(&children));
    let text = std::fs::read_to_string(&data).unwrap();
    let line_of = |needle: &str| {
        let at = text.find(needle).unwrap();
        (text[..at].matches('\n').count() + 1).to_string()
    };
    let (code, rows, rejects, err) = score(&cin_rules(), &data, &[]);
    assert_eq!(code, 3, "rejects exit 3: {err}");
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["A/2024-04-01", "D/2024-06-01", "G/2024-09-01"]);
    assert_eq!(rows[2]["level"], "early_help", "21 maps to nothing");
    assert_eq!(rejects.len(), 5, "{rejects:?}");
    // Every episode is counted: 3 scored + 5 rejected.
    assert!(err.contains("8 records: 3 scored, 5 rejected"), "{err}");
    let by_reason = |s: &str| {
        rejects
            .iter()
            .find(|r| r[3].contains(s))
            .unwrap_or_else(|| panic!("no reject with {s}: {rejects:?}"))
    };
    let bad_date = by_reason("`2024-13-01` is not a date");
    assert_eq!(bad_date[2], "CINreferralDate");
    // Rejected episodes carry their id as far as it was read, so a QA
    // officer can find them.
    assert_eq!(bad_date[1], "B/2024-13-01");
    let episodes_b = text.match_indices("<CINdetails>").nth(1).unwrap().0;
    assert_eq!(
        bad_date[0],
        (text[..episodes_b].matches('\n').count() + 1).to_string()
    );
    let unknown = by_reason("`99Z`");
    assert_eq!(unknown[2], "indicators");
    assert_eq!(unknown[1], "C/2024-05-01");
    let dup = by_reason("duplicate id");
    assert_eq!(dup[1], "D/2024-06-01");
    let birth = by_reason("`2015-02-30` is not a date");
    assert_eq!(birth[2], "PersonBirthDate");
    assert_eq!(birth[1], "E/2024-07-01");
    assert!(
        birth[3].starts_with(&format!("line {}:", line_of("2015-02-30"))),
        "{birth:?}"
    );
    let malformed = by_reason("</Referral>");
    assert!(
        malformed[3].contains("matches no open element"),
        "{malformed:?}"
    );
    assert_eq!(malformed[1], "F/2024-08-01");
}

#[test]
fn header_problems_are_stated_once_and_pooled_messages_keep_their_own_council() {
    let dir = tempfile::tempdir().unwrap();
    let children = |a: &str, b: &str| {
        [
            child(a, "2015-01-01", &episode("2024-04-01", &["3A"])),
            child(b, "2015-01-01", &episode("2024-05-01", &["3A"])),
        ]
        .concat()
    };
    // No header at all: every episode is still scored, and the run says
    // plainly that `la` is empty, once.
    let headless = message(&children("A", "B"))
        .replace("<Header><Source><LEA>305</LEA></Source></Header>\n", "");
    let data = write(dir.path(), "headless.xml", &headless);
    let (code, rows, _, err) = score(&cin_rules(), &data, &["--keep", "la"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["la"].is_empty()));
    let warned: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("Header/Source/LEA"))
        .collect();
    assert_eq!(warned.len(), 1, "{err}");
    assert!(
        warned[0].starts_with("warning: the file has no `Header/Source/LEA`")
            && warned[0].contains("empty on all 2 episodes"),
        "{err}"
    );
    // Two councils' returns one after another in one file (pooled): each
    // message's episodes take its own LEA; a second LEA inside one message
    // is ignored with a warning.
    let second = message(&children("C", "D")).replace(
        "<LEA>305</LEA>",
        "<LEA>306</LEA></Source><Source><LEA>307</LEA>",
    );
    let pooled = format!("{}{second}", message(&children("A", "B")));
    let data = write(dir.path(), "pooled.xml", &pooled);
    let (code, rows, rejects, err) = score(&cin_rules(), &data, &["--keep", "la"]);
    assert_eq!(code, 0, "{err} {rejects:?}");
    let las: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["id"].as_str(), r["la"].as_str()))
        .collect();
    assert_eq!(
        las,
        [
            ("A/2024-04-01", "305"),
            ("B/2024-05-01", "305"),
            ("C/2024-04-01", "306"),
            ("D/2024-05-01", "306")
        ]
    );
    let second_line = pooled[..pooled.rfind("<Message>").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert!(
        err.contains(&format!(
            "warning: the census message at line {second_line} has a second `Header/Source/LEA` (`307`) after `306`"
        )),
        "{err}"
    );
    // Anything else after the message still stops the run.
    let data = write(
        dir.path(),
        "trailing.xml",
        &format!("{}<Other/>\n", message(&children("A", "B"))),
    );
    let (code, _, _, err) = score(&cin_rules(), &data, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a second root element `Other`"), "{err}");
}

#[test]
fn unborn_children_truncated_files_and_missing_optional_elements() {
    let dir = tempfile::tempdir().unwrap();
    let unborn = "<Child><ChildIdentifiers><LAchildID>U</LAchildID><ExpectedPersonBirthDate>2025-06-01</ExpectedPersonBirthDate><GenderCurrent>0</GenderCurrent></ChildIdentifiers><ChildCharacteristics><Ethnicity>NOBT</Ethnicity></ChildCharacteristics>\n<CINdetails><CINreferralDate>2025-02-01</CINreferralDate><ReferralSource>3B</ReferralSource><ReferralNFA>1</ReferralNFA></CINdetails>\n</Child>\n";
    let full = message(unborn);
    // Cut inside a second episode: it is reported, never lost.
    let cut = full.replace(
        "</Child>\n</Children>\n</Message>\n",
        "<CINdetails><CINreferralDate>2025-03-01</CINreferralDate>",
    );
    let data = write(dir.path(), "cut.xml", &cut);
    let (code, rows, rejects, err) =
        score(&cin_rules(), &data, &["--keep", "age,unborn,primary_need"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], "U/2025-02-01");
    assert_eq!(rows[0]["age"], "0");
    assert_eq!(rows[0]["unborn"], "true");
    assert_eq!(rows[0]["decision"], "Referral: no further action");
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert!(
        rejects[0][3].contains("ends inside this episode"),
        "{rejects:?}"
    );
    assert_eq!(rejects[0][1], "U/2025-03-01", "the cut episode's id");
}

#[test]
fn hostile_xml_is_refused_quickly_and_never_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE Message [\n<!ENTITY lol \"lol\">\n<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n<Message><Children><Child><ChildIdentifiers><LAchildID>&lol3;</LAchildID></ChildIdentifiers></Child></Children></Message>\n";
    let external =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Message SYSTEM \"file:///etc/passwd\">\n<Message/>\n";
    let not_cin = "<?xml version=\"1.0\"?>\n<html><body/></html>\n";
    for (name, text, want) in [
        ("laughs.xml", laughs, "entities are never expanded"),
        ("external.xml", external, "entities are never expanded"),
        ("page.xml", not_cin, "not a CIN census message"),
    ] {
        let data = write(dir.path(), name, text);
        let started = Instant::now();
        let (code, rows, _, err) = score(&cin_rules(), &data, &[]);
        assert!(started.elapsed() < Duration::from_secs(20));
        assert_eq!(code, 2, "{name}: {err}");
        assert!(rows.is_empty());
        assert!(err.contains(want), "{name}: {err}");
        assert!(err.contains("line "), "{name}: {err}");
    }
    // An entity used without a declaration rejects the episode.
    let undeclared = message(&child(
        "R",
        "2015-01-01",
        &episode("2024-04-01", &["&xxe;"]),
    ));
    let data = write(dir.path(), "ref.xml", &undeclared);
    let (code, _, rejects, err) = score(&cin_rules(), &data, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(rejects[0][3].contains("`&xxe;` is refused"), "{rejects:?}");
    // A huge text node stops the run instead of filling memory.
    let huge = message(&child(
        "H",
        &"9".repeat(3 * 1024 * 1024),
        &episode("2024-04-01", &["3A"]),
    ));
    let data = write(dir.path(), "huge.xml", &huge);
    let (code, _, _, err) = score(&cin_rules(), &data, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("longer than 1048576 bytes"), "{err}");
    // Deep nesting is bounded too.
    let deep = message(&format!("{}{}", "<x>".repeat(100), "</x>".repeat(100)));
    let data = write(dir.path(), "deep.xml", &deep);
    let (code, _, _, err) = score(&cin_rules(), &data, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nested more than"), "{err}");
}

#[test]
fn a_field_the_census_cannot_fill_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(cin_rules())
        .unwrap()
        .replace("unborn: bool", "unborn: number");
    let rules = write(
        dir.path(),
        "r.thr",
        &text
            .replace("unborn = false", "unborn = 0")
            .replace("unborn = true", "unborn = 1")
            .replace("not unborn", "unborn == 0")
            .replace("when unborn and", "when unborn == 1 and"),
    );
    let data = root().join("tests/fixtures/cin/paths.xml");
    let (code, _, _, err) = score(&rules, &data, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the field `unborn`"), "{err}");
}

#[test]
fn input_format_cin_reads_any_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("return.txt");
    std::fs::copy(root().join("tests/fixtures/cin/paths.xml"), &p).unwrap();
    let (code, rows, _, err) = score(&cin_rules(), &p, &["--input-format", "cin"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows.len(), 7);
}

#[test]
fn codes_name_indicators_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let rules = cin_rules();
    let csv = write(
        dir.path(),
        "a.csv",
        "id,age,unborn,indicators,10A\nR1,15,false,24a;,yes\nR2,0.5,false,18B,\nR3,4,false,3B;4B;2B,0\n",
    );
    let json = write(
        dir.path(),
        "a.json",
        r#"[{"id":"R1","age":15,"unborn":false,"indicators":["24A"],"10A":true},
{"id":"R2","age":0.5,"unborn":false,"indicators":"18B"},
{"id":"R3","age":4,"unborn":false,"indicators":["3B","mental_parent","2B"]}]"#,
    );
    for data in [&csv, &json] {
        let (code, rows, rejects, err) = score(&rules, data, &[]);
        assert_eq!(code, 0, "{}: {err} {rejects:?}", data.display());
        let levels: Vec<&str> = rows.iter().map(|r| r["level"].as_str()).collect();
        assert_eq!(
            levels,
            ["protection", "protection", "protection"],
            "{}",
            data.display()
        );
    }
}

#[test]
fn explain_names_the_codes() {
    let data = root().join("tests/fixtures/cin/paths.xml");
    let out = thresholds(&[
        "explain",
        cin_rules().to_str().unwrap(),
        data.to_str().unwrap(),
        "--id",
        "C004/2024-11-11",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("(missing; code 10A)"), "{text}");
    assert!(text.contains("(cce; code 24A)"), "{text}");
}

#[test]
fn codes_are_checked_kept_by_fmt_and_compared_by_diff() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.thr",
        "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\ndomain d \"D\" {\n  indicator a \"A\" at low codes [\"3A\"]\n  indicator b \"B\" at high codes [\"4B\", \"3a\"]\n  indicator c \"C\" at high codes [\"\"]\n}\n",
    );
    let out = thresholds(&["check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("duplicate-code"), "{err}");
    assert!(
        err.contains("already means the indicator `a` (line 4)"),
        "{err}"
    );
    assert!(err.contains("bad.thr:5:40"), "file:line:col: {err}");
    assert!(err.contains("empty-code"), "{err}");
    // fmt lays codes out after themes and keeps them.
    let messy = write(
        dir.path(),
        "messy.thr",
        "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\nthemes { t \"T\" }\ndomain d \"D\" {\n  indicator a \"A\" at low themes [t]   codes [ \"3A\",\"3B\", ]\n}\n",
    );
    let out = thresholds(&["fmt", messy.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&messy).unwrap();
    assert!(
        text.contains("indicator a \"A\" at low themes [t] codes [\"3A\", \"3B\"]"),
        "{text}"
    );
    let out = thresholds(&["fmt", "--check", messy.to_str().unwrap()]);
    assert!(out.status.success(), "formatted output is stable");
    // diff: codes gained and lost.
    let new = write(dir.path(), "new.thr", &text.replace("\"3B\"", "\"3C\""));
    let out = thresholds(&["diff", messy.to_str().unwrap(), new.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("indicator `a` now read from code \"3C\", no longer read from code \"3B\""),
        "{said}"
    );
}

#[test]
fn byte_order_marks_windows_line_ends_and_prefixes_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read_to_string(root().join("tests/fixtures/cin/paths.xml")).unwrap();
    let windows = format!("\u{feff}{}", plain.replace('\n', "\r\n"));
    let prefixed = plain
        .replace("<Message>", "<cin:Message xmlns:cin=\"urn:example\">")
        .replace("</Message>", "</cin:Message>");
    let (_, want, _, _) = score(
        &cin_rules(),
        &root().join("tests/fixtures/cin/paths.xml"),
        &[],
    );
    for (name, text) in [("windows.xml", windows), ("prefixed.xml", prefixed)] {
        let data = write(dir.path(), name, &text);
        let (code, rows, _, err) = score(&cin_rules(), &data, &[]);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(rows, want, "{name}");
    }
    // The 2024-25 and later schemas give `Sex` (M, F, U) in place of
    // `GenderCurrent` (1, 2, 0, 9): both read as the same gender.
    let sexed = plain
        .replace("<GenderCurrent>1</GenderCurrent>", "<Sex>M</Sex>")
        .replace("<GenderCurrent>2</GenderCurrent>", "<Sex>F</Sex>")
        .replace("<GenderCurrent>0</GenderCurrent>", "<Sex>U</Sex>");
    // (9, indeterminate, has no `Sex` code: that child keeps its element.)
    assert_eq!(sexed.matches("<Sex>").count(), 3);
    let data = write(dir.path(), "sexed.xml", &sexed);
    let (_, want, _, _) = score(
        &cin_rules(),
        &root().join("tests/fixtures/cin/paths.xml"),
        &["--keep", "gender"],
    );
    let (code, rows, _, err) = score(&cin_rules(), &data, &["--keep", "gender"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows, want);
    assert!(rows.iter().any(|r| r["gender"] == "female"));
    assert!(rows.iter().any(|r| r["gender"] == "not recorded"));
}
