//! Text → [`crate::ast::RuleFile`]: the pest grammar in `grammar/thresholds.pest` and
//! one function per grammar rule turning pairs into AST nodes. Parsing stops at
//! the first syntax error; everything else is reported by `check`.

mod expr;
mod message;

pub use expr::MAX_EXPR_DEPTH;

use std::sync::Arc;

use pest::iterators::Pair;
use pest::Parser;

use crate::ast::*;
use crate::error::Diagnostic;
use crate::span::{Source, Span};

pub use grammar::{Rule, ThrParser};

/// The parser pest generates from the grammar. Its `Rule` enum has one
/// variant per grammar rule, documented in the grammar file itself.
#[allow(missing_docs)]
mod grammar {
    use pest_derive::Parser;

    /// The pest parser for `.thr` files.
    #[derive(Parser)]
    #[grammar = "../grammar/thresholds.pest"]
    pub struct ThrParser;
}

/// Parses a whole rule file.
pub fn parse(source: &Arc<Source>) -> Result<RuleFile, Box<Diagnostic>> {
    let mut pairs = ThrParser::parse(Rule::file, &source.text)
        .map_err(|e| Box::new(message::syntax_error(source, &e)))?;
    let file = pairs.next().ok_or_else(|| {
        Box::new(Diagnostic::error(
            "syntax",
            source,
            Span::default(),
            "empty rule file",
        ))
    })?;
    let p = Parsing { source };
    p.file(file)
}

/// Parses a single expression (used by tests and tools).
pub fn parse_expr(source: &Arc<Source>) -> Result<Expr, Box<Diagnostic>> {
    let mut pairs = ThrParser::parse(Rule::expr, &source.text)
        .map_err(|e| Box::new(message::syntax_error(source, &e)))?;
    let pair = pairs.next().ok_or_else(|| {
        Box::new(Diagnostic::error(
            "syntax",
            source,
            Span::default(),
            "empty expression",
        ))
    })?;
    expr::build(source, pair)
}

struct Parsing<'s> {
    source: &'s Arc<Source>,
}

type PResult<T> = Result<T, Box<Diagnostic>>;

