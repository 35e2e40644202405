//! A [`Document`] as one self-contained HTML page (the shared stylesheet
//! with its print rules, the Content-Security-Policy that lets no script
//! run, inline SVG charts). This is the one place text is escaped: every
//! text node and attribute value passes through `report::html::escape`
//! here, never in the code that builds the document.

use super::{Block, Cell, Chart, Document, Inline, Section, Span, Table};
use crate::report::html::{chart, escape, page_with_style, warning, CSS};

/// What a document page adds to the shared stylesheet: a wide table
/// scrolls inside its own box rather than pushing the page past the
/// window's edge (and prints whole), ids are set apart, a long table prints
/// landscape.
const STYLE: &str = "div.table{overflow-x:auto;max-width:100%}\
code{background:#f4f4f4;padding:0 .2em;overflow-wrap:anywhere}svg text{font-size:12px}\
@page long{size:A4 landscape}\
@media print{div.table{overflow:visible}div.long{page:long}div.long table{font-size:7.5pt}\
div.long td{overflow-wrap:anywhere}}";

/// A table with more rows than this prints on landscape pages of its own
/// in a smaller type (the audit's evidence list would otherwise run to
/// dozens of portrait pages).
const LONG: usize = 25;

/// The document as an HTML page.
pub fn render(doc: &Document) -> String {
    let mut out = format!("<h1>{}</h1>\n", escape(&doc.title));
    blocks(&doc.intro, &mut out);
    for s in doc.sections.iter().filter(|s| s.reach.in_reading()) {
        section(s, &mut out);
    }
    page_with_style(&doc.title, &format!("{CSS}{STYLE}"), &out)
}

fn section(s: &Section, out: &mut String) {
    out.push_str(&format!("<h2>{}</h2>\n", escape(&s.title)));
    blocks(&s.blocks, out);
}

fn blocks(bs: &[Block], out: &mut String) {
    for b in bs {
        block(b, out);
    }
}

fn block(b: &Block, out: &mut String) {
    match b {
        Block::Paragraph(t) => out.push_str(&format!("<p>{}</p>\n", inline(t))),
        Block::Note { label, text } => out.push_str(&format!(
            "<p class=\"note\"><strong>{}:</strong> {}</p>\n",
            escape(label),
            inline(text)
        )),
        Block::Warning(t) => out.push_str(&warning(&inline(t))),
        Block::Heading(h) => out.push_str(&format!("<h3>{}</h3>\n", escape(h))),
        Block::List(items) => {
            out.push_str("<ul>");
            for i in items {
                out.push_str(&format!("<li>{}</li>", inline(i)));
            }
            out.push_str("</ul>\n");
        }
        Block::Answers(qs) => {
            out.push_str("<dl class=\"summary\">\n");
            for (q, a) in qs {
                out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", inline(q), inline(a)));
            }
            out.push_str("</dl>\n");
        }
        Block::Table(t) => table(t, out),
        Block::Chart(c) => out.push_str(&svg(c)),
    }
}

fn table(t: &Table, out: &mut String) {
    let class = |numeric: bool| if numeric { " class=\"num\"" } else { "" };
    let (rows, note) = t.shown_rows();
    out.push_str(if rows.len() > LONG {
        "<div class=\"table long\"><table>\n<thead><tr>"
    } else {
        "<div class=\"table\"><table>\n<thead><tr>"
    });
    for c in &t.columns {
        out.push_str(&format!(
            "<th{}>{}</th>",
            class(c.numeric),
            escape(&c.heading)
        ));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for (c, col) in r.iter().zip(&t.columns) {
            out.push_str(&format!("<td{}>{}</td>", class(col.numeric), cell(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
    if let Some(n) = note {
        out.push_str(&format!("<p>{}</p>\n", escape(n)));
    }
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(t) => inline(t),
        other => escape(&other.shown()),
    }
}

/// A line of text as HTML: text escaped, ids in `<code>`.
pub fn inline(t: &Inline) -> String {
    let mut out = String::new();
    for s in &t.0 {
        match s {
            Span::Text(x) => out.push_str(&escape(x)),
            Span::Code(x) | Span::Source(x) => out.push_str(&format!("<code>{}</code>", escape(x))),
            Span::Strong(x) => out.push_str(&format!("<strong>{}</strong>", escape(x))),
            Span::Alert(x) => out.push_str(&format!("<span class=\"alert\">{}</span>", escape(x))),
            Span::Caution(x) => out.push_str(&format!("<span class=\"note\">{}</span>", escape(x))),
        }
    }
    out
}

fn svg(c: &Chart) -> String {
    match c {
        Chart::Intervals { title, rows } => chart::interval_bars(title, rows),
        Chart::Trend { title, points } => chart::trend(title, points),
        Chart::Splits { title, rows } => chart::split_bars(title, rows),
        Chart::HeatMap {
            title,
            row_head,
            col_head,
            labels,
            cells,
        } => chart::heat_map(title, row_head, col_head, labels, cells),
        Chart::Flows { from, to, counts } => chart::flows(from, to, counts),
        Chart::Accuracy { phases, rows } => chart::accuracy(phases.as_ref(), rows),
        Chart::Answers { levels, rows } => chart::spread(levels, rows),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Column, Section};
    use super::*;

    #[test]
    fn every_text_node_is_escaped_once() {
        let mut t = Table::new(vec![Column::text("<id>"), Column::num("n")]);
        t.row(vec![Cell::code("<x>"), Cell::count(3)]);
        let doc = Document {
            title: "<T>".into(),
            intro: vec![Block::Warning(Inline::ticked("column `a&b` is missing"))],
            sections: vec![Section::new("S & T")
                .with(Inline::text("a < b"))
                .with(Block::Note {
                    label: "Levels differ".into(),
                    text: Inline::text("'x'"),
                })
                .with(t)],
        };
        let html = render(&doc);
        assert!(html.contains("<title>&lt;T&gt;</title>"));
        assert!(html.contains("<h1>&lt;T&gt;</h1>"));
        assert!(html.contains("column <code>a&amp;b</code> is missing"));
        assert!(html.contains("<h2>S &amp; T</h2>"));
        assert!(html.contains("<p>a &lt; b</p>"));
        assert!(html.contains("<strong>Levels differ:</strong> &#39;x&#39;"));
        assert!(html.contains("<th>&lt;id&gt;</th><th class=\"num\">n</th>"));
        assert!(html.contains("<td><code>&lt;x&gt;</code></td><td class=\"num\">3</td>"));
        assert!(!html.contains("<x>"));
    }
}
