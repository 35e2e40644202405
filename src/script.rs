//! The only module that touches rhai: a sandboxed engine, scripts compiled
//! once when the rules load, and calls made per record.
//!
//! Sandbox: a raw engine with the core, logic, arithmetic, maths, string,
//! array and map packages only; no modules (`import` is compiled out), no
//! `eval`, no file, network or process access (rhai has none without extra
//! packages), strict variables, and limits on operations, call depth,
//! expression depth and the size of strings, arrays and maps, and bounds on
//! the whole call: wall-clock time and the memory it holds (see [`budget`]).
//! A script that errs or exceeds a limit returns an error for that record.

pub mod budget;
pub mod cache;
pub mod deps;

use std::sync::Arc;

use rhai::packages::{Package, StandardPackage};
use rhai::{CallFnOptions, Dynamic, Engine, ImmutableString, Map, OptimizationLevel, Scope, AST};

use crate::bits::Bits;
use crate::check::{FieldInfo, FieldSlot, FieldType, IndicatorId, IndicatorInfo};
use crate::error::Diagnostic;
use crate::record::{Record, Value};
use crate::span::{Source, Span};

/// Operations one script call may run before it is stopped.
pub const MAX_OPERATIONS: u64 = 200_000;
/// Nested function calls.
pub const MAX_CALL_LEVELS: usize = 32;
/// Expression nesting (global, in functions).
pub const MAX_EXPR_DEPTH: (usize, usize) = (64, 32);
/// Longest string a script may build, in bytes.
pub const MAX_STRING_SIZE: usize = 4 * 1024 * 1024;
/// Largest array a script may build.
pub const MAX_ARRAY_SIZE: usize = 10_000;
/// Largest map a script may build.
pub const MAX_MAP_SIZE: usize = 1_000;

/// What scripts need to know of a rule set: its fields and indicators,
/// and their slots and bits by id. The plan provides it; the script layer
/// sits below the plan and never sees the rest of it.
pub trait RecordShape {
    /// The declared fields, by slot.
    fn fields(&self) -> &[FieldInfo];
    /// The declared indicators, by bit.
    fn indicators(&self) -> &[IndicatorInfo];
    /// A field's slot by id.
    fn field_slot(&self, id: &str) -> Option<FieldSlot>;
    /// An indicator's bit by id.
    fn indicator_bit(&self, id: &str) -> Option<IndicatorId>;
}

/// A function a script defines.
#[derive(Clone, Debug)]
pub struct ScriptFn {
    /// Its name.
    pub name: String,
    /// Parameters, the record included.
    pub params: usize,
    /// Which script defines it.
    pub script: usize,
}

/// What a plan hands to its scripts, worked out once per plan: interned
/// strings (so a record map costs reference counts, not allocations), the
/// part of the record the map carries, and how to key each function's results.
#[derive(Debug)]
struct Interned {
    indicators: Vec<ImmutableString>,
    choices: Vec<Vec<ImmutableString>>,
    /// What the record map carries: what any script reads.
    map: View,
    /// Per function, what its memo key encodes and the key's id; `None`
    /// when its reads are unknown (no reuse).
    keys: Vec<Option<(View, u32)>>,
}

/// A part of the record, resolved to slots and bits of one plan.
#[derive(Debug)]
struct View {
    /// Field slots, in name order (every field when the reads are unknown).
    fields: Vec<FieldSlot>,
    /// The indicators tested with `has(r, "id")`, as a mask over the
    /// record's bits; `None` when every indicator matters (`r.indicators`
    /// is read, or the reads are unknown).
    indicators: Option<Bits>,
}

impl View {
    fn new(plan: &dyn RecordShape, reads: Option<&deps::Reads>) -> View {
        View {
            fields: match reads {
                Some(r) => r.fields.iter().filter_map(|f| plan.field_slot(f)).collect(),
                None => FieldSlot::all().take(plan.fields().len()).collect(),
            },
            indicators: reads.filter(|r| !r.all_indicators).map(|r| {
                let mut mask = Bits::with_capacity(plan.indicators().len());
                for b in r.indicators.iter().filter_map(|id| plan.indicator_bit(id)) {
                    mask.insert(b.index());
                }
                mask
            }),
        }
    }
}

