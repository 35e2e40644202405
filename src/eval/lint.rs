//! The lint that needs the evaluator: each example is scored, a failing
//! script on one is warned about, and so is a rule no example makes fire
//! (unless the plan's lints already say it can never fire). Runs after the
//! plan's own lints (`plan::lint`), over a plan that checked cleanly.

use crate::ast::RuleFile;
use crate::error::Diagnostic;
use crate::plan::{lint, Plan};

/// The warnings from scoring the examples.
pub(crate) fn warnings(plan: &Plan, file: &RuleFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let src = &plan.source;
    let rule_spans = lint::rule_id_spans(file);
    let mut covered = vec![false; plan.rules.len()];
    for ex in &plan.examples {
        match super::score(plan, &ex.record) {
            Ok(s) => {
                for f in s.fired {
                    if let Some(c) = covered.get_mut(f.index()) {
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

#[cfg(test)]
mod tests {
    use crate::check::NoScripts;
    use crate::ruleset::check_source;
    use crate::span::Source;

    fn warnings(text: &str) -> Vec<(&'static str, String)> {
        let c = check_source(&Source::new("t.thr", text), &NoScripts);
        assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics.0);
        c.diagnostics
            .0
            .iter()
            .map(|d| (d.code, d.location()))
            .collect()
    }

    const HEAD: &str = "continuum \"T\"\nlevels { low \"Low\" high \"High\" }\n\
        domain d \"D\" {\n  indicator a \"A\" at low\n  indicator b \"B\" at high\n}\n";

    #[test]
    fn a_rule_no_example_fires_is_warned_about_after_the_plans_own_warning() {
        // `r` only fires with `b`, already at `high`: the plan's lint says
        // so, and the examples' lint adds that no example fires it, in
        // that order (both point at the rule's id).
        let got = warnings(&format!(
            "{HEAD}rule r \"R\" when b then at least high\n\
             rule s \"S\" when a then at least high\n\
             example \"e\" {{ indicators = [a] expect high }}\n"
        ));
        let codes: Vec<&str> = got.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, ["never-changes-level", "no-example"], "{got:?}");
        assert_eq!(got[0].1, got[1].1);
    }

    #[test]
    fn a_rule_that_can_never_fire_is_not_also_said_to_lack_an_example() {
        let got = warnings(&format!(
            "{HEAD}rule r \"R\" when a and not a then at least high\n\
             rule s \"S\" when a then at least high\n\
             example \"e\" {{ indicators = [a] expect high }}\n"
        ));
        let codes: Vec<&str> = got.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, ["never-fires"], "{got:?}");
    }

    #[test]
    fn without_examples_there_is_no_example_warning() {
        let got = warnings(&format!("{HEAD}rule s \"S\" when a then at least high\n"));
        assert!(got.is_empty(), "{got:?}");
    }
}
