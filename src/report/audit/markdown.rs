//! The audit as Markdown: standing questions first, then the figures, the
//! evidence list and the method. Every value from the data is escaped.

use std::fmt::Write as _;

use super::summary::answers;
use super::tables::{self, Table};
use crate::audit::Audit;
use crate::report::markdown::{escape, table};

fn md(t: &Table) -> String {
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| escape(c)).collect())
        .collect();
    let heads: Vec<String> = t.headers.iter().map(|h| escape(h)).collect();
    let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
    table(&heads, &t.num, &rows)
}

/// How the figures are defined, for every human-facing report.
pub const METHOD: [&str; 6] = [
    "n counts records with a recorded decision; records without one are scored but not compared.",
    "over: the decision's level is above the rules' level; under: below it (possible missed need). Distance = decision rank minus rules rank.",
    "Observed agreement has a Wilson 95% interval. Cohen's kappa has the asymptotic standard error of Fleiss, Cohen and Everitt (1969) and a 95% interval of ±1.96 SE.",
    "Weighted kappa uses linear (Cicchetti–Allison) or quadratic (Fleiss–Cohen) weights on the ranks of the full scale of levels; Gwet's AC1 also uses every level of the scale.",
    "Bands for kappa and AC1 (Landis and Koch 1977): below 0 poor, up to 0.20 slight, 0.40 fair, 0.60 moderate, 0.80 substantial, above almost perfect.",
    "Fewer than 30 decisions give wide intervals: such groups are marked too few to judge. A safeguarding alert is a decision below the top level where the rules say the top level.",
];

/// The report as Markdown.
pub fn render(a: &Audit) -> String {
    let mut s = String::new();
    let version = a
        .version
        .as_deref()
        .map_or(String::new(), |v| format!(" (version {})", escape(v)));
    let _ = writeln!(s, "# Threshold audit: {}{version}\n", escape(&a.name));
    let _ = writeln!(
        s,
        "{} rows read: {} scored, {} rejected; {} with a decision compared with the rules.\n",
        a.read,
        a.scored,
        a.rejected.len(),
        a.overall.n
    );
    for w in &a.warnings {
        let _ = writeln!(s, "> **Warning:** {}\n", escape(w));
    }
    s.push_str("## Standing questions\n\n");
    for q in answers(a) {
        let _ = writeln!(s, "**{}**  \n{}\n", escape(&q.question), escape(&q.answer));
    }
    s.push_str("## Agreement overall\n\n");
    s.push_str(&md(&tables::overall(&a.overall)));
    s.push_str("\n## Confusion matrix\n\nRows: the decision's level; columns: the level the rules give. Cells above the diagonal are decisions under the rules.\n\n");
    s.push_str(&md(&tables::confusion(a, &a.overall)));
    for g in &a.groups {
        let _ = writeln!(s, "\n## By {}\n", escape(&g.column));
        s.push_str(&md(&tables::groups(
            &g.column,
            g.values.iter().map(|(v, st)| (v.as_str(), st)),
        )));
    }
    if !a.themes.is_empty() {
        s.push_str(
            "\n## By theme\n\nRecords with at least one present indicator of the theme.\n\n",
        );
        s.push_str(&md(&tables::groups(
            "theme",
            a.themes.iter().map(|(t, st)| (t.label.as_str(), st)),
        )));
    }
    if let Some(p) = &a.columns.period {
        let _ = writeln!(s, "\n## By period ({})\n", escape(p));
        s.push_str(&md(&tables::groups(
            "period",
            a.periods.iter().map(|(v, st)| (v.as_str(), st)),
        )));
    }
    let _ = writeln!(
        s,
        "\n## Evidence: every disagreement, worst first\n\n{} disagreements: {} under, {} over; {} safeguarding alerts (listed first).\n",
        a.evidence.len(),
        a.overall.under,
        a.overall.over,
        a.alerts()
    );
    if !a.evidence.is_empty() {
        s.push_str(&md(&tables::evidence(a)));
    }
    s.push_str("\n## How often each rule fired\n\n");
    s.push_str(&md(&tables::rules(a)));
    let never: Vec<String> = a.never_fired().map(escape).collect();
    if !never.is_empty() {
        let _ = writeln!(
            s,
            "\nNever fired on this sample (worth a look): {}.",
            never.join(", ")
        );
    }
    if !a.rejected.is_empty() {
        let _ = writeln!(
            s,
            "\n## Rejected rows\n\n{} rows could not be used and are not in any figure above.\n",
            a.rejected.len()
        );
        s.push_str(&md(&tables::rejected(a)));
    }
    s.push_str("\n## Method\n\n");
    for m in METHOD {
        let _ = writeln!(s, "- {m}");
    }
    s
}
