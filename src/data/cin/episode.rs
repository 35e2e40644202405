//! One child and one referral episode of a CIN census message as the reader
//! gathers them, and how an episode becomes a record's cells (SPEC §9): the
//! id, age, unborn, gender, disability, referral source and agency, primary
//! need, referral date, authority, assessed, factor codes and the decision.

use std::fmt::Write as _;

use csv::ByteRecord;

/// The columns every CIN record has, in order. The rule file reads those it
/// declares as fields (with a compatible type); `indicators` holds the
/// assessment factor codes and `decision` the furthest step.
pub const COLUMNS: [&str; 13] = [
    "id",
    "age",
    "unborn",
    "gender",
    "disabled",
    "referral_source",
    "agency",
    "primary_need",
    "referral_date",
    "la",
    "assessed",
    "indicators",
    "decision",
];

/// The decision texts, from the furthest step down.
pub const DECISIONS: [&str; 6] = [
    CHILD_PROTECTION_PLAN,
    SECTION_47,
    CIN_PLAN,
    CLOSED_EARLY_HELP,
    CLOSED_NFA,
    REFERRAL_NFA,
];
/// A `ChildProtectionPlans` element.
pub const CHILD_PROTECTION_PLAN: &str = "Child protection plan";
/// A `Section47`, no plan.
pub const SECTION_47: &str = "Section 47 enquiry";
/// `CINPlanDates`, no section 47.
pub const CIN_PLAN: &str = "Child in need plan";
/// Closure reason RC9.
pub const CLOSED_EARLY_HELP: &str = "Closed after assessment: early help";
/// Assessed and closed (RC8, or closed with no plan).
pub const CLOSED_NFA: &str = "Closed after assessment: no further action";
/// `ReferralNFA` true.
pub const REFERRAL_NFA: &str = "Referral: no further action";

/// The assessment factor code that means "no factors identified".
pub const NO_FACTORS: &str = "21";

/// The most factor codes one episode may hold (a real one has a handful).
pub const MAX_FACTORS: usize = 256;

/// A problem found while reading: the line, the element and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Line in the file.
    pub line: u64,
    /// The element at fault (the reject's column).
    pub element: String,
    /// Why.
    pub reason: String,
}

/// A calendar date as a day number (days since 1970-01-01), read from
/// `YYYY-MM-DD` (an `xs:date`; a time-zone suffix is allowed and ignored).
pub fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim();
    let body = t.get(..10)?;
    let zone = t.get(10..)?;
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() == 6
            && matches!(zone.as_bytes().first(), Some(b'+' | b'-'))
            && zone.as_bytes().get(3) == Some(&b':'));
    let b = body.as_bytes();
    if !zone_ok || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |s: &str| -> Option<i64> {
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = (
        num(body.get(..4)?)?,
        num(body.get(5..7)?)?,
        num(body.get(8..10)?)?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > days_in {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The text of a DfE gender code (`GenderCurrent`).
pub fn gender(code: &str) -> Option<&'static str> {
    match code.trim() {
        "1" => Some("male"),
        "2" => Some("female"),
        "0" => Some("not recorded"),
        "9" => Some("indeterminate"),
        _ => None,
    }
}

/// The text of a DfE sex code (`Sex`, in place of `GenderCurrent` from the
/// 2024-25 schema on): `U` (unknown) reads as `not recorded`.
pub fn sex(code: &str) -> Option<&'static str> {
    match code.trim() {
        "M" | "m" => Some("male"),
        "F" | "f" => Some("female"),
        "U" | "u" => Some("not recorded"),
        _ => None,
    }
}

/// The agency group of a DfE referral source code.
pub fn agency(source: &str) -> Option<&'static str> {
    Some(match source.trim().to_ascii_uppercase().as_str() {
        "1A" | "1B" | "1C" | "1D" => "individual",
        "2A" => "schools",
        "2B" => "education_services",
        "3A" | "3B" | "3C" | "3D" | "3E" | "3F" => "health",
        "4" => "housing",
        "5A" | "5B" | "5C" | "5D" => "la_services",
        "6" => "police",
        "7" => "other_legal",
        "8" => "other",
        "9" => "anonymous",
        "10" => "unknown",
        _ => return None,
    })
}

