//! Spreadsheet-safe text for CSV and Excel output: a cell that came from the
//! data and starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! prefixed with `'` (unless it is a plain number such as `-1`), so a spreadsheet shows it as text instead of running it
//! as a formula (OWASP "CSV injection").

use std::borrow::Cow;

/// `s`, neutralised against formula injection when it could start a formula.
///
/// ```
/// use thresholds::report::cell::neutralise;
/// assert_eq!(neutralise("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
/// assert_eq!(neutralise("R-001"), "R-001");
/// ```
pub fn neutralise(s: &str) -> Cow<'_, str> {
    // A plain number such as `-1` is data, not a formula.
    let number = s.trim().parse::<f64>().is_ok_and(f64::is_finite);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn leading_formula_characters_are_quoted() {
        for s in ["=1+1", "+1+1", "-2+cmd", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(neutralise(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(neutralise(""), "");
        assert_eq!(neutralise("a=1"), "a=1");
        assert_eq!(neutralise("-1.5"), "-1.5");
    }
}
