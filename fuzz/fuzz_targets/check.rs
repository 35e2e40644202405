//! Fuzz target: any text through the parser and checker, and the human
//! rendering of whatever they report. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thresholds::{check, report, span::Source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let src = Source::new("fuzz.thr", text);
    let checked = thresholds::ruleset::check_source(&src, &check::NoScripts);
    let _ = report::diagnostics::human(&checked.diagnostics, false);
    let _ = report::diagnostics::json(&checked.diagnostics);
});
