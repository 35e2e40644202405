//! The national figures `sample` is calibrated to, each with the year and
//! the DfE table it comes from: referral sources, the factors identified at
//! the end of assessment, the age mix of children in need and the
//! re-referral rate. `thresholds sample --calibration` prints each beside the
//! generated share.

/// Who made the referral: the DfE's categories of referral source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Police.
    Police,
    /// Schools.
    School,
    /// Health services (GPs, health visitors, midwives, school nurses, A&E).
    Health,
    /// Local authority services.
    LocalAuthority,
    /// Individuals (family, friends, neighbours, the child).
    Individual,
    /// Other.
    Other,
    /// Other legal agencies (courts, probation, youth offending teams).
    OtherLegal,
    /// Education services other than schools (early years, colleges).
    EducationServices,
    /// Anonymous.
    Anonymous,
    /// Not known.
    #[default]
    Unknown,
    /// Housing.
    Housing,
}

/// Referral sources, year ending 31 March 2020: DfE children in need
/// census, table C5 (referrals by source), national row, as parsed in
/// DOMAIN.md section 3 (values sum to 642,980 referrals). The 2024-25 source
/// table is not among the DfE's published CSV files that could be read here
/// (dfe-analytical-services/CSC_outcomes_and_enablers holds C1, C3 and C4
/// but no source table); update these shares when it is.
pub const SOURCES: [(Source, &str, &str, f64); 11] = [
    (Source::Police, "police", "Police", 28.7),
    (Source::School, "school", "Schools", 18.2),
    (Source::Health, "health", "Health services", 15.0),
    (
        Source::LocalAuthority,
        "local_authority",
        "Local authority services",
        14.1,
    ),
    (Source::Individual, "individual", "Individuals", 8.1),
    (Source::Other, "other", "Other", 4.9),
    (
        Source::OtherLegal,
        "other_legal_agency",
        "Other legal agencies",
        3.9,
    ),
    (
        Source::EducationServices,
        "education_services",
        "Education services",
        2.1,
    ),
    (Source::Anonymous, "anonymous", "Anonymous", 2.1),
    (Source::Unknown, "unknown", "Not known", 1.4),
    (Source::Housing, "housing", "Housing", 1.3),
];

impl Source {
    /// Its index in [`SOURCES`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The text written in a free-text source column (`police`, `school`, ...).
    pub fn text(self) -> &'static str {
        SOURCES[self.index()].1
    }

    /// The plain-English name.
    pub fn label(self) -> &'static str {
        SOURCES[self.index()].2
    }

    /// All sources, in [`SOURCES`] order.
    pub fn all() -> impl Iterator<Item = Source> {
        SOURCES.iter().map(|s| s.0)
    }

    /// The source a `one_of` option or free text names, by its words
    /// (`"health_visitor"` is health, `"yot"` another legal agency).
    pub fn from_words(text: &str) -> Option<Source> {
        let t = text.to_ascii_lowercase();
        let has = |w: &[&str]| w.iter().any(|x| t.contains(x));
        Some(if has(&["police"]) {
            Source::Police
        } else if has(&["anonym"]) {
            Source::Anonymous
        } else if has(&["unknown", "not_known", "not known"]) {
            Source::Unknown
        } else if has(&["housing"]) {
            Source::Housing
        } else if has(&[
            "legal",
            "court",
            "probation",
            "yot",
            "youth_justice",
            "prison",
        ]) {
            Source::OtherLegal
        } else if has(&["education", "nursery", "early_years", "college"]) {
            Source::EducationServices
        } else if has(&["school"]) {
            Source::School
        } else if has(&[
            "health", "gp", "hospital", "midwi", "nurse", "nhs", "camhs", "a&e", "dentist",
        ]) {
            Source::Health
        } else if has(&[
            "local_authority",
            "la_",
            "council",
            "social_care",
            "authority",
        ]) {
            Source::LocalAuthority
        } else if has(&[
            "individual",
            "family",
            "self",
            "parent",
            "relative",
            "public",
        ]) {
            Source::Individual
        } else if has(&["other"]) {
            Source::Other
        } else {
            return None;
        })
    }
}

