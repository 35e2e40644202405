//! The generative model behind `sample`: which themes a referral carries
//! (calibrated shares, with domestic abuse, parental mental health and
//! substance misuse clustering), which indicators show them, and a value for
//! each declared field by its name and type.
//!
//! Theme shares: factors at the end of assessment, children in need 2016
//! (domestic violence 49.6%, mental health 36.6%, drug or alcohol misuse
//! about 19% each, emotional abuse 19.3%, neglect 17.5%, physical abuse 14%,
//! sexual abuse 6.4%, CSE 3.9%, going missing 2.7%, gangs 1.2%), scaled by
//! 0.5 because a referral sample is less needy than children assessed.
//! Referral sources: DfE children in need census 2020 (police 28.7%,
//! schools 18.2%, health 15.0%, LA services 14.1%, individual 8.1%, ...).

use super::rng::SplitMix64;
use super::{value_cell, Cell};
use crate::plan::{FieldInfo, FieldKind, Plan, Record, Value};

/// Referral sources and their national shares (per cent).
pub(super) const SOURCES: [(&str, f64); 11] = [
    ("police", 28.7),
    ("school", 18.2),
    ("health", 15.0),
    ("local_authority", 14.1),
    ("individual", 8.1),
    ("other", 4.9),
    ("other_legal_agency", 3.9),
    ("education_services", 2.1),
    ("anonymous", 2.1),
    ("unknown", 1.4),
    ("housing", 1.3),
];

/// The calibrated share of referrals showing a theme, by its id.
pub(super) fn theme_share(id: &str) -> f64 {
    let has = |w: &[&str]| w.iter().any(|x| id.contains(x));
    0.5 * if has(&["dv", "domestic"]) {
        0.496
    } else if has(&["mental", "mh"]) {
        0.366
    } else if has(&["substance", "alcohol", "drug"]) {
        0.25
    } else if has(&["emotional"]) {
        0.193
    } else if has(&["neglect"]) {
        0.175
    } else if has(&["physical"]) {
        0.14
    } else if has(&["cse"]) {
        0.039
    } else if has(&["sexual"]) {
        0.064
    } else if has(&["missing"]) {
        0.027
    } else if has(&["exploit", "gang"]) {
        0.03
    } else if has(&["disab"]) {
        0.10
    } else {
        0.06
    }
}

/// A theme's index, its share, and its indicators with their weights.
type ThemeDraw = (usize, f64, Vec<(usize, f64)>);

/// What the model knows about a rule file.
pub(super) struct Model {
    /// (theme index, share, its indicators with weights).
    themes: Vec<ThemeDraw>,
    /// Indicators with no theme, with their chance.
    loose: Vec<(usize, f64)>,
    dv: Option<usize>,
    trio: Vec<usize>,
    cse: Option<usize>,
    neglect: Option<usize>,
}

/// Lower-level indicators are more common than higher ones.
fn level_weight(rank: u8) -> f64 {
    0.55f64.powi(i32::from(rank.saturating_sub(1)))
}

