//! The JSON report (SPEC §8 keys first, then the detail).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::DiffReport;
use crate::diff::impact::{Demand, FlagImpact, RuleImpact};
use crate::diff::{Change, Timing};

/// A map that keeps its keys in the order given (levels lowest first).
struct Ordered<'a, V>(Vec<(&'a str, V)>);

impl<V: Serialize> Serialize for Ordered<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct DemandOut {
    old: u64,
    new: u64,
    change: i64,
    old_share: Option<f64>,
    new_share: Option<f64>,
    share_change: Option<f64>,
}

#[derive(Serialize)]
struct FlagOut {
    old: u64,
    new: u64,
    change: i64,
    gained: u64,
    lost: u64,
    in_old: bool,
    in_new: bool,
}

#[derive(Serialize)]
struct RuleOut {
    old: Option<u64>,
    new: Option<u64>,
    effect_changed: bool,
}

#[derive(Serialize)]
struct ChangeOut<'a> {
    id: &'a str,
    old: &'a str,
    new: &'a str,
    rules: Vec<&'a str>,
    indicators: &'a [String],
    base_old: &'a str,
    base_new: &'a str,
}

#[derive(Serialize)]
struct FlagChangeOut<'a> {
    id: &'a str,
    gained: &'a [String],
    lost: &'a [String],
    rules: Vec<&'a str>,
}

#[derive(Serialize)]
struct McNemarOut {
    agree_old_only: u64,
    agree_new_only: u64,
    statistic: f64,
    p: f64,
    p_exact: f64,
}

#[derive(Serialize)]
struct RejectOut<'a> {
    row: u64,
    column: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct LevelsOut<'a> {
    old: &'a [String],
    new: &'a [String],
    same: bool,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    old_file: &'a str,
    new_file: &'a str,
    old_name: &'a str,
    new_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_file: Option<&'a str>,
    levels: LevelsOut<'a>,
    structure: &'a [Change],
    #[serde(flatten)]
    impact: Option<ImpactOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing: Option<&'a Timing>,
}

#[derive(Serialize)]
struct ImpactOut<'a> {
    n: u64,
    read: u64,
    changed: u64,
    up: u64,
    down: u64,
    transitions: &'a [Vec<u64>],
    demand: Ordered<'a, DemandOut>,
    kappa_old: Option<f64>,
    kappa_new: Option<f64>,
    kappa_change: Option<f64>,
    kappa_linear_old: Option<f64>,
    kappa_linear_new: Option<f64>,
    kappa_quadratic_old: Option<f64>,
    kappa_quadratic_new: Option<f64>,
    decided_old: u64,
    decided_new: u64,
    agree_old: u64,
    agree_new: u64,
    agreement_old: Option<f64>,
    agreement_new: Option<f64>,
    agreement_change: Option<f64>,
    mcnemar: McNemarOut,
    confusion_old: &'a [Vec<u64>],
    confusion_new: &'a [Vec<u64>],
    flags: Ordered<'a, FlagOut>,
    rules: Ordered<'a, RuleOut>,
    changes: Vec<ChangeOut<'a>>,
    flag_changes: Vec<FlagChangeOut<'a>>,
    rejected: Vec<RejectOut<'a>>,
    /// What the figures rest on (header warnings, a high rejected share).
    warnings: &'a [String],
}

fn demand(d: &Demand) -> DemandOut {
    DemandOut {
        old: d.old,
        new: d.new,
        change: d.change,
        old_share: d.old_share,
        new_share: d.new_share,
        share_change: d.share_change,
    }
}

fn flag(f: &FlagImpact) -> FlagOut {
    FlagOut {
        old: f.old,
        new: f.new,
        change: f.change,
        gained: f.gained,
        lost: f.lost,
        in_old: f.in_old,
        in_new: f.in_new,
    }
}

fn rule(r: &RuleImpact) -> RuleOut {
    RuleOut {
        old: r.old,
        new: r.new,
        effect_changed: r.effect_changed,
    }
}

/// The report as pretty-printed JSON.
pub fn render(r: &DiffReport<'_>) -> String {
    let s = r.structure;
    let impact = r.impact.map(|i| {
        let a = &i.agreement;
        ImpactOut {
            n: i.n,
            read: r.read,
            changed: i.changed,
            up: i.up,
            down: i.down,
            transitions: &i.transitions,
            demand: Ordered(
                i.demand
                    .iter()
                    .map(|d| (d.level.as_str(), demand(d)))
                    .collect(),
            ),
            kappa_old: a.old.kappa,
            kappa_new: a.new.kappa,
            kappa_change: a.kappa_change,
            kappa_linear_old: a.old.kappa_linear,
            kappa_linear_new: a.new.kappa_linear,
            kappa_quadratic_old: a.old.kappa_quadratic,
            kappa_quadratic_new: a.new.kappa_quadratic,
            decided_old: a.old.n,
            decided_new: a.new.n,
            agree_old: a.old.agree,
            agree_new: a.new.agree,
            agreement_old: a.old.agreement,
            agreement_new: a.new.agreement,
            agreement_change: a.agreement_change,
            mcnemar: McNemarOut {
                agree_old_only: a.agree_old_only,
                agree_new_only: a.agree_new_only,
                statistic: a.mcnemar_statistic,
                p: a.mcnemar_p,
                p_exact: a.mcnemar_p_exact,
            },
            confusion_old: &a.old.confusion,
            confusion_new: &a.new.confusion,
            flags: Ordered(i.flags.iter().map(|f| (f.flag.as_str(), flag(f))).collect()),
            rules: Ordered(i.rules.iter().map(|x| (x.rule.as_str(), rule(x))).collect()),
            changes: i
                .changes
                .iter()
                .map(|c| ChangeOut {
                    id: &c.id,
                    old: &c.old,
                    new: &c.new,
                    rules: c.rules.iter().map(|x| x.rule.as_str()).collect(),
                    indicators: &c.indicators,
                    base_old: &c.base_old,
                    base_new: &c.base_new,
                })
                .collect(),
            flag_changes: i
                .flag_changes
                .iter()
                .map(|c| FlagChangeOut {
                    id: &c.id,
                    gained: &c.gained,
                    lost: &c.lost,
                    rules: c.rules.iter().map(|x| x.rule.as_str()).collect(),
                })
                .collect(),
            rejected: r
                .rejects
                .iter()
                .map(|x| RejectOut {
                    row: x.row,
                    column: &x.column,
                    reason: &x.reason,
                })
                .collect(),
            warnings: r.warnings,
        }
    });
    let out = JsonReport {
        old_file: &r.old_file,
        new_file: &r.new_file,
        old_name: &s.old_name,
        new_name: &s.new_name,
        data_file: r.data_file.as_deref(),
        levels: LevelsOut {
            old: &s.levels.old,
            new: &s.levels.new,
            same: s.levels.same(),
            note: s.level_note.as_deref(),
        },
        structure: &s.changes,
        impact,
        timing: r.timing.as_ref(),
    };
    let mut text =
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
