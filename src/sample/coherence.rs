//! Coherence checks on one referral record, read from its field values and
//! indicators as a reader of the file would (not from the generator's own
//! state): every indicator fits the child's age; the referrer fits the age
//! (no school for a baby); screening fields go with their concern (DASH and
//! incidents only with domestic abuse, a screening outcome only from 10 and
//! "medium" or "high" only with exploitation signs, a Graded Care Profile
//! only with neglect); `disabled` agrees with the disability indicators; a
//! pregnancy is never on a younger child's record; no previous referral or
//! plan for an unborn baby. `sample`'s tests hold every generated record to
//! these.

use super::fields::Role;
use super::profile;
use super::targets::{Factor, Source};
use crate::bits::Bits;
use crate::plan::{Plan, Record, Value};

/// The checks for one rule file.
pub struct Checker<'p> {
    plan: &'p Plan,
    roles: Vec<Role>,
    /// Per indicator: youngest and oldest age, factor, historic, girls only.
    inds: Vec<((f64, f64), Factor, bool, bool)>,
    partner: Bits,
    da: Bits,
    outside: Bits,
    neglect: Bits,
    disability: Bits,
}

impl<'p> Checker<'p> {
    /// The checks for a plan.
    pub fn new(plan: &'p Plan) -> Self {
        let n = plan.decl.indicators.len();
        let mut c = Checker {
            plan,
            roles: plan.decl.fields.iter().map(Role::of).collect(),
            inds: Vec::with_capacity(n),
            da: Bits::with_capacity(n),
            outside: Bits::with_capacity(n),
            neglect: Bits::with_capacity(n),
            disability: Bits::with_capacity(n),
            partner: Bits::with_capacity(n),
        };
        for (b, ind) in plan.decl.indicators.iter().enumerate() {
            let p = profile::of(plan, ind);
            let id = ind.id.to_ascii_lowercase();
            let historic = id.contains("historic") || id.contains("past");
            let household = !(id.contains("relationship") || id.contains("teen"));
            if p.factor.is_domestic_abuse() && household {
                c.da.insert(b);
            }
            if id.contains("sexual_activity")
                || (id.contains("pregnan") && p.female)
                || id.contains("relationship_abuse")
            {
                c.partner.insert(b);
            }
            if matches!(
                p.factor,
                Factor::Cse
                    | Factor::CriminalExploitation
                    | Factor::Gangs
                    | Factor::GoingMissing
                    | Factor::Trafficking
            ) {
                c.outside.insert(b);
            }
            if p.factor == Factor::Neglect {
                c.neglect.insert(b);
            }
            if p.factor.is_child_disability() {
                c.disability.insert(b);
            }
            c.inds.push((p.ages, p.factor, historic, p.female));
        }
        c
    }

