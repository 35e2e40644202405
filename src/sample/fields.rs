//! A value for each declared field of a generated referral, coherent with
//! its age and indicators: each field's role is read once from its name and
//! type ([`Role::of`]), then filled from the drawn [`Facts`]. The referral
//! source is the drawn one; `disabled` is true exactly when a disability
//! indicator is; mobility follows age and disability; DASH, incidents and
//! the MARAC grounds are recorded only where there is domestic abuse and
//! agree with whether the MARAC criteria are met; a CSE screening outcome
//! only from age 10 and no higher than the exploitation signs; a Graded Care
//! Profile only where there is neglect; history fields (re-referrals,
//! previous plans, siblings removed) at plausible rates and never a previous
//! referral or plan for an unborn baby. Unknown fields get a value by type.

use super::model::{Facts, Marac, Sex};
use super::rng::SplitMix64;
use super::targets::{Source, AGE_BANDS, REREFERRAL_2025};
use super::{value_cell, Cell};
use crate::plan::{FieldInfo, FieldType, LevelRank, Plan, Record, Value};

/// What a field holds, as far as the generator can tell.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// The child's age in years.
    Age,
    /// The referral is about an unborn baby.
    Unborn,
    /// The child's sex: the female, male and unknown options.
    Sex(Option<u16>, Option<u16>, Option<u16>),
    /// The age of the other person in the child's sexual activity or relationship.
    PartnerAge,
    /// The child is disabled.
    Disabled,
    /// Who referred: free text.
    SourceText,
    /// Who referred: one of the options, each mapped to a source category.
    SourceChoice(Vec<Option<Source>>),
    /// Mobility: indices of the pre-mobile, not-independently-mobile and mobile options.
    Mobility(Option<u16>, Option<u16>, Option<u16>),
    /// The mother or carer is pregnant.
    CarerPregnant,
    /// The child herself is pregnant.
    ChildPregnant,
    /// "Pregnant" without saying whose pregnancy.
    Pregnant,
    /// DASH checklist score.
    DashScore,
    /// Practitioner judges the domestic abuse risk high.
    DashJudgement,
    /// Domestic abuse incidents in the last 12 months.
    DaIncidents,
    /// A new incident within 12 months of a MARAC referral.
    MaracRepeat,
    /// A CSE or exploitation screening outcome: option indices from none to high.
    Screening(Vec<u16>),
    /// A Graded Care Profile grade.
    Gcp,
    /// Re-referrals (or referrals) in the last 12 months.
    Rereferrals,
    /// A previous child protection plan for the child.
    PreviousPlan,
    /// A brother or sister on a child protection plan now.
    SiblingPlan,
    /// Older children removed from the parents' care (a count or yes/no).
    SiblingsRemoved,
    /// Anything else.
    Other,
}

