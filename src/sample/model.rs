//! The generative model behind `sample`, built once per rule file: each
//! indicator's age range, DfE factor, weight and referrer leaning, held by
//! plan index (no string lookups per record). A referral is drawn as an age,
//! then factors (each with the probability fitted to its DfE share among the
//! ages it can occur at; domestic abuse makes parental mental ill-health and
//! substance misuse likelier, the "toxic trio"; a child who experiences
//! domestic abuse mostly where it is recorded between the adults; harms outside the home
//! cluster), one or two of each factor's indicators that fit the age, the
//! referral source given the age and the concerns, and whether domestic
//! abuse meets the MARAC criteria. [`Model::new`] fits the free
//! probabilities to the targets on a fixed pre-sample, so the shares hold
//! for any rule file whose indicators can carry them.

use super::profile::{self, Profile};
use super::rng::SplitMix64;
use super::targets::{Factor, Source, AGE_BANDS, FACTORS, MARAC_SHARE_OF_DA, MAX_TENTH, SOURCES};
use crate::bits::Bits;
use crate::plan::{LevelRank, Plan};

/// Number of referral-source categories.
pub const NS: usize = SOURCES.len();
/// Number of DfE factors.
pub const NF: usize = FACTORS.len();
/// Share of referrals with no concern recorded (advice only), per cent.
pub const NO_CONCERN: f64 = 4.0;
/// Largest probability a fitted factor may take at an age.
const P_MAX: f64 = 0.97;
/// Referrals in the pre-sample the model is fitted on, and fitting rounds.
const FIT_N: usize = 24_000;
const FIT_ROUNDS: usize = 5;
/// Seed of the pre-sample (fixed: the fit is part of the model, not the run).
const FIT_SEED: u64 = 0x0F17_2025_C1C3_0005;

/// Why a referral meets the MARAC criteria (SafeLives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marac {
    /// 14 or more ticks on the DASH checklist.
    VisibleHighRisk,
    /// Three or more incidents in 12 months.
    Escalation,
    /// The practitioner's judgement.
    Judgement,
    /// A new incident within 12 months of a MARAC referral.
    Repeat,
}

/// The child's sex as recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Not known (most unborn babies).
    #[default]
    Unknown,
}

/// How domestic abuse on a record bears on the DASH and MARAC fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum DaScreen {
    /// Not household domestic abuse (or none): no DASH.
    None,
    /// Past abuse only: no incident this year.
    Historic,
    /// Current domestic abuse between adults in the household.
    Current,
}

/// What the generator decided about a referral besides its indicators.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// Age in tenths of a year; 0 is an unborn baby.
    pub tenth: u16,
    /// The child's sex.
    pub sex: Sex,
    /// Who referred.
    pub source: Source,
    /// Household domestic abuse is recorded (past or current).
    pub da: bool,
    /// Household domestic abuse is current (not only historic).
    pub da_current: bool,
    /// The MARAC criteria are met, and on which ground.
    pub marac: Option<Marac>,
    /// The child has a disability indicator.
    pub disabled: bool,
    /// Highest level rank among harm-outside-the-home indicators (the
    /// lowest rank when there are none: a present indicator counts as rank
    /// 1 at least).
    pub outside_harm: LevelRank,
    /// Highest level rank among neglect indicators (the lowest rank when
    /// there are none, as for `outside_harm`).
    pub neglect: LevelRank,
    /// The child's own pregnancy is recorded.
    pub child_pregnant: bool,
    /// The child has marked developmental delay.
    pub delay: bool,
    /// An indicator about the child's sexual activity, pregnancy or relationship.
    pub partner: bool,
    /// A high-risk sexual exploitation sign (the screening may say "high").
    pub cse_high: bool,
    /// Parental substance misuse or domestic abuse (removals are likelier).
    pub family_risk: bool,
}

impl Facts {
    /// Age in years.
    pub fn age(&self) -> f64 {
        f64::from(self.tenth) / 10.0
    }

    /// An unborn baby.
    pub fn unborn(&self) -> bool {
        self.tenth == 0
    }

    /// The index of the age band in [`AGE_BANDS`].
    pub fn band(&self) -> usize {
        band_of(self.tenth)
    }
}

