//! Small text utilities shared by every stage (the lowest layer, see
//! ARCHITECTURE.md): number formatting, "did you mean" suggestions, and
//! escaping of control and invisible characters for messages.

/// Formats a number without a trailing `.0` for whole values.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The candidate closest to `name`, when it is close enough to be a likely slip.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        let close = score >= 0.85 || strsim::levenshtein(name, c) <= (name.len() / 4).max(1);
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `did you mean `x`?` or an empty string.
pub fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Whether `c` is invisible when printed: zero-width and other format
/// characters (U+200B..U+200F, U+2060..U+2064, U+FEFF, the soft hyphen
/// U+00AD) and bidirectional controls (U+202A..U+202E, U+2066..U+2069).
/// Two ids differing only by one of these print identically.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}'
        | '\u{00AD}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}')
}

/// The first invisible character of an id ([`is_invisible`]), if any.
pub fn invisible(id: &str) -> Option<char> {
    // Every invisible character is outside ASCII: most ids are checked by
    // one vectorised pass.
    if id.is_ascii() {
        return None;
    }
    id.chars().find(|c| is_invisible(*c))
}

/// `s` with each invisible character shown as `<U+200B>`, for printing ids.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if invisible(s).is_none() {
        return s.into();
    }
    let mut t = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_invisible(c) {
            t.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            t.push(c);
        }
    }
    t.into()
}

/// At most 40 characters of a cell, for messages (data stays out of logs).
/// Control characters are escaped (`\u{1b}`), so a cell cannot send
/// terminal escape sequences through an error message; invisible characters
/// are shown as `<U+200B>` ([`visible`]).
pub fn shorten(s: &str) -> String {
    let count = s.chars().count();
    let take = if count <= 40 { count } else { 37 };
    let mut t = String::new();
    for c in s.chars().take(take) {
        if c.is_control() {
            t.extend(c.escape_default());
        } else if is_invisible(c) {
            t.push_str(&visible(c.encode_utf8(&mut [0; 4])));
        } else {
            t.push(c);
        }
    }
    if take < count {
        t.push_str("...");
    }
    t
}

/// Text with control characters escaped (`\u{1b}`), whatever its length,
/// and invisible or direction-changing characters shown as `<U+202E>`:
/// for messages and terminal reports that quote names from the data.
pub fn shorten_all(s: &str) -> String {
    let mut t = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            t.extend(c.escape_default());
        } else if is_invisible(c) {
            t.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            t.push(c);
        }
    }
    t
}

/// `dash_score` → `Dash score`: an id as a practitioner reads it, where the
/// rule file gives no label.
pub fn humanise(id: &str) -> String {
    let spaced = id.replace('_', " ");
    let mut c = spaced.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_escapes_control_characters() {
        // A cell must not reach the terminal as escape sequences or NULs.
        let cell = "\u{1b}]0;title\u{7}\u{1b}[2J4\u{0}";
        let s = shorten(cell);
        assert!(!s.chars().any(char::is_control), "{s:?}");
        assert_eq!(s, "\\u{1b}]0;title\\u{7}\\u{1b}[2J4\\u{0}");
        // Long cells are still cut at 37 characters, then escaped.
        let long = format!("{}\n", "x".repeat(50));
        assert_eq!(shorten(&long), format!("{}...", "x".repeat(37)));
        assert_eq!(shorten("a\tb"), "a\\tb");
        assert_eq!(shorten("plain"), "plain");
    }

    #[test]
    fn invisible_characters_are_found_and_shown() {
        assert_eq!(invisible("R001"), None);
        assert_eq!(invisible("R0\u{200B}01"), Some('\u{200B}'));
        assert_eq!(invisible("\u{FEFF}R001"), Some('\u{FEFF}'));
        for c in [
            '\u{200F}', '\u{2060}', '\u{2064}', '\u{00AD}', '\u{202E}', '\u{2066}', '\u{2069}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        assert!(!is_invisible('\u{2010}') && !is_invisible(' '));
        assert_eq!(visible("R0\u{200B}01"), "R0<U+200B>01");
        assert_eq!(shorten("\u{FEFF}R1"), "<U+FEFF>R1");
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["specialist", "targeted", "early_help"];
        assert_eq!(did_you_mean("specialst", names), Some("specialist"));
        assert_eq!(did_you_mean("targetted", names), Some("targeted"));
        assert_eq!(did_you_mean("zebra", names), None);
    }
}