impl Role {
    /// The role of a field, from its name and type.
    pub fn of(f: &FieldInfo) -> Role {
        let n = f.id.to_ascii_lowercase();
        let has = |w: &[&str]| w.iter().any(|x| n.contains(x));
        let num = matches!(f.kind, FieldType::Number(_));
        let boolean = f.kind == FieldType::Bool;
        let opt_index = |o: &[String], w: &[&str]| {
            o.iter()
                .position(|x| w.contains(&x.to_ascii_lowercase().as_str()))
                .map(|i| i as u16)
        };
        match &f.kind {
            _ if num && has(&["partner", "other_person", "associate"]) && has(&["age"]) => {
                Role::PartnerAge
            }
            _ if boolean && has(&["unborn", "pre_birth", "prebirth"]) => Role::Unborn,
            FieldType::OneOf(o) if n == "sex" || n == "gender" || n.ends_with("_sex") => Role::Sex(
                opt_index(o, &["female", "f", "girl"]),
                opt_index(o, &["male", "m", "boy"]),
                opt_index(o, &["unknown", "not_known", "u", "other"]),
            ),
            _ if num && (n == "age" || n.ends_with("_age") || n.starts_with("age_")) => Role::Age,
            _ if boolean && has(&["disab"]) => Role::Disabled,
            FieldType::Text if has(&["agency", "source", "referrer"]) => Role::SourceText,
            FieldType::OneOf(o) if has(&["agency", "source", "referrer"]) => {
                Role::SourceChoice(o.iter().map(|x| Source::from_words(x)).collect())
            }
            FieldType::OneOf(o) if has(&["mobil"]) => {
                let find = |w: &[&str]| {
                    o.iter()
                        .position(|x| w.iter().any(|k| x.to_ascii_lowercase().contains(k)))
                        .map(|i| i as u16)
                };
                let pre = find(&["pre"]);
                let not = find(&["not", "non"]);
                let mobile = o
                    .iter()
                    .position(|x| {
                        let x = x.to_ascii_lowercase();
                        x.contains("mobile") && !x.contains("pre") && !x.contains("not")
                    })
                    .map(|i| i as u16);
                Role::Mobility(pre, not, mobile)
            }
            FieldType::Bool if has(&["pregnan"]) => {
                if has(&["mother", "carer", "parent", "mum", "household"]) {
                    Role::CarerPregnant
                } else if has(&["child", "young", "teen", "yp"]) {
                    Role::ChildPregnant
                } else {
                    Role::Pregnant
                }
            }
            FieldType::Number(_) if has(&["dash"]) => Role::DashScore,
            FieldType::Bool if has(&["judgement", "judgment"]) => Role::DashJudgement,
            FieldType::Number(_) if has(&["incident"]) => Role::DaIncidents,
            FieldType::Bool if has(&["marac"]) => Role::MaracRepeat,
            FieldType::OneOf(o) if has(&["cse", "exploit", "screen"]) => {
                Role::Screening(severity_order(o))
            }
            FieldType::Number(_) if has(&["gcp", "graded"]) => Role::Gcp,
            _ if (num || boolean)
                && has(&[
                    "rereferr",
                    "re_referr",
                    "referrals_12",
                    "previous_referr",
                    "prior_referr",
                ]) =>
            {
                Role::Rereferrals
            }
            _ if (num || boolean) && has(&["removed", "removal"]) => Role::SiblingsRemoved,
            _ if (num || boolean) && has(&["sibling"]) => Role::SiblingPlan,
            _ if (num || boolean)
                && has(&[
                    "previous_cp",
                    "prior_cp",
                    "previous_plan",
                    "cp_plan",
                    "protection_plan",
                ]) =>
            {
                Role::PreviousPlan
            }
            _ => Role::Other,
        }
    }
}

/// The option to write for each severity, `none`, `at_risk`/`low`, `medium`,
/// `high` (indices 0 to 3): the option of that severity, else the nearest
/// milder one, else the nearest more severe one.
fn severity_order(opts: &[String]) -> Vec<u16> {
    let rank = |x: &str| {
        let x = x.to_ascii_lowercase();
        if x.contains("none") || x.contains("no_") || x == "no" {
            0
        } else if x.contains("medium") || x.contains("moderate") {
            2
        } else if x.contains("high") || x.contains("significant") {
            3
        } else {
            1
        }
    };
    let ranks: Vec<usize> = opts.iter().map(|o| rank(o)).collect();
    (0..4)
        .filter_map(|want| {
            let at = |r: usize| ranks.iter().position(|x| *x == r);
            (0..=want)
                .rev()
                .find_map(at)
                .or_else(|| (want..4).find_map(at))
                .map(|i| i as u16)
        })
        .collect()
}

/// The roles of a plan's fields, by slot.
pub(super) fn roles(plan: &Plan) -> Vec<Role> {
    plan.decl.fields.iter().map(Role::of).collect()
}

/// Fills every field of `rec` from the facts, writing its cell after the
/// record's existing cells in `cells`.
pub(super) fn fill(
    g: &mut SplitMix64,
    plan: &Plan,
    roles: &[Role],
    facts: &Facts,
    rec: &mut Record,
    cells: &mut Vec<Cell>,
) {
    // The DASH fields agree with each other and with the MARAC ground; a
    // Graded Care Profile is completed in every area or in none, around one
    // grade for the record.
    let da = dash(g, facts);
    let gcp = (facts.neglect > LevelRank::LOWEST && g.chance(0.4))
        .then(|| 1.0 + f64::from(facts.neglect.min(LevelRank::new(3)).get()));
    for (slot, (f, role)) in plan.decl.fields.iter().zip(roles).enumerate() {
        let v = value(g, f, role, facts, &da, gcp);
        cells.push(value_cell(plan, slot, &v));
        rec.values[slot] = v;
    }
}

/// DASH score, practitioner judgement, incidents in 12 months and repeat
/// MARAC for a referral (`None` each where not recorded).
struct Dash {
    score: Option<f64>,
    judgement: Option<bool>,
    incidents: Option<f64>,
    repeat: Option<bool>,
}