/// The age band of an age tenth.
pub fn band_of(tenth: u16) -> usize {
    AGE_BANDS
        .iter()
        .position(|b| (b.1..=b.2).contains(&tenth))
        .unwrap_or(AGE_BANDS.len() - 1)
}

/// A factor as the model draws it.
#[derive(Clone, Debug)]
struct FactorDraw {
    factor: Factor,
    /// Its indicators (plan indices).
    inds: Vec<usize>,
    /// Youngest and oldest tenth at which any of them occurs.
    span: (u16, u16),
    /// Probability at an age where it can occur (fitted).
    p: f64,
    /// The share it must reach among referrals with a concern (fraction).
    target: f64,
    /// Toxic-trio member (parental mental health or substance misuse).
    trio: bool,
    /// Harm outside the home (CSE, criminal exploitation, gangs, missing, trafficking).
    outside: bool,
}

/// The model of one rule file.
#[derive(Clone, Debug)]
pub struct Model {
    ind_factor: Vec<Factor>,
    ind_span: Vec<(u16, u16)>,
    ind_weight: Vec<f64>,
    ind_level: Vec<LevelRank>,
    ind_lean: Vec<[f64; NS]>,
    ind_marac_weight: Vec<f64>,
    ind_pregnancy: Vec<bool>,
    ind_delay: Vec<bool>,
    ind_female: Vec<bool>,
    ind_da: Vec<DaScreen>,
    ind_partner: Vec<bool>,
    ind_cse_high: Vec<bool>,
    /// Indicators of past domestic abuse only, and a mask of current ones.
    da_historic: Vec<usize>,
    da_current: Bits,
    /// Named factors in drawing order (domestic abuse first).
    factors: Vec<FactorDraw>,
    /// Indicators of the "Other" factor.
    other: Vec<usize>,
    other_target: f64,
    /// Chance of an "Other" concern where no named factor was drawn, and
    /// where one was.
    fill_q: f64,
    fill_r: f64,
    /// Cumulative weights of the age tenths.
    age_cum: Vec<f64>,
    age_lean: Vec<[f64; NS]>,
    source_base: [f64; NS],
    marac_scale: f64,
    /// Per factor: the plan's indicators with it (for calibration and checks).
    pub factor_masks: Vec<Bits>,
    /// Whether the plan has any child-disability indicator.
    pub has_disability: bool,
}

