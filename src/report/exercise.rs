//! Exercise reports (SPEC §7): the JSON document (keys exactly as the SPEC,
//! plus a few extra), a terminal summary, Markdown, HTML and Excel (the
//! [`document`] rendered by `report::doc`), and the trainees' feedback
//! sheets. Everything renders from one [`Report`] model built here, so the
//! formats cannot disagree.

pub mod document;
pub mod feedback;
pub mod markdown;
pub mod text;

pub use text::text;

use std::collections::HashMap;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::Serialize as DeriveSerialize;

use crate::data::Reject;
use crate::exercise::cohort::{Cohort, SetStats};
use crate::exercise::Pack;
use crate::explain::{self, Reason};
use crate::plan::{LevelRank, Plan};

/// A map serialized in the order given.
#[derive(Clone, Debug, PartialEq)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A trainee's line.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct TraineeRow {
    /// The trainee.
    pub trainee: String,
    /// Answers.
    pub n: u64,
    /// Correct answers.
    pub correct: u64,
    /// correct / n.
    pub accuracy: Option<f64>,
    /// Mean signed rank error (answer − rules).
    pub mean_error: Option<f64>,
    /// Mean absolute rank error.
    pub mean_abs_error: Option<f64>,
    /// Accuracy in each phase (with phases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phases: Option<Ordered<Option<f64>>>,
}

/// An indicator present on a vignette.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct IndicatorRow {
    /// The id.
    pub indicator: String,
    /// Its description.
    pub description: String,
    /// The level it sets.
    pub level: String,
}

/// A vignette's line.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct VignetteRow {
    /// The vignette id.
    pub vignette: String,
    /// The rules' level id.
    pub level: String,
    /// The rules' level label.
    pub level_label: String,
    /// Answers.
    pub n: u64,
    /// Correct answers.
    pub correct: u64,
    /// correct / n.
    pub share_correct: Option<f64>,
    /// The modal answer's level id (ties: the lower level).
    pub modal: Option<String>,
    /// Several levels tied for the modal answer.
    pub modal_tie: bool,
    /// Answers per level id, in level order.
    pub answers: Ordered<u64>,
    /// The fired rules' reasons.
    pub reasons: Vec<Reason>,
    /// The indicators present, with the level each sets.
    pub indicators: Vec<IndicatorRow>,
}

/// A theme's line.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct ThemeRow {
    /// The theme id.
    pub theme: String,
    /// Its label.
    pub label: String,
    /// Answers to vignettes with the theme.
    pub n: u64,
    /// Answers below the rules' level.
    pub too_low: u64,
    /// too_low / n.
    pub share: f64,
}

/// One phase's figures.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct PhaseRow {
    /// Answers.
    pub n: u64,
    /// correct / n over all answers in the phase.
    pub accuracy: Option<f64>,
    /// Correct answers.
    pub correct: u64,
    /// Trainees answering.
    pub trainees: usize,
    /// Fleiss' kappa in the phase.
    pub fleiss_kappa: Option<f64>,
    /// Krippendorff's alpha in the phase.
    pub krippendorff_alpha: Option<f64>,
}

/// The sign test in the report.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct SignRow {
    /// Earlier phase.
    pub from: String,
    /// Later phase.
    pub to: String,
    /// Trainees who improved.
    pub positive: u64,
    /// Trainees who did worse.
    pub negative: u64,
    /// Trainees unchanged.
    pub ties: u64,
    /// Two-sided exact p.
    pub p: Option<f64>,
}

/// A rejected response.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct RejectRow {
    /// Line in the file (header = 1).
    pub row: u64,
    /// The column at fault.
    pub column: String,
    /// Why.
    pub reason: String,
}

/// The level scale, for readers of the JSON.
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct LevelRow {
    /// The id.
    pub id: String,
    /// The label.
    pub label: String,
}

