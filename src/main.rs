//! The `thresholds` command line.
fn main() {}
