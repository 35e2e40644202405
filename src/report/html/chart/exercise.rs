//! The exercise report's charts: accuracy by trainee (a paired chart of
//! the first and last phase) and the spread of answers per vignette. Every
//! label is escaped here.

use crate::report::html::escape as esc;

/// One trainee's line of the accuracy chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Accuracy {
    /// The trainee (plain text).
    pub label: String,
    /// Accuracy (0..1) in the first phase (with phases).
    pub first: Option<f64>,
    /// Accuracy in the last phase, or overall without phases.
    pub last: Option<f64>,
}

/// One vignette's bar of the spread chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread {
    /// The vignette (plain text).
    pub label: String,
    /// Answers per level, in level order.
    pub counts: Vec<u64>,
    /// The rules' level (index into the levels), outlined.
    pub rules: Option<usize>,
}

/// A share as a whole percentage, or a dash.
fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{:.0}%", 100.0 * v))
}

/// Okabe-Ito colours (safe for colour-blind readers), one per level.
const PALETTE: [&str; 8] = [
    "#56b4e9", "#009e73", "#e69f00", "#d55e00", "#cc79a7", "#0072b2", "#f0e442", "#000000",
];
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

/// Accuracy by trainee. With `phases` (the first and the last), a paired
/// chart: each trainee's first-phase and last-phase accuracy as two dots
/// joined by a line; otherwise one bar each (`last`). Axis 0-100%, legend
/// above.
pub fn accuracy(phases: Option<&(String, String)>, rows: &[Accuracy]) -> String {
    let row = 22;
    let top = 30;
    let bottom = top + row * rows.len().max(1);
    let h = bottom + 40;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"620\" height=\"{h}\" role=\"img\" aria-label=\"Accuracy by trainee\">"
    );
    let (before, after) = ("#e69f00", "#0072b2");
    match phases {
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
    for (i, t) in rows.iter().enumerate() {
        let y = top + row * i;
        let mid = y + row / 2;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            X0 - 8.0,
            mid + 4,
            esc(&crate::text::shorten(&t.label))
        ));
        let x = |v: f64| X0 + PLOT * v;
        match phases {
            Some((first, last)) => {
                let (a, b) = (t.first, t.last);
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
                let v = t.last;
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
/// level answered (share of its answers; `levels` are the labels), the
/// rules' level outlined; axis 0-100%, a legend of level labels above.
pub fn spread(levels: &[String], rows: &[Spread]) -> String {
    let legend_row = 16;
    let top = 10 + legend_row * (levels.len() + 1);
    let row = 22;
    let bottom = top + row * rows.len().max(1);
    let h = bottom + 40;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"{h}\" role=\"img\" aria-label=\"Answers per vignette\">"
    );
    for (k, l) in levels.iter().enumerate() {
        let y = 4 + legend_row * k;
        s.push_str(&format!(
            "<rect x=\"{X0}\" y=\"{y}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            colour(k),
            X0 + 14.0,
            y + 9,
            esc(&crate::text::shorten(l))
        ));
    }
    let y = 4 + legend_row * levels.len();
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
    for (i, v) in rows.iter().enumerate() {
        let y = top + row * i;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            X0 - 8.0,
            y + row / 2 + 4,
            esc(&v.label)
        ));
        let mut x = X0;
        let total: u64 = v.counts.iter().sum();
        for (k, n) in v.counts.iter().enumerate() {
            if *n == 0 || total == 0 {
                continue;
            }
            let w = PLOT * *n as f64 / total as f64;
            let mark = if v.rules == Some(k) {
                " stroke=\"#000\" stroke-width=\"2\""
            } else {
                ""
            };
            let label = levels.get(k).map_or("", String::as_str);
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
