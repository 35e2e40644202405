//! A Sankey-style SVG of the flows from old levels (left) to new levels
//! (right): bar heights and band widths are proportional to record counts.

use std::fmt::Write as _;

use crate::report::html::escape as esc;

const W: f64 = 720.0;
const BAR: f64 = 16.0;
const GAP: f64 = 14.0;
const SPAN: f64 = 360.0;
const LEFT: f64 = 170.0;
const RIGHT: f64 = LEFT + 360.0;

/// Colours for levels, lowest first (cycled).
const COLOURS: [&str; 6] = [
    "#6baed6", "#74c476", "#fd8d3c", "#de2d26", "#9e9ac8", "#969696",
];

fn colour(rank: usize) -> &'static str {
    COLOURS[rank % COLOURS.len()]
}

/// The chart of `counts[old][new]` records moving from the levels `from`
/// to the levels `to`, or an empty string when there are no records.
pub fn flows(from: &[String], to: &[String], counts: &[Vec<u64>]) -> String {
    let n: u64 = counts.iter().flatten().sum();
    if n == 0 {
        return String::new();
    }
    let old_tot: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let new_tot: Vec<u64> = (0..to.len())
        .map(|j| counts.iter().filter_map(|r| r.get(j)).sum())
        .collect();
    let scale = SPAN / n as f64;
    let tops = |tot: &[u64]| -> Vec<f64> {
        let mut y = 30.0;
        tot.iter()
            .map(|t| {
                let top = y;
                y += (*t as f64 * scale).max(1.0) + GAP;
                top
            })
            .collect()
    };
    let (lt, rt) = (tops(&old_tot), tops(&new_tot));
    let rows = from.len().max(to.len()) as f64;
    let h = 30.0 + SPAN + rows * GAP + 20.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h:.0}\" width=\"{W}\" role=\"img\" \
         aria-label=\"Flows of records from old levels to new levels\">\
         <text x=\"{LEFT}\" y=\"18\" text-anchor=\"end\" font-size=\"13\">old</text>\
         <text x=\"{RIGHT}\" y=\"18\" font-size=\"13\">new</text>"
    );
    // Bands, drawn first so bars sit on top.
    let mut out_y: Vec<f64> = lt.clone();
    let mut in_y: Vec<f64> = rt.clone();
    for (a, row) in counts.iter().enumerate() {
        for (b, c) in row.iter().enumerate() {
            if *c == 0 {
                continue;
            }
            let w = *c as f64 * scale;
            let (Some(y0), Some(y1)) = (out_y.get(a).copied(), in_y.get(b).copied()) else {
                continue;
            };
            out_y[a] += w;
            in_y[b] += w;
            let (x0, x1) = (LEFT + BAR, RIGHT);
            let xm = (x0 + x1) / 2.0;
            let _ = write!(
                s,
                "<path d=\"M{x0:.1},{y0:.1} C{xm:.1},{y0:.1} {xm:.1},{y1:.1} {x1:.1},{y1:.1} \
                 L{x1:.1},{:.1} C{xm:.1},{:.1} {xm:.1},{:.1} {x0:.1},{:.1} Z\" fill=\"{}\" \
                 fill-opacity=\"{}\"><title>{} → {}: {c}</title></path>",
                y1 + w,
                y1 + w,
                y0 + w,
                y0 + w,
                colour(b),
                if a == b { "0.25" } else { "0.6" },
                esc(from.get(a).map_or("", String::as_str)),
                esc(to.get(b).map_or("", String::as_str)),
            );
        }
    }
    for (side, (ids, (tot, top))) in [(0, (from, (&old_tot, &lt))), (1, (to, (&new_tot, &rt)))] {
        for (r, ((id, &t), &y)) in ids.iter().zip(tot.iter()).zip(top.iter()).enumerate() {
            let hgt = (t as f64 * scale).max(1.0);
            let x = if side == 0 { LEFT } else { RIGHT };
            let _ = write!(
                s,
                "<rect x=\"{x}\" y=\"{y:.1}\" width=\"{BAR}\" height=\"{hgt:.1}\" fill=\"{}\"/>",
                colour(r)
            );
            let (tx, anchor) = if side == 0 {
                (LEFT - 6.0, "end")
            } else {
                (RIGHT + BAR + 6.0, "start")
            };
            let _ = write!(
                s,
                "<text x=\"{tx}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"12\" \
                 dominant-baseline=\"middle\">{} ({t})</text>",
                y + hgt / 2.0,
                esc(id)
            );
        }
    }
    s.push_str("</svg>\n");
    s
}
