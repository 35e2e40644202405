//! The debrief of one vignette in plain English, for a trainer's reveal and
//! for feedback: why the rules place the child at their level, and why the
//! neighbouring levels (one above, one below) were not the answer. Built
//! from the score and the explanation (indicator descriptions, rule
//! reasons, level labels), never from rule syntax or ids.

use crate::eval::Score;
use crate::plan::{LevelRank, Plan, Record, RuleId};

use super::level_if_fired;

/// Why a neighbouring level was not the rules' answer.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NotReached {
    /// The neighbouring level's id.
    pub level: String,
    /// Its label.
    pub label: String,
    /// `above` or `below` the rules' level.
    pub side: &'static str,
    /// One plain-English sentence.
    pub why: String,
}

/// The plain-English debrief of one vignette.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Debrief {
    /// The rules' level id.
    pub level: String,
    /// Its label.
    pub level_label: String,
    /// Each reason for the level, as a clause (no full stop).
    pub reasons: Vec<String>,
    /// The levels next to it, and why each was not the answer.
    pub not_reached: Vec<NotReached>,
    /// All of it as sentences: "The rules place this child at ... because
    /// ...; Level 4 was not reached because ...".
    pub summary: String,
}

fn label(plan: &Plan, l: LevelRank) -> String {
    plan.decl
        .levels
        .get(l.index())
        .map_or_else(|| "?".into(), |x| x.label.clone())
}

/// A description or reason as a clause: trimmed, no final full stop, and
/// its first letter lowered unless it starts an acronym (`DASH`).
fn clause(s: &str) -> String {
    let t = s.trim().trim_end_matches('.').trim();
    let mut c = t.chars();
    match (c.next(), c.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(t.chars().skip(1)).collect()
        }
        _ => t.to_string(),
    }
}

/// Joins clauses as English: `a`, `a and b`, `a, b and c`.
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The debrief of a scored record.
pub fn debrief(plan: &Plan, rec: &Record, score: &Score) -> Debrief {
    let level = score.level;
    let present: Vec<_> = rec
        .indicators
        .iter()
        .filter_map(|i| plan.decl.indicators.get(i))
        .collect();
    let mut reasons = Vec::new();
    // What set the base: the concerns at the base level.
    let base_concerns: Vec<String> = present
        .iter()
        .filter(|i| i.level == score.base && score.base > LevelRank::LOWEST)
        .map(|i| format!("\u{201c}{}\u{201d}", clause(&i.description)))
        .collect();
    if !base_concerns.is_empty() {
        let one = base_concerns.len() == 1;
        reasons.push(format!(
            "the case notes record {}, {} on its own is a {} concern",
            join_and(&base_concerns),
            if one { "which" } else { "each of which" },
            label(plan, score.base)
        ));
    }
    for r in score.fired.iter().filter_map(|r| plan.rules.get(r.index())) {
        if r.floor.is_some() || r.raise > 0 {
            reasons.push(clause(&r.reason));
        }
    }
    if reasons.is_empty() {
        reasons.push("nothing recorded in the case meets a concern above this level".into());
    }
    let mut not_reached = Vec::new();
    if let Some(above) = level.above().filter(|_| level < plan.top()) {
        let lifts: Vec<String> = plan
            .rules
            .iter()
            .zip(RuleId::all())
            .filter(|(_, i)| !score.fired.contains(i))
            .filter(|(_, i)| level_if_fired(plan, score, *i) > level)
            .map(|(r, _)| format!("\u{201c}{}\u{201d}", clause(&r.reason)))
            .take(4)
            .collect();
        let mut why = format!(
            "no concern recorded is on its own a {} concern",
            label(plan, above)
        );
        if !lifts.is_empty() {
            why.push_str(&format!(
                ", and {} {} not apply to this case",
                join_and(&lifts),
                if lifts.len() == 1 { "does" } else { "do" }
            ));
        }
        not_reached.push(NotReached {
            level: plan.level_id(above).to_string(),
            label: label(plan, above),
            side: "above",
            why,
        });
    }
    if let Some(below) = level.below() {
        let why = reasons.first().cloned().unwrap_or_default();
        not_reached.push(NotReached {
            level: plan.level_id(below).to_string(),
            label: label(plan, below),
            side: "below",
            why,
        });
    }
    let mut summary = format!(
        "The rules place this child at {} because {}.",
        label(plan, level),
        join_and(&reasons)
    );
    for n in &not_reached {
        if n.side == "above" {
            summary.push_str(&format!(" {} was not reached because {}.", n.label, n.why));
        } else {
            summary.push_str(&format!(" {} would be too low because {}.", n.label, n.why));
        }
    }
    Debrief {
        level: plan.level_id(level).to_string(),
        level_label: label(plan, level),
        reasons,
        not_reached,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::testutil::{plan, vignette};

    #[test]
    fn sentences_from_concerns_and_rules_without_syntax() {
        let p = plan();
        let v = vignette(&p, "V01", 0.5, &["injury"]);
        let d = debrief(&p, &v.record, &v.score);
        assert_eq!(d.level, "specialist");
        assert!(
            d.summary.starts_with(
                "The rules place this child at Level 4 - Specialist because the case notes \
                 record \u{201c}unexplained injury\u{201d}, which on its own is a Level 3 - \
                 Targeted concern and an injured baby is a specialist concern."
            ),
            "{}",
            d.summary
        );
        assert!(d.summary.contains("Level 3 - Targeted would be too low"));
        assert!(!d.summary.contains("age <"), "{}", d.summary);
        assert_eq!(d.not_reached.len(), 1);
    }

    #[test]
    fn the_level_above_names_the_rules_that_would_lift() {
        let p = plan();
        let v = vignette(&p, "V02", 4.0, &["injury"]);
        let d = debrief(&p, &v.record, &v.score);
        assert_eq!(d.level, "targeted");
        let above = &d.not_reached[0];
        assert_eq!(above.side, "above");
        assert!(
            above.why.contains("Level 4 - Specialist concern"),
            "{}",
            above.why
        );
        assert!(
            above.why.contains("\u{201c}an injured baby"),
            "{}",
            above.why
        );
        assert!(above.why.contains("three targeted concerns together"));
    }

    #[test]
    fn nothing_recorded_is_said_plainly() {
        let p = plan();
        let v = vignette(&p, "V03", 4.0, &[]);
        let d = debrief(&p, &v.record, &v.score);
        assert_eq!(d.level, "universal");
        assert!(
            d.summary.contains("nothing recorded in the case"),
            "{}",
            d.summary
        );
        assert_eq!(d.not_reached.len(), 1);
        assert_eq!(d.not_reached[0].level, "early_help");
    }

    #[test]
    fn joins_as_english() {
        let s = |v: &[&str]| join_and(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "b"]), "a and b");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
        assert_eq!(clause("DASH high risk."), "DASH high risk");
        assert_eq!(clause("Hygiene poor"), "hygiene poor");
    }
}
