//! Synthetic referrals for any rule file (`thresholds sample`): ages with
//! about 15% infants, referral sources in the national shares, indicator
//! prevalence calibrated to the factors recorded at assessment (DfE children
//! in need census) by theme, the "toxic trio" of domestic abuse, parental
//! mental health and substance misuse occurring together, a value for every
//! declared field, and a `decision` from a simulated front door that agrees
//! with the rules with a chosen probability (one level off more often than
//! two). Deterministic: the same seed gives the same file on every machine.

mod fields;
pub mod rng;

use crate::ast::Item;
use crate::plan::{Plan, Record, Value};
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
            Cell::Num(n) => crate::format_number(*n),
            Cell::Empty => String::new(),
        }
    }
}

/// The columns: `id`, each field, `indicators`, `decision`.
pub fn columns(plan: &Plan) -> Vec<String> {
    let mut c = vec!["id".to_string()];
    c.extend(plan.fields.iter().map(|f| f.id.clone()));
    c.push("indicators".into());
    c.push("decision".into());
    c
}

/// Decision texts per level rank, as the rule file writes them; the level
/// id when the file maps nothing else to a level.
pub fn decision_texts(plan: &Plan) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = plan.levels.iter().map(|_| Vec::new()).collect();
    if let Ok(file) = crate::parse::parse(&plan.source) {
        for item in &file.items {
            if let Item::Decisions(b) = item {
                for d in &b.entries {
                    if let Some(rank) = plan.levels.iter().position(|l| l.id == d.level.name) {
                        out[rank].push(d.text.value.clone());
                    }
                }
            }
        }
    }
    for (rank, texts) in out.iter_mut().enumerate() {
        if texts.is_empty() {
            texts.push(plan.level_id(rank as u8).to_string());
        }
    }
    out
}

/// Generates referrals, handing each row's cells (in [`columns`] order) to `emit`.
pub fn generate<E>(
    plan: &Plan,
    opts: &SampleOptions,
    mut emit: impl FnMut(&[Cell]) -> Result<(), E>,
) -> Result<(), E> {
    let mut g = SplitMix64::new(opts.seed);
    let model = fields::Model::new(plan);
    let texts = decision_texts(plan);
    let width = opts.n.to_string().len().max(4);
    let mut rec = Record::empty(plan);
    let mut cells = Vec::with_capacity(plan.fields.len() + 3);
    for i in 1..=opts.n {
        rec.reset();
        rec.id = format!("R{i:0width$}");
        cells.clear();
        cells.push(Cell::Text(rec.id.clone()));
        model.indicators(&mut g, &mut rec);
        for (slot, f) in plan.fields.iter().enumerate() {
            let (v, c) = model.field(&mut g, slot, f, &rec, plan);
            rec.values[slot] = v;
            cells.push(c);
        }
        let ids: Vec<&str> = rec
            .indicators
            .iter()
            .filter_map(|b| plan.indicators.get(b))
            .map(|ind| ind.id.as_str())
            .collect();
        cells.push(Cell::Text(ids.join(";")));
        let level = crate::eval::score(plan, &rec)
            .map_or_else(|_| crate::eval::base_level(plan, &rec), |s| s.level);
        cells.push(decision(&mut g, opts.agreement, level, plan.top(), &texts));
        emit(&cells)?;
    }
    Ok(())
}

/// A simulated front-door decision: the rules' level with probability
/// `agree`, else one level off (three times in four) or two, up or down.
fn decision(g: &mut SplitMix64, agree: f64, level: u8, top: u8, texts: &[Vec<String>]) -> Cell {
    // A few referrals have no recorded decision yet.
    if g.chance(0.03) {
        return Cell::Empty;
    }
    let mut d = i32::from(level);
    if !g.chance(agree) {
        let step = if g.chance(0.75) { 1 } else { 2 };
        let up = g.chance(0.5);
        let top = i32::from(top);
        let (a, b) = if up {
            (d + step, d - step)
        } else {
            (d - step, d + step)
        };
        d = if (0..=top).contains(&a) {
            a
        } else if (0..=top).contains(&b) {
            b
        } else if d + 1 <= top {
            d + 1
        } else {
            (d - 1).max(0)
        };
    }
    let options = texts.get(d as usize).map_or(&[][..], Vec::as_slice);
    match options.len() {
        0 => Cell::Empty,
        n => Cell::Text(options[g.below(n as u64) as usize].clone()),
    }
}

/// The record's value for a field as a cell.
pub fn value_cell(plan: &Plan, slot: usize, v: &Value) -> Cell {
    match v {
        Value::Missing => Cell::Empty,
        Value::Num(n) => Cell::Num(*n),
        Value::Bool(b) => Cell::Text(if *b { "yes" } else { "no" }.into()),
        Value::Text(t) => Cell::Text(t.clone()),
        Value::Choice(i) => match plan.fields.get(slot).map(|f| &f.kind) {
            Some(crate::plan::FieldKind::OneOf(o)) => o
                .get(*i as usize)
                .map_or(Cell::Empty, |s| Cell::Text(s.clone())),
            _ => Cell::Empty,
        },
    }
}
