//! Agreement statistics as pure functions.
//!
//! * [`agreement`]: two raters (e.g. the recorded decision level against the level the
//!   rules give): the confusion matrix, observed agreement with its Wilson interval,
//!   Cohen's kappa and weighted kappa with asymptotic standard errors, Gwet's AC1,
//!   McNemar's test.
//! * [`multirater`]: many raters (e.g. trainees rating vignettes): Fleiss' kappa,
//!   Krippendorff's alpha and the exact sign test.
//!
//! Levels are ordinal categories indexed `0..k`, where `k` is the number of levels in
//! the rule file's scale, *including levels nobody used*. Weights (linear/quadratic),
//! Gwet's `q` and Krippendorff's interval distances are therefore computed on the full
//! scale (distance = difference in rank), so that a statistic does not change meaning
//! from one sample to the next just because a level happened not to occur in it. In
//! practice: AC1's chance agreement divides by `k - 1` for the whole scale; weighted
//! kappa is unaffected by unused levels at the ends of the scale (it is invariant to
//! rescaling distances) but an unused level between used ones widens their distance.
//!
//! No function here panics: a statistic that is undefined for the input (no records,
//! chance agreement equal to 1, a single category, ...) is returned as `None`.

pub mod agreement;
pub mod multirater;

#[cfg(test)]
mod tests;

pub use agreement::{
    gwet_ac1, gwet_ac1_se, kappa, mcnemar, wilson_interval, Confusion, Kappa, McNemar, Weights, Z95,
};
pub use multirater::{fleiss_kappa, krippendorff_alpha, sign_test, Metric};

/// Two-sided exact binomial p-value for `x` successes out of `n` trials with
/// success probability 1/2: `min(1, 2 * P(X <= min(x, n - x)))`.
///
/// Shared by [`mcnemar`] (exact version) and [`sign_test`]. Returns 1 when `n == 0`.
/// The lower tail `P(X <= j)` is the regularized incomplete beta function
/// `I_{1/2}(n - j, j + 1)`, which stays accurate far into the tail.
fn binom_two_sided_half(x: u64, n: u64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let x = x.min(n);
    let low = x.min(n - x);
    if 2 * low >= n {
        // x is the centre of the distribution (n even, x = n/2): p = 1.
        return 1.0;
    }
    let tail = statrs::function::beta::checked_beta_reg((n - low) as f64, low as f64 + 1.0, 0.5)
        .unwrap_or(1.0);
    (2.0 * tail).clamp(0.0, 1.0)
}
