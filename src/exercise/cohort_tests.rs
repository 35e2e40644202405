//! Cohort statistics on a small exercise worked by hand (the same exercise as
//! the golden case tests/golden/exercise/phases/).
use super::*;
use crate::exercise::testutil::{plan, vignette};

fn pack(p: &Plan) -> Pack {
    Pack::new(vec![
        vignette(p, "V01", 4.0, &["hygiene"]),  // early_help
        vignette(p, "V02", 4.0, &["dv_house"]), // targeted
        vignette(p, "V03", 0.5, &["injury"]),   // specialist (infant)
        vignette(p, "V04", 10.0, &[]),          // universal
    ])
}

fn answers(phase: Option<&str>, rows: &[(&str, [u8; 4])]) -> Vec<Response> {
    let mut out = Vec::new();
    for (t, a) in rows {
        for (v, ans) in a.iter().enumerate() {
            out.push(Response {
                row: 0,
                trainee: (*t).into(),
                vignette: v,
                answer: LevelRank::new(*ans),
                phase: phase.map(String::from),
            });
        }
    }
    out
}

const POST: [(&str, [u8; 4]); 3] = [
    ("A", [1, 2, 3, 0]),
    ("B", [1, 1, 2, 0]),
    ("C", [2, 2, 2, 0]),
];
const PRE: [(&str, [u8; 4]); 3] = [
    ("A", [0, 1, 2, 0]),
    ("B", [1, 1, 2, 1]),
    ("C", [2, 2, 2, 0]),
];

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

#[test]
fn hand_worked_cohort() {
    let p = plan();
    let c = cohort(&p, &pack(&p), &answers(None, &POST));
    let s = &c.stats;
    // Fleiss: P_i = 1/3, 1/3, 1/3, 1 → P̄ = 0.5; category shares 3/12, 3/12,
    // 5/12, 1/12 → P_e = 44/144; kappa = (72 − 44) / (144 − 44) = 0.28.
    assert!(close(s.fleiss_kappa, 0.28), "{:?}", s.fleiss_kappa);
    // Krippendorff ordinal: n_c = 3, 3, 5, 1 (n = 12); D_o sum 82, D_e sum 3096;
    // alpha = 1 − 11 · 82 / 3096.
    assert!(
        close(s.krippendorff_alpha, 1.0 - 11.0 * 82.0 / 3096.0),
        "{:?}",
        s.krippendorff_alpha
    );
    let b = &s.trainees[1];
    assert_eq!((b.trainee.as_str(), b.n, b.correct), ("B", 4, 2));
    assert!(close(b.accuracy, 0.5) && close(b.mean_error, -0.5) && close(b.mean_abs_error, 0.5));
    let c3 = &s.trainees[2];
    assert!(close(c3.mean_error, 0.0) && close(c3.mean_abs_error, 0.5));
    // Hardest first: V03 (1/3), then V01 and V02 (2/3) in pack order, then V04.
    let order: Vec<usize> = s.vignettes.iter().map(|v| v.vignette).collect();
    assert_eq!(order, vec![2, 0, 1, 3]);
    assert_eq!(s.vignettes[0].modal, Some(LevelRank::new(2)));
    assert!(!s.vignettes[0].modal_tie);
    assert!(close(s.accuracy, 8.0 / 12.0));
    assert!(c.phases.is_empty() && c.sign_test.is_none() && c.phase.is_none());
}

#[test]
fn phases_last_is_the_statistics_and_sign_test_pairs_trainees() {
    let p = plan();
    // post listed first: pre still comes first.
    let mut r = answers(Some("post"), &POST);
    r.extend(answers(Some("pre"), &PRE));
    let c = cohort(&p, &pack(&p), &r);
    let names: Vec<&str> = c.phases.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["pre", "post"]);
    assert_eq!(c.phase.as_deref(), Some("post"));
    assert!(close(c.stats.fleiss_kappa, 0.28));
    assert!(close(c.phases[0].1.accuracy, 4.0 / 12.0));
    let st = c.sign_test.unwrap();
    // A 0.25 → 1, B 0.25 → 0.5, C 0.5 → 0.5: two up, one tie: p = 2 · 0.25.
    assert_eq!((st.positive, st.negative, st.ties), (2, 0, 1));
    assert!(close(st.p, 0.5));
}

#[test]
fn modal_ties_go_to_the_lower_level() {
    let s = vignette_stats(0, LevelRank::new(2), &[0, 2, 2, 0]);
    assert_eq!(s.modal, Some(LevelRank::new(1)));
    assert!(s.modal_tie);
    let s = vignette_stats(0, LevelRank::new(2), &[0, 0, 0, 0]);
    assert_eq!((s.modal, s.share_correct), (None, None));
}

#[test]
fn themes_placed_too_low() {
    let p = plan();
    let c = cohort(&p, &pack(&p), &answers(None, &POST));
    // dv: V02 answers 2, 1, 2 vs targeted (2): one of three too low.
    // neglect: V01 answers 1, 1, 2 vs early_help: none too low.
    let t = &c.stats.themes_too_low;
    assert_eq!(p.decl.themes[t[0].theme.index()].id, "dv");
    assert_eq!((t[0].n, t[0].too_low), (3, 1));
    assert_eq!(t[1].too_low, 0);
}

#[test]
fn phase_order_is_first_seen_otherwise() {
    let mut r = answers(Some("day2"), &POST[..1]);
    r.extend(answers(Some("day1"), &POST[..1]));
    assert_eq!(phase_order(&r), vec!["day2", "day1"]);
}
