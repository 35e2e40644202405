//! `thresholds sample RULES -o census.xml`: the sample's referrals written
//! as a synthetic DfE children in need census message (SPEC §9), in the
//! element order of the 2024-25 schema (tests/fixtures/cin/cin-census.xsd).
//!
//! Driven by the same generator as the other formats ([`super::generate`]):
//! each generated referral becomes one `CINdetails` episode. Referrals are
//! grouped into children (one to three episodes each, a few unborn), the
//! indicators become the assessment factor codes their `codes [...]` declare,
//! and the recorded decision becomes the episode's furthest step (referral
//! closed, closed after assessment, child in need plan, section 47 enquiry,
//! child protection plan, or still open). A referral closed without an
//! assessment carries no factors, as in a real return. Deterministic: the
//! grouping and the census-only details draw on their own stream of the seed.

use std::collections::HashMap;
use std::io::{self, Write};

use super::{columns, generate, Cell, SampleOptions, SplitMix64};
use crate::data::cin::episode::{
    days_from_civil, parse_date, CHILD_PROTECTION_PLAN, CIN_PLAN, CLOSED_EARLY_HELP, CLOSED_NFA,
    REFERRAL_NFA, SECTION_47,
};
use crate::plan::Plan;

/// The collection year's reference date (the census counts referrals in the
/// year to 31 March).
const REFERENCE_DATE: &str = "2026-03-31";

/// [`REFERENCE_DATE`] as a day number.
fn reference_day() -> i64 {
    parse_date(REFERENCE_DATE).unwrap_or_default()
}

/// The authority code written in the header: 999 is no real authority.
const LEA: &str = "999";

/// Referral sources (`ReferralSource`) with their approximate national
/// shares (DfE, Characteristics of children in need 2024: police about 30%,
/// schools 20%, health 14%, local authority services 12%).
const SOURCES: [(&str, f64); 22] = [
    ("1A", 4.0),
    ("1B", 1.0),
    ("1C", 1.0),
    ("1D", 1.0),
    ("2A", 20.0),
    ("2B", 1.0),
    ("3A", 4.0),
    ("3B", 2.0),
    ("3C", 1.0),
    ("3D", 2.0),
    ("3E", 3.0),
    ("3F", 2.0),
    ("4", 2.0),
    ("5A", 5.0),
    ("5B", 3.0),
    ("5C", 2.0),
    ("5D", 2.0),
    ("6", 30.0),
    ("7", 4.0),
    ("8", 6.0),
    ("9", 1.0),
    ("10", 3.0),
];

const ETHNICITY: [&str; 8] = [
    "WBRI", "WOTH", "MWBC", "MOTH", "AIND", "APKN", "BAFR", "OOTH",
];
const DISABILITY: [&str; 6] = ["MOB", "LD", "COMM", "BEH", "AUT", "HEAR"];
const NEEDS: [(&str, f64); 9] = [
    ("N1", 55.0),
    ("N2", 4.0),
    ("N3", 4.0),
    ("N4", 11.0),
    ("N5", 14.0),
    ("N6", 2.0),
    ("N7", 1.0),
    ("N8", 4.0),
    ("N9", 5.0),
];
const ABUSE: [&str; 5] = ["NEG", "PHY", "SAB", "EMO", "MUL"];

/// The furthest step an episode reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    ReferralNfa,
    ClosedNfa,
    ClosedEarlyHelp,
    CinPlan,
    Section47,
    ProtectionPlan,
    Open,
}

const PATHS: [(&str, Path); 6] = [
    (REFERRAL_NFA, Path::ReferralNfa),
    (CLOSED_NFA, Path::ClosedNfa),
    (CLOSED_EARLY_HELP, Path::ClosedEarlyHelp),
    (CIN_PLAN, Path::CinPlan),
    (SECTION_47, Path::Section47),
    (CHILD_PROTECTION_PLAN, Path::ProtectionPlan),
];

/// Where the generator's columns are.
struct Columns {
    age: Option<usize>,
    unborn: Option<usize>,
    indicators: usize,
    decision: usize,
    referral_date: Option<usize>,
}