/// A factor identified at the end of assessment: the columns of DfE table C3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Factor {
    AlcoholChild,
    AlcoholParent,
    AlcoholPerson,
    DrugChild,
    DrugParent,
    DrugPerson,
    DomesticAbuseChild,
    DomesticAbuseParent,
    DomesticAbusePerson,
    MentalHealthChild,
    MentalHealthParent,
    MentalHealthPerson,
    LearningDisabilityChild,
    LearningDisabilityParent,
    LearningDisabilityPerson,
    PhysicalDisabilityChild,
    PhysicalDisabilityParent,
    PhysicalDisabilityPerson,
    YoungCarer,
    PrivatelyFostered,
    Unaccompanied,
    GoingMissing,
    Cse,
    Trafficking,
    Gangs,
    SociallyUnacceptableBehaviour,
    SelfHarm,
    Neglect,
    EmotionalAbuse,
    PhysicalAbuseChildOnChild,
    PhysicalAbuseAdultOnChild,
    SexualAbuseChildOnChild,
    SexualAbuseAdultOnChild,
    Fgm,
    FaithLinked,
    CriminalExploitation,
    Other,
}

/// Episodes with at least one factor recorded, England, year ending 31 March
/// 2025 (DfE table C3, national row): the denominator of [`FACTORS`].
pub const C3_EPISODES_2025: f64 = 513_250.0;

