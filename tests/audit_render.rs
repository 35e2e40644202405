//! Audit renderers on a constructed hostile sample (no data loader needed):
//! the HTML is well-formed XML with no unescaped value from the data, the
//! Markdown and CSV escape and neutralise, the workbook reads back with
//! calamine with real numbers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test loudly"
)]

use std::sync::Arc;

use thresholds::audit::{Audit, Auditor, Columns};
use thresholds::check::NoScripts;
use thresholds::data::{Reject, Row};
use thresholds::eval;
use thresholds::plan::{Plan, Record, Value};
use thresholds::report::audit::{self as report, Format};
use thresholds::ruleset::check_source;
use thresholds::span::Source;

const SCRIPT: &str = "<script>alert(1)</script>";
const FORMULA: &str = "=cmd|' /C calc'!A0";

fn plan() -> Plan {
    let text = include_str!("fixtures/audit/rules.thr");
    let src = Arc::new(Source::new("rules.thr", text));
    check_source(&src, &NoScripts)
        .plan
        .expect("fixture rules check")
}

/// (id, age, indicators, decision, agency, rationale, quarter)
type Spec<'a> = (
    &'a str,
    f64,
    &'a [&'a str],
    Option<&'a str>,
    &'a str,
    &'a str,
    &'a str,
);

fn audit(rows: &[Spec<'_>]) -> Audit {
    let plan = plan();
    let cols = Columns {
        by: vec!["agency".into()],
        reason: Some("rationale".into()),
        period: Some("quarter".into()),
        period_by: Default::default(),
    };
    let mut a = Auditor::new(&plan, cols);
    for (i, (id, age, ind, decision, agency, why, q)) in rows.iter().enumerate() {
        let mut rec = Record::empty(&plan);
        rec.id = id.to_string();
        rec.values[plan.field_slot("age").unwrap().index()] = Value::Num(*age);
        for x in *ind {
            rec.indicators
                .insert(plan.indicator_bit(x).unwrap().index());
        }
        let score = eval::score(&plan, &rec).unwrap();
        let row = Row {
            line: i as u64 + 2,
            record: rec,
            decision: decision.and_then(|d| plan.decision_level(d)),
            decision_text: decision.map(str::to_string),
            keep: vec![],
            extra: vec![agency.to_string(), why.to_string(), q.to_string()],
        };
        a.add(&row, &score);
    }
    let rejects = vec![Reject {
        row: 99,
        id: Some(SCRIPT.into()),
        column: "<age>".into(),
        reason: format!("`{FORMULA}` is not a number"),
    }];
    a.finish(rows.len() as u64 + 1, rejects)
}

fn hostile() -> Audit {
    audit(&[
        (
            SCRIPT,
            0.5,
            &["unexplained_injury"],
            Some("Early help"),
            "<b>police</b>",
            "*bold* [x](javascript:y)",
            "<i>Q1</i>",
        ),
        (
            FORMULA,
            12.0,
            &["dv_household"],
            Some("NFA"),
            FORMULA,
            "",
            "2026-Q1",
        ),
        (
            "a&b\"c'd",
            9.0,
            &[],
            Some("S47"),
            "| pipe |",
            "`tick`",
            "2026-Q2",
        ),
        (
            "ok",
            9.0,
            &["poor_hygiene"],
            Some("Early help"),
            "health",
            "",
            "2026-Q2",
        ),
    ])
}

fn text(f: Format, a: &Audit) -> String {
    String::from_utf8(report::render(a, f).unwrap()).unwrap()
}

#[test]
fn html_is_well_formed_and_escapes_everything() {
    let a = hostile();
    let html = text(Format::Html, &a);
    // Well-formed XML (the page is written XHTML-compatible); skip the doctype.
    let body = html.split_once('\n').unwrap().1;
    let mut r = quick_xml::Reader::from_str(body);
    let mut depth = 0i32;
    let mut texts = String::new();
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                depth += 1;
                let name = e.name();
                assert_ne!(name.as_ref(), b"script", "no script elements");
                assert_ne!(name.as_ref(), b"b");
                assert_ne!(name.as_ref(), b"i");
            }
            Ok(quick_xml::events::Event::Empty(e)) => {
                for att in e.attributes() {
                    let att = att.unwrap();
                    let key = att.key.as_ref().to_vec();
                    assert!(key != b"src" && key != b"href", "no external resources");
                }
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Text(t)) => texts.push_str(&t.decode().unwrap()),
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", r.buffer_position()),
        }
    }
    assert_eq!(depth, 0);
    assert!(!html.contains(SCRIPT) && !html.contains("<b>police"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;police&lt;/b&gt;"));
    assert!(texts.contains("Standing questions"));
    for chart in [
        "Agreement by agency",
        "Decisions against the rules",
        "by theme",
        "Agreement by period",
    ] {
        assert!(html.contains(chart), "{chart}");
    }
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/").count()
    );
    // The confusion-matrix chart names levels by label, never by id
    // (issue 14), its columns as well as its rows.
    let heat = &html[html.find("Decisions against the rules").unwrap()..];
    let heat = &heat[..heat.find("</svg>").unwrap()];
    assert!(heat.contains(">Level 2 - Early help</text>"), "{heat}");
    assert!(!heat.contains(">early_help</text>"), "{heat}");
    // Wide tables scroll in their own box rather than past the page.
    assert!(html.contains("<div class=\"table\"><table>"));
}

