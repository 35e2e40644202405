//! Two-rater agreement: the confusion matrix, observed agreement with its Wilson
//! interval, Cohen's (weighted) kappa with the Fleiss–Cohen–Everitt (1969) asymptotic
//! standard error, Gwet's AC1 with its standard error, and McNemar's test.
//!
//! Rater A is conventionally the recorded decision level (matrix rows) and rater B the
//! level the rules give (matrix columns). Categories are ordinal level indices `0..k`
//! over the *full* scale of the rule file, including levels nobody used; linear and
//! quadratic weights and Gwet's number of categories `q` use that `k`.

use super::binom_two_sided_half;

/// Standard normal quantile for a two-sided 95% interval (`Φ⁻¹(0.975)`).
pub const Z95: f64 = 1.959_963_984_540_054;

/// Tolerance below which a denominator such as `1 - p_e` counts as zero.
const EPS: f64 = 1e-12;

/// A k×k matrix of paired counts: rows are rater A's category, columns rater B's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion {
    k: usize,
    cells: Vec<u64>,
}

impl Confusion {
    /// An empty matrix over `k` categories (`k` = number of levels of the scale).
    pub fn new(k: usize) -> Self {
        Confusion {
            k,
            cells: vec![0; k.saturating_mul(k)],
        }
    }

    /// Builds a matrix from rows of counts. Returns `None` unless `rows` is square.
    pub fn from_rows(rows: &[Vec<u64>]) -> Option<Self> {
        let k = rows.len();
        if rows.iter().any(|r| r.len() != k) {
            return None;
        }
        Some(Confusion {
            k,
            cells: rows.iter().flatten().copied().collect(),
        })
    }

    /// Builds a matrix over `k` categories from `(a, b)` pairs of level indices.
    /// Returns `None` if any index is `>= k`.
    pub fn from_pairs<I>(k: usize, pairs: I) -> Option<Self>
    where
        I: IntoIterator<Item = (usize, usize)>,
    {
        let mut c = Confusion::new(k);
        for (a, b) in pairs {
            if !c.add(a, b) {
                return None;
            }
        }
        Some(c)
    }

    /// Records one pair (rater A said `a`, rater B said `b`). Returns `false` and
    /// records nothing if either index is outside `0..k`.
    pub fn add(&mut self, a: usize, b: usize) -> bool {
        if a >= self.k || b >= self.k {
            return false;
        }
        let i = a * self.k + b;
        match self.cells.get_mut(i) {
            Some(cell) => {
                *cell = cell.saturating_add(1);
                true
            }
            None => false,
        }
    }

    /// Count of pairs where A said `a` and B said `b` (0 outside the matrix).
    pub fn get(&self, a: usize, b: usize) -> u64 {
        if a >= self.k || b >= self.k {
            return 0;
        }
        self.cells.get(a * self.k + b).copied().unwrap_or(0)
    }

    /// Number of categories `k`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Total number of pairs.
    pub fn n(&self) -> u64 {
        self.cells.iter().fold(0u64, |s, &c| s.saturating_add(c))
    }

    /// The matrix as rows (row `a` = rater A's category `a`).
    pub fn rows(&self) -> Vec<Vec<u64>> {
        (0..self.k)
            .map(|a| (0..self.k).map(|b| self.get(a, b)).collect())
            .collect()
    }

    /// Adds the counts of `other` into `self`. Returns `false` and changes nothing if
    /// the two matrices have different `k`.
    pub fn merge(&mut self, other: &Confusion) -> bool {
        if other.k != self.k {
            return false;
        }
        for (c, o) in self.cells.iter_mut().zip(&other.cells) {
            *c = c.saturating_add(*o);
        }
        true
    }

    /// The same pairs with the raters swapped (rows become columns).
    pub fn transpose(&self) -> Confusion {
        let mut t = Confusion::new(self.k);
        for a in 0..self.k {
            for b in 0..self.k {
                if let Some(cell) = t.cells.get_mut(b * self.k + a) {
                    *cell = self.get(a, b);
                }
            }
        }
        t
    }