impl Model {
    /// Builds and fits the model for a plan.
    pub fn new(plan: &Plan) -> Self {
        let n = plan.decl.indicators.len();
        let mut m = Model {
            ind_factor: Vec::with_capacity(n),
            ind_span: Vec::with_capacity(n),
            ind_weight: Vec::with_capacity(n),
            ind_level: Vec::with_capacity(n),
            ind_lean: Vec::with_capacity(n),
            ind_marac_weight: Vec::with_capacity(n),
            ind_pregnancy: Vec::with_capacity(n),
            ind_delay: Vec::with_capacity(n),
            ind_female: Vec::with_capacity(n),
            ind_da: Vec::with_capacity(n),
            ind_partner: Vec::with_capacity(n),
            ind_cse_high: Vec::with_capacity(n),
            da_historic: Vec::new(),
            da_current: Bits::with_capacity(n),
            factors: Vec::new(),
            other: Vec::new(),
            other_target: Factor::Other.share() / 100.0,
            fill_q: 0.0,
            fill_r: 0.0,
            age_cum: Vec::new(),
            age_lean: Vec::new(),
            source_base: [0.0; NS],
            marac_scale: 0.0,
            factor_masks: (0..NF).map(|_| Bits::with_capacity(n)).collect(),
            has_disability: false,
        };
        for (b, ind) in plan.decl.indicators.iter().enumerate() {
            let prof: Profile = profile::of(plan, ind);
            let weight = if prof.share > 0.0 {
                prof.share
            } else {
                // Lower-level indicators are more common than higher ones.
                2.0 * 0.55f64.powi(i32::from(ind.level.below().map_or(0, LevelRank::get)))
            };
            let mut lean = [1.0; NS];
            for (s, x) in profile::factor_lean(prof.factor).iter().chain(prof.lean) {
                lean[s.index()] *= x;
            }
            let span = (tenth_of(prof.ages.0), tenth_of(prof.ages.1));
            let id = ind.id.to_ascii_lowercase();
            let da = if !prof.factor.is_domestic_abuse()
                || id.contains("relationship")
                || id.contains("teen")
            {
                DaScreen::None
            } else if id.contains("historic") || id.contains("past") {
                DaScreen::Historic
            } else {
                DaScreen::Current
            };
            let marac_weight = if da == DaScreen::Current {
                // More serious domestic abuse is likelier to be high risk;
                // strangulation, threats to kill or a weapon most of all.
                let harm = if id.contains("high_harm") { 4.0 } else { 1.0 };
                harm * 2f64.powi(i32::from(ind.level.get()))
            } else {
                0.0
            };
            m.ind_factor.push(prof.factor);
            m.ind_span.push(span);
            m.ind_weight.push(weight);
            m.ind_level.push(ind.level);
            m.ind_lean.push(lean);
            m.ind_marac_weight.push(marac_weight);
            m.ind_pregnancy
                .push(id.contains("pregnan") && span.0 >= tenth_of(10.0));
            m.ind_delay
                .push(id.contains("delay") || id.contains("milestones_significant"));
            m.ind_female.push(prof.female);
            m.ind_da.push(da);
            match da {
                DaScreen::Historic => m.da_historic.push(b),
                DaScreen::Current => m.da_current.insert(b),
                DaScreen::None => {}
            }
            m.ind_partner.push(
                id.contains("sexual_activity")
                    || (id.contains("pregnan") && prof.female)
                    || id.contains("relationship_abuse"),
            );
            m.ind_cse_high.push(
                prof.factor == Factor::Trafficking
                    || (id.contains("cse") && id.contains("high"))
                    || id.contains("online_sexual"),
            );
            m.factor_masks[prof.factor.index()].insert(b);
            if prof.factor.is_child_disability() {
                m.has_disability = true;
            }
        }
        // Factors with indicators, domestic abuse first so the trio can follow it.
        let mut order: Vec<Factor> = Factor::all().filter(|f| *f != Factor::Other).collect();
        order.sort_by_key(|f| match f {
            Factor::DomesticAbuseParent => 0,
            f if f.is_domestic_abuse() => 1,
            _ => 2,
        });
        for f in order {
            let inds: Vec<usize> = (0..n).filter(|b| m.ind_factor[*b] == f).collect();
            if inds.is_empty() {
                continue;
            }
            let span = inds.iter().fold((MAX_TENTH, 0), |(lo, hi), b| {
                (lo.min(m.ind_span[*b].0), hi.max(m.ind_span[*b].1))
            });
            m.factors.push(FactorDraw {
                factor: f,
                inds,
                span,
                p: 0.0,
                target: f.share() / 100.0,
                trio: matches!(
                    f,
                    Factor::MentalHealthParent | Factor::AlcoholParent | Factor::DrugParent
                ),
                outside: matches!(
                    f,
                    Factor::Cse
                        | Factor::CriminalExploitation
                        | Factor::Gangs
                        | Factor::GoingMissing
                        | Factor::Trafficking
                ),
            });
        }
        m.other = (0..n)
            .filter(|b| m.ind_factor[*b] == Factor::Other)
            .collect();
        // Ages: uniform tenths within each band.
        let mut acc = 0.0;
        for t in 0..=MAX_TENTH {
            let b = AGE_BANDS[band_of(t)];
            acc += b.3 / f64::from(b.2 - b.1 + 1);
            m.age_cum.push(acc);
        }
        m.age_lean = AGE_BANDS.iter().map(|b| age_lean(b.1)).collect();
        m.source_base = SOURCES.map(|s| s.3);
        m.fit();
        m
    }

    /// The factor of an indicator.
    pub fn factor_of(&self, b: usize) -> Option<Factor> {
        self.ind_factor.get(b).copied()
    }

    /// The youngest and oldest age tenth at which an indicator occurs.
    pub fn span_of(&self, b: usize) -> Option<(u16, u16)> {
        self.ind_span.get(b).copied()
    }

    /// Share of ages (by the target mix) at which a tenth span occurs.
    fn eligible_share(&self, span: (u16, u16)) -> f64 {
        let total = self.age_cum.last().copied().unwrap_or(1.0);
        let hi = self.age_cum.get(span.1 as usize).copied().unwrap_or(total);
        let lo = if span.0 == 0 {
            0.0
        } else {
            self.age_cum
                .get(span.0 as usize - 1)
                .copied()
                .unwrap_or(0.0)
        };
        ((hi - lo) / total).max(1e-9)
    }

