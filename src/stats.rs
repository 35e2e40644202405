//! Agreement statistics as pure functions (filled in by the statistics work).
