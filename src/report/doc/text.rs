//! A [`Document`] as plain text for a terminal or a `.txt` file: headings
//! underlined, lists indented, tables in aligned columns (figures to the
//! right). Control characters from the data are replaced with `?` and
//! invisible ones shown as `<U+200B>`, so a hostile id cannot move the
//! cursor. Charts are left out (their figures are in tables).

use super::{Block, Cell, Document, Inline, Section, Table};

/// The document as plain text.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    heading(&doc.title, '=', &mut out);
    blocks(&doc.intro, &mut out);
    for s in doc.sections.iter().filter(|s| s.reach.in_reading()) {
        section(s, &mut out);
    }
    out
}

/// `s` safe for a terminal.
pub fn clean(s: &str) -> String {
    crate::text::visible(s)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn heading(title: &str, rule: char, out: &mut String) {
    let t = clean(title);
    let n = t.chars().count();
    out.push_str(&t);
    out.push('\n');
    out.extend(std::iter::repeat_n(rule, n));
    out.push_str("\n\n");
}

fn section(s: &Section, out: &mut String) {
    if !s.blocks.is_empty() && s.blocks.iter().all(|b| matches!(b, Block::Chart(_))) {
        return;
    }
    heading(&s.title, '-', out);
    blocks(&s.blocks, out);
}

fn blocks(bs: &[Block], out: &mut String) {
    for b in bs {
        match b {
            Block::Paragraph(t) => line(&inline(t), out),
            Block::Note { label, text } => {
                line(&format!("{}: {}", clean(label), inline(text)), out)
            }
            Block::Warning(t) => line(&format!("WARNING: {}", inline(t)), out),
            Block::Heading(h) => line(&format!("{}:", clean(h)), out),
            Block::List(items) => {
                for i in items {
                    out.push_str("  - ");
                    out.push_str(&inline(i));
                    out.push('\n');
                }
                out.push('\n');
            }
            Block::Answers(qs) => {
                for (q, a) in qs {
                    out.push_str(&format!(
                        "{}\n{}\n\n",
                        inline(q),
                        wrap(&inline(a), 88, "  ")
                    ));
                }
            }
            Block::Table(t) => table(t, out),
            Block::Chart(_) => {}
        }
    }
}

fn line(s: &str, out: &mut String) {
    out.push_str(s);
    out.push_str("\n\n");
}

/// A line of text, ids as they are (without marks).
pub fn inline(t: &Inline) -> String {
    clean(&t.plain())
}

fn table(t: &Table, out: &mut String) {
    out.push_str(&aligned(t));
    if let Some(n) = t.shown_rows().1 {
        out.push('\n');
        out.push_str(&clean(n));
        out.push('\n');
    }
    out.push('\n');
}

/// Wraps plain text at about `width` columns, indenting every line.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push('\n');
            out.push_str(indent);
            len = indent.len();
        } else if len > 0 {
            out.push(' ');
            len += 1;
        } else {
            out.push_str(indent);
            len = indent.len();
        }
        out.push_str(word);
        len += word.chars().count();
    }
    out
}

/// A table's heading and shown rows in aligned columns (figures to the
/// right), each line ending in a newline.
pub fn aligned(t: &Table) -> String {
    let mut out = String::new();
    let (rows, _) = t.shown_rows();
    let shown: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Cell::Text(t) => inline(t),
                    other => other.shown(),
                })
                .collect()
        })
        .collect();
    let heads: Vec<String> = t.columns.iter().map(|c| clean(&c.heading)).collect();
    let widths: Vec<usize> = heads
        .iter()
        .enumerate()
        .map(|(i, h)| {
            shown
                .iter()
                .filter_map(|r| r.get(i))
                .chain([h])
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let row = |cells: &[String], out: &mut String| {
        let mut l = String::from(" ");
        for ((c, w), col) in cells.iter().zip(&widths).zip(&t.columns) {
            let pad = w.saturating_sub(c.chars().count());
            l.push(' ');
            if col.numeric {
                l.extend(std::iter::repeat_n(' ', pad));
                l.push_str(c);
            } else {
                l.push_str(c);
                l.extend(std::iter::repeat_n(' ', pad));
            }
            l.push(' ');
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    row(&heads, &mut out);
    for r in &shown {
        row(r, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Column;
    use super::*;

    #[test]
    fn tables_line_up_and_escapes_are_removed() {
        let mut t = Table::new(vec![Column::text("Level"), Column::num("Change")]);
        t.row(vec![Cell::text("early_help\u{1b}[2J"), Cell::Delta(-2)]);
        t.row(vec![Cell::text("x"), Cell::Delta(12)]);
        let mut out = String::new();
        table(&t, &mut out);
        assert_eq!(
            out,
            "  Level           Change\n  early_help?[2J      -2\n  x                  +12\n\n"
        );
    }
}
