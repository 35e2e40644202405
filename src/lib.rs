//! `thresholds`: a rules engine for safeguarding thresholds (a "continuum of need").
//!
//! Rule files (`.thr`) are parsed with a pest grammar, checked, compiled into a
//! [`plan::Plan`] and evaluated against referral records.

pub mod stats;
