//! What `sample` knows about each indicator, by id: the ages at which it can
//! occur, the DfE assessment factor (table C3) it corresponds to, its share
//! of referrals within that factor, and which referrers it leans towards.
//! Read once when the generator is built (never per record). An id not in
//! [`PROFILES`] gets a profile inferred from its id, description and themes
//! ([`infer`]), so `sample` works for any rule file.
//!
//! Ages are in years; a youngest age of 0 includes an unborn baby (whose age
//! is recorded as 0), 0.1 means born. School-age concerns start at 5
//! (compulsory school age), criminal ones at 10 (the age of criminal
//! responsibility), sexual activity under the age of consent at 13-15 (under
//! 13 is abuse in law, Sexual Offences Act 2003 ss5-8), a child's own
//! pregnancy at 12.

use super::targets::{Factor, Source};

/// One indicator's profile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Profile {
    /// Youngest and oldest age, in years (0 includes unborn).
    pub ages: (f64, f64),
    /// The DfE factor it corresponds to.
    pub factor: Factor,
    /// Its share of referrals, per cent: the weight among its factor's
    /// indicators (the factor's total is the DfE figure).
    pub share: f64,
    /// Referral sources it leans towards or away from (multipliers), on top
    /// of its factor's ([`factor_lean`]).
    pub lean: &'static [(Source, f64)],
    /// Only for girls (FGM, a child's own pregnancy).
    pub female: bool,
}

/// Any age, unborn included.
const ANY: (f64, f64) = (0.0, 17.9);
/// Born children of any age.
const BORN: (f64, f64) = (0.1, 17.9);
/// Compulsory school age and over.
const SCHOOL: (f64, f64) = (5.0, 17.9);
/// Age of criminal responsibility and over.
const TEEN: (f64, f64) = (10.0, 17.9);

use Factor as F;
use Source as S;

const HOUSING: &[(Source, f64)] = &[(S::Housing, 6.0), (S::LocalAuthority, 1.5)];
const POLICE: &[(Source, f64)] = &[(S::Police, 2.5)];
const NONE: &[(Source, f64)] = &[];