/// The child being written.
struct ChildState {
    left: u32,
    dates: Vec<i64>,
    /// The birth date (none for an unborn child).
    birth: Option<i64>,
}

/// Writes `opts.n` episodes as a CIN census message to `out`. The rule
/// file must give some indicator `codes [...]` (the factors are written as
/// codes).
pub fn write(plan: &Plan, opts: &SampleOptions, out: &mut dyn Write) -> io::Result<()> {
    let code_of: HashMap<&str, &str> = plan
        .decl
        .indicators
        .iter()
        .filter_map(|i| i.codes.first().map(|c| (i.id.as_str(), c.as_str())))
        .collect();
    if code_of.is_empty() {
        return Err(io::Error::other(
            "a CIN census sample needs indicators with `codes [...]` (DfE assessment factor codes); see rules/cin.thr",
        ));
    }
    let header = columns(plan);
    let at = |name: &str| header.iter().position(|h| h == name);
    let cols = Columns {
        age: at("age"),
        unborn: at("unborn"),
        indicators: at("indicators").unwrap_or(usize::MAX),
        decision: at("decision").unwrap_or(usize::MAX),
        referral_date: at("referral_date"),
    };
    let paths = path_table(plan);
    let mut g = SplitMix64::new(opts.seed ^ 0xC14E_5E45_0000_0002);
    let mut w = io::BufWriter::new(out);
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        w,
        "<!-- Synthetic: made by `thresholds sample`; no real child. -->"
    )?;
    writeln!(w, "<Message>")?;
    writeln!(w, "  <Header>")?;
    writeln!(w, "    <CollectionDetails>")?;
    writeln!(w, "      <Collection>CIN</Collection>")?;
    writeln!(w, "      <Year>2026</Year>")?;
    writeln!(w, "      <ReferenceDate>{REFERENCE_DATE}</ReferenceDate>")?;
    writeln!(w, "    </CollectionDetails>")?;
    writeln!(w, "    <Source>")?;
    writeln!(w, "      <SourceLevel>L</SourceLevel>")?;
    writeln!(w, "      <LEA>{LEA}</LEA>")?;
    writeln!(w, "      <SoftwareCode>thresholds sample</SoftwareCode>")?;
    writeln!(w, "      <Release>{}</Release>", env!("CARGO_PKG_VERSION"))?;
    writeln!(w, "      <SerialNo>001</SerialNo>")?;
    writeln!(w, "      <DateTime>2026-04-01T00:00:00</DateTime>")?;
    writeln!(w, "    </Source>")?;
    writeln!(w, "  </Header>")?;
    writeln!(w, "  <Children>")?;
    let mut child: Option<ChildState> = None;
    let mut children = 0u64;
    let mut ep = String::with_capacity(2048);
    generate(plan, opts, |cells| -> io::Result<()> {
        let text = |i: Option<usize>| match i.and_then(|i| cells.get(i)) {
            Some(Cell::Text(t)) => t.clone(),
            Some(Cell::Num(n)) => n.to_string(),
            _ => String::new(),
        };
        let age = match cols.age.and_then(|i| cells.get(i)) {
            Some(Cell::Num(a)) => *a,
            Some(Cell::Text(t)) => t.parse().unwrap_or(8.0),
            _ => g.next_f64() * 17.0,
        };
        let unborn = crate::data::parse_yes_no(&text(cols.unborn)).unwrap_or(false);
        let base_date = parse_date(&text(cols.referral_date))
            .unwrap_or_else(|| days_from_civil(2025, 4, 1) + g.below(365) as i64);
        // A new child when the last one has had all its episodes.
        let starting = child.as_ref().is_none_or(|c| c.left == 0);
        if starting {
            if child.is_some() {
                writeln!(w, "    </Child>")?;
            }
            children += 1;
            let episodes = if unborn {
                1
            } else {
                match g.weighted(&[70.0, 20.0, 10.0]) {
                    0 => 1,
                    1 => 2,
                    _ => 3,
                }
            };
            let birth = write_child(&mut w, &mut g, children, base_date, age, unborn)?;
            child = Some(ChildState {
                left: episodes,
                dates: Vec::new(),
                birth,
            });
        }
        let Some(state) = child.as_mut() else {
            return Ok(());
        };
        state.left -= 1;
        // Later episodes of a child follow the first by weeks or months,
        // never on a day the child already has.
        // Within the collection year where it can be: a later episode that
        // would fall after the reference date goes before the first one
        // instead (never before the birth).
        let mut date = base_date;
        if let (Some(first), Some(last)) = (state.dates.first(), state.dates.last()) {
            date = last + 14 + g.below(120) as i64;
            if date > reference_day() {
                date = (first - 14 - g.below(120) as i64).max(state.birth.unwrap_or(i64::MIN));
            }
        }
        while state.dates.contains(&date) {
            date += 1;
        }
        state.dates.push(date);
        let factors: Vec<&str> = match cells.get(cols.indicators) {
            Some(Cell::Text(t)) => t
                .split(';')
                .filter_map(|id| code_of.get(id.trim()).copied())
                .collect(),
            _ => Vec::new(),
        };
        let decision = text(Some(cols.decision));
        let path = choose_path(plan, &paths, &mut g, &decision, !factors.is_empty());
        ep.clear();
        episode(&mut ep, &mut g, date, path, &factors);
        w.write_all(ep.as_bytes())
    })?;
    if child.is_some() {
        writeln!(w, "    </Child>")?;
    }
    writeln!(w, "  </Children>")?;
    writeln!(w, "</Message>")?;
    w.flush()
}

