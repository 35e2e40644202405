//! Fuzz target: reuse of script results never changes an outcome. The input
//! picks a script from the snippet grammar of tests/snippets/reuse.rs (terms,
//! helper, a script's own `has` and `values`), may add any text as one more
//! term of `f`, and lists records; each record is scored with reuse, without
//! it, and through `explain`, and the three must agree. A script that does
//! not compile is skipped; a disagreement is a crash.
#![no_main]

#[path = "../../tests/snippets/reuse.rs"]
mod snippets;

use libfuzzer_sys::fuzz_target;
use thresholds::eval::{score, score_without_reuse};
use thresholds::explain::explain;

use snippets::*;

fuzz_target!(|data: &[u8]| {
    // Layout: [n_terms, term.., g, flags, n_records, record×5.., raw term text]
    let mut bytes = data.iter().copied();
    let mut next = || bytes.next().unwrap_or(0);
    let n_terms = 1 + usize::from(next() % 4);
    let mut terms: Vec<&str> = (0..n_terms)
        .map(|_| TERMS[usize::from(next()) % TERMS.len()])
        .collect();
    let g = usize::from(next());
    let flags = next();
    let n_records = 1 + usize::from(next() % 16);
    let recs: Vec<Rec> = (0..n_records)
        .map(|_| (next() % 4, next() % 3, next() % 3, next() % 3, next() % 8))
        .collect();
    let used = (4 + n_terms + 5 * n_records).min(data.len());
    let raw = std::str::from_utf8(&data[used..]).unwrap_or("");
    if !raw.trim().is_empty() {
        terms.push(raw);
    }
    let text = script_text(&terms, g, flags & 1 != 0, flags & 2 != 0);
    let src = thresholds::span::Source::new("t.thr", RULES);
    let Some(plan) = thresholds::ruleset::check_source(&src, &Loader(text.clone())).plan else {
        return;
    };
    for (n, r) in recs.iter().enumerate() {
        let rec = record(&plan, *r, n);
        let with = score(&plan, &rec).map_err(|e| e.to_string());
        let without = score_without_reuse(&plan, &rec).map_err(|e| e.to_string());
        assert_eq!(with, without, "record {r:?} of script\n{text}");
        let explained = explain(&plan, &rec).map(|e| e.level).map_err(|e| e.to_string());
        let level = with.map(|s| plan.decl.levels[s.level.index()].id.clone());
        assert_eq!(level, explained, "record {r:?} of script\n{text}");
    }
});
