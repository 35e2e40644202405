//! Pseudonymous ids: a keyed BLAKE3 hash of each id, so outputs can be
//! shared and joined (the same id and key always give the same pseudonym)
//! without carrying the id itself. Without the key the mapping cannot be
//! recomputed or reversed; the key never appears in any output.

use crate::data::Reject;

/// Hashes ids under one key.
#[derive(Clone)]
pub struct Pseudonymiser {
    key: [u8; 32],
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymiser { key: <hidden> }")
    }
}

/// Keys shorter than this are refused: a short key can be guessed.
pub const MIN_KEY_CHARS: usize = 8;

/// A key shorter than [`MIN_KEY_CHARS`] characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the pseudonymisation key must be at least {MIN_KEY_CHARS} characters")]
pub struct KeyTooShort;

impl Pseudonymiser {
    /// A pseudonymiser for a secret key (any length of at least
    /// [`MIN_KEY_CHARS`] characters; it is stretched into a 256-bit key).
    pub fn new(secret: &str) -> Result<Self, KeyTooShort> {
        if secret.chars().count() < MIN_KEY_CHARS {
            return Err(KeyTooShort);
        }
        Ok(Self {
            key: blake3::derive_key("thresholds 2026 pseudonymous record ids", secret.as_bytes()),
        })
    }

    /// The pseudonym of an id: `p` and 24 hex digits (96 bits).
    pub fn id(&self, id: &str) -> String {
        let h = blake3::keyed_hash(&self.key, id.as_bytes());
        let mut out = String::with_capacity(25);
        out.push('p');
        for b in &h.as_bytes()[..12] {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// A reject as it may be shown under pseudonymisation: the id replaced
    /// by its pseudonym and the reason made value-free ([`value_free`]).
    pub fn reject(&self, r: &Reject) -> Reject {
        Reject {
            row: r.row,
            id: r.id.as_deref().map(|id| self.id(id)),
            column: r.column.clone(),
            reason: value_free(&r.reason),
        }
    }

    /// Every reject of a list as [`Pseudonymiser::reject`] shows it.
    pub fn rejects(&self, rs: &[Reject]) -> Vec<Reject> {
        rs.iter().map(|r| self.reject(r)).collect()
    }
}

/// A reject reason that quotes no cell value and no script message, for
/// runs under `--pseudonymise` (SPEC §4): a cell may hold an id or other
/// personal data, and a script may `throw` one.
///
/// Script failures become a fixed sentence; reasons of a known kind ("not a
/// number", "unknown indicator", ...) become that kind; any other reason
/// loses everything from its first back-tick to its last, so that a value
/// holding back-ticks itself cannot leave a piece of it behind.
pub fn value_free(reason: &str) -> String {
    let (side, rest) = match reason
        .strip_prefix("old rules: ")
        .map(|r| ("old rules: ", r))
        .or_else(|| {
            reason
                .strip_prefix("new rules: ")
                .map(|r| ("new rules: ", r))
        }) {
        Some(x) => x,
        None => ("", reason),
    };
    format!("{side}{}", value_free_body(rest))
}

fn value_free_body(r: &str) -> String {
    const KINDS: [(&str, &str); 5] = [
        ("is a date, not a number", "a date, not a number"),
        ("is a time, not a number", "a time, not a number"),
        ("is not a number", "not a number"),
        ("unknown indicator", "unknown indicator"),
        ("is not one of", "not one of the choices"),
    ];
    if r.contains("script function") {
        return "the script failed".into();
    }
    if r.starts_with("rule `") {
        return "a script gave a value that does not fit where it is used".into();
    }
    if let Some((_, kind)) = KINDS.iter().find(|(k, _)| r.contains(k)) {
        if r.contains('`') {
            return (*kind).to_string();
        }
    }
    let (Some(first), Some(last)) = (r.find('`'), r.rfind('`')) else {
        return r.to_string();
    };
    let kept = format!("{} {}", &r[..first], &r[last + 1..]);
    let tidy = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    let tidy = tidy
        .trim_matches(|c: char| c == ';' || c == ':' || c == ',' || c == '?' || c.is_whitespace());
    if tidy.is_empty() {
        "the cell cannot be read".into()
    } else {
        tidy.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_keyed_and_distinct() {
        let a = Pseudonymiser::new("correct horse").unwrap();
        let b = Pseudonymiser::new("battery staple").unwrap();
        assert_eq!(a.id("R001"), a.id("R001"));
        assert_ne!(a.id("R001"), a.id("R002"));
        assert_ne!(a.id("R001"), b.id("R001"));
        assert_eq!(a.id("R001").len(), 25);
        assert!(Pseudonymiser::new("short").is_err());
    }

    #[test]
    fn reasons_lose_their_values() {
        for (reason, want) in [
            ("`SECRET` is not a number", "not a number"),
            (
                "`2025-06-30` is a date, not a number",
                "a date, not a number",
            ),
            (
                "unknown indicator `SECRET`; did you mean `dv`?",
                "unknown indicator",
            ),
            ("`SECRET` is not one of low, high", "not one of the choices"),
            (
                "rule `r1`: script function `f` failed at line 2: SECRET",
                "the script failed",
            ),
            (
                "old rules: rule `r1`: script function `f` failed: SECRET",
                "old rules: the script failed",
            ),
            (
                "rule `r1`: `f()` gave SECRET where true or false was expected",
                "a script gave a value that does not fit where it is used",
            ),
            ("`a`SECRET`b` is odd", "is odd"),
            ("`SECRET`", "the cell cannot be read"),
            ("missing id", "missing id"),
            (
                "an earlier row (line 3) has the same id",
                "an earlier row (line 3) has the same id",
            ),
        ] {
            let got = value_free(reason);
            assert_eq!(got, want, "{reason}");
            assert!(!got.contains("SECRET"));
        }
    }
}