/// Profiles of the indicators of the default continuum (rules/continuum.thr,
/// v1 and v2 ids), by id. Ages follow the rules engineer's notes for v2
/// (the narrower range where they and local guidance differ). Shares split
/// each DfE factor among its indicators by how often local threshold
/// guidance and the DfE breakdowns suggest each is the one recorded: that
/// split is our estimate; the factor totals are DfE table C3 2025.
pub const PROFILES: &[(&str, Profile)] = &[
    // The child's developmental needs.
    (
        "milestones_slow",
        p(
            (0.1, 7.0),
            F::Other,
            1.6,
            &[(S::Health, 2.0), (S::EducationServices, 1.5)],
        ),
    ),
    (
        "milestones_significant_delay",
        p((0.5, 7.0), F::Neglect, 1.5, &[(S::Health, 2.0)]),
    ),
    (
        "speech_language_difficulty",
        p((1.5, 11.0), F::Other, 1.4, &[(S::Health, 1.5)]),
    ),
    (
        "behaviour_difficulties",
        p(
            (3.0, 17.9),
            F::SociallyUnacceptableBehaviour,
            3.5,
            &[(S::School, 1.5)],
        ),
    ),
    (
        "health_checks_missed",
        p((0.1, 5.0), F::Neglect, 2.5, &[(S::Health, 3.0)]),
    ),
    (
        "health_needs_unmet",
        p(BORN, F::Neglect, 3.0, &[(S::Health, 2.0)]),
    ),
    (
        "school_absence",
        p(
            SCHOOL,
            F::Other,
            2.6,
            &[(S::School, 3.0), (S::EducationServices, 2.0)],
        ),
    ),
    (
        "exclusion_fixed_term",
        p(
            (6.0, 16.0),
            F::SociallyUnacceptableBehaviour,
            1.5,
            &[(S::School, 3.0)],
        ),
    ),
    (
        "missing_education",
        p(
            (5.0, 16.0),
            F::Other,
            1.0,
            &[(S::EducationServices, 4.0), (S::School, 1.5)],
        ),
    ),
    (
        "home_education_concerns",
        p(
            (5.0, 16.0),
            F::Other,
            0.5,
            &[(S::EducationServices, 4.0), (S::School, 1.5)],
        ),
    ),
    ("missing_episode", p(TEEN, F::GoingMissing, 2.0, POLICE)),
    (
        "missing_repeated",
        p((11.0, 17.9), F::GoingMissing, 1.3, POLICE),
    ),
    (
        "child_substance_early",
        p((11.0, 17.9), F::AlcoholChild, 2.1, &[(S::School, 1.5)]),
    ),
    (
        "child_substance_misuse",
        p((12.0, 17.9), F::DrugChild, 4.8, NONE),
    ),
    (
        "child_emotional_low_level",
        p(SCHOOL, F::MentalHealthChild, 17.6, NONE),
    ),
    ("child_self_harm", p(TEEN, F::SelfHarm, 5.0, NONE)),
    (
        "early_offending_asb",
        p(
            TEEN,
            F::SociallyUnacceptableBehaviour,
            1.5,
            &[(S::Police, 2.0), (S::OtherLegal, 2.0)],
        ),
    ),
    ("gang_association", p((11.0, 17.9), F::Gangs, 1.0, NONE)),
    (
        "knife_carrying",
        p((11.0, 17.9), F::Gangs, 0.5, &[(S::School, 1.3)]),
    ),
    (
        "serious_youth_violence",
        p((12.0, 17.9), F::Gangs, 0.3, &[(S::Health, 2.0)]),
    ),
    (
        "cce_warning_signs",
        p(TEEN, F::CriminalExploitation, 1.8, NONE),
    ),
    (
        "criminal_exploitation",
        p((11.0, 17.9), F::CriminalExploitation, 1.4, NONE),
    ),
    (
        "trafficked",
        p(
            TEEN,
            F::Trafficking,
            0.4,
            &[(S::LocalAuthority, 2.0), (S::Other, 2.0)],
        ),
    ),
    (
        "older_associates",
        p(TEEN, F::Cse, 0.9, &[(S::School, 1.5), (S::Individual, 1.5)]),
    ),
    (
        "underage_sexual_activity",
        p(
            (13.0, 15.9),
            F::Other,
            0.8,
            &[(S::Health, 2.0), (S::School, 1.5)],
        ),
    ),
    ("cse_medium_indicator", p(TEEN, F::Cse, 1.0, NONE)),
    ("cse_high_indicator", p((12.0, 17.9), F::Cse, 0.5, NONE)),
    (
        "online_sexual_abuse",
        p(
            TEEN,
            F::SexualAbuseAdultOnChild,
            1.0,
            &[(S::Police, 2.0), (S::School, 1.5)],
        ),
    ),
    (
        "nude_image_sharing",
        p((11.0, 17.9), F::Other, 0.5, &[(S::School, 3.0)]),
    ),
    (
        "child_pregnant",
        pf(
            (13.0, 17.9),
            F::Other,
            0.3,
            &[(S::Health, 3.0), (S::School, 1.5)],
        ),
    ),
    (
        "teen_relationship_abuse",
        p(
            (13.0, 17.9),
            F::DomesticAbuseChild,
            1.0,
            &[(S::Police, 1.5), (S::School, 2.0)],
        ),
    ),
    (
        "child_on_child_physical_abuse",
        p(
            SCHOOL,
            F::PhysicalAbuseChildOnChild,
            3.0,
            &[(S::School, 2.0)],
        ),
    ),
    (
        "child_on_child_sexual_abuse",
        p(SCHOOL, F::SexualAbuseChildOnChild, 1.3, &[(S::School, 2.0)]),
    ),
    (
        "harmful_sexual_behaviour",
        p(
            (8.0, 17.9),
            F::SexualAbuseChildOnChild,
            1.2,
            &[(S::School, 1.5)],
        ),
    ),
    (
        "disability_additional_need",
        p((2.0, 17.9), F::LearningDisabilityChild, 12.3, NONE),
    ),
    (
        "disability_complex_needs",
        p(BORN, F::PhysicalDisabilityChild, 4.7, NONE),
    ),
    (
        "child_in_custody",
        p(
            (14.0, 17.9),
            F::Other,
            0.3,
            &[(S::OtherLegal, 8.0), (S::Police, 2.0)],
        ),
    ),
    (
        "unaccompanied_asylum_seeking",
        p((14.0, 17.9), F::Unaccompanied, 1.2, NONE),
    ),
    (
        "privately_fostered",
        p(BORN, F::PrivatelyFostered, 0.4, NONE),
    ),
    (
        "radicalisation_concern",
        p(
            (11.0, 17.9),
            F::Other,
            0.3,
            &[(S::School, 2.5), (S::Police, 2.0)],
        ),
    ),
    (
        "young_person_homeless",
        p(
            (16.0, 17.9),
            F::Other,
            0.5,
            &[(S::Housing, 10.0), (S::Individual, 2.0)],
        ),
    ),
    (
        "injury_minor",
        p(BORN, F::PhysicalAbuseAdultOnChild, 4.5, NONE),
    ),
    (
        "injury_suspicious",
        p(BORN, F::PhysicalAbuseAdultOnChild, 2.5, &[(S::Health, 1.5)]),
    ),
    (
        "disclosure_of_abuse",
        p(
            (4.0, 17.9),
            F::PhysicalAbuseAdultOnChild,
            2.0,
            &[(S::School, 1.5)],
        ),
    ),
    (
        "fabricated_induced_illness",
        p(
            (0.1, 15.0),
            F::PhysicalAbuseAdultOnChild,
            0.2,
            &[(S::Health, 5.0)],
        ),
    ),
    (
        "child_left_alone",
        p(
            (0.5, 13.0),
            F::Neglect,
            1.5,
            &[(S::Police, 2.0), (S::Anonymous, 2.0), (S::Individual, 1.5)],
        ),
    ),
    ("fgm_known", pf(BORN, F::Fgm, 0.03, &[(S::Health, 2.0)])),
    ("fgm_risk", pf((0.1, 15.0), F::Fgm, 0.08, NONE)),
    (
        "fgm_family_history",
        pf(BORN, F::Fgm, 0.05, &[(S::Health, 2.0)]),
    ),
    (
        "forced_marriage_risk",
        p(
            (13.0, 17.9),
            F::Other,
            0.2,
            &[(S::School, 2.5), (S::Police, 1.5)],
        ),
    ),
    (
        "honour_based_abuse",
        p(TEEN, F::Other, 0.2, &[(S::Police, 2.5), (S::School, 2.0)]),
    ),
    ("abuse_faith_belief", p(BORN, F::FaithLinked, 0.4, NONE)),
    // Parenting capacity.
    ("parenting_support_needed", p(BORN, F::Other, 2.5, NONE)),
    (
        "poor_parent_child_relationship",
        p((1.0, 17.9), F::EmotionalAbuse, 6.0, NONE),
    ),
    (
        "poor_hygiene",
        p(BORN, F::Neglect, 4.0, &[(S::School, 1.5)]),
    ),
    (
        "inadequate_supervision",
        p((0.1, 15.0), F::Neglect, 3.0, &[(S::Police, 1.5)]),
    ),
    ("persistent_neglect", p(BORN, F::Neglect, 2.0, NONE)),
    (
        "harsh_physical_punishment",
        p((1.0, 17.9), F::PhysicalAbuseAdultOnChild, 2.5, NONE),
    ),
    (
        "emotional_rejection",
        p((1.0, 17.9), F::EmotionalAbuse, 3.0, NONE),
    ),
    (
        "carer_mh_managed",
        p(ANY, F::MentalHealthParent, 15.0, NONE),
    ),
    (
        "carer_mh_affects_parenting",
        p(ANY, F::MentalHealthParent, 13.0, &[(S::Police, 1.3)]),
    ),
    (
        "carer_mh_uncontrolled",
        p(ANY, F::MentalHealthParent, 5.5, &[(S::Police, 1.5)]),
    ),
    (
        "carer_substance_some_impact",
        p(ANY, F::AlcoholParent, 14.3, NONE),
    ),
    (
        "carer_substance_affects_parenting",
        p(ANY, F::DrugParent, 11.0, &[(S::Police, 1.3)]),
    ),
    (
        "infant_exposed_substance_crime",
        p((0.0, 4.0), F::DrugParent, 3.0, POLICE),
    ),
    (
        "carer_learning_needs",
        p(
            ANY,
            F::LearningDisabilityParent,
            3.0,
            &[(S::LocalAuthority, 1.5)],
        ),
    ),
    (
        "carer_physical_illness",
        p(BORN, F::PhysicalDisabilityParent, 5.4, &[(S::School, 1.3)]),
    ),
    (
        "refuses_essential_treatment",
        p(BORN, F::Neglect, 0.6, &[(S::Health, 3.0)]),
    ),
    // Family and environmental factors.
    ("young_carer", p((5.0, 17.9), F::YoungCarer, 2.7, NONE)),
    (
        "young_carer_excessive",
        p((8.0, 17.9), F::YoungCarer, 1.0, &[(S::Health, 1.5)]),
    ),
    (
        "bullying_discrimination",
        p(SCHOOL, F::Other, 1.2, &[(S::School, 2.0)]),
    ),
    (
        "parental_conflict_child_involved",
        p((1.0, 17.9), F::EmotionalAbuse, 6.0, NONE),
    ),
    (
        "bereavement_loss",
        p(BORN, F::Other, 1.0, &[(S::School, 1.5)]),
    ),
    (
        "parent_in_custody",
        p(
            ANY,
            F::Other,
            0.8,
            &[(S::OtherLegal, 3.0), (S::School, 1.3)],
        ),
    ),
    ("low_income_affects_child", p(ANY, F::Other, 1.5, NONE)),
    (
        "no_recourse_public_funds",
        p(
            ANY,
            F::Other,
            0.5,
            &[(S::LocalAuthority, 3.0), (S::Housing, 2.0), (S::Other, 2.0)],
        ),
    ),
    (
        "home_conditions_affect_health",
        p(ANY, F::Neglect, 2.5, &[(S::Housing, 3.0), (S::Health, 1.5)]),
    ),
    (
        "da_historic",
        p(
            ANY,
            F::DomesticAbuseParent,
            6.0,
            &[(S::Police, 0.4), (S::School, 2.0), (S::Health, 1.5)],
        ),
    ),
    ("da_incidents", p(ANY, F::DomesticAbuseParent, 17.0, NONE)),
    (
        "child_witnessed_da",
        p(BORN, F::DomesticAbuseChild, 11.3, NONE),
    ),
    (
        "child_experiences_da",
        p(BORN, F::DomesticAbuseChild, 10.3, NONE),
    ),
    ("da_high_harm", p(ANY, F::DomesticAbuseParent, 3.0, NONE)),
    ("da_persistent", p(ANY, F::DomesticAbuseParent, 5.7, NONE)),
    (
        "acrimonious_separation",
        p(
            (1.0, 17.9),
            F::EmotionalAbuse,
            4.0,
            &[(S::Individual, 1.5), (S::OtherLegal, 2.0)],
        ),
    ),
    ("housing_poor_temporary", p(ANY, F::Other, 1.6, HOUSING)),
    ("serious_debt", p(ANY, F::Other, 0.8, HOUSING)),
    (
        "social_isolation",
        p(ANY, F::Other, 0.8, &[(S::Health, 1.5)]),
    ),
    (
        "homeless_or_dangerous_housing",
        p(ANY, F::Other, 0.7, HOUSING),
    ),
    (
        "sex_offender_in_household",
        p(
            ANY,
            F::SexualAbuseAdultOnChild,
            2.7,
            &[(S::Police, 2.0), (S::OtherLegal, 3.0)],
        ),
    ),
];

