//! Reading the `--period` column (SPEC §4 "Periods"): a value is a date
//! (`2025-06-30`, `2025-06-30T10:30:00` as Excel date cells arrive, or the UK
//! day-first `30/06/2025`), grouped by `--period-by`, or a period label
//! (`2025-Q2`, `Q2 2025`, `2025/26 Q1`, `Jun-25`, `June 2025`, `2025-06`,
//! `2025`), kept as written. Both are ordered by the start of the period,
//! never alphabetically. Anything else is [`Read::Unreadable`]: the audit
//! lists such values after the timed periods, in the order first seen.

use std::fmt;

/// How dated values are grouped (`--period-by`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodBy {
    /// Calendar months: `2025-06`.
    Month,
    /// Calendar quarters: `2025-Q2` (the default).
    #[default]
    Quarter,
    /// Quarters of the April-to-March financial year: `2025/26 Q1`.
    FyQuarter,
    /// Calendar years: `2025`.
    Year,
}

impl fmt::Display for PeriodBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PeriodBy::Month => "month",
            PeriodBy::Quarter => "quarter",
            PeriodBy::FyQuarter => "fy-quarter",
            PeriodBy::Year => "year",
        })
    }
}

/// A span of whole months, ordered by its start, then its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Year of the first month.
    pub year: i32,
    /// First month, 1..=12.
    pub month: u8,
    /// Length in months (1, 3 or 12).
    pub months: u8,
}

/// What a period value is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    /// A date, with the label of the period it falls in (`--period-by`).
    Dated(Span, String),
    /// A period label, kept as written (trimmed).
    Label(Span),
    /// Empty or blank: no period.
    Empty,
    /// Neither a date nor a period label.
    Unreadable,
}

/// The label of the group for values with no period.
pub const NO_PERIOD: &str = "(no period)";

/// Reads one value of the period column.
pub fn read(value: &str, by: PeriodBy) -> Read {
    let v = value.trim();
    if v.is_empty() {
        return Read::Empty;
    }
    if let Some((y, m, _)) = date(v) {
        let (span, label) = group(y, m, by);
        return Read::Dated(span, label);
    }
    match label(v) {
        Some(span) => Read::Label(span),
        None => Read::Unreadable,
    }
}

/// The period of `by` holding month `m` of year `y`, and its label.
pub fn group(y: i32, m: u8, by: PeriodBy) -> (Span, String) {
    match by {
        PeriodBy::Month => (
            Span {
                year: y,
                month: m,
                months: 1,
            },
            format!("{y}-{m:02}"),
        ),
        PeriodBy::Quarter => {
            let q = (m - 1) / 3 + 1;
            (
                Span {
                    year: y,
                    month: (q - 1) * 3 + 1,
                    months: 3,
                },
                format!("{y}-Q{q}"),
            )
        }
        PeriodBy::FyQuarter => {
            // April-June is Q1 of the year starting that April; January-March
            // is Q4 of the year that started the April before.
            let fy = if m >= 4 { y } else { y - 1 };
            let q = if m >= 4 { (m - 4) / 3 + 1 } else { 4 };
            (
                Span {
                    year: if q == 4 { fy + 1 } else { fy },
                    month: if q == 4 { 1 } else { (q - 1) * 3 + 4 },
                    months: 3,
                },
                format!("{fy}/{:02} Q{q}", (fy + 1).rem_euclid(100)),
            )
        }
        PeriodBy::Year => (
            Span {
                year: y,
                month: 1,
                months: 12,
            },
            format!("{y}"),
        ),
    }
}

/// A calendar date: ISO `YYYY-MM-DD` (optionally followed by `T` or a space
/// and a time, as Excel date cells arrive) or UK day-first `DD/MM/YYYY`
/// (also with `-` or `.`). Impossible dates (31 June, 29 February 2025) are
/// not dates.
pub fn date(v: &str) -> Option<(i32, u8, u8)> {
    let day_part = v.split(['T', ' ']).next().unwrap_or(v);
    let rest = &v[day_part.len()..];
    if !rest.is_empty() && !time_like(&rest[1..]) {
        return None;
    }
    let (y, m, d) = if let Some(p) = split3(day_part, '-').filter(|p| p[0].len() == 4) {
        (num(p[0], 4)?, num(p[1], 2)?, num(p[2], 2)?)
    } else {
        let p = split3(day_part, '/')
            .or_else(|| split3(day_part, '-'))
            .or_else(|| split3(day_part, '.'))?;
        if p[2].len() != 4 {
            return None;
        }
        (num(p[2], 4)?, num(p[1], 2)?, num(p[0], 2)?)
    };
    let y = i32::try_from(y).ok()?;
    let (m, d) = (u8::try_from(m).ok()?, u8::try_from(d).ok()?);
    (plausible_year(y) && (1..=12).contains(&m) && d >= 1 && d <= days_in(y, m))
        .then_some((y, m, d))
}