/// Factors identified at the end of assessment, England, year ending 31
/// March 2025: DfE children in need census, table C3
/// (data-raw/c3_factors_identified_at_end_of_assessment_2018_to_2025.csv in
/// dfe-analytical-services/CSC_outcomes_and_enablers), national row: the
/// DfE column, a plain-English label, and the number of episodes with the
/// factor. The share is the count over [`C3_EPISODES_2025`]; an episode may
/// have several factors. The two "unknown" physical and sexual abuse columns
/// are 0 in 2025 and left out.
pub const FACTORS: [(Factor, &str, &str, f64); 37] = [
    (
        Factor::AlcoholChild,
        "Alcohol_Misuse_child",
        "Alcohol misuse: the child",
        10_620.0,
    ),
    (
        Factor::AlcoholParent,
        "Alcohol_Misuse_parent",
        "Alcohol misuse: a parent or carer",
        73_250.0,
    ),
    (
        Factor::AlcoholPerson,
        "Alcohol_Misuse_person",
        "Alcohol misuse: another person in the household",
        11_600.0,
    ),
    (
        Factor::DrugChild,
        "Drug_Misuse_child",
        "Drug misuse: the child",
        24_550.0,
    ),
    (
        Factor::DrugParent,
        "Drug_Misuse_parent",
        "Drug misuse: a parent or carer",
        72_620.0,
    ),
    (
        Factor::DrugPerson,
        "Drug_Misuse_person",
        "Drug misuse: another person in the household",
        15_930.0,
    ),
    (
        Factor::DomesticAbuseChild,
        "Domestic_Abuse_child",
        "Domestic abuse: the child",
        57_930.0,
    ),
    (
        Factor::DomesticAbuseParent,
        "Domestic_Abuse_parent",
        "Domestic abuse: a parent or carer",
        162_890.0,
    ),
    (
        Factor::DomesticAbusePerson,
        "Domestic_Abuse_person",
        "Domestic abuse: another person in the household",
        25_560.0,
    ),
    (
        Factor::MentalHealthChild,
        "Mental_Health_child",
        "Mental health: the child",
        90_400.0,
    ),
    (
        Factor::MentalHealthParent,
        "Mental_Health_parent",
        "Mental health: a parent or carer",
        171_780.0,
    ),
    (
        Factor::MentalHealthPerson,
        "Mental_Health_person",
        "Mental health: another person in the household",
        23_600.0,
    ),
    (
        Factor::LearningDisabilityChild,
        "Learning_Disability_child",
        "Learning disability: the child",
        63_240.0,
    ),
    (
        Factor::LearningDisabilityParent,
        "Learning_Disability_parent",
        "Learning disability: a parent or carer",
        15_170.0,
    ),
    (
        Factor::LearningDisabilityPerson,
        "Learning_Disability_person",
        "Learning disability: another person in the household",
        7_510.0,
    ),
    (
        Factor::PhysicalDisabilityChild,
        "Physical_Disability_child",
        "Physical disability or illness: the child",
        24_220.0,
    ),
    (
        Factor::PhysicalDisabilityParent,
        "Physical_Disability_parent",
        "Physical disability or illness: a parent or carer",
        27_600.0,
    ),
    (
        Factor::PhysicalDisabilityPerson,
        "Physical_Disability_person",
        "Physical disability or illness: another person in the household",
        5_310.0,
    ),
    (Factor::YoungCarer, "Young_Carer", "Young carer", 18_960.0),
    (
        Factor::PrivatelyFostered,
        "Privately_fostered",
        "Privately fostered",
        1_950.0,
    ),
    (
        Factor::Unaccompanied,
        "Unaccompanied_asylum_seeker",
        "Unaccompanied asylum-seeking child",
        6_340.0,
    ),
    (
        Factor::GoingMissing,
        "Going_missing",
        "Going or being missing",
        16_940.0,
    ),
    (
        Factor::Cse,
        "Child_sexual_exploitation",
        "Child sexual exploitation",
        12_400.0,
    ),
    (Factor::Trafficking, "Trafficking", "Trafficking", 2_250.0),
    (Factor::Gangs, "Gangs", "Gangs", 8_860.0),
    (
        Factor::SociallyUnacceptableBehaviour,
        "Socially_unacceptable_behaviour",
        "Socially unacceptable behaviour",
        35_980.0,
    ),
    (Factor::SelfHarm, "Self_harm", "Self-harm", 25_470.0),
    (Factor::Neglect, "Neglect", "Neglect", 90_370.0),
    (
        Factor::EmotionalAbuse,
        "Emotional_Abuse",
        "Emotional abuse",
        97_700.0,
    ),
    (
        Factor::PhysicalAbuseChildOnChild,
        "Physical_Abuse_child_on_child",
        "Physical abuse: child on child",
        15_270.0,
    ),
    (
        Factor::PhysicalAbuseAdultOnChild,
        "Physical_Abuse_adult_on_child",
        "Physical abuse: adult on child",
        61_410.0,
    ),
    (
        Factor::SexualAbuseChildOnChild,
        "Sexual_Abuse_child_on_child",
        "Sexual abuse: child on child",
        12_590.0,
    ),
    (
        Factor::SexualAbuseAdultOnChild,
        "Sexual_Abuse_adult_on_child",
        "Sexual abuse: adult on child",
        18_900.0,
    ),
    (
        Factor::Fgm,
        "Female_Genital_Mutilation",
        "Female genital mutilation",
        780.0,
    ),
    (
        Factor::FaithLinked,
        "Faith_linked_abuse",
        "Abuse linked to faith or belief",
        2_240.0,
    ),
    (
        Factor::CriminalExploitation,
        "Child_criminal_exploitation",
        "Child criminal exploitation",
        16_250.0,
    ),
    (Factor::Other, "Other", "Other", 83_770.0),
];

impl Factor {
    /// Its index in [`FACTORS`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The DfE's share of assessed episodes with this factor, per cent.
    pub fn share(self) -> f64 {
        100.0 * FACTORS[self.index()].3 / C3_EPISODES_2025
    }

