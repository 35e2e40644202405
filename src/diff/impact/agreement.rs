//! Agreement with recorded decisions under each version: observed agreement,
//! Cohen's kappa (unweighted, linear, quadratic) on each file's full scale,
//! and McNemar's paired test on agree/disagree.

use serde::Serialize;

use crate::plan::LevelRank;
use crate::stats::{self, Confusion, Weights};

/// Agreement under one version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Versioned {
    /// Records with a decision.
    pub n: u64,
    /// Records whose decision level equals the rules' level.
    pub agree: u64,
    /// `agree / n`.
    pub agreement: Option<f64>,
    /// Cohen's kappa.
    pub kappa: Option<f64>,
    /// Linearly weighted kappa.
    pub kappa_linear: Option<f64>,
    /// Quadratically weighted kappa.
    pub kappa_quadratic: Option<f64>,
    /// Rows = decision level, columns = rules level.
    pub confusion: Vec<Vec<u64>>,
}

impl Versioned {
    fn of(c: &Confusion) -> Self {
        let k = |w| stats::kappa(c, w).map(|k| k.value);
        Self {
            n: c.n(),
            agree: c.agree(),
            agreement: c.agreement(),
            kappa: k(Weights::Unweighted),
            kappa_linear: k(Weights::Linear),
            kappa_quadratic: k(Weights::Quadratic),
            confusion: c.rows(),
        }
    }
}

/// Agreement under both versions and the paired comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgreementImpact {
    /// Under the old rules.
    pub old: Versioned,
    /// Under the new rules.
    pub new: Versioned,
    /// Records with a decision under both.
    pub paired: u64,
    /// Records that agree under the old rules only (McNemar's b).
    pub agree_old_only: u64,
    /// Records that agree under the new rules only (McNemar's c).
    pub agree_new_only: u64,
    /// `new.agreement - old.agreement`.
    pub agreement_change: Option<f64>,
    /// `new.kappa - old.kappa`.
    pub kappa_change: Option<f64>,
    /// McNemar's statistic (continuity-corrected chi-square, 1 df).
    pub mcnemar_statistic: f64,
    /// Its p-value.
    pub mcnemar_p: f64,
    /// The exact (binomial) p-value.
    pub mcnemar_p_exact: f64,
}

/// Counts as records arrive.
#[derive(Clone, Debug)]
pub(super) struct AgreementTally {
    old: Confusion,
    new: Confusion,
    paired: u64,
    b: u64,
    c: u64,
}

impl AgreementTally {
    pub(super) fn new(k_old: usize, k_new: usize) -> Self {
        Self {
            old: Confusion::new(k_old),
            new: Confusion::new(k_new),
            paired: 0,
            b: 0,
            c: 0,
        }
    }

    /// One record: each version's decision level and rules level.
    pub(super) fn add(
        &mut self,
        old: (Option<LevelRank>, LevelRank),
        new: (Option<LevelRank>, LevelRank),
    ) {
        if let Some(d) = old.0 {
            self.old.add(d.index(), old.1.index());
        }
        if let Some(d) = new.0 {
            self.new.add(d.index(), new.1.index());
        }
        if let (Some(a), Some(b)) = (old.0, new.0) {
            self.paired += 1;
            match (a == old.1, b == new.1) {
                (true, false) => self.b += 1,
                (false, true) => self.c += 1,
                _ => {}
            }
        }
    }

    pub(super) fn finish(&self) -> AgreementImpact {
        let (old, new) = (Versioned::of(&self.old), Versioned::of(&self.new));
        let diff = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
        let m = stats::mcnemar(self.b, self.c);
        AgreementImpact {
            agreement_change: diff(old.agreement, new.agreement),
            kappa_change: diff(old.kappa, new.kappa),
            old,
            new,
            paired: self.paired,
            agree_old_only: self.b,
            agree_new_only: self.c,
            mcnemar_statistic: m.statistic,
            mcnemar_p: m.p_chi2,
            mcnemar_p_exact: m.p_exact,
        }
    }
}
