//! Rule-change impact (SPEC §8): what a new version of the thresholds would
//! do. [`structure`] compares two rule files entity by entity; [`impact`]
//! aggregates both versions' scores of the same records; [`pass`] is the
//! one read of the data that scores each row under both (sharing work
//! between them and timing a sample), driven by the pipeline. No printing
//! (`report::diff` renders, `cli::diff` drives).

pub mod impact;
pub mod levels;
pub mod pass;
pub mod print;
pub mod structure;

pub use impact::{Impact, ImpactBuilder};
pub use levels::LevelMap;
pub use pass::{run_two, TIME_EVERY};
pub use structure::{compare, Change, ChangeKind, Section, Side, Structure};

/// How long the comparison took.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Timing {
    /// Wall time of the whole pass (read, parse, score twice, aggregate), seconds.
    pub wall_seconds: f64,
    /// Time scoring under the old rules, seconds (estimated from `sampled` records).
    pub old_seconds: f64,
    /// Time scoring under the new rules, seconds (estimated likewise).
    pub new_seconds: f64,
    /// How many records were timed under each version.
    pub sampled: u64,
    /// Records in the pass.
    pub records: u64,
}

impl Timing {
    /// Records per second of wall time.
    pub fn rate(&self) -> Option<f64> {
        (self.wall_seconds > 0.0).then(|| self.records as f64 / self.wall_seconds)
    }
}
