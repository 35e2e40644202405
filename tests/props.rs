//! Property tests of the language: parsing and checking never panic; `fmt`
//! is idempotent and keeps meaning; rule order never matters; adding an
//! indicator never lowers a level (for rule sets without negation); and the
//! compiled evaluator agrees with a plain AST-walking reference evaluator.
//! Rule files and records are proptest strategies (props/gen.rs), so a
//! failure shrinks to a small file and record, and failing cases are kept
//! in props.proptest-regressions.

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
use thresholds::ruleset::check_source;
use thresholds::span::Source;
use thresholds::{Outcome, RuleSet};

use gen::{Opts, Rec, Val};

const ANY: Opts = Opts {
    monotone: false,
    comments: false,
};
const MONOTONE: Opts = Opts {
    monotone: true,
    comments: false,
};
const COMMENTED: Opts = Opts {
    monotone: false,
    comments: true,
};

/// The rules, through the library's front door; a generated file that does
/// not check fails the test with its errors.
fn rules_of(text: &str) -> RuleSet {
    match RuleSet::from_text("gen.thr", text) {
        Ok(rules) => rules,
        Err(e) => panic!("generated file does not check: {e}\n{text}"),
    }
}

/// (level, fired, flags) by id, fired and flags sorted.
fn outcome(rules: &RuleSet, rec: &Rec) -> (String, Vec<String>, Vec<String>) {
    let mut b = rules.record("r");
    for (id, v) in &rec.values {
        b = match v {
            Val::Missing => b,
            Val::Num(n) => b.number(id, *n),
            Val::Bool(x) => b.bool(id, *x),
            Val::Str(s) => b.text(id, s),
        };
    }
    for i in &rec.indicators {
        b = b.indicator(i);
    }
    let Outcome {
        level,
        mut fired,
        mut flags,
    } = rules.score(&b.build().unwrap()).unwrap();
    fired.sort();
    flags.sort();
    (level.id, fired, flags)
}

fn parse_erased(text: &str) -> thresholds::ast::RuleFile {
    let mut f = thresholds::parse::parse(&Source::new("x", text.to_string())).unwrap();
    erase::erase(&mut f);
    f
}

fn fmt(text: &str) -> String {
    thresholds::format::format_source(&Source::new("x", text.to_string())).unwrap()
}