    /// The first value of a field with a role.
    fn get<'r>(&self, rec: &'r Record, want: impl Fn(&Role) -> bool) -> Option<&'r Value> {
        self.roles
            .iter()
            .position(want)
            .and_then(|s| rec.values.get(s))
            .filter(|v| **v != Value::Missing)
    }

    fn num(&self, rec: &Record, want: impl Fn(&Role) -> bool) -> Option<f64> {
        match self.get(rec, want) {
            Some(Value::Num(x)) => Some(*x),
            Some(Value::Bool(b)) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }

    /// The referral source a record names, if it has a source field.
    pub fn source(&self, rec: &Record) -> Option<Source> {
        let slot = self
            .roles
            .iter()
            .position(|r| matches!(r, Role::SourceText | Role::SourceChoice(_)))?;
        match (&self.roles[slot], rec.values.get(slot)?) {
            (_, Value::Text(t)) => Source::from_words(t),
            (Role::SourceChoice(map), Value::Choice(i)) => map.get(*i as usize).copied().flatten(),
            _ => None,
        }
    }

    /// The child's age in years, if the record has one.
    pub fn age(&self, rec: &Record) -> Option<f64> {
        self.num(rec, |r| *r == Role::Age)
    }

    /// Whether the record carries domestic abuse.
    pub fn domestic_abuse(&self, rec: &Record) -> bool {
        rec.indicators.intersects(&self.da)
    }

    /// What is incoherent about a record, in plain English (empty when nothing).
    pub fn faults(&self, rec: &Record) -> Vec<String> {
        let mut out = Vec::new();
        let age = self.age(rec);
        let unborn = age == Some(0.0);
        let label = |b: usize| {
            self.plan
                .decl
                .indicators
                .get(b)
                .map_or("an indicator", |i| i.description.as_str())
        };
        // Age.
        if let Some(a) = age {
            for b in rec.indicators.iter() {
                let ((lo, hi), _, _, _) = self.inds[b];
                if a < lo - 1e-9 || a > hi + 1e-9 || (unborn && lo > 0.0) {
                    out.push(format!("\"{}\" at age {a}", label(b)));
                }
            }
        }
        if let Some(Value::Bool(u)) = self.get(rec, |r| *r == Role::Unborn) {
            if age.is_some_and(|a| (a == 0.0) != *u) {
                out.push("unborn does not agree with the age".into());
            }
        }
        // Sex.
        for (slot, role) in self.roles.iter().enumerate() {
            let (Role::Sex(female, _, _), Some(Value::Choice(i))) = (role, rec.values.get(slot))
            else {
                continue;
            };
            if Some(*i) != *female {
                for b in rec.indicators.iter().filter(|b| self.inds[*b].3) {
                    out.push(format!("\"{}\" on a record that is not a girl's", label(b)));
                }
            }
        }
        if self.num(rec, |r| *r == Role::PartnerAge).is_some()
            && !rec.indicators.intersects(&self.partner)
        {
            out.push("a partner's age with no sexual activity, pregnancy or relationship".into());
        }
        // Source.
        if let (Some(s), Some(a)) = (self.source(rec), age) {
            if s == Source::School && a < 3.0 {
                out.push(format!("referred by a school at age {a}"));
            }
            if s == Source::EducationServices && unborn {
                out.push("an unborn baby referred by education services".into());
            }
        }
        // Domestic abuse screening.
        let da = rec.indicators.intersects(&self.da);
        let current = rec.indicators.iter_and(&self.da).any(|b| !self.inds[b].2);

        let dash = self.num(rec, |r| *r == Role::DashScore);
        let incidents = self.num(rec, |r| *r == Role::DaIncidents);
        let judgement = matches!(
            self.get(rec, |r| *r == Role::DashJudgement),
            Some(Value::Bool(true))
        );
        let repeat = matches!(
            self.get(rec, |r| *r == Role::MaracRepeat),
            Some(Value::Bool(true))
        );
        if !da
            && (dash.is_some_and(|d| d > 0.0)
                || incidents.is_some_and(|i| i > 0.0)
                || judgement
                || repeat)
        {
            out.push("domestic abuse screening recorded with no domestic abuse".into());
        }
        if da && !current && (incidents.is_some_and(|i| i > 0.0) || dash.is_some_and(|d| d >= 14.0))
        {
            out.push("incidents this year recorded for past domestic abuse only".into());
        }
        if dash.is_some_and(|d| d >= 14.0) && incidents == Some(0.0) {
            out.push("a high DASH score with no incident this year".into());
        }
        // Exploitation screening.
        for (slot, role) in self.roles.iter().enumerate() {
            let Role::Screening(order) = role else {
                continue;
            };
            let Some(Value::Choice(i)) = rec.values.get(slot) else {
                continue;
            };
            // The severity of the option written (the highest it stands for).
            let rank = order.iter().rposition(|x| x == i).unwrap_or(0);
            let mildest = order.first() == Some(i);
            let required = self.plan.decl.fields.get(slot).is_some_and(|f| !f.optional);
            if age.is_some_and(|a| a < 10.0) && !(required && mildest) {
                out.push("an exploitation screening outcome under 10".into());
            }
            if rank >= 2 && !rec.indicators.intersects(&self.outside) {
                out.push(
                    "a medium or high exploitation screening with no exploitation sign".into(),
                );
            }
        }
        // Graded Care Profile.
        let gcp = self
            .roles
            .iter()
            .enumerate()
            .any(|(s, r)| *r == Role::Gcp && matches!(rec.values.get(s), Some(Value::Num(_))));
        if gcp && !rec.indicators.intersects(&self.neglect) {
            out.push("a Graded Care Profile with no neglect".into());
        }
        // Disability.
        if !self.disability.is_empty() {
            if let Some(Value::Bool(d)) = self.get(rec, |r| *r == Role::Disabled) {
                if *d != rec.indicators.intersects(&self.disability) {
                    out.push(format!(
                        "disabled is {} but the disability indicators say otherwise",
                        if *d { "yes" } else { "no" }
                    ));
                }
            }
        }
        // Mobility.
        for (slot, role) in self.roles.iter().enumerate() {
            let (Role::Mobility(Some(pre), _, _), Some(Value::Choice(i))) =
                (role, rec.values.get(slot))
            else {
                continue;
            };
            if i == pre && age.is_some_and(|a| a >= 2.0) {
                out.push("pre-mobile at 2 or over".into());
            }
            if unborn {
                out.push("mobility recorded for an unborn baby".into());
            }
        }
        // Pregnancy.
        let born = age.filter(|a| *a > 0.0);
        if matches!(
            self.get(rec, |r| *r == Role::Pregnant),
            Some(Value::Bool(true))
        ) && born.is_some_and(|a| a < 13.0)
        {
            out.push("\"pregnant\" on the record of a child under 13".into());
        }
        if matches!(
            self.get(rec, |r| *r == Role::ChildPregnant),
            Some(Value::Bool(true))
        ) && age.is_some_and(|a| a < 12.0)
        {
            out.push("the child's own pregnancy under 12".into());
        }
        // History.
        if unborn
            && (self
                .num(rec, |r| *r == Role::Rereferrals)
                .is_some_and(|x| x > 0.0)
                || self
                    .num(rec, |r| *r == Role::PreviousPlan)
                    .is_some_and(|x| x > 0.0))
        {
            out.push("a previous referral or plan for an unborn baby".into());
        }
        out
    }
}