#[test]
fn markdown_escapes_data() {
    let md = text(Format::Markdown, &hostile());
    assert!(!md.contains(SCRIPT));
    assert!(md.contains(r"&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(md.contains(r"\*bold\* \[x\](javascript:y)"));
    assert!(md.contains(r"\| pipe \|"));
    assert!(md.contains(r"\`tick\`"));
    // Every table row has the same number of unescaped pipes as its header.
    for block in md.split("\n\n").filter(|b| b.starts_with('|')) {
        let count = |l: &str| l.replace(r"\|", "").matches('|').count();
        let mut lines = block.lines();
        let head = count(lines.next().unwrap());
        for l in lines {
            assert_eq!(count(l), head, "{l}");
        }
    }
}

#[test]
fn csv_neutralises_formulas() {
    let csv = text(Format::Csv, &hostile());
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let heads = r.headers().unwrap().clone();
    assert_eq!(&heads[0], "id");
    for rec in r.records() {
        for cell in rec.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '@']), "{cell}");
        }
    }
    assert!(csv.contains("'=cmd|"));
}

#[test]
fn json_has_the_spec_keys_and_escapes_nothing_needed() {
    let v: serde_json::Value = serde_json::from_str(&text(Format::Json, &hostile())).unwrap();
    for k in [
        "n",
        "agree",
        "over",
        "under",
        "agreement",
        "agreement_ci",
        "kappa",
        "kappa_se",
        "kappa_linear",
        "kappa_quadratic",
        "gwet_ac1",
        "confusion",
        "groups",
        "themes",
        "rules",
        "evidence",
        "rejected",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["n"], 4);
    // The JSON keeps the data as it is (JSON escaping is the consumer's business).
    let ids: Vec<&str> = v["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&SCRIPT));
    assert_eq!(v["evidence"][0]["alert"], true);
    assert_eq!(v["evidence"][0]["documented"], true);
    assert_eq!(v["rejected"][0]["row"], 99);
    assert!(v["groups"]["agency"].get("<b>police</b>").is_some());
}

#[test]
fn workbook_reads_back_with_numbers() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = report::render(&hostile(), Format::Xlsx).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let names = wb.sheet_names().to_vec();
    // The workbook renders the audit's document: a sheet per section, the
    // reading form of the evidence replaced by its full sheet.
    assert_eq!(
        names,
        [
            "Summary",
            "Standing questions",
            "Agreement overall",
            "Confusion matrix",
            "By agency",
            "Themes",
            "Periods",
            "Figures",
            "Evidence",
            "Rules",
            "Rejected",
            "Method"
        ]
    );
    let figures = wb.worksheet_range("Figures").unwrap();
    let heads: Vec<Data> = figures.rows().next().unwrap().to_vec();
    let col = |h: &str| {
        heads
            .iter()
            .position(|c| *c == Data::String(h.into()))
            .unwrap()
    };
    let all = figures
        .rows()
        .find(|r| r[1] == Data::String("All decisions".into()))
        .unwrap();
    assert_eq!(all[col("n")], Data::Float(4.0));
    assert!(matches!(all[col("agreement")], Data::Float(v) if (0.0..=1.0).contains(&v)));
    assert!(
        figures
            .rows()
            .any(|r| r[0] == Data::String("agency".into())),
        "each grouping's groups are listed"
    );
    let ev = wb.worksheet_range("Evidence").unwrap();
    let rows: Vec<_> = ev.rows().collect();
    assert_eq!(rows[0][1], Data::String("id".into()));
    assert_eq!(rows[0][6], Data::String("distance".into()));
    assert!(
        matches!(rows[1][6], Data::Float(d) if d < 0.0),
        "distance is a number"
    );
    for r in &rows[1..] {
        for c in r.iter() {
            if let Data::String(s) = c {
                assert!(!s.starts_with(['=', '+', '@', '-']), "{s}");
            }
        }
    }
    // A disagreement no rule explains names the indicators that set it.
    assert!(
        rows.iter()
            .flat_map(|r| r.iter())
            .any(|c| matches!(c, Data::String(s) if s.starts_with("no rule fired; the level comes from: "))),
        "{rows:?}"
    );

    // The evidence's header row is frozen and filterable.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let evidence = read("xl/worksheets/sheet9.xml");
    assert!(evidence.contains("<pane ") && evidence.contains("<autoFilter "));
}

