//! Diagnostics as text: miette's graphical report (file:line:column, the
//! source line, the span underlined), or JSON for tools.

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;

use crate::error::{Diagnostic, Diagnostics, Severity};

/// Human-readable diagnostics followed by a count line.
pub fn human(d: &Diagnostics, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for diag in &d.0 {
        let mut s = String::new();
        if handler.render_report(&mut s, diag).is_err() {
            s = format!(
                "{}: {}: {}\n",
                severity_word(diag),
                diag.location(),
                diag.message
            );
        }
        out.push_str(&s);
        out.push('\n');
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
