//! Building a vignette pack from a scored sample: stratified by the rules'
//! level so every level in the sample is represented, hard cases
//! ([`super::hard`]) over-represented, in a shuffled order, renumbered
//! `V01, V02, ...`. Deterministic for a seed (the SplitMix64 generator of
//! [`crate::sample::rng`], so packs stay the same across crate upgrades).

use crate::plan::{FieldType, LevelRank, Plan, Record, Value};
use crate::sample::rng::SplitMix64;
use crate::text::format_number;

/// How much likelier a hard case is to be drawn than an ordinary one.
pub const HARD_WEIGHT: f64 = 3.0;

/// A candidate for the pack.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// The rules' level (rank).
    pub level: LevelRank,
    /// A hard case.
    pub hard: bool,
}

/// Chooses up to `n` candidates: every level present gets a share (as equal
/// as the sample allows), within a level hard cases are drawn with weight
/// [`HARD_WEIGHT`] (weighted sampling without replacement, Efraimidis and
/// Spirakis 2006), and the pack is shuffled. Returns indexes into `cands`.
pub fn select(cands: &[Candidate], n: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed);
    let keys: Vec<f64> = cands
        .iter()
        .map(|c| {
            let w = if c.hard { HARD_WEIGHT } else { 1.0 };
            rng.next_open_f64().powf(1.0 / w)
        })
        .collect();
    let top = cands
        .iter()
        .map(|c| c.level)
        .max()
        .unwrap_or_default()
        .index();
    let mut strata: Vec<Vec<usize>> = vec![Vec::new(); top + 1];
    for (i, c) in cands.iter().enumerate() {
        if let Some(s) = strata.get_mut(c.level.index()) {
            s.push(i);
        }
    }
    for s in &mut strata {
        s.sort_by(|a, b| keys[*b].total_cmp(&keys[*a]).then(a.cmp(b)));
    }
    // Round-robin quotas: one per level in turn while the level has rows left.
    let want = n.min(cands.len());
    let mut quota = vec![0usize; strata.len()];
    let mut given = 0;
    while given < want {
        let before = given;
        for (q, s) in quota.iter_mut().zip(&strata) {
            if given < want && *q < s.len() {
                *q += 1;
                given += 1;
            }
        }
        if given == before {
            break;
        }
    }
    let mut chosen: Vec<usize> = strata
        .iter()
        .zip(&quota)
        .flat_map(|(s, q)| s.iter().take(*q).copied())
        .collect();
    for i in (1..chosen.len()).rev() {
        // Uniform in `0..=i`, as packs have always been drawn.
        let j = ((rng.next_open_f64() * (i + 1) as f64) as usize).min(i);
        chosen.swap(i, j);
    }
    chosen
}

/// Vignette ids `V01..`: at least two digits, more when the pack needs them.
pub fn vignette_id(i: usize, total: usize) -> String {
    let width = total.to_string().len().max(2);
    format!("V{:0width$}", i + 1)
}

/// The pack CSV header: `id`, the declared fields, `indicators`.
pub fn header(plan: &Plan) -> Vec<String> {
    let mut h = vec!["id".to_string()];
    h.extend(plan.decl.fields.iter().map(|f| f.id.clone()));
    h.push("indicators".into());
    h
}

/// One pack CSV row for a record under a new id.
pub fn row(plan: &Plan, rec: &Record, id: &str) -> Vec<String> {
    let mut r = vec![id.to_string()];
    for (slot, f) in plan.decl.fields.iter().enumerate() {
        r.push(value_cell(&f.kind, rec.values.get(slot)));
    }
    let inds: Vec<&str> = rec
        .indicators
        .iter()
        .filter_map(|i| plan.decl.indicators.get(i))
        .map(|i| i.id.as_str())
        .collect();
    r.push(inds.join(";"));
    r
}

/// A value as a data cell (readable back by the loaders).
pub fn value_cell(kind: &FieldType, v: Option<&Value>) -> String {
    match v {
        Some(Value::Num(n)) => format_number(*n),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Text(t)) => t.clone(),
        Some(Value::Choice(i)) => match kind {
            FieldType::OneOf(o) => o.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        },
        Some(Value::Missing) | None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cands() -> Vec<Candidate> {
        let mut v = Vec::new();
        for i in 0..200u32 {
            // Level 0 common, level 3 rare; a third of level-1 cases hard.
            let level = match i % 20 {
                0..=11 => 0,
                12..=16 => 1,
                17..=18 => 2,
                _ => 3,
            };
            v.push(Candidate {
                level: LevelRank::new(level),
                hard: level == 1 && i % 3 == 0,
            });
        }
        v
    }

    #[test]
    fn deterministic_for_a_seed() {
        let c = cands();
        assert_eq!(select(&c, 12, 7), select(&c, 12, 7));
        assert_ne!(select(&c, 12, 7), select(&c, 12, 8));
    }

    #[test]
    fn every_level_present_and_no_repeats() {
        let c = cands();
        for seed in 0..20 {
            let s = select(&c, 8, seed);
            assert_eq!(s.len(), 8);
            for l in (0..4).map(LevelRank::new) {
                assert_eq!(s.iter().filter(|i| c[**i].level == l).count(), 2);
            }
            let mut d = s.clone();
            d.sort_unstable();
            d.dedup();
            assert_eq!(d.len(), s.len());
        }
    }

    #[test]
    fn small_strata_give_way_to_larger_ones() {
        let c = vec![
            Candidate {
                level: LevelRank::new(0),
                hard: false,
            },
            Candidate {
                level: LevelRank::new(0),
                hard: false,
            },
            Candidate {
                level: LevelRank::new(0),
                hard: false,
            },
            Candidate {
                level: LevelRank::new(2),
                hard: false,
            },
        ];
        let s = select(&c, 10, 1);
        assert_eq!(s.len(), 4);
        let s = select(&c, 2, 1);
        assert_eq!(
            s.iter()
                .filter(|i| c[**i].level == LevelRank::new(2))
                .count(),
            1
        );
    }

    #[test]
    fn hard_cases_over_represented() {
        let c = cands();
        let level1: Vec<usize> = (0..c.len())
            .filter(|i| c[*i].level == LevelRank::new(1))
            .collect();
        let share_in_sample =
            level1.iter().filter(|i| c[**i].hard).count() as f64 / level1.len() as f64;
        let (mut hard, mut all) = (0, 0);
        for seed in 0..200 {
            for i in select(&c, 12, seed) {
                if c[i].level == LevelRank::new(1) {
                    all += 1;
                    hard += usize::from(c[i].hard);
                }
            }
        }
        let share = hard as f64 / all as f64;
        assert!(
            share > share_in_sample + 0.15,
            "{share} vs {share_in_sample}"
        );
    }

    #[test]
    fn ids_are_padded() {
        assert_eq!(vignette_id(0, 9), "V01");
        assert_eq!(vignette_id(99, 120), "V100");
        assert_eq!(vignette_id(4, 120), "V005");
    }
}
