//! Shared by the data targets: a fixed rule file exercising every field type.
#![allow(dead_code, reason = "each target uses part of this module")]

use thresholds::{check, plan::Plan, span::Source};

pub const RULES: &str = r#"
continuum "Fuzz"
levels { low "Low" mid "Mid" high "High" }
decisions { "NFA" -> low "TAF" -> mid }
themes { dv "Domestic abuse" }
flags { marac "MARAC" }
fields {
  age: number(0..25)
  disabled: bool
  score: number?
  risk: one_of("low", "high")?
  agency: text
}
domain d "D" {
  indicator a "A" at mid themes [dv]
  indicator b "B" at high
}
rule r1 "R1" when age < 1 and a then at least high, flag marac
rule r2 "R2" when count(indicators with dv) >= 1 and risk == "high" then raise 1
"#;

pub fn plan() -> Plan {
    let src = Source::new("fuzz.thr", RULES);
    match thresholds::ruleset::check_source(&src, &check::NoScripts).plan {
        Some(p) => p,
        None => panic!("the fuzz rule file must check"),
    }
}

/// Writes `data` to a file with each extension in turn, reads it through the
/// pipeline, and checks that no row vanished from the counts.
pub fn read_as(plan: &Plan, data: &[u8], extensions: &[&str]) {
    use thresholds::pipeline;
    use thresholds::data::LoadOptions;
    for ext in extensions {
        let path = std::env::temp_dir().join(format!("thresholds-fuzz-{}.{ext}", std::process::id()));
        if std::fs::write(&path, data).is_err() {
            return;
        }
        let mut rows = 0u64;
        let mut sink = |_: &thresholds::data::Row, _: &thresholds::eval::Score| {
            rows += 1;
            Ok(())
        };
        if let Ok(summary) = pipeline::run(plan, &path, &LoadOptions::default(), None, &mut sink) {
            assert_eq!(summary.scored, rows, "scored count disagrees with rows delivered");
            assert_eq!(
                summary.read,
                summary.scored + summary.rejects.len() as u64,
                "a row vanished from the counts"
            );
        }
        let _ = std::fs::remove_file(&path);
    }
}

/// The binary's allocator, so script calls get their memory bound here too.
#[global_allocator]
static ALLOC: thresholds::script::budget::CountingAlloc = thresholds::script::budget::CountingAlloc;
