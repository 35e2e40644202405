//! The terminal summary (no `-o`): a small [`Document`] of the report
//! model rendered by the text renderer: the two rule files, the structural
//! changes by part of the rule file, then (with data) the headline figures,
//! the transitions, demand per level, flags, agreement and the first
//! changed records. The text renderer aligns the tables and makes control
//! characters from the data harmless.

use super::{p_value, pct, seconds, signed, stat, DiffReport};
use crate::diff::{Impact, Structure};
use crate::report::doc::{self, Block, Cell, Column, Document, Inline, Section, Table};

/// At most this many changed records are shown on a terminal.
const SHOW: usize = 20;

/// The whole summary.
pub fn render(r: &DiffReport<'_>) -> String {
    doc::text::render(&summary(r))
}

/// The summary's document.
pub fn summary(r: &DiffReport<'_>) -> Document {
    let mut intro: Vec<Block> = r
        .warnings
        .iter()
        .map(|w| Block::Warning(Inline::text(crate::text::shorten_all(w))))
        .collect();
    let mut sections = Vec::new();
    structure(r.structure, &mut intro, &mut sections);
    if let Some(i) = r.impact {
        impact(r, i, &mut sections);
    }
    if let Some(t) = &r.timing {
        sections.push(Section::new("Time").with(Inline::text(format!(
            "{} wall; scoring {} old, {} new",
            seconds(t.wall_seconds),
            seconds(t.old_seconds),
            seconds(t.new_seconds)
        ))));
    }
    Document {
        // Without data there is no impact to speak of.
        title: if r.impact.is_some() {
            super::document::TITLE
        } else {
            "Rule changes"
        }
        .into(),
        intro,
        sections,
    }
}

/// The two rule files and how many changes, then a section of changes for
/// each part of the rule file that changed (ids and conditions keep their
/// backticks).
fn structure(s: &Structure, intro: &mut Vec<Block>, sections: &mut Vec<Section>) {
    intro.push(Block::List(vec![
        Inline::text(format!("old: {}", s.old_name)),
        Inline::text(format!("new: {}", s.new_name)),
    ]));
    if let Some(note) = &s.level_note {
        intro.push(Block::Warning(Inline::text(note)));
    }
    if s.is_empty() {
        intro.push(Inline::text("No change: the two rule files say the same thing.").into());
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
    intro.push(
        Inline::text(format!(
            "{} changes ({}).",
            s.changes.len(),
            counts.join("; ")
        ))
        .into(),
    );
    let mut part = None;
    for c in &s.changes {
        if part != Some(c.section) {
            sections.push(Section::new(c.section.title()).with(Block::List(Vec::new())));
            part = Some(c.section);
        }
        if let Some(Block::List(items)) = sections.last_mut().and_then(|s| s.blocks.last_mut()) {
            items.push(Inline::text(&c.text));
        }
    }
}

/// What the change does to the records.
fn impact(r: &DiffReport<'_>, i: &Impact, out: &mut Vec<Section>) {
    let lv = &i.levels;
    let share = (i.n > 0).then(|| i.changed as f64 / i.n as f64);
    let mut s = Section::new("Records").with(Inline::text(format!(
        "{} records scored under both ({} read, {} rejected); level changed for {} ({}): {} up, {} down.",
        i.n,
        r.read,
        r.rejects.len(),
        i.changed,
        pct(share),
        i.up,
        i.down
    )));
    let a = &i.agreement;
    s.push(if a.old.n > 0 || a.new.n > 0 {
        Inline::text(format!(
            "Agreement with recorded decisions ({} records): {} → {}; kappa {} → {} ({}); \
             McNemar p = {} ({} agree under old only, {} under new only).",
            a.old.n,
            pct(a.old.agreement),
            pct(a.new.agreement),
            stat(a.old.kappa),
            stat(a.new.kappa),
            signed(a.kappa_change),
            p_value(a.mcnemar_p),
            a.agree_old_only,
            a.agree_new_only
        ))
    } else {
        Inline::text("No recorded decisions: agreement not computed.")
    });
    out.push(s);

    let mut cols = vec![Column::text("old \\ new")];
    cols.extend(lv.new.iter().map(Column::num));
    let mut t = Table::new(cols);
    for (o, counts) in lv.old.iter().zip(&i.transitions) {
        let mut cells = vec![Cell::text(o)];
        cells.extend(counts.iter().map(|c| Cell::count(*c)));
        t.row(cells);
    }
    out.push(Section::new("Transitions (rows old, columns new)").with(t));

    let mut t = Table::new(vec![
        Column::text("level"),
        Column::num("old"),
        Column::num("new"),
        Column::num("change"),
        Column::num("share"),
    ]);
    for d in &i.demand {
        t.row(vec![
            Cell::text(&d.level),
            Cell::count(d.old),
            Cell::count(d.new),
            Cell::Delta(d.change),
            Cell::Points(d.share_change),
        ]);
    }
    let mut s = Section::new("Demand per level").with(t);
    let flags: Vec<Inline> = i
        .flags
        .iter()
        .filter(|f| f.old != f.new || f.gained > 0 || f.lost > 0)
        .map(|f| {
            Inline::text(format!(
                "flag {}: {} → {} ({} gaining, {} losing)",
                f.flag, f.old, f.new, f.gained, f.lost
            ))
        })
        .collect();
    if !flags.is_empty() {
        s.push(Block::List(flags));
    }
    out.push(s);

    if !i.changes.is_empty() {
        let mut s = Section::new("Records whose level changed").with(Block::List(
            i.changes
                .iter()
                .take(SHOW)
                .map(|c| {
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
                    Inline::text(format!(
                        "{}: {} → {}  {}",
                        c.id,
                        c.old,
                        c.new,
                        why.join(", ")
                    ))
                })
                .collect(),
        ));
        if i.changes.len() > SHOW {
            s.push(Inline::text(format!(
                "... and {} more (write a report with -o).",
                i.changes.len() - SHOW
            )));
        }
        out.push(s);
    }
}
