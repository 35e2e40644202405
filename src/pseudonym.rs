//! Pseudonymous ids: a keyed BLAKE3 hash of each id, so outputs can be
//! shared and joined (the same id and key always give the same pseudonym)
//! without carrying the id itself. Without the key the mapping cannot be
//! recomputed or reversed; the key never appears in any output.

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

impl Pseudonymiser {
    /// A pseudonymiser for a secret key (any length of at least
    /// [`MIN_KEY_CHARS`] characters; it is stretched into a 256-bit key).
    pub fn new(secret: &str) -> Result<Self, String> {
        if secret.chars().count() < MIN_KEY_CHARS {
            return Err(format!(
                "the pseudonymisation key must be at least {MIN_KEY_CHARS} characters"
            ));
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
}