fn dash(g: &mut SplitMix64, facts: &Facts) -> Dash {
    if !facts.da {
        return Dash {
            score: None,
            judgement: None,
            incidents: None,
            repeat: None,
        };
    }
    if !facts.da_current {
        // Past abuse only: no incident this year, no checklist.
        return Dash {
            score: None,
            judgement: Some(false),
            incidents: Some(0.0),
            repeat: Some(false),
        };
    }
    // The police complete a DASH at every incident; others less often.
    let completed = facts.marac.is_some()
        || g.chance(if facts.source == Source::Police {
            0.9
        } else {
            0.55
        });
    let base = 1.0 + g.below(2) as f64; // one or two incidents this year
    let (score, incidents, judgement, repeat) = match facts.marac {
        Some(Marac::VisibleHighRisk) => (
            14.0 + g.below(7) as f64,
            1.0 + g.below(5) as f64,
            g.chance(0.5),
            g.chance(0.1),
        ),
        Some(Marac::Escalation) => (
            6.0 + g.below(8) as f64,
            3.0 + g.below(4) as f64,
            false,
            false,
        ),
        Some(Marac::Judgement) => (8.0 + g.below(6) as f64, base, true, false),
        Some(Marac::Repeat) => (4.0 + g.below(10) as f64, base, false, true),
        None => {
            // Standard (1-9) mostly, medium (10-13) sometimes; more ticks
            // with more incidents.
            let mean = 3.5 + 2.0 * base;
            let s = (mean + (g.next_f64() + g.next_f64() + g.next_f64() - 1.5) * 4.0).round();
            (s.clamp(1.0, 13.0), base, false, false)
        }
    };
    Dash {
        score: completed.then_some(score),
        judgement: Some(judgement),
        incidents: Some(incidents),
        repeat: Some(repeat),
    }
}

