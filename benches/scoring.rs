//! Criterion benchmarks: evaluating the default rules on pre-built records
//! (with and without their scripts) and loading a CSV through the pipeline.

#![allow(
    missing_docs,
    reason = "a bench is not a library; criterion's macros write undocumented functions"
)]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use thresholds::data::{LoadOptions, Row};
use thresholds::eval::{score_into, Score};
use thresholds::pipeline;
use thresholds::plan::{Plan, Record};

fn load(path: &str) -> Plan {
    let p = thresholds_benches::repo(path);
    thresholds::ruleset::load_file(&p).unwrap().plan.unwrap()
}

/// Records of the shipped sample, read once.
fn records(plan: &Plan) -> Vec<Record> {
    let p = thresholds_benches::repo("samples/referrals.csv");
    let mut out = Vec::new();
    pipeline::run(
        plan,
        &p,
        &LoadOptions::default(),
        None,
        &mut |row: &Row, _: &Score| {
            out.push(row.record.clone());
            Ok(())
        },
    )
    .unwrap();
    out
}

fn eval(c: &mut Criterion) {
    let plan = load("rules/continuum.thr");
    let recs = records(&plan);
    // The same rules with their script calls replaced by constants.
    let text = std::fs::read_to_string(thresholds_benches::repo("rules/continuum.thr"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("script "))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("marac_criteria_met()", "false")
        .replace("exploitation_score()", "0");
    let src = thresholds::span::Source::new("no-scripts.thr", text);
    let bare = thresholds::ruleset::check_source(&src, &thresholds::check::NoScripts)
        .plan
        .unwrap();
    let mut g = c.benchmark_group("eval");
    g.throughput(Throughput::Elements(recs.len() as u64));
    g.bench_function("default rules with scripts, sample records", |b| {
        let mut s = Score::default();
        b.iter(|| {
            for r in &recs {
                let _ = score_into(&plan, black_box(r), &mut s);
            }
        })
    });
    g.bench_function("default rules without scripts, sample records", |b| {
        let mut s = Score::default();
        b.iter(|| {
            for r in &recs {
                let _ = score_into(&bare, black_box(r), &mut s);
            }
        })
    });
    let peer = load("benches/peer.thr");
    let mut rec = Record::empty(&peer);
    rec.id = "1".into();
    rec.values = vec![
        thresholds::plan::Value::Num(3.0),
        thresholds::plan::Value::Num(12.0),
        thresholds::plan::Value::Num(25.0),
        thresholds::plan::Value::Choice(1),
    ];
    rec.indicators.insert(1);
    g.throughput(Throughput::Elements(1));
    g.bench_function("peer table, one record", |b| {
        let mut s = Score::default();
        b.iter(|| score_into(&peer, black_box(&rec), &mut s))
    });
    g.finish();
}

fn loading(c: &mut Criterion) {
    let plan = load("rules/continuum.thr");
    let p = thresholds_benches::repo("samples/referrals.csv");
    let mut g = c.benchmark_group("load");
    g.throughput(Throughput::Elements(500));
    g.bench_function(
        "samples/referrals.csv: read, parse, score (500 rows)",
        |b| {
            b.iter(|| {
                let mut n = 0u64;
                pipeline::run(&plan, &p, &LoadOptions::default(), None, &mut |_, s| {
                    n += u64::from(s.level.get());
                    Ok(())
                })
                .unwrap();
                black_box(n)
            })
        },
    );
    g.finish();
}

criterion_group!(benches, eval, loading);
criterion_main!(benches);
