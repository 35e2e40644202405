//! `thresholds`: a rules engine for safeguarding thresholds (a "continuum of need").
//!
//! Most programs need only the front door, [`RuleSet`]: load a rule file,
//! build records by field and indicator name, score and explain them.
//!
//! ```
//! use thresholds::RuleSet;
//! let rules = RuleSet::from_text("demo.thr", r#"
//! continuum "Demo"
//! levels { universal "Universal" early_help "Early help" targeted "Targeted" }
//! fields { age: number "Age in years" }
//! domain safety "Safety" {
//!   indicator dv "Domestic abuse in the household" at early_help
//!   indicator injury "Unexplained injury" at early_help
//! }
//! rule baby "An injured baby needs a targeted response"
//!   when age < 1 and injury
//!   then at least targeted
//! "#)?;
//! let record = rules.record("R1").number("age", 0.5).indicator("injury").build()?;
//! let outcome = rules.score(&record)?;
//! assert_eq!(outcome.level.label, "Targeted");
//! let why = rules.explain(&record)?;
//! assert_eq!(why.fired[0].reason, "An injured baby needs a targeted response");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Data files of every supported format (CSV, JSON, JSON Lines, Excel, a
//! CIN census return) are read through the same streaming pipeline as the
//! command line uses: [`RuleSet::score_file`] hands each scored row to the
//! caller, and [`RuleSet::audit_file`] gives the figures of an audit.
//!
//! ```
//! use thresholds::{audit::Columns, data::LoadOptions, RuleSet};
//! let dir = tempfile::tempdir()?;
//! let rules = dir.path().join("demo.thr");
//! std::fs::write(&rules, r#"
//! continuum "Demo"
//! levels { universal "Universal" targeted "Targeted" }
//! decisions { "NFA" -> universal "TAF" -> targeted }
//! fields { age: number "Age in years" }
//! domain safety "Safety" { indicator injury "Unexplained injury" at universal }
//! rule baby "An injured baby needs a targeted response"
//!   when age < 1 and injury
//!   then at least targeted
//! "#)?;
//! let data = dir.path().join("referrals.csv");
//! std::fs::write(&data, "id,age,indicators,decision\n\
//!     R1,0.5,injury,NFA\n\
//!     R2,7,,NFA\n\
//!     R3,two,,TAF\n")?;
//!
//! let rules = RuleSet::load(&rules)?;
//! let mut levels = Vec::new();
//! let read = rules.score_file(&data, &LoadOptions::default(), |row| {
//!     levels.push((row.id, row.outcome.level.id));
//! })?;
//! assert_eq!(levels, [("R1", "targeted"), ("R2", "universal")].map(|(a, b)| (a.to_string(), b.to_string())));
//! assert_eq!((read.read, read.scored), (3, 2));
//! assert_eq!(read.rejected[0].column, "age");
//!
//! let audit = rules.audit_file(&data, &LoadOptions::default(), Columns::default())?;
//! assert_eq!((audit.overall.n, audit.overall.agree), (2, 1));
//! assert_eq!(audit.evidence[0].id, "R1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Underneath, a rule file (`.thr`) is parsed with a pest grammar
//! ([`parse`]), checked and compiled into a [`plan::Plan`] ([`check`]), and
//! evaluated against referral records ([`eval`]), each score carrying its
//! explanation ([`explain`]); [`data`] reads CSV, JSON, JSON Lines and Excel
//! files, [`pipeline`] scores them on every core, and [`audit`], [`diff`] and
//! [`exercise`] build the reports that [`report`] renders. ARCHITECTURE.md
//! draws the layers.

pub mod ast;
pub mod audit;
pub mod bits;
pub mod check;
pub mod data;
pub mod diff;
pub mod error;
pub mod eval;
pub mod exercise;
pub mod explain;
pub mod files;
pub mod format;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod plan;
pub mod pseudonym;
pub mod record;
pub mod report;
pub mod ruleset;
pub mod sample;
pub mod script;
pub mod serve;
pub mod span;
pub mod stats;
pub mod text;

pub use files::{FileError, FileSummary, ScoredRow};
pub use ruleset::{Level, LoadError, Outcome, RecordBuilder, RecordError, RuleSet};

/// Rule files larger than this are refused before parsing.
pub const MAX_RULE_FILE_BYTES: u64 = 8 * 1024 * 1024;
