//! Renderers: everything that turns results into text for people or files.

pub mod diagnostics;
pub mod diff;
pub mod explain;
pub mod score;
