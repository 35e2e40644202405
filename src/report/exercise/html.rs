//! The exercise report as one self-contained HTML page: no scripts, fonts or
//! external resources; every data value escaped; charts as inline SVG with
//! axes and legends (accuracy by trainee, first and last phase as a paired
//! chart; the spread of answers per vignette by level label, the rules'
//! level outlined).

use super::{fixed, pct, signed, Report};
use crate::report::html::{escape as esc, page_with_style};

/// Okabe-Ito colours (safe for colour-blind readers), one per level.
const PALETTE: [&str; 8] = [
    "#56b4e9", "#009e73", "#e69f00", "#d55e00", "#cc79a7", "#0072b2", "#f0e442", "#000000",
];
const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left}\
th{background:#eee}td.n{text-align:right}svg text{font-size:12px;font-family:sans-serif}";

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Left edge and width of the plotting area of both charts.
const X0: f64 = 170.0;
const PLOT: f64 = 340.0;

/// A percentage axis under a plot: gridlines, ticks at 0-100% and a title.
fn percent_axis(top: usize, bottom: usize, title: &str) -> String {
    let mut s = String::new();
    for t in 0..=4 {
        let x = X0 + PLOT * t as f64 / 4.0;
        s.push_str(&format!(
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"#ddd\"/>\
             <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}%</text>",
            bottom + 14,
            t * 25
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{X0}\" x2=\"{}\" y1=\"{bottom}\" y2=\"{bottom}\" stroke=\"#333\"/>\
         <line x1=\"{X0}\" x2=\"{X0}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"#333\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        X0 + PLOT,
        X0 + PLOT / 2.0,
        bottom + 30,
        esc(title)
    ));
    s
}

/// Accuracy by trainee. With two or more phases, a paired chart: each
/// trainee's first-phase and last-phase accuracy as two dots joined by a
/// line; otherwise one bar each. Axis 0-100%, legend above.
fn accuracy_chart(r: &Report) -> String {
    let phases: Option<(String, String)> = match &r.phases {
        Some(ph) if ph.0.len() >= 2 => Some((
            ph.0.first().map_or(String::new(), |p| p.0.clone()),
            ph.0.last().map_or(String::new(), |p| p.0.clone()),
        )),
        _ => None,
    };
    let in_phase = |t: &super::TraineeRow, name: &str| {
        t.phases
            .as_ref()
            .and_then(|p| p.0.iter().find(|(n, _)| n == name).and_then(|(_, a)| *a))
    };
    let row = 22;
    let top = 30;
    let bottom = top + row * r.trainees.len().max(1);
    let h = bottom + 40;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"620\" height=\"{h}\" role=\"img\" aria-label=\"Accuracy by trainee\">"
    );
    let (before, after) = ("#e69f00", "#0072b2");
    match &phases {
        Some((first, last)) => s.push_str(&format!(
            "<circle cx=\"{}\" cy=\"10\" r=\"5\" fill=\"#fff\" stroke=\"{before}\" stroke-width=\"2\"/><text x=\"{}\" y=\"14\">{}</text>\
             <circle cx=\"{}\" cy=\"10\" r=\"5\" fill=\"{after}\"/><text x=\"{}\" y=\"14\">{}</text>",
            X0 + 6.0,
            X0 + 16.0,
            esc(first),
            X0 + 146.0,
            X0 + 156.0,
            esc(last)
        )),
        None => s.push_str(&format!(
            "<rect x=\"{X0}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{after}\"/><text x=\"{}\" y=\"13\">answers matching the guidance</text>",
            X0 + 14.0
        )),
    }
    s.push_str(&percent_axis(
        top - 4,
        bottom,
        "Share of the trainee's answers matching the guidance",
    ));
    for (i, t) in r.trainees.iter().enumerate() {
        let y = top + row * i;
        let mid = y + row / 2;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            X0 - 8.0,
            mid + 4,
            esc(&crate::text::shorten(&t.trainee))
        ));
        let x = |v: f64| X0 + PLOT * v;
        match &phases {
            Some((first, last)) => {
                let (a, b) = (in_phase(t, first), in_phase(t, last));
                if let (Some(a), Some(b)) = (a, b) {
                    s.push_str(&format!(
                        "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{mid}\" y2=\"{mid}\" stroke=\"#888\" stroke-width=\"2\"/>",
                        x(a),
                        x(b)
                    ));
                }
                if let Some(a) = a {
                    s.push_str(&format!(
                        "<circle cx=\"{:.1}\" cy=\"{mid}\" r=\"5\" fill=\"#fff\" stroke=\"{before}\" stroke-width=\"2\"><title>{}: {}</title></circle>",
                        x(a),
                        esc(first),
                        pct(Some(a))
                    ));
                }
                if let Some(b) = b {
                    s.push_str(&format!(
                        "<circle cx=\"{:.1}\" cy=\"{mid}\" r=\"5\" fill=\"{after}\"><title>{}: {}</title></circle>",
                        x(b),
                        esc(last),
                        pct(Some(b))
                    ));
                }
                s.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\">{} \u{2192} {}</text>",
                    X0 + PLOT + 8.0,
                    mid + 4,
                    esc(&pct(a)),
                    esc(&pct(b))
                ));
            }
            None => {
                let v = t.accuracy;
                let w = PLOT * v.unwrap_or(0.0);
                s.push_str(&format!(
                    "<rect x=\"{X0}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{after}\"/><text x=\"{:.1}\" y=\"{}\">{}</text>",
                    y + 4,
                    row - 8,
                    X0 + w + 5.0,
                    mid + 4,
                    esc(&pct(v))
                ));
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// The spread of answers per vignette: one bar per vignette split by the
/// level answered (share of its answers), the rules' level outlined; axis
/// 0-100%, a legend of level labels above.
fn spread_chart(r: &Report) -> String {
    let legend_row = 16;
    let top = 10 + legend_row * (r.levels.len() + 1);
    let row = 22;
    let bottom = top + row * r.vignettes.len().max(1);
    let h = bottom + 40;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"{h}\" role=\"img\" aria-label=\"Answers per vignette\">"
    );
    for (k, l) in r.levels.iter().enumerate() {
        let y = 4 + legend_row * k;
        s.push_str(&format!(
            "<rect x=\"{X0}\" y=\"{y}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            colour(k),
            X0 + 14.0,
            y + 9,
            esc(&crate::text::shorten(&l.label))
        ));
    }
    let y = 4 + legend_row * r.levels.len();
    s.push_str(&format!(
        "<rect x=\"{X0}\" y=\"{y}\" width=\"10\" height=\"10\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">outlined: the level the guidance gives</text>",
        X0 + 14.0,
        y + 9
    ));
    s.push_str(&percent_axis(
        top - 4,
        bottom,
        "Share of the answers to the case",
    ));
    for (i, v) in r.vignettes.iter().enumerate() {
        let y = top + row * i;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            X0 - 8.0,
            y + row / 2 + 4,
            esc(&v.vignette)
        ));
        let mut x = X0;
        for (k, (id, n)) in v.answers.0.iter().enumerate() {
            if *n == 0 || v.n == 0 {
                continue;
            }
            let w = PLOT * *n as f64 / v.n as f64;
            let mark = if *id == v.level {
                " stroke=\"#000\" stroke-width=\"2\""
            } else {
                ""
            };
            let label = r.levels.get(k).map_or(id.as_str(), |l| l.label.as_str());
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"{mark}><title>{}: {n}</title></rect>",
                y + 3,
                row - 6,
                colour(k),
                esc(label)
            ));
            x += w;
        }
    }
    s.push_str("</svg>");
    s
}

