//! Cohort results of an exercise (SPEC §7), as pure functions over accepted
//! responses: per trainee (exact agreement with the rules, mean signed and
//! absolute rank error), per vignette (share correct, modal answer), Fleiss'
//! kappa (subjects = vignettes, categories = every level of the rule file)
//! and Krippendorff's ordinal alpha (units = vignettes, coders = trainees),
//! and with phases, each phase's figures and a paired sign test of accuracy
//! between the first and last phase.

use std::collections::HashMap;

use crate::plan::{LevelRank, Plan, ThemeId};
use crate::stats::{fleiss_kappa, krippendorff_alpha, sign_test, Metric};

use super::responses::Response;
use super::Pack;

/// One trainee's results.
#[derive(Clone, Debug, PartialEq)]
pub struct TraineeStats {
    /// The trainee.
    pub trainee: String,
    /// Answers.
    pub n: u64,
    /// Answers equal to the rules' level.
    pub correct: u64,
    /// correct / n.
    pub accuracy: Option<f64>,
    /// Mean of (answer rank − rules rank).
    pub mean_error: Option<f64>,
    /// Mean of |answer rank − rules rank|.
    pub mean_abs_error: Option<f64>,
}

/// One vignette's results.
#[derive(Clone, Debug, PartialEq)]
pub struct VignetteStats {
    /// Index in the pack.
    pub vignette: usize,
    /// Answers.
    pub n: u64,
    /// Correct answers.
    pub correct: u64,
    /// correct / n.
    pub share_correct: Option<f64>,
    /// The most frequent answer (rank); ties go to the lower level.
    pub modal: Option<LevelRank>,
    /// More than one level shared the top count.
    pub modal_tie: bool,
    /// Answers per level (rank order).
    pub counts: Vec<u64>,
    /// Mean |answer − rules| over the answers.
    pub mean_abs_error: Option<f64>,
}

/// How often trainees placed cases with a theme below the rules' level.
#[derive(Clone, Debug, PartialEq)]
pub struct ThemeLow {
    /// The theme.
    pub theme: ThemeId,
    /// Answers to vignettes with an indicator of this theme.
    pub n: u64,
    /// Of which below the rules' level.
    pub too_low: u64,
    /// too_low / n.
    pub share: f64,
}

/// Figures over one set of responses (all of them, or one phase).
#[derive(Clone, Debug, PartialEq)]
pub struct SetStats {
    /// Answers.
    pub n: u64,
    /// Correct answers.
    pub correct: u64,
    /// correct / n over all answers.
    pub accuracy: Option<f64>,
    /// Trainees, in order of first answer.
    pub trainees: Vec<TraineeStats>,
    /// Every vignette in the pack, hardest first.
    pub vignettes: Vec<VignetteStats>,
    /// Fleiss' kappa among trainees.
    pub fleiss_kappa: Option<f64>,
    /// Krippendorff's alpha (ordinal) among trainees.
    pub krippendorff_alpha: Option<f64>,
    /// Themes most often placed too low, worst first.
    pub themes_too_low: Vec<ThemeLow>,
}

/// The paired sign test between two phases.
#[derive(Clone, Debug, PartialEq)]
pub struct SignTest {
    /// The earlier phase.
    pub from: String,
    /// The later phase.
    pub to: String,
    /// Trainees more accurate in the later phase.
    pub positive: u64,
    /// Trainees less accurate in the later phase.
    pub negative: u64,
    /// Trainees equally accurate (dropped from the test).
    pub ties: u64,
    /// Two-sided exact p; `None` when every pair is tied (or there are none).
    pub p: Option<f64>,
}

/// The whole cohort.
#[derive(Clone, Debug, PartialEq)]
pub struct Cohort {
    /// Statistics over all responses, or the last phase's.
    pub stats: SetStats,
    /// The phase `stats` describes (`None` without phases).
    pub phase: Option<String>,
    /// Each phase's own figures, in phase order.
    pub phases: Vec<(String, SetStats)>,
    /// First vs last phase, when there are two or more.
    pub sign_test: Option<SignTest>,
}

