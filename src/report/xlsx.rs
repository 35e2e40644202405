//! Excel helpers shared by the workbook renderer (`report::doc::xlsx`):
//! page setup for printing and safe sheet names.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Page setup so that a sheet prints legibly: landscape A4, one page wide
/// (as many long as needed), and, with `header_row`, that row repeated at
/// the top of every printed page.
pub fn page_setup(ws: &mut Worksheet, header_row: Option<u32>) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    if let Some(r) = header_row {
        ws.set_repeat_rows(r, r)?;
    }
    Ok(())
}

/// A valid, unique sheet name from `want`: characters Excel forbids
/// (`[ ] : * ? / \`) replaced, at most 31 characters, not starting or ending
/// with `'`; a number is added when `used` already has it.
pub fn sheet_name(want: &str, used: &mut Vec<String>) -> String {
    let clean: String = want
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let base: String = if clean.is_empty() {
        "Sheet".into()
    } else {
        clean.chars().take(31).collect()
    };
    let mut name = base.clone();
    let mut i = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({i})");
        let head: String = base.chars().take(31 - suffix.chars().count()).collect();
        name = format!("{head}{suffix}");
        i += 1;
    }
    used.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = vec![];
        assert_eq!(sheet_name("By agency", &mut used), "By agency");
        assert_eq!(sheet_name("by agency", &mut used), "by agency (2)");
        assert_eq!(sheet_name("a[b]:c*?/\\", &mut used), "a_b__c____");
        assert_eq!(sheet_name(&"x".repeat(40), &mut used).len(), 31);
        assert_eq!(sheet_name("''", &mut used), "Sheet");
    }
}