/// A profile (a `const` shorthand for the table).
const fn p(
    ages: (f64, f64),
    factor: Factor,
    share: f64,
    lean: &'static [(Source, f64)],
) -> Profile {
    Profile {
        ages,
        factor,
        share,
        lean,
        female: false,
    }
}

/// A profile of an indicator only girls can have.
const fn pf(
    ages: (f64, f64),
    factor: Factor,
    share: f64,
    lean: &'static [(Source, f64)],
) -> Profile {
    Profile {
        ages,
        factor,
        share,
        lean,
        female: true,
    }
}

/// The profile of a listed id.
pub fn known(id: &str) -> Option<Profile> {
    PROFILES.iter().find(|(k, _)| *k == id).map(|(_, p)| *p)
}

/// The profile of one of `plan`'s indicators: listed by its id, else
/// inferred from its id, description and theme ids.
pub(crate) fn of(plan: &crate::plan::Plan, ind: &crate::plan::IndicatorInfo) -> Profile {
    known(&ind.id).unwrap_or_else(|| {
        let themes: Vec<&str> = (ind.themes.iter())
            .filter_map(|t| plan.theme(*t))
            .map(|t| t.id.as_str())
            .collect();
        infer(&ind.id, &ind.description, &themes)
    })
}

/// Which referrers each factor leans towards (multipliers of the national
/// shares before they are fitted back to them): police with domestic abuse
/// and harm outside the home, health with parental and child health,
/// schools with the child's behaviour and neglect seen at school.
pub fn factor_lean(f: Factor) -> &'static [(Source, f64)] {
    match f {
        F::DomesticAbuseChild | F::DomesticAbuseParent | F::DomesticAbusePerson => &[
            (S::Police, 6.0),
            (S::School, 0.5),
            (S::Health, 0.8),
            (S::EducationServices, 0.5),
        ],
        F::MentalHealthParent | F::MentalHealthPerson => &[
            (S::Health, 2.0),
            (S::Individual, 1.3),
            (S::LocalAuthority, 1.2),
        ],
        F::MentalHealthChild | F::SelfHarm => &[(S::Health, 2.0), (S::School, 1.8)],
        F::AlcoholParent | F::DrugParent | F::AlcoholPerson | F::DrugPerson => {
            &[(S::Police, 1.6), (S::Health, 1.6)]
        }
        F::AlcoholChild | F::DrugChild => &[(S::Police, 1.5), (S::School, 1.5), (S::Health, 1.3)],
        F::Neglect => &[(S::School, 1.6), (S::Health, 1.6), (S::Police, 0.6)],
        F::EmotionalAbuse => &[(S::School, 1.3), (S::Individual, 1.6)],
        F::PhysicalAbuseAdultOnChild | F::PhysicalAbuseChildOnChild => {
            &[(S::School, 2.0), (S::Health, 1.5), (S::Police, 1.2)]
        }
        F::SexualAbuseAdultOnChild | F::SexualAbuseChildOnChild => {
            &[(S::Police, 2.0), (S::School, 1.5)]
        }
        F::Cse | F::CriminalExploitation | F::Gangs | F::GoingMissing | F::Trafficking => &[
            (S::Police, 3.5),
            (S::OtherLegal, 2.0),
            (S::School, 1.2),
            (S::Health, 0.6),
        ],
        F::SociallyUnacceptableBehaviour => {
            &[(S::School, 2.0), (S::Police, 1.3), (S::OtherLegal, 1.5)]
        }
        F::LearningDisabilityChild | F::PhysicalDisabilityChild => &[
            (S::Health, 2.0),
            (S::School, 1.5),
            (S::LocalAuthority, 2.0),
            (S::EducationServices, 2.0),
            (S::Police, 0.3),
        ],
        F::LearningDisabilityParent
        | F::LearningDisabilityPerson
        | F::PhysicalDisabilityParent
        | F::PhysicalDisabilityPerson => &[(S::Health, 2.0), (S::LocalAuthority, 1.5)],
        F::YoungCarer => &[(S::School, 2.5), (S::LocalAuthority, 1.5), (S::Police, 0.3)],
        F::PrivatelyFostered => &[(S::School, 2.0), (S::Other, 2.0), (S::Police, 0.3)],
        F::Unaccompanied => &[(S::Police, 2.0), (S::LocalAuthority, 3.0), (S::Other, 2.0)],
        F::Fgm => &[(S::Health, 4.0), (S::School, 2.0)],
        F::FaithLinked => &[(S::School, 2.0), (S::Police, 1.5)],
        F::Other => &[(S::LocalAuthority, 1.3)],
    }
}

