//! Synthetic referrals for any rule file (`thresholds sample`), coherent
//! and calibrated: an age from the national age mix; indicators drawn
//! conditional on age (no exclusion or exploitation for a toddler, no school
//! absence before school age, sexual activity only at 13-15) with each DfE
//! assessment factor at its national share; the referral source conditional
//! on the age and the concerns (police with domestic abuse, health with
//! infants, schools with school-age children) in the national shares;
//! screening fields coherent with each other and with the indicators (DASH
//! only where there is domestic abuse, MARAC criteria met in about 8.5% of
//! it, CSE screening only from 10); `disabled` exactly when a disability
//! indicator is present; history fields at plausible rates; and a
//! `decision` from a simulated front door that agrees with the rules with a
//! chosen probability (one level off more often than two). For audits,
//! each referral also has a `referral_date` (April 2025 to March 2026), its
//! calendar `quarter` (`2025-Q2`) and, for about half the disagreements and
//! some agreements, a recorded `rationale` in plain English (never personal
//! data), from a second stream of the seed. Deterministic: the same seed
//! gives the same file on every machine.
//!
//! [`Generator`] hands out each referral ([`Referral`]: the record the
//! rules read, the generator's facts about it and its cells) for writers
//! such as the CSV/Excel/JSON ones in `cli::sample`; [`generate`] streams
//! the cells. The per-indicator profiles are in [`profile`], the national
//! targets in [`targets`], the fitted model in [`model`], and
//! `--calibration` in [`calibration`].

pub mod calibration;
pub mod cin;
pub mod coherence;
mod fields;
pub mod model;
pub mod profile;
pub mod rng;
pub mod targets;

use crate::ast::Item;
use crate::plan::{LevelRank, Plan, Record, Value};
pub use fields::Role;
pub use model::{Facts, Model};
pub use rng::SplitMix64;

/// How to generate.
#[derive(Clone, Debug)]
pub struct SampleOptions {
    /// Number of referrals.
    pub n: u64,
    /// The seed.
    pub seed: u64,
    /// Probability that the recorded decision agrees with the rules.
    pub agreement: f64,
}

/// One generated cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Num(f64),
    /// Empty.
    Empty,
}

impl Cell {
    /// The cell as CSV text.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(n) => crate::text::format_number(*n),
            Cell::Empty => String::new(),
        }
    }
}

/// The audit columns written after `decision`, unless the rule file
/// declares a field of that name (the field's own value is written then).
pub const AUDIT_COLUMNS: [&str; 3] = ["referral_date", "quarter", "rationale"];

/// The columns: `id`, each field, `indicators`, `decision`, then those of
/// [`AUDIT_COLUMNS`] that are not fields.
pub fn columns(plan: &Plan) -> Vec<String> {
    let mut c = vec!["id".to_string()];
    c.extend(plan.decl.fields.iter().map(|f| f.id.clone()));
    c.push("indicators".into());
    c.push("decision".into());
    c.extend(audit_columns(plan).map(str::to_string));
    c
}

/// The [`AUDIT_COLUMNS`] written for `plan`, in order.
fn audit_columns(plan: &Plan) -> impl Iterator<Item = &'static str> + '_ {
    AUDIT_COLUMNS
        .into_iter()
        .filter(|c| !plan.decl.fields.iter().any(|f| f.id == *c))
}

/// Decision texts per level rank, as the rule file writes them; the level
/// id when the file maps nothing else to a level.
pub fn decision_texts(plan: &Plan) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = plan.decl.levels.iter().map(|_| Vec::new()).collect();
    if let Ok(file) = crate::parse::parse(&plan.source) {
        for item in &file.items {
            if let Item::Decisions(b) = item {
                for d in &b.entries {
                    if let Some(rank) = plan.decl.levels.iter().position(|l| l.id == d.level.name) {
                        out[rank].push(d.text.value.clone());
                    }
                }
            }
        }
    }
    for (rank, texts) in LevelRank::all().zip(out.iter_mut()) {
        if texts.is_empty() {
            texts.push(plan.level_id(rank).to_string());
        }
    }
    out
}