/// The exercise report (its JSON form is the SPEC §7 document).
#[derive(Clone, Debug, PartialEq, DeriveSerialize)]
pub struct Report {
    /// The rule set's name.
    pub continuum: String,
    /// The level scale.
    pub levels: Vec<LevelRow>,
    /// The phase the statistics describe (with phases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Answers in the statistics.
    pub n: u64,
    /// Correct answers in the statistics.
    pub correct: u64,
    /// correct / n.
    pub accuracy: Option<f64>,
    /// Per trainee.
    pub trainees: Vec<TraineeRow>,
    /// Per vignette, hardest first.
    pub vignettes: Vec<VignetteRow>,
    /// Fleiss' kappa among trainees.
    pub fleiss_kappa: Option<f64>,
    /// Krippendorff's alpha (ordinal) among trainees.
    pub krippendorff_alpha: Option<f64>,
    /// Themes most often placed too low.
    pub themes_too_low: Vec<ThemeRow>,
    /// Each phase's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phases: Option<Ordered<PhaseRow>>,
    /// The sign test's two-sided p (with two or more phases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_test_p: Option<Option<f64>>,
    /// The sign test's counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_test: Option<SignRow>,
    /// Response rows read.
    pub responses_read: u64,
    /// Answers replaced by the same trainee's later answer to the same
    /// vignette in the same phase (the last counts).
    pub replaced: u64,
    /// Rejected responses.
    pub rejected: Vec<RejectRow>,
    /// What the figures rest on (vignette header warnings, a high rejected
    /// share of vignettes or responses), stated before them.
    pub warnings: Vec<String>,
}

fn phase_row(s: &SetStats) -> PhaseRow {
    PhaseRow {
        n: s.n,
        accuracy: s.accuracy,
        correct: s.correct,
        trainees: s.trainees.len(),
        fleiss_kappa: s.fleiss_kappa,
        krippendorff_alpha: s.krippendorff_alpha,
    }
}

/// Builds the report model.
pub fn build(plan: &Plan, pack: &Pack, c: &Cohort, read: u64, rejects: &[Reject]) -> Report {
    let s = &c.stats;
    let level = |l: LevelRank| plan.level_id(l).to_string();
    // Each phase's accuracy by trainee, looked up by name (not searched).
    let by_phase: Vec<(&str, HashMap<&str, Option<f64>>)> = c
        .phases
        .iter()
        .map(|(p, ps)| {
            let m = ps
                .trainees
                .iter()
                .map(|x| (x.trainee.as_str(), x.accuracy))
                .collect();
            (p.as_str(), m)
        })
        .collect();
    let trainees = s
        .trainees
        .iter()
        .map(|t| TraineeRow {
            trainee: t.trainee.clone(),
            n: t.n,
            correct: t.correct,
            accuracy: t.accuracy,
            mean_error: t.mean_error,
            mean_abs_error: t.mean_abs_error,
            phases: (!c.phases.is_empty()).then(|| {
                Ordered(
                    by_phase
                        .iter()
                        .map(|(p, m)| {
                            let acc = m.get(t.trainee.as_str()).copied().flatten();
                            (p.to_string(), acc)
                        })
                        .collect(),
                )
            }),
        })
        .collect();
    let vignettes = s
        .vignettes
        .iter()
        .filter_map(|v| {
            let vig = pack.vignettes.get(v.vignette)?;
            let l = vig.score.level;
            Some(VignetteRow {
                vignette: vig.id.clone(),
                level: level(l),
                level_label: plan
                    .decl
                    .levels
                    .get(l.index())
                    .map_or(String::new(), |x| x.label.clone()),
                n: v.n,
                correct: v.correct,
                share_correct: v.share_correct,
                modal: v.modal.map(level),
                modal_tie: v.modal_tie,
                answers: Ordered(
                    LevelRank::all()
                        .zip(&v.counts)
                        .map(|(l, n)| (level(l), *n))
                        .collect(),
                ),
                reasons: explain::reasons(plan, &vig.score),
                indicators: vig
                    .record
                    .indicators
                    .iter()
                    .filter_map(|i| plan.decl.indicators.get(i))
                    .map(|i| IndicatorRow {
                        indicator: i.id.clone(),
                        description: i.description.clone(),
                        level: level(i.level),
                    })
                    .collect(),
            })
        })
        .collect();
    let themes_too_low = s
        .themes_too_low
        .iter()
        .filter_map(|t| {
            let th = plan.theme(t.theme)?;
            Some(ThemeRow {
                theme: th.id.clone(),
                label: th.label.clone(),
                n: t.n,
                too_low: t.too_low,
                share: t.share,
            })
        })
        .collect();
    let phased = !c.phases.is_empty();
    Report {
        continuum: plan.name.clone(),
        levels: plan
            .decl
            .levels
            .iter()
            .map(|l| LevelRow {
                id: l.id.clone(),
                label: l.label.clone(),
            })
            .collect(),
        phase: c.phase.clone(),
        n: s.n,
        correct: s.correct,
        accuracy: s.accuracy,
        trainees,
        vignettes,
        fleiss_kappa: s.fleiss_kappa,
        krippendorff_alpha: s.krippendorff_alpha,
        themes_too_low,
        phases: phased.then(|| {
            Ordered(
                c.phases
                    .iter()
                    .map(|(p, ps)| (p.clone(), phase_row(ps)))
                    .collect(),
            )
        }),
        sign_test_p: phased.then(|| c.sign_test.as_ref().and_then(|t| t.p)),
        sign_test: c.sign_test.as_ref().map(|t| SignRow {
            from: t.from.clone(),
            to: t.to.clone(),
            positive: t.positive,
            negative: t.negative,
            ties: t.ties,
            p: t.p,
        }),
        responses_read: read,
        replaced: 0,
        warnings: Vec::new(),
        rejected: rejects
            .iter()
            .map(|r| RejectRow {
                row: r.row,
                column: r.column.clone(),
                reason: r.reason.clone(),
            })
            .collect(),
    }
}

