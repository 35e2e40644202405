//! Property tests of the language: parsing and checking never panic; `fmt`
//! is idempotent and keeps meaning; rule order never matters; adding an
//! indicator never lowers a level (for rule sets without negation); and the
//! compiled evaluator agrees with a plain AST-walking reference evaluator.
//! Rule files are generated as text from a small random model (props/gen.rs).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

#[path = "props/erase.rs"]
mod erase;
#[path = "props/gen.rs"]
mod gen;
#[path = "props/reference.rs"]
mod reference;
#[path = "props/render.rs"]
mod render;

use proptest::prelude::*;
use thresholds::check::NoScripts;
use thresholds::plan::{FieldKind, Plan, Record, Value};
use thresholds::ruleset::check_source;
use thresholds::span::Source;

use gen::{Opts, Rec, Rng, Val};

const ANY: Opts = Opts { monotone: false };
const MONOTONE: Opts = Opts { monotone: true };

fn plan_of(text: &str) -> Plan {
    let src = Source::new("gen.thr", text.to_string());
    let checked = check_source(&src, &NoScripts);
    let errors: Vec<_> = checked
        .diagnostics
        .0
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.location(), d.message))
        .collect();
    assert!(
        errors.is_empty(),
        "generated file does not check: {errors:?}\n{text}"
    );
    checked.plan.unwrap()
}

fn record(plan: &Plan, rec: &Rec) -> Record {
    let mut r = Record::empty(plan);
    for (id, v) in &rec.values {
        let slot = plan.field_slot(id).unwrap() as usize;
        r.values[slot] = match v {
            Val::Missing => Value::Missing,
            Val::Num(n) => Value::Num(*n),
            Val::Bool(b) => Value::Bool(*b),
            Val::Str(s) => match &plan.fields[slot].kind {
                FieldKind::OneOf(o) => Value::Choice(o.iter().position(|x| x == s).unwrap() as u16),
                _ => Value::Text(s.clone()),
            },
        };
    }
    for i in &rec.indicators {
        r.indicators.insert(plan.indicator_bit(i).unwrap() as usize);
    }
    r
}

/// (level, fired, flags) by name, fired and flags sorted.
fn outcome(plan: &Plan, rec: &Record) -> (String, Vec<String>, Vec<String>) {
    let s = thresholds::eval::score(plan, rec).unwrap();
    let mut fired: Vec<String> = s
        .fired
        .iter()
        .map(|r| plan.rules[*r as usize].id.clone())
        .collect();
    fired.sort();
    let mut flags: Vec<String> = s
        .flags
        .iter()
        .map(|f| plan.flags[*f as usize].id.clone())
        .collect();
    flags.sort();
    (plan.level_id(s.level).to_string(), fired, flags)
}

fn parse_erased(text: &str) -> thresholds::ast::RuleFile {
    let mut f = thresholds::parse::parse(&Source::new("x", text.to_string())).unwrap();
    erase::erase(&mut f);
    f
}

fn fmt(text: &str) -> String {
    thresholds::format::format_source(&Source::new("x", text.to_string())).unwrap()
}

/// Text with a few random edits: deletions, duplications and stray characters.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        if chars.is_empty() {
            break;
        }
        let at = rng.below(chars.len());
        match rng.below(4) {
            0 => {
                let n = (1 + rng.below(8)).min(chars.len() - at);
                chars.drain(at..at + n);
            }
            1 => {
                let n = (1 + rng.below(20)).min(chars.len() - at);
                let piece: Vec<char> = chars[at..at + n].to_vec();
                let to = rng.below(chars.len());
                chars.splice(to..to, piece);
            }
            2 => chars.insert(
                at,
                *rng.pick(&['"', '(', ')', '{', '}', '[', '\n', '-', '/', 'é', '\\', '9']),
            ),
            _ => chars[at] = *rng.pick(&['"', ' ', 'x', '0', ',', '.', '?', ':']),
        }
    }
    chars.into_iter().collect()
}

