//! Property tests for the agreement statistics: bounds, symmetry under swapping the
//! raters, perfect agreement, and "no panic, `None` when undefined" on arbitrary small
//! inputs. Worked examples with reference values live next to the code they test.

use super::*;
use proptest::prelude::*;

const TOL: f64 = 1e-9;

/// An arbitrary k×k confusion matrix with 1 <= k <= 6 and small counts (zeros likely).
fn confusion() -> impl Strategy<Value = Confusion> {
    (1usize..=6).prop_flat_map(|k| {
        proptest::collection::vec(prop_oneof![Just(0u64), 0u64..20], k * k).prop_map(move |cells| {
            let rows: Vec<Vec<u64>> = cells.chunks(k).map(<[u64]>::to_vec).collect();
            Confusion::from_rows(&rows).unwrap()
        })
    })
}

/// Paired ratings on a k-level scale, as (k, pairs).
fn pairs() -> impl Strategy<Value = (usize, Vec<(usize, usize)>)> {
    (2usize..=5).prop_flat_map(|k| (Just(k), proptest::collection::vec((0..k, 0..k), 0..40)))
}

/// A subjects × categories count table; `constant` forces the same number of raters
/// for every subject.
fn fleiss_table(constant: bool) -> impl Strategy<Value = Vec<Vec<u64>>> {
    (1usize..=5, 1usize..=12, 2u64..=8).prop_flat_map(move |(k, subjects, raters)| {
        proptest::collection::vec(
            proptest::collection::vec(0..k, 0..=(raters as usize)),
            subjects,
        )
        .prop_map(move |assignments| {
            assignments
                .into_iter()
                .map(|who| {
                    let mut row = vec![0u64; k];
                    let n = if constant { raters as usize } else { who.len() };
                    for c in who.iter().cycle().take(n) {
                        row[*c] += 1;
                    }
                    if constant && who.is_empty() {
                        row[0] = raters;
                    }
                    row
                })
                .collect()
        })
    })
}

/// Krippendorff reliability data: units of up to 5 optional values on a k-level scale.
fn units() -> impl Strategy<Value = (usize, Vec<Vec<Option<usize>>>)> {
    (1usize..=5).prop_flat_map(|k| {
        (
            Just(k),
            proptest::collection::vec(
                proptest::collection::vec(proptest::option::of(0..k), 0..=5),
                0..15,
            ),
        )
    })
}

const WEIGHTS: [Weights; 3] = [Weights::Unweighted, Weights::Linear, Weights::Quadratic];

