//! Duplicate-id detection that stays small on big files. Ids of the usual
//! shape, a short prefix and a run of digits (`12345`, `R000123`,
//! `MASH-2024-0042`), are kept exactly in bitmaps (one bit per possible
//! number in the range seen). Any other id, a census episode's
//! `LAchildID/CINreferralDate` among them, is kept as a 64-bit keyed
//! fingerprint, about 9 bytes an id, in sorted shards ([`Fingerprints`]):
//! no hash table's empty slots, and no doubling that holds the old table
//! and the new at once. A false duplicate needs two different ids with the
//! same fingerprint: for n such ids the chance is about n² / 2^65 (3 in 100
//! million at 1 million ids, 3 in a million at 10 million), with keys drawn
//! afresh on each run.
//!
//! Memory still grows with the number of ids: an exact check that a later
//! row repeats any earlier id must remember every earlier id.

/// Bitmaps may not grow past this many bytes in all (beyond it, hashes).
const MAX_BITMAP_BYTES: usize = 32 * 1024 * 1024;
/// At most this many prefix groups get bitmaps.
const MAX_GROUPS: usize = 16;

/// The ids seen so far.
#[derive(Default)]
pub struct IdSet {
    groups: Vec<Group>,
    bitmap_bytes: usize,
    hashed: Fingerprints,
    hasher: ahash::RandomState,
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
        if (1..=9).contains(&digits) && id.len() - digits <= 32 && !ends_with_date(id) {
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
        self.hashed.insert(self.hasher.hash_one(id))
    }
}

/// Whether an id ends in `/YYYY-MM-DD` (a census episode's id: its digits
/// are a day of a month, not a serial number worth a bitmap).
fn ends_with_date(id: &str) -> bool {
    let b = id.as_bytes();
    let Some(tail) = b.len().checked_sub(11).and_then(|at| b.get(at..)) else {
        return false;
    };
    tail.iter().enumerate().all(|(i, c)| match i {
        0 => *c == b'/',
        5 | 8 => *c == b'-',
        _ => c.is_ascii_digit(),
    })
}

/// Shards a fingerprint set starts with.
const FIRST_SHARDS: u32 = 8;
/// When the fingerprints outnumber the shards this many times over, each
/// shard is split in two (so a shard holds about 32 to 64: a search and an
/// insert touch a few cache lines).
const SHARD_LOAD: usize = 64;

/// A set of 64-bit fingerprints: sorted shards, chosen by the top bits of
/// the fingerprint, split in two as they fill. About 9 bytes a fingerprint
/// (8, and a little room to grow), found by a binary search in a shard.
#[derive(Debug)]
pub struct Fingerprints {
    /// Shard `i` holds the fingerprints whose top `bits` bits are `i`,
    /// in ascending order.
    shards: Vec<Vec<u64>>,
    bits: u32,
    len: usize,
}

impl Default for Fingerprints {
    fn default() -> Self {
        Fingerprints {
            shards: vec![Vec::new(); 1 << FIRST_SHARDS],
            bits: FIRST_SHARDS,
            len: 0,
        }
    }
}

impl Fingerprints {
    /// Adds a fingerprint; false when it was already there.
    pub fn insert(&mut self, f: u64) -> bool {
        let i = (f >> (64 - self.bits)) as usize;
        let Some(shard) = self.shards.get_mut(i) else {
            return true;
        };
        let Err(at) = shard.binary_search(&f) else {
            return false;
        };
        if shard.len() == shard.capacity() {
            // Grow by an eighth: little room is left unused.
            shard.reserve_exact(shard.len() / 8 + 4);
        }
        shard.insert(at, f);
        self.len += 1;
        if self.len > self.shards.len() * SHARD_LOAD && self.bits < 32 {
            self.split();
        }
        true
    }

    /// How many fingerprints are held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when none is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// About how many bytes the set holds.
    pub fn bytes(&self) -> usize {
        self.shards.len() * std::mem::size_of::<Vec<u64>>()
            + self.shards.iter().map(|s| s.capacity() * 8).sum::<usize>()
    }

    /// Doubles the shards: each splits in two by the next bit, one shard
    /// at a time (the fingerprints are moved, never held twice at once).
    fn split(&mut self) {
        let bit = 63 - self.bits;
        let old = std::mem::take(&mut self.shards);
        let mut shards = Vec::with_capacity(old.len() * 2);
        for mut low in old {
            let at = low.partition_point(|f| (f >> bit) & 1 == 0);
            let mut high = low.split_off(at);
            low.shrink_to(low.len() + low.len() / 8);
            high.shrink_to(high.len() + high.len() / 8);
            shards.push(low);
            shards.push(high);
        }
        self.shards = shards;
        self.bits += 1;
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

    #[test]
    fn census_ids_are_fingerprinted_and_found_again() {
        let mut s = IdSet::new();
        for child in 0..20_000 {
            for day in ["2024-04-01", "2024-05-17"] {
                assert!(s.insert(&format!("SYN{child:07}/{day}")), "{child} {day}");
            }
        }
        assert!(s.groups.is_empty(), "dated ids take no bitmap");
        assert_eq!(s.hashed.len(), 40_000);
        for child in (0..20_000).step_by(7) {
            assert!(!s.insert(&format!("SYN{child:07}/2024-05-17")));
        }
        assert!(s.insert("SYN0000001/2024-05-18"));
        assert!(ends_with_date("a/2024-01-31"));
        assert!(!ends_with_date("2024-01-31"));
        assert!(!ends_with_date("a/2024-01-3x"));
    }

    #[test]
    fn fingerprints_split_their_shards_and_lose_none() {
        let mut f = Fingerprints::default();
        let mut seed = 1u64;
        let mut all = Vec::new();
        for _ in 0..100_000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            all.push(seed);
            assert!(f.insert(seed));
        }
        assert!(f.bits > FIRST_SHARDS, "split as they filled");
        assert_eq!(f.len(), all.len());
        for x in &all {
            assert!(!f.insert(*x));
        }
        // Each shard holds its own fingerprints, in order.
        for (i, shard) in f.shards.iter().enumerate() {
            assert!(shard.windows(2).all(|w| w[0] < w[1]));
            assert!(shard.iter().all(|x| (x >> (64 - f.bits)) as usize == i));
        }
        // About 9 bytes a fingerprint.
        assert!(f.bytes() < all.len() * 10, "{} bytes", f.bytes());
        // Values at the edges of the range.
        assert!(f.insert(0) && f.insert(u64::MAX));
        assert!(!f.insert(0) && !f.insert(u64::MAX));
    }
}