/// A census yes/no (`true`, `false`, `1`, `0`, any case).
pub fn yes_no(text: &str) -> Option<bool> {
    let t = text.trim();
    if t == "1" || t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t == "0" || t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// What the message says of the child whose episodes follow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Child {
    /// `LAchildID`.
    pub id: String,
    /// `PersonBirthDate` (day number).
    pub birth: Option<i64>,
    /// `ExpectedPersonBirthDate` given.
    pub expected: bool,
    /// `GenderCurrent`, as a text.
    pub gender: Option<&'static str>,
    /// A `Disability` other than `NONE`.
    pub disabled: bool,
    /// The first problem with the child's own elements: every episode of
    /// the child is rejected with it.
    pub fault: Option<Fault>,
}

impl Child {
    /// Forgets the previous child (buffers kept).
    pub fn clear(&mut self) {
        self.id.clear();
        self.birth = None;
        self.expected = false;
        self.gender = None;
        self.disabled = false;
        self.fault = None;
    }
}

/// One `CINdetails` as read so far.
#[derive(Clone, Debug, Default)]
pub struct Episode {
    /// Line of its `<CINdetails>`.
    pub line: u64,
    /// `CINreferralDate` as written, and as a day number.
    pub referral_text: String,
    /// The referral date.
    pub referral: Option<i64>,
    /// `ReferralSource`.
    pub source: String,
    /// `PrimaryNeedCode`.
    pub primary_need: String,
    /// `ReasonForClosure`.
    pub closure_reason: String,
    /// `CINclosureDate` given.
    pub closed: bool,
    /// An `Assessments` element.
    pub assessed: bool,
    /// `AssessmentFactors` codes, in order (`21` left out).
    pub factors: Vec<String>,
    /// A `CINPlanDates` element.
    pub cin_plan: bool,
    /// A `Section47` element.
    pub s47: bool,
    /// A `ChildProtectionPlans` element.
    pub cpp: bool,
    /// `ReferralNFA`.
    pub referral_nfa: Option<bool>,
    /// The first problem found in it.
    pub fault: Option<Fault>,
}

impl Episode {
    /// Starts a new episode at `line` (buffers kept).
    pub fn start(&mut self, line: u64) {
        self.line = line;
        self.referral_text.clear();
        self.referral = None;
        self.source.clear();
        self.primary_need.clear();
        self.closure_reason.clear();
        self.closed = false;
        self.assessed = false;
        self.factors.clear();
        self.cin_plan = false;
        self.s47 = false;
        self.cpp = false;
        self.referral_nfa = None;
        self.fault = None;
    }

    /// Notes a problem; the first one is kept.
    pub fn fault(&mut self, line: u64, element: &str, reason: impl Into<String>) {
        if self.fault.is_none() {
            self.fault = Some(Fault {
                line,
                element: element.to_string(),
                reason: reason.into(),
            });
        }
    }

    /// The episode's id as far as it could be read, for a reject: the
    /// child's `LAchildID` and the `CINreferralDate` as written
    /// (`LAchildID/date`), the child's id alone when the episode has no
    /// referral date, `None` when the child has no id.
    pub fn id(&self, child: &Child) -> Option<String> {
        let child_id = child.id.trim();
        if child_id.is_empty() {
            return None;
        }
        let date = self.referral_text.trim();
        Some(if date.is_empty() {
            child_id.to_string()
        } else {
            format!("{child_id}/{date}")
        })
    }

