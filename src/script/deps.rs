//! What a script function reads from the record, found by walking the AST
//! that rhai itself compiled, so that a result can be reused for a later
//! record that agrees on exactly those inputs (scripts are pure: no state
//! survives a call, and nothing outside the record and the arguments reaches
//! one).
//!
//! Sound by construction: the record reaches a function only as its first
//! parameter, and every use of that parameter is a variable node in the
//! function's AST. Each such node is accepted only in a shape whose reads are
//! certain; any other shape makes the function's reads unknown, and then
//! none of its results is reused. The accepted shapes:
//!
//! - `r.name` (and `r.name...` chains, `r?.name`): reads field `name`;
//!   `r.indicators` reads every indicator;
//! - `has(r, "id")` with a literal id, when no script defines its own
//!   two-parameter `has` (rhai calls a script's function first): reads
//!   indicator `id`;
//! - `g(r, ...)` where the scripts define `g` with exactly that many
//!   parameters (name and arity, as rhai resolves calls): the record handed
//!   on, so `g`'s reads become this function's.
//!
//! Everything else is unknown: `r` indexed, assigned, passed to a built-in
//! (`keys(r)`, `values(r)`, `type_of(r)`), handed on in any place but the
//! first, used as a method's object (`r.g()`), captured by a closure or a
//! `curry`, passed to `call`/`Fn`; and any call with `!` (which lends the
//! caller's variables to the callee). rhai's own parser decides what is code
//! and what is a string or comment, so no text can fool the analysis.
//!
//! Knowing each function's own reads matters for speed: a MARAC check that
//! reads four DASH fields is reused across records that differ only in age.

use std::collections::{BTreeMap, BTreeSet};

use rhai::{ASTNode, Expr, FnCallExpr, Stmt, AST};

/// What a function reads from the record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// Field names read as `r.name`.
    pub fields: BTreeSet<String>,
    /// Indicator ids tested with `has(r, "id")`.
    pub indicators: BTreeSet<String>,
    /// `r.indicators` is read: every indicator matters.
    pub all_indicators: bool,
}

impl Reads {
    fn absorb(&mut self, other: &Reads) {
        self.fields.extend(other.fields.iter().cloned());
        self.indicators.extend(other.indicators.iter().cloned());
        self.all_indicators |= other.all_indicators;
    }
}

/// What the scripts read, per function and pooled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// The reads of every function the rules can call, together (what the
    /// record map must carry); `None` when any of them is unknown.
    pub pooled: Option<Reads>,
    /// Each function's reads, those of the functions it hands the record
    /// to included, in the order the functions were given; `None` when
    /// unknown.
    pub by_function: Vec<Option<Reads>>,
}

/// A script function as rhai resolves a call: name and number of parameters.
type Sig = (String, usize);

/// Calls rhai handles itself, whatever functions a script defines.
const KEYWORDS: &[&str] = &[
    "print",
    "debug",
    "type_of",
    "eval",
    "Fn",
    "call",
    "curry",
    "is_shared",
    "is_def_var",
    "is_def_fn",
    "this",
    "global",
];

/// A function's own reads and the functions it hands the record to.
#[derive(Default)]
struct Own {
    reads: Reads,
    callees: BTreeSet<Sig>,
}

/// Analyses the compiled scripts `ast` for each of `functions` (name and
/// number of parameters, the record included).
pub fn analyse(ast: &AST, functions: &[(&str, usize)]) -> Analysis {
    let defs: BTreeSet<Sig> = ast
        .iter_fn_def()
        .map(|d| (d.name.to_string(), d.params.len()))
        .collect();
    let mut own: BTreeMap<Sig, Option<Own>> = BTreeMap::new();
    for d in ast.iter_fn_def() {
        let arity = d.params.len();
        let found = match d.params.first() {
            // No parameter: the record never reaches it.
            None => Some(Own::default()),
            Some(record) => {
                // This function alone, no top-level statements (rhai's
                // `clone_functions_only_filtered` ignores its filter).
                let mut one = ast.clone_functions_only();
                one.retain_functions(|_, _, name, n| name == d.name.as_str() && n == arity);
                own_reads(&one, record.as_str(), &defs)
            }
        };
        own.insert((d.name.to_string(), arity), found);
    }
    let by_function: Vec<Option<Reads>> = functions
        .iter()
        .map(|(name, n)| closure(&((*name).to_string(), *n), &own))
        .collect();
    // Closures compile to functions named `anon$...`, which a rule cannot
    // name: they never receive the record from the rules.
    let pooled = functions
        .iter()
        .zip(&by_function)
        .filter(|((name, _), _)| !name.starts_with("anon$"))
        .try_fold(Reads::default(), |mut acc, (_, r)| {
            acc.absorb(r.as_ref()?);
            Some(acc)
        });
    Analysis {
        pooled,
        by_function,
    }
}

