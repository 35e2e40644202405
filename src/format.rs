//! The canonical layout of a rule file (`thresholds fmt`), comments kept.
//!
//! The file is parsed, laid out line by line from the AST (each output line
//! remembers the source span it stands for), and the comments, found by
//! position in the source text, are put back: an own-line comment before the
//! line that contains or follows it, a trailing comment at the end of the line
//! its code is on. Formatting is idempotent: `fmt(fmt(x)) == fmt(x)`.

mod comments;
mod expr;

use std::sync::Arc;

use crate::ast::*;
use crate::error::Diagnostic;
use crate::parse::escape;
use crate::span::{Source, Span};

/// Formats a source; errors when it does not parse.
pub fn format_source(source: &Arc<Source>) -> Result<String, Box<Diagnostic>> {
    let file = crate::parse::parse(source)?;
    Ok(format_file(&file, &source.text))
}

/// Lays out a parsed file; `text` is the source it was parsed from (for comments).
pub fn format_file(file: &RuleFile, text: &str) -> String {
    let mut l = Printer {
        text,
        lines: Vec::new(),
    };
    l.file(file);
    comments::render(&l.lines, &comments::scan(text), text)
}

/// What role a line plays, for blank-line and comment placement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Role {
    /// The first line of a top-level item: one blank line goes before it (and its comments).
    pub item_start: bool,
    /// Ends with `{`: no blank line after it.
    pub open: bool,
    /// A closing `}`: no blank line before it.
    pub close: bool,
    /// The `when` or `then` line of a rule: no blank line before it.
    pub cont: bool,
}

/// One output line of code.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    /// Indentation in steps of two spaces.
    pub indent: usize,
    /// The text, without indentation.
    pub text: String,
    /// The source this line stands for.
    pub span: Span,
    /// Indentation of own-line comments placed before this line.
    pub comment_indent: usize,
    /// Its role.
    pub role: Role,
}

struct Printer<'a> {
    text: &'a str,
    lines: Vec<Line>,
}

