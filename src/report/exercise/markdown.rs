//! The exercise report as Markdown (its document, rendered by
//! `report::doc::markdown`), and the printable handout of a pack. Every data
//! value is escaped (with the shared [`crate::report::markdown::escape`]):
//! trainee names and case details come from files a user supplied.

use super::Report;
use crate::report::markdown::escape as esc;

/// The Markdown report.
pub fn render(r: &Report) -> String {
    crate::report::doc::markdown::render(&super::document::build(r))
}

/// The printable handout of a pack: the levels to choose from, then each
/// vignette's case notes with a space for the answer. No levels are given.
pub fn handout(plan: &crate::plan::Plan, cases: &[crate::exercise::notes::CaseNotes]) -> String {
    let mut o = format!(
        "# Threshold exercise: case vignettes\n\nThreshold guidance: {}\n\nRead each case and decide which level of need it meets:\n\n",
        esc(&plan.name)
    );
    for (i, l) in plan.decl.levels.iter().enumerate() {
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
