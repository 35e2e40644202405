//! `thresholds sample` makes records a practitioner would believe: every
//! record of a large sample from the shipped rules is held to age, source,
//! screening and disability rules written out here (independently of the
//! generator's own tables), the shares that say the referral source follows
//! the concern and MARAC is met in 7-10% of domestic abuse are checked, and
//! `--calibration` prints its table with every difference within 2 points.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use std::collections::HashMap;
use std::process::Command;

fn thresholds(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_thresholds"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

/// A sample of the shipped rules: header and rows.
fn sample(n: u64, seed: u64) -> (HashMap<String, usize>, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.csv");
    let o = thresholds(&[
        "sample",
        "rules/continuum.thr",
        "--n",
        &n.to_string(),
        "--seed",
        &seed.to_string(),
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(&path).unwrap();
    let header = r
        .headers()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Indicators that need school age (5+).
const SCHOOL: &[&str] = &[
    "school_absence",
    "exclusion_fixed_term",
    "missing_education",
    "home_education_concerns",
    "bullying_discrimination",
];
/// Exploitation and harm outside the home: none under 10 (the tools start at 10).
const EXPLOITATION: &[&str] = &[
    "cse_medium_indicator",
    "cse_high_indicator",
    "older_associates",
    "criminal_exploitation",
    "cce_warning_signs",
    "gang_association",
    "knife_carrying",
    "serious_youth_violence",
    "online_sexual_abuse",
    "trafficked",
    "missing_repeated",
    "early_offending_asb",
];
/// Indicators an unborn baby's record may carry: parents, household, housing.
const UNBORN_OK: &[&str] = &[
    "carer_mh_managed",
    "carer_mh_affects_parenting",
    "carer_mh_uncontrolled",
    "carer_substance_some_impact",
    "carer_substance_affects_parenting",
    "infant_exposed_substance_crime",
    "carer_learning_needs",
    "da_historic",
    "da_incidents",
    "da_high_harm",
    "da_persistent",
    "parent_in_custody",
    "low_income_affects_child",
    "no_recourse_public_funds",
    "home_conditions_affect_health",
    "housing_poor_temporary",
    "serious_debt",
    "social_isolation",
    "homeless_or_dangerous_housing",
    "sex_offender_in_household",
];
const NEGLECT: &[&str] = &[
    "health_checks_missed",
    "health_needs_unmet",
    "milestones_significant_delay",
    "poor_hygiene",
    "inadequate_supervision",
    "persistent_neglect",
    "refuses_essential_treatment",
    "home_conditions_affect_health",
    "child_left_alone",
];
const DISABILITY: &[&str] = &["disability_additional_need", "disability_complex_needs"];
const DA_CURRENT: &[&str] = &[
    "da_incidents",
    "da_high_harm",
    "da_persistent",
    "child_witnessed_da",
    "child_experiences_da",
];

#[test]
fn every_record_of_a_large_sample_is_coherent() {
    let (h, rows) = sample(40_000, 11);
    let col = |name: &str| h.get(name).copied();
    let age_c = col("age").unwrap();
    let ind_c = col("indicators").unwrap();
    let agency_c = col("agency").unwrap();
    let mut faults: Vec<String> = Vec::new();
    let (mut da, mut marac) = (0usize, 0usize);
    let mut police = (0usize, 0usize, 0usize); // all, current DA, its police
    let mut infants = (0usize, 0usize); // under 1 or unborn, by health
    let mut school_age = (0usize, 0usize, 0usize); // all schools, 5-15, by school
    for row in &rows {
        let id = &row[0];
        let age: f64 = row[age_c].parse().unwrap();
        let inds: Vec<&str> = row[ind_c].split(';').filter(|s| !s.is_empty()).collect();
        let has = |list: &[&str]| inds.iter().any(|i| list.contains(i));
        let get = |name: &str| col(name).map_or("", |c| row[c].as_str());
        let mut fault = |what: String| faults.push(format!("{id} (age {age}): {what}"));
        assert!((0.0..18.0).contains(&age), "{id}: age {age}");
        // Age.
        if age < 5.0 && has(SCHOOL) {
            fault(format!("school indicator under 5: {inds:?}"));
        }
        if age < 10.0 && has(EXPLOITATION) {
            fault(format!("exploitation under 10: {inds:?}"));
        }
        if inds.contains(&"underage_sexual_activity") && !(13.0..16.0).contains(&age) {
            fault("sexual activity outside 13-15".into());
        }
        if inds.contains(&"child_pregnant") && (age < 12.0 || get("sex") == "male") {
            fault("the child's own pregnancy under 12 or on a boy".into());
        }
        if inds.iter().any(|i| i.starts_with("fgm_")) && matches!(get("sex"), "male") {
            fault("FGM on a boy's record".into());
        }
        if age == 0.0 {
            if let Some(i) = inds.iter().find(|i| !UNBORN_OK.contains(i)) {
                fault(format!("`{i}` on an unborn baby's record"));
            }
            if get("unborn") == "no" {
                fault("age 0 but not unborn".into());
            }
        } else if get("unborn") == "yes" {
            fault("unborn with an age".into());
        }
        if get("pregnant") == "yes" && age > 0.0 && age < 13.0 {
            fault("\"pregnant\" on a child under 13".into());
        }
        // Source.
        let agency = row[agency_c].as_str();
        if agency == "school" && age < 3.0 {
            fault("referred by a school under 3".into());
        }
        if agency == "education_services" && age == 0.0 {
            fault("an unborn baby referred by education services".into());
        }
        police.0 += usize::from(agency == "police");
        if has(DA_CURRENT) {
            police.1 += 1;
            police.2 += usize::from(agency == "police");
        }
        if age < 1.0 {
            infants.0 += 1;
            infants.1 += usize::from(agency == "health");
        }
        school_age.0 += usize::from(agency == "school");
        if (5.0..16.0).contains(&age) {
            school_age.1 += 1;
            school_age.2 += usize::from(agency == "school");
        }
        // Domestic abuse screening.
        let is_da = has(DA_CURRENT) || inds.contains(&"da_historic");
        let dash: Option<f64> = get("dash_score").parse().ok();
        let incidents: Option<f64> = get("da_incidents_12m").parse().ok();
        let judgement = get("dash_professional_judgement") == "yes";
        let repeat = get("marac_repeat") == "yes";
        if !is_da && (dash.is_some() || incidents.is_some_and(|x| x > 0.0) || judgement || repeat) {
            fault("DASH or MARAC fields with no domestic abuse".into());
        }
        if !has(DA_CURRENT) && incidents.is_some_and(|x| x > 0.0) {
            fault("incidents this year with past domestic abuse only".into());
        }
        if dash.is_some_and(|d| d >= 14.0) && incidents == Some(0.0) {
            fault("a high DASH with no incident".into());
        }
        if is_da {
            da += 1;
            let met = dash.is_some_and(|d| d >= 14.0)
                || judgement
                || incidents.is_some_and(|x| x >= 3.0)
                || repeat;
            marac += usize::from(met);
        }
        // Exploitation screening.
        let cse = get("cse_category");
        if !cse.is_empty() && age < 10.0 {
            fault(format!("CSE screening `{cse}` under 10"));
        }
        if matches!(cse, "medium" | "high")
            && !has(EXPLOITATION)
            && !inds
                .iter()
                .any(|i| i.starts_with("missing_") || i.starts_with("cse_"))
        {
            fault(format!("CSE screening `{cse}` with no exploitation sign"));
        }
        // Graded Care Profile: only with neglect, all four areas or none.
        let gcp: Vec<&str> = ["gcp_physical", "gcp_safety", "gcp_love", "gcp_esteem"]
            .iter()
            .map(|c| get(c))
            .collect();
        let graded = gcp.iter().filter(|g| !g.is_empty()).count();
        if graded > 0 && !has(NEGLECT) {
            fault("a Graded Care Profile with no neglect".into());
        }
        if graded != 0 && graded != 4 {
            fault("a Graded Care Profile in some areas only".into());
        }
        // Disability and mobility.
        if (get("disabled") == "yes") != has(DISABILITY) {
            fault(format!("disabled = {} with {inds:?}", get("disabled")));
        }
        match get("mobility") {
            "pre_mobile" if age >= 1.0 => fault("pre-mobile at 1 or over".into()),
            "not_independent" if get("disabled") != "yes" => {
                fault("not independently mobile but not disabled".into())
            }
            m if !m.is_empty() && age == 0.0 => fault("mobility for an unborn baby".into()),
            _ => {}
        }
        // History.
        if age == 0.0
            && (get("rereferrals_12m").parse::<f64>().is_ok_and(|x| x > 0.0)
                || get("previous_cp_plan") == "yes")
        {
            fault("a previous referral or plan for an unborn baby".into());
        }
        if !get("partner_age").is_empty()
            && !inds.iter().any(|i| {
                [
                    "underage_sexual_activity",
                    "child_pregnant",
                    "teen_relationship_abuse",
                ]
                .contains(i)
            })
        {
            fault("a partner's age with no sexual activity, pregnancy or relationship".into());
        }
    }
    assert!(
        faults.is_empty(),
        "{} incoherent records, e.g.\n{}",
        faults.len(),
        faults
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let n = rows.len() as f64;
    // MARAC criteria met in 7-10% of domestic abuse records.
    let share = 100.0 * marac as f64 / da as f64;
    assert!((7.0..=10.0).contains(&share), "MARAC {share:.1}% of {da}");
    // Police refer domestic abuse far more than their overall share.
    let overall = police.0 as f64 / n;
    let with_da = police.2 as f64 / police.1 as f64;
    assert!(
        with_da > 1.5 * overall,
        "police {overall:.3} vs {with_da:.3} with DA"
    );
    // Health services (midwives, health visitors) refer most infants.
    let health = infants.1 as f64 / infants.0 as f64;
    assert!(health > 0.4, "health refer {health:.3} of infants");
    // Schools refer school-age children (and nobody under 3).
    let school_all = school_age.0 as f64 / n;
    let school_5_15 = school_age.2 as f64 / school_age.1 as f64;
    assert!(
        school_5_15 > 1.2 * school_all,
        "{school_all:.3} {school_5_15:.3}"
    );
}

#[test]
fn calibration_prints_each_target_beside_the_generated_share() {
    let o = thresholds(&[
        "sample",
        "rules/continuum.thr",
        "--calibration",
        "--n",
        "30000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    for want in [
        "Calibration of 30,000 synthetic referrals (seed 2026)",
        "Referral source (DfE children in need census 2020, table C5",
        "table C3",
        "Target Generated Difference",
        "Police",
        "Mental health: a parent or carer",
        "Domestic abuse: a parent or carer",
        "16-17",
        "MARAC criteria met",
        "every target within 2 points",
        "Records failing a coherence check: 0",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // Each row: label, target %, generated %, signed difference.
    let police = out
        .lines()
        .find(|l| l.trim_start().starts_with("Police"))
        .unwrap();
    let cells: Vec<&str> = police.split_whitespace().collect();
    assert_eq!(cells[1], "28.7%", "{police}");
    let got: f64 = cells[2].trim_end_matches('%').parse().unwrap();
    let diff: f64 = cells[3].parse().unwrap();
    assert!((got - 28.7 - diff).abs() < 0.051, "{police}");
    // Writing referrals and printing the calibration are different jobs.
    let o = thresholds(&[
        "sample",
        "rules/continuum.thr",
        "--calibration",
        "-o",
        "x.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // Without --calibration the number of referrals is still required.
    let o = thresholds(&["sample", "rules/continuum.thr"]);
    assert_eq!(o.status.code(), Some(2));
}
