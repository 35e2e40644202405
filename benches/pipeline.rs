//! Criterion benchmarks for the rule-file pipeline and `diff`: parsing,
//! checking and plan building of the default rules, and a whole rule-change
//! comparison over an in-memory sample (scoring under both versions plus
//! aggregation), then the same through the CSV pipeline. Evaluation alone and
//! data loading are in `benches/scoring.rs`.

#![allow(
    missing_docs,
    reason = "a bench is not a library; criterion's macros write undocumented functions"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test or benchmark that cannot run should fail loudly"
)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use thresholds::check::FsLoader;
use thresholds::data::{LoadOptions, Row};
use thresholds::diff::{self, ImpactBuilder, Side};
use thresholds::eval::{self, Score};
use thresholds::plan::{FieldType, LevelRank, Plan, Record, Value};
use thresholds::span::Source;

const RULES: &str = "rules/continuum.thr";
const SAMPLE: usize = 10_000;

fn source(text: &str) -> Arc<Source> {
    Source::new(RULES, text)
}

fn loader() -> FsLoader {
    FsLoader {
        base: thresholds_benches::repo("rules"),
    }
}

fn plan_of(text: &str) -> Plan {
    match thresholds::ruleset::check_source(&source(text), &loader()).plan {
        Some(p) => p,
        None => panic!("the rules in {RULES} must check"),
    }
}

/// The default rules with two thresholds moved: the "new version".
fn modified(text: &str) -> String {
    text.replace(
        "count(indicators at early_help) >= 3",
        "count(indicators at early_help) >= 2",
    )
    .replace("exploitation_score() >= 10", "exploitation_score() >= 9")
}

/// A small deterministic generator (no extra dependency for a benchmark).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// Random but valid records for `p`, with a decision level.
fn sample(p: &Plan, n: usize) -> Vec<(Record, LevelRank)> {
    let mut g = Lcg(2026);
    (0..n)
        .map(|i| {
            let mut r = Record::empty(p);
            r.id = format!("R{i:07}");
            for (slot, f) in p.decl.fields.iter().enumerate() {
                r.values[slot] = if f.optional && g.chance(400) {
                    Value::Missing
                } else {
                    match &f.kind {
                        FieldType::Number(Some((lo, hi))) => {
                            Value::Num((lo + (hi - lo) * g.below(1000) as f64 / 1000.0).round())
                        }
                        FieldType::Number(None) => Value::Num(g.below(20) as f64),
                        FieldType::Bool => Value::Bool(g.chance(200)),
                        FieldType::Text => Value::Text("police".into()),
                        FieldType::OneOf(xs) => Value::Choice(g.below(xs.len() as u64) as u16),
                    }
                };
            }
            for b in 0..p.decl.indicators.len() {
                if g.chance(40) {
                    r.indicators.insert(b);
                }
            }
            let d = LevelRank::new(g.below(u64::from(p.top().get()) + 1) as u8);
            (r, d)
        })
        .collect()
}

