//! The exercise results as a short terminal summary (no `-o`): a small
//! [`Document`] of the report model (the headline, the phases, the
//! trainees, the hardest vignettes, the responses file) rendered by the
//! text renderer, which aligns the columns to their contents and makes
//! control characters from the data harmless.

use super::{count, fixed, pct, Report};
use crate::report::doc::{self, Block, Cell, Column, Document, Inline, Section, Table};

/// At most this many vignettes are shown, hardest first.
const HARDEST: usize = 5;

/// A short summary for the terminal.
pub fn text(r: &Report) -> String {
    doc::text::render(&summary(r))
}

/// The summary's document.
pub fn summary(r: &Report) -> Document {
    let phase = r
        .phase
        .as_ref()
        .map_or(String::new(), |p| format!(" (phase {p})"));
    let mut intro: Vec<Block> = r
        .warnings
        .iter()
        .map(|w| Block::Warning(Inline::text(crate::text::shorten_all(w))))
        .collect();
    intro.push(Block::Paragraph(Inline::text(format!(
        "{} from {} on {}; {} match the rules ({}).",
        count(r.n, "answer"),
        count(r.trainees.len() as u64, "trainee"),
        count(
            r.vignettes.iter().filter(|v| v.n > 0).count() as u64,
            "vignette"
        ),
        r.correct,
        pct(r.accuracy)
    ))));
    intro.push(Block::Paragraph(Inline::text(format!(
        "Agreement among trainees: Fleiss' kappa {}, Krippendorff's alpha (ordinal) {}.",
        fixed(r.fleiss_kappa),
        fixed(r.krippendorff_alpha)
    ))));
    let mut sections = Vec::new();
    if let Some(ph) = &r.phases {
        let mut t = Table::new(vec![
            Column::text("Phase"),
            Column::num("Answers"),
            Column::num("Accuracy"),
        ]);
        for (p, row) in &ph.0 {
            t.row(vec![
                Cell::text(p),
                Cell::count(row.n),
                Cell::percent(row.accuracy, 0),
            ]);
        }
        let mut s = Section::new("Phases").with(t);
        if let Some(t) = &r.sign_test {
            s.push(Inline::text(format!(
                "Sign test {} → {}: {} improved, {} worse, {} unchanged; p = {}.",
                t.from,
                t.to,
                t.positive,
                t.negative,
                t.ties,
                fixed(t.p)
            )));
        }
        sections.push(s);
    }
    let mut t = Table::new(vec![
        Column::text("Trainee"),
        Column::num("Answers"),
        Column::num("Accuracy"),
        Column::num("Mean error"),
    ]);
    for x in &r.trainees {
        t.row(vec![
            Cell::text(crate::text::shorten(&x.trainee)),
            Cell::count(x.n),
            Cell::percent(x.accuracy, 0),
            Cell::Number {
                value: x.mean_error,
                decimals: 2,
                signed: true,
            },
        ]);
    }
    sections.push(Section::new("Trainees").with(rows_or_none(t)));
    let mut t = Table::new(vec![
        Column::text("Vignette"),
        Column::text("Rules' level"),
        Column::num("Correct"),
        Column::text("Modal answer"),
    ]);
    for v in r.vignettes.iter().filter(|v| v.n > 0).take(HARDEST) {
        t.row(vec![
            Cell::text(crate::text::shorten(&v.vignette)),
            Cell::text(&v.level),
            Cell::percent(v.share_correct, 0),
            Cell::text(v.modal.as_deref().unwrap_or("–")),
        ]);
    }
    let mut s = Section::new("Hardest vignettes").with(rows_or_none(t));
    if let Some(t) = r.themes_too_low.first().filter(|t| t.too_low > 0) {
        s.push(Block::Note {
            label: "Most often placed too low".into(),
            text: Inline::text(format!("{} ({} of {} answers).", t.label, t.too_low, t.n)),
        });
    }
    sections.push(s);
    if r.replaced > 0 || !r.rejected.is_empty() {
        let mut s = Section::new("Responses");
        if r.replaced > 0 {
            s.push(Inline::text(format!(
                "{} answer(s) replaced by the same trainee's later answer (the last counts).",
                r.replaced
            )));
        }
        if !r.rejected.is_empty() {
            s.push(Block::Heading(format!(
                "{} response(s) rejected",
                r.rejected.len()
            )));
            s.push(Block::List(
                r.rejected
                    .iter()
                    .map(|x| Inline::text(format!("line {}: {}: {}", x.row, x.column, x.reason)))
                    .collect(),
            ));
        }
        sections.push(s);
    }
    Document {
        title: format!("Exercise results{phase}"),
        intro,
        sections,
    }
}

/// The table, or a line saying there is nothing in it.
fn rows_or_none(t: Table) -> Block {
    if t.rows.is_empty() {
        Block::Paragraph(Inline::text("None: no answer could be read."))
    } else {
        Block::Table(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_aligns_its_columns_and_cleans_names() {
        let t = text(&super::super::sample_report(
            "Ann\u{1b}[2J and a name longer than forty characters",
        ));
        assert!(!t.contains('\u{1b}'), "{t}");
        assert!(t.starts_with("Exercise results (phase post)\n"), "{t}");
        for fact in [
            "4 answers from 2 trainees on 2 vignettes;",
            "Sign test pre → post:",
            "  Trainee ",
            "Ann\\u{1b}[2J and a name longer than forty ...",
            "  - line 9: level: `<b>` is not a level",
        ] {
            assert!(t.contains(fact), "{fact:?} not in\n{t}");
        }
        // Each figure column is right-aligned under its heading.
        let lines: Vec<&str> = t.lines().collect();
        let head = lines
            .iter()
            .position(|l| l.starts_with("  Trainee "))
            .unwrap_or(0);
        let end = lines[head].find("Answers").map(|i| i + "Answers".len());
        for row in &lines[head + 1..head + 3] {
            let digit = row[..end.unwrap_or(0)].chars().last();
            assert!(digit.is_some_and(|c| c.is_ascii_digit()), "{row:?} in\n{t}");
        }
    }
}
