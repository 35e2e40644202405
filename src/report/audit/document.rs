//! The audit as one [`Document`]: the board's standing questions answered
//! first, then agreement overall, the confusion matrix, each grouping, the
//! evidence list, the rules and the method. Markdown and HTML are
//! renderings of it (`report::doc`); the terminal summary shares its
//! tables ([`super::tables`]).

use super::summary::answers;
use super::tables;
use super::{group_value, METHOD};
use crate::audit::{Audit, Stats};
use crate::report::doc::{Block, Chart, Document, Inline, Reach, Section, Span};
use crate::report::html::chart::{Interval, Split};

/// The report's title: the rule set's name and version.
pub fn title(a: &Audit) -> String {
    let version = a
        .version
        .as_deref()
        .map_or(String::new(), |v| format!(" (version {v})"));
    format!("Threshold audit: {}{version}", a.name)
}

fn note(s: &Stats) -> String {
    if s.small() {
        format!("n = {}, too few to judge", s.n)
    } else {
        format!("n = {}", s.n)
    }
}

fn intervals<'a>(items: impl Iterator<Item = (&'a str, &'a Stats)>) -> Vec<Interval> {
    items
        .filter_map(|(g, s)| {
            let (low, high) = s.agreement_ci?;
            Some(Interval {
                label: group_value(g).to_string(),
                value: s.agreement?,
                low,
                high,
                note: note(s),
            })
        })
        .collect()
}

/// The document of an audit.
pub fn build(a: &Audit) -> Document {
    let mut intro = vec![Block::Paragraph(Inline::text(format!(
        "{} rows read: {} scored, {} rejected; {} with a decision compared with the rules.",
        a.read,
        a.scored,
        a.rejected.len(),
        a.overall.n
    )))];
    intro.extend(a.warnings.iter().map(|w| Block::Warning(Inline::ticked(w))));
    let mut sections = vec![
        Section::new("Standing questions").with(Block::Answers(
            answers(a)
                .into_iter()
                .map(|q| (Inline::ticked(&q.question), Inline::text(q.answer)))
                .collect(),
        )),
        Section::new("Agreement overall").with(tables::overall(&a.overall)),
        Section::new("Confusion matrix")
            .with(Inline::text(
                "Rows: the decision's level; columns: the level the rules give. Cells above the diagonal are decisions under the rules.",
            ))
            .with(Chart::HeatMap {
                title: "Decisions against the rules".into(),
                row_head: "decision ↓".into(),
                col_head: "rules →".into(),
                // Levels by label, as in the table (issue 14).
                labels: a.levels.iter().map(|l| l.label.clone()).collect(),
                cells: a.overall.confusion.rows(),
            })
            .with(tables::confusion(a, &a.overall)),
    ];
    for g in &a.groups {
        let mut bars = intervals(std::iter::once(("All decisions", &a.overall)));
        bars.extend(intervals(g.values.iter().map(|(v, s)| (v.as_str(), s))));
        sections.push(
            Section::new(format!("By {}", g.column))
                .with(Chart::Intervals {
                    title: format!("Agreement by {} (bars: 95% interval)", g.column),
                    rows: bars,
                })
                .with(tables::groups(
                    &g.column,
                    g.values.iter().map(|(v, s)| (v.as_str(), s)),
                )),
        );
    }
    if !a.themes.is_empty() {
        let mut s = Section::new("By theme").sheet("Themes").with(Inline::text(
            "Records with at least one present indicator of the theme.",
        ));
        let splits: Vec<Split> = a
            .themes
            .iter()
            .filter(|(_, s)| s.n > 0)
            .map(|(t, s)| Split {
                label: t.label.clone(),
                under: s.under_share().unwrap_or(0.0),
                over: s.over_share().unwrap_or(0.0),
                note: format!("({})", note(s)),
            })
            .collect();
        if !splits.is_empty() {
            s.push(Chart::Splits {
                title: "Decisions under and over the rules, by theme".into(),
                rows: splits,
            });
        }
        s.push(tables::groups(
            "theme",
            a.themes.iter().map(|(t, s)| (t.label.as_str(), s)),
        ));
        sections.push(s);
    }
    if let Some(p) = &a.columns.period {
        let mut s = Section::new(format!("By period ({p})")).sheet("Periods");
        // The trend line joins only the periods ordered by time.
        let timed = crate::audit::findings::timed(a);
        let points = intervals(timed.iter().map(|(v, s)| (v.as_str(), s)));
        if !points.is_empty() {
            s.push(Chart::Trend {
                title: "Agreement by period (whiskers: 95% interval)".into(),
                points,
            });
        }
        s.push(tables::groups(
            "period",
            a.periods.iter().map(|(v, s)| (v.as_str(), s)),
        ));
        sections.push(s);
    }
    let mut groupings: Vec<(&str, Vec<(&str, &Stats)>)> = a
        .groups
        .iter()
        .map(|g| {
            (
                g.column.as_str(),
                g.values.iter().map(|(v, s)| (v.as_str(), s)).collect(),
            )
        })
        .collect();
    if !a.themes.is_empty() {
        groupings.push((
            "theme",
            a.themes
                .iter()
                .map(|(t, s)| (t.label.as_str(), s))
                .collect(),
        ));
    }
    if a.columns.period.is_some() {
        groupings.push((
            "period",
            a.periods.iter().map(|(v, s)| (v.as_str(), s)).collect(),
        ));
    }
    sections.push(
        Section::new("Every figure, by group")
            .sheet("Figures")
            .reach(Reach::Workbook)
            .with(tables::figures(a, &groupings)),
    );
    let mut s = Section::new("Evidence: every disagreement, worst first").with(evidence_count(a));
    if !a.evidence.is_empty() {
        s.push(tables::evidence(a));
    }
    sections.push(s.reach(Reach::Reading));
    // The workbook's evidence: the same list with a column a fact, the
    // table first so that its header row is frozen and filterable.
    let mut s = Section::new("Evidence")
        .reach(Reach::Workbook)
        .with(tables::evidence_full(a));
    s.push(evidence_count(a));
    sections.push(s);
    let mut s = Section::new("How often each rule fired")
        .sheet("Rules")
        .with(tables::rules(a));
    let never: Vec<&str> = a.never_fired().collect();
    if !never.is_empty() {
        s.push(Inline::text(format!(
            "Never fired on this sample (worth a look): {}.",
            never.join(", ")
        )));
    }
    sections.push(s);
    if !a.rejected.is_empty() {
        sections.push(
            Section::new("Rejected rows")
                .sheet("Rejected")
                .with(Inline::text(format!(
                    "{} rows could not be used and are not in any figure above.",
                    a.rejected.len()
                )))
                .with(tables::rejected(a)),
        );
    }
    sections.push(Section::new("Method").with(Block::List(
        METHOD.iter().map(|m| Inline::text(*m)).collect(),
    )));
    Document {
        title: title(a),
        intro,
        sections,
    }
}

/// How many disagreements the evidence lists, and how many are alerts.
fn evidence_count(a: &Audit) -> Inline {
    Inline(vec![
        Span::Text(format!(
            "{} disagreements: {} under, {} over; ",
            a.evidence.len(),
            a.overall.under,
            a.overall.over
        )),
        Span::Alert(format!("{} safeguarding alerts", a.alerts())),
        Span::Text(" (listed first).".into()),
    ])
}
