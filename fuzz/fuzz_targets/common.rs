//! Shared by the data targets: a fixed rule file exercising every field type.

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
    match check::check_source(&src, &check::NoScripts).plan {
        Some(p) => p,
        None => panic!("the fuzz rule file must check"),
    }
}
