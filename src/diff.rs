//! Rule-change impact (SPEC §8): what a new version of the thresholds would
//! do. [`structure`] compares two rule files entity by entity; [`impact`]
//! aggregates both versions' scores of the same records. Pure: no I/O, no
//! printing (`report::diff` renders, `cli::diff` drives).

pub mod impact;
pub mod levels;
pub mod print;
pub mod structure;

pub use impact::{Impact, ImpactBuilder};
pub use levels::LevelMap;
pub use structure::{compare, Change, ChangeKind, Section, Side, Structure};
