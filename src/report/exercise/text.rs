//! The exercise results as a short terminal summary (no `-o`).

use super::{fixed, pct, signed, Report};

/// A short summary for the terminal.
pub fn text(r: &Report) -> String {
    let mut o = String::new();
    for w in &r.warnings {
        o.push_str(&format!("WARNING: {}\n\n", crate::text::shorten_all(w)));
    }
    let phase = r
        .phase
        .as_ref()
        .map_or(String::new(), |p| format!(" (phase {p})"));
    o.push_str(&format!(
        "Exercise results{phase}: {} from {} on {}; {} match the rules ({}).\n",
        super::count(r.n, "answer"),
        super::count(r.trainees.len() as u64, "trainee"),
        super::count(
            r.vignettes.iter().filter(|v| v.n > 0).count() as u64,
            "vignette"
        ),
        r.correct,
        pct(r.accuracy)
    ));
    o.push_str(&format!(
        "Agreement among trainees: Fleiss' kappa {}, Krippendorff's alpha (ordinal) {}.\n",
        fixed(r.fleiss_kappa),
        fixed(r.krippendorff_alpha)
    ));
    if let Some(ph) = &r.phases {
        for (p, row) in &ph.0 {
            o.push_str(&format!(
                "  phase {p}: {} answers, accuracy {}\n",
                row.n,
                pct(row.accuracy)
            ));
        }
        if let Some(t) = &r.sign_test {
            o.push_str(&format!(
                "  sign test {} → {}: {} improved, {} worse, {} unchanged; p = {}\n",
                t.from,
                t.to,
                t.positive,
                t.negative,
                t.ties,
                fixed(t.p)
            ));
        }
    }
    o.push_str("\nTrainee              answers  accuracy  mean error\n");
    for t in &r.trainees {
        o.push_str(&format!(
            "{:<20} {:>7}  {:>8}  {:>10}\n",
            crate::text::shorten(&t.trainee),
            t.n,
            pct(t.accuracy),
            signed(t.mean_error)
        ));
    }
    o.push_str("\nHardest vignettes   rules' level          correct  modal answer\n");
    for v in r.vignettes.iter().filter(|v| v.n > 0).take(5) {
        o.push_str(&format!(
            "{:<19} {:<21} {:>7}  {}\n",
            v.vignette,
            v.level,
            pct(v.share_correct),
            v.modal.as_deref().unwrap_or("–")
        ));
    }
    if let Some(t) = r.themes_too_low.first().filter(|t| t.too_low > 0) {
        o.push_str(&format!(
            "\nMost often placed too low: {} ({} of {} answers).\n",
            t.label, t.too_low, t.n
        ));
    }
    if r.replaced > 0 {
        o.push_str(&format!(
            "\n{} answer(s) replaced by the same trainee's later answer (the last counts).\n",
            r.replaced
        ));
    }
    if !r.rejected.is_empty() {
        o.push_str(&format!("\n{} response(s) rejected:\n", r.rejected.len()));
        for x in &r.rejected {
            o.push_str(&format!("  line {}: {}: {}\n", x.row, x.column, x.reason));
        }
    }
    o
}