    /// Pairs on which the raters agree (the diagonal sum).
    pub fn agree(&self) -> u64 {
        self.sum_where(|a, b| a == b)
    }

    /// Pairs where rater A's level is above rater B's (row index > column index);
    /// with A = decision and B = rules, the decision was over the rules' level.
    pub fn over(&self) -> u64 {
        self.sum_where(|a, b| a > b)
    }

    /// Pairs where rater A's level is below rater B's (row index < column index);
    /// with A = decision and B = rules, the decision was under the rules' level.
    pub fn under(&self) -> u64 {
        self.sum_where(|a, b| a < b)
    }

    /// Observed share of agreement `agree / n`; `None` when `n = 0`.
    pub fn agreement(&self) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| self.agree() as f64 / n as f64)
    }

    /// Row totals (rater A's marginal counts).
    pub fn row_totals(&self) -> Vec<u64> {
        (0..self.k)
            .map(|a| (0..self.k).fold(0u64, |s, b| s.saturating_add(self.get(a, b))))
            .collect()
    }

    /// Column totals (rater B's marginal counts).
    pub fn col_totals(&self) -> Vec<u64> {
        (0..self.k)
            .map(|b| (0..self.k).fold(0u64, |s, a| s.saturating_add(self.get(a, b))))
            .collect()
    }

    fn sum_where(&self, keep: impl Fn(usize, usize) -> bool) -> u64 {
        let mut s = 0u64;
        for a in 0..self.k {
            for b in 0..self.k {
                if keep(a, b) {
                    s = s.saturating_add(self.get(a, b));
                }
            }
        }
        s
    }

    /// Cell proportions `p_ab = n_ab / n` as a row-major k×k vector, with the row and
    /// column marginal proportions. `None` when `n = 0`.
    fn proportions(&self) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
        let n = self.n();
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        let p: Vec<f64> = self.cells.iter().map(|&c| c as f64 / nf).collect();
        let rows = self.row_totals().iter().map(|&c| c as f64 / nf).collect();
        let cols = self.col_totals().iter().map(|&c| c as f64 / nf).collect();
        Some((p, rows, cols))
    }
}

/// Wilson (1927) score interval for a binomial proportion `successes / n`, with
/// normal quantile `z` (use [`Z95`] for 95%). Returns `(low, high)` within `[0, 1]`;
/// `None` if `n = 0`, `successes > n`, or `z` is negative or not finite.
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || successes > n || !z.is_finite() || z < 0.0 {
        return None;
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    // The exact endpoints are 0 when successes = 0 and 1 when successes = n; pin them
    // so rounding cannot leave p outside the interval.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, p)
    };
    let high = if successes == n {
        1.0
    } else {
        (centre + half).clamp(p, 1.0)
    };
    Some((low, high))
}

/// Agreement weights for (weighted) kappa over ordinal levels `0..k`.
///
/// Distances are positions on the full scale of `k` levels. Weighted kappa does not
/// change when all distances are rescaled, so unused levels at either end of the scale
/// make no difference; an unused level *between* used ones does (it widens the gap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// Identity: only exact agreement counts (Cohen's kappa).
    Unweighted,
    /// Linear (Cicchetti–Allison): `w_ij = 1 - |i - j| / (k - 1)`.
    Linear,
    /// Quadratic (Fleiss–Cohen): `w_ij = 1 - (i - j)² / (k - 1)²`.
    Quadratic,
}

impl Weights {
    /// The agreement weight for categories `i`, `j` on a scale of `k` levels
    /// (distance by position in the scale). With `k < 2` every weight is 1 for
    /// `i = j` and 0 otherwise.
    pub fn weight(self, i: usize, j: usize, k: usize) -> f64 {
        if i == j {
            return 1.0;
        }
        if k < 2 {
            return 0.0;
        }
        let d = i.abs_diff(j) as f64;
        let m = (k - 1) as f64;
        match self {
            Weights::Unweighted => 0.0,
            Weights::Linear => 1.0 - d / m,
            Weights::Quadratic => 1.0 - (d * d) / (m * m),
        }
    }
}

