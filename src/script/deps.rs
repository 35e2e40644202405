//! What scripts read from the record, found by scanning their text, so that a
//! script's result can be reused for any later record that agrees on exactly
//! those inputs (scripts are pure: no state survives a call).
//!
//! The scan is conservative and works per function. In a function's body its
//! record parameter used as `r.name` reads field `name` (`r.indicators` reads
//! every indicator); `has(r, "id")` reads indicator `id`; `g(r, ...)` hands
//! the record to script function `g`, whose reads become this function's.
//! Any other use of the parameter (indexing, assignment, a method call, a
//! built-in such as `keys(r)`, `has` with a computed id, string
//! interpolation) makes the function's reads unknown, and then none of its
//! results is reused. Knowing each function's own reads matters: a MARAC
//! check that reads four DASH fields should be reused across records that
//! differ only in age.

use std::collections::BTreeSet;

/// The pooled reads of all scripts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// Field names read as `r.name`.
    pub fields: BTreeSet<String>,
    /// Indicator ids tested with `has(r, "id")`.
    pub indicators: BTreeSet<String>,
    /// `r.indicators` is read: every indicator matters.
    pub all_indicators: bool,
}

#[derive(Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
    /// A back-tick string with `${...}` in it: code the scan does not read.
    Interpolated,
}

fn tokens(text: &str) -> Vec<Tok> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < c.len() && !(c[i] == '*' && c[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if ch == '"' || ch == '`' || ch == '\'' {
            let mut s = String::new();
            i += 1;
            while i < c.len() && c[i] != ch {
                if c[i] == '\\' {
                    i += 1;
                }
                if let Some(x) = c.get(i) {
                    s.push(*x);
                }
                i += 1;
            }
            i += 1;
            out.push(if ch == '`' && s.contains("${") {
                Tok::Interpolated
            } else {
                Tok::Str(s)
            });
        } else if ch.is_alphanumeric() || ch == '_' {
            let mut s = String::new();
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                s.push(c[i]);
                i += 1;
            }
            out.push(Tok::Ident(s));
        } else {
            if !ch.is_whitespace() {
                out.push(Tok::Punct(ch));
            }
            i += 1;
        }
    }
    out
}

fn is_punct(t: Option<&Tok>, c: char) -> bool {
    matches!(t, Some(Tok::Punct(p)) if *p == c)
}

fn is_ident(t: Option<&Tok>, s: &str) -> bool {
    matches!(t, Some(Tok::Ident(i)) if i == s)
}

/// A function definition found in the token stream.
struct FnDef {
    name: String,
    /// The first parameter: the record when the rules call the function.
    record: Option<String>,
    /// Token range of the body, braces excluded.
    body: std::ops::Range<usize>,
}

