//! What a report must say about its data before its figures (SPEC §4, issue
//! 12): the header check's warnings, and, when more than [`REJECT_SHARE`] of
//! the rows were rejected, how many, the commonest reasons and a hint when
//! one cause dominates (decimal commas, a wrong separator), so a board never
//! reads figures resting on a fraction of the sample without being told.

use super::Summary;
use crate::data::Reject;

/// Above this share of rejected rows, every report opens with the fact.
pub const REJECT_SHARE: f64 = 0.05;

/// The warnings every report of a run states, in order: the header check's,
/// then the rejected share when it is above [`REJECT_SHARE`].
pub fn warnings(summary: &Summary, rejects: &[Reject]) -> Vec<String> {
    let mut w = summary.warnings.clone();
    w.extend(rejected_share(summary.read, summary.rejects.len(), rejects));
    w
}

/// A reason with the quoted cell values taken out, so that rejects for the
/// same cause group together (`` `9,4` is not a number `` → `… is not a
/// number`).
fn cause(reason: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in reason.chars() {
        if c == '`' {
            if !inside {
                out.push('…');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// The statement for a run whose rejected share is above [`REJECT_SHARE`]:
/// `n` rows of `read` were rejected; `rejects` holds them (or the first of
/// them, for the reasons).
pub fn rejected_share(read: u64, n: u64, rejects: &[Reject]) -> Option<String> {
    if read == 0 || (n as f64) / (read as f64) <= REJECT_SHARE {
        return None;
    }
    let mut causes: Vec<((String, String), u64)> = Vec::new();
    for r in rejects {
        let key = (r.column.clone(), cause(&r.reason));
        let known = causes.len();
        match causes.iter_mut().find(|(k, _)| *k == key) {
            Some((_, c)) => *c += 1,
            None if known < 1000 => causes.push((key, 1)),
            None => {}
        }
    }
    causes.sort_by_key(|c| std::cmp::Reverse(c.1));
    let top: Vec<String> = causes
        .iter()
        .take(3)
        .map(|((col, why), c)| {
            if col == crate::data::WHOLE_ROW {
                format!("{c}: {why}")
            } else {
                format!("{c} in column `{col}`: {why}")
            }
        })
        .collect();
    let pct = 100.0 * n as f64 / read as f64;
    let mut s = format!(
        "{n} of {read} rows ({pct:.0}%) were rejected, so these figures rest on the {} rows that \
         could be read. Commonest reasons: {}.",
        read - n,
        top.join("; ")
    );
    if let Some(h) = hint(
        rejects,
        causes.first().map_or(0, |c| c.1),
        rejects.len() as u64,
    ) {
        s.push(' ');
        s.push_str(&h);
    }
    Some(s)
}

/// A hint when one cause explains most rejects and is a known slip.
fn hint(rejects: &[Reject], top: u64, n: u64) -> Option<String> {
    if top * 2 < n {
        return None;
    }
    let decimal_comma = rejects
        .iter()
        .filter(|r| {
            r.reason.ends_with("is not a number")
                && r.reason
                    .split('`')
                    .nth(1)
                    .is_some_and(|v| v.contains(',') && v.replace(',', ".").parse::<f64>().is_ok())
        })
        .count() as u64;
    if decimal_comma * 2 >= n {
        return Some(
            "Hint: the numbers use decimal commas (`9,4`); save the file with decimal points (`9.4`)."
                .into(),
        );
    }
    let cells = rejects
        .iter()
        .filter(|r| r.reason.contains("cells but the header has"))
        .count() as u64;
    if cells * 2 >= n {
        return Some(
            "Hint: most rows have a different number of cells from the header: check the separator \
             and for unquoted commas in free text."
                .into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reject(row: u64, column: &str, reason: &str) -> Reject {
        Reject {
            row,
            id: None,
            column: column.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn a_few_rejects_say_nothing_many_say_why() {
        let few: Vec<Reject> = (0..5)
            .map(|i| reject(i, "age", "`x` is not a number"))
            .collect();
        assert_eq!(rejected_share(100, 5, &few), None);
        let many: Vec<Reject> = (0..459)
            .map(|i| reject(i + 2, "age", &format!("`9,{}` is not a number", i % 10)))
            .collect();
        let s = rejected_share(500, 459, &many).unwrap();
        assert!(s.starts_with("459 of 500 rows (92%) were rejected"), "{s}");
        assert!(s.contains("rest on the 41 rows"), "{s}");
        assert!(s.contains("459 in column `age`: … is not a number"), "{s}");
        assert!(s.contains("decimal commas"), "{s}");
    }

    #[test]
    fn causes_group_without_their_values() {
        assert_eq!(cause("`9,4` is not a number"), "… is not a number");
        assert_eq!(
            cause("unknown indicator `dv`; did you mean `dv_h`?"),
            "unknown indicator …; did you mean …?"
        );
    }
}
