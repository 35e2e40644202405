//! The audit as a short terminal summary (no `-o`): the standing questions,
//! the headline figures, each grouping, and the worst disagreements.

use std::fmt::Write as _;

use super::summary::answers;
use super::tables::{self, Table};
use crate::audit::Audit;

/// Evidence items shown on the terminal; the full list is in the reports.
pub const EVIDENCE_SHOWN: usize = 10;

/// Lays a table out in aligned columns (figures right-aligned).
pub fn aligned(t: &Table) -> String {
    let w: Vec<usize> = (0..t.headers.len())
        .map(|i| {
            t.rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain(t.headers.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut s = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let width = w.get(i).copied().unwrap_or(0);
            let pad = " ".repeat(width.saturating_sub(c.chars().count()));
            if t.num.contains(&i) {
                let _ = write!(s, " {pad}{c} ");
            } else {
                let _ = write!(s, " {c}{pad} ");
            }
        }
        s.trim_end().to_string()
    };
    let mut s = line(&t.headers);
    s.push('\n');
    for r in &t.rows {
        s.push_str(&line(r));
        s.push('\n');
    }
    s
}

/// Wraps plain text at about `width` columns, indenting continuation lines.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push('\n');
            out.push_str(indent);
            len = indent.len();
        } else if len > 0 {
            out.push(' ');
            len += 1;
        } else {
            out.push_str(indent);
            len = indent.len();
        }
        out.push_str(word);
        len += word.chars().count();
    }
    out
}

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
