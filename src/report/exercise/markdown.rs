//! The exercise report as Markdown. Every data value is escaped (with the
//! shared [`crate::report::markdown::escape`]): trainee names and case
//! details come from files a user supplied.

use super::{fixed, pct, signed, Report};
use crate::report::markdown::escape as esc;

/// The Markdown report.
pub fn render(r: &Report) -> String {
    let mut o = format!(
        "# Threshold exercise results\n\nRules: {}\n\n",
        esc(&r.continuum)
    );
    for w in &r.warnings {
        o.push_str(&format!("> **Warning:** {}\n\n", esc(w)));
    }
    if let Some(p) = &r.phase {
        o.push_str(&format!(
            "The figures below are for the last phase, **{}**; each phase's own figures follow.\n\n",
            esc(p)
        ));
    }
    o.push_str("## Cohort\n\n| Measure | Value |\n|---|---|\n");
    o.push_str(&format!("| Answers | {} |\n", r.n));
    o.push_str(&format!("| Trainees | {} |\n", r.trainees.len()));
    o.push_str(&format!(
        "| Matching the rules | {} ({}) |\n",
        r.correct,
        pct(r.accuracy)
    ));
    o.push_str(&format!(
        "| Fleiss' kappa among trainees | {} |\n",
        fixed(r.fleiss_kappa)
    ));
    o.push_str(&format!(
        "| Krippendorff's alpha (ordinal) | {} |\n\n",
        fixed(r.krippendorff_alpha)
    ));
    if let Some(ph) = &r.phases {
        o.push_str("## Phases\n\n| Phase | Answers | Trainees | Accuracy | Fleiss' kappa | Krippendorff's alpha |\n|---|---|---|---|---|---|\n");
        for (p, x) in &ph.0 {
            o.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                esc(p),
                x.n,
                x.trainees,
                pct(x.accuracy),
                fixed(x.fleiss_kappa),
                fixed(x.krippendorff_alpha)
            ));
        }
        o.push('\n');
        if let Some(t) = &r.sign_test {
            o.push_str(&format!(
                "Paired sign test, {} to {}: {} trainee(s) more accurate, {} less, {} unchanged (ties dropped); two-sided exact p = {}.\n\n",
                esc(&t.from), esc(&t.to), t.positive, t.negative, t.ties, fixed(t.p)
            ));
        }
    }
    o.push_str("## Trainees\n\n| Trainee | Answers | Correct | Accuracy | Mean error | Mean absolute error |\n|---|---|---|---|---|---|\n");
    for t in &r.trainees {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            esc(&t.trainee),
            t.n,
            t.correct,
            pct(t.accuracy),
            signed(t.mean_error),
            fixed(t.mean_abs_error)
        ));
    }
    o.push_str("\nMean error is the answer's level minus the rules' level: below zero, trainees placed cases too low.\n\n");
    o.push_str("## Vignettes, hardest first\n\n| Vignette | Rules' level | Answers | Correct | Modal answer |");
    for l in &r.levels {
        o.push_str(&format!(" {} |", esc(&l.id)));
    }
    o.push_str("\n|---|---|---|---|---|");
    o.push_str(&"---|".repeat(r.levels.len()));
    o.push('\n');
    for v in &r.vignettes {
        let modal = match (&v.modal, v.modal_tie) {
            (Some(m), true) => format!("{} (tie: lower level shown)", esc(m)),
            (Some(m), false) => esc(m),
            (None, _) => "–".into(),
        };
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} |",
            esc(&v.vignette),
            esc(&v.level),
            v.n,
            pct(v.share_correct),
            modal
        ));
        for (_, n) in &v.answers.0 {
            o.push_str(&format!(" {n} |"));
        }
        o.push('\n');
    }
    o.push_str("\n### For the debrief\n\n");
    for v in &r.vignettes {
        o.push_str(&format!(
            "**{}**: the rules say {}.\n\n",
            esc(&v.vignette),
            esc(&v.level_label)
        ));
        for i in &v.indicators {
            o.push_str(&format!(
                "- {} (on its own: {})\n",
                esc(&i.description),
                esc(&i.level)
            ));
        }
        for x in &v.reasons {
            o.push_str(&format!(
                "- Rule: {} ({})\n",
                esc(&x.reason),
                esc(&x.effect)
            ));
        }
        if v.indicators.is_empty() && v.reasons.is_empty() {
            o.push_str("- No concerns recorded.\n");
        }
        o.push('\n');
    }
    if !r.themes_too_low.is_empty() {
        o.push_str("## Themes placed too low\n\n| Theme | Answers | Too low | Share |\n|---|---|---|---|\n");
        for t in &r.themes_too_low {
            o.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                esc(&t.label),
                t.n,
                t.too_low,
                pct(Some(t.share))
            ));
        }
        o.push('\n');
    }
    o.push_str(&format!(
        "## Responses\n\n{} row(s) read, {} rejected{}.\n",
        r.responses_read,
        r.rejected.len(),
        super::replaced_note(r.replaced)
    ));
    if !r.rejected.is_empty() {
        o.push_str("\n| Line | Column | Reason |\n|---|---|---|\n");
        for x in &r.rejected {
            o.push_str(&format!(
                "| {} | {} | {} |\n",
                x.row,
                esc(&x.column),
                esc(&x.reason)
            ));
        }
    }
    o
}

/// The printable handout of a pack: the levels to choose from, then each
/// vignette's case notes with a space for the answer. No levels are given.
pub fn handout(plan: &crate::plan::Plan, cases: &[crate::exercise::notes::CaseNotes]) -> String {
    let mut o = format!(
        "# Threshold exercise: case vignettes\n\nThreshold guidance: {}\n\nRead each case and decide which level of need it meets:\n\n",
        esc(&plan.name)
    );
    for (i, l) in plan.levels.iter().enumerate() {
        o.push_str(&format!("{}. {}\n", i + 1, esc(&l.label)));
    }
    for n in cases {
        o.push_str(&format!("\n## Case {}\n\n", esc(&n.id)));
        for (k, v) in &n.facts {
            o.push_str(&format!("- {}: {}\n", esc(k), esc(v)));
        }
        if n.concerns.is_empty() {
            o.push_str("\nNo concerns are recorded.\n");
        } else {
            o.push_str("\nConcerns recorded:\n\n");
            for (d, items) in &n.concerns {
                for i in items {
                    o.push_str(&format!("- {}: {}\n", esc(d), esc(i)));
                }
            }
        }
        o.push_str("\nLevel of need: ______\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_escapes_names_and_shows_phases() {
        let r = crate::report::exercise::sample_report("Ann | *x*");
        let md = render(&r);
        assert!(md.contains("| Ann \\| \\*x\\* |"), "{md}");
        assert!(md.contains("| pre |") && md.contains("| post |"));
        assert!(md.contains("Paired sign test, pre to post"));
    }
}
