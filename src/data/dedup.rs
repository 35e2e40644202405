//! Duplicate-id detection that stays small on big files. Ids of the usual
//! shape, a short prefix and a run of digits (`12345`, `R000123`,
//! `MASH-2024-0042`), are kept exactly in bitmaps (one bit per possible
//! number in the range seen); any other id is kept as a 128-bit keyed hash
//! (a false duplicate would need a 2^-128 collision).

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};

/// Bitmaps may not grow past this many bytes in all (beyond it, hashes).
const MAX_BITMAP_BYTES: usize = 32 * 1024 * 1024;
/// At most this many prefix groups get bitmaps.
const MAX_GROUPS: usize = 16;

/// The ids seen so far.
#[derive(Default)]
pub struct IdSet {
    groups: Vec<Group>,
    bitmap_bytes: usize,
    hashed: HashSet<u128>,
    hasher: std::collections::hash_map::RandomState,
}

struct Group {
    prefix: String,
    digits: u8,
    bits: Vec<u64>,
    /// Once a bitmap could not grow it never grows again, so an id always
    /// lands in the same place (bitmap or hashes).
    frozen: bool,
}

impl IdSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an id; false when it was already there.
    pub fn insert(&mut self, id: &str) -> bool {
        let digits = id.bytes().rev().take_while(u8::is_ascii_digit).count();
        if (1..=9).contains(&digits) && id.len() - digits <= 32 {
            let (prefix, num) = id.split_at(id.len() - digits);
            if let Ok(n) = num.parse::<u32>() {
                let n = n as usize;
                let gi = self
                    .groups
                    .iter()
                    .position(|g| g.digits as usize == digits && g.prefix == prefix);
                let gi = match gi {
                    Some(g) => Some(g),
                    None if self.groups.len() < MAX_GROUPS => {
                        self.groups.push(Group {
                            prefix: prefix.to_string(),
                            digits: digits as u8,
                            bits: Vec::new(),
                            frozen: false,
                        });
                        Some(self.groups.len() - 1)
                    }
                    None => None,
                };
                if let Some(g) = gi.and_then(|g| self.groups.get_mut(g)) {
                    let word = n / 64;
                    if word >= g.bits.len() && !g.frozen {
                        let grow = (word + 1).max(g.bits.len() * 2) - g.bits.len();
                        if self.bitmap_bytes + grow * 8 <= MAX_BITMAP_BYTES {
                            g.bits.resize(g.bits.len() + grow, 0);
                            self.bitmap_bytes += grow * 8;
                        } else {
                            g.frozen = true;
                        }
                    }
                    if let Some(w) = g.bits.get_mut(word) {
                        let m = 1u64 << (n % 64);
                        let fresh = *w & m == 0;
                        *w |= m;
                        return fresh;
                    }
                }
            }
        }
        self.hashed.insert(self.hash(id))
    }

    fn hash(&self, id: &str) -> u128 {
        let mut a = self.hasher.build_hasher();
        a.write(id.as_bytes());
        let mut b = self.hasher.build_hasher();
        b.write_u8(0x5a);
        b.write(id.as_bytes());
        (u128::from(a.finish()) << 64) | u128::from(b.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_of_every_shape() {
        let mut s = IdSet::new();
        for id in ["1", "2", "R0001", "R001", "abc", "x-9", "99999999999999"] {
            assert!(s.insert(id), "{id}");
        }
        for id in ["1", "2", "R0001", "R001", "abc", "x-9", "99999999999999"] {
            assert!(!s.insert(id), "{id}");
        }
        // Same number, different spelling: different ids.
        assert!(s.insert("01"));
        assert!(s.insert("R1"));
    }
}
