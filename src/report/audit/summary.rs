//! The board's standing questions on thresholds (peer review 2017,
//! recommendation 5), answered for the sample in plain English. Answers are
//! plain text: each renderer escapes them.

use crate::audit::findings::{self, Change};
use crate::audit::{stats::band, Audit, SMALL_N};

use super::{group_value, pct};

/// One standing question and its answer for this sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The question.
    pub question: String,
    /// The answer (plain text).
    pub answer: String,
}

fn answer(question: impl Into<String>, answer: impl Into<String>) -> Answer {
    Answer {
        question: question.into(),
        answer: answer.into(),
    }
}

fn ci(c: Option<(f64, f64)>) -> String {
    c.map_or_else(String::new, |(l, h)| {
        format!(" (95% interval {} to {})", pct(l), pct(h))
    })
}

/// The answers, in the order a report shows them.
pub fn answers(a: &Audit) -> Vec<Answer> {
    let o = &a.overall;
    let mut out = Vec::new();
    let mut s = if o.n == 0 {
        "No record had a decision, so agreement cannot be measured.".to_string()
    } else {
        let mut s = format!(
            "{} of {} decisions ({}) placed the child at the level the thresholds give{}.",
            o.agree,
            o.n,
            pct(o.agreement.unwrap_or(0.0)),
            ci(o.agreement_ci)
        );
        match o.kappa {
            Some(k) => s.push_str(&format!(
                " Beyond chance, agreement is {} (Cohen's kappa {:.2}).",
                band(k.value),
                k.value
            )),
            None => s.push_str(" Kappa is undefined: only one level occurs."),
        }
        if o.small() {
            s.push_str(&format!(
                " With fewer than {SMALL_N} decisions these figures are too few to judge."
            ));
        }
        s
    };
    if o.no_decision() > 0 {
        s.push_str(&format!(
            " {} scored record(s) had no decision and are not counted.",
            o.no_decision()
        ));
    }
    out.push(answer(
        "How often do decisions agree with the thresholds?",
        s,
    ));

    for g in &a.groups {
        let it = g.values.iter().map(|(v, s)| (group_value(v), s));
        let text = match findings::least(it) {
            None => format!("No {} value has a decision.", g.column),
            Some(l) if l.groups == 1 => format!(
                "Only one {} value has decisions: {} ({} of {}).",
                g.column,
                l.name,
                pct(l.agreement),
                l.n
            ),
            Some(l) => {
                let mut t = format!(
                    "Of {} {} values, {} agrees least: {} of {} decisions.",
                    l.groups,
                    g.column,
                    l.name,
                    pct(l.agreement),
                    l.n
                );
                if l.small {
                    t.push_str(&format!(
                        " No value has {SMALL_N} or more decisions, so this is too few to judge."
                    ));
                }
                t.push_str(&left_out(l.left_out, "value"));
                t
            }
        };
        out.push(answer(format!("Which {} agrees least?", g.column), text));
    }

    let themes = a.themes.iter().map(|(t, s)| (t.label.as_str(), s));
    let text = match findings::least(themes) {
        None if a.themes.is_empty() => "The rule file declares no themes.".to_string(),
        None => "No record with a decision had an indicator of any theme.".to_string(),
        Some(l) => {
            let mut t = format!(
                "{} agrees least: {} of {} decisions on records with a {} indicator.",
                l.name,
                pct(l.agreement),
                l.n,
                l.name.to_lowercase()
            );
            if l.small {
                t.push_str(&format!(
                    " No theme has {SMALL_N} or more decisions, so this is too few to judge."
                ));
            }
            t.push_str(&left_out(l.left_out, "theme"));
            t
        }
    };
    out.push(answer("Which risks (themes) agree least?", text));

    out.push(answer(
        "How many children do the rules place higher than the decision?",
        missed(a),
    ));

    if a.columns.period.is_some() {
        out.push(answer("Is agreement improving period on period?", trend(a)));
    }
    out
}

/// The sentence saying how many smaller groups the "agrees least" answer
/// did not consider (empty when none).
fn left_out(n: usize, what: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!(
            " One {what} with fewer than {SMALL_N} decisions was left out, as too few to judge."
        ),
        n => format!(
            " {n} {what}s with fewer than {SMALL_N} decisions each were left out, as too few \
             to judge."
        ),
    }
}

fn missed(a: &Audit) -> String {
    let o = &a.overall;
    if o.n == 0 {
        return "No record had a decision.".into();
    }
    let alerts = a.alerts();
    let mut t = format!(
        "{} of {} decisions ({}) were below the level the rules give: possible missed need.",
        o.under,
        o.n,
        pct(o.under_share().unwrap_or(0.0))
    );
    if alerts > 0 {
        t.push_str(&format!(
            " {alerts} of them {}: the rules say {} and the decision was lower.",
            if alerts == 1 {
                "is a safeguarding alert"
            } else {
                "are safeguarding alerts"
            },
            a.level_label(a.top())
        ));
    } else {
        t.push_str(&format!(
            " None is a safeguarding alert (the rules saying {} and the decision lower).",
            a.level_label(a.top())
        ));
    }
    t.push_str(&format!(
        " {} ({}) were above the rules' level.",
        o.over,
        pct(o.over_share().unwrap_or(0.0))
    ));
    if a.columns.reason.is_some() && !a.evidence.is_empty() {
        let documented = a
            .evidence
            .iter()
            .filter(|e| e.documented() == Some(true))
            .count();
        t.push_str(&format!(
            " {} of the {} disagreements have a recorded rationale (documented overrides); {} {} none.",
            documented,
            a.evidence.len(),
            a.evidence.len() - documented,
            if a.evidence.len() - documented == 1 { "has" } else { "have" }
        ));
    }
    t
}

fn points(d: f64) -> String {
    format!("{:+.1}", d * 100.0)
}

fn change_text(c: &Change) -> String {
    let verdict = if !c.clear() {
        "could be chance"
    } else if c.diff > 0.0 {
        "a clear rise"
    } else {
        "a clear fall"
    };
    format!(
        "{} to {}: {} to {} ({} points, 95% interval {} to {}: {verdict})",
        group_value(&c.from),
        group_value(&c.to),
        pct(c.before),
        pct(c.after),
        points(c.diff),
        points(c.ci.0),
        points(c.ci.1)
    )
}

fn trend(a: &Audit) -> String {
    let mut s = trend_only(a);
    if let Some(note) = a.period_notes.text() {
        s.push_str(" Note: ");
        s.push_str(&note);
    }
    s
}

fn trend_only(a: &Audit) -> String {
    let (steps, overall) = findings::trend(a);
    if steps.is_empty() {
        let with: Vec<&str> = findings::timed(a)
            .iter()
            .filter(|(_, s)| s.n > 0)
            .map(|(p, _)| group_value(p))
            .collect();
        return match with.as_slice() {
            [] => "No period has decisions.".into(),
            [one] => format!("Only one period ({one}) has decisions: no trend yet."),
            _ => "Not enough periods with decisions to compare.".into(),
        };
    }
    let mut t: Vec<String> = steps.iter().map(change_text).collect();
    if let Some(c) = overall {
        t.push(format!("Over the whole run, {}", change_text(&c)));
    }
    let mut s = t.join("; ");
    s.push('.');
    s
}
