//! The audit as Markdown: its document (standing questions first, then the
//! figures, the evidence list and the method) rendered by
//! `report::doc::markdown`, which escapes every value from the data.

use crate::audit::Audit;

/// The report as Markdown.
pub fn render(a: &Audit) -> String {
    crate::report::doc::markdown::render(&super::document::build(a))
}