    /// Fits factor probabilities, the "Other" filler, the source base
    /// weights and the MARAC scale on a fixed pre-sample.
    fn fit(&mut self) {
        let keep = 1.0 - NO_CONCERN / 100.0;
        for i in 0..self.factors.len() {
            let f = &self.factors[i];
            let p = f.target * keep / self.eligible_share(f.span);
            self.factors[i].p = p.min(P_MAX);
        }
        self.marac_scale = 0.0;
        let mut bits = Bits::with_capacity(self.ind_factor.len());
        // (age tenth, referrer leaning, MARAC weight, domestic abuse recorded)
        let mut contexts: Vec<(u16, [f64; NS], f64, bool)> = Vec::with_capacity(FIT_N);
        for round in 0..=FIT_ROUNDS {
            let mut g = SplitMix64::new(FIT_SEED);
            let mut counts = vec![0usize; self.factors.len()];
            let (mut none, mut with) = (0usize, 0usize);
            contexts.clear();
            for _ in 0..FIT_N {
                bits.clear();
                let tenth = self.draw_age(&mut g);
                let sex = draw_sex(&mut g, tenth);
                let named = self.draw_factors(&mut g, tenth, sex, &mut bits);
                if !named {
                    none += 1;
                }
                let o = self.draw_other(&mut g, tenth, sex, named, &mut bits);
                if named || o {
                    with += 1;
                }
                for (i, f) in self.factors.iter().enumerate() {
                    if f.inds.iter().any(|b| bits.contains(*b)) {
                        counts[i] += 1;
                    }
                }
                let marac_w = bits
                    .iter()
                    .map(|b| self.ind_marac_weight[b])
                    .fold(0.0, f64::max);
                let da = bits.iter().any(|b| self.ind_da[b] > DaScreen::None);
                contexts.push((tenth, self.record_lean(&bits), marac_w, da));
            }
            if round == FIT_ROUNDS {
                break;
            }
            let with = with.max(1) as f64;
            for (i, c) in counts.iter().enumerate() {
                let got = *c as f64 / with;
                let f = &mut self.factors[i];
                if got > 0.0 {
                    f.p = (f.p * f.target / got).min(P_MAX);
                }
            }
            // The filler: referrals with no named factor get an "Other"
            // concern, except NO_CONCERN of all; others get one at the
            // rate that brings "Other" to its share.
            let p0 = none as f64 / FIT_N as f64;
            let e = NO_CONCERN / 100.0;
            if !self.other.is_empty() {
                self.fill_q = if p0 > e { 1.0 - e / p0 } else { 0.0 };
                let d = 1.0 - p0 * (1.0 - self.fill_q);
                let r = (self.other_target * d - self.fill_q * p0) / (1.0 - p0).max(1e-9);
                self.fill_r = r.clamp(0.0, P_MAX);
            }
        }
        // Referral sources: rake the base weights so the national shares
        // hold over the pre-sample's ages and concerns.
        for _ in 0..40 {
            let mut got = [0.0; NS];
            for (tenth, lean, _, _) in &contexts {
                let w = self.source_weights(*tenth, lean);
                let total: f64 = w.iter().sum();
                for s in 0..NS {
                    got[s] += w[s] / total;
                }
            }
            for s in 0..NS {
                let share = got[s] / contexts.len() as f64 * 100.0;
                if share > 0.0 {
                    self.source_base[s] *= SOURCES[s].3 / share;
                }
            }
        }
        // MARAC: the scale that makes MARAC_SHARE_OF_DA of the domestic
        // abuse referrals meet the criteria (capped per referral at 0.9).
        let da: Vec<f64> = contexts.iter().map(|c| c.2).filter(|w| *w > 0.0).collect();
        let n_da = contexts.iter().filter(|c| c.3).count().max(1);
        let want = MARAC_SHARE_OF_DA / 100.0 * n_da as f64;
        let mut scale = 0.1;
        for _ in 0..30 {
            let got: f64 = da.iter().map(|w| (scale * w).min(0.9)).sum();
            if got <= 0.0 {
                break;
            }
            scale *= want / got;
        }
        self.marac_scale = scale;
    }

