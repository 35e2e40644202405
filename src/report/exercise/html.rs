//! The exercise report as one self-contained HTML page: no scripts, fonts or
//! external resources; every data value escaped; charts as inline SVG
//! (accuracy by trainee, first and last phase side by side; the spread of
//! answers per vignette with the rules' level marked).

use super::{fixed, pct, signed, Report};
use crate::report::html::{escape as esc, page_with_style};

const PALETTE: [&str; 8] = [
    "#4e9a06", "#c4a000", "#ce5c00", "#a40000", "#5c3566", "#204a87", "#8f5902", "#2e3436",
];
const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left}\
th{background:#eee}td.n{text-align:right}svg text{font-size:12px;font-family:sans-serif}";

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

fn accuracy_chart(r: &Report) -> String {
    let series: Vec<(String, Vec<Option<f64>>)> = match &r.phases {
        Some(ph) if ph.0.len() >= 2 => {
            let first = ph.0.first().map_or(String::new(), |p| p.0.clone());
            let last = ph.0.last().map_or(String::new(), |p| p.0.clone());
            let pick = |name: &str| {
                r.trainees
                    .iter()
                    .map(|t| {
                        t.phases
                            .as_ref()
                            .and_then(|p| p.0.iter().find(|(n, _)| n == name).and_then(|(_, a)| *a))
                    })
                    .collect()
            };
            vec![(first.clone(), pick(&first)), (last.clone(), pick(&last))]
        }
        _ => vec![(
            "accuracy".into(),
            r.trainees.iter().map(|t| t.accuracy).collect(),
        )],
    };
    let bar = 14;
    let row = bar * series.len() + 8;
    let h = 30 + row * r.trainees.len();
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"{h}\" role=\"img\" aria-label=\"Accuracy by trainee\">"
    );
    for (k, (name, _)) in series.iter().enumerate() {
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"13\">{}</text>",
            160 + 120 * k,
            colour(k + 5),
            174 + 120 * k,
            esc(name)
        ));
    }
    for (i, t) in r.trainees.iter().enumerate() {
        let y = 24 + row * i;
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}</text>",
            y + bar,
            esc(&crate::text::shorten(&t.trainee))
        ));
        for (k, (_, vals)) in series.iter().enumerate() {
            let v = vals.get(i).copied().flatten();
            let w = (v.unwrap_or(0.0) * 300.0).round();
            let yy = y + bar * k;
            s.push_str(&format!(
                "<rect x=\"160\" y=\"{yy}\" width=\"{w}\" height=\"{}\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
                bar - 2,
                colour(k + 5),
                165.0 + w,
                yy + bar - 3,
                esc(&pct(v))
            ));
        }
    }
    s.push_str("</svg>");
    s
}

fn spread_chart(r: &Report) -> String {
    let row = 20;
    let h = 30 + row * r.vignettes.len();
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"{h}\" role=\"img\" aria-label=\"Answers per vignette\">"
    );
    for (k, l) in r.levels.iter().enumerate() {
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"13\">{}</text>",
            80 + 110 * k,
            colour(k),
            94 + 110 * k,
            esc(&crate::text::shorten(&l.id))
        ));
    }
    for (i, v) in r.vignettes.iter().enumerate() {
        let y = 24 + row * i;
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{}</text>",
            y + 13,
            esc(&v.vignette)
        ));
        let mut x = 80.0;
        for (k, (id, n)) in v.answers.0.iter().enumerate() {
            if *n == 0 || v.n == 0 {
                continue;
            }
            let w = 400.0 * *n as f64 / v.n as f64;
            let mark = if *id == v.level {
                " stroke=\"#000\" stroke-width=\"2\""
            } else {
                ""
            };
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{}\"{mark}><title>{}: {n}</title></rect>",
                colour(k),
                esc(id)
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
    for v in &r.vignettes {
        let modal = v.modal.as_deref().map_or("–".to_string(), |m| {
            if v.modal_tie {
                format!("{} (tie: lower level shown)", esc(m))
            } else {
                esc(m)
            }
        });
        let why: Vec<String> = v
            .indicators
            .iter()
            .map(|i| format!("{} ({})", esc(&i.description), esc(&i.level)))
            .chain(
                v.reasons
                    .iter()
                    .map(|x| format!("Rule: {}", esc(&x.reason))),
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
}