/// A kappa-type coefficient with its asymptotic standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kappa {
    /// The coefficient.
    pub value: f64,
    /// Its asymptotic (non-null) standard error.
    pub se: f64,
}

impl Kappa {
    /// Wald interval `value ± z·se`, clipped to `[-1, 1]`.
    pub fn ci(&self, z: f64) -> (f64, f64) {
        let lo = (self.value - z * self.se).clamp(-1.0, 1.0);
        let hi = (self.value + z * self.se).clamp(-1.0, 1.0);
        (lo, hi)
    }

    /// 95% Wald interval (see [`Kappa::ci`]).
    pub fn ci95(&self) -> (f64, f64) {
        self.ci(Z95)
    }
}

/// Cohen's kappa (`Weights::Unweighted`) or weighted kappa (Cohen 1968) for the
/// matrix `c`, with the large-sample standard error of Fleiss, Cohen & Everitt (1969)
/// that does not assume `kappa = 0` (the `std_kappa` of statsmodels' `cohens_kappa`,
/// the `ASE` of SAS PROC FREQ and R `vcd::Kappa`):
///
/// `var = [Σ p_ij (w_ij - (w̄_i. + w̄_.j)(1 - κ))² - (κ - p_e(1 - κ))²] / (n (1 - p_e)²)`
///
/// with `w̄_i. = Σ_j p_.j w_ij` and `w̄_.j = Σ_i p_i. w_ij`.
///
/// Returns `None` when `n = 0` or chance agreement `p_e` is 1 (e.g. both raters used a
/// single, identical category, or `k < 2`).
pub fn kappa(c: &Confusion, w: Weights) -> Option<Kappa> {
    let (p, rows, cols) = c.proportions()?;
    let k = c.k();
    let wt = |i: usize, j: usize| w.weight(i, j, k);
    let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(0.0);

    let mut po = 0.0;
    let mut pe = 0.0;
    for i in 0..k {
        for j in 0..k {
            po += wt(i, j) * at(&p, i * k + j);
            pe += wt(i, j) * at(&rows, i) * at(&cols, j);
        }
    }
    if 1.0 - pe <= EPS {
        return None;
    }
    let kap = (po - pe) / (1.0 - pe);

    let wrow: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| at(&cols, j) * wt(i, j)).sum())
        .collect();
    let wcol: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| at(&rows, i) * wt(i, j)).sum())
        .collect();
    let mut s = 0.0;
    for i in 0..k {
        for j in 0..k {
            let d = wt(i, j) - (at(&wrow, i) + at(&wcol, j)) * (1.0 - kap);
            s += at(&p, i * k + j) * d * d;
        }
    }
    let t = kap - pe * (1.0 - kap);
    let n = c.n() as f64;
    let var = (s - t * t) / (n * (1.0 - pe) * (1.0 - pe));
    let se = var.max(0.0).sqrt();
    if !kap.is_finite() || !se.is_finite() {
        return None;
    }
    Some(Kappa { value: kap, se })
}

/// The pieces of Gwet's AC1 that its standard error reuses.
struct Ac1Parts {
    ac1: f64,
    /// Observed agreement.
    pa: f64,
    /// Chance agreement.
    pe: f64,
    /// Mean marginal share of each category.
    pi: Vec<f64>,
    /// Cell proportions, row-major.
    p: Vec<f64>,
}

/// Gwet's AC1 and its parts, or `None` (see [`gwet_ac1`]).
fn ac1_parts(c: &Confusion) -> Option<Ac1Parts> {
    let (p, rows, cols) = c.proportions()?;
    let q = c.k();
    if q < 2 {
        return None;
    }
    let pi: Vec<f64> = rows.iter().zip(&cols).map(|(r, c)| (r + c) / 2.0).collect();
    let pe = pi.iter().map(|x| x * (1.0 - x)).sum::<f64>() / (q - 1) as f64;
    let pa: f64 = (0..q)
        .map(|i| p.get(i * q + i).copied().unwrap_or(0.0))
        .sum();
    if 1.0 - pe <= EPS {
        return None;
    }
    let ac1 = (pa - pe) / (1.0 - pe);
    ac1.is_finite().then_some(Ac1Parts { ac1, pa, pe, pi, p })
}

