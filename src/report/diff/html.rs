//! The HTML report: one self-contained page (inline CSS and SVG, no scripts,
//! nothing fetched), with a Sankey-style chart of the flows between levels.
//! Every value from a rule file or the data is escaped.

mod sankey;

use std::fmt::Write as _;

use super::{delta, p_value, pct, pp, seconds, signed, stat, DiffReport, LIST_LIMIT};
use crate::diff::impact::Responsible;
use crate::diff::Impact;
use crate::report::html::{escape as esc, page_with_style};

/// A change sentence: escaped, with `ids` as code.
fn sentence(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}\
th:first-child,td:first-child{text-align:left}td.l{text-align:left}thead th{background:#f0f0f0;position:sticky;top:0}\
.note{background:#fff4d6;border-left:4px solid #e0a800;padding:.5em 1em}code{background:#f4f4f4;padding:0 .2em}\
.up{color:#a33}.down{color:#236}";

fn row(out: &mut String, cells: &[String]) {
    out.push_str("<tr>");
    for c in cells {
        let _ = write!(out, "<td>{c}</td>");
    }
    out.push_str("</tr>\n");
}

fn head(out: &mut String, cells: &[&str]) {
    out.push_str("<table><thead><tr>");
    for c in cells {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr></thead><tbody>\n");
}

fn rules(rs: &[Responsible]) -> String {
    rs.iter()
        .map(|r| format!("<code>{}</code> ({})", esc(&r.rule), r.why()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn codes(xs: &[String]) -> String {
    xs.iter()
        .map(|x| format!("<code>{}</code>", esc(x)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report as one HTML page.
pub fn render(r: &DiffReport<'_>) -> String {
    let s = r.structure;
    let mut out = String::new();
    out.push_str("<h1>Rule change impact</h1>\n<ul>");
    let _ = write!(
        out,
        "<li>Old rules: <code>{}</code> — {}</li>",
        esc(&r.old_file),
        esc(&s.old_name)
    );
    let _ = write!(
        out,
        "<li>New rules: <code>{}</code> — {}</li>",
        esc(&r.new_file),
        esc(&s.new_name)
    );
    if let Some(d) = &r.data_file {
        let _ = write!(out, "<li>Data: <code>{}</code></li>", esc(d));
    }
    out.push_str("</ul>\n");
    for w in r.warnings {
        out.push_str(&crate::report::html::warning(w));
    }
    out.push_str("<h2>What changed in the rules</h2>\n");
    if let Some(note) = &s.level_note {
        let _ = writeln!(
            out,
            "<p class=\"note\"><strong>Levels differ:</strong> {}</p>",
            esc(note)
        );
    }
    if s.is_empty() {
        out.push_str("<p>No change: the two rule files say the same thing.</p>\n");
    }
    let mut section = None;
    for c in &s.changes {
        if section != Some(c.section) {
            if section.is_some() {
                out.push_str("</ul>\n");
            }
            let _ = write!(out, "<h3>{}</h3>\n<ul>", c.section.title());
            section = Some(c.section);
        }
        let _ = write!(out, "<li>{}</li>", sentence(&c.text));
    }
    if section.is_some() {
        out.push_str("</ul>\n");
    }
    if let Some(i) = r.impact {
        impact(r, i, &mut out);
    }
    if let Some(t) = &r.timing {
        out.push_str("<h2>Timing</h2>\n");
        head(&mut out, &["Measure", "Time"]);
        row(
            &mut out,
            &["Whole pass (wall)".into(), seconds(t.wall_seconds)],
        );
        row(
            &mut out,
            &["Scoring under old rules".into(), seconds(t.old_seconds)],
        );
        row(
            &mut out,
            &["Scoring under new rules".into(), seconds(t.new_seconds)],
        );
        out.push_str("</tbody></table>\n");
        let _ = writeln!(out, "<p>{}</p>", super::timed_note(t.sampled));
    }
    page_with_style("Rule change impact", STYLE, &out)
}

fn impact(r: &DiffReport<'_>, i: &Impact, out: &mut String) {
    let lv = &i.levels;
    let a = &i.agreement;
    let share = (i.n > 0).then(|| i.changed as f64 / i.n as f64);
    out.push_str("<h2>Summary</h2>\n<ul>");
    let _ = write!(
        out,
        "<li>Records scored under both versions: {} (rows read: {}, rejected: {})</li>",
        i.n,
        r.read,
        r.rejects.len()
    );
    let _ = write!(out, "<li>Level changed: {} ({}): <span class=\"up\">{} up</span>, <span class=\"down\">{} down</span></li>", i.changed, pct(share), i.up, i.down);
    if a.old.n > 0 || a.new.n > 0 {
        let _ = write!(
            out,
            "<li>Agreement with recorded decisions: kappa {} → {} ({})</li>",
            stat(a.old.kappa),
            stat(a.new.kappa),
            signed(a.kappa_change)
        );
    }
    out.push_str("</ul>\n<h2>Flows between levels</h2>\n");
    out.push_str(&sankey::svg(i));

    out.push_str("<h2>Transitions (rows: old level, columns: new level)</h2>\n");
    let mut cols: Vec<&str> = vec!["Old \\ New"];
    cols.extend(lv.new.iter().map(String::as_str));
    cols.push("Total");
    head(out, &cols);
    for (o, counts) in lv.old.iter().zip(&i.transitions) {
        let mut cells = vec![esc(o)];
        cells.extend(counts.iter().map(u64::to_string));
        cells.push(counts.iter().sum::<u64>().to_string());
        row(out, &cells);
    }
    out.push_str("</tbody></table>\n<h2>Demand per level</h2>\n");
    head(
        out,
        &[
            "Level",
            "Old",
            "New",
            "Change",
            "Old share",
            "New share",
            "Change in share",
        ],
    );
    for d in &i.demand {
        row(
            out,
            &[
                esc(&d.level),
                d.old.to_string(),
                d.new.to_string(),
                delta(d.change),
                pct(d.old_share),
                pct(d.new_share),
                pp(d.share_change),
            ],
        );
    }
    out.push_str("</tbody></table>\n");
    if !i.flags.is_empty() {
        out.push_str("<h2>Flags</h2>\n");
        head(
            out,
            &[
                "Flag",
                "Old",
                "New",
                "Change",
                "Records gaining",
                "Records losing",
            ],
        );
        for f in &i.flags {
            let note = match (f.in_old, f.in_new) {
                (true, false) => " (removed)",
                (false, true) => " (new)",
                _ => "",
            };
            row(
                out,
                &[
                    format!("<code>{}</code>{note}", esc(&f.flag)),
                    f.old.to_string(),
                    f.new.to_string(),
                    delta(f.change),
                    f.gained.to_string(),
                    f.lost.to_string(),
                ],
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("<h2>Agreement with recorded decisions</h2>\n");
    if a.old.n == 0 && a.new.n == 0 {
        out.push_str("<p>No record has a recorded decision.</p>\n");
    } else {
        let diff = |x: Option<f64>, y: Option<f64>| signed(x.zip(y).map(|(x, y)| y - x));
        head(out, &["Measure", "Old", "New", "Change"]);
        row(
            out,
            &[
                "Records with a decision".into(),
                a.old.n.to_string(),
                a.new.n.to_string(),
                String::new(),
            ],
        );
        row(
            out,
            &[
                "Agreement".into(),
                pct(a.old.agreement),
                pct(a.new.agreement),
                pp(a.agreement_change),
            ],
        );
        row(
            out,
            &[
                "Cohen's kappa".into(),
                stat(a.old.kappa),
                stat(a.new.kappa),
                signed(a.kappa_change),
            ],
        );
        row(
            out,
            &[
                "Weighted kappa (linear)".into(),
                stat(a.old.kappa_linear),
                stat(a.new.kappa_linear),
                diff(a.old.kappa_linear, a.new.kappa_linear),
            ],
        );
        row(
            out,
            &[
                "Weighted kappa (quadratic)".into(),
                stat(a.old.kappa_quadratic),
                stat(a.new.kappa_quadratic),
                diff(a.old.kappa_quadratic, a.new.kappa_quadratic),
            ],
        );
        out.push_str("</tbody></table>\n");
        let _ = writeln!(
            out,
            "<p>McNemar's test on agree/disagree ({} records): {} agree under the old rules only, {} under the new only; χ² = {:.3}, p = {} (exact p = {}).</p>",
            a.paired, a.agree_old_only, a.agree_new_only, a.mcnemar_statistic, p_value(a.mcnemar_p), p_value(a.mcnemar_p_exact)
        );
    }
    out.push_str("<h2>Rules fired</h2>\n");
    head(out, &["Rule", "Old", "New", "Change", "Note"]);
    for x in &i.rules {
        let show = |v: Option<u64>| v.map_or_else(|| "—".into(), |v| v.to_string());
        let note = match (x.old, x.new) {
            (None, _) => "new rule",
            (_, None) => "removed",
            _ if x.effect_changed => "effect changed",
            _ => "",
        };
        let ch = delta(x.new.unwrap_or(0) as i64 - x.old.unwrap_or(0) as i64);
        row(
            out,
            &[
                format!("<code>{}</code>", esc(&x.rule)),
                show(x.old),
                show(x.new),
                ch,
                format!("<span class=\"l\">{note}</span>"),
            ],
        );
    }
    out.push_str("</tbody></table>\n<h2>Records whose level changed</h2>\n");
    if i.changes.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        let cols = super::changed_columns(i);
        let moved = cols.len() == 5;
        head(out, cols);
        for c in i.changes.iter().take(LIST_LIMIT) {
            let mut cells = vec![esc(&c.id), esc(&c.old), esc(&c.new), rules(&c.rules)];
            if moved {
                cells.push(codes(&c.indicators));
            }
            row(out, &cells);
        }
        out.push_str("</tbody></table>\n");
        if i.changes.len() > LIST_LIMIT {
            let _ = writeln!(out, "<p>The first {LIST_LIMIT} of {} are listed; the JSON and Excel reports list all.</p>", i.changes.len());
        }
    }
    if !i.flag_changes.is_empty() {
        out.push_str("<h2>Records whose flags changed</h2>\n");
        head(out, &["Id", "Gained", "Lost", "Rules responsible"]);
        for c in i.flag_changes.iter().take(LIST_LIMIT) {
            row(
                out,
                &[
                    esc(&c.id),
                    codes(&c.gained),
                    codes(&c.lost),
                    rules(&c.rules),
                ],
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !r.rejects.is_empty() {
        out.push_str("<h2>Rejected rows</h2>\n");
        head(out, &["Row", "Column", "Reason"]);
        for x in r.rejects.iter().take(LIST_LIMIT) {
            row(out, &[x.row.to_string(), esc(&x.column), esc(&x.reason)]);
        }
        out.push_str("</tbody></table>\n");
    }
}
