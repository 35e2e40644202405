//! Many-rater agreement (e.g. trainees rating the same vignettes): Fleiss' kappa,
//! Krippendorff's alpha (nominal, ordinal, interval), and the exact sign test for
//! paired before/after comparisons.
//!
//! Categories are level indices `0..k` over the full scale of the rule file.

use super::binom_two_sided_half;

/// Tolerance below which a denominator counts as zero.
const EPS: f64 = 1e-12;

/// Fleiss' (1971) kappa from a subjects × categories table of counts: `counts[i][j]`
/// is the number of raters who put subject `i` in category `j`.
///
/// `P_i = Σ_j n_ij (n_ij - 1) / (n_i (n_i - 1))` is subject `i`'s pairwise agreement
/// with its own number of raters `n_i`; `P̄` is the mean of `P_i` over subjects with
/// `n_i >= 2`; chance agreement is `P_e = Σ_j π_j²`.
///
/// With the same number of raters for every subject this is exactly Fleiss (1971),
/// where `π_j` is the share of all ratings in category `j`. When the number of raters
/// differs between subjects (missing ratings), `π_j` is the mean, over the subjects
/// with `n_i >= 2`, of each subject's share `n_ij / n_i`: Gwet's (2014) generalisation
/// (as in the `irrCAC` packages), except that subjects with a single rating are left
/// out of `π_j` as well as `P̄`, so that both are averages over the same subjects.
/// For a constant number of raters this is identical to pooling all ratings.
///
/// Why not pool all ratings, or keep single-rating subjects in `π_j`? Either lets
/// `P_e` be driven by ratings that never enter `P̄` (one heavily rated subject, or
/// subjects with one rating), and kappa can then fall far below -1. With the choice
/// above the result is always within `[-1, 1]`: `P_i >= 2 S_i - 1` where
/// `S_i = Σ_j (n_ij / n_i)²` (because `n_i >= 2`), and `P_e <= mean(S_i)` by Jensen's
/// inequality, so `P̄ >= 2 P_e - 1`.
///
/// Subjects with no ratings are ignored. Returns `None` if rows have different
/// lengths, no subject has two ratings, or `P_e = 1` (everyone used one category).
pub fn fleiss_kappa(counts: &[Vec<u64>]) -> Option<f64> {
    let k = counts.first()?.len();
    if counts.iter().any(|r| r.len() != k) {
        return None;
    }
    let mut pi = vec![0.0_f64; k];
    let mut p_sum = 0.0_f64;
    let mut pairable = 0usize;
    for row in counts {
        let ni = row.iter().fold(0u64, |s, &c| s.saturating_add(c));
        if ni < 2 {
            continue;
        }
        let nf = ni as f64;
        for (share, &c) in pi.iter_mut().zip(row) {
            *share += c as f64 / nf;
        }
        let agree: f64 = row.iter().map(|&c| c as f64 * (c as f64 - 1.0)).sum();
        p_sum += agree / (nf * (nf - 1.0));
        pairable += 1;
    }
    if pairable == 0 {
        return None;
    }
    let p_bar = p_sum / pairable as f64;
    let pe: f64 = pi.iter().map(|s| (s / pairable as f64).powi(2)).sum();
    if 1.0 - pe <= EPS {
        return None;
    }
    let kappa = (p_bar - pe) / (1.0 - pe);
    kappa.is_finite().then_some(kappa)
}

/// Level of measurement for Krippendorff's alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Any difference between categories counts the same.
    Nominal,
    /// Ordered categories; distances from the category frequencies (Krippendorff 2011):
    /// `δ²_ck = (Σ_{g=c..k} n_g - (n_c + n_k)/2)²`.
    Ordinal,
    /// Equally spaced categories: `δ²_ck = (c - k)²` on the level indices, i.e. the
    /// levels are treated as ranks 1, 2, 3, ... one unit apart.
    Interval,
}

