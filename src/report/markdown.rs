//! Markdown helpers for reports: escaping text that came from the data
//! (tables and the rest are written by `report::doc::markdown`). Escaped
//! text renders as itself in CommonMark and GitHub Markdown: no emphasis,
//! links, code, HTML or table breaks can be injected.

/// `s` escaped for use anywhere in a Markdown line (including table cells):
/// `&`, `<`, `>` become entities; `\ * _ [ ] { } | ~` and `` ` `` are
/// backslash-escaped, as are a leading `# + - =` and a `.` or `)` after
/// leading digits where they would start a heading, list or rule;
/// line breaks become spaces.
///
/// ```
/// use thresholds::report::markdown::escape;
/// assert_eq!(escape("<b>*x*</b> | y"), r"&lt;b&gt;\*x\*&lt;/b&gt; \| y");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    let mut at_start = true;
    // Only digits so far: `1.` or `1)` and a space would make a list item.
    let mut numbered = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let ends_marker = next.is_none_or(|n| n.is_whitespace() || n == c);
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '{' | '}' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '+' | '-' | '=' if at_start && ends_marker => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if numbered && !at_start && next.is_none_or(char::is_whitespace) => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        numbered = numbered && (c.is_whitespace() || c.is_ascii_digit());
        at_start = at_start && c.is_whitespace();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_inert() {
        assert_eq!(escape("[x](javascript:y)"), r"\[x\](javascript:y)");
        assert_eq!(escape("# title"), r"\# title");
        assert_eq!(escape("1. item"), r"1\. item");
        assert_eq!(escape("a - b"), "a - b");
        assert_eq!(escape("- x"), r"\- x");
        assert_eq!(escape("---"), r"\---");
        assert_eq!(escape("-0.400"), "-0.400");
        assert_eq!(escape("25.0%"), "25.0%");
        assert_eq!(escape("12."), r"12\.");
        assert_eq!(escape("`code`\nnext"), r"\`code\` next");
        assert_eq!(
            escape("<script>alert(1)</script>"),
            r"&lt;script&gt;alert(1)&lt;/script&gt;"
        );
    }
}