/// Phases in order of first appearance, with `pre` moved before `post`.
pub fn phase_order(responses: &[Response]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for p in responses.iter().filter_map(|r| r.phase.as_ref()) {
        if !order.contains(p) {
            order.push(p.clone());
        }
    }
    let pos = |name: &str, o: &[String]| o.iter().position(|p| p.eq_ignore_ascii_case(name));
    if let (Some(pre), Some(post)) = (pos("pre", &order), pos("post", &order)) {
        if pre > post {
            let p = order.remove(pre);
            order.insert(post, p);
        }
    }
    order
}

/// Computes the cohort's results.
pub fn cohort(plan: &Plan, pack: &Pack, responses: &[Response]) -> Cohort {
    let order = phase_order(responses);
    let phases: Vec<(String, SetStats)> = order
        .iter()
        .map(|ph| {
            let set: Vec<&Response> = responses
                .iter()
                .filter(|r| r.phase.as_ref() == Some(ph))
                .collect();
            (ph.clone(), set_stats(plan, pack, &set))
        })
        .collect();
    let sign = match (phases.first(), phases.last()) {
        (Some(a), Some(b)) if phases.len() >= 2 => Some(sign_between(a, b)),
        _ => None,
    };
    let (stats, phase) = match phases.last() {
        Some((name, s)) => (s.clone(), Some(name.clone())),
        None => {
            let all: Vec<&Response> = responses.iter().collect();
            (set_stats(plan, pack, &all), None)
        }
    };
    Cohort {
        stats,
        phase,
        phases,
        sign_test: sign,
    }
}

fn sign_between(a: &(String, SetStats), b: &(String, SetStats)) -> SignTest {
    let (mut positive, mut negative, mut ties) = (0, 0, 0);
    let earlier: HashMap<&str, &TraineeStats> =
        a.1.trainees
            .iter()
            .map(|t| (t.trainee.as_str(), t))
            .collect();
    for t in &b.1.trainees {
        let Some(before) = earlier.get(t.trainee.as_str()) else {
            continue;
        };
        if before.n == 0 || t.n == 0 {
            continue;
        }
        // Compare exactly: correct_post * n_pre vs correct_pre * n_post.
        let l = u128::from(t.correct) * u128::from(before.n);
        let r = u128::from(before.correct) * u128::from(t.n);
        match l.cmp(&r) {
            std::cmp::Ordering::Greater => positive += 1,
            std::cmp::Ordering::Less => negative += 1,
            std::cmp::Ordering::Equal => ties += 1,
        }
    }
    SignTest {
        from: a.0.clone(),
        to: b.0.clone(),
        positive,
        negative,
        ties,
        p: sign_test(positive, negative),
    }
}

fn ratio(a: f64, n: u64) -> Option<f64> {
    (n > 0).then(|| a / n as f64)
}

