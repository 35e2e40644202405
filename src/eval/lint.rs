//! The lint that needs the evaluator: each example is scored, a failing
//! script on one is warned about, and so is a rule no example makes fire
//! (unless the plan's lints already say it can never fire). Runs after the
//! plan's own lints (`plan::lint`), over a plan that checked cleanly.

use crate::ast::RuleFile;
use crate::error::Diagnostic;
use crate::plan::{lint, Plan};

/// The warnings from scoring the examples.
pub fn warnings(plan: &Plan, file: &RuleFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let src = &plan.source;
    let rule_spans = lint::rule_id_spans(file);
    let mut covered = vec![false; plan.rules.len()];
    for ex in &plan.examples {
        match super::score(plan, &ex.record) {
            Ok(s) => {
                for f in s.fired {
                    if let Some(c) = covered.get_mut(f as usize) {
                        *c = true;
                    }
                }
            }
            // A script that fails on an example (or goes over a limit of a
            // call) is said here: `check` runs the examples, and should not
            // finish quietly after a script was stopped on one.
            Err(e) => out.push(
                Diagnostic::warning(
                    "example-fails",
                    src,
                    ex.span,
                    format!(
                        "example `{}` cannot be scored: {e}",
                        crate::text::shorten_all(&ex.name)
                    ),
                )
                .with_label("this example")
                .with_help("`thresholds test` runs the examples and shows each result"),
            ),
        }
    }
    for (i, rule) in plan.rules.iter().enumerate() {
        if lint::never_fires(plan, rule).is_some() {
            continue;
        }
        let id_span = rule_spans.get(i).copied().unwrap_or_default();
        if !plan.examples.is_empty() && !covered.get(i).copied().unwrap_or(true) {
            out.push(
                Diagnostic::warning(
                    "no-example",
                    src,
                    id_span,
                    format!("no example makes rule `{}` fire", rule.id),
                )
                .with_help(
                    "add an `example` that shows the rule at work, so `thresholds test` guards it",
                ),
            );
        }
    }
    out
}
