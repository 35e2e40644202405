//! The grammar of rhai snippets that reuse is tested on, shared by
//! tests/script_reuse.rs (proptest) and fuzz/fuzz_targets/script_reuse.rs
//! (libFuzzer): rules whose levels follow a script function `f`, the terms
//! `f` sums (each reads the record some way, the tricks that fooled the old
//! text scan among them), helpers, and records with few distinct values so
//! that records often agree on what a function reads.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly; each user takes part"
)]

use std::sync::Arc;

use thresholds::check::ScriptLoader;
use thresholds::plan::{Plan, Record, Value};
use thresholds::ruleset::check_source;
use thresholds::span::Source;

/// A record as small choices, so that records often agree on some fields:
/// age, x, kind, note (0 = missing) and the indicators a, b, c as bits.
pub(super) type Rec = (u8, u8, u8, u8, u8);

pub(super) const RULES: &str = r#"
continuum "T"
levels { low "Low" mid "Mid" high "High" }
fields {
  age: number?
  x: number?
  kind: one_of("p", "q")?
  note: text?
}
domain d "D" {
  indicator a "A" at low
  indicator b "B" at low
  indicator c "C" at mid
}
script "s.rhai"
rule t1 "T1" when f() > 1 then at least mid
rule t2 "T2" when f() > 2 then at least mid
rule t3 "T3" when f() > 3 then at least mid
rule t4 "T4" when f() > 4 then at least mid
rule t6 "T6" when f() > 6 then at least high
rule t9 "T9" when f() > 9 then at least high
rule t12 "T12" when f() > 12 then raise 1
"#;

/// Terms of `f`'s sum: each a number read from the record some way.
pub(super) const TERMS: &[&str] = &[
    r#"(if has(r, "a") { 2 } else { 0 })"#,
    r#"(if has(r, "b") { 1 } else { 0 })"#,
    r#"(if type_of(r.age) == "()" { 0 } else { r.age })"#,
    "(r.x ?? 0)",
    "r.indicators.len()",
    "keys(r).len()",
    "values(r).len()",
    "`${r.note}`.len()",
    "`z\\`.len()",
    "g(r)",
    "h(r, 2)",
    r#"(if r["kind"] == "p" { 2 } else { 0 })"#,
    r#"{ let y = r; if type_of(y.x) == "()" { 0 } else { y.x } }"#,
    "{ let c = |q| q.indicators.len(); c.call(r) }",
    r#"Fn("g").call(r)"#,
    r#"{ let z = loop { break r; }; if type_of(z.age) == "()" { 0 } else { z.age } }"#,
    r#"switch r.kind { "p" => 2, "q" => 1, _ => 0 }"#,
    "{ let r = #{age: 1}; r.age }",
    r#"{ let s = `\`; if r.kind == "q" { s.len() } else { 0 } }"#,
];

/// Definitions of the helper `g` the terms may call.
pub(super) const G: &[&str] = &[
    r#"fn g(r) { if has(r, "c") { 3 } else { 1 } }"#,
    "fn g(r) { keys(r).len() }",
    r#"fn g(r) { if type_of(r.x) == "()" { 0 } else { r.x } }"#,
    "fn g(r) { let s = `q\\`; s.len() + r.indicators.len() }",
    r#"fn g(r) { if r.kind == "p" { h(r, 4) } else { 0 } }"#,
];

/// A script's own `has`: rhai calls it instead of the registered one.
pub(super) const OWN_HAS: &str = r#"fn has(m, id) { type_of(m.age) != "()" && m.age > 10 }"#;
/// A script function named like the built-in `values`, another arity.
pub(super) const OWN_VALUES: &str = "fn values(a, b) { 0 }";
/// A helper taking the record and a number.
pub(super) const H: &str = r#"fn h(r, k) { if has(r, "c") { k } else { 0 } }"#;

pub(super) struct Loader(pub String);

impl ScriptLoader for Loader {
    fn load(&self, _: &str) -> Result<Arc<Source>, String> {
        Ok(Source::new("s.rhai", self.0.clone()))
    }
}

pub(super) fn plan_of(script: &str) -> Plan {
    let src = Source::new("t.thr", RULES);
    let checked = check_source(&src, &Loader(script.to_string()));
    checked.plan.unwrap_or_else(|| {
        let errors: Vec<String> = checked
            .diagnostics
            .0
            .iter()
            .map(|d| d.message.clone())
            .collect();
        panic!("generated script checks: {errors:?}\n{script}")
    })
}

pub(super) fn record(plan: &Plan, r: Rec, n: usize) -> Record {
    let mut rec = Record::empty(plan);
    rec.id = format!("r{n}");
    let mut set = |field: &str, v: Value| {
        let slot = plan.field_slot(field).unwrap();
        rec.values[slot.index()] = v;
    };
    set(
        "age",
        [
            Value::Missing,
            Value::Num(2.0),
            Value::Num(5.0),
            Value::Num(12.0),
        ][r.0 as usize]
            .clone(),
    );
    set(
        "x",
        [Value::Missing, Value::Num(1.0), Value::Num(3.0)][r.1 as usize].clone(),
    );
    set(
        "kind",
        [Value::Missing, Value::Choice(0), Value::Choice(1)][r.2 as usize].clone(),
    );
    set(
        "note",
        [
            Value::Missing,
            Value::Text("ok".into()),
            Value::Text("longer".into()),
        ][r.3 as usize]
            .clone(),
    );
    for (bit, id) in ["a", "b", "c"].iter().enumerate() {
        if r.4 & (1 << bit) != 0 {
            let i = plan.indicator_bit(id).unwrap();
            rec.set_indicator(i);
        }
    }
    rec
}

/// The text of a script whose `f` sums `terms` (snippets of [`TERMS`] or
/// any text), with helper `g` number `g` and, if asked, a script's own
/// `has` and `values`.
pub(super) fn script_text(terms: &[&str], g: usize, own_has: bool, own_values: bool) -> String {
    let mut s = format!(
        "fn f(r) {{ {} }}\n{}\n{H}\n",
        terms.join(" + "),
        G[g % G.len()]
    );
    if own_has {
        s.push_str(OWN_HAS);
        s.push('\n');
    }
    if own_values {
        s.push_str(OWN_VALUES);
        s.push('\n');
    }
    s
}
