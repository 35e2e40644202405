//! The answers to the board's standing questions, as data: which group agrees
//! least, and whether agreement changed from one period to the next (with a
//! 95% interval for the change, so chance is not read as progress).

use std::cmp::Ordering;

use super::{Audit, Stats, SMALL_N};
use crate::stats::{wilson_interval, Z95};

/// The group (a `--by` value or a theme) that agrees least.
#[derive(Clone, Debug, PartialEq)]
pub struct Least {
    /// The group's name (value or theme label).
    pub name: String,
    /// Its observed agreement.
    pub agreement: f64,
    /// Its number of decisions.
    pub n: u64,
    /// No group had `SMALL_N` decisions, so the lowest of the small ones was taken.
    pub small: bool,
    /// How many groups had decisions.
    pub groups: usize,
    /// How many groups with decisions, all fewer than `SMALL_N`, were not
    /// considered because larger groups exist (0 when `small`).
    pub left_out: usize,
}

/// The lowest observed agreement among groups, preferring groups with at
/// least [`SMALL_N`] decisions; ties go to the larger group, then the first.
pub fn least<'a>(groups: impl Iterator<Item = (&'a str, &'a Stats)> + Clone) -> Option<Least> {
    let with_n = groups.clone().filter(|(_, s)| s.n > 0).count();
    let pick = |min_n: u64| {
        groups
            .clone()
            .filter(|(_, s)| s.n >= min_n.max(1))
            .filter_map(|(g, s)| s.agreement.map(|a| (g, s, a)))
            .min_by(|x, y| x.2.total_cmp(&y.2).then(y.1.n.cmp(&x.1.n)))
    };
    let (found, small) = match pick(SMALL_N) {
        Some(x) => (x, false),
        None => (pick(1)?, true),
    };
    let left_out = if small {
        0
    } else {
        groups
            .clone()
            .filter(|(_, s)| s.n > 0 && s.n < SMALL_N)
            .count()
    };
    Some(Least {
        name: found.0.to_string(),
        agreement: found.2,
        n: found.1.n,
        small,
        groups: with_n,
        left_out,
    })
}

/// The change in observed agreement between two periods.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The earlier period.
    pub from: String,
    /// The later period.
    pub to: String,
    /// Agreement in the earlier period.
    pub before: f64,
    /// Agreement in the later period.
    pub after: f64,
    /// `after - before`.
    pub diff: f64,
    /// Newcombe (1998, method 10) 95% interval for the difference.
    pub ci: (f64, f64),
}

impl Change {
    /// The interval excludes zero: a change unlikely to be chance alone.
    pub fn clear(&self) -> bool {
        self.ci.0 > 0.0 || self.ci.1 < 0.0
    }
}

/// The change in agreement from `a` to `b`, with Newcombe's hybrid score
/// interval for a difference of independent proportions; `None` when either
/// has no decisions.
pub fn change(from: (&str, &Stats), to: (&str, &Stats)) -> Option<Change> {
    let (p1, (l1, u1)) = (
        from.1.agreement?,
        wilson_interval(from.1.agree, from.1.n, Z95)?,
    );
    let (p2, (l2, u2)) = (to.1.agreement?, wilson_interval(to.1.agree, to.1.n, Z95)?);
    let diff = p2 - p1;
    let lo = diff - ((p2 - l2).powi(2) + (u1 - p1).powi(2)).sqrt();
    let hi = diff + ((u2 - p2).powi(2) + (p1 - l1).powi(2)).sqrt();
    Some(Change {
        from: from.0.to_string(),
        to: to.0.to_string(),
        before: p1,
        after: p2,
        diff,
        ci: (lo.max(-1.0), hi.min(1.0)),
    })
}

/// Period-on-period changes (consecutive periods with decisions), and the
/// change from the first to the last period when there are more than two.
/// Only the periods ordered by time count ([`Audit::timed_periods`]).
pub fn trend(audit: &Audit) -> (Vec<Change>, Option<Change>) {
    let with: Vec<(&str, &Stats)> = timed(audit)
        .iter()
        .filter(|(_, s)| s.n > 0)
        .map(|(p, s)| (p.as_str(), s))
        .collect();
    let steps = with
        .windows(2)
        .filter_map(|w| match w {
            [a, b] => change(*a, *b),
            _ => None,
        })
        .collect();
    let overall = match (with.first(), with.last()) {
        (Some(a), Some(b)) if with.len() > 2 => change(*a, *b),
        _ => None,
    };
    (steps, overall)
}

/// The periods ordered by time, for the trend.
pub fn timed(audit: &Audit) -> &[(String, Stats)] {
    audit
        .periods
        .get(..audit.timed_periods)
        .unwrap_or(&audit.periods)
}

/// Natural order: runs of digits compare as numbers, so `2026-Q2` comes
/// before `2026-Q10`; other text compares case-insensitively, then exactly.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.is_empty(), y.is_empty()) {
            (true, true) => return a.cmp(b),
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let (cx, rx) = chunk(x);
        let (cy, ry) = chunk(y);
        let dx = cx.starts_with(|c: char| c.is_ascii_digit());
        let dy = cy.starts_with(|c: char| c.is_ascii_digit());
        let ord = if dx && dy {
            let tx = cx.trim_start_matches('0');
            let ty = cy.trim_start_matches('0');
            tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty))
        } else {
            cx.to_lowercase().cmp(&cy.to_lowercase())
        };
        if ord != Ordering::Equal {
            return ord;
        }
        x = rx;
        y = ry;
    }
}

/// The leading run of digits or of non-digits, and the rest.
fn chunk(s: &str) -> (&str, &str) {
    let digit = s.starts_with(|c: char| c.is_ascii_digit());
    let end = s
        .find(|c: char| c.is_ascii_digit() != digit)
        .unwrap_or(s.len());
    s.split_at(end)
}