    /// Draws an age tenth.
    pub fn draw_age(&self, g: &mut SplitMix64) -> u16 {
        let total = self.age_cum.last().copied().unwrap_or(1.0);
        let x = g.next_f64() * total;
        let i = self.age_cum.partition_point(|c| *c <= x);
        (i as u16).min(MAX_TENTH)
    }

    /// Draws the named factors and their indicators at an age; true when any was drawn.
    fn draw_factors(&self, g: &mut SplitMix64, tenth: u16, sex: Sex, bits: &mut Bits) -> bool {
        let mut da = false;
        let mut outside = false;
        let mut any = false;
        for f in &self.factors {
            if tenth < f.span.0 || tenth > f.span.1 {
                continue;
            }
            let mut p = f.p;
            if f.factor == Factor::Unaccompanied {
                // Most unaccompanied asylum-seeking children are boys.
                p *= if sex == Sex::Male { 1.7 } else { 0.25 };
            } else if f.factor == Factor::DomesticAbuseChild {
                // A child who experiences domestic abuse is almost always in
                // a household where it is recorded between the adults.
                p *= if da { 4.0 } else { 0.1 };
            } else if f.trio {
                p *= if da { 1.9 } else { 0.8 };
            } else if f.outside && outside {
                p *= 5.0;
            }
            if !g.chance(p.min(P_MAX)) {
                continue;
            }
            if self.pick(g, &f.inds, tenth, sex, bits) {
                any = true;
                da |= f.factor.is_domestic_abuse();
                outside |= f.outside;
                if g.chance(0.2) {
                    self.pick(g, &f.inds, tenth, sex, bits);
                }
            }
        }
        if da && bits.intersects(&self.da_current) {
            // Past domestic abuse only, or current: never both.
            for b in &self.da_historic {
                bits.remove(*b);
            }
        }
        any
    }

    /// Draws an "Other" concern: as the only concern (with chance `fill_q`)
    /// or beside named ones (`fill_r`). True when one was drawn.
    fn draw_other(
        &self,
        g: &mut SplitMix64,
        tenth: u16,
        sex: Sex,
        named: bool,
        bits: &mut Bits,
    ) -> bool {
        if self.other.is_empty() {
            return false;
        }
        let p = if named { self.fill_r } else { self.fill_q };
        if !g.chance(p) {
            return false;
        }
        let got = self.pick(g, &self.other, tenth, sex, bits);
        if got && g.chance(0.15) {
            self.pick(g, &self.other, tenth, sex, bits);
        }
        got
    }

    /// Adds one of `inds` that can occur at the age and sex, by weight.
    /// False when none can.
    fn pick(
        &self,
        g: &mut SplitMix64,
        inds: &[usize],
        tenth: u16,
        sex: Sex,
        bits: &mut Bits,
    ) -> bool {
        let fits = |b: &usize| {
            let (lo, hi) = self.ind_span[*b];
            (lo..=hi).contains(&tenth) && (sex == Sex::Female || !self.ind_female[*b])
        };
        let total: f64 = inds
            .iter()
            .filter(|b| fits(b))
            .map(|b| self.ind_weight[*b])
            .sum();
        if total <= 0.0 {
            return false;
        }
        let mut x = g.next_f64() * total;
        let mut last = None;
        for b in inds.iter().filter(|b| fits(b)) {
            last = Some(*b);
            let w = self.ind_weight[*b];
            if x < w {
                break;
            }
            x -= w;
        }
        if let Some(b) = last {
            bits.insert(b);
        }
        last.is_some()
    }

    /// How the record's concerns lean the referrer: each indicator's
    /// leaning, damped (a power of 0.6) so that several concerns combine
    /// without one swamping the rest.
    fn record_lean(&self, bits: &Bits) -> [f64; NS] {
        let mut lean = [1.0; NS];
        for b in bits.iter() {
            for (s, x) in lean.iter_mut().enumerate() {
                *x *= self.ind_lean[b][s];
            }
        }
        lean.map(|x| x.powf(0.6))
    }

    /// Unnormalised referral-source weights for an age and the record's leaning.
    fn source_weights(&self, tenth: u16, lean: &[f64; NS]) -> [f64; NS] {
        let age = &self.age_lean[band_of(tenth)];
        let mut w = [0.0; NS];
        for s in 0..NS {
            w[s] = self.source_base[s] * age[s] * lean[s];
        }
        w
    }