/// One generated referral.
pub struct Referral<'a> {
    /// The record as the rules read it (id, field values, indicators).
    pub record: &'a Record,
    /// What the generator decided about it (age, source, domestic abuse, ...).
    pub facts: &'a Facts,
    /// Its cells in [`columns`] order.
    pub cells: &'a [Cell],
    /// The level the rules give.
    pub level: LevelRank,
    /// The level of the recorded decision (`None` where none is recorded).
    pub decided: Option<LevelRank>,
}

/// Makes referrals one at a time for a plan, deterministically for a seed.
pub struct Generator<'p> {
    plan: &'p Plan,
    opts: SampleOptions,
    model: Model,
    roles: Vec<Role>,
    texts: Vec<Vec<String>>,
    extra: Vec<&'static str>,
    width: usize,
    g: SplitMix64,
    /// The audit columns' own stream, so adding them changed no other column.
    g2: SplitMix64,
    done: u64,
    rec: Record,
    facts: Facts,
    cells: Vec<Cell>,
}

impl<'p> Generator<'p> {
    /// A generator for `plan` (fits the model once).
    pub fn new(plan: &'p Plan, opts: &SampleOptions) -> Self {
        let model = Model::new(plan);
        Generator {
            plan,
            opts: opts.clone(),
            roles: fields::roles(plan),
            texts: decision_texts(plan),
            extra: audit_columns(plan).collect(),
            width: opts.n.to_string().len().max(4),
            g2: SplitMix64::new(opts.seed ^ 0x5EED_DA7E_0000_0001),
            done: 0,
            rec: Record::empty(plan),
            cells: Vec::with_capacity(plan.decl.fields.len() + 6),
            model,
            facts: Facts::default(),
            g: SplitMix64::new(opts.seed),
        }
    }

    /// The fitted model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The field roles, by slot.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Draws the next record and its fields without scoring it or writing
    /// the decision and audit cells (calibration and checks need no more).
    /// `None` after `n` records.
    pub fn next_record(&mut self) -> Option<(&Record, &Facts)> {
        if self.done >= self.opts.n {
            return None;
        }
        self.done += 1;
        self.rec.reset();
        self.rec.id = format!("R{:0w$}", self.done, w = self.width);
        self.cells.clear();
        self.cells.push(Cell::Text(self.rec.id.clone()));
        self.facts = self.model.draw(&mut self.g, &mut self.rec.indicators);
        fields::fill(
            &mut self.g,
            self.plan,
            &self.roles,
            &self.facts,
            &mut self.rec,
            &mut self.cells,
        );
        Some((&self.rec, &self.facts))
    }

    /// The next whole referral: drawn, scored, with its decision and audit
    /// cells. `None` after `n` records.
    pub fn next_referral(&mut self) -> Option<Referral<'_>> {
        self.next_record()?;
        let plan = self.plan;
        let ids: Vec<&str> = self
            .rec
            .indicators
            .iter()
            .filter_map(|b| plan.decl.indicators.get(b))
            .map(|ind| ind.id.as_str())
            .collect();
        self.cells.push(Cell::Text(ids.join(";")));
        let level = crate::eval::score(plan, &self.rec)
            .map_or_else(|_| crate::eval::base_level(plan, &self.rec), |s| s.level);
        let (cell, decided) = decision(
            &mut self.g,
            self.opts.agreement,
            level,
            plan.top(),
            &self.texts,
        );
        self.cells.push(cell);
        let (date, quarter, why) = audit_cells(&mut self.g2, level, decided);
        for c in &self.extra {
            self.cells.push(match *c {
                "referral_date" => date.clone(),
                "quarter" => quarter.clone(),
                _ => why.clone(),
            });
        }
        Some(Referral {
            record: &self.rec,
            facts: &self.facts,
            cells: &self.cells,
            level,
            decided,
        })
    }
}