/// A value for one field.
fn value(
    g: &mut SplitMix64,
    f: &FieldInfo,
    role: &Role,
    facts: &Facts,
    da: &Dash,
    gcp: Option<f64>,
) -> Value {
    let opt = f.optional;
    // "Not recorded": missing where the field allows it, else its mildest value.
    let none = |kind: &FieldType| {
        if opt {
            Value::Missing
        } else {
            lowest(kind)
        }
    };
    let num = |x: f64| Value::Num(clamp_to(&f.kind, x));
    match role {
        Role::Age => num(facts.age()),
        Role::Unborn => Value::Bool(facts.unborn()),
        Role::Sex(female, male, unknown) => {
            let pick = match facts.sex {
                Sex::Female => *female,
                Sex::Male => *male,
                Sex::Unknown => *unknown,
            };
            pick.map_or_else(|| none(&f.kind), Value::Choice)
        }
        Role::PartnerAge => {
            if facts.partner {
                // Mostly within two years of the child; an older partner
                // (three to ten years older) in a minority.
                let a = facts.age().floor();
                let x = if g.chance(0.75) {
                    a + g.below(5) as f64 - 2.0
                } else {
                    a + 3.0 + g.below(8) as f64
                };
                num(x.max(12.0))
            } else {
                none(&f.kind)
            }
        }
        Role::Disabled => Value::Bool(facts.disabled),
        Role::SourceText => Value::Text(facts.source.text().to_string()),
        Role::SourceChoice(map) => Value::Choice(source_choice(g, map, facts.source)),
        Role::Mobility(pre, not, mobile) => {
            let age = facts.age();
            let pick = if facts.unborn() {
                None
            } else if facts.disabled && age >= 1.0 && g.chance(0.35) {
                not.or(*mobile)
            } else if age < 0.5 {
                if g.chance(0.9) {
                    pre.or(*mobile)
                } else {
                    mobile.or(*pre)
                }
            } else if age < 1.0 {
                if g.chance(0.4) {
                    pre.or(*mobile)
                } else {
                    mobile.or(*pre)
                }
            } else if age < 2.0 || !opt {
                mobile.or(*not)
            } else {
                // Nobody records that an older child walks.
                None
            };
            pick.map_or_else(|| none(&f.kind), Value::Choice)
        }
        Role::CarerPregnant => Value::Bool(facts.unborn() || g.chance(0.06)),
        Role::ChildPregnant => Value::Bool(facts.child_pregnant),
        Role::Pregnant => {
            // Whose pregnancy is not said: yes only for an unborn baby's
            // mother, or for a young person of 13 or over (her own or her
            // mother's), never on a younger child's record.
            let yes =
                facts.unborn() || facts.child_pregnant || (facts.tenth >= 130 && g.chance(0.015));
            if yes {
                Value::Bool(true)
            } else if opt && g.chance(0.3) {
                Value::Missing
            } else {
                Value::Bool(false)
            }
        }
        Role::DashScore => da.score.map_or_else(|| none(&f.kind), num),
        Role::DashJudgement => da.judgement.map_or_else(|| none(&f.kind), Value::Bool),
        Role::DaIncidents => da.incidents.map_or_else(|| none(&f.kind), num),
        Role::MaracRepeat => da.repeat.map_or_else(|| none(&f.kind), Value::Bool),
        Role::Screening(order) => {
            // Screening tools are for children of 10 and over.
            let rank = if facts.tenth < 100 {
                None
            } else {
                match facts.outside_harm.get() {
                    0 if g.chance(0.03) => Some(0),
                    0 => None,
                    1 => [Some(0), Some(1), Some(1), None][g.below(4) as usize],
                    2 => [Some(1), Some(2), Some(2), None][g.below(4) as usize],
                    _ if facts.cse_high => {
                        [Some(2), Some(3), Some(3), Some(3)][g.below(4) as usize]
                    }
                    _ => [Some(1), Some(2), Some(2), Some(2)][g.below(4) as usize],
                }
            };
            match rank.and_then(|r| order.get(r)) {
                Some(i) => Value::Choice(*i),
                // Not screened: empty, or the mildest option where one is required.
                None if opt => Value::Missing,
                None => order.first().map_or(Value::Missing, |i| Value::Choice(*i)),
            }
        }
        Role::Gcp => match gcp {
            None => none(&f.kind),
            Some(base) => {
                let x = base + [-1.0, 0.0, 0.0, 1.0][g.below(4) as usize];
                num(x.clamp(1.0, 5.0))
            }
        },
        Role::Rereferrals => {
            // Unborn babies have had no referral: the rest carry the rate.
            let p = REREFERRAL_2025 / (100.0 - AGE_BANDS[0].3);
            let n = if facts.unborn() || !g.chance(p) {
                0.0
            } else {
                [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0][g.below(10) as usize]
            };
            match f.kind {
                FieldType::Bool => Value::Bool(n > 0.0),
                _ => num(n),
            }
        }
        Role::PreviousPlan => {
            let yes = facts.tenth >= 5 && g.chance(0.06);
            match f.kind {
                FieldType::Bool => Value::Bool(yes),
                _ => num(if yes { 1.0 } else { 0.0 }),
            }
        }
        Role::SiblingPlan => {
            let yes = g.chance(if facts.family_risk { 0.06 } else { 0.02 });
            match f.kind {
                FieldType::Bool => Value::Bool(yes),
                _ => num(if yes { 1.0 } else { 0.0 }),
            }
        }
        Role::SiblingsRemoved => {
            // Pre-birth referrals often follow an older child's removal,
            // mostly where parents misuse substances or there is domestic abuse.
            let base = if facts.unborn() {
                0.15
            } else if facts.tenth < 20 {
                0.04
            } else {
                0.006
            };
            let p = if facts.family_risk {
                base * 2.0
            } else {
                base * 0.5
            };
            let k = if g.chance(p) {
                [1.0, 1.0, 1.0, 2.0, 2.0, 3.0][g.below(6) as usize]
            } else {
                0.0
            };
            match f.kind {
                FieldType::Bool => Value::Bool(k > 0.0),
                _ => num(k),
            }
        }
        Role::Other => other(g, f),
    }
}

/// A source option in the drawn category: one of the options mapped to it,
/// else one mapped to "other", else the last option.
fn source_choice(g: &mut SplitMix64, map: &[Option<Source>], s: Source) -> u16 {
    let count = |c: Source| map.iter().filter(|m| **m == Some(c)).count();
    let want = if count(s) > 0 {
        Some(s)
    } else if count(Source::Other) > 0 {
        Some(Source::Other)
    } else {
        None
    };
    match want {
        Some(c) => {
            let k = g.below(count(c) as u64) as usize;
            map.iter()
                .enumerate()
                .filter(|(_, m)| **m == Some(c))
                .nth(k)
                .map_or(0, |(i, _)| i as u16)
        }
        None => map.len().saturating_sub(1) as u16,
    }
}