    /// Draws a referral: its age, indicators (into `bits`, which the caller
    /// cleared), referral source and domestic-abuse facts.
    pub fn draw(&self, g: &mut SplitMix64, bits: &mut Bits) -> Facts {
        let tenth = self.draw_age(g);
        let sex = draw_sex(g, tenth);
        let named = self.draw_factors(g, tenth, sex, bits);
        self.draw_other(g, tenth, sex, named, bits);
        let w = self.source_weights(tenth, &self.record_lean(bits));
        let source = SOURCES[g.weighted(&w)].0;
        let mut facts = Facts {
            tenth,
            sex,
            source,
            da: false,
            da_current: false,
            marac: None,
            disabled: false,
            outside_harm: LevelRank::LOWEST,
            neglect: LevelRank::LOWEST,
            child_pregnant: false,
            delay: false,
            partner: false,
            cse_high: false,
            family_risk: false,
        };
        let mut marac_w: f64 = 0.0;
        for b in bits.iter() {
            let f = self.ind_factor[b];
            // Rank 1 at least: the lowest rank means "none" in the facts.
            let level = self.ind_level[b].max(LevelRank::new(1));
            if self.ind_da[b] > DaScreen::None {
                facts.da = true;
                facts.da_current |= self.ind_da[b] == DaScreen::Current;
                marac_w = marac_w.max(self.ind_marac_weight[b]);
            }
            facts.family_risk |=
                f.is_domestic_abuse() || matches!(f, Factor::AlcoholParent | Factor::DrugParent);
            facts.partner |= self.ind_partner[b];
            facts.cse_high |= self.ind_cse_high[b];
            facts.disabled |= f.is_child_disability();
            if matches!(
                f,
                Factor::Cse
                    | Factor::CriminalExploitation
                    | Factor::Gangs
                    | Factor::GoingMissing
                    | Factor::Trafficking
            ) {
                facts.outside_harm = facts.outside_harm.max(level);
            }
            if f == Factor::Neglect {
                facts.neglect = facts.neglect.max(level);
            }
            facts.child_pregnant |= self.ind_pregnancy[b];
            facts.delay |= self.ind_delay[b];
        }
        if marac_w > 0.0 && g.chance((self.marac_scale * marac_w).min(0.9)) {
            facts.marac = Some(match g.below(20) {
                0..=10 => Marac::VisibleHighRisk,
                11..=14 => Marac::Escalation,
                15..=17 => Marac::Judgement,
                _ => Marac::Repeat,
            });
        }
        facts
    }
}

/// The child's sex: about half girls, a few not known (most unborn babies).
fn draw_sex(g: &mut SplitMix64, tenth: u16) -> Sex {
    let u = g.next_f64();
    if tenth == 0 {
        if u < 0.8 {
            Sex::Unknown
        } else if u < 0.9 {
            Sex::Female
        } else {
            Sex::Male
        }
    } else if u < 0.485 {
        Sex::Female
    } else if u < 0.99 {
        Sex::Male
    } else {
        Sex::Unknown
    }
}

/// An age in years as a tenth (0 unborn, 179 at most).
fn tenth_of(age: f64) -> u16 {
    ((age * 10.0).round().clamp(0.0, f64::from(MAX_TENTH))) as u16
}

/// Referrers by age: midwives and health visitors for unborn babies and
/// infants, nurseries (education services) for under-5s, schools only from
/// 3 (nursery classes) and mostly from 5, police and colleges for 16-17s.
fn age_lean(first_tenth: u16) -> [f64; NS] {
    let mut w = [1.0; NS];
    let mut set = |s: Source, x: f64| w[s.index()] = x;
    match first_tenth {
        0 => {
            set(Source::Health, 8.0);
            set(Source::School, 0.0);
            set(Source::EducationServices, 0.0);
            set(Source::Police, 0.6);
        }
        1..=9 => {
            set(Source::Health, 6.0);
            set(Source::School, 0.0);
            set(Source::EducationServices, 0.3);
        }
        10..=49 => {
            set(Source::Health, 1.8);
            set(Source::School, 0.0);
            set(Source::EducationServices, 2.0);
        }
        50..=99 => set(Source::School, 1.4),
        100..=159 => set(Source::School, 1.3),
        _ => {
            set(Source::School, 0.8);
            set(Source::Police, 1.3);
            set(Source::EducationServices, 1.5);
        }
    }
    w
}