/// Generates referrals, handing each row's cells (in [`columns`] order) to `emit`.
pub fn generate<E>(
    plan: &Plan,
    opts: &SampleOptions,
    mut emit: impl FnMut(&[Cell]) -> Result<(), E>,
) -> Result<(), E> {
    generate_referrals(plan, opts, |r| emit(r.cells))
}

/// Generates referrals, handing each whole [`Referral`] to `emit` (for
/// writers that need the record or the facts as well as the cells).
pub fn generate_referrals<E>(
    plan: &Plan,
    opts: &SampleOptions,
    mut emit: impl FnMut(&Referral<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut gen = Generator::new(plan, opts);
    while let Some(r) = gen.next_referral() {
        emit(&r)?;
    }
    Ok(())
}

/// Rationales recorded where the decision is above the rules' level.
const ABOVE: [&str; 4] = [
    "Cumulative concerns over several referrals; professional judgement to step up",
    "Sibling already open to children's social care",
    "Previous referrals in the last 12 months show escalating concern",
    "Strategy discussion advised a higher response",
];

/// Rationales recorded where the decision is below the rules' level.
const BELOW: [&str; 4] = [
    "Parent engaging with early help; risk reduced",
    "Protective factors: extended family support in place",
    "Concern already addressed by the school's pastoral team",
    "Partner agency checks lowered the level of concern",
];

/// Rationales recorded where the decision agrees with the rules.
const AGREED: [&str; 3] = [
    "Consistent with the threshold guidance",
    "Level agreed with the designated safeguarding lead",
    "Multi-agency discussion at the front door agreed the level",
];

/// The first day of the sample's year (1 April 2025) and its length in days.
const YEAR_START: (i32, u8, u8) = (2025, 4, 1);
const YEAR_DAYS: u64 = 365;

/// A referral date in the sample's year, its calendar quarter, and a
/// rationale for about half the disagreements and one agreement in eight.
fn audit_cells(
    g: &mut SplitMix64,
    level: LevelRank,
    decided: Option<LevelRank>,
) -> (Cell, Cell, Cell) {
    let (y, m, d) = add_days(YEAR_START, g.below(YEAR_DAYS));
    let (_, quarter) = crate::audit::period::group(y, m, crate::audit::PeriodBy::Quarter);
    let recorded = g.next_f64();
    let pick = g.next_f64();
    let why = match decided {
        Some(dl) if dl != level && recorded < 0.5 => {
            let list: &[&str] = if dl > level { &ABOVE } else { &BELOW };
            choose(list, pick)
        }
        Some(_) if recorded < 0.125 => choose(&AGREED, pick),
        _ => None,
    };
    (
        Cell::Text(format!("{y}-{m:02}-{d:02}")),
        Cell::Text(quarter),
        why.map_or(Cell::Empty, |t| Cell::Text(t.to_string())),
    )
}

fn choose<'a>(list: &[&'a str], u: f64) -> Option<&'a str> {
    let i = (u * list.len() as f64) as usize;
    list.get(i.min(list.len().saturating_sub(1))).copied()
}

/// The date `days` after `start`.
fn add_days(start: (i32, u8, u8), days: u64) -> (i32, u8, u8) {
    let (mut y, mut m, mut d) = start;
    for _ in 0..days {
        let len = match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if d < len {
            d += 1;
        } else if m < 12 {
            (m, d) = (m + 1, 1);
        } else {
            (y, m, d) = (y + 1, 1, 1);
        }
    }
    (y, m, d)
}