/// A period label's span: `2025-Q2`, `2025 Q2`, `Q2 2025`, `2025/26 Q1`
/// (financial year, April to March), `2025/26` (a financial year), `Jun-25`,
/// `June 2025`, `2025-06`, `2025`. Case-insensitive.
pub fn label(v: &str) -> Option<Span> {
    let lower = v.trim().to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split([' ', '-', '_'])
        .filter(|w| !w.is_empty())
        .collect();
    let span = |year: i32, month: u8, months: u8| {
        plausible_year(year).then_some(Span {
            year,
            month,
            months,
        })
    };
    match words.as_slice() {
        [y] if y.len() == 4 => span(i32::try_from(num(y, 4)?).ok()?, 1, 12),
        [y] => {
            if let Some(fy) = fy_year(y) {
                return span(fy, 4, 12);
            }
            // `2025q2`
            let (y, q) = y.split_once('q')?;
            calendar_quarter(y, q)
        }
        [a, b] => {
            if let Some(fy) = fy_year(a) {
                let q = quarter(b)?;
                let (year, month) = if q == 4 {
                    (fy + 1, 1)
                } else {
                    (fy, (q - 1) * 3 + 4)
                };
                return span(year, month, 3);
            }
            if let Some(q) = b.strip_prefix('q') {
                return calendar_quarter(a, q);
            }
            if let Some(q) = a.strip_prefix('q') {
                return calendar_quarter(b, q);
            }
            if a.len() == 4 && a.bytes().all(|c| c.is_ascii_digit()) {
                let m = u8::try_from(num(b, 2)?).ok()?;
                return (1..=12)
                    .contains(&m)
                    .then_some(())
                    .and_then(|()| span(i32::try_from(num(a, 4)?).ok()?, m, 1));
            }
            let m = month_name(a)?;
            let y = match b.len() {
                2 => 2000 + i32::try_from(num(b, 2)?).ok()?,
                4 => i32::try_from(num(b, 4)?).ok()?,
                _ => return None,
            };
            span(y, m, 1)
        }
        _ => None,
    }
}

fn calendar_quarter(y: &str, q: &str) -> Option<Span> {
    let year = i32::try_from(num(y, 4)?).ok()?;
    let q = quarter(&format!("q{q}"))?;
    (y.len() == 4 && plausible_year(year)).then_some(Span {
        year,
        month: (q - 1) * 3 + 1,
        months: 3,
    })
}

/// `q1`..`q4`.
fn quarter(w: &str) -> Option<u8> {
    let q = u8::try_from(num(w.strip_prefix('q')?, 1)?).ok()?;
    (1..=4).contains(&q).then_some(q)
}

/// `2025/26` or `2025/2026` (the second year must follow the first).
fn fy_year(w: &str) -> Option<i32> {
    let (a, b) = w.split_once('/')?;
    if a.len() != 4 {
        return None;
    }
    let a = i32::try_from(num(a, 4)?).ok()?;
    let next = match b.len() {
        2 => i32::try_from(num(b, 2)?).ok()? == (a + 1).rem_euclid(100),
        4 => i32::try_from(num(b, 4)?).ok()? == a + 1,
        _ => false,
    };
    (next && plausible_year(a)).then_some(a)
}

fn month_name(w: &str) -> Option<u8> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = w.strip_suffix('.').unwrap_or(w);
    if w == "sept" {
        return Some(9);
    }
    NAMES
        .iter()
        .position(|n| w.len() >= 3 && (*n == w || (w.len() == 3 && n.starts_with(w))))
        .and_then(|i| u8::try_from(i + 1).ok())
}

fn split3(s: &str, sep: char) -> Option<[&str; 3]> {
    let mut it = s.split(sep);
    let p = [it.next()?, it.next()?, it.next()?];
    it.next().is_none().then_some(p)
}

/// A run of 1 to `max` ASCII digits.
fn num(s: &str, max: usize) -> Option<u32> {
    (!s.is_empty() && s.len() <= max && s.bytes().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn time_like(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | 'Z' | '+' | '-'))
}