/// For each level rank, the paths whose decision text the rule file maps
/// to it.
fn path_table(plan: &Plan) -> Vec<Vec<Path>> {
    let mut t: Vec<Vec<Path>> = plan.decl.levels.iter().map(|_| Vec::new()).collect();
    for (text, path) in PATHS {
        if let Some(rank) = plan.decision_level(text) {
            if let Some(v) = t.get_mut(rank.index()) {
                v.push(path);
            }
        }
    }
    t
}

/// The episode's path for a recorded decision: its own text when it is one
/// of the census texts, else a census text the rule file maps to the same
/// level, else by the level's place in the scale.
fn choose_path(
    plan: &Plan,
    table: &[Vec<Path>],
    g: &mut SplitMix64,
    decision: &str,
    has_factors: bool,
) -> Path {
    let t = decision.trim();
    if t.is_empty() {
        return Path::Open;
    }
    let own = PATHS
        .iter()
        .find(|(text, _)| text.eq_ignore_ascii_case(t))
        .map(|(_, p)| *p);
    let path = own.unwrap_or_else(|| {
        let rank = plan.decision_level(t).unwrap_or_default();
        match table.get(rank.index()).filter(|v| !v.is_empty()) {
            Some(v) => v[g.below(v.len() as u64) as usize],
            None => {
                let top = f64::from(plan.top().get().max(1));
                match f64::from(rank.get()) / top {
                    x if x <= 0.0 => Path::ReferralNfa,
                    x if x < 0.5 => Path::ClosedEarlyHelp,
                    x if x < 1.0 => Path::CinPlan,
                    _ if g.chance(0.5) => Path::Section47,
                    _ => Path::ProtectionPlan,
                }
            }
        }
    });
    // A referral closed with no assessment records no factors: one with
    // factors was assessed first.
    match path {
        Path::ReferralNfa if has_factors => Path::ClosedNfa,
        Path::ClosedNfa if !has_factors && g.chance(0.5) => Path::ReferralNfa,
        p => p,
    }
}

/// `YYYY-MM-DD` of a day number.
fn date(days: i64) -> String {
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn pick<'a>(g: &mut SplitMix64, list: &[&'a str]) -> &'a str {
    list.get(g.below(list.len() as u64) as usize)
        .copied()
        .unwrap_or_default()
}

