//! The Excel report (being written).

use std::path::Path;

use super::DiffReport;

/// Writes the report as an Excel workbook.
pub fn write(r: &DiffReport<'_>, path: &Path) -> Result<(), String> {
    let _ = (r, path);
    Err("not yet".into())
}
