//! Inline SVG charts for HTML reports: no scripts, no fonts, no external
//! files. Each function returns one `<svg>` element with a `<title>` for
//! screen readers; every label is escaped here. Colours are the Okabe–Ito
//! colour-blind-safe palette.

mod exercise;
mod flows;

use std::fmt::Write as _;

pub use exercise::{accuracy, spread, Accuracy, Spread};
pub use flows::flows;

use super::escape;

/// Blue: agreement.
pub const AGREE: &str = "#0072b2";
/// Vermilion: decision below the rules (possible missed need).
pub const UNDER: &str = "#d55e00";
/// Orange: decision above the rules.
pub const OVER: &str = "#e69f00";

/// A share with its 95% interval, e.g. one agency's agreement.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    /// What it is (plain text).
    pub label: String,
    /// The share (0..1).
    pub value: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// Shown after the figure, e.g. `n = 12, too few to judge`.
    pub note: String,
}

/// Shares of decisions under and over the rules for one group.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// The group (plain text).
    pub label: String,
    /// Share under (0..1).
    pub under: f64,
    /// Share over (0..1).
    pub over: f64,
    /// Shown after the bars.
    pub note: String,
}

const LABEL_W: f64 = 190.0;
const PLOT_W: f64 = 360.0;
const ROW_H: f64 = 26.0;

fn open(s: &mut String, w: f64, h: f64, title: &str) {
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-size=\"12\"><title>{}</title>",
        escape(title)
    );
}

fn text(s: &mut String, x: f64, y: f64, anchor: &str, body: &str) {
    let _ = write!(
        s,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
        escape(body)
    );
}

fn short(label: &str) -> String {
    if label.chars().count() > 28 {
        let mut t: String = label.chars().take(27).collect();
        t.push('…');
        t
    } else {
        label.to_string()
    }
}

fn axis_0_100(s: &mut String, x0: f64, y0: f64, y1: f64, w: f64) {
    for t in 0..=4 {
        let x = x0 + w * f64::from(t) / 4.0;
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{y0:.1}\" x2=\"{x:.1}\" y2=\"{y1:.1}\" stroke=\"#ddd\"/>"
        );
        text(s, x, y1 + 14.0, "middle", &format!("{}%", t * 25));
    }
}

/// Room for the notes written right of a plot: as wide as the longest
/// (about 6.6 px a character at 12 px), at least 200 px, so none is cut
/// off ("(n = 24, to").
fn beside(notes: &[String]) -> f64 {
    notes
        .iter()
        .map(|n| n.chars().count() as f64 * 6.6 + 16.0)
        .fold(200.0, f64::max)
        .ceil()
}

/// Horizontal bars of shares (0–100%) with their intervals as whiskers.
pub fn interval_bars(title: &str, rows: &[Interval]) -> String {
    let h = 30.0 + ROW_H * rows.len() as f64 + 24.0;
    let notes: Vec<String> = rows
        .iter()
        .map(|r| {
            format!("{:.0}% {}", r.value * 100.0, r.note)
                .trim_end()
                .to_string()
        })
        .collect();
    let w = LABEL_W + PLOT_W + beside(&notes);
    let mut s = String::new();
    open(&mut s, w, h, title);
    text(&mut s, 4.0, 16.0, "start", title);
    let top = 26.0;
    axis_0_100(
        &mut s,
        LABEL_W,
        top,
        top + ROW_H * rows.len() as f64,
        PLOT_W,
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + ROW_H * i as f64;
        let cl = |v: f64| v.clamp(0.0, 1.0) * PLOT_W;
        text(&mut s, LABEL_W - 6.0, y + 17.0, "end", &short(&r.label));
        let _ = write!(
            s,
            "<rect x=\"{LABEL_W}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"{AGREE}\" fill-opacity=\"0.75\"/>",
            y + 6.0,
            cl(r.value)
        );
        let (lo, hi) = (LABEL_W + cl(r.low), LABEL_W + cl(r.high));
        let _ = write!(
            s,
            "<path d=\"M{lo:.1} {a:.1}V{b:.1}M{lo:.1} {m:.1}H{hi:.1}M{hi:.1} {a:.1}V{b:.1}\" stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>",
            a = y + 4.0,
            b = y + 22.0,
            m = y + 13.0
        );
        let label = format!("{:.0}% {}", r.value * 100.0, r.note);
        text(
            &mut s,
            LABEL_W + PLOT_W + 8.0,
            y + 17.0,
            "start",
            label.trim_end(),
        );
    }
    s.push_str("</svg>\n");
    s
}

