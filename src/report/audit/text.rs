//! The audit as a short terminal summary (no `-o`): the standing questions,
//! the headline figures, each grouping, and the worst disagreements.

use std::fmt::Write as _;

use super::summary::answers;
use super::tables;
use crate::audit::Audit;
use crate::report::doc::text::{aligned, wrap};

/// Evidence items shown on the terminal; the full list is in the reports.
pub const EVIDENCE_SHOWN: usize = 10;

/// The terminal summary.
pub fn render(a: &Audit) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Threshold audit: {}", a.name);
    let _ = writeln!(
        s,
        "{} rows read: {} scored, {} rejected; {} with a decision.\n",
        a.read,
        a.scored,
        a.rejected.len(),
        a.overall.n
    );
    for w in &a.warnings {
        let _ = writeln!(s, "WARNING: {}\n", crate::text::shorten_all(w));
    }
    for q in answers(a) {
        let _ = writeln!(s, "{}\n{}\n", q.question, wrap(&q.answer, 88, "  "));
    }
    s.push_str(&aligned(&tables::overall(&a.overall)));
    for g in &a.groups {
        let _ = writeln!(s, "\nBy {}:", g.column);
        s.push_str(&aligned(&tables::groups(
            &g.column,
            g.values.iter().map(|(v, st)| (v.as_str(), st)),
        )));
    }
    if a.themes.iter().any(|(_, st)| st.scored > 0) {
        s.push_str("\nBy theme:\n");
        s.push_str(&aligned(&tables::groups(
            "theme",
            a.themes.iter().map(|(t, st)| (t.label.as_str(), st)),
        )));
    }
    if a.columns.period.is_some() {
        s.push_str("\nBy period:\n");
        s.push_str(&aligned(&tables::groups(
            "period",
            a.periods.iter().map(|(v, st)| (v.as_str(), st)),
        )));
    }
    if !a.evidence.is_empty() {
        let _ = writeln!(
            s,
            "\nWorst disagreements ({} of {}; write a report with -o audit.html|.md|.xlsx|.csv|.json for all):",
            a.evidence.len().min(EVIDENCE_SHOWN),
            a.evidence.len()
        );
        let mut t = tables::evidence(a);
        t.rows.truncate(EVIDENCE_SHOWN);
        s.push_str(&aligned(&t));
    }
    let never: Vec<&str> = a.never_fired().collect();
    if !never.is_empty() {
        let _ = writeln!(
            s,
            "\nRules that never fired on this sample: {}",
            never.join(", ")
        );
    }
    s
}
