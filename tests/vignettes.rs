//! The case vignettes of the default continuum (issue 15): realistic
//! referrals in plain English in tests/vignettes/continuum.csv, each coded as
//! a record with the decision a competent front-door social worker would make
//! and why. The real binary scores the file with the shipped rules, and every
//! vignette must get the level of that decision: a rule change that moves one
//! fails here, naming the case.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vignettes() -> PathBuf {
    root().join("tests/vignettes/continuum.csv")
}

/// The vignette file as maps from column to cell, in file order.
fn read_vignettes() -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(vignettes()).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// Every vignette tells its case and its reasoning in plain English, and
/// there are at least 20 of them with distinct ids.
#[test]
fn every_vignette_has_a_narrative_a_decision_and_a_reason() {
    let rows = read_vignettes();
    assert!(rows.len() >= 20, "only {} vignettes", rows.len());
    let mut ids = std::collections::BTreeSet::new();
    for row in &rows {
        let id = &row["id"];
        assert!(ids.insert(id.clone()), "vignette id {id} twice");
        assert!(!row["decision"].trim().is_empty(), "{id}: no decision");
        for col in ["narrative", "why"] {
            assert!(
                row[col].split_whitespace().count() >= 10,
                "{id}: `{col}` is not a sentence or two"
            );
        }
    }
}

/// The shipped rules give every vignette the level of its decision: no row
/// rejected, none over or under.
#[test]
fn the_shipped_rules_agree_with_every_vignette() {
    let out = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .arg("score")
        .arg(root().join("rules/continuum.thr"))
        .arg(vignettes())
        .args(["--format", "csv"])
        .env_remove("THRESHOLDS_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "score failed: {stderr}");

    let cases = read_vignettes();
    let by_id: BTreeMap<&str, &BTreeMap<String, String>> =
        cases.iter().map(|c| (c["id"].as_str(), c)).collect();
    let mut scored = csv::Reader::from_reader(out.stdout.as_slice());
    let mut seen = 0;
    let mut wrong = Vec::new();
    for rec in scored.deserialize::<BTreeMap<String, String>>() {
        let rec = rec.unwrap();
        seen += 1;
        let case = by_id[rec["id"].as_str()];
        if rec["agreement"] != "agree" {
            wrong.push(format!(
                "{}: expected {} ({}), the rules say {} (fired: {})\n  case: {}\n  why: {}",
                rec["id"],
                rec["decision_level"],
                case["decision"],
                rec["level"],
                rec["fired"],
                case["narrative"],
                case["why"],
            ));
        }
    }
    assert_eq!(seen, cases.len(), "every vignette is scored: {stderr}");
    assert!(
        wrong.is_empty(),
        "{} vignette(s) disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Runs `score --format csv` on a CSV text with the shipped rules and returns
/// (id, fired rules) for each record; every record must be scored.
fn fired_by_id(csv_text: &str) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("records.csv");
    std::fs::write(&data, csv_text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .arg("score")
        .arg(root().join("rules/continuum.thr"))
        .arg(&data)
        .args(["--format", "csv"])
        .env_remove("THRESHOLDS_KEY")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    r.deserialize::<BTreeMap<String, String>>()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec["id"].clone(), rec["fired"].clone())
        })
        .collect()
}

/// The ordinary difficulties of adolescence that the exploitation screen
/// weighs as vulnerabilities but never counts as a sign on their own.
const ORDINARY: [&str; 11] = [
    "missing_repeated",
    "missing_education",
    "child_substance_misuse",
    "child_self_harm",
    "missing_episode",
    "school_absence",
    "exclusion_fixed_term",
    "child_substance_early",
    "child_emotional_low_level",
    "early_offending_asb",
    "poor_parent_child_relationship",
];

/// Issue 15: the v1 CSE screen fired on ordinary teenage difficulty with no
/// sexual sign. Every combination of those difficulties, at every screening
/// age, disabled or not, leaves the exploitation screen silent; the heaviest
/// combination with one older associate added makes it fire, so the silence
/// is the sign gate and not a broken screen.
#[test]
fn the_exploitation_screen_needs_a_sexual_or_exploitation_sign() {
    let mut text = String::from("id,age,disabled,agency,indicators\n");
    let mut n = 0;
    for mask in 0u32..(1 << ORDINARY.len()) {
        let inds: Vec<&str> = ORDINARY
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, s)| *s)
            .collect();
        for age in [8, 10, 12, 13, 15, 17] {
            for disabled in ["no", "yes"] {
                n += 1;
                text.push_str(&format!(
                    "R{n},{age},{disabled},school,{}\n",
                    inds.join(";")
                ));
            }
        }
    }
    let all = ORDINARY.join(";");
    text.push_str(&format!("SIGN,15,no,school,{all};older_associates\n"));
    let scored = fired_by_id(&text);
    assert_eq!(scored.len(), n + 1);
    for (id, fired) in &scored {
        let screened = fired
            .split(';')
            .any(|r| r == "exploitation_screening" || r == "exploitation_high");
        if id == "SIGN" {
            assert!(
                screened,
                "one sign added must make the screen fire: {fired}"
            );
        } else {
            assert!(!screened, "{id}: the screen fired with no sign: {fired}");
        }
    }
}