/// Krippendorff's alpha, `1 - D_o / D_e`, computed from the coincidence matrix as in
/// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability".
///
/// `units[u]` holds the values the coders gave unit `u` (`None` = missing), each a
/// category index in `0..k`. Units with fewer than two values are not pairable and are
/// ignored. Returns `None` if a value is `>= k`, fewer than two pairable values exist,
/// or the pairable values show no variation at all (expected disagreement 0).
pub fn krippendorff_alpha(units: &[Vec<Option<usize>>], k: usize, metric: Metric) -> Option<f64> {
    if k == 0 {
        return None;
    }
    // Coincidence matrix o[c][d]: each ordered pair of values within a unit with m
    // values contributes 1 / (m - 1).
    let mut o = vec![vec![0.0_f64; k]; k];
    let mut tally = vec![0u64; k];
    for unit in units {
        tally.iter_mut().for_each(|t| *t = 0);
        let mut m = 0u64;
        for v in unit.iter().flatten() {
            *tally.get_mut(*v)? += 1;
            m += 1;
        }
        if m < 2 {
            continue;
        }
        let w = 1.0 / (m - 1) as f64;
        for (c, row) in o.iter_mut().enumerate() {
            let tc = tally.get(c).copied().unwrap_or(0) as f64;
            if tc == 0.0 {
                continue;
            }
            for (d, cell) in row.iter_mut().enumerate() {
                let td = tally.get(d).copied().unwrap_or(0) as f64;
                let pairs = if c == d { tc * (tc - 1.0) } else { tc * td };
                *cell += pairs * w;
            }
        }
    }
    let nc: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = nc.iter().sum();
    if n < 2.0 {
        return None;
    }
    let get = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(0.0);
    let delta2 = |c: usize, d: usize| -> f64 {
        match metric {
            Metric::Nominal => {
                if c == d {
                    0.0
                } else {
                    1.0
                }
            }
            Metric::Interval => {
                let x = c.abs_diff(d) as f64;
                x * x
            }
            Metric::Ordinal => {
                let (lo, hi) = (c.min(d), c.max(d));
                let s: f64 = (lo..=hi).map(|g| get(&nc, g)).sum();
                let x = s - (get(&nc, lo) + get(&nc, hi)) / 2.0;
                x * x
            }
        }
    };
    let mut observed = 0.0;
    let mut expected = 0.0;
    for c in 0..k {
        for d in 0..k {
            let dd = delta2(c, d);
            observed += o.get(c).and_then(|r| r.get(d)).copied().unwrap_or(0.0) * dd;
            expected += get(&nc, c) * get(&nc, d) * dd;
        }
    }
    if expected <= EPS {
        return None;
    }
    let alpha = 1.0 - (n - 1.0) * observed / expected;
    alpha.is_finite().then_some(alpha)
}

/// Two-sided exact sign test: the p-value of `positive` successes out of
/// `positive + negative` paired differences under `Bin(n, 1/2)`, i.e.
/// `min(1, 2 P(X <= min(positive, negative)))`. Ties must be dropped by the caller.
/// `None` when there are no non-tied pairs.
pub fn sign_test(positive: u64, negative: u64) -> Option<f64> {
    let n = positive.checked_add(negative)?;
    (n > 0).then(|| binom_two_sided_half(positive, n))
}

#[cfg(test)]
mod examples {
    //! Worked examples with published or independently computed reference values.
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn fleiss_1971_wikipedia_example() {
        // Wikipedia "Fleiss' kappa", worked example: 10 subjects, 14 raters,
        // 5 categories; P̄ = 0.378, P̄_e = 0.213, kappa = 0.210.
        // statsmodels fleiss_kappa on the same table: 0.2099307.
        let t: Vec<Vec<u64>> = vec![
            vec![0, 0, 0, 0, 14],
            vec![0, 2, 6, 4, 2],
            vec![0, 0, 3, 5, 6],
            vec![0, 3, 9, 2, 0],
            vec![2, 2, 8, 1, 1],
            vec![7, 7, 0, 0, 0],
            vec![3, 2, 6, 3, 0],
            vec![2, 5, 3, 2, 2],
            vec![6, 5, 2, 1, 0],
            vec![0, 2, 2, 3, 7],
        ];
        let k = fleiss_kappa(&t).unwrap();
        assert!(close(k, 0.210, 5e-4), "{k}");
        assert!(close(k, 0.209_930_7, 1e-7), "{k}");
    }

