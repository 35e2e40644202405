//! The audit as one self-contained HTML page (no scripts, fonts or images
//! from elsewhere) with inline SVG charts: agreement by group with interval
//! bars, the confusion matrix as a heat map, under/over by theme and the trend
//! by period. Every value from the data is escaped.

use std::fmt::Write as _;

use super::markdown::METHOD;
use super::summary::answers;
use super::tables::{self, Table};
use super::{group_value, pct};
use crate::audit::{Audit, Stats};
use crate::report::html::chart::{self, Interval, Split};
use crate::report::html::{escape, page, table};

fn html(t: &Table) -> String {
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c.as_str() {
                    "ALERT" => "<span class=\"alert\">ALERT</span>".to_string(),
                    c if c.starts_with("too few")
                        || c.starts_with("kappa undefined")
                        || c == "no decisions" =>
                    {
                        format!("<span class=\"note\">{}</span>", escape(c))
                    }
                    c => escape(c),
                })
                .collect()
        })
        .collect();
    table(&t.heads(), &t.num, &rows)
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

/// The report as an HTML page.
pub fn render(a: &Audit) -> String {
    let mut b = String::new();
    let title = format!("Threshold audit: {}", a.name);
    let _ = writeln!(b, "<h1>{}</h1>", escape(&title));
    let version = a
        .version
        .as_deref()
        .map_or(String::new(), |v| format!("Version {}. ", escape(v)));
    let _ = writeln!(
        b,
        "<p class=\"muted\">{version}{} rows read: {} scored, {} rejected; {} with a decision compared with the rules.</p>",
        a.read,
        a.scored,
        a.rejected.len(),
        a.overall.n
    );
    for w in &a.warnings {
        b.push_str(&crate::report::html::warning(w));
    }
    b.push_str("<h2>Standing questions</h2>\n<dl class=\"summary\">\n");
    for q in answers(a) {
        let _ = writeln!(
            b,
            "<dt>{}</dt><dd>{}</dd>",
            escape(&q.question),
            escape(&q.answer)
        );
    }
    b.push_str("</dl>\n<h2>Agreement overall</h2>\n");
    b.push_str(&html(&tables::overall(&a.overall)));
    b.push_str("<h2>Confusion matrix</h2>\n<p>Rows: the decision&#39;s level; columns: the level the rules give. Blue: agreement; vermilion (above the diagonal): decision under the rules; orange: decision over the rules.</p>\n");
    let labels: Vec<String> = a.levels.iter().map(|l| l.id.clone()).collect();
    b.push_str(&chart::heat_map(
        "Decisions against the rules",
        "decision ↓",
        "rules →",
        &labels,
        &a.overall.confusion.rows(),
    ));
    b.push_str(&html(&tables::confusion(a, &a.overall)));
    for g in &a.groups {
        let _ = writeln!(b, "<h2>By {}</h2>", escape(&g.column));
        let mut bars = intervals(std::iter::once(("All decisions", &a.overall)));
        bars.extend(intervals(g.values.iter().map(|(v, s)| (v.as_str(), s))));
        b.push_str(&chart::interval_bars(
            &format!("Agreement by {} (bars: 95% interval)", g.column),
            &bars,
        ));
        b.push_str(&html(&tables::groups(
            &g.column,
            g.values.iter().map(|(v, s)| (v.as_str(), s)),
        )));
    }
    if !a.themes.is_empty() {
        b.push_str(
            "<h2>By theme</h2>\n<p>Records with at least one present indicator of the theme.</p>\n",
        );
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
            b.push_str(&chart::split_bars(
                "Decisions under and over the rules, by theme",
                &splits,
            ));
        }
        b.push_str(&html(&tables::groups(
            "theme",
            a.themes.iter().map(|(t, s)| (t.label.as_str(), s)),
        )));
    }
    if let Some(p) = &a.columns.period {
        let _ = writeln!(b, "<h2>By period ({})</h2>", escape(p));
        // The trend line joins only the periods ordered by time.
        let timed = crate::audit::findings::timed(a);
        let points = intervals(timed.iter().map(|(v, s)| (v.as_str(), s)));
        if !points.is_empty() {
            b.push_str(&chart::trend(
                "Agreement by period (whiskers: 95% interval)",
                &points,
            ));
        }
        b.push_str(&html(&tables::groups(
            "period",
            a.periods.iter().map(|(v, s)| (v.as_str(), s)),
        )));
    }
    let _ = writeln!(
        b,
        "<h2>Evidence: every disagreement, worst first</h2>\n<p>{} disagreements: {} under ({}), {} over; <span class=\"alert\">{} safeguarding alerts</span> (listed first).</p>",
        a.evidence.len(),
        a.overall.under,
        pct(a.overall.under_share().unwrap_or(0.0)),
        a.overall.over,
        a.alerts()
    );
    if !a.evidence.is_empty() {
        b.push_str(&html(&tables::evidence(a)));
    }
    b.push_str("<h2>How often each rule fired</h2>\n");
    b.push_str(&html(&tables::rules(a)));
    let never: Vec<String> = a.never_fired().map(escape).collect();
    if !never.is_empty() {
        let _ = writeln!(
            b,
            "<p>Never fired on this sample (worth a look): {}.</p>",
            never.join(", ")
        );
    }
    if !a.rejected.is_empty() {
        let _ = writeln!(
            b,
            "<h2>Rejected rows</h2>\n<p>{} rows could not be used and are not in any figure above.</p>",
            a.rejected.len()
        );
        b.push_str(&html(&tables::rejected(a)));
    }
    b.push_str("<h2>Method</h2>\n<ul>\n");
    for m in METHOD {
        let _ = writeln!(b, "<li>{}</li>", escape(m));
    }
    b.push_str("</ul>\n");
    page(&title, &b)
}
