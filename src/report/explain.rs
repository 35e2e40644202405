//! An [`Explanation`] as one [`Document`] of the report model: the
//! record's level and its recorded decision first, then how the rules reach
//! the level (the base level and the indicators that set it, each fired
//! rule with its reason, floor, raise and flags), then, for the rule file's
//! maintainer, why each other rule did not fire. The terminal output is its
//! text rendering (`report::doc::text`, which makes control characters from
//! labels and reasons harmless); `-o FILE.md|.html` renders the same
//! document.

use crate::explain::Explanation;
use crate::report::doc::{self, Block, Document, Inline, Section};

/// The explanation's document.
pub fn document(e: &Explanation) -> Document {
    let mut intro = Vec::new();
    if let Some(d) = &e.decision {
        let written = if d.text.is_empty() {
            String::new()
        } else {
            format!("\"{}\" = ", d.text)
        };
        let verdict = if d.agrees {
            "the rules agree".to_string()
        } else {
            format!("the rules give {}", e.level_name(&e.level))
        };
        intro.push(note(
            "Recorded decision",
            format!("{written}{}; {verdict}", e.level_name(&d.level)),
        ));
    } else {
        intro.push(Block::Paragraph(Inline::text(
            "No decision is recorded for this record.",
        )));
    }
    Document {
        title: format!("Record {}: {}", e.id, e.level_name(&e.level)),
        intro,
        sections: vec![how(e), not_fired(e)],
    }
}

fn note(label: &str, text: String) -> Block {
    Block::Note {
        label: label.into(),
        text: Inline::text(text),
    }
}

/// How the rules reach the level.
fn how(e: &Explanation) -> Section {
    let mut s = Section::new("How the rules reach this level");
    s.push(if e.base_indicators.is_empty() {
        note(
            "Base level",
            format!("{} (no indicator present)", e.level_name(&e.base)),
        )
    } else {
        let by: Vec<String> = e
            .base_indicators
            .iter()
            .map(|i| e.indicator_name(i))
            .collect();
        note(
            "Base level",
            format!("{}, set by {}", e.level_name(&e.base), by.join(", ")),
        )
    });
    let others: Vec<String> = e
        .indicators
        .iter()
        .filter(|(id, _)| !e.base_indicators.contains(id))
        .map(|(id, l)| format!("{} at {}", e.indicator_name(id), e.level_name(l)))
        .collect();
    if !others.is_empty() {
        s.push(note("Other indicators present", others.join(", ")));
    }
    if e.fired.is_empty() {
        s.push(Inline::text("No rule fired."));
    } else {
        s.push(Block::Heading("Rules that fired".into()));
        s.push(Block::Answers(
            e.fired
                .iter()
                .map(|r| {
                    (
                        Inline::code(&r.rule).and(": ").and(&r.effect),
                        Inline::text(&r.reason),
                    )
                })
                .collect(),
        ));
    }
    if let Some(f) = &e.floor {
        s.push(note("Floor", e.level_name(f)));
    }
    if e.raise > 0 {
        s.push(note("Raise", format!("{} level(s)", e.raise)));
    }
    if !e.flags.is_empty() {
        let flags: Vec<String> = e
            .flags
            .iter()
            .map(|(id, label)| {
                if label.is_empty() {
                    id.clone()
                } else {
                    format!("{label} ({id})")
                }
            })
            .collect();
        s.push(note("Flags", flags.join(", ")));
    }
    s
}

/// Why the other rules did not fire: for whoever maintains the rule file.
fn not_fired(e: &Explanation) -> Section {
    let mut s = Section::new("Why the other rules did not fire");
    if e.not_fired.is_empty() {
        s.push(Inline::text("Every rule fired."));
        return s;
    }
    s.push(Inline::text(
        "For the rule file's maintainer: the part of each rule's condition that was false, with the values it read.",
    ));
    s.push(Block::Answers(
        e.not_fired
            .iter()
            .map(|n| (Inline::code(&n.rule), because(&n.because)))
            .collect(),
    ));
    s
}

/// The false parts of a condition, separated by "; ": the conditions
/// between their backticks set as code (each part read on its own, so a
/// stray backtick in a value stays in its part).
fn because(parts: &[String]) -> Inline {
    let mut out = Inline::default();
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            out.push_text("; ");
        }
        out = out.and_inline(Inline::source_ticked(part));
    }
    out
}

/// The explanation as plain text for a terminal.
pub fn text(e: &Explanation) -> String {
    doc::text::render(&document(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::{NotFired, Reason, RecordedDecision};

    fn sample() -> Explanation {
        let labels = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        Explanation {
            id: "R1".into(),
            level: "targeted".into(),
            level_label: "Targeted".into(),
            base: "early_help".into(),
            base_indicators: vec!["dv".into()],
            indicators: vec![
                ("dv".into(), "early_help".into()),
                ("hyg".into(), "universal".into()),
            ],
            floor: Some("targeted".into()),
            raise: 0,
            fired: vec![Reason {
                rule: "dv_repeat".into(),
                reason: "Repeat domestic abuse".into(),
                effect: "at least targeted".into(),
            }],
            flags: vec![("marac".into(), "MARAC referral".into())],
            not_fired: vec![NotFired {
                rule: "older_teen".into(),
                reason: "Older teenager".into(),
                because: vec!["`age >= 16` was 12".into()],
            }],
            level_labels: labels(&[
                ("universal", "Universal"),
                ("early_help", "Early help"),
                ("targeted", "Targeted"),
            ]),
            indicator_labels: labels(&[("dv", "Domestic abuse"), ("hyg", "Poor hygiene")]),
            indicator_codes: Default::default(),
            decision: Some(RecordedDecision {
                text: "EH".into(),
                level: "early_help".into(),
                level_label: "Early help".into(),
                agrees: false,
            }),
        }
    }

    #[test]
    fn the_text_keeps_every_fact_by_label() {
        let t = text(&sample());
        assert!(t.starts_with("Record R1: Targeted (targeted)\n"), "{t}");
        for fact in [
            "Recorded decision: \"EH\" = Early help (early_help); the rules give Targeted (targeted)",
            "Base level: Early help (early_help), set by Domestic abuse (dv)",
            "Other indicators present: Poor hygiene (hyg) at Universal (universal)",
            "dv_repeat: at least targeted\n  Repeat domestic abuse",
            "Floor: Targeted (targeted)",
            "Flags: MARAC referral (marac)",
            "Why the other rules did not fire",
            "older_teen\n  `age >= 16` was 12",
        ] {
            assert!(t.contains(fact), "{fact:?} not in\n{t}");
        }
    }

    #[test]
    fn markdown_and_html_render_the_same_document() {
        let d = document(&sample());
        let md = doc::markdown::render(&d);
        assert!(md.contains("## Why the other rules did not fire"), "{md}");
        assert!(md.contains("`dv_repeat`"), "{md}");
        let html = doc::html::render(&d);
        assert!(html.contains("<code>older_teen</code>"), "{html}");
        // The condition is code in both, and nowhere a literal backtick.
        assert!(md.contains("`age >= 16` was 12"), "{md}");
        assert!(!md.contains("\\`"), "{md}");
        assert!(html.contains("<code>age &gt;= 16</code> was 12"), "{html}");
        assert!(!html.contains('`'), "{html}");
    }
}