    /// Krippendorff's reliability data "C" (Krippendorff 2011, also the example of R
    /// `irr::kripp.alpha` and `DescTools::KrippAlpha`): 4 coders × 12 units, values
    /// 1..5 with missing data, given here unit by unit and mapped to indices 0..4.
    fn krippendorff_c() -> Vec<Vec<Option<usize>>> {
        let coders: [[u8; 12]; 4] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 0],
            [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
        ];
        (0..12)
            .map(|u| {
                coders
                    .iter()
                    .map(|c| c[u].checked_sub(1).map(usize::from))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn krippendorff_c_data() {
        // Krippendorff (2011): nominal 0.743, ordinal 0.815, interval 0.849;
        // DOMAIN.md §5 and the Python `krippendorff` package: 0.7434, 0.8154, 0.8491.
        let u = krippendorff_c();
        let nominal = krippendorff_alpha(&u, 5, Metric::Nominal).unwrap();
        let ordinal = krippendorff_alpha(&u, 5, Metric::Ordinal).unwrap();
        let interval = krippendorff_alpha(&u, 5, Metric::Interval).unwrap();
        assert!(close(nominal, 0.743_421_052_6, 1e-9), "{nominal}");
        assert!(close(ordinal, 0.815_387_503_8, 1e-9), "{ordinal}");
        assert!(close(interval, 0.849_107_142_9, 1e-9), "{interval}");
    }

    #[test]
    fn krippendorff_ignores_unused_levels_at_the_top() {
        // Adding an unused top level changes nothing for any metric (no value uses
        // it, and interval distances between used levels are unchanged).
        let u = krippendorff_c();
        for m in [Metric::Nominal, Metric::Ordinal, Metric::Interval] {
            let a5 = krippendorff_alpha(&u, 5, m).unwrap();
            let a7 = krippendorff_alpha(&u, 7, m).unwrap();
            assert!(close(a5, a7, 1e-12), "{m:?}");
        }
    }

    #[test]
    fn krippendorff_undefined_and_invalid() {
        assert_eq!(krippendorff_alpha(&[], 3, Metric::Nominal), None);
        assert_eq!(
            krippendorff_alpha(&[vec![Some(0)]], 3, Metric::Nominal),
            None
        );
        // No variation at all: expected disagreement 0.
        let same = vec![vec![Some(1), Some(1)], vec![Some(1), Some(1), None]];
        assert_eq!(krippendorff_alpha(&same, 3, Metric::Ordinal), None);
        // Value outside the scale.
        let bad = vec![vec![Some(0), Some(3)]];
        assert_eq!(krippendorff_alpha(&bad, 3, Metric::Nominal), None);
        assert_eq!(krippendorff_alpha(&bad, 0, Metric::Nominal), None);
        // Perfect agreement with variation: alpha = 1.
        let perfect = vec![vec![Some(0), Some(0)], vec![Some(2), Some(2), Some(2)]];
        for m in [Metric::Nominal, Metric::Ordinal, Metric::Interval] {
            assert!(close(
                krippendorff_alpha(&perfect, 3, m).unwrap(),
                1.0,
                1e-12
            ));
        }
    }

    #[test]
    fn fleiss_with_missing_ratings_matches_gwet_irrcac() {
        // The "C" data as counts per unit. Unit 12 has a single rating and is left out
        // of both P̄ and the shares. irrCAC 0.4.4 `fleiss()` on units 1–11 of the same
        // data (its `raw_4raters`, from Gwet 2014): 0.76248, p_a 0.81818, p_e 0.2345.
        // (On all 12 units irrCAC gives 0.76117: it keeps unit 12 in the shares.)
        let counts: Vec<Vec<u64>> = krippendorff_c()
            .iter()
            .map(|unit| {
                let mut row = vec![0u64; 5];
                for v in unit.iter().flatten() {
                    row[*v] += 1;
                }
                row
            })
            .collect();
        let k = fleiss_kappa(&counts).unwrap();
        assert!(close(k, 0.76248, 5e-6), "{k}");
    }

    #[test]
    fn fleiss_undefined_and_invalid() {
        assert_eq!(fleiss_kappa(&[]), None);
        assert_eq!(fleiss_kappa(&[vec![1, 2], vec![1]]), None);
        // Nobody has two ratings.
        assert_eq!(fleiss_kappa(&[vec![1, 0], vec![0, 1]]), None);
        // Everyone used one category: P_e = 1.
        assert_eq!(fleiss_kappa(&[vec![3, 0], vec![3, 0]]), None);
        // Two raters who always split across two categories: kappa = -1.
        let k = fleiss_kappa(&[vec![1, 1], vec![1, 1]]).unwrap();
        assert!(close(k, -1.0, 1e-12));
        // Subjects with fewer than two ratings are ignored (keeping the single rating
        // in the shares would give (0 - 0.625)/0.375 = -1.67 here).
        let k2 = fleiss_kappa(&[vec![1, 1], vec![0, 0], vec![1, 0], vec![1, 1]]).unwrap();
        assert!(close(k2, -1.0, 1e-12));
    }

    #[test]
    fn sign_test_hollander_wolfe_example_3_5() {
        // Hollander & Wolfe, Nonparametric Statistical Methods, Example 3.5
        // (worked in Geyer's Stat 5601 notes, https://www.stat.umn.edu/geyer/old03/5601/examp/sign.html):
        // B = 21 positive signs of n = 25, upper-tailed P = 0.00046. Our two-sided
        // p-value is twice that: 0.000910521 (scipy binomtest 0.0009105205535888672).
        let p = sign_test(21, 4).unwrap();
        assert!(close(p / 2.0, 0.00046, 5e-6), "{p}");
        assert!(close(p, 0.000_910_520_553_588_867_2, 1e-15), "{p}");
        assert_eq!(sign_test(4, 21), Some(p));
    }

    #[test]
    fn sign_test_small_exact_values() {
        // 9 of 10: 2 · 11/1024 = 0.021484375; 8 of 10: 2 · 56/1024 = 0.109375.
        assert!(close(sign_test(9, 1).unwrap(), 0.021_484_375, 1e-14));
        assert!(close(sign_test(8, 2).unwrap(), 0.109_375, 1e-14));
        assert_eq!(sign_test(5, 5), Some(1.0));
        assert!(close(sign_test(1, 0).unwrap(), 1.0, 1e-12));
        assert_eq!(sign_test(0, 0), None);
        assert_eq!(sign_test(u64::MAX, 1), None);
    }
}