    /// The furthest step the episode reached (SPEC §9), or `None` for an
    /// open episode still being assessed.
    pub fn decision(&self) -> Option<&'static str> {
        let reason = self.closure_reason.trim();
        if self.cpp {
            Some(CHILD_PROTECTION_PLAN)
        } else if self.s47 {
            Some(SECTION_47)
        } else if self.cin_plan {
            Some(CIN_PLAN)
        } else if reason.eq_ignore_ascii_case("RC9") {
            Some(CLOSED_EARLY_HELP)
        } else if self.assessed
            && (reason.eq_ignore_ascii_case("RC8") || self.closed || !reason.is_empty())
        {
            Some(CLOSED_NFA)
        } else if self.referral_nfa == Some(true) {
            Some(REFERRAL_NFA)
        } else {
            None
        }
    }

    /// The episode's cells in [`COLUMNS`] order, or why it cannot be read.
    /// `la` is the authority's code from the header; `buf` is room to build
    /// a cell in (kept by the caller, so that no episode allocates).
    pub fn cells(
        &self,
        child: &Child,
        la: &str,
        out: &mut ByteRecord,
        buf: &mut String,
    ) -> Result<(), Fault> {
        if let Some(f) = child.fault.as_ref().or(self.fault.as_ref()) {
            return Err(f.clone());
        }
        let fault = |element: &str, reason: String| Fault {
            line: self.line,
            element: element.to_string(),
            reason,
        };
        if child.id.trim().is_empty() {
            return Err(fault(
                "LAchildID",
                "the child has no LAchildID before this episode".into(),
            ));
        }
        let Some(referral) = self.referral else {
            return Err(fault(
                "CINreferralDate",
                "the episode has no CINreferralDate".into(),
            ));
        };
        if self.referral_nfa.is_none() {
            return Err(fault(
                "ReferralNFA",
                "the episode has no ReferralNFA".into(),
            ));
        }
        let agency = agency(&self.source).ok_or_else(|| {
            fault(
                "ReferralSource",
                if self.source.trim().is_empty() {
                    "the episode has no ReferralSource".into()
                } else {
                    format!(
                        "`{}` is not a DfE referral source code (1A ... 10)",
                        crate::text::shorten(self.source.trim())
                    )
                },
            )
        })?;
        // Age and unborn: no birth date, or one after the referral, with an
        // expected date given, is an unborn child (age 0).
        let (age, unborn) = match child.birth {
            Some(b) if b <= referral => (Some((referral - b) as f64 / 365.25), false),
            _ if child.expected => (Some(0.0), true),
            Some(_) => return Err(fault(
                "PersonBirthDate",
                "the birth date is after the referral date and no ExpectedPersonBirthDate is given"
                    .into(),
            )),
            None => (None, false),
        };
        out.clear();
        buf.clear();
        buf.push_str(child.id.trim());
        buf.push('/');
        buf.push_str(self.referral_text.trim());
        out.push_field(buf.as_bytes());
        buf.clear();
        if let Some(a) = age {
            // Rust's `{}` for f64 is the shortest text that reads back as
            // the same number, so the age is exact.
            let _ = write!(buf, "{a}");
        }
        out.push_field(buf.as_bytes());
        out.push_field(if unborn { b"true" } else { b"false" });
        out.push_field(child.gender.unwrap_or("").as_bytes());
        out.push_field(if child.disabled { b"true" } else { b"false" });
        out.push_field(self.source.trim().as_bytes());
        out.push_field(agency.as_bytes());
        out.push_field(self.primary_need.trim().as_bytes());
        out.push_field(self.referral_text.trim().as_bytes());
        out.push_field(la.trim().as_bytes());
        out.push_field(if self.assessed { b"true" } else { b"false" });
        buf.clear();
        for (i, f) in self.factors.iter().enumerate() {
            if i > 0 {
                buf.push(';');
            }
            buf.push_str(f);
        }
        out.push_field(buf.as_bytes());
        out.push_field(self.decision().unwrap_or("").as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_strictly() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2021-10-06Z"), parse_date("2021-10-06"));
        assert_eq!(parse_date("2021-10-06+01:00"), parse_date("2021-10-06"));
        for bad in [
            "2023-02-29",
            "2021-13-01",
            "2021-00-10",
            "2021-04-31",
            "06/10/2021",
            "2021-1-6",
            "2021-10-06T10:00",
            "",
            "abcd-ef-gh",
            "2021-10-0é",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_have_their_texts() {
        assert_eq!(gender("1"), Some("male"));
        assert_eq!(gender("2"), Some("female"));
        assert_eq!(gender("0"), Some("not recorded"));
        assert_eq!(gender("9"), Some("indeterminate"));
        assert_eq!(gender("3"), None);
        assert_eq!(sex("M"), Some("male"));
        assert_eq!(sex("F"), Some("female"));
        assert_eq!(sex("U"), Some("not recorded"));
        assert_eq!(sex("1"), None);
        assert_eq!(agency("1C"), Some("individual"));
        assert_eq!(agency("3e"), Some("health"));
        assert_eq!(agency("5D"), Some("la_services"));
        assert_eq!(agency("10"), Some("unknown"));
        assert_eq!(agency("11"), None);
        assert_eq!(yes_no("TRUE"), Some(true));
        assert_eq!(yes_no("0"), Some(false));
        assert_eq!(yes_no("yes"), None);
    }

    fn episode() -> Episode {
        let mut e = Episode::default();
        e.start(7);
        e.referral_text = "2021-10-06".into();
        e.referral = parse_date("2021-10-06");
        e.source = "6".into();
        e.referral_nfa = Some(false);
        e
    }

    #[test]
    fn the_furthest_step_is_the_decision() {
        let mut e = episode();
        assert_eq!(e.decision(), None);
        e.referral_nfa = Some(true);
        assert_eq!(e.decision(), Some(REFERRAL_NFA));
        e.closure_reason = "RC8".into();
        e.closed = true;
        assert_eq!(
            e.decision(),
            Some(REFERRAL_NFA),
            "closed at referral: no assessment, so not closed after one"
        );
        e.closure_reason.clear();
        e.closed = false;
        e.referral_nfa = Some(false);
        e.assessed = true;
        assert_eq!(e.decision(), None, "assessed, still open");
        e.closed = true;
        assert_eq!(e.decision(), Some(CLOSED_NFA));
        e.closure_reason = "RC8".into();
        assert_eq!(e.decision(), Some(CLOSED_NFA));
        e.closure_reason = "RC9".into();
        assert_eq!(e.decision(), Some(CLOSED_EARLY_HELP));
        e.cin_plan = true;
        assert_eq!(e.decision(), Some(CIN_PLAN));
        e.s47 = true;
        assert_eq!(e.decision(), Some(SECTION_47));
        e.cpp = true;
        assert_eq!(e.decision(), Some(CHILD_PROTECTION_PLAN));
    }

    #[test]
    fn cells_follow_the_columns() {
        let e = episode();
        let child = Child {
            id: "DfEX0000001".into(),
            birth: parse_date("2011-10-06"),
            gender: Some("female"),
            ..Child::default()
        };
        let mut out = ByteRecord::new();
        e.cells(&child, "201", &mut out, &mut String::new())
            .unwrap();
        let cells: Vec<&str> = out
            .iter()
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!(cells[0], "DfEX0000001/2021-10-06");
        let days = (parse_date("2021-10-06").unwrap() - parse_date("2011-10-06").unwrap()) as f64;
        assert_eq!(cells[1].parse::<f64>().unwrap(), days / 365.25);
        assert_eq!(
            &cells[2..],
            [
                "false",
                "female",
                "false",
                "6",
                "police",
                "",
                "2021-10-06",
                "201",
                "false",
                "",
                ""
            ]
        );
    }

    #[test]
    fn an_episode_id_is_given_as_far_as_it_was_read() {
        let mut e = episode();
        let mut child = Child::default();
        assert_eq!(e.id(&child), None, "no child id: no id at all");
        child.id = " C7 ".into();
        assert_eq!(e.id(&child).as_deref(), Some("C7/2021-10-06"));
        e.referral_text = "2021-13-06".into();
        assert_eq!(
            e.id(&child).as_deref(),
            Some("C7/2021-13-06"),
            "a bad date as written"
        );
        e.referral_text.clear();
        assert_eq!(e.id(&child).as_deref(), Some("C7"), "no date: the child");
    }

    #[test]
    fn unborn_children_are_age_zero_and_births_after_referral_need_an_expected_date() {
        let e = episode();
        let mut child = Child {
            id: "C1".into(),
            expected: true,
            ..Child::default()
        };
        let mut out = ByteRecord::new();
        e.cells(&child, "201", &mut out, &mut String::new())
            .unwrap();
        assert_eq!(out.get(1), Some(&b"0"[..]));
        assert_eq!(out.get(2), Some(&b"true"[..]));
        child.birth = parse_date("2022-01-01");
        e.cells(&child, "201", &mut out, &mut String::new())
            .unwrap();
        assert_eq!(out.get(2), Some(&b"true"[..]), "born after the referral");
        child.expected = false;
        let f = e
            .cells(&child, "201", &mut out, &mut String::new())
            .unwrap_err();
        assert_eq!(f.element, "PersonBirthDate");
        child.birth = None;
        e.cells(&child, "201", &mut out, &mut String::new())
            .unwrap();
        assert_eq!(out.get(1), Some(&b""[..]), "no date at all: age missing");
    }
}