fn plausible_year(y: i32) -> bool {
    (1900..=2199).contains(&y)
}

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in(y: i32, m: u8) -> u8 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(v: &str, by: PeriodBy) -> String {
        match read(v, by) {
            Read::Dated(_, l) => l,
            other => panic!("{v}: {other:?}"),
        }
    }

    fn sp(year: i32, month: u8, months: u8) -> Span {
        Span {
            year,
            month,
            months,
        }
    }

    #[test]
    fn dates_group_by_each_period() {
        use PeriodBy::*;
        assert_eq!(dated("2025-06-30", Quarter), "2025-Q2");
        assert_eq!(dated("30/06/2025", Month), "2025-06");
        assert_eq!(dated("2025-06-30T10:30:00", Year), "2025");
        assert_eq!(dated("2025-06-30 10:30:00", FyQuarter), "2025/26 Q1");
        assert_eq!(dated("31/12/2025", Quarter), "2025-Q4");
        assert_eq!(dated("31/12/2025", FyQuarter), "2025/26 Q3");
        assert_eq!(dated("2024-02-29", Month), "2024-02");
        // The financial year turns between 31 March and 1 April.
        assert_eq!(dated("31/03/2026", FyQuarter), "2025/26 Q4");
        assert_eq!(dated("01/04/2026", FyQuarter), "2026/27 Q1");
        assert_eq!(dated("2026-01-15", FyQuarter), "2025/26 Q4");
        assert_eq!(dated("1/4/2025", FyQuarter), "2025/26 Q1");
        assert_eq!(dated("2099-07-01", FyQuarter), "2099/00 Q2");
    }

    #[test]
    fn dated_spans_order_by_time() {
        let s = |v: &str, by| match read(v, by) {
            Read::Dated(s, _) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(s("2026-02-01", PeriodBy::FyQuarter), sp(2026, 1, 3));
        assert_eq!(s("2025-12-01", PeriodBy::FyQuarter), sp(2025, 10, 3));
        assert!(s("2025-12-01", PeriodBy::FyQuarter) < s("2026-02-01", PeriodBy::FyQuarter));
    }

    #[test]
    fn impossible_dates_are_not_dates() {
        for v in [
            "2025-02-29",
            "31/06/2025",
            "2025-13-01",
            "00/01/2025",
            "2025-06-30Tnoon",
            "30/06/25",
        ] {
            assert_eq!(date(v), None, "{v}");
        }
        assert_eq!(date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(date("31/12/2025"), Some((2025, 12, 31)));
    }

    #[test]
    fn labels_read_as_spans() {
        let l = |v: &str| match read(v, PeriodBy::Quarter) {
            Read::Label(s) => s,
            other => panic!("{v}: {other:?}"),
        };
        assert_eq!(l("2025-Q2"), sp(2025, 4, 3));
        assert_eq!(l("Q2 2025"), sp(2025, 4, 3));
        assert_eq!(l("Q1 2026"), sp(2026, 1, 3));
        assert_eq!(l("2025q3"), sp(2025, 7, 3));
        assert_eq!(l("2025/26 Q1"), sp(2025, 4, 3));
        assert_eq!(l("2025/26 Q4"), sp(2026, 1, 3));
        assert_eq!(l("2025/2026 q2"), sp(2025, 7, 3));
        assert_eq!(l("2025/26"), sp(2025, 4, 12));
        assert_eq!(l("Jun-25"), sp(2025, 6, 1));
        assert_eq!(l("Mar-26"), sp(2026, 3, 1));
        assert_eq!(l("June 2025"), sp(2025, 6, 1));
        assert_eq!(l("sept 2025"), sp(2025, 9, 1));
        assert_eq!(l("2025-06"), sp(2025, 6, 1));
        assert_eq!(l("2025"), sp(2025, 1, 12));
    }

    #[test]
    fn other_text_is_unreadable() {
        for v in [
            "Spring",
            "2025/27 Q1",
            "Q5 2025",
            "2025-00",
            "Jun-2",
            "Ju 2025",
            "x2025",
            "12345",
        ] {
            assert_eq!(read(v, PeriodBy::Quarter), Read::Unreadable, "{v}");
        }
        assert_eq!(read("  ", PeriodBy::Quarter), Read::Empty);
    }

    #[test]
    fn month_labels_sort_by_time_not_text() {
        let mut v = vec!["Sep-25", "Mar-26", "Jun-25", "Dec-25"];
        v.sort_by_key(|x| label(x));
        assert_eq!(v, vec!["Jun-25", "Sep-25", "Dec-25", "Mar-26"]);
    }
}