impl Parsing<'_> {
    fn file(&self, pair: Pair<'_, Rule>) -> PResult<RuleFile> {
        let mut inner = pair.into_inner();
        let header = inner
            .next()
            .ok_or_else(|| self.bug("file without header"))?;
        let header_start = header.as_span().start();
        let mut h = header.into_inner();
        h.next(); // kw_continuum
        let name = text(h.next().ok_or_else(|| self.bug("header without name"))?);
        h.next(); // kw_version
        let version = h.next().map(text);
        // The pair's span runs on over the blank lines after the header; stop at its last string.
        let header_span = Span::new(
            header_start,
            version.as_ref().map_or(name.span.end, |v| v.span.end),
        );
        let mut items = Vec::new();
        for p in inner {
            if p.as_rule() == Rule::EOI {
                break;
            }
            items.push(self.item(p)?);
        }
        Ok(RuleFile {
            name,
            version,
            header_span,
            items,
        })
    }

    fn bug(&self, what: &str) -> Box<Diagnostic> {
        Box::new(Diagnostic::error(
            "internal",
            self.source,
            Span::default(),
            format!("internal parser error: {what}"),
        ))
    }

    fn item(&self, pair: Pair<'_, Rule>) -> PResult<Item> {
        let span: Span = tight(&pair);
        Ok(match pair.as_rule() {
            Rule::levels_block => Item::Levels(self.label_block(pair)?),
            Rule::themes_block => Item::Themes(self.label_block(pair)?),
            Rule::flags_block => Item::Flags(self.label_block(pair)?),
            Rule::decisions_block => {
                let (entries, close) = block_entries(pair, |p| {
                    let mut i = p.into_inner();
                    let t = i.next().map(text);
                    let l = i.next().map(ident);
                    t.zip(l)
                })?;
                Item::Decisions(Block {
                    entries: entries
                        .into_iter()
                        .map(|(span, (text, level))| DecisionDef { text, level, span })
                        .collect(),
                    span,
                    close,
                })
            }
            Rule::fields_block => {
                let (entries, close) = block_entries(pair, field_def)?;
                Item::Fields(Block {
                    entries: entries
                        .into_iter()
                        .map(|(span, (id, ty, optional, label))| FieldDef {
                            id,
                            ty,
                            optional,
                            label,
                            span,
                        })
                        .collect(),
                    span,
                    close,
                })
            }
            Rule::domain_block => Item::Domain(self.domain(pair)?),
            Rule::script_item => {
                let path = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::string)
                    .map(text)
                    .ok_or_else(|| self.bug("script without path"))?;
                Item::Script(Script { path, span })
            }
            Rule::rule_item => Item::Rule(self.rule(pair)?),
            Rule::example_item => Item::Example(self.example(pair)?),
            other => return Err(self.bug(&format!("unexpected {other:?}"))),
        })
    }

    fn label_block(&self, pair: Pair<'_, Rule>) -> PResult<Block<LabelDef>> {
        let span = tight(&pair);
        let (entries, close) = block_entries(pair, |p| {
            let mut i = p.into_inner();
            let id = i.next().map(ident);
            let label = i.next().map(text);
            id.zip(label)
        })?;
        Ok(Block {
            entries: entries
                .into_iter()
                .map(|(span, (id, label))| LabelDef { id, label, span })
                .collect(),
            span,
            close,
        })
    }

    fn domain(&self, pair: Pair<'_, Rule>) -> PResult<Domain> {
        let span = tight(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // kw_domain
        let id = inner
            .next()
            .map(ident)
            .ok_or_else(|| self.bug("domain id"))?;
        let label = inner
            .next()
            .map(text)
            .ok_or_else(|| self.bug("domain label"))?;
        let mut indicators = Vec::new();
        let mut close = span;
        for p in inner {
            match p.as_rule() {
                Rule::indicator_def => {
                    let ispan = tight(&p);
                    let mut i = p.into_inner();
                    i.next(); // kw_indicator
                    let iid = i
                        .next()
                        .map(ident)
                        .ok_or_else(|| self.bug("indicator id"))?;
                    let description = i.next().map(text).ok_or_else(|| self.bug("indicator"))?;
                    i.next(); // kw_at
                    let level = i
                        .next()
                        .map(ident)
                        .ok_or_else(|| self.bug("indicator level"))?;
                    let (mut themes, mut codes) = (Vec::new(), Vec::new());
                    for part in i {
                        match part.as_rule() {
                            Rule::indicator_themes => themes.extend(
                                part.into_inner()
                                    .filter(|p| p.as_rule() == Rule::ident)
                                    .map(ident),
                            ),
                            Rule::indicator_codes => codes.extend(
                                part.into_inner()
                                    .filter(|p| p.as_rule() == Rule::string)
                                    .map(text),
                            ),
                            _ => {}
                        }
                    }
                    indicators.push(IndicatorDef {
                        id: iid,
                        description,
                        level,
                        themes,
                        codes,
                        span: ispan,
                    });
                }
                Rule::close_brace => close = p.as_span().into(),
                _ => {}
            }
        }
        Ok(Domain {
            id,
            label,
            indicators,
            span,
            close,
        })
    }

    fn rule(&self, pair: Pair<'_, Rule>) -> PResult<crate::ast::Rule> {
        let span = tight(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // kw_rule
        let id = inner.next().map(ident).ok_or_else(|| self.bug("rule id"))?;
        let reason = inner
            .next()
            .map(text)
            .ok_or_else(|| self.bug("rule reason"))?;
        let mut when = None;
        let mut actions = Vec::new();
        for p in inner {
            let aspan: Span = p.as_span().into();
            match p.as_rule() {
                Rule::expr => when = Some(expr::build(self.source, p)?),
                Rule::act_at_least => {
                    let level = p
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::ident)
                        .map(ident)
                        .ok_or_else(|| self.bug("at least"))?;
                    actions.push(Action {
                        kind: ActionKind::AtLeast(level),
                        span: aspan,
                    });
                }
                Rule::act_raise => {
                    let n = p
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::integer)
                        .ok_or_else(|| self.bug("raise"))?;
                    let amount = n.as_str().parse::<u64>().map_err(|_| {
                        Box::new(
                            Diagnostic::error(
                                "bad-raise",
                                self.source,
                                n.as_span().into(),
                                format!("`raise {}` is too large", n.as_str()),
                            )
                            .with_help("raise by a small number of levels, such as `raise 1`"),
                        )
                    })?;
                    actions.push(Action {
                        kind: ActionKind::Raise(amount),
                        span: aspan,
                    });
                }
                Rule::act_flag => {
                    let flag = p
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::ident)
                        .map(ident)
                        .ok_or_else(|| self.bug("flag"))?;
                    actions.push(Action {
                        kind: ActionKind::Flag(flag),
                        span: aspan,
                    });
                }
                _ => {}
            }
        }
        let when = when.ok_or_else(|| self.bug("rule without condition"))?;
        Ok(crate::ast::Rule {
            id,
            reason,
            when,
            actions,
            span,
        })
    }

    fn example(&self, pair: Pair<'_, Rule>) -> PResult<Example> {
        let span = tight(&pair);
        let mut inner = pair.into_inner();
        inner.next(); // kw_example
        let name = inner
            .next()
            .map(text)
            .ok_or_else(|| self.bug("example name"))?;
        let mut stmts = Vec::new();
        let mut close = span;
        for p in inner {
            let sspan: Span = tight(&p);
            let ids = |p: Pair<'_, Rule>| -> Vec<Ident> {
                p.into_inner()
                    .filter(|p| p.as_rule() == Rule::ident)
                    .map(ident)
                    .collect()
            };
            let kind = match p.as_rule() {
                Rule::close_brace => {
                    close = sspan;
                    continue;
                }
                Rule::ex_indicators => ExampleStmtKind::Indicators(ids(p)),
                Rule::ex_fired => ExampleStmtKind::Fired(ids(p)),
                Rule::ex_flags => ExampleStmtKind::Flags(ids(p)),
                Rule::ex_expect => {
                    let level = ids(p)
                        .into_iter()
                        .next()
                        .ok_or_else(|| self.bug("expect"))?;
                    ExampleStmtKind::Expect(level)
                }
                Rule::ex_assign => {
                    let mut i = p.into_inner();
                    let field = i.next().map(ident).ok_or_else(|| self.bug("assign"))?;
                    let v = i.next().ok_or_else(|| self.bug("assign value"))?;
                    let vspan = v.as_span().into();
                    let value = match v.as_rule() {
                        Rule::signed_number => Literal::Number(self.number(&v)?),
                        Rule::string => Literal::Str(text(v).value),
                        Rule::lit_true => Literal::Bool(true),
                        _ => Literal::Bool(false),
                    };
                    ExampleStmtKind::Assign(field, value, vspan)
                }
                _ => continue,
            };
            stmts.push(ExampleStmt { kind, span: sspan });
        }
        Ok(Example {
            name,
            stmts,
            span,
            close,
        })
    }

    fn number(&self, p: &Pair<'_, Rule>) -> PResult<f64> {
        let v = p.as_str().parse::<f64>().unwrap_or(f64::NAN);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Box::new(Diagnostic::error(
                "bad-number",
                self.source,
                p.as_span().into(),
                format!("`{}` is not a usable number", p.as_str()),
            )))
        }
    }
}

