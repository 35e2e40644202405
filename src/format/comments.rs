//! Comments found by position in the source and put back around the laid-out
//! lines, plus the blank-line policy: one blank line between top-level
//! items; inside blocks, a blank line where the source had one (several
//! collapse to one); never right after `{` or right before `}`.

use super::Line;
use crate::span::Span;

/// A `//` comment in the source.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Comment {
    /// From `//` to the end of the line (trailing whitespace dropped).
    pub span: Span,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
}

/// Every comment in a source that parsed (so strings are well formed).
pub(crate) fn scan(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
            let trimmed = text[i..end].trim_end().len();
            let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
            out.push(Comment {
                span: Span::new(i, i + trimmed),
                own_line: text[line_start..i].trim().is_empty(),
            });
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// What goes out: code lines with their trailing comments, and own-line comments.
struct Elem<'a> {
    indent: usize,
    text: String,
    src: Span,
    line: Option<&'a Line>,
}

/// True when the source between `a` and `b` holds an empty line.
fn blank_between(text: &str, a: usize, b: usize) -> bool {
    if b <= a {
        return false;
    }
    let Some(gap) = text.get(a..b) else {
        return false;
    };
    let parts: Vec<&str> = gap.split('\n').collect();
    parts.len() > 2
        && parts[1..parts.len() - 1]
            .iter()
            .any(|l| l.trim().is_empty())
}

/// Puts the comments back and joins the lines.
pub(crate) fn render(lines: &[Line], comments: &[Comment], text: &str) -> String {
    let mut before: Vec<Vec<&Comment>> = vec![Vec::new(); lines.len() + 1];
    let mut trailing: Vec<Vec<&Comment>> = vec![Vec::new(); lines.len()];
    for c in comments {
        // Line starts and ends grow in output order, so binary search works.
        let owner = if c.own_line {
            None
        } else {
            lines
                .partition_point(|l| l.span.start <= c.span.start)
                .checked_sub(1)
        };
        match owner {
            Some(j) => trailing[j].push(c),
            None => {
                // Before the line that contains or follows it.
                let i = lines.partition_point(|l| l.span.end <= c.span.start);
                before[i].push(c);
            }
        }
    }
    let slice = |s: Span| text.get(s.start..s.end).unwrap_or("");
    let mut elems: Vec<Elem<'_>> = Vec::new();
    for (i, slot) in before.iter().enumerate() {
        let line = lines.get(i);
        let indent = line.map_or(0, |l| l.comment_indent);
        for c in slot {
            elems.push(Elem {
                indent,
                text: slice(c.span).to_string(),
                src: c.span,
                line: None,
            });
        }
        if let Some(l) = line {
            let mut t = l.text.clone();
            for c in &trailing[i] {
                t.push(' ');
                t.push_str(slice(c.span));
            }
            elems.push(Elem {
                indent: l.indent,
                text: t,
                src: l.span,
                line: Some(l),
            });
        }
    }
    // Blank lines: forced before each top-level item's comment group, else from the source.
    let mut blank = vec![false; elems.len()];
    for i in 1..elems.len() {
        let prev = &elems[i - 1];
        let e = &elems[i];
        let role = e.line.map(|l| l.role).unwrap_or_default();
        let after_open = prev.line.is_some_and(|l| l.role.open);
        blank[i] = !after_open
            && !role.close
            && !role.cont
            && blank_between(text, prev.src.end, e.src.start);
        if role.item_start {
            let mut k = i;
            while k > 0 && elems[k - 1].line.is_none() {
                k -= 1;
            }
            if k > 0 {
                blank[k] = true;
            }
        }
    }
    let mut out = String::with_capacity(text.len() + 64);
    for (e, b) in elems.iter().zip(blank) {
        if b {
            out.push('\n');
        }
        for _ in 0..e.indent {
            out.push_str("  ");
        }
        out.push_str(&e.text);
        out.push('\n');
    }
    out
}