fn no_panic(text: &str) {
    let src = Source::new("x", text.to_string());
    let _ = check_source(&src, &NoScripts);
    if thresholds::parse::parse(&src).is_ok() {
        let once = thresholds::format::format_source(&src).unwrap();
        // whatever parses formats, and the result parses again
        thresholds::parse::parse(&Source::new("y", once)).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parse_and_check_never_panic_on_arbitrary_text(text in "\\PC{0,200}") {
        no_panic(&text);
        no_panic(&format!("continuum \"x\"\nlevels {{ a \"A\" b \"B\" }}\n{text}"));
    }

    #[test]
    fn parse_and_check_never_panic_on_mutated_files(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let m = gen::model(&mut rng, ANY, true);
        let order: Vec<usize> = (0..m.rules.len()).collect();
        let text = m.render(&order, &mut rng);
        no_panic(&mutate(&text, &mut rng));
    }

    #[test]
    fn fmt_is_idempotent_and_keeps_meaning(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let m = gen::model(&mut rng, ANY, true);
        let order: Vec<usize> = (0..m.rules.len()).collect();
        let text = m.render(&order, &mut rng);
        let once = fmt(&text);
        prop_assert_eq!(parse_erased(&once), parse_erased(&text));
        let twice = fmt(&once);
        prop_assert_eq!(&twice, &once);
        // every comment survives
        prop_assert_eq!(once.matches("//").count(), text.matches("//").count());
    }

    #[test]
    fn rule_order_never_changes_a_level(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let m = gen::model(&mut rng, ANY, false);
        let order: Vec<usize> = (0..m.rules.len()).collect();
        let mut shuffled = order.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.below(i + 1));
        }
        let a = plan_of(&m.render(&order, &mut rng));
        let b = plan_of(&m.render(&shuffled, &mut rng));
        for _ in 0..8 {
            let rec = m.record(&mut rng);
            prop_assert_eq!(outcome(&a, &record(&a, &rec)), outcome(&b, &record(&b, &rec)));
        }
    }

    #[test]
    fn adding_an_indicator_never_lowers_a_level(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let m = gen::model(&mut rng, MONOTONE, false);
        let order: Vec<usize> = (0..m.rules.len()).collect();
        let text = m.render(&order, &mut rng);
        let plan = plan_of(&text);
        for _ in 0..8 {
            let rec = m.record(&mut rng);
            let extra = &m.indicators[rng.below(m.indicators.len())].id;
            let mut more = rec.clone();
            if !more.indicators.contains(extra) {
                more.indicators.push(extra.clone());
            }
            let before = thresholds::eval::score(&plan, &record(&plan, &rec)).unwrap();
            let after = thresholds::eval::score(&plan, &record(&plan, &more)).unwrap();
            prop_assert!(after.level >= before.level, "adding `{}` lowered the level\n{}", extra, text);
        }
    }

    #[test]
    fn compiled_evaluator_agrees_with_the_reference(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let m = gen::model(&mut rng, ANY, false);
        let order: Vec<usize> = (0..m.rules.len()).collect();
        let text = m.render(&order, &mut rng);
        let plan = plan_of(&text);
        let file = thresholds::parse::parse(&Source::new("x", text.clone())).unwrap();
        for _ in 0..8 {
            let rec = m.record(&mut rng);
            let (level, fired, flags) = outcome(&plan, &record(&plan, &rec));
            let mut want = reference::score(&file, &rec);
            want.fired.sort();
            prop_assert_eq!(
                (level, fired, flags),
                (want.level, want.fired, want.flags),
                "record {:?}\n{}", rec, text
            );
        }
    }
}

#[test]
#[ignore = "prints a sample generated file"]
fn print_sample() {
    let mut rng = Rng::new(
        std::env::var("SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(7),
    );
    let m = gen::model(&mut rng, ANY, true);
    let order: Vec<usize> = (0..m.rules.len()).collect();
    let text = m.render(&order, &mut rng);
    println!("{text}\n-----\n{}", fmt(&text));
}

/// Writes the benchmark rule file: `BENCH_OUT=/tmp/rules2000.thr cargo test
/// --test suite props::write_bench_rules -- --ignored` (see BENCHMARKS.md).
#[test]
#[ignore = "writes the 2,000-rule benchmark file"]
fn write_bench_rules() {
    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "rules2000.thr".into());
    let sizes = gen::Sizes {
        levels: 6,
        themes: 8,
        flags: 4,
        domains: 12,
        fields: 12,
        indicators: 300,
        rules: 2000,
        examples: 20,
    };
    let mut rng = Rng::new(2026);
    let m = gen::model_sized(&mut rng, ANY, false, &sizes);
    let order: Vec<usize> = (0..m.rules.len()).collect();
    let text = m.render(&order, &mut rng);
    plan_of(&text);
    std::fs::write(&out, fmt(&text)).unwrap();
}
