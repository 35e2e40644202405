//! Threshold exercises for trainers (SPEC §7): build a vignette pack from a
//! sample ([`pack`]), describe each vignette in plain English ([`notes`]),
//! read trainees' answers ([`responses`]) and compute the cohort's results
//! ([`cohort`]). Everything here is pure: reading files and printing live in
//! `cli`, rendering in `report::exercise`.

pub mod cohort;
pub mod debrief;
pub mod hard;
pub mod notes;
pub mod pack;
pub mod responses;
pub mod session;

use std::collections::HashMap;

use crate::eval::Score;
use crate::plan::{LevelRank, Plan, Record, RuleId};

/// One vignette of a pack, scored by the rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Vignette {
    /// The vignette id (e.g. `V01`).
    pub id: String,
    /// The case as the rules read it.
    pub record: Record,
    /// The rules' answer.
    pub score: Score,
}

/// A pack of vignettes with an index by id.
#[derive(Clone, Debug, Default)]
pub struct Pack {
    /// The vignettes in pack order.
    pub vignettes: Vec<Vignette>,
    index: HashMap<String, usize>,
    folded: HashMap<String, usize>,
}

impl Pack {
    /// Builds a pack; a repeated id keeps its first vignette.
    pub fn new(vignettes: Vec<Vignette>) -> Self {
        let mut index = HashMap::new();
        let mut folded = HashMap::new();
        for (i, v) in vignettes.iter().enumerate() {
            index.entry(v.id.clone()).or_insert(i);
            folded.entry(v.id.to_lowercase()).or_insert(i);
        }
        Self {
            vignettes,
            index,
            folded,
        }
    }

    /// Finds a vignette by id (trimmed; case-insensitive when not exact).
    pub fn find(&self, id: &str) -> Option<usize> {
        let t = id.trim();
        self.index
            .get(t)
            .or_else(|| self.folded.get(&t.to_lowercase()))
            .copied()
    }

    /// The number of vignettes.
    pub fn len(&self) -> usize {
        self.vignettes.len()
    }

    /// True when the pack has no vignettes.
    pub fn is_empty(&self) -> bool {
        self.vignettes.is_empty()
    }
}

/// Reads a trainee's answer: a level id, label or decision text
/// ([`Plan::decision_level`]), or the level number `1..=k`.
pub fn parse_answer(plan: &Plan, text: &str) -> Option<LevelRank> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(l) = plan.decision_level(t) {
        return Some(l);
    }
    let n: usize = t.parse().ok()?;
    (1..=plan.decl.levels.len())
        .contains(&n)
        .then(|| LevelRank::try_from(n - 1).ok())
        .flatten()
}

/// The level a record would get if rule `rule` fired as well as the rules
/// that did (SPEC §2.3 applied to the extra floor and raise).
pub fn level_if_fired(plan: &Plan, score: &Score, rule: RuleId) -> LevelRank {
    let Some(r) = plan.rules.get(rule.index()) else {
        return score.level;
    };
    let floor = match (score.floor, r.floor) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let raise = score.raise.max(r.raise);
    score
        .base
        .max(floor.unwrap_or(LevelRank::LOWEST))
        .raised(raise, plan.top())
}

pub use crate::text::humanise;

#[cfg(test)]
pub(crate) mod testutil {
    //! A small rule set for unit tests.
    use crate::check;
    use crate::plan::Plan;
    use crate::span::Source;

    /// Rules with four levels, two themes, a conjunction and a count rule.
    pub(crate) const RULES: &str = r#"
continuum "Test"
levels {
  universal  "Level 1 - Universal"
  early_help "Level 2 - Early help"
  targeted   "Level 3 - Targeted"
  specialist "Level 4 - Specialist"
}
decisions { "NFA" -> universal "TAF" -> targeted "S47" -> specialist }
themes { dv "Domestic abuse" neglect "Neglect" }
fields { age: number dash_score: number? }
domain care "Basic care" {
  indicator hygiene "Hygiene often poor" at early_help themes [neglect]
  indicator neglect_p "Basic needs persistently unmet" at specialist themes [neglect]
  indicator school "Poor school attendance" at early_help
}
domain safety "Ensuring safety" {
  indicator dv_house "Domestic abuse in the household" at targeted themes [dv]
  indicator injury "Unexplained injury" at targeted
  indicator missing "Goes missing from home" at targeted
}
rule infant "An injured baby is a specialist concern"
  when age < 1 and injury
  then at least specialist
rule cumulative "Three targeted concerns together"
  when count(indicators at targeted) >= 3
  then raise 1
rule dash "DASH high risk"
  when dash_score >= 14
  then at least targeted
"#;

    /// The checked plan.
    pub(crate) fn plan() -> Plan {
        let src = Source::new("t.thr", RULES);
        let c = crate::ruleset::check_source(&src, &check::NoScripts);
        c.plan.expect("test rules check")
    }

    /// A record with an age and indicators.
    pub(crate) fn record(plan: &Plan, id: &str, age: f64, inds: &[&str]) -> crate::plan::Record {
        let mut r = crate::plan::Record::empty(plan);
        r.id = id.into();
        r.values[0] = crate::plan::Value::Num(age);
        for i in inds {
            crate::data::set_indicator(plan, &mut r, i).expect("known indicator");
        }
        r
    }

    /// A scored vignette.
    pub(crate) fn vignette(plan: &Plan, id: &str, age: f64, inds: &[&str]) -> super::Vignette {
        let record = record(plan, id, age, inds);
        let score = crate::eval::score(plan, &record).expect("scores");
        super::Vignette {
            id: id.into(),
            record,
            score,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_by_id_label_decision_and_number() {
        let plan = testutil::plan();
        assert_eq!(parse_answer(&plan, "targeted"), Some(LevelRank::new(2)));
        assert_eq!(
            parse_answer(&plan, " Level 2 - Early help "),
            Some(LevelRank::new(1))
        );
        assert_eq!(parse_answer(&plan, "s47"), Some(LevelRank::new(3)));
        assert_eq!(parse_answer(&plan, "1"), Some(LevelRank::new(0)));
        assert_eq!(parse_answer(&plan, "4"), Some(LevelRank::new(3)));
        assert_eq!(parse_answer(&plan, "5"), None);
        assert_eq!(parse_answer(&plan, "0"), None);
        assert_eq!(parse_answer(&plan, "maybe"), None);
        assert_eq!(parse_answer(&plan, ""), None);
    }

    #[test]
    fn pack_finds_ids() {
        let plan = testutil::plan();
        let p = Pack::new(vec![testutil::vignette(&plan, "V01", 3.0, &[])]);
        assert_eq!(p.find("V01"), Some(0));
        assert_eq!(p.find(" v01"), Some(0));
        assert_eq!(p.find("V02"), None);
    }

    #[test]
    fn humanises_ids() {
        assert_eq!(humanise("dash_score"), "Dash score");
        assert_eq!(humanise(""), "");
    }
}