/// The top-level `fn name(params) { body }` definitions of one script.
/// `None` when the text does not split cleanly (the compiler accepted it,
/// so this means a form the scan does not know: no reuse).
fn definitions(t: &[Tok]) -> Option<Vec<FnDef>> {
    let mut defs = Vec::new();
    let mut k = 0;
    let mut depth = 0usize;
    while k < t.len() {
        match &t[k] {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => depth = depth.checked_sub(1)?,
            Tok::Ident(kw) if kw == "fn" && depth == 0 => {
                let Some(Tok::Ident(name)) = t.get(k + 1) else {
                    return None;
                };
                if !is_punct(t.get(k + 2), '(') {
                    return None;
                }
                let mut j = k + 3;
                let mut params = Vec::new();
                while let Some(tok) = t.get(j) {
                    match tok {
                        Tok::Punct(')') => break,
                        Tok::Punct(',') => {}
                        Tok::Ident(p) => params.push(p.clone()),
                        _ => return None,
                    }
                    j += 1;
                }
                if !is_punct(t.get(j + 1), '{') {
                    return None;
                }
                let open = j + 1;
                let mut d = 0usize;
                let mut close = None;
                for (i, tok) in t.iter().enumerate().skip(open) {
                    match tok {
                        Tok::Punct('{') => d += 1,
                        Tok::Punct('}') => {
                            d -= 1;
                            if d == 0 {
                                close = Some(i);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let close = close?;
                defs.push(FnDef {
                    name: name.clone(),
                    record: params.first().cloned(),
                    body: open + 1..close,
                });
                k = close + 1;
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    Some(defs)
}

/// What one function body reads through its record parameter `record`
/// itself, and which script functions it hands the record to. `None` when
/// the record is used in a way the scan cannot follow.
fn own_reads(
    t: &[Tok],
    body: std::ops::Range<usize>,
    record: &str,
    functions: &BTreeSet<String>,
) -> Option<(Reads, BTreeSet<String>)> {
    let mut r = Reads::default();
    let mut callees = BTreeSet::new();
    if t.get(body.clone())
        .is_some_and(|b| b.contains(&Tok::Interpolated))
    {
        return None;
    }
    for k in body.clone() {
        let Some(Tok::Ident(name)) = t.get(k) else {
            continue;
        };
        if name != record {
            continue;
        }
        // Tokens around this use; nothing outside the body counts.
        let at = |d: isize| -> Option<&Tok> {
            k.checked_add_signed(d)
                .filter(|j| body.contains(j))
                .and_then(|j| t.get(j))
        };
        // r.field — not assigned (r.f = ...) and not a method call r.f(...)
        if is_punct(at(1), '.') {
            let Some(Tok::Ident(f)) = at(2) else {
                return None;
            };
            let assigned = is_punct(at(3), '=') && !is_punct(at(4), '=');
            if is_punct(at(3), '(') || assigned {
                return None;
            }
            if f == "indicators" {
                r.all_indicators = true;
            } else {
                r.fields.insert(f.clone());
            }
            continue;
        }
        // has(r, "id")
        if is_punct(at(-1), '(') && is_ident(at(-2), "has") {
            match (at(1), at(2), at(3)) {
                (Some(Tok::Punct(',')), Some(Tok::Str(id)), Some(Tok::Punct(')'))) => {
                    r.indicators.insert(id.clone());
                    continue;
                }
                _ => return None,
            }
        }
        // g(r) or g(r, ...): the record handed on as the first argument of a
        // script function, whose reads become this one's; built-in
        // functions such as `keys(r)` could read anything.
        if is_punct(at(-1), '(') && (is_punct(at(1), ',') || is_punct(at(1), ')')) {
            if let Some(Tok::Ident(g)) = at(-2) {
                if functions.contains(g) && !is_punct(at(-3), '.') {
                    callees.insert(g.clone());
                    continue;
                }
            }
        }
        return None;
    }
    Some((r, callees))
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
    /// Every function's reads together (what the record map must carry);
    /// `None` when any function's reads are unknown.
    pub pooled: Option<Reads>,
    /// Each function's reads, the functions it hands the record to
    /// included; `None` when unknown. Functions of one name share an entry.
    pub by_function: std::collections::BTreeMap<String, Option<Reads>>,
}

/// Analyses the scripts `texts`, which define the script functions named
/// in `functions`.
pub fn analyse(texts: &[&str], functions: &BTreeSet<String>) -> Analysis {
    use std::collections::BTreeMap;
    // Own reads and callees, pooled over definitions of the same name.
    let mut own: BTreeMap<String, Option<(Reads, BTreeSet<String>)>> = BTreeMap::new();
    let mut unsplittable = false;
    for text in texts {
        let t = tokens(text);
        let Some(defs) = definitions(&t) else {
            unsplittable = true;
            continue;
        };
        for d in defs {
            let found = match &d.record {
                Some(rec) => own_reads(&t, d.body.clone(), rec, functions),
                None => Some((Reads::default(), BTreeSet::new())),
            };
            let entry = own
                .entry(d.name.clone())
                .or_insert_with(|| Some((Reads::default(), BTreeSet::new())));
            *entry = match (entry.take(), found) {
                (Some((mut r, mut c)), Some((r2, c2))) => {
                    r.absorb(&r2);
                    c.extend(c2);
                    Some((r, c))
                }
                _ => None,
            };
        }
    }
    // A function the compiler found but the split did not is unknown.
    let mut by_function = BTreeMap::new();
    for name in functions {
        let reads = if unsplittable {
            None
        } else {
            closure(name, &own)
        };
        by_function.insert(name.clone(), reads);
    }
    let pooled = by_function
        .values()
        .try_fold(Reads::default(), |mut acc, r| {
            acc.absorb(r.as_ref()?);
            Some(acc)
        });
    Analysis {
        pooled,
        by_function,
    }
}

/// The reads of `name` and of every function it hands the record to.
fn closure(
    name: &str,
    own: &std::collections::BTreeMap<String, Option<(Reads, BTreeSet<String>)>>,
) -> Option<Reads> {
    let mut reads = Reads::default();
    let mut seen = BTreeSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(f) = todo.pop() {
        if !seen.insert(f.clone()) {
            continue;
        }
        let (r, callees) = own.get(&f)?.as_ref()?;
        reads.absorb(r);
        todo.extend(callees.iter().cloned());
    }
    Some(reads)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Analyses with the function names the compiler would report.
    fn analyse(texts: &[&str]) -> Analysis {
        let engine = crate::script::engine();
        let mut fns = BTreeSet::new();
        for t in texts {
            let ast = engine.compile(t).expect("test scripts compile");
            fns.extend(ast.iter_functions().map(|f| f.name.to_string()));
        }
        super::analyse(texts, &fns)
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
                "r.not_this" == ""
            }
            fn g(r, k) { r.indicators.len() > k }
        "#;
        let got = analyse(&[text]).pooled.expect("readable");
        assert_eq!(names(&got.fields), vec!["age", "dash_score"]);
        assert!(got.indicators.contains("dv"));
        assert!(got.all_indicators);
    }

    #[test]
    fn each_function_reads_its_own_and_its_callees() {
        let a = r#"fn f(r) { r.age > 1 && g(r) }
                   fn g(x) { has(x, "dv") }"#;
        let b = r#"fn h(rec) { rec.score }
                   let r = 1; // top-level statements never run"#;
        let got = analyse(&[a, b]);
        let f = got.by_function["f"].clone().expect("f known");
        assert_eq!(names(&f.fields), vec!["age"]);
        assert_eq!(names(&f.indicators), vec!["dv"]);
        let g = got.by_function["g"].clone().expect("g known");
        assert!(g.fields.is_empty());
        assert_eq!(names(&g.indicators), vec!["dv"]);
        let h = got.by_function["h"].clone().expect("h known");
        assert_eq!(names(&h.fields), vec!["score"]);
        assert!(h.indicators.is_empty());
        let pooled = got.pooled.expect("all known");
        assert_eq!(names(&pooled.fields), vec!["age", "score"]);
    }

    #[test]
    fn recursion_terminates() {
        let got = analyse(&["fn f(r) { if r.n > 0 { g(r) } else { 0 } } fn g(r) { f(r) }"]);
        assert_eq!(
            names(&got.by_function["g"].clone().expect("known").fields),
            vec!["n"]
        );
    }

    #[test]
    fn opaque_uses_disable_reuse() {
        for text in [
            "fn f(r) { let x = r; x.age > 1 }",
            "fn f(r) { r[\"age\"] > 1 }",
            "fn f(r) { r.age = 3; true }",
            "fn f(r) { has(r, id()) }",
            "fn f(r) { r.keys().len() > 1 }",
            "fn f(r) { keys(r).len() > 1 }",
            "fn f(r) { g(1, r) }",
            "fn f(r) { r.g() }",
            "fn f(r) { `${r.age}` == \"1\" }",
            "fn f(r) { g(r) } fn g(r) { keys(r) }",
        ] {
            let got = analyse(&[text]);
            assert_eq!(got.by_function["f"], None, "{text}");
            assert_eq!(got.pooled, None, "{text}");
        }
    }

    #[test]
    fn an_opaque_function_leaves_the_others_known() {
        let got = analyse(&["fn f(r) { r.age } fn g(r) { keys(r) }"]);
        assert!(got.by_function["f"].is_some());
        assert_eq!(got.by_function["g"], None);
        assert_eq!(got.pooled, None);
    }
}
