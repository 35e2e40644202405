//! HTML helpers for reports: escaping, a self-contained page (inline CSS, no
//! scripts, fonts or images from elsewhere, so it opens on an air-gapped
//! laptop), and inline SVG charts ([`chart`]); tables and the rest of a
//! report are written by `report::doc::html`. Output is
//! XHTML-compatible (every element closed, attributes quoted), so tests can
//! parse it as XML.

pub mod chart;

use std::fmt::Write as _;

/// `s` escaped for HTML text and attribute values (`& < > " '`).
///
/// ```
/// use thresholds::report::html::escape;
/// assert_eq!(escape("<script>alert('x')</script>"),
///            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML; show nothing for them.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The stylesheet every report page carries inline: print-friendly, readable
/// on a projector, colour-blind-safe palette (blue agree, vermilion under,
/// orange over).
pub const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;\
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;\
border-bottom:2px solid #ddd;padding-bottom:.2rem}h3{font-size:1.05rem}\
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}\
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}\
.muted{color:#666}.alert{color:#a11;font-weight:bold}.note{color:#8a5300}\
.summary{background:#f5f8fc;border-left:4px solid #0072b2;padding:.6rem 1rem}\
.summary dt{font-weight:bold;margin-top:.4rem}.summary dd{margin-left:0}\
svg{max-width:100%;height:auto;font-family:inherit}\
@media print{@page{margin:12mm}body{margin:0;max-width:none;font-size:9.5pt;line-height:1.3}\
h2{break-after:avoid;margin-top:1rem}table{font-size:8pt;width:100%}th,td{padding:.1rem .3rem}\
thead{display:table-header-group}tr,svg,.summary{break-inside:avoid}}";

/// A warning a page opens with (what its figures rest on), styled inline so
/// that every report's page shows it alike; `body` is HTML already
/// (`report::doc::html` escapes it).
///
/// ```
/// use thresholds::report::html::warning;
/// assert!(warning("column <code>a</code> is missing").starts_with("<p role=\"alert\""));
/// ```
pub fn warning(body: &str) -> String {
    format!(
        "<p role=\"alert\" style=\"background:#fdecea;border-left:4px solid #a11;padding:.5em 1em;color:#5a0d0d\">\
         <strong>Warning:</strong> {body}</p>\n"
    )
}

/// A complete page: `title` is plain text (escaped here), `css` the
/// stylesheet (our text, not escaped; reports use [`CSS`] and add to it),
/// `body` is HTML.
pub fn page_with_style(title: &str, css: &str, body: &str) -> String {
    let mut s = String::with_capacity(body.len() + 2048);
    s.push_str(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n",
    );
    s.push_str("<meta charset=\"utf-8\"/>\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    // No script may run, and nothing may be fetched from elsewhere.
    s.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"/>\n");
    let _ = writeln!(s, "<title>{}</title>", escape(title));
    let _ = writeln!(s, "<style>{css}</style>\n</head>\n<body>");
    s.push_str(body);
    s.push_str("</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape("a&b\"c"), "a&amp;b&quot;c");
        assert_eq!(escape("\u{1}x"), " x");
    }

    #[test]
    fn page_has_no_external_resources() {
        let p = page_with_style("<t>", CSS, "<p>x</p>");
        assert!(p.contains("<title>&lt;t&gt;</title>"));
        assert!(!p.contains("<script") && !p.contains("http://") || p.contains("xmlns"));
        assert!(!p.contains("src=") && !p.contains("href="));
    }
}