/// Compiled scripts and the engine that runs them.
pub struct Scripts {
    engine: Engine,
    ast: AST,
    interned: std::sync::OnceLock<Interned>,
    /// What the scripts read from a record, per function and pooled.
    pub reads: deps::Analysis,
    /// Functions the scripts define.
    pub functions: Vec<ScriptFn>,
    /// The script sources.
    pub sources: Vec<Arc<Source>>,
}

impl std::fmt::Debug for Scripts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scripts")
            .field("functions", &self.functions)
            .finish_non_exhaustive()
    }
}

/// A script failure on one record.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptError {
    /// The function called.
    pub function: String,
    /// rhai's message.
    pub message: String,
    /// `script.rhai:line:column` when known.
    pub location: Option<String>,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "script function `{}` failed", self.function)?;
        if let Some(l) = &self.location {
            write!(f, " at {l}")?;
        }
        // rhai's message may carry a script's `throw` text: escaped, so
        // no terminal escape sequence reaches the screen.
        write!(f, ": {}", crate::text::shorten_all(&self.message))
    }
}

/// The sandboxed engine.
pub fn engine() -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(MAX_EXPR_DEPTH.0, MAX_EXPR_DEPTH.1)
        .set_max_string_size(MAX_STRING_SIZE)
        .set_max_array_size(MAX_ARRAY_SIZE)
        .set_max_map_size(MAX_MAP_SIZE)
        .set_max_variables(1_000)
        .set_max_functions(1_000)
        .set_strict_variables(true)
        .set_optimization_level(OptimizationLevel::Simple);
    // Whole-call bounds, checked before every operation; inert outside
    // `Scripts::call`, which arms them.
    engine.on_progress(|_| budget::exceeded().map(|_| Dynamic::UNIT));
    engine.disable_symbol("eval");
    engine.register_fn("has", has);
    engine
}

/// `has(r, "id")`: whether the record has indicator `id`.
fn has(r: &mut Map, id: ImmutableString) -> bool {
    r.get("indicators")
        .and_then(|v| v.read_lock::<rhai::Array>())
        .is_some_and(|a| {
            a.iter().any(|x| {
                x.read_lock::<ImmutableString>()
                    .is_some_and(|s| s.as_str() == id.as_str())
            })
        })
}

/// Byte offset of a rhai position (1-based line, column in characters).
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return off
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
        }
        off += l.len();
    }
    text.len()
}

impl Scripts {
    /// Compiles the scripts. Errors point into the script that has them.
    pub fn compile(sources: Vec<Arc<Source>>) -> Result<Scripts, Vec<Diagnostic>> {
        let engine = engine();
        let mut merged = AST::empty();
        let mut functions: Vec<ScriptFn> = Vec::new();
        let mut errors = Vec::new();
        for (si, src) in sources.iter().enumerate() {
            match engine.compile(&*src.text) {
                Ok(ast) => {
                    for f in ast.iter_functions() {
                        if let Some(prev) = functions
                            .iter()
                            .find(|p| p.name == f.name && p.params == f.params.len())
                        {
                            let where_ = sources
                                .get(prev.script)
                                .map_or(String::new(), |s| s.name.clone());
                            errors.push(Diagnostic::error(
                                "duplicate-function",
                                src,
                                Span::default(),
                                format!(
                                    "script function `{}` is also defined in `{where_}`",
                                    f.name
                                ),
                            ));
                            continue;
                        }
                        functions.push(ScriptFn {
                            name: f.name.to_string(),
                            params: f.params.len(),
                            script: si,
                        });
                    }
                    merged = merged.merge(&ast);
                }
                Err(e) => {
                    let pos = e.position();
                    let start = match (pos.line(), pos.position()) {
                        (Some(l), Some(c)) => offset_of(&src.text, l, c),
                        (Some(l), None) => offset_of(&src.text, l, 1),
                        _ => 0,
                    };
                    let end = (start + 1).min(src.text.len()).max(start);
                    errors.push(
                        Diagnostic::error(
                            "script-syntax",
                            src,
                            Span::new(start, end),
                            format!("script error: {}", e.err_type()),
                        )
                        .with_label("here"),
                    );
                }
            }
        }
        // Top-level statements never run: only functions are called.
        merged.clear_statements();
        let sigs: Vec<(&str, usize)> = functions
            .iter()
            .map(|f| (f.name.as_str(), f.params))
            .collect();
        let reads = deps::analyse(&merged, &sigs);
        if errors.is_empty() {
            Ok(Scripts {
                engine,
                ast: merged,
                interned: std::sync::OnceLock::new(),
                reads,
                functions,
                sources,
            })
        } else {
            Err(errors)
        }
    }

