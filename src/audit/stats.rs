//! The agreement statistics of one group of records, computed from its
//! confusion matrix with [`crate::stats`] on the full scale of the rule file.

use crate::stats::{self, Confusion, Kappa, Weights, Z95};

/// Below this many decisions, human-facing reports say the figures are too
/// few to judge (DOMAIN §5: interval coverage is poor at small n).
pub const SMALL_N: u64 = 30;

/// Agreement statistics for one group (overall, a `--by` value, a theme, a period).
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// Records scored in the group, with or without a decision.
    pub scored: u64,
    /// Records with a decision (the base of every statistic below).
    pub n: u64,
    /// Decision level = rules level.
    pub agree: u64,
    /// Decision level above the rules' level.
    pub over: u64,
    /// Decision level below the rules' level (possible missed need).
    pub under: u64,
    /// Rows = decision level, columns = rules level, over the full scale.
    pub confusion: Confusion,
    /// Observed agreement `agree / n`.
    pub agreement: Option<f64>,
    /// Wilson 95% interval for the observed agreement.
    pub agreement_ci: Option<(f64, f64)>,
    /// Cohen's kappa with its asymptotic SE (Fleiss, Cohen & Everitt 1969).
    pub kappa: Option<Kappa>,
    /// Linearly weighted kappa.
    pub kappa_linear: Option<Kappa>,
    /// Quadratically weighted kappa.
    pub kappa_quadratic: Option<Kappa>,
    /// Gwet's AC1.
    pub gwet_ac1: Option<f64>,
    /// Standard error of Gwet's AC1.
    pub gwet_ac1_se: Option<f64>,
}

impl Stats {
    /// Statistics of a k×k matrix of counts (rows = decision level, columns =
    /// rules level); `scored` counts records with or without a decision.
    pub fn new(rows: &[Vec<u64>], k: usize, scored: u64) -> Self {
        let confusion = Confusion::from_rows(rows).unwrap_or_else(|| Confusion::new(k));
        let n = confusion.n();
        let agree = confusion.agree();
        Self {
            scored,
            n,
            agree,
            over: confusion.over(),
            under: confusion.under(),
            agreement: confusion.agreement(),
            agreement_ci: stats::wilson_interval(agree, n, Z95),
            kappa: stats::kappa(&confusion, Weights::Unweighted),
            kappa_linear: stats::kappa(&confusion, Weights::Linear),
            kappa_quadratic: stats::kappa(&confusion, Weights::Quadratic),
            gwet_ac1: stats::gwet_ac1(&confusion),
            gwet_ac1_se: stats::gwet_ac1_se(&confusion),
            confusion,
        }
    }

    /// Share of decisions above the rules' level.
    pub fn over_share(&self) -> Option<f64> {
        (self.n > 0).then(|| self.over as f64 / self.n as f64)
    }

    /// Share of decisions below the rules' level.
    pub fn under_share(&self) -> Option<f64> {
        (self.n > 0).then(|| self.under as f64 / self.n as f64)
    }

    /// Scored records without a decision.
    pub fn no_decision(&self) -> u64 {
        self.scored.saturating_sub(self.n)
    }

    /// Too few decisions to judge (`n < SMALL_N`).
    pub fn small(&self) -> bool {
        self.n < SMALL_N
    }

    /// Why kappa is undefined, in words, when it is.
    pub fn kappa_undefined(&self) -> Option<&'static str> {
        if self.n == 0 {
            Some("no decisions")
        } else if self.kappa.is_none() {
            Some("undefined: one level only")
        } else {
            None
        }
    }
}

/// Landis & Koch (1977) band for a kappa-type coefficient.
pub fn band(kappa: f64) -> &'static str {
    if kappa < 0.0 {
        "poor"
    } else if kappa <= 0.20 {
        "slight"
    } else if kappa <= 0.40 {
        "fair"
    } else if kappa <= 0.60 {
        "moderate"
    } else if kappa <= 0.80 {
        "substantial"
    } else {
        "almost perfect"
    }
}