/// The entries of a braced block, each with its span, and the closing brace.
fn block_entries<'i, T>(
    pair: Pair<'i, Rule>,
    f: impl Fn(Pair<'i, Rule>) -> Option<T>,
) -> PResult<(Vec<(Span, T)>, Span)> {
    let mut out = Vec::new();
    let mut close = Span::from(pair.as_span());
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::close_brace => close = p.as_span().into(),
            Rule::level_def
            | Rule::theme_def
            | Rule::flag_def
            | Rule::decision_def
            | Rule::field_def => {
                let span = tight(&p);
                if let Some(t) = f(p) {
                    out.push((span, t));
                }
            }
            _ => {}
        }
    }
    Ok((out, close))
}

/// A field entry: its id, type, `?` and label.
type FieldParts = (Ident, FieldTypeSyntax, bool, Option<Text>);

fn field_def(p: Pair<'_, Rule>) -> Option<FieldParts> {
    let mut i = p.into_inner();
    let id = ident(i.next()?);
    let ty_pair = i.next()?;
    let mut optional = false;
    let mut label = None;
    for rest in i {
        match rest.as_rule() {
            Rule::optional_mark => optional = true,
            Rule::string => label = Some(text(rest)),
            _ => {}
        }
    }
    let ty = match ty_pair.as_rule() {
        Rule::ty_number => {
            let bounds: Vec<f64> = ty_pair
                .into_inner()
                .filter(|p| p.as_rule() == Rule::signed_number)
                .map(|p| p.as_str().parse::<f64>().unwrap_or(f64::NAN))
                .collect();
            match bounds.as_slice() {
                [lo, hi] => FieldTypeSyntax::Number(Some((*lo, *hi))),
                _ => FieldTypeSyntax::Number(None),
            }
        }
        Rule::ty_bool => FieldTypeSyntax::Bool,
        Rule::ty_text => FieldTypeSyntax::Text,
        _ => FieldTypeSyntax::OneOf(
            ty_pair
                .into_inner()
                .filter(|p| p.as_rule() == Rule::string)
                .map(text)
                .collect(),
        ),
    };
    Some((id, ty, optional, label))
}

/// A pair's span without the whitespace and comments pest takes in after an
/// optional or repeated last part (`themes [...]?`, `("," action)*`), so an
/// entry's span ends at its last token and comments after it stay outside.
fn tight(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), trim_end(s.get_input(), s.start(), s.end()))
}

/// Moves `end` back over whitespace and `//` comments (strings cannot span lines).
fn trim_end(text: &str, start: usize, mut end: usize) -> usize {
    loop {
        let before = end;
        end = start + text[start..end].trim_end().len();
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let mut in_string = false;
        let mut escaped = false;
        for (i, c) in text[line_start..end].char_indices() {
            if in_string {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => in_string = false,
                    _ => escaped = false,
                }
            } else if c == '"' {
                in_string = true;
            } else if text[line_start + i..].starts_with("//") {
                end = (line_start + i).max(start);
                break;
            }
        }
        if end == before {
            return end;
        }
    }
}

pub(crate) fn ident(p: Pair<'_, Rule>) -> Ident {
    Ident {
        name: p.as_str().to_string(),
        span: p.as_span().into(),
    }
}

pub(crate) fn text(p: Pair<'_, Rule>) -> Text {
    let span = p.as_span().into();
    let raw = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
    Text {
        value: unescape(raw),
        span,
    }
}

/// Resolves `\"`, `\\`, `\n`, `\t`.
pub fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes a string literal with the escapes `unescape` reads.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
