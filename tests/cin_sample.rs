//! `thresholds sample RULES -o census.xml` and the shipped
//! samples/census.xml: valid against the CIN census schema (when xmllint is
//! installed), every episode kept by a round trip through `score`, every
//! decision path present, and a golden audit report of the shipped sample.
//! `UPDATE_GOLDEN=1 cargo test --test suite cin_sample::` rewrites the golden files.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test loudly"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::thresholds;
use crate::golden;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn path(p: &str) -> PathBuf {
    root().join(p)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Validates `file` against the fixture schema with xmllint; `None` when
/// xmllint is not installed (CI installs it: .ci/run).
fn xmllint(file: &Path) -> Option<(bool, String)> {
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(path("tests/fixtures/cin/cin-census.xsd"))
        .arg(file)
        .output()
        .ok()?;
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn sample(n: u64, seed: u64, out: &Path) {
    let o = thresholds(&[
        "sample",
        s(&path("rules/cin.thr")),
        "--n",
        &n.to_string(),
        "--seed",
        &seed.to_string(),
        "-o",
        s(out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn samples_are_valid_census_messages_that_keep_every_episode() {
    let dir = tempfile::tempdir().unwrap();
    for (n, seed) in [(600, 1), (1, 2), (250, 2026)] {
        let xml = dir.path().join(format!("census-{seed}.xml"));
        sample(n, seed, &xml);
        let text = std::fs::read_to_string(&xml).unwrap();
        assert_eq!(text.matches("<CINdetails>").count() as u64, n);
        match xmllint(&xml) {
            Some((ok, err)) => assert!(ok, "not valid against the schema: {err}"),
            None => eprintln!("xmllint is not installed: schema validation skipped"),
        }
        let out = dir.path().join("scores.json");
        let o = thresholds(&[
            "score",
            s(&path("rules/cin.thr")),
            s(&xml),
            "--format",
            "json",
            "-o",
            s(&out),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(rows.len() as u64, n, "every episode is scored");
        if n < 500 {
            continue;
        }
        // Every decision path, children with several episodes, assessments
        // with several factors, and unborn children.
        let mut decisions: BTreeMap<String, usize> = BTreeMap::new();
        for r in &rows {
            let d = r["decision"].as_str().unwrap_or("").to_string();
            *decisions.entry(d).or_default() += 1;
        }
        for d in [
            "",
            "Referral: no further action",
            "Closed after assessment: no further action",
            "Closed after assessment: early help",
            "Child in need plan",
            "Section 47 enquiry",
            "Child protection plan",
        ] {
            assert!(decisions.contains_key(d), "no `{d}` in {decisions:?}");
        }
        let children = text.matches("<Child>").count() as u64;
        assert!(
            children < n * 9 / 10,
            "{children} children for {n} episodes"
        );
        assert!(text.contains("<ExpectedPersonBirthDate>"));
        let several = text
            .split("<FactorsIdentifiedAtAssessment>")
            .skip(1)
            .any(|f| {
                f.split("</FactorsIdentifiedAtAssessment>")
                    .next()
                    .unwrap()
                    .matches("<AssessmentFactors>")
                    .count()
                    >= 2
            });
        assert!(several, "an assessment with several factors");
        assert!(
            text.split("<CINdetails>")
                .any(|e| e.matches("<Assessments>").count() >= 2),
            "an episode with two assessments"
        );
    }
}

#[test]
fn a_rule_file_without_codes_cannot_write_a_census() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("c.xml");
    let o = thresholds(&[
        "sample",
        s(&path("rules/continuum.thr")),
        "--n",
        "5",
        "-o",
        s(&xml),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("codes [...]"), "{err}");
    assert!(!xml.exists(), "no output is left behind");
}

#[test]
fn the_shipped_census_sample_is_valid_and_its_audit_matches_the_golden_report() {
    let census = path("samples/census.xml");
    if let Some((ok, err)) = xmllint(&census) {
        assert!(ok, "{err}");
    }
    let dir = tempfile::tempdir().unwrap();
    for file in ["report.md", "report.json"] {
        let out = dir.path().join(file);
        let o = thresholds(&[
            "audit",
            s(&path("rules/cin.thr")),
            s(&census),
            "--by",
            "agency",
            "--period",
            "referral_date",
            "--period-by",
            "fy-quarter",
            "-o",
            s(&out),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = std::fs::read_to_string(&out).unwrap();
        golden::assert_golden(&path("tests/golden/cin").join(file), &text);
    }
}
