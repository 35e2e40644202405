//! A small fixed-width bitset: a record's indicators, a selector's mask.

/// A set of small integers stored as 64-bit words.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Bits {
    words: Vec<u64>,
}

impl Clone for Bits {
    fn clone(&self) -> Self {
        Self {
            words: self.words.clone(),
        }
    }

    /// Copies into the existing words (no allocation for equal widths).
    fn clone_from(&mut self, other: &Self) {
        self.words.clone_from(&other.words);
    }
}

impl Bits {
    /// An empty set able to hold `0..n`.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            words: vec![0; n.div_ceil(64).max(1)],
        }
    }

    /// Adds `i` (ignored when out of range).
    #[inline]
    pub fn insert(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Removes `i`.
    #[inline]
    pub fn remove(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }

    /// True when `i` is in the set.
    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Empties the set, keeping its capacity.
    #[inline]
    pub fn clear(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
    }

    /// How many members are also in `mask`.
    #[inline]
    pub fn count_and(&self, mask: &Bits) -> u32 {
        self.words
            .iter()
            .zip(&mask.words)
            .map(|(a, b)| (a & b).count_ones())
            .sum()
    }

    /// The words of the members also in `mask`, one per 64 bits.
    #[inline]
    pub fn masked<'a>(&'a self, mask: &'a Bits) -> impl Iterator<Item = u64> + 'a {
        self.words.iter().zip(&mask.words).map(|(a, b)| a & b)
    }

    /// True when any member is also in `mask`.
    #[inline]
    pub fn intersects(&self, mask: &Bits) -> bool {
        self.words.iter().zip(&mask.words).any(|(a, b)| a & b != 0)
    }

    /// Number of members.
    pub fn len(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    /// True when there are no members.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// Members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    None
                } else {
                    let b = w.trailing_zeros() as usize;
                    w &= w - 1;
                    Some(wi * 64 + b)
                }
            })
        })
    }

    /// Members of both sets, in increasing order.
    pub fn iter_and<'a>(&'a self, mask: &'a Bits) -> impl Iterator<Item = usize> + 'a {
        self.iter().filter(move |i| mask.contains(*i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut a = Bits::with_capacity(130);
        a.insert(0);
        a.insert(64);
        a.insert(129);
        a.insert(500); // out of range: ignored
        let mut m = Bits::with_capacity(130);
        m.insert(64);
        m.insert(129);
        m.insert(3);
        assert_eq!(a.count_and(&m), 2);
        assert!(a.intersects(&m));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 64, 129]);
        assert_eq!(a.iter_and(&m).collect::<Vec<_>>(), vec![64, 129]);
        a.remove(64);
        assert!(!a.contains(64));
        a.clear();
        assert!(a.is_empty());
    }
}