impl Model {
    /// Reads the themes and indicators of a plan.
    pub(super) fn new(plan: &Plan) -> Self {
        let mut themes = Vec::new();
        for (ti, t) in plan.themes.iter().enumerate() {
            let inds: Vec<(usize, f64)> = plan
                .indicators
                .iter()
                .enumerate()
                .filter(|(_, i)| i.themes.contains(&(ti as u16)))
                .map(|(b, i)| (b, level_weight(i.level)))
                .collect();
            if !inds.is_empty() {
                themes.push((ti, theme_share(&t.id), inds));
            }
        }
        let loose = plan
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, i)| i.themes.is_empty())
            .map(|(b, i)| (b, level_weight(i.level)))
            .collect::<Vec<_>>();
        // About 0.6 indicators without a theme per referral, in all.
        let total: f64 = loose
            .iter()
            .map(|x: &(usize, f64)| x.1)
            .sum::<f64>()
            .max(1.0);
        let loose = loose
            .into_iter()
            .map(|(b, w)| (b, 0.6 * w / total))
            .collect();
        let find = |w: &[&str]| {
            plan.themes
                .iter()
                .position(|t| w.iter().any(|x| t.id.contains(x)))
        };
        let dv = find(&["dv", "domestic"]);
        let trio = [
            find(&["mental", "mh"]),
            find(&["substance", "alcohol", "drug"]),
        ]
        .into_iter()
        .flatten()
        .collect();
        Model {
            themes,
            loose,
            dv,
            trio,
            cse: find(&["cse"]),
            neglect: find(&["neglect"]),
        }
    }

    /// Draws the record's indicators.
    pub(super) fn indicators(&self, g: &mut SplitMix64, rec: &mut Record) {
        let dv_present = self.dv.is_some() && {
            let share = self
                .themes
                .iter()
                .find(|t| Some(t.0) == self.dv)
                .map_or(0.0, |t| t.1);
            g.chance(share)
        };
        for (ti, share, inds) in &self.themes {
            let p = if Some(*ti) == self.dv {
                if dv_present {
                    1.0
                } else {
                    0.0
                }
            } else if self.trio.contains(ti) {
                // Domestic abuse, parental mental health and substance misuse
                // cluster ("toxic trio").
                if dv_present {
                    (share * 1.7).min(0.9)
                } else {
                    share * 0.75
                }
            } else {
                *share
            };
            if g.chance(p) {
                let weights: Vec<f64> = inds.iter().map(|x| x.1).collect();
                rec.indicators.insert(inds[g.weighted(&weights)].0);
                if inds.len() > 1 && g.chance(0.2) {
                    rec.indicators.insert(inds[g.weighted(&weights)].0);
                }
            }
        }
        for (b, p) in &self.loose {
            if g.chance(*p) {
                rec.indicators.insert(*b);
            }
        }
    }

    fn theme_present(&self, plan_theme: Option<usize>, rec: &Record, plan: &Plan) -> bool {
        plan_theme
            .and_then(|t| plan.theme_masks.get(t))
            .is_some_and(|m| rec.indicators.intersects(m))
    }

    /// A value for one field, and its cell.
    pub(super) fn field(
        &self,
        g: &mut SplitMix64,
        slot: usize,
        f: &FieldInfo,
        rec: &Record,
        plan: &Plan,
    ) -> (Value, Cell) {
        let name = f.id.as_str();
        let dv = self.theme_present(self.dv, rec, plan);
        let has = |w: &[&str]| w.iter().any(|x| name.contains(x));
        // Screening-tool fields go with their theme: a DASH score where
        // there is domestic abuse, a Graded Care Profile where there is neglect.
        let linked = if has(&["dash", "da_", "marac", "domestic"]) {
            Some(dv)
        } else if has(&["gcp", "graded", "neglect"]) {
            Some(self.theme_present(self.neglect, rec, plan))
        } else if has(&["cse", "exploit"]) {
            Some(self.theme_present(self.cse, rec, plan))
        } else {
            None
        };
        let v = if linked == Some(false) && (f.optional || !matches!(f.kind, FieldKind::Text)) {
            if f.optional && g.chance(0.9) {
                Value::Missing
            } else {
                lowest(&f.kind)
            }
        } else if has(&["mobil"]) {
            if let FieldKind::OneOf(opts) = &f.kind {
                let baby = plan
                    .field_slot("age")
                    .and_then(|s| rec.values.get(s as usize))
                    .is_some_and(|v| matches!(v, Value::Num(a) if *a < 1.0));
                let i = if baby && g.chance(0.85) {
                    0
                } else {
                    opts.len().saturating_sub(1)
                };
                Value::Choice(i as u16)
            } else {
                Value::Missing
            }
        } else if f.optional && !name.contains("dash") && g.chance(0.15) {
            Value::Missing
        } else if linked == Some(true) && matches!(f.kind, FieldKind::Bool) {
            Value::Bool(g.chance(0.2))
        } else if linked == Some(true) && name.contains("gcp") {
            let (lo, hi) = match f.kind {
                FieldKind::Number(Some(r)) => r,
                _ => (1.0, 5.0),
            };
            Value::Num((lo + 1.0 + g.below(3) as f64).min(hi))
        } else if linked == Some(true) && has(&["incident"]) {
            Value::Num(1.0 + g.below(4) as f64)
        } else {
            match &f.kind {
                FieldKind::Number(range) => number(g, name, *range, dv, f.optional),
                FieldKind::Bool => {
                    Value::Bool(g.chance(if name.contains("disab") { 0.08 } else { 0.04 }))
                }
                FieldKind::Text if is_source(name) => {
                    let w: Vec<f64> = SOURCES.iter().map(|s| s.1).collect();
                    Value::Text(SOURCES[g.weighted(&w)].0.to_string())
                }
                FieldKind::Text => Value::Text(format!("note {}", g.below(1000))),
                FieldKind::OneOf(opts) => {
                    let cse = name.contains("cse") && self.theme_present(self.cse, rec, plan);
                    Value::Choice(choice(g, name, opts, cse) as u16)
                }
            }
        };
        let cell = value_cell(plan, slot, &v);
        (v, cell)
    }
}

