//! Fuzz target: the formatter. For any text that parses, `fmt` output must
//! parse, check to the same diagnostics count, and be a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thresholds::{check, format, span::Source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let src = Source::new("fuzz.thr", text);
    let Ok(once) = format::format_source(&src) else { return };
    let src2 = Source::new("fuzz.thr", once.as_str());
    let twice = match format::format_source(&src2) {
        Ok(t) => t,
        Err(e) => panic!("fmt output does not parse: {e}\n---\n{once}"),
    };
    assert_eq!(once, twice, "fmt is not idempotent");
    let a = thresholds::ruleset::check_source(&src, &check::NoScripts).diagnostics;
    let b = thresholds::ruleset::check_source(&src2, &check::NoScripts).diagnostics;
    assert_eq!(a.error_count(), b.error_count(), "fmt changed the meaning");
});