#[test]
fn terminal_summary_answers_the_standing_questions() {
    let t = report::text::render(&hostile());
    assert!(t.contains("How often do decisions agree with the thresholds?"));
    assert!(t.contains("safeguarding alert"));
    assert!(t.contains("Is agreement improving period on period?"));
}

#[test]
#[ignore = "writes the hostile sample's reports to /tmp/audit-preview for a person to look at"]
fn preview() {
    let a = hostile();
    std::fs::create_dir_all("/tmp/audit-preview").unwrap();
    for (f, ext) in [
        (Format::Html, "html"),
        (Format::Markdown, "md"),
        (Format::Json, "json"),
        (Format::Csv, "csv"),
    ] {
        std::fs::write(
            format!("/tmp/audit-preview/hostile.{ext}"),
            report::render(&a, f).unwrap(),
        )
        .unwrap();
    }
    std::fs::write("/tmp/audit-preview/hostile.txt", report::text::render(&a)).unwrap();
}

/// The workbook prints legibly: every sheet landscape, one page wide, its
/// header row repeated on each page; statistics show three decimals (the
/// full value kept) and shares as percentages.
#[test]
fn workbook_is_set_up_to_print_and_formats_statistics() {
    use std::io::Read;
    let bytes = report::render(&hostile(), Format::Xlsx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let book = part("xl/workbook.xml");
    let sheets = book.matches("<sheet ").count();
    assert!(sheets >= 7, "{book}");
    for i in 1..=sheets {
        let xml = part(&format!("xl/worksheets/sheet{i}.xml"));
        assert!(
            xml.contains("orientation=\"landscape\""),
            "sheet {i}: {xml}"
        );
        assert!(xml.contains("fitToPage=\"1\""), "sheet {i}");
        assert!(xml.contains("fitToHeight=\"0\""), "sheet {i}");
    }
    // Every sheet with a table repeats its header row when printed (the
    // summary, the standing questions and the method are sentences).
    for name in [
        "'Agreement overall'!$1:$1",
        "'Confusion matrix'!$3:$3",
        "'By agency'!$1:$1",
        "Themes!$3:$3",
        "Periods!$1:$1",
        "Figures!$1:$1",
        "Evidence!$1:$1",
        "Rules!$1:$1",
        "Rejected!$3:$3",
    ] {
        assert!(book.contains(name), "{name} in {book}");
    }
    assert_eq!(
        book.matches("_xlnm.Print_Titles").count(),
        sheets - 3,
        "{book}"
    );
    let styles = part("xl/styles.xml");
    assert!(styles.contains("formatCode=\"0.000\""), "{styles}");
    assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
}
