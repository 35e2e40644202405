//! Golden exercise reports (JSON, Markdown, feedback sheets) for two small
//! exercises in tests/golden/exercise/<case>/: `rules.thr`, `vignettes.csv`,
//! `responses.csv`, and the expected `report.json`, `report.md` and
//! `feedback/*.md`. `UPDATE_GOLDEN=1` rewrites the expected files.
//!
//! Hand checks (levels ranked 0..3: universal, early_help, targeted, specialist):
//!
//! `phases`, last phase (post): answers per vignette (counts per level)
//! V01 [0,2,1,0], V02 [0,1,2,0], V03 [0,0,2,1], V04 [3,0,0,0], 3 raters each.
//! Fleiss: P_i = 2/6, 2/6, 2/6, 6/6 → P̄ = 0.5; category shares 3/12, 3/12,
//! 5/12, 1/12 → P_e = 44/144; kappa = (72 − 44)/(144 − 44) = 0.28.
//! Krippendorff (ordinal): n_c = 3, 3, 5, 1 (n = 12); ordinal δ² (1,2) = 16,
//! (2,3) = 9, (0,1) = 9, (0,2) = 49, (0,3) = 100, (1,3) = 49; coincidences
//! o12 = o21 = 2, o23 = o32 = 1 → Σ o·δ² = 82; Σ n_c n_k δ² = 3096;
//! alpha = 1 − 11 · 82 / 3096 = 0.708656...
//! Sign test pre → post: A 0.25 → 1 (+), B 0.25 → 0.5 (+), C 0.5 → 0.5 (tie)
//! → p = 2 · 0.5² = 0.5.
//!
//! `single`: V01 [0,1,1,0], V02 [0,1,1,0], V03 [0,0,0,2], V04 [1,1,0,0];
//! Fleiss: P̄ = 1/4, P_e = (1 + 9 + 4 + 4)/64 → kappa = (16 − 18)/(64 − 18)
//! = −1/23 = −0.0434783; Krippendorff (ordinal): n_c = 1, 3, 2, 2; Σ o·δ² = 33,
//! Σ n_c n_k δ² = 624 → alpha = 1 − 7 · 33 / 624 = 0.6298077.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers may fail loudly"
)]

use crate::golden;

use std::path::{Path, PathBuf};
use std::process::Command;

use thresholds::exercise::{cohort, responses, Pack, Vignette};
use thresholds::plan::Plan;
use thresholds::report::exercise as report;

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/exercise")
        .join(case)
}

fn plan(dir: &Path) -> Plan {
    let c = thresholds::ruleset::load_file(&dir.join("rules.thr")).unwrap();
    c.plan.unwrap()
}

/// Reads the vignettes without the data loader (its own tests cover it):
/// each CSV row as a JSON object, through `data::record_from_json`.
fn pack(plan: &Plan, dir: &Path) -> Pack {
    let mut rdr = csv::Reader::from_path(dir.join("vignettes.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let mut obj = serde_json::Map::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            if v.is_empty() {
                continue;
            }
            let val = match v.parse::<f64>() {
                Ok(n) if h != "id" => serde_json::json!(n),
                _ => serde_json::json!(v),
            };
            obj.insert(h.to_string(), val);
        }
        let record = thresholds::data::record_from_json(plan, &obj).unwrap();
        let score = thresholds::eval::score(plan, &record).unwrap();
        out.push(Vignette {
            id: record.id.clone(),
            record,
            score,
        });
    }
    Pack::new(out)
}

fn check(path: &Path, actual: &str) {
    golden::assert_golden(path, actual);
}

fn golden(case: &str) {
    let dir = case_dir(case);
    let plan = plan(&dir);
    let pack = pack(&plan, &dir);
    let file = std::fs::File::open(dir.join("responses.csv")).unwrap();
    let read = responses::read(&plan, &pack, file).unwrap();
    let c = cohort::cohort(&plan, &pack, &read.accepted);
    let mut model = report::build(&plan, &pack, &c, read.read, &read.rejects);
    model.replaced = read.replaced;
    check(&dir.join("report.json"), &report::json(&model).unwrap());
    check(&dir.join("report.md"), &report::markdown::render(&model));
    let order = cohort::phase_order(&read.accepted);
    for (name, text) in report::feedback::sheets(&plan, &pack, &read.accepted, &order) {
        check(&dir.join("feedback").join(name), &text);
    }
}