/// One edit to a rule file's text, at a fraction of its length.
#[derive(Clone, Debug)]
enum Edit {
    /// Delete this many characters.
    Delete(f64, usize),
    /// Copy this many characters to another place.
    Copy(f64, usize, f64),
    /// Insert a character.
    Insert(f64, char),
    /// Replace a character.
    Replace(f64, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    let stray = proptest::sample::select(
        &['"', '(', ')', '{', '}', '[', '\n', '-', '/', 'é', '\\', '9'][..],
    );
    let swap = proptest::sample::select(&['"', ' ', 'x', '0', ',', '.', '?', ':'][..]);
    prop_oneof![
        (at.clone(), 1usize..9).prop_map(|(a, n)| Edit::Delete(a, n)),
        (at.clone(), 1usize..21, at.clone()).prop_map(|(a, n, to)| Edit::Copy(a, n, to)),
        (at.clone(), stray).prop_map(|(a, c)| Edit::Insert(a, c)),
        (at, swap).prop_map(|(a, c)| Edit::Replace(a, c)),
    ]
}

/// The text with the edits made in turn.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let pos = |f: f64, len: usize| ((f * len as f64) as usize).min(len.saturating_sub(1));
    for e in edits {
        if chars.is_empty() {
            break;
        }
        match *e {
            Edit::Delete(a, n) => {
                let at = pos(a, chars.len());
                let n = n.min(chars.len() - at);
                chars.drain(at..at + n);
            }
            Edit::Copy(a, n, to) => {
                let at = pos(a, chars.len());
                let n = n.min(chars.len() - at);
                let piece: Vec<char> = chars[at..at + n].to_vec();
                let to = pos(to, chars.len());
                chars.splice(to..to, piece);
            }
            Edit::Insert(a, c) => {
                let at = pos(a, chars.len());
                chars.insert(at, c);
            }
            Edit::Replace(a, c) => {
                let at = pos(a, chars.len());
                chars[at] = c;
            }
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
    fn parse_and_check_never_panic_on_edited_files(
        m in gen::model(&gen::SMALL, COMMENTED),
        edits in proptest::collection::vec(edit(), 1..5),
    ) {
        no_panic(&mutate(&m.render(&m.in_order()), &edits));
    }

    #[test]
    fn fmt_is_idempotent_and_keeps_meaning(m in gen::model(&gen::SMALL, COMMENTED)) {
        let text = m.render(&m.in_order());
        let once = fmt(&text);
        prop_assert_eq!(parse_erased(&once), parse_erased(&text));
        let twice = fmt(&once);
        prop_assert_eq!(&twice, &once);
        // every comment survives
        prop_assert_eq!(once.matches("//").count(), text.matches("//").count());
    }

    #[test]
    fn rule_order_never_changes_a_level(
        (m, order, recs) in gen::model_and_records(ANY, 1..8).prop_flat_map(|(m, recs)| {
            let order = Just(m.in_order()).prop_shuffle();
            (Just(m), order, Just(recs))
        }),
    ) {
        let a = rules_of(&m.render(&m.in_order()));
        let b = rules_of(&m.render(&order));
        for rec in &recs {
            prop_assert_eq!(outcome(&a, rec), outcome(&b, rec));
        }
    }

    #[test]
    fn adding_an_indicator_never_lowers_a_level(
        (m, recs, extra) in gen::model_and_records(MONOTONE, 1..8).prop_flat_map(|(m, recs)| {
            let n = m.shape.indicators.len();
            (Just(m), Just(recs), 0..n)
        }),
    ) {
        let text = m.render(&m.in_order());
        let rules = rules_of(&text);
        let extra = format!("i{extra}");
        for rec in &recs {
            let mut more = rec.clone();
            if !more.indicators.contains(&extra) {
                more.indicators.push(extra.clone());
            }
            let (before, _, _) = outcome(&rules, rec);
            let (after, _, _) = outcome(&rules, &more);
            let rank = |id: &str| rules.levels().iter().position(|l| l.id == id);
            prop_assert!(rank(&after) >= rank(&before), "adding `{}` lowered the level\n{}", extra, text);
        }
    }

    #[test]
    fn compiled_evaluator_agrees_with_the_reference((m, recs) in gen::model_and_records(ANY, 1..8)) {
        let text = m.render(&m.in_order());
        let rules = rules_of(&text);
        let file = thresholds::parse::parse(&Source::new("x", text.clone())).unwrap();
        for rec in &recs {
            let got = outcome(&rules, rec);
            let mut want = reference::score(&file, rec);
            want.fired.sort();
            prop_assert_eq!(
                got,
                (want.level, want.fired, want.flags),
                "record {:?}\n{}", rec, text
            );
        }
    }
}

/// One case drawn from a strategy by a fixed seed (for the ignored helpers).
fn draw<S: Strategy>(s: S) -> S::Value {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let seed = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse::<u8>().ok())
        .unwrap_or(7);
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    s.new_tree(&mut runner).unwrap().current()
}

#[test]
#[ignore = "prints a sample generated file"]
fn print_sample() {
    let m = draw(gen::model(&gen::SMALL, COMMENTED));
    let text = m.render(&m.in_order());
    println!("{text}\n-----\n{}", fmt(&text));
}

/// Writes the benchmark rule file: `BENCH_OUT=/tmp/rules2000.thr cargo test
/// --test suite props::write_bench_rules -- --ignored` (see BENCHMARKS.md).
#[test]
#[ignore = "writes the 2,000-rule benchmark file"]
fn write_bench_rules() {
    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "rules2000.thr".into());
    let sizes = gen::Sizes {
        levels: (6, 7),
        themes: (8, 9),
        flags: (4, 5),
        domains: (12, 13),
        fields: (12, 13),
        indicators: (300, 301),
        rules: (2000, 2001),
        examples: (20, 21),
    };
    let m = draw(gen::model(&sizes, ANY));
    let text = m.render(&m.in_order());
    rules_of(&text);
    std::fs::write(&out, fmt(&text)).unwrap();
}