/// Figures over one set of responses.
pub fn set_stats(plan: &Plan, pack: &Pack, set: &[&Response]) -> SetStats {
    let k = plan.decl.levels.len();
    let truth = |r: &Response| pack.vignettes.get(r.vignette).map(|v| v.score.level);
    // Trainees in order of first answer, found by name in a hash map (a
    // search of the list made this quadratic in trainees).
    let mut trainees: Vec<TraineeStats> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut sums: Vec<(i64, u64)> = Vec::new();
    let (mut n, mut correct) = (0u64, 0u64);
    for r in set {
        let Some(t) = truth(r) else { continue };
        let i = match index.get(r.trainee.as_str()) {
            Some(&i) => i,
            None => {
                index.insert(r.trainee.as_str(), trainees.len());
                trainees.push(TraineeStats {
                    trainee: r.trainee.clone(),
                    n: 0,
                    correct: 0,
                    accuracy: None,
                    mean_error: None,
                    mean_abs_error: None,
                });
                sums.push((0, 0));
                trainees.len() - 1
            }
        };
        let d = i64::from(r.answer.get()) - i64::from(t.get());
        trainees[i].n += 1;
        trainees[i].correct += u64::from(d == 0);
        sums[i].0 += d;
        sums[i].1 += d.unsigned_abs();
        n += 1;
        correct += u64::from(d == 0);
    }
    for (t, (s, a)) in trainees.iter_mut().zip(&sums) {
        t.accuracy = ratio(t.correct as f64, t.n);
        t.mean_error = ratio(*s as f64, t.n);
        t.mean_abs_error = ratio(*a as f64, t.n);
    }
    // Vignettes: counts per level.
    let mut counts = vec![vec![0u64; k]; pack.len()];
    let mut units: Vec<Vec<Option<usize>>> = vec![Vec::new(); pack.len()];
    for r in set {
        if let Some(c) = counts
            .get_mut(r.vignette)
            .and_then(|row| row.get_mut(r.answer.index()))
        {
            *c += 1;
            units[r.vignette].push(Some(r.answer.index()));
        }
    }
    let mut vignettes: Vec<VignetteStats> = pack
        .vignettes
        .iter()
        .enumerate()
        .map(|(i, v)| vignette_stats(i, v.score.level, &counts[i]))
        .collect();
    vignettes.sort_by(|a, b| {
        let key = |s: &VignetteStats| s.share_correct.unwrap_or(f64::INFINITY);
        key(a)
            .total_cmp(&key(b))
            .then(
                b.mean_abs_error
                    .unwrap_or(0.0)
                    .total_cmp(&a.mean_abs_error.unwrap_or(0.0)),
            )
            .then(a.vignette.cmp(&b.vignette))
    });
    let answered: Vec<Vec<u64>> = counts
        .iter()
        .filter(|r| r.iter().sum::<u64>() > 0)
        .cloned()
        .collect();
    SetStats {
        n,
        correct,
        accuracy: ratio(correct as f64, n),
        trainees,
        vignettes,
        fleiss_kappa: fleiss_kappa(&answered),
        krippendorff_alpha: krippendorff_alpha(&units, k, Metric::Ordinal),
        themes_too_low: themes_too_low(plan, pack, set),
    }
}

fn vignette_stats(i: usize, level: LevelRank, counts: &[u64]) -> VignetteStats {
    let n: u64 = counts.iter().sum();
    let correct = counts.get(level.index()).copied().unwrap_or(0);
    let max = counts.iter().copied().max().unwrap_or(0);
    let (modal, modal_tie) = if n == 0 {
        (None, false)
    } else {
        let first = counts
            .iter()
            .position(|c| *c == max)
            .and_then(|p| LevelRank::try_from(p).ok());
        (first, counts.iter().filter(|c| **c == max).count() > 1)
    };
    let abs: u64 = counts
        .iter()
        .enumerate()
        .map(|(l, c)| c * (l as u64).abs_diff(u64::from(level.get())))
        .sum();
    VignetteStats {
        vignette: i,
        n,
        correct,
        share_correct: ratio(correct as f64, n),
        modal,
        modal_tie,
        counts: counts.to_vec(),
        mean_abs_error: ratio(abs as f64, n),
    }
}

fn themes_too_low(plan: &Plan, pack: &Pack, set: &[&Response]) -> Vec<ThemeLow> {
    let mut out: Vec<ThemeLow> = plan
        .theme_masks()
        .filter_map(|(t, mask)| {
            let (mut n, mut low) = (0u64, 0u64);
            for r in set {
                let Some(v) = pack.vignettes.get(r.vignette) else {
                    continue;
                };
                if v.record.indicators.intersects(mask) {
                    n += 1;
                    low += u64::from(r.answer < v.score.level);
                }
            }
            (n > 0).then(|| ThemeLow {
                theme: t,
                n,
                too_low: low,
                share: low as f64 / n as f64,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then(b.too_low.cmp(&a.too_low))
            .then(a.theme.cmp(&b.theme))
    });
    out
}

#[cfg(test)]
#[path = "cohort_tests.rs"]
mod tests;
