//! The exercise report (SPEC §7) as one [`Document`]: the cohort's figures,
//! each phase's, each trainee's and each vignette's (hardest first, with
//! what to say at the debrief), the themes placed too low and the responses
//! file. Levels are named by their labels wherever a reader sees them.
//! Markdown, HTML and Excel are renderings of it (`report::doc`).

use super::{count, replaced_note, Report};
use crate::report::doc::{Block, Cell, Chart, Column, Document, Inline, Section, Span, Table};
use crate::report::html::chart::{Accuracy, Spread};

/// The report's title.
pub const TITLE: &str = "Threshold exercise results";

/// A statistic with three decimals.
fn fixed(x: Option<f64>) -> Cell {
    Cell::stat(x)
}

/// A share as a whole percentage.
fn pct(x: Option<f64>) -> Cell {
    Cell::percent(x, 0)
}

/// The document of an exercise report.
pub fn build(r: &Report) -> Document {
    // Levels by label wherever a reader sees them.
    let label = |id: &str| {
        r.levels
            .iter()
            .find(|l| l.id == id)
            .map_or(id.to_string(), |l| l.label.clone())
    };
    let mut intro = vec![Block::Paragraph(Inline::text(format!(
        "Rules: {}",
        r.continuum
    )))];
    intro.extend(r.warnings.iter().map(|w| Block::Warning(Inline::ticked(w))));
    if let Some(p) = &r.phase {
        intro.push(Block::Paragraph(Inline(vec![
            Span::Text("The figures below are for the last phase, ".into()),
            Span::Strong(p.clone()),
            Span::Text("; each phase's own figures follow.".into()),
        ])));
    }
    let mut sections = Vec::new();

    let mut t = Table::new(vec![Column::text("Measure"), Column::num("Value")]);
    t.row(vec![Cell::text("Answers"), Cell::count(r.n)]);
    t.row(vec![
        Cell::text("Trainees"),
        Cell::count(r.trainees.len() as u64),
    ]);
    t.row(vec![
        Cell::text("Matching the rules"),
        Cell::count(r.correct),
    ]);
    t.row(vec![Cell::text("Accuracy"), pct(r.accuracy)]);
    t.row(vec![
        Cell::text("Fleiss' kappa among trainees"),
        fixed(r.fleiss_kappa),
    ]);
    t.row(vec![
        Cell::text("Krippendorff's alpha (ordinal)"),
        fixed(r.krippendorff_alpha),
    ]);
    sections.push(Section::new("Cohort").with(t));

    if let Some(ph) = &r.phases {
        let mut t = Table::new(vec![
            Column::text("Phase"),
            Column::num("Answers"),
            Column::num("Trainees"),
            Column::num("Accuracy"),
            Column::num("Fleiss' kappa"),
            Column::num("Krippendorff's alpha"),
        ]);
        for (p, x) in &ph.0 {
            t.row(vec![
                Cell::text(p),
                Cell::count(x.n),
                Cell::count(x.trainees as u64),
                pct(x.accuracy),
                fixed(x.fleiss_kappa),
                fixed(x.krippendorff_alpha),
            ]);
        }
        let mut s = Section::new("Phases").with(t);
        if let Some(t) = &r.sign_test {
            s.push(Inline::text(format!(
                "Paired sign test, {} to {}: {} more accurate, {} less, {} unchanged (ties dropped); two-sided exact p = {}.",
                t.from,
                t.to,
                count(t.positive, "trainee"),
                t.negative,
                t.ties,
                fixed(t.p).shown()
            )));
        }
        sections.push(s);
    }

    let phases: Option<(String, String)> = match &r.phases {
        Some(ph) if ph.0.len() >= 2 => {
            ph.0.first()
                .zip(ph.0.last())
                .map(|(a, b)| (a.0.clone(), b.0.clone()))
        }
        _ => None,
    };
    let in_phase = |t: &super::TraineeRow, name: &str| {
        t.phases
            .as_ref()
            .and_then(|p| p.0.iter().find(|(n, _)| n == name).and_then(|(_, a)| *a))
    };
    let rows = r
        .trainees
        .iter()
        .map(|t| Accuracy {
            label: t.trainee.clone(),
            first: phases.as_ref().and_then(|(a, _)| in_phase(t, a)),
            last: match &phases {
                Some((_, b)) => in_phase(t, b),
                None => t.accuracy,
            },
        })
        .collect();
    let mut t = Table::new(vec![
        Column::text("Trainee"),
        Column::num("Answers"),
        Column::num("Correct"),
        Column::num("Accuracy"),
        Column::num("Mean error"),
        Column::num("Mean absolute error"),
    ]);
    for x in &r.trainees {
        t.row(vec![
            Cell::text(&x.trainee),
            Cell::count(x.n),
            Cell::count(x.correct),
            pct(x.accuracy),
            Cell::Number {
                value: x.mean_error,
                decimals: 2,
                signed: true,
            },
            fixed(x.mean_abs_error),
        ]);
    }
    sections.push(
        Section::new("Trainees")
            .with(Chart::Accuracy { phases, rows })
            .with(t)
            .with(Inline::text(
                "Mean error is the answer's level minus the rules' level: below zero, trainees placed cases too low.",
            )),
    );

    sections.push(vignettes(r, &label));

    if !r.themes_too_low.is_empty() {
        let mut t = Table::new(vec![
            Column::text("Theme"),
            Column::num("Answers"),
            Column::num("Too low"),
            Column::num("Share"),
        ]);
        for x in &r.themes_too_low {
            t.row(vec![
                Cell::text(&x.label),
                Cell::count(x.n),
                Cell::count(x.too_low),
                pct(Some(x.share)),
            ]);
        }
        sections.push(
            Section::new("Themes placed too low")
                .sheet("Themes")
                .with(t),
        );
    }

    let mut s = Section::new("Responses").with(Inline::text(format!(
        "{} read, {} rejected{}.",
        count(r.responses_read, "row"),
        r.rejected.len(),
        replaced_note(r.replaced)
    )));
    if !r.rejected.is_empty() {
        let mut t = Table::new(vec![
            Column::num("Line"),
            Column::text("Column"),
            Column::text("Reason"),
        ]);
        for x in &r.rejected {
            t.row(vec![
                Cell::count(x.row),
                Cell::text(&x.column),
                Cell::Text(Inline::ticked(&x.reason)),
            ]);
        }
        s.push(t);
    }
    sections.push(s);
    Document {
        title: TITLE.into(),
        intro,
        sections,
    }
}