/// The walk over one function's body.
struct Walk<'s> {
    /// The record parameter's name.
    record: &'s str,
    /// Every function the scripts define.
    defs: &'s BTreeSet<Sig>,
    own: Own,
    /// A use of the record whose reads are not certain was seen.
    unknown: bool,
}

/// The reads of the one function in `one` whose first parameter is `record`.
fn own_reads(one: &AST, record: &str, defs: &BTreeSet<Sig>) -> Option<Own> {
    let mut w = Walk {
        record,
        defs,
        own: Own::default(),
        unknown: false,
    };
    one.walk(&mut |path: &[ASTNode]| {
        visit(path, &mut w);
        !w.unknown
    });
    (!w.unknown).then_some(w.own)
}

/// Looks at the last node of `path`.
fn visit(path: &[ASTNode<'_>], w: &mut Walk<'_>) {
    let Some(node) = path.last() else {
        return;
    };
    match *node {
        // rhai's walk does not enter the value of `break value`.
        ASTNode::Stmt(Stmt::BreakLoop(Some(e), ..)) => {
            let mut p = path.to_vec();
            e.walk(&mut p, &mut |q: &[ASTNode]| {
                visit(q, w);
                !w.unknown
            });
        }
        ASTNode::Stmt(Stmt::FnCall(x, _)) | ASTNode::Expr(Expr::FnCall(x, _))
            if x.capture_parent_scope =>
        {
            w.unknown = true;
        }
        ASTNode::Expr(e @ Expr::Variable(v, ..)) if v.1.as_str() == w.record => {
            use_of_record(path, e, w);
        }
        _ => {}
    }
}

/// One use of the record variable `var`, the last node of `path`.
fn use_of_record(path: &[ASTNode<'_>], var: &Expr, w: &mut Walk<'_>) {
    let parent = path.len().checked_sub(2).and_then(|i| path.get(i));
    match parent {
        Some(ASTNode::Expr(Expr::Dot(b, ..))) if std::ptr::eq(&b.lhs, var) => {
            let property = match &b.rhs {
                Expr::Property(p, _) => Some(&p.2),
                Expr::Dot(b2, ..) | Expr::Index(b2, ..) => match &b2.lhs {
                    Expr::Property(p, _) => Some(&p.2),
                    _ => None,
                },
                _ => None,
            };
            match property {
                Some(name) if name.as_str() == "indicators" => w.own.reads.all_indicators = true,
                Some(name) => {
                    w.own.reads.fields.insert(name.to_string());
                }
                // A method called on the record (`r.g()`).
                None => w.unknown = true,
            }
        }
        Some(ASTNode::Expr(Expr::FnCall(x, _))) | Some(ASTNode::Stmt(Stmt::FnCall(x, _))) => {
            call_with_record(x, var, w);
        }
        _ => w.unknown = true,
    }
}

/// The record variable `var` as an argument of the call `x`.
fn call_with_record(x: &FnCallExpr, var: &Expr, w: &mut Walk<'_>) {
    let first = x.args.first().is_some_and(|a| std::ptr::eq(a, var));
    if !first || KEYWORDS.contains(&x.name.as_str()) {
        w.unknown = true;
        return;
    }
    let sig = (x.name.to_string(), x.args.len());
    if w.defs.contains(&sig) {
        w.own.callees.insert(sig);
    } else if x.name.as_str() == "has" && x.args.len() == 2 {
        match x.args.get(1) {
            Some(Expr::StringConstant(id, _)) => {
                w.own.reads.indicators.insert(id.to_string());
            }
            _ => w.unknown = true,
        }
    } else {
        w.unknown = true;
    }
}

/// The reads of `f` and of every function it hands the record to; `None`
/// when any of them is unknown or not defined.
fn closure(f: &Sig, own: &BTreeMap<Sig, Option<Own>>) -> Option<Reads> {
    let mut reads = Reads::default();
    let mut seen = BTreeSet::new();
    let mut todo = vec![f.clone()];
    while let Some(g) = todo.pop() {
        if !seen.insert(g.clone()) {
            continue;
        }
        let o = own.get(&g)?.as_ref()?;
        reads.absorb(&o.reads);
        todo.extend(o.callees.iter().cloned());
    }
    Some(reads)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles `texts` as `Scripts::compile` does and analyses every
    /// function; the result by function name (each name used once here).
    fn analyse_all(texts: &[&str]) -> (BTreeMap<String, Option<Reads>>, Option<Reads>) {
        let engine = crate::script::engine();
        let mut merged = AST::empty();
        for t in texts {
            let ast = engine
                .compile(t)
                .unwrap_or_else(|e| panic!("test script compiles: {e}"));
            merged = merged.merge(&ast);
        }
        let fns: Vec<(String, usize)> = merged
            .iter_functions()
            .map(|f| (f.name.to_string(), f.params.len()))
            .collect();
        let sigs: Vec<(&str, usize)> = fns.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        let got = super::analyse(&merged, &sigs);
        let by = fns
            .iter()
            .map(|(n, _)| n.clone())
            .zip(got.by_function)
            .collect();
        (by, got.pooled)
    }

    fn f_of(text: &str) -> Option<Reads> {
        analyse_all(&[text])
            .0
            .get("f")
            .cloned()
            .unwrap_or_else(|| panic!("f defined in {text}"))
    }

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn finds_fields_and_indicators() {
        let text = r#"
            // r.ignored in a comment
            fn f(r) {
                let s = r.dash_score;
                if has(r, "dv") && type_of(r.age) != "()" { return g(r, 2); }
                "r.not_this" == "" || r?.kind == "x" || r.list[0] == 1
            }
            fn g(r, k) { r.indicators.len() > k }
        "#;
        let (_, pooled) = analyse_all(&[text]);
        let got = pooled.unwrap_or_else(|| panic!("readable"));
        assert_eq!(
            names(&got.fields),
            vec!["age", "dash_score", "kind", "list"]
        );
        assert!(got.indicators.contains("dv"));
        assert!(got.all_indicators);
    }

    #[test]
    fn each_function_reads_its_own_and_its_callees() {
        let a = r#"fn f(r) { r.age > 1 && g(r) }
                   fn g(x) { has(x, "dv") }"#;
        let b = r#"fn h(rec) { rec.score }
                   let r = 1; // top-level statements never run"#;
        let (by, pooled) = analyse_all(&[a, b]);
        let get = |n: &str| {
            by.get(n)
                .cloned()
                .flatten()
                .unwrap_or_else(|| panic!("{n} known"))
        };
        assert_eq!(names(&get("f").fields), vec!["age"]);
        assert_eq!(names(&get("f").indicators), vec!["dv"]);
        assert!(get("g").fields.is_empty());
        assert_eq!(names(&get("h").fields), vec!["score"]);
        assert!(get("h").indicators.is_empty());
        let pooled = pooled.unwrap_or_else(|| panic!("all known"));
        assert_eq!(names(&pooled.fields), vec!["age", "score"]);
    }

    #[test]
    fn recursion_terminates() {
        let got = f_of("fn f(r) { if r.n > 0 { g(r) } else { 0 } } fn g(r) { f(r) }");
        assert_eq!(
            names(&got.unwrap_or_else(|| panic!("known")).fields),
            vec!["n"]
        );
    }

    #[test]
    fn strings_and_comments_are_not_code() {
        // A back-tick string ending in `\` (rhai has no escapes there) and
        // a block comment hiding nothing: the reads are the real ones.
        let got = f_of("fn f(r) { let s = `a\\`; /* r.x */ s.len() + r.age }")
            .unwrap_or_else(|| panic!("known"));
        assert_eq!(names(&got.fields), vec!["age"]);
        let got = f_of("fn f(r) { let s = `x\\`; keys(r).len() }");
        assert_eq!(got, None);
    }

    #[test]
    fn opaque_uses_disable_reuse() {
        for text in [
            "fn f(r) { let x = r; x.age > 1 }",
            "fn f(r) { r[\"age\"] > 1 }",
            "fn f(r) { r = #{}; true }",
            "fn f(r) { has(r, id()) } fn id() { \"a\" }",
            "fn f(r) { r.keys().len() > 1 }",
            "fn f(r) { keys(r).len() > 1 }",
            "fn f(r) { values(r).len() > 1 }",
            "fn f(r) { g(1, r) } fn g(a, b) { b.age }",
            "fn f(r) { g(r, r) } fn g(a, b) { keys(b) }",
            "fn f(r) { r.g() } fn g() { this.age }",
            "fn f(r) { let c = || keys(r); c.call() }",
            "fn f(r) { let c = Fn(\"keys\"); c.call(r) }",
            "fn f(r) { call(Fn(\"keys\"), r) }",
            "fn f(r) { let c = Fn(\"g\").curry(r); c.call() } fn g(x) { keys(x) }",
            "fn f(r) { g(r) } fn g(r) { keys(r) }",
            "fn f(r) { type_of(r) == \"map\" }",
            "fn f(r) { r == #{} }",
            "fn f(r) { let x = loop { break r; }; keys(x).len() }",
            "fn f(r) { switch r { _ => 1 } }",
            "fn f(r) { for k in r { } 1 }",
            "fn f(r) { `${r}`.len() }",
            "fn f(r) { [r][0].age }",
            "fn f(r) { #{a: r}.a.age }",
            "fn f(r) { return r; }",
        ] {
            assert_eq!(f_of(text), None, "{text}");
        }
    }

    #[test]
    fn a_script_function_shadowing_a_built_in_is_followed_or_refused() {
        // rhai calls a script's `has(m, id)` rather than the registered one.
        let got = f_of(r#"fn f(r) { has(r, "a") } fn has(m, id) { keys(m).len() > 0 }"#);
        assert_eq!(got, None);
        let got = f_of(r#"fn f(r) { has(r, "a") } fn has(m, id) { m.age > 1 }"#)
            .unwrap_or_else(|| panic!("known"));
        assert_eq!(names(&got.fields), vec!["age"]);
        assert!(got.indicators.is_empty());
        // A script `values` of another arity does not make the built-in
        // `values(r)` a script call.
        assert_eq!(
            f_of("fn f(r) { values(r).len() } fn values(a, b) { 1 }"),
            None
        );
    }

    #[test]
    fn interpolation_reads_what_it_names() {
        let got =
            f_of("fn f(r) { `${r.note} and ${r.age}`.len() }").unwrap_or_else(|| panic!("known"));
        assert_eq!(names(&got.fields), vec!["age", "note"]);
    }

    #[test]
    fn an_opaque_function_leaves_the_others_known() {
        let (by, pooled) = analyse_all(&["fn f(r) { r.age } fn g(r) { keys(r) }"]);
        assert!(by.get("f").cloned().flatten().is_some());
        assert_eq!(by.get("g").cloned().flatten(), None);
        assert_eq!(pooled, None);
    }

    #[test]
    fn a_closure_does_not_hide_the_others() {
        // The closure's own function (`anon$...`) is never called by the
        // rules with a record.
        let (by, pooled) = analyse_all(&["fn f(r) { let c = |x| x + 1; c.call(r.age) }"]);
        assert_eq!(
            by.get("f").cloned().flatten().map(|r| r.fields),
            Some(BTreeSet::from(["age".to_string()]))
        );
        assert!(pooled.is_some());
    }
}