/// Gwet's (2008) AC1 for two raters: `(p_a - p_e) / (1 - p_e)` with
/// `p_e = 1/(q-1) Σ_k π_k (1 - π_k)`, `π_k` the mean of the two raters' marginal shares
/// of category `k`, and `q = k` the number of levels of the full scale (levels nobody
/// used still count in `q`). `None` when `n = 0` or `k < 2`.
pub fn gwet_ac1(c: &Confusion) -> Option<f64> {
    ac1_parts(c).map(|parts| parts.ac1)
}

/// Standard error of Gwet's AC1 (Gwet 2008, infinite-population form, as in the
/// `irrCAC` packages):
///
/// `var = [Σ_kl p_kl (w_kl - 2(1 - AC1)(1 - (π_k + π_l)/2)/(q - 1))² - (p_a - 2(1 - AC1) p_e)²]
///        / (n (1 - p_e)²)` with identity weights `w`.
///
/// `None` whenever [`gwet_ac1`] is `None`.
pub fn gwet_ac1_se(c: &Confusion) -> Option<f64> {
    let Ac1Parts { ac1, pa, pe, pi, p } = ac1_parts(c)?;
    let q = c.k();
    let qm1 = (q - 1) as f64;
    let mut s = 0.0;
    for k in 0..q {
        for l in 0..q {
            let w = if k == l { 1.0 } else { 0.0 };
            let pik = pi.get(k).copied().unwrap_or(0.0);
            let pil = pi.get(l).copied().unwrap_or(0.0);
            let d = w - 2.0 * (1.0 - ac1) * (1.0 - (pik + pil) / 2.0) / qm1;
            s += p.get(k * q + l).copied().unwrap_or(0.0) * d * d;
        }
    }
    let t = pa - 2.0 * (1.0 - ac1) * pe;
    let n = c.n() as f64;
    let var = (s - t * t) / (n * (1.0 - pe) * (1.0 - pe));
    let se = var.max(0.0).sqrt();
    se.is_finite().then_some(se)
}

/// McNemar's test for paired binary outcomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McNemar {
    /// Chi-square statistic with continuity correction, `max(0, |b - c| - 1)² / (b + c)`
    /// (0 when `b + c = 0`).
    pub statistic: f64,
    /// Upper-tail p-value of `statistic` on the chi-square distribution with 1 df.
    pub p_chi2: f64,
    /// Two-sided exact p-value: `min(1, 2 P(X <= min(b, c)))`, `X ~ Bin(b + c, 1/2)`.
    pub p_exact: f64,
}

/// McNemar's (1947) test on the two discordant counts of a paired 2×2 table, e.g.
/// `b` = records that agree with the decision only under the old rules and `c` = only
/// under the new rules. With no discordant pairs there is no evidence of a difference:
/// statistic 0 and both p-values 1. The continuity-corrected numerator is floored at
/// 0, so `b = c` gives statistic 0 (R's `mcnemar.test` would give `1/(b + c)`).
pub fn mcnemar(b: u64, c: u64) -> McNemar {
    // Counts whose sum overflows u64 are halved: at that size the p-values are
    // indistinguishable, and the function must not panic.
    let (b, c) = if b.checked_add(c).is_none() {
        (b / 2, c / 2)
    } else {
        (b, c)
    };
    let m = b.saturating_add(c);
    if m == 0 {
        return McNemar {
            statistic: 0.0,
            p_chi2: 1.0,
            p_exact: 1.0,
        };
    }
    let diff = (b.abs_diff(c) as f64 - 1.0).max(0.0);
    let statistic = diff * diff / m as f64;
    // Chi-square(1) upper tail: P(Z² > x) = erfc(sqrt(x / 2)).
    let p_chi2 = statrs::function::erf::erfc((statistic / 2.0).sqrt()).clamp(0.0, 1.0);
    McNemar {
        statistic,
        p_chi2,
        p_exact: binom_two_sided_half(b, m),
    }
}

