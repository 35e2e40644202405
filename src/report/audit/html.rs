//! The audit as one self-contained HTML page: its document rendered by
//! `report::doc::html` (no scripts, fonts or images from elsewhere), with
//! inline SVG charts: agreement by group with interval bars, the confusion
//! matrix as a heat map, under/over by theme and the trend by period.

use crate::audit::Audit;

/// The report as an HTML page.
pub fn render(a: &Audit) -> String {
    crate::report::doc::html::render(&super::document::build(a))
}
