//! The canonical layout of a rule file (`thresholds fmt`), comments kept.
//! PLACEHOLDER: being written; returns the text unchanged after a parse.

use std::sync::Arc;

use crate::error::Diagnostic;
use crate::span::Source;

/// Formats a source; errors when it does not parse.
pub fn format_source(source: &Arc<Source>) -> Result<String, Box<Diagnostic>> {
    crate::parse::parse(source)?;
    Ok(source.text.to_string())
}