    /// True when `other` was compiled from the same script texts in the
    /// same order (so its functions are these, numbered alike).
    pub fn same_text(&self, other: &Scripts) -> bool {
        self.sources.len() == other.sources.len()
            && self
                .sources
                .iter()
                .zip(&other.sources)
                .all(|(a, b)| a.text == b.text)
    }

    /// The index of a function by name and arity (record included).
    pub fn find(&self, name: &str, params: usize) -> Option<u32> {
        self.functions
            .iter()
            .position(|f| f.name == name && f.params == params)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// Calls function `f` with the record map and arguments.
    pub fn call(
        &self,
        f: u32,
        record: Dynamic,
        args: Vec<Dynamic>,
    ) -> Result<Dynamic, ScriptError> {
        let Some(func) = self.functions.get(f as usize) else {
            return Err(ScriptError {
                function: format!("#{f}"),
                message: "no such function".into(),
                location: None,
            });
        };
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(record);
        all.extend(args);
        let mut scope = Scope::new();
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(false);
        let armed = budget::arm();
        let result = self
            .engine
            .call_fn_with_options::<Dynamic>(options, &mut scope, &self.ast, &func.name, all);
        let stopped = armed.stopped();
        drop(armed);
        result.map_err(|e| {
            let pos = e.position();
            let script = self.sources.get(func.script).map_or("script", |s| &s.name);
            ScriptError {
                function: func.name.clone(),
                // A bound's own words, not rhai's "Script terminated".
                message: stopped.map_or_else(|| e.to_string(), budget::Bound::message),
                location: pos.line().map(|l| match pos.position() {
                    Some(c) => format!("{script}:{l}:{c}"),
                    None => format!("{script}:{l}"),
                }),
            }
        })
    }
}

/// The record as a rhai object map: each declared field (`()` when missing)
/// and `indicators`, an array of the ids present (narrowed to what the
/// scripts read when that is known, see `build_map`). Not a shared value:
/// rhai copies a shared map on every property read, a plain one once per call.
pub fn record_map(scripts: Option<&Scripts>, plan: &dyn RecordShape, rec: &Record) -> Dynamic {
    match scripts {
        Some(s) => build_map(plan, rec, s.interned(plan)),
        None => build_map(plan, rec, &Interned::new(plan, None)),
    }
}

impl Interned {
    /// Everything but the memo keys, for scripts that read `reads` (`None`:
    /// unknown, so the map carries every field and indicator).
    fn new(plan: &dyn RecordShape, reads: Option<&deps::Reads>) -> Interned {
        Interned {
            map: View::new(plan, reads),
            keys: Vec::new(),
            indicators: plan
                .indicators()
                .iter()
                .map(|i| i.id.as_str().into())
                .collect(),
            choices: plan
                .fields()
                .iter()
                .map(|f| match &f.kind {
                    FieldType::OneOf(o) => o.iter().map(|s| s.as_str().into()).collect(),
                    _ => Vec::new(),
                })
                .collect(),
        }
    }
}

impl Scripts {
    fn interned(&self, plan: &dyn RecordShape) -> &Interned {
        self.interned.get_or_init(|| Interned {
            keys: cache::function_keys(self, plan),
            ..Interned::new(plan, self.reads.pooled.as_ref())
        })
    }
}

/// The record map scripts see. When the analysis knows what they read, the
/// map carries only those fields and, unless `r.indicators` is read, only
/// the indicators `has` tests: scripts cannot tell, and a small map is
/// cheaper to build, check and drop on every call.
fn build_map(plan: &dyn RecordShape, rec: &Record, interned: &Interned) -> Dynamic {
    let mut m = Map::new();
    for &slot in &interned.map.fields {
        let slot = slot.index();
        let (Some(f), Some(v)) = (plan.fields().get(slot), rec.values.get(slot)) else {
            continue;
        };
        let d = match v {
            Value::Missing => Dynamic::UNIT,
            Value::Num(n) => Dynamic::from_float(*n),
            Value::Bool(b) => Dynamic::from_bool(*b),
            Value::Text(t) => Dynamic::from(t.clone()),
            Value::Choice(i) => interned
                .choices
                .get(slot)
                .and_then(|c| c.get(*i as usize))
                .map_or(Dynamic::UNIT, |s| Dynamic::from(s.clone())),
        };
        m.insert(f.id.as_str().into(), d);
    }
    let string = |i: usize| interned.indicators.get(i).map(|s| Dynamic::from(s.clone()));
    let inds: rhai::Array = match &interned.map.indicators {
        Some(mask) => rec.indicators.iter_and(mask).filter_map(string).collect(),
        None => rec.indicators.iter().filter_map(string).collect(),
    };
    m.insert("indicators".into(), Dynamic::from_array(inds));
    Dynamic::from_map(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;
    use crate::plan::Plan;
    use crate::ruleset::check_source;
    use proptest::prelude::*;

    const RULES: &str = r#"
continuum "T"
levels { low "Low" high "High" }
fields {
  age: number?
  x: number?
  kind: one_of("p", "q")?
  note: text?
}
domain d "D" {
  indicator a "A" at low
  indicator b "B" at low
  indicator c "C" at high
}
script "s.rhai"
rule r1 "R" when f() > 1 then at least high
"#;

    /// Reads of every kind the analysis knows: own fields and indicators, a
    /// helper handed the record, all indicators, and string interpolation.
    const KNOWN: &str = r#"
fn f(r) { let s = 0.0; if type_of(r.age) != "()" { s += r.age; } if has(r, "a") { s += 100.0; } s }
fn g(r) { helper(r) + 1 }
fn helper(r) { if r.kind == "p" { 1 } else if has(r, "c") { 3 } else { 2 } }
fn k(r) { r.indicators.len() }
fn m(r, n) { `${r.note}`.len() + n }
"#;

    /// As KNOWN, plus a function that sees the whole map.
    const OPAQUE: &str = r#"
fn f(r) { if type_of(r.age) == "()" { 0.0 } else { r.age } }
fn h(r) { keys(r).len() }
"#;

    fn plan(script: &'static str) -> Plan {
        let src = Source::new("t.thr", RULES);
        check_source(&src, &check::OneScript(script))
            .plan
            .unwrap_or_else(|| panic!("test rules check"))
    }

    fn record(plan: &Plan, age: u8, x: u8, kind: u8, note: u8, inds: u8) -> Record {
        let mut rec = Record::empty(plan);
        let mut set = |field: &str, v: Value| {
            if let Some(s) = plan.field_slot(field) {
                rec.values[s.index()] = v;
            }
        };
        let num = |n: u8| {
            if n == 0 {
                Value::Missing
            } else {
                Value::Num(f64::from(n))
            }
        };
        set("age", num(age));
        set("x", num(x));
        set(
            "kind",
            if kind == 0 {
                Value::Missing
            } else {
                Value::Choice(u16::from(kind - 1))
            },
        );
        set(
            "note",
            if note == 0 {
                Value::Missing
            } else {
                Value::Text("n".repeat(note as usize))
            },
        );
        for (bit, id) in ["a", "b", "c"].iter().enumerate() {
            if inds & (1 << bit) != 0 {
                if let Some(i) = plan.indicator_bit(id) {
                    rec.set_indicator(i);
                }
            }
        }
        rec
    }

    fn call(plan: &Plan, f: u32, map: &Dynamic) -> String {
        let Some(s) = &plan.scripts else {
            return "no scripts".into();
        };
        let args = vec![Dynamic::from_int(1); s.functions[f as usize].params - 1];
        format!("{:?}", s.call(f, map.clone(), args))
    }

    fn key(plan: &Plan, f: u32, rec: &Record) -> Option<Vec<u8>> {
        let s = plan.scripts.as_ref()?;
        let mut k = Vec::new();
        s.memo_key(plan, rec, f, &mut k).then_some(k)
    }

    #[test]
    fn only_what_the_analysis_cannot_follow_loses_reuse() {
        let p = plan(KNOWN);
        let s = p.scripts.as_ref().unwrap_or_else(|| panic!("scripts"));
        let rec = record(&p, 1, 1, 1, 1, 1);
        for f in &s.functions {
            let i = s.find(&f.name, f.params).unwrap_or_else(|| panic!("found"));
            assert!(key(&p, i, &rec).is_some(), "{}", f.name);
        }
        let q = plan(OPAQUE);
        let s = q.scripts.as_ref().unwrap_or_else(|| panic!("scripts"));
        assert!(s.reads.pooled.is_none());
        let f = s.find("f", 1).unwrap_or_else(|| panic!("f"));
        let h = s.find("h", 1).unwrap_or_else(|| panic!("h"));
        assert!(key(&q, f, &rec).is_some(), "f's own reads are known");
        assert!(key(&q, h, &rec).is_none());
        // The whole map reaches the opaque function: 4 fields + indicators.
        assert_eq!(
            call(&q, h, &record_map(q.scripts.as_ref(), &q, &rec)),
            "Ok(5)"
        );
    }

    #[test]
    fn plans_with_the_same_scripts_share_keys() {
        // Functions by name: rhai does not promise their order.
        let f = |p: &Plan| {
            p.scripts
                .as_ref()
                .and_then(|s| s.find("f", 1))
                .unwrap_or_else(|| panic!("f"))
        };
        let (p, q) = (plan(KNOWN), plan(KNOWN));
        let rec = record(&p, 3, 0, 2, 0, 5);
        let kp = key(&p, f(&p), &rec);
        assert!(kp.is_some());
        assert_eq!(kp, key(&q, f(&q), &rec));
        let other = plan(OPAQUE);
        let ko = key(&other, f(&other), &rec);
        assert!(ko.is_some());
        assert_ne!(kp, ko);
    }

    #[test]
    fn plans_that_number_indicators_differently_do_not_share_keys() {
        // Keys hold the record's bits: with `a` and `b` swapped, a record
        // with `a` under one plan has the bits of a record with `b` under
        // the other, and a function that tells them apart must not get
        // one's result for the other.
        const BOTH: &str =
            r#"fn f(r) { if has(r, "a") { 1 } else if has(r, "b") { 2 } else { 0 } }"#;
        let swapped = RULES.replace(
            "indicator a \"A\" at low\n  indicator b \"B\" at low",
            "indicator b \"B\" at low\n  indicator a \"A\" at low",
        );
        assert_ne!(swapped, RULES);
        let p = plan(BOTH);
        let src = Source::new("t.thr", swapped.as_str());
        let q = check_source(&src, &check::OneScript(BOTH))
            .plan
            .unwrap_or_else(|| panic!("swapped rules check"));
        let f = |p: &Plan| {
            p.scripts
                .as_ref()
                .and_then(|s| s.find("f", 1))
                .unwrap_or_else(|| panic!("f"))
        };
        let with_a = record(&p, 0, 0, 0, 0, 0b001);
        let with_b = record(&q, 0, 0, 0, 0, 0b010);
        assert_eq!(with_a.indicators, with_b.indicators, "same bits");
        let (ka, kb) = (key(&p, f(&p), &with_a), key(&q, f(&q), &with_b));
        assert!(ka.is_some() && kb.is_some());
        assert_ne!(ka, kb);
        // The same record under the same numbering does share.
        assert_eq!(ka, key(&p, f(&p), &record(&p, 0, 0, 0, 0, 0b001)));
    }

    proptest! {
        /// The narrowed map gives every function the result the full map
        /// gives, and records with equal keys get equal results: reuse is
        /// never visible.
        #[test]
        fn reuse_is_invisible(
            a in (0u8..3, 0u8..3, 0u8..3, 0u8..3, 0u8..8),
            b in (0u8..3, 0u8..3, 0u8..3, 0u8..3, 0u8..8),
        ) {
            for p in [plan(KNOWN), plan(OPAQUE)] {
                let Some(s) = &p.scripts else { continue };
                let ra = record(&p, a.0, a.1, a.2, a.3, a.4);
                let rb = record(&p, b.0, b.1, b.2, b.3, b.4);
                let full = Interned::new(&p, None);
                for f in 0..s.functions.len() as u32 {
                    let narrow = call(&p, f, &record_map(p.scripts.as_ref(), &p, &ra));
                    prop_assert_eq!(&narrow, &call(&p, f, &build_map(&p, &ra, &full)));
                    if let (Some(ka), Some(kb)) = (key(&p, f, &ra), key(&p, f, &rb)) {
                        if ka == kb {
                            prop_assert_eq!(narrow, call(&p, f, &record_map(p.scripts.as_ref(), &p, &rb)));
                        }
                    }
                }
            }
        }
    }
}