impl Printer<'_> {
    fn push(&mut self, indent: usize, text: String, span: Span, role: Role) {
        let comment_indent = if role.close { indent + 1 } else { indent };
        self.lines.push(Line {
            indent,
            text,
            span,
            comment_indent,
            role,
        });
    }

    fn open(&mut self, text: String, span: Span) {
        let role = Role {
            item_start: true,
            open: true,
            ..Role::default()
        };
        self.push(0, text, span, role);
    }

    fn close(&mut self, span: Span) {
        let role = Role {
            close: true,
            ..Role::default()
        };
        self.push(0, "}".into(), span, role);
    }

    fn entry(&mut self, text: String, span: Span) {
        self.push(1, text, span, Role::default());
    }

    fn file(&mut self, file: &RuleFile) {
        let mut header = format!("continuum {}", escape(&file.name.value));
        if let Some(v) = &file.version {
            header.push_str(" version ");
            header.push_str(&escape(&v.value));
        }
        let role = Role {
            item_start: true,
            ..Role::default()
        };
        self.push(0, header, file.header_span, role);
        for item in &file.items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Levels(b) => self.label_block("levels", b),
            Item::Themes(b) => self.label_block("themes", b),
            Item::Flags(b) => self.label_block("flags", b),
            Item::Decisions(b) => {
                self.open("decisions {".into(), keyword_span(b.span, "decisions"));
                let texts: Vec<String> = b.entries.iter().map(|d| escape(&d.text.value)).collect();
                let w = texts.iter().map(|t| t.chars().count()).max().unwrap_or(0);
                for (d, t) in b.entries.iter().zip(texts) {
                    self.entry(format!("{t:<w$} -> {}", d.level.name), d.span);
                }
                self.close(b.close);
            }
            Item::Fields(b) => {
                self.open("fields {".into(), keyword_span(b.span, "fields"));
                let w = b.entries.iter().map(|f| f.id.name.len() + 1).max();
                let w = w.unwrap_or(0);
                let types: Vec<String> = b
                    .entries
                    .iter()
                    .map(|f| {
                        let q = if f.optional { "?" } else { "" };
                        format!("{}{q}", self.field_type(f))
                    })
                    .collect();
                // Labels start in one column, after the longest type of
                // the fields that have one.
                let tw = (b.entries.iter().zip(&types))
                    .filter(|(f, _)| f.label.is_some())
                    .map(|(_, t)| t.chars().count())
                    .max()
                    .unwrap_or(0);
                for (f, ty) in b.entries.iter().zip(types) {
                    let id = format!("{}:", f.id.name);
                    let line = match &f.label {
                        Some(l) => format!("{id:<w$} {ty:<tw$} {}", escape(&l.value)),
                        None => format!("{id:<w$} {ty}"),
                    };
                    self.entry(line, f.span);
                }
                self.close(b.close);
            }
            Item::Domain(d) => {
                let head = format!("domain {} {} {{", d.id.name, escape(&d.label.value));
                self.open(head, Span::new(d.span.start, d.label.span.end));
                for ind in &d.indicators {
                    let mut s = format!(
                        "indicator {} {} at {}",
                        ind.id.name,
                        escape(&ind.description.value),
                        ind.level.name
                    );
                    if !ind.themes.is_empty() {
                        s.push_str(" themes [");
                        s.push_str(&join_ids(&ind.themes));
                        s.push(']');
                    }
                    if !ind.codes.is_empty() {
                        let codes: Vec<String> =
                            ind.codes.iter().map(|c| escape(&c.value)).collect();
                        s.push_str(" codes [");
                        s.push_str(&codes.join(", "));
                        s.push(']');
                    }
                    self.entry(s, ind.span);
                }
                self.close(d.close);
            }
            Item::Script(s) => {
                let role = Role {
                    item_start: true,
                    ..Role::default()
                };
                self.push(0, format!("script {}", escape(&s.path.value)), s.span, role);
            }
            Item::Rule(r) => self.rule(r),
            Item::Example(ex) => self.example(ex),
        }
    }

    fn label_block(&mut self, kw: &str, b: &Block<LabelDef>) {
        self.open(format!("{kw} {{"), keyword_span(b.span, kw));
        let w = b.entries.iter().map(|e| e.id.name.len()).max().unwrap_or(0);
        for e in &b.entries {
            self.entry(
                format!("{:<w$} {}", e.id.name, escape(&e.label.value)),
                e.span,
            );
        }
        self.close(b.close);
    }

    fn field_type(&self, f: &FieldDef) -> String {
        match &f.ty {
            FieldTypeSyntax::Number(None) => "number".into(),
            FieldTypeSyntax::Number(Some((lo, hi))) => {
                if lo.is_finite() && hi.is_finite() {
                    format!("number({lo}..{hi})")
                } else {
                    // Keep what was written rather than print `inf`.
                    // The type ends where the label starts.
                    let end = f.label.as_ref().map_or(f.span.end, |l| l.span.start);
                    let src =
                        &self.text[f.span.start.min(self.text.len())..end.min(self.text.len())];
                    match (src.find('('), src.rfind(')')) {
                        (Some(a), Some(b)) if a < b => {
                            let inner: String = src[a + 1..b]
                                .chars()
                                .filter(|c| !c.is_whitespace())
                                .collect();
                            format!("number({inner})")
                        }
                        _ => "number".into(),
                    }
                }
            }
            FieldTypeSyntax::Bool => "bool".into(),
            FieldTypeSyntax::Text => "text".into(),
            FieldTypeSyntax::OneOf(opts) => {
                let o: Vec<String> = opts.iter().map(|t| escape(&t.value)).collect();
                format!("one_of({})", o.join(", "))
            }
        }
    }

    fn rule(&mut self, r: &crate::ast::Rule) {
        let role = Role {
            item_start: true,
            ..Role::default()
        };
        let head = format!("rule {} {}", r.id.name, escape(&r.reason.value));
        self.push(0, head, Span::new(r.span.start, r.reason.span.end), role);
        let cont = Role {
            cont: true,
            ..Role::default()
        };
        let when = format!("when {}", expr::expr(&r.when, self.text));
        self.push(1, when, r.when.span, cont);
        let actions: Vec<String> = r.actions.iter().map(|a| action(&a.kind)).collect();
        let span = match (r.actions.first(), r.actions.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => Span::new(r.when.span.end, r.span.end),
        };
        self.push(1, format!("then {}", actions.join(", ")), span, cont);
    }

    fn example(&mut self, ex: &Example) {
        let head = format!("example {} {{", escape(&ex.name.value));
        self.open(head, Span::new(ex.span.start, ex.name.span.end));
        for st in &ex.stmts {
            let s = match &st.kind {
                ExampleStmtKind::Assign(id, lit, vspan) => {
                    let v = match lit {
                        Literal::Number(n) => expr::number(*n, *vspan, self.text),
                        Literal::Str(s) => escape(s),
                        Literal::Bool(b) => b.to_string(),
                    };
                    format!("{} = {v}", id.name)
                }
                ExampleStmtKind::Indicators(ids) => format!("indicators = [{}]", join_ids(ids)),
                ExampleStmtKind::Expect(l) => format!("expect {}", l.name),
                ExampleStmtKind::Fired(ids) => format!("fired [{}]", join_ids(ids)),
                ExampleStmtKind::Flags(ids) => format!("flags [{}]", join_ids(ids)),
            };
            self.entry(s, st.span);
        }
        self.close(ex.close);
    }
}

/// The span of a block's keyword, which stands for its opening line.
fn keyword_span(block: Span, kw: &str) -> Span {
    Span::new(block.start, block.start + kw.len())
}

fn join_ids(ids: &[Ident]) -> String {
    ids.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn action(a: &ActionKind) -> String {
    match a {
        ActionKind::AtLeast(l) => format!("at least {}", l.name),
        ActionKind::Raise(n) => format!("raise {n}"),
        ActionKind::Flag(f) => format!("flag {}", f.name),
    }
}

#[cfg(test)]
mod tests;
