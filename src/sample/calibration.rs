//! `thresholds sample RULES --calibration`: generates referrals as `sample`
//! would (without scoring them) and sets each national target beside the
//! generated share and the difference, in percentage points: referral
//! sources, the factors identified at the end of assessment (share of
//! referrals with any factor, as DfE table C3 counts episodes with any
//! factor), the age mix, re-referrals where the rules have such a field, and
//! the share of domestic abuse meeting the MARAC criteria. Also counts the
//! records that fail a coherence check ([`super::coherence`]).

use std::fmt::Write;

use super::coherence::Checker;
use super::model::band_of;
use super::targets::{Factor, Source, AGE_BANDS, MARAC_SHARE_OF_DA, REREFERRAL_2025};
use super::{Generator, Role, SampleOptions};
use crate::plan::{Plan, Value};

/// The tolerance the generator is held to, in percentage points.
pub const TOLERANCE: f64 = 2.0;

/// One line of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The section: "Referral source", "Factor at assessment", "Age", ...
    pub group: &'static str,
    /// What is measured, in plain English.
    pub label: String,
    /// The national figure, per cent.
    pub target: f64,
    /// The generated share, per cent (`None` when the rules cannot show it).
    pub generated: Option<f64>,
}

impl Row {
    /// Generated minus target, in points.
    pub fn difference(&self) -> Option<f64> {
        self.generated.map(|g| g - self.target)
    }
}

/// The result of a calibration run.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// Records generated.
    pub n: u64,
    /// The seed.
    pub seed: u64,
    /// The rows, in table order.
    pub rows: Vec<Row>,
    /// Records failing at least one coherence check.
    pub incoherent: u64,
    /// The first incoherence found, for the message.
    pub first_fault: Option<String>,
}

impl Calibration {
    /// The rows the rules can show.
    pub fn measured(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.generated.is_some())
    }

    /// The largest absolute difference, in points.
    pub fn worst(&self) -> f64 {
        self.measured()
            .filter_map(Row::difference)
            .map(f64::abs)
            .fold(0.0, f64::max)
    }
}

/// Sections, with where each target comes from.
const SOURCES_TITLE: &str =
    "Referral source (DfE children in need census 2020, table C5; 2024-25 source table not available)";
const FACTORS_TITLE: &str =
    "Factors identified at the end of assessment (DfE children in need 2024-25, table C3; share of referrals with any factor)";
const AGE_TITLE: &str =
    "Age (children in need, DOMAIN.md section 3; to verify against the DfE table by age)";
const HISTORY_TITLE: &str =
    "Re-referrals within 12 months (DfE children in need 2024-25, table C1)";
const MARAC_TITLE: &str =
    "Domestic abuse meeting the MARAC criteria (issue 15: 7-10% of domestic abuse referrals)";

/// Generates `opts.n` referrals and measures them against the targets.
pub fn measure(plan: &Plan, opts: &SampleOptions) -> Calibration {
    let mut gen = Generator::new(plan, opts);
    let checker = Checker::new(plan);
    let masks: Vec<(Factor, crate::bits::Bits)> = Factor::all()
        .map(|f| (f, gen.model().factor_masks[f.index()].clone()))
        .collect();
    let has_source = gen
        .roles()
        .iter()
        .any(|r| matches!(r, Role::SourceText | Role::SourceChoice(_)));
    let reref_slot = gen.roles().iter().position(|r| *r == Role::Rereferrals);
    let mut sources = [0u64; super::model::NS];
    let mut sourced = 0u64;
    let mut factors = vec![0u64; masks.len()];
    let mut with_factor = 0u64;
    let mut ages = [0u64; AGE_BANDS.len()];
    let (mut rereferred, mut da, mut marac) = (0u64, 0u64, 0u64);
    let mut incoherent = 0u64;
    let mut first_fault = None;
    while let Some((rec, facts)) = gen.next_record() {
        if let Some(s) = checker.source(rec) {
            sources[s.index()] += 1;
            sourced += 1;
        }
        if !rec.indicators.is_empty() {
            with_factor += 1;
            for (i, (_, m)) in masks.iter().enumerate() {
                if rec.indicators.intersects(m) {
                    factors[i] += 1;
                }
            }
        }
        let tenth = checker
            .age(rec)
            .map_or(facts.tenth, |a| (a * 10.0).round().clamp(0.0, 179.0) as u16);
        ages[band_of(tenth)] += 1;
        if let Some(s) = reref_slot {
            if matches!(rec.values.get(s), Some(Value::Num(x)) if *x > 0.0)
                || matches!(rec.values.get(s), Some(Value::Bool(true)))
            {
                rereferred += 1;
            }
        }
        if facts.da {
            da += 1;
            if facts.marac.is_some() {
                marac += 1;
            }
        }
        let faults = checker.faults(rec);
        if !faults.is_empty() {
            incoherent += 1;
            if first_fault.is_none() {
                first_fault = Some(format!("{}: {}", rec.id, faults.join("; ")));
            }
        }
    }
    let n = opts.n.max(1) as f64;
    let pct = |x: u64, of: u64| 100.0 * x as f64 / of.max(1) as f64;
    let mut rows = Vec::new();
    for s in Source::all() {
        rows.push(Row {
            group: SOURCES_TITLE,
            label: s.label().to_string(),
            target: super::targets::SOURCES[s.index()].3,
            generated: has_source.then(|| pct(sources[s.index()], sourced)),
        });
    }
    for (i, (f, m)) in masks.iter().enumerate() {
        rows.push(Row {
            group: FACTORS_TITLE,
            label: f.label().to_string(),
            target: f.share(),
            generated: (!m.is_empty()).then(|| pct(factors[i], with_factor)),
        });
    }
    for (i, b) in AGE_BANDS.iter().enumerate() {
        rows.push(Row {
            group: AGE_TITLE,
            label: b.0.to_string(),
            target: b.3,
            generated: Some(100.0 * ages[i] as f64 / n),
        });
    }
    rows.push(Row {
        group: HISTORY_TITLE,
        label: "Re-referred within 12 months".into(),
        target: REREFERRAL_2025,
        generated: reref_slot.map(|_| 100.0 * rereferred as f64 / n),
    });
    rows.push(Row {
        group: MARAC_TITLE,
        label: "MARAC criteria met".into(),
        target: MARAC_SHARE_OF_DA,
        generated: (da > 0).then(|| pct(marac, da)),
    });
    Calibration {
        n: opts.n,
        seed: opts.seed,
        rows,
        incoherent,
        first_fault,
    }
}