/// A simulated front-door decision: the rules' level with probability
/// `agree`, else one level off (three times in four) or two, up or down.
/// Also the decision's level (`None` when no decision is recorded).
fn decision(
    g: &mut SplitMix64,
    agree: f64,
    level: LevelRank,
    top: LevelRank,
    texts: &[Vec<String>],
) -> (Cell, Option<LevelRank>) {
    // A few referrals have no recorded decision yet.
    if g.chance(0.03) {
        return (Cell::Empty, None);
    }
    let mut d = level;
    if !g.chance(agree) {
        let step = if g.chance(0.75) { 1 } else { 2 };
        let up = g.chance(0.5);
        let within = |r: &LevelRank| *r <= top;
        let (raised, lowered) = (
            level.up(step).filter(within),
            level.down(step).filter(within),
        );
        let (a, b) = if up {
            (raised, lowered)
        } else {
            (lowered, raised)
        };
        d = a.or(b).unwrap_or(if level < top {
            level.above().unwrap_or(level)
        } else {
            level.below().unwrap_or(LevelRank::LOWEST)
        });
    }
    let options = texts.get(d.index()).map_or(&[][..], Vec::as_slice);
    match options.len() {
        0 => (Cell::Empty, None),
        n => (
            Cell::Text(options[g.below(n as u64) as usize].clone()),
            Some(d),
        ),
    }
}

/// The record's value for a field as a cell.
pub fn value_cell(plan: &Plan, slot: usize, v: &Value) -> Cell {
    match v {
        Value::Missing => Cell::Empty,
        Value::Num(n) => Cell::Num(*n),
        Value::Bool(b) => Cell::Text(if *b { "yes" } else { "no" }.into()),
        Value::Text(t) => Cell::Text(t.clone()),
        Value::Choice(i) => match plan.decl.fields.get(slot).map(|f| &f.kind) {
            Some(crate::plan::FieldType::OneOf(o)) => o
                .get(*i as usize)
                .map_or(Cell::Empty, |s| Cell::Text(s.clone())),
            _ => Cell::Empty,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_run_over_month_and_year_ends() {
        assert_eq!(add_days((2025, 4, 1), 0), (2025, 4, 1));
        assert_eq!(add_days((2025, 4, 1), 30), (2025, 5, 1));
        assert_eq!(add_days((2025, 4, 1), 274), (2025, 12, 31));
        assert_eq!(add_days((2025, 4, 1), 275), (2026, 1, 1));
        assert_eq!(add_days((2025, 4, 1), 364), (2026, 3, 31));
        assert_eq!(add_days((2024, 2, 28), 1), (2024, 2, 29));
    }

    #[test]
    fn rationales_follow_the_decision() {
        let mut g = SplitMix64::new(7);
        let r = LevelRank::new;
        let (mut above, mut below, mut agreed, mut none) = (0, 0, 0, 0);
        for _ in 0..4000 {
            let (date, q, why) = audit_cells(&mut g, r(1), Some(r(2)));
            let Cell::Text(date) = date else { panic!() };
            assert!(
                ("2025-04-01".."2026-04-01").contains(&date.as_str()),
                "{date}"
            );
            let Cell::Text(q) = q else { panic!() };
            assert!(["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"].contains(&q.as_str()));
            match why {
                Cell::Text(t) if ABOVE.contains(&t.as_str()) => above += 1,
                Cell::Empty => none += 1,
                other => panic!("{other:?}"),
            }
            match audit_cells(&mut g, r(2), Some(r(1))).2 {
                Cell::Text(t) if BELOW.contains(&t.as_str()) => below += 1,
                Cell::Empty => {}
                other => panic!("{other:?}"),
            }
            if let Cell::Text(t) = audit_cells(&mut g, r(1), Some(r(1))).2 {
                assert!(AGREED.contains(&t.as_str()));
                agreed += 1;
            }
            assert_eq!(audit_cells(&mut g, r(1), None).2, Cell::Empty);
        }
        assert!((1800..2200).contains(&above), "{above}");
        assert!((1800..2200).contains(&below), "{below}");
        assert!((380..620).contains(&agreed), "{agreed}");
        assert_eq!(above + none, 4000);
    }
}
