//! A [`Document`] as Markdown (CommonMark with GitHub pipe tables): every
//! piece of text is escaped here, ids are set as inline code, figures are
//! aligned right. Charts have no Markdown form and are left out (a section
//! holding nothing else is left out too).

use super::{Block, Cell, Document, Inline, Section, Span, Table};
use crate::report::markdown::escape;

/// The document as Markdown.
pub fn render(doc: &Document) -> String {
    let mut out = format!("# {}\n\n", escape(&doc.title));
    blocks(&doc.intro, &mut out);
    for s in doc.sections.iter().filter(|s| s.reach.in_reading()) {
        section(s, &mut out);
    }
    // One newline at the end, not a blank line.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn section(s: &Section, out: &mut String) {
    if s.blocks.iter().all(|b| matches!(b, Block::Chart(_))) && !s.blocks.is_empty() {
        return;
    }
    out.push_str("## ");
    out.push_str(&escape(&s.title));
    out.push_str("\n\n");
    blocks(&s.blocks, out);
}

fn blocks(bs: &[Block], out: &mut String) {
    for b in bs {
        block(b, out);
    }
}

fn block(b: &Block, out: &mut String) {
    match b {
        Block::Paragraph(t) => {
            out.push_str(&inline(t));
            out.push_str("\n\n");
        }
        Block::Note { label, text } => {
            out.push_str(&format!("> **{}:** {}\n\n", escape(label), inline(text)));
        }
        Block::Warning(t) => out.push_str(&format!("> **Warning:** {}\n\n", inline(t))),
        Block::Heading(h) => out.push_str(&format!("### {}\n\n", escape(h))),
        Block::List(items) => {
            for i in items {
                out.push_str("- ");
                out.push_str(&inline(i));
                out.push('\n');
            }
            out.push('\n');
        }
        Block::Answers(qs) => {
            for (q, a) in qs {
                out.push_str(&format!("**{}**  \n{}\n\n", inline(q), inline(a)));
            }
        }
        Block::Table(t) => table(t, out),
        Block::Chart(_) => {}
    }
}

fn table(t: &Table, out: &mut String) {
    let heads: Vec<String> = t.columns.iter().map(|c| escape(&c.heading)).collect();
    out.push_str(&format!("| {} |\n|", heads.join(" | ")));
    for c in &t.columns {
        out.push_str(if c.numeric { "---:|" } else { "---|" });
    }
    out.push('\n');
    let (rows, note) = t.shown_rows();
    for r in rows {
        let cells: Vec<String> = r.iter().map(cell).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    if let Some(n) = note {
        out.push_str(&format!("\n{}\n", escape(n)));
    }
    out.push('\n');
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(t) => inline(t),
        other => escape(&other.shown()),
    }
}

/// A line of text as Markdown: text escaped, ids as inline code.
pub fn inline(t: &Inline) -> String {
    let mut out = String::new();
    for s in &t.0 {
        match s {
            Span::Text(x) => out.push_str(&escape(x)),
            Span::Code(x) | Span::Source(x) => out.push_str(&code(x)),
            Span::Strong(x) if x.is_empty() => {}
            Span::Strong(x) => out.push_str(&format!("**{}**", escape(x))),
            Span::Alert(x) | Span::Caution(x) => out.push_str(&escape(x)),
        }
    }
    out
}

/// Inline code (pipes escaped for tables); text holding a backtick, which
/// would close the span early, is escaped as plain text instead.
fn code(s: &str) -> String {
    if s.contains('`') || s.is_empty() {
        return escape(s);
    }
    format!("`{}`", s.replace('|', "\\|").replace(['\n', '\r'], " "))
}

#[cfg(test)]
mod tests {
    use super::super::{Column, Section};
    use super::*;

    #[test]
    fn hostile_text_is_escaped_and_ids_are_code() {
        assert_eq!(
            inline(&Inline::ticked("rule `x|y` now *raises* <b>")),
            "rule `x\\|y` now \\*raises\\* &lt;b&gt;"
        );
        assert_eq!(inline(&Inline::code("a`<b>")), "a\\`&lt;b&gt;");
    }

    #[test]
    fn a_document_renders_sections_lists_and_tables() {
        let mut t = Table::new(vec![Column::text("Level"), Column::num("Change")]);
        t.row(vec![Cell::text("early_help"), Cell::Delta(-2)]);
        let doc = Document {
            title: "T".into(),
            intro: vec![Block::List(vec![Inline::text("a")])],
            sections: vec![Section::new("S").with(t)],
        };
        assert_eq!(
            render(&doc),
            "# T\n\n- a\n\n## S\n\n| Level | Change |\n|---|---:|\n| early\\_help | -2 |\n"
        );
    }
}
