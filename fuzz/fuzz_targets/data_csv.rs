//! Fuzz target: arbitrary bytes read as CSV data against a fixed rule file.
//! Every row must be scored or rejected (never lost), and nothing may panic.
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

static PLAN: OnceLock<thresholds::plan::Plan> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    common::read_as(PLAN.get_or_init(common::plan), data, &["csv"]);
});