fn weighted<'a>(g: &mut SplitMix64, list: &[(&'a str, f64)]) -> &'a str {
    let w: Vec<f64> = list.iter().map(|x| x.1).collect();
    list.get(g.weighted(&w)).map_or("", |x| x.0)
}

/// `<Child>` with its identifiers and characteristics; returns the birth
/// date (none for an unborn child).
fn write_child(
    w: &mut impl Write,
    g: &mut SplitMix64,
    n: u64,
    referral: i64,
    age: f64,
    unborn: bool,
) -> io::Result<Option<i64>> {
    writeln!(w, "    <Child>")?;
    writeln!(w, "      <ChildIdentifiers>")?;
    writeln!(w, "        <LAchildID>SYN{n:07}</LAchildID>")?;
    if unborn {
        writeln!(w, "        <UPNunknown>UN1</UPNunknown>")?;
        let due = referral + 20 + g.below(140) as i64;
        writeln!(
            w,
            "        <ExpectedPersonBirthDate>{}</ExpectedPersonBirthDate>",
            date(due)
        )?;
        writeln!(w, "        <GenderCurrent>0</GenderCurrent>")?;
    }
    let mut born = None;
    if !unborn {
        let birth = referral - (age.max(0.0) * 365.25).round() as i64;
        born = Some(birth);
        writeln!(
            w,
            "        <PersonBirthDate>{}</PersonBirthDate>",
            date(birth)
        )?;
        let gender = match g.weighted(&[49.0, 49.0, 1.5, 0.5]) {
            0 => "1",
            1 => "2",
            2 => "0",
            _ => "9",
        };
        writeln!(w, "        <GenderCurrent>{gender}</GenderCurrent>")?;
    }
    writeln!(w, "      </ChildIdentifiers>")?;
    writeln!(w, "      <ChildCharacteristics>")?;
    let ethnicity = if unborn { "NOBT" } else { pick(g, &ETHNICITY) };
    writeln!(w, "        <Ethnicity>{ethnicity}</Ethnicity>")?;
    if !unborn {
        writeln!(w, "        <Disabilities>")?;
        let d = if g.chance(0.08) {
            pick(g, &DISABILITY)
        } else {
            "NONE"
        };
        writeln!(w, "          <Disability>{d}</Disability>")?;
        writeln!(w, "        </Disabilities>")?;
    }
    writeln!(w, "      </ChildCharacteristics>")?;
    Ok(born)
}

