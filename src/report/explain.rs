//! An [`Explanation`] as plain text for a person reading it.

use std::fmt::Write as _;

use crate::explain::Explanation;

/// The explanation as indented plain text.
pub fn text(e: &Explanation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "record {}: {}", e.id, e.level_name(&e.level));
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
        let _ = writeln!(
            s,
            "  recorded decision: {written}{}; {verdict}",
            e.level_name(&d.level)
        );
    }
    if e.base_indicators.is_empty() {
        let _ = writeln!(
            s,
            "  base: {} (no indicator present)",
            e.level_name(&e.base)
        );
    } else {
        let by: Vec<String> = e
            .base_indicators
            .iter()
            .map(|i| e.indicator_name(i))
            .collect();
        let _ = writeln!(
            s,
            "  base: {}, set by {}",
            e.level_name(&e.base),
            by.join(", ")
        );
    }
    if e.indicators.len() > e.base_indicators.len() {
        let others: Vec<String> = e
            .indicators
            .iter()
            .filter(|(id, _)| !e.base_indicators.contains(id))
            .map(|(id, l)| format!("{} at {}", e.indicator_name(id), e.level_name(l)))
            .collect();
        let _ = writeln!(s, "  other indicators: {}", others.join(", "));
    }
    if e.fired.is_empty() {
        let _ = writeln!(s, "  no rule fired");
    } else {
        let _ = writeln!(s, "  fired:");
        for r in &e.fired {
            let _ = writeln!(s, "    {} -> {}: {}", r.rule, r.effect, r.reason);
        }
    }
    if let Some(f) = &e.floor {
        let _ = writeln!(s, "  floor: {}", e.level_name(f));
    }
    if e.raise > 0 {
        let _ = writeln!(s, "  raise: {}", e.raise);
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
        let _ = writeln!(s, "  flags: {}", flags.join(", "));
    }
    if !e.not_fired.is_empty() {
        let _ = writeln!(s, "  did not fire:");
        for n in &e.not_fired {
            let _ = writeln!(s, "    {}: {}", n.rule, n.because.join("; "));
        }
    }
    escape_lines(&s)
}

/// The text with control and direction-changing characters escaped on
/// every line (labels, reasons and script messages come from rule files
/// and scripts), line breaks kept.
fn escape_lines(s: &str) -> String {
    s.split('\n')
        .map(crate::text::shorten_all)
        .collect::<Vec<_>>()
        .join("\n")
}