/// A value for a field the generator knows nothing about, by type.
fn other(g: &mut SplitMix64, f: &FieldInfo) -> Value {
    if f.optional && g.chance(0.15) {
        return Value::Missing;
    }
    match &f.kind {
        FieldType::Number(range) => {
            let (lo, hi) = range.unwrap_or((0.0, 10.0));
            let u = g.next_f64();
            let u = u * u * u;
            let whole = lo.fract() == 0.0 && hi.fract() == 0.0;
            Value::Num(if whole {
                (lo + (u * (hi - lo + 1.0)).floor()).min(hi)
            } else {
                ((lo + u * (hi - lo)) * 10.0).round() / 10.0
            })
        }
        FieldType::Bool => Value::Bool(g.chance(0.04)),
        FieldType::Text => Value::Text(format!("note {}", g.below(1000))),
        FieldType::OneOf(opts) => {
            // Earlier choices are usually the milder ones ("none", "low").
            let w: Vec<f64> = (0..opts.len()).map(|i| 0.4f64.powi(i as i32)).collect();
            Value::Choice(g.weighted(&w) as u16)
        }
    }
}

/// The mildest value of a type: the bottom of a range, false, the first choice.
fn lowest(kind: &FieldType) -> Value {
    match kind {
        FieldType::Number(r) => Value::Num(r.map_or(0.0, |r| r.0)),
        FieldType::Bool => Value::Bool(false),
        FieldType::OneOf(_) => Value::Choice(0),
        FieldType::Text => Value::Missing,
    }
}

/// A number kept inside the field's declared range.
fn clamp_to(kind: &FieldType, x: f64) -> f64 {
    match kind {
        FieldType::Number(Some((lo, hi))) => x.max(*lo).min(*hi),
        _ => x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(id: &str, kind: FieldType) -> FieldInfo {
        FieldInfo {
            id: id.into(),
            kind,
            optional: true,
            label: None,
        }
    }

    #[test]
    fn roles_come_from_names_and_types() {
        assert_eq!(Role::of(&field("age", FieldType::Number(None))), Role::Age);
        assert_eq!(
            Role::of(&field("disabled", FieldType::Bool)),
            Role::Disabled
        );
        assert_eq!(
            Role::of(&field("agency", FieldType::Text)),
            Role::SourceText
        );
        assert_eq!(
            Role::of(&field("mother_pregnant", FieldType::Bool)),
            Role::CarerPregnant
        );
        assert_eq!(
            Role::of(&field("pregnant", FieldType::Bool)),
            Role::Pregnant
        );
        assert_eq!(
            Role::of(&field("rereferrals_12m", FieldType::Number(None))),
            Role::Rereferrals
        );
        assert_eq!(
            Role::of(&field("siblings_removed", FieldType::Number(None))),
            Role::SiblingsRemoved
        );
        assert_eq!(
            Role::of(&field("sibling_cp_plan", FieldType::Bool)),
            Role::SiblingPlan
        );
        assert_eq!(
            Role::of(&field("partner_age", FieldType::Number(None))),
            Role::PartnerAge
        );
        assert_eq!(Role::of(&field("unborn", FieldType::Bool)), Role::Unborn);
        assert_eq!(
            Role::of(&field("previous_cp_plan", FieldType::Bool)),
            Role::PreviousPlan
        );
        let cse = FieldType::OneOf(vec!["high".into(), "none".into(), "medium".into()]);
        assert_eq!(
            Role::of(&field("cse_category", cse)),
            Role::Screening(vec![1, 1, 2, 0])
        );
        let low = FieldType::OneOf(vec!["low".into(), "medium".into(), "high".into()]);
        assert_eq!(
            Role::of(&field("cse_risk", low)),
            Role::Screening(vec![0, 0, 1, 2])
        );
    }

    #[test]
    fn a_source_without_its_option_falls_to_other() {
        let map = vec![Some(Source::Police), Some(Source::Other), None];
        let mut g = SplitMix64::new(1);
        assert_eq!(source_choice(&mut g, &map, Source::Police), 0);
        assert_eq!(source_choice(&mut g, &map, Source::Housing), 1);
        assert_eq!(source_choice(&mut g, &[None, None], Source::Housing), 1);
    }
}