/// One `<CINdetails>`, in the schema's element order.
fn episode(out: &mut String, g: &mut SplitMix64, referral: i64, path: Path, factors: &[&str]) {
    use std::fmt::Write as _;
    let assessed = path != Path::ReferralNfa;
    let start = referral + g.below(3) as i64;
    let authorised = start + 10 + g.below(35) as i64;
    let plan_start = authorised + 1 + g.below(10) as i64;
    let _ = writeln!(out, "      <CINdetails>");
    let _ = writeln!(
        out,
        "        <CINreferralDate>{}</CINreferralDate>",
        date(referral)
    );
    let _ = writeln!(
        out,
        "        <ReferralSource>{}</ReferralSource>",
        weighted(g, &SOURCES)
    );
    if assessed {
        let _ = writeln!(
            out,
            "        <PrimaryNeedCode>{}</PrimaryNeedCode>",
            weighted(g, &NEEDS)
        );
    }
    let closure = match path {
        Path::ReferralNfa => Some((referral + g.below(2) as i64, "RC8")),
        Path::ClosedNfa => Some((authorised, "RC8")),
        Path::ClosedEarlyHelp => Some((authorised, "RC9")),
        _ => None,
    };
    if let Some((day, reason)) = closure {
        let _ = writeln!(
            out,
            "        <CINclosureDate>{}</CINclosureDate>",
            date(day)
        );
        // A referral closed without assessment has no RC8/RC9 (those say
        // "after assessment"); RC7 is "services ceased for any other reason".
        let reason = if path == Path::ReferralNfa {
            "RC7"
        } else {
            reason
        };
        let _ = writeln!(out, "        <ReasonForClosure>{reason}</ReasonForClosure>");
    }
    if assessed {
        // Now and then a second assessment in the same episode, the factors
        // shared between them.
        let split = factors.len() >= 2 && g.chance(0.2);
        let cut = if split {
            factors.len() / 2
        } else {
            factors.len()
        };
        let (first, second) = factors.split_at(cut);
        assessment(out, start, Some(authorised), first);
        if split {
            assessment(out, authorised + 5, Some(authorised + 30), second);
        }
    }
    if path == Path::CinPlan {
        let _ = writeln!(out, "        <CINPlanDates>");
        let _ = writeln!(
            out,
            "          <CINPlanStartDate>{}</CINPlanStartDate>",
            date(plan_start)
        );
        let _ = writeln!(out, "        </CINPlanDates>");
    }
    if matches!(path, Path::Section47 | Path::ProtectionPlan) {
        let s47 = referral + g.below(5) as i64;
        let protection = path == Path::ProtectionPlan;
        let _ = writeln!(out, "        <Section47>");
        let _ = writeln!(
            out,
            "          <S47ActualStartDate>{}</S47ActualStartDate>",
            date(s47)
        );
        if protection {
            let _ = writeln!(
                out,
                "          <InitialCPCtarget>{}</InitialCPCtarget>",
                date(s47 + 15)
            );
            let _ = writeln!(
                out,
                "          <DateOfInitialCPC>{}</DateOfInitialCPC>",
                date(s47 + 12)
            );
        }
        // Yes/no as 1 and 0: the schema's yes/no type (some copies of it
        // list only these two).
        let not_required = if protection { "0" } else { "1" };
        let _ = writeln!(
            out,
            "          <ICPCnotRequired>{not_required}</ICPCnotRequired>"
        );
        let _ = writeln!(out, "        </Section47>");
    }
    let nfa = if path == Path::ReferralNfa { "1" } else { "0" };
    let _ = writeln!(out, "        <ReferralNFA>{nfa}</ReferralNFA>");
    if path == Path::ProtectionPlan {
        let category = pick(g, &ABUSE);
        let _ = writeln!(out, "        <ChildProtectionPlans>");
        let _ = writeln!(
            out,
            "          <CPPstartDate>{}</CPPstartDate>",
            date(referral + 17)
        );
        let _ = writeln!(
            out,
            "          <InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>"
        );
        let _ = writeln!(
            out,
            "          <LatestCategoryOfAbuse>{category}</LatestCategoryOfAbuse>"
        );
        let _ = writeln!(
            out,
            "          <NumberOfPreviousCPP>{}</NumberOfPreviousCPP>",
            g.below(2)
        );
        let _ = writeln!(out, "        </ChildProtectionPlans>");
    }
    let _ = writeln!(out, "      </CINdetails>");
}

/// One `<Assessments>`: `21` ("no factors identified") when none.
fn assessment(out: &mut String, start: i64, authorised: Option<i64>, factors: &[&str]) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "        <Assessments>");
    let _ = writeln!(
        out,
        "          <AssessmentActualStartDate>{}</AssessmentActualStartDate>",
        date(start)
    );
    if let Some(a) = authorised {
        let _ = writeln!(
            out,
            "          <AssessmentAuthorisationDate>{}</AssessmentAuthorisationDate>",
            date(a)
        );
    }
    let _ = writeln!(out, "          <FactorsIdentifiedAtAssessment>");
    if factors.is_empty() {
        let _ = writeln!(out, "            <AssessmentFactors>21</AssessmentFactors>");
    }
    for f in factors {
        let _ = writeln!(
            out,
            "            <AssessmentFactors>{f}</AssessmentFactors>"
        );
    }
    let _ = writeln!(out, "          </FactorsIdentifiedAtAssessment>");
    let _ = writeln!(out, "        </Assessments>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_to_dates() {
        for d in [-1000, 0, 11_017, 19_782, 20_543, 20_544, 30_000] {
            assert_eq!(parse_date(&date(d)), Some(d), "{d}");
        }
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(19_782), "2024-02-29");
    }
}