/// `1 trainee`, `2 trainees`: a count with its noun in the right number
/// (`noun` is the singular; the plural adds an `s`).
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// ", N replaced by a later answer" when answers were changed, else nothing.
pub fn replaced_note(n: u64) -> String {
    match n {
        0 => String::new(),
        1 => ", 1 replaced by the same trainee's later answer (the last counts)".into(),
        n => format!(", {n} replaced by the same trainee's later answer (the last counts)"),
    }
}

/// The report as one self-contained HTML page.
pub fn html(r: &Report) -> String {
    crate::report::doc::html::render(&document::build(r))
}

/// The report as the bytes of an Excel workbook.
pub fn xlsx(r: &Report) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    crate::report::doc::xlsx::render(&document::build(r))
}

/// The JSON document.
pub fn json(r: &Report) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(r).map(|mut s| {
        s.push('\n');
        s
    })
}

/// A share as a percentage, or a dash.
pub fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{:.0}%", 100.0 * v))
}

/// A statistic to three places, or a dash.
pub fn fixed(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{v:.3}"))
}

/// A signed statistic to two places, or a dash.
pub fn signed(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{v:+.2}"))
}

/// A small report for renderer tests, with a hostile trainee name.
#[cfg(test)]
pub(crate) fn sample_report(trainee: &str) -> Report {
    use crate::exercise::responses::Response;
    use crate::exercise::testutil::{plan, vignette};
    let p = plan();
    let pack = Pack::new(vec![
        vignette(&p, "V01", 4.0, &["hygiene"]),
        vignette(&p, "V02", 0.5, &["injury"]),
    ]);
    let mut rs = Vec::new();
    for (phase, who, answers) in [
        ("pre", trainee, [0u8, 2]),
        ("pre", "Bo", [1, 2]),
        ("post", trainee, [1, 3]),
        ("post", "Bo", [1, 2]),
    ] {
        for (v, a) in answers.iter().enumerate() {
            rs.push(Response {
                row: 0,
                trainee: who.into(),
                vignette: v,
                answer: LevelRank::new(*a),
                phase: Some(phase.into()),
            });
        }
    }
    let c = crate::exercise::cohort::cohort(&p, &pack, &rs);
    let rejects = vec![Reject {
        row: 9,
        id: None,
        column: "level".into(),
        reason: "`<b>` is not a level".into(),
    }];
    build(&p, &pack, &c, 9, &rejects)
}
