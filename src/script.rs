//! The only module that touches rhai: a sandboxed engine, scripts compiled
//! once when the rules load, and calls made per record.
//!
//! Sandbox: a raw engine with the core, logic, arithmetic, maths, string,
//! array and map packages only; no modules (`import` is compiled out), no
//! `eval`, no file, network or process access (rhai has none without extra
//! packages), strict variables, and limits on operations, call depth,
//! expression depth and the size of strings, arrays and maps. A script that
//! errs or exceeds a limit returns an error for that record.

pub mod deps;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rhai::packages::{Package, StandardPackage};
use rhai::{CallFnOptions, Dynamic, Engine, ImmutableString, Map, OptimizationLevel, Scope, AST};

use crate::error::Diagnostic;
use crate::plan::{FieldKind, Plan, Record, Value};
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

/// Strings handed to scripts for every record, made once per plan so a
/// record map costs reference counts rather than allocations.
#[derive(Debug, Default)]
struct Interned {
    indicators: Vec<ImmutableString>,
    choices: Vec<Vec<ImmutableString>>,
    /// Slots of the fields scripts read (when known).
    read_fields: Vec<u16>,
    /// Indicators scripts read; `None` = all of them.
    read_indicators: Option<crate::bits::Bits>,
}

/// Distinguishes the script sets of several plans in one process.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Compiled scripts and the engine that runs them.
pub struct Scripts {
    engine: Engine,
    ast: AST,
    interned: std::sync::OnceLock<Interned>,
    id: u64,
    /// What the scripts read from a record, when the scan could tell.
    pub reads: Option<deps::Reads>,
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
        write!(f, ": {}", self.message)
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
        let params = merged
            .iter_functions()
            .filter_map(|f| f.params.first().map(|p| p.to_string()))
            .collect();
        let names = functions.iter().map(|f| f.name.clone()).collect();
        let texts: Vec<&str> = sources.iter().map(|s| &*s.text).collect();
        let reads = deps::reads(&texts, &params, &names);
        if errors.is_empty() {
            Ok(Scripts {
                engine,
                ast: merged,
                interned: std::sync::OnceLock::new(),
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                reads,
                functions,
                sources,
            })
        } else {
            Err(errors)
        }
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
        record: &Dynamic,
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
        all.push(record.clone());
        all.extend(args);
        let mut scope = Scope::new();
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(false);
        self.engine
            .call_fn_with_options::<Dynamic>(options, &mut scope, &self.ast, &func.name, all)
            .map_err(|e| {
                let pos = e.position();
                let script = self.sources.get(func.script).map_or("script", |s| &s.name);
                ScriptError {
                    function: func.name.clone(),
                    message: e.to_string(),
                    location: pos.line().map(|l| match pos.position() {
                        Some(c) => format!("{script}:{l}:{c}"),
                        None => format!("{script}:{l}"),
                    }),
                }
            })
    }
}

/// The record as a rhai object map: each declared field (`()` when missing)
/// and `indicators`, an array of the ids present. Not a shared value: rhai
/// copies a shared map on every property read, a plain one once per call.
pub fn record_map(plan: &Plan, rec: &Record) -> Dynamic {
    let empty = Interned::default();
    let interned = match &plan.scripts {
        Some(s) => s.interned(plan),
        None => &empty,
    };
    build_map(plan, rec, interned)
}

impl Scripts {
    fn interned(&self, plan: &Plan) -> &Interned {
        self.interned.get_or_init(|| Interned {
            read_fields: self.reads.as_ref().map_or_else(Vec::new, |r| {
                r.fields.iter().filter_map(|f| plan.field_slot(f)).collect()
            }),
            read_indicators: self.reads.as_ref().and_then(|r| {
                if r.all_indicators {
                    return None;
                }
                let mut b = crate::bits::Bits::with_capacity(plan.indicators.len());
                for id in &r.indicators {
                    if let Some(i) = plan.indicator_bit(id) {
                        b.insert(i as usize);
                    }
                }
                Some(b)
            }),
            indicators: plan
                .indicators
                .iter()
                .map(|i| i.id.as_str().into())
                .collect(),
            choices: plan
                .fields
                .iter()
                .map(|f| match &f.kind {
                    FieldKind::OneOf(o) => o.iter().map(|s| s.as_str().into()).collect(),
                    _ => Vec::new(),
                })
                .collect(),
        })
    }

    /// Fills `key` for reusing this call's result on another record: the
    /// scripts, the function, its arguments (encoded by the caller) and the
    /// record's values for exactly what the scripts read. False when the
    /// reads are unknown (no reuse).
    pub fn memo_key(
        &self,
        plan: &Plan,
        rec: &Record,
        f: u32,
        args: &[u8],
        key: &mut Vec<u8>,
    ) -> bool {
        if self.reads.is_none() {
            return false;
        }
        let i = self.interned(plan);
        key.clear();
        key.extend_from_slice(&self.id.to_le_bytes());
        key.extend_from_slice(&f.to_le_bytes());
        key.extend_from_slice(args);
        for slot in &i.read_fields {
            encode_value(
                rec.values.get(*slot as usize).unwrap_or(&Value::Missing),
                key,
            );
        }
        key.push(0xff);
        match &i.read_indicators {
            Some(mask) => {
                for b in rec.indicators.iter_and(mask) {
                    key.extend_from_slice(&(b as u32).to_le_bytes());
                }
            }
            None => {
                for b in rec.indicators.iter() {
                    key.extend_from_slice(&(b as u32).to_le_bytes());
                }
            }
        }
        true
    }
}

/// Appends an unambiguous encoding of a value to a memo key.
pub fn encode_value(v: &Value, key: &mut Vec<u8>) {
    match v {
        Value::Missing => key.push(0),
        Value::Num(n) => {
            key.push(1);
            key.extend_from_slice(&n.to_bits().to_le_bytes());
        }
        Value::Bool(b) => key.extend_from_slice(&[2, u8::from(*b)]),
        Value::Text(t) => {
            key.push(3);
            key.extend_from_slice(&(t.len() as u64).to_le_bytes());
            key.extend_from_slice(t.as_bytes());
        }
        Value::Choice(c) => {
            key.push(4);
            key.extend_from_slice(&c.to_le_bytes());
        }
    }
}

fn build_map(plan: &Plan, rec: &Record, interned: &Interned) -> Dynamic {
    let mut m = Map::new();
    for (slot, (f, v)) in plan.fields.iter().zip(&rec.values).enumerate() {
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
    let inds: rhai::Array = rec
        .indicators
        .iter()
        .filter_map(|i| interned.indicators.get(i))
        .map(|s| Dynamic::from(s.clone()))
        .collect();
    m.insert("indicators".into(), Dynamic::from_array(inds));
    Dynamic::from_map(m)
}