    /// The plain-English label.
    pub fn label(self) -> &'static str {
        FACTORS[self.index()].2
    }

    /// The DfE column name.
    pub fn column(self) -> &'static str {
        FACTORS[self.index()].1
    }

    /// All factors, in [`FACTORS`] order.
    pub fn all() -> impl Iterator<Item = Factor> {
        FACTORS.iter().map(|f| f.0)
    }

    /// Domestic abuse of any person (the child, a parent, another person).
    pub fn is_domestic_abuse(self) -> bool {
        matches!(
            self,
            Factor::DomesticAbuseChild | Factor::DomesticAbuseParent | Factor::DomesticAbusePerson
        )
    }

    /// A disability of the child.
    pub fn is_child_disability(self) -> bool {
        matches!(
            self,
            Factor::LearningDisabilityChild | Factor::PhysicalDisabilityChild
        )
    }
}

/// An age band: its label, its first and last age in tenths of a year
/// (tenth 0 is an unborn baby, 1 a baby of 0.1 years, 179 a child of 17.9),
/// and its share of children, per cent.
pub type AgeBand = (&'static str, u16, u16, f64);

/// The age mix of children in need (DOMAIN.md section 3: under 1 about 5%,
/// 1-4 14%, 5-9 22%, 10-15 37%, 16 and over 22%). DOMAIN.md marks these as a
/// recollection to verify against the DfE's children in need table by age
/// (characteristics of children in need, table B), which is not among the
/// DfE's CSV files that could be read here. Update when the table is
/// at hand. Unborn babies are 2% (the v2 rules' notes: pre-birth referrals
/// 2-3%), taken from the 16-17 share.
pub const AGE_BANDS: [AgeBand; 6] = [
    ("unborn", 0, 0, 2.0),
    ("under 1", 1, 9, 5.0),
    ("1-4", 10, 49, 14.0),
    ("5-9", 50, 99, 22.0),
    ("10-15", 100, 159, 37.0),
    ("16-17", 160, 179, 20.0),
];

/// The last age tenth generated (17.9 years).
pub const MAX_TENTH: u16 = 179;

/// Re-referrals within 12 months of a previous referral, England, year
/// ending 31 March 2025: 142,900 of 632,830 referrals (22.6%), DfE children
/// in need census, table C1 (data-raw/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv).
pub const REREFERRAL_2025: f64 = 22.6;

/// The share of household domestic-abuse referrals (past or current) that
/// meet the MARAC criteria, per cent: issue 15 asks for 7-10% (SafeLives: a
/// small minority of domestic abuse cases are high risk). 7.8% keeps the
/// share within that range whether past-only abuse is counted or not.
pub const MARAC_SHARE_OF_DA: f64 = 7.8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_in_enum_order_and_add_up() {
        for (i, s) in SOURCES.iter().enumerate() {
            assert_eq!(s.0.index(), i);
        }
        for (i, f) in FACTORS.iter().enumerate() {
            assert_eq!(f.0.index(), i);
        }
        let total: f64 = SOURCES.iter().map(|s| s.3).sum();
        assert!((total - 99.8).abs() < 0.5, "{total}");
        let ages: f64 = AGE_BANDS.iter().map(|b| b.3).sum();
        assert!((ages - 100.0).abs() < 1e-9);
        assert!((Factor::MentalHealthParent.share() - 33.47).abs() < 0.01);
        assert!((Factor::DomesticAbuseParent.share() - 31.74).abs() < 0.01);
        assert_eq!(AGE_BANDS[5].2, MAX_TENTH);
    }

    #[test]
    fn option_words_name_sources() {
        assert_eq!(Source::from_words("health_visitor"), Some(Source::Health));
        assert_eq!(Source::from_words("Police"), Some(Source::Police));
        assert_eq!(Source::from_words("school"), Some(Source::School));
        assert_eq!(
            Source::from_words("education_services"),
            Some(Source::EducationServices)
        );
        assert_eq!(Source::from_words("yot"), Some(Source::OtherLegal));
        assert_eq!(Source::from_words("zzz"), None);
    }
}