/// A k×k matrix of counts as a heat map: rows and columns are `labels`;
/// the diagonal is blue, cells above it (row below column) vermilion, below
/// it orange; stronger colour = more records.
pub fn heat_map(
    title: &str,
    row_head: &str,
    col_head: &str,
    labels: &[String],
    cells: &[Vec<u64>],
) -> String {
    let k = labels.len();
    let cell = 54.0;
    // Row labels are written whole (up to `short`'s 28 characters).
    let left = labels
        .iter()
        .map(|l| short(l).chars().count() as f64 * 6.6 + 14.0)
        .fold(170.0, f64::max);
    // Column labels are written slanted, each whole (up to `short`'s 28
    // characters) over its own column: written level, side by side they
    // ran into each other ("universalearly_hel…").
    let longest = labels
        .iter()
        .map(|l| short(l).chars().count())
        .max()
        .unwrap_or(0) as f64;
    let slant = (longest * 6.5 * std::f64::consts::FRAC_1_SQRT_2).ceil();
    let top = 50.0 + slant;
    let w = left + cell * k as f64 + 20.0 + slant;
    let h = top + cell * k as f64 + 20.0;
    let max = cells.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    open(&mut s, w, h, title);
    text(&mut s, 4.0, 16.0, "start", title);
    text(
        &mut s,
        left + cell * k as f64 / 2.0,
        34.0,
        "middle",
        col_head,
    );
    text(&mut s, 4.0, top - 6.0, "start", row_head);
    for (j, l) in labels.iter().enumerate() {
        let (x, y) = (left + cell * (j as f64 + 0.5), top - 8.0);
        let _ = write!(
            s,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"start\" transform=\"rotate(-45 {x:.1} {y:.1})\">{}</text>",
            escape(&short(l))
        );
    }
    for (i, l) in labels.iter().enumerate() {
        let y = top + cell * i as f64;
        text(&mut s, left - 6.0, y + cell / 2.0 + 4.0, "end", &short(l));
        for j in 0..k {
            let n = cells.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
            let colour = match i.cmp(&j) {
                std::cmp::Ordering::Equal => AGREE,
                std::cmp::Ordering::Less => UNDER,
                std::cmp::Ordering::Greater => OVER,
            };
            let op = if n == 0 {
                0.0
            } else {
                0.15 + 0.85 * n as f64 / max
            };
            let x = left + cell * j as f64;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell}\" height=\"{cell}\" fill=\"{colour}\" fill-opacity=\"{op:.3}\" stroke=\"#999\"/>"
            );
            text(
                &mut s,
                x + cell / 2.0,
                y + cell / 2.0 + 4.0,
                "middle",
                &n.to_string(),
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Diverging bars: the share under the rules to the left of the centre line,
/// the share over to the right.
pub fn split_bars(title: &str, rows: &[Split]) -> String {
    let max = rows
        .iter()
        .map(|r| r.under.max(r.over))
        .fold(0.0_f64, f64::max)
        .max(0.05);
    let half = PLOT_W / 2.0;
    let mid = LABEL_W + half;
    let h = 44.0 + ROW_H * rows.len() as f64 + 10.0;
    let notes: Vec<String> = rows
        .iter()
        .map(|r| {
            let label = format!(
                "{:.0}% under, {:.0}% over {}",
                r.under * 100.0,
                r.over * 100.0,
                r.note
            );
            label.trim_end().to_string()
        })
        .collect();
    let mut s = String::new();
    open(&mut s, LABEL_W + PLOT_W + beside(&notes), h, title);
    text(&mut s, 4.0, 16.0, "start", title);
    text(&mut s, mid - 6.0, 34.0, "end", "◀ decision under the rules");
    text(&mut s, mid + 6.0, 34.0, "start", "over the rules ▶");
    let top = 40.0;
    let _ = write!(
        s,
        "<line x1=\"{mid}\" y1=\"{top}\" x2=\"{mid}\" y2=\"{:.1}\" stroke=\"#444\"/>",
        top + ROW_H * rows.len() as f64
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + ROW_H * i as f64;
        let (u, o) = (half * r.under / max, half * r.over / max);
        text(&mut s, LABEL_W - 6.0, y + 17.0, "end", &short(&r.label));
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{u:.1}\" height=\"14\" fill=\"{UNDER}\"/><rect x=\"{mid}\" y=\"{:.1}\" width=\"{o:.1}\" height=\"14\" fill=\"{OVER}\"/>",
            mid - u,
            y + 6.0,
            y + 6.0
        );
        text(
            &mut s,
            LABEL_W + PLOT_W + 8.0,
            y + 17.0,
            "start",
            notes.get(i).map_or("", String::as_str),
        );
    }
    s.push_str("</svg>\n");
    s
}

/// A trend over ordered periods: points joined by a line, each with its
/// interval as a whisker; the y axis is 0–100%.
pub fn trend(title: &str, points: &[Interval]) -> String {
    let (left, top, ph) = (50.0, 30.0, 200.0);
    let step = 90.0;
    let w = left + step * points.len().max(1) as f64 + 20.0;
    let h = top + ph + 40.0;
    let mut s = String::new();
    open(&mut s, w, h, title);
    text(&mut s, 4.0, 16.0, "start", title);
    let y_of = |v: f64| top + ph * (1.0 - v.clamp(0.0, 1.0));
    for t in 0..=4 {
        let v = f64::from(t) / 4.0;
        let y = y_of(v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>",
            w - 10.0
        );
        text(&mut s, left - 6.0, y + 4.0, "end", &format!("{}%", t * 25));
    }
    let xs: Vec<f64> = (0..points.len())
        .map(|i| left + step * (i as f64 + 0.5))
        .collect();
    let line: Vec<String> = points
        .iter()
        .zip(&xs)
        .map(|(p, x)| format!("{x:.1},{:.1}", y_of(p.value)))
        .collect();
    if line.len() > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{AGREE}\" stroke-width=\"2\"/>",
            line.join(" ")
        );
    }
    for (p, x) in points.iter().zip(&xs) {
        let _ = write!(
            s,
            "<path d=\"M{x:.1} {:.1}V{:.1}M{:.1} {:.1}H{:.1}M{:.1} {:.1}H{:.1}\" stroke=\"#222\" fill=\"none\"/><circle cx=\"{x:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{AGREE}\"/>",
            y_of(p.low),
            y_of(p.high),
            x - 5.0,
            y_of(p.low),
            x + 5.0,
            x - 5.0,
            y_of(p.high),
            x + 5.0,
            y_of(p.value)
        );
        text(
            &mut s,
            *x,
            top + ph + 16.0,
            "middle",
            &short(&p.label).chars().take(12).collect::<String>(),
        );
        text(&mut s, *x, top + ph + 30.0, "middle", &p.note);
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::heat_map;

    /// Each column label is whole and slanted over its own column, so that
    /// neighbours do not run together.
    #[test]
    fn heat_map_column_labels_are_whole_and_apart() {
        let labels = ["universal", "early_help", "targeted", "specialist"].map(String::from);
        let cells = vec![vec![1; 4]; 4];
        let svg = heat_map("t", "decision", "rules", &labels, &cells);
        for l in &labels {
            // Once as a row label, once slanted over its column.
            assert_eq!(svg.matches(&format!(">{l}</text>")).count(), 2, "{svg}");
        }
        assert_eq!(svg.matches("rotate(-45").count(), 4, "{svg}");
    }
}
