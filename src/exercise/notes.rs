//! A vignette as short plain-English case notes: the known fields as facts
//! under their labels (the rule file's label, else the id made readable; a
//! field with no value is left out, never listed as "not known"), then the
//! concerns (indicator descriptions) grouped by domain. No levels are shown:
//! the trainee is to judge the level.

use crate::plan::{DomainId, Plan, Record, Value};

/// The case notes of one vignette.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseNotes {
    /// The vignette id.
    pub id: String,
    /// (label, value) for each field with a value, e.g. ("Age", "4").
    pub facts: Vec<(String, String)>,
    /// (domain label, concern descriptions) in domain order.
    pub concerns: Vec<(String, Vec<String>)>,
}

/// Builds the case notes of a record.
pub fn case_notes(plan: &Plan, rec: &Record, id: &str) -> CaseNotes {
    let facts = plan
        .decl
        .fields
        .iter()
        .enumerate()
        .filter_map(|(slot, f)| {
            let v = match rec.values.get(slot) {
                Some(Value::Bool(true)) => "yes".to_string(),
                Some(Value::Bool(false)) => "no".to_string(),
                Some(Value::Missing) | None => return None,
                // A declared choice reads as words: `local_authority` →
                // `local authority`.
                Some(Value::Choice(c)) => {
                    super::pack::value_cell(&f.kind, Some(&Value::Choice(*c))).replace('_', " ")
                }
                other => super::pack::value_cell(&f.kind, other),
            };
            (!v.trim().is_empty()).then(|| (f.display_label(), v))
        })
        .collect();
    let mut concerns: Vec<(String, Vec<String>)> = Vec::new();
    for (d, domain) in DomainId::all().zip(&plan.decl.domains) {
        let here: Vec<String> = rec
            .indicators
            .iter()
            .filter_map(|i| plan.decl.indicators.get(i))
            .filter(|i| i.domain == d)
            .map(|i| sentence(&i.description))
            .collect();
        if !here.is_empty() {
            concerns.push((domain.label.clone(), here));
        }
    }
    CaseNotes {
        id: id.to_string(),
        facts,
        concerns,
    }
}

/// A description as a sentence: capital first, full stop last.
fn sentence(s: &str) -> String {
    let t = s.trim();
    let mut c = t.chars();
    let mut out: String = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// The notes as plain text for a terminal.
pub fn text(n: &CaseNotes) -> String {
    let mut out = format!("Case {}\n", n.id);
    for (k, v) in &n.facts {
        out.push_str(&format!("  {k}: {v}\n"));
    }
    if n.concerns.is_empty() {
        out.push_str("  No concerns are recorded.\n");
    } else {
        out.push_str("  Concerns:\n");
        for (domain, items) in &n.concerns {
            out.push_str(&format!("    {domain}:\n"));
            for i in items {
                out.push_str(&format!("      - {i}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::testutil::{plan, record};

    #[test]
    fn notes_group_concerns_by_domain_without_levels() {
        let p = plan();
        let r = record(&p, "x", 4.0, &["dv_house", "hygiene"]);
        let n = case_notes(&p, &r, "V01");
        assert_eq!(n.facts, vec![("Age".to_string(), "4".to_string())]);
        assert_eq!(n.concerns[0].0, "Basic care");
        assert_eq!(n.concerns[0].1, vec!["Hygiene often poor.".to_string()]);
        let t = text(&n);
        assert!(t.contains("Domestic abuse in the household."));
        assert!(!t.contains("targeted"));
    }

    #[test]
    fn field_labels_from_the_rule_file() {
        let src = crate::span::Source::new(
            "t.thr",
            crate::exercise::testutil::RULES.replace(
                "dash_score: number?",
                "dash_score: number? \"DASH risk checklist score\"",
            ),
        );
        let p = crate::ruleset::check_source(&src, &crate::check::NoScripts)
            .plan
            .expect("rules with a label check");
        let mut r = record(&p, "x", 4.0, &[]);
        r.values[1] = Value::Num(15.0);
        let n = case_notes(&p, &r, "V01");
        assert_eq!(
            n.facts[1],
            ("DASH risk checklist score".into(), "15".into())
        );
        assert!(!text(&n).contains("Dash score"));
    }

    #[test]
    fn no_concerns_said_plainly() {
        let p = plan();
        let n = case_notes(&p, &record(&p, "x", 4.0, &[]), "V02");
        assert!(text(&n).contains("No concerns are recorded."));
    }
}
