//! Diagnostics as text: miette's graphical report (file:line:column, the
//! source line, the span underlined), or JSON for tools.

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;

use crate::error::{Diagnostic, Diagnostics, Severity};

/// At most this many diagnostics of each severity are rendered in full.
pub const MAX_SHOWN: usize = 50;
/// Source lines longer than this are shown as a window around the span.
const MAX_LINE: usize = 240;

/// Human-readable diagnostics followed by a count line.
pub fn human(d: &Diagnostics, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let (mut errors, mut warnings) = (0usize, 0usize);
    for diag in &d.0 {
        let shown = match diag.severity {
            Severity::Error => &mut errors,
            Severity::Warning => &mut warnings,
        };
        *shown += 1;
        if *shown > MAX_SHOWN {
            continue;
        }
        let diag = &escaped(diag);
        let mut s = String::new();
        if needs_window(diag) || handler.render_report(&mut s, diag).is_err() {
            s = windowed(diag);
        }
        out.push_str(&s);
        out.push('\n');
    }
    for (n, word) in [(errors, "errors"), (warnings, "warnings")] {
        if n > MAX_SHOWN {
            out.push_str(&format!(
                "... and {} more {word} not shown\n",
                n - MAX_SHOWN
            ));
        }
    }
    out.push_str(&summary(d));
    out.push('\n');
    out
}

/// `2 errors, 1 warning` (or `no problems found`).
pub fn summary(d: &Diagnostics) -> String {
    let (e, w) = (d.error_count(), d.warning_count());
    if e == 0 && w == 0 {
        return "no problems found".into();
    }
    let plural = |n: usize, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    format!("{}, {}", plural(e, "error"), plural(w, "warning"))
}

/// The diagnostic with control and direction-changing characters in its
/// message, label and help escaped: they may quote labels, data or script
/// messages, and no terminal escape sequence may reach the screen.
fn escaped(d: &Diagnostic) -> Diagnostic {
    let esc = crate::text::shorten_all;
    Diagnostic {
        message: esc(&d.message),
        label: d.label.as_deref().map(esc),
        help: d.help.as_deref().map(esc),
        ..d.clone()
    }
}

/// True for a character that must not reach a terminal as it is.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || crate::text::is_invisible(c)
}

/// True when the span's line is too long for a readable excerpt, or when
/// the lines miette would show hold a character that must be escaped
/// (miette prints source lines as they are).
fn needs_window(d: &Diagnostic) -> bool {
    let text = &d.source.text;
    let start = crate::span::floor_char_boundary(text, d.span.start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    if line_end - line_start > MAX_LINE || d.span.len() > MAX_LINE {
        return true;
    }
    let shown_start = text[..line_start.saturating_sub(1)]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let span_end = crate::span::floor_char_boundary(text, d.span.end.min(text.len()).max(start));
    let after = text[span_end..]
        .find('\n')
        .map_or(text.len(), |i| span_end + i);
    let shown_end = text[(after + 1).min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| after + 1 + i);
    text[shown_start..shown_end.max(shown_start)]
        .chars()
        .any(unsafe_char)
}

/// A compact rendering with a window of the source line around the span.
fn windowed(d: &Diagnostic) -> String {
    let text = &d.source.text;
    let start = crate::span::floor_char_boundary(text, d.span.start.min(text.len()));
    let (line, col) = d.source.line_col(start);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let from = crate::span::floor_char_boundary(text, start.saturating_sub(40).max(line_start));
    let to = crate::span::floor_char_boundary(text, (start + 80).min(line_end));
    let lead = if from > line_start { "..." } else { "" };
    let tail = if to < line_end { "..." } else { "" };
    let excerpt = crate::text::shorten_all(&text[from..to]);
    let caret_at =
        lead.chars().count() + crate::text::shorten_all(&text[from..start]).chars().count();
    let span_end = crate::span::floor_char_boundary(text, d.span.end.min(to).max(start));
    let width = crate::text::shorten_all(&text[start..span_end])
        .chars()
        .count()
        .clamp(1, 40);
    let gutter = line.to_string().len();
    let mut s = format!(
        "{}: {}\n{:gutter$} --> {}:{line}:{col}\n{line} | {lead}{excerpt}{tail}\n{:gutter$} | {}{}",
        severity_word(d),
        d.message,
        "",
        d.source.name,
        "",
        " ".repeat(caret_at),
        "^".repeat(width),
    );
    if let Some(l) = &d.label {
        s.push(' ');
        s.push_str(l);
    }
    s.push('\n');
    if let Some(h) = &d.help {
        s.push_str(&format!("{:gutter$} = help: {h}\n", ""));
    }
    s
}

fn severity_word(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[derive(Serialize)]
struct JsonDiag<'a> {
    severity: &'static str,
    code: &'a str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    label: Option<&'a str>,
    help: Option<&'a str>,
}

/// One JSON object per line.
pub fn json(d: &Diagnostics) -> String {
    let mut out = String::new();
    for diag in &d.0 {
        let (line, column) = diag.source.line_col(diag.span.start);
        let j = JsonDiag {
            severity: severity_word(diag),
            code: diag.code,
            message: &diag.message,
            file: &diag.source.name,
            line,
            column,
            label: diag.label.as_deref(),
            help: diag.help.as_deref(),
        };
        if let Ok(s) = serde_json::to_string(&j) {
            out.push_str(&s);
            out.push('\n');
        }
    }
    out
}
