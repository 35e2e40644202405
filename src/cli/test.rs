//! `thresholds test RULES`: run the embedded examples; the last line is
//! `N passed, M failed`.

use std::path::PathBuf;

use clap::Args;

use super::{exit, load_rules, CliResult, ErrorFormat};
use thresholds::plan::{ExampleCase, Plan};

/// Arguments of `test`.
#[derive(Args, Debug)]
pub(crate) struct TestArgs {
    /// The rule file.
    pub rules: PathBuf,
}

/// One example's outcome: `None` = passed, else what went wrong.
pub(super) fn run_example(plan: &Plan, ex: &ExampleCase) -> Option<String> {
    let score = match thresholds::eval::score(plan, &ex.record) {
        Ok(s) => s,
        Err(e) => return Some(format!("error: {e}")),
    };
    let mut problems = Vec::new();
    if let Some(want) = ex.expect {
        if want != score.level {
            problems.push(format!(
                "expected {}, got {}",
                plan.level_id(want),
                plan.level_id(score.level)
            ));
        }
    }
    for r in &ex.fired {
        if !score.fired.contains(r) {
            let id = plan.rules.get(r.index()).map_or("?", |r| r.id.as_str());
            problems.push(format!("rule `{id}` did not fire"));
        }
    }
    for f in &ex.flags {
        if !score.flags.contains(f) {
            let id = plan
                .decl
                .flags
                .get(f.index())
                .map_or("?", |f| f.id.as_str());
            problems.push(format!("flag `{id}` was not raised"));
        }
    }
    if problems.is_empty() {
        None
    } else {
        Some(problems.join("; "))
    }
}

/// Runs `test`.
pub(super) fn run(a: TestArgs, error_format: ErrorFormat) -> CliResult {
    let plan = load_rules(&a.rules, error_format)?;
    let (mut passed, mut failed) = (0usize, 0usize);
    for ex in &plan.examples {
        match run_example(&plan, ex) {
            None => {
                passed += 1;
                println!("ok      {}", thresholds::text::shorten_all(&ex.name));
            }
            Some(why) => {
                failed += 1;
                let (line, _) = plan.source.line_col(ex.span.start);
                // Example names and reasons come from the rule file: escaped.
                println!(
                    "FAILED  {} ({}:{line}): {}",
                    thresholds::text::shorten_all(&ex.name),
                    plan.source.name,
                    thresholds::text::shorten_all(&why)
                );
                if let Ok(e) = thresholds::explain::explain(&plan, &ex.record) {
                    for l in thresholds::report::explain::text(&e).lines() {
                        println!("        {l}");
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed > 0 { exit::RULES } else { exit::OK })
}