/// The mildest value of a type: the bottom of a range, false, the first choice.
fn lowest(kind: &FieldKind) -> Value {
    match kind {
        FieldKind::Number(r) => Value::Num(r.map_or(0.0, |r| r.0)),
        FieldKind::Bool => Value::Bool(false),
        FieldKind::OneOf(_) => Value::Choice(0),
        FieldKind::Text => Value::Missing,
    }
}

fn is_source(name: &str) -> bool {
    name.contains("agency") || name.contains("source")
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn number(
    g: &mut SplitMix64,
    name: &str,
    range: Option<(f64, f64)>,
    dv: bool,
    optional: bool,
) -> Value {
    let is_age = name == "age" || name.ends_with("_age") || name.starts_with("age_");
    let (lo, hi) = range.unwrap_or(if is_age { (0.0, 17.9) } else { (0.0, 10.0) });
    let clamp = |x: f64| x.max(lo).min(hi);
    if is_age {
        let a = if g.chance(0.15) {
            round1(g.next_f64() * 0.9)
        } else {
            round1(1.0 + g.next_f64() * 16.9)
        };
        return Value::Num(clamp(a));
    }
    if name.contains("dash") {
        if !dv && optional && g.chance(0.85) {
            return Value::Missing;
        }
        let hi_n = range.map_or(24.0, |r| r.1).clamp(1.0, 100.0) as u32;
        let p = if dv { 0.35 } else { 0.1 };
        let n = (0..hi_n).filter(|_| g.chance(p)).count() as f64;
        return Value::Num(clamp(n));
    }
    let u = g.next_f64();
    let whole = lo.fract() == 0.0 && hi.fract() == 0.0;
    let u = u * u * u;
    Value::Num(if whole {
        clamp((lo + (u * (hi - lo + 1.0)).floor()).min(hi))
    } else {
        clamp(round1(lo + u * (hi - lo)))
    })
}

fn choice(g: &mut SplitMix64, name: &str, opts: &[String], raised: bool) -> usize {
    if is_source(name) {
        let w: Vec<f64> = opts
            .iter()
            .map(|o| {
                SOURCES
                    .iter()
                    .find(|s| o.to_lowercase().contains(s.0) || s.0.contains(&o.to_lowercase()))
                    .map_or(1.0, |s| s.1)
            })
            .collect();
        return g.weighted(&w);
    }
    // Earlier choices are usually the milder ones ("none", "low"); a theme
    // on the record tilts the draw towards the later ones.
    let w: Vec<f64> = (0..opts.len())
        .map(|i| {
            let i = i as i32;
            if raised {
                0.6f64.powi(opts.len() as i32 - 1 - i)
            } else {
                0.4f64.powi(i)
            }
        })
        .collect();
    g.weighted(&w)
}
