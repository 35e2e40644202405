//! `thresholds`: a rules engine for safeguarding thresholds (a "continuum of need").
//!
//! A rule file (`.thr`) is parsed with a pest grammar ([`parse`]), checked
//! and compiled into a [`plan::Plan`] ([`check`]), and evaluated against
//! referral records ([`eval`]), each score carrying its explanation
//! ([`explain`]).
//!
//! ```
//! use thresholds::{check, eval, span::Source};
//! let src = Source::new("demo.thr", r#"
//! continuum "Demo"
//! levels { universal "Universal" early_help "Early help" targeted "Targeted" }
//! fields { age: number }
//! domain safety "Safety" {
//!   indicator dv "Domestic abuse in the household" at early_help
//!   indicator injury "Unexplained injury" at early_help
//! }
//! rule baby "An injured baby needs a targeted response"
//!   when age < 1 and injury
//!   then at least targeted
//! "#);
//! let checked = check::check_source(&src, &check::NoScripts);
//! let plan = checked.plan.expect("the demo rules check");
//! let mut rec = thresholds::plan::Record::empty(&plan);
//! rec.values[0] = thresholds::plan::Value::Num(0.5);
//! rec.indicators.insert(plan.indicator_bit("injury").unwrap() as usize);
//! let score = eval::score(&plan, &rec).unwrap();
//! assert_eq!(plan.level_id(score.level), "targeted");
//! ```

pub mod ast;
pub mod audit;
pub mod bits;
pub mod check;
pub mod cli;
pub mod data;
pub mod diff;
pub mod error;
pub mod eval;
pub mod exercise;
pub mod explain;
pub mod format;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod plan;
pub mod pseudonym;
pub mod report;
pub mod sample;
pub mod script;
pub mod serve;
pub mod span;
pub mod stats;
pub mod text;

/// Rule files larger than this are refused before parsing.
pub const MAX_RULE_FILE_BYTES: u64 = 8 * 1024 * 1024;