#[test]
fn golden_phases() {
    golden("phases");
}

#[test]
fn golden_single() {
    golden("single");
}

#[test]
fn hand_checked_statistics() {
    let get = |case: &str| -> serde_json::Value {
        let s = std::fs::read_to_string(case_dir(case).join("report.json")).unwrap();
        serde_json::from_str(&s).unwrap()
    };
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-12;
    let p = get("phases");
    assert!(close(&p["fleiss_kappa"], 0.28));
    assert!(close(&p["krippendorff_alpha"], 1.0 - 11.0 * 82.0 / 3096.0));
    assert!(close(&p["sign_test_p"], 0.5));
    assert!(close(&p["phases"]["pre"]["accuracy"], 4.0 / 12.0));
    assert_eq!(p["phases"]["post"]["n"], 12);
    let rows: Vec<u64> = p["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect();
    // Row 27 gives B's answer to V01 in `post` again: it replaces row 6
    // (the same level, so the hand-checked figures stand); not rejected.
    assert_eq!(rows, vec![26, 28]);
    assert_eq!(p["replaced"], 1);
    let s = get("single");
    assert!(close(&s["fleiss_kappa"], -1.0 / 23.0));
    assert!(close(&s["krippendorff_alpha"], 1.0 - 7.0 * 33.0 / 624.0));
    assert!(s.get("phases").is_none());
    assert!(s.get("sign_test_p").is_none());
}

/// The same golden files through the real binary and the real data loader.
#[test]
fn golden_through_the_binary() {
    for (case, code) in [("phases", 3), ("single", 0)] {
        let dir = case_dir(case);
        let tmp = tempfile::tempdir().unwrap();
        let json = tmp.path().join("report.json");
        let md = tmp.path().join("report.md");
        let fb = tmp.path().join("feedback");
        for (out, fb) in [(&json, Some(&fb)), (&md, None)] {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_thresholds"));
            cmd.arg("exercise")
                .arg(dir.join("rules.thr"))
                .arg(dir.join("vignettes.csv"))
                .arg(dir.join("responses.csv"))
                .arg("-o")
                .arg(out);
            if let Some(fb) = fb {
                cmd.arg("--feedback").arg(fb);
            }
            let o = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(code), "{case}: {stderr}");
        }
        let same = |a: &Path, b: &Path| {
            assert_eq!(
                std::fs::read_to_string(a).unwrap(),
                std::fs::read_to_string(b).unwrap(),
                "{} vs {}",
                a.display(),
                b.display()
            );
        };
        // The binary also states a high rejected share of responses (2 of
        // 27 in `phases`), which the model built in memory does not know.
        let mut got: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let want: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap())
                .unwrap();
        let warnings = got["warnings"].take();
        got["warnings"] = serde_json::json!([]);
        assert_eq!(got, want, "{case}");
        if case == "phases" {
            assert!(
                warnings[0]
                    .as_str()
                    .unwrap()
                    .starts_with("responses: 2 of 27 rows (7%) were rejected"),
                "{warnings}"
            );
        }
        let md_text: String = std::fs::read_to_string(&md)
            .unwrap()
            .split_inclusive('\n')
            .filter(|l| !l.starts_with("> **Warning:** responses:"))
            .collect::<String>()
            .replacen("\n\n\n", "\n\n", 1);
        assert_eq!(
            md_text,
            std::fs::read_to_string(dir.join("report.md")).unwrap(),
            "{case}"
        );
        for e in std::fs::read_dir(dir.join("feedback")).unwrap() {
            let e = e.unwrap();
            same(&fb.join(e.file_name()), &e.path());
        }
    }
}