fn csv_cell(p: &Plan, slot: usize, v: &Value) -> String {
    match v {
        Value::Missing => String::new(),
        Value::Num(x) => thresholds::text::format_number(*x),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => t.clone(),
        Value::Choice(c) => match p.decl.fields.get(slot).map(|f| &f.kind) {
            Some(FieldType::OneOf(xs)) => xs.get(*c as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        },
    }
}

/// The sample as CSV text (decisions as level ids, which always map).
fn csv(p: &Plan, recs: &[(Record, LevelRank)]) -> String {
    let mut out = String::from("id");
    for f in &p.decl.fields {
        out.push(',');
        out.push_str(&f.id);
    }
    out.push_str(",indicators,decision\n");
    for (r, d) in recs {
        out.push_str(&r.id);
        for (slot, v) in r.values.iter().enumerate() {
            out.push(',');
            out.push_str(&csv_cell(p, slot, v));
        }
        let inds: Vec<&str> = r
            .indicators
            .iter()
            .filter_map(|b| p.decl.indicators.get(b).map(|i| i.id.as_str()))
            .collect();
        out.push(',');
        out.push_str(&inds.join(";"));
        out.push(',');
        out.push_str(p.level_id(*d));
        out.push('\n');
    }
    out
}

fn bench_rules(c: &mut Criterion) {
    let text = std::fs::read_to_string(thresholds_benches::repo(RULES)).unwrap_or_default();
    let src = source(&text);
    let mut g = c.benchmark_group("rules");
    g.bench_function("parse", |b| {
        b.iter(|| thresholds::parse::parse(black_box(&src)))
    });
    let file = match thresholds::parse::parse(&src) {
        Ok(f) => f,
        Err(d) => panic!("{RULES} must parse: {}", d.message),
    };
    g.bench_function("check_and_plan", |b| {
        b.iter(|| thresholds::ruleset::check_parsed(black_box(&file), &src, &loader()))
    });
    g.bench_function("parse_check_plan", |b| {
        b.iter(|| thresholds::ruleset::check_source(black_box(&src), &loader()))
    });
    let (old, new) = (plan_of(&text), plan_of(&modified(&text)));
    g.bench_function("structural_diff", |b| {
        b.iter(|| {
            let (so, sn) = (Side::of(&old), Side::of(&new));
            match (so, sn) {
                (Ok(a), Ok(b)) => diff::compare(&a, &b).changes.len(),
                _ => 0,
            }
        })
    });
    g.finish();
}

fn bench_diff(c: &mut Criterion) {
    let text = std::fs::read_to_string(thresholds_benches::repo(RULES)).unwrap_or_default();
    let (old, new) = (plan_of(&text), plan_of(&modified(&text)));
    let recs = sample(&old, SAMPLE);
    let rows: Vec<Row> = recs
        .iter()
        .map(|(r, d)| Row {
            line: 0,
            record: r.clone(),
            decision: Some(*d),
            decision_text: None,
            keep: vec![],
            extra: vec![],
        })
        .collect();
    let mut g = c.benchmark_group("diff");
    g.throughput(Throughput::Elements(SAMPLE as u64));
    g.sample_size(20);
    g.bench_function("score_one_version_in_memory", |b| {
        let mut s = Score::default();
        b.iter(|| {
            for row in &rows {
                let _ = eval::score_into(&old, &row.record, &mut s);
            }
        })
    });
    g.bench_function("score_both_and_aggregate_in_memory", |b| {
        let (mut so, mut sn) = (Score::default(), Score::default());
        b.iter(|| {
            let mut ib = ImpactBuilder::new(&old, &new);
            for row in &rows {
                // Same fields and indicators in both versions: one row serves both.
                if eval::score_into(&old, &row.record, &mut so).is_ok()
                    && eval::score_into(&new, &row.record, &mut sn).is_ok()
                {
                    ib.add(row, &so, row, &sn);
                }
            }
            black_box(ib.finish().changed)
        })
    });
    let dir = std::env::temp_dir().join(format!("thresholds-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("sample.csv");
    if std::fs::write(&path, csv(&old, &recs)).is_ok() {
        let opts = LoadOptions::default();
        let probe =
            thresholds::diff::run_two(&old, &new, &path, &opts, None, &mut |_, _, _, _, _| Ok(()));
        match probe {
            Ok(_) => {
                g.bench_function("whole_diff_from_csv", |b| {
                    b.iter(|| {
                        let mut ib = ImpactBuilder::new(&old, &new);
                        let r = thresholds::diff::run_two(
                            &old,
                            &new,
                            &path,
                            &opts,
                            None,
                            &mut |ro, so, rn, sn, _| {
                                ib.add(ro, so, rn, sn);
                                Ok(())
                            },
                        );
                        black_box((r.is_ok(), ib.finish().changed))
                    })
                });
            }
            Err(e) => eprintln!("skipping whole_diff_from_csv: {e}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    g.finish();
}

criterion_group!(benches, bench_rules, bench_diff);
criterion_main!(benches);
