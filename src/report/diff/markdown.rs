//! The Markdown report: for a board paper or an issue tracker. Every value
//! from a rule file or the data is escaped; ids in sentences stay as code.

use std::fmt::Write as _;

use super::{delta, p_value, pct, pp, seconds, signed, stat, DiffReport, LIST_LIMIT};
use crate::diff::impact::Responsible;
use crate::diff::{Impact, Structure};
use crate::report::markdown::escape as esc;

/// A change sentence: `ids` kept as inline code, everything else escaped.
fn sentence(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 && !part.contains('`') && !part.is_empty() {
            out.push_str(&code(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// Inline code (pipes escaped for tables); text holding a backtick, which
/// would close the span early, is escaped as plain text instead.
fn code(s: &str) -> String {
    if s.contains('`') {
        return esc(s);
    }
    format!("`{}`", s.replace('|', "\\|").replace(['\n', '\r'], " "))
}

fn rules(rs: &[Responsible]) -> String {
    rs.iter()
        .map(|r| format!("{} ({})", code(&r.rule), r.why()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ids(xs: &[String]) -> String {
    xs.iter().map(|x| code(x)).collect::<Vec<_>>().join(", ")
}

/// The structural changes as Markdown (also the whole report without data).
pub fn structure(s: &Structure, out: &mut String) {
    let _ = writeln!(out, "## What changed in the rules\n");
    if let Some(note) = &s.level_note {
        let _ = writeln!(out, "> **Levels differ:** {}\n", esc(note));
    }
    if s.is_empty() {
        let _ = writeln!(out, "No change: the two rule files say the same thing.\n");
        return;
    }
    let mut section = None;
    for c in &s.changes {
        if section != Some(c.section) {
            if section.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "### {}\n", c.section.title());
            section = Some(c.section);
        }
        let _ = writeln!(out, "- {}", sentence(&c.text));
    }
    out.push('\n');
}

/// The whole report.
pub fn render(r: &DiffReport<'_>) -> String {
    let mut out = String::new();
    let s = r.structure;
    let _ = writeln!(out, "# Rule change impact\n");
    let _ = writeln!(
        out,
        "- Old rules: {} — {}",
        code(&r.old_file),
        esc(&s.old_name)
    );
    let _ = writeln!(
        out,
        "- New rules: {} — {}",
        code(&r.new_file),
        esc(&s.new_name)
    );
    if let Some(d) = &r.data_file {
        let _ = writeln!(out, "- Data: {}", code(d));
    }
    out.push('\n');
    for w in r.warnings {
        let _ = writeln!(out, "> **Warning:** {}\n", esc(w));
    }
    structure(s, &mut out);
    if let Some(i) = r.impact {
        impact(r, i, &mut out);
    }
    if let Some(t) = &r.timing {
        let _ = writeln!(out, "## Timing\n");
        let _ = writeln!(out, "| Measure | Time |\n|---|---:|");
        let _ = writeln!(out, "| Whole pass (wall) | {} |", seconds(t.wall_seconds));
        let _ = writeln!(
            out,
            "| Scoring under old rules | {} |",
            seconds(t.old_seconds)
        );
        let _ = writeln!(
            out,
            "| Scoring under new rules | {} |",
            seconds(t.new_seconds)
        );
        if let Some(rate) = t.rate() {
            let _ = writeln!(out, "| Records per second | {rate:.0} |");
        }
        let _ = writeln!(out, "\n{}\n", super::timed_note(t.sampled));
    }
    out
}

fn impact(r: &DiffReport<'_>, i: &Impact, out: &mut String) {
    let lv = &i.levels;
    let share = (i.n > 0).then(|| i.changed as f64 / i.n as f64);
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "- Records scored under both versions: {} (rows read: {}, rejected: {})",
        i.n,
        r.read,
        r.rejects.len()
    );
    let _ = writeln!(
        out,
        "- Level changed: {} ({}): {} up, {} down",
        i.changed,
        pct(share),
        i.up,
        i.down
    );
    let a = &i.agreement;
    if a.old.n > 0 || a.new.n > 0 {
        let _ = writeln!(
            out,
            "- Agreement with recorded decisions: kappa {} → {} ({}); agreement {} → {}",
            stat(a.old.kappa),
            stat(a.new.kappa),
            signed(a.kappa_change),
            pct(a.old.agreement),
            pct(a.new.agreement)
        );
    }
    out.push('\n');

    let _ = writeln!(
        out,
        "## Transitions (rows: old level, columns: new level)\n"
    );
    let _ = write!(out, "| Old \\\\ New |");
    for n in &lv.new {
        let _ = write!(out, " {} |", esc(n));
    }
    let _ = write!(out, " Total |\n|---|");
    out.push_str(&"---:|".repeat(lv.new.len() + 1));
    out.push('\n');
    for (o, row) in lv.old.iter().zip(&i.transitions) {
        let _ = write!(out, "| {} |", esc(o));
        for c in row {
            let _ = write!(out, " {c} |");
        }
        let _ = writeln!(out, " {} |", row.iter().sum::<u64>());
    }
    out.push('\n');

    let _ = writeln!(out, "## Demand per level\n");
    let _ = writeln!(
        out,
        "| Level | Old | New | Change | Old share | New share | Change in share |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for d in &i.demand {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            esc(&d.level),
            d.old,
            d.new,
            delta(d.change),
            pct(d.old_share),
            pct(d.new_share),
            pp(d.share_change)
        );
    }
    out.push('\n');

    if !i.flags.is_empty() {
        let _ = writeln!(out, "## Flags\n");
        let _ = writeln!(
            out,
            "| Flag | Old | New | Change | Records gaining | Records losing |\n|---|---:|---:|---:|---:|---:|"
        );
        for f in &i.flags {
            let note = match (f.in_old, f.in_new) {
                (true, false) => " (removed)",
                (false, true) => " (new)",
                _ => "",
            };
            let _ = writeln!(
                out,
                "| {}{note} | {} | {} | {} | {} | {} |",
                code(&f.flag),
                f.old,
                f.new,
                delta(f.change),
                f.gained,
                f.lost
            );
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## Agreement with recorded decisions\n");
    if a.old.n == 0 && a.new.n == 0 {
        let _ = writeln!(out, "No record has a recorded decision.\n");
    } else {
        let _ = writeln!(
            out,
            "| Measure | Old | New | Change |\n|---|---:|---:|---:|"
        );
        let _ = writeln!(
            out,
            "| Records with a decision | {} | {} | |",
            a.old.n, a.new.n
        );
        let _ = writeln!(
            out,
            "| Agreeing | {} | {} | {} |",
            a.old.agree,
            a.new.agree,
            delta(a.new.agree as i64 - a.old.agree as i64)
        );
        let _ = writeln!(
            out,
            "| Agreement | {} | {} | {} |",
            pct(a.old.agreement),
            pct(a.new.agreement),
            pp(a.agreement_change)
        );
        let _ = writeln!(
            out,
            "| Cohen's kappa | {} | {} | {} |",
            stat(a.old.kappa),
            stat(a.new.kappa),
            signed(a.kappa_change)
        );
        let diff = |x: Option<f64>, y: Option<f64>| signed(x.zip(y).map(|(x, y)| y - x));
        let _ = writeln!(
            out,
            "| Weighted kappa (linear) | {} | {} | {} |",
            stat(a.old.kappa_linear),
            stat(a.new.kappa_linear),
            diff(a.old.kappa_linear, a.new.kappa_linear)
        );
        let _ = writeln!(
            out,
            "| Weighted kappa (quadratic) | {} | {} | {} |",
            stat(a.old.kappa_quadratic),
            stat(a.new.kappa_quadratic),
            diff(a.old.kappa_quadratic, a.new.kappa_quadratic)
        );
        let _ = writeln!(
            out,
            "\nMcNemar's test on agree/disagree ({} records): {} agree under the old rules only, {} under the new only; χ² = {:.3}, p = {} (exact p = {}).\n",
            a.paired,
            a.agree_old_only,
            a.agree_new_only,
            a.mcnemar_statistic,
            p_value(a.mcnemar_p),
            p_value(a.mcnemar_p_exact)
        );
    }

    let _ = writeln!(out, "## Rules fired\n");
    let _ = writeln!(
        out,
        "| Rule | Old | New | Change | Note |\n|---|---:|---:|---:|---|"
    );
    for x in &i.rules {
        let show = |v: Option<u64>| v.map_or_else(|| "—".into(), |v| v.to_string());
        let note = match (x.old, x.new) {
            (None, _) => "new rule",
            (_, None) => "removed",
            _ if x.effect_changed => "effect changed",
            _ => "",
        };
        let ch = delta(x.new.unwrap_or(0) as i64 - x.old.unwrap_or(0) as i64);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {ch} | {note} |",
            code(&x.rule),
            show(x.old),
            show(x.new)
        );
    }
    out.push('\n');

    let _ = writeln!(out, "## Records whose level changed\n");
    if i.changes.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        let cols = super::changed_columns(i);
        let moved = cols.len() == 5;
        let _ = writeln!(
            out,
            "| {} |\n|{}",
            cols.join(" | "),
            "---|".repeat(cols.len())
        );
        for c in i.changes.iter().take(LIST_LIMIT) {
            let _ = write!(
                out,
                "| {} | {} | {} | {} |",
                esc(&c.id),
                esc(&c.old),
                esc(&c.new),
                rules(&c.rules),
            );
            if moved {
                let _ = write!(out, " {} |", ids(&c.indicators));
            }
            out.push('\n');
        }
        if i.changes.len() > LIST_LIMIT {
            let _ = writeln!(
                out,
                "\nThe first {LIST_LIMIT} of {} are listed; the JSON and Excel reports list all.",
                i.changes.len()
            );
        }
        out.push('\n');
    }
    if !i.flag_changes.is_empty() {
        let _ = writeln!(out, "## Records whose flags changed\n");
        let _ = writeln!(
            out,
            "| Id | Gained | Lost | Rules responsible |\n|---|---|---|---|"
        );
        for c in i.flag_changes.iter().take(LIST_LIMIT) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                esc(&c.id),
                ids(&c.gained),
                ids(&c.lost),
                rules(&c.rules)
            );
        }
        if i.flag_changes.len() > LIST_LIMIT {
            let _ = writeln!(
                out,
                "\nThe first {LIST_LIMIT} of {} are listed; the JSON and Excel reports list all.",
                i.flag_changes.len()
            );
        }
        out.push('\n');
    }
    if !r.rejects.is_empty() {
        let _ = writeln!(out, "## Rejected rows\n");
        let _ = writeln!(out, "| Row | Column | Reason |\n|---:|---|---|");
        for x in r.rejects.iter().take(LIST_LIMIT) {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                x.row,
                esc(&x.column),
                esc(&x.reason)
            );
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_keeps_ids_as_code() {
        assert_eq!(esc("a|b <script>"), "a\\|b &lt;script&gt;");
        assert_eq!(code("a`<b>"), "a\\`&lt;b&gt;");
        assert_eq!(
            sentence("rule `x_y` now *raises*"),
            "rule `x_y` now \\*raises\\*"
        );
    }
}
