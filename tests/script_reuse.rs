//! Reuse of script results never changes a level (SPEC section 3): scripts
//! generated from a grammar of rhai snippets, the tricks that fooled the old
//! text scan among them (a back-tick string ending in `\`, a script's own
//! `has`, a script function named like a built-in of another arity, the
//! record aliased, indexed, captured, broken out of a loop), are scored on a
//! run of records with reuse, without it, and through `explain`; all three
//! must agree on every record. The strategies are proptest's own, so a
//! failure shrinks to a small script and a few records.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

#[path = "snippets/reuse.rs"]
mod snippets;

use proptest::prelude::*;
use thresholds::eval::{score, score_without_reuse};
use thresholds::explain::explain;

use snippets::*;

/// One generated script.
#[derive(Clone, Debug)]
struct Script {
    terms: Vec<usize>,
    g: usize,
    own_has: bool,
    own_values: bool,
}

impl Script {
    fn text(&self) -> String {
        let body: Vec<&str> = self.terms.iter().map(|&t| TERMS[t]).collect();
        script_text(&body, self.g, self.own_has, self.own_values)
    }
}

fn script() -> impl Strategy<Value = Script> {
    (
        prop::collection::vec(0..TERMS.len(), 1..4),
        0..G.len(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(terms, g, own_has, own_values)| Script {
            terms,
            g,
            own_has,
            own_values,
        })
}

fn records() -> impl Strategy<Value = Vec<Rec>> {
    prop::collection::vec((0u8..4, 0u8..3, 0u8..3, 0u8..3, 0u8..8), 1..14)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// With reuse, without it, and through `explain`: the same outcome for
    /// every record of a run, in any order the run presents them.
    #[test]
    fn reuse_never_changes_a_level(s in script(), recs in records()) {
        let text = s.text();
        let plan = plan_of(&text);
        for (n, r) in recs.iter().enumerate() {
            let rec = record(&plan, *r, n);
            let with = score(&plan, &rec).map_err(|e| e.to_string());
            let without = score_without_reuse(&plan, &rec).map_err(|e| e.to_string());
            prop_assert_eq!(&with, &without, "record {:?} of script\n{}", r, text);
            let explained = explain(&plan, &rec).map_err(|e| e.to_string());
            match (&with, &explained) {
                (Ok(sc), Ok(ex)) => {
                    let level = &plan.decl.levels[sc.level.index()].id;
                    prop_assert_eq!(level, &ex.level, "record {:?} of script\n{}", r, text);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                _ => prop_assert!(false, "score {:?} but explain {:?}", with, explained.map(|e| e.level)),
            }
        }
    }
}

/// The cases the issue found, each on the records that expose it.
#[test]
fn the_tricks_that_fooled_the_text_scan() {
    for text in [
        // A script's own `has` reads `age`: the scan took it for the
        // indicator test and reused results across ages.
        format!("fn f(r) {{ if has(r, \"a\") {{ 5 }} else {{ 0 }} }}\n{OWN_HAS}"),
        // A back-tick string ending in `\` hid the read that follows.
        "fn f(r) { let s = `x\\`; if r.age > 10 { 5 } else { 0 } }".to_string(),
        // `values(r)` is the built-in, not the script's two-parameter one.
        format!("fn f(r) {{ if values(r).contains(12.0) {{ 5 }} else {{ 0 }} }}\n{OWN_VALUES}"),
    ] {
        let plan = plan_of(&text);
        let old = record(&plan, (3, 0, 0, 0, 1), 0);
        let young = record(&plan, (2, 0, 0, 0, 1), 1);
        for rec in [&old, &young, &old, &young] {
            let with = score(&plan, rec).unwrap();
            let without = score_without_reuse(&plan, rec).unwrap();
            assert_eq!(with, without, "{text}");
        }
        assert_ne!(
            score(&plan, &old).unwrap().level,
            score(&plan, &young).unwrap().level,
            "the age matters in {text}"
        );
    }
}

/// The shipped scripts are read exactly, so every call of theirs may be
/// reused: what keeps `score` fast on the shipped rules.
#[test]
fn the_shipped_scripts_reads_are_all_known() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/continuum.thr");
    let checked = thresholds::ruleset::load_file(&path).unwrap();
    let plan = checked.plan.unwrap();
    let scripts = plan.scripts.as_ref().unwrap();
    for (f, reads) in scripts.functions.iter().zip(&scripts.reads.by_function) {
        assert!(reads.is_some(), "`{}` reads something unknown", f.name);
    }
    let pooled = scripts.reads.pooled.as_ref().unwrap();
    assert!(!pooled.fields.is_empty());
}