/// The calibration as a plain table.
pub fn table(c: &Calibration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Calibration of {} synthetic referrals (seed {}) against national figures",
        thousands(c.n),
        c.seed
    );
    let mut group = "";
    let mut missing: Vec<&Row> = Vec::new();
    for r in &c.rows {
        if r.generated.is_none() {
            missing.push(r);
            continue;
        }
        if r.group != group {
            group = r.group;
            let _ = writeln!(out, "\n{group}");
            let _ = writeln!(
                out,
                "  {:<64} {:>7} {:>9} {:>10}",
                "", "Target", "Generated", "Difference"
            );
        }
        let g = r.generated.unwrap_or(0.0);
        let _ = writeln!(
            out,
            "  {:<64} {:>6.1}% {:>8.1}% {:>+10.1}",
            r.label,
            r.target,
            g,
            g - r.target
        );
    }
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "\nNot shown by these rules (no indicator or field for it):"
        );
        for r in missing {
            let _ = writeln!(out, "  {:<64} {:>6.1}%", r.label, r.target);
        }
    }
    let worst = c.worst();
    let _ = writeln!(
        out,
        "\nLargest difference: {worst:.1} points ({})",
        if worst <= TOLERANCE {
            "every target within 2 points".to_string()
        } else {
            let over = c
                .measured()
                .filter(|r| r.difference().is_some_and(|d| d.abs() > TOLERANCE))
                .count();
            format!("{over} more than 2 points off")
        }
    );
    let _ = writeln!(
        out,
        "Records failing a coherence check: {}",
        thousands(c.incoherent)
    );
    if let Some(f) = &c.first_fault {
        let _ = writeln!(out, "  first: {f}");
    }
    out
}

/// A count with thousands separated by commas (100,000).
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(path: &str) -> Plan {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        crate::ruleset::load_file(&p).unwrap().plan.unwrap()
    }

    fn opts(n: u64, seed: u64) -> SampleOptions {
        SampleOptions {
            n,
            seed,
            agreement: 0.7,
        }
    }

    #[test]
    fn shipped_rules_are_within_two_points_on_100000_referrals() {
        let plan = plan("rules/continuum.thr");
        let c = measure(&plan, &opts(100_000, 2026));
        for r in c.measured() {
            let d = r.difference().unwrap();
            assert!(
                d.abs() <= TOLERANCE,
                "{}: {} off by {d:.2}\n{}",
                r.group,
                r.label,
                table(&c)
            );
        }
        // Every source and age band, and most of the DfE factors, are measured.
        assert!(c.measured().filter(|r| r.group == SOURCES_TITLE).count() == 11);
        assert!(c.measured().filter(|r| r.group == AGE_TITLE).count() == 6);
        assert!(c.measured().filter(|r| r.group == FACTORS_TITLE).count() >= 20);
        assert!(c.measured().any(|r| r.group == MARAC_TITLE));
        assert_eq!(c.incoherent, 0, "{:?}", c.first_fault);
        assert!(table(&c).contains("every target within 2 points"));
    }

    #[test]
    fn another_rule_file_gets_national_sources_and_ages_and_coherent_records() {
        // The data fixtures' small rule file: unknown ids, a DASH field
        // without a range, a screening field named cse_risk.
        let plan = plan("tests/fixtures/data/rules.thr");
        let c = measure(&plan, &opts(20_000, 5));
        assert_eq!(c.incoherent, 0, "{:?}", c.first_fault);
        for r in c
            .measured()
            .filter(|r| r.group == SOURCES_TITLE || r.group == AGE_TITLE)
        {
            let d = r.difference().unwrap();
            assert!(d.abs() <= TOLERANCE, "{}: {d:.2}", r.label);
        }
        // Not every factor has an indicator there: those are listed apart.
        assert!(c.rows.iter().any(|r| r.generated.is_none()));
        assert!(table(&c).contains("Not shown by these rules"));
    }

    #[test]
    fn the_same_seed_gives_the_same_referrals() {
        let plan = plan("rules/continuum.thr");
        let cells = |seed| {
            let mut g = Generator::new(&plan, &opts(300, seed));
            let mut all = Vec::new();
            while let Some(r) = g.next_referral() {
                all.push(r.cells.to_vec());
            }
            all
        };
        let a = cells(9);
        assert_eq!(a.len(), 300);
        assert_eq!(a, cells(9));
        assert_ne!(a, cells(10));
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