/// The HTML report.
pub fn render(r: &Report) -> String {
    let mut o = format!(
        "<h1>Threshold exercise results</h1>\n<p>Rules: {}</p>\n",
        esc(&r.continuum)
    );
    for w in &r.warnings {
        o.push_str(&crate::report::html::warning(w));
    }
    if let Some(p) = &r.phase {
        o.push_str(&format!(
            "<p>Figures for the last phase, <strong>{}</strong>.</p>\n",
            esc(p)
        ));
    }
    o.push_str(&format!(
        "<h2>Cohort</h2>\n<table><tr><th>Answers</th><td class=\"n\">{}</td></tr><tr><th>Trainees</th><td class=\"n\">{}</td></tr><tr><th>Matching the rules</th><td class=\"n\">{} ({})</td></tr><tr><th>Fleiss' kappa</th><td class=\"n\">{}</td></tr><tr><th>Krippendorff's alpha (ordinal)</th><td class=\"n\">{}</td></tr></table>\n",
        r.n, r.trainees.len(), r.correct, esc(&pct(r.accuracy)), esc(&fixed(r.fleiss_kappa)), esc(&fixed(r.krippendorff_alpha))
    ));
    if let Some(ph) = &r.phases {
        o.push_str("<h2>Phases</h2>\n<table><tr><th>Phase</th><th>Answers</th><th>Trainees</th><th>Accuracy</th><th>Fleiss' kappa</th><th>Krippendorff's alpha</th></tr>\n");
        for (p, x) in &ph.0 {
            o.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                esc(p), x.n, x.trainees, esc(&pct(x.accuracy)), esc(&fixed(x.fleiss_kappa)), esc(&fixed(x.krippendorff_alpha))
            ));
        }
        o.push_str("</table>\n");
        if let Some(t) = &r.sign_test {
            o.push_str(&format!(
                "<p>Paired sign test, {} to {}: {} more accurate, {} less, {} unchanged; two-sided exact p = {}.</p>\n",
                esc(&t.from), esc(&t.to), t.positive, t.negative, t.ties, esc(&fixed(t.p))
            ));
        }
    }
    o.push_str("<h2>Trainees</h2>\n");
    o.push_str(&accuracy_chart(r));
    o.push_str("\n<table><tr><th>Trainee</th><th>Answers</th><th>Correct</th><th>Accuracy</th><th>Mean error</th><th>Mean absolute error</th></tr>\n");
    for t in &r.trainees {
        o.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            esc(&t.trainee), t.n, t.correct, esc(&pct(t.accuracy)), esc(&signed(t.mean_error)), esc(&fixed(t.mean_abs_error))
        ));
    }
    o.push_str("</table>\n<h2>Vignettes, hardest first</h2>\n");
    o.push_str(&spread_chart(r));
    o.push_str("\n<p>Outlined: the rules' level.</p>\n<table><tr><th>Vignette</th><th>Rules' level</th><th>Answers</th><th>Correct</th><th>Modal answer</th><th>Why (for the debrief)</th></tr>\n");
    // Levels by label wherever a reader sees them.
    let label = |id: &str| {
        r.levels
            .iter()
            .find(|l| l.id == id)
            .map_or(id.to_string(), |l| l.label.clone())
    };
    for v in &r.vignettes {
        let modal = v.modal.as_deref().map_or("–".to_string(), |m| {
            if v.modal_tie {
                format!("{} (tie: lower level shown)", esc(&label(m)))
            } else {
                esc(&label(m))
            }
        });
        let why: Vec<String> = v
            .indicators
            .iter()
            .map(|i| format!("{} ({})", esc(&i.description), esc(&label(&i.level))))
            .chain(
                v.reasons
                    .iter()
                    .map(|x| format!("Guidance: {}", esc(&x.reason))),
            )
            .collect();
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&v.vignette), esc(&v.level_label), v.n, esc(&pct(v.share_correct)), modal, why.join("<br/>")
        ));
    }
    o.push_str("</table>\n");
    if !r.themes_too_low.is_empty() {
        o.push_str("<h2>Themes placed too low</h2>\n<table><tr><th>Theme</th><th>Answers</th><th>Too low</th><th>Share</th></tr>\n");
        for t in &r.themes_too_low {
            o.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                esc(&t.label), t.n, t.too_low, esc(&pct(Some(t.share)))
            ));
        }
        o.push_str("</table>\n");
    }
    o.push_str(&format!(
        "<h2>Responses</h2>\n<p>{} row(s) read, {} rejected{}.</p>\n",
        r.responses_read,
        r.rejected.len(),
        super::replaced_note(r.replaced)
    ));
    if !r.rejected.is_empty() {
        o.push_str("<table><tr><th>Line</th><th>Column</th><th>Reason</th></tr>\n");
        for x in &r.rejected {
            o.push_str(&format!(
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
                x.row,
                esc(&x.column),
                esc(&x.reason)
            ));
        }
        o.push_str("</table>\n");
    }
    page_with_style("Threshold exercise results", STYLE, &o)
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn self_contained_and_escaped() {
        let r = crate::report::exercise::sample_report("<script>alert('x')</script>");
        let h = render(&r);
        assert!(!h.contains("<script"), "data must be escaped");
        assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(h.contains("&lt;b&gt;"));
        assert_eq!(h.matches("<svg").count(), 2);
        for bad in ["http://", "https://", "src=", "<link", "@import"] {
            let n = h.matches(bad).count();
            let allowed = if bad == "http://" { 3 } else { 0 }; // the page and two SVG xmlns
            assert_eq!(n, allowed, "{bad}");
        }
    }

    #[test]
    fn charts_have_axes_labels_and_a_paired_legend() {
        let r = crate::report::exercise::sample_report("Ann");
        let h = render(&r);
        // Both axes run 0-100% with titles.
        assert_eq!(h.matches(">100%</text>").count(), 2, "{h}");
        assert!(h.contains("Share of the trainee&#39;s answers matching the guidance"));
        assert!(h.contains("Share of the answers to the case"));
        // Level labels, never ids, in the legend; the rules' level is explained.
        assert!(h.contains(">Level 2 - Early help</text>"), "{h}");
        assert!(!h.contains(">early_help</text>"), "{h}");
        assert!(h.contains("outlined: the level the guidance gives"));
        // The paired chart: a legend for both phases, two dots per trainee.
        assert!(
            h.contains(">pre</text>") && h.contains(">post</text>"),
            "{h}"
        );
        assert_eq!(
            h.matches("<circle").count(),
            2 + 2 * r.trainees.len(),
            "{h}"
        );
        assert!(h.contains("\u{2192}"));
    }
}