/// A profile for an id the table does not list, from its words: the id,
/// the indicator's description and its themes' ids. The share is left at 0
/// (the caller weights such indicators by level).
pub fn infer(id: &str, description: &str, themes: &[&str]) -> Profile {
    let id_l = id.to_ascii_lowercase();
    let all = format!(
        "{} {} {}",
        id_l,
        description.to_ascii_lowercase(),
        themes.join(" ").to_ascii_lowercase()
    );
    let has = |w: &[&str]| w.iter().any(|x| id_l.contains(x));
    let any = |w: &[&str]| w.iter().any(|x| all.contains(x));
    let ages = if has(&["unborn", "pre_birth", "prebirth"]) {
        (0.0, 0.0)
    } else if has(&["pregnan"]) && has(&["child", "teen", "young", "under_16", "u16"]) {
        (12.0, 17.9)
    } else if has(&["sexual_activity", "sexually_active", "age_gap"]) {
        (13.0, 15.9)
    } else if has(&[
        "cse",
        "exploit",
        "gang",
        "county_lines",
        "knife",
        "weapon",
        "offend",
    ]) || has(&[
        "asb",
        "custody",
        "youth_justice",
        "sextortion",
        "relationship_abuse",
    ]) || has(&[
        "radicalis",
        "trafficked",
        "missing_rep",
        "substance_misuse",
        "self_harm",
    ]) {
        TEEN
    } else if has(&["forced_marriage", "honour"]) {
        (10.0, 17.9)
    } else if has(&[
        "school",
        "exclusion",
        "truan",
        "absence",
        "home_educat",
        "bully",
    ]) {
        SCHOOL
    } else if has(&[
        "premobile",
        "pre_mobile",
        "non_mobile",
        "infant",
        "baby",
        "newborn",
    ]) {
        (0.1, 2.0)
    } else if has(&["milestone", "immunis", "health_check"]) {
        (0.1, 5.0)
    } else if has(&[
        "carer",
        "parent",
        "da_",
        "domestic",
        "housing",
        "sibling",
        "household",
    ]) {
        ANY
    } else {
        BORN
    };
    let factor = if any(&["domestic", "dv"]) && has(&["child", "witness"]) {
        F::DomesticAbuseChild
    } else if any(&["domestic", " dv", "da_"]) {
        F::DomesticAbuseParent
    } else if has(&["fgm", "genital"]) {
        F::Fgm
    } else if has(&["trafficked", "trafficking"]) {
        F::Trafficking
    } else if has(&["cse", "sexual_exploit", "sextortion"]) {
        F::Cse
    } else if has(&["criminal_exploit", "county_lines", "cce"]) {
        F::CriminalExploitation
    } else if has(&["gang", "knife", "weapon", "youth_violence"]) {
        F::Gangs
    } else if has(&["missing"]) && !has(&["education"]) {
        F::GoingMissing
    } else if has(&["self_harm", "suicid"]) {
        F::SelfHarm
    } else if has(&["young_carer"]) {
        F::YoungCarer
    } else if has(&["private_fost", "privately_fost"]) {
        F::PrivatelyFostered
    } else if has(&["asylum", "unaccompanied", "uasc"]) {
        F::Unaccompanied
    } else if has(&["faith", "witchcraft", "possession"]) {
        F::FaithLinked
    } else if any(&["disab"]) {
        if has(&["carer", "parent"]) {
            F::LearningDisabilityParent
        } else {
            F::LearningDisabilityChild
        }
    } else if any(&["mental", "_mh"]) {
        if has(&["carer", "parent"]) {
            F::MentalHealthParent
        } else {
            F::MentalHealthChild
        }
    } else if any(&["substance", "alcohol", "drug"]) {
        if has(&["carer", "parent"]) {
            F::DrugParent
        } else {
            F::DrugChild
        }
    } else if any(&["neglect"]) {
        F::Neglect
    } else if any(&["emotional"]) {
        F::EmotionalAbuse
    } else if any(&["sexual"]) {
        if has(&["child_on_child", "peer", "harmful_sexual"]) {
            F::SexualAbuseChildOnChild
        } else {
            F::SexualAbuseAdultOnChild
        }
    } else if any(&["physical", "injur"]) {
        if has(&["child_on_child", "peer"]) {
            F::PhysicalAbuseChildOnChild
        } else {
            F::PhysicalAbuseAdultOnChild
        }
    } else if has(&["behaviour", "offend", "asb"]) {
        F::SociallyUnacceptableBehaviour
    } else {
        F::Other
    };
    let female = has(&["fgm", "genital"]) || (has(&["pregnan"]) && !has(&["carer", "mother"]));
    Profile {
        ages,
        factor,
        share: 0.0,
        lean: NONE,
        female,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_ages_sane() {
        for (i, (id, p)) in PROFILES.iter().enumerate() {
            assert!(PROFILES[..i].iter().all(|(k, _)| k != id), "{id} twice");
            assert!(p.ages.0 <= p.ages.1 && p.ages.1 <= 17.9, "{id}");
            assert!(p.share > 0.0, "{id}");
        }
    }

    #[test]
    fn unknown_ids_get_ages_and_factors_from_their_words() {
        let p = infer("child_pregnant_under_16", "The child is pregnant", &[]);
        assert_eq!(p.ages, (12.0, 17.9));
        let p = infer("knife_carrying", "Carries a knife", &["exploitation"]);
        assert_eq!((p.ages, p.factor), (TEEN, F::Gangs));
        let p = infer("fgm_risk", "Risk of FGM", &[]);
        assert_eq!(p.factor, F::Fgm);
        let p = infer("da_non_fatal_strangulation", "Strangulation", &["dv"]);
        assert_eq!((p.ages, p.factor), (ANY, F::DomesticAbuseParent));
        let p = infer("zz", "something", &[]);
        assert_eq!((p.ages, p.factor), (BORN, F::Other));
    }
}
