//! What scripts read from the record, found by scanning their text, so that a
//! script's result can be reused for any later record that agrees on exactly
//! those inputs (scripts are pure: no state survives a call).
//!
//! The scan is conservative. A record parameter used as `r.name` reads field
//! `name` (`r.indicators` reads every indicator); `has(r, "id")` reads
//! indicator `id`; `r` passed as an argument of a call is fine, since every
//! script's reads are pooled. Any other use of the parameter (indexing,
//! assignment, a method call, `has` with a computed id) makes the reads
//! unknown, and then no result is reused.

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
            out.push(Tok::Str(s));
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

/// The reads of the scripts whose functions take `params` (the names of
/// each function's first parameter), or `None` when they cannot be known.
pub fn reads(
    texts: &[&str],
    params: &BTreeSet<String>,
    functions: &BTreeSet<String>,
) -> Option<Reads> {
    let mut r = Reads::default();
    for text in texts {
        let t = tokens(text);
        for (k, tok) in t.iter().enumerate() {
            let Tok::Ident(name) = tok else { continue };
            if !params.contains(name) {
                continue;
            }
            let at = |d: isize| -> Option<&Tok> { k.checked_add_signed(d).and_then(|j| t.get(j)) };
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
            // fn f(r ...): the declaration itself
            if is_punct(at(-1), '(') && is_ident(at(-3), "fn") {
                continue;
            }
            // g(r) or g(r, ...): the record passed on to a script function
            // (whose reads are pooled); built-in functions such as `keys(r)`
            // could read anything.
            let to_script_fn = is_punct(at(-1), '(')
                && matches!(at(-2), Some(Tok::Ident(g)) if functions.contains(g));
            if to_script_fn && (is_punct(at(1), ',') || is_punct(at(1), ')')) {
                continue;
            }
            return None;
        }
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> BTreeSet<String> {
        ["r".to_string()].into_iter().collect()
    }

    fn reads(texts: &[&str], params: &BTreeSet<String>) -> Option<Reads> {
        let fns = ["f", "g"].iter().map(|s| s.to_string()).collect();
        super::reads(texts, params, &fns)
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
        let got = reads(&[text], &params()).expect("readable");
        assert_eq!(
            got.fields.iter().cloned().collect::<Vec<_>>(),
            vec!["age".to_string(), "dash_score".to_string()]
        );
        assert!(got.indicators.contains("dv"));
        assert!(got.all_indicators);
    }

    #[test]
    fn opaque_uses_disable_reuse() {
        for text in [
            "fn f(r) { let x = r; x.age > 1 }",
            "fn f(r) { r[\"age\"] > 1 }",
            "fn f(r) { r.age = 3; true }",
            "fn f(r) { has(r, id()) }",
            "fn f(r) { let r = 2; r > 1 }",
            "fn f(r) { r.keys().len() > 1 }",
            "fn f(r) { keys(r).len() > 1 }",
            "fn f(r) { g(1, r) }",
        ] {
            assert_eq!(reads(&[text], &params()), None, "{text}");
        }
    }
}
