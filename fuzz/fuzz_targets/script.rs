//! Fuzz target: arbitrary rhai source compiled by the sandboxed engine and
//! every function called with a record. Must end (operation limits) and
//! never panic.
#![no_main]

mod common;

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use thresholds::{plan::Record, script, span::Source};

static PLAN: OnceLock<thresholds::plan::Plan> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let plan = PLAN.get_or_init(common::plan);
    let src: Arc<Source> = Source::new("fuzz.rhai", text);
    let Ok(scripts) = script::Scripts::compile(vec![src]) else { return };
    let rec = Record::empty(plan);
    let map = script::record_map(plan.scripts.as_ref(), plan, &rec);
    for (i, f) in scripts.functions.iter().enumerate() {
        let args = vec![rhai::Dynamic::from_int(1); f.params.saturating_sub(1)];
        let _ = scripts.call(i as u32, map.clone(), args);
    }
});