#[cfg(test)]
mod examples {
    //! Worked examples with published or independently computed reference values.
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    impl Confusion {
        /// Every recorded pair, expanded from the counts.
        fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
            (0..self.k).flat_map(move |a| {
                (0..self.k).flat_map(move |b| (0..self.get(a, b)).map(move |_| (a, b)))
            })
        }
    }

    /// DOMAIN.md §5 test vector: A = [1,1,2,2,3,3,1,3], B = [1,3,2,1,3,2,1,3] on a
    /// 3-level scale (values 1..3 mapped to indices 0..2).
    fn domain_vector() -> Confusion {
        let a = [1, 1, 2, 2, 3, 3, 1, 3];
        let b = [1, 3, 2, 1, 3, 2, 1, 3];
        Confusion::from_pairs(3, a.iter().zip(&b).map(|(x, y)| (x - 1, y - 1))).unwrap()
    }

    /// SAS/STAT PROC FREQ "Getting Started: Agreement Study" (skin condition rated by two
    /// dermatologists, 4 ordered levels, n = 88), data from
    /// https://support.sas.com/documentation/cdl/en/procstat/66703/HTML/default/procstat_freq_gettingstarted02.htm
    fn sas_skin() -> Confusion {
        Confusion::from_rows(&[
            vec![10, 4, 1, 0],
            vec![5, 10, 12, 2],
            vec![2, 4, 12, 5],
            vec![0, 2, 6, 13],
        ])
        .unwrap()
    }

    #[test]
    fn confusion_counts_and_directions() {
        let c = domain_vector();
        assert_eq!(c.k(), 3);
        assert_eq!(c.n(), 8);
        assert_eq!(c.rows(), vec![vec![2, 0, 1], vec![1, 1, 0], vec![0, 1, 2]]);
        assert_eq!(c.agree(), 5);
        // A above B: (2,1) once [A=2,B=1], (3,2) once [A=3,B=2].
        assert_eq!(c.over(), 2);
        // A below B: (1,3) once.
        assert_eq!(c.under(), 1);
        assert_eq!(c.agree() + c.over() + c.under(), c.n());
        assert!(close(c.agreement().unwrap(), 0.625, 1e-12));
        assert_eq!(c.row_totals(), vec![3, 2, 3]);
        assert_eq!(c.col_totals(), vec![3, 2, 3]);
        assert_eq!(c.transpose().get(2, 0), c.get(0, 2));
    }

    #[test]
    fn confusion_rejects_out_of_range_and_mismatched_input() {
        let mut c = Confusion::new(3);
        assert!(!c.add(3, 0));
        assert!(!c.add(0, 7));
        assert_eq!(c.n(), 0);
        assert_eq!(c.get(9, 9), 0);
        assert!(Confusion::from_pairs(2, [(0, 2)]).is_none());
        assert!(Confusion::from_rows(&[vec![1, 2], vec![3]]).is_none());
        let mut d = Confusion::new(2);
        assert!(!c.merge(&d));
        assert!(d.add(1, 0));
        let mut e = Confusion::new(2);
        assert!(e.add(1, 0) && e.add(0, 0));
        assert!(d.merge(&e));
        assert_eq!(d.rows(), vec![vec![1, 0], vec![2, 0]]);
        assert_eq!(c.agreement(), None);
    }

    #[test]
    fn domain_vector_kappas_and_ac1() {
        // DOMAIN.md §5: kappa 0.4286, linear 0.4667, quadratic 0.5, AC1 0.4419.
        let c = domain_vector();
        let k = kappa(&c, Weights::Unweighted).unwrap();
        assert!(close(k.value, 3.0 / 7.0, 1e-12), "{k:?}");
        let kl = kappa(&c, Weights::Linear).unwrap();
        assert!(close(kl.value, 7.0 / 15.0, 1e-12), "{kl:?}");
        let kq = kappa(&c, Weights::Quadratic).unwrap();
        assert!(close(kq.value, 0.5, 1e-12), "{kq:?}");
        // By hand: π = (3/8, 2/8, 3/8), p_e = (2·15/64 + 12/64)/2 = 21/64,
        // AC1 = (5/8 - 21/64) / (1 - 21/64) = 19/43 = 0.44186.
        assert!(close(gwet_ac1(&c).unwrap(), 19.0 / 43.0, 1e-12));
        // Standard errors: statsmodels 0.14 cohens_kappa(...).std_kappa gives
        // 0.257247, 0.269027, 0.306186; irrCAC 0.4.4 gwet() gives se 0.25744.
        assert!(close(k.se, 0.257_247_216, 1e-8));
        assert!(close(kl.se, 0.269_026_595, 1e-8));
        assert!(close(kq.se, 0.306_186_218, 1e-8));
        assert!(close(gwet_ac1_se(&c).unwrap(), 0.25744, 1e-5));
    }

    #[test]
    // The published upper limit 0.6366 happens to look like 2/π to clippy.
    #[allow(clippy::approx_constant)]
    fn sas_agreement_study_kappa_with_ase() {
        // SAS documentation output for this example: simple kappa 0.3449, ASE 0.0724,
        // 95% limits 0.2030–0.4868; weighted kappa (Cicchetti–Allison, i.e. linear
        // weights) 0.5082, ASE 0.0655, 95% limits 0.3798–0.6366. Reproduced with
        // statsmodels cohens_kappa (0.3448753, 0.0723967; linear 0.5081601, 0.0655084).
        let c = sas_skin();
        assert_eq!(c.n(), 88);
        let k = kappa(&c, Weights::Unweighted).unwrap();
        assert!(close(k.value, 0.3449, 5e-5), "{k:?}");
        assert!(close(k.se, 0.0724, 5e-5), "{k:?}");
        let (lo, hi) = k.ci95();
        assert!(
            close(lo, 0.2030, 5e-5) && close(hi, 0.4868, 5e-5),
            "{lo} {hi}"
        );
        let kl = kappa(&c, Weights::Linear).unwrap();
        assert!(close(kl.value, 0.5082, 5e-5), "{kl:?}");
        assert!(close(kl.se, 0.0655, 5e-5), "{kl:?}");
        let (lo, hi) = kl.ci95();
        assert!(
            close(lo, 0.3798, 5e-5) && close(hi, 0.6366, 5e-5),
            "{lo} {hi}"
        );
        // Quadratic (Fleiss–Cohen) weights: statsmodels 0.6607229, std 0.0616428.
        let kq = kappa(&c, Weights::Quadratic).unwrap();
        assert!(close(kq.value, 0.660_722_9, 1e-7) && close(kq.se, 0.061_642_8, 1e-7));
    }

    #[test]
    fn two_by_two_textbook_kappa() {
        // Common textbook 2×2 example (e.g. Wikipedia "Cohen's kappa"): 50 proposals,
        // both yes 20, A yes/B no 5, A no/B yes 10, both no 15:
        // p_o = 0.7, p_e = 0.5, kappa = 0.4.
        let c = Confusion::from_rows(&[vec![20, 5], vec![10, 15]]).unwrap();
        let k = kappa(&c, Weights::Unweighted).unwrap();
        assert!(close(k.value, 0.4, 1e-12));
        // With two levels, linear and quadratic weights reduce to the identity.
        assert_eq!(kappa(&c, Weights::Linear), Some(k));
        assert_eq!(kappa(&c, Weights::Quadratic), Some(k));
    }

    #[test]
    fn gwet_handbook_pregnancy_example() {
        // Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.: 100 pregnant women
        // classified by two abstractors (ectopic, abnormal IU, normal IU); distributed
        // as the `cont3x3abstractors` data set of the irrCAC packages. irrCAC 0.4.4:
        // AC1 0.84933 (se 0.04322), Cohen's kappa 0.79641 (se 0.05891), p_a 0.89.
        let c = Confusion::from_rows(&[vec![13, 0, 0], vec![0, 20, 7], vec![0, 4, 56]]).unwrap();
        assert!(close(gwet_ac1(&c).unwrap(), 0.84933, 5e-6));
        assert!(close(gwet_ac1_se(&c).unwrap(), 0.04322, 5e-6));
        let k = kappa(&c, Weights::Unweighted).unwrap();
        assert!(close(k.value, 0.79641, 5e-6) && close(k.se, 0.05891, 5e-6));
    }

    #[test]
    fn full_scale_matters_for_ac1_and_for_gaps_in_weighted_kappa() {
        // The domain pairs on a 4-level scale whose top level nobody used: q = 4, so
        // p_e = Σ π(1-π) / 3 = (42/64)/3 = 7/32 and AC1 = (5/8 - 7/32)/(25/32) = 0.52.
        let top_unused = Confusion::from_pairs(4, domain_vector().pairs()).unwrap();
        assert!(close(gwet_ac1(&top_unused).unwrap(), 0.52, 1e-12));
        // Weighted kappa is invariant to rescaling the distances, so an unused level at
        // the end of the scale changes nothing...
        for w in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
            let a = kappa(&domain_vector(), w).unwrap();
            let b = kappa(&top_unused, w).unwrap();
            assert!(
                close(a.value, b.value, 1e-12) && close(a.se, b.se, 1e-12),
                "{w:?}"
            );
        }
        // ...but an unused level in the middle (levels 1, 2, 3 at indices 0, 2, 3)
        // stretches the distances. statsmodels cohens_kappa on that 4×4 table:
        // quadratic 0.4954955 (std 0.3085623), unweighted unchanged at 0.4285714.
        let gap = Confusion::from_pairs(
            4,
            domain_vector()
                .pairs()
                .map(|(a, b)| (a + usize::from(a > 0), b + usize::from(b > 0))),
        )
        .unwrap();
        let q = kappa(&gap, Weights::Quadratic).unwrap();
        assert!(
            close(q.value, 0.495_495_5, 1e-7) && close(q.se, 0.308_562_3, 1e-7),
            "{q:?}"
        );
        let u = kappa(&gap, Weights::Unweighted).unwrap();
        assert!(close(u.value, 3.0 / 7.0, 1e-12));
    }

    #[test]
    fn undefined_cases_are_none() {
        let empty = Confusion::new(3);
        assert_eq!(kappa(&empty, Weights::Unweighted), None);
        assert_eq!(gwet_ac1(&empty), None);
        assert_eq!(gwet_ac1_se(&empty), None);
        // Both raters always used the same single level: p_e = 1.
        let mut one = Confusion::new(3);
        for _ in 0..5 {
            assert!(one.add(1, 1));
        }
        assert_eq!(kappa(&one, Weights::Unweighted), None);
        assert_eq!(kappa(&one, Weights::Quadratic), None);
        // ...but AC1 is defined (= 1) because q = 3 levels exist on the scale.
        assert!(close(gwet_ac1(&one).unwrap(), 1.0, 1e-12));
        // A one-level scale.
        let mut k1 = Confusion::new(1);
        assert!(k1.add(0, 0));
        assert_eq!(kappa(&k1, Weights::Linear), None);
        assert_eq!(gwet_ac1(&k1), None);
        assert_eq!(Confusion::new(0).agreement(), None);
        assert_eq!(kappa(&Confusion::new(0), Weights::Unweighted), None);
    }

    #[test]
    fn perfect_agreement() {
        let c = Confusion::from_rows(&[vec![3, 0, 0], vec![0, 2, 0], vec![0, 0, 4]]).unwrap();
        for w in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
            let k = kappa(&c, w).unwrap();
            assert!(
                close(k.value, 1.0, 1e-12) && close(k.se, 0.0, 1e-9),
                "{k:?}"
            );
            let (lo, hi) = k.ci95();
            assert!(close(lo, 1.0, 1e-9) && hi == 1.0);
        }
        assert!(close(gwet_ac1(&c).unwrap(), 1.0, 1e-12));
    }

    #[test]
    fn weights_on_a_five_level_scale() {
        assert_eq!(Weights::Unweighted.weight(1, 2, 5), 0.0);
        assert_eq!(Weights::Linear.weight(1, 2, 5), 0.75);
        assert_eq!(Weights::Linear.weight(0, 4, 5), 0.0);
        assert_eq!(Weights::Quadratic.weight(1, 2, 5), 1.0 - 1.0 / 16.0);
        assert_eq!(Weights::Quadratic.weight(3, 3, 5), 1.0);
        assert_eq!(Weights::Linear.weight(0, 1, 1), 0.0);
    }

    #[test]
    fn wilson_newcombe_1998_table_1() {
        // Newcombe (1998), Statistics in Medicine 17:857–872, Table I, method 3 (Wilson
        // score without continuity correction): 81/263 → 0.2553–0.3662,
        // 15/148 → 0.0624–0.1605, 0/20 → 0.0000–0.1611.
        let (lo, hi) = wilson_interval(81, 263, Z95).unwrap();
        assert!(
            close(lo, 0.2553, 5e-5) && close(hi, 0.3662, 5e-5),
            "{lo} {hi}"
        );
        let (lo, hi) = wilson_interval(15, 148, Z95).unwrap();
        assert!(
            close(lo, 0.0624, 5e-5) && close(hi, 0.1605, 5e-5),
            "{lo} {hi}"
        );
        let (lo, hi) = wilson_interval(0, 20, Z95).unwrap();
        assert!(lo == 0.0 && close(hi, 0.1611, 5e-5), "{lo} {hi}");
        // Symmetry: x/n and (n-x)/n mirror each other.
        let (l2, h2) = wilson_interval(20, 20, Z95).unwrap();
        assert!(close(l2, 1.0 - 0.1611, 5e-5) && h2 == 1.0);
    }

    #[test]
    fn wilson_rejects_bad_input() {
        assert_eq!(wilson_interval(0, 0, Z95), None);
        assert_eq!(wilson_interval(5, 4, Z95), None);
        assert_eq!(wilson_interval(1, 4, f64::NAN), None);
        assert_eq!(wilson_interval(1, 4, -1.0), None);
        assert_eq!(wilson_interval(1, 4, 0.0), Some((0.25, 0.25)));
    }

    #[test]
    fn mcnemar_agresti_presidential_approval() {
        // Agresti (1990) Categorical Data Analysis p. 350, the example of R's
        // `mcnemar.test`: 1600 people, approve→disapprove 150, disapprove→approve 86.
        // R: McNemar's chi-squared = 16.818, df = 1, p-value = 4.115e-05.
        let m = mcnemar(150, 86);
        assert!(close(m.statistic, 63.0 * 63.0 / 236.0, 1e-12));
        assert!(close(m.statistic, 16.818, 5e-4));
        assert!(close(m.p_chi2, 4.115e-5, 5e-8), "{m:?}");
        // Exact: 2 P(X <= 86), X ~ Bin(236, 1/2) = 3.7159e-05 (scipy binomtest).
        assert!(close(m.p_exact, 3.7159e-5, 5e-9), "{m:?}");
        assert_eq!(mcnemar(86, 150), m);
    }

    #[test]
    fn mcnemar_degenerate_and_small() {
        let m = mcnemar(0, 0);
        assert_eq!((m.statistic, m.p_chi2, m.p_exact), (0.0, 1.0, 1.0));
        let m = mcnemar(4, 4);
        assert_eq!((m.statistic, m.p_chi2, m.p_exact), (0.0, 1.0, 1.0));
        // b = 0, c = 5: exact p = 2 · 0.5^5 = 0.0625; statistic (5-1)²/5 = 3.2.
        let m = mcnemar(0, 5);
        assert!(close(m.p_exact, 0.0625, 1e-12) && close(m.statistic, 3.2, 1e-12));
        // Large counts must not panic or overflow.
        let m = mcnemar(u64::MAX, u64::MAX);
        assert_eq!((m.statistic, m.p_exact), (0.0, 1.0));
        let m = mcnemar(u64::MAX, 0);
        assert!(m.p_exact >= 0.0 && m.p_exact < 1e-12 && m.p_chi2 < 1e-12);
    }
}
