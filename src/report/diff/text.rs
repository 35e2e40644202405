//! The terminal summary: the structural changes, then the headline figures
//! and the first changed records. Control characters in data are replaced so
//! a hostile id cannot move the cursor.

use std::fmt::Write as _;

use super::{delta, p_value, pct, pp, seconds, signed, stat, DiffReport};
use crate::diff::Structure;

/// At most this many changed records are shown on a terminal.
const SHOW: usize = 20;

/// Replaces control characters (terminal escapes) with `?` and shows
/// invisible ones as `<U+200B>`.
fn clean(s: &str) -> String {
    crate::text::visible(s)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s:<w$}")
}

/// The structural changes.
pub fn structure(s: &Structure, out: &mut String) {
    let _ = writeln!(
        out,
        "old: {}\nnew: {}",
        clean(&s.old_name),
        clean(&s.new_name)
    );
    if let Some(note) = &s.level_note {
        let _ = writeln!(out, "warning: {}", clean(note));
    }
    if s.is_empty() {
        let _ = writeln!(out, "no change: the two rule files say the same thing");
        return;
    }
    let counts: Vec<String> = s
        .counts()
        .iter()
        .map(|(sec, a, r, c)| {
            format!(
                "{}: {a} added, {r} removed, {c} changed",
                sec.title().to_lowercase()
            )
        })
        .collect();
    let _ = writeln!(out, "{} changes ({})", s.changes.len(), counts.join("; "));
    let mut section = None;
    for c in &s.changes {
        if section != Some(c.section) {
            let _ = writeln!(out, "\n{}:", c.section.title());
            section = Some(c.section);
        }
        let _ = writeln!(out, "  - {}", clean(&c.text));
    }
}

/// The whole summary.
pub fn render(r: &DiffReport<'_>) -> String {
    let mut out = String::new();
    for w in r.warnings {
        let _ = writeln!(out, "WARNING: {}\n", crate::text::shorten_all(w));
    }
    structure(r.structure, &mut out);
    let Some(i) = r.impact else { return out };
    let lv = &i.levels;
    let share = (i.n > 0).then(|| i.changed as f64 / i.n as f64);
    let _ = writeln!(
        out,
        "\n{} records scored under both ({} read, {} rejected); level changed for {} ({}): {} up, {} down",
        i.n,
        r.read,
        r.rejects.len(),
        i.changed,
        pct(share),
        i.up,
        i.down
    );
    let w = lv
        .old
        .iter()
        .chain(&lv.new)
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(5)
        .max(10);
    let _ = writeln!(out, "\ntransitions (rows old, columns new):");
    let _ = write!(out, "  {}", pad("", w));
    for n in &lv.new {
        let _ = write!(out, " {:>w$}", clean(n));
    }
    out.push('\n');
    for (o, row) in lv.old.iter().zip(&i.transitions) {
        let _ = write!(out, "  {}", pad(&clean(o), w));
        for c in row {
            let _ = write!(out, " {c:>w$}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\ndemand per level:");
    let _ = writeln!(
        out,
        "  {} {:>9} {:>9} {:>9} {:>11}",
        pad("level", w),
        "old",
        "new",
        "change",
        "share"
    );
    for d in &i.demand {
        let _ = writeln!(
            out,
            "  {} {:>9} {:>9} {:>9} {:>11}",
            pad(&clean(&d.level), w),
            d.old,
            d.new,
            delta(d.change),
            pp(d.share_change)
        );
    }
    for f in &i.flags {
        if f.old != f.new || f.gained > 0 || f.lost > 0 {
            let _ = writeln!(
                out,
                "flag {}: {} → {} ({} gaining, {} losing)",
                clean(&f.flag),
                f.old,
                f.new,
                f.gained,
                f.lost
            );
        }
    }
    let a = &i.agreement;
    if a.old.n > 0 || a.new.n > 0 {
        let _ = writeln!(
            out,
            "\nagreement with recorded decisions ({} records): {} → {}; kappa {} → {} ({}); \
             McNemar p = {} ({} agree under old only, {} under new only)",
            a.old.n,
            pct(a.old.agreement),
            pct(a.new.agreement),
            stat(a.old.kappa),
            stat(a.new.kappa),
            signed(a.kappa_change),
            p_value(a.mcnemar_p),
            a.agree_old_only,
            a.agree_new_only
        );
    } else {
        let _ = writeln!(out, "\nno recorded decisions: agreement not computed");
    }
    if !i.changes.is_empty() {
        let _ = writeln!(out, "\nrecords whose level changed:");
        for c in i.changes.iter().take(SHOW) {
            let why: Vec<String> = c
                .rules
                .iter()
                .map(|x| format!("{} ({})", x.rule, x.why()))
                .chain(
                    c.indicators
                        .iter()
                        .map(|x| format!("{x} (indicator moved)")),
                )
                .collect();
            let _ = writeln!(
                out,
                "  {}: {} → {}  {}",
                clean(&c.id),
                c.old,
                c.new,
                clean(&why.join(", "))
            );
        }
        if i.changes.len() > SHOW {
            let _ = writeln!(
                out,
                "  ... and {} more (write a report with -o)",
                i.changes.len() - SHOW
            );
        }
    }
    if let Some(t) = &r.timing {
        let _ = writeln!(
            out,
            "\ntime: {} wall; scoring {} old, {} new",
            seconds(t.wall_seconds),
            seconds(t.old_seconds),
            seconds(t.new_seconds)
        );
    }
    out
}