/// A rule's effect (`at least targeted, flag marac`) with its level named
/// by label (`at least Level 3 - Targeted, flag marac`).
fn effect(r: &Report, e: &str) -> String {
    e.split(", ")
        .map(|part| {
            let level = part
                .strip_prefix("at least ")
                .and_then(|id| r.levels.iter().find(|l| l.id == id));
            level.map_or(part.to_string(), |l| format!("at least {}", l.label))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The vignettes, hardest first: a chart of the answers, a table, and what
/// to say at the debrief.
fn vignettes(r: &Report, label: &dyn Fn(&str) -> String) -> Section {
    let levels: Vec<String> = r.levels.iter().map(|l| l.label.clone()).collect();
    let rows = r
        .vignettes
        .iter()
        .map(|v| Spread {
            label: v.vignette.clone(),
            counts: v.answers.0.iter().map(|(_, n)| *n).collect(),
            rules: r.levels.iter().position(|l| l.id == v.level),
        })
        .collect();
    let mut cols = vec![
        Column::text("Vignette"),
        Column::text("Rules' level"),
        Column::num("Answers"),
        Column::num("Share correct"),
        Column::text("Modal answer"),
    ];
    cols.extend(levels.iter().map(Column::num));
    let mut t = Table::new(cols);
    for v in &r.vignettes {
        let modal = match (&v.modal, v.modal_tie) {
            (Some(m), true) => format!("{} (tie: lower level shown)", label(m)),
            (Some(m), false) => label(m),
            (None, _) => crate::report::doc::UNDEFINED.into(),
        };
        let mut cells = vec![
            Cell::text(&v.vignette),
            Cell::text(&v.level_label),
            Cell::count(v.n),
            pct(v.share_correct),
            Cell::text(modal),
        ];
        cells.extend(v.answers.0.iter().map(|(_, n)| Cell::count(*n)));
        t.row(cells);
    }
    let mut s = Section::new("Vignettes, hardest first")
        .sheet("Vignettes")
        .with(Chart::Answers { levels, rows })
        .with(t)
        .with(Block::Heading("For the debrief".into()));
    for v in &r.vignettes {
        s.push(Inline(vec![
            Span::Strong(v.vignette.clone()),
            Span::Text(format!(": the rules say {}.", v.level_label)),
        ]));
        let mut items: Vec<Inline> =
            v.indicators
                .iter()
                .map(|i| {
                    Inline::text(format!(
                        "{} (on its own: {})",
                        i.description,
                        label(&i.level)
                    ))
                })
                .chain(v.reasons.iter().map(|x| {
                    Inline::text(format!("Rule: {} ({})", x.reason, effect(r, &x.effect)))
                }))
                .collect();
        if items.is_empty() {
            items.push(Inline::text("No concerns recorded."));
        }
        s.push(Block::List(items));
    }
    s
}

#[cfg(test)]
mod page_tests {
    use crate::report::exercise::html as render;

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

#[cfg(test)]
mod xlsx_tests {
    use crate::report::exercise::xlsx as render;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn numbers_are_numbers_and_text_stays_text() {
        let r = crate::report::exercise::sample_report("=1+1");
        let bytes = render(&r).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names().to_vec();
        assert_eq!(
            names,
            [
                "Threshold exercise results",
                "Cohort",
                "Phases",
                "Trainees",
                "Vignettes",
                "Themes",
                "Responses"
            ]
        );
        let t = wb.worksheet_range("Trainees").unwrap();
        assert_eq!(t.get((0, 0)), Some(&Data::String("Trainee".into())));
        // A name that would start a formula is quoted (report::cell).
        assert_eq!(t.get((1, 0)), Some(&Data::String("'=1+1".into())));
        assert_eq!(t.get((1, 1)), Some(&Data::Float(2.0)));
        assert_eq!(t.get((1, 3)), Some(&Data::Float(1.0)));
        // Level labels, not ids, head the answer columns.
        let v = wb.worksheet_range("Vignettes").unwrap();
        assert_eq!(
            v.get((0, 5)),
            Some(&Data::String("Level 1 - Universal".into()))
        );
    }
}
