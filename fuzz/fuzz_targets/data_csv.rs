//! Fuzz target: arbitrary bytes read as CSV data against a fixed rule file.
//! Every row must be scored or rejected (never lost), and nothing may panic.
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use thresholds::pipeline::{self, LoadOptions};

static PLAN: OnceLock<thresholds::plan::Plan> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let plan = PLAN.get_or_init(common::plan);
    for ext in ["csv"] {
        let path = std::env::temp_dir().join(format!("thresholds-fuzz-{}.{ext}", std::process::id()));
        if std::fs::write(&path, data).is_err() {
            return;
        }
        let mut rows = 0u64;
        let mut sink = |_: &pipeline::Row, _: &thresholds::eval::Score| {
            rows += 1;
            Ok(())
        };
        if let Ok(summary) = pipeline::run(plan, &path, &LoadOptions::default(), &mut sink) {
            assert_eq!(summary.scored, rows, "scored count disagrees with rows delivered");
            assert_eq!(
                summary.read,
                summary.scored + summary.rejects.len() as u64,
                "a row vanished from the counts"
            );
        }
        let _ = std::fs::remove_file(&path);
    }
});