proptest! {
    #[test]
    fn kappa_is_at_most_one_and_se_is_finite(c in confusion()) {
        for w in WEIGHTS {
            if let Some(k) = kappa(&c, w) {
                prop_assert!(k.value <= 1.0 + TOL, "{w:?} {k:?}");
                prop_assert!(k.value.is_finite() && k.se.is_finite() && k.se >= 0.0);
                let (lo, hi) = k.ci95();
                prop_assert!((-1.0..=1.0).contains(&lo) && (-1.0..=1.0).contains(&hi));
                prop_assert!(lo <= hi);
            }
        }
    }

    #[test]
    fn kappa_and_ac1_are_symmetric_in_the_raters(c in confusion()) {
        let t = c.transpose();
        prop_assert_eq!(t.transpose(), c.clone());
        prop_assert_eq!(c.over(), t.under());
        prop_assert_eq!(c.agree(), t.agree());
        for w in WEIGHTS {
            match (kappa(&c, w), kappa(&t, w)) {
                (Some(a), Some(b)) => {
                    prop_assert!((a.value - b.value).abs() < TOL, "{w:?}");
                    // Compare variances: a variance that is 0 up to rounding has a
                    // square root of order 1e-8.
                    prop_assert!((a.se * a.se - b.se * b.se).abs() < TOL, "{w:?}");
                }
                (None, None) => {}
                (a, b) => prop_assert!(false, "{w:?}: {a:?} vs {b:?}"),
            }
        }
        match (gwet_ac1(&c), gwet_ac1(&t)) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() < TOL),
            (None, None) => {}
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
        match (gwet_ac1_se(&c), gwet_ac1_se(&t)) {
            (Some(a), Some(b)) => prop_assert!((a * a - b * b).abs() < TOL),
            (None, None) => {}
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }

    #[test]
    fn counts_partition_and_agreement_is_a_share(c in confusion()) {
        prop_assert_eq!(c.agree() + c.over() + c.under(), c.n());
        match c.agreement() {
            Some(p) => prop_assert!((0.0..=1.0).contains(&p)),
            None => prop_assert_eq!(c.n(), 0),
        }
        // None exactly when undefined: no pairs, or a one-level scale.
        prop_assert_eq!(gwet_ac1(&c).is_none(), c.n() == 0 || c.k() < 2);
        if let Some(a) = gwet_ac1(&c) {
            prop_assert!(a <= 1.0 + TOL && a.is_finite());
        }
        if c.n() == 0 {
            for w in WEIGHTS {
                prop_assert!(kappa(&c, w).is_none());
            }
        }
    }

    #[test]
    fn merge_adds_counts(a in confusion(), extra in proptest::collection::vec((0usize..6, 0usize..6), 0..20)) {
        let mut b = Confusion::new(a.k());
        for (x, y) in extra {
            let _ = b.add(x, y);
        }
        let mut m = a.clone();
        prop_assert!(m.merge(&b));
        prop_assert_eq!(m.n(), a.n() + b.n());
        prop_assert_eq!(m.agree(), a.agree() + b.agree());
    }

    #[test]
    fn identical_raters_give_kappa_one((k, p) in pairs()) {
        let c = Confusion::from_pairs(k, p.iter().map(|&(a, _)| (a, a))).unwrap();
        let used = c.row_totals().iter().filter(|&&t| t > 0).count();
        for w in WEIGHTS {
            match kappa(&c, w) {
                Some(kp) => prop_assert!((kp.value - 1.0).abs() < TOL, "{w:?} {kp:?}"),
                // Undefined only without data or with a single level used.
                None => prop_assert!(used <= 1),
            }
        }
        if c.n() > 0 {
            prop_assert!((gwet_ac1(&c).unwrap() - 1.0).abs() < TOL);
        }
    }

    #[test]
    fn wilson_bounds(n in 0u64..500, x in 0u64..500, z in 0.0f64..4.0) {
        match wilson_interval(x, n, z) {
            Some((lo, hi)) => {
                let p = x as f64 / n as f64;
                prop_assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0, "{lo} {p} {hi}");
            }
            None => prop_assert!(n == 0 || x > n),
        }
    }

    #[test]
    fn wider_z_gives_wider_wilson(n in 1u64..300, frac in 0.0f64..=1.0) {
        let x = ((n as f64) * frac).round() as u64;
        let (l1, h1) = wilson_interval(x, n, 1.0).unwrap();
        let (l2, h2) = wilson_interval(x, n, Z95).unwrap();
        prop_assert!(l2 <= l1 + TOL && h1 <= h2 + TOL);
    }

    #[test]
    fn mcnemar_is_well_formed(b in 0u64..200, c in 0u64..200) {
        let m = mcnemar(b, c);
        prop_assert!(m.statistic >= 0.0 && m.statistic.is_finite());
        prop_assert!((0.0..=1.0).contains(&m.p_chi2));
        prop_assert!((0.0..=1.0).contains(&m.p_exact));
        prop_assert_eq!(mcnemar(c, b), m);
        prop_assert_eq!(sign_test(b, c).unwrap_or(1.0), m.p_exact);
    }

    #[test]
    fn fleiss_kappa_in_range_with_constant_raters(t in fleiss_table(true)) {
        if let Some(k) = fleiss_kappa(&t) {
            prop_assert!((-1.0 - TOL..=1.0 + TOL).contains(&k), "{k} {t:?}");
        }
    }

    #[test]
    fn fleiss_kappa_in_range_with_missing_ratings(t in fleiss_table(false)) {
        if let Some(k) = fleiss_kappa(&t) {
            prop_assert!((-1.0 - TOL..=1.0 + TOL).contains(&k), "{k} {t:?}");
        }
    }

    #[test]
    fn fleiss_two_raters_agreeing_gives_one(cats in proptest::collection::vec(0usize..4, 2..10)) {
        let t: Vec<Vec<u64>> = cats.iter().map(|&c| { let mut r = vec![0u64; 4]; r[c] = 2; r }).collect();
        let distinct = { let mut d = cats.clone(); d.sort_unstable(); d.dedup(); d.len() };
        match fleiss_kappa(&t) {
            Some(k) => prop_assert!((k - 1.0).abs() < TOL),
            None => prop_assert_eq!(distinct, 1),
        }
    }

    #[test]
    fn alpha_at_most_one((k, u) in units()) {
        for m in [Metric::Nominal, Metric::Ordinal, Metric::Interval] {
            if let Some(a) = krippendorff_alpha(&u, k, m) {
                prop_assert!(a <= 1.0 + TOL && a.is_finite(), "{m:?} {a}");
            }
        }
    }

    #[test]
    fn alpha_nominal_on_binary_data_is_ordinal_and_interval((_, u) in units()) {
        // With two categories each metric has a single non-zero distance, which
        // cancels in D_o / D_e, so the three metrics coincide.
        let u2: Vec<Vec<Option<usize>>> = u
            .iter()
            .map(|unit| unit.iter().map(|v| v.map(|x| x % 2)).collect())
            .collect();
        let a = krippendorff_alpha(&u2, 2, Metric::Nominal);
        let b = krippendorff_alpha(&u2, 2, Metric::Interval);
        let c = krippendorff_alpha(&u2, 2, Metric::Ordinal);
        match (a, b, c) {
            (Some(a), Some(b), Some(c)) => {
                prop_assert!((a - b).abs() < TOL && (a - c).abs() < TOL);
            }
            (None, None, None) => {}
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn no_panics_on_arbitrary_tables(
        rows in proptest::collection::vec(proptest::collection::vec(any::<u64>(), 0..4), 0..4),
        values in proptest::collection::vec(proptest::collection::vec(proptest::option::of(0usize..8), 0..4), 0..6),
        k in 0usize..6,
    ) {
        let _ = fleiss_kappa(&rows);
        if let Some(c) = Confusion::from_rows(&rows) {
            for w in WEIGHTS {
                let _ = kappa(&c, w);
            }
            let _ = gwet_ac1(&c);
            let _ = gwet_ac1_se(&c);
            let _ = c.agreement();
        }
        for m in [Metric::Nominal, Metric::Ordinal, Metric::Interval] {
            let _ = krippendorff_alpha(&values, k, m);
        }
    }

    #[test]
    fn sign_test_is_a_probability(p in any::<u64>(), n in any::<u64>()) {
        match sign_test(p % 100_000, n % 100_000) {
            Some(v) => prop_assert!((0.0..=1.0).contains(&v)),
            None => prop_assert!(p % 100_000 == 0 && n % 100_000 == 0),
        }
    }
}
